// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipfix_conn.h"
#include "log.h"

int ipfix_conn_parse(const char *text, enum ipfix_transport *transport, char *host,
		     unsigned short *port)
{
	*transport = IPFIX_UDP;
	if (!strncmp(text, "udp://", 6)) {
		text += 6;
	} else if (!strncmp(text, "tcp://", 6)) {
		*transport = IPFIX_TCP;
		text += 6;
	} else if (strstr(text, "://")) {
		return -EINVAL;
	}
	return parse_host_port(text, host, FT_HOST_MAX, port);
}

static void drop(struct ipfix_conn *c, double now)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->up = c->connecting = c->fresh = false;
	c->out_len = 0;
	c->nr_lens = 0;
	c->head_sent = 0;
	c->retry_at = now + IPFIX_TCP_RETRY;
}

static int say_failed(struct ipfix_conn *c, int err, const char *what)
{
	if (!c->failing)
		log_err("IPFIX to %s: %s: %s; records are lost until it works", c->text, what,
			strerror(-err));
	c->failing = true;
	return err;
}

static void say_works(struct ipfix_conn *c)
{
	if (c->failing && c->lost_unsaid)
		log_info("IPFIX to %s works again; %llu more messages were not sent meanwhile "
			 "(%llu in all)",
			 c->text, c->lost_unsaid, c->lost);
	else if (c->failing)
		log_info("IPFIX to %s works again", c->text);
	c->failing = false;
	c->lost_unsaid = 0;
}

/* The connection is closed: what its backlog held (and `extra` messages
 * not taken) is lost, counted in c->lost and said: at once the first time,
 * and while the collector stays away, when it works again (or at exit). */
static int lose(struct ipfix_conn *c, double now, int err, const char *what, size_t extra)
{
	size_t n = c->nr_lens + extra;

	drop(c, now);
	c->lost += n;
	if (!n || c->failing) {
		/* a collector that stays away: said when it works again */
		c->lost_unsaid += n;
		return say_failed(c, err, what);
	}
	log_err("IPFIX to %s: %s: %s; %zu messages not sent (%llu in all), reconnecting",
		c->text, what, strerror(-err), n, c->lost);
	c->failing = true;
	return err;
}

static int tcp_connect(struct ipfix_conn *c, double now)
{
	int one = 1;

	c->fd = socket(c->dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		c->retry_at = now + IPFIX_TCP_RETRY;
		return say_failed(c, -errno, "cannot open a TCP socket");
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* a new transport session from here: its messages (templates first)
	 * wait in the backlog until the connection is up */
	c->fresh = true;
	c->connect_at = now;
	if (!connect(c->fd, (struct sockaddr *)&c->dst, c->dst_len)) {
		c->up = true;
		return 0;
	}
	if (errno == EINPROGRESS) {
		c->connecting = true;
		return 0;
	}
	one = -errno;
	drop(c, now);
	return say_failed(c, one, "cannot connect");
}

int ipfix_conn_open(struct ipfix_conn *c, const char *text, double now)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char host[FT_HOST_MAX], port[8];
	int gai, sndbuf = 4 << 20;
	unsigned short pnum;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->text = text;
	if (ipfix_conn_parse(text, &c->transport, host, &pnum)) {
		log_err("--ipfix '%s' invalid ([udp://|tcp://]HOST:PORT)", text);
		return -EINVAL;
	}
	snprintf(port, sizeof(port), "%u", pnum);
	hints.ai_socktype = c->transport == IPFIX_TCP ? SOCK_STREAM : SOCK_DGRAM;
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai) {
		log_err("cannot resolve IPFIX collector '%s': %s (see --ipfix)", host,
			gai_strerror(gai));
		return -EHOSTUNREACH;
	}
	memcpy(&c->dst, res->ai_addr, res->ai_addrlen);
	c->dst_len = res->ai_addrlen;
	freeaddrinfo(res);
	if (c->transport == IPFIX_TCP) {
		/* connecting from now; the first interval's messages wait
		 * for it in the backlog */
		tcp_connect(c, now);
		return 0;
	}
	/* blocking: sendto() waits for room in the socket buffer (the device
	 * queue drains it), which a burst of messages needs more than a lost
	 * message; the buffer as large as the system allows, up to 4 MiB */
	c->fd = socket(c->dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return log_errno(-errno, "cannot open a UDP socket for IPFIX");
	setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	c->up = true;
	return 0;
}

/* Writes what it can of the backlog. 0, or -errno: the connection is gone. */
static int tcp_flush(struct ipfix_conn *c)
{
	size_t off = 0, done = 0, i = 0;
	int err = 0;

	while (off < c->out_len) {
		ssize_t n = send(c->fd, c->out + off, c->out_len - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			err = n < 0 ? -errno : -EPIPE;
			break;
		}
		off += (size_t)n;
	}
	memmove(c->out, c->out + off, c->out_len - off);
	c->out_len -= off;
	/* the messages wholly written leave the count of those waiting */
	off += c->head_sent;
	while (i < c->nr_lens && done + c->lens[i] <= off)
		done += c->lens[i++];
	memmove(c->lens, c->lens + i, (c->nr_lens - i) * sizeof(*c->lens));
	c->nr_lens -= i;
	c->head_sent = off - done;
	return err;
}

/* Connect done, backlog written: 0, or -errno after the connection was
 * closed (what it held said and counted). */
static int tcp_progress(struct ipfix_conn *c, double now)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (c->connecting) {
		if (poll(&pfd, 1, 0) <= 0) {
			if (now - c->connect_at < IPFIX_TCP_CONNECT_TIMEOUT)
				return 0;	/* messages wait in the backlog */
			return lose(c, now, -ETIMEDOUT, "cannot connect", 0);
		}
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
			return lose(c, now, -(err ?: errno), "cannot connect", 0);
		c->connecting = false;
		c->up = true;
	}
	if (c->up && !c->said_up) {
		say_works(c);
		log_info("IPFIX to %s: connected", c->text);
		c->said_up = true;
	}
	err = tcp_flush(c);
	if (err)
		return lose(c, now, err, "the connection failed", 0);
	return 0;
}

bool ipfix_conn_ready(struct ipfix_conn *c, double now, bool *fresh)
{
	*fresh = false;
	if (c->transport == IPFIX_UDP)
		return true;
	if (c->fd < 0) {
		if (now < c->retry_at || tcp_connect(c, now))
			return false;
		c->said_up = false;
	}
	if (tcp_progress(c, now))
		return false;
	*fresh = c->fresh;
	c->fresh = false;
	return true;
}

/* Room in the backlog for one more message of len bytes: 0 or -ENOMEM. */
static int grow(struct ipfix_conn *c, size_t len)
{
	size_t cap = c->out_cap ? c->out_cap : 65536;

	if (c->out_len + len > c->out_cap) {
		unsigned char *p;

		while (cap < c->out_len + len)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p)
			return -ENOMEM;
		c->out = p;
		c->out_cap = cap;
	}
	if (c->nr_lens == c->lens_cap) {
		size_t lcap = c->lens_cap ? c->lens_cap * 2 : 256;
		size_t *l = realloc(c->lens, lcap * sizeof(*l));

		if (!l)
			return -ENOMEM;
		c->lens = l;
		c->lens_cap = lcap;
	}
	return 0;
}

static int tcp_send(struct ipfix_conn *c, const void *msg, size_t len, double now)
{
	int err;

	if (c->out_len + len > IPFIX_TCP_BACKLOG)
		return lose(c, now, -ENOBUFS, "the collector does not keep up", 1);
	if (grow(c, len))
		return lose(c, now, -ENOMEM, "no memory for the backlog", 1);
	memcpy(c->out + c->out_len, msg, len);
	c->out_len += len;
	c->lens[c->nr_lens++] = len;
	if (c->connecting)	/* written as soon as it is up */
		return tcp_progress(c, now);
	err = tcp_flush(c);
	if (err)
		return lose(c, now, err, "the connection failed", 0);
	return 0;
}

int ipfix_conn_send(struct ipfix_conn *c, const void *msg, size_t len, double now)
{
	ssize_t n;

	if (c->fd < 0)
		return -ENOTCONN;
	if (c->transport == IPFIX_TCP)
		return tcp_send(c, msg, len, now);
	n = sendto(c->fd, msg, len, 0, (struct sockaddr *)&c->dst, c->dst_len);
	if (n != (ssize_t)len)
		return say_failed(c, n < 0 ? -errno : -EMSGSIZE, "cannot send");
	say_works(c);
	return 0;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool lingering(const struct ipfix_conn *c)
{
	return c->transport == IPFIX_TCP && c->fd >= 0 && c->out_len;
}

void ipfix_conn_linger(struct ipfix_conn *const *conns, int n, int ms)
{
	const double deadline = now_mono() + ms / 1000.0;
	struct pollfd pfd[IPFIX_LINGER_MAX];
	double now;
	int i, k;

	for (now = now_mono(); now < deadline; now = now_mono()) {
		for (i = k = 0; i < n && k < IPFIX_LINGER_MAX; i++)
			if (lingering(conns[i]))
				pfd[k++] = (struct pollfd){ .fd = conns[i]->fd, .events = POLLOUT };
		if (!k || poll(pfd, (nfds_t)k, (int)((deadline - now) * 1000) + 1) < 0)
			break;
		for (i = 0; i < n; i++)
			if (lingering(conns[i]))
				tcp_progress(conns[i], now_mono());
	}
}

void ipfix_conn_close(struct ipfix_conn *c)
{
	if (c->fd >= 0 && c->nr_lens) {
		c->lost += c->nr_lens;
		log_err("IPFIX to %s: %zu messages (%zu bytes) not sent at exit", c->text,
			c->nr_lens, c->out_len);
	}
	if (c->lost_unsaid)
		log_err("IPFIX to %s: %llu messages were not sent while it failed (%llu in all)",
			c->text, c->lost_unsaid, c->lost);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->out);
	c->out = NULL;
	free(c->lens);
	c->lens = NULL;
}
