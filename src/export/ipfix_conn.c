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
	c->up = c->connecting = false;
	c->out_len = 0;
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
	if (c->failing)
		log_info("IPFIX to %s works again", c->text);
	c->failing = false;
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

int ipfix_conn_open(struct ipfix_conn *c, const char *text)
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
		/* connecting from now: up by the first interval, or said then */
		tcp_connect(c, 0);
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
	size_t off = 0;

	while (off < c->out_len) {
		ssize_t n = send(c->fd, c->out + off, c->out_len - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		off += (size_t)n;
	}
	memmove(c->out, c->out + off, c->out_len - off);
	c->out_len -= off;
	return 0;
}

bool ipfix_conn_ready(struct ipfix_conn *c, double now, bool *fresh)
{
	struct pollfd pfd;
	int err = 0;
	socklen_t len = sizeof(err);

	*fresh = false;
	if (c->transport == IPFIX_UDP)
		return true;
	if (c->fd < 0) {
		if (now < c->retry_at || tcp_connect(c, now))
			return false;
		*fresh = c->up;
	}
	if (c->connecting) {
		pfd = (struct pollfd){ .fd = c->fd, .events = POLLOUT };
		if (poll(&pfd, 1, 0) <= 0) {
			say_failed(c, -EINPROGRESS, "not connected yet");
			return false;
		}
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
			drop(c, now);
			say_failed(c, -(err ?: errno), "cannot connect");
			return false;
		}
		c->connecting = false;
		c->up = *fresh = true;
	}
	if (*fresh) {
		say_works(c);
		log_info("IPFIX to %s: connected", c->text);
	}
	err = tcp_flush(c);
	if (err) {
		drop(c, now);
		say_failed(c, err, "the connection failed");
		return false;
	}
	return true;
}

static int tcp_send(struct ipfix_conn *c, const void *msg, size_t len, double now)
{
	int err;

	if (c->out_len + len > IPFIX_TCP_BACKLOG) {
		drop(c, now);
		return say_failed(c, -ENOBUFS, "the collector does not keep up, reconnecting");
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 65536;
		unsigned char *p;

		while (cap < c->out_len + len)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p)
			return say_failed(c, -ENOMEM, "no memory for the backlog");
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, msg, len);
	c->out_len += len;
	err = tcp_flush(c);
	if (err) {
		drop(c, now);
		return say_failed(c, err, "the connection failed");
	}
	return 0;
}

int ipfix_conn_send(struct ipfix_conn *c, const void *msg, size_t len, double now)
{
	ssize_t n;

	if (!c->up)
		return -ENOTCONN;
	if (c->transport == IPFIX_TCP)
		return tcp_send(c, msg, len, now);
	n = sendto(c->fd, msg, len, 0, (struct sockaddr *)&c->dst, c->dst_len);
	if (n != (ssize_t)len)
		return say_failed(c, n < 0 ? -errno : -EMSGSIZE, "cannot send");
	say_works(c);
	return 0;
}

/* At exit: the last interval's records are in the TCP backlog; a collector
 * that reads gets them, one that does not holds the exit up no more than
 * this long. */
#define IPFIX_TCP_LINGER_MS	2000

void ipfix_conn_close(struct ipfix_conn *c)
{
	int waited;

	for (waited = 0; c->up && c->transport == IPFIX_TCP && c->out_len &&
			 waited < IPFIX_TCP_LINGER_MS; waited += 50) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };

		if (poll(&pfd, 1, 50) < 0 || tcp_flush(c))
			break;
	}
	if (c->up && c->out_len)
		log_err("IPFIX to %s: %zu bytes not sent at exit", c->text, c->out_len);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->out);
	c->out = NULL;
}
