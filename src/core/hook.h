/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which hook counts what an interface receives: native XDP, generic XDP or a
 * tcx ingress link. A pure decision from what the device is (its rtnetlink
 * link kind, its driver) and what the command line asked, so that it is
 * tested without devices.
 */
#ifndef FT_HOOK_H
#define FT_HOOK_H

#include <stdbool.h>
#include <stddef.h>

enum ft_hook {
	FT_HOOK_XDP_NATIVE,
	FT_HOOK_XDP_GENERIC,
	FT_HOOK_TCX,
};

enum ingress_hook_req {
	INGRESS_HOOK_AUTO,	/* native XDP on allow-listed NIC drivers, else tcx */
	INGRESS_HOOK_XDP,
	INGRESS_HOOK_TCX,
};

enum xdp_mode_req {
	XDP_MODE_AUTO,		/* not asked: native */
	XDP_MODE_NATIVE,
	XDP_MODE_GENERIC,
};

/* What the kernel says of a device; empty strings where it says nothing. */
struct ft_devinfo {
	char kind[32];		/* IFLA_INFO_KIND: veth, bridge, ...; "" for a NIC */
	char driver[32];	/* ETHTOOL_GDRVINFO driver */
	bool loopback;		/* IFF_LOOPBACK: lo has no link kind */
};

#define FT_HOOK_REASON_MAX 128

/* The hook for a device and why, in `reason` (one phrase, for the record's
 * hook_reason). */
enum ft_hook hook_choose(const struct ft_devinfo *dev, enum ingress_hook_req req,
			 enum xdp_mode_req mode, char *reason, size_t len);
/* Whether native XDP runs on this driver's own receive ring, offloads kept. */
bool hook_driver_native_xdp(const char *driver);
/* "xdp-native", "xdp-generic", "tcx": the record's hook. */
const char *hook_name(enum ft_hook hook);

#endif
