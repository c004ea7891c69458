// SPDX-License-Identifier: GPL-2.0
/*
 * The "rdma_sock" generic netlink family, through libnl-genl-3: a client
 * that sends the commands and collects the replies, and parsers that turn
 * one reply message into the model.  The parsers take a message, not a
 * socket, so that tests can feed them messages they build (test/).
 */
#pragma once

#include <functional>
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
Policy parse_policy(nl_msg *msg, int cmd);
/* A rule as RDMA_SOCK_A_POLICY attributes of @msg (id left out). */
void put_policy(nl_msg *msg, const Policy &p);

/*
 * What the commands ask of the module.  The Client asks it over netlink;
 * a test can answer from recorded replies instead.
 */
class Source {
public:
	virtual ~Source() = default;

	virtual Info info() = 0;
	virtual std::vector<Device> devices() = 0;
	virtual std::vector<Link> links() = 0;
	virtual std::vector<Socket> sockets() = 0;
	virtual std::vector<Stat> stats() = 0;
	virtual std::vector<Policy> policies() = 0;
	virtual Policy add_policy(const Policy &p) = 0;	/* returns it with its id */
	virtual void del_policy(uint32_t id) = 0;		/* 0: every rule */
};

class Client : public Source {
public:
	Client();	/* resolves the family, or throws NotLoaded */
	~Client() override = default;
	Client(const Client &) = delete;
	Client &operator=(const Client &) = delete;

	Info info() override;
	std::vector<Device> devices() override;
	std::vector<Link> links() override;
	std::vector<Socket> sockets() override;
	std::vector<Stat> stats() override;
	std::vector<Policy> policies() override;
	Policy add_policy(const Policy &p) override;
	void del_policy(uint32_t id) override;

private:
	/*
	 * Sends @cmd (a dump if @dump), with the attributes @build adds, and
	 * hands every reply message to @fn.  A refusal throws NetlinkError
	 * with the module's reason, when it gave one.
	 */
	template <class Fn>
	void request(int cmd, bool dump, Fn fn,
		     const std::function<void(nl_msg *)> &build = {});

	int family_ = -1;
};

} /* namespace rsk */
