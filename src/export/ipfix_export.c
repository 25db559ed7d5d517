// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * IPFIX over UDP: after each interval, its entries as data records (deltas:
 * one interval's exact counts), flowStart/End the interval's bounds. UDP
 * loses nothing silently only if the collector hears the templates again, so
 * they go out with the first interval, whenever a table appears or changes,
 * and again every IPFIX_TEMPLATE_EVERY intervals or IPFIX_TEMPLATE_MAX_AGE
 * seconds, whichever comes first (RFC 7011 section 8.4).
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "ipfix.h"
#include "ipfix_export.h"
#include "log.h"

#define IPFIX_DOMAIN_ID		1	/* one observation domain: the instance */
#define IPFIX_TEMPLATE_EVERY	20	/* intervals */
#define IPFIX_TEMPLATE_MAX_AGE	10.0	/* seconds */

struct ipfix_exp {
	int fd;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	const char *collector;		/* as given, for messages */
	__u32 seq;			/* data records sent so far */
	unsigned int intervals_since;	/* since the templates were last sent */
	double templates_at;		/* monotonic seconds, 0: never */
	/* announced: the table's templates were sent at least once */
	struct ipfix_template tmpl[FT_MAX_TABLES][IPFIX_VARIANTS];
	bool announced[FT_MAX_TABLES];
	bool failing;			/* the last send failed: said once */
	struct ipfix_msg msg;
};

static bool ipfix_wanted(const struct export_opts *o)
{
	return o->ipfix;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int ipfix_open(struct exporter *e, const struct export_opts *o, struct sink *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char host[FT_HOST_MAX], port[8];
	unsigned short pnum;
	struct ipfix_exp *x;
	int err, gai;

	(void)out;
	if (parse_host_port(o->ipfix, host, sizeof(host), &pnum))
		return -EINVAL;
	snprintf(port, sizeof(port), "%u", pnum);
	x = calloc(1, sizeof(*x));
	if (!x)
		return log_errno(-ENOMEM, "IPFIX exporter");
	x->fd = -1;
	x->collector = o->ipfix;
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai) {
		log_err("cannot resolve IPFIX collector '%s': %s (see --ipfix HOST:PORT)", host,
			gai_strerror(gai));
		err = -EHOSTUNREACH;
		goto err_free;
	}
	memcpy(&x->dst, res->ai_addr, res->ai_addrlen);
	x->dst_len = res->ai_addrlen;
	/* not connect()ed: an ICMP port unreachable from an absent collector
	 * would otherwise fail the next send */
	x->fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		err = log_errno(-errno, "cannot open a UDP socket for IPFIX");
		goto err_free;
	}
	freeaddrinfo(res);
	ipfix_msg_init(&x->msg);
	e->priv = x;
	return 0;

err_free:
	if (res)
		freeaddrinfo(res);
	free(x);
	return err;
}

/* Sends the message being built, if it has anything; starts a new one. */
static int flush(struct ipfix_exp *x)
{
	size_t len;
	int err = 0;

	if (ipfix_msg_empty(&x->msg))
		return 0;
	len = ipfix_msg_finish(&x->msg, (__u32)time(NULL), x->seq, IPFIX_DOMAIN_ID);
	if (sendto(x->fd, x->msg.buf, len, 0, (struct sockaddr *)&x->dst, x->dst_len) !=
	    (ssize_t)len) {
		err = -errno;
		if (!x->failing)
			log_errno(err, "cannot send IPFIX to %s; records are lost until it works",
				  x->collector);
		x->failing = true;
	} else {
		if (x->failing)
			log_info("IPFIX to %s works again", x->collector);
		x->failing = false;
		x->seq += x->msg.data_records;
	}
	ipfix_msg_init(&x->msg);
	return err;
}

/* Room for one record, in a new message if this one is full. */
static __u8 *add(struct ipfix_exp *x, __u16 set_id, size_t len, int *err)
{
	__u8 *p = ipfix_msg_add(&x->msg, set_id, len);
	int ret;

	if (p)
		return p;
	ret = flush(x);
	if (ret && !*err)
		*err = ret;
	return ipfix_msg_add(&x->msg, set_id, len);
}

static __u16 template_id(int slot, int variant)
{
	return IPFIX_FIRST_TEMPLATE_ID + slot * IPFIX_VARIANTS + variant;
}

static bool table_reported(const struct ft_table *t)
{
	return t->used && !(t->removed && t->removal_reported);
}

/* Builds each table's templates from its spec; puts those due in the message. */
static void put_templates(struct ipfix_exp *x, const struct ft_catalog *cat, bool all,
			  int *err)
{
	int slot, v;

	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		const struct ft_table *t = &cat->tables[slot];

		if (!table_reported(t))
			continue;
		for (v = 0; v < IPFIX_VARIANTS; v++) {
			struct ipfix_template tmpl = {};

			if (ipfix_variant_used(&t->spec, v))
				ipfix_template_init(&tmpl, template_id(slot, v), &t->spec, v);
			if (memcmp(&tmpl, &x->tmpl[slot][v], sizeof(tmpl))) {
				x->tmpl[slot][v] = tmpl;
				x->announced[slot] = false;
			}
		}
		if (!all && x->announced[slot])
			continue;
		for (v = 0; v < IPFIX_VARIANTS; v++) {
			const struct ipfix_template *tmpl = &x->tmpl[slot][v];
			__u8 *p;

			if (!tmpl->id)
				continue;
			p = add(x, IPFIX_TEMPLATE_SET_ID, ipfix_template_len(tmpl), err);
			if (p)
				ipfix_template_encode(tmpl, p);
		}
		x->announced[slot] = true;
	}
}

static int ipfix_interval(struct exporter *e, const struct ft_catalog *cat,
			  const struct ft_counts *interval, const struct ft_counts *total)
{
	struct ipfix_exp *x = e->priv;
	__u64 start_ms = (__u64)(interval->start * 1000), end_ms = (__u64)(interval->end * 1000);
	double now = now_mono();
	bool refresh;
	size_t i;
	int err = 0, ret;

	(void)total;
	refresh = !x->templates_at || x->intervals_since >= IPFIX_TEMPLATE_EVERY ||
		  now - x->templates_at >= IPFIX_TEMPLATE_MAX_AGE;
	put_templates(x, cat, refresh, &err);
	if (refresh) {
		x->templates_at = now;
		x->intervals_since = 0;
	}
	x->intervals_since++;
	for (i = 0; i < interval->nr_entries; i++) {
		const struct ft_entry *ent = &interval->entries[i];
		const struct table_spec *spec;
		const struct ipfix_template *tmpl;
		__u8 *p;

		if (ent->table >= FT_MAX_TABLES || !cat->tables[ent->table].used)
			continue;
		spec = &cat->tables[ent->table].spec;
		tmpl = &x->tmpl[ent->table][ipfix_entry_variant(spec, &ent->key)];
		p = add(x, tmpl->id, tmpl->record_len, &err);
		if (p)
			ipfix_record_encode(tmpl, spec, ent, start_ms, end_ms, p);
	}
	ret = flush(x);
	return err ?: ret;
}

static void ipfix_close(struct exporter *e)
{
	struct ipfix_exp *x = e->priv;

	if (!x)
		return;
	close(x->fd);
	free(x);
	e->priv = NULL;
}

const struct exporter_ops ipfix_exporter = {
	.name = "ipfix",
	.wanted = ipfix_wanted,
	.open = ipfix_open,
	.interval = ipfix_interval,
	.close = ipfix_close,
};
