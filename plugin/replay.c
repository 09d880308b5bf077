/*
 * replay.c - feeds a recorded memory series through trend_analyze(), one
 * check per sample, as the plugin would have seen it (see replay.h).  Used
 * by --replay and by admins tuning thresholds on their own history.
 */
#include "replay.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "states.h"
#include "util.h"

#define LINE_MAX_LEN	1024
#define REPLAY_MAX	(1 << 22)	/* 4 M samples: 8 years of minutes */

/* Parses a decimal integer field [s, end) into *v, min <= *v <= max. */
static int parse_long(const char *s, const char *end, long long min, long long max,
		      long long *v)
{
	char buf[32];
	size_t len = (size_t)(end - s);
	char *stop;

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtoll(buf, &stop, 10);
	if (errno || *stop || *v < min || *v > max)
		return -1;
	return 0;
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * One field: its text [*start, *end) from p, which is past the blanks
 * before it, to a comma or a blank.  Returns what follows it, past the
 * blanks after it and, in CSV, the one comma after those.
 */
static const char *scan_field(const char *p, bool csv, const char **start, const char **end)
{
	*start = p;
	while (*p && *p != ',' && !isspace((unsigned char)*p))
		p++;
	*end = p;
	p = skip_blanks(p);
	if (csv && *p == ',')
		p++;
	return p;
}

int replay_parse_line(const char *line, bool header_ok, struct sample *s,
		      char *err, size_t errlen)
{
	const char *p, *time_start, *time_end, *mem_start, *mem_end, *rest, *end;
	bool csv = strchr(line, ',') != NULL;
	long long t, kb;
	char idx[sizeof s->indexes], text[44];	/* 40 characters quoted, then "..." */
	size_t n = 0;

	p = skip_blanks(line);
	if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
		return 0;
	p = scan_field(p, csv, &time_start, &time_end);
	rest = scan_field(skip_blanks(p), csv, &mem_start, &mem_end);

	if (header_ok && isalpha((unsigned char)*time_start))
		return 0;	/* "time,mem_kb,indexes" */
	/* 0 is no time of a check, and the state file refuses it too. */
	if (parse_long(time_start, time_end, 1, (long long)LONG_MAX, &t) < 0)
		return errorf(err, errlen, "'%s' is not a unix time",
			      quote_text(text, sizeof text, time_start,
					 (size_t)(time_end - time_start)));
	if (mem_start == mem_end)
		return errorf(err, errlen, "the memory in KB is missing");
	if (parse_long(mem_start, mem_end, 0, LONG_MAX / 1024, &kb) < 0)
		return errorf(err, errlen, "'%s' is not a memory size in KB",
			      quote_text(text, sizeof text, mem_start,
					 (size_t)(mem_end - mem_start)));
	/*
	 * The index list: in CSV the rest of the line, quotes and blanks
	 * removed; with white space the third field alone, so that a state
	 * file's lines (CPU, uptime and an 'h' after it; '-' for no index)
	 * replay as they are.
	 */
	end = rest + strcspn(rest, csv ? "\r\n" : " \t\r\n");
	if (!csv && end - rest == 1 && *rest == '-')
		end = rest;
	for (p = rest; p < end; p++) {
		if (*p == '"' || *p == ' ' || *p == '\t')
			continue;
		if (!isdigit((unsigned char)*p) && *p != ',')
			return errorf(err, errlen, "'%s' is not a list of process indexes",
				      quote_text(text, sizeof text, rest, strcspn(rest, "\r\n")));
		if (n + 1 >= sizeof idx)
			return errorf(err, errlen, "the index list is longer than %zu characters",
				      sizeof idx - 1);
		idx[n++] = *p;
	}
	idx[n] = '\0';
	memset(s, 0, sizeof *s);
	s->t = (time_t)t;
	s->mem_kb = (long)kb;
	memcpy(s->indexes, idx, n + 1);
	return 1;
}

static void print_step(FILE *out, const struct sample *s, const struct trend_result *r)
{
	struct tm tm;
	char when[32], slope[32], low[32], left[32];
	time_t t = s->t;

	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(when, sizeof when, "%lld", (long long)t);
	if (r->have_slope) {
		snprintf(slope, sizeof slope, "%+.1f", r->slope_bph / 1024.0);
		snprintf(low, sizeof low, "%+.1f", r->slope_low_bph / 1024.0);
	} else {
		snprintf(slope, sizeof slope, "-");
		snprintf(low, sizeof low, "-");
	}
	if (r->have_forecast)
		snprintf(left, sizeof left, "%.1f", r->timeleft_s / 3600.0);
	else
		snprintf(left, sizeof left, "-");
	fprintf(out, "%s %10ld %-10s %10s %10s %5.3f %8s %-8s %-8s %6.1f%s%s\n", when,
		s->mem_kb, trend_verdict_name(r->verdict), slope, low, r->confidence, left,
		state_name(r->growth_state), state_name(r->timeleft_state),
		r->segment_age_s / 3600.0, r->restarted ? " " : "",
		r->restarted ? r->restart_desc : "");
}

int replay_run(FILE *in, FILE *out, const struct trend_params *p, char *err, size_t errlen)
{
	struct trend_params tp = *p;	/* carries raw_judged_at from check to check */
	char line[LINE_MAX_LEN + 2];
	struct sample *hist = NULL, s;
	size_t n = 0, cap = 0;
	unsigned long lineno = 0;
	bool header_ok = true;
	time_t last_compact = 0;
	int rc = 0;

	fprintf(out, "# time                   mem_kb verdict    slope_kb/h   low_kb/h  conf"
		" left_h   growth   timeleft  age_h restart\n");
	while (fgets(line, sizeof line, in)) {
		struct trend_result r;
		size_t len = strlen(line);
		int got;

		lineno++;
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			rc = errorf(err, errlen, "line %lu: longer than %d characters", lineno,
				    LINE_MAX_LEN);
			break;
		}
		got = replay_parse_line(line, header_ok, &s, err, errlen);
		if (got < 0) {
			char msg[ERRBUF_SIZE];

			copy_str(msg, sizeof msg, err ? err : "");
			rc = errorf(err, errlen, "line %lu: %s", lineno, msg);
			break;
		}
		if (got == 0)
			continue;
		header_ok = false;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct sample *nh;

			if (ncap > REPLAY_MAX) {
				rc = errorf(err, errlen, "line %lu: more than %d samples", lineno,
					    REPLAY_MAX);
				break;
			}
			nh = realloc(hist, ncap * sizeof *nh);
			if (!nh) {
				rc = errorf(err, errlen, "out of memory at line %lu", lineno);
				break;
			}
			hist = nh;
			cap = ncap;
		}
		hist[n++] = s;
		/* Compact as the state file does, hourly, to stay fast. */
		if (s.t - last_compact >= TREND_BLOCK_S || s.t < last_compact) {
			n = trend_compact(hist, n, s.t - TREND_KEEP_RAW_S);
			last_compact = s.t;
		}
		trend_analyze(hist, n, s.t, &tp, &r);
		if (r.raw_route)
			tp.raw_judged_at = s.t;	/* as the state file keeps it */
		print_step(out, &s, &r);
	}
	if (rc == 0 && ferror(in))
		rc = errorf(err, errlen, "cannot read the series at line %lu", lineno + 1);
	free(hist);
	return rc;
}
