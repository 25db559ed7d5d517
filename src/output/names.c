// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The names every output gives things: services, protocols, ICMP types,
 * addresses as text, SI units, directions and unclassified reasons. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

/* Only the transport protocols that have ports in /etc/services. */
enum { SVC_TCP, SVC_UDP, SVC_SCTP, SVC_PROTOS };

static char **svc_names[SVC_PROTOS];	/* [proto][port], loaded on first use */
static bool svc_loaded;

static int svc_index(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return SVC_TCP;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return SVC_UDP;
	case IPPROTO_SCTP:
		return SVC_SCTP;
	default:
		return -1;
	}
}

static void svc_load(void)
{
	static const char *const names[SVC_PROTOS] = { "tcp", "udp", "sctp" };
	struct servent *s;
	int i;

	svc_loaded = true;
	for (i = 0; i < SVC_PROTOS; i++) {
		svc_names[i] = calloc(65536, sizeof(char *));
		if (!svc_names[i])
			return;
	}
	setservent(0);
	while ((s = getservent())) {
		int port = ntohs((__u16)s->s_port);

		for (i = 0; i < SVC_PROTOS; i++)
			if (!strcmp(s->s_proto, names[i]) && !svc_names[i][port])
				svc_names[i][port] = strdup(s->s_name);
	}
	endservent();
}

const char *service_name(__u8 proto, __u16 port)
{
	int i = svc_index(proto);

	if (i < 0)
		return NULL;
	if (!svc_loaded)
		svc_load();
	return svc_names[i] ? svc_names[i][port] : NULL;
}

const char *proto_name(__u8 proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_GRE:
		return "gre";
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_IGMP:
		return "igmp";
	case IPPROTO_IPIP:
		return "ipip";
	case IPPROTO_IPV6:
		return "ipv6";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

const char *icmp_type_name(__u8 proto, __u8 type)
{
	if (proto == IPPROTO_ICMP) {
		switch (type) {
		case 0:
			return "echo-reply";
		case 3:
			return "dest-unreachable";
		case 5:
			return "redirect";
		case 8:
			return "echo-request";
		case 11:
			return "time-exceeded";
		}
	} else if (proto == IPPROTO_ICMPV6) {
		switch (type) {
		case 1:
			return "dest-unreachable";
		case 2:
			return "packet-too-big";
		case 3:
			return "time-exceeded";
		case 128:
			return "echo-request";
		case 129:
			return "echo-reply";
		case 133:
			return "router-solicit";
		case 134:
			return "router-advert";
		case 135:
			return "neighbor-solicit";
		case 136:
			return "neighbor-advert";
		}
	}
	return NULL;
}

const char *const ft_uncl_names[FT_UNCL_REASONS] = {
	[FT_UNCL_NOT_IP] = "not_ip",	     [FT_UNCL_TRUNCATED] = "truncated",
	[FT_UNCL_BAD_HEADER] = "bad_header", [FT_UNCL_FRAGMENT] = "fragment",
	[FT_UNCL_VLAN_LIMIT] = "vlan_limit", [FT_UNCL_EXT_LIMIT] = "ext_header_limit",
	[FT_UNCL_TUNNEL_TRUNCATED] = "tunnel_truncated",
};

const char *const ft_dir_names[FT_DIRS] = { "ingress", "egress" };

const char *fmt_si(double v, char *buf, size_t len)
{
	static const char units[] = " kMGTP";
	int u = 0;

	while (v >= 1000 && u < (int)sizeof(units) - 2) {
		v /= 1000;
		u++;
	}
	if (u)
		snprintf(buf, len, "%.2f%c", v, units[u]);
	else if (v > 0 && v < 10)	/* 0.5 pkt/s is not 0 */
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

bool ft_addr_is_v4(const __u8 *addr)
{
	static const __u8 v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(addr, v4mapped, sizeof(v4mapped));
}

const char *ft_addr_text(const __u8 *addr, __u8 plen4, __u8 plen6, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	bool v4 = ft_addr_is_v4(addr);
	unsigned int plen = v4 ? plen4 : plen6;

	inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? addr + 12 : addr, ip, sizeof(ip));
	if (plen != (v4 ? 32u : 128u))
		snprintf(buf, len, "%s/%u", ip, plen);
	else
		snprintf(buf, len, "%s", ip);
	return buf;
}
