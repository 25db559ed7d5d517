// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flowtally top NAME: the full-screen view of an instance another process
 * runs (started by the unit or by hand, pinned or not), through its control
 * socket. The view only asks ("top ROWS SORT TABLE DIR", top_control.c) and
 * draws with top.c what `top -i` draws; `q` ends the view and nothing else:
 * the instance counts on, its records and totals untouched.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "ident.h"
#include "log.h"
#include "names.h"
#include "top.h"
#include "top_remote.h"

#define POLL_MS		250	/* keys are answered this fast */
#define ASK_EVERY_S	0.5	/* a new interval shows within this */
#define MAX_ROWS	500	/* what top_control answers at most */

struct remote {
	const char *name;
	struct ft_catalog cat;
	struct ft_counts interval, total;
	double end;		/* of the interval shown */
	int slot, dir;		/* what was asked for */
	char sort[16];
};

static volatile sig_atomic_t stop_view;

static void on_signal(int sig)
{
	(void)sig;
	stop_view = 1;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int screen_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_row)
		return 100;
	return ws.ws_row < MAX_ROWS ? ws.ws_row : MAX_ROWS;
}

static int hex_key(const char *hex, struct ft_key *k)
{
	unsigned char *b = (unsigned char *)k;
	size_t i;

	if (strlen(hex) != 2 * sizeof(*k))
		return -EINVAL;
	for (i = 0; i < sizeof(*k); i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		b[i] = (unsigned char)v;
	}
	return 0;
}

/* A direction's seen and unclassified, as the view reads them: the one
 * place this file writes interface counters (all in the first slot, the
 * view sums them). 0 or -ENOMEM. */
static int set_dir_totals(struct ft_counts *c, int dir, const struct ft_value *seen,
			  const struct ft_value *uncl)
{
	if (counts_iface_reserve(c, 1))
		return -ENOMEM;
	c->iface[0][dir][FT_CNT_SEEN] = *seen;
	c->iface[0][dir][FT_CNT_UNCL(0)] = *uncl;
	return 0;
}

/* One line of the answer into r. 0 or -EINVAL (an answer this view cannot
 * read: another version of flowtally). */
static int take_line(struct remote *r, char *line, int *shown_slot, int *shown_dir)
{
	unsigned long long a, b, c, d;
	char name[64], key[160], kind[8], hex[128], spec[256], err[128];
	unsigned int dm;
	struct ft_key k;
	int slot, dir;

	if (sscanf(line, "interval %lf %lf %u", &r->interval.start, &r->interval.end, &dm) == 3) {
		r->cat.dirmask = (__u8)dm;
		r->total.start = r->interval.start;
		r->total.end = r->interval.end;
		return 0;
	}
	if (sscanf(line, "seen %d %llu %llu %llu %llu", &dir, &a, &b, &c, &d) == 5) {
		if (dir < 0 || dir >= FT_DIRS)
			return -EINVAL;
		return set_dir_totals(&r->interval, dir, &(struct ft_value){ a, b },
				      &(struct ft_value){ c, d });
	}
	if (sscanf(line, "table %d %u %63s %159s %7s", &slot, &dm, name, key, kind) == 5) {
		struct ft_table *t;

		if (slot < 0 || slot >= FT_MAX_TABLES)
			return -EINVAL;
		t = &r->cat.tables[slot];
		snprintf(spec, sizeof(spec), "%s=%s%s", name, key, strcmp(kind, "lru") ? "" : ":lru");
		if (table_spec_parse(spec, &t->spec, err, sizeof(err)))
			return -EINVAL;
		t->used = true;
		t->cfg.dirmask = (__u8)dm;
		return 0;
	}
	if (sscanf(line, "show %d %d %llu %llu", &slot, &dir, &a, &b) == 4) {
		if (slot < 0 || slot >= FT_MAX_TABLES || dir < 0 || dir >= FT_DIRS)
			return -EINVAL;
		r->interval.table[slot][dir][FT_TBL_OVERFLOW] = (struct ft_value){ a, b };
		*shown_slot = slot;
		*shown_dir = dir;
		return 0;
	}
	if (sscanf(line, "entry %127s %llu %llu %llu %llu", hex, &a, &b, &c, &d) == 5) {
		struct ft_value now = { a, b }, total = { c, d };

		if (*shown_slot < 0 || hex_key(hex, &k) || k.dir != *shown_dir)
			return -EINVAL;
		if (counts_append(&r->total, (__u32)*shown_slot, &k, &total) ||
		    ((now.packets || now.bytes) &&
		     counts_append(&r->interval, (__u32)*shown_slot, &k, &now)))
			return -ENOMEM;
		return 0;
	}
	return -EINVAL;
}

/* While an answer is awaited: a signal that ends the view, or 'q', ends the
 * wait too; other keys are taken as they come. */
static bool give_up(void *arg)
{
	struct exporter *view = arg;

	return stop_view || (view && view->ops->on_input(view));
}

/* Asks the instance for what the view shows now. The exit status (0, 1, 2),
 * the reason in err; -ECANCELED when the view ends meanwhile. */
static int ask(struct remote *r, struct exporter *view, char *err, size_t errlen)
{
	struct control_wait w = { .fd = view ? STDIN_FILENO : -1, .give_up = give_up,
				  .arg = view };
	char request[160], *answer = NULL, *line, *save = NULL;
	int slot = -1, dir = -1, status;
	size_t len = 0;
	FILE *f;

	if (view) {
		snprintf(r->sort, sizeof(r->sort), "%s",
			 top_view_shows(view, &r->cat, &r->slot, &r->dir));
	}
	if (r->slot >= 0)
		snprintf(request, sizeof(request), "top %d %s %s %s", screen_rows(), r->sort,
			 r->cat.tables[r->slot].spec.name, ft_dir_names[r->dir]);
	else
		snprintf(request, sizeof(request), "top %d %s", screen_rows(), r->sort);
	f = open_memstream(&answer, &len);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return 1;
	}
	status = control_query_wait(r->name, request, f, &w, err, errlen);
	if (fclose(f) && !status) {
		snprintf(err, errlen, "out of memory");
		status = 1;
	}
	if (status)
		goto out;
	memset(&r->cat, 0, sizeof(r->cat));
	counts_reset(&r->interval);
	counts_reset(&r->total);
	for (line = strtok_r(answer, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (take_line(r, line, &slot, &dir)) {
			snprintf(err, errlen, "instance '%s' answered what this flowtally cannot "
				 "read: '%.60s' (the same version on both sides?)",
				 r->name, line);
			status = 1;
			goto out;
		}
	}
	r->slot = slot;
	r->dir = dir;
out:
	free(answer);
	return status;
}

/* After a failed request: whether the instance stopped. One that is
 * stopping may still hold its name a moment: asks again for up to 1 s. */
static bool instance_gone(const char *name)
{
	struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };
	int i;

	for (i = 0; i < 20; i++) {
		if (control_instance_running(name) == 0)
			return true;
		nanosleep(&pause, NULL);
	}
	return false;
}

static int view_loop(struct remote *r, struct exporter *view, char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	double asked = mono_now();
	int status, slot, dir;

	while (!stop_view) {
		bool changed;

		if (poll(&pfd, 1, POLL_MS) > 0 && view->ops->on_input(view))
			return 0;
		changed = strcmp(top_view_shows(view, &r->cat, &slot, &dir), r->sort) ||
			  slot != r->slot || dir != r->dir;
		/* paused, only another table or order is worth asking for */
		if (!changed && (top_view_paused(view) || mono_now() - asked < ASK_EVERY_S))
			continue;
		status = ask(r, view, err, errlen);
		if (status == -ECANCELED)
			return 0;
		if (status && instance_gone(r->name))
			snprintf(err, errlen, "instance '%s' stopped: the view ends with it", r->name);
		if (status)
			return status;
		asked = mono_now();
		if (r->interval.end != r->end || changed) {
			if (top_view_update(view, &r->cat, &r->interval, &r->total,
					    r->interval.end != r->end)) {
				snprintf(err, errlen, "out of memory");
				return 1;
			}
			r->end = r->interval.end;
		}
	}
	return 0;
}

int top_remote_main(const char *name)
{
	struct export_opts eo = { .top_view = true };
	struct exporter view = { .ops = &top_exporter };
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct remote r = { .name = name, .slot = -1, .sort = "rate" };
	char err[512];
	int status, running;

	if (!valid_instance_name(name)) {
		log_err("top: instance name '%s' invalid (" FT_INSTANCE_NAME_RULE ")", name);
		return 2;
	}
	running = control_instance_running(name);
	if (running == -EACCES || running == -EPERM) {
		log_err("top: permission denied looking for instance '%s': run as root or as the "
			"user it runs as", name);
		return 1;
	}
	if (running <= 0) {
		log_err("top: no instance named '%s' runs here (see 'flowtally status'; a pinned "
			"one without its process: 'flowtally dump %s')", name, name);
		return 1;
	}
	counts_init(&r.interval);
	counts_init(&r.total);
	/* a first answer before the screen is taken: errors stay one line */
	status = ask(&r, NULL, err, sizeof(err));
	if (status) {
		log_err("top: %s", err);
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	/* a write to a closed socket or terminal is an error to report once
	 * the terminal is back, not a death that leaves it raw */
	signal(SIGPIPE, SIG_IGN);
	if (view.ops->open(&view, &eo, NULL)) {
		status = 1;
		goto out;
	}
	if (!top_view_update(&view, &r.cat, &r.interval, &r.total, true)) {
		r.end = r.interval.end;
		status = view_loop(&r, &view, err, sizeof(err));
	} else {
		snprintf(err, sizeof(err), "out of memory");
		status = 1;
	}
	view.ops->close(&view);	/* the terminal is back: now a message can be read */
	if (status)
		log_err("top: %s", err);
out:
	counts_free(&r.interval);
	counts_free(&r.total);
	return status;
}
