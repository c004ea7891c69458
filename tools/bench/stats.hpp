// SPDX-License-Identifier: GPL-2.0
/*
 * Timing and statistics: the clock every test reads, durations as
 * seconds or microseconds, and the summary of a latency distribution.
 */
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
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

inline uint64_t to_ns(Clock::duration d)
{
	return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

/* -t SECONDS as the clock's duration */
inline Clock::duration from_seconds(double s)
{
	return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

/* A count over a time as a rate; 0 if no time passed. */
inline double per_second(double count, double secs)
{
	return secs > 0 ? count / secs : 0;
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
