/*
 * result.h - the one record a check hands from evaluate() to output():
 * every decision already taken, every number in its base unit (bytes,
 * seconds, bytes per hour), nothing formatted.  output.c renders it and
 * decides nothing (model: monitoring-plugins' mp_check / mp_subcheck /
 * mp_perfdata: results are values, formatted at the end).
 *
 * It may not hold a struct config or a struct hr_snapshot: what output
 * needs of them (the instances, the agent line and the settings of -vv)
 * is copied or pointed to here as plain values.
 */
#ifndef ASYNC_LEAK_RESULT_H
#define ASYNC_LEAK_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "range.h"
#include "states.h"
#include "trend.h"

#define RESULT_MAX_NOTES	8
#define RESULT_MAX_PERFDATA	12
#define RESULT_MAX_SETTINGS	64

/* Where the baseline came from (evaluate decides). */
enum baseline_source {
	BASELINE_NONE,
	BASELINE_CONFIGURED,		/* --baseline SIZE */
	BASELINE_LEARNED,		/* learned by the trend (--baseline auto) */
};

/* Where the limit the forecast counts down to came from (evaluate decides). */
enum limit_source {
	LIMIT_NONE,			/* no limit known: no forecast */
	LIMIT_OPTION,			/* --limit */
	LIMIT_CRITICAL,			/* the upper end of an absolute --critical */
	LIMIT_PHYSICAL,			/* hrMemorySize */
};

/* One matched hrSWRunTable row, as measured (bytes, seconds). */
struct result_instance {
	long index;
	const char *name;
	const char *path;		/* "" when unknown */
	const char *status;		/* "running", "runnable", ... */
	double mem_bytes;
	bool has_cpu;
	double cpu_s;
};

/* How the agent was asked, for -vv. */
struct result_query {
	const char *peer;		/* "udp:192.0.2.7:161" */
	const char *protocol;		/* "2c" */
	bool repeated;			/* one GET of the remembered rows */
	size_t rows;			/* rows matched */
	size_t rows_walked;		/* rows of hrSWRunTable seen */
	unsigned requests;
	const char *walk_reason;	/* "" for none */
};

/* One setting not at its built-in default, for -vv (secrets masked). */
struct result_setting {
	const char *name;
	const char *value;
	const char *origin;		/* "command line", "[defaults]", ... */
};

/* The perfdata items; their labels and units are output.c's (a contract, output.h). */
enum perf_id {
	PERF_MEM,			/* 'mem', B */
	PERF_FLOOR,			/* 'floor', B */
	PERF_LIMIT,			/* 'limit', B */
	PERF_GROWTH,			/* 'growth', bytes per hour, no UOM */
	PERF_TIMELEFT,			/* 'timeleft', s */
	PERF_TIMELEFT_WARNING,		/* 'timeleft_warning', s */
	PERF_TIMELEFT_CRITICAL,		/* 'timeleft_critical', s */
	PERF_BASELINE,			/* 'baseline', B */
	PERF_INSTANCES,			/* 'instances', a count */
	PERF_COUNT
};

/*
 * One perfdata item, 'label'=VALUE[UOM][;WARN;CRIT][;MIN][;MAX].  Values
 * in base units; rounding, if any, was done by whoever made the item.
 */
struct perfdata {
	enum perf_id id;
	double value;
	bool thresholds;		/* ";WARN;CRIT" follows (either may be unset: "") */
	struct range warn, crit;	/* resolved */
	bool has_min;
	double min;
	bool has_max;
	double max;
};

struct evaluation {
	enum state state;		/* overall */
	enum state mem_state;
	enum state instances_state;
	enum state growth_state;
	enum state timeleft_state;
	bool missing;			/* no process matched */
	bool config_error;		/* a threshold cannot apply: UNKNOWN, reason says why */

	/* What was measured. */
	char process[96];		/* what was matched, for the text */
	size_t instances;
	double mem_bytes;		/* summed over the instances */
	double host_mem_bytes;		/* hrMemorySize, 0 when unknown */
	const struct result_instance *rows;	/* every matched row (caller-owned) */
	size_t n_rows;
	struct result_query query;

	/* What it was judged against. */
	enum baseline_source baseline_source;
	double baseline_bytes;		/* valid unless BASELINE_NONE */
	enum limit_source limit_source;
	double limit_bytes;		/* valid unless LIMIT_NONE */
	struct range warning, critical;	/* resolved to bytes; .set false when skipped */
	struct range instances_warning, instances_critical;

	/* The trend, when there is one (a copy, with the horizons it used). */
	bool have_trend;
	struct trend_result trend;
	double timeleft_warning_s;	/* <= 0: unset */
	double timeleft_critical_s;
	double min_window_s;
	bool growth_defaults;		/* the built-in growth levels apply */

	char reason[256];		/* why the state is not OK, for the first line */
	const char *advice;		/* NULL for none */
	const char *notes[RESULT_MAX_NOTES];	/* extra long-output lines (static or caller-owned) */
	size_t n_notes;
	char history_note[1100];		/* storage for the history's note, when evaluate wrote it */

	struct perfdata perf[RESULT_MAX_PERFDATA];
	size_t n_perf;

	/* -vv and up: the agent line, the settings and the growth levels. */
	int verbose;
	struct result_setting settings[RESULT_MAX_SETTINGS];
	size_t n_settings;
};

#endif
