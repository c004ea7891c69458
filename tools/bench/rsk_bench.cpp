// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_bench: throughput, latency, connection rate and idle cost of rdmasock
 * stream sockets, and the rate and loss of its datagram sockets, measured
 * the same way over TCP and UDP for comparison.
 *
 * One binary, two roles.  The server accepts connections until SIGTERM.
 * Every connection opens with a header naming its test, so one server runs
 * any mix of tests, one after another or at once.  The client runs one
 * test and prints one line per result, or one JSON object with --json.
 *
 * This file is the command line.  The tests are one file each (tests.hpp:
 * stream, pingpong, connrate, idle, dgram); what they share: server,
 * client, wire (the protocol), transport (the only code that tells the
 * families apart), net (addresses and sockets), pattern (the stream's
 * data), stats (timing and latency summaries), output (result lines and
 * JSON), common (errors, logging); smc_nl, SMC's netlink family.
 */
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "common.hpp"
#include "smc_nl.hpp"
#include "tests.hpp"

using namespace rsk_bench;

namespace {

constexpr uint16_t kDefaultPort = 5301;
constexpr size_t kMaxWrite = 64 << 20;		// stream -w

/* smc-ueid and smc-lgr: SMC's generic netlink family (smc_nl.cpp). */
int smc_command(CLI::App *ueid, CLI::App *add, CLI::App *del, CLI::App *flush,
		const std::string &eid)
{
	try {
		if (!ueid->parsed())
			printf("%zu\n", smc_nl::smcr_link_groups());
		else if (add->parsed())
			smc_nl::ueid_add(eid);
		else if (del->parsed())
			smc_nl::ueid_del(eid);
		else if (flush->parsed())
			smc_nl::ueid_flush();
		else
			for (const std::string &e : smc_nl::ueid_list())
				printf("%s\n", e.c_str());
		return kExitOk;
	} catch (const std::invalid_argument &e) {
		log_line(e.what());
		return kExitSetup;
	} catch (const std::exception &e) {
		log_line(e.what());
		return kExitFailure;
	}
}

/* Idle and the server hold many sockets: take the hard limit. */
void raise_fd_limit()
{
	rlimit rl{};

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

struct CommonArgs {
	std::string family;
	std::string address;
	uint16_t port = kDefaultPort;
	double timeout = 10;
};

void add_common(CLI::App *app, CommonArgs &a, const char *address_help)
{
	app->add_option("-f,--family", a.family,
			"rdma (the rdma_sock module's family); tcp (the IP stack: TCP, and UDP for dgram; udp is the same); smc (AF_SMC: SMC-R, or TCP where SMC falls back); rsockets (TCP sockets under LD_PRELOAD=librspreload.so)")
		->required()->check(CLI::IsMember({"rdma", "tcp", "udp", "smc", "rsockets"}));
	app->add_option("-a,--address", a.address, address_help)->required();
	app->add_option("-p,--port", a.port, "port")->capture_default_str()
		->check(CLI::Range(1, 65535));
	app->add_option("--timeout", a.timeout, "seconds any one wait (connect, read, write) may take")
		->capture_default_str()->check(CLI::Range(0.001, 86400.0));
}

} /* namespace */

int main(int argc, char **argv)
{
	CLI::App app{"rsk_bench: rdmasock benchmark (stream throughput, latency, connection rate, idle cost; datagram rate and loss), against TCP and UDP"};
	app.require_subcommand(1);
	app.get_formatter()->column_width(32);

	CommonArgs common;
	ServerOptions sopt;
	auto *server = app.add_subcommand("server", "serve tests until SIGTERM; prints 'rsk_bench ready' once listening");
	add_common(server, common, "address to listen on");
	server->add_option("--corrupt-every", sopt.corrupt_every,
			   "debug: flip the byte at every N-th offset of each stream and pingpong echo")
		->transform(CLI::AsSizeValue(false))->check(CLI::PositiveNumber);
	server->add_flag("-v,--verbose", sopt.verbose, "log each stream and pingpong session");

	bool json_out = false;
	auto *client = app.add_subcommand("client", "run one test against a server");
	add_common(client, common, "the server's address");
	client->add_flag("--json", json_out, "one JSON object per result on stdout (text goes to stderr)");
	client->require_subcommand(1);
	client->fallthrough();	/* client options may follow the test */

	StreamOptions so;
	std::string verify = "stamp";
	auto *stream = client->add_subcommand("stream", "throughput of -n connections writing -w bytes at a time");
	stream->add_option("-w,--write-size", so.write_size, "bytes per write (64, 1024, 4096, 65536, 1048576, or any up to 64M)")
		->capture_default_str()->transform(CLI::AsSizeValue(false))
		->check(CLI::Range(size_t(1), kMaxWrite));
	stream->add_option("-n,--connections", so.conns, "parallel connections")
		->capture_default_str()->check(CLI::Range(1, 1024));
	auto *time_opt = stream->add_option("-t,--time", so.seconds, "seconds to send for")
		->capture_default_str()->check(CLI::Range(0.001, 86400.0));
	stream->add_option("-b,--bytes", so.bytes, "bytes to send instead, in total over the connections (K, M, G: powers of 1024)")
		->transform(CLI::AsSizeValue(false))->check(CLI::PositiveNumber)->excludes(time_opt);
	stream->add_option("--verify", verify, "what the server checks: stamp (8 bytes every 4 KiB), full (every byte), none")
		->capture_default_str()->check(CLI::IsMember({"stamp", "full", "none"}));

	PingpongOptions po;
	auto *pingpong = client->add_subcommand("pingpong", "round-trip latency of -s byte messages echoed by the server");
	pingpong->add_option("-s,--size", po.size, "message size (64, 4096, ...)")
		->capture_default_str()->transform(CLI::AsSizeValue(false))
		->check(CLI::Range(size_t(1), kMaxMessage));
	pingpong->add_option("-i,--iterations", po.iterations, "measured round trips")
		->capture_default_str()->check(CLI::PositiveNumber);
	pingpong->add_option("-W,--warmup", po.warmup, "round trips before measuring")
		->capture_default_str();
	pingpong->add_option("--busy-poll", po.busy_poll, "SO_BUSY_POLL usec, on the client's and the server's socket")
		->capture_default_str()->check(CLI::Range(0, 1000000));

	ConnrateOptions co;
	auto *connrate = client->add_subcommand("connrate", "connect, 1-byte echo, close: cycles per second");
	connrate->add_option("-c,--count", co.count, "cycles, in total over the threads")
		->capture_default_str()->check(CLI::PositiveNumber);
	connrate->add_option("-P,--parallel", co.threads, "threads")
		->capture_default_str()->check(CLI::Range(1, 1024));

	IdleOptions io;
	auto *idle = client->add_subcommand("idle", "hold -c connections open for -t seconds; prints 'idle holding N' meanwhile");
	idle->add_option("-c,--count", io.count, "connections")
		->capture_default_str()->check(CLI::PositiveNumber);
	idle->add_option("-t,--time", io.seconds, "seconds to hold them")
		->capture_default_str()->check(CLI::Range(0.0, 1e7));

	BusyOptions bo;
	auto *busy = client->add_subcommand("busy", "fill -c connections (the server reads nothing): memory per connection with data in flight");
	busy->add_option("-c,--count", bo.count, "connections")
		->capture_default_str()->check(CLI::PositiveNumber);
	busy->add_option("-t,--time", bo.seconds, "seconds, at most, to fill them")
		->capture_default_str()->check(CLI::Range(0.1, 3600.0));

	DgramOptions dop;
	auto *dgram = client->add_subcommand("dgram", "datagrams of -s bytes at full speed for -t seconds: rates sent and received, loss");
	dgram->add_option("-s,--size", dop.size, "datagram size, 16 to 65507")
		->capture_default_str()->transform(CLI::AsSizeValue(false))
		->check(CLI::Range(kDgramStamp, kMaxDatagram));
	dgram->add_option("-t,--time", dop.seconds, "seconds to send for")
		->capture_default_str()->check(CLI::Range(0.001, 86400.0));

	std::string eid;
	auto *ueid = app.add_subcommand("smc-ueid", "SMC's user EIDs (SMC-Rv2 runs between hosts sharing one): add, del, flush, show");
	ueid->require_subcommand(1);
	auto *ueid_add = ueid->add_subcommand("add", "add EID (an EID that exists is fine)");
	ueid_add->add_option("eid", eid, "up to 32 letters, digits, '.', '-'")->required();
	auto *ueid_del = ueid->add_subcommand("del", "remove EID");
	ueid_del->add_option("eid", eid, "the EID")->required();
	auto *ueid_flush = ueid->add_subcommand("flush", "remove every user EID");
	ueid->add_subcommand("show", "the user EIDs, one a line");
	app.add_subcommand("smc-lgr", "prints how many SMC-R link groups the host has");

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return app.exit(e) ? kExitSetup : kExitOk;
	}

	if (!server->parsed() && !client->parsed())
		return smc_command(ueid, ueid_add, ueid_del, ueid_flush, eid);

	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	const char *test = "server";
	try {
		Transport transport = Transport::named(common.family);
		Address addr = Address::resolve(common.address, common.port, server->parsed());
		milliseconds timeout(std::max<long long>(1, std::llround(common.timeout * 1000)));

		if (server->parsed()) {
			sopt.timeout = timeout;
			return run_server(transport, addr, sopt);
		}

		Reporter out(json_out);
		Client cl{transport, addr, timeout, out};
		if (stream->parsed()) {
			test = "stream";
			so.verify = verify == "full" ? Verify::Full :
				    verify == "none" ? Verify::None : Verify::Stamp;
			test_stream(cl, so);
		} else if (pingpong->parsed()) {
			test = "pingpong";
			test_pingpong(cl, po);
		} else if (connrate->parsed()) {
			test = "connrate";
			test_connrate(cl, co);
		} else if (dgram->parsed()) {
			test = "dgram";
			test_dgram(cl, dop);
		} else if (busy->parsed()) {
			test = "busy";
			test_busy(cl, bo);
		} else {
			test = "idle";
			test_idle(cl, io);
		}
		return kExitOk;
	} catch (const SetupError &e) {
		log_line(e.what());
		return kExitSetup;
	} catch (const std::exception &e) {
		log_line(std::string(test) + ": " + e.what());
		return kExitFailure;
	}
}
