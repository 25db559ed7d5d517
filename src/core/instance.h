/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One running flowtally: the loaded programs and maps, the interfaces it is
 * attached to, its tables, and the counts read out so far. Every kernel object
 * here has one owner and one place it is freed: instance_close().
 */
#ifndef FT_INSTANCE_H
#define FT_INSTANCE_H

#include <stdbool.h>

#include "catalog.h"
#include "counts.h"

struct flowtally;	/* the skeleton */

/* The links of an interface of the catalog (same index): -1 when none. */
struct ft_iface_links {
	int xdp_link_fd;
	int tc_in_link_fd;	/* tcx ingress */
	int tc_link_fd;		/* tcx egress */
	/* native XDP: a device-bound copy of the XDP program that asks the
	 * driver for the rx VLAN tag (NULL: the unbound program counts) */
	struct flowtally *xdp_dev_skel;
	bool tc_hook_created;	/* we created the clsact qdisc, so we remove it */
	__u32 tc_handle, tc_priority;	/* of the cls_bpf filter */
};

struct ft_instance {
	struct ft_catalog cat;		/* what it counts: interfaces, tables */
	struct flowtally *skel;
	struct ft_config *cfg;		/* the programs' .bss, mmap()ed */
	int outer_fd[FT_KCLASSES];
	int counters_fd;
	int ifslot_fd;			/* ft_ifslot: ifindex -> interface slot */
	int ifcnt_fd;			/* ft_ifcnt: per-interface counters */
	int sync_fd;			/* inner map of FT_SYNC_SLOT */
	int ncpus;
	enum xdp_mode_req xdp_mode;
	enum ingress_hook_req ingress_hook;
	struct ft_iface_links *links;	/* by interface slot, as cat.ifaces */
	int table_fd[FT_MAX_TABLES][FT_GENERATIONS];	/* inner map of each generation */
	void *cnt_keys, *cnt_vals;	/* buffers for one generation of ft_counters */
	void *ifc_keys, *ifc_vals;	/* for the slots of ft_ifcnt in use */
	__u32 ifc_cap;			/* slots they have room for */
	char pin[32];			/* pinned instance name, "" if not pinned */
	/* Each generation's cumulative values as last read (snapshot.c): what
	 * was counted already. Keys stay in the maps across intervals, so an
	 * interval is the difference, and a frame of a known key is never an
	 * insert. */
	struct ft_counts base[FT_GENERATIONS];
	/* Idle keys found by the last read of a generation, deleted from its
	 * maps once their last counts are safe (snapshot_expire). */
	struct ft_counts expiring[FT_GENERATIONS];
	/* Makes what was read so far durable before the maps change (a pinned
	 * instance saves its state): it takes `read` over, leaving it empty.
	 * NULL: nothing to make durable, `read` stays with the caller. `read`
	 * NULL: only the catalog changed (an interface comes, before the
	 * programs learn its slot). */
	int (*checkpoint)(void *ctx, struct ft_counts *read);
	void *checkpoint_ctx;
};

static inline struct ft_iface_links *instance_links(struct ft_instance *inst,
						    const struct ft_iface *iface)
{
	return &inst->links[catalog_slot(&inst->cat, iface)];
}

/* The skeleton's maps, in the order of a pinned instance's map pins. */
#define FT_SKEL_MAPS 8
struct bpf_map *instance_skel_map(struct flowtally *skel, size_t i);

/* XDP (ingress) or tcx egress program: the ones the test runs use. */
int instance_prog_fd(const struct ft_instance *inst, int dir);
/* The tcx ingress program. */
int instance_tc_in_fd(const struct ft_instance *inst);
/* Loads a copy of the XDP program bound to `iface` (it may read the rx VLAN
 * tag from the driver), sharing the instance's maps. Its fd, or -errno
 * (nothing printed: the unbound program serves then). */
int instance_load_xdp_dev(struct ft_instance *inst, struct ft_iface *iface);
/* Frees that copy; safe when there is none. */
void instance_free_xdp_dev(struct ft_instance *inst, const struct ft_iface *iface);
size_t ft_value_stride(void);

#endif
