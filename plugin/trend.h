/*
 * trend.h - leak detection over the history of one process: segments
 * (restarts, reboots), hourly block floors, a robust slope (Theil-Sen) with
 * a significance test (Mann-Kendall, tie- and autocorrelation-corrected), a
 * forecast of the time left until a limit, a learned baseline, and the
 * replay of a recorded series through the same code.
 * Pure: time is a parameter, no I/O except replay_run() on caller's FILEs.
 * See README (section "trend").
 *
 * CONTRACT (main.c, evaluate.c, output.c, state.c and tests/eval rely on
 * it): the fields of struct trend_params, struct trend_result and the
 * functions below.  Fields may be added; none may be removed or change
 * meaning.
 *
 * History handed to trend_analyze() (what the state file keeps):
 *   - samples in ascending time order; each is either a raw check
 *     (hourly == false) or an hourly summary (hourly == true) made by
 *     trend_compact(): mem_kb is then the minimum (the floor) of the raw
 *     samples of one aligned UTC hour [t - t % 3600, + 3600) that belonged
 *     to one segment; indexes/cpu/uptime are those of the last raw sample
 *     summarised.  An hour that had a restart in it gives two summaries.
 *   - trend_analyze() uses only hourly floors, so compacting hours older
 *     than TREND_KEEP_RAW_S loses nothing it needs; it looks back at most
 *     TREND_HISTORY_S.  The state module should call
 *     trend_compact(s, n, now - TREND_KEEP_RAW_S) before saving and may drop
 *     samples older than now - TREND_HISTORY_S.  Then a year of 1-minute
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
#include <stdio.h>
#include <time.h>

#include "config.h"

#define TREND_BLOCK_S		3600		/* block length: one aligned hour */
#define TREND_KEEP_RAW_S	(3 * 3600)	/* raw samples kept that long */
#define TREND_HISTORY_S	(8 * 86400)	/* how far back analysis looks */
#define TREND_CLOCK_SLACK_S	300		/* backwards steps tolerated */
#define TREND_MIN_WINDOW_S	(12 * 3600)	/* default minimum segment age */

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
	 * default), 30 h when the history began inside the segment (no start
	 * seen: a daily cycle could look like a leak).  For "collecting 35 min
	 * of 12 h".
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
	 * back) and the memory has not been given back since (the level,
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

	enum state growth_state;	/* from growth_* thresholds */
	enum state timeleft_state;	/* from timeleft_* thresholds */
};

/*
 * Analyses samples[0..n-1] (ascending time, see above; the newest is the
 * current check) as of now.  Never fails: too little data gives
 * TREND_COLLECTING; n == 0 is fine.  Cost: linear in n plus a bounded
 * amount of pairwise work on at most 72 hourly blocks.
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

/*
 * Parses one line of a recorded series: "UNIX_TIME MEM_KB [INDEXES [...]]"
 * (white space separated; fields after INDEXES are ignored and '-' is no
 * index, so a state file's lines replay as they are) or CSV "UNIX_TIME,MEM_KB[,INDEXES...]" (the
 * rest of the line after the second comma is the index list, quotes
 * removed).  Returns 1 with *s filled, 0 for a blank or '#' comment line
 * (and for a CSV header line when header_ok), -1 with a message.
 */
int replay_parse_line(const char *line, bool header_ok, struct sample *s,
		      char *err, size_t errlen);

/*
 * Feeds the series read from `in` step by step through trend_analyze()
 * (each sample is a check at its own time, history compacted as the state
 * file would be) and prints one line per step to `out`:
 *   TIME(ISO UTC) MEM_KB VERDICT SLOPE_KB/H LOW_KB/H CONF TIMELEFT_H
 *   GROWTH_STATE TIMELEFT_STATE SEGMENT_AGE_H [restart description]
 * after a '#' header line (slopes in KiB/h, "-" when unknown).  Samples
 * out of time order are handled as trend_analyze() does.  Returns 0, or -1
 * with a message naming the line ("line 12: 'x' is not a unix time") on
 * malformed input or when reading fails.
 */
int replay_run(FILE *in, FILE *out, const struct trend_params *p,
	       char *err, size_t errlen);

#endif
