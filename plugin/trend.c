/*
 * trend.c - leak detection over the history of one process (see trend.h
 * and ../shared/TREND.md).
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
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NBLK		72	/* blocks looked at: 3 days */
#define LONG_BLOCKS	24
#define SHORT_BLOCKS	8
#define MIN_BLOCKS	6
#define MAX_FIT		LONG_BLOCKS
#define MAX_PAIRS	(MAX_FIT * (MAX_FIT - 1) / 2)
#define Z_LONG		2.326	/* one-sided alpha 0.01 */
#define P_LONG		0.01
#define Z_SHORT		3.090	/* one-sided alpha 0.001 */
#define P_SHORT		0.001
#define DIFF_AGE_S	(30 * 3600)
#define FIRST_WINDOW_S	(30 * 3600)	/* no restart seen: wait a daily cycle */
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

enum boundary { B_NONE, B_INDEX, B_CPU, B_REBOOT, B_CLOCK };

struct segment {
	size_t first;		/* index of its first sample */
	size_t end;		/* one past its last sample */
	enum boundary kind;	/* how it began */
	char desc[96];
};

struct fit {
	int n;
	double slope;		/* per hour */
	double low;		/* lower confidence bound */
	double p;		/* one-sided, for a rise */
	double at_now;		/* fitted value at x = 0 */
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

/* Floor division, so that times before 1970 still map to whole hours. */
static long long block_of(time_t t)
{
	long long v = (long long)t;

	return v >= 0 ? v / TREND_BLOCK_S : -((-v + TREND_BLOCK_S - 1) / TREND_BLOCK_S);
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n-1]; reorders v. */
static double median(double *v, int n)
{
	if (n <= 0)
		return 0.0;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/*
 * Theil-Sen slope, its lower confidence bound at the given z, and the
 * Mann-Kendall p for a rise: S with tie-corrected variance, multiplied by
 * Hamed and Rao's n/n* from the significant autocorrelations of the ranks
 * of the detrended series (never below 1: we only ever make the test
 * stricter).  x strictly increasing, n <= MAX_FIT.
 */
static void fit_series(const double *x, const double *y, int n, double z, struct fit *f)
{
	double slopes[MAX_PAIRS], tmp[MAX_FIT], rank[MAX_FIT];
	int np = 0, s = 0;
	double var, ties = 0.0, factor = 1.0;

	memset(f, 0, sizeof *f);
	f->n = n;
	f->p = 1.0;
	if (n < 3)
		return;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			double d = y[j] - y[i];

			slopes[np++] = d / (x[j] - x[i]);
			s += (d > 0) - (d < 0);
		}
	qsort(slopes, (size_t)np, sizeof *slopes, cmp_double);
	f->slope = np % 2 ? slopes[np / 2] : 0.5 * (slopes[np / 2 - 1] + slopes[np / 2]);
	for (int i = 0; i < n; i++)
		tmp[i] = y[i] - f->slope * x[i];
	f->at_now = median(tmp, n);

	/* Ties in y. */
	memcpy(tmp, y, (size_t)n * sizeof *tmp);
	qsort(tmp, (size_t)n, sizeof *tmp, cmp_double);
	for (int i = 0; i < n;) {
		int j = i;

		while (j < n && tmp[j] == tmp[i])
			j++;
		double t = j - i;
		ties += t * (t - 1) * (2 * t + 5);
		i = j;
	}
	var = ((double)n * (n - 1) * (2 * n + 5) - ties) / 18.0;

	/* Hamed-Rao: ranks of the detrended series, average ranks for ties. */
	for (int i = 0; i < n; i++)
		tmp[i] = y[i] - f->slope * x[i];
	for (int i = 0; i < n; i++) {
		double below = 0, same = 0;

		for (int j = 0; j < n; j++) {
			below += tmp[j] < tmp[i];
			same += tmp[j] == tmp[i];
		}
		rank[i] = below + (same + 1) / 2.0;
	}
	if (n >= 4) {
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
		if (factor < 1.0)
			factor = 1.0;
	}
	var *= factor;
	if (var <= 0) {
		f->p = 1.0;
		f->low = f->slope;
		return;
	}
	f->p = s > 0 ? 0.5 * erfc(((double)s - 1.0) / sqrt(var) / sqrt(2.0)) : 1.0;
	{
		double c = z * sqrt(var), m1 = ((double)np - c) / 2.0;
		int lo = (int)floor(m1) - 1;

		if (lo < 0)
			lo = 0;
		if (lo > np - 1)
			lo = np - 1;
		f->low = m1 < 1.0 ? -INFINITY : slopes[lo];
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
	int cnt[NBLK];
	bool summary[NBLK];
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
		long long b = block_of(x->t) - lo;

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
}

/* Does a past segment end with a leak (long window test only)? */
static bool segment_leaked(const struct sample *s, const struct segment *g, double spacing,
			   double thr)
{
	double fl[NBLK], x[MAX_FIT], y[MAX_FIT];
	bool valid[NBLK];
	struct fit f;
	time_t end_t = s[g->end - 1].t;
	long long end_blk = block_of(end_t), seg_blk = block_of(s[g->first].t);
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
	long long b0 = block_of(s[g->first].t);
	int nv = 0;

	if (block_of(now) < b0 + BASE_HOURS)
		return false;
	block_floors(s, g->first, g->end, b0, BASE_SPAN, spacing, now, fl, valid);
	for (int b = 0; b < BASE_HOURS; b++)
		if (valid[b])
			v[nv++] = fl[b];
	for (int b = BASE_HOURS; nv < 2 && b < BASE_SPAN && b0 + b < block_of(now); b++)
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
	} else if (p->baseline_auto) {
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

	/* 2. Hourly floors of the current segment. */
	double fl[NBLK], x[MAX_FIT], y[MAX_FIT], xs[MAX_FIT], ys[MAX_FIT];
	bool valid[NBLK];
	long long now_blk = block_of(now), lo = now_blk - NBLK;
	long long seg_blk = block_of(r->segment_start);

	block_floors(samples, cur->first, cur->end, lo, NBLK, spacing, now, fl, valid);
	for (long long b = lo; b < now_blk; b++)
		if (b < seg_blk)
			valid[b - lo] = false;
	for (long long b = now_blk - 1; b >= lo; b--)
		if (valid[b - lo]) {
			r->floor_bytes = fl[b - lo];
			break;
		}
	if (r->floor_bytes == 0 && samples[cur->end - 1].mem_kb > 0)
		r->floor_bytes = (double)samples[cur->end - 1].mem_kb * 1024.0;

	/* 3. The two windows. */
	long long from = now_blk - LONG_BLOCKS > seg_blk ? now_blk - LONG_BLOCKS : seg_blk;
	int nl = collect(fl, valid, lo, from, now_blk, now, x, y);
	long long sfrom = now_blk - SHORT_BLOCKS > seg_blk ? now_blk - SHORT_BLOCKS : seg_blk;
	int ns = collect(fl, valid, lo, sfrom, now_blk, now, xs, ys);
	struct fit fl_long, fl_short;

	/*
	 * A segment that did not begin with a restart we saw (the history
	 * starts in it) may be in any phase of a daily cycle: wait a day.
	 */
	if (cur->kind == B_NONE && min_window < FIRST_WINDOW_S)
		min_window = FIRST_WINDOW_S;
	r->window_needed_s = min_window;
	if (r->segment_age_s < min_window || nl < MIN_BLOCKS)
		return;
	fit_series(x, y, nl, Z_LONG, &fl_long);
	r->have_slope = true;
	r->slope_bph = fl_long.slope;
	r->slope_low_bph = fl_long.low;
	r->confidence = 1.0 - fl_long.p;
	r->window_s = (double)(now_blk - from) * TREND_BLOCK_S;
	r->verdict = TREND_STABLE;

	/* Warm-ups follow restarts and level off within a day or two. */
	bool guards = !(r->segment_age_s < PLATEAU_AGE_S &&
			(plateau(x, y, nl) || decelerating(x, y, nl)));
	/* The troughs are compared with earlier troughs instead of a day ago. */
	bool warm_guard = guards;
	if (guards && r->segment_age_s >= DIFF_AGE_S)
		guards = above_yesterday(fl, valid, lo, seg_blk, now_blk);

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
	struct fit fl_fast;
	bool fast_ok = guards && !long_ok && !short_ok &&
		       fast_rise(x, y, nl, thr,
				 &fl_fast);

	struct fit fl_trough;
	bool trough_ok = warm_guard && !long_ok && !short_ok && !fast_ok &&
			 trough_rise(fl, valid, lo, seg_blk, now_blk, now, thr, &fl_trough);

	struct fit fl_wide;
	bool wide_ok = !long_ok && !short_ok && !fast_ok && !trough_ok &&
		       r->segment_age_s >= WIDE_AGE_S &&
		       wide_rise(fl, valid, lo, seg_blk, now_blk, now, thr, &fl_wide);

	if (!long_ok && !short_ok && !fast_ok && !trough_ok && !wide_ok)
		return;
	if (trough_ok)
		fl_trough.p = fl_long.p;
	/* The fast route has no p of its own: report the rank tests' best. */
	if (fast_ok)
		fl_fast.p = guards && ns >= MIN_BLOCKS ? fmin(fl_long.p, fl_short.p) : fl_long.p;

	/* The short window tells the current rate of a rise that began lately. */
	const struct fit *f = wide_ok ? &fl_wide : fast_ok ? &fl_fast : trough_ok ? &fl_trough
			      : short_ok && (!long_ok || fl_short.slope > fl_long.slope)
			      ? &fl_short : &fl_long;
	r->slope_bph = f->slope;
	r->slope_low_bph = f->low;
	r->confidence = 1.0 - f->p;
	if (f == &fl_short)
		r->window_s = (double)(now_blk - sfrom) * TREND_BLOCK_S;
	if (f == &fl_fast)
		r->window_s = (double)FAST_BLOCKS * TREND_BLOCK_S;
	if (f == &fl_wide)
		r->window_s = (double)NBLK * TREND_BLOCK_S;
	if (f == &fl_trough)
		r->window_s = r->segment_age_s < NBLK * TREND_BLOCK_S ? r->segment_age_s
								       : NBLK * TREND_BLOCK_S;
	r->floor_bytes = f->at_now;
	r->recent_slope_bph = f->slope;

	/*
	 * With long_run_rate set, once the rise has lasted more than a day,
	 * the rate the admin sees,
	 * the growth levels and the forecast use its long-run rate: a
	 * traffic-driven leak grows only in the daytime, and its daytime pace
	 * would bring the limit days too early.  The verdict that there is a
	 * rise stays with the windows above.
	 */
	double rate = f->slope, low;
	int days;

	if (p->long_run_rate && long_run_rate(fl, valid, lo, seg_blk, now_blk, &rate, &low, &days)) {
		r->long_run = true;
		r->slope_bph = rate;
		r->slope_low_bph = low;
		r->window_s = (double)(24 * (days + 1)) * TREND_BLOCK_S;
	} else {
		rate = f->slope;
	}
	r->rising_s = 3600.0 * rise_hours(fl, valid, lo, seg_blk, now_blk, rate);
	if (r->rising_s > r->segment_age_s)
		r->rising_s = r->segment_age_s;

	r->verdict = TREND_RISING;
	if (thr > 0 && rate >= thr) {
		r->verdict = TREND_LEAK;
		r->growth_state = r->growth_critical_bph > 0 && rate >= r->growth_critical_bph
				  ? STATE_CRITICAL
				  : r->growth_warning_bph > 0 ? STATE_WARNING : STATE_OK;
	}

	/* 4. Forecast. */
	if (p->limit_bytes > 0 && rate > 0) {
		double left = p->limit_bytes - f->at_now;

		r->have_forecast = true;
		r->timeleft_s = left > 0 ? left / rate * 3600.0 : 0.0;
		if (p->timeleft_critical_s > 0 && r->timeleft_s <= p->timeleft_critical_s)
			r->timeleft_state = STATE_CRITICAL;
		else if (p->timeleft_warning_s > 0 && r->timeleft_s <= p->timeleft_warning_s)
			r->timeleft_state = STATE_WARNING;
	}
}

size_t trend_compact(struct sample *s, size_t n, time_t before)
{
	long long cut = block_of(before);
	double need = 0.5 * TREND_BLOCK_S / sample_spacing(s, n);
	size_t out = 0, i = 0;

	while (i < n) {
		if (s[i].mem_kb < 0 && !s[i].hourly) {
			i++;
			continue;
		}
		if (s[i].hourly || block_of(s[i].t) >= cut) {
			s[out++] = s[i++];
			continue;
		}
		/* A run of raw samples in one hour and one segment. */
		struct sample agg = s[i];
		long long b = block_of(s[i].t);
		size_t j = i + 1, last = i, count = 1;

		for (; j < n && !s[j].hourly && block_of(s[j].t) == b; j++) {
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
