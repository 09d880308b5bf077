/*
 * evaluate.h - from what was measured (memory, instances, trend) and what
 * was configured (thresholds, baseline, limit) to states and the reasons
 * behind them.  Pure: no I/O, no clock.
 *
 * The overall state is the worst of the memory, instance, growth and
 * time-left states, CRITICAL > WARNING > UNKNOWN > OK.  A missing process
 * gives --missing-state (CRITICAL) and nothing else is judged.
 * Percentages resolve against the baseline: the configured one, else the
 * learned one (--baseline auto); while none is known yet, percent
 * thresholds are skipped with a note rather than failing every check.
 */
#ifndef ASYNC_LEAK_EVALUATE_H
#define ASYNC_LEAK_EVALUATE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "proc.h"
#include "range.h"
#include "states.h"
#include "trend.h"

#define EVAL_MAX_NOTES 8

struct evaluation {
	enum state state;		/* overall */
	enum state mem_state;
	enum state instances_state;
	enum state growth_state;
	enum state timeleft_state;
	bool missing;			/* no process matched */
	bool config_error;		/* a threshold cannot apply: UNKNOWN, reason says why */

	char process[96];		/* what was matched, for the text */
	struct proc_total total;
	double mem_max_bytes;		/* hrMemorySize * 1024, 0 when unknown */

	bool have_baseline;
	bool baseline_learned;
	double baseline_bytes;
	double limit_bytes;		/* 0 when unknown */
	const char *limit_source;	/* "--limit", "critical threshold", "physical memory" */

	struct range warning, critical;	/* resolved to bytes; .set false when skipped */
	struct range instances_warning, instances_critical;
	struct trend_params trend;	/* as passed to trend_analyze, for perfdata */

	char reason[256];		/* why the state is not OK, for the first line */
	const char *advice;		/* NULL for none */
	const char *notes[EVAL_MAX_NOTES];	/* extra long-output lines (static or caller-owned) */
	size_t n_notes;
};

/* The advice built in for Async.exe (KB Q260554, Exchange 5.5 SP4). */
extern const char evaluate_default_advice[];

/*
 * Fills trend parameters from cfg: growth thresholds in bytes/hour or, for
 * "N%/h", in percent (trend_analyze resolves them against the configured
 * or learned baseline), time-left horizons, the limit, the minimum window,
 * the configured baseline (baseline_bytes, 0 for none).
 */
void evaluate_trend_params(const struct config *cfg, double baseline_bytes,
			   double limit_bytes, struct trend_params *p);

/*
 * Judges one check.  snap: the matched rows (never NULL); tr: the trend and
 * tp the parameters it was computed with, both NULL when there is no
 * history.  Never fails.
 */
void evaluate(const struct config *cfg, const struct proc_match *m,
	      const struct hr_snapshot *snap, const struct trend_result *tr,
	      const struct trend_params *tp, struct evaluation *ev);

/* Adds a long-output note (ignored past EVAL_MAX_NOTES); text must outlive ev. */
void evaluate_add_note(struct evaluation *ev, const char *text);

#endif
