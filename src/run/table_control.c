// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The running instance's side of `flowtally table`: the control socket's
 * requests, parsed, checked and done between two intervals, so that a table
 * changes without a reload and without losing a count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ident.h"
#include "run.h"
#include "tables.h"

static int reply_error(char *err, size_t errlen, int status, const char *fmt, const char *what)
{
	snprintf(err, errlen, fmt, what);
	return status;
}

static void list_tables(const struct run_state *st, FILE *reply)
{
	char key[128];
	int slot;

	fprintf(reply, "%-16s %-32s %-12s %-5s %10s %6s\n", "TABLE", "KEY", "DIRECTION", "KIND",
		"SIZE", "IDLE");
	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		const struct ft_table *t = &st->inst.cat.tables[slot];
		__u8 dm = t->cfg.dirmask;

		if (!t->used || t->removed)
			continue;
		table_spec_key_text(&t->spec, key, sizeof(key));
		fprintf(reply, "%-16s %-32s %-12s %-5s %10u %5us\n", t->spec.name, key,
			dm == (FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS)) ? "both"
			: ft_dir_names[dm & FT_DIRMASK(FT_DIR_EGRESS) ? 1 : 0],
			t->spec.lru ? "lru" : "hash", t->spec.size, t->spec.idle);
	}
}

/* "ifaces": what the running instance is attached to, with which hooks
 * (flowtally status NAME of an instance that is not pinned). */
static void list_ifaces(const struct run_state *st, FILE *reply)
{
	const struct ft_catalog *cat = &st->inst.cat;
	int i;

	fprintf(reply, "%s: running, not pinned\n  interfaces: %d attached, %u slots\n",
		st->o->name, catalog_live_ifaces(cat), cat->max_ifaces);
	catalog_for_each_iface(cat, i) {
		const struct ft_iface *ifc = &cat->ifaces[i];
		const struct ft_iface_links *lk = &st->inst.links[i];
		bool in = lk->xdp_link_fd >= 0 || lk->tc_in_link_fd >= 0;
		bool eg = lk->tc_link_fd >= 0 || ifc->tc_clsact;
		char line[160];
		size_t n;

		snprintf(line, sizeof(line), "    %-15s ifindex %-5u ingress %-11s egress %-7s%s%s",
			 ifc->name, ifc->ifindex,
			 !ifc->gone && in ? hook_name(ifc->ingress_hook) : "-",
			 ifc->gone || !eg ? "-" : ifc->tc_clsact ? "clsact" : "tcx",
			 ifc->followed ? " (pattern)" : "", ifc->gone ? " (gone, counts kept)" : "");
		for (n = strlen(line); n && line[n - 1] == ' '; n--)
			line[n - 1] = '\0';
		fprintf(reply, "%s\n", line);
	}
}

static int add_table(struct run_state *st, const char *arg, FILE *reply, char *err,
		     size_t errlen)
{
	struct table_spec spec;
	int slot;

	if (table_spec_parse(arg, &spec, err, errlen))
		return 2;
	if (spec.dirmask & ~st->inst.cat.dirmask)
		return reply_error(err, errlen, 2,
				   "table '%s' counts a direction this instance does not",
				   spec.name);
	if (tables_find(&st->inst, spec.name) >= 0)
		return reply_error(err, errlen, 2, "table '%s' exists already", spec.name);
	if (!spec.idle_given)
		spec.idle = st->o->idle;
	slot = tables_add(&st->inst, &spec);
	if (slot < 0)
		return reply_error(err, errlen, 1, "%s", log_last_error());
	/* a reused slot: the removed table's counts were in their last record */
	counts_drop_table(&st->total, (__u32)slot);
	counts_drop_table(&st->interval, (__u32)slot);
	counts_drop_table(&st->last, (__u32)slot);
	st->counts_gen++;
	counts_reset(&st->scratch);
	if (run_keep_drained(st))	/* a pinned instance's state names the table */
		return reply_error(err, errlen, 1, "table '%s' added but not saved", spec.name);
	fprintf(reply, "added table %s\n", spec.name);
	return 0;
}

static int del_table(struct run_state *st, const char *arg, FILE *reply, char *err,
		     size_t errlen)
{
	int slot = tables_find(&st->inst, arg), ret;

	if (slot < 0)
		return reply_error(err, errlen, 2, "no table '%s' (see 'flowtally table list')",
				   arg);
	counts_reset(&st->scratch);
	ret = tables_del(&st->inst, slot, &st->scratch);
	/* what was read is kept, whether or not the removal went through */
	if (run_keep_drained(st) && !ret)
		ret = -EIO;
	if (ret)
		return reply_error(err, errlen, 1, "%s", log_last_error());
	fprintf(reply, "removed table %s\n", arg);
	return 0;
}

static int resize_table(struct run_state *st, const char *arg, FILE *reply, char *err,
			size_t errlen)
{
	const char *sp = strchr(arg, ' ');
	char name[FT_TABLE_NAME_MAX];
	__u32 size;
	int slot, ret;

	/* exactly "TABLE SIZE": one space, a table name, a decimal size */
	if (!sp || (size_t)(sp - arg) >= sizeof(name))
		return reply_error(err, errlen, 2, "%s", "resize needs a table and a size");
	snprintf(name, sizeof(name), "%.*s", (int)(sp - arg), arg);
	if (!valid_table_name(name))
		return reply_error(err, errlen, 2, "table name '%s' invalid (" FT_TABLE_NAME_RULE ")",
				   name);
	slot = tables_find(&st->inst, name);
	if (slot < 0)
		return reply_error(err, errlen, 2, "no table '%s' (see 'flowtally table list')",
				   name);
	if (parse_table_size(sp + 1, &size)) {
		snprintf(err, errlen, "size '%s' out of range (1-%u)", sp + 1, FT_TABLE_MAX_SIZE);
		return 2;
	}
	counts_reset(&st->scratch);
	ret = tables_resize(&st->inst, slot, size, &st->scratch);
	if (run_keep_drained(st) && !ret)
		ret = -EIO;
	if (ret)
		return reply_error(err, errlen, 1, "%s", log_last_error());
	fprintf(reply, "resized table %s to %u keys\n", name, size);
	return 0;
}

int table_control(void *ctx, const char *verb, const char *arg, FILE *reply, char *err,
		  size_t errlen)
{
	struct run_state *st = ctx;

	if (!strcmp(verb, "list")) {
		list_tables(st, reply);
		return 0;
	}
	if (!strcmp(verb, "ifaces")) {
		list_ifaces(st, reply);
		return 0;
	}
	if (!strcmp(verb, "add"))
		return add_table(st, arg, reply, err, errlen);
	if (!strcmp(verb, "del"))
		return del_table(st, arg, reply, err, errlen);
	if (!strcmp(verb, "resize"))
		return resize_table(st, arg, reply, err, errlen);
	if (!strcmp(verb, "top"))
		return top_control(st, arg, reply, err, errlen);
	if (!strcmp(verb, "stop")) {	/* flowtally stop NAME: a clean exit, no --keep */
		st->stop_requested = true;
		fprintf(reply, "stopping\n");
		return 0;
	}
	return reply_error(err, errlen, 2, "unknown request '%s'", verb);
}
