// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flowtally's entry points: XDP for what an interface receives, TC (tcx) for
 * what it transmits. Both pass every frame on untouched.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define EEXIST		17	/* vmlinux.h has no errno values */
#define TCX_NEXT	(-1)	/* let later tcx/cls_bpf programs run too */

#include "account.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Bytes are the whole frame, every fragment of a multi-buffer (jumbo) frame
 * included: data_end only ends the first buffer. */
SEC("xdp.frags")
int flowtally_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct pkt_meta m = {};
	int verdict;

	m.key.dir = FT_DIR_INGRESS;
	m.key.ifindex = ctx->ingress_ifindex;
	m.want_addrs = *(volatile __u32 *)&ft_cfg.want_addrs;
	verdict = parse_frame(data, end, &m, 0, 0);
	account_frame(&m, verdict, 1, bpf_xdp_get_buff_len(ctx));
	return XDP_PASS;
}

/* Headers in the linear part are enough for nearly every skb; only when they
 * are not, pull them in once and parse again. */
#define FT_PULL_LEN	256

/*
 * Egress sees GSO super-packets: one skb that leaves as gso_segs frames.
 * Bytes are skb->len: one set of headers for the whole super-packet, and
 * without the VLAN tag when the kernel holds it in skb->vlan_tci.
 */
SEC("tc")
int flowtally_tc(struct __sk_buff *skb)
{
	__u64 packets = skb->gso_segs > 1 ? skb->gso_segs : 1;
	int tags = skb->vlan_present ? 1 : 0;
	__u16 vid = skb->vlan_tci;
	struct pkt_meta m = {};
	int verdict;

	m.key.dir = FT_DIR_EGRESS;
	m.key.ifindex = skb->ifindex;
	m.want_addrs = *(volatile __u32 *)&ft_cfg.want_addrs;
	verdict = parse_frame((void *)(long)skb->data, (void *)(long)skb->data_end, &m, tags, vid);
	if (verdict == FT_UNCL_TRUNCATED && skb->len > skb->data_end - skb->data) {
		__u32 len = skb->len < FT_PULL_LEN ? skb->len : FT_PULL_LEN;

		if (!bpf_skb_pull_data(skb, len)) {
			__builtin_memset(&m.key, 0, sizeof(m.key));
			m.key.dir = FT_DIR_EGRESS;
			m.key.ifindex = skb->ifindex;
			verdict = parse_frame((void *)(long)skb->data,
					      (void *)(long)skb->data_end, &m, tags, vid);
		}
	}
	account_frame(&m, verdict, packets, skb->len);
	return TCX_NEXT;
}
