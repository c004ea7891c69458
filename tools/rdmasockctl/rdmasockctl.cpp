// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasockctl: show and tune the rdma_sock module, as ip, ss and rdma do
 * for theirs.  Reads over the "rdma_sock" generic netlink family (nl.cpp),
 * settings through net.rdma_sock sysctls (sysctl.cpp), acceleration rules
 * over netlink too (policy.cpp); prints tables or, with -j, JSON
 * (format.cpp).  The man page is rdmasockctl.8.
 *
 * Exit codes: 0 success; 1 failure; 2 bad usage (unknown command, filter
 * or setting, bad value); 3 the module is not loaded; 4 permission denied.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "filter.hpp"
#include "format.hpp"
#include "nl.hpp"
#include "policy.hpp"
#include "sysctl.hpp"

namespace {

enum Exit { kOk = 0, kFail = 1, kUsage = 2, kNotLoaded = 3, kDenied = 4 };

struct Output {
	bool json = false;
	bool pretty = false;

	void print(const rsk::json &j, const std::string &text) const
	{
		if (json)
			std::cout << j.dump(pretty ? 2 : -1) << "\n";
		else
			std::cout << text;
	}
};

int cmd_status(const Output &out)
{
	rsk::Client c;
	rsk::Status s{c.info()};
	s.devices = c.devices().size();
	s.links = c.links().size();
	s.sockets = c.sockets().size();
	out.print(rsk::to_json(s), rsk::to_text(s, rsk::status_text));
	return kOk;
}

int cmd_dev(const Output &out)
{
	rsk::Client c;
	auto v = c.devices();
	out.print(rsk::to_json(v), rsk::to_table(v));
	return kOk;
}

int cmd_link(const Output &out)
{
	rsk::Client c;
	auto v = c.links();
	out.print(rsk::to_json(v), rsk::to_table(v));
	return kOk;
}

int cmd_sock(const Output &out, const std::vector<std::string> &words, bool extended)
{
	rsk::SocketFilter f = rsk::SocketFilter::parse(words);	/* throws UsageError */
	rsk::Client c;
	std::vector<rsk::Socket> v;

	for (rsk::Socket &s : c.sockets())
		if (f.matches(s))
			v.push_back(std::move(s));
	out.print(rsk::to_json(v), rsk::to_table(v, extended));
	return kOk;
}

int cmd_stats(const Output &out, bool nonzero_only)
{
	rsk::Client c;
	auto v = c.stats();
	if (nonzero_only)
		v = rsk::summary(v);
	out.print(rsk::stats_json(v), rsk::to_table(v));
	return kOk;
}

int cmd_get(const Output &out, const std::string &key)
{
	if (key.empty()) {
		auto all = rsk::settings();
		rsk::json j = rsk::json::object();
		std::string text;
		for (const auto &[k, v] : all) {
			j[k] = v;
			text += k + " = " + v + "\n";
		}
		out.print(j, text);
		return kOk;
	}
	std::string v = rsk::get_setting(key);
	out.print(rsk::json{{key, v}}, v + "\n");
	return kOk;
}

int cmd_set(const std::string &key, const std::string &value)
{
	rsk::set_setting(key, value);
	return kOk;
}

int cmd_policy_show(const Output &out)
{
	rsk::Client c;
	auto v = c.policies();
	out.print(rsk::to_json(v), rsk::to_table(v));
	return kOk;
}

int cmd_policy_add(const Output &out, const std::vector<std::string> &words)
{
	rsk::Policy p = rsk::parse_policy_words(words);	/* throws UsageError */
	rsk::Client c;
	rsk::Policy added = c.add_policy(p);
	out.print(rsk::to_json(added), rsk::to_text(added, "rule {id}\n"));
	return kOk;
}

int cmd_policy_del(const std::string &id_word)
{
	char *end = nullptr;
	unsigned long id = strtoul(id_word.c_str(), &end, 10);

	if (id_word.empty() || *end || !id || id > UINT32_MAX)
		throw rsk::UsageError("bad rule id \"" + id_word + "\"");
	rsk::Client c;
	c.del_policy(id);
	return kOk;
}

int cmd_policy_flush()
{
	rsk::Client c;
	c.del_policy(0);
	return kOk;
}

/* What the module refused for bad input is bad usage, as ip says so. */
int netlink_exit(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return kDenied;
	case EINVAL:
	case ERANGE:
	case EAFNOSUPPORT:
	case EEXIST:
	case ENOENT:
	case ENOSPC:
		return kUsage;
	}
	return kFail;
}

int run(CLI::App &app, const std::function<int()> &fn)
{
	try {
		return fn();
	} catch (const rsk::NotLoaded &e) {
		std::cerr << app.get_name() << ": " << e.what() << " (modprobe rdma_sock)\n";
		return kNotLoaded;
	} catch (const rsk::UsageError &e) {
		std::cerr << app.get_name() << ": " << e.what() << "\n";
		return kUsage;
	} catch (const rsk::SettingError &e) {
		std::cerr << app.get_name() << ": " << e.what();
		if (e.err == ENODEV) {
			std::cerr << " (modprobe rdma_sock)\n";
			return kNotLoaded;
		}
		if (e.err == EACCES || e.err == EPERM) {
			std::cerr << " (changing settings needs CAP_NET_ADMIN)\n";
			return kDenied;
		}
		std::cerr << "\n";
		return e.err == ENOENT || e.err == EINVAL ? kUsage : kFail;
	} catch (const rsk::NetlinkError &e) {
		std::cerr << app.get_name() << ": " << e.what();
		if (e.err == EPERM || e.err == EACCES)
			std::cerr << " (changing rules needs CAP_NET_ADMIN)";
		std::cerr << "\n";
		return netlink_exit(e.err);
	} catch (const std::exception &e) {
		std::cerr << app.get_name() << ": " << e.what() << "\n";
		return kFail;
	}
}

} /* namespace */

int main(int argc, char **argv)
{
	CLI::App app{"Show and tune the rdma_sock module (sockets over RDMA).\n"
		     "Exit codes: 0 ok, 1 failure, 2 bad usage, 3 module not loaded, "
		     "4 permission denied.",
		     "rdmasockctl"};
	Output out;
	app.add_flag("-j,--json", out.json, "print JSON");
	app.add_flag("-p,--pretty", out.pretty, "indent the JSON (with -j)");
	app.require_subcommand(1);

	auto *status = app.add_subcommand("status", "the module: version, family, protocol, object counts");
	auto *dev = app.add_subcommand("dev", "RDMA devices the module bound");
	dev->add_subcommand("show", "the same")->fallthrough();
	auto *link = app.add_subcommand("link", "links (RC queue pairs) of this namespace");
	link->add_subcommand("show", "the same")->fallthrough();

	std::vector<std::string> filters;
	bool extended = false;
	auto *sock = app.add_subcommand("sock", "sockets of this namespace, as ss shows them");
	sock->add_flag("-e,--extended", extended, "also link, channel ids, uid and inode");
	sock->add_option("filter", filters,
			 "[show] [state STATE] [type stream|dgram] [sport PORT] [dport PORT] "
			 "[src ADDR] [dst ADDR]");
	sock->fallthrough();

	bool nonzero = false;
	auto *stats = app.add_subcommand("stats", "object and event counters: this namespace's and the module's");
	stats->add_flag("-s,--summary", nonzero, "objects and the events that happened only");

	std::string key, value;
	auto *get = app.add_subcommand("get", "print a setting (net.rdma_sock.KEY), or all of them");
	get->add_option("key", key, "the setting, e.g. link_idle_ms");
	auto *set = app.add_subcommand("set", "change a setting (needs CAP_NET_ADMIN)");
	set->add_option("key", key, "the setting")->required();
	set->add_option("value", value, "its new value")->required();

	auto *policy = app.add_subcommand("policy",
					  "acceleration rules of this namespace (show, add, del, flush)");
	policy->require_subcommand(0, 1);
	policy->add_subcommand("show", "the rules, in the order they are tried");
	std::vector<std::string> rule;
	auto *policy_add = policy->add_subcommand("add", "add a rule (needs CAP_NET_ADMIN)");
	policy_add->add_option("rule", rule,
			       "[prio N] [type stream|dgram] [family inet|inet6] [dst PREFIX] "
			       "[dport PORT[-PORT]] [prog NAME] action accel|pass")
		->required();
	std::string rule_id;
	auto *policy_del = policy->add_subcommand("del", "delete rule ID (needs CAP_NET_ADMIN)");
	policy_del->add_option("id", rule_id, "the rule's id, as show prints it")->required();
	auto *policy_flush = policy->add_subcommand("flush",
						    "delete every rule (needs CAP_NET_ADMIN)");

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int rc = app.exit(e);
		return rc ? kUsage : kOk;
	}

	return run(app, [&]() -> int {
		if (status->parsed())
			return cmd_status(out);
		if (dev->parsed())
			return cmd_dev(out);
		if (link->parsed())
			return cmd_link(out);
		if (sock->parsed())
			return cmd_sock(out, filters, extended);
		if (stats->parsed())
			return cmd_stats(out, nonzero);
		if (get->parsed())
			return cmd_get(out, key);
		if (policy_add->parsed())
			return cmd_policy_add(out, rule);
		if (policy_del->parsed())
			return cmd_policy_del(rule_id);
		if (policy_flush->parsed())
			return cmd_policy_flush();
		if (policy->parsed())
			return cmd_policy_show(out);
		return cmd_set(key, value);
	});
}
