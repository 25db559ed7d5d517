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
#include "ident.h"
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
		log_err("table: size '%s' out of range (1-%u)", args[1], FT_TABLE_MAX_SIZE);
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
