// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: datagrams put together from their fragments (rdma_sock.rst,
 * "Datagrams", "Fragments").
 *
 * Link layer, beside the UD endpoints: each endpoint keeps one table of
 * the datagrams it is putting together.  A peer decides what arrives, so
 * everything here is bounded: a datagram is found by hash, not by a walk;
 * the memory a datagram holds (its skb's truesize and its own record) is
 * charged to the namespace before it is kept, against a per-namespace
 * limit; a fragment that repeats or overlaps one already received drops
 * the whole datagram (RFC 5722's rule for IPv6), so a datagram completes
 * only when every byte came exactly once; and a timer drops a datagram
 * still incomplete RSK_DGRAM_FRAG_TIMEOUT_MS after its first fragment,
 * whether or not more fragments come.
 */
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "rsk.h"

/*
 * Byte ranges received, sorted and merged.  A sender that cuts in order
 * needs one; RSK_UD_REASM_RANGES allows for a fabric that reorders, and
 * a datagram that would need more is dropped (counted).
 */
#define RSK_UD_REASM_RANGES	8

struct rsk_ud_reasm_range {
	u32 start, end;			/* [start, end) */
};

/* A datagram being put together; its table's lock held. */
struct rsk_ud_reasm {
	struct hlist_node hnode;	/* table->hash[] */
	struct list_head lru;		/* table->lru, oldest first */
	/* the key: who sent it, to whom, and its id */
	struct rsk_addr src;		/* address and port */
	struct rsk_addr dst;		/* address */
	__be16 dst_port;
	u32 src_qpn;
	u32 msg_id;
	u32 total_len;
	u32 have;			/* bytes received so far */
	u32 charge;			/* bytes charged to the namespace */
	unsigned long expires;		/* jiffies */
	struct sk_buff *skb;		/* total_len bytes, filled in place */
	u8 nr_ranges;
	struct rsk_ud_reasm_range ranges[RSK_UD_REASM_RANGES];
};

static u32 rsk_ud_reasm_hash(const struct rsk_ud_reasm_table *t,
			     const struct rsk_addr *src, u32 src_qpn,
			     u32 msg_id)
{
	u32 a;

	/*
	 * Over what rsk_addr_same_host() compares, and nothing else; keyed
	 * by the table's random seed, since the peer picks every input.
	 */
	if (src->family == AF_INET)
		a = jhash_3words((__force u32)src->v4, msg_id, src_qpn, t->seed);
	else
		a = jhash_3words(jhash(&src->v6, sizeof(src->v6), t->seed),
				 msg_id, src_qpn, t->seed);
	return hash_32(a ^ (__force u16)src->port, RSK_UD_REASM_HASH_BITS);
}

static bool rsk_ud_reasm_match(const struct rsk_ud_reasm *r,
			       const struct rsk_addr *src,
			       const struct rsk_addr *dst, __be16 dst_port,
			       u32 src_qpn, u32 msg_id)
{
	return r->msg_id == msg_id && r->src_qpn == src_qpn &&
	       r->src.port == src->port && r->dst_port == dst_port &&
	       rsk_addr_same_host(&r->src, src) &&
	       rsk_addr_same_host(&r->dst, dst);
}

static void rsk_ud_reasm_free(struct rsk_ud_reasm_table *t,
			      struct rsk_ud_reasm *r)
{
	lockdep_assert_held(&t->lock);
	hlist_del(&r->hnode);
	list_del(&r->lru);
	t->count--;
	atomic_sub(r->charge, &t->rnet->dgram_frag_mem);
	kfree_skb(r->skb);
	kfree(r);
}

/* Drop what timed out; the next deadline, or 0 when nothing is left. */
static unsigned long __rsk_ud_reasm_expire(struct rsk_ud_reasm_table *t)
{
	struct rsk_ud_reasm *r, *tmp;

	lockdep_assert_held(&t->lock);
	list_for_each_entry_safe(r, tmp, &t->lru, lru) {
		if (time_before(jiffies, r->expires))
			return r->expires;
		rsk_ud_reasm_free(t, r);
		rsk_event(t->rnet, RSK_EV_DGRAM_FRAG_TIMEOUTS);
	}
	return 0;
}

static void rsk_ud_reasm_timer(struct timer_list *timer)
{
	struct rsk_ud_reasm_table *t = from_timer(t, timer, timer);
	unsigned long next;

	spin_lock_bh(&t->lock);
	next = __rsk_ud_reasm_expire(t);
	if (next && !t->dead)
		mod_timer(&t->timer, next);
	spin_unlock_bh(&t->lock);
}

void rsk_ud_reasm_init(struct rsk_ud_reasm_table *t, struct rsk_net *rnet)
{
	u32 i;

	spin_lock_init(&t->lock);
	t->rnet = rnet;
	t->seed = get_random_u32();
	for (i = 0; i < ARRAY_SIZE(t->hash); i++)
		INIT_HLIST_HEAD(&t->hash[i]);
	INIT_LIST_HEAD(&t->lru);
	t->count = 0;
	t->timeout = msecs_to_jiffies(RSK_DGRAM_FRAG_TIMEOUT_MS);
	t->dead = false;
	timer_setup(&t->timer, rsk_ud_reasm_timer, 0);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_ud_reasm_init);

/* Every datagram dropped, the timer stopped for good. */
void rsk_ud_reasm_destroy(struct rsk_ud_reasm_table *t)
{
	struct rsk_ud_reasm *r, *tmp;

	spin_lock_bh(&t->lock);
	t->dead = true;
	list_for_each_entry_safe(r, tmp, &t->lru, lru)
		rsk_ud_reasm_free(t, r);
	spin_unlock_bh(&t->lock);
	timer_shutdown_sync(&t->timer);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_ud_reasm_destroy);

/*
 * Record [start, end) as received: -EEXIST when it repeats or overlaps a
 * range already there, -ENOSPC when the ranges would not fit.
 */
static int rsk_ud_reasm_range_add(struct rsk_ud_reasm *r, u32 start, u32 end)
{
	struct rsk_ud_reasm_range *rg = r->ranges;
	u8 i, n = r->nr_ranges;

	/* The first range that ends after this fragment starts. */
	for (i = 0; i < n && rg[i].end <= start; i++)
		;
	if (i < n && rg[i].start < end)
		return -EEXIST;			/* overlaps rg[i] */
	if (i > 0 && rg[i - 1].end == start) {
		rg[i - 1].end = end;		/* extends the one before */
		if (i < n && rg[i].start == end) {
			rg[i - 1].end = rg[i].end;
			memmove(&rg[i], &rg[i + 1], (n - i - 1) * sizeof(*rg));
			r->nr_ranges--;
		}
		return 0;
	}
	if (i < n && rg[i].start == end) {
		rg[i].start = start;		/* extends the one after */
		return 0;
	}
	if (n == RSK_UD_REASM_RANGES)
		return -ENOSPC;
	memmove(&rg[i + 1], &rg[i], (n - i) * sizeof(*rg));
	rg[i].start = start;
	rg[i].end = end;
	r->nr_ranges++;
	return 0;
}

/* A new datagram's record and skb, charged, or NULL (counted). */
static struct rsk_ud_reasm *
rsk_ud_reasm_new(struct rsk_ud_reasm_table *t, const struct rsk_addr *src,
		 const struct rsk_addr *dst, __be16 dst_port, u32 src_qpn,
		 u32 msg_id, u32 total)
{
	struct rsk_net *rnet = t->rnet;
	struct rsk_ud_reasm *r;
	u32 charge;

	/* What it will cost at least, before allocating anything. */
	if (atomic_read(&rnet->dgram_frag_mem) + SKB_TRUESIZE(total) >
	    RSK_DGRAM_FRAG_MEM) {
		rsk_event(rnet, RSK_EV_DGRAM_FRAG_DROPS);
		return NULL;
	}
	r = kzalloc(sizeof(*r), GFP_ATOMIC);
	if (r)
		r->skb = alloc_skb(max_t(u32, total, 1), GFP_ATOMIC);
	if (!r || !r->skb) {
		kfree(r);
		rsk_event(rnet, RSK_EV_DGRAM_RX_NOMEM);
		return NULL;
	}
	/* And what it does cost, against the same bound. */
	charge = r->skb->truesize + sizeof(*r);
	if (atomic_add_return(charge, &rnet->dgram_frag_mem) >
	    RSK_DGRAM_FRAG_MEM) {
		atomic_sub(charge, &rnet->dgram_frag_mem);
		kfree_skb(r->skb);
		kfree(r);
		rsk_event(rnet, RSK_EV_DGRAM_FRAG_DROPS);
		return NULL;
	}
	r->charge = charge;
	skb_put(r->skb, total);
	r->src = *src;
	r->dst = *dst;
	r->dst_port = dst_port;
	r->src_qpn = src_qpn;
	r->msg_id = msg_id;
	r->total_len = total;
	r->expires = jiffies + t->timeout;
	hlist_add_head(&r->hnode,
		       &t->hash[rsk_ud_reasm_hash(t, src, src_qpn, msg_id)]);
	list_add_tail(&r->lru, &t->lru);	/* the newest expires last */
	t->count++;
	if (!t->dead && !timer_pending(&t->timer))
		mod_timer(&t->timer, r->expires);
	return r;
}

/**
 * rsk_ud_reasm_add - put a fragment in its datagram
 * @t: the receiving endpoint's table
 * @h: the fragment's header, checked (rsk_ud_check_hdr())
 * @payload: its payload, @frag bytes
 * @frag: the payload's length
 * @src: the sender's address, with the header's source port
 * @dst: the address it was sent to
 * @src_qpn: the sender's QPN
 *
 * A datagram is the fragments with the same @src, @dst, @src_qpn, message
 * id and destination port.  Context: softirq (the endpoint's receive CQ) or process.
 *
 * Return: the whole datagram's skb, its source in RSK_DGRAM_CB(), once
 * every byte has come; else NULL.
 */
struct sk_buff *rsk_ud_reasm_add(struct rsk_ud_reasm_table *t,
				 const struct rsk_wire_dgram *h,
				 const u8 *payload, u32 frag,
				 const struct rsk_addr *src,
				 const struct rsk_addr *dst, u32 src_qpn)
{
	u32 total = be32_to_cpu(h->total_len);
	u32 off = be16_to_cpu(h->frag_off) * 8;
	u32 id = be32_to_cpu(h->msg_id);
	struct sk_buff *skb = NULL;
	struct rsk_ud_reasm *r;
	int err;

	spin_lock_bh(&t->lock);
	if (t->dead)
		goto out;
	__rsk_ud_reasm_expire(t);
	hlist_for_each_entry(r, &t->hash[rsk_ud_reasm_hash(t, src, src_qpn, id)],
			     hnode)
		if (rsk_ud_reasm_match(r, src, dst, h->dst_port, src_qpn, id))
			goto found;
	r = rsk_ud_reasm_new(t, src, dst, h->dst_port, src_qpn, id, total);
	if (!r)
		goto out;
found:
	if (r->total_len != total) {
		rsk_event(t->rnet, RSK_EV_DGRAM_BAD_HDR);
		rsk_ud_reasm_free(t, r);
		goto out;
	}
	err = rsk_ud_reasm_range_add(r, off, off + frag);
	if (err) {
		rsk_event(t->rnet, err == -EEXIST ? RSK_EV_DGRAM_FRAG_OVERLAPS :
						    RSK_EV_DGRAM_FRAG_DROPS);
		rsk_ud_reasm_free(t, r);
		goto out;
	}
	memcpy(r->skb->data + off, payload, frag);
	r->have += frag;
	if (r->have < r->total_len)
		goto out;
	skb = r->skb;
	r->skb = NULL;
	RSK_DGRAM_CB(skb)->src = r->src;
	rsk_ud_reasm_free(t, r);
out:
	spin_unlock_bh(&t->lock);
	return skb;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_ud_reasm_add);

/* The datagrams being put together, for the tests. */
u32 rsk_ud_reasm_count(struct rsk_ud_reasm_table *t)
{
	u32 n;

	spin_lock_bh(&t->lock);
	n = t->count;
	spin_unlock_bh(&t->lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_ud_reasm_count);
