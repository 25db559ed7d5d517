// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Whose programs are on an interface's hooks: another program's, another
 * flowtally's, or this instance's own left by a killed process. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hookowner.h"
#include "log.h"
#include "netdev.h"
#include "state.h"

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
int hookowner_refuse(const struct ft_instance *inst, const struct ft_iface *iface, const char *what,
		     __u32 prog_id, int err)
{
	char owner[64], prog[64];

	/* its own state has the interface already (saved before attaching) */
	if (!state_find_iface(iface->name, inst->pin[0] ? inst->pin : NULL, owner, sizeof(owner))) {
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

static __u32 map_id_of(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

/* Whether program `id` is one of this instance's: it uses its ft_ifcnt (a
 * device-bound XDP copy is a program of its own, with the same maps). */
static bool prog_is_ours(const struct ft_instance *inst, __u32 id)
{
	__u32 ids[32], want = map_id_of(inst->ifcnt_fd), i;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	bool yes = false;
	int fd;

	if (!want)
		return false;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return false;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		for (i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++)
			yes |= ids[i] == want;
	close(fd);
	return yes;
}

/*
 * A flowtally program already on one of the interface's hooks: its id, 0 if
 * none. tcx takes any number of programs, and XDP and tcx both see ingress,
 * so a second instance would count the same frames twice. This instance's
 * own programs are left out: on an interface it attaches afresh they are
 * orphans of a killed process (see hookowner_detach_orphans).
 */
__u32 hookowner_flowtally(const struct ft_instance *inst, __u32 ifindex, bool *ours)
{
	static const int types[] = { FT_BPF_TCX_INGRESS, FT_BPF_TCX_EGRESS };
	__u32 ids[64], cnt, i, xdp_id;
	size_t t;

	*ours = false;
	if (!netdev_xdp_prog(ifindex, &xdp_id) && xdp_id && is_flowtally_prog(xdp_id)) {
		if (!prog_is_ours(inst, xdp_id))
			return xdp_id;
		*ours = true;
	}
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		cnt = 64;
		if (bpf_prog_query((int)ifindex, types[t], 0, NULL, ids, &cnt))
			continue;
		for (i = 0; i < cnt && i < 64; i++) {
			if (!is_flowtally_prog(ids[i]))
				continue;
			if (!prog_is_ours(inst, ids[i]))
				return ids[i];
			*ours = true;
		}
	}
	return 0;
}

/*
 * Links of this instance's programs on `ifindex` that it holds no fd of: a
 * process killed between attaching and saving its state left them (pinned
 * under a name the state does not know). They are detached, whoever holds
 * them, so that the interface is attached once. 0 or -errno.
 */
int hookowner_detach_orphans(const struct ft_instance *inst, __u32 ifindex)
{
	__u32 id = 0;
	int err = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		__u32 on = 0;
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			if (info.type == BPF_LINK_TYPE_XDP || info.type == FT_BPF_LINK_TYPE_TCX)
				on = info.xdp.ifindex;
		}
		if (on == ifindex && prog_is_ours(inst, info.prog_id)) {
			log_debug("ifindex %u: detaching orphan link %u of this instance", ifindex,
				  id);
			if (bpf_link_detach(fd) && !err)
				err = -errno;
		}
		close(fd);
	}
	return err;
}
