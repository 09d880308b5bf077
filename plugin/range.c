/*
 * range.c - Nagios threshold ranges (see range.h).
 *
 * The text is split at its one ':' and each end goes to units_parse(), so a
 * range accepts exactly the quantities a single value does.  Ordering is
 * checked as soon as both ends are comparable: at parse time when both are
 * absolute (or both percent), otherwise once the baseline is known.
 */
#include "range.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

/* The text as it may appear inside quotes: printable and bounded. */
static const char *quote(const char *s, char *buf, size_t size)
{
	if (copy_counted(buf, size, (const unsigned char *)s, strlen(s)) != 0 &&
	    size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

/* Parses one end, s[0..len), into e; the message goes to err as is. */
static int parse_end(const char *s, size_t len, enum unit_kind kind,
		     struct range_end *e, char *err, size_t errlen)
{
	char text[RANGE_TEXT_MAX + 1];

	memcpy(text, s, len);
	text[len] = '\0';
	e->infinite = false;
	return units_parse(kind, text, true, &e->q, err, errlen);
}

/* True when both ends are comparable (both absolute or both percent)
 * and the start lies after the end. */
static bool start_after_end(const struct range *r)
{
	if (r->start.infinite || r->end.infinite)
		return false;
	if (r->start.q.percent != r->end.q.percent)
		return false;
	return r->start.q.value > r->end.q.value;
}

int range_parse(const char *text, enum unit_kind kind, struct range *r,
		char *err, size_t errlen)
{
	char shown[RANGE_TEXT_MAX + 2], why[ERRBUF_SIZE];
	struct range out;
	const char *p, *colon;

	if (!text || *text == '\0')
		return errorf(err, errlen, "empty range");
	quote(text, shown, sizeof(shown));
	if (strlen(text) > RANGE_TEXT_MAX)
		return errorf(err, errlen, "range '%s' is too long", shown);

	memset(&out, 0, sizeof(out));
	out.set = true;
	out.kind = kind;
	p = text;
	if (*p == '@') {
		out.inside = true;
		p++;
	}
	if (*p == '\0')
		return errorf(err, errlen, "range '%s' has no end", shown);

	colon = strchr(p, ':');
	if (colon && strchr(colon + 1, ':'))
		return errorf(err, errlen, "range '%s' has more than one ':'",
			      shown);

	if (!colon) {
		/* "10": from 0 to 10. */
		out.start.q.value = 0.0;
		if (parse_end(p, strlen(p), kind, &out.end, why, sizeof(why)))
			goto bad_end;
	} else {
		if (colon == p)
			return errorf(err, errlen,
				      "range '%s' has an empty start (write 0: "
				      "or ~: before the end)", shown);
		if (colon - p == 1 && *p == '~')
			out.start.infinite = true;
		else if (parse_end(p, (size_t)(colon - p), kind, &out.start,
				   why, sizeof(why)))
			goto bad_end;

		if (colon[1] == '\0')
			out.end.infinite = true;
		else if (parse_end(colon + 1, strlen(colon + 1), kind,
				   &out.end, why, sizeof(why)))
			goto bad_end;
	}

	if (start_after_end(&out))
		return errorf(err, errlen,
			      "range '%s' starts after its end", shown);
	*r = out;
	return 0;

bad_end:
	/* "12XB" alone needs no "range '12XB':" before its own message. */
	if (p == text && !colon)
		return errorf(err, errlen, "%s", why);
	return errorf(err, errlen, "range '%s': %s", shown, why);
}

bool range_uses_percent(const struct range *r)
{
	return r->set && ((!r->start.infinite && r->start.q.percent) ||
			  (!r->end.infinite && r->end.q.percent));
}

/* Turns a percent end into its absolute value. */
static void resolve_end(struct range_end *e, double base)
{
	if (!e->infinite && e->q.percent) {
		e->q.value = e->q.value / 100.0 * base;
		e->q.percent = false;
		if (e->q.value == 0.0)
			e->q.value = 0.0;	/* no -0 in perfdata */
	}
}

static bool too_large(const struct range_end *e)
{
	return !e->infinite &&
	       (e->q.value > UNITS_MAX_VALUE || e->q.value < -UNITS_MAX_VALUE);
}

int range_resolve(struct range *r, double base, char *err, size_t errlen)
{
	struct range out;
	char a[RANGE_FORMAT_SIZE];

	if (!range_uses_percent(r))
		return 0;
	if (!(base > 0.0))
		return errorf(err, errlen, "percent thresholds need a baseline");

	out = *r;
	resolve_end(&out.start, base);
	resolve_end(&out.end, base);
	if (too_large(&out.start) || too_large(&out.end))
		return errorf(err, errlen,
			      "a percent threshold is too large for a %s "
			      "once the baseline is applied",
			      units_kind_name(r->kind));
	if (start_after_end(&out))
		return errorf(err, errlen,
			      "range '%s' starts after its end once the "
			      "baseline is applied",
			      range_format(&out, a, sizeof(a)));
	*r = out;
	return 0;
}

bool range_alerts(const struct range *r, double value)
{
	bool within;

	if (!r->set)
		return false;
	if (range_uses_percent(r))
		return false;
	within = (r->start.infinite || value >= r->start.q.value) &&
		 (r->end.infinite || value <= r->end.q.value);
	return r->inside ? within : !within;
}

/*
 * Writes x in plain decimal: integers whole, others with 6 significant
 * digits but at most 12 decimals, trailing zeros dropped, never "-0" and
 * never an exponent.
 */
static void format_number(double x, char *buf, size_t len)
{
	double m = x < 0 ? -x : x, p = 1.0;
	int decimals = 0, digits = 0;
	char *dot, *end;

	if (m < 1e15 && x != (double)(long long)x) {
		if (m >= 1.0) {
			for (digits = 1; digits < 6 && m >= p * 10.0; digits++)
				p *= 10.0;
			decimals = 6 - digits;
		} else {
			/* zeros between the point and the first digit */
			for (decimals = 6; decimals < 12 && m * p * 10.0 < 1.0;
			     decimals++)
				p *= 10.0;
		}
	}
	snprintf(buf, len, "%.*f", decimals, x);

	dot = strchr(buf, '.');
	if (dot) {
		end = buf + strlen(buf);
		while (end > dot + 1 && end[-1] == '0')
			*--end = '\0';
		if (end == dot + 1)
			*dot = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, len, "0");
}

static void format_end(const struct range *r, const struct range_end *e,
		       char *buf, size_t len)
{
	char num[RANGE_FORMAT_SIZE];

	format_number(e->q.value, num, sizeof(num));
	if (e->q.percent)
		snprintf(buf, len, "%s%%%s", num,
			 r->kind == UNIT_RATE ? "/h" : "");
	else
		snprintf(buf, len, "%s", num);
}

char *range_format(const struct range *r, char *buf, size_t len)
{
	char start[RANGE_FORMAT_SIZE] = "~", end[RANGE_FORMAT_SIZE] = "";
	bool lone_end;

	if (len == 0)
		return buf;
	if (!r->set) {
		buf[0] = '\0';
		return buf;
	}
	if (!r->start.infinite)
		format_end(r, &r->start, start, sizeof(start));
	if (!r->end.infinite)
		format_end(r, &r->end, end, sizeof(end));

	/* "0:10" is written "10", as the guidelines do. */
	lone_end = !r->start.infinite && !r->start.q.percent &&
		   r->start.q.value == 0.0 && !r->end.infinite;
	snprintf(buf, len, "%s%s%s%s", r->inside ? "@" : "",
		 lone_end ? "" : start, lone_end ? "" : ":", end);
	return buf;
}
