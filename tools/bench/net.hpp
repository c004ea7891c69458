// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses and sockets, whatever their family: Address (IPv4 or IPv6, as
 * every transport takes), Socket (a connected, listening or datagram
 * socket whose failures throw TestError) and UniqueFd (any other
 * descriptor).  transport.hpp opens the sockets.
 */
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace rsk_bench {

class Address {
public:
	static Address resolve(const std::string &host, uint16_t port, bool passive);

	Address(const sockaddr *sa, socklen_t len);

	const sockaddr *sa() const { return reinterpret_cast<const sockaddr *>(&ss_); }
	socklen_t len() const { return len_; }

	Address with_port(uint16_t port) const;
	uint16_t port() const;
	int ip_family() const { return ss_.ss_family; }

	/* "192.0.2.1:5301", "[fe80::1%eth0]:5301" */
	std::string str() const;

private:
	sockaddr_storage ss_{};
	socklen_t len_;
};

/*
 * A connected or listening stream socket.  Blocking calls are bounded by
 * SO_RCVTIMEO/SO_SNDTIMEO (set_timeouts), which rdmasock honours as TCP
 * does, including for connect().  Failures throw TestError with the errno
 * name; a timeout is reported as one.
 */
class Socket {
public:
	Socket() = default;
	explicit Socket(int fd) : fd_(fd) {}
	Socket(Socket &&o) noexcept : fd_(std::exchange(o.fd_, -1)), timeout_(o.timeout_) {}
	Socket &operator=(Socket &&o) noexcept;
	Socket(const Socket &) = delete;
	Socket &operator=(const Socket &) = delete;
	~Socket() { close(); }

	int fd() const { return fd_; }
	explicit operator bool() const { return fd_ >= 0; }

	void close();

	/* 0 or the errno, for callers that report rather than throw. */
	int try_set_option(int level, int name, int value);
	void set_option(int level, int name, int value, const char *what);
	void set_nodelay();
	void set_busy_poll(int usec);
	void set_timeouts(std::chrono::milliseconds t);

	void connect(const Address &to);

	/* SO_REUSEADDR, bind, listen; the listener does not block in accept(). */
	void listen(const Address &on);

	void send_all(const void *buf, size_t len);

	/* Some bytes, or 0 at the end of the stream. */
	size_t recv_some(void *buf, size_t len, int flags = 0, const char *what = "recv");

	/*
	 * Exactly len bytes.  Returns false if the stream ended cleanly before
	 * the first byte (when that is allowed); an end within is an error.
	 */
	bool recv_exact(void *buf, size_t len, const char *what, bool eof_ok = false);

	void shutdown_write();

	[[noreturn]] void fail(const std::string &what, int err = errno) const;

private:
	int fd_ = -1;
	std::chrono::milliseconds timeout_{0};
};

/* A file descriptor that is not a socket (epoll, signalfd). */
class UniqueFd {
public:
	explicit UniqueFd(int fd = -1) : fd_(fd) {}
	UniqueFd(UniqueFd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
	UniqueFd &operator=(UniqueFd &&o) noexcept
	{
		std::swap(fd_, o.fd_);
		return *this;
	}
	~UniqueFd();
	int get() const { return fd_; }

private:
	int fd_;
};

} /* namespace rsk_bench */
