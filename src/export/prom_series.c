// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prom_series.h"

#define THAWED ((__u32)-1)	/* a frozen entry live again, dropped at the next settle */

void prom_series_init(struct prom_series *s, unsigned int max, unsigned int window_len,
		      unsigned int expire)
{
	memset(s, 0, sizeof(*s));
	counts_init(&s->own);
	counts_init(&s->pending);
	counts_init(&s->frozen);
	counts_init(&s->window);
	s->max = max;
	s->window_len = window_len ? window_len : 1;
	s->expire = expire;
}

void prom_series_free(struct prom_series *s)
{
	counts_free(&s->own);
	counts_free(&s->pending);
	counts_free(&s->frozen);
	counts_free(&s->window);
}

void prom_series_served(struct prom_series *s)
{
	s->served = s->updates;
}

/* a - b, 0 where b is larger (never, when the books are right) */
static struct ft_value less(const struct ft_value *a, const struct ft_value *b)
{
	struct ft_value d = {
		.packets = a->packets > b->packets ? a->packets - b->packets : 0,
		.bytes = a->bytes > b->bytes ? a->bytes - b->bytes : 0,
	};

	return d;
}

int prom_series_show(struct prom_series *s, __u32 table, const struct ft_key *key,
		     const struct ft_value *total, struct ft_value *shown)
{
	struct ft_entry *e;
	int err;

	err = counts_lookup(&s->own, table, key, &e);
	if (!err && e) {
		*shown = less(total, &e->val);
		return 1;
	}
	if (!err)
		err = counts_lookup(&s->frozen, table, key, &e);
	if (!err && e && e->last_active != THAWED) {
		*shown = e->val;
		return 1;
	}
	return err;
}

static struct ft_value total_of(const struct ft_counts *total, __u32 table,
				const struct ft_key *key)
{
	static const struct ft_value zero;
	const struct ft_entry *e = counts_find(total, table, key);

	return e ? e->val : zero;
}

/* A slot that holds a live table again (a new table where a removed one was)
 * starts without series: the old table's bases mean nothing to the new one. */
static void forget_reused_slots(struct prom_series *s, const struct ft_catalog *cat)
{
	int t;

	for (t = 0; t < FT_MAX_TABLES; t++) {
		bool live = cat->tables[t].used && !cat->tables[t].removed;

		if (live && !s->live[t]) {
			counts_drop_entries(&s->own, (__u32)t);
			counts_drop_entries(&s->pending, (__u32)t);
			counts_drop_entries(&s->frozen, (__u32)t);
			counts_drop_entries(&s->window, (__u32)t);
			memset(s->nr[t], 0, sizeof(s->nr[t]));
			memset(s->retired[t], 0, sizeof(s->retired[t]));
		}
		s->live[t] = live;
	}
}

static int busiest_first(const void *a, const void *b)
{
	const struct ft_entry *x = *(const struct ft_entry *const *)a;
	const struct ft_entry *y = *(const struct ft_entry *const *)b;

	if (x->val.bytes != y->val.bytes)
		return x->val.bytes > y->val.bytes ? -1 : 1;
	if (x->val.packets != y->val.packets)
		return x->val.packets > y->val.packets ? -1 : 1;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static int append(struct ft_counts *c, __u32 table, const struct ft_key *key,
		  const struct ft_value *val, __u32 last_active)
{
	int err = counts_append(c, table, key, val);

	if (!err)
		c->entries[c->nr_entries - 1].last_active = last_active;
	return err;
}

/*
 * A key without a live series gets one, in `fresh` with its base: a frozen
 * one is thawed and counts on from the value it shows (last_active 0), a new
 * one shows 0 (last_active 1: it is pending).
 */
static int give_series(struct prom_series *s, const struct ft_counts *total,
		       const struct ft_entry *e, struct ft_counts *fresh)
{
	struct ft_value now = total_of(total, e->table, &e->key), base;
	struct ft_entry *fz;
	int err;

	err = counts_lookup(&s->frozen, e->table, &e->key, &fz);
	if (err)
		return err;
	if (fz && fz->last_active != THAWED) {
		base = less(&now, &fz->val);
		return append(fresh, e->table, &e->key, &base, 0);	/* thaw() once chosen */
	}
	return append(fresh, e->table, &e->key, &now, 1);
}

/* The top `max` of the window per table and direction: a series already
 * there is marked as ranking now, the others go to `fresh`. */
static int rank(struct prom_series *s, const struct ft_counts *total, struct ft_counts *fresh)
{
	unsigned int ranked[FT_MAX_TABLES][FT_DIRS] = {};
	struct ft_entry *own;
	size_t i;
	int err;

	counts_sort(&s->window);	/* by table, then most bytes first */
	for (i = 0; i < s->window.nr_entries; i++) {
		const struct ft_entry *e = &s->window.entries[i];

		if (e->table >= FT_MAX_TABLES || e->key.dir >= FT_DIRS || !e->val.packets ||
		    ranked[e->table][e->key.dir]++ >= s->max)
			continue;
		err = counts_lookup(&s->own, e->table, &e->key, &own);
		if (!err && own)
			own->last_active = s->windows;
		else if (!err)
			err = give_series(s, total, e, fresh);
		if (err)
			return err;
	}
	return 0;
}

static bool has_room(const struct prom_series *s, const struct ft_catalog *cat, __u32 t, int d)
{
	return t < FT_MAX_TABLES && d < FT_DIRS && s->live[t] &&
	       (cat->tables[t].cfg.dirmask & FT_DIRMASK(d)) && s->nr[t][d] < s->max;
}

/* Between re-rankings a table and direction with room gives keys a series
 * as they come, the interval's busiest first. */
static int fill(struct prom_series *s, const struct ft_catalog *cat,
		const struct ft_counts *interval, const struct ft_counts *total,
		struct ft_counts *fresh)
{
	unsigned int added[FT_MAX_TABLES][FT_DIRS] = {};
	const struct ft_entry **order;
	struct ft_entry *own;
	size_t i, n = 0;
	int err = 0, t, d;
	bool room = false;

	/* a steady state with every budget used costs nothing here */
	for (t = 0; t < FT_MAX_TABLES && !room; t++)
		for (d = 0; d < FT_DIRS; d++)
			room |= has_room(s, cat, (__u32)t, d);
	if (!room)
		return 0;
	order = calloc(interval->nr_entries + 1, sizeof(*order));
	if (!order)
		return -ENOMEM;
	/* only keys without a live series, of a table and direction with room */
	for (i = 0; !err && i < interval->nr_entries; i++) {
		const struct ft_entry *e = &interval->entries[i];

		if (!e->val.packets || !has_room(s, cat, e->table, e->key.dir))
			continue;
		err = counts_lookup(&s->own, e->table, &e->key, &own);
		if (!err && !own)
			order[n++] = e;
	}
	qsort(order, n, sizeof(*order), busiest_first);
	for (i = 0; !err && i < n; i++) {
		const struct ft_entry *e = order[i];
		unsigned int t = e->table, d = e->key.dir;

		if (s->nr[t][d] + added[t][d] >= s->max)
			continue;
		err = give_series(s, total, e, fresh);
		added[t][d]++;
	}
	free(order);
	return err;
}

struct fallen {
	const struct ft_entry *e;
	__u64 bytes;		/* in the window */
};

static int fallen_cmp(const void *a, const void *b)
{
	const struct fallen *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->e->last_active != y->e->last_active)
		return x->e->last_active > y->e->last_active ? -1 : 1;
	return memcmp(&x->e->key, &y->e->key, sizeof(x->e->key));
}

/* A live series that goes: frozen at the value it shows now. */
static int freeze(struct prom_series *s, const struct ft_counts *total, const struct ft_entry *e)
{
	struct ft_value now = total_of(total, e->table, &e->key), shown = less(&now, &e->val);
	struct ft_entry *fz;
	int err;

	err = counts_lookup(&s->pending, e->table, &e->key, &fz);
	if (!err && fz)
		memset(&shown, 0, sizeof(shown));	/* it showed 0 */
	if (!err)
		err = counts_lookup(&s->frozen, e->table, &e->key, &fz);
	if (err)
		return err;
	if (fz) {	/* thawed in this update, frozen again: the same series */
		fz->val = shown;
		fz->last_active = s->updates;
		return 0;
	}
	return append(&s->frozen, e->table, &e->key, &shown, s->updates);
}

/*
 * The series of the next window: those that rank, the newcomers, then the
 * busiest of those that fell out of the top and have not expired, while
 * their table and direction has room. The rest go to `gone`, to freeze.
 */
static int choose(struct prom_series *s, const struct ft_counts *fresh, struct ft_counts *next,
		  struct ft_counts *gone)
{
	unsigned int kept[FT_MAX_TABLES][FT_DIRS] = {};
	struct fallen *fl;
	size_t i, nfl = 0;
	int err = 0;

	fl = calloc(s->own.nr_entries + 1, sizeof(*fl));
	if (!fl)
		return -ENOMEM;
	for (i = 0; !err && i < s->own.nr_entries; i++) {
		const struct ft_entry *e = &s->own.entries[i];
		struct ft_entry *w;

		if (e->last_active == s->windows) {
			err = append(next, e->table, &e->key, &e->val, e->last_active);
			kept[e->table][e->key.dir]++;
		} else if (s->windows - e->last_active <= s->expire) {
			err = counts_lookup(&s->window, e->table, &e->key, &w);
			fl[nfl].e = e;
			fl[nfl++].bytes = w ? w->val.bytes : 0;
		} else {
			err = append(gone, e->table, &e->key, &e->val, 0);
		}
	}
	for (i = 0; !err && i < fresh->nr_entries; i++) {
		const struct ft_entry *e = &fresh->entries[i];

		err = append(next, e->table, &e->key, &e->val, s->windows);
		kept[e->table][e->key.dir]++;
	}
	qsort(fl, nfl, sizeof(*fl), fallen_cmp);
	for (i = 0; !err && i < nfl; i++) {
		const struct ft_entry *e = fl[i].e;

		if (kept[e->table][e->key.dir] >= s->max) {
			err = append(gone, e->table, &e->key, &e->val, 0);	/* displaced */
			continue;
		}
		err = append(next, e->table, &e->key, &e->val, e->last_active);
		kept[e->table][e->key.dir]++;
	}
	if (!err)
		memcpy(s->nr, kept, sizeof(kept));
	free(fl);
	return err;
}

/* Whether what came in (pending) or went (frozen) at update `at` was seen:
 * a scrape served it and a window passed, or two windows passed anyway. */
static bool seen(const struct prom_series *s, __u32 at)
{
	__u32 age = s->updates - at;

	return (s->served >= at && age >= s->window_len) || age >= 2 * s->window_len;
}

/*
 * After the series are chosen: a pending series shows 0 (its base is its
 * total) until seen, then counts; a frozen one is retired once seen, and a
 * thawed one leaves the frozen. Both lists are rebuilt without those gone.
 */
static int settle(struct prom_series *s, const struct ft_counts *total)
{
	struct ft_counts pending, frozen;
	struct ft_entry *own;
	size_t i;
	int err = 0;

	counts_init(&pending);
	counts_init(&frozen);
	for (i = 0; !err && i < s->pending.nr_entries; i++) {
		const struct ft_entry *e = &s->pending.entries[i];

		err = counts_lookup(&s->own, e->table, &e->key, &own);
		if (err || !own || seen(s, e->last_active))
			continue;	/* gone, or counts from now on */
		own->val = total_of(total, e->table, &e->key);
		err = append(&pending, e->table, &e->key, &e->val, e->last_active);
	}
	for (i = 0; !err && i < s->frozen.nr_entries; i++) {
		const struct ft_entry *e = &s->frozen.entries[i];

		if (e->last_active == THAWED)
			continue;
		if (seen(s, e->last_active))
			value_add(&s->retired[e->table][e->key.dir], &e->val);
		else
			err = append(&frozen, e->table, &e->key, &e->val, e->last_active);
	}
	if (err) {
		counts_free(&pending);
		counts_free(&frozen);
		return err;
	}
	counts_free(&s->pending);
	counts_free(&s->frozen);
	s->pending = pending;
	s->frozen = frozen;
	return 0;
}

/* The chosen series take their places: the thawed leave the frozen, the
 * gone freeze, the new are pending. */
static int commit(struct prom_series *s, const struct ft_counts *total,
		  const struct ft_counts *fresh, const struct ft_counts *gone)
{
	struct ft_entry *fz;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < fresh->nr_entries; i++) {
		const struct ft_entry *e = &fresh->entries[i];

		if (e->last_active)
			err = append(&s->pending, e->table, &e->key, &e->val, s->updates);
		else
			err = counts_lookup(&s->frozen, e->table, &e->key, &fz);
		if (!err && !e->last_active && fz)
			fz->last_active = THAWED;
	}
	for (i = 0; !err && i < gone->nr_entries; i++)
		err = freeze(s, total, &gone->entries[i]);
	return err;
}

int prom_series_update(struct prom_series *s, const struct ft_catalog *cat,
		       const struct ft_counts *interval, const struct ft_counts *total)
{
	bool window_ends = false;
	struct ft_counts fresh, next, gone;
	size_t i;
	int err;

	forget_reused_slots(s, cat);
	err = counts_merge(&s->window, interval);
	if (err)
		return err;
	s->updates++;
	counts_init(&fresh);
	counts_init(&next);
	counts_init(&gone);
	if (++s->in_window >= s->window_len) {
		window_ends = true;
		s->in_window = 0;
		s->windows++;
		err = rank(s, total, &fresh);
		if (!err)
			err = choose(s, &fresh, &next, &gone);
	} else {
		err = fill(s, cat, interval, total, &fresh);
	}
	if (!err && window_ends) {
		err = commit(s, total, &fresh, &gone);	/* before `own` goes: pending */
		counts_free(&s->own);
		s->own = next;
		counts_init(&next);
	}
	for (i = 0; !err && !window_ends && i < fresh.nr_entries; i++) {
		const struct ft_entry *e = &fresh.entries[i];

		err = append(&s->own, e->table, &e->key, &e->val, s->windows);
		if (!err)
			s->nr[e->table][e->key.dir]++;
	}
	if (!err && !window_ends)
		err = commit(s, total, &fresh, &gone);
	if (!err)
		err = settle(s, total);
	if (window_ends)
		counts_reset(&s->window);
	counts_free(&gone);
	counts_free(&next);
	counts_free(&fresh);
	return err;
}
