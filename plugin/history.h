/*
 * history.h - the history of one check between runs, in memory and as
 * text: the samples, the metadata that goes with them, the text format of
 * the state file, and the compaction that keeps it small.
 *
 * ONE JOB.  struct history to text and back, and the bounds on it.  Pure:
 * no I/O, no clock (now is always a parameter), no names - where the text
 * is kept is histname.h's business (key and path) and histstore.h's (the
 * locked read-modify-write cycle), and how a file is locked and replaced
 * is safefile.h's.  So all of it is unit-tested and fuzzed without a disk.
 *
 * FORMAT (plain text, one record a line, '\n' line ends, ASCII):
 *   # check_async_leak state v1                 first line, always
 *   # key=exch01.corp.example+161+async.exe     the check the file belongs to
 *   # written=1700000000                        when it was last saved
 *   # baseline_kb=40960                         learned baseline (optional)
 *   # baseline_learned_at=1699990000            when it was learned (optional)
 *   # raw_judged_at=1699995000                  the last check that judged a
 *         leak on the raw samples (trend.h: trend_params.raw_judged_at;
 *         optional)
 *   # segment=START END LEAKING SLOPE_BPH BASE_KB PEAK_KB   past segments,
 *         oldest first, at most HISTORY_MAX_SEGMENTS; LEAKING 0/1, SLOPE_BPH
 *         bytes per hour (integer), BASE_KB the floor of its first hours,
 *         PEAK_KB its highest sample; '-' when unknown.  Nothing writes
 *         them today: lines a file has are checked, kept and written back
 *   # NAME=VALUE                                other metadata (at most
 *         HISTORY_MAX_KV; NAME [a-z0-9_], VALUE printable), likewise kept
 *         as read
 *   # rows WALKED UPTIME_TICKS                  the rows the last check
 *   # row INDEX CPU_CS NAME PATH                matched, for the next one's
 *         single GET (see rows.h): WALKED the last full walk of hrSWRunTable,
 *         UPTIME_TICKS hrSystemUptime at the last check, then one "row" line
 *         per matched row (at most HISTORY_MAX_ROWS) with its hrSWRunIndex,
 *         hrSWRunPerfCPU, hrSWRunName and hrSWRunPath; '-' when absent or
 *         empty.  NAME and PATH have every byte outside '!'..'~', and '%',
 *         '=' and a lone '-', written %XX, so the lines hold no '=' and a
 *         version that does not know them reads them as comments.
 *   # any other text without '='                a comment, ignored
 *   UNIX_TIME MEM_KB INDEXES CPU_CS UPTIME_TICKS      a raw sample
 *   UNIX_TIME MEM_KB INDEXES CPU_CS UPTIME_TICKS h    an hourly floor
 * Fields are separated by one or more blanks.  INDEXES are the matched
 * hrSWRunIndex values joined by ',' ("1388,2412", '-' for none); CPU_CS the
 * summed hrSWRunPerfCPU, UPTIME_TICKS hrSystemUptime, '-' when absent (a
 * raw line may also stop after INDEXES).  An hourly floor (the "h" line,
 * struct sample's hourly flag) stands for the samples of one aligned UTC
 * hour and one segment, as trend_compact() in trend.h defines it: MEM_KB
 * is their minimum, UNIX_TIME the first one's, the rest the last one's.
 * Times strictly increase through the file; raw and hourly lines may mix
 * (trend_compact() leaves an hour with too few samples raw).
 *
 * BOUNDS.  On every save (and whenever the arrays fill up): raw samples
 * older than TREND_KEEP_RAW_S (3 h, rounded down to the hour) become
 * hourly floors (trend_compact()); records older than HISTORY_KEEP_S (35 d)
 * are dropped, although trend_analyze() looks back only TREND_HISTORY_S
 * (8 d): five weeks of hourly floors cost ~40 KiB and are history an
 * admin can replay (README) when tuning thresholds.  At most
 * HISTORY_MAX_RAW raw samples (checks faster than one every ~10 s get whole
 * hours compacted early) and HISTORY_MAX_HOURLY floors (oldest dropped) are
 * kept; when the arrays fill while reading, down to 3/4 of each.  A year of
 * 1-minute checks settles at about 1 040 lines, ~45 KiB; 5-minute checks
 * ~40 KiB.  Worst case, whatever the input: (HISTORY_MAX_RAW +
 * HISTORY_MAX_HOURLY) lines of at most 206 bytes plus < 16 KiB of metadata
 * < 524 KiB; a text larger than HISTORY_MAX_FILE is not ours and is read
 * as empty.
 *
 * OURS OR NOT.  A text is a history when it is empty or its first line
 * starts with "# check_async_leak state v" (history_text_is_ours); the
 * store refuses to replace anything else.
 *
 * DAMAGE.  Nothing in a text of ours makes the reader fail: another format
 * version, another check's key or a text too large is read as empty
 * history; garbage lines, absurd values and samples out of time order or
 * duplicated are skipped; samples newer than now (the clock stepped back)
 * are dropped.  Each case leaves a note for the long output, and the next
 * save rewrites the text whole.
 */
#ifndef ASYNC_LEAK_HISTORY_H
#define ASYNC_LEAK_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "trend.h"

#define HISTORY_MAGIC "# check_async_leak state v1"
#define HISTORY_BLOCK_S TREND_BLOCK_S	/* one aligned hour */
#define HISTORY_KEEP_S (35L * 86400)	/* records kept this long */
#define HISTORY_MAX_RAW 1500		/* 3-4 h of checks every 10 s */
#define HISTORY_MAX_HOURLY 1024		/* 35 d of hours + room for restarts */
#define HISTORY_MAX_SEGMENTS 32
#define HISTORY_MAX_KV 16
#define HISTORY_KV_KEY_MAX 32		/* including the NUL */
#define HISTORY_KV_VALUE_MAX 128
#define HISTORY_MAX_FILE (1024L * 1024)
#define HISTORY_KEY_MAX 200		/* the key, the file name without ".state" */
#define HISTORY_NOTE_MAX 512
/* A sample is the sum over the matched instances, each an Integer32
 * (hrSWRunPerfMem): room for 4096 of them at that maximum, 13 digits. */
#define HISTORY_MEM_KB_MAX (2147483647L * 4096)

/* A past segment (between two restarts), as a "# segment=" line has it. */
struct history_segment {
	time_t start;
	time_t end;			/* last sample seen in it */
	bool leaking;			/* it ended with a leak verdict */
	bool has_slope;
	long long slope_bph;		/* bytes per hour */
	long base_kb;			/* floor of its first hours; -1 unknown */
	long peak_kb;			/* highest sample; -1 unknown */
};

struct history_kv {
	char key[HISTORY_KV_KEY_MAX];
	char value[HISTORY_KV_VALUE_MAX];
};

#define HISTORY_MAX_ROWS 8		/* more matched rows: none remembered */
#define HISTORY_ROW_NAME_MAX 64		/* hrSWRunName, RFC 2790 */
#define HISTORY_ROW_PATH_MAX 128	/* hrSWRunPath */

/* A matched hrSWRunTable row as the last check saw it ("# row" lines). */
struct history_row {
	long index;			/* hrSWRunIndex, 0..2147483647 */
	char name[HISTORY_ROW_NAME_MAX + 1];
	char path[HISTORY_ROW_PATH_MAX + 1];
	unsigned long cpu_cs;		/* hrSWRunPerfCPU */
	bool has_cpu;
};

/*
 * Everything the text holds, in memory.  samples[] is strictly ascending
 * in time, raw samples and hourly floors (sample.hourly) as trend.h
 * describes them, and can go to trend_analyze() as is.
 */
struct history {
	struct sample *samples;
	size_t n;
	size_t cap;

	char key[HISTORY_KEY_MAX + 1];	/* "" when the text named none */
	time_t written;			/* 0: unknown */
	bool have_baseline;
	long baseline_kb;
	time_t baseline_learned_at;	/* 0: unknown */
	time_t raw_judged_at;		/* 0: none */
	struct history_segment segments[HISTORY_MAX_SEGMENTS];
	size_t nsegments;
	struct history_kv kv[HISTORY_MAX_KV];
	size_t nkv;
	struct history_row rows[HISTORY_MAX_ROWS];	/* "# row" lines, index order */
	size_t nrows;
	time_t walked_at;		/* "# rows": last full walk; 0 unknown */
	bool rows_has_uptime;
	unsigned long rows_uptime;	/* hrSystemUptime at the last check */

	/* What the last history_parse() met; note is "" for a clean text. */
	bool foreign;			/* nothing usable was kept */
	unsigned damaged_lines;
	unsigned disordered;		/* out of time order or duplicated */
	unsigned future;		/* newer than now */
	char note[HISTORY_NOTE_MAX];
};

/* An empty history (no allocation yet). */
void history_init(struct history *h);

/* Frees the arrays; h is empty afterwards and may be reused. */
void history_free(struct history *h);

/*
 * Whether text[0..len-1] is a check_async_leak history (any version,
 * damaged or not): empty, or a first line that starts with the magic's
 * "# check_async_leak state v".  The file store's foreign-file hook.
 */
bool history_text_is_ours(const char *text, size_t len);

/*
 * Whether key can name a history in a "# key=" line: 1 to HISTORY_KEY_MAX
 * bytes of [A-Za-z0-9._-%+=~] (what histname.h's history_key() writes).
 */
bool history_key_ok(const char *key);

/*
 * Reads a history's text, text[0..len-1] (any bytes), into h as of now:
 * damage is skipped and described in h->note, never an error.  h is
 * emptied first.  Returns 0, or -1 only when memory runs out.
 */
int history_parse(const char *text, size_t len, time_t now,
		  struct history *h, char *err, size_t errlen);

/*
 * Writes h as text into a new malloc'd buffer (*out, NUL-terminated,
 * *outlen bytes without the NUL; free() it).  Returns 0, or -1 when memory
 * runs out.
 */
int history_format(const struct history *h, char **out, size_t *outlen,
		   char *err, size_t errlen);

/*
 * Whether s can be stored: t > 0, 0 <= mem_kb <= HISTORY_MEM_KB_MAX,
 * indexes "" or Integer32 values from 0 joined by ','.  Returns 0 or -1.
 */
int history_sample_check(const struct sample *s, char *err, size_t errlen);

/*
 * Adds s (after history_sample_check; its hourly flag is ignored) as a raw
 * sample, merged by time: after the records before s->t, before those
 * after it (the sample of a check that overlapped this one and saved
 * first); a record at s->t is replaced (a second check in the same
 * second).  Returns 0, or -1 on a bad sample or when memory runs out.
 */
int history_append(struct history *h, const struct sample *s,
		   char *err, size_t errlen);

/*
 * Applies the bounds above as of now: compacts raw samples into hourly
 * floors (trend_compact), drops what is too old or too much.  Cheap when
 * there is nothing to do.  history_save() calls it.
 */
void history_compact(struct history *h, time_t now);

/* The records, for trend_analyze(); *n receives their number. */
const struct sample *history_samples(const struct history *h, size_t *n);

/* Records the last check that judged a leak on the raw samples (0: none). */
void history_set_raw_judged(struct history *h, time_t at);

/* Records the learned baseline (kb >= 0), or forgets it (kb < 0). */
void history_set_baseline(struct history *h, long kb, time_t learned_at);

/*
 * Records the rows this check matched, when hrSWRunTable was last walked
 * and this check's hrSystemUptime, replacing what was there.  rows[] must
 * be in ascending index order, names and paths NUL-terminated within their
 * sizes.  More than HISTORY_MAX_ROWS rows (or n == 0) keeps none, so the
 * next check walks.
 */
void history_set_rows(struct history *h, const struct history_row *rows, size_t n,
		      time_t walked_at, bool has_uptime, unsigned long uptime);

#endif
