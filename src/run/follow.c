// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "attach.h"
#include "clock.h"
#include "follow.h"
#include "ifselect.h"
#include "log.h"
#include "options.h"
#include "testpoint.h"

static bool selected(const struct run_opts *o, const char *name)
{
	return iface_selected(o->ifaces, o->nr_ifaces, o->all_ifaces, name);
}

int follow_open(struct follow *f)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd;

	f->fd = -1;
	f->dirty = true;	/* the first look needs no event */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return log_errno(-errno, "cannot open an rtnetlink socket for link events");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return log_errno(err, "cannot listen to link events");
	}
	f->fd = fd;
	return 0;
}

void follow_close(struct follow *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->failed);
	f->failed = NULL;
	f->nr_failed = f->cap_failed = 0;
	free(f->deleted);
	f->deleted = NULL;
	f->nr_deleted = f->cap_deleted = 0;
}

static bool failed_before(const struct follow *f, __u32 ifindex)
{
	int i;

	for (i = 0; i < f->nr_failed; i++)
		if (f->failed[i] == ifindex)
			return true;
	return false;
}

static void remember_failed(struct follow *f, __u32 ifindex)
{
	if (f->nr_failed == f->cap_failed) {
		int cap = f->cap_failed ? 2 * f->cap_failed : 16;
		__u32 *p = realloc(f->failed, (size_t)cap * sizeof(*p));

		if (!p)
			return;	/* tried again at the next look: no harm */
		f->failed = p;
		f->cap_failed = cap;
	}
	f->failed[f->nr_failed++] = ifindex;
}

/* Failed ones that are gone: an ifindex is never given twice in a namespace,
 * so nothing to retry, only memory to keep bounded. */
static void forget_failed(struct follow *f, const struct if_nameindex *all)
{
	const struct if_nameindex *n;
	int i, kept = 0;

	for (i = 0; i < f->nr_failed; i++) {
		for (n = all; n->if_index; n++)
			if (n->if_index == f->failed[i])
				break;
		if (n->if_index)
			f->failed[kept++] = f->failed[i];
	}
	f->nr_failed = kept;
}

int follow_pollfds(const struct follow *f, struct pollfd *pfd)
{
	if (f->fd < 0)
		return 0;
	*pfd = (struct pollfd){ .fd = f->fd, .events = POLLIN };
	return 1;
}

/* An RTM_DELLINK of a device (not of a bridge port, AF_BRIDGE): noted, and
 * no longer a failed one (a device of that ifindex may come again). */
static void note_deleted(struct follow *f, __u32 ifindex)
{
	int i;

	for (i = 0; i < f->nr_failed; i++)
		if (f->failed[i] == ifindex)
			f->failed[i--] = f->failed[--f->nr_failed];
	if (f->nr_deleted == f->cap_deleted) {
		int cap = f->cap_deleted ? 2 * f->cap_deleted : 16;
		__u32 *p = cap <= 65536 ? realloc(f->deleted, (size_t)cap * sizeof(*p)) : NULL;

		if (!p) {
			f->deleted_lost = true;
			return;
		}
		f->deleted = p;
		f->cap_deleted = cap;
	}
	f->deleted[f->nr_deleted++] = ifindex;
}

static void parse_events(struct follow *f, const char *buf, size_t len)
{
	const struct nlmsghdr *nh;

	for (nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
		const struct ifinfomsg *ifi = NLMSG_DATA(nh);

		if (nh->nlmsg_type == RTM_DELLINK &&
		    nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifi)) && ifi->ifi_family == AF_UNSPEC &&
		    ifi->ifi_index > 0)
			note_deleted(f, (__u32)ifi->ifi_index);
	}
}

/* Whatever else the messages say, the answer is to look at the links again:
 * a lost message (ENOBUFS) is no different, except that a deletion it held
 * is unknown: then every attached interface is checked as if deleted. */
void follow_input(struct follow *f, short revents)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int i;

	if (f->fd < 0 || !revents)
		return;
	for (i = 0; i < 4096; i++) {	/* bounded: the next poll comes back for more */
		ssize_t n = recv(f->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EAGAIN)
			break;
		f->dirty = true;
		if (n > 0) {
			parse_events(f, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == ENOBUFS) {
			f->deleted_lost = true;
			continue;
		}
		if (n == 0 || errno != EINTR)
			break;
	}
}

double follow_due(const struct follow *f)
{
	if (!f->dirty)
		return 0;
	return f->last_look + FOLLOW_MIN_GAP;
}

static bool deleted_since(const struct follow *f, __u32 ifindex)
{
	int i;

	for (i = 0; i < f->nr_deleted; i++)
		if (f->deleted[i] == ifindex)
			return true;
	return false;
}

static void leave(struct ft_instance *inst, struct ft_iface *ifc, const char *why)
{
	log_info("%s %s: detached; its counts stay in the totals", ifc->name, why);
	attach_leave(inst, ifc);
}

/* Whether the device of `ifc` is the one attached: an RTM_DELLINK of its
 * ifindex (a device made again with the same name and index), or, when
 * deletions were lost, its links detached by the kernel. */
static bool replaced(const struct follow *f, struct ft_instance *inst, const struct ft_iface *ifc)
{
	if (deleted_since(f, ifc->ifindex))
		return true;
	return f->deleted_lost && !attach_links_live(inst, ifc);
}

/* Interfaces in the catalog: still there, under the same name? */
static int check_attached(struct follow *f, struct ft_instance *inst, const struct run_opts *o)
{
	struct ft_catalog *cat = &inst->cat;
	char now[IF_NAMESIZE], why[IF_NAMESIZE + 32];
	int i, changed = 0;

	catalog_for_each_iface(cat, i) {
		struct ft_iface *ifc = &cat->ifaces[i];

		if (ifc->gone) {
			if (ifc->left_unsynced) {	/* found gone on adoption */
				attach_leave(inst, ifc);
				ifc->left_unsynced = false;
				changed++;
			}
			continue;
		}
		if (!if_indextoname(ifc->ifindex, now) || replaced(f, inst, ifc)) {
			leave(inst, ifc, "is gone");
			changed++;
		} else if (strcmp(now, ifc->name)) {
			if (ifc->followed && selected(o, now)) {
				log_info("%s is now %s: still counted", ifc->name, now);
				attach_rename(inst, ifc, now);
			} else {
				snprintf(why, sizeof(why), "was renamed to %s", now);
				leave(inst, ifc, why);
			}
			changed++;
		}
	}
	return changed;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* The ifindexes of the attached interfaces, sorted: a look over thousands of
 * links then costs a binary search each, not a walk of the catalog. NULL
 * with *n 0 when there are none (or no memory: then every link is looked up
 * in the catalog itself). */
static __u32 *attached_ifindexes(const struct ft_catalog *cat, size_t *n)
{
	__u32 *v = malloc(((size_t)cat->nr_ifaces + 1) * sizeof(*v));
	int i;

	*n = 0;
	if (!v)
		return NULL;
	catalog_for_each_iface(cat, i)
		if (!cat->ifaces[i].gone)
			v[(*n)++] = cat->ifaces[i].ifindex;
	qsort(v, *n, sizeof(*v), cmp_u32);
	return v;
}

static bool attached(struct ft_instance *inst, const __u32 *sorted, size_t n, __u32 ifindex)
{
	if (!sorted)
		return catalog_find_ifindex(&inst->cat, ifindex) != NULL;
	return bsearch(&ifindex, sorted, n, sizeof(*sorted), cmp_u32) != NULL;
}

int follow_reconcile(struct follow *f, struct ft_instance *inst, const struct run_opts *o)
{
	struct if_nameindex *all, *n;
	struct ft_iface *ifc;
	int changed, err, waiting = 0;
	__u32 *sorted;
	size_t nr;

	changed = check_attached(f, inst, o);
	f->dirty = false;
	f->nr_deleted = 0;
	f->deleted_lost = false;
	f->last_look = ft_now_mono();
	if (!o->following)
		return changed;
	all = if_nameindex();
	if (!all)
		return log_errno(-errno, "cannot list the interfaces");
	/* those attached below are new ifindexes: no need to add them */
	sorted = attached_ifindexes(&inst->cat, &nr);
	for (n = all; n->if_index; n++) {
		if (!selected(o, n->if_name) || attached(inst, sorted, nr, n->if_index) ||
		    failed_before(f, n->if_index))
			continue;
		if (!catalog_has_free_slot(&inst->cat)) {	/* tried again at the next look */
			waiting++;
			continue;
		}
		err = attach_iface_index(inst, n->if_name, n->if_index, true, &ifc);
		if (!ifc)
			continue;
		changed++;
		if (err) {
			leave(inst, ifc, "could not be attached");
			remember_failed(f, n->if_index);
			continue;
		}
		log_info("counting on %s (ifindex %u), ingress: %s (%s)", ifc->name, ifc->ifindex,
			 hook_name(ifc->ingress_hook), ifc->hook_reason);
	}
	free(sorted);
	forget_failed(f, all);
	if_freenameindex(all);
	if (waiting && waiting != f->waiting)
		log_info("%d selected interfaces wait for a free slot: all %u are taken (gone "
			 "ones free theirs once reported; --max-interfaces)", waiting,
			 inst->cat.max_ifaces);
	f->waiting = waiting;
	return changed;
}

int follow_retire(struct ft_instance *inst, struct ft_counts *total)
{
	struct ft_catalog *cat = &inst->cat;
	int i, n = 0;

	catalog_for_each_iface(cat, i) {
		struct ft_iface *ifc = &cat->ifaces[i];

		/* read to the end in both generations, and the record just
		 * written showed it: its totals go to the removed sum. One
		 * named with -i keeps its name and slot, as it always did:
		 * names are few, and nothing can take its place. */
		if (!ifc->gone || !ifc->followed || ifc->unread || ifc->left_unsynced)
			continue;
		counts_iface_retire(total, (__u32)i);
		detach_iface(inst, ifc);	/* closed already; never leaked */
		catalog_release(cat, ifc);
		test_point("retire-released");
		n++;
	}
	return n;
}
