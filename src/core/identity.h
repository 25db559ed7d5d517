/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Who is behind an interface: for a veth, its peer's ifindex and network
 * namespace (the container's end), refreshed with every read of the device.
 */
#ifndef FT_IDENTITY_H
#define FT_IDENTITY_H

#include "catalog.h"

/* Takes what rtnetlink said of the link; resolves the peer namespace's
 * inode only when the veth is new or its netnsid changed. */
void iface_identify(struct ft_iface *iface, const struct ft_devlink *link);
/* The device's own counters from now on (dev_start, dev_last, dev_valid)
 * and who is behind it, from one rtnetlink request. */
void iface_device_start(struct ft_iface *iface);

#endif
