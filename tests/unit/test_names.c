// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of the names outputs give things: SI units, ICMP. Expected values are worked out from
 * each test's inputs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"
#include "counts.h"
#include "instance.h"
#include "json_writer.h"
#include "options.h"
#include "output.h"
#include "print.h"
#include "snapshot.h"
#include "tablespec.h"

#include "capture.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fmt_si ---- */

static void test_fmt_si_below_1000_is_a_whole_number(void)
{
	char buf[32];

	ASSERT_STREQ(fmt_si(999, buf, sizeof(buf)), "999", "999");
	ASSERT_STREQ(fmt_si(0, buf, sizeof(buf)), "0", "0");
}

static void test_fmt_si_scales_with_two_decimals(void)
{
	char buf[32];

	ASSERT_STREQ(fmt_si(1500, buf, sizeof(buf)), "1.50k", "1500");
	ASSERT_STREQ(fmt_si(2.5e6, buf, sizeof(buf)), "2.50M", "2.5e6");
	ASSERT_STREQ(fmt_si(1e9, buf, sizeof(buf)), "1.00G", "1e9");
	ASSERT_STREQ(fmt_si(4.2e15, buf, sizeof(buf)), "4.20P", "4.2e15");
}

/* The parser keys ICMP by type and code only over its own family: so do the
 * outputs, from the key's address where the table has one. */
static void test_icmp_is_icmp_only_over_its_own_family(void)
{
	__u32 addr = FT_FIELD_BIT(FT_F_SADDR) | FT_FIELD_BIT(FT_F_PROTO) | FT_FIELD_BIT(FT_F_DPORT);
	__u32 ports = FT_FIELD_BIT(FT_F_PROTO) | FT_FIELD_BIT(FT_F_DPORT);
	struct ft_key k = port_key(IPPROTO_ICMP, 8 << 8, FT_DIR_INGRESS);

	set_addr(k.saddr, "192.0.2.1");
	ASSERT_TRUE(ft_key_is_icmp(&k, addr), "ICMP over IPv4");
	set_addr(k.saddr, "2001:db8::1");
	ASSERT_TRUE(!ft_key_is_icmp(&k, addr), "ICMP over IPv6 is a protocol without ports");
	k.proto = IPPROTO_ICMPV6;
	ASSERT_TRUE(ft_key_is_icmp(&k, addr), "ICMPv6 over IPv6");
	set_addr(k.saddr, "192.0.2.1");
	ASSERT_TRUE(!ft_key_is_icmp(&k, addr), "ICMPv6 over IPv4 is a protocol without ports");
	ASSERT_TRUE(ft_key_is_icmp(&k, ports), "no address: ICMPv6 is taken to be over IPv6");
	k.proto = IPPROTO_UDP;
	ASSERT_TRUE(!ft_key_is_icmp(&k, ports), "UDP");
}

static const struct check_test tests[] = {
#include "test_names.tests.h"
};

int main(int argc, char **argv)
{
	return check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
}
