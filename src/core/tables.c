// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "log.h"
#include "snapshot.h"
#include "tables.h"
#include "testpoint.h"

static enum bpf_map_type table_map_type(const struct ft_table *t)
{
	return t->spec.lru ? BPF_MAP_TYPE_LRU_PERCPU_HASH : BPF_MAP_TYPE_PERCPU_HASH;
}

int tables_find(const struct ft_instance *inst, const char *name)
{
	int i;

	for (i = 0; i < FT_MAX_TABLES; i++)
		if (inst->cat.tables[i].used && !inst->cat.tables[i].removed &&
		    !strcmp(inst->cat.tables[i].spec.name, name))
			return i;
	return -ENOENT;
}

static void close_maps(int fd[FT_GENERATIONS])
{
	int g;

	for (g = 0; g < FT_GENERATIONS; g++) {
		if (fd[g] >= 0)
			close(fd[g]);
		fd[g] = -1;
	}
}

void tables_free_maps(struct ft_instance *inst, int slot)
{
	close_maps(inst->table_fd[slot]);
}

/* Map names allow [A-Za-z0-9_.] and 15 characters. */
static void inner_map_name(char *buf, size_t len, const char *table, int gen)
{
	char *p;

	snprintf(buf, len, "ft_%.9s_%d", table, gen);
	for (p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
}

static int create_inner_maps(const struct ft_table *t, int fd[FT_GENERATIONS])
{
	/* preallocated, like the template in bpf/maps.h: see there why */
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	char name[16];
	int g;

	for (g = 0; g < FT_GENERATIONS; g++) {
		inner_map_name(name, sizeof(name), t->spec.name, g);
		fd[g] = bpf_map_create(table_map_type(t), name, table_key_size(t),
				       sizeof(struct ft_value), t->spec.size, &opts);
		if (fd[g] < 0)
			return -errno;
	}
	return 0;
}

/* Both generations' slots in one batch: one grace period, not two. */
static int link_inner_maps(struct ft_instance *inst, int slot, const struct ft_table *t,
			   int fd[FT_GENERATIONS])
{
	__u32 keys[FT_GENERATIONS], count = FT_GENERATIONS;
	int g;

	for (g = 0; g < FT_GENERATIONS; g++)
		keys[g] = ft_outer_slot(g, slot);
	if (bpf_map_update_batch(inst->outer_fd[t->cfg.kclass], keys, fd, &count, NULL))
		return -errno;
	return 0;
}

static void unlink_kclass_maps(struct ft_instance *inst, int slot, int kclass)
{
	int g;

	for (g = 0; g < FT_GENERATIONS; g++) {
		__u32 key = ft_outer_slot(g, slot);

		bpf_map_delete_elem(inst->outer_fd[kclass], &key);
	}
}

static void unlink_inner_maps(struct ft_instance *inst, int slot)
{
	unlink_kclass_maps(inst, slot, inst->cat.tables[slot].cfg.kclass);
}

/* The loop bound and whether the parser must copy addresses, from the
 * tables there are. Addresses are turned on before a wide table becomes
 * active (callers set `active` last) and off only when none is left. */
static void update_ntables(struct ft_instance *inst)
{
	__u32 n = 0, addrs = 0;
	int i;

	for (i = 0; i < FT_MAX_TABLES; i++) {
		const struct ft_table *t = &inst->cat.tables[i];

		if (!t->used)
			continue;
		n = i + 1;
		if (!t->removed && table_key_size(t) == FT_KEY_WIDE_SIZE)
			addrs = 1;
	}
	__atomic_store_n(&inst->cfg->want_addrs, addrs, __ATOMIC_RELEASE);
	__atomic_store_n(&inst->cfg->ntables, n, __ATOMIC_RELEASE);
}

/* The id of a new table: one more than any a slot has or had. */
static __u32 next_table_id(const struct ft_instance *inst)
{
	__u32 last = 0;
	int slot;

	for (slot = 0; slot < FT_MAX_TABLES; slot++)
		if (inst->cat.tables[slot].id > last)
			last = inst->cat.tables[slot].id;
	return last + 1;
}

/* A free slot: one never used, else one whose table was removed and whose
 * last counts an interval record has shown. -ENOSPC when there is none. */
static int free_slot(const struct ft_instance *inst)
{
	int slot;

	for (slot = 0; slot < FT_MAX_TABLES; slot++)
		if (!inst->cat.tables[slot].used)
			return slot;
	for (slot = 0; slot < FT_MAX_TABLES; slot++)
		if (inst->cat.tables[slot].removed && inst->cat.tables[slot].removal_reported)
			return slot;
	return -ENOSPC;
}

/*
 * The new table is built apart and takes its slot only once its maps exist
 * and are linked: a failure leaves the slot, and a removed table's counts
 * there, as they were. The slot's config names the outer map before the maps
 * are linked, so that a restart after a kill here finds and unlinks them
 * (tables_reconcile).
 */
int tables_add(struct ft_instance *inst, const struct table_spec *spec)
{
	struct ft_table t = {};
	int fd[FT_GENERATIONS] = { -1, -1 };
	struct ft_table_cfg *kcfg;
	int slot, err;

	if (tables_find(inst, spec->name) >= 0) {
		log_err("table '%s' exists already (pick another name)", spec->name);
		return -EEXIST;
	}
	slot = free_slot(inst);
	if (slot < 0) {
		log_err("no room for table '%s': %d tables at most, a removed one counting until "
			"the record after its removal",
			spec->name, FT_MAX_TABLES);
		return slot;
	}
	t.spec = *spec;
	t.id = next_table_id(inst);
	if (t.id > FT_TABLE_ID_MAX) {
		log_err("no id left for table '%s': an instance adds %u tables at most (start "
			"a new one)",
			spec->name, FT_TABLE_ID_MAX);
		return -ENOSPC;
	}
	table_spec_to_cfg(spec, inst->cat.dirmask, &t.cfg);
	err = create_inner_maps(&t, fd);
	if (err) {
		log_errno(err, "cannot create the maps of table '%s' (size %u)", spec->name,
			  spec->size);
		goto out_free;
	}
	/* The program skips an inactive slot, so the cfg can be written in any
	 * order; `active` goes last. */
	kcfg = &inst->cfg->tables[slot];
	memcpy(kcfg->mask, t.cfg.mask, sizeof(kcfg->mask));
	kcfg->dirmask = t.cfg.dirmask;
	kcfg->kclass = t.cfg.kclass;
	kcfg->flags = t.cfg.flags;
	err = link_inner_maps(inst, slot, &t, fd);
	if (err) {
		log_errno(err, "cannot link the maps of table '%s'", spec->name);
		goto out_free;
	}
	test_point("add-unactivated");
	snapshot_forget_table(inst, slot, 0);
	snapshot_forget_table(inst, slot, 1);
	t.used = true;
	inst->cat.tables[slot] = t;
	memcpy(inst->table_fd[slot], fd, sizeof(fd));
	update_ntables(inst);
	__atomic_store_n(&kcfg->active, 1, __ATOMIC_RELEASE);
	test_point("add-linked");
	return slot;

out_free:
	close_maps(fd);
	return err;
}

/*
 * The table's last counts go to `last` and are made durable (the instance's
 * checkpoint) with the table marked removed, and only then are its maps
 * freed: killed in between, a restart finds the table removed and its
 * counts in the totals.
 */
int tables_del(struct ft_instance *inst, int slot, struct ft_counts *last)
{
	struct ft_table *t = &inst->cat.tables[slot];
	__u32 now = (__u32)time(NULL);
	int g, err = 0;

	__atomic_store_n(&inst->cfg->tables[slot].active, 0, __ATOMIC_RELEASE);
	err = snapshot_sync(inst);
	for (g = 0; g < FT_GENERATIONS && !err; g++)
		err = snapshot_read_table(inst, slot, g, last, now);
	if (err) {
		/* what was read is in `last`; the table counts on */
		__atomic_store_n(&inst->cfg->tables[slot].active, 1, __ATOMIC_RELEASE);
		return log_errno(err, "cannot read the last counts of table '%s'", t->spec.name);
	}
	test_point("del-read");
	t->removed = true;
	for (g = 0; g < FT_GENERATIONS; g++)
		snapshot_forget_table(inst, slot, g);
	err = snapshot_checkpoint(inst, last);
	if (err)
		return err;
	test_point("del-saved");
	unlink_inner_maps(inst, slot);
	tables_free_maps(inst, slot);
	memset(&inst->cfg->tables[slot], 0, sizeof(inst->cfg->tables[slot]));
	update_ntables(inst);
	return 0;
}

void tables_mark_reported(struct ft_instance *inst)
{
	int i;

	for (i = 0; i < FT_MAX_TABLES; i++)
		if (inst->cat.tables[i].removed)
			inst->cat.tables[i].removal_reported = true;
}

/* Puts `fd` in the table's slot of generation `gen` (waits a grace period)
 * and closes the map it replaces. */
static int replace_inner_map(struct ft_instance *inst, int slot, int gen, int fd)
{
	struct ft_table *t = &inst->cat.tables[slot];
	__u32 key = ft_outer_slot(gen, slot);

	if (bpf_map_update_elem(inst->outer_fd[t->cfg.kclass], &key, &fd, 0))
		return -errno;
	close(inst->table_fd[slot][gen]);
	inst->table_fd[slot][gen] = fd;
	return 0;
}

/*
 * Swaps generation `gen`'s map of a table for `fd`, the old map's counts read
 * first. Durable before and after the swap (the checkpoints), so that a kill
 * at any point finds either the old map with its baseline or the new one
 * without: a new map is not written before the next flip.
 */
static int swap_gen_map(struct ft_instance *inst, int slot, int gen, int *fd, struct ft_counts *out,
			__u32 now)
{
	int err;

	err = snapshot_read_table(inst, slot, gen, out, now);
	if (!err)
		err = snapshot_checkpoint(inst, out);
	test_point("swap-saved");
	if (!err)
		err = replace_inner_map(inst, slot, gen, *fd);
	test_point("swap-replaced");
	if (err)
		return err;
	*fd = -1;	/* the table owns it now */
	snapshot_forget_table(inst, slot, gen);
	return snapshot_checkpoint(inst, out);
}

int tables_resize(struct ft_instance *inst, int slot, __u32 size, struct ft_counts *drained)
{
	struct ft_table *t = &inst->cat.tables[slot];
	int fresh[FT_GENERATIONS] = { -1, -1 };
	__u32 old_size = t->spec.size, now = (__u32)time(NULL);
	int idle, g, err;

	t->spec.size = size;
	err = create_inner_maps(t, fresh);
	t->spec.size = old_size;
	if (err)
		goto out;
	/* The generation no program writes first; then programs move to its
	 * new map, and the other one is read with the rest of its generation
	 * and swapped too. */
	idle = (int)(inst->cfg->gen & 1) ^ 1;
	err = swap_gen_map(inst, slot, idle, &fresh[idle], drained, now);
	if (err)
		goto out;
	err = snapshot_flip(inst);
	test_point("resize-flipped");
	if (err < 0)
		goto out;
	err = snapshot_collect(inst, idle ^ 1, drained, now);
	if (!err)
		err = snapshot_checkpoint(inst, drained);
	if (!err)
		err = swap_gen_map(inst, slot, idle ^ 1, &fresh[idle ^ 1], drained, now);
	if (err)
		goto out;
	t->spec.size = size;
out:
	for (g = 0; g < FT_GENERATIONS; g++)
		if (fresh[g] >= 0)
			close(fresh[g]);
	return err;
}

/* The larger of a table's two maps' sizes. */
static __u32 map_max_entries(const struct ft_table *t, const int fd[FT_GENERATIONS])
{
	__u32 size = 0, g;

	for (g = 0; g < FT_GENERATIONS; g++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(fd[g], &info, &len) && info.max_entries > size)
			size = info.max_entries;
	}
	return size ? size : t->spec.size;
}

int tables_adopt(struct ft_instance *inst)
{
	int slot, g;

	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		struct ft_table *t = &inst->cat.tables[slot];

		if (!t->used || t->removed)
			continue;
		for (g = 0; g < FT_GENERATIONS; g++) {
			__u32 key = ft_outer_slot(g, slot), id;

			if (bpf_map_lookup_elem(inst->outer_fd[t->cfg.kclass], &key, &id))
				return log_errno(-errno, "pinned table '%s' has no map in slot %u",
						 t->spec.name, key);
			inst->table_fd[slot][g] = bpf_map_get_fd_by_id(id);
			if (inst->table_fd[slot][g] < 0)
				return log_errno(-errno, "cannot open the map of table '%s'",
						 t->spec.name);
		}
		/* a resize a kill cut short: the size is what the maps have */
		t->spec.size = map_max_entries(t, inst->table_fd[slot]);
	}
	return 0;
}

static bool slot_linked(const struct ft_instance *inst, int slot, int kclass)
{
	__u32 id;
	int g;

	for (g = 0; g < FT_GENERATIONS; g++) {
		__u32 key = ft_outer_slot(g, slot);

		if (!bpf_map_lookup_elem(inst->outer_fd[kclass], &key, &id))
			return true;
	}
	return false;
}

int tables_reconcile(struct ft_instance *inst, struct ft_counts *out)
{
	int slot, err;

	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		struct ft_table_cfg *kcfg = &inst->cfg->tables[slot];
		const struct ft_table *t = &inst->cat.tables[slot];
		bool live = t->used && !t->removed;

		if (live && !kcfg->active) {
			log_info("table '%s': finishing its removal, cut short before",
				 t->spec.name);
			err = tables_del(inst, slot, out);
			if (err)
				return err;
		} else if (!live && kcfg->kclass < FT_KCLASSES &&
			   (kcfg->active || slot_linked(inst, slot, kcfg->kclass))) {
			/* an addition cut short, or a removal's last step */
			__atomic_store_n(&kcfg->active, 0, __ATOMIC_RELEASE);
			err = snapshot_sync(inst);
			if (err)
				return log_errno(err, "cannot turn off table slot %d", slot);
			unlink_kclass_maps(inst, slot, kcfg->kclass);
			memset(kcfg, 0, sizeof(*kcfg));
			err = snapshot_skip_table_counters(inst, slot);
			if (err)
				return log_errno(err, "cannot read the counters");
		}
	}
	update_ntables(inst);
	return 0;
}

/* The kernel's memlock figure for a map, from /proc/self/fdinfo: what
 * 'bpftool map show' reports. */
__u64 map_memlock(int fd)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

void tables_update_memory(struct ft_instance *inst)
{
	int slot, g;

	for (slot = 0; slot < FT_MAX_TABLES; slot++) {
		struct ft_table *t = &inst->cat.tables[slot];

		if (!t->used || t->removed)
			continue;
		t->mem_bytes = 0;
		for (g = 0; g < FT_GENERATIONS; g++)
			t->mem_bytes += map_memlock(inst->table_fd[slot][g]);
	}
}
