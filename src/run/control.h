/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control socket of a running instance, /run/flowtally/NAME.sock: one
 * request line per connection ("add SPEC", "del NAME", "resize NAME SIZE",
 * "list", "top ROWS SORT [TABLE DIR]", "stop"), answered with text lines and a last line "ok" or
 * "error N MSG", N being the exit status the client should return.
 *
 * The run loop polls the socket and its clients with everything else and
 * never waits on one: a client has CONTROL_DEADLINE_S to send its line and
 * read the answer, at most CONTROL_MAX_CLIENTS are served at once, and only
 * root or the user the instance runs as is answered (SO_PEERCRED).
 *
 * /run/flowtally/NAME.lock, flock()ed for the life of the process, is what
 * makes a name taken: a second instance of the name is refused by the lock,
 * whatever state the socket is in.
 */
#ifndef FT_CONTROL_H
#define FT_CONTROL_H

#include <linux/types.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <sys/types.h>

#define FT_RUN_DIR "/run/flowtally"
#define CONTROL_MAX_CLIENTS 8
#define CONTROL_REQUEST_MAX 512
#define CONTROL_DEADLINE_S 2.0
#define CONTROL_CLIENT_WAIT_S 30	/* how long a client waits for an answer */

/* Handles one request; writes result lines to `reply`. Returns 0, or the
 * exit status (1 runtime, 2 usage) with the message in err. */
typedef int (*control_handler)(void *ctx, const char *verb, const char *arg, FILE *reply,
			       char *err, size_t errlen);

struct control_client {
	int fd;			/* -1: free */
	double deadline;	/* monotonic seconds: closed then, answered or not */
	char in[CONTROL_REQUEST_MAX];
	size_t in_len;
	char *out;		/* the answer, being sent */
	size_t out_len, out_off;
};

struct control {
	int fd;			/* listening socket, -1: none */
	int lock_fd;		/* NAME.lock, locked; -1: none */
	uid_t owner;		/* the user besides root who may talk to it */
	char path[108];
	char lock_path[108];
	struct control_client clients[CONTROL_MAX_CLIENTS];
};

/* Before control_open or control_close: nothing open. */
void control_init(struct control *c);
/* Takes the name (its lock file) and listens on FT_RUN_DIR/name.sock;
 * refuses when another instance holds the name. 0 or -errno (message
 * printed). */
int control_open(struct control *c, const char *name);
/* Only takes the name (its lock file), for work on an instance that no
 * process runs ('flowtally stop'); control_close gives it back. 0, -EEXIST
 * when an instance holds it, or -errno (message printed). */
int control_take_name(struct control *c, const char *name);
/* The fds to poll: the listening socket and every client. Returns how many
 * of `max` it filled. */
int control_pollfds(const struct control *c, struct pollfd *pfd, int max);
/* The earliest client deadline (monotonic seconds), 0 when none. */
double control_deadline(const struct control *c);
/* After poll(): accepts, reads, answers and closes what is ready, and drops
 * clients past their deadline. Never blocks. */
void control_process(struct control *c, const struct pollfd *pfd, int n, control_handler handler,
		     void *ctx);
void control_close(struct control *c);

/* Whether an instance of that name runs here: 1, 0, or -errno (-EACCES:
 * this user may not know). */
int control_instance_running(const char *name);

/* Client: sends `request` to the instance `name` (NULL: the only one
 * running) and copies its answer to stdout/stderr. Returns the exit status. */
int control_request(const char *name, const char *request);
/* Client, quietly: sends `request` to instance `name` and copies the lines of
 * its answer (all but the last) to `out`. Returns the exit status (0, 1
 * runtime, 2 usage), with the reason in err when not 0. */
int control_query(const char *name, const char *request, FILE *out, char *err, size_t errlen);
/* What a client waits on besides the answer: `fd` (top's keyboard, -1:
 * none) and signals; after either, give_up(arg) says whether to stop. */
struct control_wait {
	int fd;
	bool (*give_up)(void *arg);
	void *arg;
};
/* control_query, but -ECANCELED when w->give_up said so. */
int control_query_wait(const char *name, const char *request, FILE *out,
		       const struct control_wait *w, char *err, size_t errlen);

/* A table size in a request, "resize TABLE SIZE": decimal digits only (no
 * sign, space, hex or exponent), 1 to FT_TABLE_MAX_SIZE. 0 or -EINVAL;
 * `size` may be NULL (a check only). */
int parse_table_size(const char *text, __u32 *size);

#endif
