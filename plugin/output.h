/*
 * output.h - the words and numbers Nagios and Icinga read.
 *
 *   ASYNC_LEAK <STATE> - <summary> | <perfdata>
 *   <long output: one line per instance, totals, baseline, trend, notes, advice>
 *
 * Whatever a user or an agent writes, line 1 stays one line, '|' appears
 * exactly once on it (before the perfdata) and never in the long output,
 * and no control byte is written (output_sanitize).
 *
 * Perfdata labels are a contract (README; evaluate.c makes the items):
 * 'mem' bytes (UOM B, warn;crit;0;physical memory), 'floor' the fitted floor now (B, with a
 * slope), 'limit' what the forecast counts down to (B, when known),
 * 'growth' bytes per hour (no UOM, Icinga 2 rejects unknown units),
 * 'timeleft' seconds (s, only with a forecast), 'timeleft_warning' and
 * 'timeleft_critical' the horizons (s, with a trend), 'baseline' bytes
 * (B, when known), 'instances' (count).  Every threshold written is a
 * plain number or a range Icinga 2 can store (see add_perfdata in
 * evaluate.c).
 */
#ifndef ASYNC_LEAK_OUTPUT_H
#define ASYNC_LEAK_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

/*
 * Writes the whole plugin output for one check from its result record
 * (result.h, filled by evaluate()): renders, decides nothing.  Secrets
 * are never written (the -vv settings come masked).
 */
void output_write(FILE *out, const struct evaluation *ev);

/* Writes the perfdata part only (no leading '|', no newline): the items
 * of ev->perf, one space between them. */
void output_perfdata(FILE *out, const struct evaluation *ev);

/* The UNKNOWN line for an error: "ASYNC_LEAK UNKNOWN - <message>\n". */
void output_unknown(FILE *out, const char *message);

/*
 * The one sanitizer every text goes through on its way out: writes
 * text[0..len-1] with '|' as '!' (Nagios and Icinga split perfdata at the
 * first '|' of any line), a tab as a space, and every other control byte,
 * DEL and byte of invalid UTF-8 (or a C1 control) as '?'; a newline passes
 * only in the long output (long_output), on line 1 it is '?' too.
 */
void output_sanitize(FILE *out, const char *text, size_t len, bool long_output);

#endif
