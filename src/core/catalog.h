/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What an instance counts, as the printers and exporters see it: its
 * interfaces and its tables. They receive it const. The kernel objects
 * behind it (programs, maps, links) are the instance's (instance.h), so
 * that nothing that prints can reach them.
 */
#ifndef FT_CATALOG_H
#define FT_CATALOG_H

#include <net/if.h>
#include <stdbool.h>

#include "hook.h"
#include "netdev.h"
#include "tablespec.h"

/* An interface the instance counts on, in the catalog slot its counters use
 * (ft_ifslot maps its ifindex there). */
struct ft_iface {
	bool used;		/* the slot holds an interface, attached or gone */
	/* which interface of the slot's: a new one (even of the ifindex of the
	 * one before) has a larger one; not saved, 1 and up in each process */
	__u64 epoch;
	bool followed;		/* attached because it matched a pattern */
	char name[IF_NAMESIZE];
	__u32 ifindex;
	enum ft_hook ingress_hook;	/* what counts ingress, as attached */
	char hook_reason[FT_HOOK_REASON_MAX];	/* why that hook: the record's hook_reason */
	bool tc_clsact;		/* egress: a cls_bpf filter (fallback), not a tcx link */
	/* the device's own counters when this process started counting, and at
	 * the last record; valid: they could be read */
	struct ft_devcount dev_start[FT_DIRS], dev_last[FT_DIRS];
	bool dev_valid;
	bool gone;		/* the interface disappeared (or was renamed out) */
	/* Gone: generations whose counters may still hold frames not read
	 * since it left (bit per generation). Once 0, the record written after
	 * that read has its last counts, and its slot is freed (follow_retire). */
	__u8 unread;
	bool left_unsynced;	/* found gone on adoption: the programs' slot map
				 * still has it (attach_leave not called yet) */
	/* a veth's peer (identity.h): its ifindex and namespace id as rtnetlink
	 * gives them, and that namespace's inode; 0: unknown */
	struct ft_devlink link;
	__u64 peer_netns_inode;
};

/* The most table ids an instance gives: base + id of an IPFIX observation
 * domain fits 32 bits for every base up to 2^32 - 2^24. */
#define FT_TABLE_ID_MAX		0xffffffu

struct ft_table {
	struct table_spec spec;
	struct ft_table_cfg cfg;
	/* Never reused within an instance, even when the slot is: 1 for the
	 * first table, one more for each added since (IPFIX's observation
	 * domains). A freed slot keeps its last id, so the largest id of the
	 * slots is the last one given; the state file keeps them. */
	__u32 id;		/* 1 to FT_TABLE_ID_MAX */
	bool used;		/* the slot is taken, by a live or a removed table */
	/* Removed at run time: maps freed, counts kept for the records. Its slot
	 * stays taken until exit so that the final record still has it. */
	bool removed;
	bool removal_reported;	/* an interval record showed it removed */
	__u64 mem_bytes;	/* both generations' maps, the kernel's own accounting */
};

/* Bytes of a key in the table's maps: wide keys carry addresses. */
static inline unsigned int table_key_size(const struct ft_table *t)
{
	return t->cfg.kclass == FT_KCLASS_WIDE || t->cfg.kclass == FT_KCLASS_WIDE_LRU
		       ? FT_KEY_WIDE_SIZE
		       : FT_KEY_NARROW_SIZE;
}

struct ft_catalog {
	__u8 dirmask;		/* directions tables count by default */
	__u32 max_ifaces;	/* interface slots 1..max_ifaces */
	/* slots below nr_ifaces may be used (ifaces[FT_IFACE_OTHER] never is):
	 * the highest ever used + 1, never lowered, since the counters and
	 * baselines of a free slot are read on (see catalog_release) */
	int nr_ifaces;
	struct ft_iface *ifaces;	/* [max_ifaces + 1], by slot */
	__u64 ifaces_retired;	/* gone interfaces whose slots were reused */
	__u64 epochs;		/* the last ft_iface.epoch given */
	__u32 free_hint;	/* no slot below it is free (0 or 1: look from 1) */
	struct ft_table tables[FT_MAX_TABLES];
};

/* Every used interface slot `i` of `cat`, in slot order. */
#define catalog_for_each_iface(cat, i)					\
	for ((i) = 1; (i) < (cat)->nr_ifaces; (i)++)			\
		if (!(cat)->ifaces[i].used) {				\
		} else

/* The per-CPU interface counters (ft_ifcnt) of `max` slots take at most
 * this much kernel memory, all possible CPUs together. */
#define FT_IFCNT_BUDGET		(1ull << 30)
/* Bytes of those counters per CPU for `max` slots (slot 0 included). */
static inline unsigned long long catalog_counter_bytes(__u32 max)
{
	return ((unsigned long long)max + 1) * FT_IFACE_SLOT_BYTES;
}
/* Whether `max` slots fit FT_IFCNT_BUDGET on `ncpus` possible CPUs. */
static inline bool catalog_counters_fit(__u32 max, int ncpus)
{
	return catalog_counter_bytes(max) * (unsigned long long)(ncpus > 0 ? ncpus : 1) <=
	       FT_IFCNT_BUDGET;
}

/* Slots for `max` interfaces. 0 or -ENOMEM. */
int catalog_init(struct ft_catalog *cat, __u32 max);
void catalog_free(struct ft_catalog *cat);
/* A free slot for a new interface (the lowest), NULL when all are taken. */
struct ft_iface *catalog_new_iface(struct ft_catalog *cat, const char *name, __u32 ifindex);
/* The attached (not gone) interface of `ifindex`, or NULL. */
struct ft_iface *catalog_find_ifindex(struct ft_catalog *cat, __u32 ifindex);
/* Frees the slot of `ifc` (after its counts were folded away). */
void catalog_release(struct ft_catalog *cat, struct ft_iface *ifc);
/* Whether catalog_new_iface() would find a slot. */
bool catalog_has_free_slot(const struct ft_catalog *cat);
/* Interfaces attached (not gone). */
int catalog_live_ifaces(const struct ft_catalog *cat);

static inline __u32 catalog_slot(const struct ft_catalog *cat, const struct ft_iface *ifc)
{
	return (__u32)(ifc - cat->ifaces);
}

#endif
