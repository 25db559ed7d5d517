/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fuzzers' random numbers: xorshift64*, deterministic, so that a failure
 * names its round and a rerun repeats it. Each fuzzer seeds its own state.
 */
#ifndef FT_TEST_RNG_H
#define FT_TEST_RNG_H

#include <linux/types.h>

static inline __u64 rng_next(__u64 *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

#endif
