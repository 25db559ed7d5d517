// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "ipfix.h"
#include "output.h"

static void add_field(struct ipfix_template *t, __u16 ie, __u16 len)
{
	t->fields[t->nr_fields].ie = ie;
	t->fields[t->nr_fields].len = len;
	t->nr_fields++;
	t->record_len += len;
}

static bool has(const struct table_spec *spec, int field)
{
	return spec->fields & FT_FIELD_BIT(field);
}

static bool wide(const struct table_spec *spec)
{
	return has(spec, FT_F_SADDR) || has(spec, FT_F_DADDR);
}

bool ipfix_variant_used(const struct table_spec *spec, int v)
{
	bool v6 = v >= IPFIX_L4_KINDS;
	int l4 = v % IPFIX_L4_KINDS;

	if (v < 0 || v >= IPFIX_VARIANTS || (v6 && !wide(spec)))
		return false;
	if (l4 == IPFIX_L4_PORTS)
		return true;
	if (!has(spec, FT_F_PROTO) || !has(spec, FT_F_DPORT))
		return false;
	/* with addresses the family is known: ICMP only over IPv4, ICMPv6
	 * only over IPv6, as the parser keys them */
	if (wide(spec))
		return l4 == (v6 ? IPFIX_L4_ICMPV6 : IPFIX_L4_ICMP);
	return true;
}

int ipfix_entry_variant(const struct table_spec *spec, const struct ft_key *k)
{
	int v = 0;

	if (has(spec, FT_F_SADDR))
		v = ft_addr_is_v4(k->saddr) ? 0 : IPFIX_L4_KINDS;
	else if (has(spec, FT_F_DADDR))
		v = ft_addr_is_v4(k->daddr) ? 0 : IPFIX_L4_KINDS;
	if (has(spec, FT_F_PROTO) && has(spec, FT_F_DPORT) && ft_key_is_icmp(k, spec->fields))
		v += k->proto == IPPROTO_ICMP ? IPFIX_L4_ICMP : IPFIX_L4_ICMPV6;
	return v;
}

void ipfix_template_init(struct ipfix_template *t, const struct table_spec *spec, int v)
{
	static const __u16 dport_ie[IPFIX_L4_KINDS] = {
		[IPFIX_L4_PORTS] = IE_DST_PORT,
		[IPFIX_L4_ICMP] = IE_ICMP_TYPE_CODE_V4,
		[IPFIX_L4_ICMPV6] = IE_ICMP_TYPE_CODE_V6,
	};
	bool v6 = v >= IPFIX_L4_KINDS;
	int fam = v6 ? FT_FAMILY_IPV6 : FT_FAMILY_IPV4;
	__u8 full = v6 ? 128 : 32;

	memset(t, 0, sizeof(*t));
	add_field(t, IE_FLOW_START_MS, 8);
	add_field(t, IE_FLOW_END_MS, 8);
	if (has(spec, FT_F_SADDR)) {
		add_field(t, v6 ? IE_SRC_IPV6 : IE_SRC_IPV4, v6 ? 16 : 4);
		if (spec->prefix[0][fam] != full)
			add_field(t, v6 ? IE_SRC_IPV6_PREFIX : IE_SRC_IPV4_PREFIX, 1);
	}
	if (has(spec, FT_F_DADDR)) {
		add_field(t, v6 ? IE_DST_IPV6 : IE_DST_IPV4, v6 ? 16 : 4);
		if (spec->prefix[1][fam] != full)
			add_field(t, v6 ? IE_DST_IPV6_PREFIX : IE_DST_IPV4_PREFIX, 1);
	}
	if (has(spec, FT_F_PROTO))
		add_field(t, IE_PROTOCOL, 1);
	if (has(spec, FT_F_SPORT))
		add_field(t, IE_SRC_PORT, 2);
	if (has(spec, FT_F_DPORT))
		add_field(t, dport_ie[v % IPFIX_L4_KINDS], 2);
	if (has(spec, FT_F_VLAN))
		add_field(t, IE_VLAN_ID, 2);
	if (has(spec, FT_F_DSCP))
		add_field(t, IE_CLASS_OF_SERVICE, 1);
	if (has(spec, FT_F_VNI))
		add_field(t, IE_L2_SEGMENT_ID, 8);
	/* on every record, keyed by interface or not (ipfix_table_ifindex) */
	add_field(t, IE_INGRESS_IF, 4);
	add_field(t, IE_EGRESS_IF, 4);
	add_field(t, IE_FLOW_DIRECTION, 1);
	add_field(t, IE_PACKET_DELTA, 8);
	add_field(t, IE_OCTET_DELTA, 8);
	add_field(t, IE_L2_OCTET_DELTA, 8);
}

/* A string in libfixbuf's memory layout is an fbVarfield_t: a size_t length
 * and a pointer. */
#define IPFIX_VARFIELD_SIZE (sizeof(size_t) + sizeof(void *))

void ipfix_domain_name_template(struct ipfix_template *t)
{
	memset(t, 0, sizeof(*t));
	add_field(t, IE_OBSERVATION_DOMAIN_ID, 4);
	add_field(t, IE_OBSERVATION_DOMAIN_NAME, IPFIX_VARLEN);
	t->scope = 1;
	t->record_len = 4 + IPFIX_VARFIELD_SIZE;
}

void ipfix_iface_name_template(struct ipfix_template *t)
{
	memset(t, 0, sizeof(*t));
	add_field(t, IE_INGRESS_IF, 4);
	add_field(t, IE_INTERFACE_NAME, IPFIX_VARLEN);
	t->scope = 1;
	t->record_len = 4 + IPFIX_VARFIELD_SIZE;
}

/* The bytes of an address element as they go on the wire, NULL for others. */
static const __u8 *field_addr(__u16 ie, const struct ft_key *k)
{
	switch (ie) {
	case IE_SRC_IPV6:
		return k->saddr;
	case IE_DST_IPV6:
		return k->daddr;
	default:
		return NULL;
	}
}

/* ipv4Address is a number to libfixbuf: host order in memory */
static __u32 ipv4_host(const __u8 *mapped)
{
	const __u8 *a = mapped + 12;

	return (__u32)a[0] << 24 | (__u32)a[1] << 16 | (__u32)a[2] << 8 | a[3];
}

static __u64 field_value(__u16 ie, const struct table_spec *spec, const struct ft_entry *e,
			 __u64 start_ms, __u64 end_ms, __u32 ifindex)
{
	const struct ft_key *k = &e->key;
	bool egress = k->dir == FT_DIR_EGRESS;

	if (has(spec, FT_F_IFINDEX))
		ifindex = k->ifindex;
	switch (ie) {
	case IE_FLOW_START_MS:
		return start_ms;
	case IE_FLOW_END_MS:
		return end_ms;
	case IE_SRC_IPV4:
		return ipv4_host(k->saddr);
	case IE_DST_IPV4:
		return ipv4_host(k->daddr);
	case IE_SRC_IPV4_PREFIX:
		return spec->prefix[0][FT_FAMILY_IPV4];
	case IE_DST_IPV4_PREFIX:
		return spec->prefix[1][FT_FAMILY_IPV4];
	case IE_SRC_IPV6_PREFIX:
		return spec->prefix[0][FT_FAMILY_IPV6];
	case IE_DST_IPV6_PREFIX:
		return spec->prefix[1][FT_FAMILY_IPV6];
	case IE_PROTOCOL:
		return k->proto;
	case IE_SRC_PORT:
		return k->sport;
	case IE_DST_PORT:
	case IE_ICMP_TYPE_CODE_V4:
	case IE_ICMP_TYPE_CODE_V6:
		return k->dport;
	case IE_VLAN_ID:
		return k->vlan & 0xfff;
	case IE_CLASS_OF_SERVICE:
		return (__u64)k->dscp << 2;
	case IE_L2_SEGMENT_ID:
		return ft_key_vni(k);
	case IE_INGRESS_IF:
		return egress ? 0 : ifindex;
	case IE_EGRESS_IF:
		return egress ? ifindex : 0;
	case IE_FLOW_DIRECTION:
		return egress;
	case IE_PACKET_DELTA:
		return e->val.packets;
	case IE_OCTET_DELTA:
		return ipfix_l3_bytes(&e->val);
	case IE_L2_OCTET_DELTA:
		return e->val.bytes;
	default:
		return 0;
	}
}

static void put_host(__u8 *p, __u64 v, unsigned int len)
{
	__u8 b1 = (__u8)v;
	__u16 b2 = (__u16)v;
	__u32 b4 = (__u32)v;

	switch (len) {
	case 1:
		memcpy(p, &b1, 1);
		break;
	case 2:
		memcpy(p, &b2, 2);
		break;
	case 4:
		memcpy(p, &b4, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

void ipfix_record_encode(const struct ipfix_template *t, const struct table_spec *spec,
			 const struct ft_entry *e, __u64 start_ms, __u64 end_ms, __u32 ifindex,
			 __u8 *out)
{
	int i;

	for (i = 0; i < t->nr_fields; i++) {
		const struct ipfix_field *f = &t->fields[i];
		const __u8 *addr = field_addr(f->ie, &e->key);

		if (addr)
			memcpy(out, addr, f->len);
		else
			put_host(out, field_value(f->ie, spec, e, start_ms, end_ms, ifindex),
				 f->len);
		out += f->len;
	}
}

__u32 ipfix_table_ifindex(const struct ft_catalog *cat, const struct table_spec *spec)
{
	int i;

	if (has(spec, FT_F_IFINDEX) || catalog_live_ifaces(cat) != 1)
		return 0;
	catalog_for_each_iface(cat, i)
		if (!cat->ifaces[i].gone)
			return cat->ifaces[i].ifindex;
	return 0;
}

void ipfix_domain_name(const struct table_spec *spec, char *buf, size_t len)
{
	char key[128];

	table_spec_key_text(spec, key, sizeof(key));
	snprintf(buf, len, "%s: %s", spec->name, key);
}
