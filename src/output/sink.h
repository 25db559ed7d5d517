/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where records go: stdout or the --output file. The printer and the CSV
 * exporter write a record into memory (sink.f); sink_flush() then writes it
 * whole, retrying short writes, and says when it could not: a full disk, a
 * closed pipe or any other write error is reported once, never ignored.
 * A record that fails on a regular file is cut off again (ftruncate), so
 * the file ends with a whole record.
 */
#ifndef FT_SINK_H
#define FT_SINK_H

#include <stdbool.h>
#include <stdio.h>

struct sink {
	FILE *f;		/* the record being written (memory) */
	char *buf;
	size_t len;
	int fd;			/* stdout or the --output file */
	const char *path;	/* --output, NULL: stdout */
	bool has_content;	/* a regular file that had data when opened */
	int err;		/* the first write error, -errno; 0: none */
};

/* Opens `path` (append, created 0644, never through a symlink), or stdout
 * when NULL. 0 or -errno (message printed). */
int sink_open(struct sink *s, const char *path);
/* After logrotate moved the file: the same path, a new file. 0 or -errno
 * (message printed; the old file stays in use). */
int sink_reopen(struct sink *s);
/* Writes what sink.f holds and empties it. 0 or the (first) error, -errno,
 * whose message is printed once; after an error it writes nothing more. */
int sink_flush(struct sink *s);
/* After poll() with events 0 on sink.fd: a reader that went away (POLLERR
 * on a pipe, POLLHUP on a socket) is a write error before any write. */
int sink_check_revents(struct sink *s, short revents);
/* "stdout" or the file name. */
const char *sink_name(const struct sink *s);
void sink_close(struct sink *s);

#endif
