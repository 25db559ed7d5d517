// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE	/* accept4 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "log.h"

#define REQUEST_MAX 512

static int socket_path(char *buf, size_t len, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s.sock", FT_RUN_DIR, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int control_open(struct control *c, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	c->fd = -1;
	if (socket_path(c->path, sizeof(c->path), name))
		return log_errno(-ENAMETOOLONG, "instance name '%s' too long", name);
	if (mkdir(FT_RUN_DIR, 0700) && errno != EEXIST)
		return log_errno(-errno, "cannot create %s", FT_RUN_DIR);
	fd = connect_to(c->path);
	if (fd >= 0) {
		close(fd);
		log_err("an instance named '%s' runs already (it answers on %s): stop it, or "
			"give this one another --name",
			name, c->path);
		return -EEXIST;
	}
	unlink(c->path);	/* left by an instance that died */

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return log_errno(-errno, "cannot create the control socket");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->path);
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(c->path, 0600) ||
	    listen(c->fd, 8)) {
		err = log_errno(-errno, "cannot listen on %s", c->path);
		control_close(c);
		return err;
	}
	return 0;
}

void control_close(struct control *c)
{
	if (c->fd < 0)
		return;
	close(c->fd);
	c->fd = -1;
	unlink(c->path);
	rmdir(FT_RUN_DIR);	/* only if this was the last instance */
}

/* Reads one line (without the newline) within a second. */
static int read_request(int fd, char *buf, size_t len)
{
	struct timeval tv = { .tv_sec = 1 };
	size_t off = 0;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (off < len - 1) {
		n = read(fd, buf + off, len - 1 - off);
		if (n <= 0)
			break;
		off += n;
		if (memchr(buf, '\n', off))
			break;
	}
	buf[off] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return off ? 0 : -EIO;
}

void control_serve(struct control *c, control_handler handler, void *ctx)
{
	char req[REQUEST_MAX], err[256] = "", *arg;
	FILE *reply;
	int fd, status;

	if (c->fd < 0)
		return;
	fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	reply = fdopen(fd, "w");
	if (!reply) {
		close(fd);
		return;
	}
	if (read_request(fd, req, sizeof(req))) {
		fprintf(reply, "error 2 empty request\n");
		fclose(reply);
		return;
	}
	arg = req + strcspn(req, " ");
	if (*arg)
		*arg++ = '\0';
	status = handler(ctx, req, arg, reply, err, sizeof(err));
	if (status)
		fprintf(reply, "error %d %s\n", status, err);
	else
		fprintf(reply, "ok\n");
	fclose(reply);
}

/* The one instance running, when the user named none. */
static int only_instance(char *name, size_t len)
{
	DIR *d = opendir(FT_RUN_DIR);
	struct dirent *de;
	int found = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 5 && !strcmp(de->d_name + n - 5, ".sock")) {
			if (!found)
				snprintf(name, len, "%.*s", (int)(n - 5), de->d_name);
			found++;
		}
	}
	closedir(d);
	return found;
}

int control_request(const char *name, const char *request)
{
	char path[108], buf[4096], found[64];
	int fd, status = 1, n;
	FILE *in;

	if (!name) {
		n = only_instance(found, sizeof(found));
		if (!n) {
			log_err("no flowtally instance runs here (start one with 'flowtally run')");
			return 1;
		}
		if (n > 1) {
			log_err("%d instances run: name one with --name NAME (see 'ls %s')", n,
				FT_RUN_DIR);
			return 1;
		}
		name = found;
	}
	if (socket_path(path, sizeof(path), name)) {
		log_err("instance name '%s' too long", name);
		return 2;
	}
	fd = connect_to(path);
	if (fd < 0) {
		log_errno(fd, "no instance named '%s' answers on %s", name, path);
		return 1;
	}
	if (dprintf(fd, "%s\n", request) < 0 || !(in = fdopen(fd, "r"))) {
		log_errno(-errno, "cannot talk to instance '%s'", name);
		close(fd);
		return 1;
	}
	while (fgets(buf, sizeof(buf), in)) {
		if (!strcmp(buf, "ok\n")) {
			status = 0;
			break;
		}
		if (!strncmp(buf, "error ", 6)) {
			char *msg;

			status = (int)strtol(buf + 6, &msg, 10);
			buf[strcspn(buf, "\n")] = '\0';
			log_err("%s", msg + (*msg == ' '));
			if (status != 2)
				status = 1;
			break;
		}
		fputs(buf, stdout);
	}
	fclose(in);
	return status;
}
