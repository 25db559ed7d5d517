// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "check.h"

int check_fails;
static const char *skip_reason;

void check_skip(const char *why)
{
	skip_reason = why;
}

int check_run(const struct check_test *tests, int n, const char *only)
{
	int i, failed = 0;

	for (i = 0; i < n; i++) {
		if (only && strcmp(only, tests[i].name))
			continue;
		check_fails = 0;
		skip_reason = NULL;
		tests[i].fn();
		if (check_fails) {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		} else if (skip_reason) {
			printf("SKIP %s: %s\n", tests[i].name, skip_reason);
		} else {
			printf("PASS %s\n", tests[i].name);
		}
		fflush(stdout);
	}
	return failed;
}

int check_main(const struct check_test *tests, int n, int argc, char **argv)
{
	return check_run(tests, n, argc > 1 ? argv[1] : NULL) ? 1 : 0;
}
