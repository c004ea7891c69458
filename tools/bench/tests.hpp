// SPDX-License-Identifier: GPL-2.0
/*
 * The tests, one file each: the client's side, test_*(), which runs the
 * test and prints its result, and the server's, serve_*(), for those the
 * server gives a thread of their own.  The server's reactor answers
 * connrate and idle connections itself (server.cpp).
 */
#pragma once

#include <cstddef>
#include <cstdint>

#include "client.hpp"
#include "pattern.hpp"
#include "server.hpp"

namespace rsk_bench {

/* stream.cpp: throughput of connections writing the pattern */
struct StreamOptions {
	size_t write_size = 65536;
	unsigned conns = 1;
	double seconds = 5;
	uint64_t bytes = 0;	/* total over all connections; 0: run for seconds */
	Verify verify = Verify::Stamp;
};

void test_stream(const Client &cl, const StreamOptions &o);
void serve_stream(const Session &session);

/* pingpong.cpp: round-trip time of messages the server echoes */
struct PingpongOptions {
	size_t size = 64;
	uint64_t iterations = 10000;
	uint64_t warmup = 1000;
	int busy_poll = 0;	/* usec; 0 leaves SO_BUSY_POLL alone */
};

void test_pingpong(const Client &cl, const PingpongOptions &o);
void serve_pingpong(const Session &session);

/* connrate.cpp: cycles of connect, 1-byte echo, close per second */
struct ConnrateOptions {
	uint64_t count = 1000;	/* total over all threads */
	unsigned threads = 1;
};

void test_connrate(const Client &cl, const ConnrateOptions &o);

/* idle.cpp: the memory that idle connections hold */
struct IdleOptions {
	uint64_t count = 1000;
	double seconds = 10;
};

void test_idle(const Client &cl, const IdleOptions &o);

/* idle.cpp: the memory that connections with data in flight hold */
struct BusyOptions {
	uint64_t count = 16;
	double seconds = 30;	/* at most, to fill them */
};

void test_busy(const Client &cl, const BusyOptions &o);

/* dgram.cpp: datagrams at full speed, the rates sent and received, loss */
struct DgramOptions {
	size_t size = 64;
	double seconds = 5;
};

void test_dgram(const Client &cl, const DgramOptions &o);
void serve_dgram(const Session &session);

} /* namespace rsk_bench */
