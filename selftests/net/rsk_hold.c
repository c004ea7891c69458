// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_hold: holds rdma_sock sockets open in known states, for the tests of
 * rdmasockctl (selftests/guest/ctl.sh) to look at, until SIGTERM.
 *
 *   rsk_hold -n N                  N stream sockets, unbound
 *   rsk_hold -a ADDR -p PORT -b B  a listener on ADDR:PORT, a connection to
 *                                  it whose client sent B bytes the server
 *                                  has not read, and a datagram socket
 *                                  bound to ADDR:PORT
 *   ... -f                         the client sends what the buffers take,
 *                                  at most B bytes, without blocking
 *
 * Prints "ready" and, for -a, "client PORT" (the client's port), "bufs RCV
 * SND" (its SO_RCVBUF and SO_SNDBUF) and "sent N" once set up; exits 0 on
 * SIGTERM, 1 on a setup error (with a message on stderr).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rsk_selftest.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static int fail(const char *what)
{
	fprintf(stderr, "rsk_hold: %s: %s\n", what, strerror(errno));
	return 1;
}

static int hold_many(long n)
{
	struct rlimit rl = { .rlim_cur = n + 64, .rlim_max = n + 64 };
	long i;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		return fail("setrlimit");
	for (i = 0; i < n; i++)
		if (rsk_socket(SOCK_STREAM) < 0)
			return fail("socket");
	return 0;
}

/* Until the buffers and the window are full: what was sent. */
static long send_what_fits(int c, const char *buf, long bytes)
{
	long sent = 0, n;
	int idle = 0;

	/* The window opens as the server's socket queues: wait a little. */
	while (sent < bytes && idle < 20) {
		n = send(c, buf + sent, bytes - sent, MSG_DONTWAIT);
		if (n > 0) {
			sent += n;
			idle = 0;
		} else if (n < 0 && errno != EAGAIN) {
			return -1;
		} else {
			idle++;
			usleep(50000);
		}
	}
	return sent;
}

static int hold_conn(const char *addr, int port, long bytes, int fill)
{
	int rcvbuf, sndbuf;
	socklen_t olen = sizeof(int);
	long sent;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	socklen_t len = sizeof(sin);
	char *buf = calloc(1, bytes + 1);
	int l, c, a, d;

	if (!buf || inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return fail("address");
	l = rsk_socket(SOCK_STREAM);
	c = rsk_socket(SOCK_STREAM);
	d = rsk_socket(SOCK_DGRAM);
	if (l < 0 || c < 0 || d < 0)
		return fail("socket");
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) || listen(l, 8))
		return fail("listen");
	if (connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		return fail("connect");
	a = accept(l, NULL, NULL);
	if (a < 0)
		return fail("accept");
	if (getsockopt(c, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &olen) ||
	    getsockopt(c, SOL_SOCKET, SO_SNDBUF, &sndbuf, &olen))
		return fail("getsockopt");
	sent = fill ? send_what_fits(c, buf, bytes) : send(c, buf, bytes, 0);
	if (sent < 0 || (!fill && sent != bytes))
		return fail("send");
	if (bind(d, (struct sockaddr *)&sin, sizeof(sin)))
		return fail("bind datagram socket");
	if (getsockname(c, (struct sockaddr *)&sin, &len))
		return fail("getsockname");
	printf("client %d\nbufs %d %d\nsent %ld\n", ntohs(sin.sin_port),
	       rcvbuf, sndbuf, sent);
	return 0;
}

int main(int argc, char **argv)
{
	const char *addr = NULL;
	long n = 0, bytes = 0;
	int opt, port = 0, fill = 0, err;

	while ((opt = getopt(argc, argv, "n:a:p:b:f")) != -1) {
		switch (opt) {
		case 'n':
			n = atol(optarg);
			break;
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'b':
			bytes = atol(optarg);
			break;
		case 'f':
			fill = 1;
			break;
		default:
			fprintf(stderr, "usage: rsk_hold -n N | -a ADDR -p PORT -b BYTES [-f]\n");
			return 1;
		}
	}
	/* After setup, and without SA_RESTART: SIGTERM ends pause() only. */
	err = addr ? hold_conn(addr, port, bytes, fill) : hold_many(n);
	if (err)
		return err;
	sigaction(SIGTERM, &(struct sigaction){ .sa_handler = on_term }, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	return 0;
}
