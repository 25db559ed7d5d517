// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "state.h"

#define STATE_MAGIC "FTSTATE"

struct state_header {
	char magic[8];
	__u32 version;		/* FT_STATE_VERSION */
	__u32 abi_version;	/* FT_ABI_VERSION: the key and counter layout */
	__u64 flips;		/* complete through this flip */
	double start;
	__u32 dirmask;
	__u32 xdp_mode;
	__u32 nr_ifaces;
	__u32 _pad;
	__u64 nr_entries;
};

struct state_iface {
	char name[IF_NAMESIZE];
	__u32 ifindex;
	__u32 _pad;
};

struct state_table {
	struct table_spec spec;
	struct ft_table_cfg cfg;
	__u8 used;
	__u8 removed;
	__u8 _pad[6];
};

static int state_path(char *buf, size_t len, const char *name, const char *suffix)
{
	if ((size_t)snprintf(buf, len, "%s/%s.state%s", FT_STATE_DIR, name, suffix) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int write_all(FILE *f, const void *p, size_t len)
{
	return fwrite(p, 1, len, f) == len ? 0 : -EIO;
}

static int write_state(FILE *f, const struct ft_instance *inst, const struct ft_counts *total,
		       __u64 flips)
{
	struct state_header h = {
		.magic = STATE_MAGIC,
		.version = FT_STATE_VERSION,
		.abi_version = FT_ABI_VERSION,
		.flips = flips,
		.start = total->start,
		.dirmask = inst->dirmask,
		.xdp_mode = inst->xdp_mode,
		.nr_ifaces = (__u32)inst->nr_ifaces,
		.nr_entries = total->nr_entries,
	};
	int i, err;

	err = write_all(f, &h, sizeof(h));
	for (i = 0; !err && i < inst->nr_ifaces; i++) {
		struct state_iface si = { .ifindex = inst->ifaces[i].ifindex };

		memcpy(si.name, inst->ifaces[i].name, sizeof(si.name));
		err = write_all(f, &si, sizeof(si));
	}
	for (i = 0; !err && i < FT_MAX_TABLES; i++) {
		const struct ft_table *t = &inst->tables[i];
		struct state_table st = { .spec = t->spec, .cfg = t->cfg, .used = t->used,
					  .removed = t->removed };

		err = write_all(f, &st, sizeof(st));
	}
	if (!err)
		err = write_all(f, total->iface, sizeof(total->iface));
	if (!err)
		err = write_all(f, total->table, sizeof(total->table));
	if (!err)
		err = write_all(f, total->evicted, sizeof(total->evicted));
	if (!err && total->nr_entries)
		err = write_all(f, total->entries, total->nr_entries * sizeof(*total->entries));
	return err;
}

int state_save(const char *name, const struct ft_instance *inst, const struct ft_counts *total,
	       __u64 flips)
{
	char path[256], tmp[256];
	FILE *f = NULL;
	int err, dfd;

	if (state_path(path, sizeof(path), name, "") || state_path(tmp, sizeof(tmp), name, ".tmp"))
		return -ENAMETOOLONG;
	if (mkdir(FT_STATE_DIR, 0700) && errno != EEXIST)
		return log_errno(-errno, "cannot create %s", FT_STATE_DIR);
	f = fopen(tmp, "we");
	if (!f)
		return log_errno(-errno, "cannot write %s", tmp);
	err = write_state(f, inst, total, flips);
	if (!err && (fflush(f) || fsync(fileno(f))))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return log_errno(err, "cannot save the counts to %s", path);
	}
	/* the rename itself must reach the disk before the maps are emptied */
	dfd = open(FT_STATE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int read_all(FILE *f, void *p, size_t len)
{
	return fread(p, 1, len, f) == len ? 0 : -EIO;
}

int state_load(const char *name, struct ft_instance *inst, struct ft_counts *total,
	       __u64 *flips)
{
	struct state_header h;
	char path[256];
	__u32 i;
	int err;
	FILE *f;

	if (state_path(path, sizeof(path), name, ""))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	err = read_all(f, &h, sizeof(h));
	if (!err && (memcmp(h.magic, STATE_MAGIC, sizeof(h.magic)) ||
		     h.version != FT_STATE_VERSION || h.abi_version != FT_ABI_VERSION)) {
		log_err("%s has layout version %u/%u, this flowtally reads %u/%u: stop that "
			"instance with the flowtally that made it",
			path, h.version, h.abi_version, FT_STATE_VERSION, FT_ABI_VERSION);
		err = -EPROTO;
		goto out;
	}
	if (!err && h.nr_ifaces > FT_MAX_IFACES)
		err = -EIO;
	inst->dirmask = (__u8)h.dirmask;
	inst->xdp_mode = h.xdp_mode;
	inst->nr_ifaces = (int)h.nr_ifaces;
	for (i = 0; !err && i < h.nr_ifaces; i++) {
		struct state_iface si;

		err = read_all(f, &si, sizeof(si));
		memcpy(inst->ifaces[i].name, si.name, sizeof(si.name));
		inst->ifaces[i].name[IF_NAMESIZE - 1] = '\0';
		inst->ifaces[i].ifindex = si.ifindex;
	}
	for (i = 0; !err && i < FT_MAX_TABLES; i++) {
		struct state_table st;

		err = read_all(f, &st, sizeof(st));
		inst->tables[i].spec = st.spec;
		inst->tables[i].cfg = st.cfg;
		inst->tables[i].used = st.used;
		inst->tables[i].removed = st.removed;
		inst->tables[i].removal_reported = st.removed;
	}
	counts_reset(total);
	if (!err)
		err = read_all(f, total->iface, sizeof(total->iface));
	if (!err)
		err = read_all(f, total->table, sizeof(total->table));
	if (!err)
		err = read_all(f, total->evicted, sizeof(total->evicted));
	for (i = 0; !err && i < h.nr_entries; i++) {
		struct ft_entry e;

		err = read_all(f, &e, sizeof(e));
		if (!err)
			err = counts_append(total, e.table, &e.key, &e.val);
	}
	total->start = h.start;
	*flips = h.flips;
	if (err == -EIO)
		log_err("%s is cut short or damaged", path);
out:
	fclose(f);
	return err;
}

void state_remove(const char *name)
{
	char path[256];

	if (!state_path(path, sizeof(path), name, ""))
		unlink(path);
	rmdir(FT_STATE_DIR);	/* only when empty */
}

int state_find_iface(const char *ifname, char *name, size_t len)
{
	DIR *d = opendir(FT_STATE_DIR);
	struct dirent *de;
	int found = -ENOENT;

	if (!d)
		return -ENOENT;
	while (found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct ft_instance *inst;
		struct ft_counts total;
		__u64 flips;
		int i;

		if (n <= 6 || strcmp(de->d_name + n - 6, ".state"))
			continue;
		snprintf(name, len, "%.*s", (int)(n - 6), de->d_name);
		inst = calloc(1, sizeof(*inst));
		if (!inst)
			break;
		counts_init(&total);
		if (!state_load(name, inst, &total, &flips))
			for (i = 0; i < inst->nr_ifaces && found; i++)
				if (!strcmp(inst->ifaces[i].name, ifname))
					found = 0;
		counts_free(&total);
		free(inst);
	}
	closedir(d);
	return found;
}
