// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The per-frame cost against the number of interfaces: flowtally's XDP
 * program as `flowtally run` loads it (--max-interfaces 1024, the default
 * ports table), with 1, 16 and 1024 interfaces in its slot map and the
 * frames' interface (ifindex 1, what a test run reports) registered last.
 * The slot is one hash lookup whatever the count; before ABI 4 it was a
 * loop over every configured interface. BPF_PROG_TEST_RUN, the base frame
 * mix, one CPU, the three instances interleaved frame by frame within each
 * round; ratios are taken round by round. Every instance's books are
 * checked: seen on the frames' interface equals the frames run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "bench.h"
#include "lifecycle.h"
#include "snapshot.h"
#include "tables.h"

#define FAKE_IFINDEX	100000	/* interfaces no frame comes from */

const int bench_iface_counts[IFACE_COUNTS] = { 1, 16, 1024 };

static __u64 cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* An instance with `n` interfaces, the frames' one in the last slot. */
static int open_with(struct ft_instance *inst, int n, int *slot)
{
	struct table_spec spec;
	char name[16];
	int i, err;

	err = instance_open(inst, FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS), false,
			    1024);
	if (err)
		return err;
	for (i = 0; i < n - 1; i++) {
		snprintf(name, sizeof(name), "fake%d", i);
		err = bench_add_iface(inst, name, FAKE_IFINDEX + (__u32)i);
		if (err < 0)
			return err;
	}
	*slot = bench_add_iface(inst, "lo", 1);
	if (*slot < 0)
		return *slot;
	table_spec_default(&spec);
	err = tables_add(inst, &spec);
	return err < 0 ? err : 0;
}

static int run_frame(int fd, const void *data, int len, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = (__u32)len,
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	return opts.retval == 2 /* XDP_PASS */ ? 0 : -EPROTO;
}

/* seen on the frames' interface, ingress, since the instance opened */
static int seen_of(struct ft_instance *inst, int slot, __u64 *seen)
{
	struct ft_counts got;
	int err, g;

	counts_init(&got);
	*seen = 0;
	/* two flips: both generations read */
	for (g = 0; g < FT_GENERATIONS && !(err = snapshot_take(inst, &got)); g++)
		;
	if (!err && (__u32)slot < got.nr_iface)
		*seen = got.iface[slot][FT_DIR_INGRESS][FT_CNT_SEEN].packets;
	counts_free(&got);
	return err;
}

int bench_ifaces(const struct bench_opts *o, struct results *r)
{
	struct ft_instance inst[IFACE_COUNTS] = {};
	int slot[IFACE_COUNTS], fd[IFACE_COUNTS], round, f, k, err = 0;
	int repeat = o->repeat / 4 ? o->repeat / 4 : 1;
	__u64 ns[IFACE_COUNTS], seen;

	for (k = 0; k < IFACE_COUNTS && !err; k++) {
		err = open_with(&inst[k], bench_iface_counts[k], &slot[k]);
		if (!err)
			fd[k] = instance_prog_fd(&inst[k], FT_DIR_INGRESS);
	}
	for (round = -1; round < o->rounds && !err; round++) {	/* -1: warm-up */
		memset(ns, 0, sizeof(ns));
		for (f = 0; f < r->base.n && !err; f++) {
			for (k = 0; k < IFACE_COUNTS && !err; k++) {
				/* rotated by round: none is always first */
				int i = (k + (round < 0 ? 0 : round)) % IFACE_COUNTS;
				__u64 t0 = cpu_ns();

				err = run_frame(fd[i], r->base.buf[f], r->base.len[f], repeat);
				ns[i] += cpu_ns() - t0;
			}
		}
		for (k = 0; round >= 0 && k < IFACE_COUNTS; k++)
			series_add(&r->iface_ns[k], (double)ns[k] / ((double)r->base.n * repeat));
	}
	for (k = 0; k < IFACE_COUNTS && !err; k++) {
		err = seen_of(&inst[k], slot[k], &seen);
		r->iface_checked[k] = !err && seen == (__u64)(o->rounds + 1) * r->base.n * repeat;
		if (!err && !r->iface_checked[k])
			fprintf(stderr, "bench: %d interfaces: %llu seen, %llu run\n",
				bench_iface_counts[k], (unsigned long long)seen,
				(unsigned long long)(o->rounds + 1) * r->base.n * repeat);
	}
	for (k = 0; k < IFACE_COUNTS; k++)
		instance_close(&inst[k]);
	if (err)
		fprintf(stderr, "bench: interface counts: %s\n", strerror(-err));
	return err;
}
