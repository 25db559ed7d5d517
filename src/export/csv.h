/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --csv: one row per table entry per interval, and the totals at the end. */
#ifndef FT_CSV_H
#define FT_CSV_H

#include "export.h"

extern const struct exporter_ops csv_exporter;

#endif
