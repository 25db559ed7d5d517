/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One running flowtally: the loaded programs and maps, the interfaces it is
 * attached to, its tables, and the counts read out so far. Every kernel object
 * here has one owner and one place it is freed: instance_close().
 */
#ifndef FT_INSTANCE_H
#define FT_INSTANCE_H

#include <net/if.h>
#include <stdbool.h>

#include "counts.h"
#include "hook.h"
#include "netdev.h"
#include "tablespec.h"

struct flowtally;	/* the skeleton */

struct ft_iface {
	char name[IF_NAMESIZE];
	__u32 ifindex;
	int xdp_link_fd;	/* -1: not attached */
	int tc_in_link_fd;	/* tcx ingress link, -1: none */
	int tc_link_fd;		/* tcx egress link, -1: none */
	enum ft_hook ingress_hook;	/* what counts ingress, as attached */
	char hook_reason[FT_HOOK_REASON_MAX];	/* why that hook: the record's hook_reason */
	/* the device's own counters when this process started counting, and at
	 * the last record; valid: they could be read */
	struct ft_devcount dev_start[FT_DIRS], dev_last[FT_DIRS];
	bool dev_valid;
	/* native XDP: a device-bound copy of the XDP program that asks the
	 * driver for the rx VLAN tag (NULL: the unbound program counts) */
	struct flowtally *xdp_dev_skel;
	bool tc_clsact;		/* fallback: a cls_bpf filter instead of a tcx link */
	bool tc_hook_created;	/* we created the clsact qdisc, so we remove it */
	__u32 tc_handle, tc_priority;	/* of the cls_bpf filter */
	bool gone;		/* the interface disappeared */
};

struct ft_table {
	struct table_spec spec;
	struct ft_table_cfg cfg;
	bool used;		/* the slot is taken, by a live or a removed table */
	/* Removed at run time: maps freed, counts kept for the records. Its slot
	 * stays taken until exit so that the final record still has it. */
	bool removed;
	bool removal_reported;	/* an interval record showed it removed */
	int fd[FT_GENERATIONS];	/* inner map of each generation */
	__u64 mem_bytes;	/* both generations' maps, the kernel's own accounting */
};


struct ft_instance {
	struct flowtally *skel;
	struct ft_config *cfg;		/* the programs' .bss, mmap()ed */
	int outer_fd[FT_KCLASSES];
	int counters_fd;
	int sync_fd;			/* inner map of FT_SYNC_SLOT */
	int ncpus;
	__u8 dirmask;			/* directions tables count by default */
	enum xdp_mode_req xdp_mode;
	enum ingress_hook_req ingress_hook;
	struct ft_iface ifaces[FT_MAX_IFACES];
	int nr_ifaces;
	struct ft_table tables[FT_MAX_TABLES];
	void *cnt_keys, *cnt_vals;	/* buffers for one generation of ft_counters */
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
	 * NULL: nothing to make durable, `read` stays with the caller. */
	int (*checkpoint)(void *ctx, struct ft_counts *read);
	void *checkpoint_ctx;
	double swap_seconds;		/* the last flip: one grace period */
	double read_seconds;		/* reading and emptying what it left */
};

/* Loads the programs and creates every map but attaches nothing. 0 or -errno;
 * on failure the message is already printed. */
int instance_open(struct ft_instance *inst, __u8 dirmask, bool verbose);
/* The same for an instance pinned as `name`: new (its maps pinned) or, with
 * `adopt`, the one the pins hold (maps reused, no program loaded: the
 * pinned links keep theirs). */
int instance_open_pinned(struct ft_instance *inst, const char *name, __u8 dirmask,
			 bool verbose, bool adopt);
/* Detaches, then frees every program, map and link. Safe on a partial open. */
void instance_close(struct ft_instance *inst);

/* XDP (ingress) or tcx egress program: the ones the test runs use. */
int instance_prog_fd(const struct ft_instance *inst, int dir);
/* The tcx ingress program. */
int instance_tc_in_fd(const struct ft_instance *inst);
/* Loads a copy of the XDP program bound to `iface` (it may read the rx VLAN
 * tag from the driver), sharing the instance's maps. Its fd, or -errno
 * (nothing printed: the unbound program serves then). */
int instance_load_xdp_dev(struct ft_instance *inst, struct ft_iface *iface);
/* Frees that copy; safe when there is none. */
void instance_free_xdp_dev(struct ft_iface *iface);
size_t ft_value_stride(void);

#endif
