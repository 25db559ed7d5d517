// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What both JSON forms print the same way: see fields.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fields.h"
#include "names.h"

void print_value(struct printer *p, const char *key, const struct ft_value *v)
{
	print_open_object(p, key);
	print_u64(p, PRINT_JSON, "packets", NULL, v->packets);
	print_u64(p, PRINT_JSON, "bytes", NULL, v->bytes);
	print_close_object(p);
}

void print_rates(struct printer *p, const struct ft_value *v, double secs)
{
	double pps = secs > 0 ? v->packets / secs : 0, bps = secs > 0 ? v->bytes * 8.0 / secs : 0;
	char buf[32];

	print_float(p, PRINT_JSON, "pps", NULL, pps, 3);
	print_float(p, PRINT_JSON, "bps", NULL, bps, 1);
	print_string(p, PRINT_FP, NULL, " %9s", fmt_si(pps, buf, sizeof(buf)));
	print_string(p, PRINT_FP, NULL, " %9s", fmt_si(bps, buf, sizeof(buf)));
}

const char *iface_hook(const struct ft_iface *ifc, int dir)
{
	if (!ifc)
		return "-";
	if (dir == FT_DIR_EGRESS)
		return ifc->tc_clsact ? "clsact" : "tcx";
	return hook_name(ifc->ingress_hook);
}

const char *iface_hook_reason(const struct ft_iface *ifc, int dir)
{
	if (!ifc)
		return "-";
	if (dir == FT_DIR_EGRESS)
		return ifc->tc_clsact ? "no tcx in this kernel" : "egress is counted by tcx";
	return ifc->hook_reason[0] ? ifc->hook_reason : "-";
}

static void print_addr(struct printer *p, const char *key, const __u8 *addr, __u8 plen4,
		       __u8 plen6)
{
	char text[FT_ADDR_TEXT_MAX];

	print_string(p, PRINT_ANY, key, " %-20s",
		     ft_addr_text(addr, plen4, plen6, text, sizeof(text)));
}

/* ICMP has no ports: the key's dport holds type << 8 | code. A port table's
 * service port is in dport too, printed as `port`. */
static void print_dport(struct printer *p, const struct table_spec *s, const struct ft_key *k)
{
	const char *key = s->fields & FT_FIELD_BIT(FT_F_PORT) ? "port" : "dport";
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
		print_u64(p, PRINT_ANY, key, " %5llu", k->dport);
		name = service_name(k->proto, k->dport);
	}
	print_string(p, PRINT_FP, NULL, " %-16.16s", name);
}

void print_key(struct printer *p, const struct table_spec *s, const struct ft_key *k)
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
	if (s->fields & (FT_FIELD_BIT(FT_F_DPORT) | FT_FIELD_BIT(FT_F_PORT)))
		print_dport(p, s, k);
	if (s->fields & FT_FIELD_BIT(FT_F_DSCP))
		print_u64(p, PRINT_ANY, "dscp", " %4llu", k->dscp);
}

const char *rfc3339_utc(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	long usec = (long)((t - (double)s) * 1e6 + 0.5);
	struct tm tm;
	char date[32];

	if (usec >= 1000000) {
		s++;
		usec -= 1000000;
	}
	gmtime_r(&s, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", date, usec < 0 ? 0 : usec);
	return buf;
}

const char *record_host(const char *given, char *buf, size_t len)
{
	if (given)
		return given;
	/* read at each record: a renamed host's next record says so */
	if (gethostname(buf, len))
		snprintf(buf, len, "%s", "unknown");
	buf[len - 1] = '\0';
	return buf;
}

void print_origin(struct printer *p, const char *schema, const char *host,
		  const char *instance)
{
	print_string(p, PRINT_JSON, "schema", NULL, schema);
	print_string(p, PRINT_JSON, "host", NULL, host);
	print_string(p, PRINT_JSON, "instance", NULL, instance);
}

/* Used slots only (a free one has ifindex 0); a live interface before a
 * gone one of the same ifindex, which it may shadow. */
const char *iface_name_of(const struct ft_catalog *cat, __u32 ifindex)
{
	const char *gone = NULL;
	int i;

	if (!ifindex)
		return NULL;
	catalog_for_each_iface(cat, i) {
		if (cat->ifaces[i].ifindex != ifindex)
			continue;
		if (!cat->ifaces[i].gone)
			return cat->ifaces[i].name;
		if (!gone)
			gone = cat->ifaces[i].name;
	}
	return gone;
}

/* A veth's other end: its ifindex and namespace (a container's), so that
 * the counts join with what a runtime or `lsns -t net` shows. netnsid only
 * when the peer is in another namespace, netns_inode only when known. */
void print_peer(struct printer *p, const struct ft_iface *ifc)
{
	if (!ifc || !ifc->link.veth)
		return;
	print_open_object(p, "peer");
	print_u64(p, PRINT_JSON, "ifindex", NULL, ifc->link.peer_ifindex);
	if (ifc->link.netnsid != FT_NETNSID_NONE)
		print_u64(p, PRINT_JSON, "netnsid", NULL, (__u64)ifc->link.netnsid);
	if (ifc->peer_netns_inode)
		print_u64(p, PRINT_JSON, "netns_inode", NULL, ifc->peer_netns_inode);
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

bool iface_row_next(const struct ft_catalog *cat, const struct ft_counts *c,
		    struct iface_row *row)
{
	static const ft_ifcounts zero;
	const ft_ifcounts *v;

	for (;;) {
		int k = row->pos / FT_DIRS + 1, d = row->pos % FT_DIRS;

		row->pos++;
		row->dir = d;
		if (k < cat->nr_ifaces) {		/* the catalog's slots */
			if (!cat->ifaces[k].used || !(cat->dirmask & FT_DIRMASK(d)))
				continue;
			v = counts_iface(c, (__u32)k);
			row->ifc = &cat->ifaces[k];
			row->name = row->ifc->name;
			row->slot = k;
			row->cnt = (*(v ? v : &zero))[d];
			return true;
		}
		row->ifc = NULL;
		row->slot = -1;
		if (k == cat->nr_ifaces) {		/* (other) */
			v = counts_iface(c, FT_IFACE_OTHER);
			if (!v || !(*v)[d][FT_CNT_SEEN].packets)
				continue;
			row->name = "(other)";
			row->cnt = (*v)[d];
			return true;
		}
		if (k == cat->nr_ifaces + 1) {		/* (removed) */
			if (!ifcounts_seen(&c->removed) || !(cat->dirmask & FT_DIRMASK(d)))
				continue;
			row->name = "(removed)";
			row->cnt = c->removed[d];
			return true;
		}
		return false;
	}
}

void print_total(struct printer *p, const struct ft_catalog *cat, const struct ft_counts *c)
{
	int d;

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
}
