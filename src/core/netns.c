// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A network namespace's inode number from the id flowtally's namespace gives
 * it (IFLA_LINK_NETNSID). The kernel has no call from an id back to the
 * namespace, so every namespace flowtally can open is asked for its id
 * (RTM_GETNSID with NETNSA_FD): the named ones in /run/netns and those of the
 * processes in /proc, each inode opened once. The kernel reuses the id of a
 * namespace that died, so what a scan found is trusted for
 * FT_NETNS_RESCAN_S only: one scan answers every veth that came in that
 * second (a start with hundreds of them scans once), and the caller keeps
 * the answer for as long as the veth's netnsid stays the same (a veth's
 * peer cannot change namespace without its id changing).
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

#define FT_NETNS_CACHE		256	/* namespaces remembered */
#define FT_NETNS_SCAN_MAX	65536	/* entries of /proc looked at per scan */
#define FT_NETNS_RESCAN_S	1

struct nsid_inode {
	__s32 nsid;
	__u64 inode;
};

static struct {
	struct nsid_inode map[FT_NETNS_CACHE];
	int n;
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

static void remember(__s32 nsid, __u64 inode)
{
	int i;

	for (i = 0; i < cache.n; i++)
		if (cache.map[i].nsid == nsid)
			return;
	if (cache.n < FT_NETNS_CACHE)
		cache.map[cache.n++] = (struct nsid_inode){ nsid, inode };
}

/* One namespace file: asked for its id unless its inode was seen already. */
static void learn(int nl, const char *path, __u64 *seen, int *nseen, int max)
{
	struct stat st;
	int fd, id, i;

	if (stat(path, &st) || st.st_ino == cache.own_inode)
		return;
	for (i = 0; i < *nseen; i++)
		if (seen[i] == st.st_ino)
			return;
	if (*nseen < max)
		seen[(*nseen)++] = st.st_ino;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	id = ask_nsid(nl, fd);
	close(fd);
	if (id >= 0)
		remember(id, st.st_ino);
}

static void scan_dir(int nl, const char *dir, const char *suffix, __u64 *seen, int *nseen,
		     int max)
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
		learn(nl, path, seen, nseen, max);
	}
	closedir(d);
}

static void scan(void)
{
	__u64 *seen;
	int nl, nseen = 0, max = FT_NETNS_CACHE * 4;

	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl < 0)
		return;
	cache.n = 0;
	seen = calloc(max, sizeof(*seen));
	if (seen) {
		scan_dir(nl, "/run/netns", "", seen, &nseen, max);
		scan_dir(nl, "/proc", "/ns/net", seen, &nseen, max);
		free(seen);
	}
	close(nl);
}

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec ? ts.tv_sec : 1;
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
	int i;

	if (nsid < 0)
		return netns_own_inode();
	netns_own_inode();
	if (!cache.scanned_at || now_s() - cache.scanned_at >= FT_NETNS_RESCAN_S) {
		cache.scanned_at = now_s();
		scan();
	}
	for (i = 0; i < cache.n; i++)
		if (cache.map[i].nsid == nsid)
			return cache.map[i].inode;
	return 0;
}
