/*
 * snmp.h - what a check asks of the agent.  plugin/snmpload.c implements
 * it: over v1/v2c and UDP with the plugin's own datagrams
 * (plugin/udpget.c), else through the SNMP module over Net-SNMP
 * (plugin/snmp.c, see snmpmod.h); plugin/hrquery.c decides the requests
 * and what the answers mean for both.  Nothing here includes Net-SNMP.
 *
 * One check is: walk hrSWRunName (and hrSWRunPath when the match needs it)
 * with GETBULK (GETNEXT on v1), ask the caller which rows match, then one
 * GET of the matched rows' hrSWRunPerfMem, hrSWRunPerfCPU, hrSWRunStatus,
 * hrSWRunPath, plus hrMemorySize and hrSystemUptime.  No MIB files are
 * loaded, nothing is read or written under /var/lib/snmp, nothing is
 * printed to stderr: the library's own log goes through a handler that
 * keeps only warnings, for -vvv.
 *
 * What a walk's answers mean (rows, the end of a column, or a broken walk:
 * OID not increasing, OID went back, varbind missing) is decided by the
 * pure plugin/walk.c; this module sends the requests and decodes the
 * answers for it.
 *
 * Every failure is one sentence for an UNKNOWN line: no response from
 * HOST:PORT after N s; an authentication failure (which one); the agent
 * has no hrSWRunPerfTable; a value of the wrong type (with its OID); a
 * process that vanished between the walk and the GET.  Secrets never
 * appear in messages.
 */
#ifndef ASYNC_LEAK_SNMP_H
#define ASYNC_LEAK_SNMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

#define HR_NAME_MAX 64		/* RFC 2790 sizes */
#define HR_PATH_MAX 128

struct hr_proc {
	long index;			/* hrSWRunIndex: the PID */
	char name[HR_NAME_MAX + 1];
	char path[HR_PATH_MAX + 1];
	int status;			/* hrSWRunStatus; 4 = invalid */
	long mem_kb;			/* hrSWRunPerfMem */
	unsigned long cpu_cs;		/* hrSWRunPerfCPU, centiseconds */
	bool has_cpu;
};

struct hr_snapshot {
	struct hr_proc *procs;		/* matched rows, in index order; owned */
	size_t n;
	size_t rows_walked;		/* rows of hrSWRunTable seen */
	long long mem_size_kb;		/* hrMemorySize, -1 when unknown */
	unsigned long uptime_ticks;	/* hrSystemUptime, 1/100 s */
	bool has_uptime;
	unsigned requests;		/* PDUs sent, for -vv and benchmarks */
	bool repeated;			/* one GET of the remembered rows, no walk */
	char walk_reason[200];		/* why a repeat check walked, "" */
	char peer[96];			/* Net-SNMP peer used: "udp6:[::1]:161" */
};

/*
 * Decides whether a row is wanted.  path is NULL when the walk did not
 * fetch paths (need_path false).
 */
typedef bool (*snmp_match_fn)(const char *name, const char *path, void *ud);

/*
 * Resolves cfg's agent the way the query does (a transport prefix
 * honoured, IPv4 first for a name with both) into its numeric Net-SNMP
 * peer name, "udp:192.0.2.7:161" or "udp6:[::1]:161", as hr_snapshot.peer
 * holds it after a query; nothing is sent.  Returns 0, or -1 with the
 * query's own message.
 */
int snmp_resolve(const struct config *cfg, char *buf, size_t len, char *err, size_t errlen);

/*
 * Queries cfg's agent.  need_path: also walk hrSWRunPath so that match can
 * see it.  Rows whose status is invalid(4) are dropped.  On success fills
 * out (release it with snmp_snapshot_release) and returns 0; on failure
 * returns -1 with a message and out holds nothing to release (but
 * out->requests still counts the PDUs sent).
 *
 * cfg->timeout_s bounds the whole exchange: each request gets what is
 * left of it, spread over up to 3 tries.  The GET asks 10 matched rows per
 * PDU; a walk asks 64 rows per GETBULK (WALK_MAX_REPETITIONS), and the
 * answer that runs past the column ends it, so ceil((rows + 1) / 64) walk
 * PDUs + 1 GET is the usual total, within ceil(rows / 50) + 1 (+1 for the
 * SNMPv3 engine discovery; v1 walks one row per GETNEXT).
 *
 * An empty hrSWRunTable is an error (the agent lacks the MIB or the view
 * hides it: every real host runs something).  How the GET's answers are read: a matched row whose hrSWRunStatus is
 * gone (noSuchInstance, or noSuchName on v1) has vanished since the walk
 * and is dropped silently; if that leaves none of several matched rows the
 * query fails ("process 1388 vanished between the walk and the GET").  If
 * no remaining row has hrSWRunPerfMem the agent lacks the perf group (an
 * error); if only some lack it, that is an error naming them.  A missing
 * hrSWRunPerfCPU only clears has_cpu; a missing hrMemorySize gives -1, a
 * missing hrSystemUptime has_uptime false.  A value of the wrong type, and
 * a string longer than the MIB allows (64 / 128), are errors naming the
 * object.  A host name that does not resolve is "cannot resolve host 'x'".
 *
 * The library's persistent directory is a path that cannot exist
 * (/dev/null/check_async_leak): nothing is read from /etc/snmp, ~/.snmp
 * or /var/lib/snmp, and nothing is written anywhere.
 * With cfg->verbose >= 3 it traces each request and the library's
 * warnings on stderr; below that it writes nothing anywhere.
 */
int snmp_query(const struct config *cfg, snmp_match_fn match, void *ud,
	       bool need_path, struct hr_snapshot *out,
	       char *err, size_t errlen);

/*
 * The repeat check (plugin/rows.h decides): the rows the last check
 * matched, asked for in ONE GET before any walk - each row's hrSWRunName,
 * hrSWRunPath, hrSWRunStatus, hrSWRunPerfMem, hrSWRunPerfCPU, plus
 * hrSystemUptime and hrMemorySize.  still() judges the answer: got holds
 * the rows in the order of indexes (present[i] false for a row whose name
 * or status is gone, has_mem[i] for hrSWRunPerfMem).  When it stands, that
 * is the snapshot (repeated true, rows_walked 0).  When not, or the agent
 * answers tooBig, another error status, noSuchName (v1) or varbinds that
 * do not match the request, the query walks as snmp_query does, in the
 * same session (no second SNMPv3 discovery), and walk_reason says why.
 * A wrong type or an over-long string is an error, as in the walk; so are
 * a timeout and an authentication failure.  n == 0 (or rep NULL) walks
 * at once, with why_walk (may be NULL) as the walk_reason.
 */
typedef bool (*snmp_still_fn)(const struct hr_snapshot *got, const bool *present,
			      const bool *has_mem, void *ud, char *why, size_t whylen);

#define SNMP_REPEAT_MAX_ROWS 8	/* 5 varbinds each + 2 in one GET */

struct snmp_repeat {
	const long *indexes;		/* ascending */
	size_t n;			/* at most SNMP_REPEAT_MAX_ROWS */
	snmp_still_fn still;
	void *ud;
	const char *why_walk;		/* n == 0: why not, for -vv */
};

int snmp_query_repeat(const struct config *cfg, const struct snmp_repeat *rep,
		      snmp_match_fn match, void *ud, bool need_path,
		      struct hr_snapshot *out, char *err, size_t errlen);

void snmp_snapshot_release(struct hr_snapshot *snap);

/*
 * --print-keys: opens a session as a check would, with the secrets as
 * given, and sends one authenticated GET (hrSystemUptime.0), which only an
 * agent that accepts them answers.  Then writes INI lines to out: the
 * master keys (Ku, unless localized keys were given) and, commented out,
 * the keys localized to the engine ID the agent reported (Kul), as the
 * library uses them (a privacy key cut to its cipher's length).  Returns
 * 0, or -1 with a message as snmp_query's.
 */
int snmp_print_keys(const struct config *cfg, FILE *out, char *err, size_t errlen);

#endif
