/*
 * test_safefile.c - the file-safety layer on its own, with no history in
 * sight: the calling sequence over any bytes, the foreign-file hook, the
 * read bound, and a replace that needs the lock.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history_fixtures.h"
#include "safefile.h"
#include "util.h"

static bool starts_ok(const char *text, size_t len)
{
	return len == 0 || (len >= 2 && memcmp(text, "ok", 2) == 0);
}

Test(safefile, the_calling_sequence_over_any_bytes)
{
	char dir[64], path[128], err[ERRBUF_SIZE];
	struct safefile f;
	char *text;
	size_t len;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/sub/blob", dir);
	cr_assert_eq(safefile_prepare_dir(path, geteuid(), "(hint)", err, sizeof err), 0, "%s", err);
	cr_assert_eq(safefile_open(&f, path, NULL, 1000, err, sizeof err), 0, "%s", err);
	cr_assert_eq(safefile_read(&f, 100, &text, &len, err, sizeof err), 0, "%s", err);
	cr_assert_null(text);
	cr_assert_eq(len, 0);
	cr_assert_not(f.existed);
	cr_assert_eq(safefile_replace(&f, "\x01\x02 any bytes\n", 14, err, sizeof err), 0, "%s", err);
	cr_assert_eq(safefile_replace(&f, "second", 6, err, sizeof err), 0, "%s", err);
	safefile_close(&f);
	safefile_close(&f);	/* twice is harmless */

	cr_assert_eq(safefile_open(&f, path, NULL, 1000, err, sizeof err), 0, "%s", err);
	cr_assert_eq(safefile_read(&f, 100, &text, &len, err, sizeof err), 0, "%s", err);
	cr_assert(f.existed);
	cr_assert_eq(len, 6);
	cr_assert(memcmp(text, "second", 6) == 0);
	free(text);
	safefile_close(&f);
	cr_assert_eq(safefile_replace(&f, "x", 1, err, sizeof err), -1, "not without the lock");
	cr_assert_str_eq(err, "the state file is not open");
	rmtree(dir);
}

Test(safefile, the_hook_refuses_a_file_before_any_lock_file)
{
	char dir[64], path[128], lock[160], err[ERRBUF_SIZE];
	struct safefile f;
	struct stat sb;
	FILE *out;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/blob", dir);
	snprintf(lock, sizeof lock, "%s.lock", path);
	out = fopen(path, "w");
	cr_assert_not_null(out);
	fputs("not mine\n", out);
	fclose(out);
	cr_assert_eq(safefile_open(&f, path, starts_ok, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "refusing to replace it") != NULL, "%s", err);
	cr_assert_eq(f.lock_fd, -1);
	cr_assert_eq(stat(lock, &sb), -1, "no lock file made next to it");
	/* Without the hook the same file is anyone's. */
	cr_assert_eq(safefile_open(&f, path, NULL, 1000, err, sizeof err), 0, "%s", err);
	safefile_close(&f);
	rmtree(dir);
}

Test(safefile, a_read_stops_one_byte_past_the_bound)
{
	char dir[64], path[128], err[ERRBUF_SIZE];
	static char big[200000];
	struct safefile f;
	char *text;
	size_t len;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/blob", dir);
	memset(big, 'b', sizeof big);
	cr_assert_eq(safefile_open(&f, path, NULL, 1000, err, sizeof err), 0, "%s", err);
	cr_assert_eq(safefile_replace(&f, big, sizeof big, err, sizeof err), 0, "%s", err);
	cr_assert_eq(safefile_read(&f, sizeof big, &text, &len, err, sizeof err), 0, "%s", err);
	cr_assert_eq(len, sizeof big, "a file of exactly max bytes is read whole");
	free(text);
	cr_assert_eq(safefile_read(&f, 100000, &text, &len, err, sizeof err), 0, "%s", err);
	cr_assert_gt(len, 100000, "larger than max shows");
	cr_assert_lt(len, sizeof big);
	free(text);
	safefile_close(&f);
	rmtree(dir);
}
