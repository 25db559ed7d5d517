// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "log.h"
#include "snapshot.h"
#include "testpoint.h"

#define READ_BATCH 4096		/* keys per lookup_batch call */
#define ALL_TABLES (-1)
#define TOMBSTONE UINT32_MAX	/* an entry's table once it is to be dropped */

void percpu_sum(const void *vals, int ncpus, struct ft_value *sum)
{
	const char *p = vals;
	int cpu;

	sum->packets = 0;
	sum->bytes = 0;
	for (cpu = 0; cpu < ncpus; cpu++, p += ft_value_stride())
		value_add(sum, (const struct ft_value *)p);
}

int snapshot_sync(struct ft_instance *inst)
{
	__u32 slot = FT_SYNC_SLOT;

	if (bpf_map_update_elem(inst->outer_fd[FT_KCLASS_NARROW], &slot, &inst->sync_fd, 0))
		return -errno;
	return 0;
}

int snapshot_checkpoint(struct ft_instance *inst, struct ft_counts *read)
{
	return inst->checkpoint ? inst->checkpoint(inst->checkpoint_ctx, read) : 0;
}

/* One generation of ft_counters (table counters), summed over CPUs. */
static int read_table_counters(struct ft_instance *inst, int gen, struct ft_counts *cur)
{
	__u32 *keys = inst->cnt_keys, count = FT_GEN_COUNTERS, prev, i;
	size_t stride = ft_value_stride() * inst->ncpus;
	const char *v = inst->cnt_vals;

	/* a batch starts after in_batch, the last key of the previous batch */
	prev = gen * FT_GEN_COUNTERS - 1;
	if (bpf_map_lookup_batch(inst->counters_fd, gen ? &prev : NULL, &prev, keys,
				 inst->cnt_vals, &count, NULL) &&
	    errno != ENOENT)
		return -errno;
	if (count != FT_GEN_COUNTERS)
		return -EIO;
	/* the table array of ft_counts is laid out as the counters map is */
	for (i = 0; i < count; i++, v += stride)
		percpu_sum(v, inst->ncpus, &((struct ft_value *)cur->table)[keys[i] -
									   gen * FT_GEN_COUNTERS]);
	return 0;
}

/* Room in the read buffers for `slots` slots of one generation. */
static int reserve_ifc_buffers(struct ft_instance *inst, __u32 slots)
{
	size_t n = (size_t)slots * FT_CNT_PER_GEN_SLOT;
	void *keys, *vals;

	if (slots <= inst->ifc_cap)
		return 0;
	keys = realloc(inst->ifc_keys, n * sizeof(__u32));
	if (keys)
		inst->ifc_keys = keys;
	vals = realloc(inst->ifc_vals, n * ft_value_stride() * inst->ncpus);
	if (vals)
		inst->ifc_vals = vals;
	if (!keys || !vals)
		return -ENOMEM;
	inst->ifc_cap = slots;
	return 0;
}

/* One generation of ft_ifcnt, the slots in use only (slots are handed out
 * lowest first), in one batch. */
static int read_iface_counters(struct ft_instance *inst, int gen, struct ft_counts *cur)
{
	__u32 nslots = inst->cat.max_ifaces + 1, used = (__u32)inst->cat.nr_ifaces;
	__u32 first = (__u32)gen * nslots * FT_CNT_PER_GEN_SLOT, count, prev, i;
	size_t stride = ft_value_stride() * inst->ncpus;
	const char *v;
	__u32 *keys;
	int err;

	if (!used)
		used = 1;
	err = counts_iface_reserve(cur, used);
	if (!err)
		err = reserve_ifc_buffers(inst, used);
	if (err)
		return err;
	keys = inst->ifc_keys;
	v = inst->ifc_vals;
	count = used * FT_CNT_PER_GEN_SLOT;
	prev = first - 1;
	if (bpf_map_lookup_batch(inst->ifcnt_fd, first ? &prev : NULL, &prev, keys, inst->ifc_vals,
				 &count, NULL) &&
	    errno != ENOENT)
		return -errno;
	if (count != used * FT_CNT_PER_GEN_SLOT)
		return -EIO;
	for (i = 0; i < count; i++, v += stride)
		percpu_sum(v, inst->ncpus, &((struct ft_value *)cur->iface)[keys[i] - first]);
	return 0;
}

static int read_counters(struct ft_instance *inst, int gen, struct ft_counts *cur)
{
	int err = read_table_counters(inst, gen, cur);

	return err ? err : read_iface_counters(inst, gen, cur);
}

/* out += what every counter of `cur` grew by since `base`. A slot the
 * baseline lacks (never read before) starts from 0. */
static int counters_delta(const struct ft_counts *cur, const struct ft_counts *base,
			  struct ft_counts *out)
{
	const struct ft_value *c = (const struct ft_value *)cur->iface;
	const struct ft_value *b = (const struct ft_value *)base->iface;
	struct ft_value *o, d, zero = {};
	size_t i, nb = (size_t)base->nr_iface * FT_CNT_PER_GEN_SLOT;
	int err;

	err = counts_iface_reserve(out, cur->nr_iface);
	if (err)
		return err;
	o = (struct ft_value *)out->iface;
	for (i = 0; i < (size_t)cur->nr_iface * FT_CNT_PER_GEN_SLOT; i++) {
		d = value_delta(&c[i], i < nb ? &b[i] : &zero);
		value_add(&o[i], &d);
	}
	c = (const struct ft_value *)cur->table;
	b = (const struct ft_value *)base->table;
	o = (struct ft_value *)out->table;
	for (i = 0; i < FT_TABLE_COUNTERS; i++) {
		d = value_delta(&c[i], &b[i]);
		value_add(&o[i], &d);
	}
	return 0;
}

int map_walk(struct map_walk *w)
{
	size_t stride = ft_value_stride() * w->ncpus;
	__u32 batch, count, cap = READ_BATCH, i;
	char *keys = NULL, *vals = NULL;
	void *in = NULL;
	int err = 0;

	w->entries = 0;
	for (;;) {
		if (!keys) {
			keys = malloc((size_t)cap * w->ksize);
			vals = malloc((size_t)cap * stride);
			if (!keys || !vals) {
				err = -ENOMEM;
				goto out;
			}
		}
		count = cap;
		if (w->drain)
			err = bpf_map_lookup_and_delete_batch(w->fd, in, &batch, keys, vals, &count,
							      NULL);
		else
			err = bpf_map_lookup_batch(w->fd, in, &batch, keys, vals, &count, NULL);
		if (err && errno == ENOSPC && count == 0) {
			/* a hash bucket holds more keys than fit: retry bigger */
			free(keys);
			free(vals);
			keys = vals = NULL;
			cap *= 2;
			continue;
		}
		if (err && errno != ENOENT) {
			err = -errno;
			goto out;
		}
		w->entries += count;
		for (i = 0; w->fn && i < count; i++) {
			struct ft_key key = {};
			struct ft_value sum;
			int ret;

			memcpy(&key, keys + (size_t)i * w->ksize, w->ksize);
			percpu_sum(vals + (size_t)i * stride, w->ncpus, &sum);
			ret = w->fn(w->ctx, &key, &sum);
			if (ret) {
				err = ret;
				goto out;
			}
		}
		if (err) {	/* ENOENT: that was the last batch */
			err = 0;
			break;
		}
		in = &batch;
	}
out:
	free(keys);
	free(vals);
	return err;
}

/* One read of one table of one generation. */
struct table_read {
	struct ft_instance *inst;
	int slot, gen;
	struct ft_counts *out;
	struct ft_counts *next;		/* the baseline being built; NULL: a peek */
	__u32 now;
	__u64 resident[FT_DIRS];
	__u64 fresh[FT_DIRS];		/* resident keys the baseline did not have */
};

static int read_key(void *ctx, const struct ft_key *key, const struct ft_value *sum)
{
	struct table_read *r = ctx;
	struct ft_counts *base = &r->inst->base[r->gen];
	__u32 last_active = r->now;
	struct ft_value delta = *sum;
	struct ft_entry *old;
	int err;

	err = counts_lookup(base, (__u32)r->slot, key, &old);
	if (err)
		return err;
	if (old) {
		delta = value_delta(sum, &old->val);
		if (!delta.packets && !delta.bytes)
			last_active = old->last_active;
	} else {
		r->fresh[key->dir & 1]++;
	}
	r->resident[key->dir & 1]++;
	if ((delta.packets || delta.bytes) && counts_append(r->out, (__u32)r->slot, key, &delta))
		return -ENOMEM;
	if (!r->next)
		return 0;
	if (counts_append(r->next, (__u32)r->slot, key, sum))
		return -ENOMEM;
	r->next->entries[r->next->nr_entries - 1].last_active = last_active;
	return 0;
}

/* Keys the last read of `gen` found idle, in the tables `read` names: one
 * pass over the baseline. LRU tables are emptied after every read (see
 * snapshot.h), and so is a table whose idle time is 0. */
static int mark_idle(struct ft_instance *inst, int gen, __u64 read, __u32 now)
{
	const struct ft_counts *base = &inst->base[gen];
	size_t i;

	for (i = 0; i < base->nr_entries; i++) {
		const struct ft_entry *e = &base->entries[i];
		const struct table_spec *spec = &inst->cat.tables[e->table].spec;

		if (!(read & (1ull << e->table)))
			continue;
		/* a clock stepped back keeps the key, which costs nothing */
		if (!spec->lru && spec->idle &&
		    (now < e->last_active || now - e->last_active < spec->idle))
			continue;
		if (counts_append(&inst->expiring[gen], e->table, &e->key, &e->val))
			return -ENOMEM;
	}
	return 0;
}

/* LRU keys the kernel evicted since the last read: every insert made a key
 * the baseline did not have, and the ones still there are those. */
static void note_evictions(int slot, const struct ft_counts *inserts, struct table_read *r)
{
	int d;

	for (d = 0; d < FT_DIRS; d++) {
		__u64 ins = inserts->table[slot][d][FT_TBL_INSERTS].packets;

		r->out->evicted[slot][d] += ins > r->fresh[d] ? ins - r->fresh[d] : 0;
	}
}

static int read_table(struct ft_instance *inst, int slot, int gen, struct ft_counts *out,
		      struct ft_counts *next, __u32 now, const struct ft_counts *inserts)
{
	struct ft_table *t = &inst->cat.tables[slot];
	struct table_read r = { .inst = inst, .slot = slot, .gen = gen, .out = out,
				.next = next, .now = now };
	struct map_walk w = { .fd = inst->table_fd[slot][gen], .ksize = table_key_size(t),
			      .ncpus = inst->ncpus, .fn = read_key, .ctx = &r };
	int err, d;

	err = map_walk(&w);
	if (err)
		return err;
	for (d = 0; d < FT_DIRS; d++)
		out->resident[slot][d] = r.resident[d];
	if (t->spec.lru && inserts)
		note_evictions(slot, inserts, &r);
	return 0;
}

static bool table_live(const struct ft_instance *inst, int slot)
{
	return inst->cat.tables[slot].used && !inst->cat.tables[slot].removed;
}

/* Interfaces that left: this generation's counters of their slots are read
 * to the end (it is quiescent, and nothing found their slot since). */
static void note_ifaces_read(struct ft_instance *inst, int gen)
{
	int i;

	catalog_for_each_iface(&inst->cat, i)
		if (inst->cat.ifaces[i].gone)
			inst->cat.ifaces[i].unread &= (__u8)~(1u << gen);
}

/*
 * Reads generation `gen` (every table and the counters, or table `only`)
 * into `out` as growth over its baseline. With `commit` the baseline moves
 * on and idle keys are listed; without, nothing changes.
 */
static int read_gen(struct ft_instance *inst, int gen, int only, struct ft_counts *out, __u32 now,
		    bool commit)
{
	struct ft_counts next, grown;
	struct ft_counts *base = &inst->base[gen];
	__u64 read = 0;
	int slot, err = 0;
	size_t i;

	counts_init(&next);
	counts_init(&grown);
	err = read_counters(inst, gen, &next);
	if (err) {
		log_errno(err, "cannot read the counters");
		goto out;
	}
	if (only != ALL_TABLES) {
		/* one table's overflow and inserts; the rest wait for the flip */
		err = counts_iface_reserve(&next, base->nr_iface);
		if (err)
			goto out;
		if (base->nr_iface)
			memcpy(next.iface, base->iface, base->nr_iface * sizeof(*base->iface));
		next.nr_iface = base->nr_iface;
		memcpy(grown.table[only], next.table[only], sizeof(grown.table[only]));
		memcpy(next.table, base->table, sizeof(next.table));
		memcpy(next.table[only], grown.table[only], sizeof(next.table[only]));
		memset(grown.table, 0, sizeof(grown.table));
	}
	err = counters_delta(&next, base, &grown);
	if (!err)
		err = counts_merge(out, &grown);
	if (err)
		goto out;
	if (only != ALL_TABLES) {
		/* the other tables' keys keep their baselines */
		for (i = 0; i < base->nr_entries && !err; i++) {
			const struct ft_entry *e = &base->entries[i];

			if (e->table == (__u32)only || !table_live(inst, (int)e->table))
				continue;
			err = counts_append(&next, e->table, &e->key, &e->val);
			if (!err)
				next.entries[next.nr_entries - 1].last_active = e->last_active;
		}
		if (err)
			goto out;
	}
	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		if ((only != ALL_TABLES && slot != only) || !table_live(inst, slot))
			continue;
		err = read_table(inst, slot, gen, out, commit ? &next : NULL, now, &grown);
		if (err) {
			log_errno(err, "cannot read table '%s'", inst->cat.tables[slot].spec.name);
			goto out;
		}
		read |= 1ull << slot;
	}
	if (!commit)
		goto out;
	counts_free(base);
	*base = next;
	counts_init(&next);
	if (only == ALL_TABLES) {
		counts_reset(&inst->expiring[gen]);
		note_ifaces_read(inst, gen);
	}
	else
		counts_drop_entries(&inst->expiring[gen], (__u32)only);
	err = mark_idle(inst, gen, read, now);
out:
	counts_free(&next);
	counts_free(&grown);
	return err;
}

int snapshot_read_gen(struct ft_instance *inst, int gen, struct ft_counts *out, __u32 now)
{
	return read_gen(inst, gen, ALL_TABLES, out, now, true);
}

int snapshot_read_table(struct ft_instance *inst, int slot, int gen, struct ft_counts *out,
			__u32 now)
{
	return read_gen(inst, gen, slot, out, now, true);
}

int snapshot_peek_gen(struct ft_instance *inst, int gen, struct ft_counts *out)
{
	return read_gen(inst, gen, ALL_TABLES, out, 0, false);
}

/* Deletes `n` keys of one table from its map; a key already gone (an LRU
 * eviction) is skipped. How many keys were dealt with goes to *done, so a
 * failure leaves the rest in the baseline. */
static int delete_keys(int fd, const char *keys, __u32 n, unsigned int ksize, __u32 *done)
{
	__u32 count;

	*done = 0;
	while (*done < n) {
		count = n - *done;
		if (!bpf_map_delete_batch(fd, keys + (size_t)*done * ksize, &count, NULL)) {
			*done = n;
			return 0;
		}
		if (errno != ENOENT) {
			*done += count;
			return -errno;
		}
		*done += count + 1;	/* count were deleted, the next one was not there */
	}
	return 0;
}

/* Expiring entries `e[0..n)`, all of one table: deleted from its map, then
 * from the baseline. */
static int expire_run(struct ft_instance *inst, int gen, const struct ft_entry *e, __u32 n)
{
	const struct ft_table *t = &inst->cat.tables[e->table];
	unsigned int ksize = table_key_size(t);
	struct ft_entry *b;
	__u32 i, done = 0;
	char *keys;
	int err;

	if (!table_live(inst, (int)e->table))
		return 0;
	keys = malloc((size_t)n * ksize);
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		memcpy(keys + (size_t)i * ksize, &e[i].key, ksize);
	err = delete_keys(inst->table_fd[e->table][gen], keys, n, ksize, &done);
	free(keys);
	for (i = 0; i < done; i++) {
		int ret = counts_lookup(&inst->base[gen], e[i].table, &e[i].key, &b);

		if (ret)
			return ret;
		if (b)
			b->table = TOMBSTONE;
	}
	return err;
}

static int entry_table_cmp(const void *a, const void *b)
{
	const struct ft_entry *x = a, *y = b;

	return x->table < y->table ? -1 : x->table > y->table;
}

int snapshot_expire(struct ft_instance *inst, int gen)
{
	struct ft_counts *exp = &inst->expiring[gen];
	size_t i, run;
	int err = 0;

	if (!exp->nr_entries)
		return 0;
	/* one run of keys per table */
	qsort(exp->entries, exp->nr_entries, sizeof(*exp->entries), entry_table_cmp);
	for (i = 0; i < exp->nr_entries && !err; i += run) {
		for (run = 1; i + run < exp->nr_entries; run++)
			if (exp->entries[i + run].table != exp->entries[i].table)
				break;
		err = expire_run(inst, gen, &exp->entries[i], (__u32)run);
	}
	counts_drop_entries(&inst->base[gen], TOMBSTONE);
	counts_reset(exp);
	if (err)
		return log_errno(err, "cannot delete idle keys");
	return 0;
}

int snapshot_skip_table_counters(struct ft_instance *inst, int slot)
{
	struct ft_counts cur;
	int g, err = 0;

	counts_init(&cur);
	for (g = 0; g < FT_GENERATIONS && !err; g++) {
		err = read_table_counters(inst, g, &cur);
		if (!err)
			memcpy(inst->base[g].table[slot], cur.table[slot],
			       sizeof(cur.table[slot]));
	}
	counts_free(&cur);
	return err;
}

int snapshot_collect(struct ft_instance *inst, int gen, struct ft_counts *out, __u32 now)
{
	int err;

	err = snapshot_read_gen(inst, gen, out, now);
	test_point("collect-read");
	if (err || !inst->expiring[gen].nr_entries)
		return err;
	/* saved before the keys go; the caller saves again after (snapshot.h) */
	err = snapshot_checkpoint(inst, out);
	test_point("collect-saved");
	if (!err)
		err = snapshot_expire(inst, gen);
	test_point("collect-expired");
	return err;
}

void snapshot_forget_table(struct ft_instance *inst, int slot, int gen)
{
	counts_drop_entries(&inst->base[gen], (__u32)slot);
	counts_drop_entries(&inst->expiring[gen], (__u32)slot);
}

int snapshot_flip(struct ft_instance *inst)
{
	__u32 old = inst->cfg->gen & 1;
	int err;

	/* The generation first, the count after: flips is statistics only,
	 * and a kill between the two leaves a consistent generation. */
	__atomic_store_n(&inst->cfg->gen, old ^ 1, __ATOMIC_SEQ_CST);
	test_point("flip-stored");
	inst->cfg->flips++;
	err = snapshot_sync(inst);
	if (err)
		return log_errno(err, "cannot wait for the programs to leave generation %u", old);
	return (int)old;
}

int snapshot_take(struct ft_instance *inst, struct ft_counts *out)
{
	int old = snapshot_flip(inst);

	if (old < 0)
		return old;
	return snapshot_collect(inst, old, out, (__u32)time(NULL));
}
