// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/libbpf.h>

#include "output.h"
#include "prom_text.h"
#include "names.h"

void prom_put_label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{ then labels with label(); close with "} value". */
static void label(FILE *f, bool *first, const char *key, const char *value)
{
	fprintf(f, "%s%s=\"", *first ? "{" : ",", key);
	prom_put_label_value(f, value);
	fputc('"', f);
	*first = false;
}

static void label_u(FILE *f, bool *first, const char *key, unsigned int value)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", value);
	label(f, first, key, buf);
}

static void value(FILE *f, bool first, unsigned long long v)
{
	fprintf(f, "%s %llu\n", first ? "" : "}", v);
}

static void table_labels(FILE *f, bool *first, const struct table_spec *s, int dir)
{
	label(f, first, "table", s->name);
	if (dir >= 0)
		label(f, first, "direction", ft_dir_names[dir]);
}

static void addr_label(FILE *f, bool *first, const struct table_spec *s, int field,
		       const __u8 *addr)
{
	int w = field == FT_F_DADDR;
	char text[FT_ADDR_TEXT_MAX];

	label(f, first, ft_field_names[field],
	      ft_addr_text(addr, s->prefix[w][FT_FAMILY_IPV4], s->prefix[w][FT_FAMILY_IPV6], text,
			   sizeof(text)));
}

#define PORT_BITS (FT_FIELD_BIT(FT_F_DPORT) | FT_FIELD_BIT(FT_F_PORT))

/* The table's key fields; ICMP's type and code have labels of their own. */
static void key_labels(FILE *f, bool *first, const struct table_spec *s, const struct ft_key *k)
{
	char buf[16];

	if (s->fields & FT_FIELD_BIT(FT_F_PROTO))
		label(f, first, "proto", proto_name(k->proto, buf, sizeof(buf)));
	if (s->fields & FT_FIELD_BIT(FT_F_SPORT))
		label_u(f, first, "sport", k->sport);
	if ((s->fields & PORT_BITS) && ft_key_is_icmp(k, s->fields)) {
		label_u(f, first, "icmp_type", k->dport >> 8);
		label_u(f, first, "icmp_code", k->dport & 0xff);
	} else if (s->fields & FT_FIELD_BIT(FT_F_DPORT)) {
		label_u(f, first, "dport", k->dport);
	} else if (s->fields & FT_FIELD_BIT(FT_F_PORT)) {
		label_u(f, first, "port", k->dport);	/* a port table keeps it in dport */
	}
	if (s->fields & FT_FIELD_BIT(FT_F_SADDR))
		addr_label(f, first, s, FT_F_SADDR, k->saddr);
	if (s->fields & FT_FIELD_BIT(FT_F_DADDR))
		addr_label(f, first, s, FT_F_DADDR, k->daddr);
	if (s->fields & FT_FIELD_BIT(FT_F_VLAN))
		label_u(f, first, "vlan", k->vlan);
	if (s->fields & FT_FIELD_BIT(FT_F_IFINDEX))
		label_u(f, first, "ifindex", k->ifindex);
	if (s->fields & FT_FIELD_BIT(FT_F_DSCP))
		label_u(f, first, "dscp", k->dscp);
	if (s->fields & FT_FIELD_BIT(FT_F_VNI))
		label_u(f, first, "vni", ft_key_vni(k));
}

static void other_labels(FILE *f, bool *first, const struct table_spec *s)
{
	int field;

	for (field = 0; field < FT_FIELDS; field++)
		if (s->fields & FT_FIELD_BIT(field))
			label(f, first, ft_field_names[field], "other");
}

/* A removed table keeps its series until a new table takes its name: two
 * series with the same labels would make the exposition invalid. */
static bool table_shown(const struct ft_catalog *cat, __u32 t)
{
	__u32 u;

	if (t >= FT_MAX_TABLES || !cat->tables[t].used)
		return false;
	for (u = t + 1; u < FT_MAX_TABLES; u++)
		if (cat->tables[u].used &&
		    !strcmp(cat->tables[u].spec.name, cat->tables[t].spec.name))
			return false;
	return true;
}

static bool table_counts(const struct ft_catalog *cat, int t, int d)
{
	return table_shown(cat, t) && (cat->tables[t].cfg.dirmask & FT_DIRMASK(d));
}

/* One family of entry counters: the keys with a series of their own (live
 * or frozen), then each table's and direction's "other": every key's total
 * less what its series shows, less what the series gone showed
 * (prom_series.h). */
static int put_entries(FILE *f, const struct ft_catalog *cat, const struct ft_counts *total,
		       struct prom_series *s, bool bytes)
{
	const char *name = bytes ? "flowtally_bytes_total" : "flowtally_packets_total";
	struct ft_value other[FT_MAX_TABLES][FT_DIRS] = {};
	bool shown[FT_MAX_TABLES];
	size_t i;
	int t, d, err;

	for (t = 0; t < FT_MAX_TABLES; t++)
		shown[t] = table_shown(cat, t);

	family(f, name, "counter",
	       bytes ? "Bytes counted in a table entry (whole frames), by table, direction and key."
		     : "Packets counted in a table entry, by table, direction and key.");
	for (i = 0; i < total->nr_entries; i++) {
		const struct ft_entry *e = &total->entries[i];
		const struct table_spec *spec;
		struct ft_value v;
		bool first = true;

		if (e->table >= FT_MAX_TABLES || e->key.dir >= FT_DIRS || !shown[e->table])
			continue;
		err = prom_series_show(s, e->table, &e->key, &e->val, &v);
		if (err < 0)
			return err;
		value_add(&other[e->table][e->key.dir], &e->val);
		if (!err)
			continue;
		other[e->table][e->key.dir].packets -= v.packets;
		other[e->table][e->key.dir].bytes -= v.bytes;
		spec = &cat->tables[e->table].spec;
		fputs(name, f);
		table_labels(f, &first, spec, e->key.dir);
		key_labels(f, &first, spec, &e->key);
		value(f, first, bytes ? v.bytes : v.packets);
	}
	for (t = 0; t < FT_MAX_TABLES; t++) {
		for (d = 0; d < FT_DIRS; d++) {
			const struct ft_value *r = &s->retired[t][d];
			struct ft_value *v = &other[t][d];
			bool first = true;

			v->packets = v->packets > r->packets ? v->packets - r->packets : 0;
			v->bytes = v->bytes > r->bytes ? v->bytes - r->bytes : 0;
			if (!table_counts(cat, t, d) || (s->nr[t][d] < s->max && !v->packets))
				continue;
			fputs(name, f);
			table_labels(f, &first, &cat->tables[t].spec, d);
			other_labels(f, &first, &cat->tables[t].spec);
			value(f, first, bytes ? v->bytes : v->packets);
		}
	}
	return 0;
}

void prom_ifaces_init(struct prom_ifaces *s, unsigned int max)
{
	memset(s, 0, sizeof(*s));
	s->max = max;
}

void prom_ifaces_free(struct prom_ifaces *s)
{
	free(s->epoch);
	free(s->own);
	prom_ifaces_init(s, s->max);
}

int prom_ifaces_update(struct prom_ifaces *s, const struct ft_catalog *cat)
{
	__u32 i, n = cat->nr_ifaces > 0 ? (__u32)cat->nr_ifaces : 0;

	if (n > s->nr) {
		__u64 *ix = realloc(s->epoch, n * sizeof(*ix));
		bool *own;

		if (!ix)
			return -ENOMEM;
		s->epoch = ix;
		own = realloc(s->own, n * sizeof(*own));
		if (!own)
			return -ENOMEM;
		s->own = own;
		memset(ix + s->nr, 0, (n - s->nr) * sizeof(*ix));
		memset(own + s->nr, 0, (n - s->nr) * sizeof(*own));
		s->nr = n;
	}
	for (i = 1; i < n; i++) {
		const struct ft_iface *ifc = &cat->ifaces[i];
		__u64 now = ifc->used ? ifc->epoch : 0;

		if (s->epoch[i] == now)
			continue;
		if (s->own[i])	/* its totals went to the removed sum: "other" */
			s->nr_own--;
		s->epoch[i] = now;
		s->own[i] = now && s->nr_own < s->max;
		s->nr_own += s->own[i];
	}
	return 0;
}

static bool iface_own(const struct prom_ifaces *s, int slot, unsigned int *own, unsigned int max)
{
	if (s)
		return (__u32)slot < s->nr && s->own[slot];
	return (*own)++ < max;	/* no record of decisions: the first ones */
}

/* One series per interface and direction (per reason with `uncl`) for the
 * interfaces `decided` gave series of their own (NULL: the first `max` in
 * slot order); the others, frames of no known interface and retired
 * interfaces sum up in iface="other", so the sum over the family stays
 * every frame seen, and "other" only grows. */
static void put_ifaces(FILE *f, const struct ft_catalog *cat, const struct ft_counts *total,
		       const char *name, const char *help, bool uncl, bool bytes,
		       const struct prom_ifaces *decided, unsigned int max)
{
	unsigned int own = 0;
	int slot, d, r, k;

	family(f, name, "counter", help);
	for (d = 0; d < FT_DIRS; d++) {
		if (!(cat->dirmask & FT_DIRMASK(d)))
			continue;
		for (r = 0; r < (uncl ? FT_UNCL_REASONS : 1); r++) {
			struct ft_value other;
			bool first;

			k = uncl ? FT_CNT_UNCL(r) : FT_CNT_SEEN;
			other = total->removed[d][k];
			own = 0;
			for (slot = 0; slot < (int)total->nr_iface; slot++) {
				const struct ft_value *v = &total->iface[slot][d][k];

				if (slot == FT_IFACE_OTHER || slot >= cat->nr_ifaces ||
				    !cat->ifaces[slot].used || !iface_own(decided, slot, &own, max)) {
					value_add(&other, v);
					continue;
				}
				first = true;
				fputs(name, f);
				label(f, &first, "iface", cat->ifaces[slot].name);
				label(f, &first, "direction", ft_dir_names[d]);
				if (uncl)
					label(f, &first, "reason", ft_uncl_names[r]);
				value(f, first, bytes ? v->bytes : v->packets);
			}
			if (!other.packets)
				continue;
			first = true;
			fputs(name, f);
			label(f, &first, "iface", "other");
			label(f, &first, "direction", ft_dir_names[d]);
			if (uncl)
				label(f, &first, "reason", ft_uncl_names[r]);
			value(f, first, bytes ? other.bytes : other.packets);
		}
	}
}

static void put_table_counter(FILE *f, const struct ft_catalog *cat,
			      const struct ft_counts *total, const char *name, const char *help,
			      int cnt, bool bytes)
{
	int t, d;

	family(f, name, "counter", help);
	for (t = 0; t < FT_MAX_TABLES; t++) {
		for (d = 0; d < FT_DIRS; d++) {
			const struct ft_value *v = &total->table[t][d][cnt];
			bool first = true;

			if (!table_counts(cat, t, d))
				continue;
			fputs(name, f);
			table_labels(f, &first, &cat->tables[t].spec, d);
			value(f, first, bytes ? v->bytes : v->packets);
		}
	}
}

/* LRU tables only: the others never evict. */
static void put_evictions(FILE *f, const struct ft_catalog *cat, const struct ft_counts *total)
{
	int t, d;

	family(f, "flowtally_table_evictions_total", "counter",
	       "Keys an LRU table's kernel map evicted, with their counts (lost).");
	for (t = 0; t < FT_MAX_TABLES; t++) {
		for (d = 0; d < FT_DIRS; d++) {
			bool first = true;

			if (!table_counts(cat, t, d) || !cat->tables[t].spec.lru)
				continue;
			fputs("flowtally_table_evictions_total", f);
			table_labels(f, &first, &cat->tables[t].spec, d);
			value(f, first, total->evicted[t][d]);
		}
	}
}

/* What the table gauges read from. */
struct gauge_src {
	const struct ft_catalog *cat;
	const struct prom_series *series;
	unsigned long long keys[FT_MAX_TABLES][FT_DIRS];	/* in the last interval */
};

static unsigned long long gauge_size(const struct gauge_src *g, int t, int d)
{
	(void)d;
	return g->cat->tables[t].removed ? 0 : g->cat->tables[t].spec.size;
}

static unsigned long long gauge_keys(const struct gauge_src *g, int t, int d)
{
	return g->keys[t][d];
}

static unsigned long long gauge_memory(const struct gauge_src *g, int t, int d)
{
	(void)d;
	return g->cat->tables[t].mem_bytes;
}

static unsigned long long gauge_series(const struct gauge_src *g, int t, int d)
{
	return g->series->nr[t][d];
}

static const struct table_gauge {
	const char *name, *help;
	bool per_dir;		/* a line per direction the table counts; else per table */
	unsigned long long (*get)(const struct gauge_src *g, int t, int d);
} table_gauges[] = {
	{ "flowtally_table_size", "Keys a table holds in one interval; more go to its overflow.",
	  false, gauge_size },
	{ "flowtally_table_keys", "Keys a table counted in the last interval.", true, gauge_keys },
	{ "flowtally_table_memory_bytes",
	  "Kernel memory of a table's maps (both generations), as bpftool shows it.", false,
	  gauge_memory },
	{ "flowtally_table_series",
	  "Keys of a table and direction with a live series of their own (the rest add up in "
	  "'other'; a series that went stays a window more, frozen).",
	  true, gauge_series },
};

static void put_table_gauge(FILE *f, const struct table_gauge *tg, const struct gauge_src *g)
{
	int t, d;

	family(f, tg->name, "gauge", tg->help);
	for (t = 0; t < FT_MAX_TABLES; t++) {
		for (d = tg->per_dir ? 0 : -1; d < (tg->per_dir ? FT_DIRS : 0); d++) {
			bool first = true;

			if (tg->per_dir ? !table_counts(g->cat, t, d) : !table_shown(g->cat, t))
				continue;
			fputs(tg->name, f);
			table_labels(f, &first, &g->cat->tables[t].spec, d);
			value(f, first, tg->get(g, t, d));
		}
	}
}

static void put_table_gauges(FILE *f, const struct ft_catalog *cat,
			     const struct ft_counts *interval, const struct prom_series *s)
{
	struct gauge_src g = { .cat = cat, .series = s };
	size_t i;

	for (i = 0; interval && i < interval->nr_entries; i++) {
		const struct ft_entry *e = &interval->entries[i];

		if (e->table < FT_MAX_TABLES && e->key.dir < FT_DIRS)
			g.keys[e->table][e->key.dir]++;
	}
	for (i = 0; i < sizeof(table_gauges) / sizeof(table_gauges[0]); i++)
		put_table_gauge(f, &table_gauges[i], &g);
}

static void put_self(FILE *f, const struct prom_self *self)
{
	int i;

	struct utsname u;
	bool first = true;

	family(f, "flowtally_build_info", "gauge",
	       "Always 1: the version of flowtally, the kernel it runs on and libbpf.");
	fputs("flowtally_build_info", f);
	label(f, &first, "version", FT_VERSION);
	label(f, &first, "kernel", uname(&u) ? "unknown" : u.release);
	label(f, &first, "libbpf", libbpf_version_string());
	value(f, first, 1);
	if (!self)
		return;
	if (self->last_interval_end > 0) {
		family(f, "flowtally_last_interval_timestamp_seconds", "gauge",
		       "When the last interval ended (unix seconds): its counts are the ones "
		       "served.");
		fprintf(f, "flowtally_last_interval_timestamp_seconds %.6f\n",
			self->last_interval_end);
	}
	family(f, "flowtally_interval_seconds", "gauge", "Length of the last interval.");
	fprintf(f, "flowtally_interval_seconds %.6f\n", self->interval_seconds);
	family(f, "flowtally_swap_seconds", "gauge",
	       "The last generation flip: waiting until no program writes the old one.");
	fprintf(f, "flowtally_swap_seconds %.6f\n", self->swap_seconds);
	family(f, "flowtally_read_seconds", "gauge", "Reading and emptying the last generation.");
	fprintf(f, "flowtally_read_seconds %.6f\n", self->read_seconds);
	family(f, "flowtally_store_bytes", "gauge",
	       "Memory of the counts flowtally keeps: totals, this interval and the last one.");
	fprintf(f, "flowtally_store_bytes %zu\n", self->store_bytes);
	family(f, "flowtally_intervals_total", "counter", "Intervals exported.");
	fprintf(f, "flowtally_intervals_total %llu\n", self->intervals);
	if (!self->status)
		return;
	family(f, "flowtally_export_errors_total", "counter",
	       "Intervals an exporter failed to export, by exporter.");
	for (i = 0; i < self->status->nr; i++)
		fprintf(f, "flowtally_export_errors_total{exporter=\"%s\"} %llu\n",
			self->status->name[i], self->status->count[i]);
}

int prom_render(FILE *f, const struct ft_catalog *cat, const struct ft_counts *interval,
		const struct ft_counts *total, struct prom_series *s, const struct prom_self *self)
{
	unsigned int maxif = self && self->max_iface_series ? self->max_iface_series
							     : FT_PROM_IFACE_SERIES;
	const struct prom_ifaces *own = self ? self->ifaces : NULL;
	int err = 0;

	put_self(f, self);
	if (cat && total) {
		put_ifaces(f, cat, total, "flowtally_seen_packets_total",
			   "Frames seen on an interface, by direction.", false, false, own,
			   maxif);
		put_ifaces(f, cat, total, "flowtally_seen_bytes_total",
			   "Bytes of the frames seen on an interface, by direction.", false, true,
			   own, maxif);
		put_ifaces(f, cat, total, "flowtally_unclassified_packets_total",
			   "Frames that got no key, by interface, direction and reason.", true,
			   false, own, maxif);
		put_ifaces(f, cat, total, "flowtally_unclassified_bytes_total",
			   "Bytes of the frames that got no key, by interface, direction and "
			   "reason.",
			   true, true, own, maxif);
		err = put_entries(f, cat, total, s, false);
		if (!err)
			err = put_entries(f, cat, total, s, true);
		put_table_counter(f, cat, total, "flowtally_overflow_packets_total",
				  "Frames a full table could not count under their key.",
				  FT_TBL_OVERFLOW, false);
		put_table_counter(f, cat, total, "flowtally_overflow_bytes_total",
				  "Bytes of the frames a full table could not count under their "
				  "key.",
				  FT_TBL_OVERFLOW, true);
		put_table_counter(f, cat, total, "flowtally_table_inserts_total",
				  "Keys a table created (once per key and interval).",
				  FT_TBL_INSERTS, false);
		put_evictions(f, cat, total);
		put_table_gauges(f, cat, interval, s);
	}
	if (err)
		return err;
	return fflush(f) || ferror(f) ? -EIO : 0;
}
