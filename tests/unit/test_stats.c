/*
 * test_stats.c - the robust statistics of plugin/stats.h on series with
 * known answers: medians, the lower quartile, the robust spread, and the
 * Theil-Sen / Mann-Kendall fit (exact lines, an outlier, ties, no trend).
 */
#include <criterion/criterion.h>

#include <math.h>

#include "stats.h"

Test(stats, median_odd_even_and_empty)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };

	cr_assert_float_eq(median(odd, 3), 3.0, 1e-12);
	cr_assert_float_eq(median(even, 4), 2.5, 1e-12);
	cr_assert_float_eq(median(even, 0), 0.0, 1e-12);
}

Test(stats, lower_quartile_is_the_sorted_element)
{
	double v[] = { 8, 1, 7, 2, 6, 3, 5, 4 };

	cr_assert_float_eq(lower_quartile(v, 8), 2.0, 1e-12);	/* v[(8 - 1) / 4] */
}

Test(stats, robust_spread_ignores_an_outlier)
{
	double v[] = { 10, 11, 9, 10, 1000 }, tmp[5], mid = 0;

	/* deviations from 10: 0 1 1 0 990, median 1 */
	cr_assert_float_eq(robust_spread(v, tmp, 5, &mid), 1.4826, 1e-12);
	cr_assert_float_eq(mid, 10.0, 1e-12);
}

Test(stats, fit_of_an_exact_line)
{
	double x[12], y[12];
	struct fit f;

	for (int i = 0; i < 12; i++) {
		x[i] = i - 11;
		y[i] = 100.0 + 5.0 * x[i];
	}
	fit_series(x, y, 12, Z_ONE_SIDED_1PCT, &f);
	cr_assert_eq(f.n, 12);
	cr_assert_float_eq(f.slope, 5.0, 1e-12);
	cr_assert_float_eq(f.low, 5.0, 1e-12);
	cr_assert_float_eq(f.at_now, 100.0, 1e-9);
	cr_assert_lt(f.p, 0.001);
}

Test(stats, fit_shrugs_off_one_outlier)
{
	double x[10], y[10];
	struct fit f;

	for (int i = 0; i < 10; i++) {
		x[i] = i;
		y[i] = 2.0 * i;
	}
	y[4] = 1e6;
	fit_series(x, y, 10, Z_ONE_SIDED_1PCT, &f);
	cr_assert_float_eq(f.slope, 2.0, 1e-12);
}

Test(stats, fit_of_a_flat_or_short_series_is_no_rise)
{
	double x[] = { 0, 1, 2, 3, 4, 5 }, flat[] = { 7, 7, 7, 7, 7, 7 };
	struct fit f;

	fit_series(x, flat, 6, Z_ONE_SIDED_1PCT, &f);
	cr_assert_float_eq(f.slope, 0.0, 1e-12);
	cr_assert_float_eq(f.p, 1.0, 1e-12);
	fit_series(x, flat, 2, Z_ONE_SIDED_1PCT, &f);
	cr_assert_eq(f.n, 2);
	cr_assert_float_eq(f.p, 1.0, 1e-12);
}

Test(stats, falling_series_has_no_rise)
{
	double x[8], y[8];
	struct fit f;

	for (int i = 0; i < 8; i++) {
		x[i] = i;
		y[i] = 50.0 - 3.0 * i;
	}
	fit_series(x, y, 8, Z_ONE_SIDED_1PCT, &f);
	cr_assert_float_eq(f.slope, -3.0, 1e-12);
	cr_assert_float_eq(f.p, 1.0, 1e-12);
}
