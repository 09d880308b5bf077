/*
 * trend.c - leak detection over the history of one process (see trend.h
 * and README's trend section).
 *
 * The method, per check:
 *   1. Split the history into segments at restarts (index set changed,
 *      CPU counter dropped), reboots (uptime dropped) and big backwards
 *      clock steps; only the current segment is judged.
 *   2. Reduce it to aligned hourly blocks and keep each block's minimum,
 *      the floor the allocator returns to; a block needs >= 50 % coverage,
 *      nothing is interpolated.
 *   3. Two windows of floors: the long one (24 h, or the segment when
 *      shorter) and a short one (8 h).  For each, the Theil-Sen slope with
 *      its confidence interval and a one-sided Mann-Kendall test with
 *      tie-corrected variance, inflated for autocorrelation (Hamed-Rao).
 *      The short window needs a much smaller p, a rise spread over many
 *      blocks and the last hours still rising.  Both need: no verdict
 *      before the minimum window (12 h: warm-ups level off by then), no
 *      plateau (second half of the segment window rising < 1/4 as fast as
 *      the first half) and, once the segment is 36 h old, the last hours
 *      above the same hours a day earlier (daily cycles cancel out).
 *   4. A significant rise at or above the growth warning rate is a LEAK,
 *      below it RISING.  The forecast divides the room left below the
 *      limit by the slope.
 * Everything here is bounded: at most 72 blocks, at most 276 pairs.
 */
#include "trend.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "util.h"

#define NBLK		72	/* blocks looked at: 3 days */
#define LONG_BLOCKS	24
#define SHORT_BLOCKS	8
#define MIN_BLOCKS	6
#define MAX_FIT		LONG_BLOCKS	/* <= FIT_MAX_POINTS */
#define Z_LONG		Z_ONE_SIDED_1PCT
#define P_LONG		0.01
#define Z_SHORT		Z_ONE_SIDED_01PCT
#define P_SHORT		0.001
#define DIFF_AGE_S	(30 * 3600)
#define FIRST_WINDOW_S	(30 * 3600)	/* no restart seen: a steady pace needed that long */
#define EVIDENCE_AGE_S	(9 * 3600)	/* strong evidence may speak from this age */
#define STEADY_RATIO	0.6	/* slowest third's slope / fastest's, steady_pace() */
#define PLATEAU_AGE_S	(48 * 3600)
#define P_AGREE		0.05
#define FAST_BLOCKS	4
#define WIDE_BLOCKS	6	/* hours per block of the 3-day window */
#define WIDE_AGE_S	(48 * 3600)
#define FAST_PRIOR	16
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
#define EARLY_MIN_POINTS 6

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
 * Floors of blocks lo .. lo+nb-1 from the samples of one segment
 * [first, end); a block is valid with an hourly summary or enough raw
 * samples to cover half of it.
 */
static void block_floors(const struct sample *s, size_t first, size_t end, long long lo,
			 int nb, double spacing, time_t now, double *fl, bool *valid)
{
	int cnt[NALL];
	bool summary[NALL];
	time_t last = 0;
	double need = 0.5 * TREND_BLOCK_S / spacing;

	for (int b = 0; b < nb; b++) {
		cnt[b] = 0;
		summary[b] = false;
		fl[b] = 0;
		valid[b] = false;
	}
	for (size_t i = first; i < end; i++) {
		const struct sample *x = &s[i];

		if (x->mem_kb < 0 || (i > first && x->t <= last) || x->t > now)
			continue;
		last = x->t;
		long long b = trend_block_of(x->t) - lo;

		if (b < 0 || b >= nb)
			continue;
		double v = (double)x->mem_kb * 1024.0;

		if ((cnt[b] == 0 && !summary[b]) || v < fl[b])
			fl[b] = v;
		if (x->hourly)
			summary[b] = true;
		else
			cnt[b]++;
	}
	for (int b = 0; b < nb; b++)
		valid[b] = summary[b] || (cnt[b] > 0 && cnt[b] + 1e-9 >= need);
}

/* Valid floors of blocks [from, to) of the window, x in hours from now. */
static int collect(const double *fl, const bool *valid, long long lo, long long from,
		   long long to, time_t now, double *x, double *y)
{
	int n = 0;

	for (long long b = from; b < to && n < MAX_FIT; b++) {
		long long i = b - lo;

		if (i < 0 || i >= NBLK || !valid[i])
			continue;
		x[n] = ((double)(b * TREND_BLOCK_S) + TREND_BLOCK_S / 2.0 - (double)now) / 3600.0;
		y[n] = fl[i];
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
 * A warm-up slowing down: the slopes of the thirds of the window each
 * smaller than the one before by a quarter (a leak keeps its pace).
 */
static bool decelerating(const double *x, const double *y, int n)
{
	struct fit a, b, c;
	int k = n / 3;

	if (n < 9)
		return false;
	fit_series(x, y, k, Z_LONG, &a);
	fit_series(x + k, y + k, k, Z_LONG, &b);
	fit_series(x + 2 * k, y + 2 * k, n - 2 * k, Z_LONG, &c);
	return a.slope > 0 && b.slope < 0.75 * a.slope && c.slope < 0.75 * b.slope;
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
	int k = n / 3;

	if (n < 9)
		return false;
	fit_series(x, y, k, Z_LONG, &t[0]);
	fit_series(x + k, y + k, k, Z_LONG, &t[1]);
	fit_series(x + 2 * k, y + 2 * k, n - 2 * k, Z_LONG, &t[2]);
	double lo = fmin(t[0].slope, fmin(t[1].slope, t[2].slope));
	double hi = fmax(t[0].slope, fmax(t[1].slope, t[2].slope));

	return lo > 0 && lo >= STEADY_RATIO * hi;
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
static bool above_yesterday(const double *fl, const bool *valid, long long lo,
			    long long seg_blk, long long now_blk)
{
	double last[DIFF_LAST], ref[24], dev[24];
	int nl = 0, nr = 0, pos = 0;

	for (long long b = now_blk - 30; b < now_blk; b++) {
		long long i = b - lo, j = i - 24;

		if (j < 0 || b - 24 < seg_blk || !valid[i] || !valid[j])
			continue;
		double d = fl[i] - fl[j];

		if (b >= now_blk - DIFF_LAST) {
			last[nl++] = d;
			pos += d > 0;
		} else {
			ref[nr++] = d;
		}
	}
	if (nl < 4)
		return true;	/* cannot tell: do not veto */
	if (pos < nl - 1)
		return false;
	double m = median(last, nl), spread = 0;

	if (nr >= 6) {
		double c = median(ref, nr);

		for (int k = 0; k < nr; k++)
			dev[k] = fabs(ref[k] - c);
		spread = 1.4826 * median(dev, nr);
	}
	return m > 0 && m > 2.5 * spread;
}

/*
 * A fast leak, faster than the growth critical rate, need not wait for the
 * rank tests: the last FAST_BLOCKS floors each above the one before, by
 * similar steps, the newest clearly above everything of the day before
 * them (a daily cycle or a sawtooth has been that high already).
 */
static bool fast_rise(const double *x, const double *y, int n, double rate, struct fit *f)
{
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
	f->p = 0.0;
	f->at_now = y[n - 1] - slope * x[n - 1];	/* x is negative: hours ago */
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
 * the 2 days of 6-hour blocks wide_rise() needs.
 */
static bool trough_rise(const double *fl, const bool *valid, long long lo, long long seg_blk,
			long long now_blk, time_t now, double thr, struct fit *f)
{
	double d[NBLK], tv[NBLK], tx[NBLK], tmp[NBLK], gap[NBLK];
	int nd = 0, nt = 0;
	long long first = seg_blk > lo ? seg_blk : lo;

	memset(f, 0, sizeof *f);
	if (thr <= 0)
		return false;
	for (long long b = first + 1; b < now_blk; b++)
		if (valid[b - lo] && valid[b - 1 - lo])
			d[nd++] = fabs(fl[b - lo] - fl[b - 1 - lo]);
	if (nd < 24)
		return false;
	double typ = median(d, nd);

	/*
	 * A trough: a big drop from the hour before, and the next hour not
	 * lower.  The last complete hour counts on the drop alone: a sawtooth
	 * climbs again right after it, and waiting would cost an hour.
	 */
	for (long long b = first + 1; b < now_blk; b++) {
		long long i = b - lo;
		bool last = b + 1 == now_blk;

		if (!valid[i - 1] || !valid[i] || (!last && !valid[i + 1]))
			continue;
		if (fl[i] < fl[i - 1] - 3.0 * typ && (last || fl[i] <= fl[i + 1])) {
			tv[nt] = fl[i];
			tx[nt] = ((double)(b * TREND_BLOCK_S) + TREND_BLOCK_S / 2.0 - (double)now) / 3600.0;
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
	int np = nt - 2;
	double mx = -INFINITY, c, spread;

	for (int k = 0; k < np; k++) {
		mx = fmax(mx, tv[k]);
		tmp[k] = tv[k];
	}
	c = median(tmp, np);
	for (int k = 0; k < np; k++)
		tmp[k] = fabs(tv[k] - c);
	spread = 1.4826 * median(tmp, np);
	double step = fmax(0.5 * thr * period, 3.0 * spread);
	double a = tv[nt - 2], b = tv[nt - 1], dt = tx[nt - 1] - tx[nt - 2];
	double rate = (b - a) / dt;

	if (a < c + step || b < a + step || b < mx + 2.0 * step || rate < thr ||
	    (a - c) / period < 0.5 * thr)
		return false;
	f->n = nt;
	f->slope = rate;
	f->low = fmin(rate, (a - c) / (tx[nt - 2] - tx[nt - 3]));
	f->p = 0.0;
	f->at_now = b - rate * tx[nt - 1];
	return true;
}

/*
 * A leak that has lasted days under a slow sawtooth: the floors of 6-hour
 * blocks over the last 3 days (one per allocator cycle), significant,
 * spread out and still rising over the last half day.  Daily cycles and
 * aliasing average out over three days; a staircase of steps stops rising.
 */
static bool wide_rise(const double *fl, const bool *valid, long long lo, long long seg_blk,
		      long long now_blk, time_t now, double thr, struct fit *f)
{
	double x[NBLK / WIDE_BLOCKS], y[NBLK / WIDE_BLOCKS];
	int n = 0;

	memset(f, 0, sizeof *f);
	for (long long b0 = now_blk - NBLK; b0 < now_blk; b0 += WIDE_BLOCKS) {
		double m = INFINITY;
		int k = 0;

		for (long long b = b0; b < b0 + WIDE_BLOCKS; b++)
			if (b >= seg_blk && valid[b - lo]) {
				m = fmin(m, fl[b - lo]);
				k++;
			}
		if (k < WIDE_BLOCKS * 2 / 3)
			continue;
		x[n] = ((double)(b0 * TREND_BLOCK_S) + WIDE_BLOCKS * TREND_BLOCK_S / 2.0 -
			(double)now) / 3600.0;
		y[n++] = m;
	}
	if (n < 8)
		return false;
	fit_series(x, y, n, Z_LONG, f);
	/* A leak climbs in many small steps: none may carry a third of the rise. */
	double rise = y[n - 1] - y[0], big = 0;

	for (int i = 1; i < n; i++)
		big = fmax(big, y[i] - y[i - 1]);
	return f->p < P_LONG && f->low > 0.5 * thr && f->slope > 0 && rise > 0 &&
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
static bool long_run_rate(const double *fl, const bool *valid, long long lo, long long seg_blk,
			  long long now_blk, double *rate, double *low, int *days)
{
	double r[3] = { 0, 0, 0 }, q[3] = { 0, 0, 0 };
	bool ok[3] = { false, false, false };

	for (int k = 1; k <= 2; k++) {
		double d[24], tmp[24];
		int nd = 0, pos = 0;

		for (long long b = now_blk - 24; b < now_blk; b++) {
			long long i = b - lo, j = i - 24LL * k;

			if (j < 0 || b - 24LL * k < seg_blk || !valid[i] || !valid[j])
				continue;
			d[nd] = (fl[i] - fl[j]) / (24.0 * k);
			pos += d[nd] > 0;
			nd++;
		}
		if (nd < 16 || pos < nd - 2)
			continue;
		memcpy(tmp, d, (size_t)nd * sizeof *tmp);
		qsort(tmp, (size_t)nd, sizeof *tmp, cmp_double);
		r[k] = median(d, nd);
		q[k] = tmp[(nd - 1) / 4];
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
static double rise_hours(const double *fl, const bool *valid, long long lo, long long from,
			 long long to, double slope)
{
	long long last = -1;
	double hours = 0;
	int misses = 0;

	/* A segment older than the blocks kept: look no further back than them. */
	if (from < lo)
		from = lo;
	for (long long b = to - 1; b >= from; b--)
		if (valid[b - lo]) {
			last = b;
			break;
		}
	if (last < 0 || slope <= 0)
		return 0;
	for (long long b = last - 1; b >= from; b--) {
		if (!valid[b - lo])
			continue;
		double dh = (double)(last - b);

		if (fl[last - lo] - fl[b - lo] >= 0.7 * slope * dh) {
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
			   double thr)
{
	double fl[NBLK], x[MAX_FIT], y[MAX_FIT];
	bool valid[NBLK];
	struct fit f;
	time_t end_t = s[g->end - 1].t;
	long long end_blk = trend_block_of(end_t), seg_blk = trend_block_of(s[g->first].t);
	long long lo = end_blk - NBLK;

	if (end_t - s[g->first].t < TREND_MIN_WINDOW_S)
		return false;
	block_floors(s, g->first, g->end, lo, NBLK, spacing, end_t, fl, valid);
	long long from = end_blk - LONG_BLOCKS > seg_blk ? end_blk - LONG_BLOCKS : seg_blk;
	int n = collect(fl, valid, lo, from, end_blk + 1, end_t, x, y);

	if (n < MIN_BLOCKS)
		return false;
	fit_series(x, y, n, Z_LONG, &f);
	return f.p < P_LONG && f.low > 0 && f.slope > thr && spread_out(y, n, f.slope, x) &&
	       !plateau(x, y, n);
}

/* Median floor of the first hours of the recent segments. */
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
	double fl[NBLK], v[BASE_HOURS];
	bool valid[NBLK];
	long long b0 = trend_block_of(s[g->first].t);
	int nv = 0;

	if (trend_block_of(now) < b0 + BASE_HOURS)
		return false;
	block_floors(s, g->first, g->end, b0, BASE_SPAN, spacing, now, fl, valid);
	for (int b = 0; b < BASE_HOURS; b++)
		if (valid[b])
			v[nv++] = fl[b];
	for (int b = BASE_HOURS; nv < 2 && b < BASE_SPAN && b0 + b < trend_block_of(now); b++)
		if (valid[b])
			v[nv++] = fl[b];
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
static double hourly_spread(const double *fl_all, const bool *valid_all, long long lo_all,
			    long long from, long long to)
{
	double d[NALL];
	int nd = 0;

	if (from < lo_all + 1)
		from = lo_all + 1;
	for (long long b = from; b < to; b++)
		if (valid_all[b - lo_all] && valid_all[b - 1 - lo_all])
			d[nd++] = fabs(fl_all[b - lo_all] - fl_all[b - 1 - lo_all]);
	return nd > 0 ? 1.4826 * median(d, nd) : 0.0;
}

/*
 * The level the process returns to at the end of block to - 1: the lowest
 * of the last LEVEL_BLOCKS valid floors of the segment (at least one slow
 * sawtooth cycle), and the block where it was.
 */
static bool level_at(const double *fl_all, const bool *valid_all, long long lo_all,
		     long long to, long long seg_blk, double *level, long long *where)
{
	int k = 0;

	*level = INFINITY;
	for (long long b = to - 1; b >= lo_all && b >= seg_blk && k < LEVEL_BLOCKS; b--) {
		if (!valid_all[b - lo_all])
			continue;
		if (fl_all[b - lo_all] < *level) {
			*level = fl_all[b - lo_all];
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
 * a sawtooth or a single step give level days.
 */
static bool staircase_rise(const double *fl_all, const bool *valid_all, long long lo_all,
			   long long at_blk, long long seg_blk, double thr, struct fit *f)
{
	double m[STAIR_DAYS + 1], v[24], step[STAIR_DAYS], total, spread;
	long long where = 0;

	memset(f, 0, sizeof *f);
	if (thr <= 0)
		return false;
	for (int k = 0; k <= STAIR_DAYS; k++) {
		long long b1 = at_blk - 24LL * k, b0 = b1 - 24;
		int nv = 0;

		if (b0 < lo_all || b0 < seg_blk)
			return false;
		for (long long b = b0; b < b1; b++)
			if (valid_all[b - lo_all])
				v[nv++] = fl_all[b - lo_all];
		if (nv < 16)
			return false;
		qsort(v, (size_t)nv, sizeof *v, cmp_double);
		m[k] = v[(nv - 1) / 4];
	}
	spread = hourly_spread(fl_all, valid_all, lo_all, at_blk - 24LL * (STAIR_DAYS + 1), at_blk);
	total = m[0] - m[STAIR_DAYS];
	for (int k = 0; k < STAIR_DAYS; k++) {
		step[k] = m[k] - m[k + 1];
		if (step[k] < 0.25 * thr * 24.0 || step[k] < 3.0 * spread)
			return false;
	}
	if (total / (24.0 * STAIR_DAYS) < 0.5 * thr || step[0] < 0.4 * step[STAIR_DAYS - 1])
		return false;
	f->n = STAIR_DAYS + 1;
	f->slope = total / (24.0 * STAIR_DAYS);
	f->low = INFINITY;
	for (int k = 0; k < STAIR_DAYS; k++)
		f->low = fmin(f->low, step[k] / 24.0);
	f->p = 0.0;
	if (!level_at(fl_all, valid_all, lo_all, at_blk, seg_blk, &f->at_now, &where))
		f->at_now = m[0];
	return true;
}

/*
 * The guards in time of one segment: no verdict before min_window, except
 * on strong evidence from evidence_age on; until first_day (a history
 * that began inside the segment), only a rise that keeps its pace.
 */
struct windows {
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
 * The routes as a check right after block at_blk - 1 saw them: the same
 * for the current check and, for the hold, for an earlier one (the
 * verdict of any earlier hour is a function of the history up to it).
 * fl_all/valid_all: floors of blocks lo_all .. lo_all + NALL - 1.
 */
static void detect(const double *fl_all, const bool *valid_all, long long lo_all,
		   long long at_blk, long long seg_blk, time_t now, double age_s,
		   const struct windows *w, double thr, struct detection *d)
{
	long long lo = at_blk - NBLK;
	const double *fl = fl_all + (lo - lo_all);
	const bool *valid = valid_all + (lo - lo_all);
	double x[MAX_FIT], y[MAX_FIT], xs[MAX_FIT], ys[MAX_FIT];
	struct fit fl_long, fl_short, fl_fast, fl_trough, fl_wide, fl_stair;

	memset(d, 0, sizeof *d);
	memset(&fl_short, 0, sizeof fl_short);
	long long from = at_blk - LONG_BLOCKS > seg_blk ? at_blk - LONG_BLOCKS : seg_blk;
	int nl = collect(fl, valid, lo, from, at_blk, now, x, y);
	long long sfrom = at_blk - SHORT_BLOCKS > seg_blk ? at_blk - SHORT_BLOCKS : seg_blk;
	int ns = collect(fl, valid, lo, sfrom, at_blk, now, xs, ys);

	/*
	 * Before the minimum window only strong evidence speaks: from
	 * EVIDENCE_AGE_S on, a rise that keeps its pace across the window
	 * (a warm-up slows down: its thirds fail steady_pace()) and is
	 * significant at the short window's level.
	 */
	bool evidence_only = age_s < w->min_window;

	if (nl < MIN_BLOCKS || (evidence_only && (age_s < w->evidence_age || nl < 9)))
		return;
	fit_series(x, y, nl, Z_LONG, &fl_long);
	if (evidence_only && (fl_long.p >= P_SHORT || !steady_pace(x, y, nl)))
		return;
	d->have_long = true;
	d->lng = fl_long;
	d->lng_window_s = (double)(at_blk - from) * TREND_BLOCK_S;

	/* Warm-ups follow restarts and level off within a day or two. */
	bool guards = !(age_s < PLATEAU_AGE_S && (plateau(x, y, nl) || decelerating(x, y, nl)));
	/*
	 * A history that began inside the segment may have begun in any
	 * phase of a daily cycle: until first_day_s, a rise must also keep
	 * its pace across the window.
	 */
	if (guards && age_s < w->first_day)
		guards = steady_pace(x, y, nl);
	/* The troughs are compared with earlier troughs instead of a day ago. */
	bool warm_guard = guards;
	if (guards && age_s >= DIFF_AGE_S)
		guards = above_yesterday(fl, valid, lo, seg_blk, at_blk);

	/* Half the growth warning rate must be inside the confidence interval. */
	bool long_ok = guards && fl_long.p < P_LONG && fl_long.low > 0.5 * thr &&
		       spread_out(y, nl, fl_long.slope, x);
	bool short_ok = false;

	if (guards && ns >= MIN_BLOCKS) {
		fit_series(xs, ys, ns, Z_SHORT, &fl_short);
		/* The long window must at least lean the same way. */
		short_ok = fl_short.p < P_SHORT && fl_short.low > 0 &&
			   fl_long.p < P_AGREE && fl_long.slope > 0 &&
			   spread_out(ys, ns, fl_short.slope, xs) &&
			   still_rising(ys, ns, fl_short.slope);
	}
	bool fast_ok = guards && !long_ok && !short_ok && fast_rise(x, y, nl, thr, &fl_fast);
	bool trough_ok = warm_guard && !long_ok && !short_ok && !fast_ok &&
			 trough_rise(fl, valid, lo, seg_blk, at_blk, now, thr, &fl_trough);
	bool wide_ok = !long_ok && !short_ok && !fast_ok && !trough_ok &&
		       age_s >= WIDE_AGE_S &&
		       wide_rise(fl, valid, lo, seg_blk, at_blk, now, thr, &fl_wide);
	bool stair_ok = !long_ok && !short_ok && !fast_ok && !trough_ok && !wide_ok &&
			staircase_rise(fl_all, valid_all, lo_all, at_blk, seg_blk, thr, &fl_stair);

	if (!long_ok && !short_ok && !fast_ok && !trough_ok && !wide_ok && !stair_ok) {
		/* Before the minimum window, no rise judged is no verdict yet. */
		if (evidence_only)
			d->have_long = false;
		return;
	}
	if (trough_ok)
		fl_trough.p = fl_long.p;
	if (stair_ok)
		fl_stair.p = fl_long.p;
	/* The fast route has no p of its own: report the rank tests' best. */
	if (fast_ok)
		fl_fast.p = guards && ns >= MIN_BLOCKS ? fmin(fl_long.p, fl_short.p) : fl_long.p;

	/* The short window tells the current rate of a rise that began lately. */
	const struct fit *f = stair_ok ? &fl_stair : wide_ok ? &fl_wide : fast_ok ? &fl_fast
			      : trough_ok ? &fl_trough
			      : short_ok && (!long_ok || fl_short.slope > fl_long.slope)
			      ? &fl_short : &fl_long;
	d->ok = true;
	d->f = *f;
	d->window_s = d->lng_window_s;
	if (f == &fl_short)
		d->window_s = (double)(at_blk - sfrom) * TREND_BLOCK_S;
	if (f == &fl_fast)
		d->window_s = (double)FAST_BLOCKS * TREND_BLOCK_S;
	if (f == &fl_wide)
		d->window_s = (double)NBLK * TREND_BLOCK_S;
	if (f == &fl_trough)
		d->window_s = age_s < NBLK * TREND_BLOCK_S ? age_s : NBLK * TREND_BLOCK_S;
	if (f == &fl_stair) {
		d->staircase = true;
		d->window_s = 24.0 * (STAIR_DAYS + 1) * TREND_BLOCK_S;
	}
}

/*
 * Did the check right after block at - 1 judge a leak (a rise at the
 * growth warning rate or faster, or a staircase)?  detect() at that
 * hour, memoised: its answer depends only on the
 * floors of the 97 blocks before at_blk (fewer when the array begins
 * later), the segment's start and the levels, so a key over all of them
 * finds it again at the next check (a check every few minutes replays
 * one new hour, not HOLD_BACK of them).  A small direct-mapped table; a
 * miss only costs the replay.
 */
#define MEMO_SLOTS	1024
struct memo {
	unsigned long long key;
	bool used, ok;
	double p, window_s;
};

static bool judged_at(const double *fl_all, const bool *valid_all, long long lo_all,
		      long long at, long long seg_blk, time_t seg_start, double age,
		      const struct windows *w, double thr, struct detection *d)
{
	static struct memo memo[MEMO_SLOTS];
	unsigned long long k = 1469598103934665603ULL;
	long long from = at - 24LL * (STAIR_DAYS + 1) - 1;
	double v[6] = { (double)seg_start, w->min_window, thr, (double)at, w->first_day,
			w->evidence_age };

	if (from < lo_all)
		from = lo_all;
#define MIX(x) (k = (k ^ (unsigned long long)(x)) * 1099511628211ULL)
	for (int i = 0; i < 6; i++) {
		unsigned long long u;

		memcpy(&u, &v[i], sizeof u);
		MIX(u);
	}
	MIX((unsigned long long)(from - seg_blk));
	for (long long b = from; b < at; b++) {
		unsigned long long u = 0;

		if (valid_all[b - lo_all])
			memcpy(&u, &fl_all[b - lo_all], sizeof u);
		MIX(u);
		MIX(valid_all[b - lo_all]);
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
	detect(fl_all, valid_all, lo_all, at, seg_blk, (time_t)(at * TREND_BLOCK_S), age,
	       w, thr, d);
	/* A leak, not a rise below the growth warning rate (RISING). */
	d->ok = d->ok && (d->staircase || d->f.slope >= thr);
	m->used = true;
	m->key = k;
	m->ok = d->ok;
	m->p = d->f.p;
	m->window_s = d->window_s;
	return d->ok;
}

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
 * hours back) whose routes judged a rise, replayed from the floors; held
 * as long as the level now keeps more than a quarter of the highest level
 * reached since above the level before the rise (the lowest floor of the
 * span judged, a day at least).  A cheap test first: the level now must
 * stand 3 hours at the growth warning rate above the lowest floor known.
 */
static bool find_hold(const double *fl_all, const bool *valid_all, long long lo_all,
		      long long now_blk, long long seg_blk, time_t seg_start,
		      const struct windows *w, double thr, struct hold *h)
{
	struct detection d;
	double level, lowest = INFINITY, peak = -INFINITY;
	long long where = now_blk - 1, at;
	bool found = false;

	memset(h, 0, sizeof *h);
	if (thr <= 0 || !level_at(fl_all, valid_all, lo_all, now_blk, seg_blk, &level, &where))
		return false;
	for (long long b = lo_all > seg_blk ? lo_all : seg_blk; b < now_blk; b++)
		if (valid_all[b - lo_all])
			lowest = fmin(lowest, fl_all[b - lo_all]);
	if (level - lowest < 3.0 * thr)
		return false;
	for (at = now_blk - 1; at > now_blk - HOLD_BACK && at > seg_blk; at--) {
		double age = (double)(at * TREND_BLOCK_S) - (double)seg_start;

		if (age < fmin(w->min_window, w->evidence_age))
			break;
		if (judged_at(fl_all, valid_all, lo_all, at, seg_blk, seg_start, age, w, thr, &d)) {
			found = true;
			break;
		}
	}
	if (!found)
		return false;
	h->judged_blk = at;
	h->confidence = 1.0 - d.f.p;
	h->pre = INFINITY;
	h->start_blk = at - 1;
	/* The level before the rise: the lowest floor of the span judged, a day at least. */
	long long span = (long long)(d.window_s / TREND_BLOCK_S) > 24 ? (long long)(d.window_s / TREND_BLOCK_S) : 24;

	for (long long b = at - span; b < at; b++)
		if (b >= lo_all && b >= seg_blk && valid_all[b - lo_all] &&
		    fl_all[b - lo_all] < h->pre) {
			h->pre = fl_all[b - lo_all];
			h->start_blk = b;
		}
	if (!isfinite(h->pre))
		return false;
	for (long long b = at; b <= now_blk; b++) {
		double l;

		if (level_at(fl_all, valid_all, lo_all, b, seg_blk, &l, NULL))
			peak = fmax(peak, l);
	}
	/* Given back: the memory fell most of the way to where it began. */
	if (level <= h->pre || level < h->pre + 0.25 * (peak - h->pre))
		return false;
	h->level = level;
	h->rate = (level - h->pre) / fmax(1.0, (double)(where - h->start_blk));
	/* Paused: the level has not risen by an hour at the warning rate since. */
	double tol = fmax(thr, 2.0 * hourly_spread(fl_all, valid_all, lo_all, now_blk - 24, now_blk));

	for (long long b = now_blk - 1; b > seg_blk && b > lo_all; b--) {
		double l;

		if (level_at(fl_all, valid_all, lo_all, b, seg_blk, &l, NULL) && l < level - tol) {
			if (now_blk - b >= PAUSE_BLOCKS)
				h->paused_blk = b;
			break;
		}
	}
	return true;
}

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
static void early_forecast(const struct sample *s, const struct segment *g, double spacing,
			   time_t now, const struct trend_params *p, double thr,
			   struct trend_result *r)
{
	double x[MAX_FIT], y[MAX_FIT];
	struct fit f;

	if (p->limit_bytes <= 0 || (p->timeleft_warning_s <= 0 && p->timeleft_critical_s <= 0))
		return;
	int n = early_points(s, g->first, g->end, spacing, now, x, y);

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
		struct fit a, b;

		fit_series(x, y, h, Z_LONG, &a);
		fit_series(x + h, y + h, n - h, Z_LONG, &b);
		if (b.slope <= 0)
			return;
		if (a.slope > b.slope) {
			double tau = (span / 2.0) / log(a.slope / b.slope);
			double now_rate = b.slope * exp(-(x[n - 1] - (x[0] + 0.75 * span)) / tau);

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
	r->verdict = thr > 0 && f.slope >= thr ? TREND_LEAK : TREND_RISING;
}

void trend_analyze(const struct sample *samples, size_t n, time_t now,
		   const struct trend_params *p, struct trend_result *r)
{
	struct segment segs[MAX_SEGS];
	int nsegs = 0;
	unsigned seen = 0;
	const struct sample *prev = NULL;
	double min_window = p->min_window_s > 0 ? p->min_window_s : TREND_MIN_WINDOW_S;

	memset(r, 0, sizeof *r);
	r->verdict = TREND_COLLECTING;
	r->growth_state = STATE_OK;
	r->timeleft_state = STATE_OK;

	/* 1. Segments (the last MAX_SEGS of them). */
	for (size_t i = 0; i < n; i++) {
		const struct sample *x = &samples[i];
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
		segs[nsegs].end = n;
		segs[nsegs].kind = prev ? k : B_NONE;
		describe(segs[nsegs].kind, prev, x, segs[nsegs].desc, sizeof segs[nsegs].desc);
		nsegs++;
		seen++;
		prev = x;
	}
	r->segments_seen = seen;
	if (nsegs == 0)
		return;

	const struct segment *cur = &segs[nsegs - 1];
	double spacing = sample_spacing(samples, n);

	r->segment_start = samples[cur->first].t;
	r->segment_age_s = difftime(now, r->segment_start);
	if (r->segment_age_s < 0)
		r->segment_age_s = 0;
	r->restarted = cur->kind != B_NONE;
	r->reboot = cur->kind == B_REBOOT;
	copy_str(r->restart_desc, sizeof r->restart_desc, cur->desc);

	/* Baseline: configured, else learned, else learned on an earlier run. */
	if (p->baseline_bytes > 0) {
		r->have_baseline = true;
		r->baseline_bytes = p->baseline_bytes;
	} else if (p->baseline_auto || p->growth_defaults) {
		double b = learn_baseline(samples, segs, nsegs, spacing, now);

		if (b < MIN_BASELINE && p->learned_baseline_bytes >= MIN_BASELINE)
			b = p->learned_baseline_bytes;
		if (b >= MIN_BASELINE) {
			r->have_baseline = true;
			r->baseline_learned = true;
			r->baseline_bytes = b;
		}
	}
	resolve_thresholds(p, r);
	double thr = r->growth_warning_bph > 0 ? r->growth_warning_bph : r->growth_critical_bph;

	for (int g = 0; g + 1 < nsegs; g++)
		if (segment_leaked(samples, &segs[g], spacing, thr))
			r->segments_leaking++;

	/* 2. Hourly floors of the current segment, HOLD_BACK hours more than
	 *    the routes look at, for the hold. */
	double fl_all[NALL];
	bool valid_all[NALL];
	long long now_blk = trend_block_of(now), lo_all = now_blk - NALL;
	long long seg_blk = trend_block_of(r->segment_start);

	block_floors(samples, cur->first, cur->end, lo_all, NALL, spacing, now, fl_all, valid_all);
	for (long long b = lo_all; b < now_blk; b++)
		if (b < seg_blk)
			valid_all[b - lo_all] = false;
	const double *fl = fl_all + HOLD_BACK;
	const bool *valid = valid_all + HOLD_BACK;
	long long lo = now_blk - NBLK;

	for (long long b = now_blk - 1; b >= lo; b--)
		if (valid[b - lo]) {
			r->floor_bytes = fl[b - lo];
			break;
		}
	if (r->floor_bytes == 0 && samples[cur->end - 1].mem_kb > 0)
		r->floor_bytes = (double)samples[cur->end - 1].mem_kb * 1024.0;

	/*
	 * A segment that did not begin with a restart we saw (the history
	 * starts in it) may be in any phase of a daily cycle: for a day and
	 * a bit, only a rise that keeps its pace (steady_pace()).
	 */
	struct windows w = {
		.min_window = min_window,
		.evidence_age = p->min_window_strict ? min_window : EVIDENCE_AGE_S,
		.first_day = cur->kind == B_NONE ? FIRST_WINDOW_S : 0,
	};

	r->window_needed_s = min_window;

	/* 3. The routes, now. */
	struct detection d;

	detect(fl_all, valid_all, lo_all, now_blk, seg_blk, now, r->segment_age_s, &w, thr, &d);
	if (!d.have_long) {
		early_forecast(samples, cur, spacing, now, p, thr, r);
		return;
	}
	r->have_slope = true;
	r->slope_bph = d.lng.slope;
	r->slope_low_bph = d.lng.low;
	r->confidence = 1.0 - d.lng.p;
	r->window_s = d.lng_window_s;
	r->verdict = TREND_STABLE;

	double rate = 0, level = 0;

	if (d.ok) {
		const struct fit *f = &d.f;
		double low;
		int days;

		r->slope_bph = f->slope;
		r->slope_low_bph = f->low;
		r->confidence = 1.0 - f->p;
		r->window_s = d.window_s;
		r->floor_bytes = f->at_now;
		r->recent_slope_bph = f->slope;
		/*
		 * With long_run_rate set, once the rise has lasted more than a
		 * day, the rate the admin sees, the growth levels and the
		 * forecast use its long-run rate: a traffic-driven leak grows
		 * only in the daytime, and its daytime pace would bring the
		 * limit days too early.  The verdict that there is a rise stays
		 * with the routes above.
		 */
		rate = f->slope;
		if (p->long_run_rate &&
		    long_run_rate(fl, valid, lo, seg_blk, now_blk, &rate, &low, &days)) {
			r->long_run = true;
			r->slope_bph = rate;
			r->slope_low_bph = low;
			r->window_s = (double)(24 * (days + 1)) * TREND_BLOCK_S;
		}
		if (d.staircase) {
			r->staircase = true;
			r->rising_s = d.window_s;
		} else {
			r->rising_s = 3600.0 * rise_hours(fl, valid, lo, seg_blk, now_blk, rate);
		}
		level = f->at_now;
	}
	/*
	 * 4. The hold: a leak judged at an earlier check of this segment and
	 *    not given back stays a leak, also while the routes see a slower
	 *    rise now (RISING) or none (a night, a weekend).
	 */
	struct hold h;

	if (!(d.ok && thr > 0 && (rate >= thr || d.staircase)) &&
	    find_hold(fl_all, valid_all, lo_all, now_blk, seg_blk, r->segment_start, &w, thr, &h)) {
		double low;
		int days;

		r->held = true;
		r->long_run = false;
		r->judged_at = (time_t)(h.judged_blk * TREND_BLOCK_S);
		r->rise_since = (time_t)(h.start_blk * TREND_BLOCK_S);
		r->rise_bytes = h.level - h.pre;
		r->paused_since = h.paused_blk > 0 ? (time_t)(h.paused_blk * TREND_BLOCK_S) : 0;
		rate = h.rate;
		/* A leak that still grows day over day: its long-run rate. */
		if (p->long_run_rate &&
		    long_run_rate(fl, valid, lo, seg_blk, now_blk, &rate, &low, &days)) {
			r->long_run = true;
			r->slope_low_bph = low;
		} else {
			r->slope_low_bph = 0;
		}
		r->slope_bph = rate;
		r->recent_slope_bph = d.ok ? d.f.slope : d.lng.slope;
		r->confidence = h.confidence;
		r->window_s = difftime(now, r->rise_since);
		r->rising_s = r->window_s;
		r->floor_bytes = h.level;
		level = h.level;
	} else if (!d.ok) {
		/* Within the guards, the time left may still alarm. */
		if (r->segment_age_s < fmax(w.min_window, w.first_day))
			early_forecast(samples, cur, spacing, now, p, thr, r);
		return;
	}
	if (r->rising_s > r->segment_age_s)
		r->rising_s = r->segment_age_s;

	r->verdict = TREND_RISING;
	if (thr > 0 && (rate >= thr || r->held || r->staircase)) {
		/* A held or stair-stepped leak stays at least WARNING. */
		r->verdict = TREND_LEAK;
		r->growth_state = r->growth_critical_bph > 0 && rate >= r->growth_critical_bph
				  ? STATE_CRITICAL
				  : STATE_WARNING;
	}

	/* 5. Forecast. */
	if (p->limit_bytes > 0 && rate > 0) {
		double left = p->limit_bytes - level;

		r->have_forecast = true;
		r->timeleft_s = left > 0 ? left / rate * 3600.0 : 0.0;
		grade_timeleft(p, r);
	}
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
