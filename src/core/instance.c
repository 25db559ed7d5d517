// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The instance's programs: their fds, and the device-bound XDP copies. */
#include <errno.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flowtally/abi.h"
#include "flowtally.skel.h"
#include "instance.h"

struct bpf_map *instance_skel_map(struct flowtally *skel, size_t i)
{
	struct bpf_map *maps[] = {
		skel->maps.ft_narrow,	  skel->maps.ft_wide,	  skel->maps.ft_narrow_lru,
		skel->maps.ft_wide_lru, skel->maps.ft_counters, skel->maps.bss,
		skel->maps.ft_ifslot,	  skel->maps.ft_ifcnt,
	};

	return maps[i];
}

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

int instance_tc_in_fd(const struct ft_instance *inst)
{
	return bpf_program__fd(inst->skel->progs.flowtally_tc_in);
}

/* Debian 12's uapi headers and libbpf 1.1 do not name it; the kernel has it
 * since 6.3. */
#define FT_BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)

int instance_load_xdp_dev(struct ft_instance *inst, struct ft_iface *iface)
{
	struct flowtally *skel = flowtally__open();
	struct bpf_program *prog;
	size_t i;
	int err = 0;

	if (!skel)
		return -errno;
	/* the same maps as the instance's: one set of counters and tables */
	for (i = 0; i < FT_SKEL_MAPS && !err; i++)
		err = bpf_map__reuse_fd(instance_skel_map(skel, i), bpf_map__fd(instance_skel_map(inst->skel, i)));
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == skel->progs.flowtally_xdp_dev);
	prog = skel->progs.flowtally_xdp_dev;
	bpf_program__set_ifindex(prog, iface->ifindex);
	if (!err)
		err = bpf_program__set_flags(prog, bpf_program__flags(prog) |
							   FT_BPF_F_XDP_DEV_BOUND_ONLY);
	if (!err)
		err = flowtally__load(skel);
	if (err) {
		flowtally__destroy(skel);
		return err;
	}
	instance_links(inst, iface)->xdp_dev_skel = skel;
	return bpf_program__fd(prog);
}

void instance_free_xdp_dev(struct ft_instance *inst, const struct ft_iface *iface)
{
	struct ft_iface_links *lk = instance_links(inst, iface);

	flowtally__destroy(lk->xdp_dev_skel);
	lk->xdp_dev_skel = NULL;
}
