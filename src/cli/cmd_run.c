// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flowtally run and flowtally top: the command line; the run itself is run/. */
#include <stdbool.h>
#include <stdio.h>

#include "commands.h"
#include "log.h"
#include "options.h"
#include "run.h"
#include "top_remote.h"

static int run_command(int argc, char **argv, bool top)
{
	struct run_opts o;
	char err_msg[256];
	int err;

	err = run_opts_parse(argc, argv, &o, err_msg, sizeof(err_msg));
	if (err == OPTS_HELP) {
		run_usage(stdout, top);
		return 0;
	}
	if (err < 0) {
		log_err("%s: %s%s (see 'flowtally %s --help')", top ? "top" : "run", err_msg,
			top && !o.nr_ifaces ? ", or name a running instance: flowtally top NAME" : "",
			top ? "top" : "run");
		return 2;
	}
	if (top && (o.json || o.csv || o.output)) {
		log_err("top: --json, --csv and --output are for 'flowtally run'");
		return 2;
	}
	o.top_view = top;
	/* top is a view: its 'q' (or Ctrl-C) never removes a pinned instance;
	 * 'flowtally stop NAME' does */
	if (top && o.pin)
		o.keep = true;
	log_set_quiet(top);
	log_set_json(o.json);
	log_set_verbose(o.verbose);
	return run_main(&o);
}

int cmd_run(int argc, char **argv)
{
	return run_command(argc, argv, false);
}

/* 'top NAME' views a running instance; 'top -i IFACE ...' counts itself. */
int cmd_top(int argc, char **argv)
{
	if (argc == 2 && argv[1][0] != '-') {
		log_set_quiet(true);
		return top_remote_main(argv[1]);
	}
	return run_command(argc, argv, true);
}
