// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "testpoint.h"

void test_point(const char *name)
{
	static const char *want;
	static unsigned long left;
	static bool read;
	const char *colon;
	size_t len;

	if (!read) {
		read = true;
		want = getenv("FLOWTALLY_KILL_AT");
		colon = want ? strchr(want, ':') : NULL;
		left = colon ? strtoul(colon + 1, NULL, 10) : 1;
	}
	if (!want)
		return;
	colon = strchr(want, ':');
	len = colon ? (size_t)(colon - want) : strlen(want);
	if (strlen(name) == len && !strncmp(name, want, len) && --left == 0)
		raise(SIGKILL);
}
