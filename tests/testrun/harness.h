/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * BPF_PROG_TEST_RUN against flowtally's real programs and maps: an instance
 * opened as `flowtally run` opens it, with loopback (the interface a test run
 * reports) registered instead of attaching anywhere.
 */
#ifndef FT_TEST_HARNESS_H
#define FT_TEST_HARNESS_H

#include "counts.h"
#include "expect.h"
#include "frames.h"
#include "instance.h"

#define KTEST_IFINDEX 1		/* test runs see loopback as the interface */
#define KTEST_SLOT 1		/* its interface slot */
#define KTEST_MAX_IFACES 64

struct ktest {
	struct ft_instance inst;
	struct ft_counts got;
	int err;
	bool tc_ingress;	/* ingress runs go to the tcx ingress program, not XDP */
};

/* Opens the instance with the given tables (NULL, 0: the default ports table). */
int ktest_open(struct ktest *k, const struct table_spec *specs, int nr_specs);
/* Another interface in the catalog and the slot map: its slot, or -errno. */
int ktest_add_iface(struct ktest *k, const char *name, __u32 ifindex);
void ktest_close(struct ktest *k);

/* Runs the XDP (dir ingress; tcx with k->tc_ingress) or TC (egress) program
 * over one frame `repeat` times; for TC, gso_segs sets the skb's segment count
 * (0: none). */
int ktest_run(struct ktest *k, int dir, const void *frame, int len, int repeat, int gso_segs);
/* The same through a TC program with the skb's gso_segs and gso_size. */
int ktest_run_gso(struct ktest *k, int dir, const void *frame, int len, int gso_segs,
		  int gso_size);
/* Builds the frame, runs it once, and adds its classification to `e` (with
 * the tunnels k->inst.cfg->decap names decapsulated).
 * Returns 1 for a frame the TC test run cannot take (nothing counted). */
int ktest_send(struct ktest *k, int dir, const struct frame_spec *s, struct expect *e);
/* Flip generations and read: k->got holds what was counted since the last. */
int ktest_snapshot(struct ktest *k);

/* Asserts k->got equals `e` for the ports table (slot 0) in direction dir:
 * seen, every unclassified reason, every entry, no overflow. */
void ktest_check(struct ktest *k, int dir, const struct expect *e, const char *what);

#endif
