/*
 * test_histstore.c - a history's read-modify-write cycle over the file
 * store (safefile.h): open, save and reopen, symbolic links, foreign and
 * non-regular files, locking under concurrency, and saves that fail
 * without losing the previous file; and the same cycle over a store in
 * memory, as another store would run it.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "histstore.h"
#include "history_fixtures.h"
#include "util.h"

/* ------------------------------------------------------------- helpers */

/* Entries of a directory, "." and ".." not counted. */
static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return (size_t)-1;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* ------------------------------------------------------------- cycle */

Test(histstore, open_save_reopen)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct locked_history st;
	struct stat sb;
	struct sample s = mk_full(NOW, 41234, "1388", 5, 6);
	size_t n;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/h+161+async.exe.state", dir);
	cr_assert_eq(history_open(&st, path, "h+161+async.exe", NOW, 1000, err, sizeof err), 0,
		     "%s", err);
	cr_assert_not(st.existed);
	cr_assert_str_eq(st.h.note, "");
	cr_assert_eq(history_append(&st.h, &s, err, sizeof err), 0);
	history_set_baseline(&st.h, 40000, NOW);
	cr_assert_eq(history_save(&st, NOW, err, sizeof err), 0, "%s", err);
	history_close(&st);
	history_close(&st);	/* twice is harmless */

	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0600);
	{
		char lock[300], tmp[300];

		snprintf(lock, sizeof lock, "%s.lock", path);
		snprintf(tmp, sizeof tmp, "%s.tmp", path);
		cr_assert_eq(stat(lock, &sb), 0);
		cr_assert_eq(sb.st_mode & 07777, 0600);
		cr_assert_eq(stat(tmp, &sb), -1, "no temporary file left behind");
		cr_assert_eq(count_entries(dir), 2, "only the file and its lock are left");
	}
	cr_assert_eq(history_open(&st, path, "h+161+async.exe", NOW + 60, 1000, err, sizeof err), 0);
	cr_assert(st.existed);
	cr_assert_str_eq(st.h.note, "");
	cr_assert_eq(history_samples(&st.h, &n)[0].mem_kb, 41234);
	cr_assert_eq(n, 1);
	cr_assert_eq(st.h.baseline_kb, 40000);
	cr_assert_eq(st.h.written, NOW);
	history_close(&st);
	rmtree(dir);
}

Test(histstore, another_checks_file_is_not_mixed_in)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct locked_history st;
	char *after;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	spit(path, HISTORY_MAGIC "\n# key=other+161+async.exe\n1699999000 100 5\n");
	cr_assert_eq(history_open(&st, path, "mine+161+async.exe", NOW, 1000, err, sizeof err), 0);
	cr_assert_eq(st.h.n, 0);
	cr_assert(strstr(st.h.note, "belongs to another check"), "%s", st.h.note);
	cr_assert_eq(history_save(&st, NOW, err, sizeof err), 0);
	history_close(&st);
	after = slurp(path, NULL);
	cr_assert(strstr(after, "# key=mine+161+async.exe\n"), "%s", after);
	free(after);
	/* No key given: whatever the file names is kept. */
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), 0);
	cr_assert_str_eq(st.h.key, "mine+161+async.exe");
	history_close(&st);
	rmtree(dir);
}

Test(histstore, a_check_that_waited_reads_the_history_as_of_the_lock)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct locked_history st;
	time_t real = time(NULL);
	char text[200];

	/* Check B started after A and saved first: its sample is newer than
	 * A's start, but not newer than the time A got the lock. */
	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	snprintf(text, sizeof text, HISTORY_MAGIC "\n%lld 100 5 - -\n", (long long)real - 1);
	spit(path, text);
	cr_assert_eq(history_open(&st, path, NULL, real - 5, 1000, err, sizeof err), 0, "%s", err);
	cr_assert_geq(st.now, real);
	cr_assert_eq(st.h.n, 1, "the other check's sample is kept");
	cr_assert_str_eq(st.h.note, "", "and no note about the clock");
	history_close(&st);
	rmtree(dir);
}

/* ------------------------------------------------------------ safety */

Test(histstore, a_symbolic_link_is_never_followed)
{
	char dir[64], path[256], target[256], lock[300], err[ERRBUF_SIZE];
	struct locked_history st;
	char *after;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	snprintf(target, sizeof target, "%s/precious", dir);
	spit(target, "precious data\n");
	cr_assert_eq(symlink(target, path), 0);
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "symbolic link"), "%s", err);
	cr_assert_eq(st.file.lock_fd, -1);
	after = slurp(target, NULL);
	cr_assert_str_eq(after, "precious data\n");
	free(after);

	/* A link as the lock file: refused as well, the target untouched. */
	unlink(path);
	snprintf(lock, sizeof lock, "%s.lock", path);
	unlink(lock);
	cr_assert_eq(symlink(target, lock), 0);
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "symbolic link"), "%s", err);
	after = slurp(target, NULL);
	cr_assert_str_eq(after, "precious data\n");
	free(after);
	rmtree(dir);
}

Test(histstore, non_regular_files_are_refused, .timeout = 10)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct locked_history st;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "not a regular file"), "%s", err);
	rmdir(path);
	cr_assert_eq(mkfifo(path, 0600), 0);	/* must not hang */
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "not a regular file"), "%s", err);
	rmtree(dir);
}

Test(histstore, a_file_that_is_not_ours_is_refused_and_left_untouched)
{
	char dir[64], path[256], lock[300], err[ERRBUF_SIZE];
	struct locked_history st;
	struct stat sb;
	char *after;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/passwd", dir);
	snprintf(lock, sizeof lock, "%s.lock", path);
	spit(path, "root:x:0:0:root:/root:/bin/bash\n");
	chmod(path, 0644);
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "is not a check_async_leak state file; refusing to replace it"),
		  "%s", err);
	cr_assert_eq(st.file.lock_fd, -1);
	cr_assert_eq(stat(lock, &sb), -1, "no lock file made next to it");
	after = slurp(path, NULL);
	cr_assert_str_eq(after, "root:x:0:0:root:/root:/bin/bash\n");
	free(after);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0644, "its mode is kept");

	/* Binary garbage, and a long first line: refused as well. */
	spit(path, "\x7f" "ELF garbage\n");
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "refusing"), "%s", err);

	/* Ours, even damaged or of another version: read as a new history. */
	spit(path, HISTORY_MAGIC "\ngarbage\n");
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), 0, "%s", err);
	history_close(&st);
	spit(path, "# check_async_leak state v7\n1 2 3\n");
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), 0, "%s", err);
	cr_assert(st.h.foreign);
	history_close(&st);
	spit(path, "");
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), 0, "%s", err);
	history_close(&st);
	cr_expect(history_text_is_ours("", 0));
	cr_expect(history_text_is_ours(HISTORY_MAGIC, strlen(HISTORY_MAGIC)));
	cr_expect_not(history_text_is_ours("# check_async_leak", 18));
	cr_expect_not(history_text_is_ours("x" HISTORY_MAGIC, strlen(HISTORY_MAGIC) + 1));
	rmtree(dir);
}

Test(histstore, no_lock_file_next_to_a_device_or_a_directory)
{
	char dir[64], path[256], lock[300], err[ERRBUF_SIZE];
	struct locked_history st;
	struct stat sb;

	cr_assert_eq(history_open(&st, "/dev/null", NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "/dev/null is not a regular file"), "%s", err);
	cr_assert_eq(stat("/dev/null.lock", &sb), -1, "no /dev/null.lock");
	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/d", dir);
	snprintf(lock, sizeof lock, "%s.lock", path);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert_eq(stat(lock, &sb), -1, "no lock file next to a directory");
	rmtree(dir);
}

Test(histstore, a_save_never_touches_another_checks_file_of_a_similar_name)
{
	char dir[64], a[256], atmp[300], err[ERRBUF_SIZE];
	struct locked_history st;
	struct sample s = mk(NOW, 2, "5");
	const char *other = HISTORY_MAGIC "\n1699999000 1 5 - -\n";
	char *after;

	tmpdir(dir, sizeof dir);
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(atmp, sizeof atmp, "%s/a.tmp", dir);
	spit(atmp, other);	/* a state file named like a's old temporary file */
	cr_assert_eq(history_open(&st, a, NULL, NOW, 1000, err, sizeof err), 0, "%s", err);
	cr_assert_eq(history_append(&st.h, &s, err, sizeof err), 0);
	cr_assert_eq(history_save(&st, NOW, err, sizeof err), 0, "%s", err);
	history_close(&st);
	after = slurp(atmp, NULL);
	cr_assert_str_eq(after, other);
	free(after);
	cr_assert_eq(count_entries(dir), 3, "a, a.lock and a.tmp, nothing else");
	rmtree(dir);
}

/* ----------------------------------------------------------- locking */

Test(histstore, a_held_lock_times_out, .timeout = 10)
{
	char dir[64], path[256], lock[300], err[ERRBUF_SIZE];
	struct locked_history st;
	struct timespec a, b;
	long ms;
	int fd;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	snprintf(lock, sizeof lock, "%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(history_open(&st, path, NULL, NOW, 300, err, sizeof err), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	cr_assert(strstr(err, "is locked by another check (waited 300 ms)"), "%s", err);
	cr_assert_geq(ms, 290);
	cr_assert_lt(ms, 2000);
	cr_assert(st.busy, "a held lock is told apart from other failures");
	/* Released: the next open gets it at once. */
	close(fd);
	cr_assert_eq(history_open(&st, path, NULL, NOW, 0, err, sizeof err), 0, "%s", err);
	history_close(&st);
	rmtree(dir);
}

/* Bounded wait for every child; kills (by pid) what is still running. */
static int wait_children(pid_t *pids, int n, int seconds)
{
	int left = n, failed = 0, i, ticks;

	for (ticks = 0; left > 0 && ticks < seconds * 100; ticks++) {
		for (i = 0; i < n; i++) {
			int status;

			if (pids[i] > 0 && waitpid(pids[i], &status, WNOHANG) == pids[i]) {
				if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
					failed++;
				pids[i] = 0;
				left--;
			}
		}
		usleep(10000);
	}
	for (i = 0; i < n; i++)
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
			failed++;
		}
	return failed;
}

#define WRITERS 6

#define ROUNDS 25

/* One writer: ROUNDS locked read-modify-write cycles, each adding a sample. */
static int writer(const char *path, int id)
{
	char err[ERRBUF_SIZE];
	int r;

	for (r = 0; r < ROUNDS; r++) {
		struct locked_history st;
		struct sample s;
		size_t n;
		const struct sample *all;

		if (history_open(&st, path, "k", NOW + 1000, 20000, err, sizeof err) < 0)
			return 1;
		all = history_samples(&st.h, &n);
		s = mk(n ? all[n - 1].t + 1 : NOW, id * 1000 + r, "5");
		if (history_append(&st.h, &s, err, sizeof err) < 0 ||
		    history_save(&st, NOW + 1000, err, sizeof err) < 0) {
			history_close(&st);
			return 1;
		}
		history_close(&st);
	}
	return 0;
}

Test(histstore, concurrent_writers_lose_nothing, .timeout = 60)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	pid_t pids[WRITERS];
	bool seen[WRITERS][ROUNDS];
	struct locked_history st;
	size_t i;
	int w;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	for (w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		cr_assert_geq(pids[w], 0);
		if (pids[w] == 0)
			_exit(writer(path, w));
	}
	cr_assert_eq(wait_children(pids, WRITERS, 50), 0);

	memset(seen, 0, sizeof seen);
	cr_assert_eq(history_open(&st, path, "k", NOW + 1000, 1000, err, sizeof err), 0);
	cr_assert_str_eq(st.h.note, "");
	cr_assert_eq(st.h.n, WRITERS * ROUNDS);
	for (i = 0; i < st.h.n; i++) {
		long v = st.h.samples[i].mem_kb;

		cr_assert_not(seen[v / 1000][v % 1000]);
		seen[v / 1000][v % 1000] = true;
	}
	history_close(&st);
	rmtree(dir);
}

/* ---------------------------------------------------------- failures */

static void assert_save_fails_and_keeps(const char *path, const char *before)
{
	char *after = slurp(path, NULL);

	cr_assert_str_eq(after, before);
	free(after);
}

Test(histstore, a_failed_save_leaves_the_old_file)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct locked_history st;
	struct sample s = mk(NOW, 2, "5");
	const char *before = HISTORY_MAGIC "\n1699999000 1 5 - -\n";

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	spit(path, before);

	/* The directory is gone by the time of the save: no temporary file. */
	cr_assert_eq(history_open(&st, path, NULL, NOW, 1000, err, sizeof err), 0);
	cr_assert_eq(history_append(&st.h, &s, err, sizeof err), 0);
	memcpy(st.file.path + strlen(st.file.path) - strlen("x.state"), "nodir/x", 7);
	cr_assert_eq(history_save(&st, NOW, err, sizeof err), -1);
	cr_assert(strstr(err, ".tmp."), "%s", err);
	history_close(&st);
	assert_save_fails_and_keeps(path, before);
	rmtree(dir);
}

Test(histstore, a_full_disk_leaves_the_old_file, .timeout = 20)
{
	char dir[64], path[256], tmp[300];
	const char *before = HISTORY_MAGIC "\n1699999000 1 5 - -\n";
	struct stat sb;
	pid_t pid;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	spit(path, before);

	/* A child whose files may not grow past 1 KiB: write() fails, EFBIG. */
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { 1024, 1024 };
		struct locked_history st;
		char err[ERRBUF_SIZE];
		time_t t;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0 ||
		    history_open(&st, path, NULL, NOW, 1000, err, sizeof err) < 0)
			_exit(2);
		for (t = NOW - 3000; t <= NOW; t += 30) {
			struct sample s = mk(t, 2, "5");

			history_append(&st.h, &s, err, sizeof err);
		}
		_exit(history_save(&st, NOW, err, sizeof err) == -1 &&
		      strstr(err, "File too large") ? 0 : 1);
	}
	cr_assert_eq(wait_children(&pid, 1, 15), 0);
	assert_save_fails_and_keeps(path, before);
	cr_assert_eq(stat(tmp, &sb), -1, "the partial temporary file is removed");
	rmtree(dir);
}

/* ------------------------------------------------------- another store */

/* A store in memory: what another store (a key-value server) must do. */
struct mem_store {
	char where[64];
	char *text;
	size_t len;
	bool locked;
	bool held_elsewhere;
	char calls[64];			/* "L" lock, "R" load, "S" save, "U" unlock */
};

static void called(struct mem_store *m, char c)
{
	size_t n = strlen(m->calls);

	if (n + 1 < sizeof m->calls) {
		m->calls[n] = c;
		m->calls[n + 1] = '\0';
	}
}

static int mem_lock(void *self, const char *where, unsigned lock_wait_ms, bool *busy,
		    char *err, size_t errlen)
{
	struct mem_store *m = self;

	(void)lock_wait_ms;
	called(m, 'L');
	*busy = m->held_elsewhere;
	if (m->held_elsewhere)
		return errorf(err, errlen, "history %s is locked by another check", where);
	if (m->text && !history_text_is_ours(m->text, m->len))
		return errorf(err, errlen, "%s is not a history", where);
	snprintf(m->where, sizeof m->where, "%s", where);
	m->locked = true;
	return 0;
}

static int mem_load(void *self, size_t max, char **text, size_t *len, bool *existed,
		    char *err, size_t errlen)
{
	struct mem_store *m = self;

	(void)max;
	(void)err;
	(void)errlen;
	called(m, 'R');
	*existed = m->text != NULL;
	*text = NULL;
	*len = 0;
	if (m->text) {
		*text = malloc(m->len + 1);
		cr_assert_not_null(*text);
		memcpy(*text, m->text, m->len);
		*len = m->len;
	}
	return 0;
}

static int mem_save(void *self, const char *text, size_t len, char *err, size_t errlen)
{
	struct mem_store *m = self;

	called(m, 'S');
	if (!m->locked)
		return errorf(err, errlen, "not locked");
	free(m->text);
	m->text = malloc(len + 1);
	cr_assert_not_null(m->text);
	memcpy(m->text, text, len);
	m->text[len] = '\0';
	m->len = len;
	return 0;
}

static void mem_unlock(void *self)
{
	struct mem_store *m = self;

	called(m, 'U');
	m->locked = false;
}

static const struct history_store mem_store_ops = {
	"memory", mem_lock, mem_load, mem_save, mem_unlock,
};

Test(histstore, another_store_runs_the_same_cycle)
{
	static struct locked_history lh;
	struct mem_store m;
	struct sample s = mk(NOW, 41234, "1388");
	char err[ERRBUF_SIZE];

	memset(&m, 0, sizeof m);
	cr_assert_eq(history_open_in(&lh, &mem_store_ops, &m, "h+161+async.exe", "h+161+async.exe",
				     NOW, 1000, err, sizeof err), 0, "%s", err);
	cr_assert_not(lh.existed);
	cr_assert_eq(lh.h.n, 0);
	cr_assert_eq(history_append(&lh.h, &s, err, sizeof err), 0, "%s", err);
	cr_assert_eq(history_save(&lh, NOW, err, sizeof err), 0, "%s", err);
	history_close(&lh);
	history_close(&lh);
	cr_assert_str_eq(m.calls, "LRSU", "lock, load, save, unlock, once each");
	cr_assert(strncmp(m.text, HISTORY_MAGIC "\n", strlen(HISTORY_MAGIC) + 1) == 0, "%s", m.text);
	cr_assert(strstr(m.text, "# key=h+161+async.exe\n") != NULL, "%s", m.text);
	cr_assert(strstr(m.text, "\n1700000000 41234 1388 - -\n") != NULL, "%s", m.text);

	/* Read back under another key: another check's history is not mixed in. */
	cr_assert_eq(history_open_in(&lh, &mem_store_ops, &m, "x", "other+161+async.exe", NOW,
				     1000, err, sizeof err), 0, "%s", err);
	cr_assert(lh.existed);
	cr_assert_eq(lh.h.n, 0);
	cr_assert(strstr(lh.h.note, "belongs to another check") != NULL, "%s", lh.h.note);
	history_close(&lh);

	/* Held by another check: busy, nothing left locked or allocated. */
	m.held_elsewhere = true;
	m.calls[0] = '\0';
	cr_assert_eq(history_open_in(&lh, &mem_store_ops, &m, "x", NULL, NOW, 1000, err,
				     sizeof err), -1);
	cr_assert(lh.busy);
	cr_assert_null(lh.store);
	cr_assert_str_eq(m.calls, "LU", "a failed lock is still unlocked (safe)");
	cr_assert_eq(history_save(&lh, NOW, err, sizeof err), -1);
	cr_assert_str_eq(err, "the state file is not open");
	free(m.text);
}
