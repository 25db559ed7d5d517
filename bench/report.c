// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * results.json and summary.md from one set of results. Every ratio is taken
 * round by round (both figures of a round ran within a second of each other)
 * and then the median of those ratios is reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "bench.h"
#include "json_writer.h"

#define REPORT_CPUS_A	64
#define REPORT_CPUS_B	128

struct target {
	const char *name;
	const char *what;
	const char *target;	/* "<= 1.05" */
	double value;		/* median of the per-round ratios */
	struct stats spread;	/* of the per-round ratios */
	bool met;
};

enum { TGT_MIM_PCH, TGT_SPIN_MIM, TGT_COUNTER, TGT_MIM_SCALES, TGT_SPIN_SCALES, TGT_READ,
       TGT_SWAP, TGT_IFACES, TGT_CURVE, NR_TARGETS = TGT_CURVE + NR_STRATEGIES };

/* a[i] op b[i], round by round */
static struct series series_combine(const struct series *a, const struct series *b, char op)
{
	struct series r = {};
	int i;

	for (i = 0; i < a->n && i < b->n; i++)
		series_add(&r, op == '/' ? a->v[i] / b->v[i] : a->v[i] - b->v[i]);
	return r;
}

/* Throughput on two CPUs over throughput on one: ns on one over effective ns. */
static double scaling(const struct results *r, int s, int mode)
{
	return ratio_median(&r->ns[s][MODE_ONE_CPU], &r->ns[s][mode]);
}

/* (a - parse) / (b - parse), round by round */
static struct series counter_ratios(const struct results *r, int a, int b, int mode)
{
	struct series ca = series_combine(&r->ns[a][mode], &r->ns[S_PARSE][mode], '-');
	struct series cb = series_combine(&r->ns[b][mode], &r->ns[S_PARSE][mode], '-');

	return series_combine(&ca, &cb, '/');
}

static double counter_ratio(const struct results *r, int a, int b, int mode)
{
	struct series c = counter_ratios(r, a, b, mode);

	return series_median(&c);
}

static double counter_ns(const struct results *r, int s, int mode)
{
	struct series c = series_combine(&r->ns[s][mode], &r->ns[S_PARSE][mode], '-');

	return series_median(&c);
}

static void set_target(struct target *t, const char *name, const char *what, const char *want,
		       struct series ratios)
{
	double lim = atof(want + (want[1] == '=' ? 3 : 2)), value;

	t->spread = series_stats(&ratios);
	value = t->spread.median;
	t->name = name;
	t->what = what;
	t->target = want;
	t->value = value;
	if (!strncmp(want, "<=", 2))
		t->met = value <= lim;
	else if (!strncmp(want, ">=", 2))
		t->met = value >= lim;
	else
		t->met = value < lim;
	if (!isfinite(value))
		t->met = false;
}

/* A strategy that takes one lock per key for every packet cannot scale on
 * the same keys: its target says it does not (as spinlock_hash_scaling_2cpu
 * does). Atomic adds sometimes scale on two CPUs, sometimes not: they get the
 * bar of the others. */
static bool shared_counters(int s)
{
	return s == S_SPINLOCK_HASH;
}

/*
 * Throughput on every online CPU over one CPU, same keys, per strategy:
 * 90% of linear is the bar (2 CPUs: 1.8). The names and texts live as long
 * as the process: the report is written once.
 */
static void compute_curve_targets(const struct results *r, struct target *t)
{
	static char names[NR_STRATEGIES][64], whats[NR_STRATEGIES][128], wants[NR_STRATEGIES][16];
	int s, all = r->nr_curve - 1, n = r->curve_cpus[all];

	for (s = 0; s < NR_STRATEGIES; s++) {
		snprintf(names[s], sizeof(names[s]), "scaling_all_cpus_%s", strategy_names[s]);
		snprintf(whats[s], sizeof(whats[s]),
			 "throughput %d CPUs / 1 CPU, same keys: %s", n, strategy_names[s]);
		snprintf(wants[s], sizeof(wants[s]), "%s %.2f", shared_counters(s) ? "<" : ">=",
			 0.9 * n);
		set_target(&t[s], names[s], whats[s], wants[s],
			   series_combine(&r->curve_ns[s][0], &r->curve_ns[s][all], '/'));
	}
}

static void compute_targets(const struct results *r, struct target *t)
{
	set_target(&t[TGT_MIM_PCH], "map_in_map_vs_percpu_hash",
		   "ns/packet, 1 CPU: map_in_map / percpu_hash", "<= 1.05",
		   series_combine(&r->ns[S_MAP_IN_MAP][MODE_ONE_CPU],
				  &r->ns[S_PERCPU_HASH][MODE_ONE_CPU], '/'));
	set_target(&t[TGT_SPIN_MIM], "spinlock_vs_map_in_map_2cpu_contended",
		   "ns/packet, 2 CPUs, same keys: spinlock_hash / map_in_map", ">= 1.9",
		   series_combine(&r->ns[S_SPINLOCK_HASH][MODE_CONTENDED],
				  &r->ns[S_MAP_IN_MAP][MODE_CONTENDED], '/'));
	set_target(&t[TGT_COUNTER], "counter_cost_map_in_map_vs_percpu_hash",
		   "(map_in_map - parse) / (percpu_hash - parse), 1 CPU", "<= 1.2",
		   counter_ratios(r, S_MAP_IN_MAP, S_PERCPU_HASH, MODE_ONE_CPU));
	set_target(&t[TGT_MIM_SCALES], "map_in_map_scaling_2cpu",
		   "throughput 2 CPUs / 1 CPU, same keys: map_in_map", ">= 1.9",
		   series_combine(&r->ns[S_MAP_IN_MAP][MODE_ONE_CPU],
				  &r->ns[S_MAP_IN_MAP][MODE_CONTENDED], '/'));
	set_target(&t[TGT_SPIN_SCALES], "spinlock_hash_scaling_2cpu",
		   "throughput 2 CPUs / 1 CPU, same keys: spinlock_hash", "< 1.9",
		   series_combine(&r->ns[S_SPINLOCK_HASH][MODE_ONE_CPU],
				  &r->ns[S_SPINLOCK_HASH][MODE_CONTENDED], '/'));
	set_target(&t[TGT_READ], "batch_read_vs_get_next_key_1m",
		   "ns/entry at 1M entries: lookup_batch / (get_next_key + lookup)", "<= 0.15",
		   series_combine(&r->read_ns[0][READ_SIZES - 1], &r->read_ns[1][READ_SIZES - 1],
				  '/'));
	set_target(&t[TGT_SWAP], "batch_swap_64_vs_64_updates",
		   "ms: one update_batch of 64 outer slots / 64 update_elem", "<= 0.2",
		   series_combine(&r->swap_batch_ms[SWAP_SIZES - 1],
				  &r->swap_elem_ms[SWAP_SIZES - 1], '/'));
	set_target(&t[TGT_IFACES], "iface_count_cost_1024_vs_1",
		   "ns/frame, 1 CPU: 1024 interfaces in the slot map / 1", "<= 1.05",
		   series_combine(&r->iface_ns[IFACE_COUNTS - 1], &r->iface_ns[0], '/'));
	compute_curve_targets(r, t + TGT_CURVE);
}

static void read_model(char *buf, size_t len, bool *virt)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	*virt = false;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v += 2;
		v[strcspn(v, "\n")] = '\0';
		if (!strncmp(line, "model name", 10) && !strcmp(buf, "unknown"))
			snprintf(buf, len, "%s", v);
		if (!strncmp(line, "flags", 5) && strstr(v, " hypervisor"))
			*virt = true;
	}
	fclose(f);
}

static int read_int_file(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void json_stats(struct json_writer *jw, const char *name, const struct series *s, int dec)
{
	struct stats st = series_stats(s);

	jsonw_name(jw, name);
	jsonw_start_object(jw);
	jsonw_name(jw, "median");
	jsonw_float(jw, st.median, dec);
	jsonw_name(jw, "q1");
	jsonw_float(jw, st.q1, dec);
	jsonw_name(jw, "q3");
	jsonw_float(jw, st.q3, dec);
	jsonw_name(jw, "min");
	jsonw_float(jw, st.min, dec);
	jsonw_name(jw, "max");
	jsonw_float(jw, st.max, dec);
	jsonw_name(jw, "rounds");
	jsonw_uint(jw, st.n);
	jsonw_end_object(jw);
}

static void json_num(struct json_writer *jw, const char *name, double v, int dec)
{
	jsonw_name(jw, name);
	jsonw_float(jw, v, dec);
}

static void json_str(struct json_writer *jw, const char *name, const char *v)
{
	jsonw_name(jw, name);
	jsonw_string(jw, v);
}

static void write_machine(struct json_writer *jw, const struct results *r)
{
	struct utsname u;
	char model[256];
	bool virt;

	uname(&u);
	read_model(model, sizeof(model), &virt);
	jsonw_name(jw, "machine");
	jsonw_start_object(jw);
	json_str(jw, "kernel", u.release);
	jsonw_name(jw, "cpus");
	jsonw_uint(jw, sysconf(_SC_NPROCESSORS_ONLN));
	jsonw_name(jw, "possible_cpus");
	jsonw_uint(jw, r->ncpus);
	json_str(jw, "model", model);
	jsonw_name(jw, "virtualized");
	jsonw_bool(jw, virt);
	jsonw_name(jw, "rcu_expedited");
	jsonw_uint(jw, (__u64)(long long)read_int_file("/sys/kernel/rcu_expedited"));
	jsonw_name(jw, "bpf_jit_enable");
	jsonw_uint(jw, (__u64)(long long)read_int_file("/proc/sys/net/core/bpf_jit_enable"));
	jsonw_end_object(jw);
}

static void write_run(struct json_writer *jw, const struct bench_opts *o, const struct results *r)
{
	const char *commit = getenv("FT_BENCH_COMMIT");
	char when[64];
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	jsonw_name(jw, "run");
	jsonw_start_object(jw);
	json_str(jw, "mode", o->quick ? "quick" : "full");
	json_str(jw, "date", when);
	json_str(jw, "commit", commit ? commit : "unknown");
	json_num(jw, "seconds", r->seconds, 1);
	jsonw_name(jw, "rounds");
	jsonw_uint(jw, o->rounds);
	jsonw_name(jw, "frames");
	jsonw_uint(jw, r->base.n);
	jsonw_name(jw, "repeat_per_frame");
	jsonw_uint(jw, o->repeat);
	jsonw_name(jw, "packets_per_measurement");
	jsonw_uint(jw, (__u64)o->repeat * r->base.n);
	json_str(jw, "mix", "tests/lib mix, seed 2024, frames 0-15, max 1514 bytes, malformed 0%");
	jsonw_name(jw, "classified_frames");
	jsonw_uint(jw, r->base.classified);
	json_num(jw, "mean_frame_bytes", (double)r->base.bytes / r->base.n, 1);
	jsonw_name(jw, "sections");
	jsonw_start_object(jw);
	for (int i = 0; i < r->nr_sections; i++) {
		jsonw_name(jw, r->sections[i].name);
		jsonw_start_object(jw);
		json_num(jw, "seconds", r->sections[i].seconds, 1);
		json_num(jw, "steal_pct", r->sections[i].steal_pct, 1);
		json_num(jw, "busy_pct", r->sections[i].busy_pct, 1);
		jsonw_end_object(jw);
	}
	jsonw_end_object(jw);
	json_str(jw, "timing",
		 "the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID) around each "
		 "bpf_prog_test_run_opts call, summed over all repeats: exact to the ns like the "
		 "wall clock, without what other tasks or the hypervisor took meanwhile (wall-"
		 "clock and kernel-duration figures are in ns_per_packet_stats); two-CPU figures "
		 "are one over the summed per-thread throughput; every test run of every frame "
		 "interleaves all strategies, ratios are taken per round, medians reported");
	jsonw_end_object(jw);
}

/* Throughput over 1, 2, 4, ... every online CPU, same keys, per strategy. */
static void write_curve(struct json_writer *jw, const struct results *r)
{
	int s, p;

	jsonw_name(jw, "scaling_curve");
	jsonw_start_object(jw);
	jsonw_name(jw, "cpus");
	jsonw_start_array(jw);
	for (p = 0; p < r->nr_curve; p++)
		jsonw_uint(jw, r->curve_cpus[p]);
	jsonw_end_array(jw);
	for (s = 0; s < NR_STRATEGIES; s++) {
		jsonw_name(jw, strategy_names[s]);
		jsonw_start_object(jw);
		jsonw_name(jw, "mpps");
		jsonw_start_array(jw);
		for (p = 0; p < r->nr_curve; p++)
			jsonw_float(jw, 1e3 / series_median(&r->curve_ns[s][p]), 3);
		jsonw_end_array(jw);
		jsonw_name(jw, "speedup");
		jsonw_start_array(jw);
		for (p = 0; p < r->nr_curve; p++)
			jsonw_float(jw, ratio_median(&r->curve_ns[s][0], &r->curve_ns[s][p]), 3);
		jsonw_end_array(jw);
		jsonw_end_object(jw);
	}
	jsonw_end_object(jw);
}

static void write_packets(struct json_writer *jw, const struct results *r)
{
	int s, m;

	jsonw_name(jw, "strategies");
	jsonw_start_object(jw);
	for (s = 0; s < NR_STRATEGIES; s++)
		json_str(jw, strategy_names[s], strategy_what[s]);
	jsonw_end_object(jw);

	jsonw_name(jw, "ns_per_packet");
	jsonw_start_object(jw);
	for (s = 0; s < NR_STRATEGIES; s++)
		json_num(jw, strategy_names[s], series_median(&r->ns[s][MODE_ONE_CPU]), 2);
	jsonw_end_object(jw);

	jsonw_name(jw, "ns_per_packet_stats");
	jsonw_start_object(jw);
	for (s = 0; s < NR_STRATEGIES; s++) {
		jsonw_name(jw, strategy_names[s]);
		jsonw_start_object(jw);
		for (m = 0; m < NR_MODES; m++)
			json_stats(jw, mode_names[m], &r->ns[s][m], 2);
		jsonw_name(jw, "wall_clock");
		jsonw_start_object(jw);
		for (m = 0; m < NR_MODES; m++)
			json_num(jw, mode_names[m], series_median(&r->ns_wall[s][m]), 2);
		jsonw_end_object(jw);
		json_num(jw, "kernel_duration_one_cpu", series_median(&r->kernel_ns[s]), 2);
		jsonw_end_object(jw);
	}
	jsonw_end_object(jw);

	jsonw_name(jw, "ratios");
	jsonw_start_object(jw);
	for (s = 0; s < NR_STRATEGIES; s++) {
		jsonw_name(jw, strategy_names[s]);
		jsonw_start_object(jw);
		json_num(jw, "vs_percpu_hash",
			 ratio_median(&r->ns[s][MODE_ONE_CPU], &r->ns[S_PERCPU_HASH][MODE_ONE_CPU]),
			 3);
		json_num(jw, "counter_ns", counter_ns(r, s, MODE_ONE_CPU), 2);
		json_num(jw, "counter_vs_percpu_hash",
			 counter_ratio(r, s, S_PERCPU_HASH, MODE_ONE_CPU), 3);
		json_num(jw, "vs_map_in_map_2cpu_contended",
			 ratio_median(&r->ns[s][MODE_CONTENDED],
				      &r->ns[S_MAP_IN_MAP][MODE_CONTENDED]),
			 3);
		jsonw_end_object(jw);
	}
	jsonw_end_object(jw);

	jsonw_name(jw, "scaling_2cpu");
	jsonw_start_object(jw);
	for (s = 0; s < NR_STRATEGIES; s++) {
		jsonw_name(jw, strategy_names[s]);
		jsonw_start_object(jw);
		json_num(jw, "contended", scaling(r, s, MODE_CONTENDED), 3);
		json_num(jw, "distinct", scaling(r, s, MODE_DISTINCT), 3);
		json_num(jw, "ns_per_packet_contended", series_median(&r->ns[s][MODE_CONTENDED]),
			 2);
		json_num(jw, "ns_per_packet_distinct", series_median(&r->ns[s][MODE_DISTINCT]),
			 2);
		jsonw_end_object(jw);
	}
	jsonw_end_object(jw);
	write_curve(jw, r);
}

static void write_sweep(struct json_writer *jw, const struct results *r)
{
	char key[32];
	int t, n;

	jsonw_name(jw, "keys_sweep");
	jsonw_start_object(jw);
	json_str(jw, "key",
		 "(dir, saddr): a flowtally table 'sweep=saddr:size=S' (48-byte wide key) and "
		 "PERCPU_HASHes of S keys with the same key, preallocated as flowtally's inner "
		 "maps are (percpu_hash) or allocating on insert (percpu_hash_no_prealloc); S is "
		 "the largest key count rounded up to a power of two. One IPv4 UDP frame whose "
		 "source address a driver program steps through N values before tail-calling the "
		 "program under test (parse is the floor: driver + tail call + parse)");
	json_str(jw, "insert_ns",
		 "extra ns per new key: (first pass over N keys - second pass) / N; at N <= 100 "
		 "this is within syscall noise");
	for (t = 0; t < SWEEP_TARGETS; t++) {
		jsonw_name(jw, sweep_target_names[t]);
		jsonw_start_object(jw);
		for (n = 0; n < SWEEP_SIZES; n++) {
			struct series c =
				series_combine(&r->sweep_ns[t][n], &r->sweep_ns[0][n], '-');

			snprintf(key, sizeof(key), "%llu", (unsigned long long)r->sweep_keys[n]);
			jsonw_name(jw, key);
			jsonw_start_object(jw);
			json_num(jw, "ns_per_packet", series_median(&r->sweep_ns[t][n]), 2);
			json_num(jw, "counter_ns", series_median(&c), 2);
			json_num(jw, "insert_ns", series_median(&r->sweep_insert_ns[t][n]), 1);
			jsonw_name(jw, "checked");
			jsonw_bool(jw, r->sweep_checked[t][n]);
			jsonw_end_object(jw);
		}
		jsonw_end_object(jw);
	}
	jsonw_end_object(jw);
}

static void write_read(struct json_writer *jw, const struct results *r)
{
	char key[64];
	int m, n;

	jsonw_name(jw, "read_ns_per_entry");
	jsonw_start_object(jw);
	for (m = 0; m < READ_METHODS; m++) {
		for (n = 0; n < READ_SIZES; n++) {
			snprintf(key, sizeof(key), "%s_%u", read_method_names[m], r->read_sizes[n]);
			json_num(jw, key, series_median(&r->read_ns[m][n]), 1);
		}
	}
	json_num(jw, "batch_1000_in_65536", series_median(&r->read_sparse_ns), 1);
	json_str(jw, "method",
		 "PERCPU_HASH (16-byte key, preallocated) sized to its keys, filled from "
		 "userspace; "
		 "batch: lookup_batch of 4096; get_next_key: get_next_key + lookup_elem per key; "
		 "drain_batch: lookup_and_delete_batch of 4096, what flowtally's snapshot does");
	jsonw_end_object(jw);
}

static void write_swap(struct json_writer *jw, const struct results *r)
{
	char key[64];
	int n;

	jsonw_name(jw, "swap_ms");
	jsonw_start_object(jw);
	for (n = 0; n < SWAP_SIZES; n++) {
		snprintf(key, sizeof(key), "batch_%d", r->swap_sizes[n]);
		json_num(jw, key, series_median(&r->swap_batch_ms[n]), 3);
		snprintf(key, sizeof(key), "update_elem_%d", r->swap_sizes[n]);
		json_num(jw, key, series_median(&r->swap_elem_ms[n]), 3);
		snprintf(key, sizeof(key), "flowtally_snapshot_%d", r->swap_sizes[n]);
		json_num(jw, key, series_median(&r->swap_flowtally_ms[n]), 3);
	}
	json_num(jw, "flowtally_sync", series_median(&r->sync_ms), 3);
	json_str(jw, "method",
		 "outer ARRAY_OF_MAPS of 64 slots, PERCPU_HASH inner maps swapped for others: one "
		 "update_batch over N slots vs N update_elem; flowtally_snapshot_N: snapshot_take "
		 "on an instance with N (proto, dport) tables, each holding the base mix's keys; "
		 "flowtally_sync: snapshot_sync alone (one outer-slot update)");
	jsonw_end_object(jw);
}

static void write_mem_entry(struct json_writer *jw, const char *name, const char *what,
			    double fixed, double per_cpu, const struct mem_layout *m, int ncpus)
{
	jsonw_name(jw, name);
	jsonw_start_object(jw);
	json_str(jw, "what", what);
	json_num(jw, "cpus_2", fixed + per_cpu * ncpus, 1);
	json_num(jw, "cpus_64", fixed + per_cpu * REPORT_CPUS_A, 1);
	json_num(jw, "cpus_128", fixed + per_cpu * REPORT_CPUS_B, 1);
	json_num(jw, "fixed_part", fixed, 1);
	json_num(jw, "per_cpu_part", per_cpu, 1);
	if (m) {
		jsonw_name(jw, "memlock_empty");
		jsonw_uint(jw, m->empty);
		jsonw_name(jw, "memlock_full");
		jsonw_uint(jw, m->full);
		jsonw_name(jw, "entries");
		jsonw_uint(jw, m->entries);
	}
	jsonw_end_object(jw);
}

static void write_memory(struct json_writer *jw, const struct results *r)
{
	const struct mem_layout *pch = NULL, *hash = NULL;
	int i;

	jsonw_name(jw, "bytes_per_entry");
	jsonw_start_object(jw);
	for (i = 0; i < r->nr_mem; i++) {
		const struct mem_layout *m = &r->mem[i];

		if (!strcmp(m->name, "percpu_hash"))
			pch = m;
		if (!strcmp(m->name, "hash"))
			hash = m;
		write_mem_entry(jw, m->name, m->what, m->per_entry - m->per_cpu * r->ncpus,
				m->per_cpu, m, r->ncpus);
	}
	if (pch)
		write_mem_entry(jw, "map_in_map",
				"flowtally: per key of a table's size, two preallocated "
				"percpu_hash maps (one per generation), whatever the keys held",
				2 * (pch->per_entry - pch->per_cpu * r->ncpus), 2 * pch->per_cpu,
				NULL, r->ncpus);
	if (hash)
		write_mem_entry(jw, "map_in_map_cpu",
				"per key of a table's size: one preallocated plain hash per CPU "
				"(each must hold every key, since any CPU may see any key)",
				0, hash->per_entry, NULL, r->ncpus);
	json_num(jw, "meminfo_check_percpu_hash", r->meminfo_per_entry, 1);
	jsonw_name(jw, "meminfo_check_keys");
	jsonw_uint(jw, r->meminfo_keys);
	json_str(jw, "method",
		 "memlock from /proc/self/fdinfo (the kernel's map_mem_usage) of a map of 65536 "
		 "max entries, empty and full; per entry = full / 65536 when preallocated (all "
		 "of it is there before the first key: bytes per key of the table's size), else "
		 "(full - empty) / 65536 (per key held). The kernel charges round_up(value_size, "
		 "8) per possible CPU per entry of a per-CPU map: that is per_cpu_part; "
		 "fixed_part = measured - possible CPUs * per_cpu_part; cpus_N = fixed_part + N * "
		 "per_cpu_part. meminfo_check: growth of Slab + VmallocUsed + Percpu in "
		 "/proc/meminfo per key while a preallocated percpu_hash of meminfo_check_keys "
		 "keys is created and filled (what the allocators spent; noisy)");
	jsonw_end_object(jw);
}

static void write_targets(struct json_writer *jw, const struct target *t)
{
	int i;

	jsonw_name(jw, "targets");
	jsonw_start_object(jw);
	for (i = 0; i < NR_TARGETS; i++) {
		jsonw_name(jw, t[i].name);
		jsonw_start_object(jw);
		json_num(jw, "value", t[i].value, 3);
		json_str(jw, "target", t[i].target);
		jsonw_name(jw, "met");
		jsonw_bool(jw, t[i].met);
		json_num(jw, "q1", t[i].spread.q1, 3);
		json_num(jw, "q3", t[i].spread.q3, 3);
		jsonw_name(jw, "rounds");
		jsonw_uint(jw, t[i].spread.n);
		json_str(jw, "what", t[i].what);
		jsonw_end_object(jw);
	}
	jsonw_end_object(jw);
}

static void write_checks(struct json_writer *jw, const struct results *r)
{
	int s;

	jsonw_name(jw, "checks");
	jsonw_start_object(jw);
	for (s = 0; s < NR_STRATEGIES; s++) {
		jsonw_name(jw, strategy_names[s]);
		jsonw_bool(jw, r->checked[s]);
	}
	jsonw_end_object(jw);
}

static void write_ifaces(struct json_writer *jw, const struct results *r)
{
	char key[64];
	int k;

	jsonw_name(jw, "ifaces_ns_per_frame");
	jsonw_start_object(jw);
	for (k = 0; k < IFACE_COUNTS; k++) {
		snprintf(key, sizeof(key), "ifaces_%d", bench_iface_counts[k]);
		json_stats(jw, key, &r->iface_ns[k], 1);
	}
	for (k = 1; k < IFACE_COUNTS; k++) {
		snprintf(key, sizeof(key), "ratio_%d_vs_1", bench_iface_counts[k]);
		json_num(jw, key, ratio_median(&r->iface_ns[k], &r->iface_ns[0]), 3);
	}
	for (k = 0; k < IFACE_COUNTS; k++) {
		snprintf(key, sizeof(key), "checked_%d", bench_iface_counts[k]);
		jsonw_name(jw, key);
		jsonw_bool(jw, r->iface_checked[k]);
	}
	json_str(jw, "method",
		 "flowtally's XDP program (--max-interfaces 1024, default ports table) with 1, 16 "
		 "and 1024 interfaces in its slot map, the frames' interface in the last slot; "
		 "BPF_PROG_TEST_RUN of the base mix, 1 CPU, thread CPU time, the three interleaved "
		 "frame by frame; ratios per round, then the median; checked: seen on the frames' "
		 "interface equals the frames run");
	jsonw_end_object(jw);
}

static int write_json(const char *path, const struct bench_opts *o, const struct results *r,
		      const struct target *t)
{
	struct json_writer *jw;
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	jw = jsonw_new(f);
	if (!jw) {
		fclose(f);
		return -ENOMEM;
	}
	jsonw_start_object(jw);
	write_machine(jw, r);
	write_run(jw, o, r);
	write_packets(jw, r);
	write_sweep(jw, r);
	write_read(jw, r);
	write_swap(jw, r);
	write_ifaces(jw, r);
	write_memory(jw, r);
	jsonw_name(jw, "live");
	jsonw_start_object(jw);
	json_str(jw, "skipped", "not run by the driver (bench/run.sh fills this in)");
	jsonw_end_object(jw);
	write_targets(jw, t);
	write_checks(jw, r);
	jsonw_end_object(jw);
	jsonw_end_line(jw);
	jsonw_destroy(&jw);
	return fclose(f) ? -errno : 0;
}

static const char *fmt_spread(char *buf, size_t len, const struct series *s)
{
	struct stats st = series_stats(s);

	snprintf(buf, len, "%.1f (%.1f-%.1f)", st.median, st.q1, st.q3);
	return buf;
}

static int write_summary(const char *path, const struct bench_opts *o, const struct results *r,
			 const struct target *t)
{
	FILE *f = fopen(path, "w");
	char a[64], b[64];
	struct utsname u;
	int s, i, n;

	if (!f)
		return -errno;
	uname(&u);
	fprintf(f, "# flowtally bench (%s)\n\n", o->quick ? "quick: reduced repeats and rounds, "
							    "for checking the output only"
							  : "full");
	fprintf(f,
		"Kernel %s, %d possible CPUs, %d rounds of %d frames x %d repeats per strategy "
		"and mode, %.0f s. Every ratio is the median of per-round ratios.\n\n",
		u.release, r->ncpus, o->rounds, r->base.n, o->repeat, r->seconds);

	for (i = 0; i < r->nr_sections; i++)
		if (!strcmp(r->sections[i].name, "packets"))
			fprintf(f,
				"While the packets were measured the hypervisor stole %.1f%% "
				"of the machine's CPU time (steal in /proc/stat).\n\n",
				r->sections[i].steal_pct);

	fprintf(f, "## Targets\n\nvalue: median of the per-round ratios; q1-q3: their middle "
		   "half.\n\n| target | value | q1-q3 | wanted | met |\n|---|---:|---:|---|---|\n");
	for (i = 0; i < NR_TARGETS; i++)
		fprintf(f, "| %s | %.3f | %.3f-%.3f | %s | %s |\n", t[i].what, t[i].value,
			t[i].spread.q1, t[i].spread.q3, t[i].target, t[i].met ? "yes" : "**no**");
	fprintf(f,
		"\nWhat two CPUs give at all in this run: empty scales %.3f, parse %.3f (same "
		"keys). A scaling target can only be met below that ceiling.\n",
		scaling(r, S_EMPTY, MODE_CONTENDED), scaling(r, S_PARSE, MODE_CONTENDED));

	fprintf(f,
		"\n## Strategies\n\nns/packet: median (q1-q3) on 1 CPU; counter = ns - parse; "
		"2-CPU ns are one over the summed throughput; scaling = 2-CPU throughput / 1-CPU "
		"throughput (2.0 is perfect).\n\n"
		"| strategy | ns/packet 1 CPU | / percpu_hash | counter ns | counter / percpu_hash "
		"| ns 2 CPUs same keys | scaling same keys | scaling own keys |\n"
		"|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (s = 0; s < NR_STRATEGIES; s++)
		fprintf(f, "| %s | %s | %.3f | %.2f | %.3f | %.2f | %.3f | %.3f |\n",
			strategy_names[s], fmt_spread(a, sizeof(a), &r->ns[s][MODE_ONE_CPU]),
			ratio_median(&r->ns[s][MODE_ONE_CPU], &r->ns[S_PERCPU_HASH][MODE_ONE_CPU]),
			counter_ns(r, s, MODE_ONE_CPU),
			counter_ratio(r, s, S_PERCPU_HASH, MODE_ONE_CPU),
			series_median(&r->ns[s][MODE_CONTENDED]), scaling(r, s, MODE_CONTENDED),
			scaling(r, s, MODE_DISTINCT));

	fprintf(f, "\n");
	for (s = 0; s < NR_STRATEGIES; s++)
		fprintf(f, "- %s: %s\n", strategy_names[s], strategy_what[s]);

	fprintf(f, "\n## Key-count sweep\n\n(dir, saddr) key, ns/packet including the driver "
		   "and tail call; counter = ns - parse; insert = extra ns per new key (noise at "
		   "<= 100 keys).\n\n"
		   "| keys | parse | percpu_hash | map_in_map | no prealloc | counter "
		   "percpu_hash | counter map_in_map | counter no prealloc | insert percpu_hash | "
		   "insert map_in_map | insert no prealloc |\n"
		   "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (n = 0; n < SWEEP_SIZES; n++) {
		fprintf(f, "| %llu", (unsigned long long)r->sweep_keys[n]);
		for (i = 0; i < SWEEP_TARGETS; i++)
			fprintf(f, " | %.1f", series_median(&r->sweep_ns[i][n]));
		for (i = 1; i < SWEEP_TARGETS; i++) {
			struct series c =
				series_combine(&r->sweep_ns[i][n], &r->sweep_ns[0][n], '-');

			fprintf(f, " | %.1f", series_median(&c));
		}
		for (i = 1; i < SWEEP_TARGETS; i++)
			fprintf(f, " | %.0f", series_median(&r->sweep_insert_ns[i][n]));
		fprintf(f, " |\n");
	}

	fprintf(f, "\n## Reading a PERCPU_HASH (ns per entry)\n\n"
		   "| entries | lookup_batch | get_next_key + lookup | lookup_and_delete_batch | "
		   "batch / get_next_key |\n|---:|---:|---:|---:|---:|\n");
	for (n = 0; n < READ_SIZES; n++)
		fprintf(f, "| %u | %.1f | %.1f | %.1f | %.3f |\n", r->read_sizes[n],
			series_median(&r->read_ns[0][n]), series_median(&r->read_ns[1][n]),
			series_median(&r->read_ns[2][n]),
			ratio_median(&r->read_ns[0][n], &r->read_ns[1][n]));
	fprintf(f, "\nlookup_batch of 1000 keys in a 65536-key table: %.1f ns per entry.\n",
		series_median(&r->read_sparse_ns));

	fprintf(f, "\n## Swapping inner maps (ms)\n\n"
		   "| slots / tables | one update_batch | update_elem per slot | batch / per slot "
		   "| flowtally snapshot_take |\n|---:|---:|---:|---:|---:|\n");
	for (n = 0; n < SWAP_SIZES; n++)
		fprintf(f, "| %d | %s | %s | %.3f | %s |\n", r->swap_sizes[n],
			fmt_spread(a, sizeof(a), &r->swap_batch_ms[n]),
			fmt_spread(b, sizeof(b), &r->swap_elem_ms[n]),
			ratio_median(&r->swap_batch_ms[n], &r->swap_elem_ms[n]),
			fmt_spread((char[64]){}, 64, &r->swap_flowtally_ms[n]));
	fprintf(f, "\nflowtally snapshot_sync alone (one grace period): %.3f ms.\n",
		series_median(&r->sync_ms));

	fprintf(f, "\n## Interfaces in the slot map (ns per frame, 1 CPU)\n\n"
		   "| interfaces | ns/frame | / 1 interface | books exact |\n|---:|---:|---:|---|\n");
	for (n = 0; n < IFACE_COUNTS; n++)
		fprintf(f, "| %d | %s | %.3f | %s |\n", bench_iface_counts[n],
			fmt_spread(a, sizeof(a), &r->iface_ns[n]),
			ratio_median(&r->iface_ns[n], &r->iface_ns[0]),
			r->iface_checked[n] ? "yes" : "**no**");

	fprintf(f, "\n## Memory per key (bytes, kernel memlock accounting)\n\n"
		   "| layout | %d CPUs | %d CPUs | %d CPUs |\n|---|---:|---:|---:|\n",
		r->ncpus, REPORT_CPUS_A, REPORT_CPUS_B);
	for (i = 0; i < r->nr_mem; i++) {
		const struct mem_layout *m = &r->mem[i];
		double fixed = m->per_entry - m->per_cpu * r->ncpus;

		fprintf(f, "| %s | %.0f | %.0f | %.0f |\n", m->name, m->per_entry,
			fixed + m->per_cpu * REPORT_CPUS_A, fixed + m->per_cpu * REPORT_CPUS_B);
		if (!strcmp(m->name, "percpu_hash"))
			fprintf(f, "| map_in_map (flowtally: two generations) | %.0f | %.0f | "
				   "%.0f |\n",
				2 * m->per_entry, 2 * (fixed + m->per_cpu * REPORT_CPUS_A),
				2 * (fixed + m->per_cpu * REPORT_CPUS_B));
		if (!strcmp(m->name, "hash"))
			fprintf(f, "| map_in_map_cpu (a hash per CPU) | %.0f | %.0f | %.0f |\n",
				m->per_entry * r->ncpus, m->per_entry * REPORT_CPUS_A,
				m->per_entry * REPORT_CPUS_B);
	}
	fprintf(f, "\nPreallocated layouts: bytes per key of the table's size, held or not; "
		   "percpu_hash_no_prealloc: per key held. Allocator check: a preallocated "
		   "percpu_hash of %u keys grew Slab + VmallocUsed + Percpu by %.0f bytes per "
		   "key.\n",
		r->meminfo_keys, r->meminfo_per_entry);
	return fclose(f) ? -errno : 0;
}

int bench_report(const struct bench_opts *o, struct results *r)
{
	struct target t[NR_TARGETS];
	char path[512];
	int err;

	compute_targets(r, t);
	snprintf(path, sizeof(path), "%s/results.json", o->outdir);
	err = write_json(path, o, r, t);
	if (!err) {
		snprintf(path, sizeof(path), "%s/summary.md", o->outdir);
		err = write_summary(path, o, r, t);
	}
	if (err)
		fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(-err));
	return err;
}
