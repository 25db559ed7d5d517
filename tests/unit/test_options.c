// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of the command line of flowtally run (run_opts_parse). Expected values are worked out
 * from each test's inputs.
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
#include "ifselect.h"
#include "ident.h"
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

/* ---- run_opts_parse ---- */

static char arg_store[2 * FT_MAX_SELECTORS + 4][80];
static char *arg_ptrs[2 * FT_MAX_SELECTORS + 5];

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

static void test_opts_decap_lists_tunnels_and_vxlan_ports(void)
{
	char err[256];
	int ret;

	ASSERT_EQ(opts.decap.kinds, 0, "no --decap: nothing decapsulated");
	ret = PARSE(&opts, err, "-i", "eth0", "--decap", "vxlan");
	expect_opts_ok(ret, err, "--decap vxlan");
	ASSERT_EQ(opts.decap.kinds, FT_DECAP_VXLAN, "vxlan");
	ASSERT_EQ(opts.decap.vxlan_port[0], 4789, "IANA's port");
	ASSERT_EQ(opts.decap.vxlan_port[1], 8472, "Linux's port");
	ret = PARSE(&opts, err, "-i", "eth0", "--decap", "vxlan:4790,geneve,gre");
	expect_opts_ok(ret, err, "--decap vxlan:4790,geneve,gre");
	ASSERT_EQ(opts.decap.kinds, FT_DECAP_VXLAN | FT_DECAP_GENEVE | FT_DECAP_GRE, "all three");
	ASSERT_EQ(opts.decap.vxlan_port[0], 4790, "the port given");
	ASSERT_EQ(opts.decap.vxlan_port[1], 0, "only the port given");
	ret = PARSE(&opts, err, "-i", "eth0", "--decap", "vxlan:0");
	expect_opts_error(ret, err, "1-65535", "--decap vxlan:0");
	ret = PARSE(&opts, err, "-i", "eth0", "--decap", "vxlan:x");
	expect_opts_error(ret, err, "1-65535", "--decap vxlan:x");
	ret = PARSE(&opts, err, "-i", "eth0", "--decap", "ipip");
	expect_opts_error(ret, err, "unknown tunnel 'ipip'", "--decap ipip");
	ret = PARSE(&opts, err, "-i", "eth0", "--decap", "gre,gre");
	expect_opts_error(ret, err, "twice", "--decap gre,gre");
	ret = PARSE(&opts, err, "-i", "eth0", "--decap", "vxlan:1,vxlan:2,vxlan:3,vxlan:4,vxlan:5");
	expect_opts_error(ret, err, "at most 4", "five VXLAN ports");
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

/* Far past the old limit of 16: as many names as -i may be given. */
static void test_opts_many_ifaces_are_accepted(void)
{
	static const char *args[2 * FT_MAX_SELECTORS];
	static char names[FT_MAX_SELECTORS][16];
	char err[256];
	int i, ret;

	for (i = 0; i < FT_MAX_SELECTORS; i++) {
		snprintf(names[i], sizeof(names[i]), "eth%d", i);
		args[2 * i] = "-i";
		args[2 * i + 1] = names[i];
	}
	ret = parse_args(&opts, err, sizeof(err), args, 2 * FT_MAX_SELECTORS);
	expect_opts_ok(ret, err, "FT_MAX_SELECTORS interfaces");
	ASSERT_EQ(opts.nr_ifaces, FT_MAX_SELECTORS, "interfaces");
	ASSERT_STREQ(opts.ifaces[FT_MAX_SELECTORS - 1], names[FT_MAX_SELECTORS - 1], "last");
	ASSERT_EQ(opts.max_ifaces, FT_IFACES_DEFAULT, "default capacity");
	ASSERT_TRUE(!opts.following, "names only: nothing followed");
	ASSERT_STREQ(opts.name, "eth0", "named after the first interface");
}

static void test_opts_patterns_follow_and_name_the_instance(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "veth*", "-i", "cali?", "-i", "eth0");

	expect_opts_ok(ret, err, "patterns and a name");
	ASSERT_TRUE(opts.following, "a pattern is followed");
	ASSERT_STREQ(opts.name, FT_DEFAULT_NAME, "a pattern first: the default name");
	ASSERT_TRUE(valid_instance_name(FT_DEFAULT_NAME), "the default name is a valid one");
	ASSERT_TRUE(iface_selected(opts.ifaces, opts.nr_ifaces, opts.all_ifaces, "veth1a2b"),
		    "veth* selects veth1a2b");
	ASSERT_TRUE(iface_selected(opts.ifaces, opts.nr_ifaces, opts.all_ifaces, "cali7"),
		    "cali? selects cali7");
	ASSERT_TRUE(!iface_selected(opts.ifaces, opts.nr_ifaces, opts.all_ifaces, "cali77"),
		    "cali? does not select cali77");
	ASSERT_TRUE(!iface_selected(opts.ifaces, opts.nr_ifaces, opts.all_ifaces, "eth0"),
		    "a plain name is not a pattern");
	ASSERT_TRUE(!iface_selected(opts.ifaces, opts.nr_ifaces, opts.all_ifaces, "lo"),
		    "lo is not selected");
	ASSERT_TRUE(iface_is_pattern("ftp[0-9]") && !iface_is_pattern("eth0.100"),
		    "wildcards make a pattern, dots do not");

	ret = PARSE(&opts, err, "-i", "eth0", "-i", "veth*", "--name", "node");
	expect_opts_ok(ret, err, "a name first, then a pattern");
	ASSERT_STREQ(opts.name, "node", "--name wins");
	ASSERT_TRUE(opts.following, "still followed");
}

static void test_opts_all_interfaces_and_capacity(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "--all-interfaces", "--max-interfaces", "4096");

	expect_opts_ok(ret, err, "--all-interfaces --max-interfaces 4096");
	ASSERT_TRUE(opts.all_ifaces && opts.following, "all, followed");
	ASSERT_EQ(opts.max_ifaces, 4096, "capacity");
	ASSERT_STREQ(opts.name, FT_DEFAULT_NAME, "the default name");
	ASSERT_TRUE(iface_selected(opts.ifaces, opts.nr_ifaces, opts.all_ifaces, "eth7") &&
			    iface_selected(opts.ifaces, opts.nr_ifaces, opts.all_ifaces, "veth0"),
		    "every interface");
	ASSERT_TRUE(!iface_selected(opts.ifaces, opts.nr_ifaces, opts.all_ifaces, "lo"), "but lo");
	ret = PARSE(&opts, err, "--all-interfaces", "-i", "eth0");
	expect_opts_error(ret, err, "exclude each other", "--all-interfaces with -i");
	ret = PARSE(&opts, err, "-i", "eth0", "--max-interfaces", "0");
	expect_opts_error(ret, err, "(1 to 65536)", "--max-interfaces 0");
	ret = PARSE(&opts, err, "-i", "eth0", "--max-interfaces", "65537");
	expect_opts_error(ret, err, "(1 to 65536)", "--max-interfaces 65537");
	ret = PARSE(&opts, err, "-i", "eth0", "-i", "eth1", "--max-interfaces", "1");
	expect_opts_error(ret, err, "2 interfaces named", "more names than slots");
	ret = PARSE(&opts, err, "-i", "eth0", "-i", "eth0");
	expect_opts_error(ret, err, "given twice", "-i twice");
	ret = PARSE(&opts, err, "-i", "a/b");
	expect_opts_error(ret, err, "no interface name or pattern", "a slash");
	ret = PARSE(&opts, err, "-i", "abcdefghijklmnop");
	expect_opts_error(ret, err, "no interface name or pattern", "16 characters");
	ret = PARSE(&opts, err, "-i", "eth0", "--prometheus-max-interfaces", "5");
	expect_opts_error(ret, err, "needs --prometheus", "the cap without Prometheus");
	ret = PARSE(&opts, err, "-i", "eth0", "--prometheus", "127.0.0.1:9",
		    "--prometheus-max-interfaces", "5");
	expect_opts_ok(ret, err, "the cap with Prometheus");
	ASSERT_EQ(opts.prom_max_iface_series, 5, "the cap");
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
	ret = PARSE(&opts, err, "-i", "eth0", "--interval=2");
	expect_opts_ok(ret, err, "--interval=2");
	ASSERT_DBL_EQ(opts.interval, 2.0, "interval");
}

/* -D daemonizes in nfcapd and pmacctd, -n counts records in nfdump: both
 * letters are gone, and using one says what to write instead. */
static void test_opts_dropped_short_options_name_their_long_form(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0", "-D", "10");

	expect_opts_error(ret, err, "use --duration", "-D 10");
	ret = PARSE(&opts, err, "-i", "eth0", "-n", "2");
	expect_opts_error(ret, err, "use --interval", "-n 2");
	ret = PARSE(&opts, err, "-i", "eth0", "-vn1");
	expect_opts_error(ret, err, "use --interval", "-vn1");
}

/* --json alone and -j are records; --json=entries an entry a line;
 * another form is named. */
static void test_opts_json_forms(void)
{
	char err[256];
	int ret = PARSE(&opts, err, "-i", "eth0", "--json=entries");

	expect_opts_ok(ret, err, "--json=entries");
	ASSERT_EQ(opts.json && opts.json_entries, true, "--json=entries");
	ret = PARSE(&opts, err, "-i", "eth0", "--json=records");
	expect_opts_ok(ret, err, "--json=records");
	ASSERT_EQ(opts.json && !opts.json_entries, true, "--json=records");
	ret = PARSE(&opts, err, "-i", "eth0", "--json");
	expect_opts_ok(ret, err, "--json");
	ASSERT_EQ(opts.json && !opts.json_entries, true, "--json");
	ret = PARSE(&opts, err, "-jv", "-i", "eth0");
	expect_opts_ok(ret, err, "-jv");
	ASSERT_EQ(opts.json && opts.verbose && !opts.json_entries, true, "-jv");
	ret = PARSE(&opts, err, "-i", "eth0", "--json=entry");
	expect_opts_error(ret, err, "records or entries", "--json=entry");
	ret = PARSE(&opts, err, "-i", "eth0", "--json=entries", "--csv");
	expect_opts_error(ret, err, "exclude", "--json=entries --csv");
}

/* 500ms, 10s, 5m, 1h as nfcapd and systemd write them; a bare number stays
 * seconds; anything else (hex, exponents, other units) is a usage error. */
static void test_opts_durations_take_units(void)
{
	static const struct {
		const char *text;
		double seconds;
	} good[] = { { "500ms", 0.5 }, { "10s", 10 }, { "5m", 300 }, { "1h", 3600 },
		     { "1.5m", 90 }, { "90", 90 }, { "0.25", 0.25 } };
	static const char *const bad[] = { "1x", "10 s", "0x10", "1e3", "m", "5mm", "-5m",
					   "1.h", "" };
	char err[256];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *args[] = { "-i", "eth0", "--duration", good[i].text };

		ret = parse_args(&opts, err, sizeof(err), args, 4);
		expect_opts_ok(ret, err, good[i].text);
		ASSERT_DBL_EQ(opts.duration, good[i].seconds, good[i].text);
	}
	ret = PARSE(&opts, err, "-i", "eth0", "--interval", "200ms");
	expect_opts_ok(ret, err, "--interval 200ms");
	ASSERT_DBL_EQ(opts.interval, 0.2, "interval 200ms");
	ret = PARSE(&opts, err, "-i", "eth0", "--idle", "2m");
	expect_opts_ok(ret, err, "--idle 2m");
	ASSERT_EQ(opts.idle, 120, "idle 2m");
	ret = PARSE(&opts, err, "-i", "eth0", "--idle", "1500ms");
	expect_opts_error(ret, err, "whole seconds", "--idle 1500ms");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { "-i", "eth0", "--duration", bad[i] };

		ret = parse_args(&opts, err, sizeof(err), args, 4);
		expect_opts_error(ret, err, "500ms, 10s, 5m, 1h", bad[i]);
	}
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
	/* 1s is a duration with a unit now; 1x is not */
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--interval", "1x"), err, "'1x'",
			  "--interval 1x");
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

static void test_opts_too_many_selectors_is_an_error(void)
{
	static const char *args[2 * (FT_MAX_SELECTORS + 1)];
	static char names[FT_MAX_SELECTORS + 1][16];
	char err[256];
	int i;

	for (i = 0; i <= FT_MAX_SELECTORS; i++) {
		snprintf(names[i], sizeof(names[i]), "eth%d", i);
		args[2 * i] = "-i";
		args[2 * i + 1] = names[i];
	}
	expect_opts_error(parse_args(&opts, err, sizeof(err), args, 2 * (FT_MAX_SELECTORS + 1)),
			  err, "use a pattern", "FT_MAX_SELECTORS + 1 interfaces");
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

static void test_opts_ipfix_values_are_taken(void)
{
	char err[256];
	int ret;

	ret = PARSE(&opts, err, "-i", "eth0", "--ipfix", "127.0.0.1:4739", "--ipfix",
		    "tcp://127.0.0.1:4739", "--ipfix-domain-base", "4278190080",
		    "--ipfix-template-refresh", "500ms", "--ipfix-template-refresh-messages",
		    "1000000");
	expect_opts_ok(ret, err, "the largest values");
	ASSERT_EQ(opts.nr_ipfix, 2, "UDP and TCP to one host and port are two collectors");
	ASSERT_EQ(opts.ipfix_domain_base, 4278190080u, "base");
	ASSERT_TRUE(fabs(opts.ipfix_refresh_secs - 0.5) < 1e-9, "refresh 500ms");
	ASSERT_EQ(opts.ipfix_refresh_msgs, 1000000, "refresh messages");
	ret = PARSE(&opts, err, "-i", "eth0", "--ipfix", "tcp://127.0.0.1:4739",
		    "--ipfix-template-refresh", "0", "--ipfix-template-refresh-messages", "0");
	expect_opts_ok(ret, err, "no refresh at all over TCP");
}

static void test_opts_ipfix_bad_domain_base_is_named(void)
{
	static const char *const bad[] = { "4278190081", "4294967296", "-1", "1e3", "",
					   "0x10", "99999999999999999999999" };
	char err[256], part[64];
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *args[] = { "-i", "eth0", "--ipfix", "127.0.0.1:4739",
				       "--ipfix-domain-base", bad[i] };

		ret = parse_args(&opts, err, sizeof(err), args, (int)ARRAY_SIZE(args));
		snprintf(part, sizeof(part), "--ipfix-domain-base '%s' invalid", bad[i]);
		expect_opts_error(ret, err, part, part);
	}
}

static void test_opts_ipfix_bad_refresh_is_named(void)
{
	static const char *const secs[] = { "-1", "-0.5", "10x", "1e3", "", "99999999999",
					    "1" "0000000000000000000000000000000" };
	static const char *const msgs[] = { "-1", "1000001", "4294967296", "99999999999999999999",
					    "1e3", "abc", "", "3.5" };
	char err[256], part[96];
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		const char *args[] = { "-i", "eth0", "--ipfix", "127.0.0.1:4739",
				       "--ipfix-template-refresh", secs[i] };

		ret = parse_args(&opts, err, sizeof(err), args, (int)ARRAY_SIZE(args));
		snprintf(part, sizeof(part), "--ipfix-template-refresh '%s' invalid", secs[i]);
		expect_opts_error(ret, err, part, part);
	}
	for (i = 0; i < ARRAY_SIZE(msgs); i++) {
		const char *args[] = { "-i", "eth0", "--ipfix", "127.0.0.1:4739",
				       "--ipfix-template-refresh-messages", msgs[i] };

		ret = parse_args(&opts, err, sizeof(err), args, (int)ARRAY_SIZE(args));
		snprintf(part, sizeof(part), "--ipfix-template-refresh-messages '%s' invalid",
			 msgs[i]);
		expect_opts_error(ret, err, part, part);
	}
}

/* Over UDP templates must come again (RFC 7011 section 8.4). */
static void test_opts_ipfix_no_refresh_over_udp_is_refused(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--ipfix", "tcp://127.0.0.1:4739",
				"--ipfix", "udp://127.0.0.1:4739", "--ipfix-template-refresh", "0",
				"--ipfix-template-refresh-messages", "0"),
			  err, "--ipfix-template-refresh 0 and --ipfix-template-refresh-messages 0",
			  "both refreshes 0 with a UDP collector");
	ASSERT_TRUE(!strchr(err, '\n'), "one line");
}

static void test_opts_ipfix_same_collector_twice_is_refused(void)
{
	char err[256];

	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--ipfix", "127.0.0.1:4739", "--ipfix",
				"udp://127.0.0.1:4739"),
			  err, "--ipfix 'udp://127.0.0.1:4739' given twice", "bare, then udp://");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--ipfix", "udp://[2001:db8::1]:4739",
				"--ipfix", "[2001:db8::1]:4739"),
			  err, "given twice", "udp://, then bare (IPv6)");
	expect_opts_error(PARSE(&opts, err, "-i", "eth0", "--ipfix", "tcp://127.0.0.1:4739",
				"--ipfix", "tcp://127.0.0.1:4739"),
			  err, "given twice", "tcp:// twice");
}

static void test_opts_ipfix_ninth_collector_is_refused(void)
{
	const char *args[2 + 2 * (FT_MAX_IPFIX + 1)] = { "-i", "eth0" };
	char store[FT_MAX_IPFIX + 1][32], err[256], part[64];
	int i;

	for (i = 0; i <= FT_MAX_IPFIX; i++) {
		snprintf(store[i], sizeof(store[i]), "127.0.0.1:%d", 4739 + i);
		args[2 + 2 * i] = "--ipfix";
		args[3 + 2 * i] = store[i];
	}
	expect_opts_ok(parse_args(&opts, err, sizeof(err), args, 2 + 2 * FT_MAX_IPFIX), err,
		       "eight collectors");
	ASSERT_EQ(opts.nr_ipfix, FT_MAX_IPFIX, "all eight");
	snprintf(part, sizeof(part), "at most %d", FT_MAX_IPFIX);
	expect_opts_error(parse_args(&opts, err, sizeof(err), args, (int)ARRAY_SIZE(args)), err,
			  part, "a ninth");
}

static const struct check_test tests[] = {
#include "test_options.tests.h"
};

int main(int argc, char **argv)
{
	return check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
}
