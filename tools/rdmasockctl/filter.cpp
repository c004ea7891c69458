// SPDX-License-Identifier: GPL-2.0
#include "filter.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace rsk {

namespace {

uint16_t port_of(const std::string &w)
{
	char *end = nullptr;
	unsigned long v = strtoul(w.c_str(), &end, 10);

	if (w.empty() || *end || v > 65535)
		throw UsageError("bad port \"" + w + "\"");
	return static_cast<uint16_t>(v);
}

/*
 * The address in canonical text, so that "fd00:0::1" and "fd00::1"
 * compare; a scope ("%eth0") is kept as given, as the parser writes it.
 */
std::string addr_of(const std::string &w)
{
	unsigned char buf[16];
	char text[INET6_ADDRSTRLEN];
	size_t pct = w.find('%');
	std::string ip = w.substr(0, pct);
	int family = ip.find(':') == std::string::npos ? AF_INET : AF_INET6;

	if (inet_pton(family, ip.c_str(), buf) != 1 ||
	    !inet_ntop(family, buf, text, sizeof(text)) ||
	    (pct != std::string::npos && (family != AF_INET6 || pct + 1 == w.size())))
		throw UsageError("bad address \"" + w + "\"");
	return text + (pct == std::string::npos ? std::string() : w.substr(pct));
}

} /* namespace */

SocketFilter SocketFilter::parse(const std::vector<std::string> &words)
{
	SocketFilter f;
	size_t i = 0;

	if (i < words.size() && words[i] == "show")
		i++;
	while (i < words.size()) {
		const std::string &k = words[i];
		if (i + 1 >= words.size())
			throw UsageError("\"" + k + "\" wants a value");
		const std::string &v = words[i + 1];
		if (k == "state") {
			int n = tcp_state_number(v);
			if (n < 0)
				throw UsageError("unknown state \"" + v + "\"");
			f.states.push_back(tcp_state_name(n));
		} else if (k == "type") {
			if (v != "stream" && v != "dgram")
				throw UsageError("type is stream or dgram, not \"" + v + "\"");
			f.type = v;
		} else if (k == "sport") {
			f.sport = port_of(v);
		} else if (k == "dport") {
			f.dport = port_of(v);
		} else if (k == "src") {
			f.src = addr_of(v);
		} else if (k == "dst" || k == "peer") {
			f.dst = addr_of(v);
		} else {
			throw UsageError("unknown filter \"" + k + "\"");
		}
		i += 2;
	}
	return f;
}

bool SocketFilter::matches(const Socket &s) const
{
	if (!states.empty()) {
		/* ss calls an unconnected datagram socket UNCONN: CLOSE's name */
		std::string st = s.state == "UNCONN" ? "CLOSE" : s.state;
		if (std::find(states.begin(), states.end(), st) == states.end())
			return false;
	}
	if (type && s.type != *type)
		return false;
	if (sport && s.local.port != *sport)
		return false;
	if (dport && s.peer.port != *dport)
		return false;
	if (src && s.local.addr != *src)
		return false;
	if (dst && s.peer.addr != *dst)
		return false;
	return true;
}

} /* namespace rsk */
