// SPDX-License-Identifier: GPL-2.0
#include "policy.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdlib>

#include "filter.hpp"

namespace rsk {

namespace {

unsigned long number_of(const std::string &what, const std::string &w,
			unsigned long max)
{
	char *end = nullptr;
	unsigned long v = strtoul(w.c_str(), &end, 10);

	if (w.empty() || w[0] == '-' || w[0] == '+' || *end || v > max)
		throw UsageError("bad " + what + " \"" + w + "\"");
	return v;
}

/* "10.0.0.0/8", "fd00::/64", or an address alone (a full-length prefix). */
void dst_of(Policy &p, const std::string &w)
{
	size_t slash = w.find('/');
	std::string ip = w.substr(0, slash);
	int family = ip.find(':') == std::string::npos ? AF_INET : AF_INET6;
	unsigned char buf[16];
	char text[INET6_ADDRSTRLEN];
	unsigned bits = family == AF_INET ? 32 : 128;

	if (inet_pton(family, ip.c_str(), buf) != 1 ||
	    !inet_ntop(family, buf, text, sizeof(text)))
		throw UsageError("bad address \"" + w + "\"");
	if (p.family && p.family != family)
		throw UsageError("\"" + w + "\" is not of the rule's family");
	p.family = family;
	p.dst = text;
	p.prefix = slash == std::string::npos ?
		   bits : number_of("prefix length", w.substr(slash + 1), bits);
}

void dport_of(Policy &p, const std::string &w)
{
	size_t dash = w.find('-');

	p.dport_min = number_of("port", w.substr(0, dash), 65535);
	p.dport_max = dash == std::string::npos ?
		      p.dport_min : number_of("port", w.substr(dash + 1), 65535);
	if (p.dport_max < p.dport_min)
		throw UsageError("bad port range \"" + w + "\"");
}

void family_of(Policy &p, const std::string &w)
{
	int family = w == "inet" ? AF_INET : w == "inet6" ? AF_INET6 : 0;

	if (!family)
		throw UsageError("bad family \"" + w + "\" (inet or inet6)");
	if (!p.dst.empty() && p.family != family)
		throw UsageError("family " + w + " does not fit dst " + p.dst);
	p.family = family;
}

} /* namespace */

Policy parse_policy_words(const std::vector<std::string> &words)
{
	Policy p;

	for (size_t i = 0; i < words.size(); i++) {
		const std::string &k = words[i];
		if (i + 1 == words.size())
			throw UsageError("\"" + k + "\" needs a value");
		const std::string &v = words[++i];
		if (k == "prio")
			p.prio = number_of("priority", v, UINT32_MAX);
		else if (k == "type") {
			if (v != "stream" && v != "dgram")
				throw UsageError("bad type \"" + v + "\" (stream or dgram)");
			p.type = v;
		} else if (k == "family")
			family_of(p, v);
		else if (k == "dst")
			dst_of(p, v);
		else if (k == "dport")
			dport_of(p, v);
		else if (k == "prog" || k == "program") {
			if (v.empty() || v.size() > 15)
				throw UsageError("bad program name \"" + v +
						 "\" (1 to 15 characters, as comm)");
			p.program = v;
		} else if (k == "action") {
			if (v != "accel" && v != "pass")
				throw UsageError("bad action \"" + v + "\" (accel or pass)");
			p.action = v;
		} else
			throw UsageError("unknown rule key \"" + k + "\"");
	}
	if (p.action.empty())
		throw UsageError("a rule needs an action: action accel|pass");
	return p;
}

std::string Policy::match() const
{
	std::string m;

	if (!type.empty())
		m += " type " + type;
	if (family && dst.empty())
		m += family == AF_INET ? " family inet" : " family inet6";
	if (!dst.empty())
		m += " dst " + dst + "/" + std::to_string(prefix);
	if (dport_min || dport_max != 65535)
		m += " dport " + std::to_string(dport_min) +
		     (dport_max != dport_min ? "-" + std::to_string(dport_max) : "");
	if (!program.empty())
		m += " prog " + program;
	return m.empty() ? "all" : m.substr(1);
}

} /* namespace rsk */
