// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasockctl: show and tune the rdma_sock module, as ip, ss and rdma do
 * for theirs.  The commands are a table (commands.cpp); this runs them on
 * the module, over netlink.  The man page is rdmasockctl.8.
 *
 * Exit codes: 0 success; 1 failure; 2 bad usage (unknown command, filter
 * or setting, bad value); 3 the module is not loaded; 4 permission denied.
 */
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "nl.hpp"

int main(int argc, char **argv)
{
	rsk::Env env{std::cout, std::cerr, [] { return std::make_unique<rsk::Client>(); }};

	return rsk::run_ctl(argc, argv, env);
}
