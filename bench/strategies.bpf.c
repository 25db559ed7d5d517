// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The counting strategies flowtally's design is measured against. Every
 * program parses with flowtally's own parser (bpf/parse.h), keys by the narrow
 * struct ft_key masked to (dir, proto, dport) exactly as the default ports
 * table masks it, reads the frame length the way flowtally does, and keeps
 * flowtally's seen/unclassified books in a PERCPU_ARRAY. Only the way a
 * classified frame is counted differs from one program to the next.
 *
 * Every program is xdp.frags like flowtally_xdp, so that any of them and
 * flowtally's own program can be tail-called from sweep_driver.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define EEXIST		17	/* vmlinux.h has no errno values */

#include "parse.h"
#include "bench_abi.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* seen, one per unclassified reason, overflow, inserts: flowtally's books for
 * one interface, direction and table. Shared by every program. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BENCH_COUNTERS);
	__type(key, __u32);
	__type(value, struct ft_value);
} counters SEC(".maps");

/* The first FT_KEY_NARROW_SIZE bytes of a struct ft_key. A type rather
 * than a size so that the maps carry BTF, which bpf_spin_lock needs. */
struct narrow_key {
	__u8 bytes[FT_KEY_NARROW_SIZE];
};

/* Hashes are preallocated, as flowtally's inner maps are (bpf/maps.h). */
#define BENCH_HASH(name, maptype, key_t, value_t, entries, flags)	\
	struct {							\
		__uint(type, maptype);					\
		__uint(max_entries, entries);				\
		__type(key, key_t);					\
		__type(value, value_t);					\
		__uint(map_flags, flags);				\
	} name SEC(".maps")

struct spin_value {
	struct bpf_spin_lock lock;
	__u32 _pad;
	__u64 packets;
	__u64 bytes;
};

BENCH_HASH(spin_hash, BPF_MAP_TYPE_HASH, struct narrow_key, struct spin_value, BENCH_TABLE_SIZE, 0);
BENCH_HASH(atomic_hash, BPF_MAP_TYPE_HASH, struct narrow_key, struct ft_value, BENCH_TABLE_SIZE, 0);
BENCH_HASH(percpu_hash, BPF_MAP_TYPE_PERCPU_HASH, struct narrow_key, struct ft_value,
	   BENCH_TABLE_SIZE, 0);
BENCH_HASH(upp_hash, BPF_MAP_TYPE_PERCPU_HASH, struct narrow_key, struct ft_value,
	   BENCH_TABLE_SIZE, 0);
/* The key-count sweep's tables: flowtally's wide key, masked to (dir, saddr)
 * as a 'saddr' table masks it; preallocated like flowtally's, and allocating
 * on insert (BPF_F_NO_PREALLOC), what flowtally's inner maps were before, to
 * show what an insert costs then. Userspace sets max_entries. */
BENCH_HASH(sweep_hash, BPF_MAP_TYPE_PERCPU_HASH, struct ft_key, struct ft_value, 1, 0);
BENCH_HASH(sweep_no_prealloc, BPF_MAP_TYPE_PERCPU_HASH, struct ft_key, struct ft_value, 1,
	   BPF_F_NO_PREALLOC);

/* A dense key: one slot per destination port (protocol ignored), the lower
 * bound of what any keyed table can cost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct ft_value);
} port_array SEC(".maps");

/* Templates of the inner maps userspace creates and links by fd. */
struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(key_size, FT_KEY_NARROW_SIZE);
	__uint(value_size, sizeof(struct ft_value));
};

struct inner_percpu_hash {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__uint(key_size, FT_KEY_NARROW_SIZE);
	__uint(value_size, sizeof(struct ft_value));
};

/* Katran's layout: one plain hash per CPU, the CPU picks its own. Userspace
 * sets max_entries to the number of possible CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_hash);
} cpu_maps SEC(".maps");

/* flowtally's layout without flowtally's configuration: one table, one
 * PERCPU_HASH per generation, the slot chosen by the generation alone. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, FT_GENERATIONS);
	__type(key, __u32);
	__array(values, struct inner_percpu_hash);
} gen_maps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sweep_jmp SEC(".maps");

__u32 bench_gen;	/* gen_maps slot the bare map-in-map writes */
__u32 sweep_keys;	/* distinct source addresses sweep_driver cycles through */
__u32 sweep_next;

static __always_inline void add_counter(__u32 idx, __u64 packets, __u64 bytes)
{
	struct ft_value *v = bpf_map_lookup_elem(&counters, &idx);

	if (v) {
		v->packets += packets;
		v->bytes += bytes;
	}
}

/* Parse and build the (dir, proto, dport) key; returns PARSE_OK or the
 * unclassified reason. want_addrs: copy the addresses, as flowtally's parser
 * does only when some table keys by them (not for the ports table). */
static __always_inline int parse_frame_key(struct xdp_md *ctx, struct ft_key *key,
					   struct pkt_meta *m, __u64 *bytes, int want_addrs)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	int verdict;

	__builtin_memset(m, 0, sizeof(*m));
	m->key.dir = FT_DIR_INGRESS;
	m->key.ifindex = ctx->ingress_ifindex;
	m->want_addrs = want_addrs;
	verdict = parse_frame(data, end, m, 0, 0);
	/* flowtally hands the parsed frame to its accounting function, so every
	 * field the parser fills is stored; without this the compiler would drop
	 * what the key here does not use, and the floor would be cheaper */
	asm volatile("" : : "r"(m) : "memory");
	*bytes = bpf_xdp_get_buff_len(ctx);
	if (verdict != PARSE_OK)
		return verdict;
	__builtin_memset(key, 0, sizeof(*key));
	key->dir = m->key.dir;
	key->proto = m->key.proto;
	key->dport = m->key.dport;
	return PARSE_OK;
}

static __always_inline int parse_key(struct xdp_md *ctx, struct ft_key *key, struct pkt_meta *m,
				     __u64 *bytes)
{
	return parse_frame_key(ctx, key, m, bytes, 0);
}

/* flowtally's seen and unclassified accounting. Returns true when the frame
 * has a key to count. */
static __always_inline int account_seen(int verdict, __u64 bytes)
{
	add_counter(BENCH_CNT_SEEN, 1, bytes);
	if (verdict == PARSE_OK)
		return 1;
	if (verdict < 0 || verdict >= FT_UNCL_REASONS)
		verdict = FT_UNCL_BAD_HEADER;
	add_counter(BENCH_CNT_UNCL(verdict), 1, bytes);
	return 0;
}

/* flowtally's count_in() for a map only this CPU writes (a per-CPU value or
 * a per-CPU map): look up and add with plain stores, insert on a miss. */
static __always_inline void count_plain(void *map, const struct ft_key *key, __u64 bytes)
{
	struct ft_value *v, fresh = { .packets = 1, .bytes = bytes };
	long err;

	v = bpf_map_lookup_elem(map, key);
	if (v) {
		v->packets += 1;
		v->bytes += bytes;
		return;
	}
	err = bpf_map_update_elem(map, key, &fresh, BPF_NOEXIST);
	if (!err) {
		add_counter(BENCH_CNT_INSERTS, 1, 0);
		return;
	}
	if (err == -EEXIST) {
		v = bpf_map_lookup_elem(map, key);
		if (v) {
			v->packets += 1;
			v->bytes += bytes;
			return;
		}
	}
	add_counter(BENCH_CNT_OVERFLOW, 1, bytes);
}

SEC("xdp.frags")
int bench_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* The floor every counter adds to: parse, build the key, read the length.
 * The barrier keeps the compiler from dropping work nothing reads. */
SEC("xdp.frags")
int bench_parse(struct xdp_md *ctx)
{
	struct pkt_meta m;
	struct ft_key key;
	__u64 bytes;
	int verdict;

	verdict = parse_key(ctx, &key, &m, &bytes);
	asm volatile("" : : "r"(&key), "r"(verdict), "r"(bytes) : "memory");
	return XDP_PASS;
}

SEC("xdp.frags")
int bench_spinlock_hash(struct xdp_md *ctx)
{
	struct spin_value *v, fresh = {};
	struct pkt_meta m;
	struct ft_key key;
	__u64 bytes;

	if (!account_seen(parse_key(ctx, &key, &m, &bytes), bytes))
		return XDP_PASS;
	v = bpf_map_lookup_elem(&spin_hash, &key);
	if (!v) {
		if (!bpf_map_update_elem(&spin_hash, &key, &fresh, BPF_NOEXIST))
			add_counter(BENCH_CNT_INSERTS, 1, 0);
		v = bpf_map_lookup_elem(&spin_hash, &key);
		if (!v) {
			add_counter(BENCH_CNT_OVERFLOW, 1, bytes);
			return XDP_PASS;
		}
	}
	bpf_spin_lock(&v->lock);
	v->packets += 1;
	v->bytes += bytes;
	bpf_spin_unlock(&v->lock);
	return XDP_PASS;
}

SEC("xdp.frags")
int bench_atomic_hash(struct xdp_md *ctx)
{
	struct ft_value *v, fresh = {};
	struct pkt_meta m;
	struct ft_key key;
	__u64 bytes;

	if (!account_seen(parse_key(ctx, &key, &m, &bytes), bytes))
		return XDP_PASS;
	v = bpf_map_lookup_elem(&atomic_hash, &key);
	if (!v) {
		if (!bpf_map_update_elem(&atomic_hash, &key, &fresh, BPF_NOEXIST))
			add_counter(BENCH_CNT_INSERTS, 1, 0);
		v = bpf_map_lookup_elem(&atomic_hash, &key);
		if (!v) {
			add_counter(BENCH_CNT_OVERFLOW, 1, bytes);
			return XDP_PASS;
		}
	}
	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, bytes);
	return XDP_PASS;
}

SEC("xdp.frags")
int bench_percpu_hash(struct xdp_md *ctx)
{
	struct pkt_meta m;
	struct ft_key key;
	__u64 bytes;

	if (account_seen(parse_key(ctx, &key, &m, &bytes), bytes))
		count_plain(&percpu_hash, &key, bytes);
	return XDP_PASS;
}

SEC("xdp.frags")
int bench_percpu_array(struct xdp_md *ctx)
{
	struct ft_value *v;
	struct pkt_meta m;
	struct ft_key key;
	__u64 bytes;
	__u32 idx;

	if (!account_seen(parse_key(ctx, &key, &m, &bytes), bytes))
		return XDP_PASS;
	idx = key.dport;
	v = bpf_map_lookup_elem(&port_array, &idx);
	if (v) {
		v->packets += 1;
		v->bytes += bytes;
	}
	return XDP_PASS;
}

SEC("xdp.frags")
int bench_map_in_map_cpu(struct xdp_md *ctx)
{
	struct pkt_meta m;
	struct ft_key key;
	__u32 cpu;
	__u64 bytes;
	void *inner;

	if (!account_seen(parse_key(ctx, &key, &m, &bytes), bytes))
		return XDP_PASS;
	cpu = bpf_get_smp_processor_id();
	inner = bpf_map_lookup_elem(&cpu_maps, &cpu);
	if (!inner) {
		add_counter(BENCH_CNT_OVERFLOW, 1, bytes);
		return XDP_PASS;
	}
	count_plain(inner, &key, bytes);
	return XDP_PASS;
}

SEC("xdp.frags")
int bench_map_in_map_bare(struct xdp_md *ctx)
{
	struct pkt_meta m;
	struct ft_key key;
	__u32 gen;
	__u64 bytes;
	void *inner;

	if (!account_seen(parse_key(ctx, &key, &m, &bytes), bytes))
		return XDP_PASS;
	gen = *(volatile __u32 *)&bench_gen & 1;
	inner = bpf_map_lookup_elem(&gen_maps, &gen);
	if (!inner) {
		add_counter(BENCH_CNT_OVERFLOW, 1, bytes);
		return XDP_PASS;
	}
	count_plain(inner, &key, bytes);
	return XDP_PASS;
}

/* map_in_map_bare with its counting in a global function, as flowtally's
 * account_frame() is: what the BPF-to-BPF call and return cost. */
__noinline int bare_account(const struct pkt_meta *m, int verdict, __u64 bytes)
{
	struct ft_key key;
	__u32 gen;
	void *inner;

	if (!m || !account_seen(verdict, bytes))
		return 0;
	__builtin_memset(&key, 0, sizeof(key));
	key.dir = m->key.dir;
	key.proto = m->key.proto;
	key.dport = m->key.dport;
	gen = *(volatile __u32 *)&bench_gen & 1;
	inner = bpf_map_lookup_elem(&gen_maps, &gen);
	if (!inner) {
		add_counter(BENCH_CNT_OVERFLOW, 1, bytes);
		return 0;
	}
	count_plain(inner, &key, bytes);
	return 0;
}

SEC("xdp.frags")
int bench_map_in_map_bare_call(struct xdp_md *ctx)
{
	struct pkt_meta m;
	struct ft_key key;
	__u64 bytes;
	int verdict;

	verdict = parse_key(ctx, &key, &m, &bytes);
	bare_account(&m, verdict, bytes);
	return XDP_PASS;
}

/* The naive shape: read, add, write the whole value back on every frame. */
SEC("xdp.frags")
int bench_update_per_packet(struct xdp_md *ctx)
{
	struct ft_value *v, next;
	struct pkt_meta m;
	struct ft_key key;
	__u64 bytes;

	if (!account_seen(parse_key(ctx, &key, &m, &bytes), bytes))
		return XDP_PASS;
	next.packets = 1;
	next.bytes = bytes;
	v = bpf_map_lookup_elem(&upp_hash, &key);
	if (v) {
		next.packets += v->packets;
		next.bytes += v->bytes;
	}
	if (bpf_map_update_elem(&upp_hash, &key, &next, BPF_ANY))
		add_counter(BENCH_CNT_OVERFLOW, 1, bytes);
	return XDP_PASS;
}

/* The sweep's tables: flowtally's count_in() on a (dir, saddr) key. */
static __always_inline int count_saddr(struct xdp_md *ctx, void *map)
{
	struct pkt_meta m;
	struct ft_key key;
	__u64 bytes;

	if (!account_seen(parse_frame_key(ctx, &key, &m, &bytes, 1), bytes))
		return XDP_PASS;
	__builtin_memset(&key, 0, sizeof(key));
	key.dir = m.key.dir;
	__builtin_memcpy(key.saddr, m.key.saddr, sizeof(key.saddr));
	count_plain(map, &key, bytes);
	return XDP_PASS;
}

SEC("xdp.frags")
int bench_sweep_percpu_hash(struct xdp_md *ctx)
{
	return count_saddr(ctx, &sweep_hash);
}

SEC("xdp.frags")
int bench_sweep_no_prealloc(struct xdp_md *ctx)
{
	return count_saddr(ctx, &sweep_no_prealloc);
}

/*
 * A test run repeats one frame; to make every run touch a different key out
 * of sweep_keys, this rewrites the IPv4 source address of the frame in place
 * (the next run sees the change) and tail-calls the program under test.
 */
SEC("xdp.frags")
int sweep_driver(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__be32 *saddr = data + BENCH_SADDR_OFF;
	__u32 i = sweep_next + 1;

	if ((void *)(saddr + 1) > end)
		return XDP_ABORTED;
	if (i >= sweep_keys)
		i = 0;
	sweep_next = i;
	*saddr = bpf_htonl(BENCH_SADDR_BASE + i);
	bpf_tail_call(ctx, &sweep_jmp, 0);
	return XDP_ABORTED;
}
