// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The catalog's interface slots: handed out lowest first, so that the slots
 * in use stay packed at the start and a read covers only those. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

int catalog_init(struct ft_catalog *cat, __u32 max)
{
	free(cat->ifaces);
	cat->ifaces = calloc((size_t)max + 1, sizeof(*cat->ifaces));
	if (!cat->ifaces)
		return -ENOMEM;
	cat->max_ifaces = max;
	cat->nr_ifaces = 1;
	cat->free_hint = 1;
	return 0;
}

void catalog_free(struct ft_catalog *cat)
{
	free(cat->ifaces);
	cat->ifaces = NULL;
	cat->max_ifaces = 0;
	cat->nr_ifaces = 0;
}

struct ft_iface *catalog_new_iface(struct ft_catalog *cat, const char *name, __u32 ifindex)
{
	struct ft_iface *ifc;
	__u32 slot;

	for (slot = cat->free_hint > 1 ? cat->free_hint : 1; slot <= cat->max_ifaces; slot++)
		if (!cat->ifaces[slot].used)
			break;
	cat->free_hint = slot;
	if (slot > cat->max_ifaces)
		return NULL;
	cat->free_hint = slot + 1;
	ifc = &cat->ifaces[slot];
	memset(ifc, 0, sizeof(*ifc));
	ifc->used = true;
	ifc->epoch = ++cat->epochs;
	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	ifc->ifindex = ifindex;
	if ((int)slot >= cat->nr_ifaces)
		cat->nr_ifaces = (int)slot + 1;
	return ifc;
}

struct ft_iface *catalog_find_ifindex(struct ft_catalog *cat, __u32 ifindex)
{
	int i;

	catalog_for_each_iface(cat, i)
		if (!cat->ifaces[i].gone && cat->ifaces[i].ifindex == ifindex)
			return &cat->ifaces[i];
	return NULL;
}

void catalog_release(struct ft_catalog *cat, struct ft_iface *ifc)
{
	__u32 slot = catalog_slot(cat, ifc);

	memset(ifc, 0, sizeof(*ifc));
	if (slot < cat->free_hint)
		cat->free_hint = slot;
	/* nr_ifaces stays: the slot's kernel counters keep their cumulative
	 * values, and its baselines must go on being read and saved with
	 * them, or the next interface in the slot would count them again */
	cat->ifaces_retired++;
}

bool catalog_has_free_slot(const struct ft_catalog *cat)
{
	__u32 slot;

	for (slot = cat->free_hint > 1 ? cat->free_hint : 1; slot <= cat->max_ifaces; slot++)
		if (!cat->ifaces[slot].used)
			return true;
	return false;
}

int catalog_live_ifaces(const struct ft_catalog *cat)
{
	int i, n = 0;

	catalog_for_each_iface(cat, i)
		n += !cat->ifaces[i].gone;
	return n;
}
