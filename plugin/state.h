/*
 * state.h - the history of one check between runs: where its state file
 * lives, the file's text format, compaction that keeps it small, and the
 * locked read-modify-write cycle around it.
 *
 * WHERE.  One file per host + port + process match + INI section:
 *   --state-file FILE                     exactly that file;
 *   --state-dir DIR / INI state_dir       DIR/NAME;
 *   $MP_STATE_PATH set                    $MP_STATE_PATH/<euid>/check_async_leak/NAME
 *                                         (the monitoring-plugins' convention);
 *   STATE_SYSTEM_DIR usable               STATE_SYSTEM_DIR/<euid>/NAME;
 *   otherwise                             STATE_DEFAULT_ROOT/check_async_leak-<euid>/NAME.
 * STATE_SYSTEM_DIR is /var/lib/check_async_leak, the Debian-style state
 * directory an admin (or a package) creates: it is used when it is a
 * directory owned by root or the euid, not writable by every user, and
 * <euid> is there already or can be made in it.  No other user can then
 * pre-empt the checks' directory.  STATE_DEFAULT_ROOT is /var/tmp, the
 * fallback that needs no installation step: it exists on every system,
 * survives reboots (unlike /tmp on tmpfs), and is writable by whatever user
 * Nagios or Icinga runs checks as; the ownership check in
 * state_prepare_dir() keeps other users out, but another local user can
 * make check_async_leak-<euid> first, and is then refused with a message
 * that says how to move the history.  Packagers may build with
 * -DSTATE_SYSTEM_DIR='"..."' or -DSTATE_DEFAULT_ROOT='"..."'.
 * A --state-file must name a file: not a directory ("dir/", "."), and not a
 * name ending in .lock or .tmp (the names of the files kept next to a
 * state file, so that two checks' files never collide).
 * NAME is HOST+PORT+MATCH[+path=PATH_RE].state, named after what
 * identifies the agent and the process, not after how -H or the INI
 * section spell it: HOST is the agent's numeric address and PORT its port
 * as the query used them (state_agent_config()), so -H localhost,
 * -H 127.0.0.1, -H udp:127.0.0.1:161 and an INI section pointing there all
 * share one history; MATCH is the process name in lower case or re=REGEX.
 * Versions up to 0.1 named the file after -H as written and the -s section
 * (HOST+PORT+MATCH[+path=PATH_RE][+sec=SECTION]): state_key() of the
 * configuration as given still yields that legacy name, and main.c moves
 * such a file to the new name on first use.  Every byte outside
 * [A-Za-z0-9._-] (and a leading '.') is written %XX, so a name cannot hold
 * '/' and is never "." or ".."; a name longer than STATE_STEM_MAX keeps its
 * first part and ends in ~ and 16 hex digits of a hash of the whole.
 *
 * FORMAT (plain text, one record a line, '\n' line ends, ASCII):
 *   # check_async_leak state v1                 first line, always
 *   # key=exch01.corp.example+161+async.exe     the check the file belongs to
 *   # written=1700000000                        when it was last saved
 *   # baseline_kb=40960                         learned baseline (optional)
 *   # baseline_learned_at=1699990000            when it was learned (optional)
 *   # segment=START END LEAKING SLOPE_BPH BASE_KB PEAK_KB   past segments,
 *         oldest first, at most STATE_MAX_SEGMENTS; LEAKING 0/1, SLOPE_BPH
 *         bytes per hour (integer), BASE_KB the floor of its first hours,
 *         PEAK_KB its highest sample; '-' when unknown
 *   # NAME=VALUE                                other metadata (the trend
 *         code's own, at most STATE_MAX_KV; NAME [a-z0-9_], VALUE printable)
 *   # rows WALKED UPTIME_TICKS                  the rows the last check
 *   # row INDEX CPU_CS NAME PATH                matched, for the next one's
 *         single GET (see rows.h): WALKED the last full walk of hrSWRunTable,
 *         UPTIME_TICKS hrSystemUptime at the last check, then one "row" line
 *         per matched row (at most STATE_MAX_ROWS) with its hrSWRunIndex,
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
 * hourly floors (trend_compact()); records older than STATE_KEEP_S (35 d)
 * are dropped, although trend_analyze() looks back only TREND_HISTORY_S
 * (8 d): five weeks of hourly floors cost ~40 KiB and are history an
 * admin can replay (README) when tuning thresholds.  At most
 * STATE_MAX_RAW raw samples (checks faster than one every ~10 s get whole
 * hours compacted early) and STATE_MAX_HOURLY floors (oldest dropped) are
 * kept; when the arrays fill while reading, down to 3/4 of each.  A year of
 * 1-minute checks settles at about 1 040 lines, ~45 KiB; 5-minute checks
 * ~40 KiB.  Worst case, whatever the input: (STATE_MAX_RAW +
 * STATE_MAX_HOURLY) lines of at most 206 bytes plus < 16 KiB of metadata
 * < 524 KiB; a file larger than STATE_MAX_FILE is not ours and is read as
 * empty.
 *
 * LOCKING.  state_open() locks the file for the whole read-modify-write
 * cycle, until state_close(), and state_save() replaces it whole: the file
 * layer, safefile.h, says how (a separate PATH.lock that must never be
 * deleted while checks run, PATH.tmp.XXXXXX renamed over PATH).
 * Checks that overlap cannot lose each other's samples: the history is
 * read as of the time the lock was taken (so the sample of a check that
 * started later but saved first is not "newer than now"), and a sample is
 * merged into it by time (state_append), not appended after what is there.
 *
 * OURS OR NOT.  A file is ours when it is empty or its first line starts
 * with "# check_async_leak state v" (state_text_is_ours).  Anything else -
 * /etc/passwd given as --state-file - is refused with an error and left
 * untouched, before even a lock file is made next to it.
 *
 * DAMAGE.  Nothing in a file of ours makes the reader fail: another format
 * version, another check's key or a file too large is read as empty
 * history; garbage lines, absurd values and samples out of time order or
 * duplicated are skipped; samples newer than now (the clock stepped back)
 * are dropped.  Each case leaves a note for the long output, and the next
 * save rewrites the file whole.  Only what prevents reading safely is an
 * error: a file that is not ours, a symbolic link or a non-regular file at
 * the path, a lock held too long, an I/O error.  A failed save leaves the
 * previous file intact.
 */
#ifndef ASYNC_LEAK_STATE_H
#define ASYNC_LEAK_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "safefile.h"
#include "trend.h"

#ifndef STATE_DEFAULT_ROOT
#define STATE_DEFAULT_ROOT "/var/tmp"
#endif
#ifndef STATE_SYSTEM_DIR
#define STATE_SYSTEM_DIR "/var/lib/check_async_leak"
#endif

#define STATE_MAGIC "# check_async_leak state v1"
#define STATE_BLOCK_S TREND_BLOCK_S	/* one aligned hour */
#define STATE_KEEP_S (35L * 86400)	/* records kept this long */
#define STATE_MAX_RAW 1500		/* 3-4 h of checks every 10 s */
#define STATE_MAX_HOURLY 1024		/* 35 d of hours + room for restarts */
#define STATE_MAX_SEGMENTS 32
#define STATE_MAX_KV 16
#define STATE_KV_KEY_MAX 32		/* including the NUL */
#define STATE_KV_VALUE_MAX 128
#define STATE_MAX_FILE (1024L * 1024)
#define STATE_STEM_MAX 200		/* file name without ".state" */
#define STATE_PATH_MAX (CONFIG_PATH_MAX + 16)
#define STATE_NOTE_MAX 512
/* A sample is the sum over the matched instances, each an Integer32
 * (hrSWRunPerfMem): room for 4096 of them at that maximum, 13 digits. */
#define STATE_MEM_KB_MAX (2147483647L * 4096)

/* A past segment (between two restarts), as main.c or trend code sums it up. */
struct state_segment {
	time_t start;
	time_t end;			/* last sample seen in it */
	bool leaking;			/* it ended with a leak verdict */
	bool has_slope;
	long long slope_bph;		/* bytes per hour */
	long base_kb;			/* floor of its first hours; -1 unknown */
	long peak_kb;			/* highest sample; -1 unknown */
};

struct state_kv {
	char key[STATE_KV_KEY_MAX];
	char value[STATE_KV_VALUE_MAX];
};

#define STATE_MAX_ROWS 8		/* more matched rows: none remembered */
#define STATE_ROW_NAME_MAX 64		/* hrSWRunName, RFC 2790 */
#define STATE_ROW_PATH_MAX 128		/* hrSWRunPath */

/* A matched hrSWRunTable row as the last check saw it ("# row" lines). */
struct state_row {
	long index;			/* hrSWRunIndex, 0..2147483647 */
	char name[STATE_ROW_NAME_MAX + 1];
	char path[STATE_ROW_PATH_MAX + 1];
	unsigned long cpu_cs;		/* hrSWRunPerfCPU */
	bool has_cpu;
};

/*
 * Everything the file holds, in memory.  samples[] is strictly ascending
 * in time, raw samples and hourly floors (sample.hourly) as trend.h
 * describes them, and can go to trend_analyze() as is.
 */
struct state_history {
	struct sample *samples;
	size_t n;
	size_t cap;

	char key[STATE_STEM_MAX + 1];	/* "" when the file named none */
	time_t written;			/* 0: unknown */
	bool have_baseline;
	long baseline_kb;
	time_t baseline_learned_at;	/* 0: unknown */
	struct state_segment segments[STATE_MAX_SEGMENTS];
	size_t nsegments;
	struct state_kv kv[STATE_MAX_KV];
	size_t nkv;
	struct state_row rows[STATE_MAX_ROWS];	/* "# row" lines, index order */
	size_t nrows;
	time_t walked_at;		/* "# rows": last full walk; 0 unknown */
	bool rows_has_uptime;
	unsigned long rows_uptime;	/* hrSystemUptime at the last check */

	/* What the last state_parse() met; note is "" for a clean file. */
	bool foreign;			/* nothing usable was kept */
	unsigned damaged_lines;
	unsigned disordered;		/* out of time order or duplicated */
	unsigned future;		/* newer than now */
	char note[STATE_NOTE_MAX];
};

/* An open, locked state file (see state_open); not "struct state",
 * which would clash with enum state. */
struct state_file {
	struct safefile file;		/* path, lock; file.lock_fd -1 when closed,
					 * file.existed, file.busy (see safefile.h) */
	time_t now;			/* as of when it was read (see state_open) */
	struct state_history h;
};

_Static_assert(STATE_PATH_MAX == SAFEFILE_PATH_MAX, "a state path fits the file layer");

/* ---- Names (pure) ---- */

/*
 * The configuration the history is named after: a copy of cfg with
 * hostname set to the agent's numeric address (IPv6 without brackets) and
 * port to its port, both taken from peer, the Net-SNMP peer name the query
 * used ("udp:192.0.2.7:161", "udp6:[::1]:161", "tcp:..."; the transport
 * does not count: one agent, one history), and no section.  Returns 0, or
 * -1 when peer is not such a name.
 */
int state_agent_config(const struct config *cfg, const char *peer, struct config *out,
		       char *err, size_t errlen);

/*
 * Claims h for the check named key: a history that names another key, and
 * not legacy_key either (NULL: none), is dropped with a note ("belongs to
 * another check"); h->key becomes key.  state_open() with a key does the
 * same without a legacy name.
 */
void state_claim(struct state_history *h, const char *key, const char *legacy_key);

/*
 * Writes the check's key - the file name without ".state", as described
 * above - for cfg's hostname, port, process match (config_use_regex),
 * path regex and section (when set: the legacy name) into key[keylen].
 * For the current name pass state_agent_config()'s copy.  Returns 0, or
 * -1 when keylen is too small or there is no hostname.
 */
int state_key(const struct config *cfg, char *key, size_t keylen,
	      char *err, size_t errlen);

/*
 * Writes the state file's path for cfg into path[pathlen], following the
 * order above; mp_state_path is getenv("MP_STATE_PATH") (NULL or "" when
 * unset) and euid the effective uid.  Returns 0, or -1 when the path does
 * not fit, a relative $MP_STATE_PATH is given, or --state-file names a
 * directory or a .lock / .tmp name.  Looks at STATE_SYSTEM_DIR (stat only)
 * when neither --state-file, --state-dir nor $MP_STATE_PATH is given.
 */
int state_path(const struct config *cfg, const char *mp_state_path,
	       unsigned euid, char *path, size_t pathlen,
	       char *err, size_t errlen);

/* Whether dir can hold the checks' <euid> directory, as described above. */
bool state_system_dir_usable(const char *dir, unsigned euid);

/* ---- The file's text (pure) ---- */

/* An empty history (no allocation yet). */
void state_history_init(struct state_history *h);

/* Frees the arrays; h is empty afterwards and may be reused. */
void state_history_free(struct state_history *h);

/*
 * Whether text[0..len-1] is a check_async_leak state file (any version,
 * damaged or not): empty, or a first line that starts with the magic's
 * "# check_async_leak state v".
 */
bool state_text_is_ours(const char *text, size_t len);

/*
 * Reads the text of a state file, text[0..len-1] (any bytes), into h as of
 * now: damage is skipped and described in h->note, never an error.  h is
 * emptied first.  Returns 0, or -1 only when memory runs out.
 */
int state_parse(const char *text, size_t len, time_t now,
		struct state_history *h, char *err, size_t errlen);

/*
 * Writes h as the text of a state file into a new malloc'd buffer
 * (*out, NUL-terminated, *outlen bytes without the NUL; free() it).
 * Returns 0, or -1 when memory runs out.
 */
int state_format(const struct state_history *h, char **out, size_t *outlen,
		 char *err, size_t errlen);

/*
 * Whether s can be stored: t > 0, 0 <= mem_kb <= STATE_MEM_KB_MAX, indexes
 * "" or Integer32 values from 0 joined by ','.  Returns 0 or -1.
 */
int state_sample_check(const struct sample *s, char *err, size_t errlen);

/*
 * Adds s (after state_sample_check; its hourly flag is ignored) as a raw
 * sample, merged by time: after the records before s->t, before those
 * after it (the sample of a check that overlapped this one and saved
 * first); a record at s->t is replaced (a second check in the same
 * second).  Returns 0, or -1 on a bad sample or when memory runs out.
 */
int state_append(struct state_history *h, const struct sample *s,
		 char *err, size_t errlen);

/*
 * Applies the bounds above as of now: compacts raw samples into hourly
 * floors (trend_compact), drops what is too old or too much.  Cheap when
 * there is nothing to do.  state_save() calls it.
 */
void state_compact(struct state_history *h, time_t now);

/* The records, for trend_analyze(); *n receives their number. */
const struct sample *state_samples(const struct state_history *h, size_t *n);

/*
 * Records the learned baseline (kb >= 0), or forgets it (kb < 0).
 */
void state_set_baseline(struct state_history *h, long kb, time_t learned_at);

/*
 * Adds or updates a segment summary: one with the same start is replaced,
 * otherwise seg is appended (the oldest summary goes when full).  Summaries
 * stay sorted by start.  Returns 0, or -1 when seg is inconsistent
 * (start <= 0, end < start, base_kb or peak_kb out of range).
 */
int state_put_segment(struct state_history *h, const struct state_segment *seg,
		      char *err, size_t errlen);

/*
 * Free-form metadata for the trend code.  state_kv_get returns the value
 * or NULL.  state_kv_set stores value under key (replacing), or removes key
 * when value is NULL; returns -1 when key is not [a-z0-9_]{1,31}, is one
 * of the reserved names above (key, written, baseline_kb,
 * baseline_learned_at, segment), value is not printable ASCII or too
 * long, or all STATE_MAX_KV slots are taken.
 */
const char *state_kv_get(const struct state_history *h, const char *key);
int state_kv_set(struct state_history *h, const char *key, const char *value,
		 char *err, size_t errlen);

/*
 * Records the rows this check matched, when hrSWRunTable was last walked
 * and this check's hrSystemUptime, replacing what was there.  rows[] must
 * be in ascending index order, names and paths NUL-terminated within their
 * sizes.  More than STATE_MAX_ROWS rows (or n == 0) keeps none, so the
 * next check walks.
 */
void state_set_rows(struct state_history *h, const struct state_row *rows, size_t n,
		    time_t walked_at, bool has_uptime, unsigned long uptime);

/* ---- Files ---- */

/*
 * Creates the directory that will hold path when missing (and its missing
 * parents, mode 0700), then checks that it is a directory owned by euid or
 * root and not writable by every user (a symbolic link to it must itself
 * be owned by euid or root).  Returns 0, or -1 with the reason.
 */
int state_prepare_dir(const char *path, unsigned euid, char *err, size_t errlen);

/*
 * Locks path (through path.lock, waiting at most lock_wait_ms) and reads
 * it into st->h as of st->now: now, or the clock once the lock is held
 * when that is later (a check that waited sees the sample of the one it
 * waited for as past, not future).  A missing file is an empty history.
 * When key is not NULL, a file that names another key is read as empty
 * (with a note) and st->h.key is set to key for the next save.  On success
 * st is open and locked until state_close(); on failure nothing stays
 * locked or allocated (st->busy tells a lock held by another check).
 * Errors: a file that is not ours (checked before the lock file is made),
 * a symbolic link or non-regular file at path or path.lock, "state file
 * ... is locked by another check", I/O errors.
 */
int state_open(struct state_file *st, const char *path, const char *key,
	       time_t now, unsigned lock_wait_ms, char *err, size_t errlen);

/*
 * Compacts st->h as of now and writes it: a new file path.tmp.XXXXXX
 * (mode 0600, O_EXCL, not following links), written and fsync'd, renamed
 * over path, then the directory fsync'd.  Any failure before the rename
 * leaves the previous file as it was.  Returns 0 or -1.
 */
int state_save(struct state_file *st, time_t now, char *err, size_t errlen);

/* Releases the lock and the memory; safe to call twice or after a failed open. */
void state_close(struct state_file *st);

#endif
