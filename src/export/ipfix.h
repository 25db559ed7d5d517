/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * IPFIX (RFC 7011) encoding of table entries: templates per table, data
 * records that follow them, and messages of at most IPFIX_MSG_MAX bytes. No
 * I/O here. Every record has fixed-size fields, so a small encoder does; it
 * spares a GLib dependency (libfixbuf's) and keeps message boundaries and
 * sequence numbers in our hands. nfdump and tshark check it in the tests.
 */
#ifndef FT_IPFIX_H
#define FT_IPFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "counts.h"
#include "tablespec.h"

#define IPFIX_VERSION		10
/* fits a 1500-byte MTU with IPv6 and UDP headers and room to spare */
#define IPFIX_MSG_MAX		1400
#define IPFIX_HDR_LEN		16
#define IPFIX_SET_HDR_LEN	4
#define IPFIX_TEMPLATE_SET_ID	2
#define IPFIX_FIRST_TEMPLATE_ID	256
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
	IE_FLOW_START_MS = 152,		/* flowStartMilliseconds */
	IE_FLOW_END_MS = 153,		/* flowEndMilliseconds */
	IE_L2_OCTET_DELTA = 352,	/* layer2OctetDeltaCount: the frames as counted */
	IE_L2_SEGMENT_ID = 351,		/* layer2SegmentId: VXLAN/Geneve VNI, GRE key */
};

struct ipfix_field {
	__u16 ie;
	__u16 len;
};

struct ipfix_template {
	__u16 id;
	__u16 nr_fields;
	__u16 record_len;
	struct ipfix_field fields[IPFIX_MAX_FIELDS];
};

/*
 * A table has up to IPFIX_VARIANTS templates: by address family when it keys
 * by address, and, when it keys by protocol and destination port, one where
 * the port is ICMP's or ICMPv6's type and code instead.
 */
enum ipfix_l4 { IPFIX_L4_PORTS, IPFIX_L4_ICMP, IPFIX_L4_ICMPV6, IPFIX_L4_KINDS };
#define IPFIX_VARIANTS (2 * IPFIX_L4_KINDS)	/* [v6][l4] */

/* Whether a table can have records of template variant `v`. */
bool ipfix_variant_used(const struct table_spec *spec, int v);
/* The variant an entry's record uses. */
int ipfix_entry_variant(const struct table_spec *spec, const struct ft_key *k);
/* The template of a table's records of variant `v`. */
void ipfix_template_init(struct ipfix_template *t, __u16 id, const struct table_spec *spec,
			 int v);
/* Bytes of its template record, and that record. */
size_t ipfix_template_len(const struct ipfix_template *t);
void ipfix_template_encode(const struct ipfix_template *t, __u8 *out);

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

/* One data record of t->record_len bytes. */
void ipfix_record_encode(const struct ipfix_template *t, const struct table_spec *spec,
			 const struct ft_entry *e, __u64 start_ms, __u64 end_ms, __u8 *out);

struct ipfix_msg {
	__u8 buf[IPFIX_MSG_MAX];
	size_t len;
	size_t set_off;			/* offset of the open set's header, 0: none */
	__u16 set_id;
	unsigned int data_records;	/* in this message: the sequence number counts them */
};

void ipfix_msg_init(struct ipfix_msg *m);
/* Room for a record of `len` bytes in a set `set_id` (a template set or the
 * data set of a template), opening the set if needed; NULL when the message
 * has no room left. */
__u8 *ipfix_msg_add(struct ipfix_msg *m, __u16 set_id, size_t len);
static inline bool ipfix_msg_empty(const struct ipfix_msg *m)
{
	return m->len <= IPFIX_HDR_LEN;
}
/* Closes the open set and writes the message header; returns the length.
 * `seq` is the number of data records sent before this message. */
size_t ipfix_msg_finish(struct ipfix_msg *m, __u32 export_time, __u32 seq, __u32 domain);

#endif
