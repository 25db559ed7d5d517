// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "names.h"
#include "output.h"

static double record_seconds(const struct ft_counts *c)
{
	return c->end > c->start ? c->end - c->start : 0;
}

/* What the device itself counted: rx on ingress, tx on egress. */
static void print_device(struct printer *p, const struct ft_devrecord *dev, int dir)
{
	if (!dev || !dev->valid) {
		print_string(p, PRINT_FP, NULL, " %12s", "-");
		return;
	}
	print_open_object(p, "device");
	print_u64(p, PRINT_ANY, "packets", " %12llu", dev->count[dir].packets);
	print_u64(p, PRINT_JSON, "bytes", NULL, dev->count[dir].bytes);
	print_u64(p, PRINT_JSON, "dropped", NULL, dev->count[dir].dropped);
	print_close_object(p);
}

/* One interface and direction; ifc NULL: a row that sums several (other,
 * removed). */
static void print_iface_row(struct printer *p, const struct ft_iface *ifc, const char *name,
			    const struct ft_value *cnt, const struct ft_devrecord *dev, int d)
{
	bool first = true;
	int r;

	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "name", "%-16s", name);
	print_u64(p, PRINT_JSON, "ifindex", NULL, ifc ? ifc->ifindex : 0);
	if (ifc && ifc->gone)
		print_bool(p, PRINT_JSON, "gone", NULL, true);
	print_string(p, PRINT_ANY, "direction", " %-8s", ft_dir_names[d]);
	print_string(p, PRINT_ANY, "hook", " %-11s", ifc && ifc->gone ? "gone" : iface_hook(ifc, d));
	print_string(p, PRINT_JSON, "hook_reason", NULL, iface_hook_reason(ifc, d));
	print_peer(p, ifc);
	print_value(p, "seen", &cnt[FT_CNT_SEEN]);
	print_u64(p, PRINT_FP, NULL, " %12llu", cnt[FT_CNT_SEEN].packets);
	print_u64(p, PRINT_FP, NULL, " %14llu", cnt[FT_CNT_SEEN].bytes);
	print_device(p, dev, d);
	print_text(p, " ");
	print_open_object(p, "unclassified");
	for (r = 0; r < FT_UNCL_REASONS; r++) {
		const struct ft_value *u = &cnt[FT_CNT_UNCL(r)];

		print_value(p, ft_uncl_names[r], u);
		if (!u->packets)
			continue;
		print_text(p, "%s%s %llu", first ? " " : ", ", ft_uncl_names[r],
			   (unsigned long long)u->packets);
		first = false;
	}
	print_close_object(p);
	print_text(p, "%s\n", first ? " -" : "");
	print_close_object(p);
}

/* Every interface row (fields.h: iface_row_next). */
static void print_ifaces(struct printer *p, const struct ft_catalog *cat,
			 const struct ft_counts *c, const struct output_opts *opts)
{
	struct iface_row row = { .pos = 0 };

	print_text(p, "%-16s %-8s %-11s %12s %14s %12s  %s\n", "IFACE", "DIR", "HOOK", "PACKETS",
		   "BYTES", "DEVICE_PKTS", "UNCLASSIFIED");
	print_open_array(p, "ifaces");
	while (iface_row_next(cat, c, &row))
		print_iface_row(p, row.ifc, row.name, row.cnt,
				row.slot >= 0 && opts->device ? &opts->device[row.slot] : NULL,
				row.dir);
	print_close_array(p);
}

static void print_key_header(struct printer *p, const struct table_spec *s)
{
	if (s->fields & FT_FIELD_BIT(FT_F_IFINDEX))
		print_text(p, " %-8s", "IFINDEX");
	if (s->fields & FT_FIELD_BIT(FT_F_VNI))
		print_text(p, " %-8s", "VNI");
	if (s->fields & FT_FIELD_BIT(FT_F_VLAN))
		print_text(p, " %-5s", "VLAN");
	if (s->fields & FT_FIELD_BIT(FT_F_SADDR))
		print_text(p, " %-20s", "SADDR");
	if (s->fields & FT_FIELD_BIT(FT_F_DADDR))
		print_text(p, " %-20s", "DADDR");
	if (s->fields & FT_FIELD_BIT(FT_F_PROTO))
		print_text(p, " %-7s", "PROTO");
	if (s->fields & FT_FIELD_BIT(FT_F_SPORT))
		print_text(p, " %5s", "SPORT");
	if (s->fields & FT_FIELD_BIT(FT_F_DPORT))
		print_text(p, " %5s %-16s", "DPORT", "SERVICE");
	if (s->fields & FT_FIELD_BIT(FT_F_PORT))
		print_text(p, " %5s %-16s", "PORT", "SERVICE");
	if (s->fields & FT_FIELD_BIT(FT_F_DSCP))
		print_text(p, " %4s", "DSCP");
	print_text(p, " %12s %14s %9s %9s\n", "PACKETS", "BYTES", "PKT/S", "BIT/S");
}

static void print_table(struct printer *p, const struct ft_catalog *cat,
			const struct ft_counts *c, int slot, int dir, const char *type,
			const struct output_opts *opts)
{
	double secs = record_seconds(c);
	const struct ft_table *t = &cat->tables[slot];
	const struct ft_value *tc = c->table[slot][dir];
	char keytext[128];
	size_t i, nkeys = 0, shown = 0;
	int f;

	for (i = 0; i < c->nr_entries; i++)
		nkeys += c->entries[i].table == (__u32)slot && c->entries[i].key.dir == dir;
	table_spec_key_text(&t->spec, keytext, sizeof(keytext));

	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "name", "\n%s", t->spec.name);
	/* never reused within the instance: IPFIX's observation domain */
	print_u64(p, PRINT_JSON, "id", NULL, t->id);
	print_text(p, " (%s)", keytext);
	print_open_array(p, "key");
	for (f = 0; f < FT_FIELDS; f++)
		if (t->spec.fields & FT_FIELD_BIT(f))
			print_string(p, PRINT_JSON, NULL, NULL, ft_field_names[f]);
	print_close_array(p);
	print_string(p, PRINT_ANY, "direction", " %s", ft_dir_names[dir]);
	print_string(p, PRINT_JSON, "kind", NULL, t->spec.lru ? "lru" : "hash");
	print_bool(p, PRINT_JSON, "removed", NULL, t->removed);
	print_bool(p, PRINT_JSON, "approximate", NULL, t->spec.lru);
	print_u64(p, PRINT_JSON, "size", NULL, t->spec.size);
	print_u64(p, PRINT_ANY, "keys", ": %llu keys", nkeys);
	/* keys stay until idle: how full the map got in the interval, both
	 * directions together since they share it */
	if (!strcmp(type, "interval")) {
		double fill = (double)(c->resident[slot][0] + c->resident[slot][1]) /
			      (t->spec.size ? t->spec.size : 1);

		print_float(p, PRINT_JSON, "fill", NULL, fill, 4);
		print_float(p, PRINT_FP, NULL, " (%.0f%% full)", fill * 100, 0);
	}
	if (!t->removed) {
		print_u64(p, PRINT_JSON, "memory_bytes", NULL, t->mem_bytes);
		print_u64(p, PRINT_FP, NULL, ", %llu KiB", (t->mem_bytes + 1023) / 1024);
	}
	if (t->spec.lru) {
		print_u64(p, PRINT_ANY, "evicted", ", evicted %llu", c->evicted[slot][dir]);
	}
	print_value(p, "overflow", &tc[FT_TBL_OVERFLOW]);
	print_u64(p, PRINT_FP, NULL, ", overflow %llu", tc[FT_TBL_OVERFLOW].packets);
	print_u64(p, PRINT_JSON, "inserts", NULL, tc[FT_TBL_INSERTS].packets);
	print_text(p, "%s%s\n", t->spec.lru ? " (LRU: approximate)" : "",
		   t->removed ? " (removed)" : "");
	print_key_header(p, &t->spec);
	print_open_array(p, "entries");
	for (i = 0; i < c->nr_entries; i++) {
		const struct ft_entry *e = &c->entries[i];

		if (e->table != (__u32)slot || e->key.dir != dir)
			continue;
		if (!print_is_json(p) && opts->top && shown == (size_t)opts->top) {
			print_text(p, "  ... %zu more\n", nkeys - shown);
			break;
		}
		shown++;
		print_open_object(p, NULL);
		print_key(p, &t->spec, &e->key);
		print_u64(p, PRINT_ANY, "packets", " %12llu", e->val.packets);
		print_u64(p, PRINT_ANY, "bytes", " %14llu", e->val.bytes);
		print_rates(p, &e->val, secs);
		print_text(p, "\n");
		print_close_object(p);
	}
	print_close_array(p);
	print_close_object(p);
}

/* Text: local time with its offset from UTC, as RFC 3339 allows it with a
 * space for readability (2026-11-29 01:12:27+01:00), so that records read
 * on another host or across a change of summer time still say when. */
static void print_time(struct printer *p, const char *key, double t)
{
	char buf[64], off[8];
	time_t s = (time_t)t;
	struct tm tm;

	print_float(p, PRINT_JSON, key, NULL, t, 6);
	if (print_is_json(p))
		return;
	localtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(off, sizeof(off), "%z", &tm);	/* +0100 */
	print_text(p, "%s%.3s:%.2s", buf, off, off + 3);
}

void output_record(struct printer *p, const struct ft_catalog *cat, const struct ft_counts *c,
		   const char *type, const struct output_opts *opts)
{
	double secs = record_seconds(c);
	char host[256];
	int slot, d;

	if (opts->entries && print_is_json(p)) {
		output_entries(p, cat, c, type, opts);
		return;
	}
	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "type", "== %s ", type);
	print_origin(p, FT_SCHEMA_RECORD, record_host(opts->host, host, sizeof(host)),
		     opts->instance);
	print_time(p, "start", c->start);
	print_text(p, " .. ");
	print_time(p, "end", c->end);
	print_float(p, PRINT_ANY, "seconds", " (%.3f s)\n", secs, 6);
	if (opts->store_bytes)
		print_u64(p, PRINT_JSON, "store_bytes", NULL, opts->store_bytes);

	print_ifaces(p, cat, c, opts);

	print_open_array(p, "tables");
	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		if (!table_shown(&cat->tables[slot], type))
			continue;
		for (d = 0; d < FT_DIRS; d++)
			if (cat->tables[slot].cfg.dirmask & FT_DIRMASK(d))
				print_table(p, cat, c, slot, d, type, opts);
	}
	print_close_array(p);

	print_total(p, cat, c);
	print_text(p, "\n\n");
	print_close_object(p);
	print_end_record(p);
}
