/*
 * fuzz_range.c - libFuzzer target for units.c and range.c.
 *
 * Input: one control byte, then the text.  The control byte picks the
 * baseline a percent range is resolved against and whether units_parse()
 * may take a negative number; every text goes through every kind, so one
 * corpus covers sizes, rates, durations and counts.
 *
 * Properties checked (abort() on violation, so libFuzzer saves the input):
 *   - parse either succeeds with a finite value within UNITS_MAX_VALUE
 *     (non-negative unless allowed), or fails with a non-empty, one-line,
 *     printable message;
 *   - the formatters never overflow UNITS_FORMAT_SIZE;
 *   - a parsed range has start <= end when comparable;
 *   - range_format() of a resolved range fits RANGE_FORMAT_SIZE, uses only
 *     perfdata characters, and parses back (same kind) to the same range:
 *     the same flags, ends equal to 6 significant digits (integers exact).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"
#include "units.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const double bases[] = { 1.0, 1000.0, 209715200.0, 1e12, 0.0,
				0.001, 1e18, 50438144.0 };

static void fail(const char *what, const char *text, const char *detail)
{
	fprintf(stderr, "fuzz_range: %s\n  input: '%s'\n  detail: %s\n", what,
		text, detail);
	abort();
}

static void check_message(const char *err, const char *text)
{
	const char *p;

	if (err[0] == '\0')
		fail("error without a message", text, "");
	for (p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			fail("message not printable ASCII", text, err);
}

static double mag(double x)
{
	return x < 0 ? -x : x;
}

static bool same_value(double a, double b)
{
	/* integers print exactly; others keep 6 significant digits and at
	 * most 12 decimals */
	return mag(a - b) <= 1e-5 * mag(a) + 1e-12;
}

static void check_units(enum unit_kind kind, const char *text, bool negative)
{
	char err[ERRBUF_SIZE] = "", buf[UNITS_FORMAT_SIZE];
	struct quantity q = { 0, false };

	if (units_parse(kind, text, negative, &q, err, sizeof(err)) != 0) {
		check_message(err, text);
		return;
	}
	if (!(q.value == q.value) || mag(q.value) > UNITS_MAX_VALUE)
		fail("value out of bounds", text, units_kind_name(kind));
	if (!negative && q.value < 0)
		fail("negative value accepted", text, units_kind_name(kind));
	if (q.percent && kind != UNIT_SIZE && kind != UNIT_RATE)
		fail("percent accepted", text, units_kind_name(kind));

	units_format_size(q.value, buf, sizeof(buf));
	if (strlen(buf) >= sizeof(buf) - 1)
		fail("size format truncated", text, buf);
	units_format_rate(q.value, buf, sizeof(buf));
	if (strlen(buf) >= sizeof(buf) - 1)
		fail("rate format truncated", text, buf);
	units_format_duration(q.value, buf, sizeof(buf));
	if (strlen(buf) >= sizeof(buf) - 1)
		fail("duration format truncated", text, buf);
}

static void check_same_end(const struct range_end *a,
			   const struct range_end *b, const char *text,
			   const char *shown)
{
	if (a->infinite != b->infinite)
		fail("round trip changed an end's infinity", text, shown);
	if (!a->infinite && (a->q.percent || b->q.percent))
		fail("percent left after resolution", text, shown);
	if (!a->infinite && !same_value(a->q.value, b->q.value))
		fail("round trip changed an end's value", text, shown);
}

static void check_range(enum unit_kind kind, const char *text, double base)
{
	char err[ERRBUF_SIZE] = "", buf[RANGE_FORMAT_SIZE];
	struct range r, back;
	const char *p;

	if (range_parse(text, kind, &r, err, sizeof(err)) != 0) {
		check_message(err, text);
		return;
	}
	if (!r.set || r.kind != kind)
		fail("parsed range not set", text, "");
	if (!r.start.infinite && !r.end.infinite &&
	    r.start.q.percent == r.end.q.percent &&
	    r.start.q.value > r.end.q.value)
		fail("start after end accepted", text, "");

	/* Unresolved formatting must not crash either. */
	range_format(&r, buf, sizeof(buf));

	if (range_resolve(&r, base, err, sizeof(err)) != 0) {
		check_message(err, text);
		if (!range_uses_percent(&r))
			fail("resolve failed without percent", text, err);
		return;
	}
	if (range_uses_percent(&r))
		fail("percent left after resolution", text, "");
	(void)range_alerts(&r, base);

	range_format(&r, buf, sizeof(buf));
	if (strlen(buf) >= sizeof(buf) - 1)
		fail("range format truncated", text, buf);
	for (p = buf; *p; p++)
		if (!strchr("-0123456789.:~@", *p))
			fail("perfdata character outside [-0-9.:~@]", text, buf);
	if (range_parse(buf, kind, &back, err, sizeof(err)) != 0)
		fail("formatted range does not parse back", text, err);
	if (r.inside != back.inside)
		fail("round trip changed '@'", text, buf);

	/* "0:" and "~:" both keep a start; a 0 start with an end is elided
	 * and comes back as 0, which same_value() accepts. */
	check_same_end(&r.start, &back.start, text, buf);
	check_same_end(&r.end, &back.end, text, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum unit_kind kinds[] = { UNIT_COUNT, UNIT_SIZE,
						UNIT_RATE, UNIT_DURATION };
	char text[RANGE_TEXT_MAX * 2 + 2];
	double base;
	bool negative;
	size_t i;

	if (size < 1)
		return 0;
	base = bases[data[0] & 7];
	negative = (data[0] & 8) != 0;
	data++;
	size--;
	/* Over-long texts are part of the game, up to twice the limit. */
	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		check_units(kinds[i], text, negative);
		check_range(kinds[i], text, base);
	}
	return 0;
}
