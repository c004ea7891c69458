// SPDX-License-Identifier: GPL-2.0
/*
 * pingpong: -s-byte messages the server echoes, one at a time: the round
 * trip's median, p99, p99.9 and mean over -i iterations after -W warm-up
 * rounds.  TCP_NODELAY on both ends, SO_BUSY_POLL with --busy-poll.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "common.hpp"
#include "tests.hpp"

namespace rsk_bench {

void test_pingpong(const Client &cl, const PingpongOptions &o)
{
	Socket s = cl.open();
	s.set_nodelay();
	if (o.busy_poll)
		s.set_busy_poll(o.busy_poll);
	s.connect(cl.server);
	wire::Header h;
	h.test = wire::Test::Pingpong;
	h.busy_poll_us = o.busy_poll;
	h.msg_size = o.size;
	cl.start(s, h);

	std::vector<uint8_t> out(o.size), in(o.size);
	std::vector<double> rtt;
	Pattern(std::random_device{}(), Verify::Full).fill_all(out.data(), out.size(), 0);
	rtt.reserve(o.iterations);

	for (uint64_t i = 0; i < o.warmup + o.iterations; i++) {
		memcpy(out.data(), &i, std::min<size_t>(8, o.size));	/* stale echoes differ */
		auto t0 = Clock::now();
		s.send_all(out.data(), out.size());
		s.recv_exact(in.data(), in.size(), "waiting for the echo");
		auto t1 = Clock::now();
		if (memcmp(in.data(), out.data(), o.size)) {
			size_t k = std::mismatch(in.begin(), in.end(), out.begin()).first - in.begin();
			throw TestError(strprintf("the echo of message %llu differs from it at byte %zu",
						  (unsigned long long)i, k));
		}
		if (i >= o.warmup)
			rtt.push_back(to_us(t1 - t0));
	}
	s.close();

	Summary r = Summary::of(std::move(rtt));
	cl.result("pingpong",
		  {{"size", o.size}, {"iterations", o.iterations},
		   {"warmup", o.warmup}, {"busy_poll_us", o.busy_poll}},
		  {{"rtt", r.to_json()}},
		  strprintf("pingpong %s s=%zu busy_poll=%d: rtt median %.2f us p99 %.2f us p99.9 %.2f us mean %.2f us (%llu iterations)",
			    cl.transport.name().c_str(), o.size, o.busy_poll, r.median, r.p99,
			    r.p999, r.mean, (unsigned long long)o.iterations));
}

/* Echoes msg_size-byte messages until the client closes. */
void serve_pingpong(const Session &session)
{
	Socket &s = session.sock;
	const wire::Header &h = session.header;
	const std::string &peer = session.peer;
	wire::Ack ack;

	if (int err = s.try_set_option(IPPROTO_TCP, TCP_NODELAY, 1))
		ack = {wire::AckStatus::OptionFailed, static_cast<uint32_t>(err)};
	else if (h.busy_poll_us)
		if (int err = s.try_set_option(SOL_SOCKET, SO_BUSY_POLL, h.busy_poll_us))
			ack = {wire::AckStatus::OptionFailed, static_cast<uint32_t>(err)};
	wire::send(s, ack);
	if (ack.status != wire::AckStatus::Ok)
		return;

	Corrupter corrupt(session.opt.corrupt_every);
	std::vector<uint8_t> msg(h.msg_size);
	uint64_t off = 0;
	while (s.recv_exact(msg.data(), msg.size(), "message", true)) {
		if (session.stopping)
			return;
		corrupt.apply(msg.data(), msg.size(), off);
		off += msg.size();
		s.send_all(msg.data(), msg.size());
	}
	if (session.opt.verbose)
		log_line(strprintf("server: %s: pingpong: %llu messages of %u bytes, busy_poll %u",
				   peer.c_str(), (unsigned long long)(off / h.msg_size),
				   h.msg_size, h.busy_poll_us));
}

} /* namespace rsk_bench */
