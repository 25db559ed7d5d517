/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flowtally top: the live full-screen view, an exporter of the run loop. */
#ifndef FT_TOP_H
#define FT_TOP_H

#include "export.h"

extern const struct exporter_ops top_exporter;

/* For a view of another process's counts ('flowtally top NAME'): new counts
 * to draw; `new_interval` adds the interval's rate to the sparkline, else
 * only the rows change (another table or order was asked for). 0 or -ENOMEM. */
int top_view_update(struct exporter *e, const struct ft_catalog *cat,
		    const struct ft_counts *interval, const struct ft_counts *total,
		    bool new_interval);
/* What the view shows now: the table slot and direction (-1: none) among
 * cat's, and the order ("rate", "bytes", "packets"). */
const char *top_view_shows(struct exporter *e, const struct ft_catalog *cat, int *slot, int *dir);
/* Whether the view is paused (space): it wants no new counts then. */
bool top_view_paused(struct exporter *e);

#endif
