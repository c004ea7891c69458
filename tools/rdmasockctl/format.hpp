// SPDX-License-Identifier: GPL-2.0
/*
 * Output: tables with aligned columns, as ip and ss print them, or JSON
 * (nlohmann-json), compact or pretty, both made from one table of fields
 * per kind of object (fields.hpp).  Pure functions of the model, so that
 * tests can check them without a module.
 */
#pragma once

#include <string>
#include <vector>

#include "fields.hpp"
#include "model.hpp"

namespace rsk {

template <> const Fields<Status> &fields_of<Status>();
template <> const Fields<Device> &fields_of<Device>();
template <> const Fields<Link> &fields_of<Link>();
template <> const Fields<Socket> &fields_of<Socket>();
template <> const Fields<Stat> &fields_of<Stat>();
template <> const Fields<Policy> &fields_of<Policy>();

/* status, as text: the module, then how many objects it has here. */
extern const char status_text[];

/* The counters -s shows: objects, and the others that are not 0. */
std::vector<Stat> summary(const std::vector<Stat> &v);
/* The counters as JSON: {"objects": {NAME: {value, total}...}, "events":
 * ..., "devices": ...}, by their kind, rather than an array. */
json stats_json(const std::vector<Stat> &v);

} /* namespace rsk */
