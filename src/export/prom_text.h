/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The Prometheus text exposition (format 0.0.4) of a run's totals. Which keys
 * get a series of their own, and what "other" holds: prom_series.h.
 */
#ifndef FT_PROM_TEXT_H
#define FT_PROM_TEXT_H

#include <stdio.h>

#include "counts.h"
#include "export.h"
#include "catalog.h"
#include "prom_series.h"

/* Which interfaces have iface series of their own: decided once per
 * interface (by its epoch: a slot retaken, even by the same ifindex, is a
 * new interface) while there is room, and kept for its
 * life, so that no series ever moves out of iface="other" (it only grows). */
struct prom_ifaces {
	__u64 *epoch;			/* by slot: the interface decided on, 0: none */
	bool *own;			/* by slot: it has series of its own */
	__u32 nr;			/* slots the arrays hold */
	unsigned int nr_own, max;
};

void prom_ifaces_init(struct prom_ifaces *s, unsigned int max);
void prom_ifaces_free(struct prom_ifaces *s);
/* Decides for the interfaces new in `cat`'s slots, forgets the gone ones'
 * (their totals moved into the removed sum). 0 or -ENOMEM. */
int prom_ifaces_update(struct prom_ifaces *s, const struct ft_catalog *cat);

/* What flowtally says about itself. */
struct prom_self {
	double interval_seconds;	/* length of the last interval */
	double last_interval_end;	/* unix seconds; 0 before the first */
	unsigned long long intervals;	/* intervals exported */
	double swap_seconds, read_seconds;	/* of the last interval */
	size_t store_bytes;		/* the host-side counts: totals, interval, last */
	const struct export_status *status;	/* exporters' errors; may be NULL */
	/* interfaces with series of their own; the rest, unknown and removed
	 * ones sum up in iface="other". NULL: the first max_iface_series in
	 * slot order (0: the default) */
	const struct prom_ifaces *ifaces;
	unsigned int max_iface_series;
};

#define FT_PROM_IFACE_SERIES	256	/* default --prometheus-max-interfaces */

/* Writes every metric family; with cat NULL only build info and self. Of
 * `interval`, only the number of keys is used. 0 or -errno. */
int prom_render(FILE *f, const struct ft_catalog *cat, const struct ft_counts *interval,
		const struct ft_counts *total, struct prom_series *s, const struct prom_self *self);

/* "\"", "\\" and newline escaped as the exposition format wants. */
void prom_put_label_value(FILE *f, const char *v);

#endif
