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
	ASSERT_EQ(ipfix_conn_open(&c, where, 10), 0, "open");
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
	ASSERT_EQ(ipfix_conn_open(&c, where, 10), 0, "open");
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

/*
 * A listener whose accept queue is full (backlog 0 and one connection not
 * accepted): the kernel drops the next SYN, so a connect to it stays in
 * progress until the queue has room again (the SYN sent again after 1 s).
 */
static int full_listener(char *where, size_t len, int *blocker)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 0))
		return -1;
	getsockname(fd, (struct sockaddr *)&sin, &slen);
	snprintf(where, len, "tcp://127.0.0.1:%u", ntohs(sin.sin_port));
	*blocker = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(*blocker, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	return fd;
}

/* Messages of an interval while the connection is still coming up wait in
 * the backlog, templates first, and go out once it is up: no interval is
 * lost to the handshake. */
static void test_ipfix_tcp_messages_wait_for_the_connection(void)
{
	unsigned char msg[3][100], got[300];
	struct ipfix_conn c;
	char where[64];
	int blocker = -1, lfd = full_listener(where, sizeof(where), &blocker), afd, i;
	size_t n = 0;
	bool fresh;

	if (!ASSERT_TRUE(lfd >= 0, "listener with a full queue"))
		return;
	for (i = 0; i < 3; i++)
		memset(msg[i], 'a' + i, sizeof(msg[i]));
	ASSERT_EQ(ipfix_conn_open(&c, where, 10), 0, "open");
	ASSERT_TRUE(ipfix_conn_ready(&c, 10, &fresh), "ready while connecting");
	ASSERT_TRUE(fresh, "a new session: its templates first");
	ASSERT_TRUE(c.connecting && !c.up, "still connecting");
	for (i = 0; i < 3; i++)
		ASSERT_EQ(ipfix_conn_send(&c, msg[i], sizeof(msg[i]), 10), 0, "queued");
	ASSERT_EQ(c.nr_lens, 3, "three messages wait");
	close(accept(lfd, NULL, NULL));	/* room in the queue */
	for (i = 0; i < 400 && !c.up; i++) {
		ASSERT_TRUE(ipfix_conn_ready(&c, 10, &fresh), "ready");
		ASSERT_TRUE(!fresh, "the same session");
		poll(NULL, 0, 10);
	}
	ASSERT_TRUE(c.up, "connected within 4 s");
	ASSERT_EQ(c.nr_lens, 0, "all written");
	afd = accept(lfd, NULL, NULL);
	for (i = 0; i < 200 && n < sizeof(got); i++) {
		ssize_t r = recv(afd, got + n, sizeof(got) - n, MSG_DONTWAIT);

		if (r > 0)
			n += (size_t)r;
		else
			poll(NULL, 0, 5);
	}
	ASSERT_EQ(n, sizeof(got), "the collector got all three");
	ASSERT_TRUE(!memcmp(got, msg, sizeof(got)), "in order");
	ASSERT_EQ(c.lost, 0, "nothing lost");
	ipfix_conn_close(&c);
	close(afd);
	close(blocker);
	close(lfd);
}

/* A connection that does not come up: what waited for it is lost, and
 * counted. (Time is the test's: the timeout passes at once.) */
static void test_ipfix_tcp_connect_timeout_counts_what_waited(void)
{
	unsigned char msg[100] = { 0 };
	struct ipfix_conn c;
	char where[64];
	int blocker = -1, lfd = full_listener(where, sizeof(where), &blocker), i;
	bool fresh;

	if (!ASSERT_TRUE(lfd >= 0, "listener with a full queue"))
		return;
	ASSERT_EQ(ipfix_conn_open(&c, where, 10), 0, "open");
	ASSERT_TRUE(ipfix_conn_ready(&c, 10, &fresh), "ready while connecting");
	for (i = 0; i < 2; i++)
		ASSERT_EQ(ipfix_conn_send(&c, msg, sizeof(msg), 10), 0, "queued");
	ASSERT_TRUE(!ipfix_conn_ready(&c, 10 + IPFIX_TCP_CONNECT_TIMEOUT, &fresh),
		    "not up by the timeout");
	ASSERT_EQ(c.lost, 2, "both messages counted lost");
	ASSERT_TRUE(c.fd < 0 && !c.out_len, "closed, nothing kept");
	/* again, still away: counted, and said when it works again (or at
	 * exit), not a line each retry */
	ASSERT_TRUE(ipfix_conn_ready(&c, 30, &fresh), "connecting again");
	ASSERT_TRUE(fresh, "a new session");
	ASSERT_EQ(ipfix_conn_send(&c, msg, sizeof(msg), 30), 0, "queued");
	ASSERT_TRUE(!ipfix_conn_ready(&c, 30 + IPFIX_TCP_CONNECT_TIMEOUT, &fresh), "not up");
	ASSERT_EQ(c.lost, 3, "counted");
	ASSERT_EQ(c.lost_unsaid, 1, "to be said when it works again");
	ipfix_conn_close(&c);
	close(blocker);
	close(lfd);
}

/* At exit the backlogs of all TCP collectors are written together. */
static void test_ipfix_tcp_linger_writes_the_backlog(void)
{
	static unsigned char msg[1000];
	struct ipfix_conn c[2], *cs[2] = { &c[0], &c[1] };
	char where[2][64];
	int lfd[2], afd[2], i;
	bool fresh;

	for (i = 0; i < 2; i++) {
		lfd[i] = listener(where[i], sizeof(where[i]));
		ASSERT_EQ(ipfix_conn_open(&c[i], where[i], 10), 0, "open");
		ASSERT_TRUE(ready(&c[i], 10, &fresh), "ready");
		ASSERT_EQ(ipfix_conn_send(&c[i], msg, sizeof(msg), 10), 0, "a message");
		afd[i] = accept(lfd[i], NULL, NULL);
	}
	ipfix_conn_linger(cs, 2, 2000);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(c[i].out_len, 0, "written");
		ipfix_conn_close(&c[i]);
		ASSERT_EQ(c[i].lost, 0, "nothing lost");
		close(afd[i]);
		close(lfd[i]);
	}
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
