// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading what the instance counted into the run's interval and totals: at
 * the end of an interval (run_drain) and whenever a table change reads a
 * table's last counts. Apart from the loop, so that the control handlers
 * (and their tests) need no exporter.
 */
#include <errno.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "run.h"
#include "snapshot.h"
#include "state.h"

/* The instance's checkpoint (see instance.h): what was read joins the
 * interval and the totals, and a pinned instance saves them with the
 * baselines before any map changes. */
static int run_checkpoint(void *ctx, struct ft_counts *read)
{
	struct run_state *st = ctx;
	int err = 0;

	if (read) {	/* NULL: the catalog changes (attach.c), nothing was read */
		err = counts_merge(&st->interval, read);
		if (!err)
			err = counts_merge(&st->total, read);
		if (err)
			return log_errno(err, "cannot keep the counts read");
		counts_reset(read);
	}
	if (st->o->pin)
		return state_save(st->o->pin, &st->inst, &st->total, st->inst.cfg->flips);
	return 0;
}

/* Called once the instance is open: from then on every read is kept. */
int run_hook_checkpoint(struct run_state *st)
{
	st->inst.checkpoint = run_checkpoint;
	st->inst.checkpoint_ctx = st;
	return 0;
}

int run_drain(struct run_state *st, bool last)
{
	double t0 = ft_now_mono(), t1;
	__u32 now = (__u32)time(NULL);
	int err, gen;

	counts_reset(&st->scratch);
	if (last) {	/* detached: the generation being written is complete */
		err = snapshot_sync(&st->inst);
		gen = err ? log_errno(err, "cannot wait for the programs to end")
			  : (int)(st->inst.cfg->gen & 1);
	} else {
		gen = snapshot_flip(&st->inst);
	}
	t1 = ft_now_mono();
	if (gen < 0)
		err = gen;
	else if (last)	/* nothing counts after this: no idle key to delete */
		err = snapshot_read_gen(&st->inst, gen, &st->scratch, now);
	else
		err = snapshot_collect(&st->inst, gen, &st->scratch, now);
	if (!err)
		err = run_checkpoint(st, &st->scratch);
	if (err)
		/* the step that failed said why; running out of memory says nothing */
		return err == -ENOMEM ? log_errno(err, "cannot read the counts") : err;
	st->swap_seconds = t1 - t0;
	st->read_seconds = ft_now_mono() - t1;
	log_debug("swap %.1f us, read %.1f us", st->swap_seconds * 1e6,
		  st->read_seconds * 1e6);
	return 0;
}

/* Control requests that change tables read counts into st->scratch: they
 * join the interval and the totals like any read. */
int run_keep_drained(struct run_state *st)
{
	st->counts_gen++;
	return run_checkpoint(st, &st->scratch);
}
