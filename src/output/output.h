/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Records: what flowtally prints each interval ("interval", that interval's
 * counts) and on exit ("final", totals since the counters were created).
 * The JSON schema is documented in README.md.
 */
#ifndef FT_OUTPUT_H
#define FT_OUTPUT_H

#include <netinet/in.h>
#include <stdbool.h>

#include "counts.h"
#include "catalog.h"
#include "print.h"

extern const char *const ft_uncl_names[FT_UNCL_REASONS];
extern const char *const ft_dir_names[FT_DIRS];

/* The device's own counters over a record's span, per interface slot. */
struct ft_devrecord {
	bool valid;		/* read at both ends */
	struct ft_devcount count[FT_DIRS];
};

struct output_opts {
	int top;		/* text: rows per table, 0 = all */
	size_t store_bytes;	/* memory of the host-side totals, 0: not shown */
	const struct ft_devrecord *device;	/* per interface slot; NULL: not shown */
};

/* Prints one record. c's entries come sorted (counts_sort): the run sorts an
 * interval once, before the printer or any exporter sees it. */
void output_record(struct printer *p, const struct ft_catalog *cat, const struct ft_counts *c,
		   const char *type, const struct output_opts *opts);

/* Text of a key address: "192.0.2.1", or "2001:db8::/64" when the table
 * keeps a prefix. IPv4 is stored IPv4-mapped. */
#define FT_ADDR_TEXT_MAX (INET6_ADDRSTRLEN + 5)
bool ft_addr_is_v4(const __u8 *addr);
const char *ft_addr_text(const __u8 *addr, __u8 plen4, __u8 plen6, char *buf, size_t len);

/* ICMP has no ports: the key's dport holds type << 8 | code. */
static inline bool ft_key_is_icmp(const struct ft_key *k)
{
	return k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;
}

/* "1.23M" style, for rates in text. */
const char *fmt_si(double v, char *buf, size_t len);

#endif
