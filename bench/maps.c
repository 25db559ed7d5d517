// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Everything measured on maps from userspace: reading a table (batch against
 * one key at a time), swapping inner maps (one batch against one update per
 * slot, and flowtally's own snapshot), and memory per entry from the
 * kernel's own accounting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "lifecycle.h"
#include "tables.h"
#include "counts.h"
#include "snapshot.h"

#define FILL_CHUNK	65536
#define SWAP_SLOTS	64
#define MEM_ENTRIES	65536	/* flowtally's default table size */
#define FILL_RETRIES	1000
#define SWAP_INNER_SIZE	1024

const char *const read_method_names[READ_METHODS] = { "batch", "get_next_key", "drain_batch" };

static const __u32 read_sizes[READ_SIZES] = { 1000, 100000, 1000000 };
static const int swap_sizes[SWAP_SIZES] = { 1, 8, 64 };

static int ncpus(void)
{
	return libbpf_num_possible_cpus();
}

/* Distinct narrow keys: a (proto, sport, dport) triple per index. */
static void make_key(__u8 *dst, __u32 i)
{
	struct ft_key k = { .proto = 6, .sport = (__u16)(i >> 16), .dport = (__u16)i };

	memcpy(dst, &k, FT_KEY_NARROW_SIZE);
}

static int create_table(enum bpf_map_type type, __u32 ksize, __u32 vsize, __u32 entries,
			__u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
	int fd = bpf_map_create(type, "bench_table", ksize, vsize, entries, &opts);

	return fd < 0 ? -errno : fd;
}

/* Inserts keys [0, n) with update_batch. Values: packets = index on every CPU.
 * Maps that allocate on insert take elements from per-CPU caches refilled
 * asynchronously; a long batch can find them empty (ENOMEM after `count`
 * keys), so the rest is retried after a pause. */
static int fill(int fd, __u32 ksize, __u32 vsize, bool percpu, __u32 n)
{
	size_t vstride = ((vsize + 7) & ~7u) * (percpu ? ncpus() : 1);
	__u8 *keys = calloc(FILL_CHUNK, ksize), *vals = calloc(FILL_CHUNK, vstride);
	__u32 base, i, count;
	int err = 0, retries = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (base = 0; base < n && !err; base += count) {
		count = n - base < FILL_CHUNK ? n - base : FILL_CHUNK;
		for (i = 0; i < count; i++) {
			make_key(keys + (size_t)i * ksize, base + i);
			*(__u64 *)(vals + i * vstride) = base + i;
		}
		if (!bpf_map_update_batch(fd, keys, vals, &count, NULL))
			continue;
		err = -errno;
		if (err == -ENOMEM && retries++ < FILL_RETRIES) {
			usleep(1000);
			err = 0;
		}
	}
out:
	free(keys);
	free(vals);
	return err;
}

/* ---- 3: read cost per entry ---- */

/* flowtally's own read (snapshot.c), so the bench measures what it runs */
static int read_by_batch(int fd, bool drain, __u64 *entries)
{
	struct map_walk w = { .fd = fd, .ksize = FT_KEY_NARROW_SIZE, .ncpus = ncpus(),
			      .drain = drain };
	int err = map_walk(&w);

	*entries = w.entries;
	return err;
}

static int read_by_key(int fd, __u64 *entries)
{
	struct ft_value *vals = malloc(sizeof(*vals) * ncpus());
	__u8 key[FT_KEY_NARROW_SIZE], next[FT_KEY_NARROW_SIZE];
	void *prev = NULL;
	int err = 0;

	*entries = 0;
	if (!vals)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (bpf_map_lookup_elem(fd, next, vals)) {
			err = -errno;
			break;
		}
		memcpy(key, next, sizeof(key));
		prev = key;
		(*entries)++;
	}
	free(vals);
	return err;
}

/* One timed read of a full table. A drain empties it; `refill` fills it
 * again (not timed) for the next round. */
static int read_once(int fd, int method, __u32 n, bool refill, double *ns_per_entry)
{
	__u64 t0, t1, entries;
	int err;

	t0 = now_ns();
	if (method == 1)
		err = read_by_key(fd, &entries);
	else
		err = read_by_batch(fd, method == 2, &entries);
	t1 = now_ns();
	if (!err && entries != n) {
		fprintf(stderr, "bench: read %llu entries of %u\n", (unsigned long long)entries, n);
		err = -EIO;
	}
	if (!err && method == 2 && refill)
		err = fill(fd, FT_KEY_NARROW_SIZE, sizeof(struct ft_value), true, n);
	*ns_per_entry = (double)(t1 - t0) / n;
	return err;
}

int bench_read(const struct bench_opts *o, struct results *r)
{
	int fd[READ_SIZES], sparse, size, round, k, err = 0;
	double ns;

	for (size = 0; size < READ_SIZES; size++)
		fd[size] = -1;
	/* each table sized to its keys, as a table spec sizes flowtally's maps,
	 * and preallocated as they are */
	for (size = 0; size < READ_SIZES && !err; size++) {
		r->read_sizes[size] = read_sizes[size];
		fd[size] = create_table(BPF_MAP_TYPE_PERCPU_HASH, FT_KEY_NARROW_SIZE,
					sizeof(struct ft_value), read_sizes[size], 0);
		err = fd[size] < 0 ? fd[size]
				   : fill(fd[size], FT_KEY_NARROW_SIZE, sizeof(struct ft_value),
					  true, read_sizes[size]);
	}
	/* and what a default-sized flowtally table holding 1000 keys costs */
	sparse = create_table(BPF_MAP_TYPE_PERCPU_HASH, FT_KEY_NARROW_SIZE,
			      sizeof(struct ft_value), MEM_ENTRIES, 0);
	if (!err)
		err = sparse < 0 ? sparse
				 : fill(sparse, FT_KEY_NARROW_SIZE, sizeof(struct ft_value), true,
					1000);
	for (round = 0; round < o->read_rounds && !err; round++) {
		for (size = 0; size < READ_SIZES && !err; size++) {
			/* the two reads alternate; the drain empties the table, so
			 * it goes last and the table is filled again for the next
			 * round */
			for (k = 0; k < READ_METHODS && !err; k++) {
				int method = k == 2 ? 2 : (k + round) % 2;

				err = read_once(fd[size], method, read_sizes[size],
						round + 1 < o->read_rounds, &ns);
				series_add(&r->read_ns[method][size], ns);
			}
		}
		if (!err)
			err = read_once(sparse, 0, 1000, false, &ns);
		series_add(&r->read_sparse_ns, ns);
		fprintf(stderr, "\rbench: read round %d/%d", round + 1, o->read_rounds);
	}
	fprintf(stderr, "\n");
	if (err)
		fprintf(stderr, "bench: read cost: %s\n", strerror(-err));
	for (size = 0; size < READ_SIZES; size++)
		if (fd[size] >= 0)
			close(fd[size]);
	if (sparse >= 0)
		close(sparse);
	return err;
}

/* ---- 4: swap cost ---- */

struct swap_state {
	int outer;
	int inner[2][SWAP_SLOTS];
	int cur[SWAP_SLOTS];	/* which of the two inner maps each slot holds */
};

static int swap_setup(struct swap_state *st)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int tmpl, g, i;

	/* what a swap costs does not depend on the inner maps' size: small ones */
	memset(st, -1, sizeof(*st));
	tmpl = create_table(BPF_MAP_TYPE_PERCPU_HASH, FT_KEY_NARROW_SIZE, sizeof(struct ft_value),
			    SWAP_INNER_SIZE, 0);
	if (tmpl < 0)
		return tmpl;
	opts.inner_map_fd = tmpl;
	st->outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "bench_outer", sizeof(__u32),
				   sizeof(__u32), SWAP_SLOTS, &opts);
	close(tmpl);
	if (st->outer < 0)
		return -errno;
	for (g = 0; g < 2; g++) {
		for (i = 0; i < SWAP_SLOTS; i++) {
			st->inner[g][i] = create_table(BPF_MAP_TYPE_PERCPU_HASH, FT_KEY_NARROW_SIZE,
						       sizeof(struct ft_value), SWAP_INNER_SIZE, 0);
			if (st->inner[g][i] < 0)
				return st->inner[g][i];
		}
	}
	for (i = 0; i < SWAP_SLOTS; i++) {
		__u32 key = i;

		st->cur[i] = 0;
		if (bpf_map_update_elem(st->outer, &key, &st->inner[0][i], 0))
			return -errno;
	}
	return 0;
}

static void swap_teardown(struct swap_state *st)
{
	int g, i;

	for (g = 0; g < 2; g++)
		for (i = 0; i < SWAP_SLOTS; i++)
			if (st->inner[g][i] >= 0)
				close(st->inner[g][i]);
	if (st->outer >= 0)
		close(st->outer);
}

/* Puts the other inner map into slots [0, n): in one batch, or one update
 * per slot. Returns ms. */
static int swap_slots(struct swap_state *st, int n, bool batch, double *ms)
{
	__u32 keys[SWAP_SLOTS], count = n;
	int fds[SWAP_SLOTS], i;
	__u64 t0, t1;

	for (i = 0; i < n; i++) {
		keys[i] = i;
		fds[i] = st->inner[st->cur[i] ^ 1][i];
	}
	t0 = now_ns();
	if (batch) {
		if (bpf_map_update_batch(st->outer, keys, fds, &count, NULL))
			return -errno;
	} else {
		for (i = 0; i < n; i++)
			if (bpf_map_update_elem(st->outer, &keys[i], &fds[i], 0))
				return -errno;
	}
	t1 = now_ns();
	for (i = 0; i < n; i++)
		st->cur[i] ^= 1;
	*ms = (double)(t1 - t0) / 1e6;
	return 0;
}

/* One interval of flowtally: the base frames counted in every table, then
 * the timed snapshot. */
static int flowtally_swap(struct ft_instance *inst, const struct results *r,
			  struct ft_counts *got, double *ms)
{
	int prog = instance_prog_fd(inst, FT_DIR_INGRESS), i, err;
	__u64 t0, t1;

	for (i = 0; i < r->base.n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = r->base.buf[i],
			    .data_size_in = (__u32)r->base.len[i], .repeat = 1);

		if (bpf_prog_test_run_opts(prog, &opts))
			return -errno;
	}
	counts_reset(got);
	t0 = now_ns();
	err = snapshot_take(inst, got);
	t1 = now_ns();
	*ms = (double)(t1 - t0) / 1e6;
	return err;
}

int bench_swap(const struct bench_opts *o, struct results *r)
{
	static struct ft_instance inst[SWAP_SIZES];
	char names[SWAP_SLOTS][32];
	const char *specs[SWAP_SLOTS];
	struct swap_state st;
	struct ft_counts got;
	int size, round, k, i, opened = 0, err;
	double ms;
	__u64 t0;

	counts_init(&got);
	/* default-sized tables: a drain walks every bucket. bench-quick makes them
	 * smaller, preallocating 73 x 2 x 65536 keys takes a while */
	for (i = 0; i < SWAP_SLOTS; i++) {
		snprintf(names[i], sizeof(names[i]), "t%d=proto,dport:size=%u", i,
			 o->quick ? 4096 : MEM_ENTRIES);
		specs[i] = names[i];
	}
	err = swap_setup(&st);
	for (size = 0; size < SWAP_SIZES && !err; size++, opened++) {
		r->swap_sizes[size] = swap_sizes[size];
		err = bench_instance_open(&inst[size], specs, swap_sizes[size]);
	}
	for (round = 0; round < o->swap_rounds && !err; round++) {
		for (k = 0; k < SWAP_SIZES * 3 && !err; k++) {
			int what = (k + round) % (SWAP_SIZES * 3);

			size = what / 3;
			switch (what % 3) {
			case 0:
				err = swap_slots(&st, swap_sizes[size], true, &ms);
				series_add(&r->swap_batch_ms[size], ms);
				break;
			case 1:
				err = swap_slots(&st, swap_sizes[size], false, &ms);
				series_add(&r->swap_elem_ms[size], ms);
				break;
			default:
				err = flowtally_swap(&inst[size], r, &got, &ms);
				series_add(&r->swap_flowtally_ms[size], ms);
				break;
			}
		}
		if (!err) {
			t0 = now_ns();
			err = snapshot_sync(&inst[0]);
			series_add(&r->sync_ms, (double)(now_ns() - t0) / 1e6);
		}
		fprintf(stderr, "\rbench: swap round %d/%d", round + 1, o->swap_rounds);
	}
	fprintf(stderr, "\n");
	if (err)
		fprintf(stderr, "bench: swap cost: %s\n", strerror(-err));
	for (i = 0; i < opened; i++)
		instance_close(&inst[i]);
	swap_teardown(&st);
	counts_free(&got);
	return err;
}

/* ---- 5: memory per entry ---- */


/* kB of Slab + VmallocUsed + Percpu in /proc/meminfo: where hash elements
 * (a vmalloc'd array when preallocated) and per-CPU values come from. */
static long long meminfo_kb(void)
{
	char line[256];
	long long v, sum = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld", &v) == 1 || sscanf(line, "Percpu: %lld", &v) == 1 ||
		    sscanf(line, "VmallocUsed: %lld", &v) == 1)
			sum += v;
	fclose(f);
	return sum;
}

struct layout {
	const char *name, *what;
	enum bpf_map_type type;
	__u32 ksize, vsize, flags;
	bool percpu, prealloc;
};

static const struct layout layouts[MEM_LAYOUTS] = {
	{ "percpu_hash", "PERCPU_HASH, 16-byte key, preallocated: flowtally's inner maps",
	  BPF_MAP_TYPE_PERCPU_HASH, FT_KEY_NARROW_SIZE, 16, 0, true, true },
	{ "percpu_hash_wide", "PERCPU_HASH, 48-byte key, preallocated: tables with addresses",
	  BPF_MAP_TYPE_PERCPU_HASH, FT_KEY_WIDE_SIZE, 16, 0, true, true },
	{ "percpu_hash_no_prealloc", "PERCPU_HASH, 16-byte key, allocating on insert: per key held",
	  BPF_MAP_TYPE_PERCPU_HASH, FT_KEY_NARROW_SIZE, 16, BPF_F_NO_PREALLOC, true, false },
	{ "hash", "HASH, 16-byte key, preallocated: atomic_hash, each of map_in_map_cpu's maps",
	  BPF_MAP_TYPE_HASH, FT_KEY_NARROW_SIZE, 16, 0, false, true },
	{ "spinlock_hash", "HASH, 16-byte key, 24-byte value (lock + counters), preallocated",
	  BPF_MAP_TYPE_HASH, FT_KEY_NARROW_SIZE, 24, 0, false, true },
	{ "lru_percpu_hash", "LRU_PERCPU_HASH, 16-byte key, preallocated: flowtally ':lru' tables",
	  BPF_MAP_TYPE_LRU_PERCPU_HASH, FT_KEY_NARROW_SIZE, 16, 0, true, true },
	{ "percpu_array", "PERCPU_ARRAY of 65536 ports, preallocated",
	  BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 0, true, true },
};

static int measure_layout(const struct layout *l, struct mem_layout *m)
{
	int fd = create_table(l->type, l->ksize, l->vsize, MEM_ENTRIES, l->flags), err = 0;

	if (fd < 0)
		return fd;
	m->name = l->name;
	m->what = l->what;
	m->max_entries = MEM_ENTRIES;
	m->entries = MEM_ENTRIES;
	m->empty = map_memlock(fd);
	if (l->type != BPF_MAP_TYPE_PERCPU_ARRAY)
		err = fill(fd, l->ksize, l->vsize, l->percpu, MEM_ENTRIES);
	m->full = map_memlock(fd);
	close(fd);
	if (err)
		return err;
	/* preallocated: everything is there before the first key */
	m->per_entry = l->prealloc ? (double)m->full / MEM_ENTRIES
				   : (double)(m->full - m->empty) / MEM_ENTRIES;
	/* the kernel charges round_up(value_size, 8) per possible CPU per entry */
	m->per_cpu = l->percpu ? (double)((l->vsize + 7) & ~7u) : 0;
	m->cpus_factor = 1;
	return 0;
}

int bench_memory(const struct bench_opts *o, struct results *r)
{
	long long before, after;
	int i, fd, err;

	for (i = 0; i < MEM_LAYOUTS; i++) {
		err = measure_layout(&layouts[i], &r->mem[i]);
		if (err) {
			fprintf(stderr, "bench: memory of %s: %s\n", layouts[i].name,
				strerror(-err));
			return err;
		}
	}
	r->nr_mem = MEM_LAYOUTS;

	/* Cross-check against what the allocators hand out: memlock is the
	 * kernel's estimate; slab, vmalloc'd and per-CPU pages are what it spends
	 * on a preallocated table (flowtally's) of meminfo_keys keys. */
	before = meminfo_kb();
	fd = create_table(BPF_MAP_TYPE_PERCPU_HASH, FT_KEY_NARROW_SIZE, sizeof(struct ft_value),
			  o->meminfo_keys, 0);
	if (fd < 0)
		return fd;
	err = fill(fd, FT_KEY_NARROW_SIZE, sizeof(struct ft_value), true, o->meminfo_keys);
	after = meminfo_kb();
	close(fd);
	if (err)
		return err;
	r->meminfo_keys = o->meminfo_keys;
	r->meminfo_per_entry = (double)(after - before) * 1024.0 / o->meminfo_keys;
	return 0;
}
