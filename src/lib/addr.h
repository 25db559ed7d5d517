/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Addresses given on the command line: a collector's, a listener's. */
#ifndef FT_ADDR_H
#define FT_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define FT_HOST_MAX 256

/* Splits "HOST:PORT" or "[IPV6]:PORT": host into `host`, port 1-65535.
 * 0 or -EINVAL. */
int parse_host_port(const char *text, char *host, size_t hostlen, unsigned short *port);
/* A --prometheus address: "A.B.C.D:PORT", "[IPV6]:PORT", or ":PORT" for
 * every address. ":PORT" and "[::]:PORT" set *dual_stack: one IPv6 socket
 * that takes IPv4 too. Numeric only. 0 or -EINVAL. */
int parse_listen_addr(const char *text, struct sockaddr_storage *ss, socklen_t *salen,
		      bool *dual_stack);

#endif
