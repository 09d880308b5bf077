/*
 * eval.c - evaluation harness for the leak detection (make eval).
 *
 * Generates seeded synthetic memory traces of Async.exe-like processes
 * (the families below), runs the plugin's own code path causally over them
 * - a check every 5 minutes: the sample appended to an in-memory state
 * history (plugin/history.c, compacted as a save would), trend parameters
 * from a parsed configuration (plugin/config.c, evaluate_trend_params()),
 * trend_analyze(), the learned baseline kept as the state file keeps it,
 * and the Nagios state from evaluate() (plugin/evaluate.c) - next to three
 * competitors, and prints one report.
 *
 * The plugin runs with two configurations, each parsed from its option
 * strings by config_set() as the command line would be:
 *   plugin   the README's recommended settings: --baseline auto
 *            --growth-warning 0.25%/h --growth-critical 1%/h
 *            --timeleft-warning 48h --timeleft-critical 12h --limit 512MB
 *   default  out of the box: --baseline auto and nothing else (no growth
 *            levels, the built-in time-left levels), the limit being the
 *            host's memory (hrMemorySize 512 MiB), as without --limit.
 * Competitors, each tuned by a threshold search to the largest
 * sensitivity that keeps <= 1 false alarm per 100 leak-free service-days
 * pooled over the non-leak families:
 *   ols    predict_linear(mem[6h], T) > limit for 1h  (T searched)
 *   deriv  deriv(mem[1h]) > R for 1h                   (R searched)
 *   ewma   Checkmk-style: rate per check smoothed by an EWMA of 24 h
 *          half-life, time left = (limit - now) / rate < T (T searched)
 *
 * A false alarm is a transition into WARNING/CRITICAL on a leak-free trace
 * or before the leak's onset.  A leak is found when the first alarm after
 * its onset comes before its limit.  After that first alarm (in each
 * segment: a restart gives the memory back) the report measures the share
 * of checks in alarm until the limit, the next restart or the trace's end,
 * and the alarm -> OK drops in that span; for the fast families the hours
 * left before the limit at the first CRITICAL.  A check the SNMP poll
 * would have missed (a gap in the trace) is judged on the history so far.
 *
 * Usage: eval [SEEDS_PER_FAMILY]   (EVAL_SEED_BASE=N: another seed set;
 *                                    EVAL_ONLY=F,F,...: only these families;
 *                                    EVAL_VERBOSE=1: each trace's onset, its
 *                                    weekday (0 Monday) and hour, and the
 *                                    plugin's alarm changes, on stderr)
 *        eval --list               the families, by number
 *        eval --dump FAMILY SEED   the trace as a --replay file
 *        eval --replay FILE        the replay with the recommended settings
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "evaluate.h"
#include "history.h"
#include "proc.h"
#include "replay.h"
#include "snmp.h"
#include "trend.h"

#define DAYS		14
#define MAXDAYS		21
#define CHECK_S		300
#define NCHECK		(MAXDAYS * 86400 / CHECK_S)
#define LIMIT_KB	(512.0 * 1024.0)
#define HOST_MEM_KB	(512LL * 1024)	/* hrMemorySize of the simulated host */
#define START_T		1767571200	/* 2026-01-05 00:00 UTC, a Monday */
#define MAXS		(MAXDAYS * 1440 + 16)
#define MAXSTEPS	32
#define NMETH		5

/* Method 0 and 1 are the plugin's configurations; 2.. the competitors. */
enum { M_OURS, M_DEFAULT, M_OLS, M_DERIV, M_EWMA };
static const char *const meth_name[NMETH] = { "plugin", "default", "ols6h", "deriv1h", "ewma24h" };
#define NCONF 2

enum kind {
	K_FLAT, K_NOISE, K_AR05, K_AR09, K_SAW10M, K_SAW1H, K_SAW6H, K_DAILY, K_CRASH,
	K_STEP, K_WARMUP, K_DIURNAL, K_GAPS,
	K_LEAK, K_BUSINESS, K_SAWLEAK, K_DAILYLEAK, K_GAPSLEAK,
	/* Added later: new kinds go last, the seeds of the others stay. */
	K_WARMSTART, K_LEAKSTART, K_FASTSTART, K_FASTRESTART, K_STAIR, K_STEPS,
};

struct family {
	const char *name;
	enum kind kind;
	double rate_kbh;	/* KB/h; 0: no steady rate given */
	double rate_pct;	/* or %/h of the base level, when > 0 */
	int days;		/* trace length; 0: DAYS */
	int big;		/* a leak of >= 1 %/h of the baseline */
};

static const struct family families[] = {
	{ "flat", K_FLAT, 0, 0, 0, 0 },
	{ "noise+spikes", K_NOISE, 0, 0, 0, 0 },
	{ "ar1 phi=0.5", K_AR05, 0, 0, 0, 0 },
	{ "ar1 phi=0.9", K_AR09, 0, 0, 0, 0 },
	{ "sawtooth 10min", K_SAW10M, 0, 0, 0, 0 },
	{ "sawtooth 1h", K_SAW1H, 0, 0, 0, 0 },
	{ "sawtooth 6h", K_SAW6H, 0, 0, 0, 0 },
	{ "daily restart", K_DAILY, 0, 0, 0, 0 },
	{ "crash restarts", K_CRASH, 0, 0, 0, 0 },
	{ "step change", K_STEP, 0, 0, 0, 0 },
	{ "warm-up", K_WARMUP, 0, 0, 0, 0 },
	{ "24h cycle", K_DIURNAL, 0, 0, 0, 0 },
	{ "gaps", K_GAPS, 0, 0, 0, 0 },
	{ "warm-up at start", K_WARMSTART, 0, 0, 0, 0 },
	{ "leak 100KB/h", K_LEAK, 100, 0, 0, 0 },
	{ "leak 500KB/h", K_LEAK, 500, 0, 0, 0 },
	{ "leak 2000KB/h", K_LEAK, 2000, 0, 0, 1 },
	{ "leak 10000KB/h", K_LEAK, 10000, 0, 0, 1 },
	{ "business-hours 4000KB/h", K_BUSINESS, 4000, 0, 0, 1 },
	{ "sawtooth+leak 2000KB/h", K_SAWLEAK, 2000, 0, 0, 1 },
	{ "daily restart+leak 2000", K_DAILYLEAK, 2000, 0, 0, 1 },
	{ "gaps+leak 2000KB/h", K_GAPSLEAK, 2000, 0, 0, 1 },
	{ "slow leak 0.3%/h", K_LEAK, 0, 0.3, 0, 0 },
	{ "leak under way 2000KB/h", K_LEAKSTART, 2000, 0, 0, 1 },
	{ "fast leak at start", K_FASTSTART, 0, 0, 0, 1 },
	{ "fast leak after restart", K_FASTRESTART, 0, 0, 0, 1 },
	{ "staircase 5%/d at 03:00", K_STAIR, 0, 0, 0, 0 },
	{ "steps 3-8%/d random hour", K_STEPS, 0, 0, 0, 0 },
	{ "business 3 weeks 2000KB/h", K_BUSINESS, 2000, 0, 21, 1 },
};
#define NFAM (sizeof families / sizeof families[0])

static int fam_leak(size_t f)
{
	const struct family *x = &families[f];

	return x->rate_kbh > 0 || x->rate_pct > 0 || x->kind == K_FASTSTART ||
	       x->kind == K_FASTRESTART || x->kind == K_STAIR || x->kind == K_STEPS;
}

static int fam_fast(size_t f)
{
	return families[f].kind == K_FASTSTART || families[f].kind == K_FASTRESTART;
}

/* ---- random numbers (splitmix64) ---- */
struct rng { unsigned long long s; };

static double urand(struct rng *r)
{
	unsigned long long z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double nrand(struct rng *r)
{
	return sqrt(-2.0 * log(urand(r))) * cos(2.0 * M_PI * urand(r));
}

static double uni(struct rng *r, double a, double b)
{
	return a + (b - a) * urand(r);
}

/* ---- one trace ---- */
struct trace {
	size_t n;
	time_t t[MAXS];
	long kb[MAXS];
	int seg[MAXS];
	double onset;		/* absolute time, or -1: first visible growth */
	double limit_t;		/* when the leak alone would reach the limit */
	double end;		/* the history ends here */
	double restarts[64];	/* restart times */
	int nrestarts;
};

static int is_business(double t)
{
	long long d = (long long)((t - START_T) / 86400.0);
	double h = fmod(t - START_T, 86400.0) / 3600.0;

	return d % 7 < 5 && h >= 8.0 && h < 18.0;
}

/* The next 03:00 UTC at or after t. */
static double next_0300(double t)
{
	double d = floor((t - START_T) / 86400.0);
	double c = START_T + d * 86400.0 + 3 * 3600.0;

	return c >= t ? c : c + 86400.0;
}

static void generate(const struct family *fam, int seed, struct trace *tr)
{
	struct rng r = { 0x51ed5eedULL * (unsigned long long)(seed + 1) +
			 (unsigned long long)fam->kind * 7919ULL + (unsigned long long)fam->rate_kbh };
	double step = seed % 2 ? 300.0 : 60.0;
	double base = 204800.0 * uni(&r, 0.9, 1.1);
	double sigma = base * 0.003, phi = 0, ar = 0, spikes = 0;
	double saw_p = 0, saw_a = 0, saw_phase = 0, saw_len = 0;
	double wu_a = 0, wu_tau = 1;
	double diur_a = 0, diur_phase = 0;
	double steps_t[MAXSTEPS], steps_h[MAXSTEPS];
	int nsteps = 0;
	double loss = 0, outage_at = -1;
	int business = fam->kind == K_BUSINESS;
	double rate = fam->rate_pct > 0 ? base * fam->rate_pct / 100.0 : fam->rate_kbh;
	double next_restart = -1, restart_every = 0, crash_mean = 0;
	double seg_start = START_T;
	double began, pre_extra = 0, days = fam->days > 0 ? fam->days : DAYS;
	int seg = 0;
	double t0 = START_T + 3600.0 * floor(uni(&r, 0, 24)) + uni(&r, 0, 3600);

	tr->n = 0;
	tr->nrestarts = 0;
	tr->end = t0 + days * 86400.0;
	tr->onset = rate > 0 ? t0 + uni(&r, 2, 9) * 86400.0 : -1;
	/* A business-hours leak begins when it first grows. */
	while (business && !is_business(tr->onset))
		tr->onset = 60.0 * ceil((tr->onset + 1) / 60.0);
	switch (fam->kind) {
	case K_FLAT: sigma = base * 0.001; break;
	case K_NOISE: sigma = base * 0.01; spikes = 0.01; break;
	case K_AR05: phi = 0.5; sigma = base * 0.01; break;
	case K_AR09: phi = 0.9; sigma = base * 0.01; break;
	case K_SAW10M: saw_p = 600; break;
	case K_SAW1H: saw_p = 3600; break;
	case K_SAW6H: saw_p = 6 * 3600; break;
	case K_SAWLEAK: saw_p = seed % 4 < 2 ? 3600 : 6 * 3600; break;
	case K_DAILY: case K_DAILYLEAK: restart_every = 86400; wu_a = uni(&r, 0.02, 0.1);
		wu_tau = uni(&r, 1800, 7200); break;
	case K_CRASH: crash_mean = 3 * 86400; wu_a = uni(&r, 0.02, 0.2);
		wu_tau = uni(&r, 1800, 4 * 3600); break;
	case K_WARMUP: crash_mean = 3 * 86400; wu_a = uni(&r, 0.1, 0.4);
		wu_tau = uni(&r, 3600, 6 * 3600); break;
	case K_STEP:
		for (int k = 0; k < 3; k++) {
			steps_t[k] = t0 + uni(&r, 0.5, 13.5) * 86400.0;
			steps_h[k] = base * uni(&r, 0.05, 0.25) * (urand(&r) < 0.75 ? 1 : -1);
		}
		nsteps = 3;
		break;
	case K_DIURNAL: diur_a = base * uni(&r, 0.05, 0.2); diur_phase = uni(&r, 0, 24); break;
	case K_GAPS: case K_GAPSLEAK: loss = 0.05; sigma = base * 0.005; break;
	case K_LEAK: sigma = base * 0.005; phi = seed % 3 == 0 ? 0.5 : 0; break;
	case K_BUSINESS: sigma = base * 0.005; break;
	case K_WARMSTART:
		/* The check is installed as the process starts: 10-40 % over
		 * 1-6 h, then level for the rest of the trace. */
		wu_a = uni(&r, 0.1, 0.4);
		wu_tau = uni(&r, 3600, 6 * 3600);
		break;
	case K_LEAKSTART:
		/* Installed while a leak is going on: it began 0-48 h ago. */
		sigma = base * 0.005;
		tr->onset = t0 - uni(&r, 0, 48) * 3600.0;
		break;
	case K_FASTSTART: case K_FASTRESTART: {
		/*
		 * 5-10 %/h of the level at the first sample (after the restart),
		 * reaching the limit T h later: 6-20 h after the first sample,
		 * 6-12 h after the restart.
		 */
		double pct = uni(&r, 0.05, 0.10);
		double T = fam->kind == K_FASTSTART ? uni(&r, 6, 20) : uni(&r, 6, 12);
		double l0 = LIMIT_KB / (1.0 + pct * T);

		rate = pct * l0;
		sigma = l0 * 0.003;
		if (fam->kind == K_FASTSTART) {
			double pre = uni(&r, 0, 6);	/* hours it grew before */

			base = l0 - rate * pre;
			tr->onset = t0 - pre * 3600.0;
			tr->end = t0 + (T + 1) * 3600.0;	/* an hour after the limit */
		} else {
			/* 1-4 leak-free days at a higher level, then the restart. */
			base = l0;
			pre_extra = l0 * uni(&r, 0.0, 0.3);
			tr->onset = t0 + uni(&r, 1, 4) * 86400.0;
			next_restart = tr->onset;
			tr->end = tr->onset + step + (T + 1) * 3600.0;
		}
		break;
	}
	case K_STAIR: {
		/* +5 % of the base at 03:00 every day, never given back. */
		double t = next_0300(t0 + uni(&r, 0.5, 2) * 86400.0);

		for (; t < tr->end && nsteps < MAXSTEPS; t += 86400.0) {
			steps_t[nsteps] = t;
			steps_h[nsteps++] = 0.05 * base;
		}
		tr->onset = steps_t[0];
		break;
	}
	case K_STEPS: {
		/* 3-8 % once a day at a random time, never given back. */
		double d0 = floor((t0 + uni(&r, 0.5, 2) * 86400.0 - START_T) / 86400.0);

		for (double d = d0; nsteps < MAXSTEPS; d++) {
			double t = START_T + d * 86400.0 + uni(&r, 0, 86400.0);

			if (t >= tr->end)
				break;
			if (t < t0)
				continue;
			steps_t[nsteps] = t;
			steps_h[nsteps++] = base * uni(&r, 0.03, 0.08);
		}
		tr->onset = nsteps > 0 ? steps_t[0] : -1;
		break;
	}
	}
	began = tr->onset;
	if (saw_p > 0) {
		saw_p *= uni(&r, 0.95, 1.05);
		saw_a = base * uni(&r, 0.05, 0.5);
		saw_len = saw_p * uni(&r, 0.95, 1.05);
		saw_phase = uni(&r, 0, saw_len);
	}
	if (wu_a > 0 && fam->kind != K_WARMUP && fam->kind != K_WARMSTART && seed % 2)
		wu_a = 0;	/* half of the restart traces without warm-up */
	if (restart_every > 0)
		next_restart = t0 - fmod(t0 - START_T, 86400.0) + 86400.0 + 3 * 3600.0;
	if (crash_mean > 0)
		next_restart = t0 + -log(urand(&r)) * crash_mean;
	seg_start = t0 - 30 * 86400.0;	/* traces begin in a long-running segment */
	if (fam->kind == K_WARMUP || fam->kind == K_DAILY || fam->kind == K_DAILYLEAK)
		seg_start = t0 - uni(&r, 0, 86400.0);
	if (fam->kind == K_WARMSTART)
		seg_start = t0;

	double last_saw = t0 - saw_phase;
	double outage_day = -1;
	double leak = 0;
	/* A leak that began before the history: what it had grown by then. */
	if (rate > 0 && began < t0 && fam->kind != K_FASTRESTART)
		leak = rate * (t0 - began) / 3600.0;
	for (double t = t0; t < tr->end; t += step) {
		if (rate > 0 && t > began && (!business || is_business(t)) &&
		    (fam->kind != K_FASTRESTART || seg > 0))
			leak += rate * step / 3600.0;
		if (next_restart > 0 && t >= next_restart) {
			leak = 0;
			seg_start = t;
			seg++;
			if (tr->nrestarts < 64)
				tr->restarts[tr->nrestarts++] = (double)(time_t)t;	/* as sampled */
			next_restart = restart_every > 0 ? next_restart + restart_every
				     : crash_mean > 0 ? t + -log(urand(&r)) * crash_mean : -1;
			if (fam->kind == K_FASTRESTART)
				tr->onset = began = t;
		}
		/* outage of 2 h once a day */
		if (loss > 0) {
			double day = floor((t - t0) / 86400.0);
			if (day != outage_day) {
				outage_day = day;
				outage_at = t0 + day * 86400.0 + uni(&r, 0, 22 * 3600.0);
			}
			if (t >= outage_at && t < outage_at + 7200)
				continue;
			if (urand(&r) < loss)
				continue;
		}
		double v = base;
		double age = t - seg_start;
		if (wu_a > 0)
			v += base * wu_a * (1 - exp(-age / wu_tau)) - base * wu_a;
		if (saw_p > 0) {
			while (t - last_saw >= saw_len) {
				last_saw += saw_len;
				saw_len = saw_p * uni(&r, 0.95, 1.05);
			}
			v += saw_a * (t - last_saw) / saw_len;
		}
		if (diur_a > 0)
			v += diur_a / 2 * sin(2 * M_PI * ((t - START_T) / 3600.0 - diur_phase) / 24.0);
		for (int k = 0; k < nsteps; k++)
			if (steps_t[k] > 0 && t >= steps_t[k])
				v += steps_h[k];
		if (seg == 0)
			v += pre_extra;
		v += leak;
		ar = phi * ar + sqrt(1 - phi * phi) * nrand(&r);
		v += sigma * (phi > 0 ? ar : nrand(&r));
		if (spikes > 0 && urand(&r) < spikes)
			v += base * uni(&r, 0.05, 0.3) * (urand(&r) < 0.8 ? 1 : -1);
		if (v < 1000)
			v = 1000;
		tr->t[tr->n] = (time_t)t;
		tr->kb[tr->n] = lround(v);
		tr->seg[tr->n] = seg;
		tr->n++;
	}
	tr->limit_t = -1;
	if (nsteps > 0 && tr->onset >= 0 && fam->kind != K_STEP) {
		double lv = base;

		tr->limit_t = 1e18;
		for (int k = 0; k < nsteps; k++)
			if ((lv += steps_h[k]) >= LIMIT_KB) {
				tr->limit_t = steps_t[k];
				break;
			}
	} else if (rate > 0) {
		/*
		 * The leak alone from its beginning: when does it cross the
		 * limit?  Stepped minute by minute, so that a business-hours
		 * leak's nights and weekends count as they fall.
		 */
		double room = LIMIT_KB - base, t = began, grown = 0;

		while (grown < room) {
			if (!business || is_business(t))
				grown += rate / 60.0;
			t += 60.0;
		}
		tr->limit_t = t;
		if (restart_every > 0 || crash_mean > 0)
			tr->limit_t = 1e18;	/* restarts keep it below the limit */
	}
	/* A leak already under way is seen from the first sample on. */
	if (tr->onset >= 0 && tr->onset < t0)
		tr->onset = t0;
}

/* ---- the plugin, as main.c runs one check ---- */
struct plugin_run {
	struct config cfg;
	struct proc_match match;
	struct history h;
};

/* Options as the command line gives them: { option, value }, NULL-ended. */
struct opt { enum option_id id; const char *value; };

static const struct opt recommended[] = {
	{ OPT_BASELINE, "auto" },
	{ OPT_GROWTH_WARNING, "0.25%/h" },
	{ OPT_GROWTH_CRITICAL, "1%/h" },
	{ OPT_TIMELEFT_WARNING, "48h" },
	{ OPT_TIMELEFT_CRITICAL, "12h" },
	{ OPT_LIMIT, "512MB" },
	{ OPT_COUNT, NULL },
};
static const struct opt out_of_the_box[] = {
	{ OPT_BASELINE, "auto" },
	{ OPT_COUNT, NULL },
};
static const struct opt *const conf_opts[NCONF] = { recommended, out_of_the_box };

static void die(const char *what, const char *err)
{
	fprintf(stderr, "eval: %s: %s\n", what, err);
	exit(2);
}

static void config_of(int conf, struct config *cfg)
{
	char err[512];

	config_init(cfg);
	if (config_set(cfg, OPT_HOSTNAME, "127.0.0.1", ORIGIN_CLI, err, sizeof err) != 0)
		die("hostname", err);
	for (const struct opt *o = conf_opts[conf]; o->value; o++)
		if (config_set(cfg, o->id, o->value, ORIGIN_CLI, err, sizeof err) != 0)
			die(o->value, err);
	/* EVAL_MIN_WINDOW_H: try another --min-window (hours). */
	if (getenv("EVAL_MIN_WINDOW_H"))
		cfg->min_window_s = atof(getenv("EVAL_MIN_WINDOW_H")) * 3600.0;
	if (config_validate(cfg, err, sizeof err) != 0)
		die("configuration", err);
}

static void plugin_start(struct plugin_run *pr, int conf)
{
	char err[512];

	config_of(conf, &pr->cfg);
	if (proc_match_init(&pr->match, pr->cfg.process, NULL, pr->cfg.path, err, sizeof err) != 0)
		die("process match", err);
	history_init(&pr->h);
}

static void plugin_stop(struct plugin_run *pr)
{
	proc_match_release(&pr->match);
	history_free(&pr->h);
}

/* What the state file gets from one poll. */
static void plugin_sample(struct plugin_run *pr, time_t t, long kb, int seg)
{
	struct sample s;
	char err[512];

	memset(&s, 0, sizeof s);
	s.t = t;
	s.mem_kb = kb;
	snprintf(s.indexes, sizeof s.indexes, "%d", 1000 + seg);
	if (history_append(&pr->h, &s, err, sizeof err) != 0)
		die("history_append", err);
}

/* trend_params as they came out, for the speed figure and --replay. */
static void trend_params_of(const struct config *cfg, struct trend_params *tp)
{
	evaluate_trend_params(cfg, HOST_MEM_KB * 1024.0, tp);
	/* EVAL_LONG_RUN=0 measures the window slope alone. */
	if (getenv("EVAL_LONG_RUN") && atoi(getenv("EVAL_LONG_RUN")) <= 0)
		tp->long_run_rate = false;
}

/* One check at now, as run_history() and check() in plugin/main.c do it. */
static enum state plugin_check(struct plugin_run *pr, time_t now, long kb, int seg,
			       struct trend_result *tr)
{
	struct hr_proc row;
	struct hr_snapshot snap;
	struct trend_params tp;
	static struct evaluation ev;
	struct proc_total total;
	struct history_outcome hist = { HISTORY_OK, NULL, NULL, tr, &tp };
	const struct sample *samples;
	size_t n;

	memset(&row, 0, sizeof row);
	row.index = 1000 + seg;
	snprintf(row.name, sizeof row.name, "Async.exe");
	row.status = 2;	/* runnable */
	row.mem_kb = kb;
	memset(&snap, 0, sizeof snap);
	snap.procs = &row;
	snap.n = 1;
	snap.rows_walked = 40;
	snap.mem_size_kb = HOST_MEM_KB;

	trend_params_of(&pr->cfg, &tp);
	if (pr->h.have_baseline)
		tp.learned_baseline_bytes = (double)pr->h.baseline_kb * 1024.0;
	tp.raw_judged_at = pr->h.raw_judged_at;
	samples = history_samples(&pr->h, &n);
	trend_analyze(samples, n, now, &tp, tr);
	if (tr->raw_route)
		history_set_raw_judged(&pr->h, now);
	if (tr->baseline_learned && tr->have_baseline)
		history_set_baseline(&pr->h, (long)(tr->baseline_bytes / 1024.0), now);
	history_compact(&pr->h, now);	/* what history_save() does first */
	if (proc_total(&snap, &total) != 0)
		die("proc_total", "out of memory");
	evaluate(&pr->cfg, &pr->match, &snap, &total, &hist, false, &ev);
	proc_total_release(&total);
	return ev.state;
}

/* ---- methods ---- */

/* Per check: the plugin's states (0..3) per configuration, the recommended
 * configuration's forecast (h, -1: none); competitors: a badness value. */
static void run_methods(const struct trace *tr, int nchk, signed char *ours[NCONF],
			float *left_h, float *bad[NMETH])
{
	static struct plugin_run pr[NCONF];
	size_t next = 0;
	double ewma = 0, last_v = -1, last_t = 0;
	int have_ewma = 0;
	time_t tstart = tr->t[0];
	double olshist[12], derivhist[12];

	for (int k = 0; k < NCONF; k++)
		plugin_start(&pr[k], k);
	for (int c = 0; c < nchk; c++) {
		time_t now = tstart + (time_t)c * CHECK_S;
		size_t first_new = next;

		while (next < tr->n && tr->t[next] <= now) {
			for (int k = 0; k < NCONF; k++)
				plugin_sample(&pr[k], tr->t[next], tr->kb[next], tr->seg[next]);
			next++;
		}
		for (int k = 0; k < NCONF; k++) {
			struct trend_result r;
			size_t last = next > 0 ? next - 1 : 0;
			enum state st = plugin_check(&pr[k], now, tr->kb[last], tr->seg[last], &r);

			ours[k][c] = (signed char)st;
			if (k == 0)
				left_h[c] = r.have_forecast ? (float)(r.timeleft_s / 3600.0) : -1.0f;
		}

		/* OLS over the raw samples of the last 6 h and 1 h. */
		double sx = 0, sy = 0, sxx = 0, sxy = 0, n6 = 0;
		double tx = 0, ty = 0, txx = 0, txy = 0, n1 = 0;
		for (size_t i = next; i-- > 0;) {
			double dt = (double)(tr->t[i] - now);
			if (dt < -6 * 3600.0)
				break;
			double v = tr->kb[i];
			sx += dt; sy += v; sxx += dt * dt; sxy += dt * v; n6++;
			if (dt >= -3600.0) {
				tx += dt; ty += v; txx += dt * dt; txy += dt * v; n1++;
			}
		}
		double ols_tl = -1e18, der = -1e18;
		if (n6 >= 3) {
			double den = sxx - sx * sx / n6;
			double b = den > 0 ? (sxy - sx * sy / n6) / den : 0;
			double a = sy / n6 - b * sx / n6;	/* value at now */
			ols_tl = b > 0 ? -(LIMIT_KB - a) / b : -1e18;	/* -seconds */
			if (a >= LIMIT_KB)
				ols_tl = 0;
		}
		if (n1 >= 3) {
			double den = txx - tx * tx / n1;
			der = den > 0 ? (txy - tx * ty / n1) / den * 3600.0 : 0;
		}
		/* "for 1h": the condition held at every check of the last hour. */
		olshist[c % 12] = ols_tl;
		derivhist[c % 12] = der;
		double mo = 1e300, md = 1e300;
		for (int k = 0; k < 12; k++) {
			double a = c - k >= 0 ? olshist[(c - k) % 12] : -1e18;
			double b = c - k >= 0 ? derivhist[(c - k) % 12] : -1e18;
			mo = fmin(mo, a);
			md = fmin(md, b);
		}
		bad[M_OLS][c] = (float)mo;
		bad[M_DERIV][c] = (float)md;

		/* Checkmk-style EWMA of the per-check rate. */
		if (next > first_new || next > 0) {
			double v = tr->kb[next - 1], t = (double)tr->t[next - 1];
			if (last_v >= 0 && t > last_t) {
				double rate = (v - last_v) / (t - last_t) * 3600.0;
				double w = pow(0.5, (t - last_t) / (24 * 3600.0));
				ewma = w * ewma + (1 - w) * rate;	/* starts at 0 */
				have_ewma = 1;
			}
			last_v = v;
			last_t = t;
		}
		double e_tl = -1e18;
		if (have_ewma && ewma > 0)
			e_tl = -(LIMIT_KB - last_v) / ewma * 3600.0;
		if (have_ewma && last_v >= LIMIT_KB)
			e_tl = 0;
		bad[M_EWMA][c] = (float)e_tl;
		for (int k = 0; k < NCONF; k++)
			bad[k][c] = (float)(ours[k][c] == STATE_WARNING || ours[k][c] == STATE_CRITICAL);
	}
	for (int k = 0; k < NCONF; k++)
		plugin_stop(&pr[k]);
}

/* ---- scoring ---- */
#define MAXSEED 48
#define MAXV	2048

struct result {
	double fa;		/* false alarms */
	double days;		/* leak-free service-days */
	int leaks, found, early;
	double delays[MAXV];
	int nd;
	double back[4096];	/* time back to OK after restarts */
	int nb;
	/* After the first alarm (per segment), until the limit, a restart or the end. */
	double in_alarm, span;	/* checks */
	double drops[MAXV];	/* alarm -> OK drops per history */
	int ndr;
	/* Fast families: hours left at the first CRITICAL (0: none before the limit). */
	double lead[MAXV];
	int nlead, lead3;
};

static signed char ours_all[NCONF][NFAM][MAXSEED][NCHECK];
static float left_all[NFAM][MAXSEED][NCHECK];	/* plugin's forecast, h; -1 none */
static float bad_all[NMETH][NFAM][MAXSEED][NCHECK];
static int nchk_all[NFAM][MAXSEED];
static double onset_all[NFAM][MAXSEED], limit_all[NFAM][MAXSEED], start_all[NFAM][MAXSEED];
static double restarts_all[NFAM][MAXSEED][64];
static int nrestarts_all[NFAM][MAXSEED];

static int alarm_at(int m, size_t f, int s, int c, double thr)
{
	return bad_all[m][f][s][c] > thr;
}

static void score(int m, size_t f, int s, double thr, struct result *res)
{
	double onset = onset_all[f][s], t0 = start_all[f][s], limit = limit_all[f][s];
	int prev = 0, detected = 0, nchk = nchk_all[f][s];

	for (int c = 0; c < nchk; c++) {
		double t = t0 + (double)c * CHECK_S;
		int alarm = alarm_at(m, f, s, c, thr);
		if (alarm && !prev && (onset < 0 || t < onset))
			res->fa++;
		if (alarm && !detected && onset >= 0 && t >= onset && t < limit) {
			detected = 1;
			res->found++;
			if (res->nd < MAXV)
				res->delays[res->nd++] = (t - onset) / 3600.0;
			if (t <= limit - 86400.0)
				res->early++;
		}
		prev = alarm;
	}
	res->days += (onset < 0 ? nchk * (double)CHECK_S : onset - t0) / 86400.0;
	if (onset >= 0)
		res->leaks++;
	/* After each restart at which the method was alarming: time to OK. */
	for (int k = 0; k < nrestarts_all[f][s]; k++) {
		double rt = restarts_all[f][s][k];
		int c0 = (int)ceil((rt - t0) / CHECK_S);
		if (c0 < 1 || c0 >= nchk || !alarm_at(m, f, s, c0 - 1, thr))
			continue;
		for (int c = c0; c < nchk; c++)
			if (!alarm_at(m, f, s, c, thr)) {
				if (res->nb < 4096)
					res->back[res->nb++] = (t0 + (double)c * CHECK_S - rt) / 3600.0;
				break;
			}
	}
	if (onset < 0)
		return;
	/* Flapping: from the first alarm of each segment after the onset. */
	int drops = 0, spans = 0, in = 0, k = 0;
	double seg_end = 1e18;
	for (int c = 0; c < nchk; c++) {
		double t = t0 + (double)c * CHECK_S;
		int alarm = alarm_at(m, f, s, c, thr);

		while (k < nrestarts_all[f][s] && restarts_all[f][s][k] <= t) {
			k++;
			in = 0;	/* a restart ends the span */
		}
		seg_end = k < nrestarts_all[f][s] ? restarts_all[f][s][k] : 1e18;
		if (t < onset || t >= limit || t >= seg_end)
			continue;
		if (!in && alarm) {
			in = 1;
			spans++;
		} else if (in && !alarm && alarm_at(m, f, s, c - 1, thr)) {
			drops++;
		}
		if (in) {
			res->span++;
			res->in_alarm += alarm;
		}
	}
	if (spans > 0 && res->ndr < MAXV)
		res->drops[res->ndr++] = drops;
	/* Fast families: the first CRITICAL of the plugin, hours before the limit. */
	if (fam_fast(f) && m < NCONF) {
		double lead = 0;
		for (int c = 0; c < nchk; c++) {
			double t = t0 + (double)c * CHECK_S;
			if (t >= onset && t < limit && ours_all[m][f][s][c] == STATE_CRITICAL) {
				lead = (limit - t) / 3600.0;
				break;
			}
		}
		if (res->nlead < MAXV)
			res->lead[res->nlead++] = lead;
		res->lead3 += lead >= 3.0;
	}
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double quant(double *v, int n, double q)
{
	if (n == 0)
		return NAN;
	qsort(v, (size_t)n, sizeof *v, cmpd);
	int i = (int)ceil(q * n) - 1;
	return v[i < 0 ? 0 : i];
}

static double pooled_fa(int m, int seeds, double thr)
{
	double fa = 0, days = 0;
	for (size_t f = 0; f < NFAM; f++) {
		if (fam_leak(f))
			continue;
		for (int s = 0; s < seeds; s++) {
			static struct result r;
			memset(&r, 0, sizeof r);
			score(m, f, s, thr, &r);
			fa += r.fa;
			days += r.days;
		}
	}
	return 100.0 * fa / days;
}

/* Most sensitive threshold with pooled false alarms <= 1 per 100 days. */
static double tune(int m, int seeds)
{
	double lo, hi;

	if (m == M_DERIV) {
		lo = 0; hi = 200000;	/* KB/h */
	} else {
		lo = -5000 * 3600.0; hi = 0;	/* -seconds left */
	}
	for (int it = 0; it < 40; it++) {
		double mid = 0.5 * (lo + hi);
		if (pooled_fa(m, seeds, mid) <= 1.0)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static double thr[NMETH] = { 0.5, 0.5, 0, 0, 0 };
static int nseeds;

/* All traces of family f (or, f == NFAM, of the families sel() picks) scored. */
static void score_family(int m, size_t f, struct result *r)
{
	memset(r, 0, sizeof *r);
	for (int s = 0; s < nseeds; s++)
		score(m, f, s, thr[m], r);
}

static void score_pool(int m, int (*sel)(size_t), struct result *r)
{
	memset(r, 0, sizeof *r);
	for (size_t f = 0; f < NFAM; f++)
		if (sel(f))
			for (int s = 0; s < nseeds; s++)
				score(m, f, s, thr[m], r);
}

static int sel_big(size_t f) { return families[f].big; }
static int sel_leak(size_t f) { return fam_leak(f); }
static int sel_fast(size_t f) { return fam_fast(f); }
static int sel_stair(size_t f) { return families[f].kind == K_STAIR || families[f].kind == K_STEPS; }

/*
 * Not the bar's metric, a reading aid: the delay above counts from the
 * onset, nights and weekends included, so a business-hours leak that
 * begins at 17:00 on a Friday cannot be found in less than ~60 h.  Here
 * only the hours in which it grew are counted.
 */
static void growing_hours(void)
{
	for (size_t f = 0; f < NFAM; f++) {
		double d[MAXSEED], all[MAXSEED];
		int nd = 0;

		if (families[f].kind != K_BUSINESS)
			continue;
		for (int s = 0; s < nseeds; s++) {
			double t0 = start_all[f][s], on = onset_all[f][s], grew = 0;
			int c = 0, nchk = nchk_all[f][s];

			while (c < nchk && !(t0 + (double)c * CHECK_S >= on && bad_all[M_OURS][f][s][c] > 0.5))
				c++;
			if (c == nchk)
				continue;
			for (double t = on; t < t0 + (double)c * CHECK_S; t += 60.0)
				grew += is_business(t) ? 1.0 / 60.0 : 0.0;
			d[nd] = grew;
			all[nd++] = (t0 + (double)c * CHECK_S - on) / 3600.0;
		}
		printf("%s: %.1f / %.1f h from the onset, %.1f / %.1f h of growth "
		       "(median / P90)\n", families[f].name, quant(all, nd, 0.5), quant(all, nd, 0.9),
		       quant(d, nd, 0.5), quant(d, nd, 0.9));
	}
}

/*
 * Forecast error of the plugin: |forecast - actual| / actual time to the
 * limit (actual: when the leak alone crosses it), at the first alarm after
 * the onset and 24 h and 48 h later, per leak family that reaches the
 * limit at all (not under restarts, not the fast ones).  A check without a
 * forecast, or past the trace's end or the limit, is counted apart.
 */
static void forecast_table(void)
{
	static const double lag_h[3] = { 0, 24, 48 };

	printf("\nForecast error of the plugin, |forecast - actual| / actual time to the\n"
	       "limit, median / P90 (n), at the first alarm and 24 h and 48 h later\n");
	printf("%-26s | %-18s | %-18s | %-18s\n", "family", "at detection", "+24 h", "+48 h");
	for (size_t f = 0; f < NFAM; f++) {
		if (families[f].rate_kbh < 500 || families[f].kind == K_DAILYLEAK)
			continue;
		printf("%-26s", families[f].name);
		for (int l = 0; l < 3; l++) {
			double err[MAXSEED];
			int ne = 0, none = 0;
			char buf[64];

			for (int s = 0; s < nseeds; s++) {
				double t0 = start_all[f][s], on = onset_all[f][s];
				int det = -1, nchk = nchk_all[f][s];

				for (int c = 0; c < nchk && det < 0; c++)
					if (t0 + (double)c * CHECK_S >= on && bad_all[M_OURS][f][s][c] > 0.5)
						det = c;
				if (det < 0)
					continue;
				int c = det + (int)(lag_h[l] * 3600.0 / CHECK_S);
				double t = t0 + (double)c * CHECK_S, actual = (limit_all[f][s] - t) / 3600.0;

				if (c >= nchk || actual <= 0)
					continue;
				if (left_all[f][s][c] < 0) {
					none++;
					continue;
				}
				err[ne++] = fabs(left_all[f][s][c] - actual) / actual;
			}
			double med = quant(err, ne, 0.5), p90 = quant(err, ne, 0.9);
			if (none)
				snprintf(buf, sizeof buf, "%4.2f %5.2f (%d,%d-)", med, p90, ne, none);
			else
				snprintf(buf, sizeof buf, "%4.2f %5.2f (%d)", med, p90, ne);
			printf(" | %-18s", buf);
		}
		printf("\n");
	}
	printf("(n: leaks with a forecast at that time; k-: as many without one)\n");
}

/* One detection cell: found/leaks, delay median and P90 (h), share found early
 * (quant sorts the delays in place). */
static void print_detection(struct result *r)
{
	char buf[64];
	double med = quant(r->delays, r->nd, 0.5), p90 = quant(r->delays, r->nd, 0.9);

	snprintf(buf, sizeof buf, "%2d/%-2d %5.1f %5.1f %3.0f%%", r->found, r->leaks,
		 med, p90, r->leaks ? 100.0 * r->early / r->leaks : 0.0);
	printf(" | %-20s", buf);
}

/* One flapping cell: share in alarm after the first alarm, drops median / max. */
static void print_flapping(struct result *r)
{
	char buf[64];

	if (r->span <= 0)
		snprintf(buf, sizeof buf, "    -  -/-");
	else
		snprintf(buf, sizeof buf, "%5.1f%% %2.0f/%-3.0f", 100.0 * r->in_alarm / r->span,
			 quant(r->drops, r->ndr, 0.5), quant(r->drops, r->ndr, 1.0));
	printf(" | %-16s", buf);
}

/* ---- the report ---- */

struct summary {
	double fa_pooled, fa_worst;
	const char *fa_worst_name;
	int found, leaks;
	double med, p90;
	double biz_p90;
	const char *biz_name;
	double in_alarm;	/* pooled share, % */
	double worst_alarm;
	const char *worst_alarm_name;
	double drops_med, drops_max, worst_drops_med;
	const char *worst_drops_name;
	int lead3, nlead;
	double lead_med, lead_min;
	int stair_found, stair_leaks;
};

static void summarize(int m, struct summary *u)
{
	static struct result r;
	double fa = 0, days = 0;

	memset(u, 0, sizeof *u);
	u->fa_worst = -1;
	u->worst_alarm = 101;
	u->worst_drops_med = -1;
	u->biz_p90 = -1;
	for (size_t f = 0; f < NFAM; f++) {
		score_family(m, f, &r);
		if (!fam_leak(f)) {
			double v = r.days > 0 ? 100.0 * r.fa / r.days : 0;
			fa += r.fa;
			days += r.days;
			if (v > u->fa_worst) {
				u->fa_worst = v;
				u->fa_worst_name = families[f].name;
			}
			continue;
		}
		if (r.span > 0 && 100.0 * r.in_alarm / r.span < u->worst_alarm) {
			u->worst_alarm = 100.0 * r.in_alarm / r.span;
			u->worst_alarm_name = families[f].name;
		}
		if (r.ndr > 0 && quant(r.drops, r.ndr, 0.5) > u->worst_drops_med) {
			u->worst_drops_med = quant(r.drops, r.ndr, 0.5);
			u->worst_drops_name = families[f].name;
		}
		if (families[f].kind == K_BUSINESS) {
			double p90 = quant(r.delays, r.nd, 0.9);

			if (p90 > u->biz_p90) {
				u->biz_p90 = p90;
				u->biz_name = families[f].name;
			}
		}
	}
	u->fa_pooled = days > 0 ? 100.0 * fa / days : 0;
	score_pool(m, sel_big, &r);
	u->found = r.found;
	u->leaks = r.leaks;
	u->med = quant(r.delays, r.nd, 0.5);
	u->p90 = quant(r.delays, r.nd, 0.9);
	score_pool(m, sel_leak, &r);
	u->in_alarm = r.span > 0 ? 100.0 * r.in_alarm / r.span : NAN;
	u->drops_med = quant(r.drops, r.ndr, 0.5);
	u->drops_max = quant(r.drops, r.ndr, 1.0);
	score_pool(m, sel_fast, &r);
	u->lead3 = r.lead3;
	u->nlead = r.nlead;
	u->lead_med = quant(r.lead, r.nlead, 0.5);
	u->lead_min = quant(r.lead, r.nlead, 0.0);
	score_pool(m, sel_stair, &r);
	u->stair_found = r.found;
	u->stair_leaks = r.leaks;
}

static int npass, nfail;

static void bar(const char *what, const char *measured, int ok)
{
	printf("  %-4s %-52s %s\n", ok ? "PASS" : "FAIL", what, measured);
	if (ok)
		npass++;
	else
		nfail++;
}

static void criteria(const struct summary *u, const struct summary *d)
{
	char buf[160];

	printf("\nIssue 8's bars (plugin: the recommended settings; default: out of the box)\n");
	snprintf(buf, sizeof buf, "%.2f pooled", u->fa_pooled);
	bar("false alarms <= 1 per 100 leak-free days pooled", buf, u->fa_pooled <= 1.0);
	snprintf(buf, sizeof buf, "%.2f (%s)", u->fa_worst, u->fa_worst_name ? u->fa_worst_name : "-");
	bar("no non-leak family above 2 per 100 days", buf, u->fa_worst <= 2.0);
	snprintf(buf, sizeof buf, "%d/%d", u->found, u->leaks);
	bar("every leak >= 1%/h found before its limit", buf, u->found == u->leaks);
	snprintf(buf, sizeof buf, "%.1f h", u->med);
	bar("median delay <= 5 h (leaks >= 1%/h)", buf, u->med <= 5.0);
	snprintf(buf, sizeof buf, "%.1f h", u->p90);
	bar("P90 delay <= 10 h (leaks >= 1%/h)", buf, u->p90 <= 10.0);
	snprintf(buf, sizeof buf, "%.1f h (worst: %s)", u->biz_p90, u->biz_name ? u->biz_name : "-");
	bar("business-hours leak P90 <= 12 h", buf, u->biz_p90 <= 12.0);
	snprintf(buf, sizeof buf, "%.1f%% pooled, worst %.1f%% (%s)", u->in_alarm, u->worst_alarm,
		 u->worst_alarm_name ? u->worst_alarm_name : "-");
	bar("after the first alarm >= 95% of the time in alarm", buf, u->worst_alarm >= 95.0);
	snprintf(buf, sizeof buf, "median %.0f pooled, worst median %.0f (%s)", u->drops_med,
		 u->worst_drops_med, u->worst_drops_name ? u->worst_drops_name : "-");
	bar("median <= 1 alarm->OK drop per history", buf, u->worst_drops_med <= 1.0);
	snprintf(buf, sizeof buf, "%d/%d (median %.1f h, min %.1f h)", u->lead3, u->nlead,
		 u->lead_med, u->lead_min);
	bar("fast leaks CRITICAL >= 3 h before the limit", buf, u->lead3 == u->nlead);
	snprintf(buf, sizeof buf, "%d/%d", u->stair_found, u->stair_leaks);
	bar("the staircase is found", buf, u->stair_found == u->stair_leaks);
	snprintf(buf, sizeof buf, "%d/%d = %.0f%%", d->found, d->leaks,
		 d->leaks ? 100.0 * d->found / d->leaks : 0.0);
	bar("out of the box >= 95% of leaks >= 1%/h found", buf,
	    d->leaks > 0 && d->found >= 0.95 * d->leaks);
	printf("  %d of %d bars passed\n", npass, npass + nfail);
}

/* A fast leak's cell: hours left at the first CRITICAL (median, minimum), and
 * how many were CRITICAL >= 3 h before the limit. */
static void print_lead(struct result *r)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%4.1f %4.1f %2d/%-2d", quant(r->lead, r->nlead, 0.5),
		 quant(r->lead, r->nlead, 0.0), r->lead3, r->nlead);
	printf(" | %-20s", buf);
}

/*
 * One table over the families sel keeps: a header naming the first nmeth
 * methods (columns of width), a row per family with cell() of each method's
 * result and, when pool_name is given, a row pooled over pool_sel.
 */
static void family_table(int nmeth, int width, int (*sel)(size_t),
			 void (*cell)(struct result *), const char *pool_name,
			 int (*pool_sel)(size_t))
{
	static struct result r;

	printf("%-26s", "family");
	for (int m = 0; m < nmeth; m++)
		printf(" | %-*s", width, meth_name[m]);
	printf("\n");
	for (size_t f = 0; f < NFAM; f++) {
		if (!sel(f))
			continue;
		printf("%-26s", families[f].name);
		for (int m = 0; m < nmeth; m++) {
			score_family(m, f, &r);
			cell(&r);
		}
		printf("\n");
	}
	if (!pool_name)
		return;
	printf("%-26s", pool_name);
	for (int m = 0; m < nmeth; m++) {
		score_pool(m, pool_sel, &r);
		cell(&r);
	}
	printf("\n");
}

static void print_summary_row(const char *name, const struct summary *u)
{
	char lead[32], biz[16];

	snprintf(lead, sizeof lead, "%d/%d %4.1f %4.1f", u->lead3, u->nlead, u->lead_med, u->lead_min);
	snprintf(biz, sizeof biz, "%.1f", u->biz_p90);
	printf("%-8s %6.2f %6.2f %7d/%-3d %5.1f %5.1f %7s %6.1f%% %3.0f/%-3.0f %-16s %d/%d\n", name,
	       u->fa_pooled, u->fa_worst, u->found, u->leaks, u->med, u->p90, biz, u->in_alarm,
	       u->drops_med, u->drops_max, lead, u->stair_found, u->stair_leaks);
}

/*
 * EVAL_ONLY=3,23,...: run only these families (by --list number), for a
 * quick look at them while tuning; the others' rows and the bars are then
 * meaningless.
 */
static int family_wanted(size_t f)
{
	const char *only = getenv("EVAL_ONLY");

	if (!only || !*only)
		return 1;
	for (const char *p = only; *p;) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v == (long)f)
			return 1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec t_begin, t_end;
	int seeds = argc > 1 ? atoi(argv[1]) : 8;
	/* EVAL_SEED_BASE: another set of traces, to check for over-fitting. */
	int seed_base = getenv("EVAL_SEED_BASE") ? atoi(getenv("EVAL_SEED_BASE")) : 0;

	clock_gettime(CLOCK_MONOTONIC, &t_begin);
	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		for (size_t f = 0; f < NFAM; f++)
			printf("%2zu %s\n", f, families[f].name);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "--dump") == 0) {
		/* eval --dump FAMILY SEED: the trace as a replay file. */
		static struct trace one;
		size_t f = (size_t)atoi(argv[2]);
		if (f >= NFAM)
			return 2;
		generate(&families[f], argc > 3 ? atoi(argv[3]) : 0, &one);
		printf("# %s, seed %d, onset %.0f, limit %.0f (%.1f h after the first sample)\n",
		       families[f].name, argc > 3 ? atoi(argv[3]) : 0, one.onset,
		       one.limit_t, one.limit_t > 0 && one.limit_t < 1e17
		       ? (one.limit_t - (double)one.t[0]) / 3600.0 : -1.0);
		for (size_t i = 0; i < one.n; i++)
			printf("%lld %ld %d\n", (long long)one.t[i], one.kb[i], 1000 + one.seg[i]);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "--replay") == 0) {
		/* eval --replay FILE: replay_run() with the recommended settings. */
		static struct config cfg;
		struct trend_params p;
		char err[512];
		FILE *in = fopen(argv[2], "r");
		if (!in)
			return 2;
		config_of(0, &cfg);
		trend_params_of(&cfg, &p);
		if (replay_run(in, stdout, &p, err, sizeof err) < 0) {
			fprintf(stderr, "eval: %s\n", err);
			fclose(in);
			return 1;
		}
		fclose(in);
		return 0;
	}
	static struct trace tr;

	if (seeds < 1 || seeds > MAXSEED)
		seeds = 8;
	nseeds = seeds;
	for (size_t f = 0; f < NFAM; f++)
		for (int s = 0; s < seeds; s++) {
			float *bad[NMETH];
			signed char *ours[NCONF];
			generate(&families[f], s + seed_base, &tr);
			for (int m = 0; m < NMETH; m++)
				bad[m] = bad_all[m][f][s];
			for (int k = 0; k < NCONF; k++)
				ours[k] = ours_all[k][f][s];
			int nchk = (int)((tr.end - (double)tr.t[0]) / CHECK_S);
			if (nchk > NCHECK)
				nchk = NCHECK;
			if (!family_wanted(f))
				nchk = 0;
			nchk_all[f][s] = nchk;
			run_methods(&tr, nchk, ours, left_all[f][s], bad);
			onset_all[f][s] = tr.onset;
			limit_all[f][s] = tr.limit_t;
			start_all[f][s] = (double)tr.t[0];
			nrestarts_all[f][s] = tr.nrestarts;
			memcpy(restarts_all[f][s], tr.restarts, sizeof tr.restarts);
		}
	for (int m = NCONF; m < NMETH; m++)
		thr[m] = tune(m, seeds);
	if (getenv("EVAL_VERBOSE")) {
		/* The plugin's alarm transitions, hours from the trace start
		 * (+W, +C: into WARNING / CRITICAL, -: back to OK). */
		for (size_t f = 0; f < NFAM; f++)
			for (int s = 0; s < seeds; s++) {
				int prev = 0;
				fprintf(stderr, "%s #%d (seed %d) onset %.1f (day %d %05.2f h) limit %.1f:",
					families[f].name, s, s + seed_base,
					onset_all[f][s] < 0 ? -1 : (onset_all[f][s] - start_all[f][s]) / 3600.0,
					onset_all[f][s] < 0 ? -1 : (int)((onset_all[f][s] - START_T) / 86400.0) % 7,
					onset_all[f][s] < 0 ? -1 : fmod(onset_all[f][s] - START_T, 86400.0) / 3600.0,
					limit_all[f][s] < 0 || limit_all[f][s] > 1e17 ? -1
					: (limit_all[f][s] - start_all[f][s]) / 3600.0);
				for (int c = 0; c < nchk_all[f][s]; c++) {
					int a = ours_all[0][f][s][c];
					a = a == STATE_WARNING || a == STATE_CRITICAL ? a : 0;
					if (a != prev)
						fprintf(stderr, " %s%.1f", a == STATE_CRITICAL ? "+C" : a ? "+W" : "-",
							c * CHECK_S / 3600.0);
					prev = a;
				}
				fprintf(stderr, "\n");
			}
	}

	printf("Leak detection evaluation: %d traces per family (seeds %d..%d), 14 days\n"
	       "(21 for the three-week family; a fast leak's ends an hour after its limit),\n"
	       "1- and 5-minute samples, a check every 5 min, limit 512 MiB, base ~200 MB.\n"
	       "plugin: the README's recommended settings, --baseline auto --growth-warning\n"
	       "0.25%%/h --growth-critical 1%%/h --timeleft-warning 48h --timeleft-critical 12h\n"
	       "--limit 512MB.  default: out of the box, --baseline auto only (the built-in\n"
	       "growth and time-left levels), the limit from hrMemorySize (512 MiB).\n"
	       "Competitors tuned to <= 1 false alarm per 100 service-days pooled: ols6h\n"
	       "T = %.0f h, deriv1h R = %.0f KB/h, ewma24h T = %.0f h.\n\n", seeds, seed_base,
	       seed_base + seeds - 1, -thr[M_OLS] / 3600.0, thr[M_DERIV], -thr[M_EWMA] / 3600.0);
	printf("False alarms per 100 leak-free service-days\n");
	printf("%-26s %6s", "family", "days");
	for (int m = 0; m < NMETH; m++)
		printf(" %8s", meth_name[m]);
	printf("\n");
	double pfa[NMETH] = { 0 }, pdays = 0;
	for (size_t f = 0; f < NFAM; f++) {
		static struct result r[NMETH];
		for (int m = 0; m < NMETH; m++)
			score_family(m, f, &r[m]);
		printf("%-26s %6.0f", families[f].name, r[0].days);
		for (int m = 0; m < NMETH; m++)
			printf(" %8.2f", r[m].days > 0 ? 100.0 * r[m].fa / r[m].days : 0.0);
		printf("\n");
		if (!fam_leak(f)) {
			for (int m = 0; m < NMETH; m++)
				pfa[m] += r[m].fa;
			pdays += r[0].days;
		}
	}
	printf("%-26s %6.0f", "POOLED non-leak", pdays);
	for (int m = 0; m < NMETH; m++)
		printf(" %8.2f", 100.0 * pfa[m] / pdays);
	printf("\n\nDetection: found before the limit/leaks, delay from onset in hours (median /\n"
	       "P90), share found >= 24 h before the limit\n");
	/* Pooled over the leaks the bar is about (>= ~1 %/h of the baseline). */
	family_table(NMETH, 20, sel_leak, print_detection, "POOLED leaks >= 1%/h", sel_big);
	printf("\n");
	growing_hours();

	printf("\nAfter the first alarm (per segment, until the limit, a restart or the end):\n"
	       "share of checks in alarm, alarm->OK drops per history (median / max)\n");
	family_table(NMETH, 16, sel_leak, print_flapping, "POOLED leaks", sel_leak);

	printf("\nFast leaks: hours before the limit at the first CRITICAL (median / min; 0:\n"
	       "none before the limit), CRITICAL >= 3 h before it\n");
	family_table(NCONF, 20, sel_fast, print_lead, NULL, NULL);

	struct summary sum[NCONF];
	for (int m = 0; m < NCONF; m++)
		summarize(m, &sum[m]);
	printf("\nConfigurations: false alarms per 100 leak-free days (pooled, worst family);\n"
	       "leaks >= 1%%/h found before the limit, delay median / P90 h; business-hours\n"
	       "P90 h (worst family); after the first alarm: share in alarm, drops median /\n"
	       "max; fast leaks CRITICAL >= 3 h before the limit, median / min h; staircases found\n");
	printf("%-8s %6s %6s %11s %5s %5s %7s %7s %7s %-16s %s\n", "config", "FA", "worst",
	       "found", "med", "P90", "biz90", "alarm", "drops", "fast >=3h", "stairs");
	print_summary_row("plugin", &sum[0]);
	print_summary_row("default", &sum[1]);

	forecast_table();
	/* Flapping: alarm state changes per day once a leak is there. */
	printf("\nAlarm state changes per day after the onset (all leak traces)\n");
	for (int m = 0; m < NMETH; m++) {
		double changes = 0, days = 0;
		for (size_t f = 0; f < NFAM; f++) {
			if (!fam_leak(f))
				continue;
			for (int s = 0; s < seeds; s++) {
				double t0 = start_all[f][s], on = onset_all[f][s];
				int prev = -1, nchk = nchk_all[f][s];
				for (int c = 0; c < nchk; c++) {
					if (t0 + (double)c * CHECK_S < on)
						continue;
					int a = alarm_at(m, f, s, c, thr[m]);
					changes += prev >= 0 && a != prev;
					prev = a;
				}
				days += (t0 + nchk * (double)CHECK_S - on) / 86400.0;
			}
		}
		printf("  %-8s %.2f\n", meth_name[m], changes / days);
	}
	printf("\nTime back to OK after a restart that ended an alarm (h, median / max)\n");
	for (int m = 0; m < NMETH; m++) {
		static struct result r;
		memset(&r, 0, sizeof r);
		for (size_t f = 0; f < NFAM; f++)
			for (int s = 0; s < seeds; s++)
				score(m, f, s, thr[m], &r);
		printf("  %-8s %s", meth_name[m], r.nb ? "" : "no alarm ended by a restart\n");
		if (r.nb) {
			double med = quant(r.back, r.nb, 0.5), mx = quant(r.back, r.nb, 1.0);
			printf("%.2f / %.2f  (%d restarts)\n", med, mx, r.nb);
		}
	}
	/* Speed of one check over 7 days of raw 1-minute samples. */
	{
		static struct config cfg;
		static struct sample hist[MAXS];
		struct trend_params p;
		struct trend_result r;
		struct timespec a, b;
		size_t n = 7 * 1440;
		config_of(0, &cfg);
		trend_params_of(&cfg, &p);
		generate(&families[K_NOISE], 0, &tr);
		for (size_t i = 0; i < n; i++) {
			memset(&hist[i], 0, sizeof hist[i]);
			hist[i].t = tr.t[i];
			hist[i].mem_kb = tr.kb[i];
			snprintf(hist[i].indexes, sizeof hist[i].indexes, "1000");
		}
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (int k = 0; k < 200; k++)
			trend_analyze(hist, n, tr.t[n - 1], &p, &r);
		clock_gettime(CLOCK_MONOTONIC, &b);
		double raw = ((double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3) / 200;
		size_t m = trend_compact(hist, n, tr.t[n - 1] - TREND_KEEP_RAW_S);
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (int k = 0; k < 200; k++)
			trend_analyze(hist, m, tr.t[n - 1], &p, &r);
		clock_gettime(CLOCK_MONOTONIC, &b);
		double cmp = ((double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3) / 200;
		printf("\nOne check over 7 days of 1-minute samples: %.0f us raw (%zu samples), "
		       "%.0f us compacted (%zu)\n", raw, n, cmp, m);
	}
	criteria(&sum[0], &sum[1]);
	clock_gettime(CLOCK_MONOTONIC, &t_end);
	printf("\nmake eval took %.0f s\n", (double)(t_end.tv_sec - t_begin.tv_sec) +
	       (double)(t_end.tv_nsec - t_begin.tv_nsec) / 1e9);
	return 0;
}
