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
#include "hookowner.h"
#include "identity.h"
#include "ifslot.h"
#include "log.h"
#include "netdev.h"
#include "pin.h"
#include "state.h"
#include "testpoint.h"

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
		return hookowner_refuse(inst, iface, "XDP", query.prog_id, err);
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

/* Link pins are named by ifindex, which the kernel never gives twice at once
 * (a name can move from one device to another, and two can swap names). */
void attach_link_pin_name(char *buf, size_t len, const char *hook, const struct ft_iface *iface)
{
	snprintf(buf, len, "%s_%u", hook, iface->ifindex);
}

static const char *const link_hooks[] = { "xdp", "tcxin", "tcx" };

/* A pinned link keeps counting when the process is gone. */
static int pin_links(struct ft_instance *inst, struct ft_iface *iface)
{
	struct ft_iface_links *lk = instance_links(inst, iface);
	char obj[32];
	int err = 0;

	if (!inst->pin[0])
		return 0;
	if (lk->xdp_link_fd >= 0) {
		attach_link_pin_name(obj, sizeof(obj), "xdp", iface);
		err = pin_object(lk->xdp_link_fd, inst->pin, obj);
	}
	if (!err && lk->tc_in_link_fd >= 0) {
		attach_link_pin_name(obj, sizeof(obj), "tcxin", iface);
		err = pin_object(lk->tc_in_link_fd, inst->pin, obj);
	}
	if (!err && lk->tc_link_fd >= 0) {
		attach_link_pin_name(obj, sizeof(obj), "tcx", iface);
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

		lk->xdp_link_fd = lk->tc_link_fd = lk->tc_in_link_fd = -1;
		iface->ingress_hook = FT_HOOK_TCX;
		/* a gone one left its links: its pins, if any, are a later
		 * device's of the same ifindex, never its own */
		if (!iface->gone) {
			attach_link_pin_name(obj, sizeof(obj), "xdp", iface);
			lk->xdp_link_fd = pin_open(inst->pin, obj);
			attach_link_pin_name(obj, sizeof(obj), "tcx", iface);
			lk->tc_link_fd = pin_open(inst->pin, obj);
			/* the pins say which hook the first start chose; the
			 * state file does not */
			attach_link_pin_name(obj, sizeof(obj), "tcxin", iface);
			lk->tc_in_link_fd = pin_open(inst->pin, obj);
		}
		snprintf(iface->hook_reason, sizeof(iface->hook_reason), "adopted: %s",
			 lk->tc_in_link_fd >= 0 ? "pinned tcx link" :
			 lk->xdp_link_fd >= 0 ? "pinned XDP link" : "no pinned link");
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
		iface->dev_valid = false;
		if (!iface->gone)
			iface_device_start(iface);
	}
	return 0;
}

static void unpin_iface(struct ft_instance *inst, const struct ft_iface *iface)
{
	char obj[32];
	size_t h;

	for (h = 0; h < sizeof(link_hooks) / sizeof(link_hooks[0]); h++) {
		attach_link_pin_name(obj, sizeof(obj), link_hooks[h], iface);
		pin_unlink(inst->pin, obj);
	}
}

void attach_unpin(struct ft_instance *inst)
{
	int i;

	catalog_for_each_iface(&inst->cat, i)
		if (!inst->cat.ifaces[i].gone)
			unpin_iface(inst, &inst->cat.ifaces[i]);
}

/* A pinned instance makes the catalog durable before the kernel changes
 * (instance.h): a kill then finds every slot the programs may count in. */
static int attach_checkpoint(struct ft_instance *inst)
{
	return inst->checkpoint ? inst->checkpoint(inst->checkpoint_ctx, NULL) : 0;
}

/* The hooks of inst->dirmask `iface` lacks, and their pins. */
static int attach_hooks(struct ft_instance *inst, struct ft_iface *iface)
{
	struct ft_iface_links *lk = instance_links(inst, iface);
	int err = 0;

	if ((inst->cat.dirmask & FT_DIRMASK(FT_DIR_INGRESS)) && lk->xdp_link_fd < 0 &&
	    lk->tc_in_link_fd < 0)
		err = attach_ingress(inst, iface);
	test_point("attach-ingress");
	if (!err && (inst->cat.dirmask & FT_DIRMASK(FT_DIR_EGRESS)) && lk->tc_link_fd < 0 &&
	    !iface->tc_clsact)
		err = attach_tc(inst, iface);
	if (!err)
		err = pin_links(inst, iface);
	test_point("attach-pinned");
	return err;
}

/* `iface`, in the catalog (and the state) already, attached from nothing:
 * its slot given to the programs, then its hooks. */
static int attach_fresh(struct ft_instance *inst, struct ft_iface *iface)
{
	__u32 ifindex = iface->ifindex, slot = catalog_slot(&inst->cat, iface), prog_id;
	bool ours;
	int err;

	/* the slot is known before the first frame can arrive */
	err = ifslot_set(inst, ifindex, slot);
	if (err)
		return log_errno(err, "cannot give %s its slot", iface->name);
	test_point("attach-slot");
	prog_id = hookowner_flowtally(inst, ifindex, &ours);
	if (prog_id)
		return hookowner_refuse(inst, iface, NULL, prog_id, -EBUSY);
	if (ours) {	/* a killed process's, counting in a slot now ours */
		err = hookowner_detach_orphans(inst, ifindex);
		if (err)
			return log_errno(err, "cannot detach what a killed flowtally left on %s",
					 iface->name);
	}
	/* the device's own count from before the first frame is counted */
	iface_device_start(iface);
	return attach_hooks(inst, iface);
}

int attach_iface_index(struct ft_instance *inst, const char *name, __u32 ifindex, bool followed,
		       struct ft_iface **out)
{
	struct ft_iface *iface;
	int err;

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
	err = attach_checkpoint(inst);
	if (err) {
		iface->gone = true;	/* counted nothing: retired like a gone one */
		return err;
	}
	test_point("attach-saved");
	return attach_fresh(inst, iface);
}

/* Whether `obj` is a link pin of a live interface of the catalog. */
static bool pin_is_known(const struct ft_instance *inst, const char *obj)
{
	char want[32];
	size_t h;
	int i;

	catalog_for_each_iface(&inst->cat, i) {
		if (inst->cat.ifaces[i].gone)
			continue;
		for (h = 0; h < sizeof(link_hooks) / sizeof(link_hooks[0]); h++) {
			attach_link_pin_name(want, sizeof(want), link_hooks[h], &inst->cat.ifaces[i]);
			if (!strcmp(obj, want))
				return true;
		}
	}
	return false;
}

static void sweep_pin(const char *obj, void *ctx)
{
	struct ft_instance *inst = ctx;
	size_t h, len;

	for (h = 0; h < sizeof(link_hooks) / sizeof(link_hooks[0]); h++) {
		len = strlen(link_hooks[h]);
		if (!strncmp(obj, link_hooks[h], len) && obj[len] == '_' &&
		    !pin_is_known(inst, obj)) {
			log_debug("removing the link pin %s the state does not know", obj);
			pin_unlink(inst->pin, obj);
			return;
		}
	}
}

/* ft_ifslot entries of no interface of the catalog's (a kill inside an
 * attach or a leave), or pointing at another slot: deleted. The gone ones
 * not yet left keep theirs until attach_leave. */
static void sweep_ifslot(struct ft_instance *inst)
{
	__u32 key, next, slot, n = 0, cap = 256, *stale = malloc(cap * sizeof(*stale));
	const struct ft_iface *ifc;
	bool first = true, keep;
	int i;

	if (!stale)
		return;
	while (!bpf_map_get_next_key(inst->ifslot_fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(inst->ifslot_fd, &key, &slot))
			continue;
		keep = false;
		catalog_for_each_iface(&inst->cat, i) {
			ifc = &inst->cat.ifaces[i];
			if (ifc->ifindex == key && (__u32)i == slot &&
			    (!ifc->gone || ifc->left_unsynced))
				keep = true;
		}
		if (!keep && n < cap)
			stale[n++] = key;
	}
	while (n--) {
		log_debug("ifindex %u: removing a slot the state does not know", stale[n]);
		bpf_map_delete_elem(inst->ifslot_fd, &stale[n]);
	}
	free(stale);
	ifslot_cache_rebuild(inst);
}

int attach_repair(struct ft_instance *inst)
{
	struct ft_iface_links *lk;
	struct ft_iface *iface;
	bool in, eg;
	int i, err;

	sweep_ifslot(inst);
	pin_for_each_object(inst->pin, sweep_pin, inst);
	catalog_for_each_iface(&inst->cat, i) {
		iface = &inst->cat.ifaces[i];
		lk = &inst->links[i];
		if (iface->gone)
			continue;
		in = !(inst->cat.dirmask & FT_DIRMASK(FT_DIR_INGRESS)) || lk->xdp_link_fd >= 0 ||
		     lk->tc_in_link_fd >= 0;
		eg = !(inst->cat.dirmask & FT_DIRMASK(FT_DIR_EGRESS)) || lk->tc_link_fd >= 0;
		if (in && eg)
			continue;
		/* a kill inside its attach: attached again, from nothing */
		log_info("%s: not all its links were pinned: attaching it again", iface->name);
		unpin_iface(inst, iface);
		detach_iface(inst, iface);
		err = attach_fresh(inst, iface);
		if (err) {	/* let go of by the first look (check_attached) */
			unpin_iface(inst, iface);
			detach_iface(inst, iface);
			iface->gone = true;
			iface->unread = (1u << FT_GENERATIONS) - 1;
			iface->left_unsynced = true;
			continue;
		}
		snprintf(iface->hook_reason, sizeof(iface->hook_reason), "attached again");
	}
	return 0;
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
	(void)inst;	/* the link pins go by ifindex: nothing to move */
	snprintf(iface->name, sizeof(iface->name), "%s", name);
}

void attach_leave(struct ft_instance *inst, struct ft_iface *iface)
{
	__u32 ifindex = iface->ifindex;

	if (inst->pin[0])
		unpin_iface(inst, iface);
	test_point("leave-unpinned");
	detach_iface(inst, iface);
	instance_free_xdp_dev(inst, iface);
	/* frames from here on count in FT_IFACE_OTHER; the ones before are
	 * in this slot of either generation until both were read */
	ifslot_clear(inst, ifindex);
	iface->gone = true;
	iface->unread = (1u << FT_GENERATIONS) - 1;
}

static bool link_live(int fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return true;	/* nothing to say otherwise */
	if (info.type != BPF_LINK_TYPE_XDP && info.type != FT_BPF_LINK_TYPE_TCX)
		return true;
	return info.xdp.ifindex != 0;	/* the kernel zeroes it when it detaches */
}

bool attach_links_live(struct ft_instance *inst, const struct ft_iface *iface)
{
	const struct ft_iface_links *lk = instance_links(inst, iface);

	return link_live(lk->xdp_link_fd) && link_live(lk->tc_in_link_fd) &&
	       link_live(lk->tc_link_fd);
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
