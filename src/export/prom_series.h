/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which keys get a Prometheus series of their own: a budget of `max` per
 * table and direction, re-ranked by traffic (bytes) at the end of every
 * window of `window_len` intervals. The top `max` of the window have a
 * series; one that falls out of the top stays at most `expire` more windows,
 * and sooner gives its place to a key that ranks. Between re-rankings a
 * table and direction with room gives new keys a series as they come.
 *
 * Counters stay counters. A series counts from the moment it got its place:
 * its value is the key's total less its base (what the key had counted
 * before; that stayed in "other"). The table's "other" series is every key
 * without a series plus every series' base, so when a series goes its count
 * moves into "other" and when one comes nothing moves out: "other" never
 * decreases, and for each table and direction
 *
 *	sum(series) + other = the table's entries, exactly.
 */
#ifndef FT_PROM_SERIES_H
#define FT_PROM_SERIES_H

#include <stdbool.h>

#include "catalog.h"
#include "counts.h"

struct prom_series {
	/* keys with a series: val is the base, last_active the last window in
	 * which the key ranked */
	struct ft_counts own;
	struct ft_counts window;	/* what each key counted in this window */
	unsigned int nr[FT_MAX_TABLES][FT_DIRS];	/* series per table and direction */
	unsigned int max;		/* per table and direction */
	unsigned int window_len;	/* intervals per window, 1 or more */
	unsigned int expire;		/* windows out of the top a series may stay */
	unsigned int in_window;		/* intervals so far in this window */
	__u32 windows;			/* windows ended */
	bool live[FT_MAX_TABLES];	/* the slot had a live table at the last update */
};

void prom_series_init(struct prom_series *s, unsigned int max, unsigned int window_len,
		      unsigned int expire);
void prom_series_free(struct prom_series *s);
/* After each interval (its counts already in `total`): adds the interval to
 * the window and, at a window's end, re-ranks. 0 or -ENOMEM (then the series
 * stay as they were). */
int prom_series_update(struct prom_series *s, const struct ft_catalog *cat,
		       const struct ft_counts *interval, const struct ft_counts *total);
/* The series of (table, key), or NULL: its base in ->val. 0 or -ENOMEM. */
int prom_series_find(struct prom_series *s, __u32 table, const struct ft_key *key,
		     struct ft_entry **own);

#endif
