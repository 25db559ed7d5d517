// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of counts: merging, sorting and looking up entries, and summing per-CPU values.
 * Expected values are worked out from each test's inputs.
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

/* ---- counts ---- */


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
	fixture_append(&a, 0, k, 1, 100);
	fixture_append(&b, 0, k, 2, 300);
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
	fixture_append(&a, 0, k, 1, 10);
	fixture_append(&b, 1, k, 2, 20);
	fixture_append(&b, 0, k_udp, 3, 30);
	fixture_append(&b, 0, k_egress, 4, 40);
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
#define IFACE_CELLS(slots) ((size_t)(slots) * FT_DIRS * FT_CNT_PER_IFDIR)

static void fill_counters(struct ft_counts *c, __u64 scale, __u32 slots)
{
	struct ft_value *iv, *tv = (struct ft_value *)c->table;
	size_t i;

	counts_iface_reserve(c, slots);
	iv = (struct ft_value *)c->iface;
	c->removed[1][FT_CNT_SEEN].packets = scale * 5;
	for (i = 0; i < IFACE_CELLS(slots); i++) {
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
	fill_counters(&a, 1, 5);	/* fewer slots than b: dst grows to b's */
	fill_counters(&b, 1000, 9);
	counts_merge(&dst, &a);
	counts_merge(&dst, &b);
	ASSERT_EQ(dst.nr_iface, 9, "slots: the larger of the two");
	iv = (const struct ft_value *)dst.iface;
	tv = (const struct ft_value *)dst.table;
	for (i = 0; i < IFACE_CELLS(9); i++) {
		__u64 want = (i < IFACE_CELLS(5) ? 1001 : 1000) * (i + 1);

		bad += iv[i].packets != want || iv[i].bytes != want * 64;
	}
	ASSERT_EQ(bad, 0, "iface cells that are not a + b");
	ASSERT_EQ(dst.removed[1][FT_CNT_SEEN].packets, 5005, "removed interfaces' sums add up");
	bad = 0;
	for (i = 0; i < FT_TABLE_COUNTERS; i++)
		bad += tv[i].packets != 1001 * (i + 7) || tv[i].bytes != 1001 * (i + 7) * 64;
	ASSERT_EQ(bad, 0, "table cells that are not a + b");
	counts_free(&a);
	counts_free(&b);
	counts_free(&dst);
}

/* A retired slot's counts move to the removed sum: the total stays whole
 * and the slot starts from zero for the interface that gets it next. */
static void test_counts_iface_retire_keeps_the_sum(void)
{
	static struct ft_counts c;
	struct ft_value before, after;

	counts_init(&c);
	fill_counters(&c, 1, 4);
	counts_seen(&c, FT_DIR_EGRESS, &before);
	counts_iface_retire(&c, 2);
	counts_seen(&c, FT_DIR_EGRESS, &after);
	ASSERT_EQ(after.packets, before.packets, "seen packets unchanged");
	ASSERT_EQ(after.bytes, before.bytes, "seen bytes unchanged");
	ASSERT_EQ(c.iface[2][1][FT_CNT_SEEN].packets, 0, "the slot starts over");
	ASSERT_TRUE(c.iface[3][1][FT_CNT_SEEN].packets != 0, "other slots untouched");
	counts_iface_retire(&c, 17);	/* past the end: nothing to move */
	counts_seen(&c, FT_DIR_EGRESS, &after);
	ASSERT_EQ(after.packets, before.packets, "a slot past the end moves nothing");
	counts_free(&c);
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
		fixture_append(&src, (__u32)(i % 3), k, i + 1, (i + 1) * 64);
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
	fixture_append(&more, 0, k1, 1, 100);
	fixture_append(&more, 1, k1, 2, 200);
	fixture_append(&more, 2, k2, 3, 300);
	fixture_append(&more, 1, k2, 4, 400);
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

		fixture_append(&c, want[w].table, port_key(IPPROTO_UDP, (__u16)(1000 + w), 0),
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
	fixture_append(&more, 1, port_key(IPPROTO_UDP, 1000 + 4, 0), 1, 1);
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
		fixture_append(&src, 0, port_key(IPPROTO_UDP, (__u16)i, 0), 1, 1);
	fill_counters(&src, 1, 3);
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
	ASSERT_EQ(c.removed[1][FT_CNT_SEEN].packets, 0, "removed interfaces' sums");
	ASSERT_EQ(c.table[0][0][FT_TBL_OVERFLOW].packets, 0, "table counters");
	ASSERT_TRUE(c.entries == entries, "entries array kept");
	ASSERT_EQ(c.cap_entries, cap, "capacity kept");
	ASSERT_TRUE(c.index == index, "index kept");
	ASSERT_EQ(c.index_size, index_size, "index size kept");

	/* counts before the reset are gone: a merge starts from zero */
	counts_reset(&src);
	fixture_append(&src, 0, k, 2, 20);
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
	fixture_append(&a, 0, k1, 1, 10);
	counts_merge(&dst, &a);
	fixture_append(&dst, 0, k2, 2, 20);
	fixture_append(&b, 0, k2, 3, 30);
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

/* --max-interfaces' cost: 512 bytes a slot (and slot 0) per possible CPU,
 * refused past 1 GiB in all: the default fits 256 CPUs, 65536 slots do not
 * fit 64. */
static void test_iface_counter_budget(void)
{
	ASSERT_EQ(FT_IFACE_SLOT_BYTES, 512, "512 bytes a slot");
	ASSERT_EQ(catalog_counter_bytes(256), 257ull * 512, "the default's bytes per CPU");
	ASSERT_TRUE(catalog_counters_fit(FT_IFACES_DEFAULT, 256), "default on 256 CPUs");
	ASSERT_TRUE(catalog_counters_fit(FT_IFACES_LIMIT, 2), "65536 on 2 CPUs");
	ASSERT_TRUE(!catalog_counters_fit(FT_IFACES_LIMIT, 64), "65536 on 64 CPUs refused");
	ASSERT_TRUE(catalog_counters_fit(2047, 1024), "2047 slots + slot 0 x 1024 CPUs: 1 GiB");
	ASSERT_TRUE(!catalog_counters_fit(2048, 1024), "one more slot is past it");
}

static const struct check_test tests[] = {
#include "test_counts.tests.h"
};

int main(int argc, char **argv)
{
	return check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
}
