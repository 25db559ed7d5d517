/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Whose programs are on an interface's hooks. tcx takes any number of
 * programs, and XDP and tcx both see ingress, so a second flowtally on an
 * interface would count its frames twice: it is refused. This instance's
 * own programs there (they use its maps) are orphans of a killed process:
 * detached, not refused.
 */
#ifndef FT_HOOKOWNER_H
#define FT_HOOKOWNER_H

#include <stdbool.h>

#include "instance.h"

/* Debian 12's uapi headers predate tcx; the kernel has it (6.6+). */
#define FT_BPF_TCX_INGRESS 46
#define FT_BPF_TCX_EGRESS 47
/* a tcx link's info starts with its ifindex, where an XDP link's has it */
#define FT_BPF_LINK_TYPE_TCX 11

/* Says who holds `iface` (a pinned instance other than `inst` by name, an XDP program when
 * `what` is "XDP", else another flowtally's program `prog_id`); returns err. */
int hookowner_refuse(const struct ft_instance *inst, const struct ft_iface *iface, const char *what,
		     __u32 prog_id, int err);
/* Another flowtally's program on one of the hooks of `ifindex`: its id, 0 if
 * none; *ours: one of this instance's is there. */
__u32 hookowner_flowtally(const struct ft_instance *inst, __u32 ifindex, bool *ours);
/* Detaches every link of this instance's programs on `ifindex`, whoever
 * holds it. 0 or -errno. */
int hookowner_detach_orphans(const struct ft_instance *inst, __u32 ifindex);

#endif
