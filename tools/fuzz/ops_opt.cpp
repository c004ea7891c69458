// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_fuzz: socket options, ioctls and multicast memberships.
 *
 * The options are those the family handles (SOL_TCP's five on streams,
 * SOL_IP's and SOL_IPV6's multicast ones on datagram sockets: the uapi
 * header defines no option level of the family's own), the SOL_SOCKET
 * ones the socket layer handles for every family, others of those levels
 * that must be refused, and random levels and names; with valid,
 * boundary and garbage values and lengths.  Three SOL_SOCKET options
 * could make a later call block for long, which the fuzzer promises
 * never happens, so their values are kept sane whatever was drawn:
 * SO_RCVTIMEO/SO_SNDTIMEO (never 0, which is "forever", nor over 200 ms),
 * SO_LINGER (at most 1 s) and SO_BUSY_POLL (at most 1 ms).
 */
#include "fuzz.hpp"

#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace fuzz {

/* How an option's value is made. */
enum class Val { integer, timeval, linger, mreq4, mreqn, mreq6, in_addr4,
		 ifindex, string, raw };

struct OptDesc {
	int level;
	int name;
	Val val;
};

#define SOCKOPT(n, v) { SOL_SOCKET, n, Val::v }
#define TCPOPT(n) { SOL_TCP, n, Val::integer }
static const OptDesc kOpts[] = {
	SOCKOPT(SO_REUSEADDR, integer), SOCKOPT(SO_REUSEPORT, integer),
	SOCKOPT(SO_KEEPALIVE, integer), SOCKOPT(SO_LINGER, linger),
	SOCKOPT(SO_RCVBUF, integer), SOCKOPT(SO_SNDBUF, integer),
	SOCKOPT(SO_RCVBUFFORCE, integer), SOCKOPT(SO_SNDBUFFORCE, integer),
	SOCKOPT(SO_RCVLOWAT, integer), SOCKOPT(SO_SNDLOWAT, integer),
	SOCKOPT(SO_RCVTIMEO_OLD, timeval), SOCKOPT(SO_SNDTIMEO_OLD, timeval),
	SOCKOPT(SO_RCVTIMEO_NEW, timeval), SOCKOPT(SO_SNDTIMEO_NEW, timeval),
	SOCKOPT(SO_BROADCAST, integer), SOCKOPT(SO_OOBINLINE, integer),
	SOCKOPT(SO_PRIORITY, integer), SOCKOPT(SO_MARK, integer),
	SOCKOPT(SO_TIMESTAMP_OLD, integer), SOCKOPT(SO_TIMESTAMPNS_OLD, integer),
	SOCKOPT(SO_TIMESTAMPING_OLD, integer), SOCKOPT(SO_RXQ_OVFL, integer),
	SOCKOPT(SO_BUSY_POLL, integer), SOCKOPT(SO_PREFER_BUSY_POLL, integer),
	SOCKOPT(SO_BUSY_POLL_BUDGET, integer), SOCKOPT(SO_ZEROCOPY, integer),
	SOCKOPT(SO_BINDTODEVICE, string), SOCKOPT(SO_BINDTOIFINDEX, ifindex),
	SOCKOPT(SO_PEEK_OFF, integer), SOCKOPT(SO_MAX_PACING_RATE, integer),
	SOCKOPT(SO_INCOMING_CPU, integer), SOCKOPT(SO_RESERVE_MEM, integer),
	SOCKOPT(SO_PASSCRED, integer), SOCKOPT(SO_DONTROUTE, integer),
	SOCKOPT(SO_SELECT_ERR_QUEUE, integer), SOCKOPT(SO_TXREHASH, integer),
	SOCKOPT(SO_RCVMARK, integer), SOCKOPT(SO_TXTIME, raw),
	/* read only */
	SOCKOPT(SO_TYPE, integer), SOCKOPT(SO_DOMAIN, integer),
	SOCKOPT(SO_PROTOCOL, integer), SOCKOPT(SO_ERROR, integer),
	SOCKOPT(SO_ACCEPTCONN, integer), SOCKOPT(SO_PEERNAME, raw),
	SOCKOPT(SO_PEERCRED, raw), SOCKOPT(SO_MEMINFO, raw),
	SOCKOPT(SO_COOKIE, raw), SOCKOPT(SO_INCOMING_NAPI_ID, integer),
	SOCKOPT(SO_NETNS_COOKIE, raw), SOCKOPT(SO_PEERSEC, raw),
	/* the streams' own, then some TCP has and the family refuses */
	TCPOPT(TCP_NODELAY), TCPOPT(TCP_CORK), TCPOPT(TCP_KEEPIDLE),
	TCPOPT(TCP_KEEPINTVL), TCPOPT(TCP_KEEPCNT), TCPOPT(TCP_MAXSEG),
	TCPOPT(TCP_USER_TIMEOUT), TCPOPT(TCP_QUICKACK), TCPOPT(TCP_DEFER_ACCEPT),
	{ SOL_TCP, TCP_INFO, Val::raw }, { SOL_TCP, TCP_CONGESTION, Val::string },
	{ SOL_TCP, TCP_ULP, Val::string },
	/* the datagram sockets' multicast options, and others of IP's */
	{ SOL_IP, IP_ADD_MEMBERSHIP, Val::mreqn }, { SOL_IP, IP_DROP_MEMBERSHIP, Val::mreq4 },
	{ SOL_IP, IP_MULTICAST_IF, Val::in_addr4 }, { SOL_IP, IP_MULTICAST_TTL, Val::integer },
	{ SOL_IP, IP_MULTICAST_LOOP, Val::integer }, { SOL_IP, IP_TOS, Val::integer },
	{ SOL_IP, IP_TTL, Val::integer }, { SOL_IP, IP_PKTINFO, Val::integer },
	{ SOL_IP, IP_MULTICAST_ALL, Val::integer }, { SOL_IP, MCAST_JOIN_GROUP, Val::raw },
	{ SOL_IPV6, IPV6_ADD_MEMBERSHIP, Val::mreq6 }, { SOL_IPV6, IPV6_DROP_MEMBERSHIP, Val::mreq6 },
	{ SOL_IPV6, IPV6_MULTICAST_IF, Val::ifindex }, { SOL_IPV6, IPV6_MULTICAST_HOPS, Val::integer },
	{ SOL_IPV6, IPV6_MULTICAST_LOOP, Val::integer }, { SOL_IPV6, IPV6_V6ONLY, Val::integer },
	{ SOL_IPV6, IPV6_UNICAST_HOPS, Val::integer }, { SOL_IPV6, IPV6_RECVPKTINFO, Val::integer },
};
#undef SOCKOPT
#undef TCPOPT

/* ------------------------------------------------------------- values */

static int gen_int(Ctx &c)
{
	/* TCP's bounds (keepidle/keepintvl 32767, keepcnt 127), a byte's,
	 * a port's, an int's. */
	return c.pick<int>({0, 1, 1, -1, 2, 127, 128, 255, 256, 4096, 32767,
			    32768, 65535, 65536, 1 << 20, INT_MAX, INT_MIN,
			    static_cast<int>(c.below(64)), static_cast<int>(c.next())});
}

static in_addr gen_group4(Ctx &c)
{
	in_addr a;

	a.s_addr = c.chance(90) ? htonl(0xef010100 | c.range(1, 8)) :	/* 239.1.1.x */
		   c.pick<in_addr_t>({htonl(0xe0000001), c.pick(c.sh.addrs.v4).sin_addr.s_addr,
				      static_cast<in_addr_t>(c.next())});
	return a;
}

static in6_addr gen_group6(Ctx &c)
{
	in6_addr a = {};

	a.s6_addr[0] = 0xff;
	a.s6_addr[1] = c.chance(90) ? 0x3e : c.pick<uint8_t>({0x02, 0x0e, 0x01});
	a.s6_addr[15] = static_cast<uint8_t>(c.range(1, 8));
	if (c.chance(5))
		a = c.sh.addrs.v6.empty() ? in6addr_loopback : c.pick(c.sh.addrs.v6).sin6_addr;
	return a;
}

static int gen_ifindex(Ctx &c)
{
	if (c.chance(30) || c.sh.addrs.ifindex.empty())
		return c.pick<int>({0, 0, -1, 9999, static_cast<int>(c.next())});
	return c.pick(c.sh.addrs.ifindex);
}

/* The value of @d into @buf; its right length. */
static socklen_t gen_value(Ctx &c, const OptDesc &d, unsigned char *buf)
{
	switch (d.val) {
	case Val::integer: {
		int v = gen_int(c);
		memcpy(buf, &v, sizeof(v));
		return sizeof(v);
	}
	case Val::ifindex: {
		int v = gen_ifindex(c);
		memcpy(buf, &v, sizeof(v));
		return sizeof(v);
	}
	case Val::timeval:	/* made sane by sanitize() */
		return sizeof(timeval);
	case Val::linger:
		return sizeof(linger);
	case Val::mreq4:
	case Val::mreqn: {
		ip_mreqn m = {};
		m.imr_multiaddr = gen_group4(c);
		if (c.chance(30))
			m.imr_address = c.pick(c.sh.addrs.v4).sin_addr;
		m.imr_ifindex = gen_ifindex(c);
		memcpy(buf, &m, sizeof(m));
		return d.val == Val::mreqn && c.chance(50) ? sizeof(ip_mreqn) : sizeof(ip_mreq);
	}
	case Val::mreq6: {
		ipv6_mreq m = {};
		m.ipv6mr_multiaddr = gen_group6(c);
		m.ipv6mr_interface = gen_ifindex(c);
		memcpy(buf, &m, sizeof(m));
		return sizeof(m);
	}
	case Val::in_addr4: {
		in_addr a = c.chance(50) ? c.pick(c.sh.addrs.v4).sin_addr : in_addr{};
		memcpy(buf, &a, sizeof(a));
		return sizeof(a);
	}
	case Val::string: {
		const char *s = c.pick<const char *>({"lo", "eth0", "rxe0", "", "tls",
						      "cubic", "no-such-name-at-all"});
		size_t n = strlen(s);
		memcpy(buf, s, n + 1);
		return static_cast<socklen_t>(c.chance(80) ? n + 1 : n);
	}
	default:
		return static_cast<socklen_t>(c.pick<int>({4, 8, 16, 32, 64}));
	}
}

/* Mostly the right length; else one a careful kernel refuses or cuts. */
static socklen_t gen_optlen(Ctx &c, socklen_t right)
{
	if (c.chance(75))
		return right;
	return c.pick<socklen_t>({0, 1, 2, 3, 5, 7, 8, 12, 16, 24, 64, 256, 4096,
				  65536, right - 1, right + 1,
				  c.chance(10) ? socklen_t{0x7fffffff} : socklen_t{4}});
}

/*
 * The values that would let a later call block for long, replaced
 * whatever was drawn (see the top of the file).  Lengths too short are
 * left alone: they are refused.
 */
static void sanitize(Ctx &c, int level, int name, unsigned char *buf, socklen_t len)
{
	if (level != SOL_SOCKET)
		return;
	if ((name == SO_RCVTIMEO_OLD || name == SO_SNDTIMEO_OLD ||
	     name == SO_RCVTIMEO_NEW || name == SO_SNDTIMEO_NEW) && len >= 8) {
		/* 1..200 ms; a negative time (no waiting); an out of range
		 * tv_usec (EDOM).  Never 0: that is "forever". */
		timeval tv = { 0, static_cast<suseconds_t>(c.range(1000, 200000)) };
		if (c.chance(10))
			tv = { -1, 0 };
		else if (c.chance(10))
			tv = { 0, c.pick<suseconds_t>({-1, 1000000, LONG_MAX}) };
		memcpy(buf, &tv, std::min<size_t>(len, sizeof(tv)));
	} else if (name == SO_LINGER && len >= sizeof(linger)) {
		linger l = { static_cast<int>(c.below(2)), static_cast<int>(c.below(2)) };
		memcpy(buf, &l, sizeof(l));
	} else if (name == SO_BUSY_POLL && len >= sizeof(int)) {
		int us = c.chance(90) ? static_cast<int>(c.range(0, 1000)) : -1;
		memcpy(buf, &us, sizeof(us));
	}
}

/* Either a known option or random level and name. */
static OptDesc gen_opt(Ctx &c)
{
	if (c.chance(85))
		return kOpts[c.below(sizeof(kOpts) / sizeof(kOpts[0]))];
	OptDesc d;
	d.level = c.pick<int>({SOL_SOCKET, SOL_TCP, SOL_IP, SOL_IPV6, SOL_UDP,
			       static_cast<int>(c.below(300)), static_cast<int>(c.next())});
	d.name = c.chance(80) ? static_cast<int>(c.below(100)) : static_cast<int>(c.next());
	d.val = Val::integer;
	return d;
}

/* --------------------------------------------------------- operations */

void op_setsockopt(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	unsigned char *buf = c.sbuf.data();	/* kBufSize: any length fits */

	if (!h)
		return;
	OptDesc d = gen_opt(c);
	socklen_t right = gen_value(c, d, buf);
	socklen_t len = gen_optlen(c, right);
	sanitize(c, d.level, d.name, buf, len);
	c.begin("setsockopt fd=%d level=%d name=%d len=%u", h.fd(), d.level, d.name, len);
	c.sys(setsockopt(h.fd(), d.level, d.name, buf, len));
}

void op_getsockopt(Ctx &c)
{
	FdPool::Hold h = c.any_fd();

	if (!h)
		return;
	OptDesc d = gen_opt(c);
	/* c.rbuf is 260 KiB: a kernel writing what it says it writes stays
	 * inside even when told 2 GiB.  -1 must be refused. */
	socklen_t len = c.pick<socklen_t>({0, 1, 2, 3, 4, 8, 16, 64, 256, 4096,
					  static_cast<socklen_t>(-1),
					  c.chance(20) ? socklen_t{0x7fffffff} : socklen_t{4}});
	c.begin("getsockopt fd=%d level=%d name=%d len=%d", h.fd(), d.level, d.name,
		static_cast<int>(len));
	c.sys(getsockopt(h.fd(), d.level, d.name, c.rbuf.data(), &len));
}

/*
 * ioctl requests: the family's (SIOCINQ, SIOCOUTQ, SIOCOUTQNSD), the
 * file layer's, and random ones.  Random requests of type 0x89 (SIOC*)
 * and 0x8b (wireless extensions) are moved into SIOCPROTOPRIVATE's
 * range, which the family's ioctl sees: the others reach the network
 * devices (dev_ioctl(), bridge, VLAN and wireless ioctls) and, run as
 * root, could reconfigure the guest's interfaces.
 */
static unsigned long gen_ioctl_cmd(Ctx &c)
{
	if (c.chance(80))
		return c.pick<unsigned long>({FIONREAD, SIOCINQ, SIOCOUTQ, SIOCOUTQNSD,
					      SIOCATMARK, FIONBIO, FIOASYNC, FIOCLEX,
					      FIONCLEX, FIOQSIZE, SIOCGSTAMP_OLD,
					      SIOCGSTAMPNS_OLD});
	unsigned long cmd = static_cast<uint32_t>(c.next());
	if (c.chance(50))
		cmd = SIOCPROTOPRIVATE + c.below(16);
	unsigned long type = (cmd >> 8) & 0xff;
	if ((type == 0x89 && (cmd & 0xf0) != (SIOCPROTOPRIVATE & 0xf0)) || type == 0x8b)
		cmd = SIOCPROTOPRIVATE + (cmd & 0xf);
	return cmd;
}

void op_ioctl(Ctx &c)
{
	FdPool::Hold h = c.any_fd();

	if (!h)
		return;
	unsigned long cmd = gen_ioctl_cmd(c);
	int *arg = reinterpret_cast<int *>(c.rbuf.data());
	c.fill_random(arg, 64);
	if (cmd == FIONBIO || cmd == FIOASYNC)
		*arg = static_cast<int>(c.below(2));	/* SIGIO is ignored */
	bool null_arg = c.chance(5);
	c.begin("ioctl fd=%d cmd=%#lx%s", h.fd(), cmd, null_arg ? " NULL" : "");
	c.sys(ioctl(h.fd(), cmd, null_arg ? nullptr : arg));
}

/* Memberships: joins and leaves of 239.1.1.x and ff3e::x, and the
 * multicast interface, TTL/hops and loop options, on any socket (a
 * stream refuses them: ENOPROTOOPT). */
void op_mcast(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	unsigned char buf[64] = {};

	if (!h)
		return;
	static const OptDesc mc[] = {
		{ SOL_IP, IP_ADD_MEMBERSHIP, Val::mreqn }, { SOL_IP, IP_ADD_MEMBERSHIP, Val::mreq4 },
		{ SOL_IP, IP_DROP_MEMBERSHIP, Val::mreqn }, { SOL_IP, IP_MULTICAST_IF, Val::mreqn },
		{ SOL_IP, IP_MULTICAST_IF, Val::in_addr4 }, { SOL_IP, IP_MULTICAST_TTL, Val::integer },
		{ SOL_IP, IP_MULTICAST_LOOP, Val::integer },
		{ SOL_IPV6, IPV6_JOIN_GROUP, Val::mreq6 }, { SOL_IPV6, IPV6_LEAVE_GROUP, Val::mreq6 },
		{ SOL_IPV6, IPV6_MULTICAST_IF, Val::ifindex },
		{ SOL_IPV6, IPV6_MULTICAST_HOPS, Val::integer },
		{ SOL_IPV6, IPV6_MULTICAST_LOOP, Val::integer },
	};
	const OptDesc &d = mc[c.below(sizeof(mc) / sizeof(mc[0]))];
	socklen_t len = gen_value(c, d, buf);
	/* IP's options also take a single byte. */
	if (d.val == Val::integer && c.chance(20))
		len = 1;
	c.begin("mcast fd=%d level=%d name=%d len=%u", h.fd(), d.level, d.name, len);
	c.sys(setsockopt(h.fd(), d.level, d.name, buf, len));
}

} /* namespace fuzz */
