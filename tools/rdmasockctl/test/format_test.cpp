// SPDX-License-Identifier: GPL-2.0
/* Tables, JSON, filters and settings, without a module. */
#include <sys/socket.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "filter.hpp"
#include "format.hpp"
#include "sysctl.hpp"

namespace {

rsk::Socket stream_socket()
{
	rsk::Socket s;
	s.type = "stream";
	s.state = "ESTAB";
	s.local = {"10.99.0.2", 40000, AF_INET};
	s.peer = {"10.99.0.1", 5301, AF_INET};
	s.link_id = 3;
	s.chan = 9;
	s.peer_chan = 10;
	s.recvq = 5;
	s.sendq = 6;
	s.uid = 1000;
	s.inode = 777;
	s.id = 12;
	return s;
}

TEST(Format, TableAligns)
{
	std::string t = rsk::table({{"A", "Bbb"}, {"long", "x"}});
	EXPECT_EQ("A     Bbb\nlong  x\n", t);
}

TEST(Format, SocketsLikeSs)
{
	std::string t = rsk::to_table<rsk::Socket>({stream_socket()});
	EXPECT_NE(std::string::npos, t.find("Netid"));
	EXPECT_NE(std::string::npos, t.find("rdma   ESTAB  5       6       10.99.0.2:40000"));
	EXPECT_NE(std::string::npos, t.find("10.99.0.1:5301"));
	std::string e = rsk::to_table<rsk::Socket>({stream_socket()}, true);
	EXPECT_NE(std::string::npos, e.find("Peer-chan"));
	EXPECT_NE(std::string::npos, e.find("777"));
}

TEST(Format, SocketJson)
{
	rsk::json j = rsk::to_json(stream_socket());
	EXPECT_EQ("stream", j["type"]);
	EXPECT_EQ("ESTAB", j["state"]);
	EXPECT_EQ("10.99.0.1", j["peer"]["addr"]);
	EXPECT_EQ(5301, j["peer"]["port"]);
	EXPECT_EQ(3, j["link"]);
	EXPECT_EQ(5, j["recv_q"]);
	rsk::Socket d;
	d.type = "dgram";
	d.state = "UNCONN";
	rsk::json k = rsk::to_json(d);
	EXPECT_TRUE(k["peer"].is_null());
	EXPECT_TRUE(k["link"].is_null());
}

TEST(Format, LinkJsonAndTable)
{
	rsk::Link l;
	l.id = 1;
	l.active = true;
	l.state = "dead";
	l.err = 110;	/* ETIMEDOUT */
	l.peer = {"10.99.0.1", 0, AF_INET};
	l.tx_bytes = 123;
	rsk::json j = rsk::to_json(l);
	EXPECT_EQ("active", j["dir"]);
	EXPECT_EQ("ETIMEDOUT", j["error"]);
	EXPECT_EQ(123, j["tx_bytes"]);
	EXPECT_NE(std::string::npos, rsk::to_table<rsk::Link>({l}).find("dead (ETIMEDOUT)"));
}

TEST(Format, StatsSummaryDropsQuietEvents)
{
	std::vector<rsk::Stat> v = {{"sockets", true, 0, 2}, {"rx_short", false, 0, 5},
				    {"connects", false, 3, 3}};
	rsk::json all = rsk::stats_json(v), some = rsk::stats_json(rsk::summary(v));
	EXPECT_TRUE(all["events"].contains("rx_short"));
	EXPECT_FALSE(some["events"].contains("rx_short"));
	EXPECT_TRUE(some["objects"].contains("sockets"));
	EXPECT_EQ(3, some["events"]["connects"]["value"]);
	EXPECT_EQ(std::string::npos, rsk::to_table(rsk::summary(v)).find("rx_short"));
}

TEST(Filter, ParsesAndMatches)
{
	rsk::Socket s = stream_socket();
	EXPECT_TRUE(rsk::SocketFilter::parse({}).matches(s));
	EXPECT_TRUE(rsk::SocketFilter::parse({"show"}).matches(s));
	EXPECT_TRUE(rsk::SocketFilter::parse({"state", "established"}).matches(s));
	EXPECT_FALSE(rsk::SocketFilter::parse({"state", "listen"}).matches(s));
	EXPECT_TRUE(rsk::SocketFilter::parse({"dport", "5301", "type", "stream"}).matches(s));
	EXPECT_FALSE(rsk::SocketFilter::parse({"sport", "5301"}).matches(s));
	EXPECT_TRUE(rsk::SocketFilter::parse({"dst", "10.99.0.1"}).matches(s));
	EXPECT_FALSE(rsk::SocketFilter::parse({"src", "10.99.0.1"}).matches(s));
	rsk::Socket d;
	d.type = "dgram";
	d.state = "UNCONN";
	EXPECT_TRUE(rsk::SocketFilter::parse({"state", "unconn"}).matches(d));
	/* Several states: any of them, as ss. */
	auto two = rsk::SocketFilter::parse({"state", "listen", "state", "established"});
	EXPECT_TRUE(two.matches(s));
	EXPECT_FALSE(two.matches(d));
	/* A scoped address compares with its scope. */
	rsk::Socket ll = s;
	ll.local = {"fe80::1%eth0", 7000, AF_INET6};
	EXPECT_TRUE(rsk::SocketFilter::parse({"src", "fe80:0::1%eth0"}).matches(ll));
	EXPECT_FALSE(rsk::SocketFilter::parse({"src", "fe80::1"}).matches(ll));
}

TEST(Filter, RejectsBadWords)
{
	EXPECT_THROW(rsk::SocketFilter::parse({"state"}), rsk::UsageError);
	EXPECT_THROW(rsk::SocketFilter::parse({"state", "sleepy"}), rsk::UsageError);
	EXPECT_THROW(rsk::SocketFilter::parse({"sport", "65536"}), rsk::UsageError);
	EXPECT_THROW(rsk::SocketFilter::parse({"dst", "10.99.0"}), rsk::UsageError);
	EXPECT_THROW(rsk::SocketFilter::parse({"colour", "blue"}), rsk::UsageError);
	EXPECT_THROW(rsk::SocketFilter::parse({"type", "seqpacket"}), rsk::UsageError);
	EXPECT_THROW(rsk::SocketFilter::parse({"src", "10.0.0.1%eth0"}), rsk::UsageError);
	EXPECT_THROW(rsk::SocketFilter::parse({"src", "fe80::1%"}), rsk::UsageError);
}

class Settings : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/rdmasockctl-test-XXXXXX";
		ASSERT_NE(nullptr, mkdtemp(tmpl));
		dir_ = tmpl;
		std::ofstream(dir_ + "/link_idle_ms") << "60000\n";
		rsk::sysctl_dir = dir_;
	}
	void TearDown() override { std::filesystem::remove_all(dir_); }
	std::string dir_;
};

TEST_F(Settings, GetSetAndUnknown)
{
	EXPECT_EQ("60000", rsk::get_setting("link_idle_ms"));
	rsk::set_setting("link_idle_ms", "500");
	EXPECT_EQ("500", rsk::get_setting("link_idle_ms"));
	EXPECT_EQ(1u, rsk::settings().size());
	try {
		rsk::get_setting("no_such_thing");
		FAIL();
	} catch (const rsk::SettingError &e) {
		EXPECT_EQ(ENOENT, e.err);
	}
	/* No way out of the directory. */
	EXPECT_THROW(rsk::get_setting("../../etc/passwd"), rsk::SettingError);
	EXPECT_THROW(rsk::set_setting("Link_Idle_Ms", "1"), rsk::SettingError);
}

} /* namespace */
