// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: sockets over RDMA as a Linux address family.
 *
 * Implementation notes
 * --------------------
 *
 * Kinds of object.  A struct rsk_sock is one socket of the family; its
 * kind (stream or datagram) is fixed by socket() and selects one of two
 * proto_ops tables.  A struct rsk_device (rsk_dev.c) is one RDMA device the
 * module has bound through its ib_client.  Later layers add links (one RC
 * QP pair between two hosts, shared by many stream sockets), link groups
 * and channels; Documentation/networking/rdma_sock.rst describes them.
 *
 * Global tables.  rsk_devices (rsk_dev.c), under rsk_devices_lock.  The
 * object counters (rsk_stats.c) are atomics and need no lock.
 *
 * Lifetimes.  A socket lives from rsk_create() to the last sock_put(); its
 * struct sock holds a reference on this module through the proto's owner,
 * and its struct socket through proto_ops.owner, so rmmod is refused while
 * any socket exists.  A device lives from the ib_client's add callback to
 * its remove callback, which waits for every reference to be dropped.
 *
 * Lock order.  lock_sock(sk) before rsk_devices_lock.
 *
 * sk_state.  Reuses the TCP_* values so that tools show familiar states:
 * a new socket is TCP_CLOSE.
 *
 * Init order.  Every table is ready before anything that can reach it is
 * published: protos, counters, the ib_client, and sock_register() last.
 * Exit undoes it in exactly the reverse order.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <asm/ioctls.h>
#include <net/tcp.h>
#include <linux/poll.h>
#include <linux/socket.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/rdma_sock.h>

#include "rsk.h"

int rsk_family = RDMA_SOCK_DEFAULT_FAMILY;
module_param_named(family, rsk_family, int, 0444);
MODULE_PARM_DESC(family,
		 "address family number to register (default 19); programs read it back here");

int rdma_sock_family(void)
{
	return rsk_family;
}
EXPORT_SYMBOL_GPL(rdma_sock_family);

static struct proto rsk_stream_proto = {
	.name		= "RDMA_STREAM",
	.owner		= THIS_MODULE,
	.keepalive	= rsk_cm_keepalive,
	.obj_size	= sizeof(struct rsk_sock),
};

static struct proto rsk_dgram_proto = {
	.name		= "RDMA_DGRAM",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct rsk_sock),
};

/**
 * rsk_sock_kind - what socket(family, type, protocol) opens
 * @type: the socket type, without SOCK_NONBLOCK and SOCK_CLOEXEC
 * @protocol: the protocol number
 *
 * A stream takes protocol 0 or IPPROTO_TCP, a datagram socket 0 or
 * IPPROTO_UDP, as inet sockets do, so that code written for TCP and UDP
 * can pass the protocol it always passed.
 *
 * Return: an enum rsk_kind, -ESOCKTNOSUPPORT for another type or
 * -EPROTONOSUPPORT for another protocol.
 */
int rsk_sock_kind(int type, int protocol)
{
	switch (type) {
	case SOCK_STREAM:
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		return RSK_KIND_STREAM;
	case SOCK_DGRAM:
		if (protocol && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		return RSK_KIND_DGRAM;
	default:
		return -ESOCKTNOSUPPORT;
	}
}
EXPORT_SYMBOL_IF_KUNIT(rsk_sock_kind);

static void rsk_sk_destruct(struct sock *sk)
{
	struct rsk_sock *rs = rsk_sk(sk);

	if (rs->kind == RSK_KIND_STREAM) {
		spin_lock_bh(&rs->lock);
		rsk_rx_purge(rs);
		rsk_tx_purge(rs);
		spin_unlock_bh(&rs->lock);
		rsk_unbind_port(rs);
		if (rs->link)
			rsk_link_put(rs->link);
		rs->link = NULL;
	}
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	spin_lock_bh(&rs->rnet->socks_lock);
	rb_erase(&rs->net_node, &rs->rnet->socks);
	spin_unlock_bh(&rs->rnet->socks_lock);
	rsk_obj_dec(rs->rnet, sockets);
}

static bool rsk_sock_id_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct rsk_sock, net_node)->dump_id <
	       rb_entry(b, struct rsk_sock, net_node)->dump_id;
}

/* The namespace's first socket whose dump_id is past @last; socks_lock. */
static struct rsk_sock *rsk_sock_after(struct rsk_net *rnet, u64 last)
{
	struct rb_node *node = rnet->socks.rb_node;
	struct rsk_sock *found = NULL;

	while (node) {
		struct rsk_sock *rs = rb_entry(node, struct rsk_sock, net_node);

		if (rs->dump_id > last) {
			found = rs;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return found;
}

/**
 * rsk_sock_walk - call @fn for the namespace's sockets after @*last
 * @rnet: the namespace
 * @last: the dump_id of the last socket an earlier walk took; advanced
 *	past each one @fn returns 0 for
 * @fn: called under socks_lock (the socket cannot be freed; its fields
 *	are to be read as a snapshot); nonzero stops the walk
 * @arg: for @fn
 *
 * Return: what @fn returned last, or 0.
 */
int rsk_sock_walk(struct rsk_net *rnet, u64 *last,
		  int (*fn)(struct rsk_sock *rs, void *arg), void *arg)
{
	struct rsk_sock *rs;
	struct rb_node *node;
	int err = 0;

	spin_lock_bh(&rnet->socks_lock);
	rs = rsk_sock_after(rnet, *last);
	for (node = rs ? &rs->net_node : NULL; node; node = rb_next(node)) {
		rs = rb_entry(node, struct rsk_sock, net_node);
		err = fn(rs, arg);
		if (err)
			break;
		*last = rs->dump_id;
	}
	spin_unlock_bh(&rnet->socks_lock);
	return err;
}

static void rsk_sock_init(struct sock *sk, enum rsk_kind kind)
{
	struct rsk_sock *rs = rsk_sk(sk);

	sk->sk_destruct = rsk_sk_destruct;
	sk->sk_state = TCP_CLOSE;
	rs->kind = kind;
	rs->rnet = rsk_net(sock_net(sk));
	spin_lock_init(&rs->lock);
	INIT_LIST_HEAD(&rs->link_node);
	INIT_LIST_HEAD(&rs->rx_queue);
	INIT_LIST_HEAD(&rs->write_queue);
	INIT_LIST_HEAD(&rs->accept_queue);
	INIT_LIST_HEAD(&rs->accept_node);
	rsk_cm_listener_init(rs);
	rsk_cm_timer_init(rs);
	rsk_mc_sock_init(rs);
	if (kind == RSK_KIND_STREAM) {
		sk->sk_protocol = IPPROTO_TCP;
		sk->sk_write_space = rsk_tx_write_space;
	} else {
		sk->sk_protocol = IPPROTO_UDP;
	}
	rsk_obj_inc(rs->rnet, sockets);
	/* Last: netlink dumps see it from here on. */
	spin_lock_bh(&rs->rnet->socks_lock);
	rs->dump_id = ++rs->rnet->next_sock_id;
	rb_add(&rs->net_node, &rs->rnet->socks, rsk_sock_id_less);
	spin_unlock_bh(&rs->rnet->socks_lock);
}

/**
 * rsk_sock_alloc_child - a socket for a connection a listener accepted
 * @listener: the listening socket
 * @gfp: GFP_ATOMIC: connect requests arrive in softirq
 *
 * The child takes the listener's buffer sizes and TCP options, as
 * TCP's children do.  Its one reference belongs to the accept queue.
 */
struct sock *rsk_sock_alloc_child(struct rsk_sock *listener, gfp_t gfp)
{
	struct sock *lsk = &listener->sk;
	struct rsk_sock *rs;
	struct sock *sk;

	sk = sk_alloc(sock_net(lsk), rsk_family, gfp, lsk->sk_prot,
		      !lsk->sk_net_refcnt);
	if (!sk)
		return NULL;
	sock_init_data(NULL, sk);
	sk->sk_type = SOCK_STREAM;
	rsk_sock_init(sk, RSK_KIND_STREAM);
	rs = rsk_sk(sk);
	sk->sk_rcvbuf = READ_ONCE(lsk->sk_rcvbuf);
	sk->sk_sndbuf = READ_ONCE(lsk->sk_sndbuf);
	sk->sk_userlocks = lsk->sk_userlocks;
	sk->sk_reuse = lsk->sk_reuse;
	sk->sk_rcvlowat = READ_ONCE(lsk->sk_rcvlowat);
	sk->sk_rcvtimeo = READ_ONCE(lsk->sk_rcvtimeo);
	sk->sk_sndtimeo = READ_ONCE(lsk->sk_sndtimeo);
	sk->sk_mark = READ_ONCE(lsk->sk_mark);
	sock_valbool_flag(sk, SOCK_KEEPOPEN, sock_flag(lsk, SOCK_KEEPOPEN));
	rs->nodelay = listener->nodelay;
	rs->keepidle = listener->keepidle;
	rs->keepintvl = listener->keepintvl;
	rs->keepcnt = listener->keepcnt;
	rs->parent = listener;
	return sk;
}

/* Free a child nobody accepted; its channel is already closed. */
void rsk_sock_destroy_child(struct rsk_sock *child)
{
	sock_set_flag(&child->sk, SOCK_DEAD);
	sock_put(&child->sk);		/* the accept queue's */
}

/* SO_LINGER with a timeout: wait for the FIN to leave, or for time. */
static void rsk_linger(struct sock *sk)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long timeo = READ_ONCE(sk->sk_lingertime);

	add_wait_queue(sk_sleep(sk), &wait);
	while (timeo && !signal_pending(current) &&
	       ((1 << sk->sk_state) & (TCPF_FIN_WAIT1 | TCPF_LAST_ACK)))
		sk_wait_event(sk, &timeo, !((1 << READ_ONCE(sk->sk_state)) &
			      (TCPF_FIN_WAIT1 | TCPF_LAST_ACK)), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
}

int rsk_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	lock_sock(sk);
	if (rsk_sk(sk)->kind == RSK_KIND_STREAM) {
		bool linger = sock_flag(sk, SOCK_LINGER);

		if (sk->sk_state == TCP_LISTEN) {
			rsk_cm_listen_close(rsk_sk(sk));
		} else {
			sk_stop_timer(sk, &sk->sk_timer);	/* keepalive */
			rsk_cm_close(rsk_sk(sk), linger && !sk->sk_lingertime);
			if (linger && sk->sk_lingertime)
				rsk_linger(sk);
			rsk_cm_orphan(rsk_sk(sk));
		}
	} else {
		rsk_dgram_release(rsk_sk(sk));
	}
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	sock_orphan(sk);
	release_sock(sk);

	sock->sk = NULL;
	sock_put(sk);	/* the socket's; the channel may hold another */
	return 0;
}

/* Give an unbound socket a port, on the wildcard of @like's family. */
int rsk_autobind(struct rsk_sock *rs, const struct rsk_addr *like)
{
	struct rsk_addr any = {};

	if (rs->bound)
		return 0;
	any.family = like ? like->family : AF_INET;
	any.v4mapped = like && like->v4mapped;
	return rsk_bind_port(rs, &any, false);
}

/**
 * rsk_bind_addr - check a bind() address as inet_bind() does
 * @sk: the socket
 * @uaddr: the user's address
 * @addr_len: its length
 * @group_ok: a multicast or broadcast address may be bound (datagrams)
 * @addr: the address, parsed
 *
 * Checked before anything else, so that a caller gets the errno TCP or
 * UDP would give: AF_UNSPEC means INADDR_ANY (IPv4 only), an address not
 * of this host EADDRNOTAVAIL, a privileged port without the capability
 * EACCES.  Return: 0 or -errno.
 */
int rsk_bind_addr(struct sock *sk, struct sockaddr *uaddr, int addr_len,
		  bool group_ok, struct rsk_addr *addr)
{
	int err;

	err = rsk_addr_parse(uaddr, addr_len, addr);
	if (err)
		return err;
	if (addr->family == AF_UNSPEC) {
		const struct sockaddr_in *sin = (const void *)uaddr;

		if (addr_len < (int)sizeof(*sin) || sin->sin_addr.s_addr)
			return -EAFNOSUPPORT;
		addr->family = AF_INET;
		addr->port = sin->sin_port;
	}
	if (rsk_addr_is_multicast(addr) ? !group_ok :
	    !rsk_addr_is_local(sock_net(sk), addr))
		return -EADDRNOTAVAIL;
	if (ntohs(addr->port) && ntohs(addr->port) < PROT_SOCK &&
	    !ns_capable(sock_net(sk)->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;
	return 0;
}

static int rsk_stream_bind(struct socket *sock, struct sockaddr *uaddr,
			   int addr_len)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs = rsk_sk(sk);
	struct rsk_addr addr;
	int err;

	err = rsk_bind_addr(sk, uaddr, addr_len, false, &addr);
	if (err)
		return err;

	lock_sock(sk);
	err = -EINVAL;
	if (rs->bound || sk->sk_state != TCP_CLOSE)
		goto out;
	err = rsk_bind_port(rs, &addr, sk->sk_reuse);
out:
	release_sock(sk);
	return err;
}

static int rsk_stream_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs = rsk_sk(sk);
	int err = -EINVAL;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED)
		goto out;
	if (sk->sk_state == TCP_LISTEN) {
		WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
		err = 0;
		goto out;
	}
	if (sk->sk_state != TCP_CLOSE)
		goto out;
	err = rsk_autobind(rs, NULL);
	if (err)
		goto out;
	/* SO_REUSEADDR shares a port, but only one socket may listen on it. */
	err = rsk_listen_conflict(rs);
	if (err)
		goto out;
	err = rsk_link_listen_get(rs->rnet);
	if (err)
		goto out;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	sk->sk_ack_backlog = 0;
	spin_lock_bh(&rs->lock);
	sk->sk_state = TCP_LISTEN;
	spin_unlock_bh(&rs->lock);
out:
	release_sock(sk);
	return err;
}

static bool rsk_accept_ready(struct rsk_sock *rs)
{
	return !list_empty(&rs->accept_queue) ||
	       READ_ONCE(rs->sk.sk_state) != TCP_LISTEN;
}

/* Take the first accepted child, waiting for one; lock_sock held. */
static struct rsk_sock *rsk_accept_wait(struct rsk_sock *rs, bool nonblock,
					int *err)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &rs->sk;
	long timeo = sock_rcvtimeo(sk, nonblock);
	struct rsk_sock *child = NULL;

	add_wait_queue_exclusive(sk_sleep(sk), &wait);
	for (;;) {
		*err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			break;
		child = rsk_cm_accept_pop(rs);
		if (child)
			break;
		*err = -EAGAIN;
		if (!timeo)
			break;
		*err = sock_intr_errno(timeo);
		if (signal_pending(current))
			break;
		sk_wait_event(sk, &timeo, rsk_accept_ready(rs), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return child;
}

static int rsk_stream_accept_common(struct socket *sock,
				    struct socket *newsock, int flags)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *child;
	int err;

	lock_sock(sk);
	child = rsk_accept_wait(rsk_sk(sk), flags & O_NONBLOCK, &err);
	if (child)
		rsk_cm_promote(rsk_sk(sk));	/* room for a held request */
	release_sock(sk);
	if (!child)
		return err;

	lock_sock(&child->sk);
	child->parent = NULL;
	sock_graft(&child->sk, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(&child->sk);
	return 0;
}

#ifdef RSK_HAVE_PROTO_ACCEPT_ARG	/* 6.10 on: see Kbuild */
static int rsk_stream_accept(struct socket *sock, struct socket *newsock,
			     struct proto_accept_arg *arg)
{
	return rsk_stream_accept_common(sock, newsock, arg->flags);
}
#else
static int rsk_stream_accept(struct socket *sock, struct socket *newsock,
			     int flags, bool kern)
{
	return rsk_stream_accept_common(sock, newsock, flags);
}
#endif

static int rsk_stream_connect(struct socket *sock, struct sockaddr *uaddr,
			      int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs = rsk_sk(sk);
	struct rsk_addr addr;
	long timeo;
	int err;

	err = rsk_addr_parse(uaddr, addr_len, &addr);
	if (err)
		return err;

	lock_sock(sk);
	switch (sock->state) {
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		err = -EALREADY;
		break;	/* a blocking call waits below, as TCP's does */
	default:
		err = -EISCONN;
		if (sk->sk_state != TCP_CLOSE)
			goto out;
		err = -EAFNOSUPPORT;
		if (addr.family == AF_UNSPEC)
			goto out;
		err = -ENETUNREACH;
		if (rsk_addr_is_multicast(&addr))
			goto out;
		err = -ECONNREFUSED;
		if (!addr.port)
			goto out;
		err = rsk_autobind(rs, &addr);
		if (err)
			goto out;
		err = rsk_cm_connect(rs, &addr);
		if (err)
			goto out;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		/*
		 * As TCP: a non-blocking connect reports EINPROGRESS even
		 * when the answer already came (over a link to this host the
		 * whole exchange can run in the softirq of the first send).
		 */
		if (flags & O_NONBLOCK)
			goto out;
		break;
	}

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if (sk->sk_state == TCP_SYN_SENT) {
		if (!timeo)
			goto out;	/* -EINPROGRESS or -EALREADY */
		err = rsk_cm_wait_connect(rs, &timeo);
		if (err == -EAGAIN)
			err = -EINPROGRESS;	/* SO_SNDTIMEO ran out */
		if (err) {
			if (sk->sk_state == TCP_CLOSE)
				sock->state = SS_UNCONNECTED;
			goto out;
		}
	}
	if (sk->sk_state == TCP_CLOSE) {
		err = sock_error(sk) ?: -ECONNABORTED;
		sock->state = SS_UNCONNECTED;
		goto out;
	}
	sock->state = SS_CONNECTED;
	err = 0;
out:
	release_sock(sk);
	return err;
}

static int rsk_stream_getname(struct socket *sock, struct sockaddr *uaddr,
			      int peer)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs = rsk_sk(sk);
	struct rsk_addr any = { .family = AF_INET };
	int len;

	lock_sock(sk);
	if (peer) {
		if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT |
					   TCPF_LISTEN)) {
			release_sock(sk);
			return -ENOTCONN;
		}
		len = rsk_addr_format(&rs->peer, uaddr);
	} else {
		len = rsk_addr_format(rs->bound ? &rs->local : &any, uaddr);
	}
	release_sock(sk);
	return len;
}

static bool rsk_stream_readable(struct rsk_sock *rs)
{
	int target = sock_rcvlowat(&rs->sk, 0, INT_MAX);

	return READ_ONCE(rs->rcv_queued) >= (u32)target;
}

static __poll_t rsk_stream_poll(struct file *file, struct socket *sock,
				poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs = rsk_sk(sk);
	int state = READ_ONCE(sk->sk_state);
	u8 shutdown = READ_ONCE(sk->sk_shutdown);
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);

	if (state == TCP_LISTEN)
		return list_empty(&rs->accept_queue) ? 0 : EPOLLIN | EPOLLRDNORM;

	/* As tcp_poll(). */
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != TCP_SYN_SENT) {
		if (rsk_stream_readable(rs))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (rsk_tx_poll_writable(sk))
				mask |= EPOLLOUT | EPOLLWRNORM;
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	/* Read the error after the state: see tcp_poll() on ordering. */
	smp_rmb();
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	return mask;
}

static int rsk_stream_ioctl(struct socket *sock, unsigned int cmd,
			    unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs = rsk_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answ = READ_ONCE(rs->rcv_queued);
		break;
	case SIOCOUTQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		spin_lock_bh(&rs->lock);
		answ = rs->wq_bytes + rs->inflight_bytes;
		spin_unlock_bh(&rs->lock);
		break;
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answ = READ_ONCE(rs->wq_bytes);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}

static int rsk_stream_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err;

	/* SHUT_RD 0 -> RCV_SHUTDOWN 1, and so on, as inet_shutdown(). */
	how++;
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;

	lock_sock(sk);
	if (sock->state == SS_CONNECTING) {
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_CLOSE))
			sock->state = SS_DISCONNECTING;
		else
			sock->state = SS_CONNECTED;
	}
	err = rsk_cm_shutdown(rsk_sk(sk), how);
	release_sock(sk);
	return err;
}

static int rsk_stream_sendmsg(struct socket *sock, struct msghdr *msg,
			      size_t len)
{
	struct sock *sk = sock->sk;
	int ret;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;	/* no urgent data in v1 */
	lock_sock(sk);
	ret = rsk_tx_sendmsg(rsk_sk(sk), msg, len);
	release_sock(sk);
	return ret;
}

static int rsk_stream_recvmsg(struct socket *sock, struct msghdr *msg,
			      size_t len, int flags)
{
	struct sock *sk = sock->sk;
	int ret;

	msg->msg_namelen = 0;	/* a stream has no per-message address */
	lock_sock(sk);
	ret = rsk_rx_recvmsg(rsk_sk(sk), msg, len, flags);
	release_sock(sk);
	return ret;
}

/* SOL_TCP options programs written for TCP set, with TCP's ranges. */
static int rsk_stream_setsockopt(struct socket *sock, int level, int optname,
				 sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs = rsk_sk(sk);
	int val, err = 0;

	if (level != SOL_TCP)
		return -ENOPROTOOPT;
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;

	lock_sock(sk);
	switch (optname) {
	case TCP_NODELAY:
		spin_lock_bh(&rs->lock);
		rs->nodelay = !!val;
		if (val)
			rsk_tx_push_locked(rs);
		spin_unlock_bh(&rs->lock);
		break;
	case TCP_CORK:
		spin_lock_bh(&rs->lock);
		rs->corked = !!val;
		if (!val)
			rsk_tx_push_locked(rs);
		spin_unlock_bh(&rs->lock);
		break;
	case TCP_KEEPIDLE:
		if (val < 1 || val > MAX_TCP_KEEPIDLE) {
			err = -EINVAL;
			break;
		}
		rs->keepidle = val;
		if (sock_flag(sk, SOCK_KEEPOPEN))
			rsk_cm_keepalive(sk, 1);
		break;
	case TCP_KEEPINTVL:
		if (val < 1 || val > MAX_TCP_KEEPINTVL)
			err = -EINVAL;
		else
			rs->keepintvl = val;
		break;
	case TCP_KEEPCNT:
		if (val < 1 || val > MAX_TCP_KEEPCNT)
			err = -EINVAL;
		else
			rs->keepcnt = val;
		break;
	default:
		err = -ENOPROTOOPT;
	}
	release_sock(sk);
	return err;
}

static int rsk_stream_getsockopt(struct socket *sock, int level, int optname,
				 char __user *optval, int __user *optlen)
{
	struct rsk_sock *rs = rsk_sk(sock->sk);
	int val, len;

	if (level != SOL_TCP)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = min_t(unsigned int, len, sizeof(int));

	switch (optname) {
	case TCP_NODELAY:
		val = rs->nodelay;
		break;
	case TCP_CORK:
		val = rs->corked;
		break;
	case TCP_KEEPIDLE:
		val = rsk_keepidle(rs);
		break;
	case TCP_KEEPINTVL:
		val = rsk_keepintvl(rs);
		break;
	case TCP_KEEPCNT:
		val = rsk_keepcnt(rs);
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/*
 * proto_ops.family is informational (the socket layer keys on the
 * registered net_proto_family and on sk_family, both the "family" module
 * parameter), so the tables stay const and name the default family.
 */
static const struct proto_ops rsk_stream_ops = {
	.family		= AF_RDMA_STREAM,
	.owner		= THIS_MODULE,
	.release	= rsk_release,
	.bind		= rsk_stream_bind,
	.connect	= rsk_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= rsk_stream_accept,
	.getname	= rsk_stream_getname,
	.poll		= rsk_stream_poll,
	.ioctl		= rsk_stream_ioctl,
	.listen		= rsk_stream_listen,
	.shutdown	= rsk_stream_shutdown,
	.setsockopt	= rsk_stream_setsockopt,
	.getsockopt	= rsk_stream_getsockopt,
	.sendmsg	= rsk_stream_sendmsg,
	.recvmsg	= rsk_stream_recvmsg,
	.mmap		= sock_no_mmap,
};

static int rsk_create(struct net *net, struct socket *sock, int protocol,
		      int kern)
{
	struct proto *prot;
	struct sock *sk;
	int kind;

	kind = rsk_sock_kind(sock->type, protocol);
	if (kind < 0)
		return kind;

	if (kind == RSK_KIND_STREAM) {
		prot = &rsk_stream_proto;
		sock->ops = &rsk_stream_ops;
	} else {
		prot = &rsk_dgram_proto;
		sock->ops = &rsk_dgram_ops;
	}

	sk = sk_alloc(net, rsk_family, GFP_KERNEL, prot, kern);
	if (!sk)
		return -ENOMEM;

	sock_init_data(sock, sk);
	/* The namespace's defaults, as TCP's come from tcp_rmem/tcp_wmem. */
	sk->sk_rcvbuf = READ_ONCE(rsk_net(net)->rmem_default);
	sk->sk_sndbuf = READ_ONCE(rsk_net(net)->wmem_default);
	rsk_sock_init(sk, kind);
	return 0;
}

static struct net_proto_family rsk_family_ops __ro_after_init = {
	.create	= rsk_create,
	.owner	= THIS_MODULE,
};

static int __init rsk_init(void)
{
	int err;

	/* The socket layer indexes its family table below NPROTO. */
	if (rsk_family <= AF_UNSPEC || rsk_family >= NPROTO) {
		pr_err("rdma_sock: family=%d is outside 1..%d\n",
		       rsk_family, NPROTO - 1);
		return -EINVAL;
	}
	rsk_family_ops.family = rsk_family;

	err = proto_register(&rsk_stream_proto, 1);
	if (err)
		return err;
	err = proto_register(&rsk_dgram_proto, 1);
	if (err)
		goto out_stream_proto;
	err = rsk_stats_init();
	if (err)
		goto out_dgram_proto;
	err = rsk_poll_init();
	if (err)
		goto out_stats;
	err = rsk_link_init();
	if (err)
		goto out_poll;
	err = rsk_ud_init();
	if (err)
		goto out_link;
	err = rsk_dev_init();
	if (err)
		goto out_ud;
	err = rsk_net_init();
	if (err)
		goto out_dev;
	err = rsk_netlink_init();
	if (err)
		goto out_net;
	err = sock_register(&rsk_family_ops);
	if (err) {
		pr_err("rdma_sock: family %d is taken (%d); load with family=N\n",
		       rsk_family, err);
		goto out_netlink;
	}
	return 0;

out_netlink:
	rsk_netlink_exit();
out_net:
	rsk_net_exit();
out_dev:
	rsk_dev_exit();
out_ud:
	rsk_ud_exit();
out_link:
	rsk_link_exit();
out_poll:
	rsk_poll_exit();
out_stats:
	rsk_stats_exit();
out_dgram_proto:
	proto_unregister(&rsk_dgram_proto);
out_stream_proto:
	proto_unregister(&rsk_stream_proto);
	return err;
}

static void __exit rsk_exit(void)
{
	sock_unregister(rsk_family);
	rsk_netlink_exit();
	rsk_net_exit();
	rsk_dev_exit();
	rsk_ud_exit();
	rsk_link_exit();
	rsk_poll_exit();
	rsk_stats_exit();
	proto_unregister(&rsk_dgram_proto);
	proto_unregister(&rsk_stream_proto);
}

module_init(rsk_init);
module_exit(rsk_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The rdmasock developers");
MODULE_DESCRIPTION("Sockets over RDMA: stream over shared RC links, datagrams over UD");
MODULE_VERSION(RSK_MODULE_VERSION);
MODULE_ALIAS_NETPROTO(RDMA_SOCK_DEFAULT_FAMILY);
