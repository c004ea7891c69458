// SPDX-License-Identifier: GPL-2.0
/*
 * Acceleration rules from the words after "policy add", the way ip rule
 * takes them: [prio N] [type stream|dgram] [family inet|inet6]
 * [dst PREFIX] [dport PORT[-PORT]] [prog NAME] action accel|pass.
 * Only the syntax is checked here; the module checks the rest (a prefix
 * with bits past its length, a duplicate) and says why it refused.
 */
#pragma once

#include <string>
#include <vector>

#include "model.hpp"

namespace rsk {

Policy parse_policy_words(const std::vector<std::string> &words);

} /* namespace rsk */
