// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vlanpush FROM TO [VID [ingress]]: while it runs, frames arriving on FROM
 * leave TO with VLAN tag VID held outside the frame (tests/bpf/vlan_push.bpf.c
 * on a tcx ingress link of FROM); VID 0: no tag; "ingress": redirected into
 * TO's receive path (BPF_F_INGRESS) instead. Stops on SIGINT/SIGTERM; the
 * link goes with it.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define TCX_INGRESS 46	/* BPF_TCX_INGRESS: Debian 12's headers predate tcx */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *obj_path = getenv("VLANPUSH_OBJ") ?: "build/tests/vlan_push.bpf.o";
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct bpf_map *map;
	__u32 from, to, vid = argc > 3 ? (__u32)atoi(argv[3]) : 100;
	int link = -1, ret = 1;
	struct {
		__u32 target_ifindex;
		__u32 vlan_id;
		__u32 flags;
	} cfg;
	__u32 zero = 0;

	if (argc < 3 || !(from = if_nametoindex(argv[1])) || !(to = if_nametoindex(argv[2]))) {
		fprintf(stderr, "usage: vlanpush FROM TO [VID [ingress]] (existing interfaces)\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		fprintf(stderr, "vlanpush: cannot open %s\n", obj_path);
		return 1;
	}
	cfg.target_ifindex = to;
	cfg.vlan_id = vid;
	cfg.flags = argc > 4 && !strcmp(argv[4], "ingress") ? 1 : 0;	/* BPF_F_INGRESS */
	if (bpf_object__load(obj))
		goto out;
	map = bpf_object__find_map_by_name(obj, "vlan_push_cfg");
	if (!map || bpf_map_update_elem(bpf_map__fd(map), &zero, &cfg, 0))
		goto out;
	prog = bpf_object__find_program_by_name(obj, "vlan_push_redirect");
	link = bpf_link_create(bpf_program__fd(prog), (int)from, TCX_INGRESS, NULL);
	if (link < 0) {
		fprintf(stderr, "vlanpush: cannot attach to %s: %d\n", argv[1], -errno);
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	ret = 0;
out:
	if (link >= 0)
		close(link);
	bpf_object__close(obj);
	return ret;
}
