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
#include <net/netlink.h>
#include <linux/rdma_sock.h>

#include "rsk.h"

static struct dentry *rsk_debugfs_dir;

/*
 * The object counters by name, in the order debugfs and netlink show
 * them; per_ns: also counted per namespace (rsk_obj_inc()), the others
 * are the module's only.
 */
static const struct {
	const char *name;
	size_t off;
	bool per_ns;
} rsk_object_fields[] = {
#define RSK_OBJ(f, ns) { #f, offsetof(struct rsk_counters, f), ns }
	RSK_OBJ(sockets, true),
	RSK_OBJ(devices, false),
	RSK_OBJ(links, true),
	RSK_OBJ(channels, true),
	RSK_OBJ(rx_chunks, false),
	RSK_OBJ(tx_bufs, false),
	RSK_OBJ(half_open, true),
	RSK_OBJ(namespaces, false),
	RSK_OBJ(ud_endpoints, true),
	RSK_OBJ(ud_neighs, true),
	RSK_OBJ(mc_groups, true),
	RSK_OBJ(policies, true),
#undef RSK_OBJ
};

static int rsk_obj_read(const struct rsk_counters *c, size_t off)
{
	return atomic_read((const atomic_t *)((const char *)c + off));
}

static int rsk_objects_show(struct seq_file *seq, void *v)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rsk_object_fields); i++)
		seq_printf(seq, "%s %d\n", rsk_object_fields[i].name,
			   rsk_obj_read(&rsk_counters, rsk_object_fields[i].off));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rsk_objects);

static int rsk_events_show(struct seq_file *seq, void *v)
{
	int i;

	for (i = 0; i < RSK_EV_NR; i++)
		seq_printf(seq, "%s %ld\n", rsk_event_name(i),
			   atomic_long_read(&rsk_events[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rsk_events);

/* /proc/net/rdma_sock: what one namespace's sockets and links hold and did. */
static int rsk_net_stats_show(struct seq_file *seq, void *v)
{
	struct rsk_net *rnet = rsk_net(seq_file_single_net(seq));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rsk_object_fields); i++)
		if (rsk_object_fields[i].per_ns)
			seq_printf(seq, "%s %d\n", rsk_object_fields[i].name,
				   rsk_obj_read(&rnet->objs,
						rsk_object_fields[i].off));
	for (i = 0; i < RSK_EV_NR; i++)
		seq_printf(seq, "%s %ld\n", rsk_event_name(i),
			   atomic_long_read(&rnet->events[i]));
	return 0;
}

int rsk_stat_put(struct sk_buff *skb, const char *name, u8 kind,
		 u64 value, u64 total)
{
	struct nlattr *nest = nla_nest_start(skb, RDMA_SOCK_A_STAT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, RDMA_SOCK_STAT_NAME, name) ||
	    nla_put_u8(skb, RDMA_SOCK_STAT_KIND, kind) ||
	    nla_put_u64_64bit(skb, RDMA_SOCK_STAT_VALUE, value,
			      RDMA_SOCK_STAT_PAD) ||
	    nla_put_u64_64bit(skb, RDMA_SOCK_STAT_TOTAL, total,
			      RDMA_SOCK_STAT_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The devices' RNR counters, summed by name over every bound device. */
#define RSK_HW_SUMS	8

struct rsk_hw_sums {
	struct {
		char name[32];
		u64 value;
	} sum[RSK_HW_SUMS];
	int n;
};

static int rsk_hw_sum_one(const char *name, u64 value, void *arg)
{
	struct rsk_hw_sums *hw = arg;
	int i;

	for (i = 0; i < hw->n; i++)
		if (!strcmp(hw->sum[i].name, name))
			break;
	if (i == hw->n) {
		if (hw->n == RSK_HW_SUMS)
			return 0;	/* no driver has that many */
		strscpy(hw->sum[i].name, name, sizeof(hw->sum[i].name));
		hw->n++;
	}
	hw->sum[i].value += value;
	return 0;
}

static int rsk_hw_sum_dev(struct rsk_device *rdev, void *arg)
{
	return rsk_dev_rnr_counters(rdev, rsk_hw_sum_one, arg);
}

/* Host-wide: a namespace's value is the total. */
static int rsk_stats_nl_fill_hw(struct sk_buff *skb, struct net *net)
{
	struct rsk_hw_sums *hw;
	long pos = 0;
	int i, err = 0;

	hw = kzalloc(sizeof(*hw), GFP_KERNEL);
	if (!hw)
		return -ENOMEM;
	rsk_dev_walk(&pos, net, rsk_hw_sum_dev, hw);
	for (i = 0; !err && i < hw->n; i++)
		err = rsk_stat_put(skb, hw->sum[i].name, RDMA_SOCK_STAT_DEVICE,
				   hw->sum[i].value, hw->sum[i].value);
	kfree(hw);
	return err;
}

/**
 * rsk_stats_nl_fill - every counter, for RDMA_SOCK_CMD_STATS_GET
 * @skb: the message
 * @rnet: the caller's namespace
 * @hw: add the devices' RNR counters (the caller is the host's admin)
 *
 * One RDMA_SOCK_A_STAT each: the namespace's value (for the module's
 * own counters, the module's) and the module's total; then, with @hw,
 * the RNR counters of the devices the namespace may use.  Sleeps.
 * Return: 0, -ENOMEM or -EMSGSIZE.
 */
int rsk_stats_nl_fill(struct sk_buff *skb, struct rsk_net *rnet, bool hw)
{
	struct nlattr *nest = nla_nest_start(skb, RDMA_SOCK_A_STATS);
	size_t i;
	int err = 0;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; !err && i < ARRAY_SIZE(rsk_object_fields); i++) {
		size_t off = rsk_object_fields[i].off;
		int total = rsk_obj_read(&rsk_counters, off);
		int mine = rsk_object_fields[i].per_ns ?
			   rsk_obj_read(&rnet->objs, off) : total;

		err = rsk_stat_put(skb, rsk_object_fields[i].name,
				   RDMA_SOCK_STAT_OBJECT, mine, total);
	}
	for (i = 0; !err && i < RSK_EV_NR; i++)
		err = rsk_stat_put(skb, rsk_event_name(i), RDMA_SOCK_STAT_EVENT,
				   atomic_long_read(&rnet->events[i]),
				   atomic_long_read(&rsk_events[i]));
	if (!err && hw)
		err = rsk_stats_nl_fill_hw(skb, rnet->net);
	if (err) {
		nla_nest_cancel(skb, nest);
		return err;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int __net_init rsk_stats_net_init(struct net *net)
{
	if (!proc_create_net_single("rdma_sock", 0444, net->proc_net,
				    rsk_net_stats_show, NULL))
		return -ENOMEM;
	return 0;
}

static void __net_exit rsk_stats_net_exit(struct net *net)
{
	remove_proc_entry("rdma_sock", net->proc_net);
}

static struct pernet_operations rsk_stats_net_ops = {
	.init	= rsk_stats_net_init,
	.exit	= rsk_stats_net_exit,
};

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

/*
 * /proc/net/rdma_sock in every namespace; debugfs is optional: a kernel
 * without it still gets working sockets.
 */
int rsk_stats_init(void)
{
	int err;

	err = register_pernet_subsys(&rsk_stats_net_ops);
	if (err)
		return err;
	rsk_debugfs_dir = debugfs_create_dir("rdma_sock", NULL);
	debugfs_create_file("objects", 0444, rsk_debugfs_dir, NULL,
			    &rsk_objects_fops);
	debugfs_create_file("devices", 0444, rsk_debugfs_dir, NULL,
			    &rsk_devices_fops);
	debugfs_create_file("events", 0444, rsk_debugfs_dir, NULL,
			    &rsk_events_fops);
	debugfs_create_file("links", 0444, rsk_debugfs_dir, NULL,
			    &rsk_links_fops);
	/* A fault for tests: rdma_cm's answer to a join comes this late. */
	debugfs_create_u32("fault_mc_join_delay_ms", 0600, rsk_debugfs_dir,
			   &rsk_mc_join_delay_ms);
	/* Posts that fail on purpose: fail_post/ (rsk_post_fails()). */
	rsk_dev_debugfs(rsk_debugfs_dir);
	return 0;
}

void rsk_stats_exit(void)
{
	debugfs_remove_recursive(rsk_debugfs_dir);
	unregister_pernet_subsys(&rsk_stats_net_ops);
}
