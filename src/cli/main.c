// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flowtally: exact per-port and per-flow traffic counts from XDP and tcx. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"

static int cmd_version(int argc, char **argv)
{
	(void)argc, (void)argv;
	printf("flowtally %s\n", FT_VERSION);
	return 0;
}

static int cmd_help(int argc, char **argv);

/* The commands, as bpftool's cmd tables: dispatch and 'flowtally help' are
 * both made from this. `alias` are other spellings (--version, -h). */
static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;	/* the command line in help, NULL: the name */
	const char *help;
	const char *alias[2];
} cmds[] = {
	{ .name = "run", .fn = cmd_run, .usage = "run -i IFACE ...",
	  .help = "count what IFACE receives and transmits (see run --help)" },
	{ .name = "top", .fn = cmd_top, .usage = "top NAME | -i IFACE ...",
	  .help = "a running instance, or the same counting, as a live view" },
	{ .name = "table", .fn = cmd_table, .usage = "table list|add|del|resize ...",
	  .help = "change the tables of a running instance" },
	{ .name = "status", .fn = cmd_status, .usage = "status [NAME]",
	  .help = "pinned instances: interfaces, tables, totals, process" },
	{ .name = "dump", .fn = cmd_dump, .usage = "dump NAME",
	  .help = "current counts of a pinned instance, no process needed" },
	{ .name = "stop", .fn = cmd_stop, .usage = "stop NAME",
	  .help = "detach and unpin an instance (running or not)" },
	{ .name = "version", .fn = cmd_version, .help = "print the version",
	  .alias = { "--version", "-V" } },
	{ .name = "help", .fn = cmd_help, .help = "this text", .alias = { "--help", "-h" } },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))
#define CMD_HELP_COLUMN 21

static const struct cmd *cmd_find(const char *name);

/* 'flowtally help' lists the commands; 'flowtally help CMD' is CMD --help. */
static int cmd_help(int argc, char **argv)
{
	const struct cmd *c;
	size_t i;

	if (argc > 2) {
		log_err("help: one command at most (see 'flowtally help')");
		return 2;
	}
	if (argc == 2) {
		char *help_argv[] = { argv[1], "--help", NULL };

		c = cmd_find(argv[1]);
		if (!c) {
			log_err("help: unknown command '%s' (see 'flowtally help')", argv[1]);
			return 2;
		}
		if (c->fn != cmd_help)
			return c->fn(2, help_argv);
	}
	printf("Usage: flowtally COMMAND [OPTIONS]\n\nCommands:\n");
	for (i = 0; i < NR_CMDS; i++) {
		const char *u = cmds[i].usage ? cmds[i].usage : cmds[i].name;
		int len = printf("  %s", u);

		if (len >= CMD_HELP_COLUMN - 1)
			len = printf("\n") - 1;
		printf("%*s%s\n", CMD_HELP_COLUMN - len, "", cmds[i].help);
	}
	printf("\nExit status: 0 done, 1 runtime error, 2 usage error.\n");
	return 0;
}

static const struct cmd *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_CMDS; i++)
		if (!strcmp(name, cmds[i].name) ||
		    (cmds[i].alias[0] && !strcmp(name, cmds[i].alias[0])) ||
		    (cmds[i].alias[1] && !strcmp(name, cmds[i].alias[1])))
			return &cmds[i];
	return NULL;
}

/* What a command printed on stdout and could not write is an error too:
 * 'flowtally status >/dev/full' must not exit 0. */
static int stdout_written(int ret)
{
	int err = fflush(stdout) ? errno : 0;

	if (!err && !ferror(stdout))
		return ret;
	log_err("cannot write to stdout: %s", strerror(err ? err : EIO));
	return ret ? ret : 1;
}

static int dispatch(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		log_err("no command given (see 'flowtally help')");
		return 2;
	}
	c = cmd_find(argv[1]);
	if (!c) {
		log_err("unknown command '%s' (see 'flowtally help')", argv[1]);
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	return stdout_written(dispatch(argc, argv));
}
