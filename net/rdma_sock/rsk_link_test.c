// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the link's timer (rsk_link.c): what it decides for a
 * link in each situation a peer can put it in, on a link structure with
 * no queue pair.  A peer that stays silent, leaves our sends uncompleted
 * or never answers our LINK_CLOSE must not hold the link for ever.
 */
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

static struct kunit_case rsk_link_cases[] = {
	KUNIT_CASE_PARAM(rsk_link_timer_verdicts, verdict_gen_params),
	{}
};

static struct kunit_suite rsk_link_suite = {
	.name = "rdma_sock_link",
	.test_cases = rsk_link_cases,
};

kunit_test_suite(rsk_link_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
