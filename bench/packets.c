// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Everything measured by running programs with BPF_PROG_TEST_RUN: ns per
 * packet of every strategy on one CPU and on two at once, and the key-count
 * sweep. Times are wall time around the syscall over every repeat: the
 * kernel's `duration` is a whole number of ns per run, too coarse here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <net/if.h>

#include "bench.h"
#include "bench_abi.h"
#include "counts.h"
#include "frames.h"
#include "ifslot.h"
#include "lifecycle.h"
#include "log.h"
#include "mix.h"
#include "snapshot.h"
#include "strategies.skel.h"
#include "tables.h"

#define BENCH_IFINDEX	1	/* test runs report loopback as the interface */
#define DRAIN_CHUNK	65536
#define PIN_PAIRS	7	/* veth pairs: one end per program run with repeat > 1 */

const char *const strategy_names[NR_STRATEGIES] = {
	[S_EMPTY] = "empty",
	[S_PARSE] = "parse",
	[S_SPINLOCK_HASH] = "spinlock_hash",
	[S_ATOMIC_HASH] = "atomic_hash",
	[S_PERCPU_HASH] = "percpu_hash",
	[S_PERCPU_ARRAY] = "percpu_array",
	[S_MAP_IN_MAP] = "map_in_map",
	[S_MAP_IN_MAP_CPU] = "map_in_map_cpu",
	[S_MAP_IN_MAP_BARE] = "map_in_map_bare",
	[S_MAP_IN_MAP_BARE_CALL] = "map_in_map_bare_call",
	[S_UPDATE_PER_PACKET] = "update_per_packet",
};

const char *const strategy_what[NR_STRATEGIES] = {
	[S_EMPTY] = "returns XDP_PASS: the test-run loop's own cost",
	[S_PARSE] = "flowtally's parser, key and frame length, counts nothing",
	[S_SPINLOCK_HASH] = "one global HASH, value under a bpf_spin_lock",
	[S_ATOMIC_HASH] = "one global HASH, two atomic adds",
	[S_PERCPU_HASH] = "one PERCPU_HASH, plain adds, insert on a miss (flowtally's count_in)",
	[S_PERCPU_ARRAY] = "PERCPU_ARRAY indexed by destination port: lower bound of a dense key",
	[S_MAP_IN_MAP] = "flowtally's own XDP program and maps, default ports table",
	[S_MAP_IN_MAP_CPU] = "ARRAY_OF_MAPS, one plain HASH per CPU picked by CPU id (Katran)",
	[S_MAP_IN_MAP_BARE] = "flowtally's layout (ARRAY_OF_MAPS of PERCPU_HASH by generation) "
			      "without its run-time configuration",
	[S_MAP_IN_MAP_BARE_CALL] = "map_in_map_bare with the counting in a global BPF function, as "
				   "flowtally's account_frame()",
	[S_UPDATE_PER_PACKET] = "PERCPU_HASH, bpf_map_update_elem on every frame (the naive shape)",
};

const char *const mode_names[NR_MODES] = {
	[MODE_ONE_CPU] = "one_cpu",
	[MODE_CONTENDED] = "contended",
	[MODE_DISTINCT] = "distinct",
};

enum sweep_target { T_PARSE, T_PERCPU_HASH, T_MAP_IN_MAP, T_NO_PREALLOC };

const char *const sweep_target_names[SWEEP_TARGETS] = {
	[T_PARSE] = "parse",
	[T_PERCPU_HASH] = "percpu_hash",
	[T_MAP_IN_MAP] = "map_in_map",
	[T_NO_PREALLOC] = "percpu_hash_no_prealloc",
};

/* The programs under test and the maps behind them. */
static struct {
	struct strategies *skel;
	struct ft_instance inst;	/* flowtally, default ports table */
	struct ft_instance sweep;	/* flowtally, one saddr table of 1M keys */
	bool inst_open, sweep_open;
	int ncpus;			/* possible CPUs: per-CPU value count */
	int online;
	int cpu_fd[BENCH_MAX_CPUS * 64];	/* map_in_map_cpu inner maps */
	int nr_cpu_fds;
	int gen_fd[FT_GENERATIONS];	/* map_in_map_bare inner maps */
	int prog_fd[NR_STRATEGIES];
	struct ft_counts got;
} B;

int bench_add_iface(struct ft_instance *inst, const char *name, __u32 ifindex)
{
	struct ft_iface *ifc = catalog_new_iface(&inst->cat, name, ifindex);
	__u32 slot;
	int err;

	if (!ifc)
		return -E2BIG;
	slot = catalog_slot(&inst->cat, ifc);
	err = ifslot_set(inst, ifindex, slot);
	if (err)
		return err;
	return (int)slot;
}

int bench_instance_open(struct ft_instance *inst, const char *const *specs, int nr_specs)
{
	struct table_spec spec;
	char err[160];
	int i, ret;

	ret = instance_open(inst, FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS), false,
			    FT_IFACES_DEFAULT);
	if (ret)
		return ret;
	ret = bench_add_iface(inst, "lo", BENCH_IFINDEX);
	if (ret < 0)
		return ret;
	for (i = 0; i < (nr_specs ? nr_specs : 1); i++) {
		if (!nr_specs) {
			table_spec_default(&spec);
		} else if (table_spec_parse(specs[i], &spec, err, sizeof(err))) {
			fprintf(stderr, "bench: table '%s': %s\n", specs[i], err);
			return -EINVAL;
		}
		ret = tables_add(inst, &spec);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- frames ---- */

static int key_has_port(__u8 proto, int l3)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136 ||
	       (l3 == 4 && proto == 1) || (l3 == 6 && proto == 58);
}

/* Gives frame i a key no frame of the base set has, on the same parse path:
 * a port of its own, an ICMP code of its own, or for portless protocols an
 * unassigned protocol number. */
static void own_key(struct frame_spec *s, int i)
{
	if (!key_has_port(s->proto, s->l3))
		s->proto = 253;
	else if (s->proto == 1 || s->proto == 58)
		s->icmp_code = 201;
	else
		s->dport = 30000 + i;
}

static int build_set(struct frameset *fs, bool distinct, struct ft_key *keys)
{
	struct frame_spec s;
	struct frame_class fc;
	__u8 buf[BENCH_MAX_FRAME + 64];
	int i, len, err;

	memset(fs, 0, sizeof(*fs));
	for (i = 0; i < BENCH_FRAMES; i++) {
		err = mix_spec(BENCH_MIX_SEED, i, BENCH_MAX_FRAME, 0, &s);
		if (err)
			return err;
		if (distinct)
			own_key(&s, i);
		len = frame_build(&s, buf, sizeof(buf));
		if (len < 0)
			return len;
		err = frame_classify(&s, len, BENCH_IFINDEX, FT_DIR_INGRESS, &fc);
		if (err)
			return err;
		fs->buf[i] = malloc(len);
		if (!fs->buf[i])
			return -ENOMEM;
		memcpy(fs->buf[i], buf, len);
		fs->len[i] = len;
		fs->bytes += len;
		memset(&keys[i], 0, sizeof(keys[i]));
		if (fc.classified) {
			fs->classified++;
			keys[i].proto = fc.key.proto;
			keys[i].dport = fc.key.dport;
			keys[i].vni_hi = 1;	/* marks a classified frame here */
		}
	}
	fs->n = BENCH_FRAMES;
	return 0;
}

int bench_frames(struct results *r)
{
	struct ft_key base[BENCH_FRAMES], own[BENCH_FRAMES];
	int i, j, err;

	err = build_set(&r->base, false, base);
	if (!err)
		err = build_set(&r->distinct, true, own);
	if (err) {
		fprintf(stderr, "bench: cannot build the frame mix: %s\n", strerror(-err));
		return err;
	}
	for (i = 0; i < BENCH_FRAMES; i++)
		for (j = 0; j < BENCH_FRAMES; j++)
			if (own[i].vni_hi && base[j].vni_hi && own[i].proto == base[j].proto &&
			    own[i].dport == base[j].dport) {
				fprintf(stderr, "bench: distinct frame %d shares a key with %d\n",
					i, j);
				return -EINVAL;
			}
	return 0;
}

/* ---- running programs ---- */

/*
 * Time of test runs, summed. cpu is the calling thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID): nanosecond-exact like the wall clock, but
 * without the time the scheduler gave other tasks or the hypervisor took
 * (steal), which on a shared machine come and go. wall is the plain clock;
 * kern is the kernel's own `duration` (whole ns per run) times the repeats.
 */
struct timing {
	__u64 cpu, wall, kern;
};

static __u64 thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static int test_run(int fd, const void *data, int len, int repeat, struct timing *t)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = (__u32)len,
		    .repeat = repeat);
	__u64 w0, w1, c0, c1;
	int err;

	w0 = now_ns();
	c0 = thread_ns();
	err = bpf_prog_test_run_opts(fd, &opts);
	c1 = thread_ns();
	w1 = now_ns();
	if (err)
		return -errno;
	if (opts.retval != XDP_PASS)
		return -EPROTO;
	t->cpu += c1 - c0;
	t->wall += w1 - w0;
	t->kern += (__u64)opts.duration * repeat;
	return 0;
}

/*
 * One thread's share of a measurement: every frame of its set through every
 * program given, interleaved finely (frame 0 through programs A, B, C...,
 * then frame 1...) so that a change in the machine's speed, which on a
 * shared host comes and goes over seconds, hits every program alike.
 */
struct worker {
	pthread_t thread;
	int cpu;
	int nprogs;
	const int *prog_fd;		/* nprogs programs, in the order to run them */
	int repeat;
	const struct frameset *fs;
	pthread_barrier_t *barrier;	/* NULL: alone */
	struct timing tm[NR_STRATEGIES];
	__u64 packets[NR_STRATEGIES];
	int err;
};

/* With a barrier, all CPUs start every (frame, program) run together, so in
 * contended mode they hit the same key at the same time; waits are not
 * timed. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int i, p, calls = w->fs->n * w->nprogs, c;

	for (c = 0; c < calls; c++) {
		i = c / w->nprogs;
		p = c % w->nprogs;
		if (w->barrier)
			pthread_barrier_wait(w->barrier);
		if (w->err)
			continue;	/* a failed worker still meets the others */
		w->err = test_run(w->prog_fd[p], w->fs->buf[i], w->fs->len[i], w->repeat,
				  &w->tm[p]);
		w->packets[p] += w->repeat;
	}
	return NULL;
}

/* Effective ns per packet of each program, from the three clocks. */
struct eff_ns {
	double cpu, wall, kern;
};

/* Runs the programs over the frame sets on CPUs cpus[0..n), one pinned thread
 * each. eff[p]: effective ns per packet of program p, one over the throughput
 * summed over the CPUs (kern: on the first CPU only). */
static int run_on_cpus(const int *prog_fd, int nprogs, const struct frameset **sets,
		       const int *cpus, int n, int repeat, struct eff_ns *eff)
{
	static struct worker w[BENCH_MAX_THREADS];
	pthread_barrier_t barrier;
	int i, p, err = 0;

	memset(w, 0, sizeof(w));
	if (n > 1)
		pthread_barrier_init(&barrier, NULL, n);
	for (i = 0; i < n; i++) {
		pthread_attr_t attr;
		cpu_set_t set;

		w[i].cpu = cpus[i];
		w[i].nprogs = nprogs;
		w[i].prog_fd = prog_fd;
		w[i].repeat = repeat;
		w[i].fs = sets[i];
		w[i].barrier = n > 1 ? &barrier : NULL;
		CPU_ZERO(&set);
		CPU_SET(cpus[i], &set);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		err = pthread_create(&w[i].thread, &attr, worker_main, &w[i]);
		pthread_attr_destroy(&attr);
		if (err) {
			fprintf(stderr, "bench: cannot start a thread on CPU %d: %s\n", cpus[i],
				strerror(err));
			exit(1);	/* the other thread would wait at a barrier forever */
		}
	}
	for (i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].err)
			err = w[i].err;
	}
	if (n > 1)
		pthread_barrier_destroy(&barrier);
	if (err)
		return err;
	for (p = 0; p < nprogs; p++) {
		double cpu = 0, wall = 0;

		for (i = 0; i < n; i++) {
			cpu += (double)w[i].packets[p] / (double)w[i].tm[p].cpu;
			wall += (double)w[i].packets[p] / (double)w[i].tm[p].wall;
		}
		eff[p].cpu = 1.0 / cpu;
		eff[p].wall = 1.0 / wall;
		eff[p].kern = (double)w[0].tm[p].kern / (double)w[0].packets[p];
	}
	return 0;
}

/* ---- reading the books ---- */

/* Sum of the u64 at `off` over every value (and every CPU) of a map. */
static int map_sum(int fd, bool percpu, __u32 vsize, __u32 off, __u64 *sum)
{
	size_t stride = (vsize + 7) & ~7u, cnt = percpu ? (size_t)B.ncpus : 1, i;
	__u8 key[FT_KEY_WIDE_SIZE], next[FT_KEY_WIDE_SIZE], *vals;
	void *prev = NULL;
	int err = 0;

	vals = malloc(stride * cnt);
	if (!vals)
		return -ENOMEM;
	*sum = 0;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, sizeof(key));
		prev = key;
		if (bpf_map_lookup_elem(fd, key, vals)) {
			err = -errno;
			break;
		}
		for (i = 0; i < cnt; i++)
			*sum += *(__u64 *)(vals + i * stride + off);
	}
	free(vals);
	return err;
}

static int counter_sum(__u32 idx, __u64 *packets)
{
	struct ft_value v[256];
	int cpu;

	if (B.ncpus > 256 || bpf_map_lookup_elem(bpf_map__fd(B.skel->maps.counters), &idx, v))
		return -errno;
	*packets = 0;
	for (cpu = 0; cpu < B.ncpus; cpu++)
		*packets += v[cpu].packets;
	return 0;
}

struct books {
	__u64 seen, uncl, table;
};

/* Where a strategy keeps its packet counts. */
struct count_map {
	int fd;
	bool percpu;
	__u32 vsize, off;	/* value size, offset of `packets` */
};

static int read_books(enum strategy s, struct books *b)
{
	struct count_map maps[BENCH_MAX_CPUS * 64];
	struct strategies *sk = B.skel;
	__u64 v;
	int n = 0, i, r, err;

	memset(b, 0, sizeof(*b));
	err = counter_sum(BENCH_CNT_SEEN, &b->seen);
	for (r = 0; r < FT_UNCL_REASONS && !err; r++) {
		err = counter_sum(BENCH_CNT_UNCL(r), &v);
		b->uncl += v;
	}
	if (err)
		return err;
	switch (s) {
	case S_SPINLOCK_HASH:	/* packets after the lock and its padding */
		maps[n++] = (struct count_map){ bpf_map__fd(sk->maps.spin_hash), false, 24, 8 };
		break;
	case S_ATOMIC_HASH:
		maps[n++] = (struct count_map){ bpf_map__fd(sk->maps.atomic_hash), false, 16, 0 };
		break;
	case S_PERCPU_HASH:
		maps[n++] = (struct count_map){ bpf_map__fd(sk->maps.percpu_hash), true, 16, 0 };
		break;
	case S_PERCPU_ARRAY:
		maps[n++] = (struct count_map){ bpf_map__fd(sk->maps.port_array), true, 16, 0 };
		break;
	case S_UPDATE_PER_PACKET:
		maps[n++] = (struct count_map){ bpf_map__fd(sk->maps.upp_hash), true, 16, 0 };
		break;
	case S_MAP_IN_MAP_CPU:
		for (i = 0; i < B.nr_cpu_fds; i++)
			maps[n++] = (struct count_map){ B.cpu_fd[i], false, 16, 0 };
		break;
	case S_MAP_IN_MAP_BARE:
	case S_MAP_IN_MAP_BARE_CALL:
		for (i = 0; i < FT_GENERATIONS; i++)
			maps[n++] = (struct count_map){ B.gen_fd[i], true, 16, 0 };
		break;
	default:
		break;
	}
	for (i = 0; i < n && !err; i++) {
		err = map_sum(maps[i].fd, maps[i].percpu, maps[i].vsize, maps[i].off, &v);
		b->table += v;
	}
	return err;
}

/* flowtally's books: flip, drain, add up. */
static int read_flowtally(struct ft_instance *inst, int slot, struct books *b, __u64 *inserts,
			  __u64 *overflow)
{
	size_t i;
	int r, err;

	counts_reset(&B.got);
	err = snapshot_take(inst, &B.got);
	if (err)
		return err;
	memset(b, 0, sizeof(*b));
	b->seen = B.got.iface[BENCH_SLOT][FT_DIR_INGRESS][FT_CNT_SEEN].packets;
	for (r = 0; r < FT_UNCL_REASONS; r++)
		b->uncl += B.got.iface[BENCH_SLOT][FT_DIR_INGRESS][FT_CNT_UNCL(r)].packets;
	for (i = 0; i < B.got.nr_entries; i++)
		if (B.got.entries[i].table == (__u32)slot)
			b->table += B.got.entries[i].val.packets;
	if (inserts)
		*inserts = B.got.table[slot][FT_DIR_INGRESS][FT_TBL_INSERTS].packets;
	if (overflow)
		*overflow = B.got.table[slot][FT_DIR_INGRESS][FT_TBL_OVERFLOW].packets;
	return 0;
}

/* Runs the base frames `rep` times through a strategy and checks that its
 * books add up: every frame seen, classified frames in the table, the rest
 * unclassified. */
static int check_strategy(enum strategy s, const struct results *r, bool *ok)
{
	const struct frameset *sets[1] = { &r->base };
	const int cpus[1] = { 0 };
	struct books before = {}, after = {};
	const __u64 rep = 3;
	struct eff_ns eff;
	int err;

	if (s == S_MAP_IN_MAP)
		err = read_flowtally(&B.inst, 0, &before, NULL, NULL);
	else
		err = read_books(s, &before);
	if (!err)
		err = run_on_cpus(&B.prog_fd[s], 1, sets, cpus, 1, (int)rep, &eff);
	if (err)
		return err;
	if (s == S_MAP_IN_MAP) {
		err = read_flowtally(&B.inst, 0, &after, NULL, NULL);
		memset(&before, 0, sizeof(before));	/* a snapshot is a difference already */
	} else {
		err = read_books(s, &after);
	}
	if (err)
		return err;
	if (s == S_EMPTY || s == S_PARSE) {
		*ok = after.seen == before.seen && after.table == before.table;
		return 0;
	}
	*ok = after.seen - before.seen == rep * r->base.n &&
	      after.uncl - before.uncl == rep * (r->base.n - r->base.classified) &&
	      after.table - before.table == rep * r->base.classified;
	if (!*ok)
		fprintf(stderr,
			"bench: %s books do not add up: seen %llu unclassified %llu table %llu, "
			"want %llu %llu %llu\n",
			strategy_names[s], (unsigned long long)(after.seen - before.seen),
			(unsigned long long)(after.uncl - before.uncl),
			(unsigned long long)(after.table - before.table),
			(unsigned long long)(rep * r->base.n),
			(unsigned long long)(rep * (r->base.n - r->base.classified)),
			(unsigned long long)(rep * r->base.classified));
	return 0;
}

/* ---- setup ---- */

/*
 * A test run with repeat > 1 adds the program to the kernel's XDP dispatcher
 * before the loop and removes it after, and each change waits for an RCU
 * grace period: milliseconds of wall time per call, far more than the runs
 * themselves. A program attached somewhere is in the dispatcher already, and
 * then the test run changes nothing. So every program under test is attached
 * (generic XDP) to an idle veth in the bench's own network namespace, which
 * goes away with the process. Timed runs then cost a few microseconds of
 * syscall on top of the programs.
 */
int bench_netns(void)
{
	char cmd[128];
	int i;

	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "bench: cannot make a network namespace: %s (run as root)\n",
			strerror(errno));
		return -errno;
	}
	for (i = 0; i < PIN_PAIRS; i++) {
		snprintf(cmd, sizeof(cmd), "ip link add bpin%d type veth peer name bpin%d", 2 * i,
			 2 * i + 1);
		if (system(cmd)) {
			fprintf(stderr, "bench: '%s' failed (is iproute2 installed?)\n", cmd);
			return -EIO;
		}
	}
	return 0;
}

static int pin_in_dispatcher(int prog_fd)
{
	static int next;
	char name[IF_NAMESIZE];
	int ifindex, err;

	if (next >= 2 * PIN_PAIRS)
		return -ENOSPC;
	snprintf(name, sizeof(name), "bpin%d", next++);
	ifindex = (int)if_nametoindex(name);
	if (!ifindex)
		return -errno;
	err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_SKB_MODE, NULL);
	if (err)
		fprintf(stderr, "bench: cannot attach a program to %s: %s\n", name, strerror(-err));
	return err;
}

/* Preallocated, as flowtally's inner maps are. */
static int create_inner(enum bpf_map_type type, const char *name)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);

	return bpf_map_create(type, name, FT_KEY_NARROW_SIZE, sizeof(struct ft_value),
			      BENCH_TABLE_SIZE, &opts);
}

static int link_inner(struct bpf_map *outer, __u32 slot, int fd)
{
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(bpf_map__fd(outer), &slot, &fd, 0))
		return -errno;
	return 0;
}

/* The smallest power of two >= n, as tables are sized here. */
static __u32 table_size(__u32 n)
{
	__u32 size = 1;

	while (size < n)
		size <<= 1;
	return size;
}

int bench_progs_open(const struct bench_opts *o)
{
	char spec[64];
	const char *sweep_spec[1] = { spec };
	int i, err;

	memset(&B, 0, sizeof(B));
	counts_init(&B.got);
	B.ncpus = libbpf_num_possible_cpus();
	B.online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (B.ncpus <= 0 || B.ncpus > (int)(sizeof(B.cpu_fd) / sizeof(B.cpu_fd[0])))
		return -ERANGE;

	B.skel = strategies__open();
	if (!B.skel)
		return -errno;
	bpf_map__set_max_entries(B.skel->maps.cpu_maps, B.ncpus);
	bpf_map__set_max_entries(B.skel->maps.sweep_hash, table_size(o->sweep_max));
	bpf_map__set_max_entries(B.skel->maps.sweep_no_prealloc, table_size(o->sweep_max));
	err = strategies__load(B.skel);
	if (err) {
		fprintf(stderr, "bench: cannot load the bench programs: %s\n", strerror(-err));
		return err;
	}
	for (i = 0; i < B.ncpus && !err; i++) {
		B.cpu_fd[i] = create_inner(BPF_MAP_TYPE_HASH, "bench_cpu");
		B.nr_cpu_fds++;
		err = link_inner(B.skel->maps.cpu_maps, i, B.cpu_fd[i]);
	}
	for (i = 0; i < FT_GENERATIONS && !err; i++) {
		B.gen_fd[i] = create_inner(BPF_MAP_TYPE_PERCPU_HASH, "bench_gen");
		err = link_inner(B.skel->maps.gen_maps, i, B.gen_fd[i]);
	}
	if (err) {
		fprintf(stderr, "bench: cannot create the inner maps: %s\n", strerror(-err));
		return err;
	}

	err = bench_instance_open(&B.inst, NULL, 0);
	B.inst_open = true;
	if (!err) {
		snprintf(spec, sizeof(spec), "sweep=saddr:size=%u", table_size(o->sweep_max));
		err = bench_instance_open(&B.sweep, sweep_spec, 1);
		B.sweep_open = true;
	}
	if (err)
		return err;

	B.prog_fd[S_EMPTY] = bpf_program__fd(B.skel->progs.bench_empty);
	B.prog_fd[S_PARSE] = bpf_program__fd(B.skel->progs.bench_parse);
	B.prog_fd[S_SPINLOCK_HASH] = bpf_program__fd(B.skel->progs.bench_spinlock_hash);
	B.prog_fd[S_ATOMIC_HASH] = bpf_program__fd(B.skel->progs.bench_atomic_hash);
	B.prog_fd[S_PERCPU_HASH] = bpf_program__fd(B.skel->progs.bench_percpu_hash);
	B.prog_fd[S_PERCPU_ARRAY] = bpf_program__fd(B.skel->progs.bench_percpu_array);
	B.prog_fd[S_MAP_IN_MAP] = instance_prog_fd(&B.inst, FT_DIR_INGRESS);
	B.prog_fd[S_MAP_IN_MAP_CPU] = bpf_program__fd(B.skel->progs.bench_map_in_map_cpu);
	B.prog_fd[S_MAP_IN_MAP_BARE] = bpf_program__fd(B.skel->progs.bench_map_in_map_bare);
	B.prog_fd[S_MAP_IN_MAP_BARE_CALL] =
		bpf_program__fd(B.skel->progs.bench_map_in_map_bare_call);
	B.prog_fd[S_UPDATE_PER_PACKET] = bpf_program__fd(B.skel->progs.bench_update_per_packet);
	for (i = 0; i < NR_STRATEGIES && !err; i++)
		err = pin_in_dispatcher(B.prog_fd[i]);
	if (!err)
		err = pin_in_dispatcher(bpf_program__fd(B.skel->progs.sweep_driver));
	return err;
}

void bench_progs_close(void)
{
	int i;

	for (i = 0; i < B.nr_cpu_fds; i++)
		if (B.cpu_fd[i] > 0)
			close(B.cpu_fd[i]);
	for (i = 0; i < FT_GENERATIONS; i++)
		if (B.gen_fd[i] > 0)
			close(B.gen_fd[i]);
	if (B.sweep_open)
		instance_close(&B.sweep);
	if (B.inst_open)
		instance_close(&B.inst);
	strategies__destroy(B.skel);
	counts_free(&B.got);
	memset(&B, 0, sizeof(B));
}

/* ---- 1: ns per packet, one and two CPUs ---- */

/* One round of one mode: every strategy, the order rotated by round so that
 * none is always first after a frame change. */
static int measure(enum run_mode m, int round, int repeat, struct results *r)
{
	const struct frameset *sets[BENCH_MAX_CPUS] = { &r->base, &r->base };
	int cpus[BENCH_MAX_CPUS] = { 0, 1 }, order[NR_STRATEGIES], fds[NR_STRATEGIES];
	struct eff_ns eff[NR_STRATEGIES];
	int n = 2, k, err;

	if (m == MODE_ONE_CPU) {
		/* alternate CPUs over rounds: neither CPU's own noise decides */
		cpus[0] = round < 0 ? 0 : round % B.online;
		n = 1;
	} else if (m == MODE_DISTINCT) {
		sets[1] = &r->distinct;
	}
	for (k = 0; k < NR_STRATEGIES; k++) {
		order[k] = (k + (round < 0 ? 0 : round)) % NR_STRATEGIES;
		fds[k] = B.prog_fd[order[k]];
	}
	err = run_on_cpus(fds, NR_STRATEGIES, sets, cpus, n, repeat, eff);
	if (err) {
		fprintf(stderr, "bench: test runs (%s) failed: %s\n", mode_names[m],
			strerror(-err));
		return err;
	}
	if (round < 0)
		return 0;
	for (k = 0; k < NR_STRATEGIES; k++) {
		series_add(&r->ns[order[k]][m], eff[k].cpu);
		series_add(&r->ns_wall[order[k]][m], eff[k].wall);
		if (m == MODE_ONE_CPU)
			series_add(&r->kernel_ns[order[k]], eff[k].kern);
		if (m != MODE_DISTINCT)	/* curve points 1 and 2 */
			series_add(&r->curve_ns[order[k]][m == MODE_ONE_CPU ? 0 : 1], eff[k].cpu);
	}
	return 0;
}

/* The curve's points past two CPUs: 4, 8, ... and every online CPU, each
 * thread on a CPU of its own, all on the same frames (same keys). */
static void curve_points(struct results *r)
{
	int n;

	r->nr_curve = 0;
	for (n = 1; n < B.online && r->nr_curve < CURVE_MAX - 1 && n <= BENCH_MAX_THREADS; n *= 2)
		r->curve_cpus[r->nr_curve++] = n;
	r->curve_cpus[r->nr_curve++] = B.online < BENCH_MAX_THREADS ? B.online : BENCH_MAX_THREADS;
}

static int measure_curve(int point, int round, int repeat, struct results *r)
{
	static const struct frameset *sets[BENCH_MAX_THREADS];
	static int cpus[BENCH_MAX_THREADS];
	int order[NR_STRATEGIES], fds[NR_STRATEGIES], n = r->curve_cpus[point], k, err;
	struct eff_ns eff[NR_STRATEGIES];

	for (k = 0; k < n; k++) {
		sets[k] = &r->base;
		cpus[k] = k;
	}
	for (k = 0; k < NR_STRATEGIES; k++) {
		order[k] = (k + (round < 0 ? 0 : round)) % NR_STRATEGIES;
		fds[k] = B.prog_fd[order[k]];
	}
	err = run_on_cpus(fds, NR_STRATEGIES, sets, cpus, n, repeat, eff);
	if (err) {
		fprintf(stderr, "bench: test runs on %d CPUs failed: %s\n", n, strerror(-err));
		return err;
	}
	if (round >= 0)
		for (k = 0; k < NR_STRATEGIES; k++)
			series_add(&r->curve_ns[order[k]][point], eff[k].cpu);
	return 0;
}

int bench_packets(const struct bench_opts *o, struct results *r)
{
	int s, m, p, round, err, modes = B.online >= 2 ? NR_MODES : 1;

	r->ncpus = B.ncpus;
	curve_points(r);
	for (s = 0; s < NR_STRATEGIES; s++) {
		err = check_strategy(s, r, &r->checked[s]);
		if (err) {
			fprintf(stderr, "bench: checking %s failed: %s\n", strategy_names[s],
				strerror(-err));
			return err;
		}
		if (!r->checked[s])
			return -EPROTO;
	}
	/* warm-up: every key inserted, every code path hot */
	for (m = 0; m < modes; m++)
		if ((err = measure(m, -1, o->repeat / 16 + 1, r)))
			return err;
	for (p = 2; p < r->nr_curve; p++)
		if ((err = measure_curve(p, -1, o->repeat / 16 + 1, r)))
			return err;

	for (round = 0; round < o->rounds; round++) {
		for (m = 0; m < modes; m++) {
			err = measure(m, round, o->repeat, r);
			if (err)
				return err;
		}
		for (p = 2; p < r->nr_curve; p++) {
			err = measure_curve(p, round, o->repeat, r);
			if (err)
				return err;
		}
		fprintf(stderr, "\rbench: packets round %d/%d", round + 1, o->rounds);
	}
	fprintf(stderr, "\n");
	return 0;
}

/* Runs one strategy on CPU 0 for `seconds`: something steady for perf to look
 * at (perf record -C 0 while it runs). */
int bench_spin(const char *name, double seconds, struct results *r)
{
	const struct frameset *sets[1] = { &r->base };
	const int cpus[1] = { 0 };
	__u64 end = now_ns() + (__u64)(seconds * 1e9);
	struct eff_ns eff;
	int s, err;

	for (s = 0; s < NR_STRATEGIES; s++)
		if (!strcmp(strategy_names[s], name))
			break;
	if (s == NR_STRATEGIES) {
		fprintf(stderr, "bench: no strategy '%s'\n", name);
		return -EINVAL;
	}
	while (now_ns() < end) {
		err = run_on_cpus(&B.prog_fd[s], 1, sets, cpus, 1, 65536, &eff);
		if (err)
			return err;
		fprintf(stderr, "\rbench: %s %.1f ns/packet (wall %.1f)", name, eff.cpu, eff.wall);
	}
	fprintf(stderr, "\n");
	return 0;
}

/* ---- 2: key-count sweep ---- */

static int sweep_frame(__u8 *buf, size_t cap)
{
	struct frame_spec s = { .l3 = 4, .proto = 17, .sport = 40000, .dport = 53,
				.payload_len = 64 };

	return frame_build(&s, buf, cap);
}

/* Empties the sweep table of a target and checks it held `keys` keys, all
 * inserted without overflow. */
/* The bench programs' insert and overflow counters. */
struct table_tally {
	__u64 inserts, overflow;
};

static int read_tally(struct table_tally *t)
{
	int err = counter_sum(BENCH_CNT_INSERTS, &t->inserts);

	return err ? err : counter_sum(BENCH_CNT_OVERFLOW, &t->overflow);
}

static int sweep_drain(enum sweep_target t, __u64 keys, const struct table_tally *before,
		       bool *ok)
{
	struct table_tally after;
	struct bpf_map *map =
		t == T_NO_PREALLOC ? B.skel->maps.sweep_no_prealloc : B.skel->maps.sweep_hash;
	int fd = bpf_map__fd(map);
	int err = 0;
	__u64 inserts = 0, overflow = 0, drained = 0;
	struct books b;
	__u32 batch, count;
	void *in = NULL, *kbuf, *vbuf;

	if (t == T_PARSE) {
		*ok = true;
		return 0;
	}
	if (t == T_MAP_IN_MAP) {
		err = read_flowtally(&B.sweep, 0, &b, &inserts, &overflow);
		*ok = !err && inserts == keys && overflow == 0 && B.got.nr_entries == keys;
		return err;
	}
	kbuf = malloc((size_t)DRAIN_CHUNK * FT_KEY_WIDE_SIZE);
	vbuf = malloc((size_t)DRAIN_CHUNK * sizeof(struct ft_value) * B.ncpus);
	if (!kbuf || !vbuf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = DRAIN_CHUNK;
		err = bpf_map_lookup_and_delete_batch(fd, in, &batch, kbuf, vbuf, &count, NULL);
		drained += count;
		if (err) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		in = &batch;
	}
	if (!err)
		err = read_tally(&after);
	/* the counters are shared: what this pass added */
	*ok = !err && drained == keys && after.inserts - before->inserts == keys &&
	      after.overflow == before->overflow;
out:
	free(kbuf);
	free(vbuf);
	return err;
}

static int sweep_one(enum sweep_target t, int size, int round, const struct bench_opts *o,
		     const __u8 *frame, int len, struct results *r)
{
	__u64 n = r->sweep_keys[size], warm_runs;
	struct timing t_insert = {}, t_hot = {}, t_warm = {};
	struct table_tally before;
	int driver = bpf_program__fd(B.skel->progs.sweep_driver), jmp, err;
	__u32 zero = 0;
	bool ok;

	switch (t) {
	case T_PARSE:
		jmp = bpf_program__fd(B.skel->progs.bench_parse);
		break;
	case T_PERCPU_HASH:
		jmp = bpf_program__fd(B.skel->progs.bench_sweep_percpu_hash);
		break;
	case T_NO_PREALLOC:
		jmp = bpf_program__fd(B.skel->progs.bench_sweep_no_prealloc);
		break;
	default:
		jmp = instance_prog_fd(&B.sweep, FT_DIR_INGRESS);
		break;
	}
	if (bpf_map_update_elem(bpf_map__fd(B.skel->maps.sweep_jmp), &zero, &jmp, 0))
		return -errno;
	err = read_tally(&before);
	if (err)
		return err;

	/* the driver steps to key 0 first and is back at n - 1 after n runs */
	B.skel->bss->sweep_keys = (__u32)n;
	B.skel->bss->sweep_next = (__u32)n - 1;
	warm_runs = n * ((o->sweep_repeat + n - 1) / n);
	err = test_run(driver, frame, len, (int)n, &t_insert);
	if (!err)
		err = test_run(driver, frame, len, (int)n, &t_hot);
	if (!err)
		err = test_run(driver, frame, len, (int)warm_runs, &t_warm);
	if (err)
		return err;
	err = sweep_drain(t, n, &before, &ok);
	if (err)
		return err;
	if (round == 0)
		r->sweep_checked[t][size] = ok;
	else
		r->sweep_checked[t][size] &= ok;
	series_add(&r->sweep_ns[t][size], (double)t_warm.cpu / (double)warm_runs);
	series_add(&r->sweep_insert_ns[t][size],
		   ((double)t_insert.cpu - (double)t_hot.cpu) / (double)n);
	return 0;
}

int bench_sweep(const struct bench_opts *o, struct results *r)
{
	__u8 frame[256];
	int len, size, round, k, err;
	cpu_set_t set;

	len = sweep_frame(frame, sizeof(frame));
	if (len < 0)
		return len;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	/* 1, 100, 10000, ..., then the largest */
	for (size = 0; size < SWEEP_SIZES; size++)
		r->sweep_keys[size] = size ? r->sweep_keys[size - 1] * 100 : 1;
	r->sweep_keys[SWEEP_SIZES - 1] = o->sweep_max;
	for (size = 0; size < SWEEP_SIZES; size++) {
		for (round = 0; round < o->sweep_rounds; round++) {
			for (k = 0; k < SWEEP_TARGETS; k++) {
				err = sweep_one((k + round) % SWEEP_TARGETS, size, round, o, frame,
						len, r);
				if (err) {
					fprintf(stderr, "bench: sweep of %llu keys failed: %s\n",
						(unsigned long long)r->sweep_keys[size],
						strerror(-err));
					return err;
				}
			}
		}
		fprintf(stderr, "bench: sweep %llu keys done\n",
			(unsigned long long)r->sweep_keys[size]);
	}
	CPU_ZERO(&set);
	for (k = 0; k < B.online; k++)
		CPU_SET(k, &set);
	sched_setaffinity(0, sizeof(set), &set);
	return 0;
}
