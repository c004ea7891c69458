// SPDX-License-Identifier: GPL-2.0
/*
 * What every part of rsk_bench uses: the two kinds of error and the exit
 * codes they end in, printf into a std::string, errno names, the log line.
 */
#pragma once

#include <stdexcept>
#include <string>

namespace rsk_bench {

enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitSetup = 2 };

/* Bad command line, family or address, too few fds: exit code 2. */
struct SetupError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

/* Anything that goes wrong once a test talks to the network: exit code 1. */
struct TestError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

std::string strprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "ECONNREFUSED (Connection refused)" */
std::string errno_text(int err);

/* "rsk_bench: LINE" on stderr, in one call: lines of threads do not mix. */
void log_line(const std::string &line);

} /* namespace rsk_bench */
