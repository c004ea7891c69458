// SPDX-License-Identifier: GPL-2.0
/*
 * Timing and statistics: the clock every test reads, durations as
 * seconds or microseconds, and the summary of a latency distribution.
 */
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "output.hpp"

namespace rsk_bench {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

inline double seconds_between(Clock::time_point a, Clock::time_point b)
{
	return std::chrono::duration<double>(b - a).count();
}

inline double to_us(Clock::duration d)
{
	return std::chrono::duration<double, std::micro>(d).count();
}

/* Latency distribution, in microseconds. */
struct Summary {
	size_t n = 0;
	double min = 0, median = 0, p99 = 0, p999 = 0, mean = 0, max = 0;

	/* Percentiles interpolate linearly between the closest ranks. */
	static Summary of(std::vector<double> v);

	json to_json() const;
};

} /* namespace rsk_bench */
