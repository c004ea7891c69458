// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for rsk_sock_kind(): which (type, protocol) pairs socket()
 * accepts, and the errnos for the rest, the same as inet sockets give.
 */
#include <kunit/test.h>
#include <linux/net.h>
#include <linux/in.h>

#include "rsk.h"

static void rsk_kind_stream(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rsk_sock_kind(SOCK_STREAM, 0), RSK_KIND_STREAM);
	KUNIT_EXPECT_EQ(test, rsk_sock_kind(SOCK_STREAM, IPPROTO_TCP),
			RSK_KIND_STREAM);
	KUNIT_EXPECT_EQ(test, rsk_sock_kind(SOCK_STREAM, IPPROTO_UDP),
			-EPROTONOSUPPORT);
	KUNIT_EXPECT_EQ(test, rsk_sock_kind(SOCK_STREAM, IPPROTO_SCTP),
			-EPROTONOSUPPORT);
	KUNIT_EXPECT_EQ(test, rsk_sock_kind(SOCK_STREAM, -1), -EPROTONOSUPPORT);
}

static void rsk_kind_dgram(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rsk_sock_kind(SOCK_DGRAM, 0), RSK_KIND_DGRAM);
	KUNIT_EXPECT_EQ(test, rsk_sock_kind(SOCK_DGRAM, IPPROTO_UDP),
			RSK_KIND_DGRAM);
	KUNIT_EXPECT_EQ(test, rsk_sock_kind(SOCK_DGRAM, IPPROTO_TCP),
			-EPROTONOSUPPORT);
	KUNIT_EXPECT_EQ(test, rsk_sock_kind(SOCK_DGRAM, 255), -EPROTONOSUPPORT);
}

static void rsk_kind_other_types(struct kunit *test)
{
	static const int types[] = {
		SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET, SOCK_DCCP, SOCK_PACKET, 0, 99,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		KUNIT_EXPECT_EQ_MSG(test, rsk_sock_kind(types[i], 0),
				    -ESOCKTNOSUPPORT, "type %d", types[i]);
}

static struct kunit_case rsk_kind_cases[] = {
	KUNIT_CASE(rsk_kind_stream),
	KUNIT_CASE(rsk_kind_dgram),
	KUNIT_CASE(rsk_kind_other_types),
	{}
};

static struct kunit_suite rsk_kind_suite = {
	.name = "rdma_sock_kind",
	.test_cases = rsk_kind_cases,
};

kunit_test_suite(rsk_kind_suite);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
