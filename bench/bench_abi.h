/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the bench programs and their driver share. */
#ifndef FT_BENCH_ABI_H
#define FT_BENCH_ABI_H

#include "flowtally/abi.h"

/* Slots of the counters array: flowtally's books for one interface and
 * direction (seen, unclassified reasons) and one table (overflow, inserts). */
#define BENCH_CNT_SEEN		0
#define BENCH_CNT_UNCL(r)	(1 + (r))
#define BENCH_CNT_OVERFLOW	(1 + FT_UNCL_REASONS)
#define BENCH_CNT_INSERTS	(2 + FT_UNCL_REASONS)
#define BENCH_COUNTERS		(3 + FT_UNCL_REASONS)

#define BENCH_TABLE_SIZE	65536	/* flowtally's default table size */

/* The sweep frame is untagged IPv4: Ethernet header, then 12 bytes of IPv4
 * header before the source address. Sources are 10.0.0.0 + key index. */
#define BENCH_SADDR_OFF		(14 + 12)
#define BENCH_SADDR_BASE	0x0a000000u

#endif
