// SPDX-License-Identifier: GPL-2.0
/*
 * Output: tables with aligned columns, as ip and ss print them, or JSON
 * (nlohmann-json), compact or pretty.  Pure functions of the model, so
 * that tests can check them without a module.
 */
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace rsk {

using json = nlohmann::ordered_json;

json to_json(const Info &i);
json to_json(const Device &d);
json to_json(const Link &l);
json to_json(const Socket &s);
json to_json(const std::vector<Stat> &stats, bool nonzero_only);
json to_json(const Policy &p);

/* Rows of cells, the first the header: left-aligned columns. */
std::string table(const std::vector<std::vector<std::string>> &rows);

std::string format_status(const Info &i, size_t devices, size_t links,
			  size_t sockets);
std::string format_devices(const std::vector<Device> &v);
std::string format_links(const std::vector<Link> &v);
std::string format_sockets(const std::vector<Socket> &v, bool extended);
std::string format_stats(const std::vector<Stat> &v, bool nonzero_only);
std::string format_policies(const std::vector<Policy> &v);

} /* namespace rsk */
