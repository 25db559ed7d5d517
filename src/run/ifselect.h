/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Which interfaces -i patterns and --all-interfaces select. */
#ifndef FT_IFSELECT_H
#define FT_IFSELECT_H

#include <stdbool.h>

/* An -i argument with a shell wildcard ('*', '?', '['): a pattern. */
bool iface_is_pattern(const char *sel);
/* Whether interface `name` is one the patterns among sels[0..n) select
 * (fnmatch), or with `all` any interface but lo; plain names in sels are
 * not looked at. */
bool iface_selected(const char *const *sels, int n, bool all, const char *name);

#endif
