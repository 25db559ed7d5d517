// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "frames.h"

#define ETH_HLEN		14
#define VLAN_HLEN		4
#define IPV4_HLEN		20
#define IPV6_HLEN		40
#define IPV6_FRAG_HLEN		8
#define IP_MAX_LEN		65535

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_8021Q		0x8100
#define ETHERTYPE_8021AD	0x88a8

#define PROTO_HOPOPTS		0
#define PROTO_ICMP		1
#define PROTO_TCP		6
#define PROTO_UDP		17
#define PROTO_ROUTING		43
#define PROTO_FRAGMENT		44
#define PROTO_ICMPV6		58
#define PROTO_DSTOPTS		60
#define PROTO_DCCP		33
#define PROTO_SCTP		132
#define PROTO_UDPLITE		136

/* A non-first fragment sits 1480 bytes in, where a 1500-byte MTU puts it. */
#define FRAG_LATER_UNITS	185

static const __u8 default_dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const __u8 default_src_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const __u8 default_saddr4[4] = { 192, 0, 2, 1 };
static const __u8 default_daddr4[4] = { 198, 51, 100, 1 };
static const __u8 default_saddr6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const __u8 default_daddr6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const __u8 tunnel_saddr4[4] = { 203, 0, 113, 1 };
static const __u8 tunnel_daddr4[4] = { 203, 0, 113, 2 };
static const __u8 tunnel_saddr6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 1 };
static const __u8 tunnel_daddr6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 2 };

#define PROTO_GRE		47
#define ETHERTYPE_TEB		0x6558
#define VXLAN_PORT		4789
#define GENEVE_PORT		6081
#define TUNNEL_SPORT		49152	/* the outer source port; a hash of the flow in Linux */

/* Where each header starts in the whole (untruncated) frame. */
struct layout {
	int l3_off;
	int ip_hlen;		/* IPv4 with options, or the IPv6 fixed header */
	int ext_off[FRAME_MAX_IPV6_EXT];
	int l4_off;
	int l4_hlen;		/* header frame_build writes, whatever the parser needs */
	int len;
};

static int is_zero(const __u8 *p, int n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static int is_ipv6_ext(int proto)
{
	return proto == PROTO_HOPOPTS || proto == PROTO_ROUTING || proto == PROTO_DSTOPTS ||
	       proto == PROTO_FRAGMENT;
}

static int ext_len(const struct frame_spec *s, int k)
{
	if (s->ipv6_ext[k] == PROTO_FRAGMENT)
		return IPV6_FRAG_HLEN;
	return (s->ipv6_ext_units[k] + 1) * 8;
}

static int written_l4_hlen(__u8 proto)
{
	switch (proto) {
	case PROTO_TCP:
		return 20;
	case PROTO_UDP:
	case PROTO_UDPLITE:
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		return 8;
	case PROTO_SCTP:
	case PROTO_DCCP:	/* generic header, X = 0 */
		return 12;
	default:
		return 0;
	}
}

/* What flowtally's parser requires; ICMP counts as ICMP only over its own IP. */
static int parser_l4_hlen(__u8 proto, int l3)
{
	if (proto == PROTO_ICMP)
		return l3 == 4 ? 8 : 0;
	if (proto == PROTO_ICMPV6)
		return l3 == 6 ? 8 : 0;
	return written_l4_hlen(proto);
}

static int final_ethertype(const struct frame_spec *s)
{
	if (s->ethertype_override)
		return s->ethertype_override;
	return s->l3 == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
}

static int written_version(const struct frame_spec *s)
{
	return s->ip_version_override ? s->ip_version_override : s->l3;
}

static int has_frag_ext(const struct frame_spec *s)
{
	int k;

	for (k = 0; k < s->ipv6_ext_count; k++)
		if (s->ipv6_ext[k] == PROTO_FRAGMENT)
			return 1;
	return 0;
}

static int validate_ip(const struct frame_spec *s)
{
	int et = final_ethertype(s);
	int k;

	if (s->ip_version_override < 0 || s->ip_version_override > 15 || s->dscp > 63)
		return -EINVAL;
	if (s->fragment < FRAME_FRAG_NONE || s->fragment > FRAME_FRAG_LATER)
		return -EINVAL;
	/* An IP header under the other IP EtherType must fail the version check,
	 * or what the parser reads would depend on bytes the spec does not name. */
	if ((et == ETHERTYPE_IPV4 && s->l3 == 6 && written_version(s) == 4) ||
	    (et == ETHERTYPE_IPV6 && s->l3 == 4 && written_version(s) == 6))
		return -EINVAL;
	if (s->l3 == 4) {
		if (s->ihl_override < FRAME_IHL_ZERO || s->ihl_override > 4)
			return -EINVAL;
		if (s->ipv4_options_len < 0 || s->ipv4_options_len > FRAME_MAX_IPV4_OPTS ||
		    s->ipv4_options_len % 4)
			return -EINVAL;
		return s->ipv6_ext_count ? -EINVAL : 0;
	}
	if (s->ihl_override || s->ipv4_options_len)
		return -EINVAL;
	if (s->ipv6_ext_count < 0 || s->ipv6_ext_count > FRAME_MAX_IPV6_EXT)
		return -EINVAL;
	for (k = 0; k < s->ipv6_ext_count; k++) {
		if (!is_ipv6_ext(s->ipv6_ext[k]))
			return -EINVAL;
		if (s->ipv6_ext[k] == PROTO_FRAGMENT && s->ipv6_ext_units[k])
			return -EINVAL;
	}
	/* The parser would walk such a protocol as one more extension header. */
	if (is_ipv6_ext(s->proto))
		return -EINVAL;
	if (s->fragment && !has_frag_ext(s))
		return -EINVAL;
	return 0;
}

static int validate(const struct frame_spec *s)
{
	int et = s->ethertype_override;

	if (s->vlan_tags < 0 || s->vlan_tags > FRAME_MAX_VLAN_TAGS)
		return -EINVAL;
	if (s->payload_len < 0 || s->payload_len > IP_MAX_LEN || s->truncate_at < 0)
		return -EINVAL;
	if (et < 0 || et > 0xffff || et == ETHERTYPE_8021Q || et == ETHERTYPE_8021AD)
		return -EINVAL;
	if (s->l3 == 0)
		return et && et != ETHERTYPE_IPV4 && et != ETHERTYPE_IPV6 ? 0 : -EINVAL;
	if (s->l3 != 4 && s->l3 != 6)
		return -EINVAL;
	return validate_ip(s);
}

static int get_layout(const struct frame_spec *s, struct layout *lo)
{
	int off, k, err;

	err = validate(s);
	if (err)
		return err;
	memset(lo, 0, sizeof(*lo));
	lo->l3_off = ETH_HLEN + s->vlan_tags * VLAN_HLEN;
	if (s->l3 == 0) {
		lo->len = lo->l3_off + s->payload_len;
		return 0;
	}
	lo->ip_hlen = s->l3 == 4 ? IPV4_HLEN + s->ipv4_options_len : IPV6_HLEN;
	off = lo->l3_off + lo->ip_hlen;
	for (k = 0; k < s->ipv6_ext_count; k++) {
		lo->ext_off[k] = off;
		off += ext_len(s, k);
	}
	lo->l4_off = off;
	lo->l4_hlen = written_l4_hlen(s->proto);
	lo->len = off + lo->l4_hlen + s->payload_len;
	if (s->l3 == 4 && lo->len - lo->l3_off > IP_MAX_LEN)
		return -EMSGSIZE;
	if (s->l3 == 6 && lo->len - lo->l3_off - IPV6_HLEN > IP_MAX_LEN)
		return -EMSGSIZE;
	return 0;
}

static int plain_full_len(const struct frame_spec *s)
{
	struct layout lo;
	int err;

	err = get_layout(s, &lo);
	return err ? err : lo.len;
}

static void put16(__u8 *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static __u32 csum_add(__u32 sum, const __u8 *p, int n)
{
	int i;

	for (i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void get_addrs(const struct frame_spec *s, __u8 *saddr, __u8 *daddr)
{
	int n = s->l3 == 4 ? 4 : 16;

	memcpy(saddr, is_zero(s->saddr, n) ? (s->l3 == 4 ? default_saddr4 : default_saddr6) :
					     s->saddr, n);
	memcpy(daddr, is_zero(s->daddr, n) ? (s->l3 == 4 ? default_daddr4 : default_daddr6) :
					     s->daddr, n);
}

static void put_ipv4(const struct frame_spec *s, const struct layout *lo, __u8 *ip)
{
	int ihl = s->ihl_override == FRAME_IHL_ZERO ? 0 :
		  s->ihl_override ? s->ihl_override : lo->ip_hlen / 4;
	unsigned int frag = 0x4000;	/* DF, as Linux sets it on unfragmented packets */
	int i;

	if (s->fragment == FRAME_FRAG_FIRST)
		frag = 0x2000;
	else if (s->fragment == FRAME_FRAG_LATER)
		frag = FRAG_LATER_UNITS;
	ip[0] = written_version(s) << 4 | ihl;
	ip[1] = s->dscp << 2;
	put16(ip + 2, lo->len - lo->l3_off);
	put16(ip + 4, 0x4654);
	put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = s->proto;
	get_addrs(s, ip + 12, ip + 16);
	for (i = 0; i < s->ipv4_options_len; i++)
		ip[IPV4_HLEN + i] = i == s->ipv4_options_len - 1 ? 0 : 1;	/* NOPs, EOL */
	/* Over the header as laid out, not as a bad IHL would claim it. */
	put16(ip + 10, csum_fold(csum_add(0, ip, lo->ip_hlen)));
}

static void put_ipv6_ext(const struct frame_spec *s, int k, __u8 *p)
{
	int n = ext_len(s, k);

	p[0] = k + 1 < s->ipv6_ext_count ? s->ipv6_ext[k + 1] : s->proto;
	switch (s->ipv6_ext[k]) {
	case PROTO_FRAGMENT:
		if (s->fragment == FRAME_FRAG_FIRST)
			put16(p + 2, 1);			/* offset 0, M */
		else if (s->fragment == FRAME_FRAG_LATER)
			put16(p + 2, FRAG_LATER_UNITS << 3);
		put32(p + 4, 0x46540001);
		return;
	case PROTO_ROUTING:
		p[1] = s->ipv6_ext_units[k];
		p[2] = 253;	/* experimental type; segments left 0, so every node skips it */
		return;
	default:
		p[1] = s->ipv6_ext_units[k];
		p[2] = 1;	/* one PadN option fills the header */
		p[3] = n - 4;
		return;
	}
}

static void put_ipv6(const struct frame_spec *s, const struct layout *lo, __u8 *ip)
{
	int tc = s->dscp << 2;
	int k;

	ip[0] = written_version(s) << 4 | tc >> 4;
	ip[1] = (tc & 0xf) << 4;
	put16(ip + 4, lo->len - lo->l3_off - IPV6_HLEN);
	ip[6] = s->ipv6_ext_count ? s->ipv6_ext[0] : s->proto;
	ip[7] = 64;
	get_addrs(s, ip + 8, ip + 24);
	for (k = 0; k < s->ipv6_ext_count; k++)
		put_ipv6_ext(s, k, ip + (lo->ext_off[k] - lo->l3_off));
}

static void put_l4(const struct frame_spec *s, __u8 *l4)
{
	switch (s->proto) {
	case PROTO_TCP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put32(l4 + 4, 0x46540000);
		l4[12] = 5 << 4;
		l4[13] = 0x18;	/* PSH, ACK */
		put16(l4 + 14, 0xffff);
		break;
	case PROTO_UDP:
		put16(l4 + 4, 8 + s->payload_len);
		/* fall through */
	case PROTO_UDPLITE:	/* length 0 there: the checksum covers everything */
	case PROTO_SCTP:	/* verification tag and CRC32c left 0 */
	case PROTO_DCCP:	/* data offset and the rest left 0 */
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		break;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		put32(l4 + 4, 0x46540001);
		break;
	}
}

/* Only for a whole datagram: a fragment's checksum covers bytes we never send. */
static void put_l4_csum(const struct frame_spec *s, const struct layout *lo, __u8 *buf)
{
	int n = lo->len - lo->l4_off;
	__u8 *l4 = buf + lo->l4_off;
	__u8 *ip = buf + lo->l3_off;
	__u32 sum = 0;
	__u16 csum;
	int at;

	switch (s->proto) {
	case PROTO_TCP:
		at = 16;
		break;
	case PROTO_UDP:
	case PROTO_UDPLITE:
		at = 6;
		break;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		at = 2;
		break;
	default:
		return;
	}
	if (s->proto != PROTO_ICMP) {
		if (s->l3 == 4)
			sum = csum_add(sum, ip + 12, 8);
		else
			sum = csum_add(sum, ip + 8, 32);
		sum += s->proto + n;
	}
	csum = csum_fold(csum_add(sum, l4, n));
	if (!csum && s->proto == PROTO_UDP)
		csum = 0xffff;	/* 0 means "no checksum" over UDP */
	put16(l4 + at, csum);
}

static int plain_build(const struct frame_spec *s, __u8 *buf, size_t cap)
{
	struct layout lo;
	int err, off, i;

	err = get_layout(s, &lo);
	if (err)
		return err;
	if ((size_t)lo.len > cap)
		return -EMSGSIZE;
	memset(buf, 0, lo.len);
	memcpy(buf, is_zero(s->dst_mac, 6) ? default_dst_mac : s->dst_mac, 6);
	memcpy(buf + 6, is_zero(s->src_mac, 6) ? default_src_mac : s->src_mac, 6);
	off = 12;
	for (i = 0; i < s->vlan_tags; i++) {
		put16(buf + off, i == 0 && s->vlan_tags >= 2 ? ETHERTYPE_8021AD : ETHERTYPE_8021Q);
		put16(buf + off + 2, s->vlan_id[i]);
		off += VLAN_HLEN;
	}
	put16(buf + off, final_ethertype(s));

	if (s->l3 == 4)
		put_ipv4(s, &lo, buf + lo.l3_off);
	else if (s->l3 == 6)
		put_ipv6(s, &lo, buf + lo.l3_off);
	if (s->l3)
		put_l4(s, buf + lo.l4_off);
	off = s->l3 ? lo.l4_off + lo.l4_hlen : lo.l3_off;
	for (i = 0; off + i < lo.len; i++)
		buf[off + i] = 0x30 + i % 64;	/* readable in a hex dump, never all zero */
	if (s->l3 && s->fragment == FRAME_FRAG_NONE)
		put_l4_csum(s, &lo, buf);

	if (s->truncate_at && s->truncate_at < lo.len)
		return s->truncate_at;
	return lo.len;
}

static void set_mapped(__u8 *dst, const __u8 *v4)
{
	memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	memcpy(dst + 12, v4, 4);
}

static void unclassified(struct frame_class *out, int reason)
{
	memset(out, 0, sizeof(*out));
	out->reason = reason;
}

/* Follows flowtally's parser check by check, in frame order; the first check
 * that fails names the reason. Offsets come from the layout, never from bytes. */
static int plain_classify(const struct frame_spec *s, int len, __u32 ifindex, int dir,
			  struct frame_class *out)
{
	struct layout lo;
	__u8 saddr[16], daddr[16];
	int off = ETH_HLEN, et, k, l4_need, err;

	err = get_layout(s, &lo);
	if (err)
		return err;
	if (len < 0 || len > lo.len)
		return -EINVAL;
	if (len < ETH_HLEN) {
		unclassified(out, FT_UNCL_TRUNCATED);
		return 0;
	}
	for (k = 0; k < s->vlan_tags; k++) {
		if (k >= FT_MAX_VLAN_TAGS) {
			unclassified(out, FT_UNCL_VLAN_LIMIT);
			return 0;
		}
		if (off + VLAN_HLEN > len) {
			unclassified(out, FT_UNCL_TRUNCATED);
			return 0;
		}
		off += VLAN_HLEN;
	}
	et = s->l3 ? final_ethertype(s) : s->ethertype_override;
	if (et != ETHERTYPE_IPV4 && et != ETHERTYPE_IPV6) {
		unclassified(out, FT_UNCL_NOT_IP);
		return 0;
	}
	if (off + (et == ETHERTYPE_IPV4 ? IPV4_HLEN : IPV6_HLEN) > len) {
		unclassified(out, FT_UNCL_TRUNCATED);
		return 0;
	}
	if (written_version(s) != (et == ETHERTYPE_IPV4 ? 4 : 6)) {
		unclassified(out, FT_UNCL_BAD_HEADER);
		return 0;
	}
	/* From here on the header under the EtherType is the one s->l3 describes. */
	if (s->l3 == 4) {
		if (s->ihl_override) {
			unclassified(out, FT_UNCL_BAD_HEADER);
			return 0;
		}
		if (off + lo.ip_hlen > len) {
			unclassified(out, FT_UNCL_TRUNCATED);
			return 0;
		}
		if (s->fragment == FRAME_FRAG_LATER) {
			unclassified(out, FT_UNCL_FRAGMENT);
			return 0;
		}
	}
	for (k = 0; k < s->ipv6_ext_count; k++) {
		int is_frag = s->ipv6_ext[k] == PROTO_FRAGMENT;

		if (k >= FT_MAX_IPV6_EXT) {
			unclassified(out, FT_UNCL_EXT_LIMIT);
			return 0;
		}
		/* The parser steps over the whole header: all of it must be there. */
		if (lo.ext_off[k] + ext_len(s, k) > len) {
			unclassified(out, FT_UNCL_TRUNCATED);
			return 0;
		}
		if (is_frag && s->fragment == FRAME_FRAG_LATER) {
			unclassified(out, FT_UNCL_FRAGMENT);
			return 0;
		}
	}
	l4_need = parser_l4_hlen(s->proto, s->l3);
	if (l4_need && lo.l4_off + l4_need > len) {
		unclassified(out, FT_UNCL_TRUNCATED);
		return 0;
	}

	memset(out, 0, sizeof(*out));
	out->classified = 1;
	out->reason = -1;
	out->key.proto = s->proto;
	out->key.dscp = s->dscp;
	out->key.dir = dir;
	out->key.ifindex = ifindex;
	out->key.vlan = s->vlan_tags ? s->vlan_id[0] & 0x0fff : 0;
	if (l4_need && (s->proto == PROTO_ICMP || s->proto == PROTO_ICMPV6)) {
		out->key.dport = s->icmp_type << 8 | s->icmp_code;
	} else if (l4_need) {
		out->key.sport = s->sport;
		out->key.dport = s->dport;
	}
	get_addrs(s, saddr, daddr);
	if (s->l3 == 4) {
		set_mapped(out->key.saddr, saddr);
		set_mapped(out->key.daddr, daddr);
	} else {
		memcpy(out->key.saddr, saddr, 16);
		memcpy(out->key.daddr, daddr, 16);
	}
	return 0;
}

/* The tunnel header's length; inner_off - tunnel offset. */
static int tunnel_hlen(const struct frame_spec *s)
{
	switch (s->tunnel) {
	case FRAME_TUN_VXLAN:
		return 8;
	case FRAME_TUN_GENEVE:
		return 8 + 4 * s->geneve_opt_len;
	default:
		return 4 + (s->gre_key ? 4 : 0);
	}
}

/* The inner frame: the spec without its tunnel or truncation. */
static struct frame_spec inner_spec(const struct frame_spec *s)
{
	struct frame_spec in = *s;

	in.tunnel = FRAME_TUN_NONE;
	in.truncate_at = 0;
	return in;
}

static int validate_tunnel(const struct frame_spec *s)
{
	if (s->tunnel < FRAME_TUN_NONE || s->tunnel > FRAME_TUN_GRETAP)
		return -EINVAL;
	if (s->tunnel_l3 != 0 && s->tunnel_l3 != 4 && s->tunnel_l3 != 6)
		return -EINVAL;
	if (s->geneve_opt_len < 0 || s->geneve_opt_len > 63 ||
	    (s->geneve_opt_len && s->tunnel != FRAME_TUN_GENEVE))
		return -EINVAL;
	if (s->tunnel_port && s->tunnel != FRAME_TUN_VXLAN)
		return -EINVAL;
	if (s->gre_key && s->tunnel != FRAME_TUN_GRE && s->tunnel != FRAME_TUN_GRETAP)
		return -EINVAL;
	if ((s->tunnel == FRAME_TUN_VXLAN || s->tunnel == FRAME_TUN_GENEVE) && s->vni > 0xffffff)
		return -EINVAL;
	/* GRE carries the IP packet alone: its type is the IP EtherType. */
	if (s->tunnel == FRAME_TUN_GRE && (s->vlan_tags || (s->l3 != 4 && s->l3 != 6)))
		return -EINVAL;
	return 0;
}

/* The outer frame: UDP or GRE whose payload is tunnel header + inner bytes. */
static struct frame_spec outer_spec(const struct frame_spec *s, int inner_len)
{
	struct frame_spec o;
	int v6 = s->tunnel_l3 == 6;

	memset(&o, 0, sizeof(o));
	o.l3 = v6 ? 6 : 4;
	memcpy(o.saddr, v6 ? tunnel_saddr6 : tunnel_saddr4, v6 ? 16 : 4);
	memcpy(o.daddr, v6 ? tunnel_daddr6 : tunnel_daddr4, v6 ? 16 : 4);
	if (s->tunnel == FRAME_TUN_VXLAN || s->tunnel == FRAME_TUN_GENEVE) {
		o.proto = PROTO_UDP;
		o.sport = TUNNEL_SPORT;
		o.dport = s->tunnel == FRAME_TUN_GENEVE ? GENEVE_PORT :
			  s->tunnel_port ? s->tunnel_port : VXLAN_PORT;
	} else {
		o.proto = PROTO_GRE;
	}
	o.payload_len = tunnel_hlen(s) + inner_len;
	o.truncate_at = s->truncate_at;
	return o;
}

/* Inner bytes as they travel: GRE drops the inner Ethernet header. */
static int inner_len(const struct frame_spec *s)
{
	struct frame_spec in = inner_spec(s);
	int n = plain_full_len(&in);

	return n < 0 ? n : n - (s->tunnel == FRAME_TUN_GRE ? ETH_HLEN : 0);
}

/* The outer frame of tunnel spec `s` in *o: its inner frame's length, or
 * -EINVAL for a spec no tunnel can carry. */
static int tunnel_outer(const struct frame_spec *s, struct frame_spec *o)
{
	int err = validate_tunnel(s), n;

	if (err)
		return err;
	n = inner_len(s);
	if (n >= 0)
		*o = outer_spec(s, n);
	return n;
}

int frame_full_len(const struct frame_spec *s)
{
	struct frame_spec o;
	int err;

	if (!s->tunnel)
		return plain_full_len(s);
	err = tunnel_outer(s, &o);
	return err < 0 ? err : plain_full_len(&o);
}

static void put_tunnel_header(const struct frame_spec *s, __u8 *h)
{
	int type = s->tunnel == FRAME_TUN_GRE ? final_ethertype(s) : ETHERTYPE_TEB;

	memset(h, 0, tunnel_hlen(s));
	switch (s->tunnel) {
	case FRAME_TUN_VXLAN:
		h[0] = 0x08;			/* I: the VNI is valid */
		put32(h + 4, s->vni << 8);
		break;
	case FRAME_TUN_GENEVE:
		h[0] = s->geneve_opt_len;	/* version 0 */
		put16(h + 2, ETHERTYPE_TEB);
		put32(h + 4, s->vni << 8);
		break;
	default:
		h[0] = s->gre_key ? 0x20 : 0;	/* K */
		put16(h + 2, type);
		if (s->gre_key)
			put32(h + 4, s->vni);
		break;
	}
}

int frame_build(const struct frame_spec *s, __u8 *buf, size_t cap)
{
	static __u8 inner[65536 + 64];
	struct frame_spec in, o;
	struct layout lo;
	int n, skip, len, err;

	if (!s->tunnel)
		return plain_build(s, buf, cap);
	err = validate_tunnel(s);
	if (err)
		return err;
	in = inner_spec(s);
	n = plain_build(&in, inner, sizeof(inner));
	if (n < 0)
		return n;
	skip = s->tunnel == FRAME_TUN_GRE ? ETH_HLEN : 0;
	o = outer_spec(s, n - skip);
	o.truncate_at = 0;
	len = plain_build(&o, buf, cap);
	if (len < 0)
		return len;
	get_layout(&o, &lo);
	put_tunnel_header(s, buf + lo.l4_off + lo.l4_hlen);
	memcpy(buf + lo.l4_off + lo.l4_hlen + tunnel_hlen(s), inner + skip, n - skip);
	if (o.proto == PROTO_UDP)
		put16(buf + lo.l4_off + 6, 0);	/* no checksum: over the filler, not this */
	if (s->truncate_at && s->truncate_at < len)
		return s->truncate_at;
	return len;
}

int frame_classify(const struct frame_spec *s, int len, __u32 ifindex, int dir,
		   struct frame_class *out)
{
	return frame_classify_decap(s, len, ifindex, dir, NULL, out);
}

static int decap_enabled(const struct frame_spec *s, const struct ft_decap *d)
{
	int i;

	if (!d)
		return 0;
	switch (s->tunnel) {
	case FRAME_TUN_VXLAN:
		if (!(d->kinds & FT_DECAP_VXLAN))
			return 0;
		for (i = 0; i < FT_MAX_VXLAN_PORTS; i++)
			if (d->vxlan_port[i] &&
			    d->vxlan_port[i] == (s->tunnel_port ? s->tunnel_port : VXLAN_PORT))
				return 1;
		return 0;
	case FRAME_TUN_GENEVE:
		return !!(d->kinds & FT_DECAP_GENEVE);
	default:
		return !!(d->kinds & FT_DECAP_GRE);
	}
}

/*
 * The outer frame is classified as any frame is. Decapsulated, the tunnel
 * header must be whole, and the inner frame is classified on what is left of
 * it, with its truncation named tunnel_truncated; the key is the inner
 * frame's with the tunnel's id (a GRE key's low 24 bits).
 */
int frame_classify_decap(const struct frame_spec *s, int len, __u32 ifindex, int dir,
			 const struct ft_decap *decap, struct frame_class *out)
{
	struct frame_spec in, o;
	struct layout lo;
	int n, t_off, avail, err;

	if (!s->tunnel)
		return plain_classify(s, len, ifindex, dir, out);
	n = tunnel_outer(s, &o);
	if (n < 0)
		return n;
	o.truncate_at = 0;
	err = plain_classify(&o, len, ifindex, dir, out);
	if (err || !out->classified || !decap_enabled(s, decap))
		return err;
	get_layout(&o, &lo);
	t_off = lo.l4_off + lo.l4_hlen;
	/* Geneve's fixed header comes before its options; GRE's is read whole. */
	if (len < t_off + (s->tunnel == FRAME_TUN_GENEVE ? 8 : 0) ||
	    len < t_off + tunnel_hlen(s)) {
		unclassified(out, FT_UNCL_TUNNEL_TRUNCATED);
		return 0;
	}
	avail = len - t_off - tunnel_hlen(s);
	in = inner_spec(s);
	err = plain_classify(&in, avail + (s->tunnel == FRAME_TUN_GRE ? ETH_HLEN : 0), ifindex,
			     dir, out);
	if (err)
		return err;
	if (!out->classified) {
		if (out->reason == FT_UNCL_TRUNCATED)
			out->reason = FT_UNCL_TUNNEL_TRUNCATED;
		return 0;
	}
	ft_key_set_vni(&out->key, s->vni & FT_VNI_MASK);
	if (s->tunnel == FRAME_TUN_GRE || s->tunnel == FRAME_TUN_GRETAP)
		ft_key_set_vni(&out->key, s->gre_key ? s->vni & FT_VNI_MASK : 0);
	return 0;
}
