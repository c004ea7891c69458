// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_fuzz: a multi-threaded random-syscall fuzzer for the rdma_sock
 * socket family (tools/fuzz/README.md).
 *
 * Threads pick operations at random, by weight, on a shared pool of
 * sockets; a watchdog reports a thread that makes no progress for 30 s
 * (a hang in the kernel is a finding) and exits 2.  At the end every
 * socket is closed, sysctls and netlink rules are put back, and a summary
 * is printed.  Exit status: 0 done; 1 the fuzzer's own failure (bad
 * options, a sysctl it could not restore); 2 a hang; 3 data that arrived
 * other than sent (INTEGRITY lines).
 */
#include "fuzz.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include <CLI/CLI.hpp>

#include <linux/rdma_sock.h>

namespace fuzz {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kHangLimit = std::chrono::seconds(30);

volatile sig_atomic_t g_signalled;

void on_signal(int) { g_signalled = 1; }

/* ------------------------------------------------------------ options */

/* The options; false (after CLI11 printed why) to exit with @rc. */
bool parse_options(int argc, char **argv, Config &cfg, int &rc)
{
	CLI::App app{"rsk_fuzz: random syscalls against the rdma_sock socket family"};
	bool no_sysctl = false, no_netlink = false;

	auto *seed = app.add_option("--seed", cfg.seed,
				    "PRNG seed (default: from the clock; printed)");
	app.add_option("--threads", cfg.threads, "fuzzing threads (default 4)")
		->check(CLI::Range(1, 64));
	auto *secs = app.add_option("--seconds", cfg.seconds,
				    "run time (default 60 unless --ops)")
		->check(CLI::NonNegativeNumber);
	app.add_option("--ops", cfg.ops, "stop after N operations in all");
	app.add_option("--addr", cfg.addrs,
		       "local address to bind and connect to (repeatable; "
		       "127.0.0.1 and ::1 are always added)");
	app.add_flag("--no-sysctl", no_sysctl, "write no net.rdma_sock sysctl");
	app.add_flag("--no-netlink", no_netlink, "send no generic netlink request");
	app.add_option("--log", cfg.log, "append every operation to FILE");
	app.add_flag("-v,--verbose", cfg.verbose,
		     "progress every 5 s; twice: every operation on stderr");
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		rc = app.exit(e);
		return false;
	}
	if (!seed->count())
		cfg.seed = static_cast<uint64_t>(
			std::chrono::system_clock::now().time_since_epoch().count()) ^
			(static_cast<uint64_t>(getpid()) << 32);
	if (!secs->count() && !cfg.ops)
		cfg.seconds = 60;
	cfg.sysctl = !no_sysctl;
	cfg.netlink = !no_netlink;
	return true;
}

/* ------------------------------------------------------------- set-up */

/* "a.b.c.d" or "v6[%if]" into @a; false if it is neither. */
bool add_address(Addrs &a, const std::string &text)
{
	sockaddr_in sin = {};
	sockaddr_in6 sin6 = {};
	std::string host = text.substr(0, text.find('%'));

	if (inet_pton(AF_INET, text.c_str(), &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		for (const auto &o : a.v4)
			if (o.sin_addr.s_addr == sin.sin_addr.s_addr)
				return true;
		a.v4.push_back(sin);
		return true;
	}
	if (inet_pton(AF_INET6, host.c_str(), &sin6.sin6_addr) != 1)
		return false;
	sin6.sin6_family = AF_INET6;
	if (host.size() != text.size())
		sin6.sin6_scope_id = if_nametoindex(text.substr(host.size() + 1).c_str());
	for (const auto &o : a.v6)
		if (!memcmp(&o.sin6_addr, &sin6.sin6_addr, sizeof(sin6.sin6_addr)))
			return true;
	a.v6.push_back(sin6);
	return true;
}

bool setup_addresses(Shared &sh)
{
	for (const std::string &t : sh.cfg.addrs) {
		if (!add_address(sh.addrs, t)) {
			fprintf(stderr, "rsk_fuzz: --addr %s: not an IP address\n", t.c_str());
			return false;
		}
	}
	add_address(sh.addrs, "127.0.0.1");
	add_address(sh.addrs, "::1");
	if (struct if_nameindex *ifs = if_nameindex()) {
		for (struct if_nameindex *i = ifs; i->if_index; i++)
			sh.addrs.ifindex.push_back(static_cast<int>(i->if_index));
		if_freenameindex(ifs);
	}
	return true;
}

/* The family the loaded module registered; the default without it. */
int read_family()
{
	std::ifstream f(RDMA_SOCK_FAMILY_PATH);
	int family = 0;

	if (f >> family && family > 0)
		return family;
	fprintf(stderr, "rsk_fuzz: no %s (module not loaded?): family %d, "
		"socket() will fail\n", RDMA_SOCK_FAMILY_PATH, RDMA_SOCK_DEFAULT_FAMILY);
	return RDMA_SOCK_DEFAULT_FAMILY;
}

void setup_signals()
{
	struct sigaction sa = {};

	/* Sends on closed streams, O_ASYNC/F_SETOWN sockets: not ours to die of. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, nullptr);
	sigaction(SIGIO, &sa, nullptr);
	sigaction(SIGURG, &sa, nullptr);
	/* Ctrl-C: a normal end, sysctls restored. */
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);
}

/* ------------------------------------------------------------ threads */

using OpFn = void (*)(Ctx &);

struct OpEntry {
	OpFn fn;
	unsigned weight;	/* relative; 0: never */
};

/* The weights: the common calls most, the costly and global ones least. */
std::array<OpEntry, kOps> op_table(const Shared &sh, bool traffic_heavy)
{
	std::array<OpEntry, kOps> t = {{
		{ op_socket, 8 }, { op_bind, 8 }, { op_listen, 5 }, { op_connect, 8 },
		{ op_accept, 5 }, { op_send, 6 }, { op_sendto, 4 }, { op_sendmsg, 5 },
		{ op_sendmmsg, 1 }, { op_recv, 5 }, { op_recvfrom, 3 }, { op_recvmsg, 5 },
		{ op_recvmmsg, 1 }, { op_readv, 2 }, { op_writev, 2 }, { op_shutdown, 3 },
		{ op_setsockopt, 10 }, { op_getsockopt, 6 }, { op_ioctl, 4 }, { op_fcntl, 2 },
		{ op_poll, 3 }, { op_epoll, 2 }, { op_getname, 3 }, { op_dup, 2 },
		{ op_close, 6 }, { op_mcast, 4 }, { op_stream_traffic, 2 },
		{ op_dgram_traffic, 2 }, { op_netlink, 3 }, { op_sysctl_write, 1 },
		{ op_sysctl_read, 1 },
	}};

	if (traffic_heavy) {
		t[static_cast<int>(Op::stream_traffic)].weight = 20;
		t[static_cast<int>(Op::dgram_traffic)].weight = 12;
	}
	if (!sh.netlink)
		t[static_cast<int>(Op::netlink)].weight = 0;
	if (!sh.sysctls) {
		t[static_cast<int>(Op::sysctl_write)].weight = 0;
		t[static_cast<int>(Op::sysctl_read)].weight = 0;
	}
	return t;
}

void run_thread(Ctx &c)
{
	Shared &sh = c.sh;
	auto table = op_table(sh, c.traffic_heavy);
	std::vector<unsigned> weights;

	c.tid.store(static_cast<int>(syscall(SYS_gettid)));
	for (const OpEntry &e : table)
		weights.push_back(e.weight);
	std::discrete_distribution<int> dist(weights.begin(), weights.end());
	while (!sh.stop.load(std::memory_order_relaxed)) {
		if (sh.cfg.ops && sh.total_ops.fetch_add(1) >= sh.cfg.ops) {
			sh.stop = true;
			break;
		}
		int i = dist(c.rng);
		c.op = static_cast<Op>(i);
		c.stats.ops[i]++;
		table[i].fn(c);
	}
	c.begin("finished");
	c.done = true;
}

/* --------------------------------------------------------- supervision */

std::string read_proc(const std::string &path)
{
	std::ifstream f(path);
	std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());

	return s;
}

/*
 * The report goes to the kernel log too, line by line, when it can (root):
 * a kernel wedged enough to hang one thread may hang what comes after it
 * (putting the settings back, closing sockets), and then only the
 * console shows what was found.
 */
void report_line(int kmsg, const std::string &line)
{
	printf("%s\n", line.c_str());
	if (kmsg >= 0) {
		std::string msg = "<4>" + line + "\n";
		if (write(kmsg, msg.data(), msg.size()) < 0)
			return;		/* stdout has it */
	}
}

/* A thread stuck: what it was doing, and where the kernel has it. */
void report_hang(const Ctx &c, long secs)
{
	int tid = c.tid.load();
	std::string task = "/proc/self/task/" + std::to_string(tid);
	int kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	char head[256];

	snprintf(head, sizeof(head),
		 "rsk_fuzz: HANG: thread %d (tid %d) made no progress for %ld s in: %s",
		 c.index, tid, secs, c.current());
	report_line(kmsg, head);
	std::string wchan = read_proc(task + "/wchan");
	report_line(kmsg, "rsk_fuzz: wchan: " + wchan);
	std::string stack = read_proc(task + "/stack");
	for (size_t at = 0, nl; at < stack.size(); at = nl + 1) {
		nl = stack.find('\n', at);
		if (nl == std::string::npos)
			nl = stack.size();
		report_line(kmsg, "rsk_fuzz: stack: " + stack.substr(at, nl - at));
	}
	if (kmsg >= 0)
		close(kmsg);
	fflush(stdout);
}

struct Watch {
	uint64_t progress = 0;
	Clock::time_point since;
};

void print_progress(const Shared &sh, const std::vector<std::unique_ptr<Ctx>> &ctxs,
		    double elapsed)
{
	uint64_t calls = 0;

	/* The watchdog's counters: the per-operation ones are the threads'
	 * own until they finish. */
	for (const auto &c : ctxs)
		calls += c->progress.load(std::memory_order_relaxed);
	fprintf(stderr, "rsk_fuzz: %.0f s: %llu calls, %d sockets in the pool\n",
		elapsed, static_cast<unsigned long long>(calls), sh.pool->occupied());
}

/* Runs until time, the operation count or a signal ends it; the hung
 * thread's index if one stopped moving, else -1. */
int supervise(Shared &sh, const std::vector<std::unique_ptr<Ctx>> &ctxs)
{
	auto start = Clock::now(), last_print = start;
	std::vector<Watch> w(ctxs.size(), Watch{0, start});

	for (;;) {
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
		auto now = Clock::now();
		double elapsed = std::chrono::duration<double>(now - start).count();

		if (g_signalled || (sh.cfg.seconds > 0 && elapsed >= sh.cfg.seconds))
			sh.stop = true;
		bool all_done = true;
		for (size_t i = 0; i < ctxs.size(); i++) {
			const Ctx &c = *ctxs[i];
			uint64_t p = c.progress.load();

			if (c.done)
				continue;
			all_done = false;
			if (p != w[i].progress) {
				w[i] = Watch{p, now};
			} else if (now - w[i].since >= kHangLimit) {
				report_hang(c, std::chrono::duration_cast<std::chrono::seconds>(
						       now - w[i].since).count());
				return static_cast<int>(i);
			}
		}
		if (all_done)
			return -1;
		if (sh.cfg.verbose && now - last_print >= std::chrono::seconds(5)) {
			print_progress(sh, ctxs, elapsed);
			last_print = now;
		}
	}
}

/* Up to 3 s for every thread but @hung to finish its operation. */
void wait_others(const std::vector<std::unique_ptr<Ctx>> &ctxs, int hung)
{
	auto until = Clock::now() + std::chrono::seconds(3);

	for (size_t i = 0; i < ctxs.size(); i++)
		while (static_cast<int>(i) != hung && !ctxs[i]->done && Clock::now() < until)
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

/* ------------------------------------------------------------ summary */

struct Totals {
	ThreadStats s;
	uint64_t ops = 0;
};

Totals add_up(const std::vector<std::unique_ptr<Ctx>> &ctxs)
{
	Totals t;

	for (const auto &c : ctxs) {
		const ThreadStats &s = c->stats;
		for (int o = 0; o < kOps; o++) {
			t.s.ops[o] += s.ops[o];
			t.s.nofd[o] += s.nofd[o];
			t.ops += s.ops[o];
			for (int e = 0; e <= kMaxErrno; e++)
				t.s.results[o][e] += s.results[o][e];
		}
		t.s.stream_ok += s.stream_ok;
		t.s.stream_tried += s.stream_tried;
		t.s.dgram_ok += s.dgram_ok;
		t.s.dgram_tried += s.dgram_tried;
		t.s.integrity_errors += s.integrity_errors;
	}
	return t;
}

const char *errno_name(int e)
{
	if (e == kMaxErrno)
		return "other";
	const char *n = strerrorname_np(e);
	return n ? n : "?";
}

/* The @n largest errno counts of @row, as "NAME count, ...". */
std::string top_errnos(const std::array<uint64_t, kMaxErrno + 1> &row, size_t n)
{
	std::vector<std::pair<uint64_t, int>> v;
	std::string s;

	for (int e = 1; e <= kMaxErrno; e++)
		if (row[e])
			v.push_back({row[e], e});
	std::sort(v.rbegin(), v.rend());
	for (size_t i = 0; i < v.size() && i < n; i++)
		s += std::string(i ? ", " : "") + errno_name(v[i].second) + " " +
		     std::to_string(v[i].first);
	return s;
}

void print_summary(const Shared &sh, const Totals &t, double secs)
{
	std::array<uint64_t, kMaxErrno + 1> all{};

	printf("rsk_fuzz: %llu operations in %.1f s (%.0f/s), %d threads, seed %llu\n",
	       static_cast<unsigned long long>(t.ops), secs, secs > 0 ? t.ops / secs : 0.0,
	       sh.cfg.threads, static_cast<unsigned long long>(sh.cfg.seed));
	printf("%-15s %9s %7s %9s %9s  %s\n", "operation", "count", "no-fd", "calls", "ok",
	       "errors (most frequent)");
	for (int o = 0; o < kOps; o++) {
		const auto &row = t.s.results[o];
		uint64_t calls = 0;

		for (int e = 0; e <= kMaxErrno; e++) {
			calls += row[e];
			all[e] += row[e];
		}
		printf("%-15s %9llu %7llu %9llu %9llu  %s\n", op_name(static_cast<Op>(o)),
		       static_cast<unsigned long long>(t.s.ops[o]),
		       static_cast<unsigned long long>(t.s.nofd[o]),
		       static_cast<unsigned long long>(calls),
		       static_cast<unsigned long long>(row[0]), top_errnos(row, 3).c_str());
	}
	printf("results of all calls: ok %llu; %s\n", static_cast<unsigned long long>(all[0]),
	       top_errnos(all, 12).c_str());
	printf("well-formed traffic: stream %llu of %llu, datagram %llu of %llu; "
	       "integrity errors %llu\n",
	       static_cast<unsigned long long>(t.s.stream_ok),
	       static_cast<unsigned long long>(t.s.stream_tried),
	       static_cast<unsigned long long>(t.s.dgram_ok),
	       static_cast<unsigned long long>(t.s.dgram_tried),
	       static_cast<unsigned long long>(t.s.integrity_errors));
}

/* ------------------------------------------------------------ cleanup */

/* Sysctls and netlink rules as they were; false if a sysctl would not go
 * back (the fuzzer's own failure). */
bool put_back(const Shared &sh)
{
	bool ok = true;

	if (sh.netlink) {
		int n = sh.netlink->remove_added_rules();
		if (n || sh.cfg.verbose)
			printf("rsk_fuzz: deleted %d policy rules the run added\n", n);
	}
	if (sh.sysctls) {
		for (const std::string &name : sh.sysctls->restore()) {
			fprintf(stderr, "rsk_fuzz: could not restore net.rdma_sock.%s\n",
				name.c_str());
			ok = false;
		}
	}
	return ok;
}

bool open_files(Shared &sh)
{
	sh.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (sh.null_fd < 0) {
		perror("rsk_fuzz: /dev/null");
		return false;
	}
	if (!sh.cfg.log.empty()) {
		sh.log_fd = open(sh.cfg.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
				 0644);
		if (sh.log_fd < 0) {
			perror(("rsk_fuzz: " + sh.cfg.log).c_str());
			return false;
		}
	}
	return true;
}

void print_start(const Shared &sh)
{
	std::string addrs;
	char text[96];

	for (const auto &a : sh.addrs.v4)
		addrs += std::string(" ") + fmt_sockaddr(&a, sizeof(a), text, sizeof(text));
	for (const auto &a : sh.addrs.v6)
		addrs += std::string(" ") + fmt_sockaddr(&a, sizeof(a), text, sizeof(text));
	printf("rsk_fuzz: seed %llu (replay: --seed %llu), %d threads, family %d, "
	       "sysctl %s, netlink %s\n",
	       static_cast<unsigned long long>(sh.cfg.seed),
	       static_cast<unsigned long long>(sh.cfg.seed), sh.cfg.threads, sh.family,
	       sh.sysctls ? "on" : "off", sh.netlink ? "on" : "off");
	printf("rsk_fuzz: addresses:%s\n", addrs.c_str());
	fflush(stdout);
}

} /* namespace */

} /* namespace fuzz */

int main(int argc, char **argv)
{
	using namespace fuzz;
	Shared sh;
	int rc = 0;
	std::unique_ptr<Sysctls> sysctls;
	std::unique_ptr<Netlink> netlink;

	if (!parse_options(argc, argv, sh.cfg, rc))
		return rc;
	setup_signals();
	if (!setup_addresses(sh) || !open_files(sh))
		return 1;
	sh.family = read_family();
	if (sh.cfg.sysctl)
		sysctls = Sysctls::open(sh.cfg.verbose);
	sh.sysctls = sysctls.get();
	if (sh.cfg.netlink && (netlink = Netlink::open(sh.cfg.verbose)))
		netlink->snapshot_rules();
	sh.netlink = netlink.get();
	sh.pool = std::make_unique<FdPool>(sh.null_fd);
	print_start(sh);

	auto start = Clock::now();
	std::vector<std::unique_ptr<Ctx>> ctxs;
	std::vector<std::thread> threads;
	for (int i = 0; i < sh.cfg.threads; i++)
		ctxs.push_back(std::make_unique<Ctx>(sh, i));
	for (auto &c : ctxs)
		threads.emplace_back(run_thread, std::ref(*c));

	if (int hung = supervise(sh, ctxs); hung >= 0) {
		/* A thread in the kernel cannot be joined nor its sockets
		 * closed: let the others finish (their counters are then
		 * theirs no more), put the settings back and leave. */
		sh.stop = true;
		wait_others(ctxs, hung);
		put_back(sh);
		print_summary(sh, add_up(ctxs),
			      std::chrono::duration<double>(Clock::now() - start).count());
		fflush(stdout);
		_exit(2);
	}
	for (auto &t : threads)
		t.join();
	double secs = std::chrono::duration<double>(Clock::now() - start).count();
	sh.pool->close_all();
	bool restored = put_back(sh);
	Totals totals = add_up(ctxs);
	print_summary(sh, totals, secs);
	if (!restored)
		return 1;
	return totals.s.integrity_errors ? 3 : 0;
}
