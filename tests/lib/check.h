/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Assertions in the shape of the kernel selftests': each names what it
 * checks and prints got and want when they differ. A test function returns
 * normally; check_failed() says whether anything in it failed.
 */
#ifndef FT_TEST_CHECK_H
#define FT_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

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

/* Strings: equal, containing a needle, or free of it. */
#define ASSERT_STREQ(got, want, what)                                                       \
	({                                                                                  \
		const char *__sg = (got), *__sw = (want);                                   \
		int __sok = ASSERT_TRUE(__sg && __sw && !strcmp(__sg, __sw), what);         \
		if (!__sok)                                                                 \
			fprintf(stderr, "      got  \"%s\"\n      want \"%s\"\n",              \
				__sg ? __sg : "(null)", __sw ? __sw : "(null)");             \
		__sok;                                                                      \
	})
#define ASSERT_CONTAINS(hay, needle, what)                                                  \
	({                                                                                  \
		const char *__ch = (hay), *__cn = (needle);                                 \
		int __cok = ASSERT_TRUE(__ch && strstr(__ch, __cn), what);                  \
		if (!__cok)                                                                 \
			fprintf(stderr, "      want \"%s\"\n      in   \"%s\"\n", __cn,         \
				__ch ? __ch : "(null)");                                     \
		__cok;                                                                      \
	})
#define ASSERT_LACKS(hay, needle, what)                                                     \
	({                                                                                  \
		const char *__lh = (hay), *__ln = (needle);                                 \
		int __lok = ASSERT_TRUE(__lh && !strstr(__lh, __ln), what);                 \
		if (!__lok)                                                                 \
			fprintf(stderr, "      unwanted \"%s\"\n      in       \"%s\"\n", __ln, \
				__lh ? __lh : "(null)");                                     \
		__lok;                                                                      \
	})

/* Doubles that must be equal to the bit (values computed the same way). */
#define ASSERT_DBL_EQ(got, want, what)                                                      \
	({                                                                                  \
		double __dg = (got), __dw = (want);                                         \
		int __dok = ASSERT_TRUE(__dg == __dw, what);                                \
		if (!__dok)                                                                 \
			fprintf(stderr, "      got %.17g, want %.17g\n", __dg, __dw);        \
		__dok;                                                                      \
	})

struct check_test {
	const char *name;
	void (*fn)(void);
};

/*
 * A test file's list is generated from its `static void test_NAME(void)`
 * functions (scripts/gen-tests.sh, the Makefile runs it):
 *
 *	CHECK_MAIN("test_exporters.tests.h")
 *
 * The printed name is CHECK_PREFIX (default "test_") and NAME.
 */
#ifndef CHECK_PREFIX
#define CHECK_PREFIX "test_"
#endif
#define CHECK_TEST(name) { CHECK_PREFIX #name, test_##name },

/* main(): runs the tests given (argv[1] picks one by name); 1 if any failed. */
int check_main(const struct check_test *tests, int n, int argc, char **argv);

/* Runs each test, prints "PASS name" / "FAIL name" / "SKIP name: why", and
 * returns the number of failed tests. `only` (argv[1]) picks one by name. */
int check_run(const struct check_test *tests, int n, const char *only);
/* From inside a test: mark it skipped, with the reason. */
void check_skip(const char *why);

#endif
