/*
 * history.c - a check's history to text and back, and its compaction (see
 * history.h for the format and the bounds).  Pure: no I/O.
 */
#include "history.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Everything parse and compaction may hold at once: see push_record(). */
#define HISTORY_CAP (HISTORY_MAX_RAW + HISTORY_MAX_HOURLY + 1)
/* Longest line read; longer ones are damage.  A record line is <= 203, a
 * "# row" line <= 6 + 2 * 11 + 3 * (64 + 128) + 2 = 606. */
#define HISTORY_LINE_MAX 1024
/* Upper bound of one formatted record line, newline included. */
#define HISTORY_RECORD_MAX 208
/* Upper bound of all formatted metadata. */
#define HISTORY_META_MAX 16384
#define HISTORY_SLOPE_MAX 1000000000000000LL	/* 1 PB/h: absurd beyond */
#define HISTORY_MAX_FIELDS 8

/* ------------------------------------------------------------- history */

void history_init(struct history *h)
{
	memset(h, 0, sizeof *h);
}

void history_free(struct history *h)
{
	free(h->samples);
	history_init(h);
}

static int grow(struct history *h, size_t want)
{
	size_t cap = h->cap ? h->cap : 256;
	struct sample *s;

	if (want <= h->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (cap > HISTORY_CAP)
		cap = HISTORY_CAP;
	if (cap < want)
		return -1;
	s = realloc(h->samples, cap * sizeof *s);
	if (!s)
		return -1;
	h->samples = s;
	h->cap = cap;
	return 0;
}

static size_t count_raw(const struct history *h)
{
	size_t i, raw = 0;

	for (i = 0; i < h->n; i++)
		raw += !h->samples[i].hourly;
	return raw;
}

/* Removes the oldest k records of one kind (hourly or raw), keeping order. */
static void drop_oldest(struct history *h, bool hourly, size_t k)
{
	size_t i, w = 0;

	for (i = 0; i < h->n; i++) {
		if (k > 0 && h->samples[i].hourly == hourly) {
			k--;
			continue;
		}
		if (w != i)
			h->samples[w] = h->samples[i];
		w++;
	}
	h->n = w;
}

/* history_compact() with the two count limits as parameters. */
static void compact_to(struct history *h, time_t now, size_t max_raw,
		       size_t max_hourly)
{
	time_t old = now - HISTORY_KEEP_S;
	time_t cut = (time_t)(trend_block_of(now - TREND_KEEP_RAW_S) * TREND_BLOCK_S);
	size_t i = 0, raw;

	while (i < h->n && h->samples[i].t < old)
		i++;
	if (i > 0) {
		memmove(h->samples, h->samples + i, (h->n - i) * sizeof *h->samples);
		h->n -= i;
	}

	/*
	 * trend_compact() defines what an hourly floor is; it is called only
	 * when a raw sample has reached the cut, as it copies every record.
	 */
	for (i = 0; i < h->n && h->samples[i].t < cut; i++)
		if (!h->samples[i].hourly)
			break;
	if (i < h->n && h->samples[i].t < cut)
		h->n = trend_compact(h->samples, h->n, now - TREND_KEEP_RAW_S);

	raw = count_raw(h);
	if (raw > max_raw) {
		/* Faster than about one check a 10 s: compact whole hours early. */
		size_t j = h->n, keep = 0;

		while (j > 0 && keep < max_raw)
			keep += !h->samples[--j].hourly;
		h->n = trend_compact(h->samples, h->n, h->samples[j].t + HISTORY_BLOCK_S);
		raw = count_raw(h);
		/* Raw samples trend_compact() keeps (thin hours) go, oldest first. */
		if (raw > max_raw)
			drop_oldest(h, false, raw - max_raw);
		raw = count_raw(h);
	}
	if (h->n - raw > max_hourly)
		drop_oldest(h, true, h->n - raw - max_hourly);
}

void history_compact(struct history *h, time_t now)
{
	compact_to(h, now, HISTORY_MAX_RAW, HISTORY_MAX_HOURLY);
}

/*
 * Appends one record.  When the arrays are at their hard cap, compaction
 * as of now makes room, down to three quarters of each limit: a file of
 * thin hours (raw samples trend_compact() cannot fold) would otherwise
 * compact the whole history again at every line read.
 */
static int push_record(struct history *h, const struct sample *s, time_t now)
{
	if (h->n == HISTORY_CAP)
		compact_to(h, now, HISTORY_MAX_RAW * 3 / 4, HISTORY_MAX_HOURLY * 3 / 4);
	if (h->n == HISTORY_CAP || grow(h, h->n + 1) < 0)
		return -1;
	h->samples[h->n++] = *s;
	return 0;
}

const struct sample *history_samples(const struct history *h, size_t *n)
{
	*n = h->n;
	return h->samples;
}

/* ------------------------------------------------------ field checking */

/* Strict unsigned decimal: digits only, no sign, <= max. */
static int parse_u(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		if (v > max / 10 || (v == max / 10 && d > max % 10))
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int parse_time(const char *s, time_t *t)
{
	unsigned long long v;

	if (parse_u(s, (unsigned long long)LLONG_MAX, &v) < 0 || v == 0)
		return -1;
	*t = (time_t)v;
	return 0;
}

static int parse_kb(const char *s, long *kb)
{
	unsigned long long v;

	if (parse_u(s, HISTORY_MEM_KB_MAX, &v) < 0)
		return -1;
	*kb = (long)v;
	return 0;
}

/* '-' or a value, for optional fields. */
static int parse_opt_ul(const char *s, unsigned long *v, bool *has)
{
	unsigned long long x;

	if (strcmp(s, "-") == 0) {
		*has = false;
		*v = 0;
		return 0;
	}
	if (parse_u(s, ULONG_MAX, &x) < 0)
		return -1;
	*v = (unsigned long)x;
	*has = true;
	return 0;
}

static int parse_opt_kb(const char *s, long *kb)
{
	if (strcmp(s, "-") == 0) {
		*kb = -1;
		return 0;
	}
	return parse_kb(s, kb);
}

/*
 * "" or Integer32 values from 0 without leading zeros, joined by ','.  0 is
 * outside RFC 2790's range for hrSWRunIndex, but the walk takes it (an
 * agent may number its idle process 0), so the history must too.
 */
static bool indexes_ok(const char *s)
{
	if (strlen(s) >= sizeof ((struct sample *)0)->indexes)
		return false;
	if (!*s)
		return true;
	for (;;) {
		unsigned long long v = 0;
		size_t digits = 0;

		if (*s == '0' && s[1] >= '0' && s[1] <= '9')
			return false;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s - '0');
			if (++digits > 10 || v > 2147483647ULL)
				return false;
			s++;
		}
		if (digits == 0)
			return false;
		if (*s == '\0')
			return true;
		if (*s != ',')
			return false;
		s++;
	}
}

int history_sample_check(const struct sample *s, char *err, size_t errlen)
{
	if (s->t <= 0)
		return errorf(err, errlen, "sample time %lld is not after 1970",
			      (long long)s->t);
	if (s->mem_kb < 0 || s->mem_kb > HISTORY_MEM_KB_MAX)
		return errorf(err, errlen, "sample memory %ld KB is out of range", s->mem_kb);
	if (memchr(s->indexes, '\0', sizeof s->indexes) == NULL || !indexes_ok(s->indexes))
		return errorf(err, errlen, "sample process indexes are not a list of numbers");
	return 0;
}

int history_append(struct history *h, const struct sample *s,
		 char *err, size_t errlen)
{
	struct sample raw = *s;
	size_t i;

	if (history_sample_check(s, err, errlen) < 0)
		return -1;
	raw.hourly = false;
	/* Merged by time: a check that overlapped this one and saved first
	 * keeps its newer sample; one of the same second is replaced. */
	if (h->n == HISTORY_CAP)
		compact_to(h, s->t, HISTORY_MAX_RAW * 3 / 4, HISTORY_MAX_HOURLY * 3 / 4);
	for (i = h->n; i > 0 && h->samples[i - 1].t > s->t; i--)
		;
	if (i > 0 && h->samples[i - 1].t == s->t) {
		h->samples[i - 1] = raw;
		return 0;
	}
	if (h->n == HISTORY_CAP || grow(h, h->n + 1) < 0)
		return errorf(err, errlen, "out of memory for the history");
	memmove(&h->samples[i + 1], &h->samples[i], (h->n - i) * sizeof h->samples[0]);
	h->samples[i] = raw;
	h->n++;
	return 0;
}

/* ------------------------------------------------------------ metadata */

static const char *const reserved_keys[] = {
	"key", "written", "baseline_kb", "baseline_learned_at", "raw_judged_at", "segment",
};

static bool kv_key_ok(const char *key)
{
	size_t i, n = strlen(key);

	if (n == 0 || n >= HISTORY_KV_KEY_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
		      key[i] == '_'))
			return false;
	for (i = 0; i < sizeof reserved_keys / sizeof *reserved_keys; i++)
		if (strcmp(key, reserved_keys[i]) == 0)
			return false;
	return true;
}

/* Printable ASCII; no leading or trailing blank (parse trims them). */
static bool kv_value_ok(const char *v)
{
	size_t i, n = strlen(v);

	if (n >= HISTORY_KV_VALUE_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return false;
	return n == 0 || (v[0] != ' ' && v[n - 1] != ' ');
}

/* Stores value under key (replacing); false when all slots are taken. */
static bool kv_put(struct history *h, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < h->nkv; i++)
		if (strcmp(h->kv[i].key, key) == 0)
			break;
	if (i == h->nkv) {
		if (h->nkv == HISTORY_MAX_KV)
			return false;
		h->nkv++;
		copy_str(h->kv[i].key, sizeof h->kv[i].key, key);
	}
	copy_str(h->kv[i].value, sizeof h->kv[i].value, value);
	return true;
}

void history_set_raw_judged(struct history *h, time_t at)
{
	h->raw_judged_at = at > 0 ? at : 0;
}

void history_set_baseline(struct history *h, long kb, time_t learned_at)
{
	h->have_baseline = kb >= 0 && kb <= HISTORY_MEM_KB_MAX;
	h->baseline_kb = h->have_baseline ? kb : 0;
	h->baseline_learned_at = h->have_baseline && learned_at > 0 ? learned_at : 0;
}

void history_set_rows(struct history *h, const struct history_row *rows, size_t n,
		    time_t walked_at, bool has_uptime, unsigned long uptime)
{
	h->nrows = n <= HISTORY_MAX_ROWS ? n : 0;
	if (h->nrows)
		memcpy(h->rows, rows, h->nrows * sizeof rows[0]);
	h->walked_at = walked_at > 0 ? walked_at : 0;
	h->rows_has_uptime = has_uptime;
	h->rows_uptime = has_uptime ? uptime : 0;
}

/* A "# row" NAME or PATH field: printable, no '%' or '=', "-" for "". */
static void put_row_text(char *dst, size_t size, const char *src)
{
	size_t len = 0;

	if (!src[0] || strcmp(src, "-") == 0) {
		snprintf(dst, size, "%s", src[0] ? "%2D" : "-");
		return;
	}
	for (; *src && len + 4 <= size; src++) {
		unsigned char c = (unsigned char)*src;

		if (c <= ' ' || c >= 0x7f || c == '%' || c == '=')
			len += (size_t)snprintf(dst + len, size - len, "%%%02X", c);
		else
			dst[len++] = (char)c;
	}
	dst[len] = '\0';
}

/* The reverse of put_row_text; -1 for a bad escape or a text too long. */
static int get_row_text(char *dst, size_t size, const char *src)
{
	size_t len = 0;

	if (strcmp(src, "-") == 0) {
		dst[0] = '\0';
		return 0;
	}
	for (; *src; src++) {
		int c = (unsigned char)*src;

		if (c == '%') {
			int hi = hex_digit(src[1]), lo = hi < 0 ? -1 : hex_digit(src[2]);

			if (lo < 0)
				return -1;
			c = hi * 16 + lo;
			src += 2;
		}
		if (c == 0 || len + 1 >= size)
			return -1;
		dst[len++] = (char)c;
	}
	dst[len] = '\0';
	return 0;
}

static bool segment_ok(const struct history_segment *seg)
{
	return seg->start > 0 && seg->end >= seg->start &&
	       seg->base_kb >= -1 && seg->base_kb <= HISTORY_MEM_KB_MAX &&
	       seg->peak_kb >= -1 && seg->peak_kb <= HISTORY_MEM_KB_MAX &&
	       (!seg->has_slope || (seg->slope_bph >= -HISTORY_SLOPE_MAX &&
				    seg->slope_bph <= HISTORY_SLOPE_MAX));
}

/* ---------------------------------------------------------------- parse */

/* Splits line at blanks into at most max fields; returns their number or -1. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	for (;;) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line)
			return n;
		if (n == max)
			return -1;
		f[n++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
		if (*line)
			*line++ = '\0';
	}
}

bool history_key_ok(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > HISTORY_KEY_MAX)
		return false;
	for (; *key; key++)
		if (!((*key >= 'A' && *key <= 'Z') || (*key >= 'a' && *key <= 'z') ||
		      (*key >= '0' && *key <= '9') || strchr("._-%+=~", *key)))
			return false;
	return true;
}

/* One "# segment=..." value; 1 kept, 0 damaged, 2 in the future. */
static int parse_segment(struct history *h, char *value, time_t now)
{
	char *f[HISTORY_MAX_FIELDS];
	struct history_segment seg;
	unsigned long long leak;

	memset(&seg, 0, sizeof seg);
	if (split(value, f, HISTORY_MAX_FIELDS) != 6 || parse_time(f[0], &seg.start) < 0 ||
	    parse_time(f[1], &seg.end) < 0 || parse_u(f[2], 1, &leak) < 0 ||
	    parse_opt_kb(f[4], &seg.base_kb) < 0 || parse_opt_kb(f[5], &seg.peak_kb) < 0)
		return 0;
	seg.leaking = leak == 1;
	if (strcmp(f[3], "-") != 0) {
		const char *p = f[3];
		unsigned long long mag;

		if (*p == '-')
			p++;
		if (parse_u(p, (unsigned long long)HISTORY_SLOPE_MAX, &mag) < 0)
			return 0;
		seg.has_slope = true;
		seg.slope_bph = f[3][0] == '-' ? -(long long)mag : (long long)mag;
	}
	if (!segment_ok(&seg))
		return 0;
	if (seg.end > now)
		return 2;
	if (h->nsegments > 0 && seg.start <= h->segments[h->nsegments - 1].start)
		return 3;
	if (h->nsegments == HISTORY_MAX_SEGMENTS) {
		memmove(&h->segments[0], &h->segments[1],
			(HISTORY_MAX_SEGMENTS - 1) * sizeof h->segments[0]);
		h->nsegments--;
	}
	h->segments[h->nsegments++] = seg;
	return 1;
}

/*
 * Counts what a record parser said of a line that it skipped: 2 newer than
 * now, 3 out of time order.  Returns rc unchanged (0 damaged, 1 kept, -1
 * out of memory).
 */
static int tally(struct history *h, int rc)
{
	if (rc == 2)
		h->future++;
	else if (rc == 3)
		h->disordered++;
	return rc;
}

/* "# rows WALKED UPTIME_TICKS"; false for damage. */
static bool parse_rows(struct history *h, char *value, time_t now)
{
	char *f[HISTORY_MAX_FIELDS];
	time_t t;
	bool has;
	unsigned long up;

	/* WALKED 0: a walk is due (what a walk "in the future" is written as). */
	if (split(value, f, HISTORY_MAX_FIELDS) != 2 ||
	    (strcmp(f[0], "0") != 0 && parse_time(f[0], &t) < 0) ||
	    parse_opt_ul(f[1], &up, &has) < 0)
		return false;
	if (strcmp(f[0], "0") == 0)
		t = 0;
	h->walked_at = t <= now ? t : 0;	/* a walk "in the future" is due now */
	h->rows_has_uptime = has;
	h->rows_uptime = has ? up : 0;
	return true;
}

/* "# row INDEX CPU_CS NAME PATH"; false for damage. */
static bool parse_row(struct history *h, char *value)
{
	char *f[HISTORY_MAX_FIELDS];
	struct history_row r;
	unsigned long long ix;

	memset(&r, 0, sizeof r);
	if (split(value, f, HISTORY_MAX_FIELDS) != 4 || parse_u(f[0], 2147483647ULL, &ix) < 0 ||
	    parse_opt_ul(f[1], &r.cpu_cs, &r.has_cpu) < 0 ||
	    get_row_text(r.name, sizeof r.name, f[2]) < 0 ||
	    get_row_text(r.path, sizeof r.path, f[3]) < 0)
		return false;
	r.index = (long)ix;
	if (h->nrows == HISTORY_MAX_ROWS ||
	    (h->nrows > 0 && r.index <= h->rows[h->nrows - 1].index))
		return false;
	h->rows[h->nrows++] = r;
	return true;
}

/* A "# ..." line after the first; returns false for damage. */
static bool parse_meta(struct history *h, char *line, time_t now)
{
	char *key, *value, *eq;
	unsigned long long v;
	time_t t;

	key = trim(line + 1);
	if (strncmp(key, "rows", 4) == 0 && (key[4] == ' ' || key[4] == '\t'))
		return parse_rows(h, key + 5, now);
	if (strncmp(key, "row", 3) == 0 && (key[3] == ' ' || key[3] == '\t'))
		return parse_row(h, key + 4);
	eq = strchr(key, '=');
	if (!eq)
		return true;	/* a comment */
	*eq = '\0';
	value = trim(eq + 1);
	key = trim(key);
	if (strcmp(key, "key") == 0) {
		if (!history_key_ok(value))
			return false;
		memcpy(h->key, value, strlen(value) + 1);
	} else if (strcmp(key, "written") == 0) {
		if (parse_time(value, &t) < 0)
			return false;
		h->written = t;
	} else if (strcmp(key, "baseline_kb") == 0) {
		if (parse_u(value, HISTORY_MEM_KB_MAX, &v) < 0)
			return false;
		h->have_baseline = true;
		h->baseline_kb = (long)v;
	} else if (strcmp(key, "baseline_learned_at") == 0) {
		if (parse_time(value, &t) < 0)
			return false;
		h->baseline_learned_at = t <= now ? t : 0;
	} else if (strcmp(key, "raw_judged_at") == 0) {
		if (parse_time(value, &t) < 0)
			return false;
		h->raw_judged_at = t <= now ? t : 0;
	} else if (strcmp(key, "segment") == 0) {
		if (tally(h, parse_segment(h, value, now)) == 0)
			return false;
	} else {
		if (!kv_key_ok(key) || !kv_value_ok(value) || !kv_put(h, key, value))
			return false;
	}
	return true;
}

/*
 * A record line.  Returns 1 kept, 0 damaged, 2 newer than now, 3 out of
 * order, -1 out of memory.
 */
static int parse_record(struct history *h, char *line, time_t now)
{
	char *f[HISTORY_MAX_FIELDS];
	int nf = split(line, f, HISTORY_MAX_FIELDS);
	struct sample s;

	memset(&s, 0, sizeof s);
	if (nf < 3 || nf > 6)
		return 0;
	if (parse_time(f[0], &s.t) < 0 || parse_kb(f[1], &s.mem_kb) < 0)
		return 0;
	if (strcmp(f[2], "-") != 0) {
		if (copy_str(s.indexes, sizeof s.indexes, f[2]) < 0 || !indexes_ok(s.indexes))
			return 0;
	}
	if (nf >= 4 && parse_opt_ul(f[3], &s.cpu_cs, &s.has_cpu) < 0)
		return 0;
	if (nf >= 5 && parse_opt_ul(f[4], &s.uptime_ticks, &s.has_uptime) < 0)
		return 0;
	if (nf == 6) {
		if (strcmp(f[5], "h") != 0)
			return 0;
		s.hourly = true;
	}
	if (s.t > now)
		return 2;
	if (h->n > 0 && s.t <= h->samples[h->n - 1].t)
		return 3;
	return push_record(h, &s, now) < 0 ? -1 : 1;
}

/* A version worth quoting in a note: "2", "1.5" (file bytes are not). */
static bool version_ok(const char *s)
{
	size_t n = strspn(s, "0123456789.");

	return n > 0 && n <= 8 && s[n] == '\0';
}

static void add_note(char *note, size_t size, const char *text)
{
	size_t len = strlen(note);

	snprintf(note + len, size - len, "%s%s", len ? "; " : "", text);
}

bool history_text_is_ours(const char *text, size_t len)
{
	static const char head[] = "# check_async_leak state v";
	size_t i = 0;

	if (len == 0)
		return true;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	return len - i >= sizeof head - 1 && memcmp(text + i, head, sizeof head - 1) == 0;
}

int history_parse(const char *text, size_t len, time_t now,
		struct history *h, char *err, size_t errlen)
{
	char line[HISTORY_LINE_MAX + 1];
	char buf[160];
	size_t pos = 0, lineno = 0, first_damage = 0;

	history_free(h);
	if (len == 0)
		return 0;	/* emptied by hand: a fresh start, nothing to say */
	if (len > (size_t)HISTORY_MAX_FILE) {
		h->foreign = true;
		copy_str(h->note, sizeof h->note,
			 "the state file is too large to be ours; a new history starts");
		return 0;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		bool bad = false;

		lineno++;
		if (n > HISTORY_LINE_MAX || memchr(text + pos, '\0', n)) {
			bad = true;
		} else {
			memcpy(line, text + pos, n);
			line[n] = '\0';
			if (n > 0 && line[n - 1] == '\r')
				line[n - 1] = '\0';
		}
		pos = end + 1;

		if (lineno == 1) {
			if (bad || strcmp(trim(line), HISTORY_MAGIC) != 0) {
				const char *v = "# check_async_leak state v";

				h->foreign = true;
				if (!bad && strncmp(line, v, strlen(v)) == 0 &&
				    version_ok(line + strlen(v)))
					snprintf(h->note, sizeof h->note,
						 "the state file has format v%.8s, which this "
						 "version does not read; a new history starts",
						 line + strlen(v));
				else
					copy_str(h->note, sizeof h->note,
						 "not a check_async_leak state file; a new history "
						 "starts");
				return 0;
			}
			continue;
		}
		if (!bad) {
			char *l = trim(line);

			if (*l == '\0')
				continue;
			if (*l == '#') {
				bad = !parse_meta(h, l, now);
			} else {
				int rc = tally(h, parse_record(h, l, now));

				if (rc == -1) {
					history_free(h);
					return errorf(err, errlen,
						      "out of memory reading the history");
				}
				bad = rc == 0;
			}
		}
		if (bad) {
			if (h->damaged_lines++ == 0)
				first_damage = lineno;
		}
	}

	if (h->damaged_lines) {
		snprintf(buf, sizeof buf, "%u damaged line%s ignored (the first is line %zu)",
			 h->damaged_lines, h->damaged_lines == 1 ? "" : "s", first_damage);
		add_note(h->note, sizeof h->note, buf);
	}
	if (h->disordered) {
		snprintf(buf, sizeof buf, "%u record%s out of time order or duplicated ignored",
			 h->disordered, h->disordered == 1 ? "" : "s");
		add_note(h->note, sizeof h->note, buf);
	}
	if (h->future) {
		snprintf(buf, sizeof buf, "%u record%s newer than now dropped (clock stepped back?)",
			 h->future, h->future == 1 ? "" : "s");
		add_note(h->note, sizeof h->note, buf);
	}
	return 0;
}

/* --------------------------------------------------------------- format */

struct out {
	char *buf;
	size_t len, size;
	bool overflow;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len)
		o->overflow = true;
	else
		o->len += (size_t)n;
}

static void put_opt_ul(struct out *o, bool has, unsigned long v)
{
	if (has)
		put(o, " %lu", v);
	else
		put(o, " -");
}

int history_format(const struct history *h, char **out, size_t *outlen,
		 char *err, size_t errlen)
{
	struct out o = { NULL, 0, 0, false };
	size_t i;

	o.size = HISTORY_META_MAX + h->n * HISTORY_RECORD_MAX + 1;
	o.buf = malloc(o.size);
	if (!o.buf)
		return errorf(err, errlen, "out of memory writing the history");

	put(&o, "%s\n", HISTORY_MAGIC);
	put(&o, "# Format (see README): UNIX_TIME MEM_KB INDEXES CPU_CS UPTIME_TICKS [h]\n");
	if (h->key[0])
		put(&o, "# key=%s\n", h->key);
	if (h->written > 0)
		put(&o, "# written=%lld\n", (long long)h->written);
	if (h->have_baseline) {
		put(&o, "# baseline_kb=%ld\n", h->baseline_kb);
		if (h->baseline_learned_at > 0)
			put(&o, "# baseline_learned_at=%lld\n", (long long)h->baseline_learned_at);
	}
	if (h->raw_judged_at > 0)
		put(&o, "# raw_judged_at=%lld\n", (long long)h->raw_judged_at);
	for (i = 0; i < h->nsegments; i++) {
		const struct history_segment *g = &h->segments[i];

		put(&o, "# segment=%lld %lld %d", (long long)g->start, (long long)g->end,
		    g->leaking ? 1 : 0);
		if (g->has_slope)
			put(&o, " %lld", g->slope_bph);
		else
			put(&o, " -");
		put_opt_ul(&o, g->base_kb >= 0, (unsigned long)g->base_kb);
		put_opt_ul(&o, g->peak_kb >= 0, (unsigned long)g->peak_kb);
		put(&o, "\n");
	}
	for (i = 0; i < h->nkv; i++)
		put(&o, "# %s=%s\n", h->kv[i].key, h->kv[i].value);
	if (h->nrows > 0) {
		put(&o, "# rows %lld", (long long)h->walked_at);
		put_opt_ul(&o, h->rows_has_uptime, h->rows_uptime);
		put(&o, "\n");
	}
	for (i = 0; i < h->nrows && i < HISTORY_MAX_ROWS; i++) {
		const struct history_row *r = &h->rows[i];
		char name[3 * HISTORY_ROW_NAME_MAX + 4], path[3 * HISTORY_ROW_PATH_MAX + 4];

		put_row_text(name, sizeof name, r->name);
		put_row_text(path, sizeof path, r->path);
		put(&o, "# row %ld", r->index);
		put_opt_ul(&o, r->has_cpu, r->cpu_cs);
		put(&o, " %s %s\n", name, path);
	}
	for (i = 0; i < h->n; i++) {
		const struct sample *s = &h->samples[i];

		put(&o, "%lld %ld %s", (long long)s->t, s->mem_kb,
		    s->indexes[0] ? s->indexes : "-");
		put_opt_ul(&o, s->has_cpu, s->cpu_cs);
		put_opt_ul(&o, s->has_uptime, s->uptime_ticks);
		if (s->hourly)
			put(&o, " h");
		put(&o, "\n");
	}
	if (o.overflow) {
		free(o.buf);
		return errorf(err, errlen, "the history does not fit its bound (a bug)");
	}
	*out = o.buf;
	*outlen = o.len;
	return 0;
}

