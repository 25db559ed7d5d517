// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test helper, not part of flowtally: gives every frame arriving on an
 * interface a VLAN tag held outside the frame (skb->vlan_tci, as a VLAN
 * device or a bridge would on hardware with tag offload) and sends it out of
 * another interface, whose egress flowtally counts.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TC_ACT_SHOT 2

const volatile __u32 target_ifindex;
const volatile __u16 vlan_id = 100;

SEC("tc")
int vlan_push_redirect(struct __sk_buff *skb)
{
	if (bpf_skb_vlan_push(skb, bpf_htons(0x8100), vlan_id))
		return TC_ACT_SHOT;
	return bpf_redirect(target_ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
