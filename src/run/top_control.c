// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The running instance's side of 'flowtally top NAME': "top ROWS SORT [TABLE
 * DIR]" answers what the view draws, read from what the run loop keeps
 * anyway (the last interval reported and the totals). Only ROWS entries of
 * one table and direction go out, chosen by SORT (rate: the last interval's
 * bytes; bytes or packets: the totals), so the answer stays small whatever
 * the table holds and the request never touches the maps:
 *
 *	interval START END DIRMASK
 *	seen DIR PACKETS BYTES UNCL_PACKETS UNCL_BYTES	(each direction counted)
 *	table SLOT DIRMASK NAME KEY lru|hash		(each live table)
 *	show SLOT DIR OVERFLOW_PACKETS OVERFLOW_BYTES
 *	entry KEY_HEX PACKETS BYTES TOTAL_PACKETS TOTAL_BYTES	(at most ROWS)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ident.h"
#include "names.h"
#include "run.h"

#define TOP_MAX_ROWS 500

enum { BY_RATE, BY_BYTES, BY_PACKETS };

static __u64 rank_value(const struct ft_entry *e, int sort)
{
	return sort == BY_PACKETS ? e->val.packets : e->val.bytes;
}

/* Whether a ranks before b: larger first, then the key, for a stable view. */
static bool ranks_before(const struct ft_entry *a, const struct ft_entry *b, int sort)
{
	__u64 x = rank_value(a, sort), y = rank_value(b, sort);

	if (x != y)
		return x > y;
	return memcmp(&a->key, &b->key, sizeof(a->key)) < 0;
}

/* The best `rows` entries of (slot, dir) in `from`, best first, in `best`;
 * returns how many. One pass; an entry is inserted only when it beats the
 * last kept one. */
static size_t select_top(const struct ft_counts *from, int slot, int dir, int sort,
			 const struct ft_entry **best, size_t rows)
{
	size_t i, n = 0, at;

	for (i = 0; i < from->nr_entries; i++) {
		const struct ft_entry *e = &from->entries[i];

		if (e->table != (__u32)slot || e->key.dir != dir)
			continue;
		if (n == rows && !ranks_before(e, best[n - 1], sort))
			continue;
		at = n < rows ? n++ : n - 1;
		for (; at > 0 && ranks_before(e, best[at - 1], sort); at--)
			best[at] = best[at - 1];
		best[at] = e;
	}
	return n;
}

static void put_key(FILE *reply, const struct ft_key *k)
{
	const unsigned char *b = (const unsigned char *)k;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		fprintf(reply, "%02x", b[i]);
}

/* What every interface saw in direction d, and what of it got no key: the
 * one place this file reads the interface counters. */
static void dir_totals(const struct ft_counts *c, int d, struct ft_value *seen,
		       struct ft_value *uncl)
{
	__u32 s;
	int r;

	counts_seen(c, d, seen);
	for (r = 0; r < FT_UNCL_REASONS; r++) {
		value_add(uncl, &c->removed[d][FT_CNT_UNCL(r)]);
		for (s = 0; s < c->nr_iface; s++)
			value_add(uncl, &c->iface[s][d][FT_CNT_UNCL(r)]);
	}
}

static void put_header(const struct run_state *st, FILE *reply)
{
	const struct ft_counts *c = &st->last;
	const struct ft_catalog *cat = &st->inst.cat;
	char key[128];
	int d, s;

	fprintf(reply, "interval %.6f %.6f %u\n", c->start, c->end, cat->dirmask);
	for (d = 0; d < FT_DIRS; d++) {
		struct ft_value seen = {}, uncl = {};

		if (!(cat->dirmask & FT_DIRMASK(d)))
			continue;
		dir_totals(c, d, &seen, &uncl);
		fprintf(reply, "seen %d %llu %llu %llu %llu\n", d, (unsigned long long)seen.packets,
			(unsigned long long)seen.bytes, (unsigned long long)uncl.packets,
			(unsigned long long)uncl.bytes);
	}
	for (s = 0; s < FT_MAX_TABLES; s++) {
		const struct ft_table *t = &cat->tables[s];

		if (!t->used || t->removed)
			continue;
		table_spec_key_text(&t->spec, key, sizeof(key));
		fprintf(reply, "table %d %u %s %s %s\n", s, t->cfg.dirmask, t->spec.name, key,
			t->spec.lru ? "lru" : "hash");
	}
}

/* The table and direction asked for, or the first one counted. */
static int pick_table(const struct run_state *st, const char *name, const char *dir, int *slot,
		      int *d, char *err, size_t errlen)
{
	const struct ft_catalog *cat = &st->inst.cat;
	int s, want_dir = -1;

	if (dir && !strcmp(dir, "ingress"))
		want_dir = FT_DIR_INGRESS;
	else if (dir && !strcmp(dir, "egress"))
		want_dir = FT_DIR_EGRESS;
	else if (dir) {
		snprintf(err, errlen, "direction '%s' unknown (ingress, egress)", dir);
		return 2;
	}
	for (s = 0; s < FT_MAX_TABLES; s++) {
		const struct ft_table *t = &cat->tables[s];

		if (!t->used || t->removed || (name && strcmp(t->spec.name, name)))
			continue;
		for (*d = 0; *d < FT_DIRS; (*d)++) {
			if ((t->cfg.dirmask & FT_DIRMASK(*d)) && (want_dir < 0 || *d == want_dir)) {
				*slot = s;
				return 0;
			}
		}
		if (name)
			break;
	}
	*slot = -1;
	if (name) {
		snprintf(err, errlen, "no table '%s' counting %s (see 'flowtally table list')",
			 name, dir ? dir : "any direction");
		return 2;
	}
	return 0;	/* no table at all: the header alone */
}

/* One row: `e` from the last interval (`from_last`) or from the totals, and
 * its count on the other side. 0 or -ENOMEM. */
static int put_entry(struct run_state *st, const struct ft_entry *e, bool from_last, FILE *reply)
{
	static const struct ft_value none;
	const struct ft_value *now, *total;
	struct ft_entry *other;

	if (counts_lookup(from_last ? &st->total : &st->last, e->table, &e->key, &other))
		return -ENOMEM;
	now = from_last ? &e->val : other ? &other->val : &none;
	total = from_last ? (other ? &other->val : &e->val) : &e->val;
	fputs("entry ", reply);
	put_key(reply, &e->key);
	fprintf(reply, " %llu %llu %llu %llu\n", (unsigned long long)now->packets,
		(unsigned long long)now->bytes, (unsigned long long)total->packets,
		(unsigned long long)total->bytes);
	return 0;
}

struct top_request {
	char buf[CONTROL_REQUEST_MAX];
	unsigned long rows;
	int sort;
	const char *table, *dir;	/* NULL: the first table counted */
};

/* "ROWS SORT [TABLE DIR]". 0, or 2 with the reason in err. */
static int parse_request(const char *arg, struct top_request *rq, char *err, size_t errlen)
{
	char *rows, *sort, *name, *dir, *end, *save = NULL;

	snprintf(rq->buf, sizeof(rq->buf), "%s", arg);
	rows = strtok_r(rq->buf, " ", &save);
	sort = strtok_r(NULL, " ", &save);
	name = strtok_r(NULL, " ", &save);
	dir = strtok_r(NULL, " ", &save);
	if (!rows || !sort || strtok_r(NULL, " ", &save) || (name && !dir)) {
		snprintf(err, errlen, "top wants ROWS SORT [TABLE DIR]");
		return 2;
	}
	rq->rows = strtoul(rows, &end, 10);
	if (*end || !rq->rows || rq->rows > TOP_MAX_ROWS) {
		snprintf(err, errlen, "top: ROWS '%.16s' out of range (1-%d)", rows, TOP_MAX_ROWS);
		return 2;
	}
	if (!strcmp(sort, "rate")) {
		rq->sort = BY_RATE;
	} else if (!strcmp(sort, "bytes")) {
		rq->sort = BY_BYTES;
	} else if (!strcmp(sort, "packets")) {
		rq->sort = BY_PACKETS;
	} else {
		snprintf(err, errlen, "top: SORT '%.16s' unknown (rate, bytes, packets)", sort);
		return 2;
	}
	if (name && !valid_table_name(name)) {
		snprintf(err, errlen, "table name '%.40s' invalid (" FT_TABLE_NAME_RULE ")", name);
		return 2;
	}
	rq->table = name;
	rq->dir = dir;
	return 0;
}

/* The rows of (slot, d): the best `rows` by the order asked for; by rate,
 * keys idle in the last interval fill the rows left, the largest totals
 * first, as 'top -i' lists every key. 0 or -ENOMEM. */
static int put_rows(struct run_state *st, const struct top_request *rq, int slot, int d,
		    FILE *reply)
{
	const struct ft_entry **best;
	size_t i, j, n, m, shown;
	int err = 0;

	best = calloc(2 * rq->rows, sizeof(*best));
	if (!best)
		return -ENOMEM;
	n = select_top(rq->sort == BY_RATE ? &st->last : &st->total, slot, d, rq->sort, best,
		       rq->rows);
	for (i = 0; !err && i < n; i++)
		err = put_entry(st, best[i], rq->sort == BY_RATE, reply);
	if (err || rq->sort != BY_RATE || n == rq->rows)
		goto out;
	m = select_top(&st->total, slot, d, BY_BYTES, best + n, rq->rows);
	for (i = n, shown = n; !err && i < n + m && shown < rq->rows; i++) {
		for (j = 0; j < n && memcmp(&best[j]->key, &best[i]->key, sizeof(best[i]->key)); j++)
			;
		if (j < n)
			continue;	/* listed by its rate already */
		err = put_entry(st, best[i], false, reply);
		shown++;
	}
out:
	free(best);
	return err;
}

/* The "show" line and the rows of (slot, d) as rq asks, from the cache when
 * the counts did not change since. NULL when out of memory. */
static const struct top_cached *rows_text(struct run_state *st, const struct top_request *rq,
					  int slot, int d)
{
	struct top_cached *c;
	char *text = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f;
	int err;

	for (i = 0; i < TOP_CACHE_SLOTS; i++) {
		c = &st->top_cache[i];
		if (c->text && c->gen == st->counts_gen && c->slot == slot && c->dir == d &&
		    c->sort == rq->sort && c->rows == rq->rows)
			return c;
	}
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fprintf(f, "show %d %d %llu %llu\n", slot, d,
		(unsigned long long)st->last.table[slot][d][FT_TBL_OVERFLOW].packets,
		(unsigned long long)st->last.table[slot][d][FT_TBL_OVERFLOW].bytes);
	err = put_rows(st, rq, slot, d, f);
	if (fclose(f) || err) {
		free(text);
		return NULL;
	}
	c = &st->top_cache[st->top_cache_next++ % TOP_CACHE_SLOTS];
	free(c->text);
	*c = (struct top_cached){ .gen = st->counts_gen, .slot = slot, .dir = d,
				  .sort = rq->sort, .rows = rq->rows, .text = text, .len = len };
	return c;
}

void top_control_free(struct run_state *st)
{
	unsigned int i;

	for (i = 0; i < TOP_CACHE_SLOTS; i++) {
		free(st->top_cache[i].text);
		st->top_cache[i].text = NULL;
	}
}

int top_control(struct run_state *st, const char *arg, FILE *reply, char *err, size_t errlen)
{
	const struct top_cached *rows;
	struct top_request rq;
	int slot, d, ret;

	ret = parse_request(arg, &rq, err, errlen);
	if (!ret)
		ret = pick_table(st, rq.table, rq.dir, &slot, &d, err, errlen);
	if (ret)
		return ret;
	rows = slot < 0 ? NULL : rows_text(st, &rq, slot, d);
	if (slot >= 0 && !rows) {
		snprintf(err, errlen, "top: out of memory");
		return 1;
	}
	put_header(st, reply);
	if (rows)
		fwrite(rows->text, 1, rows->len, reply);
	return 0;
}
