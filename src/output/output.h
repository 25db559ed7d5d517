/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Records: what flowtally prints each interval ("interval", that interval's
 * counts) and on exit ("final", totals since the counters were created).
 * The JSON schema is documented in README.md.
 */
#ifndef FT_OUTPUT_H
#define FT_OUTPUT_H

#include <stdbool.h>

#include "counts.h"
#include "names.h"
#include "catalog.h"
#include "print.h"

/* The device's own counters over a record's span, per interface slot. */
struct ft_devrecord {
	bool valid;		/* read at both ends */
	struct ft_devcount count[FT_DIRS];
};

struct output_opts {
	int top;		/* text: rows per table, 0 = all */
	size_t store_bytes;	/* memory of the host-side totals, 0: not shown */
	const struct ft_devrecord *device;	/* per interface slot; NULL: not shown */
};

/* Prints one record. c's entries come sorted (counts_sort): the run sorts an
 * interval once, before the printer or any exporter sees it. */
void output_record(struct printer *p, const struct ft_catalog *cat, const struct ft_counts *c,
		   const char *type, const struct output_opts *opts);

#endif
