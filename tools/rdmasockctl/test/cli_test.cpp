// SPDX-License-Identifier: GPL-2.0
/*
 * The command line, end to end, without a module: rdmasockctl's commands
 * run on a Source that answers from the recorded replies (recorded.hpp),
 * or refuses as the module would, or is not there.
 *
 * test/data/expected/cli.txt holds what the tool printed and the code it
 * exited with, for commands with every option, bad words, help, and the
 * module refusing or missing:
 *
 *   === [MODE] ARGS
 *   rc=CODE
 *   --- stdout
 *   ...
 *   --- stderr
 *   ...
 *
 * where MODE is nothing (the recorded replies), "not loaded", "no family"
 * (resolving the family failed otherwise) or "refused CMD:ERRNO[:REASON]"
 * (the module refuses command CMD).  Settings are checked apart, on a
 * directory of their own.
 */
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <linux/rdma_sock.h>

#include "commands.hpp"
#include "nl.hpp"
#include "recorded.hpp"
#include "sysctl.hpp"

namespace {

using rsk::test::recorded_list;
using rsk::test::recorded_one;

/* A refusal, as the Client reports the module's (Client::request). */
struct Refusal {
	int cmd = -1;
	int err = 0;
	std::string reason;
};

/* What the commands asked to change. */
struct Asked {
	std::vector<rsk::Policy> added;
	std::vector<uint32_t> deleted;
};

class Recorded : public rsk::Source {
public:
	Recorded(const Refusal &refusal, Asked &asked) : refusal_(refusal), asked_(asked) {}

	rsk::Info info() override
	{
		check(RDMA_SOCK_CMD_INFO_GET);
		return recorded_one(RDMA_SOCK_CMD_INFO_GET, rsk::parse_info);
	}
	std::vector<rsk::Device> devices() override
	{
		check(RDMA_SOCK_CMD_DEV_GET);
		return recorded_list(RDMA_SOCK_CMD_DEV_GET, rsk::parse_device);
	}
	std::vector<rsk::Link> links() override
	{
		check(RDMA_SOCK_CMD_LINK_GET);
		return recorded_list(RDMA_SOCK_CMD_LINK_GET, rsk::parse_link);
	}
	std::vector<rsk::Socket> sockets() override
	{
		check(RDMA_SOCK_CMD_SOCK_GET);
		return recorded_list(RDMA_SOCK_CMD_SOCK_GET, rsk::parse_socket);
	}
	std::vector<rsk::Stat> stats() override
	{
		check(RDMA_SOCK_CMD_STATS_GET);
		return recorded_one(RDMA_SOCK_CMD_STATS_GET, rsk::parse_stats);
	}
	std::vector<rsk::Policy> policies() override
	{
		check(RDMA_SOCK_CMD_POLICY_GET);
		return recorded_list(RDMA_SOCK_CMD_POLICY_GET, rsk::test::parse_policy_get);
	}
	rsk::Policy add_policy(const rsk::Policy &p) override
	{
		check(RDMA_SOCK_CMD_POLICY_ADD);
		asked_.added.push_back(p);
		return recorded_one(RDMA_SOCK_CMD_POLICY_ADD, rsk::test::parse_policy_add);
	}
	void del_policy(uint32_t id) override
	{
		check(RDMA_SOCK_CMD_POLICY_DEL);
		asked_.deleted.push_back(id);
	}

private:
	void check(int cmd)
	{
		if (cmd != refusal_.cmd)
			return;
		std::string e = strerror(refusal_.err);
		throw rsk::NetlinkError(refusal_.reason.empty() ? e : refusal_.reason + " (" + e + ")",
					refusal_.err);
	}

	Refusal refusal_;
	Asked &asked_;
};

struct Ran {
	int rc;
	std::string out, err;
};

/* rdmasockctl @args, split at spaces, as the test/data/expected/cli.txt
 * mode @mode has it. */
Ran run(const std::string &mode, const std::string &args, Asked *asked = nullptr)
{
	std::vector<std::string> words = {"rdmasockctl"};
	std::istringstream in(args);
	for (std::string w; in >> w;)
		words.push_back(w);
	std::vector<const char *> argv;
	for (const std::string &w : words)
		argv.push_back(w.c_str());

	Refusal refusal;
	if (mode.starts_with("refused ")) {
		std::istringstream r(mode.substr(8));
		char colon;
		r >> refusal.cmd >> colon >> refusal.err;
		if (r.get() == ':')
			std::getline(r, refusal.reason);
	}
	Asked ignored;
	Asked &a = asked ? *asked : ignored;
	std::ostringstream out, err;
	rsk::Env env{out, err, [&]() -> std::unique_ptr<rsk::Source> {
		if (mode == "not loaded")
			throw rsk::NotLoaded("no generic netlink family \"rdma_sock\": "
					     "the rdma_sock module is not loaded");
		if (mode == "no family")
			throw rsk::NetlinkError("resolving the family: Out of memory", EIO);
		return std::make_unique<Recorded>(refusal, a);
	}};
	int rc = rsk::run_ctl(argv.size(), argv.data(), env);
	return {rc, out.str(), err.str()};
}

struct Case {
	std::string mode, args;
	Ran want;
};

std::vector<Case> cases()
{
	std::string path = std::string(RSK_TEST_DATA) + "/expected/cli.txt";
	std::ifstream f(path);
	std::vector<Case> v;
	std::string *text = nullptr;

	EXPECT_TRUE(f.good()) << path;
	for (std::string line; std::getline(f, line);) {
		if (line.starts_with("=== ")) {
			Case &c = v.emplace_back();
			c.args = line.substr(4);
			if (c.args.starts_with("[")) {
				size_t close = c.args.find("] ");
				c.mode = c.args.substr(1, close - 1);
				c.args = c.args.substr(close + 2);
			}
			text = nullptr;
		} else if (line.starts_with("rc=") && !text && !v.empty()) {
			v.back().want.rc = std::stoi(line.substr(3));
		} else if (line == "--- stdout" && !v.empty()) {
			text = &v.back().want.out;
		} else if (line == "--- stderr" && !v.empty()) {
			text = &v.back().want.err;
		} else if (text) {
			*text += line + "\n";
		} else {
			ADD_FAILURE() << path << ": stray line \"" << line << "\"";
		}
	}
	return v;
}

TEST(CommandLine, AsTheToolPrintedIt)
{
	auto v = cases();
	EXPECT_LT(250u, v.size());
	for (const Case &c : v) {
		SCOPED_TRACE("[" + c.mode + "] rdmasockctl " + c.args);
		Ran ran = run(c.mode, c.args);
		EXPECT_EQ(c.want.rc, ran.rc);
		EXPECT_EQ(c.want.out, ran.out);
		EXPECT_EQ(c.want.err, ran.err);
	}
}

/* What policy add, del and flush ask the module, not only print. */
TEST(CommandLine, RuleRequests)
{
	Asked asked;
	EXPECT_EQ(rsk::kOk, run("", "policy add prio 10 dst 10.0.0.0/8 dport 80-89 action pass",
				&asked).rc);
	ASSERT_EQ(1u, asked.added.size());
	EXPECT_EQ(10u, asked.added[0].prio);
	EXPECT_EQ("dst 10.0.0.0/8 dport 80-89", asked.added[0].match());
	EXPECT_EQ("pass", asked.added[0].action);
	EXPECT_EQ(rsk::kOk, run("", "policy del 4294967295", &asked).rc);
	EXPECT_EQ(rsk::kOk, run("", "policy flush", &asked).rc);
	EXPECT_EQ((std::vector<uint32_t>{4294967295u, 0}), asked.deleted);
	/* Refused before the module is asked. */
	EXPECT_EQ(rsk::kUsage, run("", "policy del 0", &asked).rc);
	EXPECT_EQ(rsk::kUsage, run("", "policy add dst 10.0.0.0/8", &asked).rc);
	EXPECT_EQ(1u, asked.added.size());
	EXPECT_EQ(2u, asked.deleted.size());
}

/* The table itself: names, help and a handler for every command. */
void check_table(const std::vector<rsk::Command> &table, const std::string &where)
{
	std::set<std::string> names;

	for (const rsk::Command &c : table) {
		SCOPED_TRACE(where + c.name);
		EXPECT_TRUE(names.insert(c.name).second) << "twice";
		for (const char *a : c.aliases)
			EXPECT_TRUE(names.insert(a).second) << "alias " << a << " twice";
		ASSERT_NE(nullptr, c.help);
		EXPECT_STRNE("", c.help);
		EXPECT_TRUE(c.run) << "no handler, no default";
		check_table(c.commands, where + c.name + " ");
	}
}

TEST(CommandLine, Table)
{
	check_table(rsk::commands, "");
	EXPECT_EQ(8u, rsk::commands.size());
}

class SettingsCommands : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/rdmasockctl-cli-XXXXXX";
		ASSERT_NE(nullptr, mkdtemp(tmpl));
		dir_ = tmpl;
		std::ofstream(dir_ + "/link_idle_ms") << "60000\n";
		std::ofstream(dir_ + "/srq_size") << "16\n";
		std::ofstream(dir_ + "/odd_one") << "a b\t\n\n";
		std::ofstream(dir_ + "/quote") << "x\"y\\\n";
		std::filesystem::create_directory(dir_ + "/adir");
		saved_ = rsk::sysctl_dir;
		rsk::sysctl_dir = dir_;
	}
	void TearDown() override
	{
		rsk::sysctl_dir = saved_;
		std::filesystem::remove_all(dir_);
	}
	std::string file(const std::string &key)
	{
		std::ifstream f(dir_ + "/" + key);
		return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
	}
	std::string dir_, saved_;
};

#define EXPECT_RAN(ran, code, stdout_text, stderr_text) \
	do { \
		Ran r_ = (ran); \
		EXPECT_EQ(code, r_.rc); \
		EXPECT_EQ(stdout_text, r_.out); \
		EXPECT_EQ(stderr_text, r_.err); \
	} while (0)

TEST_F(SettingsCommands, Get)
{
	EXPECT_RAN(run("", "get"), 0,
		   "adir = \n"
		   "link_idle_ms = 60000\n"
		   "odd_one = a b\n"
		   "quote = x\"y\\\n"
		   "srq_size = 16\n", "");
	EXPECT_RAN(run("", "-j get"), 0,
		   R"({"adir":"","link_idle_ms":"60000","odd_one":"a b","quote":"x\"y\\","srq_size":"16"})"
		   "\n", "");
	EXPECT_RAN(run("", "-j -p get link_idle_ms"), 0, "{\n  \"link_idle_ms\": \"60000\"\n}\n", "");
	EXPECT_RAN(run("", "get odd_one"), 0, "a b\n", "");
	EXPECT_RAN(run("", "-p get quote"), 0, "x\"y\\\n", "");
	EXPECT_RAN(run("", "get no_such"), 2, "", "rdmasockctl: no setting \"no_such\"\n");
	EXPECT_RAN(run("", "get ../x"), 2, "", "rdmasockctl: no setting \"../x\"\n");
	EXPECT_RAN(run("", "get srq_size extra"), 2, "",
		   "The following argument was not expected: extra\n"
		   "Run with --help for more information.\n");
}

TEST_F(SettingsCommands, Set)
{
	EXPECT_RAN(run("", "set link_idle_ms 5"), 0, "", "");
	EXPECT_EQ("5\n", file("link_idle_ms"));
	EXPECT_RAN(run("", "get link_idle_ms"), 0, "5\n", "");
	EXPECT_RAN(run("", "set no_such 1"), 2, "", "rdmasockctl: no setting \"no_such\"\n");
	EXPECT_RAN(run("", "set Bad 1"), 2, "", "rdmasockctl: no setting \"Bad\"\n");
	EXPECT_RAN(run("", "set adir 1"), 1, "", "rdmasockctl: adir: Is a directory\n");
	EXPECT_RAN(run("", "set srq_size"), 2, "",
		   "value is required\nRun with --help for more information.\n");
	EXPECT_EQ("16\n", file("srq_size"));
}

TEST_F(SettingsCommands, NotLoaded)
{
	rsk::sysctl_dir = dir_ + "/none";
	std::string why = "rdmasockctl: no " + dir_ +
			  "/none: the rdma_sock module is not loaded (modprobe rdma_sock)\n";
	EXPECT_RAN(run("", "get"), 3, "", why);
	EXPECT_RAN(run("", "-j get link_idle_ms"), 3, "", why);
	EXPECT_RAN(run("", "set link_idle_ms 1"), 3, "", why);
}

} /* namespace */
