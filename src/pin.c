// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "log.h"
#include "pin.h"

#define BPF_FS_MAGIC 0xcafe4a11

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
	return 0;
}

int pin_path(char *buf, size_t len, const char *name, const char *obj)
{
	if ((size_t)snprintf(buf, len, "%s/%s%s%s", FT_PIN_ROOT, name, obj ? "/" : "",
			     obj ? obj : "") >= len)
		return -ENAMETOOLONG;
	return 0;
}

bool pin_instance_exists(const char *name)
{
	char path[256];
	struct stat st;

	return !pin_path(path, sizeof(path), name, NULL) && !stat(path, &st) &&
	       S_ISDIR(st.st_mode);
}

int pin_create_dir(const char *name)
{
	char path[256];

	if (pin_path(path, sizeof(path), name, NULL))
		return -ENAMETOOLONG;
	if (mkdir(path, 0700) && errno != EEXIST)
		return log_errno(-errno, "cannot create %s", path);
	return 0;
}

int pin_object(int fd, const char *name, const char *obj)
{
	char path[256];

	if (pin_path(path, sizeof(path), name, obj))
		return -ENAMETOOLONG;
	unlink(path);	/* a pin left by a crash between pin and record */
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

void pin_unlink(const char *name, const char *obj)
{
	char path[256];

	if (!pin_path(path, sizeof(path), name, obj))
		unlink(path);
}

void pin_remove_instance(const char *name)
{
	char path[256];
	struct dirent *de;
	DIR *d;

	if (pin_path(path, sizeof(path), name, NULL))
		return;
	d = opendir(path);
	if (d) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				pin_unlink(name, de->d_name);
		closedir(d);
	}
	rmdir(path);
	rmdir(FT_PIN_ROOT);	/* only if no other instance is pinned */
}

int pin_for_each(void (*fn)(const char *name, void *ctx), void *ctx)
{
	DIR *d = opendir(FT_PIN_ROOT);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		fn(de->d_name, ctx);
		n++;
	}
	closedir(d);
	return n;
}
