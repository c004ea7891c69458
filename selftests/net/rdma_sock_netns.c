// SPDX-License-Identifier: GPL-2.0
/*
 * Network namespaces: ports, settings, counters and links belong to the
 * namespace a socket was made in, as TCP's do, and a namespace the module
 * has seen is freed once nothing uses it.
 *
 * Each test runs in its own process (the harness forks), switches between
 * the initial namespace and a new one with unshare()/setns(), and reads
 * the namespace's own view in /proc/net/rdma_sock and
 * /proc/sys/net/rdma_sock, which resolve to the current namespace.
 *
 * Needs root and, for the link tests, an rxe device on RSK_ADDR (default
 * 10.99.0.1) in the initial namespace: rxe in Linux 6.12 works in the
 * initial namespace only (its UDP sockets and routes are init_net's), so
 * a new namespace here has no RDMA device of its own.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/sock_diag.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "rsk_selftest.h"

#define RSK_SYSCTL_DIR "/proc/sys/net/rdma_sock/"

/* A sysctl of the current namespace, or -1. */
static long sysctl_get(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), RSK_SYSCTL_DIR "%s", name);
	return read_long(path, -1);
}

/* Write a sysctl of the current namespace: 0 or -errno. */
static int sysctl_set(const char *name, const char *text)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), RSK_SYSCTL_DIR "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

static int sysctl_set_int(const char *name, long val)
{
	char text[32];

	snprintf(text, sizeof(text), "%ld", val);
	return sysctl_set(name, text);
}

/* Wait until the current namespace has no link; whether it got there. */
static bool links_gone(int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		if (rsk_ns_counter("links") == 0)
			return true;
		sleep_ms(100);
	}
	return false;
}

/*
 * Let the namespace's idle links go (link_idle_ms 500 for a while, then
 * @idle0 again), so that what runs next finds none up already; whether
 * they went.
 */
static bool links_drained(long idle0)
{
	bool gone;

	if (sysctl_set_int("link_idle_ms", 500))
		return false;
	gone = links_gone(30);
	return !sysctl_set_int("link_idle_ms", idle0) && gone;
}

/* Enter a new namespace with its loopback up; 0 or -errno. */
static int enter_new_ns(void)
{
	if (unshare(CLONE_NEWNET))
		return -errno;
	return rsk_run("ip link set lo up %s", "") ? -EIO : 0;
}

static int go_to_ns(int nsfd)
{
	return setns(nsfd, CLONE_NEWNET) ? -errno : 0;
}

static int rdma_socket(void)
{
	return socket(AF_RDMA_STREAM, SOCK_STREAM, 0);
}

/* Bind an IPv4 wildcard socket to @port (0: any); its port, or -errno. */
static int bind_any(int fd, uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	socklen_t len = sizeof(sin);

	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		return -errno;
	if (getsockname(fd, (struct sockaddr *)&sin, &len))
		return -errno;
	return ntohs(sin.sin_port);
}

FIXTURE(ns)
{
	int init_ns;
	int new_ns;
};

FIXTURE_SETUP(ns)
{
	self->init_ns = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_LE(0, self->init_ns);
	ASSERT_EQ(0, enter_new_ns());
	self->new_ns = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_LE(0, self->new_ns);
	ASSERT_EQ(0, go_to_ns(self->init_ns));
}

FIXTURE_TEARDOWN(ns)
{
	close(self->new_ns);
	close(self->init_ns);
}

/* The same port is free in each namespace, and taken within one. */
TEST_F(ns, ports_per_namespace)
{
	int a, b, c, d, port;

	a = rdma_socket();
	ASSERT_LE(0, a);
	port = bind_any(a, 0);
	ASSERT_LT(0, port);
	ASSERT_EQ(0, listen(a, 4));

	ASSERT_EQ(0, go_to_ns(self->new_ns));
	b = rdma_socket();
	c = rdma_socket();
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	EXPECT_EQ(port, bind_any(b, port));
	EXPECT_EQ(0, listen(b, 4)) TH_LOG("listen: %s", strerror(errno));
	EXPECT_EQ(-EADDRINUSE, bind_any(c, port));

	ASSERT_EQ(0, go_to_ns(self->init_ns));
	d = rdma_socket();
	ASSERT_LE(0, d);
	EXPECT_EQ(-EADDRINUSE, bind_any(d, port));
	close(a);
	close(b);
	close(c);
	close(d);
}

/* /proc/net/rdma_sock counts the namespace's own sockets only. */
TEST_F(ns, counters_per_namespace)
{
	long init_socks, new_socks;
	int fds[3], i;

	init_socks = rsk_ns_counter("sockets");
	ASSERT_LE(0, init_socks);
	ASSERT_EQ(0, go_to_ns(self->new_ns));
	new_socks = rsk_ns_counter("sockets");
	EXPECT_EQ(0, new_socks);
	EXPECT_EQ(0, rsk_ns_counter("links"));
	EXPECT_EQ(0, rsk_ns_counter("connects"));
	for (i = 0; i < 3; i++) {
		fds[i] = rdma_socket();
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(3, rsk_ns_counter("sockets"));
	ASSERT_EQ(0, go_to_ns(self->init_ns));
	EXPECT_EQ(init_socks, rsk_ns_counter("sockets"));
	for (i = 0; i < 3; i++)
		close(fds[i]);
	ASSERT_EQ(0, go_to_ns(self->new_ns));
	EXPECT_EQ(0, rsk_ns_counter("sockets"));
}

/*
 * Every setting exists in a new namespace with its default, changes there
 * alone, and refuses out-of-range and malformed values with EINVAL.
 */
TEST_F(ns, sysctls_per_namespace)
{
	static const struct {
		const char *name;
		long def, lo, hi;
	} tab[] = {
		{ "link_port", 886, 1, 65535 },
		{ "link_idle_ms", 60000, 100, 86400000 },
		{ "link_keepalive_ms", 5000, 100, 3600000 },
		{ "max_pending_links", 64, 1, 65536 },
		{ "max_links", 1024, 1, 65536 },
		{ "max_links_per_peer", 16, 1, 65536 },
		{ "max_half_open", 256, 0, 65536 },
		{ "max_half_open_per_link", 1024, 0, 65536 },
		{ "half_open_timeout_ms", 10000, 100, 600000 },
		{ "dgram_port", 886, 1, 65535 },
		{ "dgram_neigh_ttl_ms", 60000, 100, 86400000 },
		{ "dgram_max_neighs", 1024, 1, 65536 },
	};
	long init_val[ARRAY_SIZE(tab)];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tab); i++)
		init_val[i] = sysctl_get(tab[i].name);
	ASSERT_EQ(0, go_to_ns(self->new_ns));
	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		const char *name = tab[i].name;

		EXPECT_EQ(tab[i].def, sysctl_get(name)) TH_LOG("%s", name);
		EXPECT_EQ(0, sysctl_set_int(name, tab[i].lo)) TH_LOG("%s", name);
		EXPECT_EQ(tab[i].lo, sysctl_get(name)) TH_LOG("%s", name);
		EXPECT_EQ(0, sysctl_set_int(name, tab[i].hi)) TH_LOG("%s", name);
		EXPECT_EQ(tab[i].hi, sysctl_get(name)) TH_LOG("%s", name);
		EXPECT_EQ(-EINVAL, sysctl_set_int(name, tab[i].lo - 1))
			TH_LOG("%s", name);
		EXPECT_EQ(-EINVAL, sysctl_set_int(name, tab[i].hi + 1))
			TH_LOG("%s", name);
		EXPECT_EQ(-EINVAL, sysctl_set(name, "many")) TH_LOG("%s", name);
		EXPECT_EQ(tab[i].hi, sysctl_get(name)) TH_LOG("%s", name);
	}
	ASSERT_EQ(0, go_to_ns(self->init_ns));
	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		long now = sysctl_get(tab[i].name);

		EXPECT_EQ(init_val[i], now) TH_LOG("sysctl %zu", i);
	}
}

/*
 * A namespace without an RDMA device has no route to the test address:
 * connect() fails as TCP's does there, and no link is left behind.
 */
TEST_F(ns, no_route_in_namespace)
{
	const char *peer = rsk_env("RSK_ADDR", "10.99.0.1");
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, tcp_err, rdma_err;

	len = addr_parse(peer, 9, &ss);
	ASSERT_LT(0, (int)len);
	ASSERT_EQ(0, go_to_ns(self->new_ns));

	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&ss, len));
	tcp_err = errno;
	close(fd);

	fd = rdma_socket();
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&ss, len));
	rdma_err = errno;
	close(fd);
	EXPECT_EQ(ENETUNREACH, tcp_err) TH_LOG("tcp: %s", strerror(tcp_err));
	EXPECT_EQ(tcp_err, rdma_err) TH_LOG("rdma: %s", strerror(rdma_err));
	EXPECT_LE(1, rsk_ns_counter("links_failed"));
	/* A failed link is freed at once, not left to idle out. */
	links_gone(5);
	EXPECT_EQ(0, rsk_ns_counter("links"));
}

/*
 * A namespace that had listening and connecting sockets is freed once its
 * last process leaves: the module's state in it (the link listener, an
 * rdma_cm id that holds the namespace) must not keep it alive.
 */
TEST(namespace_freed)
{
	long before = -1, now = -1;
	int st, i;
	pid_t pid;

	/*
	 * The guest has no namespace but the initial one: the ones the
	 * tests above made (with listeners in them) must be gone too.
	 */
	for (i = 0; i < 300 && before != 1; i++) {
		before = rsk_counter("namespaces");
		sleep_ms(100);
	}
	ASSERT_EQ(1, before);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		};
		int l, c;

		if (enter_new_ns())
			_exit(2);
		if (rsk_counter("namespaces") != before + 1)
			_exit(3);
		l = rdma_socket();
		c = rdma_socket();
		if (l < 0 || c < 0 || bind_any(l, 0) <= 0 || listen(l, 4))
			_exit(4);
		sin.sin_port = htons(1);
		connect(c, (struct sockaddr *)&sin, sizeof(sin));
		_exit(0);	/* exit closes both */
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	for (i = 0; i < 300; i++) {
		now = rsk_counter("namespaces");
		if (now == before)
			break;
		sleep_ms(100);
	}
	EXPECT_EQ(before, now);
}

/*
 * Wait up to 30 s for process @pid, named @comm, to listen with rdma_cm on
 * 0.0.0.0:@port: 0, or -1 if it exited or never did.
 */
static int await_cm_listener(pid_t pid, const char *comm, long port)
{
	char grep[128];
	int i, st;

	snprintf(grep, sizeof(grep),
		 "rdma res show cm_id | grep -q 'comm %s src-addr 0.0.0.0:%ld '",
		 comm, port);
	for (i = 0; i < 300; i++) {
		if (!rsk_run("%s", grep))
			return 0;
		if (waitpid(pid, &st, WNOHANG))
			return -1;
		sleep_ms(100);
	}
	return -1;
}

/*
 * net.rdma_sock.link_port is the port links are set up on, and
 * link_idle_ms how long an unused one stays: with another rdma_cm user
 * holding the default port, listen() fails (EADDRINUSE); on another port
 * links come up, carry data, and close soon after their sockets.
 */
TEST_F_TIMEOUT(ns, link_port_and_idle_sysctls, 300)
{
	const char *addr = rsk_env("RSK_ADDR", "10.99.0.1");
	long port0 = sysctl_get("link_port");
	long idle0 = sysctl_get("link_idle_ms");
	struct sockaddr_storage ss;
	int l, c, a, port;
	char buf[4] = "ping";
	socklen_t len;
	pid_t rping;

	ASSERT_LT(0, port0);
	ASSERT_LT(0, idle0);
	/* Links earlier tests left must go, so that ours is a new one. */
	ASSERT_EQ(0, sysctl_set_int("link_idle_ms", 500));
	ASSERT_TRUE(links_gone(30));

	rping = fork();
	ASSERT_LE(0, rping);
	if (rping == 0) {
		char p[24];

		snprintf(p, sizeof(p), "%ld", port0);
		execlp("rping", "rping", "-s", "-a", "0.0.0.0", "-p", p, NULL);
		_exit(127);
	}
	/* rping may take seconds to start (the debug kernel is slow). */
	ASSERT_EQ(0, await_cm_listener(rping, "rping", port0))
		TH_LOG("rping never listened on %ld", port0);

	l = rdma_socket();
	ASSERT_LE(0, l);
	port = bind_any(l, 0);
	ASSERT_LT(0, port);
	EXPECT_EQ(-1, listen(l, 4));
	EXPECT_EQ(EADDRINUSE, errno);

	ASSERT_EQ(0, sysctl_set_int("link_port", port0 + 1));
	EXPECT_EQ(0, listen(l, 4)) TH_LOG("listen: %s", strerror(errno));
	len = addr_parse(addr, port, &ss);
	ASSERT_LT(0, (int)len);
	c = rdma_socket();
	ASSERT_LE(0, c);
	EXPECT_EQ(0, connect(c, (struct sockaddr *)&ss, len))
		TH_LOG("connect: %s", strerror(errno));
	a = accept(l, NULL, NULL);
	EXPECT_LE(0, a);
	EXPECT_EQ(4, send(c, buf, 4, 0));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, recv(a, buf, 4, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	EXPECT_LE(1, rsk_ns_counter("links"));

	kill(rping, SIGTERM);
	waitpid(rping, NULL, 0);
	close(a);
	close(c);
	close(l);
	EXPECT_TRUE(links_gone(30));
	EXPECT_EQ(0, sysctl_set_int("link_port", port0));
	EXPECT_EQ(0, sysctl_set_int("link_idle_ms", idle0));
}

/*
 * net.rdma_sock.dgram_port is where peers resolve the namespace's
 * datagram endpoints (rdma_cm SIDR, the UDP port space): moved to the
 * port another rdma_cm user holds (udaddy's server, on its fixed 7174),
 * a datagram socket cannot take a port (EADDRINUSE); on the next port
 * datagrams flow.
 */
#define UDADDY_PORT	7174

TEST_F_TIMEOUT(ns, dgram_port_sysctl, 300)
{
	const char *addr = rsk_env("RSK_ADDR", "10.99.0.1");
	long port0 = sysctl_get("dgram_port");
	struct sockaddr_storage ss;
	int a, b, port;
	char buf[4] = "ping";
	socklen_t len;
	pid_t udaddy;

	ASSERT_LT(0, port0);
	udaddy = fork();
	ASSERT_LE(0, udaddy);
	if (udaddy == 0) {
		execlp("udaddy", "udaddy", NULL);
		_exit(127);
	}
	ASSERT_EQ(0, await_cm_listener(udaddy, "udaddy", UDADDY_PORT))
		TH_LOG("udaddy never listened on %d", UDADDY_PORT);

	a = rsk_socket(SOCK_DGRAM);
	b = rsk_socket(SOCK_DGRAM);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	len = addr_parse(addr, 0, &ss);
	ASSERT_LT(0, (int)len);
	ASSERT_EQ(0, sysctl_set_int("dgram_port", UDADDY_PORT));
	EXPECT_EQ(-1, bind(a, (struct sockaddr *)&ss, len));
	EXPECT_EQ(EADDRINUSE, errno);

	ASSERT_EQ(0, sysctl_set_int("dgram_port", UDADDY_PORT + 1));
	ASSERT_EQ(0, bind(a, (struct sockaddr *)&ss, len))
		TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(a, (struct sockaddr *)&ss, &len));
	ASSERT_EQ(0, set_timeo(b, SO_RCVTIMEO, 10000));
	ASSERT_EQ(0, set_timeo(a, SO_RCVTIMEO, 10000));
	EXPECT_EQ(4, sendto(b, buf, 4, 0, (struct sockaddr *)&ss, len))
		TH_LOG("sendto: %s", strerror(errno));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, recv(a, buf, sizeof(buf), 0)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	port = port_of(&ss);
	EXPECT_LT(0, port);

	kill(udaddy, SIGTERM);
	waitpid(udaddy, NULL, 0);
	close(a);
	close(b);
	EXPECT_EQ(0, sysctl_set_int("dgram_port", port0));
}

/*
 * A sender that goes through a subnet must not fill memory with neighbour
 * entries: a namespace keeps dgram_max_neighs at most (beyond, sendto()
 * fails with ENOBUFS and dgram_neigh_limit counts it), and entries past
 * their expiry are freed within seconds whether or not more are sent.
 * The destinations, on the guest's own subnet, have no host: each entry
 * resolves for 2 s and fails.
 */
TEST_F_TIMEOUT(ns, dgram_neighbours_bounded_and_aged, 120)
{
	const char *addr = rsk_env("RSK_ADDR", "10.99.0.1");
	long max0 = sysctl_get("dgram_max_neighs");
	long ttl0 = sysctl_get("dgram_neigh_ttl_ms");
	long limit0 = rsk_ns_counter("dgram_neigh_limit");
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct sockaddr_storage ss;
	int s, i, sent = 0, refused = 0, most = 0;
	char dst[32];
	socklen_t len;
	double t0;

	ASSERT_LT(0, max0);
	ASSERT_LE(0, limit0);
	ASSERT_EQ(0, sysctl_set_int("dgram_max_neighs", 32));
	ASSERT_EQ(0, sysctl_set_int("dgram_neigh_ttl_ms", 1000));
	s = rsk_socket(SOCK_DGRAM);
	ASSERT_LE(0, s);
	len = addr_parse(addr, 0, &ss);
	ASSERT_LT(0, (int)len);
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&ss, len));
	to.sin_port = htons(9);
	t0 = now_ms();
	for (i = 0; i < 100; i++) {
		snprintf(dst, sizeof(dst), "10.99.0.%d", 100 + i);
		ASSERT_EQ(1, inet_pton(AF_INET, dst, &to.sin_addr));
		if (sendto(s, "x", 1, 0, (struct sockaddr *)&to,
			   sizeof(to)) == 1)
			sent++;
		else if (errno == ENOBUFS)
			refused++;
		else
			TH_LOG("sendto %s: %s", dst, strerror(errno));
		if (rsk_ns_counter("ud_neighs") > most)
			most = rsk_ns_counter("ud_neighs");
	}
	TH_LOG("sent %d, refused %d, most entries %d in %.0f ms", sent,
	       refused, most, now_ms() - t0);
	EXPECT_LE(most, 32);
	EXPECT_LE(32, sent);
	EXPECT_EQ(100, sent + refused);
	/* Within the 2 s a resolution lasts, the 33rd could not be kept. */
	if (now_ms() - t0 < 1500)
		EXPECT_LT(0, refused);
	EXPECT_EQ(limit0 + refused, rsk_ns_counter("dgram_neigh_limit"));
	/*
	 * Once they failed (2 s), new peers take their places: expired
	 * entries go, then unused failed ones, never refusing a send.
	 */
	sleep_ms(3000);
	limit0 = rsk_ns_counter("dgram_neigh_limit");
	for (i = 0; i < 40; i++) {
		snprintf(dst, sizeof(dst), "10.99.0.%d", 200 + i % 50);
		ASSERT_EQ(1, inet_pton(AF_INET, dst, &to.sin_addr));
		if (i == 32)
			sleep_ms(4000);	/* these 32 fail meanwhile */
		EXPECT_EQ(1, sendto(s, "x", 1, 0, (struct sockaddr *)&to,
				    sizeof(to)))
			TH_LOG("sendto %s: %s", dst, strerror(errno));
		EXPECT_GE(32, rsk_ns_counter("ud_neighs"));
	}
	EXPECT_EQ(limit0, rsk_ns_counter("dgram_neigh_limit"));
	/* Resolution fails in 2 s, the entry expires 1 s later, the sweep. */
	EXPECT_TRUE(WAIT_UNTIL(rsk_ns_counter("ud_neighs") == 0, 15000, 200))
		TH_LOG("%ld entries left", rsk_ns_counter("ud_neighs"));
	close(s);
	EXPECT_EQ(0, sysctl_set_int("dgram_max_neighs", max0));
	EXPECT_EQ(0, sysctl_set_int("dgram_neigh_ttl_ms", ttl0));
}

#define JOIN_DELAY	"/sys/kernel/debug/rdma_sock/fault_mc_join_delay_ms"

static int join4(int fd, const char *group, const char *ifaddr)
{
	struct ip_mreqn mreq = {};

	if (inet_pton(AF_INET, group, &mreq.imr_multiaddr) != 1 ||
	    inet_pton(AF_INET, ifaddr, &mreq.imr_address) != 1)
		return -2;
	return setsockopt(fd, SOL_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq));
}

/*
 * A join waiting for a slow subnet manager (the fault
 * fault_mc_join_delay_ms makes rdma_cm's answer 3 s late) holds no lock
 * another join needs: meanwhile a socket joins another group at once,
 * and one joining the same group waits for that join and shares it.
 */
TEST_F_TIMEOUT(ns, slow_join_blocks_nobody, 120)
{
	const char *addr = rsk_env("RSK_ADDR", "10.99.0.1");
	int pipefd[2], b, c, st;
	struct pollfd pfd;
	char done = 0;
	pid_t slow;

	ASSERT_EQ(0, write_text(JOIN_DELAY, "3000"));
	ASSERT_EQ(0, pipe(pipefd));
	slow = fork();
	ASSERT_LE(0, slow);
	if (slow == 0) {
		int a = rsk_socket(SOCK_DGRAM);

		close(pipefd[0]);
		if (a < 0 || join4(a, "239.9.9.1", addr))
			_exit(1);
		done = 1;
		if (write(pipefd[1], &done, 1) != 1)
			_exit(2);
		pause();		/* holds the membership */
		_exit(0);
	}
	close(pipefd[1]);
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	/* The slow join is under way once its group is listed, joining. */
	ASSERT_TRUE(WAIT_UNTIL(rsk_ns_counter("mc_groups") == 1, 10000, 10));
	EXPECT_EQ(0, write_text(JOIN_DELAY, "0"));

	b = rsk_socket(SOCK_DGRAM);
	ASSERT_LE(0, b);
	EXPECT_EQ(0, join4(b, "239.9.9.2", addr)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("the other join waited for it");

	c = rsk_socket(SOCK_DGRAM);
	ASSERT_LE(0, c);
	EXPECT_EQ(0, join4(c, "239.9.9.1", addr)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(1, poll(&pfd, 1, 10000)) TH_LOG("the slow join never ended");
	EXPECT_EQ(1, read(pipefd[0], &done, 1));
	EXPECT_EQ(1, done);
	EXPECT_EQ(2, rsk_ns_counter("mc_groups"));

	kill(slow, SIGTERM);
	waitpid(slow, &st, 0);
	close(pipefd[0]);
	close(b);
	close(c);
	EXPECT_TRUE(WAIT_UNTIL(rsk_ns_counter("mc_groups") == 0, 10000, 100));
	write_text(JOIN_DELAY, "0");
}

/* The socket's receive memory as charged (sk_rmem_alloc), or -1. */
static long rmem_alloc(int fd)
{
	__u32 mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len))
		return -1;
	return mem[SK_MEMINFO_RMEM_ALLOC];
}

/*
 * A connected pair over the guest's own address: @c connects with a
 * 4 MiB receive buffer (SO_RCVBUFFORCE: net.core.rmem_max is far less),
 * @a is accepted.
 */
static int stream_pair(int l, int *c, int *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int rcvbuf = 2 << 20;		/* doubled, as SO_RCVBUF's */

	if (getsockname(l, (struct sockaddr *)&ss, &len))
		return -1;
	*c = rdma_socket();
	if (*c < 0 ||
	    setsockopt(*c, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) ||
	    connect(*c, (struct sockaddr *)&ss, len))
		return -1;
	*a = accept(l, NULL, NULL);
	return *a < 0 ? -1 : 0;
}

static int listener_on(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_parse(addr, 0, &ss);
	int l = rdma_socket();

	if (l < 0 || bind(l, (struct sockaddr *)&ss, len) || listen(l, 8))
		return -1;
	return l;
}

static int send_bytes(int fd, size_t bytes)
{
	static char buf[16384];

	while (bytes) {
		ssize_t n = send(fd, buf, bytes < sizeof(buf) ? bytes : sizeof(buf),
				 MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		bytes -= n;
	}
	return 0;
}

/*
 * Receive memory is charged as TCP's: what queued data takes is the
 * socket's sk_rmem_alloc (SO_MEMINFO) while unread, nothing once read;
 * net.rdma_sock.mem bounds the module's total: far above its first two
 * figures nothing happens (no pressure mode), over its hard limit a
 * stream cannot queue, and since it cannot drop either, it is reset
 * (rx_mem_limit).
 */
TEST_F_TIMEOUT(ns, receive_memory_charged, 120)
{
	const char *addr = rsk_env("RSK_ADDR", "10.99.0.1");
	long limit0 = rsk_ns_counter("rx_mem_limit");
	long idle0 = sysctl_get("link_idle_ms");
	char mem0[128] = "", buf[4096];
	int l, c, a, n;
	size_t got = 0;

	ASSERT_EQ(0, read_text("/proc/sys/net/rdma_sock/mem", mem0, sizeof(mem0)));
	l = listener_on(addr);
	ASSERT_LE(0, l);
	/* Over mem[0] and mem[1] but far under mem[2]: no reset. */
	ASSERT_EQ(0, sysctl_set("mem", "16 32 1000000000"));
	ASSERT_EQ(0, stream_pair(l, &c, &a));
	EXPECT_EQ(0, rmem_alloc(c));
	ASSERT_EQ(0, send_bytes(a, 3 << 20));
	/* 3 MiB unread: at least that charged, at most about twice. */
	EXPECT_TRUE(WAIT_UNTIL(rmem_alloc(c) >= 3 << 20, 10000, 50))
		TH_LOG("charged %ld", rmem_alloc(c));
	EXPECT_GE(7 << 20, rmem_alloc(c));
	while (got < 3 << 20) {
		ssize_t r = recv(c, buf, sizeof(buf), 0);

		if (r <= 0)
			break;
		got += r;
	}
	EXPECT_EQ(3 << 20, (long)got);
	EXPECT_EQ(0, rmem_alloc(c));
	EXPECT_EQ(limit0, rsk_ns_counter("rx_mem_limit"));
	close(a);
	close(c);

	/* Over the hard limit: reset, counted. */
	ASSERT_EQ(0, sysctl_set("mem", "1 1 1"));
	ASSERT_EQ(0, stream_pair(l, &c, &a));
	send_bytes(a, 3 << 20);		/* may fail: the reset comes back */
	EXPECT_TRUE(WAIT_UNTIL(rsk_ns_counter("rx_mem_limit") > limit0,
			       10000, 50));
	do {
		n = recv(c, buf, sizeof(buf), MSG_DONTWAIT);
	} while (n > 0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(limit0 + 1, rsk_ns_counter("rx_mem_limit"));
	EXPECT_EQ(0, sysctl_set("mem", mem0));
	close(a);
	close(c);
	close(l);
	EXPECT_TRUE(links_drained(idle0));
}

/* Bytes the socket holds unacknowledged (SIOCOUTQ), or -1. */
static long outq(int fd)
{
	int n;

	return ioctl(fd, SIOCOUTQ, &n) ? -1 : n;
}

/* Whether SIOCOUTQ stays at one value above 0 for 300 ms. */
static bool outq_settled(int fd)
{
	long before = outq(fd);

	sleep_ms(300);
	return before > 0 && outq(fd) == before;
}

/* Byte k of the stream a test sends: k % 251, which no block size divides. */
static void fill_stream(char *buf, size_t len, size_t off)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (off + i) % 251;
}

/*
 * Move what is left of a stream of @total bytes, @sent of them sent so
 * far, from @a to @c, both nonblocking, checking every byte; the bytes
 * @c got, or -1 on a wrong byte or an error.
 */
static long finish_stream(int a, int c, size_t sent, size_t total)
{
	static char buf[16384];
	size_t got = 0;
	double end = now_ms() + 60000;

	while (got < total && now_ms() < end) {
		ssize_t n;

		if (sent < total) {
			size_t len = total - sent < sizeof(buf) ? total - sent : sizeof(buf);

			fill_stream(buf, len, sent);
			n = send(a, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0)
				sent += n;
			else if (errno != EAGAIN)
				return -1;
		}
		n = recv(c, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return -1;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != (char)((got + i) % 251))
				return -1;
		if (n > 0)
			got += n;
		else
			sleep_ms(1);
	}
	return got;
}

/*
 * Send memory is charged too: the messages a stream queues count in the
 * module's total (net.rdma_sock.mem), as TCP's write queue in tcp_mem.
 * Over its pressure mark a socket that has messages queued cannot queue
 * more (tx_mem_limit): send() waits for its queue to shrink, or says
 * EAGAIN, and poll() does not say POLLOUT; no reset, no byte lost.
 */
TEST_F_TIMEOUT(ns, send_memory_limited, 120)
{
	const char *addr = rsk_env("RSK_ADDR", "10.99.0.1");
	long limit0 = rsk_ns_counter("tx_mem_limit");
	long wmem_max0 = sysctl_get("wmem_max");
	long idle0 = sysctl_get("link_idle_ms");
	struct timeval tv = { .tv_usec = 300000 };
	size_t first = 6 << 20, more = 16384;
	int sndbuf = 8 << 20;		/* doubled, as SO_SNDBUF's */
	char mem0[128] = "", *buf;
	struct pollfd pfd;
	int l, c, a, n;
	double t0;

	ASSERT_EQ(0, read_text("/proc/sys/net/rdma_sock/mem", mem0, sizeof(mem0)));
	buf = malloc(first);
	ASSERT_NE(NULL, buf);
	fill_stream(buf, first, 0);
	l = listener_on(addr);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, stream_pair(l, &c, &a));
	/* 6 MiB: 4 MiB fill the receiver's window, the rest stays queued. */
	ASSERT_EQ(0, sysctl_set_int("wmem_max", 32 << 20));
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
				sizeof(sndbuf)));
	ASSERT_EQ((ssize_t)first, send(a, buf, first, MSG_DONTWAIT));
	ASSERT_TRUE(WAIT_UNTIL(outq_settled(a), 30000, 0));
	TH_LOG("queued %ld bytes, receiver holds %ld", outq(a), rmem_alloc(c));

	/*
	 * One page for the whole module: the receiver gets no more anyway.
	 * What the last queued message has room for is charged already
	 * and may still be taken, less than one message; no more.
	 */
	ASSERT_EQ(0, sysctl_set("mem", "1 1 1"));
	do {
		fill_stream(buf, more, first);
		n = send(a, buf, more, MSG_DONTWAIT);
		if (n > 0)
			first += n;
	} while (n > 0 && first < (6 << 20) + more);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_GT((6 << 20) + more, first);
	EXPECT_LT(limit0, rsk_ns_counter("tx_mem_limit"));
	fill_stream(buf, more, first);
	pfd = (struct pollfd){ .fd = a, .events = POLLOUT };
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	t0 = now_ms();
	EXPECT_EQ(-1, send(a, buf, more, 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LE(250, now_ms() - t0);

	/* The limit back: once the receiver reads, all of it arrives. */
	EXPECT_EQ(0, sysctl_set("mem", mem0));
	EXPECT_EQ((long)(first + more), finish_stream(a, c, first, first + more));
	EXPECT_EQ(0, sysctl_set_int("wmem_max", wmem_max0));
	free(buf);
	close(a);
	close(c);
	close(l);
	EXPECT_TRUE(links_drained(idle0));
}

TEST_HARNESS_MAIN
