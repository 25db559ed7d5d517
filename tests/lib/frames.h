/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Test frames from a description. frame_build() writes the bytes;
 * frame_classify() says how flowtally must count them, worked out from the
 * description alone, so that a parser bug cannot hide in the expectation by
 * being repeated there.
 */
#ifndef FT_TEST_FRAMES_H
#define FT_TEST_FRAMES_H

#include <stddef.h>
#include <linux/types.h>

#include "flowtally/abi.h"

#define FRAME_MAX_VLAN_TAGS	3	/* one more than flowtally takes, to test the limit */
#define FRAME_MAX_IPV6_EXT	6	/* two more than flowtally walks */
#define FRAME_MAX_IPV4_OPTS	40
#define FRAME_IHL_ZERO		(-1)	/* ihl_override: write IHL 0 (0 means computed) */

/* A tunnel around the frame the rest of the spec describes (the inner one). */
#define FRAME_TUN_NONE		0
#define FRAME_TUN_VXLAN		1	/* UDP to tunnel_port (0: 4789), Ethernet inside */
#define FRAME_TUN_GENEVE	2	/* UDP to 6081, Ethernet inside (0x6558) */
#define FRAME_TUN_GRE		3	/* IP protocol 47, the inner IP packet inside */
#define FRAME_TUN_GRETAP	4	/* IP protocol 47, Ethernet inside (0x6558) */

#define FRAME_FRAG_NONE		0
#define FRAME_FRAG_FIRST	1	/* MF set, offset 0: still has the L4 header */
#define FRAME_FRAG_LATER	2	/* offset > 0: no L4 header */

/*
 * A zeroed spec plus l3 and proto is a valid frame. Zero fields take
 * defaults: MACs 02:00:00:00:00:01 -> 02:00:00:00:00:02, addresses
 * 192.0.2.1 -> 198.51.100.1 or 2001:db8::1 -> 2001:db8::2.
 */
struct frame_spec {
	__u8 dst_mac[6], src_mac[6];
	/* 0: 0x0800/0x86dd from l3. Else the EtherType after the tags; with l3 = 4
	 * or 6 and the other IP EtherType this makes a version mismatch. */
	int ethertype_override;
	int vlan_tags;			/* 0..3: 0x8100 tags, the first 0x88a8 when 2 or more */
	__u16 vlan_id[FRAME_MAX_VLAN_TAGS];	/* whole TCI, outermost first; key takes 12 bits */
	int l3;				/* 4, 6, or 0: payload_len bytes after the EtherType */
	int ip_version_override;	/* 0: correct; else this version nibble */
	int ihl_override;		/* IPv4: 0 computed; 1..4 or FRAME_IHL_ZERO: bad IHL */
	int ipv4_options_len;		/* 0..40, multiple of 4: NOPs then EOL */
	int fragment;			/* FRAME_FRAG_*; IPv6 needs a 44 in ipv6_ext */
	/* IPv6 extension headers in order: 0 hop-by-hop, 43 routing, 60 destination
	 * options, 44 fragment. units is Hdr Ext Len: (units + 1) * 8 bytes, 0 for 44. */
	int ipv6_ext[FRAME_MAX_IPV6_EXT];
	__u8 ipv6_ext_units[FRAME_MAX_IPV6_EXT];
	int ipv6_ext_count;
	__u8 proto;			/* 6, 17, 136, 132, 33, 1, 58 have headers; others are bare */
	__u16 sport, dport;		/* host order */
	__u8 icmp_type, icmp_code;
	__u8 dscp;			/* 0..63 */
	__u8 saddr[16], daddr[16];	/* IPv4 in the first 4 bytes; all zero: default */
	int payload_len;		/* bytes after the L4 header */
	int truncate_at;		/* 0: whole frame; else keep at most this many bytes */
	/* The tunnel: an untagged outer frame from 203.0.113.1 to 203.0.113.2
	 * (2001:db8:ffff::1 -> ::2) whose payload is the frame above. GRE carries
	 * it from its IP header on: no inner tags then. truncate_at cuts the
	 * outer frame. */
	int tunnel;			/* FRAME_TUN_* */
	int tunnel_l3;			/* outer IP version: 4 (0 too) or 6 */
	__u16 tunnel_port;		/* VXLAN's UDP port; 0: 4789 */
	__u32 vni;			/* VXLAN/Geneve VNI (24 bits) or GRE key */
	int gre_key;			/* GRE/GRETAP: the key field is there */
	int geneve_opt_len;		/* Geneve options in 4-byte units, 0..63 */
};

/* reason: an enum ft_uncl when !classified (key all zero), -1 when classified. */
struct frame_class {
	int classified;
	int reason;
	struct ft_key key;
};

/* Length of the whole frame before truncate_at, or the error frame_build()
 * would return. */
int frame_full_len(const struct frame_spec *s);

/* Writes the frame; returns its length (after truncate_at), -EINVAL for an
 * inconsistent spec, -EMSGSIZE when the whole frame (before truncate_at) does
 * not fit in cap or its IP length field. */
int frame_build(const struct frame_spec *s, __u8 *buf, size_t cap);

/* How flowtally classifies the first len bytes of the frame s describes
 * (len as frame_build returned it). Returns 0, or -EINVAL for a spec
 * frame_build() refuses or a len longer than the whole frame. */
int frame_classify(const struct frame_spec *s, int len, __u32 ifindex, int dir,
		   struct frame_class *out);
/* The same when flowtally decapsulates the tunnels `decap` names (NULL: none). */
int frame_classify_decap(const struct frame_spec *s, int len, __u32 ifindex, int dir,
			 const struct ft_decap *decap, struct frame_class *out);

#endif /* FT_TEST_FRAMES_H */
