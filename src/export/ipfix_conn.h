/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The way to one IPFIX collector: [udp://]HOST:PORT or tcp://HOST:PORT
 * (RFC 7011 section 10). Messages are handed over whole; nothing here
 * blocks the run loop: UDP is sendto() on an unconnected socket (an absent
 * collector's ICMP errors fail nothing), TCP connects and writes
 * non-blocking, keeping what the socket did not take for the next call,
 * and reconnects when the collector went away.
 */
#ifndef FT_IPFIX_CONN_H
#define FT_IPFIX_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "addr.h"

enum ipfix_transport { IPFIX_UDP, IPFIX_TCP };

/* TCP: bytes the socket has not taken yet; past this the collector is not
 * keeping up and the connection starts over. */
#define IPFIX_TCP_BACKLOG	(8u << 20)
/* seconds between connection attempts */
#define IPFIX_TCP_RETRY		2.0

struct ipfix_conn {
	const char *text;		/* as given, for messages */
	enum ipfix_transport transport;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	int fd;
	bool connecting, up;
	bool failing;			/* said once until it works again */
	double retry_at;		/* monotonic seconds */
	unsigned char *out;		/* TCP: bytes not yet written */
	size_t out_len, out_cap;
};

/* Parses a --ipfix value: 0, or -EINVAL. host gets FT_HOST_MAX bytes. */
int ipfix_conn_parse(const char *text, enum ipfix_transport *transport, char *host,
		     unsigned short *port);
/* Resolves the collector and opens its socket (TCP: starts connecting).
 * 0, or -errno after a one-line message. */
int ipfix_conn_open(struct ipfix_conn *c, const char *text);
/*
 * Moves a TCP connection on (connect done, backlog written, reconnect when
 * due). True when messages can be sent; *fresh: a new connection, on which
 * the templates must come first. UDP: always true, never fresh after the
 * first call.
 */
bool ipfix_conn_ready(struct ipfix_conn *c, double now, bool *fresh);
/* One whole message. 0, or -errno (said once until it works again); a TCP
 * connection that failed is closed and tried again later. */
int ipfix_conn_send(struct ipfix_conn *c, const void *msg, size_t len, double now);
void ipfix_conn_close(struct ipfix_conn *c);

#endif
