/*
 * histstore.h - a check's history read, changed and written back under a
 * lock, whatever keeps it: the store interface, the file store, and the
 * open / save / close cycle over them.
 *
 * ONE JOB.  The cycle: lock, load the text, parse it (history.h), claim
 * it for the check's key (histname.h); later compact, format and save it;
 * unlock.  It may not name anything (the caller brings the path or
 * record name and the key) nor touch a file itself: a store does that.
 *
 * THE STORE.  struct history_store is where a history's text lives
 * between checks, as four calls on the store's own object (self):
 *
 *     lock(self, where, lock_wait_ms, &busy)   take the record named
 *             where for this check, waiting at most lock_wait_ms;
 *             refuse what is not a history (history_text_is_ours);
 *             busy when another check held it all that time
 *     load(self, max, &text, &len, &existed)   its text, malloc'd; a
 *             text larger than max may stop early, as long as len > max
 *             shows it; none yet: NULL, 0, existed false
 *     save(self, text, len)                    replace it whole; a
 *             failure leaves the old text
 *     unlock(self)                             let it go; safe after a
 *             failed lock and twice
 *
 * Each returns 0, or -1 with one sentence in err.  history_file_store is
 * the store of state files over safefile.h (where is the path, self a
 * struct safefile); another store (a key-value server, where being its key)
 * is one more such table, passed to history_open_in().
 *
 * CALLING SEQUENCE:
 *
 *     static struct locked_history lh;         large: keep it off the stack
 *
 *     history_prepare_dir(path, euid, ...);    files only (histname.h)
 *     history_open(&lh, path, key, now, lock_wait_ms, err, errlen);
 *     ... history_append(&lh.h, ...), trend_analyze(history_samples(&lh.h)),
 *         history_set_baseline(&lh.h, ...), history_set_rows(&lh.h, ...) ...
 *     history_save(&lh, now, err, errlen);
 *     history_close(&lh);                      always; safe twice
 *
 * LOCKING.  history_open() holds the store's lock for the whole cycle,
 * until history_close(), and history_save() replaces the text whole: for
 * files, safefile.h says how (a separate PATH.lock that must never be
 * deleted while checks run, PATH.tmp.XXXXXX renamed over PATH).
 * Checks that overlap cannot lose each other's samples: the history is
 * read as of the time the lock was taken (so the sample of a check that
 * started later but saved first is not "newer than now"), and a sample is
 * merged into it by time (history_append), not appended after what is
 * there.
 *
 * OURS OR NOT.  A state file is ours when it is empty or its first line
 * starts with "# check_async_leak state v" (history_text_is_ours).
 * Anything else - /etc/passwd given as --state-file - is refused with an
 * error and left untouched, before even a lock file is made next to it.
 *
 * ERRORS.  Damage inside a history is never one (history.h, DAMAGE).  Only
 * what prevents reading safely is: a file that is not ours, a symbolic
 * link or a non-regular file at the path, a lock held too long, an I/O
 * error.  A failed save leaves the previous file intact.
 */
#ifndef ASYNC_LEAK_HISTSTORE_H
#define ASYNC_LEAK_HISTSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "histname.h"
#include "history.h"
#include "safefile.h"

/* Where a history's text lives between checks (see THE STORE above). */
struct history_store {
	const char *name;		/* "file" */
	int (*lock)(void *self, const char *where, unsigned lock_wait_ms, bool *busy,
		    char *err, size_t errlen);
	int (*load)(void *self, size_t max, char **text, size_t *len, bool *existed,
		    char *err, size_t errlen);
	int (*save)(void *self, const char *text, size_t len, char *err, size_t errlen);
	void (*unlock)(void *self);
};

/* State files, through safefile.h; self is a struct safefile. */
extern const struct history_store history_file_store;

/* A history read under its store's lock (see history_open). */
struct locked_history {
	const struct history_store *store;	/* NULL when closed */
	void *self;			/* the store's object */
	struct safefile file;		/* history_file_store's object */
	char where[HISTORY_PATH_MAX];	/* the path (the record's name) */
	bool existed;			/* there was a text when opened */
	bool busy;			/* history_open failed: locked by another check */
	time_t now;			/* as of when it was read (see history_open) */
	struct history h;
};

/*
 * Locks the state file path (waiting at most lock_wait_ms) and reads it
 * into lh->h as of lh->now: now, or the clock once the lock is held when
 * that is later (a check that waited sees the sample of the one it waited
 * for as past, not future).  A missing file is an empty history.  When
 * key is not NULL, a file that names another key is read as empty (with a
 * note) and lh->h.key is set to key for the next save.  On success lh is
 * open and locked until history_close(); on failure nothing stays locked
 * or allocated (lh->busy tells a lock held by another check).  Errors: a
 * file that is not ours (checked before the lock file is made), a symbolic
 * link or non-regular file at path or path.lock, "state file ... is locked
 * by another check", I/O errors.
 */
int history_open(struct locked_history *lh, const char *path, const char *key,
		 time_t now, unsigned lock_wait_ms, char *err, size_t errlen);

/* history_open() over another store: self its object, where its record. */
int history_open_in(struct locked_history *lh, const struct history_store *store,
		    void *self, const char *where, const char *key, time_t now,
		    unsigned lock_wait_ms, char *err, size_t errlen);

/*
 * Compacts lh->h as of now, stamps it written at now and saves it through
 * the store (for files: a new PATH.tmp.XXXXXX, written and fsync'd,
 * renamed over PATH, the directory fsync'd).  Any failure leaves the
 * previous text as it was.  Returns 0 or -1.
 */
int history_save(struct locked_history *lh, time_t now, char *err, size_t errlen);

/* Releases the lock and the memory; safe to call twice or after a failed open. */
void history_close(struct locked_history *lh);

#endif
