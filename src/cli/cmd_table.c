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
#include "names.h"
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

/* Decimal digits only: no sign, no space, no hex, no exponent. */
static int parse_table_size(const char *text, __u32 *size)
{
	unsigned long n = 0;
	const char *p;

	if (!*text || strlen(text) > 8)
		return -EINVAL;
	for (p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (!n || n > FT_TABLE_MAX_SIZE)
		return -EINVAL;
	if (size)
		*size = (__u32)n;
	return 0;
}

/* The client checks what it can before it asks: a usage error is exit 2
 * here, and a request is always one line of names and numbers. */
static int check_table_args(const char *name, const char *verb, char **args, int n)
{
	struct table_spec spec;
	char err[256];
	int i;

	if (name && !valid_instance_name(name)) {
		log_err("table: instance name '%s' invalid (" FT_INSTANCE_NAME_RULE ")", name);
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (has_control_char(args[i]) || strlen(args[i]) >= CONTROL_REQUEST_MAX - 16) {
			log_err("table: argument '%.40s' invalid (no control characters, at most "
				"%d characters)",
				args[i], CONTROL_REQUEST_MAX - 17);
			return 2;
		}
	}
	if (!strcmp(verb, "add") && table_spec_parse(args[0], &spec, err, sizeof(err))) {
		log_err("table: %s (see 'flowtally table --help')", err);
		return 2;
	}
	if ((!strcmp(verb, "del") || !strcmp(verb, "resize")) && !valid_table_name(args[0])) {
		log_err("table: table name '%s' invalid (" FT_TABLE_NAME_RULE ")", args[0]);
		return 2;
	}
	if (!strcmp(verb, "resize") && parse_table_size(args[1], NULL)) {
		log_err("table: size '%s' out of range (1-16777216)", args[1]);
		return 2;
	}
	return 0;
}

int cmd_table(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *name = NULL, *verb;
	char request[CONTROL_REQUEST_MAX];
	int c, want, err;

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
	err = check_table_args(name, verb, argv + optind + 1, want);
	if (err)
		return err;
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
	if (parse_table_size(sp + 1, &size))
		return reply_error(err, errlen, 2, "size '%s' out of range (1-16777216)", sp + 1);
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
