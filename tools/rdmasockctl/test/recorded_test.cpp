// SPDX-License-Identifier: GPL-2.0
/*
 * The parsers on replies recorded from the live module (RDMASOCKCTL_RECORD,
 * see nl.cpp): a test guest (10.99.0.1, rxe0) where rsk_hold held a
 * listener on 10.99.0.1:7400, a connection to it whose client had sent
 * 10000 bytes the server had not read, and a datagram socket bound to
 * 10.99.0.1:7400, and two acceleration rules were in place.
 * test/data/<command>.nl holds each command's replies back to back, as
 * netlink delivered them.
 */
#include <sys/socket.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <linux/rdma_sock.h>

#include "nl.hpp"
#include "recorded.hpp"

namespace {

using rsk::test::each_recorded;

TEST(Recorded, Info)
{
	rsk::Info i;
	EXPECT_EQ(1u, each_recorded(RDMA_SOCK_CMD_INFO_GET, [&](nl_msg *m) { i = rsk::parse_info(m); }));
	EXPECT_EQ("0.4.0", i.version);
	EXPECT_EQ(19u, i.family);
	EXPECT_EQ(1, i.proto_version);
}

TEST(Recorded, Devices)
{
	std::vector<rsk::Device> v;
	each_recorded(RDMA_SOCK_CMD_DEV_GET, [&](nl_msg *m) { v.push_back(rsk::parse_device(m)); });
	ASSERT_EQ(1u, v.size());
	EXPECT_EQ("rxe0", v[0].name);
	EXPECT_EQ(1u, v[0].ports);
	EXPECT_LT(0u, v[0].srq_depth);
	EXPECT_FALSE(v[0].dying);
	std::vector<std::string> rnr;
	for (const auto &c : v[0].rnr)
		rnr.push_back(c.first);
	EXPECT_EQ((std::vector<std::string>{"rcvd_rnr_err", "send_rnr_err",
					    "retry_rnr_exceeded_err"}), rnr);
}

TEST(Recorded, Links)
{
	std::vector<rsk::Link> v;
	each_recorded(RDMA_SOCK_CMD_LINK_GET, [&](nl_msg *m) { v.push_back(rsk::parse_link(m)); });
	ASSERT_EQ(2u, v.size());	/* this host to itself: one each way */
	EXPECT_NE(v[0].active, v[1].active);
	for (const rsk::Link &l : v) {
		EXPECT_EQ("up", l.state);
		EXPECT_EQ("10.99.0.1", l.peer.addr);
		EXPECT_EQ("rxe0", l.dev);
		EXPECT_EQ(1u, l.channels);
	}
	EXPECT_EQ(v[0].qpn, v[1].peer_qpn);
	EXPECT_GE(v[0].tx_bytes + v[1].tx_bytes, 10000u);
}

TEST(Recorded, Sockets)
{
	std::vector<rsk::Socket> v;
	each_recorded(RDMA_SOCK_CMD_SOCK_GET, [&](nl_msg *m) { v.push_back(rsk::parse_socket(m)); });
	ASSERT_EQ(4u, v.size());
	int listen = 0, estab = 0, unconn = 0;
	for (const rsk::Socket &s : v) {
		if (s.state == "LISTEN") {
			listen++;
			EXPECT_EQ("10.99.0.1:7400", s.local.str());
		} else if (s.state == "ESTAB" && s.local.port == 7400) {
			estab++;
			EXPECT_EQ(10000u, s.recvq);
			EXPECT_TRUE(s.link_id.has_value());
		} else if (s.state == "ESTAB") {
			estab++;
			EXPECT_EQ(7400, s.peer.port);
		} else if (s.state == "UNCONN") {
			unconn++;
			EXPECT_EQ("dgram", s.type);
		}
	}
	EXPECT_EQ(1, listen);
	EXPECT_EQ(2, estab);
	EXPECT_EQ(1, unconn);
}

TEST(Recorded, Stats)
{
	std::vector<rsk::Stat> v;
	each_recorded(RDMA_SOCK_CMD_STATS_GET, [&](nl_msg *m) { v = rsk::parse_stats(m); });
	bool sockets = false, connects = false, policies = false, rnr = false;
	for (const rsk::Stat &s : v) {
		if (s.name == "policies") {
			policies = true;
			EXPECT_TRUE(s.object);
			EXPECT_EQ(2u, s.value);
		}
		if (s.name == "rcvd_rnr_err") {
			rnr = true;
			EXPECT_TRUE(s.device);
			EXPECT_EQ(s.value, s.total);
		}
		if (s.name == "sockets") {
			sockets = true;
			EXPECT_TRUE(s.object);
			EXPECT_EQ(4u, s.value);
		}
		if (s.name == "connects") {
			connects = true;
			EXPECT_FALSE(s.object);
			EXPECT_LE(1u, s.value);
		}
	}
	EXPECT_TRUE(sockets);
	EXPECT_TRUE(connects);
	EXPECT_TRUE(policies);
	EXPECT_TRUE(rnr);
	EXPECT_LT(40u, v.size());
}

TEST(Recorded, Policies)
{
	std::vector<rsk::Policy> shown, added;
	each_recorded(RDMA_SOCK_CMD_POLICY_GET, [&](nl_msg *m) {
		shown.push_back(rsk::parse_policy(m, RDMA_SOCK_CMD_POLICY_GET));
	});
	each_recorded(RDMA_SOCK_CMD_POLICY_ADD, [&](nl_msg *m) {
		added.push_back(rsk::parse_policy(m, RDMA_SOCK_CMD_POLICY_ADD));
	});
	ASSERT_EQ(2u, shown.size());
	ASSERT_EQ(2u, added.size());
	/* Tried in priority order: the second rule added comes first. */
	EXPECT_EQ(2u, shown[0].id);
	EXPECT_EQ(10u, shown[0].prio);
	EXPECT_EQ("family inet6 prog sshd", shown[0].match());
	EXPECT_EQ("pass", shown[0].action);
	EXPECT_EQ(1u, shown[1].id);
	EXPECT_EQ("type stream dst 10.99.0.0/16 dport 11211", shown[1].match());
	EXPECT_EQ("accel", shown[1].action);
	EXPECT_EQ(shown[1].match(), added[0].match());
	EXPECT_EQ(1u, added[0].id);
	EXPECT_EQ(2u, added[1].id);
}

} /* namespace */
