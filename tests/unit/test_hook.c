// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ingress hook per device (src/hook.c) and what an skb is on the wire
 * (bpf/wire.h, the formula the tcx programs count with), on the host.
 */
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#include "wire.h"

#include "check.h"
#include "hook.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static enum ft_hook choose(const char *kind, const char *driver, bool loopback,
			   enum ingress_hook_req req, enum xdp_mode_req mode, char *reason)
{
	struct ft_devinfo dev = { .loopback = loopback };

	snprintf(dev.kind, sizeof(dev.kind), "%s", kind);
	snprintf(dev.driver, sizeof(dev.driver), "%s", driver);
	return hook_choose(&dev, req, mode, reason, FT_HOOK_REASON_MAX);
}

static void test_hook_virtual_devices_get_tcx(void)
{
	static const char *const kinds[] = { "veth",  "bridge", "bond",	"vlan",
					     "macvlan", "ipvlan", "vxlan",	"geneve",
					     "tun",   "wireguard", "dummy" };
	char reason[FT_HOOK_REASON_MAX], what[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		/* the driver a virtual device reports does not matter */
		snprintf(what, sizeof(what), "%s gets tcx", kinds[i]);
		ASSERT_EQ(choose(kinds[i], kinds[i], false, INGRESS_HOOK_AUTO, XDP_MODE_AUTO,
				 reason),
			  FT_HOOK_TCX, what);
		ASSERT_CONTAINS(reason, kinds[i], "the reason names the kind");
	}
}

static void test_hook_loopback_without_kind_gets_tcx(void)
{
	char reason[FT_HOOK_REASON_MAX];

	ASSERT_EQ(choose("", "", true, INGRESS_HOOK_AUTO, XDP_MODE_AUTO, reason), FT_HOOK_TCX,
		  "lo");
	ASSERT_STREQ(reason, "loopback", "reason");
}

static void test_hook_allow_listed_nic_gets_native_xdp(void)
{
	static const char *const drivers[] = { "mlx5_core", "ice", "i40e", "ixgbe", "bnxt_en" };
	char reason[FT_HOOK_REASON_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(drivers); i++) {
		ASSERT_EQ(choose("", drivers[i], false, INGRESS_HOOK_AUTO, XDP_MODE_AUTO, reason),
			  FT_HOOK_XDP_NATIVE, drivers[i]);
		ASSERT_CONTAINS(reason, drivers[i], "the reason names the driver");
	}
}

static void test_hook_paravirtual_and_unknown_nics_get_tcx(void)
{
	char reason[FT_HOOK_REASON_MAX];

	ASSERT_EQ(choose("", "virtio_net", false, INGRESS_HOOK_AUTO, XDP_MODE_AUTO, reason),
		  FT_HOOK_TCX, "virtio_net");
	ASSERT_CONTAINS(reason, "paravirtual", "virtio_net reason");
	ASSERT_EQ(choose("", "e1000", false, INGRESS_HOOK_AUTO, XDP_MODE_AUTO, reason),
		  FT_HOOK_TCX, "a driver not on the list");
	ASSERT_CONTAINS(reason, "not on the native XDP list", "unlisted reason");
	ASSERT_EQ(choose("", "", false, INGRESS_HOOK_AUTO, XDP_MODE_AUTO, reason), FT_HOOK_TCX,
		  "no driver reported");
}

static void test_hook_asked_for_wins_over_the_device(void)
{
	char reason[FT_HOOK_REASON_MAX];

	ASSERT_EQ(choose("veth", "veth", false, INGRESS_HOOK_XDP, XDP_MODE_AUTO, reason),
		  FT_HOOK_XDP_NATIVE, "--ingress-hook xdp on a veth: native");
	ASSERT_STREQ(reason, "asked: --ingress-hook xdp", "xdp reason");
	ASSERT_EQ(choose("veth", "veth", false, INGRESS_HOOK_AUTO, XDP_MODE_GENERIC, reason),
		  FT_HOOK_XDP_GENERIC, "--xdp-mode generic forces generic XDP");
	ASSERT_EQ(choose("veth", "veth", false, INGRESS_HOOK_AUTO, XDP_MODE_NATIVE, reason),
		  FT_HOOK_XDP_NATIVE, "--xdp-mode native forces native XDP");
	ASSERT_EQ(choose("", "mlx5_core", false, INGRESS_HOOK_TCX, XDP_MODE_AUTO, reason),
		  FT_HOOK_TCX, "--ingress-hook tcx on an allow-listed NIC");
	ASSERT_STREQ(reason, "asked: --ingress-hook tcx", "tcx reason");
}

static void test_hook_never_generic_unless_asked(void)
{
	static const char *const drivers[] = { "", "virtio_net", "mlx5_core", "e1000", "veth" };
	char reason[FT_HOOK_REASON_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(drivers); i++) {
		ASSERT_TRUE(choose("", drivers[i], false, INGRESS_HOOK_AUTO, XDP_MODE_AUTO,
				   reason) != FT_HOOK_XDP_GENERIC, drivers[i]);
		ASSERT_TRUE(choose("", drivers[i], false, INGRESS_HOOK_XDP, XDP_MODE_AUTO,
				   reason) != FT_HOOK_XDP_GENERIC, drivers[i]);
	}
}

static void test_hook_names_are_the_records(void)
{
	ASSERT_STREQ(hook_name(FT_HOOK_XDP_NATIVE), "xdp-native", "native");
	ASSERT_STREQ(hook_name(FT_HOOK_XDP_GENERIC), "xdp-generic", "generic");
	ASSERT_STREQ(hook_name(FT_HOOK_TCX), "tcx", "tcx");
}

/* One skb of 64 KB from TCP: 45 segments of 1448 bytes and a tail. */
static void test_wire_gso_segments_repeat_the_headers(void)
{
	__u32 hdr = 14 + 20 + 32, payload = 45 * 1448 + 100, len = hdr + payload;

	ASSERT_EQ(ft_skb_segs(46, 1448, len, hdr), 46, "gso_segs as the stack set it");
	ASSERT_EQ(ft_wire_bytes(len, 46, hdr, 0), (__u64)payload + 46 * hdr,
		  "every segment carries its own headers");
}

static void test_wire_plain_frame_is_its_length(void)
{
	ASSERT_EQ(ft_skb_segs(0, 0, 60, 54), 1, "no GSO: one frame");
	ASSERT_EQ(ft_skb_segs(1, 0, 60, 54), 1, "gso_segs 1");
	ASSERT_EQ(ft_wire_bytes(60, 1, 54, 0), 60, "skb->len");
	ASSERT_EQ(ft_wire_bytes(60, 1, 0, 0), 60, "unparsed headers do not matter");
}

/* tun/tap hand over GSO skbs with gso_size and gso_segs 0. */
static void test_wire_segments_from_gso_size_when_gso_segs_is_0(void)
{
	__u32 hdr = 54;

	ASSERT_EQ(ft_skb_segs(0, 1000, hdr + 3000, hdr), 3, "exactly three");
	ASSERT_EQ(ft_skb_segs(0, 1000, hdr + 3001, hdr), 4, "a short last segment");
	ASSERT_EQ(ft_skb_segs(0, 1000, hdr + 1, hdr), 1, "one short segment");
	ASSERT_EQ(ft_skb_segs(0, 1000, hdr, hdr), 1, "headers only: still one");
	ASSERT_EQ(ft_skb_segs(0, 1000, 20, hdr), 1, "shorter than its headers: one");
}

/* The kernel holds the tag outside the frame: 4 bytes a segment on the wire. */
static void test_wire_vlan_outside_adds_four_bytes_a_segment(void)
{
	ASSERT_EQ(ft_wire_bytes(60, 1, 54, 1), 64, "one frame");
	ASSERT_EQ(ft_wire_bytes(54 + 3000, 3, 54, 1), 54 + 3000 + 2 * 54 + 3 * 4, "three segments");
}

static const struct check_test tests[] = {
#include "test_hook.tests.h"
};

int main(int argc, char **argv)
{
	return check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
}
