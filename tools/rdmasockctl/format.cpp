// SPDX-License-Identifier: GPL-2.0
#include "format.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace rsk {

namespace {

json endpoint_json(const Endpoint &e)
{
	if (e.empty())
		return nullptr;
	return {{"addr", e.addr}, {"port", e.port}};
}

template <class T>
json opt_json(const std::optional<T> &v)
{
	return v ? json(*v) : json(nullptr);
}

std::string errno_name(uint32_t err)
{
	if (!err)
		return "";
	const char *n = strerrorname_np(err);
	return n ? n : std::to_string(err);
}

} /* namespace */

json to_json(const Info &i)
{
	return {{"version", i.version}, {"family", i.family},
		{"protocol_version", i.proto_version},
		{"protocol_min_version", i.proto_min}};
}

json to_json(const Device &d)
{
	json rnr = json::object();
	for (const auto &[name, value] : d.rnr)
		rnr[name] = value;
	return {{"name", d.name}, {"index", d.index}, {"ports", d.ports},
		{"srq_depth", d.srq_depth}, {"srq_posted", d.srq_posted},
		{"refs", d.refs}, {"dying", d.dying}, {"rnr", rnr}};
}

json to_json(const Link &l)
{
	return {{"id", l.id}, {"dir", l.active ? "active" : "passive"},
		{"state", l.state}, {"local", endpoint_json(l.local)},
		{"peer", endpoint_json(l.peer)}, {"dev", l.dev},
		{"qpn", l.qpn}, {"peer_qpn", l.peer_qpn},
		{"channels", l.channels}, {"max_msg", l.max_msg},
		{"tx_bytes", l.tx_bytes}, {"tx_msgs", l.tx_msgs},
		{"rx_bytes", l.rx_bytes}, {"rx_msgs", l.rx_msgs},
		{"errors", l.errors},
		{"error", l.err ? json(errno_name(l.err)) : json(nullptr)}};
}

json to_json(const Socket &s)
{
	return {{"type", s.type}, {"state", s.state},
		{"local", endpoint_json(s.local)}, {"peer", endpoint_json(s.peer)},
		{"recv_q", s.recvq}, {"send_q", s.sendq},
		{"link", opt_json(s.link_id)}, {"chan", opt_json(s.chan)},
		{"peer_chan", opt_json(s.peer_chan)},
		{"snd_wnd", opt_json(s.snd_wnd)}, {"rcv_wnd", opt_json(s.rcv_wnd)},
		{"uid", s.uid}, {"inode", s.inode}, {"id", s.id}};
}

json to_json(const std::vector<Stat> &stats, bool nonzero_only)
{
	json objects = json::object(), events = json::object(), devices = json::object();

	for (const Stat &s : stats) {
		if (nonzero_only && !s.value && !s.object)
			continue;
		(s.object ? objects : s.device ? devices : events)[s.name] =
			json{{"value", s.value}, {"total", s.total}};
	}
	return {{"objects", objects}, {"events", events}, {"devices", devices}};
}

json to_json(const Policy &p)
{
	return {{"id", p.id}, {"prio", p.prio}, {"action", p.action},
		{"type", p.type.empty() ? json(nullptr) : json(p.type)},
		{"family", p.family == 0 ? json(nullptr) :
			   json(p.family == AF_INET6 ? "inet6" : "inet")},
		{"dst", p.dst.empty() ? json(nullptr) : json(p.dst)},
		{"prefix", p.dst.empty() ? json(nullptr) : json(p.prefix)},
		{"dport_min", p.dport_min}, {"dport_max", p.dport_max},
		{"program", p.program.empty() ? json(nullptr) : json(p.program)}};
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

std::string format_status(const Info &i, size_t devices, size_t links,
			  size_t sockets)
{
	return "rdma_sock " + i.version + ": family " + std::to_string(i.family) +
	       ", protocol " + std::to_string(i.proto_version) + " (accepts " +
	       std::to_string(i.proto_min) + ".." + std::to_string(i.proto_version) +
	       ")\n" + std::to_string(devices) + " devices, " +
	       std::to_string(links) + " links, " + std::to_string(sockets) +
	       " sockets in this namespace\n";
}

std::string format_devices(const std::vector<Device> &v)
{
	std::vector<std::vector<std::string>> rows = {
		{"Device", "Index", "Ports", "SRQ-posted", "SRQ-depth", "Refs", "State",
		 "RNR"}};

	for (const Device &d : v) {
		std::string rnr;
		for (const auto &[name, value] : d.rnr)
			rnr += (rnr.empty() ? "" : " ") + name + "=" + std::to_string(value);
		rows.push_back({d.name, std::to_string(d.index), std::to_string(d.ports),
				std::to_string(d.srq_posted), std::to_string(d.srq_depth),
				std::to_string(d.refs), d.dying ? "removing" : "bound",
				rnr.empty() ? "-" : rnr});
	}
	return table(rows);
}

std::string format_links(const std::vector<Link> &v)
{
	std::vector<std::vector<std::string>> rows = {
		{"Id", "Dir", "State", "Local", "Peer", "Dev", "QPN", "Peer-QPN",
		 "Chans", "Tx-bytes", "Tx-msgs", "Rx-bytes", "Rx-msgs", "Errors"}};

	for (const Link &l : v) {
		std::string state = l.state;
		if (l.err)
			state += " (" + errno_name(l.err) + ")";
		rows.push_back({std::to_string(l.id), l.active ? "active" : "passive",
				state, l.local.empty() ? "*" : l.local.addr,
				l.peer.empty() ? "*" : l.peer.addr, l.dev.empty() ? "-" : l.dev,
				std::to_string(l.qpn), std::to_string(l.peer_qpn),
				std::to_string(l.channels), std::to_string(l.tx_bytes),
				std::to_string(l.tx_msgs), std::to_string(l.rx_bytes),
				std::to_string(l.rx_msgs), std::to_string(l.errors)});
	}
	return table(rows);
}

std::string format_sockets(const std::vector<Socket> &v, bool extended)
{
	std::vector<std::vector<std::string>> rows = {
		{"Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port",
		 "Peer Address:Port"}};

	if (extended)
		for (const char *h : {"Link", "Chan", "Peer-chan", "Uid", "Inode"})
			rows[0].push_back(h);
	for (const Socket &s : v) {
		std::vector<std::string> r = {
			s.type == "stream" ? "rdma" : "rdmaud", s.state,
			std::to_string(s.recvq), std::to_string(s.sendq),
			s.local.str(), s.peer.empty() ? "*:*" : s.peer.str()};
		if (extended) {
			auto o = [](const std::optional<uint32_t> &x) {
				return x ? std::to_string(*x) : std::string("-");
			};
			r.push_back(o(s.link_id));
			r.push_back(o(s.chan));
			r.push_back(o(s.peer_chan));
			r.push_back(std::to_string(s.uid));
			r.push_back(std::to_string(s.inode));
		}
		rows.push_back(std::move(r));
	}
	return table(rows);
}

std::string format_stats(const std::vector<Stat> &v, bool nonzero_only)
{
	std::vector<std::vector<std::string>> rows = {{"Counter", "Kind", "Here", "Module"}};

	for (const Stat &s : v) {
		if (nonzero_only && !s.value && !s.object)
			continue;
		rows.push_back({s.name, s.object ? "object" : s.device ? "device" : "event",
				std::to_string(s.value), std::to_string(s.total)});
	}
	return table(rows);
}

std::string format_policies(const std::vector<Policy> &v)
{
	std::vector<std::vector<std::string>> rows = {{"Id", "Prio", "Match", "Action"}};

	for (const Policy &p : v)
		rows.push_back({std::to_string(p.id), std::to_string(p.prio), p.match(),
				p.action});
	return table(rows);
}

} /* namespace rsk */
