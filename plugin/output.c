/*
 * output.c - status line, long output and perfdata (see output.h).
 */
#include "output.h"

#include <math.h>
#include <time.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "states.h"
#include "units.h"

#define PREFIX "ASYNC_LEAK"

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * Length of a valid UTF-8 sequence at s (of at most len bytes) for a code
 * point from U+00A0 on (no C1 controls, no surrogates, no overlongs), or 0.
 */
static size_t utf8_char(const unsigned char *s, size_t len)
{
	unsigned long cp;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < 0xa0 || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void output_sanitize(FILE *out, const char *text, size_t len, bool long_output)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i, n;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n' && long_output)
			fputc('\n', out);
		else if (s[i] == '|')
			fputc('!', out);
		else if (s[i] == '\t')
			fputc(' ', out);
		else if (s[i] >= 0x20 && s[i] < 0x7f)
			fputc(s[i], out);
		else if (s[i] >= 0x80 && (n = utf8_char(s + i, len - i)) > 0) {
			fwrite(s + i, 1, n, out);
			i += n - 1;
		} else
			fputc('?', out);
	}
}

void output_unknown(FILE *out, const char *message)
{
	fputs(PREFIX " UNKNOWN - ", out);
	output_sanitize(out, message, strlen(message), false);
	fputc('\n', out);
}

/* "48.1 MiB" etc. into a small rotating set of buffers, for one printf. */
static const char *sz(double bytes)
{
	static char bufs[8][32];
	static unsigned next;
	char *b = bufs[next++ % 8];

	return units_format_size(bytes, b, 32);
}

static const char *dur(double s)
{
	static char bufs[4][32];
	static unsigned next;
	char *b = bufs[next++ % 4];

	return units_format_duration(s, b, 32);
}

static const char *rate(double bph)
{
	static char bufs[4][32];
	static unsigned next;
	char *b = bufs[next++ % 4];

	return units_format_rate(bph, b, 32);
}

static bool trend_moving(const struct trend_result *tr)
{
	return tr && tr->have_slope && (tr->verdict == TREND_LEAK || tr->verdict == TREND_RISING);
}

static const char *limit_source_name(enum limit_source src)
{
	switch (src) {
	case LIMIT_OPTION: return "--limit";
	case LIMIT_CRITICAL: return "critical threshold";
	case LIMIT_PHYSICAL: return "physical memory";
	default: return "limit";
	}
}

static void write_summary(FILE *out, const struct evaluation *ev)
{
	const struct trend_result *tr = ev->have_trend ? &ev->trend : NULL;

	if (ev->config_error) {
		fputs(ev->reason, out);
		return;
	}
	if (ev->missing) {
		fprintf(out, "%s not running (no match among %zu processes)", ev->process,
			ev->query.rows_walked);
		return;
	}
	fprintf(out, "%s %s (%zu %s)", ev->process, sz(ev->mem_bytes), ev->instances,
		plural(ev->instances, "instance", "instances"));
	if (ev->reason[0])
		fprintf(out, ", %s", ev->reason);
	if (!tr)
		return;
	if (trend_moving(tr)) {
		fprintf(out, ", %s %s", tr->verdict == TREND_LEAK ? "leaking" : "rising",
			rate(tr->slope_bph));
		if (tr->held && tr->paused_since > 0) {
			/* "paused since Fri 18:00; +38.0 MiB since Mon" (local time). */
			char a[32] = "", b[32] = "";
			struct tm tm;
			time_t t = tr->paused_since, u = tr->rise_since;

			if (localtime_r(&t, &tm))
				strftime(a, sizeof a, "%a %H:%M", &tm);
			if (localtime_r(&u, &tm))
				strftime(b, sizeof b, "%a", &tm);
			fprintf(out, ", paused since %s; +%s since %s", a, sz(tr->rise_bytes), b);
		} else if (tr->rising_s > 0) {
			fprintf(out, " for %s", dur(tr->rising_s));
		}
		if (tr->have_forecast && ev->limit_source != LIMIT_NONE)
			fprintf(out, ", limit %s in ~%s", sz(ev->limit_bytes), dur(tr->timeleft_s));
	} else if (tr->verdict == TREND_COLLECTING && tr->restarted) {
		fprintf(out, ", %s %s ago", tr->reboot ? "host rebooted" : "restarted",
			dur(tr->segment_age_s));
	} else if (tr->verdict == TREND_STABLE) {
		fputs(", no leak", out);
	}
}

/* A perfdata number: integers plainly, others with up to 6 significant digits. */
static void num(FILE *out, double v)
{
	if (fabs(v) < 1e15 && v == floor(v))
		fprintf(out, "%.0f", v);
	else
		fprintf(out, "%.6g", v);
}

/* The perfdata labels and units, a contract (output.h, README). */
static const struct {
	const char *label;
	const char *uom;
} perf_names[PERF_COUNT] = {
	[PERF_MEM] = { "'mem'=", "B" },
	[PERF_FLOOR] = { "'floor'=", "B" },
	[PERF_LIMIT] = { "'limit'=", "B" },
	[PERF_GROWTH] = { "'growth'=", "" },	/* Icinga 2 rejects unknown units */
	[PERF_TIMELEFT] = { "'timeleft'=", "s" },
	[PERF_TIMELEFT_WARNING] = { "'timeleft_warning'=", "s" },
	[PERF_TIMELEFT_CRITICAL] = { "'timeleft_critical'=", "s" },
	[PERF_BASELINE] = { "'baseline'=", "B" },
	[PERF_INSTANCES] = { "'instances'=", "" },
};

void output_perfdata(FILE *out, const struct evaluation *ev)
{
	char w[RANGE_FORMAT_SIZE], c[RANGE_FORMAT_SIZE];

	for (size_t i = 0; i < ev->n_perf; i++) {
		const struct perfdata *pd = &ev->perf[i];

		fprintf(out, "%s%s", i ? " " : "", perf_names[pd->id].label);
		num(out, pd->value);
		fputs(perf_names[pd->id].uom, out);
		if (pd->thresholds)
			fprintf(out, ";%s;%s", range_format(&pd->warn, w, sizeof w),
				range_format(&pd->crit, c, sizeof c));
		if (pd->has_min) {
			fputc(';', out);
			num(out, pd->min);
		}
		if (pd->has_max) {
			fputc(';', out);
			num(out, pd->max);
		}
	}
}

static void write_trend(FILE *out, const struct evaluation *ev)
{
	const struct trend_result *tr = &ev->trend;

	if (tr->restarted)
		fprintf(out, "%s %s ago (%s).\n", tr->reboot ? "Host rebooted" : "Restarted",
			dur(tr->segment_age_s), tr->restart_desc[0] ? tr->restart_desc : "new segment");
	if (tr->verdict == TREND_COLLECTING) {
		fprintf(out, "Trend: collecting history, %s of %s so far.\n",
			dur(tr->segment_age_s), dur(tr->window_needed_s > 0 ? tr->window_needed_s
								: ev->min_window_s));
		return;
	}
	if (tr->have_slope)
		fprintf(out, "Trend: %s %s (at least %s, confidence %.1f%%) over %s; floor %s.\n",
			tr->verdict == TREND_LEAK ? "leaking" :
			tr->verdict == TREND_RISING ? "rising" : "stable,",
			rate(tr->slope_bph), rate(tr->slope_low_bph), 100.0 * tr->confidence,
			dur(tr->window_s), sz(tr->floor_bytes));
	else
		fputs("Trend: stable.\n", out);
	if (tr->have_forecast && ev->limit_source != LIMIT_NONE)
		fprintf(out, "Limit %s (%s) reached in ~%s at this rate.\n", sz(ev->limit_bytes),
			limit_source_name(ev->limit_source), dur(tr->timeleft_s));
	if (tr->segments_leaking > 0)
		fprintf(out, "The memory also grew in %u of %u earlier runs between restarts.\n",
			tr->segments_leaking, tr->segments_seen > 0 ? tr->segments_seen - 1 : 0);
}

/* -vv: the agent, how it was asked, every setting not at its built-in default. */
static void write_verbose(FILE *out, const struct evaluation *ev)
{
	const struct result_query *q = &ev->query;
	const struct trend_result *tr = &ev->trend;

	if (q->repeated)
		fprintf(out, "Agent %s, SNMP v%s, repeat check: one GET of the %zu"
			" remembered row%s, %u request%s.\n", q->peer, q->protocol, q->rows,
			plural(q->rows, "", "s"), q->requests, plural(q->requests, "", "s"));
	else
		fprintf(out, "Agent %s, SNMP v%s, %zu processes walked%s%s%s, %u"
			" request%s.\n", q->peer, q->protocol, q->rows_walked,
			q->walk_reason[0] ? " (" : "", q->walk_reason, q->walk_reason[0] ? ")" : "",
			q->requests, plural(q->requests, "", "s"));
	fputs("Settings:", out);
	for (size_t i = 0; i < ev->n_settings; i++)
		fprintf(out, " %s=%s (%s);", ev->settings[i].name, ev->settings[i].value,
			ev->settings[i].origin);
	fputc('\n', out);
	/* The built-in growth levels, when no level was configured. */
	if (!ev->have_trend || !ev->growth_defaults)
		return;
	if (tr->growth_defaults)
		fprintf(out, "Growth levels: the built-in %g%%/h and %g%%/h of the %s baseline"
			" %s, %s/h and %s/h ('none' for both switches the leak verdict"
			" off).\n", TREND_DEFAULT_GROWTH_WARNING_PCT,
			TREND_DEFAULT_GROWTH_CRITICAL_PCT,
			tr->baseline_learned ? "learned" : "configured", sz(tr->baseline_bytes),
			sz(tr->growth_warning_bph), sz(tr->growth_critical_bph));
	else
		fprintf(out, "Growth levels: the built-in %g%%/h and %g%%/h of the baseline,"
			" once one is learned from the first hours after a start.\n",
			TREND_DEFAULT_GROWTH_WARNING_PCT, TREND_DEFAULT_GROWTH_CRITICAL_PCT);
}

/* The long output: instances, totals, thresholds, trend, notes, advice. */
static void write_long(FILE *out, const struct evaluation *ev)
{
	char w[RANGE_FORMAT_SIZE], c[RANGE_FORMAT_SIZE];

	for (size_t i = 0; i < ev->n_rows; i++) {
		const struct result_instance *p = &ev->rows[i];

		fprintf(out, "index %ld: %s %s, %s", p->index, p->name,
			p->path[0] ? p->path : "(no path)", sz(p->mem_bytes));
		fprintf(out, ", %s", p->status);
		if (p->has_cpu)
			fprintf(out, ", CPU %s", dur(p->cpu_s));
		fputc('\n', out);
	}
	if (!ev->missing && ev->host_mem_bytes > 0)
		fprintf(out, "Total %s of %s physical memory (%.1f%%).\n", sz(ev->mem_bytes),
			sz(ev->host_mem_bytes), 100.0 * ev->mem_bytes / ev->host_mem_bytes);
	if (ev->baseline_source != BASELINE_NONE && !ev->missing)
		fprintf(out, "Baseline %s (%s), now %.0f%% of it.\n", sz(ev->baseline_bytes),
			ev->baseline_source == BASELINE_LEARNED ? "learned" : "configured",
			ev->baseline_bytes > 0 ? 100.0 * ev->mem_bytes / ev->baseline_bytes : 0);
	if (ev->warning.set || ev->critical.set)
		fprintf(out, "Thresholds: warning %s, critical %s (bytes).\n",
			ev->warning.set ? range_format(&ev->warning, w, sizeof w) : "none",
			ev->critical.set ? range_format(&ev->critical, c, sizeof c) : "none");
	if (ev->have_trend && !ev->missing)
		write_trend(out, ev);
	for (size_t i = 0; i < ev->n_notes; i++)
		fprintf(out, "%s\n", ev->notes[i]);
	if (ev->verbose >= 2)
		write_verbose(out, ev);
	if (ev->advice && (ev->state == STATE_WARNING || ev->state == STATE_CRITICAL))
		fprintf(out, "Advice: %s\n", ev->advice);
}

/* Renders one part into memory; NULL when memory runs out. */
static char *render(size_t *len, const struct evaluation *ev, int part)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	if (part == 0)
		write_summary(f, ev);
	else if (part == 1)
		output_perfdata(f, ev);
	else
		write_long(f, ev);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Everything is rendered first and written through output_sanitize(), the
 * one place where text from the configuration or the agent (a process
 * name, a regex, a path, the advice, an error quoting a value) meets the
 * output: line 1 stays one line, its '|' is the one before the perfdata,
 * the long output has none, and no control byte passes.
 */
void output_write(FILE *out, const struct evaluation *ev)
{
	size_t len[3];
	char *part[3];
	int i;

	for (i = 0; i < 3; i++)
		part[i] = render(&len[i], ev, i);
	if (!part[0] || !part[1] || !part[2]) {
		output_unknown(out, "out of memory writing the output");
	} else {
		fprintf(out, PREFIX " %s - ", state_name(ev->state));
		output_sanitize(out, part[0], len[0], false);
		fputs(" | ", out);
		output_sanitize(out, part[1], len[1], false);
		fputc('\n', out);
		output_sanitize(out, part[2], len[2], true);
	}
	for (i = 0; i < 3; i++)
		free(part[i]);
}
