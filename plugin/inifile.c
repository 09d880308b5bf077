/*
 * inifile.c - the INI file through inih, checked whole, applied in order
 * (see inifile.h).
 *
 * The file is read into memory and handed to ini_parse_stream() one line
 * at a time by our own reader, because Debian's inih (r55) gives the
 * handler no line number (INI_HANDLER_LINENO is 0), calls no handler for a
 * section header or an empty section, splits a line over 199 bytes into
 * two lines (the tail is parsed on its own: a syntax error one line too
 * far, or silently nothing when it is white space or a comment), and
 * treats an indented line as the continuation of the previous value.  The
 * reader counts lines, rejects long lines before inih sees them, strips
 * indentation (so inih never sees a continuation) and reads section
 * headers itself; inih still parses every line.
 *
 * The first error in file order wins, whoever found it: the reader, our
 * handler (which returns 0 so that inih records the line), or inih itself
 * (a syntax error: its return value).  After our first error the reader
 * returns NULL, which ends inih's loop.
 */
#include "inifile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "util.h"

enum role { ROLE_NONE, ROLE_OTHER, ROLE_DEFAULTS, ROLE_HOST };

struct section {
	size_t off, len;	/* the name, inside the file's buffer */
	int line;
};

/* A key of [defaults] or of the host section, kept until the file is checked. */
struct entry {
	int line;
	enum role role;
	enum option_id id;
	char value[INIFILE_LINE_MAX + 1];
};

struct loader {
	const char *path;
	const char *want;		/* host section, "" for none */
	bool only;			/* --extra-opts: want alone, the rest unread */

	const char *buf;		/* the whole file */
	size_t len, pos;
	size_t line_off;		/* where the current line's text starts in buf */
	int lineno;			/* last line handed to inih */
	bool stop;

	struct section *sections;
	size_t nsections, cap;
	size_t *index;			/* hash of the names (any case): slot -> 1 + i */
	size_t index_cap;		/* a power of two, > 2 * nsections */
	enum role role;			/* of the section being read */
	bool seen[OPT_COUNT];		/* option ids met in it */
	int seen_line[OPT_COUNT];
	int host_section;		/* index in sections, -1 until found */

	struct entry entries[2 * OPT_COUNT];	/* duplicates are errors: enough */
	size_t nentries;
	struct config scratch;		/* every value is checked here */
	bool secret_seen;

	int err_line;			/* first error of ours, 0 = none */
	char err[ERRBUF_SIZE];
};

/* Records our first error, at the current line, and stops the reader. */
static void fail(struct loader *L, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct loader *L, const char *fmt, ...)
{
	char what[ERRBUF_SIZE];
	va_list ap;

	if (L->err_line)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	errorf(L->err, sizeof L->err, "%s:%d: %s", L->path, L->lineno, what);
	L->err_line = L->lineno;
	L->stop = true;
}

static bool same_name(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

/* FNV-1a over the name in lower case. */
static size_t name_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)tolower((unsigned char)s[i]);
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* Doubles the hash of section names (rehashing what is there). */
static int grow_index(struct loader *L)
{
	size_t cap = L->index_cap ? 2 * L->index_cap : 64, i, k;
	size_t *index = calloc(cap, sizeof *index);

	if (!index)
		return -1;
	for (i = 0; i < L->nsections; i++) {
		const struct section *s = &L->sections[i];

		for (k = name_hash(L->buf + s->off, s->len) & (cap - 1); index[k];
		     k = (k + 1) & (cap - 1))
			;
		index[k] = i + 1;
	}
	free(L->index);
	L->index = index;
	L->index_cap = cap;
	return 0;
}

/*
 * A "[name]" line, scanned the way inih does (the name ends at ']' or at a
 * ';' after white space); what inih calls a syntax error is left to inih.
 * Ours on top: the name trimmed and not empty, each section once (any
 * case), nothing after ']' but a comment - inih ignores the rest of the
 * line, which would hide "[exch01] timeout = 5".
 */
static void read_header(struct loader *L, const char *line)
{
	const char *p = line + 1, *name, *end, *rest;
	bool was_space = false;
	struct section *s;
	size_t len, i;
	char shown[44];

	while (*p && *p != ']' && !(was_space && *p == ';')) {
		was_space = isspace((unsigned char)*p);
		p++;
	}
	if (*p != ']')
		return;
	for (rest = p + 1; isspace((unsigned char)*rest); rest++)
		;
	if (*rest && *rest != ';') {
		fail(L, "text after the section name (comments start with ';')");
		return;
	}
	for (name = line + 1; name < p && isspace((unsigned char)*name); name++)
		;
	for (end = p; end > name && isspace((unsigned char)end[-1]); end--)
		;
	len = (size_t)(end - name);
	if (len == 0) {
		fail(L, "empty section name");
		return;
	}
	/* A hash of the names, not a scan: 100 000 sections would take
	 * seconds of comparisons otherwise. */
	if (2 * (L->nsections + 1) >= L->index_cap && grow_index(L) < 0) {
		fail(L, "out of memory");
		return;
	}
	for (i = name_hash(name, len) & (L->index_cap - 1); L->index[i];
	     i = (i + 1) & (L->index_cap - 1)) {
		s = &L->sections[L->index[i] - 1];
		if (s->len == len && strncasecmp(L->buf + s->off, name, len) == 0) {
			fail(L, "section [%s] given twice (first at line %d)",
			     quote_text(shown, sizeof shown, name, len), s->line);
			return;
		}
	}
	if (L->nsections == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 16;
		struct section *grown = realloc(L->sections, cap * sizeof *grown);

		if (!grown) {
			fail(L, "out of memory");
			return;
		}
		L->sections = grown;
		L->cap = cap;
	}
	s = &L->sections[L->nsections];
	s->off = L->line_off + (size_t)(name - line);
	s->len = len;
	s->line = L->lineno;
	L->index[i] = L->nsections + 1;

	if (L->only)
		L->role = same_name(name, len, L->want) ? ROLE_HOST : ROLE_OTHER;
	else if (same_name(name, len, "defaults"))
		L->role = ROLE_DEFAULTS;
	else if (L->want[0] && same_name(name, len, L->want))
		L->role = ROLE_HOST;
	else
		L->role = ROLE_OTHER;
	if (L->want[0] && same_name(name, len, L->want))
		L->host_section = (int)L->nsections;
	L->nsections++;
	memset(L->seen, 0, sizeof L->seen);
}

/*
 * inih's fgets: hands over the next line of the buffer without its
 * indentation and line ending, or NULL at the end or after an error.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct loader *L = stream;
	const char *start, *nl, *text;
	size_t n, skip;

	if (L->stop || L->pos >= L->len)
		return NULL;
	start = L->buf + L->pos;
	nl = memchr(start, '\n', L->len - L->pos);
	n = nl ? (size_t)(nl - start) : L->len - L->pos;
	L->pos += nl ? n + 1 : n;
	L->lineno++;
	if (n > 0 && start[n - 1] == '\r')
		n--;

	if (memchr(start, '\0', n)) {
		fail(L, "NUL byte in the line (not a text file?)");
		return NULL;
	}
	if (n > INIFILE_LINE_MAX) {
		fail(L, "line longer than %d bytes", INIFILE_LINE_MAX);
		return NULL;
	}
	text = start;
	if (L->lineno == 1 && n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		text += 3;	/* a UTF-8 byte order mark, as Notepad writes */
	while (text < start + n && isspace((unsigned char)*text))
		text++;
	skip = (size_t)(text - start);
	n -= skip;
	/* inih's buffer is 200 bytes; this only trips if a build shrinks it. */
	if (num < 3 || n > (size_t)num - 2) {
		fail(L, "line longer than %d bytes", num - 2);
		return NULL;
	}
	memcpy(str, text, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	L->line_off = (size_t)(text - L->buf);
	if (str[0] == '[')
		read_header(L, str);
	return L->stop ? NULL : str;
}

/* A key as typed, safe to quote in a message: printable, at most 40 bytes. */
static void quote_key(char *dst, size_t size, const char *key)
{
	if (copy_counted(dst, size, (const unsigned char *)key, strlen(key)) != 0 && size > 4)
		memcpy(dst + size - 4, "...", 4);
}

/* Looks a key up (any case); reports unknown and command-line-only keys. */
static const struct option_def *find_key(struct loader *L, const char *name)
{
	char lower[64], shown[44];
	const struct option_def *o;
	const char *hint;
	size_t i, n = strlen(name);

	quote_key(shown, sizeof shown, name);
	if (n >= sizeof lower) {
		fail(L, "unknown key '%s'", shown);
		return NULL;
	}
	for (i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	o = config_option_by_key(lower);
	if (o)
		return o;
	for (i = 0; i < OPT_COUNT; i++) {
		const struct option_def *c = &config_options[i];

		if ((c->flags & OPTF_CLI_ONLY) && strcmp(c->name, lower) == 0) {
			fail(L, "'%s' is not allowed in the file (command line only)", shown);
			return NULL;
		}
	}
	hint = config_suggest_key(lower);
	if (hint)
		fail(L, "unknown key '%s' (did you mean '%s'?)", shown, hint);
	else
		fail(L, "unknown key '%s'", shown);
	return NULL;
}

/*
 * config_set() says "--warning: ..."; in the file the admin wrote
 * "warning", so name the key instead.
 */
static void fail_value(struct loader *L, const struct option_def *o, const char *msg)
{
	size_t n = strlen(o->name);

	if (strncmp(msg, "--", 2) == 0 && strncmp(msg + 2, o->name, n) == 0)
		fail(L, "%s%s", o->ini_key, msg + 2 + n);
	else
		fail(L, "%s: %s", o->ini_key, msg);
}

static int handle(void *user, const char *section, const char *name, const char *value)
{
	struct loader *L = user;
	const struct option_def *o;
	char msg[ERRBUF_SIZE], shown[44];
	struct entry *e;
	size_t n;

	(void)section;	/* ours is in L->role: inih's is cut at 49 bytes */
	if (L->only && L->role == ROLE_OTHER)
		return 1;	/* another plugin's section, its keys its own */
	if (L->role == ROLE_NONE) {
		fail(L, "key before the first section (put it under [defaults]"
		     " or a host section)");
		return 0;
	}
	o = find_key(L, name);
	if (!o)
		return 0;
	if (L->seen[o->id]) {
		fail(L, "key '%s' given twice in [%s] (first at line %d)", o->ini_key,
		     quote_text(shown, sizeof shown, L->buf + L->sections[L->nsections - 1].off,
				L->sections[L->nsections - 1].len), L->seen_line[o->id]);
		return 0;
	}
	L->seen[o->id] = true;
	L->seen_line[o->id] = L->lineno;
	if (o->flags & OPTF_SECRET)
		L->secret_seen = true;

	n = strlen(value);
	if (n == 0) {
		fail(L, "no value for '%s' (write %s = \"\" for an empty one)",
		     o->ini_key, o->ini_key);
		return 0;
	}
	if (value[0] == '"') {
		if (n < 2 || value[n - 1] != '"') {
			fail(L, "unterminated quote in the value of '%s' (a ';' after"
			     " white space starts a comment, even inside quotes)", o->ini_key);
			return 0;
		}
		value++;
		n -= 2;
	}
	if ((L->role == ROLE_DEFAULTS || L->role == ROLE_HOST) &&
	    L->nentries < sizeof L->entries / sizeof L->entries[0]) {
		e = &L->entries[L->nentries++];
		e->line = L->lineno;
		e->role = L->role;
		e->id = o->id;
		memcpy(e->value, value, n);
		e->value[n] = '\0';
		value = e->value;
	} else {
		memcpy(msg, value, n);	/* n <= INIFILE_LINE_MAX < sizeof msg */
		msg[n] = '\0';
		value = msg;
	}
	if (config_set(&L->scratch, o->id, value,
		       L->role == ROLE_HOST ? ORIGIN_INI_SECTION : ORIGIN_INI_DEFAULTS,
		       msg, sizeof msg) != 0) {
		fail_value(L, o, msg);
		return 0;
	}
	return 1;
}

/* The words for inih's syntax error at line lineno. */
static void syntax_error(const struct loader *L, int lineno, char *err, size_t errlen)
{
	const char *p = L->buf, *end = L->buf + L->len;
	int i;

	for (i = 1; i < lineno && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		p = nl ? nl + 1 : end;
	}
	if (p < end && isspace((unsigned char)*p) && *p != '\n' && *p != '\r') {
		errorf(err, errlen, "%s:%d: syntax error: expected 'key = value' (continuation"
		       " lines are not supported: write the value on one line)", L->path, lineno);
		return;
	}
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p < end && *p == '[')
		errorf(err, errlen, "%s:%d: syntax error: no ']' after the section name",
		       L->path, lineno);
	else
		errorf(err, errlen, "%s:%d: syntax error: expected 'key = value'",
		       L->path, lineno);
}

/* Reads a regular file of at most INIFILE_SIZE_MAX bytes into *buf. */
static int read_file(const char *path, char **buf, size_t *len, struct stat *st,
		     char *err, size_t errlen)
{
	size_t have = 0;
	ssize_t got;
	char *b;
	int fd;

	/* O_NONBLOCK: a FIFO must not hang the check. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return errorf(err, errlen, "cannot read %s: %s (a commented sample is"
			      " conf/check_async_leak.ini of the source; make install puts it"
			      " at " CONFIG_DEFAULT_FILE ")", path, strerror(ENOENT));
	if (fd < 0)
		return errorf(err, errlen, "cannot read %s: %s", path, strerror(errno));
	if (fstat(fd, st) != 0) {
		errorf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		errorf(err, errlen, "cannot read %s: %s", path,
		       S_ISDIR(st->st_mode) ? strerror(EISDIR) : "not a regular file");
		close(fd);
		return -1;
	}
	if (st->st_size > INIFILE_SIZE_MAX) {
		errorf(err, errlen, "%s: larger than %d KiB", path, INIFILE_SIZE_MAX / 1024);
		close(fd);
		return -1;
	}
	if (inifile_trust(st, geteuid(), err, errlen) != 0) {
		char why[ERRBUF_SIZE];

		copy_str(why, sizeof why, err);
		errorf(err, errlen, "%s: %s", path, why);
		close(fd);
		return -1;
	}
	b = malloc(INIFILE_SIZE_MAX + 1);
	if (!b) {
		close(fd);
		return errorf(err, errlen, "cannot read %s: out of memory", path);
	}
	/* Read one byte more than allowed to see a file that grew since fstat. */
	while (have <= INIFILE_SIZE_MAX) {
		got = read(fd, b + have, INIFILE_SIZE_MAX + 1 - have);
		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			errorf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			close(fd);
			free(b);
			return -1;
		}
		have += (size_t)got;
	}
	close(fd);
	if (have > INIFILE_SIZE_MAX) {
		explicit_bzero(b, have);
		free(b);
		return errorf(err, errlen, "%s: larger than %d KiB", path, INIFILE_SIZE_MAX / 1024);
	}
	*buf = b;
	*len = have;
	return 0;
}

int inifile_trust(const struct stat *st, unsigned euid, char *err, size_t errlen)
{
	if (euid != 0)
		return 0;
	if (st->st_uid != 0)
		return errorf(err, errlen, "refusing an INI file owned by uid %u while "
			      "running as root (its paths and secrets would be that user's to "
			      "choose): chown root it", (unsigned)st->st_uid);
	if (st->st_mode & S_IWOTH)
		return errorf(err, errlen, "refusing an INI file writable by every user "
			      "while running as root: chmod o-w it");
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0)
		return errorf(err, errlen, "refusing an INI file writable by group %u while "
			      "running as root: chmod g-w it", (unsigned)st->st_gid);
	return 0;
}

/* Others can read it, or a group that is not ours (0640 root:nagios is fine). */
static bool readable_by_others(const struct stat *st)
{
	return (st->st_mode & S_IROTH) || ((st->st_mode & S_IRGRP) && st->st_gid != getegid());
}

static int apply(struct config *cfg, struct loader *L, enum role role, char *err, size_t errlen)
{
	char msg[ERRBUF_SIZE];
	size_t i;

	for (i = 0; i < L->nentries; i++) {
		const struct entry *e = &L->entries[i];

		if (e->role != role)
			continue;
		if (config_set(cfg, e->id, e->value,
			       role == ROLE_HOST ? ORIGIN_INI_SECTION : ORIGIN_INI_DEFAULTS,
			       msg, sizeof msg) != 0)
			return errorf(err, errlen, "%s:%d: %s", L->path, e->line, msg);
	}
	return 0;
}

static int load(struct config *cfg, const char *path, const char *section, bool only,
		bool section_required, struct inifile_notes *notes, char *err, size_t errlen)
{
	struct loader *L;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int rc, ret = -1;

	if (notes)
		memset(notes, 0, sizeof *notes);
	if (read_file(path, &buf, &len, &st, err, errlen) != 0)
		return -1;
	/* On the heap: the entries and the scratch config are some 20 KiB. */
	L = calloc(1, sizeof *L);
	if (!L) {
		explicit_bzero(buf, len);
		free(buf);
		return errorf(err, errlen, "cannot read %s: out of memory", path);
	}
	L->path = path;
	L->want = section ? section : "";
	L->only = only;
	L->buf = buf;
	L->len = len;
	L->host_section = -1;
	config_init(&L->scratch);

	rc = ini_parse_stream(read_line, L, handle, L);
	if (rc > 0 && (L->err_line == 0 || rc < L->err_line))
		syntax_error(L, rc, err, errlen);
	else if (L->err_line)
		copy_str(err, errlen, L->err);
	else if (rc < 0)
		errorf(err, errlen, "cannot read %s: out of memory", path);
	else if (L->want[0] && L->host_section < 0 && section_required)
		errorf(err, errlen, "%s: no section [%s]", path, L->want);
	else if (apply(cfg, L, ROLE_DEFAULTS, err, errlen) == 0 &&
		 apply(cfg, L, ROLE_HOST, err, errlen) == 0)
		ret = 0;

	if (ret == 0 && notes) {
		notes->secret_exposed = L->secret_seen && readable_by_others(&st);
		if (L->host_section >= 0) {
			const struct section *s = &L->sections[L->host_section];
			size_t n = s->len < sizeof notes->section_used ?
				   s->len : sizeof notes->section_used - 1;

			memcpy(notes->section_used, L->buf + s->off, n);
			notes->section_used[n] = '\0';
		}
	}
	/* The buffer, the entries and the scratch config hold secrets. */
	explicit_bzero(buf, len);
	free(buf);
	free(L->sections);
	free(L->index);
	explicit_bzero(L, sizeof *L);
	free(L);
	return ret;
}

int inifile_load(struct config *cfg, const char *path, const char *section,
		 bool section_required, struct inifile_notes *notes,
		 char *err, size_t errlen)
{
	return load(cfg, path, section, false, section_required, notes, err, errlen);
}

/* The monitoring-plugins' INI file names and places, in their order. */
static const char *const mp_names[] = {
	"monitoring-plugins.ini", "plugins.ini", "nagios-plugins.ini",
};
static const char *const mp_paths[] = {
	"/usr/local/etc/monitoring-plugins/monitoring-plugins.ini",
	"/usr/local/etc/monitoring-plugins.ini",
	"/etc/monitoring-plugins/monitoring-plugins.ini",
	"/etc/monitoring-plugins.ini",
	/* their older names, still searched by them */
	"/etc/nagios/plugins.ini", "/usr/local/nagios/etc/plugins.ini",
	"/usr/local/etc/nagios/plugins.ini", "/etc/opt/nagios/plugins.ini",
	"/etc/nagios-plugins.ini", "/usr/local/etc/nagios-plugins.ini",
	"/etc/opt/nagios-plugins.ini",
};

int inifile_mp_default(char *path, size_t len)
{
	const char *env = getenv("MP_CONFIG_FILE"), *dirs = getenv("NAGIOS_CONFIG_PATH");
	size_t i;

	if (env)
		return copy_str(path, len, env) == 0 && env[0] ? 0 : -1;
	while (dirs && *dirs) {
		size_t n = strcspn(dirs, ":");

		for (i = 0; n > 0 && i < sizeof mp_names / sizeof *mp_names; i++) {
			int w = snprintf(path, len, "%.*s/%s", (int)n, dirs, mp_names[i]);

			if (w > 0 && (size_t)w < len && access(path, F_OK) == 0)
				return 0;
		}
		dirs += n + (dirs[n] == ':');
	}
	for (i = 0; i < sizeof mp_paths / sizeof *mp_paths; i++)
		if (access(mp_paths[i], F_OK) == 0)
			return copy_str(path, len, mp_paths[i]);
	return -1;
}

int inifile_extra_opts(struct config *cfg, const char *locator, struct inifile_notes *notes,
		       char *err, size_t errlen)
{
	char section[128], path[CONFIG_PATH_MAX], shown[64];
	const char *at;
	size_t n;

	if (!locator)
		locator = "";
	at = strchr(locator, '@');
	n = at ? (size_t)(at - locator) : strlen(locator);
	if (n >= sizeof section)
		return errorf(err, errlen, "--extra-opts: section name '%s' too long",
			      quote_text(shown, sizeof shown, locator, n));
	memcpy(section, locator, n);
	section[n] = '\0';
	if (!section[0])
		copy_str(section, sizeof section, INIFILE_MP_SECTION);
	if (at && at[1]) {
		if (copy_str(path, sizeof path, at + 1) != 0)
			return errorf(err, errlen, "--extra-opts: file name too long");
	} else if (inifile_mp_default(path, sizeof path) != 0) {
		return errorf(err, errlen, "--extra-opts: no config file in any standard location"
			      " ($MP_CONFIG_FILE, $NAGIOS_CONFIG_PATH, %s, ...); name one:"
			      " --extra-opts=%s@FILE", mp_paths[2],
			      quote_text(shown, sizeof shown, section, strlen(section)));
	}
	return load(cfg, path, section, true, true, notes, err, errlen);
}

bool inifile_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
}
