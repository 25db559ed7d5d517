// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "prom_process.h"

/* Boot time in unix seconds, from /proc/stat's btime. */
static double boot_time(void)
{
	char line[256];
	double btime = 0;
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lf", &btime) == 1)
			break;
	fclose(f);
	return btime;
}

/* Field 22 of /proc/self/stat (starttime, clock ticks after boot) and 23
 * (vsize). The command name, field 2, may hold spaces: parse after its ')'. */
static int read_stat(struct prom_process *p)
{
	unsigned long long start_ticks, vsize;
	char buf[1024], *s;
	size_t n;
	FILE *f = fopen("/proc/self/stat", "re");
	long hz = sysconf(_SC_CLK_TCK);

	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	s = strrchr(buf, ')');
	/* after ')': state is field 3, starttime field 22, vsize 23 */
	if (!s || sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu %llu",
			 &start_ticks, &vsize) != 2)
		return -EINVAL;
	if (hz > 0)
		p->start_time = boot_time() + (double)start_ticks / (double)hz;
	p->virtual_bytes = vsize;
	return 0;
}

static void read_statm(struct prom_process *p)
{
	unsigned long long size, resident;
	FILE *f = fopen("/proc/self/statm", "re");
	long page = sysconf(_SC_PAGESIZE);

	if (!f)
		return;
	if (fscanf(f, "%llu %llu", &size, &resident) == 2 && page > 0)
		p->resident_bytes = resident * (unsigned long long)page;
	fclose(f);
}

/* Entries of /proc/self/fd, less the one opendir holds. */
static void count_fds(struct prom_process *p)
{
	struct dirent *d;
	unsigned long long n = 0;
	DIR *dir = opendir("/proc/self/fd");

	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	p->open_fds = n ? n - 1 : 0;
}

int prom_process_read(struct prom_process *p)
{
	struct rusage ru;
	struct rlimit rl;

	memset(p, 0, sizeof(*p));
	if (!getrusage(RUSAGE_SELF, &ru))
		p->cpu_seconds = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
				 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	if (!getrlimit(RLIMIT_NOFILE, &rl))
		p->max_fds = rl.rlim_cur;
	read_statm(p);
	count_fds(p);
	return read_stat(p);
}

int prom_process_format(char *buf, size_t len, const struct prom_process *p)
{
	return snprintf(buf, len,
			"# HELP process_cpu_seconds_total User and system CPU time of flowtally.\n"
			"# TYPE process_cpu_seconds_total counter\n"
			"process_cpu_seconds_total %.6f\n"
			"# HELP process_start_time_seconds Start time of the process since the "
			"epoch, in seconds.\n"
			"# TYPE process_start_time_seconds gauge\n"
			"process_start_time_seconds %.2f\n"
			"# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
			"# TYPE process_resident_memory_bytes gauge\n"
			"process_resident_memory_bytes %llu\n"
			"# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
			"# TYPE process_virtual_memory_bytes gauge\n"
			"process_virtual_memory_bytes %llu\n"
			"# HELP process_open_fds Number of open file descriptors.\n"
			"# TYPE process_open_fds gauge\n"
			"process_open_fds %llu\n"
			"# HELP process_max_fds Maximum number of open file descriptors.\n"
			"# TYPE process_max_fds gauge\n"
			"process_max_fds %llu\n",
			p->cpu_seconds, p->start_time, p->resident_bytes, p->virtual_bytes,
			p->open_fds, p->max_fds);
}
