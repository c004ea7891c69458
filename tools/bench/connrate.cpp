// SPDX-License-Identifier: GPL-2.0
/*
 * connrate: -c cycles of connect, 1-byte echo, close, spread over -P
 * threads: cycles per second, and the cycle's median and p99.  The
 * server's reactor echoes the byte (server.cpp).
 */
#include <algorithm>
#include <atomic>
#include <vector>

#include "common.hpp"
#include "tests.hpp"

namespace rsk_bench {

void test_connrate(const Client &cl, const ConnrateOptions &o)
{
	std::vector<std::vector<double>> lat(o.threads);
	std::vector<Clock::time_point> ends(o.threads);
	std::atomic<bool> abort{false};

	Clock::time_point start = run_threads(o.threads, [&](unsigned t, Clock::time_point) {
		uint64_t cycles = o.count / o.threads + (t < o.count % o.threads);
		lat[t].reserve(cycles);
		for (uint64_t i = 0; i < cycles && !abort; i++) {
			try {
				auto t0 = Clock::now();
				Socket s = cl.dial();
				uint8_t b = static_cast<uint8_t>(wire::Test::Connrate), echo = 0;
				s.send_all(&b, 1);
				s.recv_exact(&echo, 1, "waiting for the echo");
				if (echo != b)
					throw TestError(strprintf("echoed 0x%02x for 0x%02x", echo, b));
				s.close();
				lat[t].push_back(to_us(Clock::now() - t0));
			} catch (const TestError &e) {
				abort = true;
				throw TestError(strprintf("thread %u, cycle %llu: %s", t,
							  (unsigned long long)i, e.what()));
			}
		}
		ends[t] = Clock::now();
	});

	std::vector<double> all;
	for (auto &v : lat)
		all.insert(all.end(), v.begin(), v.end());
	double secs = seconds_between(start, *std::max_element(ends.begin(), ends.end()));
	double rate = per_second(all.size(), secs);
	Summary r = Summary::of(std::move(all));
	cl.result("connrate",
		  {{"count", o.count}, {"threads", o.threads}},
		  {{"connections", r.n}, {"seconds", secs}, {"per_s", rate},
		   {"cycle", r.to_json()}},
		  strprintf("connrate %s c=%llu P=%u: %.1f conn/s (cycle median %.1f us p99 %.1f us)",
			    cl.transport.name().c_str(), (unsigned long long)o.count, o.threads,
			    rate, r.median, r.p99));
}

} /* namespace rsk_bench */
