// SPDX-License-Identifier: GPL-2.0
/*
 * The parsers against messages built the way the module builds them
 * (rsk_netlink.c): one nest per object, addresses as sockaddrs, counters
 * as u64 with a pad attribute.  Unknown attributes must be skipped.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/rdma_sock.h>

#include "nl.hpp"

namespace {

constexpr int kFamily = 0x1d;	/* any id: the parsers do not check it */

/* A reply message of @cmd, as the module's; freed by the caller. */
nl_msg *reply(int cmd)
{
	nl_msg *m = nlmsg_alloc();
	genlmsg_put(m, 0, 1, kFamily, 0, NLM_F_MULTI, cmd, RDMA_SOCK_GENL_VERSION);
	return m;
}

struct MsgDeleter {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};
using Msg = std::unique_ptr<nl_msg, MsgDeleter>;

void put_sin(nl_msg *m, int type, const char *addr, uint16_t port)
{
	sockaddr_in sin{};
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	nla_put(m, type, sizeof(sin), &sin);
}

void put_sin6(nl_msg *m, int type, const char *addr, uint16_t port)
{
	sockaddr_in6 sin6{};
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	inet_pton(AF_INET6, addr, &sin6.sin6_addr);
	nla_put(m, type, sizeof(sin6), &sin6);
}

TEST(Parse, Info)
{
	Msg m(reply(RDMA_SOCK_CMD_INFO_GET));
	nlattr *n = nla_nest_start(m.get(), RDMA_SOCK_A_INFO);
	nla_put_string(m.get(), RDMA_SOCK_INFO_VERSION, "0.4.0");
	nla_put_u32(m.get(), RDMA_SOCK_INFO_FAMILY, 19);
	nla_put_u8(m.get(), RDMA_SOCK_INFO_PROTO_VERSION, 1);
	nla_put_u8(m.get(), RDMA_SOCK_INFO_PROTO_MIN, 1);
	nla_put_u32(m.get(), 99, 7);	/* from a newer module: skipped */
	nla_nest_end(m.get(), n);

	rsk::Info i = rsk::parse_info(m.get());
	EXPECT_EQ("0.4.0", i.version);
	EXPECT_EQ(19u, i.family);
	EXPECT_EQ(1, i.proto_version);
	EXPECT_EQ(1, i.proto_min);
}

TEST(Parse, WrongCommandOrNoNest)
{
	Msg m(reply(RDMA_SOCK_CMD_LINK_GET));
	EXPECT_THROW(rsk::parse_info(m.get()), std::runtime_error);
	EXPECT_THROW(rsk::parse_link(m.get()), std::runtime_error);
}

TEST(Parse, Device)
{
	Msg m(reply(RDMA_SOCK_CMD_DEV_GET));
	nlattr *n = nla_nest_start(m.get(), RDMA_SOCK_A_DEV);
	nla_put_string(m.get(), RDMA_SOCK_DEV_NAME, "rxe0");
	nla_put_u32(m.get(), RDMA_SOCK_DEV_INDEX, 2);
	nla_put_u32(m.get(), RDMA_SOCK_DEV_PORTS, 1);
	nla_put_u32(m.get(), RDMA_SOCK_DEV_SRQ_DEPTH, 256);
	nla_put_u32(m.get(), RDMA_SOCK_DEV_SRQ_POSTED, 250);
	nla_put_u32(m.get(), RDMA_SOCK_DEV_REFS, 3);
	nla_put_u8(m.get(), RDMA_SOCK_DEV_DYING, 0);
	nla_nest_end(m.get(), n);

	rsk::Device d = rsk::parse_device(m.get());
	EXPECT_EQ("rxe0", d.name);
	EXPECT_EQ(2u, d.index);
	EXPECT_EQ(256u, d.srq_depth);
	EXPECT_EQ(250u, d.srq_posted);
	EXPECT_EQ(3u, d.refs);
	EXPECT_FALSE(d.dying);
}

TEST(Parse, Link)
{
	Msg m(reply(RDMA_SOCK_CMD_LINK_GET));
	nlattr *n = nla_nest_start(m.get(), RDMA_SOCK_A_LINK);
	nla_put_u32(m.get(), RDMA_SOCK_LINK_ID, 5);
	nla_put_u8(m.get(), RDMA_SOCK_LINK_ACTIVE, 1);
	nla_put_u8(m.get(), RDMA_SOCK_LINK_STATE, RDMA_SOCK_LINK_UP);
	put_sin(m.get(), RDMA_SOCK_LINK_LOCAL, "10.99.0.2", 0);
	put_sin(m.get(), RDMA_SOCK_LINK_PEER, "10.99.0.1", 0);
	nla_put_string(m.get(), RDMA_SOCK_LINK_DEV, "rxe0");
	nla_put_u32(m.get(), RDMA_SOCK_LINK_QPN, 17);
	nla_put_u32(m.get(), RDMA_SOCK_LINK_PEER_QPN, 18);
	nla_put_u32(m.get(), RDMA_SOCK_LINK_CHANNELS, 3);
	nla_put_u64(m.get(), RDMA_SOCK_LINK_TX_BYTES, 1ULL << 40);
	nla_put_u64(m.get(), RDMA_SOCK_LINK_RX_MSGS, 12345);
	nla_put_u32(m.get(), RDMA_SOCK_LINK_ERRNO, 0);
	nla_nest_end(m.get(), n);

	rsk::Link l = rsk::parse_link(m.get());
	EXPECT_EQ(5u, l.id);
	EXPECT_TRUE(l.active);
	EXPECT_EQ("up", l.state);
	EXPECT_EQ("10.99.0.2", l.local.addr);
	EXPECT_EQ("10.99.0.1", l.peer.addr);
	EXPECT_EQ(AF_INET, l.peer.family);
	EXPECT_EQ("rxe0", l.dev);
	EXPECT_EQ(17u, l.qpn);
	EXPECT_EQ(18u, l.peer_qpn);
	EXPECT_EQ(3u, l.channels);
	EXPECT_EQ(1ULL << 40, l.tx_bytes);
	EXPECT_EQ(12345u, l.rx_msgs);
	EXPECT_EQ(0u, l.errors);	/* absent: 0 */
}

TEST(Parse, StreamSocket)
{
	Msg m(reply(RDMA_SOCK_CMD_SOCK_GET));
	nlattr *n = nla_nest_start(m.get(), RDMA_SOCK_A_SOCK);
	nla_put_u16(m.get(), RDMA_SOCK_SOCK_TYPE, SOCK_STREAM);
	nla_put_u8(m.get(), RDMA_SOCK_SOCK_STATE, 1 /* TCP_ESTABLISHED */);
	put_sin6(m.get(), RDMA_SOCK_SOCK_LOCAL, "fd00:99::2", 40000);
	put_sin6(m.get(), RDMA_SOCK_SOCK_PEER, "fd00:99::1", 5301);
	nla_put_u32(m.get(), RDMA_SOCK_SOCK_LINK_ID, 5);
	nla_put_u32(m.get(), RDMA_SOCK_SOCK_CHAN, 9);
	nla_put_u32(m.get(), RDMA_SOCK_SOCK_PEER_CHAN, 11);
	nla_put_u32(m.get(), RDMA_SOCK_SOCK_RECVQ, 100);
	nla_put_u32(m.get(), RDMA_SOCK_SOCK_SENDQ, 200);
	nla_put_u32(m.get(), RDMA_SOCK_SOCK_UID, 1000);
	nla_put_u64(m.get(), RDMA_SOCK_SOCK_INODE, 4242);
	nla_put_u64(m.get(), RDMA_SOCK_SOCK_ID, 77);
	nla_nest_end(m.get(), n);

	rsk::Socket s = rsk::parse_socket(m.get());
	EXPECT_EQ("stream", s.type);
	EXPECT_EQ("ESTAB", s.state);
	EXPECT_EQ("fd00:99::2", s.local.addr);
	EXPECT_EQ(40000, s.local.port);
	EXPECT_EQ("[fd00:99::1]:5301", s.peer.str());
	ASSERT_TRUE(s.link_id.has_value());
	EXPECT_EQ(5u, *s.link_id);
	EXPECT_EQ(9u, *s.chan);
	EXPECT_EQ(11u, *s.peer_chan);
	EXPECT_FALSE(s.snd_wnd.has_value());
	EXPECT_EQ(100u, s.recvq);
	EXPECT_EQ(200u, s.sendq);
	EXPECT_EQ(1000u, s.uid);
	EXPECT_EQ(4242u, s.inode);
	EXPECT_EQ(77u, s.id);
}

TEST(Parse, UnconnectedDatagramSocket)
{
	Msg m(reply(RDMA_SOCK_CMD_SOCK_GET));
	nlattr *n = nla_nest_start(m.get(), RDMA_SOCK_A_SOCK);
	nla_put_u16(m.get(), RDMA_SOCK_SOCK_TYPE, SOCK_DGRAM);
	nla_put_u8(m.get(), RDMA_SOCK_SOCK_STATE, 7 /* TCP_CLOSE */);
	put_sin(m.get(), RDMA_SOCK_SOCK_LOCAL, "0.0.0.0", 7100);
	nla_nest_end(m.get(), n);

	rsk::Socket s = rsk::parse_socket(m.get());
	EXPECT_EQ("dgram", s.type);
	EXPECT_EQ("UNCONN", s.state);
	EXPECT_EQ("*:7100", s.local.str());
	EXPECT_TRUE(s.peer.empty());
	EXPECT_FALSE(s.link_id.has_value());
}

TEST(Parse, Stats)
{
	Msg m(reply(RDMA_SOCK_CMD_STATS_GET));
	nlattr *all = nla_nest_start(m.get(), RDMA_SOCK_A_STATS);
	const struct { const char *name; int kind; uint64_t v, t; } stats[] = {
		{"sockets", RDMA_SOCK_STAT_OBJECT, 4, 9},
		{"rx_short", RDMA_SOCK_STAT_EVENT, 0, 2},
		{"connects", RDMA_SOCK_STAT_EVENT, 100, 150},
	};
	for (const auto &st : stats) {
		nlattr *n = nla_nest_start(m.get(), RDMA_SOCK_A_STAT);
		nla_put_string(m.get(), RDMA_SOCK_STAT_NAME, st.name);
		nla_put_u8(m.get(), RDMA_SOCK_STAT_KIND, st.kind);
		nla_put_u64(m.get(), RDMA_SOCK_STAT_VALUE, st.v);
		nla_put_u64(m.get(), RDMA_SOCK_STAT_TOTAL, st.t);
		nla_nest_end(m.get(), n);
	}
	nla_nest_end(m.get(), all);

	auto v = rsk::parse_stats(m.get());
	ASSERT_EQ(3u, v.size());
	EXPECT_EQ("sockets", v[0].name);
	EXPECT_TRUE(v[0].object);
	EXPECT_EQ(4u, v[0].value);
	EXPECT_EQ(9u, v[0].total);
	EXPECT_FALSE(v[2].object);
	EXPECT_EQ(150u, v[2].total);
}

/* A truncated address attribute is no address, not garbage. */
TEST(Parse, ShortAddress)
{
	Msg m(reply(RDMA_SOCK_CMD_LINK_GET));
	nlattr *n = nla_nest_start(m.get(), RDMA_SOCK_A_LINK);
	uint32_t junk = 0x0a63;
	nla_put(m.get(), RDMA_SOCK_LINK_PEER, sizeof(junk), &junk);
	nla_nest_end(m.get(), n);

	rsk::Link l = rsk::parse_link(m.get());
	EXPECT_TRUE(l.peer.empty());
	EXPECT_EQ("*:*", l.peer.str());
}

} /* namespace */
