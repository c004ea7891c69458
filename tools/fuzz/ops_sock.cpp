// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_fuzz: a socket's life: socket(), bind(), listen(), connect(),
 * accept(), shutdown(), names, dup, close, fcntl, poll and epoll.  Each
 * operation picks a socket of the pool (any thread's: racing is the
 * point), makes one random call, sometimes a well-formed one and
 * sometimes one meant to be refused, and counts the result.
 */
#include "fuzz.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace fuzz {

/* ------------------------------------------------------------ socket */

/* A type and protocol: mostly the two the family takes, sometimes not. */
static void gen_type(Ctx &c, int &type, int &proto)
{
	switch (c.below(20)) {
	case 16:	/* a protocol the type does not take */
		type = SOCK_STREAM;
		proto = c.pick<int>({IPPROTO_UDP, IPPROTO_SCTP, 1, -1});
		break;
	case 17:
		type = SOCK_DGRAM;
		proto = c.pick<int>({IPPROTO_TCP, IPPROTO_UDPLITE, 255, -1});
		break;
	case 18:	/* a type the family does not have */
		type = c.pick<int>({0, SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET,
				    6 /* SOCK_DCCP */, SOCK_PACKET, 11});
		proto = 0;
		break;
	case 19:
		type = static_cast<int>(c.next());
		proto = static_cast<int>(c.below(300));
		return;		/* random flags too */
	default:
		type = c.chance(50) ? SOCK_STREAM : SOCK_DGRAM;
		proto = c.chance(80) ? 0 : type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	}
	if (c.chance(30))
		type |= SOCK_NONBLOCK;
	if (c.chance(30))
		type |= SOCK_CLOEXEC;
}

void op_socket(Ctx &c)
{
	FdPool &pool = *c.sh.pool;
	int type, proto;

	/* Keep room: a full pool would only ever close what it makes. */
	if (pool.occupied() >= FdPool::kSlots - 2) {
		c.begin("make room");
		pool.retire(static_cast<int>(c.below(FdPool::kSlots)));
	}
	gen_type(c, type, proto);
	c.begin("socket(%d, %#x, %d)", c.sh.family, type, proto);
	int fd = static_cast<int>(c.sys(socket(c.sh.family, type, proto)));
	if (fd < 0)
		return;
	bound_timeouts(c, fd);
	if (c.chance(30)) {
		int on = 1;

		c.begin("SO_REUSEADDR fd=%d", fd);
		c.sys(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)));
	}
	pool.install(fd);
}

/* ---------------------------------------------------- bind, listen */

void op_bind(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	sockaddr_storage ss;
	char text[96];

	if (!h)
		return;
	socklen_t len = gen_sockaddr(c, ss, AddrUse::bind);
	c.begin("bind fd=%d %s", h.fd(), fmt_sockaddr(&ss, len, text, sizeof(text)));
	c.sys(bind(h.fd(), reinterpret_cast<sockaddr *>(&ss), len));
}

void op_listen(Ctx &c)
{
	FdPool::Hold h = c.any_fd();

	if (!h)
		return;
	int backlog = c.pick<int>({0, 1, 2, 8, 128, 4096, 65536, -1, -100,
				   INT_MAX, INT_MIN, static_cast<int>(c.next())});
	c.begin("listen fd=%d backlog=%d", h.fd(), backlog);
	c.sys(listen(h.fd(), backlog));
}

/* ------------------------------------------------ connect, accept */

/* Set or clear O_NONBLOCK; other threads see it too (on purpose). */
static void set_nonblock(Ctx &c, int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	c.begin("fcntl fd=%d F_SETFL %#x", fd, fl);
	c.sys(fcntl(fd, F_SETFL, fl));
}

/* Poll one fd, up to @ms (never more than ~1 s anywhere). */
static int poll_one(Ctx &c, int fd, short events, int ms)
{
	pollfd p = { fd, events, 0 };

	c.begin("poll fd=%d events=%#x %d ms", fd, events, ms);
	return c.sys(poll(&p, 1, ms)) > 0 ? p.revents : 0;
}

void op_connect(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	sockaddr_storage ss;
	char text[96];

	if (!h)
		return;
	bool nb = c.chance(50);
	/* Blocking connects wait at most SO_SNDTIMEO (200 ms). */
	if (c.chance(70))
		set_nonblock(c, h.fd(), nb);
	socklen_t len = gen_sockaddr(c, ss, AddrUse::connect);
	c.begin("connect fd=%d %s nb=%d", h.fd(),
		fmt_sockaddr(&ss, len, text, sizeof(text)), nb);
	long r = c.sys(connect(h.fd(), reinterpret_cast<sockaddr *>(&ss), len));
	if (r < 0 && errno == EINPROGRESS && c.chance(50)) {
		int err = 0;
		socklen_t elen = sizeof(err);

		poll_one(c, h.fd(), POLLOUT, static_cast<int>(c.range(0, 100)));
		c.begin("SO_ERROR fd=%d", h.fd());
		c.sys(getsockopt(h.fd(), SOL_SOCKET, SO_ERROR, &err, &elen));
	}
}

void op_accept(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	sockaddr_storage ss;

	if (!h)
		return;
	if (c.chance(50))
		poll_one(c, h.fd(), POLLIN, static_cast<int>(c.range(0, 50)));
	socklen_t len = c.pick<socklen_t>({sizeof(ss), sizeof(sockaddr_in),
					  sizeof(sockaddr_in6), 0, 1, 4});
	bool with_addr = c.chance(70);
	int flags = c.pick<int>({0, SOCK_NONBLOCK, SOCK_CLOEXEC,
				 SOCK_NONBLOCK | SOCK_CLOEXEC, 1 /* EINVAL */});
	int fd;

	/* A blocking accept waits SO_RCVTIMEO at most. */
	c.begin("accept4 fd=%d flags=%#x addrlen=%u", h.fd(), flags, len);
	if (c.chance(20))
		fd = static_cast<int>(c.sys(accept(h.fd(), with_addr ?
				reinterpret_cast<sockaddr *>(&ss) : nullptr,
				with_addr ? &len : nullptr)));
	else
		fd = static_cast<int>(c.sys(accept4(h.fd(), with_addr ?
				reinterpret_cast<sockaddr *>(&ss) : nullptr,
				with_addr ? &len : nullptr, flags)));
	if (fd < 0)
		return;
	bound_timeouts(c, fd);
	c.sh.pool->install(fd);
}

/* ----------------------------------------------- shutdown, names */

void op_shutdown(Ctx &c)
{
	FdPool::Hold h = c.any_fd();

	if (!h)
		return;
	int how = c.chance(85) ? c.pick<int>({SHUT_RD, SHUT_WR, SHUT_RDWR}) :
				 c.pick<int>({-1, 3, 4, INT_MAX, INT_MIN});
	c.begin("shutdown fd=%d how=%d", h.fd(), how);
	c.sys(shutdown(h.fd(), how));
}

void op_getname(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	unsigned char buf[256];

	if (!h)
		return;
	/* Short lengths: the kernel must truncate, not overrun. */
	socklen_t len = c.pick<socklen_t>({0, 1, 2, 4, 8, 15, 16, 27, 28, 128,
					  sizeof(buf), static_cast<socklen_t>(-1)});
	socklen_t given = std::min<socklen_t>(len, sizeof(buf));
	bool peer = c.chance(50);

	memset(buf, 0xa5, sizeof(buf));
	c.begin("%s fd=%d len=%d", peer ? "getpeername" : "getsockname", h.fd(),
		static_cast<int>(len));
	/* A negative length is refused (EINVAL) before any copy. */
	if (len == static_cast<socklen_t>(-1))
		given = len;
	auto *sa = reinterpret_cast<sockaddr *>(buf);
	long r = c.sys(peer ? getpeername(h.fd(), sa, &given) :
			      getsockname(h.fd(), sa, &given));
	/* Whatever it says the full length is, it writes at most len. */
	if (r == 0 && len < sizeof(buf) && buf[len] != 0xa5)
		c.integrity("%s wrote past a %u-byte buffer",
			    peer ? "getpeername" : "getsockname", len);
}

/* ------------------------------------------------------ dup, close */

/* dup2()/dup3() onto another slot's number: that slot's socket goes,
 * this one's file takes its place, while other threads may use it. */
static void dup_onto(Ctx &c, const FdPool::Hold &from)
{
	int slot = static_cast<int>(c.below(FdPool::kSlots));

	if (slot == from.slot())
		return;		/* a slot is held once per thread */
	FdPool::Hold to = c.sh.pool->try_hold(slot);
	if (!to)
		return;
	c.begin("dup3 %d -> %d", from.fd(), to.fd());
	if (c.chance(50))
		c.sys(dup2(from.fd(), to.fd()));
	else
		c.sys(dup3(from.fd(), to.fd(), c.chance(50) ? O_CLOEXEC : 0));
}

void op_dup(Ctx &c)
{
	FdPool::Hold h = c.any_fd();
	int fd;

	if (!h)
		return;
	switch (c.below(3)) {
	case 0:
		c.begin("dup fd=%d", h.fd());
		fd = static_cast<int>(c.sys(dup(h.fd())));
		break;
	case 1:
		c.begin("F_DUPFD_CLOEXEC fd=%d", h.fd());
		fd = static_cast<int>(c.sys(fcntl(h.fd(), F_DUPFD_CLOEXEC,
						  static_cast<int>(c.below(200)))));
		break;
	default:
		dup_onto(c, h);
		return;
	}
	if (fd >= 0)
		c.sh.pool->install(fd);
}

void op_close(Ctx &c)
{
	/* A few random slots, for an occupied one; retire() waits for the
	 * threads holding it, so this thread must hold none. */
	for (int i = 0; i < 4; i++) {
		int slot = static_cast<int>(c.below(FdPool::kSlots));

		c.begin("close slot=%d", slot);
		if (c.sh.pool->retire(slot)) {
			c.sys(0);
			return;
		}
	}
	c.stats.nofd[static_cast<int>(c.op)]++;
}

/* ------------------------------------------------------------ fcntl */

void op_fcntl(Ctx &c)
{
	FdPool::Hold h = c.any_fd();

	if (!h)
		return;
	switch (c.below(6)) {
	case 0:
	case 1:
		set_nonblock(c, h.fd(), c.chance(50));
		break;
	case 2:
		c.begin("F_GETFL fd=%d", h.fd());
		c.sys(fcntl(h.fd(), F_GETFL));
		break;
	case 3: {
		/* O_ASYNC: SIGIO is ignored (main()). */
		int fl = fcntl(h.fd(), F_GETFL);

		c.begin("F_SETFL O_ASYNC fd=%d", h.fd());
		c.sys(fcntl(h.fd(), F_SETFL, fl < 0 ? O_ASYNC : fl ^ O_ASYNC));
		break;
	}
	case 4:
		c.begin("F_SETOWN fd=%d", h.fd());
		c.sys(fcntl(h.fd(), F_SETOWN, c.chance(50) ? getpid() : 0));
		break;
	default:
		c.begin("F_SETFD fd=%d", h.fd());
		c.sys(fcntl(h.fd(), F_SETFD, c.chance(50) ? FD_CLOEXEC : 0));
	}
}

/* ------------------------------------------------------- poll, epoll */

static short gen_events(Ctx &c)
{
	static const short bits[] = { POLLIN, POLLOUT, POLLPRI, POLLRDHUP,
				      POLLERR, POLLHUP, POLLRDNORM, POLLWRNORM };
	short ev = 0;

	for (short b : bits)
		if (c.chance(40))
			ev |= b;
	return ev;
}

void op_poll(Ctx &c)
{
	FdPool::Hold holds[8];
	pollfd fds[8];
	int n = 0, want = static_cast<int>(c.range(1, 8));
	/* Consecutive slots from a random one: each held once. */
	int first = static_cast<int>(c.below(FdPool::kSlots));

	for (int i = 0; i < want; i++) {
		holds[n] = c.sh.pool->try_hold((first + i) % FdPool::kSlots);
		if (!holds[n])
			continue;
		fds[n] = { holds[n].fd(), gen_events(c), 0 };
		n++;
	}
	if (!n) {
		c.stats.nofd[static_cast<int>(c.op)]++;
		return;
	}
	int ms = c.pick<int>({0, 0, 1, 10, 50});
	c.begin("poll %d fds %d ms", n, ms);
	c.sys(poll(fds, n, ms));
}

/* The thread's epoll set, made when first needed and now and then
 * thrown away with whatever it watched. */
static int thread_epoll(Ctx &c)
{
	if (c.epoll_fd >= 0 && c.chance(2)) {
		close(c.epoll_fd);
		c.epoll_fd = -1;
	}
	if (c.epoll_fd < 0) {
		c.begin("epoll_create1");
		c.epoll_fd = static_cast<int>(c.sys(epoll_create1(EPOLL_CLOEXEC)));
	}
	return c.epoll_fd;
}

static uint32_t gen_epoll_events(Ctx &c)
{
	static const uint32_t bits[] = { EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLRDHUP,
					 EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE,
					 EPOLLWAKEUP, EPOLLERR };
	uint32_t ev = 0;

	for (uint32_t b : bits)
		if (c.chance(b == EPOLLEXCLUSIVE || b == EPOLLWAKEUP ? 5 : 35))
			ev |= b;
	return ev;
}

void op_epoll(Ctx &c)
{
	int ep = thread_epoll(c);
	epoll_event evs[16];

	if (ep < 0)
		return;
	if (c.chance(60)) {
		FdPool::Hold h = c.any_fd();

		if (!h)
			return;
		int ctl = c.pick<int>({EPOLL_CTL_ADD, EPOLL_CTL_ADD, EPOLL_CTL_MOD,
				       EPOLL_CTL_DEL});
		epoll_event ev = {};

		ev.events = gen_epoll_events(c);
		ev.data.fd = h.fd();
		c.begin("epoll_ctl %d fd=%d events=%#x", ctl, h.fd(), ev.events);
		c.sys(epoll_ctl(ep, ctl, h.fd(), &ev));
		return;
	}
	int max = static_cast<int>(c.range(1, 16));
	int ms = c.pick<int>({0, 1, 10, 50});
	c.begin("epoll_wait max=%d %d ms", max, ms);
	c.sys(epoll_wait(ep, evs, max, ms));
}

} /* namespace fuzz */
