/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which IPFIX (RFC 7011) records a table's entries become: the templates a
 * table's key can produce, the one each entry uses, and its record in the
 * memory layout libfixbuf's internal templates describe (fields in template
 * order, no padding, numbers in host order). No I/O and no libfixbuf here,
 * so that the unit tests check the choice without either.
 */
#ifndef FT_IPFIX_H
#define FT_IPFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "counts.h"
#include "tablespec.h"

#define IPFIX_MAX_FIELDS	24
#define IPFIX_ETH_HDR_LEN	14

/* IANA information element IDs */
enum ipfix_ie {
	IE_OCTET_DELTA = 1,		/* octetDeltaCount: L3 bytes, see ipfix_l3_bytes() */
	IE_PACKET_DELTA = 2,		/* packetDeltaCount */
	IE_PROTOCOL = 4,		/* protocolIdentifier */
	IE_CLASS_OF_SERVICE = 5,	/* ipClassOfService: DSCP << 2 */
	IE_SRC_PORT = 7,		/* sourceTransportPort */
	IE_SRC_IPV4 = 8,		/* sourceIPv4Address */
	IE_SRC_IPV4_PREFIX = 9,		/* sourceIPv4PrefixLength */
	IE_INGRESS_IF = 10,		/* ingressInterface */
	IE_DST_PORT = 11,		/* destinationTransportPort */
	IE_DST_IPV4 = 12,		/* destinationIPv4Address */
	IE_DST_IPV4_PREFIX = 13,	/* destinationIPv4PrefixLength */
	IE_EGRESS_IF = 14,		/* egressInterface */
	IE_SRC_IPV6 = 27,		/* sourceIPv6Address */
	IE_DST_IPV6 = 28,		/* destinationIPv6Address */
	IE_SRC_IPV6_PREFIX = 29,	/* sourceIPv6PrefixLength */
	IE_DST_IPV6_PREFIX = 30,	/* destinationIPv6PrefixLength */
	IE_ICMP_TYPE_CODE_V4 = 32,	/* icmpTypeCodeIPv4: type << 8 | code */
	IE_ICMP_TYPE_CODE_V6 = 139,	/* icmpTypeCodeIPv6 */
	IE_VLAN_ID = 58,		/* vlanId */
	IE_FLOW_DIRECTION = 61,		/* flowDirection: 0 ingress, 1 egress */
	IE_INTERFACE_NAME = 82,		/* interfaceName (options: ifindex -> name) */
	IE_OBSERVATION_DOMAIN_ID = 149,	/* observationDomainId (options scope) */
	IE_FLOW_START_MS = 152,		/* flowStartMilliseconds */
	IE_FLOW_END_MS = 153,		/* flowEndMilliseconds */
	IE_OBSERVATION_DOMAIN_NAME = 300, /* observationDomainName: "TABLE: KEY" */
	IE_L2_SEGMENT_ID = 351,		/* layer2SegmentId: VXLAN/Geneve VNI, GRE key */
	IE_L2_OCTET_DELTA = 352,	/* layer2OctetDeltaCount: the frames as counted */
};

/* A variable-length element (a string): libfixbuf's FB_IE_VARLEN. */
#define IPFIX_VARLEN		0xffff

struct ipfix_field {
	__u16 ie;
	__u16 len;
};

struct ipfix_template {
	__u16 nr_fields;
	__u16 scope;		/* options templates: scope fields, first */
	__u16 record_len;	/* bytes of a record in memory (ipfix_record_encode) */
	struct ipfix_field fields[IPFIX_MAX_FIELDS];
};

/*
 * A table has up to IPFIX_VARIANTS data templates: by address family when it
 * keys by address, and, when it keys by protocol and destination port, one
 * where the port is ICMP's (IPv4) or ICMPv6's type and code instead. Only
 * those a table's key can produce are announced: an IPv4 template never has
 * icmpTypeCodeIPv6, nor an IPv6 one icmpTypeCodeIPv4, and a table without
 * addresses has no IPv6 variant (its one template has no address).
 */
enum ipfix_l4 { IPFIX_L4_PORTS, IPFIX_L4_ICMP, IPFIX_L4_ICMPV6, IPFIX_L4_KINDS };
#define IPFIX_VARIANTS (2 * IPFIX_L4_KINDS)	/* [v6][l4] */
/* Template ids within a table's observation domain: its data variants, then
 * the two options templates. Every domain uses the same ids. */
#define IPFIX_TID_DATA		256	/* + variant */
#define IPFIX_TID_DOMAIN_NAME	(IPFIX_TID_DATA + IPFIX_VARIANTS)
#define IPFIX_TID_IFACE_NAME	(IPFIX_TID_DOMAIN_NAME + 1)
#define IPFIX_TIDS_PER_DOMAIN	(IPFIX_VARIANTS + 2)

/* Whether a table can have records of template variant `v`. */
bool ipfix_variant_used(const struct table_spec *spec, int v);
/* The variant an entry's record uses. */
int ipfix_entry_variant(const struct table_spec *spec, const struct ft_key *k);
/* The template of a table's records of variant `v`. */
void ipfix_template_init(struct ipfix_template *t, const struct table_spec *spec, int v);
/* The options templates: observationDomainId -> observationDomainName, and
 * ingressInterface -> interfaceName. */
void ipfix_domain_name_template(struct ipfix_template *t);
void ipfix_iface_name_template(struct ipfix_template *t);

/*
 * flowtally counts whole frames. octetDeltaCount is an IP-level count, so it
 * is approximated as the frame bytes less one Ethernet header a packet:
 * VLAN tags (4 bytes each) stay in it. layer2OctetDeltaCount has the frames.
 */
static inline __u64 ipfix_l3_bytes(const struct ft_value *v)
{
	__u64 l2 = v->packets * IPFIX_ETH_HDR_LEN;

	return v->bytes > l2 ? v->bytes - l2 : 0;
}

/*
 * One data record of t->record_len bytes, numbers in host order. ifindex:
 * the interface of an entry of a table that does not key by interface, 0
 * when the instance counts on more than one (ipfix_table_ifindex).
 */
void ipfix_record_encode(const struct ipfix_template *t, const struct table_spec *spec,
			 const struct ft_entry *e, __u64 start_ms, __u64 end_ms, __u32 ifindex,
			 __u8 *out);
/* What a table's records carry in ingress/egressInterface when it does not
 * key by interface: the instance's one interface, else 0 (unknown). */
__u32 ipfix_table_ifindex(const struct ft_catalog *cat, const struct table_spec *spec);
/* The observationDomainName of a table: "NAME: KEY", e.g. "ports: proto,dport". */
void ipfix_domain_name(const struct table_spec *spec, char *buf, size_t len);

#endif
