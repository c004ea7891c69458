// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: links, link layer.
 *
 * A link is one RC QP between this namespace and a peer host, set up once
 * with rdma_cm on the namespace's link port and shared by every stream
 * socket between the two: each socket is a channel on it (rsk_chan.c).  The
 * QP receives from its device's SRQ (rsk_dev.c) into one CQ per link for
 * its sends and receives, so that draining the send queue of a dying QP
 * also flushes every receive completion it produced.  This file sets links
 * up (the peer's address proven first: rsk_link_proving()) and tears them
 * down, keeps their channel table and keepalive; rsk_link_msg.c carries
 * their messages.
 *
 * The link knows a channel only as the struct rsk_link_chan embedded in
 * it, and tells the channel layer what happens through the callbacks it
 * registered (rsk_link_register_chan_ops()): up, fail, and a reference
 * held (hold/put) for every table and list a channel is on here.
 *
 * Lifetime.  A link starts with one reference, its "life", held until
 * rsk_link_destroy_work() has destroyed the QP, the CQ and the cm_id.
 * Every socket bound to the link holds one more; lookups take one.
 * rsk_link_kill() moves a link to RSK_LINK_DEAD exactly once, fails its
 * channels and queues the destroy work.
 *
 * rdma_cm calls rsk_link_cm_handler() under the cm_id's handler mutex, in
 * process context.  The destroy work sets link->destroying under the same
 * mutex before it touches the QP, so a handler never races with it.
 */
#include <linux/cred.h>
#include <linux/slab.h>
#include <linux/seq_file.h>
#include <rdma/rdma_cm.h>
#include <rdma/ib_cm.h>

#include "rsk.h"

/* Time for rdma_cm to resolve an address or a route, as rds and smc use. */
#define RSK_RESOLVE_TIMEOUT_MS	2000
/* 7: infinite RNR retries; a sender waits for the SRQ to be refilled. */
#define RSK_RNR_RETRY		7
/*
 * Transport retries before a send fails and the link dies with it: 6, not
 * the maximum 7, because rxe takes 7 to mean "retry for ever" (as the
 * spec says of RNR retries only), and a peer whose host died would then
 * never be noticed.  About 7 x 0.5 s with rdma_cm's RoCE timeout.
 */
#define RSK_RETRY_COUNT		6
/* RDMA READs in flight per direction, for the zero-copy work. */
#define RSK_RD_ATOMIC		4

/*
 * Keepalive periods after which a link that should have heard from its
 * peer is dead: a peer alive answers a KEEPALIVE, completes our sends
 * (RNR retries are infinite: a peer that stops posting receives would
 * hold them for ever) and answers our LINK_CLOSE within one.
 */
#define RSK_LINK_DEAD_PERIODS	4

static struct workqueue_struct *rsk_link_wq;
/*
 * The kernel's own credentials, for binding our rdma_cm ports: see
 * rsk_link_listen_any().  Set at init, put at exit.
 */
static const struct cred *rsk_kernel_cred;
static atomic_t rsk_link_ids = ATOMIC_INIT(0);

/*
 * rsk_all_links_lock protects rsk_all_links, every link of every
 * namespace, and the moment a link takes its device (link->rdev), so that
 * device removal either sees the link on the device or the link sees the
 * device dying (rsk_link_take_dev()).
 */
static LIST_HEAD(rsk_all_links);
static DEFINE_SPINLOCK(rsk_all_links_lock);

static int rsk_link_cm_handler(struct rdma_cm_id *id,
			       struct rdma_cm_event *ev);

static const char *const rsk_link_state_names[] = {
	[RSK_LINK_RESOLVING]	= "resolving",
	[RSK_LINK_CONNECTING]	= "connecting",
	[RSK_LINK_UP]		= "up",
	[RSK_LINK_DEAD]		= "dead",
	[RSK_LINK_PROVING]	= "proving",
};

/* Tell the rsk_link_state tracepoint; the caller just set link->state. */
static void rsk_link_trace(const struct rsk_link *link)
{
	struct in6_addr peer;

	if (!trace_rsk_link_state_enabled())
		return;
	if (link->peer.family == AF_INET)
		ipv6_addr_set_v4mapped(link->peer.v4, &peer);
	else
		peer = link->peer.v6;
	trace_rsk_link_state(link->id, link->active, &peer, link->state,
			     link->state == RSK_LINK_DEAD ? link->err : 0);
}

static void rsk_link_release(struct kref *ref)
{
	struct rsk_link *link = container_of(ref, struct rsk_link, ref);
	struct rsk_tx_buf *tb, *tmp;

	WARN_ON_ONCE(!idr_is_empty(&link->chans));
	idr_destroy(&link->chans);
	spin_lock_bh(&rsk_all_links_lock);
	list_del(&link->all_node);
	spin_unlock_bh(&rsk_all_links_lock);
	list_for_each_entry_safe(tb, tmp, &link->ctrl_queue, list)
		rsk_tx_buf_free(tb);
	WARN_ON_ONCE(link->rdev);
	rsk_obj_dec(link->rnet, links);
	kfree(link);
}

void rsk_link_put(struct rsk_link *link)
{
	KUNIT_STATIC_STUB_REDIRECT(rsk_link_put, link);

	kref_put(&link->ref, rsk_link_release);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_put);

static void rsk_link_timer_work(struct work_struct *work);
static void rsk_link_destroy_work(struct work_struct *work);
static void rsk_link_kill_work(struct work_struct *work);

static struct rsk_link *rsk_link_alloc(struct rsk_net *rnet,
				       const struct rsk_addr *peer, bool active)
{
	struct rsk_link *link;

	link = kzalloc(sizeof(*link), GFP_KERNEL);
	if (!link)
		return NULL;
	kref_init(&link->ref);		/* its life: see the notes above */
	link->rnet = rnet;
	link->peer = *peer;
	link->peer.port = 0;
	link->active = active;
	/* See rsk_link.self; a token of 0 means none. */
	if (active && rsk_addr_is_own(rnet->net, peer))
		link->self_token = get_random_u64() ?: 1;
	if (!active)
		link->proof_cookie = get_random_u64() ?: 1;
	link->max_msg = RSK_RX_BUF_SIZE;
	spin_lock_init(&link->lock);
	link->state = active ? RSK_LINK_RESOLVING : RSK_LINK_CONNECTING;
	idr_init(&link->chans);
	INIT_LIST_HEAD(&link->tx_waiters);
	INIT_LIST_HEAD(&link->conn_waiters);
	INIT_LIST_HEAD(&link->ctrl_queue);
	INIT_LIST_HEAD(&link->net_node);
	INIT_WORK(&link->destroy_work, rsk_link_destroy_work);
	INIT_DELAYED_WORK(&link->timer_work, rsk_link_timer_work);
	INIT_DELAYED_WORK(&link->ctrl_retry_work, rsk_link_ctrl_retry_work);
	INIT_WORK(&link->kill_work, rsk_link_kill_work);
	init_completion(&link->last_wqe);
	link->last_rx = jiffies;
	link->idle_since = jiffies;
	/* Ids in list order, which rsk_link_walk() resumes by. */
	spin_lock_bh(&rsk_all_links_lock);
	link->id = atomic_inc_return(&rsk_link_ids);
	list_add_tail(&link->all_node, &rsk_all_links);
	spin_unlock_bh(&rsk_all_links_lock);
	rsk_obj_inc(rnet, links);
	rsk_link_trace(link);
	return link;
}

/*
 * Whether the namespace may hold one more link with @peer: max_links in
 * all and max_links_per_peer with one peer address.  Every link counts
 * from its allocation to its release, those being set up and those
 * dying too: what a peer makes us hold is what is counted.  Links are few
 * (max_links), so the walk is short.
 */
static bool rsk_link_within_caps(struct rsk_net *rnet,
				 const struct rsk_addr *peer)
{
	int max_peer = READ_ONCE(rnet->max_links_per_peer), n = 0;
	struct rsk_link *link;

	if (atomic_read(&rnet->objs.links) >= READ_ONCE(rnet->max_links))
		return false;
	spin_lock_bh(&rsk_all_links_lock);
	list_for_each_entry(link, &rsk_all_links, all_node) {
		if (link->rnet == rnet &&
		    rsk_addr_same_host(&link->peer, peer) && ++n >= max_peer)
			break;
	}
	spin_unlock_bh(&rsk_all_links_lock);
	return n < max_peer;
}

/* Whether a new socket may open a channel on the link (lock held). */
static bool rsk_link_open_for_new(const struct rsk_link *link)
{
	lockdep_assert_held(&link->lock);

	return link->state != RSK_LINK_DEAD && !link->close_sent &&
	       !link->close_rcvd;
}

static void rsk_link_unlist(struct rsk_link *link)
{
	struct rsk_net *rnet = link->rnet;

	spin_lock_bh(&rnet->links_lock);
	if (link->listed) {
		list_del_init(&link->net_node);
		link->listed = false;
	}
	if (link->counted_pending) {
		rnet->pending_links--;
		link->counted_pending = false;
	}
	spin_unlock_bh(&rnet->links_lock);
}

/* Fail every channel of a dead link; they stay bound until they close. */
static void rsk_link_fail_channels(struct rsk_link *link, int err)
{
	const struct rsk_link_chan_ops *ops = rsk_link_chan_ops();
	struct rsk_link_chan *chan;
	int id = 0;

	for (;;) {
		spin_lock_bh(&link->lock);
		chan = idr_get_next(&link->chans, &id);
		if (chan)
			ops->hold(chan);	/* put below */
		spin_unlock_bh(&link->lock);
		if (!chan)
			break;
		ops->fail(chan, err);
		ops->put(chan);
		id++;
	}
}

/**
 * rsk_link_kill - a link fails or closes: no new channels, tear it down
 * @link: the link
 * @err: what its channels fail with (negative errno); 0 for a clean close
 *
 * Any context.  Idempotent: the first call wins.
 *
 * Return: true when this call killed the link, false when it was dead.
 */
bool rsk_link_kill(struct rsk_link *link, int err)
{
	struct rsk_tx_buf *tb, *tmp;
	LIST_HEAD(ctrl);

	KUNIT_STATIC_STUB_REDIRECT(rsk_link_kill, link, err);

	spin_lock_bh(&link->lock);
	if (link->state == RSK_LINK_DEAD) {
		spin_unlock_bh(&link->lock);
		return false;
	}
	if (link->state != RSK_LINK_UP)
		rsk_event(link->rnet, RSK_EV_LINKS_FAILED);
	link->state = RSK_LINK_DEAD;
	link->err = err ? err : -ECONNRESET;
	rsk_link_trace(link);
	list_splice_init(&link->ctrl_queue, &ctrl);
	link->ctrl_len = 0;
	spin_unlock_bh(&link->lock);

	list_for_each_entry_safe(tb, tmp, &ctrl, list)
		rsk_tx_buf_free(tb);
	rsk_link_unlist(link);
	rsk_link_fail_channels(link, link->err);
	/* The life reference goes to the work; it is queued only once. */
	queue_work(rsk_link_wq, &link->destroy_work);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_kill);

static void rsk_link_kill_work(struct work_struct *work)
{
	struct rsk_link *link = container_of(work, struct rsk_link,
					     kill_work);

	rsk_link_kill(link, READ_ONCE(link->kill_err));
	rsk_link_put(link);
}

/**
 * rsk_link_kill_async - rsk_link_kill() from where it cannot run
 * @link: the link
 * @err: as for rsk_link_kill()
 *
 * For verbs event handlers, which a driver may call in hard interrupt
 * context.  The caller's link must outlive the call: the CQ or QP whose
 * event this is keeps the life reference until it is destroyed.
 */
void rsk_link_kill_async(struct rsk_link *link, int err)
{
	cmpxchg(&link->kill_err, 0, err);
	kref_get(&link->ref);		/* put by rsk_link_kill_work() */
	if (!queue_work(rsk_link_wq, &link->kill_work))
		rsk_link_put(link);	/* queued already: never the last */
}

/*
 * Once the QP is in the error state it takes no more receive buffers from
 * the SRQ; the device says so with LAST_WQE_REACHED.  6.12's ib_drain_qp()
 * waits for that itself; before it, we do, or a buffer the QP had taken
 * would never complete and the SRQ would lose it.
 */
static void rsk_link_wait_last_wqe(struct rsk_link *link)
{
#ifndef RSK_HAVE_DRAIN_SRQ
	if (!wait_for_completion_timeout(&link->last_wqe, HZ))
		rsk_event(link->rnet, RSK_EV_LAST_WQE_TIMEOUTS);
#endif
}

static void rsk_link_destroy_work(struct work_struct *work)
{
	struct rsk_link *link = container_of(work, struct rsk_link,
					     destroy_work);
	struct rdma_cm_id *id = link->cm_id;

	cancel_delayed_work_sync(&link->timer_work);
	/* DEAD: nothing is posted, so nothing queues it again. */
	cancel_delayed_work_sync(&link->ctrl_retry_work);
	if (id) {
		rdma_lock_handler(id);
		link->destroying = true;
		rdma_unlock_handler(id);
		rdma_disconnect(id);
	}
	if (link->qp) {
		/* QP to error; every completion it made is handled after. */
		ib_drain_qp(link->qp);
		rsk_link_wait_last_wqe(link);
		rdma_destroy_qp(id);
		link->qp = NULL;
	}
	rsk_cq_destroy(&link->cq);
	if (id)
		rdma_destroy_id(id);
	link->cm_id = NULL;
	/* Sockets may keep the link struct; the device is let go now. */
	if (link->rdev)
		rsk_dev_put(link->rdev);
	link->rdev = NULL;
	rsk_link_put(link);
}

/*
 * The passive side's QP can receive before rdma_cm has seen the RTU: tell
 * rdma_cm, as the IB CM expects, so that it stops resending the REP.
 */
static void rsk_link_qp_event(struct ib_event *event, void *ctx)
{
	struct rsk_link *link = ctx;

	switch (event->event) {
	case IB_EVENT_COMM_EST:
		if (link->cm_id)
			rdma_notify(link->cm_id, IB_EVENT_COMM_EST);
		break;
	case IB_EVENT_QP_LAST_WQE_REACHED:
		complete(&link->last_wqe);
		break;
	case IB_EVENT_QP_FATAL:
	case IB_EVENT_QP_REQ_ERR:
	case IB_EVENT_QP_ACCESS_ERR:
	case IB_EVENT_PATH_MIG_ERR:
		rsk_link_count_error(link);
		rsk_link_kill_async(link, -ECONNRESET);
		break;
	default:
		break;
	}
}

/* The QP and its CQ, on the device rdma_cm resolved; handler mutex held. */
/*
 * Take a reference on the device and set link->rdev in one step under
 * rsk_all_links_lock, so that device removal, which marks the device
 * dying and then looks for its links under that lock, cannot miss us.
 */
static struct rsk_device *rsk_link_take_dev(struct rsk_link *link,
					    struct ib_device *ibdev)
{
	struct rsk_device *rdev;

	spin_lock_bh(&rsk_all_links_lock);
	rdev = rsk_dev_get(ibdev);
	link->rdev = rdev;
	spin_unlock_bh(&rsk_all_links_lock);
	return rdev;
}

static int rsk_link_create_qp(struct rsk_link *link, struct rdma_cm_id *id)
{
	struct ib_qp_init_attr attr = {};
	struct rsk_device *rdev;
	struct rsk_addr local;
	int err;

	rdev = rsk_link_take_dev(link, id->device);
	if (!rdev)
		return -ENODEV;
	/* For netlink, which must not follow rdev: it goes before the link. */
	strscpy(link->dev_name, dev_name(&rdev->ibdev->dev),
		sizeof(link->dev_name));
	/*
	 * Our end's IP address: what connect() binds a wildcard socket to,
	 * and which sockets bound to an address may share the link.
	 */
	if (rsk_addr_parse((struct sockaddr *)&id->route.addr.src_addr,
			   sizeof(id->route.addr.src_addr), &local))
		local.family = AF_UNSPEC;
	spin_lock_bh(&link->lock);
	link->local = local;
	spin_unlock_bh(&link->lock);

	err = rsk_dev_srq_fill(rdev);
	if (err)
		return err;
	err = rsk_link_create_cq(link, id->device,
				 RSK_LINK_SQ_DEPTH + 1 + rdev->srq_depth);
	if (err)
		return err;

	attr.event_handler = rsk_link_qp_event;
	attr.qp_context = link;
	attr.send_cq = link->cq.cq;
	attr.recv_cq = link->cq.cq;
	attr.srq = rdev->srq;
	/* One more send WR than we use: ib_drain_qp() needs it. */
	attr.cap.max_send_wr = RSK_LINK_SQ_DEPTH + 1;
	attr.cap.max_send_sge = 1;
	attr.cap.max_inline_data = 256;
	attr.sq_sig_type = IB_SIGNAL_REQ_WR;
	attr.qp_type = IB_QPT_RC;
	err = rdma_create_qp(id, rdev->pd, &attr);
	if (err == -EINVAL || err == -ENOMEM) {
		attr.cap.max_inline_data = 0;	/* device takes no inline */
		err = rdma_create_qp(id, rdev->pd, &attr);
	}
	if (err)
		return err;
	link->qp = id->qp;
	link->qp_num = id->qp->qp_num;	/* for debugfs, after the QP is gone */
	link->max_inline = attr.cap.max_inline_data;
	link->sq_free = RSK_LINK_SQ_DEPTH;
	return 0;
}

/* The hello both kinds of rdma_cm exchange carry (rdma_sock.rst). */
void rsk_hello_fill(struct rsk_net *rnet, u32 max_msg, u32 link_id,
		    struct rsk_wire_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->magic = cpu_to_be32(RSK_WIRE_MAGIC);
	h->version = RSK_WIRE_VERSION;
	h->min_version = RSK_WIRE_MIN_VERSION;
	h->caps = cpu_to_be32(RSK_CAPS_V1);
	h->max_msg = cpu_to_be32(max_msg);
	h->host_id = cpu_to_be64(rnet->host_id);
	h->link_id = cpu_to_be32(link_id);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_hello_fill);

static void rsk_link_hello(struct rsk_link *link, struct rsk_wire_hello *h)
{
	rsk_hello_fill(link->rnet, RSK_RX_BUF_SIZE, link->id, h);
	/* The REQ's own token; the REP's only if it proved the link self. */
	if (link->active || link->self)
		h->self_token = cpu_to_be64(link->self_token);
}

/* Whether @token is one of this namespace's own connecting links'. */
static bool rsk_link_self_token_ours(struct rsk_net *rnet, u64 token)
{
	struct rsk_link *link;
	bool found = false;

	spin_lock_bh(&rnet->links_lock);
	list_for_each_entry(link, &rnet->links, net_node) {
		if (link->active && link->self_token == token) {
			found = true;
			break;
		}
	}
	spin_unlock_bh(&rnet->links_lock);
	return found;
}

/*
 * Check a peer's hello; fill in what the link learns.  Short data is
 * padded with zeros by rdma_cm, so a missing field reads as 0.
 * Returns 0 or an enum rsk_wire_reject_reason.
 */
VISIBLE_IF_KUNIT int rsk_link_check_hello(struct rsk_link *link,
					  const void *data, u8 len)
{
	struct rsk_wire_hello h = {};
	u32 max_msg;
	u64 token;

	if (!data || len < offsetofend(struct rsk_wire_hello, max_msg))
		return RSK_REJECT_MALFORMED;
	memcpy(&h, data, min_t(size_t, len, sizeof(h)));
	if (be32_to_cpu(h.magic) != RSK_WIRE_MAGIC)
		return RSK_REJECT_MALFORMED;
	if (h.version < RSK_WIRE_MIN_VERSION ||
	    h.min_version > RSK_WIRE_VERSION || h.min_version > h.version)
		return RSK_REJECT_VERSION;
	/* A REP names the version the link speaks: one we speak. */
	if (link->active && h.version > RSK_WIRE_VERSION)
		return RSK_REJECT_VERSION;
	max_msg = be32_to_cpu(h.max_msg);
	if (max_msg < sizeof(struct rsk_wire_hdr) + sizeof(struct rsk_wire_conn))
		return RSK_REJECT_MALFORMED;
	link->max_msg = min_t(u32, max_msg, RSK_RX_BUF_SIZE);
	/*
	 * host_id proves nothing (every hello carries it); a self token
	 * does, as rsk_link.self tells.
	 */
	token = be64_to_cpu(h.self_token);
	if (link->active) {
		link->self = link->self_token && token == link->self_token;
	} else if (token && rsk_link_self_token_ours(link->rnet, token)) {
		link->self_token = token;
		link->self = true;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_check_hello);

static void rsk_link_conn_param(struct rsk_link *link,
				struct rdma_conn_param *param,
				struct rsk_wire_hello *hello)
{
	struct ib_device_attr *attrs = &link->rdev->ibdev->attrs;

	memset(param, 0, sizeof(*param));
	rsk_link_hello(link, hello);
	param->private_data = hello;
	param->private_data_len = sizeof(*hello);
	/* RDMA READ resources only once zero-copy (RSK_CAP_ZCOPY) exists. */
	if (RSK_CAPS_V1 & RSK_CAP_ZCOPY) {
		param->responder_resources = min_t(int, RSK_RD_ATOMIC,
						   attrs->max_qp_rd_atom);
		param->initiator_depth = min_t(int, RSK_RD_ATOMIC,
					       attrs->max_qp_init_rd_atom);
	}
	param->retry_count = RSK_RETRY_COUNT;
	param->rnr_retry_count = RSK_RNR_RETRY;
}

/**
 * rsk_link_up - the link carries channels now
 * @link: the link, its peer's address proven (rsk_link_proving())
 * @first: a message to queue as the link goes up, before any channel
 *	can send (the active end's LINK_PROOF), or NULL
 *
 * Any context, NAPI's softirq included (a challenge or proof received):
 * the waiting channels' CONN_REQs are queued from here, each under its
 * socket's spinlock, as a freed send slot queues their messages.  The
 * first call wins, and frees @first otherwise.
 */
static void rsk_link_up(struct rsk_link *link, struct rsk_tx_buf *first)
{
	const struct rsk_link_chan_ops *ops = rsk_link_chan_ops();
	struct rsk_net *rnet = link->rnet;
	struct rsk_link_chan *chan;

	/*
	 * State, list and timer change together under both locks, so that a
	 * concurrent rsk_link_kill() (DEAD under link->lock, then unlist and
	 * cancel the timer) either comes first and stops us, or finds all
	 * three done.
	 */
	spin_lock_bh(&rnet->links_lock);
	spin_lock(&link->lock);
	if (link->state != RSK_LINK_PROVING) {
		spin_unlock(&link->lock);
		spin_unlock_bh(&rnet->links_lock);
		if (first)
			rsk_tx_buf_free(first);
		return;
	}
	link->state = RSK_LINK_UP;
	rsk_link_trace(link);
	if (first)
		__rsk_link_queue_ctrl(link, first);
	link->last_rx = jiffies;
	if (link->counted_pending) {
		rnet->pending_links--;
		link->counted_pending = false;
	}
	if (!link->listed) {
		list_add_tail(&link->net_node, &rnet->links);
		link->listed = true;
	}
	queue_delayed_work(rsk_link_wq, &link->timer_work,
			   msecs_to_jiffies(READ_ONCE(rnet->link_keepalive_ms)));
	spin_unlock(&link->lock);
	spin_unlock_bh(&rnet->links_lock);
	rsk_event(rnet, link->active ? RSK_EV_LINKS_OPENED : RSK_EV_LINKS_ACCEPTED);

	/* Channels that waited for the link send their CONN_REQ now. */
	for (;;) {
		spin_lock_bh(&link->lock);
		chan = list_first_entry_or_null(&link->conn_waiters,
						struct rsk_link_chan, node);
		if (chan)
			list_del_init(&chan->node);
		spin_unlock_bh(&link->lock);
		if (!chan)
			break;
		ops->up(chan);
		ops->put(chan);		/* the waiter's, rsk_link_attach() */
	}
}

/*
 * The proof of the peer's address.  A passive link's peer address is what
 * the REQ claimed, and so is the address its QP sends to; anyone may claim
 * any address, and an RC QP takes the messages of whoever knows its number
 * and sequence.  So before either end puts a channel on a link, the passive
 * end sends a random cookie over the QP (LINK_CHALLENGE), which only a
 * host that receives at the claimed address can read, and the active end
 * echoes it (LINK_PROOF), as TCP's SYN-ACK proves the SYN's source.  Until
 * then the link is PROVING: nothing else may come (rsk_link_rx_unproven()),
 * and a link that stays so too long (rsk_link_proof_expired()) dies.
 * Each failure counts as link_unproven.
 */
/* The peer failed to prove its address: the link dies, counted once. */
static void rsk_link_unproven(struct rsk_link *link, int err)
{
	if (rsk_link_kill(link, err))
		rsk_event(link->rnet, RSK_EV_LINK_UNPROVEN);
}

/* A LINK_CHALLENGE or LINK_PROOF carrying @cookie, or NULL (counted). */
static struct rsk_tx_buf *rsk_link_proof_buf(struct rsk_link *link, u8 type,
					     u64 cookie)
{
	struct rsk_wire_proof body = { .cookie = cpu_to_be64(cookie) };
	struct rsk_tx_buf *tb;

	tb = rsk_link_ctrl_buf(type, 0, 0, 0, &body, sizeof(body));
	if (!tb)
		rsk_event(link->rnet, RSK_EV_CTRL_DROPPED);
	return tb;
}

/*
 * How long a link may stay PROVING: 4 keepalive periods, and never less
 * than RSK_LINK_PROOF_MIN_MS, which covers rdma_cm resending a REP whose
 * RTU was lost (the passive end sends its challenge only at its own
 * ESTABLISHED event, which that RTU brings, seconds later).
 */
#define RSK_LINK_PROOF_MIN_MS	30000

VISIBLE_IF_KUNIT bool rsk_link_proof_expired(const struct rsk_link *link,
					     unsigned long now,
					     unsigned long keepalive)
{
	unsigned long limit = max(RSK_LINK_DEAD_PERIODS * keepalive,
				  msecs_to_jiffies(RSK_LINK_PROOF_MIN_MS));

	return time_after(now, link->proving_since + limit);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_proof_expired);

/*
 * The active end answers the challenge and goes up at once, its
 * LINK_PROOF queued under link->lock as it does: the CONN_REQs of the
 * channels waiting follow the proof on the wire, and whatever the peer
 * sends once it has read the proof finds this end up.
 */
static void rsk_link_answer(struct rsk_link *link, u64 cookie)
{
	struct rsk_tx_buf *tb;

	tb = rsk_link_proof_buf(link, RSK_MSG_LINK_PROOF, cookie);
	if (!tb) {
		rsk_link_kill(link, -ENOBUFS);
		return;
	}
	rsk_link_up(link, tb);
}

/**
 * rsk_link_proving - the QP is connected: prove the peer's address
 * @link: the link, at its ESTABLISHED event (and its hello checked)
 *
 * The passive end sends its challenge; the active end answers one that
 * came before this event, if one did.
 */
VISIBLE_IF_KUNIT void rsk_link_proving(struct rsk_link *link)
{
	unsigned long keepalive;
	struct rsk_tx_buf *challenge = NULL;
	bool answer = false;
	u64 cookie = 0;

	/* The passive end's challenge goes out as the state changes. */
	if (!link->active) {
		challenge = rsk_link_proof_buf(link, RSK_MSG_LINK_CHALLENGE,
					       link->proof_cookie);
		if (!challenge) {
			rsk_link_kill(link, -ENOBUFS);
			return;
		}
	}
	keepalive = msecs_to_jiffies(READ_ONCE(link->rnet->link_keepalive_ms));
	spin_lock_bh(&link->lock);
	if (link->state != RSK_LINK_CONNECTING) {
		spin_unlock_bh(&link->lock);
		if (challenge)
			rsk_tx_buf_free(challenge);
		return;
	}
	link->state = RSK_LINK_PROVING;
	rsk_link_trace(link);
	link->proving_since = jiffies;
	if (challenge)
		__rsk_link_queue_ctrl(link, challenge);
	answer = link->active && link->challenged;
	cookie = link->proof_cookie;
	queue_delayed_work(rsk_link_wq, &link->timer_work, keepalive);
	spin_unlock_bh(&link->lock);

	if (answer)
		rsk_link_answer(link, cookie);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_proving);

/**
 * rsk_link_rx_unproven - a message on a link not up yet, softirq
 * @link: the link, CONNECTING or PROVING
 * @hdr: the message's header, its length checked
 * @len: the bytes after the header
 *
 * Only the one message the proof expects may come: LINK_CHALLENGE to
 * the active end (which may overtake our ESTABLISHED event), LINK_PROOF
 * with our cookie to the passive end once it sent it.  Anything else, or
 * a second one, kills the link.
 */
void rsk_link_rx_unproven(struct rsk_link *link,
			  const struct rsk_wire_hdr *hdr, u32 len)
{
	const struct rsk_wire_proof *body = (const void *)(hdr + 1);
	u8 want = link->active ? RSK_MSG_LINK_CHALLENGE : RSK_MSG_LINK_PROOF;
	bool answer = false, proven = false;
	u64 cookie;

	if (hdr->type != want || hdr->dst_chan || hdr->src_chan ||
	    len != sizeof(*body))
		goto unproven;
	cookie = be64_to_cpu(body->cookie);
	spin_lock_bh(&link->lock);
	if (link->active && !link->challenged && cookie &&
	    (link->state == RSK_LINK_CONNECTING ||
	     link->state == RSK_LINK_PROVING)) {
		/* Before our ESTABLISHED event, rsk_link_proving() answers. */
		link->challenged = true;
		link->proof_cookie = cookie;
		answer = link->state == RSK_LINK_PROVING;
		proven = true;
	} else if (!link->active && link->state == RSK_LINK_PROVING &&
		   cookie == link->proof_cookie) {
		proven = true;
	}
	spin_unlock_bh(&link->lock);
	if (!proven)
		goto unproven;
	if (answer)
		rsk_link_answer(link, cookie);
	else if (!link->active)
		rsk_link_up(link, NULL);
	return;
unproven:
	rsk_link_unproven(link, -ECONNRESET);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_rx_unproven);

/* Map a failed link setup to what connect() returns, as TCP would. */
static int rsk_link_event_errno(struct rdma_cm_event *ev)
{
	switch (ev->event) {
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
		/*
		 * No route: ENETUNREACH.  A neighbour that never answered
		 * (rdma_cm says ETIMEDOUT): EHOSTUNREACH, as TCP learns it.
		 */
		if (ev->status == -ENETUNREACH)
			return ev->status;
		return -EHOSTUNREACH;
	case RDMA_CM_EVENT_REJECTED:
		return -ECONNREFUSED;
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_CONNECT_ERROR:
		return -ETIMEDOUT;
	default:
		return -ECONNRESET;
	}
}

/* Events of an active or accepted link's cm_id; handler mutex held. */
static int rsk_link_cm_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	struct rsk_link *link = id->context;
	struct rdma_conn_param param;
	struct rsk_wire_hello hello;
	int err;

	if (link->destroying)
		return 0;

	switch (ev->event) {
	case RDMA_CM_EVENT_ADDR_RESOLVED:
		err = rdma_resolve_route(id, RSK_RESOLVE_TIMEOUT_MS);
		if (err)
			rsk_link_kill(link, -EHOSTUNREACH);
		return 0;
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		err = rsk_link_create_qp(link, id);
		if (!err) {
			spin_lock_bh(&link->lock);
			if (link->state == RSK_LINK_RESOLVING) {
				link->state = RSK_LINK_CONNECTING;
				rsk_link_trace(link);
			}
			spin_unlock_bh(&link->lock);
			rsk_link_conn_param(link, &param, &hello);
			err = rdma_connect_locked(id, &param);
		}
		if (err)
			rsk_link_kill(link, -EHOSTUNREACH);
		return 0;
	case RDMA_CM_EVENT_ESTABLISHED:
		if (link->active &&
		    rsk_link_check_hello(link, ev->param.conn.private_data,
					 ev->param.conn.private_data_len)) {
			rsk_event(link->rnet, RSK_EV_LINK_BAD_REP);
			rsk_link_kill(link, -ECONNREFUSED);
			return 0;
		}
		if (link->active)
			WRITE_ONCE(link->peer_qpn, ev->param.conn.qp_num);
		rsk_link_proving(link);
		return 0;
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
	case RDMA_CM_EVENT_ADDR_CHANGE:
		rsk_link_kill(link, -ECONNRESET);
		return 0;
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
		return 0;
	default:
		/* ADDR/ROUTE_ERROR, UNREACHABLE, REJECTED, CONNECT_ERROR */
		rsk_link_kill(link, rsk_link_event_errno(ev));
		return 0;
	}
}

static void rsk_link_reject(struct rsk_net *rnet, struct rdma_cm_id *id,
			    u16 reason)
{
	struct rsk_wire_reject rej = {
		.magic		= cpu_to_be32(RSK_WIRE_MAGIC),
		.version	= RSK_WIRE_VERSION,
		.min_version	= RSK_WIRE_MIN_VERSION,
		.reason		= cpu_to_be16(reason),
	};

	rsk_event(rnet, RSK_EV_LINK_REJECTED);
	rdma_reject(id, &rej, sizeof(rej), IB_CM_REJ_CONSUMER_DEFINED);
}

/* A peer's REQ on the link listener: take it, or reject it. */
static int rsk_link_passive(struct rsk_net *rnet, struct rdma_cm_id *id,
			    struct rdma_cm_event *ev)
{
	struct rdma_conn_param param;
	struct rsk_wire_hello hello;
	struct rsk_link *link;
	struct rsk_addr peer;
	int reason, err;

	err = rsk_addr_parse((struct sockaddr *)&id->route.addr.dst_addr,
			     sizeof(id->route.addr.dst_addr), &peer);
	if (err || peer.family == AF_UNSPEC)
		return -EINVAL;		/* rdma_cm rejects and destroys id */

	if (!rsk_link_within_caps(rnet, &peer)) {
		rsk_event(rnet, RSK_EV_LINK_LIMIT);
		rsk_link_reject(rnet, id, RSK_REJECT_BUSY);
		return -EBUSY;
	}
	spin_lock_bh(&rnet->links_lock);
	if (rnet->pending_links >= READ_ONCE(rnet->max_pending_links)) {
		spin_unlock_bh(&rnet->links_lock);
		rsk_link_reject(rnet, id, RSK_REJECT_BUSY);
		return -EBUSY;
	}
	rnet->pending_links++;
	spin_unlock_bh(&rnet->links_lock);

	link = rsk_link_alloc(rnet, &peer, false);
	if (!link) {
		reason = RSK_REJECT_NOMEM;
		goto out_unpend;
	}
	link->counted_pending = true;
	link->peer_qpn = ev->param.conn.qp_num;
	reason = rsk_link_check_hello(link, ev->param.conn.private_data,
				      ev->param.conn.private_data_len);
	if (reason)
		goto out_free;
	/*
	 * The child inherited the listener's handler; it is the link's now.
	 * From here on the link owns the id and fails only through
	 * rsk_link_kill(): once it holds the device, device removal may
	 * kill it too, and the destroy work must be the one to unwind.
	 */
	link->cm_id = id;
	id->context = link;
	id->event_handler = rsk_link_cm_handler;
	if (rsk_link_create_qp(link, id)) {
		rsk_link_reject(rnet, id, RSK_REJECT_NOMEM);
		rsk_link_kill(link, -ENOMEM);
		return 0;
	}
	rsk_link_conn_param(link, &param, &hello);
	err = rdma_accept(id, &param);
	if (err)
		rsk_link_kill(link, -ECONNRESET);
	return 0;

out_free:
	link->counted_pending = false;
	rsk_link_put(link);
out_unpend:
	spin_lock_bh(&rnet->links_lock);
	rnet->pending_links--;
	spin_unlock_bh(&rnet->links_lock);
	rsk_link_reject(rnet, id, reason);
	return -ECONNREFUSED;		/* rdma_cm destroys the child id */
}

static int rsk_listen_cm_handler(struct rdma_cm_id *id,
				 struct rdma_cm_event *ev)
{
	if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST)
		return rsk_link_passive(id->context, id, ev);
	return 0;
}

/**
 * rsk_link_listen_any - an rdma_cm listener on the wildcard of a namespace
 * @net: the namespace
 * @h: its event handler
 * @ctx: its context
 * @ps: RDMA_PS_TCP (links) or RDMA_PS_UDP (datagram resolution)
 * @port: the port in that space
 *
 * On the IPv6 wildcard, which takes IPv4 too, or on the IPv4 one when
 * IPv6 is off.  The ports are below 1024 (rsk_net.c), where rdma_cm lets
 * only CAP_NET_BIND_SERVICE of the host bind, so that a local user cannot
 * take them first and answer other hosts' requests in our place.  The
 * module binds them for whichever user's listen() or datagram socket
 * opened the namespace's listener, as the kernel's NFS server binds its
 * reserved ports: with the kernel's credentials, not the caller's.  A
 * namespace's root may point link_port or dgram_port below 1024 too: the
 * module binds it, but rdma_cm's port spaces are per namespace, so that
 * takes nothing from any other namespace.
 *
 * Return: the id, or ERR_PTR (-EADDRINUSE when another rdma_cm user holds
 * the port: rdma_cm says EADDRNOTAVAIL for a wildcard that conflicts).
 */
struct rdma_cm_id *rsk_link_listen_any(struct net *net, rdma_cm_event_handler h,
				       void *ctx, enum rdma_ucm_port_space ps,
				     u16 port)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family	= AF_INET6,
		.sin6_port	= htons(port),
	};
	struct sockaddr_in sin = {
		.sin_family	= AF_INET,
		.sin_port	= htons(port),
	};
	const struct cred *old_cred;
	struct rdma_cm_id *id;
	int err;

	id = rdma_create_id(net, h, ctx, ps,
			    ps == RDMA_PS_UDP ? IB_QPT_UD : IB_QPT_RC);
	if (IS_ERR(id))
		return id;
	rdma_set_afonly(id, 0);
	old_cred = override_creds(rsk_kernel_cred);
	err = rdma_bind_addr(id, (struct sockaddr *)&sin6);
	if (err)
		err = rdma_bind_addr(id, (struct sockaddr *)&sin);
	revert_creds(old_cred);
	if (!err)
		err = rdma_listen(id, 128);
	if (err) {
		rdma_destroy_id(id);
		return ERR_PTR(err == -EADDRNOTAVAIL ? -EADDRINUSE : err);
	}
	return id;
}

static int rsk_link_listen(struct rsk_net *rnet)
{
	struct rdma_cm_id *id;

	id = rsk_link_listen_any(rnet->net, rsk_listen_cm_handler, rnet,
				 RDMA_PS_TCP, READ_ONCE(rnet->link_port));
	if (IS_ERR(id))
		return PTR_ERR(id);
	rnet->listen_id = id;
	return 0;
}

/**
 * rsk_link_listen_get - a stream socket starts listening
 * @rnet: its namespace
 *
 * The first one opens the namespace's link listener, so that peers can
 * set up links to it.  Process context.
 *
 * Return: 0, or why the link port cannot be listened on (-EADDRINUSE when
 * another rdma_cm user holds it).
 */
int rsk_link_listen_get(struct rsk_net *rnet)
{
	int err = 0;

	KUNIT_STATIC_STUB_REDIRECT(rsk_link_listen_get, rnet);

	mutex_lock(&rnet->listen_mutex);
	if (!rnet->listeners)
		err = rsk_link_listen(rnet);
	if (!err)
		rnet->listeners++;
	mutex_unlock(&rnet->listen_mutex);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_listen_get);

/*
 * A stream socket stops listening; the last one closes the link listener.
 * Links already set up stay: they carry their channels either way.
 */
void rsk_link_listen_put(struct rsk_net *rnet)
{
	KUNIT_STATIC_STUB_REDIRECT(rsk_link_listen_put, rnet);

	mutex_lock(&rnet->listen_mutex);
	/* Under the mutex, so that a new listener finds the port free. */
	if (!WARN_ON_ONCE(rnet->listeners <= 0) && !--rnet->listeners) {
		rdma_destroy_id(rnet->listen_id);
		rnet->listen_id = NULL;
	}
	mutex_unlock(&rnet->listen_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_listen_put);

/*
 * Whether a new channel from @local (NULL: whichever address) to @peer
 * may go over @link.  A link carries the channels of the two addresses
 * it joins and no others: the peer refuses a CONN_REQ whose source is
 * not the address the link came from (rsk_chan_conn_req()).  A channel
 * to one of our own addresses (@own) goes only over a link we opened
 * with a self token: a passive link's peer address is what the REQ
 * claimed, and anyone may claim ours.  Its CONN_REQ then reaches the
 * passive end, which proved the link self before accepting it; and once
 * up, only if the REP echoed the token (link->self).
 */
VISIBLE_IF_KUNIT bool rsk_link_serves(struct rsk_link *link,
				      const struct rsk_addr *peer,
				      const struct rsk_addr *local, bool own)
{
	bool ok;

	if (!rsk_addr_same_host(&link->peer, peer))
		return false;
	if (own && !(link->active && link->self_token))
		return false;
	spin_lock(&link->lock);
	/*
	 * Once connected (its REP read), a link to our own address is one
	 * only if it proved so.
	 */
	ok = rsk_link_open_for_new(link) &&
	     !(own && (link->state == RSK_LINK_UP ||
		       link->state == RSK_LINK_PROVING) && !link->self) &&
	     (!local || (link->local.family != AF_UNSPEC &&
			 rsk_addr_same_host(&link->local, local)));
	spin_unlock(&link->lock);
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_serves);

/* A link that serves @local to @peer, with a reference; links_lock held. */
static struct rsk_link *__rsk_link_find(struct rsk_net *rnet,
					const struct rsk_addr *peer,
					const struct rsk_addr *local, bool own)
{
	struct rsk_link *link;

	lockdep_assert_held(&rnet->links_lock);
	list_for_each_entry(link, &rnet->links, net_node) {
		if (rsk_link_serves(link, peer, local, own)) {
			kref_get(&link->ref);	/* the caller's */
			return link;
		}
	}
	return NULL;
}

static struct rsk_link *rsk_link_find(struct rsk_net *rnet,
				      const struct rsk_addr *peer,
				      const struct rsk_addr *local, bool own)
{
	struct rsk_link *found;

	spin_lock_bh(&rnet->links_lock);
	found = __rsk_link_find(rnet, peer, local, own);
	spin_unlock_bh(&rnet->links_lock);
	return found;
}

/**
 * rsk_link_get_for_peer - the link a new channel to @peer goes over
 * @rnet: the namespace
 * @peer: the peer's address (port ignored)
 * @local: the channel's own address when its socket is bound to one
 *	(port ignored), else NULL: the link then starts from whichever
 *	address the route gives
 *
 * Reuses a link that is up or being set up; otherwise starts one, which
 * comes up (or fails) in the background.  Process context.
 *
 * Return: the link with a reference, or ERR_PTR.
 */
struct rsk_link *rsk_link_get_for_peer(struct rsk_net *rnet,
				       const struct rsk_addr *peer,
				       const struct rsk_addr *local)
{
	struct sockaddr_storage dst, src;
	struct rdma_cm_id *id;
	struct rsk_link *link, *other;
	bool own;
	int err;

	KUNIT_STATIC_STUB_REDIRECT(rsk_link_get_for_peer, rnet, peer, local);

	own = rsk_addr_is_own(rnet->net, peer);
	link = rsk_link_find(rnet, peer, local, own);
	if (link)
		return link;

	if (!rsk_link_within_caps(rnet, peer)) {
		rsk_event(rnet, RSK_EV_LINK_LIMIT);
		return ERR_PTR(-ENOBUFS);
	}
	link = rsk_link_alloc(rnet, peer, true);
	if (!link)
		return ERR_PTR(-ENOBUFS);
	if (local) {
		link->local = *local;	/* the route's source, once resolved */
		link->local.port = 0;
	}
	id = rdma_create_id(rnet->net, rsk_link_cm_handler, link, RDMA_PS_TCP,
			    IB_QPT_RC);
	if (IS_ERR(id)) {
		rsk_link_put(link);
		return ERR_CAST(id);
	}
	link->cm_id = id;

	/* Another connect may have started one meanwhile: use that. */
	spin_lock_bh(&rnet->links_lock);
	other = __rsk_link_find(rnet, peer, local, own);
	if (!other) {
		list_add_tail(&link->net_node, &rnet->links);
		link->listed = true;
	}
	spin_unlock_bh(&rnet->links_lock);
	if (other) {
		rdma_destroy_id(id);
		link->cm_id = NULL;
		rsk_link_put(link);
		return other;
	}

	kref_get(&link->ref);		/* the caller's */
	rsk_addr_to_sockaddr(peer, htons(READ_ONCE(rnet->link_port)), &dst);
	if (local)
		rsk_addr_to_sockaddr(local, 0, &src);
	err = rdma_resolve_addr(id, local ? (struct sockaddr *)&src : NULL,
				(struct sockaddr *)&dst, RSK_RESOLVE_TIMEOUT_MS);
	if (err)
		rsk_link_kill(link, err == -ENETUNREACH ? err : -EHOSTUNREACH);
	return link;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_get_for_peer);

/**
 * rsk_link_attach - give a channel an id on the link
 * @link: the channel's link
 * @chan: the channel; its socket's lock held
 *
 * Return: 1 when the link is up (the caller sends its request now), 0
 * when the channel waits for the link to come up (chan_ops->up is called
 * then), or the link's error.
 */
int rsk_link_attach(struct rsk_link *link, struct rsk_link_chan *chan)
{
	const struct rsk_link_chan_ops *ops = rsk_link_chan_ops();
	int id, ret;

	spin_lock(&link->lock);
	if (link->state == RSK_LINK_DEAD) {
		ret = link->err;
		goto out;
	}
	id = idr_alloc_cyclic(&link->chans, chan, 1, INT_MAX, GFP_ATOMIC);
	if (id < 0) {
		ret = -ENOBUFS;
		goto out;
	}
	chan->id = id;
	ops->hold(chan);		/* the table's, put by detach */
	link->nchans++;
	rsk_obj_inc(link->rnet, channels);
	if (link->state == RSK_LINK_UP) {
		ret = 1;
	} else {
		ops->hold(chan);	/* put by rsk_link_up() or detach */
		list_add_tail(&chan->node, &link->conn_waiters);
		ret = 0;
	}
out:
	spin_unlock(&link->lock);
	return ret;
}

/*
 * The channel's id is free again; its socket's lock held, and the caller
 * holds a reference of its own, so the ones dropped here are never the
 * last.
 */
void rsk_link_detach(struct rsk_link *link, struct rsk_link_chan *chan)
{
	const struct rsk_link_chan_ops *ops = rsk_link_chan_ops();
	int puts = 0;

	spin_lock(&link->lock);
	if (chan->id) {
		idr_remove(&link->chans, chan->id);
		chan->id = 0;
		link->nchans--;
		link->idle_since = jiffies;
		rsk_obj_dec(link->rnet, channels);
		puts++;
	}
	if (!list_empty(&chan->node)) {
		list_del_init(&chan->node);
		chan->on_tx_wait = false;
		puts++;
	}
	spin_unlock(&link->lock);
	while (puts--)
		ops->put(chan);
}

/* The channel @id of the link, with a reference (chan_ops->hold); or NULL. */
struct rsk_link_chan *rsk_link_find_chan(struct rsk_link *link, u32 id)
{
	struct rsk_link_chan *chan;

	if (!id || id > INT_MAX)
		return NULL;
	spin_lock_bh(&link->lock);
	chan = idr_find(&link->chans, id);
	if (chan)
		rsk_link_chan_ops()->hold(chan);
	spin_unlock_bh(&link->lock);
	return chan;
}

/* Link-level messages from the peer. */
void rsk_link_rx_ctrl(struct rsk_link *link, const struct rsk_wire_hdr *hdr)
{
	bool answer;

	switch (hdr->type) {
	case RSK_MSG_KEEPALIVE:
		if (!(hdr->flags & RSK_KA_REPLY))
			rsk_link_send_ctrl(link, RSK_MSG_KEEPALIVE, RSK_KA_REPLY,
					   0, 0, NULL, 0);
		return;
	case RSK_MSG_LINK_CLOSE:
		/* Each end sends one: answer unless ours went already. */
		spin_lock_bh(&link->lock);
		link->close_rcvd = true;
		answer = !link->close_sent;
		link->close_sent = true;
		spin_unlock_bh(&link->lock);
		rsk_link_unlist(link);	/* no new channels on it */
		if (answer)
			rsk_link_send_ctrl(link, RSK_MSG_LINK_CLOSE, 0, 0, 0,
					   NULL, 0);
		return;
	default:
		rsk_event(link->rnet, RSK_EV_RX_UNKNOWN_TYPE);
	}
}

/*
 * What the timer finds a link needs; link->lock held.  Returns the event
 * that kills it, or 0 (with *probe, *start_close, *done set).
 */
VISIBLE_IF_KUNIT int rsk_link_timer_verdict(struct rsk_link *link,
					    unsigned long now,
					    unsigned long keepalive,
					    unsigned long idle, bool *probe,
					    bool *start_close, bool *done)
{
	unsigned long dead = RSK_LINK_DEAD_PERIODS * keepalive;

	lockdep_assert_held(&link->lock);
	if (link->sq_free < RSK_LINK_SQ_DEPTH &&
	    time_after(now, link->last_tx_done + dead))
		return RSK_EV_LINK_TX_STALLS;
	if (link->nchans) {
		if (time_after(now, link->last_rx + dead))
			return RSK_EV_LINK_KEEPALIVE_TIMEOUTS;
		*probe = time_after(now, link->last_rx + keepalive);
	} else if (link->close_sent && link->close_rcvd) {
		*done = true;
	} else if (link->close_sent) {
		if (time_after(now, link->close_sent_at + dead))
			return RSK_EV_LINK_CLOSE_TIMEOUTS;
	} else if (time_after(now, link->idle_since + idle)) {
		link->close_sent = true;
		link->close_sent_at = now;
		*start_close = true;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_link_timer_verdict);

/* A link-level message the device refused waits this long. */
#define RSK_LINK_RETRY	(HZ / 5)

/**
 * rsk_link_retry_soon - post what the device refused, soon
 * @link: the link, UP or PROVING; link->lock held
 *
 * Queued at most once, never moved: its own work, not the link's timer,
 * whose verdicts and probes keep their pace however often posts fail.  A
 * link being destroyed cancels it once its state is DEAD, after which
 * nothing is posted and so nothing asks for a retry.
 */
void rsk_link_retry_soon(struct rsk_link *link)
{
	lockdep_assert_held(&link->lock);
	queue_delayed_work(rsk_link_wq, &link->ctrl_retry_work, RSK_LINK_RETRY);
}

/*
 * Every keepalive interval: probe a link that carries channels and has
 * heard nothing, and close a link that has carried none for link_idle_ms.
 * Closing is two-sided: both ends stop opening channels on it (LINK_CLOSE
 * each way), and the link is torn down once it has no channel left.  A
 * link whose peer stays silent, leaves our sends uncompleted or leaves
 * our LINK_CLOSE unanswered for RSK_LINK_DEAD_PERIODS is killed
 * (ETIMEDOUT to its channels), counted.
 */
static void rsk_link_timer_work(struct work_struct *work)
{
	struct rsk_link *link = container_of(to_delayed_work(work),
					     struct rsk_link, timer_work);
	struct rsk_net *rnet = link->rnet;
	unsigned long keepalive, idle, now = jiffies;
	bool probe = false, start_close = false, done = false, expired;
	int dead;

	keepalive = msecs_to_jiffies(READ_ONCE(rnet->link_keepalive_ms));
	idle = msecs_to_jiffies(READ_ONCE(rnet->link_idle_ms));
	spin_lock_bh(&link->lock);
	if (link->state == RSK_LINK_PROVING) {
		expired = rsk_link_proof_expired(link, now, keepalive);
		if (!expired)
			queue_delayed_work(rsk_link_wq, &link->timer_work,
					   keepalive);
		spin_unlock_bh(&link->lock);
		if (expired)
			rsk_link_unproven(link, -ETIMEDOUT);
		return;
	}
	if (link->state != RSK_LINK_UP) {
		spin_unlock_bh(&link->lock);
		return;
	}
	dead = rsk_link_timer_verdict(link, now, keepalive, idle, &probe,
				      &start_close, &done);
	spin_unlock_bh(&link->lock);

	if (dead) {
		rsk_event(rnet, dead);
		rsk_link_kill(link, -ETIMEDOUT);
		return;
	}
	if (done) {
		rsk_link_kill(link, 0);
		return;
	}
	if (start_close) {
		rsk_link_unlist(link);
		rsk_link_send_ctrl(link, RSK_MSG_LINK_CLOSE, 0, 0, 0, NULL, 0);
	}
	if (probe) {
		rsk_event(rnet, RSK_EV_KEEPALIVES);
		rsk_link_send_ctrl(link, RSK_MSG_KEEPALIVE, 0, 0, 0, NULL, 0);
	}
	queue_delayed_work(rsk_link_wq, &link->timer_work,
			   min(keepalive, idle));
}

/* Kill every link matching @match and wait until all are destroyed. */
static void rsk_link_kill_matching(bool (*match)(struct rsk_link *, void *),
				   void *arg, struct list_head *all)
{
	struct rsk_link *link;

	for (;;) {
		link = NULL;
		spin_lock_bh(&rsk_all_links_lock);
		list_for_each_entry(link, all, all_node) {
			if (link->state != RSK_LINK_DEAD && match(link, arg)) {
				kref_get(&link->ref);	/* put below */
				break;
			}
		}
		if (list_entry_is_head(link, all, all_node))
			link = NULL;
		spin_unlock_bh(&rsk_all_links_lock);
		if (!link)
			break;
		/* The local end went away: as a TCP connection aborted here. */
		rsk_link_kill(link, -ECONNABORTED);
		rsk_link_put(link);
	}
	flush_workqueue(rsk_link_wq);
}

static bool rsk_link_on_dev(struct rsk_link *link, void *rdev)
{
	return link->rdev == rdev;
}

/*
 * The device is going: kill its links and wait until none holds it.  A
 * link that was resolving onto the device when removal began may take
 * its reference late, so look again until the last one is gone.
 */
static void rsk_link_kill_dev(struct rsk_device *rdev)
{
	rsk_link_kill_matching(rsk_link_on_dev, rdev, &rsk_all_links);
}

static struct rsk_dev_notifier rsk_link_dev_notifier = {
	.remove	= rsk_link_kill_dev,
};

static bool rsk_link_in_net(struct rsk_link *link, void *rnet)
{
	return link->rnet == rnet;
}

/* The namespace is going: its listener is gone, now its links. */
static void __net_exit rsk_link_net_exit(struct net *net)
{
	rsk_link_kill_matching(rsk_link_in_net, rsk_net(net), &rsk_all_links);
}

static struct pernet_operations rsk_link_net_ops = {
	.exit	= rsk_link_net_exit,
};

/* One line per link, for debugfs and the tests. */
int rsk_link_show(struct seq_file *seq, void *v)
{
	struct rsk_link *link;

	spin_lock_bh(&rsk_all_links_lock);
	list_for_each_entry(link, &rsk_all_links, all_node) {
		seq_printf(seq, "link %u %s peer ", link->id,
			   link->active ? "active" : "passive");
		if (link->peer.family == AF_INET)
			seq_printf(seq, "%pI4", &link->peer.v4);
		else
			seq_printf(seq, "%pI6c", &link->peer.v6);
		seq_printf(seq, " state %s chans %d qpn %u max_msg %u\n",
			   rsk_link_state_names[link->state], link->nchans,
			   link->qp_num, link->max_msg);
	}
	spin_unlock_bh(&rsk_all_links_lock);
	return 0;
}

/**
 * rsk_link_walk - call @fn for the namespace's links after link @*last
 * @rnet: the namespace
 * @last: the id of the last link an earlier walk took (0: none); set to
 *	  each link's @fn returns 0 for
 * @fn: called under a spinlock: must not sleep; nonzero stops the walk
 * @arg: for @fn
 *
 * Every link of the namespace, dead ones too until they are freed, in the
 * order they were made, which is the order of their ids: a link that
 * goes between two walks does not make the second skip another.
 * Return: what @fn returned last, or 0.
 */
int rsk_link_walk(struct rsk_net *rnet, u32 *last,
		  int (*fn)(struct rsk_link *link, void *arg), void *arg)
{
	struct rsk_link *link;
	int err = 0;

	spin_lock_bh(&rsk_all_links_lock);
	list_for_each_entry(link, &rsk_all_links, all_node) {
		if (link->rnet != rnet || link->id <= *last)
			continue;
		err = fn(link, arg);
		if (err)
			break;
		*last = link->id;
	}
	spin_unlock_bh(&rsk_all_links_lock);
	return err;
}

int rsk_link_init(void)
{
	int err;

	rsk_kernel_cred = prepare_kernel_cred(&init_task);
	if (!rsk_kernel_cred)
		return -ENOMEM;
	err = -ENOMEM;
	rsk_link_wq = alloc_workqueue("rdma_sock_link", WQ_MEM_RECLAIM, 0);
	if (!rsk_link_wq)
		goto put_cred;
	err = register_pernet_subsys(&rsk_link_net_ops);
	if (err)
		goto destroy_wq;
	rsk_dev_register_notifier(&rsk_link_dev_notifier);
	return 0;

destroy_wq:
	destroy_workqueue(rsk_link_wq);
put_cred:
	put_cred(rsk_kernel_cred);
	return err;
}

void rsk_link_exit(void)
{
	rsk_dev_unregister_notifier(&rsk_link_dev_notifier);
	unregister_pernet_subsys(&rsk_link_net_ops);
	destroy_workqueue(rsk_link_wq);
	put_cred(rsk_kernel_cred);
}
