// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CSV records: one header, then one row per entry of every table and
 * direction, for each interval ("interval" rows: that interval's counts) and
 * at the end ("final" rows: the totals). Every table's rows share the same
 * columns; a field the table does not key by is left empty, and so are
 * dport and port for ICMP (icmp_type and icmp_code instead) and the ICMP
 * columns for everything else. Columns added later go last (vni, port). No value needs quoting: table names are [A-Za-z0-9_-],
 * protocols names or numbers, addresses have no commas.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "log.h"
#include "output.h"
#include "names.h"
#include "sink.h"

#define CSV_HEADER                                                                        \
	"type,start,end,table,direction,proto,sport,dport,icmp_type,icmp_code,saddr,daddr," \
	"vlan,ifindex,dscp,packets,bytes,vni,port\n"

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

static void put_row(FILE *f, const char *type, const struct ft_counts *c,
		    const struct table_spec *s, const struct ft_entry *e)
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
	if (port && !icmp)	/* the service port, kept in the key's dport */
		fprintf(f, "%u", k->dport);
	fputc('\n', f);
}

static int put_rows(FILE *f, const struct ft_catalog *cat, const struct ft_counts *c,
		    const char *type)
{
	size_t i;

	for (i = 0; i < c->nr_entries; i++) {
		const struct ft_entry *e = &c->entries[i];

		if (e->table < FT_MAX_TABLES && e->key.dir < FT_DIRS &&
		    cat->tables[e->table].used)
			put_row(f, type, c, &cat->tables[e->table].spec, e);
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
