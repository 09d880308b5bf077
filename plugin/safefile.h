/*
 * safefile.h - one file replaced safely by processes that take turns: its
 * directory made private, the file locked, read with a bound, and replaced
 * whole (temporary file, fsync, rename) without ever following a link or
 * overwriting a file that is not the caller's.
 *
 * ONE JOB.  Bytes in, bytes out, under a lock.  This layer knows nothing of
 * what the bytes mean (samples, the text format, keys, file names): the
 * caller hands it a path and, to refuse a file that is not its own, a
 * predicate over the file's first bytes.  It may not parse, name or
 * compact anything.  Its messages speak to the plugin's users in their
 * words: a "state file", its "state directory", and a refusal that
 * points to --state-file.
 *
 * CALLING SEQUENCE (every step returns 0, or -1 with one sentence in err):
 *
 *     struct safefile f;
 *
 *     safefile_prepare_dir(path, euid, hint, err, errlen);   once, before
 *     safefile_open(&f, path, is_ours, lock_wait_ms, err, errlen);
 *             refuses a link, a non-regular file or one is_ours() rejects
 *             (before a lock file is made next to it), then locks
 *     safefile_read(&f, max, &text, &len, err, errlen);
 *             the whole file, malloc'd; a missing file is text NULL, len 0
 *             and f.existed false; a file larger than max shows as
 *             len > max (the read stops below 2 * max + 64 KiB)
 *     ... the caller decodes text, changes it, encodes new text ...
 *     safefile_replace(&f, newtext, newlen, err, errlen);     atomic
 *     safefile_close(&f);               always, also after a failed step
 *
 * A failed safefile_open() leaves nothing locked (f.busy tells a lock held
 * by another process for all of lock_wait_ms); safefile_close() is safe
 * after it and safe twice.  Between open and close the caller may read
 * and replace as often as it likes.
 *
 * LOCKING.  safefile_open() takes flock(LOCK_EX) on PATH.lock, a separate,
 * empty file that is never renamed or removed, and holds it until
 * safefile_close().  Locking the data file itself would break:
 * safefile_replace() renames a new inode over it, so a process waiting on
 * the old inode would get its lock, read the old content and overwrite
 * the newer one.  The lock file must therefore never be deleted while
 * processes use it (deleting it when none does is harmless).  On NFS,
 * Linux maps flock() to byte-range locks (NFSv4, or NFSv3 with lockd);
 * with the "nolock" or "local_lock=flock" mount options locks are local
 * to one node.
 *
 * REPLACING.  safefile_replace() writes PATH.tmp.XXXXXX, a new name each
 * time (O_EXCL, mode 0600, O_NOFOLLOW), fsyncs it, renames it over PATH
 * and, when PATH was not there before (f->existed false), fsyncs the
 * directory.  It never removes a file it did not make, and any failure
 * before the rename leaves the previous file as it was.  A crash leaves
 * PATH whole, old or new; what it can lose is the last replacement of an
 * existing file, until the journal commits that rename.
 *
 * ANOTHER STORE.  A history kept elsewhere (a key-value server, a
 * database) plugs in beside this layer, not into it: histstore.h's struct
 * history_store is the same sequence - lock, load, save, unlock - with
 * this layer as the file store (history_file_store).
 */
#ifndef ASYNC_LEAK_SAFEFILE_H
#define ASYNC_LEAK_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest path, NUL included, with room for ".tmp.XXXXXX" after it. */
#define SAFEFILE_PATH_MAX (1024 + 16)

/*
 * Whether text[0..len-1], the start (or the whole) of an existing file, is
 * one the caller may read and replace.  An empty file is passed as len 0.
 */
typedef bool safefile_ours_fn(const char *text, size_t len);

/* An open, locked file (see safefile_open). */
struct safefile {
	char path[SAFEFILE_PATH_MAX];
	int lock_fd;			/* -1 when not locked */
	bool existed;			/* the file was there when read */
	bool busy;			/* safefile_open failed: locked by another process */
	safefile_ours_fn *is_ours;	/* NULL: every regular file is ours */
};

/*
 * Creates the directory that will hold path when missing (and its missing
 * parents, mode 0700), then checks that it is a directory owned by euid or
 * root and not writable by every user (a symbolic link to it must itself
 * be owned by euid or root).  hint ends the message of the last two
 * refusals: how to get a directory of one's own.  Returns 0 or -1.
 */
int safefile_prepare_dir(const char *path, unsigned euid, const char *hint,
			 char *err, size_t errlen);

/*
 * Opens path for the calling sequence above and locks it through
 * path.lock, waiting at most lock_wait_ms.  Before the lock file is made:
 * a symbolic link or a non-regular file at path, or a file whose first
 * bytes is_ours() rejects, is refused and left untouched.  path.lock must
 * be a regular file too (it is made when missing).  On failure nothing
 * stays locked; f->busy is set when another process held the lock.
 */
int safefile_open(struct safefile *f, const char *path, safefile_ours_fn *is_ours,
		  unsigned lock_wait_ms, char *err, size_t errlen);

/*
 * Reads the locked file whole into a new malloc'd buffer (*text, *len; free()
 * it).  A file larger than max is read only in part, but more than max
 * bytes of it, so that it shows (len > max, memory < 2 * max + 64 KiB).  A
 * missing file is *text NULL, *len 0 and f->existed false.  A file that
 * is_ours() rejects (replaced in between) is an error.
 */
int safefile_read(struct safefile *f, size_t max, char **text, size_t *len,
		  char *err, size_t errlen);

/*
 * Replaces the locked file's content with text[0..len-1], as REPLACING
 * above says.  Returns 0 or -1 (the old file then stands).
 */
int safefile_replace(struct safefile *f, const char *text, size_t len,
		     char *err, size_t errlen);

/* Releases the lock; safe after a failed open and safe twice. */
void safefile_close(struct safefile *f);

#endif
