/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Exporters: where records go besides the text/JSON printer (Prometheus,
 * IPFIX, CSV). Each is handed every interval's counts (exact: one drained
 * generation) and the running totals, after the printer had them.
 */
#ifndef FT_EXPORT_H
#define FT_EXPORT_H

#include <stdbool.h>
#include <poll.h>
#include <stdio.h>

#include "counts.h"
#include "instance.h"

struct run_opts;
struct exporters;
struct sink;

struct exporter {
	const struct exporter_ops *ops;
	void *priv;
	unsigned long long errors;	/* intervals it failed to export */
	const struct exporters *set;	/* every exporter of the run, for their errors */
};

struct exporter_ops {
	const char *name;
	/* Whether the options ask for this exporter. */
	bool (*wanted)(const struct run_opts *o);
	/* 0, or -errno after printing a one-line error. `out` is where the
	 * run's records go (CSV writes its rows there). */
	int (*open)(struct exporter *e, const struct run_opts *o, struct sink *out);
	/* One interval ended: its counts and the totals including it. */
	int (*interval)(struct exporter *e, const struct ft_instance *inst,
			const struct ft_counts *interval, const struct ft_counts *total);
	/* The run ends: the totals since start. May be NULL. */
	int (*final)(struct exporter *e, const struct ft_instance *inst,
		     const struct ft_counts *total);
	void (*close)(struct exporter *e);
	/* Optional: an fd the run loop polls for input, and what to do when it
	 * is readable; true ends the run (top's 'q'). */
	int (*input_fd)(struct exporter *e);
	bool (*on_input)(struct exporter *e);
};

#define FT_MAX_EXPORTERS 4

struct exporters {
	struct exporter list[FT_MAX_EXPORTERS];
	int nr;
};

/* Opens every exporter the options ask for. 0 or -errno (message printed). */
int exporters_open(struct exporters *ex, const struct run_opts *o, struct sink *out);
void exporters_interval(struct exporters *ex, const struct ft_instance *inst,
			const struct ft_counts *interval, const struct ft_counts *total);
void exporters_final(struct exporters *ex, const struct ft_instance *inst,
		     const struct ft_counts *total);
void exporters_close(struct exporters *ex);
/* Fills up to `max` pollfds of exporters that take input; returns how many. */
int exporters_pollfds(struct exporters *ex, struct pollfd *pfd, int max);
/* After poll(): hands readable input to its exporter; true if one asks to
 * stop. */
bool exporters_input(struct exporters *ex, const struct pollfd *pfd, int n);

#endif
