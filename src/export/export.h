/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Exporters: where records go besides the text/JSON printer (Prometheus,
 * IPFIX, CSV). Each is handed every interval's counts (exact: one drained
 * generation) and the running totals, after the printer had them.
 */
#ifndef FT_EXPORT_H
#define FT_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "counts.h"
#include "catalog.h"

struct sink;

/* What the exporters take from the command line; the run fills it from its
 * options, so that no exporter needs to know the rest of them. */
struct export_opts {
	bool csv;		/* CSV rows instead of text/JSON records */
	const char *prometheus;	/* ADDR:PORT to serve /metrics on */
	int prom_max_series;	/* own series per table and direction, the rest in "other" */
	int prom_window;	/* intervals between re-rankings of the series */
	int prom_expire;	/* windows a series out of the top may stay */
	int prom_max_iface_series;	/* interfaces with series of their own */
	const char *const *ipfix;	/* [udp://|tcp://]HOST:PORT of IPFIX collectors */
	int nr_ipfix;
	__u32 ipfix_domain_base;	/* a table's domain: this + its id */
	double ipfix_refresh_secs;	/* UDP: templates again after this long, 0: never */
	unsigned int ipfix_refresh_msgs; /* or after this many messages of a domain, 0: never */
	bool top_view;		/* flowtally top: the full-screen view */
};

#define FT_MAX_EXPORTERS 4
#define FT_MAX_IPFIX 8		/* --ipfix collectors */
#define FT_IPFIX_REFRESH_SECS 10.0	/* default --ipfix-template-refresh */
#define FT_IPFIX_REFRESH_MSGS 20	/* default --ipfix-template-refresh-messages */

/* What the run says of itself, for Prometheus to serve: its exporters and
 * the intervals each failed to export (flowtally_export_errors_total), and
 * how long the last flip and read took. */
struct export_status {
	int nr;
	const char *name[FT_MAX_EXPORTERS];
	unsigned long long count[FT_MAX_EXPORTERS];
	double swap_seconds;	/* the last flip: one grace period */
	double read_seconds;	/* reading and emptying what it left */
	size_t store_bytes;	/* the counts the run keeps: totals, interval, last */
};

struct exporter {
	const struct exporter_ops *ops;
	void *priv;
	const struct export_status *status;	/* the run's, this exporter's errors included */
};

struct exporter_ops {
	const char *name;
	/* Whether the options ask for this exporter. */
	bool (*wanted)(const struct export_opts *o);
	/* 0, or -errno after printing a one-line error. `out` is where the
	 * run's records go (CSV writes its rows there). */
	int (*open)(struct exporter *e, const struct export_opts *o, struct sink *out);
	/* Counting started: the catalog as it is then. May be NULL. */
	void (*started)(struct exporter *e, const struct ft_catalog *cat);
	/* One interval ended: its counts and the totals including it. */
	int (*interval)(struct exporter *e, const struct ft_catalog *cat,
			const struct ft_counts *interval, const struct ft_counts *total);
	/* The run ends: the totals since start. May be NULL. */
	int (*final)(struct exporter *e, const struct ft_catalog *cat,
		     const struct ft_counts *total);
	void (*close)(struct exporter *e);
	/* Optional: an fd the run loop polls for input, and what to do when it
	 * is readable; true ends the run (top's 'q'). */
	int (*input_fd)(struct exporter *e);
	bool (*on_input)(struct exporter *e);
};

#endif
