/*
 * evaluate.c - states and reasons for one check (see evaluate.h).
 */
#include "evaluate.h"

#include <stdio.h>
#include <string.h>

#include "states.h"
#include "util.h"

const char evaluate_default_advice[] =
	"Async.exe, the Microsoft Mail Connector of Exchange Server 5.5, leaks memory on"
	" Windows 2000 (Microsoft KB Q260554): restart the MS Mail Connector service to"
	" release it, and install Exchange Server 5.5 Service Pack 4, which fixes the leak.";

void evaluate_add_note(struct evaluation *ev, const char *text)
{
	if (text && ev->n_notes < EVAL_MAX_NOTES)
		ev->notes[ev->n_notes++] = text;
}

void evaluate_trend_params(const struct config *cfg, double baseline_bytes,
			   double limit_bytes, struct trend_params *p)
{
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
	p->limit_bytes = limit_bytes;
	p->min_window_s = cfg->min_window_s;
	p->min_window_strict = cfg->origin[OPT_MIN_WINDOW] != ORIGIN_DEFAULT;
	p->baseline_bytes = baseline_bytes;
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

void evaluate(const struct config *cfg, const struct proc_match *m,
	      const struct hr_snapshot *snap, const struct trend_result *tr,
	      const struct trend_params *tp, struct evaluation *ev)
{
	char why[160];
	int rw, rc = 0;

	memset(ev, 0, sizeof *ev);
	if (tp)
		ev->trend = *tp;
	proc_match_describe(m, ev->process, sizeof ev->process);
	proc_total(snap, &ev->total);
	ev->mem_max_bytes = snap->mem_size_kb > 0 ? (double)snap->mem_size_kb * 1024.0 : 0;

	if (cfg->baseline_set) {
		ev->have_baseline = true;
		ev->baseline_bytes = cfg->baseline.value;
	} else if (tr && tr->have_baseline) {
		ev->have_baseline = true;
		ev->baseline_learned = tr->baseline_learned;
		ev->baseline_bytes = tr->baseline_bytes;
	}

	ev->limit_bytes = config_limit_bytes(cfg, snap->mem_size_kb);
	ev->limit_source = cfg->limit_set ? "--limit"
			 : ev->limit_bytes > 0 && ev->limit_bytes != ev->mem_max_bytes
				 ? "critical threshold" : "physical memory";
	if (ev->limit_bytes <= 0)
		ev->limit_source = NULL;

	if (cfg->advice_set)
		ev->advice = (cfg->advice[0] && ascii_casecmp(cfg->advice, "none") != 0)
				     ? cfg->advice : NULL;
	else if (!config_use_regex(cfg) && ascii_casecmp(cfg->process, "Async.exe") == 0)
		ev->advice = evaluate_default_advice;

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
		evaluate_add_note(ev, "Percent thresholds are not applied yet: the baseline"
				  " is still being learned.");
	ev->instances_warning = cfg->instances_warning;
	ev->instances_critical = cfg->instances_critical;

	if (ev->total.instances == 0) {
		ev->missing = true;
		ev->state = cfg->missing_state;
		snprintf(ev->reason, sizeof ev->reason, "not running");
		return;
	}

	judge(ev, &ev->mem_state, &ev->warning, &ev->critical, ev->total.mem_bytes, true, NULL);
	judge(ev, &ev->instances_state, &ev->instances_warning, &ev->instances_critical,
	      (double)ev->total.instances, false, "instances ");
	if (tr) {
		ev->growth_state = tr->growth_state;
		ev->timeleft_state = tr->timeleft_state;
	}
	ev->state = state_worst(state_worst(ev->mem_state, ev->instances_state),
				state_worst(ev->growth_state, ev->timeleft_state));
}
