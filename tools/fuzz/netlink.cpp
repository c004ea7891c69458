// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_fuzz: the "rdma_sock" generic netlink family.
 *
 * Every command of the uapi header, and numbers past them, as do and as
 * dump, with the attributes they take, wrong ones, missing ones, garbage
 * and truncated messages.  Messages are built with libnl but sent and
 * read here, with poll(), so that no request waits more than 300 ms for
 * its answer; an answer that comes later is thrown away before the next
 * request.
 *
 * POLICY_ADD and POLICY_DEL change the namespace's acceleration rules.
 * The rules there before the run are kept: POLICY_DEL without a rule id
 * deletes every rule, so it is sent only if there were none, and ids of
 * rules that were there are never named.  At exit every rule the run
 * added is deleted (remove_added_rules()).
 */
#include "fuzz.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/rdma_sock.h>

namespace fuzz {

namespace {

using Clock = std::chrono::steady_clock;

/* A netlink socket of the generic family, answers read by hand. */
nl_sock *open_socket()
{
	nl_sock *sk = nl_socket_alloc();

	if (!sk)
		return nullptr;
	if (nl_connect(sk, NETLINK_GENERIC) < 0) {
		nl_socket_free(sk);
		return nullptr;
	}
	nl_socket_disable_auto_ack(sk);	/* NLM_F_ACK is the fuzzer's to set */
	nl_socket_set_buffer_size(sk, 1 << 20, 0);
	return sk;
}

/*
 * Reads answers until the last one (NLMSG_DONE, an error or ACK, or a
 * reply that is not part of a dump), @max_reads reads, or @ms.  Returns
 * the error's errno (0 for an ACK), or 0 if none came.
 */
int read_answers(int fd, int ms, int max_reads,
		 const std::function<void(nlmsghdr *)> &on_reply)
{
	static thread_local std::vector<unsigned char> buf(64 * 1024);
	auto deadline = Clock::now() + std::chrono::milliseconds(ms);

	for (int reads = 0; reads < max_reads; reads++) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
			deadline - Clock::now()).count();
		pollfd p = { fd, POLLIN, 0 };

		if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0)
			return 0;
		long n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
		if (n <= 0)
			return 0;
		int len = static_cast<int>(n);
		for (auto *h = reinterpret_cast<nlmsghdr *>(buf.data()); NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				auto *e = static_cast<nlmsgerr *>(NLMSG_DATA(h));
				return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? -e->error : 0;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (on_reply)
				on_reply(h);
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
	return 0;
}

/* Whatever a late answer left behind, without waiting. */
void flush(int fd)
{
	static thread_local std::vector<unsigned char> buf(64 * 1024);

	for (int i = 0; i < 64 && recv(fd, buf.data(), buf.size(), MSG_DONTWAIT) > 0; i++)
		;
}

/* A request of @cmd with @flags and no attributes yet. */
nl_msg *new_request(int family, int cmd, int flags, int version)
{
	nl_msg *m = nlmsg_alloc_size(16384);

	if (m && !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			      static_cast<uint8_t>(cmd), static_cast<uint8_t>(version))) {
		nlmsg_free(m);
		return nullptr;
	}
	return m;
}

/* Sends @m as built (no flag added), or only its first @len bytes. */
int send_request(nl_sock *sk, nl_msg *m, size_t len = 0)
{
	nlmsghdr *h = nlmsg_hdr(m);
	static std::atomic<uint32_t> seq{1};

	h->nlmsg_seq = seq++;
	if (len && len < h->nlmsg_len)
		h->nlmsg_len = static_cast<uint32_t>(len);	/* truncated */
	return nl_sendto(sk, h, h->nlmsg_len);
}

/* The POLICY_ID of a POLICY_GET reply, or 0. */
uint32_t rule_id_of(nlmsghdr *h)
{
	nlattr *tb[RDMA_SOCK_A_MAX + 1] = {};
	nlattr *rule[RDMA_SOCK_POLICY_MAX + 1] = {};

	if (genlmsg_parse(h, 0, tb, RDMA_SOCK_A_MAX, nullptr) ||
	    !tb[RDMA_SOCK_A_POLICY] ||
	    nla_parse_nested(rule, RDMA_SOCK_POLICY_MAX, tb[RDMA_SOCK_A_POLICY], nullptr) ||
	    !rule[RDMA_SOCK_POLICY_ID] || nla_len(rule[RDMA_SOCK_POLICY_ID]) < 4)
		return 0;
	return nla_get_u32(rule[RDMA_SOCK_POLICY_ID]);
}

/* Every rule's id, from a POLICY_GET dump. */
std::vector<uint32_t> dump_rule_ids(int family)
{
	std::vector<uint32_t> ids;
	nl_sock *sk = open_socket();

	if (!sk)
		return ids;
	nl_msg *m = new_request(family, RDMA_SOCK_CMD_POLICY_GET, NLM_F_REQUEST | NLM_F_DUMP,
				RDMA_SOCK_GENL_VERSION);
	if (m && send_request(sk, m) >= 0)
		read_answers(nl_socket_get_fd(sk), 2000, 4096, [&](nlmsghdr *h) {
			if (uint32_t id = rule_id_of(h))
				ids.push_back(id);
		});
	nlmsg_free(m);
	nl_socket_free(sk);
	return ids;
}

/* POLICY_DEL of rule @id (never 0: that is every rule); its errno. */
int delete_rule(int family, uint32_t id)
{
	nl_sock *sk = open_socket();
	int err = -1;

	if (!sk)
		return err;
	nl_msg *m = new_request(family, RDMA_SOCK_CMD_POLICY_DEL, NLM_F_REQUEST | NLM_F_ACK,
				RDMA_SOCK_GENL_VERSION);
	nlattr *nest = m ? nla_nest_start(m, RDMA_SOCK_A_POLICY) : nullptr;
	if (nest && !nla_put_u32(m, RDMA_SOCK_POLICY_ID, id)) {
		nla_nest_end(m, nest);
		if (send_request(sk, m) >= 0)
			err = read_answers(nl_socket_get_fd(sk), 1000, 4, nullptr);
	}
	nlmsg_free(m);
	nl_socket_free(sk);
	return err;
}

/* ---------------------------------------------------------- building */

/* A payload of @right bytes holding @v, or of a wrong size. */
void put_int(Ctx &c, nl_msg *m, int type, uint64_t v, int right)
{
	int len = c.chance(90) ? right : c.pick<int>({0, 1, 2, 3, 5, 8, 16});
	unsigned char buf[16] = {};

	memcpy(buf, &v, sizeof(v));	/* little endian: the low bytes first */
	nla_put(m, type, len, buf);
}

uint32_t gen_u32(Ctx &c)
{
	return c.pick<uint32_t>({0, 1, 2, 1000, 1001, 0xffffffffu,
				 static_cast<uint32_t>(c.below(64)),
				 static_cast<uint32_t>(c.next())});
}

void put_dst(Ctx &c, nl_msg *m)
{
	unsigned char a[20];
	int len = c.pick<int>({4, 16, 4, 16, 0, 3, 5, 17, 20});

	c.fill_random(a, sizeof(a));
	if (len == 4 && c.chance(50))
		memcpy(a, &c.pick(c.sh.addrs.v4).sin_addr, 4);
	nla_put(m, RDMA_SOCK_POLICY_DST, len, a);
}

void put_program(Ctx &c, nl_msg *m)
{
	char name[24];
	int len = c.pick<int>({0, 1, 8, 15, 16, 17, 20});

	for (int i = 0; i < len; i++)
		name[i] = static_cast<char>('a' + c.below(26));
	/* Mostly NUL-terminated; NLA_NUL_STRING must refuse the others. */
	if (c.chance(85))
		name[len++] = '\0';
	nla_put(m, RDMA_SOCK_POLICY_PROGRAM, len, name);
}

/* One attribute of a rule (not its id: see put_rule()). */
void put_rule_attr(Ctx &c, nl_msg *m, int type)
{
	switch (type) {
	case RDMA_SOCK_POLICY_PRIO:
		put_int(c, m, type, gen_u32(c), 4);
		break;
	case RDMA_SOCK_POLICY_ACTION:
		put_int(c, m, type, c.pick<uint8_t>({1, 2, 1, 2, 0, 3, 255}), 1);
		break;
	case RDMA_SOCK_POLICY_TYPE:
		put_int(c, m, type, c.pick<uint16_t>({SOCK_STREAM, SOCK_DGRAM, 0, 3, 0xffff}), 2);
		break;
	case RDMA_SOCK_POLICY_FAMILY:
		put_int(c, m, type, c.pick<uint16_t>({AF_INET, AF_INET6, 0, 19, 0xffff}), 2);
		break;
	case RDMA_SOCK_POLICY_DST:
		put_dst(c, m);
		break;
	case RDMA_SOCK_POLICY_DST_PREFIX:
		put_int(c, m, type, c.pick<uint8_t>({0, 8, 24, 32, 33, 64, 128, 129, 255}), 1);
		break;
	case RDMA_SOCK_POLICY_DPORT_MIN:
	case RDMA_SOCK_POLICY_DPORT_MAX:
		put_int(c, m, type, c.pick<uint16_t>({0, 1, 7500, 7515, 65535,
						      static_cast<uint16_t>(c.next())}), 2);
		break;
	case RDMA_SOCK_POLICY_PROGRAM:
		put_program(c, m);
		break;
	default: {	/* past the last the module knows */
		unsigned char junk[8];
		c.fill_random(junk, sizeof(junk));
		nla_put(m, type, static_cast<int>(c.below(9)), junk);
	}
	}
}

/* An id for POLICY_DEL that names no rule there before the run. */
uint32_t safe_rule_id(Ctx &c)
{
	uint32_t id = gen_u32(c);

	return c.sh.netlink->is_initial_rule(id) ? 0 : id;
}

/*
 * RDMA_SOCK_A_POLICY: a rule, each attribute there or not.  An id goes in
 * a POLICY_ADD now and then (refused) and in most POLICY_DELs.
 */
void put_rule(Ctx &c, nl_msg *m, bool del)
{
	nlattr *nest = nla_nest_start(m, RDMA_SOCK_A_POLICY);

	if (!nest)
		return;
	if (del ? c.chance(95) : c.chance(5))
		put_int(c, m, RDMA_SOCK_POLICY_ID, del ? safe_rule_id(c) : gen_u32(c), 4);
	for (int type = RDMA_SOCK_POLICY_PRIO; type <= RDMA_SOCK_POLICY_MAX + 2; type++)
		if (c.chance(del ? 10 : 50))
			put_rule_attr(c, m, type);
	nla_nest_end(m, nest);
}

/* Top-level attributes of any type with any payload; @no_policy keeps
 * RDMA_SOCK_A_POLICY out (a second one would replace the first). */
void put_garbage(Ctx &c, nl_msg *m, bool no_policy)
{
	unsigned char junk[64];

	for (int i = 0, n = static_cast<int>(c.range(1, 4)); i < n; i++) {
		int type = static_cast<int>(c.below(RDMA_SOCK_A_MAX + 4));
		if (no_policy && type == RDMA_SOCK_A_POLICY)
			continue;
		c.fill_random(junk, sizeof(junk));
		if (c.chance(20))
			type |= NLA_F_NESTED;
		nla_put(m, type, static_cast<int>(c.below(sizeof(junk) + 1)), junk);
	}
}

/* Flags: dump commands mostly as dumps, the others mostly not. */
int gen_flags(Ctx &c, int cmd)
{
	bool dump_cmd = cmd == RDMA_SOCK_CMD_DEV_GET || cmd == RDMA_SOCK_CMD_LINK_GET ||
			cmd == RDMA_SOCK_CMD_SOCK_GET || cmd == RDMA_SOCK_CMD_POLICY_GET;
	int flags = NLM_F_REQUEST;

	if (c.chance(dump_cmd ? 80 : 15))
		flags |= NLM_F_DUMP;
	if (c.chance(30))
		flags |= NLM_F_ACK;
	if (c.chance(3))
		flags ^= NLM_F_REQUEST;	/* not a request: ignored */
	if (c.chance(5))
		flags |= 1 << c.below(16);
	return flags;
}

} /* namespace */

/* ------------------------------------------------------------ family */

ThreadNetlink::~ThreadNetlink()
{
	if (sk)
		nl_socket_free(sk);
}

std::unique_ptr<Netlink> Netlink::open(int verbose)
{
	std::unique_ptr<Netlink> nl;
	nl_sock *sk = nl_socket_alloc();

	if (!sk)
		return nl;
	int family = -1;
	if (genl_connect(sk) == 0)
		family = genl_ctrl_resolve(sk, RDMA_SOCK_GENL_NAME);
	nl_socket_free(sk);
	if (family < 0) {
		fprintf(stderr, "rsk_fuzz: no generic netlink family \"%s\": "
			"no netlink operations\n", RDMA_SOCK_GENL_NAME);
		return nl;
	}
	nl.reset(new Netlink);
	nl->family_ = family;
	if (verbose)
		fprintf(stderr, "rsk_fuzz: generic netlink family %d\n", family);
	return nl;
}

void Netlink::snapshot_rules()
{
	initial_rules_ = dump_rule_ids(family_);
	std::sort(initial_rules_.begin(), initial_rules_.end());
}

bool Netlink::is_initial_rule(uint32_t id) const
{
	return std::binary_search(initial_rules_.begin(), initial_rules_.end(), id);
}

int Netlink::remove_added_rules()
{
	int removed = 0;

	/* Several passes: a dump cut short by its deadline leaves some. */
	for (int pass = 0; pass < 4; pass++) {
		std::vector<uint32_t> ids = dump_rule_ids(family_);
		int before = removed;

		for (uint32_t id : ids)
			if (!is_initial_rule(id) && delete_rule(family_, id) == 0)
				removed++;
		if (removed == before)
			break;
	}
	return removed;
}

/* --------------------------------------------------------- operation */

/* The thread's socket; now and then a fresh one, dropping a dump that
 * was under way with the old. */
static nl_sock *thread_socket(Ctx &c)
{
	if (!c.nl)
		c.nl.reset(new ThreadNetlink);
	if (c.nl->sk && c.chance(3)) {
		nl_socket_free(c.nl->sk);
		c.nl->sk = nullptr;
	}
	if (!c.nl->sk) {
		c.begin("netlink socket");
		c.nl->sk = open_socket();
		c.sys(c.nl->sk ? 0 : -1);
		if (c.nl->sk && c.chance(70)) {
			int on = 1;	/* the module's messages with its errors */
			setsockopt(nl_socket_get_fd(c.nl->sk), SOL_NETLINK,
				   NETLINK_EXT_ACK, &on, sizeof(on));
		}
	}
	return c.nl->sk;
}

/* The attributes of a request of @cmd. */
static void fill_request(Ctx &c, nl_msg *m, int cmd, bool keep_rules)
{
	bool del = cmd == RDMA_SOCK_CMD_POLICY_DEL;

	if (keep_rules) {
		/* A DEL whose nest must stay: a rule id, nothing that could
		 * replace it or cut it off. */
		put_rule(c, m, true);
		if (c.chance(20))
			put_garbage(c, m, true);
		return;
	}
	switch (c.below(4)) {
	case 0:
		break;				/* none */
	case 1:
		put_garbage(c, m, false);
		break;
	default:
		put_rule(c, m, del);
		if (c.chance(20))
			put_garbage(c, m, false);
	}
}

void op_netlink(Ctx &c)
{
	nl_sock *sk = thread_socket(c);

	if (!sk)
		return;
	int fd = nl_socket_get_fd(sk);
	flush(fd);
	int cmd = c.chance(90) ? static_cast<int>(c.range(0, RDMA_SOCK_CMD_MAX + 2)) :
				 static_cast<int>(c.below(256));
	int flags = gen_flags(c, cmd);
	int version = c.chance(95) ? RDMA_SOCK_GENL_VERSION : static_cast<int>(c.below(256));
	/* A DEL with no rule id is "delete every rule": not with rules that
	 * were there before the run. */
	bool keep_rules = cmd == RDMA_SOCK_CMD_POLICY_DEL && !c.sh.netlink->may_delete_all();
	nl_msg *m = new_request(c.sh.netlink->family(), cmd, flags, version);
	if (!m)
		return;
	fill_request(c, m, cmd, keep_rules);
	size_t len = 0;
	if (!keep_rules && c.chance(3))
		len = NLMSG_HDRLEN + c.below(nlmsg_hdr(m)->nlmsg_len - NLMSG_HDRLEN + 1);
	c.begin("netlink cmd=%d flags=%#x version=%d len=%u%s", cmd, flags, version,
		nlmsg_hdr(m)->nlmsg_len, len ? " truncated" : "");
	long r = c.sys(send_request(sk, m, len) < 0 ? -1 : 0);
	nlmsg_free(m);
	if (r < 0)
		return;
	c.begin("netlink answer cmd=%d", cmd);
	int err = read_answers(fd, 300, c.chance(80) ? 64 : 1, nullptr);
	c.note_errno(err);
}

} /* namespace fuzz */
