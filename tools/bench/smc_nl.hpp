// SPDX-License-Identifier: GPL-2.0
/*
 * SMC's generic netlink family ("SMC_GEN_NETLINK", <linux/smc.h>) through
 * libnl-genl-3: what smc-tools' "smcr ueid" and "smcr linkgroup" do, for
 * a benchmark host that has no smc-tools (Debian has none).  SMC-Rv2 is
 * only tried between hosts that share a user EID; rxe has no RoCE v1
 * GIDs, so SMC-Rv1 never runs over it.
 */
#pragma once

#include <string>
#include <vector>

namespace smc_nl {

/* The EID as SMC takes it: upper case, digits, '.', '-'; at most 32. */
std::string normalize_eid(const std::string &eid);

void ueid_add(const std::string &eid);		/* EEXIST is not an error */
void ueid_del(const std::string &eid);
void ueid_flush();
std::vector<std::string> ueid_list();

/* SMC-R link groups the host has now (each one ran over RDMA). */
size_t smcr_link_groups();

} /* namespace smc_nl */
