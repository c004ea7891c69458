// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: per network namespace state and the object counters, base
 * layer.
 *
 * Ports, links, the link listener and the settings belong to a network
 * namespace, as TCP's do: a socket only ever sees the namespace it was
 * created in.  The state hangs off net_generic(); this file allocates it
 * and sets its defaults.  Each layer above that keeps something per
 * namespace registers pernet_operations of its own after this file's
 * (links, sysctls, /proc, rules), so that the namespace's state exists
 * before any of them runs and outlives all of them.
 *
 * The object counters and events (struct rsk_counters, rsk_events) are
 * here too, at the bottom, so that every layer can count; rsk_stats.c
 * shows them.
 */
#include <linux/random.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/tcp_states.h>

#include "rsk.h"

static unsigned int rsk_net_id __read_mostly;

struct rsk_counters rsk_counters;
EXPORT_SYMBOL_IF_KUNIT(rsk_counters);
atomic_long_t rsk_events[RSK_EV_NR];

/* What debugfs, /proc, netlink and the rsk_drop tracepoint call them. */
static const char *const rsk_event_names[RSK_EV_NR] = {
	[RSK_EV_LINKS_OPENED] = "links_opened",
	[RSK_EV_LINKS_ACCEPTED] = "links_accepted",
	[RSK_EV_LINKS_FAILED] = "links_failed",
	[RSK_EV_LINK_REJECTED] = "link_rejected",
	[RSK_EV_LINK_BAD_REP] = "link_bad_rep",
	[RSK_EV_LINK_ERRORS] = "link_errors",
	[RSK_EV_LINK_LIMIT] = "link_limit",
	[RSK_EV_LINK_CLOSE_TIMEOUTS] = "link_close_timeouts",
	[RSK_EV_LINK_KEEPALIVE_TIMEOUTS] = "link_keepalive_timeouts",
	[RSK_EV_LINK_TX_STALLS] = "link_tx_stalls",
	[RSK_EV_LINK_UNPROVEN] = "link_unproven",
	[RSK_EV_CONNECTS] = "connects",
	[RSK_EV_ACCEPTS] = "accepts",
	[RSK_EV_REFUSED] = "refused",
	[RSK_EV_RST_SENT] = "rst_sent",
	[RSK_EV_RST_RECEIVED] = "rst_received",
	[RSK_EV_RX_MSGS] = "rx_msgs",
	[RSK_EV_TX_MSGS] = "tx_msgs",
	[RSK_EV_RX_SHORT] = "rx_short",
	[RSK_EV_RX_UNKNOWN_TYPE] = "rx_unknown_type",
	[RSK_EV_RX_NOT_NEGOTIATED] = "rx_not_negotiated",
	[RSK_EV_RX_LINK_CHAN] = "rx_link_chan",
	[RSK_EV_RX_BAD_LEN] = "rx_bad_len",
	[RSK_EV_RX_BAD_CONN_REQ] = "rx_bad_conn_req",
	[RSK_EV_RX_NO_CHANNEL] = "rx_no_channel",
	[RSK_EV_RX_SRC_MISMATCH] = "rx_src_mismatch",
	[RSK_EV_RX_BAD_STATE] = "rx_bad_state",
	[RSK_EV_RX_AFTER_FIN] = "rx_after_fin",
	[RSK_EV_RX_BAD_ACK] = "rx_bad_ack",
	[RSK_EV_RX_BAD_SEQ] = "rx_bad_seq",
	[RSK_EV_RX_WINDOW] = "rx_window",
	[RSK_EV_RX_NOMEM] = "rx_nomem",
	[RSK_EV_RX_MEM_LIMIT] = "rx_mem_limit",
	[RSK_EV_SRQ_LIMIT_EVENTS] = "srq_limit_events",
	[RSK_EV_SRQ_REFILL_FAILURES] = "srq_refill_failures",
	[RSK_EV_HALF_OPEN_OVERFLOW] = "half_open_overflow",
	[RSK_EV_HALF_OPEN_TIMEOUTS] = "half_open_timeouts",
	[RSK_EV_CTRL_DROPPED] = "ctrl_dropped",
	[RSK_EV_TX_NOMEM] = "tx_nomem",
	[RSK_EV_TX_MEM_LIMIT] = "tx_mem_limit",
	[RSK_EV_KEEPALIVES] = "keepalives",
	[RSK_EV_PROBE_TIMEOUTS] = "probe_timeouts",
	[RSK_EV_CONNECT_TIMEOUTS] = "connect_timeouts",
	[RSK_EV_LAST_WQE_TIMEOUTS] = "last_wqe_timeouts",
	[RSK_EV_DGRAM_RX] = "dgram_rx",
	[RSK_EV_DGRAM_TX] = "dgram_tx",
	[RSK_EV_DGRAM_LOOPBACK] = "dgram_loopback",
	[RSK_EV_DGRAM_BAD_HDR] = "dgram_bad_hdr",
	[RSK_EV_DGRAM_FRAG_TIMEOUTS] = "dgram_frag_timeouts",
	[RSK_EV_DGRAM_FRAG_DROPS] = "dgram_frag_drops",
	[RSK_EV_DGRAM_FRAG_OVERLAPS] = "dgram_frag_overlaps",
	[RSK_EV_DGRAM_RX_REPOST] = "dgram_rx_repost_failures",
	[RSK_EV_DGRAM_TX_ERRORS] = "dgram_tx_errors",
	[RSK_EV_DGRAM_UNRESOLVED] = "dgram_unresolved",
	[RSK_EV_DGRAM_NO_PORT] = "dgram_no_port",
	[RSK_EV_DGRAM_RCVBUF_DROPS] = "dgram_rcvbuf_drops",
	[RSK_EV_DGRAM_RX_NOMEM] = "dgram_rx_nomem",
	[RSK_EV_DGRAM_NEIGH_STALE] = "dgram_neigh_stale",
	[RSK_EV_DGRAM_NOT_MEMBER] = "dgram_not_member",
	[RSK_EV_DGRAM_BAD_ADDR] = "dgram_bad_addr",
	[RSK_EV_DGRAM_NEIGH_LIMIT] = "dgram_neigh_limit",
	[RSK_EV_MC_JOINS] = "mc_joins",
	[RSK_EV_MC_JOIN_FAILURES] = "mc_join_failures",
	[RSK_EV_MC_ERRORS] = "mc_errors",
	[RSK_EV_POLICY_REJECTED] = "policy_rejected",
	[RSK_EV_USERNS_REFUSED] = "userns_refused",
};

const char *rsk_event_name(enum rsk_event ev)
{
	return ev < RSK_EV_NR ? rsk_event_names[ev] : "?";
}

struct rsk_net *rsk_net(const struct net *net)
{
	return net_generic(net, rsk_net_id);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_net);

/*
 * Defaults of the net.rdma_sock.* sysctls.  The link port is in rdma_cm's
 * TCP port space (the datagram port in its UDP one), shared with every
 * rdma_cm user.  It is below 1024, which rdma_cm lets only a privileged
 * user bind: no local user can take it first (rsk_link_listen_any()).
 */
#define RSK_LINK_PORT_DEFAULT		886
#define RSK_LINK_IDLE_MS_DEFAULT	60000
#define RSK_LINK_KEEPALIVE_MS_DEFAULT	5000
#define RSK_MAX_PENDING_LINKS_DEFAULT	64
#define RSK_MAX_LINKS_DEFAULT		1024
#define RSK_MAX_LINKS_PER_PEER_DEFAULT	16
#define RSK_MAX_HALF_OPEN_DEFAULT	256
#define RSK_MAX_HALF_OPEN_LINK_DEFAULT	1024
#define RSK_HALF_OPEN_TIMEOUT_MS_DEFAULT 10000
/* As net.core's defaults: 212992 is what a socket got before these. */
#define RSK_MEM_DEFAULT			212992
#define RSK_MEM_MAX_DEFAULT		(4 << 20)
#define RSK_ZCOPY_THRESHOLD_DEFAULT	65536
/* As ARP's gc_thresh3: the most entries a namespace's table holds. */
#define RSK_DGRAM_MAX_NEIGHS_DEFAULT	1024

static int __net_init rsk_net_init_one(struct net *net)
{
	struct rsk_net *rnet = rsk_net(net);
	int i;

	rnet->net = net;
	rnet->host_id = get_random_u64();
	mutex_init(&rnet->listen_mutex);
	mutex_init(&rnet->ud_listen_mutex);
	rnet->dgram_port = RSK_LINK_PORT_DEFAULT;	/* the UDP port space */
	rnet->dgram_neigh_ttl_ms = 60000;
	rnet->dgram_max_neighs = RSK_DGRAM_MAX_NEIGHS_DEFAULT;
	for (i = 0; i < ARRAY_SIZE(rnet->ud_neigh_hash); i++)
		INIT_HLIST_HEAD(&rnet->ud_neigh_hash[i]);
	rnet->ud_neigh_seed = get_random_u32();
	spin_lock_init(&rnet->bind_lock);
	for (i = 0; i < ARRAY_SIZE(rnet->bind_hash); i++) {
		INIT_HLIST_HEAD(&rnet->bind_hash[i]);
		INIT_HLIST_HEAD(&rnet->dgram_hash[i]);
	}
	spin_lock_init(&rnet->links_lock);
	INIT_LIST_HEAD(&rnet->links);
	spin_lock_init(&rnet->socks_lock);
	rnet->socks = RB_ROOT;
	rnet->link_port = RSK_LINK_PORT_DEFAULT;
	rnet->link_idle_ms = RSK_LINK_IDLE_MS_DEFAULT;
	rnet->link_keepalive_ms = RSK_LINK_KEEPALIVE_MS_DEFAULT;
	rnet->max_pending_links = RSK_MAX_PENDING_LINKS_DEFAULT;
	rnet->max_links = RSK_MAX_LINKS_DEFAULT;
	rnet->max_links_per_peer = RSK_MAX_LINKS_PER_PEER_DEFAULT;
	rnet->max_half_open = RSK_MAX_HALF_OPEN_DEFAULT;
	rnet->max_half_open_per_link = RSK_MAX_HALF_OPEN_LINK_DEFAULT;
	rnet->half_open_timeout_ms = RSK_HALF_OPEN_TIMEOUT_MS_DEFAULT;
	rnet->rmem_default = RSK_MEM_DEFAULT;
	rnet->wmem_default = RSK_MEM_DEFAULT;
	rnet->rmem_max = RSK_MEM_MAX_DEFAULT;
	rnet->wmem_max = RSK_MEM_MAX_DEFAULT;
	rnet->zcopy_threshold = RSK_ZCOPY_THRESHOLD_DEFAULT;
	atomic_inc(&rsk_counters.namespaces);
	return 0;
}

/*
 * Runs only once nothing holds the namespace: no socket (user sockets
 * hold it), no link and no link listener (their rdma_cm ids hold it).
 * Kernel sockets hold no reference: their owners close them first, as
 * they must close TCP's.
 */
static void __net_exit rsk_net_exit_one(struct net *net)
{
	struct rsk_net *rnet = rsk_net(net);

	WARN_ON_ONCE(rnet->listen_id);
	/* Kernel sockets must be closed before their namespace goes. */
	WARN_ON_ONCE(!RB_EMPTY_ROOT(&rnet->socks));
	atomic_dec(&rsk_counters.namespaces);
}

static struct pernet_operations rsk_net_ops = {
	.init	= rsk_net_init_one,
	.exit	= rsk_net_exit_one,
	.id	= &rsk_net_id,
	.size	= sizeof(struct rsk_net),
};

int rsk_net_init(void)
{
	return register_pernet_subsys(&rsk_net_ops);
}

void rsk_net_exit(void)
{
	unregister_pernet_subsys(&rsk_net_ops);
}
