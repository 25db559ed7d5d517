// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * IPFIX: after each interval, its entries as data records (deltas: one
 * interval's exact counts), flowStart/End the interval's bounds, to every
 * collector given.
 *
 * Each table is an observation domain of its own, id = --ipfix-domain-base
 * + the table's id (never reused within an instance, even when its slot is),
 * so that a collector keeps tables apart instead of adding them up; its
 * messages carry data records only. The base itself is the instance's
 * domain (with the default base 0, the domain RFC 7011 keeps for what is
 * not one Observation Domain's): options records naming each table's domain
 * (observationDomainId -> observationDomainName, "ports: proto,dport") and
 * each interface (ingressInterface -> interfaceName), read from the catalog
 * at every export since interfaces may come and go.
 *
 * A data template goes out on a transport session once its domain has a
 * record of it (only templates that are used), the options templates with
 * the instance's domain; over UDP again every --ipfix-template-refresh
 * seconds or
 * --ipfix-template-refresh-messages messages of the domain, whichever comes
 * first (RFC 7011 section 8.4); over TCP once per connection (a new
 * connection is a new session: templates first, section 10.4.2; its
 * messages wait in the backlog while it comes up). A removed table's
 * domain ends after its last interval: its templates are withdrawn over
 * TCP (section 8.1) and dropped without a word over UDP.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipfix.h"
#include "ipfix_conn.h"
#include "ipfix_export.h"
#include "ipfix_stream.h"
#include "log.h"

/* fits a 1500-byte MTU with IPv6 and UDP headers and room to spare */
#define IPFIX_UDP_MSG_MAX	1400
#define IPFIX_TCP_MSG_MAX	32768

struct ipfix_collector {
	struct ipfix_conn conn;
	struct ipfix_stream st;
	bool have_stream;
	double now;		/* of the interval being sent */
};

struct ipfix_exp {
	fbInfoModel_t *model;
	int nr;
	struct ipfix_collector coll[FT_MAX_IPFIX];
	__u32 domain_base;
	double refresh_secs;
	unsigned int refresh_msgs;
	__u32 said_id[FT_MAX_TABLES];	/* domains the log has named */
	/* the interval's entries by table and template variant, once for all
	 * collectors: order[first[k] .. first[k + 1]) for k = slot *
	 * IPFIX_VARIANTS + variant */
	__u32 *order;
	size_t order_cap;
	size_t first[FT_MAX_TABLES * IPFIX_VARIANTS + 1];
	bool said_instance;
	__u32 options_crc;		/* what the options records said last */
};

static bool ipfix_wanted(const struct export_opts *o)
{
	return o->nr_ipfix > 0;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int collector_send(void *ctx, const void *msg, size_t len)
{
	struct ipfix_collector *c = ctx;

	return ipfix_conn_send(&c->conn, msg, len, c->now);
}

static void ipfix_close(struct exporter *e)
{
	struct ipfix_conn *conns[FT_MAX_IPFIX];
	struct ipfix_exp *x = e->priv;
	int i;

	if (!x)
		return;
	/* the last interval's messages: all collectors under one deadline */
	for (i = 0; i < x->nr; i++)
		conns[i] = &x->coll[i].conn;
	ipfix_conn_linger(conns, x->nr, IPFIX_TCP_LINGER_MS);
	for (i = 0; i < x->nr; i++) {
		if (x->coll[i].have_stream)
			ipfix_stream_free(&x->coll[i].st);
		ipfix_conn_close(&x->coll[i].conn);
	}
	if (x->model)
		fbInfoModelFree(x->model);
	free(x->order);
	free(x);
	e->priv = NULL;
}

static int ipfix_open(struct exporter *e, const struct export_opts *o, struct sink *out)
{
	struct ipfix_exp *x;
	int i, err;

	(void)out;
	x = calloc(1, sizeof(*x));
	if (!x)
		return log_errno(-ENOMEM, "IPFIX exporter");
	e->priv = x;
	x->domain_base = o->ipfix_domain_base;
	x->refresh_secs = o->ipfix_refresh_secs;
	x->refresh_msgs = o->ipfix_refresh_msgs;
	x->model = fbInfoModelAlloc();
	for (i = 0; i < o->nr_ipfix && i < FT_MAX_IPFIX; i++) {
		x->coll[i].conn.fd = -1;
		x->nr++;
		err = ipfix_conn_open(&x->coll[i].conn, o->ipfix[i], now_mono());
		if (err) {
			ipfix_close(e);
			return err;
		}
	}
	return 0;
}

static bool table_reported(const struct ft_table *t)
{
	return t->used && !(t->removed && t->removal_reported);
}

static __u32 domain_of(const struct ipfix_exp *x, const struct ft_table *t)
{
	return x->domain_base + t->id;
}

/* What the options records say: the interfaces and the tables' domains. A
 * change sends them again. */
static __u32 options_crc(const struct ft_catalog *cat)
{
	__u32 h = 2166136261u;
	int i;
	size_t j;

	catalog_for_each_iface(cat, i) {
		const struct ft_iface *f = &cat->ifaces[i];

		h = (h ^ f->ifindex) * 16777619u;
		for (j = 0; j < sizeof(f->name) && f->name[j]; j++)
			h = (h ^ (__u8)f->name[j]) * 16777619u;
	}
	for (i = 0; i < FT_MAX_TABLES; i++)
		if (table_reported(&cat->tables[i]))
			h = (h ^ cat->tables[i].id) * 16777619u;
	return h;
}

static int put_string_record(struct ipfix_stream *st, int k, __u32 scope, const char *text)
{
	fbVarfield_t vf = { .len = strlen(text), .buf = (uint8_t *)text };
	__u8 rec[sizeof(scope) + sizeof(vf)];

	memcpy(rec, &scope, sizeof(scope));
	memcpy(rec + sizeof(scope), &vf, sizeof(vf));
	return ipfix_stream_append(st, k, rec, sizeof(rec));
}

/* The options records: each table's domain named, each interface. */
static int put_options(struct ipfix_exp *x, struct ipfix_stream *st, const struct ft_catalog *cat)
{
	char name[FT_TABLE_NAME_MAX + 160];
	int i, err = 0;

	for (i = 0; i < FT_MAX_TABLES && !err; i++) {
		const struct ft_table *t = &cat->tables[i];

		if (!table_reported(t))
			continue;
		ipfix_domain_name(&t->spec, name, sizeof(name));
		err = put_string_record(st, IPFIX_TID_DOMAIN_NAME - IPFIX_TID_DATA,
					domain_of(x, t), name);
	}
	catalog_for_each_iface(cat, i) {
		if (err)
			break;
		err = put_string_record(st, IPFIX_TID_IFACE_NAME - IPFIX_TID_DATA,
					cat->ifaces[i].ifindex, cat->ifaces[i].name);
	}
	return err;
}

static bool refresh_due(const struct ipfix_exp *x, const struct ipfix_collector *c, int slot)
{
	if (c->conn.transport != IPFIX_UDP)
		return false;
	return (x->refresh_secs > 0 && c->now - c->st.tmpl_at[slot] >= x->refresh_secs) ||
	       (x->refresh_msgs && c->st.msgs_since[slot] >= x->refresh_msgs);
}

/*
 * The instance's own domain (the base): options records naming the tables'
 * domains and the interfaces, when its templates go out and when what they
 * say changed. In a domain of their own, the tables' domains carry data
 * records only: collectors that count only the records they decode (nfcapd
 * skips options records it has no use for) see their sequence numbers add
 * up.
 */
static int send_instance(struct ipfix_exp *x, struct ipfix_collector *c,
			 const struct ft_catalog *cat, bool changed)
{
	const int slot = IPFIX_INSTANCE_SLOT;
	bool announced, due;
	int err;

	err = ipfix_stream_domain(&c->st, slot, 1, x->domain_base, NULL, 0, &announced);
	if (err)
		return err;
	due = announced || refresh_due(x, c, slot);
	if (due && !announced)
		err = ipfix_stream_export_templates(&c->st);
	if (due)
		c->st.tmpl_at[slot] = c->now;
	if (!err && (due || changed))
		err = put_options(x, &c->st, cat);
	if (!err)
		err = ipfix_stream_emit(&c->st);
	return err;
}

/* One table's records of the interval, in its domain. */
static int send_table(struct ipfix_exp *x, struct ipfix_collector *c, const struct ft_catalog *cat,
		      int slot, const struct ft_counts *interval)
{
	const struct ft_table *t = &cat->tables[slot];
	__u64 start_ms = (__u64)(interval->start * 1000), end_ms = (__u64)(interval->end * 1000);
	__u32 domain = domain_of(x, t), ifindex = ipfix_table_ifindex(cat, &t->spec);
	struct ipfix_template tmpl[IPFIX_VARIANTS];
	unsigned int variants = 0;
	bool announced;
	__u8 rec[256];
	size_t i;
	int v, err;

	for (v = 0; v < IPFIX_VARIANTS; v++) {
		size_t k = (size_t)slot * IPFIX_VARIANTS + (size_t)v;

		if (x->first[k + 1] > x->first[k])
			variants |= 1u << v;
	}
	err = ipfix_stream_domain(&c->st, slot, t->id, domain, &t->spec, variants, &announced);
	if (err)
		return err;
	if (announced)
		c->st.tmpl_at[slot] = c->now;
	else if (refresh_due(x, c, slot)) {
		err = ipfix_stream_export_templates(&c->st);
		c->st.tmpl_at[slot] = c->now;
	}
	for (v = 0; v < IPFIX_VARIANTS; v++)
		if (ipfix_variant_used(&t->spec, v))
			ipfix_template_init(&tmpl[v], &t->spec, v);
	/* one set per template: entries grouped by variant (sort_entries) */
	for (v = 0; v < IPFIX_VARIANTS && !err; v++) {
		size_t k = (size_t)slot * IPFIX_VARIANTS + (size_t)v;

		for (i = x->first[k]; i < x->first[k + 1] && !err; i++) {
			const struct ft_entry *ent = &interval->entries[x->order[i]];

			ipfix_record_encode(&tmpl[v], &t->spec, ent, start_ms, end_ms, ifindex, rec);
			err = ipfix_stream_append(&c->st, v, rec, tmpl[v].record_len);
		}
	}
	if (!err)
		err = ipfix_stream_emit(&c->st);
	return err;
}

/* The domains of tables gone since the last interval (removed, their last
 * interval sent, or their slot taken by another): their templates dropped,
 * and withdrawn over TCP. */
static int forget_gone(struct ipfix_exp *x, struct ipfix_collector *c,
		       const struct ft_catalog *cat)
{
	int slot, err = 0, ret;

	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		const struct ft_table *t = &cat->tables[slot];
		__u32 id = c->st.table_id[slot];

		if (!id || (table_reported(t) && t->id == id))
			continue;
		ret = ipfix_stream_forget(&c->st, slot, x->domain_base + id,
					  c->conn.transport == IPFIX_TCP);
		if (ret && !err)
			err = ret;
	}
	return err;
}

static int send_interval(struct ipfix_exp *x, struct ipfix_collector *c,
			 const struct ft_catalog *cat, const struct ft_counts *interval,
			 bool changed)
{
	bool fresh;
	int slot, err = 0, ret;

	c->now = now_mono();
	if (!ipfix_conn_ready(&c->conn, c->now, &fresh))
		return -ENOTCONN;	/* said by the connection, once */
	if (fresh && c->have_stream) {
		ipfix_stream_free(&c->st);
		c->have_stream = false;
	}
	if (!c->have_stream) {
		err = ipfix_stream_init(&c->st, x->model,
					c->conn.transport == IPFIX_UDP ? IPFIX_UDP_MSG_MAX
								       : IPFIX_TCP_MSG_MAX,
					collector_send, c);
		if (err)
			return err;
		c->have_stream = true;
	}
	c->st.err = 0;
	err = forget_gone(x, c, cat);
	ret = send_instance(x, c, cat, changed);
	if (ret && !err)
		err = ret;
	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		if (!table_reported(&cat->tables[slot]))
			continue;
		ret = send_table(x, c, cat, slot, interval);
		if (ret && !err)
			err = ret;
	}
	return err ?: c->st.err;
}

/* An entry's bucket (table, template variant); false: its table is not
 * exported. */
static bool entry_bucket(const struct ft_catalog *cat, const struct ft_entry *e, size_t *k)
{
	if (e->table >= FT_MAX_TABLES || !table_reported(&cat->tables[e->table]))
		return false;
	*k = e->table * IPFIX_VARIANTS +
	     (size_t)ipfix_entry_variant(&cat->tables[e->table].spec, &e->key);
	return true;
}

/* Orders the interval's entries by table and variant (a counting sort):
 * each table's records are then read once per collector, not found among
 * all entries once per table and variant. Entries of tables not reported
 * are left out. */
static int sort_entries(struct ipfix_exp *x, const struct ft_catalog *cat,
			const struct ft_counts *interval)
{
	const size_t nk = FT_MAX_TABLES * IPFIX_VARIANTS;
	size_t i, k, at[FT_MAX_TABLES * IPFIX_VARIANTS];

	if (interval->nr_entries > x->order_cap) {
		__u32 *o = realloc(x->order, interval->nr_entries * sizeof(*o));

		if (!o)
			return log_errno(-ENOMEM, "IPFIX: ordering %zu entries",
					 interval->nr_entries);
		x->order = o;
		x->order_cap = interval->nr_entries;
	}
	memset(x->first, 0, sizeof(x->first));
	for (i = 0; i < interval->nr_entries; i++)
		if (entry_bucket(cat, &interval->entries[i], &k))
			x->first[k + 1]++;
	for (k = 0; k < nk; k++) {
		x->first[k + 1] += x->first[k];
		at[k] = x->first[k];
	}
	for (i = 0; i < interval->nr_entries; i++)
		if (entry_bucket(cat, &interval->entries[i], &k))
			x->order[at[k]++] = (__u32)i;
	return 0;
}

static void say_domains(struct ipfix_exp *x, const struct ft_catalog *cat)
{
	char name[FT_TABLE_NAME_MAX + 160];
	int slot;

	if (!x->said_instance)
		log_info("IPFIX observation domain %u: the instance (options records: the "
			 "tables' domains, the interfaces)", x->domain_base);
	x->said_instance = true;
	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		const struct ft_table *t = &cat->tables[slot];

		if (!t->used || t->removed || x->said_id[slot] == t->id)
			continue;
		x->said_id[slot] = t->id;
		ipfix_domain_name(&t->spec, name, sizeof(name));
		log_info("IPFIX observation domain %u: table %s", domain_of(x, t), name);
	}
}

static int ipfix_interval(struct exporter *e, const struct ft_catalog *cat,
			  const struct ft_counts *interval, const struct ft_counts *total)
{
	struct ipfix_exp *x = e->priv;
	__u32 crc = options_crc(cat);
	bool changed = crc != x->options_crc;
	int i, err = 0, ret;

	(void)total;
	say_domains(x, cat);
	err = sort_entries(x, cat, interval);
	if (err)
		return err;
	x->options_crc = crc;
	for (i = 0; i < x->nr; i++) {
		ret = send_interval(x, &x->coll[i], cat, interval, changed);
		if (ret && !err)
			err = ret;
	}
	return err;
}

/* The domains of the tables there at the start, in the log; those added
 * later are named as they first go out. */
static void ipfix_started(struct exporter *e, const struct ft_catalog *cat)
{
	say_domains(e->priv, cat);
}

const struct exporter_ops ipfix_exporter = {
	.name = "ipfix",
	.wanted = ipfix_wanted,
	.open = ipfix_open,
	.started = ipfix_started,
	.interval = ipfix_interval,
	.close = ipfix_close,
};
