// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <bpf/bpf.h>

#include "ifslot.h"

static __u64 *cache_entry(struct ft_instance *inst, __u32 ifindex)
{
	return &inst->cfg->ifcache[ifindex & (FT_IFCACHE - 1)];
}

/* The hash first: a frame that finds the cache empty or another
 * interface's entry reads the hash, which has it already. */
int ifslot_set(struct ft_instance *inst, __u32 ifindex, __u32 slot)
{
	if (bpf_map_update_elem(inst->ifslot_fd, &ifindex, &slot, BPF_ANY))
		return -errno;
	__atomic_store_n(cache_entry(inst, ifindex), ft_ifcache_entry(ifindex, slot),
			 __ATOMIC_RELEASE);
	return 0;
}

/* The cache first: the hash still says the same slot meanwhile. */
void ifslot_clear(struct ft_instance *inst, __u32 ifindex)
{
	__u64 *e = cache_entry(inst, ifindex);

	if (__atomic_load_n(e, __ATOMIC_ACQUIRE) >> 32 == ifindex)
		__atomic_store_n(e, 0, __ATOMIC_RELEASE);
	bpf_map_delete_elem(inst->ifslot_fd, &ifindex);
}

void ifslot_cache_rebuild(struct ft_instance *inst)
{
	__u32 key, next, slot;
	bool first = true;
	int i;

	for (i = 0; i < FT_IFCACHE; i++)
		__atomic_store_n(&inst->cfg->ifcache[i], 0, __ATOMIC_RELEASE);
	while (!bpf_map_get_next_key(inst->ifslot_fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (!bpf_map_lookup_elem(inst->ifslot_fd, &key, &slot))
			__atomic_store_n(cache_entry(inst, key), ft_ifcache_entry(key, slot),
					 __ATOMIC_RELEASE);
	}
}
