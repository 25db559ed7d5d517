// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of the JSON writer: separators, numbers, escapes. Expected values are worked out from
 * each test's inputs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"
#include "counts.h"
#include "instance.h"
#include "json_writer.h"
#include "options.h"
#include "output.h"
#include "print.h"
#include "snapshot.h"
#include "tablespec.h"

#include "capture.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- json_writer ---- */

static void test_jsonw_nested_values_are_separated_by_commas(void)
{
	struct capture cap;
	struct json_writer *jw = jsonw_new(capture_open(&cap));
	char *out;

	jsonw_start_object(jw);
	jsonw_name(jw, "a");
	jsonw_uint(jw, 1);
	jsonw_name(jw, "b");
	jsonw_start_array(jw);
	jsonw_uint(jw, 1);
	jsonw_uint(jw, 2);
	jsonw_start_object(jw);
	jsonw_name(jw, "c");
	jsonw_bool(jw, true);
	jsonw_name(jw, "d");
	jsonw_bool(jw, false);
	jsonw_end_object(jw);
	jsonw_start_array(jw);
	jsonw_end_array(jw);
	jsonw_end_array(jw);
	jsonw_name(jw, "e");
	jsonw_start_object(jw);
	jsonw_end_object(jw);
	jsonw_name(jw, "f");
	jsonw_null(jw);
	jsonw_name(jw, "g");
	jsonw_string(jw, "x");
	jsonw_end_object(jw);
	jsonw_end_line(jw);
	jsonw_destroy(&jw);
	out = capture_close(&cap);

	ASSERT_STREQ(out, "{\"a\":1,\"b\":[1,2,{\"c\":true,\"d\":false},[]],\"e\":{},\"f\":null,"
			  "\"g\":\"x\"}\n",
		     "nested objects and arrays");
	ASSERT_TRUE(jw == NULL, "jsonw_destroy clears the pointer");
	free(out);
}

static void test_jsonw_uint_prints_full_64_bits(void)
{
	struct capture cap;
	struct json_writer *jw = jsonw_new(capture_open(&cap));
	char want[64], *out;

	jsonw_start_array(jw);
	jsonw_uint(jw, UINT64_MAX);
	jsonw_uint(jw, 0);
	jsonw_end_array(jw);
	jsonw_destroy(&jw);
	out = capture_close(&cap);

	snprintf(want, sizeof(want), "[%llu,0]", (unsigned long long)UINT64_MAX);
	ASSERT_STREQ(out, want, "UINT64_MAX and 0");
	free(out);
}

static void test_jsonw_escapes_quotes_and_backslashes(void)
{
	struct capture cap;
	struct json_writer *jw = jsonw_new(capture_open(&cap));
	char *out;

	jsonw_start_object(jw);
	jsonw_name(jw, "k\"ey\\");
	jsonw_string(jw, "say \"hi\" C:\\dir\\");
	jsonw_end_object(jw);
	jsonw_destroy(&jw);
	out = capture_close(&cap);

	ASSERT_STREQ(out, "{\"k\\\"ey\\\\\":\"say \\\"hi\\\" C:\\\\dir\\\\\"}",
		     "quotes and backslashes in name and value");
	free(out);
}

static void test_jsonw_escapes_newline_tab_and_return_by_name(void)
{
	struct capture cap;
	struct json_writer *jw = jsonw_new(capture_open(&cap));
	char *out;

	jsonw_string(jw, "a\nb\tc\rd");
	jsonw_destroy(&jw);
	out = capture_close(&cap);

	ASSERT_STREQ(out, "\"a\\nb\\tc\\rd\"", "\\n \\t \\r");
	free(out);
}

static void test_jsonw_escapes_other_control_chars_as_u00xx(void)
{
	char in[2], want[16], what[32], *out;
	int ch;

	for (ch = 1; ch < 0x20; ch++) {
		struct capture cap;
		struct json_writer *jw;

		if (ch == '\n' || ch == '\t' || ch == '\r')
			continue;
		jw = jsonw_new(capture_open(&cap));
		in[0] = (char)ch;
		in[1] = '\0';
		jsonw_string(jw, in);
		jsonw_destroy(&jw);
		out = capture_close(&cap);
		snprintf(want, sizeof(want), "\"\\u%04x\"", ch);
		snprintf(what, sizeof(what), "control char 0x%02x", ch);
		ASSERT_STREQ(out, want, what);
		free(out);
	}
}

static void test_jsonw_passes_utf8_and_printable_ascii_unchanged(void)
{
	struct capture cap;
	struct json_writer *jw = jsonw_new(capture_open(&cap));
	const char *in = "caf\xc3\xa9 ~/{}[]:,";
	char want[64], *out;

	jsonw_string(jw, in);
	jsonw_destroy(&jw);
	out = capture_close(&cap);

	snprintf(want, sizeof(want), "\"%s\"", in);
	ASSERT_STREQ(out, want, "UTF-8 and punctuation");
	free(out);
}

static void test_jsonw_nonfinite_floats_become_null(void)
{
	struct capture cap;
	struct json_writer *jw = jsonw_new(capture_open(&cap));
	char *out;

	jsonw_start_array(jw);
	jsonw_float(jw, NAN, 3);
	jsonw_float(jw, INFINITY, 3);
	jsonw_float(jw, -INFINITY, 3);
	jsonw_float(jw, 1.5, 2);
	jsonw_float(jw, 2.0, 0);
	jsonw_end_array(jw);
	jsonw_destroy(&jw);
	out = capture_close(&cap);

	ASSERT_STREQ(out, "[null,null,null,1.50,2]", "NaN, +inf, -inf, then finite");
	free(out);
}

static void test_jsonw_end_line_ends_record_and_next_starts_fresh(void)
{
	struct capture cap;
	struct json_writer *jw = jsonw_new(capture_open(&cap));
	char *out;

	jsonw_start_object(jw);
	jsonw_name(jw, "a");
	jsonw_uint(jw, 1);
	jsonw_end_object(jw);
	jsonw_end_line(jw);
	jsonw_start_object(jw);
	jsonw_name(jw, "b");
	jsonw_uint(jw, 2);
	jsonw_end_object(jw);
	jsonw_end_line(jw);
	jsonw_destroy(&jw);
	out = capture_close(&cap);

	ASSERT_STREQ(out, "{\"a\":1}\n{\"b\":2}\n", "two records, no comma between");
	free(out);
}

static const struct check_test tests[] = {
#include "test_json_writer.tests.h"
};

int main(int argc, char **argv)
{
	return check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
}
