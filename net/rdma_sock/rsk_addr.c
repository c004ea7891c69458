// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: socket addresses.
 *
 * Sockets of this family take the addresses TCP and UDP take: sockaddr_in
 * and sockaddr_in6 (IPv4-mapped included).  These helpers check a user's
 * address the way inet_bind() and inet6_connect() do, with the same errnos,
 * and fold it into struct rsk_addr.  They touch no socket state, so KUnit
 * tests them directly (rsk_addr_test.c).
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "rsk.h"

static int rsk_addr_parse_v4(const struct sockaddr *uaddr, int addr_len,
			     struct rsk_addr *addr)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)uaddr;

	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	addr->family = AF_INET;
	addr->port = sin->sin_port;
	addr->v4 = sin->sin_addr.s_addr;
	return 0;
}

static int rsk_addr_parse_v6(const struct sockaddr *uaddr, int addr_len,
			     struct rsk_addr *addr)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)uaddr;

	/* As IPv6 sockets do, accept the RFC 2133 size, without a scope. */
	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	addr->port = sin6->sin6_port;
	if (ipv6_addr_v4mapped(&sin6->sin6_addr)) {
		addr->family = AF_INET;
		addr->v4mapped = true;
		addr->v4 = sin6->sin6_addr.s6_addr32[3];
		return 0;
	}
	addr->family = AF_INET6;
	addr->v6 = sin6->sin6_addr;
	if (addr_len >= (int)sizeof(*sin6))
		addr->scope_id = sin6->sin6_scope_id;
	/* A link-local address means nothing without its interface. */
	if ((ipv6_addr_type(&addr->v6) & IPV6_ADDR_LINKLOCAL) && !addr->scope_id)
		return -EINVAL;
	return 0;
}

/**
 * rsk_addr_parse - check and fold a socket address given by the user
 * @uaddr: the address, already copied into the kernel
 * @addr_len: its length as the user gave it
 * @addr: the result; zeroed first
 *
 * Return: 0; -EINVAL when @addr_len is too short for the family (or a
 * link-local IPv6 address has no scope); -EAFNOSUPPORT for a family other
 * than AF_INET, AF_INET6 or AF_UNSPEC.  AF_UNSPEC is returned as such:
 * whether it means anything (disconnect, for datagrams) is the caller's
 * business.
 */
int rsk_addr_parse(const struct sockaddr *uaddr, int addr_len,
		   struct rsk_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (!uaddr || addr_len < (int)sizeof(uaddr->sa_family))
		return -EINVAL;

	switch (uaddr->sa_family) {
	case AF_INET:
		return rsk_addr_parse_v4(uaddr, addr_len, addr);
	case AF_INET6:
		return rsk_addr_parse_v6(uaddr, addr_len, addr);
	case AF_UNSPEC:
		addr->family = AF_UNSPEC;
		return 0;
	default:
		return -EAFNOSUPPORT;
	}
}
EXPORT_SYMBOL_IF_KUNIT(rsk_addr_parse);

/**
 * rsk_addr_format - write an address back in the form the user gave it
 * @addr: the address
 * @uaddr: room for a struct sockaddr_in6
 *
 * Return: the length of what was written, as getsockname() reports it.
 */
int rsk_addr_format(const struct rsk_addr *addr, struct sockaddr *uaddr)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)uaddr;
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;

	if (addr->family == AF_INET && !addr->v4mapped) {
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_port = addr->port;
		sin->sin_addr.s_addr = addr->v4;
		return sizeof(*sin);
	}

	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = addr->port;
	if (addr->family == AF_INET) {
		ipv6_addr_set_v4mapped(addr->v4, &sin6->sin6_addr);
	} else {
		sin6->sin6_addr = addr->v6;
		sin6->sin6_scope_id = addr->scope_id;
	}
	return sizeof(*sin6);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_addr_format);

/* The wildcard address (INADDR_ANY, ::, or ::ffff:0.0.0.0). */
bool rsk_addr_is_any(const struct rsk_addr *addr)
{
	if (addr->family == AF_INET)
		return addr->v4 == htonl(INADDR_ANY);
	return addr->family == AF_INET6 && ipv6_addr_any(&addr->v6);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_addr_is_any);

/* A group address: no stream can be connected to one. */
bool rsk_addr_is_multicast(const struct rsk_addr *addr)
{
	if (addr->family == AF_INET)
		return ipv4_is_multicast(addr->v4) || ipv4_is_lbcast(addr->v4);
	return addr->family == AF_INET6 && ipv6_addr_is_multicast(&addr->v6);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_addr_is_multicast);

/* 127.0.0.0/8 (mapped or not) or ::1: the host itself, by any route. */
bool rsk_addr_is_loopback(const struct rsk_addr *addr)
{
	if (addr->family == AF_INET)
		return ipv4_is_loopback(addr->v4);
	return addr->family == AF_INET6 && ipv6_addr_loopback(&addr->v6);
}
EXPORT_SYMBOL_IF_KUNIT(rsk_addr_is_loopback);

/* Whether two addresses name the same IP address; ports do not matter. */
bool rsk_addr_same_host(const struct rsk_addr *a, const struct rsk_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	return ipv6_addr_equal(&a->v6, &b->v6) && a->scope_id == b->scope_id;
}
EXPORT_SYMBOL_IF_KUNIT(rsk_addr_same_host);

/*
 * The address as rdma_cm takes it: IPv4 (mapped or not) as a sockaddr_in,
 * so that rdma_cm resolves it over the IPv4 routing table.
 */
void rsk_addr_to_sockaddr(const struct rsk_addr *addr, __be16 port,
			  struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (addr->family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = port;
		sin->sin_addr.s_addr = addr->v4;
		return;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = port;
	sin6->sin6_addr = addr->v6;
	sin6->sin6_scope_id = addr->scope_id;
}

/* Whether @addr is the wildcard or an address of this namespace. */
bool rsk_addr_is_local(struct net *net, const struct rsk_addr *addr)
{
	if (rsk_addr_is_any(addr))
		return true;
	if (addr->family == AF_INET)
		return inet_addr_type(net, addr->v4) == RTN_LOCAL;
#if IS_ENABLED(CONFIG_IPV6)
	return ipv6_chk_addr(net, &addr->v6, NULL, 0);
#else
	return false;
#endif
}

/**
 * rsk_addr_is_own - whether a packet to @addr stays in this namespace
 * @net: the namespace
 * @addr: a unicast address
 *
 * As rsk_addr_is_local() but never true for the wildcard, and an IPv6
 * link-local address counts only on the interface its scope names: the
 * same link-local address may be a neighbour's on another interface.
 */
bool rsk_addr_is_own(struct net *net, const struct rsk_addr *addr)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct net_device *dev;
	bool own;
#endif

	if (rsk_addr_is_any(addr))
		return false;
	if (addr->family == AF_INET)
		return inet_addr_type(net, addr->v4) == RTN_LOCAL;
#if IS_ENABLED(CONFIG_IPV6)
	if (!(ipv6_addr_type(&addr->v6) & IPV6_ADDR_LINKLOCAL))
		return ipv6_chk_addr(net, &addr->v6, NULL, 0);
	if (!addr->scope_id)
		return false;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(net, addr->scope_id);
	own = dev && ipv6_chk_addr(net, &addr->v6, dev, 1);
	rcu_read_unlock();
	return own;
#else
	return false;
#endif
}
EXPORT_SYMBOL_IF_KUNIT(rsk_addr_is_own);
