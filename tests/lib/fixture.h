/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Hand-made objects for the host unit tests of the printers and exporters:
 * keys, addresses, table specs and a catalog with no kernel behind it. Header-only, so
 * that ftsend, which shares tests/lib but not src/, does not link it.
 */
#ifndef FT_TEST_FIXTURE_H
#define FT_TEST_FIXTURE_H

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "catalog.h"
#include "counts.h"
#include "tablespec.h"

#define BOTH_DIRS (FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS))

static inline struct ft_key port_key(__u8 proto, __u16 dport, __u8 dir)
{
	struct ft_key k = {};

	k.proto = proto;
	k.dport = dport;
	k.dir = dir;
	return k;
}

/* "192.0.2.0" as IPv4-mapped, or an IPv6 address as is. */
static inline void set_addr(__u8 *addr, const char *text)
{
	if (strchr(text, ':')) {
		inet_pton(AF_INET6, text, addr);
		return;
	}
	memset(addr, 0, 16);
	addr[10] = addr[11] = 0xff;
	inet_pton(AF_INET, text, addr + 12);
}

/* One entry of table slot `table`, added to c; a failure fails the test. */
static inline void fixture_append(struct ft_counts *c, __u32 table, struct ft_key k,
				  __u64 packets, __u64 bytes)
{
	struct ft_value v = { .packets = packets, .bytes = bytes };

	ASSERT_EQ(counts_append(c, table, &k, &v), 0, "counts_append");
}

/* A table spec from its text; a spec that does not parse fails the test. */
static inline struct table_spec spec_of(const char *text)
{
	struct table_spec s;
	char err[256] = "";

	memset(&s, 0, sizeof(s));
	if (!ASSERT_EQ(table_spec_parse(text, &s, err, sizeof(err)), 0, "table_spec_parse"))
		fprintf(stderr, "      %s: %s\n", text, err);
	return s;
}

/* The interface slot of the fixture's one interface. */
#define FIXTURE_SLOT 1

/* What the printers and exporters see: interface "veth0" (ifindex 7, slot
 * FIXTURE_SLOT) in both directions, and table 0 from `spec` (NULL: the
 * default ports table). */
static inline void fixture_catalog(struct ft_catalog *cat, const char *spec)
{
	static struct ft_iface ifaces[4];
	struct ft_table *t = &cat->tables[0];

	memset(cat, 0, sizeof(*cat));
	memset(ifaces, 0, sizeof(ifaces));
	cat->ifaces = ifaces;
	cat->max_ifaces = 3;
	cat->nr_ifaces = 2;
	ifaces[1].used = true;
	strcpy(cat->ifaces[1].name, "veth0");
	cat->ifaces[1].ifindex = 7;
	cat->ifaces[1].ingress_hook = FT_HOOK_XDP_NATIVE;
	cat->dirmask = BOTH_DIRS;
	t->used = true;
	t->id = 1;
	if (spec)
		t->spec = spec_of(spec);
	else
		table_spec_default(&t->spec);
	table_spec_to_cfg(&t->spec, cat->dirmask, &t->cfg);
}

#endif
