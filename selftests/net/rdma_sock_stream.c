// SPDX-License-Identifier: GPL-2.0
/*
 * Stream sockets measured against TCP.  Every test runs on a TCP socket
 * (the reference, which must pass anywhere) and on an rdma_sock socket
 * with the same addresses: the two must give the same results and the
 * same errnos, except where a comment says why not.
 *
 * Fixture "addr" (variants tcp, rdma, tcp6, rdma6, tcp6n, rdma6n) is
 * about addressing: bind, listen, accept, connect and the names.  The "6"
 * variants use sockaddr_in6 with the IPv4-mapped form (::ffff:a.b.c.d) of
 * the address, the "6n" ones a native IPv6 address; tcp6 and tcp6n open
 * AF_INET6 sockets, the rdma ones the rdma family as always.  Fixture
 * "stream" (variants tcp, rdma) is about moving data.
 *
 * Server and client are in the test process.  Environment:
 *
 *   RSK_ADDR       the local address (default 127.0.0.1);
 *   RSK_PEER_ADDR  the address clients connect to and listeners bind
 *                  (default RSK_ADDR).  It must be an address of this
 *                  host too; when it differs from RSK_ADDR, clients bind
 *                  RSK_ADDR (port 0) before they connect;
 *   RSK_ADDR6, RSK_PEER_ADDR6  the same, native IPv6, for the "6n"
 *                  variants (default ::1);
 *   RSK_SCALE      "small" divides the sizes of the bulk tests by 16 (a
 *                  number divides them by that number).
 *
 * Every blocking call is bounded by SO_RCVTIMEO/SO_SNDTIMEO or a poll
 * timeout, and every test by the harness's timeout.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <linux/tcp.h>	/* struct tcp_info as the kernel has it */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "rsk_selftest.h"

/* <linux/tcp.h> has the kernel's struct tcp_info but not what glibc adds. */
#ifndef SOL_TCP
#define SOL_TCP		IPPROTO_TCP
#endif
#define TCP_ESTABLISHED	1	/* include/net/tcp_states.h */
#define TCP_LISTEN	10

/* SA, KiB, MiB, QUIET_MS and CHUNK come from rsk_selftest.h. */
#define TIMEO_MS	10000	/* SO_RCVTIMEO/SO_SNDTIMEO of every socket */
#define WAIT_MS		5000	/* waiting for something that must happen */

struct ctx {
	bool rdma;
	bool v6;
	int domain;			/* socket()'s first argument */
	int family;			/* of the sockaddrs: AF_INET/AF_INET6 */
	socklen_t alen;			/* their length */
	struct sockaddr_storage srv;	/* listeners bind this, port 0 */
	struct sockaddr_storage cli;	/* clients bind this when bind_cli */
	bool bind_cli;
	bool to_self;			/* RSK_ADDR == RSK_PEER_ADDR */
	bool native6;			/* a native IPv6 address */
	const char *peer_text;		/* RSK_PEER_ADDR(6) as given */
	unsigned long div;		/* RSK_SCALE */
};

/*
 * Time, the data pattern and CRC32, addresses, socket basics and the
 * bulk-transfer threads (struct xfer) are in the helper library
 * (rsk_selftest.h), shared with the other tests.
 */

/* ---- addresses and sockets of the context ---- */

/* An IPv4 address as the context's sockaddr (mapped for v6); port 0. */
static int make_addr(const struct ctx *c, const char *text,
		     struct sockaddr_storage *ss)
{
	/* A native IPv6 address (RSK_ADDR6). */
	if (c->v6 && strchr(text, ':'))
		return addr_parse(text, 0, ss) ? 0 : -1;
	return addr_v4(text, c->v6, ss);
}

/* A stream socket of the variant, every blocking call on it bounded. */
#define SOCK_NEW(c) ({							\
	int __fd = socket_bounded((c)->domain, SOCK_STREAM, TIMEO_MS);	\
	ASSERT_LE(0, __fd) TH_LOG("socket(%d): %s", (c)->domain,	\
				  strerror(errno));			\
	__fd;								\
})

/* getsockname() or getpeername(), checked to be a whole sockaddr of ours. */
static void name_of(struct __test_metadata *_metadata, const struct ctx *c,
		    int fd, bool peer, struct sockaddr_storage *ss)
{
	sock_name(_metadata, fd, peer, c->alen, c->family, ss);
}

/* A listener on the server address and an ephemeral port, and where it is. */
static int listener(struct __test_metadata *_metadata, const struct ctx *c,
		    int backlog, struct sockaddr_storage *at)
{
	struct sockaddr_storage ss = c->srv;
	int fd = SOCK_NEW(c);

	ASSERT_EQ(0, bind(fd, SA(&ss), c->alen))
		TH_LOG("bind %s: %s", addr_str(&ss), strerror(errno));
	ASSERT_EQ(0, listen(fd, backlog)) TH_LOG("listen: %s", strerror(errno));
	name_of(_metadata, c, fd, false, at);
	return fd;
}

/* A new client socket, bound to the client address if it needs to be. */
static int client_sock(struct __test_metadata *_metadata, const struct ctx *c)
{
	struct sockaddr_storage ss = c->cli;
	int fd = SOCK_NEW(c);

	if (c->bind_cli) {
		ASSERT_EQ(0, bind(fd, SA(&ss), c->alen))
			TH_LOG("bind %s: %s", addr_str(&ss), strerror(errno));
	}
	return fd;
}

/* A client, connected by a blocking connect() to the address given. */
static int dial(struct __test_metadata *_metadata, const struct ctx *c,
		const struct sockaddr_storage *to)
{
	int fd = client_sock(_metadata, c);

	ASSERT_EQ(0, connect(fd, (const struct sockaddr *)to, c->alen))
		TH_LOG("connect %s: %s", addr_str(to), strerror(errno));
	return fd;
}

static int accept_one(struct __test_metadata *_metadata, int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	ASSERT_LE(0, fd) TH_LOG("accept: %s", strerror(errno));
	return fd;
}

/* A connected pair: *cfd connected, *sfd accepted; the listener is closed. */
static void mkpair(struct __test_metadata *_metadata, const struct ctx *c,
		   int *cfd, int *sfd)
{
	struct sockaddr_storage at;
	int lfd = listener(_metadata, c, 4, &at);

	*cfd = dial(_metadata, c, &at);
	*sfd = accept_one(_metadata, lfd);
	close(lfd);
}

/* A port on the server address that nothing uses right now. */
static uint16_t free_port(struct __test_metadata *_metadata, const struct ctx *c)
{
	struct sockaddr_storage ss = c->srv;
	int fd = SOCK_NEW(c);

	ASSERT_EQ(0, bind(fd, SA(&ss), c->alen))
		TH_LOG("bind %s: %s", addr_str(&ss), strerror(errno));
	name_of(_metadata, c, fd, false, &ss);
	close(fd);
	return port_of(&ss);
}

/* ---- queues, draining, SIGPIPE ---- */

static int inq(int fd)
{
	int n = -1;

	if (ioctl(fd, SIOCINQ, &n))
		return -1;
	return n;
}

static int outq(int fd)
{
	int n = -1;

	if (ioctl(fd, SIOCOUTQ, &n))
		return -1;
	return n;
}

/* Waits up to ms for at least n bytes to be queued for reading; how many. */
static int wait_inq(int fd, int n, int ms)
{
	int q;

	WAIT_UNTIL((q = inq(fd)) < 0 || q >= n, ms, 1);
	return q;
}

/* Reads what is there until nothing more comes for ms; how much, or -1. */
static int64_t drain(int fd, int ms)
{
	static char buf[CHUNK];
	int64_t total = 0;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			total += n;
			continue;
		}
		if (n == 0 || errno != EAGAIN)
			return n ? -1 : total;
		if (poll1(fd, POLLIN, ms) <= 0)
			return total;
	}
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	sigpipes++;
}

static void count_sigpipe(void)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	sigpipes = 0;
}

/* Sends a byte every 10 ms until one fails; its errno, or 0 after ms. */
static int send_until_error(int fd, int flags, int ms)
{
	double end = now_ms() + ms;

	while (now_ms() < end) {
		if (send(fd, "x", 1, flags) < 0)
			return errno;
		sleep_ms(10);
	}
	return 0;
}

/* ---- threads: delayed senders ---- */

/* Sends pieces of a buffer, delay_ms apart, then maybe shuts down. */
struct later {
	int fd;
	int delay_ms;
	int pieces;
	size_t len;		/* of each piece */
	const char *buf;	/* pieces * len bytes */
	int how;		/* shutdown() after the last piece, or -1 */
	int err;
	pthread_t th;
};

static void *later_fn(void *arg)
{
	struct later *l = arg;
	int i;

	for (i = 0; i < l->pieces; i++) {
		sleep_ms(l->delay_ms);
		if (send_all(l->fd, l->buf + i * l->len, l->len, 0) !=
		    (ssize_t)l->len) {
			l->err = errno;
			return NULL;
		}
	}
	if (l->how >= 0) {
		sleep_ms(l->delay_ms);
		if (shutdown(l->fd, l->how))
			l->err = errno;
	}
	return NULL;
}

/* ---- set-up ---- */

static void ctx_setup(struct __test_metadata *_metadata, struct ctx *c,
		      bool rdma, bool v6, bool native6)
{
	const char *addr = native6 ? rsk_env("RSK_ADDR6", "::1") :
				     rsk_env("RSK_ADDR", "127.0.0.1");
	const char *peer = native6 ? rsk_env("RSK_PEER_ADDR6", addr) :
				     rsk_env("RSK_PEER_ADDR", addr);
	int fd;

	xfer_setup(_metadata);

	memset(c, 0, sizeof(*c));
	c->rdma = rdma;
	c->v6 = v6;
	c->native6 = native6;
	c->peer_text = peer;
	c->family = v6 ? AF_INET6 : AF_INET;
	c->alen = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	c->domain = rsk_domain(rdma, c->family);
	ASSERT_EQ(0, make_addr(c, peer, &c->srv))
		TH_LOG("peer address %s does not parse", peer);
	ASSERT_EQ(0, make_addr(c, addr, &c->cli))
		TH_LOG("address %s does not parse", addr);
	c->to_self = addr_eq(&c->srv, &c->cli);
	c->bind_cli = !c->to_self;
	c->div = rsk_scale_div();

	fd = socket(c->domain, SOCK_STREAM, 0);
	if (fd < 0 && !rdma && errno == EAFNOSUPPORT)
		SKIP(return, "no IPv6 here");
	ASSERT_LE(0, fd) TH_LOG("socket(%d, SOCK_STREAM): %s", c->domain,
				strerror(errno));
	close(fd);
}

/* ======================================================================
 * addr: bind, listen, accept, connect, names
 * ======================================================================
 */

FIXTURE(addr) {
	struct ctx c;
};

FIXTURE_VARIANT(addr) {
	bool rdma;
	bool v6;
	bool native6;	/* RSK_ADDR6, not the IPv4-mapped RSK_ADDR */
};

FIXTURE_VARIANT_ADD(addr, tcp) { .rdma = false, .v6 = false };
FIXTURE_VARIANT_ADD(addr, rdma) { .rdma = true, .v6 = false };
FIXTURE_VARIANT_ADD(addr, tcp6) { .rdma = false, .v6 = true };
FIXTURE_VARIANT_ADD(addr, rdma6) { .rdma = true, .v6 = true };
FIXTURE_VARIANT_ADD(addr, tcp6n) {
	.rdma = false, .v6 = true, .native6 = true
};
FIXTURE_VARIANT_ADD(addr, rdma6n) {
	.rdma = true, .v6 = true, .native6 = true
};

FIXTURE_SETUP(addr)
{
	ctx_setup(_metadata, &self->c, variant->rdma, variant->v6,
		  variant->native6);
}

FIXTURE_TEARDOWN(addr)
{
}

/* bind() to a given port: the name says so, and it listens there. */
TEST_F(addr, bind_explicit_port)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage ss = c->srv, got;
	int fd, cfd, sfd;

	set_port(&ss, free_port(_metadata, c));
	fd = SOCK_NEW(c);
	ASSERT_EQ(0, bind(fd, SA(&ss), c->alen))
		TH_LOG("bind %s: %s", addr_str(&ss), strerror(errno));
	name_of(_metadata, c, fd, false, &got);
	EXPECT_TRUE(addr_eq(&ss, &got))
		TH_LOG("bound %s, named %s", addr_str(&ss), addr_str(&got));
	ASSERT_EQ(0, listen(fd, 1));
	cfd = dial(_metadata, c, &ss);
	sfd = accept_one(_metadata, fd);
	name_of(_metadata, c, sfd, false, &got);
	EXPECT_TRUE(addr_eq(&ss, &got));
	close(sfd);
	close(cfd);
	close(fd);
}

/* Port 0 picks a free port from ip_local_port_range; a different one each time. */
TEST_F(addr, bind_port_zero)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage ss = c->srv, a, b;
	int fa = SOCK_NEW(c), fb = SOCK_NEW(c);
	int lo = 1, hi = 65535;
	FILE *f;

	f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	if (f) {
		if (fscanf(f, "%d %d", &lo, &hi) != 2) {
			lo = 1;
			hi = 65535;
		}
		fclose(f);
	}
	ASSERT_EQ(0, bind(fa, SA(&ss), c->alen)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, bind(fb, SA(&ss), c->alen)) TH_LOG("%s", strerror(errno));
	name_of(_metadata, c, fa, false, &a);
	name_of(_metadata, c, fb, false, &b);
	EXPECT_NE(0, port_of(&a));
	EXPECT_NE(port_of(&a), port_of(&b));
	EXPECT_LE(lo, port_of(&a));
	EXPECT_GE(hi, port_of(&a));
	EXPECT_LE(lo, port_of(&b));
	EXPECT_GE(hi, port_of(&b));
	/* The address stays the one bound. */
	set_port(&a, 0);
	EXPECT_TRUE(addr_eq(&ss, &a)) TH_LOG("named %s", addr_str(&a));
	close(fa);
	close(fb);
}

/* A port in use, bound or listening, is EADDRINUSE to a second bind. */
TEST_F(addr, bind_eaddrinuse)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage ss = c->srv;
	int a = SOCK_NEW(c), b = SOCK_NEW(c), d = SOCK_NEW(c);

	ASSERT_EQ(0, bind(a, SA(&ss), c->alen));
	name_of(_metadata, c, a, false, &ss);
	EXPECT_EQ(-1, bind(b, SA(&ss), c->alen));
	EXPECT_EQ(EADDRINUSE, errno);

	ASSERT_EQ(0, listen(a, 1));
	EXPECT_EQ(-1, bind(b, SA(&ss), c->alen));
	EXPECT_EQ(EADDRINUSE, errno);

	/* SO_REUSEADDR does not share a port with a listener. */
	ASSERT_EQ(0, set_int(d, SOL_SOCKET, SO_REUSEADDR, 1));
	EXPECT_EQ(-1, bind(d, SA(&ss), c->alen));
	EXPECT_EQ(EADDRINUSE, errno);

	/* A failed bind leaves the socket unbound: it can bind elsewhere. */
	set_port(&ss, 0);
	EXPECT_EQ(0, bind(b, SA(&ss), c->alen)) TH_LOG("%s", strerror(errno));
	close(a);
	close(b);
	close(d);
}

/*
 * After a connection on a port has closed, with the server closing first
 * (so its end lingers in TIME_WAIT), a listener with SO_REUSEADDR binds
 * the port again and serves.
 */
TEST_F(addr, bind_reuseaddr)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at = c->srv;
	int lfd = SOCK_NEW(c), cfd, sfd, n1, n2, a, b;
	char ch;

	ASSERT_EQ(0, set_int(lfd, SOL_SOCKET, SO_REUSEADDR, 1));
	EXPECT_EQ(1, get_int(lfd, SOL_SOCKET, SO_REUSEADDR));
	ASSERT_EQ(0, bind(lfd, SA(&at), c->alen));
	ASSERT_EQ(0, listen(lfd, 1));
	name_of(_metadata, c, lfd, false, &at);
	cfd = dial(_metadata, c, &at);
	sfd = accept_one(_metadata, lfd);
	close(lfd);
	close(sfd);
	EXPECT_EQ(0, recv(cfd, &ch, 1, 0));	/* the server's FIN */
	close(cfd);
	sleep_ms(50);

	n1 = SOCK_NEW(c);
	n2 = SOCK_NEW(c);
	/*
	 * TCP: the server's end is in TIME_WAIT and holds the port against
	 * a bind without SO_REUSEADDR.  Whether rdma_sock keeps such a state
	 * is not specified, so only TCP is held to it.
	 */
	if (!c->rdma) {
		EXPECT_EQ(-1, bind(n1, SA(&at), c->alen));
		EXPECT_EQ(EADDRINUSE, errno);
	}
	ASSERT_EQ(0, set_int(n2, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, bind(n2, SA(&at), c->alen))
		TH_LOG("bind %s: %s", addr_str(&at), strerror(errno));
	ASSERT_EQ(0, listen(n2, 1));
	cfd = dial(_metadata, c, &at);
	sfd = accept_one(_metadata, n2);
	EXPECT_EQ(1, send(cfd, "r", 1, 0));
	EXPECT_EQ(1, recv(sfd, &ch, 1, 0));
	close(sfd);
	close(cfd);
	close(n2);
	close(n1);

	/* Two SO_REUSEADDR sockets share a port while neither listens. */
	a = SOCK_NEW(c);
	b = SOCK_NEW(c);
	ASSERT_EQ(0, set_int(a, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, set_int(b, SOL_SOCKET, SO_REUSEADDR, 1));
	set_port(&at, 0);
	ASSERT_EQ(0, bind(a, SA(&at), c->alen));
	name_of(_metadata, c, a, false, &at);
	EXPECT_EQ(0, bind(b, SA(&at), c->alen)) TH_LOG("%s", strerror(errno));
	/* but only one of them can listen there. */
	EXPECT_EQ(0, listen(a, 1));
	EXPECT_EQ(-1, listen(b, 1));
	EXPECT_EQ(EADDRINUSE, errno);
	close(a);
	close(b);
}

/* A bound socket cannot be bound again. */
TEST_F(addr, bind_twice)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage ss = c->srv, got;
	int fd = SOCK_NEW(c);

	ASSERT_EQ(0, bind(fd, SA(&ss), c->alen));
	EXPECT_EQ(-1, bind(fd, SA(&ss), c->alen));
	EXPECT_EQ(EINVAL, errno);
	name_of(_metadata, c, fd, false, &got);
	EXPECT_EQ(-1, bind(fd, SA(&got), c->alen));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* An address this host does not have: EADDRNOTAVAIL. */
TEST_F(addr, bind_nonlocal)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage ss;
	int fd = SOCK_NEW(c);

	if (!c->rdma && get_int(fd, SOL_IP, IP_FREEBIND) == 0 &&
	    read_long("/proc/sys/net/ipv4/ip_nonlocal_bind", 0))
		SKIP(goto out, "net.ipv4.ip_nonlocal_bind is set");
	ASSERT_EQ(0, make_addr(c, "192.0.2.1", &ss));	/* TEST-NET-1 */
	EXPECT_EQ(-1, bind(fd, SA(&ss), c->alen));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
out:
	close(fd);
}

/*
 * SO_REUSEPORT: TCP lets two sockets of one user listen on one port.
 * rdma_sock does not share ports between listeners; the socket layer
 * refuses the option for a family that is not inet (EOPNOTSUPP), so a
 * program learns it at setsockopt() time, and a second bind gets
 * EADDRINUSE.
 */
TEST_F(addr, bind_reuseport)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at = c->srv;
	int a = SOCK_NEW(c), b = SOCK_NEW(c), cfd, sfd, ret;
	struct pollfd pfd[2];

	if (c->rdma) {
		EXPECT_EQ(-1, set_int(a, SOL_SOCKET, SO_REUSEPORT, 1));
		EXPECT_EQ(EOPNOTSUPP, errno);
		EXPECT_EQ(0, get_int(a, SOL_SOCKET, SO_REUSEPORT));
	} else {
		ASSERT_EQ(0, set_int(a, SOL_SOCKET, SO_REUSEPORT, 1));
		ASSERT_EQ(0, set_int(b, SOL_SOCKET, SO_REUSEPORT, 1));
		EXPECT_EQ(1, get_int(a, SOL_SOCKET, SO_REUSEPORT));
		EXPECT_EQ(1, get_int(b, SOL_SOCKET, SO_REUSEPORT));
	}
	ASSERT_EQ(0, bind(a, SA(&at), c->alen));
	ASSERT_EQ(0, listen(a, 4));
	name_of(_metadata, c, a, false, &at);
	ret = bind(b, SA(&at), c->alen);
	if (c->rdma) {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EADDRINUSE, errno);
		goto out;
	}
	ASSERT_EQ(0, ret) TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, listen(b, 4));
	/* A connection lands on one of them. */
	cfd = dial(_metadata, c, &at);
	pfd[0] = (struct pollfd){ .fd = a, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = b, .events = POLLIN };
	ASSERT_EQ(1, poll(pfd, 2, WAIT_MS));
	sfd = accept_one(_metadata, pfd[0].revents ? a : b);
	close(sfd);
	close(cfd);
out:
	close(a);
	close(b);
}

/* listen, connect and accept: the FIFO order and every name. */
TEST_F(addr, listen_accept)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at, ss, cn, sn, sp;
	socklen_t len;
	int lfd = listener(_metadata, c, 8, &at);
	int cfd[4], sfd[4], i;
	char ch;

	for (i = 0; i < 3; i++)
		cfd[i] = dial(_metadata, c, &at);
	for (i = 0; i < 3; i++) {
		len = sizeof(ss);
		sfd[i] = accept(lfd, SA(&ss), &len);
		ASSERT_LE(0, sfd[i]) TH_LOG("accept: %s", strerror(errno));
		EXPECT_EQ(c->alen, len);
		name_of(_metadata, c, cfd[i], false, &cn);
		name_of(_metadata, c, sfd[i], false, &sn);
		name_of(_metadata, c, sfd[i], true, &sp);
		EXPECT_TRUE(addr_eq(&ss, &cn))
			TH_LOG("accept said %s, client %d is %s", addr_str(&ss),
			       i, addr_str(&cn));
		EXPECT_TRUE(addr_eq(&sp, &cn));
		EXPECT_TRUE(addr_eq(&sn, &at));
	}
	/* listen() again changes the backlog; on a connected socket: EINVAL. */
	EXPECT_EQ(0, listen(lfd, 16));
	EXPECT_EQ(-1, listen(cfd[0], 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, listen(sfd[0], 1));
	EXPECT_EQ(EINVAL, errno);

	/* accept() with no address wanted. */
	cfd[3] = dial(_metadata, c, &at);
	sfd[3] = accept(lfd, NULL, NULL);
	ASSERT_LE(0, sfd[3]) TH_LOG("accept: %s", strerror(errno));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(1, send(cfd[i], "a", 1, 0));
		EXPECT_EQ(1, recv(sfd[i], &ch, 1, 0));
		close(cfd[i]);
		close(sfd[i]);
	}
	close(lfd);
}

/* accept4() flags, and that accept() does not inherit the listener's. */
TEST_F(addr, accept4_flags)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at;
	int lfd = listener(_metadata, c, 4, &at), cfd[2], sfd;

	ASSERT_EQ(0, set_nonblock(lfd, true));
	cfd[0] = dial(_metadata, c, &at);
	ASSERT_EQ(POLLIN, poll1(lfd, POLLIN, WAIT_MS));
	sfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, sfd) TH_LOG("accept4: %s", strerror(errno));
	EXPECT_TRUE(fcntl(sfd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(sfd, F_GETFD) & FD_CLOEXEC);
	close(sfd);

	cfd[1] = dial(_metadata, c, &at);
	ASSERT_EQ(POLLIN, poll1(lfd, POLLIN, WAIT_MS));
	sfd = accept4(lfd, NULL, NULL, 0);
	ASSERT_LE(0, sfd) TH_LOG("accept4: %s", strerror(errno));
	EXPECT_FALSE(fcntl(sfd, F_GETFL) & O_NONBLOCK);
	EXPECT_FALSE(fcntl(sfd, F_GETFD) & FD_CLOEXEC);
	close(sfd);

	EXPECT_EQ(-1, accept4(lfd, NULL, NULL, 0x1));
	EXPECT_EQ(EINVAL, errno);
	close(cfd[0]);
	close(cfd[1]);
	close(lfd);
}

/* accept() on what does not listen: EINVAL. */
TEST_F(addr, accept_not_listening)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage ss = c->srv;
	int fd = SOCK_NEW(c), cfd, sfd;

	EXPECT_EQ(-1, accept(fd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, bind(fd, SA(&ss), c->alen));
	EXPECT_EQ(-1, accept(fd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(fd);

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(-1, accept(cfd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, accept(sfd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(cfd);
	close(sfd);
}

/* Nothing to accept: EAGAIN at once when nonblocking, after SO_RCVTIMEO if not. */
TEST_F(addr, accept_empty)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at;
	int lfd = listener(_metadata, c, 4, &at);
	double t0, ms;

	EXPECT_EQ(0, poll1(lfd, POLLIN | POLLOUT, 0));
	ASSERT_EQ(0, set_nonblock(lfd, true));
	EXPECT_EQ(-1, accept(lfd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, set_nonblock(lfd, false));
	ASSERT_EQ(0, set_timeo(lfd, SO_RCVTIMEO, 300));
	t0 = now_ms();
	EXPECT_EQ(-1, accept(lfd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	ms = now_ms() - t0;
	EXPECT_LE(250, ms);
	EXPECT_GE(3000, ms);
	/* SOCK_NONBLOCK is for the new socket: this accept4() waits too. */
	t0 = now_ms();
	EXPECT_EQ(-1, accept4(lfd, NULL, NULL, SOCK_NONBLOCK));
	EXPECT_EQ(EAGAIN, errno);
	ms = now_ms() - t0;
	EXPECT_LE(250, ms);
	EXPECT_GE(3000, ms);
	close(lfd);
}

/* shutdown() on a listener stops it: a blocked accept() wakes with EINVAL. */
struct acceptor {
	int lfd;
	int ret;
	int err;
	pthread_t th;
};

static void *acceptor_fn(void *arg)
{
	struct acceptor *a = arg;

	a->ret = accept(a->lfd, NULL, NULL);
	a->err = errno;
	return NULL;
}

TEST_F(addr, shutdown_listener)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at;
	struct acceptor a = { .ret = -2 };
	int fd;

	a.lfd = listener(_metadata, c, 4, &at);
	ASSERT_EQ(0, pthread_create(&a.th, NULL, acceptor_fn, &a));
	sleep_ms(QUIET_MS);
	EXPECT_EQ(0, shutdown(a.lfd, SHUT_WR));		/* does nothing */
	sleep_ms(50);
	EXPECT_EQ(-2, __atomic_load_n(&a.ret, __ATOMIC_SEQ_CST));
	EXPECT_EQ(0, shutdown(a.lfd, SHUT_RDWR));
	pthread_join(a.th, NULL);
	EXPECT_EQ(-1, a.ret);
	EXPECT_EQ(EINVAL, a.err);
	EXPECT_EQ(-1, accept(a.lfd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	fd = client_sock(_metadata, c);
	EXPECT_EQ(-1, connect(fd, SA(&at), c->alen));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(fd);
	close(a.lfd);
}

/* A blocking connect() returns connected; the peer names match. */
TEST_F(addr, connect_blocking)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at, cp;
	int lfd = listener(_metadata, c, 4, &at);
	int cfd = dial(_metadata, c, &at), sfd;
	char buf[8];

	name_of(_metadata, c, cfd, true, &cp);
	EXPECT_TRUE(addr_eq(&cp, &at)) TH_LOG("peer %s", addr_str(&cp));
	EXPECT_EQ(POLLOUT, poll1(cfd, POLLIN | POLLOUT, 0));
	EXPECT_EQ(0, so_error(cfd));
	sfd = accept_one(_metadata, lfd);
	EXPECT_EQ(5, send(cfd, "hello", 5, 0));
	EXPECT_EQ(5, recv_all(sfd, buf, 5));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(3, send(sfd, "olé", 3, 0));
	EXPECT_EQ(3, recv_all(cfd, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "olé", 3));
	close(cfd);
	close(sfd);
	close(lfd);
}

/* Nonblocking connect(): EINPROGRESS, then POLLOUT and SO_ERROR 0. */
TEST_F(addr, connect_nonblocking)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at, cp;
	int lfd = listener(_metadata, c, 4, &at);
	int fd = client_sock(_metadata, c), sfd, ev;

	ASSERT_EQ(0, set_nonblock(fd, true));
	/* Linux TCP returns EINPROGRESS even on loopback. */
	EXPECT_EQ(-1, connect(fd, SA(&at), c->alen));
	EXPECT_EQ(EINPROGRESS, errno);
	ev = poll1(fd, POLLOUT, WAIT_MS);
	EXPECT_EQ(POLLOUT, ev);
	EXPECT_EQ(0, so_error(fd));
	name_of(_metadata, c, fd, true, &cp);
	EXPECT_TRUE(addr_eq(&cp, &at));
	/*
	 * Connecting again is how a program may learn the outcome: the first
	 * connect() after completion returns 0 (and marks the socket
	 * connected), only later ones EISCONN.
	 */
	EXPECT_EQ(0, connect(fd, SA(&at), c->alen)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(-1, connect(fd, SA(&at), c->alen));
	EXPECT_EQ(EISCONN, errno);
	sfd = accept_one(_metadata, lfd);
	EXPECT_EQ(1, send(sfd, "n", 1, 0));
	EXPECT_EQ(POLLIN, poll1(fd, POLLIN, WAIT_MS));
	EXPECT_EQ(POLLIN | POLLOUT, poll1(fd, POLLIN | POLLOUT, 0));
	close(sfd);
	close(fd);
	close(lfd);
}

/* A port nobody listens on: ECONNREFUSED, directly or through SO_ERROR. */
TEST_F(addr, connect_refused)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at = c->srv;
	int hold = SOCK_NEW(c), fd, ev;

	/* A bound socket that does not listen keeps the port ours and shut. */
	ASSERT_EQ(0, bind(hold, SA(&at), c->alen));
	name_of(_metadata, c, hold, false, &at);

	fd = client_sock(_metadata, c);
	EXPECT_EQ(-1, connect(fd, SA(&at), c->alen));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(0, so_error(fd));
	/* A refused socket may try again. */
	EXPECT_EQ(-1, connect(fd, SA(&at), c->alen));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(fd);

	fd = client_sock(_metadata, c);
	ASSERT_EQ(0, set_nonblock(fd, true));
	EXPECT_EQ(-1, connect(fd, SA(&at), c->alen));
	EXPECT_EQ(EINPROGRESS, errno);
	ev = poll1(fd, POLLOUT, WAIT_MS);
	EXPECT_TRUE(ev & POLLERR) TH_LOG("revents 0x%x", ev);
	EXPECT_TRUE(ev & POLLHUP) TH_LOG("revents 0x%x", ev);
	EXPECT_EQ(ECONNREFUSED, so_error(fd));
	EXPECT_EQ(0, so_error(fd));
	close(fd);
	close(hold);
}

/* connect() on a connected, accepted or listening socket: EISCONN. */
TEST_F(addr, connect_eisconn)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at;
	int lfd = listener(_metadata, c, 4, &at);
	int cfd = dial(_metadata, c, &at), sfd = accept_one(_metadata, lfd);

	EXPECT_EQ(-1, connect(cfd, SA(&at), c->alen));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(-1, connect(sfd, SA(&at), c->alen));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(-1, connect(lfd, SA(&at), c->alen));
	EXPECT_EQ(EISCONN, errno);
	close(cfd);
	close(sfd);
	close(lfd);
}

/* getsockname() and getpeername(): crosswise equal; ENOTCONN unconnected. */
TEST_F(addr, getname)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at, cn, cp, sn, sp, ss;
	struct sockaddr_in6 *sin6 = (void *)&ss;
	struct sockaddr_in *sin = (void *)&ss;
	int lfd, cfd, sfd, fd = SOCK_NEW(c);
	socklen_t len = sizeof(ss);
	char small[4];

	EXPECT_EQ(-1, getpeername(fd, SA(&ss), &len));
	EXPECT_EQ(ENOTCONN, errno);
	/*
	 * An unbound TCP socket is named by its family's any address and
	 * port 0.  An rdma_sock socket has no address family until it is
	 * bound or connected, so only TCP is held to that.
	 */
	if (!c->rdma) {
		len = sizeof(ss);
		memset(&ss, 0xa5, sizeof(ss));
		ASSERT_EQ(0, getsockname(fd, SA(&ss), &len));
		ASSERT_EQ(c->alen, len);
		ASSERT_EQ(c->family, ss.ss_family);
		EXPECT_EQ(0, port_of(&ss));
		if (c->v6) {
			EXPECT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr));
		} else {
			EXPECT_EQ(htonl(INADDR_ANY), sin->sin_addr.s_addr);
		}
	}
	ss = c->srv;
	ASSERT_EQ(0, bind(fd, SA(&ss), c->alen));
	len = sizeof(ss);
	EXPECT_EQ(-1, getpeername(fd, SA(&ss), &len));
	EXPECT_EQ(ENOTCONN, errno);
	close(fd);

	lfd = listener(_metadata, c, 4, &at);
	len = sizeof(ss);
	EXPECT_EQ(-1, getpeername(lfd, SA(&ss), &len));
	EXPECT_EQ(ENOTCONN, errno);
	cfd = dial(_metadata, c, &at);
	sfd = accept_one(_metadata, lfd);
	name_of(_metadata, c, cfd, false, &cn);
	name_of(_metadata, c, cfd, true, &cp);
	name_of(_metadata, c, sfd, false, &sn);
	name_of(_metadata, c, sfd, true, &sp);
	EXPECT_TRUE(addr_eq(&cp, &at)) TH_LOG("%s", addr_str(&cp));
	EXPECT_TRUE(addr_eq(&sn, &at)) TH_LOG("%s", addr_str(&sn));
	EXPECT_TRUE(addr_eq(&sp, &cn))
		TH_LOG("%s vs %s", addr_str(&sp), addr_str(&cn));
	if (c->bind_cli) {
		ss = c->cli;
		set_port(&ss, port_of(&cn));
		EXPECT_TRUE(addr_eq(&ss, &cn)) TH_LOG("%s", addr_str(&cn));
	}
	if (c->v6) {
		sin6 = (void *)&cn;
		EXPECT_EQ(!c->native6, IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr));
		EXPECT_EQ(0U, sin6->sin6_scope_id);
		EXPECT_EQ(0U, sin6->sin6_flowinfo);
	}

	/* A short buffer gets the start of the name and the full length. */
	len = sizeof(small);
	ASSERT_EQ(0, getsockname(sfd, (struct sockaddr *)small, &len));
	EXPECT_EQ(c->alen, len);
	EXPECT_EQ(0, memcmp(small, &sn, sizeof(small)));
	len = sizeof(small);
	ASSERT_EQ(0, getpeername(sfd, (struct sockaddr *)small, &len));
	EXPECT_EQ(c->alen, len);
	EXPECT_EQ(0, memcmp(small, &sp, sizeof(small)));

	/* After the peer has gone the names stay until close. */
	close(cfd);
	EXPECT_EQ(0, recv(sfd, small, 1, 0));
	name_of(_metadata, c, sfd, false, &ss);
	EXPECT_TRUE(addr_eq(&ss, &sn));
	close(sfd);
	close(lfd);
}

/*
 * 127.0.0.1 (::ffff:127.0.0.1, ::1) reaches a wildcard listener of this
 * host, and both ends are named by the loopback address, as with TCP.
 * Over RoCE the link runs to the host's own RoCE address underneath.
 */
TEST_F(addr, connect_loopback)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage any, lo, at, cn, cp, sn, sp;
	int lfd, cfd, sfd;
	char buf[4];

	ASSERT_EQ(0, make_addr(c, c->native6 ? "::" : "0.0.0.0", &any));
	ASSERT_EQ(0, make_addr(c, c->native6 ? "::1" : "127.0.0.1", &lo));
	lfd = SOCK_NEW(c);
	ASSERT_EQ(0, bind(lfd, SA(&any), c->alen));
	ASSERT_EQ(0, listen(lfd, 4));
	name_of(_metadata, c, lfd, false, &at);
	set_port(&lo, port_of(&at));

	cfd = SOCK_NEW(c);
	ASSERT_EQ(0, connect(cfd, SA(&lo), c->alen))
		TH_LOG("connect %s: %s", addr_str(&lo), strerror(errno));
	sfd = accept_one(_metadata, lfd);
	name_of(_metadata, c, cfd, false, &cn);
	name_of(_metadata, c, cfd, true, &cp);
	name_of(_metadata, c, sfd, false, &sn);
	name_of(_metadata, c, sfd, true, &sp);
	EXPECT_TRUE(addr_eq(&cp, &lo)) TH_LOG("%s", addr_str(&cp));
	EXPECT_TRUE(addr_eq(&sn, &lo)) TH_LOG("%s", addr_str(&sn));
	EXPECT_TRUE(addr_eq(&sp, &cn))
		TH_LOG("%s vs %s", addr_str(&sp), addr_str(&cn));
	set_port(&cn, port_of(&lo));
	EXPECT_TRUE(addr_eq(&cn, &lo)) TH_LOG("client %s", addr_str(&cn));

	EXPECT_EQ(4, send(cfd, "ping", 4, 0));
	EXPECT_EQ(4, recv(sfd, buf, 4, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	EXPECT_EQ(4, send(sfd, "pong", 4, 0));
	EXPECT_EQ(4, recv(cfd, buf, 4, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
	close(cfd);
	close(sfd);
	close(lfd);
}

/* ======================================================================
 * stream: moving data
 * ======================================================================
 */

FIXTURE(stream) {
	struct ctx c;
};

FIXTURE_VARIANT(stream) {
	bool rdma;
};

FIXTURE_VARIANT_ADD(stream, tcp) { .rdma = false };
FIXTURE_VARIANT_ADD(stream, rdma) { .rdma = true };

FIXTURE_SETUP(stream)
{
	ctx_setup(_metadata, &self->c, variant->rdma, false, false);
}

FIXTURE_TEARDOWN(stream)
{
}

/* Every way to send and receive carries the bytes. */
TEST_F(stream, send_recv_calls)
{
	const struct ctx *c = &self->c;
	char out[2048], in[2048], name[128];
	struct iovec iov[3];
	struct msghdr msg;
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	pattern(out, sizeof(out), seed_of(1), 0);

	EXPECT_EQ(100, send(cfd, out, 100, 0));
	EXPECT_EQ(100, recv_all(sfd, in, 100));
	EXPECT_EQ(0, memcmp(in, out, 100));

	EXPECT_EQ(200, write(sfd, out, 200));
	ASSERT_EQ(200, wait_inq(cfd, 200, WAIT_MS));
	EXPECT_EQ(200, read(cfd, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(in, out, 200));

	iov[0] = (struct iovec){ out, 10 };
	iov[1] = (struct iovec){ out + 10, 1000 };
	iov[2] = (struct iovec){ out + 1010, 1 };
	EXPECT_EQ(1011, writev(cfd, iov, 3));
	ASSERT_EQ(1011, wait_inq(sfd, 1011, WAIT_MS));
	memset(in, 0, sizeof(in));
	iov[0] = (struct iovec){ in, 500 };
	iov[1] = (struct iovec){ in + 500, 1000 };
	EXPECT_EQ(1011, readv(sfd, iov, 2));
	EXPECT_EQ(0, memcmp(in, out, 1011));

	memset(&msg, 0, sizeof(msg));
	iov[0] = (struct iovec){ out, 700 };
	iov[1] = (struct iovec){ out + 700, 48 };
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	EXPECT_EQ(748, sendmsg(sfd, &msg, MSG_NOSIGNAL));
	ASSERT_EQ(748, wait_inq(cfd, 748, WAIT_MS));
	memset(&msg, 0, sizeof(msg));
	iov[0] = (struct iovec){ in, sizeof(in) };
	msg.msg_iov = iov;
	msg.msg_iovlen = 1;
	msg.msg_name = name;
	msg.msg_namelen = sizeof(name);
	EXPECT_EQ(748, recvmsg(cfd, &msg, 0));
	EXPECT_EQ(0, memcmp(in, out, 748));
	EXPECT_EQ(0, msg.msg_flags);
	EXPECT_EQ(0U, msg.msg_namelen);	/* a stream names no sender */

	/* Nothing to send is no error, and sends nothing. */
	EXPECT_EQ(0, send(cfd, out, 0, 0));
	EXPECT_EQ(0, poll1(sfd, POLLIN, QUIET_MS));
	close(cfd);
	close(sfd);
}

/* Nothing queued: EAGAIN without waiting, for MSG_DONTWAIT and O_NONBLOCK. */
TEST_F(stream, dontwait_empty)
{
	const struct ctx *c = &self->c;
	struct iovec iov;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	char buf[16];
	int cfd, sfd;
	double t0;

	mkpair(_metadata, c, &cfd, &sfd);
	iov = (struct iovec){ buf, sizeof(buf) };
	t0 = now_ms();
	EXPECT_EQ(-1, recv(cfd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, recvmsg(cfd, &msg, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, set_nonblock(cfd, true));
	EXPECT_EQ(-1, read(cfd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, recv(cfd, buf, sizeof(buf), 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_GE(1000, now_ms() - t0);
	EXPECT_EQ(3, send(sfd, "abc", 3, 0));
	ASSERT_EQ(3, wait_inq(cfd, 3, WAIT_MS));
	EXPECT_EQ(3, read(cfd, buf, sizeof(buf)));
	EXPECT_EQ(-1, read(cfd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(cfd);
	close(sfd);
}

/* MSG_PEEK shows what a read then takes, and leaves it there. */
TEST_F(stream, peek)
{
	const struct ctx *c = &self->c;
	char out[100], a[200], b[200];
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(-1, recv(sfd, a, sizeof(a), MSG_PEEK | MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	pattern(out, sizeof(out), seed_of(2), 0);
	EXPECT_EQ(100, send(cfd, out, 100, 0));
	ASSERT_EQ(100, wait_inq(sfd, 100, WAIT_MS));
	EXPECT_EQ(50, recv(sfd, a, 50, MSG_PEEK));
	EXPECT_EQ(0, memcmp(a, out, 50));
	EXPECT_EQ(100, recv(sfd, a, sizeof(a), MSG_PEEK));
	EXPECT_EQ(0, memcmp(a, out, 100));
	EXPECT_EQ(100, inq(sfd));
	EXPECT_EQ(30, recv(sfd, b, 30, 0));
	EXPECT_EQ(0, memcmp(b, out, 30));
	EXPECT_EQ(70, recv(sfd, a, sizeof(a), MSG_PEEK));
	EXPECT_EQ(0, memcmp(a, out + 30, 70));
	EXPECT_EQ(70, recv(sfd, b, sizeof(b), 0));
	EXPECT_EQ(0, memcmp(b, out + 30, 70));
	EXPECT_EQ(0, inq(sfd));
	close(cfd);
	close(sfd);
}

/*
 * MSG_WAITALL waits for the whole length over several sends; it returns
 * short at EOF and, with what it has, when SO_RCVTIMEO runs out.
 */
TEST_F(stream, waitall)
{
	const struct ctx *c = &self->c;
	static char out[4000], in[4000];
	struct later l = { .delay_ms = 50, .pieces = 4, .len = 1000,
			   .buf = out, .how = -1 };
	int cfd, sfd;
	double t0, ms;

	mkpair(_metadata, c, &cfd, &sfd);
	pattern(out, sizeof(out), seed_of(3), 0);
	l.fd = cfd;
	ASSERT_EQ(0, pthread_create(&l.th, NULL, later_fn, &l));
	t0 = now_ms();
	EXPECT_EQ(4000, recv(sfd, in, 4000, MSG_WAITALL));
	ms = now_ms() - t0;
	pthread_join(l.th, NULL);
	EXPECT_EQ(0, l.err);
	EXPECT_EQ(0, memcmp(in, out, 4000));
	EXPECT_LE(150, ms);

	/* EOF after 1000 bytes */
	l.pieces = 1;
	l.how = SHUT_WR;
	ASSERT_EQ(0, pthread_create(&l.th, NULL, later_fn, &l));
	EXPECT_EQ(1000, recv(sfd, in, 4000, MSG_WAITALL));
	pthread_join(l.th, NULL);
	EXPECT_EQ(0, l.err);
	EXPECT_EQ(0, memcmp(in, out, 1000));
	EXPECT_EQ(0, recv(sfd, in, 4000, MSG_WAITALL));
	close(cfd);
	close(sfd);

	/* the timeout after 1000 bytes */
	mkpair(_metadata, c, &cfd, &sfd);
	ASSERT_EQ(0, set_timeo(sfd, SO_RCVTIMEO, 400));
	EXPECT_EQ(1000, send(cfd, out, 1000, 0));
	t0 = now_ms();
	EXPECT_EQ(1000, recv(sfd, in, 4000, MSG_WAITALL));
	ms = now_ms() - t0;
	EXPECT_LE(300, ms);
	EXPECT_GE(3000, ms);
	close(cfd);
	close(sfd);
}

/*
 * Writing after the peer closed: the first send is taken (the peer only
 * said it will not send), the peer answers it with RST, and sends then
 * fail with EPIPE.  MSG_NOSIGNAL: no SIGPIPE.
 */
TEST_F(stream, nosignal_epipe)
{
	const struct ctx *c = &self->c;
	int cfd, sfd;
	char ch;

	mkpair(_metadata, c, &cfd, &sfd);
	count_sigpipe();
	close(sfd);
	EXPECT_EQ(0, recv(cfd, &ch, 1, 0));
	EXPECT_EQ(EPIPE, send_until_error(cfd, MSG_NOSIGNAL, WAIT_MS));
	EXPECT_EQ(-1, send(cfd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, sigpipes);
	close(cfd);
}

/* The same without MSG_NOSIGNAL: EPIPE and SIGPIPE, for send() and write(). */
TEST_F(stream, sigpipe)
{
	const struct ctx *c = &self->c;
	int cfd, sfd;
	char ch;

	mkpair(_metadata, c, &cfd, &sfd);
	count_sigpipe();
	close(sfd);
	EXPECT_EQ(0, recv(cfd, &ch, 1, 0));
	EXPECT_EQ(EPIPE, send_until_error(cfd, 0, WAIT_MS));
	EXPECT_EQ(1, sigpipes);
	EXPECT_EQ(-1, write(cfd, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(2, sigpipes);
	close(cfd);
}

/* MSG_MORE is taken; what it held goes with the next send without it. */
TEST_F(stream, msg_more)
{
	const struct ctx *c = &self->c;
	char in[32];
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(10, send(cfd, "0123456789", 10, MSG_MORE));
	EXPECT_EQ(10, send(cfd, "abcdefghij", 10, MSG_MORE));
	EXPECT_EQ(5, send(cfd, "ABCDE", 5, 0));
	EXPECT_EQ(25, recv(sfd, in, 25, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(in, "0123456789abcdefghijABCDE", 25));
	close(cfd);
	close(sfd);
}

/*
 * A write that must wait for room sends what an earlier MSG_MORE held,
 * as TCP's: with a send buffer smaller than one message, 30000 bytes
 * sent with MSG_MORE then a plain write of 1000 go through at once, all
 * of it intact.
 */
TEST_F(stream, msg_more_then_wait)
{
	const struct ctx *c = &self->c;
	static char buf[31000];
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	/* 8192 after doubling: the held tail alone is more. */
	ASSERT_EQ(0, set_int(cfd, SOL_SOCKET, SO_SNDBUF, 4096));
	ASSERT_EQ(0, set_timeo(cfd, SO_SNDTIMEO, 10000));
	pattern(buf, sizeof(buf), seed_of(25), 0);
	EXPECT_EQ(30000, send(cfd, buf, 30000, MSG_MORE));
	EXPECT_EQ(1000, send(cfd, buf + 30000, 1000, 0)) TH_LOG("%s", strerror(errno));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), recv_all(sfd, buf, sizeof(buf)));
	EXPECT_TRUE(pattern_ok(buf, sizeof(buf), seed_of(25), 0));
	close(cfd);
	close(sfd);
}

/* SO_RCVTIMEO: recv() on an idle socket fails with EAGAIN after it. */
TEST_F(stream, rcvtimeo)
{
	const struct ctx *c = &self->c;
	struct timeval tv;
	socklen_t len = sizeof(tv);
	int cfd, sfd;
	double t0, ms;
	char ch;

	mkpair(_metadata, c, &cfd, &sfd);
	ASSERT_EQ(0, set_timeo(cfd, SO_RCVTIMEO, 500));
	ASSERT_EQ(0, getsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
	EXPECT_EQ(0, tv.tv_sec);
	EXPECT_LE(490000, tv.tv_usec);
	EXPECT_GE(510000, tv.tv_usec);
	t0 = now_ms();
	EXPECT_EQ(-1, recv(cfd, &ch, 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	ms = now_ms() - t0;
	EXPECT_LE(450, ms);
	EXPECT_GE(3000, ms);
	close(cfd);
	close(sfd);
}

/*
 * SO_SNDTIMEO: writing to a peer that never reads, a send eventually
 * blocks; after the timeout it returns what it took, or EAGAIN if nothing.
 */
TEST_F(stream, sndtimeo)
{
	const struct ctx *c = &self->c;
	static char buf[CHUNK];
	uint64_t total = 0;
	double start, t0, ms = 0;
	int cfd, sfd;
	ssize_t n;

	mkpair(_metadata, c, &cfd, &sfd);
	ASSERT_EQ(0, set_timeo(cfd, SO_SNDTIMEO, 300));
	start = now_ms();
	for (;;) {
		t0 = now_ms();
		n = send(cfd, buf, sizeof(buf), MSG_NOSIGNAL);
		ms = now_ms() - t0;
		if (n < 0) {
			ASSERT_EQ(EAGAIN, errno) TH_LOG("%s", strerror(errno));
			break;
		}
		total += n;
		if (n < (ssize_t)sizeof(buf))
			break;
		ASSERT_GT(20000, now_ms() - start) TH_LOG("never blocked");
		ASSERT_GT(1024 * MiB, total) TH_LOG("never blocked");
	}
	EXPECT_LE(250, ms) TH_LOG("blocked after %llu KiB: %zd after %.0f ms",
				  (unsigned long long)(total / KiB), n, ms);
	EXPECT_GE(3000, ms);
	/*
	 * Whether the next send takes nothing is not for a test to say: a
	 * TCP receiver that does not read may still make room, compacting
	 * what it holds (tcp_collapse()).
	 */
	close(cfd);
	close(sfd);
}

/* SO_RCVBUF/SO_SNDBUF: Linux doubles what is set, capped at the sysctl maxima. */
TEST_F(stream, bufsizes)
{
	const struct ctx *c = &self->c;
	int rmax = read_long("/proc/sys/net/core/rmem_max", -1);
	int wmax = read_long("/proc/sys/net/core/wmem_max", -1);
	int fd[3], i;

	fd[0] = SOCK_NEW(c);
	mkpair(_metadata, c, &fd[1], &fd[2]);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, set_int(fd[i], SOL_SOCKET, SO_RCVBUF, 64 * 1024));
		ASSERT_EQ(0, set_int(fd[i], SOL_SOCKET, SO_SNDBUF, 48 * 1024));
		EXPECT_EQ(128 * 1024, get_int(fd[i], SOL_SOCKET, SO_RCVBUF));
		EXPECT_EQ(96 * 1024, get_int(fd[i], SOL_SOCKET, SO_SNDBUF));
		if (rmax <= 0 || wmax <= 0 || rmax > INT_MAX / 2 - 1 ||
		    wmax > INT_MAX / 2 - 1)
			continue;
		ASSERT_EQ(0, set_int(fd[i], SOL_SOCKET, SO_RCVBUF, INT_MAX / 2));
		ASSERT_EQ(0, set_int(fd[i], SOL_SOCKET, SO_SNDBUF, INT_MAX / 2));
		EXPECT_EQ(2 * rmax, get_int(fd[i], SOL_SOCKET, SO_RCVBUF));
		EXPECT_EQ(2 * wmax, get_int(fd[i], SOL_SOCKET, SO_SNDBUF));
	}
	for (i = 0; i < 3; i++)
		close(fd[i]);
}

/* SO_RCVLOWAT: neither poll nor recv reports data until lowat bytes are there. */
TEST_F(stream, rcvlowat)
{
	const struct ctx *c = &self->c;
	static char out[1100], in[2048];
	struct later l = { .delay_ms = 200, .pieces = 2, .len = 550,
			   .buf = out, .how = -1 };
	int cfd, sfd;
	double t0, ms;
	ssize_t n;

	mkpair(_metadata, c, &cfd, &sfd);
	pattern(out, sizeof(out), seed_of(4), 0);
	ASSERT_EQ(0, set_int(sfd, SOL_SOCKET, SO_RCVLOWAT, 1000));
	EXPECT_EQ(1000, get_int(sfd, SOL_SOCKET, SO_RCVLOWAT));

	EXPECT_EQ(500, send(cfd, out, 500, 0));
	ASSERT_EQ(500, wait_inq(sfd, 500, WAIT_MS));
	EXPECT_EQ(0, poll1(sfd, POLLIN, QUIET_MS));
	EXPECT_EQ(600, send(cfd, out + 500, 600, 0));
	EXPECT_EQ(POLLIN, poll1(sfd, POLLIN, WAIT_MS));
	EXPECT_EQ(1100, wait_inq(sfd, 1100, WAIT_MS));
	EXPECT_EQ(1100, recv(sfd, in, sizeof(in), 0));
	EXPECT_EQ(0, memcmp(in, out, 1100));

	/*
	 * recv() blocks until lowat bytes are there, then takes what is.
	 * (With bytes queued before the call, TCP waits for lowat more
	 * bytes than those, or the timeout: not tested.)
	 */
	l.fd = cfd;
	ASSERT_EQ(0, pthread_create(&l.th, NULL, later_fn, &l));
	t0 = now_ms();
	n = recv(sfd, in, sizeof(in), 0);
	ms = now_ms() - t0;
	pthread_join(l.th, NULL);
	EXPECT_EQ(0, l.err);
	EXPECT_LE(1000, n);
	EXPECT_LE(350, ms);
	if (n > 0 && n < 1100)
		n += recv_all(sfd, in + n, 1100 - n);
	EXPECT_EQ(1100, n);
	EXPECT_EQ(0, memcmp(in, out, 1100));
	close(cfd);
	close(sfd);
}

/* FIONREAD/SIOCINQ count what is queued; SIOCOUTQ reaches 0 once all is read. */
TEST_F(stream, ioctl_queues)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at;
	static char buf[1234];
	int cfd, sfd, lfd, fd, n = -1;

	fd = SOCK_NEW(c);
	EXPECT_EQ(0, inq(fd));
	EXPECT_EQ(0, outq(fd));
	close(fd);

	lfd = listener(_metadata, c, 4, &at);
	EXPECT_EQ(-1, ioctl(lfd, SIOCINQ, &n));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(lfd, SIOCOUTQ, &n));
	EXPECT_EQ(EINVAL, errno);
	cfd = dial(_metadata, c, &at);
	sfd = accept_one(_metadata, lfd);
	close(lfd);

	EXPECT_EQ(0, inq(sfd));
	EXPECT_EQ(1234, send(cfd, buf, sizeof(buf), 0));
	EXPECT_EQ(1234, wait_inq(sfd, 1234, WAIT_MS));
	ASSERT_EQ(0, ioctl(sfd, FIONREAD, &n));
	EXPECT_EQ(1234, n);
	EXPECT_EQ(1000, recv(sfd, buf, 1000, 0));
	EXPECT_EQ(234, inq(sfd));
	EXPECT_EQ(234, recv(sfd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, inq(sfd));
	WAIT_UNTIL(outq(cfd) <= 0, WAIT_MS, 1);
	EXPECT_EQ(0, outq(cfd));

	/* EOF is no byte. */
	EXPECT_EQ(3, send(cfd, "eof", 3, 0));
	EXPECT_EQ(0, shutdown(cfd, SHUT_WR));
	EXPECT_EQ(POLLIN | POLLRDHUP,
		  poll1(sfd, POLLRDHUP, WAIT_MS) | poll1(sfd, POLLIN, 0));
	EXPECT_EQ(3, inq(sfd));
	close(cfd);
	close(sfd);
}

#define PALL	(POLLIN | POLLOUT | POLLRDHUP)

/* poll(): POLLIN, POLLOUT, POLLRDHUP and POLLHUP as the state changes. */
TEST_F(stream, poll_events)
{
	const struct ctx *c = &self->c;
	char buf[16];
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(POLLOUT, poll1(cfd, PALL, 0));
	EXPECT_EQ(POLLOUT, poll1(sfd, PALL, 0));
	EXPECT_EQ(0, poll1(cfd, POLLIN, QUIET_MS));

	EXPECT_EQ(10, send(sfd, "0123456789", 10, 0));
	EXPECT_EQ(POLLIN, poll1(cfd, POLLIN, WAIT_MS));
	EXPECT_EQ(POLLIN | POLLOUT, poll1(cfd, PALL, 0));
	EXPECT_EQ(10, recv(cfd, buf, sizeof(buf), 0));
	EXPECT_EQ(POLLOUT, poll1(cfd, PALL, 0));

	/* The peer's SHUT_WR: readable (EOF) and POLLRDHUP, no POLLHUP. */
	EXPECT_EQ(0, shutdown(sfd, SHUT_WR));
	EXPECT_EQ(POLLRDHUP, poll1(cfd, POLLRDHUP, WAIT_MS));
	EXPECT_EQ(PALL, poll1(cfd, PALL, 0));
	EXPECT_EQ(POLLOUT, poll1(sfd, PALL, 0));

	/* Both directions shut: POLLHUP on both ends. */
	EXPECT_EQ(0, shutdown(cfd, SHUT_WR));
	EXPECT_EQ(PALL | POLLHUP, poll1(cfd, PALL, 0));
	EXPECT_EQ(POLLRDHUP | POLLHUP, poll1(sfd, POLLRDHUP, WAIT_MS));
	EXPECT_EQ(PALL | POLLHUP, poll1(sfd, PALL, 0));
	/* POLLHUP comes unasked. */
	EXPECT_EQ(POLLHUP, poll1(sfd, 0, 0));
	close(cfd);
	close(sfd);
}

/* Read bytes @from to @to of the stream @seed from @fd, checking each. */
static bool read_checked(int fd, uint64_t seed, uint64_t from, uint64_t to)
{
	static char buf[CHUNK];

	while (from < to) {
		size_t len = to - from < sizeof(buf) ? to - from : sizeof(buf);
		ssize_t n = recv(fd, buf, len, 0);

		if (n <= 0 || !pattern_ok(buf, n, seed, from))
			return false;
		from += n;
	}
	return true;
}

/*
 * A writer that filled its send buffer polls POLLOUT again only once a
 * third of it is free, as TCP's (sk_stream_min_wspace()): the peer
 * reading 16 KiB gives none, reading everything gives it.
 */
TEST_F(stream, pollout_hysteresis)
{
	const struct ctx *c = &self->c;
	static char buf[CHUNK];
	uint64_t filled = 0;
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	ASSERT_EQ(0, fill(cfd, seed_of(21), &filled));
	EXPECT_EQ(0, poll1(cfd, POLLOUT, QUIET_MS));
	ASSERT_EQ(16384, recv(sfd, buf, 16384, MSG_WAITALL));
	EXPECT_TRUE(pattern_ok(buf, 16384, seed_of(21), 0));
	EXPECT_EQ(0, poll1(cfd, POLLOUT, 500));
	EXPECT_TRUE(read_checked(sfd, seed_of(21), 16384, filled));
	EXPECT_EQ(POLLOUT, poll1(cfd, POLLOUT, WAIT_MS));
	close(cfd);
	close(sfd);
}

/* The peer aborts (SO_LINGER 0): POLLERR, SO_ERROR ECONNRESET, once. */
TEST_F(stream, poll_reset)
{
	const struct ctx *c = &self->c;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char ch;
	int cfd, sfd, ev;

	mkpair(_metadata, c, &cfd, &sfd);
	ASSERT_EQ(0, setsockopt(sfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(sfd);
	ev = poll1(cfd, POLLIN, WAIT_MS);
	EXPECT_TRUE(ev & POLLERR) TH_LOG("revents 0x%x", ev);
	EXPECT_TRUE(ev & POLLHUP) TH_LOG("revents 0x%x", ev);
	EXPECT_TRUE(ev & POLLIN) TH_LOG("revents 0x%x", ev);
	ev = poll1(cfd, 0, 0);
	EXPECT_TRUE(ev & POLLERR) TH_LOG("revents 0x%x", ev);
	EXPECT_EQ(ECONNRESET, so_error(cfd));
	EXPECT_EQ(0, so_error(cfd));
	ev = poll1(cfd, PALL, 0);
	EXPECT_EQ(PALL | POLLHUP, ev) TH_LOG("revents 0x%x", ev);
	/* The error is gone; what is left is a closed stream. */
	EXPECT_EQ(0, recv(cfd, &ch, 1, 0));
	EXPECT_EQ(-1, send(cfd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	close(cfd);
}

static int select1(int fd, int ms, bool *r, bool *w, bool *x)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	fd_set rs, ws, xs;
	int ret;

	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_ZERO(&xs);
	FD_SET(fd, &rs);
	if (w)
		FD_SET(fd, &ws);
	FD_SET(fd, &xs);
	ret = select(fd + 1, &rs, w ? &ws : NULL, &xs, &tv);
	*r = FD_ISSET(fd, &rs);
	if (w)
		*w = FD_ISSET(fd, &ws);
	*x = FD_ISSET(fd, &xs);
	return ret;
}

/* select(): writable at once, readable on data and on EOF, never exceptional. */
TEST_F(stream, select_events)
{
	const struct ctx *c = &self->c;
	bool r, w, x;
	char buf[8];
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(1, select1(cfd, 0, &r, &w, &x));
	EXPECT_FALSE(r);
	EXPECT_TRUE(w);
	EXPECT_FALSE(x);
	EXPECT_EQ(0, select1(cfd, QUIET_MS, &r, NULL, &x));

	EXPECT_EQ(3, send(sfd, "sel", 3, 0));
	EXPECT_EQ(1, select1(cfd, WAIT_MS, &r, NULL, &x));
	EXPECT_TRUE(r);
	EXPECT_FALSE(x);
	EXPECT_EQ(3, recv(cfd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, select1(cfd, 0, &r, NULL, &x));

	EXPECT_EQ(0, shutdown(sfd, SHUT_WR));
	EXPECT_EQ(1, select1(cfd, WAIT_MS, &r, NULL, &x));
	EXPECT_TRUE(r);
	EXPECT_FALSE(x);
	EXPECT_EQ(0, recv(cfd, buf, sizeof(buf), 0));
	close(cfd);
	close(sfd);
}

/* One epoll_wait(): the events, 0 on timeout, -1 on error. */
static int epoll1(int ep, int ms)
{
	struct epoll_event ev = { 0 };
	int ret = epoll_wait(ep, &ev, 1, ms);

	return ret > 0 ? (int)ev.events : ret;
}

static int epoll_for(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		if (ep >= 0)
			close(ep);
		return -1;
	}
	return ep;
}

#define EALL	(EPOLLIN | EPOLLOUT | EPOLLRDHUP)

/* Level-triggered epoll reports a state for as long as it lasts. */
TEST_F(stream, epoll_level)
{
	const struct ctx *c = &self->c;
	char buf[32];
	int cfd, sfd, ep;

	mkpair(_metadata, c, &cfd, &sfd);
	ep = epoll_for(cfd, EALL);
	ASSERT_LE(0, ep);
	EXPECT_EQ(EPOLLOUT, epoll1(ep, WAIT_MS));
	EXPECT_EQ(EPOLLOUT, epoll1(ep, 0));

	EXPECT_EQ(10, send(sfd, "0123456789", 10, 0));
	ASSERT_EQ(10, wait_inq(cfd, 10, WAIT_MS));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, epoll1(ep, WAIT_MS));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, epoll1(ep, 0));
	EXPECT_EQ(10, recv(cfd, buf, sizeof(buf), 0));
	EXPECT_EQ(EPOLLOUT, epoll1(ep, 0));

	EXPECT_EQ(0, shutdown(sfd, SHUT_WR));
	EXPECT_EQ(POLLRDHUP, poll1(cfd, POLLRDHUP, WAIT_MS));
	EXPECT_EQ(EALL, epoll1(ep, 0));
	EXPECT_EQ(EALL, epoll1(ep, 0));
	close(ep);
	close(cfd);
	close(sfd);
}

/* Edge-triggered epoll reports each change once. */
TEST_F(stream, epoll_edge)
{
	const struct ctx *c = &self->c;
	char buf[32];
	int cfd, sfd, ep, ev;

	mkpair(_metadata, c, &cfd, &sfd);
	ep = epoll_for(cfd, EALL | EPOLLET);
	ASSERT_LE(0, ep);
	EXPECT_EQ(EPOLLOUT, epoll1(ep, WAIT_MS));
	EXPECT_EQ(0, epoll1(ep, QUIET_MS));

	EXPECT_EQ(10, send(sfd, "0123456789", 10, 0));
	ev = epoll1(ep, WAIT_MS);
	EXPECT_TRUE(ev & EPOLLIN) TH_LOG("events 0x%x", ev);
	EXPECT_FALSE(ev & EPOLLRDHUP) TH_LOG("events 0x%x", ev);
	EXPECT_EQ(0, epoll1(ep, QUIET_MS));

	/* More data is a new edge though the old is unread. */
	EXPECT_EQ(10, send(sfd, "abcdefghij", 10, 0));
	ev = epoll1(ep, WAIT_MS);
	EXPECT_TRUE(ev & EPOLLIN) TH_LOG("events 0x%x", ev);
	EXPECT_EQ(0, epoll1(ep, QUIET_MS));
	EXPECT_EQ(20, recv(cfd, buf, 20, MSG_WAITALL));
	EXPECT_EQ(0, epoll1(ep, QUIET_MS));

	EXPECT_EQ(0, shutdown(sfd, SHUT_WR));
	ev = epoll1(ep, WAIT_MS);
	EXPECT_EQ(EALL, ev) TH_LOG("events 0x%x", ev);
	EXPECT_EQ(0, epoll1(ep, QUIET_MS));
	close(ep);
	close(cfd);
	close(sfd);
}

/*
 * SHUT_WR: the peer reads everything, then EOF, for good; writes then
 * fail with EPIPE; the other direction still works.
 */
TEST_F(stream, shutdown_wr)
{
	const struct ctx *c = &self->c;
	struct xfer w = { .name = "writer", .len = 256 * KiB,
			  .seed = seed_of(5), .max_chunk = 16 * KiB,
			  .end = XF_SHUT_WR };
	struct xfer r = { .name = "reader", .len = 256 * KiB,
			  .seed = seed_of(5), .max_chunk = 16 * KiB,
			  .end = XF_EOF };
	char ch, buf[4];
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	w.fd = cfd;
	r.fd = sfd;
	XFER_START(&w, true);
	XFER_START(&r, false);
	EXPECT_XFER_OK(&w);
	EXPECT_XFER_OK(&r);
	EXPECT_EQ(w.crc, r.crc);
	EXPECT_EQ(0, recv(sfd, &ch, 1, 0));
	EXPECT_EQ(0, recv(sfd, &ch, 1, MSG_DONTWAIT));

	EXPECT_EQ(-1, send(cfd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, shutdown(cfd, SHUT_WR));	/* again: fine */
	EXPECT_EQ(4, send(sfd, "back", 4, 0));
	EXPECT_EQ(4, recv_all(cfd, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "back", 4));
	EXPECT_EQ(POLLOUT | POLLRDHUP | POLLIN, poll1(sfd, PALL, 0));
	close(cfd);
	close(sfd);
}

/*
 * SHUT_RD: what is queued can still be read, then recv() returns 0 at
 * once; the socket still sends.
 */
TEST_F(stream, shutdown_rd)
{
	const struct ctx *c = &self->c;
	char buf[16];
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(5, send(sfd, "queue", 5, 0));
	ASSERT_EQ(5, wait_inq(cfd, 5, WAIT_MS));
	EXPECT_EQ(0, shutdown(cfd, SHUT_RD));
	EXPECT_EQ(PALL, poll1(cfd, PALL, 0));
	EXPECT_EQ(5, recv(cfd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "queue", 5));
	EXPECT_EQ(0, recv(cfd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, recv(cfd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(4, send(cfd, "more", 4, 0));
	EXPECT_EQ(4, recv_all(sfd, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "more", 4));
	EXPECT_EQ(POLLOUT, poll1(sfd, PALL, 0));
	close(cfd);
	close(sfd);
}

/* SHUT_RDWR: both ends see EOF, writes fail, POLLHUP. */
TEST_F(stream, shutdown_rdwr)
{
	const struct ctx *c = &self->c;
	char ch;
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(0, shutdown(cfd, SHUT_RDWR));
	EXPECT_EQ(0, recv(sfd, &ch, 1, 0));
	EXPECT_EQ(0, recv(cfd, &ch, 1, 0));
	EXPECT_EQ(-1, send(cfd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(PALL | POLLHUP, poll1(cfd, PALL, 0));
	EXPECT_EQ(POLLIN | POLLRDHUP | POLLOUT, poll1(sfd, PALL, 0));
	close(cfd);
	close(sfd);
}

/* shutdown() on what is not connected: ENOTCONN; a bad how: EINVAL. */
TEST_F(stream, shutdown_unconnected)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage ss = c->srv;
	int fd = SOCK_NEW(c), cfd, sfd;

	EXPECT_EQ(-1, shutdown(fd, SHUT_RD));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, shutdown(fd, SHUT_WR));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, shutdown(fd, SHUT_RDWR));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, shutdown(fd, 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shutdown(fd, -1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, bind(fd, SA(&ss), c->alen));
	EXPECT_EQ(-1, shutdown(fd, SHUT_RDWR));
	EXPECT_EQ(ENOTCONN, errno);
	close(fd);

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(-1, shutdown(cfd, 3));
	EXPECT_EQ(EINVAL, errno);
	close(cfd);
	close(sfd);
}

/* close() right after writing: every byte still arrives, then EOF. */
TEST_F(stream, close_delivers)
{
	const struct ctx *c = &self->c;
	uint64_t len = rsk_scaled(c->div, 4 * MiB);
	struct xfer w = { .name = "writer", .len = len, .seed = seed_of(6),
			  .max_chunk = 256 * KiB, .end = XF_CLOSE };
	struct xfer r = { .name = "reader", .len = len, .seed = seed_of(6),
			  .max_chunk = 64 * KiB, .end = XF_EOF,
			  .slow_start = 16 };
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	w.fd = cfd;
	r.fd = sfd;
	XFER_START(&w, true);
	XFER_START(&r, false);
	EXPECT_XFER_OK(&w);
	EXPECT_XFER_OK(&r);
	EXPECT_EQ(w.crc, r.crc);
	EXPECT_EQ(-1, w.fd);
	close(sfd);
}

/* SO_LINGER {1, 0}: close() aborts; the peer's recv() gets ECONNRESET. */
TEST_F(stream, linger_zero_reset)
{
	const struct ctx *c = &self->c;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 }, got;
	socklen_t len = sizeof(got);
	char ch;
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	ASSERT_EQ(0, setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	ASSERT_EQ(0, getsockopt(cfd, SOL_SOCKET, SO_LINGER, &got, &len));
	EXPECT_EQ(sizeof(got), len);
	EXPECT_EQ(1, got.l_onoff);
	EXPECT_EQ(0, got.l_linger);
	close(cfd);
	EXPECT_EQ(-1, recv(sfd, &ch, 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(0, so_error(sfd));
	EXPECT_EQ(0, recv(sfd, &ch, 1, 0));
	EXPECT_EQ(-1, send(sfd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	close(sfd);
}

/*
 * Closing with unread data aborts (TCP sends RST): the peer's next recv()
 * or send() fails with ECONNRESET.
 */
TEST_F(stream, close_unread_reset)
{
	const struct ctx *c = &self->c;
	static char buf[100];
	char ch;
	int cfd, sfd, ev;

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(100, send(cfd, buf, 100, 0));
	ASSERT_EQ(100, wait_inq(sfd, 100, WAIT_MS));
	close(sfd);
	EXPECT_EQ(-1, recv(cfd, &ch, 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(cfd);

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(100, send(sfd, buf, 100, 0));
	ASSERT_EQ(100, wait_inq(cfd, 100, WAIT_MS));
	close(cfd);
	ev = poll1(sfd, POLLIN, WAIT_MS);
	EXPECT_TRUE(ev & POLLERR) TH_LOG("revents 0x%x", ev);
	EXPECT_EQ(-1, send(sfd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(-1, send(sfd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	close(sfd);
}

/* A thread waiting in poll() or epoll_wait() for one event on one fd. */
struct waiter {
	int fd;			/* the socket, or the epoll fd */
	bool epoll;
	short events;
	int ret;		/* poll/epoll_wait's */
	int err;
	unsigned int revents;
	double woke;		/* now_ms() */
	int done;
	pthread_t th;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;
	struct pollfd pfd = { .fd = w->fd, .events = w->events };
	struct epoll_event ev = { 0 };

	if (w->epoll) {
		w->ret = epoll_wait(w->fd, &ev, 1, 20000);
		w->revents = ev.events;
	} else {
		w->ret = poll(&pfd, 1, 20000);
		w->revents = pfd.revents;
	}
	w->err = errno;
	w->woke = now_ms();
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * Two threads block on one socket, one for POLLIN and one for POLLOUT
 * (its send buffer full).  The peer drains it, then writes: both wake.
 */
static void two_waiters(struct __test_metadata *_metadata, const struct ctx *c,
			bool use_epoll)
{
	struct waiter in = { .events = POLLIN, .epoll = use_epoll };
	struct waiter out = { .events = POLLOUT, .epoll = use_epoll };
	uint64_t filled = 0;
	int64_t drained;
	double t0;
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	ASSERT_EQ(0, fill(cfd, seed_of(7), &filled));
	ASSERT_EQ(0, poll1(cfd, POLLIN | POLLOUT, 0));
	if (use_epoll) {
		in.fd = epoll_for(cfd, EPOLLIN);
		out.fd = epoll_for(cfd, EPOLLOUT);
		ASSERT_LE(0, in.fd);
		ASSERT_LE(0, out.fd);
	} else {
		in.fd = cfd;
		out.fd = cfd;
	}
	ASSERT_EQ(0, pthread_create(&in.th, NULL, waiter_fn, &in));
	ASSERT_EQ(0, pthread_create(&out.th, NULL, waiter_fn, &out));
	sleep_ms(QUIET_MS);
	EXPECT_EQ(0, __atomic_load_n(&in.done, __ATOMIC_SEQ_CST));
	EXPECT_EQ(0, __atomic_load_n(&out.done, __ATOMIC_SEQ_CST));

	t0 = now_ms();
	drained = drain(sfd, QUIET_MS);
	EXPECT_EQ((int64_t)filled, drained);
	EXPECT_EQ(2, send(sfd, "up", 2, 0));
	pthread_join(in.th, NULL);
	pthread_join(out.th, NULL);
	EXPECT_EQ(1, in.ret) TH_LOG("POLLIN waiter: %s", strerror(in.err));
	EXPECT_EQ(1, out.ret) TH_LOG("POLLOUT waiter: %s", strerror(out.err));
	EXPECT_TRUE(!!(in.revents & POLLIN));
	EXPECT_TRUE(!!(out.revents & POLLOUT));
	EXPECT_GE(WAIT_MS, in.woke - t0);
	EXPECT_GE(WAIT_MS, out.woke - t0);
	TH_LOG("filled %llu KiB; woke after %.0f ms (POLLOUT), %.0f ms (POLLIN)",
	       (unsigned long long)(filled / KiB), out.woke - t0, in.woke - t0);
	if (use_epoll) {
		close(in.fd);
		close(out.fd);
	}
	close(cfd);
	close(sfd);
}

TEST_F(stream, two_waiters_poll)
{
	two_waiters(_metadata, &self->c, false);
}

TEST_F(stream, two_waiters_epoll)
{
	two_waiters(_metadata, &self->c, true);
}

/* sendfile() from a file into the socket. */
TEST_F(stream, sendfile)
{
	const struct ctx *c = &self->c;
	uint64_t len = 2 * MiB, seed = seed_of(8);
	struct xfer r = { .name = "reader", .len = len, .seed = seed,
			  .max_chunk = 64 * KiB, .end = XF_EOF };
	char path[] = "/tmp/rsk_sendfile.XXXXXX";
	static char buf[CHUNK];
	uint64_t pos;
	off_t off = 0;
	int cfd, sfd, ffd;
	ssize_t n;

	ffd = mkstemp(path);
	ASSERT_LE(0, ffd) TH_LOG("mkstemp: %s", strerror(errno));
	unlink(path);
	for (pos = 0; pos < len; pos += sizeof(buf)) {
		pattern(buf, sizeof(buf), seed, pos);
		ASSERT_EQ((ssize_t)sizeof(buf), write(ffd, buf, sizeof(buf)));
	}
	mkpair(_metadata, c, &cfd, &sfd);
	r.fd = sfd;
	XFER_START(&r, false);
	while ((uint64_t)off < len) {
		n = sendfile(cfd, ffd, &off, len - off);
		if (n <= 0)
			break;
	}
	EXPECT_EQ((off_t)len, off) TH_LOG("sendfile: %s", strerror(errno));
	EXPECT_EQ(0, shutdown(cfd, SHUT_WR));
	EXPECT_XFER_OK(&r);
	close(ffd);
	close(cfd);
	close(sfd);
}

/* splice() from a pipe into the socket. */
TEST_F(stream, splice)
{
	const struct ctx *c = &self->c;
	uint64_t len = 2 * MiB, seed = seed_of(9), pos = 0;
	struct xfer r = { .name = "reader", .len = len, .seed = seed,
			  .max_chunk = 64 * KiB, .end = XF_EOF };
	static char buf[CHUNK / 4];
	int cfd, sfd, p[2];
	ssize_t n, left;

	ASSERT_EQ(0, pipe(p));
	mkpair(_metadata, c, &cfd, &sfd);
	r.fd = sfd;
	XFER_START(&r, false);
	while (pos < len) {
		pattern(buf, sizeof(buf), seed, pos);
		ASSERT_EQ((ssize_t)sizeof(buf), write(p[1], buf, sizeof(buf)));
		for (left = sizeof(buf); left > 0; left -= n) {
			n = splice(p[0], NULL, cfd, NULL, left, SPLICE_F_MOVE);
			ASSERT_LT(0, n) TH_LOG("splice: %s", strerror(errno));
		}
		pos += sizeof(buf);
	}
	EXPECT_EQ(0, shutdown(cfd, SHUT_WR));
	EXPECT_XFER_OK(&r);
	close(p[0]);
	close(p[1]);
	close(cfd);
	close(sfd);
}

/* A forked child writes on the socket it inherited; the parent reads. */
TEST_F(stream, fork_writer)
{
	const struct ctx *c = &self->c;
	uint64_t len = 1 * MiB;
	struct xfer r = { .name = "reader", .len = len, .seed = seed_of(10),
			  .max_chunk = 64 * KiB, .end = XF_EOF };
	int cfd, sfd, status;
	pid_t pid;

	mkpair(_metadata, c, &cfd, &sfd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct xfer w = { .name = "child", .fd = cfd, .len = len,
				  .seed = seed_of(10), .max_chunk = 64 * KiB };

		close(sfd);
		xfer_start(&w, true);
		pthread_join(w.th, NULL);
		_exit(w.err || w.done != len);
	}
	close(cfd);	/* the child's copy is the last: its exit is EOF */
	r.fd = sfd;
	XFER_START(&r, false);
	EXPECT_XFER_OK(&r);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(sfd);
}

/*
 * SO_BUSY_POLL: a reader that spins on the completion queue (rdma_sock)
 * or the NIC queue (TCP) before it sleeps still gets every byte in order,
 * and poll() with the socket's busy-poll time set still reports data.
 */
TEST_F(stream, busy_poll_pingpong)
{
	const struct ctx *c = &self->c;
	unsigned char out[64], in[64];
	int a, b, i, j;

	mkpair(_metadata, c, &a, &b);
	for (i = 0; i < 2; i++) {
		int fd = i ? b : a;

		ASSERT_EQ(0, set_int(fd, SOL_SOCKET, SO_BUSY_POLL, 50))
			TH_LOG("SO_BUSY_POLL: %s", strerror(errno));
		EXPECT_EQ(50, get_int(fd, SOL_SOCKET, SO_BUSY_POLL));
		ASSERT_EQ(0, set_int(fd, SOL_TCP, TCP_NODELAY, 1));
	}
	for (i = 0; i < 500; i++) {
		for (j = 0; j < (int)sizeof(out); j++)
			out[j] = i * 7 + j;
		ASSERT_EQ(64, send(a, out, sizeof(out), 0));
		ASSERT_EQ(POLLIN, poll1(b, POLLIN, WAIT_MS));
		ASSERT_EQ(64, recv(b, in, sizeof(in), MSG_WAITALL));
		ASSERT_EQ(0, memcmp(in, out, sizeof(in))) TH_LOG("round %d", i);
		ASSERT_EQ(64, send(b, in, sizeof(in), 0));
		ASSERT_EQ(64, recv(a, in, sizeof(in), MSG_WAITALL));
		ASSERT_EQ(0, memcmp(in, out, sizeof(in))) TH_LOG("round %d", i);
	}
	close(a);
	close(b);
}

/*
 * Where no route leads, and to an address on the link where no host
 * answers: the errnos TCP gives.  The guests name such addresses in
 * RSK_NOROUTE_ADDR and RSK_NOHOST_ADDR; elsewhere the test is skipped.
 */
TEST_F_TIMEOUT(stream, connect_unreachable, 60)
{
	const char *noroute = getenv("RSK_NOROUTE_ADDR");
	const char *nohost = getenv("RSK_NOHOST_ADDR");
	const struct ctx *c = &self->c;
	struct sockaddr_storage to;
	int fd;

	if (!noroute || !nohost)
		SKIP(return, "RSK_NOROUTE_ADDR and RSK_NOHOST_ADDR not set");

	ASSERT_EQ(0, make_addr(c, noroute, &to));
	set_port(&to, 9);
	fd = SOCK_NEW(c);
	EXPECT_EQ(-1, connect(fd, SA(&to), c->alen));
	EXPECT_EQ(ENETUNREACH, errno);
	close(fd);

	/* TCP learns it from the neighbour's failure, in about 3 s. */
	ASSERT_EQ(0, make_addr(c, nohost, &to));
	set_port(&to, 9);
	fd = SOCK_NEW(c);
	ASSERT_EQ(0, set_timeo(fd, SO_SNDTIMEO, 30000));
	EXPECT_EQ(-1, connect(fd, SA(&to), c->alen));
	EXPECT_EQ(EHOSTUNREACH, errno) TH_LOG("%s", strerror(errno));
	close(fd);
}

/* TCP_INFO of @fd into @info; its length, or -1. */
static int tcp_info_of(int fd, struct tcp_info *info)
{
	socklen_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return getsockopt(fd, SOL_TCP, TCP_INFO, info, &len) ? -1 : (int)len;
}

static bool all_acked(int fd, uint64_t n)
{
	struct tcp_info info;

	return tcp_info_of(fd, &info) > 0 && info.tcpi_bytes_acked >= n &&
	       info.tcpi_notsent_bytes == 0 && info.tcpi_unacked == 0;
}

/*
 * TCP_INFO as TCP fills it: the state, an MSS, the bytes sent, acked (TCP
 * counts its SYN too) and received, segments, nothing unsent or in flight
 * at rest, the peer's window; a shorter buffer gets the start; a listener
 * says LISTEN.
 */
TEST_F(stream, tcp_info)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at;
	struct tcp_info ci, si;
	static char buf[100000];
	socklen_t len = 8;
	int lfd, cfd, sfd;

	lfd = listener(_metadata, c, 4, &at);
	ASSERT_LT(0, tcp_info_of(lfd, &ci));
	EXPECT_EQ(TCP_LISTEN, ci.tcpi_state);
	cfd = dial(_metadata, c, &at);
	sfd = accept_one(_metadata, lfd);
	pattern(buf, sizeof(buf), seed_of(22), 0);
	ASSERT_EQ((ssize_t)sizeof(buf), send_all(cfd, buf, sizeof(buf), 0));
	ASSERT_EQ((ssize_t)sizeof(buf), recv_all(sfd, buf, sizeof(buf)));
	EXPECT_TRUE(pattern_ok(buf, sizeof(buf), seed_of(22), 0));
	EXPECT_TRUE(WAIT_UNTIL(all_acked(cfd, sizeof(buf)), WAIT_MS, 10));

	ASSERT_LT(0, tcp_info_of(cfd, &ci));
	ASSERT_LT(0, tcp_info_of(sfd, &si));
	EXPECT_EQ(TCP_ESTABLISHED, ci.tcpi_state);
	EXPECT_EQ(TCP_ESTABLISHED, si.tcpi_state);
	EXPECT_LT(0U, ci.tcpi_snd_mss);
	EXPECT_LT(0U, si.tcpi_rcv_mss);
	EXPECT_LE(sizeof(buf), ci.tcpi_bytes_sent);
	EXPECT_LE(sizeof(buf), ci.tcpi_bytes_acked);
	EXPECT_GE(sizeof(buf) + 1, ci.tcpi_bytes_acked);
	EXPECT_EQ(sizeof(buf), si.tcpi_bytes_received);
	EXPECT_EQ(0U, ci.tcpi_bytes_received);
	EXPECT_EQ(0U, ci.tcpi_notsent_bytes);
	EXPECT_EQ(0U, ci.tcpi_unacked);
	EXPECT_LE(sizeof(buf) / ci.tcpi_snd_mss, ci.tcpi_data_segs_out);
	EXPECT_LE(ci.tcpi_data_segs_out, ci.tcpi_segs_out);
	EXPECT_LE(sizeof(buf) / si.tcpi_rcv_mss, si.tcpi_data_segs_in);
	EXPECT_LE(si.tcpi_data_segs_in, si.tcpi_segs_in);
	EXPECT_LT(0U, ci.tcpi_snd_wnd);
	EXPECT_LT(0U, ci.tcpi_snd_cwnd);
	EXPECT_LT(0U, si.tcpi_rcv_space);
	/* A short buffer: the start of the structure, its length. */
	ASSERT_EQ(0, getsockopt(cfd, SOL_TCP, TCP_INFO, &ci, &len));
	EXPECT_EQ(8U, len);
	EXPECT_EQ(TCP_ESTABLISHED, ci.tcpi_state);
	close(cfd);
	close(sfd);
	close(lfd);
}

/*
 * TCP_MAXSEG as TCP: 536 until connected, the size set while closed or
 * listening, 88..32767 or 0; a connection then sends at most that much
 * per segment (TCP_INFO's MSS and segments say so), the data intact.
 */
TEST_F(stream, tcp_maxseg)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage at;
	static char buf[100000];
	struct tcp_info info;
	int lfd, cfd, sfd, mss;

	cfd = SOCK_NEW(c);
	ASSERT_LE(0, cfd);
	EXPECT_EQ(536, get_int(cfd, SOL_TCP, TCP_MAXSEG));
	EXPECT_EQ(-1, set_int(cfd, SOL_TCP, TCP_MAXSEG, 87));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_int(cfd, SOL_TCP, TCP_MAXSEG, 32768));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, set_int(cfd, SOL_TCP, TCP_MAXSEG, 1000));
	EXPECT_EQ(1000, get_int(cfd, SOL_TCP, TCP_MAXSEG));
	lfd = listener(_metadata, c, 4, &at);
	ASSERT_EQ(0, connect(cfd, SA(&at), c->alen));
	sfd = accept_one(_metadata, lfd);
	mss = get_int(cfd, SOL_TCP, TCP_MAXSEG);
	EXPECT_LT(0, mss);
	EXPECT_GE(1000, mss);
	pattern(buf, sizeof(buf), seed_of(23), 0);
	ASSERT_EQ((ssize_t)sizeof(buf), send_all(cfd, buf, sizeof(buf), 0));
	ASSERT_EQ((ssize_t)sizeof(buf), recv_all(sfd, buf, sizeof(buf)));
	EXPECT_TRUE(pattern_ok(buf, sizeof(buf), seed_of(23), 0));
	ASSERT_LT(0, tcp_info_of(cfd, &info));
	EXPECT_GE(1000U, info.tcpi_snd_mss);
	EXPECT_LE(sizeof(buf) / 1000, info.tcpi_data_segs_out);
	close(cfd);
	close(sfd);
	close(lfd);
}

/*
 * TCP_QUICKACK reads back as set (1 on a new connection); TCP_INQ puts
 * what is left to read in a TCP_CM_INQ control message.
 */
TEST_F(stream, tcp_quickack_inq)
{
	const struct ctx *c = &self->c;
	char buf[1000], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	int cfd, sfd, inq;

	mkpair(_metadata, c, &cfd, &sfd);
	EXPECT_EQ(1, get_int(sfd, SOL_TCP, TCP_QUICKACK));
	ASSERT_EQ(0, set_int(sfd, SOL_TCP, TCP_QUICKACK, 0));
	EXPECT_EQ(0, get_int(sfd, SOL_TCP, TCP_QUICKACK));
	ASSERT_EQ(0, set_int(sfd, SOL_TCP, TCP_QUICKACK, 1));
	EXPECT_EQ(1, get_int(sfd, SOL_TCP, TCP_QUICKACK));

	EXPECT_EQ(0, get_int(sfd, SOL_TCP, TCP_INQ));
	EXPECT_EQ(-1, set_int(sfd, SOL_TCP, TCP_INQ, 2));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, set_int(sfd, SOL_TCP, TCP_INQ, 1));
	EXPECT_EQ(1, get_int(sfd, SOL_TCP, TCP_INQ));
	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(1000, send_all(cfd, buf, 1000, 0));
	ASSERT_TRUE(WAIT_UNTIL(({ int q = 0; ioctl(sfd, FIONREAD, &q); q; }) == 1000,
			       WAIT_MS, 10));
	for (int want = 600; want >= 0; want -= 600) {
		iov.iov_len = want ? 400 : 600;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		ASSERT_EQ((ssize_t)iov.iov_len, recvmsg(sfd, &mh, 0));
		cm = CMSG_FIRSTHDR(&mh);
		ASSERT_NE(NULL, cm);
		EXPECT_EQ(SOL_TCP, cm->cmsg_level);
		EXPECT_EQ(TCP_CM_INQ, cm->cmsg_type);
		memcpy(&inq, CMSG_DATA(cm), sizeof(inq));
		EXPECT_EQ(want, inq);
	}
	close(cfd);
	close(sfd);
}

/*
 * TCP_NOTSENT_LOWAT: a writer stops taking data once that much is unsent
 * (SIOCOUTQNSD at most the mark and one write more) and polls no POLLOUT
 * while half of it is still unsent; the peer reading everything brings
 * POLLOUT back.
 */
TEST_F(stream, tcp_notsent_lowat)
{
	const struct ctx *c = &self->c;
	uint64_t filled = 0;
	int cfd, sfd, unsent = -1;

	mkpair(_metadata, c, &cfd, &sfd);
	/* A send buffer far larger than the mark: only the mark stops writes. */
	ASSERT_EQ(0, set_int(cfd, SOL_SOCKET, SO_SNDBUFFORCE, 1 << 20));
	ASSERT_EQ(0, set_int(cfd, SOL_TCP, TCP_NOTSENT_LOWAT, 32768));
	EXPECT_EQ(32768, get_int(cfd, SOL_TCP, TCP_NOTSENT_LOWAT));
	ASSERT_EQ(0, fill(cfd, seed_of(24), &filled));
	ASSERT_EQ(0, ioctl(cfd, SIOCOUTQNSD, &unsent));
	TH_LOG("filled %llu, unsent %d", (unsigned long long)filled, unsent);
	EXPECT_LE(32768, unsent);
	EXPECT_GE(32768 + CHUNK, unsent);
	EXPECT_EQ(0, poll1(cfd, POLLOUT, QUIET_MS));
	EXPECT_TRUE(read_checked(sfd, seed_of(24), 0, filled));
	EXPECT_EQ(POLLOUT, poll1(cfd, POLLOUT, WAIT_MS));
	close(cfd);
	close(sfd);
}

/* The port a socket is bound to, or 0. */
static uint16_t bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getsockname(fd, SA(&ss), &len) ? 0 : port_of(&ss);
}

/*
 * IPV6_V6ONLY as TCP's: 0 by default (net.ipv6.bindv6only), settable
 * until bind() (EINVAL after).  A listener on the IPv6 wildcard with it
 * leaves the port's IPv4 side to a listener on 0.0.0.0, and each takes
 * its own family's connections; a dual-stack socket cannot bind the IPv6
 * wildcard beside the IPv4 one (EADDRINUSE); an IPv6-only socket binds no
 * IPv4-mapped address (EINVAL) and connects to none (ENETUNREACH).
 */
TEST_F(stream, ipv6_v6only)
{
	const struct ctx *c = &self->c;
	int d4 = rsk_domain(c->rdma, AF_INET), d6 = rsk_domain(c->rdma, AF_INET6);
	const char *a4 = rsk_env("RSK_ADDR", "127.0.0.1");
	const char *a6 = rsk_env("RSK_ADDR6", "::1");
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6 };
	struct sockaddr_storage any4, to4, to6, mapped;
	socklen_t len4 = sizeof(struct sockaddr_in), len6;
	int l6, l4, fd, sv;
	uint16_t port;

	l6 = socket_bounded(d6, SOCK_STREAM, TIMEO_MS);
	l4 = socket_bounded(d4, SOCK_STREAM, TIMEO_MS);
	ASSERT_LE(0, l6);
	ASSERT_LE(0, l4);
	EXPECT_EQ(0, get_int(l6, SOL_IPV6, IPV6_V6ONLY));
	ASSERT_EQ(0, set_int(l6, SOL_IPV6, IPV6_V6ONLY, 1));
	EXPECT_EQ(1, get_int(l6, SOL_IPV6, IPV6_V6ONLY));
	ASSERT_EQ(0, bind(l6, SA(&any6), sizeof(any6)));
	EXPECT_EQ(-1, set_int(l6, SOL_IPV6, IPV6_V6ONLY, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, listen(l6, 4));
	port = bound_port(l6);
	ASSERT_NE(0, port);

	/* The port's IPv4 side is free. */
	ASSERT_EQ(0, addr_v4("0.0.0.0", false, &any4));
	set_port(&any4, port);
	ASSERT_EQ(0, bind(l4, SA(&any4), len4)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, listen(l4, 4));

	/* Each family's connection to its own listener. */
	ASSERT_EQ(0, addr_v4(a4, false, &to4));
	set_port(&to4, port);
	fd = socket_bounded(d4, SOCK_STREAM, TIMEO_MS);
	ASSERT_EQ(0, connect(fd, SA(&to4), len4)) TH_LOG("%s", strerror(errno));
	sv = accept(l4, NULL, NULL);
	EXPECT_LE(0, sv);
	EXPECT_EQ(0, poll1(l6, POLLIN, 0));
	close(sv);
	close(fd);
	len6 = addr_parse(a6, port, &to6);
	ASSERT_NE(0U, len6);
	fd = socket_bounded(d6, SOCK_STREAM, TIMEO_MS);
	ASSERT_EQ(0, connect(fd, SA(&to6), len6)) TH_LOG("%s", strerror(errno));
	sv = accept(l6, NULL, NULL);
	EXPECT_LE(0, sv);
	EXPECT_EQ(0, poll1(l4, POLLIN, 0));
	close(sv);
	close(fd);

	/* Without the IPv6-only listener, a dual-stack one clashes with l4. */
	close(l6);
	fd = socket_bounded(d6, SOCK_STREAM, TIMEO_MS);
	any6.sin6_port = htons(port);
	EXPECT_EQ(-1, bind(fd, SA(&any6), sizeof(any6)));
	EXPECT_EQ(EADDRINUSE, errno);
	close(fd);

	/* No IPv4-mapped address for an IPv6-only socket. */
	fd = socket_bounded(d6, SOCK_STREAM, TIMEO_MS);
	ASSERT_EQ(0, set_int(fd, SOL_IPV6, IPV6_V6ONLY, 1));
	ASSERT_EQ(0, addr_v4(a4, true, &mapped));
	EXPECT_EQ(-1, bind(fd, SA(&mapped), sizeof(struct sockaddr_in6)));
	EXPECT_EQ(EINVAL, errno);
	set_port(&mapped, port);
	EXPECT_EQ(-1, connect(fd, SA(&mapped), sizeof(struct sockaddr_in6)));
	EXPECT_EQ(ENETUNREACH, errno);
	close(fd);
	close(l4);
}

/* TCP-level options and SO_KEEPALIVE: set, read back; the ranges TCP enforces. */
TEST_F(stream, tcp_options)
{
	const struct ctx *c = &self->c;
	int idle = read_long("/proc/sys/net/ipv4/tcp_keepalive_time", -1);
	int intvl = read_long("/proc/sys/net/ipv4/tcp_keepalive_intvl", -1);
	int cnt = read_long("/proc/sys/net/ipv4/tcp_keepalive_probes", -1);
	int fd[3], i, one = 1;
	struct sockaddr_storage at;
	int lfd, afd, bfd;

	fd[0] = SOCK_NEW(c);
	mkpair(_metadata, c, &fd[1], &fd[2]);
	for (i = 0; i < 3; i++) {
		/* defaults */
		EXPECT_EQ(0, get_int(fd[i], SOL_TCP, TCP_NODELAY));
		EXPECT_EQ(0, get_int(fd[i], SOL_TCP, TCP_CORK));
		EXPECT_EQ(0, get_int(fd[i], SOL_SOCKET, SO_KEEPALIVE));
		if (idle > 0) {
			EXPECT_EQ(idle, get_int(fd[i], SOL_TCP, TCP_KEEPIDLE));
		}
		if (intvl > 0) {
			EXPECT_EQ(intvl, get_int(fd[i], SOL_TCP, TCP_KEEPINTVL));
		}
		if (cnt > 0) {
			EXPECT_EQ(cnt, get_int(fd[i], SOL_TCP, TCP_KEEPCNT));
		}

		EXPECT_EQ(0, set_int(fd[i], SOL_TCP, TCP_NODELAY, 1));
		EXPECT_EQ(1, get_int(fd[i], SOL_TCP, TCP_NODELAY));
		EXPECT_EQ(0, set_int(fd[i], IPPROTO_TCP, TCP_NODELAY, 0));
		EXPECT_EQ(0, get_int(fd[i], IPPROTO_TCP, TCP_NODELAY));
		EXPECT_EQ(0, set_int(fd[i], SOL_TCP, TCP_CORK, 1));
		EXPECT_EQ(1, get_int(fd[i], SOL_TCP, TCP_CORK));
		EXPECT_EQ(0, set_int(fd[i], SOL_TCP, TCP_CORK, 0));
		EXPECT_EQ(0, get_int(fd[i], SOL_TCP, TCP_CORK));
		EXPECT_EQ(0, set_int(fd[i], SOL_SOCKET, SO_KEEPALIVE, 1));
		EXPECT_EQ(1, get_int(fd[i], SOL_SOCKET, SO_KEEPALIVE));
		EXPECT_EQ(0, set_int(fd[i], SOL_TCP, TCP_KEEPIDLE, 30 + i));
		EXPECT_EQ(30 + i, get_int(fd[i], SOL_TCP, TCP_KEEPIDLE));
		EXPECT_EQ(0, set_int(fd[i], SOL_TCP, TCP_KEEPINTVL, 5 + i));
		EXPECT_EQ(5 + i, get_int(fd[i], SOL_TCP, TCP_KEEPINTVL));
		EXPECT_EQ(0, set_int(fd[i], SOL_TCP, TCP_KEEPCNT, 4 + i));
		EXPECT_EQ(4 + i, get_int(fd[i], SOL_TCP, TCP_KEEPCNT));
		EXPECT_EQ(0, set_int(fd[i], SOL_SOCKET, SO_KEEPALIVE, 0));
		EXPECT_EQ(0, get_int(fd[i], SOL_SOCKET, SO_KEEPALIVE));

		/* out of range: EINVAL, and the old value stays */
		EXPECT_EQ(-1, set_int(fd[i], SOL_TCP, TCP_KEEPIDLE, 0));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, set_int(fd[i], SOL_TCP, TCP_KEEPIDLE, 32768));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, set_int(fd[i], SOL_TCP, TCP_KEEPINTVL, 0));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, set_int(fd[i], SOL_TCP, TCP_KEEPCNT, 0));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, set_int(fd[i], SOL_TCP, TCP_KEEPCNT, 128));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(30 + i, get_int(fd[i], SOL_TCP, TCP_KEEPIDLE));
		EXPECT_EQ(4 + i, get_int(fd[i], SOL_TCP, TCP_KEEPCNT));
		EXPECT_EQ(-1, setsockopt(fd[i], SOL_TCP, TCP_NODELAY, &one, 2));
		EXPECT_EQ(EINVAL, errno);
	}
	for (i = 0; i < 3; i++)
		close(fd[i]);

	/* An accepted socket inherits the listener's TCP_NODELAY and SO_KEEPALIVE. */
	lfd = SOCK_NEW(c);
	at = c->srv;
	ASSERT_EQ(0, set_int(lfd, SOL_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(0, set_int(lfd, SOL_SOCKET, SO_KEEPALIVE, 1));
	ASSERT_EQ(0, bind(lfd, SA(&at), c->alen));
	ASSERT_EQ(0, listen(lfd, 1));
	name_of(_metadata, c, lfd, false, &at);
	bfd = dial(_metadata, c, &at);
	afd = accept_one(_metadata, lfd);
	EXPECT_EQ(1, get_int(afd, SOL_TCP, TCP_NODELAY));
	EXPECT_EQ(1, get_int(afd, SOL_SOCKET, SO_KEEPALIVE));
	EXPECT_EQ(0, get_int(bfd, SOL_TCP, TCP_NODELAY));
	close(afd);
	close(bfd);
	close(lfd);
}

/* Bulk one way: random write and read sizes, every byte checked, CRC32 at both ends. */
TEST_F_TIMEOUT(stream, integrity, 600)
{
	const struct ctx *c = &self->c;
	uint64_t len = rsk_scaled(c->div, 256 * MiB);
	struct xfer w = { .name = "writer", .len = len, .seed = seed_of(11),
			  .rnd = 1, .end = XF_SHUT_WR };
	struct xfer r = { .name = "reader", .len = len, .seed = seed_of(11),
			  .rnd = 2, .end = XF_EOF };
	int cfd, sfd;

	mkpair(_metadata, c, &cfd, &sfd);
	w.fd = cfd;
	r.fd = sfd;
	XFER_START(&w, true);
	XFER_START(&r, false);
	EXPECT_XFER_OK(&w);
	EXPECT_XFER_OK(&r);
	EXPECT_EQ(w.crc, r.crc);
	TH_LOG("%llu MiB one way in %.0f ms: %.0f MiB/s, crc32 %08x",
	       (unsigned long long)(len / MiB), r.ms, mibps(len, r.ms), r.crc);
	close(cfd);
	close(sfd);
}

/* Bulk both ways at once. */
TEST_F_TIMEOUT(stream, integrity_bidir, 600)
{
	const struct ctx *c = &self->c;
	uint64_t len = rsk_scaled(c->div, 64 * MiB);
	struct xfer x[4] = {
		{ .name = "client writer", .len = len, .seed = seed_of(12),
		  .rnd = 3, .end = XF_SHUT_WR },
		{ .name = "server reader", .len = len, .seed = seed_of(12),
		  .rnd = 4, .end = XF_EOF },
		{ .name = "server writer", .len = len, .seed = seed_of(13),
		  .rnd = 5, .end = XF_SHUT_WR },
		{ .name = "client reader", .len = len, .seed = seed_of(13),
		  .rnd = 6, .end = XF_EOF },
	};
	double t0, ms;
	int cfd, sfd, i;

	mkpair(_metadata, c, &cfd, &sfd);
	x[0].fd = cfd;
	x[3].fd = cfd;
	x[1].fd = sfd;
	x[2].fd = sfd;
	t0 = now_ms();
	for (i = 0; i < 4; i++)
		XFER_START(&x[i], !(i & 1));
	for (i = 0; i < 4; i++) {
		EXPECT_XFER_OK(&x[i]);
	}
	ms = now_ms() - t0;
	EXPECT_EQ(x[0].crc, x[1].crc);
	EXPECT_EQ(x[2].crc, x[3].crc);
	TH_LOG("%llu MiB each way in %.0f ms: %.0f MiB/s in all",
	       (unsigned long long)(len / MiB), ms, mibps(2 * len, ms));
	close(cfd);
	close(sfd);
}

/* rdma_sock only: its links, while connections to the peer are open. */
static void check_links(struct __test_metadata *_metadata, const struct ctx *c)
{
	long links;

	if (!c->rdma)
		return;
	links = rsk_links_to(c->peer_text);
	ASSERT_LE(0, links) TH_LOG("cannot read " RSK_DEBUGFS "/links");
	EXPECT_LE(1, links);
	EXPECT_GE(rsk_links_max(c->to_self), links)
		TH_LOG("%ld links to %s (to self: %d)", links, c->peer_text,
		       c->to_self);
}

struct fan {
	int cfd, sfd;
	uint64_t sent, rcvd;
	uint32_t ccrc, scrc;
	bool shut, eof;
	int64_t bad;
};

/*
 * Many connections at once, all open before any data moves, one poll()
 * loop moving len bytes on each.  rdma_sock carries them all over one
 * link to the peer.
 */
TEST_F_TIMEOUT(stream, fanout, 600)
{
	const struct ctx *c = &self->c;
	int n = c->div > 1 ? 50 : 200, i, j, k, left, lfd, ret;
	uint64_t len = rsk_scaled(c->div, MiB), total;
	struct sockaddr_storage at, ss;
	struct pollfd *pfd;
	struct rlimit rl;
	struct fan *f;
	int *byport;
	bool halfway = false;
	static uint8_t buf[CHUNK], scratch[CHUNK];
	double t0, last, ms;
	ssize_t got;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur < (rlim_t)(2 * n + 64)) {
		rl.rlim_cur = 2 * n + 64;
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl))
			TH_LOG("need %d fds: %s", 2 * n + 64, strerror(errno));
	}
	f = calloc(n, sizeof(*f));
	pfd = calloc(2 * n, sizeof(*pfd));
	byport = calloc(65536, sizeof(*byport));
	ASSERT_TRUE(f && pfd && byport);

	/* All connect before any is accepted: the accept queue holds them. */
	lfd = listener(_metadata, c, n, &at);
	for (i = 0; i < n; i++) {
		f[i].cfd = dial(_metadata, c, &at);
		f[i].bad = -1;
		name_of(_metadata, c, f[i].cfd, false, &ss);
		byport[port_of(&ss)] = i + 1;
	}
	for (i = 0; i < n; i++) {
		k = accept_one(_metadata, lfd);
		name_of(_metadata, c, k, true, &ss);
		j = byport[port_of(&ss)] - 1;
		ASSERT_LE(0, j) TH_LOG("accepted an unknown %s", addr_str(&ss));
		ASSERT_EQ(0, f[j].sfd) TH_LOG("accepted %s twice", addr_str(&ss));
		f[j].sfd = k;
	}
	close(lfd);
	check_links(_metadata, c);

	t0 = now_ms();
	last = t0;
	left = n;
	while (left) {
		for (i = 0; i < n; i++) {
			pfd[2 * i] = (struct pollfd){ .fd = f[i].shut ? -1 : f[i].cfd,
						      .events = POLLOUT };
			pfd[2 * i + 1] = (struct pollfd){
				.fd = f[i].eof ? -1 : f[i].sfd, .events = POLLIN };
		}
		ret = poll(pfd, 2 * n, 10000);
		ASSERT_LE(0, ret) TH_LOG("poll: %s", strerror(errno));
		ASSERT_GT(30000, now_ms() - last)
			TH_LOG("no progress for 30 s, %d connections left", left);
		for (i = 0; i < n; i++) {
			struct fan *p = &f[i];

			if (pfd[2 * i].revents) {
				size_t want = len - p->sent < CHUNK ?
					      len - p->sent : CHUNK;

				pattern(buf, want, seed_of(1000 + i), p->sent);
				got = send(p->cfd, buf, want,
					   MSG_DONTWAIT | MSG_NOSIGNAL);
				if (got < 0) {
					ASSERT_EQ(EAGAIN, errno)
						TH_LOG("send %d: %s", i, strerror(errno));
				}
				if (got > 0) {
					p->ccrc = crc32_update(p->ccrc, buf, got);
					p->sent += got;
					last = now_ms();
				}
				if (p->sent == len) {
					ASSERT_EQ(0, shutdown(p->cfd, SHUT_WR));
					p->shut = true;
				}
			}
			if (pfd[2 * i + 1].revents) {
				got = recv(p->sfd, buf, sizeof(buf), MSG_DONTWAIT);
				if (got < 0) {
					ASSERT_EQ(EAGAIN, errno)
						TH_LOG("recv %d: %s", i, strerror(errno));
				}
				if (got > 0) {
					if (p->bad < 0)
						p->bad = pattern_bad(buf, got,
								     seed_of(1000 + i),
								     p->rcvd, scratch);
					p->scrc = crc32_update(p->scrc, buf, got);
					p->rcvd += got;
					last = now_ms();
				}
				if (!got) {
					p->eof = true;
					left--;
				}
			}
		}
		if (!halfway && left <= n / 2) {
			check_links(_metadata, c);
			halfway = true;
		}
	}
	ms = now_ms() - t0;
	total = 0;
	for (i = 0; i < n; i++) {
		EXPECT_EQ(len, f[i].rcvd) TH_LOG("connection %d", i);
		EXPECT_EQ(f[i].ccrc, f[i].scrc) TH_LOG("connection %d", i);
		EXPECT_EQ(-1, f[i].bad) TH_LOG("connection %d: byte %lld", i,
					       (long long)f[i].bad);
		total += f[i].rcvd;
		close(f[i].cfd);
		close(f[i].sfd);
	}
	TH_LOG("%d connections x %llu KiB in %.0f ms: %.0f MiB/s", n,
	       (unsigned long long)(len / KiB), ms, mibps(total, ms));
	free(f);
	free(pfd);
	free(byport);
}

/*
 * Flow control is per connection: with A's reader stalled and A's writer
 * blocked, B to the same peer moves its data; then A's reader drains and
 * A's writer completes.
 */
TEST_F(stream, flow_control)
{
	const struct ctx *c = &self->c;
	uint64_t blen = rsk_scaled(c->div, 16 * MiB);
	uint64_t more = rsk_scaled(c->div, 4 * MiB);
	uint64_t filled = 0, before;
	struct xfer bw = { .name = "B writer", .len = blen, .seed = seed_of(14),
			   .end = XF_SHUT_WR };
	struct xfer br = { .name = "B reader", .len = blen, .seed = seed_of(14),
			   .end = XF_EOF };
	struct xfer aw = { .name = "A writer", .seed = seed_of(15),
			   .nonblock = true, .len = more, .end = XF_SHUT_WR };
	struct xfer ar = { .name = "A reader", .seed = seed_of(15),
			   .end = XF_EOF };
	struct sockaddr_storage at;
	int lfd, ca, sa, cb, sb;
	double t0;

	lfd = listener(_metadata, c, 4, &at);
	ca = dial(_metadata, c, &at);
	sa = accept_one(_metadata, lfd);
	cb = dial(_metadata, c, &at);
	sb = accept_one(_metadata, lfd);
	close(lfd);

	ASSERT_EQ(0, fill(ca, aw.seed, &filled));
	ASSERT_EQ(0, poll1(ca, POLLOUT, 0));
	aw.fd = ca;
	aw.off = filled;
	XFER_START(&aw, true);
	WAIT_UNTIL(__atomic_load_n(&aw.eagain, __ATOMIC_SEQ_CST), WAIT_MS, 1);
	ASSERT_LT(0UL, __atomic_load_n(&aw.eagain, __ATOMIC_SEQ_CST))
		TH_LOG("A's writer never blocked: %llu bytes more",
		       (unsigned long long)xfer_done(&aw));
	before = xfer_done(&aw);

	bw.fd = cb;
	br.fd = sb;
	t0 = now_ms();
	XFER_START(&bw, true);
	XFER_START(&br, false);
	EXPECT_XFER_OK(&bw);
	EXPECT_XFER_OK(&br);
	EXPECT_EQ(bw.crc, br.crc);
	EXPECT_GE(20000, now_ms() - t0);
	TH_LOG("A stalled with %llu KiB queued; B moved %llu MiB in %.0f ms",
	       (unsigned long long)(filled / KiB),
	       (unsigned long long)(blen / MiB), now_ms() - t0);
	/*
	 * A's writer is still blocked.  (A TCP receiver that does not read
	 * may still take a little, compacting what it holds: A need not
	 * stand quite still, but it cannot have finished.)
	 */
	EXPECT_GT(aw.len, xfer_done(&aw));
	TH_LOG("A's writer moved %llu bytes meanwhile",
	       (unsigned long long)(xfer_done(&aw) - before));

	ar.fd = sa;
	ar.len = filled + more;
	XFER_START(&ar, false);
	EXPECT_XFER_OK(&aw);
	EXPECT_XFER_OK(&ar);
	close(ca);
	close(sa);
	close(cb);
	close(sb);
}

TEST_HARNESS_MAIN
