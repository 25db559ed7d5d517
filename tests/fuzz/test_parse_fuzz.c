// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The BPF frame parser (bpf/parse.h), compiled for the host under ASan and
 * UBSan, fed mix frames, mutated frames and random bytes, each in a buffer of
 * exactly its length so that any read past the end is caught. Every frame
 * must get exactly one verdict (classified, or one named reason), and a
 * described frame the verdict and key its description says.
 */
#include <arpa/inet.h>
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
#include "parse.h"

#define CHECK_PREFIX ""
#include "check.h"
#include "rng.h"
#include "frames.h"
#include "mix.h"

#define ROUNDS 100000

static __u64 rng_state = 0x9E3779B97F4A7C15ULL;

static __u64 rnd(void)
{
	return rng_next(&rng_state);
}

/* Parses a copy of the frame that ends where its allocation ends. It starts
 * 2 bytes in, as drivers place frames (NET_IP_ALIGN), so that the IP header
 * is 4-byte aligned for UBSan, as the C structs want it. */
static int parse_exact(const __u8 *frame, int len, struct pkt_meta *m)
{
	__u8 *buf = malloc(len + 2);
	int verdict;

	memcpy(buf + 2, frame, len);
	memset(m, 0, sizeof(*m));
	m->want_addrs = 1;
	verdict = parse_frame(buf + 2, buf + 2 + len, m, 0, 0);
	free(buf);
	return verdict;
}

static int verdict_valid(int v)
{
	return v == PARSE_OK || (v >= 0 && v < FT_UNCL_REASONS);
}

static void test_fuzz_mix_frames_agree_with_their_description(void)
{
	static __u8 frame[16384];
	unsigned int i, bad = 0;

	for (i = 0; i < ROUNDS && bad < 5; i++) {
		struct frame_spec s;
		struct frame_class want;
		struct pkt_meta m;
		int len, got;

		if (mix_spec(7, i, 9000, 40, &s))
			continue;
		len = frame_build(&s, frame, sizeof(frame));
		if (len < 0 || frame_classify(&s, len, 0, 0, &want))
			continue;
		got = parse_exact(frame, len, &m);
		m.key.ifindex = 0;
		m.key.dir = 0;
		if (got != want.reason ||
		    (got == PARSE_OK && memcmp(&m.key, &want.key, sizeof(m.key)))) {
			fprintf(stderr, "    frame %u of seed 7: verdict %d, want %d\n", i, got,
				want.reason);
			bad++;
		}
	}
	ASSERT_EQ(bad, 0, "mix frames whose verdict or key differs from the description");
}

static void test_fuzz_mutated_frames_get_one_verdict(void)
{
	static __u8 frame[16384];
	unsigned int i, invalid = 0;

	for (i = 0; i < ROUNDS; i++) {
		struct frame_spec s;
		struct pkt_meta m;
		int len, flips, k;

		if (mix_spec(11, i, 2048, 20, &s))
			continue;
		len = frame_build(&s, frame, sizeof(frame));
		if (len < 0)
			continue;
		for (flips = (int)(rnd() % 8), k = 0; k < flips; k++)
			frame[rnd() % (__u64)len] ^= (__u8)(1u << (rnd() % 8));
		if (rnd() % 3 == 0)
			len = (int)(rnd() % (__u64)(len + 1));
		invalid += !verdict_valid(parse_exact(frame, len, &m));
	}
	ASSERT_EQ(invalid, 0, "mutated frames without exactly one named verdict");
}

static void test_fuzz_random_bytes_get_one_verdict(void)
{
	static const __u16 types[] = { 0x0800, 0x86DD, 0x8100, 0x88A8, 0x0806, 0x1234 };
	__u8 frame[256];
	unsigned int i, invalid = 0, classified = 0;

	for (i = 0; i < ROUNDS; i++) {
		int len = (int)(rnd() % sizeof(frame)), k;
		struct pkt_meta m;
		int v;

		for (k = 0; k < len; k++)
			frame[k] = (__u8)rnd();
		/* steer most frames past the EtherType, or little is exercised */
		if (len >= 14 && rnd() % 4) {
			__u16 t = types[rnd() % 6];

			frame[12] = t >> 8;
			frame[13] = t & 0xff;
			if (len > 14 && t == 0x0800)
				frame[14] = 0x40 | (frame[14] & 0x0f);
			if (len > 14 && t == 0x86DD)
				frame[14] = 0x60 | (frame[14] & 0x0f);
		}
		v = parse_exact(frame, len, &m);
		invalid += !verdict_valid(v);
		classified += v == PARSE_OK;
	}
	ASSERT_EQ(invalid, 0, "random frames without exactly one named verdict");
	ASSERT_TRUE(classified > ROUNDS / 100, "random frames reach a key now and then");
}

int main(int argc, char **argv)
{
	static const struct check_test tests[] = {
#include "test_parse_fuzz.tests.h"
	};

	return check_main(tests, (int)(sizeof(tests) / sizeof(tests[0])), argc, argv);
}
