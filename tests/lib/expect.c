// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

#define EXPECT_MIN_SLOTS	256

/* The names flowtally's JSON output gives the reasons, in enum ft_uncl order. */
static const char *const uncl_names[FT_UNCL_REASONS] = {
	[FT_UNCL_NOT_IP] = "not_ip",
	[FT_UNCL_TRUNCATED] = "truncated",
	[FT_UNCL_BAD_HEADER] = "bad_header",
	[FT_UNCL_FRAGMENT] = "fragment",
	[FT_UNCL_VLAN_LIMIT] = "vlan_limit",
	[FT_UNCL_EXT_LIMIT] = "ext_header_limit",
	[FT_UNCL_TUNNEL_TRUNCATED] = "tunnel_truncated",
};

void expect_init(struct expect *e)
{
	memset(e, 0, sizeof(*e));
}

void expect_fini(struct expect *e)
{
	free(e->slots);
	memset(e, 0, sizeof(*e));
}

static __u32 slot_key(__u8 proto, __u16 dport)
{
	return ((__u32)proto << 16 | dport) + 1;
}

static size_t slot_of(const struct expect_entry *slots, size_t nslots, __u32 key)
{
	size_t i = (key * 2654435761u) & (nslots - 1);	/* Knuth's multiplicative hash */

	while (slots[i].key && slots[i].key != key)
		i = (i + 1) & (nslots - 1);
	return i;
}

static int grow(struct expect *e)
{
	size_t n = e->nslots ? e->nslots * 2 : EXPECT_MIN_SLOTS;
	struct expect_entry *slots;
	size_t i;

	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < e->nslots; i++)
		if (e->slots[i].key)
			slots[slot_of(slots, n, e->slots[i].key)] = e->slots[i];
	free(e->slots);
	e->slots = slots;
	e->nslots = n;
	return 0;
}

static void count(struct expect_count *c, unsigned int len)
{
	c->packets++;
	c->bytes += len;
}

int expect_add(struct expect *e, const struct frame_class *c, unsigned int len)
{
	struct expect_entry *slot;
	__u32 key;
	int err;

	if (!c->classified) {
		if (c->reason < 0 || c->reason >= FT_UNCL_REASONS)
			return -EINVAL;
		count(&e->seen, len);
		count(&e->uncl[c->reason], len);
		return 0;
	}
	/* Half full at most keeps probe chains short. */
	if (2 * (e->nentries + 1) > e->nslots) {
		err = grow(e);
		if (err)
			return err;
	}
	key = slot_key(c->key.proto, c->key.dport);
	slot = &e->slots[slot_of(e->slots, e->nslots, key)];
	if (!slot->key) {
		slot->key = key;
		e->nentries++;
	}
	count(&e->seen, len);
	count(&slot->count, len);
	return 0;
}

const struct expect_count *expect_entry(const struct expect *e, __u8 proto, __u16 dport)
{
	size_t i;

	if (!e->nslots)
		return NULL;
	i = slot_of(e->slots, e->nslots, slot_key(proto, dport));
	return e->slots[i].key ? &e->slots[i].count : NULL;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct expect_entry *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static void write_count(FILE *f, const struct expect_count *c)
{
	fprintf(f, "{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", (uint64_t)c->packets,
		(uint64_t)c->bytes);
}

int expect_write_json(const struct expect *e, FILE *f)
{
	struct expect_entry *sorted;
	size_t i, n = 0;
	int r;

	sorted = malloc((e->nentries ? e->nentries : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (i = 0; i < e->nslots; i++)
		if (e->slots[i].key)
			sorted[n++] = e->slots[i];
	qsort(sorted, n, sizeof(*sorted), cmp_entry);

	fputs("{\"seen\":", f);
	write_count(f, &e->seen);
	fputs(",\"unclassified\":{", f);
	for (r = 0; r < FT_UNCL_REASONS; r++) {
		fprintf(f, "%s\"%s\":", r ? "," : "", uncl_names[r]);
		write_count(f, &e->uncl[r]);
	}
	fputs("},\"entries\":[", f);
	for (i = 0; i < n; i++) {
		__u32 key = sorted[i].key - 1;

		fprintf(f, "%s{\"proto\":%u,\"dport\":%u,\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
			"}", i ? "," : "", key >> 16, key & 0xffff,
			(uint64_t)sorted[i].count.packets, (uint64_t)sorted[i].count.bytes);
	}
	fputs("]}\n", f);
	free(sorted);
	return fflush(f) || ferror(f) ? -EIO : 0;
}
