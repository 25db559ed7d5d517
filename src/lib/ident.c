// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "ident.h"

static bool name_char(char c, bool dot)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || (dot && c == '.');
}

/* Locale-independent on purpose: isalnum() of a UTF-8 locale would let
 * letters through that other tools may not read back the same. */
static bool valid_name(const char *name, bool dot)
{
	size_t len = strlen(name), i;

	if (!len || len >= FT_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!name_char(name[i], dot))
			return false;
	return true;
}

bool valid_instance_name(const char *name)
{
	return name && valid_name(name, true) && name[0] != '.' && !strstr(name, "..");
}

bool valid_table_name(const char *name)
{
	return name && valid_name(name, false);
}

bool has_control_char(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}
