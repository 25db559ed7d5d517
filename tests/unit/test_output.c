// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of the records output_record() prints, in text and JSON. Expected values are worked
 * out from each test's inputs.
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
#include <time.h>
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
#include "fields.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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
	counts_iface_reserve(&rec, FIXTURE_SLOT + 1);
	rec.start = REC_START;
	rec.end = REC_END;
	for (i = 0; i < ARRAY_SIZE(rec_entries); i++) {
		const struct rec_entry *e = &rec_entries[i];
		struct ft_value *seen = &rec.iface[FIXTURE_SLOT][e->dir][FT_CNT_SEEN];

		fixture_append(&rec, 0, port_key(e->proto, e->dport, e->dir), e->packets, e->bytes);
		seen->packets += e->packets;
		seen->bytes += e->bytes;
	}
	for (d = 0; d < FT_DIRS; d++)
		for (r = 0; r < FT_UNCL_REASONS; r++) {
			struct ft_value u = uncl_value(r);

			rec.iface[FIXTURE_SLOT][d][FT_CNT_UNCL(r)] = u;
			value_add(&rec.iface[FIXTURE_SLOT][d][FT_CNT_SEEN], &u);
		}
}

static char *record_as(bool json, int top, bool entries)
{
	struct output_opts oo = { .top = top, .entries = entries, .instance = "inst0",
				  .host = "host0" };
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

static char *record(bool json, int top)
{
	return record_as(json, top, false);
}

/* Lines of `out` that contain `needle`. */
static int count_lines(const char *out, const char *needle)
{
	const char *line = out, *nl;
	int n = 0;

	for (; *line; line = nl + 1) {
		char buf[1024];

		nl = strchrnul(line, '\n');
		snprintf(buf, sizeof(buf), "%.*s", (int)(nl - line), line);
		n += strstr(buf, needle) != NULL;
		if (!*nl)
			break;
	}
	return n;
}

static void test_output_json_record_names_schema_host_and_instance(void)
{
	char *out;

	make_catalog(NULL);
	make_counts();
	out = record(true, 20);
	if (!ASSERT_TRUE(out, "record"))
		return;
	ASSERT_CONTAINS(out, "{\"type\":\"interval\",\"schema\":\"" FT_SCHEMA_RECORD
			     "\",\"host\":\"host0\",\"instance\":\"inst0\",",
			"schema, host and instance lead the record");
	free(out);
}

/*
 * --json=entries: per direction one interface line (the fixture has one
 * interface), per table and direction one table line followed by its
 * entries, and an interval_end line last that counts them; every line is a
 * whole object with the schema, host, instance and the span's end in UTC.
 */
static void test_output_entries_one_line_each_then_interval_end(void)
{
	char needle[320], *out;
	double secs = REC_END - REC_START;
	size_t i;
	int lines;

	make_catalog(NULL);
	make_counts();
	out = record_as(true, 20, true);
	if (!ASSERT_TRUE(out, "entries"))
		return;
	lines = count_lines(out, "");
	ASSERT_EQ(lines, 2 + 2 + (int)ARRAY_SIZE(rec_entries) + 1, "lines: 2 interfaces, 2 tables, "
								   "the entries, interval_end");
	ASSERT_EQ(count_lines(out, "{\"type\":\""), lines, "every line is an object with a type");
	ASSERT_EQ(count_lines(out, "\"schema\":\"" FT_SCHEMA_ENTRY "\",\"host\":\"host0\","
				   "\"instance\":\"inst0\",\"record\":\"interval\","
				   "\"time\":\"1970-01-01T00:16:42.000000Z\""),
		  lines, "every line says what, where and when");
	ASSERT_EQ(count_lines(out, "{\"type\":\"interface\""), 2, "interface lines");
	ASSERT_EQ(count_lines(out, "{\"type\":\"table\""), 2, "table lines");
	ASSERT_EQ(count_lines(out, "{\"type\":\"entry\""), (int)ARRAY_SIZE(rec_entries),
		  "entry lines");
	for (i = 0; i < ARRAY_SIZE(rec_entries); i++) {
		const struct rec_entry *e = &rec_entries[i];

		if (e->proto == IPPROTO_ICMP)
			snprintf(needle, sizeof(needle),
				 "\"interface\":null,\"table\":\"ports\",\"table_id\":1,\"direction\":\"%s\","
				 "\"proto\":\"icmp\",\"icmp_type\":%u,\"icmp_code\":%u,"
				 "\"packets\":%llu,\"bytes\":%llu,",
				 ft_dir_names[e->dir], e->dport >> 8, e->dport & 0xff,
				 (unsigned long long)e->packets, (unsigned long long)e->bytes);
		else
			snprintf(needle, sizeof(needle),
				 "\"interface\":null,\"table\":\"ports\",\"table_id\":1,\"direction\":\"%s\","
				 "\"proto\":\"%s\",\"dport\":%u,\"packets\":%llu,\"bytes\":%llu,"
				 "\"pps\":%.3f,\"bps\":%.1f}",
				 ft_dir_names[e->dir], e->proto == IPPROTO_TCP ? "tcp" : "udp",
				 e->dport, (unsigned long long)e->packets,
				 (unsigned long long)e->bytes, e->packets / secs,
				 e->bytes * 8.0 / secs);
		ASSERT_EQ(count_lines(out, needle), 1, "entry line");
	}
	snprintf(needle, sizeof(needle),
		 "\"start\":%.6f,\"end\":%.6f,\"seconds\":%.6f,\"interfaces\":2,\"tables\":2,"
		 "\"entries\":%zu,",
		 REC_START, REC_END, secs, ARRAY_SIZE(rec_entries));
	ASSERT_CONTAINS(out, needle, "interval_end counts the lines before it");
	{
		size_t len = strlen(out);
		const char *last = out + len - 1;	/* the final newline */

		while (last > out && last[-1] != '\n')
			last--;
		ASSERT_TRUE(len && !strncmp(last, "{\"type\":\"interval_end\"",
					    strlen("{\"type\":\"interval_end\"")),
			    "interval_end is the last line");
	}
	free(out);
}

/* A table keyed on ifindex names the interface of each entry; the key's
 * ifindex is there too. */
static void test_output_entries_of_an_ifindex_table_name_the_interface(void)
{
	char needle[160], *out;

	make_catalog("per_if=ifindex,proto");
	counts_free(&rec);
	rec.start = REC_START;
	rec.end = REC_END;
	{
		struct ft_key k = port_key(IPPROTO_UDP, 0, FT_DIR_INGRESS);

		k.ifindex = IFINDEX;
		fixture_append(&rec, 0, k, 3, 300);
		k.ifindex = 99;	/* not in the catalog */
		fixture_append(&rec, 0, k, 1, 100);
	}
	out = record_as(true, 20, true);
	if (!ASSERT_TRUE(out, "entries"))
		return;
	snprintf(needle, sizeof(needle),
		 "\"interface\":\"veth0\",\"table\":\"per_if\",\"table_id\":1,\"direction\":\"ingress\","
		 "\"ifindex\":%d,\"proto\":\"udp\",\"packets\":3,",
		 IFINDEX);
	ASSERT_CONTAINS(out, needle, "the interface by name");
	ASSERT_CONTAINS(out, "\"interface\":null,\"table\":\"per_if\",\"table_id\":1,\"direction\":\"ingress\","
			     "\"ifindex\":99,",
			"an ifindex the catalog does not know: null");
	free(out);
}

/* RFC 3339 in UTC, microseconds rounded, a carry into the next second. */
static void test_output_rfc3339_utc(void)
{
	char buf[40];

	ASSERT_STREQ(rfc3339_utc(1000.5, buf, sizeof(buf)), "1970-01-01T00:16:40.500000Z",
		     "half a second");
	ASSERT_STREQ(rfc3339_utc(1795911289.9999996, buf, sizeof(buf)),
		     "2026-11-29T00:14:50.000000Z", "rounds up into the next second");
}

/* Text records say their zone: the offset from UTC after each time. */
static void test_output_text_times_carry_the_utc_offset(void)
{
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL, *out;

	make_catalog(NULL);
	make_counts();
	setenv("TZ", "XST-3", 1);	/* three hours east of UTC, no summer time */
	tzset();
	out = record(false, 20);
	if (ASSERT_TRUE(out, "record"))
		ASSERT_CONTAINS(out, "== interval 1970-01-01 03:16:40+03:00 .. "
				     "1970-01-01 03:16:42+03:00 (2.000 s)",
				"local times with their offset");
	free(out);
	setenv("TZ", "UTC0", 1);
	tzset();
	out = record(false, 20);
	if (ASSERT_TRUE(out, "record"))
		ASSERT_CONTAINS(out, "== interval 1970-01-01 00:16:40+00:00", "UTC: +00:00");
	free(out);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
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
		const struct ft_value *seen = &rec.iface[FIXTURE_SLOT][d][FT_CNT_SEEN];

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
	rec.iface[FT_IFACE_OTHER][FT_DIR_INGRESS][FT_CNT_SEEN] =
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
	fixture_append(&rec, 0, v4, 1, 100);
	fixture_append(&rec, 0, v6, 2, 200);
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
		 "{\"name\":\"ports\",\"id\":1,\"key\":[\"proto\",\"dport\"],"
		 "\"direction\":\"ingress\","
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
	rec.iface[FT_IFACE_OTHER][FT_DIR_EGRESS][FT_CNT_SEEN] =
		(struct ft_value){ .packets = 5, .bytes = 500 };
	for (d = 0; d < FT_DIRS; d++) {
		value_add(&want[d], &rec.iface[FIXTURE_SLOT][d][FT_CNT_SEEN]);
		value_add(&want[d], &rec.iface[FT_IFACE_OTHER][d][FT_CNT_SEEN]);
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
		fixture_append(&rec, 0, port_key(IPPROTO_UDP, port, FT_DIR_INGRESS), 1, port);
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
		fixture_append(&rec, 0, port_key(IPPROTO_UDP, (__u16)(1000 + i), FT_DIR_INGRESS), 1,
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

/* The name of an ifindex: used slots only (a free one has ifindex 0), and a
 * live interface before a gone one of the same ifindex that it may shadow. */
static void test_output_iface_name_of_prefers_live_slot(void)
{
	struct ft_catalog c = {};
	struct ft_iface *old, *now;

	ASSERT_EQ(catalog_init(&c, 4), 0, "catalog");
	old = catalog_new_iface(&c, "veth-old", 5);
	old->gone = true;
	catalog_new_iface(&c, "eth0", 2);
	now = catalog_new_iface(&c, "veth-new", 5);
	ASSERT_STREQ(iface_name_of(&c, 5), "veth-new", "the live one");
	now->gone = true;
	now->used = false;	/* freed: its ifindex no longer counts */
	ASSERT_STREQ(iface_name_of(&c, 5), "veth-old", "the gone one when no live one");
	ASSERT_TRUE(iface_name_of(&c, 0) == NULL, "ifindex 0 names no slot");
	ASSERT_TRUE(iface_name_of(&c, 9) == NULL, "unknown ifindex");
	catalog_free(&c);
}

static const struct check_test tests[] = {
#include "test_output.tests.h"
};

int main(int argc, char **argv)
{
	return check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
}
