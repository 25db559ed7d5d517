// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "output.h"

static void print_value(struct printer *p, const char *key, const struct ft_value *v)
{
	print_open_object(p, key);
	print_u64(p, PRINT_JSON, "packets", NULL, v->packets);
	print_u64(p, PRINT_JSON, "bytes", NULL, v->bytes);
	print_close_object(p);
}

static double record_seconds(const struct ft_counts *c)
{
	return c->end > c->start ? c->end - c->start : 0;
}

static void print_rates(struct printer *p, const struct ft_value *v, double secs)
{
	double pps = secs > 0 ? v->packets / secs : 0, bps = secs > 0 ? v->bytes * 8.0 / secs : 0;
	char buf[32];

	print_float(p, PRINT_JSON, "pps", NULL, pps, 3);
	print_float(p, PRINT_JSON, "bps", NULL, bps, 1);
	print_string(p, PRINT_FP, NULL, " %9s", fmt_si(pps, buf, sizeof(buf)));
	print_string(p, PRINT_FP, NULL, " %9s", fmt_si(bps, buf, sizeof(buf)));
}

static const char *iface_hook(const struct ft_iface *ifc, int dir)
{
	if (!ifc)
		return "-";
	if (dir == FT_DIR_EGRESS)
		return ifc->tc_clsact ? "clsact" : "tcx";
	return hook_name(ifc->ingress_hook);
}

static const char *iface_hook_reason(const struct ft_iface *ifc, int dir)
{
	if (!ifc)
		return "-";
	if (dir == FT_DIR_EGRESS)
		return ifc->tc_clsact ? "no tcx in this kernel" : "egress is counted by tcx";
	return ifc->hook_reason[0] ? ifc->hook_reason : "-";
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

static bool ifcounts_seen(const ft_ifcounts *v)
{
	int d;

	for (d = 0; d < FT_DIRS; d++)
		if ((*v)[d][FT_CNT_SEEN].packets)
			return true;
	return false;
}

/* Every interface of the catalog (slot order; gone ones until they were
 * reported and retired), then frames of no catalogued interface
 * ("(other)") and the sum of retired ones ("(removed)"), when not zero. */
static void print_ifaces(struct printer *p, const struct ft_catalog *cat,
			 const struct ft_counts *c, const struct output_opts *opts)
{
	static const ft_ifcounts zero;
	const ft_ifcounts *v;
	int i, d;

	print_text(p, "%-16s %-8s %-11s %12s %14s %12s  %s\n", "IFACE", "DIR", "HOOK", "PACKETS",
		   "BYTES", "DEVICE_PKTS", "UNCLASSIFIED");
	print_open_array(p, "ifaces");
	catalog_for_each_iface(cat, i) {
		const struct ft_iface *ifc = &cat->ifaces[i];

		v = counts_iface(c, (__u32)i);
		for (d = 0; d < FT_DIRS; d++)
			if (cat->dirmask & FT_DIRMASK(d))
				print_iface_row(p, ifc, ifc->name, (*(v ? v : &zero))[d],
						opts->device ? &opts->device[i] : NULL, d);
	}
	v = counts_iface(c, FT_IFACE_OTHER);
	for (d = 0; v && ifcounts_seen(v) && d < FT_DIRS; d++)
		if ((*v)[d][FT_CNT_SEEN].packets)
			print_iface_row(p, NULL, "(other)", (*v)[d], NULL, d);
	for (d = 0; ifcounts_seen(&c->removed) && d < FT_DIRS; d++)
		if (cat->dirmask & FT_DIRMASK(d))
			print_iface_row(p, NULL, "(removed)", c->removed[d], NULL, d);
	print_close_array(p);
}

static void print_addr(struct printer *p, const char *key, const __u8 *addr, __u8 plen4,
		       __u8 plen6)
{
	char text[FT_ADDR_TEXT_MAX];

	print_string(p, PRINT_ANY, key, " %-20s",
		     ft_addr_text(addr, plen4, plen6, text, sizeof(text)));
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
	if (s->fields & FT_FIELD_BIT(FT_F_DSCP))
		print_text(p, " %4s", "DSCP");
	print_text(p, " %12s %14s %9s %9s\n", "PACKETS", "BYTES", "PKT/S", "BIT/S");
}

/* ICMP has no ports: the key's dport holds type << 8 | code. */
static void print_dport(struct printer *p, const struct table_spec *s, const struct ft_key *k)
{
	bool icmp = ft_key_is_icmp(k, s->fields);
	const char *name;
	char buf[16];

	if (icmp) {
		__u8 type = k->dport >> 8, code = k->dport & 0xff;

		print_u64(p, PRINT_JSON, "icmp_type", NULL, type);
		print_u64(p, PRINT_JSON, "icmp_code", NULL, code);
		snprintf(buf, sizeof(buf), "%u/%u", type, code);
		print_string(p, PRINT_FP, NULL, " %5s", buf);
		name = icmp_type_name(k->proto, type);
	} else {
		print_u64(p, PRINT_ANY, "dport", " %5llu", k->dport);
		name = service_name(k->proto, k->dport);
	}
	print_string(p, PRINT_FP, NULL, " %-16.16s", name);
}

static void print_key(struct printer *p, const struct table_spec *s, const struct ft_key *k)
{
	char buf[16];

	if (s->fields & FT_FIELD_BIT(FT_F_IFINDEX))
		print_u64(p, PRINT_ANY, "ifindex", " %-8llu", k->ifindex);
	if (s->fields & FT_FIELD_BIT(FT_F_VNI))
		print_u64(p, PRINT_ANY, "vni", " %-8llu", ft_key_vni(k));
	if (s->fields & FT_FIELD_BIT(FT_F_VLAN))
		print_u64(p, PRINT_ANY, "vlan", " %-5llu", k->vlan);
	if (s->fields & FT_FIELD_BIT(FT_F_SADDR))
		print_addr(p, "saddr", k->saddr, s->prefix[0][FT_FAMILY_IPV4],
			   s->prefix[0][FT_FAMILY_IPV6]);
	if (s->fields & FT_FIELD_BIT(FT_F_DADDR))
		print_addr(p, "daddr", k->daddr, s->prefix[1][FT_FAMILY_IPV4],
			   s->prefix[1][FT_FAMILY_IPV6]);
	if (s->fields & FT_FIELD_BIT(FT_F_PROTO))
		print_string(p, PRINT_ANY, "proto", " %-7s", proto_name(k->proto, buf, sizeof(buf)));
	if (s->fields & FT_FIELD_BIT(FT_F_SPORT))
		print_u64(p, PRINT_ANY, "sport", " %5llu", k->sport);
	if (s->fields & FT_FIELD_BIT(FT_F_DPORT))
		print_dport(p, s, k);
	if (s->fields & FT_FIELD_BIT(FT_F_DSCP))
		print_u64(p, PRINT_ANY, "dscp", " %4llu", k->dscp);
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

static void print_time(struct printer *p, const char *key, double t)
{
	char buf[64];
	time_t s = (time_t)t;
	struct tm tm;

	print_float(p, PRINT_JSON, key, NULL, t, 6);
	localtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	print_string(p, PRINT_FP, NULL, "%s", buf);
}

void output_record(struct printer *p, const struct ft_catalog *cat, const struct ft_counts *c,
		   const char *type, const struct output_opts *opts)
{
	double secs = record_seconds(c);
	int slot, d;

	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "type", "== %s ", type);
	print_time(p, "start", c->start);
	print_text(p, " .. ");
	print_time(p, "end", c->end);
	print_float(p, PRINT_ANY, "seconds", " (%.3f s)\n", secs, 6);
	if (opts->store_bytes)
		print_u64(p, PRINT_JSON, "store_bytes", NULL, opts->store_bytes);

	print_ifaces(p, cat, c, opts);

	print_open_array(p, "tables");
	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		const struct ft_table *t = &cat->tables[slot];

		/* a removed table shows in the record of its last interval and
		 * in the final one */
		if (!t->used || (t->removed && t->removal_reported && strcmp(type, "final")))
			continue;
		for (d = 0; d < FT_DIRS; d++)
			if (cat->tables[slot].cfg.dirmask & FT_DIRMASK(d))
				print_table(p, cat, c, slot, d, type, opts);
	}
	print_close_array(p);

	print_open_object(p, "total");
	print_text(p, "\ntotal seen:");
	for (d = 0; d < FT_DIRS; d++) {
		struct ft_value sum = {};

		if (!(cat->dirmask & FT_DIRMASK(d)))
			continue;
		counts_seen(c, d, &sum);
		print_value(p, ft_dir_names[d], &sum);
		print_text(p, "  %s %llu packets %llu bytes", ft_dir_names[d],
			   (unsigned long long)sum.packets, (unsigned long long)sum.bytes);
	}
	print_close_object(p);
	print_text(p, "\n\n");
	print_close_object(p);
	print_end_record(p);
}
