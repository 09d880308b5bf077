/*
 * output.h - the words and numbers Nagios and Icinga read.
 *
 *   ASYNC_LEAK <STATE> - <summary> | <perfdata>
 *   <long output: one line per instance, totals, baseline, trend, notes, advice>
 *
 * Perfdata labels are a contract (README): 'mem' bytes (UOM B,
 * warn;crit;0;physical memory), 'floor' the fitted floor now (B, with a
 * slope), 'limit' what the forecast counts down to (B, when known),
 * 'growth' bytes per hour (no UOM, Icinga 2 rejects unknown units),
 * 'timeleft' seconds (s, only with a forecast), 'timeleft_warning' and
 * 'timeleft_critical' the horizons (s, with a trend), 'baseline' bytes
 * (B, when known), 'instances' (count).  Every threshold written is a
 * plain number or a range Icinga 2 can store (see output_perfdata).
 */
#ifndef ASYNC_LEAK_OUTPUT_H
#define ASYNC_LEAK_OUTPUT_H

#include <stdio.h>

#include "config.h"
#include "evaluate.h"
#include "snmp.h"
#include "trend.h"

/*
 * Writes the whole plugin output for one check.  tr may be NULL (no
 * history).  Secrets are never written.
 */
void output_write(FILE *out, const struct config *cfg, const struct hr_snapshot *snap,
		  const struct trend_result *tr, const struct evaluation *ev);

/* Writes the perfdata part only (no leading '|', no newline). */
void output_perfdata(FILE *out, const struct trend_result *tr, const struct evaluation *ev);

/* The UNKNOWN line for an error: "ASYNC_LEAK UNKNOWN - <message>\n". */
void output_unknown(FILE *out, const char *message);

#endif
