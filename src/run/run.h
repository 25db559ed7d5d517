/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The state of `flowtally run`, shared by the run loop and the handlers of
 * its control socket. */
#ifndef FT_RUN_H
#define FT_RUN_H

#include "control.h"
#include "counts.h"
#include "exporters.h"
#include "follow.h"
#include "instance.h"
#include "options.h"
#include "output.h"
#include "print.h"
#include "sink.h"

/* 'flowtally top NAME' answers, kept until the counts change: viewers asking
 * twice a second cost one scan of the totals per interval (top_control.c). */
#define TOP_CACHE_SLOTS 4
struct top_cached {
	unsigned long gen;		/* run_state.counts_gen it was made at; 0: empty */
	int slot, dir, sort;
	unsigned long rows;
	char *text;			/* the "show" line and the rows */
	size_t len;
};

struct run_state {
	const struct run_opts *o;
	struct ft_instance inst;
	struct ft_counts interval;	/* counted since the last record */
	struct ft_counts total;		/* since start */
	struct ft_counts scratch;	/* one drain, before it joins interval */
	struct ft_counts last;		/* the last interval reported: 'flowtally top NAME' */
	double swap_seconds;		/* the last flip: one grace period */
	double read_seconds;		/* reading and emptying what it left */
	struct printer p;
	struct output_opts oo;
	struct exporters ex;
	struct control ctl;
	/* the devices' own counters over the interval and since start */
	struct ft_devrecord *dev_interval, *dev_total;	/* by interface slot */
	struct follow follow;		/* link events, with patterns */
	struct sink out;		/* stdout or --output */
	bool stop_requested;		/* 'flowtally stop NAME' asked */
	bool view_closed;		/* top's 'q': the view ends, a pinned instance stays */
	unsigned long counts_gen;	/* changes whenever the totals or tables do */
	struct top_cached top_cache[TOP_CACHE_SLOTS];
	unsigned int top_cache_next;
};

/* Runs `flowtally run` (or top, o->top_view) as the options say, to the end.
 * The exit status: 0, 1 runtime failure, 2 usage error. */
int run_main(const struct run_opts *o);

/* Hands the instance run_state's checkpoint once it is open: from then on
 * every read joins the interval and the totals (and a pinned instance's
 * saved state). 0. */
int run_hook_checkpoint(struct run_state *st);

/* Reads what the generation being written counted (flip first unless
 * `last`) into st->interval and the totals. */
int run_drain(struct run_state *st, bool last);

/* Takes over the pinned instance st->o->pin: maps, links, tables, totals. */
int run_adopt(struct run_state *st);
/* Removes a pinned instance's pins and state (a clean exit without --keep). */
void run_unpin(struct run_state *st);

/* After a table change read counts into st->scratch: adds them to the
 * interval and the totals (and saves a pinned instance's state). */
int run_keep_drained(struct run_state *st);

/* "top ROWS SORT [TABLE DIR]": what 'flowtally top NAME' shows (top_control.c). */
int top_control(struct run_state *st, const char *arg, FILE *reply, char *err, size_t errlen);
void top_control_free(struct run_state *st);

/* Control socket requests "list", "add SPEC", "del NAME", "resize NAME SIZE",
 * "top ...", "stop". */
int table_control(void *ctx, const char *verb, const char *arg, FILE *reply, char *err,
		  size_t errlen);

#endif
