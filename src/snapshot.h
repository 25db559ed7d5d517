/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Exact interval snapshots. Programs write only the current generation;
 * snapshot_take() flips it, waits one grace period, and then the old
 * generation holds exactly the frames counted since the last flip: they are
 * read and the maps emptied for reuse.
 */
#ifndef FT_SNAPSHOT_H
#define FT_SNAPSHOT_H

#include "counts.h"
#include "instance.h"

/* Waits until every program run that started before the call has ended: an
 * update of an outer map slot waits for an RCU grace period. */
int snapshot_sync(struct ft_instance *inst);
/* Flip, sync, drain the old generation into `out` (appended). */
int snapshot_take(struct ft_instance *inst, struct ft_counts *out);
/* Flips and syncs; returns the old generation, now quiescent, or -errno. */
int snapshot_flip(struct ft_instance *inst);
/* A generation no program writes, read into `out` and emptied. */
int snapshot_drain_gen(struct ft_instance *inst, int gen, struct ft_counts *out);
/* A generation's counts into `out`, leaving the maps as they are. */
int snapshot_read_gen(struct ft_instance *inst, int gen, struct ft_counts *out);
/* Empties a generation no program writes. */
int snapshot_clear_gen(struct ft_instance *inst, int gen);
/* One table's inner map of generation `gen`, read and emptied into `out`. */
int snapshot_drain_table(struct ft_instance *inst, int slot, int gen, struct ft_counts *out);

/* Sum one key's per-CPU values: `vals` holds ncpus values of ft_value_stride()
 * bytes each. */
void percpu_sum(const void *vals, int ncpus, struct ft_value *sum);

#endif
