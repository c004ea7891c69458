// SPDX-License-Identifier: GPL-2.0
/*
 * stream: -n connections each write the pattern, -w bytes at a time, for
 * -t seconds or -b bytes in total; the server checks it (--verify) and
 * reports what it received.  MiB/s and Gbit/s over all connections.
 */
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "common.hpp"
#include "tests.hpp"

namespace rsk_bench {

constexpr size_t kServerRecvBuffer = 1 << 20;	// the server's reads

void test_stream(const Client &cl, const StreamOptions &o)
{
	struct Conn {
		Socket sock;
		uint64_t seed = 0, quota = 0, sent = 0;
		wire::Report report;
		Clock::time_point end;
	};
	std::vector<Conn> conns(o.conns);
	std::mt19937_64 rng(std::random_device{}());

	for (unsigned i = 0; i < o.conns; i++) {
		Conn &c = conns[i];
		c.seed = rng();
		c.quota = o.bytes / o.conns + (i < o.bytes % o.conns);
		c.sock = cl.dial();
		wire::Header h;
		h.test = wire::Test::Stream;
		h.verify = o.verify;
		h.msg_size = o.write_size;
		h.seed = c.seed;
		cl.start(c.sock, h);
	}

	std::atomic<bool> abort{false};
	Clock::duration duration = from_seconds(o.seconds);
	Clock::time_point start = run_threads(o.conns, [&](unsigned i, Clock::time_point t0) {
		Conn &c = conns[i];
		Clock::time_point deadline = t0 + duration;
		Pattern pattern(c.seed, o.verify);
		std::vector<uint8_t> buf(o.write_size);

		pattern.fill_all(buf.data(), buf.size(), 0);	/* background for stamps */
		try {
			while (!abort) {
				size_t len = o.write_size;
				if (o.bytes) {
					if (c.sent >= c.quota)
						break;
					len = std::min<uint64_t>(len, c.quota - c.sent);
				} else if (Clock::now() >= deadline) {
					break;
				}
				pattern.fill(buf.data(), len, c.sent);
				c.sock.send_all(buf.data(), len);
				c.sent += len;
			}
			c.sock.shutdown_write();
			c.report = wire::recv_report(c.sock);
			c.end = Clock::now();
		} catch (const TestError &e) {
			abort = true;
			throw TestError(strprintf("connection %u: %s", i, e.what()));
		}
		if (c.report.status == wire::ReportStatus::Corrupt)
			throw TestError(strprintf("connection %u: the server found data differing from the pattern at stream offset %llu",
						  i, (unsigned long long)c.report.bad_offset));
		if (c.report.bytes != c.sent)
			throw TestError(strprintf("connection %u: the server received %llu bytes, %llu were sent",
						  i, (unsigned long long)c.report.bytes,
						  (unsigned long long)c.sent));
	});

	uint64_t total = 0;
	Clock::time_point end = start;
	json per_conn = json::array();
	for (const Conn &c : conns) {
		total += c.sent;
		end = std::max(end, c.end);
		per_conn.push_back({{"bytes", c.sent}, {"seconds", seconds_between(start, c.end)},
				    {"server_seconds", c.report.elapsed_ns / 1e9}});
	}
	double secs = seconds_between(start, end);
	double mibs = per_second(total, secs) / (1 << 20);
	double gbits = per_second(total * 8, secs) / 1e9;

	json params = {{"write_size", o.write_size}, {"connections", o.conns},
		       {"verify", verify_name(o.verify)}};
	if (o.bytes)
		params["bytes"] = o.bytes;
	else
		params["seconds"] = o.seconds;
	cl.result("stream", params,
		  {{"bytes", total}, {"seconds", secs}, {"mib_per_s", mibs},
		   {"gbit_per_s", gbits}, {"per_connection", per_conn}},
		  strprintf("stream %s w=%zu n=%u: %.1f MiB/s %.2f Gbit/s (%.1f MiB in %.2f s)",
			    cl.transport.name().c_str(), o.write_size, o.conns, mibs, gbits,
			    total / double(1 << 20), secs));
}

/* Reads to the end of the stream, checking the pattern; reports the count. */
void serve_stream(const Session &session)
{
	Socket &s = session.sock;
	const wire::Header &h = session.header;
	const std::string &peer = session.peer;
	Pattern pattern(h.seed, h.verify);
	Corrupter corrupt(session.opt.corrupt_every);
	std::vector<uint8_t> buf(kServerRecvBuffer);
	std::optional<uint64_t> bad;
	uint64_t off = 0;
	Clock::time_point first{};

	wire::send(s, wire::Ack{});
	for (;;) {
		size_t n = s.recv_some(buf.data(), buf.size());
		if (!n)
			break;
		if (session.stopping)
			throw TestError("server stopping");	/* not logged */
		if (!off)
			first = Clock::now();
		corrupt.apply(buf.data(), n, off);
		if (!bad)
			bad = pattern.check(buf.data(), n, off);
		off += n;
	}
	auto elapsed = off ? Clock::now() - first : Clock::duration{};

	wire::Report r;
	r.status = bad ? wire::ReportStatus::Corrupt : wire::ReportStatus::Ok;
	r.bytes = off;
	r.elapsed_ns = to_ns(elapsed);
	r.bad_offset = bad.value_or(0);
	wire::send(s, r);

	if (bad)
		log_line(strprintf("server: %s: stream: data differs from the pattern at offset %llu",
				   peer.c_str(), (unsigned long long)*bad));
	else if (session.opt.verbose)
		log_line(strprintf("server: %s: stream: %llu bytes, verify %s, ok", peer.c_str(),
				   (unsigned long long)off, verify_name(h.verify)));
}

} /* namespace rsk_bench */
