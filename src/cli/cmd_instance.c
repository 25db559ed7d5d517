// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flowtally status|stop|dump: pinned instances, with or without a process.
 * A pinned instance is its folder under /sys/fs/bpf/flowtally and its state
 * in /var/lib/flowtally; a running one answers on /run/flowtally/NAME.sock.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "commands.h"
#include "control.h"
#include "lifecycle.h"
#include "log.h"
#include "ident.h"
#include "output.h"
#include "pin.h"
#include "snapshot.h"
#include "state.h"
#include "tables.h"

static bool instance_running(const char *name)
{
	return control_instance_running(name) > 0;
}

static void say_permission_denied(const char *cmd, const char *name)
{
	log_err("%s: permission denied for instance '%s': run as root (pins live in %s)", cmd,
		name, FT_PIN_ROOT);
}

/* Options shared by the three: [--json] NAME (NAME optional for status). */
static int parse_args(int argc, char **argv, const char *cmd, bool name_needed, bool *json,
		      const char **name)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	*json = false;
	*name = NULL;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			*json = true;
			break;
		case 'h':
			printf("Usage: flowtally %s [--json] %s\n", cmd, name_needed ? "NAME" : "[NAME]");
			return 0;
		default:
			log_err("%s: unknown option '%s' (see 'flowtally %s --help')", cmd,
				argv[optind - 1], cmd);
			return 2;
		}
	}
	log_set_json(*json);
	if (optind < argc)
		*name = argv[optind++];
	if ((name_needed && !*name) || optind < argc) {
		log_err("%s: %s (see 'flowtally %s --help')", cmd,
			*name ? "too many arguments" : "name the instance", cmd);
		return 2;
	}
	/* a name, never a path: it becomes pin, state and socket paths */
	if (*name && !valid_instance_name(*name)) {
		log_err("%s: instance name '%s' invalid (" FT_INSTANCE_NAME_RULE ")", cmd, *name);
		return 2;
	}
	return -1;
}

/* Whether the instance has the link pin of `hook` for `ifc`. */
static bool has_link_pin(const char *name, const char *hook, const struct ft_iface *ifc)
{
	char obj[32];
	int fd;

	attach_link_pin_name(obj, sizeof(obj), hook, ifc);
	fd = pin_open(name, obj);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* One interface of a pinned instance: what its link pins say is attached. */
static void status_iface(struct printer *p, const char *name, const struct ft_iface *ifc)
{
	const char *in = "-", *eg = "-";

	if (!ifc->gone) {
		if (has_link_pin(name, "xdp", ifc))
			in = "xdp";
		else if (has_link_pin(name, "tcxin", ifc))
			in = "tcx";
		if (has_link_pin(name, "tcx", ifc))
			eg = "tcx";
	}
	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "name", "\n    %-15s", ifc->name);
	print_u64(p, PRINT_ANY, "ifindex", " ifindex %-5llu", ifc->ifindex);
	print_string(p, PRINT_ANY, "ingress", " ingress %-4s", in);
	print_string(p, PRINT_ANY, "egress", " egress %-4s", eg);
	print_bool(p, PRINT_JSON, "followed", NULL, ifc->followed);
	print_bool(p, PRINT_JSON, "gone", NULL, ifc->gone);
	print_text(p, "%s%s", ifc->followed ? " (pattern)" : "",
		   ifc->gone ? " (gone, counts kept)" : "");
	print_close_object(p);
}

struct status_ctx {
	struct printer p;
	const char *only;
	int shown;
};

static void status_one(const char *name, void *arg)
{
	struct status_ctx *sc = arg;
	struct ft_instance inst = {};
	struct ft_counts total;
	__u64 flips = 0;
	int i, d, err;

	if (sc->only && strcmp(sc->only, name))
		return;
	counts_init(&total);
	err = state_load(name, &inst, &total, &flips);
	print_open_object(&sc->p, NULL);
	print_string(&sc->p, PRINT_ANY, "name", "%s:", name);
	print_bool(&sc->p, PRINT_JSON, "pinned", NULL, pin_instance_exists(name));
	print_bool(&sc->p, PRINT_JSON, "running", NULL, instance_running(name));
	print_text(&sc->p, " %s", instance_running(name) ? "running" : "not running");
	print_text(&sc->p, "%s", pin_instance_exists(name) ? ", pinned" : ", not pinned");
	if (!err) {
		print_float(&sc->p, PRINT_JSON, "since", NULL, total.start, 6);
		print_open_array(&sc->p, "ifaces");
		print_text(&sc->p, "\n  interfaces: %d attached, %u slots",
			   catalog_live_ifaces(&inst.cat), inst.cat.max_ifaces);
		catalog_for_each_iface(&inst.cat, i)
			print_string(&sc->p, PRINT_JSON, NULL, NULL, inst.cat.ifaces[i].name);
		print_close_array(&sc->p);
		print_open_array(&sc->p, "attached");
		catalog_for_each_iface(&inst.cat, i)
			status_iface(&sc->p, name, &inst.cat.ifaces[i]);
		print_close_array(&sc->p);
		print_open_array(&sc->p, "tables");
		print_text(&sc->p, "\n  tables:");
		for (i = 0; i < FT_MAX_TABLES; i++) {
			const struct ft_table *t = &inst.cat.tables[i];

			if (!t->used || t->removed)
				continue;
			/* the id: IPFIX's observation domain is --ipfix-domain-base + it */
			print_open_object(&sc->p, NULL);
			print_string(&sc->p, PRINT_ANY, "name", " %s", t->spec.name);
			print_u64(&sc->p, PRINT_ANY, "id", " (id %llu)", t->id);
			print_close_object(&sc->p);
		}
		print_close_array(&sc->p);
		print_open_object(&sc->p, "saved");
		print_text(&sc->p, "\n  saved totals:");
		for (d = 0; d < FT_DIRS; d++) {
			struct ft_value sum = {};

			counts_seen(&total, d, &sum);
			print_open_object(&sc->p, ft_dir_names[d]);
			print_text(&sc->p, "%s %s", d ? "," : "", ft_dir_names[d]);
			print_u64(&sc->p, PRINT_ANY, "packets", " %llu packets", sum.packets);
			print_u64(&sc->p, PRINT_ANY, "bytes", " %llu bytes", sum.bytes);
			print_close_object(&sc->p);
		}
		print_close_object(&sc->p);
	}
	print_text(&sc->p, "\n");
	print_close_object(&sc->p);
	counts_free(&total);
	counts_free(&inst.base[0]);
	counts_free(&inst.base[1]);
	catalog_free(&inst.cat);
	sc->shown++;
}

int cmd_status(int argc, char **argv)
{
	struct status_ctx sc = {};
	const char *name;
	bool json;
	int ret = parse_args(argc, argv, "status", false, &json, &name), n;

	if (ret >= 0)
		return ret;
	sc.only = name;
	/* an instance that runs without pins: it says what it is attached to */
	if (name && !json && !pin_instance_exists(name) && instance_running(name))
		return control_request(name, "ifaces");
	if (printer_init(&sc.p, stdout, json))
		return 1;
	print_open_array(&sc.p, NULL);
	n = pin_for_each(status_one, &sc);
	print_close_array(&sc.p);
	print_end_record(&sc.p);
	printer_fini(&sc.p);
	if (n == -EACCES || n == -EPERM) {
		log_err("status: permission denied reading %s: run as root", FT_PIN_ROOT);
		return 1;
	}
	if (name && !sc.shown) {
		log_err("no pinned instance '%s' (see 'flowtally status')", name);
		return 1;
	}
	if (!sc.shown && !json)
		printf("no pinned flowtally instance\n");
	return 0;
}

/* Opens a pinned instance without a process, changing nothing. */
static int open_pinned(struct ft_instance *inst, const char *name, struct ft_counts *total,
		       __u64 *saved)
{
	struct ft_instance meta = {};
	int err;

	err = pin_instance_check(name);
	if (err == -EACCES || err == -EPERM) {
		say_permission_denied("dump", name);
		return err;
	}
	if (err) {
		log_err("no pinned instance '%s' (see 'flowtally status')", name);
		return -ENOENT;
	}
	err = state_load(name, &meta, total, saved);
	if (err == -ENOENT)
		log_err("pinned instance '%s' has no saved state", name);
	if (!err)
		err = instance_open_pinned(inst, name, meta.cat.dirmask, 0, false, FT_OPEN_INSPECT);
	if (!err && inst->cat.max_ifaces != meta.cat.max_ifaces) {
		log_err("pinned instance '%s': its state has %u interface slots, its maps %u: "
			"remove it with 'flowtally stop %s'", name, meta.cat.max_ifaces,
			inst->cat.max_ifaces, name);
		err = -EPROTO;
	}
	if (err) {
		counts_free(&meta.base[0]);
		counts_free(&meta.base[1]);
		catalog_free(&meta.cat);
		return err;
	}
	/* the state has no fds: the instance's stay closed until tables_adopt */
	catalog_free(&inst->cat);
	inst->cat = meta.cat;
	memcpy(inst->base, meta.base, sizeof(meta.base));	/* inst owns them now */
	err = tables_adopt(inst);
	/* the link pins say which ingress hook counts (the state does not) */
	return err ? err : attach_adopt(inst);
}

int cmd_dump(int argc, char **argv)
{
	struct ft_counts total, gen;
	struct ft_instance inst = {};
	struct output_opts oo = {};
	struct printer p = {};
	const char *name;
	__u64 saved = 0;
	bool json;
	int ret = parse_args(argc, argv, "dump", true, &json, &name), err;

	if (ret >= 0)
		return ret;
	counts_init(&total);
	counts_init(&gen);
	ret = 1;
	err = open_pinned(&inst, name, &total, &saved);
	if (err)
		goto out;
	/* The saved totals and what both generations grew by since their
	 * saved baselines, the one being written now included; nothing of a
	 * running instance changes. */
	err = snapshot_peek_gen(&inst, 0, &gen);
	if (!err)
		err = snapshot_peek_gen(&inst, 1, &gen);
	if (!err)
		err = counts_merge(&total, &gen);
	if (err) {
		log_errno(err, "cannot read instance '%s'", name);
		goto out;
	}
	total.end = (double)time(NULL);
	oo.instance = name;
	if (printer_init(&p, stdout, json))
		goto out;
	counts_sort(&total);
	output_record(&p, &inst.cat, &total, "dump", &oo);
	printer_fini(&p);
	ret = 0;
out:
	instance_close(&inst);
	counts_free(&total);
	counts_free(&gen);
	return ret;
}

int cmd_stop(int argc, char **argv)
{
	const char *name;
	bool json;
	int ret = parse_args(argc, argv, "stop", true, &json, &name), i, running, pinned;
	struct control ctl;

	if (ret >= 0)
		return ret;
	running = control_instance_running(name);
	pinned = pin_instance_check(name);
	if (running == -EACCES || running == -EPERM || pinned == -EACCES || pinned == -EPERM) {
		say_permission_denied("stop", name);
		return 1;
	}
	if (running > 0) {
		/* its own clean exit removes what it pinned */
		ret = control_request(name, "stop");
		for (i = 0; !ret && i < 100 && (instance_running(name) || pin_instance_exists(name));
		     i++)
			usleep(100 * 1000);
		return ret;
	}
	if (pinned) {
		log_err("no instance '%s' (see 'flowtally status')", name);
		return 1;
	}
	/* Holding the name, no 'run --pin' can adopt what is being removed. */
	if (control_take_name(&ctl, name))
		return 1;
	/* Unpinned, the links have no holder left and detach. */
	pin_remove_instance(name);
	state_remove(name);
	control_close(&ctl);
	printf("stopped instance %s\n", name);
	return 0;
}
