// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flowtally top -i IFACE: like iftop or tcptop, the top entries of a table
 * by rate or totals, what was seen against what was classified, and a
 * sparkline of the total rate. Keys: p/b/r sort by packets, bytes or the
 * current rate; Tab the next table; space pauses the view (counting goes
 * on); q quits, as Ctrl-C does.
 */
#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "output.h"
#include "names.h"
#include "top.h"

#define SPARK_LEN 60

enum top_sort { SORT_RATE, SORT_BYTES, SORT_PACKETS };

struct top_row {
	const struct ft_entry *total;	/* since start */
	struct ft_value now;		/* last interval */
};

struct top_view {
	struct ft_counts interval;	/* a copy: redraws come between intervals */
	const struct ft_counts *total;
	const struct ft_catalog *cat;
	double bps[SPARK_LEN];		/* total bits/s of the last intervals */
	int nr_bps;
	enum top_sort sort;
	int table;			/* position among the tables and directions */
	bool paused;
};

static bool top_wanted(const struct export_opts *o)
{
	return o->top_view;
}

static int top_open(struct exporter *e, const struct export_opts *o, struct sink *out)
{
	struct top_view *v;

	(void)o;
	(void)out;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		log_err("top needs a terminal (use 'flowtally run' for a stream of records)");
		return -ENOTTY;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	counts_init(&v->interval);
	e->priv = v;
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mvprintw(0, 0, "flowtally top: waiting for the first interval ...");
	refresh();
	return 0;
}

/* The n-th (table, direction) the instance counts, as slot and direction. */
static bool nth_table(const struct ft_catalog *cat, int n, int *slot, int *dir)
{
	int s, d;

	for (s = 0; s < FT_MAX_TABLES; s++) {
		if (!cat->tables[s].used || cat->tables[s].removed)
			continue;
		for (d = 0; d < FT_DIRS; d++) {
			if (!(cat->tables[s].cfg.dirmask & FT_DIRMASK(d)))
				continue;
			if (n-- == 0) {
				*slot = s;
				*dir = d;
				return true;
			}
		}
	}
	return false;
}

static enum top_sort sort_order;

static int row_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	__u64 kx, ky;

	switch (sort_order) {
	case SORT_PACKETS:
		kx = x->total->val.packets;
		ky = y->total->val.packets;
		break;
	case SORT_BYTES:
		kx = x->total->val.bytes;
		ky = y->total->val.bytes;
		break;
	default:
		kx = x->now.bytes;
		ky = y->now.bytes;
	}
	if (kx != ky)
		return kx > ky ? -1 : 1;
	return memcmp(&x->total->key, &y->total->key, sizeof(x->total->key));
}

static void draw_key(int row, const struct ft_key *k, const struct table_spec *s)
{
	char buf[64], name[16];
	int col = 0;

	if (s->fields & FT_FIELD_BIT(FT_F_PROTO)) {
		mvprintw(row, col, "%-7s ", proto_name(k->proto, name, sizeof(name)));
		col += 8;
	}
	/* a port table keeps the service port in the key's dport */
	if (s->fields & (FT_FIELD_BIT(FT_F_DPORT) | FT_FIELD_BIT(FT_F_PORT))) {
		if (ft_key_is_icmp(k, s->fields))
			snprintf(buf, sizeof(buf), "%u/%u", k->dport >> 8, k->dport & 0xff);
		else
			snprintf(buf, sizeof(buf), "%u %s", k->dport,
				 service_name(k->proto, k->dport) ?: "");
		mvprintw(row, col, "%-22.22s", buf);
		col += 23;
	}
	if (s->fields & FT_FIELD_BIT(FT_F_SPORT)) {
		mvprintw(row, col, "%-6u", k->sport);
		col += 7;
	}
	if (s->fields & FT_FIELD_BIT(FT_F_VLAN)) {
		mvprintw(row, col, "vlan %-5u", k->vlan);
		col += 11;
	}
	if (s->fields & FT_FIELD_BIT(FT_F_VNI)) {
		mvprintw(row, col, "vni %-8u", ft_key_vni(k));
		col += 13;
	}
	if (s->fields & (FT_FIELD_BIT(FT_F_SADDR) | FT_FIELD_BIT(FT_F_DADDR)))
		mvprintw(row, col, "(addresses: see --json)");
}

static void draw_spark(struct top_view *v, int row)
{
	static const char levels[] = " .:-=+*#%@";
	double max = 0;
	int i;

	for (i = 0; i < v->nr_bps; i++)
		if (v->bps[i] > max)
			max = v->bps[i];
	mvprintw(row, 0, "rate ");
	for (i = 0; i < v->nr_bps; i++)
		addch(levels[max > 0 ? (int)(v->bps[i] / max * 9) : 0]);
}

/* The header and a line per direction: rates, seen, classified. Returns the
 * next row. */
static int draw_totals(const struct top_view *v, int row)
{
	const struct ft_counts *c = &v->interval;
	double secs = c->end > c->start ? c->end - c->start : 1;
	char r1[16], r2[16];
	int d;

	mvprintw(row++, 0, "flowtally top  sort: %s  [p]ackets [b]ytes [r]ate  Tab: table  "
		 "space: %s  q: quit",
		 v->sort == SORT_PACKETS ? "packets" : v->sort == SORT_BYTES ? "bytes" : "rate",
		 v->paused ? "resume" : "pause");
	for (d = 0; d < FT_DIRS; d++) {
		struct ft_value seen = {}, uncl = {};
		int s, r;

		if (!(v->cat->dirmask & FT_DIRMASK(d)))
			continue;
		counts_seen(c, d, &seen);
		for (r = 0; r < FT_UNCL_REASONS; r++) {
			value_add(&uncl, &c->removed[d][FT_CNT_UNCL(r)]);
			for (s = 0; s < (int)c->nr_iface; s++)
				value_add(&uncl, &c->iface[s][d][FT_CNT_UNCL(r)]);
		}
		mvprintw(row++, 0, "%-8s %9s pkt/s %9s bit/s   seen %llu  classified %llu  "
			 "unclassified %llu",
			 ft_dir_names[d], fmt_si(seen.packets / secs, r1, sizeof(r1)),
			 fmt_si(seen.bytes * 8.0 / secs, r2, sizeof(r2)),
			 (unsigned long long)seen.packets,
			 (unsigned long long)(seen.packets - uncl.packets),
			 (unsigned long long)uncl.packets);
	}
	return row;
}

/* The entries of one table and direction, in the chosen order, from `row`
 * to the bottom of the screen. */
static void draw_table(struct top_view *v, int row, int slot, int dir)
{
	const struct ft_counts *c = &v->interval;
	double secs = c->end > c->start ? c->end - c->start : 1;
	char r3[16], r4[16];
	struct top_row *rows;
	size_t i, n = 0;
	int maxy, maxx;

	getmaxyx(stdscr, maxy, maxx);
	(void)maxx;
	mvprintw(row++, 0, "table %s %s, overflow %llu", v->cat->tables[slot].spec.name,
		 ft_dir_names[dir],
		 (unsigned long long)c->table[slot][dir][FT_TBL_OVERFLOW].packets);
	attron(A_REVERSE);
	mvprintw(row++, 0, "%-38s %9s %9s %12s %14s", "KEY", "PKT/S", "BIT/S", "PACKETS",
		 "BYTES");
	attroff(A_REVERSE);

	rows = calloc(v->total->nr_entries + 1, sizeof(*rows));
	if (!rows)
		return;
	for (i = 0; i < v->total->nr_entries; i++) {
		const struct ft_entry *e = &v->total->entries[i];
		struct ft_entry *now;

		if (e->table != (__u32)slot || e->key.dir != dir)
			continue;
		rows[n].total = e;
		if (!counts_lookup(&v->interval, e->table, &e->key, &now) && now)
			rows[n].now = now->val;
		n++;
	}
	sort_order = v->sort;
	qsort(rows, n, sizeof(*rows), row_cmp);
	for (i = 0; i < n && row < maxy; i++, row++) {
		draw_key(row, &rows[i].total->key, &v->cat->tables[slot].spec);
		mvprintw(row, 39, "%9s %9s %12llu %14llu",
			 fmt_si(rows[i].now.packets / secs, r3, sizeof(r3)),
			 fmt_si(rows[i].now.bytes * 8.0 / secs, r4, sizeof(r4)),
			 (unsigned long long)rows[i].total->val.packets,
			 (unsigned long long)rows[i].total->val.bytes);
	}
	free(rows);
}

static void draw(struct top_view *v)
{
	int slot, dir, row;

	erase();
	row = draw_totals(v, 0);
	draw_spark(v, row++);
	row++;
	if (!nth_table(v->cat, v->table, &slot, &dir)) {
		v->table = 0;
		if (!nth_table(v->cat, 0, &slot, &dir)) {
			refresh();
			return;
		}
	}
	draw_table(v, row, slot, dir);
	refresh();
}

/* `spark`: a new interval, whose rate joins the sparkline. */
static int view_update(struct exporter *e, const struct ft_catalog *cat,
		       const struct ft_counts *interval, const struct ft_counts *total, bool spark)
{
	struct top_view *v = e->priv;
	double secs = interval->end > interval->start ? interval->end - interval->start : 1;
	struct ft_value sum = {};
	int d, err;

	v->cat = cat;
	v->total = total;
	for (d = 0; d < FT_DIRS; d++) {
		struct ft_value seen;

		counts_seen(interval, d, &seen);
		value_add(&sum, &seen);
	}
	if (spark && v->nr_bps == SPARK_LEN)
		memmove(v->bps, v->bps + 1, sizeof(v->bps) - sizeof(v->bps[0]));
	else if (spark)
		v->nr_bps++;
	if (spark)
		v->bps[v->nr_bps - 1] = sum.bytes * 8.0 / secs;
	if (v->paused)
		return 0;
	counts_reset(&v->interval);
	err = counts_merge(&v->interval, interval);
	v->interval.start = interval->start;
	v->interval.end = interval->end;
	if (!err)
		draw(v);
	return err;
}

static int top_interval(struct exporter *e, const struct ft_catalog *cat,
			const struct ft_counts *interval, const struct ft_counts *total)
{
	return view_update(e, cat, interval, total, true);
}

int top_view_update(struct exporter *e, const struct ft_catalog *cat,
		    const struct ft_counts *interval, const struct ft_counts *total,
		    bool new_interval)
{
	return view_update(e, cat, interval, total, new_interval);
}

bool top_view_paused(struct exporter *e)
{
	return ((struct top_view *)e->priv)->paused;
}

const char *top_view_shows(struct exporter *e, const struct ft_catalog *cat, int *slot, int *dir)
{
	struct top_view *v = e->priv;

	if (!nth_table(cat, v->table, slot, dir) && !nth_table(cat, 0, slot, dir))
		*slot = *dir = -1;
	return v->sort == SORT_PACKETS ? "packets" : v->sort == SORT_BYTES ? "bytes" : "rate";
}

static int top_input_fd(struct exporter *e)
{
	(void)e;
	return STDIN_FILENO;
}

static bool top_on_input(struct exporter *e)
{
	struct top_view *v = e->priv;
	int ch;

	while ((ch = getch()) != ERR) {
		switch (ch) {
		case 'q':
		case 'Q':
			return true;
		case 'p':
			v->sort = SORT_PACKETS;
			break;
		case 'b':
			v->sort = SORT_BYTES;
			break;
		case 'r':
			v->sort = SORT_RATE;
			break;
		case '\t':
			v->table++;
			break;
		case ' ':
			v->paused = !v->paused;
			break;
		}
	}
	if (v->cat)
		draw(v);
	return false;
}

static void top_close(struct exporter *e)
{
	struct top_view *v = e->priv;

	if (!v)
		return;
	endwin();
	counts_free(&v->interval);
	free(v);
	e->priv = NULL;
}

const struct exporter_ops top_exporter = {
	.name = "top",
	.wanted = top_wanted,
	.open = top_open,
	.interval = top_interval,
	.close = top_close,
	.input_fd = top_input_fd,
	.on_input = top_on_input,
};
