/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Exact interval snapshots without emptying the maps. Programs write only
 * the current generation; a flip moves them to the other one and waits one
 * grace period, after which the old generation is quiescent. Its counters
 * and keys are cumulative: they are read as they are, and an interval is
 * what each value grew by since the generation was last read (its baseline,
 * inst->base). Keys stay in their maps, so a steady flow costs lookups
 * only, never an insert; a key idle for its table's idle time is deleted
 * after its last growth was read. LRU tables are read and emptied every
 * time: the kernel evicts their keys behind our back, so a baseline could
 * not tell an evicted-and-inserted-again key from one that grew.
 *
 * Reading changes no map; snapshot_expire() does, and only after the
 * instance's checkpoint made the read durable: a kill at any instant then
 * neither loses a count nor counts one twice (a key missing from a map but
 * present in its baseline was deleted after the counts were saved).
 */
#ifndef FT_SNAPSHOT_H
#define FT_SNAPSHOT_H

#include "counts.h"
#include "instance.h"

/* Waits until every program run that started before the call has ended: an
 * update of an outer map slot waits for an RCU grace period. */
int snapshot_sync(struct ft_instance *inst);
/* Flips and syncs; returns the old generation, now quiescent, or -errno. */
int snapshot_flip(struct ft_instance *inst);
/* What generation `gen` (quiescent) counted since it was last read, into
 * `out` (appended); its baseline moves on and its idle keys are listed for
 * snapshot_expire(). `now`: unix seconds, for idle times. */
int snapshot_read_gen(struct ft_instance *inst, int gen, struct ft_counts *out, __u32 now);
/* The same for one table only (a resize or a removal). */
int snapshot_read_table(struct ft_instance *inst, int slot, int gen, struct ft_counts *out,
			__u32 now);
/* What generation `gen` counted since its baseline, into `out`, changing
 * nothing: flowtally dump, which must not disturb a running instance. */
int snapshot_peek_gen(struct ft_instance *inst, int gen, struct ft_counts *out);
/* Deletes the keys the last read of `gen` found idle from its maps and its
 * baseline. Call it after the read is durable. */
int snapshot_expire(struct ft_instance *inst, int gen);
/* Reads quiescent generation `gen` into `out` and expires its idle keys,
 * with the instance's checkpoint before the maps change. The caller makes
 * the result durable (checkpoint) before the next flip. */
int snapshot_collect(struct ft_instance *inst, int gen, struct ft_counts *out, __u32 now);
/* Flip, then snapshot_collect() the old generation. */
int snapshot_take(struct ft_instance *inst, struct ft_counts *out);
/* A table's overflow and inserts counters in both generations, whatever
 * they grew by, become its baseline: counts of a table that never was
 * (an addition a kill cut short), dropped. Its maps are unlinked. */
int snapshot_skip_table_counters(struct ft_instance *inst, int slot);
/* A table's keys leave generation `gen`'s baseline (its map was replaced or
 * freed). */
void snapshot_forget_table(struct ft_instance *inst, int slot, int gen);
/* Calls the instance's checkpoint, if it has one. */
int snapshot_checkpoint(struct ft_instance *inst, struct ft_counts *read);

/* Sum one key's per-CPU values: `vals` holds ncpus values of ft_value_stride()
 * bytes each. */
void percpu_sum(const void *vals, int ncpus, struct ft_value *sum);

/* One walk over every key of a map, in batches (lookup_batch; with `drain`,
 * lookup_and_delete_batch, which leaves the map empty). */
struct map_walk {
	int fd;
	unsigned int ksize;
	int ncpus;
	bool drain;
	/* each key with its per-CPU sum; NULL: the keys are only counted. A
	 * non-zero return ends the walk with it. */
	int (*fn)(void *ctx, const struct ft_key *key, const struct ft_value *sum);
	void *ctx;
	__u64 entries;		/* out: keys read */
};

/* 0 or -errno. The map must not be written meanwhile (a drained generation). */
int map_walk(struct map_walk *w);

#endif
