// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: multicast memberships and options of datagram sockets, socket
 * layer.
 *
 * IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP and the rest of ip(7)'s and ipv6(7)'s
 * multicast options, with UDP's errnos.  Each membership holds the
 * namespace's group on its interface (rsk_ud_mcast.c), which joins and
 * attaches the UD endpoint for the first member.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inetdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/sock.h>
#include <rdma/ib_sa.h>
#include <rdma/rdma_cm.h>

#include "rsk.h"

#define RSK_MC_DEFAULT_TTL	1	/* as IP's and IPv6's multicast */

/* A socket's membership: on rsk_dgram(rs)->mc_list, under lock_sock(). */
struct rsk_mc_membership {
	struct list_head node;
	struct rsk_mc_group *group;
	__be32 ifaddr4;			/* the IPv4 join's imr_address, if any */
};

void rsk_mc_sock_init(struct rsk_sock *rs)
{
	INIT_LIST_HEAD(&rsk_dgram(rs)->mc_list);
	rsk_dgram(rs)->mc_ttl = RSK_MC_DEFAULT_TTL;
	rsk_dgram(rs)->mc_hops = RSK_MC_DEFAULT_TTL;
	rsk_dgram(rs)->mc_loop = true;
	rsk_dgram(rs)->mc6_loop = true;
}

/* ---- the socket's memberships ---- */

static struct rsk_mc_membership *rsk_mc_find(struct rsk_sock *rs,
					     const struct rsk_addr *group,
					     int ifindex)
{
	struct rsk_mc_membership *m;

	list_for_each_entry(m, &rsk_dgram(rs)->mc_list, node)
		if (m->group->ifindex == ifindex &&
		    rsk_addr_same_host(&m->group->addr, group))
			return m;
	return NULL;
}

/*
 * As ip_mc_join_group(): EADDRINUSE if joined there, ENOBUFS over the max.
 * @ifaddr4: an IPv4 join's imr_address as given, for leaving by it.
 */
static int rsk_mc_join(struct rsk_sock *rs, const struct rsk_addr *group,
		       int ifindex, const struct rsk_addr *ifaddr,
		       __be32 ifaddr4)
{
	struct net *net = sock_net(&rs->sk);
	struct rsk_mc_membership *m;
	struct rsk_mc_group *g;
	int count = 0, err;

	if (rsk_mc_find(rs, group, ifindex))
		return -EADDRINUSE;
	list_for_each_entry(m, &rsk_dgram(rs)->mc_list, node)
		count++;
	if (count >= READ_ONCE(net->ipv4.sysctl_igmp_max_memberships))
		return -ENOBUFS;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOBUFS;
	/* The namespace's transport stays while a socket is a member. */
	err = rsk_dgram_use_ud(rs);
	if (err)
		goto fail;
	g = rsk_mc_group_get(rs->rnet, group, ifindex, ifaddr);
	if (IS_ERR(g)) {
		err = PTR_ERR(g);
		goto fail;
	}
	m->group = g;
	m->ifaddr4 = ifaddr4;
	list_add_tail(&m->node, &rsk_dgram(rs)->mc_list);
	return 0;
fail:
	kfree(m);
	return err;
}

static void rsk_mc_drop(struct rsk_mc_membership *m)
{
	list_del(&m->node);
	rsk_mc_group_put(m->group);
	kfree(m);
}

/*
 * As ip_mc_leave_group(): the membership of the group on the interface
 * named by index, else by the address the join named, else the first;
 * the interface need not exist any more.
 */
static int rsk_mc_leave4(struct rsk_sock *rs, const struct rsk_addr *group,
			 const struct ip_mreqn *mreq)
{
	struct rsk_mc_membership *m;

	list_for_each_entry(m, &rsk_dgram(rs)->mc_list, node) {
		if (!rsk_addr_same_host(&m->group->addr, group))
			continue;
		if (mreq->imr_ifindex) {
			if (m->group->ifindex != mreq->imr_ifindex)
				continue;
		} else if (mreq->imr_address.s_addr &&
			   mreq->imr_address.s_addr != m->ifaddr4) {
			continue;
		}
		rsk_mc_drop(m);
		return 0;
	}
	return -EADDRNOTAVAIL;
}

/* As ipv6_sock_mc_drop(): on that interface, or on any (index 0). */
static int rsk_mc_leave6(struct rsk_sock *rs, const struct rsk_addr *group,
			 int ifindex)
{
	struct rsk_mc_membership *m;

	list_for_each_entry(m, &rsk_dgram(rs)->mc_list, node) {
		if (rsk_addr_same_host(&m->group->addr, group) &&
		    (!ifindex || m->group->ifindex == ifindex)) {
			rsk_mc_drop(m);
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

/* release(): a closing socket leaves its groups. */
void rsk_mc_sock_release(struct rsk_sock *rs)
{
	struct rsk_mc_membership *m, *tmp;

	list_for_each_entry_safe(m, tmp, &rsk_dgram(rs)->mc_list, node)
		rsk_mc_drop(m);
}

/* ---- interfaces ---- */

/* An IPv4 address of @dev itself (inet_select_addr() may lend another's). */
static __be32 rsk_mc_dev_addr4(struct net_device *dev)
{
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	__be32 addr = 0;

	rcu_read_lock();
	in_dev = __in_dev_get_rcu(dev);
	if (in_dev) {
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			if (!(ifa->ifa_flags & IFA_F_SECONDARY)) {
				addr = ifa->ifa_local;
				break;
			}
		}
	}
	rcu_read_unlock();
	return addr;
}

/*
 * The interface and its IPv4 address for a membership, as
 * ip_mc_find_dev() finds it: by index, by address, or by the route to
 * the group.  rdma_cm binds to the address.
 */
static int rsk_mc_if4(struct net *net, const struct ip_mreqn *mreq,
		      int *ifindex, struct rsk_addr *ifaddr)
{
	struct net_device *dev = NULL;

	if (mreq->imr_ifindex) {
		dev = dev_get_by_index(net, mreq->imr_ifindex);
	} else if (mreq->imr_address.s_addr) {
		dev = ip_dev_find(net, mreq->imr_address.s_addr);
	} else {
		struct flowi4 fl4 = { .daddr = mreq->imr_multiaddr.s_addr };
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (!IS_ERR(rt)) {
			dev = rt->dst.dev;
			dev_hold(dev);
			ip_rt_put(rt);
		}
	}
	if (!dev)
		return -ENODEV;
	*ifindex = dev->ifindex;
	memset(ifaddr, 0, sizeof(*ifaddr));
	ifaddr->family = AF_INET;
	ifaddr->v4 = mreq->imr_address.s_addr;
	if (!ifaddr->v4 || mreq->imr_ifindex)
		ifaddr->v4 = rsk_mc_dev_addr4(dev);
	dev_put(dev);
	return ifaddr->v4 ? 0 : -EADDRNOTAVAIL;
}

#if IS_ENABLED(CONFIG_IPV6)
/* The interface (by index, or the route to @group) and its address. */
static int rsk_mc_if6(struct net *net, const struct in6_addr *group,
		      int index, int *ifindex, struct rsk_addr *ifaddr)
{
	struct net_device *dev = NULL;

	if (index) {
		dev = dev_get_by_index(net, index);
	} else {
		struct flowi6 fl6 = { .daddr = *group };
		struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);

		if (!dst->error) {
			dev = dst->dev;
			dev_hold(dev);
		}
		dst_release(dst);
	}
	if (!dev)
		return -ENODEV;
	*ifindex = dev->ifindex;
	memset(ifaddr, 0, sizeof(*ifaddr));
	ifaddr->family = AF_INET6;
	if (ipv6_dev_get_saddr(net, dev, group, 0, &ifaddr->v6)) {
		dev_put(dev);
		return -EADDRNOTAVAIL;
	}
	if (ipv6_addr_type(&ifaddr->v6) & IPV6_ADDR_LINKLOCAL)
		ifaddr->scope_id = dev->ifindex;
	dev_put(dev);
	return 0;
}
#endif

/**
 * rsk_mc_send_src - the address a datagram to a group leaves from
 * @rs: the sending socket, lock_sock held
 * @group: the group
 * @src: the socket's own address if bound to one, else the multicast
 *	 interface's, else AF_UNSPEC (the route to the group decides)
 *
 * Return: 0, or -errno if the chosen interface has no address.
 */
int rsk_mc_send_src(struct rsk_sock *rs, const struct rsk_addr *group,
		    struct rsk_addr *src)
{
	struct net *net = sock_net(&rs->sk);
	struct net_device *dev;
	int ifindex, err = 0;

	memset(src, 0, sizeof(*src));
	if (rs->bound && !rsk_addr_is_any(&rs->local) &&
	    !rsk_addr_is_multicast(&rs->local) &&
	    rs->local.family == group->family) {
		*src = rs->local;
		src->port = 0;
		return 0;
	}
	if (group->family == AF_INET && rsk_dgram(rs)->mc_if.family == AF_INET) {
		*src = rsk_dgram(rs)->mc_if;
		return 0;
	}
	ifindex = group->family == AF_INET ? rsk_dgram(rs)->mc_ifindex : rsk_dgram(rs)->mc6_ifindex;
	if (!ifindex)
		return 0;
	dev = dev_get_by_index(net, ifindex);
	if (!dev)
		return -ENODEV;
	src->family = group->family;
	if (group->family == AF_INET) {
		src->v4 = rsk_mc_dev_addr4(dev);
		if (!src->v4)
			err = -EADDRNOTAVAIL;
	}
#if IS_ENABLED(CONFIG_IPV6)
	if (group->family == AF_INET6) {
		if (ipv6_dev_get_saddr(net, dev, &group->v6, 0, &src->v6))
			err = -EADDRNOTAVAIL;
		else if (ipv6_addr_type(&src->v6) & IPV6_ADDR_LINKLOCAL)
			src->scope_id = dev->ifindex;
	}
#endif
	dev_put(dev);
	return err;
}

/* ---- socket options ---- */

static int rsk_mc_set_membership4(struct rsk_sock *rs, int optname,
				  sockptr_t optval, unsigned int optlen)
{
	struct rsk_addr group = { .family = AF_INET }, ifaddr;
	struct ip_mreqn mreq = {};
	int ifindex, err;

	if (optlen < sizeof(struct ip_mreq))
		return -EINVAL;
	if (copy_from_sockptr(&mreq, optval,
			      min_t(unsigned int, optlen, sizeof(mreq))))
		return -EFAULT;
	if (!ipv4_is_multicast(mreq.imr_multiaddr.s_addr))
		return -EINVAL;
	group.v4 = mreq.imr_multiaddr.s_addr;
	err = rsk_mc_if4(sock_net(&rs->sk), &mreq, &ifindex, &ifaddr);
	if (optname == IP_DROP_MEMBERSHIP) {
		/* No interface named, and the route finds none: ENODEV. */
		if (err == -ENODEV && !mreq.imr_ifindex &&
		    !mreq.imr_address.s_addr)
			return err;
		return rsk_mc_leave4(rs, &group, &mreq);
	}
	if (err)
		return err;
	return rsk_mc_join(rs, &group, ifindex, &ifaddr,
			   mreq.imr_address.s_addr);
}

/* IP_MULTICAST_IF: an address (in_addr, ip_mreq) or ip_mreqn. */
static int rsk_mc_set_if4(struct rsk_sock *rs, sockptr_t optval,
			  unsigned int optlen)
{
	struct net *net = sock_net(&rs->sk);
	struct ip_mreqn mreq = {};
	struct net_device *dev;

	if (optlen >= sizeof(struct ip_mreqn)) {
		if (copy_from_sockptr(&mreq, optval, sizeof(mreq)))
			return -EFAULT;
	} else if (optlen >= sizeof(struct ip_mreq)) {
		if (copy_from_sockptr(&mreq, optval, sizeof(struct ip_mreq)))
			return -EFAULT;
	} else if (optlen >= sizeof(struct in_addr)) {
		if (copy_from_sockptr(&mreq.imr_address, optval,
				      sizeof(struct in_addr)))
			return -EFAULT;
	} else {
		return -EINVAL;
	}
	if (!mreq.imr_ifindex && !mreq.imr_address.s_addr) {
		memset(&rsk_dgram(rs)->mc_if, 0, sizeof(rsk_dgram(rs)->mc_if));
		rsk_dgram(rs)->mc_ifindex = 0;
		return 0;
	}
	if (mreq.imr_ifindex)
		dev = dev_get_by_index(net, mreq.imr_ifindex);
	else
		dev = ip_dev_find(net, mreq.imr_address.s_addr);
	if (!dev)
		return -EADDRNOTAVAIL;
	rsk_dgram(rs)->mc_ifindex = dev->ifindex;
	dev_put(dev);
	memset(&rsk_dgram(rs)->mc_if, 0, sizeof(rsk_dgram(rs)->mc_if));
	if (mreq.imr_address.s_addr) {
		rsk_dgram(rs)->mc_if.family = AF_INET;
		rsk_dgram(rs)->mc_if.v4 = mreq.imr_address.s_addr;
	}
	return 0;
}

/* An int or, as IP's options take it, a single byte. */
static int rsk_mc_get_val(sockptr_t optval, unsigned int optlen, int *val)
{
	unsigned char c;

	if (optlen >= sizeof(int))
		return copy_from_sockptr(val, optval, sizeof(int)) ? -EFAULT : 0;
	if (optlen < 1)
		return -EINVAL;
	if (copy_from_sockptr(&c, optval, 1))
		return -EFAULT;
	*val = c;
	return 0;
}

static int rsk_mc_setsockopt_ip(struct rsk_sock *rs, int optname,
				sockptr_t optval, unsigned int optlen)
{
	int val, err;

	switch (optname) {
	case IP_ADD_MEMBERSHIP:
	case IP_DROP_MEMBERSHIP:
		return rsk_mc_set_membership4(rs, optname, optval, optlen);
	case IP_MULTICAST_IF:
		return rsk_mc_set_if4(rs, optval, optlen);
	case IP_MULTICAST_TTL:
	case IP_MULTICAST_LOOP:
		err = rsk_mc_get_val(optval, optlen, &val);
		if (err)
			return err;
		if (optname == IP_MULTICAST_LOOP) {
			rsk_dgram(rs)->mc_loop = !!val;
			return 0;
		}
		if (val == -1)
			val = RSK_MC_DEFAULT_TTL;
		if (val < 0 || val > 255)
			return -EINVAL;
		rsk_dgram(rs)->mc_ttl = val;
		return 0;
	}
	return -ENOPROTOOPT;
}

#if IS_ENABLED(CONFIG_IPV6)
static int rsk_mc_set_membership6(struct rsk_sock *rs, int optname,
				  sockptr_t optval, unsigned int optlen)
{
	struct rsk_addr group = { .family = AF_INET6 }, ifaddr;
	struct rsk_mc_membership *m;
	struct ipv6_mreq mreq;
	int ifindex, err;

	if (optlen < sizeof(mreq))
		return -EINVAL;
	if (copy_from_sockptr(&mreq, optval, sizeof(mreq)))
		return -EFAULT;
	if (!ipv6_addr_is_multicast(&mreq.ipv6mr_multiaddr))
		return -EINVAL;
	group.v6 = mreq.ipv6mr_multiaddr;
	if (optname == IPV6_DROP_MEMBERSHIP)
		return rsk_mc_leave6(rs, &group, mreq.ipv6mr_ifindex);
	/* As ipv6_sock_mc_join(): index 0 clashes with any interface. */
	list_for_each_entry(m, &rsk_dgram(rs)->mc_list, node)
		if (rsk_addr_same_host(&m->group->addr, &group) &&
		    (!mreq.ipv6mr_ifindex ||
		     m->group->ifindex == mreq.ipv6mr_ifindex))
			return -EADDRINUSE;
	err = rsk_mc_if6(sock_net(&rs->sk), &group.v6, mreq.ipv6mr_ifindex,
			 &ifindex, &ifaddr);
	if (err)
		return err;
	return rsk_mc_join(rs, &group, ifindex, &ifaddr, 0);
}

static int rsk_mc_setsockopt_ipv6(struct rsk_sock *rs, int optname,
				  sockptr_t optval, unsigned int optlen)
{
	struct net_device *dev;
	int val;

	switch (optname) {
	case IPV6_ADD_MEMBERSHIP:
	case IPV6_DROP_MEMBERSHIP:
		return rsk_mc_set_membership6(rs, optname, optval, optlen);
	case IPV6_MULTICAST_IF:
	case IPV6_MULTICAST_HOPS:
	case IPV6_MULTICAST_LOOP:
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	switch (optname) {
	case IPV6_MULTICAST_IF:
		if (val) {
			dev = dev_get_by_index(sock_net(&rs->sk), val);
			if (!dev)
				return -ENODEV;
			dev_put(dev);
		}
		rsk_dgram(rs)->mc6_ifindex = val;
		return 0;
	case IPV6_MULTICAST_HOPS:
		if (val < -1 || val > 255)
			return -EINVAL;
		rsk_dgram(rs)->mc_hops = val == -1 ? RSK_MC_DEFAULT_TTL : val;
		return 0;
	default:	/* IPV6_MULTICAST_LOOP */
		if (val != 0 && val != 1)
			return -EINVAL;
		rsk_dgram(rs)->mc6_loop = val;
		return 0;
	}
}
#endif

/**
 * rsk_mc_setsockopt - IP and IPv6 multicast options of a datagram socket
 * @rs: the socket
 * @level: SOL_IP or SOL_IPV6
 * @optname: the option
 * @optval: its value
 * @optlen: its length
 *
 * The options and errnos of UDP sockets (ip(7), ipv6(7)).
 * Return: 0 or -errno; -ENOPROTOOPT for any other option.
 */
int rsk_mc_setsockopt(struct rsk_sock *rs, int level, int optname,
		      sockptr_t optval, unsigned int optlen)
{
	int err = -ENOPROTOOPT;

	lock_sock(&rs->sk);
	if (level == SOL_IP)
		err = rsk_mc_setsockopt_ip(rs, optname, optval, optlen);
#if IS_ENABLED(CONFIG_IPV6)
	else if (level == SOL_IPV6)
		err = rsk_mc_setsockopt_ipv6(rs, optname, optval, optlen);
#endif
	release_sock(&rs->sk);
	return err;
}

/**
 * rsk_mc_getsockopt - read back the multicast options
 * @rs: the socket
 * @level: SOL_IP or SOL_IPV6
 * @optname: the option
 * @optval: where to
 * @optlen: its room, then what was written
 *
 * As IP's: an int, or one byte when the caller gives less room.
 * Return: 0 or -errno.
 */
int rsk_mc_getsockopt(struct rsk_sock *rs, int level, int optname,
		      char __user *optval, int __user *optlen)
{
	struct in_addr addr = {};
	unsigned char c;
	int len, val;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	lock_sock(&rs->sk);
	val = -1;
	if (level == SOL_IP && optname == IP_MULTICAST_TTL)
		val = rsk_dgram(rs)->mc_ttl;
	else if (level == SOL_IP && optname == IP_MULTICAST_LOOP)
		val = rsk_dgram(rs)->mc_loop;
	else if (level == SOL_IP && optname == IP_MULTICAST_IF)
		addr.s_addr = rsk_dgram(rs)->mc_if.family == AF_INET ? rsk_dgram(rs)->mc_if.v4 : 0;
	else if (level == SOL_IPV6 && optname == IPV6_MULTICAST_HOPS)
		val = rsk_dgram(rs)->mc_hops;
	else if (level == SOL_IPV6 && optname == IPV6_MULTICAST_LOOP)
		val = rsk_dgram(rs)->mc6_loop;
	else if (level == SOL_IPV6 && optname == IPV6_MULTICAST_IF)
		val = rsk_dgram(rs)->mc6_ifindex;
	else
		len = -ENOPROTOOPT;
	release_sock(&rs->sk);
	if (len < 0)
		return len;
	if (level == SOL_IP && optname == IP_MULTICAST_IF) {
		len = min_t(int, len, sizeof(addr));
		if (put_user(len, optlen) || copy_to_user(optval, &addr, len))
			return -EFAULT;
		return 0;
	}
	if (level == SOL_IPV6 && len < (int)sizeof(int))
		return -EINVAL;
	if (len < (int)sizeof(int) && len > 0) {
		c = val;
		return put_user(1, optlen) || put_user(c, optval) ? -EFAULT : 0;
	}
	len = min_t(int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}
