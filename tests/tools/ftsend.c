// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ftsend: send the test mix on an interface and write what flowtally must
 * count for it. Only frames the kernel accepted are in the expectation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>

#include "expect.h"
#include "frames.h"
#include "mix.h"

#define NSEC_PER_SEC		1000000000LL
#define SEND_RETRIES		200		/* ENOBUFS: ~1 s of backoff at most */
#define BACKOFF_MIN_NS		50000LL
#define BACKOFF_MAX_NS		5000000LL

struct opts {
	const char *ifname;
	unsigned int seed;
	unsigned int count;
	int max_frame;
	int malformed_pct;
	const char *expect_path;
	unsigned long long rate;	/* frames per second, 0: as fast as possible */
	unsigned long long timeout_s;
	int vlan;			/* VLAN_AS_MIXED, VLAN_NONE, or the one tag's VID */
};

#define VLAN_AS_MIXED	(-1)
#define VLAN_NONE	(-2)

struct tally {
	unsigned int sent;
	unsigned int failed;
	int last_err;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ftsend -i IFACE --seed S --count N [--max-frame BYTES] [--malformed PCT]\n"
		"              [--expect FILE] [--rate PPS] [--timeout SEC] [--vlan ID|none]\n"
		"Sends N frames of the test mix on IFACE (a veth or other virtual interface)\n"
		"and writes the counts flowtally must report as JSON to FILE (default stdout).\n"
		"  --max-frame  %d..%d, default 1514\n"
		"  --malformed  percent of noise frames, default 0\n"
		"  --rate       frames per second, default 0 (as fast as possible)\n"
		"  --timeout    stop after SEC seconds, default 60\n"
		"  --vlan       every frame with exactly one 802.1Q tag ID, or none at all\n"
		"               (default: as the mix draws them)\n",
		MIX_MIN_FRAME, MIX_MAX_FRAME);
}

static int parse_num(const char *s, unsigned long long min, unsigned long long max,
		     unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static __s64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void sleep_until(__s64 t)
{
	struct timespec ts = { .tv_sec = t / NSEC_PER_SEC, .tv_nsec = t % NSEC_PER_SEC };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* --vlan: one tag (or none) instead of the mix's; a tag that would make the
 * frame too long takes its 4 bytes from the payload. */
static void set_vlan(struct frame_spec *s, int vlan, int max_frame)
{
	if (vlan == VLAN_AS_MIXED)
		return;
	s->vlan_tags = vlan == VLAN_NONE ? 0 : 1;
	s->vlan_id[0] = vlan == VLAN_NONE ? 0 : (__u16)vlan;
	while (frame_full_len(s) > max_frame && s->payload_len >= 4)
		s->payload_len -= 4;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "max-frame", required_argument, NULL, 'm' },
		{ "malformed", required_argument, NULL, 'M' },
		{ "expect", required_argument, NULL, 'e' },
		{ "rate", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "vlan", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long long v;
	int have_seed = 0, have_count = 0, c, idx = 0, err = 0;

	*o = (struct opts){ .max_frame = 1514, .timeout_s = 60, .vlan = VLAN_AS_MIXED };
	while ((c = getopt_long(argc, argv, "i:h", longopts, &idx)) != -1) {
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 's':
			err = parse_num(optarg, 0, UINT_MAX, &v);
			o->seed = v;
			have_seed = 1;
			break;
		case 'n':
			err = parse_num(optarg, 0, UINT_MAX, &v);
			o->count = v;
			have_count = 1;
			break;
		case 'm':
			err = parse_num(optarg, MIX_MIN_FRAME, MIX_MAX_FRAME, &v);
			o->max_frame = v;
			break;
		case 'M':
			err = parse_num(optarg, 0, 100, &v);
			o->malformed_pct = v;
			break;
		case 'e':
			o->expect_path = optarg;
			break;
		case 'r':
			err = parse_num(optarg, 0, 100000000, &v);
			o->rate = v;
			break;
		case 't':
			err = parse_num(optarg, 1, 86400, &v);
			o->timeout_s = v;
			break;
		case 'V':
			if (!strcmp(optarg, "none")) {
				o->vlan = VLAN_NONE;
				break;
			}
			err = parse_num(optarg, 0, 4095, &v);
			o->vlan = (int)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
		if (err) {
			/* Only long options take numbers, so idx names the option. */
			fprintf(stderr, "ftsend: bad value '%s' for --%s (see --help)\n", optarg,
				longopts[idx].name);
			return err;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ftsend: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->ifname || !have_seed || !have_count) {
		fprintf(stderr, "ftsend: -i IFACE, --seed and --count are required (see --help)\n");
		return -EINVAL;
	}
	return 0;
}

/*
 * A full transmit queue is not a lost frame: back off and try again, but not
 * forever. Any other error is this frame's final answer.
 */
static int send_frame(int fd, const struct sockaddr_ll *sll, const __u8 *buf, int len,
		      __s64 deadline)
{
	__s64 backoff = BACKOFF_MIN_NS;
	int tries;
	ssize_t n;

	for (tries = 0;; tries++) {
		n = sendto(fd, buf, len, 0, (const struct sockaddr *)sll, sizeof(*sll));
		if (n == len)
			return 0;
		if (n >= 0)
			return -EIO;
		if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (tries >= SEND_RETRIES || now_ns() + backoff > deadline)
			return -errno;
		sleep_until(now_ns() + backoff);
		if (backoff < BACKOFF_MAX_NS)
			backoff *= 2;
	}
}

/*
 * The mix is deliberately broken traffic: keep it off real wires. A device
 * on a bus (PCI, USB, ...) reports where it sits; veth, ifb and the like do
 * not. Asked over a socket, so the answer is about this network namespace
 * (/sys would still show the host's after a bare nsenter --net).
 */
static int check_virtual(int fd, const char *ifname)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	if (!ioctl(fd, SIOCETHTOOL, &ifr) && info.bus_info[0]) {
		fprintf(stderr, "ftsend: %s is a %s device at %s; use a veth pair\n", ifname,
			info.driver, info.bus_info);
		return -EPERM;
	}
	return 0;
}

static int open_socket(const char *ifname, struct sockaddr_ll *sll)
{
	int ifindex, fd, err;

	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "ftsend: no interface %s: %s (check 'ip link')\n", ifname,
			strerror(errno));
		return -ENODEV;
	}
	/* Protocol 0: this socket sends only, so nothing ever queues on it for reading. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "ftsend: cannot open packet socket: %s (needs CAP_NET_RAW)\n",
			strerror(-err));
		return err;
	}
	err = check_virtual(fd, ifname);
	if (err)
		goto err_close;
	/* sll_protocol 0 lets the kernel take skb->protocol from each frame. */
	*sll = (struct sockaddr_ll){ .sll_family = AF_PACKET, .sll_ifindex = ifindex };
	if (bind(fd, (struct sockaddr *)sll, sizeof(*sll))) {
		err = -errno;
		fprintf(stderr, "ftsend: cannot bind to %s: %s\n", ifname, strerror(-err));
		goto err_close;
	}
	return fd;

err_close:
	close(fd);
	return err;
}

static int send_mix(const struct opts *o, int fd, const struct sockaddr_ll *sll,
		    struct expect *e, struct tally *t)
{
	__s64 start = now_ns(), deadline = start + o->timeout_s * NSEC_PER_SEC;
	struct frame_spec spec;
	struct frame_class cls;
	unsigned int i;
	__u8 *buf;
	int len, err = 0;

	buf = malloc(o->max_frame);
	if (!buf) {
		fprintf(stderr, "ftsend: out of memory\n");
		return -ENOMEM;
	}
	for (i = 0; i < o->count; i++) {
		if (o->rate) {
			__s64 due = start + (__s64)((unsigned long long)i * NSEC_PER_SEC / o->rate);

			if (due > deadline)
				due = deadline;
			if (due > now_ns())
				sleep_until(due);
		}
		if (now_ns() >= deadline) {
			fprintf(stderr, "ftsend: timed out after %llu s, %u of %u frames sent\n",
				o->timeout_s, t->sent, o->count);
			err = -ETIMEDOUT;
			break;
		}
		err = mix_spec(o->seed, i, o->max_frame, o->malformed_pct, &spec);
		if (!err)
			set_vlan(&spec, o->vlan, o->max_frame);
		len = err ? err : frame_build(&spec, buf, o->max_frame);
		err = len < 0 ? len : frame_classify(&spec, len, sll->sll_ifindex, FT_DIR_EGRESS,
						     &cls);
		if (err) {
			fprintf(stderr, "ftsend: cannot build frame %u of seed %u: %s\n", i,
				o->seed, strerror(-err));
			break;
		}
		err = send_frame(fd, sll, buf, len, deadline);
		if (err) {
			t->failed++;
			t->last_err = err;
			err = 0;
			continue;
		}
		err = expect_add(e, &cls, len);
		if (err) {
			fprintf(stderr, "ftsend: cannot count frame %u: %s\n", i, strerror(-err));
			break;
		}
		t->sent++;
	}
	free(buf);
	return err;
}

int main(int argc, char **argv)
{
	struct tally t = {};
	struct sockaddr_ll sll;
	struct expect e;
	struct opts o;
	FILE *out = stdout;
	int fd, err;

	if (parse_opts(argc, argv, &o))
		return 2;
	expect_init(&e);
	/* Open the output first: a bad path should fail before anything is sent. */
	if (o.expect_path) {
		out = fopen(o.expect_path, "w");
		if (!out) {
			fprintf(stderr, "ftsend: cannot write %s: %s\n", o.expect_path,
				strerror(errno));
			return 1;
		}
	}
	fd = open_socket(o.ifname, &sll);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	err = send_mix(&o, fd, &sll, &e, &t);
	close(fd);
	if (t.failed)
		fprintf(stderr, "ftsend: %u of %u frames not sent (last error: %s); "
			"the expectation leaves them out\n", t.failed, t.failed + t.sent,
			strerror(-t.last_err));
	/* Even after a timeout, what was sent is known exactly: write it. */
	if (expect_write_json(&e, out)) {
		fprintf(stderr, "ftsend: cannot write the expectation: %s\n", strerror(errno));
		err = -EIO;
	}
out:
	if (out != stdout && fclose(out) && !err) {
		fprintf(stderr, "ftsend: cannot write %s: %s\n", o.expect_path, strerror(errno));
		err = -EIO;
	}
	expect_fini(&e);
	return err ? 1 : 0;
}
