/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdmasock: internal declarations shared by the files of rdma_sock.ko.
 *
 * Prefixes: rsk_ for everything in the module; one file per concern, named
 * in Kbuild.
 */
#ifndef _RSK_H
#define _RSK_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/atomic.h>
#include <net/sock.h>
#include <rdma/ib_verbs.h>

/* Pure helpers are exported to the KUnit module only, in its namespace. */
#include <kunit/visibility.h>

/* ---- af_rdma_sock.c: the socket ---- */

/* What a (type, protocol) pair given to socket() opens. */
enum rsk_kind {
	RSK_KIND_STREAM,	/* SOCK_STREAM: byte stream over RC links */
	RSK_KIND_DGRAM,		/* SOCK_DGRAM: datagrams over UD QPs */
};

struct rsk_sock {
	struct sock sk;		/* must be first: sk_alloc() hands it out */
	enum rsk_kind kind;	/* fixed at creation */
};

static inline struct rsk_sock *rsk_sk(const struct sock *sk)
{
	return container_of(sk, struct rsk_sock, sk);
}

int rsk_sock_kind(int type, int protocol);

/* The address family number this module registered (module parameter). */
extern int rsk_family;

/* ---- rsk_addr.c: socket addresses ---- */

/*
 * A peer or local address as the module keeps it: IPv4-mapped IPv6
 * addresses are folded to IPv4 so that one host has one key, and
 * v4mapped remembers how to give the address back to the user.
 */
struct rsk_addr {
	sa_family_t family;		/* AF_INET, AF_INET6 or AF_UNSPEC */
	bool v4mapped;			/* given as ::ffff:a.b.c.d */
	__be16 port;
	u32 scope_id;			/* AF_INET6 only */
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

int rsk_addr_parse(const struct sockaddr *uaddr, int addr_len,
		   struct rsk_addr *addr);
int rsk_addr_format(const struct rsk_addr *addr, struct sockaddr *uaddr);
bool rsk_addr_is_any(const struct rsk_addr *addr);
bool rsk_addr_is_multicast(const struct rsk_addr *addr);

/* ---- rsk_dev.c: RDMA devices, through an ib_client ---- */

/*
 * One per ib_device the module has bound.  Reference counted: the device
 * list holds one reference, and every user (later: links, SRQs) holds one.
 * Device removal unlists the device, asks its users to let go and waits
 * for the last reference before ib_core may free the ib_device.
 */
struct rsk_device {
	struct ib_device *ibdev;
	struct kref ref;
	struct completion released;	/* completed when ref drops to 0 */
	struct list_head list;		/* on rsk_devices, under rsk_devices_lock */
};

int rsk_dev_init(void);
void rsk_dev_exit(void);
void rsk_dev_put(struct rsk_device *rdev);
int rsk_dev_show(struct seq_file *seq, void *v);

/* ---- rsk_stats.c: object counters, for leak checks and the tools ---- */

struct rsk_counters {
	atomic_t sockets;	/* struct rsk_sock allocated, not yet freed */
	atomic_t devices;	/* struct rsk_device bound */
};

extern struct rsk_counters rsk_counters;

int rsk_stats_init(void);
void rsk_stats_exit(void);

#endif /* _RSK_H */
