// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: object counters.
 *
 * Every object the module allocates is counted while it lives, so that a
 * test can show that closing sockets, removing devices or unloading the
 * module returns them all.  Module-wide counts are in debugfs:
 * <debugfs>/rdma_sock/{objects,events,links,devices}.  A namespace sees
 * its own in /proc/net/rdma_sock, as it sees TCP's in /proc/net/snmp.
 */
#include <linux/debugfs.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "rsk.h"

struct rsk_counters rsk_counters;
atomic_long_t rsk_events[RSK_EV_NR];

static const char *const rsk_event_names[RSK_EV_NR] = {
	[RSK_EV_LINKS_OPENED] = "links_opened",
	[RSK_EV_LINKS_ACCEPTED] = "links_accepted",
	[RSK_EV_LINKS_FAILED] = "links_failed",
	[RSK_EV_LINK_REJECTED] = "link_rejected",
	[RSK_EV_LINK_BAD_REP] = "link_bad_rep",
	[RSK_EV_LINK_ERRORS] = "link_errors",
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
	[RSK_EV_SRQ_LIMIT_EVENTS] = "srq_limit_events",
	[RSK_EV_SRQ_REFILL_FAILURES] = "srq_refill_failures",
	[RSK_EV_HALF_OPEN_OVERFLOW] = "half_open_overflow",
	[RSK_EV_HALF_OPEN_TIMEOUTS] = "half_open_timeouts",
	[RSK_EV_CTRL_DROPPED] = "ctrl_dropped",
	[RSK_EV_KEEPALIVES] = "keepalives",
	[RSK_EV_PROBE_TIMEOUTS] = "probe_timeouts",
	[RSK_EV_CONNECT_TIMEOUTS] = "connect_timeouts",
	[RSK_EV_LAST_WQE_TIMEOUTS] = "last_wqe_timeouts",
	[RSK_EV_DGRAM_RX] = "dgram_rx",
	[RSK_EV_DGRAM_TX] = "dgram_tx",
	[RSK_EV_DGRAM_BAD_HDR] = "dgram_bad_hdr",
	[RSK_EV_DGRAM_FRAG_TIMEOUTS] = "dgram_frag_timeouts",
	[RSK_EV_DGRAM_FRAG_DROPS] = "dgram_frag_drops",
	[RSK_EV_DGRAM_RX_REPOST] = "dgram_rx_repost_failures",
	[RSK_EV_DGRAM_TX_ERRORS] = "dgram_tx_errors",
	[RSK_EV_DGRAM_UNRESOLVED] = "dgram_unresolved",
	[RSK_EV_DGRAM_NO_PORT] = "dgram_no_port",
	[RSK_EV_DGRAM_RCVBUF_DROPS] = "dgram_rcvbuf_drops",
	[RSK_EV_DGRAM_RX_NOMEM] = "dgram_rx_nomem",
	[RSK_EV_DGRAM_NEIGH_STALE] = "dgram_neigh_stale",
	[RSK_EV_DGRAM_NOT_MEMBER] = "dgram_not_member",
	[RSK_EV_MC_JOINS] = "mc_joins",
	[RSK_EV_MC_JOIN_FAILURES] = "mc_join_failures",
	[RSK_EV_MC_ERRORS] = "mc_errors",
};

static struct dentry *rsk_debugfs_dir;

static int rsk_objects_show(struct seq_file *seq, void *v)
{
	seq_printf(seq, "sockets %d\n", atomic_read(&rsk_counters.sockets));
	seq_printf(seq, "devices %d\n", atomic_read(&rsk_counters.devices));
	seq_printf(seq, "links %d\n", atomic_read(&rsk_counters.links));
	seq_printf(seq, "channels %d\n", atomic_read(&rsk_counters.channels));
	seq_printf(seq, "rx_chunks %d\n", atomic_read(&rsk_counters.rx_chunks));
	seq_printf(seq, "tx_bufs %d\n", atomic_read(&rsk_counters.tx_bufs));
	seq_printf(seq, "half_open %d\n", atomic_read(&rsk_counters.half_open));
	seq_printf(seq, "namespaces %d\n",
		   atomic_read(&rsk_counters.namespaces));
	seq_printf(seq, "ud_endpoints %d\n",
		   atomic_read(&rsk_counters.ud_endpoints));
	seq_printf(seq, "ud_neighs %d\n", atomic_read(&rsk_counters.ud_neighs));
	seq_printf(seq, "mc_groups %d\n", atomic_read(&rsk_counters.mc_groups));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rsk_objects);

static int rsk_events_show(struct seq_file *seq, void *v)
{
	int i;

	for (i = 0; i < RSK_EV_NR; i++)
		seq_printf(seq, "%s %ld\n", rsk_event_names[i],
			   atomic_long_read(&rsk_events[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rsk_events);

/* /proc/net/rdma_sock: what one namespace's sockets and links hold and did. */
static int rsk_net_stats_show(struct seq_file *seq, void *v)
{
	struct rsk_net *rnet = rsk_net(seq_file_single_net(seq));
	int i;

	seq_printf(seq, "sockets %d\n", atomic_read(&rnet->objs.sockets));
	seq_printf(seq, "links %d\n", atomic_read(&rnet->objs.links));
	seq_printf(seq, "channels %d\n", atomic_read(&rnet->objs.channels));
	seq_printf(seq, "half_open %d\n", atomic_read(&rnet->objs.half_open));
	seq_printf(seq, "ud_endpoints %d\n",
		   atomic_read(&rnet->objs.ud_endpoints));
	seq_printf(seq, "ud_neighs %d\n", atomic_read(&rnet->objs.ud_neighs));
	seq_printf(seq, "mc_groups %d\n", atomic_read(&rnet->objs.mc_groups));
	for (i = 0; i < RSK_EV_NR; i++)
		seq_printf(seq, "%s %ld\n", rsk_event_names[i],
			   atomic_long_read(&rnet->events[i]));
	return 0;
}

int rsk_stats_net_init(struct rsk_net *rnet)
{
	if (!proc_create_net_single("rdma_sock", 0444, rnet->net->proc_net,
				    rsk_net_stats_show, NULL))
		return -ENOMEM;
	return 0;
}

void rsk_stats_net_exit(struct rsk_net *rnet)
{
	remove_proc_entry("rdma_sock", rnet->net->proc_net);
}

static int rsk_links_open(struct inode *inode, struct file *file)
{
	return single_open(file, rsk_link_show, NULL);
}

static const struct file_operations rsk_links_fops = {
	.owner		= THIS_MODULE,
	.open		= rsk_links_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static int rsk_devices_open(struct inode *inode, struct file *file)
{
	return single_open(file, rsk_dev_show, NULL);
}

static const struct file_operations rsk_devices_fops = {
	.owner		= THIS_MODULE,
	.open		= rsk_devices_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
};

/* debugfs is optional: a kernel without it still gets working sockets. */
int rsk_stats_init(void)
{
	rsk_debugfs_dir = debugfs_create_dir("rdma_sock", NULL);
	debugfs_create_file("objects", 0444, rsk_debugfs_dir, NULL,
			    &rsk_objects_fops);
	debugfs_create_file("devices", 0444, rsk_debugfs_dir, NULL,
			    &rsk_devices_fops);
	debugfs_create_file("events", 0444, rsk_debugfs_dir, NULL,
			    &rsk_events_fops);
	debugfs_create_file("links", 0444, rsk_debugfs_dir, NULL,
			    &rsk_links_fops);
	return 0;
}

void rsk_stats_exit(void)
{
	debugfs_remove_recursive(rsk_debugfs_dir);
}
