// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of the way to an IPFIX collector over TCP, against listeners of
 * the test's own on 127.0.0.1: a collector that never reads holds nothing up
 * (what the socket does not take waits in the backlog, and past its limit
 * the connection starts over, after the retry time), a collector that went
 * away is reconnected to with a fresh session. Time is the test's: `now` is
 * passed in, so nothing waits on the clock.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "ipfix_conn.h"
#include "log.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A TCP listener on 127.0.0.1 that accepts nothing; its address in `where`. */
static int listener(char *where, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), small = 4096;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 8))
		return -1;
	getsockname(fd, (struct sockaddr *)&sin, &slen);
	snprintf(where, len, "tcp://127.0.0.1:%u", ntohs(sin.sin_port));
	return fd;
}

/* Ready within a bounded number of tries (the handshake on loopback). */
static bool ready(struct ipfix_conn *c, double now, bool *fresh)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (ipfix_conn_ready(c, now, fresh))
			return true;
		poll(NULL, 0, 5);
	}
	return false;
}

static void test_ipfix_tcp_collector_that_never_reads_holds_nothing_up(void)
{
	static unsigned char msg[32768];
	struct ipfix_conn c;
	char where[64];
	int lfd = listener(where, sizeof(where)), i, err = 0;
	bool fresh;

	if (!ASSERT_TRUE(lfd >= 0, "listener"))
		return;
	ASSERT_EQ(ipfix_conn_open(&c, where), 0, "open");
	ASSERT_TRUE(ready(&c, 10, &fresh), "connected");
	/* 16 MiB to a socket nobody reads: each send returns, the backlog
	 * fills, and past IPFIX_TCP_BACKLOG the connection is dropped */
	for (i = 0; i < 512 && !err; i++)
		err = ipfix_conn_send(&c, msg, sizeof(msg), 10);
	ASSERT_EQ(err, -ENOBUFS, "the backlog's limit reached");
	ASSERT_TRUE(i * sizeof(msg) > IPFIX_TCP_BACKLOG, "not before the limit");
	ASSERT_TRUE(!c.up, "the connection dropped");
	ASSERT_EQ(ipfix_conn_send(&c, msg, 100, 10), -ENOTCONN, "nothing sent while down");
	ASSERT_TRUE(!ipfix_conn_ready(&c, 10 + IPFIX_TCP_RETRY / 2, &fresh),
		    "not again before the retry time");
	ASSERT_TRUE(ready(&c, 10 + IPFIX_TCP_RETRY, &fresh), "again after it");
	ASSERT_TRUE(fresh, "a new connection: templates first");
	ASSERT_EQ(c.out_len, 0, "nothing of the old connection left");
	ipfix_conn_close(&c);
	close(lfd);
}

static void test_ipfix_tcp_collector_gone_is_reconnected(void)
{
	static unsigned char msg[1000];
	struct ipfix_conn c;
	char where[64];
	int lfd = listener(where, sizeof(where)), afd, i, err = 0;
	bool fresh;

	if (!ASSERT_TRUE(lfd >= 0, "listener"))
		return;
	ASSERT_EQ(ipfix_conn_open(&c, where), 0, "open");
	ASSERT_TRUE(ready(&c, 10, &fresh), "connected");
	afd = accept(lfd, NULL, NULL);
	ASSERT_EQ(ipfix_conn_send(&c, msg, sizeof(msg), 10), 0, "a message");
	close(afd);	/* the collector goes: the next sends fail (RST) */
	for (i = 0; i < 200 && !err; i++) {
		err = ipfix_conn_send(&c, msg, sizeof(msg), 11);
		poll(NULL, 0, 1);
	}
	ASSERT_TRUE(err < 0 && !c.up, "the failure noticed");
	ASSERT_TRUE(ready(&c, 11 + IPFIX_TCP_RETRY, &fresh), "reconnected");
	ASSERT_TRUE(fresh, "fresh");
	ipfix_conn_close(&c);
	close(lfd);
}

static void test_ipfix_collector_forms(void)
{
	static const struct {
		const char *text;
		int ret;
		enum ipfix_transport t;
		unsigned short port;
	} cases[] = {
		{ "127.0.0.1:4739", 0, IPFIX_UDP, 4739 },
		{ "udp://[2001:db8::1]:9995", 0, IPFIX_UDP, 9995 },
		{ "tcp://collector.example:4739", 0, IPFIX_TCP, 4739 },
		{ "sctp://127.0.0.1:4739", -EINVAL, IPFIX_UDP, 0 },
		{ "tcp://127.0.0.1", -EINVAL, IPFIX_TCP, 0 },
	};
	char host[FT_HOST_MAX];
	enum ipfix_transport t;
	unsigned short port;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(ipfix_conn_parse(cases[i].text, &t, host, &port), cases[i].ret,
			  cases[i].text);
		if (cases[i].ret)
			continue;
		ASSERT_EQ(t, cases[i].t, "transport");
		ASSERT_EQ(port, cases[i].port, "port");
	}
}

static const struct check_test tests[] = {
#include "test_ipfix_conn.tests.h"
};

int main(int argc, char **argv)
{
	log_set_quiet(true);	/* the failures it says once */
	return check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
}
