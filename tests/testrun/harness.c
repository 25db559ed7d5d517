// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "check.h"
#include "harness.h"
#include "ifslot.h"
#include "lifecycle.h"
#include "log.h"
#include "output.h"
#include "snapshot.h"
#include "tables.h"

int ktest_open(struct ktest *k, const struct table_spec *specs, int nr_specs)
{
	struct table_spec def;
	int i, err;

	memset(k, 0, sizeof(*k));
	counts_init(&k->got);
	err = instance_open(&k->inst, FT_DIRMASK(FT_DIR_INGRESS) | FT_DIRMASK(FT_DIR_EGRESS),
			    false, KTEST_MAX_IFACES);
	if (err)
		return err;
	err = ktest_add_iface(k, "lo", KTEST_IFINDEX);
	if (err < 0)
		return err;
	if (!specs) {
		table_spec_default(&def);
		specs = &def;
		nr_specs = 1;
	}
	for (i = 0; i < nr_specs; i++) {
		err = tables_add(&k->inst, &specs[i]);
		if (err < 0)
			return err;
	}
	return 0;
}

int ktest_add_iface(struct ktest *k, const char *name, __u32 ifindex)
{
	struct ft_iface *ifc = catalog_new_iface(&k->inst.cat, name, ifindex);
	__u32 slot;
	int err;

	if (!ifc)
		return -E2BIG;
	slot = catalog_slot(&k->inst.cat, ifc);
	err = ifslot_set(&k->inst, ifindex, slot);
	if (err)
		return err;
	return (int)slot;
}

void ktest_close(struct ktest *k)
{
	instance_close(&k->inst);
	counts_free(&k->got);
}

static int run_prog(struct ktest *k, int dir, const void *frame, int len, int repeat,
		    int gso_segs, int gso_size)
{
	struct __sk_buff skb = { .gso_segs = (__u32)gso_segs, .gso_size = (__u32)gso_size };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = (__u32)len,
		    .repeat = repeat);
	bool tc = dir == FT_DIR_EGRESS || k->tc_ingress;
	int fd = tc && dir == FT_DIR_INGRESS ? instance_tc_in_fd(&k->inst)
					     : instance_prog_fd(&k->inst, dir);

	if (tc && (gso_segs || gso_size)) {
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	}
	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	/* XDP_PASS is 2; TCX_NEXT is -1 */
	if (opts.retval != (tc ? (__u32)-1 : 2u))
		return -EPROTO;
	return 0;
}

int ktest_run(struct ktest *k, int dir, const void *frame, int len, int repeat, int gso_segs)
{
	return run_prog(k, dir, frame, len, repeat, gso_segs, 0);
}

int ktest_run_gso(struct ktest *k, int dir, const void *frame, int len, int gso_segs,
		  int gso_size)
{
	return run_prog(k, dir, frame, len, 1, gso_segs, gso_size);
}

/*
 * The kernel's TC test run refuses (EINVAL) frames it cannot make an skb of:
 * over a page of linear data, or with an IPv4/IPv6 EtherType but no room for
 * that header. Live egress tests carry such frames instead.
 */
static bool tc_test_run_refuses(const __u8 *frame, int len)
{
	int ethertype = frame[12] << 8 | frame[13];

	return len > 3700 || (ethertype == 0x0800 && len < 14 + 20) ||
	       (ethertype == 0x86DD && len < 14 + 40);
}

int ktest_send(struct ktest *k, int dir, const struct frame_spec *s, struct expect *e)
{
	static __u8 buf[65536 + 64];
	struct frame_class fc;
	int len, err;

	len = frame_build(s, buf, sizeof(buf));
	if (len < 0)
		return len;
	/* as the programs read it: the instance's --decap */
	err = frame_classify_decap(s, len, KTEST_IFINDEX, dir, &k->inst.cfg->decap, &fc);
	if (err)
		return err;
	err = ktest_run(k, dir, buf, len, 1, 0);
	if (err == -EINVAL && (dir == FT_DIR_EGRESS || k->tc_ingress) &&
	    tc_test_run_refuses(buf, len))
		return 1;
	if (err)
		return err;
	return e ? expect_add(e, &fc, (unsigned int)len) : 0;
}

int ktest_snapshot(struct ktest *k)
{
	counts_reset(&k->got);
	return snapshot_take(&k->inst, &k->got);
}

void ktest_check(struct ktest *k, int dir, const struct expect *e, const char *what)
{
	const struct ft_value *cnt = k->got.iface[KTEST_SLOT][dir];
	size_t i, entries = 0;
	char msg[160];
	int r;

	snprintf(msg, sizeof(msg), "%s: seen packets", what);
	ASSERT_EQ(cnt[FT_CNT_SEEN].packets, e->seen.packets, msg);
	snprintf(msg, sizeof(msg), "%s: seen bytes", what);
	ASSERT_EQ(cnt[FT_CNT_SEEN].bytes, e->seen.bytes, msg);
	for (r = 0; r < FT_UNCL_REASONS; r++) {
		snprintf(msg, sizeof(msg), "%s: unclassified.%s packets", what, ft_uncl_names[r]);
		ASSERT_EQ(cnt[FT_CNT_UNCL(r)].packets, e->uncl[r].packets, msg);
		snprintf(msg, sizeof(msg), "%s: unclassified.%s bytes", what, ft_uncl_names[r]);
		ASSERT_EQ(cnt[FT_CNT_UNCL(r)].bytes, e->uncl[r].bytes, msg);
	}
	snprintf(msg, sizeof(msg), "%s: overflow", what);
	ASSERT_EQ(k->got.table[0][dir][FT_TBL_OVERFLOW].packets, 0, msg);
	for (i = 0; i < k->got.nr_entries; i++) {
		const struct ft_entry *en = &k->got.entries[i];
		const struct expect_count *want;

		if (en->table != 0 || en->key.dir != dir)
			continue;
		entries++;
		want = expect_entry(e, en->key.proto, en->key.dport);
		snprintf(msg, sizeof(msg), "%s: entry proto %u dport %u expected", what,
			 en->key.proto, en->key.dport);
		if (!ASSERT_TRUE(want != NULL, msg))
			continue;
		snprintf(msg, sizeof(msg), "%s: proto %u dport %u packets", what, en->key.proto,
			 en->key.dport);
		ASSERT_EQ(en->val.packets, want->packets, msg);
		snprintf(msg, sizeof(msg), "%s: proto %u dport %u bytes", what, en->key.proto,
			 en->key.dport);
		ASSERT_EQ(en->val.bytes, want->bytes, msg);
	}
	snprintf(msg, sizeof(msg), "%s: number of (proto, dport) entries", what);
	ASSERT_EQ(entries, e->nentries, msg);
}
