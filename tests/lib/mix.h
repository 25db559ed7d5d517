/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A deterministic traffic mix: frame i of seed s is always the same frame,
 * whatever was drawn before it, so a failing frame can be rebuilt alone.
 */
#ifndef FT_TEST_MIX_H
#define FT_TEST_MIX_H

#include "frames.h"

/* Room for the longest headers the mix draws (three tags, six IPv6
 * extension headers, TCP) with bytes to spare. */
#define MIX_MIN_FRAME	256
#define MIX_MAX_FRAME	65535

/*
 * Fills *out with frame i: mostly IPv4/IPv6 TCP and UDP, some ICMP, SCTP,
 * UDP-Lite, GRE and ESP, sometimes VLAN/QinQ, IPv4 options, IPv6 extension
 * headers and fragments; malformed_pct percent of frames are noise (non-IP,
 * truncated, bad IHL or version, too many tags or extension headers, runts).
 * Every frame is 14..max_frame bytes long. Returns 0, or -EINVAL when
 * max_frame or malformed_pct is out of range.
 */
int mix_spec(unsigned int seed, unsigned int i, int max_frame, int malformed_pct,
	     struct frame_spec *out);

#endif /* FT_TEST_MIX_H */
