// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pinned side of flowtally run: reading a generation so that a kill at
 * any point loses nothing, taking over a pinned instance, and removing one.
 */
#include <errno.h>
#include <string.h>

#include "attach.h"
#include "log.h"
#include "pin.h"
#include "run.h"
#include "snapshot.h"
#include "state.h"
#include "tables.h"

/* A pinned instance saves its totals before it empties the generation it
 * read: killed in between, the next start finds the generation still there
 * and knows from the flip count in the state whether it was saved. */
int run_drain_pinned(struct run_state *st, int gen)
{
	int err;

	err = snapshot_read_gen(&st->inst, gen, &st->scratch);
	if (!err) {
		run_note_evictions(st);
		err = counts_merge(&st->total, &st->scratch);
	}
	if (!err)
		err = state_save(st->o->pin, &st->inst, &st->total, st->inst.cfg->flips);
	if (!err)
		err = snapshot_clear_gen(&st->inst, gen);
	return err;
}

/* The interfaces a pinned instance was started on are the ones to adopt. */
static int same_ifaces(const struct run_state *st)
{
	const struct run_opts *o = st->o;
	int i, j;

	if (o->nr_ifaces != st->inst.nr_ifaces)
		return 0;
	for (i = 0; i < o->nr_ifaces; i++) {
		for (j = 0; j < st->inst.nr_ifaces; j++)
			if (!strcmp(o->ifaces[i], st->inst.ifaces[j].name))
				break;
		if (j == st->inst.nr_ifaces)
			return 0;
	}
	return 1;
}

/*
 * Takes over a pinned instance: its maps, links, tables and totals. The
 * generation the programs are not writing holds either nothing new (the
 * state was saved after it was read) or the last interval before the old
 * process died (the state is one flip behind): then it is added now.
 */
int run_adopt(struct run_state *st)
{
	const char *name = st->o->pin;
	__u64 saved, flips;
	int err, old;

	err = state_load(name, &st->inst, &st->total, &saved);
	if (err == -ENOENT) {
		log_err("pinned instance '%s' has no saved state (%s/%s.state): remove it with "
			"'flowtally stop %s'",
			name, FT_STATE_DIR, name, name);
		return err;
	}
	if (err)
		return err;
	if (!same_ifaces(st)) {
		log_err("pinned instance '%s' counts on %s%s: adopt it with the same -i, or "
			"remove it with 'flowtally stop %s'",
			name, st->inst.ifaces[0].name, st->inst.nr_ifaces > 1 ? " and more" : "",
			name);
		return -EINVAL;
	}
	err = tables_adopt(&st->inst);
	if (!err)
		err = attach_adopt(&st->inst);
	if (err)
		return err;
	flips = st->inst.cfg->flips;
	old = (int)((flips & 1) ^ 1);
	if (saved + 1 == flips) {
		counts_reset(&st->scratch);
		err = run_drain_pinned(st, old);
	} else if (saved == flips) {
		err = snapshot_clear_gen(&st->inst, old);
	} else {
		log_err("pinned instance '%s': saved state is at flip %llu, its maps at %llu; "
			"remove it with 'flowtally stop %s'",
			name, (unsigned long long)saved, (unsigned long long)flips, name);
		return -EPROTO;
	}
	if (err)
		return log_errno(err, "cannot take over the counts of '%s'", name);
	log_info("adopted pinned instance '%s': totals since %.0f go on", name, st->total.start);
	if (st->o->nr_tables != 1 || strcmp(st->o->tables[0].name, "ports"))
		log_info("'%s' keeps the tables it has; change them with 'flowtally table'", name);
	return 0;
}

/* A clean exit without --keep: the pinned maps and the state go too. */
void run_unpin(struct run_state *st)
{
	attach_unpin(&st->inst);
	pin_remove_instance(st->o->pin);
	state_remove(st->o->pin);
}
