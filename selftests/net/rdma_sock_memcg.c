// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroups: what a stream queues is charged to its socket's memory
 * cgroup, both ways, as TCP's is, and given back once the data has gone.
 * The sending side's queued messages are charged to the sender's cgroup,
 * the receiving side's unread data to the receiver's (an accepted socket
 * is charged where its listener is), so two cgroups, one per end, see
 * each end's share.  Every case runs against TCP too (variant tcp), which
 * checks the test itself.
 *
 * Needs root, cgroup v2 with the memory controller (mounted here on
 * /sys/fs/cgroup if it is not) and an rxe device on RSK_ADDR (default
 * 10.99.0.1).  The test bed's debug kernel has no cgroups: the cases say
 * SKIP there.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "rsk_selftest.h"

#define CGROOT		"/sys/fs/cgroup"
#define CONNS		16

/* Whether cgroup v2 with the memory controller is on CGROOT, mounting it. */
static bool memcg_ready(void)
{
	char controllers[256];
	struct statfs st;

	if (statfs(CGROOT, &st) || st.f_type != CGROUP2_SUPER_MAGIC)
		mount("cgroup2", CGROOT, "cgroup2", 0, NULL);
	if (statfs(CGROOT, &st) || st.f_type != CGROUP2_SUPER_MAGIC)
		return false;
	if (read_text(CGROOT "/cgroup.controllers", controllers,
		      sizeof(controllers)) || !strstr(controllers, "memory"))
		return false;
	return write_text(CGROOT "/cgroup.subtree_control", "+memory") == 0;
}

/* memory.current of a cgroup, in bytes, or -1. */
static long mem_current(const char *cg)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/memory.current", cg);
	return read_long(path, -1);
}

/* Move the calling process into a cgroup: 0 or -errno. */
static int join(const char *cg)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	return write_text(path, "0");
}

/* Bytes the socket holds unacknowledged (SIOCOUTQ), or -1. */
static long outq(int fd)
{
	int n;

	return ioctl(fd, SIOCOUTQ, &n) ? -1 : n;
}

static long outq_sum(const int *fds)
{
	long sum = 0;

	for (int i = 0; i < CONNS; i++)
		sum += outq(fds[i]);
	return sum;
}

/* Whether the senders' SIOCOUTQ stays at one value for 300 ms. */
static bool outq_settled(const int *fds)
{
	long before = outq_sum(fds);

	sleep_ms(300);
	return outq_sum(fds) == before;
}

FIXTURE(memcg) {
	char tx[128];		/* the sender's cgroup */
	char rx[128];		/* the receiver's (its listener's) */
	bool ready;
};

FIXTURE_VARIANT(memcg) {
	bool rdma;
};

FIXTURE_VARIANT_ADD(memcg, tcp) {
	.rdma = false,
};

FIXTURE_VARIANT_ADD(memcg, rdma) {
	.rdma = true,
};

FIXTURE_SETUP(memcg)
{
	const char *name = variant->rdma ? "rdma" : "tcp";

	if (!memcg_ready())
		SKIP(return, "no cgroup v2 memory controller on " CGROOT);
	snprintf(self->tx, sizeof(self->tx), CGROOT "/rsk_tx_%s", name);
	snprintf(self->rx, sizeof(self->rx), CGROOT "/rsk_rx_%s", name);
	rmdir(self->tx);
	rmdir(self->rx);
	ASSERT_EQ(0, mkdir(self->tx, 0755));
	ASSERT_EQ(0, mkdir(self->rx, 0755));
	self->ready = true;
}

FIXTURE_TEARDOWN(memcg)
{
	if (!self->ready)
		return;
	write_text(CGROOT "/cgroup.procs", "0");
	/* A cgroup is removable once its last charge has gone. */
	WAIT_UNTIL(rmdir(self->tx) == 0 || errno == ENOENT, 10000, 100);
	WAIT_UNTIL(rmdir(self->rx) == 0 || errno == ENOENT, 10000, 100);
}

/*
 * The receiving end, in its own process and cgroup: a listener, CONNS
 * connections accepted and left unread until a byte comes on @go, then
 * each read to its end and checked.  Writes the listener's port and then
 * the bytes it got (or -1 for a wrong one) on @out.
 */
static void receiver(const char *cg, int domain, const char *addr, int go,
		     int out)
{
	static char buf[CHUNK];
	struct sockaddr_storage ss;
	socklen_t len = addr_parse(addr, 0, &ss);
	int l, fds[CONNS];
	long total = 0;
	uint16_t port;
	char c;

	l = join(cg) ? -1 : socket(domain, SOCK_STREAM, 0);
	if (l < 0 || bind(l, SA(&ss), len) || listen(l, CONNS) ||
	    getsockname(l, SA(&ss), &len))
		_exit(1);
	port = port_of(&ss);
	if (write(out, &port, sizeof(port)) != sizeof(port))
		_exit(1);
	for (int i = 0; i < CONNS; i++) {
		fds[i] = accept(l, NULL, NULL);
		if (fds[i] < 0)
			_exit(1);
	}
	if (read(go, &c, 1) != 1)
		_exit(1);
	for (int i = 0; i < CONNS && total >= 0; i++) {
		uint64_t off = 0;
		ssize_t n;

		while ((n = recv(fds[i], buf, sizeof(buf), 0)) > 0) {
			if (!pattern_ok(buf, n, seed_of(i), off)) {
				total = -1;
				break;
			}
			off += n;
		}
		if (total >= 0)
			total += off;
		close(fds[i]);
	}
	_exit(write(out, &total, sizeof(total)) == sizeof(total) ? 0 : 1);
}

/*
 * CONNS connections filled until neither end takes more: the sender's
 * cgroup holds at least 3/4 of what its sockets hold unacknowledged
 * (SIOCOUTQ), the receiver's at least 3/4 of the rest; every byte then
 * arrives intact, and both cgroups give the memory back (less than
 * 1 MiB left each: per-CPU charge caches keep some).
 */
TEST_F_TIMEOUT(memcg, queues_charged_both_ways, 180)
{
	const char *addr = rsk_env("RSK_ADDR", "10.99.0.1");
	int domain = rsk_domain(variant->rdma, AF_INET);
	long tx0, rx0, tx1, rx1, held, got = 0;
	int go[2], back[2], fds[CONNS];
	struct sockaddr_storage ss;
	uint64_t sent = 0;
	uint16_t port;
	socklen_t len;
	int status;
	pid_t pid;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(back));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		receiver(self->rx, domain, addr, go[0], back[1]);
	ASSERT_EQ((ssize_t)sizeof(port), read(back[0], &port, sizeof(port)));
	ASSERT_EQ(0, join(self->tx));
	tx0 = mem_current(self->tx);
	rx0 = mem_current(self->rx);
	ASSERT_LE(0, tx0);
	ASSERT_LE(0, rx0);

	len = addr_parse(addr, port, &ss);
	for (int i = 0; i < CONNS; i++) {
		fds[i] = socket(domain, SOCK_STREAM, 0);
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, connect(fds[i], SA(&ss), len));
	}
	for (int i = 0; i < CONNS; i++) {
		uint64_t off = 0;

		ASSERT_EQ(0, fill(fds[i], seed_of(i), &off));
		sent += off;
	}
	ASSERT_TRUE(WAIT_UNTIL(outq_settled(fds), 30000, 0));
	held = outq_sum(fds);
	tx1 = mem_current(self->tx);
	rx1 = mem_current(self->rx);
	TH_LOG("sent %llu; sender holds %ld, its cgroup +%ld; receiver holds %llu, its cgroup +%ld",
	       (unsigned long long)sent, held, tx1 - tx0,
	       (unsigned long long)sent - held, rx1 - rx0);
	EXPECT_LT(0, held);
	EXPECT_LE(held / 4 * 3, tx1 - tx0);
	EXPECT_LE((long)(sent - held) / 4 * 3, rx1 - rx0);

	/* Closed behind their data: the receiver reads each to its end. */
	for (int i = 0; i < CONNS; i++)
		close(fds[i]);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ((ssize_t)sizeof(got), read(back[0], &got, sizeof(got)));
	EXPECT_EQ((long)sent, got);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_TRUE(WAIT_UNTIL(mem_current(self->tx) - tx0 < (long)MiB &&
			       mem_current(self->rx) - rx0 < (long)MiB,
			       10000, 100))
		TH_LOG("left: sender's cgroup +%ld, receiver's +%ld",
		       mem_current(self->tx) - tx0, mem_current(self->rx) - rx0);
	close(go[0]);
	close(go[1]);
	close(back[0]);
	close(back[1]);
}

TEST_HARNESS_MAIN
