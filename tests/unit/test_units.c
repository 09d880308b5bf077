/*
 * test_units.c - units.c: every accepted spelling of sizes, percents, rates,
 * durations and counts, every rejected one, and the formatters.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "units.h"
#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define KIB 1024.0
#define MIB (1024.0 * KIB)
#define GIB (1024.0 * MIB)
#define TIB (1024.0 * GIB)

struct good {
	const char *text;
	double value;		/* base unit, or N when percent */
	bool percent;
};

/* Parses every row with allow_negative as given and checks its value
 * exactly: all the factors are exact in binary but d and w, whose rows
 * are built with the same arithmetic. */
static void expect_good(enum unit_kind kind, bool allow_negative,
			const struct good *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct quantity q = { -42.0, !rows[i].percent };
		char err[ERRBUF_SIZE] = "";
		int rc = units_parse(kind, rows[i].text, allow_negative, &q,
				     err, sizeof(err));

		cr_expect_eq(rc, 0, "%s '%s' rejected: %s",
			     units_kind_name(kind), rows[i].text, err);
		if (rc != 0)
			continue;
		cr_expect(q.value == rows[i].value,
			  "%s '%s': got %.17g, want %.17g", units_kind_name(kind),
			  rows[i].text, q.value, rows[i].value);
		cr_expect_eq(q.percent, rows[i].percent,
			     "%s '%s': percent flag", units_kind_name(kind),
			     rows[i].text);
	}
}

/* Every text must fail and leave q untouched. */
static void expect_bad(enum unit_kind kind, bool allow_negative,
		       const char *const *texts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct quantity q = { -42.0, true };
		char err[ERRBUF_SIZE] = "";
		int rc = units_parse(kind, texts[i], allow_negative, &q, err,
				     sizeof(err));

		cr_expect_eq(rc, -1, "%s '%s' accepted as %.17g",
			     units_kind_name(kind), texts[i], q.value);
		cr_expect(err[0] != '\0', "%s '%s': no message",
			  units_kind_name(kind), texts[i]);
		cr_expect(q.value == -42.0 && q.percent,
			  "%s '%s': q changed on error", units_kind_name(kind),
			  texts[i]);
	}
}

static void expect_error(enum unit_kind kind, const char *text,
			 bool allow_negative, const char *want)
{
	struct quantity q;
	char err[ERRBUF_SIZE] = "";

	cr_expect_eq(units_parse(kind, text, allow_negative, &q, err,
				 sizeof(err)), -1, "'%s' accepted", text);
	cr_expect_str_eq(err, want);
}

/* ---- sizes ---------------------------------------------------------- */

Test(units, size_accepts_every_suffix_in_any_case)
{
	static const struct good rows[] = {
		{ "0", 0, false }, { "1", 1, false }, { "512", 512, false },
		{ "512B", 512, false }, { "512b", 512, false },
		{ "1K", KIB, false }, { "1k", KIB, false },
		{ "1KB", KIB, false }, { "1kb", KIB, false },
		{ "1Kb", KIB, false }, { "1KiB", KIB, false },
		{ "1kib", KIB, false }, { "1KIB", KIB, false },
		{ "1M", MIB, false }, { "1MB", MIB, false },
		{ "1mb", MIB, false }, { "1MiB", MIB, false },
		{ "200MB", 200 * MIB, false }, { "209715200", 200 * MIB, false },
		{ "1G", GIB, false }, { "1GB", GIB, false },
		{ "1GiB", GIB, false }, { "1gib", GIB, false },
		{ "1T", TIB, false }, { "1TB", TIB, false },
		{ "1TiB", TIB, false }, { "1tIb", TIB, false },
		{ "2TB", 2 * TIB, false },
	};

	expect_good(UNIT_SIZE, false, rows, N_ELEMS(rows));
}

Test(units, size_accepts_fractions_signs_and_a_blank_before_the_unit)
{
	static const struct good rows[] = {
		{ "1.5KB", 1536, false }, { "1.5GB", 1.5 * GIB, false },
		{ "0.5MB", 512 * KIB, false }, { "0.25K", 256, false },
		{ "48.1 MiB", 48.1 * MIB, false }, { "48.1\tMiB", 48.1 * MIB, false },
		{ "1  GB", GIB, false }, { "007KB", 7 * KIB, false },
		{ "+5MB", 5 * MIB, false }, { "1.0000", 1, false },
		{ "0.5", 0.5, false },
		{ "1000000000000000000", 1e18, false },	/* the limit itself */
	};

	expect_good(UNIT_SIZE, false, rows, N_ELEMS(rows));
}

Test(units, size_is_negative_only_when_the_caller_allows_it)
{
	static const struct good rows[] = {
		{ "-5MB", -5 * MIB, false }, { "-0.5KB", -512, false },
		{ "-10%", -10, true }, { "-0", 0, false },
	};
	static const char *const bad[] = { "-5MB", "-0", "-10%" };
	struct quantity q;
	char err[ERRBUF_SIZE];

	expect_good(UNIT_SIZE, true, rows, N_ELEMS(rows));
	expect_bad(UNIT_SIZE, false, bad, N_ELEMS(bad));

	cr_assert_eq(units_parse(UNIT_SIZE, "-0", true, &q, err, sizeof(err)), 0);
	cr_expect(!signbit(q.value), "-0 must read as plain zero");
}

Test(units, size_rejects_junk_empty_numbers_and_non_decimal_forms)
{
	static const char *const bad[] = {
		"", "12XB", "MB", "B", "K", "1.", ".5", ".", "1e3", "1E3",
		"1e3B", "inf", "INF", "nan", "infinity", "0x10", "0x1p3",
		" 5MB", "5MB ", "5 ", "5\n", "5MBB", "5KBi", "5Kib2", "1,5MB",
		"5 5MB", "--5", "+-5", "++5", "+", "-", "5MB/h", "5 M B",
		"5%%", "5%MB", "%", "5 %MB", "1.2.3", "5B5", "\x01" "5",
		"5\xc3\xa9", "1 000", "5PB", "5EB", "5kB ", "five",
	};

	expect_bad(UNIT_SIZE, true, bad, N_ELEMS(bad));
}

Test(units, size_rejects_values_beyond_the_limit)
{
	static const char *const bad[] = {
		"1000000000000000000000", "1000000TB", "999999999999TB",
		"1000000000000000000000000000000000000000000000000000000",
		"-1000000TB",
	};

	expect_bad(UNIT_SIZE, true, bad, N_ELEMS(bad));
	expect_error(UNIT_SIZE, "1000000TB", false,
		     "'1000000TB' is too large for a size");
}

Test(units, size_rejects_text_longer_than_the_limit)
{
	char text[UNITS_TEXT_MAX + 2];
	struct quantity q;
	char err[ERRBUF_SIZE];

	/* "1.000...0B": a sane value, written too long to be sane */
	memset(text, '0', sizeof(text));
	memcpy(text, "1.", 2);
	memcpy(text + UNITS_TEXT_MAX - 1, "B", 2);
	cr_assert_eq(strlen(text), UNITS_TEXT_MAX);
	cr_expect_eq(units_parse(UNIT_SIZE, text, false, &q, err, sizeof(err)),
		     0, "%s", err);
	cr_expect(q.value == 1.0);

	memcpy(text + UNITS_TEXT_MAX - 1, "0B", 3);
	cr_expect_eq(units_parse(UNIT_SIZE, text, false, &q, err, sizeof(err)),
		     -1);
	cr_expect(strstr(err, "is too long for a size") != NULL, "%s", err);
}

Test(units, size_error_quotes_the_text_and_names_the_units)
{
	expect_error(UNIT_SIZE, "12XB", false,
		     "'12XB' is not a size (use B, KB, MB, GB or TB)");
	expect_error(UNIT_SIZE, "1e3", false,
		     "'1e3' is not a size (use B, KB, MB, GB or TB)");
	expect_error(UNIT_SIZE, "-5MB", false,
		     "'-5MB': a size may not be negative here");
	expect_error(UNIT_SIZE, "", false, "empty size");
}

Test(units, error_shows_control_characters_as_question_marks)
{
	expect_error(UNIT_SIZE, "5\x1b[2J", false,
		     "'5?[2J' is not a size (use B, KB, MB, GB or TB)");
	expect_error(UNIT_COUNT, "3\n", false,
		     "'3?' is not a count (use a plain number)");
}

Test(units, null_text_is_an_error)
{
	struct quantity q;
	char err[ERRBUF_SIZE];

	cr_expect_eq(units_parse(UNIT_SIZE, NULL, false, &q, err, sizeof(err)),
		     -1);
	cr_expect_str_eq(err, "empty size");
}

Test(units, error_buffer_may_be_null_or_tiny)
{
	struct quantity q;
	char err[4] = "xyz";

	cr_expect_eq(units_parse(UNIT_SIZE, "12XB", false, &q, NULL, 0), -1);
	cr_expect_eq(units_parse(UNIT_SIZE, "12XB", false, &q, err, sizeof(err)),
		     -1);
	cr_expect_str_eq(err, "'12");
}

/* ---- percents ------------------------------------------------------- */

Test(units, size_percent_is_kept_as_a_percent_of_the_baseline)
{
	static const struct good rows[] = {
		{ "150%", 150, true }, { "0%", 0, true }, { "0.5%", 0.5, true },
		{ "100 %", 100, true }, { "+20%", 20, true },
	};

	expect_good(UNIT_SIZE, false, rows, N_ELEMS(rows));
}

Test(units, percent_is_only_for_sizes_and_rates)
{
	static const char *const dur[] = { "5%", "5%/h" };
	static const char *const cnt[] = { "5%" };

	expect_bad(UNIT_DURATION, true, dur, N_ELEMS(dur));
	expect_bad(UNIT_COUNT, true, cnt, N_ELEMS(cnt));
	expect_error(UNIT_DURATION, "5%", false,
		     "'5%': a duration cannot be a percentage");
	expect_error(UNIT_COUNT, "5%", false,
		     "'5%': a count cannot be a percentage");
}

/* ---- rates ---------------------------------------------------------- */

Test(units, rate_accepts_size_per_time_unit_and_converts_to_per_hour)
{
	static const struct good rows[] = {
		{ "2MB/h", 2 * MIB, false }, { "2mb/H", 2 * MIB, false },
		{ "20MB/d", 20 * MIB * (1.0 / 24.0), false },
		{ "1KB/s", KIB * 3600, false }, { "1KB/min", KIB * 60, false },
		{ "1KB/MIN", KIB * 60, false },
		{ "1GB/w", GIB * (1.0 / 168.0), false },
		{ "1.5 MiB/h", 1.5 * MIB, false }, { "2/h", 2, false },
		{ "2B/h", 2, false }, { "1TiB/s", TIB * 3600, false },
		{ "100", 100, false }, { "0", 0, false }, { "0.5", 0.5, false },
	};

	expect_good(UNIT_RATE, false, rows, N_ELEMS(rows));
}

Test(units, rate_percent_is_converted_to_percent_per_hour)
{
	static const struct good rows[] = {
		{ "5%/h", 5, true }, { "24%/d", 24 * (1.0 / 24.0), true },
		{ "1%/min", 60, true }, { "1%/s", 3600, true },
		{ "168%/w", 168 * (1.0 / 168.0), true }, { "5 %/H", 5, true },
	};

	expect_good(UNIT_RATE, false, rows, N_ELEMS(rows));
}

Test(units, rate_may_be_negative_when_allowed)
{
	static const struct good rows[] = {
		{ "-2MB/h", -2 * MIB, false }, { "-5%/h", -5, true },
		{ "-100", -100, false },
	};
	static const char *const bad[] = { "-2MB/h", "-5%/h" };

	expect_good(UNIT_RATE, true, rows, N_ELEMS(rows));
	expect_bad(UNIT_RATE, false, bad, N_ELEMS(bad));
}

Test(units, rate_needs_a_time_unit_once_it_names_a_size_or_percent)
{
	static const char *const bad[] = {
		"2MB", "2 MB", "5%", "2MB/m", "2MB/", "2MB/hh", "2/h/h",
		"2MB/ h", "2MB /h", "2MB/h ", "/h", "MB/h", "5%MB/h", "5%/",
		"5%/m", "2MB/hour", "2MB/sec", "2MB/2h", "2XB/h", "2MB\\h",
		"2MB/h%", "1e3/h", "inf/h", "2MB/y",
	};

	expect_bad(UNIT_RATE, true, bad, N_ELEMS(bad));
	expect_error(UNIT_RATE, "2MB", false,
		     "'2MB' is not a rate (use SIZE/UNIT with UNIT s, min, h, "
		     "d or w, e.g. 2MB/h)");
}

Test(units, rate_rejects_values_beyond_the_limit)
{
	static const char *const bad[] = { "1000000TB/s", "300000TB/s" };

	expect_bad(UNIT_RATE, true, bad, N_ELEMS(bad));
}

/* ---- durations ------------------------------------------------------ */

Test(units, duration_accepts_s_m_min_h_d_w)
{
	static const struct good rows[] = {
		{ "45", 45, false }, { "45s", 45, false }, { "45S", 45, false },
		{ "5m", 300, false }, { "5min", 300, false },
		{ "5MIN", 300, false }, { "48h", 172800, false },
		{ "1.5h", 5400, false }, { "2d", 172800, false },
		{ "0.5d", 43200, false }, { "1w", 604800, false },
		{ "1 h", 3600, false }, { "0", 0, false },
	};

	expect_good(UNIT_DURATION, false, rows, N_ELEMS(rows));
}

Test(units, duration_rejects_other_units)
{
	static const char *const bad[] = {
		"5x", "5ms", "5mins", "5sec", "5hours", "h", "5 ", "5h ",
		"5y", "5M B", "1e3s", "-5s", "5h/h",
	};

	expect_bad(UNIT_DURATION, false, bad, N_ELEMS(bad));
	expect_error(UNIT_DURATION, "5x", false,
		     "'5x' is not a duration (use s, m, h, d or w)");
}

/* ---- counts --------------------------------------------------------- */

Test(units, count_is_a_plain_number)
{
	static const struct good rows[] = {
		{ "3", 3, false }, { "2.5", 2.5, false }, { "-1", -1, false },
		{ "0", 0, false },
	};
	static const char *const bad[] = { "3x", "3 ", "3B", "3h", "" };

	expect_good(UNIT_COUNT, true, rows, N_ELEMS(rows));
	expect_bad(UNIT_COUNT, true, bad, N_ELEMS(bad));
}

Test(units, kind_names_read_as_words)
{
	cr_expect_str_eq(units_kind_name(UNIT_COUNT), "count");
	cr_expect_str_eq(units_kind_name(UNIT_SIZE), "size");
	cr_expect_str_eq(units_kind_name(UNIT_RATE), "rate");
	cr_expect_str_eq(units_kind_name(UNIT_DURATION), "duration");
}

/* ---- formatters ----------------------------------------------------- */

struct shown {
	double value;
	const char *text;
};

typedef char *formatter(double value, char *buf, size_t len);

static void expect_shown(formatter *format, const char *what,
			 const struct shown *rows, size_t n)
{
	char buf[UNITS_FORMAT_SIZE];

	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(format(rows[i].value, buf, sizeof(buf)),
				 rows[i].text, "%s %.17g", what, rows[i].value);
}

Test(units, size_formats_in_binary_units_with_one_decimal)
{
	static const struct shown rows[] = {
		{ 0, "0 B" }, { 1, "1 B" }, { 512, "512 B" },
		{ 1023, "1023 B" }, { 1023.6, "1.0 KiB" }, { 1024, "1.0 KiB" },
		{ 1536, "1.5 KiB" }, { 1048575, "1.0 MiB" },
		{ 50438144, "48.1 MiB" }, { 200 * MIB, "200.0 MiB" },
		{ 1.5 * GIB, "1.5 GiB" }, { 2 * TIB, "2.0 TiB" },
		{ 2048 * TIB, "2048.0 TiB" }, { -1536, "-1.5 KiB" },
		{ -0.2, "0 B" }, { 1e18, "909494.7 TiB" },
		{ NAN, "?" }, { INFINITY, "?" }, { 1e19, "?" },
	};

	expect_shown(units_format_size, "size", rows, N_ELEMS(rows));
}

Test(units, rate_formats_always_signed_per_hour)
{
	static const struct shown rows[] = {
		{ 2202009, "+2.1 MiB/h" }, { -2202009, "-2.1 MiB/h" },
		{ 0, "+0 B/h" }, { -0.3, "+0 B/h" }, { 100, "+100 B/h" },
		{ 20 * MIB / 24, "+853.3 KiB/h" }, { NAN, "?" },
	};

	expect_shown(units_format_rate, "rate", rows, N_ELEMS(rows));
}

Test(units, duration_formats_s_min_h_then_days)
{
	static const struct shown rows[] = {
		{ 0, "0 s" }, { 45, "45 s" }, { 119, "119 s" },
		{ 120, "2 min" }, { 2100, "35 min" }, { 7199, "120 min" },
		{ 7200, "2 h" }, { 39600, "11 h" }, { 172799, "48 h" },
		{ 172800, "2.0 d" }, { 336960, "3.9 d" }, { 604800, "7.0 d" },
		{ -45, "-45 s" }, { -0.2, "0 s" }, { 1e18, "11574074074074.1 d" },
		{ NAN, "?" }, { -INFINITY, "?" },
	};

	expect_shown(units_format_duration, "duration", rows, N_ELEMS(rows));
}

Test(units, formatters_truncate_to_the_buffer_and_return_it)
{
	char buf[5];

	cr_expect_eq(units_format_size(50438144, buf, sizeof(buf)), buf);
	cr_expect_str_eq(buf, "48.1");
	cr_expect_eq(units_format_rate(2202009, buf, sizeof(buf)), buf);
	cr_expect_str_eq(buf, "+2.1");
	cr_expect_eq(units_format_duration(2100, buf, sizeof(buf)), buf);
	cr_expect_str_eq(buf, "35 m");
}

Test(units, formatted_size_parses_back_close_to_the_value)
{
	static const double values[] = { 0, 512, 1536, 50438144, 1.5 * GIB };
	char buf[UNITS_FORMAT_SIZE], err[ERRBUF_SIZE];
	struct quantity q;

	for (size_t i = 0; i < N_ELEMS(values); i++) {
		units_format_size(values[i], buf, sizeof(buf));
		cr_assert_eq(units_parse(UNIT_SIZE, buf, false, &q, err,
					 sizeof(err)), 0, "%s: %s", buf, err);
		cr_expect(fabs(q.value - values[i]) <= values[i] * 0.001 + 0.5,
			  "%s read back as %.17g", buf, q.value);
	}
}
