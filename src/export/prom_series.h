/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which keys get a Prometheus series of their own: a budget of `max` live
 * series per table and direction, re-ranked by traffic (bytes) at the end of
 * every window of `window_len` intervals. The top `max` of the window have a
 * series; one that falls out of the top stays at most `expire` more windows,
 * and sooner gives its place to a key that ranks. Between re-rankings a
 * table and direction with room gives new keys a series as they come.
 *
 * Counters stay counters, and what Prometheus adds up with increase() is
 * counted once:
 *
 * - A new series shows 0 (its base follows the key's total, the growth goes
 *   to "other") until a scrape served it at 0 and a window passed; then it
 *   counts what the key counts.
 * - A series that goes is frozen: it shows its last value, its key's growth
 *   goes to "other", until a scrape served it frozen and a window passed
 *   (two windows at most when nobody scrapes). Then it disappears and its
 *   value is retired: kept per table and direction, never in "other". A
 *   frozen key that ranks again is live again and counts on from its value.
 * - "other" is every key's total less what its series show and less the
 *   retired values: it never decreases, and for each table and direction
 *
 *	sum(series) + other + retired = the table's entries, exactly.
 *
 * So sum(increase()) over a table's series plus increase(other) is the
 * table's growth exactly, for every scraper that scrapes at least once a
 * window. State is kept only for keys with a series (live or frozen) and the
 * keys of the current window.
 */
#ifndef FT_PROM_SERIES_H
#define FT_PROM_SERIES_H

#include <stdbool.h>

#include "catalog.h"
#include "counts.h"

struct prom_series {
	/* live series: val is the base (the series shows total - base),
	 * last_active the last window in which the key ranked */
	struct ft_counts own;
	/* live series still showing 0: last_active the update they came in */
	struct ft_counts pending;
	/* series that went: val the value they show, last_active the update
	 * they froze in */
	struct ft_counts frozen;
	struct ft_counts window;	/* what each key counted in this window */
	struct ft_value retired[FT_MAX_TABLES][FT_DIRS];
	unsigned int nr[FT_MAX_TABLES][FT_DIRS];	/* live series per table and direction */
	unsigned int max;		/* per table and direction */
	unsigned int window_len;	/* intervals per window, 1 or more */
	unsigned int expire;		/* windows out of the top a series may stay */
	unsigned int in_window;		/* intervals so far in this window */
	__u32 windows;			/* windows ended */
	__u32 updates;			/* intervals so far */
	__u32 served;			/* the last update whose exposition was served, 0: none */
	bool live[FT_MAX_TABLES];	/* the slot had a live table at the last update */
};

void prom_series_init(struct prom_series *s, unsigned int max, unsigned int window_len,
		      unsigned int expire);
void prom_series_free(struct prom_series *s);
/* A scrape served the exposition rendered after the last update. */
void prom_series_served(struct prom_series *s);
/* After each interval (its counts already in `total`): adds the interval to
 * the window and, at a window's end, re-ranks. 0 or -ENOMEM (then the series
 * stay as they were). */
int prom_series_update(struct prom_series *s, const struct ft_catalog *cat,
		       const struct ft_counts *interval, const struct ft_counts *total);
/* What the series of (table, key), with `total` counted, shows: 1 with the
 * value in *shown, 0 when the key has no series, or -ENOMEM. */
int prom_series_show(struct prom_series *s, __u32 table, const struct ft_key *key,
		     const struct ft_value *total, struct ft_value *shown);

#endif
