/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control socket of a running instance, /run/flowtally/NAME.sock: one
 * request line per connection ("add SPEC", "del NAME", "resize NAME SIZE",
 * "list"), answered with text lines and a last line "ok" or "error N MSG",
 * N being the exit status the client should return.
 */
#ifndef FT_CONTROL_H
#define FT_CONTROL_H

#include <stdio.h>

#define FT_RUN_DIR "/run/flowtally"

/* Handles one request; writes result lines to `reply`. Returns 0, or the
 * exit status (1 runtime, 2 usage) with the message in err. */
typedef int (*control_handler)(void *ctx, const char *verb, const char *arg, FILE *reply,
			       char *err, size_t errlen);

struct control {
	int fd;			/* listening socket, -1: none */
	char path[108];
};

/* Listens on FT_RUN_DIR/name.sock; refuses when another instance of that
 * name answers there. 0 or -errno (message printed). */
int control_open(struct control *c, const char *name);
/* Serves one pending connection, if any. */
void control_serve(struct control *c, control_handler handler, void *ctx);
void control_close(struct control *c);

/* Client: sends `request` to the instance `name` (NULL: the only one
 * running) and copies its answer to stdout/stderr. Returns the exit status. */
int control_request(const char *name, const char *request);

#endif
