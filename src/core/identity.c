// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "identity.h"
#include "netns.h"

void iface_identify(struct ft_iface *iface, const struct ft_devlink *link)
{
	bool same = iface->link.veth && iface->link.netnsid == link->netnsid &&
		    iface->peer_netns_inode;

	iface->link = *link;
	if (!link->veth)
		iface->peer_netns_inode = 0;
	else if (!same)
		iface->peer_netns_inode = netns_inode_of(link->netnsid);
}

void iface_device_start(struct ft_iface *iface)
{
	struct ft_devlink link;
	int err = netdev_state(iface->ifindex, iface->dev_start, &link);

	iface->dev_valid = !err;
	if (!err || err == -ENODATA)
		iface_identify(iface, &link);
	memcpy(iface->dev_last, iface->dev_start, sizeof(iface->dev_last));
}
