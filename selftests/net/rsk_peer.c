// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_peer: the server side of the two-host stream tests (rdma_sock_pair
 * and rsk_death run on the other host).
 *
 *   rsk_peer [-f tcp|rdma] [-a ADDR] [-p BASEPORT] [-d IDLE] [-t LIFETIME] [-v]
 *
 *   -f  the socket family: tcp (AF_INET/AF_INET6, by the address) or rdma
 *       (the rdma_sock family, rsk_family()); default tcp;
 *   -a  the address every listener binds, IPv4 or IPv6 (default 127.0.0.1);
 *   -p  BASEPORT (default 7000): service k listens on BASEPORT + k;
 *   -d  exit 0 once no connection has been open for IDLE seconds (default:
 *       never);
 *   -t  exit 3 after LIFETIME seconds whatever happens (default 600), so
 *       that a test host can never hang on it;
 *   -v  log every connection to stderr.
 *
 * It prints the one line "rsk_peer ready" to stdout once every listener
 * is up, logs errors to stderr, and exits 0 on SIGTERM or SIGINT, 1 if it
 * cannot set up, 3 when LIFETIME ran out.  Every connection has a thread
 * of its own; every blocking call of one is bounded (IO_TIMEO_S) except
 * where the service is to wait for the client (hold).
 *
 * Services and their protocols (all integers big-endian; SVC_* and
 * PEER_* in rsk_selftest.h):
 *
 *  +0 echo    sends back every byte it receives until EOF, then
 *             shutdown(SHUT_WR) and close.
 *  +1 sink    reads until EOF, then sends count (8 bytes) and CRC32
 *             (4 bytes, zlib's crc32) of everything it received, and
 *             closes.
 *  +2 source  reads N (8 bytes) and a stream number S (4 bytes), then
 *             sends bytes [0, N) of the pattern stream seed_of(S) (see
 *             rsk_selftest.h) in writes of random sizes 1 B..1 MiB,
 *             then shutdown(SHUT_WR), waits for the client's EOF, closes.
 *  +3 hold    accepts and never reads, until the client goes away (EOF,
 *             reset) or the drain service takes the connection over.
 *  +4 drain   the control of hold.  The client sends 'G' and the port of
 *             its end of a hold connection (2 bytes); the hold connection
 *             meant is the one from that port and from the control
 *             connection's own peer address.  The answer is one byte: 'N'
 *             if there is no such hold connection (it is looked for for
 *             5 s, as its accept may lag), then the control connection is
 *             closed; or 'K', and the server reads the hold connection
 *             until EOF and then sends, on the control connection, count
 *             (8 bytes) and CRC32 (4 bytes) of all the hold connection
 *             carried, and closes both.  If reading the hold connection
 *             fails, the control connection is closed without that.
 *  +5 never   listen(backlog 8), never accept: for half-open floods.
 *  +6 reset   accepts, reads one byte, closes with SO_LINGER {1, 0}: the
 *             client sees ECONNRESET.
 *  +7 stats   sends the text of <debugfs>/rdma_sock/objects of this host
 *             (lines "name value"; nothing if it cannot be read), then
 *             shutdown(SHUT_WR), waits for EOF, closes: lets the client
 *             check the server's counters (half_open, links).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "rsk_selftest.h"

static const char *const svc_name[SVC_N] = {
	"echo", "sink", "source", "hold", "drain", "never-accept", "reset",
	"stats",
};

#define IO_TIMEO_S	120		/* SO_RCVTIMEO/SO_SNDTIMEO of a connection */
#define CTL_TIMEO_S	10		/* of a request that is a few bytes */
#define HOLD_FIND_MS	5000		/* drain looks this long for its hold connection */
#define BACKLOG		1024
#define MAX_CONNS	4096		/* open connections; more are closed at once */
#define THREAD_STACK	(256 * 1024)
#define BUF_SIZE	(256 * 1024)

static int domain;			/* socket()'s first argument */
static struct sockaddr_storage laddr;	/* the listen address, port 0 */
static socklen_t laddr_len;
static int verbose;
static double t_start;
static int conns;			/* open connections, atomic */
static double last_busy;		/* when one was last open, under conns_lock */
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_attr_t thread_attr;

/* Same address, ports aside. */
static bool same_host(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	struct sockaddr_storage x = *a, y = *b;

	set_port(&x, 0);
	set_port(&y, 0);
	return addr_eq(&x, &y);
}

/* ---- connections ---- */

struct conn {
	int svc;
	int fd;
	struct sockaddr_storage peer;
	char name[INET6_ADDRSTRLEN + 16];
};

static void conn_end(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (verbose)
		rsk_log("%s: %s closed", svc_name[c->svc], c->name);
	pthread_mutex_lock(&conns_lock);
	conns--;
	last_busy = now_ms();
	pthread_mutex_unlock(&conns_lock);
	free(c);
}

static void conn_err(struct conn *c, const char *what, int err)
{
	rsk_log("%s: %s: %s: %s", svc_name[c->svc], c->name, what,
		err ? strerror(err) : "EOF too early");
}

/* Reads and drops until EOF or an error (SO_RCVTIMEO bounds it). */
static void await_eof(int fd)
{
	char buf[4096];
	ssize_t n;

	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n > 0 || (n < 0 && errno == EINTR));
}

/* Reads fd to its EOF: count and CRC32; 0 or an errno (ENODATA: none). */
static int read_to_eof(int fd, uint8_t *buf, size_t size, uint64_t *count,
		       uint32_t *crc)
{
	ssize_t n;

	*count = 0;
	*crc = 0;
	for (;;) {
		n = recv(fd, buf, size, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (!n)
			return 0;
		*crc = crc32_update(*crc, buf, n);
		*count += n;
	}
}

static void svc_echo(struct conn *c)
{
	uint8_t *buf = malloc(BUF_SIZE);
	ssize_t n;

	if (!buf)
		return conn_err(c, "malloc", ENOMEM);
	for (;;) {
		n = recv(c->fd, buf, BUF_SIZE, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			conn_err(c, "recv", errno);
			break;
		}
		if (!n) {
			if (shutdown(c->fd, SHUT_WR))
				conn_err(c, "shutdown", errno);
			break;
		}
		if (send_all(c->fd, buf, n, 0) != n) {
			conn_err(c, "send", errno);
			break;
		}
	}
	free(buf);
}

static void svc_sink(struct conn *c)
{
	uint8_t *buf = malloc(BUF_SIZE), reply[PEER_SUM_LEN];
	uint64_t count;
	uint32_t crc;
	int err;

	if (!buf)
		return conn_err(c, "malloc", ENOMEM);
	err = read_to_eof(c->fd, buf, BUF_SIZE, &count, &crc);
	free(buf);
	if (err)
		return conn_err(c, "recv", err);
	peer_sum_put(reply, count, crc);
	if (send_all(c->fd, reply, sizeof(reply), 0) != sizeof(reply))
		conn_err(c, "send the reply", errno);
	else if (verbose)
		rsk_log("sink: %s: %llu bytes, crc32 %08x", c->name,
			(unsigned long long)count, crc);
}

static void svc_source(struct conn *c)
{
	uint8_t req[PEER_SOURCE_REQ_LEN], *buf;
	uint64_t len, off = 0, seed;
	uint32_t rnd, stream;
	size_t want;

	if (recv_all(c->fd, req, sizeof(req)) != sizeof(req))
		return conn_err(c, "recv the request", errno);
	peer_source_req_get(req, &len, &stream);
	seed = seed_of(stream);
	rnd = (uint32_t)seed | 1;
	buf = malloc(MiB);
	if (!buf)
		return conn_err(c, "malloc", ENOMEM);
	if (verbose)
		rsk_log("source: %s: %llu bytes of stream %u", c->name,
			(unsigned long long)len, stream);
	while (off < len) {
		want = 1 + xorshift32(&rnd) % MiB;
		if (want > len - off)
			want = len - off;
		pattern(buf, want, seed, off);
		if (send_all(c->fd, buf, want, 0) != (ssize_t)want) {
			conn_err(c, "send", errno);
			break;
		}
		off += want;
	}
	free(buf);
	if (off == len) {
		if (shutdown(c->fd, SHUT_WR))
			conn_err(c, "shutdown", errno);
		else
			await_eof(c->fd);
	}
}

/* ---- hold and drain ---- */

struct hold {
	struct hold *next;
	struct conn *c;
	bool claimed;		/* drain took it over: fd is no longer ours */
};

static struct hold *holds;
static pthread_mutex_t holds_lock = PTHREAD_MUTEX_INITIALIZER;

static void svc_hold(struct conn *c)
{
	struct hold *h = calloc(1, sizeof(*h)), **pp;
	struct pollfd pfd = { .fd = c->fd, .events = POLLRDHUP };
	int ret;

	if (!h)
		return conn_err(c, "malloc", ENOMEM);
	h->c = c;
	pthread_mutex_lock(&holds_lock);
	h->next = holds;
	holds = h;
	pthread_mutex_unlock(&holds_lock);

	for (;;) {
		ret = poll(&pfd, 1, 250);
		if (ret < 0 && errno == EINTR)
			continue;
		pthread_mutex_lock(&holds_lock);
		if (h->claimed) {
			c->fd = -1;	/* drain's now, and closed by it */
			pthread_mutex_unlock(&holds_lock);
			break;
		}
		if (ret < 0 || (ret > 0 && pfd.revents)) {
			/* The client went away (or poll failed): done. */
			if (ret < 0)
				conn_err(c, "poll", errno);
			for (pp = &holds; *pp != h; pp = &(*pp)->next)
				;
			*pp = h->next;
			close(c->fd);	/* under the lock: drain may look */
			c->fd = -1;
			pthread_mutex_unlock(&holds_lock);
			break;
		}
		pthread_mutex_unlock(&holds_lock);
	}
	free(h);
}

/* Claims the hold connection from that peer address and port: its fd, or -1. */
static int hold_claim(const struct sockaddr_storage *from, uint16_t port)
{
	double end = now_ms() + HOLD_FIND_MS;
	struct hold *h, **pp;
	int fd = -1;

	for (;;) {
		pthread_mutex_lock(&holds_lock);
		for (pp = &holds; (h = *pp); pp = &h->next) {
			if (port_of(&h->c->peer) == port &&
			    same_host(&h->c->peer, from)) {
				*pp = h->next;
				h->claimed = true;
				fd = h->c->fd;
				break;
			}
		}
		pthread_mutex_unlock(&holds_lock);
		if (fd >= 0 || now_ms() > end)
			return fd;
		sleep_ms(20);
	}
}

static void svc_drain(struct conn *c)
{
	uint8_t req[PEER_DRAIN_REQ_LEN], reply[PEER_SUM_LEN], *buf;
	uint64_t count;
	uint32_t crc;
	uint16_t port;
	int hfd, err;

	if (recv_all(c->fd, req, sizeof(req)) != sizeof(req))
		return conn_err(c, "recv the request", errno);
	if (req[0] != 'G') {
		rsk_log("drain: %s: request 0x%02x is not 'G'", c->name, req[0]);
		return;
	}
	port = get_be16(req + 1);
	hfd = hold_claim(&c->peer, port);
	if (hfd < 0) {
		rsk_log("drain: %s: no hold connection from port %u", c->name,
			port);
		send_all(c->fd, "N", 1, 0);
		return;
	}
	if (send_all(c->fd, "K", 1, 0) != 1) {
		conn_err(c, "send", errno);
		close(hfd);
		return;
	}
	buf = malloc(BUF_SIZE);
	if (!buf) {
		conn_err(c, "malloc", ENOMEM);
		close(hfd);
		return;
	}
	set_timeos(hfd, IO_TIMEO_S * 1000);
	err = read_to_eof(hfd, buf, BUF_SIZE, &count, &crc);
	free(buf);
	close(hfd);
	if (err)
		return conn_err(c, "read the hold connection", err);
	if (verbose)
		rsk_log("drain: %s: hold connection from port %u: %llu bytes, crc32 %08x",
			c->name, port, (unsigned long long)count, crc);
	peer_sum_put(reply, count, crc);
	if (send_all(c->fd, reply, sizeof(reply), 0) != sizeof(reply))
		conn_err(c, "send the reply", errno);
}

static void svc_reset(struct conn *c)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char ch;

	if (recv_all(c->fd, &ch, 1) != 1)
		return conn_err(c, "recv", errno);
	if (setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		conn_err(c, "SO_LINGER", errno);
}

static void svc_stats(struct conn *c)
{
	char buf[16384];
	size_t n = 0;
	FILE *f = fopen(RSK_DEBUGFS "/objects", "r");

	if (f) {
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
	}
	if (n && send_all(c->fd, buf, n, 0) != (ssize_t)n)
		return conn_err(c, "send", errno);
	if (shutdown(c->fd, SHUT_WR))
		return conn_err(c, "shutdown", errno);
	await_eof(c->fd);
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;

	switch (c->svc) {
	case SVC_ECHO: svc_echo(c); break;
	case SVC_SINK: svc_sink(c); break;
	case SVC_SOURCE: svc_source(c); break;
	case SVC_HOLD: svc_hold(c); break;
	case SVC_DRAIN: svc_drain(c); break;
	case SVC_RESET: svc_reset(c); break;
	case SVC_STATS: svc_stats(c); break;
	}
	conn_end(c);
	return NULL;
}

/* ---- listeners ---- */

struct listener {
	int svc;
	int fd;
	pthread_t th;
};

static void *accept_thread(void *arg)
{
	struct listener *l = arg;
	socklen_t len;
	struct conn *c;
	pthread_t th;
	int fd, err;

	for (;;) {
		c = calloc(1, sizeof(*c));
		if (!c) {
			rsk_log("%s: out of memory", svc_name[l->svc]);
			sleep_ms(100);
			continue;
		}
		len = sizeof(c->peer);
		fd = accept4(l->fd, SA(&c->peer), &len, SOCK_CLOEXEC);
		if (fd < 0) {
			err = errno;
			free(c);
			if (err == EINTR || err == ECONNABORTED)
				continue;
			rsk_log("%s: accept: %s", svc_name[l->svc], strerror(err));
			sleep_ms(100);
			continue;
		}
		c->svc = l->svc;
		c->fd = fd;
		addr_fmt(&c->peer, c->name, sizeof(c->name));
		pthread_mutex_lock(&conns_lock);
		if (conns >= MAX_CONNS) {
			pthread_mutex_unlock(&conns_lock);
			rsk_log("%s: %s: %d connections open already, closed",
				svc_name[l->svc], c->name, MAX_CONNS);
			close(fd);
			free(c);
			continue;
		}
		conns++;
		last_busy = now_ms();
		pthread_mutex_unlock(&conns_lock);
		if (verbose)
			rsk_log("%s: %s accepted", svc_name[l->svc], c->name);
		if (l->svc != SVC_HOLD)
			set_timeos(fd, 1000 * (l->svc == SVC_DRAIN ||
					       l->svc == SVC_RESET ?
					       CTL_TIMEO_S : IO_TIMEO_S));
		err = pthread_create(&th, &thread_attr, conn_thread, c);
		if (err) {
			rsk_log("%s: %s: pthread_create: %s", svc_name[l->svc],
				c->name, strerror(err));
			conn_end(c);
		}
	}
	return NULL;
}

static int listen_on(int svc, uint16_t port)
{
	struct sockaddr_storage ss = laddr;
	char name[INET6_ADDRSTRLEN + 16];
	int fd;

	set_port(&ss, port);
	fd = socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rsk_log("socket(%d, SOCK_STREAM): %s", domain, strerror(errno));
		return -1;
	}
	if (set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1))
		rsk_log("SO_REUSEADDR: %s", strerror(errno));
	if (bind(fd, SA(&ss), laddr_len)) {
		rsk_log("%s: bind %s: %s", svc_name[svc],
			addr_fmt(&ss, name, sizeof(name)), strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, svc == SVC_NEVER ? PEER_NEVER_BACKLOG : BACKLOG)) {
		rsk_log("%s: listen: %s", svc_name[svc], strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: rsk_peer [-f tcp|rdma] [-a ADDR] [-p BASEPORT] "
		"[-d IDLE_SECONDS] [-t LIFETIME_SECONDS] [-v]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *fam = "tcp", *addr = "127.0.0.1";
	struct listener lis[SVC_N];
	long base = PEER_PORT, idle = 0, lifetime = 600;
	struct timespec tick = { 1, 0 };
	struct rlimit rl;
	sigset_t sigs;
	int opt, i, sig, err;
	double idle_ms;

	t_start = rsk_log_start("rsk_peer");
	while ((opt = getopt(argc, argv, "f:a:p:d:t:v")) != -1) {
		switch (opt) {
		case 'f': fam = optarg; break;
		case 'a': addr = optarg; break;
		case 'p': base = num_arg(optarg, 1, 65535 - SVC_N, usage); break;
		case 'd': idle = num_arg(optarg, 0, INT_MAX / 1000, usage); break;
		case 't': lifetime = num_arg(optarg, 1, INT_MAX / 1000, usage); break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	laddr_len = addr_parse(addr, 0, &laddr);
	if (!laddr_len) {
		rsk_log("-a %s: no IPv4 or IPv6 address", addr);
		return 1;
	}
	if (!rsk_domain_named(fam, "tcp", laddr.ss_family, &domain))
		usage();

	crc32_init();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	/* The main thread alone takes these, in sigtimedwait(). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	/* A net under the lifetime check: SIGALRM's default ends us. */
	alarm(lifetime + 30);

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < 2 * MAX_CONNS + 64) {
		rl.rlim_cur = rl.rlim_max < 2 * MAX_CONNS + 64 ?
			      rl.rlim_max : 2 * MAX_CONNS + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	pthread_attr_init(&thread_attr);
	pthread_attr_setstacksize(&thread_attr, THREAD_STACK);
	pthread_attr_setdetachstate(&thread_attr, PTHREAD_CREATE_DETACHED);

	for (i = 0; i < SVC_N; i++) {
		lis[i].svc = i;
		lis[i].fd = listen_on(i, base + i);
		if (lis[i].fd < 0)
			return 1;
	}
	for (i = 0; i < SVC_N; i++) {
		if (i == SVC_NEVER)
			continue;
		err = pthread_create(&lis[i].th, &thread_attr, accept_thread, &lis[i]);
		if (err) {
			rsk_log("pthread_create: %s", strerror(err));
			return 1;
		}
	}
	rsk_log("%s sockets (family %d) on %s, ports %ld..%ld; lifetime %ld s%s",
		fam, domain, addr, base, base + SVC_N - 1, lifetime,
		idle ? ", exits when idle" : "");
	printf("rsk_peer ready\n");

	last_busy = now_ms();
	idle_ms = idle * 1000.0;
	for (;;) {
		sig = sigtimedwait(&sigs, NULL, &tick);
		if (sig > 0) {
			rsk_log("signal %d: exiting", sig);
			fflush(NULL);
			_exit(0);
		}
		if (now_ms() - t_start >= lifetime * 1000.0) {
			rsk_log("lifetime of %ld s ran out: exiting", lifetime);
			fflush(NULL);
			_exit(3);
		}
		if (idle) {
			pthread_mutex_lock(&conns_lock);
			if (!conns && now_ms() - last_busy >= idle_ms) {
				pthread_mutex_unlock(&conns_lock);
				rsk_log("idle for %ld s: exiting", idle);
				fflush(NULL);
				_exit(0);
			}
			pthread_mutex_unlock(&conns_lock);
		}
	}
}
