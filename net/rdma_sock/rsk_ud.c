// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: the datagram transport over UD queue pairs, beside the link
 * layer.
 *
 * Endpoints: one UD QP per namespace and device, with its CQ and receive
 * buffers; every datagram socket of the namespace sends and receives
 * through it, demultiplexed by port in the socket layer (rsk_dgram.c,
 * reached through the function it registered, rsk_ud_register_deliver()).  Neighbours: what a
 * sender learned of a peer's endpoint through rdma_cm SIDR (address
 * handle, QPN, Q_Key).  Documentation/networking/rdma_sock.rst,
 * "Datagrams", is the design; this file follows it.
 *
 * Lifetime.  Endpoints live on the list until the namespace's last bound
 * datagram socket goes (rsk_ud_users_put()) or their device goes
 * (rsk_ud_kill_dev(), a device notifier); each holds a device reference.
 * A neighbour holds a reference on its endpoint while it has one; posted
 * sends hold their skb, whose socket holds the module.
 */
#include <linux/delay.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/sock.h>
#include <rdma/rdma_cm.h>
#include <rdma/rdma_cm_ib.h>
#include <rdma/ib_cache.h>
#include <rdma/ib_addr.h>
#include <net/if_inet6.h>

#include "rsk.h"

/* The datagram socket layer's receive function, set once at init. */
static rsk_ud_deliver_fn rsk_ud_deliver;

#define RSK_UD_RX_DEPTH		128
#define RSK_UD_SQ_DEPTH		256
#define RSK_UD_GRH		40
#define RSK_UD_RESOLVE_MS	2000
/* Bytes waiting for a resolution, as ARP's unres_qlen_bytes default. */
#define RSK_UD_PENDING_BYTES	212992
#define RSK_UD_NEIGH_FAIL_MS	1000	/* a failed entry is retried after */
#define RSK_UD_REPOST_RETRY	(HZ / 10)	/* a refused receive buffer */

static struct workqueue_struct *rsk_ud_wq;

/* A receive buffer of an endpoint: its GRH slot and one page. */
struct rsk_ud_rx {
	struct ib_cqe cqe;
	struct rsk_ud_ep *ep;
	struct page *page;
	u64 dma;
	u32 idx;
	struct list_head unposted_node;	/* ep->rx_unposted, under ep->lock */
};

/*
 * What a fragment's skb carries from sendmsg() to its completion: where
 * it goes (the neighbour, a reference, whose address handle must outlive
 * the send) and its DMA mapping.
 */
struct rsk_ud_tx_cb {
	struct ib_cqe cqe;
	struct rsk_ud_neigh *neigh;
	u64 dma;
};

/*
 * A peer endpoint as SIDR resolution found it, or a multicast group as a
 * send-only join gave it.  state and pending under rsk_ud_mutex; ah, qpn,
 * qkey and ep fixed once state is READY.
 */
enum rsk_ud_neigh_state {
	RSK_UD_RESOLVING,
	RSK_UD_READY,
	RSK_UD_FAILED,
};

struct rsk_ud_neigh {
	struct hlist_node node;		/* rnet->ud_neigh_hash, rsk_ud_mutex */
	struct list_head all_node;	/* rsk_ud_neighs, under rsk_ud_mutex */
	struct kref ref;
	struct rsk_net *rnet;
	struct rsk_addr peer;		/* port 0; or a group */
	struct rsk_addr src;		/* a group's sender; AF_UNSPEC: route */
	enum rsk_ud_neigh_state state;
	int err;			/* why it failed */
	unsigned long expires;		/* jiffies: resolve again after */
	struct rdma_cm_id *id;		/* while resolving */
	struct rsk_ud_ep *ep;		/* a reference, once READY */
	struct ib_ah *ah;
	u32 qpn, qkey;
	struct sk_buff_head pending;	/* fragments waiting for READY */
	u32 pending_bytes;
	struct work_struct id_work;	/* destroys id outside its handler */
	struct work_struct free_work;	/* the AH goes in process context */
	/*
	 * Set, without a lock, when a datagram from the peer came from
	 * another QPN than ours says: its endpoint was made anew (its
	 * sockets all closed, or its module reloaded).  The next send
	 * resolves again.
	 */
	bool stale;
	struct rcu_head rcu;		/* readers of ud_neigh_hash in softirq */
};

#define RSK_UD_TX_CB(skb)	((struct rsk_ud_tx_cb *)(skb)->cb)

struct rsk_ud_ep {
	struct list_head node;		/* rnet->ud_eps, under ud_mutex */
	struct kref ref;
	struct rsk_net *rnet;
	struct rsk_device *rdev;	/* a reference */
	u32 port_num;
	u32 mtu;			/* path MTU, bytes */
	struct ib_cq *cq;
	struct ib_qp *qp;
	u32 qpn;
	atomic_t msg_id;
	struct rsk_ud_rx *rx;		/* RSK_UD_RX_DEPTH */
	u8 *grh;			/* RSK_UD_RX_DEPTH GRH slots */
	u64 grh_dma;
	/* lock protects sq_free, backlog, rx_unposted and dead. */
	spinlock_t lock;
	int sq_free;
	struct sk_buff_head backlog;	/* fragments waiting for a slot */
	bool dead;
	struct rsk_ud_reasm_table reasm;	/* its own lock */
	atomic_t rx_posted;		/* receive buffers on the QP */
	/* Receive buffers a post refused; repost_work tries them again. */
	struct list_head rx_unposted;
	struct delayed_work repost_work;
};

static void rsk_ud_ep_release(struct kref *ref);
static void rsk_ud_neigh_put(struct rsk_ud_neigh *neigh);
static void rsk_ud_post_skb(struct rsk_ud_ep *ep, struct sk_buff *skb);

void rsk_ud_ep_put(struct rsk_ud_ep *ep)
{
	kref_put(&ep->ref, rsk_ud_ep_release);
}

/* ---- receiving ---- */

static int rsk_ud_post_rx(struct rsk_ud_ep *ep, struct rsk_ud_rx *rx)
{
	struct ib_sge sge[2] = {
		{
			.addr	= ep->grh_dma + rx->idx * RSK_UD_GRH,
			.length	= RSK_UD_GRH,
			.lkey	= ep->rdev->pd->local_dma_lkey,
		}, {
			.addr	= rx->dma,
			.length	= PAGE_SIZE,
			.lkey	= ep->rdev->pd->local_dma_lkey,
		},
	};
	struct ib_recv_wr wr = {
		.wr_cqe		= &rx->cqe,
		.sg_list	= sge,
		.num_sge	= 2,
	};

	int err;

	atomic_inc(&ep->rx_posted);
	err = rsk_post_fails() ? -ENOMEM : ib_post_recv(ep->qp, &wr, NULL);
	if (err)
		atomic_dec(&ep->rx_posted);
	return err;
}

/*
 * A receive buffer a post refused for want of memory, kept for
 * repost_work: dropped, it would be lost to the endpoint for good, and a
 * run of refusals would leave the endpoint receiving nothing.  Refused
 * otherwise, the QP is failing: the buffer stays off it, counted.
 */
static void rsk_ud_keep_rx(struct rsk_ud_ep *ep, struct rsk_ud_rx *rx,
			   int err)
{
	rsk_event(ep->rnet, RSK_EV_DGRAM_RX_REPOST);
	if (err != -ENOMEM)
		return;
	spin_lock_bh(&ep->lock);
	if (!ep->dead) {
		list_add_tail(&rx->unposted_node, &ep->rx_unposted);
		/* Under lock: rsk_ud_ep_quiesce() cancels it once dead. */
		queue_delayed_work(rsk_ud_wq, &ep->repost_work,
				   RSK_UD_REPOST_RETRY);
	}
	spin_unlock_bh(&ep->lock);
}

static void rsk_ud_repost_work(struct work_struct *work)
{
	struct rsk_ud_ep *ep = container_of(to_delayed_work(work),
					    struct rsk_ud_ep, repost_work);
	struct rsk_ud_rx *rx;
	int err;

	for (;;) {
		spin_lock_bh(&ep->lock);
		rx = ep->dead ? NULL :
		     list_first_entry_or_null(&ep->rx_unposted,
					      struct rsk_ud_rx, unposted_node);
		if (rx)
			list_del(&rx->unposted_node);
		spin_unlock_bh(&ep->lock);
		if (!rx)
			return;
		err = rsk_ud_post_rx(ep, rx);
		if (err) {
			rsk_ud_keep_rx(ep, rx, err);	/* and wait again */
			return;
		}
	}
}

/* The sender's IP address, from the GRH (RoCE v2: the IP header). */
static int rsk_ud_src_addr(struct rsk_ud_ep *ep, struct ib_wc *wc,
			   const void *grh, struct rsk_addr *src,
			   struct rsk_addr *dst)
{
	const union rdma_network_hdr *hdr = grh;
	union ib_gid sgid, dgid;
	struct sockaddr_storage ss;
	int net_type;

	if (!(wc->wc_flags & IB_WC_GRH))
		return -EINVAL;
	if (wc->wc_flags & IB_WC_WITH_NETWORK_HDR_TYPE)
		net_type = wc->network_hdr_type;
	else
		net_type = ib_get_rdma_header_version(hdr);
	if (ib_get_gids_from_rdma_hdr(hdr, net_type, &sgid, &dgid))
		return -EINVAL;
	rdma_gid2ip((struct sockaddr *)&ss, &sgid);
	if (rsk_addr_parse((struct sockaddr *)&ss, sizeof(ss), src))
		return -EINVAL;
	rdma_gid2ip((struct sockaddr *)&ss, &dgid);
	if (rsk_addr_parse((struct sockaddr *)&ss, sizeof(ss), dst))
		return -EINVAL;
	return 0;
}

/* A source no host sends from: the wildcard, loopback, a group. */
static bool rsk_ud_src_impossible(const struct rsk_addr *src)
{
	if (rsk_addr_is_any(src) || rsk_addr_is_loopback(src) ||
	    rsk_addr_is_multicast(src))
		return true;
	if (src->family == AF_INET)
		return ipv4_is_lbcast(src->v4) || ipv4_is_zeronet(src->v4);
	return false;
}

/**
 * rsk_ud_addrs_ok - whether a datagram's GRH addresses may be believed
 * @rnet: the receiving endpoint's namespace
 * @own_qpn: the receiving endpoint's QP number
 * @src: the GRH's source (for RoCE v2, the IP header's, which any IP host
 *	can forge)
 * @dst: its destination
 * @src_qp: the sending QP, from the completion (the packet's DETH)
 * @roce: the endpoint's port is RoCE, whose GIDs are IP addresses
 *
 * The device takes a datagram for any GID in its table, which over RoCE
 * holds the addresses of every namespace's interfaces on it: a unicast
 * destination must be this namespace's own, or a wildcard-bound socket
 * would receive what was sent to another namespace (groups are checked on
 * their own; InfiniBand's destination GID is the port's, no address).  A
 * source no host can have is dropped; one of our own addresses only from
 * our own endpoint's QP (a datagram this namespace sent to itself), since
 * the NIC, unlike the IP stack, does not drop "martian" sources.  A
 * forger who learned that QP number (a SIDR answer tells it) still
 * passes: rdma_sock-threats.rst lists it.
 */
VISIBLE_IF_KUNIT bool rsk_ud_addrs_ok(struct rsk_net *rnet, u32 own_qpn,
				      const struct rsk_addr *src,
				      const struct rsk_addr *dst, u32 src_qp,
				      bool roce)
{
	if (rsk_ud_src_impossible(src))
		return false;
	if (rsk_addr_is_local(rnet->net, src) && src_qp != own_qpn)
		return false;
	if (rsk_addr_is_multicast(dst) || !roce)
		return true;
	return !rsk_addr_is_any(dst) && !rsk_addr_is_loopback(dst) &&
	       rsk_addr_is_local(rnet->net, dst);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_ud_addrs_ok);

/* Validate a datagram header; its payload length, or -EINVAL. */
VISIBLE_IF_KUNIT int rsk_ud_check_hdr(struct rsk_net *rnet,
				      const struct rsk_wire_dgram *h, u32 len)
{
	u32 total, off, frag;

	if (len < sizeof(*h) || be32_to_cpu(h->magic) != RSK_WIRE_MAGIC ||
	    h->version != RSK_WIRE_VERSION) {
		rsk_event(rnet, RSK_EV_DGRAM_BAD_HDR);
		return -EINVAL;
	}
	frag = len - sizeof(*h);
	total = be32_to_cpu(h->total_len);
	off = be16_to_cpu(h->frag_off) * 8;
	if (!h->dst_port || !h->src_port || total > RSK_DGRAM_MAX ||
	    off + frag > total || (off + frag < total && (frag & 7))) {
		rsk_event(rnet, RSK_EV_DGRAM_BAD_HDR);
		return -EINVAL;
	}
	return frag;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_ud_check_hdr);

static struct sk_buff *rsk_ud_new_skb(u32 len, const struct rsk_addr *src)
{
	struct sk_buff *skb = alloc_skb(max_t(u32, len, 1), GFP_ATOMIC);

	if (!skb)
		return NULL;
	skb_put(skb, len);
	RSK_DGRAM_CB(skb)->src = *src;
	return skb;
}

/* Every namespace's neighbours, for a device's removal; rsk_ud_mutex. */
static LIST_HEAD(rsk_ud_neighs);

/* The bucket of @rnet's neighbours for @peer. */
static struct hlist_head *rsk_ud_neigh_bucket(struct rsk_net *rnet,
					      const struct rsk_addr *peer)
{
	u32 h;

	if (peer->family == AF_INET)
		h = jhash_1word((__force u32)peer->v4, rnet->ud_neigh_seed);
	else
		h = jhash2((__force const u32 *)peer->v6.s6_addr32, 4,
			   rnet->ud_neigh_seed ^ peer->scope_id);
	return &rnet->ud_neigh_hash[h % RSK_UD_NEIGH_HASH];
}

/*
 * A datagram came from @src's endpoint @qpn: a neighbour entry that names
 * another endpoint there is stale.  Softirq: the table under RCU.
 */
static void rsk_ud_neigh_seen(struct rsk_net *rnet, const struct rsk_addr *src,
			      u32 qpn)
{
	struct rsk_ud_neigh *neigh;

	rcu_read_lock();
	hlist_for_each_entry_rcu(neigh, rsk_ud_neigh_bucket(rnet, src), node) {
		if (neigh->src.family || !rsk_addr_same_host(&neigh->peer, src))
			continue;
		/* Pairs with rsk_ud_neigh_done(): qpn is set when READY is. */
		if (smp_load_acquire(&neigh->state) == RSK_UD_READY &&
		    neigh->qpn != qpn && !READ_ONCE(neigh->stale)) {
			WRITE_ONCE(neigh->stale, true);
			rsk_event(rnet, RSK_EV_DGRAM_NEIGH_STALE);
		}
	}
	rcu_read_unlock();
}

static void rsk_ud_rx_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct rsk_ud_rx *rx = container_of(wc->wr_cqe, struct rsk_ud_rx, cqe);
	struct rsk_ud_ep *ep = rx->ep;
	const struct rsk_wire_dgram *h;
	struct rsk_addr src, dst;
	struct sk_buff *skb = NULL;
	u32 len;
	int frag, err;

	if (wc->status != IB_WC_SUCCESS)
		goto done;	/* flushed: the endpoint is going */
	ib_dma_sync_single_for_cpu(ep->rdev->ibdev, rx->dma, PAGE_SIZE,
				   DMA_FROM_DEVICE);
	ib_dma_sync_single_for_cpu(ep->rdev->ibdev,
				   ep->grh_dma + rx->idx * RSK_UD_GRH,
				   RSK_UD_GRH, DMA_FROM_DEVICE);
	rsk_event(ep->rnet, RSK_EV_DGRAM_RX);
	if (wc->byte_len < RSK_UD_GRH ||
	    rsk_ud_src_addr(ep, wc, ep->grh + rx->idx * RSK_UD_GRH,
			    &src, &dst)) {
		rsk_event(ep->rnet, RSK_EV_DGRAM_BAD_HDR);
		goto repost;
	}
	if (!rsk_ud_addrs_ok(ep->rnet, ep->qpn, &src, &dst, wc->src_qp,
			     rdma_protocol_roce(ep->rdev->ibdev, ep->port_num))) {
		rsk_event(ep->rnet, RSK_EV_DGRAM_BAD_ADDR);
		goto repost;
	}
	len = wc->byte_len - RSK_UD_GRH;
	h = page_address(rx->page);
	frag = rsk_ud_check_hdr(ep->rnet, h, len);
	if (frag < 0)
		goto repost;
	/* IP_MULTICAST_LOOP off: not for the sender's own namespace. */
	if ((h->flags & RSK_DGRAM_NOLOOP) &&
	    rsk_addr_is_local(ep->rnet->net, &src))
		goto repost;
	/* A group's: only if the namespace joined it on this endpoint. */
	if (rsk_addr_is_multicast(&dst) && !rsk_mc_heard(ep->rnet, ep, &dst)) {
		rsk_event(ep->rnet, RSK_EV_DGRAM_NOT_MEMBER);
		goto repost;
	}
	rsk_ud_neigh_seen(ep->rnet, &src, wc->src_qp);
	src.port = h->src_port;
	if (be32_to_cpu(h->total_len) == frag) {
		skb = rsk_ud_new_skb(frag, &src);
		if (skb)
			memcpy(skb->data, h + 1, frag);
		else
			rsk_event(ep->rnet, RSK_EV_DGRAM_RX_NOMEM);
	} else {
		skb = rsk_ud_reasm_add(&ep->reasm, h, (const u8 *)(h + 1),
				       frag, &src, &dst, wc->src_qp);
	}
	if (skb)
		rsk_ud_deliver(ep->rnet, &dst, h->dst_port, skb);
repost:
	ib_dma_sync_single_for_device(ep->rdev->ibdev, rx->dma, PAGE_SIZE,
				      DMA_FROM_DEVICE);
	ib_dma_sync_single_for_device(ep->rdev->ibdev,
				      ep->grh_dma + rx->idx * RSK_UD_GRH,
				      RSK_UD_GRH, DMA_FROM_DEVICE);
	if (!READ_ONCE(ep->dead)) {
		err = rsk_ud_post_rx(ep, rx);
		if (err)
			rsk_ud_keep_rx(ep, rx, err);
	}
done:
	/*
	 * Off the QP only now, a repost counted first: rsk_ud_ep_quiesce()
	 * must not see none posted while one is under way.  The endpoint may
	 * go once this is read as 0.
	 */
	atomic_dec(&ep->rx_posted);
}

/* ---- sending ---- */

/*
 * A send slot came free: the next fragment waiting for one, which takes
 * it, or NULL.  Any context.
 */
static struct sk_buff *rsk_ud_sq_release(struct rsk_ud_ep *ep)
{
	struct sk_buff *skb;

	spin_lock_bh(&ep->lock);
	ep->sq_free++;
	skb = ep->dead ? NULL : __skb_dequeue(&ep->backlog);
	if (skb)
		ep->sq_free--;
	spin_unlock_bh(&ep->lock);
	return skb;
}

static void rsk_ud_tx_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct rsk_ud_tx_cb *cb = container_of(wc->wr_cqe, struct rsk_ud_tx_cb,
					       cqe);
	struct sk_buff *skb = container_of((void *)cb, struct sk_buff, cb);
	struct rsk_ud_neigh *neigh = cb->neigh;
	struct rsk_ud_ep *ep = neigh->ep;

	ib_dma_unmap_single(ep->rdev->ibdev, cb->dma, skb->len, DMA_TO_DEVICE);
	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR)
		rsk_event(ep->rnet, RSK_EV_DGRAM_TX_ERRORS);
	consume_skb(skb);
	rsk_ud_neigh_put(neigh);
	skb = rsk_ud_sq_release(ep);
	if (skb)
		rsk_ud_post_skb(ep, skb);
}

/*
 * Post one fragment, whose cb->neigh is READY, on a send slot it holds.
 * true if posted; if not, the fragment is dropped and counted, and the
 * slot is the caller's to give back.
 */
static bool rsk_ud_post_one(struct rsk_ud_ep *ep, struct sk_buff *skb)
{
	struct rsk_ud_tx_cb *cb = RSK_UD_TX_CB(skb);
	struct rsk_ud_neigh *neigh = cb->neigh;
	struct ib_device *ibdev = ep->rdev->ibdev;
	struct ib_sge sge;
	struct ib_ud_wr wr = {
		.wr = {
			.wr_cqe		= &cb->cqe,
			.sg_list	= &sge,
			.num_sge	= 1,
			.opcode		= IB_WR_SEND,
			.send_flags	= IB_SEND_SIGNALED,
		},
		.ah		= neigh->ah,
		.remote_qpn	= neigh->qpn,
		.remote_qkey	= neigh->qkey,
	};

	cb->cqe.done = rsk_ud_tx_done;
	cb->dma = ib_dma_map_single(ibdev, skb->data, skb->len, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ibdev, cb->dma))
		goto drop;
	sge.addr = cb->dma;
	sge.length = skb->len;
	sge.lkey = ep->rdev->pd->local_dma_lkey;
	if (!rsk_post_fails() && !ib_post_send(ep->qp, &wr.wr, NULL)) {
		rsk_event(ep->rnet, RSK_EV_DGRAM_TX);
		return true;
	}
	ib_dma_unmap_single(ibdev, cb->dma, skb->len, DMA_TO_DEVICE);
drop:
	rsk_event(ep->rnet, RSK_EV_DGRAM_TX_ERRORS);
	kfree_skb(skb);
	rsk_ud_neigh_put(neigh);
	return false;
}

/*
 * Post a fragment on the send slot it holds.  One that cannot be posted
 * gives its slot to the next in the backlog, as a completion would: else
 * the backlog would wait for a completion that no post will make.
 */
static void rsk_ud_post_skb(struct rsk_ud_ep *ep, struct sk_buff *skb)
{
	while (skb && !rsk_ud_post_one(ep, skb))
		skb = rsk_ud_sq_release(ep);
}

/* Send, or queue for a send slot, fragments to a READY neighbour. */
static void rsk_ud_xmit(struct rsk_ud_neigh *neigh, struct sk_buff_head *frags)
{
	struct rsk_ud_ep *ep = neigh->ep;
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(frags))) {
		kref_get(&neigh->ref);		/* the fragment's */
		RSK_UD_TX_CB(skb)->neigh = neigh;
		spin_lock_bh(&ep->lock);
		if (ep->dead) {
			spin_unlock_bh(&ep->lock);
			kfree_skb(skb);
			rsk_ud_neigh_put(neigh);
			continue;
		}
		if (ep->sq_free > 0 && skb_queue_empty(&ep->backlog)) {
			ep->sq_free--;
			spin_unlock_bh(&ep->lock);
			rsk_ud_post_skb(ep, skb);
			continue;
		}
		__skb_queue_tail(&ep->backlog, skb);
		spin_unlock_bh(&ep->lock);
	}
}

/* ---- endpoints ---- */

/*
 * rsk_ud_mutex protects rsk_ud_eps and rsk_ud_neighs, every namespace's,
 * and each namespace's neighbour table (rsk_net.ud_neigh_hash); receive
 * completions read the tables under RCU (rsk_ud_neigh_seen()).
 */
static DEFINE_MUTEX(rsk_ud_mutex);
static LIST_HEAD(rsk_ud_eps);

static void rsk_ud_ep_free_rx(struct rsk_ud_ep *ep)
{
	struct ib_device *ibdev = ep->rdev->ibdev;
	u32 i;

	if (ep->rx) {
		for (i = 0; i < RSK_UD_RX_DEPTH; i++) {
			if (!ep->rx[i].page)
				continue;
			ib_dma_unmap_page(ibdev, ep->rx[i].dma, PAGE_SIZE,
					  DMA_FROM_DEVICE);
			__free_page(ep->rx[i].page);
		}
		kvfree(ep->rx);
	}
	if (ep->grh) {
		ib_dma_unmap_single(ibdev, ep->grh_dma,
				    RSK_UD_RX_DEPTH * RSK_UD_GRH,
				    DMA_FROM_DEVICE);
		kfree(ep->grh);
	}
}

static void rsk_ud_ep_release(struct kref *ref)
{
	struct rsk_ud_ep *ep = container_of(ref, struct rsk_ud_ep, ref);

	kfree(ep);
}

/* QP to error, drained, destroyed; buffers and the device let go. */
/*
 * An endpoint off the list stops: dead, so nothing new is posted; its QP
 * in the error state, so every posted request completes (flushed).  Not
 * ib_drain_qp(): its send-queue marker is an RDMA WRITE, which a UD QP
 * does not take.  Waits for the last, at most 10 s: without rsk_ud_mutex
 * (rsk_ud_kill_eps()), so a slow device stalls no other namespace.
 */
static void rsk_ud_ep_quiesce(struct rsk_ud_ep *ep)
{
	struct ib_qp_attr attr = { .qp_state = IB_QPS_ERR };
	int i;

	spin_lock_bh(&ep->lock);
	ep->dead = true;
	spin_unlock_bh(&ep->lock);
	/* Dead: it posts nothing more, nor is queued again. */
	cancel_delayed_work_sync(&ep->repost_work);
	ib_modify_qp(ep->qp, &attr, IB_QP_STATE);
	for (i = 0; i < 500; i++) {
		if (READ_ONCE(ep->sq_free) == RSK_UD_SQ_DEPTH &&
		    !atomic_read(&ep->rx_posted))
			break;
		msleep(20);
	}
}

/*
 * Free a quiesced endpoint's QP and the rest; rsk_ud_mutex held, under
 * which rsk_ud_ep_attach() finds it dead or its QP still there.
 */
static void rsk_ud_ep_kill(struct rsk_ud_ep *ep)
{
	struct rsk_net *rnet = ep->rnet;
	struct sk_buff *skb;

	lockdep_assert_held(&rsk_ud_mutex);
	if (!ep->dead)
		rsk_ud_ep_quiesce(ep);	/* never set up: nothing to wait for */
	/* Groups detach first (rsk_mc_kill_dev()): an attached QP is busy. */
	WARN_ON_ONCE(ib_destroy_qp(ep->qp));
	ib_free_cq(ep->cq);
	while ((skb = __skb_dequeue(&ep->backlog))) {
		rsk_ud_neigh_put(RSK_UD_TX_CB(skb)->neigh);
		kfree_skb(skb);
	}
	rsk_ud_reasm_destroy(&ep->reasm);
	rsk_ud_ep_free_rx(ep);
	rsk_dev_put(ep->rdev);
	ep->rdev = NULL;
	rsk_obj_dec(rnet, ud_endpoints);
	rsk_ud_ep_put(ep);		/* the list's */
	wake_up_var(&rnet->objs.ud_endpoints);	/* rsk_ud_flush_net() */
}

static int rsk_ud_ep_setup_rx(struct rsk_ud_ep *ep)
{
	struct ib_device *ibdev = ep->rdev->ibdev;
	int err;
	u32 i;

	ep->grh = kzalloc(RSK_UD_RX_DEPTH * RSK_UD_GRH, GFP_KERNEL);
	ep->rx = kvcalloc(RSK_UD_RX_DEPTH, sizeof(*ep->rx), GFP_KERNEL);
	if (!ep->grh || !ep->rx)
		return -ENOMEM;
	ep->grh_dma = ib_dma_map_single(ibdev, ep->grh,
					RSK_UD_RX_DEPTH * RSK_UD_GRH,
					DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(ibdev, ep->grh_dma)) {
		kfree(ep->grh);
		ep->grh = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < RSK_UD_RX_DEPTH; i++) {
		struct rsk_ud_rx *rx = &ep->rx[i];

		rx->ep = ep;
		rx->idx = i;
		rx->cqe.done = rsk_ud_rx_done;
		rx->page = alloc_page(GFP_KERNEL);
		if (!rx->page)
			return -ENOMEM;
		rx->dma = ib_dma_map_page(ibdev, rx->page, 0, PAGE_SIZE,
					  DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(ibdev, rx->dma)) {
			__free_page(rx->page);
			rx->page = NULL;
			return -ENOMEM;
		}
		/* Refused for want of memory: kept, as one that completed. */
		err = rsk_ud_post_rx(ep, rx);
		if (err == -ENOMEM)
			rsk_ud_keep_rx(ep, rx, err);
		else if (err)
			return err;
	}
	return 0;
}

/* The UD QP: INIT with the Q_Key, then RTR and RTS. */
static int rsk_ud_ep_setup_qp(struct rsk_ud_ep *ep)
{
	struct ib_qp_init_attr init = {
		.send_cq	= ep->cq,
		.recv_cq	= ep->cq,
		.cap = {
			.max_send_wr	= RSK_UD_SQ_DEPTH + 1,
			.max_recv_wr	= RSK_UD_RX_DEPTH + 1,
			.max_send_sge	= 1,
			.max_recv_sge	= 2,
		},
		.sq_sig_type	= IB_SIGNAL_REQ_WR,
		.qp_type	= IB_QPT_UD,
		.port_num	= ep->port_num,
	};
	struct ib_qp_attr attr = {
		.qp_state	= IB_QPS_INIT,
		.pkey_index	= 0,
		.port_num	= ep->port_num,
		.qkey		= RDMA_UDP_QKEY,
	};
	int err;

	ep->qp = ib_create_qp(ep->rdev->pd, &init);
	if (IS_ERR(ep->qp)) {
		err = PTR_ERR(ep->qp);
		ep->qp = NULL;
		return err;
	}
	ep->qpn = ep->qp->qp_num;
	err = ib_modify_qp(ep->qp, &attr, IB_QP_STATE | IB_QP_PKEY_INDEX |
			   IB_QP_PORT | IB_QP_QKEY);
	if (err)
		return err;
	attr.qp_state = IB_QPS_RTR;
	err = ib_modify_qp(ep->qp, &attr, IB_QP_STATE);
	if (err)
		return err;
	attr.qp_state = IB_QPS_RTS;
	attr.sq_psn = 0;
	return ib_modify_qp(ep->qp, &attr, IB_QP_STATE | IB_QP_SQ_PSN);
}

static struct rsk_ud_ep *rsk_ud_ep_create(struct rsk_net *rnet,
					  struct ib_device *ibdev, u32 port)
{
	struct ib_port_attr pattr;
	struct rsk_ud_ep *ep;
	int err = -ENOMEM;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return ERR_PTR(-ENOMEM);
	kref_init(&ep->ref);		/* the list's */
	ep->rnet = rnet;
	ep->port_num = port;
	spin_lock_init(&ep->lock);
	skb_queue_head_init(&ep->backlog);
	INIT_LIST_HEAD(&ep->rx_unposted);
	INIT_DELAYED_WORK(&ep->repost_work, rsk_ud_repost_work);
	rsk_ud_reasm_init(&ep->reasm, rnet);
	ep->sq_free = RSK_UD_SQ_DEPTH;
	ep->rdev = rsk_dev_get(ibdev);
	if (!ep->rdev) {
		kfree(ep);
		return ERR_PTR(-ENODEV);
	}
	err = ib_query_port(ibdev, port, &pattr);
	if (err)
		goto out_dev;
	ep->mtu = ib_mtu_enum_to_int(pattr.active_mtu);
	if (ep->mtu < 256) {
		err = -EINVAL;
		goto out_dev;
	}
	ep->cq = ib_alloc_cq(ibdev, ep, RSK_UD_RX_DEPTH + RSK_UD_SQ_DEPTH + 2,
			     0, IB_POLL_SOFTIRQ);
	if (IS_ERR(ep->cq)) {
		err = PTR_ERR(ep->cq);
		goto out_dev;
	}
	err = rsk_ud_ep_setup_qp(ep);
	if (!err)
		err = rsk_ud_ep_setup_rx(ep);
	if (err) {
		kref_get(&ep->ref);	/* kill puts the list's */
		if (ep->qp) {
			rsk_obj_inc(rnet, ud_endpoints);	/* kill counts it out */
			rsk_ud_ep_kill(ep);
		} else {
			ib_free_cq(ep->cq);
			rsk_ud_ep_free_rx(ep);
			rsk_dev_put(ep->rdev);
			rsk_ud_ep_put(ep);
		}
		rsk_ud_ep_put(ep);
		return ERR_PTR(err);
	}
	list_add_tail(&ep->node, &rsk_ud_eps);
	rsk_obj_inc(rnet, ud_endpoints);
	return ep;

out_dev:
	rsk_dev_put(ep->rdev);
	kfree(ep);
	return ERR_PTR(err);
}

/*
 * The namespace's endpoint on a device port, made if need be; a reference
 * for the caller.  rsk_ud_mutex held.
 */
static struct rsk_ud_ep *rsk_ud_ep_get(struct rsk_net *rnet,
				       struct ib_device *ibdev, u32 port)
{
	struct rsk_ud_ep *ep;

	list_for_each_entry(ep, &rsk_ud_eps, node) {
		/* Not one whose device is going: it would outlive the kill. */
		if (ep->rnet == rnet && ep->rdev->ibdev == ibdev &&
		    ep->port_num == port && !READ_ONCE(ep->rdev->dying)) {
			kref_get(&ep->ref);	/* rsk_ud_ep_put() */
			return ep;
		}
	}
	ep = rsk_ud_ep_create(rnet, ibdev, port);
	if (!IS_ERR(ep))
		kref_get(&ep->ref);	/* the caller's: rsk_ud_ep_put() */
	return ep;
}

/**
 * rsk_ud_ep_lookup - the namespace's endpoint on a device port
 * @rnet: the namespace
 * @ibdev: the device
 * @port: its port
 *
 * Made if need be.  Process context.  Return: a reference, or ERR_PTR.
 */
struct rsk_ud_ep *rsk_ud_ep_lookup(struct rsk_net *rnet,
				   struct ib_device *ibdev, u32 port)
{
	struct rsk_ud_ep *ep;

	mutex_lock(&rsk_ud_mutex);
	ep = rsk_ud_ep_get(rnet, ibdev, port);
	mutex_unlock(&rsk_ud_mutex);
	return ep;
}

struct rsk_device *rsk_ud_ep_dev(const struct rsk_ud_ep *ep)
{
	return ep->rdev;
}

/**
 * rsk_ud_ep_attach - attach an endpoint to a multicast group, or detach it
 * @ep: the endpoint
 * @mgid: the group's GID
 * @mlid: its LID (InfiniBand; 0 on RoCE)
 * @attach: true to attach, false to detach
 *
 * Return: 0, -ENODEV if the endpoint is gone, or the verbs' error.
 */
int rsk_ud_ep_attach(struct rsk_ud_ep *ep, const union ib_gid *mgid,
		     u16 mlid, bool attach)
{
	union ib_gid gid = *mgid;
	int err = -ENODEV;

	/* The QP is destroyed under rsk_ud_mutex, once dead. */
	mutex_lock(&rsk_ud_mutex);
	if (!ep->dead)
		err = attach ? ib_attach_mcast(ep->qp, &gid, mlid) :
			       ib_detach_mcast(ep->qp, &gid, mlid);
	mutex_unlock(&rsk_ud_mutex);
	return err;
}

/**
 * rsk_ud_mc_ah_attr - an address handle's attributes for an IPv6 group
 * @id: an rdma_cm id with its address resolved or bound
 * @group: the group
 * @attr: filled in
 *
 * What rdma_cm would give for a join it refuses: it joins no IPv6 group
 * over RoCE v2, although the wire format (the group's address as the
 * destination GID and IP address) is the same as for IPv4.
 *
 * @attr holds a reference on the source GID's attributes: the caller
 * drops it with rdma_destroy_ah_attr() once the address handle is made.
 *
 * Return: 0, or -errno (-EOPNOTSUPP where the port is not RoCE).
 */
int rsk_ud_mc_ah_attr(struct rdma_cm_id *id, const struct in6_addr *group,
		      struct rdma_ah_attr *attr)
{
	struct rdma_dev_addr *da = &id->route.addr.dev_addr;
	const struct ib_gid_attr *sgid_attr;
	struct net_device *ndev;
	union ib_gid sgid, dgid;

	if (!rdma_protocol_roce(id->device, id->port_num))
		return -EOPNOTSUPP;
	rdma_ip2gid((struct sockaddr *)&id->route.addr.src_addr, &sgid);
	ndev = dev_get_by_index(da->net, da->bound_dev_if);
	if (!ndev)
		return -ENODEV;
	sgid_attr = rdma_find_gid_by_port(id->device, &sgid,
					  IB_GID_TYPE_ROCE_UDP_ENCAP,
					  id->port_num, ndev);
	dev_put(ndev);
	if (IS_ERR(sgid_attr))
		return PTR_ERR(sgid_attr);
	memset(attr, 0, sizeof(*attr));
	attr->type = rdma_ah_find_type(id->device, id->port_num);
	rdma_ah_set_port_num(attr, id->port_num);
	memcpy(dgid.raw, group, sizeof(dgid.raw));
	rdma_ah_set_grh(attr, &dgid, 0, sgid_attr->index,
			IPV6_DEFAULT_HOPLIMIT, 0);
	attr->grh.sgid_attr = sgid_attr;	/* the caller's to drop */
	ipv6_eth_mc_map(group, attr->roce.dmac);
	return 0;
}

/* ---- neighbours: SIDR resolution ---- */

static void rsk_ud_neigh_free_work(struct work_struct *work);

static void rsk_ud_neigh_release(struct kref *ref)
{
	struct rsk_ud_neigh *neigh = container_of(ref, struct rsk_ud_neigh,
						  ref);

	/* Possibly softirq (a send completion): the AH goes in process. */
	INIT_WORK(&neigh->free_work, rsk_ud_neigh_free_work);
	queue_work(rsk_ud_wq, &neigh->free_work);
}

static void rsk_ud_neigh_free_work(struct work_struct *work)
{
	struct rsk_ud_neigh *neigh = container_of(work, struct rsk_ud_neigh,
						  free_work);

	if (neigh->ah)
		rdma_destroy_ah(neigh->ah, RDMA_DESTROY_AH_SLEEPABLE);
	if (neigh->ep)
		rsk_ud_ep_put(neigh->ep);
	skb_queue_purge(&neigh->pending);
	kfree_rcu(neigh, rcu);
}

static void rsk_ud_neigh_put(struct rsk_ud_neigh *neigh)
{
	kref_put(&neigh->ref, rsk_ud_neigh_release);
}

static void rsk_ud_hello(struct rsk_net *rnet, struct rsk_wire_hello *h)
{
	rsk_hello_fill(rnet, RSK_DGRAM_MAX, 0, h);
}

static bool rsk_ud_hello_ok(const void *data, u8 len)
{
	struct rsk_wire_hello h = {};

	if (!data || len < offsetofend(struct rsk_wire_hello, min_version))
		return false;
	memcpy(&h, data, min_t(size_t, len, sizeof(h)));
	return be32_to_cpu(h.magic) == RSK_WIRE_MAGIC &&
	       h.version >= RSK_WIRE_MIN_VERSION &&
	       h.min_version <= RSK_WIRE_VERSION && h.min_version <= h.version;
}

/* The resolution ended; rsk_ud_mutex held.  Send or drop what waited. */
static void rsk_ud_neigh_done(struct rsk_ud_neigh *neigh, int err)
{
	struct sk_buff_head frags;

	__skb_queue_head_init(&frags);
	skb_queue_splice_init(&neigh->pending, &frags);
	neigh->pending_bytes = 0;
	if (err) {
		neigh->state = RSK_UD_FAILED;
		neigh->err = err;
		neigh->expires = jiffies +
				 msecs_to_jiffies(RSK_UD_NEIGH_FAIL_MS);
		if (!skb_queue_empty(&frags))
			rsk_event(neigh->rnet, RSK_EV_DGRAM_UNRESOLVED);
		__skb_queue_purge(&frags);
	} else {
		/* After ah and qpn: rsk_ud_neigh_seen() reads them so. */
		smp_store_release(&neigh->state, RSK_UD_READY);
		neigh->expires = jiffies +
			msecs_to_jiffies(READ_ONCE(neigh->rnet->dgram_neigh_ttl_ms));
		rsk_ud_xmit(neigh, &frags);
	}
	/* The id goes after its handler returns; its work holds a ref. */
	queue_work(rsk_ud_wq, &neigh->id_work);
}

static void rsk_ud_neigh_id_work(struct work_struct *work)
{
	struct rsk_ud_neigh *neigh = container_of(work, struct rsk_ud_neigh,
						  id_work);
	struct rdma_cm_id *id;

	mutex_lock(&rsk_ud_mutex);
	id = neigh->id;
	neigh->id = NULL;
	mutex_unlock(&rsk_ud_mutex);
	if (id)
		rdma_destroy_id(id);
	rsk_ud_neigh_put(neigh);	/* the resolution's */
}

/* Where datagrams for the neighbour go; rsk_ud_mutex held. */
static int rsk_ud_neigh_set(struct rsk_ud_neigh *neigh,
			    struct rdma_ah_attr *ah_attr, u32 qpn, u32 qkey)
{
	struct ib_ah *ah;

	/* The endpoint dies with its device, under rsk_ud_mutex. */
	if (!neigh->ep || neigh->ep->dead)
		return -ENETUNREACH;
	ah = rdma_create_ah(neigh->ep->rdev->pd, ah_attr,
			    RDMA_CREATE_AH_SLEEPABLE);
	if (IS_ERR(ah))
		return PTR_ERR(ah);
	neigh->ah = ah;
	neigh->qpn = qpn;
	neigh->qkey = qkey;
	return 0;
}

static int rsk_ud_neigh_ready(struct rsk_ud_neigh *neigh,
			      struct rdma_cm_event *ev)
{
	struct rdma_ud_param *ud = &ev->param.ud;

	if (!rsk_ud_hello_ok(ud->private_data, ud->private_data_len))
		return -ECONNREFUSED;
	return rsk_ud_neigh_set(neigh, &ud->ah_attr, ud->qp_num, ud->qkey);
}

/*
 * A group's address is resolved: join it send-only, whose answer is the
 * address handle (MULTICAST_JOIN).  rdma_cm joins no IPv6 group over
 * RoCE v2: then the handle is made as it would have made it, and the
 * neighbour is ready at once (1).  0 while joining, or -errno.
 */
static int rsk_ud_neigh_mc_join(struct rsk_ud_neigh *neigh,
				struct rdma_cm_id *id)
{
	struct rdma_ah_attr attr;
	struct sockaddr_storage ss;
	struct rsk_ud_ep *ep;
	int err;

	ep = rsk_ud_ep_get(neigh->rnet, id->device, id->port_num);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	neigh->ep = ep;
	rsk_addr_to_sockaddr(&neigh->peer, 0, &ss);
	err = rdma_join_multicast(id, (struct sockaddr *)&ss,
				  BIT(SENDONLY_FULLMEMBER_JOIN), neigh);
	if (err != -ENOTSUPP || neigh->peer.family != AF_INET6)
		return err;
	err = rsk_ud_mc_ah_attr(id, &neigh->peer.v6, &attr);
	if (err)
		return err;
	err = rsk_ud_neigh_set(neigh, &attr, 0xffffff, RDMA_UDP_QKEY);
	rdma_destroy_ah_attr(&attr);
	return err ?: 1;
}

/* Events of a resolving neighbour's id; handler mutex held. */
static int rsk_ud_neigh_handler(struct rdma_cm_id *id,
				struct rdma_cm_event *ev)
{
	struct rsk_ud_neigh *neigh = id->context;
	struct rdma_conn_param param = {};
	struct rsk_wire_hello hello;
	struct rsk_ud_ep *ep;
	int err = 0;

	mutex_lock(&rsk_ud_mutex);
	if (neigh->state != RSK_UD_RESOLVING || neigh->id != id)
		goto out;
	switch (ev->event) {
	case RDMA_CM_EVENT_ADDR_RESOLVED:
		if (!rsk_addr_is_multicast(&neigh->peer)) {
			err = rdma_resolve_route(id, RSK_UD_RESOLVE_MS);
			break;
		}
		err = rsk_ud_neigh_mc_join(neigh, id);
		if (err == 1) {
			rsk_ud_neigh_done(neigh, 0);
			err = 0;
		}
		break;
	case RDMA_CM_EVENT_MULTICAST_JOIN:
		err = rsk_ud_neigh_set(neigh, &ev->param.ud.ah_attr,
				       ev->param.ud.qp_num, ev->param.ud.qkey);
		rsk_ud_neigh_done(neigh, err);
		err = 0;
		break;
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		ep = rsk_ud_ep_get(neigh->rnet, id->device, id->port_num);
		if (IS_ERR(ep)) {
			err = PTR_ERR(ep);
			break;
		}
		neigh->ep = ep;
		rsk_ud_hello(neigh->rnet, &hello);
		param.private_data = &hello;
		param.private_data_len = sizeof(hello);
		err = rdma_connect_locked(id, &param);
		break;
	case RDMA_CM_EVENT_ESTABLISHED:
		err = rsk_ud_neigh_ready(neigh, ev);
		rsk_ud_neigh_done(neigh, err);
		err = 0;
		break;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_MULTICAST_ERROR:
		err = ev->status == -ENETUNREACH ? -ENETUNREACH : -EHOSTUNREACH;
		break;
	default:
		err = -EHOSTUNREACH;	/* unreachable, rejected, errors */
		break;
	}
	if (err)
		rsk_ud_neigh_done(neigh, err);
out:
	mutex_unlock(&rsk_ud_mutex);
	return 0;
}

/* Start resolving @neigh; rsk_ud_mutex held.  0 or -errno. */
static int rsk_ud_neigh_start(struct rsk_ud_neigh *neigh)
{
	struct rsk_net *rnet = neigh->rnet;
	struct sockaddr_storage dst, src;
	struct rdma_cm_id *id;
	int err;

	id = rdma_create_id(rnet->net, rsk_ud_neigh_handler, neigh,
			    RDMA_PS_UDP, IB_QPT_UD);
	if (IS_ERR(id)) {
		/*
		 * Failed, not resolving: a new entry's state is RESOLVING
		 * (0), and unlisting one queues its id_work, which has
		 * neither been set up nor holds a reference yet.
		 */
		neigh->state = RSK_UD_FAILED;
		neigh->expires = jiffies +
				 msecs_to_jiffies(RSK_UD_NEIGH_FAIL_MS);
		return PTR_ERR(id);
	}
	neigh->id = id;
	neigh->state = RSK_UD_RESOLVING;
	kref_get(&neigh->ref);		/* the resolution's: id_work puts */
	INIT_WORK(&neigh->id_work, rsk_ud_neigh_id_work);
	rsk_addr_to_sockaddr(&neigh->peer,
			     htons(READ_ONCE(rnet->dgram_port)), &dst);
	rsk_addr_to_sockaddr(&neigh->src, 0, &src);
	err = rdma_resolve_addr(id, neigh->src.family ?
				(struct sockaddr *)&src : NULL,
				(struct sockaddr *)&dst, RSK_UD_RESOLVE_MS);
	if (err) {
		neigh->state = RSK_UD_FAILED;
		neigh->expires = jiffies +
				 msecs_to_jiffies(RSK_UD_NEIGH_FAIL_MS);
		queue_work(rsk_ud_wq, &neigh->id_work);
		return err == -ENETUNREACH ? err : -EHOSTUNREACH;
	}
	return 0;
}

/* The namespace's neighbour for @peer (from @src), if it has one. */
static struct rsk_ud_neigh *rsk_ud_neigh_find(struct rsk_net *rnet,
					      const struct rsk_addr *peer,
					      const struct rsk_addr *src)
{
	struct rsk_ud_neigh *neigh;

	lockdep_assert_held(&rsk_ud_mutex);
	hlist_for_each_entry(neigh, rsk_ud_neigh_bucket(rnet, peer), node)
		if (rsk_addr_same_host(&neigh->peer, peer) &&
		    neigh->src.family == src->family &&
		    (!src->family || rsk_addr_same_host(&neigh->src, src)))
			return neigh;
	return NULL;
}

/* ---- sending a datagram ---- */

/*
 * A neighbour leaves the list: a resolution under way is abandoned (its
 * handler finds the state changed and does nothing more).  rsk_ud_mutex
 * held.
 */
static void rsk_ud_neigh_unlist(struct rsk_ud_neigh *neigh)
{
	lockdep_assert_held(&rsk_ud_mutex);
	if (neigh->state == RSK_UD_RESOLVING) {
		neigh->state = RSK_UD_FAILED;
		__skb_queue_purge(&neigh->pending);
		queue_work(rsk_ud_wq, &neigh->id_work);
	}
	hlist_del_rcu(&neigh->node);
	list_del(&neigh->all_node);
	neigh->rnet->ud_nneighs--;
	rsk_obj_dec(neigh->rnet, ud_neighs);
	rsk_ud_neigh_put(neigh);	/* the table's */
}

/*
 * Drop @rnet's entries past their expiry (a resolution under way has its
 * own timeout); with @all, every entry.  rsk_ud_mutex held.  Sends in
 * flight keep theirs until they complete.
 */
static void rsk_ud_neigh_reap(struct rsk_net *rnet, bool all)
{
	struct rsk_ud_neigh *neigh;
	struct hlist_node *tmp;
	int i;

	lockdep_assert_held(&rsk_ud_mutex);
	for (i = 0; i < RSK_UD_NEIGH_HASH; i++)
		hlist_for_each_entry_safe(neigh, tmp, &rnet->ud_neigh_hash[i],
					  node)
			if (all || (neigh->state != RSK_UD_RESOLVING &&
				    time_after(jiffies, neigh->expires)))
				rsk_ud_neigh_unlist(neigh);
}

/* How often the table is swept: half the entries' life, 1 s to 30 s. */
static unsigned long rsk_ud_neigh_gc_period(struct rsk_net *rnet)
{
	unsigned int ms = READ_ONCE(rnet->dgram_neigh_ttl_ms) / 2;

	return msecs_to_jiffies(clamp(ms, 1000U, 30000U));
}

/*
 * Entries are not kept for peers no longer sent to: a sender that went
 * through a whole subnet leaves nothing behind for long.
 */
static void rsk_ud_neigh_gc_work(struct work_struct *work)
{
	struct rsk_net *rnet = container_of(to_delayed_work(work),
					    struct rsk_net, ud_neigh_gc);

	mutex_lock(&rsk_ud_mutex);
	rsk_ud_neigh_reap(rnet, false);
	mutex_unlock(&rsk_ud_mutex);
	queue_delayed_work(rsk_ud_wq, &rnet->ud_neigh_gc,
			   rsk_ud_neigh_gc_period(rnet));
}

/*
 * The resolved or failed entry nothing uses (only the table holds it)
 * that expires first: the one to give up for a new one.  rsk_ud_mutex.
 */
static struct rsk_ud_neigh *rsk_ud_neigh_victim(struct rsk_net *rnet)
{
	struct rsk_ud_neigh *neigh, *victim = NULL;
	int i;

	for (i = 0; i < RSK_UD_NEIGH_HASH; i++)
		hlist_for_each_entry(neigh, &rnet->ud_neigh_hash[i], node)
			if (neigh->state != RSK_UD_RESOLVING &&
			    kref_read(&neigh->ref) == 1 &&
			    (!victim || time_before(neigh->expires,
						    victim->expires)))
				victim = neigh;
	return victim;
}

/*
 * Whether @rnet may hold one more entry: at dgram_max_neighs, the expired
 * ones go, or else the unused one that expires first, as ARP's forced
 * collection does; entries being resolved stay (they end within
 * RSK_UD_RESOLVE_MS).  rsk_ud_mutex held.
 */
static bool rsk_ud_neigh_room(struct rsk_net *rnet)
{
	int max = READ_ONCE(rnet->dgram_max_neighs);
	struct rsk_ud_neigh *victim;

	if (rnet->ud_nneighs < max)
		return true;
	rsk_ud_neigh_reap(rnet, false);
	if (rnet->ud_nneighs < max)
		return true;
	victim = rsk_ud_neigh_victim(rnet);
	if (victim)
		rsk_ud_neigh_unlist(victim);
	return rnet->ud_nneighs < max;
}

/*
 * The neighbour for @to (a group: from @src), fresh, with a reference;
 * rsk_ud_mutex held.
 */
static struct rsk_ud_neigh *rsk_ud_neigh_get(struct rsk_net *rnet,
					     const struct rsk_addr *to,
					     const struct rsk_addr *src,
					     int *err)
{
	struct rsk_ud_neigh *neigh = rsk_ud_neigh_find(rnet, to, src);

	*err = 0;
	if (neigh && neigh->state != RSK_UD_RESOLVING &&
	    (time_after(jiffies, neigh->expires) || READ_ONCE(neigh->stale))) {
		/* Stale: resolve anew; sends in flight keep the old one. */
		rsk_ud_neigh_unlist(neigh);
		neigh = NULL;
	}
	if (!neigh) {
		if (!rsk_ud_neigh_room(rnet)) {
			rsk_event(rnet, RSK_EV_DGRAM_NEIGH_LIMIT);
			*err = -ENOBUFS;
			return NULL;
		}
		neigh = kzalloc(sizeof(*neigh), GFP_KERNEL_ACCOUNT);
		if (!neigh) {
			*err = -ENOBUFS;
			return NULL;
		}
		kref_init(&neigh->ref);		/* the table's */
		neigh->rnet = rnet;
		neigh->peer = *to;
		neigh->peer.port = 0;
		neigh->src = *src;
		skb_queue_head_init(&neigh->pending);
		hlist_add_head_rcu(&neigh->node,
				   rsk_ud_neigh_bucket(rnet, &neigh->peer));
		list_add_tail(&neigh->all_node, &rsk_ud_neighs);
		rnet->ud_nneighs++;
		rsk_obj_inc(rnet, ud_neighs);
		*err = rsk_ud_neigh_start(neigh);
	}
	kref_get(&neigh->ref);		/* the caller's: rsk_ud_neigh_put() */
	return neigh;
}

/* Cut the user's datagram into fragments of at most @frag bytes. */
static int rsk_ud_fragment(struct rsk_sock *rs, const struct rsk_addr *to,
			   u8 flags, struct msghdr *msg, size_t len, u32 frag,
			   struct sk_buff_head *frags)
{
	struct sock *sk = &rs->sk;
	u32 id = atomic_inc_return(&rs->rnet->dgram_msg_id);
	size_t off = 0;
	int err;

	do {
		u32 n = min_t(size_t, len - off, frag);
		struct rsk_wire_dgram *h;
		struct sk_buff *skb;

		skb = sock_alloc_send_skb(sk, sizeof(*h) + n,
					  msg->msg_flags & MSG_DONTWAIT, &err);
		if (!skb)
			goto fail;
		__skb_queue_tail(frags, skb);
		h = skb_put(skb, sizeof(*h));
		h->magic = cpu_to_be32(RSK_WIRE_MAGIC);
		h->version = RSK_WIRE_VERSION;
		h->flags = flags;
		h->dst_port = to->port;
		h->src_port = rs->local.port;
		h->frag_off = cpu_to_be16(off / 8);
		h->msg_id = cpu_to_be32(id);
		h->total_len = cpu_to_be32(len);
		err = memcpy_from_msg(skb_put(skb, n), msg, n);
		if (err)
			goto fail;
		off += n;
	} while (off < len);
	return 0;
fail:
	__skb_queue_purge(frags);
	return err;
}

/**
 * rsk_ud_send - send one datagram
 * @rs: a bound datagram socket, lock_sock held
 * @to: where to (port nonzero), a host or a group
 * @src: for a group, the address to send from; AF_UNSPEC: the route's
 * @flags: RSK_DGRAM_* for the header
 * @msg: the payload
 * @len: its length
 *
 * Unreliable as UDP: datagrams for a peer still being resolved wait (208
 * KiB of them at most, as ARP's queue), one for a peer that cannot be
 * resolved is dropped and counted, unless no route leads there at all
 * (-ENETUNREACH).
 *
 * Return: @len, or -errno.
 */
int rsk_ud_send(struct rsk_sock *rs, const struct rsk_addr *to,
		const struct rsk_addr *src, u8 flags, struct msghdr *msg,
		size_t len)
{
	struct rsk_net *rnet = rs->rnet;
	struct rsk_ud_neigh *neigh;
	struct sk_buff_head frags;
	u32 frag = RSK_UD_DEFAULT_MTU;
	int err;

	if (len > rsk_dgram_max(to))
		return -EMSGSIZE;
	mutex_lock(&rsk_ud_mutex);
	neigh = rsk_ud_neigh_get(rnet, to, src, &err);
	if (neigh && neigh->state == RSK_UD_READY)
		frag = neigh->ep->mtu;
	mutex_unlock(&rsk_ud_mutex);
	if (!neigh)
		return err;
	if (err == -ENETUNREACH) {
		rsk_ud_neigh_put(neigh);
		return err;
	}
	frag = (frag - sizeof(struct rsk_wire_dgram)) & ~7U;

	__skb_queue_head_init(&frags);
	err = rsk_ud_fragment(rs, to, flags, msg, len, frag, &frags);
	if (err) {
		rsk_ud_neigh_put(neigh);
		return err;
	}
	mutex_lock(&rsk_ud_mutex);
	switch (neigh->state) {
	case RSK_UD_READY:
		rsk_ud_xmit(neigh, &frags);
		break;
	case RSK_UD_RESOLVING:
		if (neigh->pending_bytes + len <= RSK_UD_PENDING_BYTES) {
			neigh->pending_bytes += len;
			skb_queue_splice_tail_init(&frags, &neigh->pending);
			break;
		}
		fallthrough;
	default:
		rsk_event(rnet, RSK_EV_DGRAM_UNRESOLVED);
		__skb_queue_purge(&frags);
		if (neigh->state == RSK_UD_FAILED && neigh->err == -ENETUNREACH)
			err = -ENETUNREACH;
	}
	mutex_unlock(&rsk_ud_mutex);
	rsk_ud_neigh_put(neigh);
	return err ? err : len;
}

/* ---- the SIDR listener: peers resolve our endpoints through it ---- */

static int rsk_ud_listen_handler(struct rdma_cm_id *id,
				 struct rdma_cm_event *ev)
{
	struct rsk_net *rnet = id->context;
	struct rdma_conn_param param = {};
	struct rsk_wire_hello hello;
	struct rsk_ud_ep *ep;

	if (ev->event != RDMA_CM_EVENT_CONNECT_REQUEST)
		return 0;
	if (!rsk_ud_hello_ok(ev->param.ud.private_data,
			     ev->param.ud.private_data_len)) {
		rsk_event(rnet, RSK_EV_LINK_REJECTED);
		return 1;		/* rdma_cm destroys the child id */
	}
	mutex_lock(&rsk_ud_mutex);
	ep = rsk_ud_ep_get(rnet, id->device, id->port_num);
	mutex_unlock(&rsk_ud_mutex);
	if (IS_ERR(ep))
		return 1;
	rsk_ud_hello(rnet, &hello);
	param.qp_num = ep->qpn;
	param.qkey = RDMA_UDP_QKEY;
	param.private_data = &hello;
	param.private_data_len = sizeof(hello);
	rdma_accept(id, &param);
	rsk_ud_ep_put(ep);
	return 1;			/* answered: the child id is done */
}

static int rsk_ud_listen(struct rsk_net *rnet)
{
	struct rdma_cm_id *id;

	id = rsk_link_listen_any(rnet->net, rsk_ud_listen_handler, rnet,
				 RDMA_PS_UDP, READ_ONCE(rnet->dgram_port));
	if (IS_ERR(id))
		return PTR_ERR(id);
	rnet->ud_listen_id = id;
	return 0;
}

/*
 * Kill endpoints taken off rsk_ud_eps: each waits for its flushed
 * requests (up to 10 s on a slow device) without rsk_ud_mutex, which must
 * not stall every namespace's datagrams, then goes under it.  Nothing
 * finds them any more.
 */
static void rsk_ud_kill_eps(struct list_head *eps)
{
	struct rsk_ud_ep *ep, *tmp;

	list_for_each_entry(ep, eps, node)
		rsk_ud_ep_quiesce(ep);
	mutex_lock(&rsk_ud_mutex);
	list_for_each_entry_safe(ep, tmp, eps, node) {
		list_del(&ep->node);
		rsk_ud_ep_kill(ep);
	}
	mutex_unlock(&rsk_ud_mutex);
}

/* The namespace's datagram sockets are all gone: so is its transport. */
static void rsk_ud_flush_net(struct rsk_net *rnet)
{
	struct rsk_ud_ep *ep, *etmp;
	LIST_HEAD(dead);

	cancel_delayed_work_sync(&rnet->ud_neigh_gc);
	mutex_lock(&rsk_ud_mutex);
	rsk_ud_neigh_reap(rnet, true);
	list_for_each_entry_safe(ep, etmp, &rsk_ud_eps, node)
		if (ep->rnet == rnet)
			list_move_tail(&ep->node, &dead);
	mutex_unlock(&rsk_ud_mutex);
	rsk_ud_kill_eps(&dead);
	/*
	 * A device's removal may be killing one of ours right now, off the
	 * list already: the namespace's state must outlive it.
	 */
	wait_var_event(&rnet->objs.ud_endpoints,
		       !atomic_read(&rnet->objs.ud_endpoints));
}

/**
 * rsk_ud_users_get - a datagram socket of the namespace got a port
 * @rnet: its namespace
 *
 * The first opens the namespace's SIDR listener, so that peers can
 * resolve its endpoints.  Process context.  Return: 0 or -errno.
 */
int rsk_ud_users_get(struct rsk_net *rnet)
{
	int err = 0;

	mutex_lock(&rnet->ud_listen_mutex);
	if (!rnet->ud_users) {
		err = rsk_ud_listen(rnet);
		if (!err) {
			INIT_DELAYED_WORK(&rnet->ud_neigh_gc,
					  rsk_ud_neigh_gc_work);
			queue_delayed_work(rsk_ud_wq, &rnet->ud_neigh_gc,
					   rsk_ud_neigh_gc_period(rnet));
		}
	}
	if (!err)
		rnet->ud_users++;
	mutex_unlock(&rnet->ud_listen_mutex);
	return err;
}

/* The last one closes the listener, and the endpoints go with it. */
void rsk_ud_users_put(struct rsk_net *rnet)
{
	mutex_lock(&rnet->ud_listen_mutex);
	if (!WARN_ON_ONCE(rnet->ud_users <= 0) && !--rnet->ud_users) {
		rdma_destroy_id(rnet->ud_listen_id);
		rnet->ud_listen_id = NULL;
		rsk_ud_flush_net(rnet);
	}
	mutex_unlock(&rnet->ud_listen_mutex);
}

/* The device is going: its endpoints and what was resolved over them. */
static void rsk_ud_kill_dev(struct rsk_device *rdev)
{
	struct rsk_ud_neigh *neigh, *ntmp;
	struct rsk_ud_ep *ep, *etmp;
	LIST_HEAD(dead);

	rsk_mc_kill_dev(rdev);		/* detached before the QPs go */
	mutex_lock(&rsk_ud_mutex);
	list_for_each_entry_safe(neigh, ntmp, &rsk_ud_neighs, all_node)
		if (neigh->ep && neigh->ep->rdev == rdev)
			rsk_ud_neigh_unlist(neigh);
	list_for_each_entry_safe(ep, etmp, &rsk_ud_eps, node)
		if (ep->rdev == rdev)
			list_move_tail(&ep->node, &dead);
	mutex_unlock(&rsk_ud_mutex);
	rsk_ud_kill_eps(&dead);
	flush_workqueue(rsk_ud_wq);
}

static struct rsk_dev_notifier rsk_ud_dev_notifier = {
	.remove	= rsk_ud_kill_dev,
};

/**
 * rsk_ud_register_deliver - who takes received datagrams
 * @fn: the datagram socket layer's rsk_dgram_deliver(): called in the
 *	endpoint's completion handler (softirq) with a datagram whose header
 *	was checked and whose fragments are reassembled; it owns the skb
 *
 * Set once at module init, before any endpoint exists.
 */
void rsk_ud_register_deliver(rsk_ud_deliver_fn fn)
{
	WARN_ON_ONCE(rsk_ud_deliver);
	rsk_ud_deliver = fn;
}

int rsk_ud_init(void)
{
	rsk_ud_wq = alloc_workqueue("rdma_sock_ud", WQ_MEM_RECLAIM, 0);
	if (!rsk_ud_wq)
		return -ENOMEM;
	rsk_dev_register_notifier(&rsk_ud_dev_notifier);
	return 0;
}

void rsk_ud_exit(void)
{
	rsk_dev_unregister_notifier(&rsk_ud_dev_notifier);
	destroy_workqueue(rsk_ud_wq);
}
