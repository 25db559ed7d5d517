// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of what userspace computes without the kernel: the JSON writer,
 * table specs and the masks they become, the run command line, merging and
 * sorting counts, summing per-CPU values and the records output_record()
 * prints. Expected values are worked out from each test's inputs.
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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ASSERT_DBL_EQ(got, want, what)                                                      \
	({                                                                                  \
		double __dg = (got), __dw = (want);                                         \
		int __dok = ASSERT_TRUE(__dg == __dw, what);                                \
		if (!__dok)                                                                 \
			fprintf(stderr, "      got %.17g, want %.17g\n", __dg, __dw);        \
		__dok;                                                                      \
	})

/* Output written to memory: open, write, then take the text (caller frees). */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static FILE *capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	return c->f;
}

static char *capture_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

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

/* ---- table specs ---- */

static int parse_spec(const char *text, struct table_spec *s, char *err, size_t errlen)
{
	err[0] = '\0';
	return table_spec_parse(text, s, err, errlen);
}

static void expect_spec_ok(const char *text, struct table_spec *s)
{
	char err[256], what[320];
	int ret = parse_spec(text, s, err, sizeof(err));

	snprintf(what, sizeof(what), "'%s' parses (err: %s)", text, err);
	ASSERT_EQ(-ret, 0, what);
}

/* -EINVAL, and the reason names `part`: the piece the user has to fix. */
static void expect_spec_error(const char *text, const char *part)
{
	struct table_spec s;
	char err[256], what[320];
	int ret = parse_spec(text, &s, err, sizeof(err));

	snprintf(what, sizeof(what), "'%s' is -EINVAL", text);
	ASSERT_EQ(-ret, EINVAL, what);
	snprintf(what, sizeof(what), "error for '%s' names '%s'", text, part);
	ASSERT_CONTAINS(err, part, what);
}

static void test_spec_ports_counts_by_proto_and_dport(void)
{
	struct table_spec s;

	expect_spec_ok("ports=proto,dport", &s);
	ASSERT_STREQ(s.name, "ports", "name");
	ASSERT_EQ(s.fields, FT_FIELD_BIT(FT_F_PROTO) | FT_FIELD_BIT(FT_F_DPORT), "fields");
	ASSERT_EQ(s.size, FT_TABLE_DEFAULT_SIZE, "default size");
	ASSERT_EQ(s.lru, false, "not lru");
	ASSERT_EQ(s.dirmask, 0, "direction from the run");
}

static void test_spec_default_is_ports_proto_dport(void)
{
	struct table_spec def, parsed;

	table_spec_default(&def);
	expect_spec_ok("ports=proto,dport", &parsed);
	ASSERT_STREQ(def.name, parsed.name, "name");
	ASSERT_EQ(def.fields, parsed.fields, "fields");
	ASSERT_EQ(def.size, parsed.size, "size");
	ASSERT_EQ(def.lru, parsed.lru, "lru");
	ASSERT_EQ(def.dirmask, parsed.dirmask, "dirmask");
}

static void test_spec_saddr_prefix_and_size(void)
{
	struct table_spec s;

	expect_spec_ok("clients=saddr/24:size=65536", &s);
	ASSERT_STREQ(s.name, "clients", "name");
	ASSERT_EQ(s.fields, FT_FIELD_BIT(FT_F_SADDR), "fields");
	ASSERT_EQ(s.prefix[0][FT_FAMILY_IPV4], 24, "saddr IPv4 prefix");
	ASSERT_EQ(s.prefix[0][FT_FAMILY_IPV6], 128, "saddr IPv6 prefix stays full");
	ASSERT_EQ(s.size, 65536, "size");
}

static void test_spec_flow_is_the_5_tuple_with_full_prefixes(void)
{
	struct table_spec s;

	expect_spec_ok("flows=flow:size=1048576:lru", &s);
	ASSERT_EQ(s.fields,
		  FT_FIELD_BIT(FT_F_PROTO) | FT_FIELD_BIT(FT_F_SADDR) | FT_FIELD_BIT(FT_F_DADDR) |
			  FT_FIELD_BIT(FT_F_SPORT) | FT_FIELD_BIT(FT_F_DPORT),
		  "fields");
	ASSERT_EQ(s.prefix[0][FT_FAMILY_IPV4], 32, "saddr /32");
	ASSERT_EQ(s.prefix[0][FT_FAMILY_IPV6], 128, "saddr /128");
	ASSERT_EQ(s.prefix[1][FT_FAMILY_IPV4], 32, "daddr /32");
	ASSERT_EQ(s.prefix[1][FT_FAMILY_IPV6], 128, "daddr /128");
	ASSERT_EQ(s.size, 1048576, "size");
	ASSERT_EQ(s.lru, true, "lru");
}

static void test_spec_separate_v4_and_v6_prefixes_and_dir(void)
{
	struct table_spec s;

	expect_spec_ok("x=saddr/24/64,daddr//48:dir=egress", &s);
	ASSERT_EQ(s.fields, FT_FIELD_BIT(FT_F_SADDR) | FT_FIELD_BIT(FT_F_DADDR), "fields");
	ASSERT_EQ(s.prefix[0][FT_FAMILY_IPV4], 24, "saddr v4");
	ASSERT_EQ(s.prefix[0][FT_FAMILY_IPV6], 64, "saddr v6");
	ASSERT_EQ(s.prefix[1][FT_FAMILY_IPV4], 32, "daddr v4 left out stays /32");
	ASSERT_EQ(s.prefix[1][FT_FAMILY_IPV6], 48, "daddr v6");
	ASSERT_EQ(s.dirmask, FT_DIRMASK(FT_DIR_EGRESS), "dir=egress");
}

static void test_spec_vlan_ifindex_dscp(void)
{
	struct table_spec s;

	expect_spec_ok("q=vlan,ifindex,dscp", &s);
	ASSERT_EQ(s.fields,
		  FT_FIELD_BIT(FT_F_VLAN) | FT_FIELD_BIT(FT_F_IFINDEX) | FT_FIELD_BIT(FT_F_DSCP),
		  "fields");
}

static void test_spec_tos_is_an_alias_of_dscp(void)
{
	struct table_spec s;

	expect_spec_ok("t=tos", &s);
	ASSERT_EQ(s.fields, FT_FIELD_BIT(FT_F_DSCP), "tos -> dscp");
	expect_spec_error("t=dscp,tos", "twice");
}

static void test_spec_dir_option_sets_dirmask(void)
{
	struct table_spec s;

	expect_spec_ok("a=proto:dir=ingress", &s);
	ASSERT_EQ(s.dirmask, FT_DIRMASK(FT_DIR_INGRESS), "ingress");
	expect_spec_ok("a=proto:dir=egress", &s);
	ASSERT_EQ(s.dirmask, FT_DIRMASK(FT_DIR_EGRESS), "egress");
	expect_spec_ok("a=proto:dir=both", &s);
	ASSERT_EQ(s.dirmask, BOTH_DIRS, "both");
}

static void test_spec_size_at_maximum_is_accepted(void)
{
	struct table_spec s;
	char text[64];

	snprintf(text, sizeof(text), "a=proto:size=%u", FT_TABLE_MAX_SIZE);
	expect_spec_ok(text, &s);
	ASSERT_EQ(s.size, FT_TABLE_MAX_SIZE, "size");
}

static void test_spec_name_of_31_chars_is_accepted(void)
{
	struct table_spec s;
	char text[64];

	memset(text, 'n', FT_TABLE_NAME_MAX - 1);
	strcpy(text + FT_TABLE_NAME_MAX - 1, "=proto");
	expect_spec_ok(text, &s);
	ASSERT_EQ(strlen(s.name), FT_TABLE_NAME_MAX - 1, "name length");
}

static void test_spec_unknown_field_is_named(void)
{
	expect_spec_error("x=proto,bogus", "'bogus'");
}

static void test_spec_ipv4_prefix_above_32_is_rejected(void)
{
	expect_spec_error("x=saddr/33", "/33");
}

static void test_spec_ipv6_prefix_above_128_is_rejected(void)
{
	expect_spec_error("x=saddr//129", "/129");
	expect_spec_error("x=daddr/24/129", "/129");
}

static void test_spec_zero_prefix_is_rejected(void)
{
	expect_spec_error("x=daddr/0", "/0");
	expect_spec_error("x=daddr//0", "/0");
}

static void test_spec_non_numeric_prefix_is_rejected(void)
{
	expect_spec_error("x=saddr/ab", "/ab");
}

static void test_spec_prefix_on_non_address_field_is_rejected(void)
{
	expect_spec_error("x=dport/16", "'dport'");
}

static void test_spec_size_zero_is_rejected(void)
{
	expect_spec_error("x=proto:size=0", "'0'");
}

static void test_spec_size_above_maximum_is_rejected(void)
{
	char text[64], part[32];

	snprintf(text, sizeof(text), "x=proto:size=%u", FT_TABLE_MAX_SIZE + 1);
	snprintf(part, sizeof(part), "'%u'", FT_TABLE_MAX_SIZE + 1);
	expect_spec_error(text, part);
}

static void test_spec_size_not_a_number_is_rejected(void)
{
	expect_spec_error("x=proto:size=abc", "'abc'");
	expect_spec_error("x=proto:size=-1", "'-1'");
	expect_spec_error("x=proto:size=", "''");
}

static void test_spec_duplicate_field_is_rejected(void)
{
	expect_spec_error("x=proto,dport,proto", "'proto'");
	expect_spec_error("x=saddr/24,saddr/16", "'saddr'");
}

static void test_spec_missing_equals_is_rejected(void)
{
	expect_spec_error("proto,dport", "'='");
	expect_spec_error("proto,dport", "'proto,dport'");
}

static void test_spec_empty_fields_are_rejected(void)
{
	expect_spec_error("x=", "no key fields");
	expect_spec_error("x=:lru", "no key fields");
}

/* Commas alone are no more a key than nothing at all. */
static void test_spec_only_commas_is_no_key_fields(void)
{
	expect_spec_error("x=,", "no key fields");
	expect_spec_error("x=,,:lru", "no key fields");
}

/* 'flow' brings saddr and daddr at full length: after 'saddr/24' that would
 * silently undo the /24, so it is a field given twice, as 'flow,saddr' is. */
static void test_spec_flow_after_one_of_its_fields_is_a_duplicate(void)
{
	expect_spec_error("x=flow,saddr/24", "twice");
	expect_spec_error("x=saddr/24,flow", "twice");
	expect_spec_error("x=proto,flow", "twice");
}

static void test_spec_bad_name_chars_are_rejected(void)
{
	expect_spec_error("a.b=proto", "'a.b'");
	expect_spec_error("a b=proto", "'a b'");
	expect_spec_error("=proto", "name ''");
}

static void test_spec_name_of_32_chars_is_rejected(void)
{
	char text[64], part[40];

	memset(text, 'n', FT_TABLE_NAME_MAX);
	strcpy(text + FT_TABLE_NAME_MAX, "=proto");
	snprintf(part, sizeof(part), "'%.*s'", FT_TABLE_NAME_MAX, text);
	expect_spec_error(text, part);
}

static void test_spec_unknown_option_is_named(void)
{
	expect_spec_error("x=proto:bogus", "'bogus'");
	expect_spec_error("x=proto:size=10:lru:fast", "'fast'");
}

static void test_spec_unknown_dir_is_named(void)
{
	expect_spec_error("x=proto:dir=sideways", "'sideways'");
}

static void test_spec_too_long_is_rejected(void)
{
	char text[400];
	size_t i;

	strcpy(text, "x=proto");
	for (i = strlen(text); i < 300; i += 6)
		strcat(text, ",proto");
	expect_spec_error(text, "too long");
}

/* ---- table_spec_to_cfg ---- */

/* Compares two keys byte by byte and reports the first byte that differs. */
static void expect_key_bytes(const struct ft_key *got, const struct ft_key *want,
			     const char *what)
{
	const __u8 *g = (const __u8 *)got, *w = (const __u8 *)want;
	char msg[160];
	size_t i;

	for (i = 0; i < sizeof(*got); i++) {
		if (g[i] == w[i])
			continue;
		snprintf(msg, sizeof(msg), "%s: mask byte %zu", what, i);
		ASSERT_EQ(g[i], w[i], msg);
		return;
	}
}

static void test_cfg_ports_masks_proto_and_dport_only(void)
{
	struct table_spec s = spec_of("ports=proto,dport");
	struct ft_table_cfg cfg;
	struct ft_key want = {};
	int fam;

	want.proto = 0xff;
	want.dport = 0xffff;
	want.dir = 0xff;
	table_spec_to_cfg(&s, BOTH_DIRS, &cfg);
	for (fam = 0; fam < FT_FAMILIES; fam++)
		expect_key_bytes(&cfg.mask[fam], &want, fam == FT_FAMILY_IPV4 ? "v4" : "v6");
	ASSERT_EQ(cfg.active, 0, "to_cfg leaves the table inactive");
}

static void test_cfg_dir_is_always_kept(void)
{
	struct table_spec s = spec_of("q=vlan,ifindex,dscp");
	struct ft_table_cfg cfg;
	struct ft_key want = {};
	int fam;

	want.dir = 0xff;
	want.vlan = 0xffff;
	want.ifindex = 0xffffffff;
	want.dscp = 0xff;
	table_spec_to_cfg(&s, BOTH_DIRS, &cfg);
	for (fam = 0; fam < FT_FAMILIES; fam++) {
		ASSERT_EQ(cfg.mask[fam].dir, 0xff, "dir mask");
		expect_key_bytes(&cfg.mask[fam], &want, "vlan,ifindex,dscp");
	}
}

static void test_cfg_ports_mask_sport_when_asked(void)
{
	struct table_spec s = spec_of("p=sport");
	struct ft_table_cfg cfg;
	struct ft_key want = {};

	want.dir = 0xff;
	want.sport = 0xffff;
	table_spec_to_cfg(&s, BOTH_DIRS, &cfg);
	expect_key_bytes(&cfg.mask[FT_FAMILY_IPV4], &want, "sport");
}

/* Expected address mask of `bits` leading ones, written out bit by bit. */
static void prefix_bytes(__u8 *out, unsigned int bits)
{
	unsigned int i;

	memset(out, 0, 16);
	for (i = 0; i < bits && i < 128; i++)
		out[i / 8] |= 0x80 >> (i % 8);
}

static void test_cfg_ipv4_prefix_counts_from_the_mapped_part(void)
{
	struct table_spec s = spec_of("clients=saddr/24");
	struct ft_table_cfg cfg;
	struct ft_key want = {};

	table_spec_to_cfg(&s, BOTH_DIRS, &cfg);
	want.dir = 0xff;
	/* ::ffff:a.b.c.d: 96 bits before the IPv4 address, then its /24 */
	prefix_bytes(want.saddr, 96 + 24);
	ASSERT_EQ(want.saddr[11], 0xff, "expected mask covers the ffff of the mapping");
	ASSERT_EQ(want.saddr[14], 0xff, "expected mask covers the third octet");
	ASSERT_EQ(want.saddr[15], 0x00, "expected mask leaves the last octet");
	expect_key_bytes(&cfg.mask[FT_FAMILY_IPV4], &want, "IPv4 saddr/24");

	prefix_bytes(want.saddr, 128);
	expect_key_bytes(&cfg.mask[FT_FAMILY_IPV6], &want, "IPv6 saddr left at /128");
}

static void test_cfg_ipv6_prefix_64_keeps_first_8_bytes(void)
{
	struct table_spec s = spec_of("x=saddr/24/64");
	struct ft_table_cfg cfg;
	struct ft_key want = {};
	int i;

	table_spec_to_cfg(&s, BOTH_DIRS, &cfg);
	want.dir = 0xff;
	for (i = 0; i < 8; i++)
		want.saddr[i] = 0xff;
	expect_key_bytes(&cfg.mask[FT_FAMILY_IPV6], &want, "IPv6 saddr/64");
}

static void test_cfg_prefix_inside_a_byte_masks_its_high_bits(void)
{
	struct table_spec s = spec_of("x=daddr/20/60");
	struct ft_table_cfg cfg;
	struct ft_key want = {};

	table_spec_to_cfg(&s, BOTH_DIRS, &cfg);
	want.dir = 0xff;
	prefix_bytes(want.daddr, 96 + 20);
	ASSERT_EQ(want.daddr[14], 0xf0, "expected: 4 bits of the third octet");
	expect_key_bytes(&cfg.mask[FT_FAMILY_IPV4], &want, "IPv4 daddr/20");
	prefix_bytes(want.daddr, 60);
	ASSERT_EQ(want.daddr[7], 0xf0, "expected: 4 bits of byte 7");
	expect_key_bytes(&cfg.mask[FT_FAMILY_IPV6], &want, "IPv6 daddr/60");
}

static void test_cfg_flow_masks_the_whole_5_tuple(void)
{
	struct table_spec s = spec_of("f=flow");
	struct ft_table_cfg cfg;
	struct ft_key want = {};
	int fam;

	table_spec_to_cfg(&s, BOTH_DIRS, &cfg);
	want.dir = 0xff;
	want.proto = 0xff;
	want.sport = 0xffff;
	want.dport = 0xffff;
	memset(want.saddr, 0xff, sizeof(want.saddr));
	memset(want.daddr, 0xff, sizeof(want.daddr));
	for (fam = 0; fam < FT_FAMILIES; fam++)
		expect_key_bytes(&cfg.mask[fam], &want, "flow");
}

static void test_cfg_key_class_follows_address_fields_and_lru(void)
{
	static const struct {
		const char *spec;
		int kclass;
	} cases[] = {
		{ "a=proto,dport", FT_KCLASS_NARROW },
		{ "a=proto,dport:lru", FT_KCLASS_NARROW_LRU },
		{ "a=vlan,ifindex,dscp,sport", FT_KCLASS_NARROW },
		{ "a=saddr/24", FT_KCLASS_WIDE },
		{ "a=daddr:lru", FT_KCLASS_WIDE_LRU },
		{ "a=flow:lru", FT_KCLASS_WIDE_LRU },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct table_spec s = spec_of(cases[i].spec);
		struct ft_table_cfg cfg;

		table_spec_to_cfg(&s, BOTH_DIRS, &cfg);
		ASSERT_EQ(cfg.kclass, cases[i].kclass, cases[i].spec);
	}
}

static void test_cfg_table_dir_overrides_the_run_direction(void)
{
	struct table_spec own = spec_of("a=proto:dir=egress"), inherit = spec_of("b=proto");
	struct ft_table_cfg cfg;

	table_spec_to_cfg(&own, BOTH_DIRS, &cfg);
	ASSERT_EQ(cfg.dirmask, FT_DIRMASK(FT_DIR_EGRESS), "table's own dir");
	table_spec_to_cfg(&inherit, FT_DIRMASK(FT_DIR_INGRESS), &cfg);
	ASSERT_EQ(cfg.dirmask, FT_DIRMASK(FT_DIR_INGRESS), "run's dir");
}

/* ---- table_spec_key_text ---- */

static void test_key_text_lists_fields_in_canonical_order(void)
{
	struct table_spec s = spec_of("x=dport,proto,vlan");
	char buf[128];

	table_spec_key_text(&s, buf, sizeof(buf));
	ASSERT_STREQ(buf, "proto,dport,vlan", "key text");
}

static void test_key_text_writes_prefixes_only_when_not_full(void)
{
	struct table_spec s = spec_of("x=saddr/24/64,daddr//48");
	char buf[128];

	table_spec_key_text(&s, buf, sizeof(buf));
	ASSERT_STREQ(buf, "saddr/24/64,daddr//48", "shortest form of each prefix");
	s = spec_of("x=saddr,daddr");
	table_spec_key_text(&s, buf, sizeof(buf));
	ASSERT_STREQ(buf, "saddr,daddr", "full addresses");
}

static void test_key_text_round_trips_through_parse(void)
{
	static const char *const specs[] = {
		"a=proto,dport", "a=flow", "a=saddr/24/64,daddr//48",
		"a=vlan,ifindex", "a=dscp,sport", "a=daddr/7,proto,dscp",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		struct table_spec first, again;
		char keytext[128], text[160], err[256];
		int ret;

		first = spec_of(specs[i]);
		table_spec_key_text(&first, keytext, sizeof(keytext));
		snprintf(text, sizeof(text), "b=%s", keytext);
		ret = parse_spec(text, &again, err, sizeof(err));
		ASSERT_EQ(-ret, 0, text);
		ASSERT_EQ(again.fields, first.fields, text);
		ASSERT_EQ(memcmp(again.prefix, first.prefix, sizeof(first.prefix)), 0, text);
	}
}

static void test_key_text_truncates_inside_the_buffer(void)
{
	struct table_spec s = spec_of("a=flow");
	char buf[16];
	size_t len = 8;

	memset(buf, 'Z', sizeof(buf));
	table_spec_key_text(&s, buf, len);
	ASSERT_TRUE(memchr(buf, '\0', len) != NULL, "terminated within len");
	ASSERT_EQ(strncmp(buf, "proto,s", len), 0, "prefix of the full text");
	ASSERT_EQ(buf[len], 'Z', "nothing written past len");
}

/* ---- run_opts_parse ---- */

static char arg_store[64][80];
static char *arg_ptrs[65];

/* Copies the arguments into writable storage (getopt_long permutes argv) that
 * stays valid until the next call, then parses them after "run". */
static int parse_args(struct run_opts *o, char *err, size_t errlen, const char *const *args,
		      int n)
{
	int i;

	snprintf(arg_store[0], sizeof(arg_store[0]), "run");
	for (i = 0; i < n; i++)
		snprintf(arg_store[i + 1], sizeof(arg_store[i + 1]), "%s", args[i]);
	for (i = 0; i <= n; i++)
		arg_ptrs[i] = arg_store[i];
	arg_ptrs[n + 1] = NULL;
	err[0] = '\0';
	return run_opts_parse(n + 1, arg_ptrs, o, err, errlen);
}

#define PARSE(o, err, ...)                                                                  \
	({                                                                                  \
		static const char *const __args[] = { __VA_ARGS__ };                        \
		parse_args(o, err, sizeof(err), __args, (int)ARRAY_SIZE(__args));          \
	})

static struct run_opts opts;

static void expect_opts_ok(int ret, const char *err, const char *what)
{
	char msg[320];

	snprintf(msg, sizeof(msg), "%s (returned %d, err: %s)", what, ret, err);
	ASSERT_EQ(ret, OPTS_RUN, msg);
}

static void expect_opts_error(int ret, const char *err, const char *part, const char *what)
{
	char msg[320];

	snprintf(msg, sizeof(msg), "%s is -EINVAL", what);
	ASSERT_EQ(-ret, EINVAL, msg);
	snprintf(msg, sizeof(msg), "%s: error names '%s'", what, part);
	ASSERT_CONTAINS(err, part, msg);
}

static void test_opts_defaults(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0");

	expect_opts_ok(ret, err, "-i eth0");
	ASSERT_EQ(opts.nr_ifaces, 1, "interfaces");
	ASSERT_STREQ(opts.ifaces[0], "eth0", "interface");
	ASSERT_DBL_EQ(opts.interval, 1.0, "interval");
	ASSERT_DBL_EQ(opts.duration, 0.0, "duration: until stopped");
	ASSERT_EQ(opts.top, 20, "top");
	ASSERT_EQ(opts.dirmask, BOTH_DIRS, "both directions");
	ASSERT_EQ(opts.json, false, "text");
	ASSERT_EQ(opts.verbose, false, "quiet");
	ASSERT_EQ(opts.xdp_mode, XDP_MODE_AUTO, "xdp mode");
	ASSERT_EQ(opts.nr_tables, 1, "one default table");
	ASSERT_STREQ(opts.tables[0].name, "ports", "default table name");
	ASSERT_EQ(opts.tables[0].fields, FT_FIELD_BIT(FT_F_PROTO) | FT_FIELD_BIT(FT_F_DPORT),
		  "default table fields");
}

static void test_opts_iface_repeats_in_order(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0", "--iface", "eth1", "-i", "veth2");

	expect_opts_ok(ret, err, "three interfaces");
	ASSERT_EQ(opts.nr_ifaces, 3, "interfaces");
	ASSERT_STREQ(opts.ifaces[0], "eth0", "first");
	ASSERT_STREQ(opts.ifaces[1], "eth1", "second");
	ASSERT_STREQ(opts.ifaces[2], "veth2", "third");
}

static void test_opts_sixteen_ifaces_are_accepted(void)
{
	const char *args[2 * FT_MAX_IFACES];
	char names[FT_MAX_IFACES][16], err[256];
	int i, ret;

	for (i = 0; i < FT_MAX_IFACES; i++) {
		snprintf(names[i], sizeof(names[i]), "eth%d", i);
		args[2 * i] = "-i";
		args[2 * i + 1] = names[i];
	}
	ret = parse_args(&opts, err, sizeof(err), args, 2 * FT_MAX_IFACES);
	expect_opts_ok(ret, err, "FT_MAX_IFACES interfaces");
	ASSERT_EQ(opts.nr_ifaces, FT_MAX_IFACES, "interfaces");
	ASSERT_STREQ(opts.ifaces[FT_MAX_IFACES - 1], names[FT_MAX_IFACES - 1], "last");
}

static void test_opts_json(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0", "--json");

	expect_opts_ok(ret, err, "--json");
	ASSERT_EQ(opts.json, true, "--json");
	ret = PARSE(&opts, err, "-j", "-i", "eth0");
	expect_opts_ok(ret, err, "-j");
	ASSERT_EQ(opts.json, true, "-j");
}

static void test_opts_interval_takes_fractions(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0", "--interval", "0.5");

	expect_opts_ok(ret, err, "--interval 0.5");
	ASSERT_DBL_EQ(opts.interval, 0.5, "interval");
	ret = PARSE(&opts, err, "-i", "eth0", "-n", "2");
	expect_opts_ok(ret, err, "-n 2");
	ASSERT_DBL_EQ(opts.interval, 2.0, "interval");
}

static void test_opts_interval_at_minimum_is_accepted(void)
{
	const char *args[4] = { "-i", "eth0", "--interval" };
	char value[32], err[256];
	int ret;

	snprintf(value, sizeof(value), "%g", FT_MIN_INTERVAL);
	args[3] = value;
	ret = parse_args(&opts, err, sizeof(err), args, 4);
	expect_opts_ok(ret, err, "--interval FT_MIN_INTERVAL");
	ASSERT_DBL_EQ(opts.interval, FT_MIN_INTERVAL, "interval");
}

static void test_opts_duration(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0", "--duration", "10");

	expect_opts_ok(ret, err, "--duration 10");
	ASSERT_DBL_EQ(opts.duration, 10.0, "duration");
}

static void test_opts_direction(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0", "--direction", "ingress");

	expect_opts_ok(ret, err, "--direction ingress");
	ASSERT_EQ(opts.dirmask, FT_DIRMASK(FT_DIR_INGRESS), "ingress");
	ret = PARSE(&opts, err, "-i", "eth0", "-d", "egress");
	expect_opts_ok(ret, err, "-d egress");
	ASSERT_EQ(opts.dirmask, FT_DIRMASK(FT_DIR_EGRESS), "egress");
}

static void test_opts_top(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0", "--top", "5");

	expect_opts_ok(ret, err, "--top 5");
	ASSERT_EQ(opts.top, 5, "top");
	ret = PARSE(&opts, err, "-i", "eth0", "--top", "0");
	expect_opts_ok(ret, err, "--top 0");
	ASSERT_EQ(opts.top, 0, "top 0: all rows");
}

static void test_opts_xdp_mode(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0", "--xdp-mode", "generic");

	expect_opts_ok(ret, err, "--xdp-mode generic");
	ASSERT_EQ(opts.xdp_mode, XDP_MODE_GENERIC, "generic");
	ret = PARSE(&opts, err, "-i", "eth0", "--xdp-mode", "native");
	expect_opts_ok(ret, err, "--xdp-mode native");
	ASSERT_EQ(opts.xdp_mode, XDP_MODE_NATIVE, "native");
}

static void test_opts_ingress_hook(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0");

	expect_opts_ok(ret, err, "default");
	ASSERT_EQ(opts.ingress_hook, INGRESS_HOOK_AUTO, "auto by default");
	ret = PARSE(&opts, err, "-i", "eth0", "--ingress-hook", "tcx");
	expect_opts_ok(ret, err, "--ingress-hook tcx");
	ASSERT_EQ(opts.ingress_hook, INGRESS_HOOK_TCX, "tcx");
	ret = PARSE(&opts, err, "-i", "eth0", "--ingress-hook", "xdp", "--xdp-mode", "generic");
	expect_opts_ok(ret, err, "--ingress-hook xdp --xdp-mode generic");
	ASSERT_EQ(opts.ingress_hook, INGRESS_HOOK_XDP, "xdp");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--ingress-hook", "tc"), err,
			  "ingress hook 'tc' unknown (auto, xdp, tcx)", "unknown hook");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--ingress-hook", "tcx", "--xdp-mode",
				"native"),
			  err, "not with --ingress-hook tcx", "tcx with an XDP mode");
}

static void test_opts_tables_replace_the_default(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0", "-t", "clients=saddr/24", "--table",
			"flows=flow:lru");

	expect_opts_ok(ret, err, "two tables");
	ASSERT_EQ(opts.nr_tables, 2, "tables");
	ASSERT_STREQ(opts.tables[0].name, "clients", "first");
	ASSERT_STREQ(opts.tables[1].name, "flows", "second");
	ASSERT_EQ(opts.tables[1].lru, true, "second is lru");
}

static void test_opts_help_returns_help(void)
{
	char err[256];

	ASSERT_EQ(PARSE(&opts, err, "-h"), OPTS_HELP, "-h");
	ASSERT_EQ(PARSE(&opts, err, "-i", "eth0", "--help"), OPTS_HELP, "--help");
}

static void test_opts_no_iface_is_an_error(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "--json"), err, "-i IFACE", "no -i");
}

static void test_opts_interval_zero_is_an_error(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--interval", "0"), err, "'0'",
			  "--interval 0");
}

static void test_opts_interval_not_a_number_is_an_error(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--interval", "abc"), err, "'abc'",
			  "--interval abc");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--interval", "1s"), err, "'1s'",
			  "--interval 1s");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--interval", "nan"), err, "'nan'",
			  "--interval nan");
}

static void test_opts_interval_below_minimum_is_an_error(void)
{
	const char *args[4] = { "-i", "eth0", "--interval" };
	char value[32], part[40], err[256];

	snprintf(value, sizeof(value), "%g", FT_MIN_INTERVAL / 10);
	snprintf(part, sizeof(part), "'%s'", value);
	args[3] = value;
	expect_opts_error(parse_args(&opts, err, sizeof(err), args, 4), err, part,
			  "--interval below FT_MIN_INTERVAL");
}

static void test_opts_negative_duration_is_an_error(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--duration", "-1"), err, "'-1'",
			  "--duration -1");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--duration", "0"), err, "'0'",
			  "--duration 0");
}

static void test_opts_unknown_option_is_named(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--bogus"), err, "'--bogus'",
			  "--bogus");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "-x"), err, "'-x'", "-x");
}

static void test_opts_missing_value_is_named(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--interval"), err, "'--interval'",
			  "--interval without value");
	expect_opts_error(PARSE(&opts, err, "-i"), err, "'-i'", "-i without value");
}

static void test_opts_extra_argument_is_named(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "extra"), err, "'extra'",
			  "positional argument");
}

static void test_opts_duplicate_table_name_is_named(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "-t", "a=proto", "-t", "a=dport"),
			  err, "'a'", "table a twice");
}

static void test_opts_bad_table_spec_is_reported(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "-t", "x=bogus"), err, "'bogus'",
			  "-t x=bogus");
}

static void test_opts_seventeen_ifaces_is_an_error(void)
{
	const char *args[2 * (FT_MAX_IFACES + 1)];
	char names[FT_MAX_IFACES + 1][16], err[256];
	int i;

	for (i = 0; i <= FT_MAX_IFACES; i++) {
		snprintf(names[i], sizeof(names[i]), "eth%d", i);
		args[2 * i] = "-i";
		args[2 * i + 1] = names[i];
	}
	expect_opts_error(parse_args(&opts, err, sizeof(err), args, 2 * (FT_MAX_IFACES + 1)),
			  err, "too many interfaces", "FT_MAX_IFACES + 1 interfaces");
}

static void test_opts_bad_direction_top_and_xdp_mode_are_named(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "-d", "up"), err, "'up'", "-d up");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--top", "-1"), err, "'-1'",
			  "--top -1");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--top", "many"), err, "'many'",
			  "--top many");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--xdp-mode", "fast"), err, "'fast'",
			  "--xdp-mode fast");
}

/*
 * A parse that stops inside a group of short options ("-hj" returns at -h)
 * must not leak into the next parse: run_opts_parse says it starts afresh.
 * The first argv stays alive so that any stale reference reads valid memory.
 */
static void test_opts_parse_after_stopping_in_option_group_starts_fresh(void)
{
	static char a0[] = "run", a1[] = "-hj";
	static char *first[] = { a0, a1, NULL };
	char err[256];
	int ret;

	ASSERT_EQ(run_opts_parse(2, first, &opts, err, sizeof(err)), OPTS_HELP, "-hj");
	ret = PARSE(&opts, err, "-i", "eth0");
	expect_opts_ok(ret, err, "-i eth0 after -hj");
	ASSERT_EQ(opts.json, false, "no -j carried over from the previous argv");
	ASSERT_EQ(opts.nr_ifaces, 1, "interfaces");
}

/* ---- counts ---- */


static void append(struct ft_counts *c, __u32 table, struct ft_key k, __u64 packets, __u64 bytes)
{
	struct ft_value v = { .packets = packets, .bytes = bytes };

	ASSERT_EQ(counts_append(c, table, &k, &v), 0, "counts_append");
}

/* The entry of (table, key), or NULL; fails the test if there are two. */
static const struct ft_entry *find_entry(const struct ft_counts *c, __u32 table,
					 const struct ft_key *k)
{
	const struct ft_entry *found = NULL;
	int n = 0;
	size_t i;

	for (i = 0; i < c->nr_entries; i++) {
		if (c->entries[i].table != table || memcmp(&c->entries[i].key, k, sizeof(*k)))
			continue;
		found = &c->entries[i];
		n++;
	}
	ASSERT_TRUE(n <= 1, "each (table, key) is one entry");
	return found;
}

static void test_counts_merge_sums_same_table_and_key(void)
{
	struct ft_counts a, b, dst;
	struct ft_key k = port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS);
	const struct ft_entry *e;

	counts_init(&a);
	counts_init(&b);
	counts_init(&dst);
	append(&a, 0, k, 1, 100);
	append(&b, 0, k, 2, 300);
	ASSERT_EQ(counts_merge(&dst, &a), 0, "merge a");
	ASSERT_EQ(counts_merge(&dst, &b), 0, "merge b");
	ASSERT_EQ(dst.nr_entries, 1, "one entry");
	e = find_entry(&dst, 0, &k);
	if (ASSERT_TRUE(e, "entry present")) {
		ASSERT_EQ(e->val.packets, 1 + 2, "packets");
		ASSERT_EQ(e->val.bytes, 100 + 300, "bytes");
	}
	counts_free(&a);
	counts_free(&b);
	counts_free(&dst);
}

static void test_counts_merge_keeps_other_table_or_key_apart(void)
{
	struct ft_counts a, b, dst;
	struct ft_key k = port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS);
	struct ft_key k_udp = port_key(IPPROTO_UDP, 443, FT_DIR_INGRESS);
	struct ft_key k_egress = port_key(IPPROTO_TCP, 443, FT_DIR_EGRESS);
	const struct ft_entry *e;

	counts_init(&a);
	counts_init(&b);
	counts_init(&dst);
	append(&a, 0, k, 1, 10);
	append(&b, 1, k, 2, 20);
	append(&b, 0, k_udp, 3, 30);
	append(&b, 0, k_egress, 4, 40);
	counts_merge(&dst, &a);
	counts_merge(&dst, &b);
	ASSERT_EQ(dst.nr_entries, 4, "four entries");
	e = find_entry(&dst, 0, &k);
	if (ASSERT_TRUE(e, "table 0 tcp/443"))
		ASSERT_EQ(e->val.bytes, 10, "table 0 tcp/443 alone");
	e = find_entry(&dst, 1, &k);
	if (ASSERT_TRUE(e, "table 1 tcp/443"))
		ASSERT_EQ(e->val.bytes, 20, "same key, other table");
	e = find_entry(&dst, 0, &k_udp);
	if (ASSERT_TRUE(e, "table 0 udp/443"))
		ASSERT_EQ(e->val.bytes, 30, "other proto");
	e = find_entry(&dst, 0, &k_egress);
	if (ASSERT_TRUE(e, "table 0 tcp/443 egress"))
		ASSERT_EQ(e->val.bytes, 40, "other direction");
	counts_free(&a);
	counts_free(&b);
	counts_free(&dst);
}

/* A distinct value in every counter cell, scaled: iface cell i holds scale * (i + 1)
 * packets, table cell i scale * (i + 7), each of 64 bytes. */
static void fill_counters(struct ft_counts *c, __u64 scale)
{
	struct ft_value *iv = (struct ft_value *)c->iface, *tv = (struct ft_value *)c->table;
	size_t i;

	for (i = 0; i < FT_IFACE_COUNTERS; i++) {
		iv[i].packets = scale * (i + 1);
		iv[i].bytes = scale * (i + 1) * 64;
	}
	for (i = 0; i < FT_TABLE_COUNTERS; i++) {
		tv[i].packets = scale * (i + 7);
		tv[i].bytes = scale * (i + 7) * 64;
	}
}

static void test_counts_merge_adds_iface_and_table_counters(void)
{
	static struct ft_counts a, b, dst;
	const struct ft_value *iv, *tv;
	size_t i, bad = 0;

	counts_init(&a);
	counts_init(&b);
	counts_init(&dst);
	fill_counters(&a, 1);
	fill_counters(&b, 1000);
	counts_merge(&dst, &a);
	counts_merge(&dst, &b);
	iv = (const struct ft_value *)dst.iface;
	tv = (const struct ft_value *)dst.table;
	for (i = 0; i < FT_IFACE_COUNTERS; i++)
		bad += iv[i].packets != 1001 * (i + 1) || iv[i].bytes != 1001 * (i + 1) * 64;
	ASSERT_EQ(bad, 0, "iface cells that are not a + b");
	bad = 0;
	for (i = 0; i < FT_TABLE_COUNTERS; i++)
		bad += tv[i].packets != 1001 * (i + 7) || tv[i].bytes != 1001 * (i + 7) * 64;
	ASSERT_EQ(bad, 0, "table cells that are not a + b");
	counts_free(&a);
	counts_free(&b);
	counts_free(&dst);
}

static void test_counts_merge_spans_earliest_start_to_latest_end(void)
{
	static struct ft_counts a, b, c, empty, dst;

	counts_init(&a);
	counts_init(&b);
	counts_init(&c);
	counts_init(&empty);
	counts_init(&dst);
	a.start = 100.0;
	a.end = 101.0;
	b.start = 99.5;
	b.end = 100.5;
	c.start = 101.0;
	c.end = 102.25;
	counts_merge(&dst, &a);
	ASSERT_DBL_EQ(dst.start, a.start, "start of the first merge");
	ASSERT_DBL_EQ(dst.end, a.end, "end of the first merge");
	counts_merge(&dst, &b);
	ASSERT_DBL_EQ(dst.start, b.start, "earlier start wins");
	ASSERT_DBL_EQ(dst.end, a.end, "earlier end does not");
	counts_merge(&dst, &c);
	ASSERT_DBL_EQ(dst.start, b.start, "later start does not");
	ASSERT_DBL_EQ(dst.end, c.end, "later end wins");
	counts_merge(&dst, &empty);
	ASSERT_DBL_EQ(dst.start, b.start, "unset start (0) is not earlier");
	ASSERT_DBL_EQ(dst.end, c.end, "unset end (0) is not later");
}

static void test_counts_merge_100k_keys_twice_doubles_every_value(void)
{
	enum { N = 100000 };
	static struct ft_counts src, dst;
	size_t i, bad = 0;

	counts_init(&src);
	counts_init(&dst);
	for (i = 0; i < N; i++) {
		struct ft_key k = port_key(IPPROTO_UDP, (__u16)(i % 65536), FT_DIR_INGRESS);

		k.saddr[15] = (__u8)(i / 65536);
		append(&src, (__u32)(i % 3), k, i + 1, (i + 1) * 64);
	}
	ASSERT_EQ(counts_merge(&dst, &src), 0, "first merge");
	ASSERT_EQ(counts_merge(&dst, &src), 0, "second merge");
	ASSERT_EQ(dst.nr_entries, N, "entries");
	for (i = 0; i < N && i < dst.nr_entries; i++) {
		const struct ft_entry *s = &src.entries[i], *d = &dst.entries[i];

		/* the first merge appends in src's order */
		bad += d->table != s->table || memcmp(&d->key, &s->key, sizeof(d->key)) ||
		       d->val.packets != 2 * s->val.packets || d->val.bytes != 2 * s->val.bytes;
	}
	ASSERT_EQ(bad, 0, "entries that are not their key's value doubled");
	counts_free(&src);
	counts_free(&dst);
}

static void test_counts_drop_table_removes_only_that_table(void)
{
	static struct ft_counts c, more;
	struct ft_key k1 = port_key(IPPROTO_TCP, 80, FT_DIR_INGRESS);
	struct ft_key k2 = port_key(IPPROTO_TCP, 22, FT_DIR_INGRESS);
	const struct ft_entry *e;

	counts_init(&c);
	counts_init(&more);
	append(&more, 0, k1, 1, 100);
	append(&more, 1, k1, 2, 200);
	append(&more, 2, k2, 3, 300);
	append(&more, 1, k2, 4, 400);
	more.table[1][FT_DIR_INGRESS][FT_TBL_OVERFLOW].packets = 5;
	more.table[0][FT_DIR_INGRESS][FT_TBL_OVERFLOW].packets = 6;
	counts_merge(&c, &more);

	counts_drop_table(&c, 1);
	ASSERT_EQ(c.nr_entries, 2, "entries left");
	ASSERT_TRUE(!find_entry(&c, 1, &k1) && !find_entry(&c, 1, &k2), "table 1 gone");
	ASSERT_EQ(c.table[1][FT_DIR_INGRESS][FT_TBL_OVERFLOW].packets, 0, "table 1 counters");
	ASSERT_EQ(c.table[0][FT_DIR_INGRESS][FT_TBL_OVERFLOW].packets, 6, "table 0 counters");

	/* the index follows: merging again still finds the entries that stayed */
	counts_merge(&c, &more);
	e = find_entry(&c, 0, &k1);
	if (ASSERT_TRUE(e, "table 0 entry"))
		ASSERT_EQ(e->val.packets, 1 + 1, "table 0 summed after the drop");
	e = find_entry(&c, 2, &k2);
	if (ASSERT_TRUE(e, "table 2 entry"))
		ASSERT_EQ(e->val.packets, 3 + 3, "table 2 summed after the drop");
	ASSERT_EQ(c.nr_entries, 4, "table 1 entries back once each");
	counts_free(&c);
	counts_free(&more);
}

static void test_counts_sort_orders_by_table_then_bytes_then_packets(void)
{
	static struct ft_counts c, more;
	/* (table, bytes, packets) in the order the sort must give */
	static const struct {
		__u32 table;
		__u64 bytes, packets;
	} want[] = {
		{ 0, 500, 1 }, { 0, 50, 3 }, { 0, 50, 1 },
		{ 1, 1000, 2 }, { 1, 10, 9 }, { 3, 7, 7 },
	};
	/* appended in this (shuffled) order of want[] */
	static const int order[] = { 4, 2, 5, 0, 3, 1 };
	char what[64];
	size_t i;

	counts_init(&c);
	counts_init(&more);
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		int w = order[i];

		append(&c, want[w].table, port_key(IPPROTO_UDP, (__u16)(1000 + w), 0),
		       want[w].packets, want[w].bytes);
	}
	counts_sort(&c);
	ASSERT_EQ(c.nr_entries, ARRAY_SIZE(want), "entries");
	for (i = 0; i < ARRAY_SIZE(want) && i < c.nr_entries; i++) {
		snprintf(what, sizeof(what), "entry %zu table", i);
		ASSERT_EQ(c.entries[i].table, want[i].table, what);
		snprintf(what, sizeof(what), "entry %zu bytes", i);
		ASSERT_EQ(c.entries[i].val.bytes, want[i].bytes, what);
		snprintf(what, sizeof(what), "entry %zu packets", i);
		ASSERT_EQ(c.entries[i].val.packets, want[i].packets, what);
	}

	/* merging after a sort still adds to the entries where they now are */
	append(&more, 1, port_key(IPPROTO_UDP, 1000 + 4, 0), 1, 1);
	counts_merge(&c, &more);
	counts_merge(&c, &more);
	ASSERT_EQ(c.nr_entries, ARRAY_SIZE(want), "no new entries");
	counts_free(&c);
	counts_free(&more);
}

static void test_counts_reset_forgets_counts_but_keeps_allocations(void)
{
	static struct ft_counts c, src;
	struct ft_key k = port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS);
	const struct ft_entry *e;
	struct ft_entry *entries;
	__u32 *index;
	size_t cap, index_size, i;

	counts_init(&c);
	counts_init(&src);
	for (i = 0; i < 300; i++)
		append(&src, 0, port_key(IPPROTO_UDP, (__u16)i, 0), 1, 1);
	fill_counters(&src, 1);
	src.start = 10;
	src.end = 11;
	counts_merge(&c, &src);
	entries = c.entries;
	index = c.index;
	cap = c.cap_entries;
	index_size = c.index_size;

	counts_reset(&c);
	ASSERT_EQ(c.nr_entries, 0, "no entries");
	ASSERT_DBL_EQ(c.start, 0, "start");
	ASSERT_DBL_EQ(c.end, 0, "end");
	ASSERT_EQ(c.iface[0][0][FT_CNT_SEEN].packets, 0, "iface counters");
	ASSERT_EQ(c.table[0][0][FT_TBL_OVERFLOW].packets, 0, "table counters");
	ASSERT_TRUE(c.entries == entries, "entries array kept");
	ASSERT_EQ(c.cap_entries, cap, "capacity kept");
	ASSERT_TRUE(c.index == index, "index kept");
	ASSERT_EQ(c.index_size, index_size, "index size kept");

	/* counts before the reset are gone: a merge starts from zero */
	counts_reset(&src);
	append(&src, 0, k, 2, 20);
	counts_merge(&c, &src);
	ASSERT_EQ(c.nr_entries, 1, "one entry after the reset");
	e = find_entry(&c, 0, &k);
	if (ASSERT_TRUE(e, "entry"))
		ASSERT_EQ(e->val.packets, 2, "packets");
	counts_free(&c);
	counts_free(&src);
}

/*
 * counts_merge() promises that the same table and key add up. An entry
 * appended to dst after a merge built dst's index must be found too.
 */
static void test_counts_merge_after_append_sums_same_key(void)
{
	static struct ft_counts dst, a, b;
	struct ft_key k1 = port_key(IPPROTO_TCP, 80, FT_DIR_INGRESS);
	struct ft_key k2 = port_key(IPPROTO_TCP, 22, FT_DIR_INGRESS);
	const struct ft_entry *e;

	counts_init(&dst);
	counts_init(&a);
	counts_init(&b);
	append(&a, 0, k1, 1, 10);
	counts_merge(&dst, &a);
	append(&dst, 0, k2, 2, 20);
	append(&b, 0, k2, 3, 30);
	counts_merge(&dst, &b);
	ASSERT_EQ(dst.nr_entries, 2, "entries");
	e = find_entry(&dst, 0, &k2);
	if (ASSERT_TRUE(e, "appended entry"))
		ASSERT_EQ(e->val.packets, 2 + 3, "appended then merged");
	counts_free(&dst);
	counts_free(&a);
	counts_free(&b);
}

/* ---- percpu_sum ---- */

static void test_percpu_sum_adds_every_cpu(void)
{
	enum { NCPUS = 4 };
	size_t stride = ft_value_stride();
	char *vals = malloc(stride * (NCPUS + 1));
	struct ft_value sum, v;
	__u64 want_p = 0, want_b = 0;
	int cpu;

	if (!ASSERT_TRUE(vals, "malloc"))
		return;
	ASSERT_TRUE(stride >= sizeof(struct ft_value) && stride % 8 == 0,
		    "stride holds a value, 8-byte aligned");
	/* padding and the slot after the last CPU hold garbage that must not count */
	memset(vals, 0xa5, stride * (NCPUS + 1));
	for (cpu = 0; cpu < NCPUS; cpu++) {
		v.packets = cpu + 1;
		v.bytes = (cpu + 1) * 1500ull;
		memcpy(vals + cpu * stride, &v, sizeof(v));
		want_p += v.packets;
		want_b += v.bytes;
	}
	percpu_sum(vals, NCPUS, &sum);
	ASSERT_EQ(sum.packets, want_p, "packets");
	ASSERT_EQ(sum.bytes, want_b, "bytes");
	free(vals);
}

static void test_percpu_sum_starts_from_zero(void)
{
	struct ft_value sum = { .packets = 99, .bytes = 99 };
	char vals[64] = {};

	percpu_sum(vals, 0, &sum);
	ASSERT_EQ(sum.packets, 0, "no CPUs: packets");
	ASSERT_EQ(sum.bytes, 0, "no CPUs: bytes");
}

/* ---- output_record ---- */

static struct ft_catalog cat;
static struct ft_counts rec;

enum { IFINDEX = 7 };
#define REC_START 1000.0
#define REC_END 1002.0

/* One interface, both directions, one table from `spec`. */
static void make_catalog(const char *spec)
{
	fixture_catalog(&cat, spec);
}

struct rec_entry {
	__u8 proto;
	__u16 dport;
	__u8 dir;
	__u64 packets, bytes;
};

static const struct rec_entry rec_entries[] = {
	{ IPPROTO_TCP, 443, FT_DIR_INGRESS, 10, 15000 },
	{ IPPROTO_UDP, 53, FT_DIR_INGRESS, 4, 400 },
	{ IPPROTO_ICMP, 8 << 8 | 0, FT_DIR_INGRESS, 3, 294 },
	{ IPPROTO_TCP, 443, FT_DIR_EGRESS, 6, 600 },
};

static struct ft_value uncl_value(int r)
{
	return (struct ft_value){ .packets = r + 1, .bytes = (r + 1) * 60ull };
}

/* Entries of table 0, the unclassified counters of interface 0 (reason r:
 * r + 1 packets of 60 bytes each) and its `seen` worked out from both. */
static void make_counts(void)
{
	size_t i;
	int d, r;

	counts_free(&rec);
	rec.start = REC_START;
	rec.end = REC_END;
	for (i = 0; i < ARRAY_SIZE(rec_entries); i++) {
		const struct rec_entry *e = &rec_entries[i];
		struct ft_value *seen = &rec.iface[0][e->dir][FT_CNT_SEEN];

		append(&rec, 0, port_key(e->proto, e->dport, e->dir), e->packets, e->bytes);
		seen->packets += e->packets;
		seen->bytes += e->bytes;
	}
	for (d = 0; d < FT_DIRS; d++)
		for (r = 0; r < FT_UNCL_REASONS; r++) {
			struct ft_value u = uncl_value(r);

			rec.iface[0][d][FT_CNT_UNCL(r)] = u;
			value_add(&rec.iface[0][d][FT_CNT_SEEN], &u);
		}
}

static char *record(bool json, int top)
{
	struct output_opts oo = { .top = top };
	struct capture cap;
	struct printer p;

	if (printer_init(&p, capture_open(&cap), json)) {
		ASSERT_TRUE(0, "printer_init");
		fclose(cap.f);
		free(cap.buf);
		return NULL;
	}
	counts_sort(&rec);
	output_record(&p, &cat, &rec, "interval", &oo);
	printer_fini(&p);
	return capture_close(&cap);
}

static void test_output_json_record_is_one_line(void)
{
	char *out;

	make_catalog(NULL);
	make_counts();
	out = record(true, 20);
	if (!ASSERT_TRUE(out, "record"))
		return;
	ASSERT_TRUE(*out == '{', "starts with an object");
	ASSERT_TRUE(strchr(out, '\n') == out + strlen(out) - 1, "one newline, at the end");
	ASSERT_TRUE(strlen(out) >= 3 && out[strlen(out) - 2] == '}', "ends the object");
	ASSERT_CONTAINS(out, "\"type\":\"interval\"", "type");
	free(out);
}

static void test_output_json_has_interface_seen_and_every_reason(void)
{
	char needle[256], *out;
	int d, r;

	make_catalog(NULL);
	make_counts();
	out = record(true, 20);
	if (!ASSERT_TRUE(out, "record"))
		return;
	for (d = 0; d < FT_DIRS; d++) {
		const struct ft_value *seen = &rec.iface[0][d][FT_CNT_SEEN];

		snprintf(needle, sizeof(needle),
			 "{\"name\":\"veth0\",\"ifindex\":%d,\"direction\":\"%s\",\"hook\":\"%s\","
			 "\"hook_reason\":\"%s\",\"seen\":{\"packets\":%llu,\"bytes\":%llu}",
			 IFINDEX, ft_dir_names[d], d == FT_DIR_INGRESS ? "xdp-native" : "tcx",
			 d == FT_DIR_INGRESS ? "-" : "egress is counted by tcx",
			 (unsigned long long)seen->packets, (unsigned long long)seen->bytes);
		ASSERT_CONTAINS(out, needle, "interface and seen");
	}
	for (r = 0; r < FT_UNCL_REASONS; r++) {
		struct ft_value u = uncl_value(r);

		snprintf(needle, sizeof(needle), "\"%s\":{\"packets\":%llu,\"bytes\":%llu}",
			 ft_uncl_names[r], (unsigned long long)u.packets,
			 (unsigned long long)u.bytes);
		ASSERT_CONTAINS(out, needle, ft_uncl_names[r]);
	}
	ASSERT_LACKS(out, "(other)", "the catch-all slot saw nothing, so it is not listed");
	free(out);
}

static void test_output_json_lists_other_iface_slot_when_it_saw_frames(void)
{
	char needle[160], *out;

	make_catalog(NULL);
	make_counts();
	rec.iface[FT_MAX_IFACES][FT_DIR_INGRESS][FT_CNT_SEEN] =
		(struct ft_value){ .packets = 5, .bytes = 500 };
	out = record(true, 20);
	if (!ASSERT_TRUE(out, "record"))
		return;
	snprintf(needle, sizeof(needle),
		 "{\"name\":\"(other)\",\"ifindex\":0,\"direction\":\"ingress\",\"hook\":\"-\","
		 "\"hook_reason\":\"-\",\"seen\":{\"packets\":5,\"bytes\":500}");
	ASSERT_CONTAINS(out, needle, "catch-all slot");
	free(out);
}

static void test_output_json_entries_carry_proto_port_and_counts(void)
{
	char needle[256], *out;
	double secs = REC_END - REC_START;
	size_t i;

	make_catalog(NULL);
	make_counts();
	out = record(true, 20);
	if (!ASSERT_TRUE(out, "record"))
		return;
	for (i = 0; i < ARRAY_SIZE(rec_entries); i++) {
		const struct rec_entry *e = &rec_entries[i];

		if (e->proto == IPPROTO_ICMP)
			continue;
		snprintf(needle, sizeof(needle),
			 "{\"proto\":\"%s\",\"dport\":%u,\"packets\":%llu,\"bytes\":%llu,"
			 "\"pps\":%.3f,\"bps\":%.1f}",
			 e->proto == IPPROTO_TCP ? "tcp" : "udp", e->dport,
			 (unsigned long long)e->packets, (unsigned long long)e->bytes,
			 e->packets / secs, e->bytes * 8.0 / secs);
		ASSERT_CONTAINS(out, needle, "entry");
	}
	snprintf(needle, sizeof(needle), "\"seconds\":%.6f", secs);
	ASSERT_CONTAINS(out, needle, "seconds");
	free(out);
}

static void test_output_json_icmp_entry_has_type_and_code_not_dport(void)
{
	const struct rec_entry *e = &rec_entries[2];
	char needle[256], *out, *at, *end;

	make_catalog(NULL);
	make_counts();
	out = record(true, 20);
	if (!ASSERT_TRUE(out, "record"))
		return;
	snprintf(needle, sizeof(needle),
		 "{\"proto\":\"icmp\",\"icmp_type\":%u,\"icmp_code\":%u,\"packets\":%llu,"
		 "\"bytes\":%llu,",
		 e->dport >> 8, e->dport & 0xff, (unsigned long long)e->packets,
		 (unsigned long long)e->bytes);
	ASSERT_CONTAINS(out, needle, "icmp entry");
	at = strstr(out, "{\"proto\":\"icmp\"");
	if (ASSERT_TRUE(at, "icmp entry present")) {
		end = strchr(at, '}');
		if (end)
			*end = '\0';
		ASSERT_LACKS(at, "dport", "icmp entry has no dport");
	}
	free(out);
}

static void test_output_json_ipv4_mapped_addresses_are_dotted_quads(void)
{
	struct ft_key v4 = port_key(0, 0, FT_DIR_INGRESS), v6 = v4;
	char *out;

	make_catalog("clients=saddr/24/64");
	counts_free(&rec);
	rec.start = REC_START;
	rec.end = REC_END;
	inet_pton(AF_INET6, "::ffff:192.0.2.0", v4.saddr);
	inet_pton(AF_INET6, "2001:db8:1:2::", v6.saddr);
	append(&rec, 0, v4, 1, 100);
	append(&rec, 0, v6, 2, 200);
	out = record(true, 20);
	if (!ASSERT_TRUE(out, "record"))
		return;
	ASSERT_CONTAINS(out, "{\"saddr\":\"192.0.2.0/24\",\"packets\":1,\"bytes\":100,",
			"IPv4 as a dotted quad with its prefix");
	ASSERT_CONTAINS(out, "{\"saddr\":\"2001:db8:1:2::/64\",\"packets\":2,\"bytes\":200,",
			"IPv6 with its prefix");
	ASSERT_LACKS(out, "ffff", "no mapped form");
	free(out);
}

static void test_output_json_table_header_and_overflow(void)
{
	char needle[256], *out;
	size_t i, nkeys = 0;

	make_catalog(NULL);
	make_counts();
	rec.table[0][FT_DIR_INGRESS][FT_TBL_OVERFLOW] = (struct ft_value){ 2, 120 };
	rec.table[0][FT_DIR_INGRESS][FT_TBL_INSERTS] = (struct ft_value){ 9, 0 };
	for (i = 0; i < ARRAY_SIZE(rec_entries); i++)
		nkeys += rec_entries[i].dir == FT_DIR_INGRESS;
	out = record(true, 20);
	if (!ASSERT_TRUE(out, "record"))
		return;
	snprintf(needle, sizeof(needle),
		 "{\"name\":\"ports\",\"key\":[\"proto\",\"dport\"],\"direction\":\"ingress\","
		 "\"kind\":\"hash\",\"removed\":false,\"approximate\":false,\"size\":%u,\"keys\":%zu,"
		 "\"fill\":%.4f,\"memory_bytes\":0,"
		 "\"overflow\":{\"packets\":2,\"bytes\":120},\"inserts\":9,",
		 FT_TABLE_DEFAULT_SIZE, nkeys, (double)nkeys / FT_TABLE_DEFAULT_SIZE);
	ASSERT_CONTAINS(out, needle, "ingress table header");
	free(out);
}

static void test_output_json_total_per_direction(void)
{
	struct ft_value want[FT_DIRS] = {};
	char needle[256], *out;
	int d;

	make_catalog(NULL);
	make_counts();
	rec.iface[FT_MAX_IFACES][FT_DIR_EGRESS][FT_CNT_SEEN] =
		(struct ft_value){ .packets = 5, .bytes = 500 };
	for (d = 0; d < FT_DIRS; d++) {
		value_add(&want[d], &rec.iface[0][d][FT_CNT_SEEN]);
		value_add(&want[d], &rec.iface[FT_MAX_IFACES][d][FT_CNT_SEEN]);
	}
	out = record(true, 20);
	if (!ASSERT_TRUE(out, "record"))
		return;
	snprintf(needle, sizeof(needle),
		 "\"total\":{\"ingress\":{\"packets\":%llu,\"bytes\":%llu},"
		 "\"egress\":{\"packets\":%llu,\"bytes\":%llu}}",
		 (unsigned long long)want[0].packets, (unsigned long long)want[0].bytes,
		 (unsigned long long)want[1].packets, (unsigned long long)want[1].bytes);
	ASSERT_CONTAINS(out, needle, "totals over every interface slot");
	free(out);
}

static void test_output_json_ignores_top(void)
{
	char needle[128], *out;
	__u16 port;

	make_catalog(NULL);
	counts_free(&rec);
	rec.start = REC_START;
	rec.end = REC_END;
	for (port = 1001; port <= 1005; port++)
		append(&rec, 0, port_key(IPPROTO_UDP, port, FT_DIR_INGRESS), 1, port);
	out = record(true, 2);
	if (!ASSERT_TRUE(out, "record"))
		return;
	for (port = 1001; port <= 1005; port++) {
		snprintf(needle, sizeof(needle), "\"dport\":%u,", port);
		ASSERT_CONTAINS(out, needle, "every entry in JSON");
	}
	free(out);
}

/* Whether a line of text starts with these whitespace-separated tokens;
 * "*" matches any one token. */
static bool has_row(const char *text, const char *const *tokens, int n)
{
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[512], *tok, *save;
		int i = 0;

		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			for (tok = strtok_r(buf, " \t", &save); tok && i < n;
			     tok = strtok_r(NULL, " \t", &save), i++)
				if (strcmp(tokens[i], "*") && strcmp(tokens[i], tok))
					break;
			if (i == n)
				return true;
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

static void test_output_text_shows_entry_rows_with_rates(void)
{
	double secs = REC_END - REC_START;
	bool have_services = access("/etc/services", R_OK) == 0;
	char pkts[32], bytes[32], pps[32], bps[32], dport[16], *out;
	size_t i;

	make_catalog(NULL);
	make_counts();
	out = record(false, 20);
	if (!ASSERT_TRUE(out, "record"))
		return;
	ASSERT_CONTAINS(out, "== interval", "record header");
	for (i = 0; i < ARRAY_SIZE(rec_entries); i++) {
		const struct rec_entry *e = &rec_entries[i];
		bool icmp = e->proto == IPPROTO_ICMP;
		const char *service = "*";
		const char *row[7];

		if (icmp)
			snprintf(dport, sizeof(dport), "%u/%u", e->dport >> 8, e->dport & 0xff);
		else
			snprintf(dport, sizeof(dport), "%u", e->dport);
		if (icmp)
			service = "echo-request";	/* type 8 */
		else if (e->proto == IPPROTO_TCP && e->dport == 443 && have_services)
			service = "https";
		snprintf(pkts, sizeof(pkts), "%llu", (unsigned long long)e->packets);
		snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)e->bytes);
		fmt_si(e->packets / secs, pps, sizeof(pps));
		fmt_si(e->bytes * 8.0 / secs, bps, sizeof(bps));
		row[0] = e->proto == IPPROTO_TCP ? "tcp" : e->proto == IPPROTO_UDP ? "udp" : "icmp";
		row[1] = dport;
		row[2] = service;
		row[3] = pkts;
		row[4] = bytes;
		row[5] = pps;
		row[6] = bps;
		if (!ASSERT_TRUE(has_row(out, row, 7), "entry row"))
			fprintf(stderr, "      want row \"%s %s %s %s %s %s %s\" in\n%s\n", row[0],
				row[1], row[2], row[3], row[4], row[5], row[6], out);
	}
	if (!have_services)
		check_skip("/etc/services missing: the 'https' service name was not checked");
	free(out);
}

static void test_output_text_top_trims_with_more_line(void)
{
	enum { N = 5, TOP = 2 };
	char more[32], port[16], *out;
	const char *row[2] = { "udp", port };
	int i;

	make_catalog(NULL);
	counts_free(&rec);
	rec.start = REC_START;
	rec.end = REC_END;
	/* entry i has port 1000 + i and 100 * i bytes: the largest ports sort first */
	for (i = 1; i <= N; i++)
		append(&rec, 0, port_key(IPPROTO_UDP, (__u16)(1000 + i), FT_DIR_INGRESS), 1,
		       100 * i);
	out = record(false, TOP);
	if (!ASSERT_TRUE(out, "record"))
		return;
	snprintf(more, sizeof(more), "... %d more\n", N - TOP);
	ASSERT_CONTAINS(out, more, "trimmed rows are counted");
	for (i = 1; i <= N; i++) {
		bool shown = i > N - TOP;

		snprintf(port, sizeof(port), "%d", 1000 + i);
		ASSERT_EQ(has_row(out, row, 2), shown, shown ? "top row shown" : "row trimmed");
	}
	free(out);

	out = record(false, 0);
	if (!ASSERT_TRUE(out, "record, top 0"))
		return;
	ASSERT_LACKS(out, "more\n", "top 0 shows every row");
	for (i = 1; i <= N; i++) {
		snprintf(port, sizeof(port), "%d", 1000 + i);
		ASSERT_TRUE(has_row(out, row, 2), "top 0: row shown");
	}
	free(out);
}

/* ---- fmt_si ---- */

static void test_fmt_si_below_1000_is_a_whole_number(void)
{
	char buf[32];

	ASSERT_STREQ(fmt_si(999, buf, sizeof(buf)), "999", "999");
	ASSERT_STREQ(fmt_si(0, buf, sizeof(buf)), "0", "0");
}

static void test_fmt_si_scales_with_two_decimals(void)
{
	char buf[32];

	ASSERT_STREQ(fmt_si(1500, buf, sizeof(buf)), "1.50k", "1500");
	ASSERT_STREQ(fmt_si(2.5e6, buf, sizeof(buf)), "2.50M", "2.5e6");
	ASSERT_STREQ(fmt_si(1e9, buf, sizeof(buf)), "1.00G", "1e9");
	ASSERT_STREQ(fmt_si(4.2e15, buf, sizeof(buf)), "4.20P", "4.2e15");
}

static const struct check_test tests[] = {
#include "test_userspace.tests.h"
};

int main(int argc, char **argv)
{
	return check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
}
