// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"
#include "ident.h"
#include "catalog.h"
#include "state.h"
#include "testpoint.h"

#define STATE_MAGIC "FTSTATE"
/* A state file larger than this is not one flowtally wrote: 3 x 2^24 keys
 * per table would not fit memory first. */
#define STATE_MAX_SIZE (1ull << 36)

struct state_header {
	char magic[8];
	__u32 version;		/* FT_STATE_VERSION */
	__u32 abi_version;	/* FT_ABI_VERSION: the key and counter layout */
	__u64 flips;		/* statistics; a check that the maps are these */
	double start;
	__u32 dirmask;
	__u32 xdp_mode;
	__u32 nr_ifaces;	/* interface slots in the file: the catalog's nr_ifaces */
	__u32 crc;		/* crc32 of the whole file, this field taken as 0 */
	__u64 size;		/* of the whole file */
	__u64 nr_entries;	/* of the totals */
	__u64 nr_base[FT_GENERATIONS];
	__u32 max_ifaces;	/* the instance's interface capacity (its maps') */
	__u32 _pad;
	__u64 ifaces_retired;
};

/* One interface slot; an unused one is all zero. */
struct state_iface {
	char name[IF_NAMESIZE];
	__u32 ifindex;
	__u8 used;
	__u8 gone;
	__u8 followed;
	__u8 unread;		/* generations still to read: bits 0 and 1 */
	__u8 _pad[8];
};

struct state_table {
	struct table_spec spec;
	struct ft_table_cfg cfg;
	__u8 used;
	__u8 removed;
	__u8 _pad[2];
	__u32 id;		/* struct ft_table's, 1 to FT_TABLE_ID_MAX */
};

/* The counters of a counts, as the file has them: per table, and per
 * interface slot (nr_ifaces of them). */
#define TABLE_COUNTERS_SIZE sizeof(((struct ft_counts *)0)->table)
#define TOTAL_ARRAYS_SIZE (TABLE_COUNTERS_SIZE + sizeof(((struct ft_counts *)0)->evicted) + \
			   sizeof(ft_ifcounts))

static int state_path(char *buf, size_t len, const char *name, const char *suffix)
{
	if ((size_t)snprintf(buf, len, "%s.state%s", name, suffix) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static __u64 state_size(__u32 nr_ifaces, __u64 nr_entries, const __u64 nr_base[FT_GENERATIONS])
{
	__u64 ifc = (__u64)nr_ifaces * sizeof(ft_ifcounts);
	__u64 size = sizeof(struct state_header) + nr_ifaces * sizeof(struct state_iface) +
		     FT_MAX_TABLES * sizeof(struct state_table) + TOTAL_ARRAYS_SIZE + ifc +
		     nr_entries * sizeof(struct ft_entry);
	int g;

	for (g = 0; g < FT_GENERATIONS; g++)
		size += TABLE_COUNTERS_SIZE + ifc + nr_base[g] * sizeof(struct ft_entry);
	return size;
}

static __u32 state_crc(const unsigned char *buf, size_t len)
{
	const size_t at = offsetof(struct state_header, crc);
	const __u32 zero = 0;
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc32(crc, buf, at);
	crc = crc32(crc, (const Bytef *)&zero, sizeof(zero));
	crc = crc32_z(crc, buf + at + sizeof(zero), len - at - sizeof(zero));
	return (__u32)crc;
}

static unsigned char *put(unsigned char *p, const void *src, size_t len)
{
	if (len)
		memcpy(p, src, len);
	return p + len;
}

/* Slots [0, n) of a counts' interface counters; those it lacks are zero
 * (the buffer is zeroed). */
static unsigned char *put_ifcounts(unsigned char *p, const struct ft_counts *c, __u32 n)
{
	__u32 have = c->nr_iface < n ? c->nr_iface : n;

	put(p, c->iface, (size_t)have * sizeof(ft_ifcounts));
	return p + (size_t)n * sizeof(ft_ifcounts);
}

int state_encode(const struct ft_instance *inst, const struct ft_counts *total, __u64 flips,
		 void **buf, size_t *len)
{
	struct state_header h = {
		.magic = STATE_MAGIC,
		.version = FT_STATE_VERSION,
		.abi_version = FT_ABI_VERSION,
		.flips = flips,
		.start = total->start,
		.dirmask = inst->cat.dirmask,
		.xdp_mode = inst->xdp_mode,
		.nr_ifaces = (__u32)inst->cat.nr_ifaces,
		.nr_entries = total->nr_entries,
		.max_ifaces = inst->cat.max_ifaces,
		.ifaces_retired = inst->cat.ifaces_retired,
	};
	unsigned char *b, *p;
	int i, g;

	for (g = 0; g < FT_GENERATIONS; g++)
		h.nr_base[g] = inst->base[g].nr_entries;
	h.size = state_size(h.nr_ifaces, h.nr_entries, h.nr_base);
	b = calloc(1, h.size);
	if (!b)
		return -ENOMEM;
	p = put(b, &h, sizeof(h));
	for (i = 0; i < inst->cat.nr_ifaces; i++) {
		const struct ft_iface *ifc = &inst->cat.ifaces[i];
		struct state_iface si = {};

		if (ifc->used) {
			memcpy(si.name, ifc->name, sizeof(si.name));
			si.ifindex = ifc->ifindex;
			si.used = 1;
			si.gone = ifc->gone;
			si.followed = ifc->followed;
			si.unread = ifc->unread;
		}
		p = put(p, &si, sizeof(si));
	}
	for (i = 0; i < FT_MAX_TABLES; i++) {
		const struct ft_table *t = &inst->cat.tables[i];
		struct state_table st = { .spec = t->spec, .cfg = t->cfg, .used = t->used,
					  .removed = t->removed, .id = t->id };

		p = put(p, &st, sizeof(st));
	}
	p = put(p, total->table, sizeof(total->table));
	p = put(p, total->evicted, sizeof(total->evicted));
	p = put(p, total->removed, sizeof(total->removed));
	p = put_ifcounts(p, total, h.nr_ifaces);
	p = put(p, total->entries, total->nr_entries * sizeof(*total->entries));
	for (g = 0; g < FT_GENERATIONS; g++) {
		p = put_ifcounts(p, &inst->base[g], h.nr_ifaces);
		p = put(p, inst->base[g].table, sizeof(inst->base[g].table));
		p = put(p, inst->base[g].entries,
			inst->base[g].nr_entries * sizeof(*inst->base[g].entries));
	}
	((struct state_header *)b)->crc = state_crc(b, h.size);
	*buf = b;
	*len = h.size;
	return 0;
}

static int write_full(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The state folder, opened without following a link: the names below it
 * are then resolved inside it and nowhere else. */
static int open_state_dir(void)
{
	int dfd;

	/* opened first: under a read-only /var (ProtectSystem=strict with
	 * StateDirectory=) mkdir of an existing folder fails with EROFS */
	dfd = open(FT_STATE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT) {
		if (mkdir(FT_STATE_DIR, 0700) && errno != EEXIST)
			return log_errno(-errno, "cannot create %s", FT_STATE_DIR);
		dfd = open(FT_STATE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (dfd < 0)
		return log_errno(-errno, "cannot open %s (it must be a folder, not a link)",
				 FT_STATE_DIR);
	return dfd;
}

/* A new temp file, never an existing one or a link: one left by a crash is
 * removed first. */
static int create_temp(int dfd, const char *tmp)
{
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 && errno == EEXIST && !unlinkat(dfd, tmp, 0))
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

int state_save(const char *name, const struct ft_instance *inst, const struct ft_counts *total,
	       __u64 flips)
{
	char path[128], tmp[128];
	int err, dfd, fd = -1;
	void *buf = NULL;
	size_t len;

	if (state_path(path, sizeof(path), name, "") || state_path(tmp, sizeof(tmp), name, ".tmp"))
		return log_errno(-ENAMETOOLONG, "cannot save the state of '%s'", name);
	dfd = open_state_dir();
	if (dfd < 0)
		return dfd;
	err = state_encode(inst, total, flips, &buf, &len);
	if (err)
		goto out;
	fd = create_temp(dfd, tmp);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	err = write_full(fd, buf, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	test_point("save-written");
	/* the rename reaches the disk before any map changes after it */
	if (!err && renameat(dfd, tmp, dfd, path))
		err = -errno;
	if (!err && fsync(dfd))
		err = -errno;
	if (err)
		unlinkat(dfd, tmp, 0);
out:
	free(buf);
	close(dfd);
	if (err)
		return log_errno(err, "cannot save the counts to %s/%s", FT_STATE_DIR, path);
	return 0;
}

/* A reader over a file's bytes that refuses to run past the end. */
struct cursor {
	const unsigned char *p, *end;
};

static int take(struct cursor *c, void *dst, size_t len)
{
	if ((size_t)(c->end - c->p) < len)
		return -EBADMSG;
	memcpy(dst, c->p, len);
	c->p += len;
	return 0;
}

static int refuse(char *why, size_t whylen, int err, const char *what)
{
	snprintf(why, whylen, "%s", what);
	return err;
}

static bool name_terminated(const char *name, size_t size)
{
	return memchr(name, '\0', size) != NULL;
}

/* A bool read from a file may hold any byte: looked at as one. */
static bool bool_ok(const bool *b)
{
	__u8 v;

	memcpy(&v, b, 1);
	return v <= 1;
}

static int check_table(const struct state_table *st, char *why, size_t whylen)
{
	struct ft_table_cfg cfg;

	if (st->used > 1 || st->removed > 1 || (st->removed && !st->used) ||
	    (!st->used && st->id) || st->id > FT_TABLE_ID_MAX)
		return refuse(why, whylen, -EBADMSG, "a table's flags or id");
	if (!st->used)
		return 0;
	if (!name_terminated(st->spec.name, sizeof(st->spec.name)) ||
	    !valid_table_name(st->spec.name))
		return refuse(why, whylen, -EBADMSG, "a table name");
	if (st->spec.prefix[0][FT_FAMILY_IPV4] > 32 || st->spec.prefix[1][FT_FAMILY_IPV4] > 32 ||
	    st->spec.prefix[0][FT_FAMILY_IPV6] > 128 || st->spec.prefix[1][FT_FAMILY_IPV6] > 128)
		return refuse(why, whylen, -EBADMSG, "a table's prefixes");
	if (!st->spec.fields || st->spec.fields >= FT_FIELD_BIT(FT_FIELDS) || !st->spec.size ||
	    st->spec.size > FT_TABLE_MAX_SIZE || !bool_ok(&st->spec.lru) ||
	    !bool_ok(&st->spec.idle_given) || st->spec.idle > FT_TABLE_MAX_IDLE ||
	    st->spec.dirmask > (FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS)))
		return refuse(why, whylen, -EBADMSG, "a table's key, size or direction");
	/* what the programs read must be what the spec makes */
	table_spec_to_cfg(&st->spec, st->cfg.dirmask, &cfg);
	if (!st->cfg.dirmask || memcmp(&cfg, &st->cfg, sizeof(cfg)))
		return refuse(why, whylen, -EBADMSG, "a table's masks");
	return 0;
}

static int take_entries(struct cursor *c, __u64 n, const struct ft_instance *inst,
			struct ft_counts *into, bool live_only, char *why, size_t whylen)
{
	struct ft_entry e;
	__u64 i;
	int err;

	for (i = 0; i < n; i++) {
		const struct ft_table *t;

		err = take(c, &e, sizeof(e));
		if (err)
			return refuse(why, whylen, err, "cut short");
		t = e.table < FT_MAX_TABLES ? &inst->cat.tables[e.table] : NULL;
		if (!t || !t->used || (live_only && t->removed) || e.key.dir >= FT_DIRS)
			return refuse(why, whylen, -EBADMSG, "an entry names no table");
		if (counts_append(into, e.table, &e.key, &e.val))
			return refuse(why, whylen, -ENOMEM, "out of memory");
		into->entries[into->nr_entries - 1].last_active = e.last_active;
	}
	return 0;
}

static int check_header(const struct state_header *h, size_t len, char *why, size_t whylen)
{
	if (memcmp(h->magic, STATE_MAGIC, sizeof(h->magic)))
		return refuse(why, whylen, -EBADMSG, "not a flowtally state file");
	if (h->version != FT_STATE_VERSION || h->abi_version != FT_ABI_VERSION) {
		snprintf(why, whylen, "layout version %u/%u, this flowtally reads %u/%u",
			 h->version, h->abi_version, FT_STATE_VERSION, FT_ABI_VERSION);
		return -EPROTO;
	}
	if (!h->max_ifaces || h->max_ifaces > FT_IFACES_LIMIT || h->_pad)
		return refuse(why, whylen, -EBADMSG, "its interface capacity");
	if (h->size != len || !h->nr_ifaces || h->nr_ifaces > h->max_ifaces + 1 ||
	    h->nr_entries > len / sizeof(struct ft_entry) ||
	    h->nr_base[0] > len / sizeof(struct ft_entry) ||
	    h->nr_base[1] > len / sizeof(struct ft_entry) ||
	    state_size(h->nr_ifaces, h->nr_entries, h->nr_base) != len)
		return refuse(why, whylen, -EBADMSG, "its size does not match its header");
	if (!h->dirmask || h->dirmask > (FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS)) ||
	    h->xdp_mode > XDP_MODE_GENERIC || !isfinite(h->start) || h->start < 0)
		return refuse(why, whylen, -EBADMSG, "its header");
	return 0;
}

static int check_iface(const struct state_iface *si, __u32 slot, char *why, size_t whylen)
{
	static const struct state_iface zero;

	if (!si->used)
		return memcmp(si, &zero, sizeof(zero)) ? refuse(why, whylen, -EBADMSG,
								 "an unused interface slot")
						       : 0;
	if (slot == FT_IFACE_OTHER || si->used > 1 || si->gone > 1 || si->followed > 1 ||
	    memcmp(si->_pad, zero._pad, sizeof(si->_pad)) ||
	    si->unread > (1u << FT_GENERATIONS) - 1 || (!si->gone && si->unread))
		return refuse(why, whylen, -EBADMSG, "an interface's flags");
	if (!name_terminated(si->name, sizeof(si->name)) || !si->name[0] || !si->ifindex)
		return refuse(why, whylen, -EBADMSG, "an interface");
	return 0;
}

static int cmp_ifindex(const void *a, const void *b)
{
	const struct ft_iface *x = *(const struct ft_iface *const *)a;
	const struct ft_iface *y = *(const struct ft_iface *const *)b;

	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(const struct ft_iface *const *)a)->name,
		      (*(const struct ft_iface *const *)b)->name);
}

/* Two live slots of one ifindex or one name: the programs map an ifindex to
 * one slot, and a name names one device. Sorted, not pairwise: up to 65536
 * slots. */
static int check_duplicates(const struct ft_catalog *cat, char *why, size_t whylen)
{
	const struct ft_iface **v = malloc(((size_t)cat->nr_ifaces + 1) * sizeof(*v));
	int i, n = 0, err = 0;

	if (!v)
		return refuse(why, whylen, -ENOMEM, "out of memory");
	catalog_for_each_iface(cat, i)
		if (!cat->ifaces[i].gone)
			v[n++] = &cat->ifaces[i];
	qsort(v, (size_t)n, sizeof(*v), cmp_ifindex);
	for (i = 1; i < n && !err; i++)
		if (v[i]->ifindex == v[i - 1]->ifindex)
			err = refuse(why, whylen, -EBADMSG, "two interfaces of one ifindex");
	qsort(v, (size_t)n, sizeof(*v), cmp_name);
	for (i = 1; i < n && !err; i++)
		if (!strcmp(v[i]->name, v[i - 1]->name))
			err = refuse(why, whylen, -EBADMSG, "two interfaces of one name");
	free(v);
	return err;
}

static int take_ifaces(struct cursor *c, const struct state_header *h, struct ft_instance *inst,
		       char *why, size_t whylen)
{
	struct state_iface si;
	__u32 i;
	int err;

	/* a loaded instance has its slots from its maps: they must agree */
	if (inst->cat.ifaces && inst->cat.max_ifaces != h->max_ifaces) {
		snprintf(why, whylen, "%u interface slots, its maps have %u", h->max_ifaces,
			 inst->cat.max_ifaces);
		return -EBADMSG;
	}
	if (!inst->cat.ifaces && catalog_init(&inst->cat, h->max_ifaces))
		return refuse(why, whylen, -ENOMEM, "out of memory");
	memset(inst->cat.ifaces, 0, ((size_t)h->max_ifaces + 1) * sizeof(*inst->cat.ifaces));
	for (i = 0; i < h->nr_ifaces; i++) {
		struct ft_iface *ifc = &inst->cat.ifaces[i];

		if (take(c, &si, sizeof(si)))
			return refuse(why, whylen, -EBADMSG, "cut short");
		err = check_iface(&si, i, why, whylen);
		if (err)
			return err;
		if (!si.used)
			continue;
		memcpy(ifc->name, si.name, sizeof(si.name));
		ifc->ifindex = si.ifindex;
		ifc->used = true;
		ifc->epoch = ++inst->cat.epochs;
		ifc->gone = si.gone;
		ifc->followed = si.followed;
		ifc->unread = si.unread;
	}
	inst->cat.nr_ifaces = (int)h->nr_ifaces;
	inst->cat.ifaces_retired = h->ifaces_retired;
	return check_duplicates(&inst->cat, why, whylen);
}

/* nr_ifaces slots of interface counters (the size was checked). */
static int take_ifcounts(struct cursor *c, struct ft_counts *into, __u32 n)
{
	if (counts_iface_reserve(into, n))
		return -ENOMEM;
	take(c, into->iface, (size_t)n * sizeof(ft_ifcounts));
	return 0;
}

/* Ids of the tables: each its own, and every table has one (since layout
 * version 3). */
static int check_table_ids(struct ft_instance *inst, char *why, size_t whylen)
{
	struct ft_table *t = inst->cat.tables;
	int i, j;

	for (i = 0; i < FT_MAX_TABLES; i++) {
		if (t[i].used && !t[i].id)
			return refuse(why, whylen, -EBADMSG, "a table without an id");
		for (j = 0; j < i && t[i].id; j++)
			if (t[j].id == t[i].id)
				return refuse(why, whylen, -EBADMSG, "two tables with one id");
	}
	return 0;
}

static int take_tables(struct cursor *c, struct ft_instance *inst, char *why, size_t whylen)
{
	struct state_table st;
	int i, err;

	for (i = 0; i < FT_MAX_TABLES; i++) {
		if (take(c, &st, sizeof(st)))
			return refuse(why, whylen, -EBADMSG, "cut short");
		err = check_table(&st, why, whylen);
		if (err)
			return err;
		inst->cat.tables[i].spec = st.spec;
		inst->cat.tables[i].cfg = st.cfg;
		inst->cat.tables[i].used = st.used;
		inst->cat.tables[i].removed = st.removed;
		inst->cat.tables[i].id = st.id;
		/* shown once more: its slot is taken until a record says so */
		inst->cat.tables[i].removal_reported = false;
	}
	return check_table_ids(inst, why, whylen);
}

int state_parse(const void *buf, size_t len, struct ft_instance *inst, struct ft_counts *total,
		__u64 *flips, char *why, size_t whylen)
{
	struct cursor c = { .p = buf, .end = (const unsigned char *)buf + len };
	struct state_header h;
	int g, err;

	if (take(&c, &h, sizeof(h)))
		return refuse(why, whylen, -EBADMSG, "cut short");
	err = check_header(&h, len, why, whylen);
	if (err)
		return err;
	if (state_crc(buf, len) != h.crc)
		return refuse(why, whylen, -EBADMSG, "its checksum does not match");
	err = take_ifaces(&c, &h, inst, why, whylen);
	if (!err)
		err = take_tables(&c, inst, why, whylen);
	if (err)
		return err;
	inst->cat.dirmask = (__u8)h.dirmask;
	inst->xdp_mode = h.xdp_mode;
	counts_reset(total);
	take(&c, total->table, sizeof(total->table));	/* the size was checked */
	take(&c, total->evicted, sizeof(total->evicted));
	take(&c, total->removed, sizeof(total->removed));
	if (take_ifcounts(&c, total, h.nr_ifaces))
		return refuse(why, whylen, -ENOMEM, "out of memory");
	err = take_entries(&c, h.nr_entries, inst, total, false, why, whylen);
	for (g = 0; g < FT_GENERATIONS && !err; g++) {
		counts_reset(&inst->base[g]);
		if (take_ifcounts(&c, &inst->base[g], h.nr_ifaces))
			return refuse(why, whylen, -ENOMEM, "out of memory");
		take(&c, inst->base[g].table, sizeof(inst->base[g].table));
		err = take_entries(&c, h.nr_base[g], inst, &inst->base[g], true, why, whylen);
	}
	if (err)
		return err;
	total->start = h.start;
	*flips = h.flips;
	return 0;
}

static int read_file(int dfd, const char *file, void **buf, size_t *len, char *why, size_t whylen)
{
	int fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err = 0;
	struct state_header h;
	struct stat st;
	ssize_t n;

	*buf = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (__u64)st.st_size > STATE_MAX_SIZE) {
		err = refuse(why, whylen, -EBADMSG, "not a regular file of a possible size");
		goto out;
	}
	/* the header says how big the file is: nothing is allocated for more */
	if ((size_t)st.st_size >= sizeof(h) && pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
	    h.size != (__u64)st.st_size) {
		err = refuse(why, whylen, -EBADMSG, "its size does not match its header");
		goto out;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len + 1);
	if (!*buf) {
		err = -ENOMEM;
		goto out;
	}
	n = pread(fd, *buf, *len, 0);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != *len)
		err = refuse(why, whylen, -EBADMSG, "cut short");
out:
	close(fd);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

static int load(const char *name, struct ft_instance *inst, struct ft_counts *total,
		__u64 *flips, bool quiet)
{
	char file[128], why[128] = "cannot be read";
	void *buf = NULL;
	size_t len = 0;
	int dfd, err;

	if (state_path(file, sizeof(file), name, ""))
		return -ENAMETOOLONG;
	dfd = open(FT_STATE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	err = read_file(dfd, file, &buf, &len, why, sizeof(why));
	close(dfd);
	if (err == -ENOENT)
		return err;
	if (!err)
		err = state_parse(buf, len, inst, total, flips, why, sizeof(why));
	free(buf);
	if (err && !quiet)
		log_err("%s/%s is refused (%s): remove the instance with 'flowtally stop %s' "
			"(its saved totals are lost)",
			FT_STATE_DIR, file, err == -EPROTO || err == -EBADMSG ? why : strerror(-err),
			name);
	return err;
}

int state_load(const char *name, struct ft_instance *inst, struct ft_counts *total,
	       __u64 *flips)
{
	return load(name, inst, total, flips, false);
}

void state_remove(const char *name)
{
	char file[128];
	int dfd;

	if (state_path(file, sizeof(file), name, ""))
		return;
	dfd = open(FT_STATE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return;
	unlinkat(dfd, file, 0);
	close(dfd);
	rmdir(FT_STATE_DIR);	/* only when empty */
}

int state_find_iface(const char *ifname, const char *except, char *name, size_t len)
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
		if (except && !strcmp(name, except))
			continue;
		inst = calloc(1, sizeof(*inst));
		if (!inst)
			break;
		counts_init(&total);
		if (!load(name, inst, &total, &flips, true)) {
			catalog_for_each_iface(&inst->cat, i) {
				if (!inst->cat.ifaces[i].gone && !strcmp(inst->cat.ifaces[i].name, ifname))
					found = 0;
			}
		}
		counts_free(&total);
		catalog_free(&inst->cat);
		for (i = 0; i < FT_GENERATIONS; i++)
			counts_free(&inst->base[i]);
		free(inst);
	}
	closedir(d);
	return found;
}
