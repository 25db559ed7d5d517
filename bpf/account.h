/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Adding a parsed frame to the counters: seen, then either one unclassified
 * reason or every active table of the frame's direction. Per-CPU values, so
 * plain adds: no locks, no atomics. Look up first and add in place; insert
 * only on a miss, since an update per frame costs several times a lookup.
 */
#ifndef FLOWTALLY_ACCOUNT_H
#define FLOWTALLY_ACCOUNT_H

#include "maps.h"
#include "parse.h"

static __always_inline void add_value(struct ft_value *v, __u64 packets, __u64 bytes)
{
	v->packets += packets;
	v->bytes += bytes;
}

static __always_inline void add_counter(__u32 idx, __u64 packets, __u64 bytes)
{
	struct ft_value *v = bpf_map_lookup_elem(&ft_counters, &idx);

	if (v)
		add_value(v, packets, bytes);
}

static __always_inline void add_ifcounter(__u32 idx, __u64 packets, __u64 bytes)
{
	struct ft_value *v = bpf_map_lookup_elem(&ft_ifcnt, &idx);

	if (v)
		add_value(v, packets, bytes);
}

/* One load from the config's cache, or one hash lookup, whatever the number
 * of interfaces. Frames of an interface missing from the catalog (a race
 * with its removal) land in the spare slot FT_IFACE_OTHER rather than
 * nowhere. */
static __always_inline __u32 iface_slot(__u32 ifindex)
{
	__u64 e = *(volatile __u64 *)&ft_cfg.ifcache[ifindex & (FT_IFCACHE - 1)];
	__u32 *slot;

	if (ifindex && e >> 32 == ifindex)
		return (__u32)e;
	slot = bpf_map_lookup_elem(&ft_ifslot, &ifindex);
	return slot ? *slot : FT_IFACE_OTHER;
}

/* A narrow table's inner map reads only the key's first FT_KEY_NARROW_SIZE
 * bytes: only those are masked. */
static __always_inline void mask_key(struct ft_key *dst, const struct ft_key *src,
				     const struct ft_key *mask, int bytes)
{
	const __u64 *s = (const __u64 *)src, *mk = (const __u64 *)mask;
	__u64 *d = (__u64 *)dst;
	int i;

#pragma unroll
	for (i = 0; i < (int)(sizeof(*dst) / sizeof(__u64)); i++)
		if (i * (int)sizeof(__u64) < bytes)
			d[i] = s[i] & mk[i];
}

/*
 * The service side's port, for port tables (FT_CFG_PORT): the lower of the
 * two ports (a tie is the destination, the same number). The parser leaves
 * both 0 for protocols without them; ICMP's type and code in dport are kept
 * as they are, never folded. Worked out once per frame from values already
 * loaded: no map lookup.
 */
static __always_inline __u16 service_port(const struct pkt_meta *m)
{
	if (ft_proto_is_icmp(m->key.proto, m->family == FT_FAMILY_IPV6))
		return m->key.dport;
	return m->key.sport < m->key.dport ? m->key.sport : m->key.dport;
}

/* The frame's key as table `cfg` keeps it; a port table's dport is `port`. */
static __always_inline void table_key(struct ft_key *dst, const struct pkt_meta *m,
				      const struct ft_table_cfg *cfg, int bytes, __u16 port)
{
	mask_key(dst, &m->key, &cfg->mask[m->family & 1], bytes);
	if (cfg->flags & FT_CFG_PORT)
		dst->dport = port;
}

/*
 * Count into the inner map of `outer` at `slot`. A full table (or a missing
 * inner map, which userspace never leaves) goes to the table's overflow
 * counter: the frame is still on the books. Inlined per outer map so that
 * every map helper call sees one map type and the verifier can inline it.
 */
static __always_inline void count_in(void *outer, __u32 slot, const struct ft_key *key,
				     __u32 gen, __u32 table, __u64 packets, __u64 bytes)
{
	struct ft_value *v, fresh = { .packets = packets, .bytes = bytes };
	void *inner = bpf_map_lookup_elem(outer, &slot);
	long err;

	if (!inner)
		goto overflow;
	v = bpf_map_lookup_elem(inner, key);
	if (v) {
		add_value(v, packets, bytes);
		return;
	}
	err = bpf_map_update_elem(inner, key, &fresh, BPF_NOEXIST);
	if (!err) {
		add_counter(ft_table_counter(gen, table, key->dir & 1, FT_TBL_INSERTS), 1, 0);
		return;
	}
	if (err == -EEXIST) {	/* another CPU inserted it first */
		v = bpf_map_lookup_elem(inner, key);
		if (v) {
			add_value(v, packets, bytes);
			return;
		}
	}
overflow:
	add_counter(ft_table_counter(gen, table, key->dir & 1, FT_TBL_OVERFLOW), packets, bytes);
}

static __always_inline void count_tables(const struct pkt_meta *m, __u32 gen, __u64 packets,
					 __u64 bytes)
{
	__u32 n = *(volatile __u32 *)&ft_cfg.ntables;
	__u32 dirbit = FT_DIRMASK(m->key.dir);
	__u16 port = service_port(m);
	struct ft_key key;
	__u32 t, slot;

	for (t = 0; t < FT_MAX_TABLES && t < n; t++) {
		const struct ft_table_cfg *cfg = &ft_cfg.tables[t];

		if (!cfg->active || !(cfg->dirmask & dirbit))
			continue;
		slot = ft_outer_slot(gen, t);
		switch (cfg->kclass) {
		case FT_KCLASS_NARROW:
			table_key(&key, m, cfg, FT_KEY_NARROW_SIZE, port);
			count_in(&ft_narrow, slot, &key, gen, t, packets, bytes);
			break;
		case FT_KCLASS_WIDE:
			table_key(&key, m, cfg, FT_KEY_WIDE_SIZE, port);
			count_in(&ft_wide, slot, &key, gen, t, packets, bytes);
			break;
		case FT_KCLASS_NARROW_LRU:
			table_key(&key, m, cfg, FT_KEY_NARROW_SIZE, port);
			count_in(&ft_narrow_lru, slot, &key, gen, t, packets, bytes);
			break;
		default:
			table_key(&key, m, cfg, FT_KEY_WIDE_SIZE, port);
			count_in(&ft_wide_lru, slot, &key, gen, t, packets, bytes);
			break;
		}
	}
}

/*
 * The generation is read once: every counter this frame touches belongs to
 * it, so a generation, once flipped away from and past a grace period, holds
 * whole frames only.
 *
 * A global function: the verifier checks it once, for any key, instead of
 * once per parser outcome (each path through the parser reaches here with
 * different known field values, and none of them would prune). It is faster
 * too: inlined into every parser outcome the program grows to 11 KB with
 * three times the stack traffic, and make bench measured 1.31x percpu_hash
 * inlined against 1.19x with the call (the call itself costs about 10 ns).
 */
__noinline int account_frame(const struct pkt_meta *m, int verdict, __u64 packets, __u64 bytes)
{
	__u32 gen = *(volatile __u32 *)&ft_cfg.gen & 1;
	__u32 nslots = ft_cfg.iface_slots;
	__u32 ifslot, dir;

	if (!m)
		return 0;
	ifslot = iface_slot(m->key.ifindex);
	dir = m->key.dir & 1;
	add_ifcounter(ft_iface_counter(nslots, gen, ifslot, dir, FT_CNT_SEEN), packets, bytes);
	if (verdict != PARSE_OK) {
		if (verdict < 0 || verdict >= FT_UNCL_REASONS)	/* never: parse.h names them */
			verdict = FT_UNCL_BAD_HEADER;
		add_ifcounter(ft_iface_counter(nslots, gen, ifslot, dir, FT_CNT_UNCL(verdict)), packets,
			      bytes);
		return 0;
	}
	count_tables(m, gen, packets, bytes);
	return 0;
}

#endif /* FLOWTALLY_ACCOUNT_H */
