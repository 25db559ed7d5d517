// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

__u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

void series_add(struct series *s, double v)
{
	if (s->n < BENCH_MAX_ROUNDS)
		s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Linear interpolation between order statistics (type 7, R's default). */
static double quantile(const double *sorted, int n, double q)
{
	double pos = q * (n - 1);
	int lo = (int)floor(pos);

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]);
}

struct stats series_stats(const struct series *s)
{
	struct stats st = { .n = s->n };
	double v[BENCH_MAX_ROUNDS];

	if (!s->n) {
		st.median = st.q1 = st.q3 = st.min = st.max = NAN;
		return st;
	}
	memcpy(v, s->v, sizeof(double) * s->n);
	qsort(v, s->n, sizeof(double), cmp_double);
	st.median = quantile(v, s->n, 0.5);
	st.q1 = quantile(v, s->n, 0.25);
	st.q3 = quantile(v, s->n, 0.75);
	st.min = v[0];
	st.max = v[s->n - 1];
	return st;
}

double series_median(const struct series *s)
{
	return series_stats(s).median;
}

double ratio_median(const struct series *a, const struct series *b)
{
	struct series r = {};
	int i;

	for (i = 0; i < a->n && i < b->n; i++)
		series_add(&r, a->v[i] / b->v[i]);
	return series_median(&r);
}
