// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: sockets over RDMA as a Linux address family.
 *
 * Design notes
 * ------------
 *
 * Layers.  Each file belongs to one layer, lowest first (Kbuild lists
 * them so; `make layers` checks on the objects that no file uses a symbol
 * of a layer above its own):
 *
 *   module   af_rdma_sock.c   init and exit, the family's registration
 *   control  rsk_netlink.c rsk_sysctl.c rsk_stats.c rsk_policy.c
 *   socket   rsk_sock.c (core) rsk_stream.c rsk_dgram.c
 *            rsk_dgram_mcast.c rsk_bind.c
 *   channel  rsk_chan.c rsk_chan_rx.c rsk_chan_tx.c
 *   link     rsk_link.c rsk_link_msg.c | rsk_ud.c rsk_ud_reasm.c
 *            rsk_ud_mcast.c
 *   device   rsk_dev.c rsk_cq.c
 *   base     rsk_addr.c rsk_net.c; the wire format is rsk_wire.h
 *
 * A layer calls up only through what the layer above registered with it
 * at init: the device layer tells of removal through notifiers
 * (rsk_dev_register_notifier()); a link hands received messages to
 * handlers by type (rsk_link_rx_register()) and channel events to struct
 * rsk_link_chan_ops; the UD transport hands datagrams to the function
 * rsk_ud_register_deliver() took; the channel layer gets listeners and
 * child sockets through struct rsk_chan_sock_ops.  Everything a layer
 * keeps per namespace it sets up in pernet_operations of its own,
 * registered after rsk_net.c's, so a namespace's struct rsk_net is there
 * before any layer's init and after its exit.
 *
 * Kinds of object.  A struct rsk_sock is one socket of the family; its
 * kind (stream or datagram) is fixed by socket() and selects one struct
 * proto and one proto_ops.  A stream socket is a channel (struct
 * rsk_link_chan, the part the link sees) on a struct rsk_link: one RC QP
 * between this namespace and a peer host, shared by every stream socket
 * between the two.  A struct rsk_device is one RDMA device bound through
 * the ib_client, with the SRQ every link on it receives into.  Datagram
 * sockets go through one struct rsk_ud_ep (UD QP) per namespace and
 * device, to peers found through struct rsk_ud_neigh; multicast groups
 * are struct rsk_mc_group.  Documentation/networking/rdma_sock.rst has
 * the protocol and the rest of the design.
 *
 * Global tables and their locks.  rsk_devices (rsk_devices_lock, a
 * mutex); rsk_dev_notifiers (rsk_dev_notifiers_lock); rsk_all_links and
 * every link's rdev as it is taken (rsk_all_links_lock); UD endpoints and
 * neighbours, each namespace's in a hash table of its own (rsk_ud_mutex;
 * neighbours under RCU for receivers);
 * multicast groups (rsk_mc_mutex; RCU for receivers); the NAPI list of
 * the module's dummy net_device (rsk_napi_lock).  Per namespace (struct
 * rsk_net): bind_hash and dgram_hash (bind_lock), the socket index socks
 * (socks_lock), links and pending_links (links_lock), the link listener
 * (listen_mutex), the datagram listener (ud_listen_mutex), rules
 * (policy_mutex).  Per object: a socket's channel state and queues
 * (rsk_sock.lock), a link's state, channel table, send slots and queues
 * (rsk_link.lock), a device's empty receive buffers (empty_lock), a
 * UD endpoint's send state (rsk_ud_ep.lock) and its datagrams being
 * reassembled (rsk_ud_reasm_table.lock, taken alone).  The object
 * counters are atomics and need no lock.
 *
 * Lock order, outermost first; a lock is never taken while one to its
 * right is held (rdma_sock.rst, "Layers, and how they call each other",
 * has the same list):
 *
 *   lock_sock -> rsk_sock.lock -> rsk_link.lock
 *   rsk_sock.lock -> rsk_net.bind_lock
 *   rsk_net.links_lock -> rsk_link.lock
 *   lock_sock -> rsk_mc_mutex -> rsk_ud_mutex
 *   rsk_net.ud_listen_mutex -> rsk_ud_mutex
 *   rsk_dev_notifiers_lock -> rsk_mc_mutex, rsk_ud_mutex,
 *	rsk_all_links_lock, rsk_sock.lock, and rdma_cm's handler mutex
 *	(the link destroy work it waits for takes it)
 *   rdma_cm's handler mutex -> rsk_all_links_lock, rsk_link.lock
 *
 * A link calls its channels (chan_ops) with no link lock held.  Spinlocks
 * that completion handlers take (rsk_sock.lock, rsk_link.lock, the
 * namespace's) are taken with _bh elsewhere.  Functions that need a lock
 * held assert it: lockdep_assert_held(), sock_owned_by_me().
 *
 * Lifetimes.  A socket lives from rsk_sock_create() to the last
 * sock_put(); its struct sock holds a reference on this module through
 * the proto's owner, and its struct socket through proto_ops.owner, so
 * rmmod is refused while any socket exists.  A channel on a link holds a
 * socket reference (the link's channel table) until it is detached; a
 * message in flight holds one until its completion (rsk_chan_sent()).  A
 * link holds its device; a socket holds its link until destruction.  A
 * device lives from the ib_client's add callback to its remove callback,
 * which notifies the layers above and waits for every reference.
 *
 * sk_state.  Reuses the TCP_* values so that tools show familiar states:
 * a new socket is TCP_CLOSE.
 *
 * Init order.  Every table is ready before anything that can reach it is
 * published: protos, the namespace state, counters, each layer bottom up
 * (each registering its callbacks with the layer below), the ib_client,
 * sysctls, netlink, and sock_register() last.  Exit undoes it in exactly
 * the reverse order.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/rdma_sock.h>

#include "rsk.h"

static struct net_proto_family rsk_family_ops __ro_after_init = {
	.create	= rsk_sock_create,
	.owner	= THIS_MODULE,
};

static int __init rsk_init(void)
{
	int err;

	rsk_wire_check_sizes();		/* the layouts the protocol fixes */
	/* The socket layer indexes its family table below NPROTO. */
	if (rsk_family <= AF_UNSPEC || rsk_family >= NPROTO) {
		pr_err("rdma_sock: family=%d is outside 1..%d\n",
		       rsk_family, NPROTO - 1);
		return -EINVAL;
	}
	rsk_family_ops.family = rsk_family;

	rsk_chan_mem_init();
	err = proto_register(&rsk_stream_proto, 1);
	if (err)
		return err;
	err = proto_register(&rsk_dgram_proto, 1);
	if (err)
		goto out_stream_proto;
	err = rsk_net_init();
	if (err)
		goto out_dgram_proto;
	err = rsk_stats_init();
	if (err)
		goto out_net;
	err = rsk_cq_init();
	if (err)
		goto out_stats;
	err = rsk_link_init();
	if (err)
		goto out_cq;
	err = rsk_ud_init();
	if (err)
		goto out_link;
	rsk_chan_init();
	rsk_stream_init();
	rsk_dgram_init();
	err = rsk_dev_init();
	if (err)
		goto out_ud;
	err = rsk_sysctl_init();
	if (err)
		goto out_dev;
	err = rsk_policy_init();
	if (err)
		goto out_sysctl;
	err = rsk_netlink_init();
	if (err)
		goto out_policy;
	err = sock_register(&rsk_family_ops);
	if (err) {
		pr_err("rdma_sock: family %d is taken (%d); load with family=N\n",
		       rsk_family, err);
		goto out_netlink;
	}
	return 0;

out_netlink:
	rsk_netlink_exit();
out_policy:
	rsk_policy_exit();
out_sysctl:
	rsk_sysctl_exit();
out_dev:
	rsk_dev_exit();
out_ud:
	rsk_ud_exit();
out_link:
	rsk_link_exit();
out_cq:
	rsk_cq_exit();
out_stats:
	rsk_stats_exit();
out_net:
	rsk_net_exit();
out_dgram_proto:
	proto_unregister(&rsk_dgram_proto);
out_stream_proto:
	proto_unregister(&rsk_stream_proto);
	return err;
}

static void __exit rsk_exit(void)
{
	sock_unregister(rsk_family);
	rsk_netlink_exit();
	rsk_policy_exit();
	rsk_sysctl_exit();
	rsk_dev_exit();
	rsk_ud_exit();
	rsk_link_exit();
	rsk_cq_exit();
	rsk_stats_exit();
	rsk_net_exit();
	proto_unregister(&rsk_dgram_proto);
	proto_unregister(&rsk_stream_proto);
}

module_init(rsk_init);
module_exit(rsk_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The rdmasock developers");
MODULE_DESCRIPTION("Sockets over RDMA: stream over shared RC links, datagrams over UD");
MODULE_VERSION(RSK_MODULE_VERSION);
MODULE_ALIAS_NETPROTO(RDMA_SOCK_DEFAULT_FAMILY);

