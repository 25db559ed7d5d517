/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Counts read out of the kernel: one interval's (a drained generation) or the
 * running totals since start (the sum of every interval). Both have the same
 * shape, so one printer serves both.
 */
#ifndef FT_COUNTS_H
#define FT_COUNTS_H

#include <stddef.h>

#include "flowtally/abi.h"

struct ft_entry {
	__u32 table;		/* table slot */
	struct ft_key key;
	/* Baselines only (snapshot.c): unix seconds of the last read in which
	 * the key's cumulative value grew. Fits the padding before val. */
	__u32 last_active;
	struct ft_value val;
};

/* One interface slot's counters, one direction's per row. */
typedef struct ft_value ft_ifcounts[FT_DIRS][FT_CNT_PER_IFDIR];

struct ft_counts {
	double start, end;	/* unix seconds */
	/* Per interface slot (the catalog's index; FT_IFACE_OTHER: frames of
	 * no catalogued interface), slots [0, nr_iface); a slot past the end
	 * counted nothing. Grown on demand (counts_iface_reserve). */
	ft_ifcounts *iface;
	__u32 nr_iface;
	/* Interfaces that went away and whose slots were reused: their counts,
	 * summed, so that the totals stay whole on a host that churns for
	 * months (follow_retire). */
	ft_ifcounts removed;
	struct ft_value table[FT_MAX_TABLES][FT_DIRS][FT_CNT_PER_TABLE];
	/* LRU tables: keys the kernel evicted, with their counts (inserts minus
	 * the keys still there when a generation is read) */
	__u64 evicted[FT_MAX_TABLES][FT_DIRS];
	/* keys in the table's map when it was read; an interval keeps its
	 * highest (how full the table got), like `fill` reports */
	__u64 resident[FT_MAX_TABLES][FT_DIRS];
	struct ft_entry *entries;
	size_t nr_entries, cap_entries;
	/* open-addressing index into entries, built on demand by counts_merge() */
	__u32 *index;
	size_t index_size;
};

void counts_init(struct ft_counts *c);
void counts_free(struct ft_counts *c);
/* Forget every count; keeps the allocations. */
void counts_reset(struct ft_counts *c);
/* Makes slots [0, n) readable (new ones zero). 0 or -ENOMEM. */
int counts_iface_reserve(struct ft_counts *c, __u32 n);
/* One slot's counters, or NULL when the slot counted nothing. */
static inline const ft_ifcounts *counts_iface(const struct ft_counts *c, __u32 slot)
{
	return slot < c->nr_iface ? &c->iface[slot] : NULL;
}
/* Everything seen in direction `d`: every slot and the removed ones. */
void counts_seen(const struct ft_counts *c, int d, struct ft_value *sum);
/* A slot's counters move into `removed` (its interface left, the slot is
 * to be reused). */
void counts_iface_retire(struct ft_counts *c, __u32 slot);
int counts_append(struct ft_counts *c, __u32 table, const struct ft_key *key,
		  const struct ft_value *val);
/* dst += src, entry by entry (same table and key add up). 0 or -ENOMEM. */
int counts_merge(struct ft_counts *dst, const struct ft_counts *src);
/* The entry of (table, key) in *found, NULL if there is none. Builds the
 * index on first use: 0 or -ENOMEM. */
int counts_lookup(struct ft_counts *c, __u32 table, const struct ft_key *key,
		  struct ft_entry **found);
/* The same without building an index: through the index when there is one
 * (counts_merge keeps one), else one pass. */
const struct ft_entry *counts_find(const struct ft_counts *c, __u32 table,
				   const struct ft_key *key);
/* Entries of one table: drop them and its table counters (a removed table). */
void counts_drop_table(struct ft_counts *c, __u32 table);
/* Only the entries of one table; its counters stay. */
void counts_drop_entries(struct ft_counts *c, __u32 table);
/* Largest bytes first, then packets, then key: a stable order for output. */
void counts_sort(struct ft_counts *c);
/* Bytes the host-side store holds, for reporting. */
size_t counts_memory(const struct ft_counts *c);

static inline void value_add(struct ft_value *dst, const struct ft_value *src)
{
	dst->packets += src->packets;
	dst->bytes += src->bytes;
}

/* What a cumulative value grew by since `old`. A value below its baseline
 * is a key that was deleted and inserted again: all of it is new. */
static inline struct ft_value value_delta(const struct ft_value *now, const struct ft_value *old)
{
	struct ft_value d = *now;

	if (now->packets >= old->packets && now->bytes >= old->bytes) {
		d.packets -= old->packets;
		d.bytes -= old->bytes;
	}
	return d;
}

_Static_assert(sizeof(struct ft_entry) == 72, "last_active fits the padding: the state file "
	       "stores entries as they are");
_Static_assert(sizeof(((struct ft_counts *)0)->table) ==
		       FT_TABLE_COUNTERS * sizeof(struct ft_value),
	       "table counters match the map layout");

#endif
