// SPDX-License-Identifier: GPL-2.0
/*
 * What rdmasockctl knows of the module: plain values, filled from netlink
 * messages (nl.cpp) and shown as tables or JSON (format.cpp).  Optional
 * fields are the ones an older or newer module may not send.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rsk {

struct Info {
	std::string version;
	uint32_t family = 0;
	uint8_t proto_version = 0;
	uint8_t proto_min = 0;
};

/* What status shows: the module, and how many of its objects there are. */
struct Status {
	Info info;
	size_t devices = 0, links = 0, sockets = 0;
};

struct Device {
	std::string name;
	uint32_t index = 0;
	uint32_t ports = 0;
	uint32_t srq_depth = 0;
	uint32_t srq_posted = 0;
	uint32_t refs = 0;
	bool dying = false;
	/* The driver's RNR NAK counters, by its names for them. */
	std::vector<std::pair<std::string, uint64_t>> rnr;
};

/* An IPv4 or IPv6 address and port, as the kernel sent it; text form. */
struct Endpoint {
	std::string addr;	/* "10.99.0.1", "fd00::1", "fe80::1%eth0" */
	uint16_t port = 0;
	int family = 0;		/* AF_INET, AF_INET6; 0: none */

	/* "10.99.0.1:5301", "[fd00::1]:5301", "*:5301" */
	std::string str() const;
	bool empty() const { return family == 0; }
};

struct Link {
	uint32_t id = 0;
	bool active = false;
	std::string state;	/* resolving, connecting, up, dead */
	Endpoint local, peer;
	std::string dev;
	uint32_t qpn = 0, peer_qpn = 0;
	uint32_t channels = 0;
	uint32_t max_msg = 0;
	uint64_t tx_bytes = 0, tx_msgs = 0, rx_bytes = 0, rx_msgs = 0;
	uint64_t errors = 0;
	uint32_t err = 0;	/* why it died: an errno, or 0 */
};

struct Socket {
	std::string type;	/* stream, dgram */
	std::string state;	/* ESTAB, LISTEN... as ss */
	Endpoint local, peer;
	std::optional<uint32_t> link_id, chan, peer_chan, snd_wnd, rcv_wnd;
	uint32_t recvq = 0, sendq = 0;
	uint32_t uid = 0;
	uint64_t inode = 0;
	uint64_t id = 0;
};

struct Stat {
	std::string name;
	bool object = false;	/* alive now; else an event count */
	uint64_t value = 0;	/* the namespace's */
	uint64_t total = 0;	/* the module's */
	bool device = false;	/* a devices' hardware counter (host-wide) */
};

/* An acceleration rule; empty fields match anything. */
struct Policy {
	uint32_t id = 0;		/* the module's; 0 before it is added */
	uint32_t prio = 1000;
	std::string action;		/* accel, pass */
	std::string type;		/* stream, dgram */
	int family = 0;			/* AF_INET, AF_INET6 */
	std::string dst;		/* the address, canonical text */
	unsigned prefix = 0;		/* with dst */
	uint16_t dport_min = 0, dport_max = 65535;
	std::string program;		/* a comm */

	/* What it matches, as "policy add" takes it: "dst 10.0.0.0/8 ...". */
	std::string match() const;
};

/* TCP's state names as ss prints them, by the kernel's TCP_* number. */
std::string tcp_state_name(unsigned state);
/* The TCP_* number of an ss state name (case-insensitive), or -1. */
int tcp_state_number(const std::string &name);

} /* namespace rsk */
