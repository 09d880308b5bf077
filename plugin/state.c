/*
 * state.c - the history file between runs (see state.h for the format,
 * the bounds and the locking scheme).
 *
 * Pure functions from text to struct state_history and back (parse,
 * format, compaction, names), so that they can be unit-tested and fuzzed
 * without touching a disk, and the read-modify-write cycle over them on
 * the file layer (safefile.h: lock, bounded read, atomic replace).
 */
#include "state.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "safefile.h"
#include "util.h"

/* Everything parse and compaction may hold at once: see push_record(). */
#define STATE_CAP (STATE_MAX_RAW + STATE_MAX_HOURLY + 1)
/* Longest line read; longer ones are damage.  A record line is <= 203, a
 * "# row" line <= 6 + 2 * 11 + 3 * (64 + 128) + 2 = 606. */
#define STATE_LINE_MAX 1024
/* Upper bound of one formatted record line, newline included. */
#define STATE_RECORD_MAX 208
/* Upper bound of all formatted metadata. */
#define STATE_META_MAX 16384
#define STATE_SLOPE_MAX 1000000000000000LL	/* 1 PB/h: absurd beyond */
#define STATE_MAX_FIELDS 8

/* ---------------------------------------------------------------- names */

static bool keep_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/*
 * Appends src, %XX-encoded, to dst[size] at *len.  lower folds ASCII
 * letters (host names and process names match case-insensitively, so
 * "Async.exe" and "async.exe" must share a file).  Returns 0 or -1 when
 * it does not fit.
 */
static int encode_part(char *dst, size_t size, size_t *len, const char *src, bool lower)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; src[i]; i++) {
		unsigned char c = (unsigned char)src[i];

		if (lower && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		/* A leading '.' would make a hidden file (or "." / ".."). */
		if (keep_byte(c) && !(c == '.' && *len == 0)) {
			if (*len + 1 >= size)
				return -1;
			dst[(*len)++] = (char)c;
		} else {
			if (*len + 3 >= size)
				return -1;
			dst[(*len)++] = '%';
			dst[(*len)++] = hex[c >> 4];
			dst[(*len)++] = hex[c & 0xf];
		}
	}
	dst[*len] = '\0';
	return 0;
}

static int append_raw(char *dst, size_t size, size_t *len, const char *src)
{
	size_t n = strlen(src);

	if (*len + n >= size)
		return -1;
	memcpy(dst + *len, src, n + 1);
	*len += n;
	return 0;
}

/* FNV-1a, 64 bits: enough to tell apart the few checks of one directory. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

int state_agent_config(const struct config *cfg, const char *peer, struct config *out,
		       char *err, size_t errlen)
{
	struct address a;

	if (!peer || !peer[0] || address_parse(peer, &a, err, errlen) < 0 || a.port == 0)
		return errorf(err, errlen, "no agent address to name the state file after");
	*out = *cfg;
	if (copy_str(out->hostname, sizeof out->hostname, a.host) < 0)
		return errorf(err, errlen, "agent address too long");
	out->port = a.port;
	out->section[0] = '\0';
	return 0;
}

int state_key(const struct config *cfg, char *key, size_t keylen,
	      char *err, size_t errlen)
{
	/* Room for every part fully encoded: 3 bytes per input byte. */
	char full[3 * (sizeof cfg->hostname + sizeof cfg->regex + sizeof cfg->path +
		       sizeof cfg->section) + 64];
	char port[16];
	size_t len = 0;
	bool regex = config_use_regex(cfg);
	int rc = 0;

	if (!cfg->hostname[0])
		return errorf(err, errlen, "no host name to name the state file after");
	snprintf(port, sizeof port, "+%u+", cfg->port);
	rc |= encode_part(full, sizeof full, &len, cfg->hostname, true);
	rc |= append_raw(full, sizeof full, &len, port);
	if (regex) {
		rc |= append_raw(full, sizeof full, &len, "re=");
		rc |= encode_part(full, sizeof full, &len, cfg->regex, false);
	} else {
		rc |= encode_part(full, sizeof full, &len, cfg->process, true);
	}
	if (cfg->path[0]) {
		rc |= append_raw(full, sizeof full, &len, "+path=");
		rc |= encode_part(full, sizeof full, &len, cfg->path, false);
	}
	if (cfg->section[0]) {
		rc |= append_raw(full, sizeof full, &len, "+sec=");
		rc |= encode_part(full, sizeof full, &len, cfg->section, false);
	}
	if (rc)
		return errorf(err, errlen, "state file name too long");

	if (len > STATE_STEM_MAX) {
		/* Keep a readable prefix, cut before a %XX, and add a hash of all. */
		size_t keep = STATE_STEM_MAX - 17;

		if (full[keep - 1] == '%')
			keep -= 1;
		else if (full[keep - 2] == '%')
			keep -= 2;
		snprintf(full + keep, sizeof full - keep, "~%016llx",
			 (unsigned long long)fnv1a(full));
		len = strlen(full);
	}
	if (len >= keylen)
		return errorf(err, errlen, "state file name too long");
	memcpy(key, full, len + 1);
	return 0;
}

bool state_system_dir_usable(const char *dir, unsigned euid)
{
	char sub[STATE_PATH_MAX];
	struct stat sb;
	int n;

	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) ||
	    (sb.st_uid != euid && sb.st_uid != 0) || (sb.st_mode & S_IWOTH))
		return false;
	n = snprintf(sub, sizeof sub, "%s/%u", dir, euid);
	if (n < 0 || (size_t)n >= sizeof sub)
		return false;
	if (lstat(sub, &sb) == 0)
		return true;	/* ours or not, state_prepare_dir() says which */
	return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;
}

int state_path(const struct config *cfg, const char *mp_state_path,
	       unsigned euid, char *path, size_t pathlen,
	       char *err, size_t errlen)
{
	char key[STATE_STEM_MAX + 1];
	int n;

	if (cfg->state_file[0]) {
		size_t len = strlen(cfg->state_file);
		const char *base = strrchr(cfg->state_file, '/');

		base = base ? base + 1 : cfg->state_file;
		if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
			return errorf(err, errlen, "state file '%s' names a directory, not a file",
				      cfg->state_file);
		/* FILE.lock and FILE.tmp.* are the plugin's own: a state file so
		 * named would be another check's lock or temporary file. */
		if ((len >= 5 && strcmp(cfg->state_file + len - 5, ".lock") == 0) ||
		    (len >= 4 && strcmp(cfg->state_file + len - 4, ".tmp") == 0) ||
		    strstr(base, ".tmp.") != NULL)
			return errorf(err, errlen, "state file '%s' must not end in .lock or "
				      ".tmp (the names of the lock and temporary files next to a "
				      "state file)", cfg->state_file);
		if (copy_str(path, pathlen, cfg->state_file) < 0)
			return errorf(err, errlen, "state file path too long");
		return 0;
	}
	if (state_key(cfg, key, sizeof key, err, errlen) < 0)
		return -1;
	if (cfg->state_dir[0]) {
		n = snprintf(path, pathlen, "%s/%s.state", cfg->state_dir, key);
	} else if (mp_state_path && mp_state_path[0]) {
		if (mp_state_path[0] != '/')
			return errorf(err, errlen,
				      "MP_STATE_PATH must be an absolute path, not '%s'",
				      mp_state_path);
		n = snprintf(path, pathlen, "%s/%u/check_async_leak/%s.state",
			     mp_state_path, euid, key);
	} else if (state_system_dir_usable(STATE_SYSTEM_DIR, euid)) {
		n = snprintf(path, pathlen, "%s/%u/%s.state", STATE_SYSTEM_DIR, euid, key);
	} else {
		n = snprintf(path, pathlen, "%s/check_async_leak-%u/%s.state",
			     STATE_DEFAULT_ROOT, euid, key);
	}
	if (n < 0 || (size_t)n >= pathlen)
		return errorf(err, errlen, "state file path too long");
	return 0;
}

/* ------------------------------------------------------------- history */

void state_history_init(struct state_history *h)
{
	memset(h, 0, sizeof *h);
}

void state_history_free(struct state_history *h)
{
	free(h->samples);
	state_history_init(h);
}

static int grow(struct state_history *h, size_t want)
{
	size_t cap = h->cap ? h->cap : 256;
	struct sample *s;

	if (want <= h->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (cap > STATE_CAP)
		cap = STATE_CAP;
	if (cap < want)
		return -1;
	s = realloc(h->samples, cap * sizeof *s);
	if (!s)
		return -1;
	h->samples = s;
	h->cap = cap;
	return 0;
}

/* floor(t / block) * block, also for negative t. */
static time_t block_of(time_t t)
{
	time_t r = t % STATE_BLOCK_S;

	return t - (r < 0 ? r + STATE_BLOCK_S : r);
}

static size_t count_raw(const struct state_history *h)
{
	size_t i, raw = 0;

	for (i = 0; i < h->n; i++)
		raw += !h->samples[i].hourly;
	return raw;
}

/* Removes the oldest k records of one kind (hourly or raw), keeping order. */
static void drop_oldest(struct state_history *h, bool hourly, size_t k)
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

/* state_compact() with the two count limits as parameters. */
static void compact_to(struct state_history *h, time_t now, size_t max_raw,
		       size_t max_hourly)
{
	time_t old = now - STATE_KEEP_S;
	time_t cut = block_of(now - TREND_KEEP_RAW_S);
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
		h->n = trend_compact(h->samples, h->n, h->samples[j].t + STATE_BLOCK_S);
		raw = count_raw(h);
		/* Raw samples trend_compact() keeps (thin hours) go, oldest first. */
		if (raw > max_raw)
			drop_oldest(h, false, raw - max_raw);
		raw = count_raw(h);
	}
	if (h->n - raw > max_hourly)
		drop_oldest(h, true, h->n - raw - max_hourly);
}

void state_compact(struct state_history *h, time_t now)
{
	compact_to(h, now, STATE_MAX_RAW, STATE_MAX_HOURLY);
}

/*
 * Appends one record.  When the arrays are at their hard cap, compaction
 * as of now makes room, down to three quarters of each limit: a file of
 * thin hours (raw samples trend_compact() cannot fold) would otherwise
 * compact the whole history again at every line read.
 */
static int push_record(struct state_history *h, const struct sample *s, time_t now)
{
	if (h->n == STATE_CAP)
		compact_to(h, now, STATE_MAX_RAW * 3 / 4, STATE_MAX_HOURLY * 3 / 4);
	if (h->n == STATE_CAP || grow(h, h->n + 1) < 0)
		return -1;
	h->samples[h->n++] = *s;
	return 0;
}

const struct sample *state_samples(const struct state_history *h, size_t *n)
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

	if (parse_u(s, STATE_MEM_KB_MAX, &v) < 0)
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

int state_sample_check(const struct sample *s, char *err, size_t errlen)
{
	if (s->t <= 0)
		return errorf(err, errlen, "sample time %lld is not after 1970",
			      (long long)s->t);
	if (s->mem_kb < 0 || s->mem_kb > STATE_MEM_KB_MAX)
		return errorf(err, errlen, "sample memory %ld KB is out of range", s->mem_kb);
	if (memchr(s->indexes, '\0', sizeof s->indexes) == NULL || !indexes_ok(s->indexes))
		return errorf(err, errlen, "sample process indexes are not a list of numbers");
	return 0;
}

int state_append(struct state_history *h, const struct sample *s,
		 char *err, size_t errlen)
{
	struct sample raw = *s;
	size_t i;

	if (state_sample_check(s, err, errlen) < 0)
		return -1;
	raw.hourly = false;
	/* Merged by time: a check that overlapped this one and saved first
	 * keeps its newer sample; one of the same second is replaced. */
	if (h->n == STATE_CAP)
		compact_to(h, s->t, STATE_MAX_RAW * 3 / 4, STATE_MAX_HOURLY * 3 / 4);
	for (i = h->n; i > 0 && h->samples[i - 1].t > s->t; i--)
		;
	if (i > 0 && h->samples[i - 1].t == s->t) {
		h->samples[i - 1] = raw;
		return 0;
	}
	if (h->n == STATE_CAP || grow(h, h->n + 1) < 0)
		return errorf(err, errlen, "out of memory for the history");
	memmove(&h->samples[i + 1], &h->samples[i], (h->n - i) * sizeof h->samples[0]);
	h->samples[i] = raw;
	h->n++;
	return 0;
}

/* ------------------------------------------------------------ metadata */

static const char *const reserved_keys[] = {
	"key", "written", "baseline_kb", "baseline_learned_at", "segment",
};

static bool kv_key_ok(const char *key)
{
	size_t i, n = strlen(key);

	if (n == 0 || n >= STATE_KV_KEY_MAX)
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

	if (n >= STATE_KV_VALUE_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return false;
	return n == 0 || (v[0] != ' ' && v[n - 1] != ' ');
}

const char *state_kv_get(const struct state_history *h, const char *key)
{
	size_t i;

	for (i = 0; i < h->nkv; i++)
		if (strcmp(h->kv[i].key, key) == 0)
			return h->kv[i].value;
	return NULL;
}

int state_kv_set(struct state_history *h, const char *key, const char *value,
		 char *err, size_t errlen)
{
	size_t i;

	if (!kv_key_ok(key))
		return errorf(err, errlen, "'%.40s' cannot name state metadata", key);
	if (value && !kv_value_ok(value))
		return errorf(err, errlen, "state metadata %s: value too long or not printable",
			      key);
	for (i = 0; i < h->nkv; i++)
		if (strcmp(h->kv[i].key, key) == 0)
			break;
	if (!value) {
		if (i < h->nkv) {
			memmove(&h->kv[i], &h->kv[i + 1], (h->nkv - i - 1) * sizeof h->kv[0]);
			h->nkv--;
		}
		return 0;
	}
	if (i == h->nkv) {
		if (h->nkv == STATE_MAX_KV)
			return errorf(err, errlen, "no room for more state metadata");
		h->nkv++;
		copy_str(h->kv[i].key, sizeof h->kv[i].key, key);
	}
	copy_str(h->kv[i].value, sizeof h->kv[i].value, value);
	return 0;
}

void state_set_baseline(struct state_history *h, long kb, time_t learned_at)
{
	h->have_baseline = kb >= 0 && kb <= STATE_MEM_KB_MAX;
	h->baseline_kb = h->have_baseline ? kb : 0;
	h->baseline_learned_at = h->have_baseline && learned_at > 0 ? learned_at : 0;
}

void state_set_rows(struct state_history *h, const struct state_row *rows, size_t n,
		    time_t walked_at, bool has_uptime, unsigned long uptime)
{
	h->nrows = n <= STATE_MAX_ROWS ? n : 0;
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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
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
			int hi = hexval(src[1]), lo = hi < 0 ? -1 : hexval(src[2]);

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

static bool segment_ok(const struct state_segment *seg)
{
	return seg->start > 0 && seg->end >= seg->start &&
	       seg->base_kb >= -1 && seg->base_kb <= STATE_MEM_KB_MAX &&
	       seg->peak_kb >= -1 && seg->peak_kb <= STATE_MEM_KB_MAX &&
	       (!seg->has_slope || (seg->slope_bph >= -STATE_SLOPE_MAX &&
				    seg->slope_bph <= STATE_SLOPE_MAX));
}

int state_put_segment(struct state_history *h, const struct state_segment *seg,
		      char *err, size_t errlen)
{
	size_t i;

	if (!segment_ok(seg))
		return errorf(err, errlen, "inconsistent segment summary");
	for (i = 0; i < h->nsegments && h->segments[i].start < seg->start; i++)
		;
	if (i < h->nsegments && h->segments[i].start == seg->start) {
		h->segments[i] = *seg;
		return 0;
	}
	if (h->nsegments == STATE_MAX_SEGMENTS) {
		if (i == 0)
			return 0;	/* older than everything kept: not worth a slot */
		memmove(&h->segments[0], &h->segments[1], (i - 1) * sizeof h->segments[0]);
		h->segments[i - 1] = *seg;
		return 0;
	}
	memmove(&h->segments[i + 1], &h->segments[i],
		(h->nsegments - i) * sizeof h->segments[0]);
	h->segments[i] = *seg;
	h->nsegments++;
	return 0;
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

static bool stem_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > STATE_STEM_MAX)
		return false;
	for (; *s; s++)
		if (!keep_byte((unsigned char)*s) && !strchr("%+=~", *s))
			return false;
	return true;
}

/* One "# segment=..." value; 1 kept, 0 damaged, 2 in the future. */
static int parse_segment(struct state_history *h, char *value, time_t now)
{
	char *f[STATE_MAX_FIELDS];
	struct state_segment seg;
	unsigned long long leak;

	memset(&seg, 0, sizeof seg);
	if (split(value, f, STATE_MAX_FIELDS) != 6 || parse_time(f[0], &seg.start) < 0 ||
	    parse_time(f[1], &seg.end) < 0 || parse_u(f[2], 1, &leak) < 0 ||
	    parse_opt_kb(f[4], &seg.base_kb) < 0 || parse_opt_kb(f[5], &seg.peak_kb) < 0)
		return 0;
	seg.leaking = leak == 1;
	if (strcmp(f[3], "-") != 0) {
		const char *p = f[3];
		unsigned long long mag;

		if (*p == '-')
			p++;
		if (parse_u(p, (unsigned long long)STATE_SLOPE_MAX, &mag) < 0)
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
	if (h->nsegments == STATE_MAX_SEGMENTS) {
		memmove(&h->segments[0], &h->segments[1],
			(STATE_MAX_SEGMENTS - 1) * sizeof h->segments[0]);
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
static int tally(struct state_history *h, int rc)
{
	if (rc == 2)
		h->future++;
	else if (rc == 3)
		h->disordered++;
	return rc;
}

/* "# rows WALKED UPTIME_TICKS"; false for damage. */
static bool parse_rows(struct state_history *h, char *value, time_t now)
{
	char *f[STATE_MAX_FIELDS];
	time_t t;
	bool has;
	unsigned long up;

	if (split(value, f, STATE_MAX_FIELDS) != 2 || parse_time(f[0], &t) < 0 ||
	    parse_opt_ul(f[1], &up, &has) < 0)
		return false;
	h->walked_at = t <= now ? t : 0;	/* a walk "in the future" is due now */
	h->rows_has_uptime = has;
	h->rows_uptime = has ? up : 0;
	return true;
}

/* "# row INDEX CPU_CS NAME PATH"; false for damage. */
static bool parse_row(struct state_history *h, char *value)
{
	char *f[STATE_MAX_FIELDS];
	struct state_row r;
	unsigned long long ix;

	memset(&r, 0, sizeof r);
	if (split(value, f, STATE_MAX_FIELDS) != 4 || parse_u(f[0], 2147483647ULL, &ix) < 0 ||
	    parse_opt_ul(f[1], &r.cpu_cs, &r.has_cpu) < 0 ||
	    get_row_text(r.name, sizeof r.name, f[2]) < 0 ||
	    get_row_text(r.path, sizeof r.path, f[3]) < 0)
		return false;
	r.index = (long)ix;
	if (h->nrows == STATE_MAX_ROWS ||
	    (h->nrows > 0 && r.index <= h->rows[h->nrows - 1].index))
		return false;
	h->rows[h->nrows++] = r;
	return true;
}

/* A "# ..." line after the first; returns false for damage. */
static bool parse_meta(struct state_history *h, char *line, time_t now)
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
		if (!stem_ok(value))
			return false;
		memcpy(h->key, value, strlen(value) + 1);
	} else if (strcmp(key, "written") == 0) {
		if (parse_time(value, &t) < 0)
			return false;
		h->written = t;
	} else if (strcmp(key, "baseline_kb") == 0) {
		if (parse_u(value, STATE_MEM_KB_MAX, &v) < 0)
			return false;
		h->have_baseline = true;
		h->baseline_kb = (long)v;
	} else if (strcmp(key, "baseline_learned_at") == 0) {
		if (parse_time(value, &t) < 0)
			return false;
		h->baseline_learned_at = t <= now ? t : 0;
	} else if (strcmp(key, "segment") == 0) {
		if (tally(h, parse_segment(h, value, now)) == 0)
			return false;
	} else {
		if (!kv_key_ok(key) || !kv_value_ok(value))
			return false;
		if (!state_kv_get(h, key) && h->nkv == STATE_MAX_KV)
			return false;
		state_kv_set(h, key, value, NULL, 0);
	}
	return true;
}

/*
 * A record line.  Returns 1 kept, 0 damaged, 2 newer than now, 3 out of
 * order, -1 out of memory.
 */
static int parse_record(struct state_history *h, char *line, time_t now)
{
	char *f[STATE_MAX_FIELDS];
	int nf = split(line, f, STATE_MAX_FIELDS);
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

bool state_text_is_ours(const char *text, size_t len)
{
	static const char head[] = "# check_async_leak state v";
	size_t i = 0;

	if (len == 0)
		return true;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	return len - i >= sizeof head - 1 && memcmp(text + i, head, sizeof head - 1) == 0;
}

int state_parse(const char *text, size_t len, time_t now,
		struct state_history *h, char *err, size_t errlen)
{
	char line[STATE_LINE_MAX + 1];
	char buf[160];
	size_t pos = 0, lineno = 0, first_damage = 0;

	state_history_free(h);
	if (len == 0)
		return 0;	/* emptied by hand: a fresh start, nothing to say */
	if (len > (size_t)STATE_MAX_FILE) {
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
		if (n > STATE_LINE_MAX || memchr(text + pos, '\0', n)) {
			bad = true;
		} else {
			memcpy(line, text + pos, n);
			line[n] = '\0';
			if (n > 0 && line[n - 1] == '\r')
				line[n - 1] = '\0';
		}
		pos = end + 1;

		if (lineno == 1) {
			if (bad || strcmp(trim(line), STATE_MAGIC) != 0) {
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
					state_history_free(h);
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

int state_format(const struct state_history *h, char **out, size_t *outlen,
		 char *err, size_t errlen)
{
	struct out o = { NULL, 0, 0, false };
	size_t i;

	o.size = STATE_META_MAX + h->n * STATE_RECORD_MAX + 1;
	o.buf = malloc(o.size);
	if (!o.buf)
		return errorf(err, errlen, "out of memory writing the history");

	put(&o, "%s\n", STATE_MAGIC);
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
	for (i = 0; i < h->nsegments; i++) {
		const struct state_segment *g = &h->segments[i];

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
	for (i = 0; i < h->nrows && i < STATE_MAX_ROWS; i++) {
		const struct state_row *r = &h->rows[i];
		char name[3 * STATE_ROW_NAME_MAX + 4], path[3 * STATE_ROW_PATH_MAX + 4];

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

/* ---------------------------------------------------------------- files */

/* How to give the checks a directory no other user can take. */
#define FIX_HINT "create " STATE_SYSTEM_DIR " owned by this user (mode 0700), or set " \
		 "--state-dir or MP_STATE_PATH to a directory of its own"

int state_prepare_dir(const char *path, unsigned euid, char *err, size_t errlen)
{
	return safefile_prepare_dir(path, euid, FIX_HINT, err, errlen);
}

void state_claim(struct state_history *h, const char *key, const char *legacy_key)
{
	if (h->key[0] && strcmp(h->key, key) != 0 &&
	    !(legacy_key && strcmp(h->key, legacy_key) == 0)) {
		state_history_free(h);
		h->foreign = true;
		copy_str(h->note, sizeof h->note,
			 "the state file belongs to another check (other host, port or "
			 "process); a new history starts");
	}
	copy_str(h->key, sizeof h->key, key);
}

int state_open(struct state_file *st, const char *path, const char *key,
	       time_t now, unsigned lock_wait_ms, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;

	memset(st, 0, sizeof *st);
	st->file.lock_fd = -1;
	state_history_init(&st->h);
	if (!path[0] || strlen(path) + 8 >= sizeof st->file.path)
		return errorf(err, errlen, "state file path empty or too long");
	if (key && !stem_ok(key))
		return errorf(err, errlen, "bad state key");

	if (safefile_open(&st->file, path, state_text_is_ours, lock_wait_ms, err, errlen) < 0)
		goto fail;
	st->now = time(NULL);
	if (st->now < now)
		st->now = now;
	if (safefile_read(&st->file, (size_t)STATE_MAX_FILE, &text, &len, err, errlen) < 0)
		goto fail;
	if (state_parse(text, len, st->now, &st->h, err, errlen) < 0) {
		free(text);
		goto fail;
	}
	free(text);

	if (key)
		state_claim(&st->h, key, NULL);
	return 0;

fail:
	state_close(st);
	return -1;
}

int state_save(struct state_file *st, time_t now, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	if (st->file.lock_fd < 0)
		return errorf(err, errlen, "the state file is not open");
	st->h.written = now;
	state_compact(&st->h, now);
	if (state_format(&st->h, &text, &len, err, errlen) < 0)
		return -1;
	rc = safefile_replace(&st->file, text, len, err, errlen);
	free(text);
	return rc;
}

void state_close(struct state_file *st)
{
	safefile_close(&st->file);
	state_history_free(&st->h);
}
