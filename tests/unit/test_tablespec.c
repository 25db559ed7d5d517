// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of table specs: parsing, the masks they become and their key text. Expected values
 * are worked out from each test's inputs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
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

/* port: the service side's port, kept in the key's dport; the cfg folds it */
static void test_spec_port_keeps_dport_and_folds(void)
{
	struct ft_table_cfg cfg;
	struct table_spec s;
	char text[64];

	expect_spec_ok("svc=proto,port", &s);
	ASSERT_EQ(s.fields, FT_FIELD_BIT(FT_F_PROTO) | FT_FIELD_BIT(FT_F_PORT), "fields");
	table_spec_to_cfg(&s, FT_DIRMASK(FT_DIR_EGRESS), &cfg);
	ASSERT_EQ(cfg.flags, FT_CFG_PORT, "the program folds the ports");
	ASSERT_EQ(cfg.mask[FT_FAMILY_IPV4].dport, 0xffff, "dport kept (v4)");
	ASSERT_EQ(cfg.mask[FT_FAMILY_IPV6].dport, 0xffff, "dport kept (v6)");
	ASSERT_EQ(cfg.mask[FT_FAMILY_IPV4].sport, 0, "sport cleared");
	ASSERT_EQ(cfg.kclass, FT_KCLASS_NARROW, "narrow key");
	table_spec_key_text(&s, text, sizeof(text));
	ASSERT_STREQ(text, "proto,port", "key text parses back");

	expect_spec_ok("ports=proto,dport", &s);
	table_spec_to_cfg(&s, FT_DIRMASK(FT_DIR_EGRESS), &cfg);
	ASSERT_EQ(cfg.flags, 0, "a dport table does not fold");

	expect_spec_ok("w=proto,saddr/24,port:lru", &s);
	table_spec_to_cfg(&s, FT_DIRMASK(FT_DIR_INGRESS), &cfg);
	ASSERT_EQ(cfg.kclass, FT_KCLASS_WIDE_LRU, "wide lru with port");
	ASSERT_EQ(cfg.flags, FT_CFG_PORT, "folds in a wide table too");
}

static void test_spec_port_goes_with_neither_sport_nor_dport(void)
{
	expect_spec_error("a=port,dport", "goes with neither sport nor dport");
	expect_spec_error("a=sport,port", "goes with neither sport nor dport");
	expect_spec_error("a=flow,port", "goes with neither sport nor dport");
	expect_spec_error("a=port,port", "given twice");
	expect_spec_error("a=port/24", "takes no prefix");
}

/* ICMP keeps its type and code where a port goes: without proto they mix */
static void test_spec_port_needs_proto(void)
{
	expect_spec_error("a=port", "field 'port' needs 'proto' beside it (e.g. 'a=proto,port')");
	expect_spec_error("w=saddr/24,port:lru", "needs 'proto'");
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

/* vni takes the narrow key's spare bytes: a vni table stays narrow. */
static void test_spec_vni_is_a_narrow_24_bit_field(void)
{
	struct ft_table_cfg cfg;
	struct table_spec s;
	struct ft_key k = {};

	expect_spec_ok("overlay=vni,proto,dport", &s);
	ASSERT_EQ(s.fields,
		  FT_FIELD_BIT(FT_F_VNI) | FT_FIELD_BIT(FT_F_PROTO) | FT_FIELD_BIT(FT_F_DPORT),
		  "fields");
	table_spec_to_cfg(&s, FT_DIRMASK(FT_DIR_INGRESS), &cfg);
	ASSERT_EQ(cfg.kclass, FT_KCLASS_NARROW, "narrow key");
	ASSERT_EQ(ft_key_vni(&cfg.mask[FT_FAMILY_IPV4]), FT_VNI_MASK, "mask: all 24 bits");
	ASSERT_EQ(sizeof(struct ft_key), 48, "the key did not grow");
	ASSERT_EQ(offsetof(struct ft_key, ifindex) + 4, FT_KEY_NARROW_SIZE, "narrow key ends");
	ft_key_set_vni(&k, 0xabcdef);
	ASSERT_EQ(ft_key_vni(&k), 0xabcdef, "vni round trip");
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

static const struct check_test tests[] = {
#include "test_tablespec.tests.h"
};

int main(int argc, char **argv)
{
	return check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
}
