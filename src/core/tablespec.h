/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a table counts by: its name, key fields, size, kind and direction,
 * parsed from 'NAME=FIELD[,FIELD...][:size=N][:lru][:dir=ingress|egress|both][:idle=SECONDS]'.
 */
#ifndef FT_TABLESPEC_H
#define FT_TABLESPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "flowtally/abi.h"

#define FT_TABLE_NAME_MAX	32
#define FT_TABLE_DEFAULT_SIZE	65536
#define FT_TABLE_MAX_SIZE	(1u << 24)	/* 16M keys */
#define FT_TABLE_DEFAULT_IDLE	60		/* seconds a key stays without a packet */
#define FT_TABLE_MAX_IDLE	(7u * 24 * 3600)

enum ft_field {
	FT_F_PROTO,
	FT_F_SPORT,
	FT_F_DPORT,
	FT_F_SADDR,
	FT_F_DADDR,
	FT_F_VLAN,
	FT_F_IFINDEX,
	FT_F_DSCP,
	FT_F_VNI,	/* --decap: the tunnel's VNI or GRE key, 24 bits (abi.h) */
	FT_F_PORT,	/* the service side's port: min(sport, dport), kept in dport */
	FT_FIELDS,
};

#define FT_FIELD_BIT(f) (1u << (f))

struct table_spec {
	char name[FT_TABLE_NAME_MAX];
	__u32 fields;			/* FT_FIELD_BIT() set */
	__u8 prefix[2][FT_FAMILIES];	/* [0 saddr, 1 daddr][family]: prefix length */
	__u32 size;			/* max keys */
	bool lru;
	__u8 dirmask;			/* 0: the run's --direction */
	bool idle_given;		/* :idle= given; else the run's --idle applies */
	__u32 idle;			/* seconds without a packet before a key is deleted */
};

extern const char *const ft_field_names[FT_FIELDS];

/* 0, or -EINVAL with a one-line reason in err. */
int table_spec_parse(const char *text, struct table_spec *spec, char *err, size_t errlen);
/* The default table: 'ports=proto,dport'. */
void table_spec_default(struct table_spec *spec);
/* Masks, key class and direction the BPF side reads. */
void table_spec_to_cfg(const struct table_spec *spec, __u8 dirmask, struct ft_table_cfg *cfg);
/* Writes 'proto,dport' / 'saddr/24/64' style text. */
void table_spec_key_text(const struct table_spec *spec, char *buf, size_t len);

#endif
