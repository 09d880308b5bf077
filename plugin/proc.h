/*
 * proc.h - which hrSWRunTable rows are "the process", and what they add up
 * to.  Pure: no I/O.
 *
 * A row matches when its name equals the wanted name ignoring ASCII case
 * (Windows reports "ASYNC.EXE" or "Async.exe"), or, with a regex, when the
 * case-insensitive ERE finds a match anywhere in the name; and, when a path
 * ERE is given, when that also matches hrSWRunPath (Windows gives the
 * directory with a trailing backslash, e.g. C:\exchsrvr\CONNECT\MSMCON\BIN\).
 */
#ifndef ASYNC_LEAK_PROC_H
#define ASYNC_LEAK_PROC_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "result.h"
#include "snmp.h"

struct proc_match {
	char name[HR_NAME_MAX + 1];
	bool use_regex;
	regex_t name_re;
	bool use_path;
	regex_t path_re;
};

/*
 * Prepares a match from the config's process, regex and path settings.
 * Returns 0, or -1 with a message for a bad expression.  Release with
 * proc_match_release, also after failure.
 */
int proc_match_init(struct proc_match *m, const char *name, const char *regex,
		    const char *path, char *err, size_t errlen);
void proc_match_release(struct proc_match *m);

/* Whether a row matches.  path may be NULL when not fetched (then a path
 * match cannot be decided and the row is kept only if use_path is false). */
bool proc_match_row(const struct proc_match *m, const char *name, const char *path);

/* snmp_match_fn adapter: ud is a struct proc_match. */
bool proc_match_cb(const char *name, const char *path, void *ud);

/* A short description of what is matched, for messages: "Async.exe",
 * "/^async/", "Async.exe in /msmcon/". */
const char *proc_match_describe(const struct proc_match *m, char *buf, size_t len);

/*
 * What the matched rows add up to, in bytes: the one place where the
 * agent's kilobytes (hrSWRunPerfMem, hrMemorySize) become bytes.  From
 * here on every memory value is bytes; only the history file keeps KB.
 */
struct proc_total {
	size_t instances;		/* rows counted (invalid rows are not) */
	double mem_bytes;		/* sum of hrSWRunPerfMem, in bytes */
	unsigned long cpu_cs;		/* sum of hrSWRunPerfCPU */
	bool has_cpu;			/* every counted row had a CPU value */
	double host_mem_bytes;		/* hrMemorySize in bytes, 0 when unknown */
	struct result_instance *rows;	/* every row of the snapshot, in bytes; owned */
	size_t n_rows;
};

/*
 * Sums the rows of a snapshot that are not invalid(4) and lists every row
 * (names and paths point into snap); run once a check.  Returns 0, or -1
 * when memory runs out (rows then NULL).  Release with proc_total_release,
 * also after failure.
 */
int proc_total(const struct hr_snapshot *snap, struct proc_total *t);
void proc_total_release(struct proc_total *t);

/*
 * The matched indexes joined by ',' in ascending order ("1388,2412"), as
 * kept in the state file; "" for none.  Returns -1 when it does not fit.
 */
int proc_index_list(const struct hr_snapshot *snap, char *buf, size_t len);

#endif
