// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the datagram transport's receive checks and reassembly
 * (rsk_ud.c), on a fake endpoint: the list of datagrams being put
 * together that an endpoint keeps, charged to the initial namespace.
 * Fragments are built as rsk_ud.c's sender cuts them (offsets in 8-byte
 * units, every fragment but the last a multiple of 8 bytes).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/skbuff.h>

#include "rsk.h"

struct fake_ep {
	struct rsk_net *rnet;
	struct list_head reasm;
	struct rsk_addr src, dst;
};

static int fake_ep_init(struct kunit *test)
{
	struct fake_ep *ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ep);
	ep->rnet = rsk_net(&init_net);
	INIT_LIST_HEAD(&ep->reasm);
	/* As the receive path passes it: the header's source port in. */
	ep->src.family = AF_INET;
	ep->src.v4 = htonl(0xc0000201);		/* 192.0.2.1 */
	ep->src.port = htons(9001);
	ep->dst.family = AF_INET;
	ep->dst.v4 = htonl(0xc0000202);
	test->priv = ep;
	return 0;
}

static void fake_ep_exit(struct kunit *test)
{
	struct fake_ep *ep = test->priv;

	rsk_ud_reasm_expire(ep->rnet, &ep->reasm, true);
}

static struct rsk_wire_dgram fake_hdr(u32 total, u32 off, u32 id)
{
	struct rsk_wire_dgram h = {
		.magic		= cpu_to_be32(RSK_WIRE_MAGIC),
		.version	= RSK_WIRE_VERSION,
		.dst_port	= htons(9000),
		.src_port	= htons(9001),
		.frag_off	= cpu_to_be16(off / 8),
		.msg_id		= cpu_to_be32(id),
		.total_len	= cpu_to_be32(total),
	};

	return h;
}

static long fake_ev(struct kunit *test, enum rsk_event ev)
{
	return atomic_long_read(&((struct fake_ep *)test->priv)->rnet->events[ev]);
}

/* One fragment of datagram @id: @len bytes at @off of @data. */
static struct sk_buff *fake_frag(struct kunit *test, const u8 *data,
				 u32 total, u32 off, u32 len, u32 id, u32 qpn)
{
	struct fake_ep *ep = test->priv;
	struct rsk_wire_dgram h = fake_hdr(total, off, id);
	struct sk_buff *skb;

	KUNIT_ASSERT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) + len),
			(int)len);
	local_bh_disable();
	skb = rsk_ud_reasm_add(ep->rnet, &ep->reasm, &h, data + off, len,
			       &ep->src, &ep->dst, qpn);
	local_bh_enable();
	return skb;
}

static u8 *fake_data(struct kunit *test, u32 len)
{
	u8 *data = kunit_kmalloc(test, len, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	for (i = 0; i < len; i++)
		data[i] = (u8)(i * 7 + 3);
	return data;
}

/* Header checks: magic, version, ports, sizes, fragment alignment. */
static void rsk_ud_header_checks(struct kunit *test)
{
	struct fake_ep *ep = test->priv;
	long bad = fake_ev(test, RSK_EV_DGRAM_BAD_HDR);
	struct rsk_wire_dgram h;
	int n = 0;

	h = fake_hdr(100, 0, 1);
	KUNIT_EXPECT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) + 100),
			100);
	KUNIT_EXPECT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) - 1),
			-EINVAL);
	n++;
	h.magic = 0;
	KUNIT_EXPECT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) + 100),
			-EINVAL);
	n++;
	h = fake_hdr(100, 0, 1);
	h.version = RSK_WIRE_VERSION + 1;
	KUNIT_EXPECT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) + 100),
			-EINVAL);
	n++;
	h = fake_hdr(100, 0, 1);
	h.dst_port = 0;
	KUNIT_EXPECT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) + 100),
			-EINVAL);
	n++;
	h = fake_hdr(100, 0, 1);
	h.src_port = 0;
	KUNIT_EXPECT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) + 100),
			-EINVAL);
	n++;
	h = fake_hdr(RSK_DGRAM_MAX + 1, 0, 1);	/* larger than UDP's */
	KUNIT_EXPECT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) + 8),
			-EINVAL);
	n++;
	h = fake_hdr(100, 96, 1);		/* 96 + 8 > 100 */
	KUNIT_EXPECT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) + 8),
			-EINVAL);
	n++;
	h = fake_hdr(100, 0, 1);		/* a middle piece of 12 */
	KUNIT_EXPECT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) + 12),
			-EINVAL);
	n++;
	h = fake_hdr(100, 96, 1);		/* the last piece may be 4 */
	KUNIT_EXPECT_EQ(test, rsk_ud_check_hdr(ep->rnet, &h, sizeof(h) + 4),
			4);
	KUNIT_EXPECT_EQ(test, fake_ev(test, RSK_EV_DGRAM_BAD_HDR), bad + n);
}

/* In order, out of order: the same bytes, and the memory given back. */
static void rsk_ud_reasm_orders(struct kunit *test)
{
	static const u32 orders[][3] = { { 0, 1, 2 }, { 2, 0, 1 }, { 1, 2, 0 } };
	const u32 total = 2500, piece = 1008;
	struct fake_ep *ep = test->priv;
	u8 *data = fake_data(test, total);
	int mem = atomic_read(&ep->rnet->dgram_frag_mem);
	int o, i;

	for (o = 0; o < ARRAY_SIZE(orders); o++) {
		struct sk_buff *skb = NULL;

		for (i = 0; i < 3; i++) {
			u32 off = orders[o][i] * piece;
			u32 len = min(piece, total - off);

			KUNIT_EXPECT_NULL(test, skb);
			skb = fake_frag(test, data, total, off, len, 10 + o, 77);
			if (i < 2)
				KUNIT_EXPECT_EQ(test,
						atomic_read(&ep->rnet->dgram_frag_mem),
						mem + (int)total);
		}
		KUNIT_ASSERT_NOT_NULL(test, skb);
		KUNIT_EXPECT_EQ(test, skb->len, total);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data, data, total), 0);
		KUNIT_EXPECT_EQ(test, RSK_DGRAM_CB(skb)->src.port, htons(9001));
		kfree_skb(skb);
		KUNIT_EXPECT_EQ(test, atomic_read(&ep->rnet->dgram_frag_mem), mem);
		KUNIT_EXPECT_TRUE(test, list_empty(&ep->reasm));
	}
}

/* Two datagrams at once, told apart by id and by the sender's QPN. */
static void rsk_ud_reasm_interleaved(struct kunit *test)
{
	const u32 total = 16;
	u8 *a = fake_data(test, total), *b = fake_data(test, total);
	struct sk_buff *skb;

	memset(b, 0xab, total);
	KUNIT_EXPECT_NULL(test, fake_frag(test, a, total, 0, 8, 5, 77));
	KUNIT_EXPECT_NULL(test, fake_frag(test, b, total, 0, 8, 5, 78));
	KUNIT_EXPECT_NULL(test, fake_frag(test, b, total, 0, 8, 6, 77));
	skb = fake_frag(test, b, total, 8, 8, 5, 78);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, memcmp(skb->data, b, total), 0);
	kfree_skb(skb);
	skb = fake_frag(test, a, total, 8, 8, 5, 77);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, memcmp(skb->data, a, total), 0);
	kfree_skb(skb);
	/* Datagram 6 of QPN 77 waits for its second half. */
	KUNIT_EXPECT_FALSE(test, list_empty(&((struct fake_ep *)test->priv)->reasm));
}

/* A fragment that disagrees on the total length is dropped. */
static void rsk_ud_reasm_total_mismatch(struct kunit *test)
{
	struct fake_ep *ep = test->priv;
	u8 *data = fake_data(test, 32);
	long bad = fake_ev(test, RSK_EV_DGRAM_BAD_HDR);
	struct rsk_wire_dgram h = fake_hdr(24, 8, 3);

	KUNIT_EXPECT_NULL(test, fake_frag(test, data, 32, 0, 8, 3, 77));
	local_bh_disable();
	KUNIT_EXPECT_NULL(test, rsk_ud_reasm_add(ep->rnet, &ep->reasm, &h,
						 data + 8, 16, &ep->src,
						 &ep->dst, 77));
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, fake_ev(test, RSK_EV_DGRAM_BAD_HDR), bad + 1);
}

/* Reassembly memory is bounded per namespace: past it, drop and count. */
static void rsk_ud_reasm_memory_bound(struct kunit *test)
{
	struct fake_ep *ep = test->priv;
	long drops = fake_ev(test, RSK_EV_DGRAM_FRAG_DROPS);
	u8 *data = fake_data(test, 8);
	u32 id, held = 0;

	for (id = 100; held + RSK_DGRAM_MAX <= RSK_DGRAM_FRAG_MEM; id++) {
		KUNIT_EXPECT_NULL(test, fake_frag(test, data, RSK_DGRAM_MAX, 0,
						  8, id, 77));
		held += RSK_DGRAM_MAX;
	}
	KUNIT_EXPECT_EQ(test, fake_ev(test, RSK_EV_DGRAM_FRAG_DROPS), drops);
	KUNIT_EXPECT_NULL(test, fake_frag(test, data, RSK_DGRAM_MAX, 0, 8, id,
					  77));
	KUNIT_EXPECT_EQ(test, fake_ev(test, RSK_EV_DGRAM_FRAG_DROPS), drops + 1);
	KUNIT_EXPECT_LE(test, atomic_read(&ep->rnet->dgram_frag_mem),
			RSK_DGRAM_FRAG_MEM);
}

/* A datagram whose fragments stop coming goes after its time. */
static void rsk_ud_reasm_timeout(struct kunit *test)
{
	struct fake_ep *ep = test->priv;
	long timeouts = fake_ev(test, RSK_EV_DGRAM_FRAG_TIMEOUTS);
	int mem = atomic_read(&ep->rnet->dgram_frag_mem);
	u8 *data = fake_data(test, 64);

	KUNIT_EXPECT_NULL(test, fake_frag(test, data, 64, 0, 8, 9, 77));
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->rnet->dgram_frag_mem), mem + 64);
	msleep(RSK_DGRAM_FRAG_TIMEOUT_MS + 50);
	local_bh_disable();
	rsk_ud_reasm_expire(ep->rnet, &ep->reasm, false);
	local_bh_enable();
	KUNIT_EXPECT_TRUE(test, list_empty(&ep->reasm));
	KUNIT_EXPECT_EQ(test, fake_ev(test, RSK_EV_DGRAM_FRAG_TIMEOUTS),
			timeouts + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->rnet->dgram_frag_mem), mem);
}

static struct kunit_case rsk_ud_cases[] = {
	KUNIT_CASE(rsk_ud_header_checks),
	KUNIT_CASE(rsk_ud_reasm_orders),
	KUNIT_CASE(rsk_ud_reasm_interleaved),
	KUNIT_CASE(rsk_ud_reasm_total_mismatch),
	KUNIT_CASE(rsk_ud_reasm_memory_bound),
	KUNIT_CASE_SLOW(rsk_ud_reasm_timeout),
	{}
};

static struct kunit_suite rsk_ud_suite = {
	.name = "rdma_sock_ud",
	.init = fake_ep_init,
	.exit = fake_ep_exit,
	.test_cases = rsk_ud_cases,
};

kunit_test_suite(rsk_ud_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
