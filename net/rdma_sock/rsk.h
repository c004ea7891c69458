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
#include <rdma/rdma_cm.h>
#include <linux/idr.h>
#include <linux/workqueue.h>
#include <linux/irq_poll.h>
#include <linux/netdevice.h>

#include "rsk_wire.h"

/* Pure helpers are exported to the KUnit module only, in its namespace. */
#include <kunit/visibility.h>

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

/* ---- af_rdma_sock.c: the socket ---- */

/* What a (type, protocol) pair given to socket() opens. */
enum rsk_kind {
	RSK_KIND_STREAM,	/* SOCK_STREAM: byte stream over RC links */
	RSK_KIND_DGRAM,		/* SOCK_DGRAM: datagrams over UD QPs */
};

struct rsk_link;
struct rsk_net;

/*
 * A received message's payload, queued on the socket until read: either
 * the page of the SRQ buffer it arrived in (handed over, unmapped) or,
 * below RSK_RX_COPYBREAK, a copy in data[] and the SRQ buffer reposted.
 */
struct rsk_rx_chunk {
	struct list_head list;		/* on rsk_sock.rx_queue */
	struct page *page;		/* NULL: payload is in data[] */
	u32 off;			/* where unread payload starts */
	u32 len;			/* unread payload bytes */
	u8 data[];
};

/*
 * A message to send: header and payload in one DMA-able buffer, queued on
 * its socket until the window and the link let it go, then in flight
 * until its send completes.
 */
struct rsk_tx_buf {
	struct ib_cqe cqe;		/* send completion: rsk_tx_done() */
	struct list_head list;		/* write queue, then in-flight list */
	struct rsk_sock *owner;		/* holds a sock ref in flight; or NULL */
	struct rsk_link *link;		/* set when posted */
	u64 dma;			/* 0: inline or not posted */
	u32 dma_len;
	u32 size;			/* bytes allocated, charged to wmem */
	u32 room;			/* payload bytes it can hold */
	u32 len;			/* payload bytes after the header */
	u8 *buf;			/* struct rsk_wire_hdr, then payload */
};

/* Pending control messages of a channel, sent by rsk_tx_push(). */
#define RSK_TX_ACCEPT	BIT(0)
#define RSK_TX_WINDOW	BIT(1)
#define RSK_TX_FIN	BIT(2)
#define RSK_TX_RST	BIT(3)
#define RSK_TX_PROBE	BIT(4)
#define RSK_TX_REQ	BIT(5)

struct rsk_sock {
	struct sock sk;		/* must be first: sk_alloc() hands it out */
	enum rsk_kind kind;	/* fixed at creation */
	struct rsk_net *rnet;	/* the namespace's state; no reference */

	/* Under lock_sock(): addresses and the bind table entry. */
	struct rsk_addr local;	/* bound address; port 0: not bound */
	struct rsk_addr peer;	/* connected peer */
	struct hlist_node bind_node;	/* rsk_net.bind_hash, under bind_lock */
	bool bound;
	bool ud_user;		/* datagram: counted in rnet->ud_users */
	/* rsk_net.socks, under socks_lock, keyed by dump_id. */
	struct rb_node net_node;
	u64 dump_id;

	/*
	 * Datagram multicast options, under lock_sock(): the groups joined
	 * (struct rsk_mc_membership, rsk_mcast.c) and how to send to one.
	 * mc_if: IP_MULTICAST_IF's address (AF_UNSPEC: none); mc_ifindex:
	 * its interface; mc6_ifindex: IPV6_MULTICAST_IF's.  TTL and hops are
	 * kept for getsockopt(); RoCE takes the hop limit from rdma_cm.
	 */
	struct list_head mc_list;
	struct rsk_addr mc_if;
	int mc_ifindex, mc6_ifindex;
	int mc_ttl, mc_hops;
	bool mc_loop, mc6_loop;

	/*
	 * The link, fixed at connect (or at creation for an accepted socket)
	 * and kept until the socket is destroyed: one reference.
	 */
	struct rsk_link *link;
	u32 link_id;		/* link->id, for netlink, which must not follow link */

	/*
	 * lock protects everything below: the channel's state, sequence
	 * numbers, windows and queues.  Taken from the link's completion
	 * handlers (softirq), so always with _bh.  Nests inside nothing but
	 * lock_sock(); rsk_link.lock nests inside it.
	 */
	spinlock_t lock;
	u32 chan_id;		/* ours, on link; 0: none */
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
	u32 tx_pending;		/* RSK_TX_* control messages to send */
	u32 rst_reason;		/* with RSK_TX_RST */
	u32 refuse_reason;	/* RSK_MSG_CONN_REFUSE reason for SYN_SENT */
	bool fin_rcvd;		/* peer sent FIN: no more data */
	bool fin_sent;
	bool nodelay;		/* TCP_NODELAY */
	bool corked;		/* TCP_CORK */
	bool more;		/* last send had MSG_MORE */
	bool on_link_wait;	/* on link->tx_waiters */
	struct list_head link_node;	/* link->tx_waiters or link->conn_waiters */
	struct list_head rx_queue;	/* struct rsk_rx_chunk */
	struct list_head write_queue;	/* struct rsk_tx_buf, unsent */

	/* Listener (under lock): accepted children not yet accept()ed. */
	struct list_head accept_queue;	/* struct rsk_sock.accept_node */
	struct list_head accept_node;
	struct rsk_sock *parent;	/* listener, until accepted */
	/*
	 * Listener (under lock): connect requests held while the accept
	 * queue is full (struct rsk_conn_req, rsk_cm.c), and their timer.
	 */
	struct list_head half_open;
	u32 half_open_len;
	struct timer_list half_open_timer;

	/*
	 * TCP-level options, under lock_sock(); keepalive times in seconds,
	 * 0 meaning the namespace's net.ipv4.tcp_keepalive_* (rsk_keep*()).
	 */
	int keepidle, keepintvl, keepcnt;
	/* Under lock: the socket's timer (keepalive, FIN timeout). */
	unsigned long last_rcv;		/* jiffies: last message from peer */
	unsigned long orphan_deadline;	/* jiffies: closed, FIN awaited */
	unsigned long connect_deadline;	/* jiffies: SYN_SENT gives up */
	int probes_out;			/* PROBEs unanswered */
};

static inline struct rsk_sock *rsk_sk(const struct sock *sk)
{
	return container_of(sk, struct rsk_sock, sk);
}

int rsk_release(struct socket *sock);
struct rsk_wire_hello;
void rsk_hello_fill(struct rsk_net *rnet, u32 max_msg, u32 link_id,
		    struct rsk_wire_hello *h);
int rsk_bind_addr(struct sock *sk, struct sockaddr *uaddr, int addr_len,
		  bool group_ok, struct rsk_addr *addr);
struct rdma_cm_id *rsk_cm_listen_any(struct net *net, rdma_cm_event_handler h,
				     void *ctx, enum rdma_ucm_port_space ps,
				     u16 port);
int rsk_autobind(struct rsk_sock *rs, const struct rsk_addr *like);

/* ---- rsk_dgram.c: datagram sockets ---- */

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

extern const struct proto_ops rsk_dgram_ops;
void rsk_dgram_release(struct rsk_sock *rs);
void rsk_dgram_deliver(struct rsk_net *rnet, const struct rsk_addr *dst,
		       __be16 dst_port, struct sk_buff *skb);
int rsk_dgram_use_ud(struct rsk_sock *rs);

/* ---- rsk_netlink.c: the generic netlink family ---- */

#define RSK_MODULE_VERSION	"0.4.0"

int rsk_netlink_init(void);
void rsk_netlink_exit(void);
int rsk_stats_nl_fill(struct sk_buff *skb, struct rsk_net *rnet);
int rsk_stat_put(struct sk_buff *skb, const char *name, u8 kind,
		 u64 value, u64 total);

/* ---- rsk_mcast.c: multicast groups and their socket options ---- */

struct rsk_device;
struct rsk_ud_ep;

void rsk_mc_sock_init(struct rsk_sock *rs);
int rsk_mc_setsockopt(struct rsk_sock *rs, int level, int optname,
		      sockptr_t optval, unsigned int optlen);
int rsk_mc_getsockopt(struct rsk_sock *rs, int level, int optname,
		      char __user *optval, int __user *optlen);
void rsk_mc_sock_release(struct rsk_sock *rs);
int rsk_mc_send_src(struct rsk_sock *rs, const struct rsk_addr *group,
		    struct rsk_addr *src);
void rsk_mc_kill_dev(struct rsk_device *rdev);
bool rsk_mc_heard(struct rsk_net *rnet, const struct rsk_ud_ep *ep,
		  const struct rsk_addr *group);

/* ---- rsk_ud.c: the datagram transport over UD QPs ---- */

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

/* Keepalive settings in effect, as TCP's keepalive_time_when() & co. */
static inline int rsk_keepidle(const struct rsk_sock *rs)
{
	return rs->keepidle ?:
	       READ_ONCE(sock_net(&rs->sk)->ipv4.sysctl_tcp_keepalive_time) / HZ;
}

static inline int rsk_keepintvl(const struct rsk_sock *rs)
{
	return rs->keepintvl ?:
	       READ_ONCE(sock_net(&rs->sk)->ipv4.sysctl_tcp_keepalive_intvl) / HZ;
}

/*
 * How long connect() waits for an answer: as long as TCP keeps sending
 * SYNs, net.ipv4.tcp_syn_retries with its 1 s initial timeout doubled on
 * each retry (127 s by default).
 */
static inline unsigned long rsk_syn_timeout(const struct rsk_sock *rs)
{
	int retries = READ_ONCE(sock_net(&rs->sk)->ipv4.sysctl_tcp_syn_retries);

	return ((2UL << min(retries, 12)) - 1) * HZ;
}

static inline int rsk_keepcnt(const struct rsk_sock *rs)
{
	return rs->keepcnt ?:
	       READ_ONCE(sock_net(&rs->sk)->ipv4.sysctl_tcp_keepalive_probes);
}

int rsk_sock_kind(int type, int protocol);
struct sock *rsk_sock_alloc_child(struct rsk_sock *listener, gfp_t gfp);
void rsk_sock_destroy_child(struct rsk_sock *child);

/* The address family number this module registered (module parameter). */
extern int rsk_family;

/* ---- rsk_stats.c: object counters, for leak checks and the tools ---- */

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
	RSK_EV_SRQ_LIMIT_EVENTS,
	RSK_EV_SRQ_REFILL_FAILURES,
	RSK_EV_HALF_OPEN_OVERFLOW,
	RSK_EV_HALF_OPEN_TIMEOUTS,
	RSK_EV_CTRL_DROPPED,
	RSK_EV_KEEPALIVES,
	RSK_EV_PROBE_TIMEOUTS,
	RSK_EV_CONNECT_TIMEOUTS,
	RSK_EV_LAST_WQE_TIMEOUTS,
	RSK_EV_DGRAM_RX,
	RSK_EV_DGRAM_TX,
	RSK_EV_DGRAM_BAD_HDR,
	RSK_EV_DGRAM_FRAG_TIMEOUTS,
	RSK_EV_DGRAM_FRAG_DROPS,
	RSK_EV_DGRAM_RX_REPOST,
	RSK_EV_DGRAM_TX_ERRORS,
	RSK_EV_DGRAM_UNRESOLVED,
	RSK_EV_DGRAM_NO_PORT,
	RSK_EV_DGRAM_RCVBUF_DROPS,
	RSK_EV_DGRAM_RX_NOMEM,
	RSK_EV_DGRAM_NEIGH_STALE,
	RSK_EV_DGRAM_NOT_MEMBER,
	RSK_EV_MC_JOINS,
	RSK_EV_MC_JOIN_FAILURES,
	RSK_EV_MC_ERRORS,
	RSK_EV_POLICY_REJECTED,
	RSK_EV_NR
};

extern atomic_long_t rsk_events[RSK_EV_NR];

/* ---- rsk_net.c: per network namespace state ---- */

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

/*
 * Count an event for the module and, when it belongs to one (@rnet not
 * NULL), for the namespace.
 */
static inline void rsk_event(struct rsk_net *rnet, enum rsk_event ev)
{
	atomic_long_inc(&rsk_events[ev]);
	if (rnet)
		atomic_long_inc(&rnet->events[ev]);
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
int rsk_sysctl_net_init(struct rsk_net *rnet);
void rsk_sysctl_net_exit(struct rsk_net *rnet);

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
void rsk_policy_net_init(struct rsk_net *rnet);
void rsk_policy_net_exit(struct rsk_net *rnet);

/* net.rdma_sock.srq_size: the initial namespace's, for every device. */
extern int rsk_srq_size;

/*
 * The receive and send buffers a socket works with: what SO_RCVBUF and
 * SO_SNDBUF set, bounded by its namespace's rmem_max and wmem_max.
 */
static inline int rsk_rcvbuf(const struct rsk_sock *rs)
{
	return min(READ_ONCE(rs->sk.sk_rcvbuf), READ_ONCE(rs->rnet->rmem_max));
}

static inline int rsk_sndbuf(const struct rsk_sock *rs)
{
	return min(READ_ONCE(rs->sk.sk_sndbuf), READ_ONCE(rs->rnet->wmem_max));
}

int rsk_bind_port(struct rsk_sock *rs, const struct rsk_addr *addr,
		  bool reuse);
void rsk_bind_child(struct rsk_sock *child, const struct rsk_addr *local);
int rsk_listen_conflict(struct rsk_sock *rs);
void rsk_bind_fill_addr(struct rsk_sock *rs, const struct rsk_addr *ip);
void rsk_bind_set_addr(struct rsk_sock *rs, const struct rsk_addr *ip);
bool rsk_addr_is_local(struct net *net, const struct rsk_addr *addr);
void rsk_unbind_port(struct rsk_sock *rs);
struct rsk_sock *rsk_lookup_listener(struct rsk_net *rnet,
				     const struct rsk_addr *local);

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
	struct ib_cqe cqe;		/* rsk_rx_done() */
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
	bool dying;			/* removal started: no new links */
};

int rsk_dev_init(void);
void rsk_dev_exit(void);
void rsk_dev_put(struct rsk_device *rdev);
struct rsk_device *rsk_dev_get(struct ib_device *ibdev);
int rsk_dev_self_addr(struct net *net, sa_family_t family,
		      struct rsk_addr *addr);
int rsk_dev_show(struct seq_file *seq, void *v);
int rsk_dev_rnr_counters(struct rsk_device *rdev,
			 int (*fn)(const char *name, u64 value, void *arg),
			 void *arg);
int rsk_dev_walk(long *pos, int (*fn)(struct rsk_device *rdev, void *arg),
		 void *arg);
void rsk_ud_kill_dev(struct rsk_device *rdev);
int rsk_srq_post(struct rsk_device *rdev, struct rsk_rx_buf *rxb);
void rsk_srq_refill(struct rsk_device *rdev, gfp_t gfp);
void rsk_rx_buf_free(struct rsk_rx_buf *rxb);

/* ---- rsk_link.c: links between two hosts ---- */

enum rsk_link_state {
	RSK_LINK_RESOLVING,	/* active: address and route */
	RSK_LINK_CONNECTING,	/* REQ sent, or REQ received and REP sent */
	RSK_LINK_UP,
	RSK_LINK_DEAD,		/* failed or closed: no new channels */
};

#define RSK_LINK_SQ_DEPTH	256

struct rsk_link {
	struct kref ref;
	struct rsk_net *rnet;
	struct rsk_device *rdev;	/* a reference, once the QP exists */
	struct rdma_cm_id *cm_id;	/* destroyed by rsk_link_destroy_work */
	struct ib_cq *cq;		/* sends and receives of this QP */
	struct irq_poll iop;		/* completion handler -> NAPI */
	struct napi_struct napi;	/* polls cq; busy polling spins on it */
	struct ib_qp *qp;
	struct rsk_addr peer;		/* peer IP, port 0 */
	struct rsk_addr local;		/* our IP on the link, once resolved */
	bool active;			/* we sent the REQ */
	u32 id;				/* for the counters and logs */
	u32 max_msg;			/* largest SEND the peer takes */
	u32 max_inline;			/* inline bytes our QP takes */
	u32 qp_num;			/* our QP's number, for the record */
	u64 peer_host_id;

	/*
	 * lock protects state, err, chans, nchans, sq_free, tx_waiters,
	 * conn_waiters, ctrl_queue, the close flags, idle_since, and posting
	 * on the QP.  Nests inside rsk_sock.lock.
	 */
	spinlock_t lock;
	enum rsk_link_state state;
	int err;			/* why the link died, negative errno */
	struct idr chans;		/* channel id -> struct rsk_sock */
	int nchans;
	int sq_free;			/* send WRs we may still post */
	struct list_head tx_waiters;	/* sockets waiting for sq_free */
	struct list_head conn_waiters;	/* SYN_SENT sockets waiting for UP */
	struct list_head ctrl_queue;	/* link-level rsk_tx_buf to send */
	int ctrl_len;
	unsigned long last_rx;		/* jiffies */
	unsigned long idle_since;	/* jiffies: last channel closed */
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
void rsk_link_up(struct rsk_link *link);
struct rsk_link *rsk_link_get_for_peer(struct rsk_net *rnet,
				       const struct rsk_addr *peer);
int rsk_link_listen_get(struct rsk_net *rnet);
void rsk_link_listen_put(struct rsk_net *rnet);
void rsk_link_kill(struct rsk_link *link, int err);
void rsk_link_kill_async(struct rsk_link *link, int err);
void rsk_link_kill_net(struct rsk_net *rnet);
void rsk_link_kill_dev(struct rsk_device *rdev);
int rsk_link_attach(struct rsk_link *link, struct rsk_sock *rs);
void rsk_link_detach(struct rsk_link *link, struct rsk_sock *rs);
struct rsk_sock *rsk_link_find_chan(struct rsk_link *link, u32 id);
int rsk_link_send(struct rsk_link *link, struct rsk_tx_buf *tb,
		  struct rsk_sock *waiter);
void rsk_link_return_slot(struct rsk_link *link);
void rsk_link_queue_ctrl(struct rsk_link *link, struct rsk_tx_buf *tb);
void rsk_link_rx_ctrl(struct rsk_link *link, const struct rsk_wire_hdr *hdr);
int rsk_link_init(void);
void rsk_link_exit(void);
int rsk_link_show(struct seq_file *seq, void *v);
int rsk_sock_walk(struct rsk_net *rnet, u64 *last,
		  int (*fn)(struct rsk_sock *rs, void *arg), void *arg);
int rsk_link_walk(struct rsk_net *rnet, u32 *last,
		  int (*fn)(struct rsk_link *link, void *arg), void *arg);

/* ---- rsk_poll.c: completion polling, NAPI, busy polling ---- */

int rsk_poll_create_cq(struct rsk_link *link, struct ib_device *ibdev,
		       int nr_cqe);
void rsk_poll_destroy_cq(struct rsk_link *link);
void rsk_poll_mark_sock(struct rsk_sock *rs, struct rsk_link *link);
void rsk_poll_busy_read(struct rsk_sock *rs, bool nonblock);
int rsk_poll_init(void);
void rsk_poll_exit(void);

/* ---- rsk_tx.c: sending ---- */

int rsk_tx_post(struct rsk_link *link, struct rsk_tx_buf *tb);
struct rsk_tx_buf *rsk_tx_buf_alloc(u32 payload, gfp_t gfp);
void rsk_tx_buf_free(struct rsk_tx_buf *tb);
void rsk_tx_push(struct rsk_sock *rs);
void rsk_tx_push_locked(struct rsk_sock *rs);
void rsk_tx_link_ctrl(struct rsk_link *link, u8 type, u8 flags, u32 dst,
		      u32 src, const void *body, u32 body_len);
int rsk_tx_sendmsg(struct rsk_sock *rs, struct msghdr *msg, size_t len);
void rsk_tx_purge(struct rsk_sock *rs);
u32 rsk_adv_wnd(struct rsk_sock *rs);
u32 rsk_tx_max_payload(const struct rsk_link *link);
void rsk_tx_done(struct ib_cq *cq, struct ib_wc *wc);
void rsk_tx_write_space(struct sock *sk);
void rsk_tx_accept_hdr(struct rsk_sock *rs, struct rsk_tx_buf *tb);
bool rsk_tx_poll_writable(struct sock *sk);

/* ---- rsk_rx.c: receiving ---- */

void rsk_rx_done(struct ib_cq *cq, struct ib_wc *wc);
int rsk_rx_recvmsg(struct rsk_sock *rs, struct msghdr *msg, size_t len,
		   int flags);
u32 rsk_rx_purge(struct rsk_sock *rs);

/* ---- rsk_cm.c: channels: connect, accept, close ---- */

void rsk_cm_conn_req(struct rsk_link *link, const struct rsk_wire_hdr *hdr,
		     const void *body, u32 len);
void rsk_cm_rx(struct rsk_sock *rs, const struct rsk_wire_hdr *hdr,
	       const void *body, u32 len);
void rsk_cm_link_up(struct rsk_sock *rs);
void rsk_cm_fail(struct rsk_sock *rs, int err);
void rsk_cm_reset(struct rsk_sock *rs, u32 reason);
void rsk_cm_fin_sent(struct rsk_sock *rs);
int rsk_cm_rx_ack(struct rsk_sock *rs, const struct rsk_wire_hdr *hdr);
int rsk_cm_wait_connect(struct rsk_sock *rs, long *timeo);
int rsk_cm_connect(struct rsk_sock *rs, const struct rsk_addr *peer);
void rsk_cm_close(struct rsk_sock *rs, bool abort);
int rsk_cm_shutdown(struct rsk_sock *rs, int how);
void rsk_cm_listen_close(struct rsk_sock *rs);
void rsk_cm_release_child(struct rsk_sock *child);
struct rsk_sock *rsk_cm_accept_pop(struct rsk_sock *listener);
void rsk_cm_promote(struct rsk_sock *listener);
void rsk_cm_listener_init(struct rsk_sock *rs);
void rsk_cm_timer_init(struct rsk_sock *rs);
void rsk_cm_heard(struct rsk_sock *rs);
void rsk_cm_keepalive(struct sock *sk, int on);
void rsk_cm_orphan(struct rsk_sock *rs);

int rsk_stats_net_init(struct rsk_net *rnet);
void rsk_stats_net_exit(struct rsk_net *rnet);
int rsk_stats_init(void);
void rsk_stats_exit(void);

#endif /* _RSK_H */
