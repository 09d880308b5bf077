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
#include <time.h>
#include <unistd.h>

#include "histstore.h"
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

/* Deletes KEYS[1] when it still holds ARGV[1], this client's token. */
static const char UNLOCK_SCRIPT[] =
	"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
	"return 0";

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

		if (!e1 || (e1->type != REDIS_REPLY_STRING && e1->type != REDIS_REPLY_STATUS))
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

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 16 random bytes as hex, or the pid and the clock when there is no /dev/urandom. */
static void make_token(char *out, size_t outlen)
{
	unsigned char b[16];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f ? fread(b, 1, sizeof b, f) : 0;
	struct timespec ts;

	if (f)
		fclose(f);
	if (got != sizeof b) {
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(out, outlen, "%ld-%lld-%ld", (long)getpid(), (long long)ts.tv_sec,
			 ts.tv_nsec);
		return;
	}
	for (size_t i = 0; i < sizeof b && 2 * i + 2 < outlen; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

int redis_store_lock(struct redis_store *s, const char *lock_key, unsigned hold_ms,
		     unsigned wait_ms, bool *busy, char *err, size_t errlen)
{
	char token[sizeof s->lock_token], holdtext[16];
	const char *argv[6] = { "SET", lock_key, token, "NX", "PX", holdtext };
	size_t argvlen[6];
	long long deadline = now_ms() + wait_ms;
	unsigned pause_ms = 1;
	redisReply *r;

	*busy = false;
	if (copy_str(s->lock_key, sizeof s->lock_key, lock_key) != 0)
		return errorf(err, errlen, "Redis lock key too long");
	make_token(token, sizeof token);
	snprintf(holdtext, sizeof holdtext, "%u", hold_ms > 0 ? hold_ms : 1);
	for (int i = 0; i < 6; i++)
		argvlen[i] = strlen(argv[i]);
	for (;;) {
		r = command(s, "locking", 6, argv, argvlen, err, errlen);
		if (!r)
			return -1;
		if (r->type == REDIS_REPLY_ERROR) {
			int rc = reply_error(s, "locking", r, err, errlen);

			freeReplyObject(r);
			return rc;
		}
		if (r->type == REDIS_REPLY_STATUS) {	/* OK; a nil reply: held */
			freeReplyObject(r);
			memcpy(s->lock_token, token, sizeof token);
			return 0;
		}
		freeReplyObject(r);
		if (now_ms() >= deadline) {
			*busy = true;
			return errorf(err, errlen, "history %s at %s is locked by another check",
				      lock_key, s->where);
		}
		/* 1, 2, 4 ... 16 ms, a little different for each waiter. */
		{
			struct timespec ts;
			long long left = deadline - now_ms();
			long ms = (long)pause_ms + (long)(getpid() % 3);

			if (left < ms)
				ms = left > 0 ? (long)left : 0;
			ts.tv_sec = 0;
			ts.tv_nsec = ms * 1000000L;
			nanosleep(&ts, NULL);
			if (pause_ms < 16)
				pause_ms *= 2;
		}
	}
}

void redis_store_unlock(struct redis_store *s)
{
	const char *argv[5] = { "EVAL", UNLOCK_SCRIPT, "1", s->lock_key, s->lock_token };
	size_t argvlen[5];
	redisReply *r;

	if (!s->lock_token[0])
		return;
	if (s->c) {
		for (int i = 0; i < 5; i++)
			argvlen[i] = strlen(argv[i]);
		r = redisCommandArgv(s->c, 5, argv, argvlen);
		if (r)
			freeReplyObject(r);
		/* A failure here leaves the lock to expire after hold_ms. */
	}
	s->lock_token[0] = '\0';
}

/* ---------------------------------------------- the store of histstore.h */

static int rh_lock(void *self, const char *where, unsigned lock_wait_ms, bool *busy,
		   char *err, size_t errlen)
{
	struct redis_history *rh = self;
	char lock_key[REDIS_KEY_MAX + 8];

	snprintf(lock_key, sizeof lock_key, "%s:lock", where);
	return redis_store_lock(rh->s, lock_key, rh->hold_ms, lock_wait_ms, busy, err, errlen);
}

static int rh_load(void *self, size_t max, char **text, size_t *len, bool *existed,
		   char *err, size_t errlen)
{
	struct redis_history *rh = self;
	const char *key = rh->s->lock_key;
	char kbuf[REDIS_KEY_MAX + 8];
	size_t kn = strlen(key);

	/* The history's key is the lock's without ":lock". */
	if (kn < 5 || kn - 5 >= sizeof kbuf)
		return errorf(err, errlen, "Redis history not locked");
	memcpy(kbuf, key, kn - 5);
	kbuf[kn - 5] = '\0';
	*existed = false;
	if (redis_store_load(rh->s, kbuf, max, text, len, err, errlen) != 0)
		return -1;
	*existed = rh->s->existed;
	if (*text && !history_text_is_ours(*text, *len)) {
		char shown[48];

		quote_text(shown, sizeof shown, *text, strcspn(*text, "\n") < *len ?
			   strcspn(*text, "\n") : *len);
		free(*text);
		*text = NULL;
		*len = 0;
		return errorf(err, errlen, "Redis key %s at %s holds something that is not a"
			      " history ('%s'; left untouched)", kbuf, rh->s->where, shown);
	}
	return 0;
}

static int rh_save(void *self, const char *text, size_t len, char *err, size_t errlen)
{
	struct redis_history *rh = self;
	const char *key = rh->s->lock_key;
	char kbuf[REDIS_KEY_MAX + 8];
	size_t kn = strlen(key);
	int rc;

	if (kn < 5 || kn - 5 >= sizeof kbuf)
		return errorf(err, errlen, "Redis history not locked");
	memcpy(kbuf, key, kn - 5);
	kbuf[kn - 5] = '\0';
	rc = redis_store_save(rh->s, kbuf, text, len, REDIS_TTL_S, err, errlen);
	if (rc == 0)
		return errorf(err, errlen, "history %s at %s changed while this check held its"
			      " lock (it expired); this sample is not recorded", kbuf,
			      rh->s->where);
	return rc < 0 ? -1 : 0;
}

static void rh_unlock(void *self)
{
	struct redis_history *rh = self;

	redis_store_unlock(rh->s);
}

const struct history_store history_redis_store = {
	"redis", rh_lock, rh_load, rh_save, rh_unlock,
};

void redis_store_close(struct redis_store *s)
{
	redis_store_unlock(s);
	if (s->c) {
		redisFree(s->c);
		s->c = NULL;
	}
	free(s->loaded);
	s->loaded = NULL;
	s->loaded_len = 0;
}
