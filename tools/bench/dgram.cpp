// SPDX-License-Identifier: GPL-2.0
/*
 * dgram: datagrams of -s bytes at full speed for -t seconds, over the
 * transport's datagram sockets (UDP for tcp), to a socket of the server's
 * own; the stream connection is only the control.
 */
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <vector>

#include "common.hpp"
#include "tests.hpp"

namespace rsk_bench {

namespace {

/* A datagram's first kDgramStamp bytes: its sequence number n, then n ^ seed. */
void stamp(uint8_t *buf, uint64_t seed, uint64_t n)
{
	wire::put64(&buf[0], n);
	wire::put64(&buf[8], seed ^ n);
}

bool stamp_ok(const uint8_t *buf, uint64_t seed)
{
	return wire::get64(&buf[8]) == (seed ^ wire::get64(&buf[0]));
}

} /* namespace */

/*
 * Datagrams of -s bytes sent as fast as send() takes them for -t seconds
 * to a socket the server reads as fast as it can: the rate sent, the rate
 * received and what was lost on the way.  Each carries its sequence number
 * and, next to it, the number xor a seed, which the server checks.
 */
void test_dgram(const Client &cl, const DgramOptions &o)
{
	Socket ctl = cl.dial();
	wire::Header h;
	h.test = wire::Test::Dgram;
	h.msg_size = o.size;
	h.seed = std::mt19937_64(std::random_device{}())();
	uint16_t port = cl.start(ctl, h).err;

	Address to = cl.server.with_port(port);
	Socket d = cl.open(SOCK_DGRAM);
	d.connect(to);
	std::vector<uint8_t> buf(o.size);
	Pattern(h.seed, Verify::Full).fill_all(buf.data(), buf.size(), 0);
	uint64_t sent = 0, refused = 0;
	Clock::duration duration = from_seconds(o.seconds);
	Clock::time_point start = Clock::now(), end;
	while ((end = Clock::now()) - start < duration) {
		stamp(buf.data(), h.seed, sent);
		if (::send(d.fd(), buf.data(), buf.size(), 0) == (ssize_t)buf.size()) {
			sent++;
			continue;
		}
		/* UDP's: a port unreachable answer, or a full device queue */
		if (errno == ECONNREFUSED || errno == ENOBUFS)
			refused++;
		else if (errno != EINTR)
			d.fail("send");
	}
	uint8_t count[8];
	wire::put64(count, sent);
	ctl.send_all(count, sizeof(count));
	wire::Report r = wire::recv_report(ctl);
	if (r.status == wire::ReportStatus::Corrupt)
		throw TestError(strprintf("the server received %llu datagrams that differ from what was sent",
					  (unsigned long long)r.bad_offset));

	double secs = seconds_between(start, end);
	double rsecs = r.elapsed_ns / 1e9;
	double sent_rate = per_second(sent, secs);
	double recv_rate = per_second(r.bytes, rsecs);
	double loss = sent ? 100.0 * (sent - std::min(sent, r.bytes)) / sent : 0;
	double mbs = recv_rate * o.size / 1e6;
	std::string name = cl.transport.dgram_name();
	cl.result("dgram",
		  {{"size", o.size}, {"seconds", o.seconds}, {"socket", name}},
		  {{"sent", sent}, {"send_errors", refused}, {"sent_per_s", sent_rate},
		   {"received", r.bytes}, {"received_per_s", recv_rate},
		   {"receive_seconds", rsecs}, {"loss_pct", loss}, {"mb_per_s", mbs}},
		  strprintf("dgram %s s=%zu: sent %.0f/s, received %.0f/s = %.2f MB/s, %.1f%% lost (%llu of %llu)",
			    name.c_str(), o.size, sent_rate, recv_rate, mbs, loss,
			    (unsigned long long)(sent - std::min(sent, r.bytes)),
			    (unsigned long long)sent));
}

/*
 * Counts and checks the datagrams sent to a socket of its own until
 * the client says, on the control connection, how many it sent; then
 * waits for stragglers (300 ms of quiet) and reports: bytes is the
 * count received, bad_offset the count that failed the stamp check.
 */
void serve_dgram(const Session &session)
{
	Socket &ctl = session.sock;
	const wire::Header &h = session.header;
	const std::string &peer = session.peer;
	Address at = session.addr.with_port(0);
	Socket d = session.transport.open(at, SOCK_DGRAM);
	sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	wire::Ack ack;

	d.try_set_option(SOL_SOCKET, SO_RCVBUF, 8 << 20);
	if (::bind(d.fd(), at.sa(), at.len()) ||
	    getsockname(d.fd(), reinterpret_cast<sockaddr *>(&ss), &len))
		ack = {wire::AckStatus::OptionFailed, static_cast<uint32_t>(errno)};
	else
		ack.err = Address(reinterpret_cast<sockaddr *>(&ss), len).port();
	wire::send(ctl, ack);
	if (ack.status != wire::AckStatus::Ok)
		return;

	std::vector<uint8_t> buf(kMaxDatagram + 1);
	uint64_t got = 0, bad = 0, sent = 0;
	Clock::time_point first{}, last{};
	bool told = false;
	Clock::time_point quiet_until{};
	for (;;) {
		pollfd p[2] = {{d.fd(), POLLIN, 0}, {ctl.fd(), told ? (short)0 : (short)POLLIN, 0}};
		int n = poll(p, 2, 100);
		if (session.stopping)
			throw TestError("server stopping");	/* not logged */
		if (told && n == 0 && Clock::now() >= quiet_until)
			break;
		if (p[1].revents) {
			uint8_t b[8];
			ctl.recv_exact(b, 8, "the count of datagrams sent");
			sent = wire::get64(b);
			told = true;
			quiet_until = Clock::now() + 300ms;
		}
		while (p[0].revents) {
			ssize_t r = recv(d.fd(), buf.data(), buf.size(), MSG_DONTWAIT);
			if (r < 0)
				break;
			last = Clock::now();
			if (!got++)
				first = last;
			if (r != (ssize_t)h.msg_size || !stamp_ok(buf.data(), h.seed))
				bad++;
			quiet_until = last + 300ms;
		}
	}
	wire::Report r;
	r.status = bad ? wire::ReportStatus::Corrupt : wire::ReportStatus::Ok;
	r.bytes = got;
	r.elapsed_ns = to_ns(last - first);
	r.bad_offset = bad;
	wire::send(ctl, r);
	if (session.opt.verbose)
		log_line(strprintf("server: %s: dgram: %llu of %llu datagrams of %u bytes, %llu bad",
				   peer.c_str(), (unsigned long long)got,
				   (unsigned long long)sent, h.msg_size,
				   (unsigned long long)bad));
}

} /* namespace rsk_bench */
