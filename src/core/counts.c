// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "counts.h"

#define INDEX_EMPTY UINT32_MAX

void counts_init(struct ft_counts *c)
{
	memset(c, 0, sizeof(*c));
}

void counts_free(struct ft_counts *c)
{
	free(c->iface);
	free(c->entries);
	free(c->index);
	counts_init(c);
}

static void index_clear(struct ft_counts *c)
{
	if (c->index)
		memset(c->index, 0xff, c->index_size * sizeof(*c->index));
}

void counts_reset(struct ft_counts *c)
{
	if (c->iface)
		memset(c->iface, 0, c->nr_iface * sizeof(*c->iface));
	memset(c->removed, 0, sizeof(c->removed));
	memset(c->table, 0, sizeof(c->table));
	memset(c->evicted, 0, sizeof(c->evicted));
	memset(c->resident, 0, sizeof(c->resident));
	c->nr_entries = 0;
	c->start = c->end = 0;
	index_clear(c);
}

int counts_iface_reserve(struct ft_counts *c, __u32 n)
{
	ft_ifcounts *p;

	if (n <= c->nr_iface)
		return 0;
	p = realloc(c->iface, (size_t)n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(&p[c->nr_iface], 0, (size_t)(n - c->nr_iface) * sizeof(*p));
	c->iface = p;
	c->nr_iface = n;
	return 0;
}

static void ifcounts_add(ft_ifcounts *dst, const ft_ifcounts *src)
{
	size_t d, k;

	for (d = 0; d < FT_DIRS; d++)
		for (k = 0; k < FT_CNT_PER_IFDIR; k++)
			value_add(&(*dst)[d][k], &(*src)[d][k]);
}

void counts_seen(const struct ft_counts *c, int d, struct ft_value *sum)
{
	__u32 i;

	*sum = c->removed[d][FT_CNT_SEEN];
	for (i = 0; i < c->nr_iface; i++)
		value_add(sum, &c->iface[i][d][FT_CNT_SEEN]);
}

void counts_iface_retire(struct ft_counts *c, __u32 slot)
{
	if (slot >= c->nr_iface)
		return;
	ifcounts_add(&c->removed, &c->iface[slot]);
	memset(&c->iface[slot], 0, sizeof(c->iface[slot]));
}

static int append_entry(struct ft_counts *c, __u32 table, const struct ft_key *key,
			const struct ft_value *val)
{
	struct ft_entry *e;

	if (c->nr_entries == c->cap_entries) {
		size_t cap = c->cap_entries ? c->cap_entries * 2 : 256;

		e = realloc(c->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		c->entries = e;
		c->cap_entries = cap;
	}
	e = &c->entries[c->nr_entries++];
	e->table = table;
	e->key = *key;
	e->last_active = 0;
	e->val = *val;
	return 0;
}

/* FNV-1a over the table slot and the key. */
static size_t entry_hash(__u32 table, const struct ft_key *key)
{
	const unsigned char *p = (const unsigned char *)key;
	uint64_t h = 14695981039346656037ULL ^ table;
	size_t i;

	for (i = 0; i < sizeof(*key); i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

static __u32 *index_slot(const struct ft_counts *c, __u32 table, const struct ft_key *key)
{
	size_t mask = c->index_size - 1, i = entry_hash(table, key) & mask;

	for (;; i = (i + 1) & mask) {
		__u32 *slot = &c->index[i];
		const struct ft_entry *e;

		if (*slot == INDEX_EMPTY)
			return slot;
		e = &c->entries[*slot];
		if (e->table == table && !memcmp(&e->key, key, sizeof(*key)))
			return slot;
	}
}

static void index_rebuild(struct ft_counts *c)
{
	size_t i;

	if (!c->index)
		return;
	index_clear(c);
	for (i = 0; i < c->nr_entries; i++)
		*index_slot(c, c->entries[i].table, &c->entries[i].key) = (__u32)i;
}

/* Keeps the index at most half full so probes stay short. */
static int index_reserve(struct ft_counts *c, size_t entries)
{
	size_t size = c->index_size ? c->index_size : 1024;
	__u32 *index;

	while (size < entries * 2)
		size *= 2;
	if (size == c->index_size)
		return 0;
	index = malloc(size * sizeof(*index));
	if (!index)
		return -ENOMEM;
	free(c->index);
	c->index = index;
	c->index_size = size;
	index_rebuild(c);
	return 0;
}

/* Appends as a new entry: the caller knows the key is not there yet (one
 * drained map has each key once). An index, once built, is kept up to date. */
int counts_append(struct ft_counts *c, __u32 table, const struct ft_key *key,
		  const struct ft_value *val)
{
	int err;

	if (c->index) {
		err = index_reserve(c, c->nr_entries + 1);
		if (err)
			return err;
	}
	err = append_entry(c, table, key, val);
	if (err || !c->index)
		return err;
	*index_slot(c, table, key) = (__u32)(c->nr_entries - 1);
	return 0;
}

int counts_merge(struct ft_counts *dst, const struct ft_counts *src)
{
	size_t i, d, k;
	int err;

	err = counts_iface_reserve(dst, src->nr_iface);
	if (err)
		return err;
	for (i = 0; i < src->nr_iface; i++)
		ifcounts_add(&dst->iface[i], &src->iface[i]);
	ifcounts_add(&dst->removed, &src->removed);
	for (i = 0; i < FT_MAX_TABLES; i++)
		for (d = 0; d < FT_DIRS; d++) {
			for (k = 0; k < FT_CNT_PER_TABLE; k++)
				value_add(&dst->table[i][d][k], &src->table[i][d][k]);
			dst->evicted[i][d] += src->evicted[i][d];
			if (src->resident[i][d] > dst->resident[i][d])
				dst->resident[i][d] = src->resident[i][d];
		}
	if (!dst->start || (src->start && src->start < dst->start))
		dst->start = src->start;
	if (src->end > dst->end)
		dst->end = src->end;

	err = index_reserve(dst, dst->nr_entries + src->nr_entries);
	if (err)
		return err;
	for (i = 0; i < src->nr_entries; i++) {
		const struct ft_entry *e = &src->entries[i];
		__u32 *slot = index_slot(dst, e->table, &e->key);

		if (*slot != INDEX_EMPTY) {
			value_add(&dst->entries[*slot].val, &e->val);
			continue;
		}
		err = append_entry(dst, e->table, &e->key, &e->val);
		if (err)
			return err;
		dst->entries[dst->nr_entries - 1].last_active = e->last_active;
		*slot = (__u32)(dst->nr_entries - 1);
	}
	return 0;
}

int counts_lookup(struct ft_counts *c, __u32 table, const struct ft_key *key,
		  struct ft_entry **found)
{
	__u32 *slot;
	int err;

	*found = NULL;
	if (!c->index) {
		err = index_reserve(c, c->nr_entries);
		if (err)
			return err;
	}
	slot = index_slot(c, table, key);
	if (*slot != INDEX_EMPTY)
		*found = &c->entries[*slot];
	return 0;
}

const struct ft_entry *counts_find(const struct ft_counts *c, __u32 table,
				   const struct ft_key *key)
{
	size_t i;
	__u32 *slot;

	if (c->index) {
		slot = index_slot(c, table, key);
		return *slot != INDEX_EMPTY ? &c->entries[*slot] : NULL;
	}
	for (i = 0; i < c->nr_entries; i++)
		if (c->entries[i].table == table && !memcmp(&c->entries[i].key, key, sizeof(*key)))
			return &c->entries[i];
	return NULL;
}

void counts_drop_entries(struct ft_counts *c, __u32 table)
{
	size_t i, n = 0;

	for (i = 0; i < c->nr_entries; i++)
		if (c->entries[i].table != table)
			c->entries[n++] = c->entries[i];
	c->nr_entries = n;
	index_rebuild(c);
}

void counts_drop_table(struct ft_counts *c, __u32 table)
{
	counts_drop_entries(c, table);
	memset(c->table[table], 0, sizeof(c->table[table]));
	memset(c->evicted[table], 0, sizeof(c->evicted[table]));
	memset(c->resident[table], 0, sizeof(c->resident[table]));
}

static int entry_cmp(const void *a, const void *b)
{
	const struct ft_entry *x = a, *y = b;

	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	if (x->val.bytes != y->val.bytes)
		return x->val.bytes > y->val.bytes ? -1 : 1;
	if (x->val.packets != y->val.packets)
		return x->val.packets > y->val.packets ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

void counts_sort(struct ft_counts *c)
{
	qsort(c->entries, c->nr_entries, sizeof(*c->entries), entry_cmp);
	index_rebuild(c);
}

size_t counts_memory(const struct ft_counts *c)
{
	return sizeof(*c) + c->nr_iface * sizeof(*c->iface) + c->cap_entries * sizeof(*c->entries) +
	       c->index_size * sizeof(*c->index);
}
