/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The standard process metrics every Prometheus exporter serves
 * (process_cpu_seconds_total, process_start_time_seconds, memory, file
 * descriptors), read from /proc at scrape time.
 */
#ifndef FT_PROM_PROCESS_H
#define FT_PROM_PROCESS_H

#include <stddef.h>

struct prom_process {
	double cpu_seconds;		/* user and system */
	double start_time;		/* unix seconds */
	unsigned long long resident_bytes;
	unsigned long long virtual_bytes;
	unsigned long long open_fds;
	unsigned long long max_fds;	/* RLIMIT_NOFILE, soft */
};

/* Fills *p for this process; what cannot be read stays 0. 0, or -errno if
 * /proc could not be read at all. */
int prom_process_read(struct prom_process *p);

/* The families, as the exposition format wants them; the length written,
 * as snprintf. */
int prom_process_format(char *buf, size_t len, const struct prom_process *p);

#endif
