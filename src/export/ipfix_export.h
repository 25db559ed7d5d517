/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --ipfix HOST:PORT: each interval's entries to an IPFIX collector over UDP. */
#ifndef FT_IPFIX_EXPORT_H
#define FT_IPFIX_EXPORT_H

#include "export.h"

extern const struct exporter_ops ipfix_exporter;

#endif
