// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: the receive path.
 *
 *   receive completion (softirq, the link's CQ) -> rsk_rx_done: check the
 *	status, the length and the header; link-level messages to rsk_link.c,
 *	connect requests and channel control to rsk_cm.c, DATA here
 *   -> rsk_rx_data: sequence and window checks; the SRQ buffer's page is
 *	queued on the socket as it is (below the copybreak: copied, and the
 *	buffer reposted at once); wake the reader
 *   -> recvmsg -> rsk_rx_recvmsg: copy to the reader (the one copy),
 *	free what was read, and advertise the window it opened
 *
 * Nothing in a message is trusted before it is checked; a bad one is
 * counted and answered (RST) or dropped, never acted on.
 */
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "rsk.h"

static void rsk_rx_chunk_free(struct rsk_rx_chunk *chunk)
{
	if (chunk->page)
		__free_pages(chunk->page, RSK_RX_ORDER);
	atomic_dec(&rsk_counters.rx_chunks);
	kfree(chunk);
}

static const u8 *rsk_rx_chunk_data(const struct rsk_rx_chunk *chunk)
{
	if (chunk->page)
		return (const u8 *)page_address(chunk->page) + chunk->off;
	return chunk->data + chunk->off;
}

/*
 * Queue a DATA payload on the socket; rs->lock held.  Return: 1 when the
 * page of @rxb went with it (the buffer needs a new page), 0 when it was
 * copied, -ENOMEM when it could not be queued at all.
 */
static int rsk_rx_queue(struct rsk_sock *rs, struct rsk_rx_buf *rxb,
			const u8 *payload, u32 len)
{
	u32 off = payload - (const u8 *)page_address(rxb->page);
	struct rsk_rx_chunk *chunk;
	int taken = 0;

	if (len < RSK_RX_COPYBREAK) {
		chunk = kmalloc(struct_size(chunk, data, len), GFP_ATOMIC);
		if (chunk) {
			memcpy(chunk->data, payload, len);
			chunk->page = NULL;
			chunk->off = 0;
			goto queue;
		}
	}
	chunk = kmalloc(sizeof(*chunk), GFP_ATOMIC);
	if (!chunk)
		return -ENOMEM;
	ib_dma_unmap_page(rxb->rdev->ibdev, rxb->dma, RSK_RX_BUF_SIZE,
			  DMA_FROM_DEVICE);
	chunk->page = rxb->page;
	chunk->off = off;
	rxb->page = NULL;
	taken = 1;
queue:
	chunk->len = len;
	atomic_inc(&rsk_counters.rx_chunks);
	list_add_tail(&chunk->list, &rs->rx_queue);
	rs->rcv_queued += len;
	return taken;
}

/*
 * A DATA message for @rs.  Returns true when the page of @rxb was taken.
 * Called with a reference on @rs, without its lock.
 */
static bool rsk_rx_data(struct rsk_sock *rs, struct rsk_rx_buf *rxb,
			const struct rsk_wire_hdr *hdr, u32 len)
{
	struct sock *sk = &rs->sk;
	u32 seq = be32_to_cpu(hdr->seq);
	u32 reason = RSK_RST_PROTOCOL;
	enum rsk_event ev;
	int taken = 0;

	spin_lock_bh(&rs->lock);
	ev = RSK_EV_RX_BAD_STATE;
	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_FIN_WAIT2)))
		goto violation;
	ev = RSK_EV_RX_AFTER_FIN;
	if (rs->fin_rcvd)
		goto violation;
	ev = RSK_EV_RX_BAD_ACK;
	if (rsk_cm_rx_ack(rs, hdr))
		goto violation;
	ev = RSK_EV_RX_BAD_SEQ;
	if (seq != rs->rcv_nxt)
		goto violation;			/* RC is in order: never */
	ev = RSK_EV_RX_WINDOW;
	if (len && !rsk_seq_before(seq, rs->rcv_wnd_sent))
		goto violation;
	rsk_cm_heard(rs);
	if (sock_flag(sk, SOCK_DEAD) && len) {
		/* Closed: nobody will read it.  TCP answers with RST too. */
		reason = RSK_RST_ABORT;
		goto reset;
	}

	if (len) {
		taken = rsk_rx_queue(rs, rxb, (const u8 *)(hdr + 1), len);
		if (taken < 0) {
			/* Data cannot be dropped: a stream has no resend. */
			rsk_event(rs->rnet, RSK_EV_RX_NOMEM);
			reason = RSK_RST_SHUTDOWN;
			goto reset;
		}
		rs->rcv_nxt += len;
		/* Acks flow even to a sender whose reader is idle. */
		if (rs->rcv_nxt - rs->rcv_ack_sent >=
		    (u32)rsk_rcvbuf(rs) / 4)
			rs->tx_pending |= RSK_TX_WINDOW;
	}
	rsk_tx_push_locked(rs);
	spin_unlock_bh(&rs->lock);
	if (len)
		sk->sk_data_ready(sk);
	return taken;

violation:
	rsk_event(rs->rnet, ev);
reset:
	spin_unlock_bh(&rs->lock);
	rsk_cm_reset(rs, reason);
	return false;
}

/* A message for a channel we do not have: answer as TCP answers. */
static void rsk_rx_no_channel(struct rsk_link *link,
			      const struct rsk_wire_hdr *hdr)
{
	struct rsk_wire_rst rst = { .reason = cpu_to_be32(RSK_RST_NO_CHANNEL) };

	rsk_event(link->rnet, RSK_EV_RX_NO_CHANNEL);
	/* Never answer an RST; a late WINDOW for a closed channel is normal. */
	if (hdr->type == RSK_MSG_RST || hdr->type == RSK_MSG_WINDOW ||
	    !hdr->src_chan)
		return;
	rsk_tx_link_ctrl(link, RSK_MSG_RST, 0, be32_to_cpu(hdr->src_chan),
			 be32_to_cpu(hdr->dst_chan), &rst, sizeof(rst));
}

/* Whether a channel message's body has the length its type fixes. */
static bool rsk_rx_len_ok(u8 type, u32 len)
{
	switch (type) {
	case RSK_MSG_DATA:
		return len > 0;
	case RSK_MSG_CONN_REFUSE:
		return len == sizeof(struct rsk_wire_refuse);
	case RSK_MSG_RST:
		return len == sizeof(struct rsk_wire_rst);
	default:	/* ACCEPT, WINDOW, FIN, PROBE */
		return len == 0;
	}
}

/* Route one checked message; returns true when the page was taken. */
static bool rsk_rx_dispatch(struct rsk_link *link, struct rsk_rx_buf *rxb,
			    const struct rsk_wire_hdr *hdr, u32 len)
{
	u32 dst = be32_to_cpu(hdr->dst_chan);
	u32 src = be32_to_cpu(hdr->src_chan);
	struct rsk_sock *rs;
	bool taken = false;

	switch (hdr->type) {
	case RSK_MSG_KEEPALIVE:
	case RSK_MSG_LINK_CLOSE:
		if (dst || src)
			rsk_event(link->rnet, RSK_EV_RX_LINK_CHAN);
		else if (len)
			rsk_event(link->rnet, RSK_EV_RX_BAD_LEN);
		else
			rsk_link_rx_ctrl(link, hdr);
		return false;
	case RSK_MSG_CONN_REQ:
		if (dst || !src)
			rsk_event(link->rnet, RSK_EV_RX_BAD_CONN_REQ);
		else
			rsk_cm_conn_req(link, hdr, hdr + 1, len);
		return false;
	case RSK_MSG_CONN_ACCEPT ... RSK_MSG_PROBE:
		break;
	case RSK_MSG_ZC_ADV:
	case RSK_MSG_ZC_DONE:
	case RSK_MSG_RESYNC:
		/* v1 negotiates none of the capabilities these belong to */
		rsk_event(link->rnet, RSK_EV_RX_NOT_NEGOTIATED);
		return false;
	default:
		rsk_event(link->rnet, RSK_EV_RX_UNKNOWN_TYPE);
		return false;
	}

	rs = rsk_link_find_chan(link, dst);
	if (!rs) {
		rsk_rx_no_channel(link, hdr);
		return false;
	}
	/* The peer's id is learned from its ACCEPT or REFUSE. */
	if (READ_ONCE(rs->peer_chan) != src &&
	    !(READ_ONCE(rs->sk.sk_state) == TCP_SYN_SENT &&
	      (hdr->type == RSK_MSG_CONN_ACCEPT ||
	       hdr->type == RSK_MSG_CONN_REFUSE))) {
		rsk_event(link->rnet, RSK_EV_RX_SRC_MISMATCH);
	} else if (!rsk_rx_len_ok(hdr->type, len)) {
		rsk_event(link->rnet, RSK_EV_RX_BAD_LEN);
		rsk_cm_reset(rs, RSK_RST_PROTOCOL);
	} else if (hdr->type == RSK_MSG_DATA && (hdr->flags & RSK_DATA_URG)) {
		rsk_event(link->rnet, RSK_EV_RX_NOT_NEGOTIATED);	/* no RSK_CAP_URG */
	} else if (hdr->type == RSK_MSG_DATA) {
		taken = rsk_rx_data(rs, rxb, hdr, len);
	} else {
		rsk_cm_rx(rs, hdr, hdr + 1, len);
	}
	sock_put(&rs->sk);
	return taken;
}

/**
 * rsk_rx_done - a receive completion on a link's CQ, softirq
 * @cq: the link's CQ; its context is the link
 * @wc: the completion; only wr_cqe and status are valid unless success
 */
void rsk_rx_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct rsk_rx_buf *rxb = container_of(wc->wr_cqe, struct rsk_rx_buf,
					      cqe);
	struct rsk_device *rdev = rxb->rdev;
	struct rsk_link *link = cq->cq_context;
	const struct rsk_wire_hdr *hdr;
	bool taken = false;

	atomic_dec(&rdev->srq_posted);
	if (wc->status != IB_WC_SUCCESS) {
		if (wc->status != IB_WC_WR_FLUSH_ERR) {
			rsk_link_count_error(link);
			rsk_link_kill(link, -ECONNRESET);
		}
		goto repost;
	}

	ib_dma_sync_single_for_cpu(rdev->ibdev, rxb->dma, RSK_RX_BUF_SIZE,
				   DMA_FROM_DEVICE);
	WRITE_ONCE(link->last_rx, jiffies);
	rsk_event(link->rnet, RSK_EV_RX_MSGS);
	atomic64_inc(&link->rx_msgs);
	atomic64_add(wc->byte_len, &link->rx_bytes);
	if (unlikely(READ_ONCE(link->state) == RSK_LINK_CONNECTING) &&
	    !link->active)
		rsk_link_up(link);	/* the message overtook ESTABLISHED */
	if (wc->byte_len < sizeof(*hdr) || wc->byte_len > RSK_RX_BUF_SIZE) {
		rsk_event(link->rnet, RSK_EV_RX_SHORT);
		goto repost;
	}
	hdr = page_address(rxb->page);
	taken = rsk_rx_dispatch(link, rxb, hdr, wc->byte_len - sizeof(*hdr));

repost:
	/* A buffer whose page went to a socket, or that would not post. */
	if (taken || rsk_srq_post(rdev, rxb))
		rsk_rx_buf_free(rxb);
}

/* After the reader freed room: advertise it if that is worth a message. */
static void rsk_rx_window_update(struct rsk_sock *rs)
{
	int space = rsk_rcvbuf(rs) - (int)rs->rcv_queued;
	u32 right = rs->rcv_nxt + max(space, 0);
	u32 opened = right - rs->rcv_wnd_sent;

	if (!rs->chan_id || rs->fin_rcvd || !rsk_seq_after(right, rs->rcv_wnd_sent))
		return;
	/* From a closed window at once; otherwise by a quarter of the buffer. */
	if (rs->rcv_wnd_sent == rs->rcv_nxt ||
	    opened >= (u32)rsk_rcvbuf(rs) / 4) {
		rs->tx_pending |= RSK_TX_WINDOW;
		rsk_tx_push_locked(rs);
	}
}

/*
 * Copy from the receive queue, @skip bytes in (for MSG_PEEK), at most
 * @len; consume what was copied unless peeking.  lock_sock held, so no
 * other reader frees chunks under us; softirq only appends.
 */
static int rsk_rx_copy(struct rsk_sock *rs, struct msghdr *msg, size_t len,
		       u32 skip, bool peek, bool discard)
{
	struct rsk_rx_chunk *chunk;
	size_t copied = 0;

	while (copied < len) {
		u32 n;

		spin_lock_bh(&rs->lock);
		chunk = NULL;
		list_for_each_entry(chunk, &rs->rx_queue, list) {
			if (skip < chunk->len)
				break;
			skip -= chunk->len;
		}
		if (list_entry_is_head(chunk, &rs->rx_queue, list))
			chunk = NULL;
		spin_unlock_bh(&rs->lock);
		if (!chunk)
			break;

		n = min_t(size_t, chunk->len - skip, len - copied);
		if (!discard && copy_to_iter(rsk_rx_chunk_data(chunk) + skip, n,
					     &msg->msg_iter) != n)
			return copied ? copied : -EFAULT;
		copied += n;
		if (peek) {
			skip += n;
			continue;
		}
		spin_lock_bh(&rs->lock);
		chunk->off += n;
		chunk->len -= n;
		rs->rcv_queued -= n;
		if (!chunk->len)
			list_del(&chunk->list);
		else
			chunk = NULL;
		rsk_rx_window_update(rs);
		spin_unlock_bh(&rs->lock);
		if (chunk)
			rsk_rx_chunk_free(chunk);
	}
	return copied;
}

static bool rsk_rx_ready(struct rsk_sock *rs, u32 have)
{
	struct sock *sk = &rs->sk;

	return READ_ONCE(rs->rcv_queued) > have || sk->sk_err ||
	       (sk->sk_shutdown & RCV_SHUTDOWN) ||
	       READ_ONCE(sk->sk_state) == TCP_CLOSE;
}

/**
 * rsk_rx_recvmsg - read from a stream socket; lock_sock held
 * @rs: the socket
 * @msg: where to
 * @len: at most this much
 * @flags: MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, MSG_TRUNC (read and
 *	discard, as TCP does)
 *
 * As tcp_recvmsg(): returns what is there once SO_RCVLOWAT (or all of
 * @len with MSG_WAITALL) is met, 0 at end of stream, a pending error,
 * -EAGAIN when nothing came within SO_RCVTIMEO.
 */
int rsk_rx_recvmsg(struct rsk_sock *rs, struct msghdr *msg, size_t len,
		   int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &rs->sk;
	bool peek = flags & MSG_PEEK;
	long timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	int target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	size_t copied = 0;
	int err = 0, n;

	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	if (flags & MSG_OOB)
		return -EINVAL;		/* no urgent data in v1 */

	if (list_empty(&rs->rx_queue) && sk->sk_state == TCP_ESTABLISHED)
		rsk_poll_busy_read(rs, flags & MSG_DONTWAIT);

	add_wait_queue(sk_sleep(sk), &wait);
	while (copied < len) {
		n = rsk_rx_copy(rs, msg, len - copied, peek ? copied : 0, peek,
				flags & MSG_TRUNC);
		if (n < 0) {
			err = n;
			break;
		}
		copied += n;
		if (copied >= target && (copied == len || !n))
			break;
		if (n)
			continue;
		if (copied >= target)
			break;
		if (sk->sk_err) {
			err = copied ? 0 : sock_error(sk);
			break;
		}
		if (sk->sk_shutdown & RCV_SHUTDOWN)
			break;
		if (sk->sk_state == TCP_CLOSE) {
			err = copied ? 0 : -ENOTCONN;
			break;
		}
		if (!timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(timeo);
			break;
		}
		sk_wait_event(sk, &timeo,
			      rsk_rx_ready(rs, peek ? copied : 0), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	if (copied)
		return copied;
	return err;
}

/* Free everything queued unread; rs->lock held.  Returns the bytes. */
u32 rsk_rx_purge(struct rsk_sock *rs)
{
	struct rsk_rx_chunk *chunk, *tmp;
	u32 bytes = rs->rcv_queued;

	list_for_each_entry_safe(chunk, tmp, &rs->rx_queue, list) {
		list_del(&chunk->list);
		rsk_rx_chunk_free(chunk);
	}
	rs->rcv_queued = 0;
	return bytes;
}
