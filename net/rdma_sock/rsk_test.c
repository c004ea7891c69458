// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_sock_kunit.ko as a whole: its module information and the
 * parameters of its fuzz cases.  `make check` runs the fuzz cases short,
 * on fixed seeds; `make fuzz` loads the module again and again with more
 * steps and a new seed each time (selftests/guest/fuzz.sh).
 */
#include <linux/module.h>
#include <linux/random.h>

#include "rsk_test.h"

static unsigned int fuzz_steps = 3000;
module_param(fuzz_steps, uint, 0444);
MODULE_PARM_DESC(fuzz_steps, "steps each fuzz case takes (3000)");

static ulong fuzz_seed = 1;
module_param(fuzz_seed, ulong, 0444);
MODULE_PARM_DESC(fuzz_seed, "seed of the fuzz cases; 0: a random one (1)");

unsigned int rsk_test_fuzz_steps(void)
{
	return fuzz_steps;
}

void rsk_test_fuzz_seed(struct kunit *test, struct rnd_state *rnd, u32 salt)
{
	u64 seed = fuzz_seed;

	if (!seed) {
		/* Chosen once per load, so that every case says the same. */
		static u64 random_seed;

		if (!random_seed)
			random_seed = get_random_u64() | 1;
		seed = random_seed;
	}
	kunit_info(test, "fuzz_seed=%llu fuzz_steps=%u\n", seed, fuzz_steps);
	prandom_seed_state(rnd, seed ^ ((u64)salt << 32));
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for rdma_sock");
