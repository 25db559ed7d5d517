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
/* seconds a connection may take to come up; its messages wait meanwhile */
#define IPFIX_TCP_CONNECT_TIMEOUT 10.0
/* at exit: how long the TCP collectors together may take the last backlog */
#define IPFIX_TCP_LINGER_MS	2000
#define IPFIX_LINGER_MAX	16

struct ipfix_conn {
	const char *text;		/* as given, for messages */
	enum ipfix_transport transport;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	int fd;
	bool connecting, up;
	bool fresh;			/* a new connection ipfix_conn_ready() has not said */
	bool said_up;			/* "connected" said for this connection */
	bool failing;			/* said once until it works again */
	double retry_at;		/* monotonic seconds */
	double connect_at;		/* when this connection was started */
	unsigned char *out;		/* TCP: bytes not yet written */
	size_t out_len, out_cap;
	size_t *lens;			/* TCP: the length of each message waiting */
	size_t nr_lens, lens_cap;
	size_t head_sent;		/* bytes of the first one already written */
	unsigned long long lost;	/* messages lost in all */
	unsigned long long lost_unsaid;	/* of them, while failing: said when it works */
};

/* Parses a --ipfix value: 0, or -EINVAL. host gets FT_HOST_MAX bytes. */
int ipfix_conn_parse(const char *text, enum ipfix_transport *transport, char *host,
		     unsigned short *port);
/* Resolves the collector and opens its socket (TCP: starts connecting at
 * `now`, monotonic seconds). 0, or -errno after a one-line message. */
int ipfix_conn_open(struct ipfix_conn *c, const char *text, double now);
/*
 * Moves a TCP connection on (connect done, backlog written, reconnect when
 * due). True when messages can be sent: while the connection is still
 * coming up they wait in the backlog (bounded by IPFIX_TCP_BACKLOG and
 * IPFIX_TCP_CONNECT_TIMEOUT; what is lost is said and counted in `lost`).
 * *fresh: a new connection (a new transport session), on which the
 * templates must come first. UDP: always true, never fresh.
 */
bool ipfix_conn_ready(struct ipfix_conn *c, double now, bool *fresh);
/* One whole message. 0, or -errno (said once until it works again); a TCP
 * connection that failed is closed and tried again later. */
int ipfix_conn_send(struct ipfix_conn *c, const void *msg, size_t len, double now);
/* At exit: the TCP connections write their backlogs (and finish
 * connecting) all together until done or `ms` milliseconds passed. */
void ipfix_conn_linger(struct ipfix_conn *const *conns, int n, int ms);
/* Closes; what a TCP backlog still holds is said and counted as lost. */
void ipfix_conn_close(struct ipfix_conn *c);

#endif
