// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host tests of what an operator must be able to trust without a kernel:
 * names that can never become paths, strict parsing of what a command line
 * or control request says, writes whose failure is reported, error lines
 * that stay one line, and an instance that was never loaded closing nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "instance.h"
#include "lifecycle.h"
#include "log.h"
#include "ident.h"
#include "options.h"
#include "pin.h"
#include "run.h"
#include "sink.h"
#include "tablespec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Every way a name could reach outside its folder. */
static const char *const path_names[] = {
	"../../../../tmp/x/victim", "../other", "..", ".", "a/b", "/tmp/x", "a/../../x",
	"./x", ".hidden", "a..b", "x/", "a\nb", "a\033[31m", "a\tb", "a b", "", "a\x7f",
	"0123456789012345678901234567890123456789",
};

static void test_instance_name_refuses_every_path_and_control_char(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(path_names); i++) {
		char what[96];

		snprintf(what, sizeof(what), "'%s' refused", path_names[i]);
		ASSERT_TRUE(!valid_instance_name(path_names[i]), what);
	}
}

static void test_instance_name_accepts_plain_names(void)
{
	ASSERT_TRUE(valid_instance_name("eth0"), "eth0");
	ASSERT_TRUE(valid_instance_name("edge-1.v4_x"), "letters, digits, - . _");
	ASSERT_TRUE(valid_instance_name("a.b"), "one dot inside");
	ASSERT_TRUE(valid_instance_name("0123456789012345678901234567890"), "31 characters");
	ASSERT_TRUE(!valid_instance_name("01234567890123456789012345678901"), "32 refused");
}

static void test_table_name_has_no_dot_slash_or_space(void)
{
	ASSERT_TRUE(valid_table_name("ports"), "ports");
	ASSERT_TRUE(valid_table_name("a-b_1"), "a-b_1");
	ASSERT_TRUE(!valid_table_name(" ports"), "leading space");
	ASSERT_TRUE(!valid_table_name("a.b"), "dot");
	ASSERT_TRUE(!valid_table_name("a/b"), "slash");
	ASSERT_TRUE(!valid_table_name(""), "empty");
}

static void test_pin_path_refuses_a_path_as_name(void)
{
	char buf[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(path_names); i++)
		ASSERT_EQ(-pin_path(buf, sizeof(buf), path_names[i], NULL), EINVAL, path_names[i]);
	ASSERT_EQ(-pin_path(buf, sizeof(buf), "ok", "../x"), EINVAL, "object '../x'");
	ASSERT_EQ(-pin_path(buf, sizeof(buf), "ok", ".."), EINVAL, "object '..'");
	ASSERT_EQ(pin_path(buf, sizeof(buf), "ok", "ft_narrow"), 0, "a plain object");
	ASSERT_STREQ(buf, FT_PIN_ROOT "/ok/ft_narrow", "its path");
}

static int parse_run(const char *opt, const char *val, struct run_opts *o, char *err,
		     size_t errlen)
{
	char *argv[] = { "run", "-i", "lo", (char *)opt, (char *)val, NULL };

	return run_opts_parse(5, argv, o, err, errlen);
}

static void test_opts_instance_name_is_never_a_path(void)
{
	struct run_opts o;
	char err[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(path_names); i++) {
		ASSERT_EQ(-parse_run("--name", path_names[i], &o, err, sizeof(err)), EINVAL,
			  path_names[i]);
		ASSERT_EQ(-parse_run("--pin", path_names[i], &o, err, sizeof(err)), EINVAL,
			  path_names[i]);
	}
}

static void test_opts_interval_is_decimal_seconds_only(void)
{
	/* 1.5s is a duration with a unit (issue 13); other suffixes are not */
	static const char *const bad[] = { "0x10", "inf", "nan", "1e3", " 1", "+1", "1.",
					   ".5", "1,5", "1.5x", "1.5 s", "" };
	struct run_opts o;
	char err[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_EQ(-parse_run("--interval", bad[i], &o, err, sizeof(err)), EINVAL, bad[i]);
	ASSERT_EQ(parse_run("--interval", "0.25", &o, err, sizeof(err)), OPTS_RUN, "0.25");
	ASSERT_TRUE(o.interval == 0.25, "0.25 s");
	ASSERT_EQ(parse_run("--duration", "10", &o, err, sizeof(err)), OPTS_RUN, "10");
	ASSERT_EQ(-parse_run("--duration", "0x10", &o, err, sizeof(err)), EINVAL,
		  "duration 0x10");
}

static void expect_spec_error(const char *text, const char *part)
{
	struct table_spec s;
	char err[256] = "", what[128];

	snprintf(what, sizeof(what), "'%s' refused", text);
	ASSERT_EQ(-table_spec_parse(text, &s, err, sizeof(err)), EINVAL, what);
	snprintf(what, sizeof(what), "'%s': error names '%s'", text, part);
	ASSERT_CONTAINS(err, part, what);
}

static void test_spec_prefix_slash_without_length_is_refused(void)
{
	struct table_spec s;
	char err[256];

	expect_spec_error("x=saddr/", "prefix");
	expect_spec_error("x=saddr//", "prefix");
	expect_spec_error("x=daddr/24/", "IPv6 prefix");
	ASSERT_EQ(table_spec_parse("x=saddr//48", &s, err, sizeof(err)), 0, "saddr//48");
	ASSERT_EQ(s.prefix[0][FT_FAMILY_IPV6], 48, "IPv6 /48");
}

static void test_spec_option_given_twice_is_refused(void)
{
	expect_spec_error("x=dport:size=1:size=2", "'size' given twice");
	expect_spec_error("x=dport:lru:lru", "'lru' given twice");
	expect_spec_error("x=dport:dir=ingress:dir=egress", "'dir' given twice");
}

static void test_spec_empty_field_or_option_is_refused(void)
{
	expect_spec_error("x=dport,,sport", "empty field");
	expect_spec_error("x=dport,", "empty field");
	expect_spec_error("x=dport:", "empty option");
	expect_spec_error("x=dport::lru", "empty option");
}

static void test_instance_close_on_a_zeroed_instance_closes_nothing(void)
{
	struct ft_instance *inst = calloc(1, sizeof(*inst));
	int keep = open("/dev/null", O_RDONLY);

	/* fd 0 must be open for the test to mean anything */
	if (fcntl(0, F_GETFD) < 0)
		ASSERT_EQ(open("/dev/null", O_RDONLY), 0, "stdin opened");
	instance_close(inst);
	ASSERT_TRUE(fcntl(0, F_GETFD) >= 0, "fd 0 still open");
	ASSERT_TRUE(fcntl(keep, F_GETFD) >= 0, "other fds still open");
	ASSERT_EQ(inst->sync_fd, -1, "fds reset to -1");
	instance_close(inst);	/* twice: still nothing */
	ASSERT_TRUE(fcntl(0, F_GETFD) >= 0, "fd 0 still open after a second close");
	close(keep);
	free(inst);
}

/* Runs fn with stderr in a file; returns what it wrote (caller frees). */
static char *stderr_of(void (*fn)(void))
{
	char path[] = "/tmp/ft-stderr-XXXXXX", *text = calloc(1, 4096);
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);

	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	if (text && pread(fd, text, 4095, 0) < 0)
		text[0] = '\0';
	close(fd);
	unlink(path);
	return text;
}

static void log_name_with_newline(void)
{
	log_err("no instance '%s'", "a\nb\033[2J");
}

static void test_error_with_a_newline_in_a_name_is_one_line(void)
{
	char *text = stderr_of(log_name_with_newline);

	ASSERT_STREQ(text, "flowtally: no instance 'a\\x0ab\\x1b[2J'\n", "escaped, one line");
	free(text);
}

static void test_sink_write_error_is_reported_once(void)
{
	struct sink s;

	if (access("/dev/full", W_OK)) {
		check_skip("no /dev/full");
		return;
	}
	ASSERT_EQ(sink_open(&s, "/dev/full"), 0, "open /dev/full");
	fputs("{\"type\":\"interval\"}\n", s.f);
	ASSERT_EQ(-sink_flush(&s), ENOSPC, "flush fails with ENOSPC");
	ASSERT_EQ(-sink_flush(&s), ENOSPC, "the error stays");
	sink_close(&s);
}

static void test_sink_refuses_a_symlink(void)
{
	char dir[] = "/tmp/ft-sink-XXXXXX", link[64], target[64];
	struct sink s;

	ASSERT_TRUE(mkdtemp(dir) != NULL, "temp dir");
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	ASSERT_EQ(symlink(target, link), 0, "symlink");
	ASSERT_EQ(-sink_open(&s, link), ELOOP, "open through a symlink refused");
	ASSERT_TRUE(access(target, F_OK) && errno == ENOENT, "target not created");
	unlink(link);
	rmdir(dir);
}

/* A file size limit makes a write stop short: the record that did not fit
 * is taken back out, and the file ends with the last whole record. */
static void test_sink_cut_record_is_taken_back(void)
{
	char path[] = "/tmp/ft-sink-XXXXXX", buf[512] = "";
	struct rlimit old, lim = { .rlim_cur = 100, .rlim_max = RLIM_INFINITY };
	struct sink s;
	int fd = mkstemp(path), i;
	ssize_t n;

	ASSERT_TRUE(fd >= 0 && write(fd, "first\n", 6) == 6, "a first record");
	close(fd);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim.rlim_max = old.rlim_max;
	ASSERT_EQ(sink_open(&s, path), 0, "open");
	for (i = 0; i < 30; i++)
		fputs("0123456789", s.f);	/* 300 bytes: past the limit */
	fputc('\n', s.f);
	setrlimit(RLIMIT_FSIZE, &lim);
	ASSERT_EQ(-sink_flush(&s), EFBIG, "flush fails with EFBIG");
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	sink_close(&s);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unlink(path);
	ASSERT_EQ(n, 6, "only the first record left");
	ASSERT_STREQ(buf, "first\n", "the file ends with a whole record");
}

static struct run_state *state_with_ports(void)
{
	struct run_state *st = calloc(1, sizeof(*st));

	st->inst.cat.tables[0].used = true;
	strcpy(st->inst.cat.tables[0].spec.name, "ports");
	return st;
}

static void expect_request_error(const char *verb, const char *arg, int status,
				 const char *part)
{
	struct run_state *st = state_with_ports();
	char err[256] = "", what[128], *out = NULL;
	size_t len = 0;
	FILE *reply = open_memstream(&out, &len);

	snprintf(what, sizeof(what), "'%s %s' is status %d", verb, arg, status);
	ASSERT_EQ(table_control(st, verb, arg, reply, err, sizeof(err)), status, what);
	snprintf(what, sizeof(what), "'%s %s' names '%s'", verb, arg, part);
	ASSERT_CONTAINS(err, part, what);
	fclose(reply);
	free(out);
	free(st);
}

static void test_resize_request_is_exactly_table_and_size(void)
{
	expect_request_error("resize", " ports 10", 2, "invalid");
	expect_request_error("resize", "ports  10", 2, "size ' 10'");
	expect_request_error("resize", "ports 0x10", 2, "size '0x10'");
	expect_request_error("resize", "ports 10 ", 2, "size '10 '");
	expect_request_error("resize", "ports", 2, "needs a table and a size");
	expect_request_error("resize", "ports 16777217", 2, "out of range");
	expect_request_error("resize", "nope 10", 2, "no table 'nope'");
}

static const struct check_test tests[] = {
#include "test_trust.tests.h"
};

int main(int argc, char **argv)
{
	return check_main(tests, (int)ARRAY_SIZE(tests), argc, argv);
}
