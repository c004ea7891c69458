// SPDX-License-Identifier: GPL-2.0
#include "output.hpp"

#include <cstdio>

namespace rsk_bench {

void Reporter::result(const std::string &test, const std::string &family, json params,
		      json values, const std::string &line)
{
	if (json_) {
		json j = {{"test", test}, {"family", family}, {"params", std::move(params)},
			  {"values", std::move(values)}};
		printf("%s\n", j.dump().c_str());
		fflush(stdout);
	}
	status(line);
}

void Reporter::status(const std::string &line)
{
	FILE *f = json_ ? stderr : stdout;
	fprintf(f, "%s\n", line.c_str());
	fflush(f);
}

} /* namespace rsk_bench */
