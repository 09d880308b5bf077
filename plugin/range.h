/*
 * range.h - Nagios threshold ranges over the quantities of units.h.
 *
 * Syntax (monitoring-plugins guidelines): [@][START:][END]
 *   "10"      alert when the value is < 0 or > 10
 *   "10:"     alert when < 10
 *   "~:10"    alert when > 10 (~ is minus infinity)
 *   "10:20"   alert when outside 10..20 (ends inclusive)
 *   "@10:20"  alert when inside 10..20
 * START defaults to 0; an empty END means plus infinity.  Each end takes the
 * units of its kind ("200MB", "1.5GB", "48h"), and for sizes and rates a
 * percentage of the baseline ("150%").  START > END is an error.
 * Ends may be negative.  "~:" alone never alerts, "@~:" always does.
 * Stricter than monitoring-plugins: "" , "@", ":10" (an empty START: write
 * 0:10 or ~:10), "~" as END and a second ':' are errors, and so is a text
 * longer than RANGE_TEXT_MAX bytes.
 */
#ifndef ASYNC_LEAK_RANGE_H
#define ASYNC_LEAK_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "units.h"

#define RANGE_TEXT_MAX 130	/* "@" + two quantities + ":" */
#define RANGE_FORMAT_SIZE 64	/* enough for range_format() */

struct range_end {
	bool infinite;		/* ~ for the start, empty for the end */
	struct quantity q;	/* when not infinite */
};

struct range {
	bool set;		/* false: no threshold, never alerts */
	bool inside;		/* '@': alert inside instead of outside */
	enum unit_kind kind;
	struct range_end start;
	struct range_end end;
};

/* Parses text into r.  Returns 0, or -1 with a message quoting the text. */
int range_parse(const char *text, enum unit_kind kind, struct range *r,
		char *err, size_t errlen);

/* True when either end is a percentage (so a baseline is needed). */
bool range_uses_percent(const struct range *r);

/*
 * Replaces percentages by absolute values: N% becomes N/100 * base.
 * Returns 0, or -1 when r uses a percentage and base <= 0
 * ("percent thresholds need a baseline"), when a resolved end exceeds
 * UNITS_MAX_VALUE, or when a mixed range ("150%:300MB") turns out to have
 * START > END; r is then untouched.  A range without percentages is
 * always fine, whatever base is.
 */
int range_resolve(struct range *r, double base, char *err, size_t errlen);

/* True when value raises an alert under r (never when r is not set).
 * r must be resolved: an end still in percent never alerts. */
bool range_alerts(const struct range *r, double value);

/*
 * Writes r, resolved, in base units with no unit letters, as perfdata wants
 * it: "209715200", "10:", "~:5", "@10:20" (a START of 0 is left out when
 * there is an END).  Integral values print without a fraction, others with
 * up to 6 significant digits and never an exponent (perfdata allows only
 * [-0-9.]), at most 12 decimals.  range_parse() of the result, with the
 * same kind, gives r back to those digits.  An unset range writes "";
 * an unresolved percentage writes "N%" ("N%/h" for a rate).  Writes at
 * most len bytes (RANGE_FORMAT_SIZE is enough) and returns buf.
 */
char *range_format(const struct range *r, char *buf, size_t len);

#endif
