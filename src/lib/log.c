// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "json_writer.h"
#include "log.h"

static bool log_json;
static bool log_verbose_on;
static bool log_quiet;

/* The tail of libbpf's output: the verifier log ends up here. */
static char libbpf_tail[8192];
static size_t libbpf_tail_len;
/* The last error line, for a control client that asked for the work. */
static char last_error[256];

void log_set_json(bool json)
{
	log_json = json;
}

void log_set_quiet(bool quiet)
{
	log_quiet = quiet;
}

void log_set_verbose(bool verbose)
{
	log_verbose_on = verbose;
}

const char *log_last_error(void)
{
	return last_error;
}

bool log_verbose(void)
{
	return log_verbose_on;
}

/* One message, one line: a name given with a newline or an escape sequence
 * in it is shown as \xHH, so it can neither split the line nor drive the
 * terminal. */
static void print_escaped(FILE *f, const char *msg)
{
	const unsigned char *p;

	for (p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

static void log_line(const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];
	size_t len;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	if (suffix)
		snprintf(msg + len, sizeof(msg) - len, ": %s", suffix);
	len = strnlen(msg, sizeof(last_error) - 1);
	memcpy(last_error, msg, len);
	last_error[len] = '\0';
	if (log_json) {
		struct json_writer *jw = jsonw_new(stderr);

		if (jw) {
			jsonw_start_object(jw);
			jsonw_name(jw, "error");
			jsonw_string(jw, msg);
			jsonw_end_object(jw);
			jsonw_end_line(jw);
			jsonw_destroy(&jw);
			return;
		}
	}
	fputs("flowtally: ", stderr);
	print_escaped(stderr, msg);
	fputc('\n', stderr);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap, NULL);
	va_end(ap);
}

int log_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap, strerror(err < 0 ? -err : err));
	va_end(ap);
	return err < 0 ? err : -err;
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	fputs("flowtally: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose_on)
		return;
	va_start(ap, fmt);
	fputs("flowtally: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return 0;
	if (log_verbose_on && level != LIBBPF_DEBUG)
		fputs(line, stderr);
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (libbpf_tail_len + n >= sizeof(libbpf_tail)) {
		size_t keep = sizeof(libbpf_tail) / 2;

		memmove(libbpf_tail, libbpf_tail + libbpf_tail_len - keep, keep);
		libbpf_tail_len = keep;
	}
	memcpy(libbpf_tail + libbpf_tail_len, line, n);
	libbpf_tail_len += n;
	libbpf_tail[libbpf_tail_len] = '\0';
	return n;
}

void log_libbpf_capture(bool verbose)
{
	log_verbose_on = log_verbose_on || verbose;
	libbpf_tail_len = 0;
	libbpf_tail[0] = '\0';
	libbpf_set_print(libbpf_print);
}

/* The last `lines` lines of the captured libbpf output. */
static const char *tail_lines(int lines)
{
	const char *p = libbpf_tail + libbpf_tail_len;

	while (p > libbpf_tail && lines >= 0) {
		p--;
		if (*p == '\n')
			lines--;
	}
	return p == libbpf_tail ? p : p + 1;
}

int log_load_error(int err, const char *stage)
{
	struct btf *vmlinux;

	if (err == -EPERM || err == -EACCES) {
		log_err("permission denied loading BPF programs: run as root "
			"(needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)");
		return err;
	}
	vmlinux = btf__load_vmlinux_btf();
	if (libbpf_get_error(vmlinux)) {
		log_err("kernel BTF /sys/kernel/btf/vmlinux is missing or unreadable: flowtally needs a kernel "
			"built with CONFIG_DEBUG_INFO_BTF=y");
		return err;
	}
	btf__free(vmlinux);
	if (strstr(libbpf_tail, "processed") || strstr(libbpf_tail, "R0") ||
	    strstr(libbpf_tail, "invalid")) {
		fprintf(stderr, "%s", tail_lines(12));
		log_err("the kernel's verifier rejected flowtally's BPF program (log above; "
			"run with --verbose for all of it)");
		return err;
	}
	fprintf(stderr, "%s", tail_lines(6));
	return log_errno(err, "cannot %s flowtally's BPF object", stage);
}
