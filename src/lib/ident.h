/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Instance and table names. An instance name becomes part of file names
 * (pins, state, control socket, lock file), so it is a name and never a
 * path: no '/', no "..", no control character, no leading dot. Every
 * command checks the names it is given with these, and every path builder
 * checks again, so that no name reaches the file system unchecked.
 */
#ifndef FT_IDENT_H
#define FT_IDENT_H

#include <stdbool.h>

#define FT_NAME_MAX 32	/* with the terminating NUL */
#define FT_INSTANCE_NAME_RULE "1-31 letters, digits, '_', '-' or '.', no leading dot, no '..'"
#define FT_TABLE_NAME_RULE "1-31 letters, digits, '_' or '-'"

/* [A-Za-z0-9_.-], 1-31 characters, not starting with '.', no "..". */
bool valid_instance_name(const char *name);
/* [A-Za-z0-9_-], 1-31 characters. */
bool valid_table_name(const char *name);
/* Whether `s` has a control character (a request line must stay one line). */
bool has_control_char(const char *s);

#endif
