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
/* The same for an instance pinned as `name`: new (its maps pinned) or the
 * one the pins hold (maps reused; the pinned links keep their programs, so
 * programs load only to attach more interfaces). */
enum ft_open {
	FT_OPEN_NEW,		/* new maps, pinned */
	FT_OPEN_INSPECT,	/* the pinned maps, no program loaded */
	FT_OPEN_ADOPT,		/* the pinned maps, and programs to attach more
				 * interfaces with (an instance that follows
				 * patterns) */
};

int instance_open_pinned(struct ft_instance *inst, const char *name, __u8 dirmask,
			 __u32 max_ifaces, bool verbose, enum ft_open how);
/* Detaches, then frees every program, map and link. Safe on a partial open. */
void instance_close(struct ft_instance *inst);

#endif
