/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --csv: per interval, and for the totals at the end, rows of seen,
 * unclassified and overflow, and one per table entry (csv.c). */
#ifndef FT_CSV_H
#define FT_CSV_H

#include "export.h"

extern const struct exporter_ops csv_exporter;

#endif
