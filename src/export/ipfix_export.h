/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --ipfix [udp://|tcp://]HOST:PORT (repeatable): each interval's entries to
 * IPFIX collectors, one observation domain per table. */
#ifndef FT_IPFIX_EXPORT_H
#define FT_IPFIX_EXPORT_H

#include "export.h"

extern const struct exporter_ops ipfix_exporter;

#endif
