// SPDX-License-Identifier: GPL-2.0
/*
 * Datagram sockets, the socket side: bind, connect, names, shutdown,
 * poll, ioctl and an empty receive queue behave as UDP's.  Every case
 * runs against UDP (variants udp, udp6) and against AF_RDMA_DGRAM (rdma,
 * rdma6), the rdma6 variants with IPv4-mapped addresses, so that UDP on
 * the host checks the test itself.  In the guests RSK_ADDR is the rxe
 * device's address, so rdma datagrams go over UD through it.
 *
 * RSK_ADDR (default 127.0.0.1) is a local address; in the test guests it
 * is the address of the rxe device's netdev.
 */
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "rsk_selftest.h"

FIXTURE(dg) {
	bool rdma;
	bool v6;
	int domain;
	socklen_t alen;
	struct sockaddr_storage local;	/* RSK_ADDR, port 0 */
	struct sockaddr_storage any;	/* the wildcard, port 0 */
};

FIXTURE_VARIANT(dg) {
	bool rdma;
	bool v6;
};

FIXTURE_VARIANT_ADD(dg, udp) { .rdma = false, .v6 = false };
FIXTURE_VARIANT_ADD(dg, rdma) { .rdma = true, .v6 = false };
FIXTURE_VARIANT_ADD(dg, udp6) { .rdma = false, .v6 = true };
FIXTURE_VARIANT_ADD(dg, rdma6) { .rdma = true, .v6 = true };

FIXTURE_SETUP(dg)
{
	self->rdma = variant->rdma;
	self->v6 = variant->v6;
	self->domain = rsk_domain(variant->rdma,
				  variant->v6 ? AF_INET6 : AF_INET);
	self->alen = variant->v6 ? sizeof(struct sockaddr_in6) :
				   sizeof(struct sockaddr_in);
	ASSERT_EQ(0, addr_v4(rsk_env("RSK_ADDR", "127.0.0.1"), self->v6,
			     &self->local));
	if (self->v6) {
		memset(&self->any, 0, sizeof(self->any));
		self->any.ss_family = AF_INET6;
	} else {
		ASSERT_EQ(0, addr_v4("0.0.0.0", false, &self->any));
	}
}

FIXTURE_TEARDOWN(dg)
{
}

static int dsock(const FIXTURE_DATA(dg) *self)
{
	return socket_bounded(self->domain, SOCK_DGRAM, 10000);
}

/* bind() and getsockname(): explicit port, port 0, and the name shown. */
TEST_F(dg, bind_and_name)
{
	struct sockaddr_storage ss = self->local, got;
	socklen_t len = sizeof(got);
	int a = dsock(self), b = dsock(self);
	uint16_t port;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, bind(a, SA(&ss), self->alen)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, getsockname(a, SA(&got), &len));
	EXPECT_EQ(self->alen, len);
	port = port_of(&got);
	EXPECT_NE(0, port);
	set_port(&ss, port);
	EXPECT_TRUE(addr_eq(&ss, &got)) TH_LOG("%s", addr_str(&got));
	/* The same port again: taken; bind() twice: EINVAL. */
	EXPECT_EQ(-1, bind(b, SA(&ss), self->alen));
	EXPECT_EQ(EADDRINUSE, errno);
	EXPECT_EQ(-1, bind(a, SA(&ss), self->alen));
	EXPECT_EQ(EINVAL, errno);
	close(a);
	/* Closing frees the port at once, as UDP's. */
	EXPECT_EQ(0, bind(b, SA(&ss), self->alen)) TH_LOG("%s", strerror(errno));
	close(b);
}

/* SO_REUSEADDR on both shares a port; on one only, it does not. */
TEST_F(dg, bind_reuseaddr)
{
	struct sockaddr_storage ss = self->any, got;
	socklen_t len = sizeof(got);
	int a = dsock(self), b = dsock(self), c = dsock(self);

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, set_int(a, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, set_int(b, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, bind(a, SA(&ss), self->alen));
	ASSERT_EQ(0, getsockname(a, SA(&got), &len));
	set_port(&ss, port_of(&got));
	EXPECT_EQ(0, bind(b, SA(&ss), self->alen)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(-1, bind(c, SA(&ss), self->alen));
	EXPECT_EQ(EADDRINUSE, errno);
	close(a);
	close(b);
	close(c);
}

/*
 * SO_REUSEPORT: UDP shares a port between sockets of one owner.  The
 * socket layer refuses the option for a family that is not inet
 * (EOPNOTSUPP), so rdma_sock learns nothing of it and a second bind to
 * the port gets EADDRINUSE.
 */
TEST_F(dg, bind_reuseport)
{
	struct sockaddr_storage ss = self->any, got;
	socklen_t len = sizeof(got);
	int a = dsock(self), b = dsock(self), ret;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	if (self->rdma) {
		EXPECT_EQ(-1, set_int(a, SOL_SOCKET, SO_REUSEPORT, 1));
		EXPECT_EQ(EOPNOTSUPP, errno);
	} else {
		ASSERT_EQ(0, set_int(a, SOL_SOCKET, SO_REUSEPORT, 1));
		ASSERT_EQ(0, set_int(b, SOL_SOCKET, SO_REUSEPORT, 1));
	}
	ASSERT_EQ(0, bind(a, SA(&ss), self->alen));
	ASSERT_EQ(0, getsockname(a, SA(&got), &len));
	set_port(&ss, port_of(&got));
	ret = bind(b, SA(&ss), self->alen);
	if (self->rdma) {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EADDRINUSE, errno);
	} else {
		EXPECT_EQ(0, ret) TH_LOG("%s", strerror(errno));
	}
	close(a);
	close(b);
}

/* Not an address of this host: EADDRNOTAVAIL; a group address: fine. */
TEST_F(dg, bind_nonlocal_and_group)
{
	struct sockaddr_storage ss;
	int a = dsock(self), b = dsock(self);

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, addr_v4("192.0.2.77", self->v6, &ss));
	EXPECT_EQ(-1, bind(a, SA(&ss), self->alen));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	ASSERT_EQ(0, addr_v4("239.1.2.3", self->v6, &ss));
	EXPECT_EQ(0, bind(b, SA(&ss), self->alen)) TH_LOG("%s", strerror(errno));
	close(a);
	close(b);
}

/*
 * connect() sets the peer (getpeername), binds a port and the route's
 * source address; AF_UNSPEC disconnects.
 */
TEST_F(dg, connect_and_disconnect)
{
	struct sockaddr_storage to = self->local, got, me;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	socklen_t len = sizeof(got);
	int fd = dsock(self);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, getpeername(fd, SA(&got), &len));
	EXPECT_EQ(ENOTCONN, errno);
	set_port(&to, 9);
	ASSERT_EQ(0, connect(fd, SA(&to), self->alen)) TH_LOG("%s", strerror(errno));
	len = sizeof(got);
	ASSERT_EQ(0, getpeername(fd, SA(&got), &len));
	EXPECT_EQ(self->alen, len);
	EXPECT_TRUE(addr_eq(&to, &got)) TH_LOG("%s", addr_str(&got));
	len = sizeof(me);
	ASSERT_EQ(0, getsockname(fd, SA(&me), &len));
	EXPECT_NE(0, port_of(&me));
	got = self->local;
	set_port(&got, port_of(&me));
	EXPECT_TRUE(addr_eq(&got, &me)) TH_LOG("source %s", addr_str(&me));

	/* Connecting again moves the peer. */
	set_port(&to, 10);
	ASSERT_EQ(0, connect(fd, SA(&to), self->alen));
	len = sizeof(got);
	ASSERT_EQ(0, getpeername(fd, SA(&got), &len));
	EXPECT_EQ(10, port_of(&got));

	ASSERT_EQ(0, connect(fd, &unspec, sizeof(unspec)));
	len = sizeof(got);
	EXPECT_EQ(-1, getpeername(fd, SA(&got), &len));
	EXPECT_EQ(ENOTCONN, errno);
	close(fd);
}

/* No route: connect() fails with ENETUNREACH, as UDP's. */
TEST_F(dg, connect_no_route)
{
	struct sockaddr_storage to;
	int fd = dsock(self);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, addr_v4(rsk_env("RSK_NOROUTE_ADDR", "198.51.100.1"),
			     self->v6, &to));
	set_port(&to, 9);
	if (!connect(fd, SA(&to), self->alen))
		SKIP(close(fd); return, "this host has a route to 198.51.100.1");
	EXPECT_EQ(ENETUNREACH, errno);
	close(fd);
}

/* An empty queue: EAGAIN at once, or after SO_RCVTIMEO; FIONREAD 0. */
TEST_F(dg, recv_empty)
{
	struct sockaddr_storage ss = self->local;
	char buf[8];
	double t0;
	int fd = dsock(self), n = -1;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, SA(&ss), self->alen));
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, set_timeo(fd, SO_RCVTIMEO, 300));
	t0 = now_ms();
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LE(250, now_ms() - t0);
	EXPECT_EQ(0, ioctl(fd, FIONREAD, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, ioctl(fd, TIOCOUTQ, &n));
	EXPECT_EQ(0, n);
	close(fd);
}

/*
 * poll: an idle socket is writable, not readable; shutdown(SHUT_RD) of
 * a connected one makes it readable with EOF; an unconnected one cannot
 * shut down (ENOTCONN).
 */
TEST_F(dg, poll_and_shutdown)
{
	struct sockaddr_storage to = self->local;
	struct pollfd p;
	char buf[8];
	int fd = dsock(self);

	ASSERT_LE(0, fd);
	p = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents);
	EXPECT_EQ(-1, shutdown(fd, SHUT_RD));
	EXPECT_EQ(ENOTCONN, errno);

	set_port(&to, 9);
	ASSERT_EQ(0, connect(fd, SA(&to), self->alen));
	ASSERT_EQ(0, shutdown(fd, SHUT_RD));
	p.revents = 0;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLIN);
	EXPECT_TRUE(p.revents & POLLRDHUP);
	EXPECT_EQ(0, recv(fd, buf, sizeof(buf), 0));
	close(fd);
}

/* What a datagram socket never does: listen, accept; no peer, no send. */
TEST_F(dg, not_for_datagrams)
{
	char buf[4] = "x";
	int fd = dsock(self);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, listen(fd, 4));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, accept(fd, NULL, NULL));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, send(fd, buf, 1, 0));
	EXPECT_EQ(EDESTADDRREQ, errno);
	close(fd);
}

/* ---- data ---- */

/* Two sockets bound to RSK_ADDR: a sender and a receiver, and where. */
static void pair_up(struct __test_metadata *_metadata,
		    FIXTURE_DATA(dg) *self, int *a, int *b,
		    struct sockaddr_storage *at_a, struct sockaddr_storage *at_b)
{
	socklen_t len;

	*a = dsock(self);
	*b = dsock(self);
	ASSERT_LE(0, *a);
	ASSERT_LE(0, *b);
	*at_a = self->local;
	*at_b = self->local;
	ASSERT_EQ(0, bind(*a, SA(at_a), self->alen));
	ASSERT_EQ(0, bind(*b, SA(at_b), self->alen));
	len = sizeof(*at_a);
	ASSERT_EQ(0, getsockname(*a, SA(at_a), &len));
	len = sizeof(*at_b);
	ASSERT_EQ(0, getsockname(*b, SA(at_b), &len));
}

/* Send a datagram of @len bytes of the pattern @seed; 0 or -1. */
static int send_pattern(int fd, const struct sockaddr_storage *to,
			socklen_t alen, size_t len, uint64_t seed)
{
	char *buf = malloc(len + 1);
	ssize_t n;

	if (!buf)
		return -1;
	pattern(buf, len, seed, 0);
	n = sendto(fd, buf, len, 0, to ? SA(to) : NULL, to ? alen : 0);
	free(buf);
	return n == (ssize_t)len ? 0 : -1;
}

/* Receive one datagram, check its length, content and source. */
static void recv_pattern(struct __test_metadata *_metadata, int fd,
			 size_t len, uint64_t seed,
			 const struct sockaddr_storage *from)
{
	struct sockaddr_storage src;
	socklen_t slen = sizeof(src);
	char *buf = malloc(len + 64);
	ssize_t n;

	ASSERT_NE(NULL, buf);
	n = recvfrom(fd, buf, len + 64, 0, SA(&src), &slen);
	ASSERT_EQ((ssize_t)len, n) TH_LOG("recv: %s", strerror(errno));
	EXPECT_TRUE(pattern_ok(buf, len, seed, 0));
	if (from)
		EXPECT_TRUE(addr_eq(&src, from)) TH_LOG("from %s", addr_str(&src));
	free(buf);
}

/*
 * Round trips of 1 byte, one fragment's worth (the UD MTU less the
 * 20-byte header), one byte more, 9000 and 65507 bytes, content checked.
 */
TEST_F(dg, round_trip_sizes)
{
	long mtu = strtol(rsk_env("RSK_UD_MTU", "1024"), NULL, 0);
	size_t sizes[] = { 1, mtu - 20, mtu - 19, 9000, 65507, 0 };
	struct sockaddr_storage at_a, at_b;
	int a, b, i;

	pair_up(_metadata, self, &a, &b, &at_a, &at_b);
	for (i = 0; i < (int)ARRAY_SIZE(sizes); i++) {
		ASSERT_EQ(0, send_pattern(a, &at_b, self->alen, sizes[i], i))
			TH_LOG("send %zu: %s", sizes[i], strerror(errno));
		recv_pattern(_metadata, b, sizes[i], i, &at_a);
	}
	close(a);
	close(b);
}

/* @lo with @port. */
static struct sockaddr_storage with_port(const struct sockaddr_storage *lo,
					 uint16_t port)
{
	struct sockaddr_storage ss = *lo;

	set_port(&ss, port);
	return ss;
}

static uint16_t port_of_fd(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getsockname(fd, SA(&ss), &len) ? 0 : port_of(&ss);
}

/*
 * Datagrams to a loopback address, as UDP's over lo: to a socket bound
 * to the wildcard and to one bound to the loopback address, from the
 * loopback address (a wildcard-bound sender's source), sizes up to the
 * largest, a connected pair both ways; a socket bound to another address
 * hears nothing sent to loopback on its port.  rdma: in software, no RDMA
 * device carries them (dgram_loopback counts them).  @lo is the loopback
 * address, 127.0.0.1 or ::1, in the sockets' form.
 */
static void loopback_cases(struct __test_metadata *_metadata, int domain,
			   const struct sockaddr_storage *lo,
			   const struct sockaddr_storage *any,
			   const struct sockaddr_storage *other,
			   socklen_t alen, bool rdma)
{
	long count0 = rsk_ns_counter("dgram_loopback");
	size_t sizes[] = { 1, 9000, 65507 };
	struct sockaddr_storage to, from, name;
	socklen_t len = sizeof(name);
	int a, b, c, d, e;

	a = socket_bounded(domain, SOCK_DGRAM, 10000);
	b = socket_bounded(domain, SOCK_DGRAM, 10000);
	c = socket_bounded(domain, SOCK_DGRAM, 10000);
	d = socket_bounded(domain, SOCK_DGRAM, 10000);
	e = socket_bounded(domain, SOCK_DGRAM, 10000);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	ASSERT_LE(0, d);
	ASSERT_LE(0, e);

	/* An unbound sender to a wildcard-bound receiver. */
	ASSERT_EQ(0, bind(b, SA(any), alen));
	to = with_port(lo, port_of_fd(b));
	for (int i = 0; i < (int)ARRAY_SIZE(sizes); i++) {
		ASSERT_EQ(0, send_pattern(a, &to, alen, sizes[i], i))
			TH_LOG("send %zu: %s", sizes[i], strerror(errno));
		from = with_port(lo, port_of_fd(a));
		recv_pattern(_metadata, b, sizes[i], i, &from);
	}

	/* A receiver bound to the loopback address; a connected pair. */
	ASSERT_EQ(0, bind(c, SA(lo), alen));
	to = with_port(lo, port_of_fd(c));
	ASSERT_EQ(0, connect(d, SA(&to), alen));
	ASSERT_EQ(0, getsockname(d, SA(&name), &len));
	from = with_port(lo, port_of_fd(d));
	EXPECT_TRUE(addr_eq(&name, &from)) TH_LOG("%s", addr_str(&name));
	ASSERT_EQ(0, send_pattern(d, NULL, alen, 1000, 7));
	recv_pattern(_metadata, c, 1000, 7, &from);
	ASSERT_EQ(0, send_pattern(c, &from, alen, 2000, 8));
	recv_pattern(_metadata, d, 2000, 8, &to);

	/*
	 * Bound to another address (RSK_ADDR, where it is not a loopback
	 * one): loopback datagrams are not for it.
	 */
	to = with_port(lo, 0);
	if (!addr_eq(other, &to)) {
		ASSERT_EQ(0, bind(e, SA(other), alen));
		to = with_port(lo, port_of_fd(e));
		ASSERT_EQ(0, send_pattern(a, &to, alen, 10, 9));
		EXPECT_EQ(0, poll1(e, POLLIN, QUIET_MS));
	}

	if (rdma)
		EXPECT_LE(count0 + 5, rsk_ns_counter("dgram_loopback"));
	close(a);
	close(b);
	close(c);
	close(d);
	close(e);
}

TEST_F(dg, loopback)
{
	struct sockaddr_storage lo;

	ASSERT_EQ(0, addr_v4("127.0.0.1", self->v6, &lo));
	loopback_cases(_metadata, self->domain, &lo, &self->any, &self->local,
		       self->alen, self->rdma);
}

/* One byte over the largest datagram: EMSGSIZE, as UDP. */
TEST_F(dg, emsgsize)
{
	struct sockaddr_storage at_a, at_b;
	size_t max = 65507;	/* IPv4 and IPv4-mapped: UDP's IPv4 limit */
	char *buf = calloc(1, max + 1);
	int a, b;

	ASSERT_NE(NULL, buf);
	pair_up(_metadata, self, &a, &b, &at_a, &at_b);
	EXPECT_EQ(-1, sendto(a, buf, max + 1, 0, SA(&at_b), self->alen));
	EXPECT_EQ(EMSGSIZE, errno);
	free(buf);
	close(a);
	close(b);
}

/*
 * A connected socket sends with send() and takes datagrams from its peer
 * only; MSG_PEEK leaves a datagram, MSG_TRUNC gives its real length.
 */
TEST_F(dg, connected_peek_trunc)
{
	struct sockaddr_storage at_a, at_b, at_c;
	char buf[64];
	int a, b, c;
	socklen_t len = sizeof(at_c);

	pair_up(_metadata, self, &a, &b, &at_a, &at_b);
	c = dsock(self);
	ASSERT_LE(0, c);
	at_c = self->local;
	ASSERT_EQ(0, bind(c, SA(&at_c), self->alen));
	ASSERT_EQ(0, getsockname(c, SA(&at_c), &len));
	ASSERT_EQ(0, connect(a, SA(&at_b), self->alen));
	ASSERT_EQ(0, connect(b, SA(&at_a), self->alen));
	/* From c, not b's peer: b never sees it. */
	ASSERT_EQ(0, send_pattern(c, &at_b, self->alen, 10, 7));
	ASSERT_EQ(20, send(a, "0123456789abcdefghij", 20, 0));
	EXPECT_EQ(5, recv(b, buf, 5, MSG_PEEK));
	EXPECT_EQ(20, recv(b, buf, 5, MSG_PEEK | MSG_TRUNC));
	EXPECT_EQ(20, recv(b, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "0123456789abcdefghij", 20));
	EXPECT_EQ(-1, recv(b, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(a);
	close(b);
	close(c);
}

/*
 * 1000 datagrams at full speed to a reader that sleeps: the sender never
 * waits for the reader, what is received is intact and in sequence
 * order, and the socket counts what it dropped (SO_RXQ_OVFL).
 */
TEST_F(dg, flood_drops_counted)
{
	struct sockaddr_storage at_a, at_b;
	char buf[1024], cbuf[CMSG_SPACE(sizeof(uint32_t))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	uint32_t dropped = 0, got = 0, last = 0;
	double t0;
	int a, b, i;

	pair_up(_metadata, self, &a, &b, &at_a, &at_b);
	ASSERT_EQ(0, set_int(b, SOL_SOCKET, SO_RCVBUF, 16384));
	ASSERT_EQ(0, set_int(b, SOL_SOCKET, SO_RXQ_OVFL, 1));
	t0 = now_ms();
	for (i = 1; i <= 1000; i++) {
		uint32_t seq = i;

		memcpy(buf, &seq, sizeof(seq));
		pattern(buf + sizeof(seq), sizeof(buf) - sizeof(seq), seq,
			sizeof(seq));
		ASSERT_EQ((ssize_t)sizeof(buf),
			  sendto(a, buf, sizeof(buf), 0, SA(&at_b), self->alen))
			TH_LOG("send %d: %s", i, strerror(errno));
	}
	TH_LOG("1000 datagrams sent in %.0f ms", now_ms() - t0);
	sleep_ms(500);
	while (recvmsg(b, &mh, MSG_DONTWAIT) == (ssize_t)sizeof(buf)) {
		uint32_t seq;

		memcpy(&seq, buf, sizeof(seq));
		EXPECT_LT(last, seq);
		last = seq;
		EXPECT_TRUE(pattern_ok(buf + sizeof(seq),
				       sizeof(buf) - sizeof(seq), seq,
				       sizeof(seq)));
		got++;
		rxq_ovfl(&mh, &dropped);
		mh.msg_controllen = sizeof(cbuf);
	}
	/*
	 * A datagram's SO_RXQ_OVFL is the count of drops before it was
	 * queued: one more, after the flood, carries them all.
	 */
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(4, sendto(a, buf, 4, 0, SA(&at_b), self->alen));
	mh.msg_controllen = sizeof(cbuf);
	ASSERT_EQ(4, recvmsg(b, &mh, 0)) TH_LOG("%s", strerror(errno));
	rxq_ovfl(&mh, &dropped);
	TH_LOG("received %u, the socket dropped %u", got, dropped);
	EXPECT_LT(0U, got);
	EXPECT_LT(got, 1000U);
	EXPECT_LT(0U, dropped);
	EXPECT_GE(1000U, got + dropped);
	close(a);
	close(b);
}

/* recvmmsg() takes a batch; epoll says when one is there. */
TEST_F(dg, recvmmsg_and_epoll)
{
	struct sockaddr_storage at_a, at_b;
	struct mmsghdr mm[8];
	struct iovec iov[8];
	char bufs[8][32];
	struct epoll_event ev = { .events = EPOLLIN };
	int a, b, ep, i, n = 0;

	pair_up(_metadata, self, &a, &b, &at_a, &at_b);
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, send_pattern(a, &at_b, self->alen, 32, 100 + i));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 5000));
	EXPECT_TRUE((ev.events & EPOLLIN) != 0);
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < 8; i++) {
		iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = 32 };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (n < 8) {
		int r = recvmmsg(b, mm + n, 8 - n, 0, NULL);

		ASSERT_LT(0, r) TH_LOG("recvmmsg: %s", strerror(errno));
		n += r;
	}
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(32, (int)mm[i].msg_len);
		EXPECT_TRUE(pattern_ok(bufs[i], 32, 100 + i, 0));
	}
	close(ep);
	close(a);
	close(b);
}

/* ---- multicast ---- */

#define GROUP4		"239.1.2.3"
#define OTHER_GROUP4	"239.1.2.4"

/* IP_ADD_MEMBERSHIP or IP_DROP_MEMBERSHIP of @group on @ifaddr. */
static int mc_member(int fd, int opt, const char *group, const char *ifaddr)
{
	struct in_addr g, a;

	if (inet_pton(AF_INET, group, &g) != 1 ||
	    inet_pton(AF_INET, ifaddr, &a) != 1)
		return -2;
	return ip_membership(fd, opt, g, a);
}

/* Nothing arrives on @fd for @ms milliseconds. */
static bool quiet(int fd, int ms)
{
	return poll1(fd, POLLIN, ms) == 0;
}

static int get_opt(int fd, int level, int opt, int *val, socklen_t *len)
{
	*len = sizeof(*val);
	*val = -7;
	return getsockopt(fd, level, opt, val, len);
}

/*
 * The multicast options as ip(7) has them: TTL and loop (int or one
 * byte), the interface, memberships and their errors.
 */
TEST_F(dg, mc_options)
{
	const char *addr = rsk_env("RSK_ADDR", "127.0.0.1");
	const char *netdev = rsk_env("RSK_NETDEV", "lo");
	struct ip_mreqn m = {};
	struct in_addr ia, nonlocal;
	unsigned char c = 3;
	socklen_t len;
	int fd = dsock(self), v;

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, inet_pton(AF_INET, addr, &ia));
	ASSERT_EQ(1, inet_pton(AF_INET, "198.51.100.1", &nonlocal));
	/* Defaults: TTL 1, loop on. */
	ASSERT_EQ(0, get_opt(fd, SOL_IP, IP_MULTICAST_TTL, &v, &len));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, get_opt(fd, SOL_IP, IP_MULTICAST_LOOP, &v, &len));
	EXPECT_EQ(1, v);
	EXPECT_EQ(0, set_int(fd, SOL_IP, IP_MULTICAST_TTL, 8));
	ASSERT_EQ(0, get_opt(fd, SOL_IP, IP_MULTICAST_TTL, &v, &len));
	EXPECT_EQ(8, v);
	EXPECT_EQ(0, setsockopt(fd, SOL_IP, IP_MULTICAST_TTL, &c, 1));
	c = 0;
	len = 1;
	ASSERT_EQ(0, getsockopt(fd, SOL_IP, IP_MULTICAST_TTL, &c, &len));
	EXPECT_EQ(1, (int)len);
	EXPECT_EQ(3, c);
	EXPECT_EQ(-1, set_int(fd, SOL_IP, IP_MULTICAST_TTL, 256));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, set_int(fd, SOL_IP, IP_MULTICAST_TTL, -1));
	ASSERT_EQ(0, get_opt(fd, SOL_IP, IP_MULTICAST_TTL, &v, &len));
	EXPECT_EQ(1, v);
	EXPECT_EQ(0, set_int(fd, SOL_IP, IP_MULTICAST_LOOP, 0));
	ASSERT_EQ(0, get_opt(fd, SOL_IP, IP_MULTICAST_LOOP, &v, &len));
	EXPECT_EQ(0, v);
	/* The interface: one of ours, by address. */
	EXPECT_EQ(0, setsockopt(fd, SOL_IP, IP_MULTICAST_IF, &ia, sizeof(ia)));
	len = sizeof(v);
	ASSERT_EQ(0, getsockopt(fd, SOL_IP, IP_MULTICAST_IF, &v, &len));
	EXPECT_EQ(0, memcmp(&v, &ia, sizeof(ia)));
	EXPECT_EQ(-1, setsockopt(fd, SOL_IP, IP_MULTICAST_IF, &nonlocal,
				 sizeof(nonlocal)));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	/* Memberships. */
	EXPECT_EQ(-1, mc_member(fd, IP_ADD_MEMBERSHIP, addr, addr));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(fd, SOL_IP, IP_ADD_MEMBERSHIP, &ia, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, mc_member(fd, IP_ADD_MEMBERSHIP, GROUP4, addr))
		TH_LOG("join: %s", strerror(errno));
	EXPECT_EQ(-1, mc_member(fd, IP_ADD_MEMBERSHIP, GROUP4, addr));
	EXPECT_EQ(EADDRINUSE, errno);
	EXPECT_EQ(-1, mc_member(fd, IP_DROP_MEMBERSHIP, OTHER_GROUP4, addr));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	EXPECT_EQ(0, mc_member(fd, IP_DROP_MEMBERSHIP, GROUP4, addr));
	EXPECT_EQ(-1, mc_member(fd, IP_DROP_MEMBERSHIP, GROUP4, addr));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	/* Joined by address, left by the interface's index. */
	m.imr_ifindex = if_nametoindex(netdev);
	ASSERT_NE(0, m.imr_ifindex) TH_LOG("no interface %s", netdev);
	ASSERT_EQ(1, inet_pton(AF_INET, GROUP4, &m.imr_multiaddr));
	EXPECT_EQ(0, mc_member(fd, IP_ADD_MEMBERSHIP, GROUP4, addr));
	EXPECT_EQ(0, setsockopt(fd, SOL_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m)));
	EXPECT_EQ(-1, setsockopt(fd, SOL_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m)));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	close(fd);
	if (self->rdma)
		EXPECT_EQ(0, rsk_counter("mc_groups"));
}

/* A socket bound to @where (port @port; 0: any), SO_REUSEADDR on. */
static int mc_receiver(FIXTURE_DATA(dg) *self,
		       const struct sockaddr_storage *where, uint16_t *port)
{
	struct sockaddr_storage ss = *where;
	socklen_t len = sizeof(ss);
	int fd = dsock(self);

	if (fd < 0)
		return -1;
	set_port(&ss, *port);
	if (set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) ||
	    bind(fd, SA(&ss), self->alen) ||
	    getsockname(fd, SA(&ss), &len)) {
		close(fd);
		return -1;
	}
	*port = port_of(&ss);
	return fd;
}

/*
 * Group members on this host: every member hears each datagram once,
 * fragmented ones too, with the sender's address; a socket bound to the
 * host's own address does not; IP_MULTICAST_LOOP off keeps them from the
 * sender's host; after the last member leaves, or closes while joined,
 * nobody hears the group.
 */
TEST_F(dg, mc_members_on_this_host)
{
	const char *addr = rsk_env("RSK_ADDR", "127.0.0.1");
	size_t sizes[] = { 1, 1000, 3000 };
	struct sockaddr_storage grp, at_s;
	socklen_t len = sizeof(at_s);
	struct in_addr ia;
	uint16_t port = 0;
	int s, r1, r2, r3, i;

	ASSERT_EQ(1, inet_pton(AF_INET, addr, &ia));
	r1 = mc_receiver(self, &self->any, &port);
	ASSERT_LE(0, r1);
	r2 = mc_receiver(self, &self->any, &port);
	ASSERT_LE(0, r2);
	r3 = mc_receiver(self, &self->local, &port);
	ASSERT_LE(0, r3);
	s = dsock(self);
	ASSERT_LE(0, s);
	at_s = self->local;
	ASSERT_EQ(0, bind(s, SA(&at_s), self->alen));
	ASSERT_EQ(0, getsockname(s, SA(&at_s), &len));
	ASSERT_EQ(0, setsockopt(s, SOL_IP, IP_MULTICAST_IF, &ia, sizeof(ia)));
	ASSERT_EQ(0, addr_v4(GROUP4, self->v6, &grp));
	set_port(&grp, port);
	ASSERT_EQ(0, mc_member(r1, IP_ADD_MEMBERSHIP, GROUP4, addr))
		TH_LOG("join: %s", strerror(errno));
	ASSERT_EQ(0, mc_member(r2, IP_ADD_MEMBERSHIP, GROUP4, addr));
	if (self->rdma)
		EXPECT_EQ(1, rsk_counter("mc_groups"));
	for (i = 0; i < (int)ARRAY_SIZE(sizes); i++) {
		ASSERT_EQ(0, send_pattern(s, &grp, self->alen, sizes[i], 50 + i))
			TH_LOG("send %zu: %s", sizes[i], strerror(errno));
		recv_pattern(_metadata, r1, sizes[i], 50 + i, &at_s);
		recv_pattern(_metadata, r2, sizes[i], 50 + i, &at_s);
	}
	EXPECT_TRUE(quiet(r1, 300));
	EXPECT_TRUE(quiet(r2, 300));
	EXPECT_TRUE(quiet(r3, 300));
	/*
	 * Loop off: not to the sender's own host.  An IPv6 socket follows
	 * IPV6_MULTICAST_LOOP, for IPv4-mapped groups too: UDP's rule.
	 */
	ASSERT_EQ(0, set_int(s, self->v6 ? SOL_IPV6 : SOL_IP,
			     self->v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP,
			     0));
	ASSERT_EQ(0, send_pattern(s, &grp, self->alen, 100, 60));
	EXPECT_TRUE(quiet(r1, 1000));
	ASSERT_EQ(0, set_int(s, self->v6 ? SOL_IPV6 : SOL_IP,
			     self->v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP,
			     1));
	/*
	 * r2 leaves; the host is still a member (r1), which hears.  Whether
	 * r2, still bound to the port, hears too is IP_MULTICAST_ALL's
	 * business, where Linux's IPv4 and IPv6 sockets differ: not tested.
	 */
	ASSERT_EQ(0, mc_member(r2, IP_DROP_MEMBERSHIP, GROUP4, addr));
	ASSERT_EQ(0, send_pattern(s, &grp, self->alen, 100, 61));
	recv_pattern(_metadata, r1, 100, 61, &at_s);
	quiet(r2, 300);
	while (recv(r2, &i, sizeof(i), MSG_DONTWAIT) >= 0)
		;
	/* r1 closes while joined: the host is a member no more. */
	close(r1);
	if (self->rdma)
		EXPECT_EQ(0, rsk_counter("mc_groups"));
	ASSERT_EQ(0, send_pattern(s, &grp, self->alen, 100, 62));
	EXPECT_TRUE(quiet(r2, 1000));
	/* Joined again, then left: nothing either. */
	ASSERT_EQ(0, mc_member(r2, IP_ADD_MEMBERSHIP, GROUP4, addr));
	ASSERT_EQ(0, mc_member(r2, IP_DROP_MEMBERSHIP, GROUP4, addr));
	ASSERT_EQ(0, send_pattern(s, &grp, self->alen, 100, 63));
	EXPECT_TRUE(quiet(r2, 1000));
	EXPECT_TRUE(quiet(r3, 10));
	close(s);
	close(r2);
	close(r3);
}

/* A socket bound to the group's address hears that group only. */
TEST_F(dg, mc_bound_to_group)
{
	const char *addr = rsk_env("RSK_ADDR", "127.0.0.1");
	struct sockaddr_storage g1, g2;
	struct in_addr ia;
	uint16_t port = 0;
	int s, r1, r2;

	ASSERT_EQ(1, inet_pton(AF_INET, addr, &ia));
	ASSERT_EQ(0, addr_v4(GROUP4, self->v6, &g1));
	ASSERT_EQ(0, addr_v4(OTHER_GROUP4, self->v6, &g2));
	r1 = mc_receiver(self, &g1, &port);
	ASSERT_LE(0, r1);
	r2 = mc_receiver(self, &g2, &port);
	ASSERT_LE(0, r2);
	set_port(&g1, port);
	set_port(&g2, port);
	ASSERT_EQ(0, mc_member(r1, IP_ADD_MEMBERSHIP, GROUP4, addr));
	ASSERT_EQ(0, mc_member(r2, IP_ADD_MEMBERSHIP, OTHER_GROUP4, addr));
	s = dsock(self);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, setsockopt(s, SOL_IP, IP_MULTICAST_IF, &ia, sizeof(ia)));
	ASSERT_EQ(0, send_pattern(s, &g1, self->alen, 64, 70));
	ASSERT_EQ(0, send_pattern(s, &g2, self->alen, 64, 71));
	recv_pattern(_metadata, r1, 64, 70, NULL);
	recv_pattern(_metadata, r2, 64, 71, NULL);
	EXPECT_TRUE(quiet(r1, 300));
	EXPECT_TRUE(quiet(r2, 300));
	close(s);
	close(r1);
	close(r2);
	if (self->rdma)
		EXPECT_EQ(0, rsk_counter("mc_groups"));
}

/*
 * IPv6 groups, with IPv6 addresses (RSK_ADDR6 on RSK_NETDEV): join by
 * interface index, send with IPV6_MULTICAST_IF, leave.  Variants udp6n
 * and rdma6n ("native", as in rdma_sock_stream).
 */
FIXTURE(dg6) {
	int domain;
};

FIXTURE_VARIANT(dg6) {
	bool rdma;
};

FIXTURE_VARIANT_ADD(dg6, udp6n) { .rdma = false };
FIXTURE_VARIANT_ADD(dg6, rdma6n) { .rdma = true };

FIXTURE_SETUP(dg6)
{
	self->domain = rsk_domain(variant->rdma, AF_INET6);
}

FIXTURE_TEARDOWN(dg6)
{
}

TEST_F(dg6, mc_ipv6)
{
	const char *addr6 = rsk_env("RSK_ADDR6", "::1");
	const char *netdev = rsk_env("RSK_NETDEV", "lo");
	struct sockaddr_in6 any = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 src = any, grp = any, got;
	struct ipv6_mreq m = {};
	socklen_t len = sizeof(got);
	char buf[64];
	int r, s;

	ASSERT_EQ(1, inet_pton(AF_INET6, addr6, &src.sin6_addr));
	ASSERT_EQ(1, inet_pton(AF_INET6, "ff0e::7:1", &grp.sin6_addr));
	m.ipv6mr_multiaddr = grp.sin6_addr;
	m.ipv6mr_interface = if_nametoindex(netdev);
	ASSERT_NE(0U, m.ipv6mr_interface) TH_LOG("no interface %s", netdev);
	r = socket(self->domain, SOCK_DGRAM, 0);
	s = socket(self->domain, SOCK_DGRAM, 0);
	ASSERT_LE(0, r);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, set_timeo(r, SO_RCVTIMEO, 10000));
	ASSERT_EQ(0, bind(r, SA(&any), sizeof(any)));
	ASSERT_EQ(0, getsockname(r, SA(&got), &len));
	grp.sin6_port = got.sin6_port;
	ASSERT_EQ(0, bind(s, SA(&src), sizeof(src))) TH_LOG("%s", addr6);
	ASSERT_EQ(0, set_int(s, SOL_IPV6, IPV6_MULTICAST_IF,
			     m.ipv6mr_interface));
	EXPECT_EQ((int)m.ipv6mr_interface,
		  get_int(s, SOL_IPV6, IPV6_MULTICAST_IF));
	EXPECT_EQ(-1, set_int(s, SOL_IPV6, IPV6_MULTICAST_LOOP, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_int(s, SOL_IPV6, IPV6_MULTICAST_HOPS, 256));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, setsockopt(r, SOL_IPV6, IPV6_ADD_MEMBERSHIP, &m, sizeof(m)))
		TH_LOG("join: %s", strerror(errno));
	EXPECT_EQ(-1, setsockopt(r, SOL_IPV6, IPV6_ADD_MEMBERSHIP, &m,
				 sizeof(m)));
	EXPECT_EQ(EADDRINUSE, errno);
	ASSERT_EQ(5, sendto(s, "hello", 5, 0, SA(&grp), sizeof(grp)))
		TH_LOG("send: %s", strerror(errno));
	len = sizeof(got);
	ASSERT_EQ(5, recvfrom(r, buf, sizeof(buf), 0, SA(&got), &len))
		TH_LOG("recv: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(0, memcmp(&got.sin6_addr, &src.sin6_addr, 16));
	/* Index 0 leaves the group on any interface. */
	m.ipv6mr_interface = 0;
	EXPECT_EQ(-1, setsockopt(r, SOL_IPV6, IPV6_ADD_MEMBERSHIP, &m,
				 sizeof(m)));
	EXPECT_EQ(EADDRINUSE, errno);
	ASSERT_EQ(0, setsockopt(r, SOL_IPV6, IPV6_DROP_MEMBERSHIP, &m,
				sizeof(m)));
	EXPECT_EQ(-1, setsockopt(r, SOL_IPV6, IPV6_DROP_MEMBERSHIP, &m,
				 sizeof(m)));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	ASSERT_EQ(5, sendto(s, "again", 5, 0, SA(&grp), sizeof(grp)));
	EXPECT_TRUE(quiet(r, 1000));
	close(r);
	close(s);
	if (self->domain != AF_INET6)
		EXPECT_EQ(0, rsk_counter("mc_groups"));
}

TEST_F(dg6, loopback6)
{
	const char *addr6 = rsk_env("RSK_ADDR6", "::1");
	struct sockaddr_in6 lo = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 any = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 other = { .sin6_family = AF_INET6 };
	struct sockaddr_storage los = {}, anys = {}, others = {};

	lo.sin6_addr = in6addr_loopback;
	ASSERT_EQ(1, inet_pton(AF_INET6, addr6, &other.sin6_addr));
	memcpy(&los, &lo, sizeof(lo));
	memcpy(&anys, &any, sizeof(any));
	memcpy(&others, &other, sizeof(other));
	loopback_cases(_metadata, self->domain, &los, &anys, &others,
		       sizeof(lo), self->domain != AF_INET6);
}

/*
 * IPV6_V6ONLY as UDP's: a socket on the IPv6 wildcard with it leaves the
 * port's IPv4 side to a socket on 0.0.0.0, and each hears its own
 * family's datagrams; it cannot send to an IPv4-mapped address.
 */
TEST_F(dg6, ipv6_v6only)
{
	const char *addr4 = rsk_env("RSK_ADDR", "127.0.0.1");
	const char *addr6 = rsk_env("RSK_ADDR6", "::1");
	int d4 = rsk_domain(variant->rdma, AF_INET);
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6 };
	struct sockaddr_storage any4, to4, to6, mapped;
	socklen_t len4 = sizeof(struct sockaddr_in), len6;
	int r6, r4, s4, s6;
	uint16_t port;

	r6 = socket_bounded(self->domain, SOCK_DGRAM, 10000);
	r4 = socket_bounded(d4, SOCK_DGRAM, 10000);
	s4 = socket_bounded(d4, SOCK_DGRAM, 10000);
	s6 = socket_bounded(self->domain, SOCK_DGRAM, 10000);
	ASSERT_LE(0, r6);
	ASSERT_LE(0, r4);
	ASSERT_LE(0, s4);
	ASSERT_LE(0, s6);
	EXPECT_EQ(0, get_int(r6, SOL_IPV6, IPV6_V6ONLY));
	ASSERT_EQ(0, set_int(r6, SOL_IPV6, IPV6_V6ONLY, 1));
	ASSERT_EQ(0, bind(r6, SA(&any6), sizeof(any6)));
	EXPECT_EQ(-1, set_int(r6, SOL_IPV6, IPV6_V6ONLY, 0));
	EXPECT_EQ(EINVAL, errno);
	port = port_of_fd(r6);
	ASSERT_EQ(0, addr_v4("0.0.0.0", false, &any4));
	set_port(&any4, port);
	ASSERT_EQ(0, bind(r4, SA(&any4), len4)) TH_LOG("%s", strerror(errno));

	ASSERT_EQ(0, addr_v4(addr4, false, &to4));
	set_port(&to4, port);
	ASSERT_EQ(0, send_pattern(s4, &to4, len4, 100, 31));
	recv_pattern(_metadata, r4, 100, 31, NULL);
	EXPECT_EQ(0, poll1(r6, POLLIN, QUIET_MS));
	len6 = addr_parse(addr6, port, &to6);
	ASSERT_NE(0U, len6);
	ASSERT_EQ(0, send_pattern(s6, &to6, len6, 200, 32));
	recv_pattern(_metadata, r6, 200, 32, NULL);
	EXPECT_EQ(0, poll1(r4, POLLIN, QUIET_MS));

	ASSERT_EQ(0, addr_v4(addr4, true, &mapped));
	set_port(&mapped, port);
	EXPECT_EQ(-1, sendto(r6, "x", 1, 0, SA(&mapped), sizeof(any6)));
	EXPECT_EQ(ENETUNREACH, errno);
	close(r6);
	close(r4);
	close(s4);
	close(s6);
}

TEST_HARNESS_MAIN
