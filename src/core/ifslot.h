/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which slot counts an interface's frames, as the programs find it: the
 * ft_ifslot hash by ifindex and the config's cache in front of it (abi.h,
 * FT_IFCACHE), always changed together.
 */
#ifndef FT_IFSLOT_H
#define FT_IFSLOT_H

#include "instance.h"

/* ifindex counts in `slot` from now on. 0 or -errno. */
int ifslot_set(struct ft_instance *inst, __u32 ifindex, __u32 slot);
/* ifindex counts in FT_IFACE_OTHER from now on. */
void ifslot_clear(struct ft_instance *inst, __u32 ifindex);
/* The cache again from the hash (adoption: a kill may have left either
 * behind the other). */
void ifslot_cache_rebuild(struct ft_instance *inst);

#endif
