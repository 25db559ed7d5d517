// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>

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

int iface_identify_now(struct ft_iface *iface)
{
	struct ft_devcount unused[2];
	struct ft_devlink link;
	int err;

	err = netdev_state(iface->ifindex, unused, &link);
	if (err && err != -ENODATA)
		return err;
	iface_identify(iface, &link);
	return 0;
}
