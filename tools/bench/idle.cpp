// SPDX-License-Identifier: GPL-2.0
/*
 * idle: -c connections opened and held for -t seconds; Slab and
 * MemAvailable before and while they are held, per connection.  The
 * server's reactor acks and holds its ends (server.cpp).  As many are
 * opened and closed first: the slab caches grow on the first connections
 * a boot makes and keep their pages, so without that round whichever
 * transport ran first would pay for pages the later ones reuse.
 */
#include <poll.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

#include "common.hpp"
#include "tests.hpp"

namespace rsk_bench {

namespace {

/* /proc/meminfo: what the connections cost (-1: not there). */
struct MemInfo {
	long long slab_kb = -1, available_kb = -1;

	static MemInfo read()
	{
		MemInfo m;
		FILE *f = fopen("/proc/meminfo", "re");
		char line[256];

		if (!f)
			return m;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "Slab: %lld kB", &m.slab_kb);
			sscanf(line, "MemAvailable: %lld kB", &m.available_kb);
		}
		fclose(f);
		return m;
	}
};

/* @count connections, each acked: the server holds its end too. */
std::vector<Socket> open_acked(const Client &cl, uint64_t count)
{
	std::vector<Socket> conns;
	conns.reserve(count);
	wire::Header h;
	h.test = wire::Test::Idle;
	auto failed = [](uint64_t i, const TestError &e) {
		return TestError(strprintf("connection %llu: %s", (unsigned long long)i, e.what()));
	};
	for (uint64_t i = 0; i < count; i++) {
		try {
			conns.push_back(cl.dial());
			wire::send(conns.back(), h);
		} catch (const TestError &e) {
			throw failed(i, e);
		}
	}
	for (uint64_t i = 0; i < count; i++) {
		wire::AckBytes ab;
		try {
			conns[i].recv_exact(ab.data(), ab.size(), "waiting for the server's ack");
		} catch (const TestError &e) {
			throw failed(i, e);
		}
		if (wire::decode_ack(ab).status != wire::AckStatus::Ok)
			throw TestError(strprintf("connection %llu: the server refused it",
						  (unsigned long long)i));
	}
	return conns;
}

} /* namespace */

void test_idle(const Client &cl, const IdleOptions &o)
{
	rlimit rl{};
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur != RLIM_INFINITY && o.count + 32 > rl.rlim_cur)
		throw SetupError(strprintf("idle -c %llu needs %llu file descriptors, RLIMIT_NOFILE allows %llu (ulimit -n)",
					   (unsigned long long)o.count,
					   (unsigned long long)(o.count + 32),
					   (unsigned long long)rl.rlim_cur));

	std::vector<Socket> warm = open_acked(cl, o.count);
	warm.clear();
	/* The closes finish (FIN both ways) while this waits. */
	std::this_thread::sleep_for(std::chrono::seconds(1));

	MemInfo before = MemInfo::read();
	auto t0 = Clock::now();
	std::vector<Socket> conns = open_acked(cl, o.count);
	double open_secs = seconds_between(t0, Clock::now());
	MemInfo held = MemInfo::read();

	cl.out.status(strprintf("idle holding %llu", (unsigned long long)o.count));
	std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));

	/* Nothing may have come meanwhile: no data, no end of stream, no error. */
	std::vector<pollfd> pfds;
	for (const Socket &s : conns)
		pfds.push_back({s.fd(), POLLIN | POLLRDHUP, 0});
	if (poll(pfds.data(), pfds.size(), 0) < 0)
		throw TestError("poll: " + errno_text(errno));
	auto dead = std::count_if(pfds.begin(), pfds.end(), [](const pollfd &p) { return p.revents; });
	if (dead)
		throw TestError(strprintf("%ld of the %llu connections ended or failed while held",
					  (long)dead, (unsigned long long)o.count));
	conns.clear();

	auto per_conn = [&](long long a, long long b) {
		return a < 0 || b < 0 ? 0.0 : (b - a) * 1024.0 / o.count;
	};
	double slab_b = per_conn(before.slab_kb, held.slab_kb);
	double avail_b = per_conn(before.available_kb, held.available_kb);
	cl.result("idle",
		  {{"count", o.count}, {"seconds", o.seconds}},
		  {{"connections", o.count}, {"open_seconds", open_secs},
		   {"slab_kb_before", before.slab_kb}, {"slab_kb_held", held.slab_kb},
		   {"available_kb_before", before.available_kb},
		   {"available_kb_held", held.available_kb},
		   {"slab_bytes_per_conn", slab_b}, {"available_bytes_per_conn", avail_b}},
		  strprintf("idle %s c=%llu: held %llu connections for %.1f s (opened in %.2f s); client side: Slab %lld -> %lld kB (%+.0f B/conn), MemAvailable %lld -> %lld kB (%+.0f B/conn)",
			    cl.transport.name().c_str(), (unsigned long long)o.count,
			    (unsigned long long)o.count, o.seconds, open_secs, before.slab_kb,
			    held.slab_kb, slab_b, before.available_kb, held.available_kb,
			    avail_b));
}

} /* namespace rsk_bench */
