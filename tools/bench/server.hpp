// SPDX-License-Identifier: GPL-2.0
/*
 * The server: one thread accepts, reads each connection's header and
 * answers connrate and idle connections itself; stream, pingpong and
 * dgram connections go to a thread each, which runs the test's serve_*()
 * (tests.hpp) on a Session.
 */
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "net.hpp"
#include "stats.hpp"
#include "transport.hpp"
#include "wire.hpp"

namespace rsk_bench {

struct ServerOptions {
	milliseconds timeout{10s};	/* header, and each read or write of a session */
	uint64_t corrupt_every = 0;
	bool verbose = false;
};

/*
 * A connection whose header asked for a stream, pingpong or dgram test,
 * on a thread of its own.  The socket's waits are bounded by opt.timeout
 * (but for rsockets).  A TestError thrown while the server stops is not
 * logged.
 */
struct Session {
	Socket &sock;
	const wire::Header &header;
	const std::string &peer;		/* "192.0.2.2:40000" */
	const Transport &transport;
	const Address &addr;			/* where the server listens */
	const ServerOptions &opt;
	const std::atomic<bool> &stopping;	/* SIGTERM or SIGINT came */
};

/*
 * Listens on addr and serves any number of tests, one after another or at
 * the same time, until SIGTERM or SIGINT (kExitOk; kExitFailure if waiting
 * fails).  Prints "rsk_bench ready" on stdout once listening.  SetupError
 * if it cannot listen.
 */
int run_server(const Transport &transport, const Address &addr, const ServerOptions &opt);

} /* namespace rsk_bench */
