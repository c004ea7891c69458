// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for rsk_addr.c: the addresses bind() and connect() accept,
 * the errnos for those they refuse, and the round trip back to the user.
 */
#include <kunit/test.h>
#include <linux/inet.h>
#include <net/ipv6.h>

#include "rsk.h"

static struct sockaddr_in rsk_test_sin(const char *ip, u16 port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(port);
	in4_pton(ip, -1, (u8 *)&sin.sin_addr.s_addr, -1, NULL);
	return sin;
}

static struct sockaddr_in6 rsk_test_sin6(const char *ip, u16 port, u32 scope)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	sin6.sin6_port = htons(port);
	sin6.sin6_scope_id = scope;
	in6_pton(ip, -1, sin6.sin6_addr.s6_addr, -1, NULL);
	return sin6;
}

static void rsk_addr_v4(struct kunit *test)
{
	struct sockaddr_in sin = rsk_test_sin("192.0.2.7", 4791);
	struct rsk_addr a;

	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin,
					     sizeof(sin), &a), 0);
	KUNIT_EXPECT_EQ(test, a.family, AF_INET);
	KUNIT_EXPECT_FALSE(test, a.v4mapped);
	KUNIT_EXPECT_EQ(test, ntohs(a.port), 4791);
	KUNIT_EXPECT_EQ(test, a.v4, htonl(0xc0000207));
	KUNIT_EXPECT_FALSE(test, rsk_addr_is_any(&a));
}

static void rsk_addr_v4_short(struct kunit *test)
{
	struct sockaddr_in sin = rsk_test_sin("192.0.2.7", 1);
	struct rsk_addr a;

	KUNIT_EXPECT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin,
					     sizeof(sin) - 1, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin, 1, &a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin, 0, &a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin, -1, &a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rsk_addr_parse(NULL, sizeof(sin), &a), -EINVAL);
}

static void rsk_addr_v4_longer_is_fine(struct kunit *test)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in sin = rsk_test_sin("0.0.0.0", 0);
	struct rsk_addr a;

	memcpy(&ss, &sin, sizeof(sin));
	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&ss,
					     sizeof(ss), &a), 0);
	KUNIT_EXPECT_TRUE(test, rsk_addr_is_any(&a));
}

static void rsk_addr_v6(struct kunit *test)
{
	struct sockaddr_in6 sin6 = rsk_test_sin6("2001:db8::1", 18515, 0);
	struct rsk_addr a;

	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
					     sizeof(sin6), &a), 0);
	KUNIT_EXPECT_EQ(test, a.family, AF_INET6);
	KUNIT_EXPECT_EQ(test, ntohs(a.port), 18515);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&a.v6, &sin6.sin6_addr));
}

/* RFC 2133's sockaddr_in6 had no scope id; IPv6 sockets still take it. */
static void rsk_addr_v6_rfc2133_length(struct kunit *test)
{
	struct sockaddr_in6 sin6 = rsk_test_sin6("2001:db8::1", 1, 77);
	struct rsk_addr a;

	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
					     SIN6_LEN_RFC2133, &a), 0);
	KUNIT_EXPECT_EQ(test, a.scope_id, 0);
	KUNIT_EXPECT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
					     SIN6_LEN_RFC2133 - 1, &a),
			-EINVAL);
}

static void rsk_addr_v6_link_local_needs_scope(struct kunit *test)
{
	struct sockaddr_in6 sin6 = rsk_test_sin6("fe80::1", 1, 0);
	struct rsk_addr a;

	KUNIT_EXPECT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
					     sizeof(sin6), &a), -EINVAL);
	sin6.sin6_scope_id = 2;
	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
					     sizeof(sin6), &a), 0);
	KUNIT_EXPECT_EQ(test, a.scope_id, 2);
}

static void rsk_addr_v4mapped_folds_to_v4(struct kunit *test)
{
	struct sockaddr_in6 sin6 = rsk_test_sin6("::ffff:192.0.2.9", 80, 0);
	struct sockaddr_storage back;
	struct rsk_addr a;
	int len;

	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
					     sizeof(sin6), &a), 0);
	KUNIT_EXPECT_EQ(test, a.family, AF_INET);
	KUNIT_EXPECT_TRUE(test, a.v4mapped);
	KUNIT_EXPECT_EQ(test, a.v4, htonl(0xc0000209));

	/* ... and is given back in the form it came in. */
	len = rsk_addr_format(&a, (struct sockaddr *)&back);
	KUNIT_EXPECT_EQ(test, len, (int)sizeof(struct sockaddr_in6));
	KUNIT_EXPECT_EQ(test, back.ss_family, AF_INET6);
	KUNIT_EXPECT_EQ(test, memcmp(&back, &sin6, sizeof(sin6)), 0);
}

static void rsk_addr_round_trip(struct kunit *test)
{
	struct sockaddr_in sin = rsk_test_sin("198.51.100.3", 65535);
	struct sockaddr_in6 sin6 = rsk_test_sin6("fe80::2", 9, 3);
	struct sockaddr_storage back;
	struct rsk_addr a;

	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin,
					     sizeof(sin), &a), 0);
	KUNIT_EXPECT_EQ(test, rsk_addr_format(&a, (struct sockaddr *)&back),
			(int)sizeof(sin));
	KUNIT_EXPECT_EQ(test, memcmp(&back, &sin, sizeof(sin)), 0);

	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
					     sizeof(sin6), &a), 0);
	KUNIT_EXPECT_EQ(test, rsk_addr_format(&a, (struct sockaddr *)&back),
			(int)sizeof(sin6));
	KUNIT_EXPECT_EQ(test, memcmp(&back, &sin6, sizeof(sin6)), 0);
}

static void rsk_addr_other_families(struct kunit *test)
{
	struct sockaddr_storage ss = {};
	struct rsk_addr a;

	ss.ss_family = AF_UNIX;
	KUNIT_EXPECT_EQ(test, rsk_addr_parse((struct sockaddr *)&ss,
					     sizeof(ss), &a), -EAFNOSUPPORT);
	ss.ss_family = AF_IB;
	KUNIT_EXPECT_EQ(test, rsk_addr_parse((struct sockaddr *)&ss,
					     sizeof(ss), &a), -EAFNOSUPPORT);
	ss.ss_family = AF_UNSPEC;
	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&ss,
					     sizeof(sa_family_t), &a), 0);
	KUNIT_EXPECT_EQ(test, a.family, AF_UNSPEC);
}

static void rsk_addr_classes(struct kunit *test)
{
	struct sockaddr_in sin = rsk_test_sin("224.0.0.251", 1);
	struct sockaddr_in6 sin6 = rsk_test_sin6("ff02::1", 1, 1);
	struct rsk_addr a;

	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin,
					     sizeof(sin), &a), 0);
	KUNIT_EXPECT_TRUE(test, rsk_addr_is_multicast(&a));
	sin = rsk_test_sin("255.255.255.255", 1);
	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin,
					     sizeof(sin), &a), 0);
	KUNIT_EXPECT_TRUE(test, rsk_addr_is_multicast(&a));
	sin = rsk_test_sin("192.0.2.1", 1);
	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin,
					     sizeof(sin), &a), 0);
	KUNIT_EXPECT_FALSE(test, rsk_addr_is_multicast(&a));
	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
					     sizeof(sin6), &a), 0);
	KUNIT_EXPECT_TRUE(test, rsk_addr_is_multicast(&a));
	sin6 = rsk_test_sin6("::", 1, 0);
	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
					     sizeof(sin6), &a), 0);
	KUNIT_EXPECT_TRUE(test, rsk_addr_is_any(&a));
	KUNIT_EXPECT_FALSE(test, rsk_addr_is_multicast(&a));
}

/* 127/8, mapped or not, and ::1 are loopback; their neighbours are not. */
static void rsk_addr_loopback(struct kunit *test)
{
	static const char *const v4[] = { "127.0.0.1", "127.255.0.9" };
	static const char *const v6[] = { "::1", "::ffff:127.0.0.1" };
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct rsk_addr a;
	int i;

	for (i = 0; i < ARRAY_SIZE(v4); i++) {
		sin = rsk_test_sin(v4[i], 1);
		KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin,
						     sizeof(sin), &a), 0);
		KUNIT_EXPECT_TRUE(test, rsk_addr_is_loopback(&a));
	}
	for (i = 0; i < ARRAY_SIZE(v6); i++) {
		sin6 = rsk_test_sin6(v6[i], 1, 0);
		KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
						     sizeof(sin6), &a), 0);
		KUNIT_EXPECT_TRUE(test, rsk_addr_is_loopback(&a));
	}
	sin = rsk_test_sin("128.0.0.1", 1);
	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin,
					     sizeof(sin), &a), 0);
	KUNIT_EXPECT_FALSE(test, rsk_addr_is_loopback(&a));
	sin6 = rsk_test_sin6("::2", 1, 0);
	KUNIT_ASSERT_EQ(test, rsk_addr_parse((struct sockaddr *)&sin6,
					     sizeof(sin6), &a), 0);
	KUNIT_EXPECT_FALSE(test, rsk_addr_is_loopback(&a));
}

static struct kunit_case rsk_addr_cases[] = {
	KUNIT_CASE(rsk_addr_v4),
	KUNIT_CASE(rsk_addr_v4_short),
	KUNIT_CASE(rsk_addr_v4_longer_is_fine),
	KUNIT_CASE(rsk_addr_v6),
	KUNIT_CASE(rsk_addr_v6_rfc2133_length),
	KUNIT_CASE(rsk_addr_v6_link_local_needs_scope),
	KUNIT_CASE(rsk_addr_v4mapped_folds_to_v4),
	KUNIT_CASE(rsk_addr_round_trip),
	KUNIT_CASE(rsk_addr_other_families),
	KUNIT_CASE(rsk_addr_classes),
	KUNIT_CASE(rsk_addr_loopback),
	{}
};

static struct kunit_suite rsk_addr_suite = {
	.name = "rdma_sock_addr",
	.test_cases = rsk_addr_cases,
};

kunit_test_suite(rsk_addr_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
