// SPDX-License-Identifier: GPL-2.0
#include "common.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace rsk_bench {

std::string strprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(nullptr, 0, fmt, ap);
	va_end(ap);
	std::string s(n > 0 ? n : 0, '\0');
	va_start(ap, fmt);
	vsnprintf(s.data(), s.size() + 1, fmt, ap);
	va_end(ap);
	return s;
}

std::string errno_text(int err)
{
	const char *name = strerrorname_np(err);
	const char *desc = strerrordesc_np(err);

	return strprintf("%s (%s)", name ? name : std::to_string(err).c_str(),
			 desc ? desc : "unknown error");
}

void log_line(const std::string &line)
{
	fprintf(stderr, "rsk_bench: %s\n", line.c_str());	/* one call: atomic */
}

} /* namespace rsk_bench */
