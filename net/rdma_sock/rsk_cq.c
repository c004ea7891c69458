// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: completion queues polled by NAPI, device layer.
 *
 * A struct rsk_cq is a CQ polled by a NAPI context of its own, on a dummy
 * net_device the module owns, and not by ib_core's CQ pool.  Each link has
 * one (rsk_link.c).  That is what makes the kernel's busy polling work
 * unchanged: a socket records its link's NAPI id, and SO_BUSY_POLL,
 * net.core.busy_read and busy_poll (poll, select, epoll) then spin on that
 * CQ from the caller's context (rsk_chan_rx.c), exactly as they spin on a
 * NIC's queue.  SDP's credits made such polling useless; here a completion
 * is all a reader waits for.
 *
 * Every completion goes to its work request's ib_cqe: sends to the link's
 * handler, receives of SRQ buffers to rsk_srq_done() (rsk_dev.c), which
 * hands them to the CQ owner's rx callback.  A CQ error goes to its
 * fatal callback.
 *
 * Interrupt path: the CQ's completion handler may be called with
 * interrupts off from a driver's work item (rxe does), where raising the
 * NET_RX softirq would not wake ksoftirqd.  So it schedules an irq_poll
 * context, as ib_core does, whose softirq only schedules the NAPI.  NAPI
 * then polls a budget of completions and re-arms the CQ when it runs dry.
 */
#include <linux/netdevice.h>
#include <linux/irq_poll.h>

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

static int rsk_cq_poll(struct rsk_cq *rcq, int budget)
{
	struct ib_wc wcs[RSK_POLL_BATCH];
	int done = 0, n, i;

	while (done < budget) {
		n = ib_poll_cq(rcq->cq, min(budget - done, RSK_POLL_BATCH),
			       wcs);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			wcs[i].wr_cqe->done(rcq->cq, &wcs[i]);
		done += n;
		if (n < RSK_POLL_BATCH)
			break;
	}
	return done;
}

static int rsk_napi_poll(struct napi_struct *napi, int budget)
{
	struct rsk_cq *rcq = container_of(napi, struct rsk_cq, napi);
	int done;

	done = rsk_cq_poll(rcq, budget);
	if (done < budget && napi_complete_done(napi, done)) {
		/* Completions that came after the last poll count too. */
		if (ib_req_notify_cq(rcq->cq, IB_CQ_NEXT_COMP |
				     IB_CQ_REPORT_MISSED_EVENTS) > 0)
			napi_schedule(napi);
	}
	return done;
}

/* softirq: hand over to NAPI, which runs in this same softirq pass. */
static int rsk_irq_poll(struct irq_poll *iop, int budget)
{
	struct rsk_cq *rcq = container_of(iop, struct rsk_cq, iop);

	irq_poll_complete(iop);
	napi_schedule(&rcq->napi);
	return 0;
}

/* Any context, interrupts possibly off. */
static void rsk_cq_comp(struct ib_cq *cq, void *ctx)
{
	struct rsk_cq *rcq = ctx;

	irq_poll_sched(&rcq->iop);
}

/* Possibly hard interrupt context: the owner must defer what it does. */
static void rsk_cq_event(struct ib_event *event, void *ctx)
{
	struct rsk_cq *rcq = ctx;

	/* The CQ overran or the device failed. */
	rcq->fatal(rcq);
}

/**
 * rsk_cq_create - a CQ polled by its own NAPI context
 * @rcq: where; its rx and fatal callbacks set by the owner
 * @ibdev: the device
 * @nr_cqe: completions it must hold
 * @vector: a number to spread CQs over the device's completion vectors
 */
int rsk_cq_create(struct rsk_cq *rcq, struct ib_device *ibdev, int nr_cqe,
		  u32 vector)
{
	struct ib_cq_init_attr attr = {
		.cqe		= nr_cqe,
		.comp_vector	= vector % ibdev->num_comp_vectors,
	};
	struct ib_cq *cq;

	cq = ib_create_cq(ibdev, rsk_cq_comp, rsk_cq_event, rcq, &attr);
	if (IS_ERR(cq))
		return PTR_ERR(cq);
	rcq->cq = cq;
	irq_poll_init(&rcq->iop, RSK_POLL_BATCH * 4, rsk_irq_poll);
	mutex_lock(&rsk_napi_lock);
	netif_napi_add(rsk_napi_dev, &rcq->napi, rsk_napi_poll);
	mutex_unlock(&rsk_napi_lock);
	napi_enable(&rcq->napi);
	ib_req_notify_cq(cq, IB_CQ_NEXT_COMP);
	return 0;
}

/*
 * After the QP is gone: no completion can arrive any more, but some may
 * still sit in the CQ.  Each receive completion returns an SRQ buffer, so
 * they are handled here, with NAPI off, rather than destroyed with the CQ.
 */
void rsk_cq_destroy(struct rsk_cq *rcq)
{
	if (!rcq->cq)
		return;
	irq_poll_disable(&rcq->iop);
	napi_disable(&rcq->napi);
	local_bh_disable();	/* the handlers expect NAPI's context */
	while (rsk_cq_poll(rcq, RSK_POLL_BATCH) > 0)
		;
	local_bh_enable();
	mutex_lock(&rsk_napi_lock);
	netif_napi_del(&rcq->napi);
	mutex_unlock(&rsk_napi_lock);
	ib_destroy_cq(rcq->cq);
	rcq->cq = NULL;
}

int rsk_cq_init(void)
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

void rsk_cq_exit(void)
{
#ifdef RSK_HAVE_ALLOC_NETDEV_DUMMY
	free_netdev(rsk_napi_dev);
#else
	kfree(rsk_napi_dev);
#endif
}
