// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: object counters.
 *
 * Every object the module allocates is counted while it lives, so that a
 * test can show that closing sockets, removing devices or unloading the
 * module returns them all.  Until the generic netlink family exists they
 * are read from debugfs: <debugfs>/rdma_sock/objects and .../devices.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "rsk.h"

struct rsk_counters rsk_counters;

static struct dentry *rsk_debugfs_dir;

static int rsk_objects_show(struct seq_file *seq, void *v)
{
	seq_printf(seq, "sockets %d\n", atomic_read(&rsk_counters.sockets));
	seq_printf(seq, "devices %d\n", atomic_read(&rsk_counters.devices));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rsk_objects);

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
	return 0;
}

void rsk_stats_exit(void)
{
	debugfs_remove_recursive(rsk_debugfs_dir);
}
