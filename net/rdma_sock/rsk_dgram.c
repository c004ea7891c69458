// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: datagram sockets, socket layer.
 *
 * What UDP's socket layer does, for AF_RDMA_DGRAM: ports in a table of
 * the namespace's own (separate from the stream ports, as UDP's are from
 * TCP's), connect() choosing a default peer and the source address the
 * route gives, and received datagrams kept as skbs on sk_receive_queue so
 * that the core's datagram helpers give recvmsg(), recvmmsg(), poll(),
 * MSG_PEEK, MSG_TRUNC, timeouts and the SO_RXQ_OVFL drop count exactly
 * their UDP meaning.  Carrying the datagrams over UD queue pairs is the
 * transport's business (rsk_ud.c), which hands received ones to
 * rsk_dgram_deliver(), registered with it at init (rsk_dgram_init()).
 */
#include <linux/net.h>
#include <linux/rdma_sock.h>
#include <asm/ioctls.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/addrconf.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "rsk.h"

/*
 * A socket with a port is one the namespace's datagram transport serves:
 * peers can then resolve the namespace's endpoints.  lock_sock held.
 */
int rsk_dgram_use_ud(struct rsk_sock *rs)
{
	int err;

	sock_owned_by_me(&rs->sk);

	if (rsk_dgram(rs)->ud_user)
		return 0;
	err = rsk_ud_users_get(rs->rnet);
	if (!err)
		rsk_dgram(rs)->ud_user = true;
	return err;
}

/*
 * bind() took a port (rsk_sock_bind()): a datagram socket needs the
 * transport too, and without it (its SIDR port taken?) lets the port go.
 * lock_sock held.
 */
int rsk_dgram_bound(struct rsk_sock *rs)
{
	int err;

	err = rsk_dgram_use_ud(rs);
	if (err)
		rsk_unbind_port(rs);
	else
		rs->sk.sk_userlocks |= SOCK_BINDPORT_LOCK;
	return err;
}

/*
 * The source address a datagram to @peer leaves from, as UDP's connect()
 * takes it from the route: 0, or -ENETUNREACH when there is none.
 */
static int rsk_dgram_route_src(struct net *net, const struct rsk_addr *peer,
			       struct rsk_addr *src)
{
	memset(src, 0, sizeof(*src));
	src->family = peer->family;
	src->v4mapped = peer->v4mapped;
	if (peer->family == AF_INET) {
		struct flowi4 fl4 = { .daddr = peer->v4 };
		struct rtable *rt;

		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return -ENETUNREACH;
		src->v4 = fl4.saddr;
		ip_rt_put(rt);
		return 0;
	}
#if IS_ENABLED(CONFIG_IPV6)
	{
		struct flowi6 fl6 = {
			.daddr = peer->v6,
			.flowi6_oif = peer->scope_id,
		};
		struct dst_entry *dst;
		int err;

		dst = ip6_route_output(net, NULL, &fl6);
		err = dst->error;
		if (!err)
			err = ipv6_dev_get_saddr(net, ip6_dst_idev(dst)->dev,
						 &peer->v6, 0, &src->v6);
		dst_release(dst);
		if (err)
			return -ENETUNREACH;
		src->scope_id = peer->scope_id;
		return 0;
	}
#else
	return -ENETUNREACH;
#endif
}

/* As udp_disconnect(): forget the peer; an implicit port goes too. */
static void rsk_dgram_disconnect(struct rsk_sock *rs)
{
	struct sock *sk = &rs->sk;

	sk->sk_state = TCP_CLOSE;
	memset(&rs->peer, 0, sizeof(rs->peer));
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
		rsk_unbind_port(rs);
	else if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK))
		rsk_bind_set_addr(rs, NULL);
}

static int rsk_dgram_connect(struct socket *sock, struct sockaddr *uaddr,
			     int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs = rsk_sk(sk);
	struct rsk_addr peer, src;
	int err;

	if (addr_len >= (int)sizeof(uaddr->sa_family) &&
	    uaddr->sa_family == AF_UNSPEC) {
		lock_sock(sk);
		rsk_dgram_disconnect(rs);
		release_sock(sk);
		return 0;
	}
	err = rsk_addr_parse(uaddr, addr_len, &peer);
	if (err)
		return err;
	if (peer.family == AF_UNSPEC)
		return -EAFNOSUPPORT;

	lock_sock(sk);
	if (rs->bound && rs->local.family != peer.family &&
	    !(rs->local.family == AF_INET6 && rsk_addr_is_any(&rs->local))) {
		err = -EAFNOSUPPORT;
		goto out;
	}
	err = -ENETUNREACH;	/* as udpv6's: no IPv4 for an IPv6-only socket */
	if (rsk_sock_v4_refused(rs, &peer))
		goto out;
	err = rsk_dgram_route_src(sock_net(sk), &peer, &src);
	if (err)
		goto out;
	if (!rs->bound) {
		err = rsk_autobind(rs, &peer);
		if (err)
			goto out;
	}
	/* Reachable at once: its peer may speak first. */
	err = rsk_dgram_use_ud(rs);
	if (err) {
		if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			rsk_unbind_port(rs);
		goto out;
	}
	/* A socket bound to the wildcard now sends from the route's address. */
	if (rsk_addr_is_any(&rs->local))
		rsk_bind_set_addr(rs, &src);
	rs->peer = peer;
	sk->sk_state = TCP_ESTABLISHED;
out:
	release_sock(sk);
	return err;
}

/* As udp's: a connected socket shuts down; an unconnected one cannot. */
static int rsk_dgram_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	how++;		/* SHUT_RD -> RCV_SHUTDOWN, and so on */
	if (how <= 0 || how > SHUTDOWN_MASK)
		return -EINVAL;
	lock_sock(sk);
	if (sk->sk_state != TCP_ESTABLISHED)
		err = -ENOTCONN;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

/* FIONREAD/SIOCINQ: the next datagram's length, as UDP's first_packet_length(). */
static int rsk_dgram_ioctl(struct socket *sock, unsigned int cmd,
			   unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	int amount = 0;

	switch (cmd) {
	case SIOCINQ:
		spin_lock_bh(&sk->sk_receive_queue.lock);
		skb = skb_peek(&sk->sk_receive_queue);
		if (skb)
			amount = skb->len;
		spin_unlock_bh(&sk->sk_receive_queue.lock);
		break;
	case SIOCOUTQ:
		amount = sk_wmem_alloc_get(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(amount, (int __user *)arg);
}

/*
 * What a datagram to @to needs: for a group, the address it leaves from
 * and whether the sender's own host hears it (IP_MULTICAST_LOOP).  UDP
 * sends broadcasts with SO_BROADCAST only; UD has no broadcast at all.
 */
static int rsk_dgram_send_to(struct rsk_sock *rs, const struct rsk_addr *to,
			     struct rsk_addr *src, u8 *flags)
{
	bool loop;

	if (to->family == AF_INET && ipv4_is_lbcast(to->v4))
		return sock_flag(&rs->sk, SOCK_BROADCAST) ? -EOPNOTSUPP :
							    -EACCES;
	if (!rsk_addr_is_multicast(to))
		return 0;
	/*
	 * As Linux's: an IPv6 socket (here: one that names addresses as
	 * sockaddr_in6) follows IPV6_MULTICAST_LOOP, IPv4-mapped groups too.
	 */
	loop = to->family == AF_INET && !to->v4mapped ? rsk_dgram(rs)->mc_loop :
							rsk_dgram(rs)->mc6_loop;
	if (!loop)
		*flags |= RSK_DGRAM_NOLOOP;
	return rsk_mc_send_src(rs, to, src);
}

/*
 * A datagram to a loopback address (127.0.0.0/8, ::1), which no RDMA
 * device carries: delivered here, in the sender's namespace, as UDP's
 * over lo.  It leaves from the socket's address, or for a socket bound to
 * the wildcard from the route's (127.0.0.1, ::1), and counts against the
 * sender's SO_SNDBUF until the receiver queues it.  lock_sock held.
 */
static int rsk_dgram_send_loopback(struct rsk_sock *rs,
				   const struct rsk_addr *to,
				   struct msghdr *msg, size_t len)
{
	struct sock *sk = &rs->sk;
	struct rsk_addr *src;
	struct sk_buff *skb;
	int err;

	if (len > rsk_dgram_max(to))
		return -EMSGSIZE;
	skb = sock_alloc_send_skb(sk, len, msg->msg_flags & MSG_DONTWAIT, &err);
	if (!skb)
		return err;
	err = memcpy_from_msg(skb_put(skb, len), msg, len);
	if (err)
		goto drop;
	src = &RSK_DGRAM_CB(skb)->src;
	if (rsk_addr_is_any(&rs->local)) {
		err = rsk_dgram_route_src(sock_net(sk), to, src);
		if (err)
			goto drop;
	} else {
		*src = rs->local;
	}
	src->port = rs->local.port;
	rsk_event(rs->rnet, RSK_EV_DGRAM_LOOPBACK);
	rsk_dgram_deliver(rs->rnet, to, to->port, skb);
	return len;

drop:
	kfree_skb(skb);
	return err;
}

/*
 * As udp_sendmsg(): to msg_name, or to the connected peer; an unbound
 * socket gets a port first.  One call, one datagram.
 */
static int rsk_dgram_sendmsg(struct socket *sock, struct msghdr *msg,
			     size_t len)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs = rsk_sk(sk);
	struct rsk_addr to, src = {};
	u8 flags = 0;
	int err;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	lock_sock(sk);
	if (msg->msg_name) {
		err = rsk_addr_parse(msg->msg_name, msg->msg_namelen, &to);
		if (err)
			goto out;
		err = -EAFNOSUPPORT;
		if (to.family == AF_UNSPEC)
			goto out;
		err = -EINVAL;
		if (!to.port)
			goto out;
		err = -ENETUNREACH;
		if (rsk_sock_v4_refused(rs, &to))
			goto out;
	} else {
		err = -EDESTADDRREQ;
		if (sk->sk_state != TCP_ESTABLISHED)
			goto out;
		to = rs->peer;
	}
	err = -EPIPE;
	if (sk->sk_shutdown & SEND_SHUTDOWN)
		goto out;
	err = rsk_dgram_send_to(rs, &to, &src, &flags);
	if (err)
		goto out;
	err = rsk_autobind(rs, &to);
	if (err)
		goto out;
	err = rsk_dgram_use_ud(rs);
	if (err) {
		if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK) &&
		    sk->sk_state != TCP_ESTABLISHED)
			rsk_unbind_port(rs);
		goto out;
	}
	if (rsk_addr_is_loopback(&to))
		err = rsk_dgram_send_loopback(rs, &to, msg, len);
	else
		err = rsk_ud_send(rs, &to, &src, flags, msg, len);
out:
	release_sock(sk);
	return err;
}

/*
 * Whether a datagram for @dst (port aside) from @src is for @rs, bound to
 * the port: its address is the wildcard of a fitting family or @dst, and
 * a connected socket takes its peer's datagrams only.
 */
static bool rsk_dgram_match(const struct rsk_sock *rs,
			    const struct rsk_addr *dst,
			    const struct rsk_addr *src)
{
	const struct rsk_addr *local = &rs->local;

	if (rsk_addr_is_any(local)) {
		if (local->family != dst->family &&
		    (local->family != AF_INET6 || rs->sk.sk_ipv6only))
			return false;
	} else if (!rsk_addr_same_host(local, dst)) {
		return false;
	}
	if (READ_ONCE(rs->sk.sk_state) == TCP_ESTABLISHED &&
	    (!rsk_addr_same_host(&rs->peer, src) ||
	     rs->peer.port != src->port))
		return false;
	return true;
}

/* The bind table bucket of datagram sockets on @port; bind_lock held. */
static struct hlist_head *rsk_dgram_bucket(struct rsk_net *rnet, __be16 port)
{
	return &rnet->dgram_hash[hash_32((__force u32)port, RSK_BIND_HASH_BITS)];
}

/* Queue @skb on @rs, or drop and count it; the socket is held. */
static void rsk_dgram_queue(struct rsk_net *rnet, struct rsk_sock *rs,
			    struct sk_buff *skb)
{
	struct rsk_addr *src = &RSK_DGRAM_CB(skb)->src;

	/* The source as the socket names addresses: mapped for IPv6 ones. */
	if (src->family == AF_INET)
		src->v4mapped = rs->local.family == AF_INET6 ||
				rs->local.v4mapped;
	/* SO_RCVBUF is the socket layer's to check; rmem_max is ours. */
	if (atomic_read(&rs->sk.sk_rmem_alloc) >= rsk_rcvbuf(rs)) {
		sk_drops_add(&rs->sk, skb);
		rsk_event(rnet, RSK_EV_DGRAM_RCVBUF_DROPS);
		kfree_skb(skb);
		return;
	}
	if (sock_queue_rcv_skb(&rs->sk, skb)) {
		rsk_event(rnet, RSK_EV_DGRAM_RCVBUF_DROPS);
		kfree_skb(skb);
	}
}

/*
 * A group's datagram goes, as UDP's, to every socket bound to its port
 * and to the wildcard or the group: a copy each.  The namespace only
 * hears groups some socket of it joined, on the device it came in.
 */
static void rsk_dgram_deliver_mc(struct rsk_net *rnet,
				 const struct rsk_addr *dst, __be16 dst_port,
				 struct sk_buff *skb)
{
	struct rsk_addr *src = &RSK_DGRAM_CB(skb)->src;
	struct rsk_sock *rs, *prev = NULL;
	struct sk_buff *copy;

	spin_lock_bh(&rnet->bind_lock);
	hlist_for_each_entry(rs, rsk_dgram_bucket(rnet, dst_port), bind_node) {
		if (rs->local.port != dst_port || !rsk_dgram_match(rs, dst, src))
			continue;
		if (prev) {
			copy = skb_clone(skb, GFP_ATOMIC);
			if (copy)
				rsk_dgram_queue(rnet, prev, copy);
			else
				rsk_event(rnet, RSK_EV_DGRAM_RX_NOMEM);
		}
		prev = rs;
	}
	if (prev)
		rsk_dgram_queue(rnet, prev, skb);
	spin_unlock_bh(&rnet->bind_lock);
	if (!prev) {
		rsk_event(rnet, RSK_EV_DGRAM_NO_PORT);
		kfree_skb(skb);
	}
}

/**
 * rsk_dgram_deliver - hand a received datagram to the socket it is for
 * @rnet: the namespace it arrived in
 * @dst: the address it was sent to (port ignored)
 * @dst_port: the port it was sent to
 * @skb: the datagram; its cb holds the source.  Consumed.
 *
 * Softirq.  A full receive buffer drops it and counts it, in the socket's
 * drop count (SO_RXQ_OVFL) and in dgram_rcvbuf_drops.
 */
void rsk_dgram_deliver(struct rsk_net *rnet, const struct rsk_addr *dst,
		       __be16 dst_port, struct sk_buff *skb)
{
	struct rsk_addr *src = &RSK_DGRAM_CB(skb)->src;
	struct rsk_sock *rs, *best = NULL;

	if (rsk_addr_is_multicast(dst)) {
		rsk_dgram_deliver_mc(rnet, dst, dst_port, skb);
		return;
	}
	spin_lock_bh(&rnet->bind_lock);
	hlist_for_each_entry(rs, rsk_dgram_bucket(rnet, dst_port), bind_node) {
		if (rs->local.port != dst_port || !rsk_dgram_match(rs, dst, src))
			continue;
		/* A socket bound to the address before one on the wildcard. */
		if (!best || rsk_addr_is_any(&best->local))
			best = rs;
	}
	if (best)
		sock_hold(&best->sk);	/* the caller puts it */
	spin_unlock_bh(&rnet->bind_lock);
	if (!best) {
		rsk_event(rnet, RSK_EV_DGRAM_NO_PORT);
		kfree_skb(skb);
		return;
	}
	rsk_dgram_queue(rnet, best, skb);
	sock_put(&best->sk);
}

/*
 * As udp_recvmsg(): one datagram per call, its source in msg_name, the
 * rest of a datagram longer than the buffer discarded (MSG_TRUNC says so,
 * and with MSG_TRUNC given the real length is returned).
 */
static int rsk_dgram_recvmsg(struct socket *sock, struct msghdr *msg,
			     size_t len, int flags)
{
	struct sock *sk = sock->sk;
	struct rsk_dgram_cb *cb;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & (MSG_OOB | MSG_ERRQUEUE))
		return -EOPNOTSUPP;
	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;
	copied = min_t(size_t, len, skb->len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (err)
		goto out;
	sock_recv_cmsgs(msg, sk, skb);
	cb = RSK_DGRAM_CB(skb);
	if (msg->msg_name)
		msg->msg_namelen = rsk_addr_format(&cb->src,
						   msg->msg_name);
	err = (flags & MSG_TRUNC) ? skb->len : copied;
out:
	skb_free_datagram(sk, skb);
	return err;
}

/*
 * Options beyond SOL_SOCKET (which the socket layer handles): IP's and
 * IPv6's multicast ones (rsk_ud_mcast.c); no other is UDP's and ours.
 */
static int rsk_dgram_setsockopt(struct socket *sock, int level, int optname,
				sockptr_t optval, unsigned int optlen)
{
	if (level == SOL_IPV6 && optname == IPV6_V6ONLY)
		return rsk_sock_set_v6only(sock->sk, optval, optlen);
	return rsk_mc_setsockopt(rsk_sk(sock->sk), level, optname, optval,
				 optlen);
}

static int rsk_dgram_getsockopt(struct socket *sock, int level, int optname,
				char __user *optval, int __user *optlen)
{
	if (level == SOL_IPV6 && optname == IPV6_V6ONLY)
		return rsk_sock_get_v6only(sock->sk, optval, optlen);
	return rsk_mc_getsockopt(rsk_sk(sock->sk), level, optname, optval,
				 optlen);
}

/* release(): the port is free again at once, as UDP's; groups are left. */
static int rsk_dgram_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs;

	if (!sk)
		return 0;
	rs = rsk_sk(sk);
	lock_sock(sk);
	sk->sk_state = TCP_CLOSE;
	rsk_mc_sock_release(rs);
	rsk_unbind_port(rs);
	if (rsk_dgram(rs)->ud_user)
		rsk_ud_users_put(rs->rnet);
	rsk_dgram(rs)->ud_user = false;
	rsk_sock_release_finish(sock);
	return 0;
}

const struct proto_ops rsk_dgram_ops = {
	.family		= AF_RDMA_DGRAM,
	.owner		= THIS_MODULE,
	.release	= rsk_dgram_release,
	.bind		= rsk_sock_bind,
	.connect	= rsk_dgram_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= rsk_sock_getname,
	.poll		= datagram_poll,
	.ioctl		= rsk_dgram_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= rsk_dgram_shutdown,
	.setsockopt	= rsk_dgram_setsockopt,
	.getsockopt	= rsk_dgram_getsockopt,
	.sendmsg	= rsk_dgram_sendmsg,
	.recvmsg	= rsk_dgram_recvmsg,
	.mmap		= sock_no_mmap,
};

struct proto rsk_dgram_proto = {
	.name		= "RDMA_DGRAM",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct rsk_dgram_sock),
};

/* A new datagram socket's own part, from rsk_sock_init(). */
void rsk_dgram_sock_init(struct sock *sk)
{
	sk->sk_destruct = rsk_sock_destruct;
	sk->sk_protocol = IPPROTO_UDP;
	rsk_mc_sock_init(rsk_sk(sk));
}

/* Received datagrams come here from the transport: once at module init. */
void rsk_dgram_init(void)
{
	rsk_ud_register_deliver(rsk_dgram_deliver);
}
