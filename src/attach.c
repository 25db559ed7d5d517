// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "log.h"
#include "pin.h"
#include "state.h"

/* Debian 12's uapi headers predate tcx; the kernel has it (6.6+). */
#define FT_BPF_TCX_EGRESS 47

static const char *prog_name_by_id(__u32 id, char *buf, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(buf, len, "id %u", id);
	if (fd < 0)
		return buf;
	if (!bpf_obj_get_info_by_fd(fd, &info, &info_len))
		snprintf(buf, len, "'%s', id %u", info.name, id);
	close(fd);
	return buf;
}

static int attach_xdp(struct ft_instance *inst, struct ft_iface *iface)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	char prog[64];
	int err;

	if (inst->xdp_mode == XDP_MODE_NATIVE)
		opts.flags = XDP_FLAGS_DRV_MODE;
	else if (inst->xdp_mode == XDP_MODE_GENERIC)
		opts.flags = XDP_FLAGS_SKB_MODE;
	iface->xdp_link_fd = bpf_link_create(instance_prog_fd(inst, FT_DIR_INGRESS),
					     iface->ifindex, BPF_XDP, &opts);
	if (iface->xdp_link_fd < 0) {
		err = -errno;
		if ((err == -EBUSY || err == -EEXIST) && !bpf_xdp_query(iface->ifindex, 0, &query) &&
		    query.prog_id) {
			char owner[64];

			if (!state_find_iface(iface->name, owner, sizeof(owner))) {
				log_err("%s is counted by pinned flowtally instance '%s' already: "
					"adopt it with --pin %s, or see 'flowtally status %s'",
					iface->name, owner, owner, owner);
				return err;
			}
			log_err("%s already has an XDP program (%s): flowtally does not replace it; "
				"detach it first if it is not needed (ip link set dev %s xdp off)",
				iface->name, prog_name_by_id(query.prog_id, prog, sizeof(prog)),
				iface->name);
			return err;
		}
		if (err == -EOPNOTSUPP && inst->xdp_mode == XDP_MODE_NATIVE)
			return log_errno(err, "%s has no native XDP support (use --xdp-mode "
					 "generic)", iface->name);
		return log_errno(err, "cannot attach XDP to %s", iface->name);
	}
	iface->xdp_mode = "native";
	if (!bpf_xdp_query(iface->ifindex, 0, &query) && query.attach_mode == XDP_ATTACHED_SKB)
		iface->xdp_mode = "generic";
	return 0;
}

/* Kernels before 6.6 have no tcx: a cls_bpf filter on a clsact qdisc. It is
 * not a link: a kill -9 leaves it attached. */
static int attach_clsact(struct ft_instance *inst, struct ft_iface *iface)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = iface->ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = instance_prog_fd(inst, FT_DIR_EGRESS));
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return log_errno(err, "cannot create a clsact qdisc on %s", iface->name);
	iface->tc_hook_created = !err;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		return log_errno(err, "cannot attach the egress filter to %s", iface->name);
	iface->tc_clsact = true;
	iface->tc_handle = opts.handle;
	iface->tc_priority = opts.priority;
	log_info("%s: no tcx in this kernel, egress counted by a clsact filter", iface->name);
	return 0;
}

static int attach_tc(struct ft_instance *inst, struct ft_iface *iface)
{
	iface->tc_link_fd = bpf_link_create(instance_prog_fd(inst, FT_DIR_EGRESS), iface->ifindex,
					    FT_BPF_TCX_EGRESS, NULL);
	if (iface->tc_link_fd >= 0)
		return 0;
	if (errno == EINVAL && !getenv("FLOWTALLY_NO_CLSACT"))
		return attach_clsact(inst, iface);
	return log_errno(-errno, "cannot attach the egress program to %s", iface->name);
}

static void link_pin_name(char *buf, size_t len, const char *hook, const struct ft_iface *iface)
{
	snprintf(buf, len, "%s_%s", hook, iface->name);
}

/* A pinned link keeps counting when the process is gone. */
static int pin_links(struct ft_instance *inst, struct ft_iface *iface)
{
	char obj[32];
	int err = 0;

	if (!inst->pin[0])
		return 0;
	if (iface->xdp_link_fd >= 0) {
		link_pin_name(obj, sizeof(obj), "xdp", iface);
		err = pin_object(iface->xdp_link_fd, inst->pin, obj);
	}
	if (!err && iface->tc_link_fd >= 0) {
		link_pin_name(obj, sizeof(obj), "tcx", iface);
		err = pin_object(iface->tc_link_fd, inst->pin, obj);
	}
	return err;
}

int attach_adopt(struct ft_instance *inst)
{
	char obj[32];
	int i;

	for (i = 0; i < inst->nr_ifaces; i++) {
		struct ft_iface *iface = &inst->ifaces[i];

		link_pin_name(obj, sizeof(obj), "xdp", iface);
		iface->xdp_link_fd = pin_open(inst->pin, obj);
		link_pin_name(obj, sizeof(obj), "tcx", iface);
		iface->tc_link_fd = pin_open(inst->pin, obj);
		iface->xdp_mode = "native";
		if (iface->xdp_link_fd >= 0) {
			LIBBPF_OPTS(bpf_xdp_query_opts, query);

			if (!bpf_xdp_query(iface->ifindex, 0, &query) &&
			    query.attach_mode == XDP_ATTACHED_SKB)
				iface->xdp_mode = "generic";
		}
		if (if_nametoindex(iface->name) != iface->ifindex) {
			log_info("%s is gone: its counts until then are kept", iface->name);
			iface->gone = true;
		}
	}
	return 0;
}

void attach_unpin(struct ft_instance *inst)
{
	char obj[32];
	int i;

	for (i = 0; i < inst->nr_ifaces; i++) {
		link_pin_name(obj, sizeof(obj), "xdp", &inst->ifaces[i]);
		pin_unlink(inst->pin, obj);
		link_pin_name(obj, sizeof(obj), "tcx", &inst->ifaces[i]);
		pin_unlink(inst->pin, obj);
	}
}

int attach_iface(struct ft_instance *inst, const char *name)
{
	struct ft_iface *iface;
	__u32 ifindex;
	int slot, err = 0;

	if (strlen(name) >= IF_NAMESIZE || !(ifindex = if_nametoindex(name))) {
		log_err("no interface '%s' (see 'ip link')", name);
		return -ENODEV;
	}
	for (slot = 0; slot < inst->nr_ifaces; slot++) {
		if (inst->ifaces[slot].ifindex == ifindex) {
			log_err("interface %s given twice", name);
			return -EEXIST;
		}
	}
	if (inst->nr_ifaces == FT_MAX_IFACES) {
		log_err("too many interfaces: at most %d", FT_MAX_IFACES);
		return -E2BIG;
	}
	slot = inst->nr_ifaces++;
	iface = &inst->ifaces[slot];
	snprintf(iface->name, sizeof(iface->name), "%s", name);
	iface->ifindex = ifindex;
	/* the slot is known before the first frame can arrive */
	__atomic_store_n(&inst->cfg->ifindex[slot], ifindex, __ATOMIC_RELEASE);

	if (inst->dirmask & FT_DIRMASK(FT_DIR_INGRESS))
		err = attach_xdp(inst, iface);
	if (!err && (inst->dirmask & FT_DIRMASK(FT_DIR_EGRESS)))
		err = attach_tc(inst, iface);
	if (!err)
		err = pin_links(inst, iface);
	return err;
}

void detach_iface(struct ft_instance *inst, struct ft_iface *iface)
{
	(void)inst;
	if (iface->xdp_link_fd >= 0)
		close(iface->xdp_link_fd);
	iface->xdp_link_fd = -1;
	if (iface->tc_link_fd >= 0)
		close(iface->tc_link_fd);
	iface->tc_link_fd = -1;
	if (iface->tc_clsact) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = iface->ifindex,
			    .attach_point = BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = iface->tc_handle,
			    .priority = iface->tc_priority);

		bpf_tc_detach(&hook, &opts);
		if (iface->tc_hook_created)
			bpf_tc_hook_destroy(&hook);
		iface->tc_clsact = false;
	}
}
