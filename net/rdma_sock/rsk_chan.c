// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: channels: connect, accept, half close, reset; channel layer.
 *
 * A stream socket is a channel on a link.  Its states are TCP's, so that
 * tools and programs see what they expect:
 *
 *   SYN_SENT     CONN_REQ sent (or waiting for the link); ACCEPT moves to
 *                ESTABLISHED, REFUSE or RST to CLOSE
 *   ESTABLISHED  both directions open
 *   FIN_WAIT1    we shut down: FIN queued behind our data
 *   FIN_WAIT2    our FIN sent, the peer's not yet received
 *   CLOSE_WAIT   the peer's FIN received, ours not yet queued
 *   LAST_ACK     both queued; CLOSE once ours is sent
 *   CLOSE        done; the channel id is released
 *
 * There is no TIME_WAIT and no third handshake message: the link is
 * reliable and ordered, and every message names both channel ids.
 * Functions named _locked or documented so run under rs->lock (they
 * assert it); the others take it.
 *
 * Below: the link (rsk_link.c) calls up only through what rsk_chan_init()
 * registers: the message handlers and struct rsk_link_chan_ops.  Above:
 * the stream socket (rsk_stream.c) registers struct rsk_chan_sock_ops, by
 * which a connect request finds its listener and gets a child socket.
 */
#include <linux/random.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "rsk.h"

/*
 * Stream memory, module-wide, as TCP's (tcp_memory_allocated), against
 * net.rdma_sock.mem (pages, rsk_chan_mem: rsk_chan_mem_init()).  Receive:
 * the pages queued chunks take, charged through sk_mem_*() (rsk_chan_rx.c;
 * the stream proto points here) and to each socket's memory cgroup.
 * Send: the pages of queued messages, added by rsk_chan_tx_charge(); the
 * memory cgroup gets those through the allocation itself (rsk_chan_tx.c).
 */
atomic_long_t rsk_chan_memory_allocated;
long rsk_chan_mem[3];

/* As tcp_init_mem(): a sixteenth of what buffers may take, 3/4 of it before pressure. */
void rsk_chan_mem_init(void)
{
	unsigned long limit = max(nr_free_buffer_pages() / 16, 128UL);

	rsk_chan_mem[0] = limit / 4 * 3;
	rsk_chan_mem[1] = limit;
	rsk_chan_mem[2] = rsk_chan_mem[0] * 2;
}

/**
 * rsk_chan_tx_charge - count a send message's pages in the module total
 * @sk: the sending socket
 * @pages: the message's pages
 *
 * Over mem's pressure mark (its second figure) only a socket with
 * nothing queued may queue, so that each socket can always make
 * progress, as a TCP socket always gets one skb.  Sends stop there, not
 * at the hard limit: what lies between is the receive side's, which
 * cannot drop and would reset its channels over the hard limit, so that
 * senders whose peers do not read cannot get other sockets reset.  The
 * total is read and raised without a lock: it may overshoot by what the
 * senders of one instant add.
 *
 * Return: whether the pages were counted.
 */
bool rsk_chan_tx_charge(const struct sock *sk, unsigned int pages)
{
	long allocated = atomic_long_read(&rsk_chan_memory_allocated);

	if (allocated + pages > READ_ONCE(rsk_chan_mem[1]) &&
	    READ_ONCE(sk->sk_wmem_queued))
		return false;
	atomic_long_add(pages, &rsk_chan_memory_allocated);
	return true;
}

void rsk_chan_tx_uncharge(unsigned int pages)
{
	atomic_long_sub(pages, &rsk_chan_memory_allocated);
}

/* The stream socket layer's callbacks, set once at init. */
static const struct rsk_chan_sock_ops *rsk_sock_ops;

void rsk_chan_register_sock_ops(const struct rsk_chan_sock_ops *ops)
{
	WARN_ON_ONCE(rsk_sock_ops);
	rsk_sock_ops = ops;
}

const struct rsk_chan_sock_ops *rsk_chan_sock_ops(void)
{
	return rsk_sock_ops;
}

/* Largest window a peer may advertise: keeps sequence arithmetic sane. */
#define RSK_MAX_WND	BIT(30)

/**
 * rsk_chan_rx_ack - take the ack and window a peer's header carries
 * @rs: the socket, lock held
 * @hdr: the header
 *
 * Return: 0, or -EPROTO when it acks bytes never sent.
 */
int rsk_chan_rx_ack(struct rsk_stream_sock *rs, const struct rsk_wire_hdr *hdr)
{
	u32 ack = be32_to_cpu(hdr->ack);
	u32 wnd = min_t(u32, be32_to_cpu(hdr->wnd), RSK_MAX_WND);
	u32 right = ack + wnd;

	lockdep_assert_held(&rs->lock);

	if (rsk_seq_after(ack, rs->snd_nxt) || rsk_seq_before(ack, rs->snd_una))
		return -EPROTO;
	rs->segs_in++;
	rs->snd_una = ack;
	if (rsk_seq_after(right, rs->snd_wnd_end))
		rs->snd_wnd_end = right;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_chan_rx_ack);

/*
 * The channel is over: CLOSE, the id released, unsent data dropped, every
 * waiter woken.  rs->lock held; the caller holds a reference.
 */
static void rsk_chan_done(struct rsk_stream_sock *rs, int err)
{
	struct sock *sk = &rs->base.sk;

	lockdep_assert_held(&rs->lock);

	if (err)
		WRITE_ONCE(sk->sk_err, -err);
	rsk_chan_set_state(rs, TCP_CLOSE);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	rsk_chan_tx_purge(rs);
	rs->tx_pending = 0;
	sk_stop_timer(sk, &sk->sk_timer);	/* keepalive or orphan */
	sk_stop_timer(sk, &rs->tx_retry_timer);
	if (rs->link)
		rsk_link_detach(rs->link, &rs->chan);
	if (err)
		sk_error_report(sk);
	sk->sk_state_change(sk);
}

/*
 * Send an RST for the channel outside its send queue: it must go now;
 * rs->lock held.  A child whose CONN_ACCEPT has not gone yet (it waits
 * for a send slot) refuses instead: the connecting peer takes nothing
 * but an answer to its request, and would wait for its connect timeout.
 */
static void rsk_chan_send_rst(struct rsk_stream_sock *rs, u32 reason)
{
	struct rsk_wire_rst rst = { .reason = cpu_to_be32(reason) };
	struct rsk_wire_refuse ref = {
		.reason = cpu_to_be32(RSK_REFUSE_NO_LISTENER),
	};

	lockdep_assert_held(&rs->lock);
	if (!rs->link || !rs->chan.id || !rs->peer_chan)
		return;
	if (rs->tx_pending & RSK_TX_ACCEPT) {
		rsk_event(rs->base.rnet, RSK_EV_REFUSED);
		rsk_link_send_ctrl_own(rs->link, RSK_MSG_CONN_REFUSE, 0,
				       rs->peer_chan, 0, &ref, sizeof(ref));
		return;
	}
	rsk_event(rs->base.rnet, RSK_EV_RST_SENT);
	trace_rsk_chan_reset(rs->link_id, rs->chan.id, rs->peer_chan, reason,
			     true);
	rsk_link_send_ctrl_own(rs->link, RSK_MSG_RST, 0, rs->peer_chan,
			       rs->chan.id, &rst, sizeof(rst));
}

/**
 * rsk_chan_reset - abort a channel: RST to the peer, ECONNRESET here
 * @rs: the socket; the caller holds a reference, not the lock
 * @reason: enum rsk_wire_rst_reason
 */
void rsk_chan_reset(struct rsk_stream_sock *rs, u32 reason)
{
	spin_lock_bh(&rs->lock);
	if (rs->chan.id) {
		rsk_chan_send_rst(rs, reason);
		rsk_chan_done(rs, -ECONNRESET);
	}
	spin_unlock_bh(&rs->lock);
}

/* The link died under the channel (or never came up). */
static void rsk_chan_fail(struct rsk_stream_sock *rs, int err)
{
	spin_lock_bh(&rs->lock);
	if (rs->chan.id)
		rsk_chan_done(rs, err);
	spin_unlock_bh(&rs->lock);
}

/* Our FIN went out; rs->lock held. */
void rsk_chan_fin_sent(struct rsk_stream_sock *rs)
{
	struct sock *sk = &rs->base.sk;

	lockdep_assert_held(&rs->lock);

	if (rs->fin_rcvd) {
		rsk_chan_done(rs, 0);	/* both directions closed */
		return;
	}
	rsk_chan_set_state(rs, TCP_FIN_WAIT2);
	sk->sk_state_change(sk);
}

/* The link came up under a socket that was waiting to send CONN_REQ. */
static void rsk_chan_link_up(struct rsk_stream_sock *rs)
{
	rsk_chan_mark_napi(rs, rs->link);	/* its NAPI exists from now on */
	spin_lock_bh(&rs->lock);
	if (rs->base.sk.sk_state == TCP_SYN_SENT && rs->chan.id) {
		rs->max_payload = rsk_chan_mss(rs, rs->link);
		rs->tx_pending |= RSK_TX_REQ;
		rsk_chan_push_locked(rs);
	}
	spin_unlock_bh(&rs->lock);
}

/**
 * rsk_chan_connect - start connecting a bound stream socket
 * @rs: the socket, lock_sock held, in CLOSE
 * @peer: where to
 *
 * The socket is bound to its link here, once; a socket whose earlier
 * connect failed (its channel released) may be bound to a new one.
 */
int rsk_chan_connect(struct rsk_stream_sock *rs, const struct rsk_addr *peer)
{
	const struct rsk_addr *via = peer, *from = NULL;
	struct sock *sk = &rs->base.sk;
	struct rsk_addr self;
	struct rsk_link *link;
	int ret;

	sock_owned_by_me(&rs->base.sk);

	if (rs->link) {
		rsk_link_put(rs->link);
		rs->link = NULL;
	}
	/*
	 * A loopback address: rdma_cm resolves it on InfiniBand only, so
	 * over RoCE the link goes to this host's RoCE address.  The channel
	 * still names the loopback address at both ends, as TCP does.
	 */
	if (rsk_addr_is_loopback(peer) &&
	    !rsk_dev_self_addr(sock_net(sk), peer->family, &self))
		via = &self;
	/*
	 * A socket bound to an address of its own needs a link from that
	 * address: the peer takes a channel's source only from the link's.
	 */
	if (!rsk_addr_is_loopback(peer) && !rsk_addr_is_any(&rs->base.local) &&
	    !rsk_addr_is_loopback(&rs->base.local))
		from = &rs->base.local;
	link = rsk_link_get_for_peer(rs->base.rnet, via, from);
	if (IS_ERR(link))
		return PTR_ERR(link);

	rsk_chan_mark_napi(rs, link);
	spin_lock_bh(&rs->lock);
	rs->link = link;
	WRITE_ONCE(rs->link_id, link->id);
	rs->base.peer = *peer;
	rs->snd_nxt = get_random_u32();
	rs->snd_una = rs->snd_nxt;
	rs->last_data_sent = jiffies;
	rs->last_data_recv = rs->last_data_sent;
	rs->snd_wnd_end = rs->snd_nxt;
	rs->peer_chan = 0;
	rs->fin_rcvd = false;
	rs->fin_sent = false;
	rs->tx_pending = 0;
	WRITE_ONCE(sk->sk_err, 0);
	WRITE_ONCE(sk->sk_shutdown, 0);
	rsk_chan_set_state(rs, TCP_SYN_SENT);
	ret = rsk_link_attach(link, &rs->chan);
	if (ret >= 0) {
		/* An answer lost to the peer's overload must not hang us. */
		rs->connect_deadline = jiffies + rsk_syn_timeout(rs);
		sk_reset_timer(sk, &sk->sk_timer, rs->connect_deadline);
	}
	if (ret < 0) {
		rsk_chan_set_state(rs, TCP_CLOSE);
	} else if (ret == 1) {
		rs->max_payload = rsk_chan_mss(rs, link);
		rs->tx_pending |= RSK_TX_REQ;
		rsk_chan_push_locked(rs);
		ret = 0;
	}
	spin_unlock_bh(&rs->lock);
	if (!ret)
		rsk_event(rs->base.rnet, RSK_EV_CONNECTS);
	return ret;
}

static bool rsk_chan_connect_done(struct sock *sk)
{
	return READ_ONCE(sk->sk_state) != TCP_SYN_SENT;
}

/**
 * rsk_chan_wait_connect - wait until a connect is answered; lock_sock held
 * @rs: the socket
 * @timeo: how long; updated
 *
 * Return: 0 when connected, the socket's error when it failed, -EAGAIN
 * (or -EINPROGRESS to connect(), the caller's business) when time ran out,
 * or the signal's errno.
 */
int rsk_chan_wait_connect(struct rsk_stream_sock *rs, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &rs->base.sk;
	int err = 0;

	sock_owned_by_me(&rs->base.sk);

	add_wait_queue(sk_sleep(sk), &wait);
	while (sk->sk_state == TCP_SYN_SENT) {
		if (!*timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		sk_wait_event(sk, timeo, rsk_chan_connect_done(sk), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	if (err)
		return err;
	if (sk->sk_state == TCP_CLOSE)
		return sock_error(sk) ?: -ECONNRESET;
	return 0;
}

static void rsk_chan_refuse(struct rsk_link *link, u32 dst, u32 reason)
{
	struct rsk_wire_refuse ref = { .reason = cpu_to_be32(reason) };

	rsk_event(link->rnet, RSK_EV_REFUSED);
	rsk_link_send_ctrl(link, RSK_MSG_CONN_REFUSE, 0, dst, 0, &ref,
			   sizeof(ref));
}

/* Read the addresses of a CONN_REQ; 0 or an rsk_wire_refuse_reason. */
static int rsk_chan_parse_req(const struct rsk_wire_conn *conn,
			      struct rsk_addr *local, struct rsk_addr *peer)
{
	memset(local, 0, sizeof(*local));
	memset(peer, 0, sizeof(*peer));
	if (!conn->dst_port || !conn->src_port)
		return RSK_REFUSE_MALFORMED;
	local->port = conn->dst_port;
	peer->port = conn->src_port;
	switch (conn->ip_version) {
	case 4:
		local->family = AF_INET;
		peer->family = AF_INET;
		memcpy(&local->v4, conn->dst_addr, 4);
		memcpy(&peer->v4, conn->src_addr, 4);
		return 0;
	case 6:
		local->family = AF_INET6;
		peer->family = AF_INET6;
		memcpy(&local->v6, conn->dst_addr, 16);
		memcpy(&peer->v6, conn->src_addr, 16);
		if (ipv6_addr_v4mapped(&local->v6) ||
		    ipv6_addr_v4mapped(&peer->v6))
			return RSK_REFUSE_MALFORMED;	/* send those as 4 */
		return 0;
	default:
		return RSK_REFUSE_MALFORMED;
	}
}

/*
 * Whether a CONN_REQ's source address is one its link may speak for: the
 * address the link came from; on a link proven to be to this namespace
 * (rsk_link.self), any of its own addresses or a loopback one.  Without
 * this, getpeername() of an accepted socket would say whatever the peer
 * wrote, and address-based access checks would mean nothing.
 */
static bool rsk_chan_req_source_ok(const struct rsk_link *link,
				   const struct rsk_addr *src)
{
	const struct rsk_addr *from = &link->peer;

	if (link->self)
		return rsk_addr_is_loopback(src) ||
		       rsk_addr_is_local(link->rnet->net, src);
	if (src->family != from->family)
		return false;
	if (src->family == AF_INET)
		return src->v4 == from->v4;
	return ipv6_addr_equal(&src->v6, &from->v6);
}

/*
 * A connect request, as it came off the wire: the child is made from it
 * at once, or later from its copy on the listener's half-open list.
 */
struct rsk_conn_req {
	struct list_head node;		/* listener->half_open */
	struct rsk_link *link;		/* a reference while on the list */
	u32 peer_chan;
	u32 isn;			/* the requester's first byte */
	u32 wnd;			/* its window */
	struct rsk_addr local;
	struct rsk_addr peer;
	unsigned long expires;		/* jiffies */
};

/*
 * A child socket for an accepted request: ESTABLISHED at once, on the
 * link the request came over, announced with CONN_ACCEPT.
 */
static struct rsk_stream_sock *rsk_chan_new_child(struct rsk_stream_sock *listener,
						  struct rsk_conn_req *req)
{
	struct rsk_link *link = req->link;
	struct rsk_stream_sock *child;
	struct sock *sk;
	int ret;

	/* Addresses come back in the form the listener was bound with. */
	if (req->local.family == AF_INET &&
	    (listener->base.local.family == AF_INET6 || listener->base.local.v4mapped)) {
		req->local.v4mapped = true;
		req->peer.v4mapped = true;
	}
	child = rsk_sock_ops->new_child(listener, &req->local, GFP_ATOMIC);
	if (!child)
		return NULL;
	sk = &child->base.sk;

	kref_get(&link->ref);		/* the socket's, put at destruction */
	rsk_chan_mark_napi(child, link);
	spin_lock_bh(&child->lock);
	child->link = link;
	WRITE_ONCE(child->link_id, link->id);
	child->base.peer = req->peer;
	child->peer_chan = req->peer_chan;
	child->rcv_nxt = req->isn;
	child->rcv_wnd_sent = child->rcv_nxt;
	child->rcv_ack_sent = child->rcv_nxt;
	child->snd_nxt = get_random_u32();
	child->snd_una = child->snd_nxt;
	child->last_data_sent = jiffies;
	child->last_data_recv = child->last_data_sent;
	child->snd_wnd_end = child->snd_nxt + min_t(u32, req->wnd, RSK_MAX_WND);
	child->max_payload = rsk_chan_mss(child, link);
	child->unaccepted = true;	/* until accept(): rsk_chan_accepted() */
	rsk_chan_set_state(child, TCP_ESTABLISHED);
	ret = rsk_link_attach(link, &child->chan);
	if (ret == 1 && sock_flag(sk, SOCK_KEEPOPEN))
		sk_reset_timer(sk, &sk->sk_timer, jiffies + rsk_keepidle(child) * HZ);
	if (ret == 1) {
		/* On the channel's own path: retried, never dropped. */
		child->tx_pending |= RSK_TX_ACCEPT;
		rsk_chan_push_locked(child);
	}
	if (ret != 1)
		rsk_chan_done(child, -ECONNRESET);
	spin_unlock_bh(&child->lock);
	if (ret != 1) {
		rsk_chan_release_child(child);
		return NULL;
	}
	return child;
}

/*
 * Make the child for a request whose accept queue slot is already taken,
 * and queue it for accept().
 */
static void rsk_chan_admit(struct rsk_stream_sock *listener, struct rsk_conn_req *req)
{
	struct sock *lsk = &listener->base.sk;
	struct rsk_stream_sock *child;
	bool queued;

	child = rsk_chan_new_child(listener, req);
	if (!child)
		rsk_chan_refuse(req->link, req->peer_chan, RSK_REFUSE_NOMEM);

	spin_lock_bh(&listener->lock);
	queued = child && lsk->sk_state == TCP_LISTEN;
	if (queued)
		list_add_tail(&child->accept_node, &listener->accept_queue);
	else
		sk_acceptq_removed(lsk);
	spin_unlock_bh(&listener->lock);
	if (queued) {
		rsk_event(listener->base.rnet, RSK_EV_ACCEPTS);
		lsk->sk_data_ready(lsk);
	} else if (child) {
		rsk_chan_release_child(child);	/* the listener closed */
	}
}

static void rsk_chan_req_free(struct rsk_conn_req *rec)
{
	atomic_dec(&rec->link->half_open);
	rsk_obj_dec(rec->link->rnet, half_open);
	rsk_link_put(rec->link);
	kfree(rec);
}

/*
 * The accept queue is full: hold the request as a small record, within
 * the per-listener and per-link limits, until accept() makes room or it
 * times out.  listener->lock held.  Return: 0 or a refuse reason.
 */
static int rsk_chan_hold_req(struct rsk_stream_sock *listener, struct rsk_conn_req *req)
{
	struct rsk_net *rnet = listener->base.rnet;
	struct rsk_conn_req *rec;

	lockdep_assert_held(&listener->lock);

	if (listener->half_open_len >= READ_ONCE(rnet->max_half_open) ||
	    atomic_read(&req->link->half_open) >=
	    READ_ONCE(rnet->max_half_open_per_link)) {
		rsk_event(listener->base.rnet, RSK_EV_HALF_OPEN_OVERFLOW);
		return RSK_REFUSE_OVERFLOW;
	}
	rec = kmemdup(req, sizeof(*req), GFP_ATOMIC);
	if (!rec)
		return RSK_REFUSE_NOMEM;
	kref_get(&rec->link->ref);	/* put in rsk_chan_req_free() */
	atomic_inc(&rec->link->half_open);
	rsk_obj_inc(rnet, half_open);
	rec->expires = jiffies +
		msecs_to_jiffies(READ_ONCE(rnet->half_open_timeout_ms));
	list_add_tail(&rec->node, &listener->half_open);
	listener->half_open_len++;
	if (!timer_pending(&listener->half_open_timer))
		mod_timer(&listener->half_open_timer, rec->expires);
	return 0;
}

/* Offer a request to a listener: admit it, hold it, or refuse it. */
static void rsk_chan_offer(struct rsk_stream_sock *listener, struct rsk_conn_req *req)
{
	struct sock *lsk = &listener->base.sk;
	bool admit = false;
	int reason = 0;

	spin_lock_bh(&listener->lock);
	if (lsk->sk_state != TCP_LISTEN) {
		reason = RSK_REFUSE_NO_LISTENER;
	} else if (list_empty(&listener->half_open) &&
		   !sk_acceptq_is_full(lsk)) {
		sk_acceptq_added(lsk);
		admit = true;
	} else {
		reason = rsk_chan_hold_req(listener, req);
	}
	spin_unlock_bh(&listener->lock);
	if (admit)
		rsk_chan_admit(listener, req);
	else if (reason)
		rsk_chan_refuse(req->link, req->peer_chan, reason);
}

/**
 * rsk_chan_promote - accept() made room: admit held requests, oldest first
 * @listener: the listener
 */
void rsk_chan_promote(struct rsk_stream_sock *listener)
{
	struct sock *lsk = &listener->base.sk;
	struct rsk_conn_req *rec;

	for (;;) {
		spin_lock_bh(&listener->lock);
		rec = list_first_entry_or_null(&listener->half_open,
					       struct rsk_conn_req, node);
		if (!rec || lsk->sk_state != TCP_LISTEN ||
		    sk_acceptq_is_full(lsk)) {
			spin_unlock_bh(&listener->lock);
			return;
		}
		list_del(&rec->node);
		listener->half_open_len--;
		sk_acceptq_added(lsk);
		spin_unlock_bh(&listener->lock);
		rsk_chan_admit(listener, rec);
		rsk_chan_req_free(rec);
	}
}

/* Held requests whose time is up are refused: ETIMEDOUT at their end. */
static void rsk_chan_half_open_timer(struct timer_list *t)
{
	struct rsk_stream_sock *listener = from_timer(listener, t, half_open_timer);
	struct rsk_conn_req *rec, *tmp;
	unsigned long now = jiffies;
	LIST_HEAD(expired);

	spin_lock_bh(&listener->lock);
	list_for_each_entry_safe(rec, tmp, &listener->half_open, node) {
		if (time_before(now, rec->expires)) {
			if (listener->base.sk.sk_state == TCP_LISTEN)
				mod_timer(&listener->half_open_timer,
					  rec->expires);
			break;
		}
		list_move_tail(&rec->node, &expired);
		listener->half_open_len--;
	}
	spin_unlock_bh(&listener->lock);

	list_for_each_entry_safe(rec, tmp, &expired, node) {
		rsk_event(rec->link->rnet, RSK_EV_HALF_OPEN_TIMEOUTS);
		rsk_chan_refuse(rec->link, rec->peer_chan, RSK_REFUSE_TIMEOUT);
		rsk_chan_req_free(rec);
	}
}

void rsk_chan_listener_init(struct rsk_stream_sock *rs)
{
	INIT_LIST_HEAD(&rs->half_open);
	timer_setup(&rs->half_open_timer, rsk_chan_half_open_timer, 0);
}

/**
 * rsk_chan_conn_req - a peer asks to open a channel; softirq
 * @link: the link it came over
 * @hdr: its header (src_chan nonzero, dst_chan 0: checked)
 * @body: the body, @len bytes, not yet checked
 * @len: the body's length
 */
void rsk_chan_conn_req(struct rsk_link *link, const struct rsk_wire_hdr *hdr,
		       const void *body, u32 len)
{
	struct rsk_conn_req req = {
		.link		= link,
		.peer_chan	= be32_to_cpu(hdr->src_chan),
		.isn		= be32_to_cpu(hdr->seq),
		.wnd		= be32_to_cpu(hdr->wnd),
	};
	struct rsk_stream_sock *listener;
	int reason;

	if (len != sizeof(struct rsk_wire_conn)) {
		rsk_event(link->rnet, RSK_EV_RX_BAD_LEN);
		rsk_chan_refuse(link, req.peer_chan, RSK_REFUSE_MALFORMED);
		return;
	}
	reason = rsk_chan_parse_req(body, &req.local, &req.peer);
	if (reason) {
		rsk_event(link->rnet, RSK_EV_RX_BAD_CONN_REQ);
		rsk_chan_refuse(link, req.peer_chan, reason);
		return;
	}
	/* Only a link proven to be to this namespace speaks for loopback. */
	if ((rsk_addr_is_loopback(&req.local) ||
	     rsk_addr_is_loopback(&req.peer)) && !link->self) {
		rsk_event(link->rnet, RSK_EV_RX_BAD_CONN_REQ);
		rsk_chan_refuse(link, req.peer_chan, RSK_REFUSE_MALFORMED);
		return;
	}
	/* Nor for any source address but the link's own. */
	if (!rsk_chan_req_source_ok(link, &req.peer)) {
		rsk_event(link->rnet, RSK_EV_RX_BAD_CONN_REQ);
		rsk_chan_refuse(link, req.peer_chan, RSK_REFUSE_MALFORMED);
		return;
	}
	/* As a SYN to an address we do not have: nobody listens there. */
	if (!rsk_addr_is_local(link->rnet->net, &req.local)) {
		rsk_chan_refuse(link, req.peer_chan, RSK_REFUSE_NO_LISTENER);
		return;
	}
	listener = rsk_sock_ops->lookup_listener(link->rnet, &req.local);
	if (!listener) {
		rsk_chan_refuse(link, req.peer_chan, RSK_REFUSE_NO_LISTENER);
		return;
	}
	rsk_chan_offer(listener, &req);
	sock_put(&listener->base.sk);
}

/* ACCEPT or REFUSE for a socket in SYN_SENT; rs->lock held. */
static void rsk_chan_rx_answer(struct rsk_stream_sock *rs,
			       const struct rsk_wire_hdr *hdr,
			     const void *body, u32 len)
{
	struct sock *sk = &rs->base.sk;
	u32 reason = RSK_REFUSE_MALFORMED;

	lockdep_assert_held(&rs->lock);

	if (hdr->type == RSK_MSG_CONN_REFUSE) {
		if (len >= sizeof(struct rsk_wire_refuse))
			reason = be32_to_cpu(((struct rsk_wire_refuse *)body)->reason);
		rsk_chan_done(rs, reason == RSK_REFUSE_TIMEOUT ? -ETIMEDOUT :
							       -ECONNREFUSED);
		return;
	}
	rs->peer_chan = be32_to_cpu(hdr->src_chan);
	rs->rcv_nxt = be32_to_cpu(hdr->seq);
	/* The acceptor may use the window our CONN_REQ gave at once. */
	rs->rcv_wnd_sent = rs->rcv_nxt + rs->req_wnd;
	rs->rcv_ack_sent = rs->rcv_nxt;
	if (rsk_chan_rx_ack(rs, hdr) || !rs->peer_chan) {
		rsk_event(rs->base.rnet, RSK_EV_RX_BAD_ACK);
		rsk_chan_send_rst(rs, RSK_RST_PROTOCOL);
		rsk_chan_done(rs, -ECONNRESET);
		return;
	}
	rsk_chan_set_state(rs, TCP_ESTABLISHED);
	rsk_chan_heard(rs);
	if (sock_flag(sk, SOCK_KEEPOPEN))
		sk_reset_timer(sk, &sk->sk_timer, jiffies + rsk_keepidle(rs) * HZ);
	else
		sk_stop_timer(sk, &sk->sk_timer);	/* the connect timer */
	/* The peer may send from now on: tell it our window. */
	rs->tx_pending |= RSK_TX_WINDOW;
	rsk_chan_push_locked(rs);
	sk->sk_state_change(sk);
}

/* The peer's FIN; rs->lock held. */
static void rsk_chan_rx_fin(struct rsk_stream_sock *rs, const struct rsk_wire_hdr *hdr)
{
	struct sock *sk = &rs->base.sk;

	lockdep_assert_held(&rs->lock);

	rs->fin_rcvd = true;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
		rsk_chan_set_state(rs, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT2:
		rsk_chan_done(rs, 0);	/* which wakes everyone */
		return;
	default:	/* FIN_WAIT1: done when ours is sent */
		break;
	}
	/*
	 * One wakeup, as tcp_fin()'s: it wakes readers too, and a second
	 * (sk_data_ready) could reach an edge-triggered epoll as a second
	 * edge when its waiter ran between the two.  SIGIO as tcp_fin().
	 */
	sk->sk_state_change(sk);
	sk_wake_async(sk, SOCK_WAKE_WAITD, sk->sk_shutdown == SHUTDOWN_MASK ?
		      POLL_HUP : POLL_IN);
}

/* The peer reset the channel: errno as tcp_reset() picks it; lock held. */
static void rsk_chan_rx_rst(struct rsk_stream_sock *rs,
			    const struct rsk_wire_rst *rst)
{
	int err;

	lockdep_assert_held(&rs->lock);

	rsk_event(rs->base.rnet, RSK_EV_RST_RECEIVED);
	trace_rsk_chan_reset(rs->link_id, rs->chan.id, rs->peer_chan,
			     be32_to_cpu(rst->reason), false);
	switch (rs->base.sk.sk_state) {
	case TCP_SYN_SENT:
		err = -ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		err = -EPIPE;
		break;
	default:
		err = -ECONNRESET;
	}
	rsk_chan_done(rs, err);
}

/**
 * rsk_chan_rx - a channel control message; softirq
 * @rs: its socket, referenced, ids checked
 * @hdr: the header
 * @body: the body, @len bytes
 * @len: its length
 */
void rsk_chan_rx(struct rsk_stream_sock *rs, const struct rsk_wire_hdr *hdr,
		 const void *body, u32 len)
{
	struct sock *sk = &rs->base.sk;
	enum rsk_event ev = RSK_EV_NR;

	spin_lock_bh(&rs->lock);
	if (!rs->chan.id)
		goto out;
	rsk_chan_heard(rs);
	switch (hdr->type) {
	case RSK_MSG_CONN_ACCEPT:
	case RSK_MSG_CONN_REFUSE:
		if (sk->sk_state != TCP_SYN_SENT)
			ev = RSK_EV_RX_BAD_STATE;
		else
			rsk_chan_rx_answer(rs, hdr, body, len);
		break;
	case RSK_MSG_RST:	/* its length was checked: rsk_rx_len_ok() */
		rsk_chan_rx_rst(rs, body);
		break;
	default:	/* WINDOW, PROBE, FIN */
		if (sk->sk_state == TCP_SYN_SENT) {
			ev = RSK_EV_RX_BAD_STATE;
			break;
		}
		if (rsk_chan_rx_ack(rs, hdr)) {
			ev = RSK_EV_RX_BAD_ACK;
			break;
		}
		if (hdr->type == RSK_MSG_PROBE)
			rs->tx_pending |= RSK_TX_WINDOW;
		if (hdr->type == RSK_MSG_FIN) {
			if (rs->fin_rcvd) {
				ev = RSK_EV_RX_AFTER_FIN;
				break;
			}
			if (be32_to_cpu(hdr->seq) != rs->rcv_nxt) {
				ev = RSK_EV_RX_BAD_SEQ;
				break;
			}
			rsk_chan_rx_fin(rs, hdr);
		}
		/* The window may have opened. */
		rsk_chan_push_locked(rs);
		break;
	}
	if (ev != RSK_EV_NR) {
		rsk_event(rs->base.rnet, ev);
		rsk_chan_send_rst(rs, RSK_RST_PROTOCOL);
		rsk_chan_done(rs, -ECONNRESET);
	}
out:
	spin_unlock_bh(&rs->lock);
}

/**
 * rsk_chan_shutdown - shutdown(2) on a stream socket; lock_sock held
 * @rs: the socket
 * @how: RCV_SHUTDOWN and/or SEND_SHUTDOWN
 *
 * As inet_shutdown(): an unconnected socket gets -ENOTCONN; the send
 * side ends with a FIN after the queued data.  Not for a listener: the
 * socket layer closes that itself (rsk_stream_listen_close()).
 */
int rsk_chan_shutdown(struct rsk_stream_sock *rs, int how)
{
	struct sock *sk = &rs->base.sk;
	int err = 0;

	sock_owned_by_me(&rs->base.sk);

	switch (sk->sk_state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		break;
	case TCP_SYN_SENT:
		spin_lock_bh(&rs->lock);
		rsk_chan_done(rs, 0);
		spin_unlock_bh(&rs->lock);
		break;
	default:
		spin_lock_bh(&rs->lock);
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		if ((how & SEND_SHUTDOWN) && !rs->fin_sent &&
		    !(rs->tx_pending & RSK_TX_FIN) &&
		    (sk->sk_state == TCP_ESTABLISHED ||
		     sk->sk_state == TCP_CLOSE_WAIT)) {
			rsk_chan_set_state(rs, sk->sk_state == TCP_ESTABLISHED ?
					       TCP_FIN_WAIT1 : TCP_LAST_ACK);
			rs->more = false;
			rs->corked = false;
			rs->tx_pending |= RSK_TX_FIN;
			rsk_chan_push_locked(rs);
		}
		spin_unlock_bh(&rs->lock);
		break;
	}
	sk->sk_state_change(sk);
	return err;
}

/**
 * rsk_chan_close - close(2) of a connected stream socket; lock_sock held
 * @rs: the socket
 * @abort: SO_LINGER with a zero timeout
 *
 * Unread data or @abort reset the channel, as TCP does.  Otherwise the
 * queued data and then a FIN go out after the socket is orphaned; the
 * channel (which holds a reference) keeps it until both FINs are through.
 */
void rsk_chan_close(struct rsk_stream_sock *rs, bool abort)
{
	struct sock *sk = &rs->base.sk;

	sock_owned_by_me(&rs->base.sk);

	spin_lock_bh(&rs->lock);
	if (!rs->chan.id)
		goto out;
	if (sk->sk_state == TCP_SYN_SENT) {
		rsk_chan_done(rs, 0);	/* a late ACCEPT is answered by RST */
		goto out;
	}
	if (rs->rcv_queued || abort) {
		rsk_chan_rx_purge(rs);
		rsk_chan_send_rst(rs, RSK_RST_ABORT);
		rsk_chan_done(rs, 0);
		goto out;
	}
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (!rs->fin_sent && !(rs->tx_pending & RSK_TX_FIN)) {
		if (sk->sk_state == TCP_ESTABLISHED)
			rsk_chan_set_state(rs, TCP_FIN_WAIT1);
		else if (sk->sk_state == TCP_CLOSE_WAIT)
			rsk_chan_set_state(rs, TCP_LAST_ACK);
		rs->more = false;
		rs->corked = false;
		rs->nodelay = true;	/* nothing more will join the tail */
		rs->tx_pending |= RSK_TX_FIN;
	}
	rsk_chan_push_locked(rs);
out:
	spin_unlock_bh(&rs->lock);
}

/* The oldest accepted child of a listener, off its queue; or NULL. */
struct rsk_stream_sock *rsk_chan_accept_pop(struct rsk_stream_sock *listener)
{
	struct rsk_stream_sock *child;

	spin_lock_bh(&listener->lock);
	child = list_first_entry_or_null(&listener->accept_queue,
					 struct rsk_stream_sock, accept_node);
	if (child) {
		list_del_init(&child->accept_node);
		sk_acceptq_removed(&listener->base.sk);
	}
	spin_unlock_bh(&listener->lock);
	return child;
}

/* Reset and free an accepted child nobody will accept(). */
void rsk_chan_release_child(struct rsk_stream_sock *child)
{
	rsk_chan_reset(child, RSK_RST_ABORT);
	rsk_sock_ops->free_child(child);
}

/**
 * rsk_chan_listen_close - stop listening; lock_sock held
 * @rs: the listener
 *
 * Held requests are refused and children not yet accepted are reset, as
 * TCP resets them.  The socket layer lets the port go after.
 */
void rsk_chan_listen_close(struct rsk_stream_sock *rs)
{
	struct rsk_conn_req *rec, *tmp;
	struct rsk_stream_sock *child;
	LIST_HEAD(held);

	sock_owned_by_me(&rs->base.sk);

	spin_lock_bh(&rs->lock);
	rsk_chan_set_state(rs, TCP_CLOSE);
	list_splice_init(&rs->half_open, &held);
	rs->half_open_len = 0;
	spin_unlock_bh(&rs->lock);
	del_timer_sync(&rs->half_open_timer);

	/* Held requests are refused, as TCP resets its pending ones. */
	list_for_each_entry_safe(rec, tmp, &held, node) {
		rsk_chan_refuse(rec->link, rec->peer_chan, RSK_REFUSE_NO_LISTENER);
		rsk_chan_req_free(rec);
	}

	while ((child = rsk_chan_accept_pop(rs)))
		rsk_chan_release_child(child);
}

/* How long a closed socket may wait for the peer's FIN: tcp_fin_timeout. */
#define RSK_ORPHAN_TIMEOUT	(60 * HZ)

/*
 * The socket's timer (sk_timer): TCP keepalive on an open socket, the
 * FIN timeout on a closed one that still waits for its peer.  Softirq;
 * the pending timer holds a socket reference (sk_reset_timer()).
 */
static void rsk_chan_timer(struct timer_list *t)
{
	struct sock *sk = from_timer(sk, t, sk_timer);
	struct rsk_stream_sock *rs = rsk_stream_sk(sk);
	unsigned long next = 0, idle;

	spin_lock_bh(&rs->lock);
	if (!rs->chan.id)
		goto out;
	if (sk->sk_state == TCP_SYN_SENT) {
		if (time_before(jiffies, rs->connect_deadline)) {
			next = rs->connect_deadline;
		} else {
			rsk_event(rs->base.rnet, RSK_EV_CONNECT_TIMEOUTS);
			rsk_chan_done(rs, -ETIMEDOUT);
		}
		goto out;
	}
	if (sock_flag(sk, SOCK_DEAD)) {
		if (time_before(jiffies, rs->orphan_deadline)) {
			next = rs->orphan_deadline;
		} else {
			rsk_chan_send_rst(rs, RSK_RST_ABORT);
			rsk_chan_done(rs, -ETIMEDOUT);
		}
		goto out;
	}
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				     TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)))
		goto out;
	idle = jiffies - rs->last_rcv;
	if (idle < (unsigned long)rsk_keepidle(rs) * HZ && !rs->probes_out) {
		next = rs->last_rcv + rsk_keepidle(rs) * HZ;
	} else if (rs->probes_out >= rsk_keepcnt(rs)) {
		/* As tcp_keepalive_timer(): RST, and ETIMEDOUT here. */
		rsk_event(rs->base.rnet, RSK_EV_PROBE_TIMEOUTS);
		rsk_chan_send_rst(rs, RSK_RST_ABORT);
		rsk_chan_done(rs, -ETIMEDOUT);
	} else {
		rs->probes_out++;
		rs->tx_pending |= RSK_TX_PROBE;
		rsk_chan_push_locked(rs);
		next = jiffies + rsk_keepintvl(rs) * HZ;
	}
out:
	if (next)
		sk_reset_timer(sk, &sk->sk_timer, next);
	spin_unlock_bh(&rs->lock);
	sock_put(sk);
}

/* Any message from the peer on the channel: it is alive; lock held. */
void rsk_chan_heard(struct rsk_stream_sock *rs)
{
	lockdep_assert_held(&rs->lock);

	rs->last_rcv = jiffies;
	rs->probes_out = 0;
}

/* proto.keepalive: SO_KEEPALIVE was set or cleared. */
void rsk_chan_keepalive(struct sock *sk, int on)
{
	struct rsk_stream_sock *rs = rsk_stream_sk(sk);

	spin_lock_bh(&rs->lock);
	/* While connecting the timer is the connect timer: ACCEPT arms it. */
	if (sk->sk_state != TCP_SYN_SENT) {
		if (on && rs->chan.id)
			sk_reset_timer(sk, &sk->sk_timer,
				       rs->last_rcv + rsk_keepidle(rs) * HZ);
		else if (!on)
			sk_stop_timer(sk, &sk->sk_timer);
	}
	spin_unlock_bh(&rs->lock);
}

/* close() left the channel open: bound the wait for the peer. */
void rsk_chan_orphan(struct rsk_stream_sock *rs)
{
	struct sock *sk = &rs->base.sk;

	spin_lock_bh(&rs->lock);
	if (rs->chan.id) {
		rs->orphan_deadline = jiffies + RSK_ORPHAN_TIMEOUT;
		sk_reset_timer(sk, &sk->sk_timer, rs->orphan_deadline);
	}
	spin_unlock_bh(&rs->lock);
}

void rsk_chan_timer_init(struct rsk_stream_sock *rs)
{
	timer_setup(&rs->base.sk.sk_timer, rsk_chan_timer, 0);
	rsk_chan_tx_retry_init(rs);
	rs->last_rcv = jiffies;
}

/* ---- what the link layer calls: struct rsk_link_chan_ops ---- */

static struct rsk_stream_sock *rsk_chan_sock(struct rsk_link_chan *chan)
{
	return container_of(chan, struct rsk_stream_sock, chan);
}

static void rsk_chan_get(struct rsk_link_chan *chan)
{
	sock_hold(&rsk_chan_sock(chan)->base.sk);	/* rsk_chan_put() */
}

static void rsk_chan_put(struct rsk_link_chan *chan)
{
	sock_put(&rsk_chan_sock(chan)->base.sk);
}

static void rsk_chan_up(struct rsk_link_chan *chan)
{
	rsk_chan_link_up(rsk_chan_sock(chan));
}

static void rsk_chan_link_failed(struct rsk_link_chan *chan, int err)
{
	rsk_chan_fail(rsk_chan_sock(chan), err);
}

static void rsk_chan_tx_slot(struct rsk_link_chan *chan)
{
	rsk_chan_push(rsk_chan_sock(chan));
}

static const struct rsk_link_chan_ops rsk_chan_link_ops = {
	.hold		= rsk_chan_get,
	.put		= rsk_chan_put,
	.up		= rsk_chan_up,
	.fail		= rsk_chan_link_failed,
	.tx_slot	= rsk_chan_tx_slot,
	.sent		= rsk_chan_sent,
};

/* Channels ride on links from here on: called once at module init. */
void rsk_chan_init(void)
{
	rsk_link_register_chan_ops(&rsk_chan_link_ops);
	rsk_chan_rx_init();
}
