// SPDX-License-Identifier: GPL-2.0
/*
 * The helper library of the rdmasock selftests: see rsk_selftest.h.
 */
#include <limits.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "rsk_selftest.h"

/* ---- the module and the test bed ---- */

/* The family the loaded module registered; the default if it is not loaded. */
int rsk_family(void)
{
	FILE *f = fopen(RDMA_SOCK_FAMILY_PATH, "r");
	int family = AF_RDMA_STREAM;

	if (f) {
		if (fscanf(f, "%d", &family) != 1)
			family = -1;
		fclose(f);
	}
	return family;
}

int rsk_socket(int type)
{
	return socket(rsk_family(), type, 0);
}

int rsk_domain(bool rdma, int inet)
{
	return rdma ? rsk_family() : inet;
}

bool rsk_domain_named(const char *name, const char *inet_name, int inet,
		      int *domain)
{
	if (!strcmp(name, inet_name))
		*domain = inet;
	else if (!strcmp(name, "rdma"))
		*domain = rsk_family();
	else
		return false;
	return true;
}

int rsk_module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/" RDMA_SOCK_MODULE_NAME, &st) == 0;
}

/* delete_module(2); returns 0 or -errno. */
int rsk_module_unload(void)
{
	if (syscall(SYS_delete_module, RDMA_SOCK_MODULE_NAME, O_NONBLOCK))
		return -errno;
	return 0;
}

/* One value from "name value" lines, or -1. */
static long counter_from(FILE *f, const char *name)
{
	char key[64];
	long val, found = -1;

	while (fscanf(f, "%63s %ld", key, &val) == 2) {
		if (!strcmp(key, name)) {
			found = val;
			break;
		}
	}
	return found;
}

/* One value from a file of "name value" lines, or -1. */
long rsk_counter_in(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	long found;

	if (!f)
		return -1;
	found = counter_from(f, name);
	fclose(f);
	return found;
}

/* One module-wide counter from <debugfs>/rdma_sock/objects, or -1. */
long rsk_counter(const char *name)
{
	return rsk_counter_in(RSK_DEBUGFS "/objects", name);
}

long rsk_ns_counter(const char *name)
{
	return rsk_counter_in("/proc/net/rdma_sock", name);
}

long rsk_counter_text(const char *text, const char *name)
{
	FILE *f;
	long found;

	if (!*text)
		return -1;
	f = fmemopen((void *)text, strlen(text), "r");
	if (!f)
		return -1;
	found = counter_from(f, name);
	fclose(f);
	return found;
}

/* Whether <debugfs>/rdma_sock/devices lists a device of that name. */
int rsk_device_bound(const char *ibdev)
{
	FILE *f = fopen(RSK_DEBUGFS "/devices", "r");
	char line[256];
	size_t n = strlen(ibdev);
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, ibdev, n) && line[n] == ' ')
			found = 1;
	fclose(f);
	return found;
}

/* Run a shell command quietly; its exit status, or -1. */
int rsk_run(const char *fmt, const char *arg)
{
	char cmd[512];
	int st;

	snprintf(cmd, sizeof(cmd), fmt, arg);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* An environment variable, or def when it is unset or empty. */
const char *rsk_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

unsigned long rsk_scale_div(void)
{
	const char *scale = rsk_env("RSK_SCALE", "full");

	if (!strcmp(scale, "small"))
		return 16;
	if (strtoul(scale, NULL, 0) > 0)
		return strtoul(scale, NULL, 0);
	return 1;
}

uint64_t rsk_scaled(unsigned long div, uint64_t full)
{
	uint64_t v = full / div;

	return v ? v : 1;
}

long read_long(const char *path, long def)
{
	FILE *f = fopen(path, "r");
	long v = def;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = def;
		fclose(f);
	}
	return v;
}

int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * The most links (RC connections between two modules) rdma_sock may hold
 * towards one peer address while sockets to it are open: one.  A host
 * connecting to an address of its own may hold two, one opened by each
 * side; to_self says the test does that.
 */
long rsk_links_max(int to_self)
{
	return to_self ? 2 : 1;
}

/*
 * Links to one peer address that are not dead, from <debugfs>/rdma_sock/
 * links ("link ID active|passive peer ADDR state STATE ..."); -1 if the
 * file cannot be read.  Links to other addresses (IPv4 and IPv6 of the
 * same host are two) do not count.
 */
long rsk_links_to(const char *peer)
{
	FILE *f = fopen(RSK_DEBUGFS "/links", "r");
	char addr[64], state[32];
	char line[256];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "link %*u %*s peer %63s state %31s",
			   addr, state) == 2 &&
		    !strcmp(addr, peer) && strcmp(state, "dead"))
			n++;
	fclose(f);
	return n;
}

/* ---- time ---- */

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- data: a pattern any offset of which can be checked, and CRC32 ---- */

static uint32_t crc_tab[8][256];

void crc32_init(void)
{
	uint32_t c;
	int i, j;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
		crc_tab[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++)
			crc_tab[j][i] = (crc_tab[j - 1][i] >> 8) ^
					crc_tab[0][crc_tab[j - 1][i] & 0xff];
}

/* zlib's crc32(): start from 0, feed it the bytes in any number of calls. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = ~crc, a, b;

	while (len && ((uintptr_t)p & 7)) {
		c = crc_tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
		len--;
	}
	for (; len >= 8; p += 8, len -= 8) {
		a = c ^ (p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
		b = p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;
		c = crc_tab[7][a & 0xff] ^ crc_tab[6][(a >> 8) & 0xff] ^
		    crc_tab[5][(a >> 16) & 0xff] ^ crc_tab[4][a >> 24] ^
		    crc_tab[3][b & 0xff] ^ crc_tab[2][(b >> 8) & 0xff] ^
		    crc_tab[1][(b >> 16) & 0xff] ^ crc_tab[0][b >> 24];
	}
	while (len--)
		c = crc_tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Stream seed for stream number n: far apart for different n. */
uint64_t seed_of(unsigned int n)
{
	return mix64(0x5eed0000ULL + n);
}

/* Bytes [off, off + len) of the stream with that seed. */
void pattern(void *buf, size_t len, uint64_t seed, uint64_t off)
{
	uint8_t *p = buf;
	uint64_t w;
	size_t n;

	while (len) {
		w = mix64(seed ^ (off >> 3)) >> (8 * (off & 7));
		n = 8 - (off & 7);
		if (n > len)
			n = len;
		off += n;
		len -= n;
		while (n--) {
			*p++ = w;
			w >>= 8;
		}
	}
}

/* -1 if buf holds bytes [off, off + len) of the stream, else the first bad offset. */
int64_t pattern_bad(const void *buf, size_t len, uint64_t seed,
		    uint64_t off, void *scratch)
{
	const uint8_t *p = buf, *q = scratch;
	size_t i;

	pattern(scratch, len, seed, off);
	if (!memcmp(buf, scratch, len))
		return -1;
	for (i = 0; p[i] == q[i]; i++)
		;
	return off + i;
}

bool pattern_ok(const void *buf, size_t len, uint64_t seed, uint64_t off)
{
	void *scratch = malloc(len + 1);
	bool ok;

	if (!scratch)
		return false;
	ok = pattern_bad(buf, len, seed, off, scratch) == -1;
	free(scratch);
	return ok;
}

/* CRC32 of bytes [off, off + len) of the stream with that seed. */
uint32_t pattern_crc(uint64_t seed, uint64_t off, uint64_t len)
{
	uint8_t buf[4096];
	uint32_t crc = 0;
	size_t n;

	while (len) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		pattern(buf, n, seed, off);
		crc = crc32_update(crc, buf, n);
		off += n;
		len -= n;
	}
	return crc;
}

uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v;
}

uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

uint16_t get_be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

/* ---- addresses ---- */

uint16_t port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* Same family, address and port. */
bool addr_eq(const struct sockaddr_storage *a,
	     const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		       !memcmp(&a6->sin6_addr, &b6->sin6_addr, 16);
	return a4->sin_port == b4->sin_port &&
	       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
}

const char *addr_fmt(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
			  a, sizeof(a));
	else if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  a, sizeof(a));
	snprintf(buf, len, "%s%s%s:%u", ss->ss_family == AF_INET6 ? "[" : "",
		 a, ss->ss_family == AF_INET6 ? "]" : "", port_of(ss));
	return buf;
}

const char *addr_str(const struct sockaddr_storage *ss)
{
	static char buf[4][INET6_ADDRSTRLEN + 16];
	static int n;
	char *s = buf[n++ & 3];
	char a[INET6_ADDRSTRLEN + 16];

	snprintf(s, sizeof(buf[0]), "%s (family %d)",
		 addr_fmt(ss, a, sizeof(a)), ss->ss_family);
	return s;
}

int addr_v4(const char *text, bool mapped, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (void *)ss;
	struct sockaddr_in *sin = (void *)ss;
	struct in_addr a4;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &a4) != 1)
		return -1;
	if (!mapped) {
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

/*
 * An IPv4 or IPv6 address in text and a port as a sockaddr_in or
 * sockaddr_in6; its length, or 0 if the text is no address.
 */
socklen_t addr_parse(const char *text, uint16_t port,
		     struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (void *)ss;
	struct sockaddr_in *sin = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return sizeof(*sin6);
	}
	return 0;
}

/* ---- sockets ---- */

int set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

int set_timeos(int fd, int ms)
{
	if (set_timeo(fd, SO_RCVTIMEO, ms) || set_timeo(fd, SO_SNDTIMEO, ms))
		return -1;
	return 0;
}

int socket_bounded(int domain, int type, int ms)
{
	int fd = socket(domain, type, 0);

	if (fd < 0)
		return -1;
	if (set_timeos(fd, ms)) {
		close(fd);
		return -1;
	}
	return fd;
}

int set_int(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val));
}

int get_int(int fd, int level, int opt)
{
	socklen_t len = sizeof(int);
	int val = -12345;

	if (getsockopt(fd, level, opt, &val, &len) || len != sizeof(int))
		return -12345;
	return val;
}

int so_error(int fd)
{
	return get_int(fd, SOL_SOCKET, SO_ERROR);
}

int set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	return fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

ssize_t send_all(int fd, const void *buf, size_t len, int flags)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(fd, (const char *)buf + done, len - done,
			 flags | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return done ? (ssize_t)done : -1;
		done += n;
	}
	return done;
}

/* Reads exactly len bytes unless EOF or an error comes first. */
ssize_t recv_all(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = recv(fd, (char *)buf + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (ssize_t)done : -1;
		if (!n)
			break;
		done += n;
	}
	return done;
}

/* poll() one fd: revents, 0 on timeout, -1 on error. */
int poll1(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int ret = poll(&pfd, 1, ms);

	return ret > 0 ? pfd.revents : ret;
}

int connect_wait(int fd, const struct sockaddr *to, socklen_t len, int ms)
{
	int ev;

	if (connect(fd, to, len) && errno != EINPROGRESS)
		return errno;
	ev = poll1(fd, POLLOUT, ms);
	if (ev <= 0)
		return ev ? errno : ETIMEDOUT;
	return so_error(fd);
}

/*
 * Writes with MSG_DONTWAIT until the socket takes no more: a send gets
 * EAGAIN after POLLOUT stayed off for QUIET_MS.  Bytes of the stream with
 * that seed from *off on; *off advances.  0, or an errno.
 */
int fill(int fd, uint64_t seed, uint64_t *off)
{
	double end = now_ms() + 20000;
	static char buf[CHUNK];
	bool quiet = false;
	ssize_t n;
	int ev;

	for (;;) {
		pattern(buf, sizeof(buf), seed, *off);
		n = send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			*off += n;
			quiet = false;
		} else if (n < 0 && errno == EAGAIN) {
			if (quiet)
				return 0;
			ev = poll1(fd, POLLOUT, QUIET_MS);
			if (ev < 0)
				return errno;
			quiet = !ev;
		} else {
			return n < 0 ? errno : EPIPE;
		}
		if (now_ms() > end || *off > 1024 * MiB)
			return EFBIG;
	}
}

int ip_membership(int fd, int opt, struct in_addr group, struct in_addr ifaddr)
{
	struct ip_mreqn m = { .imr_multiaddr = group, .imr_address = ifaddr };

	return setsockopt(fd, SOL_IP, opt, &m, sizeof(m));
}

void rxq_ovfl(struct msghdr *mh, uint32_t *drops)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL)
			memcpy(drops, CMSG_DATA(cm), sizeof(*drops));
}

/* ---- threads: bulk transfers ---- */

static void xfer_fail(struct xfer *x, const char *what, int err)
{
	x->what = what;
	x->err = err;
}

static void *xfer_writer(void *arg)
{
	struct xfer *x = arg;
	uint8_t *buf = malloc(x->max_chunk);
	uint64_t pos = 0;
	double t0 = now_ms();
	size_t want;
	ssize_t n;
	int ev;

	if (!buf)
		return xfer_fail(x, "malloc", ENOMEM), NULL;
	while (pos < x->len) {
		want = 1 + xorshift32(&x->rnd) % x->max_chunk;
		if (want > x->len - pos)
			want = x->len - pos;
		pattern(buf, want, x->seed, x->off + pos);
		n = send(x->fd, buf, want,
			 MSG_NOSIGNAL | (x->nonblock ? MSG_DONTWAIT : 0));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && x->nonblock) {
			__atomic_add_fetch(&x->eagain, 1, __ATOMIC_SEQ_CST);
			ev = poll1(x->fd, POLLOUT, 60000);
			if (ev <= 0) {
				xfer_fail(x, ev ? "poll" : "poll timed out",
					  ev ? errno : ETIMEDOUT);
				break;
			}
			continue;
		}
		if (n <= 0) {
			xfer_fail(x, "send", n ? errno : EPIPE);
			break;
		}
		x->crc = crc32_update(x->crc, buf, n);
		pos += n;
		__atomic_store_n(&x->done, pos, __ATOMIC_SEQ_CST);
	}
	if (!x->err && x->end == XF_SHUT_WR && shutdown(x->fd, SHUT_WR))
		xfer_fail(x, "shutdown", errno);
	if (x->end == XF_CLOSE) {
		if (close(x->fd))
			xfer_fail(x, "close", errno);
		x->fd = -1;
	}
	x->ms = now_ms() - t0;
	free(buf);
	return NULL;
}

static void *xfer_reader(void *arg)
{
	struct xfer *x = arg;
	uint8_t *buf = malloc(x->max_chunk), *scratch = malloc(x->max_chunk);
	uint64_t pos = 0;
	double t0 = now_ms();
	size_t want;
	ssize_t n;
	int i = 0;

	x->bad = -1;
	if (!buf || !scratch) {
		xfer_fail(x, "malloc", ENOMEM);
		goto out;
	}
	if (x->slow_start)
		sleep_ms(300);
	while (pos < x->len) {
		want = 1 + xorshift32(&x->rnd) % x->max_chunk;
		if (i < x->slow_start) {
			want = want % 4096 + 1;
			sleep_ms(5);
			i++;
		}
		if (want > x->len - pos)
			want = x->len - pos;
		n = recv(x->fd, buf, want, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			xfer_fail(x, n ? "recv" : "EOF before the end",
				  n ? errno : ENODATA);
			break;
		}
		x->crc = crc32_update(x->crc, buf, n);
		if (x->bad < 0)
			x->bad = pattern_bad(buf, n, x->seed, x->off + pos, scratch);
		pos += n;
		__atomic_store_n(&x->done, pos, __ATOMIC_SEQ_CST);
	}
	if (!x->err && x->end == XF_EOF) {
		n = recv(x->fd, buf, 1, 0);
		if (n)
			xfer_fail(x, n > 0 ? "data past the end" : "recv at the end",
				  n > 0 ? EMSGSIZE : errno);
	}
out:
	x->ms = now_ms() - t0;
	free(buf);
	free(scratch);
	return NULL;
}

int xfer_start(struct xfer *x, bool writer)
{
	if (!x->rnd)
		x->rnd = 0x9e3779b9 ^ (uint32_t)x->seed;
	if (!x->max_chunk)
		x->max_chunk = MiB;
	x->bad = -1;
	return pthread_create(&x->th, NULL, writer ? xfer_writer : xfer_reader, x);
}

uint64_t xfer_done(struct xfer *x)
{
	return __atomic_load_n(&x->done, __ATOMIC_SEQ_CST);
}

double mibps(uint64_t bytes, double ms)
{
	return ms > 0 ? bytes / (double)MiB / (ms / 1000) : 0;
}

/* ---- the helper programs ---- */

static const char *log_prog = "rsk";
static double log_t0;

double rsk_log_start(const char *prog)
{
	log_prog = prog;
	log_t0 = now_ms();
	return log_t0;
}

void rsk_log(const char *fmt, ...)
{
	char line[PATH_MAX + 512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "%s %8.3f: ", log_prog,
		     (now_ms() - log_t0) / 1000);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

long num_arg(const char *s, long lo, long hi, void (*usage)(void))
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < lo || v > hi)
		usage();
	return v;
}

/* The name of an errno value ("ECONNRESET"), or its number. */
const char *errno_name(int err)
{
	static __thread char buf[16];
	const char *s = strerrorname_np(err);

	if (s)
		return s;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/* ---- rsk_peer, the server of the two-host stream tests ---- */

void peer_sum_put(uint8_t *p, uint64_t count, uint32_t crc)
{
	put_be64(p, count);
	put_be32(p + 8, crc);
}

void peer_sum_get(const uint8_t *p, uint64_t *count, uint32_t *crc)
{
	*count = get_be64(p);
	*crc = get_be32(p + 8);
}

void peer_source_req_put(uint8_t *p, uint64_t len, uint32_t stream)
{
	put_be64(p, len);
	put_be32(p + 8, stream);
}

void peer_source_req_get(const uint8_t *p, uint64_t *len, uint32_t *stream)
{
	*len = get_be64(p);
	*stream = get_be32(p + 8);
}

/* ---- the datagram tests ---- */

void seq_fill(void *buf, size_t len, uint32_t seq)
{
	uint32_t be = htonl(seq);

	memcpy(buf, &be, 4);
	pattern((char *)buf + 4, len - 4, seq, 4);
}

uint32_t seq_of(const void *buf)
{
	uint32_t be;

	memcpy(&be, buf, 4);
	return ntohl(be);
}

bool seq_intact(const void *buf, size_t len, uint32_t seq)
{
	return seq_of(buf) == seq &&
	       pattern_ok((const char *)buf + 4, len - 4, seq, 4);
}
