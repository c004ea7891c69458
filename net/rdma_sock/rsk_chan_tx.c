// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: the send path of a channel, channel layer.
 *
 *   sendmsg -> rsk_chan_sendmsg: copy into the socket's write queue (one
 *	copy; the tail message grows while it waits, which is how small
 *	writes coalesce)
 *   -> rsk_chan_push: for each queued message, if the peer's window is
 *	open and cork/MSG_MORE/Nagle do not hold it: fill in the header
 *	and rsk_link_send() it (rsk_link_msg.c: a SEND, inline when it fits)
 *   -> rsk_chan_sent (the link's send completion, softirq, through
 *	chan_ops): account it, wake writers; the link frees it and gives
 *	the send slot to the next waiting channel (chan_ops->tx_slot)
 *
 * The peer's window, not a per-buffer credit, decides when a channel may
 * send; the link's send queue depth decides how many messages are in
 * flight.  RNR retries cover the moment the peer's SRQ runs dry.
 */
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "rsk.h"

/* A new message for a small write gets room for later ones to join. */
#define RSK_TX_SMALL		2048

/*
 * Send memory.  Every message a socket queues counts against SO_SNDBUF
 * (sk_wmem_queued); a data message's pages also count in the module's
 * stream total, against net.rdma_sock.mem, and its allocation is charged
 * to the socket's memory cgroup (rsk_tx_data_buf()).  Control messages,
 * a few per socket at most, are charged to SO_SNDBUF alone.
 */

/* A message leaves the socket: give back what it was charged; rs->lock held. */
static void rsk_tx_uncharge(struct rsk_stream_sock *rs, struct rsk_tx_buf *tb)
{
	struct sock *sk = &rs->base.sk;
	u32 pages;

	lockdep_assert_held(&rs->lock);
	sk_wmem_queued_add(sk, -(int)tb->size);
	if (tb->mem_charged) {
		rs->tx_mem_bytes -= tb->size;
		pages = rs->tx_mem_pages - DIV_ROUND_UP(rs->tx_mem_bytes, PAGE_SIZE);
		rsk_chan_tx_uncharge(pages);
		rs->tx_mem_pages -= pages;
		tb->mem_charged = false;
	}
	/* Writable again once the queue went below where memory was refused. */
	if (rs->snd_mem_limit && sk->sk_wmem_queued < rs->snd_mem_limit)
		WRITE_ONCE(rs->snd_mem_limit, 0);
}

/*
 * chan_ops->sent: a message the socket sent completed, its memory is free
 * again.  Drops the reference rsk_tx_send() took.
 */
void rsk_chan_sent(struct rsk_link_chan *chan, struct rsk_tx_buf *tb)
{
	struct rsk_stream_sock *rs = container_of(chan, struct rsk_stream_sock, chan);
	struct sock *sk = &rs->base.sk;

	spin_lock_bh(&rs->lock);
	rs->inflight--;
	/*
	 * An RC send completes once the peer's adapter has placed the data
	 * in its receive buffer: what TCP's SIOCOUTQ counts as acked.
	 */
	if (((struct rsk_wire_hdr *)tb->buf)->type == RSK_MSG_DATA) {
		rs->inflight_bytes -= tb->len;
		rs->bytes_acked += tb->len;	/* TCP_INFO: as SIOCOUTQ counts */
	}
	rsk_tx_uncharge(rs, tb);
	/* Nagle held a small message for this completion. */
	rsk_chan_push_locked(rs);
	spin_unlock_bh(&rs->lock);
	sk->sk_write_space(sk);
	sock_put(sk);
}

/**
 * rsk_chan_adv_wnd - the receive window to advertise; rs->lock held
 * @rs: the socket
 *
 * SO_RCVBUF minus what is queued unread.  The right edge never moves
 * left: a peer may already have sent up to an edge we advertised.
 */
u32 rsk_chan_adv_wnd(struct rsk_stream_sock *rs)
{
	int space = rsk_chan_rcv_limit(rs) - (int)rs->rcv_queued;
	u32 right = rs->rcv_nxt + max(space, 0);

	lockdep_assert_held(&rs->lock);

	if (rsk_seq_after(right, rs->rcv_wnd_sent))
		rs->rcv_wnd_sent = right;
	rs->rcv_ack_sent = rs->rcv_nxt;
	return rs->rcv_wnd_sent - rs->rcv_nxt;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_chan_adv_wnd);

/* Send one message of the channel; rs->lock held.  0, -EAGAIN or error. */
static int rsk_tx_send(struct rsk_stream_sock *rs, struct rsk_tx_buf *tb, u8 type,
		       u8 flags, u32 seq)
{
	int err;

	lockdep_assert_held(&rs->lock);

	rsk_link_msg_hdr(tb, type, flags, rs->peer_chan, rs->chan.id, seq,
			 rs->rcv_nxt, rsk_chan_adv_wnd(rs));
	tb->owner = &rs->chan;
	err = rsk_link_send(rs->link, tb, &rs->chan);
	if (err) {
		tb->owner = NULL;
		return err;
	}
	sock_hold(&rs->base.sk);		/* put in rsk_chan_sent() */
	rs->inflight++;
	rs->segs_out++;
	return 0;
}

/* A control message of the channel with an optional 4-byte reason. */
static int rsk_tx_send_ctrl(struct rsk_stream_sock *rs, u8 type, const void *body,
			    u32 body_len)
{
	struct rsk_tx_buf *tb;
	int err;

	tb = rsk_tx_buf_alloc(body_len, GFP_ATOMIC);
	if (!tb)
		return -ENOMEM;
	if (body_len)
		memcpy(tb->buf + sizeof(struct rsk_wire_hdr), body, body_len);
	tb->len = body_len;
	sk_wmem_queued_add(&rs->base.sk, tb->size);
	err = rsk_tx_send(rs, tb, type, 0, rs->snd_nxt);
	if (err) {
		rsk_tx_uncharge(rs, tb);
		rsk_tx_buf_free(tb);
	}
	return err;
}

static int rsk_tx_send_req(struct rsk_stream_sock *rs)
{
	struct rsk_wire_conn conn = {};
	int err;

	/* To a loopback address, from one: as TCP picks its source. */
	rsk_chan_sock_ops()->fill_addr(rs, rsk_addr_is_loopback(&rs->base.peer) ?
				       &rs->base.peer : &rs->link->local);
	/* The window this advertises holds until the ACCEPT's answer. */
	rs->rcv_nxt = 0;
	rs->rcv_wnd_sent = 0;
	conn.dst_port = rs->base.peer.port;
	conn.src_port = rs->base.local.port;
	if (rs->base.peer.family == AF_INET) {
		conn.ip_version = 4;
		memcpy(conn.dst_addr, &rs->base.peer.v4, 4);
		memcpy(conn.src_addr, &rs->base.local.v4, 4);
	} else {
		conn.ip_version = 6;
		memcpy(conn.dst_addr, &rs->base.peer.v6, 16);
		memcpy(conn.src_addr, &rs->base.local.v6, 16);
	}
	err = rsk_tx_send_ctrl(rs, RSK_MSG_CONN_REQ, &conn, sizeof(conn));
	if (!err)
		rs->req_wnd = rs->rcv_wnd_sent - rs->rcv_nxt;
	return err;
}

/* Whether cork, MSG_MORE or Nagle hold back a message that is not full. */
static bool rsk_tx_hold(struct rsk_stream_sock *rs, struct rsk_tx_buf *tb)
{
	if (tb->len >= tb->room || !list_is_last(&tb->list, &rs->write_queue) ||
	    rs->push_forced)
		return false;
	if (rs->corked || rs->more)
		return true;
	return !rs->nodelay && rs->inflight > 0;
}

/* Data the window lets go; rs->lock held.  Returns -EAGAIN when blocked. */
static int rsk_tx_push_data(struct rsk_stream_sock *rs)
{
	struct rsk_tx_buf *tb;
	int err;

	lockdep_assert_held(&rs->lock);

	while ((tb = list_first_entry_or_null(&rs->write_queue,
					      struct rsk_tx_buf, list))) {
		/* A message may start while the window is open at all. */
		if (!rsk_seq_before(rs->snd_nxt, rs->snd_wnd_end)) {
			trace_rsk_window_stall(rs->link_id, rs->chan.id,
					       rs->snd_nxt, rs->snd_wnd_end,
					       rs->wq_bytes);
			return -EAGAIN;
		}
		if (rsk_tx_hold(rs, tb))
			return -EAGAIN;
		list_del_init(&tb->list);
		err = rsk_tx_send(rs, tb, RSK_MSG_DATA, 0, rs->snd_nxt);
		if (err) {
			list_add(&tb->list, &rs->write_queue);
			return err;
		}
		rs->snd_nxt += tb->len;
		rs->wq_bytes -= tb->len;
		rs->inflight_bytes += tb->len;
		rs->bytes_sent += tb->len;
		rs->data_segs_out++;
		rs->last_data_sent = jiffies;
		rs->tx_pending &= ~RSK_TX_WINDOW;	/* it carried one */
	}
	return 0;
}

/* How soon a control message that could not be allocated is tried again. */
#define RSK_TX_RETRY	(HZ / 5)

/*
 * A message could not go (@err).  A send slot coming free pushes again
 * after -EAGAIN; the link's death resets the channel; but after -ENOMEM
 * (no buffer, no DMA mapping, a post refused) nothing else would, and a
 * WINDOW, FIN, PROBE, ACCEPT or CONN_REQ left pending, or DATA left
 * queued with nothing in flight, would hang both ends: the retry timer
 * pushes.
 */
static void rsk_tx_blocked(struct rsk_stream_sock *rs, int err)
{
	if (err != -ENOMEM)
		return;
	rsk_event(rs->base.rnet, RSK_EV_TX_NOMEM);
	if (!timer_pending(&rs->tx_retry_timer))
		sk_reset_timer(&rs->base.sk, &rs->tx_retry_timer,
			       jiffies + RSK_TX_RETRY);
}

static void rsk_chan_tx_retry(struct timer_list *t)
{
	struct rsk_stream_sock *rs = from_timer(rs, t, tx_retry_timer);

	rsk_chan_push(rs);
	sock_put(&rs->base.sk);		/* the pending timer's */
}

void rsk_chan_tx_retry_init(struct rsk_stream_sock *rs)
{
	timer_setup(&rs->tx_retry_timer, rsk_chan_tx_retry, 0);
}

/**
 * rsk_chan_push_locked - send what the channel may send now; rs->lock held
 * @rs: the socket
 *
 * In order: the connect request or its answer, data, then FIN once the
 * write queue is empty, then a window update if data did not carry one.
 * Stops at the first thing that must wait (window, send slot, memory);
 * whoever unblocks it pushes again: a WINDOW from the peer, a send
 * completion, the link, the retry timer (rsk_tx_blocked()).
 */
void rsk_chan_push_locked(struct rsk_stream_sock *rs)
{
	int err;

	lockdep_assert_held(&rs->lock);

	if (!rs->link || !rs->chan.id)
		return;

	if (rs->tx_pending & RSK_TX_REQ) {
		err = rsk_tx_send_req(rs);
		if (err)
			goto blocked;
		rs->tx_pending &= ~RSK_TX_REQ;
	}
	if (rs->base.sk.sk_state == TCP_SYN_SENT)
		return;
	/* A child's answer goes before anything else it sends. */
	if (rs->tx_pending & RSK_TX_ACCEPT) {
		err = rsk_tx_send_ctrl(rs, RSK_MSG_CONN_ACCEPT, NULL, 0);
		if (err)
			goto blocked;
		rs->tx_pending &= ~RSK_TX_ACCEPT;
	}

	err = rsk_tx_push_data(rs);
	if (err && err != -EAGAIN) {
		rsk_tx_blocked(rs, err);
		return;
	}
	if (err == -EAGAIN && !list_empty(&rs->write_queue) &&
	    !(rs->tx_pending & (RSK_TX_WINDOW | RSK_TX_PROBE)))
		return;

	if ((rs->tx_pending & RSK_TX_FIN) && list_empty(&rs->write_queue)) {
		err = rsk_tx_send_ctrl(rs, RSK_MSG_FIN, NULL, 0);
		if (err)
			goto blocked;
		rs->tx_pending &= ~(RSK_TX_FIN | RSK_TX_WINDOW);
		rs->fin_sent = true;
		rsk_chan_fin_sent(rs);
		if (!rs->chan.id)
			return;
	}
	if (rs->tx_pending & (RSK_TX_WINDOW | RSK_TX_PROBE)) {
		u8 type = (rs->tx_pending & RSK_TX_PROBE) ? RSK_MSG_PROBE :
							    RSK_MSG_WINDOW;

		err = rsk_tx_send_ctrl(rs, type, NULL, 0);
		if (err)
			goto blocked;
		rs->tx_pending &= ~(RSK_TX_WINDOW | RSK_TX_PROBE);
	}
	return;

blocked:
	rsk_tx_blocked(rs, err);
}

void rsk_chan_push(struct rsk_stream_sock *rs)
{
	spin_lock_bh(&rs->lock);
	rsk_chan_push_locked(rs);
	spin_unlock_bh(&rs->lock);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_chan_push);

/* Drop every unsent message, on reset or abort; rs->lock held. */
void rsk_chan_tx_purge(struct rsk_stream_sock *rs)
{
	struct rsk_tx_buf *tb, *tmp;

	lockdep_assert_held(&rs->lock);

	list_for_each_entry_safe(tb, tmp, &rs->write_queue, list) {
		list_del(&tb->list);
		rsk_tx_uncharge(rs, tb);
		rsk_tx_buf_free(tb);
	}
	rs->wq_bytes = 0;
	rs->tx_pending &= ~(RSK_TX_FIN | RSK_TX_WINDOW | RSK_TX_PROBE);
}

/* TCP_NOTSENT_LOWAT, or the namespace's, as tcp_notsent_lowat(). */
static u32 rsk_tx_notsent_lowat(const struct rsk_stream_sock *rs)
{
	return READ_ONCE(rs->notsent_lowat) ?:
	       READ_ONCE(sock_net(&rs->base.sk)->ipv4.sysctl_tcp_notsent_lowat);
}

/*
 * Under SO_SNDBUF, under where memory was last refused, and with less
 * unsent than TCP_NOTSENT_LOWAT (as tcp_stream_memory_free(), which
 * sendmsg() and poll() ask too: the unsent bytes doubled for a wakeup).
 */
static bool rsk_tx_room(const struct sock *sk, unsigned int wake)
{
	const struct rsk_stream_sock *rs = rsk_stream_sk(sk);
	int limit = READ_ONCE(rs->snd_mem_limit);
	int queued = READ_ONCE(sk->sk_wmem_queued);

	return queued < rsk_sndbuf(rsk_sk(sk)) && (!limit || queued < limit) &&
	       (READ_ONCE(rs->wq_bytes) << wake) < rsk_tx_notsent_lowat(rs);
}

static bool rsk_tx_writable(const struct sock *sk)
{
	return rsk_tx_room(sk, 0);
}

/*
 * Whether poll() says POLLOUT and sk_write_space wakes writers: the free
 * room at least half of what is queued (a third of SO_SNDBUF once full),
 * as TCP's sk_stream_is_writeable() (sk_stream_min_wspace()).  A writer
 * that filled its buffer is then not woken for each message the peer's
 * adapter takes while the peer reads nothing, only for room worth a
 * write; sendmsg() itself queues up to SO_SNDBUF (rsk_tx_writable()).
 */
static bool rsk_tx_poll_writable(const struct sock *sk)
{
	int queued = READ_ONCE(sk->sk_wmem_queued);

	return rsk_tx_room(sk, 1) &&
	       rsk_sndbuf(rsk_sk(sk)) - queued >= queued >> 1;
}

/*
 * sk_write_space: wake writers and POLLOUT pollers once there is room, if
 * one of them found none (SOCK_NOSPACE), as TCP does: a wakeup nobody
 * waits for would be a spurious edge for EPOLLET.
 */
void rsk_chan_write_space(struct sock *sk)
{
	struct socket *sock = READ_ONCE(sk->sk_socket);
	struct socket_wq *wq;

	if (!sock || !rsk_tx_poll_writable(sk) ||
	    !test_and_clear_bit(SOCK_NOSPACE, &sock->flags))
		return;
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_sync_poll(&wq->wait, EPOLLOUT |
						EPOLLWRNORM | EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

bool rsk_chan_poll_writable(struct sock *sk)
{
	if (rsk_tx_poll_writable(sk))
		return true;
	set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
	/* A completion may have freed room since the check. */
	smp_mb__after_atomic();
	return rsk_tx_poll_writable(sk);
}

/* Wait until the socket may queue more, or why it may not; lock_sock held. */
static int rsk_tx_wait_memory(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err = 0;

	sock_owned_by_me(sk);

	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN)) {
			err = -EPIPE;
			break;
		}
		if (rsk_tx_writable(sk))
			break;
		if (!*timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		sk_wait_event(sk, timeo, rsk_tx_writable(sk) || sk->sk_err ||
			      (sk->sk_shutdown & SEND_SHUTDOWN), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

/*
 * The allocation of a data message, charged to the socket's memory
 * cgroup as TCP charges its write queue: sk_memcg is its creator's, or
 * for a child its listener's; a socket without one (a kernel socket made
 * outside any cgroup) charges nobody, as TCP's.  Process context, so the
 * charge may reclaim; a cgroup at its limit fails it rather than call its
 * OOM killer (__GFP_RETRY_MAYFAIL), and the writer waits for its queue
 * to shrink (rsk_tx_refused()), as TCP's socket memory never OOM-kills.
 */
static struct rsk_tx_buf *rsk_tx_buf_alloc_memcg(struct sock *sk, u32 payload)
{
#ifdef CONFIG_MEMCG
	if (sk->sk_memcg) {
		struct mem_cgroup *old = set_active_memcg(sk->sk_memcg);
		struct rsk_tx_buf *tb;

		tb = rsk_tx_buf_alloc(payload, sk->sk_allocation | __GFP_ACCOUNT |
				      __GFP_RETRY_MAYFAIL);
		set_active_memcg(old);
		return tb;
	}
#endif
	return rsk_tx_buf_alloc(payload, sk->sk_allocation);
}

/*
 * A new data message, charged (see "Send memory" above).  lock_sock held.
 * Returns it, ERR_PTR(-ENOBUFS) when the allocation failed, or
 * ERR_PTR(-EAGAIN) over mem's pressure mark (tx_mem_limit).
 */
static struct rsk_tx_buf *rsk_tx_data_buf(struct rsk_stream_sock *rs, u32 payload)
{
	struct sock *sk = &rs->base.sk;
	struct rsk_tx_buf *tb;
	u32 pages;

	tb = rsk_tx_buf_alloc_memcg(sk, payload);
	if (!tb)
		return ERR_PTR(-ENOBUFS);
	tb->room = min_t(u32, tb->room, rs->max_payload);
	spin_lock_bh(&rs->lock);
	pages = DIV_ROUND_UP(rs->tx_mem_bytes + tb->size, PAGE_SIZE) -
		rs->tx_mem_pages;
	if (pages && !rsk_chan_tx_charge(sk, pages)) {
		spin_unlock_bh(&rs->lock);
		rsk_event(rs->base.rnet, RSK_EV_TX_MEM_LIMIT);
		rsk_tx_buf_free(tb);
		return ERR_PTR(-EAGAIN);
	}
	rs->tx_mem_pages += pages;
	rs->tx_mem_bytes += tb->size;
	tb->mem_charged = true;
	sk_wmem_queued_add(sk, tb->size);
	spin_unlock_bh(&rs->lock);
	return tb;
}

/*
 * No memory at all, with nothing queued that could free some: as
 * sk_stream_wait_memory() does then, sleep a short random while (up to
 * 200 ms, within the send timeout) and let the caller try again;
 * -EAGAIN for a nonblocking write.  lock_sock held.
 */
static int rsk_tx_wait_vm(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long vm_wait = get_random_u32() % (HZ / 5) + 2, left;

	if (!*timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(*timeo);
	vm_wait = min(vm_wait, *timeo);
	left = vm_wait;
	add_wait_queue(sk_sleep(sk), &wait);
	sk_wait_event(sk, &left, sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN),
		      &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
	if (*timeo != MAX_SCHEDULE_TIMEOUT)
		*timeo -= vm_wait - left;
	return 0;
}

/*
 * Memory for more was refused (@err from rsk_tx_data_buf()): the socket
 * is not writable until its queue shrinks, as TCP's sendmsg waits for
 * memory.  With nothing queued, nothing would wake a writer: a refusal
 * is tried again at once (a socket with nothing queued is never
 * refused), a failed allocation after a short sleep (rsk_tx_wait_vm()).
 * lock_sock held.
 */
static int rsk_tx_refused(struct rsk_stream_sock *rs, int err, long *timeo)
{
	struct sock *sk = &rs->base.sk;
	int queued;

	spin_lock_bh(&rs->lock);
	queued = sk->sk_wmem_queued;
	if (queued)
		WRITE_ONCE(rs->snd_mem_limit, queued);
	spin_unlock_bh(&rs->lock);
	if (queued || err == -EAGAIN)
		return 0;
	return rsk_tx_wait_vm(sk, timeo);
}

/*
 * A write that must wait for room first sends everything queued, the
 * tail that cork, MSG_MORE or Nagle hold included, as tcp_sendmsg()
 * pushes with TCP_NAGLE_PUSH before it waits: the room it waits for may
 * be that tail's.  lock_sock held.
 */
static void rsk_tx_push_waiting(struct rsk_stream_sock *rs)
{
	spin_lock_bh(&rs->lock);
	rs->more = false;
	rs->push_forced = true;
	rsk_chan_push_locked(rs);
	rs->push_forced = false;
	spin_unlock_bh(&rs->lock);
}

/*
 * Take the unsent tail message if it has room left, so that this write
 * grows it without new memory, as tcp_sendmsg() appends to its tail skb
 * before it checks for room; NULL if there is none.  The caller copies
 * into it with no spinlock held and puts it back with rsk_tx_queue_tail().
 */
static struct rsk_tx_buf *rsk_tx_take_tail(struct rsk_stream_sock *rs)
{
	struct rsk_tx_buf *tb;

	spin_lock_bh(&rs->lock);
	tb = list_empty(&rs->write_queue) ? NULL :
	     list_last_entry(&rs->write_queue, struct rsk_tx_buf, list);
	if (tb && tb->len < tb->room)
		list_del_init(&tb->list);
	else
		tb = NULL;
	spin_unlock_bh(&rs->lock);
	return tb;
}

/* A new message for @left more bytes; small writes get room to grow into. */
static struct rsk_tx_buf *rsk_tx_new_buf(struct rsk_stream_sock *rs, size_t left)
{
	u32 payload = min_t(size_t, left, rs->max_payload);

	if (payload < RSK_TX_SMALL)
		payload = RSK_TX_SMALL;
	return rsk_tx_data_buf(rs, min_t(u32, payload, rs->max_payload));
}

static void rsk_tx_queue_tail(struct rsk_stream_sock *rs, struct rsk_tx_buf *tb,
			      u32 added, bool more)
{
	spin_lock_bh(&rs->lock);
	/*
	 * A new message the copy failed to fill; or the connection was
	 * reset while we copied (rsk_chan_done() purged the queue and shut
	 * sending down under this lock): nothing of it will ever be sent.
	 */
	if (!tb->len || (rs->base.sk.sk_shutdown & SEND_SHUTDOWN)) {
		rsk_tx_uncharge(rs, tb);
		rsk_tx_buf_free(tb);
		spin_unlock_bh(&rs->lock);
		return;
	}
	list_add_tail(&tb->list, &rs->write_queue);
	rs->wq_bytes += added;
	rs->more = more;
	rsk_chan_push_locked(rs);
	spin_unlock_bh(&rs->lock);
}

/* Whether the socket may send data at all; lock_sock held. */
static int rsk_tx_check_state(struct sock *sk)
{
	if (sk->sk_err)
		return sock_error(sk);
	if (sk->sk_shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		return -EPIPE;
	return 0;
}

/**
 * rsk_chan_sendmsg - queue a write; lock_sock held
 * @rs: a connected stream socket (SYN_SENT is waited out)
 * @msg: the data
 * @len: its length
 *
 * Return: bytes queued, or -errno as tcp_sendmsg() gives it (EPIPE with
 * SIGPIPE unless MSG_NOSIGNAL, EAGAIN, a pending socket error).
 */
int rsk_chan_sendmsg(struct rsk_stream_sock *rs, struct msghdr *msg, size_t len)
{
	struct sock *sk = &rs->base.sk;
	bool more = msg->msg_flags & MSG_MORE;
	long timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	struct rsk_tx_buf *tb;
	size_t copied = 0;
	int err;

	sock_owned_by_me(&rs->base.sk);

	if (sk->sk_state == TCP_SYN_SENT) {
		err = rsk_chan_wait_connect(rs, &timeo);
		if (err)
			goto out_err;
	}

	err = rsk_tx_check_state(sk);	/* also for a zero-length send */
	if (err)
		goto out_err;
	while (msg_data_left(msg)) {
		u32 n;

		err = rsk_tx_check_state(sk);
		if (err)
			goto out_err;
		tb = rsk_tx_take_tail(rs);
		if (!tb && !rsk_tx_writable(sk)) {
			rsk_tx_push_waiting(rs);
			err = rsk_tx_wait_memory(sk, &timeo);
			if (err)
				goto out_err;
			continue;
		}
		if (!tb) {
			tb = rsk_tx_new_buf(rs, msg_data_left(msg));
			if (IS_ERR(tb)) {
				err = rsk_tx_refused(rs, PTR_ERR(tb), &timeo);
				if (err)
					goto out_err;
				continue;
			}
		}
		n = min_t(size_t, tb->room - tb->len, msg_data_left(msg));
		if (!copy_from_iter_full(tb->buf + sizeof(struct rsk_wire_hdr) +
					 tb->len, n, &msg->msg_iter)) {
			rsk_tx_queue_tail(rs, tb, 0, more);
			err = -EFAULT;
			goto out_err;
		}
		tb->len += n;
		copied += n;
		rsk_tx_queue_tail(rs, tb, n, more || msg_data_left(msg));
	}
	return copied;

out_err:
	if (copied)
		return copied;
	return sk_stream_error(sk, msg->msg_flags, err);
}
