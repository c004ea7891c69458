// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_fuzz: well-formed traffic, so that the state machines get deep.
 *
 * Random calls alone seldom get a stream past its handshake, or a
 * datagram to its receiver.  These two operations build the real thing
 * on sockets only this thread knows: a listener, a client connected to
 * it and the accepted socket, with data both ways; or two datagram
 * sockets (sometimes a multicast group) exchanging datagrams.  What
 * arrives is checked against what was sent, since nobody else can touch
 * these sockets yet: a difference is a finding (INTEGRITY).  Then a bit
 * of abuse, and the sockets go into the pool for every thread to use.
 * Every wait is a poll() of at most 800 ms in all.
 */
#include "fuzz.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace fuzz {

namespace {

using Clock = std::chrono::steady_clock;

/* An fd of this thread's only, closed unless handed to the pool. */
class OwnFd {
public:
	explicit OwnFd(int fd = -1) : fd_(fd) {}
	~OwnFd() { if (fd_ >= 0) close(fd_); }
	OwnFd(OwnFd &&o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
	OwnFd &operator=(OwnFd &&o) noexcept
	{
		if (this != &o) {
			if (fd_ >= 0)
				close(fd_);
			fd_ = o.fd_;
			o.fd_ = -1;
		}
		return *this;
	}
	int get() const { return fd_; }
	explicit operator bool() const { return fd_ >= 0; }
	void to_pool(FdPool &pool) { if (fd_ >= 0) pool.install(fd_); fd_ = -1; }

private:
	int fd_;
};

/* The byte at @off of a stream whose pattern is @salt. */
inline unsigned char pattern(uint64_t salt, uint64_t off)
{
	uint64_t x = (off + salt) * 0x9e3779b97f4a7c15ull;

	return static_cast<unsigned char>(x >> 56);
}

/* One direction of a stream: what was sent and what arrived. */
struct Flow {
	int tx, rx;
	uint64_t salt;
	uint64_t sent = 0, received = 0;
	bool broken = false;		/* a mismatch was reported */
};

bool same_name(const sockaddr_storage &a, socklen_t alen,
	       const sockaddr_storage &b, socklen_t blen)
{
	return alen == blen && !memcmp(&a, &b, alen);
}

/* Sends what is left of @want bytes, without waiting. */
void flow_send(Ctx &c, Flow &f, uint64_t want)
{
	/* 64 KiB a call at most: the pattern is written afresh each time. */
	size_t n = std::min<uint64_t>(want - f.sent, 64 * 1024);

	for (size_t i = 0; i < n; i++)
		c.sbuf[i] = pattern(f.salt, f.sent + i);
	c.begin("traffic send fd=%d len=%zu", f.tx, n);
	long r = c.sys(send(f.tx, c.sbuf.data(), n, MSG_DONTWAIT | MSG_NOSIGNAL));
	if (r > 0)
		f.sent += r;
}

/* Takes what arrived and checks it; false on end of stream or error. */
bool flow_recv(Ctx &c, Flow &f)
{
	c.begin("traffic recv fd=%d", f.rx);
	long r = c.sys(recv(f.rx, c.rbuf.data(), Ctx::kBufSize, MSG_DONTWAIT));
	if (r <= 0)
		return r < 0 && errno == EAGAIN;
	if (f.received + r > f.sent) {
		c.integrity("stream fd %d: %llu bytes arrived, %llu sent", f.rx,
			    static_cast<unsigned long long>(f.received + r),
			    static_cast<unsigned long long>(f.sent));
		f.broken = true;
	}
	for (long i = 0; i < r && !f.broken; i++) {
		if (c.rbuf[i] != pattern(f.salt, f.received + i)) {
			c.integrity("stream fd %d: byte %llu is %#x, sent %#x", f.rx,
				    static_cast<unsigned long long>(f.received + i),
				    c.rbuf[i], pattern(f.salt, f.received + i));
			f.broken = true;
		}
	}
	f.received += r;
	return true;
}

/* @n bytes across, both ends driven from here; true if all arrived. */
bool flow_pump(Ctx &c, Flow &f, uint64_t n, Clock::time_point deadline)
{
	uint64_t want = f.sent + n;

	while (f.received < want && !f.broken && Clock::now() < deadline) {
		if (f.sent < want)
			flow_send(c, f, want);
		if (!flow_recv(c, f))
			return false;
		if (f.received < f.sent || f.sent < want) {
			pollfd p[2] = { { f.rx, POLLIN, 0 }, { f.tx, POLLOUT, 0 } };
			c.begin("traffic poll");
			c.sys(poll(p, f.sent < want ? 2 : 1, 20));
		}
	}
	return f.received == want && !f.broken;
}

int wait_for(Ctx &c, int fd, short events, int ms)
{
	pollfd p = { fd, events, 0 };

	c.begin("traffic wait fd=%d events=%#x", fd, events);
	return c.sys(poll(&p, 1, ms)) > 0 ? p.revents : 0;
}

/* ------------------------------------------------------------ stream */

/* A listener on an ephemeral port of a local address: random connects
 * (to ports 7500-7515) do not find it, so what it accepts is ours. */
bool open_listener(Ctx &c, OwnFd &l, sockaddr_storage &name, socklen_t &len)
{
	sockaddr_storage ss;
	socklen_t sl = local_sockaddr(c, ss, c.chance(30), 0);

	c.begin("traffic bind+listen fd=%d", l.get());
	if (c.sys(bind(l.get(), reinterpret_cast<sockaddr *>(&ss), sl)) < 0 ||
	    c.sys(listen(l.get(), static_cast<int>(c.range(1, 16)))) < 0)
		return false;
	len = sizeof(name);
	return c.sys(getsockname(l.get(), reinterpret_cast<sockaddr *>(&name), &len)) == 0;
}

/* The client connects; the listener accepts it.  The accepted socket's
 * peer must be the client's name. */
bool connect_pair(Ctx &c, OwnFd &l, OwnFd &cl, OwnFd &acc,
		  const sockaddr_storage &name, socklen_t len, Clock::time_point deadline)
{
	c.begin("traffic connect fd=%d", cl.get());
	if (c.sys(connect(cl.get(), reinterpret_cast<const sockaddr *>(&name), len)) < 0 &&
	    errno != EINPROGRESS)
		return false;
	while (Clock::now() < deadline && !acc) {
		if (!(wait_for(c, l.get(), POLLIN, 50) & POLLIN))
			continue;
		c.begin("traffic accept fd=%d", l.get());
		OwnFd a(static_cast<int>(c.sys(accept4(l.get(), nullptr, nullptr, SOCK_NONBLOCK))));
		if (a) {
			bound_timeouts(c, a.get());
			acc = std::move(a);
		}
	}
	if (!acc || !(wait_for(c, cl.get(), POLLOUT, 200) & POLLOUT))
		return false;
	sockaddr_storage mine, peer;
	socklen_t ml = sizeof(mine), pl = sizeof(peer);
	c.begin("traffic names");
	return c.sys(getsockname(cl.get(), reinterpret_cast<sockaddr *>(&mine), &ml)) == 0 &&
	       c.sys(getpeername(acc.get(), reinterpret_cast<sockaddr *>(&peer), &pl)) == 0 &&
	       same_name(mine, ml, peer, pl);
}

/* A little abuse of a connection that works, before the pool gets it. */
void abuse_stream(Ctx &c, OwnFd &cl, OwnFd &acc)
{
	switch (c.below(5)) {
	case 0: {	/* half close: the other end reads end of stream */
		char b;
		c.begin("traffic shutdown WR fd=%d", cl.get());
		c.sys(shutdown(cl.get(), SHUT_WR));
		wait_for(c, acc.get(), POLLIN, 100);
		c.sys(recv(acc.get(), &b, 1, MSG_DONTWAIT));
		break;
	}
	case 1: {	/* close with unread data: a reset */
		c.begin("traffic unread close fd=%d", acc.get());
		c.sys(send(cl.get(), c.sbuf.data(), 4096, MSG_DONTWAIT | MSG_NOSIGNAL));
		wait_for(c, acc.get(), POLLIN, 50);
		acc = OwnFd();
		break;
	}
	case 2: {	/* abortive close: SO_LINGER with 0 */
		linger l = { 1, 0 };
		c.begin("traffic linger0 close fd=%d", cl.get());
		c.sys(setsockopt(cl.get(), SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
		cl = OwnFd();
		break;
	}
	default:
		break;	/* leave it working, for the others to use */
	}
}

/* ----------------------------------------------------------- datagram */

/* A datagram says who sent it and how long it is, and the rest is the
 * pattern of its salt: loss and reordering (UD) are no finding, a
 * datagram that is not what was sent is. */
struct DgramHead {
	uint64_t salt;
	uint32_t len;
	uint32_t seq;
};

size_t make_dgram(Ctx &c, uint64_t salt, uint32_t seq)
{
	/* Mostly small; sometimes the largest there is (65507). */
	size_t n = c.chance(90) ? c.range(sizeof(DgramHead), 2048) :
		   c.pick<size_t>({16288, 16384, 65507});
	DgramHead h = { salt, static_cast<uint32_t>(n), seq };

	memcpy(c.sbuf.data(), &h, sizeof(h));
	for (size_t i = sizeof(h); i < n; i++)
		c.sbuf[i] = pattern(salt + seq, i);
	return n;
}

/* Checks one received datagram of @salt; other senders' are ignored. */
bool check_dgram(Ctx &c, uint64_t salt, size_t got)
{
	DgramHead h;

	if (got < sizeof(h))
		return false;
	memcpy(&h, c.rbuf.data(), sizeof(h));
	if (h.salt != salt)
		return false;	/* not ours: someone else's port collision */
	if (h.len != got) {
		c.integrity("datagram %u: %zu bytes arrived, %u sent", h.seq, got, h.len);
		return false;
	}
	for (size_t i = sizeof(h); i < got; i++) {
		if (c.rbuf[i] != pattern(salt + h.seq, i)) {
			c.integrity("datagram %u: byte %zu differs", h.seq, i);
			return false;
		}
	}
	return true;
}

/* A multicast receiver instead: the wildcard, a group joined. */
bool join_group(Ctx &c, int fd, sockaddr_in &dst)
{
	ip_mreqn m = {};

	m.imr_multiaddr.s_addr = htonl(0xef010100 | c.range(1, 8));
	dst.sin_addr = m.imr_multiaddr;
	c.begin("traffic join fd=%d", fd);
	return c.sys(setsockopt(fd, SOL_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m))) == 0;
}

/* The receiver: bound to a local address, or the wildcard and a group. */
bool open_receiver(Ctx &c, int fd, bool group, sockaddr_storage &dst, socklen_t &len)
{
	sockaddr_storage ss;
	socklen_t sl = group ? local_sockaddr(c, ss, false, 0) :
			       local_sockaddr(c, ss, c.chance(30), 0);

	if (group)
		reinterpret_cast<sockaddr_in *>(&ss)->sin_addr.s_addr = htonl(INADDR_ANY);
	c.begin("traffic dgram bind fd=%d", fd);
	if (c.sys(bind(fd, reinterpret_cast<sockaddr *>(&ss), sl)) < 0)
		return false;
	len = sizeof(dst);
	if (c.sys(getsockname(fd, reinterpret_cast<sockaddr *>(&dst), &len)) < 0)
		return false;
	return !group || join_group(c, fd, *reinterpret_cast<sockaddr_in *>(&dst));
}

/* Sends @count datagrams and reads what comes; true if one came back. */
bool exchange_dgrams(Ctx &c, int s, int r, const sockaddr_storage &dst, socklen_t len,
		     Clock::time_point deadline)
{
	uint64_t salt = c.next();
	int count = static_cast<int>(c.range(1, 4)), ok = 0;

	for (int i = 0; i < count && Clock::now() < deadline; i++) {
		size_t n = make_dgram(c, salt, static_cast<uint32_t>(i));
		c.begin("traffic sendto fd=%d len=%zu", s, n);
		if (c.sys(sendto(s, c.sbuf.data(), n, MSG_DONTWAIT,
				 reinterpret_cast<const sockaddr *>(&dst), len)) < 0)
			continue;
		if (!(wait_for(c, r, POLLIN, 100) & POLLIN))
			continue;
		c.begin("traffic recv fd=%d", r);
		long got = c.sys(recv(r, c.rbuf.data(), Ctx::kBufSize, MSG_DONTWAIT));
		if (got > 0 && check_dgram(c, salt, static_cast<size_t>(got)))
			ok++;
	}
	return ok > 0;
}

} /* namespace */

void op_stream_traffic(Ctx &c)
{
	auto deadline = Clock::now() + std::chrono::milliseconds(800);
	sockaddr_storage name;
	socklen_t len;

	c.stats.stream_tried++;
	OwnFd l(new_socket(c, SOCK_STREAM)), cl, acc;
	if (!l || !open_listener(c, l, name, len))
		return;
	cl = OwnFd(new_socket(c, SOCK_STREAM | SOCK_NONBLOCK));
	if (!cl || !connect_pair(c, l, cl, acc, name, len, deadline)) {
		l.to_pool(*c.sh.pool);	/* a listener is worth keeping */
		cl.to_pool(*c.sh.pool);
		return;
	}
	Flow there = { cl.get(), acc.get(), c.next() };
	Flow back = { acc.get(), cl.get(), c.next() };
	bool ok = true;
	for (int i = 0, n = static_cast<int>(c.range(1, 6)); i < n && ok; i++) {
		ok = flow_pump(c, there, c.io_size(), deadline);
		if (ok && c.chance(50))
			ok = flow_pump(c, back, c.io_size(), deadline);
	}
	if (ok)
		c.stats.stream_ok++;
	abuse_stream(c, cl, acc);
	l.to_pool(*c.sh.pool);
	cl.to_pool(*c.sh.pool);
	acc.to_pool(*c.sh.pool);
}

void op_dgram_traffic(Ctx &c)
{
	auto deadline = Clock::now() + std::chrono::milliseconds(800);
	bool group = c.chance(25);
	sockaddr_storage dst;
	socklen_t len;

	c.stats.dgram_tried++;
	OwnFd r(new_socket(c, SOCK_DGRAM)), s(new_socket(c, SOCK_DGRAM));
	if (!r || !s || !open_receiver(c, r.get(), group, dst, len))
		return;
	/* A connected sender sometimes (not to a group: it would work, but
	 * the point is the unconnected path there). */
	if (!group && c.chance(30)) {
		c.begin("traffic dgram connect fd=%d", s.get());
		c.sys(connect(s.get(), reinterpret_cast<sockaddr *>(&dst), len));
	}
	if (exchange_dgrams(c, s.get(), r.get(), dst, len, deadline))
		c.stats.dgram_ok++;
	r.to_pool(*c.sh.pool);
	s.to_pool(*c.sh.pool);
}

} /* namespace fuzz */
