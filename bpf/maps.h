/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The maps the programs share. Inner maps are not defined here: userspace
 * creates them at run time (src/tables.c) and links them into the outer maps
 * by fd. The inner definitions below are only the templates every inner map
 * of an outer map must match (type, key size, value size, flags).
 */
#ifndef FLOWTALLY_MAPS_H
#define FLOWTALLY_MAPS_H

#include "flowtally/abi.h"

/* Inner hashes are preallocated. With BPF_F_NO_PREALLOC an insert takes its
 * element from a small per-CPU cache that an irq_work refills: a burst of new
 * keys into a fresh map (a new table, a resize) finds it empty, the insert
 * fails with -ENOMEM, and the frame lands in overflow although the table
 * has room. Preallocated, an insert fails only when the table is full. */
#define FT_INNER(name, maptype, ksize, flags)			\
	struct name {						\
		__uint(type, maptype);				\
		__uint(max_entries, 1);				\
		__uint(key_size, ksize);			\
		__uint(value_size, sizeof(struct ft_value));	\
		__uint(map_flags, flags);			\
	}

FT_INNER(ft_inner_narrow, BPF_MAP_TYPE_PERCPU_HASH, FT_KEY_NARROW_SIZE, 0);
FT_INNER(ft_inner_wide, BPF_MAP_TYPE_PERCPU_HASH, FT_KEY_WIDE_SIZE, 0);
FT_INNER(ft_inner_narrow_lru, BPF_MAP_TYPE_LRU_PERCPU_HASH, FT_KEY_NARROW_SIZE, 0);
FT_INNER(ft_inner_wide_lru, BPF_MAP_TYPE_LRU_PERCPU_HASH, FT_KEY_WIDE_SIZE, 0);

#define FT_OUTER(name, inner)					\
	struct {						\
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);	\
		__uint(max_entries, FT_OUTER_SLOTS);		\
		__type(key, __u32);				\
		__array(values, struct inner);			\
	} name SEC(".maps")

FT_OUTER(ft_narrow, ft_inner_narrow);
FT_OUTER(ft_wide, ft_inner_wide);
FT_OUTER(ft_narrow_lru, ft_inner_narrow_lru);
FT_OUTER(ft_wide_lru, ft_inner_wide_lru);

/* ifindex -> interface slot, and the per-interface counters (seen,
 * unclassified) of every slot: abi.h. Userspace sets both sizes at load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FT_IFACES_DEFAULT);
	__type(key, __u32);
	__type(value, __u32);
} ft_ifslot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, (FT_IFACES_DEFAULT + 1) * FT_CNT_PER_SLOT);
	__type(key, __u32);
	__type(value, struct ft_value);
} ft_ifcnt SEC(".maps");

/* Table overflow and inserts, two generations: see abi.h. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FT_COUNTERS);
	__type(key, __u32);
	__type(value, struct ft_value);
} ft_counters SEC(".maps");

/* Written by userspace through the mmap()ed .bss; see struct ft_config. */
struct ft_config ft_cfg;

#endif /* FLOWTALLY_MAPS_H */
