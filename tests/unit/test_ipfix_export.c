// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of the IPFIX exporter as a collector sees it: the exporter
 * sends to a UDP socket of the test's on 127.0.0.1, and each message is
 * taken apart here (RFC 7011 section 3): observation domains per table and
 * the instance's, the options records, only the templates that are used,
 * records in the template of their own domain, sequence numbers per domain,
 * a new domain for a reused slot. Expected values come from the catalog and
 * the entries each test builds.
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
#include "fixture.h"
#include "counts.h"
#include "export.h"
#include "ipfix.h"
#include "ipfix_export.h"
#include "log.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BASE 100
#define MAX_MSGS 64
#define MAX_SETS 16

struct set {
	unsigned int id, len;		/* len: of the body, without the set header */
	const unsigned char *body;
};

struct msg {
	unsigned char buf[65536];
	unsigned int len, seq, domain, nr_sets;
	struct set sets[MAX_SETS];
};

static struct msg msgs[MAX_MSGS];
static int nr_msgs;
static int coll = -1;
static char where[64];
static struct ft_catalog cat;
static struct ft_counts rec;

static unsigned int be(const unsigned char *p, int len)
{
	unsigned int v = 0;

	while (len--)
		v = v << 8 | *p++;
	return v;
}

static unsigned long long be64(const unsigned char *p)
{
	return (unsigned long long)be(p, 4) << 32 | be(p + 4, 4);
}

/* A UDP socket on 127.0.0.1 and a port of the kernel's choosing. */
static void open_collector(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);

	coll = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ASSERT_TRUE(coll >= 0, "socket");
	ASSERT_EQ(bind(coll, (struct sockaddr *)&sin, sizeof(sin)), 0, "bind");
	getsockname(coll, (struct sockaddr *)&sin, &len);
	snprintf(where, sizeof(where), "127.0.0.1:%u", ntohs(sin.sin_port));
}

/* Cuts message m (its buf and len) into its sets. */
static void parse_msg(struct msg *m, unsigned int max_len)
{
	unsigned int off = 16;

	ASSERT_EQ(be(m->buf, 2), 10, "version");
	ASSERT_EQ(be(m->buf + 2, 2), m->len, "message length");
	ASSERT_TRUE(m->len <= max_len, "within the transport's limit");
	m->seq = be(m->buf + 8, 4);
	m->domain = be(m->buf + 12, 4);
	m->nr_sets = 0;
	while (off + 4 <= m->len && m->nr_sets < MAX_SETS) {
		struct set *s = &m->sets[m->nr_sets++];

		s->id = be(m->buf + off, 2);
		s->len = be(m->buf + off + 2, 2) - 4;
		s->body = m->buf + off + 4;
		off += s->len + 4;
	}
	ASSERT_EQ(off, m->len, "sets fill the message");
}

/* Reads what arrived, each message cut into its sets. */
static void receive(void)
{
	nr_msgs = 0;
	while (nr_msgs < MAX_MSGS) {
		struct msg *m = &msgs[nr_msgs];
		ssize_t n = recv(coll, m->buf, sizeof(m->buf), 0);

		if (n < 0)
			break;
		m->len = (unsigned int)n;
		parse_msg(m, 1400);
		nr_msgs++;
	}
}

/* Reads what a TCP collector's connection `fd` has (until 200 ms without a
 * byte) and cuts the stream into messages. */
static void receive_tcp(int fd)
{
	static unsigned char stream[1 << 20];
	size_t n = 0, off = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (n < sizeof(stream) && poll(&pfd, 1, 200) > 0) {
		ssize_t r = recv(fd, stream + n, sizeof(stream) - n, MSG_DONTWAIT);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	nr_msgs = 0;
	while (off + 16 <= n && nr_msgs < MAX_MSGS) {
		struct msg *m = &msgs[nr_msgs++];

		m->len = be(stream + off + 2, 2);
		if (!ASSERT_TRUE(m->len >= 16 && off + m->len <= n, "whole messages"))
			break;
		memcpy(m->buf, stream + off, m->len);
		parse_msg(m, 32768);
		off += m->len;
	}
	ASSERT_EQ(off, n, "nothing but messages");
}

/* The sets of domain `d` with set id `id`, one after the other. */
static int sets_of(unsigned int d, unsigned int id, const struct set **out, int max)
{
	int i, j, n = 0;

	for (i = 0; i < nr_msgs; i++)
		for (j = 0; j < (int)msgs[i].nr_sets; j++)
			if (msgs[i].domain == d && msgs[i].sets[j].id == id && n < max)
				out[n++] = &msgs[i].sets[j];
	return n;
}

/* Template ids a template set (2) or options template set (3) defines. */
static unsigned int template_ids(const struct set *s, unsigned int *ids, unsigned int max)
{
	unsigned int off = 0, n = 0;

	while (off + 4 <= s->len && n < max) {
		unsigned int fields = be(s->body + off + 2, 2), scope = 0;

		ids[n++] = be(s->body + off, 2);
		off += 4;
		if (s->id == 3) {
			scope = be(s->body + off, 2);
			off += 2;
		}
		(void)scope;
		off += 4 * fields;
	}
	return n;
}

static void add_table(int slot, __u32 id, const char *spec)
{
	struct ft_table *t = &cat.tables[slot];

	memset(t, 0, sizeof(*t));
	t->spec = spec_of(spec);
	table_spec_to_cfg(&t->spec, cat.dirmask, &t->cfg);
	t->used = true;
	t->id = id;
}

static void entry(__u32 table, struct ft_key k, __u64 packets)
{
	struct ft_value v = { .packets = packets, .bytes = packets * 100 };

	ASSERT_EQ(counts_append(&rec, table, &k, &v), 0, "counts_append");
}

/* ports (id 1, slot 0): TCP 443 and UDP 53; src (id 2, slot 1): an IPv4 and
 * an IPv6 source. */
static void setup(void)
{
	struct ft_key k;

	fixture_catalog(&cat, "ports=proto,dport");
	add_table(1, 2, "src=saddr");
	counts_free(&rec);
	counts_init(&rec);
	rec.start = 1000;
	rec.end = 1001;
	entry(0, port_key(IPPROTO_TCP, 443, FT_DIR_INGRESS), 10);
	entry(0, port_key(IPPROTO_UDP, 53, FT_DIR_INGRESS), 4);
	k = port_key(0, 0, FT_DIR_INGRESS);
	set_addr(k.saddr, "192.0.2.1");
	entry(1, k, 3);
	set_addr(k.saddr, "2001:db8::1");
	entry(1, k, 2);
	if (coll < 0)
		open_collector();
}

static int open_exporter_to(struct exporter *e, const char *to, double refresh_secs,
			    unsigned int refresh_msgs)
{
	static const char *colls[1];
	struct export_opts o = { .ipfix = colls, .nr_ipfix = 1, .ipfix_domain_base = BASE,
				 .ipfix_refresh_secs = refresh_secs,
				 .ipfix_refresh_msgs = refresh_msgs };

	colls[0] = to;
	e->ops = &ipfix_exporter;
	return ipfix_exporter.open(e, &o, NULL);
}

static int open_exporter(struct exporter *e)
{
	return open_exporter_to(e, where, 0, 0);
}

/* A TCP listener of the test's on 127.0.0.1; "tcp://127.0.0.1:PORT" in to. */
static int tcp_collector(char *to, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 8))
		return -1;
	getsockname(fd, (struct sockaddr *)&sin, &slen);
	snprintf(to, len, "tcp://127.0.0.1:%u", ntohs(sin.sin_port));
	return fd;
}

/* The connection the exporter made, within 2 s. */
static int accept_within(int lfd)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };

	if (poll(&pfd, 1, 2000) <= 0)
		return -1;
	return accept(lfd, NULL, NULL);
}

/* Template set `s` (2) withdraws template `tid`: the id with no fields. */
static bool withdraws(const struct set *s, unsigned int tid)
{
	unsigned int off;

	for (off = 0; off + 4 <= s->len; off += 4)
		if (be(s->body + off, 2) == tid && be(s->body + off + 2, 2) == 0)
			return true;
	return false;
}

static void export_interval(struct exporter *e)
{
	ASSERT_EQ(ipfix_exporter.interval(e, &cat, &rec, &rec), 0, "interval exported");
	receive();
}

static void test_ipfix_each_table_its_domain_with_its_own_templates(void)
{
	struct exporter e = {};
	const struct set *s[8];
	unsigned int ids[8];

	setup();
	if (!ASSERT_EQ(open_exporter(&e), 0, "open"))
		return;
	export_interval(&e);
	/* ports: one template (no ICMP record, so no ICMP template), 256 */
	ASSERT_EQ(sets_of(BASE + 1, 2, s, 8), 1, "ports: one template set");
	ASSERT_EQ(template_ids(s[0], ids, 8), 1, "ports: one template");
	ASSERT_EQ(ids[0], 256, "ports: template 256");
	ASSERT_EQ(sets_of(BASE + 1, 256, s, 8), 1, "ports: one data set");
	ASSERT_EQ(s[0]->len, 2 * 52, "ports: two records of 52 bytes");
	/* src: IPv4 (256) and IPv6 (259) records, each in its own template
	 * of this domain, not the ports table's 256 */
	ASSERT_EQ(sets_of(BASE + 2, 2, s, 8), 1, "src: one template set");
	ASSERT_EQ(template_ids(s[0], ids, 8), 2, "src: two templates");
	ASSERT_EQ(ids[0] * 1000 + ids[1], 256259, "src: 256 and 259");
	ASSERT_EQ(sets_of(BASE + 2, 256, s, 8), 1, "src: an IPv4 set");
	ASSERT_EQ(s[0]->len, 8 + 8 + 4 + 4 + 4 + 1 + 3 * 8, "src: one IPv4 record");
	ASSERT_EQ(be(s[0]->body + 16, 4), 0xc0000201, "src: 192.0.2.1");
	ASSERT_EQ(be64(s[0]->body + 29), 3, "src: its packets");
	ASSERT_EQ(sets_of(BASE + 2, 259, s, 8), 1, "src: an IPv6 set");
	ASSERT_EQ(s[0]->len, 8 + 8 + 16 + 4 + 4 + 1 + 3 * 8, "src: one IPv6 record");
	ipfix_exporter.close(&e);
}

static void test_ipfix_instance_domain_names_the_tables_and_the_interface(void)
{
	struct exporter e = {};
	const struct set *s[8];
	unsigned int ids[8];
	const unsigned char *p;

	setup();
	if (!ASSERT_EQ(open_exporter(&e), 0, "open"))
		return;
	export_interval(&e);
	ASSERT_EQ(sets_of(BASE, 3, s, 8), 1, "an options template set");
	ASSERT_EQ(template_ids(s[0], ids, 8), 2, "two options templates");
	ASSERT_EQ(ids[0] * 1000 + ids[1], 262263, "262 and 263");
	ASSERT_EQ(sets_of(BASE, 262, s, 8), 1, "domain names");
	p = s[0]->body;
	ASSERT_EQ(be(p, 4), BASE + 1, "first: ports' domain");
	ASSERT_EQ(p[4], strlen("ports: proto,dport"), "its name's length");
	ASSERT_TRUE(!memcmp(p + 5, "ports: proto,dport", p[4]), "its name");
	p += 5 + p[4];
	ASSERT_EQ(be(p, 4), BASE + 2, "then src's");
	ASSERT_TRUE(p[4] == 10 && !memcmp(p + 5, "src: saddr", 10), "its name");
	ASSERT_EQ(sets_of(BASE, 263, s, 8), 1, "interface names");
	ASSERT_EQ(be(s[0]->body, 4), 7, "ingressInterface");
	ASSERT_TRUE(s[0]->body[4] == 5 && !memcmp(s[0]->body + 5, "veth0", 5), "interfaceName");
	ASSERT_EQ(sets_of(BASE + 1, 262, s, 8) + sets_of(BASE + 1, 3, s, 8), 0,
		  "no options in a table's domain");
	ipfix_exporter.close(&e);
}

/* The second interval: no templates again (no refresh asked), sequence
 * numbers that count each domain's records, options only on a change. */
static void test_ipfix_sequence_per_domain_and_templates_once(void)
{
	struct exporter e = {};
	const struct set *s[8];
	int i;

	setup();
	if (!ASSERT_EQ(open_exporter(&e), 0, "open"))
		return;
	export_interval(&e);
	export_interval(&e);
	ASSERT_EQ(sets_of(BASE + 1, 2, s, 8) + sets_of(BASE + 2, 2, s, 8) + sets_of(BASE, 3, s, 8),
		  0, "no template again");
	ASSERT_EQ(sets_of(BASE, 262, s, 8), 0, "no options again: nothing changed");
	for (i = 0; i < nr_msgs; i++) {
		if (msgs[i].domain == BASE + 1)
			ASSERT_EQ(msgs[i].seq, 2, "ports: the 2 records before");
		if (msgs[i].domain == BASE + 2)
			ASSERT_EQ(msgs[i].seq, 2, "src: the 2 records before");
	}
	ASSERT_EQ(nr_msgs, 2, "a message per table");
	/* no template added this time: each domain's records still in its
	 * own template 256 (libfixbuf keeps the last one of an id) */
	ASSERT_EQ(sets_of(BASE + 1, 256, s, 8), 1, "ports' records");
	ASSERT_EQ(s[0]->len, 2 * 52, "in ports' template");
	ASSERT_EQ(sets_of(BASE + 2, 256, s, 8), 1, "src's IPv4 record");
	ASSERT_EQ(s[0]->len, 8 + 8 + 4 + 4 + 4 + 1 + 3 * 8, "in src's template");
	ASSERT_EQ(be64(s[0]->body + 29), 3, "its packets");
	ipfix_exporter.close(&e);
}

/* A table removed and another in its slot: a new id, a new domain with its
 * own templates, and the options say so. */
static void test_ipfix_reused_slot_is_a_new_domain(void)
{
	struct exporter e = {};
	const struct set *s[8];
	unsigned int ids[8];
	struct ft_key k = port_key(IPPROTO_ICMP, 8 << 8, FT_DIR_EGRESS);

	setup();
	if (!ASSERT_EQ(open_exporter(&e), 0, "open"))
		return;
	export_interval(&e);
	add_table(1, 3, "dst=proto,dport");
	counts_drop_entries(&rec, 1);
	entry(1, k, 6);
	export_interval(&e);
	ASSERT_EQ(sets_of(BASE + 2, 2, s, 8) + sets_of(BASE + 2, 256, s, 8), 0,
		  "nothing in the removed table's domain");
	ASSERT_EQ(sets_of(BASE + 3, 2, s, 8), 1, "the new domain's templates");
	ASSERT_EQ(template_ids(s[0], ids, 8), 1, "only the ICMP one: its only record");
	ASSERT_EQ(ids[0], 257, "icmpTypeCodeIPv4's template");
	ASSERT_EQ(sets_of(BASE + 3, 257, s, 8), 1, "its record");
	ASSERT_EQ(s[0]->len, 8 + 8 + 1 + 2 + 4 + 4 + 1 + 3 * 8, "one ICMP record");
	ASSERT_EQ(be(s[0]->body + 17, 2), 8 << 8, "echo request");
	ASSERT_EQ(be(s[0]->body + 19, 4), 0, "egress: no ingressInterface");
	ASSERT_EQ(be(s[0]->body + 23, 4), 7, "egress: the one interface");
	ASSERT_EQ(s[0]->body[27], 1, "flowDirection egress");
	ASSERT_EQ(sets_of(BASE, 262, s, 8), 1, "the domains named again");
	ASSERT_EQ(s[0]->len, (4 + 1 + 18) + (4 + 1 + 16), "ports and dst");
	ipfix_exporter.close(&e);
}

/* Over TCP a removed table's templates are withdrawn once its last
 * interval went out (RFC 7011 section 8.1), in its domain. */
static void test_ipfix_tcp_removed_table_templates_withdrawn(void)
{
	struct exporter e = {};
	const struct set *s[8];
	char to[64];
	int lfd = tcp_collector(to, sizeof(to)), afd, i;

	setup();
	if (!ASSERT_TRUE(lfd >= 0, "listener") || !ASSERT_EQ(open_exporter_to(&e, to, 0, 0), 0,
							       "open"))
		return;
	ipfix_exporter.interval(&e, &cat, &rec, &rec);
	afd = accept_within(lfd);
	ASSERT_TRUE(afd >= 0, "connected");
	receive_tcp(afd);
	ASSERT_EQ(sets_of(BASE + 2, 2, s, 8), 1, "src's templates");
	/* src removed: its last interval goes out, then it is gone */
	cat.tables[1].removed = true;
	ASSERT_EQ(ipfix_exporter.interval(&e, &cat, &rec, &rec), 0, "the last interval");
	receive_tcp(afd);
	ASSERT_EQ(sets_of(BASE + 2, 256, s, 8), 1, "src's last records");
	ASSERT_EQ(sets_of(BASE + 2, 2, s, 8), 0, "not withdrawn yet");
	cat.tables[1].removal_reported = true;
	counts_drop_entries(&rec, 1);
	ASSERT_EQ(ipfix_exporter.interval(&e, &cat, &rec, &rec), 0, "the interval after");
	receive_tcp(afd);
	ASSERT_EQ(sets_of(BASE + 2, 2, s, 8), 1, "a withdrawal in src's domain");
	ASSERT_TRUE(withdraws(s[0], 256) && withdraws(s[0], 259), "both its templates");
	ASSERT_EQ(s[0]->len, 2 * 4, "withdrawals only, no announcement before them");
	ASSERT_EQ(sets_of(BASE + 2, 256, s, 8) + sets_of(BASE + 2, 259, s, 8), 0, "no records");
	for (i = 0; i < nr_msgs; i++)
		if (msgs[i].domain == BASE + 2)
			ASSERT_EQ(msgs[i].seq, 4, "its sequence number: its 4 records");
	ASSERT_EQ(sets_of(BASE + 1, 2, s, 8), 0, "ports' templates stay");
	ipfix_exporter.interval(&e, &cat, &rec, &rec);
	receive_tcp(afd);
	ASSERT_EQ(sets_of(BASE + 2, 2, s, 8), 0, "withdrawn once");
	ipfix_exporter.close(&e);
	close(afd);
	close(lfd);
}

/* Over UDP a removed table's domain goes quietly: no withdrawal (RFC 7011
 * section 8.4), nothing at all in its domain. */
static void test_ipfix_udp_removed_table_sends_nothing(void)
{
	struct exporter e = {};
	int i, n = 0;

	setup();
	if (!ASSERT_EQ(open_exporter_to(&e, where, 0, 0), 0, "open"))
		return;
	export_interval(&e);
	cat.tables[1].removed = true;
	export_interval(&e);
	cat.tables[1].removal_reported = true;
	counts_drop_entries(&rec, 1);
	export_interval(&e);
	for (i = 0; i < nr_msgs; i++)
		n += msgs[i].domain == BASE + 2;
	ASSERT_EQ(n, 0, "no message in the removed table's domain");
	for (i = n = 0; i < nr_msgs; i++)
		n += msgs[i].domain == BASE + 1;
	ASSERT_EQ(n, 1, "ports' records");
	ASSERT_EQ(nr_msgs, 2, "and the options records saying src is gone");
	ipfix_exporter.close(&e);
}

/* A new TCP connection is a new transport session: every domain's
 * sequence numbers start at 0 again and its templates come first. */
static void test_ipfix_tcp_new_connection_restarts_sequence_with_templates_first(void)
{
	struct exporter e = {};
	unsigned int first_seen = 0;
	char to[64];
	int lfd = tcp_collector(to, sizeof(to)), afd, bfd = -1, i, j;

	setup();
	if (!ASSERT_TRUE(lfd >= 0, "listener") || !ASSERT_EQ(open_exporter_to(&e, to, 0, 0), 0,
							       "open"))
		return;
	ipfix_exporter.interval(&e, &cat, &rec, &rec);
	ipfix_exporter.interval(&e, &cat, &rec, &rec);
	afd = accept_within(lfd);
	receive_tcp(afd);
	ASSERT_TRUE(nr_msgs > 0, "the first connection's messages");
	close(afd);	/* the collector restarts */
	/* the exporter sees the connection fail, and connects again after
	 * IPFIX_TCP_RETRY (2 s): bounded at 5 s */
	for (i = 0; i < 100 && bfd < 0; i++) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };

		ipfix_exporter.interval(&e, &cat, &rec, &rec);
		if (poll(&pfd, 1, 50) > 0)
			bfd = accept(lfd, NULL, NULL);
	}
	if (!ASSERT_TRUE(bfd >= 0, "connected again"))
		goto out;
	receive_tcp(bfd);
	ASSERT_TRUE(nr_msgs >= 3, "the instance's and both tables' messages");
	for (i = 0; i < nr_msgs; i++) {
		unsigned int d = msgs[i].domain, bit = 1u << (d - BASE);
		bool tmpl = false;

		if (first_seen & bit)
			continue;
		first_seen |= bit;
		for (j = 0; j < (int)msgs[i].nr_sets; j++)
			tmpl |= msgs[i].sets[j].id == 2 || msgs[i].sets[j].id == 3;
		ASSERT_TRUE(tmpl, "a domain's first message on the new connection: templates");
		ASSERT_EQ(msgs[i].seq, 0, "sequence numbers from 0");
	}
	ASSERT_EQ(first_seen, 7, "all three domains");
	close(bfd);
out:
	ipfix_exporter.close(&e);
	close(lfd);
}

/* The template ids a domain's messages announce, as bits (1 << (id - 256)). */
static unsigned int announced(unsigned int d)
{
	const struct set *s[8];
	unsigned int ids[16], bits = 0, i;
	int n, k;

	n = sets_of(d, 2, s, 8);
	for (k = 0; k < n; k++)
		for (i = 0; i < template_ids(s[k], ids, 16); i++)
			bits |= 1u << (ids[i] - 256);
	n = sets_of(d, 3, s, 8);
	for (k = 0; k < n; k++)
		for (i = 0; i < template_ids(s[k], ids, 16); i++)
			bits |= 1u << (ids[i] - 256);
	return bits;
}

/* UDP refresh by time: every template each domain announced, again. */
static void test_ipfix_udp_refresh_by_time_resends_every_template(void)
{
	struct exporter e = {};
	const unsigned int ports = 1u << 0, src = 1u << 0 | 1u << 3, inst = 3u << 6;

	setup();
	if (!ASSERT_EQ(open_exporter_to(&e, where, 0.001, 0), 0, "open"))
		return;
	export_interval(&e);
	ASSERT_EQ(announced(BASE + 1) * 1000000 + announced(BASE + 2) * 1000 + announced(BASE),
		  ports * 1000000 + src * 1000 + inst, "first: 256; 256, 259; 262, 263");
	poll(NULL, 0, 5);	/* more than the refresh time */
	export_interval(&e);
	ASSERT_EQ(announced(BASE + 1) * 1000000 + announced(BASE + 2) * 1000 + announced(BASE),
		  ports * 1000000 + src * 1000 + inst, "all of them again");
	ipfix_exporter.close(&e);
}

/* UDP refresh by count: templates again after N messages of the domain,
 * all of those it announced, and not before. */
static void test_ipfix_udp_refresh_by_count_resends_every_template(void)
{
	struct exporter e = {};
	const struct set *s[8];
	int i, refreshed = 0, since = 0, k;

	setup();
	if (!ASSERT_EQ(open_exporter_to(&e, where, 0, 3), 0, "open"))
		return;
	for (i = 0; i < 8; i++) {
		export_interval(&e);
		if (sets_of(BASE + 2, 2, s, 8)) {
			ASSERT_EQ(announced(BASE + 2), 1u << 0 | 1u << 3, "src: 256 and 259");
			if (i)
				ASSERT_TRUE(since >= 3, "not before 3 messages");
			refreshed += i > 0;
			since = 0;
		}
		for (k = 0; k < nr_msgs; k++)
			since += msgs[k].domain == BASE + 2;
	}
	ASSERT_TRUE(refreshed >= 2, "again, and again");
	ipfix_exporter.close(&e);
}

static const struct check_test tests[] = {
#include "test_ipfix_export.tests.h"
};

int main(int argc, char **argv)
{
	int ret;

	log_set_quiet(true);	/* the domains it names as it goes */
	ret = check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
	counts_free(&rec);
	if (coll >= 0)
		close(coll);
	return ret;
}
