/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The command line of `flowtally run`, parsed apart from doing anything. */
#ifndef FT_OPTIONS_H
#define FT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "addr.h"
#include "export.h"
#include "hook.h"
#include "tablespec.h"

#define FT_MIN_INTERVAL 0.01	/* seconds; below this the swaps are all there is */
#define FT_PROM_MAX_SERIES 1000	/* default --prometheus-max-series */
#define FT_PROM_WINDOW 10	/* default --prometheus-window: intervals */
#define FT_PROM_EXPIRE 6	/* default --prometheus-expire: windows */
#define FT_TOP_ROWS 20		/* default --top: text rows per table */
#define FT_MAX_SELECTORS 256	/* -i given this often at most */
#define FT_DEFAULT_NAME "flowtally"	/* instance name when -i starts with a pattern */

struct run_opts {
	/* -i: interface names and shell patterns ('veth*', 'cali?', fnmatch) */
	const char *ifaces[FT_MAX_SELECTORS];
	int nr_ifaces;
	bool all_ifaces;	/* --all-interfaces: every interface but lo */
	bool following;		/* a pattern or --all-interfaces: link events followed */
	__u32 max_ifaces;	/* --max-interfaces: interface slots */
	int prom_max_iface_series;	/* --prometheus-max-interfaces */
	double interval;	/* seconds between records */
	double duration;	/* 0: until SIGINT/SIGTERM */
	bool json;		/* JSON lines: records, or entries if json_entries */
	bool json_entries;	/* --json=entries: an entry a line */
	bool verbose;
	int top;		/* text rows per table, 0: all */
	__u8 dirmask;
	enum xdp_mode_req xdp_mode;
	enum ingress_hook_req ingress_hook;
	struct table_spec tables[FT_MAX_TABLES];
	int nr_tables;
	bool csv;		/* CSV rows instead of text/JSON records */
	const char *output;	/* records to this file (appended), not stdout */
	const char *prometheus;	/* ADDR:PORT to serve /metrics on */
	int prom_max_series;	/* own series per table and direction, the rest in "other" */
	int prom_window;	/* intervals between re-rankings of the series */
	int prom_expire;	/* windows a series out of the top may stay */
	const char *ipfix[FT_MAX_IPFIX];	/* [udp://|tcp://]HOST:PORT of collectors */
	int nr_ipfix;
	__u32 ipfix_domain_base;	/* a table's observation domain: this + its id */
	double ipfix_refresh_secs;	/* UDP template refresh: seconds, 0: never */
	unsigned int ipfix_refresh_msgs; /* and messages of a domain, 0: never */
	bool ipfix_tuned;		/* one of the three above was given */
	const char *name;	/* instance name: control socket, pins */
	const char *pin;	/* pin the instance as this name (or adopt it) */
	bool keep;		/* a clean exit leaves a pinned instance counting */
	__u32 idle;		/* --idle: tables without :idle= */
	bool top_view;		/* flowtally top: the full-screen view, no records */
	struct ft_decap decap;	/* --decap: tunnels keyed by their inner frame */
};

enum { OPTS_RUN = 0, OPTS_HELP = 1 };

/* OPTS_RUN, OPTS_HELP (usage printed), or -EINVAL with a one-line reason in err. */
int run_opts_parse(int argc, char **argv, struct run_opts *o, char *err, size_t errlen);
/* run's --help, or top's (without the options top refuses). */
void run_usage(FILE *f, bool top);
/* A --decap list: 'vxlan[:PORT],geneve,gre'. 0, or -EINVAL with a reason. */
int parse_decap(const char *text, struct ft_decap *d, char *err, size_t errlen);
#endif
