// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "prom_text.h"
#include "ident.h"
#include "ipfix_conn.h"
#include "ifselect.h"
#include "options.h"

/* Seconds as people write them: digits with an optional fraction. strtod
 * alone takes '0x10', 'inf', ' 1' and '1e3' too. */
/* A duration: decimal digits, an optional fraction, and an optional unit
 * (ms, s, m, h; none is seconds, as every script and unit already uses it).
 * No hex, no exponent, no sign: '0x10' or '1e3' is a typo, not a number. */
static int parse_seconds(const char *s, double min, double *out)
{
	static const struct {
		const char *name;
		double seconds;
	} units[] = { { "", 1 }, { "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 } };
	size_t digits = strspn(s, "0123456789"), frac = 0, num, i;
	char buf[32];

	if (s[digits] == '.')
		frac = strspn(s + digits + 1, "0123456789");
	num = digits + (s[digits] == '.') + frac;
	if (!digits || (s[digits] == '.' && !frac) || num >= sizeof(buf))
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(s + num, units[i].name))
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		return -EINVAL;
	memcpy(buf, s, num);
	buf[num] = '\0';
	errno = 0;
	*out = strtod(buf, NULL) * units[i].seconds;
	if (errno || !isfinite(*out) || *out < min || *out > 86400.0 * 365)
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

/* A number in [min, max], as strtol reads it whole. */
static int parse_long(const char *text, long min, long max, long *n)
{
	char *end;

	errno = 0;
	*n = strtol(text, &end, 10);
	return errno || end == text || *end || *n < min || *n > max ? -EINVAL : 0;
}

/* One word of a fixed list: its index, or -EINVAL. */
static int parse_word(const char *text, const char *const *words, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(text, words[i]))
			return i;
	return -EINVAL;
}

#define OPT_FN(name) static int name(struct run_opts *o, const char *arg, char *err, size_t errlen)

OPT_FN(opt_iface)
{
	int i;

	if (o->nr_ifaces == FT_MAX_SELECTORS)
		return usage_error(err, errlen, "-i given more than 256 times: use a pattern "
				   "('%s*')", arg);
	if (!arg[0] || strlen(arg) >= IF_NAMESIZE || strchr(arg, '/') || strpbrk(arg, " \t\n"))
		return usage_error(err, errlen, "-i '%s' is no interface name or pattern (1-15 "
				   "characters, no '/' or blank)", arg);
	for (i = 0; i < o->nr_ifaces; i++)
		if (!strcmp(o->ifaces[i], arg))
			return usage_error(err, errlen, "-i '%s' given twice", arg);
	o->ifaces[o->nr_ifaces++] = arg;
	return 0;
}

OPT_FN(opt_table)
{
	struct table_spec *t = &o->tables[o->nr_tables];
	int i, ret;

	if (o->nr_tables == FT_MAX_TABLES) {
		snprintf(err, errlen, "too many tables (at most %d)", FT_MAX_TABLES);
		return -EINVAL;
	}
	ret = table_spec_parse(arg, t, err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < o->nr_tables; i++)
		if (!strcmp(o->tables[i].name, t->name))
			return usage_error(err, errlen, "table name '%s' given twice", t->name);
	o->nr_tables++;
	return 0;
}

OPT_FN(opt_direction)
{
	static const char *const words[] = { "ingress", "egress", "both" };
	static const __u8 masks[] = {
		FT_DIRMASK(FT_DIR_INGRESS),
		FT_DIRMASK(FT_DIR_EGRESS),
		FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS),
	};
	int i = parse_word(arg, words, 3);

	if (i < 0)
		return usage_error(err, errlen, "direction '%s' unknown (ingress, egress, both)",
				   arg);
	o->dirmask = masks[i];
	return 0;
}

OPT_FN(opt_interval)
{
	if (parse_seconds(arg, FT_MIN_INTERVAL, &o->interval)) {
		snprintf(err, errlen,
			 "interval '%s' invalid (seconds, or 500ms, 10s, 5m, 1h; at least %g s)",
			 arg, FT_MIN_INTERVAL);
		return -EINVAL;
	}
	return 0;
}

OPT_FN(opt_duration)
{
	if (parse_seconds(arg, 0.001, &o->duration))
		return usage_error(err, errlen,
				   "duration '%s' invalid (seconds, or 500ms, 10s, 5m, 1h; above 0)",
				   arg);
	return 0;
}

OPT_FN(opt_xdp_mode)
{
	static const char *const words[] = { "auto", "native", "generic" };
	static const enum xdp_mode_req modes[] = { XDP_MODE_AUTO, XDP_MODE_NATIVE,
						   XDP_MODE_GENERIC };
	int i = parse_word(arg, words, 3);

	if (i < 0)
		return usage_error(err, errlen, "XDP mode '%s' unknown (auto, native, generic)",
				   arg);
	o->xdp_mode = modes[i];
	return 0;
}

OPT_FN(opt_ingress_hook)
{
	static const char *const words[] = { "auto", "xdp", "tcx" };
	static const enum ingress_hook_req hooks[] = { INGRESS_HOOK_AUTO, INGRESS_HOOK_XDP,
						       INGRESS_HOOK_TCX };
	int i = parse_word(arg, words, 3);

	if (i < 0)
		return usage_error(err, errlen, "ingress hook '%s' unknown (auto, xdp, tcx)", arg);
	o->ingress_hook = hooks[i];
	return 0;
}

OPT_FN(opt_prometheus)
{
	if (!valid_listen_addr(arg))
		return usage_error(err, errlen,
				   "--prometheus '%s' invalid (ADDR:PORT, e.g. 127.0.0.1:9753, "
				   "[::1]:9753, or :9753 for every address)",
				   arg);
	o->prometheus = arg;
	return 0;
}

OPT_FN(opt_ipfix)
{
	enum ipfix_transport transport, t2;
	char host[FT_HOST_MAX], h2[FT_HOST_MAX];
	unsigned short port, p2;
	int i;

	if (ipfix_conn_parse(arg, &transport, host, &port))
		return usage_error(err, errlen,
				   "--ipfix '%s' invalid ([udp://|tcp://]HOST:PORT, e.g. "
				   "127.0.0.1:4739 or tcp://[2001:db8::1]:4739)",
				   arg);
	/* the same collector however written: udp://H:P is H:P */
	for (i = 0; i < o->nr_ipfix; i++)
		if (!ipfix_conn_parse(o->ipfix[i], &t2, h2, &p2) && t2 == transport &&
		    p2 == port && !strcasecmp(h2, host))
			return usage_error(err, errlen,
					   "--ipfix '%s' given twice (the same transport, host "
					   "and port as another)",
					   arg);
	if (o->nr_ipfix == FT_MAX_IPFIX) {
		snprintf(err, errlen, "too many IPFIX collectors (at most %d)", FT_MAX_IPFIX);
		return -EINVAL;
	}
	o->ipfix[o->nr_ipfix++] = arg;
	return 0;
}

/* Whether a --ipfix collector is reached over UDP. */
static bool ipfix_has_udp(const struct run_opts *o)
{
	enum ipfix_transport t;
	char host[FT_HOST_MAX];
	unsigned short port;
	int i;

	for (i = 0; i < o->nr_ipfix; i++)
		if (!ipfix_conn_parse(o->ipfix[i], &t, host, &port) && t == IPFIX_UDP)
			return true;
	return false;
}

/* Table ids count from 1 to FT_TABLE_ID_MAX: base + id fits 32 bits. */
#define FT_IPFIX_DOMAIN_BASE_MAX (0xffffffffu - FT_TABLE_ID_MAX)

OPT_FN(opt_ipfix_domain_base)
{
	long n;

	if (parse_long(arg, 0, FT_IPFIX_DOMAIN_BASE_MAX, &n))
		return usage_error(err, errlen,
				   "--ipfix-domain-base '%s' invalid (0 to 4278190080: a table's "
				   "observation domain is this plus its id)",
				   arg);
	o->ipfix_domain_base = (__u32)n;
	o->ipfix_tuned = true;
	return 0;
}

OPT_FN(opt_ipfix_refresh)
{
	if (parse_seconds(arg, 0, &o->ipfix_refresh_secs))
		return usage_error(err, errlen,
				   "--ipfix-template-refresh '%s' invalid (seconds, or 500ms, 10s, "
				   "5m; 0 = not by time)",
				   arg);
	o->ipfix_tuned = true;
	return 0;
}

OPT_FN(opt_ipfix_refresh_msgs)
{
	long n;

	if (parse_long(arg, 0, 1000000, &n))
		return usage_error(err, errlen,
				   "--ipfix-template-refresh-messages '%s' invalid (0 to 1000000; "
				   "0 = not by count)",
				   arg);
	o->ipfix_refresh_msgs = (unsigned int)n;
	o->ipfix_tuned = true;
	return 0;
}

OPT_FN(opt_idle)
{
	double secs;

	if (parse_seconds(arg, 0, &secs) || secs > FT_TABLE_MAX_IDLE || secs != (__u32)secs) {
		snprintf(err, errlen, "idle '%s' invalid (whole seconds, or 10m, 1h; at most %u days)",
			 arg, FT_TABLE_MAX_IDLE / 86400);
		return -EINVAL;
	}
	o->idle = (__u32)secs;
	return 0;
}

static int add_vxlan_port(struct ft_decap *d, unsigned long port, const char *text, char *err,
			  size_t errlen)
{
	int i;

	for (i = 0; i < FT_MAX_VXLAN_PORTS; i++) {
		if (d->vxlan_port[i] == port)
			return usage_error(err, errlen, "--decap: VXLAN port in '%s' given twice",
					   text);
		if (!d->vxlan_port[i]) {
			d->vxlan_port[i] = (__u16)port;
			return 0;
		}
	}
	return usage_error(err, errlen, "--decap '%s': at most 4 VXLAN ports", text);
}

int parse_decap(const char *text, struct ft_decap *d, char *err, size_t errlen)
{
	char buf[128], *rest = buf, *tok, *end;
	bool vxlan_default = false;
	unsigned long port;
	int ret = 0;

	memset(d, 0, sizeof(*d));
	if (strlen(text) >= sizeof(buf))
		return usage_error(err, errlen, "--decap '%.40s...' too long", text);
	strcpy(buf, text);
	while (!ret && (tok = strsep(&rest, ","))) {
		if (!strcmp(tok, "geneve") && !(d->kinds & FT_DECAP_GENEVE)) {
			d->kinds |= FT_DECAP_GENEVE;
		} else if (!strcmp(tok, "gre") && !(d->kinds & FT_DECAP_GRE)) {
			d->kinds |= FT_DECAP_GRE;
		} else if (!strcmp(tok, "vxlan") && !vxlan_default) {
			vxlan_default = true;
			d->kinds |= FT_DECAP_VXLAN;
		} else if (!strncmp(tok, "vxlan:", 6)) {
			errno = 0;
			port = strtoul(tok + 6, &end, 10);
			if (!isdigit((unsigned char)tok[6]) || errno || *end || port < 1 ||
			    port > 65535)
				return usage_error(err, errlen,
						   "--decap '%s': VXLAN port must be 1-65535 "
						   "(vxlan:4789)",
						   tok);
			d->kinds |= FT_DECAP_VXLAN;
			ret = add_vxlan_port(d, port, tok, err, errlen);
		} else if (!strcmp(tok, "geneve") || !strcmp(tok, "gre") || !strcmp(tok, "vxlan")) {
			return usage_error(err, errlen, "--decap: '%s' given twice", tok);
		} else {
			return usage_error(err, errlen,
					   "--decap: unknown tunnel '%s' (vxlan[:PORT], geneve, gre)",
					   tok);
		}
	}
	/* plain 'vxlan': both ports Linux and IANA use, beside any given */
	if (!ret && vxlan_default)
		ret = add_vxlan_port(d, FT_VXLAN_PORT, "vxlan", err, errlen) ?:
		      add_vxlan_port(d, FT_VXLAN_PORT_LINUX, "vxlan", err, errlen);
	return ret;
}

OPT_FN(opt_decap)
{
	return parse_decap(arg, &o->decap, err, errlen);
}

static int instance_name(const char *arg, const char **to, char *err, size_t errlen)
{
	if (!valid_instance_name(arg))
		return usage_error(err, errlen,
				   "instance name '%s' invalid (" FT_INSTANCE_NAME_RULE ")", arg);
	*to = arg;
	return 0;
}

OPT_FN(opt_name)
{
	return instance_name(arg, &o->name, err, errlen);
}

OPT_FN(opt_pin)
{
	return instance_name(arg, &o->pin, err, errlen);
}

/* --json or --json=records: a record a line; --json=entries: an entry a line. */
OPT_FN(opt_json)
{
	static const char *const words[] = { "records", "entries" };
	int i = arg ? parse_word(arg, words, 2) : 0;

	if (i < 0)
		return usage_error(err, errlen, "--json='%s' unknown (records or entries)", arg);
	o->json = true;
	o->json_entries = i == 1;
	return 0;
}

OPT_FN(opt_help)
{
	(void)o, (void)arg, (void)err, (void)errlen;
	return OPTS_HELP;
}

/*
 * The options of `flowtally run`, declared once: getopt_long's tables and
 * --help are both made from this, so that they cannot drift apart. A flag or
 * a plain string sets its field (`field`); the others parse with `parse`.
 * `help` is a format given `help_value` (limits come from their constants);
 * its lines after the first are indented under the first.
 */
enum opt_kind { OPT_FLAG, OPT_STRING, OPT_INT, OPT_PARSE };

struct run_option {
	const char *name;
	char short_name;	/* 0: long only */
	const char *arg;	/* the value's name in --help; NULL: takes none */
	bool arg_optional;	/* --name=VALUE or --name alone; the short one takes none */
	enum opt_kind kind;
	size_t field;		/* OPT_FLAG (bool), OPT_STRING (const char *), OPT_INT (int) */
	int (*parse)(struct run_opts *o, const char *arg, char *err, size_t errlen);
	const char *help;
	double help_value;
	long min, max;		/* OPT_INT: the values it takes */
};

#define FLAG(n, s, f, h) { n, s, NULL, false, OPT_FLAG, offsetof(struct run_opts, f), NULL, h, 0, 0, 0 }
#define STRING(n, s, a, f, h) \
	{ n, s, a, false, OPT_STRING, offsetof(struct run_opts, f), NULL, h, 0, 0, 0 }
#define PARSED(n, s, a, fn, h, v) { n, s, a, false, OPT_PARSE, 0, fn, h, v, 0, 0 }
/* An integer from min to max into an int (or a 32-bit unsigned) field; a
 * field of another size does not build. */
#define INT_FIELD(f)								\
	(offsetof(struct run_opts, f) +						\
	 0 * sizeof(char[sizeof(((struct run_opts *)0)->f) == sizeof(int) ? 1 : -1]))
#define INT(n, a, f, lo, hi, h, v) { n, 0, a, false, OPT_INT, INT_FIELD(f), NULL, h, v, lo, hi }
#define PARSED_OPTIONAL(n, s, a, fn, h) { n, s, a, true, OPT_PARSE, 0, fn, h, 0, 0, 0 }

static const struct run_option run_options[] = {
	PARSED("iface", 'i', "IFACE", opt_iface,
	       "interface to count on, or a shell pattern ('veth*'):\n"
	       "interfaces that match are followed as they come, go\n"
	       "and are renamed (repeat for more)",
	       0),
	FLAG("all-interfaces", 0, all_ifaces, "every interface but lo, followed like a pattern"),
	INT("max-interfaces", "N", max_ifaces, 1, FT_IFACES_LIMIT,
	       "interface slots (default %.0f, up to 65536); each costs\n"
	       "512 bytes of kernel memory per possible CPU (at most\n"
	       "1 GiB in all)",
	       FT_IFACES_DEFAULT),
	PARSED("table", 't', "SPEC", opt_table,
	       "a table: NAME=FIELD[,FIELD...][:size=N][:lru][:dir=DIR]\n"
	       "[:idle=SECONDS]\n"
	       "fields: proto sport dport port saddr[/V4[/V6]]\n"
	       "daddr[/V4[/V6]] vlan ifindex dscp vni, and flow (the\n"
	       "5-tuple); port: the lower of sport and dport, the\n"
	       "service's (for servers: svc=proto,port); up to %.0f\n"
	       "tables; default: ports=proto,dport",
	       FT_MAX_TABLES),
	PARSED("direction", 'd', "DIR", opt_direction, "ingress, egress or both (default both)", 0),
	PARSED("interval", 0, "SECONDS", opt_interval,
	       "time between records (default 1, minimum %.2f; units:\n"
	       "500ms, 10s, 5m, 1h)",
	       FT_MIN_INTERVAL),
	PARSED("duration", 0, "SECONDS", opt_duration,
	       "stop after this long (10s, 5m, 1h; default: until\n"
	       "Ctrl-C)",
	       0),
	PARSED_OPTIONAL("json", 'j', "FORM", opt_json,
			"JSON lines on stdout: records (default), a record\n"
			"a line; entries: an entry, interface or table a\n"
			"line"),
	FLAG("csv", 0, csv,
	     "CSV: a header, then per interval rows of seen,\n"
	     "unclassified, overflow and every entry"),
	STRING("output", 0, "FILE", output,
	       "records to FILE (appended; reopened on SIGHUP; not\n"
	       "through a symbolic link)"),
	PARSED("prometheus", 0, "ADDR:PORT", opt_prometheus,
	       "serve /metrics on ADDR:PORT (e.g. 127.0.0.1:9753;\n"
	       ":PORT or [::]:PORT: every address)",
	       0),
	INT("prometheus-max-series", "N", prom_max_series, 1, 1000000,
	       "own series per table and direction, the top N by\n"
	       "bytes (default %.0f); the rest add up in 'other'",
	       FT_PROM_MAX_SERIES),
	INT("prometheus-max-interfaces", "N", prom_max_iface_series, 1, FT_IFACES_LIMIT,
	       "interfaces with series of their own (default %.0f);\n"
	       "the others add up in iface=\"other\"",
	       FT_PROM_IFACE_SERIES),
	INT("prometheus-window", "N", prom_window, 1, 1000000,
	       "re-rank the series every N intervals (default %.0f)", FT_PROM_WINDOW),
	INT("prometheus-expire", "N", prom_expire, 0, 1000000,
	       "a series out of the top goes after N windows, its\n"
	       "count into 'other' (default %.0f; 0: at once)",
	       FT_PROM_EXPIRE),
	PARSED("ipfix", 0, "COLLECTOR", opt_ipfix,
	       "each interval's entries to an IPFIX collector:\n"
	       "HOST:PORT or udp://HOST:PORT (UDP), tcp://HOST:PORT;\n"
	       "repeat for more, up to %.0f; one observation domain\n"
	       "per table",
	       FT_MAX_IPFIX),
	PARSED("ipfix-domain-base", 0, "N", opt_ipfix_domain_base,
	       "a table's IPFIX observation domain is N + its id\n"
	       "(default 0; ids in 'flowtally status')",
	       0),
	PARSED("ipfix-template-refresh", 0, "SECONDS", opt_ipfix_refresh,
	       "UDP: templates again after this long (default %.0f;\n"
	       "0 = not by time)",
	       FT_IPFIX_REFRESH_SECS),
	PARSED("ipfix-template-refresh-messages", 0, "N", opt_ipfix_refresh_msgs,
	       "UDP: templates again after N messages of a domain\n"
	       "(default %.0f; 0 = not by count)",
	       FT_IPFIX_REFRESH_MSGS),
	PARSED("name", 0, "NAME", opt_name,
	       "instance name for 'flowtally table' (default: the\n"
	       "first interface; with a pattern first: flowtally)",
	       0),
	PARSED("pin", 0, "NAME", opt_pin,
	       "pin links, maps and totals under /sys/fs/bpf/flowtally/NAME:\n"
	       "counting goes on if flowtally dies, and the next\n"
	       "'run --pin NAME' adopts it with its totals",
	       0),
	FLAG("keep", 0, keep,
	     "with --pin: a clean exit leaves the instance counting\n"
	     "('flowtally stop NAME' removes it)"),
	PARSED("decap", 0, "LIST", opt_decap,
	       "key tunnelled frames by their inner frame and the\n"
	       "tunnel id (vni): vxlan[:PORT] (default ports 4789 and\n"
	       "8472; repeat for more), geneve (6081), gre (GRE and\n"
	       "GRETAP), comma-separated",
	       0),
	PARSED("idle", 0, "SECONDS", opt_idle,
	       "a key without a packet for this long leaves its table\n"
	       "(default %.0f; per table: :idle=SECONDS; 0 = every\n"
	       "interval)",
	       FT_TABLE_DEFAULT_IDLE),
	INT("top", "N", top, 0, 1000000, "text: show N rows per table (default %.0f, 0 = all)",
	       FT_TOP_ROWS),
	PARSED("ingress-hook", 0, "HOOK", opt_ingress_hook,
	       "auto, xdp or tcx (default auto: native XDP on NICs\n"
	       "whose driver runs it on its own receive ring, tcx on\n"
	       "virtual devices, lo and paravirtual NICs)",
	       0),
	PARSED("xdp-mode", 0, "MODE", opt_xdp_mode,
	       "native or generic: force XDP in that mode (auto: native)", 0),
	FLAG("verbose", 'v', verbose, "libbpf and verifier messages, swap timings"),
	PARSED("help", 'h', NULL, opt_help, "this text", 0),
};

#define NR_RUN_OPTIONS (sizeof(run_options) / sizeof(run_options[0]))
#define HELP_COLUMN 26

/* "  -i, --iface IFACE" and its help, wrapped under HELP_COLUMN. */
static void print_option(FILE *f, const struct run_option *opt)
{
	char help[512];
	const char *line, *nl;
	int len;

	len = fprintf(f, "  %c%c%c --%s%s%s%s", opt->short_name ? '-' : ' ',
		      opt->short_name ? opt->short_name : ' ', opt->short_name ? ',' : ' ',
		      opt->name, !opt->arg ? "" : opt->arg_optional ? "[=" : " ",
		      opt->arg ? opt->arg : "", opt->arg && opt->arg_optional ? "]" : "");
	if (len >= HELP_COLUMN)
		len = fprintf(f, "\n") - 1;
	fprintf(f, "%*s", HELP_COLUMN - len, "");
	snprintf(help, sizeof(help), opt->help, opt->help_value);
	for (line = help; (nl = strchr(line, '\n')); line = nl + 1)
		fprintf(f, "%.*s\n%*s", (int)(nl - line), line, HELP_COLUMN, "");
	fprintf(f, "%s\n", line);
}

/* Options a full-screen view has no use for: top refuses them. */
static bool run_only(const struct run_option *opt)
{
	return !strcmp(opt->name, "json") || !strcmp(opt->name, "csv") ||
	       !strcmp(opt->name, "output");
}

void run_usage(FILE *f, bool top)
{
	size_t i;

	if (top)
		fprintf(f, "Usage: flowtally top NAME\n"
			   "       flowtally top -i IFACE [-i IFACE ...] [OPTIONS]\n"
			   "\n"
			   "A live full-screen view: the top entries of a table by rate, bytes or\n"
			   "packets (keys r, b, p), Tab the next table, space pauses, q leaves.\n"
			   "\n"
			   "top NAME views the running instance NAME (started by the unit or by\n"
			   "hand, pinned or not) through its control socket: q ends the view and\n"
			   "the instance counts on, its records unchanged.\n"
			   "\n"
			   "top -i IFACE counts as 'flowtally run' does and leaves with the final\n"
			   "record (a pinned instance keeps counting: 'flowtally stop NAME' removes\n"
			   "it).\n"
			   "\n");
	else
		fprintf(f, "Usage: flowtally run -i IFACE|'PATTERN' [-i ...] [OPTIONS]\n"
			   "       flowtally run --all-interfaces [OPTIONS]\n"
			   "\n"
			   "Counts every frame IFACE receives (XDP or tcx, per device) and transmits\n"
			   "(tcx) into per-CPU tables, prints one record per interval and, on exit,\n"
			   "the totals. Interfaces a pattern selects are attached as they appear and\n"
			   "detached as they go, their counts kept.\n"
			   "\n");
	for (i = 0; i < NR_RUN_OPTIONS; i++)
		if (!top || !run_only(&run_options[i]))
			print_option(f, &run_options[i]);
	fprintf(f, "\n"
		   "Packets and bytes are what went over the wire: a GSO/GRO packet on tcx counts\n"
		   "as its segments, each with its headers. Frames without a key are counted by\n"
		   "reason under 'unclassified'; a full table counts in its 'overflow'.\n"
		   "Exit status: 0 done, 1 runtime error, 2 usage error.\n");
}

static void set_defaults(struct run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->interval = 1.0;
	o->idle = FT_TABLE_DEFAULT_IDLE;
	o->top = FT_TOP_ROWS;
	o->prom_max_series = -1;	/* not given */
	o->ipfix_refresh_secs = FT_IPFIX_REFRESH_SECS;
	o->ipfix_refresh_msgs = FT_IPFIX_REFRESH_MSGS;
	o->prom_window = -1;
	o->prom_expire = -1;
	o->max_ifaces = FT_IFACES_DEFAULT;
	o->dirmask = FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS);
}

/* What the options mean together, and the defaults that depend on others. */
static int finish_opts(struct run_opts *o, char *err, size_t errlen)
{
	int i, named = 0;

	if (!o->nr_ifaces && !o->all_ifaces)
		return usage_error(err, errlen, "%s",
				   "no interface given (-i IFACE, -i 'PATTERN' or --all-interfaces)");
	if (o->nr_ifaces && o->all_ifaces)
		return usage_error(err, errlen, "%s", "-i and --all-interfaces exclude each other");
	o->following = o->all_ifaces;
	for (i = 0; i < o->nr_ifaces; i++) {
		o->following |= iface_is_pattern(o->ifaces[i]);
		named += !iface_is_pattern(o->ifaces[i]);
	}
	if (named > (int)o->max_ifaces) {
		snprintf(err, errlen, "%d interfaces named, --max-interfaces is %u", named,
			 o->max_ifaces);
		return -EINVAL;
	}
	if (o->prom_max_iface_series > 0 && !o->prometheus)
		return usage_error(err, errlen, "%s",
				   "--prometheus-max-interfaces needs --prometheus");
	if (o->csv && o->json)
		return usage_error(err, errlen, "%s", "--csv and --json exclude each other");
	if (o->prom_max_series > 0 && !o->prometheus)
		return usage_error(err, errlen, "%s", "--prometheus-max-series needs --prometheus");
	if (o->ipfix_tuned && !o->nr_ipfix)
		return usage_error(err, errlen, "%s",
				   "--ipfix-domain-base and --ipfix-template-refresh* need --ipfix");
	if (!o->ipfix_refresh_secs && !o->ipfix_refresh_msgs && ipfix_has_udp(o))
		return usage_error(err, errlen, "%s",
				   "--ipfix-template-refresh 0 and "
				   "--ipfix-template-refresh-messages 0: a UDP collector would "
				   "never get templates again (RFC 7011 8.4); give one of them");
	if (o->prom_max_series < 0)
		o->prom_max_series = FT_PROM_MAX_SERIES;
	if ((o->prom_window > 0 || o->prom_expire >= 0) && !o->prometheus)
		return usage_error(err, errlen, "%s",
				   "--prometheus-window and --prometheus-expire need --prometheus");
	if (o->prom_window < 0)
		o->prom_window = FT_PROM_WINDOW;
	if (o->prom_expire < 0)
		o->prom_expire = FT_PROM_EXPIRE;
	if (o->ingress_hook == INGRESS_HOOK_TCX && o->xdp_mode != XDP_MODE_AUTO)
		return usage_error(err, errlen, "%s",
				   "--xdp-mode is for XDP: not with --ingress-hook tcx");
	if (o->keep && !o->pin)
		return usage_error(err, errlen, "%s", "--keep needs --pin NAME");
	if (o->pin && o->name && strcmp(o->pin, o->name))
		return usage_error(err, errlen, "%s", "--pin and --name must be the same name");
	if (!o->name)
		o->name = o->pin ? o->pin
			  : o->all_ifaces || iface_is_pattern(o->ifaces[0]) ? FT_DEFAULT_NAME
									    : o->ifaces[0];
	if (!o->nr_tables) {
		table_spec_default(&o->tables[0]);
		o->nr_tables = 1;
	}
	for (i = 0; i < o->nr_tables; i++)
		if (!o->tables[i].idle_given)
			o->tables[i].idle = o->idle;
	return OPTS_RUN;
}

/*
 * Short options flowtally had once and dropped, because the tools beside it
 * give the letter another meaning (nfcapd, nfdump and pmacctd: -D
 * daemonizes; -n is nfdump's record count): what to write instead.
 */
static const char *removed_short(int c)
{
	switch (c) {
	case 'D':
		return "option '-D' was removed: use --duration SECONDS (elsewhere -D daemonizes)";
	case 'n':
		return "option '-n' was removed: use --interval SECONDS";
	default:
		return NULL;
	}
}

static int apply_option(struct run_opts *o, const struct run_option *opt, const char *arg,
			char *err, size_t errlen)
{
	long n;

	switch (opt->kind) {
	case OPT_FLAG:
		*(bool *)((char *)o + opt->field) = true;
		return 0;
	case OPT_STRING:
		*(const char **)((char *)o + opt->field) = arg;
		return 0;
	case OPT_INT:
		if (parse_long(arg, opt->min, opt->max, &n)) {
			snprintf(err, errlen, "--%s '%s' invalid (%ld to %ld)", opt->name, arg,
				 opt->min, opt->max);
			return -EINVAL;
		}
		*(int *)((char *)o + opt->field) = (int)n;
		return 0;
	default:
		return opt->parse(o, arg, err, errlen);
	}
}

int run_opts_parse(int argc, char **argv, struct run_opts *o, char *err, size_t errlen)
{
	struct option longopts[NR_RUN_OPTIONS + 1] = {};
	char shortopts[2 * NR_RUN_OPTIONS + 2] = ":", *sp = shortopts + 1;
	size_t i;
	int c, ret;

	/* short options return their letter, long-only ones 256 + their index */
	for (i = 0; i < NR_RUN_OPTIONS; i++) {
		const struct run_option *opt = &run_options[i];

		longopts[i] = (struct option){ opt->name,
					       !opt->arg	   ? no_argument
					       : opt->arg_optional ? optional_argument
								   : required_argument,
					       NULL, opt->short_name ? opt->short_name : 256 + (int)i };
		if (opt->short_name) {
			*sp++ = opt->short_name;
			if (opt->arg && !opt->arg_optional)
				*sp++ = ':';
		}
	}
	set_defaults(o);
	optind = 0;	/* 0, not 1: also forgets a half-parsed option group */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == ':')
			return usage_error(err, errlen, "option '%s' needs a value",
					   argv[optind - 1]);
		for (i = 0; i < NR_RUN_OPTIONS; i++)
			if (longopts[i].val == c)
				break;
		if (c == '?' && removed_short(optopt))
			return usage_error(err, errlen, "%s", removed_short(optopt));
		if (c == '?' || i == NR_RUN_OPTIONS)
			return usage_error(err, errlen, "unknown option '%s'", argv[optind - 1]);
		ret = apply_option(o, &run_options[i], optarg, err, errlen);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return usage_error(err, errlen, "unexpected argument '%s'", argv[optind]);
	return finish_opts(o, err, errlen);
}
