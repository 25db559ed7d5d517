// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench: flowtally's performance claim measured side by side. Writes
 * results.json and summary.md into the output directory; bench/run.sh adds
 * the plot. See bench/README.md for what each figure means.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"
#include "log.h"

static struct results results;

static void usage(FILE *f)
{
	fprintf(f, "Usage: bench [--quick] [--out DIR]\n"
		   "Measures flowtally's counting against other strategies and writes\n"
		   "DIR/results.json and DIR/summary.md (default DIR: bench/results).\n"
		   "  --quick      fewer rounds and repeats: the same figures in under a minute\n"
		   "  --only PART  measure one part only (packets, sweep, read, swap, memory);\n"
		   "               the others are left empty: for working on the bench itself\n"
		   "  --spin NAME  run strategy NAME on CPU 0 for 10 s, write nothing (perf)\n");
}

static void set_sizes(struct bench_opts *o)
{
	if (o->quick) {
		o->rounds = 5;
		o->repeat = 16384;
		o->sweep_rounds = 2;
		o->sweep_repeat = 200000;
		o->sweep_max = 100000;
		o->read_rounds = 1;
		o->swap_rounds = 2;
		o->meminfo_keys = 100000;
	} else {
		/* 16 frames x 65536: 1M packets per measurement */
		o->rounds = 31;
		o->repeat = 65536;
		o->sweep_rounds = 5;
		o->sweep_repeat = 2000000;
		o->sweep_max = 1000000;
		o->read_rounds = 5;
		o->swap_rounds = 9;
		o->meminfo_keys = 1000000;
	}
}

/* The machine-wide 'cpu' line of /proc/stat: total and steal ticks, and
 * the ticks no CPU was idle. */
static void cpu_ticks(unsigned long long *total, unsigned long long *steal,
		      unsigned long long *idle)
{
	unsigned long long v[10] = {};
	FILE *f = fopen("/proc/stat", "r");
	int i;

	*total = *steal = *idle = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) >= 8) {
		for (i = 0; i < 8; i++)	/* guest time is in user already */
			*total += v[i];
		*steal = v[7];
		*idle = v[3] + v[4];
	}
	fclose(f);
}

/* Progress on stderr (the full run takes minutes) and each part's time. */
static int section(const char *name, __u64 start, int err)
{
	static unsigned long long t0, s0, i0;
	static __u64 last;
	unsigned long long t, s, i;
	struct section_time *st;

	if (!last) {	/* the first call only starts the clock */
		cpu_ticks(&t0, &s0, &i0);
		last = now_ns();
		return err;
	}
	cpu_ticks(&t, &s, &i);
	if (results.nr_sections < MAX_SECTIONS) {
		st = &results.sections[results.nr_sections++];
		st->name = name;
		st->seconds = (double)(now_ns() - last) / 1e9;
		st->steal_pct = t > t0 ? 100.0 * (double)(s - s0) / (double)(t - t0) : 0;
		st->busy_pct = t > t0 ? 100.0 * (1 - (double)(i - i0) / (double)(t - t0)) : 0;
	}
	t0 = t;
	s0 = s;
	i0 = i;
	last = now_ns();
	fprintf(stderr, "bench: %s done at %.1f s%s\n", name, (double)(last - start) / 1e9,
		err ? " (failed)" : "");
	return err;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "out", required_argument, NULL, 'o' },
		{ "only", required_argument, NULL, 'O' },
		{ "spin", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct bench_opts o = { .outdir = "bench/results" };
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	__u64 start = now_ns();
	const char *only = NULL, *spin = NULL;
	int c, err;

	while ((c = getopt_long(argc, argv, "qo:O:S:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			spin = optarg;
			break;
		case 'O':
			only = optarg;
			break;
		case 'q':
			o.quick = true;
			break;
		case 'o':
			o.outdir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	set_sizes(&o);
	setrlimit(RLIMIT_MEMLOCK, &unlimited);	/* kernels before 5.11 charge rlimit */

#define WANT(part) (!only || !strcmp(only, part))
	err = section("start", start, bench_netns());
	if (!err)
		err = bench_frames(&results);
	if (!err && spin) {
		err = bench_progs_open(&o);
		if (!err)
			err = bench_spin(spin, 10, &results);
		bench_progs_close();
		return err ? 1 : 0;
	}
	if (!err && (WANT("packets") || WANT("sweep")))
		err = section("load", start, bench_progs_open(&o));
	if (!err && WANT("packets"))
		err = section("packets", start, bench_packets(&o, &results));
	if (!err && WANT("sweep"))
		err = section("sweep", start, bench_sweep(&o, &results));
	bench_progs_close();
	if (!err && WANT("ifaces"))
		err = section("ifaces", start, bench_ifaces(&o, &results));
	if (!err && WANT("read"))
		err = section("read", start, bench_read(&o, &results));
	if (!err && WANT("swap"))
		err = section("swap", start, bench_swap(&o, &results));
	if (!err && WANT("memory"))
		err = section("memory", start, bench_memory(&o, &results));
	if (err) {
		fprintf(stderr, "bench: stopped: %s\n", strerror(-err));
		return 1;
	}
	results.seconds = (double)(now_ns() - start) / 1e9;
	return bench_report(&o, &results) ? 1 : 0;
}
