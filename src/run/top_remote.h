/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flowtally top NAME: the live view of a running instance, read-only. */
#ifndef FT_TOP_REMOTE_H
#define FT_TOP_REMOTE_H

/* Runs the view until q, Ctrl-C or the instance ends. The exit status: 0,
 * 1 runtime failure (no such instance, it went away), 2 a bad name. */
int top_remote_main(const char *name);

#endif
