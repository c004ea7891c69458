// SPDX-License-Identifier: GPL-2.0
#include "smc_nl.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/smc.h>

namespace smc_nl {

namespace {

using Sock = std::unique_ptr<nl_sock, void (*)(nl_sock *)>;

struct Request {
	std::function<void(nlattr **)> on_reply;
	int err = 0;
};

int on_valid(nl_msg *msg, void *arg)
{
	auto *r = static_cast<Request *>(arg);
	nlattr *tb[SMC_GEN_MAX + 1] = {};

	if (r->on_reply && !genlmsg_parse(nlmsg_hdr(msg), 0, tb, SMC_GEN_MAX, nullptr))
		r->on_reply(tb);
	return NL_OK;
}

int on_error(sockaddr_nl *, nlmsgerr *e, void *arg)
{
	static_cast<Request *>(arg)->err = -e->error;
	return NL_STOP;
}

/* Sends @cmd (a dump if @dump), with the EID attribute if @eid is set. */
void request(int cmd, bool dump, const std::string *eid,
	     const std::function<void(nlattr **)> &on_reply = {})
{
	Sock sk(nl_socket_alloc(), nl_socket_free);
	Request r{on_reply};

	if (!sk || genl_connect(sk.get()) < 0)
		throw std::runtime_error("generic netlink: cannot connect");
	int family = genl_ctrl_resolve(sk.get(), SMC_GENL_FAMILY_NAME);
	if (family < 0)
		throw std::runtime_error("no generic netlink family " SMC_GENL_FAMILY_NAME
					 ": is the smc module loaded? (modprobe smc)");
	std::unique_ptr<nl_msg, void (*)(nl_msg *)> msg(nlmsg_alloc(), nlmsg_free);
	if (!msg || !genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				 dump ? NLM_F_DUMP : 0, cmd, SMC_GENL_FAMILY_VERSION))
		throw std::runtime_error("cannot build an SMC netlink request");
	if (eid) {
		/* SMC wants exactly SMC_MAX_EID_LEN characters, blank padded, and a NUL. */
		char padded[SMC_MAX_EID_LEN + 1];
		memset(padded, ' ', SMC_MAX_EID_LEN);
		memcpy(padded, eid->data(), eid->size());
		padded[SMC_MAX_EID_LEN] = '\0';
		if (nla_put(msg.get(), SMC_NLA_EID_TABLE_ENTRY, sizeof(padded), padded))
			throw std::runtime_error("cannot build an SMC netlink request");
	}
	nl_socket_modify_cb(sk.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_socket_modify_err_cb(sk.get(), NL_CB_CUSTOM, on_error, &r);
	int rc = nl_send_auto(sk.get(), msg.get());
	if (rc >= 0)
		rc = dump ? nl_recvmsgs_default(sk.get()) : nl_wait_for_ack(sk.get());
	if (r.err)
		throw std::system_error(r.err, std::generic_category(), "SMC netlink");
	if (rc < 0)
		throw std::runtime_error(std::string("SMC netlink: ") + nl_geterror(rc));
}

} /* namespace */

std::string normalize_eid(const std::string &eid)
{
	std::string out;

	for (char c : eid) {
		if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-')
			throw std::invalid_argument("an EID has letters, digits, '.' and '-' only: \"" +
						    eid + "\"");
		out += static_cast<char>(toupper(static_cast<unsigned char>(c)));
	}
	if (out.empty() || out.size() > SMC_MAX_EID_LEN || !isalnum(static_cast<unsigned char>(out[0])))
		throw std::invalid_argument("an EID is 1 to 32 characters, the first a letter or digit: \"" +
					    eid + "\"");
	return out;
}

void ueid_add(const std::string &eid)
{
	std::string e = normalize_eid(eid);
	try {
		request(SMC_NETLINK_ADD_UEID, false, &e);
	} catch (const std::system_error &x) {
		if (x.code().value() != EEXIST)
			throw;
	}
}

void ueid_del(const std::string &eid)
{
	std::string e = normalize_eid(eid);
	request(SMC_NETLINK_REMOVE_UEID, false, &e);
}

void ueid_flush()
{
	request(SMC_NETLINK_FLUSH_UEID, false, nullptr);
}

std::vector<std::string> ueid_list()
{
	std::vector<std::string> v;
	request(SMC_NETLINK_DUMP_UEID, true, nullptr, [&](nlattr **tb) {
		if (!tb[SMC_NLA_EID_TABLE_ENTRY])
			return;
		std::string e(static_cast<const char *>(nla_data(tb[SMC_NLA_EID_TABLE_ENTRY])),
			      strnlen(static_cast<const char *>(nla_data(tb[SMC_NLA_EID_TABLE_ENTRY])),
				      nla_len(tb[SMC_NLA_EID_TABLE_ENTRY])));
		while (!e.empty() && e.back() == ' ')
			e.pop_back();
		v.push_back(e);
	});
	return v;
}

size_t smcr_link_groups()
{
	size_t n = 0;
	request(SMC_NETLINK_GET_LGR_SMCR, true, nullptr, [&](nlattr **tb) {
		if (tb[SMC_GEN_LGR_SMCR])
			n++;
	});
	return n;
}

} /* namespace smc_nl */
