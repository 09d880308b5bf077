/*
 * replay.h - a recorded memory series fed through the trend one check at
 * a time, as the plugin would have seen it: --replay, the plot helper and
 * the evaluation use it to show what the verdict was at every sample.
 *
 * ONE JOB.  Read the series text, drive trend_analyze() and
 * trend_compact() over it, print one line per step.  It decides nothing
 * (every verdict is trend.h's), keeps no state file (it compacts in memory
 * as history.h would), and reads and writes only the FILEs it is handed.
 */
#ifndef ASYNC_LEAK_REPLAY_H
#define ASYNC_LEAK_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "trend.h"

/*
 * Parses one line of a recorded series: "UNIX_TIME MEM_KB [INDEXES [...]]"
 * (white space separated; fields after INDEXES are ignored and '-' is no
 * index, so a state file's lines replay as they are) or CSV
 * "UNIX_TIME,MEM_KB[,INDEXES...]" (the rest of the line after the second
 * comma is the index list, quotes and blanks removed).  Returns 1 with *s
 * filled, 0 for a blank or '#' comment line (and for a header line whose
 * first field begins with a letter, when header_ok), -1 with a message.
 */
int replay_parse_line(const char *line, bool header_ok, struct sample *s,
		      char *err, size_t errlen);

/*
 * Feeds the series read from `in` step by step through trend_analyze()
 * (each sample is a check at its own time, history compacted as the state
 * file would be) and prints one line per step to `out`:
 *   TIME(ISO UTC) MEM_KB VERDICT SLOPE_KB/H LOW_KB/H CONF TIMELEFT_H
 *   GROWTH_STATE TIMELEFT_STATE SEGMENT_AGE_H [restart description]
 * after a '#' header line (slopes in KiB/h, "-" when unknown).  Samples
 * out of time order are handled as trend_analyze() does.  Returns 0, or -1
 * with a message naming the line ("line 12: 'x' is not a unix time") on
 * malformed input or when reading fails.
 */
int replay_run(FILE *in, FILE *out, const struct trend_params *p,
	       char *err, size_t errlen);

#endif
