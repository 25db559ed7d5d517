// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flowtally's entry points: XDP or tcx for what an interface receives (the
 * hook is chosen per device, src/hook.c), tcx for what it transmits. Every
 * program passes every frame on untouched.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define EEXIST		17	/* vmlinux.h has no errno values */
#define TCX_NEXT	(-1)	/* let later tcx/cls_bpf programs run too */

#include "account.h"
#include "decap.h"
#include "wire.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* A VLAN tag the NIC took out of the frame on receive (rx VLAN offload),
 * where the driver implements it: veth, mlx5, ice, ... */
extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto,
					__u16 *vlan_tci) __ksym __weak;

/*
 * A classified frame's tunnel (decap.h), one global function per context:
 * the verifier checks a global function once, on its own, whatever outer
 * headers came before.
 */
__noinline int ft_decap_xdp(struct xdp_md *ctx, struct pkt_meta *m)
{
	if (!m)
		return FT_UNCL_BAD_HEADER;
	return parse_decap((void *)(long)ctx->data, (void *)(long)ctx->data_end, m);
}

__noinline int ft_decap_skb(struct __sk_buff *skb, struct pkt_meta *m)
{
	if (!m)
		return FT_UNCL_BAD_HEADER;
	return parse_decap((void *)(long)skb->data, (void *)(long)skb->data_end, m);
}

/* Bytes are the whole frame, every fragment of a multi-buffer (jumbo) frame
 * included: data_end only ends the first buffer; and a tag the NIC took
 * out, which was 4 bytes of it on the wire. */
static __always_inline int count_xdp(struct xdp_md *ctx, bool rx_vlan)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct pkt_meta m = {};
	__be16 vlan_proto;
	__u16 vlan_tci = 0;
	int verdict, tags = 0;

	if (rx_vlan && !bpf_xdp_metadata_rx_vlan_tag(ctx, &vlan_proto, &vlan_tci))
		tags = 1;
	m.key.dir = FT_DIR_INGRESS;
	m.key.ifindex = ctx->ingress_ifindex;
	m.want_addrs = *(volatile __u32 *)&ft_cfg.want_addrs;
	m.decap = ft_cfg.decap;
	verdict = parse_frame(data, end, &m, tags, vlan_tci);
	if (verdict == PARSE_OK && m.decap.kinds)
		verdict = ft_decap_xdp(ctx, &m);
	account_frame(&m, verdict, 1, bpf_xdp_get_buff_len(ctx) + (tags ? FT_VLAN_HLEN : 0));
	return XDP_PASS;
}

/* Unbound: generic XDP, test runs (BPF_PROG_TEST_RUN refuses device-bound
 * programs), and where a device-bound copy cannot be loaded. */
SEC("xdp.frags")
int flowtally_xdp(struct xdp_md *ctx)
{
	return count_xdp(ctx, false);
}

/* Device-bound (BPF_F_XDP_DEV_BOUND_ONLY, one copy per device): only such a
 * program may ask the driver for the rx VLAN tag. */
SEC("xdp.frags")
int flowtally_xdp_dev(struct xdp_md *ctx)
{
	return count_xdp(ctx, true);
}

/* Headers in the linear part are enough for nearly every skb; only when they
 * are not, pull them in once and parse again. 512: a tunnel's headers are
 * two frames' worth (IPv6 outer and inner with TCP options: about 200). */
#define FT_PULL_LEN	512

/*
 * Both skb hooks, tcx ingress and egress. An skb may be a GSO (egress) or GRO
 * (ingress) packet: it counts as its segments, with the bytes they take on
 * the wire (wire.h), so a frame counts the same here as under XDP. A VLAN tag
 * the kernel holds outside the frame keys the frame; on ingress the stack
 * always takes the outermost tag out before tc runs.
 */
static __always_inline int count_skb(struct __sk_buff *skb, __u8 dir)
{
	int tags = skb->vlan_present ? 1 : 0;
	__u16 vid = skb->vlan_tci;
	struct pkt_meta m = {};
	__u32 segs;
	int verdict;

	m.key.dir = dir;
	m.key.ifindex = skb->ifindex;
	m.want_addrs = *(volatile __u32 *)&ft_cfg.want_addrs;
	m.decap = ft_cfg.decap;
	verdict = parse_frame((void *)(long)skb->data, (void *)(long)skb->data_end, &m, tags, vid);
	if (verdict == PARSE_OK && m.decap.kinds)
		verdict = ft_decap_skb(skb, &m);
	if ((verdict == FT_UNCL_TRUNCATED || verdict == FT_UNCL_TUNNEL_TRUNCATED) &&
	    skb->len > skb->data_end - skb->data) {
		__u32 len = skb->len < FT_PULL_LEN ? skb->len : FT_PULL_LEN;

		if (!bpf_skb_pull_data(skb, len)) {
			__builtin_memset(&m, 0, sizeof(m));
			m.key.dir = dir;
			m.key.ifindex = skb->ifindex;
			m.want_addrs = *(volatile __u32 *)&ft_cfg.want_addrs;
			m.decap = ft_cfg.decap;
			verdict = parse_frame((void *)(long)skb->data,
					      (void *)(long)skb->data_end, &m, tags, vid);
			if (verdict == PARSE_OK && m.decap.kinds)
				verdict = ft_decap_skb(skb, &m);
		}
	}
	segs = ft_skb_segs(skb->gso_segs, skb->gso_size, skb->len, m.hdr_len);
	account_frame(&m, verdict, segs, ft_wire_bytes(skb->len, segs, m.hdr_len, tags));
	return TCX_NEXT;
}

/* tcx ingress: where XDP is the wrong hook (veth, virtual devices,
 * paravirtual NICs) or not there. */
SEC("tc")
int flowtally_tc_in(struct __sk_buff *skb)
{
	return count_skb(skb, FT_DIR_INGRESS);
}

SEC("tc")
int flowtally_tc(struct __sk_buff *skb)
{
	return count_skb(skb, FT_DIR_EGRESS);
}
