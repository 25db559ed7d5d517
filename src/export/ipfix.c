// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "ipfix.h"
#include "output.h"

static void put_be(__u8 *p, __u64 v, unsigned int len)
{
	while (len--) {
		p[len] = v & 0xff;
		v >>= 8;
	}
}

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

	if (v6 && !wide(spec))
		return false;
	return l4 == IPFIX_L4_PORTS || (has(spec, FT_F_PROTO) && has(spec, FT_F_DPORT));
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

void ipfix_template_init(struct ipfix_template *t, __u16 id, const struct table_spec *spec,
			 int v)
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
	t->id = id;
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
	if (has(spec, FT_F_IFINDEX)) {
		add_field(t, IE_INGRESS_IF, 4);
		add_field(t, IE_EGRESS_IF, 4);
	}
	add_field(t, IE_FLOW_DIRECTION, 1);
	add_field(t, IE_PACKET_DELTA, 8);
	add_field(t, IE_OCTET_DELTA, 8);
	add_field(t, IE_L2_OCTET_DELTA, 8);
}

size_t ipfix_template_len(const struct ipfix_template *t)
{
	return 4 + 4 * (size_t)t->nr_fields;
}

void ipfix_template_encode(const struct ipfix_template *t, __u8 *out)
{
	int i;

	put_be(out, t->id, 2);
	put_be(out + 2, t->nr_fields, 2);
	for (i = 0; i < t->nr_fields; i++) {
		put_be(out + 4 + 4 * i, t->fields[i].ie, 2);
		put_be(out + 6 + 4 * i, t->fields[i].len, 2);
	}
}

/* The bytes of an address element as they go on the wire, NULL for others. */
static const __u8 *field_addr(__u16 ie, const struct ft_key *k)
{
	switch (ie) {
	case IE_SRC_IPV4:
		return k->saddr + 12;	/* IPv4-mapped */
	case IE_DST_IPV4:
		return k->daddr + 12;
	case IE_SRC_IPV6:
		return k->saddr;
	case IE_DST_IPV6:
		return k->daddr;
	default:
		return NULL;
	}
}

static __u64 field_value(__u16 ie, const struct table_spec *spec, const struct ft_entry *e,
			 __u64 start_ms, __u64 end_ms)
{
	const struct ft_key *k = &e->key;
	bool egress = k->dir == FT_DIR_EGRESS;

	switch (ie) {
	case IE_FLOW_START_MS:
		return start_ms;
	case IE_FLOW_END_MS:
		return end_ms;
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
		return egress ? 0 : k->ifindex;
	case IE_EGRESS_IF:
		return egress ? k->ifindex : 0;
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

void ipfix_record_encode(const struct ipfix_template *t, const struct table_spec *spec,
			 const struct ft_entry *e, __u64 start_ms, __u64 end_ms, __u8 *out)
{
	int i;

	for (i = 0; i < t->nr_fields; i++) {
		const struct ipfix_field *f = &t->fields[i];
		const __u8 *addr = field_addr(f->ie, &e->key);

		if (addr)
			memcpy(out, addr, f->len);
		else
			put_be(out, field_value(f->ie, spec, e, start_ms, end_ms), f->len);
		out += f->len;
	}
}

void ipfix_msg_init(struct ipfix_msg *m)
{
	m->len = IPFIX_HDR_LEN;
	m->set_off = 0;
	m->set_id = 0;
	m->data_records = 0;
}

static void close_set(struct ipfix_msg *m)
{
	if (!m->set_off)
		return;
	put_be(m->buf + m->set_off, m->set_id, 2);
	put_be(m->buf + m->set_off + 2, m->len - m->set_off, 2);
	m->set_off = 0;
}

__u8 *ipfix_msg_add(struct ipfix_msg *m, __u16 set_id, size_t len)
{
	bool new_set = !m->set_off || m->set_id != set_id;
	size_t need = len + (new_set ? IPFIX_SET_HDR_LEN : 0);
	__u8 *p;

	if (m->len + need > IPFIX_MSG_MAX)
		return NULL;
	if (new_set) {
		close_set(m);
		m->set_off = m->len;
		m->set_id = set_id;
		m->len += IPFIX_SET_HDR_LEN;
	}
	p = m->buf + m->len;
	m->len += len;
	if (set_id >= IPFIX_FIRST_TEMPLATE_ID)
		m->data_records++;
	return p;
}

size_t ipfix_msg_finish(struct ipfix_msg *m, __u32 export_time, __u32 seq, __u32 domain)
{
	close_set(m);
	put_be(m->buf, IPFIX_VERSION, 2);
	put_be(m->buf + 2, m->len, 2);
	put_be(m->buf + 4, export_time, 4);
	put_be(m->buf + 8, seq, 4);
	put_be(m->buf + 12, domain, 4);
	return m->len;
}
