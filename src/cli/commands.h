/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Subcommands: each returns the exit status (0, 1 runtime, 2 usage). */
#ifndef FT_COMMANDS_H
#define FT_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_dump(int argc, char **argv);

#endif
