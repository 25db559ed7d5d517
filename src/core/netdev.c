// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Plain rtnetlink, one RTM_GETLINK request per call: flowtally needs two
 * attributes of one link, which does not call for libmnl or libnl (one more
 * dependency), and libbpf's netlink code is not exported.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include "netdev.h"

#define NL_BUF 16384

struct link_reply {
	unsigned int flags;	/* ifi_flags */
	char kind[32];
	struct rtnl_link_stats64 stats;
	int has_stats;
	struct ft_devlink link;
	__u32 xdp_prog_id;	/* IFLA_XDP_PROG_ID, 0: none */
};

static void parse_xdp(struct rtattr *xdp, int len, struct link_reply *r)
{
	struct rtattr *a;

	for (a = RTA_DATA(xdp); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_XDP_PROG_ID && RTA_PAYLOAD(a) >= sizeof(__u32))
			memcpy(&r->xdp_prog_id, RTA_DATA(a), sizeof(__u32));
}

static void parse_linkinfo(struct rtattr *info, int len, struct link_reply *r)
{
	struct rtattr *a;

	for (a = RTA_DATA(info); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != IFLA_INFO_KIND)
			continue;
		snprintf(r->kind, sizeof(r->kind), "%.*s", (int)RTA_PAYLOAD(a),
			 (const char *)RTA_DATA(a));
	}
}

static int parse_link(struct nlmsghdr *h, __u32 ifindex, struct link_reply *r)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
	struct rtattr *a;

	if (len < 0 || (__u32)ifi->ifi_index != ifindex)
		return -ENODEV;
	r->flags = ifi->ifi_flags;
	for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_LINKINFO)
			parse_linkinfo(a, (int)RTA_PAYLOAD(a), r);
		else if (a->rta_type == IFLA_XDP)
			parse_xdp(a, (int)RTA_PAYLOAD(a), r);
		else if (a->rta_type == IFLA_STATS64 && RTA_PAYLOAD(a) >= sizeof(r->stats)) {
			memcpy(&r->stats, RTA_DATA(a), sizeof(r->stats));
			r->has_stats = 1;
		} else if (a->rta_type == IFLA_LINK && RTA_PAYLOAD(a) >= sizeof(__u32)) {
			memcpy(&r->link.peer_ifindex, RTA_DATA(a), sizeof(__u32));
		} else if (a->rta_type == IFLA_LINK_NETNSID && RTA_PAYLOAD(a) >= sizeof(__s32)) {
			memcpy(&r->link.netnsid, RTA_DATA(a), sizeof(__s32));
		}
	}
	r->link.veth = !strcmp(r->kind, "veth");
	return 0;
}

static int get_link(__u32 ifindex, struct link_reply *r)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)ifindex },
	};
	char buf[NL_BUF] __attribute__((aligned(4)));
	struct nlmsghdr *h;
	int fd, err = -EPROTO;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	r->link.netnsid = FT_NETNSID_NONE;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (__u32)n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			err = e->error ? e->error : -EPROTO;
			break;
		}
		if (h->nlmsg_type == RTM_NEWLINK) {
			err = parse_link(h, ifindex, r);
			break;
		}
	}
out:
	close(fd);
	return err;
}

/* The driver as `ethtool -i` names it; the ioctl works in the caller's network
 * namespace, where /sys/class/net may show another one's devices. */
static void get_driver(const char *name, char *driver, size_t len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	driver[0] = '\0';
	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)&info;
	if (!ioctl(fd, SIOCETHTOOL, &ifr) && len) {
		size_t n = strnlen(info.driver, sizeof(info.driver));

		n = n < len - 1 ? n : len - 1;
		memcpy(driver, info.driver, n);
		driver[n] = '\0';
	}
	close(fd);
}

int netdev_info(__u32 ifindex, const char *name, struct ft_devinfo *info)
{
	struct link_reply r;
	int err;

	memset(info, 0, sizeof(*info));
	err = get_link(ifindex, &r);
	if (err)
		return err;
	snprintf(info->kind, sizeof(info->kind), "%s", r.kind);
	info->loopback = r.flags & IFF_LOOPBACK;
	get_driver(name, info->driver, sizeof(info->driver));
	return 0;
}

int netdev_state(__u32 ifindex, struct ft_devcount count[2], struct ft_devlink *link)
{
	struct link_reply r;
	int err;

	err = get_link(ifindex, &r);
	if (err)
		return err;
	if (link)
		*link = r.link;
	if (!r.has_stats)
		return -ENODATA;
	count[0] = (struct ft_devcount){ r.stats.rx_packets, r.stats.rx_bytes,
					 r.stats.rx_dropped };
	count[1] = (struct ft_devcount){ r.stats.tx_packets, r.stats.tx_bytes,
					 r.stats.tx_dropped };
	return 0;
}

int netdev_xdp_prog(__u32 ifindex, __u32 *prog_id)
{
	struct link_reply r;
	int err = get_link(ifindex, &r);

	*prog_id = err ? 0 : r.xdp_prog_id;
	return err;
}
