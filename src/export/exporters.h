/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The exporters of one run, as a set: opened from the options, each handed
 * every interval in turn. The one file that knows every exporter. */
#ifndef FT_EXPORTERS_H
#define FT_EXPORTERS_H

#include <poll.h>
#include <stdbool.h>

#include "export.h"

struct exporters {
	struct exporter list[FT_MAX_EXPORTERS];
	int nr;
	struct export_status status;	/* the run fills in its timings */
};

/* Opens every exporter the options ask for. 0 or -errno (message printed). */
int exporters_open(struct exporters *ex, const struct export_opts *o, struct sink *out);
/* Counting started (exporters that say something about it then). */
void exporters_started(struct exporters *ex, const struct ft_catalog *cat);
void exporters_interval(struct exporters *ex, const struct ft_catalog *cat,
			const struct ft_counts *interval, const struct ft_counts *total);
void exporters_final(struct exporters *ex, const struct ft_catalog *cat,
		     const struct ft_counts *total);
void exporters_close(struct exporters *ex);
/* Fills up to `max` pollfds of exporters that take input; returns how many. */
int exporters_pollfds(struct exporters *ex, struct pollfd *pfd, int max);
/* After poll(): hands readable input to its exporter; true if one asks to
 * stop. */
bool exporters_input(struct exporters *ex, const struct pollfd *pfd, int n);

#endif
