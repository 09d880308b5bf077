/*
 * store_redis.h - the history kept in Redis instead of a local file, so
 * that every machine that runs the check (an Icinga 2 HA zone's
 * endpoints, Mod-Gearman workers) reads and extends one history.
 *
 * ONE JOB.  Bytes in, bytes out, on a Redis server, through hiredis: one
 * string value per history, read with a size bound and replaced only if
 * nobody replaced it in between (compare-and-set).  Like safefile.h, the
 * file store's layer, it knows nothing of what the bytes mean: the caller
 * decodes the text (history.h's format, the same text as a state file)
 * and names the key; the one thing asked of history.h is
 * history_text_is_ours(), whether a value is a history at all (the file
 * store asks the same).  It may not parse, name or compact anything,
 * write anything locally, or show a password: messages and
 * redis_url_where() name the server as redis://[USER@]HOST:PORT/DB or
 * unix:PATH?db=N, never the password.  The URL functions are pure
 * (store_redis_url.c, no hiredis), for config.c and the unit tests.
 *
 * URLS (redis_url_parse):
 *   redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]   TCP; HOST a name, an IPv4
 *                                                address or [IPv6]; PORT
 *                                                6379, DB 0 by default
 *   unix:/PATH[?db=N]                             a Unix socket
 * USER and PASSWORD may be %XX-escaped.  A password on the command line
 * would be visible to every local user (ps, /proc): config.c refuses one
 * there (redis_url_has_password); it belongs in the INI file (mode 0600)
 * or in $CHECK_ASYNC_LEAK_REDIS_PASSWORD, which wins over the URL's.
 *
 * CALLING SEQUENCE (every step returns 0, or -1 with one sentence in err):
 *
 *     struct redis_url u;  struct redis_store s;
 *
 *     redis_url_parse(text, &u, err, errlen);
 *     redis_store_connect(&s, &u, timeout_ms, err, errlen);
 *             connect, AUTH, SELECT, each within timeout_ms; the
 *             password is wiped from u afterwards (redis_url_wipe)
 *     redis_store_lock(&s, lock_key, hold_ms, wait_ms, &busy, err, errlen);
 *             optional: spares the retries below (see ATOMICITY)
 *     redis_store_load(&s, key, max, &text, &len, err, errlen);
 *             the value, malloc'd (free it); a missing key is text NULL,
 *             len 0 and s.existed false; a value of more than max bytes
 *             or of another Redis type is an error, and left untouched
 *     ... the caller decodes text, adds its sample, encodes new text ...
 *     redis_store_save(&s, key, newtext, newlen, ttl_s, err, errlen);
 *             1: saved; 0: another checker saved first (load again and
 *             redo, a bounded number of times, or give up); -1: error
 *     redis_store_unlock(&s);
 *     redis_store_close(&s);           always; safe twice (also unlocks)
 *
 * redis_store_set_timeout() changes the command timeout between steps
 * (the caller gives each step what is left of -t).  After any error the
 * connection is dropped (s.c NULL) and later steps fail at once with the
 * first error, so a slow server costs one timeout, not one per step.
 *
 * ATOMICITY.  redis_store_save() runs one Lua script: SET the key to the
 * new text (with EX ttl_s) only when its value is still the text that
 * redis_store_load() returned (a missing key counts as ""), all in one
 * step on the server.  Two checkers that read the same text cannot both
 * save: the second gets 0.  The lock (a key of its own that expires after
 * hold_ms) makes that rare: checkers take turns, as with the file store's
 * flock, and a checker that dies holding it delays the others by hold_ms
 * at most.  history_redis_store below, the store main.c uses, locks, and
 * treats a failed compare (its lock expired under it) as an error: that
 * sample is lost, never another's.  A failover to a replica loses at most
 * the writes it had not received (a few samples), never half a history:
 * every save is one whole value.
 *
 * EXPIRY.  Every save sets the key's time to live (ttl_s, the history's
 * own horizon): the history of a service nobody checks any more goes.
 */
#ifndef ASYNC_LEAK_STORE_REDIS_H
#define ASYNC_LEAK_STORE_REDIS_H

#include <stdbool.h>
#include <stddef.h>

#define REDIS_DEFAULT_PORT 6379
#define REDIS_HOST_MAX 256		/* host name, address or socket path, NUL included */
#define REDIS_USER_MAX 128
#define REDIS_PASSWORD_MAX 256
#define REDIS_WHERE_MAX (REDIS_HOST_MAX + REDIS_USER_MAX + 48)
#define REDIS_PASSWORD_ENV "CHECK_ASYNC_LEAK_REDIS_PASSWORD"
#define REDIS_KEY_MAX 240		/* a history's key, NUL included */

/* A parsed history URL.  password is a secret: wipe it (redis_url_wipe). */
struct redis_url {
	bool is_unix;
	char host[REDIS_HOST_MAX];	/* TCP: name or address (IPv6 without []);
					 * unix: the socket's path */
	unsigned port;			/* TCP only */
	unsigned db;			/* 0..65535 */
	char user[REDIS_USER_MAX];	/* "" = the default user */
	char password[REDIS_PASSWORD_MAX];	/* "" = none */
};

/* Whether text names a Redis history (starts with "redis://" or "unix:"). */
bool redis_url_is(const char *text);

/*
 * Parses text as URLS above into u.  Returns 0, or -1 with a message that
 * quotes the URL without its password: not redis:// or unix:, an empty or
 * bad host, a port outside 1..65535, a DB outside 0..65535, a bad %XX,
 * something too long, or anything after the DB.
 */
int redis_url_parse(const char *text, struct redis_url *u, char *err, size_t errlen);

/* Whether text is a redis:// URL with a password ("user:pass@"). */
bool redis_url_has_password(const char *text);

/*
 * text with the password of a redis:// URL written as "(secret)", into
 * out[outlen] (truncated when it does not fit); other text unchanged.
 */
void redis_url_redact(const char *text, char *out, size_t outlen);

/* Where u points, for messages and -vv: redis://[USER@]HOST:PORT/DB or
 * unix:PATH?db=N; never the password. */
void redis_url_where(const struct redis_url *u, char *out, size_t outlen);

/* Wipes the password (explicit_bzero). */
void redis_url_wipe(struct redis_url *u);

/* A connection (see the calling sequence). */
struct redis_store {
	void *c;			/* redisContext; NULL when not connected */
	char where[REDIS_WHERE_MAX];	/* redis_url_where() */
	char *loaded;			/* the value load returned, for save's compare */
	size_t loaded_len;
	bool existed;			/* the key was there when loaded */
	char failed[512];		/* the first error; "" while none */
	char lock_key[REDIS_KEY_MAX + 8];	/* held when lock_token[0] */
	char lock_token[40];
};

/*
 * Connects to u within timeout_ms (at least 1), then AUTH (when a
 * password is given: $CHECK_ASYNC_LEAK_REDIS_PASSWORD, else the URL's)
 * and SELECT db, each within timeout_ms.  Wipes u's password.  On
 * failure s is closed and s->failed holds the message.
 */
int redis_store_connect(struct redis_store *s, struct redis_url *u, unsigned timeout_ms,
			char *err, size_t errlen);

/* The command timeout from now on (at least 1 ms). */
void redis_store_set_timeout(struct redis_store *s, unsigned timeout_ms);

/*
 * Reads key's value, at most max bytes, into a new malloc'd buffer
 * (*text, *len; free() it), and keeps a copy for redis_store_save().  A
 * missing key is *text NULL, *len 0, s->existed false.  Errors: a value
 * larger than max, a key of another type (a list, a hash...), the
 * connection failing or timing out.
 */
int redis_store_load(struct redis_store *s, const char *key, size_t max, char **text,
		     size_t *len, char *err, size_t errlen);

/*
 * Sets key to text[0..len-1] with a time to live of ttl_s seconds, if its
 * value is still what redis_store_load() read.  Returns 1 when saved, 0
 * when another client changed it in between (nothing written), -1 on an
 * error (nothing written, or - a timeout after the script was sent - the
 * new text in full; never part of it).
 */
int redis_store_save(struct redis_store *s, const char *key, const char *text, size_t len,
		     long ttl_s, char *err, size_t errlen);

/*
 * Takes the lock lock_key (SET NX PX hold_ms, a random token as its
 * value), polling every few milliseconds for at most wait_ms; *busy when
 * another client held it all that time.  The lock only spares checkers
 * the retries of a compare-and-set that fails: the save's compare is what
 * keeps the history whole, so a lock that expires (hold_ms: past the
 * holder's -t, when the plugin is gone anyway) costs a sample, no more.
 */
int redis_store_lock(struct redis_store *s, const char *lock_key, unsigned hold_ms,
		     unsigned wait_ms, bool *busy, char *err, size_t errlen);

/* Releases the lock when it still holds this client's token. */
void redis_store_unlock(struct redis_store *s);

/* Closes the connection and frees the copy; safe twice, and before connect
 * when s was zeroed. */
void redis_store_close(struct redis_store *s);

/*
 * The store of histstore.h kept in Redis: where is the history's key
 * (REDIS_KEY_PREFIX + the state file's name without ".state"), the lock
 * is where + ":lock", self a struct redis_history whose s is connected.
 * lock: redis_store_lock (hold_ms); load: redis_store_load, refusing a
 * value history_text_is_ours() rejects; save: redis_store_save with
 * REDIS_TTL_S, a failed compare an error ("changed meanwhile"); unlock:
 * redis_store_unlock.  Nothing of it touches the local disk.
 */
#define REDIS_KEY_PREFIX "check_async_leak:"
#define REDIS_TTL_S (35L * 86400)	/* the history's own horizon, HISTORY_KEEP_S */
/* A lock's life: the read-modify-write takes milliseconds, and a checker
 * killed while holding the lock (a monitoring core's own timeout) must not
 * keep the others waiting long; one slower than this loses its sample to
 * the compare, no more. */
#define REDIS_LOCK_HOLD_MS 5000

struct redis_history {
	struct redis_store *s;
	unsigned hold_ms;
};

struct history_store;
extern const struct history_store history_redis_store;

#endif
