/*
 * check_async_leak_plot - draws a history of check_async_leak as a picture
 * (PNG or SVG, with cairo): the memory, the hourly floors, the fitted
 * floor and the trend line with its forecast, the limit and the memory
 * thresholds, restarts, and the verdict and state of every step as bands
 * under the graph.  For a ticket, or to see what the trend saw.
 *
 *   check_async_leak_plot --replay FILE -o FILE.png [check_async_leak options]
 *   check_async_leak_plot -H HOST [-n NAME] [-f INI -s SECTION] -o FILE.svg
 *
 * The history is a --replay series or a state file (its sample lines
 * replay as they are); without --replay the live state file of the check
 * that the other options describe is read, found as the plugin finds it
 * (plugin/histname.c), and never written.  Every check_async_leak option is
 * accepted with the plugin's own parser, INI file and validation
 * (plugin/cli.c, config.c, inifile.c), so the thresholds are those of the
 * check.  The series goes step by step through the plugin's trend code
 * (plugin/trend.c), exactly as --replay does (same compaction, same
 * parameters from evaluate_trend_params), so the verdict drawn is the
 * plugin's.
 *
 * Kept out of the plugin (its own make target, `make plot`): the check
 * Nagios runs every few minutes never links cairo.
 *
 * Exit status: 0 picture written, 1 the history or the output failed, 2 a
 * bad option.  Errors are one line on stderr; a summary line on stdout.
 */
#include <cairo.h>
#include <cairo-svg.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "evaluate.h"
#include "histname.h"
#include "inifile.h"
#include "range.h"
#include "replay.h"
#include "states.h"
#include "trend.h"
#include "units.h"
#include "util.h"

#define PROG "check_async_leak_plot"
#define LINE_MAX_LEN 1024
#define MAX_SAMPLES (1 << 22)

/* One replayed check: what was measured and what the trend said. */
struct step {
	struct sample s;
	struct trend_result r;
	enum state state;		/* memory thresholds + growth + time left */
};

struct series {
	struct step *v;
	size_t n, cap;
	struct sample *floors;		/* hourly floors (trend_compact of it all) */
	size_t nfloors;
	char key[256];			/* "# key=" of a state file, or "" */
};

struct opts {
	const char *output;
	const char *title;
	int width, height;
	bool svg;
};

/* Colours (RGB 0..1), also what tests/integration/t_plot.sh looks for. */
struct rgb { double r, g, b; };
#define HEX(x) { ((x) >> 16 & 0xff) / 255.0, ((x) >> 8 & 0xff) / 255.0, ((x) & 0xff) / 255.0 }
static const struct rgb C_BG = HEX(0xffffff), C_GRID = HEX(0xdeddda), C_AXIS = HEX(0x3d3846),
	C_TEXT = HEX(0x241f31), C_MEM = HEX(0x1c71d8), C_FLOOR = HEX(0x0b3d66),
	C_FIT = HEX(0x9141ac), C_LIMIT = HEX(0xa51d2d), C_WARN = HEX(0xe5a50a),
	C_CRIT = HEX(0xc01c28), C_BASE = HEX(0x26a269), C_RESTART = HEX(0x77767b),
	V_COLLECTING = HEX(0xc0bfbc), V_STABLE = HEX(0x8ff0a4), V_RISING = HEX(0xf9f06b),
	V_LEAK = HEX(0xff7800), S_OK = HEX(0x57e389), S_WARNING = HEX(0xf6d32d),
	S_CRITICAL = HEX(0xe01b24), S_UNKNOWN = HEX(0xdc8add), C_WARN_TEXT = HEX(0x9c6e03);

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void usage(FILE *out)
{
	fputs("Usage: " PROG " --replay FILE -o OUT.png|OUT.svg [check_async_leak options]\n"
	      "       " PROG " -H HOST [-n NAME|-r ERE] [-f INI [-s SECTION]] -o OUT.png\n"
	      "Draws a check_async_leak history (a --replay series or a state file; without\n"
	      "--replay the live state file of the check the options describe) with the\n"
	      "plugin's own trend verdict at every step.\n"
	      "  -o, --output FILE   picture to write: .png or .svg (required)\n"
	      "  --title TEXT        title (default: host and process)\n"
	      "  --size WxH          size in pixels (PNG) or points (SVG), default 1100x640\n"
	      "  -h, --help          this help\n"
	      "Every other option is check_async_leak's, as in its --help (thresholds,\n"
	      "--limit, --baseline, --growth-*, --timeleft-*, --min-window, -f, -s, ...).\n",
	      out);
}

/* ---------------------------------------------------------------- input */

static void push(struct series *se, const struct step *st)
{
	if (se->n == se->cap) {
		size_t ncap = se->cap ? se->cap * 2 : 1024;
		struct step *nv;

		if (ncap > MAX_SAMPLES)
			die(1, "more than %d samples", MAX_SAMPLES);
		nv = realloc(se->v, ncap * sizeof *nv);
		if (!nv)
			die(1, "out of memory");
		se->v = nv;
		se->cap = ncap;
	}
	se->v[se->n++] = *st;
}

/* The memory state of one sample under the --warning / --critical ranges. */
static enum state mem_state(const struct config *cfg, double bytes, double baseline)
{
	struct range w = cfg->warning, c = cfg->critical;
	enum state st = STATE_OK;

	if (c.set && range_resolve(&c, baseline, NULL, 0) == 0 && range_alerts(&c, bytes))
		return STATE_CRITICAL;
	if (w.set && range_resolve(&w, baseline, NULL, 0) == 0 && range_alerts(&w, bytes))
		st = STATE_WARNING;
	return st;
}

/*
 * Reads the series and replays it as replay_run() (plugin/replay.c) does:
 * each sample a check at its own time, compacted hourly, then
 * trend_analyze().  Error messages name the line, as --replay's do.
 */
static void read_series(FILE *in, const char *name, const struct config *cfg,
			const struct trend_params *tp, struct series *se)
{
	char line[LINE_MAX_LEN + 2], err[ERRBUF_SIZE];
	struct sample *hist = NULL;
	size_t n = 0, cap = 0;
	unsigned long lineno = 0;
	bool header_ok = true;
	time_t last_compact = 0, raw_at = 0;
	struct trend_params p = *tp;	/* carries raw_judged_at from check to check */

	while (fgets(line, sizeof line, in)) {
		struct step st;
		size_t len = strlen(line);
		int got;

		lineno++;
		if (len == sizeof line - 1 && line[len - 1] != '\n')
			die(1, "%s: line %lu: longer than %d characters", name, lineno, LINE_MAX_LEN);
		if (lineno <= 16 && strncmp(line, "# key=", 6) == 0) {
			copy_str(se->key, sizeof se->key, trim(line + 6));
			continue;
		}
		/* A state file's last raw-route judgement (its raw samples are gone). */
		if (lineno <= 16 && strncmp(line, "# raw_judged_at=", 16) == 0) {
			raw_at = (time_t)strtoll(line + 16, NULL, 10);
			continue;
		}
		got = replay_parse_line(line, header_ok, &st.s, err, sizeof err);
		if (got < 0)
			die(1, "%s: line %lu: %s", name, lineno, err);
		if (got == 0)
			continue;
		header_ok = false;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct sample *nh;

			if (ncap > MAX_SAMPLES)
				die(1, "%s: line %lu: more than %d samples", name, lineno, MAX_SAMPLES);
			nh = realloc(hist, ncap * sizeof *nh);
			if (!nh)
				die(1, "out of memory");
			hist = nh;
			cap = ncap;
		}
		hist[n++] = st.s;
		if (st.s.t - last_compact >= TREND_BLOCK_S || st.s.t < last_compact) {
			n = trend_compact(hist, n, st.s.t - TREND_KEEP_RAW_S);
			last_compact = st.s.t;
		}
		if (raw_at > 0 && st.s.t >= raw_at && p.raw_judged_at < raw_at)
			p.raw_judged_at = raw_at;
		trend_analyze(hist, n, st.s.t, &p, &st.r);
		if (st.r.raw_route)
			p.raw_judged_at = st.s.t;
		st.state = state_worst(st.r.growth_state, st.r.timeleft_state);
		st.state = state_worst(st.state, mem_state(cfg, (double)st.s.mem_kb * 1024.0,
							   st.r.have_baseline ? st.r.baseline_bytes : 0));
		push(se, &st);
	}
	if (ferror(in))
		die(1, "%s: cannot read: %s", name, strerror(errno));
	free(hist);
	if (se->n < 2)
		die(1, "%s: %s to draw", name, se->n ? "only one sample" : "no samples");

	/* The hourly floors of the whole series, as the trend code makes them. */
	se->floors = malloc(se->n * sizeof *se->floors);
	if (!se->floors)
		die(1, "out of memory");
	for (size_t i = 0; i < se->n; i++)
		se->floors[i] = se->v[i].s;
	se->nfloors = trend_compact(se->floors, se->n, se->v[se->n - 1].s.t + TREND_BLOCK_S);
}

/* -------------------------------------------------------------- drawing */

struct frame {
	double x0, y0, x1, y1;		/* plot area, device units */
	double t0, t1;			/* time range shown */
	double m1;			/* memory range 0..m1, bytes */
};

static double fx(const struct frame *f, double t)
{
	return f->x0 + (t - f->t0) / (f->t1 - f->t0) * (f->x1 - f->x0);
}

static double fy(const struct frame *f, double bytes)
{
	return f->y1 - bytes / f->m1 * (f->y1 - f->y0);
}

static void colour(cairo_t *cr, struct rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void font(cairo_t *cr, double size, bool bold)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/* Text at (x, y) (baseline), aligned: 0 left, 0.5 centre, 1 right. */
static void text(cairo_t *cr, double x, double y, double align, const char *s)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - align * e.x_advance, y);
	cairo_show_text(cr, s);
}

static double text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	return e.x_advance;
}

static void hline(cairo_t *cr, const struct frame *f, double bytes, struct rgb c, double w,
		  bool dashed)
{
	static const double dash[] = { 7, 4 };

	if (bytes <= 0 || bytes > f->m1)
		return;
	colour(cr, c);
	cairo_set_line_width(cr, w);
	cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
	cairo_move_to(cr, f->x0, fy(f, bytes));
	cairo_line_to(cr, f->x1, fy(f, bytes));
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
}

/* A "nice" step (1, 2, 5 x 10^k) for about `want` intervals over span. */
static double nice_step(double span, int want)
{
	double raw = span / want, mag = pow(10, floor(log10(raw))), r = raw / mag;

	return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

static void draw_axes(cairo_t *cr, const struct frame *f)
{
	static const long steps[] = { 60, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600,
				      6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400,
				      14 * 86400, 28 * 86400 };
	double mib = 1048576.0, ystep = nice_step(f->m1 / mib, 6) * mib;
	long tstep = steps[sizeof steps / sizeof steps[0] - 1];
	char buf[64];
	int last_day = -1;

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if ((f->t1 - f->t0) / (double)steps[i] <= 9) {
			tstep = steps[i];
			break;
		}

	font(cr, 11, false);
	/* Memory: grid lines and labels in MiB. */
	for (double b = 0; b <= f->m1 * 1.0001; b += ystep) {
		colour(cr, C_GRID);
		cairo_set_line_width(cr, 1);
		cairo_move_to(cr, f->x0, floor(fy(f, b)) + 0.5);
		cairo_line_to(cr, f->x1, floor(fy(f, b)) + 0.5);
		cairo_stroke(cr);
		colour(cr, C_TEXT);
		snprintf(buf, sizeof buf, "%g", b / mib);
		text(cr, f->x0 - 6, fy(f, b) + 4, 1, buf);
	}
	/* Time: UTC, the hour and, when it changes, the day. */
	for (double t = ceil(f->t0 / tstep) * tstep; t <= f->t1; t += tstep) {
		time_t tt = (time_t)t;
		struct tm tm;
		double x = floor(fx(f, t)) + 0.5;

		gmtime_r(&tt, &tm);
		colour(cr, C_GRID);
		cairo_set_line_width(cr, 1);
		cairo_move_to(cr, x, f->y0);
		cairo_line_to(cr, x, f->y1);
		cairo_stroke(cr);
		colour(cr, C_TEXT);
		if (tstep < 86400) {
			strftime(buf, sizeof buf, "%H:%M", &tm);
			text(cr, x, f->y1 + 15, 0.5, buf);
		}
		if (tm.tm_yday != last_day) {
			strftime(buf, sizeof buf, "%a %d %b %Y", &tm);
			text(cr, x, f->y1 + (tstep < 86400 ? 29 : 15), 0.5, buf);
			last_day = tm.tm_yday;
		}
	}
	colour(cr, C_AXIS);
	cairo_set_line_width(cr, 1.2);
	cairo_rectangle(cr, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
	cairo_stroke(cr);

	cairo_save(cr);
	font(cr, 12, false);
	colour(cr, C_TEXT);
	cairo_move_to(cr, f->x0 - 52, (f->y0 + f->y1) / 2);
	cairo_rotate(cr, -M_PI / 2);
	text(cr, 0, 0, 0.5, "memory (MiB)");
	cairo_restore(cr);
}

/* The memory line, broken at restarts and at gaps of over an hour. */
static void draw_memory(cairo_t *cr, const struct frame *f, const struct series *se)
{
	colour(cr, C_MEM);
	cairo_set_line_width(cr, 2);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	for (size_t i = 0; i < se->n; i++) {
		const struct step *st = &se->v[i];
		bool cont = i > 0 && st->s.t - se->v[i - 1].s.t <= 3600 &&
			    st->r.segment_start == se->v[i - 1].r.segment_start;
		double x = fx(f, (double)st->s.t), y = fy(f, (double)st->s.mem_kb * 1024.0);

		if (cont)
			cairo_line_to(cr, x, y);
		else
			cairo_move_to(cr, x, y);
	}
	cairo_stroke(cr);
}

static void draw_floors(cairo_t *cr, const struct frame *f, const struct series *se)
{
	colour(cr, C_FLOOR);
	cairo_set_line_width(cr, 3);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
	for (size_t i = 0; i < se->nfloors; i++) {
		const struct sample *s = &se->floors[i];
		double h = (double)(s->t - s->t % TREND_BLOCK_S), y;

		if (!s->hourly)
			continue;
		y = fy(f, (double)s->mem_kb * 1024.0);
		cairo_move_to(cr, fx(f, h) + 1, y);
		cairo_line_to(cr, fx(f, h + TREND_BLOCK_S) - 1, y);
	}
	cairo_stroke(cr);
}

/* The fitted floor of every step that had a slope: what 'floor' graphs. */
static void draw_fitted_floor(cairo_t *cr, const struct frame *f, const struct series *se)
{
	bool pen = false;

	colour(cr, C_FIT);
	cairo_set_line_width(cr, 1.5);
	for (size_t i = 0; i < se->n; i++) {
		const struct step *st = &se->v[i];

		if (!st->r.have_slope || st->r.floor_bytes <= 0) {
			pen = false;
			continue;
		}
		if (pen && st->r.segment_start == se->v[i - 1].r.segment_start)
			cairo_line_to(cr, fx(f, (double)st->s.t), fy(f, st->r.floor_bytes));
		else
			cairo_move_to(cr, fx(f, (double)st->s.t), fy(f, st->r.floor_bytes));
		pen = true;
	}
	cairo_stroke(cr);
}

/* The last step's trend line over its window, and its forecast, dashed. */
static void draw_trend_line(cairo_t *cr, const struct frame *f, const struct trend_result *r,
			    double t_end, double limit)
{
	static const double dash[] = { 8, 5 };
	double t_start = t_end - r->window_s, slope = r->slope_bph / 3600.0, t_hit;

	if (!r->have_slope || r->window_s <= 0)
		return;
	if (t_start < f->t0)
		t_start = f->t0;
	cairo_save(cr);
	cairo_rectangle(cr, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
	cairo_clip(cr);
	colour(cr, C_FIT);
	cairo_set_line_width(cr, 3);
	cairo_move_to(cr, fx(f, t_start), fy(f, r->floor_bytes - slope * (t_end - t_start)));
	cairo_line_to(cr, fx(f, t_end), fy(f, r->floor_bytes));
	cairo_stroke(cr);
	if (r->have_forecast && slope > 0) {
		t_hit = limit > 0 ? t_end + r->timeleft_s : f->t1;
		if (t_hit > f->t1)
			t_hit = f->t1;
		cairo_set_dash(cr, dash, 2, 0);
		cairo_set_line_width(cr, 2);
		cairo_move_to(cr, fx(f, t_end), fy(f, r->floor_bytes));
		cairo_line_to(cr, fx(f, t_hit), fy(f, r->floor_bytes + slope * (t_hit - t_end)));
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		if (limit > 0) {
			char when[48], note[96];
			time_t tt = (time_t)(t_end + r->timeleft_s);
			struct tm tm;
			bool on = t_end + r->timeleft_s <= f->t1;

			gmtime_r(&tt, &tm);
			strftime(when, sizeof when, "%a %d %b %H:%M UTC", &tm);
			snprintf(note, sizeof note, "%s limit ~%s", on ? "" : "->", when);
			if (on) {
				cairo_arc(cr, fx(f, t_end + r->timeleft_s), fy(f, limit), 5, 0, 2 * M_PI);
				colour(cr, C_LIMIT);
				cairo_fill(cr);
			}
			font(cr, 11, true);
			colour(cr, C_LIMIT);
			cairo_reset_clip(cr);
			text(cr, on ? fx(f, t_end + r->timeleft_s) - 8 : f->x1 - 4,
			     on ? fy(f, limit) + 18 : fy(f, r->floor_bytes + slope * (t_hit - t_end)) - 8,
			     1, note);
		}
	}
	cairo_restore(cr);
}

static void draw_restarts(cairo_t *cr, const struct frame *f, const struct series *se)
{
	static const double dash[] = { 2, 3 };

	font(cr, 10, false);
	for (size_t i = 1; i < se->n; i++) {
		const struct step *st = &se->v[i];
		double x;

		if (st->r.segment_start == se->v[i - 1].r.segment_start || !st->r.restarted)
			continue;
		x = floor(fx(f, (double)st->r.segment_start)) + 0.5;
		colour(cr, C_RESTART);
		cairo_set_line_width(cr, 1);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_move_to(cr, x, f->y0);
		cairo_line_to(cr, x, f->y1);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		text(cr, x + 3, f->y0 + 12, 0, st->r.reboot ? "reboot" : "restart");
	}
}

/* A band of colours, one per step, from x0 to x1 at y, height h. */
static void draw_band(cairo_t *cr, const struct frame *f, const struct series *se, double y,
		      double h, bool verdict)
{
	for (size_t i = 0; i < se->n; i++) {
		const struct step *st = &se->v[i];
		double xa = fx(f, (double)st->s.t);
		double xb = i + 1 < se->n ? fx(f, (double)se->v[i + 1].s.t) : xa + 2;
		struct rgb c;

		if (verdict)
			c = st->r.verdict == TREND_LEAK ? V_LEAK : st->r.verdict == TREND_RISING ?
			    V_RISING : st->r.verdict == TREND_STABLE ? V_STABLE : V_COLLECTING;
		else
			c = st->state == STATE_CRITICAL ? S_CRITICAL : st->state == STATE_WARNING ?
			    S_WARNING : st->state == STATE_UNKNOWN ? S_UNKNOWN : S_OK;
		colour(cr, c);
		cairo_rectangle(cr, floor(xa), y, ceil(xb) - floor(xa), h);
		cairo_fill(cr);
	}
	colour(cr, C_AXIS);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, f->x0 + 0.5, y + 0.5, fx(f, (double)se->v[se->n - 1].s.t) + 2 -
			f->x0 - 1, h - 1);
	cairo_stroke(cr);
	colour(cr, C_TEXT);
	font(cr, 11, false);
	text(cr, f->x0 - 6, y + h - 4, 1, verdict ? "verdict" : "state");
}

/* Legend entries: a swatch (line, dashed line, block) and its text. */
struct entry { struct rgb c; int kind; const char *label; };	/* 0 line, 1 dashed, 2 block, 3 bar */

static double legend_row(cairo_t *cr, double x, double y, double xmax, const struct entry *e,
			 size_t n)
{
	static const double dash[] = { 6, 3 };

	font(cr, 11, false);
	for (size_t i = 0; i < n; i++) {
		double w = text_width(cr, e[i].label) + 40;

		if (x + w > xmax) {
			x = 80;
			y += 18;
		}
		colour(cr, e[i].c);
		if (e[i].kind == 2) {
			cairo_rectangle(cr, x, y - 9, 22, 10);
			cairo_fill(cr);
		} else {
			cairo_set_line_width(cr, e[i].kind == 3 ? 3 : 2);
			cairo_set_dash(cr, dash, e[i].kind == 1 ? 2 : 0, 0);
			cairo_move_to(cr, x, y - 4);
			cairo_line_to(cr, x + 22, y - 4);
			cairo_stroke(cr);
			cairo_set_dash(cr, NULL, 0, 0);
		}
		colour(cr, C_TEXT);
		text(cr, x + 28, y, 0, e[i].label);
		x += w;
	}
	return y;
}

/* The resolved upper end of a memory range, or 0. */
static double range_top(const struct range *r0, double baseline)
{
	struct range r = *r0;

	if (!r.set || r.inside || range_resolve(&r, baseline, NULL, 0) != 0)
		return 0;
	if (!r.end.infinite)
		return r.end.q.value;
	return r.start.infinite ? 0 : r.start.q.value;
}

static void draw(cairo_t *cr, const struct opts *o, const struct config *cfg,
		 const struct trend_params *tp, const struct series *se, const char *title)
{
	const struct step *last = &se->v[se->n - 1];
	const struct trend_result *r = &last->r;
	double baseline = r->have_baseline ? r->baseline_bytes : 0;
	double warn = range_top(&cfg->warning, baseline), crit = range_top(&cfg->critical, baseline);
	double limit = tp->limit_bytes, maxmem = 0, span, t_end = (double)last->s.t;
	char a[32], b[32], c[32], d[32], e[32], line2[32], line[512], from[40], to[40];
	struct frame f;
	struct tm tm;
	time_t tt;
	double y;
	struct entry lines[8], bands[8];
	size_t nl = 0, nb = 0;

	for (size_t i = 0; i < se->n; i++)
		if (se->v[i].s.mem_kb * 1024.0 > maxmem)
			maxmem = se->v[i].s.mem_kb * 1024.0;
	f.x0 = 80;
	f.x1 = o->width - 30;
	f.y0 = 92;
	f.y1 = o->height - 150;
	f.t0 = (double)se->v[0].s.t;
	span = t_end - f.t0;
	/* Room on the right for the forecast: to where it meets the limit
	 * when that is near, else a tenth of the span to show where it heads. */
	f.t1 = t_end + span * 0.1;
	if (r->have_forecast && limit > 0 && r->timeleft_s <= span)
		f.t1 = t_end + r->timeleft_s * 1.08 + span * 0.02;
	/* Memory axis: the memory, and the limit and thresholds when they are
	 * within twice its peak (beyond, they are named in the legend only). */
	f.m1 = maxmem;
	if (limit > 0 && (limit <= 2 * maxmem || f.t1 > t_end + span * 0.1))
		f.m1 = fmax(f.m1, limit);
	if (crit > 0 && crit <= 2 * maxmem)
		f.m1 = fmax(f.m1, crit);
	if (warn > 0 && warn <= 2 * maxmem)
		f.m1 = fmax(f.m1, warn);
	f.m1 = f.m1 > 0 ? f.m1 * 1.06 : 1048576;

	colour(cr, C_BG);
	cairo_paint(cr);

	/* Title, what was drawn, and how it ended. */
	colour(cr, C_TEXT);
	font(cr, 17, true);
	text(cr, f.x0, 28, 0, title);
	tt = (time_t)f.t0;
	gmtime_r(&tt, &tm);
	strftime(from, sizeof from, "%Y-%m-%d %H:%M", &tm);
	tt = last->s.t;
	gmtime_r(&tt, &tm);
	strftime(to, sizeof to, "%Y-%m-%d %H:%M UTC", &tm);
	font(cr, 12, false);
	snprintf(line, sizeof line, "%zu checks from %s to %s (%s); limit %s; growth levels "
		 "%s / %s; time-left levels %s / %s", se->n, from, to,
		 units_format_duration(span, a, sizeof a),
		 limit > 0 ? units_format_size(limit, b, sizeof b) : "unknown",
		 r->growth_warning_bph > 0 ? units_format_rate(r->growth_warning_bph, c, sizeof c)
					   : "none",
		 r->growth_critical_bph > 0 ? units_format_rate(r->growth_critical_bph, d, sizeof d)
					    : "none",
		 tp->timeleft_warning_s > 0 ? units_format_duration(tp->timeleft_warning_s, e,
								     sizeof e) : "none",
		 tp->timeleft_critical_s > 0 ? units_format_duration(tp->timeleft_critical_s, line2,
								      sizeof line2) : "none");
	text(cr, f.x0, 48, 0, line);
	font(cr, 13, true);
	if (r->have_slope && (r->verdict == TREND_LEAK || r->verdict == TREND_RISING)) {
		int k = snprintf(line, sizeof line, "At the end: %s, %s %s", state_name(last->state),
				 r->verdict == TREND_LEAK ? "leaking" : "rising",
				 units_format_rate(r->slope_bph, a, sizeof a));
		if (r->rising_s > 0 && k > 0 && (size_t)k < sizeof line)
			k += snprintf(line + k, sizeof line - (size_t)k, " for %s",
				      units_format_duration(r->rising_s, b, sizeof b));
		if (r->have_forecast && limit > 0 && k > 0 && (size_t)k < sizeof line)
			snprintf(line + k, sizeof line - (size_t)k, ", limit %s in ~%s",
				 units_format_size(limit, c, sizeof c),
				 units_format_duration(r->timeleft_s, a, sizeof a));
	} else if (r->verdict == TREND_COLLECTING) {
		snprintf(line, sizeof line, "At the end: %s, collecting history (%s of %s)",
			 state_name(last->state),
			 units_format_duration(r->segment_age_s, a, sizeof a),
			 units_format_duration(r->window_needed_s > 0 ? r->window_needed_s
								       : tp->min_window_s, b, sizeof b));
	} else {
		snprintf(line, sizeof line, "At the end: %s, no leak (%s %s)",
			 state_name(last->state), trend_verdict_name(r->verdict),
			 r->have_slope ? units_format_rate(r->slope_bph, a, sizeof a) : "");
	}
	colour(cr, last->state == STATE_CRITICAL ? C_CRIT : last->state == STATE_WARNING ?
		   C_WARN_TEXT : C_TEXT);
	text(cr, f.x0, 70, 0, line);

	draw_axes(cr, &f);
	cairo_save(cr);
	cairo_rectangle(cr, f.x0, f.y0, f.x1 - f.x0, f.y1 - f.y0);
	cairo_clip(cr);
	hline(cr, &f, baseline, C_BASE, 1.5, true);
	hline(cr, &f, warn, C_WARN, 1.5, true);
	hline(cr, &f, crit, C_CRIT, 1.5, true);
	hline(cr, &f, limit, C_LIMIT, 2, false);
	draw_restarts(cr, &f, se);
	draw_floors(cr, &f, se);
	draw_memory(cr, &f, se);
	draw_fitted_floor(cr, &f, se);
	cairo_restore(cr);
	draw_trend_line(cr, &f, r, t_end, limit);
	/* Where the history ends and the forecast begins. */
	{
		static const double dash[] = { 3, 3 };
		double x = floor(fx(&f, t_end)) + 0.5;

		colour(cr, C_AXIS);
		cairo_set_line_width(cr, 1);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_move_to(cr, x, f.y0);
		cairo_line_to(cr, x, f.y1);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		font(cr, 10, false);
		colour(cr, C_TEXT);
		text(cr, x - 3, f.y0 + 12, 1, "last check");
	}

	y = f.y1 + 42;
	draw_band(cr, &f, se, y, 14, true);
	draw_band(cr, &f, se, y + 18, 14, false);

	lines[nl++] = (struct entry){ C_MEM, 0, "memory" };
	lines[nl++] = (struct entry){ C_FLOOR, 3, "hourly floor" };
	lines[nl++] = (struct entry){ C_FIT, 0, "fitted floor; trend line, forecast (dashed)" };
	{
		static char ll[64];

		snprintf(ll, sizeof ll, "limit %s%s", limit > 0 ? units_format_size(limit, a, sizeof a)
								: "unknown",
			 limit > f.m1 ? " (above the scale)" : "");
		lines[nl++] = (struct entry){ C_LIMIT, 0, ll };
	}
	if (warn > 0) {
		static char wl[48];

		snprintf(wl, sizeof wl, "warning %s%s", units_format_size(warn, b, sizeof b),
			 warn > f.m1 ? " (above)" : "");
		lines[nl++] = (struct entry){ C_WARN, 1, wl };
	}
	if (crit > 0) {
		static char cl[48];

		snprintf(cl, sizeof cl, "critical %s%s", units_format_size(crit, c, sizeof c),
			 crit > f.m1 ? " (above)" : "");
		lines[nl++] = (struct entry){ C_CRIT, 1, cl };
	}
	if (baseline > 0) {
		static char bl[48];

		snprintf(bl, sizeof bl, "baseline %s (%s)", units_format_size(baseline, a, sizeof a),
			 r->baseline_learned ? "learned" : "configured");
		lines[nl++] = (struct entry){ C_BASE, 1, bl };
	}
	y = legend_row(cr, f.x0, y + 58, f.x1, lines, nl);
	bands[nb++] = (struct entry){ V_COLLECTING, 2, "collecting" };
	bands[nb++] = (struct entry){ V_STABLE, 2, "stable" };
	bands[nb++] = (struct entry){ V_RISING, 2, "rising" };
	bands[nb++] = (struct entry){ V_LEAK, 2, "leak" };
	bands[nb++] = (struct entry){ S_OK, 2, "OK" };
	bands[nb++] = (struct entry){ S_WARNING, 2, "WARNING" };
	bands[nb++] = (struct entry){ S_CRITICAL, 2, "CRITICAL" };
	legend_row(cr, f.x0, y + 20, f.x1, bands, nb);
	font(cr, 9, false);
	colour(cr, C_RESTART);
	text(cr, o->width - 8, o->height - 8, 1,
	     "check_async_leak_plot " VERSION " - verdicts by the plugin's trend code");
}

/* ---------------------------------------------------------------- main */

static int load_ini(struct config *cfg, const struct cli_args *args, char *err, size_t errlen)
{
	struct inifile_notes notes;
	const char *path = cfg->config_file_set ? cfg->config_file : getenv("CHECK_ASYNC_LEAK_CONFIG");
	const char *section = cfg->section[0] ? cfg->section : cli_value(args, OPT_HOSTNAME);

	memset(&notes, 0, sizeof notes);
	if (!path || !path[0])
		path = CONFIG_DEFAULT_FILE;
	if (!cfg->config_file_set && !inifile_exists(path))
		return 0;
	return inifile_load(cfg, path, section, cfg->section[0] != '\0', &notes, err, errlen);
}

/* Takes this tool's own options out of argv; the rest is the plugin's. */
static int own_options(int argc, char **argv, struct opts *o)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		size_t l;

		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		for (const char *const *n = (const char *const[]){ "-o", "--output", "--title",
								   "--size", NULL }; *n; n++) {
			l = strlen(*n);
			if (strcmp(a, *n) == 0) {
				if (i + 1 >= argc)
					die(2, "option '%s' needs a value", *n);
				v = argv[++i];
			} else if (l > 2 && strncmp(a, *n, l) == 0 && a[l] == '=') {
				v = a + l + 1;
			} else {
				continue;
			}
			if (strcmp(*n, "-o") == 0 || strcmp(*n, "--output") == 0) {
				o->output = v;
			} else if (strcmp(*n, "--title") == 0) {
				o->title = v;
			} else {
				char x;

				if (sscanf(v, "%dx%d%c", &o->width, &o->height, &x) != 2 ||
				    o->width < 400 || o->width > 8000 || o->height < 300 ||
				    o->height > 8000)
					die(2, "--size: '%s' is not WIDTHxHEIGHT (400x300 to 8000x8000)", v);
			}
			break;
		}
		if (!v)
			argv[out++] = argv[i];
	}
	return out;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static struct series se;
	struct opts o = { NULL, NULL, 1100, 640, false };
	struct cli_args args;
	struct trend_params tp;
	char err[ERRBUF_SIZE], path[HISTORY_PATH_MAX], title[400], a[32];
	const char *input, *ext;
	cairo_surface_t *surf;
	cairo_t *cr;
	cairo_status_t cst;
	FILE *in;
	size_t first_leak = 0;

	argc = own_options(argc, argv, &o);
	argv[argc] = NULL;
	if (!o.output)
		die(2, "no picture to write: give -o FILE.png or -o FILE.svg (--help)");
	ext = strrchr(o.output, '.');
	if (ext && strcmp(ext, ".svg") == 0)
		o.svg = true;
	else if (!ext || strcmp(ext, ".png") != 0)
		die(2, "-o %s: the name must end in .png or .svg", o.output);

	config_init(&cfg);
	if (cli_parse(argc, argv, &args, err, sizeof err) != 0)
		die(2, "%s", err);
	for (size_t i = 0; i < args.n; i++) {
		enum option_id id = args.items[i].id;

		if (id != OPT_CONFIG && id != OPT_SECTION)
			continue;
		if (config_set(&cfg, id, args.items[i].value, ORIGIN_CLI, err, sizeof err) != 0)
			die(2, "%s", err);
	}
	if (load_ini(&cfg, &args, err, sizeof err) != 0)
		die(2, "%s", err);
	for (size_t i = 0; i < args.n; i++) {
		enum option_id id = args.items[i].id;

		if (id == OPT_CONFIG || id == OPT_SECTION)
			continue;
		if (config_set(&cfg, id, args.items[i].value, ORIGIN_CLI, err, sizeof err) != 0)
			die(2, "%s", err);
	}
	if (cfg.show_help) {
		usage(stdout);
		return 0;
	}
	if (cfg.show_version) {
		printf(PROG " " VERSION "\n");
		return 0;
	}
	if (config_validate(&cfg, err, sizeof err) != 0)
		die(2, "%s", err);

	if (cfg.replay[0]) {
		input = cfg.replay;
	} else {
		if (history_path(&cfg, getenv("MP_STATE_PATH"), (unsigned)geteuid(), path, sizeof path,
			       err, sizeof err) != 0)
			die(2, "%s", err);
		input = path;
	}
	in = strcmp(input, "-") == 0 ? stdin : fopen(input, "r");
	if (!in)
		die(1, "cannot read %s: %s", input, strerror(errno));
	evaluate_trend_params(&cfg, 0, &tp);	/* no agent: no physical memory */
	read_series(in, input, &cfg, &tp, &se);
	if (in != stdin)
		fclose(in);

	if (o.title) {
		copy_str(title, sizeof title, o.title);
	} else {
		const char *host = cfg.hostname[0] ? cfg.hostname : NULL;
		const char *base = strrchr(input, '/');
		char what[200];

		if (config_use_regex(&cfg))
			snprintf(what, sizeof what, "/%.150s/", cfg.regex);
		else
			snprintf(what, sizeof what, "%s", cfg.process);
		snprintf(title, sizeof title, "%.180s - %.180s memory", host ? host : base ? base + 1 : input,
			 what);
	}

	if (o.svg)
		surf = cairo_svg_surface_create(o.output, o.width, o.height);
	else
		surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, o.width, o.height);
	cr = cairo_create(surf);
	draw(cr, &o, &cfg, &tp, &se, title);
	cst = cairo_status(cr);
	cairo_destroy(cr);
	if (cst == CAIRO_STATUS_SUCCESS && !o.svg)
		cst = cairo_surface_write_to_png(surf, o.output);
	cairo_surface_finish(surf);
	if (cst == CAIRO_STATUS_SUCCESS)
		cst = cairo_surface_status(surf);
	cairo_surface_destroy(surf);
	/* cairo's and fontconfig's caches, so that leak checkers see ours only. */
	cairo_debug_reset_static_data();
	FcFini();
	if (cst != CAIRO_STATUS_SUCCESS) {
		unlink(o.output);
		die(1, "cannot write %s: %s", o.output, cairo_status_to_string(cst));
	}

	for (size_t i = 0; i < se.n && !first_leak; i++)
		if (se.v[i].r.verdict == TREND_LEAK)
			first_leak = i + 1;
	printf("%s: %zu checks, verdict at the end %s (%s)", o.output, se.n,
	       trend_verdict_name(se.v[se.n - 1].r.verdict),
	       state_name(se.v[se.n - 1].state));
	if (first_leak) {
		struct tm tm;
		time_t t = se.v[first_leak - 1].s.t;

		gmtime_r(&t, &tm);
		strftime(a, sizeof a, "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf(", first LEAK at %s", a);
	}
	putchar('\n');
	free(se.v);
	free(se.floors);
	return 0;
}
