// SPDX-License-Identifier: GPL-2.0
#include "stats.hpp"

#include <algorithm>

namespace rsk_bench {

Summary Summary::of(std::vector<double> v)
{
	Summary s;

	if (v.empty())
		return s;
	std::sort(v.begin(), v.end());
	auto pct = [&v](double p) {
		double pos = p * (v.size() - 1);
		size_t i = static_cast<size_t>(pos);
		double frac = pos - i;
		return i + 1 < v.size() ? v[i] + frac * (v[i + 1] - v[i]) : v[i];
	};
	s.n = v.size();
	s.min = v.front();
	s.max = v.back();
	s.median = pct(0.5);
	s.p99 = pct(0.99);
	s.p999 = pct(0.999);
	double sum = 0;
	for (double x : v)
		sum += x;
	s.mean = sum / v.size();
	return s;
}

json Summary::to_json() const
{
	return {{"n", n}, {"min_us", min}, {"median_us", median}, {"p99_us", p99},
		{"p999_us", p999}, {"mean_us", mean}, {"max_us", max}};
}

} /* namespace rsk_bench */
