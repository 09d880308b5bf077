/*
 * test_trend.c - the leak detection math on series with known answers:
 * exact lines, ties, outliers, gaps, coverage, restarts, reboots, clock
 * steps, duplicates, flat noise, the minimum window, the forecast, the
 * learned baseline, compaction, and the replay parser and driver.
 */
#include <criterion/criterion.h>

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay.h"
#include "trend.h"
#include "history_fixtures.h"
#include "util.h"

#define T0 ((time_t)1767571200)	/* 2026-01-05 00:00:00 UTC */
#define H 3600
#define STEP 300
#define MAXN 20000

static struct sample buf[MAXN];

/* Samples every STEP seconds from `from` for `hours`, kb = a + b * hours. */
static size_t line(size_t n, time_t from, double hours, double a, double b, const char *idx)
{
	for (time_t t = from; t < from + (time_t)(hours * H) && n < MAXN; t += STEP)
		buf[n++] = mk(t, lround(a + b * (double)(t - from) / H), idx);
	return n;
}

/* Deterministic noise in [-1, 1). */
static double noise(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return ((*state >> 8) & 0xffff) / 32768.0 - 1.0;
}

static struct trend_params params(void)
{
	struct trend_params p;

	memset(&p, 0, sizeof p);
	p.growth_warning_bph = 100 * 1024.0;
	p.growth_critical_bph = 10000 * 1024.0;
	return p;
}

Test(trend, no_samples_is_collecting)
{
	struct trend_params p = params();
	struct trend_result r;

	trend_analyze(NULL, 0, T0, &p, &r);
	cr_assert_eq(r.verdict, TREND_COLLECTING);
	cr_assert_eq(r.segments_seen, 0);
	cr_assert(!r.have_slope);
	cr_assert_eq(r.growth_state, STATE_OK);
	cr_assert_eq(r.timeleft_state, STATE_OK);
}

Test(trend, exact_line_slope_and_forecast)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 48, 200000, 1200, "1388");
	time_t now = buf[n - 1].t;

	p.limit_bytes = 512.0 * 1024 * 1024;
	p.timeleft_warning_s = 400 * 3600.0;
	p.timeleft_critical_s = 10 * 3600.0;
	trend_analyze(buf, n, now, &p, &r);
	cr_assert_eq(r.verdict, TREND_LEAK, "verdict %s", trend_verdict_name(r.verdict));
	cr_assert(r.have_slope);
	cr_assert_float_eq(r.slope_bph, 1200 * 1024.0, 1e-6, "slope %f", r.slope_bph);
	cr_assert(r.slope_low_bph > 0 && r.slope_low_bph <= r.slope_bph);
	cr_assert_gt(r.confidence, 0.999);
	cr_assert_eq(r.growth_state, STATE_WARNING);
	/* The floor of each hour is its first sample: half an hour behind. */
	double v_now = (200000 + 1200.0 * (double)(now - T0) / H) * 1024.0;
	cr_assert_float_eq(r.floor_bytes, v_now - 0.5 * 1200 * 1024.0, 1.0,
			   "floor %f vs %f", r.floor_bytes, v_now);
	cr_assert(r.have_forecast);
	cr_assert_float_eq(r.timeleft_s, (p.limit_bytes - r.floor_bytes) / r.slope_bph * 3600.0, 1e-3);
	cr_assert_eq(r.timeleft_state, STATE_WARNING);
	cr_assert(!r.restarted);
	cr_assert_eq(r.segments_seen, 1);
	cr_assert_gt(r.rising_s, 24 * 3600.0);
	cr_assert_leq(r.rising_s, r.segment_age_s);
}

Test(trend, critical_rate_and_timeleft_critical)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 40, 200000, 20000, "7");

	p.limit_bytes = 1.5 * 1024 * 1024 * 1024.0;
	p.timeleft_critical_s = 48 * 3600.0;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.growth_state, STATE_CRITICAL);
	cr_assert_eq(r.timeleft_state, STATE_CRITICAL);
	/* Past the limit: no time left. */
	p.limit_bytes = 100 * 1024 * 1024.0;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.have_forecast);
	cr_assert_float_eq(r.timeleft_s, 0.0, 1e-9);
}

Test(trend, flat_series_with_ties_is_stable)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 72, 204800, 0, "1");

	p.limit_bytes = 1e9;
	p.timeleft_warning_s = 1e9;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_STABLE);
	cr_assert_float_eq(r.slope_bph, 0.0, 1e-9);
	cr_assert_lt(r.confidence, 0.5);
	cr_assert(!r.have_forecast);
	cr_assert_eq(r.timeleft_state, STATE_OK);
}

Test(trend, flat_noise_and_spikes_is_stable)
{
	struct trend_params p = params();
	struct trend_result r;
	unsigned st = 42;
	size_t n = 0;

	for (time_t t = T0; t < T0 + 7 * 86400; t += STEP) {
		double v = 204800 + 2000 * noise(&st);

		if (noise(&st) > 0.98)
			v += 60000;	/* spikes upwards */
		buf[n++] = mk(t, lround(v), "1");
		if (n % 288 == 0) {
			trend_analyze(buf, n, t, &p, &r);
			cr_assert_neq(r.verdict, TREND_LEAK, "at %zu", n);
			cr_assert_neq(r.verdict, TREND_RISING, "at %zu", n);
		}
	}
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_STABLE);
	cr_assert_eq(r.growth_state, STATE_OK);
}

/* Checks every 5 minutes over `days`; returns the first LEAK time or 0. */
static time_t first_leak(size_t n, const struct trend_params *p)
{
	struct trend_result r;

	for (size_t k = 1; k <= n; k++) {
		trend_analyze(buf, k, buf[k - 1].t, p, &r);
		if (r.verdict == TREND_LEAK)
			return buf[k - 1].t;
	}
	return 0;
}

Test(trend, sawtooth_and_daily_cycle_are_not_leaks)
{
	struct trend_params p = params();
	size_t n = 0;

	/* A 6-hour sawtooth of 60 MB on 200 MB, 5 days. */
	for (time_t t = T0; t < T0 + 5 * 86400; t += STEP)
		buf[n++] = mk(t, 200000 + 60000 * ((t - T0) % (6 * H)) / (6 * H), "1");
	p.growth_warning_bph = 500 * 1024.0;
	cr_assert_eq(first_leak(n, &p), 0);

	/* A 24-hour cycle of 30 MB peak to peak, 5 days. */
	n = 0;
	for (time_t t = T0; t < T0 + 5 * 86400; t += STEP)
		buf[n++] = mk(t, lround(200000 + 15000 * sin(2 * M_PI * (double)(t - T0) / 86400)),
			      "1");
	cr_assert_eq(first_leak(n, &p), 0);
}

Test(trend, leak_under_a_slow_sawtooth_is_found_by_its_troughs)
{
	struct trend_params p = params();
	size_t n = 0;
	unsigned seed = 7;
	time_t onset = T0 + 3 * 86400 + 2 * H;

	/* A 6.2-hour sawtooth of 80 MB on 200 MB, +2 MB/h from day 3. */
	for (time_t t = T0; t < T0 + 5 * 86400; t += STEP) {
		double leak = t > onset ? 2000.0 * (double)(t - onset) / H : 0;
		double saw = 80000.0 * (double)((t - T0) % (372 * 60)) / (372 * 60);

		buf[n++] = mk(t, lround(200000 + saw + leak + 300 * noise(&seed)), "1");
	}
	p.growth_warning_bph = 500 * 1024.0;
	time_t at = first_leak(n, &p);
	cr_assert_neq(at, 0);
	cr_assert_gt(at, onset);
	cr_assert_leq(at, onset + 14 * H, "found %.1f h after the onset",
		      (double)(at - onset) / H);
}

Test(trend, business_hours_leak_is_found)
{
	struct trend_params p = params();
	size_t n = 0;
	double kb = 200000;

	/* Flat for two days, then +4 MB/h from 08:00 to 18:00 (Wednesday on). */
	for (time_t t = T0; t < T0 + 4 * 86400; t += STEP) {
		long h = (long)((t - T0) % 86400 / H);

		if (t >= T0 + 2 * 86400 && h >= 8 && h < 18)
			kb += 4000.0 * STEP / H;
		buf[n++] = mk(t, lround(kb), "1");
	}
	p.growth_warning_bph = 500 * 1024.0;
	time_t at = first_leak(n, &p);
	cr_assert_neq(at, 0);
	cr_assert_leq(at, T0 + 2 * 86400 + 16 * H, "found %.1f h after 08:00",
		      (double)(at - T0 - 2 * 86400 - 8 * H) / H);
}

/* Flat for `flat_days`, then +4000 KB/h from 08:00 to 18:00 every day, up to `days`. */
static size_t business_series(int flat_days, int days)
{
	size_t n = 0;
	double kb = 200000;

	for (time_t t = T0; t < T0 + days * 86400; t += STEP) {
		long h = (long)((t - T0) % 86400 / H);

		if (t >= T0 + flat_days * 86400 && h >= 8 && h < 18)
			kb += 4000.0 * STEP / H;
		buf[n++] = mk(t, lround(kb), "1");
	}
	return n;
}

Test(trend, long_run_rate_of_a_business_hours_leak)
{
	struct trend_params p = params();
	struct trend_result r, off;
	size_t n = business_series(2, 5);	/* three business days */
	time_t now = T0 + 4 * 86400 + 16 * H;	/* the third day, 16:00 */

	while (n > 0 && buf[n - 1].t > now)
		n--;
	p.growth_warning_bph = 500 * 1024.0;
	p.limit_bytes = 512.0 * 1024 * 1024;
	trend_analyze(buf, n, now, &p, &off);
	cr_assert_eq(off.verdict, TREND_LEAK);
	cr_assert(!off.long_run);
	cr_assert_gt(off.slope_bph, 3000 * 1024.0, "daytime slope %f", off.slope_bph);

	p.long_run_rate = true;
	trend_analyze(buf, n, now, &p, &r);
	cr_assert_eq(r.verdict, TREND_LEAK);
	cr_assert(r.long_run);
	/* 40 MB a day: 1667 KB/h on average, not the daytime 4000. */
	cr_assert_float_eq(r.slope_bph, 4000.0 * 10 / 24 * 1024.0, 2.0 * 1024, "slope %f",
			   r.slope_bph / 1024);
	cr_assert_leq(r.slope_low_bph, r.slope_bph);
	cr_assert_float_eq(r.recent_slope_bph, off.slope_bph, 1e-6);
	cr_assert(r.have_forecast);
	cr_assert_float_eq(r.timeleft_s, (p.limit_bytes - r.floor_bytes) / r.slope_bph * 3600.0, 1e-3);
	cr_assert_gt(r.timeleft_s, 2.0 * off.timeleft_s);
	/* The rise has lasted since the first business morning. */
	cr_assert_gt(r.rising_s, 48 * 3600.0, "rising %.1f h", r.rising_s / 3600);
}

Test(trend, long_run_rate_waits_for_a_whole_day_of_rise)
{
	struct trend_params p = params();
	struct trend_result r;
	/* Flat for two days, then a steady 1200 KB/h leak for 30 h. */
	size_t n = line(0, T0, 48, 200000, 0, "1");

	n = line(n, T0 + 48 * H, 30, 200000, 1200, "1");
	p.long_run_rate = true;
	p.limit_bytes = 512.0 * 1024 * 1024;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_LEAK);
	/* A day ago it had only just begun: the day-over-day rate would be low. */
	cr_assert(!r.long_run);
	cr_assert_float_eq(r.slope_bph, 1200 * 1024.0, 30 * 1024.0, "slope %f", r.slope_bph / 1024);

	/* 50 h into the leak the day-over-day rate is the leak's. */
	n = line(n, T0 + 78 * H, 20, 200000 + 30 * 1200, 1200, "1");
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.long_run);
	cr_assert_float_eq(r.slope_bph, 1200 * 1024.0, 1024.0, "slope %f", r.slope_bph / 1024);
}

Test(trend, outliers_do_not_move_theil_sen)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 48, 200000, 1200, "1");

	/* Every fifth hour of the last day dips 50 MB for one sample. */
	for (size_t i = 0; i < n; i++)
		if (buf[i].t >= T0 + 24 * H && (buf[i].t - T0) % (5 * H) == 600)
			buf[i].mem_kb -= 50000;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.have_slope);
	cr_assert_float_eq(r.slope_bph, 1200 * 1024.0, 0.05 * 1200 * 1024.0, "slope %f",
			   r.slope_bph);
}

Test(trend, gaps_are_not_interpolated)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 30, 200000, 1200, "1");

	/* Five hours without data, then one lonely low sample, then more. */
	buf[n++] = mk(T0 + 35 * H + 1800, 1000, "1");
	n = line(n, T0 + 36 * H, 12, 200000 + 1200 * 36, 1200, "1");
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.have_slope);
	/* The lonely sample's hour lacks coverage: the slope stays exact. */
	cr_assert_float_eq(r.slope_bph, 1200 * 1024.0, 1e-6, "slope %f", r.slope_bph);
	cr_assert_eq(r.verdict, TREND_LEAK);
	cr_assert(!r.restarted);
}

Test(trend, restart_starts_a_segment)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 48, 200000, 1200, "1388");

	n = line(n, T0 + 48 * H, 2, 150000, 0, "2412");
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.restarted);
	cr_assert(!r.reboot);
	cr_assert_str_eq(r.restart_desc, "index 1388 -> 2412");
	cr_assert_eq(r.segment_start, T0 + 48 * H);
	cr_assert_float_eq(r.segment_age_s, 2 * H - STEP, 1e-9);
	cr_assert_eq(r.segments_seen, 2);
	cr_assert_eq(r.segments_leaking, 1);
	cr_assert_eq(r.verdict, TREND_COLLECTING);
	cr_assert_eq(r.growth_state, STATE_OK);
}

Test(trend, minimum_window)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 1, 150000, 0, "1");

	n = line(n, T0 + H, 11, 150000, 2000, "2");
	p.min_window_strict = true;	/* --min-window given: it holds */
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_COLLECTING, "11 h < 12 h");
	cr_assert_float_eq(r.window_needed_s, 12 * 3600.0, 1e-9);
	/* The built-in window: a steady rise speaks on its evidence from 9 h. */
	p.min_window_strict = false;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_LEAK, "evidence at 11 h: %s", trend_verdict_name(r.verdict));
	trend_analyze(buf, n - 3 * H / STEP, buf[n - 1 - 3 * H / STEP].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_COLLECTING, "8 h: %s", trend_verdict_name(r.verdict));
	p.min_window_s = 6 * 3600.0;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_LEAK, "%s", trend_verdict_name(r.verdict));
	n = line(n, T0 + 12 * H, 2, 150000 + 2000 * 11, 2000, "2");
	p.min_window_s = 0;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_LEAK, "13 h > 12 h: %s", trend_verdict_name(r.verdict));
}

Test(trend, reboot_and_cpu_reset)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 10, 150000, 0, "5");

	for (size_t i = 0; i < n; i++) {
		buf[i].has_uptime = buf[i].has_cpu = true;
		buf[i].uptime_ticks = 1000000 + 100 * i;
		buf[i].cpu_cs = 5000 + 10 * i;
	}
	buf[n] = buf[n - 1];
	buf[n].t += STEP;
	buf[n].uptime_ticks = 500;
	n++;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.restarted && r.reboot);
	cr_assert_str_eq(r.restart_desc, "reboot");

	buf[n - 1].uptime_ticks = 2000000;	/* no reboot, but the CPU counter fell */
	buf[n - 1].cpu_cs = 3;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.restarted && !r.reboot);
	cr_assert(strstr(r.restart_desc, "cpu") != NULL, "%s", r.restart_desc);
}

Test(trend, clock_steps_and_duplicates)
{
	struct trend_params p = params();
	struct trend_result a, b;
	size_t n = line(0, T0, 48, 200000, 1200, "1");
	size_t m;

	trend_analyze(buf, n, buf[n - 1].t, &p, &a);
	/* Duplicate every sample: the same answer. */
	static struct sample dup[MAXN];
	m = 0;
	for (size_t i = 0; i < n; i++) {
		dup[m++] = buf[i];
		dup[m] = buf[i];
		dup[m++].mem_kb = 1;	/* ignored: not later than its twin */
	}
	trend_analyze(dup, m, dup[m - 1].t, &p, &b);
	cr_assert_float_eq(a.slope_bph, b.slope_bph, 1e-9);
	cr_assert_eq(a.verdict, b.verdict);
	cr_assert_eq(b.segments_seen, 1);

	/* A small step back (NTP) is ignored, a big one starts a segment. */
	buf[n] = mk(buf[n - 1].t - 60, 200000, "1");
	trend_analyze(buf, n + 1, buf[n - 1].t, &p, &b);
	cr_assert_eq(b.segments_seen, 1);
	cr_assert_eq(b.verdict, a.verdict);
	buf[n] = mk(buf[n - 1].t - 2 * H, 200000, "1");
	trend_analyze(buf, n + 1, buf[n].t, &p, &b);
	cr_assert_eq(b.segments_seen, 2);
	cr_assert(b.restarted);
	cr_assert_str_eq(b.restart_desc, "clock stepped back");
	cr_assert_eq(b.verdict, TREND_COLLECTING);
}

Test(trend, huge_and_zero_values)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 48, 0, 0, "1");

	p.baseline_auto = true;
	p.limit_bytes = 1e6;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_STABLE);
	cr_assert(!r.have_baseline, "a zero baseline is no baseline");
	n = line(0, T0, 48, (double)(LONG_MAX / 1024 / 2), 1e9, "1");
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(isfinite(r.slope_bph) && isfinite(r.floor_bytes));
	cr_assert_eq(r.verdict, TREND_LEAK);
	buf[0].mem_kb = -5;	/* negative: ignored */
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_LEAK);
}

Test(trend, baseline_configured_learned_and_remembered)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = 0;
	const long first[3] = { 100000, 102000, 98000 };

	for (int k = 0; k < 3; k++) {
		char idx[16];

		snprintf(idx, sizeof idx, "%d", 10 + k);
		n = line(n, T0 + k * 24 * H, 24, (double)first[k], 100, idx);
	}
	p.baseline_auto = true;
	p.growth_warning_bph = 0;
	p.growth_warning_pct = 1.0;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.have_baseline && r.baseline_learned);
	/* Median of the segments' first-hours floors: about 100 000 KB. */
	cr_assert_float_eq(r.baseline_bytes, (100000 + 150) * 1024.0, 200 * 1024.0, "%f",
			   r.baseline_bytes);
	cr_assert_float_eq(r.growth_warning_bph, r.baseline_bytes / 100.0, 1e-6);
	cr_assert_eq(r.segments_seen, 3);

	p.baseline_bytes = 50e6;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.have_baseline && !r.baseline_learned);
	cr_assert_float_eq(r.baseline_bytes, 50e6, 1e-6);
	cr_assert_float_eq(r.growth_warning_bph, 0.5e6, 1e-6);

	/* Only one young segment left in the history: the remembered one. */
	p.baseline_bytes = 0;
	p.learned_baseline_bytes = 77e6;
	n = line(0, T0, 2, 100000, 0, "1");
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.have_baseline && r.baseline_learned);
	cr_assert_float_eq(r.baseline_bytes, 77e6, 1e-6);
}

Test(trend, baseline_learned_after_an_outage_at_the_start)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = 0;

	/* One sample, then nothing for 4 hours, then 10 flat hours. */
	buf[n++] = mk(T0, 150000, "1");
	n = line(n, T0 + 4 * H, 10, 200000, 0, "1");
	p.baseline_auto = true;
	p.growth_warning_pct = 0.25;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.have_baseline);
	cr_assert(r.baseline_learned);
	cr_assert_float_eq(r.baseline_bytes, 200000 * 1024.0, 1.0, "baseline %f", r.baseline_bytes);
	cr_assert_float_eq(r.growth_warning_bph, 0.0025 * 200000 * 1024.0, 1.0);
}

Test(trend, compaction_keeps_the_answer)
{
	struct trend_params p = params();
	struct trend_result a, b;
	size_t n = line(0, T0, 30, 200000, 1200, "1");
	time_t now;

	n = line(n, T0 + 30 * H + 1200, 40, 150000, 800, "2");	/* restart mid-hour */
	now = buf[n - 1].t;
	trend_analyze(buf, n, now, &p, &a);
	size_t m = trend_compact(buf, n, now - TREND_KEEP_RAW_S);
	cr_assert_lt(m, n / 5);
	size_t m2 = trend_compact(buf, m, now - TREND_KEEP_RAW_S);
	cr_assert_eq(m2, m, "idempotent");
	trend_analyze(buf, m, now, &p, &b);
	cr_assert_eq(a.verdict, b.verdict);
	cr_assert_float_eq(a.slope_bph, b.slope_bph, 1e-6);
	cr_assert_eq(b.segments_seen, 2);
	cr_assert_str_eq(b.restart_desc, "index 1 -> 2");
	cr_assert_eq(a.segment_start, b.segment_start);
	for (size_t i = 1; i < m; i++)
		cr_assert_gt(buf[i].t, buf[i - 1].t);
}

Test(trend, seven_days_of_minutes_is_fast)
{
	struct trend_params p = params();
	struct trend_result r;
	static struct sample big[7 * 1440];
	struct timespec t1, t2;

	for (size_t i = 0; i < 7 * 1440; i++)
		big[i] = mk(T0 + (time_t)i * 60, 200000 + (long)(i % 7) * 100, "1");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (int k = 0; k < 10; k++)
		trend_analyze(big, 7 * 1440, T0 + 7 * 86400, &p, &r);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	double ms = ((double)(t2.tv_sec - t1.tv_sec) * 1e3 + (t2.tv_nsec - t1.tv_nsec) / 1e6) / 10;
	cr_assert_lt(ms, 50.0, "%.3f ms per analysis", ms);	/* ~0.2 ms unsanitized */
	cr_assert_eq(r.verdict, TREND_STABLE);
}

/* ------------------------------------------------------------ replay */

Test(replay, parses_lines)
{
	struct sample s;
	char err[ERRBUF_SIZE];

	cr_assert_eq(replay_parse_line("1767571200 204800 1388,2412\n", true, &s, err, sizeof err), 1);
	cr_assert_eq(s.t, 1767571200);
	cr_assert_eq(s.mem_kb, 204800);
	cr_assert_str_eq(s.indexes, "1388,2412");
	cr_assert_eq(replay_parse_line("1767571200\t204800", true, &s, err, sizeof err), 1);
	cr_assert_str_eq(s.indexes, "");
	cr_assert_eq(replay_parse_line("1767571200,204800,\"1388,2412\"\r\n", true, &s, err,
				       sizeof err), 1);
	cr_assert_str_eq(s.indexes, "1388,2412");
	cr_assert_eq(replay_parse_line("1767571200, 204800, 7", true, &s, err, sizeof err), 1);
	cr_assert_eq(s.mem_kb, 204800);
	cr_assert_str_eq(s.indexes, "7");
	cr_assert_eq(replay_parse_line("# comment", false, &s, err, sizeof err), 0);
	cr_assert_eq(replay_parse_line("   \n", false, &s, err, sizeof err), 0);
	cr_assert_eq(replay_parse_line("time,mem_kb,indexes", true, &s, err, sizeof err), 0);
	cr_assert_eq(replay_parse_line("time,mem_kb,indexes", false, &s, err, sizeof err), -1);
	cr_assert_str_eq(err, "'time' is not a unix time");
	cr_assert_eq(replay_parse_line("1767571200", false, &s, err, sizeof err), -1);
	cr_assert_str_eq(err, "the memory in KB is missing");
	cr_assert_eq(replay_parse_line("1767571200 12x", false, &s, err, sizeof err), -1);
	cr_assert_str_eq(err, "'12x' is not a memory size in KB");
	cr_assert_eq(replay_parse_line("1767571200 -5", false, &s, err, sizeof err), -1);
	cr_assert_eq(replay_parse_line("1767571200 5 a,b", false, &s, err, sizeof err), -1);
	cr_assert(strstr(err, "not a list of process indexes") != NULL, "%s", err);
	cr_assert_eq(replay_parse_line("99999999999999999999999 5", false, &s, err, sizeof err), -1);
}

static int replay_string(const char *text, char *out, size_t outlen, char *err, size_t errlen)
{
	struct trend_params p = params();
	FILE *in = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	FILE *o = fmemopen(out, outlen, "w");
	int rc;

	cr_assert(in && o);
	rc = replay_run(in, o, &p, err, errlen);
	fclose(in);
	fclose(o);
	return rc;
}

Test(replay, errors_name_the_line)
{
	char out[4096], err[ERRBUF_SIZE];

	cr_assert_eq(replay_string("# series\n1767571200 1000 1\n1767571500 abc 1\n", out,
				   sizeof out, err, sizeof err), -1);
	cr_assert_str_eq(err, "line 3: 'abc' is not a memory size in KB");
	cr_assert_eq(replay_string("time,mem\n1767571200,1000\nx,1\n", out, sizeof out, err,
				   sizeof err), -1);
	cr_assert_str_eq(err, "line 3: 'x' is not a unix time");
}

Test(replay, prints_one_line_per_step)
{
	static char text[200000], out[400000];
	char err[ERRBUF_SIZE];
	size_t len = 0;
	int lines = 0;

	for (int i = 0; i < 48 * 12; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "%lld %d 1388\n",
					(long long)T0 + i * STEP, 200000 + i * 100);
	cr_assert_eq(replay_string(text, out, sizeof out, err, sizeof err), 0, "%s", err);
	for (char *c = out; *c; c++)
		lines += *c == '\n';
	cr_assert_eq(lines, 48 * 12 + 1);
	cr_assert(strncmp(out, "# time", 6) == 0);
	cr_assert(strstr(out, "2026-01-05T00:00:00Z     200000 COLLECTING") != NULL);
	cr_assert(strstr(out, " LEAK ") != NULL);
}

/* Found by tests/fuzz/fuzz_replay.c: fields are quoted printable, t > 0. */
Test(replay, errors_quote_printable_fields_and_refuse_time_zero)
{
	struct sample s;
	char err[ERRBUF_SIZE];

	cr_assert_eq(replay_parse_line("1700082\x12" "00 40000\n", false, &s, err, sizeof err), -1);
	cr_expect_str_eq(err, "'1700082?00' is not a unix time");
	cr_assert_eq(replay_parse_line("1700000000 4\x80" "0\n", false, &s, err, sizeof err), -1);
	cr_expect_str_eq(err, "'4?0' is not a memory size in KB");
	cr_assert_eq(replay_parse_line("1700000000 40 12x\x1b\r\n", false, &s, err, sizeof err), -1);
	cr_expect_str_eq(err, "'12x?' is not a list of process indexes");
	cr_assert_eq(replay_parse_line("0 40000\n", false, &s, err, sizeof err), -1);
	cr_expect_str_eq(err, "'0' is not a unix time");
}

Test(replay, a_state_file_line_replays_as_it_is)
{
	struct sample s;
	char err[256];

	cr_assert_eq(replay_parse_line("1795465931 190671 1200 1862054 86400000 h", false, &s,
				       err, sizeof err), 1, "%s", err);
	cr_expect_eq(s.t, 1795465931);
	cr_expect_eq(s.mem_kb, 190671);
	cr_expect_str_eq(s.indexes, "1200");
	cr_assert_eq(replay_parse_line("1795465931 190671 - - -", false, &s, err, sizeof err), 1,
		     "%s", err);
	cr_expect_str_eq(s.indexes, "");
	cr_expect_eq(replay_parse_line("1795465931 190671 12x00", false, &s, err, sizeof err), -1);
}

/* Found by fuzz_replay: a segment older than the 72 blocks analysed made
 * rise_hours() read before its arrays (ASan: stack-buffer-overflow). */
Test(trend, a_leak_older_than_the_analysed_blocks_stays_in_bounds)
{
	static struct sample s[120];
	struct trend_params p = { .growth_warning_bph = 50 * 1024.0, .limit_bytes = 512.0 * 1048576 };
	struct trend_result r;

	for (int i = 0; i < 120; i++) {
		s[i].t = 1700000000 + (time_t)i * 3600;
		s[i].mem_kb = 40000 + i * 100;
		snprintf(s[i].indexes, sizeof s[i].indexes, "1388");
	}
	trend_analyze(s, 120, s[119].t, &p, &r);
	cr_expect_neq(r.verdict, TREND_COLLECTING);
	cr_expect_leq(r.rising_s, 72 * 3600.0 + 1e-6, "no further back than the blocks kept");
}

/* A business-hours leak paused overnight stays LEAK (hold or day-over-day rate). */
Test(trend, a_paused_leak_is_held_over_a_weekend)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = business_series(2, 5);	/* three business days, then a pause */
	long kb = buf[n - 1].mem_kb;
	time_t t = buf[n - 1].t, now;

	for (int k = 0; k < 40 * H / STEP; k++)
		buf[n++] = mk(t += STEP, kb, "1");
	now = t;
	p.growth_warning_bph = 500 * 1024.0;
	p.limit_bytes = 512.0 * 1024 * 1024;
	trend_analyze(buf, n, now, &p, &r);
	cr_assert_eq(r.verdict, TREND_LEAK, "verdict %s", trend_verdict_name(r.verdict));
	cr_assert(r.held, "held");
	cr_assert_neq(r.growth_state, STATE_OK);
	cr_assert_gt(r.rise_bytes, 60.0 * 1024 * 1024, "rise %.0f", r.rise_bytes);
	cr_assert_neq(r.paused_since, 0);
	cr_assert(r.have_forecast);
}

/* 8 MB/h reaching 60 MB, limit 100 MB, 6 h of history: no blind start. */
Test(trend, blind_start_time_left_alarms_before_the_window)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 6.0, 12.0 * 1024, 8.0 * 1024, "1");
	time_t now = buf[n - 1].t;

	p.limit_bytes = 100.0 * 1024 * 1024;
	p.timeleft_critical_s = 6 * H;
	trend_analyze(buf, n, now, &p, &r);
	cr_assert(r.early, "early route");
	cr_assert(r.have_forecast);
	cr_assert_eq(r.timeleft_state, STATE_CRITICAL);
	cr_assert_float_eq(r.timeleft_s / H, 5.0, 0.5, "left %.1f h", r.timeleft_s / H);
	/* Without a limit near, the guard stands: collecting. */
	p.limit_bytes = 4096.0 * 1024 * 1024;
	trend_analyze(buf, n, now, &p, &r);
	cr_assert_eq(r.verdict, TREND_COLLECTING);
}

/*
 * Checks every 5 minutes with the history compacted as the state file
 * keeps it; returns the share of checks from the first one with a
 * time-left alarm to the end that still alarm (1.0: it held), and the
 * first alarm's time in *first (0: none).
 */
static double timeleft_alarm_held(size_t n, const struct trend_params *p, time_t *first)
{
	static struct sample hist[MAXN];
	struct trend_result r;
	size_t m = 0, alarmed = 0, after = 0;

	*first = 0;
	for (size_t k = 0; k < n; k++) {
		hist[m++] = buf[k];
		m = trend_compact(hist, m, buf[k].t - TREND_KEEP_RAW_S);
		trend_analyze(hist, m, buf[k].t, p, &r);
		bool alarm = r.timeleft_state != STATE_OK || r.growth_state != STATE_OK;

		if (alarm && !*first)
			*first = buf[k].t;
		if (*first) {
			after++;
			alarmed += alarm;
		}
	}
	return after ? (double)alarmed / (double)after : 0.0;
}

/* A fast leak from the first sample: CRITICAL in time, and it stays so
 * while the first hours are compacted into hourly floors. */
Test(trend, fast_leak_at_the_start_stays_critical_across_compaction)
{
	struct trend_params p = params();
	size_t n = line(0, T0, 11.0, 200000.0, 20000.0, "1");	/* 10 %/h of 200 MB */
	time_t first;

	p.limit_bytes = 420000.0 * 1024;	/* reached after 11 h */
	p.timeleft_critical_s = 6 * H;
	double held = timeleft_alarm_held(n, &p, &first);

	cr_assert_neq(first, 0, "no alarm");
	cr_expect_leq(first - T0, 8 * H, "first alarm %.1f h in", (double)(first - T0) / H);
	cr_expect_float_eq(held, 1.0, 1e-9, "in alarm %.0f%% after the first", 100 * held);
}

/* The history begins at the trough of a daily cycle (no restart seen):
 * its rising half keeps no steady pace, so it is no leak on day one. */
Test(trend, a_history_begun_in_a_daily_cycle_is_no_leak_on_its_first_day)
{
	struct trend_params p = params();
	size_t n = 0;
	unsigned seed = 3;

	p.growth_warning_bph = 500 * 1024.0;
	for (int phase = 0; phase < 4; phase++) {
		n = 0;
		for (time_t t = T0; t < T0 + 40 * H; t += STEP)
			buf[n++] = mk(t, lround(200000 - 20000 * cos(2 * M_PI * ((double)(t - T0) / 86400 +
								phase / 8.0)) +
					       300 * noise(&seed)), "1");
		cr_expect_eq(first_leak(n, &p), 0, "phase %d/8 of the cycle", phase);
	}
}

/* A steady 1 %/h leak already under way when the history begins: found
 * on its evidence before the minimum window, not after a day. */
Test(trend, a_leak_under_way_is_found_before_the_minimum_window)
{
	struct trend_params p = params();
	size_t n = 0;
	unsigned seed = 11;

	p.growth_warning_bph = 500 * 1024.0;
	for (time_t t = T0; t < T0 + 30 * H; t += STEP)
		buf[n++] = mk(t, lround(200000 + 2000.0 * (double)(t - T0) / H + 600 * noise(&seed)),
			      "1");
	time_t at = first_leak(n, &p);

	cr_assert_neq(at, 0, "not found");
	cr_expect_leq(at - T0, 12 * H, "found after %.1f h", (double)(at - T0) / H);
	cr_expect_geq(at - T0, 9 * H, "found after %.1f h", (double)(at - T0) / H);
}

/* A warm-up right at the start of the history (+30 % over ~3 h, then
 * level) is no leak, with and without a restart seen before it. */
Test(trend, a_warm_up_at_the_start_is_no_leak)
{
	struct trend_params p = params();
	unsigned seed = 5;

	p.growth_warning_bph = 500 * 1024.0;
	p.limit_bytes = 512.0 * 1048576;
	p.timeleft_warning_s = 48 * H;
	p.timeleft_critical_s = 12 * H;
	for (int restart = 0; restart < 2; restart++) {
		size_t n = 0;
		time_t t0 = T0 + (restart ? 6 * H : 0);

		if (restart)
			n = line(0, T0, 6.0, 260000.0, 0.0, "1");
		for (time_t t = t0; t < t0 + 72 * H; t += STEP)
			buf[n++] = mk(t, lround(200000 + 60000 * (1 - exp(-(double)(t - t0) / (3.0 * H))) +
					       300 * noise(&seed)), restart ? "2" : "1");
		time_t first;

		timeleft_alarm_held(n, &p, &first);
		cr_expect_eq(first, 0, "alarm %.1f h in (restart seen: %d)",
			     (double)(first - t0) / H, restart);
	}
}

/* Judged a leak, then slower than the growth warning rate: still a leak
 * (held), not RISING, while the memory is not given back. */
Test(trend, a_leak_that_slows_below_the_warning_rate_stays_held)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = line(0, T0, 2.0, 100000.0, 0.0, "1");

	p.growth_warning_bph = 1000 * 1024.0;
	n = line(n, T0 + 2 * H, 24.0, 100000.0, 2000.0, "2");	/* 2 MB/h after a restart */
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_LEAK);
	n = line(n, T0 + 26 * H, 54.0, 148000.0, 700.0, "2");	/* then 0.7 MB/h */
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_expect_eq(r.verdict, TREND_LEAK, "verdict %s", trend_verdict_name(r.verdict));
	cr_expect(r.held, "held");
	cr_expect_neq(r.growth_state, STATE_OK);
}

/* No growth level configured: the built-in ones, percent of a baseline
 * learned even without baseline_auto. */
Test(trend, built_in_growth_levels_use_a_learned_baseline)
{
	struct trend_params p;
	struct trend_result r;
	size_t n = line(0, T0, 2.0, 100000.0, 0.0, "1");

	memset(&p, 0, sizeof p);
	p.growth_warning_pct = TREND_DEFAULT_GROWTH_WARNING_PCT;
	p.growth_critical_pct = TREND_DEFAULT_GROWTH_CRITICAL_PCT;
	p.growth_defaults = true;
	n = line(n, T0 + 2 * H, 30.0, 100000.0, 1500.0, "2");	/* 1.5 %/h after a restart */
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert(r.have_baseline && r.baseline_learned);
	cr_expect(r.growth_defaults);
	cr_expect_float_eq(r.growth_warning_bph, 0.0025 * r.baseline_bytes, 1.0);
	cr_expect_float_eq(r.growth_critical_bph, 0.01 * r.baseline_bytes, 1.0);
	cr_expect_eq(r.verdict, TREND_LEAK, "verdict %s", trend_verdict_name(r.verdict));
	cr_expect_eq(r.growth_state, STATE_CRITICAL);
}

/*
 * A level day with noise (uniform, +-noise_kb), then from `onset` +2 %/h
 * (4 MB/h on 200 MB) for `rise_h` hours and level again until `end_h`
 * hours after the rise began, a sample every `every` seconds.  The rise
 * ends at the same level whether `step` is false or true (then it comes
 * at once, at the end of the rise_h hours).
 */
static size_t rise_every(time_t every, time_t onset, double rise_h, double end_h, bool step,
			 double noise_kb, unsigned seed)
{
	size_t n = 0;

	for (time_t t = T0; t < onset + (time_t)(end_h * H) && n < MAXN; t += every) {
		double h = (double)(t - onset) / H, kb = 200000.0 + noise_kb * noise(&seed);

		if (h > 0)
			kb += step ? (h >= rise_h ? 4000.0 * rise_h : 0) : 4000.0 * fmin(h, rise_h);
		buf[n++] = mk(t, lround(kb), "1");
	}
	return n;
}

/* The same every 5 minutes. */
static size_t rise_at(time_t onset, double rise_h, double end_h, bool step, double noise_kb,
		      unsigned seed)
{
	return rise_every(STEP, onset, rise_h, end_h, step, noise_kb, seed);
}

/* The same from 16:00 on day two, with little noise. */
static size_t afternoon_rise(double rise_h, double end_h, bool step)
{
	return rise_at(T0 + 86400 + 16 * H, rise_h, end_h, step, 300.0, 7);
}

/* The raw route: a late-afternoon rise out of a level day is a leak after
 * two hours, before any four complete hours of it. */
Test(trend, raw_route_finds_a_rise_out_of_a_level_day_within_two_hours)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = afternoon_rise(2.5, 2.5, false);

	p.growth_warning_bph = 500 * 1024.0;
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_assert_eq(r.verdict, TREND_LEAK, "verdict %s", trend_verdict_name(r.verdict));
	cr_expect(r.raw_route);
	cr_expect_gt(r.slope_bph, 3000 * 1024.0, "slope %.0f", r.slope_bph);
	/* The same rise as one step: not a leak. */
	n = afternoon_rise(2.5, 2.5, true);
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_expect_not(r.raw_route);
	cr_expect_neq(r.verdict, TREND_LEAK, "a step: %s", trend_verdict_name(r.verdict));
}

/* The verdict of the raw route at the last sample, with a 500 KB/h leak rate. */
static bool raw_judges(size_t n, struct trend_result *r)
{
	struct trend_params p = params();

	p.growth_warning_bph = 500 * 1024.0;
	trend_analyze(buf, n, buf[n - 1].t, &p, r);
	return r->raw_route && r->verdict == TREND_LEAK;
}

/*
 * With 5-minute samples and noise of +-1 MB, the thirds of the 2 hours
 * (four 10-minute floors each) are too noisy to show a steady pace; the
 * rise's lower bound above the leak rate, and no step fitting it better
 * than a line, let it through (the thirds' ratio alone: STABLE).
 */
Test(trend, raw_route_sees_a_noisy_rise_whose_thirds_cannot_show_its_pace)
{
	struct trend_result r;
	size_t n = rise_at(T0 + 86400 + 16 * H, 2.0, 2.0, false, 1000.0, 2);

	cr_expect(raw_judges(n, &r), "verdict %s", trend_verdict_name(r.verdict));
	cr_expect_gt(r.slope_low_bph, 500 * 1024.0, "low %.0f", r.slope_low_bph);
}

/* A leak that began 35 minutes into the window (its first third level)
 * is seen at 18:00, when the traffic that drives it stops. */
Test(trend, raw_route_sees_a_leak_that_began_inside_its_window)
{
	struct trend_result r;
	time_t onset = T0 + 86400 + 16 * H + 35 * 60;
	size_t n = rise_at(onset, 85.0 / 60.0, 85.0 / 60.0 + 1.0 / 12.0, false, 300.0, 1);

	cr_expect(raw_judges(n, &r), "verdict %s", trend_verdict_name(r.verdict));
}

/* With a sample every minute (floors of 5 minutes, 24 of them), the
 * same: a rise is a leak, the same rise in one step is not. */
Test(trend, raw_route_sees_a_rise_in_samples_a_minute_apart)
{
	struct trend_result r;
	time_t onset = T0 + 86400 + 16 * H;

	cr_expect(raw_judges(rise_every(60, onset, 2.0, 2.0, false, 1000.0, 2), &r), "verdict %s",
		  trend_verdict_name(r.verdict));
	cr_expect_not(raw_judges(rise_every(60, onset, 1.25, 2.25, true, 1000.0, 21), &r),
		      "a step: %s", trend_verdict_name(r.verdict));
}

/* A step of 5 MB in the same noise, 45 minutes before the end: its
 * lower bound reaches the leak rate, but two levels fit it better than a
 * line, so it is no leak. */
Test(trend, raw_route_takes_no_step_for_a_rise)
{
	struct trend_result r;
	size_t n = rise_at(T0 + 86400 + 16 * H, 1.25, 2.25, true, 1000.0, 21);

	cr_expect_not(raw_judges(n, &r), "a step: %s", trend_verdict_name(r.verdict));
	cr_expect_neq(r.verdict, TREND_LEAK, "a step: %s", trend_verdict_name(r.verdict));
}

/* Without a level day before it (a restart 20 h ago), the raw route is silent. */
Test(trend, raw_route_needs_a_day_before_the_rise)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = afternoon_rise(2.5, 2.5, false);

	p.growth_warning_bph = 500 * 1024.0;
	for (size_t i = 0; i < n; i++)
		if (buf[i].t >= T0 + 86400 + 16 * H - 20 * H)
			snprintf(buf[i].indexes, sizeof buf[i].indexes, "2");
	trend_analyze(buf, n, buf[n - 1].t, &p, &r);
	cr_expect_not(r.raw_route);
}

/* The evening after: the raw samples of the rise are compacted, the
 * hourly routes see too little; the judgement handed on holds it. */
Test(trend, a_raw_route_judgement_is_held_through_the_evening)
{
	struct trend_params p = params();
	struct trend_result r;
	size_t n = afternoon_rise(2.0, 2.0, false), m;
	time_t judged = buf[n - 1].t;

	p.growth_warning_bph = 500 * 1024.0;
	trend_analyze(buf, n, judged, &p, &r);
	cr_assert(r.raw_route && r.verdict == TREND_LEAK);
	n = afternoon_rise(2.0, 9.0, false);	/* until 01:00 */
	m = trend_compact(buf, n, buf[n - 1].t - TREND_KEEP_RAW_S);
	trend_analyze(buf, m, buf[m - 1].t, &p, &r);
	cr_expect_neq(r.verdict, TREND_LEAK, "without the judgement: %s",
		      trend_verdict_name(r.verdict));
	p.raw_judged_at = judged;
	trend_analyze(buf, m, buf[m - 1].t, &p, &r);
	cr_expect_eq(r.verdict, TREND_LEAK, "verdict %s", trend_verdict_name(r.verdict));
	cr_expect(r.held);
	cr_expect_neq(r.growth_state, STATE_OK);
	cr_expect_gt(r.rise_bytes, 6.0 * 1024 * 1024, "rise %.0f", r.rise_bytes);
	/* A judgement from before a restart is not this segment's. */
	for (size_t i = 0; i < m; i++)
		if (buf[i].t > judged + H)
			snprintf(buf[i].indexes, sizeof buf[i].indexes, "2");
	trend_analyze(buf, m, buf[m - 1].t, &p, &r);
	cr_expect_not(r.held);
}
