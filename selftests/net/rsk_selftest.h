/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the rdmasock selftests: the family number in use, the
 * module's object counters, running a command.
 */
#ifndef RSK_SELFTEST_H
#define RSK_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/rdma_sock.h>

#define RSK_DEBUGFS "/sys/kernel/debug/rdma_sock"

/* The family the loaded module registered; the default if it is not loaded. */
static inline int rsk_family(void)
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

static inline int rsk_module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/" RDMA_SOCK_MODULE_NAME, &st) == 0;
}

/* delete_module(2); returns 0 or -errno. */
static inline int rsk_module_unload(void)
{
	if (syscall(SYS_delete_module, RDMA_SOCK_MODULE_NAME, O_NONBLOCK))
		return -errno;
	return 0;
}

/* One value from a file of "name value" lines, or -1. */
static inline long rsk_counter_in(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	char key[64];
	long val, found = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2) {
		if (!strcmp(key, name)) {
			found = val;
			break;
		}
	}
	fclose(f);
	return found;
}

/* One module-wide counter from <debugfs>/rdma_sock/objects, or -1. */
static inline long rsk_counter(const char *name)
{
	return rsk_counter_in(RSK_DEBUGFS "/objects", name);
}

/* Whether <debugfs>/rdma_sock/devices lists a device of that name. */
static inline int rsk_device_bound(const char *ibdev)
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
static inline int rsk_run(const char *fmt, const char *arg)
{
	char cmd[512];
	int st;

	snprintf(cmd, sizeof(cmd), fmt, arg);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* An environment variable, or def when it is unset or empty. */
static inline const char *rsk_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/*
 * The most links (RC connections between two modules) rdma_sock may hold
 * towards one peer address while sockets to it are open: one.  A host
 * connecting to an address of its own may hold two, one opened by each
 * side; to_self says the test does that.
 */
static inline long rsk_links_max(int to_self)
{
	return to_self ? 2 : 1;
}

/*
 * Links to one peer address that are not dead, from <debugfs>/rdma_sock/
 * links ("link ID active|passive peer ADDR state STATE ..."); -1 if the
 * file cannot be read.  Links to other addresses (IPv4 and IPv6 of the
 * same host are two) do not count.
 */
static inline long rsk_links_to(const char *peer)
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

#endif /* RSK_SELFTEST_H */
