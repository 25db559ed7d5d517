/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The state of a pinned instance that lives outside the kernel, in
 * /var/lib/flowtally/NAME.state: its interfaces, its tables, the totals read
 * so far, and each generation's baseline (what its cumulative maps held when
 * last read: snapshot.h). Totals and baselines are saved together, whole
 * (temp file, fsync, rename), so a restart adds exactly what the maps grew
 * by since. A checksum covers the whole file and every field is checked
 * before use: damage is refused with one line, never trusted.
 */
#ifndef FT_STATE_H
#define FT_STATE_H

#include <stddef.h>

#include "counts.h"
#include "instance.h"

#define FT_STATE_DIR		"/var/lib/flowtally"
/* 3: struct state_table has the table's id (where version 2 had padding,
 * which a flowtally without ids wrote as 0 and a later one would have
 * numbered again, reusing ids a collector had seen); 4: interface slots
 * (capacity, flags, counters, the removed interfaces' sum). */
#define FT_STATE_VERSION	4

int state_save(const char *name, const struct ft_instance *inst, const struct ft_counts *total,
	       __u64 flips);
/* Fills the instance's interfaces, tables (no fds) and baselines, and the
 * totals. -ENOENT when there is no state; -EPROTO for another layout
 * version, -EBADMSG for a damaged file (message printed). */
int state_load(const char *name, struct ft_instance *inst, struct ft_counts *total,
	       __u64 *flips);
/* The same from a file's bytes; the reason for a refusal in `why`.
 * Exposed for the fuzz test. */
int state_parse(const void *buf, size_t len, struct ft_instance *inst, struct ft_counts *total,
		__u64 *flips, char *why, size_t whylen);
/* The bytes state_save() writes, in a buffer the caller frees. */
int state_encode(const struct ft_instance *inst, const struct ft_counts *total, __u64 flips,
		 void **buf, size_t *len);
void state_remove(const char *name);
/* The pinned instance that counts on interface `ifname`, other than `except`
 * (NULL: any): 0 with its name in `name`, or -ENOENT. */
int state_find_iface(const char *ifname, const char *except, char *name, size_t len);

#endif
