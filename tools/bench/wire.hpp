// SPDX-License-Identifier: GPL-2.0
/*
 * The wire protocol between client and server.
 *
 * Each connection starts with one byte naming the test.  Connrate sends
 * only that byte ('C') and the server echoes it.  Every other test sends a
 * 32-byte header starting with that byte, and the server answers with an
 * 8-byte ack once it has applied what the header asks for.  A stream ends
 * with a 32-byte report from the server.  Busy connections ('B') are
 * acked and then never read; a Release ('R') makes the server close them
 * all.  Integers are big-endian.
 *
 * header: 0 test, 1 version, 2 verify, 3 zero, 4 magic "RSKB" (u32),
 *         8 busy_poll_us (u32), 12 msg_size (u32), 16 seed (u64), 24 zero
 * ack:    0 'A', 1 status, 2 zero, 4 errno (u32)
 * report: 0 'R', 1 status, 2 zero, 8 bytes (u64), 16 elapsed_ns (u64),
 *         24 first bad offset (u64)
 */
#pragma once

#include <endian.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "net.hpp"
#include "pattern.hpp"

namespace rsk_bench {

constexpr size_t kMaxMessage = 16 << 20;	// pingpong -s
constexpr size_t kMaxDatagram = 65507;		// dgram -s: UDP's IPv4 limit
constexpr size_t kDgramStamp = 16;		// sequence number and seed ^ it

namespace wire {

enum class Test : uint8_t {
	Stream = 'S', Pingpong = 'P', Connrate = 'C', Idle = 'I', Dgram = 'D',
	Busy = 'B', Release = 'R',
};

constexpr uint32_t kMagic = 0x52534b42;	/* "RSKB" */
constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderSize = 32, kAckSize = 8, kReportSize = 32;

using HeaderBytes = std::array<uint8_t, kHeaderSize>;
using AckBytes = std::array<uint8_t, kAckSize>;
using ReportBytes = std::array<uint8_t, kReportSize>;

inline void put32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

inline void put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return be32toh(v);
}

inline uint64_t get64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return be64toh(v);
}

struct Header {
	Test test = Test::Stream;
	Verify verify = Verify::Stamp;	/* stream */
	uint32_t busy_poll_us = 0;	/* pingpong: SO_BUSY_POLL for the server's socket */
	uint32_t msg_size = 0;		/* pingpong, dgram: message size; stream: write size (informational) */
	uint64_t seed = 0;		/* stream: the pattern's seed */
};

HeaderBytes encode(const Header &h);

/* An error message, or nothing if the header is good. */
std::optional<std::string> decode(const HeaderBytes &b, Header &h);

enum class AckStatus : uint8_t { Ok = 0, OptionFailed = 1, BadHeader = 2 };

struct Ack {
	AckStatus status = AckStatus::Ok;
	uint32_t err = 0;		/* dgram, Ok: the port to send to */
};

AckBytes encode(const Ack &a);
Ack decode_ack(const AckBytes &b);	/* TestError if malformed */

enum class ReportStatus : uint8_t { Ok = 0, Corrupt = 1 };

struct Report {
	ReportStatus status = ReportStatus::Ok;
	uint64_t bytes = 0, elapsed_ns = 0, bad_offset = 0;
};

ReportBytes encode(const Report &r);
Report decode_report(const ReportBytes &b);	/* TestError if malformed */

const char *test_name(Test t);

/* A message, whole, over a blocking socket; TestError if that fails. */
void send(Socket &s, const Header &h);
void send(Socket &s, const Ack &a);
void send(Socket &s, const Report &r);

/* The server's report, for the client; TestError if it does not come. */
Report recv_report(Socket &s);

} /* namespace wire */

} /* namespace rsk_bench */
