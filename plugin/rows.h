/*
 * rows.h - the repeat check: when a check may GET the rows the last check
 * matched instead of walking hrSWRunTable, and whether the answer still
 * stands for a walk.  Pure: no I/O.
 *
 * The history remembers the matched rows (index, hrSWRunName,
 * hrSWRunPath, hrSWRunPerfCPU), the time of the last full walk and the
 * last hrSystemUptime (history.h, "# rows" / "# row").  The next check then
 * sends ONE GET for those rows' name, path, status, memory and CPU plus
 * hrSystemUptime and hrMemorySize, and takes the answer as the snapshot
 * when every row is still the same process:
 *   - the row is there (no noSuchInstance / noSuchName), not invalid(4),
 *     with hrSWRunPerfMem;
 *   - its name and path are byte for byte the remembered ones, and still
 *     match the check's process (and path) expression;
 *   - its CPU time did not go down (a lower hrSWRunPerfCPU under the same
 *     index is another process that reused it, or the 32-bit counter
 *     wrapped: either way a walk settles it);
 *   - hrSystemUptime did not go down (a reboot; or its wrap after 497 days).
 * Anything else - a mismatch, tooBig, an error status - and the check walks
 * as a first check does, in the same session.  A walk also runs when the
 * last one is older than --walk-interval (so a second instance that
 * appears is found within it), when nothing is remembered, or when more
 * than HISTORY_MAX_ROWS rows matched.  What a walk cannot tell apart (the
 * same image restarted under the same index with more CPU time than the
 * old one had) the repeat check cannot either.
 */
#ifndef ASYNC_LEAK_ROWS_H
#define ASYNC_LEAK_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "history.h"
#include "proc.h"
#include "snmp.h"

#define ROWS_WHY_MAX 160

/* What the last check left for this one (a copy out of the history). */
struct rows_memory {
	struct history_row rows[HISTORY_MAX_ROWS];
	size_t n;
	time_t walked_at;		/* 0: unknown */
	bool has_uptime;
	unsigned long uptime;
};

/* Copies what the history remembers. */
void rows_recall(const struct history *h, struct rows_memory *mem);

/*
 * Whether this check may try the repeat GET: rows remembered, and the
 * last walk less than interval_s ago (interval_s <= 0: always walk).
 * When not, why gets the reason for -vv ("no rows remembered", "walk due:
 * the last one was 31 min ago", ...).
 */
bool rows_may_repeat(const struct rows_memory *mem, time_t now, double interval_s,
		     char *why, size_t whylen);

/*
 * Whether the repeat GET's answer stands: got holds the rows in mem's
 * order (got->n == mem->n; index, name, path, status, mem_kb, cpu_cs as
 * answered, with present[i] false for a row the agent no longer has and
 * has_mem[i] for hrSWRunPerfMem), its uptime as answered.  m is the
 * check's match.  When it does not stand, why names the first reason
 * ("process 1388 is gone", "hrSWRunName.1388 is now 'notepad.exe'", ...).
 */
bool rows_still_match(const struct rows_memory *mem, const struct proc_match *m,
		      const struct hr_snapshot *got, const bool *present, const bool *has_mem,
		      char *why, size_t whylen);

/*
 * The rows of a snapshot to remember (at most HISTORY_MAX_ROWS; more gives
 * n = 0, so the next check walks).  Returns the number stored.
 */
size_t rows_of_snapshot(const struct hr_snapshot *snap, struct history_row *rows, size_t max);

#endif
