// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ident.h"
#include "options.h"

void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: flowtally run -i IFACE [-i IFACE ...] [OPTIONS]\n"
		"\n"
		"Counts every frame IFACE receives (XDP or tcx, per device) and transmits\n"
		"(tcx) into per-CPU tables, prints one record per interval and, on exit,\n"
		"the totals.\n"
		"\n"
		"  -i, --iface IFACE       interface to count on (repeat for more, up to %d)\n"
		"  -t, --table SPEC        a table: NAME=FIELD[,FIELD...][:size=N][:lru][:dir=DIR]\n"
		"                          [:idle=SECONDS]\n"
		"                          fields: proto sport dport saddr[/V4[/V6]] daddr[/V4[/V6]]\n"
		"                          vlan ifindex dscp, and flow (the 5-tuple); up to %d\n"
		"                          tables; default: ports=proto,dport\n"
		"  -d, --direction DIR     ingress, egress or both (default both)\n"
		"  -n, --interval SECONDS  time between records (default 1, minimum %.2f)\n"
		"  -D, --duration SECONDS  stop after this long (default: until Ctrl-C)\n"
		"  -j, --json              one JSON object per line on stdout\n"
		"      --csv               CSV: a header, then one row per entry per interval\n"
		"      --output FILE       records to FILE (appended; reopened on SIGHUP; not\n"
		"                          through a symbolic link)\n"
		"      --prometheus ADDR:PORT\n"
		"                          serve /metrics on ADDR:PORT (e.g. 127.0.0.1:9753;\n"
		"                          :PORT or [::]:PORT: every address)\n"
		"      --prometheus-max-series N\n"
		"                          own series per table, top N by bytes (default %d);\n"
		"                          later keys add up in one 'other' series\n"
		"      --ipfix HOST:PORT   each interval's entries to an IPFIX collector (UDP)\n"
		"      --name NAME         instance name for 'flowtally table' (default: the\n"
		"                          first interface)\n"
		"      --pin NAME          pin links, maps and totals under /sys/fs/bpf/flowtally/NAME:\n"
		"                          counting goes on if flowtally dies, and the next\n"
		"                          'run --pin NAME' adopts it with its totals\n"
		"      --keep              with --pin: a clean exit leaves the instance counting\n"
		"                          ('flowtally stop NAME' removes it)\n"
		"      --idle SECONDS      a key without a packet for this long leaves its table\n"
		"                          (default %u; per table: :idle=SECONDS; 0 = every\n"
		"                          interval)\n"
		"      --top N             text: show N rows per table (default 20, 0 = all)\n"
		"      --ingress-hook HOOK auto, xdp or tcx (default auto: native XDP on NICs\n"
		"                          whose driver runs it on its own receive ring, tcx on\n"
		"                          virtual devices, lo and paravirtual NICs)\n"
		"      --xdp-mode MODE     native or generic: force XDP in that mode (auto: native)\n"
		"  -v, --verbose           libbpf and verifier messages, swap timings\n"
		"  -h, --help              this text\n"
		"\n"
		"Packets and bytes are what went over the wire: a GSO/GRO packet on tcx counts\n"
		"as its segments, each with its headers. Frames without a key are counted by\n"
		"reason under 'unclassified'; a full table counts in its 'overflow'.\n"
		"Exit status: 0 done, 1 runtime error, 2 usage error.\n",
		FT_MAX_IFACES, FT_MAX_TABLES, FT_MIN_INTERVAL, FT_PROM_MAX_SERIES,
		FT_TABLE_DEFAULT_IDLE);
}

/* Seconds as people write them: digits with an optional fraction. strtod
 * alone takes '0x10', 'inf', ' 1' and '1e3' too. */
static int parse_seconds(const char *s, double min, double *out)
{
	size_t digits = strspn(s, "0123456789"), frac = 0;
	char *end;

	if (s[digits] == '.')
		frac = strspn(s + digits + 1, "0123456789");
	if (!digits || (s[digits] == '.' && !frac) || s[digits + (s[digits] == '.') + frac])
		return -EINVAL;
	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*out) || *out < min || *out > 86400.0 * 365)
		return -EINVAL;
	return 0;
}

/* --prometheus listens only on an address given as such: no name to resolve
 * to something unexpected. */
static bool valid_listen_addr(const char *text)
{
	struct sockaddr_storage ss;
	socklen_t salen;
	bool dual;

	return !parse_listen_addr(text, &ss, &salen, &dual);
}

static int usage_error(char *err, size_t errlen, const char *fmt, const char *what)
{
	snprintf(err, errlen, fmt, what);
	return -EINVAL;
}

int run_opts_parse(int argc, char **argv, struct run_opts *o, char *err, size_t errlen)
{
	enum { OPT_TOP = 256, OPT_XDP_MODE, OPT_INGRESS_HOOK, OPT_CSV, OPT_OUTPUT, OPT_PROMETHEUS, OPT_IPFIX, OPT_NAME, OPT_PIN,
	       OPT_KEEP, OPT_PROM_MAX, OPT_IDLE };
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "table", required_argument, NULL, 't' },
		{ "direction", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "xdp-mode", required_argument, NULL, OPT_XDP_MODE },
		{ "ingress-hook", required_argument, NULL, OPT_INGRESS_HOOK },
		{ "verbose", no_argument, NULL, 'v' },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "prometheus", required_argument, NULL, OPT_PROMETHEUS },
		{ "prometheus-max-series", required_argument, NULL, OPT_PROM_MAX },
		{ "ipfix", required_argument, NULL, OPT_IPFIX },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "pin", required_argument, NULL, OPT_PIN },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "idle", required_argument, NULL, OPT_IDLE },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char *end;
	int c, i, ret;
	double secs;
	long n;

	memset(o, 0, sizeof(*o));
	o->interval = 1.0;
	o->idle = FT_TABLE_DEFAULT_IDLE;
	o->top = 20;
	o->prom_max_series = -1;	/* not given */
	o->dirmask = FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS);
	optind = 0;	/* 0, not 1: also forgets a half-parsed option group */
	opterr = 0;

	while ((c = getopt_long(argc, argv, ":i:t:d:n:D:jvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o->nr_ifaces == FT_MAX_IFACES)
				return usage_error(err, errlen, "too many interfaces (at most %s)",
						   "16");
			o->ifaces[o->nr_ifaces++] = optarg;
			break;
		case 't':
			if (o->nr_tables == FT_MAX_TABLES)
				return usage_error(err, errlen, "too many tables (at most %s)",
						   "64");
			ret = table_spec_parse(optarg, &o->tables[o->nr_tables], err, errlen);
			if (ret)
				return ret;
			for (i = 0; i < o->nr_tables; i++)
				if (!strcmp(o->tables[i].name, o->tables[o->nr_tables].name))
					return usage_error(err, errlen,
							   "table name '%s' given twice",
							   o->tables[i].name);
			o->nr_tables++;
			break;
		case 'd':
			if (!strcmp(optarg, "ingress"))
				o->dirmask = FT_DIRMASK(FT_DIR_INGRESS);
			else if (!strcmp(optarg, "egress"))
				o->dirmask = FT_DIRMASK(FT_DIR_EGRESS);
			else if (!strcmp(optarg, "both"))
				o->dirmask = FT_DIRMASK(FT_DIR_INGRESS) |
					     FT_DIRMASK(FT_DIR_EGRESS);
			else
				return usage_error(err, errlen,
						   "direction '%s' unknown (ingress, egress, both)",
						   optarg);
			break;
		case 'n':
			if (parse_seconds(optarg, FT_MIN_INTERVAL, &o->interval))
				return usage_error(err, errlen,
						   "interval '%s' invalid (seconds, at least 0.01)",
						   optarg);
			break;
		case 'D':
			if (parse_seconds(optarg, 0.001, &o->duration))
				return usage_error(err, errlen,
						   "duration '%s' invalid (seconds, above 0)", optarg);
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_TOP:
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || n < 0 || n > 1000000)
				return usage_error(err, errlen, "--top '%s' invalid (0 or more)",
						   optarg);
			o->top = (int)n;
			break;
		case OPT_XDP_MODE:
			if (!strcmp(optarg, "auto"))
				o->xdp_mode = XDP_MODE_AUTO;
			else if (!strcmp(optarg, "native"))
				o->xdp_mode = XDP_MODE_NATIVE;
			else if (!strcmp(optarg, "generic"))
				o->xdp_mode = XDP_MODE_GENERIC;
			else
				return usage_error(err, errlen,
						   "XDP mode '%s' unknown (auto, native, generic)",
						   optarg);
			break;
		case OPT_INGRESS_HOOK:
			if (!strcmp(optarg, "auto"))
				o->ingress_hook = INGRESS_HOOK_AUTO;
			else if (!strcmp(optarg, "xdp"))
				o->ingress_hook = INGRESS_HOOK_XDP;
			else if (!strcmp(optarg, "tcx"))
				o->ingress_hook = INGRESS_HOOK_TCX;
			else
				return usage_error(err, errlen,
						   "ingress hook '%s' unknown (auto, xdp, tcx)",
						   optarg);
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_CSV:
			o->csv = true;
			break;
		case OPT_OUTPUT:
			o->output = optarg;
			break;
		case OPT_PROMETHEUS:
			if (!valid_listen_addr(optarg))
				return usage_error(err, errlen,
						   "--prometheus '%s' invalid (ADDR:PORT, e.g. "
						   "127.0.0.1:9753, [::1]:9753, or :9753 for "
						   "every address)",
						   optarg);
			o->prometheus = optarg;
			break;
		case OPT_PROM_MAX:
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || n < 1 || n > 1000000)
				return usage_error(err, errlen,
						   "--prometheus-max-series '%s' invalid (1 or more)",
						   optarg);
			o->prom_max_series = (int)n;
			break;
		case OPT_IPFIX: {
			char host[FT_HOST_MAX];
			unsigned short port;

			if (parse_host_port(optarg, host, sizeof(host), &port))
				return usage_error(err, errlen,
						   "--ipfix '%s' invalid (HOST:PORT, e.g. 127.0.0.1:4739)",
						   optarg);
			o->ipfix = optarg;
			break;
		}
		case OPT_IDLE:
			if (parse_seconds(optarg, 0, &secs) || secs > FT_TABLE_MAX_IDLE ||
			    secs != (__u32)secs)
				return usage_error(err, errlen,
						   "idle '%s' invalid (whole seconds, at most 7 days)",
						   optarg);
			o->idle = (__u32)secs;
			break;
		case OPT_KEEP:
			o->keep = true;
			break;
		case OPT_PIN:
		case OPT_NAME:
			if (!valid_instance_name(optarg))
				return usage_error(err, errlen,
						   "instance name '%s' invalid (" FT_INSTANCE_NAME_RULE
						   ")",
						   optarg);
			if (c == OPT_PIN)
				o->pin = optarg;
			else
				o->name = optarg;
			break;
		case 'h':
			return OPTS_HELP;
		case ':':
			return usage_error(err, errlen, "option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error(err, errlen, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (!o->nr_ifaces)
		return usage_error(err, errlen, "%s", "no interface given (-i IFACE)");
	if (o->csv && o->json)
		return usage_error(err, errlen, "%s", "--csv and --json exclude each other");
	if (o->prom_max_series > 0 && !o->prometheus)
		return usage_error(err, errlen, "%s", "--prometheus-max-series needs --prometheus");
	if (o->prom_max_series < 0)
		o->prom_max_series = FT_PROM_MAX_SERIES;
	if (o->ingress_hook == INGRESS_HOOK_TCX && o->xdp_mode != XDP_MODE_AUTO)
		return usage_error(err, errlen, "%s",
				   "--xdp-mode is for XDP: not with --ingress-hook tcx");
	if (o->keep && !o->pin)
		return usage_error(err, errlen, "%s", "--keep needs --pin NAME");
	if (o->pin && o->name && strcmp(o->pin, o->name))
		return usage_error(err, errlen, "%s", "--pin and --name must be the same name");
	if (!o->name)
		o->name = o->pin ? o->pin : o->ifaces[0];
	if (!o->nr_tables) {
		table_spec_default(&o->tables[0]);
		o->nr_tables = 1;
	}
	for (i = 0; i < o->nr_tables; i++)
		if (!o->tables[i].idle_given)
			o->tables[i].idle = o->idle;
	return OPTS_RUN;
}
