// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flowtally table list|add|del|resize: changing the tables of a running
 * instance through its control socket. The client side only forwards; the
 * instance (table_control) parses, checks and does the work between two
 * intervals, so the table changes without a reload and without losing a
 * count.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "control.h"
#include "log.h"
#include "output.h"
#include "run.h"
#include "tables.h"

static void table_usage(FILE *f)
{
	fprintf(f,
		"Usage: flowtally table [--name NAME] list\n"
		"       flowtally table [--name NAME] add "
		"'NAME=FIELD[,FIELD...][:size=N][:lru][:dir=DIR][:idle=S]'\n"
		"       flowtally table [--name NAME] del TABLE\n"
		"       flowtally table [--name NAME] resize TABLE SIZE\n"
		"\n"
		"Changes the tables of a running 'flowtally run' (the instance NAME, by\n"
		"default the only one running) while it counts: no reload, no count lost.\n"
		"A new table counts from the next frame; a removed one shows its last counts\n"
		"in the next record and in the final one; a resized one keeps its totals.\n");
}

int cmd_table(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *name = NULL, *verb;
	char request[512];
	int c, want;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hN:", longopts, NULL)) != -1) {
		switch (c) {
		case 'N':
			name = optarg;
			break;
		case 'h':
			table_usage(stdout);
			return 0;
		default:
			log_err("table: unknown option '%s' (see 'flowtally table --help')",
				argv[optind - 1]);
			return 2;
		}
	}
	verb = optind < argc ? argv[optind] : NULL;
	want = !verb ? -1 : !strcmp(verb, "list") ? 0 : !strcmp(verb, "resize") ? 2
		: (!strcmp(verb, "add") || !strcmp(verb, "del")) ? 1 : -1;
	if (want < 0 || argc - optind - 1 != want) {
		log_err("table: %s (see 'flowtally table --help')",
			want < 0 ? "expected list, add, del or resize" : "wrong number of arguments");
		return 2;
	}
	snprintf(request, sizeof(request), "%s%s%s%s%s", verb, want > 0 ? " " : "",
		 want > 0 ? argv[optind + 1] : "", want > 1 ? " " : "",
		 want > 1 ? argv[optind + 2] : "");
	return control_request(name, request);
}

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
		const struct ft_table *t = &st->inst.tables[slot];
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

static int add_table(struct run_state *st, const char *arg, FILE *reply, char *err,
		     size_t errlen)
{
	struct table_spec spec;
	int slot;

	if (table_spec_parse(arg, &spec, err, errlen))
		return 2;
	if (spec.dirmask & ~st->inst.dirmask)
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
	if (!ret)
		ret = run_keep_drained(st);
	if (ret)
		return reply_error(err, errlen, 1, "%s", log_last_error());
	fprintf(reply, "removed table %s\n", arg);
	return 0;
}

static int resize_table(struct run_state *st, const char *arg, FILE *reply, char *err,
			size_t errlen)
{
	char name[FT_TABLE_NAME_MAX], *end;
	unsigned long size;
	int slot, ret;

	if (sscanf(arg, "%31s", name) != 1)
		return reply_error(err, errlen, 2, "%s", "resize needs a table and a size");
	slot = tables_find(&st->inst, name);
	if (slot < 0)
		return reply_error(err, errlen, 2, "no table '%s' (see 'flowtally table list')",
				   name);
	arg += strlen(name) + strspn(arg + strlen(name), " ");
	errno = 0;
	size = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || !size || size > FT_TABLE_MAX_SIZE)
		return reply_error(err, errlen, 2, "size '%s' out of range (1-16777216)", arg);
	counts_reset(&st->scratch);
	ret = tables_resize(&st->inst, slot, (__u32)size, &st->scratch);
	if (!ret)
		ret = run_keep_drained(st);
	if (ret)
		return reply_error(err, errlen, 1, "%s", log_last_error());
	fprintf(reply, "resized table %s to %lu keys\n", name, size);
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
	if (!strcmp(verb, "add"))
		return add_table(st, arg, reply, err, errlen);
	if (!strcmp(verb, "del"))
		return del_table(st, arg, reply, err, errlen);
	if (!strcmp(verb, "resize"))
		return resize_table(st, arg, reply, err, errlen);
	if (!strcmp(verb, "stop")) {	/* flowtally stop NAME: a clean exit, no --keep */
		st->stop_requested = true;
		fprintf(reply, "stopping\n");
		return 0;
	}
	return reply_error(err, errlen, 2, "unknown request '%s'", verb);
}
