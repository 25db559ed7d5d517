// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flowtally run: attach, print a record per interval, and on a signal or at
 * the end of --duration detach, read the last counts and print the totals.
 * Between intervals it answers its control socket (flowtally table ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "commands.h"
#include "log.h"
#include "netdev.h"
#include "run.h"
#include "pin.h"
#include "snapshot.h"
#include "state.h"
#include "tables.h"

static volatile sig_atomic_t stop_signal;
static bool top_mode;	/* flowtally top: the same run, shown full-screen */
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

static double now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* logrotate moved the file: records go on in a new one of the same name. The
 * FILE stays the same, so the printer and exporters need not know. */
static void reopen_output(struct run_state *st)
{
	int fd;

	hangup = 0;
	if (!st->o->output)
		return;
	fflush(st->out);
	fd = open(st->o->output, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_errno(-errno, "cannot reopen %s; still writing the old file", st->o->output);
		return;
	}
	dup2(fd, fileno(st->out));
	close(fd);
}

/* Until `deadline` (monotonic seconds) or a stop signal, answers the control
 * socket. */
static void wait_until(struct run_state *st, double deadline)
{
	struct pollfd pfd[1 + FT_MAX_EXPORTERS];
	double left;

	while (!stop_signal && !st->stop_requested && (left = deadline - now_mono()) > 0) {
		int ms = (int)(left * 1000) + 1, n;

		pfd[0].fd = st->ctl.fd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		n = exporters_pollfds(&st->ex, pfd + 1, FT_MAX_EXPORTERS);
		if (poll(pfd, 1 + n, ms) > 0) {
			if (pfd[0].revents & POLLIN)
				control_serve(&st->ctl, table_control, st);
			if (exporters_input(&st->ex, pfd + 1, n))
				st->stop_requested = true;
		}
		if (hangup)
			reopen_output(st);
	}
}

/* What the LRU tables in a fresh drain (st->scratch) evicted. */
void run_note_evictions(struct run_state *st)
{
	int slot;

	for (slot = 0; slot < FT_MAX_TABLES; slot++)
		if (st->inst.tables[slot].used && st->inst.tables[slot].spec.lru)
			counts_note_evictions(&st->scratch, (__u32)slot);
}

int run_drain(struct run_state *st, bool last)
{
	double t0 = now_mono(), t1;
	int err, gen;

	counts_reset(&st->scratch);
	if (last) {	/* detached: the generation being written is complete */
		err = snapshot_sync(&st->inst);
		gen = err ? err : (int)(st->inst.cfg->gen & 1);
	} else {
		gen = snapshot_flip(&st->inst);
	}
	t1 = now_mono();
	if (gen < 0) {
		err = gen;
	} else if (st->o->pin) {
		err = run_drain_pinned(st, gen);
	} else {
		err = snapshot_drain_gen(&st->inst, gen, &st->scratch);
		if (!err) {
			run_note_evictions(st);
			err = counts_merge(&st->total, &st->scratch);
		}
	}
	if (err)
		return log_errno(err, "cannot read the counts");
	st->inst.swap_seconds = t1 - t0;
	st->inst.read_seconds = now_mono() - t1;
	log_debug("swap %.1f us, read %.1f us, %zu entries", st->inst.swap_seconds * 1e6,
		  st->inst.read_seconds * 1e6, st->scratch.nr_entries);
	err = counts_merge(&st->interval, &st->scratch);
	if (err)
		return log_errno(err, "cannot keep the interval's counts");
	return 0;
}

/* Control requests that change tables drained counts into st->scratch:
 * they join the interval and the totals like any drain. */
int run_keep_drained(struct run_state *st)
{
	int err;

	run_note_evictions(st);
	err = counts_merge(&st->interval, &st->scratch);
	if (!err)
		err = counts_merge(&st->total, &st->scratch);
	if (!err && st->o->pin)
		err = state_save(st->o->pin, &st->inst, &st->total, st->inst.cfg->flips);
	return err;
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

	for (i = 0; i < st->inst.nr_ifaces; i++) {
		struct ft_iface *ifc = &st->inst.ifaces[i];
		struct ft_devcount now[FT_DIRS];

		st->dev_interval[i].valid = false;
		st->dev_total[i].valid = false;
		if (!ifc->dev_valid || ifc->gone || netdev_counters(ifc->ifindex, now))
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

/* One interval: drain, print its counts, add them to the totals. */
static int take_interval(struct run_state *st, bool last)
{
	double end = now_wall();
	int err;

	err = run_drain(st, last);
	if (err)
		return err;
	read_device_counters(st);
	st->oo.device = st->dev_interval;
	st->interval.end = end;
	st->total.end = end;
	tables_update_memory(&st->inst);
	st->oo.store_bytes = counts_memory(&st->total);
	if (!st->o->csv && !st->o->top_view)	/* those two are exporters */
		output_record(&st->p, &st->inst, &st->interval, "interval", &st->oo);
	exporters_interval(&st->ex, &st->inst, &st->interval, &st->total);
	tables_mark_reported(&st->inst);
	counts_reset(&st->interval);
	st->interval.start = end;
	return 0;
}

static int setup(struct run_state *st)
{
	const struct run_opts *o = st->o;
	int i, err;

	st->inst.xdp_mode = o->xdp_mode;
	st->inst.ingress_hook = o->ingress_hook;
	for (i = 0; i < o->nr_tables; i++) {
		err = tables_add(&st->inst, &o->tables[i]);
		if (err < 0)
			return err;
	}
	for (i = 0; i < o->nr_ifaces; i++) {
		err = attach_iface(&st->inst, o->ifaces[i]);
		if (err)
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

	for (i = 0; i < st->inst.nr_ifaces; i++) {
		const struct ft_iface *ifc = &st->inst.ifaces[i];

		bool in = ifc->xdp_link_fd >= 0 || ifc->tc_in_link_fd >= 0;

		log_info("counting on %s (ifindex %u)%s%s%s%s%s%s%s", ifc->name, ifc->ifindex,
			 in ? ", ingress: " : "", in ? hook_name(ifc->ingress_hook) : "",
			 in ? " (" : "", in ? ifc->hook_reason : "", in ? ")" : "",
			 ifc->tc_link_fd >= 0 ? ", egress: tcx" : "",
			 ifc->tc_clsact ? ", egress: clsact" : "");
	}
}

/* An interface deleted under a running instance: its links went with it.
 * Its counts until then stay in the records. Returns how many remain. */
static int check_ifaces(struct run_state *st)
{
	int i, left = 0;

	for (i = 0; i < st->inst.nr_ifaces; i++) {
		struct ft_iface *ifc = &st->inst.ifaces[i];

		if (!ifc->gone && if_nametoindex(ifc->name) != ifc->ifindex) {
			ifc->gone = true;
			log_info("%s is gone; its counts until then are kept", ifc->name);
		}
		left += !ifc->gone;
	}
	return left;
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
		if (!if_nametoindex(o->ifaces[i])) {
			log_err("no interface '%s' (see 'ip link')", o->ifaces[i]);
			return 1;
		}
	}
	return 0;
}

static int open_output(struct run_state *st)
{
	st->out = stdout;
	if (st->o->output) {
		st->out = fopen(st->o->output, "ae");
		if (!st->out) {
			st->out = stdout;
			return log_errno(-errno, "cannot open %s for writing", st->o->output);
		}
	}
	setvbuf(st->out, NULL, _IOLBF, 0);
	return printer_init(&st->p, st->out, st->o->json);
}

static void run_state_free(struct run_state *st)
{
	exporters_close(&st->ex);
	control_close(&st->ctl);
	instance_close(&st->inst);
	printer_fini(&st->p);
	if (st->out && st->out != stdout)
		fclose(st->out);
	counts_free(&st->interval);
	counts_free(&st->total);
	counts_free(&st->scratch);
}

int cmd_run(int argc, char **argv)
{
	struct run_state st = { .ctl.fd = -1 };
	double deadline, end = 0;
	struct run_opts o;
	bool keep;
	char err_msg[256];
	int i, err, ret = 1;

	err = run_opts_parse(argc, argv, &o, err_msg, sizeof(err_msg));
	if (err == OPTS_HELP) {
		run_usage(stdout);
		return 0;
	}
	if (err < 0) {
		log_err("run: %s (see 'flowtally run --help')", err_msg);
		return 2;
	}
	if (top_mode && (o.json || o.csv || o.output)) {
		log_err("top: --json, --csv and --output are for 'flowtally run'");
		return 2;
	}
	o.top_view = top_mode;
	log_set_quiet(top_mode);
	log_set_json(o.json);
	log_set_verbose(o.verbose);
	err = check_opts(&o);
	if (err)
		return err;

	st.o = &o;
	st.oo.top = o.json ? 0 : o.top;
	counts_init(&st.interval);
	counts_init(&st.total);
	counts_init(&st.scratch);
	if (install_signals() || open_output(&st) || exporters_open(&st.ex, &o, st.out))
		goto out;
	st.interval.start = st.total.start = now_wall();
	if (o.pin) {
		bool adopting;

		if (pin_prepare())
			goto out;
		adopting = pin_instance_exists(o.pin);
		if (instance_open_pinned(&st.inst, o.pin, o.dirmask, o.verbose, adopting) ||
		    control_open(&st.ctl, o.name) || (adopting ? run_adopt(&st) : setup(&st))) {
			/* what this failed start pinned, it removes; an adopted
			 * instance stays as it was */
			if (!adopting && st.ctl.fd >= 0)
				run_unpin(&st);
			goto out;
		}
	} else if (instance_open(&st.inst, o.dirmask, o.verbose) ||
		   control_open(&st.ctl, o.name) || setup(&st)) {
		goto out;
	}
	say_counting(&st);

	deadline = now_mono();
	if (o.duration > 0)
		end = deadline + o.duration;
	for (;;) {
		deadline += o.interval;
		if (end && deadline > end)
			deadline = end;
		wait_until(&st, deadline);
		if (stop_signal || st.stop_requested || (end && now_mono() >= end) || ferror(st.out))
			break;
		if (take_interval(&st, false))
			goto out;
		if (!check_ifaces(&st)) {
			log_err("every interface is gone: nothing left to count");
			keep = false;
			goto finish;
		}
	}
	keep = o.keep && !st.stop_requested;
finish:
	if (keep) {
		/* Still attached: the last interval ends with a flip like the others,
		 * and the pins go on counting for the next start to adopt. */
		if (take_interval(&st, false))
			goto out;
	} else {
		/* Off the interfaces first: once detached and synced, the
		 * generation being written holds the last frames. */
		if (o.pin)
			attach_unpin(&st.inst);	/* the links go when their fds close */
		for (i = 0; i < st.inst.nr_ifaces; i++)
			detach_iface(&st.inst, &st.inst.ifaces[i]);
		if (take_interval(&st, true))
			goto out;
	}
	exporters_final(&st.ex, &st.inst, &st.total);
	exporters_close(&st.ex);	/* top gives the terminal back for the final record */
	st.oo.device = st.dev_total;
	if (!o.csv)	/* top too prints the final record, once the screen is back */
		output_record(&st.p, &st.inst, &st.total, "final", &st.oo);
	ret = check_ifaces(&st) ? 0 : 1;
	if (stop_signal)
		log_info("stopped by %s", strsignal(stop_signal));
	if (keep)
		log_info("instance '%s' keeps counting; 'flowtally run --pin %s' adopts it, "
			 "'flowtally stop %s' removes it",
			 o.pin, o.pin, o.pin);
	else if (o.pin)
		run_unpin(&st);
out:
	run_state_free(&st);
	return ret;
}

int cmd_top(int argc, char **argv)
{
	top_mode = true;
	return cmd_run(argc, argv);
}
