/*
 * stats.h - the robust statistics the trend is built on: a median, a
 * lower quartile, a robust spread, and the fit of a short series (the
 * Theil-Sen slope with its lower confidence bound and the Mann-Kendall
 * test for a rise, corrected for ties and for autocorrelation).
 *
 * ONE JOB.  Numbers in, numbers out.  Nothing here knows samples, hours,
 * segments, thresholds or verdicts (that is trend.c's business), keeps
 * state between calls, allocates, or does I/O: every function is a pure
 * function of its arguments, bounded by FIT_MAX_POINTS.
 */
#ifndef ASYNC_LEAK_STATS_H
#define ASYNC_LEAK_STATS_H

/* The most points fit_series() takes (the pairs are on its stack). */
#define FIT_MAX_POINTS	24

/* One-sided confidence levels for fit_series()'s lower bound. */
#define Z_ONE_SIDED_1PCT	2.326	/* alpha 0.01 */
#define Z_ONE_SIDED_01PCT	3.090	/* alpha 0.001 */

/* A fitted straight line y = at_now + slope * x. */
struct fit {
	int n;			/* points fitted */
	double slope;		/* per unit of x */
	double low;		/* lower confidence bound of the slope */
	double p;		/* one-sided p of the test for a rise */
	double at_now;		/* fitted value at x = 0 */
};

/* qsort() comparison of two doubles, ascending. */
int cmp_double(const void *a, const void *b);

/* Median of v[0..n-1], 0 for n <= 0; sorts v. */
double median(double *v, int n);

/* The lower quartile v[(n - 1) / 4] of v[0..n-1] sorted, n >= 1; sorts v. */
double lower_quartile(double *v, int n);

/*
 * Robust spread of v[0..n-1]: 1.4826 times the median absolute deviation
 * from the median (the standard deviation for normal data), the median
 * into *mid when mid is not NULL.  Sorts v; tmp[0..n-1] is scratch.
 */
double robust_spread(double *v, double *tmp, int n, double *mid);

/*
 * Fits y over x (x strictly increasing, 0 <= n <= FIT_MAX_POINTS): the
 * Theil-Sen slope (median of the pairwise slopes), its lower confidence
 * bound at the one-sided level z, the fitted value at x = 0 (median of
 * y - slope * x), and the Mann-Kendall p for a rise: S with tie-corrected
 * variance, multiplied by Hamed and Rao's n/n* from the significant
 * autocorrelations of the ranks of the detrended series (never below 1:
 * the correction only ever makes the test stricter).  Fewer than 3
 * points: slope 0, p 1.
 */
void fit_series(const double *x, const double *y, int n, double z, struct fit *f);

#endif
