/*
 * rows.c - the repeat check's decisions (see rows.h).
 */
#include "rows.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define STATUS_INVALID 4

void rows_recall(const struct history *h, struct rows_memory *mem)
{
	memset(mem, 0, sizeof *mem);
	mem->n = h->nrows <= HISTORY_MAX_ROWS ? h->nrows : 0;
	if (mem->n)
		memcpy(mem->rows, h->rows, mem->n * sizeof mem->rows[0]);
	mem->walked_at = h->walked_at;
	mem->has_uptime = h->rows_has_uptime;
	mem->uptime = h->rows_uptime;
}

/* "31 min", "2 h", "40 s": for -vv only. */
static void age(char *buf, size_t size, double s)
{
	if (s >= 7200)
		snprintf(buf, size, "%.0f h", s / 3600);
	else if (s >= 120)
		snprintf(buf, size, "%.0f min", s / 60);
	else
		snprintf(buf, size, "%.0f s", s);
}

bool rows_may_repeat(const struct rows_memory *mem, time_t now, double interval_s,
		     char *why, size_t whylen)
{
	char a[32];

	if (interval_s <= 0) {
		snprintf(why, whylen, "--walk-interval 0: every check walks");
		return false;
	}
	if (mem->n == 0) {
		snprintf(why, whylen, "no matched rows remembered");
		return false;
	}
	if (mem->walked_at <= 0 || mem->walked_at > now) {
		snprintf(why, whylen, "the time of the last walk is unknown");
		return false;
	}
	if ((double)(now - mem->walked_at) >= interval_s) {
		age(a, sizeof a, (double)(now - mem->walked_at));
		snprintf(why, whylen, "walk due: the last one was %s ago", a);
		return false;
	}
	why[0] = '\0';
	return true;
}

bool rows_still_match(const struct rows_memory *mem, const struct proc_match *m,
		      const struct hr_snapshot *got, const bool *present, const bool *has_mem,
		      char *why, size_t whylen)
{
	char text[80];
	size_t i;

	if (got->n != mem->n) {
		snprintf(why, whylen, "the answer has %zu rows, not %zu", got->n, mem->n);
		return false;
	}
	for (i = 0; i < mem->n; i++) {
		const struct history_row *r = &mem->rows[i];
		const struct hr_proc *p = &got->procs[i];

		if (p->index != r->index) {	/* the caller's bug, not the agent's */
			snprintf(why, whylen, "row %zu is index %ld, not %ld", i, p->index, r->index);
			return false;
		}
		if (!present[i]) {
			snprintf(why, whylen, "process %ld is gone", r->index);
			return false;
		}
		if (strcmp(p->name, r->name) != 0) {
			snprintf(why, whylen, "hrSWRunName.%ld is now '%s'", r->index,
				 quote_text(text, sizeof text, p->name, strlen(p->name)));
			return false;
		}
		if (strcmp(p->path, r->path) != 0) {
			snprintf(why, whylen, "hrSWRunPath.%ld changed", r->index);
			return false;
		}
		if (!proc_match_row(m, p->name, p->path)) {
			snprintf(why, whylen, "process %ld no longer matches", r->index);
			return false;
		}
		if (p->status == STATUS_INVALID) {
			snprintf(why, whylen, "process %ld is invalid(4)", r->index);
			return false;
		}
		if (!has_mem[i]) {
			snprintf(why, whylen, "hrSWRunPerfMem.%ld is missing", r->index);
			return false;
		}
		if (r->has_cpu && p->has_cpu && p->cpu_cs < r->cpu_cs) {
			snprintf(why, whylen, "the CPU time of process %ld went down: another "
				 "process under the same index", r->index);
			return false;
		}
	}
	if (mem->has_uptime && got->has_uptime && got->uptime_ticks < mem->uptime) {
		snprintf(why, whylen, "hrSystemUptime went down (the host restarted)");
		return false;
	}
	if (mem->has_uptime && !got->has_uptime) {
		snprintf(why, whylen, "hrSystemUptime is missing");
		return false;
	}
	why[0] = '\0';
	return true;
}

size_t rows_of_snapshot(const struct hr_snapshot *snap, struct history_row *rows, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < snap->n; i++)
		if (snap->procs[i].status != STATUS_INVALID)
			n++;
	if (n > max || n > HISTORY_MAX_ROWS)
		return 0;
	n = 0;
	for (i = 0; i < snap->n; i++) {
		const struct hr_proc *p = &snap->procs[i];

		if (p->status == STATUS_INVALID)
			continue;
		memset(&rows[n], 0, sizeof rows[n]);
		rows[n].index = p->index;
		copy_str(rows[n].name, sizeof rows[n].name, p->name);
		copy_str(rows[n].path, sizeof rows[n].path, p->path);
		rows[n].cpu_cs = p->cpu_cs;
		rows[n].has_cpu = p->has_cpu;
		n++;
	}
	return n;
}
