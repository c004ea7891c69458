// SPDX-License-Identifier: GPL-2.0
#include "sysctl.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

namespace rsk {

std::string sysctl_dir = "/proc/sys/net/rdma_sock";

namespace {

/* Without the directory, the module is not loaded in this kernel. */
void check_loaded()
{
	std::error_code ec;

	if (!std::filesystem::is_directory(sysctl_dir, ec))
		throw SettingError("no " + sysctl_dir + ": the rdma_sock module is not loaded",
				   ENODEV);
}

/* Keys are sysctl names: lower case, digits, underscores; no paths. */
std::string path_of(const std::string &key)
{
	check_loaded();
	if (key.empty() || key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") !=
			   std::string::npos)
		throw SettingError("no setting \"" + key + "\"", ENOENT);
	return sysctl_dir + "/" + key;
}

std::string trim(std::string s)
{
	while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
		s.pop_back();
	return s;
}

} /* namespace */

std::map<std::string, std::string> settings()
{
	std::map<std::string, std::string> out;
	std::error_code ec;

	check_loaded();
	for (const auto &e : std::filesystem::directory_iterator(sysctl_dir, ec))
		out[e.path().filename()] = get_setting(e.path().filename());
	if (ec)
		throw SettingError("cannot read " + sysctl_dir + ": " + ec.message(),
				   ec.value());
	return out;
}

std::string get_setting(const std::string &key)
{
	std::string path = path_of(key);
	std::ifstream f(path);
	std::string text;

	if (!f) {
		int err = errno;
		throw SettingError(err == ENOENT ? "no setting \"" + key + "\"" :
				   path + ": " + strerror(err), err);
	}
	std::getline(f, text, '\0');
	return trim(text);
}

void set_setting(const std::string &key, const std::string &value)
{
	std::string path = path_of(key);
	/* O_TRUNC as a shell's '>': procfs ignores it, a plain file needs it. */
	int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;
		if (err == ENOENT)
			throw SettingError("no setting \"" + key + "\"", err);
		throw SettingError(key + ": " + strerror(err), err);
	}
	std::string text = value + "\n";
	ssize_t n = ::write(fd, text.data(), text.size());
	int err = errno;
	::close(fd);
	if (n != (ssize_t)text.size())
		throw SettingError(err == EINVAL ?
				   key + ": invalid value \"" + value + "\" (see rdmasockctl(8) for the ranges)" :
				   key + ": " + strerror(err), err);
}

} /* namespace rsk */
