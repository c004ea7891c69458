// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the datagram transport's receive checks (rsk_ud.c: the
 * header, the GRH's addresses) and
 * reassembly (rsk_ud_reasm.c), on a fake endpoint: the table of datagrams
 * being put together that an endpoint keeps, charged to the initial
 * namespace.
 * Fragments are built as rsk_ud.c's sender cuts them (offsets in 8-byte
 * units, every fragment but the last a multiple of 8 bytes).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/inet.h>
#include <linux/inetdevice.h>
#include <linux/jhash.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "rsk.h"
#include "rsk_test.h"

struct fake_ep {
	struct rsk_net *rnet;
	struct rsk_ud_reasm_table reasm;
	struct rsk_addr src, dst;
};

static int fake_ep_init(struct kunit *test)
{
	struct fake_ep *ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ep);
	ep->rnet = rsk_net(&init_net);
	rsk_ud_reasm_init(&ep->reasm, ep->rnet);
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

	rsk_ud_reasm_destroy(&ep->reasm);
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
	skb = rsk_ud_reasm_add(&ep->reasm, &h, data + off, len, &ep->src,
			       &ep->dst, qpn);
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

static int fake_mem(struct kunit *test)
{
	return atomic_read(&((struct fake_ep *)test->priv)->rnet->dgram_frag_mem);
}

static u32 fake_count(struct kunit *test)
{
	return rsk_ud_reasm_count(&((struct fake_ep *)test->priv)->reasm);
}

/*
 * In order, out of order: the same bytes; while incomplete, at least
 * what was allocated is charged (the skb's truesize, not the announced
 * length), and all of it is given back.
 */
static void rsk_ud_reasm_orders(struct kunit *test)
{
	static const u32 orders[][3] = { { 0, 1, 2 }, { 2, 0, 1 }, { 1, 2, 0 } };
	const u32 total = 2500, piece = 1008;
	u8 *data = fake_data(test, total);
	int mem = fake_mem(test);
	int o, i;

	for (o = 0; o < ARRAY_SIZE(orders); o++) {
		struct sk_buff *skb = NULL;

		for (i = 0; i < 3; i++) {
			u32 off = orders[o][i] * piece;
			u32 len = min(piece, total - off);

			KUNIT_EXPECT_NULL(test, skb);
			skb = fake_frag(test, data, total, off, len, 10 + o, 77);
			if (i < 2)
				KUNIT_EXPECT_GE(test, fake_mem(test),
						mem + (int)SKB_TRUESIZE(total));
		}
		KUNIT_ASSERT_NOT_NULL(test, skb);
		KUNIT_EXPECT_EQ(test, skb->len, total);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data, data, total), 0);
		KUNIT_EXPECT_EQ(test, RSK_DGRAM_CB(skb)->src.port, htons(9001));
		kfree_skb(skb);
		KUNIT_EXPECT_EQ(test, fake_mem(test), mem);
		KUNIT_EXPECT_EQ(test, fake_count(test), 0);
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
	KUNIT_EXPECT_EQ(test, fake_count(test), 1);
}

/* Many at once, completed in the reverse order: each found by its key. */
static void rsk_ud_reasm_many(struct kunit *test)
{
	const u32 total = 24, n = 300;
	u8 *data = fake_data(test, total);
	struct sk_buff *skb;
	u32 id;

	for (id = 0; id < n; id++)
		KUNIT_EXPECT_NULL(test, fake_frag(test, data, total, 0, 16,
						  1000 + id, 77));
	KUNIT_EXPECT_EQ(test, fake_count(test), n);
	for (id = n; id-- > 0;) {
		skb = fake_frag(test, data, total, 16, 8, 1000 + id, 77);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data, data, total), 0);
		kfree_skb(skb);
	}
	KUNIT_EXPECT_EQ(test, fake_count(test), 0);
}

/* A fragment that disagrees on the total length drops the datagram. */
static void rsk_ud_reasm_total_mismatch(struct kunit *test)
{
	struct fake_ep *ep = test->priv;
	u8 *data = fake_data(test, 32);
	long bad = fake_ev(test, RSK_EV_DGRAM_BAD_HDR);
	struct rsk_wire_dgram h = fake_hdr(24, 8, 3);

	KUNIT_EXPECT_NULL(test, fake_frag(test, data, 32, 0, 8, 3, 77));
	KUNIT_EXPECT_NULL(test, rsk_ud_reasm_add(&ep->reasm, &h, data + 8, 16,
						 &ep->src, &ep->dst, 77));
	KUNIT_EXPECT_EQ(test, fake_ev(test, RSK_EV_DGRAM_BAD_HDR), bad + 1);
	KUNIT_EXPECT_EQ(test, fake_count(test), 0);
}

/*
 * A fragment that repeats or overlaps one received drops the whole
 * datagram, counted: before, a repeated fragment counted twice and the
 * datagram completed with a hole of zeros.
 */
static void rsk_ud_reasm_repeats(struct kunit *test)
{
	static const struct {
		u32 off, len;
	} cases[][2] = {
		{ { 0, 8 }, { 0, 8 } },		/* the same again */
		{ { 0, 16 }, { 8, 8 } },	/* inside */
		{ { 8, 8 }, { 0, 16 } },	/* around */
		{ { 16, 8 }, { 8, 16 } },	/* across the end */
	};
	const u32 total = 24;
	u8 *data = fake_data(test, total);
	long overlaps = fake_ev(test, RSK_EV_DGRAM_FRAG_OVERLAPS);
	int mem = fake_mem(test);
	u32 c, id;

	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		id = 40 + c;
		KUNIT_EXPECT_NULL(test, fake_frag(test, data, total,
						  cases[c][0].off,
						  cases[c][0].len, id, 77));
		KUNIT_EXPECT_NULL(test, fake_frag(test, data, total,
						  cases[c][1].off,
						  cases[c][1].len, id, 77));
		KUNIT_EXPECT_EQ(test, fake_ev(test, RSK_EV_DGRAM_FRAG_OVERLAPS),
				overlaps + c + 1);
		KUNIT_EXPECT_EQ(test, fake_count(test), 0);
		KUNIT_EXPECT_EQ(test, fake_mem(test), mem);
	}
	/* The rest of the first case's bytes: no datagram with a hole. */
	KUNIT_EXPECT_NULL(test, fake_frag(test, data, total, 16, 8, 40, 77));
	KUNIT_EXPECT_EQ(test, fake_count(test), 1);
}

/*
 * Pieces received out of order are kept as ranges, merged as they meet;
 * a datagram scattered into more ranges than that is dropped, counted.
 */
static void rsk_ud_reasm_scattered(struct kunit *test)
{
	const u32 total = 8 * 40;
	u8 *data = fake_data(test, total);
	long drops = fake_ev(test, RSK_EV_DGRAM_FRAG_DROPS);
	struct sk_buff *skb = NULL;
	u32 off;

	/* Odd pieces first, then even ones: four ranges at most at a time. */
	for (off = 8; off < 64; off += 16)
		KUNIT_EXPECT_NULL(test, fake_frag(test, data, total, off, 8,
						  60, 77));
	for (off = 0; off < 64; off += 16)
		KUNIT_EXPECT_NULL(test, fake_frag(test, data, total, off, 8,
						  60, 77));
	skb = fake_frag(test, data, total, 64, total - 64, 60, 77);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, memcmp(skb->data, data, total), 0);
	kfree_skb(skb);
	/* Every other piece of 8: the ninth separate range is too many. */
	for (off = 0; off < 8 * 16; off += 16)
		KUNIT_EXPECT_NULL(test, fake_frag(test, data, total, off, 8,
						  61, 77));
	KUNIT_EXPECT_EQ(test, fake_count(test), 1);
	KUNIT_EXPECT_NULL(test, fake_frag(test, data, total, 8 * 16, 8, 61, 77));
	KUNIT_EXPECT_EQ(test, fake_ev(test, RSK_EV_DGRAM_FRAG_DROPS), drops + 1);
	KUNIT_EXPECT_EQ(test, fake_count(test), 0);
}

/*
 * Reassembly memory is bounded per namespace by what is allocated: tiny
 * datagrams' first fragments are dropped, counted, once their skbs and
 * records reach the bound (before, each was charged its announced 16
 * bytes, and a peer could pin 262144 of them).
 */
static void rsk_ud_reasm_memory_bound(struct kunit *test)
{
	const u32 most = RSK_DGRAM_FRAG_MEM / SKB_TRUESIZE(16);
	struct fake_ep *ep = test->priv;
	long drops = fake_ev(test, RSK_EV_DGRAM_FRAG_DROPS);
	u8 *data = fake_data(test, 16);
	u32 id;

	/*
	 * Filling the table takes the debug kernel longer than a datagram's
	 * second: none may expire meanwhile, or the bound is never reached.
	 */
	ep->reasm.timeout = 600 * HZ;
	for (id = 0; id <= most; id++)
		KUNIT_EXPECT_NULL(test, fake_frag(test, data, 16, 0, 8,
						  2000 + id, 77));
	KUNIT_EXPECT_LE(test, fake_count(test), most);
	KUNIT_EXPECT_GT(test, fake_ev(test, RSK_EV_DGRAM_FRAG_DROPS), drops);
	KUNIT_EXPECT_LE(test, fake_mem(test), RSK_DGRAM_FRAG_MEM);
	/* And for the largest datagrams. */
	drops = fake_ev(test, RSK_EV_DGRAM_FRAG_DROPS);
	rsk_ud_reasm_destroy(&ep->reasm);
	rsk_ud_reasm_init(&ep->reasm, ep->rnet);
	ep->reasm.timeout = 600 * HZ;
	for (id = 0; id <= RSK_DGRAM_FRAG_MEM / RSK_DGRAM_MAX; id++)
		KUNIT_EXPECT_NULL(test, fake_frag(test, data, RSK_DGRAM_MAX, 0,
						  8, 3000 + id, 77));
	KUNIT_EXPECT_GT(test, fake_ev(test, RSK_EV_DGRAM_FRAG_DROPS), drops);
	KUNIT_EXPECT_LE(test, fake_mem(test), RSK_DGRAM_FRAG_MEM);
}

/*
 * A datagram whose fragments stop coming goes after its time, by the
 * table's timer: no other fragment has to arrive (before, one had to).
 */
static void rsk_ud_reasm_timeout(struct kunit *test)
{
	long timeouts = fake_ev(test, RSK_EV_DGRAM_FRAG_TIMEOUTS);
	int mem = fake_mem(test);
	u8 *data = fake_data(test, 64);

	KUNIT_EXPECT_NULL(test, fake_frag(test, data, 64, 0, 8, 9, 77));
	KUNIT_EXPECT_GE(test, fake_mem(test), mem + (int)SKB_TRUESIZE(64));
	msleep(RSK_DGRAM_FRAG_TIMEOUT_MS + 200);
	KUNIT_EXPECT_EQ(test, fake_count(test), 0);
	KUNIT_EXPECT_EQ(test, fake_ev(test, RSK_EV_DGRAM_FRAG_TIMEOUTS),
			timeouts + 1);
	KUNIT_EXPECT_EQ(test, fake_mem(test), mem);
}

/* An IPv4 address of a non-loopback interface of the initial namespace. */
static bool own_v4(__be32 *addr)
{
	const struct in_ifaddr *ifa;
	struct net_device *dev;
	bool found = false;

	rcu_read_lock();
	for_each_netdev_rcu(&init_net, dev) {
		struct in_device *in = __in_dev_get_rcu(dev);

		if (!in || (dev->flags & IFF_LOOPBACK))
			continue;
		in_dev_for_each_ifa_rcu(ifa, in) {
			*addr = ifa->ifa_local;
			found = true;
			break;
		}
		if (found)
			break;
	}
	rcu_read_unlock();
	return found;
}

static struct rsk_addr v4(__be32 a)
{
	struct rsk_addr addr = { .family = AF_INET, .v4 = a };

	return addr;
}

static struct rsk_addr v6(const char *s)
{
	struct rsk_addr addr = { .family = AF_INET6 };

	in6_pton(s, -1, addr.v6.s6_addr, -1, NULL);
	return addr;
}

/*
 * The GRH's addresses, which any IP host can forge over RoCE v2: sources
 * no host has and our own addresses from another QP are dropped, and so
 * is a unicast destination that is not this namespace's (the device takes
 * every namespace's GIDs).  The test bed's guest has an address on its
 * RoCE interface when KUnit runs.
 */
static void rsk_ud_grh_addresses(struct kunit *test)
{
	struct rsk_net *rnet = rsk_net(&init_net);
	struct rsk_addr other = v4(htonl(0xc0000201));	/* 192.0.2.1 */
	struct rsk_addr elsewhere = v4(htonl(0xc0000202));
	struct rsk_addr own, lo = v4(htonl(INADDR_LOOPBACK));
	struct rsk_addr group = v4(htonl(0xef010203));	/* 239.1.2.3 */
	const u32 me = 100, them = 7;
	__be32 a;

	KUNIT_ASSERT_TRUE_MSG(test, own_v4(&a), "no IPv4 address to be own");
	own = v4(a);
	KUNIT_EXPECT_TRUE(test, rsk_ud_addrs_ok(rnet, me, &other, &own, them, true));
	KUNIT_EXPECT_TRUE(test, rsk_ud_addrs_ok(rnet, me, &other, &group,
						them, true));
	KUNIT_EXPECT_TRUE(test, rsk_ud_addrs_ok(rnet, me, &own, &own, me, true));
	/* InfiniBand: the destination GID is the port's, no address. */
	KUNIT_EXPECT_TRUE(test, rsk_ud_addrs_ok(rnet, me, &other, &elsewhere,
						them, false));
	/* To an address this namespace does not have (another's). */
	KUNIT_EXPECT_FALSE(test, rsk_ud_addrs_ok(rnet, me, &other, &elsewhere,
						 them, true));
	KUNIT_EXPECT_FALSE(test, rsk_ud_addrs_ok(rnet, me, &other, &lo, them, true));
	/* From an address of ours, but not from our endpoint. */
	KUNIT_EXPECT_FALSE(test, rsk_ud_addrs_ok(rnet, me, &own, &own, them, true));
	/* From addresses no host sends from. */
	KUNIT_EXPECT_FALSE(test, rsk_ud_addrs_ok(rnet, me, &lo, &own, them, true));
	KUNIT_EXPECT_FALSE(test, rsk_ud_addrs_ok(rnet, me, &group, &own, them, true));
	lo = v4(0);
	KUNIT_EXPECT_FALSE(test, rsk_ud_addrs_ok(rnet, me, &lo, &own, them, true));
	lo = v4(htonl(INADDR_BROADCAST));
	KUNIT_EXPECT_FALSE(test, rsk_ud_addrs_ok(rnet, me, &lo, &own, them, true));
	lo = v6("::1");
	KUNIT_EXPECT_FALSE(test, rsk_ud_addrs_ok(rnet, me, &lo, &own, them, true));
	lo = v6("::");
	KUNIT_EXPECT_FALSE(test, rsk_ud_addrs_ok(rnet, me, &lo, &own, them, true));
	lo = v6("ff02::1");
	KUNIT_EXPECT_FALSE(test, rsk_ud_addrs_ok(rnet, me, &lo, &own, them, true));
}

/*
 * rsk_ud_reasm_fuzz: fragments of a few datagrams at once, from a seeded
 * generator: cut anywhere on the sender's 8-byte grid, repeated,
 * overlapping, with totals that disagree, headers broken the ways
 * rsk_ud_check_hdr() must catch, from two source ports and three QPNs.
 * Each fragment's payload is a hash of its datagram's key and the byte's
 * offset, so a datagram that completes must hold exactly those bytes: no
 * hole, no byte of another datagram.  After every fragment the memory
 * charged stays within the namespace's bound and is zero only with no
 * datagram kept; at the end everything is given back.
 */
#define UD_FUZZ_IDS	12

static u8 ud_fuzz_byte(u32 id, u32 qpn, __be16 port, u32 off)
{
	return jhash_3words(id, qpn, off, (__force u16)port);
}

/* The total a datagram's fragments mostly agree on. */
static u32 ud_fuzz_total(u32 id, u32 qpn, __be16 port)
{
	u32 h = jhash_3words(id, qpn, (__force u16)port, 0x70ad);

	if (h % 20 == 0)
		return RSK_DGRAM_MAX - h % 4096;
	return 1 + h % 6000;
}

struct ud_fuzz {
	struct kunit *test;
	struct fake_ep *ep;
	struct rnd_state rnd;
	/* where each datagram's sender is, when it cuts in order */
	u32 next_off[UD_FUZZ_IDS][3][2];
	u8 *buf;		/* header and payload */
	int mem0;
	long done;		/* datagrams completed */
};

static u32 ud_fuzz_below(struct ud_fuzz *z, u32 n)
{
	return rsk_test_below(&z->rnd, n);
}

/*
 * A fragment's offset and length, on the grid a sender cuts on: mostly
 * the next piece of a sender cutting in order (@next: where it is), else
 * anywhere, as a fabric that reorders or repeats or a forger would.
 */
static void ud_fuzz_cut(struct ud_fuzz *z, u32 total, u32 *next, u32 *off,
			u32 *len)
{
	u32 units = DIV_ROUND_UP(total, 8);

	if (*next < total && rsk_test_chance(&z->rnd, 75)) {
		*off = *next;
		*len = min(total - *off, 8 * (1 + ud_fuzz_below(z, 256)));
		*next = *off + *len < total ? *off + *len : 0;
		return;
	}
	*off = units ? 8 * ud_fuzz_below(z, units) : 0;
	if (rsk_test_chance(&z->rnd, 40)) {
		*len = total - *off;		/* the last piece */
		return;
	}
	*len = 8 * (1 + ud_fuzz_below(z, 128));
	if (*off + *len > total)
		*len = total - *off;
}

/* Break the header one way in twenty. */
static void ud_fuzz_break(struct ud_fuzz *z, struct rsk_wire_dgram *h,
			  u32 *len)
{
	switch (ud_fuzz_below(z, 120)) {
	case 0:
		h->magic ^= htonl(1 << ud_fuzz_below(z, 32));
		break;
	case 1:
		h->version = ud_fuzz_below(z, 256);
		break;
	case 2:
		h->dst_port = 0;
		break;
	case 3:
		h->src_port = 0;
		break;
	case 4:
		h->total_len = htonl(prandom_u32_state(&z->rnd));
		break;
	case 5:
		h->frag_off = htons(ud_fuzz_below(z, 65536));
		break;
	case 6:
		*len = ud_fuzz_below(z, *len + 8);	/* off the grid */
		break;
	}
}

static bool ud_fuzz_check_skb(struct ud_fuzz *z, struct sk_buff *skb,
			      u32 id, u32 qpn, __be16 port, u32 total)
{
	u32 i;

	if (skb->len != total) {
		KUNIT_FAIL(z->test, "datagram %u of %u bytes, not %u", id,
			   skb->len, total);
		return false;
	}
	for (i = 0; i < total; i++) {
		if (skb->data[i] != ud_fuzz_byte(id, qpn, port, i)) {
			KUNIT_FAIL(z->test, "datagram %u: byte %u of %u wrong",
				   id, i, total);
			return false;
		}
	}
	z->done++;
	return true;
}

static bool ud_fuzz_check_mem(struct ud_fuzz *z)
{
	int mem = fake_mem(z->test) - z->mem0;
	u32 count = fake_count(z->test);

	if (mem < 0 || mem > RSK_DGRAM_FRAG_MEM ||
	    !count != !mem ||
	    mem < (int)(count * SKB_TRUESIZE(1))) {
		KUNIT_FAIL(z->test, "%u datagrams kept, %d bytes charged",
			   count, mem);
		return false;
	}
	return true;
}

static bool ud_fuzz_step(struct ud_fuzz *z)
{
	static const u32 qpns[] = { 77, 78, 0xffffff };
	struct rsk_wire_dgram *h = (void *)z->buf;
	struct fake_ep *ep = z->ep;
	u32 id = ud_fuzz_below(z, UD_FUZZ_IDS);
	u32 q = ud_fuzz_below(z, ARRAY_SIZE(qpns)), qpn = qpns[q];
	u32 p = ud_fuzz_below(z, 2);
	__be16 port = htons(9001 + p);
	u32 total = ud_fuzz_total(id, qpn, port), off, len, i;
	struct sk_buff *skb;
	int frag;

	if (rsk_test_chance(&z->rnd, 5))
		total = ud_fuzz_below(z, 9000);		/* disagrees */
	ud_fuzz_cut(z, total, &z->next_off[id][q][p], &off, &len);
	*h = fake_hdr(total, off, id);
	h->src_port = port;
	for (i = 0; i < len; i++)
		z->buf[sizeof(*h) + i] = ud_fuzz_byte(id, qpn, port, off + i);
	ud_fuzz_break(z, h, &len);
	frag = rsk_ud_check_hdr(ep->rnet, h, sizeof(*h) + len);
	if (frag < 0)
		return ud_fuzz_check_mem(z);	/* dropped as the path does */
	ep->src.port = port;
	skb = rsk_ud_reasm_add(&ep->reasm, h, z->buf + sizeof(*h), frag,
			       &ep->src, &ep->dst, qpn);
	if (skb) {
		bool ok = ud_fuzz_check_skb(z, skb, id, qpn, port,
					    be32_to_cpu(h->total_len));

		kfree_skb(skb);
		if (!ok)
			return false;
	}
	return ud_fuzz_check_mem(z);
}

static void rsk_ud_reasm_fuzz(struct kunit *test)
{
	unsigned int steps = rsk_test_fuzz_steps(), i;
	struct ud_fuzz *z = kunit_kzalloc(test, sizeof(*z), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, z);
	z->buf = kunit_kzalloc(test, sizeof(struct rsk_wire_dgram) + 65536,
			       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, z->buf);
	z->test = test;
	z->ep = test->priv;
	z->mem0 = fake_mem(test);
	/* Nothing expires on the clock: a seed replays the same run. */
	z->ep->reasm.timeout = 600 * HZ;
	rsk_test_fuzz_seed(test, &z->rnd, 2);
	for (i = 0; i < steps; i++)
		if (!ud_fuzz_step(z))
			break;
	kunit_info(test, "%u fragments, %ld datagrams completed\n", i, z->done);
	/* The fuzz must have put some together, or it tested little. */
	KUNIT_EXPECT_GT(test, z->done, 0);
	rsk_ud_reasm_destroy(&z->ep->reasm);
	KUNIT_EXPECT_EQ(test, fake_mem(test), z->mem0);
	rsk_ud_reasm_init(&z->ep->reasm, z->ep->rnet);	/* for the exit */
}

static struct kunit_case rsk_ud_cases[] = {
	KUNIT_CASE(rsk_ud_grh_addresses),
	KUNIT_CASE(rsk_ud_header_checks),
	KUNIT_CASE(rsk_ud_reasm_orders),
	KUNIT_CASE(rsk_ud_reasm_interleaved),
	KUNIT_CASE(rsk_ud_reasm_many),
	KUNIT_CASE(rsk_ud_reasm_total_mismatch),
	KUNIT_CASE(rsk_ud_reasm_repeats),
	KUNIT_CASE(rsk_ud_reasm_scattered),
	KUNIT_CASE(rsk_ud_reasm_memory_bound),
	KUNIT_CASE_SLOW(rsk_ud_reasm_timeout),
	KUNIT_CASE_SLOW(rsk_ud_reasm_fuzz),
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
