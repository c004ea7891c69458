// SPDX-License-Identifier: GPL-2.0
#include "net.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common.hpp"

namespace rsk_bench {

/* ------------------------------------------------------------ Address */

Address Address::resolve(const std::string &host, uint16_t port, bool passive)
{
	addrinfo hints{}, *res = nullptr;
	std::string service = std::to_string(port);

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
	if (rc)
		throw SetupError("cannot resolve " + host + ": " + gai_strerror(rc));
	Address a(res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return a;
}

Address::Address(const sockaddr *sa, socklen_t len) : len_(len)
{
	memcpy(&ss_, sa, std::min<size_t>(len, sizeof(ss_)));
}

Address Address::with_port(uint16_t port) const
{
	Address a = *this;
	if (a.ip_family() == AF_INET6)
		reinterpret_cast<sockaddr_in6 *>(&a.ss_)->sin6_port = htons(port);
	else
		reinterpret_cast<sockaddr_in *>(&a.ss_)->sin_port = htons(port);
	return a;
}

uint16_t Address::port() const
{
	if (ip_family() == AF_INET6)
		return ntohs(reinterpret_cast<const sockaddr_in6 *>(&ss_)->sin6_port);
	return ntohs(reinterpret_cast<const sockaddr_in *>(&ss_)->sin_port);
}

std::string Address::str() const
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa(), len_, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV))
		return "?";
	if (ip_family() == AF_INET6)
		return std::string("[") + host + "]:" + serv;
	return std::string(host) + ":" + serv;
}

/* ------------------------------------------------------------ Socket */

Socket &Socket::operator=(Socket &&o) noexcept
{
	if (this != &o) {
		close();
		fd_ = std::exchange(o.fd_, -1);
		timeout_ = o.timeout_;
	}
	return *this;
}

void Socket::close()
{
	if (fd_ >= 0)
		::close(std::exchange(fd_, -1));
}

int Socket::try_set_option(int level, int name, int value)
{
	return setsockopt(fd_, level, name, &value, sizeof(value)) ? errno : 0;
}

void Socket::set_option(int level, int name, int value, const char *what)
{
	if (int err = try_set_option(level, name, value))
		fail(strprintf("setsockopt %s=%d", what, value), err);
}

void Socket::set_nodelay()
{
	set_option(IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
}

void Socket::set_busy_poll(int usec)
{
	set_option(SOL_SOCKET, SO_BUSY_POLL, usec, "SO_BUSY_POLL");
}

void Socket::set_timeouts(std::chrono::milliseconds t)
{
	timeval tv{};

	tv.tv_sec = t.count() / 1000;
	tv.tv_usec = (t.count() % 1000) * 1000;
	if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		fail("setsockopt SO_RCVTIMEO");
	if (setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		fail("setsockopt SO_SNDTIMEO");
	timeout_ = t;
}

void Socket::connect(const Address &to)
{
	while (::connect(fd_, to.sa(), to.len())) {
		if (errno != EINTR)
			fail("connect to " + to.str());
	}
}

void Socket::listen(const Address &on)
{
	set_option(SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (::bind(fd_, on.sa(), on.len()))
		fail("bind to " + on.str());
	if (::listen(fd_, SOMAXCONN))
		fail("listen on " + on.str());
	int flags = fcntl(fd_, F_GETFL);
	if (flags < 0 || fcntl(fd_, F_SETFL, flags | O_NONBLOCK))
		fail("fcntl O_NONBLOCK");
}

void Socket::send_all(const void *buf, size_t len)
{
	const char *p = static_cast<const char *>(buf);

	while (len) {
		ssize_t n = ::send(fd_, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("send");
		}
		p += n;
		len -= n;
	}
}

size_t Socket::recv_some(void *buf, size_t len, int flags, const char *what)
{
	for (;;) {
		ssize_t n = ::recv(fd_, buf, len, flags);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			fail(what);
	}
}

bool Socket::recv_exact(void *buf, size_t len, const char *what, bool eof_ok)
{
	char *p = static_cast<char *>(buf);
	size_t got = 0;

	while (got < len) {
		size_t n = recv_some(p + got, len - got, MSG_WAITALL, what);
		if (!n) {
			if (eof_ok && !got)
				return false;
			throw TestError(strprintf("%s: connection closed by the peer after %zu of %zu bytes",
						  what, got, len));
		}
		got += n;
	}
	return true;
}

void Socket::shutdown_write()
{
	if (::shutdown(fd_, SHUT_WR))
		fail("shutdown(SHUT_WR)");
}

void Socket::fail(const std::string &what, int err) const
{
	/* SO_RCVTIMEO/SO_SNDTIMEO ran out: EAGAIN, or EINPROGRESS for connect */
	if ((err == EAGAIN || err == EINPROGRESS) && timeout_.count())
		throw TestError(strprintf("%s: timed out after %.1f s (%s)", what.c_str(),
					  timeout_.count() / 1000.0, strerrorname_np(err)));
	throw TestError(what + ": " + errno_text(err));
}

/* ------------------------------------------------------------ UniqueFd */

UniqueFd::~UniqueFd()
{
	if (fd_ >= 0)
		::close(fd_);
}

} /* namespace rsk_bench */
