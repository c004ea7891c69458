// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_death: a writer that must notice its peer's death.
 *
 *   rsk_death -w PATH [-f tcp|rdma] [-a ADDR] [-p PORT] [-t SECONDS]
 *             [-m SECONDS]
 *
 * Connects to rsk_peer's sink service (ADDR:PORT, default 127.0.0.1:7001)
 * and writes the pattern stream continuously, nonblocking, counting the
 * bytes that were taken.  Once 4 MiB have gone it prints the line
 * "streaming" to stdout, and goes on writing.  The death signal is the
 * file PATH appearing (whoever kills the peer creates it afterwards).
 * From then on a write must fail with ECONNRESET, EPIPE or ETIMEDOUT
 * within -t SECONDS (default 60).  An error that comes before the file
 * does is fine if the file then appears within 30 s (the peer died and
 * whoever killed it was slower to say so).
 *
 * Exit status: 0 when the peer's death was seen in time (it prints the
 * error's name and the seconds from the death signal to it); 1 when the
 * writes went on succeeding, or stayed blocked, past the bound, when
 * another error came, or when the death signal did not come within -m
 * SECONDS (default 900) of the start; 2 for bad arguments or when it could
 * not connect.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "rsk_selftest.h"

#define CONNECT_MS	10000
#define STREAMING	(4 * MiB)
#define LATE_FILE_S	30	/* how long an early error waits for PATH */
#define POLL_MS		20

static void usage(void)
{
	fprintf(stderr, "usage: rsk_death -w PATH [-f tcp|rdma] [-a ADDR] "
		"[-p PORT] [-t SECONDS] [-m SECONDS]\n");
	exit(2);
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static int dial(int domain, const struct sockaddr_storage *to, socklen_t len)
{
	int fd = socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err;

	if (fd < 0) {
		rsk_log("socket(%d, SOCK_STREAM): %s", domain, strerror(errno));
		return -1;
	}
	err = connect_wait(fd, (const struct sockaddr *)to, len, CONNECT_MS);
	if (err) {
		rsk_log("connect: %s", strerror(err));
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *fam = "tcp", *addr = "127.0.0.1", *path = NULL;
	long port = PEER_PORT + SVC_SINK, bound = 60, max_wait = 900;
	uint64_t sent = 0, at_death = 0, seed = seed_of(31);
	double t0, t_death = -1, t_err = -1, t_last_ok, now, next_stat = 0;
	struct sockaddr_storage to;
	static uint8_t buf[CHUNK];
	bool announced = false;
	socklen_t len;
	int opt, domain, fd, err = 0;
	ssize_t n;

	t0 = rsk_log_start("rsk_death");
	while ((opt = getopt(argc, argv, "f:a:p:w:t:m:")) != -1) {
		switch (opt) {
		case 'f': fam = optarg; break;
		case 'a': addr = optarg; break;
		case 'p': port = num_arg(optarg, 1, 65535, usage); break;
		case 'w': path = optarg; break;
		case 't': bound = num_arg(optarg, 1, INT_MAX / 1000, usage); break;
		case 'm': max_wait = num_arg(optarg, 1, INT_MAX / 1000, usage); break;
		default: usage();
		}
	}
	if (optind != argc || !path)
		usage();
	len = addr_parse(addr, port, &to);
	if (!len) {
		rsk_log("-a %s: no IPv4 or IPv6 address", addr);
		return 2;
	}
	if (!rsk_domain_named(fam, "tcp", to.ss_family, &domain))
		usage();
	if (exists(path)) {
		rsk_log("%s exists before the peer died: remove it first", path);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	fd = dial(domain, &to, len);
	if (fd < 0)
		return 2;
	rsk_log("connected to %s port %ld (%s), writing", addr, port, fam);
	t_last_ok = now_ms();

	for (;;) {
		now = now_ms();
		/* stat() at most every POLL_MS: PATH may be on 9p. */
		if (t_death < 0 && now >= next_stat && exists(path)) {
			t_death = now;
			at_death = sent;
			rsk_log("death signal: %s appeared; %llu bytes sent so far",
				path, (unsigned long long)sent);
		}
		if (now >= next_stat)
			next_stat = now + POLL_MS;
		if (t_death >= 0 && now - t_death > bound * 1000.0) {
			rsk_log("FAIL: no error %ld s after the death signal: %llu "
				"bytes taken since, the last write %.1f s ago (%s)",
				bound, (unsigned long long)(sent - at_death),
				(now - t_last_ok) / 1000,
				now - t_last_ok > 1000 ? "writes blocked" :
							 "still writing");
			return 1;
		}
		if (t_death < 0 && now - t0 > max_wait * 1000.0) {
			rsk_log("FAIL: no death signal (%s) in %ld s; %llu bytes sent",
				path, max_wait, (unsigned long long)sent);
			return 1;
		}

		pattern(buf, sizeof(buf), seed, sent);
		n = send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			sent += n;
			t_last_ok = now_ms();
			if (!announced && sent >= STREAMING) {
				printf("streaming\n");
				announced = true;
			}
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			poll1(fd, POLLOUT, POLL_MS);
			continue;
		}
		err = n < 0 ? errno : EPIPE;
		t_err = now_ms();
		break;
	}

	rsk_log("send: %s after %llu bytes", errno_name(err),
		(unsigned long long)sent);
	if (t_death < 0) {
		while (!exists(path) && now_ms() - t_err < LATE_FILE_S * 1000.0)
			sleep_ms(POLL_MS);
		if (!exists(path)) {
			rsk_log("FAIL: %s came, and no death signal in %d s after it",
				errno_name(err), LATE_FILE_S);
			return 1;
		}
		t_death = now_ms();
		rsk_log("the death signal came %.3f s after the error",
			(t_death - t_err) / 1000);
	}
	if (err != ECONNRESET && err != EPIPE && err != ETIMEDOUT) {
		rsk_log("FAIL: %s is not ECONNRESET, EPIPE or ETIMEDOUT",
			errno_name(err));
		return 1;
	}
	if (!announced)
		rsk_log("(the error came before %llu bytes were sent)",
			(unsigned long long)STREAMING);
	printf("%s %.3f s after the death signal; %llu bytes sent\n",
	       errno_name(err), t_err > t_death ? (t_err - t_death) / 1000 : 0.0,
	       (unsigned long long)sent);
	close(fd);
	return 0;
}
