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
		   "  --quick  fewer rounds and repeats: the same figures in well under a minute\n");
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

/* Progress on stderr: the full run takes minutes. */
static int section(const char *name, __u64 start, int err)
{
	fprintf(stderr, "bench: %s done at %.1f s%s\n", name, (double)(now_ns() - start) / 1e9,
		err ? " (failed)" : "");
	return err;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct bench_opts o = { .outdir = "bench/results" };
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	__u64 start = now_ns();
	int c, err;

	while ((c = getopt_long(argc, argv, "qo:h", longopts, NULL)) != -1) {
		switch (c) {
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

	err = bench_netns();
	if (!err)
		err = bench_frames(&results);
	if (!err)
		err = section("load", start, bench_progs_open(&o));
	if (!err)
		err = section("packets", start, bench_packets(&o, &results));
	if (!err)
		err = section("sweep", start, bench_sweep(&o, &results));
	bench_progs_close();
	if (!err)
		err = section("read", start, bench_read(&o, &results));
	if (!err)
		err = section("swap", start, bench_swap(&o, &results));
	if (!err)
		err = section("memory", start, bench_memory(&o, &results));
	if (err) {
		fprintf(stderr, "bench: stopped: %s\n", strerror(-err));
		return 1;
	}
	results.seconds = (double)(now_ns() - start) / 1e9;
	return bench_report(&o, &results) ? 1 : 0;
}
