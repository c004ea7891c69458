// SPDX-License-Identifier: GPL-2.0
/*
 * rsk_fuzz: a multi-threaded random-syscall fuzzer for the rdma_sock
 * family.  This header is what every part shares: the options, the list
 * of operations, a thread's context (its PRNG, its counters, what it is
 * doing now for the watchdog, its log), the pool of file descriptors the
 * threads race on, and the entry points of each part.
 */
#pragma once

#include <array>
#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <random>
#include <shared_mutex>
#include <string>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>

struct nl_sock;

namespace fuzz {

/* ------------------------------------------------------------ options */

struct Config {
	uint64_t seed = 0;
	int threads = 4;
	double seconds = 0;		/* 0: no time limit (only with --ops) */
	uint64_t ops = 0;		/* 0: no operation limit */
	std::vector<std::string> addrs;	/* local addresses, loopback added */
	bool sysctl = true;
	bool netlink = true;
	std::string log;
	int verbose = 0;
};

/* ---------------------------------------------------------- operations */

/* Every operation, in the order the summary lists them. */
#define FUZZ_OPS(X) \
	X(socket) X(bind) X(listen) X(connect) X(accept) \
	X(send) X(sendto) X(sendmsg) X(sendmmsg) \
	X(recv) X(recvfrom) X(recvmsg) X(recvmmsg) X(readv) X(writev) \
	X(shutdown) X(setsockopt) X(getsockopt) X(ioctl) X(fcntl) \
	X(poll) X(epoll) X(getname) X(dup) X(close) X(mcast) \
	X(stream_traffic) X(dgram_traffic) X(netlink) \
	X(sysctl_write) X(sysctl_read)

enum class Op : int {
#define FUZZ_ENUM(name) name,
	FUZZ_OPS(FUZZ_ENUM)
#undef FUZZ_ENUM
	count
};

constexpr int kOps = static_cast<int>(Op::count);
const char *op_name(Op op);

/*
 * Results are counted per operation: slot 0 is success, 1..kMaxErrno-1
 * the errno, kMaxErrno anything larger (there is none today: EHWPOISON
 * is 133).  Each thread has its own table; main adds them up at the end.
 */
constexpr int kMaxErrno = 160;
using ResultTable = std::array<std::array<uint64_t, kMaxErrno + 1>, kOps>;

/* ---------------------------------------------------------------- pool */

/*
 * The file descriptors the threads share, in slots, so that two threads
 * use one socket at once on purpose.  What must not happen is that the
 * fuzzer's own bookkeeping hands a thread a number that was closed and
 * reused for something else (the log, a netlink socket, an epoll fd):
 * so a thread holds a slot (a shared lock) for the length of one
 * operation, and a close takes the number out of its slot, replaces the
 * socket under it with /dev/null at once (dup2: the socket goes from the
 * table exactly as with close(), racing whatever other threads are doing
 * on it), and frees the number only when no thread holds the slot.
 */
class FdPool {
public:
	static constexpr int kSlots = 64;

	/* A slot held for one operation; fd() is -1 if the slot was empty. */
	class Hold {
	public:
		Hold() = default;
		Hold(Hold &&o) noexcept;
		Hold &operator=(Hold &&o) noexcept;
		Hold(const Hold &) = delete;
		Hold &operator=(const Hold &) = delete;
		~Hold();

		int fd() const { return fd_; }
		int slot() const { return slot_; }
		explicit operator bool() const { return fd_ >= 0; }

	private:
		friend class FdPool;
		std::shared_mutex *lock_ = nullptr;
		int fd_ = -1;
		int slot_ = -1;
	};

	explicit FdPool(int null_fd) : null_fd_(null_fd) {}

	Hold hold(int slot);
	Hold try_hold(int slot);	/* never waits: for several at once */
	/* Into a free slot; false (and the fd closed) if there is none. */
	bool install(int fd);
	/* The race close described above; false if the slot was empty.
	 * The caller must hold no slot (it would wait for itself). */
	bool retire(int slot);
	int occupied() const;
	void close_all();

private:
	struct Slot {
		std::atomic<int> fd{-1};
		std::shared_mutex users;
	};
	std::array<Slot, kSlots> slots_;
	int null_fd_;
};

/* ----------------------------------------------------------- addresses */

/* Addresses and interfaces the operations draw from. */
struct Addrs {
	std::vector<sockaddr_in> v4;	/* local, port 0 */
	std::vector<sockaddr_in6> v6;
	std::vector<int> ifindex;	/* every interface of the host */
};

/* What an address is for: binds want local ones, sends any. */
enum class AddrUse { bind, connect, sendto };

/* ------------------------------------------------------------- sharing */

class Sysctls;
class Netlink;

/* What all threads share. */
struct Shared {
	Config cfg;
	int family = 0;			/* the registered family number */
	Addrs addrs;
	std::unique_ptr<FdPool> pool;
	int null_fd = -1;
	int log_fd = -1;		/* O_APPEND: one write() per line */
	Sysctls *sysctls = nullptr;	/* null: no sysctl operations */
	Netlink *netlink = nullptr;	/* null: no netlink operations */
	std::atomic<bool> stop{false};
	std::atomic<uint64_t> total_ops{0};
};

/* ------------------------------------------------------ thread context */

struct ThreadStats {
	std::array<uint64_t, kOps> ops{};	/* operations started */
	std::array<uint64_t, kOps> nofd{};	/* skipped: no socket found */
	ResultTable results{};			/* syscalls, by result */
	uint64_t stream_ok = 0, stream_tried = 0;
	uint64_t dgram_ok = 0, dgram_tried = 0;
	uint64_t integrity_errors = 0;
};

/* A thread's own generic netlink socket (netlink.cpp). */
struct ThreadNetlink {
	nl_sock *sk = nullptr;
	~ThreadNetlink();
};

/* One fuzzing thread's state.  Only its own thread writes it, but for
 * the watchdog's atomics. */
class Ctx {
public:
	static constexpr size_t kBufSize = 256 * 1024 + 4096;

	Ctx(Shared &sh, int index);
	~Ctx();

	Shared &sh;
	const int index;
	std::mt19937_64 rng;
	ThreadStats stats;
	Op op = Op::socket;		/* the operation running */
	std::vector<unsigned char> sbuf, rbuf;	/* kBufSize each */
	int epoll_fd = -1;		/* kept across operations */
	std::unique_ptr<ThreadNetlink> nl;
	bool traffic_heavy = false;	/* favours well-formed traffic */

	/* Watchdog: bumped before every syscall; the text of the last. */
	std::atomic<uint64_t> progress{0};
	std::atomic<int> tid{0};
	std::atomic<bool> done{false};
	const char *current() const;

	/* --- randomness --- */
	uint64_t next() { return rng(); }
	uint64_t below(uint64_t n) { return n ? rng() % n : 0; }
	bool chance(unsigned percent) { return below(100) < percent; }
	int64_t range(int64_t lo, int64_t hi)	/* inclusive */
	{
		return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
	}
	template <class T> T pick(std::initializer_list<T> l)
	{
		return l.begin()[below(l.size())];
	}
	template <class T> const T &pick(const std::vector<T> &v)
	{
		return v[below(v.size())];
	}
	size_t io_size();		/* 0..256 KiB, mostly small */
	void fill_random(void *p, size_t n);

	/* --- bookkeeping --- */
	/* Say what comes next (watchdog, log), printf style. */
	void begin(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	/* Count a syscall's result (-1 and errno) and log it; returns @ret. */
	long sys(long ret);
	/* Count an errno the fuzzer got by other means (netlink ACKs). */
	void note_errno(int err);
	void integrity(const char *fmt, ...) __attribute__((format(printf, 2, 3)));

	/* --- the pool --- */
	/* A random occupied slot, held; empty Hold if none turned up. */
	FdPool::Hold any_fd();

private:
	void log_line(const char *text);

	char desc_[2][256] = {};
	std::atomic<int> desc_idx_{0};
	uint64_t seq_ = 0;
};

/* ------------------------------------------------------------ entries */

/* Set up a fresh socket of ours: timeouts so that no call blocks long. */
void bound_timeouts(Ctx &c, int fd);
/* A new socket of the family; -1 on failure (counted). */
int new_socket(Ctx &c, int type);

/* Addresses (core.cpp). */
socklen_t gen_sockaddr(Ctx &c, sockaddr_storage &ss, AddrUse use);
socklen_t local_sockaddr(Ctx &c, sockaddr_storage &ss, bool v6, uint16_t port);
const char *fmt_sockaddr(const void *sa, socklen_t len, char *buf, size_t size);
uint16_t gen_port(Ctx &c);

/* Operations: each runs one random instance of itself. */
void op_socket(Ctx &c);
void op_bind(Ctx &c);
void op_listen(Ctx &c);
void op_connect(Ctx &c);
void op_accept(Ctx &c);
void op_send(Ctx &c);
void op_sendto(Ctx &c);
void op_sendmsg(Ctx &c);
void op_sendmmsg(Ctx &c);
void op_recv(Ctx &c);
void op_recvfrom(Ctx &c);
void op_recvmsg(Ctx &c);
void op_recvmmsg(Ctx &c);
void op_readv(Ctx &c);
void op_writev(Ctx &c);
void op_shutdown(Ctx &c);
void op_setsockopt(Ctx &c);
void op_getsockopt(Ctx &c);
void op_ioctl(Ctx &c);
void op_fcntl(Ctx &c);
void op_poll(Ctx &c);
void op_epoll(Ctx &c);
void op_getname(Ctx &c);
void op_dup(Ctx &c);
void op_close(Ctx &c);
void op_mcast(Ctx &c);
void op_stream_traffic(Ctx &c);
void op_dgram_traffic(Ctx &c);
void op_netlink(Ctx &c);
void op_sysctl_write(Ctx &c);
void op_sysctl_read(Ctx &c);

/* Netlink (netlink.cpp).  Netlink::open() returns null if the family is
 * not registered. */
class Netlink {
public:
	static std::unique_ptr<Netlink> open(int verbose);
	int family() const { return family_; }
	/* Rules the fuzzer added go at exit; the ones there before stay. */
	void snapshot_rules();
	int remove_added_rules();	/* rules deleted */
	bool may_delete_all() const { return initial_rules_.empty(); }
	bool is_initial_rule(uint32_t id) const;

private:
	int family_ = -1;
	std::vector<uint32_t> initial_rules_;
};

/* Sysctls (sysctl.cpp).  Sysctls::open() returns null without the
 * directory. */
class Sysctls {
public:
	struct Entry {
		std::string name;
		std::string original;	/* as read at start */
	};
	static std::unique_ptr<Sysctls> open(int verbose);
	const std::vector<Entry> &entries() const { return entries_; }
	/* Write every original value back; the names that did not take. */
	std::vector<std::string> restore() const;

private:
	std::vector<Entry> entries_;
};

} /* namespace fuzz */
