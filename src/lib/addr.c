// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int parse_host_port(const char *text, char *host, size_t hostlen, unsigned short *port)
{
	const char *colon, *h = text;
	size_t len;
	char *end;
	long n;

	if (*text == '[') {
		colon = strchr(text, ']');
		if (!colon || colon[1] != ':')
			return -EINVAL;
		h = text + 1;
		len = (size_t)(colon - h);
		colon++;
	} else {
		colon = strrchr(text, ':');
		if (!colon || memchr(text, ':', (size_t)(colon - text)))
			return -EINVAL;	/* an IPv6 address needs its brackets */
		len = (size_t)(colon - text);
	}
	if (!len || len >= hostlen)
		return -EINVAL;
	errno = 0;
	n = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || n < 1 || n > 65535)
		return -EINVAL;
	memcpy(host, h, len);
	host[len] = '\0';
	*port = (unsigned short)n;
	return 0;
}

int parse_listen_addr(const char *text, struct sockaddr_storage *ss, socklen_t *salen,
		      bool *dual_stack)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char host[FT_HOST_MAX], with_host[FT_HOST_MAX + 8];
	unsigned short port;

	memset(ss, 0, sizeof(*ss));
	/* ":PORT" as node_exporter takes it: every address, both families */
	if (text[0] == ':') {
		if (snprintf(with_host, sizeof(with_host), "[::]%s", text) >=
		    (int)sizeof(with_host))
			return -EINVAL;
		text = with_host;
	}
	if (parse_host_port(text, host, sizeof(host), &port))
		return -EINVAL;
	if (text[0] == '[') {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -EINVAL;
		*salen = sizeof(*sin6);
		*dual_stack = IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -EINVAL;
		*salen = sizeof(*sin);
		*dual_stack = false;
	}
	return 0;
}
