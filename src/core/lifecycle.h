/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Opening and closing an instance: every kernel object it holds has one owner
 * and one place it is freed, instance_close(). */
#ifndef FT_LIFECYCLE_H
#define FT_LIFECYCLE_H

#include <stdbool.h>

#include "instance.h"

/* Loads the programs and creates every map, with slots for `max_ifaces`
 * interfaces (--max-interfaces), but attaches nothing. 0 or -errno;
 * on failure the message is already printed. */
int instance_open(struct ft_instance *inst, __u8 dirmask, bool verbose, __u32 max_ifaces);
/* The same for an instance pinned as `name`: new (its maps pinned) or, with
 * `adopt`, the one the pins hold (maps reused, no program loaded: the
 * pinned links keep theirs). */
int instance_open_pinned(struct ft_instance *inst, const char *name, __u8 dirmask,
			 __u32 max_ifaces, bool verbose, bool adopt);
/* Detaches, then frees every program, map and link. Safe on a partial open. */
void instance_close(struct ft_instance *inst);

#endif
