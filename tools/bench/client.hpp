// SPDX-License-Identifier: GPL-2.0
/*
 * What every client test runs on: the server's address and the transport
 * to reach it, bounded waits, the header and the server's ack, the
 * parameters every result carries; and threads released at once.
 */
#pragma once

#include <sys/socket.h>

#include <exception>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "net.hpp"
#include "output.hpp"
#include "stats.hpp"
#include "transport.hpp"
#include "wire.hpp"

namespace rsk_bench {

struct Client {
	Transport transport;
	Address server;
	milliseconds timeout;
	Reporter &out;

	/* A socket with bounded waits, not yet connected (to set options first). */
	Socket open(int type = SOCK_STREAM) const;

	Socket dial() const;

	/* Sends the header and waits for the server's ack, which it returns. */
	wire::Ack start(Socket &s, const wire::Header &h) const;

	/* extra, and what every result's params have: server, timeout_s, af. */
	json params(json extra) const;

	/* The test's result: its params(), values and line (output.hpp). */
	void result(const std::string &test, json test_params, json values,
		    const std::string &line) const;
};

/*
 * Runs fn(i, start) on n threads released together at start, which it
 * returns.  Rethrows the first error once all have finished.
 */
template <class Fn>
Clock::time_point run_threads(unsigned n, Fn fn)
{
	Clock::time_point start;
	std::vector<std::thread> threads;
	std::vector<std::exception_ptr> errors(n);
	std::latch go(1);

	threads.reserve(n);
	for (unsigned i = 0; i < n; i++)
		threads.emplace_back([&, i] {
			go.wait();
			try {
				fn(i, start);
			} catch (...) {
				errors[i] = std::current_exception();
			}
		});
	start = Clock::now();
	go.count_down();	/* publishes start */
	for (auto &t : threads)
		t.join();
	for (auto &e : errors)
		if (e)
			std::rethrow_exception(e);
	return start;
}

} /* namespace rsk_bench */
