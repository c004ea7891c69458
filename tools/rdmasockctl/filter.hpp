// SPDX-License-Identifier: GPL-2.0
/*
 * Socket filters, as words after "sock" the way ss and ip take them:
 * [show] [state STATE] [type stream|dgram] [sport PORT] [dport PORT]
 * [src ADDR] [dst ADDR].  As ss: several states are any of them; the
 * other keys, given again, replace; all keys must match.  Addresses may
 * carry a scope, fe80::1%eth0.
 */
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model.hpp"

namespace rsk {

struct UsageError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

struct SocketFilter {
	std::vector<std::string> states;	/* ss's names, upper case */
	std::optional<std::string> type;
	std::optional<uint16_t> sport, dport;
	std::optional<std::string> src, dst;	/* addresses, as text */

	static SocketFilter parse(const std::vector<std::string> &words);
	bool matches(const Socket &s) const;
};

} /* namespace rsk */
