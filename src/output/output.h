/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Records: what flowtally prints each interval ("interval", that interval's
 * counts) and on exit ("final", totals since the counters were created).
 * Their JSON, in either form (--json: a record a line; --json=entries: an
 * entry a line), is described by schema/flowtally-record.schema.json and
 * schema/flowtally-entry.schema.json and in README.md.
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

/* The "schema" of every JSON line: its form and version. A field added
 * keeps the version; a field removed or changed in meaning bumps it. */
#define FT_SCHEMA_RECORD "flowtally-record/1"
#define FT_SCHEMA_ENTRY "flowtally-entry/1"

struct output_opts {
	int top;		/* text: rows per table, 0 = all */
	bool entries;		/* JSON: an entry a line (output_entries), not a record */
	const char *instance;	/* the instance's name */
	const char *host;	/* NULL: gethostname() at each record */
	size_t store_bytes;	/* memory of the host-side totals, 0: not shown */
	const struct ft_devrecord *device;	/* per interface slot; NULL: not shown */
};

/* Prints one record. c's entries come sorted (counts_sort): the run sorts an
 * interval once, before the printer or any exporter sees it. */
void output_record(struct printer *p, const struct ft_catalog *cat, const struct ft_counts *c,
		   const char *type, const struct output_opts *opts);

/* The same record as JSON lines of one entry, interface or table each, then
 * an "interval_end" line (entries.c); output_record calls it when
 * opts->entries. */
void output_entries(struct printer *p, const struct ft_catalog *cat, const struct ft_counts *c,
		    const char *type, const struct output_opts *opts);

#endif
