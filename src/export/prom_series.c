// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prom_series.h"

void prom_series_init(struct prom_series *s, unsigned int max, unsigned int window_len,
		      unsigned int expire)
{
	memset(s, 0, sizeof(*s));
	counts_init(&s->own);
	counts_init(&s->window);
	s->max = max;
	s->window_len = window_len ? window_len : 1;
	s->expire = expire;
}

void prom_series_free(struct prom_series *s)
{
	counts_free(&s->own);
	counts_free(&s->window);
}

int prom_series_find(struct prom_series *s, __u32 table, const struct ft_key *key,
		     struct ft_entry **own)
{
	return counts_lookup(&s->own, table, key, own);
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
			counts_drop_entries(&s->window, (__u32)t);
			memset(s->nr[t], 0, sizeof(s->nr[t]));
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

static int append(struct ft_counts *c, const struct ft_entry *e, __u32 last_active)
{
	int err = counts_append(c, e->table, &e->key, &e->val);

	if (!err)
		c->entries[c->nr_entries - 1].last_active = last_active;
	return err;
}

/* The top `max` of the window per table and direction: a series already
 * there is marked as ranking now, a new one goes to `fresh`. */
static int rank(struct prom_series *s, struct ft_counts *fresh)
{
	static const struct ft_value zero;
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
			err = counts_append(fresh, e->table, &e->key, &zero);
		if (err)
			return err;
	}
	return 0;
}

/* Between re-rankings a table and direction with room gives keys a series
 * as they come, the interval's busiest first. */
static int fill(struct prom_series *s, const struct ft_counts *interval, struct ft_counts *fresh)
{
	static const struct ft_value zero;
	unsigned int added[FT_MAX_TABLES][FT_DIRS] = {};
	const struct ft_entry **order;
	struct ft_entry *own;
	size_t i, n = 0;
	int err = 0, t, d;
	bool room = false;

	/* a steady state with every budget used costs nothing here */
	for (t = 0; t < FT_MAX_TABLES && !room; t++)
		for (d = 0; d < FT_DIRS; d++)
			room |= s->live[t] && s->nr[t][d] < s->max;
	if (!room)
		return 0;
	order = calloc(interval->nr_entries + 1, sizeof(*order));
	if (!order)
		return -ENOMEM;
	/* only keys without a series, of a table and direction with room */
	for (i = 0; !err && i < interval->nr_entries; i++) {
		const struct ft_entry *e = &interval->entries[i];

		if (e->table >= FT_MAX_TABLES || e->key.dir >= FT_DIRS || !e->val.packets ||
		    s->nr[e->table][e->key.dir] >= s->max)
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
		err = counts_append(fresh, t, &e->key, &zero);
		added[t][d]++;
	}
	free(order);
	return err;
}

/* A newcomer's base is its total before this interval: the count the last
 * exposition showed in "other", which therefore stays as it was. */
static int set_bases(struct ft_counts *fresh, const struct ft_counts *interval,
		     const struct ft_counts *total)
{
	struct ft_entry *f;
	size_t i;
	int err;

	if (!fresh->nr_entries)
		return 0;
	for (i = 0; i < total->nr_entries; i++) {
		err = counts_lookup(fresh, total->entries[i].table, &total->entries[i].key, &f);
		if (err)
			return err;
		if (f)
			f->val = total->entries[i].val;
	}
	for (i = 0; i < interval->nr_entries; i++) {
		const struct ft_entry *e = &interval->entries[i];

		err = counts_lookup(fresh, e->table, &e->key, &f);
		if (err)
			return err;
		if (f && f->val.packets >= e->val.packets && f->val.bytes >= e->val.bytes) {
			f->val.packets -= e->val.packets;
			f->val.bytes -= e->val.bytes;
		}
	}
	return 0;
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

/*
 * The series of the next window: those that rank, the newcomers, then the
 * busiest of those that fell out of the top and have not expired, while
 * their table and direction has room.
 */
static int choose(struct prom_series *s, const struct ft_counts *fresh, struct ft_counts *next)
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
			err = append(next, e, e->last_active);
			kept[e->table][e->key.dir]++;
		} else if (s->windows - e->last_active <= s->expire) {
			err = counts_lookup(&s->window, e->table, &e->key, &w);
			fl[nfl].e = e;
			fl[nfl++].bytes = w ? w->val.bytes : 0;
		}
	}
	for (i = 0; !err && i < fresh->nr_entries; i++) {
		err = append(next, &fresh->entries[i], s->windows);
		kept[fresh->entries[i].table][fresh->entries[i].key.dir]++;
	}
	qsort(fl, nfl, sizeof(*fl), fallen_cmp);
	for (i = 0; !err && i < nfl; i++) {
		const struct ft_entry *e = fl[i].e;

		if (kept[e->table][e->key.dir] >= s->max)
			continue;	/* displaced by one that ranks */
		err = append(next, e, e->last_active);
		kept[e->table][e->key.dir]++;
	}
	if (!err)
		memcpy(s->nr, kept, sizeof(kept));
	free(fl);
	return err;
}

int prom_series_update(struct prom_series *s, const struct ft_catalog *cat,
		       const struct ft_counts *interval, const struct ft_counts *total)
{
	bool window_ends = false;
	struct ft_counts fresh, next;
	size_t i;
	int err;

	forget_reused_slots(s, cat);
	err = counts_merge(&s->window, interval);
	if (err)
		return err;
	counts_init(&fresh);
	counts_init(&next);
	if (++s->in_window >= s->window_len) {
		window_ends = true;
		s->in_window = 0;
		s->windows++;
		err = rank(s, &fresh);
	} else {
		err = fill(s, interval, &fresh);
	}
	if (!err)
		err = set_bases(&fresh, interval, total);
	if (!err && window_ends) {
		err = choose(s, &fresh, &next);
		if (!err) {
			counts_free(&s->own);
			s->own = next;
			counts_init(&next);
		}
	}
	for (i = 0; !err && !window_ends && i < fresh.nr_entries; i++) {
		err = append(&s->own, &fresh.entries[i], s->windows);
		if (!err)
			s->nr[fresh.entries[i].table][fresh.entries[i].key.dir]++;
	}
	if (window_ends)
		counts_reset(&s->window);
	counts_free(&next);
	counts_free(&fresh);
	return err;
}
