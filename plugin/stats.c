/*
 * stats.c - the robust statistics of stats.h: median, lower quartile,
 * robust spread, and the Theil-Sen / Mann-Kendall fit of a short series.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAIRS	(FIT_MAX_POINTS * (FIT_MAX_POINTS - 1) / 2)

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double median(double *v, int n)
{
	if (n <= 0)
		return 0.0;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double lower_quartile(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[(n - 1) / 4];
}

double robust_spread(double *v, double *tmp, int n, double *mid)
{
	double c = median(v, n);

	for (int k = 0; k < n; k++)
		tmp[k] = fabs(v[k] - c);
	if (mid)
		*mid = c;
	return 1.4826 * median(tmp, n);
}

/* Mann-Kendall's variance of S for n points, less the ties in y. */
static double kendall_variance(const double *y, int n)
{
	double sorted[FIT_MAX_POINTS], ties = 0.0;

	memcpy(sorted, y, (size_t)n * sizeof *sorted);
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
	for (int i = 0; i < n;) {
		int j = i;

		while (j < n && sorted[j] == sorted[i])
			j++;
		double t = j - i;
		ties += t * (t - 1) * (2 * t + 5);
		i = j;
	}
	return ((double)n * (n - 1) * (2 * n + 5) - ties) / 18.0;
}

/*
 * Hamed and Rao's n/n*: from the ranks of the detrended series (average
 * ranks for ties), the autocorrelations at lags 1 .. n - 3 that are
 * significant at 5 %; never below 1.
 */
static double hamed_rao_factor(const double *x, const double *y, int n, double slope)
{
	double detrended[FIT_MAX_POINTS], rank[FIT_MAX_POINTS], factor;

	if (n < 4)
		return 1.0;
	for (int i = 0; i < n; i++)
		detrended[i] = y[i] - slope * x[i];
	for (int i = 0; i < n; i++) {
		double below = 0, same = 0;

		for (int j = 0; j < n; j++) {
			below += detrended[j] < detrended[i];
			same += detrended[j] == detrended[i];
		}
		rank[i] = below + (same + 1) / 2.0;
	}
	double mean = (n + 1) / 2.0, den = 0, sum = 0, lim = 1.96 / sqrt(n);

	for (int i = 0; i < n; i++)
		den += (rank[i] - mean) * (rank[i] - mean);
	for (int k = 1; k < n - 2 && den > 0; k++) {
		double num = 0, rho;

		for (int i = 0; i + k < n; i++)
			num += (rank[i] - mean) * (rank[i + k] - mean);
		rho = num / den;
		if (fabs(rho) > lim)
			sum += (double)(n - k) * (n - k - 1) * (n - k - 2) * rho;
	}
	factor = 1.0 + 2.0 / ((double)n * (n - 1) * (n - 2)) * sum;
	return factor < 1.0 ? 1.0 : factor;
}

void fit_series(const double *x, const double *y, int n, double z, struct fit *f)
{
	double slopes[MAX_PAIRS], residual[FIT_MAX_POINTS];
	int pairs = 0, s = 0;
	double var;

	memset(f, 0, sizeof *f);
	f->n = n;
	f->p = 1.0;
	if (n < 3)
		return;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			double d = y[j] - y[i];

			slopes[pairs++] = d / (x[j] - x[i]);
			s += (d > 0) - (d < 0);
		}
	qsort(slopes, (size_t)pairs, sizeof *slopes, cmp_double);
	f->slope = pairs % 2 ? slopes[pairs / 2]
			     : 0.5 * (slopes[pairs / 2 - 1] + slopes[pairs / 2]);
	for (int i = 0; i < n; i++)
		residual[i] = y[i] - f->slope * x[i];
	f->at_now = median(residual, n);

	var = kendall_variance(y, n) * hamed_rao_factor(x, y, n, f->slope);
	if (var <= 0) {
		f->p = 1.0;
		f->low = f->slope;
		return;
	}
	f->p = s > 0 ? 0.5 * erfc(((double)s - 1.0) / sqrt(var) / sqrt(2.0)) : 1.0;

	/* The lower bound: the pairwise slope of rank (pairs - z sqrt(var)) / 2. */
	double c = z * sqrt(var), m1 = ((double)pairs - c) / 2.0;
	int at = (int)floor(m1) - 1;

	if (at < 0)
		at = 0;
	if (at > pairs - 1)
		at = pairs - 1;
	f->low = m1 < 1.0 ? -INFINITY : slopes[at];
}
