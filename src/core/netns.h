/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Network namespaces by inode number, as `lsns -t net` and container
 * runtimes show them: what lets an operator join a veth's counts with the
 * container behind it.
 */
#ifndef FT_NETNS_H
#define FT_NETNS_H

#include <linux/types.h>

/* The inode of flowtally's own network namespace; 0 if unknown. */
__u64 netns_own_inode(void);
/* The inode of the namespace flowtally's namespace calls `nsid` (a negative
 * nsid: flowtally's own); 0 where no namespace with that id can be opened. */
__u64 netns_inode_of(__s32 nsid);

#endif
