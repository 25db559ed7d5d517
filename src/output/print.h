/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One printer for people and machines, after iproute2's print_*(PRINT_ANY,
 * key, fmt, value): a call names the JSON key and the text format of the same
 * value, so the two outputs cannot drift apart.
 */
#ifndef FT_PRINT_H
#define FT_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json_writer.h"

enum print_type {
	PRINT_FP = 1,		/* text only */
	PRINT_JSON = 2,		/* JSON only */
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

struct printer {
	FILE *out;
	struct json_writer *jw;	/* NULL: text mode */
};

int printer_init(struct printer *p, FILE *out, bool json);
void printer_fini(struct printer *p);

static inline bool print_is_json(const struct printer *p)
{
	return p->jw != NULL;
}

/* JSON structure; key is NULL inside arrays. Nothing in text mode. */
void print_open_object(struct printer *p, const char *key);
void print_close_object(struct printer *p);
void print_open_array(struct printer *p, const char *key);
void print_close_array(struct printer *p);
/* Ends a record: a newline after a JSON object, flushes both. */
void print_end_record(struct printer *p);
/* Ends a JSON line without flushing (a stream of many); nothing in text. */
void print_end_line(struct printer *p);

void print_string(struct printer *p, enum print_type t, const char *key, const char *fmt,
		  const char *value);
void print_u64(struct printer *p, enum print_type t, const char *key, const char *fmt,
	       uint64_t value);
void print_float(struct printer *p, enum print_type t, const char *key, const char *fmt,
		 double value, int json_decimals);
void print_bool(struct printer *p, enum print_type t, const char *key, const char *fmt,
		bool value);
void print_text(struct printer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
