// SPDX-License-Identifier: GPL-2.0
/*
 * Acceleration rules: the words "policy add" takes, the attributes they
 * become and the module sends back (built here as rsk_netlink.c builds
 * them), the table and JSON; device RNR counters and device-kind stats.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/rdma_sock.h>

#include "filter.hpp"
#include "format.hpp"
#include "nl.hpp"
#include "policy.hpp"

namespace {

struct MsgDeleter {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};
using Msg = std::unique_ptr<nl_msg, MsgDeleter>;

Msg message(int cmd)
{
	nl_msg *m = nlmsg_alloc();
	genlmsg_put(m, 0, 1, 0x1d, 0, 0, cmd, RDMA_SOCK_GENL_VERSION);
	return Msg(m);
}

TEST(PolicyWords, Full)
{
	rsk::Policy p = rsk::parse_policy_words({"prio", "10", "type", "stream", "dst",
						 "fd00:0::/64", "dport", "5000-5100",
						 "prog", "memcached", "action", "accel"});
	EXPECT_EQ(10u, p.prio);
	EXPECT_EQ("stream", p.type);
	EXPECT_EQ(AF_INET6, p.family);
	EXPECT_EQ("fd00::", p.dst);	/* canonical */
	EXPECT_EQ(64u, p.prefix);
	EXPECT_EQ(5000, p.dport_min);
	EXPECT_EQ(5100, p.dport_max);
	EXPECT_EQ("memcached", p.program);
	EXPECT_EQ("accel", p.action);
	EXPECT_EQ("type stream dst fd00::/64 dport 5000-5100 prog memcached", p.match());
}

TEST(PolicyWords, Defaults)
{
	rsk::Policy p = rsk::parse_policy_words({"dst", "10.1.2.3", "action", "pass"});
	EXPECT_EQ(1000u, p.prio);
	EXPECT_EQ(32u, p.prefix);
	EXPECT_EQ(0, p.dport_min);
	EXPECT_EQ(65535, p.dport_max);
	EXPECT_EQ("dst 10.1.2.3/32", p.match());
	EXPECT_EQ("all", rsk::parse_policy_words({"action", "accel"}).match());
	EXPECT_EQ("family inet6 dport 22",
		  rsk::parse_policy_words({"family", "inet6", "dport", "22", "action", "pass"})
			  .match());
}

TEST(PolicyWords, Refused)
{
	using W = std::vector<std::string>;
	for (const W &w : {W{}, W{"dst", "10.0.0.0/8"}, W{"action", "drop"},
			   W{"action"}, W{"dst", "10.0.0.0/33", "action", "accel"},
			   W{"dst", "10.0.0/8", "action", "accel"},
			   W{"dport", "70000", "action", "accel"},
			   W{"dport", "9-3", "action", "accel"},
			   W{"dport", "-1", "action", "accel"},
			   W{"prio", "x", "action", "accel"},
			   W{"type", "raw", "action", "accel"},
			   W{"family", "inet", "dst", "fd00::/8", "action", "accel"},
			   W{"prog", "a-name-longer-than-comm", "action", "accel"},
			   W{"color", "red", "action", "accel"}})
		EXPECT_THROW(rsk::parse_policy_words(w), rsk::UsageError);
}

/* What put_policy() sends is what the module would echo: a round trip. */
TEST(PolicyNetlink, RoundTrip)
{
	rsk::Policy p = rsk::parse_policy_words({"prio", "7", "type", "dgram", "dst",
						 "10.99.0.0/16", "dport", "7000",
						 "action", "pass"});
	Msg m = message(RDMA_SOCK_CMD_POLICY_ADD);
	rsk::put_policy(m.get(), p);

	rsk::Policy q = rsk::parse_policy(m.get(), RDMA_SOCK_CMD_POLICY_ADD);
	EXPECT_EQ(0u, q.id);
	EXPECT_EQ(7u, q.prio);
	EXPECT_EQ("dgram", q.type);
	EXPECT_EQ(AF_INET, q.family);
	EXPECT_EQ("10.99.0.0", q.dst);
	EXPECT_EQ(16u, q.prefix);
	EXPECT_EQ(7000, q.dport_min);
	EXPECT_EQ(7000, q.dport_max);
	EXPECT_EQ("pass", q.action);
}

/* The module sends a family-only rule as its zero address, prefix 0. */
TEST(PolicyNetlink, FamilyOnlyAndUnknownAttributes)
{
	Msg m = message(RDMA_SOCK_CMD_POLICY_GET);
	nlattr *n = nla_nest_start(m.get(), RDMA_SOCK_A_POLICY);
	unsigned char zero[16] = {};
	nla_put_u32(m.get(), RDMA_SOCK_POLICY_ID, 3);
	nla_put_u32(m.get(), RDMA_SOCK_POLICY_PRIO, 1000);
	nla_put_u8(m.get(), RDMA_SOCK_POLICY_ACTION, RDMA_SOCK_POLICY_ACCEL);
	nla_put_u16(m.get(), RDMA_SOCK_POLICY_FAMILY, AF_INET6);
	nla_put(m.get(), RDMA_SOCK_POLICY_DST, 16, zero);
	nla_put_u8(m.get(), RDMA_SOCK_POLICY_DST_PREFIX, 0);
	nla_put_u16(m.get(), RDMA_SOCK_POLICY_DPORT_MIN, 0);
	nla_put_u16(m.get(), RDMA_SOCK_POLICY_DPORT_MAX, 65535);
	nla_put_u32(m.get(), 77, 1);	/* from a newer module */
	nla_nest_end(m.get(), n);

	rsk::Policy p = rsk::parse_policy(m.get(), RDMA_SOCK_CMD_POLICY_GET);
	EXPECT_EQ(3u, p.id);
	EXPECT_EQ("accel", p.action);
	EXPECT_TRUE(p.dst.empty());
	EXPECT_EQ("family inet6", p.match());
	rsk::json j = rsk::to_json(p);
	EXPECT_EQ("inet6", j["family"]);
	EXPECT_TRUE(j["dst"].is_null());
	EXPECT_NE(std::string::npos, rsk::to_table<rsk::Policy>({p}).find("family inet6"));
}

TEST(Device, RnrCountersParsedAndShown)
{
	Msg m = message(RDMA_SOCK_CMD_DEV_GET);
	nlattr *n = nla_nest_start(m.get(), RDMA_SOCK_A_DEV);
	nla_put_string(m.get(), RDMA_SOCK_DEV_NAME, "rxe0");
	nlattr *rnr = nla_nest_start(m.get(), RDMA_SOCK_DEV_RNR);
	const std::pair<const char *, uint64_t> counters[] = {{"rcvd_rnr_err", 12},
							       {"send_rnr_err", 0}};
	for (const auto &[name, value] : counters) {
		nlattr *s = nla_nest_start(m.get(), RDMA_SOCK_A_STAT);
		nla_put_string(m.get(), RDMA_SOCK_STAT_NAME, name);
		nla_put_u8(m.get(), RDMA_SOCK_STAT_KIND, RDMA_SOCK_STAT_DEVICE);
		nla_put_u64(m.get(), RDMA_SOCK_STAT_VALUE, value);
		nla_nest_end(m.get(), s);
	}
	nla_nest_end(m.get(), rnr);
	nla_nest_end(m.get(), n);

	rsk::Device d = rsk::parse_device(m.get());
	ASSERT_EQ(2u, d.rnr.size());
	EXPECT_EQ("rcvd_rnr_err", d.rnr[0].first);
	EXPECT_EQ(12u, d.rnr[0].second);
	EXPECT_EQ(12, rsk::to_json(d)["rnr"]["rcvd_rnr_err"]);
	EXPECT_NE(std::string::npos,
		  rsk::to_table<rsk::Device>({d}).find("rcvd_rnr_err=12 send_rnr_err=0"));
}

TEST(Stats, DeviceCountersGroupedApart)
{
	std::vector<rsk::Stat> v = {{"sockets", true, 1, 1}, {"connects", false, 2, 2},
				    {"rcvd_rnr_err", false, 5, 5, true}};
	rsk::json j = rsk::stats_json(v);
	EXPECT_EQ(5, j["devices"]["rcvd_rnr_err"]["value"]);
	EXPECT_FALSE(j["events"].contains("rcvd_rnr_err"));
	EXPECT_NE(std::string::npos, rsk::to_table(v).find("device"));
}

} /* namespace */
