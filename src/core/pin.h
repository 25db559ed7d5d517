/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Pins of an instance that outlives its process: its links and maps under
 * /sys/fs/bpf/flowtally/NAME/, mode 0700. Links keep the programs attached
 * and counting when no process runs; the outer maps keep the inner maps.
 */
#ifndef FT_PIN_H
#define FT_PIN_H

#include <stdbool.h>
#include <stddef.h>

#define FT_BPFFS	"/sys/fs/bpf"
#define FT_PIN_ROOT	FT_BPFFS "/flowtally"

/* Makes sure bpffs is mounted at /sys/fs/bpf (mounts it if not) and the
 * flowtally folder exists. 0 or -errno (message printed). */
int pin_prepare(void);
/* Path of object `obj` of instance `name`; -EINVAL when `name` is not a
 * valid instance name or `obj` not a plain file name. */
int pin_path(char *buf, size_t len, const char *name, const char *obj);
/* 0 when the instance is pinned, -ENOENT when not, -EACCES when this user
 * may not look. */
int pin_instance_check(const char *name);
bool pin_instance_exists(const char *name);
int pin_create_dir(const char *name);
/* Pins `fd` as `obj`; -errno (message printed). */
int pin_object(int fd, const char *name, const char *obj);
/* A new fd of a pinned object, or -errno. */
int pin_open(const char *name, const char *obj);
void pin_unlink(const char *name, const char *obj);
/* Removes every pin of the instance and its folder, and the flowtally
 * folder too once empty. */
void pin_remove_instance(const char *name);
/* Calls fn for every object pinned in instance `name`'s folder. */
void pin_for_each_object(const char *name, void (*fn)(const char *obj, void *ctx), void *ctx);
/* Calls fn for every pinned instance; returns how many, or -errno when the
 * folder cannot be read (-EACCES: not root). */
int pin_for_each(void (*fn)(const char *name, void *ctx), void *ctx);

#endif
