/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The names every output gives things, so that text, JSON, CSV, Prometheus,
 * IPFIX and top say the same: services and protocols (from /etc/services and
 * /etc/protocols, read once), ICMP types, addresses, SI units.
 */
#ifndef FT_NAMES_H
#define FT_NAMES_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "flowtally/abi.h"
#include "tablespec.h"

extern const char *const ft_uncl_names[FT_UNCL_REASONS];
extern const char *const ft_dir_names[FT_DIRS];

/* "https", or NULL when the port has no name for this protocol. */
const char *service_name(__u8 proto, __u16 port);
/* "tcp", "udp", "icmp", ... or the number as text in buf. */
const char *proto_name(__u8 proto, char *buf, size_t len);
/* "echo-request" style names of ICMP/ICMPv6 types, NULL if unknown. */
const char *icmp_type_name(__u8 proto, __u8 type);

/* Text of a key address: "192.0.2.1", or "2001:db8::/64" when the table
 * keeps a prefix. IPv4 is stored IPv4-mapped. */
#define FT_ADDR_TEXT_MAX (INET6_ADDRSTRLEN + 5)
bool ft_addr_is_v4(const __u8 *addr);
const char *ft_addr_text(const __u8 *addr, __u8 plen4, __u8 plen6, char *buf, size_t len);

/* Whether the key's dport holds an ICMP type << 8 | code. The parser keys
 * ICMP so only over IPv4 and ICMPv6 only over IPv6 (ft_proto_is_icmp): where
 * the table keys an address its family decides; without one, each is taken
 * to be over its own family, as every well-formed frame is. `fields`: the
 * table's FT_FIELD_BIT()s. */
static inline bool ft_key_is_icmp(const struct ft_key *k, __u32 fields)
{
	if (fields & FT_FIELD_BIT(FT_F_SADDR))
		return ft_proto_is_icmp(k->proto, !ft_addr_is_v4(k->saddr));
	if (fields & FT_FIELD_BIT(FT_F_DADDR))
		return ft_proto_is_icmp(k->proto, !ft_addr_is_v4(k->daddr));
	return ft_proto_is_icmp(k->proto, 0) || ft_proto_is_icmp(k->proto, 1);
}

/* "1.23M" style, for rates in text. */
const char *fmt_si(double v, char *buf, size_t len);

#endif
