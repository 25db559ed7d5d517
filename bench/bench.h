/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * make bench: what the measurements share. Every figure is a set of rounds;
 * strategies are interleaved within a round, so that a noisy neighbour slows
 * all of them alike, and ratios are taken round by round before the median.
 */
#ifndef FT_BENCH_H
#define FT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "instance.h"

#define BENCH_MAX_ROUNDS	64
#define BENCH_FRAMES		16	/* frames of the mix per measurement */
#define BENCH_MAX_CPUS		2	/* threads of the 2-CPU modes */
#define BENCH_MAX_THREADS	256	/* threads of the scaling curve: every online CPU */
#define CURVE_MAX		10	/* its points: 1, 2, 4, ... and all online CPUs */
#define BENCH_MIX_SEED		2024
#define BENCH_MAX_FRAME		1514

struct bench_opts {
	bool quick;
	const char *outdir;
	int rounds;		/* of the packet measurements */
	int repeat;		/* test-run repeats per frame */
	int sweep_rounds;
	int sweep_repeat;	/* packets per warm sweep measurement, at least */
	__u32 sweep_max;	/* largest key count of the sweep */
	int read_rounds;
	int swap_rounds;
	__u32 meminfo_keys;	/* keys of the allocator cross-check */
};

/* One figure over rounds. */
struct series {
	double v[BENCH_MAX_ROUNDS];
	int n;
};

struct stats {
	double median, q1, q3, min, max;
	int n;
};

enum strategy {
	S_EMPTY,
	S_PARSE,
	S_SPINLOCK_HASH,
	S_ATOMIC_HASH,
	S_PERCPU_HASH,
	S_PERCPU_ARRAY,
	S_MAP_IN_MAP,
	S_MAP_IN_MAP_CPU,
	S_MAP_IN_MAP_BARE,
	S_MAP_IN_MAP_BARE_CALL,
	S_UPDATE_PER_PACKET,
	NR_STRATEGIES,
};

enum run_mode {
	MODE_ONE_CPU,
	MODE_CONTENDED,		/* two CPUs, the same frames (keys) at the same time */
	MODE_DISTINCT,		/* two CPUs, keys of their own */
	NR_MODES,
};

/* The frames of one measurement, built once. */
struct frameset {
	int n;
	int len[BENCH_FRAMES];
	__u8 *buf[BENCH_FRAMES];
	int classified;		/* frames that have a key */
	__u64 bytes;		/* sum of len */
};

#define SWEEP_SIZES		4
#define SWEEP_TARGETS		4	/* parse (floor), percpu_hash, map_in_map, prealloc */
#define READ_SIZES		3
/* lookup_batch, get_next_key + lookup, lookup_and_delete_batch */
#define READ_METHODS		3
#define SWAP_SIZES		3
#define MEM_LAYOUTS		7

#define MAX_SECTIONS		9
#define IFACE_COUNTS		3	/* 1, 16 and 1024 interfaces */

struct results {
	double seconds;
	/* how long each part took, and how much of the machine's time the
	 * hypervisor gave to others meanwhile (steal): a noisy neighbour shows */
	struct section_time {
		const char *name;
		double seconds, steal_pct, busy_pct;
	} sections[MAX_SECTIONS];
	int nr_sections;
	/* effective ns per packet: one over the throughput summed over all CPUs,
	 * from each thread's CPU time (ns) and from the wall clock (ns_wall) */
	struct series ns[NR_STRATEGIES][NR_MODES];
	struct series ns_wall[NR_STRATEGIES][NR_MODES];
	/* the same from the kernel's rounded `duration`, 1 CPU, as a cross-check */
	struct series kernel_ns[NR_STRATEGIES];
	struct frameset base, distinct;
	bool checked[NR_STRATEGIES];
	/* the scaling curve, same keys: effective ns per packet on 1, 2, 4, ...
	 * and every online CPU (points 1 and 2 are the one_cpu and contended
	 * modes' figures) */
	struct series curve_ns[NR_STRATEGIES][CURVE_MAX];
	int curve_cpus[CURVE_MAX], nr_curve;

	struct series sweep_ns[SWEEP_TARGETS][SWEEP_SIZES];
	struct series sweep_insert_ns[SWEEP_TARGETS][SWEEP_SIZES];
	bool sweep_checked[SWEEP_TARGETS][SWEEP_SIZES];

	struct series read_ns[READ_METHODS][READ_SIZES];
	struct series read_sparse_ns;	/* lookup_batch, 1000 keys in a 65536 table */

	struct series swap_batch_ms[SWAP_SIZES], swap_elem_ms[SWAP_SIZES];
	struct series swap_flowtally_ms[SWAP_SIZES];
	struct series sync_ms;		/* flowtally's snapshot_sync alone */

	struct mem_layout {
		const char *name;
		const char *what;
		__u64 empty;		/* memlock of the empty map */
		__u64 full;		/* memlock with `entries` keys */
		__u32 entries, max_entries;
		double per_entry;	/* (full - empty) / entries */
		double per_cpu;		/* the part of per_entry that scales with CPUs */
		double cpus_factor;	/* copies of the layout per key (map_in_map_cpu) */
	} mem[MEM_LAYOUTS];
	int nr_mem;
	double meminfo_per_entry;	/* /proc/meminfo Slab+Percpu growth per key */
	__u32 meminfo_keys;
	int ncpus;
	__u64 sweep_keys[SWEEP_SIZES];
	__u32 read_sizes[READ_SIZES];
	int swap_sizes[SWAP_SIZES];

	/* ns per frame with bench_iface_counts[i] interfaces in the slot map */
	struct series iface_ns[IFACE_COUNTS];
	bool iface_checked[IFACE_COUNTS];
};

extern const int bench_iface_counts[IFACE_COUNTS];
/* ifaces.c */
int bench_ifaces(const struct bench_opts *o, struct results *r);

extern const char *const strategy_names[NR_STRATEGIES];
extern const char *const strategy_what[NR_STRATEGIES];
extern const char *const mode_names[NR_MODES];
extern const char *const sweep_target_names[SWEEP_TARGETS];
extern const char *const read_method_names[READ_METHODS];

/* stats.c */
__u64 now_ns(void);
void series_add(struct series *s, double v);
struct stats series_stats(const struct series *s);
double series_median(const struct series *s);
/* The median of a[i] / b[i] over rounds both have. */
double ratio_median(const struct series *a, const struct series *b);

/* packets.c: everything measured by running programs */
int bench_frames(struct results *r);
int bench_netns(void);
int bench_progs_open(const struct bench_opts *o);
void bench_progs_close(void);
int bench_packets(const struct bench_opts *o, struct results *r);
int bench_spin(const char *name, double seconds, struct results *r);
int bench_sweep(const struct bench_opts *o, struct results *r);

/* maps.c: everything measured on maps from userspace */
int bench_read(const struct bench_opts *o, struct results *r);
int bench_swap(const struct bench_opts *o, struct results *r);
int bench_memory(const struct bench_opts *o, struct results *r);

/* flowtally's program and maps as `flowtally run` loads them, ifindex 1 (what
 * a test run reports) registered, with the given tables. */
int bench_instance_open(struct ft_instance *inst, const char *const *specs, int nr_specs);
/* Another interface in the catalog and the slot map: its slot, or -errno. */
int bench_add_iface(struct ft_instance *inst, const char *name, __u32 ifindex);
#define BENCH_SLOT 1	/* the slot of BENCH_IFINDEX */

/* report.c */
int bench_report(const struct bench_opts *o, struct results *r);

#endif
