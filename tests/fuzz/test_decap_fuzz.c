// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The decapsulating parser (bpf/parse.h, then bpf/decap.h), compiled for the
 * host under ASan and UBSan: every tunnel around every kind of inner frame,
 * cut at every length, with and without --decap, must get the verdict and
 * key its description says; random bytes after a tunnel header must get one
 * named verdict. Each frame sits in a buffer of exactly its length.
 *
 * Built without UBSan's alignment check (the Makefile says so): the inner
 * IP header of VXLAN or Geneve sits 2 bytes off the 4-byte alignment the
 * outer one has, on the wire and so in the frame; the BPF programs read it
 * where it is, as the kernel's own tunnel drivers do on x86.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define bpf_ntohs ntohs
#define bpf_htons htons
#define bpf_htonl htonl
#include "decap.h"

#include "check.h"
#include "rng.h"
#include "frames.h"

#define ROUNDS 100000

static __u64 rng_state = 0x9E3779B97F4A7C15ULL;

static __u64 rnd(void)
{
	return rng_next(&rng_state);
}

/* Every tunnel, as `flowtally run --decap vxlan,geneve,gre` asks. */
static const struct ft_decap all_tunnels = {
	.kinds = FT_DECAP_VXLAN | FT_DECAP_GENEVE | FT_DECAP_GRE,
	.vxlan_port = { FT_VXLAN_PORT, FT_VXLAN_PORT_LINUX },
};

/* 2 bytes in, as drivers place frames (NET_IP_ALIGN). */
static int parse_exact_decap(const __u8 *frame, int len, const struct ft_decap *d,
			     struct pkt_meta *m)
{
	__u8 *buf = malloc(len + 2);
	int verdict;

	memcpy(buf + 2, frame, len);
	memset(m, 0, sizeof(*m));
	m->want_addrs = 1;
	if (d)
		m->decap = *d;
	verdict = parse_frame_decap(buf + 2, buf + 2 + len, m, 0, 0);
	free(buf);
	return verdict;
}

/* Inner frames for the tunnel tests: each kind of inner header once. */
static const struct frame_spec tunnel_inner[] = {
	{ .l3 = 4, .proto = 6, .sport = 40000, .dport = 443, .payload_len = 20 },
	{ .l3 = 6, .proto = 17, .sport = 5353, .dport = 53, .dscp = 46, .payload_len = 9 },
	{ .l3 = 4, .vlan_tags = 1, .vlan_id = { 100 }, .proto = 17, .dport = 8080 },
	{ .l3 = 6, .vlan_tags = 3, .vlan_id = { 1, 2, 3 }, .proto = 6, .dport = 22 },
	{ .l3 = 4, .ipv4_options_len = 8, .proto = 1, .icmp_type = 8 },
	{ .l3 = 6, .ipv6_ext = { 0, 60 }, .ipv6_ext_units = { 0, 1 }, .ipv6_ext_count = 2,
	  .proto = 6, .dport = 80 },
	{ .l3 = 4, .fragment = FRAME_FRAG_LATER, .proto = 17, .dport = 53, .payload_len = 16 },
	{ .l3 = 4, .ihl_override = 4, .proto = 6, .dport = 80 },
	{ .ethertype_override = 0x0806, .payload_len = 28 },	/* ARP in the overlay */
};

/* The tunnels around them: kind, outer IP, port, id, GRE key, Geneve options. */
static const struct frame_spec tunnel_outer[] = {
	{ .tunnel = FRAME_TUN_VXLAN, .vni = 42 },
	{ .tunnel = FRAME_TUN_VXLAN, .tunnel_l3 = 6, .tunnel_port = 8472, .vni = 0xabcdef },
	{ .tunnel = FRAME_TUN_VXLAN, .tunnel_port = 4790, .vni = 7 },	/* not a port of ours */
	{ .tunnel = FRAME_TUN_GENEVE, .vni = 0x123456 },
	{ .tunnel = FRAME_TUN_GENEVE, .tunnel_l3 = 6, .vni = 9, .geneve_opt_len = 3 },
	{ .tunnel = FRAME_TUN_GRE },
	{ .tunnel = FRAME_TUN_GRE, .tunnel_l3 = 6, .gre_key = 1, .vni = 0x12345678 },
	{ .tunnel = FRAME_TUN_GRETAP, .gre_key = 1, .vni = 1001 },
	{ .tunnel = FRAME_TUN_GRETAP, .tunnel_l3 = 6 },
};

static struct frame_spec tunnel_spec(int o, int i)
{
	struct frame_spec s = tunnel_inner[i];

	s.tunnel = tunnel_outer[o].tunnel;
	s.tunnel_l3 = tunnel_outer[o].tunnel_l3;
	s.tunnel_port = tunnel_outer[o].tunnel_port;
	s.vni = tunnel_outer[o].vni;
	s.gre_key = tunnel_outer[o].gre_key;
	s.geneve_opt_len = tunnel_outer[o].geneve_opt_len;
	return s;
}

/* Every tunnel around every inner frame, cut at every length, with and
 * without --decap: verdict and key as the description says. */
static void test_fuzz_tunnel_frames_cut_at_every_length_agree(void)
{
	static __u8 frame[4096];
	unsigned int o, i, bad = 0, checked = 0, tt = 0;

	for (o = 0; o < sizeof(tunnel_outer) / sizeof(tunnel_outer[0]); o++) {
		for (i = 0; i < sizeof(tunnel_inner) / sizeof(tunnel_inner[0]); i++) {
			struct frame_spec s = tunnel_spec(o, i);
			int full = frame_build(&s, frame, sizeof(frame)), len, d;

			if (full == -EINVAL)	/* GRE carries IP only */
				continue;
			if (!ASSERT_TRUE(full > 0, "build a tunnel frame"))
				return;
			for (len = 0; len <= full; len++) {
				for (d = 0; d < 2; d++) {
					const struct ft_decap *dc = d ? &all_tunnels : NULL;
					struct frame_class want;
					struct pkt_meta m;
					int got;

					if (frame_classify_decap(&s, len, 0, 0, dc, &want))
						continue;
					got = parse_exact_decap(frame, len, dc, &m);
					m.key.ifindex = 0;
					m.key.dir = 0;
					checked++;
					tt += got == FT_UNCL_TUNNEL_TRUNCATED;
					if (got == want.reason &&
					    (got != PARSE_OK ||
					     !memcmp(&m.key, &want.key, sizeof(m.key))))
						continue;
					if (bad++ < 5)
						fprintf(stderr, "    tunnel %u inner %u len %d decap %d: "
							"verdict %d, want %d; vni %u, want %u\n",
							o, i, len, d, got, want.reason,
							ft_key_vni(&m.key), ft_key_vni(&want.key));
				}
			}
		}
	}
	ASSERT_EQ(bad, 0, "tunnel frames whose verdict or key differs from the description");
	ASSERT_TRUE(checked > 5000, "tunnel frames checked");
	ASSERT_TRUE(tt > 500, "tunnel frames cut short count as tunnel_truncated");
}

/* A whole tunnel header, then anything: one named verdict each. */
static void test_fuzz_random_bytes_after_tunnel_header_get_one_verdict(void)
{
	static __u8 frame[512];
	unsigned int r, invalid = 0, classified = 0;
	int n = (int)(sizeof(tunnel_outer) / sizeof(tunnel_outer[0]));

	for (r = 0; r < ROUNDS; r++) {
		struct frame_spec s = tunnel_spec((int)(rnd() % (__u64)n), 0);
		struct pkt_meta m;
		int full, len, hdr, k, v;

		s.payload_len = 300;
		full = frame_build(&s, frame, sizeof(frame));
		if (!ASSERT_TRUE(full > 0, "build"))
			return;
		/* the outer headers and the tunnel's own end before byte 14 + 40 + 16 */
		hdr = (s.tunnel_l3 == 6 ? 54 : 34) +
		      (s.tunnel == FRAME_TUN_VXLAN || s.tunnel == FRAME_TUN_GENEVE ? 16 : 8) +
		      4 * s.geneve_opt_len;
		len = hdr + (int)(rnd() % (__u64)(full - hdr + 1));
		for (k = hdr; k < len; k++)
			frame[k] = (__u8)rnd();
		/* an inner EtherType of IP most of the time, or little is reached */
		if (len > hdr + 14 && s.tunnel != FRAME_TUN_GRE && rnd() % 4) {
			frame[hdr + 12] = rnd() & 1 ? 0x08 : 0x86;
			frame[hdr + 13] = frame[hdr + 12] == 0x08 ? 0x00 : 0xdd;
		}
		v = parse_exact_decap(frame, len, &all_tunnels, &m);
		invalid += !(v == PARSE_OK || (v >= 0 && v < FT_UNCL_REASONS));
		classified += v == PARSE_OK && ft_key_vni(&m.key) == (s.vni & FT_VNI_MASK);
	}
	ASSERT_EQ(invalid, 0, "frames with random inner bytes without one named verdict");
	ASSERT_TRUE(classified > ROUNDS / 100, "random inner frames reach a key now and then");
}

int main(int argc, char **argv)
{
	static const struct check_test tests[] = {
		{ "fuzz_tunnel_frames_cut_at_every_length_agree",
		  test_fuzz_tunnel_frames_cut_at_every_length_agree },
		{ "fuzz_random_bytes_after_tunnel_header_get_one_verdict",
		  test_fuzz_random_bytes_after_tunnel_header_get_one_verdict },
	};

	return check_run(tests, sizeof(tests) / sizeof(tests[0]), argc > 1 ? argv[1] : NULL) ? 1
												: 0;
}
