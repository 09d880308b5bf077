/*
 * evaluate.h - from what was measured (memory, instances, trend) and what
 * was configured (thresholds, baseline, limit) to states and the reasons
 * behind them.  Pure: no I/O, no clock.
 *
 * The one room that decides: the baseline (configured, learned by the
 * trend, or none), the limit and where it came from, every state, the
 * notes, and the perfdata items; it fills one struct evaluation
 * (result.h) that output.c only renders.
 *
 * The overall state is the worst of the memory, instance, growth and
 * time-left states, CRITICAL > WARNING > UNKNOWN > OK.  A missing process
 * gives --missing-state (CRITICAL) and nothing else is judged.
 * Percentages resolve against the baseline: the configured one, else the
 * learned one (--baseline auto); while none is known yet, percent
 * thresholds are skipped with a note rather than failing every check.
 * A history that could not be read or saved makes an OK check UNKNOWN.
 */
#ifndef ASYNC_LEAK_EVALUATE_H
#define ASYNC_LEAK_EVALUATE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "proc.h"
#include "range.h"
#include "result.h"
#include "states.h"
#include "trend.h"

/* How the history step went (plugin/main.c). */
enum history_status {
	HISTORY_NOT_RUN,		/* no instance: nothing to record */
	HISTORY_OK,			/* loaded, analysed, saved */
	HISTORY_BUSY,			/* another check held the lock all of -t */
	HISTORY_FAILED,			/* could not be read or saved */
};

struct history_outcome {
	enum history_status status;
	const char *error;		/* BUSY, FAILED: why */
	const char *note;		/* OK: a "History: ..." line, NULL or "" for none */
	const struct trend_result *trend;	/* OK: the trend */
	const struct trend_params *params;	/* OK: what it was computed with */
};

/* The advice built in for Async.exe (KB Q260554, Exchange 5.5 SP4). */
extern const char evaluate_default_advice[];

/*
 * The limit the forecast counts down to, in bytes (0: none), and where it
 * came from: --limit, else the upper end of an absolute --critical, else
 * the host's physical memory (host_mem_bytes, 0 when unknown).
 */
double evaluate_limit(const struct config *cfg, double host_mem_bytes, enum limit_source *src);

/*
 * Fills trend parameters from cfg: growth thresholds in bytes/hour or, for
 * "N%/h", in percent (trend_analyze resolves them against the configured
 * or learned baseline), time-left horizons, the limit (evaluate_limit),
 * the minimum window, the configured baseline (0 for none).  The learned
 * baseline is the history's to add (learned_baseline_bytes).
 */
void evaluate_trend_params(const struct config *cfg, double host_mem_bytes,
			   struct trend_params *p);

/*
 * Judges one check.  snap: the query (for the -vv agent line); total: its
 * rows added up (proc_total, bytes); hist: how the history step went
 * (NULL: not run).  secret_exposed: the INI file holding a secret is
 * readable by others (a note).  Strings in ev point into cfg, snap, total
 * and hist, which must outlive it.  Never fails.
 */
void evaluate(const struct config *cfg, const struct proc_match *m,
	      const struct hr_snapshot *snap, const struct proc_total *total,
	      const struct history_outcome *hist, bool secret_exposed,
	      struct evaluation *ev);

#endif
