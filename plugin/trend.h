/*
 * trend.h - leak detection over the history of one process: segments
 * (restarts, reboots), hourly block floors, the routes that judge a rise,
 * the hold of a leak not given back, a forecast of the time left until a
 * limit, and a learned baseline.  How it works: trend.c's header.
 *
 * ONE JOB.  Samples and parameters in, a verdict out.  Pure: time is a
 * parameter; no I/O, no clock, no allocation (a small cache of the
 * verdicts of earlier hours, which changes no result, makes it unfit for
 * threads); it does not know where the
 * samples are kept (history.h), how they were measured (snmp.h, proc.h),
 * which Nagios state a check ends in (evaluate.h) or how the verdict is
 * written (output.h).  The statistics are stats.h's; replaying a recorded
 * series through it is replay.h's.
 *
 * CONTRACT (main.c, evaluate.c, output.c, history.c, replay.c and
 * tests/eval rely on it): the fields of struct trend_params, struct
 * trend_result and the functions below.  Fields may be added; none may be removed or change
 * meaning.
 *
 * History handed to trend_analyze() (what the state file keeps):
 *   - samples in ascending time order; each is either a raw check
 *     (hourly == false) or an hourly summary (hourly == true) made by
 *     trend_compact(): mem_kb is then the minimum (the floor) of the raw
 *     samples of one aligned UTC hour [t - t % 3600, + 3600) that belonged
 *     to one segment; indexes/cpu/uptime are those of the last raw sample
 *     summarised.  An hour that had a restart in it gives two summaries.
 *   - the routes use only hourly floors, and the early forecast takes
 *     the hourly summary of an hour in place of its finer floors, so
 *     compacting hours older than TREND_KEEP_RAW_S loses nothing they
 *     need; trend_analyze() looks back at most TREND_HISTORY_S.  The
 *     history (history.c) calls trend_compact(s, n, now - TREND_KEEP_RAW_S)
 *     before saving and may drop samples older than now - TREND_HISTORY_S.  Then a year of 1-minute
 *     checks stays below ~(TREND_KEEP_RAW_S/60 + TREND_HISTORY_S/3600)
 *     lines, about 1 000.
 *   - duplicates, clock steps backwards and gaps are allowed in the input:
 *     a sample not later than its predecessor is ignored, unless time went
 *     back by more than TREND_CLOCK_SLACK_S: then a new segment begins
 *     ("clock stepped back").
 */
#ifndef ASYNC_LEAK_TREND_H
#define ASYNC_LEAK_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"

#define TREND_BLOCK_S		3600		/* block length: one aligned hour */
#define TREND_KEEP_RAW_S	(3 * 3600)	/* raw samples kept that long */
#define TREND_HISTORY_S	(8 * 86400)	/* how far back analysis looks */
#define TREND_CLOCK_SLACK_S	300		/* backwards steps tolerated */
#define TREND_MIN_WINDOW_S	(12 * 3600)	/* default minimum segment age */

/*
 * The block (aligned hour) t falls in: t / TREND_BLOCK_S rounded down, so
 * that times before 1970 map to whole hours too.  Block b spans
 * [b * TREND_BLOCK_S, (b + 1) * TREND_BLOCK_S).
 */
static inline long long trend_block_of(time_t t)
{
	long long v = (long long)t;

	return v >= 0 ? v / TREND_BLOCK_S : -((-v + TREND_BLOCK_S - 1) / TREND_BLOCK_S);
}

/* One observation, as kept in the state file. */
struct sample {
	time_t t;
	long mem_kb;			/* summed over the matched instances */
	char indexes[128];		/* matched hrSWRunIndex values, "1388,2412" */
	unsigned long cpu_cs;		/* summed hrSWRunPerfCPU */
	bool has_cpu;
	unsigned long uptime_ticks;	/* hrSystemUptime */
	bool has_uptime;
	bool hourly;			/* an hourly floor made by trend_compact() */
};

struct trend_params {
	/*
	 * Growth thresholds in bytes per hour; <= 0: no threshold of that
	 * level.  The *_pct variants (percent of the baseline per hour, e.g.
	 * 1 for "1%/h") are used instead when > 0 and a baseline (configured
	 * or learned) is known; without a baseline they are ignored.
	 */
	double growth_warning_bph;
	double growth_critical_bph;
	double growth_warning_pct;
	double growth_critical_pct;
	double timeleft_warning_s;	/* <= 0: unset */
	double timeleft_critical_s;
	double limit_bytes;		/* <= 0: unknown, no forecast */
	double min_window_s;		/* no verdict before; <= 0: 12 h */
	/*
	 * The minimum window was configured: no verdict before it at all.
	 * Off (the built-in window): from 9 h on, a steady rise significant
	 * at the short window's level speaks before it (detect()).
	 */
	bool min_window_strict;
	double baseline_bytes;		/* configured; <= 0: none (auto may learn one) */
	bool baseline_auto;
	double learned_baseline_bytes;	/* learned on an earlier run (state); <= 0: none */
	/*
	 * Once a rise has gone on for more than a day, show, grade and
	 * forecast with its day-over-day rate (trend_result.long_run) instead
	 * of the window's slope.  Off: the window's slope throughout.
	 */
	bool long_run_rate;
	/*
	 * The growth levels are the built-in ones (none was configured):
	 * a baseline is learned for them even without baseline_auto.
	 */
	bool growth_defaults;
	/*
	 * The last check that judged a leak on the raw samples (the raw
	 * route: trend_result.raw_route), as the state file keeps it; the
	 * hold starts from it, since no later check can replay that
	 * judgement once the raw samples are compacted.  0: none.
	 */
	time_t raw_judged_at;
};

/* The built-in growth levels, percent of the baseline per hour. */
#define TREND_DEFAULT_GROWTH_WARNING_PCT	0.25
#define TREND_DEFAULT_GROWTH_CRITICAL_PCT	1.0

enum trend_verdict {
	TREND_COLLECTING,	/* segment younger than the minimum window */
	TREND_STABLE,		/* enough history, no significant rise */
	TREND_RISING,		/* significant rise below the growth thresholds */
	TREND_LEAK,		/* significant rise at or above a growth threshold */
};

struct trend_result {
	enum trend_verdict verdict;
	bool have_slope;
	/*
	 * The rate shown, graded by the growth levels and used by the
	 * forecast, bytes per hour: Theil-Sen on block floors, or, once a
	 * rise has lasted more than a day, its long-run rate (long_run).
	 */
	double slope_bph;
	double slope_low_bph;		/* lower confidence bound (lower quartile) */
	bool long_run;			/* slope_bph is the day-over-day rate */
	double recent_slope_bph;	/* the window's slope that found the rise */
	double confidence;		/* 1 - p of the trend test, 0..1 */
	double window_s;		/* span the verdict looked at */
	double rising_s;		/* how long the rise has lasted ("for 11 h") */
	bool have_forecast;
	double timeleft_s;		/* until limit_bytes at slope_bph */
	double floor_bytes;		/* current fitted floor */

	/*
	 * History the verdict needs in this segment: min_window_s (12 h by
	 * default; strong evidence may speak from 9 h unless it was
	 * configured).  For "collecting 35 min of 12 h".
	 */
	double window_needed_s;

	/* The current segment. */
	time_t segment_start;
	double segment_age_s;
	bool restarted;			/* the segment began with a restart or reboot */
	bool reboot;			/* ... with a reboot (uptime dropped) */
	char restart_desc[96];		/* "index 1388 -> 2412", "reboot" */
	unsigned segments_seen;		/* segments in the history */
	unsigned segments_leaking;	/* past segments that ended leaking */

	bool have_baseline;		/* configured or learned */
	bool baseline_learned;
	double baseline_bytes;

	/* The growth thresholds actually applied (bytes/h; 0: none). */
	double growth_warning_bph;
	double growth_critical_bph;
	bool growth_defaults;		/* ... the built-in ones */

	/*
	 * The hold: no route judges a rise now, but one did at an earlier
	 * check of this segment (replayed from the floors, up to 4 days
	 * back, or the raw route's, raw_judged_at) and the memory has not been given back since (the level,
	 * the lowest floor of the last 6 hours, keeps more than a quarter of
	 * the highest level reached since above the level before the rise).
	 * The verdict stays LEAK and at least WARNING; the rate is the
	 * cumulative rise over its hours (or the long-run rate while that is
	 * known).
	 */
	bool held;
	time_t judged_at;		/* the check that judged the rise */
	time_t rise_since;		/* where the level before the rise was */
	double rise_bytes;		/* level now - level before the rise */
	time_t paused_since;		/* the level has not risen since; 0: not paused */
	/* Judged by the day-over-day steps of the level (a staircase). */
	bool staircase;
	/* Before the minimum window: only the time left alarmed. */
	bool early;
	/* Judged on the raw samples by the raw route (trend.c, raw_rise()). */
	bool raw_route;

	enum state growth_state;	/* from growth_* thresholds */
	enum state timeleft_state;	/* from timeleft_* thresholds */
};

/*
 * Analyses samples[0..n-1] (ascending time, see above; the newest is the
 * current check) as of now.  Never fails: too little data gives
 * TREND_COLLECTING; n == 0 is fine.  Cost: linear in n plus a bounded
 * amount of pairwise work on at most 72 hourly blocks, replayed by the
 * hold for up to 96 earlier hours (each hour's answer cached).
 */
void trend_analyze(const struct sample *samples, size_t n, time_t now,
		   const struct trend_params *p, struct trend_result *r);

/*
 * Replaces the raw samples older than `before` (t < the start of before's
 * hour) by hourly floors, in place, and returns the new count.  Samples
 * already hourly are kept as they are.  Idempotent.
 */
size_t trend_compact(struct sample *samples, size_t n, time_t before);

/* "COLLECTING", "STABLE", "RISING", "LEAK". */
const char *trend_verdict_name(enum trend_verdict v);

#endif
