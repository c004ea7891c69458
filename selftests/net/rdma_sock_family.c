// SPDX-License-Identifier: GPL-2.0
/*
 * The address family itself: registration, socket() for each type, the
 * errnos for what it refuses, module autoload and reference counting, and
 * device removal under an open socket.
 *
 * Needs root, rdma_sock.ko where modprobe finds it (the test bed sets that
 * up) and, for the device tests, an rxe device named by RSK_IBDEV (default
 * rxe0) on the netdev RSK_NETDEV (default eth0).
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "rsk_selftest.h"

static struct sockaddr_in any_v4(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(18515);
	return sin;
}

/* The module is loaded, under the name and family the ABI header says. */
TEST(family_registered)
{
	char line[256];
	int stream = 0, dgram = 0;
	FILE *f;
	int fd;

	fd = socket(AF_RDMA_STREAM, SOCK_STREAM, 0);
	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	close(fd);
	ASSERT_TRUE(rsk_module_loaded());
	EXPECT_EQ(AF_RDMA_STREAM, rsk_family());

	/* proto_register() lists both protos, with their slab caches. */
	f = fopen("/proc/net/protocols", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		stream |= !strncmp(line, "RDMA_STREAM ", 12);
		dgram |= !strncmp(line, "RDMA_DGRAM ", 11);
	}
	fclose(f);
	EXPECT_TRUE(stream);
	EXPECT_TRUE(dgram);
}

FIXTURE(sock) {
	int fd;
};

FIXTURE_VARIANT(sock) {
	int type;
	int protocol;
	int reported;	/* SO_PROTOCOL: TCP and UDP report theirs for 0 too */
};

FIXTURE_VARIANT_ADD(sock, stream) {
	.type = SOCK_STREAM, .protocol = 0, .reported = IPPROTO_TCP
};
FIXTURE_VARIANT_ADD(sock, stream_tcp) {
	.type = SOCK_STREAM, .protocol = IPPROTO_TCP, .reported = IPPROTO_TCP
};
FIXTURE_VARIANT_ADD(sock, dgram) {
	.type = SOCK_DGRAM, .protocol = 0, .reported = IPPROTO_UDP
};
FIXTURE_VARIANT_ADD(sock, dgram_udp) {
	.type = SOCK_DGRAM, .protocol = IPPROTO_UDP, .reported = IPPROTO_UDP
};

FIXTURE_SETUP(sock)
{
	self->fd = socket(AF_RDMA_STREAM, variant->type, variant->protocol);
	ASSERT_LE(0, self->fd) TH_LOG("socket: %s", strerror(errno));
}

FIXTURE_TEARDOWN(sock)
{
	close(self->fd);
}

/* The socket reports what it is, as any socket does. */
TEST_F(sock, identity)
{
	int val;
	socklen_t len = sizeof(val);

	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_TYPE, &val, &len));
	EXPECT_EQ(variant->type, val);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_DOMAIN, &val, &len));
	EXPECT_EQ(rsk_family(), val);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_PROTOCOL, &val, &len));
	EXPECT_EQ(variant->reported, val);
	/* SOL_SOCKET options are the socket layer's and work already. */
	val = 1 << 20;
	ASSERT_EQ(0, setsockopt(self->fd, SOL_SOCKET, SO_RCVBUF, &val, len));
}

/*
 * Datagram sockets take no TCP-level option (ENOPROTOOPT) and no out of
 * band data (EOPNOTSUPP), as UDP's; rdma_sock_dgram covers the rest.
 */
TEST(dgram_not_tcp)
{
	struct sockaddr_in sin = any_v4();
	char buf[16] = "x";
	int one = 1;
	int fd;

	fd = socket(AF_RDMA_DGRAM, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	EXPECT_EQ(-1, sendto(fd, buf, 1, MSG_OOB, (struct sockaddr *)&sin,
			     sizeof(sin)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, setsockopt(fd, SOL_TCP, TCP_NODELAY, &one, sizeof(one)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	close(fd);
}

/* Malformed addresses get the errnos TCP gives them. */
TEST_F(sock, bad_addresses)
{
	struct sockaddr_in sin = any_v4();
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr_storage ss = { .ss_family = AF_UNIX };

	EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&ss, sizeof(ss)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&sin, sizeof(sin) - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&sin, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&sin6, 23));
	EXPECT_EQ(EINVAL, errno);
	/* fe80::/10 without a scope id names no interface. */
	sin6.sin6_addr.s6_addr[0] = 0xfe;
	sin6.sin6_addr.s6_addr[1] = 0x80;
	sin6.sin6_addr.s6_addr[15] = 1;
	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&sin6, sizeof(sin6)));
	EXPECT_EQ(EINVAL, errno);
}

/* A new socket polls as TCP's and UDP's do: never blocks, never hangs. */
TEST_F(sock, poll_new_socket)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLOUT);
	EXPECT_FALSE(pfd.revents & POLLIN);
	EXPECT_EQ(variant->type == SOCK_STREAM, !!(pfd.revents & POLLHUP));
}

/* A forked child shares the socket, as with any fd. */
TEST_F(sock, fork_shares_socket)
{
	int status, val;
	socklen_t len = sizeof(val);
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(getsockopt(self->fd, SOL_SOCKET, SO_TYPE, &val, &len) ||
		      val != variant->type);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(type_flags)
{
	int fd = socket(AF_RDMA_STREAM, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST(bad_type)
{
	static const int types[] = { SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET, SOCK_PACKET };
	unsigned int i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		EXPECT_EQ(-1, socket(AF_RDMA_STREAM, types[i], 0))
			TH_LOG("type %d", types[i]);
		EXPECT_EQ(ESOCKTNOSUPPORT, errno);
	}
}

TEST(bad_protocol)
{
	EXPECT_EQ(-1, socket(AF_RDMA_STREAM, SOCK_STREAM, IPPROTO_UDP));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_EQ(-1, socket(AF_RDMA_DGRAM, SOCK_DGRAM, IPPROTO_TCP));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_EQ(-1, socket(AF_RDMA_STREAM, SOCK_STREAM, 4242));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
}

/* Every socket is counted while it lives and only then. */
TEST(sockets_counted)
{
	long before;
	int fds[64];
	int i;

	close(socket(AF_RDMA_STREAM, SOCK_STREAM, 0));	/* loads the module */
	before = rsk_counter("sockets");
	ASSERT_LE(0, before) TH_LOG("no counters in " RSK_DEBUGFS);
	for (i = 0; i < 64; i++) {
		fds[i] = socket(AF_RDMA_STREAM, i & 1 ? SOCK_DGRAM : SOCK_STREAM, 0);
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(before + 64, rsk_counter("sockets"));
	for (i = 0; i < 64; i++)
		close(fds[i]);
	EXPECT_EQ(before, rsk_counter("sockets"));
}

/*
 * socket() loads the module through its net-pf-N alias; an open socket
 * pins it; once the last one is closed it unloads.
 */
TEST(autoload_and_module_refcount)
{
	int fd, err;

	if (rsk_module_loaded()) {
		err = rsk_module_unload();
		ASSERT_EQ(0, err) TH_LOG("cannot unload: %s", strerror(-err));
	}
	ASSERT_FALSE(rsk_module_loaded());

	fd = socket(AF_RDMA_STREAM, SOCK_STREAM, 0);
	ASSERT_LE(0, fd) TH_LOG("autoload failed: %s", strerror(errno));
	ASSERT_TRUE(rsk_module_loaded());

	EXPECT_EQ(-EWOULDBLOCK, rsk_module_unload());
	EXPECT_TRUE(rsk_module_loaded());

	close(fd);
	fd = socket(AF_RDMA_DGRAM, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, rsk_module_unload());
	close(fd);

	EXPECT_EQ(0, rsk_module_unload());
	EXPECT_FALSE(rsk_module_loaded());

	/* Leave it loaded for whatever runs next. */
	fd = socket(AF_RDMA_STREAM, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	close(fd);
}

/* `rdma link del` under open sockets unbinds the device; re-adding binds it. */
TEST(device_removal_with_open_sockets)
{
	const char *ibdev = rsk_env("RSK_IBDEV", "rxe0");
	const char *netdev = rsk_env("RSK_NETDEV", "eth0");
	long devices;
	char cmd[256];
	int s, d;

	s = socket(AF_RDMA_STREAM, SOCK_STREAM, 0);
	d = socket(AF_RDMA_DGRAM, SOCK_DGRAM, 0);
	ASSERT_LE(0, s);
	ASSERT_LE(0, d);
	if (rsk_device_bound(ibdev) != 1)
		SKIP(goto out, "no %s bound to rdma_sock", ibdev);
	devices = rsk_counter("devices");
	ASSERT_LE(1, devices);

	ASSERT_EQ(0, rsk_run("rdma link del %s", ibdev));
	EXPECT_EQ(0, rsk_device_bound(ibdev));
	EXPECT_EQ(devices - 1, rsk_counter("devices"));

	snprintf(cmd, sizeof(cmd), "rdma link add %s type rxe netdev %s",
		 ibdev, netdev);
	ASSERT_EQ(0, rsk_run("%s", cmd));
	EXPECT_EQ(1, rsk_device_bound(ibdev));
	EXPECT_EQ(devices, rsk_counter("devices"));

	/* The sockets lived through it. */
	EXPECT_EQ(-EWOULDBLOCK, rsk_module_unload());
out:
	close(s);
	close(d);
}

/*
 * The device goes while links over it are being set up (rdma_cm resolving
 * the address, the route, connecting): every connect ends, none hangs, the
 * kernel stays whole (the debug kernel's KASAN and lockdep watch), and once
 * the device is back, connects work again.  Each round removes it a
 * little later into the setup.
 */
/*
 * A fixture of nothing, for the tests that need more than the harness's
 * 30 s: device removal and re-adding, seven times, take most of that on
 * the debug kernel under TCG.
 */
FIXTURE(slow) {
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, device_removal_during_link_setup, 180)
{
	static const int delay_ms[] = { 0, 1, 3, 8, 20, 50, 120 };
	const char *ibdev = rsk_env("RSK_IBDEV", "rxe0");
	const char *netdev = rsk_env("RSK_NETDEV", "eth0");
	const char *addr = rsk_env("RSK_ADDR", "10.99.0.1");
	struct sockaddr_storage ss;
	char add[256];
	size_t r;

	if (rsk_device_bound(ibdev) != 1)
		SKIP(return, "no %s bound to rdma_sock", ibdev);
	snprintf(add, sizeof(add), "rdma link add %s type rxe netdev %s",
		 ibdev, netdev);
	for (r = 0; r < ARRAY_SIZE(delay_ms); r++) {
		struct pollfd pfd[4];
		socklen_t len;
		int l, i;

		l = socket(AF_RDMA_STREAM, SOCK_STREAM, 0);
		ASSERT_LE(0, l);
		len = addr_parse(addr, 0, &ss);
		ASSERT_LT(0, (int)len);
		ASSERT_EQ(0, bind(l, (struct sockaddr *)&ss, len));
		ASSERT_EQ(0, listen(l, 8));
		ASSERT_EQ(0, getsockname(l, (struct sockaddr *)&ss, &len));
		for (i = 0; i < 4; i++) {
			pfd[i].fd = socket(AF_RDMA_STREAM,
					   SOCK_STREAM | SOCK_NONBLOCK, 0);
			pfd[i].events = POLLOUT;
			ASSERT_LE(0, pfd[i].fd);
			EXPECT_EQ(-1, connect(pfd[i].fd,
					      (struct sockaddr *)&ss, len));
			EXPECT_EQ(EINPROGRESS, errno);
		}
		usleep(delay_ms[r] * 1000);
		ASSERT_EQ(0, rsk_run("rdma link del %s", ibdev));
		EXPECT_EQ(0, rsk_device_bound(ibdev));
		/* Each connect ends: connected then reset, or failed. */
		for (i = 0; i < 4; i++) {
			int err = 0;
			socklen_t elen = sizeof(err);

			EXPECT_EQ(1, poll(&pfd[i], 1, 20000))
				TH_LOG("round %zu: connect %d hangs", r, i);
			EXPECT_EQ(0, getsockopt(pfd[i].fd, SOL_SOCKET,
						SO_ERROR, &err, &elen));
			close(pfd[i].fd);
		}
		close(l);
		ASSERT_EQ(0, rsk_run("%s", add));
		ASSERT_EQ(1, rsk_device_bound(ibdev));
	}
	/* The device is bound anew and carries a connection. */
	{
		int l = socket(AF_RDMA_STREAM, SOCK_STREAM, 0);
		int c = socket(AF_RDMA_STREAM, SOCK_STREAM, 0);
		socklen_t len = addr_parse(addr, 0, &ss);
		int a;

		ASSERT_LE(0, l);
		ASSERT_LE(0, c);
		ASSERT_EQ(0, bind(l, (struct sockaddr *)&ss, len));
		ASSERT_EQ(0, listen(l, 1));
		ASSERT_EQ(0, getsockname(l, (struct sockaddr *)&ss, &len));
		EXPECT_EQ(0, connect(c, (struct sockaddr *)&ss, len))
			TH_LOG("connect after the rounds: %s", strerror(errno));
		a = accept(l, NULL, NULL);
		EXPECT_LE(0, a);
		EXPECT_EQ(2, send(c, "ok", 2, 0));
		close(a);
		close(c);
		close(l);
	}
	/* Its links to this host go, for the tests that count links. */
	{
		long idle = read_long("/proc/sys/net/rdma_sock/link_idle_ms", 60000);
		char text[24];

		ASSERT_EQ(0, rsk_run("sysctl -qw net.rdma_sock.link_idle_ms=%s",
				     "500"));
		EXPECT_TRUE(WAIT_UNTIL(rsk_counter("links") == 0, 30000, 100));
		snprintf(text, sizeof(text), "%ld", idle);
		EXPECT_EQ(0, rsk_run("sysctl -qw net.rdma_sock.link_idle_ms=%s",
				     text));
	}
}

TEST_HARNESS_MAIN
