// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: the bind table, socket layer.
 *
 * Each namespace has two port spaces, as TCP and UDP do: stream ports in
 * rsk_net.bind_hash, datagram ports in rsk_net.dgram_hash, both under
 * rsk_net.bind_lock.  A socket is entered by bind(), by an implicit bind
 * (connect, listen, sendto), or as an accepted child on its listener's
 * port; it leaves at close.  The channel layer finds listeners here
 * through the socket layer's upcalls (rsk_stream.c), never by name.
 */
#include <linux/random.h>
#include <net/ip.h>
#include <net/tcp_states.h>

#include "rsk.h"

static u32 rsk_port_hash(__be16 port)
{
	return hash_32((__force u32)port, RSK_BIND_HASH_BITS);
}

/* The port table of the socket's kind: stream and datagram ports apart. */
static struct hlist_head *rsk_port_bucket(struct rsk_net *rnet,
					  const struct rsk_sock *rs,
					  __be16 port)
{
	if (rs->kind == RSK_KIND_DGRAM)
		return &rnet->dgram_hash[rsk_port_hash(port)];
	return &rnet->bind_hash[rsk_port_hash(port)];
}

/*
 * Two bound addresses overlap, as TCP's do: an IPv6 wildcard covers IPv4
 * too unless its socket is IPv6-only (IPV6_V6ONLY), an IPv4 wildcard only
 * IPv4; otherwise they must be equal.
 */
static bool rsk_bind_overlap(const struct rsk_addr *a, bool a_v6only,
			     const struct rsk_addr *b, bool b_v6only)
{
	if (a->family != b->family)
		return (a->family == AF_INET6 && rsk_addr_is_any(a) && !a_v6only) ||
		       (b->family == AF_INET6 && rsk_addr_is_any(b) && !b_v6only);
	if (rsk_addr_is_any(a) || rsk_addr_is_any(b))
		return true;
	return rsk_addr_same_host(a, b);
}

/*
 * Whether @other lets @rs share its port: SO_REUSEADDR on both, as
 * inet_csk_bind_conflict() for streams (the other not listening) and
 * udp_lib_lport_inuse() for datagrams.  SO_REUSEPORT never applies: the
 * socket layer refuses it for a family that is not inet.
 */
static bool rsk_bind_shares(const struct rsk_sock *rs,
			    const struct rsk_sock *other, bool reuse)
{
	if (!reuse || !other->sk.sk_reuse)
		return false;
	return rs->kind == RSK_KIND_DGRAM ||
	       READ_ONCE(other->sk.sk_state) != TCP_LISTEN;
}

static bool rsk_bind_conflict(struct rsk_net *rnet, const struct rsk_addr *addr,
			      const struct rsk_sock *rs, bool reuse)
{
	struct rsk_sock *other;

	hlist_for_each_entry(other, rsk_port_bucket(rnet, rs, addr->port),
			     bind_node) {
		if (other == rs || other->local.port != addr->port)
			continue;
		if (!rsk_bind_overlap(&other->local, other->sk.sk_ipv6only,
				      addr, rs->sk.sk_ipv6only))
			continue;
		if (rsk_bind_shares(rs, other, reuse))
			continue;
		return true;
	}
	return false;
}

static int rsk_bind_ephemeral(struct rsk_net *rnet, struct rsk_addr *addr,
			      struct rsk_sock *rs)
{
	int low, high, range, i;
	u32 start;

	inet_get_local_port_range(rnet->net, &low, &high);
	range = high - low + 1;
	start = get_random_u32_below(range);
	for (i = 0; i < range; i++) {
		addr->port = htons(low + (start + i) % range);
		if (!rsk_bind_conflict(rnet, addr, rs, false))
			return 0;
	}
	return -EADDRINUSE;
}

/**
 * rsk_bind_port - enter a stream socket in its namespace's bind table
 * @rs: the socket, not yet bound; caller holds lock_sock()
 * @addr: the local address; port 0 picks a free ephemeral port
 * @reuse: SO_REUSEADDR semantics apply
 *
 * Return: 0, or -EADDRINUSE.
 */
int rsk_bind_port(struct rsk_sock *rs, const struct rsk_addr *addr, bool reuse)
{
	struct rsk_net *rnet = rs->rnet;
	struct rsk_addr local = *addr;
	int err = 0;

	spin_lock_bh(&rnet->bind_lock);
	if (!local.port)
		err = rsk_bind_ephemeral(rnet, &local, rs);
	else if (rsk_bind_conflict(rnet, &local, rs, reuse))
		err = -EADDRINUSE;
	if (!err) {
		rs->local = local;
		rs->bound = true;
		hlist_add_head(&rs->bind_node,
			       rsk_port_bucket(rnet, rs, local.port));
	}
	spin_unlock_bh(&rnet->bind_lock);
	return err;
}

/**
 * rsk_listen_conflict - may a bound socket start listening on its port?
 * @rs: the socket, bound, lock_sock held
 *
 * As TCP: sockets that share a port through SO_REUSEADDR cannot both
 * listen on overlapping addresses.  Return: 0 or -EADDRINUSE.
 */
int rsk_listen_conflict(struct rsk_sock *rs)
{
	struct rsk_net *rnet = rs->rnet;
	struct rsk_sock *other;
	int err = 0;

	sock_owned_by_me(&rs->sk);

	spin_lock_bh(&rnet->bind_lock);
	hlist_for_each_entry(other,
			     &rnet->bind_hash[rsk_port_hash(rs->local.port)],
			     bind_node) {
		if (other == rs || other->local.port != rs->local.port ||
		    !rsk_bind_overlap(&other->local, other->sk.sk_ipv6only,
				      &rs->local, rs->sk.sk_ipv6only))
			continue;
		if (READ_ONCE(other->sk.sk_state) == TCP_LISTEN ||
		    !other->sk.sk_reuse) {
			err = -EADDRINUSE;
			break;
		}
	}
	spin_unlock_bh(&rnet->bind_lock);
	return err;
}

/*
 * A socket bound to the wildcard connects from the link's address, which
 * getsockname() then shows, as TCP's source address selection does.
 */
void rsk_bind_fill_addr(struct rsk_sock *rs, const struct rsk_addr *ip)
{
	struct rsk_net *rnet = rs->rnet;

	if (!rs->bound || !rsk_addr_is_any(&rs->local) ||
	    ip->family != rs->local.family)
		return;
	spin_lock_bh(&rnet->bind_lock);
	if (ip->family == AF_INET)
		rs->local.v4 = ip->v4;
	else
		rs->local.v6 = ip->v6;
	rs->local.scope_id = ip->scope_id;
	spin_unlock_bh(&rnet->bind_lock);
}

/*
 * Set the IP address of a bound socket, port kept: the route's source
 * address for a connected datagram socket, or back to the wildcard (@ip
 * NULL) when it disconnects.
 */
void rsk_bind_set_addr(struct rsk_sock *rs, const struct rsk_addr *ip)
{
	struct rsk_net *rnet = rs->rnet;
	__be16 port = rs->local.port;

	spin_lock_bh(&rnet->bind_lock);
	if (ip) {
		rs->local = *ip;
	} else {
		sa_family_t family = rs->local.family;
		bool mapped = rs->local.v4mapped;

		memset(&rs->local, 0, sizeof(rs->local));
		rs->local.family = family;
		rs->local.v4mapped = mapped;
	}
	rs->local.port = port;
	spin_unlock_bh(&rnet->bind_lock);
}

/* An accepted socket shares its listener's port, as TCP's children do. */
void rsk_bind_child(struct rsk_sock *child, const struct rsk_addr *local)
{
	struct rsk_net *rnet = child->rnet;

	spin_lock_bh(&rnet->bind_lock);
	child->local = *local;
	child->bound = true;
	hlist_add_head(&child->bind_node,
		       &rnet->bind_hash[rsk_port_hash(local->port)]);
	spin_unlock_bh(&rnet->bind_lock);
}

void rsk_unbind_port(struct rsk_sock *rs)
{
	struct rsk_net *rnet = rs->rnet;

	spin_lock_bh(&rnet->bind_lock);
	if (rs->bound) {
		hlist_del(&rs->bind_node);
		rs->bound = false;
	}
	spin_unlock_bh(&rnet->bind_lock);
}

/*
 * The listener for a connect request to @local: one bound to that address
 * before one bound to the wildcard.  An IPv4-only wildcard (AF_INET) does
 * not take IPv6 requests; an IPv6 wildcard takes both unless IPV6_V6ONLY.
 * Returns the listener with a reference held, or NULL.
 */
struct rsk_sock *rsk_lookup_listener(struct rsk_net *rnet,
				     const struct rsk_addr *local)
{
	struct rsk_sock *rs, *wild = NULL;

	spin_lock_bh(&rnet->bind_lock);
	hlist_for_each_entry(rs, &rnet->bind_hash[rsk_port_hash(local->port)],
			     bind_node) {
		if (rs->local.port != local->port ||
		    READ_ONCE(rs->sk.sk_state) != TCP_LISTEN)
			continue;
		if (rsk_addr_same_host(&rs->local, local)) {
			wild = rs;
			break;
		}
		if (!rsk_addr_is_any(&rs->local))
			continue;
		if (rs->local.family == local->family ||
		    (rs->local.family == AF_INET6 && !rs->sk.sk_ipv6only))
			wild = rs;
	}
	if (wild)
		sock_hold(&wild->sk);	/* the caller puts it */
	spin_unlock_bh(&rnet->bind_lock);
	return wild;
}

