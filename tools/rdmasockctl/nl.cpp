// SPDX-License-Identifier: GPL-2.0
/*
 * The rdma_sock generic netlink family through libnl-genl-3.  Requests are
 * plain commands, but for the rules one adds or deletes; replies carry one
 * nest each (include/uapi/linux/rdma_sock.h).  Unknown attributes are
 * skipped, so a newer module works with this tool.  Refusals come with the
 * module's reason (extended ACK), which libnl does not parse: on_error()
 * does.
 */
#include "nl.hpp"
#include "filter.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <strings.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/rdma_sock.h>

namespace rsk {

namespace {

/* The message's top-level attributes, checked to be of @cmd. */
void parse_top(nl_msg *msg, int cmd, nlattr **tb)
{
	nlmsghdr *nlh = nlmsg_hdr(msg);

	if (!genlmsg_valid_hdr(nlh, 0))
		throw std::runtime_error("not a generic netlink message");
	if (genlmsg_hdr(nlh)->cmd != cmd)
		throw std::runtime_error("reply of another command");
	if (genlmsg_parse(nlh, 0, tb, RDMA_SOCK_A_MAX, nullptr))
		throw std::runtime_error("malformed attributes");
}

/* The nest @type of the message, parsed into @tb (@max entries). */
void parse_nest(nl_msg *msg, int cmd, int type, nlattr **tb, int max)
{
	nlattr *top[RDMA_SOCK_A_MAX + 1] = {};

	parse_top(msg, cmd, top);
	if (!top[type])
		throw std::runtime_error("reply without its object");
	if (nla_parse_nested(tb, max, top[type], nullptr))
		throw std::runtime_error("malformed nested attributes");
}

uint8_t u8_of(nlattr *a) { return a && nla_len(a) >= 1 ? nla_get_u8(a) : 0; }
uint16_t u16_of(nlattr *a) { return a && nla_len(a) >= 2 ? nla_get_u16(a) : 0; }
uint32_t u32_of(nlattr *a) { return a && nla_len(a) >= 4 ? nla_get_u32(a) : 0; }
uint64_t u64_of(nlattr *a) { return a && nla_len(a) >= 8 ? nla_get_u64(a) : 0; }

std::string str_of(nlattr *a)
{
	if (!a || nla_len(a) < 1)
		return "";
	const char *p = static_cast<const char *>(nla_data(a));
	return std::string(p, strnlen(p, nla_len(a)));
}

std::optional<uint32_t> opt_u32(nlattr *a)
{
	if (!a || nla_len(a) < 4)
		return std::nullopt;
	return nla_get_u32(a);
}

/* A struct sockaddr_in or sockaddr_in6 attribute. */
Endpoint endpoint_of(nlattr *a)
{
	Endpoint e;
	char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];

	if (!a)
		return e;
	if (nla_len(a) >= (int)sizeof(sockaddr_in6)) {
		sockaddr_in6 sin6;
		memcpy(&sin6, nla_data(a), sizeof(sin6));
		if (sin6.sin6_family != AF_INET6 ||
		    !inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof(text)))
			return e;
		e.addr = text;
		if (sin6.sin6_scope_id) {
			char name[IF_NAMESIZE];
			e.addr += "%";
			e.addr += if_indextoname(sin6.sin6_scope_id, name) ?
				  name : std::to_string(sin6.sin6_scope_id);
		}
		e.port = ntohs(sin6.sin6_port);
		e.family = AF_INET6;
	} else if (nla_len(a) >= (int)sizeof(sockaddr_in)) {
		sockaddr_in sin;
		memcpy(&sin, nla_data(a), sizeof(sin));
		if (sin.sin_family != AF_INET ||
		    !inet_ntop(AF_INET, &sin.sin_addr, text, sizeof(text)))
			return e;
		e.addr = text;
		e.port = ntohs(sin.sin_port);
		e.family = AF_INET;
	}
	return e;
}

const char *link_state_name(unsigned s)
{
	switch (s) {
	case RDMA_SOCK_LINK_RESOLVING:
		return "resolving";
	case RDMA_SOCK_LINK_CONNECTING:
		return "connecting";
	case RDMA_SOCK_LINK_UP:
		return "up";
	case RDMA_SOCK_LINK_DEAD:
		return "dead";
	}
	return "unknown";
}

std::string socket_type_name(unsigned t)
{
	switch (t) {
	case SOCK_STREAM:
		return "stream";
	case SOCK_DGRAM:
		return "dgram";
	}
	return std::to_string(t);
}

} /* namespace */

/* ---------------------------------------------------------- parsers */

Info parse_info(nl_msg *msg)
{
	nlattr *tb[RDMA_SOCK_INFO_MAX + 1] = {};
	Info i;

	parse_nest(msg, RDMA_SOCK_CMD_INFO_GET, RDMA_SOCK_A_INFO, tb, RDMA_SOCK_INFO_MAX);
	i.version = str_of(tb[RDMA_SOCK_INFO_VERSION]);
	i.family = u32_of(tb[RDMA_SOCK_INFO_FAMILY]);
	i.proto_version = u8_of(tb[RDMA_SOCK_INFO_PROTO_VERSION]);
	i.proto_min = u8_of(tb[RDMA_SOCK_INFO_PROTO_MIN]);
	return i;
}

Device parse_device(nl_msg *msg)
{
	nlattr *tb[RDMA_SOCK_DEV_MAX + 1] = {};
	Device d;

	parse_nest(msg, RDMA_SOCK_CMD_DEV_GET, RDMA_SOCK_A_DEV, tb, RDMA_SOCK_DEV_MAX);
	d.name = str_of(tb[RDMA_SOCK_DEV_NAME]);
	d.index = u32_of(tb[RDMA_SOCK_DEV_INDEX]);
	d.ports = u32_of(tb[RDMA_SOCK_DEV_PORTS]);
	d.srq_depth = u32_of(tb[RDMA_SOCK_DEV_SRQ_DEPTH]);
	d.srq_posted = u32_of(tb[RDMA_SOCK_DEV_SRQ_POSTED]);
	d.refs = u32_of(tb[RDMA_SOCK_DEV_REFS]);
	d.dying = u8_of(tb[RDMA_SOCK_DEV_DYING]);
	if (tb[RDMA_SOCK_DEV_RNR]) {
		nlattr *a;
		int rem;

		nla_for_each_nested(a, tb[RDMA_SOCK_DEV_RNR], rem) {
			nlattr *st[RDMA_SOCK_STAT_MAX + 1] = {};

			if (nla_type(a) != RDMA_SOCK_A_STAT ||
			    nla_parse_nested(st, RDMA_SOCK_STAT_MAX, a, nullptr) ||
			    !st[RDMA_SOCK_STAT_NAME])
				continue;
			d.rnr.emplace_back(str_of(st[RDMA_SOCK_STAT_NAME]),
					   u64_of(st[RDMA_SOCK_STAT_VALUE]));
		}
	}
	return d;
}

Link parse_link(nl_msg *msg)
{
	nlattr *tb[RDMA_SOCK_LINK_MAX + 1] = {};
	Link l;

	parse_nest(msg, RDMA_SOCK_CMD_LINK_GET, RDMA_SOCK_A_LINK, tb, RDMA_SOCK_LINK_MAX);
	l.id = u32_of(tb[RDMA_SOCK_LINK_ID]);
	l.active = u8_of(tb[RDMA_SOCK_LINK_ACTIVE]);
	l.state = link_state_name(u8_of(tb[RDMA_SOCK_LINK_STATE]));
	l.local = endpoint_of(tb[RDMA_SOCK_LINK_LOCAL]);
	l.peer = endpoint_of(tb[RDMA_SOCK_LINK_PEER]);
	l.dev = str_of(tb[RDMA_SOCK_LINK_DEV]);
	l.qpn = u32_of(tb[RDMA_SOCK_LINK_QPN]);
	l.peer_qpn = u32_of(tb[RDMA_SOCK_LINK_PEER_QPN]);
	l.channels = u32_of(tb[RDMA_SOCK_LINK_CHANNELS]);
	l.max_msg = u32_of(tb[RDMA_SOCK_LINK_MAX_MSG]);
	l.tx_bytes = u64_of(tb[RDMA_SOCK_LINK_TX_BYTES]);
	l.tx_msgs = u64_of(tb[RDMA_SOCK_LINK_TX_MSGS]);
	l.rx_bytes = u64_of(tb[RDMA_SOCK_LINK_RX_BYTES]);
	l.rx_msgs = u64_of(tb[RDMA_SOCK_LINK_RX_MSGS]);
	l.errors = u64_of(tb[RDMA_SOCK_LINK_ERRORS]);
	l.err = u32_of(tb[RDMA_SOCK_LINK_ERRNO]);
	return l;
}

Socket parse_socket(nl_msg *msg)
{
	nlattr *tb[RDMA_SOCK_SOCK_MAX + 1] = {};
	Socket s;

	parse_nest(msg, RDMA_SOCK_CMD_SOCK_GET, RDMA_SOCK_A_SOCK, tb, RDMA_SOCK_SOCK_MAX);
	s.type = socket_type_name(u16_of(tb[RDMA_SOCK_SOCK_TYPE]));
	s.state = tcp_state_name(u8_of(tb[RDMA_SOCK_SOCK_STATE]));
	if (s.type == "dgram" && s.state == "CLOSE")
		s.state = "UNCONN";	/* as ss names an unconnected UDP socket */
	s.local = endpoint_of(tb[RDMA_SOCK_SOCK_LOCAL]);
	s.peer = endpoint_of(tb[RDMA_SOCK_SOCK_PEER]);
	s.link_id = opt_u32(tb[RDMA_SOCK_SOCK_LINK_ID]);
	s.chan = opt_u32(tb[RDMA_SOCK_SOCK_CHAN]);
	s.peer_chan = opt_u32(tb[RDMA_SOCK_SOCK_PEER_CHAN]);
	s.snd_wnd = opt_u32(tb[RDMA_SOCK_SOCK_SND_WND]);
	s.rcv_wnd = opt_u32(tb[RDMA_SOCK_SOCK_RCV_WND]);
	s.recvq = u32_of(tb[RDMA_SOCK_SOCK_RECVQ]);
	s.sendq = u32_of(tb[RDMA_SOCK_SOCK_SENDQ]);
	s.uid = u32_of(tb[RDMA_SOCK_SOCK_UID]);
	s.inode = u64_of(tb[RDMA_SOCK_SOCK_INODE]);
	s.id = u64_of(tb[RDMA_SOCK_SOCK_ID]);
	return s;
}

std::vector<Stat> parse_stats(nl_msg *msg)
{
	nlattr *top[RDMA_SOCK_A_MAX + 1] = {};
	std::vector<Stat> out;
	nlattr *a;
	int rem;

	parse_top(msg, RDMA_SOCK_CMD_STATS_GET, top);
	if (!top[RDMA_SOCK_A_STATS])
		throw std::runtime_error("reply without counters");
	nla_for_each_nested(a, top[RDMA_SOCK_A_STATS], rem) {
		nlattr *tb[RDMA_SOCK_STAT_MAX + 1] = {};

		if (nla_type(a) != RDMA_SOCK_A_STAT ||
		    nla_parse_nested(tb, RDMA_SOCK_STAT_MAX, a, nullptr))
			continue;
		Stat s;
		s.name = str_of(tb[RDMA_SOCK_STAT_NAME]);
		s.object = u8_of(tb[RDMA_SOCK_STAT_KIND]) == RDMA_SOCK_STAT_OBJECT;
		s.device = u8_of(tb[RDMA_SOCK_STAT_KIND]) == RDMA_SOCK_STAT_DEVICE;
		s.value = u64_of(tb[RDMA_SOCK_STAT_VALUE]);
		s.total = u64_of(tb[RDMA_SOCK_STAT_TOTAL]);
		if (!s.name.empty())
			out.push_back(std::move(s));
	}
	return out;
}

Policy parse_policy(nl_msg *msg, int cmd)
{
	nlattr *tb[RDMA_SOCK_POLICY_MAX + 1] = {};
	Policy p;

	parse_nest(msg, cmd, RDMA_SOCK_A_POLICY, tb, RDMA_SOCK_POLICY_MAX);
	p.id = u32_of(tb[RDMA_SOCK_POLICY_ID]);
	if (tb[RDMA_SOCK_POLICY_PRIO])
		p.prio = u32_of(tb[RDMA_SOCK_POLICY_PRIO]);
	switch (u8_of(tb[RDMA_SOCK_POLICY_ACTION])) {
	case RDMA_SOCK_POLICY_ACCEL:
		p.action = "accel";
		break;
	case RDMA_SOCK_POLICY_PASS:
		p.action = "pass";
		break;
	default:
		p.action = "unknown";
	}
	if (tb[RDMA_SOCK_POLICY_TYPE])
		p.type = socket_type_name(u16_of(tb[RDMA_SOCK_POLICY_TYPE]));
	p.family = u16_of(tb[RDMA_SOCK_POLICY_FAMILY]);
	p.prefix = u8_of(tb[RDMA_SOCK_POLICY_DST_PREFIX]);
	nlattr *dst = tb[RDMA_SOCK_POLICY_DST];
	char text[INET6_ADDRSTRLEN];
	/* A family alone comes as its zero address with prefix 0. */
	if (dst && p.prefix && nla_len(dst) == (p.family == AF_INET ? 4 : 16) &&
	    inet_ntop(p.family, nla_data(dst), text, sizeof(text)))
		p.dst = text;
	if (tb[RDMA_SOCK_POLICY_DPORT_MIN])
		p.dport_min = u16_of(tb[RDMA_SOCK_POLICY_DPORT_MIN]);
	if (tb[RDMA_SOCK_POLICY_DPORT_MAX])
		p.dport_max = u16_of(tb[RDMA_SOCK_POLICY_DPORT_MAX]);
	p.program = str_of(tb[RDMA_SOCK_POLICY_PROGRAM]);
	return p;
}

void put_policy(nl_msg *msg, const Policy &p)
{
	nlattr *nest = nla_nest_start(msg, RDMA_SOCK_A_POLICY);
	unsigned char addr[16] = {};
	int rc = 0;

	if (!nest)
		throw NetlinkError("cannot build the request", ENOMEM);
	rc |= nla_put_u32(msg, RDMA_SOCK_POLICY_PRIO, p.prio);
	rc |= nla_put_u8(msg, RDMA_SOCK_POLICY_ACTION,
			 p.action == "accel" ? RDMA_SOCK_POLICY_ACCEL : RDMA_SOCK_POLICY_PASS);
	if (!p.type.empty())
		rc |= nla_put_u16(msg, RDMA_SOCK_POLICY_TYPE,
				  p.type == "stream" ? SOCK_STREAM : SOCK_DGRAM);
	if (p.family)
		rc |= nla_put_u16(msg, RDMA_SOCK_POLICY_FAMILY, p.family);
	if (!p.dst.empty()) {
		if (inet_pton(p.family, p.dst.c_str(), addr) != 1)
			throw UsageError("bad address \"" + p.dst + "\"");
		rc |= nla_put(msg, RDMA_SOCK_POLICY_DST, p.family == AF_INET ? 4 : 16, addr);
		rc |= nla_put_u8(msg, RDMA_SOCK_POLICY_DST_PREFIX, p.prefix);
	}
	if (p.dport_min || p.dport_max != 65535) {
		rc |= nla_put_u16(msg, RDMA_SOCK_POLICY_DPORT_MIN, p.dport_min);
		rc |= nla_put_u16(msg, RDMA_SOCK_POLICY_DPORT_MAX, p.dport_max);
	}
	if (!p.program.empty())
		rc |= nla_put_string(msg, RDMA_SOCK_POLICY_PROGRAM, p.program.c_str());
	if (rc)
		throw NetlinkError("cannot build the request", ENOMEM);
	nla_nest_end(msg, nest);
}

/* ---------------------------------------------------------- the client */

namespace {

struct Collect {
	std::function<void(nl_msg *)> fn;
	std::string error;	/* a parse error, kept for after the receive */
	int err = 0;		/* the kernel's errno, positive */
	std::string reason;	/* the kernel's message for it, if any */
};

/*
 * RDMASOCKCTL_RECORD=DIR appends every reply message, as it came, to
 * DIR/<command number>.nl: the unit tests' recorded payloads come so.
 */
void record(nl_msg *msg)
{
	const char *dir = getenv("RDMASOCKCTL_RECORD");
	nlmsghdr *nlh = nlmsg_hdr(msg);

	if (!dir || !genlmsg_valid_hdr(nlh, 0))
		return;
	std::string path = std::string(dir) + "/" +
			   std::to_string(genlmsg_hdr(nlh)->cmd) + ".nl";
	if (FILE *f = fopen(path.c_str(), "ab")) {
		fwrite(nlh, 1, nlh->nlmsg_len, f);
		fclose(f);
	}
}

int on_valid(nl_msg *msg, void *arg)
{
	auto *c = static_cast<Collect *>(arg);

	record(msg);
	try {
		c->fn(msg);
	} catch (const std::exception &e) {
		if (c->error.empty())
			c->error = e.what();
	}
	return NL_OK;
}

/*
 * The extended ACK's message: attributes after the nlmsgerr and, unless
 * the kernel capped it, after the request it echoes.
 */
std::string ext_ack_message(const nlmsgerr *e)
{
	const auto *nlh = reinterpret_cast<const nlmsghdr *>(
		reinterpret_cast<const char *>(e) - NLMSG_HDRLEN);
	size_t off = sizeof(*e);
	nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {};

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + off)
		return "";
	auto *attrs = reinterpret_cast<nlattr *>(const_cast<char *>(
		reinterpret_cast<const char *>(e) + NLMSG_ALIGN(off)));
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(off);
	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, nullptr))
		return "";
	return str_of(tb[NLMSGERR_ATTR_MSG]);
}

int on_error(sockaddr_nl *, nlmsgerr *e, void *arg)
{
	auto *c = static_cast<Collect *>(arg);

	c->err = -e->error;
	c->reason = ext_ack_message(e);
	return NL_STOP;
}

} /* namespace */

Client::Client()
{
	std::unique_ptr<nl_sock, void (*)(nl_sock *)> sk(nl_socket_alloc(), nl_socket_free);

	if (!sk)
		throw NetlinkError("cannot allocate a netlink socket", ENOMEM);
	if (int rc = genl_connect(sk.get()); rc < 0)
		throw NetlinkError(std::string("generic netlink: ") + nl_geterror(rc), EIO);
	family_ = genl_ctrl_resolve(sk.get(), RDMA_SOCK_GENL_NAME);
	if (family_ == -NLE_OBJ_NOTFOUND)
		throw NotLoaded("no generic netlink family \"" RDMA_SOCK_GENL_NAME
				"\": the rdma_sock module is not loaded");
	if (family_ < 0)
		throw NetlinkError(std::string("resolving the family: ") + nl_geterror(family_),
				   EIO);
}

/*
 * One socket per request: a request that failed half way leaves nothing
 * behind for the next one to mistake for its answer.
 */
template <class Fn>
void Client::request(int cmd, bool dump, Fn fn,
		     const std::function<void(nl_msg *)> &build)
{
	Collect c;
	c.fn = fn;
	std::unique_ptr<nl_sock, void (*)(nl_sock *)> sk(nl_socket_alloc(), nl_socket_free);
	nl_sock *sock = sk.get();

	if (!sock)
		throw NetlinkError("cannot allocate a netlink socket", ENOMEM);
	if (int rc = genl_connect(sock); rc < 0)
		throw NetlinkError(std::string("generic netlink: ") + nl_geterror(rc), EIO);
	int on = 1;
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on));
	std::unique_ptr<nl_msg, void (*)(nl_msg *)> req(nlmsg_alloc(), nlmsg_free);
	nl_msg *msg = req.get();
	if (!msg)
		throw NetlinkError("cannot allocate a message", ENOMEM);
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0,
			 dump ? NLM_F_DUMP : 0, cmd, RDMA_SOCK_GENL_VERSION))
		throw NetlinkError("cannot build the request", ENOMEM);
	if (build)
		build(msg);
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &c);
	nl_socket_modify_err_cb(sock, NL_CB_CUSTOM, on_error, &c);
	int rc = nl_send_auto(sock, msg);
	req.reset();
	if (rc >= 0)
		rc = dump ? nl_recvmsgs_default(sock) : nl_wait_for_ack(sock);
	if (c.err)
		throw NetlinkError(c.reason.empty() ? strerror(c.err) :
				   c.reason + " (" + strerror(c.err) + ")", c.err);
	if (rc < 0)
		throw NetlinkError(std::string("netlink: ") + nl_geterror(rc), EIO);
	if (!c.error.empty())
		throw std::runtime_error("unexpected reply: " + c.error);
}

Info Client::info()
{
	Info i;
	request(RDMA_SOCK_CMD_INFO_GET, false, [&](nl_msg *m) { i = parse_info(m); });
	return i;
}

std::vector<Device> Client::devices()
{
	std::vector<Device> v;
	request(RDMA_SOCK_CMD_DEV_GET, true, [&](nl_msg *m) { v.push_back(parse_device(m)); });
	return v;
}

std::vector<Link> Client::links()
{
	std::vector<Link> v;
	request(RDMA_SOCK_CMD_LINK_GET, true, [&](nl_msg *m) { v.push_back(parse_link(m)); });
	return v;
}

std::vector<Socket> Client::sockets()
{
	std::vector<Socket> v;
	request(RDMA_SOCK_CMD_SOCK_GET, true, [&](nl_msg *m) { v.push_back(parse_socket(m)); });
	return v;
}

std::vector<Stat> Client::stats()
{
	std::vector<Stat> v;
	request(RDMA_SOCK_CMD_STATS_GET, false, [&](nl_msg *m) { v = parse_stats(m); });
	return v;
}

std::vector<Policy> Client::policies()
{
	std::vector<Policy> v;
	request(RDMA_SOCK_CMD_POLICY_GET, true, [&](nl_msg *m) {
		v.push_back(parse_policy(m, RDMA_SOCK_CMD_POLICY_GET));
	});
	return v;
}

Policy Client::add_policy(const Policy &p)
{
	Policy added = p;
	request(RDMA_SOCK_CMD_POLICY_ADD, false,
		[&](nl_msg *m) { added = parse_policy(m, RDMA_SOCK_CMD_POLICY_ADD); },
		[&](nl_msg *m) { put_policy(m, p); });
	return added;
}

void Client::del_policy(uint32_t id)
{
	request(RDMA_SOCK_CMD_POLICY_DEL, false, [](nl_msg *) {}, [&](nl_msg *m) {
		if (!id)
			return;
		nlattr *nest = nla_nest_start(m, RDMA_SOCK_A_POLICY);
		if (!nest || nla_put_u32(m, RDMA_SOCK_POLICY_ID, id))
			throw NetlinkError("cannot build the request", ENOMEM);
		nla_nest_end(m, nest);
	});
}

/* ---------------------------------------------------------- model helpers */

namespace {
const char *const kTcpStates[] = {
	"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
	"TIME-WAIT", "CLOSE", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING",
};
} /* namespace */

std::string tcp_state_name(unsigned state)
{
	if (state < sizeof(kTcpStates) / sizeof(kTcpStates[0]))
		return kTcpStates[state];
	return "UNKNOWN";
}

int tcp_state_number(const std::string &name)
{
	for (unsigned i = 1; i < sizeof(kTcpStates) / sizeof(kTcpStates[0]); i++)
		if (!strcasecmp(name.c_str(), kTcpStates[i]))
			return i;
	if (!strcasecmp(name.c_str(), "established"))
		return 1;
	if (!strcasecmp(name.c_str(), "unconn"))
		return 7;
	return -1;
}

std::string Endpoint::str() const
{
	std::string host = family == AF_INET6 ? "[" + addr + "]" : addr;
	if (family == 0 || addr == "0.0.0.0" || addr == "::")
		host = "*";
	return host + ":" + (port ? std::to_string(port) : std::string("*"));
}

} /* namespace rsk */
