/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The frame parser: Ethernet, up to two VLAN tags, IPv4 (with options and
 * fragments) or IPv6 (with extension headers), then the L4 ports. It fills
 * the key of a struct pkt_meta once; accounting never reads the frame again.
 *
 * The same source builds for BPF and, for the fuzz and unit tests, for the
 * host: it needs only the header structs and the byte-order helpers.
 */
#ifndef FLOWTALLY_PARSE_H
#define FLOWTALLY_PARSE_H

#include "flowtally/abi.h"

#ifndef ETH_P_8021Q
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#endif

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE	136
#endif
#define FT_IPPROTO_HOPOPTS	0
#define FT_IPPROTO_ROUTING	43
#define FT_IPPROTO_FRAGMENT	44
#define FT_IPPROTO_ICMPV6	58
#define FT_IPPROTO_DSTOPTS	60
#define FT_IP_OFFSET		0x1FFF
#define FT_IP6_OFFSET		0xFFF8	/* of frag_off, network order converted */

#define PARSE_OK	(-1)	/* classified; otherwise an enum ft_uncl */

struct hdr_cursor {
	void *pos;
};

struct pkt_meta {
	struct ft_key key;
	__u8 family;		/* enum ft_family, once an IP header is found */
	__u8 want_addrs;	/* fill saddr/daddr: some table keys by address */
	/* Bytes of the headers parsed: L2 + L3 + L4 (TCP with its options) of
	 * a classified frame. Every segment of a GSO packet repeats them. */
	__u16 hdr_len;
	struct ft_decap decap;	/* tunnels to key by their inner frame (decap.h) */
};

struct vlan_tag {
	__be16 tci;
	__be16 encap_proto;
};

struct ft_ipv6_opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct ft_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 identification;
};

/* The first bytes of every L4 header flowtally reads ports from. */
struct l4_ports {
	__be16 source;
	__be16 dest;
};

/* ICMP is ICMP only over IPv4 and ICMPv6 only over IPv6; elsewhere they are
 * protocols without ports like any other. The outputs decide with the same
 * rule (abi.h). */
static __always_inline int is_icmp(__u8 proto, int ipv6)
{
	return ft_proto_is_icmp(proto, ipv6);
}

static __always_inline int l4_header_len(__u8 proto, int ipv6)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return 8;
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:	/* the generic header without extended sequence numbers */
		return 12;
	default:
		return is_icmp(proto, ipv6) ? 8 : 0;	/* 0: keyed by protocol alone */
	}
}

/* Returns the EtherType after the tags, or -reason. The kernel may have taken
 * one tag out of the frame already (TC: skb->vlan_present); it still counts
 * towards the limit and, being the outermost, names the VLAN. */
static __always_inline int parse_vlans(struct hdr_cursor *c, void *end, __u16 proto,
				       int tags, struct pkt_meta *m)
{
	int i;

#pragma unroll
	for (i = 0; i < FT_MAX_VLAN_TAGS + 1; i++) {
		struct vlan_tag *tag = c->pos;

		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			return proto;
		if (tags >= FT_MAX_VLAN_TAGS)
			return -FT_UNCL_VLAN_LIMIT;
		if ((void *)(tag + 1) > end)
			return -FT_UNCL_TRUNCATED;
		if (tags == 0)
			m->key.vlan = bpf_ntohs(tag->tci) & 0x0FFF;
		proto = bpf_ntohs(tag->encap_proto);
		c->pos = tag + 1;
		tags++;
	}
	return -FT_UNCL_VLAN_LIMIT;
}

static __always_inline void set_mapped_v4(__u8 *dst, __be32 addr)
{
	__u32 *w = (__u32 *)dst;

	w[0] = 0;
	w[1] = 0;
	w[2] = bpf_htonl(0x0000FFFF);
	w[3] = addr;
}

/* Returns the L4 protocol, or -reason. */
static __always_inline int parse_ipv4(struct hdr_cursor *c, void *end, struct pkt_meta *m)
{
	struct iphdr *ip = c->pos;
	int hlen;

	if ((void *)(ip + 1) > end)
		return -FT_UNCL_TRUNCATED;
	if (ip->version != 4 || ip->ihl < 5)
		return -FT_UNCL_BAD_HEADER;
	hlen = ip->ihl * 4;
	if (c->pos + hlen > end)
		return -FT_UNCL_TRUNCATED;
	/* A non-first fragment starts with payload, not with an L4 header. */
	if (ip->frag_off & bpf_htons(FT_IP_OFFSET))
		return -FT_UNCL_FRAGMENT;
	m->family = FT_FAMILY_IPV4;
	m->key.dscp = ip->tos >> 2;
	if (m->want_addrs) {
		set_mapped_v4(m->key.saddr, ip->saddr);
		set_mapped_v4(m->key.daddr, ip->daddr);
	}
	c->pos += hlen;
	return ip->protocol;
}

/* Returns the L4 protocol after at most FT_MAX_IPV6_EXT extension headers,
 * or -reason. */
static __always_inline int parse_ipv6(struct hdr_cursor *c, void *end, struct pkt_meta *m)
{
	struct ipv6hdr *ip6 = c->pos;
	__u8 next;
	int i;

	if ((void *)(ip6 + 1) > end)
		return -FT_UNCL_TRUNCATED;
	if (ip6->version != 6)
		return -FT_UNCL_BAD_HEADER;
	m->family = FT_FAMILY_IPV6;
	m->key.dscp = ((ip6->priority << 4) | (ip6->flow_lbl[0] >> 4)) >> 2;
	if (m->want_addrs) {
		__builtin_memcpy(m->key.saddr, &ip6->saddr, 16);
		__builtin_memcpy(m->key.daddr, &ip6->daddr, 16);
	}
	next = ip6->nexthdr;
	c->pos = ip6 + 1;

#pragma unroll
	for (i = 0; i < FT_MAX_IPV6_EXT + 1; i++) {
		struct ft_ipv6_opt_hdr *opt = c->pos;
		struct ft_ipv6_frag_hdr *frag = c->pos;

		switch (next) {
		case FT_IPPROTO_HOPOPTS:
		case FT_IPPROTO_ROUTING:
		case FT_IPPROTO_DSTOPTS:
			if (i == FT_MAX_IPV6_EXT)
				return -FT_UNCL_EXT_LIMIT;
			if ((void *)(opt + 1) > end)
				return -FT_UNCL_TRUNCATED;
			next = opt->nexthdr;
			c->pos += (opt->hdrlen + 1) * 8;
			if (c->pos > end)	/* stepped past the frame */
				return -FT_UNCL_TRUNCATED;
			break;
		case FT_IPPROTO_FRAGMENT:
			if (i == FT_MAX_IPV6_EXT)
				return -FT_UNCL_EXT_LIMIT;
			if ((void *)(frag + 1) > end)
				return -FT_UNCL_TRUNCATED;
			if (frag->frag_off & bpf_htons(FT_IP6_OFFSET))
				return -FT_UNCL_FRAGMENT;
			next = frag->nexthdr;
			c->pos = frag + 1;
			break;
		default:
			return next;
		}
	}
	return -FT_UNCL_EXT_LIMIT;	/* not reached: the last round returns */
}

static __always_inline int parse_l4(struct hdr_cursor *c, void *end, __u8 proto, int ipv6,
				    struct pkt_meta *m)
{
	struct l4_ports *l4 = c->pos;
	int hlen = l4_header_len(proto, ipv6);

	m->key.proto = proto;
	if (!hlen)
		return PARSE_OK;
	if (c->pos + hlen > end)
		return FT_UNCL_TRUNCATED;
	if (is_icmp(proto, ipv6)) {
		__u8 *icmp = c->pos;	/* type, code */

		m->key.dport = icmp[0] << 8 | icmp[1];
		c->pos += hlen;
		return PARSE_OK;
	}
	m->key.sport = bpf_ntohs(l4->source);
	m->key.dport = bpf_ntohs(l4->dest);
	/* TCP options are repeated in every segment: the data offset, not 20,
	 * is the header a GSO packet's segments carry. Not read past. */
	if (proto == IPPROTO_TCP) {
		__u8 *tcp = c->pos;

		if ((void *)(tcp + 13) <= end && (tcp[12] >> 4) > 5)
			hlen = (tcp[12] >> 4) * 4;
	}
	c->pos += hlen;
	return PARSE_OK;
}

/*
 * Parse one frame into m->key (dir and ifindex are the caller's, and
 * m->want_addrs whether addresses are needed at all). Returns
 * PARSE_OK or the enum ft_uncl reason the frame has no key. `tags` and `vid`
 * describe a VLAN tag the kernel holds outside the frame (0 if none).
 */
static __always_inline int parse_frame(void *data, void *end, struct pkt_meta *m, int tags,
				       __u16 vid)
{
	struct hdr_cursor c = { .pos = data };
	struct ethhdr *eth = data;
	int proto, ipv6;

	if ((void *)(eth + 1) > end)
		return FT_UNCL_TRUNCATED;
	c.pos = eth + 1;
	if (tags)
		m->key.vlan = vid & 0x0FFF;
	proto = parse_vlans(&c, end, bpf_ntohs(eth->h_proto), tags, m);
	if (proto < 0)
		return -proto;

	switch (proto) {
	case ETH_P_IP:
		ipv6 = 0;
		proto = parse_ipv4(&c, end, m);
		break;
	case ETH_P_IPV6:
		ipv6 = 1;
		proto = parse_ipv6(&c, end, m);
		break;
	default:
		return FT_UNCL_NOT_IP;
	}
	if (proto < 0)
		return -proto;
	proto = parse_l4(&c, end, proto, ipv6, m);
	m->hdr_len = (__u16)(c.pos - data);
	return proto;
}

#endif /* FLOWTALLY_PARSE_H */
