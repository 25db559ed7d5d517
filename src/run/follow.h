/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Interfaces that come and go: -i patterns and --all-interfaces select
 * them by name; rtnetlink link events (RTNLGRP_LINK, in flowtally's network
 * namespace) say when to look again. A selected interface that appears is
 * attached, one that is deleted or renamed out of the patterns leaves (its
 * counts stay in the totals), and a gone one's slot is reused once both
 * generations of its counters were read and reported.
 */
#ifndef FT_FOLLOW_H
#define FT_FOLLOW_H

#include <poll.h>
#include <stdbool.h>

#include "counts.h"
#include "instance.h"

struct run_opts;

struct follow {
	int fd;			/* rtnetlink socket; -1: not following */
	bool dirty;		/* a link event came: look again */
	int waiting;		/* selected interfaces without a slot, as last said */
	/* ifindexes whose attach failed: not tried again while they exist */
	__u32 *failed;
	int nr_failed, cap_failed;
	/* ifindexes RTM_DELLINK named since the last look: an interface that
	 * went and came back under its name and ifindex is attached again */
	__u32 *deleted;
	int nr_deleted, cap_deleted;
	bool deleted_lost;	/* more than cap: every attached one is checked */
	double last_look;	/* ft_now_mono() of the last reconcile */
};

/* Looks come at most this often (seconds): a storm of link events (carrier,
 * MTU, thousands of veths) costs one look per period, not one per wake. */
#define FOLLOW_MIN_GAP 0.1

/* Subscribes to link events. 0 or -errno (message printed). */
int follow_open(struct follow *f);
void follow_close(struct follow *f);
/* The socket to poll, 0 or 1 entries. */
int follow_pollfds(const struct follow *f, struct pollfd *pfd);
/* Reads what came (never blocks; all of it, up to a bound); any link event
 * marks it dirty, RTM_DELLINK notes the ifindex. */
void follow_input(struct follow *f, short revents);
/* Monotonic time when the next look is due, 0 when none is needed. */
double follow_due(const struct follow *f);

/* Attaches selected interfaces not attached yet, and lets go of ones
 * deleted or renamed out of selection (named ones only when deleted or
 * renamed, as before). Returns how many changed, or -errno. */
int follow_reconcile(struct follow *f, struct ft_instance *inst, const struct run_opts *o);
/* After a record: interfaces a pattern selected that are gone and whose
 * counters were all read and shown leave the catalog; their totals join the
 * "(removed)" sum and their slot is free again. Returns how many. */
int follow_retire(struct ft_instance *inst, struct ft_counts *total);

#endif
