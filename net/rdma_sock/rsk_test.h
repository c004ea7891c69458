/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KUnit suites of rdma_sock_kunit.ko share: the fuzz cases'
 * length and seed, set as module parameters (rsk_test.c).
 */
#ifndef _RSK_TEST_H
#define _RSK_TEST_H

#include <kunit/test.h>
#include <linux/prandom.h>

/* Steps (messages and calls) each fuzz case takes. */
unsigned int rsk_test_fuzz_steps(void);

/*
 * Seed @rnd for the fuzz case @test, different for each @salt, and say
 * in the test's log which seed it was, so that a failure can be replayed
 * with fuzz_seed=.
 */
void rsk_test_fuzz_seed(struct kunit *test, struct rnd_state *rnd, u32 salt);

/* A number below @n (n > 0) from @rnd. */
static inline u32 rsk_test_below(struct rnd_state *rnd, u32 n)
{
	return prandom_u32_state(rnd) % n;
}

/* True with a chance of @pct in 100. */
static inline bool rsk_test_chance(struct rnd_state *rnd, u32 pct)
{
	return rsk_test_below(rnd, 100) < pct;
}

#endif /* _RSK_TEST_H */
