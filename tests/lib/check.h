/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Assertions in the shape of the kernel selftests': each names what it
 * checks and prints got and want when they differ. A test function returns
 * normally; check_failed() says whether anything in it failed.
 */
#ifndef FT_TEST_CHECK_H
#define FT_TEST_CHECK_H

#include <stdio.h>

extern int check_fails;		/* failed assertions in the current test */

#define ASSERT_EQ(got, want, what)                                                        \
	({                                                                                \
		unsigned long long __g = (unsigned long long)(got);                       \
		unsigned long long __w = (unsigned long long)(want);                      \
		int __ok = __g == __w;                                                    \
		if (!__ok) {                                                              \
			check_fails++;                                                    \
			fprintf(stderr, "    %s:%d %s: got %llu, want %llu\n", __FILE__,     \
				__LINE__, what, __g, __w);                                \
		}                                                                         \
		__ok;                                                                     \
	})

#define ASSERT_TRUE(cond, what)                                                           \
	({                                                                                \
		int __ok = !!(cond);                                                      \
		if (!__ok) {                                                              \
			check_fails++;                                                    \
			fprintf(stderr, "    %s:%d %s: not true\n", __FILE__, __LINE__, what); \
		}                                                                         \
		__ok;                                                                     \
	})

struct check_test {
	const char *name;
	void (*fn)(void);
};

/* Runs each test, prints "PASS name" / "FAIL name" / "SKIP name: why", and
 * returns the number of failed tests. `only` (argv[1]) picks one by name. */
int check_run(const struct check_test *tests, int n, const char *only);
/* From inside a test: mark it skipped, with the reason. */
void check_skip(const char *why);

#endif
