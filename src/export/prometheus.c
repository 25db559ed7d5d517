// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /metrics for Prometheus. The run loop renders the exposition once per
 * interval (prom_text.c) and swaps it in under a mutex; libmicrohttpd's own
 * thread hands out a copy, adding the process metrics of the moment. So a
 * scrape never waits for the counts, and the counts never wait for a scrape.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "prom_process.h"
#include "prom_text.h"
#include "prometheus.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* Slow or idle clients must not lock scrapes out: each address gets a few
 * connections, all of them together many, and one that sends nothing for
 * PROM_CONN_TIMEOUT_S is closed. A scrape is one short request. */
#define PROM_MAX_CONNECTIONS 128
#define PROM_PER_CLIENT_CONNECTIONS 4
#define PROM_CONN_TIMEOUT_S 5
#define PROM_PROCESS_TEXT_MAX 1024

struct prom {
	struct MHD_Daemon *mhd;
	pthread_mutex_t lock;
	char *body;			/* the exposition; under lock */
	size_t len;
	unsigned long served;		/* scrapes of this body; under lock */
	struct prom_series series;	/* run loop only */
	unsigned long long intervals;
	unsigned int max_iface_series;
	struct prom_ifaces ifaces;	/* run loop only */
};

static bool prom_wanted(const struct export_opts *o)
{
	return o->prometheus;
}

/* Swaps in a new exposition; frees the old one. */
static void publish(struct prom *p, char *body, size_t len)
{
	char *old;

	pthread_mutex_lock(&p->lock);
	old = p->body;
	p->body = body;
	p->len = len;
	p->served = 0;
	pthread_mutex_unlock(&p->lock);
	free(old);
}

static int render(struct prom *p, const struct exporter *e, const struct ft_catalog *cat,
		  const struct ft_counts *interval, const struct ft_counts *total)
{
	struct prom_self self = { .intervals = p->intervals, .status = e->status,
				  .ifaces = &p->ifaces, .max_iface_series = p->max_iface_series };
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (interval && interval->end > interval->start) {
		self.interval_seconds = interval->end - interval->start;
		self.last_interval_end = interval->end;
	}
	if (e->status) {
		self.swap_seconds = e->status->swap_seconds;
		self.read_seconds = e->status->read_seconds;
		self.store_bytes = e->status->store_bytes;
	}
	f = open_memstream(&body, &len);
	if (!f)
		return -errno;
	err = prom_render(f, cat, interval, total, &p->series, &self);
	if (fclose(f) && !err)
		err = -EIO;
	if (err) {
		free(body);
		return err;
	}
	publish(p, body, len);
	return 0;
}

/* The process metrics are the values taken at scrape time. */
static int process_text(char *buf, size_t len)
{
	struct prom_process proc;

	prom_process_read(&proc);
	return prom_process_format(buf, len, &proc);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, char *body,
			     size_t len, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *text)
{
	char *body = strdup(text);

	return body ? reply(conn, status, body, strlen(body), "text/plain; charset=utf-8")
		    : MHD_NO;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *version, const char *upload,
			     size_t *upload_size, void **req)
{
	struct prom *p = cls;
	char *body;
	size_t len;
	int n;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or HEAD only\n");
	if (!strcmp(url, "/"))
		return reply_text(conn, MHD_HTTP_OK, "flowtally: metrics at /metrics\n");
	if (strcmp(url, "/metrics"))
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found: metrics at /metrics\n");

	pthread_mutex_lock(&p->lock);
	body = malloc(p->len + PROM_PROCESS_TEXT_MAX);
	if (body)
		memcpy(body, p->body, p->len);
	len = p->len;
	p->served += body != NULL;
	pthread_mutex_unlock(&p->lock);
	if (!body)
		return MHD_NO;
	n = process_text(body + len, PROM_PROCESS_TEXT_MAX);
	if (n > 0)
		len += (size_t)n < PROM_PROCESS_TEXT_MAX ? (size_t)n : PROM_PROCESS_TEXT_MAX - 1;
	return reply(conn, MHD_HTTP_OK, body, len, PROM_CONTENT_TYPE);
}

/* Our own socket rather than MHD's: a bind failure then has an errno to
 * report. MHD owns (and closes) it once the daemon starts. ":PORT" and
 * "[::]:PORT" take both families on one socket, or IPv4 alone on a host
 * without IPv6. */
static int listen_on(const char *text)
{
	struct sockaddr_storage ss;
	socklen_t salen;
	bool dual;
	int fd, one = 1, v6only, err;

	err = parse_listen_addr(text, &ss, &salen, &dual);
	if (err)
		return err;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && dual && errno == EAFNOSUPPORT) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		unsigned short port = ((struct sockaddr_in6 *)&ss)->sin6_port;

		memset(&ss, 0, sizeof(ss));
		sin->sin_family = AF_INET;
		sin->sin_port = port;
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
		salen = sizeof(*sin);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -errno;
	v6only = !dual;
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, salen) || listen(fd, 32)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The daemon's thread must not take SIGINT/SIGTERM from the run loop, whose
 * poll() they end: it starts with every signal blocked. */
static struct MHD_Daemon *start_daemon(struct prom *p, int fd)
{
	sigset_t all, old;
	struct MHD_Daemon *mhd;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL,
			       serve, p, MHD_OPTION_LISTEN_SOCKET, fd,
			       MHD_OPTION_CONNECTION_LIMIT, (unsigned int)PROM_MAX_CONNECTIONS,
			       MHD_OPTION_PER_IP_CONNECTION_LIMIT,
			       (unsigned int)PROM_PER_CLIENT_CONNECTIONS,
			       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)PROM_CONN_TIMEOUT_S,
			       MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return mhd;
}

static void prom_free(struct prom *p)
{
	pthread_mutex_destroy(&p->lock);
	prom_series_free(&p->series);
	prom_ifaces_free(&p->ifaces);
	free(p->body);
	free(p);
}

static int prom_open(struct exporter *e, const struct export_opts *o, struct sink *out)
{
	struct prom *p;
	int fd, err;

	(void)out;
	p = calloc(1, sizeof(*p));
	if (!p)
		return log_errno(-ENOMEM, "Prometheus exporter");
	pthread_mutex_init(&p->lock, NULL);
	prom_series_init(&p->series, (unsigned int)o->prom_max_series,
			 (unsigned int)o->prom_window, (unsigned int)o->prom_expire);
	p->max_iface_series = o->prom_max_iface_series > 0 ? (unsigned int)o->prom_max_iface_series
							   : FT_PROM_IFACE_SERIES;
	prom_ifaces_init(&p->ifaces, p->max_iface_series);
	/* until the first interval: build info only */
	err = render(p, e, NULL, NULL, NULL);
	if (err) {
		log_errno(err, "Prometheus exporter");
		goto err_free;
	}
	fd = listen_on(o->prometheus);
	if (fd < 0) {
		err = fd;
		log_err("cannot listen on %s for Prometheus: %s (%s)", o->prometheus,
			strerror(-err),
			err == -EADDRINUSE ? "another program has that port: choose another one"
					   : "is that address on this host?");
		goto err_free;
	}
	p->mhd = start_daemon(p, fd);
	if (!p->mhd) {
		err = -EIO;
		close(fd);
		log_err("cannot start the HTTP server on %s for Prometheus", o->prometheus);
		goto err_free;
	}
	e->priv = p;
	log_info("metrics for Prometheus on http://%s/metrics", o->prometheus);
	return 0;

err_free:
	prom_free(p);
	return err;
}

static int prom_interval(struct exporter *e, const struct ft_catalog *cat,
			 const struct ft_counts *interval, const struct ft_counts *total)
{
	struct prom *p = e->priv;
	unsigned long served;
	int err;

	/* series that came or went stay until a scrape has seen them */
	pthread_mutex_lock(&p->lock);
	served = p->served;
	pthread_mutex_unlock(&p->lock);
	if (served)
		prom_series_served(&p->series);
	p->intervals++;
	err = prom_series_update(&p->series, cat, interval, total);
	if (!err)
		err = prom_ifaces_update(&p->ifaces, cat);
	if (!err)
		err = render(p, e, cat, interval, total);
	return err;
}

static void prom_close(struct exporter *e)
{
	struct prom *p = e->priv;

	if (!p)
		return;
	MHD_stop_daemon(p->mhd);
	prom_free(p);
	e->priv = NULL;
}

const struct exporter_ops prometheus_exporter = {
	.name = "prometheus",
	.wanted = prom_wanted,
	.open = prom_open,
	.interval = prom_interval,
	.close = prom_close,
};
