// SPDX-License-Identifier: GPL-2.0
#include "wire.hpp"

#include <cstdint>

#include "common.hpp"

namespace rsk_bench::wire {

HeaderBytes encode(const Header &h)
{
	HeaderBytes b{};

	b[0] = static_cast<uint8_t>(h.test);
	b[1] = kVersion;
	b[2] = static_cast<uint8_t>(h.verify);
	put32(&b[4], kMagic);
	put32(&b[8], h.busy_poll_us);
	put32(&b[12], h.msg_size);
	put64(&b[16], h.seed);
	return b;
}

std::optional<std::string> decode(const HeaderBytes &b, Header &h)
{
	if (get32(&b[4]) != kMagic)
		return "not an rsk_bench header (bad magic)";
	if (b[1] != kVersion)
		return strprintf("protocol version %u, this server speaks %u", b[1], kVersion);
	h.test = static_cast<Test>(b[0]);
	if (h.test != Test::Stream && h.test != Test::Pingpong && h.test != Test::Idle &&
	    h.test != Test::Dgram && h.test != Test::Busy && h.test != Test::Release)
		return strprintf("unknown test 0x%02x", b[0]);
	if (b[2] > static_cast<uint8_t>(Verify::Full))
		return strprintf("unknown verify mode %u", b[2]);
	h.verify = static_cast<Verify>(b[2]);
	h.busy_poll_us = get32(&b[8]);
	h.msg_size = get32(&b[12]);
	h.seed = get64(&b[16]);
	if (h.test == Test::Pingpong && (h.msg_size < 1 || h.msg_size > kMaxMessage))
		return strprintf("pingpong message size %u out of range", h.msg_size);
	if (h.test == Test::Dgram && (h.msg_size < kDgramStamp || h.msg_size > kMaxDatagram))
		return strprintf("datagram size %u out of range", h.msg_size);
	if (h.busy_poll_us > INT32_MAX)
		return "busy_poll_us out of range";
	return std::nullopt;
}

AckBytes encode(const Ack &a)
{
	AckBytes b{};

	b[0] = 'A';
	b[1] = static_cast<uint8_t>(a.status);
	put32(&b[4], a.err);
	return b;
}

Ack decode_ack(const AckBytes &b)
{
	if (b[0] != 'A' || b[1] > static_cast<uint8_t>(AckStatus::BadHeader))
		throw TestError("malformed answer from the server (is it rsk_bench?)");
	return {static_cast<AckStatus>(b[1]), get32(&b[4])};
}

ReportBytes encode(const Report &r)
{
	ReportBytes b{};

	b[0] = 'R';
	b[1] = static_cast<uint8_t>(r.status);
	put64(&b[8], r.bytes);
	put64(&b[16], r.elapsed_ns);
	put64(&b[24], r.bad_offset);
	return b;
}

Report decode_report(const ReportBytes &b)
{
	if (b[0] != 'R' || b[1] > static_cast<uint8_t>(ReportStatus::Corrupt))
		throw TestError("malformed stream report from the server");
	return {static_cast<ReportStatus>(b[1]), get64(&b[8]), get64(&b[16]), get64(&b[24])};
}

const char *test_name(Test t)
{
	switch (t) {
	case Test::Stream:
		return "stream";
	case Test::Pingpong:
		return "pingpong";
	case Test::Connrate:
		return "connrate";
	case Test::Idle:
		return "idle";
	case Test::Dgram:
		return "dgram";
	case Test::Busy:
		return "busy";
	case Test::Release:
		return "release";
	}
	return "?";
}

void send(Socket &s, const Header &h)
{
	auto b = encode(h);
	s.send_all(b.data(), b.size());
}

void send(Socket &s, const Ack &a)
{
	auto b = encode(a);
	s.send_all(b.data(), b.size());
}

void send(Socket &s, const Report &r)
{
	auto b = encode(r);
	s.send_all(b.data(), b.size());
}

Report recv_report(Socket &s)
{
	ReportBytes b;
	s.recv_exact(b.data(), b.size(), "waiting for the server's report");
	return decode_report(b);
}

} /* namespace rsk_bench::wire */
