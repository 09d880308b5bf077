/*
 * fuzz_ini.c - libFuzzer target for the INI file loader (inifile.c, with
 * config_set() and config_validate() behind it).
 *
 * Input: the bytes of an INI file.  inifile_load() takes a path, so the
 * input is written once per run into a memfd and loaded through
 * /proc/self/fd/N (no disk, no file left behind; about as fast as a file
 * in /dev/shm and simpler).  The first byte of the input (which stays part
 * of the file) picks two loads into the same config, one after the other:
 * section none, "", "exch01", "EXCH01", "defaults" or a missing one, each
 * required or not.
 *
 * Properties checked (abort() on violation, so libFuzzer saves the input):
 *   - no crash, leak or undefined behaviour (ASan, UBSan, LeakSanitizer);
 *   - on failure the message begins with the file name (or "cannot read "
 *     and the file name), is one line of printable ASCII, and the config
 *     is left untouched, as inifile.h promises;
 *   - a secret's value never appears in a message: for every line
 *     "community|authpasswd|privpasswd|authmasterkey|authlocalkey|
 *     privmasterkey|privlocalkey = X" (or ':', inih takes both)
 *     where X is a run of at least 6 marker letters (QXZJKVWY) that occurs
 *     nowhere else in the input, no message of either load contains X (so
 *     a secret set by a successful first load does not leak into the
 *     second load's error either);
 *   - after a successful load config_validate() runs (its verdict is not
 *     checked: a file alone need not make a complete configuration) and
 *     gives a printable one-line message.
 */
#define _GNU_SOURCE	/* memfd_create */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "inifile.h"
#include "util.h"

#define MARKER_ALPHABET "QXZJKVWY"
#define MARKER_MIN 6
#define MAX_SECRETS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_ini: %s\n  detail: %.600s\n", what, detail);
	abort();
}

/* The memfd the input is written to, made on the first call. */
static const char *input_path(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz_ini.ini", MFD_CLOEXEC);
		if (fd < 0)
			fail("memfd_create failed", "");
		/* A memfd is mode 0777: as root, the loader refuses such a file. */
		if (fchmod(fd, 0600) != 0)
			fail("fchmod failed", "");
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0)
		fail("ftruncate failed", "");
	while (done < size) {
		ssize_t got = pwrite(fd, data + done, size - done, (off_t)done);

		if (got <= 0)
			fail("pwrite failed", "");
		done += (size_t)got;
	}
	return path;
}

struct secret {
	const uint8_t *p;
	size_t len;
};

static bool is_marker(uint8_t c)
{
	return c && strchr(MARKER_ALPHABET, c) != NULL;
}

static size_t count_in(const uint8_t *hay, size_t n, const uint8_t *needle, size_t len)
{
	size_t i, count = 0;

	for (i = 0; i + len <= n; i++)
		if (memcmp(hay + i, needle, len) == 0)
			count++;
	return count;
}

/*
 * The secret values of the input worth looking for: after "KEY" (any case,
 * indentation allowed), blanks, '=', blanks and an optional '"', a run of
 * marker letters that the input holds only once.
 */
static size_t find_secrets(const uint8_t *data, size_t size, struct secret *out)
{
	static const char *const keys[] = { "community", "authpasswd", "privpasswd",
					    "authmasterkey", "authlocalkey",
					    "privmasterkey", "privlocalkey" };
	size_t pos = 0, n = 0, k;

	while (pos < size && n < MAX_SECRETS) {
		size_t end = pos, p;

		while (end < size && data[end] != '\n')
			end++;
		p = pos;
		while (p < end && (data[p] == ' ' || data[p] == '\t'))
			p++;
		for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			size_t kl = strlen(keys[k]), q = p, v;

			if (end - q < kl || strncasecmp((const char *)data + q, keys[k], kl) != 0)
				continue;
			q += kl;
			while (q < end && (data[q] == ' ' || data[q] == '\t'))
				q++;
			if (q >= end || (data[q] != '=' && data[q] != ':'))
				continue;
			q++;
			while (q < end && (data[q] == ' ' || data[q] == '\t'))
				q++;
			if (q < end && data[q] == '"')
				q++;
			for (v = q; v < end && is_marker(data[v]); v++)
				;
			if (v - q >= MARKER_MIN &&
			    count_in(data, size, data + q, v - q) == 1) {
				out[n].p = data + q;
				out[n].len = v - q;
				n++;
			}
		}
		pos = end + 1;
	}
	return n;
}

static void check_line(const char *msg, const char *what)
{
	const char *p;

	if (!memchr(msg, '\0', ERRBUF_SIZE))
		fail("message not terminated", what);
	for (p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			fail(what, msg);
}

static void check_secrets(const char *msg, const struct secret *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (count_in((const uint8_t *)msg, strlen(msg), s[i].p, s[i].len) > 0)
			fail("a secret's value is in the message", msg);
}

/* One load into cfg, with all the checks. */
static void load(struct config *cfg, const char *path, unsigned pick,
		 const struct secret *secrets, size_t nsecrets)
{
	static const char *const sections[] = {
		NULL, "", "exch01", "EXCH01", "defaults", "exch03",
	};
	const char *section = sections[pick % 6];
	bool required = (pick / 6) & 1;
	struct inifile_notes notes;
	struct config before;
	char err[ERRBUF_SIZE], verr[ERRBUF_SIZE];
	char prefix[80];
	size_t plen = strlen(path);

	memcpy(&before, cfg, sizeof before);
	memset(err, 0, sizeof err);
	if (inifile_load(cfg, path, section, required, &notes, err, sizeof err) == 0) {
		if (!memchr(notes.section_used, '\0', sizeof notes.section_used))
			fail("section_used not terminated", "");
		if (notes.section_used[0] && (!section || strcasecmp(notes.section_used, section) != 0))
			fail("section_used is not the section asked for", notes.section_used);
		memset(verr, 0, sizeof verr);
		if (config_validate(cfg, verr, sizeof verr) != 0) {
			check_line(verr, "config_validate's message is not one printable line");
			check_secrets(verr, secrets, nsecrets);
		}
		return;
	}
	if (!err[0])
		fail("failed without a message", "");
	check_line(err, "message is not one printable line");
	snprintf(prefix, sizeof prefix, "cannot read %s", path);
	if (!(strncmp(err, path, plen) == 0 && err[plen] == ':') &&
	    strncmp(err, prefix, strlen(prefix)) != 0)
		fail("message does not begin with the file name", err);
	check_secrets(err, secrets, nsecrets);
	if (memcmp(&before, cfg, sizeof before) != 0)
		fail("a failed load changed the config", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct secret secrets[MAX_SECRETS];
	struct config cfg;
	const char *path;
	size_t nsecrets;
	unsigned pick = size ? data[0] : 0;

	if (size > INIFILE_SIZE_MAX)
		return 0;
	nsecrets = find_secrets(data, size, secrets);
	path = input_path(data, size);
	/* memset first: the "untouched on failure" check compares bytes. */
	memset(&cfg, 0, sizeof cfg);
	config_init(&cfg);
	load(&cfg, path, pick % 12, secrets, nsecrets);
	load(&cfg, path, (pick / 12) % 12, secrets, nsecrets);
	return 0;
}
