/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the kernel says of a network device: its kind and driver (for the
 * choice of hook) and its own packet counters (IFLA_STATS64), read over
 * rtnetlink and the ethtool ioctl in flowtally's network namespace.
 */
#ifndef FT_NETDEV_H
#define FT_NETDEV_H

#include <stdbool.h>
#include <linux/types.h>

#include "hook.h"

/* The device's own counters, per direction: rx on ingress, tx on egress. */
struct ft_devcount {
	__u64 packets;
	__u64 bytes;
	__u64 dropped;
};

/* Where a device's other end is: a veth's peer, which may sit in another
 * network namespace (a container's). */
#define FT_NETNSID_NONE (-1)	/* the peer is in flowtally's own namespace */
struct ft_devlink {
	bool veth;
	__u32 peer_ifindex;	/* IFLA_LINK: the peer's ifindex, in its namespace */
	__s32 netnsid;		/* IFLA_LINK_NETNSID: the peer's namespace as this one
				 * numbers it, or FT_NETNSID_NONE */
};

/* Link kind, loopback flag and driver of `ifindex`. 0 or -errno. */
int netdev_info(__u32 ifindex, const char *name, struct ft_devinfo *info);
/* IFLA_STATS64 of `ifindex` ([0] rx: ingress, [1] tx: egress) and, unless
 * `link` is NULL, where its other end is, from one request. The counters
 * are filled only when the return is 0 (-ENODATA: no IFLA_STATS64, link
 * valid); -errno. */
int netdev_state(__u32 ifindex, struct ft_devcount count[2], struct ft_devlink *link);
/* The id of the XDP program on `ifindex` (0: none), asked of this one link:
 * libbpf's bpf_xdp_query() dumps every link of the namespace, which costs
 * O(interfaces) per interface attached. 0 or -errno. */
int netdev_xdp_prog(__u32 ifindex, __u32 *prog_id);

#endif
