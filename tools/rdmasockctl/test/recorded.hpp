// SPDX-License-Identifier: GPL-2.0
/*
 * The replies recorded from the live module, test/data/<command>.nl (see
 * test/data/README), for the tests: each message handed to a parser, or
 * the objects they parse to.
 */
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/rdma_sock.h>

#include "nl.hpp"

namespace rsk::test {

/* Every message of the recording of @cmd, each handed to @fn. */
template <class Fn>
size_t each_recorded(int cmd, Fn fn)
{
	std::string path = std::string(RSK_TEST_DATA) + "/" + std::to_string(cmd) + ".nl";
	std::ifstream f(path, std::ios::binary);
	std::vector<char> buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
	size_t n = 0;
	int left = buf.size();

	EXPECT_TRUE(f.good() || f.eof()) << path;
	for (nlmsghdr *h = reinterpret_cast<nlmsghdr *>(buf.data()); nlmsg_ok(h, left);
	     h = nlmsg_next(h, &left)) {
		nl_msg *m = nlmsg_convert(h);
		fn(m);
		nlmsg_free(m);
		n++;
	}
	EXPECT_EQ(0, left) << path << ": trailing bytes";
	return n;
}

/* The recording of a dump command, parsed by @parse. */
template <class T>
std::vector<T> recorded_list(int cmd, T (*parse)(nl_msg *))
{
	std::vector<T> v;
	each_recorded(cmd, [&](nl_msg *m) { v.push_back(parse(m)); });
	return v;
}

/* Of a command with one reply (the last, if there are several). */
template <class T>
T recorded_one(int cmd, T (*parse)(nl_msg *))
{
	T one{};
	each_recorded(cmd, [&](nl_msg *m) { one = parse(m); });
	return one;
}

inline Policy parse_policy_get(nl_msg *m) { return parse_policy(m, RDMA_SOCK_CMD_POLICY_GET); }
inline Policy parse_policy_add(nl_msg *m) { return parse_policy(m, RDMA_SOCK_CMD_POLICY_ADD); }

} /* namespace rsk::test */
