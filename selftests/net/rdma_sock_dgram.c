// SPDX-License-Identifier: GPL-2.0
/*
 * Datagram sockets, the socket side: bind, connect, names, shutdown,
 * poll, ioctl and an empty receive queue behave as UDP's.  Every case
 * runs against UDP (variants udp, udp6) and against AF_RDMA_DGRAM (rdma,
 * rdma6), the rdma6 variants with IPv4-mapped addresses, so that UDP on
 * the host checks the test itself.  Sending over UD is the transport's
 * work: until it exists a send fails with EOPNOTSUPP (send_not_yet).
 *
 * RSK_ADDR (default 127.0.0.1) is a local address; in the test guests it
 * is the address of the rxe device's netdev.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "rsk_selftest.h"
#include "rsk_stream_util.h"

/* As in rdma_sock_stream.c: the harness's setjmp, not ours. */
#pragma GCC diagnostic ignored "-Wclobbered"

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

/* An IPv4 address as the variant's sockaddr (mapped for v6), port 0. */
static int v4_addr(bool v6, const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (void *)ss;
	struct sockaddr_in *sin = (void *)ss;
	struct in_addr a4;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &a4) != 1)
		return -1;
	if (!v6) {
		sin->sin_family = AF_INET;
		sin->sin_addr = a4;
		return 0;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr.s6_addr[10] = 0xff;
	sin6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&sin6->sin6_addr.s6_addr[12], &a4, 4);
	return 0;
}

FIXTURE_SETUP(dg)
{
	self->rdma = variant->rdma;
	self->v6 = variant->v6;
	self->domain = variant->rdma ? rsk_family() :
				       (variant->v6 ? AF_INET6 : AF_INET);
	self->alen = variant->v6 ? sizeof(struct sockaddr_in6) :
				   sizeof(struct sockaddr_in);
	ASSERT_EQ(0, v4_addr(self->v6, rsk_env("RSK_ADDR", "127.0.0.1"),
			     &self->local));
	if (self->v6) {
		memset(&self->any, 0, sizeof(self->any));
		self->any.ss_family = AF_INET6;
	} else {
		ASSERT_EQ(0, v4_addr(false, "0.0.0.0", &self->any));
	}
}

FIXTURE_TEARDOWN(dg)
{
}

static int dsock(const FIXTURE_DATA(dg) *self)
{
	int fd = socket(self->domain, SOCK_DGRAM, 0);

	if (fd >= 0 && (set_timeo(fd, SO_RCVTIMEO, 10000) ||
			set_timeo(fd, SO_SNDTIMEO, 10000))) {
		close(fd);
		return -1;
	}
	return fd;
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
	ASSERT_EQ(0, v4_addr(self->v6, "192.0.2.77", &ss));
	EXPECT_EQ(-1, bind(a, SA(&ss), self->alen));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	ASSERT_EQ(0, v4_addr(self->v6, "239.1.2.3", &ss));
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
	ASSERT_EQ(0, v4_addr(self->v6, rsk_env("RSK_NOROUTE_ADDR",
						 "198.51.100.1"), &to));
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

/* The UD transport is not there yet: sending says so, and only that. */
TEST_F(dg, send_not_yet)
{
	struct sockaddr_storage to = self->local;
	char buf[4] = "x";
	int fd = dsock(self);

	if (!self->rdma)
		SKIP(close(fd); return, "UDP sends; only rdma waits for UD");
	ASSERT_LE(0, fd);
	set_port(&to, 9);
	EXPECT_EQ(-1, sendto(fd, buf, 1, 0, SA(&to), self->alen));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);
}

TEST_HARNESS_MAIN
