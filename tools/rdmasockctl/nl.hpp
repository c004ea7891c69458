// SPDX-License-Identifier: GPL-2.0
/*
 * The "rdma_sock" generic netlink family, through libnl-genl-3: a client
 * that sends the commands and collects the replies, and parsers that turn
 * one reply message into the model.  The parsers take a message, not a
 * socket, so that tests can feed them messages they build (test/).
 */
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "model.hpp"

struct nl_msg;
struct nl_sock;

namespace rsk {

/* The module is not loaded (no such family), or netlink failed. */
struct NotLoaded : std::runtime_error {
	using std::runtime_error::runtime_error;
};
struct NetlinkError : std::runtime_error {
	int err;	/* a positive errno */
	NetlinkError(const std::string &what, int e) : std::runtime_error(what), err(e) {}
};

/* One reply message of each command, parsed; throws std::runtime_error
 * if the message is not the family's or lacks the object's nest. */
Info parse_info(nl_msg *msg);
Device parse_device(nl_msg *msg);
Link parse_link(nl_msg *msg);
Socket parse_socket(nl_msg *msg);
std::vector<Stat> parse_stats(nl_msg *msg);

class Client {
public:
	Client();	/* resolves the family, or throws NotLoaded */
	~Client() = default;
	Client(const Client &) = delete;
	Client &operator=(const Client &) = delete;

	Info info();
	std::vector<Device> devices();
	std::vector<Link> links();
	std::vector<Socket> sockets();
	std::vector<Stat> stats();

private:
	/* Sends @cmd (a dump if @dump) and hands every reply message to @fn. */
	template <class Fn> void request(int cmd, bool dump, Fn fn);

	int family_ = -1;
};

} /* namespace rsk */
