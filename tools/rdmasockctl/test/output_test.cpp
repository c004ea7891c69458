// SPDX-License-Identifier: GPL-2.0
/*
 * What rdmasockctl prints, byte for byte: guest tests and scripts read it
 * (selftests/guest/ctl.sh), so a change to the printing must not change
 * it unnoticed.
 *
 * First over the recorded replies (test/data/README): test/data/expected/
 * holds what the tool printed for them, NAME.txt for `rdmasockctl CMD`,
 * NAME.json for `-j CMD`, NAME.pretty.json for `-j -p CMD`.  Then the
 * cases the recording lacks (dead links, IPv6, absent values, odd
 * names...), built by hand.
 */
#include <sys/socket.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <linux/rdma_sock.h>

#include "format.hpp"
#include "nl.hpp"
#include "recorded.hpp"

namespace {

using rsk::json;
using rsk::test::recorded_list;
using rsk::test::recorded_one;

std::string expected(const std::string &name)
{
	std::string path = std::string(RSK_TEST_DATA) + "/expected/" + name;
	std::ifstream f(path, std::ios::binary);

	EXPECT_TRUE(f.good()) << path;
	return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

/* As the tool prints a command's JSON and its text (Output::print). */
void expect_printed(const std::string &name, const json &j, const std::string &text)
{
	EXPECT_EQ(expected(name + ".txt"), text) << name;
	EXPECT_EQ(expected(name + ".json"), j.dump(-1) + "\n") << name;
	EXPECT_EQ(expected(name + ".pretty.json"), j.dump(2) + "\n") << name;
}

/* ---------------------------------------------------------- recorded */

TEST(Printed, Status)
{
	rsk::Info i = recorded_one(RDMA_SOCK_CMD_INFO_GET, rsk::parse_info);
	size_t devs = recorded_list(RDMA_SOCK_CMD_DEV_GET, rsk::parse_device).size();
	size_t links = recorded_list(RDMA_SOCK_CMD_LINK_GET, rsk::parse_link).size();
	size_t socks = recorded_list(RDMA_SOCK_CMD_SOCK_GET, rsk::parse_socket).size();
	rsk::Status s{i, devs, links, socks};
	expect_printed("status", rsk::to_json(s), rsk::to_text(s, rsk::status_text));
}

TEST(Printed, Devices)
{
	auto v = recorded_list(RDMA_SOCK_CMD_DEV_GET, rsk::parse_device);
	expect_printed("dev", rsk::to_json(v), rsk::to_table(v));
}

TEST(Printed, Links)
{
	auto v = recorded_list(RDMA_SOCK_CMD_LINK_GET, rsk::parse_link);
	expect_printed("link", rsk::to_json(v), rsk::to_table(v));
}

TEST(Printed, Sockets)
{
	auto v = recorded_list(RDMA_SOCK_CMD_SOCK_GET, rsk::parse_socket);
	expect_printed("sock", rsk::to_json(v), rsk::to_table(v));
	EXPECT_EQ(expected("sock-e.txt"), rsk::to_table(v, true));
}

TEST(Printed, Stats)
{
	auto v = recorded_one(RDMA_SOCK_CMD_STATS_GET, rsk::parse_stats);
	expect_printed("stats", rsk::stats_json(v), rsk::to_table(v));
	expect_printed("stats-s", rsk::stats_json(rsk::summary(v)),
		       rsk::to_table(rsk::summary(v)));
}

TEST(Printed, Policies)
{
	auto v = recorded_list(RDMA_SOCK_CMD_POLICY_GET, rsk::test::parse_policy_get);
	expect_printed("policy", rsk::to_json(v), rsk::to_table(v));
}

TEST(Printed, PolicyAdded)
{
	rsk::Policy p = recorded_one(RDMA_SOCK_CMD_POLICY_ADD, rsk::test::parse_policy_add);
	expect_printed("policy-add", rsk::to_json(p), "rule " + std::to_string(p.id) + "\n");
}

/* ---------------------------------------------------------- by hand */

constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();

/* What is printed, as it was printed. */
#define PIN(printed, want) EXPECT_EQ(std::string(want), printed)

TEST(PrintedByHand, Status)
{
	rsk::Info i{"0.5.0-rc1 \"x\"", 44, 3, 2};
	PIN(rsk::to_text(rsk::Status{i, 0, 12, 5000}, rsk::status_text),
	    "rdma_sock 0.5.0-rc1 \"x\": family 44, protocol 3 (accepts 2..3)\n"
	    "0 devices, 12 links, 5000 sockets in this namespace\n");
	PIN(rsk::to_json(rsk::Status{i, 0, 12, 5000}).dump(),
	    R"({"version":"0.5.0-rc1 \"x\"","family":44,"protocol_version":3,"protocol_min_version":2,)"
	    R"("devices":0,"links":12,"sockets":5000})");
	PIN(rsk::to_text(rsk::Status{}, rsk::status_text),
	    "rdma_sock : family 0, protocol 0 (accepts 0..0)\n"
	    "0 devices, 0 links, 0 sockets in this namespace\n");
	PIN(rsk::to_json(rsk::Status{}).dump(),
	    R"({"version":"","family":0,"protocol_version":0,"protocol_min_version":0,"devices":0,)"
	    R"("links":0,"sockets":0})");
}

std::vector<rsk::Device> devices()
{
	rsk::Device dying{"mlx5_0", 3, 2, 4096, 4000, 12, true, {}};
	rsk::Device rnr{"rxe1", 1, 0, 0, 0, 0, false, {{"rcvd_rnr_err", kMax64}, {"send_rnr_err", 7}}};
	return {dying, rnr, rsk::Device{}};
}

TEST(PrintedByHand, Devices)
{
	auto v = devices();
	PIN(rsk::to_table(v),
	    "Device  Index  Ports  SRQ-posted  SRQ-depth  Refs  State     RNR\n"
	    "mlx5_0  3      2      4000        4096       12    removing  -\n"
	    "rxe1    1      0      0           0          0     bound     rcvd_rnr_err=18446744073709551615 send_rnr_err=7\n"
	    "        0      0      0           0          0     bound     -\n");
	PIN(rsk::to_json(v).dump(),
	    R"([{"name":"mlx5_0","index":3,"ports":2,"srq_depth":4096,"srq_posted":4000,"refs":12,)"
	    R"("dying":true,"rnr":{}},{"name":"rxe1","index":1,"ports":0,"srq_depth":0,"srq_posted":0,)"
	    R"("refs":0,"dying":false,"rnr":{"rcvd_rnr_err":18446744073709551615,"send_rnr_err":7}},)"
	    R"({"name":"","index":0,"ports":0,"srq_depth":0,"srq_posted":0,"refs":0,"dying":false,)"
	    R"("rnr":{}}])");
	PIN(rsk::to_table(std::vector<rsk::Device>{}),
	    "Device  Index  Ports  SRQ-posted  SRQ-depth  Refs  State  RNR\n");
	PIN(rsk::to_json(std::vector<rsk::Device>{}).dump(),
	    R"([])");
}

std::vector<rsk::Link> links()
{
	rsk::Link timedout;
	timedout.id = 7;
	timedout.active = true;
	timedout.state = "dead";
	timedout.local = {"10.0.0.1", 0, AF_INET};
	timedout.peer = {"10.0.0.2", 0, AF_INET};
	timedout.dev = "rxe1";
	timedout.qpn = 21;
	timedout.peer_qpn = 35;
	timedout.channels = 3;
	timedout.max_msg = 16384;
	timedout.tx_bytes = 1ULL << 40;
	timedout.tx_msgs = 123456789;
	timedout.rx_bytes = 5;
	timedout.rx_msgs = 1;
	timedout.errors = 3;
	timedout.err = ETIMEDOUT;
	rsk::Link unnamed = timedout;	/* an errno without a name */
	unnamed.id = 8;
	unnamed.active = false;
	unnamed.err = 4000;
	rsk::Link bare;			/* no addresses, no device yet */
	bare.id = 9;
	bare.state = "resolving";
	rsk::Link v6;
	v6.id = UINT32_MAX;
	v6.state = "connecting";
	v6.local = {"fd00::1", 0, AF_INET6};
	v6.peer = {"fe80::2%eth0", 0, AF_INET6};
	v6.dev = "mlx5_0";
	v6.rx_bytes = kMax64;
	return {timedout, unnamed, bare, v6};
}

TEST(PrintedByHand, Links)
{
	auto v = links();
	PIN(rsk::to_table(v),
	    "Id          Dir      State             Local     Peer          Dev     QPN  Peer-QPN  Chans  Tx-bytes       Tx-msgs    Rx-bytes              Rx-msgs  Errors\n"
	    "7           active   dead (ETIMEDOUT)  10.0.0.1  10.0.0.2      rxe1    21   35        3      1099511627776  123456789  5                     1        3\n"
	    "8           passive  dead (4000)       10.0.0.1  10.0.0.2      rxe1    21   35        3      1099511627776  123456789  5                     1        3\n"
	    "9           passive  resolving         *         *             -       0    0         0      0              0          0                     0        0\n"
	    "4294967295  passive  connecting        fd00::1   fe80::2%eth0  mlx5_0  0    0         0      0              0          18446744073709551615  0        0\n");
	PIN(rsk::to_json(v).dump(),
	    R"([{"id":7,"dir":"active","state":"dead","local":{"addr":"10.0.0.1","port":0},)"
	    R"("peer":{"addr":"10.0.0.2","port":0},"dev":"rxe1","qpn":21,"peer_qpn":35,"channels":3,)"
	    R"("max_msg":16384,"tx_bytes":1099511627776,"tx_msgs":123456789,"rx_bytes":5,"rx_msgs":1,)"
	    R"("errors":3,"error":"ETIMEDOUT"},{"id":8,"dir":"passive","state":"dead",)"
	    R"("local":{"addr":"10.0.0.1","port":0},"peer":{"addr":"10.0.0.2","port":0},"dev":"rxe1",)"
	    R"("qpn":21,"peer_qpn":35,"channels":3,"max_msg":16384,"tx_bytes":1099511627776,)"
	    R"("tx_msgs":123456789,"rx_bytes":5,"rx_msgs":1,"errors":3,"error":"4000"},{"id":9,)"
	    R"("dir":"passive","state":"resolving","local":null,"peer":null,"dev":"","qpn":0,)"
	    R"("peer_qpn":0,"channels":0,"max_msg":0,"tx_bytes":0,"tx_msgs":0,"rx_bytes":0,"rx_msgs":0,)"
	    R"("errors":0,"error":null},{"id":4294967295,"dir":"passive","state":"connecting",)"
	    R"("local":{"addr":"fd00::1","port":0},"peer":{"addr":"fe80::2%eth0","port":0},)"
	    R"("dev":"mlx5_0","qpn":0,"peer_qpn":0,"channels":0,"max_msg":0,"tx_bytes":0,"tx_msgs":0,)"
	    R"("rx_bytes":18446744073709551615,"rx_msgs":0,"errors":0,"error":null}])");
	PIN(rsk::to_table(std::vector<rsk::Link>{}),
	    "Id  Dir  State  Local  Peer  Dev  QPN  Peer-QPN  Chans  Tx-bytes  Tx-msgs  Rx-bytes  Rx-msgs  Errors\n");
}

std::vector<rsk::Socket> sockets()
{
	rsk::Socket v6;
	v6.type = "stream";
	v6.state = "ESTAB";
	v6.local = {"fd00:99::2", 40000, AF_INET6};
	v6.peer = {"fd00:99::1", 5301, AF_INET6};
	v6.link_id = 10;
	v6.chan = 4;
	v6.peer_chan = 0;	/* present, zero: not "-" */
	v6.snd_wnd = 65536;
	v6.rcv_wnd = 131072;
	v6.recvq = 120000;
	v6.sendq = 5301;
	v6.uid = UINT32_MAX;
	v6.inode = 1ULL << 33;
	v6.id = 100;
	rsk::Socket any6;	/* a listener on :: */
	any6.type = "stream";
	any6.state = "LISTEN";
	any6.local = {"::", 5301, AF_INET6};
	any6.sendq = 128;
	any6.uid = 1000;
	any6.id = 101;
	rsk::Socket udp;	/* connected */
	udp.type = "dgram";
	udp.state = "ESTAB";
	udp.local = {"10.0.0.1", 7000, AF_INET};
	udp.peer = {"10.0.0.2", 7001, AF_INET};
	udp.id = 102;
	rsk::Socket unbound;	/* 0.0.0.0, port 0 */
	unbound.type = "dgram";
	unbound.state = "UNCONN";
	unbound.local = {"0.0.0.0", 0, AF_INET};
	unbound.id = 103;
	rsk::Socket scoped;
	scoped.type = "stream";
	scoped.state = "SYN-SENT";
	scoped.local = {"fe80::1%eth0", 33000, AF_INET6};
	scoped.peer = {"fe80::2%eth0", 80, AF_INET6};
	scoped.link_id = 0;
	scoped.id = 104;
	rsk::Socket nothing;	/* no addresses at all */
	nothing.type = "stream";
	nothing.state = "TIME-WAIT";
	rsk::Socket odd;	/* a type and state this tool does not know */
	odd.type = "5";
	odd.state = "UNKNOWN";
	odd.local = {"10.0.0.9", 1, AF_INET};
	odd.peer = {"10.0.0.8", 2, AF_INET};
	return {v6, any6, udp, unbound, scoped, nothing, odd};
}

TEST(PrintedByHand, Sockets)
{
	auto v = sockets();
	PIN(rsk::to_table(v),
	    "Netid   State      Recv-Q  Send-Q  Local Address:Port    Peer Address:Port\n"
	    "rdma    ESTAB      120000  5301    [fd00:99::2]:40000    [fd00:99::1]:5301\n"
	    "rdma    LISTEN     0       128     *:5301                *:*\n"
	    "rdmaud  ESTAB      0       0       10.0.0.1:7000         10.0.0.2:7001\n"
	    "rdmaud  UNCONN     0       0       *:*                   *:*\n"
	    "rdma    SYN-SENT   0       0       [fe80::1%eth0]:33000  [fe80::2%eth0]:80\n"
	    "rdma    TIME-WAIT  0       0       *:*                   *:*\n"
	    "rdmaud  UNKNOWN    0       0       10.0.0.9:1            10.0.0.8:2\n");
	PIN(rsk::to_table(v, true),
	    "Netid   State      Recv-Q  Send-Q  Local Address:Port    Peer Address:Port  Link  Chan  Peer-chan  Uid         Inode\n"
	    "rdma    ESTAB      120000  5301    [fd00:99::2]:40000    [fd00:99::1]:5301  10    4     0          4294967295  8589934592\n"
	    "rdma    LISTEN     0       128     *:5301                *:*                -     -     -          1000        0\n"
	    "rdmaud  ESTAB      0       0       10.0.0.1:7000         10.0.0.2:7001      -     -     -          0           0\n"
	    "rdmaud  UNCONN     0       0       *:*                   *:*                -     -     -          0           0\n"
	    "rdma    SYN-SENT   0       0       [fe80::1%eth0]:33000  [fe80::2%eth0]:80  0     -     -          0           0\n"
	    "rdma    TIME-WAIT  0       0       *:*                   *:*                -     -     -          0           0\n"
	    "rdmaud  UNKNOWN    0       0       10.0.0.9:1            10.0.0.8:2         -     -     -          0           0\n");
	PIN(rsk::to_json(v).dump(),
	    R"([{"type":"stream","state":"ESTAB","local":{"addr":"fd00:99::2","port":40000},)"
	    R"("peer":{"addr":"fd00:99::1","port":5301},"recv_q":120000,"send_q":5301,"link":10,)"
	    R"("chan":4,"peer_chan":0,"snd_wnd":65536,"rcv_wnd":131072,"uid":4294967295,)"
	    R"("inode":8589934592,"id":100},{"type":"stream","state":"LISTEN","local":{"addr":"::",)"
	    R"("port":5301},"peer":null,"recv_q":0,"send_q":128,"link":null,"chan":null,)"
	    R"("peer_chan":null,"snd_wnd":null,"rcv_wnd":null,"uid":1000,"inode":0,"id":101},)"
	    R"({"type":"dgram","state":"ESTAB","local":{"addr":"10.0.0.1","port":7000},)"
	    R"("peer":{"addr":"10.0.0.2","port":7001},"recv_q":0,"send_q":0,"link":null,"chan":null,)"
	    R"("peer_chan":null,"snd_wnd":null,"rcv_wnd":null,"uid":0,"inode":0,"id":102},)"
	    R"({"type":"dgram","state":"UNCONN","local":{"addr":"0.0.0.0","port":0},"peer":null,)"
	    R"("recv_q":0,"send_q":0,"link":null,"chan":null,"peer_chan":null,"snd_wnd":null,)"
	    R"("rcv_wnd":null,"uid":0,"inode":0,"id":103},{"type":"stream","state":"SYN-SENT",)"
	    R"("local":{"addr":"fe80::1%eth0","port":33000},"peer":{"addr":"fe80::2%eth0","port":80},)"
	    R"("recv_q":0,"send_q":0,"link":0,"chan":null,"peer_chan":null,"snd_wnd":null,)"
	    R"("rcv_wnd":null,"uid":0,"inode":0,"id":104},{"type":"stream","state":"TIME-WAIT",)"
	    R"("local":null,"peer":null,"recv_q":0,"send_q":0,"link":null,"chan":null,"peer_chan":null,)"
	    R"("snd_wnd":null,"rcv_wnd":null,"uid":0,"inode":0,"id":0},{"type":"5","state":"UNKNOWN",)"
	    R"("local":{"addr":"10.0.0.9","port":1},"peer":{"addr":"10.0.0.8","port":2},"recv_q":0,)"
	    R"("send_q":0,"link":null,"chan":null,"peer_chan":null,"snd_wnd":null,"rcv_wnd":null,)"
	    R"("uid":0,"inode":0,"id":0}])");
	PIN(rsk::to_table(std::vector<rsk::Socket>{}, true),
	    "Netid  State  Recv-Q  Send-Q  Local Address:Port  Peer Address:Port  Link  Chan  Peer-chan  Uid  Inode\n");
}

TEST(PrintedByHand, Stats)
{
	std::vector<rsk::Stat> v = {
		{"sockets", true, 0, 0},		/* an object: shown at zero */
		{"links", true, 2, 9},
		{"connects", false, 0, 5},		/* an event that did not happen here */
		{"resets", false, 3, 3},
		{"rcvd_rnr_err", false, 0, 0, true},	/* a device counter at zero */
		{"send_rnr_err", false, kMax64, kMax64, true},
		{"sockets", false, 8, 8},		/* a name again, another kind */
		{"resets", false, 4, 4},		/* and again, the same kind */
	};
	PIN(rsk::to_table(v),
	    "Counter       Kind    Here                  Module\n"
	    "sockets       object  0                     0\n"
	    "links         object  2                     9\n"
	    "connects      event   0                     5\n"
	    "resets        event   3                     3\n"
	    "rcvd_rnr_err  device  0                     0\n"
	    "send_rnr_err  device  18446744073709551615  18446744073709551615\n"
	    "sockets       event   8                     8\n"
	    "resets        event   4                     4\n");
	PIN(rsk::stats_json(v).dump(),
	    R"({"objects":{"sockets":{"value":0,"total":0},"links":{"value":2,"total":9}},)"
	    R"("events":{"connects":{"value":0,"total":5},"resets":{"value":4,"total":4},)"
	    R"("sockets":{"value":8,"total":8}},"devices":{"rcvd_rnr_err":{"value":0,"total":0},)"
	    R"("send_rnr_err":{"value":18446744073709551615,"total":18446744073709551615}}})");
	/* -s: objects, and the events and device counters that are not 0 */
	PIN(rsk::to_table(rsk::summary(v)),
	    "Counter       Kind    Here                  Module\n"
	    "sockets       object  0                     0\n"
	    "links         object  2                     9\n"
	    "resets        event   3                     3\n"
	    "send_rnr_err  device  18446744073709551615  18446744073709551615\n"
	    "sockets       event   8                     8\n"
	    "resets        event   4                     4\n");
	PIN(rsk::stats_json(rsk::summary(v)).dump(),
	    R"({"objects":{"sockets":{"value":0,"total":0},"links":{"value":2,"total":9}},)"
	    R"("events":{"resets":{"value":4,"total":4},"sockets":{"value":8,"total":8}},)"
	    R"("devices":{"send_rnr_err":{"value":18446744073709551615,"total":18446744073709551615}}})");
	PIN(rsk::to_table(std::vector<rsk::Stat>{}),
	    "Counter  Kind  Here  Module\n");
	PIN(rsk::stats_json({}).dump(),
	    R"({"objects":{},"events":{},"devices":{}})");
}

std::vector<rsk::Policy> policies()
{
	rsk::Policy all;
	all.id = 1;
	all.action = "accel";
	rsk::Policy full;
	full.id = 2;
	full.prio = 5;
	full.action = "pass";
	full.type = "dgram";
	full.family = AF_INET6;
	full.dst = "fd00::";
	full.prefix = 8;
	full.dport_min = 1000;
	full.dport_max = 2000;
	full.program = "mem\"c\\d";
	rsk::Policy unknown;
	unknown.id = 3;
	unknown.prio = UINT32_MAX;
	unknown.action = "unknown";
	unknown.type = "5";
	unknown.family = AF_INET;
	unknown.dst = "10.1.0.0";
	unknown.prefix = 16;
	unknown.dport_max = 80;
	rsk::Policy zero;
	zero.id = 4;
	zero.prio = 7;
	zero.action = "accel";
	zero.type = "stream";
	zero.family = AF_INET;
	zero.dst = "0.0.0.0";
	zero.prefix = 0;
	zero.dport_min = zero.dport_max = 443;
	zero.program = "caf\xc3\xa9";
	rsk::Policy family;
	family.id = 5;
	family.action = "pass";
	family.family = AF_INET;
	family.dport_min = 5;
	return {all, full, unknown, zero, family};
}

TEST(PrintedByHand, Policies)
{
	auto v = policies();
	PIN(rsk::to_table(v),
	    "Id  Prio        Match                                                 Action\n"
	    "1   1000        all                                                   accel\n"
	    "2   5           type dgram dst fd00::/8 dport 1000-2000 prog mem\"c\\d  pass\n"
	    "3   4294967295  type 5 dst 10.1.0.0/16 dport 0-80                     unknown\n"
	    "4   7           type stream dst 0.0.0.0/0 dport 443 prog caf\xc3\xa9        accel\n"
	    "5   1000        family inet dport 5-65535                             pass\n");
	PIN(rsk::to_json(v).dump(),
	    R"([{"id":1,"prio":1000,"action":"accel","type":null,"family":null,"dst":null,)"
	    R"("prefix":null,"dport_min":0,"dport_max":65535,"program":null},{"id":2,"prio":5,)"
	    R"("action":"pass","type":"dgram","family":"inet6","dst":"fd00::","prefix":8,)"
	    R"("dport_min":1000,"dport_max":2000,"program":"mem\"c\\d"},{"id":3,"prio":4294967295,)"
	    R"("action":"unknown","type":"5","family":"inet","dst":"10.1.0.0","prefix":16,)"
	    R"("dport_min":0,"dport_max":80,"program":null},{"id":4,"prio":7,"action":"accel",)"
	    R"("type":"stream","family":"inet","dst":"0.0.0.0","prefix":0,"dport_min":443,)"
	    "\"dport_max\":443,\"program\":\"caf\xc3\xa9\"},{\"id\":5,\"prio\":1000,\"action\":\"pass\",\"type\":null,"
	    R"("family":"inet","dst":null,"prefix":null,"dport_min":5,"dport_max":65535,)"
	    R"("program":null}])");
	PIN(rsk::to_table(std::vector<rsk::Policy>{}),
	    "Id  Prio  Match  Action\n");
}

/* JSON is UTF-8: a name that is not fails when printed, as the tool does. */
TEST(PrintedByHand, NotUtf8)
{
	rsk::Policy p;
	p.action = "pass";
	p.program = "bad\xff";
	json j = rsk::to_json(p);
	EXPECT_THROW(j.dump(), json::type_error);
	EXPECT_NE(std::string::npos, rsk::to_table<rsk::Policy>({p}).find("prog bad\xff"));
}

} /* namespace */
