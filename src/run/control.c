// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE	/* accept4, struct ucred */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "ident.h"
#include "tablespec.h"

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The one place run-dir paths are made: nothing but a name gets in. */
static int run_path(char *buf, size_t len, const char *name, const char *suffix)
{
	if (!valid_instance_name(name))
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s/%s%s", FT_RUN_DIR, name, suffix) >= len)
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

void control_init(struct control *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->lock_fd = -1;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
}

/*
 * flock() on NAME.lock, held until the process ends. An instance that exits
 * unlinks the file while it holds the lock; one that opened the old file
 * just before then locks a file nobody else can find, so it checks that the
 * file it locked is still the one at the path, and tries again if not.
 */
static int lock_name(struct control *c, const char *name, const char *advice)
{
	struct stat held, at_path, dir;
	int tries, fd, err;

	for (tries = 0; tries < 10; tries++) {
		if (mkdir(FT_RUN_DIR, 0700) && errno != EEXIST)
			goto err_open;
		/* a link planted as the folder would take the lock elsewhere */
		if (!lstat(FT_RUN_DIR, &dir) && !S_ISDIR(dir.st_mode)) {
			log_err("%s is not a folder (a link?): remove it", FT_RUN_DIR);
			return -ENOTDIR;
		}
		fd = open(c->lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno == ENOENT)
			continue;	/* the last instance removed the folder just now */
		if (fd < 0)
			goto err_open;
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			err = -errno;
			close(fd);
			if (err != -EWOULDBLOCK)
				return log_errno(err, "cannot lock %s", c->lock_path);
			log_err("an instance named '%s' runs already (it holds %s): %s", name,
				c->lock_path, advice);
			return -EEXIST;
		}
		if (!fstat(fd, &held) && !stat(c->lock_path, &at_path) &&
		    held.st_dev == at_path.st_dev && held.st_ino == at_path.st_ino) {
			c->lock_fd = fd;
			return 0;
		}
		close(fd);
	}
	return log_errno(-EAGAIN, "cannot take %s", c->lock_path);

err_open:
	err = -errno;
	if (err == -EACCES || err == -EPERM) {
		log_err("permission denied taking the name '%s' (%s): run as root (needs CAP_BPF, "
			"CAP_NET_ADMIN and CAP_PERFMON)",
			name, c->lock_path);
		return err;
	}
	if (err == -ELOOP) {
		log_err("%s is a symbolic link: flowtally does not follow it (remove it)",
			c->lock_path);
		return err;
	}
	return log_errno(err, "cannot open %s", c->lock_path);
}

int control_take_name(struct control *c, const char *name)
{
	control_init(c);
	if (run_path(c->lock_path, sizeof(c->lock_path), name, ".lock")) {
		log_err("instance name '%s' invalid (" FT_INSTANCE_NAME_RULE ")", name);
		return -EINVAL;
	}
	return lock_name(c, name, "run 'flowtally stop' again once it is up");
}

int control_open(struct control *c, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	control_init(c);
	c->owner = geteuid();
	if (run_path(c->path, sizeof(c->path), name, ".sock") ||
	    run_path(c->lock_path, sizeof(c->lock_path), name, ".lock")) {
		log_err("instance name '%s' invalid (" FT_INSTANCE_NAME_RULE ")", name);
		return -EINVAL;
	}
	err = lock_name(c, name, "stop it, or give this one another --name");
	if (err)
		return err;
	/* The name is ours: a socket there was left by an instance that died. */
	unlink(c->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		err = log_errno(-errno, "cannot create the control socket");
		goto err_close;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->path);
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(c->path, 0600) ||
	    listen(c->fd, 16)) {
		err = log_errno(-errno, "cannot listen on %s", c->path);
		goto err_close;
	}
	return 0;

err_close:
	control_close(c);
	return err;
}

static void client_drop(struct control_client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	free(cl->out);
	cl->fd = -1;
	cl->out = NULL;
	cl->in_len = cl->out_len = cl->out_off = 0;
}

void control_close(struct control *c)
{
	bool named = c->lock_fd >= 0;
	int i;

	/* the name first: a client that sees its connection end then finds the
	 * instance stopped, not still holding the lock */
	if (c->fd >= 0)
		unlink(c->path);
	if (c->lock_fd >= 0) {
		unlink(c->lock_path);	/* under the lock: see lock_name */
		close(c->lock_fd);
		c->lock_fd = -1;
	}
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		client_drop(&c->clients[i]);
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	if (named)
		rmdir(FT_RUN_DIR);	/* only if this was the last instance */
}

int control_pollfds(const struct control *c, struct pollfd *pfd, int max)
{
	int i, n = 0;

	if (c->fd >= 0 && n < max)
		pfd[n++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
	for (i = 0; i < CONTROL_MAX_CLIENTS && n < max; i++) {
		const struct control_client *cl = &c->clients[i];

		if (cl->fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = cl->fd,
						    .events = cl->out ? POLLOUT : POLLIN };
	}
	return n;
}

double control_deadline(const struct control *c)
{
	double first = 0;
	int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0 && (!first || c->clients[i].deadline < first))
			first = c->clients[i].deadline;
	return first;
}

/* Sends what the socket takes now; drops the client once all is sent or
 * the peer is gone. */
static void client_send(struct control_client *cl)
{
	ssize_t n;

	while (cl->out_off < cl->out_len) {
		n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;	/* the rest when poll says it fits */
		if (n <= 0)
			break;	/* the client left: nobody to tell */
		cl->out_off += (size_t)n;
	}
	client_drop(cl);
}

static void client_answer(struct control_client *cl, const char *fmt, const char *what)
{
	int len = snprintf(NULL, 0, fmt, what);

	cl->out = malloc((size_t)len + 1);
	if (!cl->out) {
		client_drop(cl);
		return;
	}
	snprintf(cl->out, (size_t)len + 1, fmt, what);
	cl->out_len = (size_t)len;
	cl->out_off = 0;
	client_send(cl);
}

static void client_accept(struct control *c)
{
	struct control_client *cl = NULL;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, i;

	fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS && !cl; i++)
		if (c->clients[i].fd < 0)
			cl = &c->clients[i];
	if (!cl) {
		/* a best-effort word; the run loop does not wait for it */
		static const char busy[] = "error 1 instance busy: too many control connections, "
					   "try again\n";

		if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			log_debug("control client turned away unanswered");
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->deadline = mono_now() + CONTROL_DEADLINE_S;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    (cred.uid != 0 && cred.uid != c->owner))
		client_answer(cl, "error 1 permission denied: %s\n",
			      "only root or the user the instance runs as may control it");
}

static void client_request(struct control_client *cl, control_handler handler, void *ctx)
{
	char err[256] = "", *verb = cl->in, *arg;
	FILE *reply;
	int status;

	cl->in[strcspn(cl->in, "\r\n")] = '\0';
	if (!*verb) {
		client_answer(cl, "error 2 %s\n", "empty request");
		return;
	}
	arg = verb + strcspn(verb, " ");
	if (*arg)
		*arg++ = '\0';
	reply = open_memstream(&cl->out, &cl->out_len);
	if (!reply) {
		client_drop(cl);
		return;
	}
	status = handler(ctx, verb, arg, reply, err, sizeof(err));
	if (status)
		fprintf(reply, "error %d %s\n", status, err);
	else
		fprintf(reply, "ok\n");
	if (fclose(reply)) {
		client_drop(cl);
		return;
	}
	cl->out_off = 0;
	client_send(cl);
}

static void client_read(struct control_client *cl, control_handler handler, void *ctx)
{
	ssize_t n;

	n = recv(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - 1 - cl->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		/* a request without its newline still counts when the client
		 * shut its side down */
		if (n == 0 && cl->in_len) {
			cl->in[cl->in_len] = '\0';
			client_request(cl, handler, ctx);
		} else {
			client_drop(cl);
		}
		return;
	}
	cl->in_len += (size_t)n;
	cl->in[cl->in_len] = '\0';
	if (memchr(cl->in, '\n', cl->in_len)) {
		client_request(cl, handler, ctx);
	} else if (cl->in_len == sizeof(cl->in) - 1) {
		cl->in_len = 0;
		client_answer(cl, "error 2 request longer than %s bytes\n", "511");
	}
}

void control_process(struct control *c, const struct pollfd *pfd, int n, control_handler handler,
		     void *ctx)
{
	double now = mono_now();
	int i, k;

	for (k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		if (pfd[k].fd == c->fd) {
			client_accept(c);
			continue;
		}
		for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
			struct control_client *cl = &c->clients[i];

			if (cl->fd != pfd[k].fd)
				continue;
			if (cl->out)
				client_send(cl);
			else
				client_read(cl, handler, ctx);
			break;
		}
	}
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0 && c->clients[i].deadline <= now)
			client_drop(&c->clients[i]);
}

int control_instance_running(const char *name)
{
	char path[108];
	int fd, ret;

	if (run_path(path, sizeof(path), name, ".lock"))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ret = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	return ret;
}

/* The one instance running, when the user named none: 1 with its name in
 * `name`, 0, the number running when more, or -errno. */
static int only_instance(char *name, size_t len)
{
	DIR *d = opendir(FT_RUN_DIR);
	struct dirent *de;
	int found = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char base[FT_NAME_MAX];

		if (n <= 5 || n - 5 >= sizeof(base) || strcmp(de->d_name + n - 5, ".sock"))
			continue;
		snprintf(base, sizeof(base), "%.*s", (int)(n - 5), de->d_name);
		if (!valid_instance_name(base))
			continue;
		if (!found)
			snprintf(name, len, "%s", base);
		found++;
	}
	closedir(d);
	return found;
}

/* Connects to instance `name`'s socket and sends `request`: the socket, or
 * -1 with the exit status in *status and the reason in err. */
static int send_request(const char *name, const char *request, int *status, char *err,
			size_t errlen)
{
	char path[108], line[CONTROL_REQUEST_MAX + 2];
	size_t len, off = 0;
	ssize_t n;
	int fd;

	*status = 1;
	if (run_path(path, sizeof(path), name, ".sock")) {
		snprintf(err, errlen, "instance name '%s' invalid (" FT_INSTANCE_NAME_RULE ")",
			 name);
		*status = 2;
		return -1;
	}
	fd = connect_to(path);
	if (fd == -EACCES || fd == -EPERM) {
		snprintf(err, errlen, "permission denied talking to instance '%s': run as root or "
			 "as the user it runs as", name);
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "no instance named '%s' answers on %s: %s", name, path,
			 strerror(-fd));
		return -1;
	}
	len = (size_t)snprintf(line, sizeof(line), "%s\n", request);
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	/* MSG_NOSIGNAL: an instance that went away is an error, not SIGPIPE */
	while (off < len) {
		n = send(fd, line + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot talk to instance '%s': %s", name,
				 strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return fd;
}

/* One line of the answer (with its newline): 0 on to the next, or 1 with
 * the exit status in *status (the last line). */
static int answer_line(char *line, FILE *out, int *status, char *err, size_t errlen)
{
	char *msg;

	if (!strcmp(line, "ok\n")) {
		*status = 0;
		return 1;
	}
	if (!strncmp(line, "error ", 6)) {
		*status = (int)strtol(line + 6, &msg, 10) == 2 ? 2 : 1;
		msg[strcspn(msg, "\n")] = '\0';
		snprintf(err, errlen, "%s", msg + (*msg == ' '));
		return 1;
	}
	fputs(line, out);
	return 0;
}

/* The whole lines of buf[0, *have) (a NUL after them), each to
 * answer_line(), kept out of buf; a line that fills the buffer goes on as
 * it is. 1 at the last line, with the exit status in *status, else 0. */
static int answer_lines(char *buf, size_t size, size_t *have, FILE *out, int *status,
			char *err, size_t errlen)
{
	size_t used;
	char *nl, c;
	int r;

	while ((nl = memchr(buf, '\n', *have))) {
		used = (size_t)(nl - buf) + 1;
		c = nl[1];
		nl[1] = '\0';
		r = answer_line(buf, out, status, err, errlen);
		nl[1] = c;
		if (r)
			return 1;
		memmove(buf, buf + used, *have - used + 1);
		*have -= used;
	}
	if (*have == size - 1) {	/* a longer line than ever sent: pass it on */
		fputs(buf, out);
		*have = 0;
	}
	return 0;
}

/*
 * Copies the answer's lines to `out` up to its last line; the exit status,
 * or -ECANCELED when `w` gave up. Waits with poll() up to
 * CONTROL_CLIENT_WAIT_S: a signal (a resize, ^C) only asks `w` whether to
 * go on, and a stopped or wedged instance cannot hang the client.
 */
static int read_answer(int fd, FILE *out, const char *name, const struct control_wait *w,
		       char *err, size_t errlen)
{
	double deadline = mono_now() + CONTROL_CLIENT_WAIT_S;
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = w ? w->fd : -1, .events = POLLIN },
	};
	char buf[4096];
	size_t have = 0;
	int status, r;
	ssize_t n;

	for (;;) {
		if (answer_lines(buf, sizeof(buf), &have, out, &status, err, errlen))
			return status;
		r = (int)((deadline - mono_now()) * 1000);
		if (r <= 0) {
			snprintf(err, errlen, "instance '%s' did not answer within %d s (is it "
				 "stopped?)", name, CONTROL_CLIENT_WAIT_S);
			return 1;
		}
		r = poll(pfd, pfd[1].fd >= 0 ? 2 : 1, r);
		if (r < 0 && errno != EINTR) {
			snprintf(err, errlen, "waiting for instance '%s': %s", name, strerror(errno));
			return 1;
		}
		if (w && (r < 0 || (r > 0 && pfd[1].revents)) && w->give_up(w->arg))
			return -ECANCELED;
		if (r <= 0 || !pfd[0].revents)
			continue;
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
	}
	snprintf(err, errlen, "instance '%s' closed the connection without an answer", name);
	return 1;
}

int control_query_wait(const char *name, const char *request, FILE *out,
		       const struct control_wait *w, char *err, size_t errlen)
{
	int status, fd = send_request(name, request, &status, err, errlen);

	if (fd < 0)
		return status;
	status = read_answer(fd, out, name, w, err, errlen);
	close(fd);
	return status;
}

int control_query(const char *name, const char *request, FILE *out, char *err, size_t errlen)
{
	return control_query_wait(name, request, out, NULL, err, errlen);
}

int control_request(const char *name, const char *request)
{
	char found[FT_NAME_MAX], err[512];
	int status, n;

	if (!name) {
		n = only_instance(found, sizeof(found));
		if (n == -EACCES || n == -EPERM) {
			log_err("permission denied reading %s: run as root or as the user the "
				"instance runs as",
				FT_RUN_DIR);
			return 1;
		}
		if (n <= 0) {
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
	status = control_query(name, request, stdout, err, sizeof(err));
	if (status)
		log_err("%s", err);
	return status;
}

int parse_table_size(const char *text, __u32 *size)
{
	unsigned long n = 0;
	const char *p;

	if (!*text || strlen(text) > 8)
		return -EINVAL;
	for (p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (!n || n > FT_TABLE_MAX_SIZE)
		return -EINVAL;
	if (size)
		*size = (__u32)n;
	return 0;
}
