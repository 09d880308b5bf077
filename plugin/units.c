/*
 * units.c - sizes, rates, durations and counts: strict parsing and
 * formatting for people (see units.h).
 *
 * The number is checked by hand before strtod() sees it, because strtod()
 * alone accepts far more than an admin means: leading blanks, "inf",
 * "nan", hex, exponents.  The suffix is then looked up in a small table
 * per kind.  No libm: the plugin does not link it.
 */
#include "units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct suffix {
	const char *name;
	double factor;		/* to the base unit */
};

static const struct suffix size_suffixes[] = {
	{ "", 1.0 }, { "b", 1.0 },
	{ "k", 1024.0 }, { "kb", 1024.0 }, { "kib", 1024.0 },
	{ "m", 1048576.0 }, { "mb", 1048576.0 }, { "mib", 1048576.0 },
	{ "g", 1073741824.0 }, { "gb", 1073741824.0 }, { "gib", 1073741824.0 },
	{ "t", 1099511627776.0 }, { "tb", 1099511627776.0 },
	{ "tib", 1099511627776.0 },
	{ NULL, 0.0 }
};

/* Per-time units of a rate, as the factor that turns "per UNIT" into
 * "per hour".  No "m": 2MB/m reads as per month to some. */
static const struct suffix rate_suffixes[] = {
	{ "s", 3600.0 }, { "min", 60.0 }, { "h", 1.0 },
	{ "d", 1.0 / 24.0 }, { "w", 1.0 / 168.0 },
	{ NULL, 0.0 }
};

static const struct suffix duration_suffixes[] = {
	{ "", 1.0 }, { "s", 1.0 }, { "m", 60.0 }, { "min", 60.0 },
	{ "h", 3600.0 }, { "d", 86400.0 }, { "w", 604800.0 },
	{ NULL, 0.0 }
};

static const struct suffix count_suffixes[] = {
	{ "", 1.0 },
	{ NULL, 0.0 }
};

const char *units_kind_name(enum unit_kind kind)
{
	switch (kind) {
	case UNIT_COUNT: return "count";
	case UNIT_SIZE: return "size";
	case UNIT_RATE: return "rate";
	case UNIT_DURATION: return "duration";
	}
	return "value";
}

static const char *kind_hint(enum unit_kind kind)
{
	switch (kind) {
	case UNIT_COUNT: return " (use a plain number)";
	case UNIT_SIZE: return " (use B, KB, MB, GB or TB)";
	case UNIT_RATE:
		return " (use SIZE/UNIT with UNIT s, min, h, d or w, e.g. 2MB/h)";
	case UNIT_DURATION: return " (use s, m, h, d or w)";
	}
	return "";
}

/* The text as it may appear inside quotes in a message: printable ASCII
 * only (a status line must stay one clean line) and not too long. */
static const char *quote(const char *s, char *buf, size_t size)
{
	size_t len = strlen(s);

	if (copy_counted(buf, size, (const unsigned char *)s, len) != 0 &&
	    size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static double magnitude(double x)
{
	return x < 0 ? -x : x;
}

/* Finds name, case-insensitively, in table; the factor or 0 when absent. */
static double suffix_factor(const struct suffix *table, const char *name)
{
	for (; table->name; table++)
		if (ascii_casecmp(table->name, name) == 0)
			return table->factor;
	return 0.0;
}

/*
 * The suffix of a rate: "SIZEUNIT/TIMEUNIT", or "%/TIMEUNIT" when percent.
 * A bare rate (empty suffix) is bytes per hour.  Returns the factor, or 0.
 */
static double rate_factor(const char *suffix, bool percent)
{
	char size_part[UNITS_TEXT_MAX + 1];
	const char *slash = strchr(suffix, '/');
	double size_factor, time_factor;

	if (!slash)
		return (*suffix == '\0' && !percent) ? 1.0 : 0.0;
	if ((size_t)(slash - suffix) >= sizeof(size_part))
		return 0.0;
	memcpy(size_part, suffix, (size_t)(slash - suffix));
	size_part[slash - suffix] = '\0';

	if (percent)
		size_factor = size_part[0] == '\0' ? 1.0 : 0.0;
	else
		size_factor = suffix_factor(size_suffixes, size_part);
	time_factor = suffix_factor(rate_suffixes, slash + 1);
	return size_factor * time_factor;
}

int units_parse(enum unit_kind kind, const char *s, bool allow_negative,
		struct quantity *q, char *err, size_t errlen)
{
	char shown[UNITS_TEXT_MAX + 2], number[UNITS_TEXT_MAX + 1];
	const char *name = units_kind_name(kind);
	const char *p = s, *num_start;
	const char *suffix;
	bool negative = false, percent = false;
	double value, factor;
	size_t n;

	if (!s || *s == '\0')
		return errorf(err, errlen, "empty %s", name);
	quote(s, shown, sizeof(shown));
	if (strlen(s) > UNITS_TEXT_MAX)
		return errorf(err, errlen, "'%s' is too long for a %s", shown,
			      name);

	/* Sign, then digits [. digits]: the only numbers accepted. */
	if (*p == '+' || *p == '-') {
		negative = *p == '-';
		p++;
	}
	num_start = p;
	while (is_digit(*p))
		p++;
	if (p == num_start)
		return errorf(err, errlen, "'%s' is not a %s%s", shown, name,
			      kind_hint(kind));
	if (*p == '.') {
		const char *frac = ++p;

		while (is_digit(*p))
			p++;
		if (p == frac)
			return errorf(err, errlen, "'%s' is not a %s%s", shown,
				      name, kind_hint(kind));
	}
	if (negative && !allow_negative)
		return errorf(err, errlen, "'%s': a %s may not be negative here",
			      shown, name);

	n = (size_t)(p - s);
	memcpy(number, s, n);
	number[n] = '\0';
	value = strtod(number, NULL);

	/* Blanks only between the number and a unit, never at the end. */
	while (is_blank(*p))
		p++;
	if (p > s + n && *p == '\0')
		return errorf(err, errlen, "'%s' is not a %s%s", shown, name,
			      kind_hint(kind));

	suffix = p;
	if (*suffix == '%') {
		if (kind != UNIT_SIZE && kind != UNIT_RATE)
			return errorf(err, errlen,
				      "'%s': a %s cannot be a percentage", shown,
				      name);
		percent = true;
		suffix++;
	}

	switch (kind) {
	case UNIT_SIZE:
		factor = percent ? (*suffix == '\0' ? 1.0 : 0.0)
				 : suffix_factor(size_suffixes, suffix);
		break;
	case UNIT_RATE:
		factor = rate_factor(suffix, percent);
		break;
	case UNIT_DURATION:
		factor = suffix_factor(duration_suffixes, suffix);
		break;
	case UNIT_COUNT:
	default:
		factor = suffix_factor(count_suffixes, suffix);
		break;
	}
	if (factor == 0.0)
		return errorf(err, errlen, "'%s' is not a %s%s", shown, name,
			      kind_hint(kind));

	value *= factor;
	if (magnitude(value) > UNITS_MAX_VALUE)
		return errorf(err, errlen, "'%s' is too large for a %s", shown,
			      name);
	if (value == 0.0)
		value = 0.0;	/* "-0" is plain zero */

	q->value = value;
	q->percent = percent;
	return 0;
}

/* Finite, and not so large that "%.1f" would run past a small buffer. */
static bool printable(double x)
{
	return x == x && magnitude(x) <= UNITS_MAX_VALUE;
}

static const char *const size_names[] = { "B", "KiB", "MiB", "GiB", "TiB" };

/*
 * Writes bytes in the largest binary unit that keeps the figure under
 * 1024 once rounded, with sign ("+") when asked: the shared core of the
 * size and rate formatters.
 */
static char *format_bytes(double bytes, const char *tail, bool sign,
			  char *buf, size_t len)
{
	double shown = magnitude(bytes);
	const char *minus = bytes < 0 ? "-" : (sign ? "+" : "");
	char digits[UNITS_FORMAT_SIZE];
	size_t unit = 0;

	if (!printable(bytes)) {
		snprintf(buf, len, "?");
		return buf;
	}
	for (;;) {
		/* Rounding decides: 1023.96 KiB prints as 1.0 MiB. */
		snprintf(digits, sizeof(digits), unit == 0 ? "%.0f" : "%.1f",
			 shown);
		if (strtod(digits, NULL) < 1024.0 || unit == 4)
			break;
		shown /= 1024.0;
		unit++;
	}
	if (strtod(digits, NULL) == 0.0)
		minus = sign ? "+" : "";	/* never "-0 B" */
	snprintf(buf, len, "%s%s %s%s", minus, digits, size_names[unit], tail);
	return buf;
}

char *units_format_size(double bytes, char *buf, size_t len)
{
	return format_bytes(bytes, "", false, buf, len);
}

char *units_format_rate(double bytes_per_h, char *buf, size_t len)
{
	return format_bytes(bytes_per_h, "/h", true, buf, len);
}

char *units_format_duration(double seconds, char *buf, size_t len)
{
	double m = magnitude(seconds);
	char digits[UNITS_FORMAT_SIZE];
	const char *unit;

	if (!printable(seconds)) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (m < 120.0) {
		snprintf(digits, sizeof(digits), "%.0f", m);
		unit = "s";
	} else if (m < 7200.0) {
		snprintf(digits, sizeof(digits), "%.0f", m / 60.0);
		unit = "min";
	} else if (m < 172800.0) {
		snprintf(digits, sizeof(digits), "%.0f", m / 3600.0);
		unit = "h";
	} else {
		snprintf(digits, sizeof(digits), "%.1f", m / 86400.0);
		unit = "d";
	}
	snprintf(buf, len, "%s%s %s",
		 seconds < 0 && strtod(digits, NULL) != 0.0 ? "-" : "", digits,
		 unit);
	return buf;
}
