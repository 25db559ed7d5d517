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
#include "identity.h"
#include "log.h"
#include "netdev.h"
#include "pin.h"
#include "state.h"

/* Debian 12's uapi headers predate tcx; the kernel has it (6.6+). */
#define FT_BPF_TCX_INGRESS 46
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

/* Another instance counting on the interface: a pinned one by name, else the
 * program that holds the hook. */
/* what: "XDP" when another program holds the XDP hook; NULL when another
 * flowtally counts there. */
static int refuse_taken(const struct ft_iface *iface, const char *what, __u32 prog_id, int err)
{
	char owner[64], prog[64];

	if (!state_find_iface(iface->name, owner, sizeof(owner))) {
		log_err("%s is counted by pinned flowtally instance '%s' already: "
			"adopt it with --pin %s, view it with 'flowtally top %s', or see "
			"'flowtally status %s'",
			iface->name, owner, owner, owner, owner);
		return err;
	}
	if (what)
		log_err("%s already has an XDP program (%s): flowtally does not replace it; "
			"detach it first if it is not needed (ip link set dev %s xdp off)",
			iface->name, prog_name_by_id(prog_id, prog, sizeof(prog)), iface->name);
	else
		log_err("%s is counted by another flowtally already (program %s): stop that "
			"one first",
			iface->name, prog_name_by_id(prog_id, prog, sizeof(prog)));
	return err;
}

static bool is_flowtally_prog(__u32 id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);
	bool yes;

	if (fd < 0)
		return false;
	yes = !bpf_obj_get_info_by_fd(fd, &info, &len) && !strncmp(info.name, "flowtally_", 10);
	close(fd);
	return yes;
}

/*
 * A flowtally program already on one of the interface's hooks: its id, 0 if
 * none. tcx takes any number of programs, and XDP and tcx both see ingress,
 * so a second instance would count the same frames twice.
 */
static __u32 flowtally_attached(__u32 ifindex)
{
	static const int types[] = { FT_BPF_TCX_INGRESS, FT_BPF_TCX_EGRESS };
	__u32 ids[64], cnt, i, xdp_id;
	size_t t;

	if (!netdev_xdp_prog(ifindex, &xdp_id) && xdp_id && is_flowtally_prog(xdp_id))
		return xdp_id;
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		cnt = 64;
		if (bpf_prog_query((int)ifindex, types[t], 0, NULL, ids, &cnt))
			continue;
		for (i = 0; i < cnt && i < 64; i++)
			if (is_flowtally_prog(ids[i]))
				return ids[i];
	}
	return 0;
}

/* 0 or -errno, nothing printed: the caller decides between an error and
 * falling back to tcx. */
static int try_xdp(struct ft_instance *inst, struct ft_iface *iface, enum ft_hook hook)
{
	struct ft_iface_links *lk = instance_links(inst, iface);
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	int prog_fd = -1, err;

	/* Native: a copy bound to the device, which may ask the driver for a
	 * VLAN tag it took out of the frame; where it does not load, the
	 * unbound program, which sees only the tags in the frame. */
	if (hook == FT_HOOK_XDP_NATIVE) {
		prog_fd = instance_load_xdp_dev(inst, iface);
		if (prog_fd < 0)
			log_debug("%s: no device-bound XDP program (%s): rx VLAN tags unseen",
				  iface->name, strerror(-prog_fd));
	}
	if (prog_fd < 0)
		prog_fd = instance_prog_fd(inst, FT_DIR_INGRESS);
	opts.flags = hook == FT_HOOK_XDP_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	lk->xdp_link_fd = bpf_link_create(prog_fd, iface->ifindex, BPF_XDP, &opts);
	if (lk->xdp_link_fd < 0) {
		err = -errno;
		instance_free_xdp_dev(inst, iface);
		return err;
	}
	iface->ingress_hook = hook;
	if (!bpf_xdp_query(iface->ifindex, 0, &query) && query.attach_mode == XDP_ATTACHED_SKB)
		iface->ingress_hook = FT_HOOK_XDP_GENERIC;
	return 0;
}

static int attach_tcx_in(struct ft_instance *inst, struct ft_iface *iface)
{
	struct ft_iface_links *lk = instance_links(inst, iface);

	lk->tc_in_link_fd = bpf_link_create(instance_tc_in_fd(inst), iface->ifindex,
					       FT_BPF_TCX_INGRESS, NULL);
	if (lk->tc_in_link_fd < 0) {
		if (errno == EINVAL)
			return log_errno(-errno, "no tcx in this kernel to count what %s receives "
					 "(use --ingress-hook xdp)", iface->name);
		return log_errno(-errno, "cannot attach the ingress program to %s", iface->name);
	}
	iface->ingress_hook = FT_HOOK_TCX;
	return 0;
}

/*
 * The hook per device (hook.c decides). XDP asked for fails with an error;
 * XDP that auto mode chose falls back to tcx, and says so, since counting
 * matters more than the hook.
 */
static int attach_ingress(struct ft_instance *inst, struct ft_iface *iface)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	struct ft_devinfo dev;
	enum ft_hook hook;
	bool forced;
	int err;

	err = netdev_info(iface->ifindex, iface->name, &dev);
	if (err)
		memset(&dev, 0, sizeof(dev));
	hook = hook_choose(&dev, inst->ingress_hook, inst->xdp_mode, iface->hook_reason,
			   sizeof(iface->hook_reason));
	if (hook == FT_HOOK_TCX)
		return attach_tcx_in(inst, iface);

	err = try_xdp(inst, iface, hook);
	if (!err)
		return 0;
	if ((err == -EBUSY || err == -EEXIST) && !bpf_xdp_query(iface->ifindex, 0, &query) &&
	    query.prog_id)
		return refuse_taken(iface, "XDP", query.prog_id, err);
	forced = inst->ingress_hook == INGRESS_HOOK_XDP || inst->xdp_mode != XDP_MODE_AUTO;
	if (forced) {
		if (err == -EOPNOTSUPP && hook == FT_HOOK_XDP_NATIVE)
			return log_errno(err, "%s has no native XDP support (use --ingress-hook "
					 "tcx, or --xdp-mode generic)", iface->name);
		return log_errno(err, "cannot attach XDP to %s (use --ingress-hook tcx)",
				 iface->name);
	}
	log_info("%s: native XDP did not attach (%s): counting ingress with tcx", iface->name,
		 strerror(-err));
	snprintf(iface->hook_reason, sizeof(iface->hook_reason),
		 "native XDP did not attach (%s)", strerror(-err));
	return attach_tcx_in(inst, iface);
}

/* Kernels before 6.6 have no tcx: a cls_bpf filter on a clsact qdisc. It is
 * not a link: a kill -9 leaves it attached. */
static int attach_clsact(struct ft_instance *inst, struct ft_iface *iface)
{
	struct ft_iface_links *lk = instance_links(inst, iface);
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = iface->ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = instance_prog_fd(inst, FT_DIR_EGRESS));
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return log_errno(err, "cannot create a clsact qdisc on %s", iface->name);
	lk->tc_hook_created = !err;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		return log_errno(err, "cannot attach the egress filter to %s", iface->name);
	iface->tc_clsact = true;
	lk->tc_handle = opts.handle;
	lk->tc_priority = opts.priority;
	log_info("%s: no tcx in this kernel, egress counted by a clsact filter", iface->name);
	return 0;
}

static int attach_tc(struct ft_instance *inst, struct ft_iface *iface)
{
	struct ft_iface_links *lk = instance_links(inst, iface);

	lk->tc_link_fd = bpf_link_create(instance_prog_fd(inst, FT_DIR_EGRESS), iface->ifindex,
					    FT_BPF_TCX_EGRESS, NULL);
	if (lk->tc_link_fd >= 0)
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
	struct ft_iface_links *lk = instance_links(inst, iface);
	char obj[32];
	int err = 0;

	if (!inst->pin[0])
		return 0;
	if (lk->xdp_link_fd >= 0) {
		link_pin_name(obj, sizeof(obj), "xdp", iface);
		err = pin_object(lk->xdp_link_fd, inst->pin, obj);
	}
	if (!err && lk->tc_in_link_fd >= 0) {
		link_pin_name(obj, sizeof(obj), "tcxin", iface);
		err = pin_object(lk->tc_in_link_fd, inst->pin, obj);
	}
	if (!err && lk->tc_link_fd >= 0) {
		link_pin_name(obj, sizeof(obj), "tcx", iface);
		err = pin_object(lk->tc_link_fd, inst->pin, obj);
	}
	return err;
}

int attach_adopt(struct ft_instance *inst)
{
	char obj[32];
	int i;

	catalog_for_each_iface(&inst->cat, i) {
		struct ft_iface *iface = &inst->cat.ifaces[i];
		struct ft_iface_links *lk = &inst->links[i];

		link_pin_name(obj, sizeof(obj), "xdp", iface);
		lk->xdp_link_fd = pin_open(inst->pin, obj);
		link_pin_name(obj, sizeof(obj), "tcx", iface);
		lk->tc_link_fd = pin_open(inst->pin, obj);
		/* the pins say which hook the first start chose; the state file
		 * does not */
		link_pin_name(obj, sizeof(obj), "tcxin", iface);
		lk->tc_in_link_fd = pin_open(inst->pin, obj);
		iface->ingress_hook = FT_HOOK_TCX;
		snprintf(iface->hook_reason, sizeof(iface->hook_reason), "adopted: %s",
			 lk->tc_in_link_fd >= 0 ? "pinned tcx link" : "pinned XDP link");
		if (lk->xdp_link_fd >= 0) {
			LIBBPF_OPTS(bpf_xdp_query_opts, query);

			iface->ingress_hook = FT_HOOK_XDP_NATIVE;
			if (!bpf_xdp_query(iface->ifindex, 0, &query) &&
			    query.attach_mode == XDP_ATTACHED_SKB)
				iface->ingress_hook = FT_HOOK_XDP_GENERIC;
		}
		if (!iface->gone && if_nametoindex(iface->name) != iface->ifindex) {
			log_info("%s is gone: its counts until then are kept", iface->name);
			iface->gone = true;
			iface->unread = (1u << FT_GENERATIONS) - 1;
			iface->left_unsynced = true;
		}
		/* the device's counts from this start on: the state has none */
		iface->dev_valid = !iface->gone &&
				   !netdev_counters(iface->ifindex, iface->dev_start);
		if (!iface->gone)
			iface_identify_now(iface);
		memcpy(iface->dev_last, iface->dev_start, sizeof(iface->dev_last));
	}
	return 0;
}

static void unpin_iface(struct ft_instance *inst, const struct ft_iface *iface)
{
	char obj[32];

	link_pin_name(obj, sizeof(obj), "xdp", iface);
	pin_unlink(inst->pin, obj);
	link_pin_name(obj, sizeof(obj), "tcxin", iface);
	pin_unlink(inst->pin, obj);
	link_pin_name(obj, sizeof(obj), "tcx", iface);
	pin_unlink(inst->pin, obj);
}

void attach_unpin(struct ft_instance *inst)
{
	int i;

	catalog_for_each_iface(&inst->cat, i)
		unpin_iface(inst, &inst->cat.ifaces[i]);
}

int attach_iface_index(struct ft_instance *inst, const char *name, __u32 ifindex, bool followed,
		       struct ft_iface **out)
{
	struct ft_iface *iface;
	__u32 prog_id, slot;
	int err = 0;

	if (out)
		*out = NULL;
	if (catalog_find_ifindex(&inst->cat, ifindex)) {
		log_err("interface %s given twice", name);
		return -EEXIST;
	}
	iface = catalog_new_iface(&inst->cat, name, ifindex);
	if (!iface) {
		log_err("cannot count on %s: all %u interface slots are taken (--max-interfaces)",
			name, inst->cat.max_ifaces);
		return -E2BIG;
	}
	if (out)
		*out = iface;
	iface->followed = followed;
	slot = catalog_slot(&inst->cat, iface);
	/* the slot is known before the first frame can arrive */
	if (bpf_map_update_elem(inst->ifslot_fd, &ifindex, &slot, BPF_ANY)) {
		err = -errno;
		iface->gone = true;	/* counted nothing: retired like a gone one */
		return log_errno(err, "cannot give %s its slot", name);
	}
	prog_id = flowtally_attached(ifindex);
	if (prog_id)
		return refuse_taken(iface, NULL, prog_id, -EBUSY);
	/* the device's own count from before the first frame is counted */
	iface->dev_valid = !netdev_counters(ifindex, iface->dev_start);
	iface_identify_now(iface);
	memcpy(iface->dev_last, iface->dev_start, sizeof(iface->dev_last));

	if (inst->cat.dirmask & FT_DIRMASK(FT_DIR_INGRESS))
		err = attach_ingress(inst, iface);
	if (!err && (inst->cat.dirmask & FT_DIRMASK(FT_DIR_EGRESS)))
		err = attach_tc(inst, iface);
	if (!err)
		err = pin_links(inst, iface);
	return err;
}

int attach_iface(struct ft_instance *inst, const char *name)
{
	__u32 ifindex;

	if (strlen(name) >= IF_NAMESIZE || !(ifindex = if_nametoindex(name))) {
		log_err("no interface '%s' (see 'ip link')", name);
		return -ENODEV;
	}
	return attach_iface_index(inst, name, ifindex, false, NULL);
}

void attach_rename(struct ft_instance *inst, struct ft_iface *iface, const char *name)
{
	if (inst->pin[0])
		unpin_iface(inst, iface);
	snprintf(iface->name, sizeof(iface->name), "%s", name);
	if (pin_links(inst, iface))
		log_info("%s: its links could not be pinned under the new name", name);
}

void attach_leave(struct ft_instance *inst, struct ft_iface *iface)
{
	__u32 ifindex = iface->ifindex;

	if (inst->pin[0])
		unpin_iface(inst, iface);
	detach_iface(inst, iface);
	instance_free_xdp_dev(inst, iface);
	/* frames from here on count in FT_IFACE_OTHER; the ones before are
	 * in this slot of either generation until both were read */
	bpf_map_delete_elem(inst->ifslot_fd, &ifindex);
	iface->gone = true;
	iface->unread = (1u << FT_GENERATIONS) - 1;
}

void detach_iface(struct ft_instance *inst, struct ft_iface *iface)
{
	struct ft_iface_links *lk = instance_links(inst, iface);

	if (lk->xdp_link_fd >= 0)
		close(lk->xdp_link_fd);
	lk->xdp_link_fd = -1;
	if (lk->tc_in_link_fd >= 0)
		close(lk->tc_in_link_fd);
	lk->tc_in_link_fd = -1;
	if (lk->tc_link_fd >= 0)
		close(lk->tc_link_fd);
	lk->tc_link_fd = -1;
	if (iface->tc_clsact) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = iface->ifindex,
			    .attach_point = BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = lk->tc_handle,
			    .priority = lk->tc_priority);

		bpf_tc_detach(&hook, &opts);
		if (lk->tc_hook_created)
			bpf_tc_hook_destroy(&hook);
		iface->tc_clsact = false;
	}
}
