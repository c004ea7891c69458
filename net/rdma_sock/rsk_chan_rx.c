// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: the receive path of a channel, channel layer.
 *
 *   receive completion (softirq, the link's CQ) -> rsk_srq_done
 *	(rsk_dev.c) -> rsk_link_rx (rsk_link_msg.c): the status, the length;
 *	link-level messages stay there, the rest come to the handlers
 *	rsk_chan_init() registered: connect requests (rsk_chan.c) and
 *   -> rsk_chan_rx_msg: the channel's ids and the body's length; control
 *	messages to rsk_chan.c, DATA here
 *   -> rsk_rx_data: sequence and window checks; the SRQ buffer's page is
 *	queued on the socket as it is (below the copybreak: copied, and the
 *	buffer reposted at once); wake the reader
 *   -> recvmsg -> rsk_chan_recvmsg: copy to the reader (the one copy),
 *	free what was read, and advertise the window it opened
 *
 * Nothing in a message is trusted before it is checked; a bad one is
 * counted and answered (RST) or dropped, never acted on.
 */
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/busy_poll.h>

#include "rsk.h"

/*
 * Charge a chunk's memory to its socket: the module-wide total, against
 * net.rdma_sock.mem, and the socket's memory cgroup, through sk_mem_*()
 * as TCP charges its receive queue; sk_rmem_alloc shows it.  rs->lock
 * held: it guards sk_forward_alloc here.  False when over a limit.
 */
static bool rsk_rx_charge(struct rsk_stream_sock *rs, u32 size)
{
	struct sock *sk = &rs->base.sk;

	lockdep_assert_held(&rs->lock);
	if ((int)size > sk->sk_forward_alloc &&
	    !__sk_mem_schedule(sk, size, SK_MEM_RECV))
		return false;
	sk_mem_charge(sk, size);
	atomic_add(size, &sk->sk_rmem_alloc);
	return true;
}

/* Give back what rsk_rx_charge() took; rs->lock held. */
static void rsk_rx_uncharge_size(struct rsk_stream_sock *rs, u32 size)
{
	struct sock *sk = &rs->base.sk;

	lockdep_assert_held(&rs->lock);
	atomic_sub(size, &sk->sk_rmem_alloc);
	sk_mem_uncharge(sk, size);
}

/* A chunk leaves the queue: give its memory back; rs->lock held. */
static void rsk_rx_uncharge(struct rsk_stream_sock *rs,
			    const struct rsk_rx_chunk *chunk)
{
	rsk_rx_uncharge_size(rs, chunk->truesize);
	sk_mem_reclaim(&rs->base.sk);
}

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
 * Append a small payload to the copy at the queue's tail if it has room;
 * rs->lock held.  The reader copies out of the chunk without the lock,
 * but only bytes below the length it read, which appends never touch.
 */
static bool rsk_rx_append(struct rsk_stream_sock *rs, const u8 *payload,
			  u32 len)
{
	struct rsk_rx_chunk *tail;

	if (list_empty(&rs->rx_queue))
		return false;
	tail = list_last_entry(&rs->rx_queue, struct rsk_rx_chunk, list);
	if (tail->page || tail->cap - tail->off - tail->len < len)
		return false;
	memcpy(tail->data + tail->off + tail->len, payload, len);
	/* The bytes before the length: pairs with rsk_rx_copy(). */
	smp_store_release(&tail->len, tail->len + len);
	rs->rcv_queued += len;
	return true;
}

/*
 * A copy of a small payload, with room for more after it.  Return: the
 * chunk, charged, or ERR_PTR(-ENOMEM) or (over a memory limit) -ENOBUFS.
 */
static struct rsk_rx_chunk *rsk_rx_copy_chunk(struct rsk_stream_sock *rs,
					      const u8 *payload, u32 len)
{
	struct rsk_rx_chunk *chunk;
	size_t size;

	size = kmalloc_size_roundup(max_t(size_t, struct_size(chunk, data, len),
					  RSK_RX_CHUNK_MIN));
	if (!rsk_rx_charge(rs, size))
		return ERR_PTR(-ENOBUFS);
	chunk = kmalloc(size, GFP_ATOMIC);
	if (!chunk) {
		rsk_rx_uncharge_size(rs, size);
		return ERR_PTR(-ENOMEM);
	}
	memcpy(chunk->data, payload, len);
	chunk->page = NULL;
	chunk->off = 0;
	chunk->cap = size - sizeof(*chunk);
	chunk->truesize = size;
	return chunk;
}

/* A chunk for a payload left in its page, which is charged whole. */
static struct rsk_rx_chunk *rsk_rx_page_chunk(struct rsk_stream_sock *rs,
					      struct rsk_rx_buf *rxb, u32 off)
{
	u32 size = sizeof(struct rsk_rx_chunk) + (PAGE_SIZE << RSK_RX_ORDER);
	struct rsk_rx_chunk *chunk;

	if (!rsk_rx_charge(rs, size))
		return ERR_PTR(-ENOBUFS);
	chunk = kmalloc(sizeof(*chunk), GFP_ATOMIC);
	if (!chunk) {
		rsk_rx_uncharge_size(rs, size);
		return ERR_PTR(-ENOMEM);
	}
	chunk->page = rsk_rx_buf_take_page(rxb);
	chunk->off = off;
	chunk->cap = 0;
	chunk->truesize = size;
	return chunk;
}

/*
 * Queue a DATA payload on the socket; rs->lock held.  Return: 1 when the
 * page of @rxb went with it (the buffer needs a new page), 0 when it was
 * copied; -ENOMEM when it could not be queued for want of memory,
 * -ENOBUFS when its memory is over a limit.
 */
static int rsk_rx_queue(struct rsk_stream_sock *rs, struct rsk_rx_buf *rxb,
			const u8 *payload, u32 len)
{
	u32 off = payload - (const u8 *)page_address(rxb->page);
	struct rsk_rx_chunk *chunk;
	int taken = 0;

	lockdep_assert_held(&rs->lock);
	if (len < RSK_RX_COPYBREAK) {
		if (rsk_rx_append(rs, payload, len))
			return 0;
		chunk = rsk_rx_copy_chunk(rs, payload, len);
		if (!IS_ERR(chunk))
			goto queue;
		if (PTR_ERR(chunk) == -ENOBUFS)
			return -ENOBUFS;
	}
	chunk = rsk_rx_page_chunk(rs, rxb, off);
	if (IS_ERR(chunk))
		return PTR_ERR(chunk);
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
static bool rsk_rx_data(struct rsk_stream_sock *rs, struct rsk_rx_buf *rxb,
			const struct rsk_wire_hdr *hdr, u32 len)
{
	struct sock *sk = &rs->base.sk;
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
	if (rsk_chan_rx_ack(rs, hdr))
		goto violation;
	ev = RSK_EV_RX_BAD_SEQ;
	if (seq != rs->rcv_nxt)
		goto violation;			/* RC is in order: never */
	ev = RSK_EV_RX_WINDOW;
	if (len && !rsk_seq_before(seq, rs->rcv_wnd_sent))
		goto violation;
	rsk_chan_heard(rs);
	if (sock_flag(sk, SOCK_DEAD) && len) {
		/* Closed: nobody will read it.  TCP answers with RST too. */
		reason = RSK_RST_ABORT;
		goto reset;
	}

	if (len) {
		taken = rsk_rx_queue(rs, rxb, (const u8 *)(hdr + 1), len);
		if (taken < 0) {
			/* Data cannot be dropped: a stream has no resend. */
			rsk_event(rs->base.rnet, taken == -ENOBUFS ?
				  RSK_EV_RX_MEM_LIMIT : RSK_EV_RX_NOMEM);
			reason = RSK_RST_SHUTDOWN;
			goto reset;
		}
		rs->rcv_nxt += len;
		rs->bytes_received += len;
		rs->data_segs_in++;
		rs->last_data_recv = jiffies;
		/* Acks flow even to a sender whose reader is idle. */
		if (rs->rcv_nxt - rs->rcv_ack_sent >=
		    (u32)rsk_chan_rcv_limit(rs) / 4)
			rs->tx_pending |= RSK_TX_WINDOW;
	}
	rsk_chan_push_locked(rs);
	spin_unlock_bh(&rs->lock);
	if (len)
		sk->sk_data_ready(sk);
	return taken;

violation:
	rsk_event(rs->base.rnet, ev);
reset:
	spin_unlock_bh(&rs->lock);
	rsk_chan_reset(rs, reason);
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
	rsk_link_send_ctrl(link, RSK_MSG_RST, 0, be32_to_cpu(hdr->src_chan),
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

/**
 * rsk_chan_rx_msg - a message for a channel: CONN_ACCEPT up to PROBE
 * @link: the link it came over
 * @rxb: its SRQ buffer
 * @hdr: its header, at the start of the buffer
 * @len: the body's length
 *
 * The link's handler for these types (softirq).  Returns true when the
 * buffer's page went to the socket.
 */
static bool rsk_chan_rx_msg(struct rsk_link *link, struct rsk_rx_buf *rxb,
			    const struct rsk_wire_hdr *hdr, u32 len)
{
	u32 dst = be32_to_cpu(hdr->dst_chan);
	u32 src = be32_to_cpu(hdr->src_chan);
	struct rsk_link_chan *chan;
	struct rsk_stream_sock *rs;
	bool taken = false;

	chan = rsk_link_find_chan(link, dst);
	if (!chan) {
		rsk_rx_no_channel(link, hdr);
		return false;
	}
	rs = container_of(chan, struct rsk_stream_sock, chan);
	/* The peer's id is learned from its ACCEPT or REFUSE. */
	if (READ_ONCE(rs->peer_chan) != src &&
	    !(READ_ONCE(rs->base.sk.sk_state) == TCP_SYN_SENT &&
	      (hdr->type == RSK_MSG_CONN_ACCEPT ||
	       hdr->type == RSK_MSG_CONN_REFUSE))) {
		rsk_event(link->rnet, RSK_EV_RX_SRC_MISMATCH);
	} else if (!rsk_rx_len_ok(hdr->type, len)) {
		rsk_event(link->rnet, RSK_EV_RX_BAD_LEN);
		rsk_chan_reset(rs, RSK_RST_PROTOCOL);
	} else if (hdr->type == RSK_MSG_DATA && (hdr->flags & RSK_DATA_URG)) {
		rsk_event(link->rnet, RSK_EV_RX_NOT_NEGOTIATED);	/* no RSK_CAP_URG */
	} else if (hdr->type == RSK_MSG_DATA) {
		taken = rsk_rx_data(rs, rxb, hdr, len);
	} else {
		rsk_chan_rx(rs, hdr, hdr + 1, len);
	}
	sock_put(&rs->base.sk);	/* rsk_link_find_chan()'s */
	return taken;
}

/* The link's handler for CONN_REQ: the ids first, then rsk_chan.c. */
static bool rsk_chan_rx_conn_req(struct rsk_link *link, struct rsk_rx_buf *rxb,
				 const struct rsk_wire_hdr *hdr, u32 len)
{
	if (hdr->dst_chan || !hdr->src_chan)
		rsk_event(link->rnet, RSK_EV_RX_BAD_CONN_REQ);
	else
		rsk_chan_conn_req(link, hdr, hdr + 1, len);
	return false;
}

/* Take the channel's messages from the link layer. */
void rsk_chan_rx_init(void)
{
	u8 type;

	rsk_link_rx_register(RSK_MSG_CONN_REQ, rsk_chan_rx_conn_req);
	for (type = RSK_MSG_CONN_ACCEPT; type <= RSK_MSG_PROBE; type++)
		rsk_link_rx_register(type, rsk_chan_rx_msg);
}

/* After the reader freed room: advertise it if that is worth a message. */
static void rsk_rx_window_update(struct rsk_stream_sock *rs)
{
	int space = rsk_chan_rcv_limit(rs) - (int)rs->rcv_queued;
	u32 right = rs->rcv_nxt + max(space, 0);
	u32 opened = right - rs->rcv_wnd_sent;

	lockdep_assert_held(&rs->lock);

	if (!rs->chan.id || rs->fin_rcvd || !rsk_seq_after(right, rs->rcv_wnd_sent))
		return;
	/* From a closed window at once; otherwise by a quarter of the buffer. */
	if (rs->rcv_wnd_sent == rs->rcv_nxt ||
	    opened >= (u32)rsk_chan_rcv_limit(rs) / 4) {
		rs->tx_pending |= RSK_TX_WINDOW;
		rsk_chan_push_locked(rs);
	}
}

/**
 * rsk_chan_accepted - accept() took a child off its listener's queue
 * @child: the child, referenced by the caller
 *
 * Its window may now cover its whole receive buffer: tell the peer.
 */
void rsk_chan_accepted(struct rsk_stream_sock *child)
{
	spin_lock_bh(&child->lock);
	child->unaccepted = false;
	rsk_rx_window_update(child);
	spin_unlock_bh(&child->lock);
}

/*
 * The NAPI id a socket on @link busy-polls: its link's CQ's (rsk_cq.c).
 * SO_BUSY_POLL, net.core.busy_read and busy_poll then spin on that CQ.
 */
void rsk_chan_mark_napi(struct rsk_stream_sock *rs, struct rsk_link *link)
{
#ifdef CONFIG_NET_RX_BUSY_POLL
	WRITE_ONCE(rs->base.sk.sk_napi_id, link->cq.napi.napi_id);
#endif
}

static bool rsk_busy_loop_end(void *arg, unsigned long start)
{
	struct rsk_stream_sock *rs = arg;

	return !list_empty(&rs->rx_queue) || READ_ONCE(rs->base.sk.sk_err) ||
	       sk_busy_loop_timeout(&rs->base.sk, start);
}

/*
 * Before a reader sleeps: spin on the link's CQ for SO_BUSY_POLL (or
 * net.core.busy_read) microseconds or until data is queued.
 */
static void rsk_rx_busy_read(struct rsk_stream_sock *rs, bool nonblock)
{
#ifdef CONFIG_NET_RX_BUSY_POLL
	unsigned int napi_id = READ_ONCE(rs->base.sk.sk_napi_id);

	if (!sk_can_busy_loop(&rs->base.sk) || napi_id < MIN_NAPI_ID)
		return;
	napi_busy_loop(napi_id, nonblock ? NULL : rsk_busy_loop_end, rs,
		       READ_ONCE(rs->base.sk.sk_prefer_busy_poll),
		       READ_ONCE(rs->base.sk.sk_busy_poll_budget) ?: BUSY_POLL_BUDGET);
#endif
}

/*
 * Copy from the receive queue, @skip bytes in (for MSG_PEEK), at most
 * @len; consume what was copied unless peeking.  lock_sock held, so no
 * other reader frees chunks under us; softirq only appends.
 */
static int rsk_rx_copy(struct rsk_stream_sock *rs, struct msghdr *msg, size_t len,
		       u32 skip, bool peek, bool discard)
{
	struct rsk_rx_chunk *chunk;
	size_t copied = 0;

	while (copied < len) {
		u32 n, off = skip;	/* @skip from the queue's head, @off in the chunk */

		spin_lock_bh(&rs->lock);
		chunk = NULL;
		list_for_each_entry(chunk, &rs->rx_queue, list) {
			if (off < chunk->len)
				break;
			off -= chunk->len;
		}
		if (list_entry_is_head(chunk, &rs->rx_queue, list))
			chunk = NULL;
		spin_unlock_bh(&rs->lock);
		if (!chunk)
			break;

		/* Appended bytes are there before their length. */
		n = min_t(size_t, smp_load_acquire(&chunk->len) - off,
			  len - copied);
		if (!discard && copy_to_iter(rsk_rx_chunk_data(chunk) + off, n,
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
		if (!chunk->len) {
			list_del(&chunk->list);
			rsk_rx_uncharge(rs, chunk);
		} else {
			chunk = NULL;
		}
		rsk_rx_window_update(rs);
		spin_unlock_bh(&rs->lock);
		if (chunk)
			rsk_rx_chunk_free(chunk);
	}
	return copied;
}

static bool rsk_rx_ready(struct rsk_stream_sock *rs, u32 have)
{
	struct sock *sk = &rs->base.sk;

	return READ_ONCE(rs->rcv_queued) > have || sk->sk_err ||
	       (sk->sk_shutdown & RCV_SHUTDOWN) ||
	       READ_ONCE(sk->sk_state) == TCP_CLOSE;
}

/**
 * rsk_chan_recvmsg - read from a stream socket; lock_sock held
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
int rsk_chan_recvmsg(struct rsk_stream_sock *rs, struct msghdr *msg, size_t len,
		     int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &rs->base.sk;
	bool peek = flags & MSG_PEEK;
	long timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	int target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	size_t copied = 0;
	int err = 0, n;

	sock_owned_by_me(&rs->base.sk);

	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	if (flags & MSG_OOB)
		return -EINVAL;		/* no urgent data in this version */

	if (list_empty(&rs->rx_queue) && sk->sk_state == TCP_ESTABLISHED)
		rsk_rx_busy_read(rs, flags & MSG_DONTWAIT);

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
u32 rsk_chan_rx_purge(struct rsk_stream_sock *rs)
{
	struct rsk_rx_chunk *chunk, *tmp;
	u32 bytes = rs->rcv_queued;

	lockdep_assert_held(&rs->lock);

	list_for_each_entry_safe(chunk, tmp, &rs->rx_queue, list) {
		list_del(&chunk->list);
		rsk_rx_uncharge(rs, chunk);
		rsk_rx_chunk_free(chunk);
	}
	rs->rcv_queued = 0;
	return bytes;
}
