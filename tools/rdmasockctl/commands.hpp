// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasockctl's commands, as a table (commands.cpp), the way iproute2's
 * rdma tool has its objects and their commands: each command has its
 * name, its aliases, one line of help, the options it takes and the
 * handler that runs it.  A command's sub-commands are a table of their
 * own; given none, the command runs its own handler, its default action
 * ("policy" is "policy show").  The command line is parsed with CLI11,
 * from the table; the handler of the last command named runs.
 *
 * Exit codes: 0 success; 1 failure; 2 bad usage (unknown command, filter
 * or setting, bad value); 3 the module is not loaded; 4 permission denied.
 */
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "fields.hpp"
#include "nl.hpp"

namespace CLI {
class App;
}

namespace rsk {

enum Exit { kOk = 0, kFail = 1, kUsage = 2, kNotLoaded = 3, kDenied = 4 };

/* Where the output goes, and how to reach the module. */
struct Env {
	std::ostream &out;
	std::ostream &err;
	/* The module, for a command that needs it; throws NotLoaded. */
	std::function<std::unique_ptr<Source>()> connect;
};

/* What a handler runs with: the options parsed, the environment. */
struct Context {
	explicit Context(const Env &e) : env(e) {}

	const Env &env;
	bool json = false;			/* -j */
	bool pretty = false;			/* -p */
	bool extended = false;			/* sock -e */
	std::vector<std::string> filter;	/* sock's words */
	bool summary = false;			/* stats -s */
	std::string key, value;			/* get, set */
	std::vector<std::string> rule;		/* policy add's words */
	std::string rule_id;			/* policy del's */

	/* JSON with -j (indented with -p), else the text. */
	template <class MakeJson, class MakeText>
	void print(MakeJson make_json, MakeText make_text) const
	{
		if (json)
			env.out << make_json().dump(pretty ? 2 : -1) << "\n";
		else
			env.out << make_text();
	}
};

struct Command {
	const char *name;
	std::vector<const char *> aliases;
	const char *help;
	int (*run)(Context &);			/* returns an Exit code */
	/* Its options and arguments, bound to the Context's fields. */
	void (*options)(CLI::App &, Context &) = nullptr;
	std::vector<Command> commands = {};	/* its own, if it has any */
};

extern const std::vector<Command> commands;

/* rdmasockctl: parses @argv, runs the command it names; the exit code. */
int run_ctl(int argc, const char *const *argv, const Env &env);

} /* namespace rsk */
