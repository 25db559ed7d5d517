// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --json=entries: a record as one JSON line per thing it counts, for
 * pipelines that take a line at a time (jq -c, Vector, Logstash, Loki)
 * rather than one large object per interval. Each line says what it is in
 * "type":
 *
 *   "interface"     one per interface and direction: seen, unclassified by
 *                   reason, the device's own counters
 *   "table"         one per table and direction: overflow, inserts, fill
 *   "entry"         one per key of a table and direction
 *   "interval_end"  last: the span, how many lines of each type came before
 *                   it, and the totals; a reader that saw it has the whole
 *                   record
 *
 * Every line carries schema, type, record ("interval", "final"), time (the
 * span's end, RFC 3339 UTC), host and instance, so that a line alone says
 * where and when it was counted. Per direction, seen over the interface
 * lines equals each table's entries plus its overflow plus the interface
 * lines' unclassified, as in the record form.
 */
#include <stdio.h>

#include "fields.h"
#include "names.h"
#include "output.h"

struct line_ctx {
	struct printer *p;
	const char *record;	/* "interval", "final", "dump" */
	const char *time;	/* RFC 3339 */
	const char *host;	/* read once per record, not per line */
	const struct output_opts *opts;
};

static void line_start(const struct line_ctx *lc, const char *type)
{
	struct printer *p = lc->p;

	print_open_object(p, NULL);
	print_string(p, PRINT_JSON, "type", NULL, type);
	print_origin(p, FT_SCHEMA_ENTRY, lc->host, lc->opts->instance);
	print_string(p, PRINT_JSON, "record", NULL, lc->record);
	print_string(p, PRINT_JSON, "time", NULL, lc->time);
}

static void line_end(const struct line_ctx *lc)
{
	print_close_object(lc->p);
	print_end_line(lc->p);
}

static int interface_lines(const struct line_ctx *lc, const struct ft_catalog *cat,
			   const struct ft_counts *c)
{
	struct printer *p = lc->p;
	struct iface_row row = { .pos = 0 };
	int r, n = 0;

	while (iface_row_next(cat, c, &row)) {
		const struct ft_iface *ifc = row.ifc;
		const struct ft_devrecord *dev =
			row.slot >= 0 && lc->opts->device ? &lc->opts->device[row.slot] : NULL;
		int d = row.dir;

		line_start(lc, "interface");
		print_string(p, PRINT_JSON, "interface", NULL, row.name);
		print_u64(p, PRINT_JSON, "ifindex", NULL, ifc ? ifc->ifindex : 0);
		if (ifc && ifc->gone)
			print_bool(p, PRINT_JSON, "gone", NULL, true);
		print_string(p, PRINT_JSON, "direction", NULL, ft_dir_names[d]);
		print_string(p, PRINT_JSON, "hook", NULL,
			     ifc && ifc->gone ? "gone" : iface_hook(ifc, d));
		print_string(p, PRINT_JSON, "hook_reason", NULL, iface_hook_reason(ifc, d));
		print_peer(p, ifc);
		print_value(p, "seen", &row.cnt[FT_CNT_SEEN]);
		if (dev && dev->valid) {
			print_open_object(p, "device");
			print_u64(p, PRINT_JSON, "packets", NULL, dev->count[d].packets);
			print_u64(p, PRINT_JSON, "bytes", NULL, dev->count[d].bytes);
			print_u64(p, PRINT_JSON, "dropped", NULL, dev->count[d].dropped);
			print_close_object(p);
		}
		print_open_object(p, "unclassified");
		for (r = 0; r < FT_UNCL_REASONS; r++)
			print_value(p, ft_uncl_names[r], &row.cnt[FT_CNT_UNCL(r)]);
		print_close_object(p);
		line_end(lc);
		n++;
	}
	return n;
}

static void table_line(const struct line_ctx *lc, const struct ft_catalog *cat,
		       const struct ft_counts *c, int slot, int dir, size_t nkeys)
{
	const struct ft_table *t = &cat->tables[slot];
	const struct ft_value *tc = c->table[slot][dir];
	struct printer *p = lc->p;
	int f;

	line_start(lc, "table");
	print_string(p, PRINT_JSON, "table", NULL, t->spec.name);
	print_u64(p, PRINT_JSON, "table_id", NULL, t->id);
	print_string(p, PRINT_JSON, "direction", NULL, ft_dir_names[dir]);
	print_open_array(p, "key");
	for (f = 0; f < FT_FIELDS; f++)
		if (t->spec.fields & FT_FIELD_BIT(f))
			print_string(p, PRINT_JSON, NULL, NULL, ft_field_names[f]);
	print_close_array(p);
	print_string(p, PRINT_JSON, "kind", NULL, t->spec.lru ? "lru" : "hash");
	print_bool(p, PRINT_JSON, "removed", NULL, t->removed);
	print_bool(p, PRINT_JSON, "approximate", NULL, t->spec.lru);
	print_u64(p, PRINT_JSON, "size", NULL, t->spec.size);
	print_u64(p, PRINT_JSON, "keys", NULL, nkeys);
	if (!strcmp(lc->record, "interval"))
		print_float(p, PRINT_JSON, "fill", NULL,
			    (double)(c->resident[slot][0] + c->resident[slot][1]) /
				    (t->spec.size ? t->spec.size : 1),
			    4);
	if (!t->removed)
		print_u64(p, PRINT_JSON, "memory_bytes", NULL, t->mem_bytes);
	if (t->spec.lru)
		print_u64(p, PRINT_JSON, "evicted", NULL, c->evicted[slot][dir]);
	print_value(p, "overflow", &tc[FT_TBL_OVERFLOW]);
	print_u64(p, PRINT_JSON, "inserts", NULL, tc[FT_TBL_INSERTS].packets);
	line_end(lc);
}

/*
 * An entry of a table that keys on ifindex belongs to that interface: its
 * name (null if the catalog has no such ifindex). Any other table counts
 * every interface of the instance together: "interface" is null, and the
 * entry adds up against the sum of the interface lines of its direction.
 */
static void entry_line(const struct line_ctx *lc, const struct ft_catalog *cat,
		       const struct ft_table *t, const struct ft_entry *e, double secs)
{
	struct printer *p = lc->p;

	line_start(lc, "entry");
	print_string(p, PRINT_JSON, "interface", NULL,
		     t->spec.fields & FT_FIELD_BIT(FT_F_IFINDEX)
			     ? iface_name_of(cat, e->key.ifindex)
			     : NULL);
	print_string(p, PRINT_JSON, "table", NULL, t->spec.name);
	print_u64(p, PRINT_JSON, "table_id", NULL, t->id);
	print_string(p, PRINT_JSON, "direction", NULL, ft_dir_names[e->key.dir]);
	print_key(p, &t->spec, &e->key);
	print_u64(p, PRINT_JSON, "packets", NULL, e->val.packets);
	print_u64(p, PRINT_JSON, "bytes", NULL, e->val.bytes);
	print_rates(p, &e->val, secs);
	line_end(lc);
}

/* The record's last line: its span, how many lines of each type came
 * before it, and seen per direction; flushes the record out. */
static void interval_end_line(const struct line_ctx *lc, const struct ft_catalog *cat,
			      const struct ft_counts *c, int nifaces, int ntables,
			      size_t nentries)
{
	struct printer *p = lc->p;

	line_start(lc, "interval_end");
	print_float(p, PRINT_JSON, "start", NULL, c->start, 6);
	print_float(p, PRINT_JSON, "end", NULL, c->end, 6);
	print_float(p, PRINT_JSON, "seconds", NULL, c->end > c->start ? c->end - c->start : 0, 6);
	if (lc->opts->store_bytes)
		print_u64(p, PRINT_JSON, "store_bytes", NULL, lc->opts->store_bytes);
	print_u64(p, PRINT_JSON, "interfaces", NULL, nifaces);
	print_u64(p, PRINT_JSON, "tables", NULL, ntables);
	print_u64(p, PRINT_JSON, "entries", NULL, nentries);
	print_total(p, cat, c);
	print_close_object(p);
	print_end_record(p);
}

void output_entries(struct printer *p, const struct ft_catalog *cat, const struct ft_counts *c,
		    const char *type, const struct output_opts *opts)
{
	double secs = c->end > c->start ? c->end - c->start : 0;
	size_t i, nentries = 0, nkeys;
	int slot, d, ntables = 0, nifaces;
	char when[40], host[256];
	struct line_ctx lc = { p, type, rfc3339_utc(c->end, when, sizeof(when)),
			       record_host(opts->host, host, sizeof(host)), opts };

	nifaces = interface_lines(&lc, cat, c);
	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		const struct ft_table *t = &cat->tables[slot];

		if (!table_shown(t, type))
			continue;
		for (d = 0; d < FT_DIRS; d++) {
			if (!(t->cfg.dirmask & FT_DIRMASK(d)))
				continue;
			nkeys = 0;
			for (i = 0; i < c->nr_entries; i++)
				nkeys += c->entries[i].table == (__u32)slot &&
					 c->entries[i].key.dir == d;
			table_line(&lc, cat, c, slot, d, nkeys);
			ntables++;
			for (i = 0; i < c->nr_entries; i++) {
				const struct ft_entry *e = &c->entries[i];

				if (e->table != (__u32)slot || e->key.dir != d)
					continue;
				entry_line(&lc, cat, t, e, secs);
				nentries++;
			}
		}
	}

	interval_end_line(&lc, cat, c, nifaces, ntables, nentries);
}
