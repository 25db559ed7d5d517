// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of the test-frame library: the bytes frame_build() writes, the
 * class frame_classify() derives, the mix and the expectation JSON. Expected
 * values are worked out by hand from each spec, not copied from a run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_PREFIX ""
#include "check.h"
#include "expect.h"
#include "frames.h"
#include "mix.h"



static __u8 buf[70000];

static __u32 get16(int off)
{
	return buf[off] << 8 | buf[off + 1];
}

/* One's-complement sum of the bytes folded: 0xffff over a correct header. */
static unsigned int sum16(const __u8 *p, int n, unsigned int sum)
{
	int i;

	for (i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static int build(const struct frame_spec *s)
{
	int len = frame_build(s, buf, sizeof(buf));

	ASSERT_TRUE(len > 0, "frame_build succeeds");
	return len;
}

static void classify(const struct frame_spec *s, int len, struct frame_class *c)
{
	ASSERT_EQ(frame_classify(s, len, 7, FT_DIR_EGRESS, c), 0, "frame_classify succeeds");
}

/* Builds s and checks only how it is classified. */
static void check_reason(const struct frame_spec *s, int want_len, int want_reason,
			 const char *what)
{
	struct frame_class c;
	int len = build(s);

	ASSERT_EQ(len, want_len, what);
	classify(s, len, &c);
	ASSERT_EQ(c.classified ? -1 : c.reason, want_reason, what);
}

static void test_ipv4_tcp_layout_and_key(void)
{
	struct frame_spec s = { .l3 = 4, .proto = 6, .sport = 40000, .dport = 443, .dscp = 46,
				.payload_len = 10 };
	static const __u8 mapped_src[16] = { [10] = 0xff, 0xff, 192, 0, 2, 1 };
	static const __u8 mapped_dst[16] = { [10] = 0xff, 0xff, 198, 51, 100, 1 };
	struct frame_class c;
	int len = build(&s);

	ASSERT_EQ(len, 14 + 20 + 20 + 10, "frame length");
	ASSERT_EQ(buf[0] << 8 | buf[5], 0x0202, "destination MAC");
	ASSERT_EQ(buf[6] << 8 | buf[11], 0x0201, "source MAC");
	ASSERT_EQ(get16(12), 0x0800, "EtherType");
	ASSERT_EQ(buf[14], 0x45, "version and IHL");
	ASSERT_EQ(buf[15], 46 << 2, "TOS");
	ASSERT_EQ(get16(16), 20 + 20 + 10, "total length");
	ASSERT_EQ(buf[23], 6, "protocol");
	ASSERT_EQ(sum16(buf + 14, 20, 0), 0xffff, "IPv4 header checksum");
	ASSERT_EQ(get16(26) << 16 | get16(28), 0xc0000201, "saddr 192.0.2.1");
	ASSERT_EQ(get16(30) << 16 | get16(32), 0xc6336401, "daddr 198.51.100.1");
	ASSERT_EQ(get16(34), 40000, "TCP source port");
	ASSERT_EQ(get16(36), 443, "TCP destination port");
	ASSERT_EQ(buf[46], 0x50, "TCP data offset");
	/* Pseudo-header: addresses, protocol, TCP length. */
	ASSERT_EQ(sum16(buf + 34, 30, sum16(buf + 26, 8, 6 + 30)), 0xffff, "TCP checksum");

	classify(&s, len, &c);
	ASSERT_TRUE(c.classified, "classified");
	ASSERT_EQ(c.key.proto, 6, "key proto");
	ASSERT_EQ(c.key.sport, 40000, "key sport");
	ASSERT_EQ(c.key.dport, 443, "key dport");
	ASSERT_EQ(c.key.dscp, 46, "key dscp");
	ASSERT_EQ(c.key.vlan, 0, "key vlan");
	ASSERT_EQ(c.key.ifindex, 7, "key ifindex");
	ASSERT_EQ(c.key.dir, FT_DIR_EGRESS, "key dir");
	ASSERT_TRUE(!memcmp(c.key.saddr, mapped_src, 16), "key saddr is IPv4-mapped");
	ASSERT_TRUE(!memcmp(c.key.daddr, mapped_dst, 16), "key daddr is IPv4-mapped");
}

static void test_ipv4_options_move_l4(void)
{
	struct frame_spec s = { .l3 = 4, .proto = 17, .sport = 1, .dport = 53,
				.ipv4_options_len = 12 };
	struct frame_class c;
	int len = build(&s), i;

	ASSERT_EQ(len, 14 + 32 + 8, "frame length");
	ASSERT_EQ(buf[14], 0x48, "version and IHL 8");
	ASSERT_EQ(get16(16), 32 + 8, "total length");
	for (i = 34; i < 45; i++)
		ASSERT_EQ(buf[i], 1, "NOP option");
	ASSERT_EQ(buf[45], 0, "EOL option");
	ASSERT_EQ(sum16(buf + 14, 32, 0), 0xffff, "IPv4 header checksum with options");
	ASSERT_EQ(get16(48), 53, "UDP destination port after the options");
	ASSERT_EQ(get16(50), 8, "UDP length");
	classify(&s, len, &c);
	ASSERT_TRUE(c.classified, "classified");
	ASSERT_EQ(c.key.dport, 53, "key dport");
}

static void test_ipv6_ext_headers_chain(void)
{
	struct frame_spec s = { .l3 = 6, .proto = 17, .sport = 5353, .dport = 53, .dscp = 10,
				.ipv6_ext = { 0, 43, 60 }, .ipv6_ext_units = { 0, 1, 0 },
				.ipv6_ext_count = 3, .payload_len = 5 };
	static const __u8 src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct frame_class c;
	int len = build(&s);

	/* 40 fixed, hop-by-hop 8, routing 16, destination options 8, UDP 8, payload 5 */
	ASSERT_EQ(len, 14 + 40 + 8 + 16 + 8 + 8 + 5, "frame length");
	ASSERT_EQ(get16(12), 0x86dd, "EtherType");
	ASSERT_EQ(buf[14] >> 4, 6, "version");
	ASSERT_EQ((get16(14) >> 4) & 0xff, 10 << 2, "traffic class");
	ASSERT_EQ(get16(18), 8 + 16 + 8 + 8 + 5, "payload length");
	ASSERT_EQ(buf[20], 0, "next header: hop-by-hop");
	ASSERT_EQ(buf[54], 43, "hop-by-hop -> routing");
	ASSERT_EQ(buf[55], 0, "hop-by-hop length");
	ASSERT_EQ(buf[62], 60, "routing -> destination options");
	ASSERT_EQ(buf[63], 1, "routing length");
	ASSERT_EQ(buf[78], 17, "destination options -> UDP");
	ASSERT_EQ(get16(86), 5353, "UDP source port");
	ASSERT_EQ(get16(88), 53, "UDP destination port");
	ASSERT_EQ(get16(90), 13, "UDP length");
	classify(&s, len, &c);
	ASSERT_TRUE(c.classified, "classified");
	ASSERT_EQ(c.key.dport, 53, "key dport");
	ASSERT_EQ(c.key.dscp, 10, "key dscp");
	ASSERT_TRUE(!memcmp(c.key.saddr, src, 16), "key saddr");
}

static void test_vlan_qinq_keys_outer_vid(void)
{
	struct frame_spec s = { .vlan_tags = 2, .vlan_id = { 0x3064, 200 }, .l3 = 4, .proto = 17,
				.dport = 123 };
	struct frame_class c;
	int len = build(&s);

	ASSERT_EQ(len, 14 + 8 + 20 + 8, "frame length");
	ASSERT_EQ(get16(12), 0x88a8, "outer TPID");
	ASSERT_EQ(get16(14), 0x3064, "outer TCI (PCP 1, VID 100)");
	ASSERT_EQ(get16(16), 0x8100, "inner TPID");
	ASSERT_EQ(get16(18), 200, "inner TCI");
	ASSERT_EQ(get16(20), 0x0800, "EtherType after the tags");
	ASSERT_EQ(buf[22], 0x45, "IPv4 after the tags");
	classify(&s, len, &c);
	ASSERT_TRUE(c.classified, "classified");
	ASSERT_EQ(c.key.vlan, 100, "key vlan is the outer VID without PCP");
	ASSERT_EQ(c.key.dport, 123, "key dport");
}

static void test_vlan_tag_limit_and_truncation(void)
{
	struct frame_spec s = { .vlan_tags = 3, .vlan_id = { 1, 2, 3 }, .l3 = 4, .proto = 6 };
	int full = 14 + 12 + 20 + 20;

	check_reason(&s, full, FT_UNCL_VLAN_LIMIT, "three tags");
	ASSERT_EQ(get16(12) << 16 | get16(16), 0x88a88100, "first two TPIDs");
	ASSERT_EQ(get16(20), 0x8100, "third TPID");
	/* The limit is checked before the third tag's bytes. */
	s.truncate_at = 14 + 8;
	check_reason(&s, 22, FT_UNCL_VLAN_LIMIT, "three tags, third cut off");
	s.truncate_at = 14 + 7;
	check_reason(&s, 21, FT_UNCL_TRUNCATED, "second tag cut");
	s.vlan_tags = 1;
	s.truncate_at = 17;
	check_reason(&s, 17, FT_UNCL_TRUNCATED, "only tag cut");
}

static void test_truncation_boundaries(void)
{
	struct frame_spec s = { .l3 = 4, .proto = 6, .dport = 80, .payload_len = 100 };

	s.truncate_at = 14 + 20 + 20;
	check_reason(&s, 54, -1, "IPv4 TCP cut right after the TCP header");
	s.truncate_at = 53;
	check_reason(&s, 53, FT_UNCL_TRUNCATED, "IPv4 TCP header one byte short");
	s.truncate_at = 33;
	check_reason(&s, 33, FT_UNCL_TRUNCATED, "IPv4 header one byte short");
	s.truncate_at = 13;
	check_reason(&s, 13, FT_UNCL_TRUNCATED, "shorter than Ethernet");
	s.truncate_at = 1000;
	check_reason(&s, 154, -1, "truncate_at past the end changes nothing");

	s = (struct frame_spec){ .l3 = 6, .proto = 132, .dport = 9 };
	s.truncate_at = 14 + 40 + 12;
	check_reason(&s, 66, -1, "IPv6 SCTP whole");
	s.truncate_at = 65;
	check_reason(&s, 65, FT_UNCL_TRUNCATED, "SCTP header one byte short");
	s = (struct frame_spec){ .l3 = 4, .proto = 17, .ipv4_options_len = 40, .truncate_at = 73 };
	check_reason(&s, 73, FT_UNCL_TRUNCATED, "IPv4 options one byte short");
}

static void test_bare_protocols_need_no_header(void)
{
	struct frame_spec s = { .l3 = 4, .proto = 47, .payload_len = 20, .truncate_at = 34 };
	struct frame_class c;
	int len = build(&s);

	classify(&s, len, &c);
	ASSERT_TRUE(c.classified, "GRE cut after the IPv4 header is classified");
	ASSERT_EQ(c.key.proto, 47, "key proto");
	ASSERT_EQ(c.key.sport | c.key.dport, 0, "no ports");

	/* An extension header is stepped over whole: cut short, it is truncated
	 * even when a bare protocol follows. */
	s = (struct frame_spec){ .l3 = 6, .proto = 50, .ipv6_ext = { 0 }, .ipv6_ext_units = { 2 },
				 .ipv6_ext_count = 1, .payload_len = 8, .truncate_at = 56 };
	check_reason(&s, 56, FT_UNCL_TRUNCATED, "ESP after a cut hop-by-hop header");
	s.truncate_at = 55;
	check_reason(&s, 55, FT_UNCL_TRUNCATED, "hop-by-hop header one byte short");
}

static void test_bad_ihl_and_version(void)
{
	struct frame_spec s = { .l3 = 4, .proto = 6, .ihl_override = 3 };

	check_reason(&s, 54, FT_UNCL_BAD_HEADER, "IHL 3");
	ASSERT_EQ(buf[14], 0x43, "IHL 3 written");
	s.ihl_override = FRAME_IHL_ZERO;
	check_reason(&s, 54, FT_UNCL_BAD_HEADER, "IHL 0");
	ASSERT_EQ(buf[14], 0x40, "IHL 0 written");
	s.truncate_at = 33;
	check_reason(&s, 33, FT_UNCL_TRUNCATED, "IHL 0 but the fixed header is cut");

	s = (struct frame_spec){ .l3 = 4, .proto = 6, .ip_version_override = 6 };
	check_reason(&s, 54, FT_UNCL_BAD_HEADER, "version 6 under EtherType IPv4");
	ASSERT_EQ(buf[14], 0x65, "version 6 written");
	s = (struct frame_spec){ .l3 = 6, .proto = 6, .ip_version_override = 4 };
	check_reason(&s, 74, FT_UNCL_BAD_HEADER, "version 4 under EtherType IPv6");

	/* IPv4 under EtherType IPv6: the parser wants 40 bytes before the version. */
	s = (struct frame_spec){ .l3 = 4, .proto = 17, .ethertype_override = 0x86dd };
	check_reason(&s, 42, FT_UNCL_TRUNCATED, "short IPv4 under EtherType IPv6");
	ASSERT_EQ(get16(12), 0x86dd, "EtherType override written");
	s.payload_len = 12;
	check_reason(&s, 54, FT_UNCL_BAD_HEADER, "IPv4 under EtherType IPv6");
}

static void test_fragments(void)
{
	struct frame_spec s = { .l3 = 4, .proto = 17, .dport = 53, .fragment = FRAME_FRAG_FIRST };

	check_reason(&s, 42, -1, "first IPv4 fragment");
	ASSERT_EQ(get16(20), 0x2000, "MF set, offset 0");
	s.fragment = FRAME_FRAG_LATER;
	check_reason(&s, 42, FT_UNCL_FRAGMENT, "later IPv4 fragment");
	ASSERT_EQ(get16(20) & 0x1fff, 185, "fragment offset");
	s.fragment = FRAME_FRAG_NONE;
	build(&s);
	ASSERT_EQ(get16(20), 0x4000, "DF on a whole datagram");

	s = (struct frame_spec){ .l3 = 6, .proto = 6, .dport = 22, .ipv6_ext = { 44 },
				 .ipv6_ext_count = 1, .fragment = FRAME_FRAG_LATER };
	check_reason(&s, 14 + 40 + 8 + 20, FT_UNCL_FRAGMENT, "later IPv6 fragment");
	ASSERT_EQ(buf[20], 44, "next header: fragment");
	ASSERT_EQ(buf[54], 6, "fragment -> TCP");
	ASSERT_EQ(get16(56), 185 << 3, "IPv6 fragment offset");
	s.fragment = FRAME_FRAG_FIRST;
	check_reason(&s, 82, -1, "first IPv6 fragment");
	ASSERT_EQ(get16(56), 1, "M set, offset 0");
	s.truncate_at = 61;
	check_reason(&s, 61, FT_UNCL_TRUNCATED, "fragment header one byte short");
}

static void test_ipv6_ext_limit(void)
{
	struct frame_spec s = { .l3 = 6, .proto = 6, .ipv6_ext = { 0, 60, 43, 60, 60 },
				.ipv6_ext_count = 4 };

	check_reason(&s, 14 + 40 + 32 + 20, -1, "four extension headers");
	s.ipv6_ext_count = 5;
	check_reason(&s, 14 + 40 + 40 + 20, FT_UNCL_EXT_LIMIT, "five extension headers");
	/* The limit is checked before the fifth header's bytes. */
	s.truncate_at = 14 + 40 + 32;
	check_reason(&s, 86, FT_UNCL_EXT_LIMIT, "five, the fifth cut off");
	s.truncate_at = 14 + 40 + 25;
	check_reason(&s, 79, FT_UNCL_TRUNCATED, "fourth header one byte short");
}

static void test_non_ip(void)
{
	struct frame_spec s = { .ethertype_override = 0x0806, .payload_len = 28 };

	check_reason(&s, 42, FT_UNCL_NOT_IP, "ARP");
	ASSERT_EQ(get16(12), 0x0806, "EtherType ARP");
	s.vlan_tags = 1;
	s.vlan_id[0] = 5;
	check_reason(&s, 46, FT_UNCL_NOT_IP, "tagged ARP");
	s.truncate_at = 18;
	check_reason(&s, 18, FT_UNCL_NOT_IP, "tagged EtherType alone");
}

static void test_icmp_keys(void)
{
	struct frame_spec s = { .l3 = 4, .proto = 1, .icmp_type = 8, .icmp_code = 0,
				.payload_len = 56 };
	struct frame_class c;
	int len = build(&s);

	ASSERT_EQ(sum16(buf + 34, 64, 0), 0xffff, "ICMP checksum");
	classify(&s, len, &c);
	ASSERT_EQ(c.key.dport, 0x0800, "echo request: type << 8 | code");
	ASSERT_EQ(c.key.sport, 0, "no source port");

	s = (struct frame_spec){ .l3 = 6, .proto = 58, .icmp_type = 1, .icmp_code = 4 };
	len = build(&s);
	/* Pseudo-header: addresses, length, next header. */
	ASSERT_EQ(sum16(buf + 54, 8, sum16(buf + 22, 32, 58 + 8)), 0xffff, "ICMPv6 checksum");
	classify(&s, len, &c);
	ASSERT_EQ(c.key.dport, 0x0104, "port unreachable: type << 8 | code");

	/* ICMP over IPv6 is no ICMP to the parser: bare, no header needed. */
	s = (struct frame_spec){ .l3 = 6, .proto = 1, .icmp_type = 8, .truncate_at = 54 };
	len = build(&s);
	classify(&s, len, &c);
	ASSERT_TRUE(c.classified, "ICMP over IPv6 is classified without a header");
	ASSERT_EQ(c.key.dport, 0, "and keyed without type and code");
}

static void test_invalid_specs_are_refused(void)
{
	struct frame_spec s = { .l3 = 6, .proto = 6, .fragment = FRAME_FRAG_LATER };
	struct frame_class c;

	ASSERT_EQ(frame_build(&s, buf, sizeof(buf)), -EINVAL, "IPv6 fragment without header 44");
	s = (struct frame_spec){ .l3 = 4, .proto = 6, .ihl_override = 5 };
	ASSERT_EQ(frame_build(&s, buf, sizeof(buf)), -EINVAL, "IHL override 5");
	s = (struct frame_spec){ .l3 = 4, .proto = 6, .ipv4_options_len = 6 };
	ASSERT_EQ(frame_build(&s, buf, sizeof(buf)), -EINVAL, "options not a multiple of 4");
	s = (struct frame_spec){ .l3 = 6, .proto = 44 };
	ASSERT_EQ(frame_build(&s, buf, sizeof(buf)), -EINVAL, "L4 protocol 44 over IPv6");
	s = (struct frame_spec){ .ethertype_override = 0x8100 };
	ASSERT_EQ(frame_build(&s, buf, sizeof(buf)), -EINVAL, "EtherType override 0x8100");
	s = (struct frame_spec){ .l3 = 6, .proto = 6, .ethertype_override = 0x0800,
				 .ip_version_override = 4 };
	ASSERT_EQ(frame_build(&s, buf, sizeof(buf)), -EINVAL, "IPv6 bytes that pass as IPv4");
	s = (struct frame_spec){ .l3 = 4, .proto = 6, .payload_len = 100 };
	ASSERT_EQ(frame_build(&s, buf, 100), -EMSGSIZE, "buffer too small");
	s.payload_len = 65535;
	ASSERT_EQ(frame_build(&s, buf, sizeof(buf)), -EMSGSIZE, "IPv4 total length over 65535");
	s.payload_len = 0;
	ASSERT_EQ(frame_classify(&s, 55, 0, 0, &c), -EINVAL, "len past the whole frame");
}

/*
 * The parser rules again, this time reading the bytes, as an independent
 * check that frame_build() writes what frame_classify() assumes.
 */
static int parse_bytes(const __u8 *p, int len, struct ft_key *k)
{
	int off = 14, et, tags, proto, v6, n, need, i;

	memset(k, 0, sizeof(*k));
	if (len < 14)
		return FT_UNCL_TRUNCATED;
	et = p[12] << 8 | p[13];
	for (tags = 0; et == 0x8100 || et == 0x88a8; tags++) {
		if (tags == FT_MAX_VLAN_TAGS)
			return FT_UNCL_VLAN_LIMIT;
		if (off + 4 > len)
			return FT_UNCL_TRUNCATED;
		if (!tags)
			k->vlan = (p[off] << 8 | p[off + 1]) & 0xfff;
		et = p[off + 2] << 8 | p[off + 3];
		off += 4;
	}
	if (et == 0x0800) {
		v6 = 0;
		if (off + 20 > len)
			return FT_UNCL_TRUNCATED;
		if (p[off] >> 4 != 4 || (p[off] & 0xf) < 5)
			return FT_UNCL_BAD_HEADER;
		if (off + (p[off] & 0xf) * 4 > len)
			return FT_UNCL_TRUNCATED;
		if ((p[off + 6] << 8 | p[off + 7]) & 0x1fff)
			return FT_UNCL_FRAGMENT;
		k->dscp = p[off + 1] >> 2;
		proto = p[off + 9];
		k->saddr[10] = k->saddr[11] = k->daddr[10] = k->daddr[11] = 0xff;
		memcpy(k->saddr + 12, p + off + 12, 4);
		memcpy(k->daddr + 12, p + off + 16, 4);
		off += (p[off] & 0xf) * 4;
	} else if (et == 0x86dd) {
		v6 = 1;
		if (off + 40 > len)
			return FT_UNCL_TRUNCATED;
		if (p[off] >> 4 != 6)
			return FT_UNCL_BAD_HEADER;
		k->dscp = ((p[off] << 8 | p[off + 1]) >> 4 & 0xff) >> 2;
		proto = p[off + 6];
		memcpy(k->saddr, p + off + 8, 16);
		memcpy(k->daddr, p + off + 24, 16);
		off += 40;
		for (n = 0; proto == 0 || proto == 43 || proto == 60 || proto == 44; n++) {
			if (n == FT_MAX_IPV6_EXT)
				return FT_UNCL_EXT_LIMIT;
			need = proto == 44 ? 8 : 2;
			if (off + need > len)
				return FT_UNCL_TRUNCATED;
			if (proto == 44 && ((p[off + 2] << 8 | p[off + 3]) & 0xfff8))
				return FT_UNCL_FRAGMENT;
			i = proto == 44 ? 8 : (p[off + 1] + 1) * 8;
			proto = p[off];
			off += i;
			if (off > len)
				return FT_UNCL_TRUNCATED;
		}
	} else {
		return FT_UNCL_NOT_IP;
	}
	k->proto = proto;
	need = proto == 6 ? 20 : proto == 17 || proto == 136 ? 8 : proto == 132 ? 12 :
	       proto == (v6 ? 58 : 1) ? 8 : 0;
	if (need && off + need > len)
		return FT_UNCL_TRUNCATED;
	if (need && proto == (v6 ? 58 : 1))
		k->dport = p[off] << 8 | p[off + 1];
	else if (need)
		k->sport = p[off] << 8 | p[off + 1], k->dport = p[off + 2] << 8 | p[off + 3];
	return -1;
}

static void test_mix_bytes_agree_with_description(void)
{
	unsigned int reasons[FT_UNCL_REASONS + 1] = {}, i, runts = 0;
	struct frame_spec s;
	struct frame_class c;
	struct ft_key k;
	int len, got, max_frame;

	for (i = 0; i < 200000; i++) {
		max_frame = i % 2 ? 1514 : MIX_MIN_FRAME;
		ASSERT_EQ(mix_spec(42, i, max_frame, 50, &s), 0, "mix_spec");
		len = build(&s);
		ASSERT_TRUE(len >= 14 && len <= max_frame, "mix frame length within 14..max_frame");
		/* Linux would drop these on receive before tc ingress could count them. */
		ASSERT_TRUE(!s.vlan_tags || len >= 20, "tagged mix frames are at least 20 bytes");
		runts += len < 60;
		classify(&s, len, &c);
		got = parse_bytes(buf, len, &k);
		ASSERT_EQ(got, c.classified ? -1 : c.reason, "byte parser agrees on the reason");
		if (got == -1) {
			k.dir = FT_DIR_EGRESS;
			k.ifindex = 7;
			ASSERT_TRUE(!memcmp(&k, &c.key, sizeof(k)), "byte parser agrees on the key");
		}
		reasons[c.classified ? FT_UNCL_REASONS : c.reason]++;
		if (check_fails) {
			fprintf(stderr, "  first disagreement: seed 42 frame %u\n", i);
			return;
		}
	}
	/* mix frames are keyed without --decap: never tunnel_truncated */
	for (i = 0; i <= FT_UNCL_REASONS; i++)
		ASSERT_TRUE(reasons[i] > 100 || i == FT_UNCL_TUNNEL_TRUNCATED,
			    "every outcome is drawn often");
	ASSERT_TRUE(runts > 100, "runts are drawn");
}

static void test_mix_is_deterministic(void)
{
	struct frame_spec a, b;
	struct frame_class c;
	unsigned int i;
	int len;

	for (i = 0; i < 20000; i++) {
		mix_spec(7, i, 9000, 20, &a);
		mix_spec(7, i, 9000, 20, &b);
		ASSERT_TRUE(!memcmp(&a, &b, sizeof(a)), "same seed and index, same frame");
		/* Without noise only fragments go unclassified. */
		mix_spec(7, i, 1514, 0, &a);
		len = build(&a);
		classify(&a, len, &c);
		ASSERT_TRUE(c.classified || c.reason == FT_UNCL_FRAGMENT, "clean mix is classified");
		ASSERT_TRUE(len >= 60, "clean mix has no runts");
	}
	mix_spec(7, 1, 1514, 0, &a);
	mix_spec(8, 1, 1514, 0, &b);
	ASSERT_TRUE(memcmp(&a, &b, sizeof(a)), "another seed, another frame");
	ASSERT_EQ(mix_spec(7, 1, MIX_MIN_FRAME - 1, 0, &a), -EINVAL, "max_frame too small");
	ASSERT_EQ(mix_spec(7, 1, 1514, 101, &a), -EINVAL, "malformed over 100");
}

static void test_expect_json(void)
{
	struct frame_class tcp443 = { .classified = 1, .key = { .proto = 6, .dport = 443 } };
	struct frame_class udp53 = { .classified = 1, .key = { .proto = 17, .dport = 53 } };
	struct frame_class tcp22 = { .classified = 1, .key = { .proto = 6, .dport = 22 } };
	struct frame_class other = { .classified = 1, .key = { .proto = 99 } };
	struct frame_class trunc = { .reason = FT_UNCL_TRUNCATED };
	const char *want =
		"{\"seen\":{\"packets\":5,\"bytes\":510},\"unclassified\":{"
		"\"not_ip\":{\"packets\":0,\"bytes\":0},"
		"\"truncated\":{\"packets\":1,\"bytes\":20},"
		"\"bad_header\":{\"packets\":0,\"bytes\":0},"
		"\"fragment\":{\"packets\":0,\"bytes\":0},"
		"\"vlan_limit\":{\"packets\":0,\"bytes\":0},"
		"\"ext_header_limit\":{\"packets\":0,\"bytes\":0},"
		"\"tunnel_truncated\":{\"packets\":0,\"bytes\":0}},\"entries\":["
		"{\"proto\":6,\"dport\":22,\"packets\":1,\"bytes\":60},"
		"{\"proto\":6,\"dport\":443,\"packets\":2,\"bytes\":330},"
		"{\"proto\":17,\"dport\":53,\"packets\":1,\"bytes\":100}]}\n";
	struct expect e;
	char *got = NULL;
	size_t n;
	FILE *f;
	int i;

	expect_init(&e);
	expect_add(&e, &tcp443, 130);
	expect_add(&e, &udp53, 100);
	expect_add(&e, &trunc, 20);
	expect_add(&e, &tcp443, 200);
	expect_add(&e, &tcp22, 60);
	f = open_memstream(&got, &n);
	ASSERT_EQ(expect_write_json(&e, f), 0, "expect_write_json");
	fclose(f);
	ASSERT_STREQ(got, want, "JSON");
	free(got);

	/* Enough keys to make the table grow several times. */
	for (i = 0; i < 5000; i++) {
		other.key.dport = i;
		ASSERT_EQ(expect_add(&e, &other, 1), 0, "expect_add");
	}
	ASSERT_EQ(expect_add(&e, &tcp22, 1), 0, "expect_add");
	ASSERT_EQ(e.nentries, 3 + 5000, "distinct keys");
	ASSERT_EQ(expect_entry(&e, 6, 443)->packets, 2, "443 survives the growth");
	ASSERT_EQ(expect_entry(&e, 6, 22)->packets, 2, "22 counted again");
	ASSERT_EQ(expect_entry(&e, 99, 4999)->bytes, 1, "last new key");
	ASSERT_EQ(e.seen.packets, 5 + 5001, "seen");
	ASSERT_TRUE(!expect_entry(&e, 17, 443), "no UDP 443");
	expect_fini(&e);
}

static const struct check_test tests[] = {
#include "test_frames.tests.h"
};

int main(int argc, char **argv)
{
	return check_main(tests, (int)(sizeof(tests) / sizeof(tests[0])), argc, argv);
}
