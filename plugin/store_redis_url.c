/*
 * store_redis_url.c - the history URL of store_redis.h: parsing, the
 * password redacted, where it points.  Pure (no hiredis, no I/O), so that
 * config.c and the unit tests can use it without linking a Redis client.
 */
#include <stdio.h>
#include <string.h>

#include "store_redis.h"
#include "util.h"

#define REDIS_PREFIX "redis://"
#define UNIX_PREFIX "unix:"
#define UNIX_PATH_MAX 108		/* sizeof sockaddr_un.sun_path */

bool redis_url_is(const char *text)
{
	return strncmp(text, REDIS_PREFIX, strlen(REDIS_PREFIX)) == 0 ||
	       strncmp(text, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0;
}

/* The authority of a redis:// URL: [start, end) after the prefix, up to the first '/'. */
static void authority(const char *text, const char **start, const char **end)
{
	const char *slash;

	*start = text + strlen(REDIS_PREFIX);
	slash = strchr(*start, '/');
	*end = slash ? slash : *start + strlen(*start);
}

/* The last '@' in [start, end), or NULL. */
static const char *last_at(const char *start, const char *end)
{
	const char *at = NULL;

	for (const char *p = start; p < end; p++)
		if (*p == '@')
			at = p;
	return at;
}

bool redis_url_has_password(const char *text)
{
	const char *start, *end, *at, *colon;

	if (strncmp(text, REDIS_PREFIX, strlen(REDIS_PREFIX)) != 0)
		return false;
	authority(text, &start, &end);
	at = last_at(start, end);
	if (!at)
		return false;
	colon = memchr(start, ':', (size_t)(at - start));
	return colon && colon + 1 < at;
}

void redis_url_redact(const char *text, char *out, size_t outlen)
{
	const char *start, *end, *at, *colon;

	if (outlen == 0)
		return;
	if (!redis_url_has_password(text)) {
		snprintf(out, outlen, "%s", text);
		return;
	}
	authority(text, &start, &end);
	at = last_at(start, end);
	colon = memchr(start, ':', (size_t)(at - start));
	snprintf(out, outlen, "%.*s:(secret)%s", (int)(colon - text), text, at);
}

/* Decodes [s, s + n) with %XX escapes into dst[size].  Returns 0 or -1. */
static int decode(char *dst, size_t size, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n || hex_digit(s[i + 1]) < 0 || hex_digit(s[i + 2]) < 0)
				return -1;
			c = hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]);
			i += 2;
			if (c == 0)
				return -1;
		}
		if (o + 1 >= size)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return 0;
}

/* A decimal number in [s, s + n), 0..max, no sign, no blanks.  Returns 0 or -1. */
static int number(const char *s, size_t n, unsigned long max, unsigned *out)
{
	unsigned long v = 0;

	if (n == 0 || n > 6)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int bad(const char *text, const char *why, char *err, size_t errlen)
{
	char shown[REDIS_WHERE_MAX];

	redis_url_redact(text, shown, sizeof shown);
	return errorf(err, errlen, "history URL '%s': %s (redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]"
		      " or unix:/PATH[?db=N])", shown, why);
}

static int parse_unix(const char *text, struct redis_url *u, char *err, size_t errlen)
{
	const char *path = text + strlen(UNIX_PREFIX);
	const char *q = strchr(path, '?');
	size_t n = q ? (size_t)(q - path) : strlen(path);

	u->is_unix = true;
	if (n == 0 || path[0] != '/')
		return bad(text, "the socket path must be absolute", err, errlen);
	if (n >= UNIX_PATH_MAX || n >= sizeof u->host)
		return bad(text, "the socket path is too long", err, errlen);
	memcpy(u->host, path, n);
	u->host[n] = '\0';
	if (q && (strncmp(q, "?db=", 4) != 0 ||
		  number(q + 4, strlen(q + 4), 65535, &u->db) != 0))
		return bad(text, "after the path only ?db=N (0..65535)", err, errlen);
	return 0;
}

int redis_url_parse(const char *text, struct redis_url *u, char *err, size_t errlen)
{
	const char *start, *end, *at, *host, *colon = NULL, *p;
	size_t hn;

	memset(u, 0, sizeof *u);
	u->port = REDIS_DEFAULT_PORT;
	if (strncmp(text, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0)
		return parse_unix(text, u, err, errlen);
	if (strncmp(text, REDIS_PREFIX, strlen(REDIS_PREFIX)) != 0)
		return bad(text, "not a redis:// or unix: URL", err, errlen);

	authority(text, &start, &end);
	at = last_at(start, end);
	host = start;
	if (at) {
		const char *c = memchr(start, ':', (size_t)(at - start));
		const char *uend = c ? c : at;

		if (decode(u->user, sizeof u->user, start, (size_t)(uend - start)) != 0)
			return bad(text, "bad or too long user name", err, errlen);
		if (c && decode(u->password, sizeof u->password, c + 1,
				(size_t)(at - c - 1)) != 0) {
			redis_url_wipe(u);
			return bad(text, "bad or too long password", err, errlen);
		}
		host = at + 1;
	}

	/* HOST[:PORT]; an IPv6 address in brackets. */
	if (host < end && *host == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));

		if (!close || close == host + 1)
			goto bad_host;
		hn = (size_t)(close - host - 1);
		if (hn >= sizeof u->host)
			goto bad_host;
		memcpy(u->host, host + 1, hn);
		u->host[hn] = '\0';
		if (!strchr(u->host, ':'))
			goto bad_host;
		p = close + 1;
		if (p < end && *p != ':')
			goto bad_host;
		colon = p < end ? p : NULL;
	} else {
		colon = memchr(host, ':', (size_t)(end - host));
		hn = (size_t)((colon ? colon : end) - host);
		if (hn == 0 || hn >= sizeof u->host)
			goto bad_host;
		memcpy(u->host, host, hn);
		u->host[hn] = '\0';
	}
	for (p = u->host; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_' ||
		      *p == ':' || *p == '%'))
			goto bad_host;
	if (colon && (number(colon + 1, (size_t)(end - colon - 1), 65535, &u->port) != 0 ||
		      u->port == 0)) {
		redis_url_wipe(u);
		return bad(text, "the port must be 1..65535", err, errlen);
	}

	/* [/DB] */
	if (*end == '/' && end[1] != '\0' &&
	    number(end + 1, strlen(end + 1), 65535, &u->db) != 0) {
		redis_url_wipe(u);
		return bad(text, "the database must be a number 0..65535, and nothing after it",
			   err, errlen);
	}
	return 0;

bad_host:
	redis_url_wipe(u);
	return bad(text, "empty or bad host", err, errlen);
}

void redis_url_where(const struct redis_url *u, char *out, size_t outlen)
{
	if (u->is_unix)
		snprintf(out, outlen, "unix:%s?db=%u", u->host, u->db);
	else
		snprintf(out, outlen, "redis://%s%s%s%s%s:%u/%u", u->user, u->user[0] ? "@" : "",
			 strchr(u->host, ':') ? "[" : "", u->host,
			 strchr(u->host, ':') ? "]" : "", u->port, u->db);
}

void redis_url_wipe(struct redis_url *u)
{
	explicit_bzero(u->password, sizeof u->password);
}
