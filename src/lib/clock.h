/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Seconds as doubles: wall time for records, monotonic time for deadlines. */
#ifndef FT_CLOCK_H
#define FT_CLOCK_H

#include <time.h>

static inline double ft_now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double ft_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
