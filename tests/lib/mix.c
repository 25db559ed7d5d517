// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "mix.h"

#define ETH_HLEN	14
#define RUNT_LEN	60	/* Ethernet minimum without FCS; shorter frames are runts */
/* Linux drops a tagged frame shorter than this on receive, before packet taps
 * and tc ingress (skb_vlan_untag wants the tag and two bytes more): such a
 * frame would be seen by XDP but not by tc, so the mix leaves it out. */
#define MIN_TAGGED_LEN	(ETH_HLEN + 6)

/* Services in rough order of popularity; port_index() favours the first. */
static const __u16 common_ports[] = {
	443, 80, 53, 22, 123, 8080, 8443, 25, 993, 3306, 5432, 6379, 3389, 445, 161,
	514, 1194, 1883, 5060, 5353, 6443, 9092, 9200, 11211, 27017, 51820, 110, 143, 995, 2049,
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NPORTS		((unsigned int)ARRAY_SIZE(common_ports))

static const __u8 icmp4_types[][2] = { { 8, 0 }, { 0, 0 }, { 3, 3 }, { 11, 0 } };
static const __u8 icmp6_types[][2] = { { 128, 0 }, { 129, 0 }, { 1, 4 }, { 135, 0 }, { 136, 0 } };
static const __u8 dscps[] = { 46, 10, 18, 26, 34, 8, 48 };
static const int non_ip_types[] = { 0x0806, 0x0806, 0x0806, 0x88cc, 0x8847, 0x0842, 0x88b5 };
static const int ext_types[] = { 43, 60 };

struct rng {
	__u64 state;
};

/* splitmix64: every seed, including 0, gives a full-quality stream. */
static __u64 rng_next(struct rng *r)
{
	__u64 z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0..n-1; the modulo bias is below 2^-32 for the n used here. */
static unsigned int below(struct rng *r, unsigned int n)
{
	return rng_next(r) % n;
}

static int chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

static unsigned int min_u(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

/* NPORTS * u^2 for u uniform in [0, 1): index 0 takes 18%, the last 1.7%, a
 * head-heavy spread like real traffic's. */
static unsigned int port_index(struct rng *r)
{
	__u64 u = below(r, 1u << 16);

	return (u * u * NPORTS) >> 32;
}

static void draw_proto(struct rng *r, struct frame_spec *s)
{
	unsigned int p = below(r, 100);

	if (p < 55)
		s->proto = 6;
	else if (p < 83)
		s->proto = 17;
	else if (p < 89)
		s->proto = s->l3 == 4 ? 1 : 58;
	else if (p < 92)
		s->proto = 132;
	else if (p < 94)
		s->proto = 136;
	else if (p < 97)
		s->proto = 47;	/* GRE */
	else
		s->proto = 50;	/* ESP */

	s->sport = 32768 + below(r, 28232);	/* Linux's ephemeral range */
	s->dport = chance(r, 80) ? common_ports[port_index(r)] : 1024 + below(r, 65536 - 1024);
	if (s->proto == 1) {
		const __u8 *t = icmp4_types[below(r, ARRAY_SIZE(icmp4_types))];

		s->icmp_type = t[0];
		s->icmp_code = t[1];
	} else if (s->proto == 58) {
		const __u8 *t = icmp6_types[below(r, ARRAY_SIZE(icmp6_types))];

		s->icmp_type = t[0];
		s->icmp_code = t[1];
	}
}

static void draw_addrs(struct rng *r, struct frame_spec *s)
{
	if (s->l3 == 4) {
		memcpy(s->saddr, (__u8[]){ 192, 0, 2, 1 + below(r, 254) }, 4);
		memcpy(s->daddr, (__u8[]){ 198, 51, 100, 1 + below(r, 254) }, 4);
		return;
	}
	memcpy(s->saddr, (__u8[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
	memcpy(s->daddr, (__u8[]){ 0x20, 0x01, 0x0d, 0xb8, 0, 1 }, 6);
	s->saddr[14] = below(r, 256);
	s->saddr[15] = 1 + below(r, 255);
	s->daddr[14] = below(r, 256);
	s->daddr[15] = 1 + below(r, 255);
}

static void draw_vlans(struct rng *r, struct frame_spec *s, int tags)
{
	int k;

	s->vlan_tags = tags;
	for (k = 0; k < tags; k++) {
		s->vlan_id[k] = 1 + below(r, 4094);
		if (chance(r, 20))
			s->vlan_id[k] |= below(r, 8) << 13;	/* PCP: not part of the key */
	}
}

static void add_ext(struct rng *r, struct frame_spec *s, int type)
{
	s->ipv6_ext[s->ipv6_ext_count] = type;
	s->ipv6_ext_units[s->ipv6_ext_count] = type == 44 ? 0 : below(r, 3);
	s->ipv6_ext_count++;
}

/* Extension headers in RFC 8200 order: hop-by-hop only ever comes first. */
static void draw_exts(struct rng *r, struct frame_spec *s, int n)
{
	int k;

	for (k = 0; k < n; k++)
		add_ext(r, s, k == 0 && chance(r, 40) ? 0 : ext_types[below(r, 2)]);
}

/* A well-formed frame of up to max_frame bytes; l3 0 draws the IP version. */
static void draw_good(struct rng *r, int max_frame, int l3, struct frame_spec *s)
{
	unsigned int room, p;
	int hdr;

	s->l3 = l3 ? l3 : chance(r, 60) ? 4 : 6;
	draw_proto(r, s);
	draw_addrs(r, s);
	if (chance(r, 20))
		s->dscp = chance(r, 80) ? dscps[below(r, ARRAY_SIZE(dscps))] : below(r, 64);
	p = below(r, 100);
	if (p < 4)
		draw_vlans(r, s, 2);
	else if (p < 12)
		draw_vlans(r, s, 1);
	if (s->l3 == 4 && chance(r, 5))
		s->ipv4_options_len = 4 * (1 + below(r, 10));
	if (s->l3 == 6 && chance(r, 10))
		draw_exts(r, s, 1 + below(r, 3));
	p = below(r, 100);
	if (p < 6) {
		s->fragment = p < 3 ? FRAME_FRAG_FIRST : FRAME_FRAG_LATER;
		if (s->l3 == 6)
			add_ext(r, s, 44);
	}

	/* Headers stay under MIX_MIN_FRAME, so room is never negative. */
	hdr = frame_full_len(s);
	room = max_frame - hdr;
	p = below(r, 100);
	if (p < 40)
		s->payload_len = below(r, min_u(room, 64) + 1);
	else if (p < 70)
		s->payload_len = below(r, room + 1);
	else
		s->payload_len = room - below(r, min_u(room, 16) + 1);
	/* Runts belong to the noise; good frames are at least Ethernet's minimum. */
	if (hdr + s->payload_len < RUNT_LEN)
		s->payload_len = RUNT_LEN - hdr;
}

static void draw_noise(struct rng *r, int max_frame, struct frame_spec *s)
{
	int full, hdr;

	switch (below(r, 8)) {
	case 0:	/* ARP and friends, tagged now and then */
		s->l3 = 0;
		s->ethertype_override = non_ip_types[below(r, ARRAY_SIZE(non_ip_types))];
		s->payload_len = 28 + below(r, 40);
		if (s->ethertype_override == 0x0806)
			memset(s->dst_mac, 0xff, 6);
		if (chance(r, 20))
			draw_vlans(r, s, 1);
		return;
	case 1:	/* cut somewhere inside the headers */
		draw_good(r, max_frame, 0, s);
		s->payload_len = 0;
		hdr = frame_full_len(s);
		s->truncate_at = ETH_HLEN + below(r, hdr - ETH_HLEN);
		break;
	case 2:
		draw_good(r, max_frame, 4, s);
		s->ihl_override = (int[]){ FRAME_IHL_ZERO, 1, 2, 3, 4 }[below(r, 5)];
		return;
	case 3:	/* a version nibble or EtherType that does not match */
		draw_good(r, max_frame, 0, s);
		if (chance(r, 30)) {
			s->ethertype_override = s->l3 == 4 ? 0x86dd : 0x0800;
			return;
		}
		s->ip_version_override = 1 + below(r, 15);
		if (s->ip_version_override == s->l3)
			s->ip_version_override = 15;
		return;
	case 4:
		draw_good(r, max_frame, 0, s);
		draw_vlans(r, s, 3);
		break;
	case 5:
		draw_good(r, max_frame, 6, s);
		s->fragment = FRAME_FRAG_NONE;
		s->ipv6_ext_count = 0;
		draw_exts(r, s, 5 + below(r, 2));
		break;
	default:	/* runts: short and whole (classified) or short and cut */
		draw_good(r, max_frame, 0, s);
		s->payload_len = 0;
		s->ipv4_options_len = 0;
		s->truncate_at = ETH_HLEN + below(r, RUNT_LEN - ETH_HLEN);
		break;
	}
	if (s->vlan_tags && s->truncate_at && s->truncate_at < MIN_TAGGED_LEN)
		s->truncate_at = MIN_TAGGED_LEN;
	/* Extra headers went on top of a payload sized for max_frame. */
	full = frame_full_len(s);
	if (full > max_frame)
		s->payload_len -= full - max_frame;
}

int mix_spec(unsigned int seed, unsigned int i, int max_frame, int malformed_pct,
	     struct frame_spec *out)
{
	struct rng r = { .state = (__u64)seed << 32 | i };

	if (max_frame < MIX_MIN_FRAME || max_frame > MIX_MAX_FRAME || malformed_pct < 0 ||
	    malformed_pct > 100)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (chance(&r, malformed_pct))
		draw_noise(&r, max_frame, out);
	else
		draw_good(&r, max_frame, 0, out);
	return 0;
}
