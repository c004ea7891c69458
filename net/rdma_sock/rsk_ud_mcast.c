// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: multicast groups, beside the link layer with the UD transport.
 *
 * A socket's IP_ADD_MEMBERSHIP (IPV6_JOIN_GROUP) makes its namespace a
 * member of the group on one interface: one struct rsk_mc_group per
 * namespace, group and interface, held by the memberships of the sockets
 * that joined it there.  The first membership joins through rdma_cm and
 * attaches the namespace's UD endpoint on that device to the group; the
 * last one to go detaches it and leaves.  Sending to a group is the
 * transport's (rsk_ud.c: a send-only join); handing a group's datagram to
 * every socket bound to its port is rsk_dgram_deliver()'s.  A socket's
 * memberships and the multicast socket options are the socket layer's
 * (rsk_dgram_mcast.c), which takes and puts groups here.
 * Documentation/networking/rdma_sock.rst, "Datagrams", is the design.
 */
#include <linux/delay.h>
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

/* How long a join may take; RoCE answers at once, InfiniBand's SA not. */
#define RSK_MC_JOIN_MS		5000

/*
 * rsk_mc_mutex protects rsk_mc_groups, every namespace's, and the groups
 * on it; receive completions read the list under RCU.  It is not held
 * while a join waits for rdma_cm's answer (InfiniBand's SA may take up to
 * RSK_MC_JOIN_MS): a slow device must not stall every namespace's joins.
 * Nests inside lock_sock(); rsk_ud_mutex nests inside it.
 */
static DEFINE_MUTEX(rsk_mc_mutex);
static LIST_HEAD(rsk_mc_groups);

/* ---- the namespace's groups ---- */

static int rsk_mc_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	struct rsk_mc_group *g = id->context;

	switch (ev->event) {
	case RDMA_CM_EVENT_MULTICAST_JOIN:
		if (completion_done(&g->joined))
			break;
		g->mgid = rdma_ah_read_grh(&ev->param.ud.ah_attr)->dgid;
		g->mlid = rdma_ah_get_dlid(&ev->param.ud.ah_attr);
		g->err = 0;
		complete(&g->joined);
		break;
	case RDMA_CM_EVENT_MULTICAST_ERROR:
		/*
		 * Later ones (an SA that forgot us): counted, and the group
		 * is not joined again by new members (not yet rejoined).
		 */
		rsk_event(g->rnet, RSK_EV_MC_ERRORS);
		if (completion_done(&g->joined)) {
			WRITE_ONCE(g->lost, true);
			break;
		}
		g->err = ev->status ?: -ENETUNREACH;
		complete(&g->joined);
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		/* A join under way ends now, not when it times out. */
		if (!completion_done(&g->joined)) {
			g->err = -ENODEV;
			complete(&g->joined);
		}
		break;	/* a joined group: rsk_mc_kill_dev() left it first */
	default:
		break;
	}
	return 0;
}

/*
 * Another group attached through the same endpoint to the same GID (a
 * live one: a dead group has no endpoint); rsk_mc_mutex held.
 */
static struct rsk_mc_group *rsk_mc_sharer(const struct rsk_mc_group *g)
{
	struct rsk_mc_group *o;

	list_for_each_entry(o, &rsk_mc_groups, node)
		if (o != g && o->ep == g->ep &&
		    !memcmp(&o->mgid, &g->mgid, sizeof(o->mgid)))
			return o;
	return NULL;
}

#if IS_ENABLED(CONFIG_IPV6)
/*
 * The interface's IPv6 membership of the group.  Kernels before 6.2 want
 * RTNL for it (later ones take the device's mc_lock themselves); rdma_cm
 * takes RTNL for the IPv4 one too, under the same locks as here.
 */
static int rsk_mc_ip6_member(struct net_device *dev,
			     const struct in6_addr *group, bool join)
{
	int err;

	rtnl_lock();
	err = join ? ipv6_dev_mc_inc(dev, group) : ipv6_dev_mc_dec(dev, group);
	rtnl_unlock();
	return err;
}
#endif

/* Undo what rsk_mc_group_join() did, as far as it got. */
static void rsk_mc_group_leave(struct rsk_mc_group *g)
{
	struct rsk_mc_group *other;
	struct rsk_ud_ep *ep = g->ep;

	if (g->attached) {
		other = rsk_mc_sharer(g);
		if (other)
			other->attached = true;	/* the attachment is its now */
		else
			rsk_ud_ep_attach(ep, &g->mgid, g->mlid, false);
	}
	g->attached = false;
	WRITE_ONCE(g->ep, NULL);
	if (ep)
		rsk_ud_ep_put(ep);
#if IS_ENABLED(CONFIG_IPV6)
	if (g->ip6_ifindex) {
		struct net_device *dev;

		/* Gone with its interface, if that went first. */
		dev = dev_get_by_index(g->rnet->net, g->ip6_ifindex);
		if (dev) {
			rsk_mc_ip6_member(dev, &g->addr.v6, false);
			dev_put(dev);
		}
	}
#endif
	g->ip6_ifindex = 0;
	if (g->id)
		rdma_destroy_id(g->id);	/* leaves the group */
	g->id = NULL;
}

/*
 * rdma_cm joins no IPv6 group over RoCE v2.  Its wire format is IPv4's:
 * the group's address is the destination GID, so the endpoint is attached
 * to that and the interface made an IPv6 member, for its IP layer to take
 * the group's packets (rdma_cm's IGMP join does that for IPv4).
 */
static int rsk_mc_join_ip6(struct rsk_mc_group *g)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct rdma_dev_addr *da = &g->id->route.addr.dev_addr;
	struct net_device *ndev;
	int err;

	if (!rdma_protocol_roce(g->id->device, g->id->port_num))
		return -EOPNOTSUPP;
	ndev = dev_get_by_index(da->net, da->bound_dev_if);
	if (!ndev)
		return -ENODEV;
	err = rsk_mc_ip6_member(ndev, &g->addr.v6, true);
	if (!err)
		g->ip6_ifindex = ndev->ifindex;	/* no reference kept */
	dev_put(ndev);
	if (err)
		return err;
	memcpy(g->mgid.raw, &g->addr.v6, sizeof(g->mgid.raw));
	g->mlid = 0;
	return 0;
#else
	return -EAFNOSUPPORT;
#endif
}

/* A fault for tests: see rsk_mc_join_delay_ms. */
u32 rsk_mc_join_delay_ms;

/*
 * rdma_cm's answer to the join: what the handler said, or -ETIMEDOUT.
 * Without rsk_mc_mutex.
 */
static int rsk_mc_wait_join(struct rsk_mc_group *g)
{
	if (g->delay_ms)
		msleep(min_t(u32, g->delay_ms, RSK_MC_JOIN_MS));	/* a slow SA */
	if (!wait_for_completion_timeout(&g->joined,
					 msecs_to_jiffies(RSK_MC_JOIN_MS)))
		return -ETIMEDOUT;
	return g->err;
}

/*
 * Start joining @g from the interface address @ifaddr; rsk_mc_mutex
 * held.  Return: 1 when rdma_cm's answer is to be waited for, 0 when
 * joined already (IPv6 over RoCE v2), or -errno.
 */
static int rsk_mc_group_start(struct rsk_mc_group *g,
			      const struct rsk_addr *ifaddr)
{
	struct sockaddr_storage ss;
	struct rdma_cm_id *id;
	int err;

	lockdep_assert_held(&rsk_mc_mutex);
	g->delay_ms = READ_ONCE(rsk_mc_join_delay_ms);	/* once listed */
	id = rdma_create_id(g->rnet->net, rsk_mc_handler, g, RDMA_PS_UDP,
			    IB_QPT_UD);
	if (IS_ERR(id))
		return PTR_ERR(id);
	g->id = id;
	rsk_addr_to_sockaddr(ifaddr, 0, &ss);
	err = rdma_bind_addr(id, (struct sockaddr *)&ss);
	if (err || !id->device)
		return -ENODEV;		/* not an interface of an RDMA device */
	rsk_addr_to_sockaddr(&g->addr, 0, &ss);
	err = rdma_join_multicast(id, (struct sockaddr *)&ss,
				  BIT(FULLMEMBER_JOIN), g);
	if (err == -ENOTSUPP && g->addr.family == AF_INET6)
		return rsk_mc_join_ip6(g);
	return err ?: 1;
}

/* Joined: attach the namespace's endpoint; rsk_mc_mutex held. */
static int rsk_mc_group_attach(struct rsk_mc_group *g)
{
	struct rdma_cm_id *id = g->id;
	int err;

	lockdep_assert_held(&rsk_mc_mutex);
	if (!id)
		return -ENODEV;		/* its device went meanwhile */
	g->ep = rsk_ud_ep_lookup(g->rnet, id->device, id->port_num);
	if (IS_ERR(g->ep)) {
		err = PTR_ERR(g->ep);
		g->ep = NULL;
		return err;
	}
	if (rsk_mc_sharer(g))
		return 0;		/* attached already, by another */
	err = rsk_ud_ep_attach(g->ep, &g->mgid, g->mlid, true);
	if (err)
		return err;
	g->attached = true;
	return 0;
}

/* A live or joining group of the namespace; rsk_mc_mutex held. */
static struct rsk_mc_group *rsk_mc_group_find(struct rsk_net *rnet,
					      const struct rsk_addr *addr,
					      int ifindex)
{
	struct rsk_mc_group *g;

	lockdep_assert_held(&rsk_mc_mutex);
	list_for_each_entry(g, &rsk_mc_groups, node)
		if (g->rnet == rnet && (g->joining || g->id) &&
		    !READ_ONCE(g->lost) && g->ifindex == ifindex &&
		    rsk_addr_same_host(&g->addr, addr))
			return g;
	return NULL;
}

/* A later member of a group being joined: its first member's outcome. */
static struct rsk_mc_group *rsk_mc_group_await(struct rsk_mc_group *g)
{
	int err;

	wait_for_completion(&g->ready);	/* bounded: rsk_mc_wait_join() */
	err = g->result;
	if (!err)
		return g;
	rsk_mc_group_put(g);
	return ERR_PTR(err);
}

/*
 * The first member's join, outside rsk_mc_mutex but for its start and
 * its end: the group is listed, joining, while rdma_cm answers, so that
 * later members wait for it instead of joining twice.
 */
static struct rsk_mc_group *rsk_mc_group_join(struct rsk_mc_group *g,
					      const struct rsk_addr *ifaddr)
{
	struct rsk_net *rnet = g->rnet;
	int err;

	err = rsk_mc_group_start(g, ifaddr);
	list_add_tail_rcu(&g->node, &rsk_mc_groups);
	rsk_obj_inc(rnet, mc_groups);
	mutex_unlock(&rsk_mc_mutex);
	if (err == 1)
		err = rsk_mc_wait_join(g);

	mutex_lock(&rsk_mc_mutex);
	if (!err)
		err = rsk_mc_group_attach(g);
	if (err)
		rsk_mc_group_leave(g);	/* dead: id NULL, never found */
	g->joining = false;
	g->result = err;
	mutex_unlock(&rsk_mc_mutex);
	complete_all(&g->ready);
	if (err) {
		rsk_event(rnet, RSK_EV_MC_JOIN_FAILURES);
		rsk_mc_group_put(g);
		return ERR_PTR(err);
	}
	rsk_event(rnet, RSK_EV_MC_JOINS);
	return g;
}

/**
 * rsk_mc_group_get - the namespace's live group @addr on @ifindex, joined
 *	if need be
 * @rnet: the namespace
 * @addr: the group
 * @ifindex: the interface
 * @ifaddr: its address, to join from
 *
 * Process context; sleeps until the join is answered (RSK_MC_JOIN_MS at
 * most), without rsk_mc_mutex.
 *
 * Return: the group with a membership for the caller, or ERR_PTR.
 */
struct rsk_mc_group *rsk_mc_group_get(struct rsk_net *rnet,
				      const struct rsk_addr *addr,
				      int ifindex,
				      const struct rsk_addr *ifaddr)
{
	struct rsk_mc_group *g;

	mutex_lock(&rsk_mc_mutex);
	g = rsk_mc_group_find(rnet, addr, ifindex);
	if (g) {
		g->users++;
		if (!g->joining) {
			mutex_unlock(&rsk_mc_mutex);
			return g;
		}
		mutex_unlock(&rsk_mc_mutex);
		return rsk_mc_group_await(g);
	}
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g) {
		mutex_unlock(&rsk_mc_mutex);
		return ERR_PTR(-ENOBUFS);
	}
	g->rnet = rnet;
	g->addr = *addr;
	g->addr.port = 0;
	g->ifindex = ifindex;
	g->users = 1;
	g->joining = true;
	init_completion(&g->joined);
	init_completion(&g->ready);
	return rsk_mc_group_join(g, ifaddr);	/* unlocks */
}

void rsk_mc_group_put(struct rsk_mc_group *g)
{
	mutex_lock(&rsk_mc_mutex);
	if (!--g->users) {
		rsk_mc_group_leave(g);
		list_del_rcu(&g->node);
		rsk_obj_dec(g->rnet, mc_groups);
		kfree_rcu(g, rcu);
	}
	mutex_unlock(&rsk_mc_mutex);
}

/**
 * rsk_mc_kill_dev - a device is going: its groups are left
 * @rdev: the device
 *
 * Before its endpoints go: an attached QP cannot be destroyed.  The
 * groups stay, dead, until their members leave them or close; a new join
 * makes a new group.
 */
void rsk_mc_kill_dev(struct rsk_device *rdev)
{
	struct rsk_mc_group *g;

	mutex_lock(&rsk_mc_mutex);
	list_for_each_entry(g, &rsk_mc_groups, node)
		if (g->ep && rsk_ud_ep_dev(g->ep) == rdev)
			rsk_mc_group_leave(g);
	mutex_unlock(&rsk_mc_mutex);
}

/**
 * rsk_mc_heard - whether the namespace takes a group's datagram
 * @rnet: the namespace
 * @ep: the endpoint it came in by
 * @group: the group it was sent to
 *
 * Only groups the namespace joined on that endpoint's device: not those a
 * peer sends straight to the endpoint's QPN.  Softirq; RCU inside.
 */
bool rsk_mc_heard(struct rsk_net *rnet, const struct rsk_ud_ep *ep,
		  const struct rsk_addr *group)
{
	struct rsk_mc_group *g;
	bool heard = false;

	rcu_read_lock();
	list_for_each_entry_rcu(g, &rsk_mc_groups, node) {
		if (g->rnet == rnet && READ_ONCE(g->ep) == ep &&
		    rsk_addr_same_host(&g->addr, group)) {
			heard = true;
			break;
		}
	}
	rcu_read_unlock();
	return heard;
}

