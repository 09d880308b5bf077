/*
 * main.c - one check, in this order: command line, INI file,
 * validation, SNMP query, history load, trend, history save, evaluation,
 * output, exit code.
 *
 * The only file with side effects it does not hand off: it reads the clock
 * once, owns the alarm() backstop, and turns every error into one UNKNOWN
 * line and exit 3.  Nothing here may exit with another code or die by a
 * signal: Nagios would read 1 as WARNING and a signal as a crash.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "evaluate.h"
#include "histname.h"
#include "history.h"
#include "histstore.h"
#include "inifile.h"
#include "output.h"
#include "proc.h"
#include "replay.h"
#include "rows.h"
#include "snmp.h"
#include "store_redis.h"
#include "trend.h"
#include "util.h"

/* Written before alarm() is armed; the handler may only use async-signal-safe calls. */
static char timeout_line[128];

/* When the check started (CLOCK_MONOTONIC): -t counts from here. */
static struct timespec started;

/* Milliseconds left of timeout_s since the start (0 when none). */
static long long ms_left(unsigned timeout_s)
{
	struct timespec ts;
	long long used;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	used = (long long)(ts.tv_sec - started.tv_sec) * 1000 +
	       (ts.tv_nsec - started.tv_nsec) / 1000000;
	return (long long)timeout_s * 1000 > used ? (long long)timeout_s * 1000 - used : 0;
}

static void on_alarm(int sig)
{
	ssize_t rc;

	(void)sig;
	rc = write(STDOUT_FILENO, timeout_line, strlen(timeout_line));
	(void)rc;
	_exit(STATE_UNKNOWN);
}

/*
 * Arms (or re-arms) the alarm for timeout_s + 1 seconds after the start.
 * The SNMP layer and the lock wait keep to timeout_s themselves; this
 * only catches a hang elsewhere.  Armed first with the command line's -t
 * (or the default) so that reading the INI file runs under it too, then
 * again with the final -t.
 */
static void arm_backstop(unsigned timeout_s)
{
	struct sigaction sa;
	long long left = ms_left(timeout_s + 1);

	snprintf(timeout_line, sizeof timeout_line,
		 "ASYNC_LEAK UNKNOWN - check timed out after %u s\n", timeout_s + 1);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(left > 0 ? (unsigned)((left + 999) / 1000) : 1);
}

static int fail(const char *message)
{
	output_unknown(stdout, message);
	fflush(stdout);
	return STATE_UNKNOWN;
}

static int usage_error(const char *message)
{
	output_unknown(stdout, message);
	cli_print_usage(stdout);
	fflush(stdout);
	return STATE_UNKNOWN;
}

/*
 * Applies the INI file: -f FILE (must exist), else $CHECK_ASYNC_LEAK_CONFIG
 * or the default path when that file exists; then each --extra-opts.
 */
static int load_ini(struct config *cfg, const struct cli_args *args,
		    struct inifile_notes *notes, char *err, size_t errlen)
{
	const char *path = cfg->config_file_set ? cfg->config_file : getenv("CHECK_ASYNC_LEAK_CONFIG");
	const char *section = cfg->section[0] ? cfg->section : cli_value(args, OPT_HOSTNAME);

	struct inifile_notes more;

	memset(notes, 0, sizeof *notes);
	if (!path || !path[0])
		path = CONFIG_DEFAULT_FILE;
	if (cfg->section[0] && !cfg->config_file_set && !inifile_exists(path))
		return errorf(err, errlen, "-s %s: no INI file to read the section from (%s"
			      " does not exist; give one with -f FILE)", cfg->section, path);
	if ((cfg->config_file_set || inifile_exists(path)) &&
	    inifile_load(cfg, path, section, cfg->section[0] != '\0', notes, err, errlen) != 0)
		return -1;
	/* --extra-opts sections, in their order, over the file above. */
	for (size_t i = 0; i < args->n; i++) {
		if (args->items[i].id != OPT_EXTRA_OPTS)
			continue;
		if (inifile_extra_opts(cfg, args->items[i].value, &more, err, errlen) != 0)
			return -1;
		notes->secret_exposed |= more.secret_exposed;
	}
	return 0;
}

/* The legacy history being moved (see open_history); closed when its store is NULL. */
static struct locked_history old_st;

/*
 * Opens and locks the check's history, named after the agent the query
 * reached (histname.h): path receives its file.  When that file does not
 * exist yet but one under the legacy name (after -H as written and the
 * section, versions up to 0.1) does, its history is taken over: *moved is
 * set, old_st stays locked, and the caller removes the legacy file with
 * remove_legacy() once the new one is saved.  The new name is always
 * locked first, so two checks never wait on each other.  *busy is set
 * when the lock was held by another check for all of lock_wait_ms.
 * This and remove_legacy() are the state files' own (the path, the
 * directory, the legacy move); a history kept in another store would be
 * opened with history_open_in() (histstore.h) under its key instead.
 */
static int open_history(const struct config *cfg, const struct hr_snapshot *snap, time_t now,
			unsigned lock_wait_ms, struct locked_history *st, char *path, size_t pathlen,
			bool *moved, bool *busy, char *err, size_t errlen)
{
	static struct config agent;
	char key[HISTORY_KEY_MAX + 1], old_key[HISTORY_KEY_MAX + 1], old_path[HISTORY_PATH_MAX];
	const char *mp = getenv("MP_STATE_PATH");
	unsigned euid = (unsigned)geteuid();
	struct history tmp;

	*moved = false;
	*busy = false;
	if (history_agent_config(cfg, snap->peer, &agent, err, errlen) != 0 ||
	    history_path(&agent, mp, euid, path, pathlen, err, errlen) != 0 ||
	    history_key(&agent, key, sizeof key, err, errlen) != 0 ||
	    history_path(cfg, mp, euid, old_path, sizeof old_path, err, errlen) != 0 ||
	    history_key(cfg, old_key, sizeof old_key, err, errlen) != 0 ||
	    history_prepare_dir(path, euid, err, errlen) != 0)
		return -1;
	if (history_open(st, path, NULL, now, lock_wait_ms, err, errlen) != 0) {
		*busy = st->busy;
		return -1;
	}
	history_claim(&st->h, key, old_key);
	if (st->existed || strcmp(old_path, path) == 0 || access(old_path, F_OK) != 0)
		return 0;

	/* A legacy history: read it under its own lock and take it over. */
	if (history_open(&old_st, old_path, old_key, now, lock_wait_ms, err, errlen) != 0) {
		*busy = old_st.busy;
		history_close(st);
		return -1;
	}
	if (!old_st.existed || old_st.h.foreign) {	/* gone meanwhile, or not ours */
		history_close(&old_st);
		return 0;
	}
	tmp = st->h;
	st->h = old_st.h;
	old_st.h = tmp;
	history_claim(&st->h, key, old_key);
	*moved = true;
	return 0;
}

/* The file name of path, at most 200 bytes of it (HISTORY_KEY_MAX + ".state"). */
static const char *file_name(const char *path)
{
	static char buf[2][HISTORY_KEY_MAX + 8];
	static int which;
	const char *slash = strrchr(path, '/');

	which ^= 1;
	copy_str(buf[which], sizeof buf[which], slash ? slash + 1 : path);
	return buf[which];
}

/* Removes the legacy file old_st (and its lock file) and closes it. */
static void remove_legacy(struct locked_history *old)
{
	char lock[sizeof old->where + 8];

	if (!old->store)
		return;
	snprintf(lock, sizeof lock, "%s.lock", old->where);
	unlink(old->where);
	history_close(old);
	unlink(lock);
}

/* Time kept back from the lock wait for analysing, saving and output. */
#define RESERVE_MS 300

/* ---- The Redis store (--history redis://..., store_redis.h) ---- */

/* Whether the history is kept in Redis rather than in a state file. */
static bool in_redis(const struct config *cfg)
{
	return strcmp(cfg->history, "file") != 0;
}

/* A connection made at its first use, its first failure kept, so a
 * server that is down or slow costs one timeout, not one per step. */
struct redis_conn {
	struct redis_store s;
	bool tried;
	struct redis_history rh;	/* the store's object over s */
};

/* The run's: --history; and --history-copy-from's source. */
static struct redis_conn redis, redis_src;

/* Connects rc to url (once) within timeout_ms. */
static int redis_connect(struct redis_conn *rc, const char *url, unsigned timeout_ms,
			 char *err, size_t errlen)
{
	struct redis_url u;

	if (rc->tried) {
		if (rc->s.c)
			return 0;
		return errorf(err, errlen, "%s", rc->s.failed);
	}
	rc->tried = true;
	rc->rh.s = &rc->s;
	if (redis_url_parse(url, &u, err, errlen) != 0) {
		copy_str(rc->s.failed, sizeof rc->s.failed, err);
		return -1;
	}
	return redis_store_connect(&rc->s, &u, timeout_ms, err, errlen);
}

/*
 * The check's history key in Redis: REDIS_KEY_PREFIX and the state file's
 * name without ".state" (histname.h), after the agent's address (peer)
 * into rkey; key receives the name alone, as the history's "# key=" line.
 */
static int redis_key(const struct config *cfg, const char *peer, char *key, size_t keylen,
		     char *rkey, size_t rkeylen, char *err, size_t errlen)
{
	static struct config agent;
	int rc = history_agent_config(cfg, peer, &agent, err, errlen) != 0 ||
		 history_key(&agent, key, keylen, err, errlen) != 0 ? -1 : 0;

	config_wipe_secrets(&agent);
	if (rc != 0)
		return -1;
	if ((size_t)snprintf(rkey, rkeylen, "%s%s", REDIS_KEY_PREFIX, key) >= rkeylen)
		return errorf(err, errlen, "Redis key too long");
	return 0;
}

/*
 * Opens the check's history in Redis, locked, as open_history() does for a
 * file: rkey and the server go into where for messages.  A value that is
 * not a history, or one this check may not take (another check's, another
 * format version), is refused and left as it is: in a store several
 * machines share it is a mistake to show, not a history to restart.
 */
static int open_history_redis(const struct config *cfg, struct redis_conn *rc, const char *url,
			      const char *peer, time_t now, unsigned lock_wait_ms,
			      struct locked_history *st, char *where, size_t wherelen, bool *busy,
			      char *err, size_t errlen)
{
	char key[HISTORY_KEY_MAX + 1], rkey[REDIS_KEY_MAX];

	*busy = false;
	if (redis_key(cfg, peer, key, sizeof key, rkey, sizeof rkey, err, errlen) != 0 ||
	    redis_connect(rc, url, lock_wait_ms, err, errlen) != 0)
		return -1;
	redis_store_set_timeout(&rc->s, lock_wait_ms);
	/* At most REDIS_LOCK_HOLD_MS, and never past this check's alarm. */
	rc->rh.hold_ms = (unsigned)ms_left(cfg->timeout_s) + 1500;
	if (rc->rh.hold_ms > REDIS_LOCK_HOLD_MS)
		rc->rh.hold_ms = REDIS_LOCK_HOLD_MS;
	snprintf(where, wherelen, "Redis key %s at %s", rkey, rc->s.where);
	if (history_open_in(st, &history_redis_store, &rc->rh, rkey, NULL, now, lock_wait_ms,
			    err, errlen) != 0) {
		*busy = st->busy;
		return -1;
	}
	if (st->h.key[0] && strcmp(st->h.key, key) != 0) {
		char other[HISTORY_KEY_MAX + 1];

		copy_str(other, sizeof other, st->h.key);
		history_close(st);
		return errorf(err, errlen, "%s holds the history of another check (%s), not"
			      " of %s; left untouched", where, other, key);
	}
	if (st->h.foreign) {
		char note[HISTORY_NOTE_MAX];

		copy_str(note, sizeof note, st->h.note);
		history_close(st);
		return errorf(err, errlen, "%s: %s; left untouched", where, note);
	}
	history_claim(&st->h, key, NULL);
	return 0;
}

/* One check's history, from load to save. */
struct history_step {
	struct locked_history st;	/* the history, locked from load to save */
	char path[HISTORY_PATH_MAX];
	bool moved;			/* taken over from the legacy name */
	time_t now;			/* as of the lock */
	bool busy;			/* the lock was held by another check all of -t */
	char err[ERRBUF_SIZE];
	char note[ERRBUF_SIZE + HISTORY_NOTE_MAX + 64];	/* "History: ..." or "" */
};

/*
 * History load: lock the history (a state file, or Redis with --history),
 * add this check's sample (taken at sample_t, when the agent was asked)
 * and hand the trend the baseline it learned on an earlier run.  The
 * history keeps KB: the two conversions here and in save_history() are
 * its boundary.  The lock wait is what is left of -t.  Returns 0, or
 * -1 with hs->err (hs->busy when the lock was held all that time).
 */
static int load_history(const struct config *cfg, const struct hr_snapshot *snap,
			const struct proc_total *total, time_t sample_t,
			struct trend_params *tp, struct history_step *hs)
{
	struct sample s;
	long long left = ms_left(cfg->timeout_s) - RESERVE_MS;
	unsigned lock_wait_ms = left > 0 ? (unsigned)left : 0;

	hs->moved = false;
	if (in_redis(cfg) ? open_history_redis(cfg, &redis, cfg->history, snap->peer, sample_t,
					       lock_wait_ms, &hs->st, hs->path, sizeof hs->path,
					       &hs->busy, hs->err, sizeof hs->err) :
	    open_history(cfg, snap, sample_t, lock_wait_ms, &hs->st, hs->path, sizeof hs->path,
			 &hs->moved, &hs->busy, hs->err, sizeof hs->err))
		return -1;
	/* As of the lock: a check that overlapped this one and saved first
	 * has its sample in the past, not the future. */
	hs->now = hs->st.now;

	memset(&s, 0, sizeof s);
	s.t = sample_t;
	s.mem_kb = (long)(total->mem_bytes / 1024.0);
	proc_index_list(snap, s.indexes, sizeof s.indexes);
	s.cpu_cs = total->cpu_cs;
	s.has_cpu = total->has_cpu;
	s.uptime_ticks = snap->uptime_ticks;
	s.has_uptime = snap->has_uptime;
	if (history_append(&hs->st.h, &s, hs->err, sizeof hs->err) != 0) {
		history_close(&hs->st);
		history_close(&old_st);
		return -1;
	}
	if (hs->st.h.have_baseline)
		tp->learned_baseline_bytes = (double)hs->st.h.baseline_kb * 1024.0;
	tp->raw_judged_at = hs->st.h.raw_judged_at;
	return 0;
}

/*
 * History save: keep the baseline the trend learned (KB, the file's
 * unit), the rows for the next check's repeat GET, write, let go.
 * Also says what the history did (hs->note).  Returns 0, or -1 with
 * hs->err.
 */
static int save_history(const struct config *cfg, const struct hr_snapshot *snap,
			const struct trend_result *tr, struct history_step *hs)
{
	struct history_row rows[HISTORY_MAX_ROWS];
	struct history *h = &hs->st.h;
	size_t rows_n;

	if (tr->baseline_learned && tr->have_baseline)
		history_set_baseline(h, (long)(tr->baseline_bytes / 1024.0), hs->now);
	if (tr->raw_route)
		history_set_raw_judged(h, hs->now);
	hs->note[0] = '\0';
	if (h->note[0])
		snprintf(hs->note, sizeof hs->note, "History: %s", h->note);
	else if (hs->moved)
		snprintf(hs->note, sizeof hs->note, "History: moved from %s to %s (named after"
			 " the agent's address now, not -H or the section).",
			 file_name(old_st.where), file_name(hs->path));
	else if (cfg->verbose >= 1)
		snprintf(hs->note, sizeof hs->note, "History: %zu record%s in %s.", h->n,
			 h->n == 1 ? "" : "s", hs->path);

	/* For the next check's repeat GET; a walk restarts the interval. */
	rows_n = rows_of_snapshot(snap, rows, HISTORY_MAX_ROWS);
	history_set_rows(h, rows, rows_n, snap->repeated ? h->walked_at : hs->now,
			 snap->has_uptime, snap->uptime_ticks);

	if (history_save(&hs->st, hs->now, hs->err, sizeof hs->err) != 0) {
		history_close(&hs->st);
		history_close(&old_st);
		return -1;
	}
	if (hs->moved)
		remove_legacy(&old_st);
	history_close(&old_st);
	history_close(&hs->st);
	return 0;
}

_Static_assert(HISTORY_MAX_ROWS <= SNMP_REPEAT_MAX_ROWS, "remembered rows fit one GET");

/*
 * recall() from Redis: connects (the run's one connection) and reads
 * within a quarter of -t, at most 2 s, so that a slow server leaves the
 * SNMP query its time; a failure is kept for the history step to report.
 */
static void recall_redis(const struct config *cfg, time_t now, struct rows_memory *mem)
{
	static struct locked_history st;
	char key[HISTORY_KEY_MAX + 1], rkey[REDIS_KEY_MAX], err[ERRBUF_SIZE];
	char peer[sizeof ((struct hr_snapshot *)0)->peer];
	long long quarter = ms_left(cfg->timeout_s) / 4;
	unsigned wait_ms = quarter > 2000 ? 2000 : quarter > 1 ? (unsigned)quarter : 1;

	if (snmp_resolve(cfg, peer, sizeof peer, err, sizeof err) != 0 ||
	    redis_key(cfg, peer, key, sizeof key, rkey, sizeof rkey, err, sizeof err) != 0 ||
	    redis_connect(&redis, cfg->history, wait_ms, err, sizeof err) != 0)
		return;
	redis_store_set_timeout(&redis.s, wait_ms);
	redis.rh.hold_ms = wait_ms + 1000;
	if (history_open_in(&st, &history_redis_store, &redis.rh, rkey, NULL, now, 100, err,
			    sizeof err) != 0)
		return;
	if (strcmp(st.h.key, key) == 0 && !st.h.foreign)
		rows_recall(&st.h, mem);
	history_close(&st);
}

/*
 * What the last check remembered for the repeat check (plugin/rows.h):
 * the history read under its lock and let go at once, before any SNMP.
 * Creates nothing: no history file yet, a busy lock or any error just
 * means nothing is remembered, and this check walks.
 */
static void recall(const struct config *cfg, time_t now, struct rows_memory *mem)
{
	static struct locked_history st;	/* large; static keeps it off the stack */
	static struct config agent;
	char path[HISTORY_PATH_MAX], key[HISTORY_KEY_MAX + 1], err[ERRBUF_SIZE];
	char peer[sizeof ((struct hr_snapshot *)0)->peer];

	memset(mem, 0, sizeof *mem);
	if (cfg->walk_interval_s > 0 && in_redis(cfg)) {
		recall_redis(cfg, now, mem);
		return;
	}
	/* The history's name, from the agent's address (see open_history). */
	if (cfg->walk_interval_s <= 0 ||
	    snmp_resolve(cfg, peer, sizeof peer, err, sizeof err) != 0 ||
	    history_agent_config(cfg, peer, &agent, err, sizeof err) != 0 ||
	    history_path(&agent, getenv("MP_STATE_PATH"), (unsigned)geteuid(), path, sizeof path,
		       err, sizeof err) != 0 ||
	    history_key(&agent, key, sizeof key, err, sizeof err) != 0 ||
	    access(path, F_OK) != 0 ||
	    history_open(&st, path, key, now, 100, err, sizeof err) != 0)
		return;
	rows_recall(&st.h, mem);
	history_close(&st);
}

struct repeat_ud {
	const struct rows_memory *mem;
	const struct proc_match *match;
};

static bool still_cb(const struct hr_snapshot *got, const bool *present, const bool *has_mem,
		     void *ud, char *why, size_t whylen)
{
	const struct repeat_ud *r = ud;

	return rows_still_match(r->mem, r->match, got, present, has_mem, why, whylen);
}

/*
 * The query: what the last check remembered (a repeat GET of its rows),
 * else a walk.  Returns 0 with snap filled, or -1 with a message.
 */
static int query(const struct config *cfg, time_t now, struct proc_match *match,
		 struct hr_snapshot *snap, char *err, size_t errlen)
{
	static struct rows_memory mem;
	long indexes[HISTORY_MAX_ROWS];
	struct repeat_ud rud;
	struct snmp_repeat rep;
	char why[ROWS_WHY_MAX];

	recall(cfg, now, &mem);
	for (size_t i = 0; i < mem.n; i++)
		indexes[i] = mem.rows[i].index;
	rud.mem = &mem;
	rud.match = match;
	memset(&rep, 0, sizeof rep);
	rep.indexes = indexes;
	rep.still = still_cb;
	rep.ud = &rud;
	rep.why_walk = why;
	if (rows_may_repeat(&mem, now, cfg->walk_interval_s, why, sizeof why))
		rep.n = mem.n;
	return snmp_query_repeat(cfg, &rep, proc_match_cb, match, match->use_path, snap, err,
				 errlen);
}

/*
 * One check: query -> add up (bytes from here on) -> history load ->
 * trend -> history save -> evaluate -> output, each once.  The history is
 * saved before the verdict so that a save that fails is said in it.
 */
static int check(const struct config *cfg, const struct inifile_notes *notes)
{
	static struct history_step hs;	/* large; static keeps it off the stack */
	static struct evaluation ev;
	char err[ERRBUF_SIZE];
	struct proc_match match;
	struct hr_snapshot snap;
	struct proc_total total;
	struct trend_params tp;
	struct trend_result tr;
	struct history_outcome hist = { .status = HISTORY_NOT_RUN };
	time_t now = time(NULL);	/* the sample's time: when the agent is asked */
	int rc;

	if (proc_match_init(&match, cfg->process, config_use_regex(cfg) ? cfg->regex : NULL,
			    cfg->path, err, sizeof err) != 0) {
		proc_match_release(&match);
		return fail(err);
	}
	if (query(cfg, now, &match, &snap, err, sizeof err) != 0) {
		proc_match_release(&match);
		return fail(err);
	}
	if (proc_total(&snap, &total) != 0) {
		proc_total_release(&total);
		snmp_snapshot_release(&snap);
		proc_match_release(&match);
		return fail("out of memory adding up the matched rows");
	}

	if (total.instances > 0) {
		evaluate_trend_params(cfg, total.host_mem_bytes, &tp);
		hist.status = HISTORY_FAILED;
		if (load_history(cfg, &snap, &total, now, &tp, &hs) == 0) {
			size_t n;
			const struct sample *samples = history_samples(&hs.st.h, &n);

			trend_analyze(samples, n, hs.now, &tp, &tr);
			if (save_history(cfg, &snap, &tr, &hs) == 0)
				hist = (struct history_outcome){ HISTORY_OK, NULL, hs.note, &tr, &tp };
		}
		if (hist.status != HISTORY_OK) {
			hist.status = hs.busy ? HISTORY_BUSY : HISTORY_FAILED;
			hist.error = hs.err;
		}
	}

	evaluate(cfg, &match, &snap, &total, &hist, notes->secret_exposed, &ev);
	output_write(stdout, &ev);
	rc = (int)ev.state;

	proc_total_release(&total);
	snmp_snapshot_release(&snap);
	proc_match_release(&match);
	fflush(stdout);
	return rc;
}

/*
 * --replay FILE: the recorded series through the same trend code, one line
 * a step.  Exit 0 when the whole file was read, 3 on bad input.
 */
static int replay(const struct config *cfg)
{
	char err[ERRBUF_SIZE], msg[ERRBUF_SIZE + CONFIG_PATH_MAX + 16];
	struct trend_params tp;
	FILE *in = strcmp(cfg->replay, "-") == 0 ? stdin : fopen(cfg->replay, "r");
	int rc;

	if (!in) {
		snprintf(msg, sizeof msg, "cannot read %s: %s", cfg->replay, strerror(errno));
		return fail(msg);
	}
	evaluate_trend_params(cfg, 0, &tp);	/* no agent: no physical memory */
	rc = replay_run(in, stdout, &tp, err, sizeof err);
	if (in != stdin)
		fclose(in);
	fflush(stdout);
	if (rc != 0) {
		snprintf(msg, sizeof msg, "%s: %s", cfg->replay, err);
		return fail(msg);
	}
	return STATE_OK;
}

/* --print-keys: the SNMPv3 keys as INI lines on stdout, exit 0; no check. */
static int print_keys(const struct config *cfg)
{
	char err[ERRBUF_SIZE];

	if (snmp_print_keys(cfg, stdout, err, sizeof err) != 0)
		return fail(err);
	return STATE_OK;
}

/*
 * Opens this check's history in store ("file" or a Redis URL; rc its
 * connection) for --history-copy-from, describing it in where.  A source
 * (!dest) state file that is not there is not made, nor its directory.
 */
static int open_store(const struct config *cfg, const char *store, struct redis_conn *rc,
		      bool dest, const char *peer, time_t now, struct locked_history *st,
		      char *where, size_t wherelen, char *err, size_t errlen)
{
	static struct config agent;
	char key[HISTORY_KEY_MAX + 1];
	long long left = ms_left(cfg->timeout_s) - RESERVE_MS;
	unsigned wait_ms = left > 0 ? (unsigned)left : 1;
	unsigned euid = (unsigned)geteuid();
	bool busy;
	int rc_;

	if (strcmp(store, "file") != 0)
		return open_history_redis(cfg, rc, store, peer, now, wait_ms, st, where, wherelen,
					  &busy, err, errlen);
	rc_ = history_agent_config(cfg, peer, &agent, err, errlen) != 0 ||
	      history_path(&agent, getenv("MP_STATE_PATH"), euid, where, wherelen, err,
			   errlen) != 0 ||
	      history_key(&agent, key, sizeof key, err, errlen) != 0 ? -1 : 0;
	config_wipe_secrets(&agent);
	if (rc_ != 0)
		return -1;
	if (!dest && access(where, F_OK) != 0)
		return errorf(err, errlen, "no history to copy in %s (%s)", where, strerror(errno));
	if ((dest && history_prepare_dir(where, euid, err, errlen) != 0) ||
	    history_open(st, where, NULL, now, wait_ms, err, errlen) != 0)
		return -1;
	if (st->h.key[0] && strcmp(st->h.key, key) != 0) {
		history_close(st);
		return errorf(err, errlen, "%s holds the history of another check (%s), not of %s",
			      where, st->h.key, key);
	}
	history_claim(&st->h, key, NULL);
	return 0;
}

/*
 * --history-copy-from STORE: this check's history (named as the check
 * names it, after the agent's address) copied from STORE into the
 * --history store, which must not hold records yet.  No SNMP request is
 * sent (the agent's name is only resolved).  One line, exit 0 or 3.
 */
static int copy_history(const struct config *cfg)
{
	static struct locked_history src, dst;
	char from[HISTORY_PATH_MAX + REDIS_WHERE_MAX], to[HISTORY_PATH_MAX + REDIS_WHERE_MAX];
	char err[ERRBUF_SIZE], msg[sizeof from + HISTORY_NOTE_MAX + 64];
	char peer[sizeof ((struct hr_snapshot *)0)->peer];
	time_t now = time(NULL);
	struct history tmp;
	size_t n;

	if (snmp_resolve(cfg, peer, sizeof peer, err, sizeof err) != 0)
		return fail(err);
	if (open_store(cfg, cfg->history_copy_from, &redis_src, false, peer, now, &src, from,
		       sizeof from, err, sizeof err) != 0)
		return fail(err);
	if (!src.existed || src.h.n == 0 || src.h.foreign) {
		snprintf(msg, sizeof msg, "no history to copy in %s%s%s", from,
			 src.h.note[0] ? ": " : "", src.h.note);
		history_close(&src);
		return fail(msg);
	}
	if (open_store(cfg, cfg->history, &redis, true, peer, now, &dst, to, sizeof to, err,
		       sizeof err) != 0) {
		history_close(&src);
		return fail(err);
	}
	if (dst.existed && dst.h.n > 0) {
		snprintf(msg, sizeof msg, "%s already holds a history (%zu records); not"
			 " overwritten", to, dst.h.n);
		history_close(&dst);
		history_close(&src);
		return fail(msg);
	}
	tmp = dst.h;
	dst.h = src.h;
	src.h = tmp;
	n = dst.h.n;
	if (history_save(&dst, dst.now, err, sizeof err) != 0) {
		history_close(&dst);
		history_close(&src);
		return fail(err);
	}
	history_close(&dst);
	history_close(&src);
	printf("ASYNC_LEAK OK - history copied: %zu record%s from %s to %s (the old one is"
	       " left as it was)\n", n, n == 1 ? "" : "s", from, to);
	fflush(stdout);
	return STATE_OK;
}

int main(int argc, char **argv)
{
	static struct config cfg;	/* large; static keeps it off the stack */
	struct cli_args args;
	struct inifile_notes notes;
	char err[ERRBUF_SIZE];
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &started);
	config_init(&cfg);
	if (cli_parse(argc, argv, &args, err, sizeof err) != 0)
		return usage_error(err);

	/* What decides which file and section to read comes first, and -t,
	 * which the INI file's reading already runs under. */
	for (size_t i = 0; i < args.n; i++) {
		enum option_id id = args.items[i].id;

		if (id != OPT_HELP && id != OPT_VERSION && id != OPT_CONFIG && id != OPT_SECTION &&
		    id != OPT_TIMEOUT)
			continue;
		if (config_set(&cfg, id, args.items[i].value, ORIGIN_CLI, err, sizeof err) != 0)
			return usage_error(err);
	}
	if (cfg.show_help) {
		cli_print_help(stdout);
		return STATE_UNKNOWN;
	}
	if (cfg.show_version) {
		printf("check_async_leak " VERSION "\n");
		return STATE_UNKNOWN;
	}

	arm_backstop(cfg.timeout_s);
	if (load_ini(&cfg, &args, &notes, err, sizeof err) != 0)
		return fail(err);
	for (size_t i = 0; i < args.n; i++) {
		enum option_id id = args.items[i].id;

		if (id == OPT_HELP || id == OPT_VERSION || id == OPT_CONFIG || id == OPT_SECTION)
			continue;
		if (config_set(&cfg, id, args.items[i].value, ORIGIN_CLI, err, sizeof err) != 0)
			return usage_error(err);
	}
	/* A replay file that cannot be read is the first thing to say. */
	if (cfg.replay[0] && strcmp(cfg.replay, "-") != 0) {
		FILE *in = fopen(cfg.replay, "r");

		if (!in) {
			char msg[ERRBUF_SIZE + CONFIG_PATH_MAX + 16];

			snprintf(msg, sizeof msg, "cannot read %s: %s", cfg.replay, strerror(errno));
			return fail(msg);
		}
		fclose(in);
	}
	if (config_validate(&cfg, err, sizeof err) != 0)
		return usage_error(err);

	if (cfg.replay[0]) {
		alarm(0);	/* a replay is not a check: no -t */
		return replay(&cfg);
	}
	arm_backstop(cfg.timeout_s);
	rc = cfg.print_keys ? print_keys(&cfg) : cfg.history_copy_from[0] ? copy_history(&cfg) :
	     check(&cfg, &notes);
	redis_store_close(&redis.s);
	redis_store_close(&redis_src.s);
	config_wipe_secrets(&cfg);
	return rc;
}
