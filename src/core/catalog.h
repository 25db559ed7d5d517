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

struct ft_iface {
	char name[IF_NAMESIZE];
	__u32 ifindex;
	enum ft_hook ingress_hook;	/* what counts ingress, as attached */
	char hook_reason[FT_HOOK_REASON_MAX];	/* why that hook: the record's hook_reason */
	bool tc_clsact;		/* egress: a cls_bpf filter (fallback), not a tcx link */
	/* the device's own counters when this process started counting, and at
	 * the last record; valid: they could be read */
	struct ft_devcount dev_start[FT_DIRS], dev_last[FT_DIRS];
	bool dev_valid;
	bool gone;		/* the interface disappeared */
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
	int nr_ifaces;
	struct ft_iface ifaces[FT_MAX_IFACES];
	struct ft_table tables[FT_MAX_TABLES];
};

#endif
