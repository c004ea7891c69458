// SPDX-License-Identifier: GPL-2.0
/*
 * Settings: the module's sysctls, net.rdma_sock.KEY, of the caller's
 * network namespace, read and written through /proc/sys.  Changing one
 * needs CAP_NET_ADMIN over the namespace (the files are root's, 0644).
 */
#pragma once

#include <map>
#include <stdexcept>
#include <string>

namespace rsk {

struct SettingError : std::runtime_error {
	int err;	/* ENOENT: no such setting; EINVAL: bad value; EACCES,
			 * EPERM: not allowed; ENODEV: the module is not loaded */
	SettingError(const std::string &what, int e) : std::runtime_error(what), err(e) {}
};

/* Where the settings live; a test may point it elsewhere. */
extern std::string sysctl_dir;

std::map<std::string, std::string> settings();	/* all of them */
std::string get_setting(const std::string &key);
void set_setting(const std::string &key, const std::string &value);

} /* namespace rsk */
