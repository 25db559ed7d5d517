/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Messages to stderr: one line each, naming the object and the fix. */
#ifndef FT_LOG_H
#define FT_LOG_H

#include <stdbool.h>

void log_set_json(bool json);
void log_set_verbose(bool verbose);
/* No info lines (the terminal is a full-screen view); errors still go out. */
void log_set_quiet(bool quiet);
bool log_verbose(void);
/* "flowtally: MSG" */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "flowtally: MSG: strerror(-err)"; returns err (negative errno). */
int log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text of the last log_err() or log_errno() line, without the prefix. */
const char *log_last_error(void);

/* Route libbpf's messages into a ring kept for error reports (all of them to
 * stderr when verbose). */
void log_libbpf_capture(bool verbose);
/* Explains why loading the BPF object failed: privileges, BTF, the verifier's
 * last lines. Returns err. */
int log_load_error(int err, const char *stage);

#endif
