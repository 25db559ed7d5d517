// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sink.h"

#define SINK_FLAGS (O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)

const char *sink_name(const struct sink *s)
{
	return s->path ? s->path : "stdout";
}

static int open_file(const char *path)
{
	int fd = open(path, SINK_FLAGS, 0644);

	if (fd >= 0)
		return fd;
	if (errno == ELOOP)
		log_err("--output %s is a symbolic link: flowtally does not write through one "
			"(give the file it points to)",
			path);
	else
		log_errno(-errno, "cannot open %s for writing", path);
	return -errno;
}

int sink_open(struct sink *s, const char *path)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->fd = STDOUT_FILENO;
	s->path = path;
	if (path) {
		s->fd = open_file(path);
		if (s->fd < 0)
			return s->fd;
	} else if (fcntl(STDOUT_FILENO, F_GETFL) < 0) {
		/* else the first file flowtally opens becomes fd 1, records and all */
		log_err("stdout is closed: give --output FILE or a stdout to write to");
		return -EBADF;
	}
	s->has_content = !fstat(s->fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0;
	s->f = open_memstream(&s->buf, &s->len);
	if (!s->f)
		return log_errno(-errno, "cannot allocate the record buffer");
	return 0;
}

int sink_reopen(struct sink *s)
{
	int fd;

	if (!s->path)
		return 0;
	fd = open_file(s->path);
	if (fd < 0)
		return fd;
	close(s->fd);
	s->fd = fd;
	return 0;
}

static void say_write_error(struct sink *s, int err)
{
	if (s->err)
		return;		/* one line per run */
	s->err = err;
	if (err == -EPIPE && !s->path)
		log_err("cannot write records to stdout: its reader went away (%s); the run ends "
			"here, and its final record cannot be written there",
			strerror(-err));
	else
		log_err("cannot write records to %s: %s; the run ends here (%s)", sink_name(s),
			strerror(-err),
			err == -ENOSPC || err == -EDQUOT ? "free some space or choose another --output"
							 : "check where the records go");
}

int sink_flush(struct sink *s)
{
	struct stat st;
	off_t before = -1;
	size_t off = 0;
	ssize_t n;
	int err = 0;

	if (fflush(s->f))
		err = -errno;
	/* after a failed write, nothing more: records with a gap are worse
	 * than records that stop */
	if (s->err || (!err && !s->len)) {
		rewind(s->f);
		return s->err;
	}
	if (!err && !fstat(s->fd, &st) && S_ISREG(st.st_mode))
		before = st.st_size;
	while (!err && off < s->len) {
		n = write(s->fd, s->buf + off, s->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = n < 0 ? -errno : -EIO;
		else
			off += (size_t)n;
	}
	/* A record cut short would be read as a damaged one: take it back. */
	if (err && off && before >= 0 && ftruncate(s->fd, before))
		log_debug("cannot take the cut record back out of %s", sink_name(s));
	rewind(s->f);
	if (err)
		say_write_error(s, err);
	return s->err;
}

int sink_check_revents(struct sink *s, short revents)
{
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		say_write_error(s, -EPIPE);
	return s->err;
}

void sink_close(struct sink *s)
{
	if (s->f)
		fclose(s->f);
	free(s->buf);
	if (s->path && s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
