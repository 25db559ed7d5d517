/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Records: what flowtally prints each interval ("interval", that interval's
 * counts) and on exit ("final", totals since the counters were created).
 * The JSON schema is documented in README.md.
 */
#ifndef FT_OUTPUT_H
#define FT_OUTPUT_H

#include "counts.h"
#include "instance.h"
#include "print.h"

extern const char *const ft_uncl_names[FT_UNCL_REASONS];
extern const char *const ft_dir_names[FT_DIRS];

struct output_opts {
	int top;		/* text: rows per table, 0 = all */
};

/* Sorts c's entries; prints one record. */
void output_record(struct printer *p, const struct ft_instance *inst, struct ft_counts *c,
		   const char *type, const struct output_opts *opts);

/* "1.23M" style, for rates in text. */
const char *fmt_si(double v, char *buf, size_t len);

#endif
