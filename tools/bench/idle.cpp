// SPDX-License-Identifier: GPL-2.0
/*
 * idle: -c connections opened and held for -t seconds; Slab and
 * MemAvailable before and while they are held, per connection.  The
 * server's reactor acks and holds its ends (server.cpp).  As many are
 * opened and closed first: the slab caches grow on the first connections
 * a boot makes and keep their pages, so without that round whichever
 * transport ran first would pay for pages the later ones reuse.
 *
 * busy: the same for connections whose client has sent all that the
 * sockets' buffers take while the server reads nothing: the memory a
 * connection with data in flight costs, both ends on this host (a
 * server on another host leaves the client's end alone in the figures).
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

/* A change from @a_kb to @b_kb, in bytes per connection (0: not known). */
double per_conn(long long a_kb, long long b_kb, uint64_t count)
{
	return a_kb < 0 || b_kb < 0 ? 0.0 : (b_kb - a_kb) * 1024.0 / count;
}

/* @count connections, each acked: the server holds its end too. */
std::vector<Socket> open_acked(const Client &cl, uint64_t count,
			       wire::Test test = wire::Test::Idle)
{
	std::vector<Socket> conns;
	conns.reserve(count);
	wire::Header h;
	h.test = test;
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

/*
 * Send on every connection, without blocking, until a round of sends takes
 * nothing for 300 ms: the sender's buffer and the receiver's window are
 * full (a window opened by data moving on takes more).  Bytes sent.
 */
uint64_t fill(const std::vector<Socket> &conns, double max_seconds)
{
	std::vector<uint8_t> chunk(64 << 10, 0x5a);
	auto end = Clock::now() + std::chrono::duration<double>(max_seconds);
	uint64_t total = 0;
	int quiet = 0;

	while (quiet < 3 && Clock::now() < end) {
		uint64_t round = 0;
		for (const Socket &s : conns) {
			for (;;) {
				ssize_t n = ::send(s.fd(), chunk.data(), chunk.size(),
						   MSG_DONTWAIT | MSG_NOSIGNAL);
				if (n > 0) {
					round += n;
					continue;
				}
				if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
					throw TestError("send: " + errno_text(errno));
				break;
			}
		}
		total += round;
		quiet = round ? 0 : quiet + 1;
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
	return total;
}

/* The server closes its held ends. */
void release(const Client &cl)
{
	Socket s = cl.dial();
	wire::Header h;
	h.test = wire::Test::Release;
	if (cl.start(s, h).status != wire::AckStatus::Ok)
		throw TestError("the server refused the release");
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

	double slab_b = per_conn(before.slab_kb, held.slab_kb, o.count);
	double avail_b = per_conn(before.available_kb, held.available_kb, o.count);
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

void test_busy(const Client &cl, const BusyOptions &o)
{
	{
		std::vector<Socket> warm = open_acked(cl, o.count, wire::Test::Busy);
		fill(warm, o.seconds);
		release(cl);
	}
	std::this_thread::sleep_for(std::chrono::seconds(1));

	MemInfo before = MemInfo::read();
	std::vector<Socket> conns = open_acked(cl, o.count, wire::Test::Busy);
	auto t0 = Clock::now();
	uint64_t queued = fill(conns, o.seconds);
	double fill_secs = seconds_between(t0, Clock::now());
	MemInfo held = MemInfo::read();
	release(cl);
	conns.clear();

	double queued_b = static_cast<double>(queued) / o.count;
	double slab_b = per_conn(before.slab_kb, held.slab_kb, o.count);
	double avail_b = per_conn(held.available_kb, before.available_kb, o.count);
	cl.result("busy",
		  {{"count", o.count}, {"max_seconds", o.seconds}},
		  {{"connections", o.count}, {"fill_seconds", fill_secs},
		   {"queued_bytes_per_conn", queued_b},
		   {"slab_kb_before", before.slab_kb}, {"slab_kb_held", held.slab_kb},
		   {"available_kb_before", before.available_kb},
		   {"available_kb_held", held.available_kb},
		   {"slab_bytes_per_conn", slab_b}, {"used_bytes_per_conn", avail_b},
		   {"used_per_queued", queued_b > 0 ? avail_b / queued_b : 0.0}},
		  strprintf("busy %s c=%llu: %.0f B queued per connection (filled in %.1f s); both ends: Slab %+.0f B/conn, MemAvailable %+.0f B/conn used, %.2f B per byte queued",
			    cl.transport.name().c_str(), (unsigned long long)o.count,
			    queued_b, fill_secs, slab_b, avail_b,
			    queued_b > 0 ? avail_b / queued_b : 0.0));
}

} /* namespace rsk_bench */
