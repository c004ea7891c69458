// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the link (rsk_link.c), on link structures with no queue
 * pair: what its timer decides in each situation a peer can put it in (a
 * peer that stays silent, leaves our sends uncompleted or never answers
 * our LINK_CLOSE must not hold the link for ever), which links a new
 * channel may take, and the proof of a peer's address that every link
 * goes through before it carries channels.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include "rsk.h"

#define KA	(5 * HZ)		/* keepalive period */
#define IDLE	(60 * HZ)

struct verdict_case {
	const char *name;
	/* the link, ages in jiffies before now */
	int nchans, sq_used;
	unsigned long rx_age, tx_age, idle_age, close_age;
	bool close_sent, close_rcvd;
	/* what the timer must do */
	int dead;
	bool probe, start_close, done;
};

static const struct verdict_case verdict_cases[] = {
	{ "busy and heard from", 1, 0, KA / 2, 0, 0, 0, false, false,
	  0, false, false, false },
	{ "silent one period: probe", 1, 0, KA + 1, 0, 0, 0, false, false,
	  0, true, false, false },
	{ "silent four periods: dead", 1, 0, 4 * KA + 1, 0, 0, 0, false, false,
	  RSK_EV_LINK_KEEPALIVE_TIMEOUTS, false, false, false },
	{ "sends stuck four periods: dead", 1, 3, 0, 4 * KA + 1, 0, 0, false,
	  false, RSK_EV_LINK_TX_STALLS, false, false, false },
	{ "sends pending, progressing", 1, 3, 0, KA, 0, 0, false, false,
	  0, false, false, false },
	{ "idle long enough: LINK_CLOSE", 0, 0, 0, 0, IDLE + 1, 0, false,
	  false, 0, false, true, false },
	{ "both LINK_CLOSEs: done", 0, 0, 0, 0, IDLE + 1, KA, true, true,
	  0, false, false, true },
	{ "LINK_CLOSE unanswered a while", 0, 0, 0, 0, IDLE, 3 * KA, true,
	  false, 0, false, false, false },
	{ "LINK_CLOSE unanswered four periods: dead", 0, 0, 0, 0, IDLE,
	  4 * KA + 1, true, false, RSK_EV_LINK_CLOSE_TIMEOUTS, false, false,
	  false },
};

static void verdict_desc(const struct verdict_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(verdict, verdict_cases, verdict_desc);

static void rsk_link_timer_verdicts(struct kunit *test)
{
	const struct verdict_case *c = test->param_value;
	struct rsk_link *link = kunit_kzalloc(test, sizeof(*link), GFP_KERNEL);
	unsigned long now = jiffies;
	bool probe = false, start_close = false, done = false;
	int dead;

	KUNIT_ASSERT_NOT_NULL(test, link);
	spin_lock_init(&link->lock);
	link->nchans = c->nchans;
	link->sq_free = RSK_LINK_SQ_DEPTH - c->sq_used;
	link->last_rx = now - c->rx_age;
	link->last_tx_done = now - c->tx_age;
	link->idle_since = now - c->idle_age;
	link->close_sent_at = now - c->close_age;
	link->close_sent = c->close_sent;
	link->close_rcvd = c->close_rcvd;
	spin_lock_bh(&link->lock);
	dead = rsk_link_timer_verdict(link, now, KA, IDLE, &probe,
				      &start_close, &done);
	spin_unlock_bh(&link->lock);
	KUNIT_EXPECT_EQ(test, dead, c->dead);
	KUNIT_EXPECT_EQ(test, probe, c->probe);
	KUNIT_EXPECT_EQ(test, start_close, c->start_close);
	KUNIT_EXPECT_EQ(test, done, c->done);
	if (c->start_close)
		KUNIT_EXPECT_TRUE(test, link->close_sent &&
				  link->close_sent_at == now);
}

/*
 * Which link a new channel may take (rsk_link_serves()).  A channel to
 * one of our own addresses goes only over a link this namespace opened
 * with a self token: a passive link's peer address is whatever its REQ
 * claimed, and a host that claims ours must not receive our loopback
 * and own-address connections.  Channels to others take a link to that
 * address, from the socket's bound address when it has one.
 */
struct serves_case {
	const char *name;
	bool active, token, self, dead, setting_up, from_other;
	bool own;		/* the channel is to one of our addresses */
	bool bound;		/* the socket is bound to 10.0.0.1 */
	bool serves;
	bool proving;		/* connected, proving its peer's address */
};

static const struct serves_case serves_cases[] = {
	{ "own: our link with a token, being set up", true, true, false,
	  false, true, false, true, false, true },
	{ "own: our link, proven", true, true, true, false, false, false,
	  true, false, true },
	{ "own: our link up, token not echoed", true, true, false, false,
	  false, false, true, false, false },
	{ "own: our link proving, token not echoed", true, true, false, false,
	  false, false, true, false, false, true },
	{ "own: our link proving, proven self", true, true, true, false,
	  false, false, true, false, true, true },
	{ "own: a passive link claiming our address", false, false, false,
	  false, false, false, true, false, false },
	{ "own: a passive link proven self", false, true, true, false, false,
	  false, true, false, false },
	{ "own: our link without a token", true, false, false, false, false,
	  false, true, false, false },
	{ "other: passive link", false, false, false, false, false, false,
	  false, false, true },
	{ "other: our link", true, false, false, false, false, false,
	  false, false, true },
	{ "other: dead link", true, false, false, true, false, false,
	  false, false, false },
	{ "other: bound, link from that address", true, false, false, false,
	  false, false, false, true, true },
	{ "other: bound, link from another address", true, false, false,
	  false, false, true, false, true, false },
};

static void serves_desc(const struct serves_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(serves, serves_cases, serves_desc);

static void rsk_link_serves_cases(struct kunit *test)
{
	const struct serves_case *c = test->param_value;
	struct rsk_link *link = kunit_kzalloc(test, sizeof(*link), GFP_KERNEL);
	struct rsk_addr peer = { .family = AF_INET };
	struct rsk_addr local = { .family = AF_INET };

	KUNIT_ASSERT_NOT_NULL(test, link);
	spin_lock_init(&link->lock);
	peer.v4 = htonl(0x0a000002);
	local.v4 = htonl(0x0a000001);
	link->peer = peer;
	link->local = local;
	if (c->from_other)
		link->local.v4 = htonl(0x0a000003);
	link->active = c->active;
	link->self_token = c->token ? 0x5e1f : 0;
	link->self = c->self;
	link->state = c->dead ? RSK_LINK_DEAD :
		      c->setting_up ? RSK_LINK_CONNECTING :
		      c->proving ? RSK_LINK_PROVING : RSK_LINK_UP;
	KUNIT_EXPECT_EQ(test, rsk_link_serves(link, &peer,
					      c->bound ? &local : NULL, c->own),
			c->serves);
}

/*
 * The control queue is bounded for what a peer makes us answer, not for
 * our own channels' resets: a peer flooding us with requests must not
 * make them vanish.
 */
static void rsk_link_ctrl_queue_cap(struct kunit *test)
{
	struct rsk_link *link = kunit_kzalloc(test, sizeof(*link), GFP_KERNEL);
	struct rsk_net *rnet = rsk_net(&init_net);
	long dropped = atomic_long_read(&rnet->events[RSK_EV_CTRL_DROPPED]);
	struct rsk_tx_buf *answer, *own, *tb, *tmp;

	KUNIT_ASSERT_NOT_NULL(test, link);
	spin_lock_init(&link->lock);
	INIT_LIST_HEAD(&link->ctrl_queue);
	link->rnet = rnet;
	link->state = RSK_LINK_UP;
	link->sq_free = 0;			/* nothing is posted */
	link->ctrl_len = RSK_CTRL_QUEUE_MAX;	/* as after a flood */
	answer = rsk_tx_buf_alloc(0, GFP_KERNEL);
	own = rsk_tx_buf_alloc(0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, answer);
	KUNIT_ASSERT_NOT_NULL(test, own);
	rsk_link_msg_hdr(answer, RSK_MSG_CONN_REFUSE, 0, 9, 0, 0, 0, 0);
	rsk_link_msg_hdr(own, RSK_MSG_RST, 0, 9, 5, 0, 0, 0);
	own->own = true;
	rsk_link_queue_ctrl(link, answer);
	KUNIT_EXPECT_EQ(test, link->ctrl_len, RSK_CTRL_QUEUE_MAX);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&rnet->events[RSK_EV_CTRL_DROPPED]),
			dropped + 1);
	rsk_link_queue_ctrl(link, own);
	KUNIT_EXPECT_EQ(test, link->ctrl_len, RSK_CTRL_QUEUE_MAX + 1);
	KUNIT_EXPECT_PTR_EQ(test, list_first_entry_or_null(&link->ctrl_queue,
							   struct rsk_tx_buf,
							   list), own);
	/* Our own are bounded too, by a larger bound. */
	link->ctrl_len = RSK_CTRL_QUEUE_OWN_MAX;
	own = rsk_tx_buf_alloc(0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, own);
	own->own = true;
	rsk_link_queue_ctrl(link, own);
	KUNIT_EXPECT_EQ(test, link->ctrl_len, RSK_CTRL_QUEUE_OWN_MAX);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&rnet->events[RSK_EV_CTRL_DROPPED]),
			dropped + 2);
	list_for_each_entry_safe(tb, tmp, &link->ctrl_queue, list)
		rsk_tx_buf_free(tb);
}

/*
 * What the device makes of each post in rsk_link_ctrl_post_refused: the
 * error to give for each call (then 0), the messages it took, by type,
 * and whether the retry work ran.
 */
static struct {
	int errs[8];
	int calls;
	u8 took[8];
	int ntook;
	bool retried;
} ctrl_device;

static int fake_link_post(struct rsk_link *link, struct rsk_tx_buf *tb)
{
	const struct rsk_wire_hdr *hdr = (const void *)tb->buf;
	int err = ctrl_device.calls < ARRAY_SIZE(ctrl_device.errs) ?
		  ctrl_device.errs[ctrl_device.calls] : 0;

	ctrl_device.calls++;
	if (err)
		return err;
	if (ctrl_device.ntook < ARRAY_SIZE(ctrl_device.took))
		ctrl_device.took[ctrl_device.ntook++] = hdr->type;
	rsk_tx_buf_free(tb);		/* as its completion would */
	return 0;
}

/* The retry, queued but not run here: only this thread's posts are stubbed. */
static void fake_retry(struct work_struct *work)
{
	ctrl_device.retried = true;
}

static void ctrl_link_cleanup(void *arg)
{
	struct rsk_link *link = arg;
	struct rsk_tx_buf *tb, *tmp;

	cancel_delayed_work_sync(&link->ctrl_retry_work);
	list_for_each_entry_safe(tb, tmp, &link->ctrl_queue, list)
		rsk_tx_buf_free(tb);
}

static void ctrl_queue_msg(struct kunit *test, struct rsk_link *link, u8 type)
{
	struct rsk_tx_buf *tb = rsk_tx_buf_alloc(0, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tb);
	rsk_link_msg_hdr(tb, type, 0, 9, 0, 0, 0, 0);
	spin_lock_bh(&link->lock);
	list_add_tail(&tb->list, &link->ctrl_queue);
	link->ctrl_len++;
	spin_unlock_bh(&link->lock);
}

static void ctrl_flush(struct rsk_link *link)
{
	spin_lock_bh(&link->lock);
	rsk_link_flush_ctrl(link);
	spin_unlock_bh(&link->lock);
}

/*
 * A link control message whose post the device refuses for want of
 * memory stays first in the queue, counted, and the link's retry is
 * queued; the next flush sends it, in order.  One refused for another
 * reason (the QP failing) is dropped and counted, and the next goes.
 */
static void rsk_link_ctrl_post_refused(struct kunit *test)
{
	struct rsk_link *link = kunit_kzalloc(test, sizeof(*link), GFP_KERNEL);
	struct rsk_net *rnet = rsk_net(&init_net);
	long nomem = atomic_long_read(&rnet->events[RSK_EV_TX_NOMEM]);
	long dropped = atomic_long_read(&rnet->events[RSK_EV_CTRL_DROPPED]);

	KUNIT_ASSERT_NOT_NULL(test, link);
	memset(&ctrl_device, 0, sizeof(ctrl_device));
	spin_lock_init(&link->lock);
	INIT_LIST_HEAD(&link->ctrl_queue);
	INIT_LIST_HEAD(&link->tx_waiters);
	INIT_DELAYED_WORK(&link->ctrl_retry_work, fake_retry);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, ctrl_link_cleanup, link), 0);
	link->rnet = rnet;
	link->state = RSK_LINK_UP;
	link->sq_free = RSK_LINK_SQ_DEPTH;
	kunit_activate_static_stub(test, rsk_link_post, fake_link_post);
	ctrl_queue_msg(test, link, RSK_MSG_RST);
	ctrl_queue_msg(test, link, RSK_MSG_CONN_REFUSE);

	ctrl_device.errs[0] = -ENOMEM;		/* the first post */
	ctrl_flush(link);
	KUNIT_EXPECT_EQ(test, ctrl_device.calls, 1);
	KUNIT_EXPECT_EQ(test, link->ctrl_len, 2);
	KUNIT_EXPECT_EQ(test, link->sq_free, RSK_LINK_SQ_DEPTH);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&rnet->events[RSK_EV_TX_NOMEM]),
			nomem + 1);
	/* Queued: still pending (cancelled here), or run already. */
	KUNIT_EXPECT_TRUE(test, cancel_delayed_work_sync(&link->ctrl_retry_work) ||
			  ctrl_device.retried);

	/* The retry: both go, the refused one first. */
	ctrl_flush(link);
	KUNIT_EXPECT_EQ(test, link->ctrl_len, 0);
	KUNIT_ASSERT_EQ(test, ctrl_device.ntook, 2);
	KUNIT_EXPECT_EQ(test, ctrl_device.took[0], RSK_MSG_RST);
	KUNIT_EXPECT_EQ(test, ctrl_device.took[1], RSK_MSG_CONN_REFUSE);
	KUNIT_EXPECT_EQ(test, link->sq_free, RSK_LINK_SQ_DEPTH - 2);

	/* A QP that refuses otherwise: dropped, counted, the next goes. */
	KUNIT_ASSERT_EQ(test, ctrl_device.calls, 3);
	ctrl_device.errs[3] = -EINVAL;		/* the fourth post */
	ctrl_queue_msg(test, link, RSK_MSG_RST);
	ctrl_queue_msg(test, link, RSK_MSG_KEEPALIVE);
	ctrl_flush(link);
	KUNIT_EXPECT_EQ(test, link->ctrl_len, 0);
	KUNIT_ASSERT_EQ(test, ctrl_device.ntook, 3);
	KUNIT_EXPECT_EQ(test, ctrl_device.took[2], RSK_MSG_KEEPALIVE);
	KUNIT_EXPECT_EQ(test, link->sq_free, RSK_LINK_SQ_DEPTH - 3);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&rnet->events[RSK_EV_CTRL_DROPPED]),
			dropped + 1);
}

/*
 * The proof of the peer's address (rsk_link_proving()): the passive end
 * challenges over the QP, the active end echoes, and until then nothing
 * else may come.  On a link with no QP and no send slot, so that what it
 * sends stays on its control queue to be read, in a namespace of its own,
 * with rsk_link_kill() recorded instead of done.
 */
struct proof_case {
	const char *name;
	bool active;
	bool established;	/* rsk_link_proving() before the message */
	u8 type;
	u32 dst_chan;
	u32 len;		/* body bytes */
	bool right_cookie;	/* else another one (0 for the active end) */
	bool twice;		/* the message comes twice */
	bool up;		/* the link ends up */
	bool killed;		/* ... or killed, counted as link_unproven */
};

static const struct proof_case proof_cases[] = {
	{ "passive: the right proof", false, true, RSK_MSG_LINK_PROOF, 0, 8,
	  true, false, true, false },
	{ "passive: a wrong cookie", false, true, RSK_MSG_LINK_PROOF, 0, 8,
	  false, false, false, true },
	{ "passive: a proof before the challenge", false, false,
	  RSK_MSG_LINK_PROOF, 0, 8, true, false, false, true },
	{ "passive: a CONN_REQ instead", false, true, RSK_MSG_CONN_REQ, 0, 40,
	  true, false, false, true },
	{ "passive: a keepalive instead", false, true, RSK_MSG_KEEPALIVE, 0, 0,
	  true, false, false, true },
	{ "passive: a challenge of its own", false, true,
	  RSK_MSG_LINK_CHALLENGE, 0, 8, true, false, false, true },
	{ "passive: a short proof", false, true, RSK_MSG_LINK_PROOF, 0, 7,
	  true, false, false, true },
	{ "passive: a proof on a channel", false, true, RSK_MSG_LINK_PROOF, 3,
	  8, true, false, false, true },
	{ "active: challenged after ESTABLISHED", true, true,
	  RSK_MSG_LINK_CHALLENGE, 0, 8, true, false, true, false },
	{ "active: challenged before ESTABLISHED", true, false,
	  RSK_MSG_LINK_CHALLENGE, 0, 8, true, false, true, false },
	{ "active: challenged twice", true, false, RSK_MSG_LINK_CHALLENGE, 0,
	  8, true, true, false, true },
	{ "active: a cookie of 0", true, true, RSK_MSG_LINK_CHALLENGE, 0, 8,
	  false, false, false, true },
	{ "active: a CONN_ACCEPT instead", true, true, RSK_MSG_CONN_ACCEPT, 0,
	  0, true, false, false, true },
};

static void proof_desc(const struct proof_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(proof, proof_cases, proof_desc);

static bool fake_link_kill(struct rsk_link *link, int err)
{
	if (link->kill_err)
		return false;
	link->kill_err = err;
	return true;
}

static void fake_timer(struct work_struct *work)
{
}

/* At the test's end, even one an assertion ended: timer off, queue freed. */
static void proof_link_cleanup(void *arg)
{
	struct rsk_link *link = arg;
	struct rsk_tx_buf *tb, *tmp;

	cancel_delayed_work_sync(&link->timer_work);
	list_for_each_entry_safe(tb, tmp, &link->ctrl_queue, list)
		rsk_tx_buf_free(tb);
}

/* The queued message of @type, its cookie in *cookie; false if none. */
static bool queued_proof(struct rsk_link *link, u8 type, u64 *cookie)
{
	struct rsk_tx_buf *tb;

	list_for_each_entry(tb, &link->ctrl_queue, list) {
		const struct rsk_wire_hdr *hdr = (const void *)tb->buf;
		const struct rsk_wire_proof *body = (const void *)(hdr + 1);

		if (hdr->type == type && tb->len == sizeof(*body)) {
			*cookie = be64_to_cpu(body->cookie);
			return true;
		}
	}
	return false;
}

static void rsk_link_proof_cases(struct kunit *test)
{
	const struct proof_case *c = test->param_value;
	struct rsk_link *link = kunit_kzalloc(test, sizeof(*link), GFP_KERNEL);
	struct rsk_net *rnet = kunit_kzalloc(test, sizeof(*rnet), GFP_KERNEL);
	u8 msg[sizeof(struct rsk_wire_hdr) + 64] = {};
	struct rsk_wire_hdr *hdr = (void *)msg;
	struct rsk_wire_proof *body = (void *)(hdr + 1);
	const u64 peer_cookie = 0xc0ffee0042ULL;
	struct rsk_tx_buf *tb;
	u64 sent = 0;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, link);
	KUNIT_ASSERT_NOT_NULL(test, rnet);
	spin_lock_init(&rnet->links_lock);
	INIT_LIST_HEAD(&rnet->links);
	rnet->link_keepalive_ms = 5000;
	spin_lock_init(&link->lock);
	INIT_LIST_HEAD(&link->ctrl_queue);
	INIT_LIST_HEAD(&link->conn_waiters);
	INIT_LIST_HEAD(&link->tx_waiters);
	INIT_LIST_HEAD(&link->net_node);
	INIT_DELAYED_WORK(&link->timer_work, fake_timer);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, proof_link_cleanup, link), 0);
	link->rnet = rnet;
	link->active = c->active;
	link->state = RSK_LINK_CONNECTING;
	link->sq_free = 0;		/* nothing is posted: all stays queued */
	if (!c->active)
		link->proof_cookie = 0x5ec2e7;
	kunit_activate_static_stub(test, rsk_link_kill, fake_link_kill);

	if (c->established) {
		rsk_link_proving(link);
		KUNIT_EXPECT_EQ(test, link->state, RSK_LINK_PROVING);
		/* The passive end challenges with its own cookie at once. */
		KUNIT_EXPECT_EQ(test, queued_proof(link, RSK_MSG_LINK_CHALLENGE,
						   &sent), !c->active);
		if (!c->active)
			KUNIT_EXPECT_EQ(test, sent, link->proof_cookie);
	}
	hdr->type = c->type;
	hdr->dst_chan = cpu_to_be32(c->dst_chan);
	if (c->right_cookie)
		body->cookie = cpu_to_be64(c->active ? peer_cookie :
					   link->proof_cookie);
	else
		body->cookie = cpu_to_be64(c->active ? 0 : 0xbad);
	for (i = 0; i < (c->twice ? 2 : 1); i++)
		rsk_link_rx_unproven(link, hdr, c->len);
	if (!c->established && c->active && !link->kill_err) {
		/* Our ESTABLISHED event after the challenge: answered now. */
		KUNIT_EXPECT_EQ(test, link->state, RSK_LINK_CONNECTING);
		rsk_link_proving(link);
	}

	KUNIT_EXPECT_EQ(test, link->state == RSK_LINK_UP, c->up);
	KUNIT_EXPECT_EQ(test, link->kill_err, c->killed ? -ECONNRESET : 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&rnet->events[RSK_EV_LINK_UNPROVEN]),
			c->killed ? 1 : 0);
	if (c->up && c->active) {
		/* The proof echoes the peer's cookie, first in the queue. */
		tb = list_first_entry_or_null(&link->ctrl_queue,
					      struct rsk_tx_buf, list);
		KUNIT_ASSERT_NOT_NULL(test, tb);
		KUNIT_EXPECT_EQ(test, ((struct rsk_wire_hdr *)tb->buf)->type,
				RSK_MSG_LINK_PROOF);
		KUNIT_EXPECT_TRUE(test, queued_proof(link, RSK_MSG_LINK_PROOF,
						     &sent));
		KUNIT_EXPECT_EQ(test, sent, peer_cookie);
	}
	if (c->up)	/* listed for new channels once up, not before */
		KUNIT_EXPECT_TRUE(test, link->listed);
	else
		KUNIT_EXPECT_FALSE(test, link->listed);
}

/*
 * How long a link may prove its peer: 4 keepalive periods, but never less
 * than 30 s, the time rdma_cm takes to resend a REP whose RTU was lost
 * (the passive end challenges only once that RTU came).
 */
struct expiry_case {
	const char *name;
	unsigned int keepalive_ms, age_ms;
	bool expired;
};

static const struct expiry_case expiry_cases[] = {
	{ "short keepalive, 29 s", 500, 29000, false },
	{ "short keepalive, 31 s", 500, 31000, true },
	{ "10 s keepalive, 35 s", 10000, 35000, false },
	{ "10 s keepalive, 41 s", 10000, 41000, true },
};

static void expiry_desc(const struct expiry_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(expiry, expiry_cases, expiry_desc);

static void rsk_link_proof_expiry(struct kunit *test)
{
	const struct expiry_case *c = test->param_value;
	struct rsk_link *link = kunit_kzalloc(test, sizeof(*link), GFP_KERNEL);
	unsigned long now = jiffies;

	KUNIT_ASSERT_NOT_NULL(test, link);
	link->proving_since = now - msecs_to_jiffies(c->age_ms);
	KUNIT_EXPECT_EQ(test, rsk_link_proof_expired(link, now,
						     msecs_to_jiffies(c->keepalive_ms)),
			c->expired);
}

static struct kunit_case rsk_link_cases[] = {
	KUNIT_CASE_PARAM(rsk_link_timer_verdicts, verdict_gen_params),
	KUNIT_CASE_PARAM(rsk_link_serves_cases, serves_gen_params),
	KUNIT_CASE(rsk_link_ctrl_queue_cap),
	KUNIT_CASE(rsk_link_ctrl_post_refused),
	KUNIT_CASE_PARAM(rsk_link_proof_cases, proof_gen_params),
	KUNIT_CASE_PARAM(rsk_link_proof_expiry, expiry_gen_params),
	{}
};

static struct kunit_suite rsk_link_suite = {
	.name = "rdma_sock_link",
	.test_cases = rsk_link_cases,
};

kunit_test_suite(rsk_link_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
