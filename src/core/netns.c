// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A network namespace's inode number from the id flowtally's namespace gives
 * it (IFLA_LINK_NETNSID). The kernel has no call from an id back to the
 * namespace, so every namespace flowtally can open is asked for its id
 * (RTM_GETNSID with NETNSA_FD): the named ones in /run/netns and those of the
 * processes in /proc, each inode opened once. The kernel reuses the id of a
 * namespace that died, so what a scan found is trusted for
 * FT_NETNS_FRESH_S only: one scan answers every veth that came in that
 * second (a start with hundreds of them scans once), and the caller keeps
 * the answer for as long as the veth's netnsid stays the same (a veth's
 * peer cannot change namespace without its id changing). An id no scan
 * finds is tried again with a growing backoff, up to FT_NETNS_BACKOFF_MAX_S.
 *
 * Plain rtnetlink as in netdev.c; no container runtime is asked.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netns.h"

#define FT_NETNS_SCAN_MAX	65536	/* entries of a folder looked at per scan */
#define FT_NETNS_FRESH_S	1	/* a scan answers for this long */
#define FT_NETNS_BACKOFF_MAX_S	300	/* an id no scan found is tried this seldom */

/* A namespace a scan opened: its inode and the id ours gives it (-1: none). */
struct ns_seen {
	__u64 inode;
	__s32 nsid;
};

/* An id no scan found, and when to try again: a peer namespace that cannot
 * be opened from here (bind-mounted elsewhere, another mount namespace's
 * /proc) would otherwise cost a scan a second forever. */
struct ns_miss {
	__s32 nsid;
	unsigned int backoff_s;
	time_t retry_at;
};

static struct {
	struct ns_seen *seen;
	size_t nseen, cap_seen;
	struct ns_miss *miss;
	size_t nmiss, cap_miss;
	__u64 own_inode;
	time_t scanned_at;	/* monotonic seconds of the last scan, 0: never */
} cache;

/* The id this namespace gives the namespace of `fd`, or -errno
 * (FT_NETNSID_NONE-like -1 values come back as -ENOENT: not assigned). */
static int ask_nsid(int nl, int fd)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
		char pad[NLMSG_ALIGN(sizeof(struct rtgenmsg)) - sizeof(struct rtgenmsg)];
		struct rtattr a;
		__u32 fd;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNSID,
		       .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
		.g = { .rtgen_family = AF_UNSPEC },
		.a = { .rta_len = RTA_LENGTH(sizeof(__u32)), .rta_type = NETNSA_FD },
		.fd = (__u32)fd,
	};
	char buf[1024] __attribute__((aligned(4)));
	struct rtattr *a;
	struct nlmsghdr *h;
	ssize_t n;

	_Static_assert(sizeof(req) == NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg))) +
					  RTA_LENGTH(sizeof(__u32)),
		       "the attribute follows the aligned header");
	if (send(nl, &req, sizeof(req), 0) < 0)
		return -errno;
	n = recv(nl, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (__u32)n); h = NLMSG_NEXT(h, n)) {
		struct rtgenmsg *g = NLMSG_DATA(h);
		int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*g));

		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			return e->error ? e->error : -EPROTO;
		}
		if (h->nlmsg_type != RTM_NEWNSID || len < 0)
			continue;
		for (a = (struct rtattr *)((char *)g + NLMSG_ALIGN(sizeof(*g))); RTA_OK(a, len);
		     a = RTA_NEXT(a, len)) {
			__s32 id;

			if (a->rta_type != NETNSA_NSID || RTA_PAYLOAD(a) < sizeof(id))
				continue;
			memcpy(&id, RTA_DATA(a), sizeof(id));
			return id < 0 ? -ENOENT : id;
		}
	}
	return -ENOENT;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* One namespace file: asked for its id unless its inode was seen already in
 * this scan. */
static void learn(int nl, const char *path)
{
	struct stat st;
	size_t i;
	int fd, id;

	if (stat(path, &st) || st.st_ino == cache.own_inode)
		return;
	for (i = 0; i < cache.nseen; i++)
		if (cache.seen[i].inode == st.st_ino)
			return;
	if (grow((void **)&cache.seen, &cache.cap_seen, cache.nseen, sizeof(*cache.seen)))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	id = ask_nsid(nl, fd);
	close(fd);
	cache.seen[cache.nseen++] = (struct ns_seen){ st.st_ino, id >= 0 ? id : -1 };
}

static void scan_dir(int nl, const char *dir, const char *suffix)
{
	struct dirent *de;
	char path[512];
	int entries = 0;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) && entries++ < FT_NETNS_SCAN_MAX) {
		if (de->d_name[0] == '.')
			continue;
		if (*suffix && (de->d_name[0] < '0' || de->d_name[0] > '9'))
			continue;	/* /proc: processes only */
		snprintf(path, sizeof(path), "%s/%s%s", dir, de->d_name, suffix);
		learn(nl, path);
	}
	closedir(d);
}

static void scan(void)
{
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	cache.nseen = 0;
	if (nl < 0)
		return;
	scan_dir(nl, "/run/netns", "");
	scan_dir(nl, "/run/docker/netns", "");	/* docker's, not in /run/netns */
	scan_dir(nl, "/proc", "/ns/net");
	close(nl);
}

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec ? ts.tv_sec : 1;
}

static __u64 found(__s32 nsid)
{
	size_t i;

	for (i = 0; i < cache.nseen; i++)
		if (cache.seen[i].nsid == nsid)
			return cache.seen[i].inode;
	return 0;
}

static struct ns_miss *miss_of(__s32 nsid)
{
	size_t i;

	for (i = 0; i < cache.nmiss; i++)
		if (cache.miss[i].nsid == nsid)
			return &cache.miss[i];
	return NULL;
}

/* No scan found nsid: try again after 1, 2, 4, ... FT_NETNS_BACKOFF_MAX_S. */
static void missed(__s32 nsid, time_t now)
{
	struct ns_miss *m = miss_of(nsid);

	if (!m) {
		if (grow((void **)&cache.miss, &cache.cap_miss, cache.nmiss, sizeof(*cache.miss)))
			return;
		m = &cache.miss[cache.nmiss++];
		*m = (struct ns_miss){ .nsid = nsid };
	}
	m->backoff_s = m->backoff_s ? m->backoff_s * 2 : 1;
	if (m->backoff_s > FT_NETNS_BACKOFF_MAX_S)
		m->backoff_s = FT_NETNS_BACKOFF_MAX_S;
	m->retry_at = now + m->backoff_s;
}

static void unmissed(__s32 nsid)
{
	struct ns_miss *m = miss_of(nsid);

	if (m)
		*m = cache.miss[--cache.nmiss];
}

__u64 netns_own_inode(void)
{
	struct stat st;

	if (!cache.own_inode && !stat("/proc/self/ns/net", &st))
		cache.own_inode = st.st_ino;
	return cache.own_inode;
}

__u64 netns_inode_of(__s32 nsid)
{
	time_t now = now_s();
	struct ns_miss *m;
	__u64 inode;

	if (nsid < 0)
		return netns_own_inode();
	netns_own_inode();
	if (cache.scanned_at && now - cache.scanned_at < FT_NETNS_FRESH_S) {
		inode = found(nsid);
		if (inode)
			return inode;
	}
	m = miss_of(nsid);
	if (m && now < m->retry_at)
		return 0;
	if (!cache.scanned_at || now - cache.scanned_at >= FT_NETNS_FRESH_S) {
		cache.scanned_at = now;
		scan();
	}
	inode = found(nsid);
	if (inode)
		unmissed(nsid);
	else
		missed(nsid, now);
	return inode;
}
