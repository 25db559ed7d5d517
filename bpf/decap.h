/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Looking into tunnels (--decap): VXLAN and Geneve over UDP, GRE and GRETAP
 * over IP. Once the outer frame has a key, a frame of an enabled tunnel is
 * keyed by its inner frame instead (inner VLAN, IP header, ports) and the
 * tunnel's id. One level deep: a tunnel inside the tunnel is keyed as the
 * inner frame's UDP or GRE, which also bounds what the verifier walks.
 *
 * A frame that is a tunnel's but ends before its inner L4 header counts as
 * tunnel_truncated, so it is told apart from an outer frame cut short. A
 * frame that only looks like one (a VXLAN header without its I flag, GRE
 * version 1, a payload type we do not parse) keeps its outer key.
 *
 * It builds for the host too, as parse.h does.
 */
#ifndef FLOWTALLY_DECAP_H
#define FLOWTALLY_DECAP_H

#include "parse.h"

#define FT_ETH_P_TEB		0x6558	/* transparent Ethernet bridging: an Ethernet frame */
#define FT_IPPROTO_GRE		47
#define FT_VXLAN_HLEN		8
#define FT_VXLAN_FLAG_I		0x08	/* the VNI is valid; Linux drops frames without it */
#define FT_GENEVE_HLEN		8	/* then opt_len * 4 bytes of options */
#define FT_GRE_HLEN		4
#define FT_GRE_CSUM		0x80	/* first flags byte: C, R, K, S */
#define FT_GRE_ROUTING		0x40
#define FT_GRE_KEY		0x20
#define FT_GRE_SEQ		0x10
#define FT_GRE_VERSION		0x07	/* second flags byte */
/* Where a tunnel header may start: past the outer headers, at most this far
 * in (the verifier needs a bound). Beyond it, outer IPv6 extension headers of
 * kilobytes, the frame keeps its outer key. */
#define FT_DECAP_MAX_OFF	512
#define FT_NOT_TUNNEL		0	/* from the detectors: keep the outer key */

/* The outer frame was cut short is `truncated`; the tunnel's own frame
 * being cut short is its own reason. Other reasons say the same inside. */
static __always_inline int inner_reason(int verdict)
{
	return verdict == FT_UNCL_TRUNCATED ? FT_UNCL_TUNNEL_TRUNCATED : verdict;
}

/* The inner frame from its Ethernet header (FT_ETH_P_TEB) or its IP header. */
static __always_inline int parse_inner(struct hdr_cursor *c, void *end, int ethertype,
				       struct pkt_meta *m)
{
	int proto, ipv6;

	/* The outer frame's key is replaced, not merged: nothing of it stays. */
	m->key.proto = 0;
	m->key.dscp = 0;
	m->key.vlan = 0;
	m->key.sport = 0;
	m->key.dport = 0;
	if (ethertype == FT_ETH_P_TEB) {
		struct ethhdr *eth = c->pos;

		if ((void *)(eth + 1) > end)
			return FT_UNCL_TUNNEL_TRUNCATED;
		c->pos = eth + 1;
		ethertype = parse_vlans(c, end, bpf_ntohs(eth->h_proto), 0, m);
		if (ethertype < 0)
			return inner_reason(-ethertype);
	}
	switch (ethertype) {
	case ETH_P_IP:
		ipv6 = 0;
		proto = parse_ipv4(c, end, m);
		break;
	case ETH_P_IPV6:
		ipv6 = 1;
		proto = parse_ipv6(c, end, m);
		break;
	default:
		return FT_UNCL_NOT_IP;
	}
	if (proto < 0)
		return inner_reason(-proto);
	return inner_reason(parse_l4(c, end, proto, ipv6, m));
}

static __always_inline int is_vxlan_port(const struct ft_decap *d, __u16 port)
{
	int i;

#pragma unroll
	for (i = 0; i < FT_MAX_VXLAN_PORTS; i++)
		if (d->vxlan_port[i] && d->vxlan_port[i] == port)
			return 1;
	return 0;
}

/*
 * The detectors step c past a tunnel header and return the inner frame's
 * type (an EtherType) with *vni set, FT_NOT_TUNNEL, or -FT_UNCL_TUNNEL_TRUNCATED.
 */
static __always_inline int vxlan_header(struct hdr_cursor *c, void *end, __u32 *vni)
{
	__u8 *h = c->pos;

	if ((void *)(h + FT_VXLAN_HLEN) > end)
		return -FT_UNCL_TUNNEL_TRUNCATED;
	if (!(h[0] & FT_VXLAN_FLAG_I))
		return FT_NOT_TUNNEL;
	*vni = (__u32)h[4] << 16 | h[5] << 8 | h[6];
	c->pos = h + FT_VXLAN_HLEN;
	return FT_ETH_P_TEB;
}

static __always_inline int geneve_header(struct hdr_cursor *c, void *end, __u32 *vni)
{
	__u8 *h = c->pos;
	int type, hlen;

	if ((void *)(h + FT_GENEVE_HLEN) > end)
		return -FT_UNCL_TUNNEL_TRUNCATED;
	if (h[0] >> 6)	/* version 0 is the only one */
		return FT_NOT_TUNNEL;
	type = h[2] << 8 | h[3];
	if (type != FT_ETH_P_TEB && type != ETH_P_IP && type != ETH_P_IPV6)
		return FT_NOT_TUNNEL;
	hlen = FT_GENEVE_HLEN + (h[0] & 0x3F) * 4;
	if (c->pos + hlen > end)
		return -FT_UNCL_TUNNEL_TRUNCATED;
	*vni = (__u32)h[4] << 16 | h[5] << 8 | h[6];
	c->pos += hlen;
	return type;
}

static __always_inline int gre_header(struct hdr_cursor *c, void *end, __u32 *vni)
{
	__u8 *h = c->pos;
	int type, hlen = FT_GRE_HLEN, key_off;

	if ((void *)(h + FT_GRE_HLEN) > end)
		return -FT_UNCL_TUNNEL_TRUNCATED;
	/* Version 1 is PPTP's enhanced GRE; routing (RFC 1701) is obsolete. */
	if ((h[1] & FT_GRE_VERSION) || (h[0] & FT_GRE_ROUTING))
		return FT_NOT_TUNNEL;
	type = h[2] << 8 | h[3];
	if (type != FT_ETH_P_TEB && type != ETH_P_IP && type != ETH_P_IPV6)
		return FT_NOT_TUNNEL;
	if (h[0] & FT_GRE_CSUM)
		hlen += 4;
	key_off = hlen;
	if (h[0] & FT_GRE_KEY)
		hlen += 4;
	if (h[0] & FT_GRE_SEQ)
		hlen += 4;
	if (c->pos + hlen > end)
		return -FT_UNCL_TUNNEL_TRUNCATED;
	*vni = 0;
	if (h[0] & FT_GRE_KEY) {
		__u8 *k = h + key_off;

		if ((void *)(k + 4) > end)	/* checked above; the verifier wants it here */
			return -FT_UNCL_TUNNEL_TRUNCATED;
		*vni = (__u32)k[1] << 16 | k[2] << 8 | k[3];	/* the low 24 bits, abi.h */
	}
	c->pos += hlen;
	return type;
}

/*
 * A frame parse_frame() classified, from the end of its outer L4 header
 * (m->hdr_len): PARSE_OK with the outer key when it is no enabled tunnel's,
 * else the inner frame's verdict and key. The BPF programs call this from a
 * global function of its own: the verifier then checks it once, from one
 * bounded offset, instead of once for every path through the outer headers
 * (inlined there, the tc programs came near the verifier's million
 * instructions).
 */
static __always_inline int parse_decap(void *data, void *end, struct pkt_meta *m)
{
	__u32 kinds = m->decap.kinds, vni = 0, off = m->hdr_len;
	struct hdr_cursor c;
	int type, verdict;

	if (off > FT_DECAP_MAX_OFF)
		return PARSE_OK;
	c.pos = data + off;
	if (m->key.proto == IPPROTO_UDP && (kinds & FT_DECAP_VXLAN) &&
	    is_vxlan_port(&m->decap, m->key.dport))
		type = vxlan_header(&c, end, &vni);
	else if (m->key.proto == IPPROTO_UDP && (kinds & FT_DECAP_GENEVE) &&
		 m->key.dport == FT_GENEVE_PORT)
		type = geneve_header(&c, end, &vni);
	else if (m->key.proto == FT_IPPROTO_GRE && (kinds & FT_DECAP_GRE))
		type = gre_header(&c, end, &vni);
	else
		return PARSE_OK;
	if (type == FT_NOT_TUNNEL)
		return PARSE_OK;
	if (type < 0)
		return -type;
	ft_key_set_vni(&m->key, vni & FT_VNI_MASK);
	verdict = parse_inner(&c, end, type, m);
	/* A tunnel's GSO segments repeat the inner headers too. */
	m->hdr_len = (__u16)(c.pos - data);
	return verdict;
}

/* The whole parser as the host tests run it: outer frame, then tunnel. */
static __always_inline int parse_frame_decap(void *data, void *end, struct pkt_meta *m, int tags,
					     __u16 vid)
{
	int verdict = parse_frame(data, end, m, tags, vid);

	if (verdict == PARSE_OK && m->decap.kinds)
		verdict = parse_decap(data, end, m);
	return verdict;
}

#endif /* FLOWTALLY_DECAP_H */
