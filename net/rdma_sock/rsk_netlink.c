// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: the "rdma_sock" generic netlink family.
 *
 * What rdmasockctl shows: the module, the bound devices, the caller's
 * namespace's links and sockets, and the counters; and the namespace's
 * acceleration rules (rsk_policy.c), the one thing edited here, which
 * needs CAP_NET_ADMIN over the namespace as sysctls (rsk_sysctl.c) do.
 * Malformed rules are refused with a message and counted
 * (policy_rejected).  As with ss and inet_diag, an unprivileged caller
 * sees every socket of its namespace, the owner's uid and inode included.
 * Devices serve the whole host: a namespace is shown those it may use, and
 * the drivers' hardware counters (whose reading may sleep in firmware,
 * under the global device lock) only to CAP_NET_ADMIN of the host.
 * Dumps are ordinary netlink dumps, resumed where the last message
 * stopped: by position for devices and links (few, and listed in the
 * order they were made; rules likewise, in the order they are tried), by
 * a socket's dump_id for sockets (thousands,
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

/*
 * Whether the caller may read what the devices' drivers count: host-wide
 * figures, read from the driver (or its firmware) each time.
 */
static bool rsk_nl_host_admin(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_NET_ADMIN);
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
	if (!hdr || rsk_stats_nl_fill(msg, rnet, rsk_nl_host_admin(skb))) {
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
	bool host_admin;	/* rsk_nl_host_admin() */
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

static int rsk_nl_dev_rnr_one(const char *name, u64 value, void *arg)
{
	return rsk_stat_put(arg, name, RDMA_SOCK_STAT_DEVICE, value, value);
}

/* Under rsk_devices_lock, in process context: the driver may sleep. */
static int rsk_nl_dev_rnr(struct sk_buff *skb, struct rsk_device *rdev)
{
	struct nlattr *nest = nla_nest_start(skb, RDMA_SOCK_DEV_RNR);

	if (!nest)
		return -EMSGSIZE;
	if (rsk_dev_rnr_counters(rdev, rsk_nl_dev_rnr_one, skb)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
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
	      nla_put_u8(d->skb, RDMA_SOCK_DEV_DYING, READ_ONCE(rdev->dying)) ||
	      (d->host_admin && rsk_nl_dev_rnr(d->skb, rdev));
	return rsk_nl_dump_end(d, hdr, nest, err);
}

static int rsk_nl_dev_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rsk_nl_dump d = {
		.skb = skb, .cb = cb, .net = sock_net(skb->sk),
		.host_admin = rsk_nl_host_admin(cb->skb),
	};
	long pos = cb->args[0];
	int err;

	err = rsk_dev_walk(&pos, d.net, rsk_nl_dev_fill, &d);
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
	/* Still being set up, as userspace has always been told. */
	[RSK_LINK_PROVING]	= RDMA_SOCK_LINK_CONNECTING,
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
	*recvq = READ_ONCE(rsk_stream(rs)->rcv_queued);
	*sendq = READ_ONCE(rsk_stream(rs)->wq_bytes) +
		 READ_ONCE(rsk_stream(rs)->inflight_bytes);
}

/* Not through rs->link: the socket may hold the link's last reference. */
static int rsk_nl_stream_ids(struct sk_buff *skb, struct rsk_stream_sock *rs)
{
	u32 chan = READ_ONCE(rs->chan.id);

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
static int rsk_nl_sock_fill(struct rsk_sock *rs, void *arg)
{
	struct rsk_nl_dump *d = arg;
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
	      (rs->kind == RSK_KIND_STREAM &&
	       rsk_nl_stream_ids(d->skb, rsk_stream(rs))) ||
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
	u64 last = cb->args[0];
	int err;

	err = rsk_sock_walk(rsk_net(sock_net(skb->sk)), &last,
			    rsk_nl_sock_fill, &d);
	cb->args[0] = last;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* ---- acceleration rules ---- */

static const struct nla_policy rsk_nl_rule_policy[RDMA_SOCK_POLICY_MAX + 1] = {
	[RDMA_SOCK_POLICY_ID]		= { .type = NLA_U32 },
	[RDMA_SOCK_POLICY_PRIO]		= { .type = NLA_U32 },
	[RDMA_SOCK_POLICY_ACTION]	= NLA_POLICY_RANGE(NLA_U8,
							   RDMA_SOCK_POLICY_ACCEL,
							   RDMA_SOCK_POLICY_PASS),
	[RDMA_SOCK_POLICY_TYPE]		= { .type = NLA_U16 },
	[RDMA_SOCK_POLICY_FAMILY]	= { .type = NLA_U16 },
	[RDMA_SOCK_POLICY_DST]		= { .type = NLA_BINARY, .len = 16 },
	[RDMA_SOCK_POLICY_DST_PREFIX]	= NLA_POLICY_MAX(NLA_U8, 128),
	[RDMA_SOCK_POLICY_DPORT_MIN]	= { .type = NLA_U16 },
	[RDMA_SOCK_POLICY_DPORT_MAX]	= { .type = NLA_U16 },
	[RDMA_SOCK_POLICY_PROGRAM]	= { .type = NLA_NUL_STRING,
					    .len = TASK_COMM_LEN - 1 },
};

/*
 * The nest is parsed here, not by the family's policy, so that what is
 * refused is counted with what rsk_policy_parse() refuses.
 */
static const struct nla_policy rsk_nl_policy[RDMA_SOCK_A_MAX + 1] = {
	[RDMA_SOCK_A_POLICY]	= { .type = NLA_NESTED },
};

static int rsk_nl_policy_fill(struct sk_buff *skb,
			      const struct rsk_policy *rule)
{
	struct nlattr *nest = nla_nest_start(skb, RDMA_SOCK_A_POLICY);
	int len = rule->family == AF_INET ? 4 : 16;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, RDMA_SOCK_POLICY_ID, rule->id) ||
	    nla_put_u32(skb, RDMA_SOCK_POLICY_PRIO, rule->prio) ||
	    nla_put_u8(skb, RDMA_SOCK_POLICY_ACTION, rule->action) ||
	    (rule->type && nla_put_u16(skb, RDMA_SOCK_POLICY_TYPE, rule->type)) ||
	    (rule->family &&
	     (nla_put_u16(skb, RDMA_SOCK_POLICY_FAMILY, rule->family) ||
	      nla_put(skb, RDMA_SOCK_POLICY_DST, len, rule->dst) ||
	      nla_put_u8(skb, RDMA_SOCK_POLICY_DST_PREFIX, rule->prefix))) ||
	    nla_put_u16(skb, RDMA_SOCK_POLICY_DPORT_MIN, rule->dport_min) ||
	    nla_put_u16(skb, RDMA_SOCK_POLICY_DPORT_MAX, rule->dport_max) ||
	    (rule->program[0] &&
	     nla_put_string(skb, RDMA_SOCK_POLICY_PROGRAM, rule->program))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int rsk_nl_policy_dump_one(const struct rsk_policy *rule, void *arg)
{
	struct rsk_nl_dump *d = arg;
	void *hdr;

	hdr = rsk_nl_dump_start(d, RDMA_SOCK_CMD_POLICY_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (rsk_nl_policy_fill(d->skb, rule)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

static int rsk_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rsk_nl_dump d = { .skb = skb, .cb = cb };
	long pos = cb->args[0];
	int err;

	err = rsk_policy_walk(rsk_net(sock_net(skb->sk)), &pos,
			      rsk_nl_policy_dump_one, &d);
	cb->args[0] = pos;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* The request's rule attributes into @tb; NULL ones when it has none. */
static int rsk_nl_policy_attrs(struct genl_info *info, struct nlattr **tb)
{
	struct nlattr *nest = info->attrs[RDMA_SOCK_A_POLICY];

	memset(tb, 0, sizeof(*tb) * (RDMA_SOCK_POLICY_MAX + 1));
	if (!nest)
		return 0;
	return nla_parse_nested(tb, RDMA_SOCK_POLICY_MAX, nest,
				rsk_nl_rule_policy, info->extack);
}

static int rsk_nl_policy_reply(struct genl_info *info,
			       const struct rsk_policy *rule)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &rsk_genl_family, 0,
				RDMA_SOCK_CMD_POLICY_ADD);
	if (!hdr || rsk_nl_policy_fill(msg, rule)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int rsk_nl_policy_add(struct sk_buff *skb, struct genl_info *info)
{
	struct rsk_net *rnet = rsk_net(genl_info_net(info));
	struct nlattr *tb[RDMA_SOCK_POLICY_MAX + 1];
	struct rsk_policy rule;
	int err;

	err = rsk_nl_policy_attrs(info, tb);
	if (!err && tb[RDMA_SOCK_POLICY_ID]) {
		NL_SET_ERR_MSG(info->extack, "the module gives rules their ids");
		err = -EINVAL;
	}
	if (!err)
		err = rsk_policy_parse(&rule, tb, info->extack);
	if (!err)
		err = rsk_policy_add(rnet, &rule, info->extack);
	if (err) {
		rsk_event(rnet, RSK_EV_POLICY_REJECTED);
		return err;
	}
	/* The rule is in: a reply that cannot be sent does not undo it. */
	rsk_nl_policy_reply(info, &rule);
	return 0;
}

/* With a rule id, that rule; with none, every rule of the namespace. */
static int rsk_nl_policy_del(struct sk_buff *skb, struct genl_info *info)
{
	struct rsk_net *rnet = rsk_net(genl_info_net(info));
	struct nlattr *tb[RDMA_SOCK_POLICY_MAX + 1];
	u32 id = 0;
	int err;

	err = rsk_nl_policy_attrs(info, tb);
	if (!err && info->attrs[RDMA_SOCK_A_POLICY]) {
		if (tb[RDMA_SOCK_POLICY_ID])
			id = nla_get_u32(tb[RDMA_SOCK_POLICY_ID]);
		if (!id) {
			NL_SET_ERR_MSG(info->extack, "which rule: an id");
			err = -EINVAL;
		}
	}
	if (err) {
		rsk_event(rnet, RSK_EV_POLICY_REJECTED);
		return err;
	}
	err = rsk_policy_del(rnet, id);
	if (err)
		NL_SET_ERR_MSG(info->extack, "no rule with that id");
	return err;
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
	{
		.cmd	= RDMA_SOCK_CMD_POLICY_GET,
		.dumpit	= rsk_nl_policy_dump,
	},
	{
		.cmd	= RDMA_SOCK_CMD_POLICY_ADD,
		.doit	= rsk_nl_policy_add,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= RDMA_SOCK_CMD_POLICY_DEL,
		.doit	= rsk_nl_policy_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family rsk_genl_family __ro_after_init = {
	.name		= RDMA_SOCK_GENL_NAME,
	.version	= RDMA_SOCK_GENL_VERSION,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.policy		= rsk_nl_policy,
	.maxattr	= RDMA_SOCK_A_MAX,
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
