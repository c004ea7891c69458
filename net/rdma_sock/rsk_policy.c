// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: acceleration policy, the rules a transparent-acceleration
 * layer asks before it turns a TCP or UDP socket into one of ours.
 *
 * The module only holds the rules, per network namespace, in the order
 * they are tried (prio, then id); rdmasockctl edits them through the
 * generic netlink family (rsk_netlink.c), and whoever accelerates reads
 * them with a dump.  Each rule is checked as a route is: the address fits
 * its family, the prefix its address, no bit set past the prefix.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/rdma_sock.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "rsk.h"

static bool rsk_policy_host_bits(const u8 *addr, unsigned int len,
				 unsigned int prefix)
{
	unsigned int i;

	for (i = prefix / 8; i < len; i++) {
		u8 mask = i == prefix / 8 ? 0xff >> (prefix % 8) : 0xff;

		if (addr[i] & mask)
			return true;
	}
	return false;
}

/* The destination: a family, an address of its length, a prefix. */
static int rsk_policy_parse_dst(struct rsk_policy *rule, struct nlattr **tb,
				struct netlink_ext_ack *extack)
{
	struct nlattr *dst = tb[RDMA_SOCK_POLICY_DST];
	unsigned int len;

	if (tb[RDMA_SOCK_POLICY_FAMILY])
		rule->family = nla_get_u16(tb[RDMA_SOCK_POLICY_FAMILY]);
	if (rule->family != AF_UNSPEC && rule->family != AF_INET &&
	    rule->family != AF_INET6) {
		NL_SET_ERR_MSG(extack, "family is AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (!dst) {
		if (tb[RDMA_SOCK_POLICY_DST_PREFIX]) {
			NL_SET_ERR_MSG(extack, "a prefix length needs an address");
			return -EINVAL;
		}
		return 0;
	}
	len = rule->family == AF_INET ? 4 : 16;
	if (rule->family == AF_UNSPEC || nla_len(dst) != len) {
		NL_SET_ERR_MSG_ATTR(extack, dst,
				    "the address does not fit the family");
		return -EINVAL;
	}
	memcpy(rule->dst, nla_data(dst), len);
	rule->prefix = len * 8;
	if (tb[RDMA_SOCK_POLICY_DST_PREFIX])
		rule->prefix = nla_get_u8(tb[RDMA_SOCK_POLICY_DST_PREFIX]);
	if (rule->prefix > len * 8) {
		NL_SET_ERR_MSG(extack, "prefix length longer than the address");
		return -EINVAL;
	}
	if (rsk_policy_host_bits(rule->dst, len, rule->prefix)) {
		NL_SET_ERR_MSG(extack, "address has bits set past the prefix");
		return -EINVAL;
	}
	return 0;
}

/**
 * rsk_policy_parse - a rule from a RDMA_SOCK_A_POLICY nest's attributes
 * @rule: filled in; its id is the caller's to give
 * @tb: the nest, parsed against rsk_nl_policy_attrs (types and ranges)
 * @extack: why it was refused
 *
 * Return: 0, or -EINVAL / -EAFNOSUPPORT with a message in @extack.
 */
int rsk_policy_parse(struct rsk_policy *rule, struct nlattr **tb,
		     struct netlink_ext_ack *extack)
{
	int err;

	memset(rule, 0, sizeof(*rule));
	if (!tb[RDMA_SOCK_POLICY_ACTION]) {
		NL_SET_ERR_MSG(extack, "a rule needs an action");
		return -EINVAL;
	}
	rule->action = nla_get_u8(tb[RDMA_SOCK_POLICY_ACTION]);
	rule->prio = RDMA_SOCK_POLICY_PRIO_DEFAULT;
	if (tb[RDMA_SOCK_POLICY_PRIO])
		rule->prio = nla_get_u32(tb[RDMA_SOCK_POLICY_PRIO]);
	if (tb[RDMA_SOCK_POLICY_TYPE])
		rule->type = nla_get_u16(tb[RDMA_SOCK_POLICY_TYPE]);
	if (rule->type && rule->type != SOCK_STREAM &&
	    rule->type != SOCK_DGRAM) {
		NL_SET_ERR_MSG(extack, "type is SOCK_STREAM or SOCK_DGRAM");
		return -EINVAL;
	}
	err = rsk_policy_parse_dst(rule, tb, extack);
	if (err)
		return err;
	rule->dport_max = U16_MAX;
	if (tb[RDMA_SOCK_POLICY_DPORT_MIN])
		rule->dport_min = nla_get_u16(tb[RDMA_SOCK_POLICY_DPORT_MIN]);
	if (tb[RDMA_SOCK_POLICY_DPORT_MAX])
		rule->dport_max = nla_get_u16(tb[RDMA_SOCK_POLICY_DPORT_MAX]);
	if (rule->dport_min > rule->dport_max) {
		NL_SET_ERR_MSG(extack, "port range ends before it starts");
		return -EINVAL;
	}
	if (tb[RDMA_SOCK_POLICY_PROGRAM])
		nla_strscpy(rule->program, tb[RDMA_SOCK_POLICY_PROGRAM],
			    sizeof(rule->program));
	return 0;
}

/* Rules that match the same sockets in the same place. */
static bool rsk_policy_same(const struct rsk_policy *a,
			    const struct rsk_policy *b)
{
	return a->prio == b->prio && a->type == b->type &&
	       a->family == b->family && a->prefix == b->prefix &&
	       !memcmp(a->dst, b->dst, sizeof(a->dst)) &&
	       a->dport_min == b->dport_min && a->dport_max == b->dport_max &&
	       !strcmp(a->program, b->program);
}

/**
 * rsk_policy_add - insert a copy of @rule in its place
 * @rnet: the namespace
 * @rule: parsed; its id is set to the one given
 * @extack: why it was refused
 *
 * Return: 0, -EEXIST for a rule that matches what another at its
 * priority already does, -ENOSPC past RDMA_SOCK_POLICY_RULES_MAX.
 */
int rsk_policy_add(struct rsk_net *rnet, struct rsk_policy *rule,
		   struct netlink_ext_ack *extack)
{
	struct rsk_policy *new, *pos;
	int err = 0;

	new = kmemdup(rule, sizeof(*rule), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	mutex_lock(&rnet->policy_mutex);
	if (rnet->npolicies >= RDMA_SOCK_POLICY_RULES_MAX) {
		NL_SET_ERR_MSG(extack, "too many rules");
		err = -ENOSPC;
		goto out;
	}
	list_for_each_entry(pos, &rnet->policies, node) {
		if (rsk_policy_same(pos, new)) {
			NL_SET_ERR_MSG(extack, "that rule exists");
			err = -EEXIST;
			goto out;
		}
	}
	/* After every rule of its priority or less: ids only grow. */
	list_for_each_entry(pos, &rnet->policies, node)
		if (pos->prio > new->prio)
			break;
	new->id = ++rnet->next_policy_id;
	rule->id = new->id;
	list_add_tail(&new->node, &pos->node);
	rnet->npolicies++;
	rsk_obj_inc(rnet, policies);
out:
	mutex_unlock(&rnet->policy_mutex);
	if (err)
		kfree(new);
	return err;
}

static void rsk_policy_free(struct rsk_net *rnet, struct rsk_policy *rule)
{
	list_del(&rule->node);
	rnet->npolicies--;
	rsk_obj_dec(rnet, policies);
	kfree(rule);
}

/**
 * rsk_policy_del - remove the rule @id, or every rule
 * @rnet: the namespace
 * @id: the rule's id; 0 for all of them
 *
 * Return: 0, or -ENOENT when there is no rule @id.
 */
int rsk_policy_del(struct rsk_net *rnet, u32 id)
{
	struct rsk_policy *rule, *tmp;
	int err = id ? -ENOENT : 0;

	mutex_lock(&rnet->policy_mutex);
	list_for_each_entry_safe(rule, tmp, &rnet->policies, node) {
		if (id && rule->id != id)
			continue;
		rsk_policy_free(rnet, rule);
		err = 0;
	}
	mutex_unlock(&rnet->policy_mutex);
	return err;
}

/**
 * rsk_policy_walk - call @fn for the rules in order, from the @*pos'th
 * @rnet: the namespace
 * @pos: how many an earlier walk took; advanced past each @fn returns 0 for
 * @fn: called under policy_mutex; nonzero stops the walk
 * @arg: for @fn
 *
 * Return: what @fn returned last, or 0.
 */
int rsk_policy_walk(struct rsk_net *rnet, long *pos,
		    int (*fn)(const struct rsk_policy *rule, void *arg),
		    void *arg)
{
	struct rsk_policy *rule;
	long i = 0;
	int err = 0;

	mutex_lock(&rnet->policy_mutex);
	list_for_each_entry(rule, &rnet->policies, node) {
		if (i++ < *pos)
			continue;
		err = fn(rule, arg);
		if (err)
			break;
		(*pos)++;
	}
	mutex_unlock(&rnet->policy_mutex);
	return err;
}

static int __net_init rsk_policy_net_init(struct net *net)
{
	struct rsk_net *rnet = rsk_net(net);

	mutex_init(&rnet->policy_mutex);
	INIT_LIST_HEAD(&rnet->policies);
	return 0;
}

static void __net_exit rsk_policy_net_exit(struct net *net)
{
	rsk_policy_del(rsk_net(net), 0);
}

static struct pernet_operations rsk_policy_net_ops = {
	.init	= rsk_policy_net_init,
	.exit	= rsk_policy_net_exit,
};

int rsk_policy_init(void)
{
	return register_pernet_subsys(&rsk_policy_net_ops);
}

void rsk_policy_exit(void)
{
	unregister_pernet_subsys(&rsk_policy_net_ops);
}
