/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdmasock: internal declarations shared by the files of rdma_sock.ko.
 *
 * Prefixes: rsk_ for everything in the module; one file per concern, each
 * in one layer (Kbuild, and af_rdma_sock.c's design notes).  The sections
 * below go layer by layer, lowest first, one section per file, so that
 * what a file offers is found under its name.
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
#include <rdma/rdma_cm.h>
#include <linux/idr.h>
#include <linux/workqueue.h>
#include <linux/irq_poll.h>
#include <linux/netdevice.h>

#include "rsk_wire.h"

/*
 * Pure helpers are exported to the KUnit module only, in its namespace;
 * the link functions the channel layer calls can be replaced by a KUnit
 * test (a fake link: rsk_chan_test.c) through static stubs.
 */
#include <kunit/visibility.h>
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/static_stub.h>
#else
#define KUNIT_STATIC_STUB_REDIRECT(...) do {} while (0)
#endif

/* ======== base layer ======== */

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
bool rsk_addr_is_loopback(const struct rsk_addr *addr);
bool rsk_addr_same_host(const struct rsk_addr *a, const struct rsk_addr *b);
void rsk_addr_to_sockaddr(const struct rsk_addr *addr, __be16 port,
			  struct sockaddr_storage *ss);
bool rsk_addr_is_local(struct net *net, const struct rsk_addr *addr);
bool rsk_addr_is_own(struct net *net, const struct rsk_addr *addr);

/* ---- rsk_net.c: object counters, for leak checks and the tools ---- */

struct rsk_counters {
	atomic_t sockets;	/* struct rsk_sock allocated, not yet freed */
	atomic_t devices;	/* struct rsk_device bound */
	atomic_t links;		/* struct rsk_link allocated */
	atomic_t channels;	/* channel ids in use */
	atomic_t rx_chunks;	/* received payloads queued on sockets */
	atomic_t tx_bufs;	/* send buffers allocated */
	atomic_t half_open;	/* connect requests held for a listener */
	atomic_t namespaces;	/* network namespaces with our state */
	atomic_t ud_endpoints;	/* struct rsk_ud_ep, until freed */
	atomic_t ud_neighs;	/* struct rsk_ud_neigh, until freed */
	atomic_t mc_groups;	/* struct rsk_mc_group: groups joined */
	atomic_t policies;	/* struct rsk_policy: acceleration rules */
};

extern struct rsk_counters rsk_counters;

/* Events: only ever incremented; named in rsk_stats.c. */
enum rsk_event {
	RSK_EV_LINKS_OPENED,
	RSK_EV_LINKS_ACCEPTED,
	RSK_EV_LINKS_FAILED,
	RSK_EV_LINK_REJECTED,
	RSK_EV_LINK_BAD_REP,
	RSK_EV_LINK_ERRORS,
	RSK_EV_LINK_LIMIT,
	RSK_EV_LINK_CLOSE_TIMEOUTS,
	RSK_EV_LINK_KEEPALIVE_TIMEOUTS,
	RSK_EV_LINK_TX_STALLS,
	RSK_EV_LINK_UNPROVEN,
	RSK_EV_CONNECTS,
	RSK_EV_ACCEPTS,
	RSK_EV_REFUSED,
	RSK_EV_RST_SENT,
	RSK_EV_RST_RECEIVED,
	RSK_EV_RX_MSGS,
	RSK_EV_TX_MSGS,
	/* receive checks, in the order rdma_sock.rst "Validation" lists */
	RSK_EV_RX_SHORT,
	RSK_EV_RX_UNKNOWN_TYPE,
	RSK_EV_RX_NOT_NEGOTIATED,
	RSK_EV_RX_LINK_CHAN,
	RSK_EV_RX_BAD_LEN,
	RSK_EV_RX_BAD_CONN_REQ,
	RSK_EV_RX_NO_CHANNEL,
	RSK_EV_RX_SRC_MISMATCH,
	RSK_EV_RX_BAD_STATE,
	RSK_EV_RX_AFTER_FIN,
	RSK_EV_RX_BAD_ACK,
	RSK_EV_RX_BAD_SEQ,
	RSK_EV_RX_WINDOW,
	RSK_EV_RX_NOMEM,
	RSK_EV_RX_MEM_LIMIT,
	RSK_EV_SRQ_LIMIT_EVENTS,
	RSK_EV_SRQ_REFILL_FAILURES,
	RSK_EV_HALF_OPEN_OVERFLOW,
	RSK_EV_HALF_OPEN_TIMEOUTS,
	RSK_EV_CTRL_DROPPED,
	RSK_EV_TX_NOMEM,
	RSK_EV_TX_MEM_LIMIT,
	RSK_EV_KEEPALIVES,
	RSK_EV_PROBE_TIMEOUTS,
	RSK_EV_CONNECT_TIMEOUTS,
	RSK_EV_LAST_WQE_TIMEOUTS,
	RSK_EV_DGRAM_RX,
	RSK_EV_DGRAM_TX,
	RSK_EV_DGRAM_LOOPBACK,
	RSK_EV_DGRAM_BAD_HDR,
	RSK_EV_DGRAM_FRAG_TIMEOUTS,
	RSK_EV_DGRAM_FRAG_DROPS,
	RSK_EV_DGRAM_FRAG_OVERLAPS,
	RSK_EV_DGRAM_RX_REPOST,
	RSK_EV_DGRAM_TX_ERRORS,
	RSK_EV_DGRAM_UNRESOLVED,
	RSK_EV_DGRAM_NO_PORT,
	RSK_EV_DGRAM_RCVBUF_DROPS,
	RSK_EV_DGRAM_RX_NOMEM,
	RSK_EV_DGRAM_NEIGH_STALE,
	RSK_EV_DGRAM_NOT_MEMBER,
	RSK_EV_DGRAM_BAD_ADDR,
	RSK_EV_DGRAM_NEIGH_LIMIT,
	RSK_EV_MC_JOINS,
	RSK_EV_MC_JOIN_FAILURES,
	RSK_EV_MC_ERRORS,
	RSK_EV_POLICY_REJECTED,
	RSK_EV_USERNS_REFUSED,
	RSK_EV_NR
};

extern atomic_long_t rsk_events[RSK_EV_NR];
const char *rsk_event_name(enum rsk_event ev);

/* ---- rsk_net.c: per network namespace state ---- */

#define RSK_UD_NEIGH_HASH	64	/* buckets of a namespace's neighbours */

#define RSK_BIND_HASH_BITS	8

struct rsk_net {
	struct net *net;
	u64 host_id;			/* random: tells hosts apart */

	/*
	 * listen_mutex protects listen_id and listeners.  The link listener
	 * exists only while a stream socket of the namespace listens: an
	 * rdma_cm id holds a reference on its namespace, so a listener made
	 * at namespace init would keep the namespace alive for ever.
	 */
	struct mutex listen_mutex;
	struct rdma_cm_id *listen_id;
	int listeners;			/* listening stream sockets */

	/*
	 * bind_lock protects bind_hash, every bound stream socket, and
	 * dgram_hash, every bound datagram socket: two port spaces, as
	 * TCP's and UDP's are.
	 */
	spinlock_t bind_lock;
	struct hlist_head bind_hash[1 << RSK_BIND_HASH_BITS];
	struct hlist_head dgram_hash[1 << RSK_BIND_HASH_BITS];

	/*
	 * socks_lock protects socks, every socket of the namespace from
	 * creation to destruction, a tree by dump_id (from next_sock_id,
	 * which only grows), so that a netlink dump finds the socket after
	 * the last one it showed in O(log n).  A tree, not an xarray: a node
	 * in the socket needs no allocation that could fail.
	 */
	spinlock_t socks_lock;
	struct rb_root socks;
	u64 next_sock_id;

	/* links_lock protects links and pending_links. */
	spinlock_t links_lock;
	struct list_head links;		/* struct rsk_link.net_node */
	int pending_links;		/* links being set up */

	/* Settings: net.rdma_sock.* (rsk_sysctl.c); read with READ_ONCE. */
	int link_port;
	int link_idle_ms;
	int link_keepalive_ms;
	int max_pending_links;
	int max_links;			/* links of the namespace in all */
	int max_links_per_peer;		/* links with one peer address */
	int max_half_open;		/* held requests per listener */
	int max_half_open_per_link;
	int half_open_timeout_ms;
	int rmem_default;		/* a new socket's SO_RCVBUF */
	int rmem_max;			/* the most a socket queues to read */
	int wmem_default;		/* a new socket's SO_SNDBUF */
	int wmem_max;			/* the most a stream queues to send */
	int zcopy_threshold;		/* reserved: sends to go by RDMA */
	struct ctl_table_header *sysctl_hdr;

	/*
	 * Datagrams.  ud_listen_mutex protects ud_listen_id (the SIDR
	 * listener) and ud_users (datagram sockets holding a port).
	 */
	struct mutex ud_listen_mutex;
	struct rdma_cm_id *ud_listen_id;
	int ud_users;
	int dgram_port;
	int dgram_neigh_ttl_ms;
	int dgram_max_neighs;		/* neighbour entries, at most */
	/*
	 * Datagram neighbours (rsk_ud.c): hashed by peer address with a
	 * seed of the namespace's, under rsk_ud_mutex; receive completions
	 * read them under RCU.  ud_neigh_gc frees entries past their expiry
	 * while the namespace has datagram sockets (ud_users).
	 */
	struct hlist_head ud_neigh_hash[RSK_UD_NEIGH_HASH];
	u32 ud_neigh_seed;
	int ud_nneighs;
	struct delayed_work ud_neigh_gc;
	atomic_t dgram_frag_mem;	/* bytes in reassembly */
	atomic_t dgram_msg_id;

	/*
	 * policy_mutex protects policies (struct rsk_policy.node, in the
	 * order rules are tried), npolicies and next_policy_id.
	 */
	struct mutex policy_mutex;
	struct list_head policies;
	int npolicies;
	u32 next_policy_id;

	/* What this namespace's sockets and links use and did. */
	struct rsk_counters objs;
	atomic_long_t events[RSK_EV_NR];
};

/* ---- rsk_trace.c: tracepoints ---- */

#include "rsk_trace.h"

void rsk_event_trace(struct rsk_net *rnet, enum rsk_event ev);

/* The events counted once per message: no tracepoint on them. */
static inline bool rsk_event_per_msg(enum rsk_event ev)
{
	return ev == RSK_EV_RX_MSGS || ev == RSK_EV_TX_MSGS ||
	       ev == RSK_EV_DGRAM_RX || ev == RSK_EV_DGRAM_TX ||
	       ev == RSK_EV_DGRAM_LOOPBACK;
}

/*
 * Count an event for the module and, when it belongs to one (@rnet not
 * NULL), for the namespace; and tell the rsk_event tracepoint.
 */
static inline void rsk_event(struct rsk_net *rnet, enum rsk_event ev)
{
	atomic_long_inc(&rsk_events[ev]);
	if (rnet)
		atomic_long_inc(&rnet->events[ev]);
	if (trace_rsk_event_enabled() && !rsk_event_per_msg(ev))
		rsk_event_trace(rnet, ev);
}

/* An object of a namespace is born or dies: both counts follow. */
static inline void __rsk_obj_add(struct rsk_net *rnet, size_t off, int n)
{
	atomic_add(n, (atomic_t *)((char *)&rsk_counters + off));
	atomic_add(n, (atomic_t *)((char *)&rnet->objs + off));
}

#define rsk_obj_inc(rnet, field) \
	__rsk_obj_add(rnet, offsetof(struct rsk_counters, field), 1)
#define rsk_obj_dec(rnet, field) \
	__rsk_obj_add(rnet, offsetof(struct rsk_counters, field), -1)

struct rsk_net *rsk_net(const struct net *net);
int rsk_net_init(void);
void rsk_net_exit(void);

/* ======== device layer ======== */

/* ---- rsk_dev.c: RDMA devices, through an ib_client ---- */

/* 16 KiB receive buffers: the largest message a link takes. */
#define RSK_RX_ORDER		2
#define RSK_RX_BUF_SIZE		(PAGE_SIZE << RSK_RX_ORDER)
#define RSK_SRQ_DEPTH		256	/* srq_size's default */
/*
 * Payloads shorter than half a buffer are copied and their buffer
 * reposted, so that queued data never takes more than twice its size.
 */
#define RSK_RX_COPYBREAK	(RSK_RX_BUF_SIZE / 2)

/* One posted receive buffer of a device's SRQ. */
struct rsk_rx_buf {
	struct ib_cqe cqe;		/* rsk_srq_done() */
	struct rsk_device *rdev;
	struct page *page;		/* NULL: empty, on rdev->empty */
	u64 dma;
	struct list_head empty_node;	/* rdev->empty, under empty_lock */
};

/*
 * One per ib_device the module has bound.  Reference counted: the device
 * list holds one reference, and every link holds one.  Device removal
 * unlists the device, kills its links and waits for the last reference
 * before ib_core may free the ib_device.
 */
struct rsk_device {
	struct ib_device *ibdev;
	struct kref ref;
	struct completion released;	/* completed when ref drops to 0 */
	struct list_head list;		/* on rsk_devices, under rsk_devices_lock */
	struct ib_pd *pd;
	struct ib_srq *srq;		/* shared by every link on the device */
	u32 srq_depth;
	struct rsk_rx_buf *bufs;	/* srq_depth of them, owned here */
	atomic_t srq_posted;		/* buffers on the SRQ */
	spinlock_t empty_lock;		/* protects empty */
	struct list_head empty;		/* buffers without a page */
	struct delayed_work refill_work; /* tops the SRQ up, GFP_KERNEL */
	struct mutex fill_lock;		/* serialises the first fill */
	bool srq_filled;		/* buffers posted: rsk_dev_srq_fill() */
	bool dying;			/* removal started: no new links */
	struct rcu_head rcu;		/* rsk_dev_get() reads it under RCU */
};

int rsk_dev_init(void);
void rsk_dev_exit(void);
void rsk_dev_put(struct rsk_device *rdev);
struct rsk_device *rsk_dev_get(struct ib_device *ibdev);
int rsk_dev_srq_fill(struct rsk_device *rdev);
int rsk_dev_self_addr(struct net *net, sa_family_t family,
		      struct rsk_addr *addr);
int rsk_dev_show(struct seq_file *seq, void *v);
int rsk_dev_rnr_counters(struct rsk_device *rdev,
			 int (*fn)(const char *name, u64 value, void *arg),
			 void *arg);
int rsk_dev_walk(long *pos, struct net *net,
		 int (*fn)(struct rsk_device *rdev, void *arg),
		 void *arg);
struct page *rsk_rx_buf_take_page(struct rsk_rx_buf *rxb);

/*
 * Whether the post about to be made is to fail, as the test bed asks
 * through <debugfs>/rdma_sock/fail_post (a fault_attr, configured as
 * failslab is: Documentation/fault-injection): every post of the module
 * asks first.  Always false in kernels without fault injection.
 */
#ifdef CONFIG_FAULT_INJECTION
bool rsk_post_fails(void);
void rsk_dev_debugfs(struct dentry *dir);
#else
static inline bool rsk_post_fails(void)
{
	return false;
}

static inline void rsk_dev_debugfs(struct dentry *dir)
{
}
#endif

/* A layer above that holds devices: told before one goes. */
struct rsk_dev_notifier {
	struct list_head node;		/* rsk_dev_notifiers */
	void (*remove)(struct rsk_device *rdev);
};

void rsk_dev_register_notifier(struct rsk_dev_notifier *nb);
void rsk_dev_unregister_notifier(struct rsk_dev_notifier *nb);

/* net.rdma_sock.srq_size: the initial namespace's, for every device. */
extern int rsk_srq_size;
/* net.rdma_sock.mem, pages: stream memory, as tcp_mem (rsk_chan.c). */
extern long rsk_chan_mem[3];
extern atomic_long_t rsk_chan_memory_allocated;
void rsk_chan_mem_init(void);
bool rsk_chan_tx_charge(const struct sock *sk, unsigned int pages);
void rsk_chan_tx_uncharge(unsigned int pages);
/* net.rdma_sock.userns_sockets: the initial namespace's, for every one. */
extern int rsk_userns_sockets;

/* ---- rsk_cq.c: completion queues polled by NAPI ---- */

/*
 * A CQ with a NAPI context of its own (busy polling spins on it).  The
 * owner sets rx and fatal before rsk_cq_create(); both are called with
 * the CQ as argument, for the owner to container_of() back.
 */
struct rsk_cq {
	struct ib_cq *cq;
	struct irq_poll iop;		/* completion handler -> NAPI */
	struct napi_struct napi;	/* polls cq; busy polling spins on it */
	/* A receive of an SRQ buffer completed: true if it took the page. */
	bool (*rx)(struct rsk_cq *rcq, struct rsk_rx_buf *rxb,
		   const struct ib_wc *wc);
	/* The CQ failed; possibly in hard interrupt context. */
	void (*fatal)(struct rsk_cq *rcq);
};

int rsk_cq_create(struct rsk_cq *rcq, struct ib_device *ibdev, int nr_cqe,
		  u32 vector);
void rsk_cq_destroy(struct rsk_cq *rcq);
int rsk_cq_init(void);
void rsk_cq_exit(void);

/* ======== link layer ======== */

/* ---- rsk_link.c and rsk_link_msg.c: links between two hosts ---- */

struct rsk_link;
struct rsk_link_chan;

/*
 * A message to send: header and payload in one DMA-able buffer, queued on
 * its socket until the window and the link let it go, then in flight
 * until its send completes.
 */
struct rsk_tx_buf {
	struct ib_cqe cqe;		/* send completion: rsk_link_tx_done() */
	struct list_head list;		/* write queue, or link->ctrl_queue */
	/* Its sender, referenced in flight; NULL for link-level ones. */
	struct rsk_link_chan *owner;
	struct rsk_link *link;		/* set when posted */
	u64 dma;			/* 0: inline or not posted */
	u32 dma_len;
	u32 size;			/* bytes allocated, charged to wmem */
	/* Counted in its socket's tx_mem_bytes (data only: rsk_chan_tx.c). */
	bool mem_charged;
	u32 room;			/* payload bytes it can hold */
	u32 len;			/* payload bytes after the header */
	u8 *buf;			/* struct rsk_wire_hdr, then payload */
	/*
	 * A link-level message of one of our own channels (an RST): not
	 * dropped for the control queue's length, which bounds only what
	 * a peer makes us answer.
	 */
	bool own;
};

/*
 * A channel as its link knows it, embedded in the stream socket.  id is
 * under the socket's lock and the link's; node and on_tx_wait under the
 * link's lock.
 */
struct rsk_link_chan {
	u32 id;				/* ours on the link; 0: none */
	bool on_tx_wait;		/* node is on link->tx_waiters */
	struct list_head node;		/* link->tx_waiters or conn_waiters */
};

/*
 * What the link layer calls in the channel layer (rsk_chan.c registers
 * it).  hold and put take and drop a reference on the channel's socket
 * for each table and list the link keeps it on; the others are called
 * with such a reference held and no link lock.
 */
struct rsk_link_chan_ops {
	void (*hold)(struct rsk_link_chan *chan);
	void (*put)(struct rsk_link_chan *chan);
	/* The link came up: a channel waiting for it sends its request. */
	void (*up)(struct rsk_link_chan *chan);
	/* The link failed or closed under the channel: @err, negative. */
	void (*fail)(struct rsk_link_chan *chan, int err);
	/* A send slot is free: the channel may push again. */
	void (*tx_slot)(struct rsk_link_chan *chan);
	/* A message it sent completed; drops the sender's reference. */
	void (*sent)(struct rsk_link_chan *chan, struct rsk_tx_buf *tb);
};

/* A received message of one type; returns true when it took the page. */
typedef bool (*rsk_link_rx_fn)(struct rsk_link *link, struct rsk_rx_buf *rxb,
			       const struct rsk_wire_hdr *hdr, u32 len);

enum rsk_link_state {
	RSK_LINK_RESOLVING,	/* active: address and route */
	RSK_LINK_CONNECTING,	/* REQ sent, or REQ received and REP sent */
	RSK_LINK_UP,
	RSK_LINK_DEAD,		/* failed or closed: no new channels */
	/*
	 * Connected, the peer's address not yet proven: only the
	 * LINK_CHALLENGE/LINK_PROOF exchange (rsk_link_proving()).  Last,
	 * so that the numbers of the others, which the tracepoint shows,
	 * stay as they were.
	 */
	RSK_LINK_PROVING,
};

#define RSK_LINK_SQ_DEPTH	256

struct rsk_link {
	struct kref ref;
	struct rsk_net *rnet;
	/* A reference once the QP exists; set under rsk_all_links_lock. */
	struct rsk_device *rdev;
	struct rdma_cm_id *cm_id;	/* destroyed by rsk_link_destroy_work */
	struct rsk_cq cq;		/* sends and receives of this QP */
	struct ib_qp *qp;
	struct rsk_addr peer;		/* peer IP, port 0 */
	/*
	 * Our IP on the link: the route's source once resolved (set under
	 * lock), or the address the link was asked to start from.
	 */
	struct rsk_addr local;
	bool active;			/* we sent the REQ */
	u32 id;				/* for the counters and logs */
	u32 max_msg;			/* largest SEND the peer takes */
	u32 max_inline;			/* inline bytes our QP takes */
	u32 qp_num;			/* our QP's number, for the record */
	/*
	 * A link of this namespace to itself, proven by self_token: a
	 * random number an active link to one of our own addresses sends
	 * in its REQ, which never leaves the host, and that the passive
	 * end finds among this namespace's own connecting links.  Only
	 * such a link may carry channels of loopback addresses.  Set before
	 * the link is up, read after.
	 */
	u64 self_token;
	bool self;
	/*
	 * The proof that the peer receives at its address (rsk_link_proving()):
	 * the passive end's random cookie, set at allocation and never
	 * changed (read without a lock); on the active end the cookie
	 * received, and challenged once it has been, which may come before
	 * our ESTABLISHED event does: both under lock.
	 */
	u64 proof_cookie;
	bool challenged;
	unsigned long proving_since;	/* jiffies: PROVING entered */

	/*
	 * lock protects state, err, chans, nchans, sq_free, tx_waiters,
	 * conn_waiters, ctrl_queue, the close flags and close_sent_at,
	 * idle_since, last_tx_done, and posting on the QP.  Nests inside
	 * rsk_sock.lock.
	 */
	spinlock_t lock;
	enum rsk_link_state state;
	int err;			/* why the link died, negative errno */
	struct idr chans;		/* channel id -> struct rsk_link_chan */
	int nchans;
	int sq_free;			/* send WRs we may still post */
	struct list_head tx_waiters;	/* channels waiting for sq_free */
	struct list_head conn_waiters;	/* SYN_SENT channels waiting for UP */
	struct list_head ctrl_queue;	/* link-level rsk_tx_buf to send */
	int ctrl_len;
	unsigned long last_rx;		/* jiffies */
	/* jiffies: a send completed, or the first of a burst was posted */
	unsigned long last_tx_done;
	unsigned long idle_since;	/* jiffies: last channel closed */
	unsigned long close_sent_at;	/* jiffies: our LINK_CLOSE */
	atomic_t half_open;		/* requests held by listeners */
	bool close_sent;		/* LINK_CLOSE sent: no new channels */
	bool close_rcvd;		/* LINK_CLOSE received */
	bool destroying;		/* under the cm_id's handler mutex */
	struct list_head all_node;	/* rsk_all_links */

	struct list_head net_node;	/* rsk_net.links, under links_lock */
	bool listed;
	bool counted_pending;		/* in rsk_net.pending_links */
	struct work_struct destroy_work;
	struct delayed_work timer_work;	/* keepalive and idle close */
	/* Posts what the device refused: rsk_link_flush_ctrl(). */
	struct delayed_work ctrl_retry_work;
	struct work_struct kill_work;	/* rsk_link_kill_async() */
	int kill_err;			/* its errno; first caller's */
	struct completion last_wqe;	/* the QP takes no more SRQ WQEs */

	/* Traffic, for netlink: bumped without a lock, read likewise. */
	char dev_name[IB_DEVICE_NAME_MAX];	/* its device's, once it has one */
	u32 peer_qpn;			/* from the CM, once connected */
	atomic64_t tx_bytes, tx_msgs;	/* SENDs posted, headers included */
	atomic64_t rx_bytes, rx_msgs;	/* messages received */
	atomic64_t errors;		/* completions and events in error */
};

/* An error on the link: its count and the event. */
static inline void rsk_link_count_error(struct rsk_link *link)
{
	atomic64_inc(&link->errors);
	rsk_event(link->rnet, RSK_EV_LINK_ERRORS);
}

void rsk_link_put(struct rsk_link *link);
struct rsk_link *rsk_link_get_for_peer(struct rsk_net *rnet,
				       const struct rsk_addr *peer,
				       const struct rsk_addr *local);
int rsk_link_listen_get(struct rsk_net *rnet);
void rsk_link_listen_put(struct rsk_net *rnet);
struct rdma_cm_id *rsk_link_listen_any(struct net *net, rdma_cm_event_handler h,
				       void *ctx, enum rdma_ucm_port_space ps,
				       u16 port);
struct rsk_wire_hello;
void rsk_hello_fill(struct rsk_net *rnet, u32 max_msg, u32 link_id,
		    struct rsk_wire_hello *h);
bool rsk_link_kill(struct rsk_link *link, int err);
void rsk_link_kill_async(struct rsk_link *link, int err);
int rsk_link_attach(struct rsk_link *link, struct rsk_link_chan *chan);
void rsk_link_detach(struct rsk_link *link, struct rsk_link_chan *chan);
struct rsk_link_chan *rsk_link_find_chan(struct rsk_link *link, u32 id);
void rsk_link_rx_ctrl(struct rsk_link *link, const struct rsk_wire_hdr *hdr);
void rsk_link_rx_unproven(struct rsk_link *link,
			  const struct rsk_wire_hdr *hdr, u32 len);
int rsk_link_init(void);
void rsk_link_exit(void);
int rsk_link_show(struct seq_file *seq, void *v);
int rsk_link_walk(struct rsk_net *rnet, u32 *last,
		  int (*fn)(struct rsk_link *link, void *arg), void *arg);
#if IS_ENABLED(CONFIG_KUNIT)
int rsk_link_check_hello(struct rsk_link *link, const void *data, u8 len);
void rsk_link_proving(struct rsk_link *link);
bool rsk_link_proof_expired(const struct rsk_link *link, unsigned long now,
			    unsigned long keepalive);
int rsk_link_timer_verdict(struct rsk_link *link, unsigned long now,
			   unsigned long keepalive, unsigned long idle,
			   bool *probe, bool *start_close, bool *done);
bool rsk_link_serves(struct rsk_link *link, const struct rsk_addr *peer,
		     const struct rsk_addr *local, bool own);
#endif

/* rsk_link_msg.c */
void rsk_link_rx_register(u8 type, rsk_link_rx_fn fn);
#if IS_ENABLED(CONFIG_KUNIT)
bool rsk_link_rx(struct rsk_cq *rcq, struct rsk_rx_buf *rxb,
		 const struct ib_wc *wc);
int rsk_link_post(struct rsk_link *link, struct rsk_tx_buf *tb);
#endif
void rsk_link_register_chan_ops(const struct rsk_link_chan_ops *ops);
const struct rsk_link_chan_ops *rsk_link_chan_ops(void);
int rsk_link_create_cq(struct rsk_link *link, struct ib_device *ibdev,
		       int nr_cqe);
struct rsk_tx_buf *rsk_tx_buf_alloc(u32 payload, gfp_t gfp);
void rsk_tx_buf_free(struct rsk_tx_buf *tb);
void rsk_link_msg_hdr(struct rsk_tx_buf *tb, u8 type, u8 flags, u32 dst,
		      u32 src, u32 seq, u32 ack, u32 wnd);
u32 rsk_link_max_payload(const struct rsk_link *link);
int rsk_link_send(struct rsk_link *link, struct rsk_tx_buf *tb,
		  struct rsk_link_chan *waiter);
void rsk_link_send_ctrl(struct rsk_link *link, u8 type, u8 flags, u32 dst,
			u32 src, const void *body, u32 body_len);
void rsk_link_send_ctrl_own(struct rsk_link *link, u8 type, u8 flags, u32 dst,
			    u32 src, const void *body, u32 body_len);
void rsk_link_queue_ctrl(struct rsk_link *link, struct rsk_tx_buf *tb);
void __rsk_link_queue_ctrl(struct rsk_link *link, struct rsk_tx_buf *tb);
void rsk_link_flush_ctrl(struct rsk_link *link);
void rsk_link_ctrl_retry_work(struct work_struct *work);
void rsk_link_retry_soon(struct rsk_link *link);
struct rsk_tx_buf *rsk_link_ctrl_buf(u8 type, u8 flags, u32 dst, u32 src,
				     const void *body, u32 body_len);
/*
 * Link-level control messages queued, at most: answers a peer makes us
 * send, and (a larger bound, for a link whose sends a peer stalls) those
 * of our own channels.
 */
#define RSK_CTRL_QUEUE_MAX	1024
#define RSK_CTRL_QUEUE_OWN_MAX	(4 * RSK_CTRL_QUEUE_MAX)
/* Datagram sizes and what received ones carry: the transport's and the socket's. */
/* What a received datagram's skb carries besides its payload. */
struct rsk_dgram_cb {
	struct rsk_addr src;		/* the sender's address and port */
};

#define RSK_DGRAM_CB(skb)	((struct rsk_dgram_cb *)(skb)->cb)

/* Datagram sizes, as UDP's; reassembly bounds. */
#define RSK_DGRAM_MAX_V4		65507
#define RSK_DGRAM_MAX			65527
#define RSK_DGRAM_FRAG_MEM		(4 << 20)
#define RSK_DGRAM_FRAG_TIMEOUT_MS	1000
/* Fragment size before a peer's path MTU is known: RoCE's usual. */
#define RSK_UD_DEFAULT_MTU		1024

/* The largest datagram, as UDP's: 65507 bytes over IPv4, 65527 over IPv6. */
static inline u32 rsk_dgram_max(const struct rsk_addr *to)
{
	return to->family == AF_INET ? RSK_DGRAM_MAX_V4 : RSK_DGRAM_MAX;
}

/* ---- rsk_ud_reasm.c: datagrams put together from their fragments ---- */

#define RSK_UD_REASM_HASH_BITS		6

/* One endpoint's datagrams being put together. */
struct rsk_ud_reasm_table {
	struct rsk_net *rnet;		/* charged for the memory */
	u32 seed;			/* of the hash: a peer cannot aim collisions */
	/*
	 * lock protects hash, lru, count and dead; taken in the receive
	 * CQ's softirq and by the timer, so with BHs off elsewhere.
	 */
	spinlock_t lock;
	struct hlist_head hash[1 << RSK_UD_REASM_HASH_BITS];
	struct list_head lru;		/* oldest first: the order they expire */
	u32 count;
	/* how long a datagram may take: RSK_DGRAM_FRAG_TIMEOUT_MS, in jiffies */
	unsigned long timeout;
	bool dead;			/* destroyed: nothing new, no timer */
	struct timer_list timer;	/* at the oldest one's deadline */
};

struct rsk_wire_dgram;
void rsk_ud_reasm_init(struct rsk_ud_reasm_table *t, struct rsk_net *rnet);
void rsk_ud_reasm_destroy(struct rsk_ud_reasm_table *t);
struct sk_buff *rsk_ud_reasm_add(struct rsk_ud_reasm_table *t,
				 const struct rsk_wire_dgram *h,
				 const u8 *payload, u32 frag,
				 const struct rsk_addr *src,
				 const struct rsk_addr *dst, u32 src_qpn);
u32 rsk_ud_reasm_count(struct rsk_ud_reasm_table *t);

/* ---- rsk_ud.c: the datagram transport over UD QPs, beside the links ---- */

struct rsk_sock;
int rsk_ud_send(struct rsk_sock *rs, const struct rsk_addr *to,
		const struct rsk_addr *src, u8 flags, struct msghdr *msg,
		size_t len);
struct rsk_ud_ep *rsk_ud_ep_lookup(struct rsk_net *rnet,
				   struct ib_device *ibdev, u32 port);
void rsk_ud_ep_put(struct rsk_ud_ep *ep);
struct rsk_device *rsk_ud_ep_dev(const struct rsk_ud_ep *ep);
int rsk_ud_ep_attach(struct rsk_ud_ep *ep, const union ib_gid *mgid,
		     u16 mlid, bool attach);
int rsk_ud_mc_ah_attr(struct rdma_cm_id *id, const struct in6_addr *group,
		      struct rdma_ah_attr *attr);
int rsk_ud_users_get(struct rsk_net *rnet);
void rsk_ud_users_put(struct rsk_net *rnet);
int rsk_ud_init(void);
void rsk_ud_exit(void);

#if IS_ENABLED(CONFIG_KUNIT)
struct rsk_wire_dgram;
int rsk_ud_check_hdr(struct rsk_net *rnet, const struct rsk_wire_dgram *h,
		     u32 len);
bool rsk_ud_addrs_ok(struct rsk_net *rnet, u32 own_qpn,
		     const struct rsk_addr *src, const struct rsk_addr *dst,
		     u32 src_qp, bool roce);
#endif

/* The datagram socket layer's receiver (rsk_dgram_deliver()). */
typedef void (*rsk_ud_deliver_fn)(struct rsk_net *rnet,
				  const struct rsk_addr *dst, __be16 dst_port,
				  struct sk_buff *skb);
void rsk_ud_register_deliver(rsk_ud_deliver_fn fn);

/* Keepalive settings in effect, as TCP's keepalive_time_when() & co. */
/* ---- rsk_ud_mcast.c: multicast groups of a namespace ---- */

/*
 * The namespace's membership of a group on one interface.  All fields
 * under rsk_mc_mutex, but err, mgid and mlid, which the rdma_cm handler
 * writes before it completes joined and nobody writes after, and lost.
 * Receive completions read rnet, addr and ep under RCU (rsk_mc_heard()).
 *
 * Two groups of a namespace on interfaces of one device port (a VLAN
 * and its parent) share the endpoint's attachment to the GID: one of
 * them holds it (attached), and hands it on when it leaves.
 */
struct rsk_mc_group {
	struct list_head node;		/* rsk_mc_groups */
	struct rsk_net *rnet;
	struct rsk_addr addr;		/* the group; port 0 */
	int ifindex;
	int users;			/* memberships holding it */
	struct rdma_cm_id *id;		/* joined through it; NULL: dead */
	struct rsk_ud_ep *ep;		/* a reference */
	bool attached;			/* holds the endpoint's attachment */
	bool lost;			/* rdma_cm said the join was lost */
	int ip6_ifindex;		/* IPv6 on RoCE v2: IP member there */
	union ib_gid mgid;
	u16 mlid;
	int err;
	struct completion joined;
	/*
	 * Set while its first member waits for rdma_cm's answer, outside
	 * rsk_mc_mutex; later members wait for ready, completed (for all)
	 * when the join succeeded or failed, with the outcome in result.
	 */
	bool joining;
	int result;
	struct completion ready;
	u32 delay_ms;			/* rsk_mc_join_delay_ms when it began */
	struct rcu_head rcu;
};

/* A test's fault: a join's answer is this much later (debugfs). */
extern u32 rsk_mc_join_delay_ms;

struct rsk_mc_group *rsk_mc_group_get(struct rsk_net *rnet,
				      const struct rsk_addr *addr,
				      int ifindex,
				      const struct rsk_addr *ifaddr);
void rsk_mc_group_put(struct rsk_mc_group *g);
void rsk_mc_kill_dev(struct rsk_device *rdev);
bool rsk_mc_heard(struct rsk_net *rnet, const struct rsk_ud_ep *ep,
		  const struct rsk_addr *group);

/* ======== the socket object ======== */

/*
 * struct rsk_sock is what every socket of the family has (rsk_sock.c makes
 * it), embedded first in struct rsk_stream_sock and struct rsk_dgram_sock,
 * each kind's own (its proto's obj_size).  The channel layer keeps a
 * stream's state in struct rsk_stream_sock; the link layer sees only the
 * struct rsk_link_chan inside it.
 */

/* What a (type, protocol) pair given to socket() opens. */
enum rsk_kind {
	RSK_KIND_STREAM,	/* SOCK_STREAM: byte stream over RC links */
	RSK_KIND_DGRAM,		/* SOCK_DGRAM: datagrams over UD QPs */
};

/*
 * Received payload, queued on the socket until read: either the page of
 * the SRQ buffer a message arrived in (handed over, unmapped) or, below
 * RSK_RX_COPYBREAK, a copy in data[] and the SRQ buffer reposted.  Copies
 * of small messages share one allocation of at least RSK_RX_CHUNK_MIN
 * bytes (appended while it has room, as TCP coalesces), so that memory
 * follows the bytes the window counts, not the number of messages.
 */
struct rsk_rx_chunk {
	struct list_head list;		/* on rsk_sock.rx_queue */
	struct page *page;		/* NULL: payload is in data[] */
	u32 off;			/* where unread payload starts */
	u32 len;			/* unread payload bytes; grows by appends */
	u32 cap;			/* data[] bytes; 0 for a page */
	u32 truesize;			/* bytes charged to the socket */
	u8 data[];
};

#define RSK_RX_CHUNK_MIN	1024

/* Pending control messages of a channel, sent by rsk_chan_push(). */
#define RSK_TX_WINDOW	BIT(1)
#define RSK_TX_FIN	BIT(2)
#define RSK_TX_PROBE	BIT(4)
#define RSK_TX_REQ	BIT(5)
#define RSK_TX_ACCEPT	BIT(6)

struct rsk_sock {
	struct sock sk;		/* must be first: sk_alloc() hands it out */
	enum rsk_kind kind;	/* fixed at creation */
	struct rsk_net *rnet;	/* the namespace's state; no reference */

	/* Under lock_sock(): addresses and the bind table entry. */
	struct rsk_addr local;	/* bound address; port 0: not bound */
	struct rsk_addr peer;	/* connected peer */
	struct hlist_node bind_node;	/* rsk_net.bind_hash, under bind_lock */
	bool bound;
	/* rsk_net.socks, under socks_lock, keyed by dump_id. */
	struct rb_node net_node;
	u64 dump_id;
};

static inline struct rsk_sock *rsk_sk(const struct sock *sk)
{
	return container_of(sk, struct rsk_sock, sk);
}

/* A SOCK_DGRAM socket (rsk_dgram.c). */
struct rsk_dgram_sock {
	struct rsk_sock base;
	bool ud_user;		/* counted in rnet->ud_users */

	/*
	 * Multicast options, under lock_sock(): the groups joined (struct
	 * rsk_mc_membership, rsk_dgram_mcast.c) and how to send to one.
	 * mc_if: IP_MULTICAST_IF's address (AF_UNSPEC: none); mc_ifindex:
	 * its interface; mc6_ifindex: IPV6_MULTICAST_IF's.  TTL and hops are
	 * kept for getsockopt(); RoCE takes the hop limit from rdma_cm.
	 */
	struct list_head mc_list;
	struct rsk_addr mc_if;
	int mc_ifindex, mc6_ifindex;
	int mc_ttl, mc_hops;
	bool mc_loop, mc6_loop;
};

static inline struct rsk_dgram_sock *rsk_dgram(struct rsk_sock *rs)
{
	return container_of(rs, struct rsk_dgram_sock, base);
}

/*
 * A SOCK_STREAM socket (rsk_stream.c): a channel on a link, whose state
 * the channel layer keeps here (rsk_chan*.c).
 */
struct rsk_stream_sock {
	struct rsk_sock base;
	/*
	 * The link, fixed at connect (or at creation for an accepted socket)
	 * and kept until the socket is destroyed: one reference.
	 */
	struct rsk_link *link;
	u32 link_id;		/* link->id, for netlink, which must not follow link */

	/*
	 * lock protects everything below: the channel's state, sequence
	 * numbers, windows and queues, and chan.id.  Taken from the link's
	 * completion handlers (softirq), so always with _bh.  Nests inside
	 * nothing but lock_sock(); rsk_link.lock and rsk_net.bind_lock nest
	 * inside it.
	 */
	spinlock_t lock;
	struct rsk_link_chan chan;	/* what the link knows of us */
	u32 peer_chan;		/* the peer's */
	u32 snd_nxt;		/* next byte to send */
	u32 snd_una;		/* oldest byte not yet acked by the peer */
	u32 snd_wnd_end;	/* peer's ack + wnd: right edge */
	u32 rcv_nxt;		/* next byte expected */
	u32 rcv_wnd_sent;	/* right edge last advertised */
	u32 rcv_ack_sent;	/* ack last sent */
	u32 max_payload;	/* largest DATA payload the link takes */
	u32 req_wnd;		/* window our CONN_REQ advertised */
	u32 rcv_queued;		/* payload bytes on rx_queue */
	u32 wq_bytes;		/* payload bytes on write_queue */
	u32 inflight;		/* messages posted, not completed */
	u32 inflight_bytes;	/* their payload: SIOCOUTQ, with wq_bytes */
	/*
	 * sk_wmem_queued when memory for more was refused, 0 if it was
	 * not: the socket is writable again below it (rsk_chan_tx.c).
	 * Read without the lock.
	 */
	int snd_mem_limit;
	/*
	 * The allocations of queued data messages, and the pages of the
	 * module's stream total they hold (rsk_tx_data_buf()): counted in
	 * bytes per socket, so that small messages cost what they take.
	 */
	u32 tx_mem_bytes;
	u32 tx_mem_pages;
	/* One push that cork, MSG_MORE and Nagle do not hold back. */
	bool push_forced;
	u32 tx_pending;		/* RSK_TX_* control messages to send */
	/* TCP_INFO's counts, as TCP keeps them (rsk_stream_info()). */
	u64 bytes_sent;		/* DATA payload posted */
	u64 bytes_acked;	/* payload the peer acked */
	u64 bytes_received;	/* DATA payload received */
	u32 segs_out;		/* messages posted */
	u32 segs_in;		/* messages received */
	u32 data_segs_out;	/* DATA messages posted */
	u32 data_segs_in;	/* DATA messages received */
	unsigned long last_data_sent;	/* jiffies */
	unsigned long last_data_recv;	/* jiffies */
	bool fin_rcvd;		/* peer sent FIN: no more data */
	bool fin_sent;
	bool nodelay;		/* TCP_NODELAY */
	bool corked;		/* TCP_CORK */
	bool more;		/* last send had MSG_MORE */
	struct list_head rx_queue;	/* struct rsk_rx_chunk */
	struct list_head write_queue;	/* struct rsk_tx_buf, unsent */

	/* Listener (under lock): accepted children not yet accept()ed. */
	struct list_head accept_queue;	/* rsk_stream_sock.accept_node */
	struct list_head accept_node;
	struct rsk_stream_sock *parent;	/* listener, until accepted */
	/*
	 * Listener (under lock): connect requests held while the accept
	 * queue is full (struct rsk_conn_req, rsk_chan.c), and their timer.
	 */
	struct list_head half_open;
	u32 half_open_len;
	struct timer_list half_open_timer;

	/*
	 * TCP-level options, under lock_sock(); keepalive times in seconds,
	 * 0 meaning the namespace's net.ipv4.tcp_keepalive_* (rsk_keep*()).
	 */
	int keepidle, keepintvl, keepcnt;
	/*
	 * More TCP-level options, set under lock_sock(): TCP_MAXSEG (0: none;
	 * the channel reads it at connect), TCP_NOTSENT_LOWAT (0: the
	 * namespace's net.ipv4.tcp_notsent_lowat; read without a lock by
	 * poll), TCP_QUICKACK as last set (acks here are never delayed) and
	 * TCP_INQ.
	 */
	u16 user_mss;
	u32 notsent_lowat;
	bool quickack;
	bool recvmsg_inq;
	/* Under lock: the socket's timer (keepalive, FIN timeout). */
	unsigned long last_rcv;		/* jiffies: last message from peer */
	unsigned long orphan_deadline;	/* jiffies: closed, FIN awaited */
	unsigned long connect_deadline;	/* jiffies: SYN_SENT gives up */
	int probes_out;			/* PROBEs unanswered */
	/*
	 * Under lock: a child still on its listener's accept queue, whose
	 * window is capped (rsk_chan_rcv_limit()) until accept() takes it.
	 */
	bool unaccepted;
	/*
	 * Pushes again when a control message (tx_pending) could not be
	 * allocated; holds a socket reference while pending.
	 */
	struct timer_list tx_retry_timer;
};

static inline struct rsk_stream_sock *rsk_stream(struct rsk_sock *rs)
{
	return container_of(rs, struct rsk_stream_sock, base);
}

static inline struct rsk_stream_sock *rsk_stream_sk(const struct sock *sk)
{
	return rsk_stream(rsk_sk(sk));
}

/* ======== channel layer ======== */

/* ---- rsk_chan.c: channels: connect, accept, close ---- */

/*
 * What the channel layer calls in the stream socket layer (rsk_stream.c
 * registers it).  From softirq: nothing here sleeps.
 */
struct rsk_chan_sock_ops {
	/* The listener for a request to @local, referenced; or NULL. */
	struct rsk_stream_sock *(*lookup_listener)(struct rsk_net *rnet,
						   const struct rsk_addr *local);
	/* A child of @listener bound to @local, for the accept queue. */
	struct rsk_stream_sock *(*new_child)(struct rsk_stream_sock *listener,
					     const struct rsk_addr *local, gfp_t gfp);
	/* Free a child nobody accepted; its channel is closed. */
	void (*free_child)(struct rsk_stream_sock *child);
	/* A wildcard-bound socket connects from @ip: bind it there. */
	void (*fill_addr)(struct rsk_stream_sock *rs, const struct rsk_addr *ip);
};

void rsk_chan_register_sock_ops(const struct rsk_chan_sock_ops *ops);

/* Every change of a stream socket's sk_state goes through here. */
static inline void rsk_chan_set_state(struct rsk_stream_sock *rs, int state)
{
	struct sock *sk = &rs->base.sk;

	trace_rsk_chan_state(READ_ONCE(rs->link_id), rs->chan.id,
			     sk->sk_state, state);
	sk->sk_state = state;
}

const struct rsk_chan_sock_ops *rsk_chan_sock_ops(void);
void rsk_chan_init(void);

/*
 * The receive and send buffers a socket works with: what SO_RCVBUF and
 * SO_SNDBUF set, bounded by its namespace's rmem_max and wmem_max.
 */
static inline int rsk_rcvbuf(const struct rsk_sock *rs)
{
	return min(READ_ONCE(rs->sk.sk_rcvbuf), READ_ONCE(rs->rnet->rmem_max));
}

/* What a child advertises until accept() takes it, at most (TCP's 64 KiB). */
#define RSK_CHILD_RCV_SPACE	65536

/*
 * The receive buffer a stream's window may cover; rs->lock held.  A child
 * nobody accepted yet gets less: a peer filling every child of a full
 * accept queue pins 64 KiB each, not SO_RCVBUF each.
 */
static inline int rsk_chan_rcv_limit(const struct rsk_stream_sock *rs)
{
	int limit = rsk_rcvbuf(&rs->base);

	return rs->unaccepted ? min(limit, RSK_CHILD_RCV_SPACE) : limit;
}

static inline int rsk_sndbuf(const struct rsk_sock *rs)
{
	return min(READ_ONCE(rs->sk.sk_sndbuf), READ_ONCE(rs->rnet->wmem_max));
}

/* The largest DATA payload a channel on @link sends: TCP_MAXSEG bounds it. */
static inline u32 rsk_chan_mss(const struct rsk_stream_sock *rs,
			       const struct rsk_link *link)
{
	u32 mss = rsk_link_max_payload(link);
	u16 user = READ_ONCE(rs->user_mss);

	return user ? min_t(u32, mss, user) : mss;
}

static inline int rsk_keepidle(const struct rsk_stream_sock *rs)
{
	return rs->keepidle ?:
	       READ_ONCE(sock_net(&rs->base.sk)->ipv4.sysctl_tcp_keepalive_time) / HZ;
}

static inline int rsk_keepintvl(const struct rsk_stream_sock *rs)
{
	return rs->keepintvl ?:
	       READ_ONCE(sock_net(&rs->base.sk)->ipv4.sysctl_tcp_keepalive_intvl) / HZ;
}

/*
 * How long connect() waits for an answer: as long as TCP keeps sending
 * SYNs, net.ipv4.tcp_syn_retries with its 1 s initial timeout doubled on
 * each retry (127 s by default).
 */
static inline unsigned long rsk_syn_timeout(const struct rsk_stream_sock *rs)
{
	int retries = READ_ONCE(sock_net(&rs->base.sk)->ipv4.sysctl_tcp_syn_retries);

	return ((2UL << min(retries, 12)) - 1) * HZ;
}

static inline int rsk_keepcnt(const struct rsk_stream_sock *rs)
{
	return rs->keepcnt ?:
	       READ_ONCE(sock_net(&rs->base.sk)->ipv4.sysctl_tcp_keepalive_probes);
}

void rsk_chan_conn_req(struct rsk_link *link, const struct rsk_wire_hdr *hdr,
		       const void *body, u32 len);
void rsk_chan_rx(struct rsk_stream_sock *rs, const struct rsk_wire_hdr *hdr,
		 const void *body, u32 len);
void rsk_chan_reset(struct rsk_stream_sock *rs, u32 reason);
void rsk_chan_fin_sent(struct rsk_stream_sock *rs);
int rsk_chan_rx_ack(struct rsk_stream_sock *rs, const struct rsk_wire_hdr *hdr);
int rsk_chan_wait_connect(struct rsk_stream_sock *rs, long *timeo);
int rsk_chan_connect(struct rsk_stream_sock *rs, const struct rsk_addr *peer);
void rsk_chan_close(struct rsk_stream_sock *rs, bool abort);
int rsk_chan_shutdown(struct rsk_stream_sock *rs, int how);
void rsk_chan_listen_close(struct rsk_stream_sock *rs);
void rsk_chan_release_child(struct rsk_stream_sock *child);
struct rsk_stream_sock *rsk_chan_accept_pop(struct rsk_stream_sock *listener);
void rsk_chan_promote(struct rsk_stream_sock *listener);
void rsk_chan_listener_init(struct rsk_stream_sock *rs);
void rsk_chan_timer_init(struct rsk_stream_sock *rs);
void rsk_chan_heard(struct rsk_stream_sock *rs);
void rsk_chan_keepalive(struct sock *sk, int on);
void rsk_chan_orphan(struct rsk_stream_sock *rs);

/* ---- rsk_chan_tx.c: sending ---- */

void rsk_chan_push(struct rsk_stream_sock *rs);
void rsk_chan_push_locked(struct rsk_stream_sock *rs);
void rsk_chan_tx_retry_init(struct rsk_stream_sock *rs);
void rsk_chan_accepted(struct rsk_stream_sock *child);
int rsk_chan_sendmsg(struct rsk_stream_sock *rs, struct msghdr *msg, size_t len);
void rsk_chan_tx_purge(struct rsk_stream_sock *rs);
u32 rsk_chan_adv_wnd(struct rsk_stream_sock *rs);
void rsk_chan_write_space(struct sock *sk);
void rsk_chan_sent(struct rsk_link_chan *chan, struct rsk_tx_buf *tb);
bool rsk_chan_poll_writable(struct sock *sk);

/* ---- rsk_chan_rx.c: receiving ---- */

void rsk_chan_rx_init(void);
void rsk_chan_mark_napi(struct rsk_stream_sock *rs, struct rsk_link *link);

int rsk_chan_recvmsg(struct rsk_stream_sock *rs, struct msghdr *msg, size_t len,
		     int flags);
u32 rsk_chan_rx_purge(struct rsk_stream_sock *rs);

/* ======== socket layer ======== */

/* ---- rsk_sock.c: the socket core ---- */

/* The address family number this module registered (module parameter). */
extern int rsk_family;

int rsk_sock_kind(int type, int protocol);
int rsk_sock_create(struct net *net, struct socket *sock, int protocol,
		    int kern);
void rsk_sock_init(struct sock *sk, enum rsk_kind kind);
void rsk_sock_destruct(struct sock *sk);
void rsk_sock_release_finish(struct socket *sock);
int rsk_autobind(struct rsk_sock *rs, const struct rsk_addr *like);
int rsk_sock_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len);
int rsk_sock_set_v6only(struct sock *sk, sockptr_t optval, unsigned int optlen);
bool rsk_sock_v4_refused(const struct rsk_sock *rs, const struct rsk_addr *to);
int rsk_sock_get_v6only(struct sock *sk, char __user *optval,
			int __user *optlen);
int rsk_sock_getname(struct socket *sock, struct sockaddr *uaddr, int peer);
int rsk_sock_walk(struct rsk_net *rnet, u64 *last,
		  int (*fn)(struct rsk_sock *rs, void *arg), void *arg);

/* ---- rsk_bind.c: the bind table ---- */

int rsk_bind_port(struct rsk_sock *rs, const struct rsk_addr *addr,
		  bool reuse);
void rsk_bind_child(struct rsk_sock *child, const struct rsk_addr *local);
int rsk_listen_conflict(struct rsk_sock *rs);
void rsk_bind_fill_addr(struct rsk_sock *rs, const struct rsk_addr *ip);
void rsk_bind_set_addr(struct rsk_sock *rs, const struct rsk_addr *ip);
void rsk_unbind_port(struct rsk_sock *rs);
struct rsk_sock *rsk_lookup_listener(struct rsk_net *rnet,
				     const struct rsk_addr *local);

/* ---- rsk_stream.c: stream sockets ---- */

extern struct proto rsk_stream_proto;
extern const struct proto_ops rsk_stream_ops;
void rsk_stream_sock_init(struct sock *sk);
void rsk_stream_init(void);

/* ---- rsk_dgram.c: datagram sockets ---- */

extern struct proto rsk_dgram_proto;
extern const struct proto_ops rsk_dgram_ops;
void rsk_dgram_sock_init(struct sock *sk);
void rsk_dgram_deliver(struct rsk_net *rnet, const struct rsk_addr *dst,
		       __be16 dst_port, struct sk_buff *skb);
int rsk_dgram_use_ud(struct rsk_sock *rs);
int rsk_dgram_bound(struct rsk_sock *rs);
void rsk_dgram_init(void);

/* ---- rsk_dgram_mcast.c: multicast memberships and options ---- */

void rsk_mc_sock_init(struct rsk_sock *rs);
int rsk_mc_setsockopt(struct rsk_sock *rs, int level, int optname,
		      sockptr_t optval, unsigned int optlen);
int rsk_mc_getsockopt(struct rsk_sock *rs, int level, int optname,
		      char __user *optval, int __user *optlen);
void rsk_mc_sock_release(struct rsk_sock *rs);
int rsk_mc_send_src(struct rsk_sock *rs, const struct rsk_addr *group,
		    struct rsk_addr *src);

/* ======== control layer ======== */

/* ---- rsk_netlink.c: the generic netlink family ---- */

#define RSK_MODULE_VERSION	"0.4.0"

int rsk_netlink_init(void);
void rsk_netlink_exit(void);
int rsk_stats_nl_fill(struct sk_buff *skb, struct rsk_net *rnet, bool hw);
int rsk_stat_put(struct sk_buff *skb, const char *name, u8 kind,
		 u64 value, u64 total);

/* ---- rsk_stats.c: counters shown in debugfs, /proc and netlink ---- */

int rsk_stats_init(void);
void rsk_stats_exit(void);

/* ---- rsk_sysctl.c: net.rdma_sock.* ---- */

int rsk_sysctl_init(void);
void rsk_sysctl_exit(void);

/* ---- rsk_policy.c: acceleration rules ---- */

/* A rule of RDMA_SOCK_CMD_POLICY_*; a field left 0 matches anything. */
struct rsk_policy {
	struct list_head node;		/* rsk_net.policies */
	u32 id;
	u32 prio;
	u8 action;			/* enum rdma_sock_policy_action */
	u8 prefix;			/* bits of dst; family set with it */
	u16 type;
	u16 family;
	u16 dport_min;
	u16 dport_max;
	u8 dst[16];
	char program[TASK_COMM_LEN];
};

int rsk_policy_parse(struct rsk_policy *rule, struct nlattr **tb,
		     struct netlink_ext_ack *extack);
int rsk_policy_add(struct rsk_net *rnet, struct rsk_policy *rule,
		   struct netlink_ext_ack *extack);
int rsk_policy_del(struct rsk_net *rnet, u32 id);
int rsk_policy_walk(struct rsk_net *rnet, long *pos,
		    int (*fn)(const struct rsk_policy *rule, void *arg),
		    void *arg);
int rsk_policy_init(void);
void rsk_policy_exit(void);

#endif /* _RSK_H */
