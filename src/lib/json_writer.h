/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A streaming JSON writer in the shape of iproute2's and bpftool's. */
#ifndef FT_JSON_WRITER_H
#define FT_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

struct json_writer *jsonw_new(FILE *f);
void jsonw_destroy(struct json_writer **self);
void jsonw_start_object(struct json_writer *self);
void jsonw_end_object(struct json_writer *self);
void jsonw_start_array(struct json_writer *self);
void jsonw_end_array(struct json_writer *self);
void jsonw_name(struct json_writer *self, const char *name);
void jsonw_string(struct json_writer *self, const char *value);
void jsonw_uint(struct json_writer *self, uint64_t value);
void jsonw_float(struct json_writer *self, double value, int decimals);
void jsonw_bool(struct json_writer *self, bool value);
void jsonw_null(struct json_writer *self);
/* Ends the top-level value with a newline and flushes: one record a line. */
void jsonw_end_line(struct json_writer *self);
/* The same without the flush, for many short lines written at once. */
void jsonw_next_line(struct json_writer *self);

#endif
