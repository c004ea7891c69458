// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: the "rdma_sock" generic netlink family.
 *
 * What rdmasockctl shows: the module, the bound devices, the caller's
 * namespace's links and sockets, and the counters.  Every command reads;
 * settings are sysctls (rsk_sysctl.c), which need CAP_NET_ADMIN over the
 * namespace to change.  As with ss and inet_diag, an unprivileged caller
 * sees every socket of its namespace, the owner's uid and inode included.
 * Dumps are ordinary netlink dumps, resumed where the last message
 * stopped: by position for devices and links (few, and listed in the
 * order they were made), by a socket's dump_id for sockets (thousands,
 * coming and going during the dump).  The attributes are in
 * include/uapi/linux/rdma_sock.h; Documentation/networking/rdma_sock.rst,
 * "Generic netlink", describes them.
 */
#include <linux/rdma_sock.h>
#include <net/genetlink.h>
#include <net/rdma_sock.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <rdma/ib_verbs.h>

#include "rsk.h"
#include "rsk_wire.h"

static struct genl_family rsk_genl_family;

/* A sockaddr with the address and @port, as an attribute. */
static int rsk_nl_put_addr(struct sk_buff *skb, int type,
			   const struct rsk_addr *addr, __be16 port)
{
	struct sockaddr_storage ss;

	if (addr->family != AF_INET && addr->family != AF_INET6)
		return 0;
	/* IPv4-mapped ones (an IPv6 listener's children) go as IPv4. */
	rsk_addr_to_sockaddr(addr, port, &ss);
	return nla_put(skb, type, addr->family == AF_INET ?
		       sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6),
		       &ss);
}

/* ---- info ---- */

static int rsk_nl_info_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &rsk_genl_family, 0,
				RDMA_SOCK_CMD_INFO_GET);
	if (!hdr)
		goto nospace;
	nest = nla_nest_start(msg, RDMA_SOCK_A_INFO);
	if (!nest ||
	    nla_put_string(msg, RDMA_SOCK_INFO_VERSION, RSK_MODULE_VERSION) ||
	    nla_put_u32(msg, RDMA_SOCK_INFO_FAMILY, rdma_sock_family()) ||
	    nla_put_u8(msg, RDMA_SOCK_INFO_PROTO_VERSION, RSK_WIRE_VERSION) ||
	    nla_put_u8(msg, RDMA_SOCK_INFO_PROTO_MIN, RSK_WIRE_MIN_VERSION))
		goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---- stats ---- */

static int rsk_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct rsk_net *rnet = rsk_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(2 * NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &rsk_genl_family, 0,
				RDMA_SOCK_CMD_STATS_GET);
	if (!hdr || rsk_stats_nl_fill(msg, rnet)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ---- dumps: one message per object ---- */

struct rsk_nl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct net *net;
};

static void *rsk_nl_dump_start(struct rsk_nl_dump *d, u8 cmd)
{
	return genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			   d->cb->nlh->nlmsg_seq, &rsk_genl_family,
			   NLM_F_MULTI, cmd);
}

/* Finish the object's message, or take it back if it did not fit. */
static int rsk_nl_dump_end(struct rsk_nl_dump *d, void *hdr,
			   struct nlattr *nest, int err)
{
	if (err) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(d->skb, nest);
	genlmsg_end(d->skb, hdr);
	return 0;
}

static int rsk_nl_dev_fill(struct rsk_device *rdev, void *arg)
{
	struct rsk_nl_dump *d = arg;
	struct nlattr *nest;
	void *hdr;
	int err;

	hdr = rsk_nl_dump_start(d, RDMA_SOCK_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(d->skb, RDMA_SOCK_A_DEV);
	err = !nest ||
	      nla_put_string(d->skb, RDMA_SOCK_DEV_NAME,
			     dev_name(&rdev->ibdev->dev)) ||
	      nla_put_u32(d->skb, RDMA_SOCK_DEV_INDEX, rdev->ibdev->index) ||
	      nla_put_u32(d->skb, RDMA_SOCK_DEV_PORTS,
			  rdev->ibdev->phys_port_cnt) ||
	      nla_put_u32(d->skb, RDMA_SOCK_DEV_SRQ_DEPTH, rdev->srq_depth) ||
	      nla_put_u32(d->skb, RDMA_SOCK_DEV_SRQ_POSTED,
			  atomic_read(&rdev->srq_posted)) ||
	      nla_put_u32(d->skb, RDMA_SOCK_DEV_REFS, kref_read(&rdev->ref)) ||
	      nla_put_u8(d->skb, RDMA_SOCK_DEV_DYING, READ_ONCE(rdev->dying));
	return rsk_nl_dump_end(d, hdr, nest, err);
}

static int rsk_nl_dev_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rsk_nl_dump d = { .skb = skb, .cb = cb };
	long pos = cb->args[0];
	int err;

	err = rsk_dev_walk(&pos, rsk_nl_dev_fill, &d);
	cb->args[0] = pos;
	/* A full message ends this part; the next one resumes at pos. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

static const u8 rsk_nl_link_states[] = {
	[RSK_LINK_RESOLVING]	= RDMA_SOCK_LINK_RESOLVING,
	[RSK_LINK_CONNECTING]	= RDMA_SOCK_LINK_CONNECTING,
	[RSK_LINK_UP]		= RDMA_SOCK_LINK_UP,
	[RSK_LINK_DEAD]		= RDMA_SOCK_LINK_DEAD,
};

static int rsk_nl_link_counters(struct sk_buff *skb, struct rsk_link *link)
{
	return nla_put_u64_64bit(skb, RDMA_SOCK_LINK_TX_BYTES,
				 atomic64_read(&link->tx_bytes),
				 RDMA_SOCK_LINK_PAD) ||
	       nla_put_u64_64bit(skb, RDMA_SOCK_LINK_TX_MSGS,
				 atomic64_read(&link->tx_msgs),
				 RDMA_SOCK_LINK_PAD) ||
	       nla_put_u64_64bit(skb, RDMA_SOCK_LINK_RX_BYTES,
				 atomic64_read(&link->rx_bytes),
				 RDMA_SOCK_LINK_PAD) ||
	       nla_put_u64_64bit(skb, RDMA_SOCK_LINK_RX_MSGS,
				 atomic64_read(&link->rx_msgs),
				 RDMA_SOCK_LINK_PAD) ||
	       nla_put_u64_64bit(skb, RDMA_SOCK_LINK_ERRORS,
				 atomic64_read(&link->errors),
				 RDMA_SOCK_LINK_PAD);
}

/*
 * Under rsk_all_links_lock: the link cannot be freed, its fields are read
 * as they are (a snapshot, as /proc/net/tcp's).
 */
static int rsk_nl_link_fill(struct rsk_link *link, void *arg)
{
	struct rsk_nl_dump *d = arg;
	enum rsk_link_state state = READ_ONCE(link->state);
	struct nlattr *nest;
	void *hdr;
	int err;

	hdr = rsk_nl_dump_start(d, RDMA_SOCK_CMD_LINK_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(d->skb, RDMA_SOCK_A_LINK);
	err = !nest ||
	      nla_put_u32(d->skb, RDMA_SOCK_LINK_ID, link->id) ||
	      nla_put_u8(d->skb, RDMA_SOCK_LINK_ACTIVE, link->active) ||
	      nla_put_u8(d->skb, RDMA_SOCK_LINK_STATE,
			 rsk_nl_link_states[state]) ||
	      rsk_nl_put_addr(d->skb, RDMA_SOCK_LINK_LOCAL, &link->local, 0) ||
	      rsk_nl_put_addr(d->skb, RDMA_SOCK_LINK_PEER, &link->peer, 0) ||
	      (link->dev_name[0] &&
	       nla_put_string(d->skb, RDMA_SOCK_LINK_DEV, link->dev_name)) ||
	      nla_put_u32(d->skb, RDMA_SOCK_LINK_QPN, link->qp_num) ||
	      nla_put_u32(d->skb, RDMA_SOCK_LINK_PEER_QPN,
			  READ_ONCE(link->peer_qpn)) ||
	      nla_put_u32(d->skb, RDMA_SOCK_LINK_CHANNELS,
			  READ_ONCE(link->nchans)) ||
	      nla_put_u32(d->skb, RDMA_SOCK_LINK_MAX_MSG, link->max_msg) ||
	      nla_put_u32(d->skb, RDMA_SOCK_LINK_ERRNO, -READ_ONCE(link->err)) ||
	      rsk_nl_link_counters(d->skb, link);
	return rsk_nl_dump_end(d, hdr, nest, err);
}

static int rsk_nl_link_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rsk_nl_dump d = { .skb = skb, .cb = cb };
	u32 last = cb->args[0];
	int err;

	err = rsk_link_walk(rsk_net(sock_net(skb->sk)), &last,
			    rsk_nl_link_fill, &d);
	cb->args[0] = last;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* ---- sockets ---- */

/* What ss shows as Recv-Q and Send-Q; a listener's are its queues. */
static void rsk_nl_sock_queues(struct rsk_sock *rs, u32 *recvq, u32 *sendq)
{
	struct sock *sk = &rs->sk;

	if (rs->kind != RSK_KIND_STREAM) {
		*recvq = sk_rmem_alloc_get(sk);
		*sendq = sk_wmem_alloc_get(sk);
		return;
	}
	*recvq = READ_ONCE(rs->rcv_queued);
	*sendq = READ_ONCE(rs->wq_bytes) + READ_ONCE(rs->inflight_bytes);
}

/* Not through rs->link: the socket may hold the link's last reference. */
static int rsk_nl_sock_ids(struct sk_buff *skb, struct rsk_sock *rs)
{
	u32 chan = READ_ONCE(rs->chan_id);

	if (!chan)
		return 0;
	return nla_put_u32(skb, RDMA_SOCK_SOCK_LINK_ID,
			   READ_ONCE(rs->link_id)) ||
	       nla_put_u32(skb, RDMA_SOCK_SOCK_CHAN, chan) ||
	       nla_put_u32(skb, RDMA_SOCK_SOCK_PEER_CHAN,
			   READ_ONCE(rs->peer_chan)) ||
	       nla_put_u32(skb, RDMA_SOCK_SOCK_SND_WND,
			   READ_ONCE(rs->snd_wnd_end) - READ_ONCE(rs->snd_nxt)) ||
	       nla_put_u32(skb, RDMA_SOCK_SOCK_RCV_WND,
			   READ_ONCE(rs->rcv_wnd_sent) - READ_ONCE(rs->rcv_nxt));
}

/*
 * Under the namespace's socks_lock, which keeps the socket from being
 * freed; its fields are read without its locks, a snapshot, as
 * /proc/net/tcp's: nothing here waits for a socket's owner.
 */
static int rsk_nl_sock_fill(struct rsk_nl_dump *d, struct rsk_sock *rs)
{
	struct sock *sk = &rs->sk;
	struct rsk_addr local = rs->local, peer = rs->peer;
	bool listening = READ_ONCE(sk->sk_state) == TCP_LISTEN;
	struct nlattr *nest;
	u32 recvq, sendq;
	void *hdr;
	int err;

	rsk_nl_sock_queues(rs, &recvq, &sendq);
	if (!READ_ONCE(rs->bound))
		memset(&local, 0, sizeof(local));
	hdr = rsk_nl_dump_start(d, RDMA_SOCK_CMD_SOCK_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(d->skb, RDMA_SOCK_A_SOCK);
	err = !nest ||
	      nla_put_u16(d->skb, RDMA_SOCK_SOCK_TYPE, sk->sk_type) ||
	      nla_put_u8(d->skb, RDMA_SOCK_SOCK_STATE, READ_ONCE(sk->sk_state)) ||
	      rsk_nl_put_addr(d->skb, RDMA_SOCK_SOCK_LOCAL, &local, local.port) ||
	      (peer.port && rsk_nl_put_addr(d->skb, RDMA_SOCK_SOCK_PEER, &peer,
					    peer.port)) ||
	      rsk_nl_sock_ids(d->skb, rs) ||
	      nla_put_u32(d->skb, RDMA_SOCK_SOCK_RECVQ,
			  listening ? READ_ONCE(sk->sk_ack_backlog) : recvq) ||
	      nla_put_u32(d->skb, RDMA_SOCK_SOCK_SENDQ,
			  listening ? READ_ONCE(sk->sk_max_ack_backlog) : sendq) ||
	      nla_put_u32(d->skb, RDMA_SOCK_SOCK_UID,
			  from_kuid_munged(sk_user_ns(NETLINK_CB(d->cb->skb).sk),
					   sock_i_uid(sk))) ||
	      nla_put_u64_64bit(d->skb, RDMA_SOCK_SOCK_INODE, sock_i_ino(sk),
				RDMA_SOCK_SOCK_PAD) ||
	      nla_put_u64_64bit(d->skb, RDMA_SOCK_SOCK_ID, rs->dump_id,
				RDMA_SOCK_SOCK_PAD);
	return rsk_nl_dump_end(d, hdr, nest, err);
}

/* cb->args[0]: the dump_id of the last socket sent. */
static int rsk_nl_sock_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rsk_nl_dump d = { .skb = skb, .cb = cb };
	struct rsk_net *rnet = rsk_net(sock_net(skb->sk));
	u64 last = cb->args[0];
	struct rsk_sock *rs;
	int err = 0;

	spin_lock_bh(&rnet->socks_lock);
	list_for_each_entry(rs, &rnet->socks, net_node) {
		if (rs->dump_id <= last)
			continue;
		err = rsk_nl_sock_fill(&d, rs);
		if (err)
			break;
		last = rs->dump_id;
	}
	spin_unlock_bh(&rnet->socks_lock);
	cb->args[0] = last;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* ---- the family ---- */

static const struct genl_ops rsk_genl_ops[] = {
	{
		.cmd	= RDMA_SOCK_CMD_INFO_GET,
		.doit	= rsk_nl_info_get,
	},
	{
		.cmd	= RDMA_SOCK_CMD_DEV_GET,
		.dumpit	= rsk_nl_dev_dump,
	},
	{
		.cmd	= RDMA_SOCK_CMD_LINK_GET,
		.dumpit	= rsk_nl_link_dump,
	},
	{
		.cmd	= RDMA_SOCK_CMD_SOCK_GET,
		.dumpit	= rsk_nl_sock_dump,
	},
	{
		.cmd	= RDMA_SOCK_CMD_STATS_GET,
		.doit	= rsk_nl_stats_get,
	},
};

static struct genl_family rsk_genl_family __ro_after_init = {
	.name		= RDMA_SOCK_GENL_NAME,
	.version	= RDMA_SOCK_GENL_VERSION,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= rsk_genl_ops,
	.n_ops		= ARRAY_SIZE(rsk_genl_ops),
	.parallel_ops	= true,
};

int rsk_netlink_init(void)
{
	return genl_register_family(&rsk_genl_family);
}

void rsk_netlink_exit(void)
{
	genl_unregister_family(&rsk_genl_family);
}
