// SPDX-License-Identifier: GPL-2.0
/*
 * The commands: their handlers, their options, and the table that names
 * them (commands.hpp).  Reads go over the "rdma_sock" generic netlink
 * family (nl.cpp), settings through net.rdma_sock sysctls (sysctl.cpp),
 * acceleration rules over netlink too (policy.cpp); output is a table or,
 * with -j, JSON, made from the objects' fields (format.cpp).  The man page
 * is rdmasockctl.8.
 */
#include "commands.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "filter.hpp"
#include "format.hpp"
#include "policy.hpp"
#include "sysctl.hpp"

namespace rsk {

namespace {

/* ---------------------------------------------------------- handlers */

/* A list of objects: a JSON array, or their table. */
template <class T>
int show(const Context &c, const std::vector<T> &v, bool details = false)
{
	c.print([&] { return to_json(v); }, [&] { return to_table(v, details); });
	return kOk;
}

int status(Context &c)
{
	auto m = c.env.connect();
	Status s{m->info()};
	s.devices = m->devices().size();
	s.links = m->links().size();
	s.sockets = m->sockets().size();
	c.print([&] { return to_json(s); }, [&] { return to_text(s, status_text); });
	return kOk;
}

int dev_show(Context &c)
{
	return show(c, c.env.connect()->devices());
}

int link_show(Context &c)
{
	return show(c, c.env.connect()->links());
}

int sock_show(Context &c)
{
	SocketFilter f = SocketFilter::parse(c.filter);	/* throws UsageError */
	std::vector<Socket> v;

	for (Socket &s : c.env.connect()->sockets())
		if (f.matches(s))
			v.push_back(std::move(s));
	return show(c, v, c.extended);
}

int stats_show(Context &c)
{
	auto v = c.env.connect()->stats();

	if (c.summary)
		v = summary(v);
	c.print([&] { return stats_json(v); }, [&] { return to_table(v); });
	return kOk;
}

int get(Context &c)
{
	if (c.key.empty()) {
		auto all = settings();
		c.print([&] {
			json j = json::object();
			for (const auto &[k, v] : all)
				j[k] = v;
			return j;
		}, [&] {
			std::string text;
			for (const auto &[k, v] : all)
				text += k + " = " + v + "\n";
			return text;
		});
		return kOk;
	}
	std::string v = get_setting(c.key);
	c.print([&] { return json{{c.key, v}}; }, [&] { return v + "\n"; });
	return kOk;
}

int set(Context &c)
{
	set_setting(c.key, c.value);
	return kOk;
}

int policy_show(Context &c)
{
	return show(c, c.env.connect()->policies());
}

int policy_add(Context &c)
{
	Policy p = parse_policy_words(c.rule);	/* throws UsageError */
	Policy added = c.env.connect()->add_policy(p);

	c.print([&] { return to_json(added); }, [&] { return to_text(added, "rule {id}\n"); });
	return kOk;
}

int policy_del(Context &c)
{
	const std::string &w = c.rule_id;
	char *end = nullptr;
	unsigned long id = strtoul(w.c_str(), &end, 10);

	if (w.empty() || *end || !id || id > UINT32_MAX)
		throw UsageError("bad rule id \"" + w + "\"");
	c.env.connect()->del_policy(id);
	return kOk;
}

int policy_flush(Context &c)
{
	c.env.connect()->del_policy(0);
	return kOk;
}

/* ---------------------------------------------------------- options */

/* "dev show": the same as "dev", options after it included. */
void same(CLI::App &a, Context &)
{
	a.fallthrough();
}

void sock_options(CLI::App &a, Context &c)
{
	a.add_flag("-e,--extended", c.extended, "also link, channel ids, uid and inode");
	a.add_option("filter", c.filter,
		     "[show] [state STATE] [type stream|dgram] [sport PORT] [dport PORT] "
		     "[src ADDR] [dst ADDR]");
	a.fallthrough();
}

void stats_options(CLI::App &a, Context &c)
{
	a.add_flag("-s,--summary", c.summary, "objects and the events that happened only");
}

void get_options(CLI::App &a, Context &c)
{
	a.add_option("key", c.key, "the setting, e.g. link_idle_ms");
}

void set_options(CLI::App &a, Context &c)
{
	a.add_option("key", c.key, "the setting")->required();
	a.add_option("value", c.value, "its new value")->required();
}

void policy_options(CLI::App &a, Context &)
{
	a.require_subcommand(0, 1);
}

void policy_add_options(CLI::App &a, Context &c)
{
	a.add_option("rule", c.rule,
		     "[prio N] [type stream|dgram] [family inet|inet6] [dst PREFIX] "
		     "[dport PORT[-PORT]] [prog NAME] action accel|pass")
		->required();
}

void policy_del_options(CLI::App &a, Context &c)
{
	a.add_option("id", c.rule_id, "the rule's id, as show prints it")->required();
}

/* ---------------------------------------------------------- running */

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

/* Runs @cmd's handler; what it throws becomes a message and an exit code. */
int guarded(const std::string &name, const Command &cmd, Context &c)
{
	std::ostream &err = c.env.err;

	try {
		return cmd.run(c);
	} catch (const NotLoaded &e) {
		err << name << ": " << e.what() << " (modprobe rdma_sock)\n";
		return kNotLoaded;
	} catch (const UsageError &e) {
		err << name << ": " << e.what() << "\n";
		return kUsage;
	} catch (const SettingError &e) {
		err << name << ": " << e.what();
		if (e.err == ENODEV) {
			err << " (modprobe rdma_sock)\n";
			return kNotLoaded;
		}
		if (e.err == EACCES || e.err == EPERM) {
			err << " (changing settings needs CAP_NET_ADMIN)\n";
			return kDenied;
		}
		err << "\n";
		return e.err == ENOENT || e.err == EINVAL ? kUsage : kFail;
	} catch (const NetlinkError &e) {
		err << name << ": " << e.what();
		if (e.err == EPERM || e.err == EACCES)
			err << " (changing rules needs CAP_NET_ADMIN)";
		err << "\n";
		return netlink_exit(e.err);
	} catch (const std::exception &e) {
		err << name << ": " << e.what() << "\n";
		return kFail;
	}
}

void add(CLI::App &parent, const Command &cmd, Context &c)
{
	CLI::App *app = parent.add_subcommand(cmd.name, cmd.help);

	for (const char *alias : cmd.aliases)
		app->alias(alias);
	if (cmd.options)
		cmd.options(*app, c);
	for (const Command &sub : cmd.commands)
		add(*app, sub, c);
}

/*
 * The command the words named: the last on the way down that has a
 * handler, so that a command given without one of its own commands runs
 * its default.
 */
const Command *chosen(const CLI::App &app, const std::vector<Command> &table)
{
	std::vector<CLI::App *> parsed = app.get_subcommands();

	if (parsed.empty())
		return nullptr;
	for (const Command &cmd : table) {
		if (parsed[0]->get_name() != cmd.name)
			continue;
		const Command *sub = chosen(*parsed[0], cmd.commands);
		return sub ? sub : cmd.run ? &cmd : nullptr;
	}
	return nullptr;
}

} /* namespace */

const std::vector<Command> commands = {
	{"status", {}, "the module: version, family, protocol, object counts", status},
	{"dev", {}, "RDMA devices the module bound", dev_show, nullptr,
	 {{"show", {}, "the same", dev_show, same}}},
	{"link", {}, "links (RC queue pairs) of this namespace", link_show, nullptr,
	 {{"show", {}, "the same", link_show, same}}},
	{"sock", {}, "sockets of this namespace, as ss shows them", sock_show, sock_options},
	{"stats", {}, "object and event counters: this namespace's and the module's",
	 stats_show, stats_options},
	{"get", {}, "print a setting (net.rdma_sock.KEY), or all of them", get, get_options},
	{"set", {}, "change a setting (needs CAP_NET_ADMIN)", set, set_options},
	{"policy", {}, "acceleration rules of this namespace (show, add, del, flush)",
	 policy_show, policy_options,
	 {{"show", {}, "the rules, in the order they are tried", policy_show},
	  {"add", {}, "add a rule (needs CAP_NET_ADMIN)", policy_add, policy_add_options},
	  {"del", {}, "delete rule ID (needs CAP_NET_ADMIN)", policy_del, policy_del_options},
	  {"flush", {}, "delete every rule (needs CAP_NET_ADMIN)", policy_flush}}},
};

int run_ctl(int argc, const char *const *argv, const Env &env)
{
	CLI::App app{"Show and tune the rdma_sock module (sockets over RDMA).\n"
		     "Exit codes: 0 ok, 1 failure, 2 bad usage, 3 module not loaded, "
		     "4 permission denied.",
		     "rdmasockctl"};
	Context c{env};

	app.add_flag("-j,--json", c.json, "print JSON");
	app.add_flag("-p,--pretty", c.pretty, "indent the JSON (with -j)");
	app.require_subcommand(1);
	for (const Command &cmd : commands)
		add(app, cmd, c);

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int rc = app.exit(e, env.out, env.err);
		return rc ? kUsage : kOk;
	}
	const Command *cmd = chosen(app, commands);
	if (!cmd)	/* every command has a handler, or its commands have */
		return kUsage;
	return guarded(app.get_name(), *cmd, c);
}

} /* namespace rsk */
