/*
 * trend.c - leak detection over the history of one process (the interface
 * and its contract: trend.h).
 *
 * ONE JOB.  Judge whether the memory of the current segment rises like a
 * leak, and how fast.  The statistics (median, Theil-Sen, Mann-Kendall)
 * are stats.c's; reading, keeping and compacting the history on disk is
 * history.c's; turning a verdict into a Nagios state and words is
 * evaluate.c's and output.c's.  Nothing here does I/O or reads the clock.
 *
 * trend_analyze() is its steps, in this order:
 *   1. Segments.  The history splits at restarts (index set changed, CPU
 *      counter dropped), reboots (uptime dropped) and big backwards clock
 *      steps; only the current segment is judged, the past ones are only
 *      counted (how many ended leaking).
 *   2. Baseline.  The configured one, else (--baseline auto, or the
 *      built-in growth levels) the median floor of the first hours of the
 *      recent segments, else the one learned on an earlier run.  Growth
 *      levels given in percent of the baseline become bytes per hour; with
 *      none configured the caller hands the built-in ones (trend.h: 0.25 %/h
 *      warning, 1 %/h critical), and a baseline is learned for them.  The
 *      leak rate below is the warning level, else the critical one.
 *   3. Floors.  The segment's samples reduced to aligned hourly blocks,
 *      each block's minimum: the floor the allocator returns to.  A block
 *      needs an hourly summary or raw samples covering half of it; nothing
 *      is interpolated.
 *   4. Routes (detect()).  Six detectors judge the floors, first match
 *      wins: the long window (24 h, Theil-Sen with its lower bound above
 *      half the leak rate and a Mann-Kendall p < 0.01, corrected for ties
 *      and autocorrelation, the rise spread over many hours; the short
 *      window's fit is shown when it is steeper), the short window (8 h,
 *      p < 0.001, still rising), a fast rise (four floors climbing by
 *      similar steps at the leak rate or faster, above the whole day
 *      before), the troughs of a slow sawtooth, a wide window (6-hour
 *      floors over 3 days, from 48 h), and a staircase (the level of each
 *      of the last 4 days above the day before).  Guards in front of them:
 *      a warm-up (levelling off or slowing down, in the first 48 h) stops
 *      the long, short, fast and trough routes; a history that began inside
 *      the segment (no start seen, so any phase of a daily cycle) needs,
 *      for its first 30 h, a rise that keeps its pace across the window
 *      (steady_pace()) on those routes too; from 30 h the last hours must
 *      be above the same hours a day earlier for the long, short and fast
 *      routes.  The wide and staircase routes have no guard.  Before the
 *      minimum window (12 h) there is no verdict, except that from 9 h a
 *      steady rise significant at p < 0.001 lets the routes speak, unless
 *      the minimum window was configured.  When none of them judges a
 *      rise, the raw route (raw_rise()) looks at the raw samples of the
 *      last 2 hours: a rise out of a level day, at twice the leak rate or
 *      faster, steady (or, where the samples are too noisy to show the
 *      pace, with its lower bound at the leak rate and no step fitting it
 *      better than a line); a leak that grows only in business hours and
 *      begins late in the afternoon is seen before the evening that way.
 *   5. Hold.  When no route judges a leak now, the latest earlier check
 *      of this segment (up to 4 days back, replayed from the floors) that
 *      judged one keeps the verdict a leak as long as the memory has not
 *      been given back: the level, the lowest floor of the last 6 hours,
 *      keeps more than a quarter of the highest level reached since above
 *      the level before the rise.  Its rate is the cumulative rise over
 *      its hours, or the long-run rate while that is known.  The raw
 *      route's judgements cannot be replayed once the raw samples are
 *      compacted: the last one is handed on from check to check
 *      (trend_params.raw_judged_at, kept in the state file), and counts as
 *      a judged check, its level the lowest memory seen since.
 *   6. Early forecast.  Before the routes may speak, and while they find
 *      nothing within the guards' time (the minimum window, 30 h for a
 *      history begun inside the segment), only the time left may alarm: a
 *      strongly significant rise on the segment's floors of 10 to 60
 *      minutes, not levelling off below the limit, that reaches the limit
 *      within a time-left level and within twice the time it has been
 *      seen.
 *   7. Grade.  A rise at or above the leak rate, a held leak and a
 *      staircase are a LEAK (WARNING, CRITICAL at the critical level), a
 *      slower one RISING.  With trend_params.long_run_rate, once a rise has
 *      lasted more than a day its day-over-day rate (long_run_rate()) is
 *      shown, graded and forecast instead of the window's slope (a
 *      traffic-driven leak grows only in the daytime).
 *   8. Forecast.  The room left below the limit divided by the rate.
 * Everything here is bounded: at most NALL hourly blocks, fits of at most
 * MAX_FIT points, at most HOLD_BACK earlier hours replayed per check.
 */
#include "trend.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "util.h"

#define NBLK		72	/* blocks the routes look at: 3 days */
#define LONG_BLOCKS	24	/* the long window */
#define SHORT_BLOCKS	8	/* the short window */
#define MIN_BLOCKS	6	/* valid floors a window needs */
#define MAX_FIT		LONG_BLOCKS	/* <= FIT_MAX_POINTS */
#define Z_LONG		Z_ONE_SIDED_1PCT
#define P_LONG		0.01	/* the long window's significance */
#define Z_SHORT		Z_ONE_SIDED_01PCT
#define P_SHORT		0.001	/* the short window's, and strong evidence's */
#define DIFF_AGE_S	(30 * 3600)	/* from this age: above the day before */
#define FIRST_WINDOW_S	(30 * 3600)	/* no restart seen: a steady pace needed that long */
#define EVIDENCE_AGE_S	(9 * 3600)	/* strong evidence may speak from this age */
#define STEADY_RATIO	0.6	/* slowest third's slope / fastest's, steady_pace() */
#define PLATEAU_AGE_S	(48 * 3600)	/* warm-ups are looked for this long */
#define P_AGREE		0.05	/* the long window leaning with the short one */
#define FAST_BLOCKS	4	/* floors of a fast rise */
#define WIDE_BLOCKS	6	/* hours per block of the 3-day window */
#define WIDE_AGE_S	(48 * 3600)	/* the wide window from this age */
#define FAST_PRIOR	16	/* floors before a fast rise, to be above */
#define DIFF_LAST	6	/* hours compared with the day before */
#define MAX_SEGS	16	/* recent segments remembered */
#define BASE_SEGS	8	/* segments a learned baseline uses */
#define BASE_HOURS	4	/* "the first hours" of a segment */
#define BASE_SPAN	12	/* ... or its first covered hours within these */
#define MIN_BASELINE	65536.0	/* a learned baseline below this is noise */
#define HOLD_BACK	96	/* hours the hold looks back for a judged rise */
#define NALL		(NBLK + HOLD_BACK)	/* blocks kept for the routes and the hold */
#define LEVEL_BLOCKS	6	/* the level: lowest floor of the last hours */
#define PAUSE_BLOCKS	3	/* a level unchanged that long is a pause */
#define STAIR_DAYS	3	/* day-over-day steps the staircase needs */
#define EARLY_STEP_S	600	/* the early forecast's finest floors */
#define EARLY_MIN_POINTS 6	/* floors the early forecast needs */
#define RAW_WINDOW_S	7200	/* the raw route's window: 2 h */
#define RAW_STEP_S	300	/* its floors: two samples, 5 minutes at least */
#define RAW_STEP_MAX_S	600	/* and 10 at most: one sample each then */
#define RAW_POINTS	(RAW_WINDOW_S / RAW_STEP_S)	/* floors at most */
#define RAW_MIN_POINTS	12	/* floors at least: samples up to 10 minutes apart */
#define RAW_NEWEST_S	1800	/* the newest floors, held against the day before */
#define RAW_PRIOR	24	/* hourly floors before them, all below */
#define RAW_RATE	2.0	/* x the leak rate, at least */
#define STEP_RATIO	0.8	/* a step's squared residuals / a line's, at least: not_a_step() */

enum boundary { B_NONE, B_INDEX, B_CPU, B_REBOOT, B_CLOCK };

struct segment {
	size_t first;		/* index of its first sample */
	size_t end;		/* one past its last sample */
	enum boundary kind;	/* how it began */
	char desc[96];
};

const char *trend_verdict_name(enum trend_verdict v)
{
	switch (v) {
	case TREND_COLLECTING: return "COLLECTING";
	case TREND_STABLE: return "STABLE";
	case TREND_RISING: return "RISING";
	case TREND_LEAK: return "LEAK";
	}
	return "?";
}

static enum boundary boundary_between(const struct sample *a, const struct sample *b)
{
	if (a->has_uptime && b->has_uptime && b->uptime_ticks < a->uptime_ticks)
		return B_REBOOT;
	if (strcmp(a->indexes, b->indexes) != 0)
		return B_INDEX;
	if (a->has_cpu && b->has_cpu && b->cpu_cs < a->cpu_cs)
		return B_CPU;
	return B_NONE;
}

static void describe(enum boundary k, const struct sample *a, const struct sample *b,
		     char *desc, size_t len)
{
	switch (k) {
	case B_NONE:
		desc[0] = '\0';
		break;
	case B_INDEX:
		snprintf(desc, len, "index %.40s -> %.40s",
			 a->indexes[0] ? a->indexes : "none",
			 b->indexes[0] ? b->indexes : "none");
		break;
	case B_CPU:
		snprintf(desc, len, "index %.40s, cpu time dropped",
			 b->indexes[0] ? b->indexes : "none");
		break;
	case B_REBOOT:
		snprintf(desc, len, "reboot");
		break;
	case B_CLOCK:
		snprintf(desc, len, "clock stepped back");
		break;
	}
}

/*
 * Typical spacing of raw samples (median gap of the latest ones), for the
 * coverage rule.  Hourly summaries do not count.
 */
static double sample_spacing(const struct sample *s, size_t n)
{
	double gaps[64];
	int k = 0;
	time_t next = 0;
	bool have = false;

	for (size_t i = n; i-- > 0 && k < 64;) {
		if (s[i].hourly || s[i].mem_kb < 0)
			continue;
		if (have && s[i].t < next)
			gaps[k++] = (double)(next - s[i].t);
		next = s[i].t;
		have = true;
	}
	if (k == 0)
		return 300.0;
	double d = median(gaps, k);

	return d < 1.0 ? 1.0 : d;
}

/*
 * Floors of blocks first_blk .. first_blk + nb - 1 from the samples of one
 * segment [first, end); a block is valid with an hourly summary or enough
 * raw samples to cover half of it.
 */
static void block_floors(const struct sample *s, size_t first, size_t end, long long first_blk,
			 int nb, double spacing, time_t now, double *floors, bool *valid)
{
	int cnt[NALL];
	bool summary[NALL];
	time_t last = 0;
	double need = 0.5 * TREND_BLOCK_S / spacing;

	for (int b = 0; b < nb; b++) {
		cnt[b] = 0;
		summary[b] = false;
		floors[b] = 0;
		valid[b] = false;
	}
	for (size_t i = first; i < end; i++) {
		const struct sample *x = &s[i];

		if (x->mem_kb < 0 || (i > first && x->t <= last) || x->t > now)
			continue;
		last = x->t;
		long long b = trend_block_of(x->t) - first_blk;

		if (b < 0 || b >= nb)
			continue;
		double v = (double)x->mem_kb * 1024.0;

		if ((cnt[b] == 0 && !summary[b]) || v < floors[b])
			floors[b] = v;
		if (x->hourly)
			summary[b] = true;
		else
			cnt[b]++;
	}
	for (int b = 0; b < nb; b++)
		valid[b] = summary[b] || (cnt[b] > 0 && cnt[b] + 1e-9 >= need);
}

/*
 * Where a floor of `width` blocks from block b sits on the x axis of a
 * fit: its middle, in hours from now (negative: before now).
 */
static double hours_from_now(long long b, int width, time_t now)
{
	return ((double)(b * TREND_BLOCK_S) + width * TREND_BLOCK_S / 2.0 - (double)now) / 3600.0;
}

/* The later of two blocks. */
static long long later(long long a, long long b)
{
	return a > b ? a : b;
}

/* Valid floors of blocks [from, to) of the window, x in hours from now. */
static int collect(const double *floors, const bool *valid, long long first_blk, long long from,
		   long long to, time_t now, double *x, double *y)
{
	int n = 0;

	for (long long b = from; b < to && n < MAX_FIT; b++) {
		long long i = b - first_blk;

		if (i < 0 || i >= NBLK || !valid[i])
			continue;
		x[n] = hours_from_now(b, 1, now);
		y[n] = floors[i];
		n++;
	}
	return n;
}

/* No single step between neighbouring floors carries half the rise. */
static bool spread_out(const double *y, int n, double slope, const double *x)
{
	double rise = slope * (x[n - 1] - x[0]), big = 0;

	if (rise <= 0)
		return false;
	for (int i = 1; i < n; i++)
		if (y[i] - y[i - 1] > big)
			big = y[i] - y[i - 1];
	return big < 0.5 * rise;
}

/* A warm-up levelling off: the later half rises < 1/4 as fast. */
static bool plateau(const double *x, const double *y, int n)
{
	struct fit a, b;
	int h = n / 2;

	if (n < 8)
		return false;
	fit_series(x, y, h, Z_LONG, &a);
	fit_series(x + h, y + h, n - h, Z_LONG, &b);
	return a.slope > 0 && b.slope < a.slope / 4.0;
}

/*
 * The fits of the thirds of a window of n >= 9 points (the last takes the
 * rest); false for fewer points.
 */
static bool fit_thirds(const double *x, const double *y, int n, struct fit t[3])
{
	int k = n / 3;

	if (n < 9)
		return false;
	fit_series(x, y, k, Z_LONG, &t[0]);
	fit_series(x + k, y + k, k, Z_LONG, &t[1]);
	fit_series(x + 2 * k, y + 2 * k, n - 2 * k, Z_LONG, &t[2]);
	return true;
}

/*
 * A warm-up slowing down: the slopes of the thirds of the window each
 * smaller than the one before by a quarter (a leak keeps its pace).
 */
static bool decelerating(const double *x, const double *y, int n)
{
	struct fit t[3];

	if (!fit_thirds(x, y, n, t))
		return false;
	return t[0].slope > 0 && t[1].slope < 0.75 * t[0].slope && t[2].slope < 0.75 * t[1].slope;
}

/*
 * A rise that keeps its pace across the window: the slopes of its thirds
 * all positive, the smallest at least STEADY_RATIO of the largest.  Any
 * half-day of a daily cycle fails it (the slopes of the thirds of a
 * sine's rising half are 1/2 : 1 : 1/2, and a window that reaches past a
 * turn has a third that falls); a leak passes.
 */
static bool steady_pace(const double *x, const double *y, int n)
{
	struct fit t[3];

	if (!fit_thirds(x, y, n, t))
		return false;
	double slowest = fmin(t[0].slope, fmin(t[1].slope, t[2].slope));
	double fastest = fmax(t[0].slope, fmax(t[1].slope, t[2].slope));

	return slowest > 0 && slowest >= STEADY_RATIO * fastest;
}

/* The last three floors are still clearly above the three before. */
static bool still_rising(const double *y, int n, double slope)
{
	double a[3], b[3];

	if (n < 6)
		return false;
	for (int i = 0; i < 3; i++) {
		a[i] = y[n - 6 + i];
		b[i] = y[n - 3 + i];
	}
	return median(b, 3) - median(a, 3) >= 0.5 * slope * 3.0;
}

/*
 * Once a day of history is there: are the last hours above the same hours
 * a day earlier, by more than the usual day-to-day difference?  A daily
 * cycle gives differences around zero, a leak positive ones.
 */
static bool above_yesterday(const double *floors, const bool *valid, long long first_blk,
			    long long seg_blk, long long now_blk)
{
	double last[DIFF_LAST], ref[24], dev[24];
	int n_last = 0, n_ref = 0, pos = 0;

	for (long long b = now_blk - 30; b < now_blk; b++) {
		long long i = b - first_blk, j = i - 24;

		if (j < 0 || b - 24 < seg_blk || !valid[i] || !valid[j])
			continue;
		double d = floors[i] - floors[j];

		if (b >= now_blk - DIFF_LAST) {
			last[n_last++] = d;
			pos += d > 0;
		} else {
			ref[n_ref++] = d;
		}
	}
	if (n_last < 4)
		return true;	/* cannot tell: do not veto */
	if (pos < n_last - 1)
		return false;
	double m = median(last, n_last), spread = 0;

	if (n_ref >= 6)
		spread = robust_spread(ref, dev, n_ref, NULL);
	return m > 0 && m > 2.5 * spread;
}

/*
 * What the routes look at, as a check right after block at_blk - 1 saw it
 * (window_data_at()): the floors, the long and the short window and the
 * guards' answers.
 */
struct window_data {
	/* All floors kept, blocks first_all .. first_all + NALL - 1 (the staircase). */
	const double *floors_all;
	const bool *valid_all;
	long long first_all;
	/* The last NBLK of them: blocks first_blk .. at_blk - 1. */
	const double *floors;
	const bool *valid;
	long long first_blk;
	long long at_blk;		/* the check is right after at_blk - 1 */
	long long seg_blk;		/* the segment's first block */
	time_t now;
	double age_s;			/* of the segment */
	double leak_rate;		/* bytes/h: the warning level, else the critical one */
	/* Before the minimum window: only strong evidence speaks. */
	bool evidence_only;
	/* The long window: n_long valid floors, x in hours from now. */
	double x[MAX_FIT], y[MAX_FIT];
	int n_long;
	struct fit long_fit;
	double long_window_s;
	/* The short window, fitted only when the guards pass. */
	double xs[MAX_FIT], ys[MAX_FIT];
	int n_short;
	bool short_fitted;
	struct fit short_fit;
	double short_window_s;
	/* The guards: no warm-up (and a steady pace while one is needed) ... */
	bool warm_up_ok;
	/* ... and, from DIFF_AGE_S, the last hours above the day before. */
	bool guards_ok;
};

/* A rise a route judged: the fit shown and graded, and the span it covers. */
struct rise {
	struct fit fit;
	double window_s;
};

/*
 * The long window: significant at P_LONG, half the leak rate inside the
 * confidence interval, the rise spread out.  The short window tells the
 * current rate of a rise that began lately: when it judges a rise too and
 * is steeper, its fit is the one reported.
 */
static bool short_window_rise(const struct window_data *w, struct rise *out);

static bool long_window_rise(const struct window_data *w, struct rise *out)
{
	const struct fit *f = &w->long_fit;
	struct rise lately;

	if (!(f->p < P_LONG && f->low > 0.5 * w->leak_rate &&
	      spread_out(w->y, w->n_long, f->slope, w->x)))
		return false;
	if (short_window_rise(w, &lately) && lately.fit.slope > f->slope) {
		*out = lately;
		return true;
	}
	out->fit = *f;
	out->window_s = w->long_window_s;
	return true;
}

/*
 * The short window: a much smaller p (P_SHORT), a rise spread over its
 * blocks and its last hours still rising; the long window must at least
 * lean the same way.
 */
static bool short_window_rise(const struct window_data *w, struct rise *out)
{
	const struct fit *f = &w->short_fit;

	if (!w->short_fitted ||
	    !(f->p < P_SHORT && f->low > 0 && w->long_fit.p < P_AGREE && w->long_fit.slope > 0 &&
	      spread_out(w->ys, w->n_short, f->slope, w->xs) &&
	      still_rising(w->ys, w->n_short, f->slope)))
		return false;
	out->fit = *f;
	out->window_s = w->short_window_s;
	return true;
}

/*
 * A fast leak, at the leak rate or faster, need not wait for the rank
 * tests: the last FAST_BLOCKS floors of the long window each above the one
 * before, by similar steps, the newest clearly above everything of the
 * day before them (a daily cycle or a sawtooth has been that high
 * already).  It has no p of its own: the rank tests' best is reported.
 */
static bool fast_rise(const struct window_data *w, struct rise *out)
{
	const double *x = w->x, *y = w->y;
	int n = w->n_long;
	double rate = w->leak_rate;
	struct fit *f = &out->fit;
	double inc[FAST_BLOCKS], prior_max = -INFINITY, slope;
	int k = n - FAST_BLOCKS;

	memset(f, 0, sizeof *f);
	if (rate <= 0 || k < FAST_PRIOR)
		return false;
	for (int i = 0; i < k; i++)
		prior_max = fmax(prior_max, y[i]);
	for (int i = 1; i < FAST_BLOCKS; i++) {
		inc[i - 1] = y[k + i] - y[k + i - 1];
		if (inc[i - 1] <= 0)
			return false;
	}
	slope = median(inc, FAST_BLOCKS - 1);
	for (int i = 0; i < FAST_BLOCKS - 1; i++)
		if (inc[i] < 0.3 * slope || inc[i] > 3.0 * slope)
			return false;
	if (slope < rate || y[n - 1] - prior_max < 0.5 * slope * FAST_BLOCKS)
		return false;
	f->n = FAST_BLOCKS;
	f->slope = slope;
	f->low = fmin(inc[0], fmin(inc[1], inc[2]));
	f->p = w->short_fitted ? fmin(w->long_fit.p, w->short_fit.p) : w->long_fit.p;
	f->at_now = y[n - 1] - slope * x[n - 1];	/* x is negative: hours ago */
	out->window_s = (double)FAST_BLOCKS * TREND_BLOCK_S;
	return true;
}

/*
 * A leak under a slow sawtooth (allocator cycles of a few hours): hourly
 * floors climb with each cycle and drop back, so they say little; the
 * troughs, the floors right after each big drop, are what the process
 * returns to.  Troughs must come at regular intervals of >= 3 h with a
 * steady level before (a cycle, not noise or spikes); the last two must
 * each clear that level and the one before by at least half the growth
 * warning rate times the cycle and by 3 spreads of the earlier troughs,
 * and rise at least at the growth warning rate.  Two cycles of rise, not
 * the 2 days of 6-hour blocks wide_rise() needs.  The p reported is the
 * long window's; the window, the segment up to NBLK blocks.
 */
static bool trough_rise(const struct window_data *w, struct rise *out)
{
	const double *floors = w->floors;
	const bool *valid = w->valid;
	long long first_blk = w->first_blk, seg_blk = w->seg_blk, now_blk = w->at_blk;
	time_t now = w->now;
	double leak_rate = w->leak_rate;
	struct fit *f = &out->fit;
	double d[NBLK], tv[NBLK], tx[NBLK], tmp[NBLK], gap[NBLK];
	int nd = 0, nt = 0;
	long long start = later(seg_blk, first_blk);

	memset(f, 0, sizeof *f);
	if (leak_rate <= 0)
		return false;
	for (long long b = start + 1; b < now_blk; b++)
		if (valid[b - first_blk] && valid[b - 1 - first_blk])
			d[nd++] = fabs(floors[b - first_blk] - floors[b - 1 - first_blk]);
	if (nd < 24)
		return false;
	double typ = median(d, nd);

	/*
	 * A trough: a big drop from the hour before, and the next hour not
	 * lower.  The last complete hour counts on the drop alone: a sawtooth
	 * climbs again right after it, and waiting would cost an hour.
	 */
	for (long long b = start + 1; b < now_blk; b++) {
		long long i = b - first_blk;
		bool last = b + 1 == now_blk;

		if (!valid[i - 1] || !valid[i] || (!last && !valid[i + 1]))
			continue;
		if (floors[i] < floors[i - 1] - 3.0 * typ && (last || floors[i] <= floors[i + 1])) {
			tv[nt] = floors[i];
			tx[nt] = hours_from_now(b, 1, now);
			nt++;
		}
	}
	if (nt < 6)
		return false;
	for (int k = 1; k < nt; k++)
		gap[k - 1] = tx[k] - tx[k - 1];
	memcpy(tmp, gap, (size_t)(nt - 1) * sizeof *tmp);
	double period = median(tmp, nt - 1);

	if (period < 3.0 || -tx[nt - 1] > period + 1.5)
		return false;
	for (int k = 0; k < nt - 1; k++)
		if (fabs(gap[k] - period) > 0.25 * period + 1.0)
			return false;	/* irregular: not one cycle */
	int n_earlier = nt - 2;	/* the troughs before the last two */
	double highest = -INFINITY, c, spread;

	for (int k = 0; k < n_earlier; k++) {
		highest = fmax(highest, tv[k]);
		tmp[k] = tv[k];
	}
	spread = robust_spread(tmp, gap, n_earlier, &c);
	double step = fmax(0.5 * leak_rate * period, 3.0 * spread);
	double a = tv[nt - 2], b = tv[nt - 1], dt = tx[nt - 1] - tx[nt - 2];
	double rate = (b - a) / dt;

	if (a < c + step || b < a + step || b < highest + 2.0 * step || rate < leak_rate ||
	    (a - c) / period < 0.5 * leak_rate)
		return false;
	f->n = nt;
	f->slope = rate;
	f->low = fmin(rate, (a - c) / (tx[nt - 2] - tx[nt - 3]));
	f->p = w->long_fit.p;
	f->at_now = b - rate * tx[nt - 1];
	out->window_s = w->age_s < NBLK * TREND_BLOCK_S ? w->age_s : NBLK * TREND_BLOCK_S;
	return true;
}

/*
 * A leak that has lasted days under a slow sawtooth: the floors of 6-hour
 * blocks over the last 3 days (one per allocator cycle), significant,
 * spread out and still rising over the last half day.  Daily cycles and
 * aliasing average out over three days; a staircase of steps stops rising.
 * From WIDE_AGE_S on; p is its own.
 */
static bool wide_rise(const struct window_data *w, struct rise *out)
{
	const double *floors = w->floors;
	const bool *valid = w->valid;
	long long first_blk = w->first_blk, seg_blk = w->seg_blk, now_blk = w->at_blk;
	time_t now = w->now;
	double leak_rate = w->leak_rate;
	struct fit *f = &out->fit;
	double x[NBLK / WIDE_BLOCKS], y[NBLK / WIDE_BLOCKS];
	int n = 0;

	memset(f, 0, sizeof *f);
	if (w->age_s < WIDE_AGE_S)
		return false;
	for (long long b0 = now_blk - NBLK; b0 < now_blk; b0 += WIDE_BLOCKS) {
		double m = INFINITY;
		int k = 0;

		for (long long b = b0; b < b0 + WIDE_BLOCKS; b++)
			if (b >= seg_blk && valid[b - first_blk]) {
				m = fmin(m, floors[b - first_blk]);
				k++;
			}
		if (k < WIDE_BLOCKS * 2 / 3)
			continue;
		x[n] = hours_from_now(b0, WIDE_BLOCKS, now);
		y[n++] = m;
	}
	if (n < 8)
		return false;
	fit_series(x, y, n, Z_LONG, f);
	/* A leak climbs in many small steps: none may carry a third of the rise. */
	double rise = y[n - 1] - y[0], big = 0;

	for (int i = 1; i < n; i++)
		big = fmax(big, y[i] - y[i - 1]);
	out->window_s = (double)NBLK * TREND_BLOCK_S;
	return f->p < P_LONG && f->low > 0.5 * leak_rate && f->slope > 0 && rise > 0 &&
	       big < rise / 3.0 &&
	       y[n - 1] - y[n - 3] >= 0.5 * f->slope * (x[n - 1] - x[n - 3]);
}

/*
 * The long-run rate of a rise: each of the last 24 hourly floors against
 * the same hour k days earlier (k = 2, else 1), divided by the hours
 * between.  Every hour of the day counts once, so a leak that grows only
 * in business hours gets its daily average, not its daytime pace, and a
 * daily cycle cancels out.  Taken only when the differences are level
 * (lower quartile >= 0.9 x median: the rise has gone on for more than the
 * whole span; a younger one gives a ramp) and nearly all positive; the
 * 2-day rate only when it agrees with the 1-day one (the leak did not
 * just speed up).  *low is the lower quartile.
 */
static bool long_run_rate(const double *floors, const bool *valid, long long first_blk,
			  long long seg_blk, long long now_blk, double *rate, double *low,
			  int *days)
{
	double r[3] = { 0, 0, 0 }, q[3] = { 0, 0, 0 };
	bool ok[3] = { false, false, false };

	for (int k = 1; k <= 2; k++) {
		double d[24], tmp[24];
		int nd = 0, pos = 0;

		for (long long b = now_blk - 24; b < now_blk; b++) {
			long long i = b - first_blk, j = i - 24LL * k;

			if (j < 0 || b - 24LL * k < seg_blk || !valid[i] || !valid[j])
				continue;
			d[nd] = (floors[i] - floors[j]) / (24.0 * k);
			pos += d[nd] > 0;
			nd++;
		}
		if (nd < 16 || pos < nd - 2)
			continue;
		memcpy(tmp, d, (size_t)nd * sizeof *tmp);
		r[k] = median(d, nd);
		q[k] = lower_quartile(tmp, nd);
		ok[k] = r[k] > 0 && q[k] >= 0.9 * r[k];
	}
	int k = ok[2] && ok[1] && r[2] >= 0.95 * r[1] ? 2 : ok[1] ? 1 : 0;

	if (k == 0)
		return false;
	*rate = r[k];
	*low = q[k];
	*days = k;
	return true;
}

/* How long the floors have been rising at about the slope (hours). */
static double rise_hours(const double *floors, const bool *valid, long long first_blk,
			 long long from, long long to, double slope)
{
	long long last = -1;
	double hours = 0;
	int misses = 0;

	/* A segment older than the blocks kept: look no further back than them. */
	if (from < first_blk)
		from = first_blk;
	for (long long b = to - 1; b >= from; b--)
		if (valid[b - first_blk]) {
			last = b;
			break;
		}
	if (last < 0 || slope <= 0)
		return 0;
	for (long long b = last - 1; b >= from; b--) {
		if (!valid[b - first_blk])
			continue;
		double dh = (double)(last - b);

		if (floors[last - first_blk] - floors[b - first_blk] >= 0.7 * slope * dh) {
			hours = dh;
			misses = 0;
		} else if (++misses >= 2 && dh >= 2) {
			break;
		}
	}
	return hours + 1.0;
}

static void resolve_thresholds(const struct trend_params *p, struct trend_result *r)
{
	r->growth_warning_bph = p->growth_warning_bph > 0 ? p->growth_warning_bph : 0;
	r->growth_critical_bph = p->growth_critical_bph > 0 ? p->growth_critical_bph : 0;
	if (r->have_baseline && p->growth_warning_pct > 0)
		r->growth_warning_bph = p->growth_warning_pct / 100.0 * r->baseline_bytes;
	if (r->have_baseline && p->growth_critical_pct > 0)
		r->growth_critical_bph = p->growth_critical_pct / 100.0 * r->baseline_bytes;
	r->growth_defaults = p->growth_defaults && r->growth_warning_bph > 0;
}

/* Does a past segment end with a leak (long window test only)? */
static bool segment_leaked(const struct sample *s, const struct segment *g, double spacing,
			   double leak_rate)
{
	double floors[NBLK], x[MAX_FIT], y[MAX_FIT];
	bool valid[NBLK];
	struct fit f;
	time_t end_t = s[g->end - 1].t;
	long long end_blk = trend_block_of(end_t), seg_blk = trend_block_of(s[g->first].t);
	long long first_blk = end_blk - NBLK;

	if (end_t - s[g->first].t < TREND_MIN_WINDOW_S)
		return false;
	block_floors(s, g->first, g->end, first_blk, NBLK, spacing, end_t, floors, valid);
	long long from = later(end_blk - LONG_BLOCKS, seg_blk);
	int n = collect(floors, valid, first_blk, from, end_blk + 1, end_t, x, y);

	if (n < MIN_BLOCKS)
		return false;
	fit_series(x, y, n, Z_LONG, &f);
	return f.p < P_LONG && f.low > 0 && f.slope > leak_rate && spread_out(y, n, f.slope, x) &&
	       !plateau(x, y, n);
}

/*
 * Median floor of the first BASE_HOURS of one segment into *out; false
 * when they are not over yet or lack coverage.  When fewer than two of
 * them are covered (an outage right at the start), the first BASE_HOURS
 * covered hours of its first BASE_SPAN count instead: otherwise a
 * history that began in an outage would never learn a baseline, and
 * percent growth levels would never apply.
 */
static bool first_hours_floor(const struct sample *s, const struct segment *g,
			      double spacing, time_t now, double *out)
{
	double floors[NBLK], v[BASE_HOURS];
	bool valid[NBLK];
	long long b0 = trend_block_of(s[g->first].t);
	int nv = 0;

	if (trend_block_of(now) < b0 + BASE_HOURS)
		return false;
	block_floors(s, g->first, g->end, b0, BASE_SPAN, spacing, now, floors, valid);
	for (int b = 0; b < BASE_HOURS; b++)
		if (valid[b])
			v[nv++] = floors[b];
	for (int b = BASE_HOURS; nv < 2 && b < BASE_SPAN && b0 + b < trend_block_of(now); b++)
		if (valid[b])
			v[nv++] = floors[b];
	if (nv < 2)
		return false;
	*out = median(v, nv);
	return true;
}

/*
 * Median floor of the first hours of the recent segments.  Segments that
 * began with a start we saw count; the one the history began in (its start
 * unknown) only when there is no other.
 */
static double learn_baseline(const struct sample *s, const struct segment *segs, int nsegs,
			     double spacing, time_t now)
{
	double per[BASE_SEGS];
	int k = 0;

	for (int g = nsegs - 1; g >= 0 && k < BASE_SEGS; g--)
		if (segs[g].kind != B_NONE && first_hours_floor(s, &segs[g], spacing, now, &per[k]))
			k++;
	if (k == 0 && nsegs > 0 && segs[0].kind == B_NONE &&
	    first_hours_floor(s, &segs[0], spacing, now, &per[0]))
		k = 1;
	return k > 0 ? median(per, k) : 0.0;
}

/* The time-left levels for r->timeleft_s. */
static void grade_timeleft(const struct trend_params *p, struct trend_result *r)
{
	if (p->timeleft_critical_s > 0 && r->timeleft_s <= p->timeleft_critical_s)
		r->timeleft_state = STATE_CRITICAL;
	else if (p->timeleft_warning_s > 0 && r->timeleft_s <= p->timeleft_warning_s)
		r->timeleft_state = STATE_WARNING;
}

/* Robust spread of the hour-to-hour changes of blocks [from, to). */
static double hourly_spread(const double *floors_all, const bool *valid_all, long long first_all,
			    long long from, long long to)
{
	double d[NALL];
	int nd = 0;

	if (from < first_all + 1)
		from = first_all + 1;
	for (long long b = from; b < to; b++)
		if (valid_all[b - first_all] && valid_all[b - 1 - first_all])
			d[nd++] = fabs(floors_all[b - first_all] - floors_all[b - 1 - first_all]);
	return nd > 0 ? 1.4826 * median(d, nd) : 0.0;
}

/*
 * The level the process returns to at the end of block to - 1: the lowest
 * of the last LEVEL_BLOCKS valid floors of the segment (at least one slow
 * sawtooth cycle), and the block where it was.
 */
static bool level_at(const double *floors_all, const bool *valid_all, long long first_all,
		     long long to, long long seg_blk, double *level, long long *where)
{
	int k = 0;

	*level = INFINITY;
	for (long long b = to - 1; b >= first_all && b >= seg_blk && k < LEVEL_BLOCKS; b--) {
		if (!valid_all[b - first_all])
			continue;
		if (floors_all[b - first_all] < *level) {
			*level = floors_all[b - first_all];
			if (where)
				*where = b;
		}
		k++;
	}
	return k >= LEVEL_BLOCKS / 2;
}

/*
 * Memory that is never given back: the level of each of the last
 * STAIR_DAYS + 1 days (24-hour windows ending at at_blk; the lower quartile
 * of their floors, so that an odd low hour does not count) above the day
 * before, STAIR_DAYS times in a row, each step by a quarter of a day at
 * the growth warning rate and by 3 spreads of the hourly noise, half the
 * warning rate or more over the whole span, and the last step not much
 * smaller than the first (a warm-up's steps shrink fast).  Daily steps, a
 * slow leak and a traffic-driven one never come back down; a daily cycle,
 * a sawtooth or a single step give level days.  The p reported is the
 * long window's; the window, the STAIR_DAYS + 1 days.
 */
static bool staircase_rise(const struct window_data *w, struct rise *out)
{
	const double *floors_all = w->floors_all;
	const bool *valid_all = w->valid_all;
	long long first_all = w->first_all, at_blk = w->at_blk, seg_blk = w->seg_blk;
	double leak_rate = w->leak_rate;
	struct fit *f = &out->fit;
	double m[STAIR_DAYS + 1], v[24], step[STAIR_DAYS], total, spread;
	long long where = 0;

	memset(f, 0, sizeof *f);
	if (leak_rate <= 0)
		return false;
	for (int k = 0; k <= STAIR_DAYS; k++) {
		long long b1 = at_blk - 24LL * k, b0 = b1 - 24;
		int nv = 0;

		if (b0 < first_all || b0 < seg_blk)
			return false;
		for (long long b = b0; b < b1; b++)
			if (valid_all[b - first_all])
				v[nv++] = floors_all[b - first_all];
		if (nv < 16)
			return false;
		m[k] = lower_quartile(v, nv);
	}
	spread = hourly_spread(floors_all, valid_all, first_all, at_blk - 24LL * (STAIR_DAYS + 1),
			       at_blk);
	total = m[0] - m[STAIR_DAYS];
	for (int k = 0; k < STAIR_DAYS; k++) {
		step[k] = m[k] - m[k + 1];
		if (step[k] < 0.25 * leak_rate * 24.0 || step[k] < 3.0 * spread)
			return false;
	}
	if (total / (24.0 * STAIR_DAYS) < 0.5 * leak_rate || step[0] < 0.4 * step[STAIR_DAYS - 1])
		return false;
	f->n = STAIR_DAYS + 1;
	f->slope = total / (24.0 * STAIR_DAYS);
	f->low = INFINITY;
	for (int k = 0; k < STAIR_DAYS; k++)
		f->low = fmin(f->low, step[k] / 24.0);
	f->p = w->long_fit.p;
	if (!level_at(floors_all, valid_all, first_all, at_blk, seg_blk, &f->at_now, &where))
		f->at_now = m[0];
	out->window_s = 24.0 * (STAIR_DAYS + 1) * TREND_BLOCK_S;
	return true;
}

/*
 * The guards in time of one segment: no verdict before min_window, except
 * on strong evidence from evidence_age on; until first_day (a history
 * that began inside the segment), only a rise that keeps its pace.
 */
struct guard_times {
	double min_window;
	double evidence_age;
	double first_day;
};

/* What the routes found at one check (detect()). */
struct detection {
	bool have_long;		/* old enough: the long window was fitted */
	struct fit lng;		/* the long window */
	double lng_window_s;
	bool ok;		/* a rise was judged ... */
	struct fit f;		/* ... with this fit */
	double window_s;
	bool staircase;		/* ... by the staircase route */
};

/*
 * The windows the routes look at, as a check right after block at_blk - 1
 * saw them; false when the segment is too young for any route: fewer than
 * MIN_BLOCKS floors or, before the minimum window, no strong evidence.
 * Strong evidence, from evidence_age on: at least 9 floors that rise at a
 * steady pace (a warm-up slows down: its thirds fail steady_pace()),
 * significant at the short window's level.
 */
static bool window_data_at(const double *floors_all, const bool *valid_all, long long first_all,
			   long long at_blk, long long seg_blk, time_t now, double age_s,
			   const struct guard_times *times, double leak_rate,
			   struct window_data *w)
{
	long long first_blk = at_blk - NBLK;
	long long long_from = later(at_blk - LONG_BLOCKS, seg_blk);
	long long short_from = later(at_blk - SHORT_BLOCKS, seg_blk);

	memset(w, 0, sizeof *w);
	w->floors_all = floors_all;
	w->valid_all = valid_all;
	w->first_all = first_all;
	w->floors = floors_all + (first_blk - first_all);
	w->valid = valid_all + (first_blk - first_all);
	w->first_blk = first_blk;
	w->at_blk = at_blk;
	w->seg_blk = seg_blk;
	w->now = now;
	w->age_s = age_s;
	w->leak_rate = leak_rate;
	w->n_long = collect(w->floors, w->valid, first_blk, long_from, at_blk, now, w->x, w->y);
	w->long_window_s = (double)(at_blk - long_from) * TREND_BLOCK_S;
	w->n_short = collect(w->floors, w->valid, first_blk, short_from, at_blk, now, w->xs, w->ys);
	w->short_window_s = (double)(at_blk - short_from) * TREND_BLOCK_S;
	w->evidence_only = age_s < times->min_window;

	if (w->n_long < MIN_BLOCKS ||
	    (w->evidence_only && (age_s < times->evidence_age || w->n_long < 9)))
		return false;
	fit_series(w->x, w->y, w->n_long, Z_LONG, &w->long_fit);
	return !(w->evidence_only &&
		 (w->long_fit.p >= P_SHORT || !steady_pace(w->x, w->y, w->n_long)));
}

/*
 * The guards' answers into w: warm-ups follow restarts and level off
 * within a day or two (plateau(), decelerating(), for PLATEAU_AGE_S); a
 * history that began inside the segment may have begun in any phase of a
 * daily cycle, so until first_day a rise must also keep its pace across
 * the window (steady_pace()).  Those two make warm_up_ok.  guards_ok also
 * needs, from DIFF_AGE_S on, the last hours above the same hours a day
 * earlier (above_yesterday()).  The short window is fitted when guards_ok.
 */
static void apply_guards(struct window_data *w, const struct guard_times *times)
{
	bool ok = !(w->age_s < PLATEAU_AGE_S &&
		    (plateau(w->x, w->y, w->n_long) || decelerating(w->x, w->y, w->n_long)));

	if (ok && w->age_s < times->first_day)
		ok = steady_pace(w->x, w->y, w->n_long);
	w->warm_up_ok = ok;
	if (ok && w->age_s >= DIFF_AGE_S)
		ok = above_yesterday(w->floors, w->valid, w->first_blk, w->seg_blk, w->at_blk);
	w->guards_ok = ok;
	if (ok && w->n_short >= MIN_BLOCKS) {
		fit_series(w->xs, w->ys, w->n_short, Z_SHORT, &w->short_fit);
		w->short_fitted = true;
	}
}

/* The guards a route stands behind (struct window_data). */
enum route_guards {
	GUARDS_ALL,		/* warm_up_ok and guards_ok: all of them */
	GUARDS_WARM_UP,		/* warm_up_ok: not the day before (troughs compare troughs) */
	GUARDS_NONE,
};

/*
 * The rise detectors, in the order they are tried: the first that judges
 * a rise gives the fit and the window reported.  One line each.
 */
static const struct route {
	const char *name;
	enum route_guards guards;
	bool (*judge)(const struct window_data *w, struct rise *out);
} routes[] = {
	{ "long window",	GUARDS_ALL,	long_window_rise },
	{ "short window",	GUARDS_ALL,	short_window_rise },
	{ "fast",		GUARDS_ALL,	fast_rise },
	{ "trough",		GUARDS_WARM_UP,	trough_rise },
	{ "wide",		GUARDS_NONE,	wide_rise },
	{ "staircase",		GUARDS_NONE,	staircase_rise },
};

static bool guards_pass(enum route_guards g, const struct window_data *w)
{
	switch (g) {
	case GUARDS_ALL: return w->guards_ok;
	case GUARDS_WARM_UP: return w->warm_up_ok;
	case GUARDS_NONE: return true;
	}
	return false;
}

/*
 * The routes as a check right after block at_blk - 1 saw them: the same
 * for the current check and, for the hold, for an earlier one (the
 * verdict of any earlier hour is a function of the history up to it).
 * floors_all/valid_all: floors of blocks first_all .. first_all + NALL - 1.
 */
static void detect(const double *floors_all, const bool *valid_all, long long first_all,
		   long long at_blk, long long seg_blk, time_t now, double age_s,
		   const struct guard_times *times, double leak_rate, struct detection *d)
{
	struct window_data w;
	struct rise rise;

	memset(d, 0, sizeof *d);
	if (!window_data_at(floors_all, valid_all, first_all, at_blk, seg_blk, now, age_s, times,
			    leak_rate, &w))
		return;
	d->have_long = true;
	d->lng = w.long_fit;
	d->lng_window_s = w.long_window_s;
	apply_guards(&w, times);
	for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
		if (!guards_pass(routes[i].guards, &w) || !routes[i].judge(&w, &rise))
			continue;
		d->ok = true;
		d->f = rise.fit;
		d->window_s = rise.window_s;
		d->staircase = routes[i].judge == staircase_rise;
		return;
	}
	/* Before the minimum window, no rise judged is no verdict yet. */
	if (w.evidence_only)
		d->have_long = false;
}

/*
 * Did the check right after block at - 1 judge a leak (a rise at the leak
 * rate or faster, or a staircase)?  detect() at that hour, memoised: its
 * answer depends only on the floors of the 97 blocks before `at` (fewer
 * when the array begins later), the segment's start, the guard times and
 * the leak rate, so a key over all of them finds it again at the next
 * check (a check every few minutes replays one new hour, not HOLD_BACK of
 * them).  A small direct-mapped table; a miss only costs the replay.
 */
#define MEMO_SLOTS	1024
struct memo {
	unsigned long long key;
	bool used, ok;
	double p, window_s;
};

static bool judged_at(const double *floors_all, const bool *valid_all, long long first_all,
		      long long at, long long seg_blk, time_t seg_start, double age,
		      const struct guard_times *times, double leak_rate, struct detection *d)
{
	static struct memo memo[MEMO_SLOTS];
	unsigned long long k = 1469598103934665603ULL;
	long long from = at - 24LL * (STAIR_DAYS + 1) - 1;
	double v[6] = { (double)seg_start, times->min_window, leak_rate, (double)at,
			times->first_day, times->evidence_age };

	if (from < first_all)
		from = first_all;
#define MIX(x) (k = (k ^ (unsigned long long)(x)) * 1099511628211ULL)
	for (int i = 0; i < 6; i++) {
		unsigned long long u;

		memcpy(&u, &v[i], sizeof u);
		MIX(u);
	}
	MIX((unsigned long long)(from - seg_blk));
	for (long long b = from; b < at; b++) {
		unsigned long long u = 0;

		if (valid_all[b - first_all])
			memcpy(&u, &floors_all[b - first_all], sizeof u);
		MIX(u);
		MIX(valid_all[b - first_all]);
	}
#undef MIX
	struct memo *m = &memo[k % MEMO_SLOTS];

	if (m->used && m->key == k) {
		memset(d, 0, sizeof *d);
		d->ok = m->ok;
		d->f.p = m->p;
		d->window_s = m->window_s;
		return m->ok;
	}
	detect(floors_all, valid_all, first_all, at, seg_blk, (time_t)(at * TREND_BLOCK_S), age,
	       times, leak_rate, d);
	/* A leak, not a rise below the growth warning rate (RISING). */
	d->ok = d->ok && (d->staircase || d->f.slope >= leak_rate);
	m->used = true;
	m->key = k;
	m->ok = d->ok;
	m->p = d->f.p;
	m->window_s = d->window_s;
	return d->ok;
}

/*
 * A leak the raw route judged at an earlier check (trend_params
 * .raw_judged_at) in this segment: at_blk its block, 0 when none; level
 * the lowest memory seen since.
 */
struct raw_judgement {
	long long at_blk;
	double level;
};

/* A rise judged earlier in the segment and not given back (find_hold()). */
struct hold {
	long long judged_blk;	/* the check right after this block's start judged it */
	long long start_blk;	/* where the level before the rise was */
	long long paused_blk;	/* the level has not risen since; 0: still rising */
	double pre;		/* the level before the rise */
	double level;		/* the level now */
	double rate;		/* (level - pre) over the hours between */
	double confidence;	/* of the judgement */
};

/*
 * The hold: the latest earlier check of this segment (up to HOLD_BACK
 * hours back) whose routes judged a leak, replayed from the floors; held
 * as long as the level now keeps more than a quarter of the highest level
 * reached since above the level before the rise (the lowest floor of the
 * span judged, a day at least).  A cheap test first: the level now must
 * stand 3 hours at the leak rate above the lowest floor known.
 */
static bool find_hold(const double *floors_all, const bool *valid_all, long long first_all,
		      long long now_blk, long long seg_blk, time_t seg_start,
		      const struct guard_times *times, double leak_rate,
		      const struct raw_judgement *raw, struct hold *h)
{
	struct detection d;
	double level, lowest = INFINITY, peak = -INFINITY;
	long long where = now_blk - 1, at;
	bool found = false, have_level;

	memset(h, 0, sizeof *h);
	if (leak_rate <= 0)
		return false;
	have_level = level_at(floors_all, valid_all, first_all, now_blk, seg_blk, &level, &where);
	for (long long b = later(first_all, seg_blk); b < now_blk; b++)
		if (valid_all[b - first_all])
			lowest = fmin(lowest, floors_all[b - first_all]);
	if (have_level && level - lowest >= 3.0 * leak_rate) {
		for (at = now_blk - 1; at > now_blk - HOLD_BACK && at > seg_blk; at--) {
			double age = (double)(at * TREND_BLOCK_S) - (double)seg_start;

			if (age < fmin(times->min_window, times->evidence_age))
				break;
			if (judged_at(floors_all, valid_all, first_all, at, seg_blk, seg_start, age,
				      times, leak_rate, &d)) {
				found = true;
				break;
			}
		}
	}
	/*
	 * A later judgement of the raw route: its rise may be too young for
	 * the level of the last 6 hours, so its level is the lowest memory
	 * seen since.
	 */
	if (raw->at_blk > 0 && (!found || raw->at_blk > at)) {
		memset(&d, 0, sizeof d);
		d.f.p = P_SHORT;
		d.window_s = RAW_WINDOW_S;
		at = raw->at_blk;
		level = raw->level;
		where = now_blk - 1;
		found = true;
	}
	if (!found)
		return false;
	h->judged_blk = at;
	h->confidence = 1.0 - d.f.p;
	h->pre = INFINITY;
	h->start_blk = at - 1;
	/* The level before the rise: the lowest floor of the span judged, a day at least. */
	long long span = later((long long)(d.window_s / TREND_BLOCK_S), 24);

	for (long long b = at - span; b < at; b++)
		if (b >= first_all && b >= seg_blk && valid_all[b - first_all] &&
		    floors_all[b - first_all] < h->pre) {
			h->pre = floors_all[b - first_all];
			h->start_blk = b;
		}
	if (!isfinite(h->pre))
		return false;
	for (long long b = at; b <= now_blk; b++) {
		double l;

		if (level_at(floors_all, valid_all, first_all, b, seg_blk, &l, NULL))
			peak = fmax(peak, l);
	}
	/* Given back: the memory fell most of the way to where it began. */
	if (level <= h->pre || level < h->pre + 0.25 * (peak - h->pre))
		return false;
	h->level = level;
	h->rate = (level - h->pre) / fmax(1.0, (double)(where - h->start_blk));
	/* Paused: the level has not risen by an hour at the warning rate since. */
	double tol = fmax(leak_rate, 2.0 * hourly_spread(floors_all, valid_all, first_all,
							 now_blk - 24, now_blk));

	for (long long b = now_blk - 1; b > seg_blk && b > first_all; b--) {
		double l;

		if (level_at(floors_all, valid_all, first_all, b, seg_blk, &l, NULL) &&
		    l < level - tol) {
			if (now_blk - b >= PAUSE_BLOCKS)
				h->paused_blk = b;
			break;
		}
	}
	return true;
}

/* One check's analysis: what the steps of trend_analyze() hand on. */
struct analysis {
	const struct sample *samples;
	size_t n;
	time_t now;
	const struct trend_params *p;
	struct segment segs[MAX_SEGS];	/* the last MAX_SEGS segments, oldest first */
	int nsegs;
	const struct segment *cur;	/* the current one, segs[nsegs - 1] */
	double spacing;			/* of the raw samples (sample_spacing()) */
	double leak_rate;		/* bytes/h: growth warning level, else critical */
	/* The floors of the current segment, blocks first_all .. now_blk - 1. */
	double floors_all[NALL];
	bool valid_all[NALL];
	long long first_all, now_blk, seg_blk;
	struct guard_times times;
	struct detection d;		/* the routes now */
	double rate;			/* bytes/h graded and forecast */
	double level;			/* bytes the forecast starts from */
};

/*
 * The points of the early forecast, x in hours from now: the hourly
 * summaries of the segment (the hours compacted already) and, for its raw
 * samples, the floors of aligned buckets of EARLY_STEP_S (10 minutes),
 * widened to 20, 30 and 60 minutes until the points fit in MAX_FIT (the
 * latest MAX_FIT when even hours are more); a bucket counts with half of
 * it covered.  Each floor sits where it was read (a summary at its hour's
 * first sample, where a rising hour has its floor), not at the middle of
 * its bucket: floors of different widths then line up.  One series from
 * the first sample on, so the forecast does not fall silent when the raw
 * samples of the first hours are compacted.
 */
#define EARLY_CAP	(NALL + 64)
static int early_points(const struct sample *s, size_t first, size_t end, double spacing,
			time_t now, double *x, double *y)
{
	static const int widths[] = { EARLY_STEP_S, 2 * EARLY_STEP_S, 3 * EARLY_STEP_S,
				      TREND_BLOCK_S };
	double px[EARLY_CAP], py[EARLY_CAP];
	int n = 0;

	for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
		double need = 0.5 * widths[w] / spacing, bmin = 0;
		long long cur = LLONG_MIN;
		time_t tmin = 0;
		int cnt = 0;
		time_t last = 0;
		bool have = false;

		n = 0;
#define EARLY_PUT(px_, py_)                                                      \
		do {                                                             \
			if (n > 0 && (px_) <= px[n - 1])                         \
				break;                                           \
			if (n == EARLY_CAP) {                                    \
				memmove(px, px + 1, (EARLY_CAP - 1) * sizeof *px); \
				memmove(py, py + 1, (EARLY_CAP - 1) * sizeof *py); \
				n--;                                             \
			}                                                        \
			px[n] = (px_);                                           \
			py[n++] = (py_);                                         \
		} while (0)
		for (size_t i = first; i <= end; i++) {
			const struct sample *q = i < end ? &s[i] : NULL;
			long long b = 0;

			if (q && (q->mem_kb < 0 || q->t > now || (have && q->t <= last)))
				continue;
			if (q) {
				last = q->t;
				have = true;
				b = q->hourly ? LLONG_MIN : (long long)q->t / widths[w];
			}
			/* The bucket so far is complete. */
			if (cur != LLONG_MIN && (!q || b != cur)) {
				if (cnt > 0 && cnt + 1e-9 >= need)
					EARLY_PUT(((double)tmin - (double)now) / 3600.0, bmin);
				cur = LLONG_MIN;
			}
			if (!q)
				break;
			double v = (double)q->mem_kb * 1024.0;

			if (q->hourly) {
				EARLY_PUT(((double)q->t - (double)now) / 3600.0, v);
				continue;
			}
			if (cur != b || v < bmin) {
				if (cur != b)
					cnt = 0;
				cur = b;
				bmin = v;
				tmin = q->t;
			}
			cnt++;
		}
#undef EARLY_PUT
		if (n <= MAX_FIT)
			break;
	}
	int skip = n > MAX_FIT ? n - MAX_FIT : 0;

	for (int i = skip; i < n; i++) {
		x[i - skip] = px[i];
		y[i - skip] = py[i];
	}
	return n - skip;
}

/*
 * Before the routes may speak (the first min_window of a segment, 30 h
 * when the history began in it), only the time left may alarm, and only
 * when the limit is nearer than twice the time the rise has been seen
 * (a warm-up that will level off below the limit cannot look like that
 * for long: its time left at its current pace is at least its time
 * constant).  The points: early_points(); a significant rise (p < 0.001),
 * spread out, and not slowing down towards an end below the limit
 * (Aitken's estimate from the thirds of the span).
 */
static void early_forecast(const struct analysis *a, struct trend_result *r)
{
	const struct trend_params *p = a->p;
	double x[MAX_FIT], y[MAX_FIT];
	struct fit f;

	if (p->limit_bytes <= 0 || (p->timeleft_warning_s <= 0 && p->timeleft_critical_s <= 0))
		return;
	int n = early_points(a->samples, a->cur->first, a->cur->end, a->spacing, a->now, x, y);

	if (n < EARLY_MIN_POINTS)
		return;
	double span = x[n - 1] - x[0];

	if (span < 1.0)
		return;
	fit_series(x, y, n, Z_SHORT, &f);
	if (f.p >= P_SHORT || f.low <= 0 || f.slope <= 0 || !spread_out(y, n, f.slope, x))
		return;
	/*
	 * Levelling off: the later half of the span rising slower than the
	 * earlier one, as a warm-up's approach to its level does.  For
	 * y = A - B exp(-t / tau) the ratio of the halves' slopes gives tau,
	 * and A = the floor now + the slope now x tau.  Below the limit: no
	 * alarm.  A steady rise gives a ratio near 1 and a far level.
	 */
	int h = 0;

	while (h < n && x[h] < x[0] + span / 2.0)
		h++;
	if (h >= 3 && n - h >= 3) {
		struct fit earlier, later_half;

		fit_series(x, y, h, Z_LONG, &earlier);
		fit_series(x + h, y + h, n - h, Z_LONG, &later_half);
		if (later_half.slope <= 0)
			return;
		if (earlier.slope > later_half.slope) {
			double tau = (span / 2.0) / log(earlier.slope / later_half.slope);
			double now_rate = later_half.slope *
					  exp(-(x[n - 1] - (x[0] + 0.75 * span)) / tau);

			if (f.at_now + now_rate * tau < p->limit_bytes)
				return;	/* levelling off below the limit */
		}
	}
	double left = p->limit_bytes - f.at_now, tl = left > 0 ? left / f.slope * 3600.0 : 0.0;

	if (tl > 2.0 * span * 3600.0)
		return;
	if (!(p->timeleft_critical_s > 0 && tl <= p->timeleft_critical_s) &&
	    !(p->timeleft_warning_s > 0 && tl <= p->timeleft_warning_s))
		return;
	r->timeleft_s = tl;
	grade_timeleft(p, r);
	r->early = true;
	r->have_slope = true;
	r->have_forecast = true;
	r->slope_bph = f.slope;
	r->slope_low_bph = f.low;
	r->recent_slope_bph = f.slope;
	r->confidence = 1.0 - f.p;
	r->window_s = span * 3600.0;
	r->rising_s = span * 3600.0;
	r->floor_bytes = f.at_now;
	r->verdict = a->leak_rate > 0 && f.slope >= a->leak_rate ? TREND_LEAK : TREND_RISING;
}

/*
 * Segments: splits the samples at restarts, reboots and backwards clock
 * steps into a->segs (the last MAX_SEGS), describes the current one into
 * r.  False when there is no sample.
 */
static bool find_segments(struct analysis *a, struct trend_result *r)
{
	const struct sample *prev = NULL;
	struct segment *segs = a->segs;
	int nsegs = 0;
	unsigned seen = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct sample *x = &a->samples[i];
		enum boundary k = B_NONE;

		if (x->mem_kb < 0)
			continue;
		if (prev) {
			if (x->t <= prev->t) {
				if (x->t >= prev->t - TREND_CLOCK_SLACK_S)
					continue;	/* duplicate or jitter */
				k = B_CLOCK;
			} else {
				k = boundary_between(prev, x);
			}
			if (k == B_NONE) {
				prev = x;
				continue;
			}
			segs[nsegs - 1].end = i;
		}
		if (nsegs == MAX_SEGS) {
			memmove(segs, segs + 1, (MAX_SEGS - 1) * sizeof *segs);
			nsegs--;
		}
		segs[nsegs].first = i;
		segs[nsegs].end = a->n;
		segs[nsegs].kind = prev ? k : B_NONE;
		describe(segs[nsegs].kind, prev, x, segs[nsegs].desc, sizeof segs[nsegs].desc);
		nsegs++;
		seen++;
		prev = x;
	}
	r->segments_seen = seen;
	a->nsegs = nsegs;
	if (nsegs == 0)
		return false;

	const struct segment *cur = &segs[nsegs - 1];

	a->cur = cur;
	a->spacing = sample_spacing(a->samples, a->n);
	r->segment_start = a->samples[cur->first].t;
	r->segment_age_s = difftime(a->now, r->segment_start);
	if (r->segment_age_s < 0)
		r->segment_age_s = 0;
	r->restarted = cur->kind != B_NONE;
	r->reboot = cur->kind == B_REBOOT;
	copy_str(r->restart_desc, sizeof r->restart_desc, cur->desc);
	return true;
}

/*
 * Baseline: configured, else learned, else learned on an earlier run;
 * then the growth levels in bytes per hour and the leak rate.
 */
static void decide_baseline(struct analysis *a, struct trend_result *r)
{
	const struct trend_params *p = a->p;

	if (p->baseline_bytes > 0) {
		r->have_baseline = true;
		r->baseline_bytes = p->baseline_bytes;
	} else if (p->baseline_auto || p->growth_defaults) {
		double b = learn_baseline(a->samples, a->segs, a->nsegs, a->spacing, a->now);

		if (b < MIN_BASELINE && p->learned_baseline_bytes >= MIN_BASELINE)
			b = p->learned_baseline_bytes;
		if (b >= MIN_BASELINE) {
			r->have_baseline = true;
			r->baseline_learned = true;
			r->baseline_bytes = b;
		}
	}
	resolve_thresholds(p, r);
	a->leak_rate = r->growth_warning_bph > 0 ? r->growth_warning_bph : r->growth_critical_bph;
}

/* The past segments that ended leaking (segment_leaked()). */
static void count_past_leaks(const struct analysis *a, struct trend_result *r)
{
	for (int g = 0; g + 1 < a->nsegs; g++)
		if (segment_leaked(a->samples, &a->segs[g], a->spacing, a->leak_rate))
			r->segments_leaking++;
}

/*
 * Floors: the hourly floors of the current segment, HOLD_BACK hours more
 * than the routes look at, for the hold; the newest of the routes' blocks
 * (else the newest sample) is the floor reported until a route fits one.
 */
static void hourly_floors(struct analysis *a, struct trend_result *r)
{
	const struct segment *cur = a->cur;

	a->now_blk = trend_block_of(a->now);
	a->first_all = a->now_blk - NALL;
	a->seg_blk = trend_block_of(r->segment_start);
	block_floors(a->samples, cur->first, cur->end, a->first_all, NALL, a->spacing, a->now,
		     a->floors_all, a->valid_all);
	for (long long b = a->first_all; b < a->now_blk; b++)
		if (b < a->seg_blk)
			a->valid_all[b - a->first_all] = false;
	for (long long b = a->now_blk - 1; b >= a->now_blk - NBLK; b--)
		if (a->valid_all[b - a->first_all]) {
			r->floor_bytes = a->floors_all[b - a->first_all];
			break;
		}
	if (r->floor_bytes == 0 && a->samples[cur->end - 1].mem_kb > 0)
		r->floor_bytes = (double)a->samples[cur->end - 1].mem_kb * 1024.0;
}

/* The squared deviations of y[0..n-1] from their mean. */
static double squares_about_mean(const double *y, int n)
{
	double m = 0, ss = 0;

	for (int i = 0; i < n; i++)
		m += y[i] / n;
	for (int i = 0; i < n; i++)
		ss += (y[i] - m) * (y[i] - m);
	return ss;
}

/*
 * A rise, not a step: the best fit of two levels (one break anywhere)
 * leaves at least STEP_RATIO of the squared residuals of the straight
 * line.  A line fits a steady rise better than any step does (its two
 * levels miss the ramp by up to a quarter of the rise each); a step, or
 * a rise crowded into a few points, fits two levels better than a line.
 * Noise alone fits both about equally.
 */
static bool not_a_step(const double *x, const double *y, int n)
{
	double xm = 0, ym = 0, sxx = 0, sxy = 0, ss_line = 0, best = INFINITY;

	if (n < 3)
		return false;
	for (int i = 0; i < n; i++) {
		xm += x[i] / n;
		ym += y[i] / n;
	}
	for (int i = 0; i < n; i++) {
		sxx += (x[i] - xm) * (x[i] - xm);
		sxy += (x[i] - xm) * (y[i] - ym);
	}
	if (sxx <= 0)
		return false;
	for (int i = 0; i < n; i++) {
		double e = y[i] - ym - sxy / sxx * (x[i] - xm);

		ss_line += e * e;
	}
	/* Two levels, the first k points and the rest. */
	for (int k = 1; k < n; k++)
		best = fmin(best, squares_about_mean(y, k) + squares_about_mean(y + k, n - k));
	return best >= STEP_RATIO * ss_line;
}

/*
 * The raw route's pace.  A steady one (steady_pace()) when the thirds
 * can show it.  With 5-minute samples a 10-minute floor is the lower of
 * two samples, and the slope of a third (four floors) is about as
 * uncertain as the rise itself: a real rise often fails the thirds'
 * ratio, and a leak that began inside the window (its first third still
 * level) always does.  So a rise whose lower confidence bound
 * reaches the leak rate (strong evidence of the rate, not only of a
 * rise) passes too when no step fits it better than a line.
 */
static bool raw_pace(const double *x, const double *y, int n, const struct fit *f,
		     double leak_rate)
{
	if (steady_pace(x, y, n))
		return true;
	return f->low >= leak_rate && not_a_step(x, y, n);
}

/*
 * The raw route: a rise out of a level day, seen on the raw samples
 * before the hourly routes can (they need four complete hours).  A
 * traffic-driven leak that begins in the afternoon grows for an hour or
 * two before the evening and then not until the next morning: the hourly
 * routes see it the next day at the earliest.  Here the floors of the
 * last RAW_WINDOW_S, each the lowest of two samples (RAW_STEP_S to
 * RAW_STEP_MAX_S: 5 minutes for 1-minute samples, 10 for 5-minute ones;
 * one sample alone is all noise, and an AR(1) wander of single samples
 * rises "significantly" too often), the newest floor ending at the
 * newest sample, half of each covered, none missing, must rise
 * significantly (p < P_SHORT) at RAW_RATE x the leak rate or faster, at
 * a steady pace (steady_pace(): a step is one third's rise, a warm-up's
 * thirds slow down) or, when the thirds are too noisy to tell
 * (raw_pace()), with a lower bound at the leak rate and no step that
 * fits better than the line; and the floors of the last RAW_NEWEST_S
 * must clear everything of the RAW_PRIOR hours before the rise by
 * half of the rise and by 3 hourly spreads: a daily cycle, a sawtooth or a
 * random walk has been that high already within a day.  So the segment
 * must hold those hours (a warm-up after a restart has no level day
 * before it).  Raw samples are kept only TREND_KEEP_RAW_S, so a later
 * check cannot replay this; the check that judges it hands its time on
 * (trend_result.raw_route, trend_params.raw_judged_at), and the hold
 * takes it from there.
 */
static bool raw_rise(const struct analysis *a, struct fit *f, double *window_s)
{
	const struct segment *cur = a->cur;
	double w = fmin(RAW_STEP_MAX_S, fmax(RAW_STEP_S, 2.0 * a->spacing));
	double need = 0.5 * w / a->spacing;
	int n = (int)fmin(RAW_POINTS, floor(RAW_WINDOW_S / w));
	double x[RAW_POINTS], y[RAW_POINTS];
	int cnt[RAW_POINTS] = { 0 };
	time_t last = 0, newest_t = 0;

	if (a->leak_rate <= 0 || n < RAW_MIN_POINTS)
		return false;
	for (size_t i = cur->end; i-- > cur->first && newest_t == 0;)
		if (!a->samples[i].hourly && a->samples[i].mem_kb >= 0 && a->samples[i].t <= a->now)
			newest_t = a->samples[i].t;
	if (newest_t == 0)
		return false;
	/* Floors of w, the newest ending half a spacing after the newest sample. */
	double start = (double)newest_t + 0.5 * a->spacing - n * w;
	/* A level day before the rise, inside the segment. */
	long long rise_blk = trend_block_of((time_t)floor(start));
	long long prior_from = rise_blk - RAW_PRIOR;

	if (prior_from < a->seg_blk || prior_from < a->first_all)
		return false;
	for (size_t i = cur->first; i < cur->end; i++) {
		const struct sample *q = &a->samples[i];

		if (q->mem_kb < 0 || q->hourly || q->t > a->now || (last && q->t <= last))
			continue;
		last = q->t;
		double at = ((double)q->t - start) / w;

		if (at < 0 || at >= n)
			continue;
		int k = (int)at;
		double v = (double)q->mem_kb * 1024.0;

		if (cnt[k] == 0 || v < y[k]) {
			y[k] = v;
			x[k] = ((double)q->t - (double)a->now) / 3600.0;
		}
		cnt[k]++;
	}
	for (int k = 0; k < n; k++)
		if (cnt[k] == 0 || cnt[k] + 1e-9 < need || (k > 0 && x[k] <= x[k - 1]))
			return false;
	fit_series(x, y, n, Z_SHORT, f);
	if (f->p >= P_SHORT || f->low <= 0 || f->slope < RAW_RATE * a->leak_rate ||
	    !raw_pace(x, y, n, f, a->leak_rate))
		return false;
	double prior_max = -INFINITY;
	int valid = 0;

	for (long long b = prior_from; b < rise_blk; b++)
		if (a->valid_all[b - a->first_all]) {
			prior_max = fmax(prior_max, a->floors_all[b - a->first_all]);
			valid++;
		}
	if (valid < RAW_PRIOR * 3 / 4)
		return false;
	double rise = f->slope * (x[n - 1] - x[0]);
	double spread = hourly_spread(a->floors_all, a->valid_all, a->first_all, prior_from,
				      rise_blk);
	/* The last half hour, not one floor: hourly floors sit lower. */
	double newest = INFINITY;

	for (int k = n - (int)fmax(3.0, RAW_NEWEST_S / w); k < n; k++)
		newest = fmin(newest, y[k]);
	if (newest - prior_max < fmax(0.5 * rise, 3.0 * spread))
		return false;
	*window_s = n * w;
	return true;
}

/*
 * Routes: detect() now, within the guards in time.  A segment that did
 * not begin with a restart we saw (the history starts in it) may be in
 * any phase of a daily cycle: for FIRST_WINDOW_S, only a rise that keeps
 * its pace.  False when the segment is too young for the routes; else the
 * long window's fit, or the rise judged, into r and a->rate, a->level.
 */
static bool run_routes(struct analysis *a, struct trend_result *r)
{
	const struct trend_params *p = a->p;
	const double *floors = a->floors_all + HOLD_BACK;	/* the routes' NBLK blocks */
	const bool *valid = a->valid_all + HOLD_BACK;
	long long first_blk = a->now_blk - NBLK;
	double min_window = p->min_window_s > 0 ? p->min_window_s : TREND_MIN_WINDOW_S;
	struct detection *d = &a->d;

	a->times.min_window = min_window;
	a->times.evidence_age = p->min_window_strict ? min_window : EVIDENCE_AGE_S;
	a->times.first_day = a->cur->kind == B_NONE ? FIRST_WINDOW_S : 0;
	r->window_needed_s = min_window;

	detect(a->floors_all, a->valid_all, a->first_all, a->now_blk, a->seg_blk, a->now,
	       r->segment_age_s, &a->times, a->leak_rate, d);
	if (!d->have_long)
		return false;
	if (!d->ok && raw_rise(a, &d->f, &d->window_s)) {
		d->ok = true;
		r->raw_route = true;
	}
	r->have_slope = true;
	r->slope_bph = d->lng.slope;
	r->slope_low_bph = d->lng.low;
	r->confidence = 1.0 - d->lng.p;
	r->window_s = d->lng_window_s;
	r->verdict = TREND_STABLE;
	if (!d->ok)
		return true;

	const struct fit *f = &d->f;
	double low;
	int days;

	r->slope_bph = f->slope;
	r->slope_low_bph = f->low;
	r->confidence = 1.0 - f->p;
	r->window_s = d->window_s;
	r->floor_bytes = f->at_now;
	r->recent_slope_bph = f->slope;
	/*
	 * With long_run_rate set, once the rise has lasted more than a day,
	 * the rate the admin sees, the growth levels and the forecast use its
	 * long-run rate: a traffic-driven leak grows only in the daytime, and
	 * its daytime pace would bring the limit days too early.  The verdict
	 * that there is a rise stays with the routes.
	 */
	a->rate = f->slope;
	if (p->long_run_rate && long_run_rate(floors, valid, first_blk, a->seg_blk, a->now_blk,
						  &a->rate, &low, &days)) {
		r->long_run = true;
		r->slope_bph = a->rate;
		r->slope_low_bph = low;
		r->window_s = (double)(24 * (days + 1)) * TREND_BLOCK_S;
	}
	if (d->staircase) {
		r->staircase = true;
		r->rising_s = d->window_s;
	} else {
		r->rising_s = 3600.0 * rise_hours(floors, valid, first_blk, a->seg_blk, a->now_blk,
						  a->rate);
		/* The raw route saw it rise for its whole window. */
		if (r->raw_route)
			r->rising_s = fmax(r->rising_s, d->window_s);
	}
	a->level = f->at_now;
	return true;
}

/*
 * Hold: unless the routes judge a leak now, a leak judged at an earlier
 * check of this segment and not given back stays a leak (find_hold()),
 * also while the routes see a slower rise (RISING) or none (a night, a
 * weekend).  True when held.
 */
static bool hold_leak(struct analysis *a, struct trend_result *r)
{
	const struct trend_params *p = a->p;
	const struct detection *d = &a->d;
	const double *floors = a->floors_all + HOLD_BACK;
	const bool *valid = a->valid_all + HOLD_BACK;
	long long first_blk = a->now_blk - NBLK;
	struct hold h;
	double low;
	int days;

	if (d->ok && a->leak_rate > 0 && (a->rate >= a->leak_rate || d->staircase))
		return false;
	struct raw_judgement raw = { 0, INFINITY };
	time_t rt = p->raw_judged_at;

	if (rt > 0 && rt >= r->segment_start && rt <= a->now &&
	    trend_block_of(rt) > a->now_blk - HOLD_BACK) {
		for (size_t i = a->cur->first; i < a->cur->end; i++)
			if (a->samples[i].t >= rt && a->samples[i].mem_kb >= 0)
				raw.level = fmin(raw.level, (double)a->samples[i].mem_kb * 1024.0);
		if (isfinite(raw.level))
			raw.at_blk = trend_block_of(rt);
	}
	if (!find_hold(a->floors_all, a->valid_all, a->first_all, a->now_blk, a->seg_blk,
		       r->segment_start, &a->times, a->leak_rate, &raw, &h))
		return false;
	r->held = true;
	r->long_run = false;
	r->judged_at = (time_t)(h.judged_blk * TREND_BLOCK_S);
	r->rise_since = (time_t)(h.start_blk * TREND_BLOCK_S);
	r->rise_bytes = h.level - h.pre;
	r->paused_since = h.paused_blk > 0 ? (time_t)(h.paused_blk * TREND_BLOCK_S) : 0;
	a->rate = h.rate;
	/* A leak that still grows day over day: its long-run rate. */
	if (p->long_run_rate && long_run_rate(floors, valid, first_blk, a->seg_blk, a->now_blk,
						  &a->rate, &low, &days)) {
		r->long_run = true;
		r->slope_low_bph = low;
	} else {
		r->slope_low_bph = 0;
	}
	r->slope_bph = a->rate;
	r->recent_slope_bph = d->ok ? d->f.slope : d->lng.slope;
	r->confidence = h.confidence;
	r->window_s = difftime(a->now, r->rise_since);
	r->rising_s = r->window_s;
	r->floor_bytes = h.level;
	a->level = h.level;
	return true;
}

/*
 * Grade: a rise at or above the leak rate, a held leak and a staircase
 * are a LEAK, WARNING or, at the growth critical level, CRITICAL; a
 * slower rise is RISING.  A rise is never older than its segment.
 */
static void grade(const struct analysis *a, struct trend_result *r)
{
	if (r->rising_s > r->segment_age_s)
		r->rising_s = r->segment_age_s;
	r->verdict = TREND_RISING;
	if (a->leak_rate > 0 && (a->rate >= a->leak_rate || r->held || r->staircase)) {
		/* A held or stair-stepped leak stays at least WARNING. */
		r->verdict = TREND_LEAK;
		r->growth_state = r->growth_critical_bph > 0 && a->rate >= r->growth_critical_bph
				  ? STATE_CRITICAL
				  : STATE_WARNING;
	}
}

/* Forecast: the room left below the limit at the rate, and its level. */
static void forecast(const struct analysis *a, struct trend_result *r)
{
	const struct trend_params *p = a->p;

	if (p->limit_bytes > 0 && a->rate > 0) {
		double left = p->limit_bytes - a->level;

		r->have_forecast = true;
		r->timeleft_s = left > 0 ? left / a->rate * 3600.0 : 0.0;
		grade_timeleft(p, r);
	}
}

void trend_analyze(const struct sample *samples, size_t n, time_t now,
		   const struct trend_params *p, struct trend_result *r)
{
	struct analysis a = { .samples = samples, .n = n, .now = now, .p = p };

	memset(r, 0, sizeof *r);
	r->verdict = TREND_COLLECTING;
	r->growth_state = STATE_OK;
	r->timeleft_state = STATE_OK;

	if (!find_segments(&a, r))
		return;
	decide_baseline(&a, r);
	count_past_leaks(&a, r);
	hourly_floors(&a, r);
	if (!run_routes(&a, r)) {
		early_forecast(&a, r);	/* too young for the routes */
		return;
	}
	if (!hold_leak(&a, r) && !a.d.ok) {
		/* No rise within the guards' time: the time left may still alarm. */
		if (r->segment_age_s < fmax(a.times.min_window, a.times.first_day))
			early_forecast(&a, r);
		return;
	}
	grade(&a, r);
	forecast(&a, r);
}

size_t trend_compact(struct sample *s, size_t n, time_t before)
{
	long long cut = trend_block_of(before);
	double need = 0.5 * TREND_BLOCK_S / sample_spacing(s, n);
	size_t out = 0, i = 0;

	while (i < n) {
		if (s[i].mem_kb < 0 && !s[i].hourly) {
			i++;
			continue;
		}
		if (s[i].hourly || trend_block_of(s[i].t) >= cut) {
			s[out++] = s[i++];
			continue;
		}
		/* A run of raw samples in one hour and one segment. */
		struct sample agg = s[i];
		long long b = trend_block_of(s[i].t);
		size_t j = i + 1, last = i, count = 1;

		for (; j < n && !s[j].hourly && trend_block_of(s[j].t) == b; j++) {
			if (s[j].mem_kb < 0)
				continue;
			if (s[j].t < s[last].t - TREND_CLOCK_SLACK_S ||
			    (s[j].t > s[last].t && boundary_between(&s[last], &s[j]) != B_NONE))
				break;
			if (s[j].t <= s[last].t)
				continue;	/* duplicate: analysis ignores it too */
			if (s[j].mem_kb < agg.mem_kb)
				agg.mem_kb = s[j].mem_kb;
			last = j;
			count++;
		}
		/* Keep the last sample's counters so restart checks still work. */
		memcpy(agg.indexes, s[last].indexes, sizeof agg.indexes);
		agg.cpu_cs = s[last].cpu_cs;
		agg.has_cpu = s[last].has_cpu;
		agg.uptime_ticks = s[last].uptime_ticks;
		agg.has_uptime = s[last].has_uptime;
		/* An hour with too few samples stays one raw sample: no coverage. */
		agg.hourly = (double)count + 1e-9 >= need;
		s[out++] = agg;
		i = j;
	}
	return out;
}
