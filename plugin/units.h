/*
 * units.h - the quantities an admin types and reads: sizes, rates,
 * durations and counts, parsed from text and formatted for people.
 *
 * Input syntax (the same on the command line and in the INI file):
 *   size      NUMBER[B|KB|MB|GB|TB]   powers of 1024, as Windows reports
 *             (KiB, MiB, GiB, TiB and K, M, G, T are accepted too);
 *             a bare number is bytes, the unit of the 'mem' perfdata.
 *   rate      SIZE/UNIT with UNIT one of s, min, h, d, w ("2MB/h",
 *             "20MB/d"); a bare number is bytes per hour, the unit of the
 *             'growth' perfdata.
 *   duration  NUMBER[s|m|min|h|d|w]; a bare number is seconds.
 *   count     a plain number.
 * NUMBER is a decimal with an optional fraction ("1.5GB") and, where the
 * caller allows it, a sign.  Units are case-insensitive.  Size and rate
 * values may instead be written "N%" (a size) or "N%/h" (a rate): a
 * percent of the baseline, resolved by the caller once the baseline is
 * known.
 *
 * Every value is returned as a double in its base unit: bytes, bytes per
 * hour, seconds, or the count itself.  Nothing here allocates.
 *
 * Strictness: NUMBER is digits with an optional '.' and digits after it
 * ("1.5", not ".5", "5." or "1e3"); no inf, nan or hex.  Blanks are allowed
 * only between the number and its unit ("48.1 MiB", as the formatters
 * write it), never around the text (the callers trim).  A rate needs its
 * "/UNIT" once it names a size unit or a percent ("2MB" is not a rate).
 * Durations also accept m for minutes; rates do not (2MB/m could be read
 * as per month).  A text longer than UNITS_TEXT_MAX bytes, and a value
 * (or a percent) whose magnitude exceeds UNITS_MAX_VALUE base units, are
 * errors.  The locale is "C" (the plugin never calls setlocale).
 */
#ifndef ASYNC_LEAK_UNITS_H
#define ASYNC_LEAK_UNITS_H

#include <stdbool.h>
#include <stddef.h>

#define UNITS_TEXT_MAX 63	/* longest quantity text accepted */
#define UNITS_MAX_VALUE 1e18	/* about 888 PiB: anything larger is a typo */
#define UNITS_FORMAT_SIZE 32	/* enough for every units_format_*() */

enum unit_kind {
	UNIT_COUNT,
	UNIT_SIZE,	/* bytes */
	UNIT_RATE,	/* bytes per hour */
	UNIT_DURATION,	/* seconds */
};

struct quantity {
	double value;	/* base unit, or a percentage when percent is set */
	bool percent;	/* "N%" (size) or "N%/h" (rate): value is N, of the baseline */
};

/*
 * Parses s as a quantity of the given kind.  Negative numbers are accepted
 * only when allow_negative is set (range ends may be negative; a limit may
 * not).  Percentages are accepted only for UNIT_SIZE and UNIT_RATE.
 * Rates are converted to per hour, percent rates too ("24%/d" is 1%/h).
 * Returns 0, or -1 with a message that quotes the text, e.g.
 * "'12XB' is not a size (use B, KB, MB, GB or TB)"; q is then untouched.
 */
int units_parse(enum unit_kind kind, const char *s, bool allow_negative,
		struct quantity *q, char *err, size_t errlen);

/* The name of a kind as used in messages: "size", "rate", ... */
const char *units_kind_name(enum unit_kind kind);

/*
 * Formatters for people.  Each writes at most len bytes including the NUL
 * (UNITS_FORMAT_SIZE is always enough) and returns buf.  Negative values
 * keep their sign (never "-0"); values beyond UNITS_MAX_VALUE, infinities
 * and not-a-number print as "?".
 *   units_format_size(50438144)   -> "48.1 MiB"  (B, KiB, MiB, GiB, TiB;
 *                                    one decimal from KiB up)
 *   units_format_rate(2202009)    -> "+2.1 MiB/h" (always signed)
 *   units_format_duration(336960) -> "3.9 d"; 2100 -> "35 min"; 39600 -> "11 h";
 *                                    45 -> "45 s" (s under 2 min, min under
 *                                    2 h, h under 2 d, then d with one decimal)
 */
char *units_format_size(double bytes, char *buf, size_t len);
char *units_format_rate(double bytes_per_h, char *buf, size_t len);
char *units_format_duration(double seconds, char *buf, size_t len);

#endif
