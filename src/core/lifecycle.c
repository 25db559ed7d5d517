// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An instance's life: its programs loaded and maps created (or the pinned
 * ones reused), and every kernel object freed again, in one place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flowtally/abi.h"
#include "flowtally.skel.h"
#include "attach.h"
#include "instance.h"
#include "lifecycle.h"
#include "log.h"
#include "pin.h"
#include "tables.h"

static void instance_reset_fds(struct ft_instance *inst)
{
	int i, g;

	inst->sync_fd = -1;
	inst->counters_fd = -1;
	inst->ifslot_fd = -1;
	inst->ifcnt_fd = -1;
	for (i = 0; i < FT_KCLASSES; i++)
		inst->outer_fd[i] = -1;
	for (i = 0; i < FT_MAX_TABLES; i++)
		for (g = 0; g < FT_GENERATIONS; g++)
			inst->table_fd[i][g] = -1;
}

/* The sync slot holds a map no program reads; updating the slot makes the
 * kernel wait for a grace period. */
static int create_sync_map(struct ft_instance *inst)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	__u32 slot = FT_SYNC_SLOT;

	inst->sync_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "ft_sync", FT_KEY_NARROW_SIZE,
				       sizeof(struct ft_value), 1, &opts);
	if (inst->sync_fd < 0)
		return -errno;
	if (bpf_map_update_elem(inst->outer_fd[FT_KCLASS_NARROW], &slot, &inst->sync_fd, 0))
		return -errno;
	return 0;
}

/* The maps a pinned instance keeps, by pin name. */
static const char *const pinned_maps[] = {
	"ft_narrow", "ft_wide", "ft_narrow_lru", "ft_wide_lru", "ft_counters", "config",
	"ft_ifslot", "ft_ifcnt",
};

/* Interface slots 1..max: the catalog and the links. (The buffers a read
 * of ft_ifcnt needs grow with the slots in use: snapshot.c.) */
static int alloc_iface_slots(struct ft_instance *inst, __u32 max)
{
	__u32 i;

	inst->links = calloc((size_t)max + 1, sizeof(*inst->links));
	if (!inst->links || catalog_init(&inst->cat, max))
		return -ENOMEM;
	for (i = 0; i <= max; i++) {
		inst->links[i].xdp_link_fd = -1;
		inst->links[i].tc_in_link_fd = -1;
		inst->links[i].tc_link_fd = -1;
	}
	return 0;
}

/* A new instance's slot map and counters, sized for `max` interfaces. */
/* The per-CPU interface counters take slots x 512 bytes on every possible
 * CPU, allocated at start: past FT_IFCNT_BUDGET the kernel's memory is the
 * user's to choose, not a default's. */
static int size_iface_maps(struct ft_instance *inst, __u32 max)
{
	unsigned long long per_cpu = catalog_counter_bytes(max);
	int ncpus = libbpf_num_possible_cpus(), err;

	if (ncpus < 1)
		ncpus = 1;
	if (!catalog_counters_fit(max, ncpus)) {
		log_err("--max-interfaces %u needs %llu MiB of kernel memory for its counters "
			"(%llu KiB on each of %d possible CPUs), more than %llu MiB: give fewer",
			max, per_cpu * (unsigned long long)ncpus >> 20, per_cpu >> 10, ncpus,
			FT_IFCNT_BUDGET >> 20);
		return -E2BIG;
	}
	log_debug("%u interface slots: %llu KiB of counters on each of %d possible CPUs "
		  "(%llu KiB)", max, per_cpu >> 10, ncpus, per_cpu * (unsigned long long)ncpus >> 10);
	err = bpf_map__set_max_entries(inst->skel->maps.ft_ifslot, max);
	if (!err)
		err = bpf_map__set_max_entries(inst->skel->maps.ft_ifcnt,
					       (max + 1) * FT_CNT_PER_SLOT);
	return err;
}

/* An adopted instance's capacity: what its pinned counters were sized for. */
static __u32 pinned_max_ifaces(struct ft_instance *inst)
{
	__u32 n = bpf_map__max_entries(inst->skel->maps.ft_ifcnt) / FT_CNT_PER_SLOT;

	return n ? n - 1 : 0;
}

/* Adopting: the maps come from the pins; programs stay unloaded, the pinned
 * links hold the ones that count. */
static int reuse_pinned_maps(struct ft_instance *inst, bool progs)
{
	size_t i;
	int fd, err;

	for (i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
		fd = pin_open(inst->pin, pinned_maps[i]);
		if (fd < 0)
			return log_errno(fd, "pinned instance '%s' lacks its map %s (remove it with "
					 "'flowtally stop %s')",
					 inst->pin, pinned_maps[i], inst->pin);
		err = bpf_map__reuse_fd(instance_skel_map(inst->skel, i), fd);
		close(fd);
		if (err)
			return log_errno(err, "cannot reuse pinned map %s", pinned_maps[i]);
	}
	if (progs)	/* they share the pinned maps */
		return 0;
	bpf_program__set_autoload(inst->skel->progs.flowtally_tc, false);
	bpf_program__set_autoload(inst->skel->progs.flowtally_tc_in, false);
	bpf_program__set_autoload(inst->skel->progs.flowtally_xdp, false);
	return 0;
}

static int pin_maps(struct ft_instance *inst)
{
	size_t i;
	int err;

	err = pin_create_dir(inst->pin);
	for (i = 0; !err && i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++)
		err = pin_object(bpf_map__fd(instance_skel_map(inst->skel, i)), inst->pin, pinned_maps[i]);
	return err;
}

/* The sync map of an adopted instance: the one in the sync slot. */
static int adopt_sync_map(struct ft_instance *inst)
{
	__u32 slot = FT_SYNC_SLOT, id;

	if (bpf_map_lookup_elem(inst->outer_fd[FT_KCLASS_NARROW], &slot, &id))
		return -errno;
	inst->sync_fd = bpf_map_get_fd_by_id(id);
	return inst->sync_fd < 0 ? -errno : 0;
}

/* The pinned maps (adopting; their capacity in *max_ifaces) or new ones
 * sized for *max_ifaces, and the slots userspace keeps beside them. */
static int prepare_maps(struct ft_instance *inst, enum ft_open how, __u32 *max_ifaces)
{
	const char *pin = inst->pin;
	int err;

	if (how != FT_OPEN_NEW) {
		err = reuse_pinned_maps(inst, how == FT_OPEN_ADOPT);
		if (err)
			return err;
		*max_ifaces = pinned_max_ifaces(inst);	/* checked against the config later */
		if (!*max_ifaces || *max_ifaces > FT_IFACES_LIMIT)
			return log_errno(-EPROTO, "pinned instance '%s' has no interface slots "
					 "(remove it with 'flowtally stop %s')", pin, pin);
	} else {
		err = size_iface_maps(inst, *max_ifaces);
		if (err == -E2BIG)
			return err;
		if (err)
			return log_errno(err, "cannot size the maps for %u interfaces", *max_ifaces);
	}
	err = alloc_iface_slots(inst, *max_ifaces);
	if (err)
		return log_errno(err, "cannot allocate %u interface slots", *max_ifaces);
	return 0;
}

/* An adopted instance's layout is this flowtally's, its config and maps
 * agree; its sync map is found. */
static int check_adopted(struct ft_instance *inst, __u32 max_ifaces)
{
	const char *pin = inst->pin;
	int err;

	if (inst->cfg->abi_version != FT_ABI_VERSION) {
		log_err("pinned instance '%s' has layout version %u, this flowtally %u: "
			"stop it with the flowtally that made it",
			pin, inst->cfg->abi_version, FT_ABI_VERSION);
		return -EPROTO;
	}
	if (inst->cfg->iface_slots != max_ifaces + 1)
		return log_errno(-EPROTO, "pinned instance '%s' has %u interface slots in its "
				 "config, %u in its counters: remove it with 'flowtally stop %s'",
				 pin, inst->cfg->iface_slots, max_ifaces + 1, pin);
	err = adopt_sync_map(inst);
	if (err)
		return log_errno(err, "cannot find the sync map of '%s'", pin);
	return 0;
}

static int instance_load(struct ft_instance *inst, __u8 dirmask, __u32 max_ifaces, bool verbose,
			 const char *pin, enum ft_open how)
{
	bool adopt = how != FT_OPEN_NEW;
	size_t cnt_size;
	int err;

	memset(inst, 0, sizeof(*inst));
	instance_reset_fds(inst);
	inst->cat.dirmask = dirmask;
	if (pin)
		snprintf(inst->pin, sizeof(inst->pin), "%s", pin);
	inst->ncpus = libbpf_num_possible_cpus();
	if (inst->ncpus <= 0)
		return log_errno(inst->ncpus, "cannot count possible CPUs");

	log_libbpf_capture(verbose);
	inst->skel = flowtally__open();
	if (!inst->skel)
		return log_load_error(-errno, "open");
	/* The device-bound XDP copy loads per device (instance_load_xdp_dev);
	 * unbound, the verifier refuses its rx VLAN kfunc. */
	bpf_program__set_autoload(inst->skel->progs.flowtally_xdp_dev, false);
	/* Nothing else is loaded when egress is not counted. */
	if (!(dirmask & FT_DIRMASK(FT_DIR_EGRESS)))
		bpf_program__set_autoload(inst->skel->progs.flowtally_tc, false);
	if (!(dirmask & FT_DIRMASK(FT_DIR_INGRESS))) {
		bpf_program__set_autoload(inst->skel->progs.flowtally_xdp, false);
		bpf_program__set_autoload(inst->skel->progs.flowtally_tc_in, false);
	}
	err = prepare_maps(inst, how, &max_ifaces);
	if (err)
		return err;
	err = flowtally__load(inst->skel);
	if (err)
		return log_load_error(err, "load");

	inst->cfg = &inst->skel->bss->ft_cfg;
	inst->outer_fd[FT_KCLASS_NARROW] = bpf_map__fd(inst->skel->maps.ft_narrow);
	inst->outer_fd[FT_KCLASS_WIDE] = bpf_map__fd(inst->skel->maps.ft_wide);
	inst->outer_fd[FT_KCLASS_NARROW_LRU] = bpf_map__fd(inst->skel->maps.ft_narrow_lru);
	inst->outer_fd[FT_KCLASS_WIDE_LRU] = bpf_map__fd(inst->skel->maps.ft_wide_lru);
	inst->counters_fd = bpf_map__fd(inst->skel->maps.ft_counters);
	inst->ifslot_fd = bpf_map__fd(inst->skel->maps.ft_ifslot);
	inst->ifcnt_fd = bpf_map__fd(inst->skel->maps.ft_ifcnt);

	cnt_size = FT_GEN_COUNTERS * ft_value_stride() * inst->ncpus;
	inst->cnt_keys = calloc(FT_GEN_COUNTERS, sizeof(__u32));
	inst->cnt_vals = calloc(1, cnt_size);
	if (!inst->cnt_keys || !inst->cnt_vals)
		return log_errno(-ENOMEM, "cannot allocate counter buffers");

	if (adopt)
		return check_adopted(inst, max_ifaces);
	inst->cfg->abi_version = FT_ABI_VERSION;
	inst->cfg->iface_slots = max_ifaces + 1;
	err = create_sync_map(inst);
	if (err)
		return log_errno(err, "cannot create the sync map");
	return pin ? pin_maps(inst) : 0;
}

int instance_open(struct ft_instance *inst, __u8 dirmask, bool verbose, __u32 max_ifaces)
{
	return instance_load(inst, dirmask, max_ifaces, verbose, NULL, FT_OPEN_NEW);
}

int instance_open_pinned(struct ft_instance *inst, const char *name, __u8 dirmask,
			 __u32 max_ifaces, bool verbose, enum ft_open how)
{
	return instance_load(inst, dirmask, max_ifaces, verbose, name, how);
}

static void free_iface_slots(struct ft_instance *inst)
{
	catalog_free(&inst->cat);
	free(inst->links);
	free(inst->ifc_keys);
	free(inst->ifc_vals);
	inst->links = NULL;
	inst->ifc_keys = inst->ifc_vals = NULL;
	inst->ifc_cap = 0;
}

void instance_close(struct ft_instance *inst)
{
	int i;

	/* Never loaded (a zeroed struct, or a load that failed before the
	 * skeleton): its fds are not ours, and 0 is stdin. */
	if (!inst->skel) {
		free_iface_slots(inst);
		for (i = 0; i < FT_GENERATIONS; i++) {
			counts_free(&inst->base[i]);
			counts_free(&inst->expiring[i]);
		}
		memset(inst, 0, sizeof(*inst));
		instance_reset_fds(inst);
		return;
	}

	catalog_for_each_iface(&inst->cat, i) {
		detach_iface(inst, &inst->cat.ifaces[i]);
		instance_free_xdp_dev(inst, &inst->cat.ifaces[i]);
	}
	for (i = 0; i < FT_MAX_TABLES; i++)
		tables_free_maps(inst, i);
	if (inst->sync_fd >= 0)
		close(inst->sync_fd);
	/* the skeleton owns the programs, the outer maps and the counters */
	flowtally__destroy(inst->skel);
	free(inst->cnt_keys);
	free(inst->cnt_vals);
	free_iface_slots(inst);
	for (i = 0; i < FT_GENERATIONS; i++) {
		counts_free(&inst->base[i]);
		counts_free(&inst->expiring[i]);
	}
	memset(inst, 0, sizeof(*inst));
	instance_reset_fds(inst);
}
