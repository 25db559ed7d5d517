// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Crafted frames through BPF_PROG_TEST_RUN into flowtally's programs, with
 * exact packet and byte counts per key and per unclassified reason. The
 * expectation of every frame comes from its description (frames.c), never
 * from the parser under test.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PREFIX "testrun_"
#include "check.h"
#include "harness.h"
#include "ifslot.h"
#include "mix.h"
#include "names.h"
#include "attach.h"
#include "follow.h"
#include "snapshot.h"
#include "tables.h"

/* Opens an instance (decapsulating what `decap` names, NULL: nothing), sends
 * each spec once in `dir`, and checks the counts. */
static void check_specs_decap(const char *what, int dir, const struct frame_spec *specs, int n,
			      const struct ft_decap *decap)
{
	struct expect e;
	struct ktest k;
	int i, err;

	expect_init(&e);
	err = ktest_open(&k, NULL, 0);
	if (!ASSERT_EQ(err, 0, "open the instance"))
		goto out;
	if (decap)
		k.inst.cfg->decap = *decap;
	for (i = 0; i < n; i++) {
		err = ktest_send(&k, dir, &specs[i], &e);
		if (!ASSERT_TRUE(err == 0 || err == 1, "send a frame"))
			goto out;
	}
	if (ASSERT_EQ(ktest_snapshot(&k), 0, "snapshot"))
		ktest_check(&k, dir, &e, what);
out:
	ktest_close(&k);
	expect_fini(&e);
}

static void check_specs(const char *what, int dir, const struct frame_spec *specs, int n)
{
	check_specs_decap(what, dir, specs, n, NULL);
}

static void check_both(const char *what, const struct frame_spec *specs, int n)
{
	check_specs(what, FT_DIR_INGRESS, specs, n);
	check_specs(what, FT_DIR_EGRESS, specs, n);
}

static void test_ipv4_tcp_udp_count_by_dport(void)
{
	struct frame_spec s[] = {
		{ .l3 = 4, .proto = 6, .sport = 40000, .dport = 443, .payload_len = 100 },
		{ .l3 = 4, .proto = 6, .sport = 40001, .dport = 443, .payload_len = 1 },
		{ .l3 = 4, .proto = 17, .sport = 5353, .dport = 53, .payload_len = 30 },
		{ .l3 = 4, .proto = 6, .sport = 1, .dport = 22 },
	};

	check_both("ipv4 tcp/udp", s, 4);
}

static void test_ipv6_tcp_udp_count_by_dport(void)
{
	struct frame_spec s[] = {
		{ .l3 = 6, .proto = 6, .sport = 40000, .dport = 443, .payload_len = 1200 },
		{ .l3 = 6, .proto = 17, .sport = 40000, .dport = 443, .payload_len = 10 },
		{ .l3 = 6, .proto = 17, .sport = 1000, .dport = 123 },
	};

	check_both("ipv6 tcp/udp", s, 3);
}

static void test_ipv4_options_honour_ihl(void)
{
	struct frame_spec s[] = {
		{ .l3 = 4, .ipv4_options_len = 4, .proto = 6, .dport = 8080 },
		{ .l3 = 4, .ipv4_options_len = 40, .proto = 17, .dport = 9999 },
		{ .l3 = 4, .ipv4_options_len = 40, .proto = 6, .dport = 80, .truncate_at = 14 + 60 + 10 },
	};

	check_both("ipv4 options", s, 3);
}

static void test_fragments_first_counts_later_unclassified(void)
{
	struct frame_spec s[] = {
		{ .l3 = 4, .fragment = FRAME_FRAG_FIRST, .proto = 17, .dport = 4789 },
		{ .l3 = 4, .fragment = FRAME_FRAG_LATER, .proto = 17, .dport = 4789, .payload_len = 100 },
		{ .l3 = 6, .ipv6_ext = { 44 }, .ipv6_ext_count = 1, .fragment = FRAME_FRAG_FIRST,
		  .proto = 17, .dport = 4789 },
		{ .l3 = 6, .ipv6_ext = { 44 }, .ipv6_ext_count = 1, .fragment = FRAME_FRAG_LATER,
		  .proto = 17, .dport = 4789, .payload_len = 64 },
	};

	check_both("fragments", s, 4);
}

static void test_truncated_headers_are_named(void)
{
	struct frame_spec s[] = {
		{ .l3 = 4, .proto = 6, .dport = 80, .truncate_at = 14 },	/* no IP */
		{ .l3 = 4, .proto = 6, .dport = 80, .truncate_at = 30 },	/* half IP */
		{ .l3 = 4, .proto = 6, .dport = 80, .truncate_at = 14 + 20 + 10 }, /* half TCP */
		{ .l3 = 4, .proto = 17, .dport = 53, .truncate_at = 14 + 20 + 4 }, /* ports only */
		{ .l3 = 6, .proto = 6, .dport = 80, .truncate_at = 14 + 39 },
		{ .l3 = 4, .vlan_tags = 1, .vlan_id = { 5 }, .proto = 6, .truncate_at = 16 },
	};

	check_both("truncated", s, 6);
}

static void test_bad_headers_are_named(void)
{
	struct frame_spec s[] = {
		{ .l3 = 4, .ihl_override = 4, .proto = 6, .dport = 80 },
		{ .l3 = 4, .ihl_override = FRAME_IHL_ZERO, .proto = 6, .dport = 80 },
		{ .l3 = 4, .ip_version_override = 6, .proto = 6, .dport = 80 },
		{ .l3 = 6, .ip_version_override = 4, .proto = 6, .dport = 80 },
	};

	check_both("bad header", s, 4);
}

static void test_non_ip_and_runts(void)
{
	struct frame_spec s[] = {
		{ .ethertype_override = 0x0806, .payload_len = 28 },	/* ARP */
		{ .ethertype_override = 0x88cc, .payload_len = 40 },	/* LLDP */
		{ .ethertype_override = 0x0806, .payload_len = 0 },	/* 14 bytes */
	};

	check_both("non-ip", s, 3);
}

static void test_icmp_counts_type_and_code(void)
{
	struct frame_spec s[] = {
		{ .l3 = 4, .proto = 1, .icmp_type = 8, .icmp_code = 0, .payload_len = 56 },
		{ .l3 = 4, .proto = 1, .icmp_type = 3, .icmp_code = 4 },
		{ .l3 = 6, .proto = 58, .icmp_type = 128, .payload_len = 56 },
		{ .l3 = 6, .proto = 58, .icmp_type = 135 },
	};

	check_both("icmp", s, 4);
}

static void test_other_protocols_keyed_without_ports(void)
{
	struct frame_spec s[] = {
		{ .l3 = 4, .proto = 132, .sport = 1, .dport = 3868 },	/* SCTP */
		{ .l3 = 6, .proto = 136, .sport = 1, .dport = 5000 },	/* UDP-Lite */
		{ .l3 = 4, .proto = 47, .payload_len = 40 },		/* GRE */
		{ .l3 = 6, .proto = 50, .payload_len = 40 },		/* ESP */
		{ .l3 = 6, .proto = 1, .payload_len = 8 },		/* ICMP over IPv6 */
	};

	check_both("other protocols", s, 5);
}

static void test_vlan_qinq_and_tag_limit(void)
{
	struct frame_spec s[] = {
		{ .vlan_tags = 1, .vlan_id = { 100 }, .l3 = 4, .proto = 6, .dport = 443 },
		{ .vlan_tags = 2, .vlan_id = { 10, 20 }, .l3 = 6, .proto = 17, .dport = 53 },
		{ .vlan_tags = 3, .vlan_id = { 1, 2, 3 }, .l3 = 4, .proto = 6, .dport = 443 },
		{ .vlan_tags = 1, .vlan_id = { 7 }, .ethertype_override = 0x0806, .payload_len = 28 },
	};

	check_both("vlan", s, 4);
}

static void test_ipv6_extension_headers_and_limit(void)
{
	struct frame_spec s[] = {
		{ .l3 = 6, .ipv6_ext = { 0 }, .ipv6_ext_count = 1, .proto = 6, .dport = 22 },
		{ .l3 = 6, .ipv6_ext = { 0, 43, 60 }, .ipv6_ext_units = { 0, 1, 2 },
		  .ipv6_ext_count = 3, .proto = 17, .dport = 53 },
		{ .l3 = 6, .ipv6_ext = { 0, 43, 60, 60 }, .ipv6_ext_count = 4, .proto = 6,
		  .dport = 80 },
		{ .l3 = 6, .ipv6_ext = { 0, 43, 60, 60, 60 }, .ipv6_ext_count = 5, .proto = 6,
		  .dport = 80 },
		{ .l3 = 6, .ipv6_ext = { 60 }, .ipv6_ext_units = { 3 }, .ipv6_ext_count = 1,
		  .proto = 6, .dport = 80, .truncate_at = 14 + 40 + 16 },
	};

	check_both("ipv6 extension headers", s, 5);
}

static void test_jumbo_frame_counts_whole_length(void)
{
	struct frame_spec s[] = {
		{ .l3 = 4, .proto = 17, .dport = 5001, .payload_len = 9000 - 14 - 20 - 8 },
		{ .l3 = 6, .proto = 6, .dport = 5201, .payload_len = 9000 - 14 - 40 - 20 },
	};

	check_both("jumbo", s, 2);
}

/* Many packets of one frame: repeat in the kernel, no syscall per packet. */
static void test_repeat_counts_every_run(void)
{
	struct frame_spec s = { .l3 = 4, .proto = 6, .dport = 443, .payload_len = 100 };
	__u8 buf[256];
	struct ktest k;
	int len;

	if (!ASSERT_EQ(ktest_open(&k, NULL, 0), 0, "open"))
		goto out;
	len = frame_build(&s, buf, sizeof(buf));
	ASSERT_EQ(ktest_run(&k, FT_DIR_INGRESS, buf, len, 100000, 0), 0, "test run");
	ASSERT_EQ(ktest_snapshot(&k), 0, "snapshot");
	ASSERT_EQ(k.got.iface[KTEST_SLOT][FT_DIR_INGRESS][FT_CNT_SEEN].packets, 100000, "seen packets");
	ASSERT_EQ(k.got.nr_entries, 1, "one key");
	if (k.got.nr_entries == 1) {
		ASSERT_EQ(k.got.entries[0].val.packets, 100000, "packets of tcp/443");
		ASSERT_EQ(k.got.entries[0].val.bytes, 100000ull * len, "bytes of tcp/443");
	}
out:
	ktest_close(&k);
}

/* L2 + L3 + L4 header bytes of a built untagged IPv4 TCP frame, read from the
 * frame itself: what every segment of a GSO packet repeats. */
static int ipv4_tcp_headers(const __u8 *frame)
{
	return 14 + (frame[14] & 0x0f) * 4 + (frame[14 + (frame[14] & 0x0f) * 4 + 12] >> 4) * 4;
}

/* A GSO packet (egress) or a GRO packet (tcx ingress) counts as its segments,
 * with the bytes they take on the wire: headers once per segment. */
static void gso_counts_segments(int dir, bool tc_ingress, int gso_segs, int gso_size,
				int want_segs)
{
	struct frame_spec s = { .l3 = 4, .proto = 6, .dport = 5201, .payload_len = 1000 };
	__u8 buf[2048];
	struct ktest k;
	__u64 want_bytes;
	int len;

	if (!ASSERT_EQ(ktest_open(&k, NULL, 0), 0, "open"))
		goto out;
	k.tc_ingress = tc_ingress;
	len = frame_build(&s, buf, sizeof(buf));
	want_bytes = (__u64)len + (__u64)(want_segs - 1) * ipv4_tcp_headers(buf);
	ASSERT_EQ(ktest_run_gso(&k, dir, buf, len, gso_segs, gso_size), 0, "test run");
	ASSERT_EQ(ktest_snapshot(&k), 0, "snapshot");
	ASSERT_EQ(k.got.iface[KTEST_SLOT][dir][FT_CNT_SEEN].packets, want_segs, "seen packets");
	ASSERT_EQ(k.got.iface[KTEST_SLOT][dir][FT_CNT_SEEN].bytes, want_bytes, "seen bytes: wire bytes");
	if (ASSERT_EQ(k.got.nr_entries, 1, "one key")) {
		ASSERT_EQ(k.got.entries[0].val.packets, want_segs, "packets of tcp/5201");
		ASSERT_EQ(k.got.entries[0].val.bytes, want_bytes, "bytes of tcp/5201");
	}
out:
	ktest_close(&k);
}

static void test_gso_packet_counts_segments(void)
{
	gso_counts_segments(FT_DIR_EGRESS, false, 4, 250, 4);
}

static void test_tcx_ingress_gro_packet_counts_segments(void)
{
	gso_counts_segments(FT_DIR_INGRESS, true, 4, 250, 4);
}

/* tun/tap: gso_size without gso_segs; 1000 bytes of payload in 400-byte
 * segments are 3 segments. */
static void test_gso_without_segs_derives_them_from_gso_size(void)
{
	gso_counts_segments(FT_DIR_EGRESS, false, 0, 400, 3);
	gso_counts_segments(FT_DIR_INGRESS, true, 0, 400, 3);
}

static void test_ten_thousand_ports(void)
{
	struct frame_spec s = { .l3 = 4, .proto = 17, .payload_len = 10 };
	struct expect e;
	struct ktest k;
	int i;

	expect_init(&e);
	if (!ASSERT_EQ(ktest_open(&k, NULL, 0), 0, "open"))
		goto out;
	for (i = 0; i < 10000; i++) {
		s.proto = i % 2 ? 17 : 6;
		s.dport = (__u16)(1 + i / 2 + (i % 2) * 30000);
		if (!ASSERT_EQ(ktest_send(&k, FT_DIR_INGRESS, &s, &e), 0, "send"))
			goto out;
	}
	ASSERT_EQ(e.nentries, 10000, "distinct keys sent");
	if (ASSERT_EQ(ktest_snapshot(&k), 0, "snapshot"))
		ktest_check(&k, FT_DIR_INGRESS, &e, "10000 ports");
out:
	ktest_close(&k);
	expect_fini(&e);
}

/* A table of 100 keys fed 150: 100 entries, and 50 frames in its overflow. */
static void test_full_table_counts_overflow(void)
{
	struct frame_spec s = { .l3 = 4, .proto = 6, .payload_len = 20 };
	struct table_spec spec;
	__u64 want_bytes = 0, got_packets = 0;
	struct ktest k;
	char err[128];
	size_t i;
	int len;

	table_spec_parse("small=proto,dport:size=100", &spec, err, sizeof(err));
	if (!ASSERT_EQ(ktest_open(&k, &spec, 1), 0, "open"))
		goto out;
	for (i = 0; i < 150; i++) {
		__u8 buf[256];

		s.dport = (__u16)(1000 + i);
		len = frame_build(&s, buf, sizeof(buf));
		ASSERT_EQ(ktest_run(&k, FT_DIR_INGRESS, buf, len, 1, 0), 0, "test run");
		want_bytes += len;
	}
	ASSERT_EQ(ktest_snapshot(&k), 0, "snapshot");
	ASSERT_EQ(k.got.nr_entries, 100, "entries in a 100-key table");
	for (i = 0; i < k.got.nr_entries; i++)
		got_packets += k.got.entries[i].val.packets;
	ASSERT_EQ(got_packets, 100, "packets in entries");
	ASSERT_EQ(k.got.table[0][FT_DIR_INGRESS][FT_TBL_OVERFLOW].packets, 50, "overflow packets");
	ASSERT_EQ(k.got.table[0][FT_DIR_INGRESS][FT_TBL_INSERTS].packets, 100, "inserts");
	ASSERT_EQ(k.got.iface[KTEST_SLOT][FT_DIR_INGRESS][FT_CNT_SEEN].bytes, want_bytes, "seen bytes");
	/* emptied by the swap: the next interval has room again */
	ASSERT_EQ(ktest_run(&k, FT_DIR_INGRESS, (__u8[256]){}, 64, 1, 0), 0, "test run");
out:
	ktest_close(&k);
}

/* Sends `n` frames of `s` on ingress and reads twice (both generations)
 * into `total`. */
static void send_and_read(struct ktest *k, const struct frame_spec *s, int n,
			  struct ft_counts *total)
{
	int i;

	for (i = 0; i < n; i++)
		ktest_send(k, FT_DIR_INGRESS, s, NULL);
	for (i = 0; i < FT_GENERATIONS; i++) {
		ASSERT_EQ(ktest_snapshot(k), 0, "snapshot");
		ASSERT_EQ(counts_merge(total, &k->got), 0, "merge");
	}
}

/*
 * A slot given to a new interface after the gone one was read to the end
 * and retired: the slot's kernel counters stay cumulative, so each
 * interface gets exactly its own frames, the gone one's in the removed sum.
 * The reused slot is the highest, and reads happen while it is free: the
 * read range must not shrink past it, or its baseline would be lost and the
 * old frames counted again.
 */
static void test_ifslot_reuse_counts_each_interface_once(void)
{
	struct frame_spec f = { .l3 = 4, .proto = 17, .dport = 53 };
	struct ft_iface *lo, *a, *b;
	struct ft_counts total;
	struct ft_value seen;
	struct ktest k;
	int i;

	counts_init(&total);
	if (!ASSERT_EQ(ktest_open(&k, NULL, 0), 0, "open"))
		goto out;
	/* the frames' ifindex (1) moves to slot 2, behind a filler in slot 1 */
	lo = &k.inst.cat.ifaces[KTEST_SLOT];
	lo->followed = true;	/* named ones keep their slot */
	attach_leave(&k.inst, lo);
	send_and_read(&k, &f, 0, &total);
	ASSERT_EQ(follow_retire(&k.inst, &total), 1, "lo retired once read twice");
	ASSERT_EQ(ktest_add_iface(&k, "filler", 999), 1, "filler in slot 1");
	ASSERT_EQ(ktest_add_iface(&k, "a", KTEST_IFINDEX), 2, "a in slot 2");
	a = &k.inst.cat.ifaces[2];
	a->followed = true;
	send_and_read(&k, &f, 100, &total);
	ASSERT_EQ(total.iface[2][FT_DIR_INGRESS][FT_CNT_SEEN].packets, 100, "a counted");

	attach_leave(&k.inst, a);	/* gone: its ifindex out of the slot map */
	ASSERT_EQ(follow_retire(&k.inst, &total), 0, "not retired before it is read");
	k.inst.cat.ifaces[1].gone = true;	/* a gone named one (the filler) stays */
	send_and_read(&k, &f, 7, &total);	/* no slot: the (other) row */
	ASSERT_EQ(a->unread, 0, "both generations read");
	ASSERT_EQ(follow_retire(&k.inst, &total), 1, "a retired");
	for (i = 0; i < 3; i++)		/* reads while slot 2 is free */
		send_and_read(&k, &f, 0, &total);
	ASSERT_EQ(ktest_add_iface(&k, "b", KTEST_IFINDEX), 2, "b reuses slot 2");
	b = &k.inst.cat.ifaces[2];
	ASSERT_STREQ(b->name, "b", "slot 2 is b's now");
	send_and_read(&k, &f, 30, &total);

	ASSERT_EQ(total.iface[2][FT_DIR_INGRESS][FT_CNT_SEEN].packets, 30, "b: its own frames only");
	ASSERT_EQ(total.removed[FT_DIR_INGRESS][FT_CNT_SEEN].packets, 100, "a's in the removed sum");
	ASSERT_EQ(total.iface[FT_IFACE_OTHER][FT_DIR_INGRESS][FT_CNT_SEEN].packets, 7,
		  "frames of no interface in (other)");
	counts_seen(&total, FT_DIR_INGRESS, &seen);
	ASSERT_EQ(seen.packets, 137, "every frame once");
	ASSERT_EQ(k.inst.cat.ifaces_retired, 2, "two retired");
	ASSERT_TRUE(k.inst.cat.ifaces[1].used && !strcmp(k.inst.cat.ifaces[1].name, "filler"),
		    "a gone named interface keeps its slot and name");
out:
	counts_free(&total);
	ktest_close(&k);
}

/* Two interfaces whose ifindex share an entry of the config's cache: the
 * one that lost the entry is found through the hash, and the entry comes
 * back to it when the cache is rebuilt (adoption). */
static void test_ifslot_cache_collision_falls_back_to_the_hash(void)
{
	struct frame_spec f = { .l3 = 4, .proto = 17, .dport = 53 };
	__u32 twin = KTEST_IFINDEX + FT_IFCACHE;
	struct ft_counts total;
	struct ktest k;
	int slot;

	counts_init(&total);
	if (!ASSERT_EQ(ktest_open(&k, NULL, 0), 0, "open"))
		goto out;
	ASSERT_EQ(k.inst.cfg->ifcache[KTEST_IFINDEX], ft_ifcache_entry(KTEST_IFINDEX, KTEST_SLOT),
		  "lo in the cache");
	slot = ktest_add_iface(&k, "twin", twin);
	if (!ASSERT_TRUE(slot > KTEST_SLOT, "the twin has a slot of its own"))
		goto out;
	ASSERT_EQ(k.inst.cfg->ifcache[KTEST_IFINDEX] >> 32, twin, "the twin took the entry");
	send_and_read(&k, &f, 40, &total);
	ASSERT_EQ(total.iface[KTEST_SLOT][FT_DIR_INGRESS][FT_CNT_SEEN].packets, 40,
		  "lo counted through the hash");
	ifslot_clear(&k.inst, twin);
	ASSERT_EQ(k.inst.cfg->ifcache[KTEST_IFINDEX], 0, "the twin's entry cleared");
	ifslot_cache_rebuild(&k.inst);
	ASSERT_EQ(k.inst.cfg->ifcache[KTEST_IFINDEX], ft_ifcache_entry(KTEST_IFINDEX, KTEST_SLOT),
		  "lo's entry again");
	send_and_read(&k, &f, 2, &total);
	ASSERT_EQ(total.iface[KTEST_SLOT][FT_DIR_INGRESS][FT_CNT_SEEN].packets, 42, "lo: every frame");
	ASSERT_EQ(total.iface[slot][FT_DIR_INGRESS][FT_CNT_SEEN].packets, 0, "none in the twin's slot");
out:
	counts_free(&total);
	ktest_close(&k);
}

/* Frames before a swap are in the first snapshot, frames after it in the
 * second, none in both. */
static void test_swap_splits_intervals_exactly(void)
{
	struct frame_spec a = { .l3 = 4, .proto = 6, .dport = 80 };
	struct frame_spec b = { .l3 = 6, .proto = 17, .dport = 53 };
	struct expect e1, e2;
	struct ktest k;
	int i;

	expect_init(&e1);
	expect_init(&e2);
	if (!ASSERT_EQ(ktest_open(&k, NULL, 0), 0, "open"))
		goto out;
	for (i = 0; i < 3; i++)
		ktest_send(&k, FT_DIR_INGRESS, &a, &e1);
	if (ASSERT_EQ(ktest_snapshot(&k), 0, "first snapshot"))
		ktest_check(&k, FT_DIR_INGRESS, &e1, "first interval");
	for (i = 0; i < 5; i++)
		ktest_send(&k, FT_DIR_INGRESS, &b, &e2);
	if (ASSERT_EQ(ktest_snapshot(&k), 0, "second snapshot"))
		ktest_check(&k, FT_DIR_INGRESS, &e2, "second interval");
	for (i = 0; i < 4; i++)
		ktest_send(&k, FT_DIR_INGRESS, &a, NULL);
	ASSERT_EQ(ktest_snapshot(&k), 0, "third snapshot");
	ASSERT_EQ(k.got.iface[KTEST_SLOT][FT_DIR_INGRESS][FT_CNT_SEEN].packets, 4, "third interval seen");
out:
	ktest_close(&k);
	expect_fini(&e1);
	expect_fini(&e2);
}

/* dir 0 ingress (XDP), 1 egress (tcx), 2 ingress through tcx: the same
 * frames count the same through either ingress hook. */
static void test_random_mix_counts_exactly(void)
{
	int seeds[] = { 1, 2, 3 }, si, i, run;

	for (si = 0; si < 3; si++) {
		for (run = 0; run < 3; run++) {
			int dir = run == 1 ? FT_DIR_EGRESS : FT_DIR_INGRESS;
			struct frame_spec s;
			struct expect e;
			struct ktest k;

			expect_init(&e);
			if (!ASSERT_EQ(ktest_open(&k, NULL, 0), 0, "open"))
				goto next;
			k.tc_ingress = run == 2;
			for (i = 0; i < 3000; i++) {
				if (!ASSERT_EQ(mix_spec(seeds[si], i, 9000, 15, &s), 0, "mix"))
					goto next;
				if (!ASSERT_TRUE(ktest_send(&k, dir, &s, &e) >= 0, "send"))
					goto next;
			}
			if (ASSERT_EQ(ktest_snapshot(&k), 0, "snapshot"))
				ktest_check(&k, dir, &e,
					    run == 1 ? "mix egress" :
					    run == 2 ? "mix tcx ingress" : "mix ingress");
next:
			ktest_close(&k);
			expect_fini(&e);
		}
	}
}

/* --decap vxlan,geneve,gre with VXLAN's two default ports. */
static const struct ft_decap all_tunnels = {
	.kinds = FT_DECAP_VXLAN | FT_DECAP_GENEVE | FT_DECAP_GRE,
	.vxlan_port = { FT_VXLAN_PORT, FT_VXLAN_PORT_LINUX },
};

/* XDP and tcx ingress, tc egress: every program decapsulates alike. */
static void check_decap_all_hooks(const char *what, const struct frame_spec *s, int n,
				  const struct ft_decap *decap)
{
	check_specs_decap(what, FT_DIR_INGRESS, s, n, decap);
	check_specs_decap(what, FT_DIR_EGRESS, s, n, decap);
}

static const struct frame_spec vxlan_frames[] = {
	{ .tunnel = FRAME_TUN_VXLAN, .vni = 42, .l3 = 4, .proto = 6, .sport = 40000,
	  .dport = 8080, .payload_len = 100 },
	{ .tunnel = FRAME_TUN_VXLAN, .vni = 42, .l3 = 4, .proto = 17, .dport = 53 },
	{ .tunnel = FRAME_TUN_VXLAN, .tunnel_port = 8472, .vni = 1, .l3 = 6, .proto = 6,
	  .dport = 9090 },
	{ .tunnel = FRAME_TUN_VXLAN, .tunnel_l3 = 6, .vni = 7, .vlan_tags = 1,
	  .vlan_id = { 30 }, .l3 = 4, .proto = 17, .dport = 5000 },
	{ .tunnel = FRAME_TUN_VXLAN, .vni = 42, .ethertype_override = 0x0806, .payload_len = 28 },
};

static void test_vxlan_decap_counts_inner_ports(void)
{
	check_decap_all_hooks("vxlan decap", vxlan_frames, 5, &all_tunnels);
}

/* Without --decap nothing changes: UDP to 4789 and 8472. */
static void test_vxlan_without_decap_counts_outer_udp(void)
{
	check_decap_all_hooks("vxlan no decap", vxlan_frames, 5, NULL);
}

/* Only the ports given: 8472 is VXLAN to Linux, not to --decap vxlan:4789. */
static void test_vxlan_decap_only_its_ports(void)
{
	struct ft_decap d = { .kinds = FT_DECAP_VXLAN, .vxlan_port = { FT_VXLAN_PORT } };

	check_decap_all_hooks("vxlan port 4789 only", vxlan_frames, 5, &d);
}

static void test_geneve_gre_gretap_count_inner_ports(void)
{
	struct frame_spec s[] = {
		{ .tunnel = FRAME_TUN_GENEVE, .vni = 100, .l3 = 4, .proto = 6, .dport = 443 },
		{ .tunnel = FRAME_TUN_GENEVE, .tunnel_l3 = 6, .geneve_opt_len = 4, .vni = 5,
		  .l3 = 6, .proto = 17, .dport = 4242 },
		{ .tunnel = FRAME_TUN_GRE, .l3 = 4, .proto = 6, .dport = 22 },
		{ .tunnel = FRAME_TUN_GRE, .gre_key = 1, .vni = 77, .l3 = 6, .proto = 17,
		  .dport = 123 },
		{ .tunnel = FRAME_TUN_GRETAP, .l3 = 4, .proto = 17, .dport = 161 },
		{ .tunnel = FRAME_TUN_GRETAP, .tunnel_l3 = 6, .gre_key = 1, .vni = 0x01000203,
		  .vlan_tags = 2, .vlan_id = { 10, 20 }, .l3 = 4, .proto = 6, .dport = 6443 },
	};

	check_decap_all_hooks("geneve/gre decap", s, 6, &all_tunnels);
	check_decap_all_hooks("geneve/gre no decap", s, 6, NULL);
}

/* Cut in the tunnel header or the inner headers: tunnel_truncated, never
 * dropped; cut in the outer headers: truncated as before. */
static void test_tunnel_cut_short_counts_tunnel_truncated(void)
{
	struct frame_spec s[] = {
		{ .tunnel = FRAME_TUN_VXLAN, .l3 = 4, .proto = 6, .dport = 80,
		  .truncate_at = 14 + 20 + 8 + 4 },			/* in VXLAN */
		{ .tunnel = FRAME_TUN_VXLAN, .l3 = 4, .proto = 6, .dport = 80,
		  .truncate_at = 14 + 20 + 8 + 8 + 14 + 10 },		/* in inner IP */
		{ .tunnel = FRAME_TUN_GENEVE, .geneve_opt_len = 8, .l3 = 6, .proto = 6,
		  .dport = 80, .truncate_at = 14 + 20 + 8 + 8 + 16 },	/* in options */
		{ .tunnel = FRAME_TUN_GRE, .gre_key = 1, .l3 = 4, .proto = 17, .dport = 53,
		  .truncate_at = 14 + 20 + 6 },				/* in the key */
		{ .tunnel = FRAME_TUN_GRETAP, .l3 = 4, .proto = 6, .dport = 80,
		  .truncate_at = 14 + 20 + 4 + 14 + 20 + 10 },		/* in inner TCP */
		{ .tunnel = FRAME_TUN_VXLAN, .l3 = 4, .proto = 6, .dport = 80,
		  .truncate_at = 14 + 20 + 4 },				/* in outer UDP */
	};

	check_decap_all_hooks("tunnel truncated", s, 6, &all_tunnels);
}

/* A vni table keys each tunnel apart; the same inner port in two VNIs is two
 * rows, each with the outer frame's bytes. */
static void test_vni_table_keys_each_tunnel(void)
{
	struct frame_spec s[] = {
		{ .tunnel = FRAME_TUN_VXLAN, .vni = 42, .l3 = 4, .proto = 6, .dport = 80 },
		{ .tunnel = FRAME_TUN_VXLAN, .vni = 42, .l3 = 4, .proto = 6, .dport = 80 },
		{ .tunnel = FRAME_TUN_VXLAN, .vni = 0xabcdef, .l3 = 4, .proto = 6, .dport = 80 },
		{ .tunnel = FRAME_TUN_GRETAP, .gre_key = 1, .vni = 0x12000007, .l3 = 4,
		  .proto = 6, .dport = 80 },
	};
	static const __u32 want_vni[] = { 42, 0xabcdef, 7 };
	static const int want_packets[] = { 2, 1, 1 };
	struct table_spec spec;
	char err[128];
	struct ktest k;
	size_t i;
	int j, found = 0;

	if (!ASSERT_EQ(table_spec_parse("overlay=vni,proto,dport", &spec, err, sizeof(err)), 0,
		       "spec"))
		return;
	if (!ASSERT_EQ(ktest_open(&k, &spec, 1), 0, "open"))
		goto out;
	k.inst.cfg->decap = all_tunnels;
	for (j = 0; j < 4; j++)
		ASSERT_EQ(ktest_send(&k, FT_DIR_INGRESS, &s[j], NULL), 0, "send");
	ASSERT_EQ(ktest_snapshot(&k), 0, "snapshot");
	ASSERT_EQ(k.got.nr_entries, 3, "one row per VNI");
	for (i = 0; i < k.got.nr_entries; i++)
		for (j = 0; j < 3; j++)
			if (ft_key_vni(&k.got.entries[i].key) == want_vni[j] &&
			    k.got.entries[i].key.dport == 80 &&
			    k.got.entries[i].val.packets == (__u64)want_packets[j])
				found++;
	ASSERT_EQ(found, 3, "VNI 42 twice, 0xabcdef once, GRE key's low 24 bits once");
out:
	ktest_close(&k);
}

/*
 * A port table keys the service side: the lower of the two ports (a tie is
 * the destination's) for TCP, UDP, UDP-Lite, SCTP and DCCP; ICMP keeps its
 * type and code; a protocol without ports is port 0. Every key class (narrow,
 * wide, LRU) folds alike, and a dport table beside them is unchanged.
 */
struct port_case {
	struct frame_spec s;
	__u16 port;		/* the key's dport the table must hold */
};

/* The row a case lands in: the folded port for a port table, else dport
 * (ICMP's type and code). */
static __u16 case_port(const struct port_case *c, bool fold)
{
	if (c->s.proto == 1 || c->s.proto == 58)
		return (__u16)(c->s.icmp_type << 8 | c->s.icmp_code);
	return fold ? c->port : c->s.dport;
}

/* Whether cases a and b land in one row of table t (t 1 keys the address,
 * which differs between the families' default addresses). */
static bool same_row(const struct port_case *a, const struct port_case *b, int t)
{
	return a->s.proto == b->s.proto && case_port(a, t < 3) == case_port(b, t < 3) &&
	       (t != 1 || a->s.l3 == b->s.l3);
}

/* Sends each case once per direction (decapsulating what `decap` names) to a
 * port table of each key class and a dport table; checks every row. */
static void check_port_cases(const struct port_case *c, int nc, const struct ft_decap *decap)
{
	static const char *const specs[] = { "svc=proto,port", "wide=saddr,proto,port",
					      "lru=proto,port:lru", "ports=proto,dport" };
	enum { NT = sizeof(specs) / sizeof(specs[0]), MAXC = 32 };
	struct table_spec spec[NT];
	struct ft_value want[NT][MAXC];
	__u64 frame_bytes[MAXC];
	char err[128];
	struct ktest k;
	size_t i;
	int t, j, d;

	if (!ASSERT_TRUE(nc <= MAXC, "cases fit"))
		return;
	for (t = 0; t < NT; t++)
		if (!ASSERT_EQ(table_spec_parse(specs[t], &spec[t], err, sizeof(err)), 0, specs[t]))
			return;
	for (d = 0; d < FT_DIRS; d++) {
		if (!ASSERT_EQ(ktest_open(&k, spec, NT), 0, "open"))
			goto out;
		if (decap)
			k.inst.cfg->decap = *decap;
		memset(want, 0, sizeof(want));
		for (j = 0; j < nc; j++) {
			struct expect e;

			expect_init(&e);
			ASSERT_EQ(ktest_send(&k, d, &c[j].s, &e), 0, "send");
			frame_bytes[j] = e.seen.bytes;
			expect_fini(&e);
		}
		/* what each table must hold, worked out from the cases alone */
		for (t = 0; t < NT; t++)
			for (j = 0; j < nc; j++) {
				int first;

				/* the first case of the row takes the count */
				for (first = 0; first < j && !same_row(&c[first], &c[j], t); first++)
					;
				want[t][first].packets++;
				want[t][first].bytes += frame_bytes[j];
			}
		if (!ASSERT_EQ(ktest_snapshot(&k), 0, "snapshot"))
			goto out;
		for (t = 0; t < NT; t++) {
			size_t rows = 0, matched = 0;

			for (j = 0; j < nc; j++)
				rows += want[t][j].packets != 0;
			for (i = 0; i < k.got.nr_entries; i++) {
				const struct ft_entry *en = &k.got.entries[i];

				if (en->table != (__u32)t || en->key.dir != d)
					continue;
				ASSERT_EQ(en->key.sport, 0, "sport is never kept");
				for (j = 0; j < nc; j++) {
					if (!want[t][j].packets || en->key.proto != c[j].s.proto ||
					    en->key.dport != case_port(&c[j], t < 3) ||
					    (t == 1 && ft_addr_is_v4(en->key.saddr) != (c[j].s.l3 == 4)))
						continue;
					ASSERT_EQ(en->val.packets, want[t][j].packets, specs[t]);
					ASSERT_EQ(en->val.bytes, want[t][j].bytes, specs[t]);
					matched++;
				}
			}
			ASSERT_EQ(matched, rows, specs[t]);
			ASSERT_EQ(k.got.table[t][d][FT_TBL_OVERFLOW].packets, 0, "no overflow");
		}
		ktest_close(&k);
	}
	return;
out:
	ktest_close(&k);
}

static void test_port_table_keys_the_lower_port(void)
{
	static const struct port_case c[] = {
		{ { .l3 = 4, .proto = 6, .sport = 40000, .dport = 443, .payload_len = 10 }, 443 },
		{ { .l3 = 4, .proto = 6, .sport = 443, .dport = 40001, .payload_len = 900 }, 443 },
		{ { .l3 = 4, .proto = 6, .sport = 443, .dport = 52000 }, 443 },
		{ { .l3 = 6, .proto = 6, .sport = 50000, .dport = 22, .payload_len = 3 }, 22 },
		{ { .l3 = 4, .proto = 17, .sport = 53, .dport = 53 }, 53 },
		{ { .l3 = 4, .proto = 17, .sport = 33000, .dport = 53, .payload_len = 40 }, 53 },
		{ { .l3 = 6, .proto = 17, .sport = 53, .dport = 33001, .payload_len = 80 }, 53 },
		{ { .l3 = 4, .proto = 136, .sport = 6000, .dport = 5000 }, 5000 },
		{ { .l3 = 4, .proto = 132, .sport = 9000, .dport = 3868 }, 3868 },
		{ { .l3 = 6, .proto = 33, .sport = 5004, .dport = 40000, .payload_len = 7 }, 5004 },
		{ { .l3 = 4, .proto = 1, .icmp_type = 8, .icmp_code = 0 }, 8 << 8 },
		{ { .l3 = 4, .proto = 1, .icmp_type = 3, .icmp_code = 4 }, 3 << 8 | 4 },
		{ { .l3 = 6, .proto = 58, .icmp_type = 128, .icmp_code = 0 }, 128 << 8 },
		{ { .l3 = 4, .proto = 47, .payload_len = 20 }, 0 },
	};

	check_port_cases(c, sizeof(c) / sizeof(c[0]), NULL);
}

/* --decap: the port of the inner frame, whatever the tunnel and its family. */
static void test_port_table_keys_inner_ports_of_tunnels(void)
{
	static const struct port_case c[] = {
		{ { .tunnel = FRAME_TUN_VXLAN, .vni = 42, .l3 = 4, .proto = 6, .sport = 443,
		    .dport = 40000, .payload_len = 100 }, 443 },
		{ { .tunnel = FRAME_TUN_VXLAN, .vni = 42, .l3 = 4, .proto = 6, .sport = 40001,
		    .dport = 443 }, 443 },
		{ { .tunnel = FRAME_TUN_VXLAN, .tunnel_l3 = 6, .vni = 7, .vlan_tags = 1,
		    .vlan_id = { 30 }, .l3 = 4, .proto = 17, .sport = 53, .dport = 33000 }, 53 },
		{ { .tunnel = FRAME_TUN_GENEVE, .tunnel_l3 = 6, .geneve_opt_len = 4, .vni = 5,
		    .l3 = 6, .proto = 17, .sport = 33001, .dport = 53, .payload_len = 30 }, 53 },
		{ { .tunnel = FRAME_TUN_GRE, .l3 = 4, .proto = 6, .sport = 22, .dport = 50000 }, 22 },
		{ { .tunnel = FRAME_TUN_GRE, .gre_key = 1, .vni = 77, .l3 = 6, .proto = 132,
		    .sport = 3868, .dport = 9000 }, 3868 },
		{ { .tunnel = FRAME_TUN_GRETAP, .tunnel_l3 = 6, .gre_key = 1, .vni = 0x01000203,
		    .vlan_tags = 2, .vlan_id = { 10, 20 }, .l3 = 4, .proto = 6, .sport = 6443,
		    .dport = 6443 }, 6443 },
		{ { .tunnel = FRAME_TUN_VXLAN, .vni = 9, .l3 = 4, .proto = 1, .icmp_type = 8 }, 8 << 8 },
	};

	check_port_cases(c, sizeof(c) / sizeof(c[0]), &all_tunnels);
}

/* IPv6 extension headers before the ports: skipped, the ports read behind. */
static void test_port_table_keys_ports_behind_ipv6_extension_headers(void)
{
	static const struct port_case c[] = {
		{ { .l3 = 6, .ipv6_ext = { 0 }, .ipv6_ext_count = 1, .proto = 6, .sport = 443,
		    .dport = 51000 }, 443 },
		{ { .l3 = 6, .ipv6_ext = { 0, 43, 60 }, .ipv6_ext_units = { 0, 1, 2 },
		    .ipv6_ext_count = 3, .proto = 17, .sport = 40000, .dport = 53 }, 53 },
		{ { .l3 = 6, .ipv6_ext = { 60 }, .ipv6_ext_units = { 3 }, .ipv6_ext_count = 1,
		    .proto = 6, .sport = 50001, .dport = 443, .payload_len = 60 }, 443 },
		{ { .l3 = 6, .ipv6_ext = { 0, 60 }, .ipv6_ext_count = 2, .proto = 58,
		    .icmp_type = 128 }, 128 << 8 },
		{ { .l3 = 6, .ipv6_ext = { 44 }, .ipv6_ext_count = 1, .fragment = FRAME_FRAG_FIRST,
		    .proto = 17, .sport = 53, .dport = 40002 }, 53 },
	};

	check_port_cases(c, sizeof(c) / sizeof(c[0]), NULL);
}

/* Random mixes wrapped in random tunnels, decapsulated. */
static void test_random_tunnel_mix_counts_exactly(void)
{
	static struct frame_spec s[300];
	int i, n = 0;

	for (i = 0; n < 300 && i < 3000; i++) {
		if (mix_spec(23, (unsigned int)i, 1400, 20, &s[n]))
			continue;
		s[n].tunnel = 1 + i % 4;
		s[n].tunnel_l3 = i % 3 == 0 ? 6 : 4;
		s[n].vni = (unsigned int)i * 2654435761u >> 8;
		s[n].gre_key = i % 5 < 3;
		if (s[n].tunnel == FRAME_TUN_GRE || s[n].tunnel == FRAME_TUN_VXLAN ||
		    s[n].tunnel == FRAME_TUN_GENEVE)
			s[n].gre_key = s[n].tunnel == FRAME_TUN_GRE && s[n].gre_key;
		s[n].truncate_at = 0;
		if (frame_full_len(&s[n]) > 0)
			n++;
	}
	ASSERT_TRUE(n > 100, "mix frames that fit a tunnel");
	check_decap_all_hooks("random tunnel mix", s, n, &all_tunnels);
}

int main(int argc, char **argv)
{
	static const struct check_test tests[] = {
#include "test_testrun.tests.h"
	};

	if (geteuid() != 0) {
		printf("SKIP testrun: BPF_PROG_TEST_RUN needs root (CAP_BPF)\n");
		return 0;
	}
	return check_main(tests, (int)(sizeof(tests) / sizeof(tests[0])), argc, argv);
}
