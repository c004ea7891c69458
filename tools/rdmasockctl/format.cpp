// SPDX-License-Identifier: GPL-2.0
/*
 * The table of fields of each kind of object, and what the tables do not
 * say: how columns line up, how counters group by kind.  In each table
 * the fields are in the order of the JSON; the text table's columns come
 * in the same order, which is why a value shown at another place in the
 * two (a socket's addresses, ss-like, after its queues) has a field for
 * each.
 */
#include "format.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <iterator>

namespace rsk {

namespace {

/* A field that is the member M of the object, as it is. */
template <auto M, class T>
Value member(const T &o)
{
	return o.*M;
}

/* Text, or nothing when it is empty. */
Value or_null(const std::string &s)
{
	return s.empty() ? Value() : Value(s);
}

json endpoint_json(const Endpoint &e)
{
	if (e.empty())
		return nullptr;
	return {{"addr", e.addr}, {"port", e.port}};
}

std::string errno_name(uint32_t err)
{
	if (!err)
		return "";
	const char *n = strerrorname_np(err);
	return n ? n : std::to_string(err);
}

/* ---------------------------------------------------------- status */

const Fields<Status> status_fields = {
	{"version", nullptr, [](const Status &s) -> Value { return s.info.version; }},
	{"family", nullptr, [](const Status &s) -> Value { return s.info.family; }},
	{"protocol_version", nullptr,
	 [](const Status &s) -> Value { return s.info.proto_version; }},
	{"protocol_min_version", nullptr,
	 [](const Status &s) -> Value { return s.info.proto_min; }},
	{"devices", nullptr, member<&Status::devices>},
	{"links", nullptr, member<&Status::links>},
	{"sockets", nullptr, member<&Status::sockets>},
};

/* ---------------------------------------------------------- devices */

json rnr_json(const Device &d)
{
	json rnr = json::object();
	for (const auto &[name, value] : d.rnr)
		rnr[name] = value;
	return rnr;
}

std::string rnr_text(const Device &d)
{
	std::string rnr;
	for (const auto &[name, value] : d.rnr)
		rnr += (rnr.empty() ? "" : " ") + name + "=" + std::to_string(value);
	return rnr.empty() ? "-" : rnr;
}

const Fields<Device> device_fields = {
	{"name", "Device", member<&Device::name>},
	{"index", "Index", member<&Device::index>},
	{"ports", "Ports", member<&Device::ports>},
	/* the table has the buffers posted before the depth, JSON after */
	{nullptr, "SRQ-posted", member<&Device::srq_posted>},
	{"srq_depth", "SRQ-depth", member<&Device::srq_depth>},
	{"srq_posted", nullptr, member<&Device::srq_posted>},
	{"refs", "Refs", member<&Device::refs>},
	{"dying", "State", member<&Device::dying>,
	 [](const Device &d) -> std::string { return d.dying ? "removing" : "bound"; }},
	{"rnr", "RNR", [](const Device &d) -> Value { return rnr_json(d); }, rnr_text},
};

/* ---------------------------------------------------------- links */

/* A link's end in its table: the address alone, its port is 0. */
std::string link_end(const Endpoint &e)
{
	return e.empty() ? "*" : e.addr;
}

const Fields<Link> link_fields = {
	{"id", "Id", member<&Link::id>},
	{"dir", "Dir", [](const Link &l) -> Value { return l.active ? "active" : "passive"; }},
	{"state", "State", member<&Link::state>,
	 [](const Link &l) { return l.err ? l.state + " (" + errno_name(l.err) + ")" : l.state; }},
	{"local", "Local", [](const Link &l) -> Value { return endpoint_json(l.local); },
	 [](const Link &l) { return link_end(l.local); }},
	{"peer", "Peer", [](const Link &l) -> Value { return endpoint_json(l.peer); },
	 [](const Link &l) { return link_end(l.peer); }},
	{"dev", "Dev", member<&Link::dev>,
	 [](const Link &l) { return l.dev.empty() ? "-" : l.dev; }},
	{"qpn", "QPN", member<&Link::qpn>},
	{"peer_qpn", "Peer-QPN", member<&Link::peer_qpn>},
	{"channels", "Chans", member<&Link::channels>},
	{"max_msg", nullptr, member<&Link::max_msg>},
	{"tx_bytes", "Tx-bytes", member<&Link::tx_bytes>},
	{"tx_msgs", "Tx-msgs", member<&Link::tx_msgs>},
	{"rx_bytes", "Rx-bytes", member<&Link::rx_bytes>},
	{"rx_msgs", "Rx-msgs", member<&Link::rx_msgs>},
	{"errors", "Errors", member<&Link::errors>},
	/* the table has it after the state */
	{"error", nullptr, [](const Link &l) -> Value { return or_null(errno_name(l.err)); }},
};

/* ---------------------------------------------------------- sockets */

const Fields<Socket> socket_fields = {
	{"type", "Netid", member<&Socket::type>,
	 [](const Socket &s) -> std::string { return s.type == "stream" ? "rdma" : "rdmaud"; }},
	{"state", "State", member<&Socket::state>},
	{"local", nullptr, [](const Socket &s) -> Value { return endpoint_json(s.local); }},
	{"peer", nullptr, [](const Socket &s) -> Value { return endpoint_json(s.peer); }},
	{"recv_q", "Recv-Q", member<&Socket::recvq>},
	{"send_q", "Send-Q", member<&Socket::sendq>},
	/* ss has the addresses after the queues */
	{nullptr, "Local Address:Port", [](const Socket &s) -> Value { return s.local.str(); }},
	{nullptr, "Peer Address:Port",
	 [](const Socket &s) -> Value { return s.peer.empty() ? "*:*" : s.peer.str(); }},
	{.key = "link", .header = "Link", .get = member<&Socket::link_id>, .details = true},
	{.key = "chan", .header = "Chan", .get = member<&Socket::chan>, .details = true},
	{.key = "peer_chan", .header = "Peer-chan", .get = member<&Socket::peer_chan>,
	 .details = true},
	{"snd_wnd", nullptr, member<&Socket::snd_wnd>},
	{"rcv_wnd", nullptr, member<&Socket::rcv_wnd>},
	{.key = "uid", .header = "Uid", .get = member<&Socket::uid>, .details = true},
	{.key = "inode", .header = "Inode", .get = member<&Socket::inode>, .details = true},
	{"id", nullptr, member<&Socket::id>},
};

/* ---------------------------------------------------------- counters */

std::string kind(const Stat &s)
{
	return s.object ? "object" : s.device ? "device" : "event";
}

/* In JSON a counter is its value and total, under its name, in its kind's
 * group (stats_json()). */
const Fields<Stat> stat_fields = {
	{nullptr, "Counter", member<&Stat::name>},
	{nullptr, "Kind", [](const Stat &s) -> Value { return kind(s); }},
	{"value", "Here", member<&Stat::value>},
	{"total", "Module", member<&Stat::total>},
};

/* ---------------------------------------------------------- rules */

const Fields<Policy> policy_fields = {
	{"id", "Id", member<&Policy::id>},
	{"prio", "Prio", member<&Policy::prio>},
	{nullptr, "Match", [](const Policy &p) -> Value { return p.match(); }},
	{"action", "Action", member<&Policy::action>},
	{"type", nullptr, [](const Policy &p) { return or_null(p.type); }},
	{"family", nullptr,
	 [](const Policy &p) -> Value {
		 if (!p.family)
			 return nullptr;
		 return p.family == AF_INET6 ? "inet6" : "inet";
	 }},
	{"dst", nullptr, [](const Policy &p) { return or_null(p.dst); }},
	{"prefix", nullptr,
	 [](const Policy &p) { return p.dst.empty() ? Value() : Value(p.prefix); }},
	{"dport_min", nullptr, member<&Policy::dport_min>},
	{"dport_max", nullptr, member<&Policy::dport_max>},
	{"program", nullptr, [](const Policy &p) { return or_null(p.program); }},
};

} /* namespace */

template <> const Fields<Status> &fields_of<Status>() { return status_fields; }
template <> const Fields<Device> &fields_of<Device>() { return device_fields; }
template <> const Fields<Link> &fields_of<Link>() { return link_fields; }
template <> const Fields<Socket> &fields_of<Socket>() { return socket_fields; }
template <> const Fields<Stat> &fields_of<Stat>() { return stat_fields; }
template <> const Fields<Policy> &fields_of<Policy>() { return policy_fields; }

const char status_text[] =
	"rdma_sock {version}: family {family}, protocol {protocol_version} "
	"(accepts {protocol_min_version}..{protocol_version})\n"
	"{devices} devices, {links} links, {sockets} sockets in this namespace\n";

std::vector<Stat> summary(const std::vector<Stat> &v)
{
	std::vector<Stat> some;

	std::copy_if(v.begin(), v.end(), std::back_inserter(some),
		     [](const Stat &s) { return s.value || s.object; });
	return some;
}

json stats_json(const std::vector<Stat> &v)
{
	json j = {{"objects", json::object()}, {"events", json::object()},
		  {"devices", json::object()}};

	for (const Stat &s : v)
		j[kind(s) + "s"][s.name] = to_json(s);
	return j;
}

std::string table(const std::vector<std::vector<std::string>> &rows)
{
	std::vector<size_t> width;
	std::string out;

	for (const auto &r : rows)
		for (size_t i = 0; i < r.size(); i++) {
			if (width.size() <= i)
				width.push_back(0);
			width[i] = std::max(width[i], r[i].size());
		}
	for (const auto &r : rows) {
		std::string line;
		for (size_t i = 0; i < r.size(); i++) {
			line += r[i];
			if (i + 1 < r.size())
				line += std::string(width[i] - r[i].size() + 2, ' ');
		}
		out += line + "\n";
	}
	return out;
}

} /* namespace rsk */
