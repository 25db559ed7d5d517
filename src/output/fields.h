/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The parts both JSON forms print the same way (output.c's records, one a
 * line; entries.c's entries, one a line): values, rates, keys, hooks, times,
 * and who wrote the record (schema, host, instance).
 */
#ifndef FT_FIELDS_H
#define FT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "catalog.h"
#include "counts.h"
#include "print.h"

void print_value(struct printer *p, const char *key, const struct ft_value *v);
/* pps and bps over `secs`; text: both in SI units. */
void print_rates(struct printer *p, const struct ft_value *v, double secs);
/* The table's key fields of k, by the names the JSON schema gives them. */
void print_key(struct printer *p, const struct table_spec *s, const struct ft_key *k);
/* What counts direction dir of ifc (NULL: the "(other)" slot), and why. */
const char *iface_hook(const struct ft_iface *ifc, int dir);
const char *iface_hook_reason(const struct ft_iface *ifc, int dir);
/* A veth's "peer" object (nothing for other interfaces or NULL). */
void print_peer(struct printer *p, const struct ft_iface *ifc);
/* "total": what every interface saw, per direction the instance counts. */
void print_total(struct printer *p, const struct ft_catalog *cat, const struct ft_counts *c);
/* The host name a record gives: `given`, or gethostname() into buf. */
const char *record_host(const char *given, char *buf, size_t len);
/* "schema", "host" and "instance" of a JSON line. */
void print_origin(struct printer *p, const char *schema, const char *host,
		  const char *instance);
/* Unix seconds as RFC 3339 in UTC with microseconds: 2026-11-29T00:12:27.676409Z */
const char *rfc3339_utc(double t, char *buf, size_t len);

/*
 * The record's interface rows, in order: every interface of the catalog
 * (slot order; gone ones until their last counts were reported) in each
 * direction the instance counts, then "(other)" (frames of no catalogued
 * interface) in the directions where it saw frames, and "(removed)" (the
 * interfaces that left and whose slots were freed, summed) when it has
 * seen frames. Start with row.pos = 0; each call fills the next row.
 */
struct iface_row {
	int pos;			/* cursor: 0 before the first row */
	const struct ft_iface *ifc;	/* NULL: (other), (removed) */
	const char *name;
	int slot;			/* catalog slot (device records); -1: none */
	int dir;
	const struct ft_value *cnt;	/* FT_CNT_PER_IFDIR counters */
};

bool iface_row_next(const struct ft_catalog *cat, const struct ft_counts *c,
		    struct iface_row *row);

/* The name of the interface with this ifindex, NULL if the catalog has none. */
const char *iface_name_of(const struct ft_catalog *cat, __u32 ifindex);

/* A removed table shows in the record of its last interval and in the
 * final one. */
static inline bool table_shown(const struct ft_table *t, const char *type)
{
	return t->used && !(t->removed && t->removal_reported && strcmp(type, "final"));
}

#endif
