// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: messages on a link, link layer.
 *
 * Everything verbs about a link's traffic is here, as smc_wr.c is SMC's:
 * send buffers (struct rsk_tx_buf), posting, the link's send slots and
 * the sockets waiting for one, the queue of link-level messages, send
 * completions, and the receive dispatch.  The layers above never touch a
 * work request; they hand a message to rsk_link_send() or
 * rsk_link_send_ctrl() and are called back through what they registered:
 *
 *   received messages by type  rsk_link_rx_register() (the channel layer
 *				registers CONN_REQ and the channel types)
 *   channel events		rsk_link_register_chan_ops(): a send slot
 *				is free, a message completed, the link came
 *				up or failed (rsk_link.c)
 *
 * Send path: rsk_link_send -> rsk_link_post -> (completion, softirq)
 * rsk_link_tx_done -> chan_ops->sent, then the slot goes to link-level
 * messages first, then to a waiting channel (chan_ops->tx_slot).  A
 * link-level message the device refused for want of memory waits for
 * ctrl_retry_work, which then serves the waiting channels too.
 * Receive path: rsk_srq_done (rsk_dev.c) -> rsk_link_rx: status, length,
 * the proof of a link being set up (rsk_link_rx_unproven()), link-level
 * types here, the rest to the registered handler.
 */
#include <linux/slab.h>
#include <net/sock.h>

#include "rsk.h"

/*
 * Handlers of received message types, set at module init before any link
 * exists (rsk_link_rx_register()) and read-only after: no lock.
 */
static rsk_link_rx_fn rsk_link_rx_handlers[256];

static void rsk_link_tx_done(struct ib_cq *cq, struct ib_wc *wc);
static void rsk_link_return_slot(struct rsk_link *link);

/* The channel layer's callbacks; likewise set once at init. */
static const struct rsk_link_chan_ops *rsk_chan_ops;

/**
 * rsk_link_rx_register - who handles a received message type
 * @type: enum rsk_wire_type
 * @fn: called in the link's NAPI poll with the checked header; returns
 *	true when it took the buffer's page (rsk_rx_buf_take_page())
 */
void rsk_link_rx_register(u8 type, rsk_link_rx_fn fn)
{
	WARN_ON_ONCE(rsk_link_rx_handlers[type]);
	rsk_link_rx_handlers[type] = fn;
}

void rsk_link_register_chan_ops(const struct rsk_link_chan_ops *ops)
{
	WARN_ON_ONCE(rsk_chan_ops);
	rsk_chan_ops = ops;
}

const struct rsk_link_chan_ops *rsk_link_chan_ops(void)
{
	return rsk_chan_ops;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_chan_ops);

/*
 * One allocation per message, no larger than 16 KiB: the struct, the
 * header and the payload.  Small writes get room to grow into.
 */
#define RSK_TX_ALLOC_MAX	16384
#define RSK_TX_PAYLOAD_MAX	(RSK_TX_ALLOC_MAX - sizeof(struct rsk_tx_buf) - \
				 sizeof(struct rsk_wire_hdr))

struct rsk_tx_buf *rsk_tx_buf_alloc(u32 payload, gfp_t gfp)
{
	size_t size = sizeof(struct rsk_tx_buf) + sizeof(struct rsk_wire_hdr) +
		      payload;
	struct rsk_tx_buf *tb;

	KUNIT_STATIC_STUB_REDIRECT(rsk_tx_buf_alloc, payload, gfp);

	size = kmalloc_size_roundup(size);
	tb = kmalloc(size, gfp | __GFP_NOWARN);
	if (!tb)
		return NULL;
	memset(tb, 0, sizeof(*tb));
	INIT_LIST_HEAD(&tb->list);
	tb->cqe.done = rsk_link_tx_done;
	tb->buf = (u8 *)(tb + 1);
	tb->size = size;
	tb->room = size - sizeof(*tb) - sizeof(struct rsk_wire_hdr);
	atomic_inc(&rsk_counters.tx_bufs);
	return tb;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_tx_buf_alloc);

/* The largest DATA payload a message on @link carries. */
u32 rsk_link_max_payload(const struct rsk_link *link)
{
	return min_t(u32, RSK_TX_PAYLOAD_MAX,
		     link->max_msg - sizeof(struct rsk_wire_hdr));
}

void rsk_tx_buf_free(struct rsk_tx_buf *tb)
{
	atomic_dec(&rsk_counters.tx_bufs);
	kfree(tb);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_tx_buf_free);

/* Fill in a message's header (rsk_wire.h). */
void rsk_link_msg_hdr(struct rsk_tx_buf *tb, u8 type, u8 flags, u32 dst,
		      u32 src, u32 seq, u32 ack, u32 wnd)
{
	struct rsk_wire_hdr *hdr = (struct rsk_wire_hdr *)tb->buf;

	hdr->type = type;
	hdr->flags = flags;
	hdr->reserved = 0;
	hdr->dst_chan = cpu_to_be32(dst);
	hdr->src_chan = cpu_to_be32(src);
	hdr->seq = cpu_to_be32(seq);
	hdr->ack = cpu_to_be32(ack);
	hdr->wnd = cpu_to_be32(wnd);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_msg_hdr);

/**
 * rsk_link_post - post one SEND; link->lock held, a send slot taken
 * @link: the link, up
 * @tb: the message
 *
 * Inline when header and payload fit the QP's inline room (no mapping,
 * the device copies at post time); otherwise mapped for the device.
 */
VISIBLE_IF_KUNIT int rsk_link_post(struct rsk_link *link, struct rsk_tx_buf *tb)
{
	u32 len = sizeof(struct rsk_wire_hdr) + tb->len;
	struct ib_send_wr wr = {};
	struct ib_device *ibdev;
	struct ib_sge sge;
	int err;

	KUNIT_STATIC_STUB_REDIRECT(rsk_link_post, link, tb);
	lockdep_assert_held(&link->lock);
	ibdev = link->rdev->ibdev;
	sge.length = len;
	sge.lkey = link->rdev->pd->local_dma_lkey;
	wr.send_flags = IB_SEND_SIGNALED;
	if (len <= link->max_inline) {
		sge.addr = (uintptr_t)tb->buf;
		wr.send_flags |= IB_SEND_INLINE;
		tb->dma = 0;
	} else {
		tb->dma = ib_dma_map_single(ibdev, tb->buf, len, DMA_TO_DEVICE);
		if (ib_dma_mapping_error(ibdev, tb->dma)) {
			tb->dma = 0;
			return -ENOMEM;
		}
		sge.addr = tb->dma;
	}
	wr.wr_cqe = &tb->cqe;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = IB_WR_SEND;
	/* The first send outstanding: the send queue's progress counts now. */
	if (link->sq_free == RSK_LINK_SQ_DEPTH - 1)
		link->last_tx_done = jiffies;
	tb->link = link;
	tb->dma_len = len;
	kref_get(&link->ref);		/* put in rsk_link_tx_done() */

	err = rsk_post_fails() ? -ENOMEM : ib_post_send(link->qp, &wr, NULL);
	if (err) {
		if (tb->dma)
			ib_dma_unmap_single(ibdev, tb->dma, len, DMA_TO_DEVICE);
		tb->dma = 0;
		tb->link = NULL;
		rsk_link_put(link);
		return err;
	}
	rsk_event(link->rnet, RSK_EV_TX_MSGS);
	atomic64_inc(&link->tx_msgs);
	atomic64_add(len, &link->tx_bytes);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_post);

/* Send completion, softirq.  Trust only wr_cqe and status until success. */
static void rsk_link_tx_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct rsk_tx_buf *tb = container_of(wc->wr_cqe, struct rsk_tx_buf,
					     cqe);
	struct rsk_link *link = tb->link;
	struct rsk_link_chan *owner = tb->owner;

	if (tb->dma)
		ib_dma_unmap_single(link->rdev->ibdev, tb->dma, tb->dma_len,
				    DMA_TO_DEVICE);
	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR) {
		rsk_link_count_error(link);
		/* Retries ran out: the peer is gone, as a TCP timeout. */
		rsk_link_kill(link, wc->status == IB_WC_RETRY_EXC_ERR ?
				    -ETIMEDOUT : -ECONNRESET);
	}
	if (owner)	/* drops the reference its sender took */
		rsk_chan_ops->sent(owner, tb);
	rsk_tx_buf_free(tb);
	rsk_link_return_slot(link);
	rsk_link_put(link);
}

/**
 * rsk_link_ctrl_buf - a message with no payload but its body, for the queue
 * @type: enum rsk_wire_type
 * @flags: its flags
 * @dst: the receiver's channel id (0 for link level)
 * @src: ours
 * @body: the body, @body_len bytes
 * @body_len: its length
 *
 * Return: the message, or NULL when there is no memory (the caller counts).
 */
struct rsk_tx_buf *rsk_link_ctrl_buf(u8 type, u8 flags, u32 dst, u32 src,
				     const void *body, u32 body_len)
{
	struct rsk_tx_buf *tb;

	tb = rsk_tx_buf_alloc(body_len, GFP_ATOMIC);
	if (!tb)
		return NULL;
	rsk_link_msg_hdr(tb, type, flags, dst, src, 0, 0, 0);
	if (body_len)
		memcpy(tb->buf + sizeof(struct rsk_wire_hdr), body, body_len);
	tb->len = body_len;
	return tb;
}

static void __rsk_link_send_ctrl(struct rsk_link *link, u8 type, u8 flags,
				 u32 dst, u32 src, const void *body,
				 u32 body_len, bool own)
{
	struct rsk_tx_buf *tb;

	tb = rsk_link_ctrl_buf(type, flags, dst, src, body, body_len);
	if (!tb) {
		rsk_event(link->rnet, RSK_EV_CTRL_DROPPED);
		return;
	}
	tb->own = own;
	rsk_link_queue_ctrl(link, tb);
}

/**
 * rsk_link_send_ctrl - send a message that belongs to no open socket
 * @link: the link
 * @type: enum rsk_wire_type
 * @flags: its flags
 * @dst: the receiver's channel id (0 for link level)
 * @src: ours
 * @body: the body, @body_len bytes
 * @body_len: no more than 64
 *
 * Keepalives, link close, and the answers to channels that are gone or
 * never were (CONN_REFUSE, RST).  Best effort: dropped and counted when
 * memory or the link's control queue runs out.
 */
void rsk_link_send_ctrl(struct rsk_link *link, u8 type, u8 flags, u32 dst,
			u32 src, const void *body, u32 body_len)
{
	KUNIT_STATIC_STUB_REDIRECT(rsk_link_send_ctrl, link, type, flags, dst, src,
				   body, body_len);

	__rsk_link_send_ctrl(link, type, flags, dst, src, body, body_len, false);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_send_ctrl);

/**
 * rsk_link_send_ctrl_own - rsk_link_send_ctrl() for one of our channels
 * @link: the link
 * @type: enum rsk_wire_type (an RST)
 * @flags: its flags
 * @dst: the receiver's channel id
 * @src: ours
 * @body: the body, @body_len bytes
 * @body_len: no more than 64
 *
 * Not dropped for the control queue's length: what our own sockets send
 * is bounded by them, and a peer flooding us with requests must not make
 * our resets vanish.  Still dropped (and counted) when no memory is left.
 */
void rsk_link_send_ctrl_own(struct rsk_link *link, u8 type, u8 flags, u32 dst,
			    u32 src, const void *body, u32 body_len)
{
	KUNIT_STATIC_STUB_REDIRECT(rsk_link_send_ctrl_own, link, type, flags,
				   dst, src, body, body_len);

	__rsk_link_send_ctrl(link, type, flags, dst, src, body, body_len, true);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_send_ctrl_own);

/*
 * Whether queued link-level messages may be posted: up, or proving the
 * peer (its challenge, queued by rsk_link_proving() itself: nothing else
 * is queued before the link is up).
 */
static bool rsk_link_connected(const struct rsk_link *link)
{
	return link->state == RSK_LINK_UP || link->state == RSK_LINK_PROVING;
}

/**
 * rsk_link_flush_ctrl - post queued link-level messages; link->lock held
 * @link: the link
 *
 * As many as there are send slots.  One the device refuses for want of
 * memory stays first in the queue and ctrl_retry_work tries again soon
 * (a lost RST or CONN_REFUSE would leave its peer waiting out a timeout);
 * one refused otherwise (the QP failing: the link dies) is dropped.
 */
void rsk_link_flush_ctrl(struct rsk_link *link)
{
	struct rsk_tx_buf *tb;
	int err;

	lockdep_assert_held(&link->lock);
	while (link->sq_free > 0 && rsk_link_connected(link)) {
		tb = list_first_entry_or_null(&link->ctrl_queue,
					      struct rsk_tx_buf, list);
		if (!tb)
			return;
		list_del_init(&tb->list);
		link->ctrl_len--;
		link->sq_free--;
		err = rsk_link_post(link, tb);
		if (!err)
			continue;
		link->sq_free++;
		if (err != -ENOMEM) {
			rsk_event(link->rnet, RSK_EV_CTRL_DROPPED);
			rsk_tx_buf_free(tb);
			continue;
		}
		list_add(&tb->list, &link->ctrl_queue);
		link->ctrl_len++;
		rsk_event(link->rnet, RSK_EV_TX_NOMEM);
		rsk_link_retry_soon(link);
		return;
	}
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_flush_ctrl);

/**
 * rsk_link_queue_ctrl - send a link-level message, or queue it for a slot
 * @link: the link
 * @tb: the message, header filled in
 *
 * Dropped (and counted) when the link is not up (a link proving its peer
 * queues its challenge itself), or when RSK_CTRL_QUEUE_MAX
 * are queued and it is not one of our channels' own (@tb->own), or
 * RSK_CTRL_QUEUE_OWN_MAX: a peer that floods us with requests must not
 * grow this queue unbounded, nor make our own resets vanish first.
 */
void rsk_link_queue_ctrl(struct rsk_link *link, struct rsk_tx_buf *tb)
{
	KUNIT_STATIC_STUB_REDIRECT(rsk_link_queue_ctrl, link, tb);

	spin_lock_bh(&link->lock);
	if (link->state != RSK_LINK_UP ||
	    link->ctrl_len >= (tb->own ? RSK_CTRL_QUEUE_OWN_MAX :
				 RSK_CTRL_QUEUE_MAX)) {
		spin_unlock_bh(&link->lock);
		rsk_event(link->rnet, RSK_EV_CTRL_DROPPED);
		rsk_tx_buf_free(tb);
		return;
	}
	__rsk_link_queue_ctrl(link, tb);
	spin_unlock_bh(&link->lock);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_queue_ctrl);

/*
 * Queue a link-level message ahead of whatever a channel sends next, and
 * post what slots allow; link->lock held, the link up or proving.
 */
void __rsk_link_queue_ctrl(struct rsk_link *link, struct rsk_tx_buf *tb)
{
	lockdep_assert_held(&link->lock);
	list_add_tail(&tb->list, &link->ctrl_queue);
	link->ctrl_len++;
	rsk_link_flush_ctrl(link);
}

/**
 * rsk_link_send - post a channel's message on the link's send queue
 * @link: the link
 * @tb: the message, header filled in
 * @waiter: the sending channel, its socket's lock held: called back
 *	(chan_ops->tx_slot) when a send slot frees up, if none is free now
 *
 * The post happens under link->lock, so that it never races with the
 * destroy work, which only touches the QP after the link is dead.
 *
 * Return: 0 when posted; -EAGAIN when the socket was queued for a slot;
 * -ENOTCONN when the link is not up (the socket learns why from
 * rsk_link_kill()); or the post's error.
 */
int rsk_link_send(struct rsk_link *link, struct rsk_tx_buf *tb,
		  struct rsk_link_chan *waiter)
{
	int err;

	KUNIT_STATIC_STUB_REDIRECT(rsk_link_send, link, tb, waiter);

	spin_lock(&link->lock);
	if (link->state != RSK_LINK_UP) {
		err = -ENOTCONN;
	} else if (link->sq_free > 0 && list_empty(&link->ctrl_queue)) {
		link->sq_free--;
		err = rsk_link_post(link, tb);
		if (err)
			link->sq_free++;
	} else {
		err = -EAGAIN;
		if (!waiter->on_tx_wait) {
			/* put when popped, rsk_link_return_slot() or detach */
			rsk_chan_ops->hold(waiter);
			waiter->on_tx_wait = true;
			list_add_tail(&waiter->node, &link->tx_waiters);
		}
	}
	spin_unlock(&link->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_send);

/*
 * The first channel waiting for a send slot, off the list, if a slot is
 * free; link->lock held.  The caller serves it (rsk_link_serve()).
 */
static struct rsk_link_chan *rsk_link_pop_waiter(struct rsk_link *link)
{
	struct rsk_link_chan *chan;

	lockdep_assert_held(&link->lock);
	if (link->sq_free <= 0)
		return NULL;
	chan = list_first_entry_or_null(&link->tx_waiters,
					struct rsk_link_chan, node);
	if (chan) {
		list_del_init(&chan->node);
		chan->on_tx_wait = false;
	}
	return chan;
}

static void rsk_link_serve(struct rsk_link_chan *chan)
{
	rsk_chan_ops->tx_slot(chan);
	rsk_chan_ops->put(chan);	/* taken in rsk_link_send() */
}

/* A send completed: its slot goes to link messages first, then waiters. */
static void rsk_link_return_slot(struct rsk_link *link)
{
	struct rsk_link_chan *chan;

	spin_lock_bh(&link->lock);
	link->sq_free++;
	link->last_tx_done = jiffies;
	rsk_link_flush_ctrl(link);
	chan = rsk_link_pop_waiter(link);
	spin_unlock_bh(&link->lock);
	if (chan)
		rsk_link_serve(chan);
}

/**
 * rsk_link_ctrl_retry_work - post what the device refused, then serve
 * @work: the link's ctrl_retry_work
 *
 * Channels wait while a refused message heads the control queue, slots
 * free or not (rsk_link_send()); with nothing in flight, no completion
 * would serve them: this does, one per free slot, as completions would.
 */
void rsk_link_ctrl_retry_work(struct work_struct *work)
{
	struct rsk_link *link = container_of(to_delayed_work(work),
					     struct rsk_link, ctrl_retry_work);
	struct rsk_link_chan *chan;
	int n;

	for (n = 0; n < RSK_LINK_SQ_DEPTH; n++) {
		spin_lock_bh(&link->lock);
		if (!n)
			rsk_link_flush_ctrl(link);
		/* Refused again: the waiters wait for the next retry. */
		chan = list_empty(&link->ctrl_queue) ?
		       rsk_link_pop_waiter(link) : NULL;
		spin_unlock_bh(&link->lock);
		if (!chan)
			return;
		rsk_link_serve(chan);
	}
}

/*
 * Link-level messages, and the types a capability this end does not
 * implement belongs to; false for a type that goes to its handler.
 */
static bool rsk_link_rx_own(struct rsk_link *link,
			    const struct rsk_wire_hdr *hdr, u32 len)
{
	switch (hdr->type) {
	case RSK_MSG_LINK_CHALLENGE:
	case RSK_MSG_LINK_PROOF:
		/* The proof is over once a link is up: one more is stale. */
		if (hdr->dst_chan || hdr->src_chan)
			rsk_event(link->rnet, RSK_EV_RX_LINK_CHAN);
		else if (len != sizeof(struct rsk_wire_proof))
			rsk_event(link->rnet, RSK_EV_RX_BAD_LEN);
		else
			rsk_event(link->rnet, RSK_EV_RX_BAD_STATE);
		return true;
	case RSK_MSG_KEEPALIVE:
	case RSK_MSG_LINK_CLOSE:
		if (hdr->dst_chan || hdr->src_chan)
			rsk_event(link->rnet, RSK_EV_RX_LINK_CHAN);
		else if (len)
			rsk_event(link->rnet, RSK_EV_RX_BAD_LEN);
		else
			rsk_link_rx_ctrl(link, hdr);
		return true;
	case RSK_MSG_ZC_ADV:
	case RSK_MSG_ZC_DONE:
	case RSK_MSG_RESYNC:
		/* this version negotiates none of their capabilities */
		rsk_event(link->rnet, RSK_EV_RX_NOT_NEGOTIATED);
		return true;
	default:
		return false;
	}
}

/**
 * rsk_link_rx - a receive completion on a link's CQ, softirq
 * @rcq: the link's CQ
 * @rxb: the SRQ buffer it filled
 * @wc: the completion; only wr_cqe and status are valid unless success
 *
 * Return: true when a handler took the buffer's page.
 */
VISIBLE_IF_KUNIT bool rsk_link_rx(struct rsk_cq *rcq, struct rsk_rx_buf *rxb,
				  const struct ib_wc *wc)
{
	struct rsk_link *link = container_of(rcq, struct rsk_link, cq);
	const struct rsk_wire_hdr *hdr;
	enum rsk_link_state state;
	rsk_link_rx_fn fn;
	u32 len;

	if (wc->status != IB_WC_SUCCESS) {
		if (wc->status != IB_WC_WR_FLUSH_ERR) {
			rsk_link_count_error(link);
			rsk_link_kill(link, -ECONNRESET);
		}
		return false;
	}

	WRITE_ONCE(link->last_rx, jiffies);
	rsk_event(link->rnet, RSK_EV_RX_MSGS);
	atomic64_inc(&link->rx_msgs);
	atomic64_add(wc->byte_len, &link->rx_bytes);
	if (wc->byte_len < sizeof(*hdr) || wc->byte_len > RSK_RX_BUF_SIZE) {
		rsk_event(link->rnet, RSK_EV_RX_SHORT);
		return false;
	}
	hdr = page_address(rxb->page);
	len = wc->byte_len - sizeof(*hdr);
	/*
	 * Not up yet: the peer's address is being proven, and nothing but
	 * the proof may come.  Messages are handled one at a time here, and
	 * the active end goes up with its LINK_PROOF queued first, under
	 * link->lock: what the peer sends once proven finds the link up.
	 */
	state = READ_ONCE(link->state);
	if (unlikely(state == RSK_LINK_CONNECTING ||
		     state == RSK_LINK_PROVING)) {
		rsk_link_rx_unproven(link, hdr, len);
		return false;
	}
	if (rsk_link_rx_own(link, hdr, len))
		return false;
	fn = rsk_link_rx_handlers[hdr->type];
	if (!fn) {
		rsk_event(link->rnet, RSK_EV_RX_UNKNOWN_TYPE);
		return false;
	}
	return fn(link, rxb, hdr, len);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_rx);

/* The link's CQ failed (possibly in hard interrupt context). */
static void rsk_link_cq_fatal(struct rsk_cq *rcq)
{
	struct rsk_link *link = container_of(rcq, struct rsk_link, cq);

	/* The CQ overran or the device failed: the link cannot go on. */
	rsk_link_count_error(link);
	rsk_link_kill_async(link, -ECONNRESET);
}

/**
 * rsk_link_create_cq - the link's CQ for its sends and receives
 * @link: the link
 * @ibdev: its device
 * @nr_cqe: completions it must hold
 */
int rsk_link_create_cq(struct rsk_link *link, struct ib_device *ibdev,
		       int nr_cqe)
{
	link->cq.rx = rsk_link_rx;
	link->cq.fatal = rsk_link_cq_fatal;
	return rsk_cq_create(&link->cq, ibdev, nr_cqe, link->id);
}
