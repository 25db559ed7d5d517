/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Port and protocol names from /etc/services and /etc/protocols, read once. */
#ifndef FT_SERVICES_H
#define FT_SERVICES_H

#include <stddef.h>
#include <linux/types.h>

/* "https", or NULL when the port has no name for this protocol. */
const char *service_name(__u8 proto, __u16 port);
/* "tcp", "udp", "icmp", ... or the number as text in buf. */
const char *proto_name(__u8 proto, char *buf, size_t len);
/* "echo-request" style names of ICMP/ICMPv6 types, NULL if unknown. */
const char *icmp_type_name(__u8 proto, __u8 type);

#endif
