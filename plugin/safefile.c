/*
 * safefile.c - lock, bounded read and atomic replace of one file (see
 * safefile.h for the calling sequence and the locking scheme).
 */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define SAFEFILE_LOCK_STEP_MS 10

static int monotonic_ms(long long *ms)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return -1;
	*ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The directory part of path ("." when there is none). */
static int dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash)
		return copy_str(dir, size, ".");
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= size)
		return -1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

int safefile_prepare_dir(const char *path, unsigned euid, const char *hint,
			 char *err, size_t errlen)
{
	char dir[SAFEFILE_PATH_MAX];
	struct stat sb;
	size_t i;

	if (dir_of(path, dir, sizeof dir) < 0)
		return errorf(err, errlen, "state file path too long");
	/* mkdir -p, each missing level 0700. */
	for (i = 1; ; i++) {
		char c = dir[i];

		if (c == '/' || c == '\0') {
			dir[i] = '\0';
			if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
				int e = errno;	/* mkdir's reason, not stat's */

				if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
					return errorf(err, errlen, "cannot create state directory "
						      "%s: %s", dir, strerror(e));
			}
			dir[i] = c;
		}
		if (c == '\0')
			break;
	}
	if (lstat(dir, &sb) < 0)
		return errorf(err, errlen, "cannot use state directory %s: %s", dir,
			      strerror(errno));
	if (S_ISLNK(sb.st_mode) && sb.st_uid != euid && sb.st_uid != 0)
		return errorf(err, errlen,
			      "state directory %s is a symbolic link owned by uid %u, "
			      "not by %u or root", dir, (unsigned)sb.st_uid, euid);
	if (stat(dir, &sb) < 0)
		return errorf(err, errlen, "cannot use state directory %s: %s", dir,
			      strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return errorf(err, errlen, "state directory %s is not a directory", dir);
	if (sb.st_uid != euid && sb.st_uid != 0)
		return errorf(err, errlen, "state directory %s is owned by uid %u, not by %u "
			      "or root (another user may have made it first): %s", dir,
			      (unsigned)sb.st_uid, euid, hint);
	if (sb.st_mode & S_IWOTH)
		return errorf(err, errlen, "state directory %s is writable by every user: %s",
			      dir, hint);
	return 0;
}

/* open() that names a symbolic link or a non-regular file as such. */
static int open_regular(const char *path, int flags, const char *what,
			char *err, size_t errlen)
{
	struct stat sb;
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);

	if (fd < 0) {
		int e = errno;

		if (e == ELOOP || e == EMLINK)
			errorf(err, errlen, "%s %s is a symbolic link; refusing to follow it",
			       what, path);
		else if (e != ENOENT)
			errorf(err, errlen, "cannot open %s %s: %s", what, path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		errorf(err, errlen, "%s %s is not a regular file", what, path);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

static int lock_file(struct safefile *f, unsigned wait_ms, char *err, size_t errlen)
{
	char lock[SAFEFILE_PATH_MAX + 8];
	long long start, t;

	snprintf(lock, sizeof lock, "%s.lock", f->path);
	f->lock_fd = open_regular(lock, O_RDWR | O_CREAT, "lock file", err, errlen);
	if (f->lock_fd < 0) {
		if (errno == ENOENT)
			errorf(err, errlen, "cannot create lock file %s: %s", lock,
			       strerror(ENOENT));
		return -1;
	}
	if (monotonic_ms(&start) < 0)
		return errorf(err, errlen, "no monotonic clock: %s", strerror(errno));
	for (;;) {
		if (flock(f->lock_fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return errorf(err, errlen, "cannot lock %s: %s", lock, strerror(errno));
		if (monotonic_ms(&t) < 0 || t - start >= (long long)wait_ms) {
			f->busy = true;
			return errorf(err, errlen, "state file %s is locked by another check "
				      "(waited %u ms)", f->path, wait_ms);
		}
		sleep_ms((long)((long long)wait_ms - (t - start) < SAFEFILE_LOCK_STEP_MS ?
				(long long)wait_ms - (t - start) : SAFEFILE_LOCK_STEP_MS));
	}
}

/* Reads fd whole, or stops once more than max bytes are in, so that
 * "larger than max" shows: the buffer doubles from 64 KiB. */
static int read_all(int fd, size_t max, char **buf, size_t *len)
{
	size_t size = 65536, n = 0;
	char *b = malloc(size);

	if (!b)
		return -1;
	for (;;) {
		ssize_t r;

		if (n == size) {
			char *nb;

			if (size > max) {
				break;
			}
			size *= 2;
			nb = realloc(b, size);
			if (!nb) {
				free(b);
				return -1;
			}
			b = nb;
		}
		r = read(fd, b + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(b);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

static bool ours(const struct safefile *f, const char *text, size_t len)
{
	return !f->is_ours || f->is_ours(text, len);
}

static int not_ours(const char *path, char *err, size_t errlen)
{
	return errorf(err, errlen, "%s is not a check_async_leak state file; refusing to "
		      "replace it (move it away, or use another --state-file)", path);
}

/* A symbolic link, a non-regular file, or a file that is not the caller's. */
static int check_ours(const struct safefile *f, char *err, size_t errlen)
{
	const char *path = f->path;
	char head[64];
	struct stat sb;
	ssize_t n;
	int fd;

	if (lstat(path, &sb) < 0) {
		if (errno == ENOENT)
			return 0;
		return errorf(err, errlen, "cannot use state file %s: %s", path,
			      strerror(errno));
	}
	if (S_ISLNK(sb.st_mode))
		return errorf(err, errlen, "state file %s is a symbolic link; refusing to "
			      "follow it", path);
	if (!S_ISREG(sb.st_mode))
		return errorf(err, errlen, "state file %s is not a regular file", path);
	fd = open_regular(path, O_RDONLY, "state file", err, errlen);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	do
		n = read(fd, head, sizeof head);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return errorf(err, errlen, "cannot read state file %s: %s", path,
			      strerror(errno));
	if (!ours(f, head, (size_t)n) ||
	    (n == 0 && sb.st_size > 0))
		return not_ours(path, err, errlen);
	return 0;
}

int safefile_open(struct safefile *f, const char *path, safefile_ours_fn *is_ours,
		  unsigned lock_wait_ms, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	f->lock_fd = -1;
	f->is_ours = is_ours;
	if (!path[0] || strlen(path) + 8 >= sizeof f->path)
		return errorf(err, errlen, "state file path empty or too long");
	memcpy(f->path, path, strlen(path) + 1);

	/* Before a lock file is made next to it: a file that is not ours. */
	if (check_ours(f, err, errlen) < 0 || lock_file(f, lock_wait_ms, err, errlen) < 0) {
		safefile_close(f);
		return -1;
	}
	return 0;
}

int safefile_read(struct safefile *f, size_t max, char **text, size_t *len,
		  char *err, size_t errlen)
{
	int fd;

	*text = NULL;
	*len = 0;
	f->existed = false;
	fd = open_regular(f->path, O_RDONLY, "state file", err, errlen);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	f->existed = true;
	if (read_all(fd, max, text, len) < 0) {
		errorf(err, errlen, "cannot read state file %s: %s", f->path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (!ours(f, *text, *len)) {
		not_ours(f->path, err, errlen);
		free(*text);
		*text = NULL;
		*len = 0;
		return -1;
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Six hex digits that differ between calls and between processes. */
static unsigned long temp_suffix(void)
{
	static unsigned long counter;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((unsigned long)getpid() * 2654435761UL ^ (unsigned long)ts.tv_nsec ^
		++counter * 40503UL) & 0xffffffUL;
}

int safefile_replace(struct safefile *f, const char *text, size_t len,
		     char *err, size_t errlen)
{
	char tmp[SAFEFILE_PATH_MAX + 16], dir[SAFEFILE_PATH_MAX];
	int fd, e, i;

	if (f->lock_fd < 0)
		return errorf(err, errlen, "the state file is not open");

	/*
	 * A new name each time, made with O_EXCL (which never follows a link
	 * planted in between): no file that is already there - another
	 * check's state file, whatever its name - is ever removed or replaced.
	 */
	fd = -1;
	for (i = 0; i < 16 && fd < 0; i++) {
		snprintf(tmp, sizeof tmp, "%s.tmp.%06lx", f->path, temp_suffix());
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		e = errno;
		return errorf(err, errlen, "cannot create %s: %s", tmp, strerror(e));
	}
	if (write_all(fd, text, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		return errorf(err, errlen, "cannot write %s: %s", tmp, strerror(e));
	}
	if (close(fd) < 0) {
		e = errno;
		unlink(tmp);
		return errorf(err, errlen, "cannot write %s: %s", tmp, strerror(e));
	}
	if (rename(tmp, f->path) < 0) {
		e = errno;
		unlink(tmp);
		return errorf(err, errlen, "cannot replace %s: %s", f->path, strerror(e));
	}
	/*
	 * The directory is fsynced only when the rename made a new name, the
	 * first save of a history: only then could a crash lose the file.
	 * Over an existing file the rename is one journalled change (ext4,
	 * XFS, btrfs), and the new content is already on disk (the fsync
	 * above): after a crash the name holds the old file or the new one,
	 * both whole.  What a crash can lose is this last save, until the
	 * journal commits the rename (ext4 does every 5 s); git's lock files
	 * (rename, no directory fsync) take the same bet.  It spares every
	 * later save a second journal commit (0.3 to 0.5 ms on a loaded
	 * test machine, strace -T).
	 */
	if (!f->existed && dir_of(f->path, dir, sizeof dir) == 0) {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS) {
				e = errno;
				close(fd);
				return errorf(err, errlen, "cannot sync directory %s: %s", dir,
					      strerror(e));
			}
			close(fd);
		}
	}
	f->existed = true;
	return 0;
}

void safefile_close(struct safefile *f)
{
	if (f->lock_fd >= 0) {
		close(f->lock_fd);	/* releases the flock */
		f->lock_fd = -1;
	}
}
