// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_fuzz: moving data: send(), sendto(), sendmsg(), sendmmsg(),
 * recv(), recvfrom(), recvmsg(), recvmmsg(), readv() and writev(), with
 * random sizes (0 to 256 KiB, mostly small), flags, addresses and
 * control messages.  Every blocking call is bounded by the socket's
 * SO_RCVTIMEO/SO_SNDTIMEO (200 ms at most, see bound_timeouts()).
 */
#include "fuzz.hpp"

#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace fuzz {

/* ------------------------------------------------------------- flags */

static int send_flags(Ctx &c)
{
	int f = c.chance(70) ? MSG_DONTWAIT : 0;

	if (c.chance(5))
		f |= MSG_OOB;
	if (c.chance(20))
		f |= MSG_MORE;
	if (c.chance(80))
		f |= MSG_NOSIGNAL;	/* SIGPIPE is ignored anyway */
	if (c.chance(5))
		f |= MSG_ZEROCOPY;
	if (c.chance(5))
		f |= MSG_CONFIRM;
	if (c.chance(3))
		f |= MSG_EOR;
	if (c.chance(2))
		f |= 1 << c.below(31);	/* anything */
	return f;
}

static int recv_flags(Ctx &c)
{
	int f = c.chance(70) ? MSG_DONTWAIT : 0;

	if (c.chance(20))
		f |= MSG_PEEK;
	if (c.chance(5))
		f |= MSG_OOB;
	if (c.chance(15))
		f |= MSG_TRUNC;
	if (c.chance(15))
		f |= MSG_WAITALL;	/* still bounded by SO_RCVTIMEO */
	if (c.chance(5))
		f |= MSG_ERRQUEUE;
	if (c.chance(5))
		f |= MSG_CMSG_CLOEXEC;
	return f;
}

/* ------------------------------------------------------------- iovecs */

/* Split @total bytes of @base over @n iovecs; some may be empty. */
static void split_iov(Ctx &c, iovec *iov, int n, unsigned char *base, size_t total)
{
	size_t off = 0;

	for (int i = 0; i < n; i++) {
		size_t len = i == n - 1 ? total - off : c.below(total - off + 1);

		iov[i].iov_base = base + off;
		iov[i].iov_len = len;
		off += len;
	}
}

static int gen_iov_count(Ctx &c)
{
	/* IOV_MAX + 1 is refused (EINVAL) before anything else. */
	return c.chance(95) ? static_cast<int>(c.range(0, 8)) :
			      c.pick<int>({64, IOV_MAX, IOV_MAX + 1});
}

/* ------------------------------------------------------------- cmsgs */

/* One control message: levels and types of SOL_SOCKET, IP, IPv6, TCP,
 * UDP and random ones, with right and wrong lengths. */
static size_t put_cmsg(Ctx &c, unsigned char *p, size_t room)
{
	static const int levels[] = { SOL_SOCKET, SOL_IP, SOL_IPV6, SOL_TCP, SOL_UDP };
	size_t dlen = c.pick<size_t>({0, 1, 4, 4, 8, 16, 20, 64});

	if (room < CMSG_SPACE(dlen))
		return 0;
	auto *cm = reinterpret_cast<cmsghdr *>(p);
	cm->cmsg_level = c.chance(90) ? levels[c.below(5)] : static_cast<int>(c.next());
	switch (cm->cmsg_level) {
	case SOL_SOCKET:
		cm->cmsg_type = c.pick<int>({SCM_RIGHTS, SCM_CREDENTIALS, SO_MARK,
					     SO_PRIORITY, SO_TIMESTAMPING, SCM_TXTIME});
		break;
	case SOL_IP:
		cm->cmsg_type = c.pick<int>({IP_TOS, IP_TTL, IP_PKTINFO, IP_RETOPTS});
		break;
	case SOL_IPV6:
		cm->cmsg_type = c.pick<int>({IPV6_HOPLIMIT, IPV6_TCLASS, IPV6_PKTINFO});
		break;
	case SOL_UDP:
		cm->cmsg_type = UDP_SEGMENT;
		break;
	default:
		cm->cmsg_type = static_cast<int>(c.below(300));
	}
	cm->cmsg_len = c.chance(90) ? CMSG_LEN(dlen) :
		       c.pick<size_t>({0, 1, sizeof(cmsghdr) - 1, CMSG_LEN(dlen) + 8,
				       room + 1, SIZE_MAX});
	c.fill_random(CMSG_DATA(cm), dlen);
	if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && dlen >= 4) {
		int fd = c.sh.null_fd;	/* one of ours; never a slot's */

		memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	}
	return CMSG_SPACE(dlen);
}

static size_t gen_cmsgs(Ctx &c, unsigned char *buf, size_t room)
{
	size_t used = 0;

	for (int i = 0, n = static_cast<int>(c.range(1, 3)); i < n; i++) {
		size_t one = put_cmsg(c, buf + used, room - used);

		if (!one)
			break;
		used += one;
	}
	return c.chance(90) ? used : c.below(used + 1);
}

/* --------------------------------------------------------------- send */

void op_send(Ctx &c)
{
	FdPool::Hold h = c.any_fd();

	if (!h)
		return;
	size_t n = c.io_size();
	int flags = send_flags(c);
	c.begin("send fd=%d len=%zu flags=%#x", h.fd(), n, flags);
	c.sys(send(h.fd(), c.sbuf.data(), n, flags));
}

void op_sendto(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	sockaddr_storage ss;
	char text[96];

	if (!h)
		return;
	size_t n = c.io_size();
	int flags = send_flags(c);
	bool named = c.chance(80);
	socklen_t len = named ? gen_sockaddr(c, ss, AddrUse::sendto) : 0;
	c.begin("sendto fd=%d len=%zu flags=%#x to=%s", h.fd(), n, flags,
		named ? fmt_sockaddr(&ss, len, text, sizeof(text)) : "-");
	c.sys(sendto(h.fd(), c.sbuf.data(), n, flags,
		     named ? reinterpret_cast<sockaddr *>(&ss) : nullptr, len));
}

/* A msghdr over c.sbuf: iovecs, maybe a name, maybe control messages. */
struct SendMsg {
	msghdr mh = {};
	iovec iov[IOV_MAX + 1];
	sockaddr_storage name;
	unsigned char control[512];
};

static void gen_sendmsg(Ctx &c, SendMsg &m, size_t total)
{
	int n = gen_iov_count(c);

	split_iov(c, m.iov, n, c.sbuf.data(), n ? total : 0);
	m.mh.msg_iov = m.iov;
	m.mh.msg_iovlen = n;
	if (c.chance(50)) {
		m.mh.msg_name = &m.name;
		m.mh.msg_namelen = gen_sockaddr(c, m.name, AddrUse::sendto);
	}
	if (c.chance(30)) {
		m.mh.msg_control = m.control;
		m.mh.msg_controllen = gen_cmsgs(c, m.control, sizeof(m.control));
	}
	m.mh.msg_flags = static_cast<int>(c.next());	/* ignored on send */
}

void op_sendmsg(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	static thread_local SendMsg m;

	if (!h)
		return;
	m.mh = {};
	gen_sendmsg(c, m, c.io_size());
	int flags = send_flags(c);
	c.begin("sendmsg fd=%d iovs=%zu named=%d ctl=%zu flags=%#x", h.fd(),
		m.mh.msg_iovlen, m.mh.msg_name != nullptr, m.mh.msg_controllen, flags);
	c.sys(sendmsg(h.fd(), &m.mh, flags));
}

void op_sendmmsg(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	static thread_local SendMsg m[4];
	mmsghdr mm[4] = {};

	if (!h)
		return;
	unsigned vlen = static_cast<unsigned>(c.range(0, 4));
	for (unsigned i = 0; i < vlen; i++) {
		m[i].mh = {};
		gen_sendmsg(c, m[i], std::min<size_t>(c.io_size(), 65536));
		mm[i].msg_hdr = m[i].mh;
	}
	/* Without MSG_DONTWAIT each message may wait 200 ms: 800 at most. */
	int flags = send_flags(c) | (c.chance(80) ? MSG_DONTWAIT : 0);
	c.begin("sendmmsg fd=%d vlen=%u flags=%#x", h.fd(), vlen, flags);
	c.sys(sendmmsg(h.fd(), mm, vlen, flags));
}

/* --------------------------------------------------------------- recv */

void op_recv(Ctx &c)
{
	FdPool::Hold h = c.any_fd();

	if (!h)
		return;
	size_t n = c.io_size();
	int flags = recv_flags(c);
	c.begin("recv fd=%d len=%zu flags=%#x", h.fd(), n, flags);
	c.sys(recv(h.fd(), c.rbuf.data(), n, flags));
}

void op_recvfrom(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	sockaddr_storage ss;

	if (!h)
		return;
	size_t n = c.io_size();
	int flags = recv_flags(c);
	socklen_t len = c.pick<socklen_t>({sizeof(ss), 0, 2, 8, 16, 28});
	bool named = c.chance(70);
	c.begin("recvfrom fd=%d len=%zu flags=%#x addrlen=%u", h.fd(), n, flags, len);
	c.sys(recvfrom(h.fd(), c.rbuf.data(), n, flags,
		       named ? reinterpret_cast<sockaddr *>(&ss) : nullptr,
		       named ? &len : nullptr));
}

/* A msghdr over c.rbuf, with room for a name and control messages. */
struct RecvMsg {
	msghdr mh = {};
	iovec iov[IOV_MAX + 1];
	sockaddr_storage name;
	unsigned char control[512];
};

static void gen_recvmsg(Ctx &c, RecvMsg &m, size_t total)
{
	int n = gen_iov_count(c);

	split_iov(c, m.iov, n, c.rbuf.data(), n ? total : 0);
	m.mh.msg_iov = m.iov;
	m.mh.msg_iovlen = n;
	if (c.chance(60)) {
		m.mh.msg_name = &m.name;
		m.mh.msg_namelen = c.pick<socklen_t>({sizeof(m.name), 0, 4, 16});
	}
	if (c.chance(40)) {
		m.mh.msg_control = m.control;
		m.mh.msg_controllen = c.pick<size_t>({sizeof(m.control), 0, 8, 16, 24});
	}
}

void op_recvmsg(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	static thread_local RecvMsg m;

	if (!h)
		return;
	m.mh = {};
	gen_recvmsg(c, m, c.io_size());
	int flags = recv_flags(c);
	c.begin("recvmsg fd=%d iovs=%zu flags=%#x", h.fd(), m.mh.msg_iovlen, flags);
	c.sys(recvmsg(h.fd(), &m.mh, flags));
}

void op_recvmmsg(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	static thread_local RecvMsg m[4];
	mmsghdr mm[4] = {};
	timespec ts = { 0, 10 * 1000 * 1000 };

	if (!h)
		return;
	unsigned vlen = static_cast<unsigned>(c.range(0, 4));
	for (unsigned i = 0; i < vlen; i++) {
		m[i].mh = {};
		gen_recvmsg(c, m[i], std::min<size_t>(c.io_size(), 65536));
		mm[i].msg_hdr = m[i].mh;
	}
	/* MSG_WAITFORONE or MSG_DONTWAIT: at most one wait of 200 ms. */
	int flags = recv_flags(c) | (c.chance(50) ? MSG_WAITFORONE : MSG_DONTWAIT);
	c.begin("recvmmsg fd=%d vlen=%u flags=%#x", h.fd(), vlen, flags);
	c.sys(recvmmsg(h.fd(), mm, vlen, flags, c.chance(50) ? &ts : nullptr));
}

/* -------------------------------------------------------- readv, writev */

void op_readv(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	static thread_local iovec iov[IOV_MAX + 1];

	if (!h)
		return;
	int n = gen_iov_count(c);
	split_iov(c, iov, n, c.rbuf.data(), n ? c.io_size() : 0);
	c.begin("readv fd=%d iovs=%d", h.fd(), n);
	c.sys(readv(h.fd(), iov, n));
}

void op_writev(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	static thread_local iovec iov[IOV_MAX + 1];

	if (!h)
		return;
	int n = gen_iov_count(c);
	split_iov(c, iov, n, c.sbuf.data(), n ? c.io_size() : 0);
	c.begin("writev fd=%d iovs=%d", h.fd(), n);
	c.sys(writev(h.fd(), iov, n));
}

} /* namespace fuzz */
