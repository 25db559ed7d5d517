// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>

#include "print.h"

int printer_init(struct printer *p, FILE *out, bool json)
{
	p->out = out;
	p->jw = NULL;
	if (json) {
		p->jw = jsonw_new(out);
		if (!p->jw)
			return -ENOMEM;
	}
	return 0;
}

void printer_fini(struct printer *p)
{
	if (p->jw)
		jsonw_destroy(&p->jw);
}

static bool want_json(struct printer *p, enum print_type t)
{
	return p->jw && (t & PRINT_JSON);
}

static bool want_text(struct printer *p, enum print_type t)
{
	return !p->jw && (t & PRINT_FP);
}

void print_open_object(struct printer *p, const char *key)
{
	if (!p->jw)
		return;
	if (key)
		jsonw_name(p->jw, key);
	jsonw_start_object(p->jw);
}

void print_close_object(struct printer *p)
{
	if (p->jw)
		jsonw_end_object(p->jw);
}

void print_open_array(struct printer *p, const char *key)
{
	if (!p->jw)
		return;
	if (key)
		jsonw_name(p->jw, key);
	jsonw_start_array(p->jw);
}

void print_close_array(struct printer *p)
{
	if (p->jw)
		jsonw_end_array(p->jw);
}

void print_end_record(struct printer *p)
{
	if (p->jw)
		jsonw_end_line(p->jw);
	fflush(p->out);
}

void print_end_line(struct printer *p)
{
	if (p->jw)
		jsonw_next_line(p->jw);
}

void print_string(struct printer *p, enum print_type t, const char *key, const char *fmt,
		  const char *value)
{
	if (want_json(p, t)) {
		if (key)
			jsonw_name(p->jw, key);
		if (value)
			jsonw_string(p->jw, value);
		else
			jsonw_null(p->jw);
	} else if (want_text(p, t)) {
		fprintf(p->out, fmt, value ? value : "-");
	}
}

void print_u64(struct printer *p, enum print_type t, const char *key, const char *fmt,
	       uint64_t value)
{
	if (want_json(p, t)) {
		if (key)
			jsonw_name(p->jw, key);
		jsonw_uint(p->jw, value);
	} else if (want_text(p, t)) {
		fprintf(p->out, fmt, (unsigned long long)value);
	}
}

void print_float(struct printer *p, enum print_type t, const char *key, const char *fmt,
		 double value, int json_decimals)
{
	if (want_json(p, t)) {
		if (key)
			jsonw_name(p->jw, key);
		jsonw_float(p->jw, value, json_decimals);
	} else if (want_text(p, t)) {
		fprintf(p->out, fmt, value);
	}
}

void print_bool(struct printer *p, enum print_type t, const char *key, const char *fmt,
		bool value)
{
	if (want_json(p, t)) {
		if (key)
			jsonw_name(p->jw, key);
		jsonw_bool(p->jw, value);
	} else if (want_text(p, t)) {
		fprintf(p->out, fmt, value ? "yes" : "no");
	}
}

void print_text(struct printer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->jw)
		return;
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
}
