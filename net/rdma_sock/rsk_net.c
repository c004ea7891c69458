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
atomic_long_t rsk_events[RSK_EV_NR];

struct rsk_net *rsk_net(const struct net *net)
{
	return net_generic(net, rsk_net_id);
}

/*
 * Defaults of the net.rdma_sock.* sysctls.  The link port is in rdma_cm's
 * TCP port space, shared with every rdma_cm user: it stays clear of
 * rping's and ucmatose's 7174 and 7471 and perftest's 18515.
 */
#define RSK_LINK_PORT_DEFAULT		20886
#define RSK_LINK_IDLE_MS_DEFAULT	60000
#define RSK_LINK_KEEPALIVE_MS_DEFAULT	5000
#define RSK_MAX_PENDING_LINKS_DEFAULT	64
#define RSK_MAX_HALF_OPEN_DEFAULT	256
#define RSK_MAX_HALF_OPEN_LINK_DEFAULT	1024
#define RSK_HALF_OPEN_TIMEOUT_MS_DEFAULT 10000
/* As net.core's defaults: 212992 is what a socket got before these. */
#define RSK_MEM_DEFAULT			212992
#define RSK_MEM_MAX_DEFAULT		(4 << 20)
#define RSK_ZCOPY_THRESHOLD_DEFAULT	65536

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
