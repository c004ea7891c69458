// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: stream sockets, socket layer.
 *
 * SOCK_STREAM's struct proto and proto_ops, as TCP's: bind, listen,
 * accept, connect, names, poll, ioctl, shutdown, options, and release.
 * The byte stream itself is the channel layer's (rsk_chan*.c): a stream
 * socket is a channel on a link.  The channel layer reaches back here only
 * through struct rsk_chan_sock_ops (rsk_stream_init()): to find a
 * listener for a connect request, to get a child socket for it, and to
 * give a wildcard-bound socket its address.
 */
#include <linux/memcontrol.h>
#include <linux/mm.h>
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

static void rsk_stream_destruct(struct sock *sk)
{
	struct rsk_stream_sock *rs = rsk_stream_sk(sk);

	spin_lock_bh(&rs->lock);
	rsk_chan_rx_purge(rs);
	rsk_chan_tx_purge(rs);
	sk_mem_reclaim_final(sk);
	spin_unlock_bh(&rs->lock);
	rsk_unbind_port(&rs->base);
	if (rs->link)
		rsk_link_put(rs->link);
	rs->link = NULL;
	rsk_sock_destruct(sk);
}

/*
 * The stream proto's memory accounting: the module-wide total and
 * net.rdma_sock.mem are the channel layer's (rsk_chan.c), which charges
 * both directions.  The least a socket keeps under pressure is
 * tcp_rmem[0]'s.
 */
static DEFINE_PER_CPU(int, rsk_stream_per_cpu_fw_alloc);
/*
 * No pressure mode (no enter_memory_pressure): __sk_mem_schedule() then
 * refuses only over mem[2], the hard limit, or the memory cgroup's.
 */
static unsigned long rsk_stream_memory_pressure;
static int rsk_stream_rmem[3] = { 4096, 131072, 6291456 };
static int rsk_stream_wmem[3] = { 4096, 16384, 4194304 };

struct proto rsk_stream_proto = {
	.name			= "RDMA_STREAM",
	.owner			= THIS_MODULE,
	.keepalive		= rsk_chan_keepalive,
	.memory_allocated	= &rsk_chan_memory_allocated,
	.memory_pressure	= &rsk_stream_memory_pressure,
	.per_cpu_fw_alloc	= &rsk_stream_per_cpu_fw_alloc,
	.sysctl_mem		= rsk_chan_mem,
	.sysctl_rmem		= rsk_stream_rmem,
	.sysctl_wmem		= rsk_stream_wmem,
	.obj_size		= sizeof(struct rsk_stream_sock),
};

/* A new stream socket's own part, from rsk_sock_init(). */
void rsk_stream_sock_init(struct sock *sk)
{
	struct rsk_stream_sock *rs = rsk_stream_sk(sk);

	sk->sk_destruct = rsk_stream_destruct;
	sk->sk_protocol = IPPROTO_TCP;
	sk->sk_write_space = rsk_chan_write_space;
	spin_lock_init(&rs->lock);
	INIT_LIST_HEAD(&rs->chan.node);
	INIT_LIST_HEAD(&rs->rx_queue);
	INIT_LIST_HEAD(&rs->write_queue);
	INIT_LIST_HEAD(&rs->accept_queue);
	INIT_LIST_HEAD(&rs->accept_node);
	rsk_chan_listener_init(rs);
	rsk_chan_timer_init(rs);
	rs->quickack = true;	/* as TCP's, out of pingpong mode */
}

/**
 * rsk_stream_new_child - a socket for a connection a listener accepted
 * @listener: the listening socket
 * @local: the address the request was for: the child's, on the
 *	listener's port
 * @gfp: GFP_ATOMIC: connect requests arrive in softirq
 *
 * The channel layer's new_child (struct rsk_chan_sock_ops).  The child
 * takes the listener's buffer sizes and TCP options, as TCP's children
 * do, and shares its port.  Its one reference belongs to the accept queue.
 */
static struct rsk_stream_sock *rsk_stream_new_child(struct rsk_stream_sock *listener,
						    const struct rsk_addr *local,
					     gfp_t gfp)
{
	struct sock *lsk = &listener->base.sk;
	struct rsk_stream_sock *rs;
	struct sock *sk;

	sk = sk_alloc(sock_net(lsk), rsk_family, gfp, lsk->sk_prot,
		      !lsk->sk_net_refcnt);
	if (!sk)
		return NULL;
	sock_init_data(NULL, sk);
	sk->sk_type = SOCK_STREAM;
	rsk_sock_init(sk, RSK_KIND_STREAM);
	rs = rsk_stream_sk(sk);
	sk->sk_rcvbuf = READ_ONCE(lsk->sk_rcvbuf);
	sk->sk_sndbuf = READ_ONCE(lsk->sk_sndbuf);
	sk->sk_userlocks = lsk->sk_userlocks;
	sk->sk_reuse = lsk->sk_reuse;
	sk->sk_ipv6only = lsk->sk_ipv6only;
	sk->sk_rcvlowat = READ_ONCE(lsk->sk_rcvlowat);
	sk->sk_rcvtimeo = READ_ONCE(lsk->sk_rcvtimeo);
	sk->sk_sndtimeo = READ_ONCE(lsk->sk_sndtimeo);
	sk->sk_mark = READ_ONCE(lsk->sk_mark);
	sock_valbool_flag(sk, SOCK_KEEPOPEN, sock_flag(lsk, SOCK_KEEPOPEN));
	rs->nodelay = listener->nodelay;
	rs->user_mss = listener->user_mss;
	rs->notsent_lowat = listener->notsent_lowat;
	rs->recvmsg_inq = listener->recvmsg_inq;
	rs->keepidle = listener->keepidle;
	rs->keepintvl = listener->keepintvl;
	rs->keepcnt = listener->keepcnt;
	rs->parent = listener;
#ifdef CONFIG_MEMCG
	/*
	 * Charged to the listener's memory cgroup, as TCP charges a child to
	 * its acceptor's: made in softirq, it has none of its own.
	 */
	if (!sk->sk_memcg && lsk->sk_memcg) {
		css_get(&lsk->sk_memcg->css);
		sk->sk_memcg = lsk->sk_memcg;
	}
#endif
	rsk_bind_child(&rs->base, local);
	return rs;
}

/* Free a child nobody accepted; its channel is already closed. */
static void rsk_stream_free_child(struct rsk_stream_sock *child)
{
	sock_set_flag(&child->base.sk, SOCK_DEAD);
	sock_put(&child->base.sk);		/* the accept queue's */
}

/* SO_LINGER with a timeout: wait for the FIN to leave, or for time. */
/**
 * rsk_stream_listen_close - a listener stops listening; lock_sock held
 * @rs: the listener
 *
 * From close() and from shutdown(SHUT_RD): held requests and unaccepted
 * children go (rsk_chan_listen_close()), then the port, then the
 * namespace's link listener if this was its last listening socket.
 */
static void rsk_stream_listen_close(struct rsk_stream_sock *rs)
{
	rsk_chan_listen_close(rs);
	rsk_unbind_port(&rs->base);
	rsk_link_listen_put(rs->base.rnet);
}

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

static int rsk_stream_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	bool linger;

	if (!sk)
		return 0;

	lock_sock(sk);
	linger = sock_flag(sk, SOCK_LINGER);
	if (sk->sk_state == TCP_LISTEN) {
		rsk_stream_listen_close(rsk_stream_sk(sk));
	} else {
		sk_stop_timer(sk, &sk->sk_timer);	/* keepalive */
		rsk_chan_close(rsk_stream_sk(sk), linger && !sk->sk_lingertime);
		if (linger && sk->sk_lingertime)
			rsk_linger(sk);
		rsk_chan_orphan(rsk_stream_sk(sk));
	}
	rsk_sock_release_finish(sock);
	return 0;
}

static int rsk_stream_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct rsk_stream_sock *rs = rsk_stream_sk(sk);
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
	err = rsk_autobind(&rs->base, NULL);
	if (err)
		goto out;
	/* SO_REUSEADDR shares a port, but only one socket may listen on it. */
	err = rsk_listen_conflict(&rs->base);
	if (err)
		goto out;
	err = rsk_link_listen_get(rs->base.rnet);
	if (err)
		goto out;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	sk->sk_ack_backlog = 0;
	spin_lock_bh(&rs->lock);
	rsk_chan_set_state(rs, TCP_LISTEN);
	spin_unlock_bh(&rs->lock);
out:
	release_sock(sk);
	return err;
}

static bool rsk_accept_ready(struct rsk_stream_sock *rs)
{
	return !list_empty(&rs->accept_queue) ||
	       READ_ONCE(rs->base.sk.sk_state) != TCP_LISTEN;
}

/* Take the first accepted child, waiting for one; lock_sock held. */
static struct rsk_stream_sock *rsk_accept_wait(struct rsk_stream_sock *rs, bool nonblock,
					       int *err)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = &rs->base.sk;
	long timeo = sock_rcvtimeo(sk, nonblock);
	struct rsk_stream_sock *child = NULL;

	add_wait_queue_exclusive(sk_sleep(sk), &wait);
	for (;;) {
		*err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			break;
		child = rsk_chan_accept_pop(rs);
		if (child) {
			rsk_chan_accepted(child);
			break;
		}
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
	struct rsk_stream_sock *child;
	int err;

	lock_sock(sk);
	child = rsk_accept_wait(rsk_stream_sk(sk), flags & O_NONBLOCK, &err);
	if (child)
		rsk_chan_promote(rsk_stream_sk(sk));	/* room for a held request */
	release_sock(sk);
	if (!child)
		return err;

	lock_sock(&child->base.sk);
	child->parent = NULL;
	sock_graft(&child->base.sk, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(&child->base.sk);
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
	struct rsk_stream_sock *rs = rsk_stream_sk(sk);
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
		if (rsk_addr_is_multicast(&addr) ||
		    rsk_sock_v4_refused(&rs->base, &addr))
			goto out;
		err = -ECONNREFUSED;
		if (!addr.port)
			goto out;
		err = rsk_autobind(&rs->base, &addr);
		if (err)
			goto out;
		err = rsk_chan_connect(rs, &addr);
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
		err = rsk_chan_wait_connect(rs, &timeo);
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

static bool rsk_stream_readable(struct rsk_stream_sock *rs)
{
	int target = sock_rcvlowat(&rs->base.sk, 0, INT_MAX);

	return READ_ONCE(rs->rcv_queued) >= (u32)target;
}

static __poll_t rsk_stream_poll(struct file *file, struct socket *sock,
				poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct rsk_stream_sock *rs = rsk_stream_sk(sk);
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
			if (rsk_chan_poll_writable(sk))
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
	struct rsk_stream_sock *rs = rsk_stream_sk(sk);
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
	if (sk->sk_state == TCP_LISTEN) {
		/* Shutting a listener for reading closes it, as TCP's. */
		if (how & RCV_SHUTDOWN)
			rsk_stream_listen_close(rsk_stream_sk(sk));
		sk->sk_state_change(sk);
		err = 0;
	} else {
		err = rsk_chan_shutdown(rsk_stream_sk(sk), how);
	}
	release_sock(sk);
	return err;
}

static int rsk_stream_sendmsg(struct socket *sock, struct msghdr *msg,
			      size_t len)
{
	struct sock *sk = sock->sk;
	int ret;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;	/* no urgent data in this version */
	lock_sock(sk);
	ret = rsk_chan_sendmsg(rsk_stream_sk(sk), msg, len);
	release_sock(sk);
	return ret;
}

static int rsk_stream_recvmsg(struct socket *sock, struct msghdr *msg,
			      size_t len, int flags)
{
	struct sock *sk = sock->sk;
	struct rsk_stream_sock *rs = rsk_stream_sk(sk);
	int ret;

	msg->msg_namelen = 0;	/* a stream has no per-message address */
	lock_sock(sk);
	ret = rsk_chan_recvmsg(rs, msg, len, flags);
	/* TCP_INQ: what is left to read, 1 after the peer's FIN, as tcp_inq_hint(). */
	if (ret >= 0 && rs->recvmsg_inq) {
		int inq = READ_ONCE(rs->rcv_queued);

		if (!inq && READ_ONCE(rs->fin_rcvd))
			inq = 1;
		put_cmsg(msg, SOL_TCP, TCP_CM_INQ, sizeof(inq), &inq);
	}
	release_sock(sk);
	return ret;
}

/* SOL_TCP options programs written for TCP set, with TCP's ranges. */
static int rsk_stream_setsockopt(struct socket *sock, int level, int optname,
				 sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	struct rsk_stream_sock *rs = rsk_stream_sk(sk);
	int val, err = 0;

	if (level == SOL_IPV6 && optname == IPV6_V6ONLY)
		return rsk_sock_set_v6only(sk, optval, optlen);
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
			rsk_chan_push_locked(rs);
		spin_unlock_bh(&rs->lock);
		break;
	case TCP_CORK:
		spin_lock_bh(&rs->lock);
		rs->corked = !!val;
		if (!val)
			rsk_chan_push_locked(rs);
		spin_unlock_bh(&rs->lock);
		break;
	case TCP_KEEPIDLE:
		if (val < 1 || val > MAX_TCP_KEEPIDLE) {
			err = -EINVAL;
			break;
		}
		rs->keepidle = val;
		if (sock_flag(sk, SOCK_KEEPOPEN))
			rsk_chan_keepalive(sk, 1);
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
	case TCP_MAXSEG:
		/* As TCP: a connected socket keeps the size it has. */
		if (val && (val < TCP_MIN_MSS || val > MAX_TCP_WINDOW))
			err = -EINVAL;
		else
			WRITE_ONCE(rs->user_mss, val);
		break;
	case TCP_NOTSENT_LOWAT:
		WRITE_ONCE(rs->notsent_lowat, val);
		/* A higher mark may make it writable now: wake writers, as TCP. */
		sk->sk_write_space(sk);
		break;
	case TCP_QUICKACK:
		rs->quickack = !!val;
		break;
	case TCP_INQ:
		if (val > 1 || val < 0)
			err = -EINVAL;
		else
			rs->recvmsg_inq = val;
		break;
	default:
		err = -ENOPROTOOPT;
	}
	release_sock(sk);
	return err;
}

/*
 * TCP_INFO as tcp_get_info() fills it, from the channel: its state, the
 * link's largest payload as the MSS, messages as segments, the bytes sent,
 * acked and received, what is unsent, the peer's window (tcpi_snd_wnd,
 * and tcpi_snd_cwnd in messages of that MSS: the channel's only limit on
 * what is in flight) and SO_RCVBUF's room as the receive space.  The link
 * retransmits in hardware, so no retransmit, RTO or loss is ever counted;
 * the RTT is not measured (0).  A listener's unacked and sacked are its
 * accept queue's length and backlog, as TCP's.
 */
static void rsk_stream_info(struct rsk_stream_sock *rs, struct tcp_info *info)
{
	struct sock *sk = &rs->base.sk;
	unsigned long now;
	u32 mss;

	memset(info, 0, sizeof(*info));
	info->tcpi_state = READ_ONCE(sk->sk_state);
	info->tcpi_snd_ssthresh = TCP_INFINITE_SSTHRESH;
	info->tcpi_pacing_rate = ~0ULL;
	info->tcpi_max_pacing_rate = ~0ULL;
	if (info->tcpi_state == TCP_LISTEN) {
		info->tcpi_unacked = READ_ONCE(sk->sk_ack_backlog);
		info->tcpi_sacked = READ_ONCE(sk->sk_max_ack_backlog);
		return;
	}
	spin_lock_bh(&rs->lock);
	now = jiffies;		/* not before: the times are updated under the lock */
	mss = rs->max_payload;
	info->tcpi_snd_mss = mss;
	info->tcpi_rcv_mss = mss;
	info->tcpi_advmss = mss;
	info->tcpi_unacked = rs->inflight;
	info->tcpi_snd_wnd = rs->snd_wnd_end - rs->snd_una;
	info->tcpi_snd_cwnd = mss ? max_t(u32, DIV_ROUND_UP(info->tcpi_snd_wnd,
							    mss), 1) : 0;
	info->tcpi_rcv_space = rsk_chan_rcv_limit(rs);
	info->tcpi_rcv_ssthresh = info->tcpi_rcv_space;
	info->tcpi_notsent_bytes = rs->wq_bytes;
	info->tcpi_bytes_sent = rs->bytes_sent;
	info->tcpi_bytes_acked = rs->bytes_acked;
	info->tcpi_bytes_received = rs->bytes_received;
	info->tcpi_segs_out = rs->segs_out;
	info->tcpi_segs_in = rs->segs_in;
	info->tcpi_data_segs_out = rs->data_segs_out;
	info->tcpi_data_segs_in = rs->data_segs_in;
	if (mss) {
		info->tcpi_last_data_sent = jiffies_to_msecs(now - rs->last_data_sent);
		info->tcpi_last_data_recv = jiffies_to_msecs(now - rs->last_data_recv);
		info->tcpi_last_ack_recv = jiffies_to_msecs(now - rs->last_rcv);
	}
	spin_unlock_bh(&rs->lock);
}

static int rsk_stream_getsockopt(struct socket *sock, int level, int optname,
				 char __user *optval, int __user *optlen)
{
	struct rsk_stream_sock *rs = rsk_stream_sk(sock->sk);
	int val, len;

	if (level == SOL_IPV6 && optname == IPV6_V6ONLY)
		return rsk_sock_get_v6only(sock->sk, optval, optlen);
	if (level != SOL_TCP)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (optname == TCP_INFO) {
		struct tcp_info info;

		len = min_t(unsigned int, len, sizeof(info));
		rsk_stream_info(rs, &info);
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	}
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
	case TCP_MAXSEG:
		val = READ_ONCE(rs->max_payload);
		if (!val || (READ_ONCE(rs->user_mss) &&
			     ((1 << READ_ONCE(sock->sk->sk_state)) &
			      (TCPF_CLOSE | TCPF_LISTEN))))
			val = READ_ONCE(rs->user_mss) ?: TCP_MSS_DEFAULT;
		break;
	case TCP_NOTSENT_LOWAT:
		val = READ_ONCE(rs->notsent_lowat);
		break;
	case TCP_QUICKACK:
		val = rs->quickack;
		break;
	case TCP_INQ:
		val = rs->recvmsg_inq;
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
const struct proto_ops rsk_stream_ops = {
	.family		= AF_RDMA_STREAM,
	.owner		= THIS_MODULE,
	.release	= rsk_stream_release,
	.bind		= rsk_sock_bind,
	.connect	= rsk_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= rsk_stream_accept,
	.getname	= rsk_sock_getname,
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

/* The listener for a connect request to @local, referenced; or NULL. */
static struct rsk_stream_sock *rsk_stream_listener(struct rsk_net *rnet,
						   const struct rsk_addr *local)
{
	struct rsk_sock *rs = rsk_lookup_listener(rnet, local);

	return rs ? rsk_stream(rs) : NULL;
}

static void rsk_stream_fill_addr(struct rsk_stream_sock *rs,
				 const struct rsk_addr *ip)
{
	rsk_bind_fill_addr(&rs->base, ip);
}

static const struct rsk_chan_sock_ops rsk_stream_chan_ops = {
	.lookup_listener	= rsk_stream_listener,
	.new_child		= rsk_stream_new_child,
	.free_child		= rsk_stream_free_child,
	.fill_addr		= rsk_stream_fill_addr,
};

/* Channels find listeners and make children here: once at module init. */
void rsk_stream_init(void)
{
	rsk_chan_register_sock_ops(&rsk_stream_chan_ops);
}
