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
/* Turns the table off, waits until no program writes it, drains both
 * generations into `last` and frees its maps. */
int tables_del(struct ft_instance *inst, int slot, struct ft_counts *last);
/* Closes a table's map fds (instance_close). */
void tables_free_maps(struct ft_table *t);
int tables_find(const struct ft_instance *inst, const char *name);

unsigned int table_key_size(const struct ft_table *t);

#endif
