/*
 * store_redis.c - the Redis history store of store_redis.h, through
 * hiredis: connect, AUTH, SELECT, a bounded load, a compare-and-set save.
 */
#include <hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "store_redis.h"
#include "util.h"

/* {0} missing, {1, value}, {2, type} another type, {3, length} too large. */
static const char LOAD_SCRIPT[] =
	"local t = redis.call('TYPE', KEYS[1]).ok "
	"if t == 'none' then return {0} end "
	"if t ~= 'string' then return {2, t} end "
	"local n = redis.call('STRLEN', KEYS[1]) "
	"if n > tonumber(ARGV[1]) then return {3, n} end "
	"return {1, redis.call('GET', KEYS[1])}";

/* 1 saved, 0 changed since it was read (ARGV[1]; missing counts as ""). */
static const char SAVE_SCRIPT[] =
	"local v = redis.call('GET', KEYS[1]) "
	"if v == false then v = '' end "
	"if v ~= ARGV[1] then return 0 end "
	"redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) "
	"return 1";

static struct timeval tv_of(unsigned ms)
{
	struct timeval tv;

	if (ms == 0)
		ms = 1;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	return tv;
}

/* Drops the connection and records the first error; returns -1. */
static int broken(struct redis_store *s, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int broken(struct redis_store *s, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!s->failed[0]) {
		va_start(ap, fmt);
		vsnprintf(s->failed, sizeof s->failed, fmt, ap);
		va_end(ap);
	}
	if (s->c) {
		redisFree(s->c);
		s->c = NULL;
	}
	return errorf(err, errlen, "%s", s->failed);
}

/* The connection's own error, worded for an admin. */
static const char *io_error(const redisContext *c)
{
	if (c->err == REDIS_ERR_IO && c->errstr[0] &&
	    (strstr(c->errstr, "timed out") || strstr(c->errstr, "temporarily unavailable")))
		return "no answer in time";
	return c->errstr[0] ? c->errstr : "connection failed";
}

/* A command's reply, or NULL with the connection dropped and err set. */
static redisReply *command(struct redis_store *s, const char *what, int argc, const char **argv,
			   const size_t *argvlen, char *err, size_t errlen)
{
	redisReply *r;

	if (!s->c)
		return (void)errorf(err, errlen, "%s", s->failed[0] ? s->failed :
				    "the Redis history store is not connected"), NULL;
	r = redisCommandArgv(s->c, argc, argv, argvlen);
	if (!r) {
		(void)broken(s, err, errlen, "Redis history store %s: %s: %s", s->where, what,
			     io_error(s->c));
		return NULL;
	}
	return r;
}

int redis_store_connect(struct redis_store *s, struct redis_url *u, unsigned timeout_ms,
			char *err, size_t errlen)
{
	struct timeval tv = tv_of(timeout_ms);
	const char *env = getenv(REDIS_PASSWORD_ENV);
	char pass[REDIS_PASSWORD_MAX], dbtext[16];
	redisContext *c;
	redisReply *r;
	int rc = 0;

	memset(s, 0, sizeof *s);
	redis_url_where(u, s->where, sizeof s->where);
	if (env && env[0]) {
		if (copy_str(pass, sizeof pass, env) != 0) {
			explicit_bzero(pass, sizeof pass);
			redis_url_wipe(u);
			return broken(s, err, errlen, "$%s is too long", REDIS_PASSWORD_ENV);
		}
	} else {
		memcpy(pass, u->password, sizeof pass);
	}
	redis_url_wipe(u);

	c = u->is_unix ? redisConnectUnixWithTimeout(u->host, tv)
		       : redisConnectWithTimeout(u->host, (int)u->port, tv);
	if (!c || c->err) {
		explicit_bzero(pass, sizeof pass);
		rc = broken(s, err, errlen, "cannot connect to the Redis history store %s: %s",
			    s->where, c ? io_error(c) : "out of memory");
		if (c)
			redisFree(c);
		return rc;
	}
	s->c = c;
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		explicit_bzero(pass, sizeof pass);
		return broken(s, err, errlen, "Redis history store %s: cannot set a timeout",
			      s->where);
	}

	if (pass[0]) {
		const char *argv[3] = { "AUTH", u->user, pass };
		size_t argvlen[3] = { 4, strlen(u->user), strlen(pass) };
		int argc = u->user[0] ? 3 : 2;

		if (!u->user[0]) {
			argv[1] = pass;
			argvlen[1] = argvlen[2];
		}
		r = command(s, "AUTH", argc, argv, argvlen, err, errlen);
		explicit_bzero(pass, sizeof pass);
		if (!r)
			return -1;
		if (r->type == REDIS_REPLY_ERROR) {
			char why[128];

			/* WRONGPASS / ERR invalid password: the server's words never
			 * hold the password, but keep only its first word anyway. */
			snprintf(why, sizeof why, "%.*s", (int)strcspn(r->str, " "), r->str);
			freeReplyObject(r);
			return broken(s, err, errlen, "the Redis history store %s refused the"
				      " password%s%s (%s)", s->where, u->user[0] ? " of user " : "",
				      u->user, why);
		}
		freeReplyObject(r);
	}
	explicit_bzero(pass, sizeof pass);

	if (u->db != 0) {
		const char *argv[2] = { "SELECT", dbtext };
		size_t argvlen[2];

		snprintf(dbtext, sizeof dbtext, "%u", u->db);
		argvlen[0] = 6;
		argvlen[1] = strlen(dbtext);
		r = command(s, "SELECT", 2, argv, argvlen, err, errlen);
		if (!r)
			return -1;
		if (r->type == REDIS_REPLY_ERROR) {
			char shown[160];

			quote_text(shown, sizeof shown, r->str, r->len);
			freeReplyObject(r);
			return broken(s, err, errlen, "Redis history store %s: %s", s->where,
				      strncmp(shown, "NOAUTH", 6) == 0 ?
				      "it wants a password (set $" REDIS_PASSWORD_ENV
				      " or put it in the INI file's history URL)" : shown);
		}
		freeReplyObject(r);
	}
	return 0;
}

void redis_store_set_timeout(struct redis_store *s, unsigned timeout_ms)
{
	if (s->c)
		(void)redisSetTimeout(s->c, tv_of(timeout_ms));
}

/* An error reply, worded: NOAUTH gets the hint, others are quoted. */
static int reply_error(struct redis_store *s, const char *what, const redisReply *r,
		       char *err, size_t errlen)
{
	char shown[160];

	if (strncmp(r->str, "NOAUTH", 6) == 0)
		return broken(s, err, errlen, "Redis history store %s wants a password (set $"
			      REDIS_PASSWORD_ENV " or put it in the INI file's history URL)",
			      s->where);
	quote_text(shown, sizeof shown, r->str, r->len);
	return broken(s, err, errlen, "Redis history store %s: %s: %s", s->where, what, shown);
}

int redis_store_load(struct redis_store *s, const char *key, size_t max, char **text,
		     size_t *len, char *err, size_t errlen)
{
	char maxtext[24];
	const char *argv[5] = { "EVAL", LOAD_SCRIPT, "1", key, maxtext };
	size_t argvlen[5];
	redisReply *r, *e0, *e1;
	int rc = -1;

	*text = NULL;
	*len = 0;
	free(s->loaded);
	s->loaded = NULL;
	s->loaded_len = 0;
	s->existed = false;
	snprintf(maxtext, sizeof maxtext, "%zu", max);
	for (int i = 0; i < 5; i++)
		argvlen[i] = strlen(argv[i]);
	r = command(s, "reading", 5, argv, argvlen, err, errlen);
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_ERROR) {
		rc = reply_error(s, "reading", r, err, errlen);
		freeReplyObject(r);
		return rc;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    r->element[0]->type != REDIS_REPLY_INTEGER)
		goto garbled;
	e0 = r->element[0];
	e1 = r->elements > 1 ? r->element[1] : NULL;
	switch (e0->integer) {
	case 0:
		rc = 0;
		break;
	case 1:
		if (!e1 || e1->type != REDIS_REPLY_STRING)
			goto garbled;
		*text = malloc(e1->len + 1);
		s->loaded = malloc(e1->len + 1);
		if (!*text || !s->loaded) {
			free(*text);
			*text = NULL;
			rc = errorf(err, errlen, "out of memory");
			break;
		}
		memcpy(*text, e1->str, e1->len);
		(*text)[e1->len] = '\0';
		memcpy(s->loaded, e1->str, e1->len);
		s->loaded[e1->len] = '\0';
		*len = s->loaded_len = e1->len;
		s->existed = true;
		rc = 0;
		break;
	case 2: {
		char shown[40];

		if (!e1 || e1->type != REDIS_REPLY_STATUS)
			goto garbled;
		quote_text(shown, sizeof shown, e1->str, e1->len);
		rc = errorf(err, errlen, "Redis key %s at %s holds a %s, not a history (left"
			    " untouched)", key, s->where, shown);
		break;
	}
	case 3:
		rc = errorf(err, errlen, "Redis key %s at %s holds %lld bytes, more than a history"
			    " ever has (%zu; left untouched)", key, s->where,
			    e1 && e1->type == REDIS_REPLY_INTEGER ? e1->integer : -1LL, max);
		break;
	default:
		goto garbled;
	}
	freeReplyObject(r);
	return rc;

garbled:
	freeReplyObject(r);
	return broken(s, err, errlen, "Redis history store %s: unexpected reply while reading",
		      s->where);
}

int redis_store_save(struct redis_store *s, const char *key, const char *text, size_t len,
		     long ttl_s, char *err, size_t errlen)
{
	char ttltext[24];
	const char *argv[7] = { "EVAL", SAVE_SCRIPT, "1", key, s->loaded ? s->loaded : "", text,
				ttltext };
	size_t argvlen[7];
	redisReply *r;
	int rc;

	snprintf(ttltext, sizeof ttltext, "%ld", ttl_s > 0 ? ttl_s : 1);
	for (int i = 0; i < 7; i++)
		argvlen[i] = strlen(argv[i]);
	argvlen[4] = s->loaded ? s->loaded_len : 0;
	argvlen[5] = len;
	r = command(s, "saving", 7, argv, argvlen, err, errlen);
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_ERROR) {
		rc = reply_error(s, "saving", r, err, errlen);
	} else if (r->type == REDIS_REPLY_INTEGER && (r->integer == 0 || r->integer == 1)) {
		rc = (int)r->integer;
	} else {
		freeReplyObject(r);
		return broken(s, err, errlen, "Redis history store %s: unexpected reply while"
			      " saving", s->where);
	}
	freeReplyObject(r);
	return rc;
}

void redis_store_close(struct redis_store *s)
{
	if (s->c) {
		redisFree(s->c);
		s->c = NULL;
	}
	free(s->loaded);
	s->loaded = NULL;
	s->loaded_len = 0;
}
