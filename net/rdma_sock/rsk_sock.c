// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: the socket core, socket layer.
 *
 * What every socket of the family shares whatever its kind: creation,
 * the per-namespace index netlink dumps walk, the end of release() and
 * of destruction, and the checks bind() and the implicit binds make.
 * Each kind has a file of its own with its struct proto and proto_ops:
 * rsk_stream.c and rsk_dgram.c.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/user_namespace.h>
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

/**
 * rsk_sock_init - make a new socket of the family ready
 * @sk: fresh from sk_alloc() and sock_init_data()
 * @kind: what it is
 *
 * The common part, then the kind's own (which sets sk_destruct), then the
 * socket is counted and indexed for netlink dumps, last.
 */
void rsk_sock_init(struct sock *sk, enum rsk_kind kind)
{
	struct rsk_sock *rs = rsk_sk(sk);

	sk->sk_state = TCP_CLOSE;
	rs->kind = kind;
	rs->rnet = rsk_net(sock_net(sk));
#if IS_ENABLED(CONFIG_IPV6)
	/* As inet6_create(): IPV6_V6ONLY starts as net.ipv6.bindv6only. */
	sk->sk_ipv6only = READ_ONCE(sock_net(sk)->ipv6.sysctl.bindv6only);
#endif
	if (kind == RSK_KIND_STREAM)
		rsk_stream_sock_init(sk);
	else
		rsk_dgram_sock_init(sk);
	rsk_obj_inc(rs->rnet, sockets);
	/* Last: netlink dumps see it from here on. */
	spin_lock_bh(&rs->rnet->socks_lock);
	rs->dump_id = ++rs->rnet->next_sock_id;
	rb_add(&rs->net_node, &rs->rnet->socks, rsk_sock_id_less);
	spin_unlock_bh(&rs->rnet->socks_lock);
}

/**
 * rsk_sock_destruct - the end of every socket of the family
 * @sk: the socket, its last reference gone
 *
 * Each kind's sk_destruct frees what is its own, then calls this.
 */
void rsk_sock_destruct(struct sock *sk)
{
	struct rsk_sock *rs = rsk_sk(sk);

	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	spin_lock_bh(&rs->rnet->socks_lock);
	rb_erase(&rs->net_node, &rs->rnet->socks);
	spin_unlock_bh(&rs->rnet->socks_lock);
	rsk_obj_dec(rs->rnet, sockets);
}

/**
 * rsk_sock_release_finish - the end of every kind's release()
 * @sock: the socket being closed; lock_sock held on entry, dropped here
 *
 * The socket is orphaned and the file's reference dropped; a channel (or
 * a send in flight) may hold another.
 */
void rsk_sock_release_finish(struct socket *sock)
{
	struct sock *sk = sock->sk;

	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	sock_orphan(sk);
	release_sock(sk);

	sock->sk = NULL;
	sock_put(sk);
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
static int rsk_bind_addr(struct sock *sk, struct sockaddr *uaddr,
			 int addr_len, bool group_ok, struct rsk_addr *addr)
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

/**
 * rsk_sock_bind - bind() for both kinds
 * @sock: the socket
 * @uaddr: the address
 * @addr_len: its length
 *
 * As inet_bind(): the address is checked first (a datagram socket may
 * bind a group address, to hear only it); EINVAL when bound already.
 */
int rsk_sock_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	struct sock *sk = sock->sk;
	struct rsk_sock *rs = rsk_sk(sk);
	bool dgram = rs->kind == RSK_KIND_DGRAM;
	struct rsk_addr addr;
	int err;

	err = rsk_bind_addr(sk, uaddr, addr_len, dgram, &addr);
	if (err)
		return err;

	lock_sock(sk);
	err = -EINVAL;
	if (rs->bound || sk->sk_state != TCP_CLOSE)
		goto out;
	/* As inet6_bind(): an IPv6-only socket has no IPv4-mapped address. */
	if (addr.v4mapped && sk->sk_ipv6only)
		goto out;
	err = rsk_bind_port(rs, &addr, sk->sk_reuse);
	if (!err && dgram)
		err = rsk_dgram_bound(rs);
out:
	release_sock(sk);
	return err;
}

/**
 * rsk_sock_set_v6only - IPV6_V6ONLY, for both kinds, as ipv6_setsockopt()
 * @sk: the socket
 * @optval: an int
 * @optlen: its length
 *
 * Settable until bind() (EINVAL after).  An IPv6-only socket bound to the
 * IPv6 wildcard takes no IPv4 traffic and leaves the port's IPv4 side to
 * others (rsk_bind.c); it cannot bind or send to IPv4-mapped addresses.
 * The family has no separate IPv4 and IPv6 sockets: the option matters
 * only for what a socket does with sockaddr_in6.
 *
 * Return: 0, -EINVAL or -EFAULT.
 */
int rsk_sock_set_v6only(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	int val, err = 0;

	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	if (rsk_sk(sk)->bound)
		err = -EINVAL;
	else
		sk->sk_ipv6only = !!val;
	release_sock(sk);
	return err;
}

/*
 * Whether an IPv6-only socket must refuse @to, an IPv4 destination
 * (ENETUNREACH, as tcp_v6_connect() and udpv6_sendmsg() refuse): an
 * IPv4-mapped one always, and a plain one once the socket is bound to an
 * IPv6 address (the wildcard included).  lock_sock held.
 */
bool rsk_sock_v4_refused(const struct rsk_sock *rs, const struct rsk_addr *to)
{
	if (to->family != AF_INET || !rs->sk.sk_ipv6only)
		return false;
	return to->v4mapped || (rs->bound && rs->local.family == AF_INET6);
}

/* getsockopt(IPV6_V6ONLY): an int, or as much of it as fits. */
int rsk_sock_get_v6only(struct sock *sk, char __user *optval,
			int __user *optlen)
{
	int val = sk->sk_ipv6only, len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = min_t(unsigned int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/**
 * rsk_sock_getname - getsockname() and getpeername() for both kinds
 * @sock: the socket
 * @uaddr: where the address goes
 * @peer: getpeername()
 *
 * An unbound socket is the IPv4 wildcard, port 0, as TCP's and UDP's are;
 * the peer of a socket that is not connected (a stream listening or still
 * connecting too) is ENOTCONN.
 */
int rsk_sock_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
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

/*
 * net.rdma_sock.userns_sockets, the host's (the initial namespace's
 * sysctl): whether a task in a user namespace other than the initial one,
 * or in a network namespace such a namespace owns, may create sockets.
 * Off by default: an unprivileged user becomes root of a namespace of
 * its own in one call, and with it could set the namespace's limits and
 * open listeners on every device; this is the family's autoload gate.
 */
int rsk_userns_sockets;

static bool rsk_sock_allowed(const struct net *net, int kern)
{
	if (kern || READ_ONCE(rsk_userns_sockets))
		return true;
	return current_user_ns() == &init_user_ns &&
	       net->user_ns == &init_user_ns;
}

/**
 * rsk_sock_create - socket(2) and sock_create_kern() in the family
 * @net: the namespace
 * @sock: the struct socket to fill in
 * @protocol: 0, IPPROTO_TCP or IPPROTO_UDP (rsk_sock_kind())
 * @kern: a kernel socket (no namespace reference)
 *
 * Return: 0, -EPERM from a gated user namespace (rsk_sock_allowed()),
 * or why the type, protocol or memory would not do.
 */
int rsk_sock_create(struct net *net, struct socket *sock, int protocol,
		    int kern)
{
	struct proto *prot;
	struct sock *sk;
	int kind;

	if (!rsk_sock_allowed(net, kern)) {
		rsk_event(rsk_net(net), RSK_EV_USERNS_REFUSED);
		return -EPERM;
	}
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
