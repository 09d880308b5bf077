/*
 * hrsim.c - a pass_persist program for snmpd that serves a simulated
 * host's HOST-RESOURCES-MIB subtree (.1.3.6.1.2.1.25) from a table file.
 *
 *     pass_persist .1.3.6.1.2.1.25 /path/to/build/hrsim /path/to/host.tbl
 *
 * The table format is documented in mib/README.md.  The file is re-read
 * whenever its inode, size or modification time changes, so a test rewrites
 * it (temp file + rename) and the next request sees the new values.  A bad
 * table is reported on stderr (snmpd's stderr) and served as an empty
 * subtree: the simulator never crashes and never serves half a table.
 *
 * Protocol (snmpd's pass_persist): "PING" -> "PONG"; "get" OID -> OID,
 * TYPE, VALUE or "NONE"; "getnext" OID -> the first OID after it in
 * numeric lexicographic order; "set" OID VALUE -> "not-writable".
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define OID_MAX 64		/* sub-identifiers in one OID */
#define LINE_MAX_LEN 1024
#define VALUE_MAX 256		/* longer than any RFC 2790 string (128) */
#define ENTRIES_MAX 100000

static const char ROOT[] = ".1.3.6.1.2.1.25";

struct entry {
	unsigned long oid[OID_MAX];
	size_t len;
	char type[16];		/* pass_persist type word: integer, string, ... */
	char value[VALUE_MAX];
	bool ghost;		/* visible to getnext, absent for get */
};

struct table {
	struct entry *e;
	size_t n, cap;
};

struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool valid;
	bool warned;		/* the file's absence was reported */
};

static int oid_parse(const char *s, unsigned long *oid, size_t *len)
{
	size_t n = 0;

	if (*s == '.')
		s++;
	while (*s) {
		char *end;
		unsigned long v;

		if (!isdigit((unsigned char)*s) || n == OID_MAX)
			return -1;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || v > 4294967295UL)
			return -1;
		oid[n++] = v;
		s = end;
		if (*s == '.')
			s++;
		else if (*s)
			return -1;
	}
	*len = n;
	return n ? 0 : -1;
}

static int oid_cmp(const unsigned long *a, size_t alen,
		   const unsigned long *b, size_t blen)
{
	size_t i;

	for (i = 0; i < alen && i < blen; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return alen < blen ? -1 : alen > blen;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	return oid_cmp(a->oid, a->len, b->oid, b->len);
}

static void table_clear(struct table *t)
{
	free(t->e);
	t->e = NULL;
	t->n = t->cap = 0;
}

static struct entry *table_find(struct table *t, const unsigned long *oid, size_t len)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (oid_cmp(t->e[i].oid, t->e[i].len, oid, len) == 0)
			return &t->e[i];
	return NULL;
}

/* Adds or replaces the value at oid (a later line wins). */
static int table_put(struct table *t, const unsigned long *oid, size_t len,
		     const char *type, const char *value)
{
	struct entry *e = table_find(t, oid, len);

	if (strlen(type) >= sizeof e->type || strlen(value) >= sizeof e->value)
		return -1;
	if (!e) {
		if (t->n == ENTRIES_MAX)
			return -1;
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 256;
			struct entry *ne = realloc(t->e, cap * sizeof *ne);

			if (!ne)
				return -1;
			t->e = ne;
			t->cap = cap;
		}
		e = &t->e[t->n++];
		memset(e, 0, sizeof *e);
		memcpy(e->oid, oid, len * sizeof *oid);
		e->len = len;
	}
	strcpy(e->type, type);
	strcpy(e->value, value);
	return 0;
}

static void table_remove(struct table *t, const unsigned long *oid, size_t len)
{
	struct entry *e = table_find(t, oid, len);

	if (e)
		*e = t->e[--t->n];
}

/* Puts column col of table prefix (e.g. 25.4.2.1) at row index. */
static int put_col(struct table *t, const char *prefix, unsigned col,
		   unsigned long index, const char *type, const char *value)
{
	char buf[128];
	unsigned long oid[OID_MAX];
	size_t len;

	snprintf(buf, sizeof buf, "%s.%s.%u.%lu", ROOT, prefix, col, index);
	if (oid_parse(buf, oid, &len) < 0)
		return -1;
	return table_put(t, oid, len, type, value);
}

/*
 * Splits a line into words; a word in double quotes may hold spaces and
 * backslashes (Windows paths), but no double quote.  Returns the count,
 * or -1 on an unterminated quote or too many words.
 */
static int split_words(char *s, char **w, int max)
{
	int n = 0;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == max)
			return -1;
		if (*s == '"') {
			w[n++] = ++s;
			s = strchr(s, '"');
			if (!s)
				return -1;
			*s++ = '\0';
			if (*s && !isspace((unsigned char)*s))
				return -1;
		} else {
			w[n++] = s;
			while (*s && !isspace((unsigned char)*s))
				s++;
			if (*s)
				*s++ = '\0';
		}
	}
}

static bool is_number(const char *s, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !*end && !errno && *v <= 4294967295UL;
}

static bool is_pass_type(const char *s)
{
	static const char *const types[] = {
		"integer", "string", "octet", "timeticks", "gauge", "counter",
		"counter64", "objectid", "ipaddress", NULL
	};
	int i;

	for (i = 0; types[i]; i++)
		if (strcmp(s, types[i]) == 0)
			return true;
	return false;
}

struct pending {		/* directives applied after every row is in */
	unsigned long ghosts[1024];
	size_t nghosts;
};

static int parse_line(struct table *t, struct pending *p, char *line,
		      bool *noperf, char *why, size_t whylen)
{
	char *w[10];
	int n = split_words(line, w, 10);
	unsigned long v, v2;
	char num[32];

	if (n < 0)
		return snprintf(why, whylen, "unbalanced quotes or too many words"), -1;
	if (n == 0)
		return 0;

	if (strcmp(w[0], "uptime") == 0 || strcmp(w[0], "memsize") == 0) {
		bool up = w[0][0] == 'u';

		if (n != 2)
			return snprintf(why, whylen, "%s takes one value", w[0]), -1;
		if (strcmp(w[1], "-") == 0)
			return 0;
		if (!is_number(w[1], &v))
			return snprintf(why, whylen, "bad number '%s'", w[1]), -1;
		snprintf(num, sizeof num, "%lu", v);
		if (up)
			return put_col(t, "1", 1, 0, "timeticks", num);
		return put_col(t, "2", 2, 0, "integer", num);
	}
	if (strcmp(w[0], "noperf") == 0) {
		*noperf = true;
		return 0;
	}
	if (strcmp(w[0], "ghost") == 0) {
		if (n != 2 || !is_number(w[1], &v))
			return snprintf(why, whylen, "ghost takes one index"), -1;
		if (p->nghosts == sizeof p->ghosts / sizeof p->ghosts[0])
			return snprintf(why, whylen, "too many ghosts"), -1;
		p->ghosts[p->nghosts++] = v;
		return 0;
	}
	if (strcmp(w[0], "proc") == 0) {
		/* proc INDEX STATUS CPU_CS MEM_KB "NAME" "PATH" ["PARAMS"] */
		const char *params = n == 8 ? w[7] : "";
		int rc = 0;

		if (n != 7 && n != 8)
			return snprintf(why, whylen, "proc takes 6 or 7 fields"), -1;
		if (!is_number(w[1], &v) || v == 0 || v > 2147483647UL)
			return snprintf(why, whylen, "bad index '%s'", w[1]), -1;
		if (!is_number(w[2], &v2) || v2 < 1 || v2 > 4)
			return snprintf(why, whylen, "bad status '%s'", w[2]), -1;
		snprintf(num, sizeof num, "%lu", v);
		rc |= put_col(t, "4.2.1", 1, v, "integer", num);
		rc |= put_col(t, "4.2.1", 2, v, "string", w[5]);
		rc |= put_col(t, "4.2.1", 4, v, "string", w[6]);
		rc |= put_col(t, "4.2.1", 5, v, "string", params);
		snprintf(num, sizeof num, "%lu", v2);
		rc |= put_col(t, "4.2.1", 7, v, "integer", num);
		if (strcmp(w[3], "-") != 0) {
			if (!is_number(w[3], &v2))
				return snprintf(why, whylen, "bad cpu '%s'", w[3]), -1;
			snprintf(num, sizeof num, "%lu", v2);
			rc |= put_col(t, "5.1.1", 1, v, "integer", num);
		}
		if (strcmp(w[4], "-") != 0) {
			if (!is_number(w[4], &v2) || v2 > 2147483647UL)
				return snprintf(why, whylen, "bad mem '%s'", w[4]), -1;
			snprintf(num, sizeof num, "%lu", v2);
			rc |= put_col(t, "5.1.1", 2, v, "integer", num);
		}
		if (rc)
			return snprintf(why, whylen, "value too long or table full"), -1;
		return 0;
	}
	if (strcmp(w[0], "oid") == 0) {
		/* oid OID TYPE VALUE, or oid OID none */
		unsigned long oid[OID_MAX], root[OID_MAX];
		size_t len, rlen;

		if (n < 3 || oid_parse(w[1], oid, &len) < 0)
			return snprintf(why, whylen, "oid needs a numeric OID"), -1;
		oid_parse(ROOT, root, &rlen);
		if (len <= rlen || oid_cmp(oid, rlen, root, rlen) != 0)
			return snprintf(why, whylen, "OID outside %s", ROOT), -1;
		if (strcmp(w[2], "none") == 0 && n == 3) {
			table_remove(t, oid, len);
			return 0;
		}
		if (n != 4 || !is_pass_type(w[2]))
			return snprintf(why, whylen, "oid OID TYPE VALUE, or oid OID none"), -1;
		if (table_put(t, oid, len, w[2], w[3]) < 0)
			return snprintf(why, whylen, "value too long or table full"), -1;
		return 0;
	}
	return snprintf(why, whylen, "unknown directive '%s'", w[0]), -1;
}

/* Loads path into t; on any error t is left empty and -1 returned. */
static int table_load(struct table *t, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[LINE_MAX_LEN + 2], why[128];
	struct pending p = { .nghosts = 0 };
	bool noperf = false;
	unsigned lineno = 0;
	size_t i, j;

	table_clear(t);
	if (!f) {
		fprintf(stderr, "hrsim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(why, sizeof why, "line too long");
			goto bad;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (parse_line(t, &p, line, &noperf, why, sizeof why) < 0)
			goto bad;
	}
	fclose(f);

	if (noperf) {	/* drop the whole hrSWRunPerfTable (.25.5) */
		for (i = j = 0; i < t->n; i++)
			if (!(t->e[i].len > 8 && t->e[i].oid[7] == 5))
				t->e[j++] = t->e[i];
		t->n = j;
	}
	for (i = 0; i < t->n; i++)
		for (j = 0; j < p.nghosts; j++)
			if (t->e[i].len == 12 && t->e[i].oid[11] == p.ghosts[j] &&
			    (t->e[i].oid[7] == 4 || t->e[i].oid[7] == 5))
				t->e[i].ghost = true;
	qsort(t->e, t->n, sizeof *t->e, entry_cmp);
	return 0;
bad:
	fprintf(stderr, "hrsim: %s:%u: %s; serving nothing\n", path, lineno, why);
	fclose(f);
	table_clear(t);
	return -1;
}

/* Reloads the table when the file changed since the last look. */
static void table_refresh(struct table *t, const char *path, struct file_id *id)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (id->valid || !id->warned)
			fprintf(stderr, "hrsim: %s: %s; serving nothing\n", path,
				strerror(errno));
		id->warned = true;
		table_clear(t);
		id->valid = false;
		return;
	}
	if (id->valid && st.st_dev == id->dev && st.st_ino == id->ino &&
	    st.st_size == id->size && st.st_mtim.tv_sec == id->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == id->mtime.tv_nsec)
		return;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	id->valid = true;
	id->warned = false;
	table_load(t, path);
}

static void print_entry(const struct entry *e)
{
	size_t i;

	for (i = 0; i < e->len; i++)
		printf(".%lu", e->oid[i]);
	printf("\n%s\n%s\n", e->type, e->value);
}

static bool read_line(char *buf, size_t size)
{
	if (!fgets(buf, (int)size, stdin))
		return false;
	buf[strcspn(buf, "\r\n")] = '\0';
	return true;
}

int main(int argc, char **argv)
{
	struct table t = { NULL, 0, 0 };
	struct file_id id = { .valid = false };
	char cmd[LINE_MAX_LEN], arg[LINE_MAX_LEN];

	if (argc != 2) {
		fprintf(stderr, "usage: hrsim TABLEFILE (run by snmpd's pass_persist)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOFBF, 0);

	while (read_line(cmd, sizeof cmd)) {
		unsigned long oid[OID_MAX];
		size_t len, i;
		const struct entry *hit = NULL;
		bool next;

		if (strcmp(cmd, "PING") == 0) {
			printf("PONG\n");
			fflush(stdout);
			continue;
		}
		if (strcmp(cmd, "set") == 0) {
			if (!read_line(arg, sizeof arg) || !read_line(arg, sizeof arg))
				break;
			printf("not-writable\n");
			fflush(stdout);
			continue;
		}
		if (strcmp(cmd, "get") != 0 && strcmp(cmd, "getnext") != 0) {
			if (cmd[0])
				fprintf(stderr, "hrsim: unknown command '%s'\n", cmd);
			continue;
		}
		next = cmd[3] == 'n';
		if (!read_line(arg, sizeof arg))
			break;
		table_refresh(&t, argv[1], &id);
		if (oid_parse(arg, oid, &len) == 0) {
			for (i = 0; i < t.n && !hit; i++) {
				int c = oid_cmp(t.e[i].oid, t.e[i].len, oid, len);

				if (next ? c > 0 : (c == 0 && !t.e[i].ghost))
					hit = &t.e[i];
			}
		}
		if (hit)
			print_entry(hit);
		else
			printf("NONE\n");
		fflush(stdout);
	}
	table_clear(&t);
	return 0;
}
