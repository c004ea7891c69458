// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: net.rdma_sock.* sysctls.
 *
 * Every setting here belongs to a network namespace, as net.ipv4.tcp_*
 * settings do: each namespace gets its own table pointing at its own
 * struct rsk_net.  Values are range checked by proc_dointvec_minmax(), so
 * a bad write fails with EINVAL and changes nothing.  Readers take the
 * value with READ_ONCE() when they use it: a change applies to what
 * happens next (the next listener, the next timer run), not to what is
 * under way.  srq_size, userns_sockets and mem are the host's (devices and
 * memory are not a namespace's, and the gate must not be a gated
 * namespace's to open),
 * so they are in the initial namespace's table only, as net.core.rmem_max
 * is.
 * Documentation/networking/rdma_sock.rst lists them.
 */
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "rsk.h"

static int rsk_one = 1;
static int rsk_ms_min = 100;		/* timers: not a busy loop */
static int rsk_port_max = 65535;
static int rsk_limit_max = 65536;	/* counts of held objects */
static int rsk_idle_max = 86400000;	/* a day */
static int rsk_keepalive_max = 3600000;	/* an hour */
static int rsk_half_open_max = 600000;	/* ten minutes */
static int rsk_mem_min = 4096;		/* a page */
static int rsk_mem_max = 1 << 30;	/* sk_rcvbuf is an int: far below */
static int rsk_srq_min = 16;
static int rsk_srq_max = 16384;		/* 16 KiB buffers: 256 MiB */

#define RSK_SYSCTL(name, lo, hi)				\
	{							\
		.procname	= #name,			\
		.maxlen		= sizeof(int),			\
		.mode		= 0644,				\
		.proc_handler	= proc_dointvec_minmax,		\
		.extra1		= lo,				\
		.extra2		= hi,				\
	}

/* The order matches rsk_sysctl_bind(). */
static struct ctl_table rsk_sysctl_template[] = {
	RSK_SYSCTL(link_port, &rsk_one, &rsk_port_max),
	RSK_SYSCTL(link_idle_ms, &rsk_ms_min, &rsk_idle_max),
	RSK_SYSCTL(link_keepalive_ms, &rsk_ms_min, &rsk_keepalive_max),
	RSK_SYSCTL(max_pending_links, &rsk_one, &rsk_limit_max),
	RSK_SYSCTL(max_links, &rsk_one, &rsk_limit_max),
	RSK_SYSCTL(max_links_per_peer, &rsk_one, &rsk_limit_max),
	RSK_SYSCTL(max_half_open, SYSCTL_ZERO, &rsk_limit_max),
	RSK_SYSCTL(max_half_open_per_link, SYSCTL_ZERO, &rsk_limit_max),
	RSK_SYSCTL(half_open_timeout_ms, &rsk_ms_min, &rsk_half_open_max),
	RSK_SYSCTL(dgram_port, &rsk_one, &rsk_port_max),
	RSK_SYSCTL(dgram_neigh_ttl_ms, &rsk_ms_min, &rsk_idle_max),
	RSK_SYSCTL(dgram_max_neighs, &rsk_one, &rsk_limit_max),
	RSK_SYSCTL(rmem_default, &rsk_mem_min, &rsk_mem_max),
	RSK_SYSCTL(rmem_max, &rsk_mem_min, &rsk_mem_max),
	RSK_SYSCTL(wmem_default, &rsk_mem_min, &rsk_mem_max),
	RSK_SYSCTL(wmem_max, &rsk_mem_min, &rsk_mem_max),
	RSK_SYSCTL(zcopy_threshold, &rsk_mem_min, &rsk_mem_max),
	/* Last: the initial namespace's only (a sentinel in the others). */
	RSK_SYSCTL(userns_sockets, SYSCTL_ZERO, SYSCTL_ONE),
	RSK_SYSCTL(srq_size, &rsk_srq_min, &rsk_srq_max),
	{
		.procname	= "mem",
		.maxlen		= sizeof(rsk_chan_mem),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
	{ }	/* sentinel, for kernels that still need one */
};

#define RSK_SYSCTL_COUNT	(ARRAY_SIZE(rsk_sysctl_template) - 1)
#define RSK_SYSCTL_HOST_COUNT	3
#define RSK_SYSCTL_NET_COUNT	(RSK_SYSCTL_COUNT - RSK_SYSCTL_HOST_COUNT)

static void rsk_sysctl_bind(struct ctl_table *tbl, struct rsk_net *rnet)
{
	int *fields[RSK_SYSCTL_NET_COUNT] = {
		&rnet->link_port,
		&rnet->link_idle_ms,
		&rnet->link_keepalive_ms,
		&rnet->max_pending_links,
		&rnet->max_links,
		&rnet->max_links_per_peer,
		&rnet->max_half_open,
		&rnet->max_half_open_per_link,
		&rnet->half_open_timeout_ms,
		&rnet->dgram_port,
		&rnet->dgram_neigh_ttl_ms,
		&rnet->dgram_max_neighs,
		&rnet->rmem_default,
		&rnet->rmem_max,
		&rnet->wmem_default,
		&rnet->wmem_max,
		&rnet->zcopy_threshold,
	};
	int i;

	for (i = 0; i < RSK_SYSCTL_NET_COUNT; i++)
		tbl[i].data = fields[i];
}

static int __net_init rsk_sysctl_net_init(struct net *net)
{
	struct rsk_net *rnet = rsk_net(net);
	size_t count __maybe_unused = RSK_SYSCTL_COUNT;	/* else: sentinel */
	struct ctl_table *tbl;

	tbl = kmemdup(rsk_sysctl_template, sizeof(rsk_sysctl_template),
		      GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	rsk_sysctl_bind(tbl, rnet);
	if (net_eq(rnet->net, &init_net)) {
		tbl[RSK_SYSCTL_NET_COUNT].data = &rsk_userns_sockets;
		tbl[RSK_SYSCTL_NET_COUNT + 1].data = &rsk_srq_size;
		tbl[RSK_SYSCTL_NET_COUNT + 2].data = rsk_chan_mem;
	} else {
		memset(&tbl[RSK_SYSCTL_NET_COUNT], 0, sizeof(*tbl));
		count = RSK_SYSCTL_NET_COUNT;
	}
#ifdef RSK_HAVE_REGISTER_NET_SYSCTL_SZ
	rnet->sysctl_hdr = register_net_sysctl_sz(rnet->net, "net/rdma_sock",
						  tbl, count);
#else
	rnet->sysctl_hdr = register_net_sysctl(rnet->net, "net/rdma_sock", tbl);
#endif
	if (!rnet->sysctl_hdr) {
		kfree(tbl);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit rsk_sysctl_net_exit(struct net *net)
{
	struct rsk_net *rnet = rsk_net(net);
	const struct ctl_table *tbl;

	if (!rnet->sysctl_hdr)
		return;
	tbl = rnet->sysctl_hdr->ctl_table_arg;
	unregister_net_sysctl_table(rnet->sysctl_hdr);
	rnet->sysctl_hdr = NULL;
	kfree(tbl);
}

static struct pernet_operations rsk_sysctl_net_ops = {
	.init	= rsk_sysctl_net_init,
	.exit	= rsk_sysctl_net_exit,
};

int rsk_sysctl_init(void)
{
	return register_pernet_subsys(&rsk_sysctl_net_ops);
}

void rsk_sysctl_exit(void)
{
	unregister_pernet_subsys(&rsk_sysctl_net_ops);
}
