// SPDX-License-Identifier: GPL-2.0
/*
 * Datagram sockets between two hosts: this suite runs on one,
 * rsk_dgram_peer (see its head for ports and commands) on the other.
 * Variant udp checks the tests themselves against UDP; variant rdma runs
 * them over AF_RDMA_DGRAM.
 *
 * Environment: RSK_PEER_ADDR (the peer's IPv4 address), RSK_DGRAM_PORT
 * (its base port, default 7100), RSK_ADDR (this host's address on the
 * link to it), RSK_UD_MTU (the rxe path MTU, default 1024).
 *
 * UD, like UDP, may lose a datagram; between two guests on one host it
 * seldom does (UDP loses more: its 3000-byte datagrams are IP fragments).
 * Round trips are tried three times; counts of a group's datagrams allow
 * a loss in four, never a duplicate or a corrupted one.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "rsk_selftest.h"

FIXTURE(dp) {
	int domain;
	const char *fam;
	struct sockaddr_in peer;	/* port 0 */
	struct sockaddr_in local;	/* port 0 */
	struct in_addr group;
	uint16_t base;
	int ctl;			/* TCP to rsk_dgram_peer */
};

FIXTURE_VARIANT(dp) {
	bool rdma;
};

FIXTURE_VARIANT_ADD(dp, udp) { .rdma = false };
FIXTURE_VARIANT_ADD(dp, rdma) { .rdma = true };

FIXTURE_SETUP(dp)
{
	struct sockaddr_in ctl = { .sin_family = AF_INET };

	self->domain = rsk_domain(variant->rdma, AF_INET);
	self->fam = variant->rdma ? "rdma" : "udp";
	self->base = atoi(rsk_env("RSK_DGRAM_PORT", "7100"));
	self->peer.sin_family = AF_INET;
	self->local.sin_family = AF_INET;
	ASSERT_EQ(1, inet_pton(AF_INET, rsk_env("RSK_PEER_ADDR", "127.0.0.1"),
			       &self->peer.sin_addr));
	ASSERT_EQ(1, inet_pton(AF_INET, rsk_env("RSK_ADDR", "127.0.0.1"),
			       &self->local.sin_addr));
	ASSERT_EQ(1, inet_pton(AF_INET, DGRAM_PEER_GROUP, &self->group));
	ctl.sin_addr = self->peer.sin_addr;
	ctl.sin_port = htons(self->base + DGRAM_PEER_CTL);
	self->ctl = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, set_timeo(self->ctl, SO_RCVTIMEO, 30000));
	ASSERT_EQ(0, connect(self->ctl, SA(&ctl), sizeof(ctl)))
		TH_LOG("rsk_dgram_peer: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dp)
{
	close(self->ctl);
}

/* The peer's next answer line, in @out.  0 or -1. */
static int answer(int ctl, char *out, size_t size)
{
	size_t have = 0;
	ssize_t n;

	while (have < size - 1) {
		n = read(ctl, out + have, 1);
		if (n != 1)
			return -1;
		if (out[have] == '\n')
			break;
		have++;
	}
	out[have] = 0;
	return 0;
}

/* One command to the peer; its answer line in @out.  0 or -1. */
static int ask(int ctl, const char *cmd, char *out, size_t size)
{
	if (write(ctl, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    write(ctl, "\n", 1) != 1)
		return -1;
	return answer(ctl, out, size);
}

/* A command the peer must answer "ok" to. */
static void ask_ok(struct __test_metadata *_metadata, int ctl,
		   const char *cmd)
{
	char ans[128];

	ASSERT_EQ(0, ask(ctl, cmd, ans, sizeof(ans))) TH_LOG("%s", cmd);
	ASSERT_STREQ("ok", ans) TH_LOG("%s", cmd);
}

#define ASK_OK(cmd) ask_ok(_metadata, self->ctl, cmd)

static int dsock(const FIXTURE_DATA(dp) *self, uint16_t port)
{
	struct sockaddr_in sin = self->local;
	int fd = socket_bounded(self->domain, SOCK_DGRAM, 10000);

	sin.sin_port = htons(port);
	if (fd < 0)
		return -1;
	if (bind(fd, SA(&sin), sizeof(sin))) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct sockaddr_in peer_at(const FIXTURE_DATA(dp) *self, int off)
{
	struct sockaddr_in sin = self->peer;

	sin.sin_port = htons(self->base + off);
	return sin;
}

/*
 * Echo round trips of 4 bytes (the smallest with a sequence number), one
 * fragment's worth (UD MTU - 20), one byte more, 9000 and 65507 bytes.
 */
TEST_F(dp, echo_sizes)
{
	long mtu = strtol(rsk_env("RSK_UD_MTU", "1024"), NULL, 0);
	size_t sizes[] = { 4, mtu - 20, mtu - 19, 9000, 65507 };
	struct sockaddr_in echo = peer_at(self, DGRAM_PEER_ECHO), from;
	char *out = malloc(65536), *in = malloc(65536);
	int fd = dsock(self, 0), i, try;

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_timeo(fd, SO_RCVTIMEO, 3000));
	for (i = 0; i < (int)ARRAY_SIZE(sizes); i++) {
		ssize_t n = -1;

		seq_fill(out, sizes[i], 1000 + i);
		for (try = 0; try < 3 && n < 0; try++) {
			socklen_t len = sizeof(from);

			ASSERT_EQ((ssize_t)sizes[i],
				  sendto(fd, out, sizes[i], 0, SA(&echo),
					 sizeof(echo)))
				TH_LOG("send %zu: %s", sizes[i], strerror(errno));
			n = recvfrom(fd, in, 65536, 0, SA(&from), &len);
			if (n < 0)
				TH_LOG("%zu bytes: no echo (%s), again",
				       sizes[i], strerror(errno));
		}
		ASSERT_EQ((ssize_t)sizes[i], n);
		EXPECT_TRUE(seq_intact(in, n, 1000 + i));
		EXPECT_EQ(echo.sin_addr.s_addr, from.sin_addr.s_addr);
		EXPECT_EQ(echo.sin_port, from.sin_port);
	}
	free(out);
	free(in);
	close(fd);
}

/* Connected to the echo: send() and recv(); one byte too many: EMSGSIZE. */
TEST_F(dp, connected_and_emsgsize)
{
	struct sockaddr_in echo = peer_at(self, DGRAM_PEER_ECHO), name;
	socklen_t len = sizeof(name);
	char *buf = calloc(1, 65508), in[64];
	int fd = dsock(self, 0), try;
	ssize_t n = -1;

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect(fd, SA(&echo), sizeof(echo)));
	ASSERT_EQ(0, getpeername(fd, SA(&name), &len));
	EXPECT_EQ(echo.sin_port, name.sin_port);
	ASSERT_EQ(0, set_timeo(fd, SO_RCVTIMEO, 3000));
	for (try = 0; try < 3 && n < 0; try++) {
		ASSERT_EQ(5, send(fd, "hello", 5, 0));
		n = recv(fd, in, sizeof(in), 0);
	}
	ASSERT_EQ(5, n);
	EXPECT_EQ(0, memcmp(in, "hello", 5));
	EXPECT_EQ(-1, send(fd, buf, 65508, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	free(buf);
	close(fd);
}

/* Eight echoes: epoll says when they are there, recvmmsg takes them. */
TEST_F(dp, recvmmsg_and_epoll)
{
	struct sockaddr_in echo = peer_at(self, DGRAM_PEER_ECHO);
	struct epoll_event ev = { .events = EPOLLIN };
	struct mmsghdr mm[8];
	struct iovec iov[8];
	char bufs[8][64], out[64];
	int fd = dsock(self, 0), ep, i, n = 0;
	bool seen[8] = {};

	ASSERT_LE(0, fd);
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	for (i = 0; i < 8; i++) {
		seq_fill(out, sizeof(out), i);
		ASSERT_EQ(64, sendto(fd, out, 64, 0, SA(&echo), sizeof(echo)));
	}
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 10000));
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < 8; i++) {
		iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = 64 };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	ASSERT_EQ(0, set_timeo(fd, SO_RCVTIMEO, 3000));
	while (n < 8) {
		int r = recvmmsg(fd, mm + n, 8 - n, MSG_WAITFORONE, NULL);

		if (r <= 0)
			break;
		n += r;
	}
	EXPECT_LE(7, n) TH_LOG("%d of 8 echoes", n);
	for (i = 0; i < n; i++) {
		uint32_t seq = seq_of(bufs[i]);

		ASSERT_GT(8U, seq);
		EXPECT_FALSE(seen[seq]);
		seen[seq] = true;
		EXPECT_TRUE(seq_intact(bufs[i], mm[i].msg_len, seq));
	}
	close(ep);
	close(fd);
}

/*
 * 1000 datagrams of 1 KiB at full speed to a sink the peer does not read:
 * the sender never waits for it; the sink drops and counts, what it kept
 * is intact.
 */
TEST_F(dp, flood_drops_counted)
{
	struct sockaddr_in sink = peer_at(self, DGRAM_PEER_SINK);
	long got = -1, dropped = -1, bad = -1;
	char cmd[32], ans[128], buf[DGRAM_FLOOD_LEN];
	int fd = dsock(self, 0), i;
	double t0;

	ASSERT_LE(0, fd);
	snprintf(cmd, sizeof(cmd), "flood %s", self->fam);
	ASK_OK(cmd);
	t0 = now_ms();
	for (i = 0; i < 1000; i++) {
		seq_fill(buf, sizeof(buf), i);
		ASSERT_EQ((ssize_t)sizeof(buf),
			  sendto(fd, buf, sizeof(buf), 0, SA(&sink), sizeof(sink)))
			TH_LOG("send %d: %s", i, strerror(errno));
	}
	TH_LOG("1000 datagrams sent in %.0f ms", now_ms() - t0);
	sleep_ms(1000);
	ASSERT_EQ(6, write(self->ctl, "drain\n", 6));
	/* The marker, until the peer answers: it may find a full queue. */
	for (i = 0; i < 50 && poll1(self->ctl, POLLIN, 200) == 0; i++) {
		ASSERT_EQ(DGRAM_MARK_LEN, sendto(fd, "mark", DGRAM_MARK_LEN, 0,
						 SA(&sink), sizeof(sink)));
	}
	ASSERT_EQ(0, answer(self->ctl, ans, sizeof(ans)));
	ASSERT_EQ(3, sscanf(ans, "%ld %ld %ld", &got, &dropped, &bad))
		TH_LOG("answer '%s'", ans);
	TH_LOG("the sink kept %ld, dropped %ld", got, dropped);
	EXPECT_LT(0, got);
	EXPECT_LT(0, dropped);
	EXPECT_EQ(0, bad);
	EXPECT_GE(1000, got + dropped);
	close(fd);
}

/* @n datagrams of various sizes (some in fragments) to the group. */
static int send_group(int fd, const struct sockaddr_in *grp, uint32_t first,
		      int n)
{
	static const size_t sizes[] = { 64, 1500, 3000, 200 };
	char buf[3000];
	int i;

	for (i = 0; i < n; i++) {
		size_t len = sizes[i % 4];

		seq_fill(buf, len, first + i);
		if (sendto(fd, buf, len, 0, SA(grp), sizeof(*grp)) != (ssize_t)len)
			return -1;
		sleep_ms(2);
	}
	return 0;
}

/* What @fd holds, each checked once: the count, or -1 for a bad one. */
static int take_all(int fd, uint32_t first, int n, int wait_ms)
{
	char buf[4096];
	bool seen[64] = {};
	int got = 0;

	while (poll1(fd, POLLIN, wait_ms) > 0) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		uint32_t seq;

		if (len < 4)
			return -1;
		seq = seq_of(buf) - first;
		if (seq >= (uint32_t)n || seen[seq] ||
		    !seq_intact(buf, len, seq + first))
			return -1;
		seen[seq] = true;
		got++;
		wait_ms = 300;
	}
	return got;
}

static void peer_count(struct __test_metadata *_metadata,
		       FIXTURE_DATA(dp) *self, long *n)
{
	char ans[128];
	long dup = -1, bad = -1;

	ASSERT_EQ(0, ask(self->ctl, "count", ans, sizeof(ans)));
	ASSERT_EQ(3, sscanf(ans, "%ld %ld %ld", n, &dup, &bad));
	EXPECT_EQ(0, dup);
	EXPECT_EQ(0, bad);
}

static void peer_groups(struct __test_metadata *_metadata,
			FIXTURE_DATA(dp) *self, long want)
{
	char ans[128];

	if (self->domain == AF_INET)
		return;
	ASSERT_EQ(0, ask(self->ctl, "groups", ans, sizeof(ans)));
	EXPECT_EQ(want, atol(ans));
}

/*
 * A group with a member on each host: both hear each datagram once; the
 * peer's socket, bound to the port, hears nothing once it left or before
 * it joins; a member closed while joined leaves the group; with
 * IP_MULTICAST_LOOP off only the other host hears.
 */
TEST_F(dp, multicast_two_hosts)
{
	struct sockaddr_in grp = { .sin_family = AF_INET };
	struct sockaddr_in any = { .sin_family = AF_INET };
	char cmd[32];
	long n;
	int s, r, got;

	grp.sin_addr = self->group;
	grp.sin_port = htons(self->base + DGRAM_PEER_MEMBER);
	s = dsock(self, 0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, setsockopt(s, SOL_IP, IP_MULTICAST_IF,
				&self->local.sin_addr, sizeof(struct in_addr)));
	r = socket(self->domain, SOCK_DGRAM, 0);
	ASSERT_LE(0, r);
	any.sin_port = grp.sin_port;
	ASSERT_EQ(0, bind(r, SA(&any), sizeof(any)));
	ASSERT_EQ(0, ip_membership(r, IP_ADD_MEMBERSHIP, self->group,
				   self->local.sin_addr));
	snprintf(cmd, sizeof(cmd), "open %s", self->fam);
	ASK_OK(cmd);

	/* The peer bound but not a member: only this host hears. */
	ASSERT_EQ(0, send_group(s, &grp, 0, 10));
	EXPECT_EQ(10, take_all(r, 0, 10, 3000));
	peer_count(_metadata, self, &n);
	EXPECT_EQ(0, n);

	/* Both members. */
	ASK_OK("join");
	peer_groups(_metadata, self, 1);
	ASSERT_EQ(0, send_group(s, &grp, 100, 20));
	EXPECT_EQ(20, take_all(r, 100, 20, 3000));
	sleep_ms(500);
	peer_count(_metadata, self, &n);
	TH_LOG("the other host's member heard %ld of 20", n);
	EXPECT_LE(15, n);

	/* Loop off: the other host only. */
	ASSERT_EQ(0, set_int(s, SOL_IP, IP_MULTICAST_LOOP, 0));
	ASSERT_EQ(0, send_group(s, &grp, 200, 10));
	got = take_all(r, 200, 10, 1000);
	EXPECT_EQ(0, got);
	sleep_ms(500);
	peer_count(_metadata, self, &n);
	EXPECT_LE(7, n);
	ASSERT_EQ(0, set_int(s, SOL_IP, IP_MULTICAST_LOOP, 1));

	/* The peer leaves, its socket still bound: it hears nothing. */
	ASK_OK("leave");
	peer_groups(_metadata, self, 0);
	ASSERT_EQ(0, send_group(s, &grp, 300, 10));
	EXPECT_EQ(10, take_all(r, 300, 10, 3000));
	sleep_ms(500);
	peer_count(_metadata, self, &n);
	EXPECT_EQ(0, n);

	/* Joined again and closed while joined: the group is left. */
	ASK_OK("join");
	ASK_OK("close");
	peer_groups(_metadata, self, 0);
	ASK_OK(cmd);			/* bound again, not a member */
	ASSERT_EQ(0, send_group(s, &grp, 400, 10));
	EXPECT_EQ(10, take_all(r, 400, 10, 3000));
	sleep_ms(500);
	peer_count(_metadata, self, &n);
	EXPECT_EQ(0, n);
	ASK_OK("close");
	close(r);
	close(s);
	if (self->domain != AF_INET)
		EXPECT_EQ(0, rsk_counter("mc_groups"));
}

TEST_HARNESS_MAIN
