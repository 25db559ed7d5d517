// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pinned side of flowtally run: taking over a pinned instance, and
 * removing one. What makes a kill at any point lose nothing is the
 * checkpoint (run_checkpoint, snapshot.h).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "attach.h"
#include "ifselect.h"
#include "log.h"
#include "pin.h"
#include "run.h"
#include "snapshot.h"
#include "state.h"
#include "tables.h"

/* The interfaces a pinned instance was started on by name are the ones to
 * adopt by name; interfaces it follows are checked against this run's
 * patterns when they next change (follow.h). */
static int same_ifaces(const struct run_state *st)
{
	const struct ft_catalog *cat = &st->inst.cat;
	const struct run_opts *o = st->o;
	int i, j, named = 0, have = 0;

	catalog_for_each_iface(cat, j)
		have += !cat->ifaces[j].followed;
	for (i = 0; i < o->nr_ifaces; i++) {
		if (iface_is_pattern(o->ifaces[i]))
			continue;
		named++;
		catalog_for_each_iface(cat, j)
			if (!cat->ifaces[j].followed && !strcmp(o->ifaces[i], cat->ifaces[j].name))
				break;
		if (j >= cat->nr_ifaces)
			return 0;
	}
	return named == have;
}

/* Its first named interface, for a message. */
static const char *first_named(const struct ft_catalog *cat)
{
	int i;

	catalog_for_each_iface(cat, i)
		if (!cat->ifaces[i].followed)
			return cat->ifaces[i].name;
	return "patterns only";
}

/*
 * Takes over a pinned instance: its maps, links, tables, totals and
 * baselines. The generation the programs are not writing grew by whatever
 * the last process did not save (nothing, or the interval it read when it
 * died): its growth over the saved baseline is added now, so neither case
 * needs telling apart. The generation being written is read at the next
 * flip, against its own baseline.
 */
int run_adopt(struct run_state *st)
{
	const char *name = st->o->pin;
	__u64 saved;
	int err;

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
			name, first_named(&st->inst.cat), catalog_live_ifaces(&st->inst.cat) > 1
								? " and more" : "",
			name);
		return -EINVAL;
	}
	if (saved > st->inst.cfg->flips) {
		log_err("pinned instance '%s': its saved state is at flip %llu, its maps at %llu: "
			"the state is not theirs; remove it with 'flowtally stop %s'",
			name, (unsigned long long)saved, (unsigned long long)st->inst.cfg->flips,
			name);
		return -EPROTO;
	}
	err = tables_adopt(&st->inst);
	if (!err)
		err = attach_adopt(&st->inst);
	if (!err)
		err = attach_repair(&st->inst);
	if (err)
		return err;
	counts_reset(&st->scratch);
	/* the last process may have died inside a flip: let it end */
	err = snapshot_sync(&st->inst);
	if (!err)
		err = tables_reconcile(&st->inst, &st->scratch);
	if (!err)
		err = snapshot_collect(&st->inst, (int)(st->inst.cfg->gen & 1) ^ 1, &st->scratch,
				       (__u32)time(NULL));
	if (!err)
		err = run_keep_drained(st);
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
