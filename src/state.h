/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The state of a pinned instance that lives outside the kernel: its
 * interfaces, its tables and the totals userspace has read so far, in
 * /var/lib/flowtally/NAME.state. Written whole after every read of a
 * generation (temp file, fsync, rename), together with the flip it is
 * complete through, so that a restart knows whether the generation left in
 * the maps was already added: state.flips == maps' flips means yes,
 * state.flips == flips - 1 means it still has to be.
 */
#ifndef FT_STATE_H
#define FT_STATE_H

#include "counts.h"
#include "instance.h"

#define FT_STATE_DIR		"/var/lib/flowtally"
#define FT_STATE_VERSION	1

int state_save(const char *name, const struct ft_instance *inst, const struct ft_counts *total,
	       __u64 flips);
/* Fills the instance's interfaces and tables (no fds) and the totals.
 * -ENOENT when there is no state, -EPROTO for another layout version (message
 * printed). */
int state_load(const char *name, struct ft_instance *inst, struct ft_counts *total,
	       __u64 *flips);
void state_remove(const char *name);
/* The pinned instance that counts on interface `ifname`: 0 with its name in
 * `name`, or -ENOENT. */
int state_find_iface(const char *ifname, char *name, size_t len);

#endif
