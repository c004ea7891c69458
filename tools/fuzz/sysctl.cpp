// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_fuzz: writes to the files of /proc/sys/net/rdma_sock/.
 *
 * Each setting is read at start and written back at exit (restore()).
 * Values written are random: 0, -1, the bounds of rsk_sysctl.c's ranges
 * and one past them, INT_MAX, numbers too large for an int, hex, text
 * that is no number, and writes at an offset.  What the kernel refuses
 * changes nothing.  Of what it takes, some values would wedge the run or
 * the guest rather than test anything, so a value the kernel would
 * accept outside the "safe" range below is replaced by one inside it:
 *
 *   userns_sockets   never set (only refused values are written): it is
 *                    the family's gate for user namespaces, host-wide
 *   srq_size         16..1024: host-wide; 16384 is 256 MiB per device
 *                    once a device binds again
 *   rmem_*, wmem_*   4 KiB..16 MiB: 1 GiB per socket buffer would let
 *                    a few sockets take a small guest's memory
 *   link_port,       886..891: another port of rdma_cm's space could be
 *   dgram_port       another service's
 *   mem              each of the three figures within a quarter and four
 *                    times the original (pages): not 0, not unbounded;
 *                    written as three numbers or as text that is none
 *
 * The other settings take any value of their range: limits of 1 and
 * timers of 100 ms are what the fuzzer is for, and they are put back.
 * A file this table does not know is only read.
 */
#include "fuzz.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace fuzz {

namespace {

const char kDir[] = "/proc/sys/net/rdma_sock/";

struct Spec {
	const char *name;
	long lo, hi;		/* rsk_sysctl.c's range */
	long safe_lo, safe_hi;	/* what the fuzzer lets through */
};

constexpr long kMemMin = 4096, kMemMax = 1L << 30, kSafeMem = 16L << 20;
constexpr long kDay = 86400000;

const Spec kSpecs[] = {
	{ "link_port", 1, 65535, 886, 891 },
	{ "link_idle_ms", 100, kDay, 100, kDay },
	{ "link_keepalive_ms", 100, 3600000, 100, 3600000 },
	{ "max_pending_links", 1, 65536, 1, 65536 },
	{ "max_links", 1, 65536, 1, 65536 },
	{ "max_links_per_peer", 1, 65536, 1, 65536 },
	{ "max_half_open", 0, 65536, 0, 65536 },
	{ "max_half_open_per_link", 0, 65536, 0, 65536 },
	{ "half_open_timeout_ms", 100, 600000, 100, 600000 },
	{ "dgram_port", 1, 65535, 886, 891 },
	{ "dgram_neigh_ttl_ms", 100, kDay, 100, kDay },
	{ "dgram_max_neighs", 1, 65536, 1, 65536 },
	{ "rmem_default", kMemMin, kMemMax, kMemMin, kSafeMem },
	{ "rmem_max", kMemMin, kMemMax, kMemMin, kSafeMem },
	{ "wmem_default", kMemMin, kMemMax, kMemMin, kSafeMem },
	{ "wmem_max", kMemMin, kMemMax, kMemMin, kSafeMem },
	{ "zcopy_threshold", kMemMin, kMemMax, kMemMin, kMemMax },
	{ "userns_sockets", 0, 1, 1, 0 },	/* empty: never set */
	{ "srq_size", 16, 16384, 16, 1024 },
};

const Spec *spec_of(const std::string &name)
{
	for (const Spec &s : kSpecs)
		if (name == s.name)
			return &s;
	return nullptr;
}

std::string read_file(const std::string &path, bool *ok)
{
	char buf[256];
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	*ok = n >= 0;
	return std::string(buf, n > 0 ? n : 0);
}

/* Whole text in one write(), from offset 0; the errno, or 0. */
int write_file(const std::string &path, const std::string &text, off_t off = 0)
{
	int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	long n = pwrite(fd, text.data(), text.size(), off);
	int err = n < 0 ? errno : 0;
	close(fd);
	return err;
}

std::string trim(std::string s)
{
	while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
		s.pop_back();
	return s;
}

/* Would proc_dointvec_minmax() take @text into [lo, hi]?  It reads one
 * number, in any base strtol's 0 takes, after blanks. */
bool accepted(const std::string &text, long lo, long hi, long *val)
{
	const char *p = text.c_str();
	char *end;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p || !(isdigit(static_cast<unsigned char>(*p)) || *p == '-' || *p == '+'))
		return false;
	errno = 0;
	*val = strtol(p, &end, 0);
	return end != p && !errno && *val >= lo && *val <= hi;
}

std::string gen_int_text(Ctx &c, const Spec &s)
{
	switch (c.below(12)) {
	case 0: return "0";
	case 1: return "-1";
	case 2: return std::to_string(s.lo);
	case 3: return std::to_string(s.hi);
	case 4: return std::to_string(s.lo - 1);
	case 5: return std::to_string(s.hi + 1);
	case 6: return c.pick<const char *>({"2147483647", "2147483648", "-2147483649",
					     "99999999999999999999"});
	case 7: return c.pick<const char *>({"abc", "", " ", "\n", "1x", "--1", "1 2"});
	case 8: {
		char hex[32];
		snprintf(hex, sizeof(hex), "%#lx", static_cast<long>(c.range(s.lo, s.hi)));
		return hex;
	}
	default: return std::to_string(c.range(s.lo, s.hi));
	}
}

/* An int setting's text, with what the kernel would take kept safe. */
std::string int_text(Ctx &c, const Spec &s)
{
	std::string text = gen_int_text(c, s);
	long v;

	if (accepted(text, s.lo, s.hi, &v) && (v < s.safe_lo || v > s.safe_hi)) {
		if (s.safe_lo > s.safe_hi)
			return "2";	/* userns_sockets: refused */
		return std::to_string(c.range(s.safe_lo, s.safe_hi));
	}
	return text;
}

/* "mem": three page counts near the original's, or text that is none. */
std::string mem_text(Ctx &c, const std::string &original)
{
	unsigned long v[3];

	if (c.chance(15))
		return c.pick<const char *>({"abc", "x y z", ""});
	if (sscanf(original.c_str(), "%lu %lu %lu", &v[0], &v[1], &v[2]) != 3)
		return "abc";
	std::string text;
	for (unsigned long orig : v) {
		unsigned long lo = std::max(orig / 4, 1UL), hi = orig * 4;
		text += std::to_string(lo + c.below(hi - lo + 1)) + " ";
	}
	return text;
}

} /* namespace */

std::unique_ptr<Sysctls> Sysctls::open(int verbose)
{
	std::unique_ptr<Sysctls> s;
	DIR *d = opendir(kDir);

	if (!d) {
		fprintf(stderr, "rsk_fuzz: no %s: no sysctl operations\n", kDir);
		return s;
	}
	s.reset(new Sysctls);
	while (dirent *e = readdir(d)) {
		bool ok;

		if (e->d_name[0] == '.')
			continue;
		std::string value = trim(read_file(kDir + std::string(e->d_name), &ok));
		if (ok)
			s->entries_.push_back({e->d_name, value});
		if (ok && verbose)
			fprintf(stderr, "rsk_fuzz: sysctl %s = %s\n", e->d_name, value.c_str());
	}
	closedir(d);
	return s;
}

std::vector<std::string> Sysctls::restore() const
{
	std::vector<std::string> failed;

	for (const Entry &e : entries_) {
		bool ok;
		std::string path = kDir + e.name;

		/* Only what changed is written back. */
		if (trim(read_file(path, &ok)) == e.original)
			continue;
		if (write_file(path, e.original + "\n") ||
		    trim(read_file(path, &ok)) != e.original)
			failed.push_back(e.name);
	}
	return failed;
}

void op_sysctl_write(Ctx &c)
{
	const auto &entries = c.sh.sysctls->entries();

	if (entries.empty())
		return;
	const Sysctls::Entry &e = c.pick(entries);
	const Spec *s = spec_of(e.name);
	std::string text;

	if (e.name == "mem")
		text = mem_text(c, e.original);
	else if (s)
		text = int_text(c, *s);
	else
		return;		/* unknown: read only */
	/* Now and then at an offset: sysctl_writes_strict ignores it. */
	off_t off = c.chance(5) ? static_cast<off_t>(c.range(1, 4)) : 0;
	if (off && s && s->safe_lo > s->safe_hi)
		off = 0;
	c.begin("sysctl %s <- \"%s\" at %ld", e.name.c_str(), text.c_str(),
		static_cast<long>(off));
	int err = write_file(kDir + e.name, text, off);
	errno = err;
	c.sys(err ? -1 : 0);
}

void op_sysctl_read(Ctx &c)
{
	const auto &entries = c.sh.sysctls->entries();
	bool ok;

	if (entries.empty())
		return;
	const Sysctls::Entry &e = c.pick(entries);
	c.begin("sysctl read %s", e.name.c_str());
	read_file(kDir + e.name, &ok);
	c.sys(ok ? 0 : -1);
}

} /* namespace fuzz */
