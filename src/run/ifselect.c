// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <fnmatch.h>
#include <string.h>

#include "ifselect.h"

bool iface_is_pattern(const char *sel)
{
	return strpbrk(sel, "*?[") != NULL;
}

bool iface_selected(const char *const *sels, int n, bool all, const char *name)
{
	int i;

	if (all)
		return strcmp(name, "lo") != 0;
	for (i = 0; i < n; i++)
		if (iface_is_pattern(sels[i]) && !fnmatch(sels[i], name, 0))
			return true;
	return false;
}
