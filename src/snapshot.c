// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "log.h"
#include "snapshot.h"
#include "tables.h"

#define DRAIN_BATCH 4096	/* keys per lookup_and_delete_batch call */

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

/* Reads one generation of ft_counters into `out` (if not NULL) and, if
 * `clear`, zeroes it again. */
static int walk_counters(struct ft_instance *inst, int gen, struct ft_counts *out, bool clear)
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

	for (i = 0; out && i < count; i++, v += stride) {
		__u32 idx = keys[i] - gen * FT_GEN_COUNTERS;
		struct ft_value sum;

		percpu_sum(v, inst->ncpus, &sum);
		/* the arrays of ft_counts are laid out as the counters map is */
		if (idx < FT_IFACE_COUNTERS)
			value_add(&((struct ft_value *)out->iface)[idx], &sum);
		else
			value_add(&((struct ft_value *)out->table)[idx - FT_IFACE_COUNTERS], &sum);
	}

	if (!clear)
		return 0;
	memset(inst->cnt_vals, 0, stride * count);
	if (bpf_map_update_batch(inst->counters_fd, keys, inst->cnt_vals, &count, NULL))
		return -errno;
	return 0;
}

/* Reads one table's inner map of `gen` into `out` (if not NULL), deleting
 * what it reads if `del`. */
static int walk_table(struct ft_instance *inst, int slot, int gen, struct ft_counts *out,
		      bool del)
{
	struct ft_table *t = &inst->tables[slot];
	unsigned int ksize = table_key_size(t);
	size_t stride = ft_value_stride() * inst->ncpus;
	__u32 batch, count, cap = DRAIN_BATCH, i;
	char *keys = NULL, *vals = NULL;
	void *in = NULL;
	int err = 0;

	for (;;) {
		if (!keys) {
			keys = malloc((size_t)cap * ksize);
			vals = malloc((size_t)cap * stride);
			if (!keys || !vals) {
				err = -ENOMEM;
				goto out;
			}
		}
		count = cap;
		if (del)
			err = bpf_map_lookup_and_delete_batch(t->fd[gen], in, &batch, keys, vals,
							      &count, NULL);
		else
			err = bpf_map_lookup_batch(t->fd[gen], in, &batch, keys, vals, &count,
						   NULL);
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
		for (i = 0; out && i < count; i++) {
			struct ft_key key = {};
			struct ft_value sum;

			memcpy(&key, keys + (size_t)i * ksize, ksize);
			percpu_sum(vals + (size_t)i * stride, inst->ncpus, &sum);
			if (counts_append(out, slot, &key, &sum)) {
				err = -ENOMEM;
				goto out;
			}
		}
		if (err) {	/* ENOENT: the map is empty now */
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

int snapshot_drain_table(struct ft_instance *inst, int slot, int gen, struct ft_counts *out)
{
	return walk_table(inst, slot, gen, out, true);
}

/* Every counter and table of one generation: read into `out` (if not NULL),
 * emptied if `clear`. */
static int walk_generation(struct ft_instance *inst, int gen, struct ft_counts *out, bool clear)
{
	int slot, err;

	err = walk_counters(inst, gen, out, clear);
	if (err)
		return log_errno(err, "cannot read the counters");
	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		if (!inst->tables[slot].used || inst->tables[slot].removed)
			continue;
		err = walk_table(inst, slot, gen, out, clear);
		if (err)
			return log_errno(err, "cannot read table '%s'",
					 inst->tables[slot].spec.name);
	}
	return 0;
}

int snapshot_drain_gen(struct ft_instance *inst, int gen, struct ft_counts *out)
{
	return walk_generation(inst, gen, out, true);
}

int snapshot_read_gen(struct ft_instance *inst, int gen, struct ft_counts *out)
{
	return walk_generation(inst, gen, out, false);
}

int snapshot_clear_gen(struct ft_instance *inst, int gen)
{
	return walk_generation(inst, gen, NULL, true);
}

int snapshot_flip(struct ft_instance *inst)
{
	__u32 old = inst->cfg->gen & 1;
	int err;

	inst->cfg->flips++;
	__atomic_store_n(&inst->cfg->gen, (__u32)(inst->cfg->flips & 1), __ATOMIC_SEQ_CST);
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
	return walk_generation(inst, old, out, true);
}
