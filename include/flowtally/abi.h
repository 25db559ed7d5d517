/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one header both worlds include: the key, the value, the counter
 * layout and the configuration the BPF programs read. Userspace creates the
 * inner maps at run time with these sizes; the kernel side only looks them up.
 *
 * Counting model. Every frame a program sees adds to `seen` of its interface
 * and direction. The parser then either builds a key (classified) or names a
 * reason it could not (unclassified). A classified frame is added to every
 * active table of its direction, or to that table's overflow counter when the
 * table's inner map has no room. So, per table and per interval:
 *
 *	seen = sum(entries) + overflow + sum(unclassified)
 *
 * Generations. Every table has two inner maps, one per generation, in slots
 * gen * FT_MAX_TABLES + table of the outer map; the counters array holds two
 * generations too. A program reads the current generation once per frame and
 * writes only that generation. Userspace flips the generation, waits one RCU
 * grace period (an outer-map update waits for it), and then reads the old
 * generation, which no program can still be writing. Counters and keys are
 * cumulative: an interval is what they grew by since the generation was last
 * read (src/snapshot.h), so a steady key is never inserted again.
 */
#ifndef FLOWTALLY_ABI_H
#define FLOWTALLY_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* 2: maps are cumulative, never emptied; 3: the key's vni, the config's decap;
 * 4: a table's port (FT_CFG_PORT); 5: interface slots found through ft_ifslot,
 * their counters in ft_ifcnt; 6: the config's ifcache in front of ft_ifslot */
#define FT_ABI_VERSION		6

#define FT_MAX_TABLES		64	/* tables per instance; also the outer-map stride */
/* Interfaces per instance (--max-interfaces): the slot map and the
 * per-interface counters are sized at load time. Each slot costs
 * FT_IFACE_SLOT_BYTES per possible CPU. */
#define FT_IFACES_DEFAULT	256
#define FT_IFACES_LIMIT		65536
#define FT_GENERATIONS		2
#define FT_MAX_VLAN_TAGS	2	/* 802.1Q and 802.1ad (QinQ) */
#define FT_MAX_IPV6_EXT		4	/* IPv6 extension headers walked before giving up */

/* Outer map slots: two generations of FT_MAX_TABLES, then one slot whose only
 * job is to be updated so that the update waits for a grace period. */
#define FT_OUTER_SLOTS		(FT_GENERATIONS * FT_MAX_TABLES + 1)
#define FT_SYNC_SLOT		(FT_GENERATIONS * FT_MAX_TABLES)

/* ICMP is ICMP only over IPv4 and ICMPv6 (58) only over IPv6; elsewhere they
 * are protocols without ports. The parser and every output decide with this. */
static inline int ft_proto_is_icmp(__u8 proto, int ipv6)
{
	return ipv6 ? proto == 58 : proto == 1;
}

/* The outer-map slot of table `table`'s map of generation `gen`. */
static inline __u32 ft_outer_slot(__u32 gen, __u32 table)
{
	return gen * FT_MAX_TABLES + table;
}

enum ft_dir {
	FT_DIR_INGRESS = 0,
	FT_DIR_EGRESS = 1,
	FT_DIRS,
};

/* Why a frame could not be given a key. Keep in step with ft_uncl_names[]. */
enum ft_uncl {
	FT_UNCL_NOT_IP = 0,	/* EtherType is neither IPv4 nor IPv6 (ARP, LLDP, ...) */
	FT_UNCL_TRUNCATED,	/* a header ends past the end of the frame */
	FT_UNCL_BAD_HEADER,	/* IP version does not match EtherType, IHL < 5 */
	FT_UNCL_FRAGMENT,	/* non-first IPv4/IPv6 fragment: no L4 header */
	FT_UNCL_VLAN_LIMIT,	/* more than FT_MAX_VLAN_TAGS tags */
	FT_UNCL_EXT_LIMIT,	/* more than FT_MAX_IPV6_EXT IPv6 extension headers */
	FT_UNCL_TUNNEL_TRUNCATED,	/* --decap: the tunnel or inner headers end early */
	FT_UNCL_REASONS,
};

/*
 * Per (interface slot, generation, direction): seen, then one counter per
 * unclassified reason, in the PERCPU_ARRAY ft_ifcnt. Userspace sizes it at
 * load time to (max interfaces + 1) slots. A program finds an interface's
 * slot in the hash ft_ifslot (ifindex -> slot), one lookup per frame; a
 * miss (an interface not, or no longer, in the catalog) counts in slot
 * FT_IFACE_OTHER, so nothing is ever off the books. Generation-major with
 * ft_config.iface_slots slots per generation, so that userspace reads one
 * generation's slots in use and nothing else.
 */
#define FT_CNT_SEEN		0
#define FT_CNT_UNCL(r)		(1 + (r))
#define FT_CNT_PER_IFDIR	(1 + FT_UNCL_REASONS)
#define FT_IFACE_OTHER		0
#define FT_CNT_PER_SLOT		(FT_GENERATIONS * FT_DIRS * FT_CNT_PER_IFDIR)
/* per possible CPU: per-CPU array values are 8-byte aligned ft_values */
#define FT_IFACE_SLOT_BYTES	(FT_CNT_PER_SLOT * 16)
/* Per table and direction: overflow (no room in the inner map) and inserts
 * (new keys; packets counts them, bytes stays 0), in ft_counters. */
#define FT_TBL_OVERFLOW		0
#define FT_TBL_INSERTS		1
#define FT_CNT_PER_TABLE	2
#define FT_TABLE_COUNTERS	(FT_MAX_TABLES * FT_DIRS * FT_CNT_PER_TABLE)
#define FT_GEN_COUNTERS		FT_TABLE_COUNTERS
#define FT_COUNTERS		(FT_GENERATIONS * FT_GEN_COUNTERS)

#define FT_CNT_PER_GEN_SLOT	(FT_DIRS * FT_CNT_PER_IFDIR)

static inline __u32 ft_iface_counter(__u32 nslots, __u32 gen, __u32 ifslot, __u32 dir, __u32 cnt)
{
	return ((gen * nslots + ifslot) * FT_DIRS + dir) * FT_CNT_PER_IFDIR + cnt;
}

static inline __u32 ft_table_counter(__u32 gen, __u32 table, __u32 dir, __u32 cnt)
{
	return gen * FT_GEN_COUNTERS + (table * FT_DIRS + dir) * FT_CNT_PER_TABLE + cnt;
}

/*
 * The key of every table. A table keeps the fields its mask keeps and zeroes
 * the rest. Tables without address fields use only the first
 * FT_KEY_NARROW_SIZE bytes (their inner maps have that key size), so a
 * (proto, dport) table hashes 16 bytes, not 48.
 *
 * ICMP and ICMPv6 have no ports: sport is 0 and dport carries type << 8 | code.
 * Other IP protocols are keyed with sport = dport = 0. IPv4 addresses are
 * stored IPv4-mapped (::ffff:a.b.c.d) so that one prefix mask serves both.
 * Ports, vlan and ifindex are in host byte order.
 *
 * With --decap, a tunnelled frame is keyed by its inner frame (its VLAN, IP
 * header and ports) and the tunnel's 24-bit id: the VXLAN or Geneve VNI, or
 * the low 24 bits of a GRE key. The id takes the narrow key's three spare
 * bytes (vni_hi, vni_lo) so that a (proto, dport) table keeps hashing 16
 * bytes; a full 32-bit GRE key would have grown every narrow key to 24.
 */
struct ft_key {
	__u8 proto;
	__u8 dscp;
	__u8 dir;		/* enum ft_dir; never masked */
	__u8 vni_hi;		/* tunnel id bits 23..16 */
	__u16 vlan;		/* outermost VLAN ID (inner frame's once decapsulated), 0: none */
	__u16 vni_lo;		/* tunnel id bits 15..0; 0 when not decapsulated */
	__u16 sport;
	__u16 dport;
	__u32 ifindex;
	/* end of the narrow key */
	__u8 saddr[16];
	__u8 daddr[16];
};

#define FT_KEY_NARROW_SIZE	16
#define FT_VNI_MASK		0xFFFFFFu

static inline __u32 ft_key_vni(const struct ft_key *k)
{
	return (__u32)k->vni_hi << 16 | k->vni_lo;
}

static inline void ft_key_set_vni(struct ft_key *k, __u32 vni)
{
	k->vni_hi = (__u8)(vni >> 16);
	k->vni_lo = (__u16)vni;
}
#define FT_KEY_WIDE_SIZE	((unsigned int)sizeof(struct ft_key))

/* Every counter: an inner map value and a slot of the counters array. Per CPU,
 * so the hot path adds with plain stores. */
struct ft_value {
	__u64 packets;
	__u64 bytes;
};

/* Which outer map holds a table's inner maps: all inner maps of one outer map
 * share map type and key size. */
enum ft_kclass {
	FT_KCLASS_NARROW = 0,	/* PERCPU_HASH, 16-byte key */
	FT_KCLASS_WIDE,		/* PERCPU_HASH, 48-byte key */
	FT_KCLASS_NARROW_LRU,	/* LRU_PERCPU_HASH, 16-byte key */
	FT_KCLASS_WIDE_LRU,	/* LRU_PERCPU_HASH, 48-byte key */
	FT_KCLASSES,
};

#define FT_DIRMASK(d)		(1u << (d))
#define FT_CFG_PORT		(1u << 0)	/* struct ft_table_cfg.flags */

enum ft_family {
	FT_FAMILY_IPV6 = 0,
	FT_FAMILY_IPV4 = 1,
	FT_FAMILIES,
};

struct ft_table_cfg {
	__u8 active;		/* 0: slot unused, the program skips it */
	__u8 dirmask;		/* FT_DIRMASK(FT_DIR_INGRESS) | ... */
	__u8 kclass;		/* enum ft_kclass */
	/* FT_CFG_PORT: the key's dport becomes the service side's port, the
	 * lower of sport and dport, for protocols with ports; ICMP keeps its
	 * type << 8 | code. The mask keeps dport and clears sport. */
	__u8 flags;
	__u8 _pad[4];
	/* AND-ed into the frame's key, by the frame's family: address prefixes
	 * differ between IPv4 (/24) and IPv6 (/64) in one table. */
	struct ft_key mask[FT_FAMILIES];
};

/* Tunnels the programs look into (--decap): one level deep. */
#define FT_DECAP_VXLAN		(1u << 0)
#define FT_DECAP_GENEVE		(1u << 1)
#define FT_DECAP_GRE		(1u << 2)	/* GRE and GRETAP, with or without key */
#define FT_MAX_VXLAN_PORTS	4
#define FT_VXLAN_PORT		4789	/* IANA */
#define FT_VXLAN_PORT_LINUX	8472	/* Linux's default before IANA's, flannel's */
#define FT_GENEVE_PORT		6081

/*
 * A direct-mapped cache of ft_ifslot in the config, by ifindex % FT_IFCACHE:
 * (ifindex << 32 | slot), 0 empty. A hash lookup costs a frame about 23 ns
 * (make bench), a load from .bss nothing measurable. Userspace writes an
 * entry whole, in step with ft_ifslot (src/core/ifslot.c): the program finds
 * the same slot either way, and an interface whose entry another one took
 * falls back to the hash.
 */
#define FT_IFCACHE		256

static inline __u64 ft_ifcache_entry(__u32 ifindex, __u32 slot)
{
	return (__u64)ifindex << 32 | slot;
}

struct ft_decap {
	__u32 kinds;		/* FT_DECAP_*; 0: frames are keyed as they are */
	__u16 vxlan_port[FT_MAX_VXLAN_PORTS];	/* UDP destination ports, 0 = unused */
};

/*
 * Read by the programs on every frame (a global in .bss, so reads are plain
 * loads). Userspace writes a table's cfg while it is inactive and sets
 * `active` last; `gen` is written alone.
 */
struct ft_config {
	__u32 gen;		/* generation programs write: flips & 1 */
	__u32 ntables;		/* highest active table slot + 1 */
	__u32 want_addrs;	/* a table keys by address: the parser copies them */
	__u32 iface_slots;	/* ft_ifcnt's slots per generation: max interfaces + 1 */
	/* Userspace only, kept here because this map outlives the process when
	 * pinned: how many times the generation flipped, and the layout. */
	__u64 flips;
	__u32 abi_version;	/* FT_ABI_VERSION of whoever created the maps */
	__u32 _pad;
	struct ft_table_cfg tables[FT_MAX_TABLES];
	struct ft_decap decap;	/* written before any program is attached */
	__u64 ifcache[FT_IFCACHE];	/* see FT_IFCACHE */
};

#endif /* FLOWTALLY_ABI_H */
