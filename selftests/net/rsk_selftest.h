/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The helper library of the rdmasock selftests and their helper programs,
 * implemented in rsk_selftest.c, which every one of them is linked with:
 *
 *  - the module: the family number in use and sockets in it, loading,
 *    its counters; the test bed: running a command, the environment,
 *    numbers from files;
 *  - time and waiting, a data pattern any offset of which can be checked,
 *    CRC32;
 *  - addresses, socket basics and threads that move and check bulk data;
 *  - what the helper programs share (logging, arguments), and what the
 *    two-host tests and their far ends, rsk_peer and rsk_dgram_peer, must
 *    agree on.
 *
 * Nothing here uses the kselftest harness but the EXPECT_XFER_OK and
 * XFER_START macros, which expand in a test, and the last part, which a
 * file including kselftest_harness.h first gets.
 *
 * The pattern is the contract between the client tests and rsk_peer:
 * stream n (a 32-bit number sent on the wire) is seed_of(n), and byte k
 * of it is pattern(..., seed_of(n), k).
 */
#ifndef RSK_SELFTEST_H
#define RSK_SELFTEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/rdma_sock.h>

#define RSK_DEBUGFS	"/sys/kernel/debug/rdma_sock"

#define SA(ss)		((struct sockaddr *)(ss))
#define KiB		1024ULL
#define MiB		(1024ULL * 1024)

#define QUIET_MS	200	/* watching for something that must not happen */
#define CHUNK		(64 * 1024)

/* ---- the module and the test bed ---- */

/* The family the loaded module registered; the default if it is not loaded. */
int rsk_family(void);
/* A socket of that type in rsk_family(): socket()'s result. */
int rsk_socket(int type);
/* socket()'s domain for a test's variant: rsk_family(), or inet's. */
int rsk_domain(bool rdma, int inet);
/*
 * The domain a helper program's -f NAME asks for: rsk_family() for
 * "rdma", inet for inet_name ("tcp", "udp"); false for another name.
 */
bool rsk_domain_named(const char *name, const char *inet_name, int inet,
		      int *domain);
int rsk_module_loaded(void);
/* delete_module(2); returns 0 or -errno. */
int rsk_module_unload(void);
/* One value from a file of "name value" lines, or -1. */
long rsk_counter_in(const char *path, const char *name);
/* One module-wide counter from <debugfs>/rdma_sock/objects, or -1. */
long rsk_counter(const char *name);
/* One counter of the current namespace's, from /proc/net/rdma_sock, or -1. */
long rsk_ns_counter(const char *name);
/* One value from text of "name value" lines (rsk_peer's stats), or -1. */
long rsk_counter_text(const char *text, const char *name);
/* Whether <debugfs>/rdma_sock/devices lists a device of that name. */
int rsk_device_bound(const char *ibdev);
/* Run a shell command quietly; its exit status, or -1. */
int rsk_run(const char *fmt, const char *arg);
/* An environment variable, or def when it is unset or empty. */
const char *rsk_env(const char *name, const char *def);
/*
 * What RSK_SCALE divides the sizes of bulk tests by: 16 for "small", the
 * number it is, or 1; rsk_scaled() divides, to 1 at least.
 */
unsigned long rsk_scale_div(void);
uint64_t rsk_scaled(unsigned long div, uint64_t full);
/* The number a file (a sysctl, say) starts with, or def. */
long read_long(const char *path, long def);
/* A file's text, up to size - 1 bytes, NUL-terminated: 0 or -1. */
int read_text(const char *path, char *buf, size_t size);
/* Write text to a file (a sysctl, a cgroup's): 0, or -1 with errno. */
int write_text(const char *path, const char *text);
/*
 * The most links (RC connections between two modules) rdma_sock may hold
 * towards one peer address while sockets to it are open: one.  A host
 * connecting to an address of its own may hold two, one opened by each
 * side; to_self says the test does that.
 */
long rsk_links_max(int to_self);
/*
 * Links to one peer address that are not dead, from <debugfs>/rdma_sock/
 * links ("link ID active|passive peer ADDR state STATE ..."); -1 if the
 * file cannot be read.  Links to other addresses (IPv4 and IPv6 of the
 * same host are two) do not count.
 */
long rsk_links_to(const char *peer);

/* ---- time ---- */

double now_ms(void);
void sleep_ms(int ms);

/*
 * Tests cond every step_ms until it holds or ms have passed: whether it
 * held the last time.
 */
#define WAIT_UNTIL(cond, ms, step_ms) ({				\
	double __wait_end = now_ms() + (ms);				\
	bool __wait_ok;							\
									\
	while (!(__wait_ok = (cond)) && now_ms() < __wait_end)		\
		sleep_ms(step_ms);					\
	__wait_ok;							\
})

/* ---- data: a pattern any offset of which can be checked, and CRC32 ---- */

void crc32_init(void);
/* zlib's crc32(): start from 0, feed it the bytes in any number of calls. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);
/* Stream seed for stream number n: far apart for different n. */
uint64_t seed_of(unsigned int n);
/* Bytes [off, off + len) of the stream with that seed. */
void pattern(void *buf, size_t len, uint64_t seed, uint64_t off);
/*
 * -1 if buf holds bytes [off, off + len) of the stream, else the offset
 * of the first wrong byte.
 */
int64_t pattern_bad(const void *buf, size_t len, uint64_t seed, uint64_t off,
		    void *scratch);
/* Whether buf holds bytes [off, off + len) of the stream with that seed. */
bool pattern_ok(const void *buf, size_t len, uint64_t seed, uint64_t off);
/* CRC32 of bytes [off, off + len) of the stream with that seed. */
uint32_t pattern_crc(uint64_t seed, uint64_t off, uint64_t len);
uint32_t xorshift32(uint32_t *s);

void put_be64(uint8_t *p, uint64_t v);
uint64_t get_be64(const uint8_t *p);
void put_be32(uint8_t *p, uint32_t v);
uint32_t get_be32(const uint8_t *p);
void put_be16(uint8_t *p, uint16_t v);
uint16_t get_be16(const uint8_t *p);

/* ---- addresses ---- */

uint16_t port_of(const struct sockaddr_storage *ss);
void set_port(struct sockaddr_storage *ss, uint16_t port);
/* Same family, address and port. */
bool addr_eq(const struct sockaddr_storage *a,
	     const struct sockaddr_storage *b);
/* "addr:port" or "[addr]:port" in buf, which it returns: thread-safe. */
const char *addr_fmt(const struct sockaddr_storage *ss, char *buf, size_t len);
/* addr_fmt() and " (family N)", in one of four static buffers used in turn. */
const char *addr_str(const struct sockaddr_storage *ss);
/*
 * IPv4 text as a sockaddr_in, or with mapped as its IPv4-mapped
 * sockaddr_in6 (::ffff:a.b.c.d); port 0.  0, or -1 if it is no IPv4
 * address.
 */
int addr_v4(const char *text, bool mapped, struct sockaddr_storage *ss);
/*
 * An IPv4 or IPv6 address in text and a port as a sockaddr_in or
 * sockaddr_in6; its length, or 0 if the text is no address.
 */
socklen_t addr_parse(const char *text, uint16_t port,
		     struct sockaddr_storage *ss);

/* ---- sockets ---- */

int set_timeo(int fd, int opt, int ms);
/* SO_RCVTIMEO, then SO_SNDTIMEO: 0, or -1 with errno. */
int set_timeos(int fd, int ms);
/*
 * socket(domain, type, 0) with set_timeos(ms), so that every blocking
 * call on it is bounded: the socket, or -1 with errno.
 */
int socket_bounded(int domain, int type, int ms);
int set_int(int fd, int level, int opt, int val);
/* An int option's value, or -12345 if it cannot be read. */
int get_int(int fd, int level, int opt);
int so_error(int fd);
int set_nonblock(int fd, bool on);
ssize_t send_all(int fd, const void *buf, size_t len, int flags);
/* Reads exactly len bytes unless EOF or an error comes first. */
ssize_t recv_all(int fd, void *buf, size_t len);
/* poll() one fd: revents, 0 on timeout, -1 on error. */
int poll1(int fd, short events, int ms);
/*
 * connect() a nonblocking socket and wait up to ms for the outcome: 0, or
 * the errno of the failure (ETIMEDOUT if there was none in time).
 */
int connect_wait(int fd, const struct sockaddr *to, socklen_t len, int ms);
/*
 * Writes with MSG_DONTWAIT until the socket takes no more: a send gets
 * EAGAIN after POLLOUT stayed off for QUIET_MS.  Bytes of the stream with
 * that seed from *off on; *off advances.  0, or an errno.
 */
int fill(int fd, uint64_t seed, uint64_t *off);
/* IP_ADD_MEMBERSHIP or IP_DROP_MEMBERSHIP of group on ifaddr. */
int ip_membership(int fd, int opt, struct in_addr group, struct in_addr ifaddr);
/*
 * The drop count SO_RXQ_OVFL put in the control data of a message
 * recvmsg() received, into *drops; *drops as it was if there is none.
 */
void rxq_ovfl(struct msghdr *mh, uint32_t *drops);

/* ---- threads: bulk transfers ---- */

enum xfer_end { XF_KEEP, XF_SHUT_WR, XF_CLOSE, XF_EOF };

struct xfer {
	/* in */
	const char *name;
	int fd;
	uint64_t len;		/* bytes to move */
	uint64_t off;		/* of the stream, where to start */
	uint64_t seed;		/* of the stream */
	size_t max_chunk;	/* sizes are random in 1..max_chunk */
	uint32_t rnd;		/* their PRNG state, not 0 */
	int slow_start;		/* reader: naps, then this many small reads */
	bool nonblock;		/* writer: MSG_DONTWAIT, poll when full */
	enum xfer_end end;	/* writer: after the last byte; reader: EOF */
	/* out */
	uint64_t done;		/* progress, read with __atomic_load_n */
	uint32_t crc;
	int err;		/* errno of what failed, or 0 */
	const char *what;	/* what failed */
	int64_t bad;		/* reader: first wrong byte, or -1 */
	unsigned long eagain;	/* writer: times the socket was full */
	double ms;
	pthread_t th;
};

/* Starts a writer or reader thread on x; pthread_create()'s result. */
int xfer_start(struct xfer *x, bool writer);
uint64_t xfer_done(struct xfer *x);
double mibps(uint64_t bytes, double ms);

#define XFER_START(x, writer)						\
	ASSERT_EQ(0, xfer_start(x, writer))

#define EXPECT_XFER_OK(x) do {						\
	pthread_join((x)->th, NULL);					\
	EXPECT_EQ(0, (x)->err)						\
		TH_LOG("%s: %s: %s after %llu of %llu bytes", (x)->name,\
		       (x)->what, strerror((x)->err),			\
		       (unsigned long long)(x)->done,			\
		       (unsigned long long)(x)->len);			\
	EXPECT_EQ((x)->len, (x)->done) TH_LOG("%s", (x)->name);	\
	EXPECT_EQ(-1, (x)->bad)						\
		TH_LOG("%s: first wrong byte at offset %lld", (x)->name,\
		       (long long)(x)->bad);				\
} while (0)

/* ---- the helper programs ---- */

/* Starts rsk_log()'s clock and names the program for it: now_ms(). */
double rsk_log_start(const char *prog);
/* A line "PROG SECONDS: ..." on stderr, in one write. */
void rsk_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An option's argument: a number in [lo, hi], or usage() is called. */
long num_arg(const char *s, long lo, long hi, void (*usage)(void));
/* The name of an errno value ("ECONNRESET"), or its number. */
const char *errno_name(int err);

/* ---- rsk_peer, the server of the two-host stream tests ---- */

/*
 * Its services, on BASEPORT + these; rsk_peer.c says what each does.
 * Both ends of rdma_sock_pair and rsk_death use what follows.
 */
enum {
	SVC_ECHO, SVC_SINK, SVC_SOURCE, SVC_HOLD, SVC_DRAIN, SVC_NEVER,
	SVC_RESET, SVC_STATS, SVC_N
};
#define PEER_PORT		7000	/* the default BASEPORT */
#define PEER_NEVER_BACKLOG	8	/* SVC_NEVER's listen() backlog */

/* The answer of sink and drain: count (8 bytes) and CRC32 (4), big-endian. */
#define PEER_SUM_LEN		12
void peer_sum_put(uint8_t *p, uint64_t count, uint32_t crc);
void peer_sum_get(const uint8_t *p, uint64_t *count, uint32_t *crc);
/* What source is asked for: length (8 bytes), stream number (4). */
#define PEER_SOURCE_REQ_LEN	12
void peer_source_req_put(uint8_t *p, uint64_t len, uint32_t stream);
void peer_source_req_get(const uint8_t *p, uint64_t *len, uint32_t *stream);
/* What drain is asked: 'G', the port of the hold connection (2 bytes). */
#define PEER_DRAIN_REQ_LEN	3

/* ---- the datagram tests ---- */

/*
 * A datagram of the datagram tests: a sequence number (4 bytes,
 * big-endian), then bytes [4, len) of the stream with that number for
 * seed.  len is 4 at least.
 */
void seq_fill(void *buf, size_t len, uint32_t seq);
/* The sequence number of such a datagram. */
uint32_t seq_of(const void *buf);
/* Whether it is datagram seq of len bytes. */
bool seq_intact(const void *buf, size_t len, uint32_t seq);

/*
 * rsk_dgram_peer, the far side of rdma_sock_dgram_pair: its ports are
 * BASEPORT + these, the group its member socket joins, the flood's
 * datagrams (seq_fill()) and the marker after them (a sequence number).
 */
enum {
	DGRAM_PEER_CTL, DGRAM_PEER_MEMBER, DGRAM_PEER_SINK, DGRAM_PEER_ECHO,
};
#define DGRAM_PEER_GROUP	"239.1.2.3"
#define DGRAM_FLOOD_LEN		1024
#define DGRAM_MARK_LEN		4

/* ---- for the tests: after kselftest_harness.h ---- */

#ifdef __KSELFTEST_HARNESS_H
#include <signal.h>

/*
 * gcc inlines the bigger test bodies into the harness's wrapper and then
 * warns that the wrapper's own "child", live across its setjmp(), might be
 * clobbered.  That is the harness's affair (an ASSERT then still aborts
 * the test), not something a test file can fix.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

/* The CRC32 table, checked, and SIGPIPE ignored: for tests moving data. */
static inline void xfer_setup(struct __test_metadata *_metadata)
{
	crc32_init();
	ASSERT_EQ(0xcbf43926, crc32_update(0, "123456789", 9));
	signal(SIGPIPE, SIG_IGN);
}

/* getsockname() or getpeername(), asserted to be a whole sockaddr. */
static inline void sock_name(struct __test_metadata *_metadata, int fd,
			     bool peer, socklen_t alen, int family,
			     struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);
	int ret;

	memset(ss, 0xa5, sizeof(*ss));
	ret = peer ? getpeername(fd, SA(ss), &len) :
		     getsockname(fd, SA(ss), &len);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", peer ? "getpeername" : "getsockname",
				 strerror(errno));
	ASSERT_EQ(alen, len);
	ASSERT_EQ(family, ss->ss_family);
}
#endif /* __KSELFTEST_HARNESS_H */

#endif /* RSK_SELFTEST_H */
