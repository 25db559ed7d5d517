// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test helper, not part of flowtally: gives every frame arriving on an
 * interface a VLAN tag held outside the frame (skb->vlan_tci, as a VLAN
 * device or a bridge would on hardware with tag offload) and sends it out of
 * another interface, whose egress flowtally counts. Without a VLAN ID it only
 * redirects; with BPF_F_INGRESS in flags, into the other interface's
 * receive path, as a load balancer or a CNI would.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TC_ACT_SHOT 2

struct vlan_push_cfg {
	__u32 target_ifindex;
	__u32 vlan_id;		/* 0: no tag */
	__u32 flags;		/* bpf_redirect() flags */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vlan_push_cfg);
} vlan_push_cfg SEC(".maps");

SEC("tc")
int vlan_push_redirect(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct vlan_push_cfg *cfg = bpf_map_lookup_elem(&vlan_push_cfg, &zero);

	if (!cfg)
		return TC_ACT_SHOT;
	if (cfg->vlan_id && bpf_skb_vlan_push(skb, bpf_htons(0x8100), (__u16)cfg->vlan_id))
		return TC_ACT_SHOT;
	return bpf_redirect(cfg->target_ifindex, cfg->flags);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
