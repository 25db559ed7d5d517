// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of the exporters' encoders: the Prometheus exposition and its
 * series cap, IPFIX templates, records and messages byte by byte, CSV rows,
 * and the exporter options. Expected values are worked out from each test's
 * inputs; real decoders (promtool, nfdump, tshark) check the same output in
 * the live tests.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "check.h"
#include "fixture.h"
#include "counts.h"
#include "csv.h"
#include "sink.h"
#include "catalog.h"
#include "ipfix.h"
#include "options.h"
#include "prom_process.h"
#include "prom_text.h"
#include "tablespec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define REC_START 1000.0
#define REC_END 1002.0

static struct ft_catalog cat;
static struct ft_counts total;
static struct ft_counts rendered;	/* total as the last render() saw it */

/* One interface "veth0", both directions, table 0 from `spec`. */
static void make_catalog(const char *spec)
{
	fixture_catalog(&cat, spec);
	counts_free(&total);
	counts_free(&rendered);
	counts_iface_reserve(&total, FIXTURE_SLOT + 1);
	total.start = REC_START;
	total.end = REC_END;
}



static void append(struct ft_counts *c, struct ft_key k, __u64 packets, __u64 bytes)
{
	struct ft_value v = { .packets = packets, .bytes = bytes };

	ASSERT_EQ(counts_append(c, 0, &k, &v), 0, "counts_append");
}

/* Adds to an entry of table 0 that may already be there, like a drain does. */
static void add(struct ft_counts *c, struct ft_key k, __u64 packets, __u64 bytes)
{
	struct ft_entry *e;

	ASSERT_EQ(counts_lookup(c, 0, &k, &e), 0, "counts_lookup");
	if (e) {
		e->val.packets += packets;
		e->val.bytes += bytes;
	} else {
		append(c, k, packets, bytes);
	}
}

/* ---- Prometheus ---- */

/* The exposition of `total` (the caller frees). Updates `s` first, as each
 * interval does, with the interval being what total grew by since the last
 * render. */
static char *render(struct prom_series *s)
{
	struct ft_counts interval;
	struct ft_entry *was;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	counts_init(&interval);
	for (i = 0; i < total.nr_entries; i++) {
		const struct ft_entry *e = &total.entries[i];
		struct ft_value d = e->val;

		ASSERT_EQ(counts_lookup(&rendered, e->table, &e->key, &was), 0, "lookup");
		if (was)
			d = value_delta(&e->val, &was->val);
		if (d.packets)
			ASSERT_EQ(counts_append(&interval, e->table, &e->key, &d), 0, "append");
	}
	counts_sort(&interval);
	ASSERT_EQ(prom_series_update(s, &cat, &interval, &total), 0, "prom_series_update");
	ASSERT_EQ(prom_render(f, &cat, &interval, &total, s, NULL), 0, "prom_render");
	fclose(f);
	prom_series_served(s);	/* the test reads it: a scrape */
	counts_reset(&rendered);
	ASSERT_EQ(counts_merge(&rendered, &total), 0, "keep what was rendered");
	counts_free(&interval);
	return buf;
}

/* The keys of `total` each get a series in a first render, showing 0 (what
 * they counted before stays in other); then every entry counts as much
 * again: the second render, returned, shows the entries' values in the
 * series that count now, and twice what the others counted in other. */
static char *render_once(unsigned int max)
{
	struct prom_series s;
	char *text;
	size_t i;

	prom_series_init(&s, max, 1, 0);
	free(render(&s));
	for (i = 0; i < total.nr_entries; i++)
		value_add(&total.entries[i].val, &total.entries[i].val);
	text = render(&s);
	prom_series_free(&s);
	return text;
}

static void test_prom_label_values_escape_quote_backslash_newline(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	prom_put_label_value(f, "a\"b\\c\nd");
	fclose(f);
	ASSERT_TRUE(!strcmp(buf, "a\\\"b\\\\c\\nd"), "escaped as the text format wants");
	free(buf);
}

static void test_prom_entries_are_labelled_by_table_direction_and_key(void)
{
	char *text;

	make_catalog("ports=proto,dport");
	append(&total, port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS), 10, 15000);
	append(&total, port_key(IPPROTO_TCP, 443, FT_DIR_EGRESS), 6, 600);
	text = render_once(1000);
	ASSERT_CONTAINS(text,
			"\nflowtally_packets_total{table=\"ports\",direction=\"ingress\",proto=\"tcp\","
			"dport=\"443\"} 10\n",
			"ingress packets");
	ASSERT_CONTAINS(text,
			"\nflowtally_bytes_total{table=\"ports\",direction=\"egress\",proto=\"tcp\","
			"dport=\"443\"} 600\n",
			"egress bytes");
	free(text);
}

static void test_prom_icmp_is_labelled_by_type_and_code_not_dport(void)
{
	char *text;

	make_catalog("ports=proto,dport");
	append(&total, port_key(IPPROTO_ICMP, 8 << 8 | 0, FT_DIR_INGRESS), 3, 294);
	append(&total, port_key(IPPROTO_ICMPV6, 1 << 8 | 4, FT_DIR_INGRESS), 2, 200);
	text = render_once(1000);
	ASSERT_CONTAINS(text,
			"{table=\"ports\",direction=\"ingress\",proto=\"icmp\",icmp_type=\"8\","
			"icmp_code=\"0\"} 3\n",
			"ICMP echo request");
	ASSERT_CONTAINS(text, "icmp_type=\"1\",icmp_code=\"4\"} 2\n", "ICMPv6 type 1 code 4");
	ASSERT_LACKS(text, "dport=\"2048\"", "no dport for ICMP");
	free(text);
}

static void test_prom_address_labels_show_the_table_prefix(void)
{
	struct ft_key k4 = port_key(0, 0, FT_DIR_INGRESS), k6 = k4;
	char *text;

	make_catalog("src=saddr/24/64");
	set_addr(k4.saddr, "192.0.2.0");
	set_addr(k6.saddr, "2001:db8:1::");
	append(&total, k4, 1, 100);
	append(&total, k6, 2, 200);
	text = render_once(1000);
	ASSERT_CONTAINS(text, "direction=\"ingress\",saddr=\"192.0.2.0/24\"} 1\n", "IPv4 /24");
	ASSERT_CONTAINS(text, "direction=\"ingress\",saddr=\"2001:db8:1::/64\"} 2\n", "IPv6 /64");
	free(text);
}

static void test_prom_cap_gives_series_to_top_bytes_and_sums_the_rest_in_other(void)
{
	char *text;

	make_catalog("ports=proto,dport");
	append(&total, port_key(IPPROTO_UDP, 53, FT_DIR_INGRESS), 4, 100);
	append(&total, port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS), 2, 300);
	append(&total, port_key(IPPROTO_TCP, 80, FT_DIR_INGRESS), 5, 200);
	append(&total, port_key(IPPROTO_TCP, 22, FT_DIR_EGRESS), 7, 50);
	text = render_once(2);
	ASSERT_CONTAINS(text, "proto=\"tcp\",dport=\"443\"} 2\n", "largest bytes has a series");
	ASSERT_CONTAINS(text, "proto=\"tcp\",dport=\"80\"} 5\n", "second largest too");
	ASSERT_LACKS(text, "dport=\"53\"", "third is in other");
	ASSERT_CONTAINS(text,
			"flowtally_packets_total{table=\"ports\",direction=\"ingress\","
			"proto=\"other\",dport=\"other\"} 15\n",
			"ingress other: 53 twice, and what 443 and 80 counted before their series");
	ASSERT_CONTAINS(text,
			"flowtally_bytes_total{table=\"ports\",direction=\"egress\","
			"proto=\"tcp\",dport=\"22\"} 50\n",
			"egress has a budget of its own");
	ASSERT_CONTAINS(text, "direction=\"egress\",proto=\"other\",dport=\"other\"} 7\n",
			"egress other: what 22 counted before its series");
	ASSERT_CONTAINS(text, "flowtally_table_series{table=\"ports\",direction=\"ingress\"} 2\n",
			"ingress series count");
	ASSERT_CONTAINS(text, "flowtally_table_series{table=\"ports\",direction=\"egress\"} 1\n",
			"egress series count");
	free(text);
}

/* Window of one interval, series stay 3 windows out of the top unless a key
 * that ranks needs the place. */
static void test_prom_a_late_busy_key_displaces_an_idle_one_within_a_window(void)
{
	struct ft_key idle = port_key(IPPROTO_TCP, 1000, FT_DIR_INGRESS);
	struct ft_key busy = port_key(IPPROTO_TCP, 2000, FT_DIR_INGRESS);
	struct prom_series s;
	char *text;

	make_catalog("ports=proto,dport");
	prom_series_init(&s, 1, 1, 3);
	add(&total, idle, 1, 10);
	text = render(&s);
	ASSERT_CONTAINS(text, "dport=\"1000\"} 0\n", "the first key gets the series, at 0");
	ASSERT_CONTAINS(text, "proto=\"other\",dport=\"other\"} 1\n", "its interval in other");
	free(text);
	/* a far busier key comes later; the first one idles */
	add(&total, busy, 9, 9000);
	text = render(&s);
	ASSERT_CONTAINS(text, "dport=\"2000\"} 0\n", "the busy key has the series at once");
	ASSERT_CONTAINS(text, "dport=\"1000\"} 0\n", "the idle one is frozen, still shown");
	ASSERT_CONTAINS(text, "proto=\"other\",dport=\"other\"} 10\n", "other has both so far");
	ASSERT_CONTAINS(text, "flowtally_table_series{table=\"ports\",direction=\"ingress\"} 1\n",
			"one live series");
	free(text);
	/* both busy again: the busier counts, the idle one is gone and counts
	 * on in other */
	add(&total, busy, 5, 5000);
	add(&total, idle, 2, 20);
	text = render(&s);
	ASSERT_CONTAINS(text, "dport=\"2000\"} 5\n", "the series counts from here");
	ASSERT_LACKS(text, "dport=\"1000\"", "the frozen one went after a scrape and a window");
	ASSERT_CONTAINS(text, "proto=\"other\",dport=\"other\"} 12\n", "other grows by 2");
	prom_series_free(&s);
	free(text);
}

/* A series out of the top with room to spare stays `expire` windows, then
 * a window frozen, then goes: other stays what it was. */
static void test_prom_a_series_out_of_the_top_expires_after_its_windows(void)
{
	struct ft_key a = port_key(IPPROTO_UDP, 53, FT_DIR_EGRESS);
	struct prom_series s;
	char *text;
	int i;

	make_catalog("ports=proto,dport");
	prom_series_init(&s, 10, 2, 2);	/* windows of 2 intervals, 2 windows to expire */
	/* renders 1-2: it comes in and shows 0 for a window; 3: it counts */
	for (i = 0; i < 3; i++) {
		add(&total, a, 4, 400);
		text = render(&s);
		ASSERT_CONTAINS(text, i < 2 ? "dport=\"53\"} 0\n" : "dport=\"53\"} 4\n",
				"0 while it comes, then what it counts");
		free(text);
	}
	/* window 2 (3-4) it ranks; windows 3, 4 and 5 (5-10) not: it expires
	 * at the end of window 5 and shows its value frozen a window more */
	for (i = 3; i < 11; i++) {
		text = render(&s);
		ASSERT_CONTAINS(text, "dport=\"53\"} 4\n", "kept while not expired, then frozen");
		ASSERT_CONTAINS(text, "direction=\"egress\",proto=\"other\",dport=\"other\"} 8\n",
				"other holds what came before the series");
		free(text);
	}
	text = render(&s);
	ASSERT_LACKS(text, "dport=\"53\"", "gone a window after it froze");
	ASSERT_CONTAINS(text, "direction=\"egress\",proto=\"other\",dport=\"other\"} 8\n",
			"its count is not added to other again");
	prom_series_free(&s);
	free(text);
}

/* What Prometheus keeps of one table direction's series across scrapes. */
struct scraper {
	__u64 last[65536];	/* the last value seen, per port; other at 0 */
	bool known[65536], now[65536], before[65536];
	__u64 increase;		/* sum of increase() over every series but other */
	__u64 other0, other;
	int scrapes;
};

/*
 * One scrape of `text`, direction `dir`: increase() as Prometheus reckons it
 * (a value below the last one seen is a counter reset: all of it is new; a
 * series first seen adds nothing). Checks that a series seen in the scrape
 * before never decreases, that one seen first or again shows 0, and that
 * other never decreases. Returns the series exposed.
 */
static int scrape(struct scraper *sc, const char *text, const char *dir)
{
	char want[64];
	const char *p;
	int n = 0, port;

	snprintf(want, sizeof(want), "direction=\"%s\",", dir);
	memcpy(sc->before, sc->now, sizeof(sc->now));
	memset(sc->now, 0, sizeof(sc->now));
	for (p = text; (p = strstr(p, "\nflowtally_packets_total{")); p++) {
		const char *end = strchr(p + 1, '\n'), *sp = end, *pp;
		__u64 v;

		while (sp > p && sp[-1] != ' ')
			sp--;
		v = strtoull(sp, NULL, 10);
		if (!memmem(p, (size_t)(end - p), want, strlen(want)))
			continue;
		if (memmem(p, (size_t)(end - p), "\"other\"", 7)) {
			ASSERT_TRUE(v >= sc->other, "other never decreases");
			if (!sc->scrapes)
				sc->other0 = v;
			sc->other = v;
			continue;
		}
		pp = memmem(p, (size_t)(end - p), "port=\"", 6);
		if (!ASSERT_TRUE(pp != NULL, "a port label"))
			continue;
		port = (int)strtoul(pp + 6, NULL, 10) & 0xffff;
		n++;
		sc->now[port] = true;
		if (sc->before[port])
			ASSERT_TRUE(v >= sc->last[port], "a series never decreases while shown");
		else
			ASSERT_EQ(v, 0, "a series comes (again) at 0");
		if (sc->known[port])
			sc->increase += v >= sc->last[port] ? v - sc->last[port] : v;
		sc->known[port] = true;
		sc->last[port] = v;
	}
	sc->scrapes++;
	return n;
}

/*
 * Thousands of ephemeral ports on egress; on ingress a steady port, more
 * busy ports than the budget taking turns in the top (series go, freeze and
 * come back many times) and a port busy late. Scraped every interval, then
 * once a window: for each direction, sum(increase(series)) plus
 * increase(other) is what the table's entries grew by, exactly; series stay
 * within the budget (live) and twice it (with the frozen).
 */
static void run_series_churn(unsigned int every)
{
	static const char *const dirs[] = { "ingress", "egress" };
	static struct scraper sc[FT_DIRS];
	__u64 want0[FT_DIRS] = {};
	unsigned int port = 32768, round;
	struct prom_series s;
	int i, d, cycles = 0;

	memset(sc, 0, sizeof(sc));
	make_catalog("ports=proto,port");
	prom_series_init(&s, 8, 2, 1);
	for (round = 0; round < 120; round++) {
		__u64 want[FT_DIRS] = {};
		char *text;

		for (i = 0; i < 100; i++, port++)	/* ephemeral: each once */
			add(&total, port_key(IPPROTO_TCP, (__u16)port, FT_DIR_EGRESS), 1, 60);
		add(&total, port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS), 50, 50000);
		for (i = 0; i < 12; i++)	/* 6 of 12 busy at a time, in turns */
			add(&total, port_key(IPPROTO_TCP, (__u16)(1000 + i), FT_DIR_INGRESS),
			    (unsigned int)(i + round / 2) % 12 < 6 ? 9 : 1,
			    (unsigned int)(i + round / 2) % 12 < 6 ? 9000 : 100);
		add(&total, port_key(IPPROTO_TCP, 8443, FT_DIR_INGRESS), round < 20 ? 1 : 80,
		    round < 20 ? 60 : 80000);
		for (i = 0; i < (int)total.nr_entries; i++)
			want[total.entries[i].key.dir] += total.entries[i].val.packets;
		if (round % every) {	/* an interval nobody scrapes */
			struct ft_counts interval;

			counts_init(&interval);
			for (i = 0; i < (int)total.nr_entries; i++) {
				const struct ft_entry *e = &total.entries[i];
				struct ft_entry *was;
				struct ft_value v = e->val;

				ASSERT_EQ(counts_lookup(&rendered, e->table, &e->key, &was), 0, "");
				if (was)
					v = value_delta(&e->val, &was->val);
				if (v.packets)
					ASSERT_EQ(counts_append(&interval, 0, &e->key, &v), 0, "");
			}
			ASSERT_EQ(prom_series_update(&s, &cat, &interval, &total), 0, "update");
			counts_reset(&rendered);
			ASSERT_EQ(counts_merge(&rendered, &total), 0, "merge");
			counts_free(&interval);
			continue;
		}
		text = render(&s);
		for (d = 0; d < FT_DIRS; d++) {
			bool had[12];
			int n;

			for (i = 0; i < 12; i++)
				had[i] = sc[d].now[1000 + i];
			n = scrape(&sc[d], text, dirs[d]);
			for (i = 0; i < 12; i++)
				cycles += had[i] && !sc[d].now[1000 + i];

			if (sc[d].scrapes == 1)
				want0[d] = want[d];
			ASSERT_TRUE(n <= 16, "within the budget and its frozen");
			ASSERT_EQ(sc[d].increase + (sc[d].other - sc[d].other0), want[d] - want0[d],
				  "sum(increase(series)) + increase(other) = the entries' growth");
		}
		ASSERT_LACKS(text, "flowtally_table_series{table=\"ports\",direction=\"ingress\"} 9",
			     "live series within budget");
		if (round == 19)
			ASSERT_LACKS(text, "port=\"8443\"}", "the trickle has no series");
		if (round >= 24)
			ASSERT_CONTAINS(text, "direction=\"ingress\",proto=\"tcp\",port=\"8443\"}",
					"the late busy port has a series within a window or two");
		free(text);
	}
	ASSERT_TRUE(cycles >= 20, "series went and came back many times");
	/* 12,000 ephemeral keys went through: only the series are remembered
	 * (live, pending, frozen: 8 live and at most 16 frozen a direction),
	 * and the window's keys (200 a window of 2 intervals, and 15) */
	ASSERT_TRUE(s.own.nr_entries <= 2 * 8, "live series only");
	ASSERT_TRUE(s.pending.nr_entries <= s.own.nr_entries, "pending among the live");
	ASSERT_TRUE(s.frozen.nr_entries <= 2 * 16, "frozen ones bounded");
	ASSERT_TRUE(s.window.nr_entries <= 2 * 115, "the window's keys only");
	prom_series_free(&s);
}

static void test_prom_increase_over_scrapes_is_exact_through_series_churn(void)
{
	run_series_churn(1);
}

static void test_prom_increase_is_exact_scraped_once_a_window(void)
{
	run_series_churn(2);
}

static void test_prom_other_holds_what_a_key_counted_before_its_series(void)
{
	char *text;

	make_catalog("ports=proto,dport");
	append(&total, port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS), 2, 300);
	text = render_once(2);
	ASSERT_CONTAINS(text, "proto=\"tcp\",dport=\"443\"} 2\n", "the series counts on");
	ASSERT_CONTAINS(text, "proto=\"other\",dport=\"other\"} 2\n", "its past is in other");
	free(text);
}

static void test_prom_a_removed_table_gives_its_name_to_a_new_one(void)
{
	struct ft_key k = port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS);
	struct ft_value v = { .packets = 1, .bytes = 100 };
	char *text;

	make_catalog("ports=proto,dport");
	cat.tables[0].removed = true;
	cat.tables[1] = cat.tables[0];
	cat.tables[1].removed = false;
	append(&total, k, 5, 500);
	ASSERT_EQ(counts_append(&total, 1, &k, &v), 0, "counts_append");
	text = render_once(1000);
	ASSERT_CONTAINS(text, "proto=\"tcp\",dport=\"443\"} 1\n", "the new table's series");
	ASSERT_LACKS(text, "dport=\"443\"} 5\n", "not the removed one's: same labels");
	ASSERT_CONTAINS(text, "\nflowtally_table_size{table=\"ports\"} 65536\n", "one size");
	free(text);
}

static void test_prom_seen_and_unclassified_per_iface_direction_and_reason(void)
{
	char *text;

	make_catalog("ports=proto,dport");
	total.iface[FIXTURE_SLOT][FT_DIR_INGRESS][FT_CNT_SEEN] = (struct ft_value){ 12, 3400 };
	total.iface[FIXTURE_SLOT][FT_DIR_EGRESS][FT_CNT_UNCL(FT_UNCL_FRAGMENT)] =
		(struct ft_value){ 3, 210 };
	total.table[0][FT_DIR_INGRESS][FT_TBL_OVERFLOW] = (struct ft_value){ 5, 500 };
	text = render_once(1000);
	ASSERT_CONTAINS(text,
			"\nflowtally_seen_packets_total{iface=\"veth0\",direction=\"ingress\"} 12\n",
			"seen packets");
	ASSERT_CONTAINS(text,
			"\nflowtally_seen_bytes_total{iface=\"veth0\",direction=\"ingress\"} 3400\n",
			"seen bytes");
	ASSERT_CONTAINS(text,
			"\nflowtally_unclassified_bytes_total{iface=\"veth0\",direction=\"egress\","
			"reason=\"fragment\"} 210\n",
			"unclassified by reason");
	ASSERT_CONTAINS(text,
			"\nflowtally_overflow_packets_total{table=\"ports\",direction=\"ingress\"} 5\n",
			"overflow");
	ASSERT_LACKS(text, "(other)", "no unknown-interface series without its frames");
	free(text);
}

/* Sums a family's samples whose line contains `with` (NULL: all). */
static __u64 family_sum(const char *text, const char *family, const char *with)
{
	char want[128];
	const char *p = text;
	__u64 sum = 0;

	snprintf(want, sizeof(want), "\n%s{", family);
	while ((p = strstr(p, want))) {
		const char *eol = strchr(p + 1, '\n');
		const char *sp = eol ? memrchr(p, ' ', (size_t)(eol - p)) : NULL;
		char line[256];

		p++;
		if (!eol || !sp)
			break;
		snprintf(line, sizeof(line), "%.*s", (int)(eol - p), p);
		if (!with || strstr(line, with))
			sum += strtoull(sp + 1, NULL, 10);
	}
	return sum;
}

/* Interfaces past --prometheus-max-interfaces, unknown and removed ones
 * add up in iface="other": the series stay capped, their sum exact. */
static void test_prom_iface_series_are_capped_with_other(void)
{
	static struct ft_iface many[8];
	struct prom_self self = { .max_iface_series = 2 };
	struct prom_series s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	make_catalog("ports=proto,dport");
	memset(many, 0, sizeof(many));
	cat.ifaces = many;
	cat.max_ifaces = 7;
	cat.nr_ifaces = 6;
	counts_iface_reserve(&total, 6);
	for (i = 1; i < 6; i++) {
		many[i].used = true;
		snprintf(many[i].name, sizeof(many[i].name), "ftp%d", i);
		many[i].ifindex = 10 + i;
		total.iface[i][FT_DIR_INGRESS][FT_CNT_SEEN] = (struct ft_value){ 100u * i, 1000u * i };
	}
	total.iface[FT_IFACE_OTHER][FT_DIR_INGRESS][FT_CNT_SEEN] = (struct ft_value){ 7, 70 };
	total.removed[FT_DIR_INGRESS][FT_CNT_SEEN] = (struct ft_value){ 9, 90 };
	prom_series_init(&s, 10, FT_PROM_WINDOW, FT_PROM_EXPIRE);
	f = open_memstream(&buf, &len);
	ASSERT_EQ(prom_render(f, &cat, &total, &total, &s, &self), 0, "render");
	fclose(f);
	prom_series_free(&s);
	ASSERT_CONTAINS(buf, "flowtally_seen_packets_total{iface=\"ftp1\",direction=\"ingress\"} 100\n",
			"first interface has its series");
	ASSERT_CONTAINS(buf, "flowtally_seen_packets_total{iface=\"ftp2\",direction=\"ingress\"} 200\n",
			"second interface has its series");
	ASSERT_LACKS(buf, "iface=\"ftp3\"", "third interface is past the cap");
	/* 300 + 400 + 500 + 7 unknown + 9 removed */
	ASSERT_CONTAINS(buf,
			"flowtally_seen_packets_total{iface=\"other\",direction=\"ingress\"} 1216\n",
			"the rest in other");
	ASSERT_EQ(family_sum(buf, "flowtally_seen_packets_total", "ingress"),
		  100 + 200 + 300 + 400 + 500 + 7 + 9, "the family sums to every frame seen");
	ASSERT_EQ(family_sum(buf, "flowtally_seen_bytes_total", "ingress"),
		  1000 + 2000 + 3000 + 4000 + 5000 + 70 + 90, "and every byte");
	free(buf);
}

/* iface="other" of ingress seen packets, as rendered with `own`. */
static __u64 render_other(struct prom_ifaces *own)
{
	struct prom_self self = { .ifaces = own };
	struct prom_series s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	__u64 v;

	prom_series_init(&s, 10, FT_PROM_WINDOW, FT_PROM_EXPIRE);
	f = open_memstream(&buf, &len);
	ASSERT_EQ(prom_ifaces_update(own, &cat), 0, "update");
	ASSERT_EQ(prom_render(f, &cat, &total, &total, &s, &self), 0, "render");
	fclose(f);
	prom_series_free(&s);
	v = family_sum(buf, "flowtally_seen_packets_total", "iface=\"other\",direction=\"ingress\"");
	free(buf);
	return v;
}

/* An interface that started in "other" stays there when a slot frees up,
 * and a new interface gets the room: "other" never goes down (a counter). */
static void test_prom_iface_series_kept_for_life_other_only_grows(void)
{
	static struct ft_iface many[6];
	struct prom_ifaces own;
	__u64 before, after;
	int i;

	make_catalog("ports=proto,dport");
	memset(many, 0, sizeof(many));
	cat.ifaces = many;
	cat.max_ifaces = 5;
	cat.nr_ifaces = 4;
	counts_iface_reserve(&total, 4);
	for (i = 1; i < 4; i++) {
		many[i].used = true;
		snprintf(many[i].name, sizeof(many[i].name), "ftp%d", i);
		many[i].ifindex = 10 + i;
		many[i].epoch = (__u64)i;
		total.iface[i][FT_DIR_INGRESS][FT_CNT_SEEN] = (struct ft_value){ 100u * i, 0 };
	}
	prom_ifaces_init(&own, 2);
	before = render_other(&own);
	ASSERT_EQ(before, 300, "the third interface is in other");
	/* ftp1 leaves: its totals to the removed sum, its slot free */
	counts_iface_retire(&total, 1);
	memset(&many[1], 0, sizeof(many[1]));
	after = render_other(&own);
	ASSERT_EQ(after, 400, "ftp1's totals join other; ftp3 stays there");
	before = after;
	/* a new interface in slot 1 gets the series ftp1 had */
	many[1].used = true;
	strcpy(many[1].name, "ftp9");
	many[1].ifindex = 99;
	many[1].epoch = 9;
	total.iface[1][FT_DIR_INGRESS][FT_CNT_SEEN] = (struct ft_value){ 7, 0 };
	after = render_other(&own);
	ASSERT_EQ(after, before, "the new one has its own series; other unchanged");
	ASSERT_TRUE(own.own[1] && own.own[2] && !own.own[3], "ftp9 and ftp2 own, ftp3 not");
	/* ftp9 retired and its slot retaken by a device of its ifindex before
	 * the next scrape: a new interface (its epoch), decided on afresh, and
	 * the series count stays within the cap */
	counts_iface_retire(&total, 1);
	memset(&many[1], 0, sizeof(many[1]));
	many[1].used = true;
	strcpy(many[1].name, "ftp9b");
	many[1].ifindex = 99;
	many[1].epoch = 10;
	before = render_other(&own);
	ASSERT_EQ(own.epoch[1], 10, "decided for the new epoch");
	ASSERT_TRUE(own.own[1] && own.nr_own == 2, "the new one owns the freed series; cap kept");
	ASSERT_EQ(before, after + 7, "ftp9's totals joined other");
	prom_ifaces_free(&own);
}

/* Every sample belongs to a family announced once, with HELP then TYPE, and
 * its samples are together; counters end in _total. */
static void test_prom_every_family_has_help_and_type_once_and_is_contiguous(void)
{
	char *text, *line, *save = NULL, families[64][64], current[64] = "";
	int nfam = 0, i;

	make_catalog("ports=proto,dport");
	append(&total, port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS), 2, 300);
	text = render_once(1000);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], type[16];

		if (sscanf(line, "# TYPE %63s %15s", name, type) == 2) {
			for (i = 0; i < nfam; i++)
				ASSERT_TRUE(strcmp(families[i], name), "a TYPE line once a family");
			if (nfam < 64)
				strcpy(families[nfam++], name);
			ASSERT_TRUE(strcmp(type, "counter") ||
					    !strcmp(name + strlen(name) - 6, "_total"),
				    "counters end in _total");
			strcpy(current, name);
		} else if (line[0] != '#') {
			size_t n = strcspn(line, "{ ");

			ASSERT_TRUE(n == strlen(current) && !strncmp(line, current, n),
				    "sample under its own family's TYPE");
		}
	}
	/* build info; seen and unclassified, packets and bytes (4); entries and
	 * overflow, packets and bytes (4); table size, keys, inserts, evictions,
	 * memory, series */
	ASSERT_EQ(nfam, 15, "every family of the counts rendered");
	free(text);
}

static void test_prom_before_the_first_interval_serves_build_info(void)
{
	char *buf = NULL, want[512];
	size_t len = 0;
	struct utsname u;
	FILE *f = open_memstream(&buf, &len);

	ASSERT_EQ(prom_render(f, NULL, NULL, NULL, NULL, NULL), 0, "prom_render");
	fclose(f);
	ASSERT_EQ(uname(&u), 0, "uname");
	snprintf(want, sizeof(want),
		 "flowtally_build_info{version=\"" FT_VERSION "\",kernel=\"%s\",libbpf=\"%s\"} 1\n",
		 u.release, libbpf_version_string());
	ASSERT_CONTAINS(buf, want, "build info: version, kernel, libbpf");
	ASSERT_LACKS(buf, "flowtally_last_interval_timestamp_seconds", "no interval yet");
	free(buf);
}

static void test_prom_last_interval_timestamp_is_the_end_of_the_last_interval(void)
{
	struct prom_self self = { .interval_seconds = 2.0, .last_interval_end = REC_END };
	struct prom_series s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	make_catalog("ports=proto,dport");
	prom_series_init(&s, 1000, 1, 0);
	ASSERT_EQ(prom_render(f, &cat, &total, &total, &s, &self), 0, "prom_render");
	fclose(f);
	ASSERT_CONTAINS(buf,
			"# TYPE flowtally_last_interval_timestamp_seconds gauge\n"
			"flowtally_last_interval_timestamp_seconds 1002.000000\n",
			"timestamp of the interval's end");
	ASSERT_CONTAINS(buf, "\nflowtally_interval_seconds 2.000000\n", "its length");
	prom_series_free(&s);
	free(buf);
}

static void test_prom_lru_tables_export_their_evictions_as_a_counter(void)
{
	char *text;

	make_catalog("flows=flow:lru");
	total.evicted[0][FT_DIR_INGRESS] = 7;
	text = render_once(1000);
	ASSERT_CONTAINS(text, "# TYPE flowtally_table_evictions_total counter\n", "a counter");
	ASSERT_CONTAINS(text,
			"\nflowtally_table_evictions_total{table=\"flows\",direction=\"ingress\"} 7\n",
			"ingress evictions");
	ASSERT_CONTAINS(text,
			"\nflowtally_table_evictions_total{table=\"flows\",direction=\"egress\"} 0\n",
			"egress: none");
	free(text);

	make_catalog("ports=proto,dport");
	text = render_once(1000);
	ASSERT_LACKS(text, "flowtally_table_evictions_total{", "a hash table never evicts");
	free(text);
}

/* The process families of every exporter, from /proc: this very process. */
static void test_prom_process_metrics_are_the_standard_families(void)
{
	struct prom_process p;
	char buf[1024];
	int n;

	ASSERT_EQ(prom_process_read(&p), 0, "prom_process_read");
	ASSERT_TRUE(p.start_time > 1.6e9 && p.start_time <= (double)time(NULL) + 1,
		    "start time: this process, since the epoch");
	ASSERT_TRUE(p.resident_bytes > 0, "resident memory");
	ASSERT_TRUE(p.open_fds >= 3, "stdin, stdout, stderr at least");
	ASSERT_TRUE(p.max_fds >= p.open_fds, "max fds");
	n = prom_process_format(buf, sizeof(buf), &p);
	ASSERT_TRUE(n > 0 && n < (int)sizeof(buf), "fits in the serve buffer");
	ASSERT_CONTAINS(buf, "# TYPE process_cpu_seconds_total counter\n", "cpu");
	ASSERT_CONTAINS(buf, "# TYPE process_start_time_seconds gauge\n", "start time");
	ASSERT_CONTAINS(buf, "# TYPE process_resident_memory_bytes gauge\n", "rss");
	ASSERT_CONTAINS(buf, "# TYPE process_virtual_memory_bytes gauge\n", "vsize");
	ASSERT_CONTAINS(buf, "# TYPE process_open_fds gauge\n", "open fds");
	ASSERT_CONTAINS(buf, "# TYPE process_max_fds gauge\n", "max fds");
}

/* ---- IPFIX ---- */

/* A field of a record in libfixbuf's internal layout: host order. */
static __u64 get_host(const __u8 *p, unsigned int len)
{
	__u8 b1;
	__u16 b2;
	__u32 b4;
	__u64 b8;

	switch (len) {
	case 1:
		memcpy(&b1, p, 1);
		return b1;
	case 2:
		memcpy(&b2, p, 2);
		return b2;
	case 4:
		memcpy(&b4, p, 4);
		return b4;
	default:
		memcpy(&b8, p, 8);
		return b8;
	}
}

/* Offset of element `ie` in the template's records, or -1. */
static int field_offset(const struct ipfix_template *t, __u16 ie)
{
	int i, off = 0;

	for (i = 0; i < t->nr_fields; off += t->fields[i].len, i++)
		if (t->fields[i].ie == ie)
			return off;
	return -1;
}

static __u64 field(const struct ipfix_template *t, const __u8 *rec, __u16 ie)
{
	int i, off = 0;

	for (i = 0; i < t->nr_fields; off += t->fields[i].len, i++)
		if (t->fields[i].ie == ie)
			return get_host(rec + off, t->fields[i].len);
	ASSERT_TRUE(false, "element in the template");
	return 0;
}

/* The variants a table announces, as a bit mask. */
static unsigned int variants(const char *text)
{
	struct table_spec s = spec_of(text);
	unsigned int m = 0;
	int v;

	for (v = 0; v < IPFIX_VARIANTS; v++)
		if (ipfix_variant_used(&s, v))
			m |= 1u << v;
	return m;
}

#define V4(l4) (1u << (l4))
#define V6(l4) (1u << (IPFIX_L4_KINDS + (l4)))

static void test_ipfix_ports_template_has_the_keys_interfaces_direction_counts_and_times(void)
{
	static const struct ipfix_field want[] = {
		{ IE_FLOW_START_MS, 8 }, { IE_FLOW_END_MS, 8 },	 { IE_PROTOCOL, 1 },
		{ IE_DST_PORT, 2 },	 { IE_INGRESS_IF, 4 },	 { IE_EGRESS_IF, 4 },
		{ IE_FLOW_DIRECTION, 1 }, { IE_PACKET_DELTA, 8 }, { IE_OCTET_DELTA, 8 },
		{ IE_L2_OCTET_DELTA, 8 },
	};
	struct table_spec s = spec_of("ports=proto,dport");
	struct ipfix_template t;
	size_t i;

	ipfix_template_init(&t, &s, 0);
	ASSERT_EQ(t.nr_fields, ARRAY_SIZE(want), "fields");
	for (i = 0; i < ARRAY_SIZE(want) && i < t.nr_fields; i++) {
		ASSERT_EQ(t.fields[i].ie, want[i].ie, "element id");
		ASSERT_EQ(t.fields[i].len, want[i].len, "element length");
	}
	ASSERT_EQ(t.record_len, 52, "record length");
	ASSERT_EQ(t.scope, 0, "a data template");
}

/* The impossible templates: IPv4 with icmpTypeCodeIPv6 and IPv6
 * with icmpTypeCodeIPv4; a port-only table with an IPv6 variant. */
static void test_ipfix_only_templates_a_table_can_produce_are_announced(void)
{
	ASSERT_EQ(variants("ports=proto,dport"),
		  V4(IPFIX_L4_PORTS) | V4(IPFIX_L4_ICMP) | V4(IPFIX_L4_ICMPV6),
		  "ports: no addresses, so one family-less variant per L4 kind");
	ASSERT_EQ(variants("f=flow"),
		  V4(IPFIX_L4_PORTS) | V4(IPFIX_L4_ICMP) | V6(IPFIX_L4_PORTS) | V6(IPFIX_L4_ICMPV6),
		  "flow: ICMP only with IPv4, ICMPv6 only with IPv6");
	ASSERT_EQ(variants("src=saddr"), V4(IPFIX_L4_PORTS) | V6(IPFIX_L4_PORTS),
		  "sources: one template per family, no ICMP");
	ASSERT_EQ(variants("d=dport"), V4(IPFIX_L4_PORTS), "dport without proto: ports only");
	ASSERT_EQ(variants("p=proto"), V4(IPFIX_L4_PORTS), "proto alone: one template");
	ASSERT_EQ(variants("x=daddr/24/64,proto,dport"),
		  V4(IPFIX_L4_PORTS) | V4(IPFIX_L4_ICMP) | V6(IPFIX_L4_PORTS) | V6(IPFIX_L4_ICMPV6),
		  "daddr decides the family too");
	ASSERT_TRUE(!ipfix_variant_used(&(struct table_spec){ .fields = 1 }, IPFIX_VARIANTS),
		    "no variant past the last");
}

static void test_ipfix_templates_without_addresses_carry_none(void)
{
	struct table_spec s = spec_of("ports=proto,dport");
	struct ipfix_template t;
	int v;
	static const __u16 addr_ies[] = { IE_SRC_IPV4, IE_DST_IPV4, IE_SRC_IPV6, IE_DST_IPV6 };
	size_t i;

	for (v = 0; v < IPFIX_VARIANTS; v++) {
		if (!ipfix_variant_used(&s, v))
			continue;
		ipfix_template_init(&t, &s, v);
		for (i = 0; i < ARRAY_SIZE(addr_ies); i++)
			ASSERT_EQ(field_offset(&t, addr_ies[i]), -1, "no address element");
	}
}

static void test_ipfix_icmp_records_carry_type_and_code_in_their_own_element(void)
{
	struct table_spec s = spec_of("ports=proto,dport");
	struct ft_key icmp = port_key(IPPROTO_ICMP, 3 << 8 | 1, FT_DIR_INGRESS);
	struct ft_key icmp6 = port_key(IPPROTO_ICMPV6, 128 << 8, FT_DIR_INGRESS);
	struct ft_key tcp = port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS);
	struct ipfix_template t;

	ASSERT_EQ(ipfix_entry_variant(&s, &tcp), IPFIX_L4_PORTS, "TCP: ports");
	ASSERT_EQ(ipfix_entry_variant(&s, &icmp), IPFIX_L4_ICMP, "ICMP");
	ASSERT_EQ(ipfix_entry_variant(&s, &icmp6), IPFIX_L4_ICMPV6, "ICMPv6");
	ipfix_template_init(&t, &s, IPFIX_L4_ICMP);
	ASSERT_EQ(field_offset(&t, IE_DST_PORT), -1, "no destinationTransportPort");
	ASSERT_EQ(field_offset(&t, IE_ICMP_TYPE_CODE_V4), 17, "icmpTypeCodeIPv4");
	ipfix_template_init(&t, &s, IPFIX_L4_ICMPV6);
	ASSERT_EQ(field_offset(&t, IE_ICMP_TYPE_CODE_V6), 17, "icmpTypeCodeIPv6");
}

/* Every entry's variant is one the table announces. */
static void test_ipfix_every_entry_uses_an_announced_variant(void)
{
	static const char *const specs[] = { "f=flow", "s=saddr", "p=proto,dport", "d=dport",
					     "x=daddr,proto,dport" };
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6 };
	static const char *const addrs[] = { "192.0.2.1", "2001:db8::1" };
	size_t i, p, a;

	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		struct table_spec s = spec_of(specs[i]);

		for (p = 0; p < ARRAY_SIZE(protos); p++) {
			for (a = 0; a < ARRAY_SIZE(addrs); a++) {
				struct ft_key k = port_key(protos[p], 8 << 8, FT_DIR_INGRESS);

				set_addr(k.saddr, addrs[a]);
				set_addr(k.daddr, addrs[a]);
				ASSERT_TRUE(ipfix_variant_used(&s, ipfix_entry_variant(&s, &k)),
					    specs[i]);
			}
		}
	}
}

static void test_ipfix_address_tables_have_an_ipv4_and_an_ipv6_template(void)
{
	struct table_spec s = spec_of("f=flow");
	struct ft_key k = port_key(IPPROTO_UDP, 53, FT_DIR_INGRESS);
	struct ipfix_template t4, t6;

	ipfix_template_init(&t4, &s, 0);
	ipfix_template_init(&t6, &s, IPFIX_L4_KINDS);
	ASSERT_EQ(field_offset(&t4, IE_SRC_IPV4), 16, "sourceIPv4Address after the times");
	ASSERT_EQ(field_offset(&t4, IE_DST_IPV4), 20, "destinationIPv4Address");
	ASSERT_EQ(field_offset(&t6, IE_SRC_IPV6), 16, "sourceIPv6Address");
	ASSERT_EQ(field_offset(&t6, IE_DST_IPV6), 32, "destinationIPv6Address");
	ASSERT_EQ(t6.record_len - t4.record_len, 24, "IPv6 records are 24 bytes longer");
	ASSERT_EQ(field_offset(&t4, IE_SRC_IPV4_PREFIX), -1, "no prefix element for /32");
	set_addr(k.saddr, "2001:db8::1");
	set_addr(k.daddr, "2001:db8::2");
	ASSERT_EQ(ipfix_entry_variant(&s, &k), IPFIX_L4_KINDS, "IPv6 entry: IPv6 template");
	set_addr(k.saddr, "192.0.2.1");
	set_addr(k.daddr, "198.51.100.1");
	ASSERT_EQ(ipfix_entry_variant(&s, &k), 0, "IPv4 entry: IPv4 template");
}

static void test_ipfix_record_has_each_field_in_host_order_for_libfixbuf(void)
{
	struct table_spec s = spec_of("n=saddr/24,proto,dport,vlan,dscp");
	struct ft_entry e = { .key = port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS) };
	struct ipfix_template t;
	__u8 rec[256];

	e.key.vlan = 100;
	e.key.dscp = 46;
	set_addr(e.key.saddr, "192.0.2.0");
	e.val = (struct ft_value){ .packets = 10, .bytes = 15000 };
	ipfix_template_init(&t, &s, 0);
	ipfix_record_encode(&t, &s, &e, 1000000, 1002000, 7, rec);
	ASSERT_EQ(field(&t, rec, IE_FLOW_START_MS), 1000000, "start ms");
	ASSERT_EQ(field(&t, rec, IE_FLOW_END_MS), 1002000, "end ms");
	ASSERT_EQ(field(&t, rec, IE_SRC_IPV4), 0xc0000200, "192.0.2.0, a number");
	ASSERT_EQ(field(&t, rec, IE_SRC_IPV4_PREFIX), 24, "prefix length");
	ASSERT_EQ(field(&t, rec, IE_PROTOCOL), IPPROTO_TCP, "protocol");
	ASSERT_EQ(field(&t, rec, IE_DST_PORT), 443, "port");
	ASSERT_EQ(field(&t, rec, IE_VLAN_ID), 100, "vlan");
	ASSERT_EQ(field(&t, rec, IE_CLASS_OF_SERVICE), 46 << 2, "DSCP in TOS");
	ASSERT_EQ(field(&t, rec, IE_INGRESS_IF), 7, "the instance's interface");
	ASSERT_EQ(field(&t, rec, IE_EGRESS_IF), 0, "ingress: no egressInterface");
	ASSERT_EQ(field(&t, rec, IE_FLOW_DIRECTION), 0, "ingress");
	ASSERT_EQ(field(&t, rec, IE_PACKET_DELTA), 10, "packets");
	ASSERT_EQ(field(&t, rec, IE_OCTET_DELTA), 15000 - 10 * 14,
		  "octets: frames less an Ethernet header each");
	ASSERT_EQ(field(&t, rec, IE_L2_OCTET_DELTA), 15000, "frame bytes");
}

static void test_ipfix_ifindex_key_goes_to_the_interface_of_the_direction(void)
{
	struct table_spec s = spec_of("i=ifindex");
	struct ft_entry in = { .key = port_key(0, 0, FT_DIR_INGRESS) }, out = in;
	struct ipfix_template t;
	__u8 rec[256];

	in.key.ifindex = out.key.ifindex = 9;
	out.key.dir = FT_DIR_EGRESS;
	ipfix_template_init(&t, &s, 0);
	ipfix_record_encode(&t, &s, &in, 0, 0, 3, rec);
	ASSERT_EQ(field(&t, rec, IE_INGRESS_IF), 9, "ingress: the key's, not the hint");
	ASSERT_EQ(field(&t, rec, IE_EGRESS_IF), 0, "ingress: no egressInterface");
	ipfix_record_encode(&t, &s, &out, 0, 0, 3, rec);
	ASSERT_EQ(field(&t, rec, IE_INGRESS_IF), 0, "egress: no ingressInterface");
	ASSERT_EQ(field(&t, rec, IE_EGRESS_IF), 9, "egress: egressInterface");
	ASSERT_EQ(field(&t, rec, IE_FLOW_DIRECTION), 1, "egress");
}

/* A table without ifindex in its key: the instance's interface when it
 * counts on one, 0 (unknown) when on several. */
static void test_ipfix_table_without_ifindex_names_the_one_interface_or_none(void)
{
	struct table_spec ports = spec_of("ports=proto,dport"), ifs = spec_of("i=ifindex");
	struct ft_catalog c = {};
	struct ft_iface *b;

	ASSERT_EQ(catalog_init(&c, 4), 0, "catalog");
	catalog_new_iface(&c, "a", 12);
	ASSERT_EQ(ipfix_table_ifindex(&c, &ports), 12, "one interface: it");
	ASSERT_EQ(ipfix_table_ifindex(&c, &ifs), 0, "keyed by ifindex: the key's");
	b = catalog_new_iface(&c, "b", 13);
	ASSERT_EQ(ipfix_table_ifindex(&c, &ports), 0, "two interfaces: unknown");
	b->gone = true;
	ASSERT_EQ(ipfix_table_ifindex(&c, &ports), 12, "the other one gone: the one left");
	catalog_free(&c);
}

static void test_ipfix_options_templates_scope_the_domain_and_the_interface(void)
{
	struct table_spec s = spec_of("ports=proto,dport");
	struct ipfix_template t;
	char name[128];

	ipfix_domain_name_template(&t);
	ASSERT_EQ(t.nr_fields, 2, "two elements");
	ASSERT_EQ(t.scope, 1, "one scope element");
	ASSERT_EQ(t.fields[0].ie, IE_OBSERVATION_DOMAIN_ID, "scope: observationDomainId");
	ASSERT_EQ(t.fields[1].ie, IE_OBSERVATION_DOMAIN_NAME, "observationDomainName");
	ASSERT_EQ(t.fields[1].len, IPFIX_VARLEN, "a string");
	ipfix_iface_name_template(&t);
	ASSERT_EQ(t.fields[0].ie, IE_INGRESS_IF, "scope: ingressInterface");
	ASSERT_EQ(t.fields[1].ie, IE_INTERFACE_NAME, "interfaceName");
	ipfix_domain_name(&s, name, sizeof(name));
	ASSERT_STREQ(name, "ports: proto,dport", "the domain's name");
}

/* ---- CSV ---- */

static char *csv_run(bool final)
{
	struct export_opts o = { .csv = true };
	struct exporter e = { .ops = &csv_exporter };
	struct sink out = {};
	char *buf = NULL;

	out.f = open_memstream(&out.buf, &out.len);
	ASSERT_EQ(csv_exporter.open(&e, &o, &out), 0, "open");
	if (final)
		ASSERT_EQ(csv_exporter.final(&e, &cat, &total), 0, "final");
	else
		ASSERT_EQ(csv_exporter.interval(&e, &cat, &total, &total), 0, "interval");
	csv_exporter.close(&e);
	fclose(out.f);
	buf = out.buf;
	return buf;
}

/*
 * Per direction: the interface's seen row, its unclassified rows that are
 * not 0 (ingress: 2 fragments), the table's overflow row (ingress: 1 frame)
 * and its entries; seen is the sum of the others (12 = 9 + 1 + 2 ingress,
 * 3 egress).
 */
static void test_csv_header_then_count_rows_then_entries(void)
{
	static const char want[] =
		"type,start,end,table,direction,proto,sport,dport,icmp_type,icmp_code,saddr,"
		"daddr,vlan,ifindex,dscp,packets,bytes,vni,interface,row,reason,port\n"
		"interval,1000.000000,1002.000000,,ingress,,,,,,,,,7,,12,15180,,veth0,seen,,\n"
		"interval,1000.000000,1002.000000,,ingress,,,,,,,,,7,,2,120,,veth0,unclassified,"
		"fragment,\n"
		"interval,1000.000000,1002.000000,,egress,,,,,,,,,7,,3,294,,veth0,seen,,\n"
		"interval,1000.000000,1002.000000,ports,ingress,,,,,,,,,,,1,60,,,overflow,,\n"
		"interval,1000.000000,1002.000000,ports,egress,,,,,,,,,,,0,0,,,overflow,,\n"
		"interval,1000.000000,1002.000000,ports,ingress,tcp,,443,,,,,,,,9,15000,,,entry,,\n"
		"interval,1000.000000,1002.000000,ports,egress,icmp,,,8,0,,,,,,3,294,,,entry,,\n";
	char *text;

	make_catalog("ports=proto,dport");
	append(&total, port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS), 9, 15000);
	append(&total, port_key(IPPROTO_ICMP, 8 << 8, FT_DIR_EGRESS), 3, 294);
	total.iface[FIXTURE_SLOT][FT_DIR_INGRESS][FT_CNT_SEEN] = (struct ft_value){ 12, 15180 };
	total.iface[FIXTURE_SLOT][FT_DIR_INGRESS][FT_CNT_UNCL(FT_UNCL_FRAGMENT)] = (struct ft_value){ 2, 120 };
	total.table[0][FT_DIR_INGRESS][FT_TBL_OVERFLOW] = (struct ft_value){ 1, 60 };
	total.iface[FIXTURE_SLOT][FT_DIR_EGRESS][FT_CNT_SEEN] = (struct ft_value){ 3, 294 };
	text = csv_run(false);
	if (!ASSERT_TRUE(text && !strcmp(text, want), "header and rows"))
		fprintf(stderr, "      got:\n%s      want:\n%s", text ? text : "", want);
	free(text);
}

/* Nothing arrived: still a seen row per interface and direction, and an
 * overflow row per table and direction, all 0. */
static void test_csv_empty_interval_still_has_rows(void)
{
	char *text;

	make_catalog("ports=proto,dport");
	text = csv_run(false);
	if (!ASSERT_TRUE(text, "rows"))
		return;
	ASSERT_CONTAINS(text, "\ninterval,1000.000000,1002.000000,,ingress,,,,,,,,,7,,0,0,,veth0,seen,,\n",
			"ingress seen 0");
	ASSERT_CONTAINS(text, "\ninterval,1000.000000,1002.000000,,egress,,,,,,,,,7,,0,0,,veth0,seen,,\n",
			"egress seen 0");
	ASSERT_LACKS(text, ",entry,", "no entry row");
	ASSERT_LACKS(text, ",unclassified,", "no unclassified row");
	free(text);
}

/* An entry of a table keyed on ifindex names its interface. */
static void test_csv_ifindex_entry_names_its_interface(void)
{
	struct ft_key k = port_key(IPPROTO_UDP, 0, FT_DIR_INGRESS);
	char *text;

	make_catalog("i=ifindex,proto");
	k.ifindex = 7;
	append(&total, k, 1, 60);
	text = csv_run(false);
	ASSERT_CONTAINS(text, "\ninterval,1000.000000,1002.000000,i,ingress,udp,,,,,,,,7,,1,60,,veth0,"
			      "entry,,\n",
			"entry row with the interface");
	free(text);
}

/* Linux allows commas and quotes in an interface name: quoted, RFC 4180. */
static void test_csv_quotes_an_interface_name_with_a_comma(void)
{
	struct ft_key k = port_key(IPPROTO_UDP, 0, FT_DIR_INGRESS);
	char *text;

	make_catalog("i=ifindex,proto");
	snprintf(cat.ifaces[FIXTURE_SLOT].name, sizeof(cat.ifaces[FIXTURE_SLOT].name), "a,b\"c");
	k.ifindex = 7;
	append(&total, k, 1, 60);
	text = csv_run(false);
	ASSERT_CONTAINS(text, ",7,,0,0,,\"a,b\"\"c\",seen,,\n", "seen row, quoted");
	ASSERT_CONTAINS(text, ",7,,1,60,,\"a,b\"\"c\",entry,,\n", "entry row, quoted");
	free(text);
}

static void test_csv_final_rows_and_address_columns(void)
{
	struct ft_key k = port_key(IPPROTO_UDP, 53, FT_DIR_INGRESS);
	char *text;

	make_catalog("f=flow,vlan");
	set_addr(k.saddr, "2001:db8::1");
	set_addr(k.daddr, "2001:db8::2");
	k.sport = 5353;
	k.vlan = 12;
	append(&total, k, 1, 90);
	text = csv_run(true);
	ASSERT_CONTAINS(text,
			"\nfinal,1000.000000,1002.000000,f,ingress,udp,5353,53,,,2001:db8::1,"
			"2001:db8::2,12,,,1,90,,,entry,,\n",
			"final row");
	free(text);
}

static void test_csv_appending_to_a_file_with_rows_adds_no_header(void)
{
	struct export_opts o = { .csv = true };
	struct exporter e = { .ops = &csv_exporter };
	char path[] = "/tmp/ft-csv-XXXXXX", line[256] = "";
	int fd = mkstemp(path);
	struct sink out;
	FILE *f;

	ASSERT_TRUE(fd >= 0 && write(fd, "earlier rows\n", 13) == 13, "earlier rows");
	close(fd);
	ASSERT_EQ(sink_open(&out, path), 0, "sink open");
	ASSERT_EQ(csv_exporter.open(&e, &o, &out), 0, "open");
	csv_exporter.close(&e);
	ASSERT_EQ(sink_flush(&out), 0, "flush");
	sink_close(&out);
	f = fopen(path, "r");
	ASSERT_TRUE(f && fgets(line, sizeof(line), f) && !strcmp(line, "earlier rows\n"),
		    "first line unchanged");
	ASSERT_TRUE(f && !fgets(line, sizeof(line), f), "nothing added");
	if (f)
		fclose(f);
	unlink(path);
}

/* ---- options ---- */

static int parse(const char *opt, const char *val, struct run_opts *o)
{
	char *argv[] = { "run", "-i", "lo", (char *)opt, (char *)val, NULL };
	char err[256];

	return run_opts_parse(val ? 5 : 4, argv, o, err, sizeof(err));
}

static void test_opts_prometheus_takes_a_numeric_address_and_port(void)
{
	static const char *const good[] = { "127.0.0.1:9753", "[::1]:9753", "0.0.0.0:1",
					    ":9753", "[::]:9753" };
	static const char *const bad[] = { "localhost:9753", "127.0.0.1", ":", ":0",
					   "127.0.0.1:0", "127.0.0.1:65536", "::1:9753",
					   "[::1]9753", "127.0.0.1:97x", "::9753", ":[::1]:9753" };
	struct run_opts o;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		ASSERT_EQ(parse("--prometheus", good[i], &o), OPTS_RUN, good[i]);
		ASSERT_EQ(o.prom_max_series, FT_PROM_MAX_SERIES, "default series cap");
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_EQ(parse("--prometheus", bad[i], &o), -EINVAL, bad[i]);
}

/* node_exporter's ":PORT" and "[::]:PORT" mean every address of both
 * families; an explicit address, that one alone. */
static void test_opts_listen_addr_any_is_dual_stack(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t salen;
	bool dual;

	ASSERT_EQ(parse_listen_addr(":9753", &ss, &salen, &dual), 0, ":PORT");
	ASSERT_EQ(ss.ss_family, AF_INET6, ":PORT is IPv6 any");
	ASSERT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr), ":PORT is ::");
	ASSERT_EQ(ntohs(sin6->sin6_port), 9753, ":PORT port");
	ASSERT_TRUE(dual, ":PORT takes IPv4 too");
	ASSERT_EQ(parse_listen_addr("[::]:9100", &ss, &salen, &dual), 0, "[::]:PORT");
	ASSERT_TRUE(dual, "[::]:PORT takes IPv4 too");
	ASSERT_EQ(parse_listen_addr("[::1]:9100", &ss, &salen, &dual), 0, "[::1]:PORT");
	ASSERT_TRUE(!dual, "[::1] alone");
	ASSERT_EQ(salen, sizeof(struct sockaddr_in6), "IPv6 length");
	ASSERT_EQ(parse_listen_addr("127.0.0.1:9100", &ss, &salen, &dual), 0, "IPv4");
	ASSERT_EQ(ss.ss_family, AF_INET, "IPv4 family");
	ASSERT_EQ(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK, "127.0.0.1");
	ASSERT_TRUE(!dual, "an IPv4 address alone");
}

static void test_opts_ipfix_takes_host_and_port(void)
{
	static const char *const good[] = { "127.0.0.1:4739", "collector.example:4739",
					    "[2001:db8::1]:4739", "udp://127.0.0.1:4739",
					    "tcp://[2001:db8::1]:4739" };
	static const char *const bad[] = { "2001:db8::1:4739", "collector:", ":4739",
					   "collector", "sctp://127.0.0.1:4739",
					   "tcp://127.0.0.1", "tcp:/127.0.0.1:4739" };
	struct run_opts o;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ASSERT_EQ(parse("--ipfix", good[i], &o), OPTS_RUN, good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_EQ(parse("--ipfix", bad[i], &o), -EINVAL, bad[i]);
}

static void test_opts_prometheus_max_series_needs_prometheus(void)
{
	char *argv[] = { "run", "-i", "lo", "--prometheus", "127.0.0.1:9753",
			 "--prometheus-max-series", "5", NULL };
	struct run_opts o;
	char err[256];

	ASSERT_EQ(run_opts_parse(7, argv, &o, err, sizeof(err)), OPTS_RUN, "with --prometheus");
	ASSERT_EQ(o.prom_max_series, 5, "cap given");
	ASSERT_EQ(parse("--prometheus-max-series", "5", &o), -EINVAL, "alone");
	ASSERT_EQ(run_opts_parse(5, (char *[]){ "run", "-i", "lo", "--prometheus-max-series", "0",
						NULL },
				 &o, err, sizeof(err)),
		  -EINVAL, "zero");
}

static void test_opts_ipfix_repeats_and_tunes(void)
{
	char *argv[] = { "run", "-i", "lo", "--ipfix", "127.0.0.1:4739", "--ipfix",
			 "tcp://127.0.0.1:4740", "--ipfix-domain-base", "100",
			 "--ipfix-template-refresh", "1m", "--ipfix-template-refresh-messages", "5",
			 NULL };
	struct run_opts o;
	char err[256];

	ASSERT_EQ(run_opts_parse(13, argv, &o, err, sizeof(err)), OPTS_RUN, "two collectors");
	ASSERT_EQ(o.nr_ipfix, 2, "both kept");
	ASSERT_STREQ(o.ipfix[1], "tcp://127.0.0.1:4740", "in order");
	ASSERT_EQ(o.ipfix_domain_base, 100, "base");
	ASSERT_EQ(o.ipfix_refresh_secs, 60, "refresh seconds");
	ASSERT_EQ(o.ipfix_refresh_msgs, 5, "refresh messages");
	ASSERT_EQ(parse("--ipfix-domain-base", "5", &o), -EINVAL, "base alone");
	ASSERT_EQ(run_opts_parse(7, (char *[]){ "run", "-i", "lo", "--ipfix", "127.0.0.1:1",
						"--ipfix", "127.0.0.1:1", NULL },
				 &o, err, sizeof(err)),
		  -EINVAL, "one collector twice");
	ASSERT_EQ(run_opts_parse(5, (char *[]){ "run", "-i", "lo", "--ipfix", "127.0.0.1:1", NULL },
				 &o, err, sizeof(err)),
		  OPTS_RUN, "defaults");
	ASSERT_EQ(o.ipfix_refresh_secs, FT_IPFIX_REFRESH_SECS, "default seconds");
	ASSERT_EQ(o.ipfix_refresh_msgs, FT_IPFIX_REFRESH_MSGS, "default messages");
	ASSERT_EQ(o.ipfix_domain_base, 0, "default base");
}

/* run_opts_parse with --prometheus and one more option and value */
static int parse_prom(const char *opt, const char *val, struct run_opts *o)
{
	char *argv[] = { "run", "-i", "lo", "--prometheus", "127.0.0.1:9753", (char *)opt,
			 (char *)val, NULL };
	char err[256];

	return run_opts_parse(7, argv, o, err, sizeof(err));
}

static void test_opts_prometheus_window_and_expire(void)
{
	struct run_opts o;

	ASSERT_EQ(parse_prom("--prometheus-max-series", "5", &o), OPTS_RUN, "budget");
	ASSERT_EQ(o.prom_window, FT_PROM_WINDOW, "default window");
	ASSERT_EQ(o.prom_expire, FT_PROM_EXPIRE, "default expiry");
	ASSERT_EQ(parse_prom("--prometheus-window", "3", &o), OPTS_RUN, "window 3");
	ASSERT_EQ(o.prom_window, 3, "window given");
	ASSERT_EQ(parse_prom("--prometheus-expire", "0", &o), OPTS_RUN, "expire 0: at once");
	ASSERT_EQ(o.prom_expire, 0, "expiry given");
	ASSERT_EQ(parse_prom("--prometheus-window", "0", &o), -EINVAL, "window 0");
	ASSERT_EQ(parse_prom("--prometheus-window", "x", &o), -EINVAL, "window x");
	ASSERT_EQ(parse_prom("--prometheus-expire", "-1", &o), -EINVAL, "expire -1");
	ASSERT_EQ(parse("--prometheus-window", "3", &o), -EINVAL, "window without --prometheus");
	ASSERT_EQ(parse("--prometheus-expire", "3", &o), -EINVAL, "expire without --prometheus");
}

static const struct check_test tests[] = {
#include "test_exporters.tests.h"
};

int main(int argc, char **argv)
{
	int ret = check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);

	counts_free(&total);
	counts_free(&rendered);
	return ret;
}
