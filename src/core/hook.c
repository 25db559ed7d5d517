// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "hook.h"

/*
 * NIC drivers whose native XDP runs on their own receive rings and leaves
 * TSO/GRO of the stack alone. Everything else gets tcx: virtual devices
 * (veth takes TSO/GSO from its peer once XDP is on it, and TCP frames can
 * pass a veth's XDP by), and paravirtual NICs such as virtio_net, whose XDP
 * turns off the host's receive offloads (LRO, checksum, GRO_HW).
 */
static const char *const native_xdp_drivers[] = {
	"mlx5_core", "mlx4_en", "ice", "i40e", "ixgbe", "igc", "bnxt_en", "nfp", "qede", "sfc",
};

bool hook_driver_native_xdp(const char *driver)
{
	size_t i;

	for (i = 0; i < sizeof(native_xdp_drivers) / sizeof(native_xdp_drivers[0]); i++)
		if (!strcmp(driver, native_xdp_drivers[i]))
			return true;
	return false;
}

const char *hook_name(enum ft_hook hook)
{
	switch (hook) {
	case FT_HOOK_XDP_NATIVE:
		return "xdp-native";
	case FT_HOOK_XDP_GENERIC:
		return "xdp-generic";
	default:
		return "tcx";
	}
}

enum ft_hook hook_choose(const struct ft_devinfo *dev, enum ingress_hook_req req,
			 enum xdp_mode_req mode, char *reason, size_t len)
{
	/* --xdp-mode native|generic alone forces XDP, as it always did */
	if (req == INGRESS_HOOK_XDP || (req == INGRESS_HOOK_AUTO && mode != XDP_MODE_AUTO)) {
		if (mode == XDP_MODE_GENERIC) {
			snprintf(reason, len, "asked: --xdp-mode generic");
			return FT_HOOK_XDP_GENERIC;
		}
		snprintf(reason, len, "asked: %s",
			 req == INGRESS_HOOK_XDP ? "--ingress-hook xdp" : "--xdp-mode native");
		return FT_HOOK_XDP_NATIVE;
	}
	if (req == INGRESS_HOOK_TCX) {
		snprintf(reason, len, "asked: --ingress-hook tcx");
		return FT_HOOK_TCX;
	}
	if (dev->kind[0]) {
		snprintf(reason, len,
			 "virtual device (%s): XDP there costs offloads or misses frames", dev->kind);
		return FT_HOOK_TCX;
	}
	if (dev->loopback) {
		snprintf(reason, len, "loopback");
		return FT_HOOK_TCX;
	}
	if (!dev->driver[0]) {
		snprintf(reason, len, "no driver reported");
		return FT_HOOK_TCX;
	}
	if (hook_driver_native_xdp(dev->driver)) {
		snprintf(reason, len, "driver %s runs XDP on its own receive ring", dev->driver);
		return FT_HOOK_XDP_NATIVE;
	}
	if (!strcmp(dev->driver, "virtio_net") || !strcmp(dev->driver, "vmxnet3") ||
	    !strcmp(dev->driver, "netvsc") || !strcmp(dev->driver, "xen_netfront"))
		snprintf(reason, len, "paravirtual NIC (%s): XDP there turns off its offloads",
			 dev->driver);
	else
		snprintf(reason, len, "driver %s is not on the native XDP list", dev->driver);
	return FT_HOOK_TCX;
}
