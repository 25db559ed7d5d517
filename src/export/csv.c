// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CSV records: one header, then for each interval ("interval" rows: that
 * interval's counts) and at the end ("final" rows: the totals) rows of four
 * kinds, named in the `row` column:
 *
 *   seen          per interface and direction, always, 0 included: an idle
 *                 interval still has its rows, a stopped flowtally has none
 *   unclassified  per interface, direction and `reason`, when not 0
 *   overflow      per table and direction, always
 *   entry         per entry of every table and direction
 *
 * so that, per interval and direction, the seen rows add up to each table's
 * entry rows plus its overflow row plus the unclassified rows. Every row
 * has the same columns; a field the row's table does not key by is left
 * empty, and so are dport and port for ICMP (icmp_type and icmp_code
 * instead) and the ICMP columns for everything else. Columns added later
 * go last (vni; interface, row, reason; port). `interface` names the interface of
 * a seen or unclassified row, and of an entry of a table keyed on ifindex;
 * it is empty for other tables' entries, which count every interface.
 * Interface names are quoted (RFC 4180) when they hold a comma or a quote,
 * which Linux allows; table names, protocols and addresses never do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fields.h"
#include "log.h"
#include "output.h"
#include "names.h"
#include "sink.h"

#define CSV_HEADER                                                                        \
	"type,start,end,table,direction,proto,sport,dport,icmp_type,icmp_code,saddr,daddr," \
	"vlan,ifindex,dscp,packets,bytes,vni,interface,row,reason,port\n"

static bool csv_wanted(const struct export_opts *o)
{
	return o->csv;
}

/* --output appends: a file that already has rows has its header. The run
 * writes the header out with the first record (sink_flush), and says so if
 * it cannot. */
static int csv_open(struct exporter *e, const struct export_opts *o, struct sink *out)
{
	(void)o;
	e->priv = out->f;
	if (!out->has_content && fputs(CSV_HEADER, out->f) == EOF)
		return log_errno(-ENOMEM, "cannot start the CSV output");
	return 0;
}

/* An interface name as a field: quoted, quotes doubled, when it needs it. */
static void put_name(FILE *f, const char *name)
{
	const char *c;

	if (!strpbrk(name, ",\"\r\n")) {
		fputs(name, f);
		return;
	}
	fputc('"', f);
	for (c = name; *c; c++) {
		if (*c == '"')
			fputc('"', f);
		fputc(*c, f);
	}
	fputc('"', f);
}

static void put_field(FILE *f, const struct table_spec *s, int field, unsigned int v)
{
	if (s->fields & FT_FIELD_BIT(field))
		fprintf(f, "%u", v);
	fputc(',', f);
}

static void put_addr(FILE *f, const struct table_spec *s, int field, const __u8 *addr)
{
	int w = field == FT_F_DADDR;
	char text[FT_ADDR_TEXT_MAX];

	if (s->fields & FT_FIELD_BIT(field))
		fputs(ft_addr_text(addr, s->prefix[w][FT_FAMILY_IPV4], s->prefix[w][FT_FAMILY_IPV6],
				   text, sizeof(text)),
		      f);
	fputc(',', f);
}

static void put_row(FILE *f, const char *type, const struct ft_catalog *cat,
		    const struct ft_counts *c, const struct table_spec *s, const struct ft_entry *e)
{
	const struct ft_key *k = &e->key;
	bool icmp = ft_key_is_icmp(k, s->fields), dport = s->fields & FT_FIELD_BIT(FT_F_DPORT);
	bool port = s->fields & FT_FIELD_BIT(FT_F_PORT);
	char buf[16];

	fprintf(f, "%s,%.6f,%.6f,%s,%s,", type, c->start, c->end, s->name, ft_dir_names[k->dir]);
	if (s->fields & FT_FIELD_BIT(FT_F_PROTO))
		fputs(proto_name(k->proto, buf, sizeof(buf)), f);
	fputc(',', f);
	put_field(f, s, FT_F_SPORT, k->sport);
	if (dport && !icmp)
		fprintf(f, "%u", k->dport);
	fputc(',', f);
	if ((dport || port) && icmp)
		fprintf(f, "%u,%u,", k->dport >> 8, k->dport & 0xff);
	else
		fputs(",,", f);
	put_addr(f, s, FT_F_SADDR, k->saddr);
	put_addr(f, s, FT_F_DADDR, k->daddr);
	put_field(f, s, FT_F_VLAN, k->vlan);
	put_field(f, s, FT_F_IFINDEX, k->ifindex);
	put_field(f, s, FT_F_DSCP, k->dscp);
	/* vni came after the others: last, so that columns read by position stay */
	fprintf(f, "%llu,%llu,", (unsigned long long)e->val.packets,
		(unsigned long long)e->val.bytes);
	if (s->fields & FT_FIELD_BIT(FT_F_VNI))
		fprintf(f, "%u", ft_key_vni(k));
	fputc(',', f);
	if (s->fields & FT_FIELD_BIT(FT_F_IFINDEX) && iface_name_of(cat, k->ifindex))
		put_name(f, iface_name_of(cat, k->ifindex));
	fputs(",entry,,", f);
	if (port && !icmp)	/* the service port, kept in the key's dport */
		fprintf(f, "%u", k->dport);
	fputc('\n', f);
}

/* A row without a key: seen, unclassified or overflow of one interface or
 * table and direction. The columns up to packets are empty but for these. */
static void put_count(FILE *f, const char *type, const struct ft_counts *c, const char *table,
		      int dir, const struct ft_iface *ifc, const char *name,
		      const struct ft_value *v, const char *row, const char *reason)
{
	fprintf(f, "%s,%.6f,%.6f,%s,%s,,,,,,,,,", type, c->start, c->end, table ? table : "",
		ft_dir_names[dir]);
	if (!table)
		fprintf(f, "%u", ifc ? ifc->ifindex : 0);
	fprintf(f, ",,%llu,%llu,,", (unsigned long long)v->packets, (unsigned long long)v->bytes);
	if (!table)
		put_name(f, name);
	fprintf(f, ",%s,%s,\n", row, reason ? reason : "");
}

static void put_iface_rows(FILE *f, const struct ft_catalog *cat, const struct ft_counts *c,
			   const char *type)
{
	struct iface_row row = { .pos = 0 };
	int r;

	while (iface_row_next(cat, c, &row)) {
		put_count(f, type, c, NULL, row.dir, row.ifc, row.name, &row.cnt[FT_CNT_SEEN],
			  "seen", NULL);
		for (r = 0; r < FT_UNCL_REASONS; r++)
			if (row.cnt[FT_CNT_UNCL(r)].packets)
				put_count(f, type, c, NULL, row.dir, row.ifc, row.name,
					  &row.cnt[FT_CNT_UNCL(r)], "unclassified",
					  ft_uncl_names[r]);
	}
}

static int put_rows(FILE *f, const struct ft_catalog *cat, const struct ft_counts *c,
		    const char *type)
{
	size_t i;
	int t, d;

	put_iface_rows(f, cat, c, type);
	for (t = 0; t < FT_MAX_TABLES; t++) {
		const struct ft_table *tb = &cat->tables[t];

		if (!table_shown(tb, type))
			continue;
		for (d = 0; d < FT_DIRS; d++)
			if (tb->cfg.dirmask & FT_DIRMASK(d))
				put_count(f, type, c, tb->spec.name, d, NULL, NULL,
					  &c->table[t][d][FT_TBL_OVERFLOW], "overflow", NULL);
	}
	for (i = 0; i < c->nr_entries; i++) {
		const struct ft_entry *e = &c->entries[i];

		if (e->table < FT_MAX_TABLES && e->key.dir < FT_DIRS &&
		    cat->tables[e->table].used)
			put_row(f, type, cat, c, &cat->tables[e->table].spec, e);
	}
	return ferror(f) ? -EIO : 0;	/* memory: the run writes it out */
}

static int csv_interval(struct exporter *e, const struct ft_catalog *cat,
			const struct ft_counts *interval, const struct ft_counts *total)
{
	(void)total;
	return put_rows(e->priv, cat, interval, "interval");
}

static int csv_final(struct exporter *e, const struct ft_catalog *cat,
		     const struct ft_counts *total)
{
	return put_rows(e->priv, cat, total, "final");
}

/* The FILE belongs to the run. */
static void csv_close(struct exporter *e)
{
	e->priv = NULL;
}

const struct exporter_ops csv_exporter = {
	.name = "csv",
	.wanted = csv_wanted,
	.open = csv_open,
	.interval = csv_interval,
	.final = csv_final,
	.close = csv_close,
};
