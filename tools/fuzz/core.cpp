// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_fuzz: the parts every operation uses: the fd pool, a thread's
 * context (randomness, counting, logging, the watchdog's view) and the
 * addresses operations bind, connect and send to.
 */
#include "fuzz.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace fuzz {

const char *op_name(Op op)
{
	static const char *const names[] = {
#define FUZZ_NAME(name) #name,
		FUZZ_OPS(FUZZ_NAME)
#undef FUZZ_NAME
	};
	int i = static_cast<int>(op);
	return i >= 0 && i < kOps ? names[i] : "?";
}

/* ---------------------------------------------------------------- pool */

FdPool::Hold::Hold(Hold &&o) noexcept
	: lock_(o.lock_), fd_(o.fd_), slot_(o.slot_)
{
	o.lock_ = nullptr;
	o.fd_ = -1;
}

FdPool::Hold &FdPool::Hold::operator=(Hold &&o) noexcept
{
	if (this != &o) {
		if (lock_)
			lock_->unlock_shared();
		lock_ = o.lock_;
		fd_ = o.fd_;
		slot_ = o.slot_;
		o.lock_ = nullptr;
		o.fd_ = -1;
	}
	return *this;
}

FdPool::Hold::~Hold()
{
	if (lock_)
		lock_->unlock_shared();
}

FdPool::Hold FdPool::hold(int slot)
{
	Hold h;
	Slot &s = slots_[slot];

	s.users.lock_shared();
	h.lock_ = &s.users;
	h.slot_ = slot;
	h.fd_ = s.fd.load();
	return h;
}

FdPool::Hold FdPool::try_hold(int slot)
{
	Hold h;
	Slot &s = slots_[slot];

	if (!s.users.try_lock_shared())
		return h;
	h.lock_ = &s.users;
	h.slot_ = slot;
	h.fd_ = s.fd.load();
	return h;
}

bool FdPool::install(int fd)
{
	for (Slot &s : slots_) {
		int empty = -1;

		if (s.fd.compare_exchange_strong(empty, fd))
			return true;
	}
	close(fd);	/* never shared: safe to close now */
	return false;
}

bool FdPool::retire(int slot)
{
	Slot &s = slots_[slot];
	int fd = s.fd.exchange(-1);

	if (fd < 0)
		return false;
	/* The socket leaves the table now, as with close(), but the number
	 * stays taken (by /dev/null) until nobody holds the slot. */
	dup2(null_fd_, fd);
	std::unique_lock<std::shared_mutex> l(s.users);
	close(fd);
	return true;
}

int FdPool::occupied() const
{
	int n = 0;

	for (const Slot &s : slots_)
		n += s.fd.load() >= 0;
	return n;
}

void FdPool::close_all()
{
	for (int i = 0; i < kSlots; i++)
		retire(i);
}

/* ------------------------------------------------------------- context */

Ctx::Ctx(Shared &shared, int idx)
	: sh(shared), index(idx), rng(shared.cfg.seed + static_cast<uint64_t>(idx)),
	  sbuf(kBufSize), rbuf(kBufSize)
{
	/* Every fourth thread (the first included) runs mostly well-formed
	 * traffic, so that connections get past their first few states. */
	traffic_heavy = idx % 4 == 0;
	fill_random(sbuf.data(), sbuf.size());
}

Ctx::~Ctx()
{
	if (epoll_fd >= 0)
		close(epoll_fd);
}

size_t Ctx::io_size()
{
	switch (below(10)) {
	case 0: case 1: case 2: case 3: case 4:
		return below(65);
	case 5: case 6:
		return range(65, 4096);
	case 7:
		/* The module's own boundaries: copybreak, largest DATA
		 * payload, receive buffer, largest datagram. */
		return pick<size_t>({8191, 8192, 8193, 16287, 16288, 16289,
				     16384, 65507, 65508, 65536});
	case 8:
		return range(4097, 65536);
	default:
		return range(65537, 256 * 1024);
	}
}

void Ctx::fill_random(void *p, size_t n)
{
	auto *b = static_cast<unsigned char *>(p);

	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rng();
		memcpy(b + i, &v, std::min<size_t>(8, n - i));
	}
}

const char *Ctx::current() const
{
	return desc_[desc_idx_.load(std::memory_order_acquire)];
}

void Ctx::begin(const char *fmt, ...)
{
	int idx = 1 - desc_idx_.load(std::memory_order_relaxed);
	int n = snprintf(desc_[idx], sizeof(desc_[idx]), "%s: ", op_name(op));
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc_[idx] + n, sizeof(desc_[idx]) - n, fmt, ap);
	va_end(ap);
	/* The other buffer, then the index: the watchdog reads a whole one. */
	desc_idx_.store(idx, std::memory_order_release);
	progress.fetch_add(1, std::memory_order_relaxed);
	seq_++;
	if (sh.log_fd >= 0 || sh.cfg.verbose >= 2)
		log_line(desc_[idx]);
}

long Ctx::sys(long ret)
{
	int err = ret < 0 ? errno : 0;
	int o = static_cast<int>(op);

	stats.results[o][err < kMaxErrno ? err : kMaxErrno]++;
	if (sh.log_fd >= 0 || sh.cfg.verbose >= 2) {
		char line[96];

		snprintf(line, sizeof(line), "  = %ld%s%s", ret, err ? " " : "",
			 err ? strerrorname_np(err) ?: "?" : "");
		log_line(line);
	}
	errno = err;
	return ret;
}

void Ctx::note_errno(int err)
{
	stats.results[static_cast<int>(op)][err >= 0 && err < kMaxErrno ? err : kMaxErrno]++;
}

void Ctx::integrity(const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	stats.integrity_errors++;
	fprintf(stderr, "rsk_fuzz: INTEGRITY thread %d: %s\n", index, text);
	if (sh.log_fd >= 0) {
		char line[300];

		snprintf(line, sizeof(line), "INTEGRITY %s", text);
		log_line(line);
	}
}

/* One write() per line on an O_APPEND file: lines of threads never mix,
 * and a line is in the file before the call it names is made. */
void Ctx::log_line(const char *text)
{
	char line[320];
	int n = snprintf(line, sizeof(line), "t%d %llu %s\n", index,
			 static_cast<unsigned long long>(seq_), text);

	n = std::min<int>(n, sizeof(line) - 1);
	if (sh.log_fd >= 0) {
		ssize_t w = write(sh.log_fd, line, n);
		(void)w;	/* a full disk is no reason to stop */
	}
	if (sh.cfg.verbose >= 2)
		fputs(line, stderr);
}

FdPool::Hold Ctx::any_fd()
{
	/* A few tries: the pool is often sparse.  Each empty slot is let go
	 * before the next is waited for: a thread never waits for a slot
	 * while it holds one, so no two threads can wait for each other. */
	for (int i = 0; i < 4; i++) {
		FdPool::Hold h = sh.pool->hold(static_cast<int>(below(FdPool::kSlots)));

		if (h)
			return h;
	}
	stats.nofd[static_cast<int>(op)]++;
	return FdPool::Hold();
}

/* ------------------------------------------------------------- sockets */

void bound_timeouts(Ctx &c, int fd)
{
	/* 200 ms: the longest any blocking call on our sockets may wait. */
	timeval tv = { 0, static_cast<suseconds_t>(c.range(20, 200) * 1000) };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int new_socket(Ctx &c, int type)
{
	c.begin("socket(%d, %#x, 0)", c.sh.family, type);
	int fd = static_cast<int>(c.sys(socket(c.sh.family, type, 0)));

	if (fd >= 0)
		bound_timeouts(c, fd);
	return fd;
}

/* ----------------------------------------------------------- addresses */

uint16_t gen_port(Ctx &c)
{
	switch (c.below(20)) {
	case 0: case 1: case 2:
		return 0;			/* ephemeral */
	case 3:
		return 886;			/* link_port and dgram_port */
	case 4:
		return static_cast<uint16_t>(c.range(1, 1023));
	case 5:
		return static_cast<uint16_t>(c.next());
	default:
		/* A small pool, so that binds collide and connects find
		 * listeners. */
		return static_cast<uint16_t>(c.range(7500, 7515));
	}
}

socklen_t local_sockaddr(Ctx &c, sockaddr_storage &ss, bool v6, uint16_t port)
{
	memset(&ss, 0, sizeof(ss));
	if (v6 && !c.sh.addrs.v6.empty()) {
		auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);

		*sin6 = c.pick(c.sh.addrs.v6);
		sin6->sin6_port = htons(port);
		return sizeof(*sin6);
	}
	auto *sin = reinterpret_cast<sockaddr_in *>(&ss);

	*sin = c.pick(c.sh.addrs.v4);
	sin->sin_port = htons(port);
	return sizeof(*sin);
}

/* An IPv4 address: mostly ours, else the wildcard, a group, others'. */
static in_addr gen_v4(Ctx &c, AddrUse use)
{
	in_addr a{};

	switch (c.below(use == AddrUse::bind ? 12 : 16)) {
	case 0: case 1:
		a.s_addr = htonl(INADDR_ANY);
		break;
	case 2:
		a.s_addr = htonl(0xef010100 | c.range(1, 8));	/* 239.1.1.x */
		break;
	case 3:
		a.s_addr = htonl(INADDR_BROADCAST);
		break;
	case 12:
		a.s_addr = htonl(0xc0000201);	/* 192.0.2.1: nobody's */
		break;
	case 13:
		a.s_addr = static_cast<in_addr_t>(c.next());
		break;
	default:
		a = c.pick(c.sh.addrs.v4).sin_addr;
	}
	return a;
}

static in6_addr gen_v6(Ctx &c, AddrUse use)
{
	in6_addr a = in6addr_any;

	switch (c.below(use == AddrUse::bind ? 12 : 16)) {
	case 0: case 1:
		break;				/* :: */
	case 2:
		inet_pton(AF_INET6, "ff3e::1", &a);	/* ff3e::x */
		a.s6_addr[15] = static_cast<uint8_t>(c.range(1, 8));
		break;
	case 3: {
		/* IPv4-mapped: an IPv4 address of ours in IPv6 form. */
		in_addr v4 = c.pick(c.sh.addrs.v4).sin_addr;

		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &v4, 4);
		break;
	}
	case 12:
		inet_pton(AF_INET6, "fe80::1", &a);
		break;
	case 13:
		c.fill_random(&a, sizeof(a));
		break;
	default:
		if (!c.sh.addrs.v6.empty())
			a = c.pick(c.sh.addrs.v6).sin6_addr;
	}
	return a;
}

/* A length that is wrong, for addresses meant to be refused. */
static socklen_t odd_len(Ctx &c, socklen_t right)
{
	return c.pick<socklen_t>({0, 1, 2, 3, right - 1, right + 1, right + 8,
				  sizeof(sockaddr_storage),
				  sizeof(sockaddr_storage) + 1});
}

socklen_t gen_sockaddr(Ctx &c, sockaddr_storage &ss, AddrUse use)
{
	memset(&ss, 0, sizeof(ss));
	unsigned kind = static_cast<unsigned>(c.below(20));

	if (kind < 10) {
		auto *sin = reinterpret_cast<sockaddr_in *>(&ss);

		sin->sin_family = AF_INET;
		sin->sin_port = htons(gen_port(c));
		sin->sin_addr = gen_v4(c, use);
		return c.chance(95) ? sizeof(*sin) : odd_len(c, sizeof(*sin));
	}
	if (kind < 16) {
		auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(gen_port(c));
		sin6->sin6_addr = gen_v6(c, use);
		if (c.chance(10))
			sin6->sin6_scope_id = c.sh.addrs.ifindex.empty() || c.chance(30) ?
				static_cast<uint32_t>(c.next()) : c.pick(c.sh.addrs.ifindex);
		if (c.chance(5))
			sin6->sin6_flowinfo = static_cast<uint32_t>(c.next());
		return c.chance(95) ? sizeof(*sin6) : odd_len(c, sizeof(*sin6));
	}
	if (kind < 18) {
		/* AF_UNSPEC: the wildcard for bind, a disconnect for datagram
		 * connect, EAFNOSUPPORT elsewhere; sometimes not the wildcard. */
		auto *sin = reinterpret_cast<sockaddr_in *>(&ss);

		sin->sin_family = AF_UNSPEC;
		sin->sin_port = htons(gen_port(c));
		if (c.chance(30))
			sin->sin_addr = gen_v4(c, use);
		return c.chance(70) ? sizeof(*sin) : odd_len(c, sizeof(*sin));
	}
	/* Garbage of a random family. */
	c.fill_random(&ss, sizeof(ss));
	ss.ss_family = c.chance(50) ? static_cast<sa_family_t>(c.below(48)) :
				       static_cast<sa_family_t>(c.next());
	return static_cast<socklen_t>(c.below(sizeof(ss) + 2));
}

const char *fmt_sockaddr(const void *sa, socklen_t len, char *buf, size_t size)
{
	sa_family_t family;
	char text[INET6_ADDRSTRLEN] = "?";

	if (len < sizeof(family)) {
		snprintf(buf, size, "len=%u", len);
		return buf;
	}
	memcpy(&family, sa, sizeof(family));
	if (family == AF_INET && len >= sizeof(sockaddr_in)) {
		sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		inet_ntop(AF_INET, &sin.sin_addr, text, sizeof(text));
		snprintf(buf, size, "%s:%u", text, ntohs(sin.sin_port));
	} else if (family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
		sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof(text));
		snprintf(buf, size, "[%s%%%u]:%u", text, sin6.sin6_scope_id,
			 ntohs(sin6.sin6_port));
	} else {
		snprintf(buf, size, "family=%u len=%u", family, len);
	}
	return buf;
}

} /* namespace fuzz */
