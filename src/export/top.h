/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flowtally top: the live full-screen view, an exporter of the run loop. */
#ifndef FT_TOP_H
#define FT_TOP_H

#include "export.h"

extern const struct exporter_ops top_exporter;

#endif
