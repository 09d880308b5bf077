/*
 * fuzz_replay.c - libFuzzer target for the --replay series parser
 * (replay.c: replay_parse_line() and replay_run(), with trend_analyze()
 * and trend_compact() behind it).
 *
 * Input: a recorded series, any bytes.
 *
 * Properties checked (abort() on violation, so libFuzzer saves the input):
 *   - every line (as fgets() would hand it over, '\n' kept), with
 *     header_ok false and true, gives 1, 0 or -1; 1 leaves a sample with
 *     t > 0, mem_kb >= 0 and an index list of digits and commas; -1 leaves
 *     a message of one printable line; header_ok only turns a -1 into 0,
 *     never changes an accepted sample;
 *   - replay_run() over the whole input (read through fmemopen(), output
 *     to /dev/null) returns 0 or -1, and on -1 its message is one
 *     printable line naming a line number that exists ("line N: ...",
 *     "... at line N"); it succeeds when every line parses;
 *   - no crash, leak or undefined behaviour (ASan, UBSan, LeakSanitizer).
 * The first byte picks the trend parameters (growth thresholds in bytes
 * or percent, limit, baseline fixed or learned), so that each path of
 * trend_analyze() gets its turn.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "util.h"

#define LINE_BUF 1100	/* replay.c reads lines of at most 1024 characters */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_replay: %s\n  detail: %.600s\n", what, detail);
	abort();
}

static void check_line(const char *msg, const char *what)
{
	const char *p;

	if (!msg[0])
		fail("failed without a message", what);
	for (p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			fail(what, msg);
}

/* Returns whether line parses (1 or 0) with header_ok false. */
static bool check_parse(const char *line)
{
	struct sample s, h;
	char err[ERRBUF_SIZE], herr[ERRBUF_SIZE];
	int got, hgot;
	const char *p;

	memset(err, 0, sizeof err);
	got = replay_parse_line(line, false, &s, err, sizeof err);
	if (got < -1 || got > 1)
		fail("replay_parse_line returned a value out of range", line);
	if (got < 0)
		check_line(err, "replay_parse_line's message is not one printable line");
	if (got == 1) {
		if (s.t <= 0)
			fail("accepted a sample with t <= 0", line);
		if (s.mem_kb < 0)
			fail("accepted a sample with mem_kb < 0", line);
		if (!memchr(s.indexes, '\0', sizeof s.indexes))
			fail("index list not terminated", line);
		for (p = s.indexes; *p; p++)
			if (!(*p >= '0' && *p <= '9') && *p != ',')
				fail("index list holds more than digits and commas", line);
	}

	memset(herr, 0, sizeof herr);
	hgot = replay_parse_line(line, true, &h, herr, sizeof herr);
	if (hgot < -1 || hgot > 1)
		fail("replay_parse_line returned a value out of range (header_ok)", line);
	if (hgot < 0)
		check_line(herr, "replay_parse_line's message is not one printable line");
	if (got >= 0 && hgot != got)
		fail("header_ok changed the verdict on a line that parses", line);
	if (got < 0 && hgot == 1)
		fail("header_ok made a bad line a sample", line);
	if (got == 1 && (h.t != s.t || h.mem_kb != s.mem_kb || strcmp(h.indexes, s.indexes)))
		fail("header_ok changed the sample", line);
	return got >= 0;
}

/* The line number named in a message ("line N: ..." or "... at line N"). */
static long named_line(const char *msg)
{
	const char *p = strstr(msg, "line ");

	if (!p || p[5] < '0' || p[5] > '9')
		return -1;
	return strtol(p + 5, NULL, 10);
}

static void pick_params(struct trend_params *p, uint8_t b)
{
	memset(p, 0, sizeof *p);
	if (b & 1) {
		p->growth_warning_bph = 1024.0 * 1024;
		p->growth_critical_bph = 4.0 * 1024 * 1024;
	}
	if (b & 2) {
		p->growth_warning_pct = 1;
		p->growth_critical_pct = 3;
	}
	if (b & 4) {
		p->timeleft_warning_s = 7 * 86400.0;
		p->timeleft_critical_s = 86400.0;
	}
	if (b & 8)
		p->limit_bytes = 2.0 * 1024 * 1024 * 1024;
	if (b & 16)
		p->baseline_bytes = 40.0 * 1024 * 1024;
	p->baseline_auto = (b & 32) != 0;
	if (b & 64)
		p->learned_baseline_bytes = 30.0 * 1024 * 1024;
	p->min_window_s = (b & 128) ? 3600.0 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct trend_params params;
	char line[LINE_BUF], err[ERRBUF_SIZE];
	size_t pos = 0;
	long lines = 0;
	bool all_parse = true;
	FILE *in;
	int rc;

	/* Line by line, '\n' kept, as fgets() hands them to the parser. */
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t n = nl ? (size_t)(nl - data) - pos + 1 : size - pos;
		size_t text = nl ? n - 1 : n;
		size_t take = n < sizeof line - 1 ? n : sizeof line - 1;

		if (text > 1024 || memchr(data + pos, '\0', n))
			all_parse = false;	/* replay_run() reads it otherwise */
		memcpy(line, data + pos, take);
		line[take] = '\0';
		if (!check_parse(line))
			all_parse = false;
		pos += n;
		lines++;
	}

	if (size == 0)
		return 0;
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			fail("cannot open /dev/null", "");
	}
	in = fmemopen((void *)data, size, "r");
	if (!in)
		fail("fmemopen failed", "");
	pick_params(&params, data[0]);
	memset(err, 0, sizeof err);
	rc = replay_run(in, devnull, &params, err, sizeof err);
	fclose(in);
	if (rc != 0 && rc != -1)
		fail("replay_run returned a value out of range", err);
	if (rc == -1) {
		long at = named_line(err);

		check_line(err, "replay_run's message is not one printable line");
		if (at < 1 || at > lines + 1)
			fail("replay_run's message names no line of the input", err);
	}
	if (rc != 0 && all_parse)
		fail("replay_run failed on a series whose every line parses", err);
	return 0;
}
