// SPDX-License-Identifier: GPL-2.0
/*
 * Results: one human-readable line each on stdout; with --json, one JSON
 * object each on stdout ({test, family, params, values}) and the lines on
 * stderr, so stdout stays machine-readable.
 */
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace rsk_bench {

using json = nlohmann::ordered_json;	/* keys in the order written */

class Reporter {
public:
	explicit Reporter(bool json) : json_(json) {}

	void result(const std::string &test, const std::string &family, json params,
		    json values, const std::string &line);

	/* A line that is not a result, e.g. "idle holding N". */
	void status(const std::string &line);

private:
	bool json_;
};

} /* namespace rsk_bench */
