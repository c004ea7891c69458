// SPDX-License-Identifier: GPL-2.0
/*
 * Stream sockets between two hosts: this suite is the client, rsk_peer
 * the server on the other host (see rsk_peer.c for its services and
 * their protocols).  Variant tcp talks to an rsk_peer started with -f tcp,
 * variant rdma to one started with -f rdma; both must pass, with the
 * same results except where a comment says why not.
 *
 * Environment:
 *
 *   RSK_PEER_ADDR  rsk_peer's address, IPv4 or IPv6 (default 127.0.0.1);
 *   RSK_PEER_PORT  its base port (default 7000);
 *   RSK_SCALE      "small" divides the bulk sizes by 16 (a number divides
 *                  them by that number) and shrinks the connection counts.
 *
 * Every blocking call is bounded by SO_RCVTIMEO/SO_SNDTIMEO or a poll
 * timeout, and every test by the harness's timeout.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "rsk_selftest.h"

#define TIMEO_MS	30000	/* SO_RCVTIMEO/SO_SNDTIMEO of every socket */
#define WAIT_MS		10000	/* waiting for something that must happen */

/* rsk_peer's services are BASEPORT + SVC_*; on this one nothing listens. */
enum { PORT_NOBODY = 20 };
#define MAX_HALF_OPEN	256	/* net.rdma_sock.max_half_open's default */

struct ctx {
	bool rdma;
	int domain;			/* socket()'s first argument */
	struct sockaddr_storage peer;	/* rsk_peer's address, port 0 */
	socklen_t alen;
	const char *peer_text;
	uint16_t base;
	bool to_self;			/* the peer's address is one of ours */
	unsigned long div;		/* RSK_SCALE */
};

static struct sockaddr_storage svc_addr(const struct ctx *c, int svc)
{
	struct sockaddr_storage ss = c->peer;

	set_port(&ss, c->base + svc);
	return ss;
}

/* A stream socket of the variant, every blocking call on it bounded. */
static int sock_new(const struct ctx *c, int flags)
{
	return socket_bounded(c->domain, SOCK_STREAM | flags, TIMEO_MS);
}

/*
 * Connects to a service: the connected socket (blocking), or -1 with
 * errno.  The connect is nonblocking and waited for with poll(), so it is
 * bounded whatever the family does with SO_SNDTIMEO.
 */
static int try_dial(const struct ctx *c, int svc, int ms)
{
	struct sockaddr_storage to = svc_addr(c, svc);
	int fd = sock_new(c, SOCK_NONBLOCK), err;

	if (fd < 0)
		return -1;
	err = connect_wait(fd, SA(&to), c->alen, ms);
	if (err) {
		errno = err;
		goto fail;
	}
	if (set_nonblock(fd, false))
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

#define DIAL(c, svc) ({							\
	int __fd = try_dial(c, svc, WAIT_MS);				\
	ASSERT_LE(0, __fd) TH_LOG("connect to %s port %u: %s",		\
				  (c)->peer_text, (c)->base + (svc),	\
				  strerror(errno));			\
	__fd;								\
})

/* getsockname() or getpeername(), checked to be a whole sockaddr. */
static void name_of(struct __test_metadata *_metadata, const struct ctx *c,
		    int fd, bool peer, struct sockaddr_storage *ss)
{
	sock_name(_metadata, fd, peer, c->alen, c->peer.ss_family, ss);
}

/* Reads a sink's or drain's answer: count and CRC32, then EOF. */
static void read_result(struct __test_metadata *_metadata, int fd,
			uint64_t *count, uint32_t *crc)
{
	uint8_t r[PEER_SUM_LEN];
	ssize_t n = recv_all(fd, r, sizeof(r));
	char ch;

	ASSERT_EQ((ssize_t)sizeof(r), n)
		TH_LOG("the peer's count and CRC: %zd bytes (%s)", n,
		       n < 0 ? strerror(errno) : "EOF");
	peer_sum_get(r, count, crc);
	EXPECT_EQ(0, recv(fd, &ch, 1, 0)) TH_LOG("no EOF after the answer");
}

/*
 * One counter of the peer's host, from its stats service; -1 if it has
 * none (a TCP peer without rdma_sock) or it cannot be asked.
 */
static long peer_counter(const struct ctx *c, const char *name)
{
	char buf[16384];
	int fd = try_dial(c, SVC_STATS, WAIT_MS);
	ssize_t n = -1;

	if (fd < 0)
		return -1;
	n = recv_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return rsk_counter_text(buf, name);
}

static void raise_nofile(struct __test_metadata *_metadata, rlim_t want)
{
	struct rlimit rl;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;	/* works as root */
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl))
		TH_LOG("need %llu fds: %s", (unsigned long long)want,
		       strerror(errno));
}

/* ---- set-up ---- */

FIXTURE(pair) {
	struct ctx c;
};

FIXTURE_VARIANT(pair) {
	bool rdma;
};

FIXTURE_VARIANT_ADD(pair, tcp) { .rdma = false };
FIXTURE_VARIANT_ADD(pair, rdma) { .rdma = true };

FIXTURE_SETUP(pair)
{
	struct ctx *c = &self->c;
	const char *port = rsk_env("RSK_PEER_PORT", "7000");
	struct sockaddr_storage ss;
	char *end;
	long base;
	int fd;

	xfer_setup(_metadata);

	memset(c, 0, sizeof(*c));
	c->rdma = variant->rdma;
	c->peer_text = rsk_env("RSK_PEER_ADDR", "127.0.0.1");
	c->alen = addr_parse(c->peer_text, 0, &c->peer);
	ASSERT_NE(0U, c->alen) TH_LOG("RSK_PEER_ADDR=%s is no address", c->peer_text);
	base = strtol(port, &end, 0);
	ASSERT_TRUE(!*end && base > 0 && base <= 65535 - PORT_NOBODY)
		TH_LOG("RSK_PEER_PORT=%s", port);
	c->base = base;
	c->domain = rsk_domain(c->rdma, c->peer.ss_family);
	c->div = rsk_scale_div();

	/* The peer is this host if a TCP socket can bind its address. */
	fd = socket(c->peer.ss_family, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	ss = c->peer;
	c->to_self = !bind(fd, SA(&ss), c->alen);
	close(fd);

	fd = socket(c->domain, SOCK_STREAM, 0);
	ASSERT_LE(0, fd) TH_LOG("socket(%d, SOCK_STREAM): %s", c->domain,
				strerror(errno));
	close(fd);
}

FIXTURE_TEARDOWN(pair)
{
}

/* ---- tests ---- */

/* Echo: the names, and messages of a few sizes back as sent. */
TEST_F(pair, echo_roundtrip)
{
	const struct ctx *c = &self->c;
	static const size_t sizes[] = { 1, 7, 100, 1460, 4096, 65536, 200000 };
	struct sockaddr_storage want = svc_addr(c, SVC_ECHO), got;
	static uint8_t out[200000], in[200000];
	int fd = DIAL(c, SVC_ECHO);
	size_t i;
	char ch;

	name_of(_metadata, c, fd, true, &got);
	EXPECT_TRUE(addr_eq(&want, &got))
		TH_LOG("peer %s, expected %s", addr_str(&got), addr_str(&want));
	name_of(_metadata, c, fd, false, &got);
	EXPECT_NE(0, port_of(&got));

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		pattern(out, sizes[i], seed_of(20), i * 1000003ULL);
		ASSERT_EQ((ssize_t)sizes[i], send_all(fd, out, sizes[i], 0))
			TH_LOG("send %zu: %s", sizes[i], strerror(errno));
		memset(in, 0, sizes[i]);
		ASSERT_EQ((ssize_t)sizes[i], recv_all(fd, in, sizes[i]))
			TH_LOG("recv %zu: %s", sizes[i], strerror(errno));
		EXPECT_EQ(0, memcmp(out, in, sizes[i])) TH_LOG("%zu bytes", sizes[i]);
	}
	/* Our EOF makes the echo close: EOF back. */
	ASSERT_EQ(0, shutdown(fd, SHUT_WR));
	EXPECT_EQ(0, recv(fd, &ch, 1, 0)) TH_LOG("%s", strerror(errno));
	close(fd);
}

/* Bulk to the sink: its count and CRC32 are ours. */
TEST_F_TIMEOUT(pair, integrity_one_way, 900)
{
	const struct ctx *c = &self->c;
	uint64_t len = rsk_scaled(c->div, 256 * MiB), count;
	struct xfer w = { .name = "writer", .len = len, .seed = seed_of(21),
			  .rnd = 21, .end = XF_SHUT_WR };
	uint32_t crc;

	w.fd = DIAL(c, SVC_SINK);
	XFER_START(&w, true);
	EXPECT_XFER_OK(&w);
	read_result(_metadata, w.fd, &count, &crc);
	EXPECT_EQ(len, count);
	EXPECT_EQ(w.crc, crc) TH_LOG("ours %08x, the sink's %08x", w.crc, crc);
	TH_LOG("%llu MiB to the peer in %.0f ms: %.0f MiB/s, crc32 %08x",
	       (unsigned long long)(len / MiB), w.ms, mibps(len, w.ms), crc);
	close(w.fd);
}

/* Bulk from the source: every byte checked, then the CRC32 of it all. */
TEST_F_TIMEOUT(pair, integrity_from_peer, 900)
{
	const struct ctx *c = &self->c;
	uint64_t len = rsk_scaled(c->div, 256 * MiB);
	struct xfer r = { .name = "reader", .len = len, .seed = seed_of(22),
			  .rnd = 22, .end = XF_EOF };
	uint32_t want;
	uint8_t req[PEER_SOURCE_REQ_LEN];

	r.fd = DIAL(c, SVC_SOURCE);
	peer_source_req_put(req, len, 22);
	ASSERT_EQ((ssize_t)sizeof(req), send_all(r.fd, req, sizeof(req), 0));
	XFER_START(&r, false);
	EXPECT_XFER_OK(&r);
	want = pattern_crc(r.seed, 0, len);
	EXPECT_EQ(want, r.crc) TH_LOG("received %08x, sent %08x", r.crc, want);
	TH_LOG("%llu MiB from the peer in %.0f ms: %.0f MiB/s, crc32 %08x",
	       (unsigned long long)(len / MiB), r.ms, mibps(len, r.ms), r.crc);
	close(r.fd);
}

/* Both ways at once through the echo: a writer and a reader thread. */
TEST_F_TIMEOUT(pair, integrity_both_ways, 900)
{
	const struct ctx *c = &self->c;
	uint64_t len = rsk_scaled(c->div, 64 * MiB);
	struct xfer w = { .name = "writer", .len = len, .seed = seed_of(23),
			  .rnd = 23, .end = XF_SHUT_WR };
	struct xfer r = { .name = "reader", .len = len, .seed = seed_of(23),
			  .rnd = 24, .end = XF_EOF };
	double t0, ms;

	w.fd = DIAL(c, SVC_ECHO);
	r.fd = w.fd;
	t0 = now_ms();
	XFER_START(&w, true);
	XFER_START(&r, false);
	EXPECT_XFER_OK(&w);
	EXPECT_XFER_OK(&r);
	ms = now_ms() - t0;
	EXPECT_EQ(w.crc, r.crc);
	TH_LOG("%llu MiB each way in %.0f ms: %.0f MiB/s in all",
	       (unsigned long long)(len / MiB), ms, mibps(2 * len, ms));
	close(w.fd);
}

/*
 * rdma only: the links while connections to the peer are open.  Between
 * two hosts exactly one link carries every channel, at either end; to an
 * address of our own there may be two (rsk_links_max()).
 */
static void check_links(struct __test_metadata *_metadata, const struct ctx *c)
{
	long links, peer_links;

	if (!c->rdma)
		return;
	links = rsk_counter("links");
	ASSERT_LE(0, links) TH_LOG("no links counter in " RSK_DEBUGFS "/objects");
	if (c->to_self) {
		EXPECT_LE(1, links);
		EXPECT_GE(rsk_links_max(true), links) TH_LOG("to ourselves");
		return;
	}
	EXPECT_EQ(1, links) TH_LOG("links to one peer host");
	peer_links = peer_counter(c, "links");
	ASSERT_LE(0, peer_links) TH_LOG("no links counter at the peer");
	EXPECT_EQ(1, peer_links) TH_LOG("links at the peer host");
}

struct fan {
	int fd;
	uint64_t sent;
	uint32_t crc;
	uint8_t res[PEER_SUM_LEN];
	int got;		/* bytes of res */
	bool shut, eof;
};

/*
 * Many connections to the sink, all open before any data moves, one poll()
 * loop moving len bytes on each and reading each answer.
 */
TEST_F_TIMEOUT(pair, fanout, 900)
{
	const struct ctx *c = &self->c;
	int n = c->div > 1 ? 50 : 200, i, left, ret;
	uint64_t len = rsk_scaled(c->div, MiB), total = 0;
	static uint8_t buf[CHUNK];
	struct pollfd *pfd;
	double t0, last, ms;
	struct fan *f;
	ssize_t got;

	raise_nofile(_metadata, n + 64);
	f = calloc(n, sizeof(*f));
	pfd = calloc(n, sizeof(*pfd));
	ASSERT_TRUE(f && pfd);
	for (i = 0; i < n; i++) {
		f[i].fd = DIAL(c, SVC_SINK);
		ASSERT_EQ(0, set_nonblock(f[i].fd, true));
	}
	check_links(_metadata, c);

	t0 = now_ms();
	last = t0;
	left = n;
	while (left) {
		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){
				.fd = f[i].eof ? -1 : f[i].fd,
				.events = f[i].shut ? POLLIN : POLLOUT };
		ret = poll(pfd, n, 10000);
		ASSERT_LE(0, ret) TH_LOG("poll: %s", strerror(errno));
		ASSERT_GT(60000, now_ms() - last)
			TH_LOG("no progress for 60 s, %d connections left", left);
		for (i = 0; i < n; i++) {
			struct fan *p = &f[i];

			if (!pfd[i].revents)
				continue;
			if (!p->shut) {
				size_t want = len - p->sent < CHUNK ?
					      len - p->sent : CHUNK;

				pattern(buf, want, seed_of(1000 + i), p->sent);
				got = send(p->fd, buf, want, MSG_NOSIGNAL);
				if (got < 0)
					ASSERT_EQ(EAGAIN, errno)
						TH_LOG("send %d: %s", i, strerror(errno));
				if (got > 0) {
					p->crc = crc32_update(p->crc, buf, got);
					p->sent += got;
					last = now_ms();
				}
				if (p->sent == len) {
					ASSERT_EQ(0, shutdown(p->fd, SHUT_WR));
					p->shut = true;
				}
				continue;
			}
			if (p->got < PEER_SUM_LEN)
				got = recv(p->fd, p->res + p->got,
					   PEER_SUM_LEN - p->got, 0);
			else
				got = recv(p->fd, buf, 1, 0);
			if (got < 0)
				ASSERT_EQ(EAGAIN, errno)
					TH_LOG("recv %d: %s", i, strerror(errno));
			if (got > 0) {
				ASSERT_GE(PEER_SUM_LEN, p->got + got)
					TH_LOG("%d: more than count and CRC", i);
				p->got += got;
				last = now_ms();
			}
			if (!got) {
				p->eof = true;
				left--;
			}
		}
	}
	ms = now_ms() - t0;
	for (i = 0; i < n; i++) {
		uint64_t count;
		uint32_t crc;

		ASSERT_EQ(PEER_SUM_LEN, f[i].got)
			TH_LOG("connection %d: no answer", i);
		peer_sum_get(f[i].res, &count, &crc);
		EXPECT_EQ(len, count) TH_LOG("connection %d", i);
		EXPECT_EQ(f[i].crc, crc) TH_LOG("connection %d", i);
		total += f[i].sent;
		close(f[i].fd);
	}
	TH_LOG("%d connections x %llu KiB in %.0f ms: %.0f MiB/s", n,
	       (unsigned long long)(len / KiB), ms, mibps(total, ms));
	free(f);
	free(pfd);
}

/*
 * Flow control is per connection: with the hold connection's reader
 * stalled and its writer blocked, another connection to the same peer
 * moves its data; then the peer drains the hold connection and its
 * blocked writer completes.
 */
TEST_F_TIMEOUT(pair, flow_control, 300)
{
	const struct ctx *c = &self->c;
	uint64_t blen = rsk_scaled(c->div, 16 * MiB);
	uint64_t more = rsk_scaled(c->div, 4 * MiB);
	uint64_t filled = 0, count;
	struct xfer bw = { .name = "B writer", .len = blen, .seed = seed_of(25),
			   .rnd = 25, .end = XF_SHUT_WR };
	struct xfer aw = { .name = "A writer", .seed = seed_of(26), .rnd = 26,
			   .len = more, .end = XF_SHUT_WR };
	struct sockaddr_storage me;
	uint8_t req[PEER_DRAIN_REQ_LEN];
	uint32_t crc;
	int ctl, err;
	double t0;
	char ok;

	aw.fd = DIAL(c, SVC_HOLD);
	name_of(_metadata, c, aw.fd, false, &me);

	/* A: filled until it takes no more. */
	t0 = now_ms();
	err = fill(aw.fd, aw.seed, &filled);
	ASSERT_EQ(0, err) TH_LOG("filling A: %s", strerror(err));
	ASSERT_LT(0ULL, filled);
	ASSERT_EQ(0, poll1(aw.fd, POLLOUT, 0));
	TH_LOG("A took %llu KiB in %.0f ms, then no more",
	       (unsigned long long)(filled / KiB), now_ms() - t0);

	/* A's writer blocks; SO_SNDTIMEO is the net under it. */
	ASSERT_EQ(0, set_timeo(aw.fd, SO_SNDTIMEO, 120000));
	aw.off = filled;
	XFER_START(&aw, true);

	/* B moves its data meanwhile. */
	bw.fd = DIAL(c, SVC_SINK);
	t0 = now_ms();
	XFER_START(&bw, true);
	EXPECT_XFER_OK(&bw);
	read_result(_metadata, bw.fd, &count, &crc);
	EXPECT_EQ(blen, count);
	EXPECT_EQ(bw.crc, crc);
	EXPECT_GE(60000, now_ms() - t0);
	TH_LOG("B moved %llu MiB in %.0f ms beside the stalled A",
	       (unsigned long long)(blen / MiB), now_ms() - t0);
	close(bw.fd);

	/*
	 * A's writer is still blocked.  (A receiver that does not read may
	 * still take a little: A need not stand quite still, but it cannot
	 * have finished.)
	 */
	EXPECT_GT(aw.len, xfer_done(&aw)) TH_LOG("A's writer never blocked");

	/* The peer drains A: A's writer completes, and the counts match. */
	ctl = DIAL(c, SVC_DRAIN);
	req[0] = 'G';
	put_be16(req + 1, port_of(&me));
	ASSERT_EQ(PEER_DRAIN_REQ_LEN, send_all(ctl, req, PEER_DRAIN_REQ_LEN, 0));
	ASSERT_EQ(1, recv(ctl, &ok, 1, 0)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ('K', ok) TH_LOG("the peer found no hold connection from port %u",
				  port_of(&me));
	EXPECT_XFER_OK(&aw);
	read_result(_metadata, ctl, &count, &crc);
	EXPECT_EQ(filled + more, count);
	EXPECT_EQ(pattern_crc(aw.seed, 0, filled + more), crc);
	close(ctl);
	close(aw.fd);
}

/* A connect attempt of the flood. */
struct attempt {
	int fd;
	double t0;
};

/* poll() within which an attempt must be done, or is closed as pending. */
#define ATTEMPT_MS	1000
#define OUTSTANDING	500

/*
 * Half-open flood: many nonblocking connects to a listener that never
 * accepts, at most OUTSTANDING at a time, each closed once done or after
 * ATTEMPT_MS.  The listener's backlog fills, and then:
 *
 *   TCP drops the SYNs: the connects stay in SYN_SENT (retrying for
 *   minutes), so they end as "pending" here;
 *
 *   rdma_sock holds up to max_half_open (256) requests per listener as
 *   small records, refuses the rest at once (ECONNREFUSED), and refuses
 *   each held one with ETIMEDOUT after half_open_timeout_ms (10 s)
 *   (Documentation/networking/rdma_sock.rst, "Accepting connections and
 *   half-open requests").
 *
 * For rdma, the peer's half_open counter must stay within the limit and
 * our sockets counter bounded by what we have open.  Afterwards the peer
 * serves as before, and the listener's backlog, full for good of
 * connections nobody accepts, keeps a new connect pending.
 */
TEST_F_TIMEOUT(pair, half_open_flood, 300)
{
	const struct ctx *c = &self->c;
	int total = c->div > 1 ? 2000 : 10000, started = 0, open = 0, i, j, fd;
	int connected = 0, refused = 0, timedout = 0, pending = 0, other = 0;
	long base_socks = -1, socks, max_socks = -1, max_half = -1, v;
	long max_peer_half = -1, peer_half;
	struct sockaddr_storage to = svc_addr(c, SVC_NEVER);
	static struct attempt at[OUTSTANDING];
	static struct pollfd pfd[OUTSTANDING];
	double t0, next_sample = 0, now;
	int err, ev;
	char buf[1024], back[1024];

	raise_nofile(_metadata, OUTSTANDING + 64);
	if (c->rdma) {
		base_socks = rsk_counter("sockets");
		ASSERT_LE(0, base_socks) TH_LOG("no sockets counter");
	}
	t0 = now_ms();
	while (started < total || open) {
		while (started < total && open < OUTSTANDING) {
			fd = socket(c->domain, SOCK_STREAM | SOCK_NONBLOCK, 0);
			ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
			started++;
			if (!connect(fd, SA(&to), c->alen)) {
				connected++;
				close(fd);
				continue;
			}
			if (errno != EINPROGRESS) {
				err = errno;
				close(fd);
				if (err == ECONNREFUSED) {
					refused++;
				} else if (err == ETIMEDOUT) {
					timedout++;
				} else {
					if (!other++)
						TH_LOG("connect: %s", strerror(err));
				}
				continue;
			}
			at[open] = (struct attempt){ .fd = fd, .t0 = now_ms() };
			pfd[open] = (struct pollfd){ .fd = fd, .events = POLLOUT };
			open++;
		}
		ASSERT_LE(0, poll(pfd, open, 20)) TH_LOG("poll: %s", strerror(errno));
		now = now_ms();
		for (i = 0, j = 0; i < open; i++) {
			ev = pfd[i].revents;
			if (!ev && now - at[i].t0 < ATTEMPT_MS) {
				at[j] = at[i];
				pfd[j] = pfd[i];
				pfd[j].revents = 0;
				j++;
				continue;
			}
			if (!ev) {
				pending++;
			} else {
				err = so_error(at[i].fd);
				if (!err && (ev & POLLOUT))
					connected++;
				else if (err == ECONNREFUSED)
					refused++;
				else if (err == ETIMEDOUT)
					timedout++;
				else if (!other++)
					TH_LOG("poll 0x%x, SO_ERROR %s", ev,
					       strerror(err));
			}
			close(at[i].fd);
		}
		open = j;
		if (c->rdma && now >= next_sample) {
			next_sample = now + 250;
			socks = rsk_counter("sockets");
			if (socks > max_socks)
				max_socks = socks;
			v = rsk_counter("half_open");
			if (v > max_half)
				max_half = v;
			peer_half = peer_counter(c, "half_open");
			if (peer_half > max_peer_half)
				max_peer_half = peer_half;
		}
		ASSERT_GT(240000, now_ms() - t0) TH_LOG("the flood takes too long");
	}
	TH_LOG("%d connects in %.0f ms: %d connected, %d ECONNREFUSED, %d ETIMEDOUT, "
	       "%d pending after %d ms, %d other", total, now_ms() - t0,
	       connected, refused, timedout, pending, ATTEMPT_MS, other);
	EXPECT_EQ(0, other);
	EXPECT_EQ(total, connected + refused + timedout + pending);
	if (c->rdma) {
		TH_LOG("at most: %ld sockets here (%ld before), half_open %ld here, "
		       "%ld at the peer", max_socks, base_socks, max_half,
		       max_peer_half);
		EXPECT_GE(MAX_HALF_OPEN + 16, max_half);
		EXPECT_LE(0, max_peer_half) TH_LOG("no half_open counter at the peer");
		EXPECT_GE(MAX_HALF_OPEN + 16, max_peer_half);
		EXPECT_GE(base_socks + OUTSTANDING + 32, max_socks);
		/* The backlog takes backlog + 1, as TCP's; the rest waits or is refused. */
		EXPECT_GE(PEER_NEVER_BACKLOG + 1, connected);
		EXPECT_LT(0, refused) TH_LOG("nothing refused beyond max_half_open");
	} else {
		/* The backlog filled: TCP dropped SYNs and kept retrying. */
		EXPECT_LT(0, pending);
		EXPECT_EQ(0, timedout);
	}

	/* The peer serves as before. */
	fd = DIAL(c, SVC_ECHO);
	pattern(buf, sizeof(buf), seed_of(27), 0);
	ASSERT_EQ((ssize_t)sizeof(buf), send_all(fd, buf, sizeof(buf), 0));
	ASSERT_EQ((ssize_t)sizeof(back), recv_all(fd, back, sizeof(back)));
	EXPECT_EQ(0, memcmp(buf, back, sizeof(buf)));
	close(fd);

	if (c->rdma) {
		/* The held requests time out: none left at the peer. */
		WAIT_UNTIL((peer_half = peer_counter(c, "half_open")) <= 0,
			   30000, 250);
		EXPECT_EQ(0, peer_half) TH_LOG("held requests left at the peer");
		/* Our sockets: the flood's are gone but those it connected. */
		WAIT_UNTIL((socks = rsk_counter("sockets")) <=
			   base_socks + connected + 8, WAIT_MS, 100);
		EXPECT_GE(base_socks + connected + 8, socks)
			TH_LOG("%ld sockets, %ld before the flood", socks, base_socks);
	}

	/*
	 * The never-accept listener is still there, its backlog full: a new
	 * connect is neither accepted nor refused, it waits.
	 */
	fd = sock_new(c, SOCK_NONBLOCK);
	ASSERT_LE(0, fd);
	err = connect(fd, SA(&to), c->alen) ? errno : 0;
	ASSERT_EQ(EINPROGRESS, err) TH_LOG("connect: %s", strerror(err));
	ev = poll1(fd, POLLOUT, 3000);
	EXPECT_EQ(0, ev) TH_LOG("poll 0x%x, SO_ERROR %s", ev, strerror(so_error(fd)));
	if (c->rdma && !ev) {
		/* and rdma_sock gives up on it after half_open_timeout_ms. */
		ev = poll1(fd, POLLOUT, 15000);
		EXPECT_TRUE(ev & POLLERR) TH_LOG("poll 0x%x", ev);
		EXPECT_EQ(ETIMEDOUT, so_error(fd));
	}
	close(fd);
}

/* The peer closes with SO_LINGER {1, 0}: ECONNRESET here. */
TEST_F(pair, reset_from_peer)
{
	const struct ctx *c = &self->c;
	int fd = DIAL(c, SVC_RESET), ev;
	char ch;

	ASSERT_EQ(1, send(fd, "r", 1, MSG_NOSIGNAL));
	ev = poll1(fd, POLLIN, WAIT_MS);
	ASSERT_LT(0, ev) TH_LOG("no reset in %d ms", WAIT_MS);
	EXPECT_TRUE(ev & POLLERR) TH_LOG("revents 0x%x", ev);
	EXPECT_EQ(-1, recv(fd, &ch, 1, 0));
	EXPECT_EQ(ECONNRESET, errno) TH_LOG("%s", strerror(errno));
	/* The error is reported once; then the connection reads as closed. */
	EXPECT_EQ(0, recv(fd, &ch, 1, 0));
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno) TH_LOG("%s", strerror(errno));
	close(fd);
}

/* A port of the peer's where nothing listens: ECONNREFUSED. */
TEST_F(pair, connect_refused)
{
	const struct ctx *c = &self->c;
	struct sockaddr_storage to = svc_addr(c, PORT_NOBODY);
	int fd = sock_new(c, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, connect(fd, SA(&to), c->alen));
	EXPECT_EQ(ECONNREFUSED, errno) TH_LOG("%s", strerror(errno));
	close(fd);

	fd = try_dial(c, PORT_NOBODY, WAIT_MS);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ECONNREFUSED, errno) TH_LOG("%s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

TEST_HARNESS_MAIN
