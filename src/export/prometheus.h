/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --prometheus ADDR:PORT: /metrics over HTTP, from libmicrohttpd's thread. */
#ifndef FT_PROMETHEUS_H
#define FT_PROMETHEUS_H

#include "export.h"

extern const struct exporter_ops prometheus_exporter;

#endif
