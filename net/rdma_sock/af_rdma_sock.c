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
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	atomic_dec(&rsk_counters.sockets);
}

static int rsk_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	lock_sock(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	sk->sk_state = TCP_CLOSE;
	sock_orphan(sk);
	release_sock(sk);

	sock->sk = NULL;
	sock_put(sk);	/* the reference sk_alloc() gave rsk_create() */
	return 0;
}

/*
 * An address is checked before the operation is refused, so that a caller
 * gets the errno TCP would give for a malformed address in every version.
 */
static int rsk_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	struct rsk_addr addr;
	int err;

	err = rsk_addr_parse(uaddr, addr_len, &addr);
	if (err)
		return err;
	if (addr.family == AF_UNSPEC)
		return -EAFNOSUPPORT;
	return -EOPNOTSUPP;
}

static int rsk_connect(struct socket *sock, struct sockaddr *uaddr,
		       int addr_len, int flags)
{
	struct rsk_addr addr;
	int err;

	err = rsk_addr_parse(uaddr, addr_len, &addr);
	if (err)
		return err;
	return -EOPNOTSUPP;
}

static __poll_t rsk_stream_poll(struct file *file, struct socket *sock,
				poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);

	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	/* As tcp_poll(): a stream that is not connected has hung up. */
	if (READ_ONCE(sk->sk_state) == TCP_CLOSE)
		mask |= EPOLLHUP | EPOLLOUT | EPOLLWRNORM;
	return mask;
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
	.bind		= rsk_bind,
	.connect	= rsk_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= sock_no_getname,
	.poll		= rsk_stream_poll,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
};

static const struct proto_ops rsk_dgram_ops = {
	.family		= AF_RDMA_DGRAM,
	.owner		= THIS_MODULE,
	.release	= rsk_release,
	.bind		= rsk_bind,
	.connect	= rsk_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= sock_no_getname,
	.poll		= datagram_poll,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
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
	sk->sk_protocol = protocol;
	sk->sk_destruct = rsk_sk_destruct;
	sk->sk_state = TCP_CLOSE;
	rsk_sk(sk)->kind = kind;
	atomic_inc(&rsk_counters.sockets);
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
	err = rsk_dev_init();
	if (err)
		goto out_stats;
	err = sock_register(&rsk_family_ops);
	if (err) {
		pr_err("rdma_sock: family %d is taken (%d); load with family=N\n",
		       rsk_family, err);
		goto out_dev;
	}
	return 0;

out_dev:
	rsk_dev_exit();
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
	rsk_dev_exit();
	rsk_stats_exit();
	proto_unregister(&rsk_dgram_proto);
	proto_unregister(&rsk_stream_proto);
}

module_init(rsk_init);
module_exit(rsk_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The rdmasock developers");
MODULE_DESCRIPTION("Sockets over RDMA: stream over shared RC links, datagrams over UD");
MODULE_ALIAS_NETPROTO(RDMA_SOCK_DEFAULT_FAMILY);
