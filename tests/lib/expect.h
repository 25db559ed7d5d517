/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What flowtally must report for a set of frames: seen, every unclassified
 * reason, and the default (proto, dport) table.
 */
#ifndef FT_TEST_EXPECT_H
#define FT_TEST_EXPECT_H

#include <stdio.h>

#include "frames.h"

struct expect_count {
	__u64 packets;
	__u64 bytes;
};

struct expect_entry {
	__u32 key;		/* proto << 16 | dport, plus one: 0 marks a free slot */
	struct expect_count count;
};

struct expect {
	struct expect_count seen;
	struct expect_count uncl[FT_UNCL_REASONS];
	struct expect_entry *slots;	/* open addressing, power-of-two size */
	size_t nslots;
	size_t nentries;
};

void expect_init(struct expect *e);
void expect_fini(struct expect *e);

/* Counts one frame of len bytes (the whole frame as sent). Returns 0, -EINVAL
 * for an unknown reason or -ENOMEM; on error nothing was counted. */
int expect_add(struct expect *e, const struct frame_class *c, unsigned int len);

/* The entry for (proto, dport), or NULL when no frame had that key. */
const struct expect_count *expect_entry(const struct expect *e, __u8 proto, __u16 dport);

/* One line of JSON, entries sorted by proto then dport. Returns 0, -ENOMEM or -EIO. */
int expect_write_json(const struct expect *e, FILE *f);

#endif /* FT_TEST_EXPECT_H */
