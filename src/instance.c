// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
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
#include "log.h"
#include "tables.h"

size_t ft_value_stride(void)
{
	/* per-CPU values come back padded to 8 bytes each */
	return (sizeof(struct ft_value) + 7) & ~(size_t)7;
}

int instance_prog_fd(const struct ft_instance *inst, int dir)
{
	return bpf_program__fd(dir == FT_DIR_INGRESS ? inst->skel->progs.flowtally_xdp
						     : inst->skel->progs.flowtally_tc);
}

static void instance_reset_fds(struct ft_instance *inst)
{
	int i, g;

	inst->sync_fd = -1;
	inst->counters_fd = -1;
	for (i = 0; i < FT_KCLASSES; i++)
		inst->outer_fd[i] = -1;
	for (i = 0; i < FT_MAX_IFACES; i++) {
		inst->ifaces[i].xdp_link_fd = -1;
		inst->ifaces[i].tc_link_fd = -1;
	}
	for (i = 0; i < FT_MAX_TABLES; i++)
		for (g = 0; g < FT_GENERATIONS; g++)
			inst->tables[i].fd[g] = -1;
}

/* The sync slot holds a map no program reads; updating the slot makes the
 * kernel wait for a grace period. */
static int create_sync_map(struct ft_instance *inst)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	__u32 slot = FT_SYNC_SLOT;

	inst->sync_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "ft_sync", FT_KEY_NARROW_SIZE,
				       sizeof(struct ft_value), 1, &opts);
	if (inst->sync_fd < 0)
		return -errno;
	if (bpf_map_update_elem(inst->outer_fd[FT_KCLASS_NARROW], &slot, &inst->sync_fd, 0))
		return -errno;
	return 0;
}

int instance_open(struct ft_instance *inst, __u8 dirmask, bool verbose)
{
	size_t cnt_size;
	int err;

	memset(inst, 0, sizeof(*inst));
	instance_reset_fds(inst);
	inst->dirmask = dirmask;
	inst->ncpus = libbpf_num_possible_cpus();
	if (inst->ncpus <= 0)
		return log_errno(inst->ncpus, "cannot count possible CPUs");

	log_libbpf_capture(verbose);
	inst->skel = flowtally__open();
	if (!inst->skel)
		return log_load_error(-errno, "open");
	/* Nothing else is loaded when egress is not counted. */
	if (!(dirmask & FT_DIRMASK(FT_DIR_EGRESS)))
		bpf_program__set_autoload(inst->skel->progs.flowtally_tc, false);
	if (!(dirmask & FT_DIRMASK(FT_DIR_INGRESS)))
		bpf_program__set_autoload(inst->skel->progs.flowtally_xdp, false);
	err = flowtally__load(inst->skel);
	if (err)
		return log_load_error(err, "load");

	inst->cfg = &inst->skel->bss->ft_cfg;
	inst->outer_fd[FT_KCLASS_NARROW] = bpf_map__fd(inst->skel->maps.ft_narrow);
	inst->outer_fd[FT_KCLASS_WIDE] = bpf_map__fd(inst->skel->maps.ft_wide);
	inst->outer_fd[FT_KCLASS_NARROW_LRU] = bpf_map__fd(inst->skel->maps.ft_narrow_lru);
	inst->outer_fd[FT_KCLASS_WIDE_LRU] = bpf_map__fd(inst->skel->maps.ft_wide_lru);
	inst->counters_fd = bpf_map__fd(inst->skel->maps.ft_counters);

	cnt_size = FT_GEN_COUNTERS * ft_value_stride() * inst->ncpus;
	inst->cnt_keys = calloc(FT_GEN_COUNTERS, sizeof(__u32));
	inst->cnt_vals = calloc(1, cnt_size);
	if (!inst->cnt_keys || !inst->cnt_vals)
		return log_errno(-ENOMEM, "cannot allocate counter buffers");

	err = create_sync_map(inst);
	if (err)
		return log_errno(err, "cannot create the sync map");
	return 0;
}

void instance_close(struct ft_instance *inst)
{
	int i;

	for (i = 0; i < inst->nr_ifaces; i++)
		detach_iface(inst, &inst->ifaces[i]);
	for (i = 0; i < FT_MAX_TABLES; i++)
		tables_free_maps(&inst->tables[i]);
	if (inst->sync_fd >= 0)
		close(inst->sync_fd);
	/* the skeleton owns the programs, the outer maps and the counters */
	flowtally__destroy(inst->skel);
	free(inst->cnt_keys);
	free(inst->cnt_vals);
	memset(inst, 0, sizeof(*inst));
	instance_reset_fds(inst);
}
