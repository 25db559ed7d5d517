// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flowtally run: attach, print a record per interval, and on a signal or at
 * the end of --duration detach, read the last counts and print the totals.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attach.h"
#include "commands.h"
#include "log.h"
#include "options.h"
#include "output.h"
#include "snapshot.h"
#include "tables.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static int install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	/* no SA_RESTART: the interval sleep must end at once */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
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

/* Sleeps until `deadline` (monotonic seconds) or a stop signal. */
static void sleep_until(double deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)deadline,
		.tv_nsec = (long)((deadline - (time_t)deadline) * 1e9),
	};

	while (!stop_signal && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int setup(struct ft_instance *inst, const struct run_opts *o)
{
	int i, err;

	inst->xdp_mode = o->xdp_mode;
	for (i = 0; i < o->nr_tables; i++) {
		err = tables_add(inst, &o->tables[i]);
		if (err < 0)
			return err;
	}
	for (i = 0; i < o->nr_ifaces; i++) {
		err = attach_iface(inst, o->ifaces[i]);
		if (err)
			return err;
	}
	for (i = 0; i < inst->nr_ifaces; i++) {
		const struct ft_iface *ifc = &inst->ifaces[i];

		log_info("counting on %s (ifindex %u)%s%s%s%s", ifc->name, ifc->ifindex,
			 ifc->xdp_link_fd >= 0 ? ", ingress: XDP " : "",
			 ifc->xdp_link_fd >= 0 ? ifc->xdp_mode : "",
			 ifc->tc_link_fd >= 0 ? ", egress: tcx" : "",
			 ifc->tc_clsact ? ", egress: clsact" : "");
	}
	return 0;
}

/* One interval: swap, print its counts, add them to the totals. */
static int take_interval(struct ft_instance *inst, struct printer *p, struct ft_counts *interval,
			 struct ft_counts *total, const struct output_opts *oo, bool last)
{
	double t0 = now_mono();
	int err;

	interval->end = now_wall();
	err = last ? snapshot_take_current(inst, interval) : snapshot_take(inst, interval);
	if (err)
		return err;
	log_debug("swap and read: %.1f us, %zu entries", (now_mono() - t0) * 1e6,
		  interval->nr_entries);
	err = counts_merge(total, interval);
	if (err)
		return log_errno(err, "cannot keep the totals");
	output_record(p, inst, interval, "interval", oo);
	counts_reset(interval);
	interval->start = total->end;
	return 0;
}

static bool write_failed(const struct printer *p)
{
	return ferror(p->out);
}

int cmd_run(int argc, char **argv)
{
	struct ft_counts interval, total;
	struct ft_instance inst;
	struct output_opts oo;
	struct printer p = {};
	struct run_opts o;
	double deadline, end = 0;
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
	for (i = 0; i < o.nr_tables; i++) {
		if (o.tables[i].dirmask & ~o.dirmask) {
			log_err("run: table '%s' counts a direction --direction leaves out",
				o.tables[i].name);
			return 2;
		}
	}
	log_set_json(o.json);
	log_set_verbose(o.verbose);
	/* before the slow part: loading the programs */
	for (i = 0; i < o.nr_ifaces; i++) {
		if (!if_nametoindex(o.ifaces[i])) {
			log_err("no interface '%s' (see 'ip link')", o.ifaces[i]);
			return 1;
		}
	}
	oo.top = o.json ? 0 : o.top;
	counts_init(&interval);
	counts_init(&total);

	if (install_signals() || printer_init(&p, stdout, o.json)) {
		log_err("cannot set up signal handlers or output");
		return 1;
	}
	if (instance_open(&inst, o.dirmask, o.verbose))
		goto out;
	if (setup(&inst, &o))
		goto out;

	interval.start = total.start = now_wall();
	deadline = now_mono();
	if (o.duration > 0)
		end = deadline + o.duration;
	for (;;) {
		deadline += o.interval;
		if (end && deadline > end)
			deadline = end;
		sleep_until(deadline);
		if (stop_signal || (end && now_mono() >= end) || write_failed(&p))
			break;
		if (take_interval(&inst, &p, &interval, &total, &oo, false))
			goto out;
	}

	/* Off the interfaces first: once detached and synced, the generation
	 * being written holds the last frames, and nothing adds to it. */
	for (i = 0; i < inst.nr_ifaces; i++)
		detach_iface(&inst, &inst.ifaces[i]);
	if (take_interval(&inst, &p, &interval, &total, &oo, true))
		goto out;
	output_record(&p, &inst, &total, "final", &oo);
	ret = 0;
	if (stop_signal)
		log_info("stopped by %s", strsignal(stop_signal));
out:
	instance_close(&inst);
	printer_fini(&p);
	counts_free(&interval);
	counts_free(&total);
	return ret;
}
