/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Putting the programs on interfaces and taking them off: XDP and tcx links,
 * which the kernel removes when their last fd closes, so a killed flowtally
 * leaves nothing attached. A clsact filter is the fallback for kernels
 * without tcx.
 */
#ifndef FT_ATTACH_H
#define FT_ATTACH_H

#include "instance.h"

/* Registers `name` in the lowest free interface slot and attaches the
 * programs of inst->dirmask. 0 or -errno (message printed). */
int attach_iface(struct ft_instance *inst, const char *name);
/* The same for a device known by index; `followed`: it matched a pattern.
 * *out: its catalog entry once it has one, even on failure (then take it
 * off with attach_leave). */
int attach_iface_index(struct ft_instance *inst, const char *name, __u32 ifindex, bool followed,
		       struct ft_iface **out);
/* A followed interface renamed to a name still selected: the catalog and
 * the link pins (named by ifindex) stay. */
void attach_rename(struct ft_instance *inst, struct ft_iface *iface, const char *name);
/* An interface leaves (deleted, renamed out of the patterns): detached and
 * unpinned, its slot forgotten by the programs. It stays in the catalog,
 * gone, until its last counts were read and reported (follow_retire). */
void attach_leave(struct ft_instance *inst, struct ft_iface *iface);
/* A pinned instance's interfaces (from its state): opens their pinned links. */
int attach_adopt(struct ft_instance *inst);
/* After attach_adopt, in the process that takes the instance over: removes
 * the ft_ifslot entries and link pins the state does not know (a kill inside
 * an attach or a leave), and attaches again an interface not all of whose
 * links were pinned; one that cannot be is left gone. 0 or -errno. */
int attach_repair(struct ft_instance *inst);
/* The pin of `iface`'s link of `hook` ("xdp", "tcxin", "tcx"): named by
 * ifindex, which two live devices never share (names move and swap). */
void attach_link_pin_name(char *buf, size_t len, const char *hook, const struct ft_iface *iface);
/* Removes the link pins: the links go when their fds close. */
void attach_unpin(struct ft_instance *inst);
/* Whether the kernel still has `iface`'s links attached (a device deleted
 * detaches them, even when another one takes its name and ifindex). */
bool attach_links_live(struct ft_instance *inst, const struct ft_iface *iface);
/* Takes the programs off; safe to call twice. */
void detach_iface(struct ft_instance *inst, struct ft_iface *iface);

#endif
