// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flowtally run: attach, print a record per interval, and on a signal or at
 * the end of --duration detach, read the last counts and print the totals.
 * Between intervals it answers its control socket (flowtally table ...).
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "clock.h"
#include "lifecycle.h"
#include "log.h"
#include "ident.h"
#include "identity.h"
#include "ifselect.h"
#include "netdev.h"
#include "run.h"
#include "pin.h"
#include "snapshot.h"
#include "state.h"
#include "tables.h"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t hangup;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_hangup(int sig)
{
	(void)sig;
	hangup = 1;
}

static int install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct sigaction hup = { .sa_handler = on_hangup };

	/* no SA_RESTART: the interval wait must end at once */
	sigemptyset(&sa.sa_mask);
	sigemptyset(&hup.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &hup, NULL))
		return -errno;
	/* a closed stdout ends the run like a signal (see write_failed) */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* A pinned instance saves its catalog as it changes: a kill then finds the
 * interfaces a restart must adopt. */
static void save_catalog(struct run_state *st)
{
	if (st->o->pin)
		state_save(st->o->pin, &st->inst, &st->total, st->inst.cfg->flips);
}

/* Link events: interfaces to attach or to let go. */
static void follow_changes(struct run_state *st)
{
	if (follow_reconcile(&st->follow, &st->inst, st->o) > 0)
		save_catalog(st);
}

/* logrotate moved the file: records go on in a new one of the same name. */
static void reopen_output(struct run_state *st)
{
	hangup = 0;
	if (st->o->output && sink_reopen(&st->out))
		log_info("still writing the old %s", st->o->output);
}

#define WAIT_FDS (1 + CONTROL_MAX_CLIENTS + FT_MAX_EXPORTERS + 2)

/* Whether the run loop should stop waiting and end the run. */
static bool run_ending(const struct run_state *st)
{
	return stop_signal || st->stop_requested || st->view_closed || st->out.err;
}

/* Until `deadline` (monotonic seconds) or a reason to end, answers the
 * control socket, takes top's keys and watches the output: a reader of
 * stdout that went away ends the run even when there is nothing to write
 * (POLLERR is reported whatever the events asked). */
static void wait_until(struct run_state *st, double deadline)
{
	struct pollfd pfd[WAIT_FDS];
	double left, first;
	int nc, ne, nf;

	while (!run_ending(st) && (left = deadline - ft_now_mono()) > 0) {
		int ms;

		first = control_deadline(&st->ctl);
		if (first && first - ft_now_mono() < left)
			left = first - ft_now_mono() > 0 ? first - ft_now_mono() : 0;
		first = follow_due(&st->follow);	/* a look held back by the gap */
		if (first && first - ft_now_mono() < left)
			left = first - ft_now_mono() > 0 ? first - ft_now_mono() : 0;
		ms = (int)(left * 1000) + 1;
		pfd[0] = (struct pollfd){ .fd = st->out.fd, .events = 0 };
		nc = control_pollfds(&st->ctl, pfd + 1, 1 + CONTROL_MAX_CLIENTS);
		ne = exporters_pollfds(&st->ex, pfd + 1 + nc, FT_MAX_EXPORTERS);
		nf = follow_pollfds(&st->follow, pfd + 1 + nc + ne);
		if (poll(pfd, (nfds_t)(1 + nc + ne + nf), ms) >= 0) {
			sink_check_revents(&st->out, pfd[0].revents);
			control_process(&st->ctl, pfd + 1, nc, table_control, st);
			if (exporters_input(&st->ex, pfd + 1 + nc, ne))
				st->view_closed = true;
			if (nf)
				follow_input(&st->follow, pfd[1 + nc + ne].revents);
		}
		if (follow_due(&st->follow) && follow_due(&st->follow) <= ft_now_mono())
			follow_changes(st);
		if (hangup)
			reopen_output(st);
	}
}

static struct ft_devcount devcount_sub(const struct ft_devcount *a, const struct ft_devcount *b)
{
	return (struct ft_devcount){ a->packets - b->packets, a->bytes - b->bytes,
				     a->dropped - b->dropped };
}

/*
 * The devices' own counters, read right after the drain: over the interval
 * and since flowtally started counting, beside what the hooks saw. A frame
 * between the flip and this read lands in the device's interval and the
 * hook's next one; over a whole run the two cover the same frames.
 */
static void read_device_counters(struct run_state *st)
{
	int i, d;

	catalog_for_each_iface(&st->inst.cat, i) {
		struct ft_iface *ifc = &st->inst.cat.ifaces[i];
		struct ft_devcount now[FT_DIRS];
		struct ft_devlink link;
		int err;

		st->dev_interval[i].valid = false;
		st->dev_total[i].valid = false;
		if (ifc->gone)
			continue;
		err = netdev_state(ifc->ifindex, now, &link);
		if (!err || err == -ENODATA)
			iface_identify(ifc, &link);	/* a peer moved into a container */
		if (!ifc->dev_valid || err)
			continue;
		for (d = 0; d < FT_DIRS; d++) {
			st->dev_interval[i].count[d] = devcount_sub(&now[d], &ifc->dev_last[d]);
			st->dev_total[i].count[d] = devcount_sub(&now[d], &ifc->dev_start[d]);
			ifc->dev_last[d] = now[d];
		}
		st->dev_interval[i].valid = true;
		st->dev_total[i].valid = true;
	}
}

static void swap_counts(struct ft_counts *a, struct ft_counts *b)
{
	struct ft_counts t = *a;

	*a = *b;
	*b = t;
}

/* One interval: drain, print its counts, add them to the totals. */
static int take_interval(struct run_state *st, bool last)
{
	double end = ft_now_wall();
	int err;

	err = run_drain(st, last);
	if (err)
		return err;
	st->counts_gen++;
	read_device_counters(st);
	st->oo.device = st->dev_interval;
	st->interval.end = end;
	st->total.end = end;
	tables_update_memory(&st->inst);
	/* the totals, this interval and the last one (kept for 'top NAME') */
	st->oo.store_bytes = counts_memory(&st->total) + counts_memory(&st->interval) +
			     counts_memory(&st->last);
	/* sorted once here: the printer and every exporter see the same order */
	counts_sort(&st->interval);
	if (!st->o->csv && !st->o->top_view)	/* those two are exporters */
		output_record(&st->p, &st->inst.cat, &st->interval, "interval", &st->oo);
	st->ex.status.swap_seconds = st->swap_seconds;
	st->ex.status.read_seconds = st->read_seconds;
	st->ex.status.store_bytes = st->oo.store_bytes;
	exporters_interval(&st->ex, &st->inst.cat, &st->interval, &st->total);
	tables_mark_reported(&st->inst);
	/* the interval just reported stays for 'flowtally top NAME': a swap, no
	 * copy, and the older one's memory serves the next interval */
	swap_counts(&st->last, &st->interval);
	counts_reset(&st->interval);
	/* gone interfaces read to the end and now reported: slots free */
	if (follow_retire(&st->inst, &st->total))
		save_catalog(st);
	st->interval.start = end;
	/* a record that cannot be written ends the run (run_ending) */
	sink_flush(&st->out);
	return 0;
}

static int setup(struct run_state *st)
{
	const struct run_opts *o = st->o;
	int i, err;

	st->inst.xdp_mode = o->xdp_mode;
	st->inst.ingress_hook = o->ingress_hook;
	st->inst.cfg->decap = o->decap;	/* before the first frame */
	for (i = 0; i < o->nr_tables; i++) {
		err = tables_add(&st->inst, &o->tables[i]);
		if (err < 0)
			return err;
	}
	/* Counting starts with the first attach: loading took its time, and
	 * the first record's seconds are not to include it. */
	st->interval.start = st->total.start = ft_now_wall();
	for (i = 0; i < o->nr_ifaces; i++) {
		if (iface_is_pattern(o->ifaces[i]))
			continue;
		err = attach_iface(&st->inst, o->ifaces[i]);
		if (err)
			return err;
	}
	if (o->following) {	/* what the patterns select now; later ones by events */
		err = follow_reconcile(&st->follow, &st->inst, st->o);
		if (err < 0)
			return err;
	}
	if (o->pin) {
		err = state_save(o->pin, &st->inst, &st->total, st->inst.cfg->flips);
		if (err)
			return err;
	}
	return 0;
}

static void say_counting(const struct run_state *st)
{
	int i;

	if (st->o->following)
		log_info("counting on %s as they come and go: %d now (up to %u)",
			 st->o->all_ifaces ? "every interface but lo" : "the interfaces -i selects",
			 catalog_live_ifaces(&st->inst.cat), st->inst.cat.max_ifaces);
	catalog_for_each_iface(&st->inst.cat, i) {
		const struct ft_iface *ifc = &st->inst.cat.ifaces[i];
		const struct ft_iface_links *lk = &st->inst.links[i];
		bool in = lk->xdp_link_fd >= 0 || lk->tc_in_link_fd >= 0;

		if (ifc->gone || ifc->followed)
			continue;	/* follow_reconcile() said it as it attached them */

		log_info("counting on %s (ifindex %u)%s%s%s%s%s%s%s", ifc->name, ifc->ifindex,
			 in ? ", ingress: " : "", in ? hook_name(ifc->ingress_hook) : "",
			 in ? " (" : "", in ? ifc->hook_reason : "", in ? ")" : "",
			 lk->tc_link_fd >= 0 ? ", egress: tcx" : "",
			 ifc->tc_clsact ? ", egress: clsact" : "");
	}
}

/* An interface deleted under a running instance: its links went with it.
 * Its counts until then stay in the records. With patterns new ones come;
 * without, returns how many remain. */
static int check_ifaces(struct run_state *st)
{
	follow_changes(st);
	return st->o->following ? 1 : catalog_live_ifaces(&st->inst.cat);
}

/* Checks that need no kernel: before the slow part, loading the programs. */
static int check_opts(const struct run_opts *o)
{
	int i;

	for (i = 0; i < o->nr_tables; i++) {
		if (o->tables[i].dirmask & ~o->dirmask) {
			log_err("run: table '%s' counts a direction --direction leaves out",
				o->tables[i].name);
			return 2;
		}
	}
	if (!valid_instance_name(o->name)) {
		log_err("run: '%s' cannot name the instance: give one with --name NAME", o->name);
		return 2;
	}
	for (i = 0; i < o->nr_ifaces; i++) {
		if (!iface_is_pattern(o->ifaces[i]) && !if_nametoindex(o->ifaces[i])) {
			log_err("no interface '%s' (see 'ip link')", o->ifaces[i]);
			return 1;
		}
	}
	return 0;
}

static int open_output(struct run_state *st)
{
	int err = sink_open(&st->out, st->o->output);

	return err ? err : printer_init(&st->p, st->out.f, st->o->json);
}

static void run_state_free(struct run_state *st)
{
	exporters_close(&st->ex);
	control_close(&st->ctl);
	top_control_free(st);
	instance_close(&st->inst);
	printer_fini(&st->p);
	sink_close(&st->out);
	counts_free(&st->interval);
	counts_free(&st->total);
	counts_free(&st->scratch);
	counts_free(&st->last);
	follow_close(&st->follow);
	free(st->dev_interval);
	free(st->dev_total);
}

/* What needs the instance's interface capacity, once it is open. */
static int open_slots(struct run_state *st)
{
	size_t n = (size_t)st->inst.cat.max_ifaces + 1;

	st->dev_interval = calloc(n, sizeof(*st->dev_interval));
	st->dev_total = calloc(n, sizeof(*st->dev_total));
	if (!st->dev_interval || !st->dev_total)
		return log_errno(-ENOMEM, "cannot allocate %zu interface slots", n);
	return 0;
}

/* Opens what the run needs and starts counting: a new instance, or the pinned
 * one it adopts. 0 or -errno (message printed). */
static int run_start(struct run_state *st)
{
	const struct run_opts *o = st->o;
	struct export_opts eo = {
		.csv = o->csv,
		.prometheus = o->prometheus,
		.prom_max_series = o->prom_max_series,
		.prom_window = o->prom_window,
		.prom_expire = o->prom_expire,
		.prom_max_iface_series = o->prom_max_iface_series,
		.ipfix = o->ipfix,
		.nr_ipfix = o->nr_ipfix,
		.ipfix_domain_base = o->ipfix_domain_base,
		.ipfix_refresh_secs = o->ipfix_refresh_secs,
		.ipfix_refresh_msgs = o->ipfix_refresh_msgs,
		.top_view = o->top_view,
	};
	bool adopting;

	control_init(&st->ctl);
	st->follow.fd = -1;
	st->oo.top = o->json ? 0 : o->top;
	st->oo.entries = o->json_entries;
	st->oo.instance = o->name;
	counts_init(&st->interval);
	counts_init(&st->total);
	counts_init(&st->scratch);
	counts_init(&st->last);
	if (install_signals() || open_output(st) || exporters_open(&st->ex, &eo, &st->out))
		return -1;
	if (o->following && follow_open(&st->follow))
		return -1;
	if (!o->pin) {
		if (control_open(&st->ctl, o->name) ||
		    instance_open(&st->inst, o->dirmask, o->verbose, o->max_ifaces) ||
		    open_slots(st) || run_hook_checkpoint(st) || setup(st))
			return -1;
		return 0;
	}
	/* The name first: two starts of one name must not both pin. */
	if (pin_prepare() || control_open(&st->ctl, o->name))
		return -1;
	adopting = pin_instance_exists(o->pin);
	if (instance_open_pinned(&st->inst, o->pin, o->dirmask, o->max_ifaces, o->verbose,
				 !adopting ? FT_OPEN_NEW
				 : o->following ? FT_OPEN_ADOPT : FT_OPEN_INSPECT) ||
	    open_slots(st) || run_hook_checkpoint(st) || (adopting ? run_adopt(st) : setup(st))) {
		/* what this failed start pinned, it removes; an adopted
		 * instance stays as it was */
		if (!adopting)
			run_unpin(st);
		return -1;
	}
	if (adopting) {	/* the totals keep their start; this interval starts now */
		st->inst.cfg->decap = st->o->decap;	/* this run's --decap, as a fresh one */
		st->interval.start = ft_now_wall();
		follow_changes(st);	/* what came and went while no process ran */
	}
	return 0;
}

/* A record per interval until a signal, --duration, 'flowtally stop' or top's
 * 'q'. Returns 0 when the run ends, 1 when no interface is left, -errno. */
static int run_loop(struct run_state *st)
{
	double deadline = ft_now_mono(), end = 0;
	int err;

	if (st->o->duration > 0)
		end = deadline + st->o->duration;
	for (;;) {
		deadline += st->o->interval;
		if (end && deadline > end)
			deadline = end;
		wait_until(st, deadline);
		if (run_ending(st) || (end && ft_now_mono() >= end))
			return 0;
		err = take_interval(st, false);
		if (err)
			return err;
		if (!check_ifaces(st)) {
			log_err("every interface is gone: nothing left to count");
			return 1;
		}
	}
}

/* The last interval and the final record. `keep`: the instance stays attached
 * and pinned for the next start. The exit status, or -errno. */
static int run_finish(struct run_state *st, bool keep)
{
	const struct run_opts *o = st->o;
	int i, err;

	if (keep) {
		/* Still attached: the last interval ends with a flip like the others,
		 * and the pins go on counting for the next start to adopt. */
		err = take_interval(st, false);
	} else {
		/* Off the interfaces first: once detached and synced, the
		 * generation being written holds the last frames. */
		if (o->pin)
			attach_unpin(&st->inst);	/* the links go when their fds close */
		follow_close(&st->follow);	/* nothing is attached any more */
		catalog_for_each_iface(&st->inst.cat, i)
			detach_iface(&st->inst, &st->inst.cat.ifaces[i]);
		err = take_interval(st, true);
	}
	if (err)
		return err;
	counts_sort(&st->total);
	exporters_final(&st->ex, &st->inst.cat, &st->total);
	exporters_close(&st->ex);	/* top gives the terminal back for the final record */
	log_set_quiet(false);
	st->oo.device = st->dev_total;
	if (!st->out.err) {	/* where a write failed, the final record cannot go */
		if (!o->csv)	/* top too prints the final record, once the screen is back */
			output_record(&st->p, &st->inst.cat, &st->total, "final", &st->oo);
		sink_flush(&st->out);
	}
	if (stop_signal)
		log_info("stopped by %s", strsignal(stop_signal));
	if (keep)
		log_info("instance '%s' keeps counting; 'flowtally run --pin %s' adopts it, "
			 "'flowtally stop %s' removes it",
			 o->pin, o->pin, o->pin);
	else if (o->pin)
		run_unpin(st);
	return (st->o->following || catalog_live_ifaces(&st->inst.cat)) && !st->out.err ? 0 : 1;
}

int run_main(const struct run_opts *o)
{
	struct run_state st = { .out.fd = -1, .o = o };
	int err, ret = 1;

	err = check_opts(o);
	if (err)
		return err;
	if (run_start(&st))
		goto out;
	say_counting(&st);
	exporters_started(&st.ex, &st.inst.cat);	/* IPFIX names its domains */
	err = run_loop(&st);
	if (err < 0)
		goto out;
	err = run_finish(&st, !err && o->keep && !st.stop_requested);
	if (err >= 0)
		ret = err;
out:
	run_state_free(&st);
	return ret;
}
