// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: RDMA devices, device layer.
 *
 * The module learns of devices through an ib_client, the way xprtrdma and
 * RDS do, and not from rdma_cm events: the client's remove callback is the
 * one place where ib_core waits for its users, so device removal (e.g.
 * `rdma link del rxe0`) is handled here, with a reference count per device.
 * The layers above learn of removal through the notifiers they register
 * (rsk_dev_register_notifier(): links, UD endpoints), as xprtrdma's users
 * do through rpcrdma_rn_register(); each must drop every reference it
 * holds on the device before its callback returns, and take none after.
 *
 * Each device has one SRQ whose buffers every link on the device receives
 * into: memory per device, not per socket.  A receive completion comes
 * back here (rsk_srq_done()), is handed to the owner of the CQ it
 * completed on, and the buffer is posted again or, when its page went to
 * a socket, refilled.
 */
#include <linux/slab.h>
#include <linux/mutex.h>
/* After slab.h: 6.1's fault-inject.h does not bring bool and gfp_t. */
#include <linux/fault-inject.h>
#include <linux/seq_file.h>
#include <linux/inetdevice.h>
#include <net/addrconf.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_cache.h>

#include "rsk.h"

/* rsk_devices_lock protects rsk_devices, the list of bound devices. */
static LIST_HEAD(rsk_devices);
static DEFINE_MUTEX(rsk_devices_lock);

static struct ib_client rsk_ib_client;

/*
 * rsk_dev_notifiers_lock protects rsk_dev_notifiers, the layers' device
 * removal callbacks; held across the callbacks, so that unregistering
 * waits for a removal under way.  Nests outside everything the callbacks
 * take.
 */
static LIST_HEAD(rsk_dev_notifiers);
static DEFINE_MUTEX(rsk_dev_notifiers_lock);

/* Receive buffers each device's SRQ gets when it is added (sysctl). */
int rsk_srq_size = RSK_SRQ_DEPTH;

/* When the page allocator said no even to GFP_KERNEL: try again soon. */
#define RSK_REFILL_RETRY	(HZ / 10)

static void rsk_dev_release(struct kref *ref)
{
	struct rsk_device *rdev = container_of(ref, struct rsk_device, ref);

	complete(&rdev->released);
}

void rsk_dev_put(struct rsk_device *rdev)
{
	kref_put(&rdev->ref, rsk_dev_release);
}

/* Only devices rdma_cm can connect over are of use to the family. */
static bool rsk_dev_usable(struct ib_device *ibdev)
{
	u32 port;

	rdma_for_each_port(ibdev, port) {
		if (rdma_cap_ib_cm(ibdev, port) || rdma_cap_iw_cm(ibdev, port))
			return true;
	}
	return false;
}

/**
 * rsk_dev_get - the bound device of @ibdev, with a reference
 * @ibdev: a device rdma_cm resolved an address to
 *
 * Under RCU: removal clears the client data before it frees the structure
 * (after a grace period), so that a caller racing with it, a link's
 * rdma_cm handler setting up on a device being removed, reads either
 * nothing or a structure still there, and then finds it dying.
 *
 * Return: the device, or NULL when it is not bound or is going.
 */
struct rsk_device *rsk_dev_get(struct ib_device *ibdev)
{
	struct rsk_device *rdev;

	rcu_read_lock();
	rdev = ib_get_client_data(ibdev, &rsk_ib_client);
	if (rdev && (READ_ONCE(rdev->dying) ||
		     !kref_get_unless_zero(&rdev->ref)))
		rdev = NULL;
	rcu_read_unlock();
	return rdev;
}

/* The first usable address of @family on @ndev; RCU read lock held. */
static int rsk_netdev_addr(struct net_device *ndev, sa_family_t family,
			   struct rsk_addr *addr)
{
	const struct in_ifaddr *ifa;
	struct inet6_ifaddr *ifp;
	struct in_device *in_dev;
	struct inet6_dev *idev;
	int err = -EADDRNOTAVAIL;

	memset(addr, 0, sizeof(*addr));
	addr->family = family;
	if (family == AF_INET) {
		in_dev = __in_dev_get_rcu(ndev);
		if (!in_dev)
			return err;
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			if (ifa->ifa_flags & IFA_F_SECONDARY)
				continue;
			addr->v4 = ifa->ifa_local;
			return 0;
		}
		return err;
	}
	idev = __in6_dev_get(ndev);
	if (!idev)
		return err;
	read_lock_bh(&idev->lock);
	list_for_each_entry(ifp, &idev->addr_list, if_list) {
		if (ifp->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED) ||
		    ipv6_addr_type(&ifp->addr) & IPV6_ADDR_LINKLOCAL)
			continue;
		addr->v6 = ifp->addr;
		err = 0;
		break;
	}
	read_unlock_bh(&idev->lock);
	return err;
}

/* An address of the netdev under one of @rdev's RoCE ports in @net. */
static int rsk_dev_port_addr(struct rsk_device *rdev, struct net *net,
			     sa_family_t family, struct rsk_addr *addr)
{
	const struct ib_gid_attr *attr;
	struct net_device *ndev;
	u32 port;
	int err;

	rdma_for_each_port(rdev->ibdev, port) {
		attr = rdma_get_gid_attr(rdev->ibdev, port, 0);
		if (IS_ERR(attr))
			continue;
		err = -ENODEV;
		rcu_read_lock();
		ndev = rdma_read_gid_attr_ndev_rcu(attr);
		if (!IS_ERR(ndev) && net_eq(dev_net(ndev), net) &&
		    netif_running(ndev))
			err = rsk_netdev_addr(ndev, family, addr);
		rcu_read_unlock();
		rdma_put_gid_attr(attr);
		if (!err)
			return 0;
	}
	return -ENODEV;
}

/**
 * rsk_dev_self_addr - an address of this host that RDMA reaches
 * @net: the namespace
 * @family: AF_INET or AF_INET6
 * @addr: filled in
 *
 * For connections to 127.0.0.1 or ::1.  rdma_cm resolves a loopback
 * address on InfiniBand but not over RoCE, whose GIDs belong to the
 * netdevs: there, the link goes to the address of a RoCE netdev of the
 * namespace, which is the same host.  Process context.
 *
 * Return: 0, or -ENODEV when the namespace has no such address.
 */
int rsk_dev_self_addr(struct net *net, sa_family_t family,
		      struct rsk_addr *addr)
{
	struct rsk_device *rdev;
	int err = -ENODEV;

	mutex_lock(&rsk_devices_lock);
	list_for_each_entry(rdev, &rsk_devices, list) {
		err = rsk_dev_port_addr(rdev, net, family, addr);
		if (!err)
			break;
	}
	mutex_unlock(&rsk_devices_lock);
	return err;
}

#ifdef CONFIG_FAULT_INJECTION
/* Posts failed on purpose (rsk.h); off until the test bed sets it. */
static DECLARE_FAULT_ATTR(rsk_fail_post);

bool rsk_post_fails(void)
{
	return should_fail(&rsk_fail_post, 1);
}

void rsk_dev_debugfs(struct dentry *dir)
{
	fault_create_debugfs_attr("fail_post", dir, &rsk_fail_post);
}
#endif

static int rsk_srq_post(struct rsk_device *rdev, struct rsk_rx_buf *rxb);

/* Give a buffer a fresh page and post it; 0 or -errno. */
static int rsk_rx_buf_fill(struct rsk_device *rdev, struct rsk_rx_buf *rxb,
			   gfp_t gfp)
{
	struct ib_device *ibdev = rdev->ibdev;

	if (!rxb->page) {
		rxb->page = alloc_pages(gfp | __GFP_COMP | __GFP_NOWARN,
					RSK_RX_ORDER);
		if (!rxb->page)
			return -ENOMEM;
		rxb->dma = ib_dma_map_page(ibdev, rxb->page, 0,
					   RSK_RX_BUF_SIZE, DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(ibdev, rxb->dma)) {
			__free_pages(rxb->page, RSK_RX_ORDER);
			rxb->page = NULL;
			return -ENOMEM;
		}
	}
	return rsk_srq_post(rdev, rxb);
}

/* Post a buffer that has a mapped page; on failure the caller keeps it. */
static int rsk_srq_post(struct rsk_device *rdev, struct rsk_rx_buf *rxb)
{
	struct ib_sge sge = {
		.addr	= rxb->dma,
		.length	= RSK_RX_BUF_SIZE,
		.lkey	= rdev->pd->local_dma_lkey,
	};
	struct ib_recv_wr wr = {
		.wr_cqe		= &rxb->cqe,
		.sg_list	= &sge,
		.num_sge	= 1,
	};
	int err;

	ib_dma_sync_single_for_device(rdev->ibdev, rxb->dma, RSK_RX_BUF_SIZE,
				      DMA_FROM_DEVICE);
	atomic_inc(&rdev->srq_posted);
	err = rsk_post_fails() ? -ENOMEM : ib_post_srq_recv(rdev->srq, &wr, NULL);
	if (err)
		atomic_dec(&rdev->srq_posted);	/* the caller keeps rxb */
	return err;
}

/**
 * rsk_srq_refill - post a page on every empty receive buffer
 * @rdev: the device
 * @gfp: GFP_ATOMIC from completion handlers, GFP_KERNEL from the work
 *
 * An empty buffer is one whose page went to a socket.  When pages cannot
 * be had the SRQ runs lower and the work item tries again later; senders
 * meanwhile wait in hardware (RNR), which is what RNR is for.
 */
static void rsk_srq_refill(struct rsk_device *rdev, gfp_t gfp)
{
	struct rsk_rx_buf *rxb;

	for (;;) {
		spin_lock_bh(&rdev->empty_lock);
		rxb = list_first_entry_or_null(&rdev->empty, struct rsk_rx_buf,
					       empty_node);
		if (rxb)
			list_del(&rxb->empty_node);
		spin_unlock_bh(&rdev->empty_lock);
		if (!rxb)
			return;
		if (rdev->dying || rsk_rx_buf_fill(rdev, rxb, gfp)) {
			spin_lock_bh(&rdev->empty_lock);
			list_add(&rxb->empty_node, &rdev->empty);
			spin_unlock_bh(&rdev->empty_lock);
			rsk_event(NULL, RSK_EV_SRQ_REFILL_FAILURES);
			/* Try again from process context, later if need be. */
			if (!rdev->dying)
				schedule_delayed_work(&rdev->refill_work,
						      gfp == GFP_KERNEL ?
						      RSK_REFILL_RETRY : 0);
			return;
		}
	}
}

/* A buffer whose page was handed to a socket: find it a new one. */
static void rsk_rx_buf_free(struct rsk_rx_buf *rxb)
{
	struct rsk_device *rdev = rxb->rdev;

	spin_lock_bh(&rdev->empty_lock);
	list_add_tail(&rxb->empty_node, &rdev->empty);
	spin_unlock_bh(&rdev->empty_lock);
	rsk_srq_refill(rdev, GFP_ATOMIC);
}

/**
 * rsk_rx_buf_take_page - take the page of a received buffer
 * @rxb: the buffer, from a receive callback
 *
 * For a receiver that queues the payload where it lies instead of copying
 * it: the page is unmapped and the caller's; the callback then returns
 * true, and the buffer gets a new page.
 */
struct page *rsk_rx_buf_take_page(struct rsk_rx_buf *rxb)
{
	struct page *page = rxb->page;

	KUNIT_STATIC_STUB_REDIRECT(rsk_rx_buf_take_page, rxb);
	ib_dma_unmap_page(rxb->rdev->ibdev, rxb->dma, RSK_RX_BUF_SIZE,
			  DMA_FROM_DEVICE);
	rxb->page = NULL;
	return page;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_rx_buf_take_page);

/*
 * A receive completion of one of the SRQ's buffers, in the NAPI poll of
 * the CQ it completed on (rsk_cq.c).  Only wr_cqe and status are valid
 * unless status is success: the CQ's owner is told either way, since a
 * failed receive means its QP failed.
 */
static void rsk_srq_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct rsk_rx_buf *rxb = container_of(wc->wr_cqe, struct rsk_rx_buf,
					      cqe);
	struct rsk_device *rdev = rxb->rdev;
	struct rsk_cq *rcq = cq->cq_context;
	bool taken;

	atomic_dec(&rdev->srq_posted);
	if (wc->status == IB_WC_SUCCESS)
		ib_dma_sync_single_for_cpu(rdev->ibdev, rxb->dma,
					   RSK_RX_BUF_SIZE, DMA_FROM_DEVICE);
	taken = rcq->rx(rcq, rxb, wc);
	/* A buffer whose page went to a socket, or that would not post. */
	if (taken || rsk_srq_post(rdev, rxb))
		rsk_rx_buf_free(rxb);
}

static void rsk_refill_work(struct work_struct *work)
{
	struct rsk_device *rdev = container_of(to_delayed_work(work),
					       struct rsk_device, refill_work);
	struct ib_srq_attr limit = { .srq_limit = rdev->srq_depth / 4 };

	rsk_srq_refill(rdev, GFP_KERNEL);
	/* The limit event fires once per arming: arm it again. */
	if (!rdev->dying)
		ib_modify_srq(rdev->srq, &limit, IB_SRQ_LIMIT);
}

/*
 * The SRQ fell below its limit: the refill from the completion path is
 * not keeping up (or could not allocate).  Refill from process context,
 * then re-arm the limit, which fires once per arming.
 */
static void rsk_srq_event(struct ib_event *event, void *ctx)
{
	struct rsk_device *rdev = ctx;

	if (event->event == IB_EVENT_SRQ_LIMIT_REACHED) {
		rsk_event(NULL, RSK_EV_SRQ_LIMIT_EVENTS);
		trace_rsk_srq_low(dev_name(&rdev->ibdev->dev),
				  atomic_read(&rdev->srq_posted), rdev->srq_depth);
		/* Not once removal started: teardown cancels it just once. */
		if (!READ_ONCE(rdev->dying))
			schedule_delayed_work(&rdev->refill_work, 0);
	}
}

static void rsk_dev_free_bufs(struct rsk_device *rdev)
{
	u32 i;

	for (i = 0; i < rdev->srq_depth; i++) {
		struct rsk_rx_buf *rxb = &rdev->bufs[i];

		if (!rxb->page)
			continue;
		ib_dma_unmap_page(rdev->ibdev, rxb->dma, RSK_RX_BUF_SIZE,
				  DMA_FROM_DEVICE);
		__free_pages(rxb->page, RSK_RX_ORDER);
		rxb->page = NULL;
	}
	kvfree(rdev->bufs);
}

/**
 * rsk_dev_srq_fill - post the SRQ's receive buffers, at a device's first link
 * @rdev: a bound device, referenced
 *
 * A device is bound with its SRQ empty: loading the module, which any
 * local user makes the kernel do by creating a socket, costs no receive
 * memory.  The first link on the device posts a page of 16 KiB on every
 * buffer (srq_size of them), which stay until the device goes; the
 * refill work goes on where pages were short.  Process context: a link's
 * rdma_cm handler.
 *
 * Return: 0, or -ENOMEM when not one buffer could be posted.
 */
int rsk_dev_srq_fill(struct rsk_device *rdev)
{
	struct ib_srq_attr limit = { .srq_limit = rdev->srq_depth / 4 };
	int err = 0;

	/* Pairs with the release below: filled means posted. */
	if (smp_load_acquire(&rdev->srq_filled))
		return 0;
	mutex_lock(&rdev->fill_lock);
	if (rdev->srq_filled)
		goto out;
	rsk_srq_refill(rdev, GFP_KERNEL);
	if (!atomic_read(&rdev->srq_posted)) {
		err = -ENOMEM;
		goto out;
	}
	/* Optional: a device without limit events relies on the refill. */
	ib_modify_srq(rdev->srq, &limit, IB_SRQ_LIMIT);
	/* Pairs with the acquire above: a link sees the buffers posted. */
	smp_store_release(&rdev->srq_filled, true);
out:
	mutex_unlock(&rdev->fill_lock);
	return err;
}

/*
 * PD, SRQ and its buffers (empty until the first link: rsk_dev_srq_fill()):
 * memory per device, never per socket.
 */
static int rsk_dev_setup(struct rsk_device *rdev)
{
	struct ib_device *ibdev = rdev->ibdev;
	struct ib_srq_init_attr attr = {};
	u32 i;
	int err;

	rdev->srq_depth = min_t(u32, READ_ONCE(rsk_srq_size),
				ibdev->attrs.max_srq_wr);
	if (!rdev->srq_depth)
		return -EOPNOTSUPP;	/* no SRQ: not for this client */

	rdev->bufs = kvcalloc(rdev->srq_depth, sizeof(*rdev->bufs),
			      GFP_KERNEL);
	if (!rdev->bufs)
		return -ENOMEM;
	for (i = 0; i < rdev->srq_depth; i++) {
		rdev->bufs[i].rdev = rdev;
		rdev->bufs[i].cqe.done = rsk_srq_done;
		list_add_tail(&rdev->bufs[i].empty_node, &rdev->empty);
	}

	rdev->pd = ib_alloc_pd(ibdev, 0);
	if (IS_ERR(rdev->pd)) {
		err = PTR_ERR(rdev->pd);
		goto out_bufs;
	}

	attr.event_handler = rsk_srq_event;
	attr.srq_context = rdev;
	attr.srq_type = IB_SRQT_BASIC;
	attr.attr.max_wr = rdev->srq_depth;
	attr.attr.max_sge = 1;
	rdev->srq = ib_create_srq(rdev->pd, &attr);
	if (IS_ERR(rdev->srq)) {
		err = PTR_ERR(rdev->srq);
		goto out_pd;
	}

	return 0;

out_pd:
	ib_dealloc_pd(rdev->pd);
out_bufs:
	rsk_dev_free_bufs(rdev);
	return err;
}

/*
 * The device is dying, so nothing schedules the refill any more (the
 * completion path and the limit event check): a refill under way ends
 * here, and one an event scheduled as removal began is cancelled again
 * once the SRQ, and with it its events, is gone.
 */
static void rsk_dev_teardown(struct rsk_device *rdev)
{
	cancel_delayed_work_sync(&rdev->refill_work);
	/* No QP uses the SRQ any more: posted buffers never complete. */
	ib_destroy_srq(rdev->srq);
	cancel_delayed_work_sync(&rdev->refill_work);
	rsk_dev_free_bufs(rdev);
	ib_dealloc_pd(rdev->pd);
}

static int rsk_ib_add(struct ib_device *ibdev)
{
	struct rsk_device *rdev;
	int err;

	if (!rsk_dev_usable(ibdev))
		return -EOPNOTSUPP;	/* ib_core: "not for this client" */

	rdev = kzalloc(sizeof(*rdev), GFP_KERNEL);
	if (!rdev)
		return -ENOMEM;
	rdev->ibdev = ibdev;
	kref_init(&rdev->ref);		/* the list's reference */
	init_completion(&rdev->released);
	spin_lock_init(&rdev->empty_lock);
	mutex_init(&rdev->fill_lock);
	INIT_LIST_HEAD(&rdev->empty);
	INIT_DELAYED_WORK(&rdev->refill_work, rsk_refill_work);

	err = rsk_dev_setup(rdev);
	if (err) {
		kfree(rdev);
		return err;
	}

	mutex_lock(&rsk_devices_lock);
	list_add_tail(&rdev->list, &rsk_devices);
	mutex_unlock(&rsk_devices_lock);

	ib_set_client_data(ibdev, &rsk_ib_client, rdev);
	atomic_inc(&rsk_counters.devices);
	return 0;
}

/**
 * rsk_dev_register_notifier - be told when a device goes away
 * @nb: its remove callback: drop every reference on the device, and make
 *	sure none is taken after (rsk_dev_get() refuses a dying device, but
 *	a caller that passed that check must be found by the callback)
 *
 * Registered at module init, before the ib_client, and unregistered at
 * exit, after it.
 */
void rsk_dev_register_notifier(struct rsk_dev_notifier *nb)
{
	mutex_lock(&rsk_dev_notifiers_lock);
	list_add_tail(&nb->node, &rsk_dev_notifiers);
	mutex_unlock(&rsk_dev_notifiers_lock);
}

void rsk_dev_unregister_notifier(struct rsk_dev_notifier *nb)
{
	mutex_lock(&rsk_dev_notifiers_lock);
	list_del(&nb->node);
	mutex_unlock(&rsk_dev_notifiers_lock);
}

/* The time device removal waits for a reference before it says so. */
#define RSK_DEV_REMOVE_WARN	(30 * HZ)

/*
 * Called by ib_core before it frees the device, also for every device when
 * the client is unregistered at rmmod.  The device must be unused when
 * this returns: the layers above let go of it through their notifiers
 * (links are killed, their sockets fail with ECONNRESET as TCP's do when
 * their route is gone for good), and the last reference is waited for.
 */
static void rsk_ib_remove(struct ib_device *ibdev, void *client_data)
{
	struct rsk_device *rdev = client_data;
	struct rsk_dev_notifier *nb;

	mutex_lock(&rsk_devices_lock);
	list_del(&rdev->list);
	mutex_unlock(&rsk_devices_lock);

	/* ib_core clears it only after we return: see rsk_dev_get(). */
	ib_set_client_data(ibdev, &rsk_ib_client, NULL);
	WRITE_ONCE(rdev->dying, true);
	mutex_lock(&rsk_dev_notifiers_lock);
	list_for_each_entry(nb, &rsk_dev_notifiers, node)
		nb->remove(rdev);
	mutex_unlock(&rsk_dev_notifiers_lock);
	rsk_dev_put(rdev);
	/* ib_core waits for us, and we for the last user: say so if slow. */
	while (!wait_for_completion_timeout(&rdev->released,
					    RSK_DEV_REMOVE_WARN))
		pr_warn("rdma_sock: %s: removal waits for %u references\n",
			dev_name(&ibdev->dev), kref_read(&rdev->ref));

	rsk_dev_teardown(rdev);
	atomic_dec(&rsk_counters.devices);
	kfree_rcu(rdev, rcu);
}

static struct ib_client rsk_ib_client = {
	.name	= "rdma_sock",
	.add	= rsk_ib_add,
	.remove	= rsk_ib_remove,
};

/* One line per bound device: name and reference count. */
int rsk_dev_show(struct seq_file *seq, void *v)
{
	struct rsk_device *rdev;

	mutex_lock(&rsk_devices_lock);
	list_for_each_entry(rdev, &rsk_devices, list)
		seq_printf(seq, "%s refs %u srq_posted %d srq_depth %u\n",
			   dev_name(&rdev->ibdev->dev), kref_read(&rdev->ref),
			   atomic_read(&rdev->srq_posted), rdev->srq_depth);
	mutex_unlock(&rsk_devices_lock);
	return 0;
}

/**
 * rsk_dev_walk - call @fn for the bound devices @net may use, from the
 *	@*pos'th
 * @pos: how many an earlier walk took; advanced past each @fn returns 0 for
 * @net: the caller's namespace: a device in another namespace's exclusive
 *	use (rdma_dev_access_netns()) is not shown to it
 * @fn: called under rsk_devices_lock; nonzero stops the walk
 * @arg: for @fn
 *
 * Return: what @fn returned last, or 0.
 */
int rsk_dev_walk(long *pos, struct net *net,
		 int (*fn)(struct rsk_device *rdev, void *arg), void *arg)
{
	struct rsk_device *rdev;
	long i = 0;
	int err = 0;

	mutex_lock(&rsk_devices_lock);
	list_for_each_entry(rdev, &rsk_devices, list) {
		if (!rdma_dev_access_netns(rdev->ibdev, net))
			continue;
		if (i++ < *pos)
			continue;
		err = fn(rdev, arg);
		if (err)
			break;
		(*pos)++;
	}
	mutex_unlock(&rsk_devices_lock);
	return err;
}

/**
 * rsk_dev_rnr_counters - the driver's hardware counters of RNR NAKs
 * @rdev: the device; called under rsk_devices_lock, so it stays bound
 * @fn: called with each counter whose name has "rnr" in it (drivers name
 *	them: rxe's rcvd_rnr_err and send_rnr_err), summed over the ports
 * @arg: for @fn
 *
 * RNR NAKs are our flow control at work: a sender waits in hardware
 * while the receiver's SRQ is empty.  Only the driver counts them.  It
 * may sleep (some drivers ask their firmware); ports share one layout.
 *
 * Return: 0, or what @fn returned.
 */
int rsk_dev_rnr_counters(struct rsk_device *rdev,
			 int (*fn)(const char *name, u64 value, void *arg),
			 void *arg)
{
	struct ib_device *ibdev = rdev->ibdev;
	struct rdma_hw_stats *stats;
	u64 *sum;
	u32 port;
	int i, n, err = 0;

	if (!ibdev->ops.alloc_hw_port_stats || !ibdev->ops.get_hw_stats)
		return 0;
	stats = ibdev->ops.alloc_hw_port_stats(ibdev, rdma_start_port(ibdev));
	if (!stats)
		return 0;
	sum = kcalloc(stats->num_counters, sizeof(*sum), GFP_KERNEL);
	if (!sum)
		goto out;
	rdma_for_each_port(ibdev, port) {
		n = ibdev->ops.get_hw_stats(ibdev, stats, port,
					    stats->num_counters);
		for (i = 0; i < min(n, stats->num_counters); i++)
			sum[i] += stats->value[i];
	}
	for (i = 0; !err && i < stats->num_counters; i++)
		if (strstr(stats->descs[i].name, "rnr"))
			err = fn(stats->descs[i].name, sum[i], arg);
	kfree(sum);
out:
	rdma_free_hw_stats_struct(stats);
	return err;
}

int rsk_dev_init(void)
{
	return ib_register_client(&rsk_ib_client);
}

void rsk_dev_exit(void)
{
	ib_unregister_client(&rsk_ib_client);
}
