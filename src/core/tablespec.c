// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ident.h"
#include "tablespec.h"

const char *const ft_field_names[FT_FIELDS] = {
	[FT_F_PROTO] = "proto",	  [FT_F_SPORT] = "sport", [FT_F_DPORT] = "dport",
	[FT_F_SADDR] = "saddr",	  [FT_F_DADDR] = "daddr", [FT_F_VLAN] = "vlan",
	[FT_F_IFINDEX] = "ifindex", [FT_F_DSCP] = "dscp", [FT_F_VNI] = "vni",
	[FT_F_PORT] = "port",
};

#define PORT_FIELDS (FT_FIELD_BIT(FT_F_SPORT) | FT_FIELD_BIT(FT_F_DPORT) | FT_FIELD_BIT(FT_F_PORT))

#define FLOW_FIELDS                                                                      \
	(FT_FIELD_BIT(FT_F_PROTO) | FT_FIELD_BIT(FT_F_SADDR) | FT_FIELD_BIT(FT_F_DADDR) | \
	 FT_FIELD_BIT(FT_F_SPORT) | FT_FIELD_BIT(FT_F_DPORT))

void table_spec_default(struct table_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	strcpy(spec->name, "ports");
	spec->fields = FT_FIELD_BIT(FT_F_PROTO) | FT_FIELD_BIT(FT_F_DPORT);
	spec->size = FT_TABLE_DEFAULT_SIZE;
	spec->idle = FT_TABLE_DEFAULT_IDLE;
}

static int fail(char *err, size_t errlen, const char *fmt, const char *what)
{
	snprintf(err, errlen, fmt, what);
	return -EINVAL;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

/* 'saddr', 'saddr/24', 'saddr/24/64', 'saddr//64' */
static int parse_addr_field(char *tok, int which, struct table_spec *spec, char *err,
			    size_t errlen)
{
	char *v4 = strchr(tok, '/'), *v6 = NULL;
	unsigned long n;

	spec->prefix[which][FT_FAMILY_IPV4] = 32;
	spec->prefix[which][FT_FAMILY_IPV6] = 128;
	if (!v4)
		return 0;
	*v4++ = '\0';
	v6 = strchr(v4, '/');
	if (v6)
		*v6++ = '\0';
	/* 'saddr/' and 'saddr//' say a prefix and give none */
	if (!*v4 && !v6)
		return fail(err, errlen, "IPv4 prefix after '%s/' missing (saddr/24, saddr/24/64, "
			    "saddr//64)", tok);
	if (*v4) {
		if (parse_uint(v4, 32, &n) || n == 0)
			return fail(err, errlen, "IPv4 prefix '/%s' out of range (1-32)", v4);
		spec->prefix[which][FT_FAMILY_IPV4] = (__u8)n;
	}
	if (v6) {
		if (parse_uint(v6, 128, &n) || n == 0)
			return fail(err, errlen, "IPv6 prefix '/%s' out of range (1-128)", v6);
		spec->prefix[which][FT_FAMILY_IPV6] = (__u8)n;
	}
	return 0;
}

static int parse_field(char *tok, struct table_spec *spec, char *err, size_t errlen)
{
	char name[16];
	size_t len;
	int f;

	if (!strcmp(tok, "flow")) {
		if (spec->fields & FLOW_FIELDS)
			return fail(err, errlen, "field '%s' given twice (flow includes proto, saddr, daddr, sport, dport)",
				    "flow");
		spec->fields |= FLOW_FIELDS;
		parse_addr_field(strcpy(name, "saddr"), 0, spec, err, errlen);
		parse_addr_field(strcpy(name, "daddr"), 1, spec, err, errlen);
		return 0;
	}
	if (!strcmp(tok, "tos"))
		tok = strcpy(name, "dscp");
	len = strcspn(tok, "/");
	for (f = 0; f < FT_FIELDS; f++) {
		if (strlen(ft_field_names[f]) != len || strncmp(tok, ft_field_names[f], len))
			continue;
		if (spec->fields & FT_FIELD_BIT(f))
			return fail(err, errlen, "field '%s' given twice", ft_field_names[f]);
		spec->fields |= FT_FIELD_BIT(f);
		if (f == FT_F_SADDR || f == FT_F_DADDR)
			return parse_addr_field(tok, f == FT_F_DADDR, spec, err, errlen);
		if (tok[len])
			return fail(err, errlen, "field '%s' takes no prefix", ft_field_names[f]);
		return 0;
	}
	return fail(err, errlen,
		    "unknown field '%s' (fields: proto sport dport saddr[/N] daddr[/N] vlan "
		    "ifindex dscp vni port flow)",
		    tok);
}

/* Each option once: 'size=1:size=2' would leave the reader to guess. */
static int parse_option(char *opt, struct table_spec *spec, unsigned int *seen, char *err,
			size_t errlen)
{
	static const char *const names[] = { "lru", "size", "dir", "idle" };
	unsigned long n;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len = strlen(names[i]);

		if (strncmp(opt, names[i], len) || (opt[len] && opt[len] != '='))
			continue;
		if (*seen & (1u << i))
			return fail(err, errlen, "table option '%s' given twice", names[i]);
		*seen |= 1u << i;
	}
	if (!strcmp(opt, "lru")) {
		spec->lru = true;
		return 0;
	}
	if (!strncmp(opt, "size=", 5)) {
		if (parse_uint(opt + 5, FT_TABLE_MAX_SIZE, &n) || n == 0) {
			snprintf(err, errlen, "size '%s' out of range (1-%u)", opt + 5,
				 FT_TABLE_MAX_SIZE);
			return -EINVAL;
		}
		spec->size = (__u32)n;
		return 0;
	}
	if (!strncmp(opt, "idle=", 5)) {
		if (parse_uint(opt + 5, FT_TABLE_MAX_IDLE, &n)) {
			snprintf(err, errlen, "idle '%s' out of range (0-%u seconds)", opt + 5,
				 FT_TABLE_MAX_IDLE);
			return -EINVAL;
		}
		spec->idle = (__u32)n;
		spec->idle_given = true;
		return 0;
	}
	if (!strncmp(opt, "dir=", 4)) {
		const char *d = opt + 4;

		if (!strcmp(d, "ingress"))
			spec->dirmask = FT_DIRMASK(FT_DIR_INGRESS);
		else if (!strcmp(d, "egress"))
			spec->dirmask = FT_DIRMASK(FT_DIR_EGRESS);
		else if (!strcmp(d, "both"))
			spec->dirmask = FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS);
		else
			return fail(err, errlen, "direction '%s' unknown (ingress, egress, both)",
				    d);
		return 0;
	}
	return fail(err, errlen, "unknown table option '%s' (size=N, lru, dir=DIR, idle=SECONDS)",
		    opt);
}

int table_spec_parse(const char *text, struct table_spec *spec, char *err, size_t errlen)
{
	char buf[256], *eq, *fields, *opts, *tok;
	unsigned int seen = 0;
	int ret = 0;

	memset(spec, 0, sizeof(*spec));
	spec->size = FT_TABLE_DEFAULT_SIZE;
	spec->idle = FT_TABLE_DEFAULT_IDLE;
	if (strlen(text) >= sizeof(buf))
		return fail(err, errlen, "table spec too long: '%.40s...'", text);
	strcpy(buf, text);
	eq = strchr(buf, '=');
	if (!eq)
		return fail(err, errlen, "table spec '%s' lacks '=' (NAME=FIELD,...)", text);
	*eq = '\0';
	if (!valid_table_name(buf))
		return fail(err, errlen, "table name '%s' invalid (" FT_TABLE_NAME_RULE ")", buf);
	strcpy(spec->name, buf);

	fields = eq + 1;
	opts = strchr(fields, ':');
	if (opts)
		*opts++ = '\0';
	if (!*fields)
		return fail(err, errlen, "table '%s' has no key fields", spec->name);
	/* strsep, not strtok: an empty field or option ('a,,b', 'x:') is an
	 * error, not skipped */
	while (!ret && (tok = strsep(&fields, ","))) {
		if (!*tok)
			return spec->fields ? fail(err, errlen, "table '%s' has an empty field",
						   spec->name)
					    : fail(err, errlen, "table '%s' has no key fields",
						   spec->name);
		ret = parse_field(tok, spec, err, errlen);
	}
	/* port lives in the key's dport: it is one of the two ports, never beside them */
	if (!ret && (spec->fields & FT_FIELD_BIT(FT_F_PORT)) &&
	    (spec->fields & PORT_FIELDS) != FT_FIELD_BIT(FT_F_PORT))
		return fail(err, errlen, "table '%s': field 'port' (the lower of sport and dport) "
			    "goes with neither sport nor dport", spec->name);
	/* without proto, a port would mix with ICMP's type and code */
	if (!ret && (spec->fields & FT_FIELD_BIT(FT_F_PORT)) &&
	    !(spec->fields & FT_FIELD_BIT(FT_F_PROTO)))
		return fail(err, errlen, "table '%1$s': field 'port' needs 'proto' beside it "
			    "(e.g. '%1$s=proto,port')", spec->name);
	while (!ret && opts && (tok = strsep(&opts, ":"))) {
		if (!*tok)
			return fail(err, errlen, "table '%s' has an empty option", spec->name);
		ret = parse_option(tok, spec, &seen, err, errlen);
	}
	return ret;
}

static void prefix_mask(__u8 *mask, unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < 16; i++, bits = bits > 8 ? bits - 8 : 0)
		mask[i] = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
}

void table_spec_to_cfg(const struct table_spec *spec, __u8 dirmask, struct ft_table_cfg *cfg)
{
	bool wide = spec->fields & (FT_FIELD_BIT(FT_F_SADDR) | FT_FIELD_BIT(FT_F_DADDR));
	int fam;

	memset(cfg, 0, sizeof(*cfg));
	if (spec->fields & FT_FIELD_BIT(FT_F_PORT))
		cfg->flags = FT_CFG_PORT;
	cfg->dirmask = spec->dirmask ? spec->dirmask : dirmask;
	cfg->kclass = wide ? (spec->lru ? FT_KCLASS_WIDE_LRU : FT_KCLASS_WIDE)
			   : (spec->lru ? FT_KCLASS_NARROW_LRU : FT_KCLASS_NARROW);
	for (fam = 0; fam < FT_FAMILIES; fam++) {
		struct ft_key *m = &cfg->mask[fam];
		/* an IPv4 prefix counts from the start of the mapped address */
		unsigned int base = fam == FT_FAMILY_IPV4 ? 96 : 0;

		m->dir = 0xff;
		if (spec->fields & FT_FIELD_BIT(FT_F_PROTO))
			m->proto = 0xff;
		if (spec->fields & FT_FIELD_BIT(FT_F_DSCP))
			m->dscp = 0xff;
		if (spec->fields & FT_FIELD_BIT(FT_F_VLAN))
			m->vlan = 0xffff;
		if (spec->fields & FT_FIELD_BIT(FT_F_SPORT))
			m->sport = 0xffff;
		if (spec->fields & (FT_FIELD_BIT(FT_F_DPORT) | FT_FIELD_BIT(FT_F_PORT)))
			m->dport = 0xffff;
		if (spec->fields & FT_FIELD_BIT(FT_F_IFINDEX))
			m->ifindex = 0xffffffff;
		if (spec->fields & FT_FIELD_BIT(FT_F_VNI))
			ft_key_set_vni(m, FT_VNI_MASK);
		if (spec->fields & FT_FIELD_BIT(FT_F_SADDR))
			prefix_mask(m->saddr, base + spec->prefix[0][fam]);
		if (spec->fields & FT_FIELD_BIT(FT_F_DADDR))
			prefix_mask(m->daddr, base + spec->prefix[1][fam]);
	}
}

void table_spec_key_text(const struct table_spec *spec, char *buf, size_t len)
{
	size_t off = 0;
	int f;

	buf[0] = '\0';
	for (f = 0; f < FT_FIELDS && off < len; f++) {
		if (!(spec->fields & FT_FIELD_BIT(f)))
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? "," : "", ft_field_names[f]);
		if ((f == FT_F_SADDR || f == FT_F_DADDR) && off < len) {
			int w = f == FT_F_DADDR;

			unsigned int v4 = spec->prefix[w][FT_FAMILY_IPV4];
			unsigned int v6 = spec->prefix[w][FT_FAMILY_IPV6];

			/* the shortest form that parses back the same */
			if (v6 != 128)
				off += snprintf(buf + off, len - off, "/%.0u/%u", v4 == 32 ? 0 : v4,
						v6);
			else if (v4 != 32)
				off += snprintf(buf + off, len - off, "/%u", v4);
		}
	}
}
