// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_dgram_peer: the far side of the two-host datagram tests
 * (rdma_sock_dgram_pair runs on the other host).
 *
 *   rsk_dgram_peer -a ADDR [-p BASEPORT] [-g GROUP] [-t LIFETIME]
 *
 * ADDR is this host's IPv4 address; BASEPORT defaults to 7100, GROUP to
 * 239.1.2.3, LIFETIME (seconds, after which it exits 3) to 900.  It prints
 * "rsk_dgram_peer ready" once set up and exits 0 on SIGTERM.
 *
 * Ports (the same numbers for UDP and for AF_RDMA_DGRAM, whose port
 * spaces are separate; DGRAM_PEER_* in rsk_selftest.h):
 *
 *   BASE      TCP: the control connection, one at a time, lines of text;
 *   BASE + 1  the group member socket (bound to the wildcard);
 *   BASE + 2  the flood sink (bound to ADDR, SO_RCVBUF 16 KiB);
 *   BASE + 3  echo, UDP and rdma: every datagram goes back to its sender.
 *
 * Control commands, each answered by one line ("ok", "err ERRNO" or the
 * values asked for).  FAM is udp or rdma.
 *
 *   open FAM    a new member socket of that family (the old one closed)
 *   join        IP_ADD_MEMBERSHIP of GROUP on ADDR
 *   leave       IP_DROP_MEMBERSHIP
 *   close       close the member socket, joined or not
 *   count       "N DUP BAD": datagrams the member socket got since the
 *               last count, how many repeated a sequence number (the first
 *               4 bytes, big-endian) and how many failed their content
 *               check (seq_fill() of rsk_selftest.h: the pattern of
 *               seed = sequence)
 *   groups      the module's mc_groups object count (-1: none)
 *   flood FAM   a new sink socket, not read until drain
 *   drain       read what the sink holds; then wait up to 5 s for one
 *               more datagram of 4 bytes (the client's marker, which
 *               carries the drop count in SO_RXQ_OVFL) and answer
 *               "GOT DROPPED BAD"
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rsk_selftest.h"

#define MAX_DGRAM	65536

static volatile sig_atomic_t stop;
static struct in_addr addr, group;
static uint16_t base = 7100;
static int member = -1, sink = -1, echo[2] = { -1, -1 };
static uint8_t seen[65536 / 8];		/* sequence numbers heard */
static long n_got, n_dup, n_bad;

static void on_signal(int sig)
{
	stop = 1;
}

static int family_of(const char *fam)
{
	int domain;

	return rsk_domain_named(fam, "udp", AF_INET, &domain) ? domain : -1;
}

/* A datagram socket of @domain bound to @a:@port; -errno on failure. */
static int dgram_bound(int domain, struct in_addr a, uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_addr = a, .sin_port = htons(port),
	};
	int fd, err;

	if (domain < 0)
		return -EINVAL;
	fd = socket(domain, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	if (set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int membership(int opt)
{
	if (member < 0)
		return -EBADF;
	return ip_membership(member, opt, group, addr) ? -errno : 0;
}

static void reply(int conn, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	line[n++] = '\n';
	if (write(conn, line, n) != n)
		fprintf(stderr, "rsk_dgram_peer: reply lost: %s\n",
			strerror(errno));
}

static void reply_err(int conn, int err)
{
	if (err < 0)
		reply(conn, "err %d", -err);
	else
		reply(conn, "ok");
}

/* One datagram from the member socket: counted and checked. */
static void member_read(void)
{
	static char buf[MAX_DGRAM];
	ssize_t n = recv(member, buf, sizeof(buf), MSG_DONTWAIT);
	uint32_t seq;

	if (n < 4)
		return;
	seq = seq_of(buf) & 0xffff;
	n_got++;
	if (seen[seq / 8] & (1 << (seq % 8)))
		n_dup++;
	seen[seq / 8] |= 1 << (seq % 8);
	if (!pattern_ok(buf + 4, n - 4, seq, 4))
		n_bad++;
}

static void echo_read(int fd)
{
	static char buf[MAX_DGRAM];
	struct sockaddr_storage from;
	socklen_t len = sizeof(from);
	ssize_t n;

	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &len);
	if (n >= 0 && sendto(fd, buf, n, 0, (struct sockaddr *)&from, len) != n)
		fprintf(stderr, "rsk_dgram_peer: echo of %zd bytes: %s\n", n,
			strerror(errno));
}

/* The drop count a received datagram carries (SO_RXQ_OVFL). */
static ssize_t sink_recv(char *buf, size_t size, int flags, uint32_t *drops)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t))];
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	ssize_t n = recvmsg(sink, &mh, flags);

	if (n >= 0)
		rxq_ovfl(&mh, drops);
	return n;
}

static void drain(int conn)
{
	static char buf[MAX_DGRAM];
	long got = 0, bad = 0;
	uint32_t drops = 0;
	ssize_t n;

	if (sink < 0) {
		reply_err(conn, -EBADF);
		return;
	}
	while ((n = sink_recv(buf, sizeof(buf), MSG_DONTWAIT, &drops)) >= 0) {
		if (n == DGRAM_MARK_LEN)
			goto done;	/* the marker came early: all read */
		if (n != DGRAM_FLOOD_LEN || !seq_intact(buf, n, seq_of(buf)))
			bad++;
		got++;
	}
	set_timeo(sink, SO_RCVTIMEO, 5000);
	while ((n = sink_recv(buf, sizeof(buf), 0, &drops)) >= 0 &&
	       n != DGRAM_MARK_LEN)
		got++;
done:
	reply(conn, "%ld %u %ld", got, drops, bad);
	close(sink);
	sink = -1;
}

static void command(int conn, char *line)
{
	char fam[16] = "";
	int fd;

	sscanf(line, "%*s %15s", fam);
	if (!strncmp(line, "open ", 5)) {
		if (member >= 0)
			close(member);
		member = dgram_bound(family_of(fam), (struct in_addr){ 0 },
				     base + DGRAM_PEER_MEMBER);
		memset(seen, 0, sizeof(seen));
		n_got = n_dup = n_bad = 0;
		reply_err(conn, member < 0 ? member : 0);
	} else if (!strcmp(line, "join")) {
		reply_err(conn, membership(IP_ADD_MEMBERSHIP));
	} else if (!strcmp(line, "leave")) {
		reply_err(conn, membership(IP_DROP_MEMBERSHIP));
	} else if (!strcmp(line, "close")) {
		if (member >= 0)
			close(member);
		member = -1;
		reply_err(conn, 0);
	} else if (!strcmp(line, "count")) {
		reply(conn, "%ld %ld %ld", n_got, n_dup, n_bad);
		memset(seen, 0, sizeof(seen));
		n_got = n_dup = n_bad = 0;
	} else if (!strcmp(line, "groups")) {
		reply(conn, "%ld", rsk_counter("mc_groups"));
	} else if (!strncmp(line, "flood ", 6)) {
		if (sink >= 0)
			close(sink);
		fd = dgram_bound(family_of(fam), addr,
				 base + DGRAM_PEER_SINK);
		if (fd >= 0 && (set_int(fd, SOL_SOCKET, SO_RCVBUF, 16384) ||
				set_int(fd, SOL_SOCKET, SO_RXQ_OVFL, 1))) {
			close(fd);
			fd = -errno;
		}
		sink = fd < 0 ? -1 : fd;
		reply_err(conn, fd < 0 ? fd : 0);
	} else if (!strcmp(line, "drain")) {
		drain(conn);
	} else {
		reply_err(conn, -EINVAL);
	}
}

/* Whole lines from the control connection; false when it is gone. */
static bool control_read(int conn)
{
	static char buf[512];
	static size_t have;
	char *nl;
	ssize_t n = read(conn, buf + have, sizeof(buf) - 1 - have);

	if (n <= 0) {
		have = 0;
		return false;
	}
	have += n;
	buf[have] = 0;
	while ((nl = strchr(buf, '\n'))) {
		*nl = 0;
		command(conn, buf);
		have -= nl + 1 - buf;
		memmove(buf, nl + 1, have + 1);
	}
	if (have == sizeof(buf) - 1)
		have = 0;		/* a line too long: dropped */
	return true;
}

static int control_listen(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_addr = addr,
		.sin_port = htons(base + DGRAM_PEER_CTL),
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 4))
		return -1;
	return fd;
}

int main(int argc, char **argv)
{
	int lfd, conn = -1, lifetime = 900, opt;
	const char *group_text = DGRAM_PEER_GROUP;
	time_t end;

	while ((opt = getopt(argc, argv, "a:p:g:t:")) != -1) {
		switch (opt) {
		case 'a':
			if (inet_pton(AF_INET, optarg, &addr) != 1)
				return 1;
			break;
		case 'p':
			base = atoi(optarg);
			break;
		case 'g':
			group_text = optarg;
			break;
		case 't':
			lifetime = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s -a ADDR [-p BASEPORT] [-g GROUP] [-t LIFETIME]\n",
				argv[0]);
			return 1;
		}
	}
	if (!addr.s_addr || inet_pton(AF_INET, group_text, &group) != 1)
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	lfd = control_listen();
	echo[0] = dgram_bound(AF_INET, addr, base + DGRAM_PEER_ECHO);
	echo[1] = dgram_bound(rsk_family(), addr, base + DGRAM_PEER_ECHO);
	if (lfd < 0 || echo[0] < 0 || echo[1] < 0) {
		fprintf(stderr, "rsk_dgram_peer: setup: %s\n", strerror(errno));
		return 1;
	}
	printf("rsk_dgram_peer ready\n");
	fflush(stdout);
	end = time(NULL) + lifetime;
	while (!stop) {
		struct pollfd p[5] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = conn, .events = POLLIN },
			{ .fd = echo[0], .events = POLLIN },
			{ .fd = echo[1], .events = POLLIN },
			{ .fd = member, .events = POLLIN },
		};

		if (time(NULL) > end)
			return 3;
		if (poll(p, 5, 200) <= 0)
			continue;
		if ((p[0].revents & POLLIN) && conn < 0)
			conn = accept(lfd, NULL, NULL);
		if (p[1].revents && !control_read(conn)) {
			close(conn);
			conn = -1;
		}
		if (p[2].revents & POLLIN)
			echo_read(echo[0]);
		if (p[3].revents & POLLIN)
			echo_read(echo[1]);
		if (member >= 0 && p[4].fd == member && (p[4].revents & POLLIN))
			member_read();
	}
	return 0;
}
