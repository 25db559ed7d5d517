// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <math.h>
#include <stdlib.h>

#include "json_writer.h"

#define JSONW_MAX_DEPTH 32

struct json_writer {
	FILE *out;
	int depth;
	bool first[JSONW_MAX_DEPTH];	/* no value written yet at this depth */
	bool after_name;
};

struct json_writer *jsonw_new(FILE *f)
{
	struct json_writer *self = calloc(1, sizeof(*self));

	if (!self)
		return NULL;
	self->out = f;
	self->first[0] = true;
	return self;
}

void jsonw_destroy(struct json_writer **self)
{
	free(*self);
	*self = NULL;
}

/* Separates values: a comma unless this is the first at its depth or the
 * value of a name just written. */
static void jsonw_sep(struct json_writer *self)
{
	if (self->after_name) {
		self->after_name = false;
		return;
	}
	if (!self->first[self->depth])
		fputc(',', self->out);
	self->first[self->depth] = false;
}

static void jsonw_open(struct json_writer *self, char c)
{
	jsonw_sep(self);
	fputc(c, self->out);
	if (self->depth < JSONW_MAX_DEPTH - 1)
		self->depth++;
	self->first[self->depth] = true;
}

static void jsonw_close(struct json_writer *self, char c)
{
	if (self->depth > 0)
		self->depth--;
	fputc(c, self->out);
}

void jsonw_start_object(struct json_writer *self)
{
	jsonw_open(self, '{');
}

void jsonw_end_object(struct json_writer *self)
{
	jsonw_close(self, '}');
}

void jsonw_start_array(struct json_writer *self)
{
	jsonw_open(self, '[');
}

void jsonw_end_array(struct json_writer *self)
{
	jsonw_close(self, ']');
}

static void jsonw_puts(struct json_writer *self, const char *s)
{
	const unsigned char *p;

	fputc('"', self->out);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", self->out);
			break;
		case '\\':
			fputs("\\\\", self->out);
			break;
		case '\n':
			fputs("\\n", self->out);
			break;
		case '\t':
			fputs("\\t", self->out);
			break;
		case '\r':
			fputs("\\r", self->out);
			break;
		default:
			if (*p < 0x20)
				fprintf(self->out, "\\u%04x", *p);
			else
				fputc(*p, self->out);
		}
	}
	fputc('"', self->out);
}

void jsonw_name(struct json_writer *self, const char *name)
{
	jsonw_sep(self);
	jsonw_puts(self, name);
	fputc(':', self->out);
	self->after_name = true;
}

void jsonw_string(struct json_writer *self, const char *value)
{
	jsonw_sep(self);
	jsonw_puts(self, value);
}

void jsonw_uint(struct json_writer *self, uint64_t value)
{
	jsonw_sep(self);
	fprintf(self->out, "%llu", (unsigned long long)value);
}

void jsonw_float(struct json_writer *self, double value, int decimals)
{
	jsonw_sep(self);
	if (isfinite(value))
		fprintf(self->out, "%.*f", decimals, value);
	else
		fputs("null", self->out);	/* JSON has no NaN or Infinity */
}

void jsonw_bool(struct json_writer *self, bool value)
{
	jsonw_sep(self);
	fputs(value ? "true" : "false", self->out);
}

void jsonw_null(struct json_writer *self)
{
	jsonw_sep(self);
	fputs("null", self->out);
}

void jsonw_next_line(struct json_writer *self)
{
	fputc('\n', self->out);
	self->depth = 0;
	self->first[0] = true;
	self->after_name = false;
}

void jsonw_end_line(struct json_writer *self)
{
	jsonw_next_line(self);
	fflush(self->out);
}
