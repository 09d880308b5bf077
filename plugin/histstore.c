/*
 * histstore.c - the locked read-modify-write cycle of a history over a
 * store, and the file store (see histstore.h).
 */
#include "histstore.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ------------------------------------------------------------ file store */

static int file_lock(void *self, const char *where, unsigned lock_wait_ms, bool *busy,
		     char *err, size_t errlen)
{
	struct safefile *f = self;
	int rc = safefile_open(f, where, history_text_is_ours, lock_wait_ms, err, errlen);

	*busy = f->busy;
	return rc;
}

static int file_load(void *self, size_t max, char **text, size_t *len, bool *existed,
		     char *err, size_t errlen)
{
	struct safefile *f = self;
	int rc = safefile_read(f, max, text, len, err, errlen);

	*existed = f->existed;
	return rc;
}

static int file_save(void *self, const char *text, size_t len, char *err, size_t errlen)
{
	return safefile_replace(self, text, len, err, errlen);
}

static void file_unlock(void *self)
{
	safefile_close(self);
}

const struct history_store history_file_store = {
	"file", file_lock, file_load, file_save, file_unlock,
};

/* ----------------------------------------------------------------- cycle */

int history_open(struct locked_history *lh, const char *path, const char *key,
		 time_t now, unsigned lock_wait_ms, char *err, size_t errlen)
{
	return history_open_in(lh, &history_file_store, &lh->file, path, key, now,
			       lock_wait_ms, err, errlen);
}

int history_open_in(struct locked_history *lh, const struct history_store *store,
		    void *self, const char *where, const char *key, time_t now,
		    unsigned lock_wait_ms, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;

	memset(lh, 0, sizeof *lh);
	lh->file.lock_fd = -1;
	history_init(&lh->h);
	if (!where[0] || strlen(where) + 8 >= sizeof lh->where)
		return errorf(err, errlen, "state file path empty or too long");
	if (key && !history_key_ok(key))
		return errorf(err, errlen, "bad state key");
	memcpy(lh->where, where, strlen(where) + 1);

	lh->store = store;
	lh->self = self;
	if (store->lock(self, where, lock_wait_ms, &lh->busy, err, errlen) < 0)
		goto fail;
	lh->now = time(NULL);
	if (lh->now < now)
		lh->now = now;
	if (store->load(self, (size_t)HISTORY_MAX_FILE, &text, &len, &lh->existed,
			err, errlen) < 0)
		goto fail;
	if (history_parse(text, len, lh->now, &lh->h, err, errlen) < 0) {
		free(text);
		goto fail;
	}
	free(text);

	if (key)
		history_claim(&lh->h, key, NULL);
	return 0;

fail:
	history_close(lh);
	return -1;
}

int history_save(struct locked_history *lh, time_t now, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	if (!lh->store)
		return errorf(err, errlen, "the state file is not open");
	lh->h.written = now;
	history_compact(&lh->h, now);
	if (history_format(&lh->h, &text, &len, err, errlen) < 0)
		return -1;
	rc = lh->store->save(lh->self, text, len, err, errlen);
	free(text);
	return rc;
}

void history_close(struct locked_history *lh)
{
	if (lh->store)
		lh->store->unlock(lh->self);
	lh->store = NULL;
	history_free(&lh->h);
}
