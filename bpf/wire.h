/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What an skb is on the wire. A GSO or GRO packet is one skb for several
 * segments: it counts as those segments, and its bytes as what they take on
 * the wire, so that tcx counts what XDP would have counted frame by frame.
 * Built for the host too: the unit tests check the formula.
 */
#ifndef FLOWTALLY_WIRE_H
#define FLOWTALLY_WIRE_H

#define FT_VLAN_HLEN	4

/*
 * Segments of an skb: gso_segs where the stack set it (TCP, UDP GSO, GRO).
 * tun/tap and virtio hand over GSO packets with gso_size but gso_segs 0: the
 * payload after the first segment's headers, cut into gso_size pieces.
 */
static __always_inline __u32 ft_skb_segs(__u32 gso_segs, __u32 gso_size, __u32 len,
					 __u32 hdr_len)
{
	if (gso_segs)
		return gso_segs;
	if (gso_size && len > hdr_len)
		return (len - hdr_len + gso_size - 1) / gso_size;
	return 1;
}

/*
 * Bytes the segments take on the wire: every segment after the first repeats
 * the headers (L2 + L3 + L4 of the first), and a VLAN tag the kernel holds
 * outside the frame (vlan_present) is 4 bytes of every segment that
 * skb->len leaves out.
 */
static __always_inline __u64 ft_wire_bytes(__u32 len, __u32 segs, __u32 hdr_len, int vlan_outside)
{
	__u64 bytes = len + (__u64)(segs - 1) * hdr_len;

	if (vlan_outside)
		bytes += (__u64)FT_VLAN_HLEN * segs;
	return bytes;
}

#endif /* FLOWTALLY_WIRE_H */
