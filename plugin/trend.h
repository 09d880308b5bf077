/*
 * trend.h - leak detection over the history of one process: segments
 * (restarts, reboots), block floors, a robust slope with a significance
 * test, a forecast of the time left until a limit, a learned baseline.
 * Pure: time is a parameter, no I/O.  See ../shared/TREND.md and README.
 *
 * CONTRACT (main.c, evaluate.c, output.c and tests/eval rely on it): the
 * fields of struct trend_params, struct trend_result and the two functions
 * below.  Fields may be added; none may be removed or change meaning.
 */
#ifndef ASYNC_LEAK_TREND_H
#define ASYNC_LEAK_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"

/* One observation, as kept in the state file. */
struct sample {
	time_t t;
	long mem_kb;			/* summed over the matched instances */
	char indexes[128];		/* matched hrSWRunIndex values, "1388,2412" */
	unsigned long cpu_cs;		/* summed hrSWRunPerfCPU */
	bool has_cpu;
	unsigned long uptime_ticks;	/* hrSystemUptime */
	bool has_uptime;
};

struct trend_params {
	double growth_warning_bph;	/* <= 0: no growth threshold of that level */
	double growth_critical_bph;
	double timeleft_warning_s;	/* <= 0: unset */
	double timeleft_critical_s;
	double limit_bytes;		/* <= 0: unknown, no forecast */
	double min_window_s;		/* no verdict before this much of a segment */
	double baseline_bytes;		/* configured; <= 0: none (auto may learn one) */
	bool baseline_auto;
};

enum trend_verdict {
	TREND_COLLECTING,	/* segment younger than the minimum window */
	TREND_STABLE,		/* enough history, no significant rise */
	TREND_RISING,		/* significant rise below the growth thresholds */
	TREND_LEAK,		/* significant rise at or above a growth threshold */
};

struct trend_result {
	enum trend_verdict verdict;
	bool have_slope;
	double slope_bph;		/* bytes per hour, Theil-Sen on block floors */
	double slope_low_bph;		/* lower confidence bound */
	double confidence;		/* 1 - p of the trend test, 0..1 */
	double window_s;		/* span the verdict looked at */
	double rising_s;		/* how long the rise has lasted ("for 11 h") */
	bool have_forecast;
	double timeleft_s;		/* until limit_bytes at slope_bph */
	double floor_bytes;		/* current fitted floor */

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

	enum state growth_state;	/* from growth_* thresholds */
	enum state timeleft_state;	/* from timeleft_* thresholds */
};

/*
 * Analyses samples[0..n-1] (ascending time; the newest is the current
 * check) as of now.  Never fails: too little data gives TREND_COLLECTING.
 */
void trend_analyze(const struct sample *samples, size_t n, time_t now,
		   const struct trend_params *p, struct trend_result *r);

#endif
