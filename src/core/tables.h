/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inner map lifecycle: a table is one inner map per generation, created here
 * with bpf_map_create(), linked into its outer map by fd, and freed here.
 */
#ifndef FT_TABLES_H
#define FT_TABLES_H

#include "instance.h"

/* Creates the table's inner maps, links them and turns the table on; the
 * next frame counts in it. Returns the table slot or -errno (message printed). */
int tables_add(struct ft_instance *inst, const struct table_spec *spec);
/* Turns the table off, waits until no program writes it, reads both
 * generations' last counts into `last`, makes them durable (the checkpoint)
 * and frees its maps; the slot stays taken, marked removed, until the record
 * after it shows the removal. */
int tables_del(struct ft_instance *inst, int slot, struct ft_counts *last);
/* New inner maps of `size` keys, swapped in while frames flow: the old maps'
 * counts, up to the swap, are read into `drained` (with the rest of the
 * generation being written: the swap flips generations). */
int tables_resize(struct ft_instance *inst, int slot, __u32 size, struct ft_counts *drained);
/* The kernel's memlock figure of a map: what 'bpftool map show' reports. */
__u64 map_memlock(int fd);
/* Reads what the kernel accounts for each table's maps (memlock). */
void tables_update_memory(struct ft_instance *inst);
/* After an interval record: removed tables have been shown as such. */
void tables_mark_reported(struct ft_instance *inst);
/* Opens the inner maps of the tables a pinned instance's state names, from
 * the outer maps (a lookup there gives a map id). */
int tables_adopt(struct ft_instance *inst);
/* After tables_adopt(): a table change a kill cut short is finished. A
 * table the state has but the programs no longer count (a removal) is
 * removed, its last counts into `out`; one the programs count but the state
 * does not have (an addition) is turned off and unlinked. */
int tables_reconcile(struct ft_instance *inst, struct ft_counts *out);
/* Closes a table's map fds (instance_close). */
void tables_free_maps(struct ft_instance *inst, int slot);
/* A live (not removed) table by name: its slot, or -ENOENT. */
int tables_find(const struct ft_instance *inst, const char *name);

#endif
