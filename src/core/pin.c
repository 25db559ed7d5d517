// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "log.h"
#include "ident.h"
#include "pin.h"

#define BPF_FS_MAGIC 0xcafe4a11

/* A folder flowtally pins into is a folder, not a link planted there. */
static int real_dir(const char *path)
{
	struct stat st;

	if (lstat(path, &st))	/* gone already (see pin_create_dir): nothing planted */
		return errno == ENOENT ? 0 : log_errno(-errno, "cannot use %s", path);
	if (!S_ISDIR(st.st_mode)) {
		log_err("%s is not a folder (a link?): flowtally pins only into its own folders; "
			"remove it",
			path);
		return -ENOTDIR;
	}
	return 0;
}

int pin_prepare(void)
{
	struct statfs fs;

	if (statfs(FT_BPFFS, &fs) || fs.f_type != BPF_FS_MAGIC) {
		if (mount("bpf", FT_BPFFS, "bpf", 0, "mode=0700")) {
			log_err("bpffs is not mounted at %s and mounting it failed (%s): mount it "
				"with 'mount -t bpf bpf %s'",
				FT_BPFFS, strerror(errno), FT_BPFFS);
			return -ENOTSUP;
		}
		log_info("mounted bpffs at %s", FT_BPFFS);
	}
	if (mkdir(FT_PIN_ROOT, 0700) && errno != EEXIST)
		return log_errno(-errno, "cannot create %s", FT_PIN_ROOT);
	return real_dir(FT_PIN_ROOT);
}

int pin_path(char *buf, size_t len, const char *name, const char *obj)
{
	/* the one place pin paths are made: nothing but a name gets in */
	if (!valid_instance_name(name) || (obj && (!*obj || strchr(obj, '/') || obj[0] == '.')))
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s/%s%s%s", FT_PIN_ROOT, name, obj ? "/" : "",
			     obj ? obj : "") >= len)
		return -ENAMETOOLONG;
	return 0;
}

int pin_instance_check(const char *name)
{
	char path[256];
	struct stat st;
	int err = pin_path(path, sizeof(path), name, NULL);

	if (err)
		return err;
	/* lstat: a symlink planted there is not an instance */
	if (lstat(path, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOENT;
}

bool pin_instance_exists(const char *name)
{
	return !pin_instance_check(name);
}

int pin_create_dir(const char *name)
{
	char path[256];
	int tries;

	if (pin_path(path, sizeof(path), name, NULL))
		return -ENAMETOOLONG;
	/* Another instance that exits removes the flowtally folder when it
	 * looks empty, maybe just after pin_prepare made it: make it again.
	 * Once this instance's folder is in it, it stays. */
	for (tries = 0; tries < 10; tries++) {
		if (mkdir(FT_PIN_ROOT, 0700) && errno != EEXIST)
			return log_errno(-errno, "cannot create %s", FT_PIN_ROOT);
		if (!mkdir(path, 0700) || errno == EEXIST)
			return real_dir(path);
		if (errno != ENOENT)
			break;
	}
	return log_errno(-errno, "cannot create %s", path);
}

int pin_object(int fd, const char *name, const char *obj)
{
	char path[256];

	if (pin_path(path, sizeof(path), name, obj))
		return -ENAMETOOLONG;
	pin_unlink(name, obj);	/* a pin left by a crash between pin and record */
	if (bpf_obj_pin(fd, path))
		return log_errno(-errno, "cannot pin %s", path);
	return 0;
}

int pin_open(const char *name, const char *obj)
{
	char path[256];
	int fd;

	if (pin_path(path, sizeof(path), name, obj))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

/* The instance's folder, opened without following a link on the way. */
static int open_instance_dir(const char *name)
{
	int root, dfd;

	if (!valid_instance_name(name))
		return -EINVAL;
	root = open(FT_PIN_ROOT, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0)
		return -errno;
	dfd = openat(root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		dfd = -errno;
	close(root);
	return dfd;
}

void pin_unlink(const char *name, const char *obj)
{
	char path[256];
	int dfd;

	if (!obj || pin_path(path, sizeof(path), name, obj))
		return;
	dfd = open_instance_dir(name);
	if (dfd < 0)
		return;
	unlinkat(dfd, obj, 0);
	close(dfd);
}

/* Relative to the flowtally folder opened without following links: only
 * what lies in FT_PIN_ROOT/name itself is removed, whatever links were
 * planted on the way. */
void pin_remove_instance(const char *name)
{
	struct dirent *de;
	int root, dfd;
	DIR *d;

	if (!valid_instance_name(name))
		return;
	root = open(FT_PIN_ROOT, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0)
		return;
	dfd = openat(root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (d) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				unlinkat(dfd, de->d_name, 0);
		closedir(d);
	} else if (dfd >= 0) {
		close(dfd);
	}
	unlinkat(root, name, AT_REMOVEDIR);
	close(root);
	rmdir(FT_PIN_ROOT);	/* only if no other instance is pinned */
}

void pin_for_each_object(const char *name, void (*fn)(const char *obj, void *ctx), void *ctx)
{
	struct dirent *de;
	DIR *d;
	int dfd;

	dfd = open_instance_dir(name);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	/* fn may unlink the entry just read: readdir goes on past it */
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			fn(de->d_name, ctx);
	closedir(d);
}

int pin_for_each(void (*fn)(const char *name, void *ctx), void *ctx)
{
	DIR *d = opendir(FT_PIN_ROOT);
	struct dirent *de;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		/* what flowtally could not have made is not listed */
		if (de->d_type != DT_DIR || !valid_instance_name(de->d_name))
			continue;
		fn(de->d_name, ctx);
		n++;
	}
	closedir(d);
	return n;
}
