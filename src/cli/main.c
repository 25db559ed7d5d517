// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flowtally: exact per-port and per-flow traffic counts from XDP and tcx. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: flowtally COMMAND [OPTIONS]\n"
		   "\n"
		   "Commands:\n"
		   "  run -i IFACE ...   count what IFACE receives and transmits (see run --help)\n"
		   "  top -i IFACE ...   the same counting, as a live full-screen view\n"
		   "  table list|add|del|resize ...\n"
		   "                     change the tables of a running instance\n"
		   "  status [NAME]      pinned instances: interfaces, tables, totals, process\n"
		   "  dump NAME          current counts of a pinned instance, no process needed\n"
		   "  stop NAME          detach and unpin an instance (running or not)\n"
		   "  version            print the version\n"
		   "  help               this text\n"
		   "\n"
		   "Exit status: 0 done, 1 runtime error, 2 usage error.\n");
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
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		log_err("no command given (see 'flowtally help')");
		return 2;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "top"))
		return cmd_top(argc - 1, argv + 1);
	if (!strcmp(cmd, "table"))
		return cmd_table(argc - 1, argv + 1);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(cmd, "stop"))
		return cmd_stop(argc - 1, argv + 1);
	if (!strcmp(cmd, "dump"))
		return cmd_dump(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("flowtally %s\n", FT_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	log_err("unknown command '%s' (see 'flowtally help')", cmd);
	return 2;
}

int main(int argc, char **argv)
{
	return stdout_written(dispatch(argc, argv));
}
