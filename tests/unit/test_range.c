/*
 * test_range.c - range.c: the range table of the monitoring-plugins
 * guidelines with every edge, units and percents at the ends, resolution
 * against a baseline, perfdata formatting and every error.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "range.h"
#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

struct alert_row {
	const char *range;
	double value;
	bool alerts;
};

static struct range parse_ok(const char *text, enum unit_kind kind)
{
	struct range r;
	char err[ERRBUF_SIZE] = "";

	memset(&r, 0xa5, sizeof(r));
	cr_assert_eq(range_parse(text, kind, &r, err, sizeof(err)), 0,
		     "'%s' rejected: %s", text, err);
	return r;
}

static void expect_alerts(enum unit_kind kind, const struct alert_row *rows,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct range r = parse_ok(rows[i].range, kind);

		cr_expect_eq(range_alerts(&r, rows[i].value), rows[i].alerts,
			     "range '%s', value %.17g: want %s", rows[i].range,
			     rows[i].value, rows[i].alerts ? "alert" : "no alert");
	}
}

static void expect_error(const char *text, enum unit_kind kind,
			 const char *want)
{
	struct range r = { .set = false };
	char err[ERRBUF_SIZE] = "";

	cr_expect_eq(range_parse(text, kind, &r, err, sizeof(err)), -1,
		     "'%s' accepted", text);
	cr_expect(!r.set, "'%s': r changed on error", text);
	if (want)
		cr_expect_str_eq(err, want, "range '%s'", text);
	else
		cr_expect(err[0] != '\0', "'%s': no message", text);
}

/* ---- the guidelines table, with the edges ----------------------------- */

Test(range, plain_number_alerts_below_zero_or_above_it)
{
	static const struct alert_row rows[] = {
		{ "10", -1, true }, { "10", -0.001, true }, { "10", 0, false },
		{ "10", 5, false }, { "10", 10, false }, { "10", 10.001, true },
		{ "10", 11, true }, { "10", 1e15, true },
		{ "0", 0, false }, { "0", 0.5, true }, { "0", -0.5, true },
	};

	expect_alerts(UNIT_COUNT, rows, N_ELEMS(rows));
}

Test(range, start_with_colon_alerts_only_below_the_start)
{
	static const struct alert_row rows[] = {
		{ "10:", 9, true }, { "10:", 9.999, true }, { "10:", 10, false },
		{ "10:", 11, false }, { "10:", 1e18, false }, { "10:", -1, true },
		{ "0:", -0.001, true }, { "0:", 0, false }, { "0:", 1e18, false },
		{ "-5:", -5, false }, { "-5:", -5.5, true },
	};

	expect_alerts(UNIT_COUNT, rows, N_ELEMS(rows));
}

Test(range, tilde_start_alerts_only_above_the_end)
{
	static const struct alert_row rows[] = {
		{ "~:10", -1e18, false }, { "~:10", -1, false },
		{ "~:10", 10, false }, { "~:10", 10.001, true },
		{ "~:10", 11, true }, { "~:-5", -5, false }, { "~:-5", -4, true },
		{ "~:0", 0, false }, { "~:0", 0.001, true },
	};

	expect_alerts(UNIT_COUNT, rows, N_ELEMS(rows));
}

Test(range, start_and_end_alert_outside_inclusive_ends)
{
	static const struct alert_row rows[] = {
		{ "10:20", 9, true }, { "10:20", 9.999, true },
		{ "10:20", 10, false }, { "10:20", 15, false },
		{ "10:20", 20, false }, { "10:20", 20.001, true },
		{ "10:20", 21, true }, { "10:20", -15, true },
		{ "10:10", 10, false }, { "10:10", 9.999, true },
		{ "10:10", 10.001, true },
		{ "-10:-5", -11, true }, { "-10:-5", -10, false },
		{ "-10:-5", -7, false }, { "-10:-5", -5, false },
		{ "-10:-5", -4, true }, { "-10:-5", 0, true },
		{ "-10:10", 0, false }, { "-10:10", -10, false },
		{ "-10:10", 10.5, true }, { "0:10", 0, false },
		{ "0:10", -1, true }, { "+2:+4", 3, false },
	};

	expect_alerts(UNIT_COUNT, rows, N_ELEMS(rows));
}

Test(range, at_sign_alerts_inside)
{
	static const struct alert_row rows[] = {
		{ "@10:20", 9, false }, { "@10:20", 9.999, false },
		{ "@10:20", 10, true }, { "@10:20", 15, true },
		{ "@10:20", 20, true }, { "@10:20", 20.001, false },
		{ "@10:20", 21, false },
		{ "@10", -1, false }, { "@10", 0, true }, { "@10", 10, true },
		{ "@10", 11, false },
		{ "@10:", 9, false }, { "@10:", 10, true }, { "@10:", 1e18, true },
		{ "@~:5", -1e18, true }, { "@~:5", 5, true },
		{ "@~:5", 5.001, false }, { "@~:-5", -6, true },
		{ "@-10:-5", -7, true }, { "@-10:-5", -4, false },
		{ "@0", 0, true }, { "@0", 0.001, false },
	};

	expect_alerts(UNIT_COUNT, rows, N_ELEMS(rows));
}

Test(range, tilde_colon_alone_never_alerts_and_with_at_always_does)
{
	static const struct alert_row rows[] = {
		{ "~:", -1e18, false }, { "~:", 0, false }, { "~:", 1e18, false },
		{ "@~:", -1e18, true }, { "@~:", 0, true }, { "@~:", 1e18, true },
	};

	expect_alerts(UNIT_COUNT, rows, N_ELEMS(rows));
}

Test(range, unset_range_never_alerts)
{
	struct range r = { .set = false };

	cr_expect(!range_alerts(&r, 0));
	cr_expect(!range_alerts(&r, 1e18));
	cr_expect(!range_alerts(&r, -1e18));
}

/* ---- what the parser stores ------------------------------------------ */

Test(range, parse_fills_every_field)
{
	struct range r = parse_ok("@10:20", UNIT_COUNT);

	cr_expect(r.set);
	cr_expect(r.inside);
	cr_expect_eq(r.kind, UNIT_COUNT);
	cr_expect(!r.start.infinite && r.start.q.value == 10 &&
		  !r.start.q.percent);
	cr_expect(!r.end.infinite && r.end.q.value == 20 && !r.end.q.percent);

	r = parse_ok("10", UNIT_SIZE);
	cr_expect(!r.inside && r.kind == UNIT_SIZE);
	cr_expect(!r.start.infinite && r.start.q.value == 0);
	cr_expect(!r.end.infinite && r.end.q.value == 10);

	r = parse_ok("10:", UNIT_COUNT);
	cr_expect(!r.start.infinite && r.start.q.value == 10);
	cr_expect(r.end.infinite);

	r = parse_ok("~:10", UNIT_COUNT);
	cr_expect(r.start.infinite);
	cr_expect(!r.end.infinite && r.end.q.value == 10);

	r = parse_ok("~:", UNIT_COUNT);
	cr_expect(r.start.infinite && r.end.infinite);
}

/* ---- units at the ends ------------------------------------------------ */

Test(range, ends_take_the_units_of_their_kind)
{
	static const struct alert_row sizes[] = {
		{ "200MB", 200 * MIB, false }, { "200MB", 200 * MIB + 1, true },
		{ "200MB:1GB", 200 * MIB - 1, true },
		{ "200MB:1GB", 512 * MIB, false }, { "200MB:1GB", GIB, false },
		{ "200MB:1GB", GIB + 1, true }, { "@1.5GB:", 1.5 * GIB, true },
		{ "@1.5GB:", 1.5 * GIB - 1, false }, { "~:512KiB", 524288, false },
		{ "~:512KiB", 524289, true }, { "100 MB", 100 * MIB, false },
		{ "1KB:1025", 1025, false }, { "1KB:1025", 1023, true },
	};
	static const struct alert_row rates[] = {
		{ "~:2MB/h", 2 * MIB, false }, { "~:2MB/h", 2 * MIB + 1, true },
		{ "~:48MB/d", 2 * MIB, false }, { "~:48MB/d", 2 * MIB + 1, true },
		{ "-1MB/h:1MB/h", -MIB, false }, { "-1MB/h:1MB/h", -MIB - 1, true },
		{ "~:1000", 1000, false }, { "~:1000", 1001, true },
	};
	static const struct alert_row durations[] = {
		{ "48h:", 172799, true }, { "48h:", 172800, false },
		{ "2d:1w", 604800, false }, { "2d:1w", 604801, true },
		{ "@~:30min", 1800, true }, { "@~:30m", 1801, false },
	};

	expect_alerts(UNIT_SIZE, sizes, N_ELEMS(sizes));
	expect_alerts(UNIT_RATE, rates, N_ELEMS(rates));
	expect_alerts(UNIT_DURATION, durations, N_ELEMS(durations));
}

Test(range, start_after_end_is_an_error_across_units)
{
	expect_error("20:10", UNIT_COUNT, "range '20:10' starts after its end");
	expect_error("5GB:1GB", UNIT_SIZE, "range '5GB:1GB' starts after its end");
	expect_error("1GB:1000MB", UNIT_SIZE, NULL);
	expect_error("1MB/h:1MB/d", UNIT_RATE, NULL);
	expect_error("1h:59min", UNIT_DURATION, NULL);
	expect_error("-5:-10", UNIT_COUNT, NULL);
	expect_error("@20:10", UNIT_COUNT, NULL);
	expect_error("20%:10%", UNIT_SIZE, NULL);
	parse_ok("1GB:1024MB", UNIT_SIZE);
	parse_ok("24MB/d:1MB/h", UNIT_RATE);
}

/* ---- errors ----------------------------------------------------------- */

Test(range, malformed_text_is_an_error)
{
	static const char *const bad[] = {
		"@", "@@10", ":10", ":", "@:", "10:20:30", "::", "10::", "~",
		"@~", "10:~", "~~:10", "~10", "~:~", " 10", "10 ", "10: 20",
		"10 :20", "a", "10a", "1e3", "inf", "nan", "-inf:", "10:nan",
		"10@", "10:@20", "1.", ".5", "0x10", "10;20", "10,20", "--1",
	};

	expect_error("", UNIT_COUNT, "empty range");
	expect_error(NULL, UNIT_COUNT, "empty range");
	for (size_t i = 0; i < N_ELEMS(bad); i++)
		expect_error(bad[i], UNIT_COUNT, NULL);
}

Test(range, errors_quote_the_range_and_the_bad_end)
{
	expect_error("10:12XB", UNIT_SIZE,
		     "range '10:12XB': '12XB' is not a size (use B, KB, MB, GB "
		     "or TB)");
	expect_error("@", UNIT_COUNT, "range '@' has no end");
	expect_error(":10", UNIT_COUNT,
		     "range ':10' has an empty start (write 0: or ~: before "
		     "the end)");
	expect_error("1:2:3", UNIT_COUNT, "range '1:2:3' has more than one ':'");
	expect_error("5%", UNIT_DURATION,
		     "'5%': a duration cannot be a percentage");
	expect_error("@5%", UNIT_DURATION,
		     "range '@5%': '5%': a duration cannot be a percentage");
	expect_error("~:2MB", UNIT_RATE,
		     "range '~:2MB': '2MB' is not a rate (use SIZE/UNIT with "
		     "UNIT s, min, h, d or w, e.g. 2MB/h)");
}

Test(range, overlong_text_is_an_error)
{
	char text[RANGE_TEXT_MAX + 2];
	struct range r;
	char err[ERRBUF_SIZE];

	memset(text, '1', sizeof(text));
	text[RANGE_TEXT_MAX + 1] = '\0';
	cr_expect_eq(range_parse(text, UNIT_COUNT, &r, err, sizeof(err)), -1);
	cr_expect(strstr(err, "is too long") != NULL, "%s", err);
}

Test(range, values_beyond_the_limit_are_errors)
{
	expect_error("1000000TB", UNIT_SIZE, NULL);
	expect_error("~:1000000000000000000000", UNIT_COUNT, NULL);
	expect_error("-1000000000000000000000:", UNIT_COUNT, NULL);
}

/* ---- percents and the baseline ---------------------------------------- */

Test(range, percent_ends_resolve_against_the_baseline)
{
	char err[ERRBUF_SIZE] = "";
	struct range r = parse_ok("150%", UNIT_SIZE);

	cr_expect(range_uses_percent(&r));
	cr_assert_eq(range_resolve(&r, 200 * MIB, err, sizeof(err)), 0, "%s", err);
	cr_expect(!range_uses_percent(&r));
	cr_expect(r.end.q.value == 300 * MIB, "%.17g", r.end.q.value);
	cr_expect(!r.end.q.percent);
	cr_expect(r.start.q.value == 0);
	cr_expect(!range_alerts(&r, 300 * MIB));
	cr_expect(range_alerts(&r, 300 * MIB + 1));

	r = parse_ok("50%:150%", UNIT_SIZE);
	cr_assert_eq(range_resolve(&r, 1000, err, sizeof(err)), 0, "%s", err);
	cr_expect(r.start.q.value == 500 && r.end.q.value == 1500);

	r = parse_ok("@~:5%/h", UNIT_RATE);
	cr_assert_eq(range_resolve(&r, 1e6, err, sizeof(err)), 0, "%s", err);
	cr_expect(r.start.infinite && r.end.q.value == 50000);
	cr_expect(range_alerts(&r, 50000) && !range_alerts(&r, 50001));

	r = parse_ok("~:24%/d", UNIT_RATE);
	cr_assert_eq(range_resolve(&r, 1e6, err, sizeof(err)), 0, "%s", err);
	cr_expect(fabs(r.end.q.value - 10000) < 1e-6, "%.17g", r.end.q.value);

	r = parse_ok("-10%:", UNIT_SIZE);
	cr_assert_eq(range_resolve(&r, 1000, err, sizeof(err)), 0, "%s", err);
	cr_expect(r.start.q.value == -100 && r.end.infinite);
}

Test(range, percent_without_a_baseline_is_an_error)
{
	char err[ERRBUF_SIZE] = "";
	struct range r = parse_ok("150%", UNIT_SIZE);
	struct range before = r;

	cr_expect_eq(range_resolve(&r, 0, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "percent thresholds need a baseline");
	cr_expect_eq(range_resolve(&r, -5, err, sizeof(err)), -1);
	cr_expect_eq(range_resolve(&r, NAN, err, sizeof(err)), -1);
	cr_expect(memcmp(&r, &before, sizeof(r)) == 0, "r changed on error");
}

Test(range, resolving_a_range_without_percent_changes_nothing)
{
	char err[ERRBUF_SIZE] = "";
	struct range r = parse_ok("200MB:1GB", UNIT_SIZE), before = r;
	struct range unset = { .set = false };

	cr_expect(!range_uses_percent(&r));
	cr_expect(!range_uses_percent(&unset));
	cr_expect_eq(range_resolve(&r, 0, err, sizeof(err)), 0);
	cr_expect(memcmp(&r, &before, sizeof(r)) == 0);
	cr_expect_eq(range_resolve(&unset, 0, err, sizeof(err)), 0);
}

Test(range, mixed_range_checks_its_order_once_resolved)
{
	char err[ERRBUF_SIZE] = "";
	struct range r = parse_ok("150%:300MB", UNIT_SIZE);

	cr_expect(range_uses_percent(&r));
	cr_expect_eq(range_resolve(&r, 100 * MIB, err, sizeof(err)), 0, "%s", err);
	cr_expect(r.start.q.value == 150 * MIB && r.end.q.value == 300 * MIB);

	r = parse_ok("150%:300MB", UNIT_SIZE);
	cr_expect_eq(range_resolve(&r, 1000 * MIB, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "range '1572864000:314572800' starts after its "
			      "end once the baseline is applied");
}

Test(range, resolved_percent_beyond_the_limit_is_an_error)
{
	char err[ERRBUF_SIZE] = "";
	struct range r = parse_ok("1000000000000%", UNIT_SIZE);

	cr_expect_eq(range_resolve(&r, 1e9, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "a percent threshold is too large for a size "
			      "once the baseline is applied");
}

Test(range, unresolved_percent_never_alerts)
{
	struct range r = parse_ok("@~:150%", UNIT_SIZE);

	cr_expect(!range_alerts(&r, 0));
	cr_expect(!range_alerts(&r, 1e18));
}

/* ---- perfdata formatting ---------------------------------------------- */

struct format_row {
	const char *range;
	enum unit_kind kind;
	const char *perfdata;
};

Test(range, format_writes_resolved_base_units_for_perfdata)
{
	static const struct format_row rows[] = {
		{ "10", UNIT_COUNT, "10" }, { "10:", UNIT_COUNT, "10:" },
		{ "~:10", UNIT_COUNT, "~:10" }, { "10:20", UNIT_COUNT, "10:20" },
		{ "@10:20", UNIT_COUNT, "@10:20" }, { "@10", UNIT_COUNT, "@10" },
		{ "0:10", UNIT_COUNT, "10" }, { "0:", UNIT_COUNT, "0:" },
		{ "~:", UNIT_COUNT, "~:" }, { "@~:", UNIT_COUNT, "@~:" },
		{ "@~:5", UNIT_COUNT, "@~:5" }, { "-10:-5", UNIT_COUNT, "-10:-5" },
		{ "-0", UNIT_COUNT, "0" }, { "+7", UNIT_COUNT, "7" },
		{ "0.5", UNIT_COUNT, "0.5" }, { "1.23456789", UNIT_COUNT, "1.23457" },
		{ "123456.789", UNIT_COUNT, "123457" },
		{ "12345.6789", UNIT_COUNT, "12345.7" },
		{ "0.000123456789", UNIT_COUNT, "0.000123457" },
		{ "0.0000000000001", UNIT_COUNT, "0" },
		{ "1000000000000000000", UNIT_COUNT, "1000000000000000000" },
		{ "~:-1000000000000000000", UNIT_COUNT, "~:-1000000000000000000" },
		{ "200MB", UNIT_SIZE, "209715200" },
		{ "1.5KB:", UNIT_SIZE, "1536:" },
		{ "@1GB:2GB", UNIT_SIZE, "@1073741824:2147483648" },
		{ "1000000TiB", UNIT_SIZE, "" /* too large: checked below */ },
		{ "~:2MB/h", UNIT_RATE, "~:2097152" },
		{ "~:1GB/w", UNIT_RATE, "~:6391320" },
		{ "~:1B/w", UNIT_RATE, "~:0.00595238" },
		{ "~:1B/s", UNIT_RATE, "~:3600" },
		{ "48h", UNIT_DURATION, "172800" },
		{ "1.5h:1w", UNIT_DURATION, "5400:604800" },
		{ "150%", UNIT_SIZE, "150%" }, { "~:5%/h", UNIT_RATE, "~:5%/h" },
	};
	char buf[RANGE_FORMAT_SIZE], err[ERRBUF_SIZE];
	struct range r;

	for (size_t i = 0; i < N_ELEMS(rows); i++) {
		if (range_parse(rows[i].range, rows[i].kind, &r, err,
				sizeof(err)) != 0) {
			cr_expect_str_eq(rows[i].perfdata, "", "'%s': %s",
					 rows[i].range, err);
			continue;
		}
		cr_expect_str_eq(range_format(&r, buf, sizeof(buf)),
				 rows[i].perfdata, "range '%s'", rows[i].range);
	}
}

Test(range, format_of_an_unset_range_is_empty)
{
	struct range r = { .set = false };
	char buf[8] = "junk";

	cr_expect_str_eq(range_format(&r, buf, sizeof(buf)), "");
}

Test(range, format_of_a_resolved_percent_is_absolute)
{
	char buf[RANGE_FORMAT_SIZE], err[ERRBUF_SIZE];
	struct range r = parse_ok("50%:150%", UNIT_SIZE);

	cr_assert_eq(range_resolve(&r, 200 * MIB, err, sizeof(err)), 0);
	cr_expect_str_eq(range_format(&r, buf, sizeof(buf)), "104857600:314572800");
}

Test(range, format_truncates_to_the_buffer)
{
	char buf[6];
	struct range r = parse_ok("@10:20", UNIT_COUNT);

	cr_expect_eq(range_format(&r, buf, sizeof(buf)), buf);
	cr_expect_str_eq(buf, "@10:2");
}

Test(range, format_parses_back_to_the_same_range)
{
	static const struct format_row rows[] = {
		{ "10", UNIT_COUNT, NULL }, { "@~:5", UNIT_COUNT, NULL },
		{ "-10:-5", UNIT_COUNT, NULL }, { "~:", UNIT_COUNT, NULL },
		{ "@1.5GB:", UNIT_SIZE, NULL }, { "48.1MiB:1TB", UNIT_SIZE, NULL },
		{ "~:1B/w", UNIT_RATE, NULL }, { "1KB/s:1GB/s", UNIT_RATE, NULL },
		{ "1.5h:1w", UNIT_DURATION, NULL }, { "0.1:0.2", UNIT_COUNT, NULL },
	};
	char buf[RANGE_FORMAT_SIZE];

	for (size_t i = 0; i < N_ELEMS(rows); i++) {
		struct range a = parse_ok(rows[i].range, rows[i].kind), b;

		range_format(&a, buf, sizeof(buf));
		b = parse_ok(buf, rows[i].kind);
		cr_expect(a.inside == b.inside && a.start.infinite ==
			  b.start.infinite && a.end.infinite == b.end.infinite,
			  "'%s' -> '%s': flags", rows[i].range, buf);
		cr_expect(a.start.infinite ||
			  fabs(a.start.q.value - b.start.q.value) <=
			  1e-5 * fabs(a.start.q.value),
			  "'%s' -> '%s': start", rows[i].range, buf);
		cr_expect(a.end.infinite ||
			  fabs(a.end.q.value - b.end.q.value) <=
			  1e-5 * fabs(a.end.q.value),
			  "'%s' -> '%s': end", rows[i].range, buf);
	}
}
