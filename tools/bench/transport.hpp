// SPDX-License-Identifier: GPL-2.0
/*
 * Which socket family a test runs over: rdmasock, whose sockets are opened
 * with the module's family number but take the same sockaddr_in/sockaddr_in6
 * addresses as TCP; TCP (and UDP for datagrams); SMC-R (AF_SMC, the kernel's
 * sockets over RoCE, TCP addresses too); or rsockets: TCP sockets that
 * librdmacm's librspreload.so, preloaded, turns into rsockets.  rsockets
 * lack epoll, accept4 and SO_RCVTIMEO, so their server polls and their
 * waits are unbounded (run them under timeout(1)).
 *
 * This is the only code that tells the families apart.
 */
#pragma once

#include <sys/socket.h>

#include <string>

#include "net.hpp"

namespace rsk_bench {

class Transport {
public:
	enum class Kind { Ip, Rdma, Smc, Rsockets };

	/* rdma, tcp, udp, smc or rsockets; SetupError if it cannot be used. */
	static Transport named(const std::string &name);

	const std::string &name() const { return name_; }
	bool is_rdma() const { return kind_ == Kind::Rdma; }
	int rdma_family() const { return rdma_family_; }
	/* SO_RCVTIMEO, SO_SNDTIMEO, epoll and accept4 work on its sockets. */
	bool full_api() const { return kind_ != Kind::Rsockets; }

	/* A stream socket, or a datagram one. */
	Socket open(const Address &addr, int type = SOCK_STREAM) const;

	/* What the datagram test runs over: "rdma", "rsockets" or "udp". */
	std::string dgram_name() const { return kind_ == Kind::Ip ? "udp" : name_; }

private:
	Transport(std::string name, Kind kind, int family)
		: name_(std::move(name)), kind_(kind), rdma_family_(family) {}

	std::string name_;
	Kind kind_;
	int rdma_family_;
};

} /* namespace rsk_bench */
