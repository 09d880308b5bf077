/*
 * evaluate.c - states and reasons for one check (see evaluate.h).
 */
#include "evaluate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "states.h"
#include "util.h"

const char evaluate_default_advice[] =
	"Async.exe, the Microsoft Mail Connector of Exchange Server 5.5, leaks memory on"
	" Windows 2000 (Microsoft KB Q260554): restart the MS Mail Connector service to"
	" release it, and install Exchange Server 5.5 Service Pack 4, which fixes the leak.";

/* Adds a long-output note (ignored past RESULT_MAX_NOTES); text must outlive ev. */
static void add_note(struct evaluation *ev, const char *text)
{
	if (text && text[0] && ev->n_notes < RESULT_MAX_NOTES)
		ev->notes[ev->n_notes++] = text;
}

double evaluate_limit(const struct config *cfg, double host_mem_bytes, enum limit_source *src)
{
	/* Without the host's memory, config_limit_bytes() says what the
	 * configuration alone gives: --limit, else an absolute --critical. */
	double configured = config_limit_bytes(cfg, -1);

	if (cfg->limit_set) {
		*src = configured > 0 ? LIMIT_OPTION : LIMIT_NONE;
		return configured > 0 ? configured : 0;
	}
	if (configured > 0) {
		*src = LIMIT_CRITICAL;
		return configured;
	}
	if (host_mem_bytes > 0) {
		*src = LIMIT_PHYSICAL;
		return host_mem_bytes;
	}
	*src = LIMIT_NONE;
	return 0;
}

void evaluate_trend_params(const struct config *cfg, double host_mem_bytes,
			   struct trend_params *p)
{
	enum limit_source src;

	memset(p, 0, sizeof *p);
	/* Percent rates stay percent: trend.c resolves them against the
	 * configured or learned baseline, which only it may know. */
	if (cfg->growth_warning_set) {
		if (cfg->growth_warning.percent)
			p->growth_warning_pct = cfg->growth_warning.value;
		else
			p->growth_warning_bph = cfg->growth_warning.value;
	}
	if (cfg->growth_critical_set) {
		if (cfg->growth_critical.percent)
			p->growth_critical_pct = cfg->growth_critical.value;
		else
			p->growth_critical_bph = cfg->growth_critical.value;
	}
	/*
	 * Neither level given (nor 'none'): the built-in ones, percent of the
	 * configured or learned baseline; the trend learns one for them even
	 * without --baseline auto (make eval: out of the box 59 -> 80 of 80
	 * leaks of >= 1 %/h found).
	 */
	if (cfg->origin[OPT_GROWTH_WARNING] == ORIGIN_DEFAULT &&
	    cfg->origin[OPT_GROWTH_CRITICAL] == ORIGIN_DEFAULT) {
		p->growth_warning_pct = TREND_DEFAULT_GROWTH_WARNING_PCT;
		p->growth_critical_pct = TREND_DEFAULT_GROWTH_CRITICAL_PCT;
		p->growth_defaults = true;
	}
	p->timeleft_warning_s = cfg->timeleft_warning_s;
	p->timeleft_critical_s = cfg->timeleft_critical_s;
	p->limit_bytes = evaluate_limit(cfg, host_mem_bytes, &src);
	p->min_window_s = cfg->min_window_s;
	p->min_window_strict = cfg->origin[OPT_MIN_WINDOW] != ORIGIN_DEFAULT;
	p->baseline_bytes = cfg->baseline_set ? cfg->baseline.value : 0;
	p->baseline_auto = cfg->baseline_auto;
	/* Once a rise has lasted a day, rate and forecast follow its day-over-day
	 * growth: a traffic-driven leak's daytime slope would forecast the limit
	 * about three times too early (make eval: error 0.69 -> 0.23 at +24 h). */
	p->long_run_rate = true;
}

/* Describes how value breaks r, e.g. "above critical 400.0 MiB". */
static void describe(char *buf, size_t len, const char *level, const struct range *r,
		     double value, bool sizes)
{
	char a[32], b[32];

	if (sizes) {
		units_format_size(r->start.q.value, a, sizeof a);
		units_format_size(r->end.q.value, b, sizeof b);
	} else {
		snprintf(a, sizeof a, "%g", r->start.q.value);
		snprintf(b, sizeof b, "%g", r->end.q.value);
	}
	if (r->inside)
		snprintf(buf, len, "inside %s %s..%s", level, r->start.infinite ? "-inf" : a,
			 r->end.infinite ? "inf" : b);
	else if (!r->end.infinite && value > r->end.q.value)
		snprintf(buf, len, "above %s %s", level, b);
	else
		snprintf(buf, len, "below %s %s", level, a);
}

/*
 * Resolves a memory range against the baseline.  Returns 0 (resolved or not
 * set), 1 when it waits for a baseline, -1 when it cannot apply (a mixed
 * range whose ends cross once resolved) with a message in err.
 */
static int resolve_mem_range(const struct range *in, double baseline, struct range *out,
			     char *err, size_t errlen)
{
	*out = *in;
	if (!in->set)
		return 0;
	if (range_uses_percent(in) && baseline <= 0) {
		out->set = false;
		return 1;
	}
	if (range_resolve(out, baseline, err, errlen) != 0) {
		out->set = false;
		return -1;
	}
	return 0;
}

static void judge(struct evaluation *ev, enum state *dst, const struct range *warn,
		  const struct range *crit, double value, bool sizes, const char *what)
{
	char why[160];

	if (range_alerts(crit, value)) {
		*dst = STATE_CRITICAL;
		describe(why, sizeof why, "critical", crit, value, sizes);
	} else if (range_alerts(warn, value)) {
		*dst = STATE_WARNING;
		describe(why, sizeof why, "warning", warn, value, sizes);
	} else {
		return;
	}
	if (ev->reason[0])
		strncat(ev->reason, ", ", sizeof ev->reason - strlen(ev->reason) - 1);
	if (what)
		strncat(ev->reason, what, sizeof ev->reason - strlen(ev->reason) - 1);
	strncat(ev->reason, why, sizeof ev->reason - strlen(ev->reason) - 1);
}

/* The baseline: the configured one, else the one the trend learned, else none. */
static void decide_baseline(const struct config *cfg, const struct trend_result *tr,
			    struct evaluation *ev)
{
	if (cfg->baseline_set) {
		ev->baseline_source = BASELINE_CONFIGURED;
		ev->baseline_bytes = cfg->baseline.value;
	} else if (tr && tr->have_baseline) {
		ev->baseline_source = tr->baseline_learned ? BASELINE_LEARNED : BASELINE_CONFIGURED;
		ev->baseline_bytes = tr->baseline_bytes;
	}
}

/* The advice for a WARNING or CRITICAL: --advice, 'none', or the built-in one. */
static const char *decide_advice(const struct config *cfg)
{
	if (cfg->advice_set)
		return (cfg->advice[0] && ascii_casecmp(cfg->advice, "none") != 0) ? cfg->advice : NULL;
	if (!config_use_regex(cfg) && ascii_casecmp(cfg->process, "Async.exe") == 0)
		return evaluate_default_advice;
	return NULL;
}

/*
 * The states of a check that found its process, or why it cannot be
 * judged (a missing process, a threshold that cannot apply).
 */
static void judge_check(const struct config *cfg, const struct trend_result *tr,
			struct evaluation *ev)
{
	char why[160];
	int rw, rc = 0;

	rw = resolve_mem_range(&cfg->warning, ev->baseline_bytes, &ev->warning, why, sizeof why);
	if (rw >= 0)
		rc = resolve_mem_range(&cfg->critical, ev->baseline_bytes, &ev->critical,
				       why, sizeof why);
	if (rw < 0 || rc < 0) {
		/* A threshold the admin set must not vanish without a word. */
		ev->state = STATE_UNKNOWN;
		snprintf(ev->reason, sizeof ev->reason, "--%s: %s", rw < 0 ? "warning" : "critical",
			 why);
		ev->config_error = true;
		return;
	}
	if (rw == 1 || rc == 1)
		add_note(ev, "Percent thresholds are not applied yet: the baseline"
			 " is still being learned.");
	ev->instances_warning = cfg->instances_warning;
	ev->instances_critical = cfg->instances_critical;

	if (ev->instances == 0) {
		ev->missing = true;
		ev->state = cfg->missing_state;
		snprintf(ev->reason, sizeof ev->reason, "not running");
		return;
	}

	judge(ev, &ev->mem_state, &ev->warning, &ev->critical, ev->mem_bytes, true, NULL);
	judge(ev, &ev->instances_state, &ev->instances_warning, &ev->instances_critical,
	      (double)ev->instances, false, "instances ");
	if (tr) {
		ev->growth_state = tr->growth_state;
		ev->timeleft_state = tr->timeleft_state;
	}
	ev->state = state_worst(state_worst(ev->mem_state, ev->instances_state),
				state_worst(ev->growth_state, ev->timeleft_state));
}

/* The history's note; a busy or failed history makes an OK check UNKNOWN. */
static void judge_history(const struct history_outcome *hist, struct evaluation *ev)
{
	if (!hist || hist->status == HISTORY_NOT_RUN)
		return;
	if (hist->status == HISTORY_OK) {
		add_note(ev, hist->note);
		return;
	}
	if (hist->status == HISTORY_BUSY) {
		/* -t is up and another check still holds the history: the memory
		 * verdict stands, this one sample goes unrecorded. */
		snprintf(ev->history_note, sizeof ev->history_note, "History busy, no trend this"
			 " time: %s; this sample is not recorded.", hist->error);
	} else {
		snprintf(ev->history_note, sizeof ev->history_note, "History unavailable, no"
			 " trend: %s", hist->error);
		if (ev->state == STATE_OK) {
			/* The first line says why it is UNKNOWN. */
			ev->state = STATE_UNKNOWN;
			if (!ev->reason[0])
				(void)errorf(ev->reason, sizeof ev->reason, "history: %s", hist->error);
		}
	}
	add_note(ev, ev->history_note);
}

static struct perfdata *perf_add(struct evaluation *ev, enum perf_id id, double value)
{
	struct perfdata *pd = &ev->perf[ev->n_perf < RESULT_MAX_PERFDATA ? ev->n_perf++
						    : RESULT_MAX_PERFDATA - 1];

	memset(pd, 0, sizeof *pd);
	pd->id = id;
	pd->value = value;
	return pd;
}

/* A growth level as a perfdata threshold: the plain number, rounded. */
static struct range level(double bph)
{
	struct range r;

	memset(&r, 0, sizeof r);
	if (bph > 0) {
		r.set = true;
		r.kind = UNIT_RATE;
		r.end.q.value = round(bph);
	}
	return r;
}

/*
 * The perfdata items (labels and units are a contract, see output.h).
 * The time-left horizons go out as values of their own, not as timeleft's
 * warn;crit: the plugin alerts when the time left is *below* a horizon,
 * which in plugin range syntax is "N:", and Icinga 2 stores only a plain
 * number there (it drops "N:" with "Ignoring unsupported perfdata ...
 * range"), which the same syntax reads as "alert above N".  So timeleft
 * carries no range, and the horizons reach every graph as plain values.
 */
static void add_perfdata(struct evaluation *ev)
{
	const struct trend_result *tr = ev->have_trend ? &ev->trend : NULL;
	bool slope = tr && tr->have_slope;
	struct perfdata *pd;

	if (!ev->missing) {
		pd = perf_add(ev, PERF_MEM, ev->mem_bytes);
		pd->thresholds = true;
		pd->warn = ev->warning;
		pd->crit = ev->critical;
		pd->has_min = true;
		pd->has_max = ev->host_mem_bytes > 0;
		pd->max = ev->host_mem_bytes;
		if (slope && tr->floor_bytes > 0)
			perf_add(ev, PERF_FLOOR, round(tr->floor_bytes));
		if (slope && ev->limit_source != LIMIT_NONE)
			perf_add(ev, PERF_LIMIT, round(ev->limit_bytes));
	}
	if (slope) {
		pd = perf_add(ev, PERF_GROWTH, round(tr->slope_bph));
		pd->thresholds = true;
		pd->warn = level(tr->growth_warning_bph);
		pd->crit = level(tr->growth_critical_bph);
	}
	if (tr && tr->have_forecast)
		perf_add(ev, PERF_TIMELEFT, round(tr->timeleft_s));
	if (slope && ev->timeleft_warning_s > 0)
		perf_add(ev, PERF_TIMELEFT_WARNING, round(ev->timeleft_warning_s));
	if (slope && ev->timeleft_critical_s > 0)
		perf_add(ev, PERF_TIMELEFT_CRITICAL, round(ev->timeleft_critical_s));
	if (ev->baseline_source != BASELINE_NONE)
		perf_add(ev, PERF_BASELINE, round(ev->baseline_bytes));
	pd = perf_add(ev, PERF_INSTANCES, (double)ev->instances);
	if (ev->instances_warning.set || ev->instances_critical.set) {
		pd->thresholds = true;
		pd->warn = ev->instances_warning;
		pd->crit = ev->instances_critical;
		pd->has_min = true;
	}
}

/* What -vv shows: the agent line's facts and every setting not at its default. */
static void add_verbose(const struct config *cfg, const struct hr_snapshot *snap,
			struct evaluation *ev)
{
	_Static_assert(OPT_COUNT <= RESULT_MAX_SETTINGS, "every option fits the -vv list");

	ev->verbose = cfg->verbose;
	ev->query.peer = snap->peer;
	ev->query.protocol = config_protocol_name(cfg->protocol);
	ev->query.repeated = snap->repeated;
	ev->query.rows = snap->n;
	ev->query.rows_walked = snap->rows_walked;
	ev->query.requests = snap->requests;
	ev->query.walk_reason = snap->walk_reason;
	for (size_t i = 0; i < OPT_COUNT; i++) {
		const struct option_def *o = &config_options[i];
		struct result_setting *s;

		if (cfg->origin[i] == ORIGIN_DEFAULT || (o->flags & OPTF_NO_ARG))
			continue;
		s = &ev->settings[ev->n_settings++];
		s->name = o->name;
		s->value = cfg->given[i];
		s->origin = config_origin_name((enum origin)cfg->origin[i]);
	}
}

void evaluate(const struct config *cfg, const struct proc_match *m,
	      const struct hr_snapshot *snap, const struct proc_total *total,
	      const struct history_outcome *hist, bool secret_exposed,
	      struct evaluation *ev)
{
	const struct trend_result *tr = hist && hist->status == HISTORY_OK ? hist->trend : NULL;
	const struct trend_params *tp = tr ? hist->params : NULL;

	memset(ev, 0, sizeof *ev);
	proc_match_describe(m, ev->process, sizeof ev->process);
	ev->instances = total->instances;
	ev->mem_bytes = total->mem_bytes;
	ev->host_mem_bytes = total->host_mem_bytes;
	ev->rows = total->rows;
	ev->n_rows = total->n_rows;
	if (tr) {
		ev->have_trend = true;
		ev->trend = *tr;
	}
	if (tp) {
		ev->timeleft_warning_s = tp->timeleft_warning_s;
		ev->timeleft_critical_s = tp->timeleft_critical_s;
		ev->min_window_s = tp->min_window_s;
		ev->growth_defaults = tp->growth_defaults;
	}

	decide_baseline(cfg, tr, ev);
	ev->limit_bytes = evaluate_limit(cfg, ev->host_mem_bytes, &ev->limit_source);
	ev->advice = decide_advice(cfg);
	judge_check(cfg, tr, ev);
	judge_history(hist, ev);
	if (secret_exposed)
		add_note(ev, "Note: the INI file holds an SNMP secret and can be read"
			 " by other users; chmod 600 it.");
	add_perfdata(ev);
	add_verbose(cfg, snap, ev);
}
