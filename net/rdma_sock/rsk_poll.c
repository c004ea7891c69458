// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: completion polling, NAPI and busy polling.
 *
 * Each link's CQ is polled by a NAPI context of its own, on a dummy
 * net_device the module owns, and not by ib_core's CQ pool.  That is what
 * makes the kernel's busy polling work unchanged: a socket records its
 * link's NAPI id, and SO_BUSY_POLL, net.core.busy_read and busy_poll
 * (poll, select, epoll) then spin on that CQ from the caller's context,
 * exactly as they spin on a NIC's queue.  SDP's credits made such polling
 * useless; here a completion is all a reader waits for.
 *
 * Interrupt path: the CQ's completion handler may be called with
 * interrupts off from a driver's work item (rxe does), where raising the
 * NET_RX softirq would not wake ksoftirqd.  So it schedules an irq_poll
 * context, as ib_core does, whose softirq only schedules the NAPI.  NAPI
 * then polls a budget of completions and re-arms the CQ when it runs dry.
 */
#include <linux/netdevice.h>
#include <linux/irq_poll.h>
#include <net/busy_poll.h>

#include "rsk.h"

/* Work completions taken from the CQ per ib_poll_cq() call. */
#define RSK_POLL_BATCH	16

static struct net_device *rsk_napi_dev;
/*
 * rsk_napi_lock protects rsk_napi_dev's NAPI list: links come and go
 * concurrently, and netif_napi_add()/netif_napi_del() expect their
 * caller to serialise them per device (drivers do it under rtnl).
 */
static DEFINE_MUTEX(rsk_napi_lock);

static int rsk_poll_cq(struct rsk_link *link, int budget)
{
	struct ib_wc wcs[RSK_POLL_BATCH];
	int done = 0, n, i;

	while (done < budget) {
		n = ib_poll_cq(link->cq, min(budget - done, RSK_POLL_BATCH),
			       wcs);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			wcs[i].wr_cqe->done(link->cq, &wcs[i]);
		done += n;
		if (n < RSK_POLL_BATCH)
			break;
	}
	return done;
}

static int rsk_napi_poll(struct napi_struct *napi, int budget)
{
	struct rsk_link *link = container_of(napi, struct rsk_link, napi);
	int done;

	done = rsk_poll_cq(link, budget);
	if (done < budget && napi_complete_done(napi, done)) {
		/* Completions that came after the last poll count too. */
		if (ib_req_notify_cq(link->cq, IB_CQ_NEXT_COMP |
				     IB_CQ_REPORT_MISSED_EVENTS) > 0)
			napi_schedule(napi);
	}
	return done;
}

/* softirq: hand over to NAPI, which runs in this same softirq pass. */
static int rsk_irq_poll(struct irq_poll *iop, int budget)
{
	struct rsk_link *link = container_of(iop, struct rsk_link, iop);

	irq_poll_complete(iop);
	napi_schedule(&link->napi);
	return 0;
}

/* Any context, interrupts possibly off. */
static void rsk_cq_comp(struct ib_cq *cq, void *ctx)
{
	struct rsk_link *link = ctx;

	irq_poll_sched(&link->iop);
}

/* Possibly hard interrupt context: the kill runs from a work item. */
static void rsk_cq_event(struct ib_event *event, void *ctx)
{
	struct rsk_link *link = ctx;

	/* The CQ overran or the device failed: the link cannot go on. */
	rsk_link_count_error(link);
	rsk_link_kill_async(link, -ECONNRESET);
}

/**
 * rsk_poll_create_cq - the link's CQ, polled by its own NAPI context
 * @link: the link
 * @ibdev: the device
 * @nr_cqe: completions it must hold
 */
int rsk_poll_create_cq(struct rsk_link *link, struct ib_device *ibdev,
		       int nr_cqe)
{
	struct ib_cq_init_attr attr = {
		.cqe		= nr_cqe,
		.comp_vector	= link->id % ibdev->num_comp_vectors,
	};
	struct ib_cq *cq;

	cq = ib_create_cq(ibdev, rsk_cq_comp, rsk_cq_event, link, &attr);
	if (IS_ERR(cq))
		return PTR_ERR(cq);
	link->cq = cq;
	irq_poll_init(&link->iop, RSK_POLL_BATCH * 4, rsk_irq_poll);
	mutex_lock(&rsk_napi_lock);
	netif_napi_add(rsk_napi_dev, &link->napi, rsk_napi_poll);
	mutex_unlock(&rsk_napi_lock);
	napi_enable(&link->napi);
	ib_req_notify_cq(cq, IB_CQ_NEXT_COMP);
	return 0;
}

/*
 * After the QP is gone: no completion can arrive any more, but some may
 * still sit in the CQ.  Each receive completion returns an SRQ buffer, so
 * they are handled here, with NAPI off, rather than destroyed with the CQ.
 */
void rsk_poll_destroy_cq(struct rsk_link *link)
{
	if (!link->cq)
		return;
	irq_poll_disable(&link->iop);
	napi_disable(&link->napi);
	local_bh_disable();	/* the handlers expect NAPI's context */
	while (rsk_poll_cq(link, RSK_POLL_BATCH) > 0)
		;
	local_bh_enable();
	mutex_lock(&rsk_napi_lock);
	netif_napi_del(&link->napi);
	mutex_unlock(&rsk_napi_lock);
	ib_destroy_cq(link->cq);
	link->cq = NULL;
}

/* The NAPI id a socket on @link busy-polls. */
void rsk_poll_mark_sock(struct rsk_sock *rs, struct rsk_link *link)
{
#ifdef CONFIG_NET_RX_BUSY_POLL
	WRITE_ONCE(rs->sk.sk_napi_id, link->napi.napi_id);
#endif
}

static bool rsk_busy_loop_end(void *arg, unsigned long start)
{
	struct rsk_sock *rs = arg;

	return !list_empty(&rs->rx_queue) || READ_ONCE(rs->sk.sk_err) ||
	       sk_busy_loop_timeout(&rs->sk, start);
}

/*
 * Before a reader sleeps: spin on the link's CQ for SO_BUSY_POLL (or
 * net.core.busy_read) microseconds or until data is queued.
 */
void rsk_poll_busy_read(struct rsk_sock *rs, bool nonblock)
{
#ifdef CONFIG_NET_RX_BUSY_POLL
	unsigned int napi_id = READ_ONCE(rs->sk.sk_napi_id);

	if (!sk_can_busy_loop(&rs->sk) || napi_id < MIN_NAPI_ID)
		return;
	napi_busy_loop(napi_id, nonblock ? NULL : rsk_busy_loop_end, rs,
		       READ_ONCE(rs->sk.sk_prefer_busy_poll),
		       READ_ONCE(rs->sk.sk_busy_poll_budget) ?: BUSY_POLL_BUDGET);
#endif
}

int rsk_poll_init(void)
{
#ifdef RSK_HAVE_ALLOC_NETDEV_DUMMY
	rsk_napi_dev = alloc_netdev_dummy(0);
	return rsk_napi_dev ? 0 : -ENOMEM;
#else
	rsk_napi_dev = kzalloc(sizeof(*rsk_napi_dev), GFP_KERNEL);
	if (!rsk_napi_dev)
		return -ENOMEM;
	init_dummy_netdev(rsk_napi_dev);
	return 0;
#endif
}

void rsk_poll_exit(void)
{
#ifdef RSK_HAVE_ALLOC_NETDEV_DUMMY
	free_netdev(rsk_napi_dev);
#else
	kfree(rsk_napi_dev);
#endif
}
