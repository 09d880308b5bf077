/*
 * test_state.c - the state file: text round trip, every kind of damage,
 * compaction bounds over a simulated year, file names that cannot escape
 * their directory, symbolic links, permissions, locking under
 * concurrency, and saves that fail without losing the previous file.
 */
#define _XOPEN_SOURCE 700	/* nftw() */

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

#include "state.h"
#include "util.h"

#define NOW ((time_t)1700000000)	/* 2023-11-14 22:13:20 UTC */
#define HOUR 3600
#define DAY 86400

/* ------------------------------------------------------------- helpers */

static struct sample mk(time_t t, long kb, const char *idx)
{
	struct sample s;

	memset(&s, 0, sizeof s);
	s.t = t;
	s.mem_kb = kb;
	snprintf(s.indexes, sizeof s.indexes, "%s", idx);
	return s;
}

static struct sample mk_full(time_t t, long kb, const char *idx,
			     unsigned long cpu, unsigned long up)
{
	struct sample s = mk(t, kb, idx);

	s.cpu_cs = cpu;
	s.has_cpu = true;
	s.uptime_ticks = up;
	s.has_uptime = true;
	return s;
}

static void parse_str(const char *text, time_t now, struct state_history *h)
{
	char err[ERRBUF_SIZE] = "";

	state_history_init(h);
	cr_assert_eq(state_parse(text, strlen(text), now, h, err, sizeof err), 0, "%s", err);
}

static char *format(const struct state_history *h, size_t *len)
{
	char err[ERRBUF_SIZE] = "";
	char *out = NULL;
	size_t l;

	cr_assert_eq(state_format(h, &out, &l, err, sizeof err), 0, "%s", err);
	cr_assert_eq(strlen(out), l);
	if (len)
		*len = l;
	return out;
}

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

static void append(struct state_history *h, struct sample s)
{
	char err[ERRBUF_SIZE] = "";

	cr_assert_eq(state_append(h, &s, err, sizeof err), 0, "%s", err);
}

/* A fresh private directory for one test. */
static void tmpdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/test_state.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
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

/* ---------------------------------------------------------- round trip */

Test(state, round_trip_keeps_every_field)
{
	struct state_history h, g;
	struct state_segment seg = { NOW - 9 * DAY, NOW - 5 * DAY, true, true, -1234, 40960, 250000 };
	char err[ERRBUF_SIZE];
	char *a, *b;
	size_t i, hourly = 0;
	time_t t;

	state_history_init(&h);
	for (t = NOW - 30 * HOUR; t < NOW - 2 * HOUR; t += 300)
		append(&h, mk_full(t, 41000 + (t / 300) % 5, "1388", (unsigned long)t / 10,
				   (unsigned long)t));
	append(&h, mk(NOW - 2 * HOUR, 42000, "1388,2412"));
	append(&h, mk_full(NOW - 60, 43000, "", 7, 8));
	state_compact(&h, NOW);
	for (i = 0; i < h.n; i++)
		hourly += h.samples[i].hourly;
	cr_assert_geq(hourly, 25);
	cr_assert_not(h.samples[h.n - 1].hourly);
	state_set_baseline(&h, 40960, NOW - DAY);
	cr_assert_eq(state_put_segment(&h, &seg, err, sizeof err), 0);
	seg.start = NOW - 4 * DAY;
	seg.end = NOW - 2 * DAY;
	seg.leaking = false;
	seg.has_slope = false;
	seg.base_kb = -1;
	cr_assert_eq(state_put_segment(&h, &seg, err, sizeof err), 0);
	cr_assert_eq(state_kv_set(&h, "warmup_s", "43200", err, sizeof err), 0);
	snprintf(h.key, sizeof h.key, "exch01.corp.example+161+async.exe");
	h.written = NOW;

	a = format(&h, NULL);
	parse_str(a, NOW, &g);
	cr_assert_str_eq(g.note, "");
	b = format(&g, NULL);
	cr_assert_str_eq(a, b);

	cr_assert_eq(g.n, h.n);
	for (i = 0; i < h.n; i++) {
		cr_assert_eq(g.samples[i].t, h.samples[i].t);
		cr_assert_eq(g.samples[i].mem_kb, h.samples[i].mem_kb);
		cr_assert_str_eq(g.samples[i].indexes, h.samples[i].indexes);
		cr_assert_eq(g.samples[i].has_cpu, h.samples[i].has_cpu);
		cr_assert_eq(g.samples[i].cpu_cs, h.samples[i].cpu_cs);
		cr_assert_eq(g.samples[i].has_uptime, h.samples[i].has_uptime);
		cr_assert_eq(g.samples[i].uptime_ticks, h.samples[i].uptime_ticks);
		cr_assert_eq(g.samples[i].hourly, h.samples[i].hourly);
	}
	cr_assert(g.have_baseline);
	cr_assert_eq(g.baseline_kb, 40960);
	cr_assert_eq(g.baseline_learned_at, NOW - DAY);
	cr_assert_eq(g.nsegments, 2);
	cr_assert(g.segments[0].leaking);
	cr_assert_eq(g.segments[0].slope_bph, -1234);
	cr_assert_eq(g.segments[0].peak_kb, 250000);
	cr_assert_not(g.segments[1].has_slope);
	cr_assert_eq(g.segments[1].base_kb, -1);
	cr_assert_str_eq(state_kv_get(&g, "warmup_s"), "43200");
	cr_assert_str_eq(g.key, "exch01.corp.example+161+async.exe");
	cr_assert_eq(g.written, NOW);
	free(a);
	free(b);
	state_history_free(&h);
	state_history_free(&g);
}

Test(state, format_is_the_documented_text)
{
	struct state_history h;
	char *a;

	state_history_init(&h);
	append(&h, mk_full(NOW - 60, 41234, "1388", 123456, 98765432));
	append(&h, mk(NOW, 41240, "1388,2412"));
	a = format(&h, NULL);
	cr_assert_str_eq(a, STATE_MAGIC "\n"
			 "# Format (see README): UNIX_TIME MEM_KB INDEXES CPU_CS UPTIME_TICKS [h]\n"
			 "1699999940 41234 1388 123456 98765432\n"
			 "1700000000 41240 1388,2412 - -\n");
	free(a);
	state_history_free(&h);
}

Test(state, short_sample_lines_and_crlf_are_read)
{
	struct state_history h;

	parse_str(STATE_MAGIC "\r\n1699999000 100 5\r\n1699999100\t200  -\r\n"
		  "1699999200 300 7 9\n\n   \n", NOW, &h);
	cr_assert_str_eq(h.note, "");
	cr_assert_eq(h.n, 3);
	cr_assert_str_eq(h.samples[1].indexes, "");
	cr_assert_eq(h.samples[2].cpu_cs, 9);
	cr_assert(h.samples[2].has_cpu);
	cr_assert_not(h.samples[2].has_uptime);
	state_history_free(&h);
}

Test(state, comments_are_ignored)
{
	struct state_history h;

	parse_str(STATE_MAGIC "\n# hand-edited: reset after the 2001 patch\n#\n"
		  "1699999000 100 5\n", NOW, &h);
	cr_assert_str_eq(h.note, "");
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.nkv, 0);
	state_history_free(&h);
}

/* -------------------------------------------------------------- damage */

Test(state, empty_file_is_a_fresh_start)
{
	struct state_history h;

	parse_str("", NOW, &h);
	cr_assert_eq(h.n, 0);
	cr_assert_str_eq(h.note, "");
	cr_assert_not(h.foreign);
}

Test(state, foreign_file_is_empty_history_with_a_note)
{
	struct state_history h;

	parse_str("root:x:0:0:root:/root:/bin/bash\n1699999000 100 5\n", NOW, &h);
	cr_assert(h.foreign);
	cr_assert_eq(h.n, 0);
	cr_assert(strstr(h.note, "not a check_async_leak state file"), "%s", h.note);
	state_history_free(&h);
}

Test(state, newer_format_version_is_named)
{
	struct state_history h;

	parse_str("# check_async_leak state v2\n1699999000 100 5\n", NOW, &h);
	cr_assert(h.foreign);
	cr_assert_eq(h.n, 0);
	cr_assert(strstr(h.note, "format v2"), "%s", h.note);
	state_history_free(&h);
	/* File bytes never reach the note (found by fuzz_state). */
	parse_str("# check_async_leak state v1 \xc6\x01x\n", NOW, &h);
	cr_assert(h.foreign);
	cr_assert(strstr(h.note, "not a check_async_leak state file"), "%s", h.note);
}

Test(state, garbage_lines_are_skipped_and_counted)
{
	struct state_history h;

	parse_str(STATE_MAGIC "\n"
		  "1699999000 100 5 - -\n"
		  "hello world\n"			/* line 3 */
		  "1699999060 -100 5\n"			/* negative memory */
		  "1699999060 8796093018113 5\n"	/* beyond STATE_MEM_KB_MAX */
		  "0 100 5\n"				/* time zero */
		  "-5 100 5\n"
		  "1699999060 100\n"			/* no indexes */
		  "1699999060 100 01\n"			/* leading zero */
		  "1699999060 100 1,,2\n"
		  "1699999060 100 1,\n"
		  "1699999060 100 2147483648\n"		/* index beyond Integer32 */
		  "1699999060 100 x\n"
		  "1699999060 100 5 -3 -\n"		/* negative counter */
		  "1699999060 100 5 - - 1\n"		/* six fields */
		  "1699999060 100 5 - - 1 100 9\n"	/* eight fields */
		  "1699999060 1e3 5\n"
		  "1699999060 100 5 99999999999999999999999 -\n"
		  "1699999120 200 5 - -\n",
		  NOW, &h);
	cr_assert_eq(h.n, 2);
	cr_assert_eq(h.samples[1].mem_kb, 200);
	cr_assert_eq(h.damaged_lines, 16);
	cr_assert_not(h.foreign);
	cr_assert(strstr(h.note, "16 damaged lines ignored (the first is line 3)"), "%s", h.note);
	state_history_free(&h);
}

Test(state, hourly_lines_carry_an_h)
{
	struct state_history h;

	parse_str(STATE_MAGIC "\n"
		  "1699000000 100 5 - - H\n"
		  "1699000000 100 5 - - hourly\n"
		  "1699000000 100 5 - - 1\n"
		  "1699000000 100 5 - - h\n"
		  "1699003600 90 5 - - h\n"
		  "1699003700 95 5 - -\n"		/* a thin hour stays raw ... */
		  "1699007200 80 5 - - h\n",	/* ... between floors */
		  NOW, &h);
	cr_assert_eq(h.n, 4);
	cr_assert(h.samples[0].hourly);
	cr_assert_not(h.samples[2].hourly);
	cr_assert(h.samples[3].hourly);
	cr_assert_eq(h.damaged_lines, 3);
	state_history_free(&h);
}

Test(state, nul_bytes_and_overlong_lines_are_damage)
{
	struct state_history h;
	char text[2048];
	size_t len;
	char err[ERRBUF_SIZE];

	len = (size_t)snprintf(text, sizeof text, "%s\n1699999000 100 5\n", STATE_MAGIC);
	memcpy(text + len, "1699999060 1\0000 5\n", 17);
	len += 17;
	memset(text + len, '7', 600);
	len += 600;
	text[len++] = '\n';
	len += (size_t)snprintf(text + len, sizeof text - len, "1699999120 300 5\n");
	state_history_init(&h);
	cr_assert_eq(state_parse(text, len, NOW, &h, err, sizeof err), 0);
	cr_assert_eq(h.n, 2);
	cr_assert_eq(h.damaged_lines, 2);
	state_history_free(&h);
}

Test(state, duplicate_and_disordered_times_are_dropped)
{
	struct state_history h;

	parse_str(STATE_MAGIC "\n"
		  "1699999000 100 5\n"
		  "1699999000 999 5\n"		/* duplicate: the first stays */
		  "1699998000 999 5\n"		/* backwards */
		  "1699999060 200 5\n"
		  "1699990000 100 5 - - h\n"	/* backwards as well */
		  "1699999120 300 5\n",
		  NOW, &h);
	cr_assert_eq(h.n, 3);
	cr_assert_eq(h.samples[0].mem_kb, 100);
	cr_assert_eq(h.disordered, 3);
	cr_assert_eq(h.damaged_lines, 0);
	cr_assert(strstr(h.note, "3 records out of time order or duplicated"), "%s", h.note);
	state_history_free(&h);
}

Test(state, clock_stepped_back_drops_future_samples)
{
	struct state_history h;

	/* The last check ran at NOW + 1 h; the clock has since gone back. */
	parse_str(STATE_MAGIC "\n"
		  "# segment=1699990000 1700003600 0 - - -\n"
		  "1699999000 100 5\n"
		  "1700000000 200 5\n"
		  "1700000060 300 5\n"
		  "1700003600 400 5\n",
		  NOW, &h);
	cr_assert_eq(h.n, 2);
	cr_assert_eq(h.samples[1].t, NOW);
	cr_assert_eq(h.future, 3);
	cr_assert_eq(h.nsegments, 0);
	cr_assert(strstr(h.note, "3 records newer than now dropped (clock stepped back?)"),
		  "%s", h.note);
	state_history_free(&h);
}

Test(state, bad_metadata_is_damage_but_keeps_samples)
{
	struct state_history h;
	char text[8192];
	size_t len = 0;
	int i;

	len += (size_t)snprintf(text + len, sizeof text - len, "%s\n", STATE_MAGIC);
	len += (size_t)snprintf(text + len, sizeof text - len,
		"# key=../../etc/passwd\n"		/* not a key we write */
		"# baseline_kb=lots\n"
		"# written=yesterday\n"
		"# segment=1699000000 1698000000 0 - - -\n"	/* ends before it starts */
		"# segment=1699000000 1699100000 2 - - -\n"	/* leaking not 0/1 */
		"# segment=1699000000 1699100000 1 --5 - -\n"
		"# segment=1699000000 1699100000 1 - -\n"
		"# Bad-Key=1\n"
		"# value=\x01\n");
	for (i = 0; i < STATE_MAX_KV + 1; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "# k%d=%d\n", i, i);
	len += (size_t)snprintf(text + len, sizeof text - len, "1699999000 100 5\n");
	parse_str(text, NOW, &h);
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.damaged_lines, 10, "%u: %s", h.damaged_lines, h.note);
	cr_assert_eq(h.nkv, STATE_MAX_KV);
	cr_assert_str_eq(h.key, "");
	cr_assert_not(h.have_baseline);
	cr_assert_eq(h.nsegments, 0);
	state_history_free(&h);
}

Test(state, too_large_a_file_is_foreign)
{
	struct state_history h;
	char err[ERRBUF_SIZE];
	size_t len = (size_t)STATE_MAX_FILE + 1;
	char *text = malloc(len);

	memset(text, '\n', len);
	memcpy(text, STATE_MAGIC, strlen(STATE_MAGIC));
	state_history_init(&h);
	cr_assert_eq(state_parse(text, len, NOW, &h, err, sizeof err), 0);
	cr_assert(h.foreign);
	cr_assert(strstr(h.note, "too large"), "%s", h.note);
	free(text);
}

Test(state, too_many_segments_keep_the_newest)
{
	struct state_history h;
	struct state_segment seg = { 0, 0, false, false, 0, -1, -1 };
	char err[ERRBUF_SIZE];
	char *a;
	int i;

	state_history_init(&h);
	for (i = 0; i < STATE_MAX_SEGMENTS + 10; i++) {
		seg.start = NOW - DAY + i * 100;
		seg.end = seg.start + 50;
		cr_assert_eq(state_put_segment(&h, &seg, err, sizeof err), 0);
	}
	cr_assert_eq(h.nsegments, STATE_MAX_SEGMENTS);
	cr_assert_eq(h.segments[0].start, NOW - DAY + 10 * 100);
	/* An update of the current segment replaces it in place. */
	seg.end += 7;
	seg.leaking = true;
	cr_assert_eq(state_put_segment(&h, &seg, err, sizeof err), 0);
	cr_assert_eq(h.nsegments, STATE_MAX_SEGMENTS);
	cr_assert(h.segments[STATE_MAX_SEGMENTS - 1].leaking);
	seg.end = seg.start - 1;
	cr_assert_eq(state_put_segment(&h, &seg, err, sizeof err), -1);
	a = format(&h, NULL);
	state_history_free(&h);
	parse_str(a, NOW, &h);
	cr_assert_eq(h.nsegments, STATE_MAX_SEGMENTS);
	free(a);
	state_history_free(&h);
}

Test(state, kv_rejects_reserved_and_bad_names)
{
	struct state_history h;
	char err[ERRBUF_SIZE];

	state_history_init(&h);
	cr_assert_eq(state_kv_set(&h, "segment", "1", err, sizeof err), -1);
	cr_assert_eq(state_kv_set(&h, "Key", "1", err, sizeof err), -1);
	cr_assert_eq(state_kv_set(&h, "", "1", err, sizeof err), -1);
	cr_assert_eq(state_kv_set(&h, "a", "line\nbreak", err, sizeof err), -1);
	cr_assert_eq(state_kv_set(&h, "a", "x", err, sizeof err), 0);
	cr_assert_eq(state_kv_set(&h, "a", "y", err, sizeof err), 0);
	cr_assert_str_eq(state_kv_get(&h, "a"), "y");
	cr_assert_eq(state_kv_set(&h, "a", NULL, err, sizeof err), 0);
	cr_assert_null(state_kv_get(&h, "a"));
}

/* -------------------------------------------------------------- append */

Test(state, append_replaces_the_same_second_and_merges_by_time)
{
	struct state_history h;
	struct sample bad = mk(NOW, 1, "1 2");
	char err[ERRBUF_SIZE];

	state_history_init(&h);
	append(&h, mk(NOW - 120, 1, "5"));
	append(&h, mk(NOW - 60, 2, "5"));
	append(&h, mk(NOW, 3, "5"));
	append(&h, mk(NOW, 4, "5"));
	cr_assert_eq(h.n, 3);
	cr_assert_eq(h.samples[2].mem_kb, 4);
	/* A check that started 90 s ago and saved after this one's newer
	 * sample: merged by time, nothing dropped. */
	append(&h, mk(NOW - 90, 5, "5"));
	cr_assert_eq(h.n, 4);
	cr_assert_eq(h.samples[0].mem_kb, 1);
	cr_assert_eq(h.samples[1].mem_kb, 5);
	cr_assert_eq(h.samples[1].t, NOW - 90);
	cr_assert_eq(h.samples[2].mem_kb, 2);
	cr_assert_eq(h.samples[3].mem_kb, 4);
	append(&h, mk(NOW - 200, 6, "5"));	/* older than all */
	cr_assert_eq(h.n, 5);
	cr_assert_eq(h.samples[0].mem_kb, 6);
	append(&h, mk(NOW - 90, 7, "5"));	/* same second in the middle */
	cr_assert_eq(h.n, 5);
	cr_assert_eq(h.samples[2].mem_kb, 7);
	cr_assert_eq(state_append(&h, &bad, err, sizeof err), -1);
	bad = mk(NOW, -1, "5");
	cr_assert_eq(state_append(&h, &bad, err, sizeof err), -1);
	bad = mk(0, 1, "5");
	cr_assert_eq(state_append(&h, &bad, err, sizeof err), -1);
	cr_assert_eq(h.n, 5);
	for (size_t i = 1; i < h.n; i++)
		cr_assert_lt(h.samples[i - 1].t, h.samples[i].t);
	state_history_free(&h);
}

/* ---------------------------------------------------------- compaction */

static size_t count_hourly(const struct state_history *h)
{
	size_t i, k = 0;

	for (i = 0; i < h->n; i++)
		k += h->samples[i].hourly;
	return k;
}

Test(state, recent_samples_stay_raw)
{
	struct state_history h;
	time_t t;

	state_history_init(&h);
	for (t = NOW - TREND_KEEP_RAW_S; t <= NOW; t += 300)
		append(&h, mk(t, 1000, "5"));
	state_compact(&h, NOW);
	cr_assert_eq(count_hourly(&h), 0);
	cr_assert_eq(h.n, (size_t)(TREND_KEEP_RAW_S / 300 + 1));
	state_history_free(&h);
}

Test(state, old_samples_become_hourly_floors)
{
	struct state_history h;
	time_t hour = NOW - NOW % HOUR - 10 * HOUR;	/* an aligned hour, 10 h ago */
	time_t t;
	size_t i;

	/* 5-minute checks; the second hour has a restart at its half. */
	state_history_init(&h);
	for (t = hour; t < hour + 2 * HOUR; t += 300) {
		bool second = t >= hour + HOUR + HOUR / 2;
		long kb = 1000 + (long)((t - hour) / 300 % 7) * 10;

		if (t == hour + 1500)
			kb = 500;	/* the first hour's floor */
		append(&h, mk_full(t, kb, second ? "6" : "5", (unsigned long)(t - hour),
				   1000000));
	}
	for (t = NOW - 3600; t <= NOW; t += 300)
		append(&h, mk_full(t, 2000, "6", 1000000, 2000000));
	state_compact(&h, NOW);

	cr_assert_eq(count_hourly(&h), 3);
	cr_assert(h.samples[0].hourly);
	cr_assert_eq(h.samples[0].t, hour);
	cr_assert_eq(h.samples[0].mem_kb, 500);
	cr_assert_str_eq(h.samples[1].indexes, "5");
	cr_assert_str_eq(h.samples[2].indexes, "6");
	cr_assert_eq(h.samples[2].t, hour + HOUR + HOUR / 2);
	for (i = 3; i < h.n; i++)
		cr_assert_not(h.samples[i].hourly);
	for (i = 1; i < h.n; i++)
		cr_assert_gt(h.samples[i].t, h.samples[i - 1].t);
	state_history_free(&h);
}

Test(state, compaction_is_idempotent_and_drops_the_too_old)
{
	struct state_history h;
	char *a, *b;
	time_t t;

	state_history_init(&h);
	for (t = NOW - 40 * DAY; t <= NOW; t += 600)
		append(&h, mk(t, 1000 + (t / 600) % 7, "5"));
	state_compact(&h, NOW);
	cr_assert_geq(h.samples[0].t, NOW - STATE_KEEP_S);
	cr_assert_lt(h.samples[0].t, NOW - STATE_KEEP_S + HOUR);
	cr_assert_leq(h.n, 35 * 24 + TREND_KEEP_RAW_S / 600 + 12);
	a = format(&h, NULL);
	state_compact(&h, NOW);
	b = format(&h, NULL);
	cr_assert_str_eq(a, b);
	free(a);
	free(b);
	state_history_free(&h);
}

Test(state, fast_checks_are_capped)
{
	struct state_history h;
	time_t t;

	/* Every 2 s for a day. */
	state_history_init(&h);
	for (t = NOW - DAY; t <= NOW; t += 2)
		append(&h, mk(t, 1000, "5"));
	state_compact(&h, NOW);
	cr_assert_leq(h.n - count_hourly(&h), STATE_MAX_RAW);
	cr_assert_eq(h.samples[h.n - 1].t, NOW);
	cr_assert_geq(count_hourly(&h), 20);
	state_history_free(&h);
}

Test(state, restart_every_minute_stays_bounded)
{
	struct state_history h;
	char idx[16];
	char *a;
	size_t len;
	time_t t;

	state_history_init(&h);
	for (t = NOW - 40 * DAY; t <= NOW; t += 60) {
		snprintf(idx, sizeof idx, "%ld", (long)(t % 1000000) + 1);
		append(&h, mk(t, 2147483647L, idx));
	}
	state_compact(&h, NOW);
	cr_assert_leq(count_hourly(&h), STATE_MAX_HOURLY);
	cr_assert_leq(h.n - count_hourly(&h), STATE_MAX_RAW);
	a = format(&h, &len);
	cr_assert_lt(len, 520 * 1024);
	free(a);
	state_history_free(&h);
}

Test(state, worst_case_lines_stay_under_the_documented_size)
{
	static const char idx[] = "2147483647,2147483646,2147483645,2147483644,2147483643,"
		"2147483642,2147483641,2147483640,2147483639,2147483638,2147483637,123456";
	struct state_history h;
	struct state_segment seg = { 0, 0, true, true, -1000000000000000LL,	/* plugin/state.c's bound */
				     STATE_MEM_KB_MAX, STATE_MEM_KB_MAX };
	char err[ERRBUF_SIZE], key[16], value[STATE_KV_VALUE_MAX];
	size_t len, total = STATE_MAX_RAW + STATE_MAX_HOURLY, i, n = 0;
	char *text = malloc(total * 256 + 64), *out;
	int k;

	cr_assert_eq(strlen(idx), 127);
	n += (size_t)sprintf(text, "%s\n", STATE_MAGIC);
	for (i = 0; i < total; i++)
		n += (size_t)sprintf(text + n, "%lld %ld %s 18446744073709551615 "
				     "18446744073709551615%s\n",
				     (long long)(NOW - 30 * DAY + (time_t)i * 60), STATE_MEM_KB_MAX, idx,
				     i < STATE_MAX_HOURLY ? " h" : "");
	parse_str(text, NOW, &h);
	cr_assert_eq(h.n, total);
	for (i = 0; i < STATE_MAX_SEGMENTS; i++) {
		seg.start = NOW - DAY + (time_t)i;
		seg.end = NOW;
		cr_assert_eq(state_put_segment(&h, &seg, err, sizeof err), 0);
	}
	memset(value, 'v', sizeof value - 1);
	value[sizeof value - 1] = '\0';
	for (k = 0; k < STATE_MAX_KV; k++) {
		snprintf(key, sizeof key, "k%d", k);
		cr_assert_eq(state_kv_set(&h, key, value, err, sizeof err), 0, "%s", err);
	}
	memset(h.key, 'k', STATE_STEM_MAX);
	h.key[STATE_STEM_MAX] = '\0';
	h.written = NOW;
	state_set_baseline(&h, STATE_MEM_KB_MAX, NOW);
	out = format(&h, &len);
	cr_log_info("worst case: %zu records, %zu bytes", h.n, len);
	cr_assert_lt(len, 524 * 1024);
	free(out);
	free(text);
	state_history_free(&h);
}

/*
 * The slowest file to read: a full set of hourly floors, then 1 MiB of
 * samples that each look like a restart (a new index every minute), which
 * trend_compact() cannot fold, so the arrays fill up again and again.
 */
Test(state, a_file_that_cannot_be_folded_reads_fast, .timeout = 60)
{
	struct state_history h;
	char err[ERRBUF_SIZE];
	size_t n = 0, size = (size_t)STATE_MAX_FILE;
	char *text = malloc(size + 64);
	struct timespec a, b;
	time_t t;
	double ms;
	int k;

	n += (size_t)sprintf(text, "%s\n", STATE_MAGIC);
	for (k = 0; k < STATE_MAX_HOURLY; k++)
		n += (size_t)sprintf(text + n, "%lld 100 5 - - h\n",
				     (long long)(NOW - STATE_KEEP_S + 100 + k));
	for (t = NOW - STATE_KEEP_S + 2000; n < size - 64 && t <= NOW; t += 60)
		n += (size_t)sprintf(text + n, "%lld 100 %lld\n", (long long)t,
				     (long long)(t % 1000000 + 1));
	state_history_init(&h);
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(state_parse(text, n, NOW, &h, err, sizeof err), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	cr_log_info("unfoldable: %zu bytes read in %.0f ms, %zu records kept", n, ms, h.n);
	cr_assert_str_eq(h.note, "");
	cr_assert_leq(h.n, STATE_MAX_RAW + STATE_MAX_HOURLY + 1);
	cr_assert_lt(ms, 500);	/* 1.5 s before the low-water mark, 5 ms after */
	free(text);
	state_history_free(&h);
}

/*
 * A year of 1-minute checks: a daily cycle, a slow leak, a restart a week.
 * The file, formatted every day, never exceeds the documented size.
 */
Test(state, a_year_of_one_minute_checks_stays_small, .timeout = 120)
{
	struct state_history h;
	time_t start = NOW - 365L * DAY, t;
	size_t len, biggest = 0;
	unsigned long cpu = 0, pid = 1000;
	char idx[16];
	long day = 0;

	state_history_init(&h);
	for (t = start; t <= NOW; t += 60) {
		long minute = (long)((t - start) / 60);
		long kb = 200000 + (minute % 1440 < 720 ? minute % 1440 : 1440 - minute % 1440) * 10 +
			  (minute % 10080) / 20 + (minute * 7919) % 97;

		if (minute % 10080 == 0) {
			pid += 4;
			cpu = 0;
		}
		cpu += 300;
		snprintf(idx, sizeof idx, "%lu", pid);
		append(&h, mk_full(t, kb, idx, cpu, (unsigned long)(t - start) * 100UL));
		state_compact(&h, t);
		if ((t - start) / DAY != day) {
			char *a = format(&h, &len);

			free(a);
			if (len > biggest)
				biggest = len;
			day = (t - start) / DAY;
		}
	}
	cr_log_info("a year of 1-minute checks: %zu raw + %zu hourly records, "
		    "largest file %zu bytes", h.n - count_hourly(&h), count_hourly(&h), biggest);
	cr_assert_leq(h.n - count_hourly(&h), 4 * 60);
	cr_assert_leq(count_hourly(&h), 35 * 24 + 6);
	cr_assert_leq(biggest, 64 * 1024);
	state_history_free(&h);
}

/* --------------------------------------------------------------- names */

static void cfg_for(struct config *cfg, const char *host, const char *process)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->hostname, sizeof cfg->hostname, "%s", host);
	snprintf(cfg->process, sizeof cfg->process, "%s", process);
	cfg->port = 161;
}

static void assert_safe_name(const char *key)
{
	const char *p;

	cr_assert_gt(strlen(key), 0);
	cr_assert_leq(strlen(key), STATE_STEM_MAX);
	cr_assert_neq(key[0], '.', "hidden or dot name: %s", key);
	for (p = key; *p; p++)
		cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789._-%+=~", *p), "byte %02x in %s",
			  (unsigned char)*p, key);
}

Test(state, key_names_host_port_and_process)
{
	struct config cfg;
	char key[STATE_STEM_MAX + 1], err[ERRBUF_SIZE];

	cfg_for(&cfg, "EXCH01.corp.example", "Async.exe");
	cr_assert_eq(state_key(&cfg, key, sizeof key, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(key, "exch01.corp.example+161+async.exe");
	snprintf(cfg.regex, sizeof cfg.regex, "^Async\\.exe$");
	snprintf(cfg.section, sizeof cfg.section, "exch01 mail");
	cfg.port = 1161;
	cr_assert_eq(state_key(&cfg, key, sizeof key, err, sizeof err), 0);
	cr_assert_str_eq(key, "exch01.corp.example+1161+re=%5EAsync%5C.exe%24+sec=exch01%20mail");
	assert_safe_name(key);
	cfg.hostname[0] = '\0';
	cr_assert_eq(state_key(&cfg, key, sizeof key, err, sizeof err), -1);
}

Test(state, the_name_follows_the_agent_not_the_spelling_of_H)
{
	static const char *const peers[] = {
		"udp:127.0.0.1:161", "tcp:127.0.0.1:161", "127.0.0.1:161",
	};
	struct config cfg, agent;
	char key[STATE_STEM_MAX + 1], err[ERRBUF_SIZE];
	size_t i;

	cfg_for(&cfg, "LocalHost", "Async.exe");
	snprintf(cfg.section, sizeof cfg.section, "demo");
	for (i = 0; i < sizeof peers / sizeof *peers; i++) {
		cr_assert_eq(state_agent_config(&cfg, peers[i], &agent, err, sizeof err), 0,
			     "%s: %s", peers[i], err);
		cr_assert_eq(state_key(&agent, key, sizeof key, err, sizeof err), 0);
		cr_assert_str_eq(key, "127.0.0.1+161+async.exe", "%s", peers[i]);
	}
	cr_assert_str_eq(agent.process, "Async.exe", "the rest of cfg is copied");
	cr_assert_str_eq(cfg.hostname, "LocalHost", "cfg itself is untouched");
	/* The legacy name, from the configuration as given. */
	cr_assert_eq(state_key(&cfg, key, sizeof key, err, sizeof err), 0);
	cr_assert_str_eq(key, "localhost+161+async.exe+sec=demo");

	cr_assert_eq(state_agent_config(&cfg, "udp6:[::1]:1161", &agent, err, sizeof err), 0, "%s", err);
	cr_assert_eq(agent.port, 1161);
	cr_assert_eq(state_key(&agent, key, sizeof key, err, sizeof err), 0);
	cr_assert_str_eq(key, "%3A%3A1+1161+async.exe");
	assert_safe_name(key);

	cr_assert_eq(state_agent_config(&cfg, "", &agent, err, sizeof err), -1);
	cr_assert_eq(state_agent_config(&cfg, NULL, &agent, err, sizeof err), -1);
	cr_assert_eq(state_agent_config(&cfg, "udp:127.0.0.1", &agent, err, sizeof err), -1,
		     "a peer without a port is no peer the query used");
}

Test(state, claim_takes_the_legacy_name_and_drops_a_foreign_one)
{
	struct state_history h;
	char err[ERRBUF_SIZE];
	const char *text = "# check_async_leak state v1\n# key=localhost+161+async.exe\n"
			   "1700000000 49256 1388\n";

	cr_assert_eq(state_parse(text, strlen(text), 1700000100, &h, err, sizeof err), 0);
	state_claim(&h, "127.0.0.1+161+async.exe", "localhost+161+async.exe");
	cr_assert_eq(h.n, 1, "the legacy history is kept");
	cr_assert_str_eq(h.key, "127.0.0.1+161+async.exe");
	cr_assert_not(h.foreign);
	state_history_free(&h);

	cr_assert_eq(state_parse(text, strlen(text), 1700000100, &h, err, sizeof err), 0);
	state_claim(&h, "127.0.0.1+161+async.exe", "other+161+async.exe");
	cr_assert_eq(h.n, 0, "another check's history is dropped");
	cr_assert(h.foreign);
	cr_assert(strstr(h.note, "belongs to another check") != NULL, "%s", h.note);
	cr_assert_str_eq(h.key, "127.0.0.1+161+async.exe");
	state_history_free(&h);

	cr_assert_eq(state_parse(text, strlen(text), 1700000100, &h, err, sizeof err), 0);
	state_claim(&h, "localhost+161+async.exe", NULL);
	cr_assert_eq(h.n, 1, "its own key");
	state_history_free(&h);
}

Test(state, key_cannot_escape_the_directory)
{
	static const char *const hosts[] = {
		"../../etc/passwd", "/etc/passwd", ".", "..", ".hidden", "a/b",
		"exch\xc3\xa9.example", "host\nname", "::1", "x y+z=w%41~",
	};
	struct config cfg;
	char key[STATE_STEM_MAX + 1], err[ERRBUF_SIZE];
	size_t i;

	for (i = 0; i < sizeof hosts / sizeof *hosts; i++) {
		cfg_for(&cfg, hosts[i], "Async.exe");
		cr_assert_eq(state_key(&cfg, key, sizeof key, err, sizeof err), 0);
		assert_safe_name(key);
		cr_assert_null(strchr(key, '/'));
	}
	cfg_for(&cfg, "..", "..");
	cr_assert_eq(state_key(&cfg, key, sizeof key, err, sizeof err), 0);
	cr_assert_str_eq(key, "%2E.+161+..");	/* only a leading dot matters */
	cfg_for(&cfg, "exch\xc3\xa9", "Async.exe");
	cr_assert_eq(state_key(&cfg, key, sizeof key, err, sizeof err), 0);
	cr_assert_str_eq(key, "exch%C3%A9+161+async.exe");
}

Test(state, long_keys_are_cut_with_a_hash)
{
	struct config a, b;
	char ka[STATE_STEM_MAX + 1], kb[STATE_STEM_MAX + 1], err[ERRBUF_SIZE];

	cfg_for(&a, "exch01.corp.example", "Async.exe");
	memset(a.regex, '/', 255);
	a.regex[255] = '\0';
	b = a;
	b.regex[254] = 'x';
	cr_assert_eq(state_key(&a, ka, sizeof ka, err, sizeof err), 0);
	cr_assert_eq(state_key(&b, kb, sizeof kb, err, sizeof err), 0);
	assert_safe_name(ka);
	assert_safe_name(kb);
	cr_assert_str_neq(ka, kb);
	cr_assert(strncmp(ka, "exch01.corp.example+161+re=%2F%2F", 33) == 0, "%s", ka);
	cr_assert_not_null(strchr(ka, '~'));
	/* Never a broken %XX before the hash. */
	cr_assert(strchr(ka, '~')[-3] == '%', "%s", ka);
	/* Too small a buffer is an error, not a silent cut. */
	cr_assert_eq(state_key(&a, ka, 20, err, sizeof err), -1);
}

Test(state, path_follows_the_documented_order)
{
	struct config cfg;
	char path[STATE_PATH_MAX], err[ERRBUF_SIZE];

	cfg_for(&cfg, "exch01.corp.example", "Async.exe");
	cr_assert_eq(state_path(&cfg, NULL, 110, path, sizeof path, err, sizeof err), 0);
	cr_assert_str_eq(path, STATE_DEFAULT_ROOT
			 "/check_async_leak-110/exch01.corp.example+161+async.exe.state");
	cr_assert_eq(state_path(&cfg, "", 110, path, sizeof path, err, sizeof err), 0);
	cr_assert(strncmp(path, STATE_DEFAULT_ROOT "/", strlen(STATE_DEFAULT_ROOT) + 1) == 0);
	cr_assert_eq(state_path(&cfg, "/var/lib/mp", 110, path, sizeof path, err, sizeof err), 0);
	cr_assert_str_eq(path,
			 "/var/lib/mp/110/check_async_leak/exch01.corp.example+161+async.exe.state");
	cr_assert_eq(state_path(&cfg, "relative", 110, path, sizeof path, err, sizeof err), -1);
	snprintf(cfg.state_dir, sizeof cfg.state_dir, "/srv/state");
	cr_assert_eq(state_path(&cfg, "/var/lib/mp", 110, path, sizeof path, err, sizeof err), 0);
	cr_assert_str_eq(path, "/srv/state/exch01.corp.example+161+async.exe.state");
	snprintf(cfg.state_file, sizeof cfg.state_file, "/srv/one.state");
	cr_assert_eq(state_path(&cfg, "/var/lib/mp", 110, path, sizeof path, err, sizeof err), 0);
	cr_assert_str_eq(path, "/srv/one.state");
	cr_assert_eq(state_path(&cfg, NULL, 110, path, 10, err, sizeof err), -1);
}

/* ---------------------------------------------------------- directories */

Test(state, prepare_dir_creates_private_directories)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct stat sb;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/a/b/c/x.state", dir);
	cr_assert_eq(state_prepare_dir(path, geteuid(), err, sizeof err), 0, "%s", err);
	snprintf(path, sizeof path, "%s/a/b/c", dir);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert(S_ISDIR(sb.st_mode));
	cr_assert_eq(sb.st_mode & 07777, 0700);
	snprintf(path, sizeof path, "%s/a", dir);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0700);
	rmtree(dir);
}

Test(state, prepare_dir_refuses_a_world_writable_or_foreign_directory)
{
	char dir[64], path[300], sub[256], err[ERRBUF_SIZE];

	tmpdir(dir, sizeof dir);
	snprintf(sub, sizeof sub, "%s/d", dir);
	snprintf(path, sizeof path, "%s/x.state", sub);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert_eq(chmod(sub, 0777), 0);
	cr_assert_eq(state_prepare_dir(path, geteuid(), err, sizeof err), -1);
	cr_assert(strstr(err, "writable by every user"), "%s", err);
	cr_assert_eq(chmod(sub, 0770), 0);	/* a shared group is fine */
	cr_assert_eq(state_prepare_dir(path, geteuid(), err, sizeof err), 0, "%s", err);
	/* Owned by someone else (another uid than ours, not root). */
	if (geteuid() == 0) {
		cr_assert_eq(chown(sub, 110, 110), 0);
		cr_assert_eq(state_prepare_dir(path, 110, err, sizeof err), 0, "%s", err);
		cr_assert_eq(state_prepare_dir(path, 12345, err, sizeof err), -1);
		cr_assert(strstr(err, "owned by uid 110"), "%s", err);
		cr_assert_eq(chown(sub, 0, 0), 0);	/* root's directory: trusted */
		cr_assert_eq(state_prepare_dir(path, 110, err, sizeof err), 0, "%s", err);
		/* A link planted by another user is refused too. */
		snprintf(sub, sizeof sub, "%s/link", dir);
		cr_assert_eq(symlink(dir, sub), 0);
		cr_assert_eq(lchown(sub, 12345, 12345), 0);
		snprintf(path, sizeof path, "%s/x.state", sub);
		cr_assert_eq(state_prepare_dir(path, 0, err, sizeof err), -1);
		cr_assert(strstr(err, "symbolic link owned by uid 12345"), "%s", err);
	} else {
		cr_assert_eq(state_prepare_dir(path, geteuid() + 1, err, sizeof err), -1);
	}
	rmtree(dir);
}

/* ---------------------------------------------------------------- files */

Test(state, open_save_reopen)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct state_file st;
	struct stat sb;
	struct sample s = mk_full(NOW, 41234, "1388", 5, 6);
	size_t n;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/h+161+async.exe.state", dir);
	cr_assert_eq(state_open(&st, path, "h+161+async.exe", NOW, 1000, err, sizeof err), 0,
		     "%s", err);
	cr_assert_not(st.file.existed);
	cr_assert_str_eq(st.h.note, "");
	cr_assert_eq(state_append(&st.h, &s, err, sizeof err), 0);
	state_set_baseline(&st.h, 40000, NOW);
	cr_assert_eq(state_save(&st, NOW, err, sizeof err), 0, "%s", err);
	state_close(&st);
	state_close(&st);	/* twice is harmless */

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
	cr_assert_eq(state_open(&st, path, "h+161+async.exe", NOW + 60, 1000, err, sizeof err), 0);
	cr_assert(st.file.existed);
	cr_assert_str_eq(st.h.note, "");
	cr_assert_eq(state_samples(&st.h, &n)[0].mem_kb, 41234);
	cr_assert_eq(n, 1);
	cr_assert_eq(st.h.baseline_kb, 40000);
	cr_assert_eq(st.h.written, NOW);
	state_close(&st);
	rmtree(dir);
}

Test(state, a_symbolic_link_is_never_followed)
{
	char dir[64], path[256], target[256], lock[300], err[ERRBUF_SIZE];
	struct state_file st;
	char *after;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	snprintf(target, sizeof target, "%s/precious", dir);
	spit(target, "precious data\n");
	cr_assert_eq(symlink(target, path), 0);
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
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
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "symbolic link"), "%s", err);
	after = slurp(target, NULL);
	cr_assert_str_eq(after, "precious data\n");
	free(after);
	rmtree(dir);
}

Test(state, non_regular_files_are_refused, .timeout = 10)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct state_file st;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "not a regular file"), "%s", err);
	rmdir(path);
	cr_assert_eq(mkfifo(path, 0600), 0);	/* must not hang */
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "not a regular file"), "%s", err);
	rmtree(dir);
}

Test(state, a_file_that_is_not_ours_is_refused_and_left_untouched)
{
	char dir[64], path[256], lock[300], err[ERRBUF_SIZE];
	struct state_file st;
	struct stat sb;
	char *after;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/passwd", dir);
	snprintf(lock, sizeof lock, "%s.lock", path);
	spit(path, "root:x:0:0:root:/root:/bin/bash\n");
	chmod(path, 0644);
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
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
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "refusing"), "%s", err);

	/* Ours, even damaged or of another version: read as a new history. */
	spit(path, STATE_MAGIC "\ngarbage\n");
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), 0, "%s", err);
	state_close(&st);
	spit(path, "# check_async_leak state v7\n1 2 3\n");
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), 0, "%s", err);
	cr_assert(st.h.foreign);
	state_close(&st);
	spit(path, "");
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), 0, "%s", err);
	state_close(&st);
	cr_expect(state_text_is_ours("", 0));
	cr_expect(state_text_is_ours(STATE_MAGIC, strlen(STATE_MAGIC)));
	cr_expect_not(state_text_is_ours("# check_async_leak", 18));
	cr_expect_not(state_text_is_ours("x" STATE_MAGIC, strlen(STATE_MAGIC) + 1));
	rmtree(dir);
}

Test(state, no_lock_file_next_to_a_device_or_a_directory)
{
	char dir[64], path[256], lock[300], err[ERRBUF_SIZE];
	struct state_file st;
	struct stat sb;

	cr_assert_eq(state_open(&st, "/dev/null", NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert(strstr(err, "/dev/null is not a regular file"), "%s", err);
	cr_assert_eq(stat("/dev/null.lock", &sb), -1, "no /dev/null.lock");
	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/d", dir);
	snprintf(lock, sizeof lock, "%s.lock", path);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), -1);
	cr_assert_eq(stat(lock, &sb), -1, "no lock file next to a directory");
	rmtree(dir);
}

Test(state, a_save_never_touches_another_checks_file_of_a_similar_name)
{
	char dir[64], a[256], atmp[300], err[ERRBUF_SIZE];
	struct state_file st;
	struct sample s = mk(NOW, 2, "5");
	const char *other = STATE_MAGIC "\n1699999000 1 5 - -\n";
	char *after;

	tmpdir(dir, sizeof dir);
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(atmp, sizeof atmp, "%s/a.tmp", dir);
	spit(atmp, other);	/* a state file named like a's old temporary file */
	cr_assert_eq(state_open(&st, a, NULL, NOW, 1000, err, sizeof err), 0, "%s", err);
	cr_assert_eq(state_append(&st.h, &s, err, sizeof err), 0);
	cr_assert_eq(state_save(&st, NOW, err, sizeof err), 0, "%s", err);
	state_close(&st);
	after = slurp(atmp, NULL);
	cr_assert_str_eq(after, other);
	free(after);
	cr_assert_eq(count_entries(dir), 3, "a, a.lock and a.tmp, nothing else");
	rmtree(dir);
}

Test(state, a_state_file_name_must_name_a_file_of_its_own)
{
	struct config cfg;
	char path[STATE_PATH_MAX], err[ERRBUF_SIZE];
	static const char *const bad[] = { "dir/", "/srv/", ".", "/srv/..", "a.lock",
					   "/srv/x.state.lock", "a.tmp", "/srv/a.state.tmp.1a2b3c" };

	cfg_for(&cfg, "exch01", "Async.exe");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(cfg.state_file, sizeof cfg.state_file, "%s", bad[i]);
		cr_expect_eq(state_path(&cfg, NULL, 110, path, sizeof path, err, sizeof err), -1,
			     "%s accepted", bad[i]);
	}
	snprintf(cfg.state_file, sizeof cfg.state_file, "/srv/a.tmpl");
	cr_expect_eq(state_path(&cfg, NULL, 110, path, sizeof path, err, sizeof err), 0, "%s",
		     err);
	snprintf(cfg.state_file, sizeof cfg.state_file, "dir/");
	state_path(&cfg, NULL, 110, path, sizeof path, err, sizeof err);
	cr_expect_str_eq(err, "state file 'dir/' names a directory, not a file");
}

Test(state, another_checks_file_is_not_mixed_in)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct state_file st;
	char *after;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	spit(path, STATE_MAGIC "\n# key=other+161+async.exe\n1699999000 100 5\n");
	cr_assert_eq(state_open(&st, path, "mine+161+async.exe", NOW, 1000, err, sizeof err), 0);
	cr_assert_eq(st.h.n, 0);
	cr_assert(strstr(st.h.note, "belongs to another check"), "%s", st.h.note);
	cr_assert_eq(state_save(&st, NOW, err, sizeof err), 0);
	state_close(&st);
	after = slurp(path, NULL);
	cr_assert(strstr(after, "# key=mine+161+async.exe\n"), "%s", after);
	free(after);
	/* No key given: whatever the file names is kept. */
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), 0);
	cr_assert_str_eq(st.h.key, "mine+161+async.exe");
	state_close(&st);
	rmtree(dir);
}

Test(state, a_held_lock_times_out, .timeout = 10)
{
	char dir[64], path[256], lock[300], err[ERRBUF_SIZE];
	struct state_file st;
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
	cr_assert_eq(state_open(&st, path, NULL, NOW, 300, err, sizeof err), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	cr_assert(strstr(err, "is locked by another check (waited 300 ms)"), "%s", err);
	cr_assert_geq(ms, 290);
	cr_assert_lt(ms, 2000);
	cr_assert(st.file.busy, "a held lock is told apart from other failures");
	/* Released: the next open gets it at once. */
	close(fd);
	cr_assert_eq(state_open(&st, path, NULL, NOW, 0, err, sizeof err), 0, "%s", err);
	state_close(&st);
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
		struct state_file st;
		struct sample s;
		size_t n;
		const struct sample *all;

		if (state_open(&st, path, "k", NOW + 1000, 20000, err, sizeof err) < 0)
			return 1;
		all = state_samples(&st.h, &n);
		s = mk(n ? all[n - 1].t + 1 : NOW, id * 1000 + r, "5");
		if (state_append(&st.h, &s, err, sizeof err) < 0 ||
		    state_save(&st, NOW + 1000, err, sizeof err) < 0) {
			state_close(&st);
			return 1;
		}
		state_close(&st);
	}
	return 0;
}

Test(state, concurrent_writers_lose_nothing, .timeout = 60)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	pid_t pids[WRITERS];
	bool seen[WRITERS][ROUNDS];
	struct state_file st;
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
	cr_assert_eq(state_open(&st, path, "k", NOW + 1000, 1000, err, sizeof err), 0);
	cr_assert_str_eq(st.h.note, "");
	cr_assert_eq(st.h.n, WRITERS * ROUNDS);
	for (i = 0; i < st.h.n; i++) {
		long v = st.h.samples[i].mem_kb;

		cr_assert_not(seen[v / 1000][v % 1000]);
		seen[v / 1000][v % 1000] = true;
	}
	state_close(&st);
	rmtree(dir);
}

static void assert_save_fails_and_keeps(const char *path, const char *before)
{
	char *after = slurp(path, NULL);

	cr_assert_str_eq(after, before);
	free(after);
}

Test(state, a_failed_save_leaves_the_old_file)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct state_file st;
	struct sample s = mk(NOW, 2, "5");
	const char *before = STATE_MAGIC "\n1699999000 1 5 - -\n";

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	spit(path, before);

	/* The directory is gone by the time of the save: no temporary file. */
	cr_assert_eq(state_open(&st, path, NULL, NOW, 1000, err, sizeof err), 0);
	cr_assert_eq(state_append(&st.h, &s, err, sizeof err), 0);
	memcpy(st.file.path + strlen(st.file.path) - strlen("x.state"), "nodir/x", 7);
	cr_assert_eq(state_save(&st, NOW, err, sizeof err), -1);
	cr_assert(strstr(err, ".tmp."), "%s", err);
	state_close(&st);
	assert_save_fails_and_keeps(path, before);
	rmtree(dir);
}

Test(state, a_full_disk_leaves_the_old_file, .timeout = 20)
{
	char dir[64], path[256], tmp[300];
	const char *before = STATE_MAGIC "\n1699999000 1 5 - -\n";
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
		struct state_file st;
		char err[ERRBUF_SIZE];
		time_t t;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0 ||
		    state_open(&st, path, NULL, NOW, 1000, err, sizeof err) < 0)
			_exit(2);
		for (t = NOW - 3000; t <= NOW; t += 30) {
			struct sample s = mk(t, 2, "5");

			state_append(&st.h, &s, err, sizeof err);
		}
		_exit(state_save(&st, NOW, err, sizeof err) == -1 &&
		      strstr(err, "File too large") ? 0 : 1);
	}
	cr_assert_eq(wait_children(&pid, 1, 15), 0);
	assert_save_fails_and_keeps(path, before);
	cr_assert_eq(stat(tmp, &sb), -1, "the partial temporary file is removed");
	rmtree(dir);
}

Test(state, a_check_that_waited_reads_the_history_as_of_the_lock)
{
	char dir[64], path[256], err[ERRBUF_SIZE];
	struct state_file st;
	time_t real = time(NULL);
	char text[200];

	/* Check B started after A and saved first: its sample is newer than
	 * A's start, but not newer than the time A got the lock. */
	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/x.state", dir);
	snprintf(text, sizeof text, STATE_MAGIC "\n%lld 100 5 - -\n", (long long)real - 1);
	spit(path, text);
	cr_assert_eq(state_open(&st, path, NULL, real - 5, 1000, err, sizeof err), 0, "%s", err);
	cr_assert_geq(st.now, real);
	cr_assert_eq(st.h.n, 1, "the other check's sample is kept");
	cr_assert_str_eq(st.h.note, "", "and no note about the clock");
	state_close(&st);
	rmtree(dir);
}

Test(state, index_zero_is_a_valid_index)
{
	struct sample s = mk(NOW, 1, "0");
	char err[ERRBUF_SIZE];

	cr_expect_eq(state_sample_check(&s, err, sizeof err), 0, "%s", err);
	s = mk(NOW, 1, "0,4,1388");
	cr_expect_eq(state_sample_check(&s, err, sizeof err), 0, "%s", err);
	s = mk(NOW, 1, "01");
	cr_expect_eq(state_sample_check(&s, err, sizeof err), -1);
	s = mk(NOW, 1, "4,00");
	cr_expect_eq(state_sample_check(&s, err, sizeof err), -1);
}

Test(state, the_system_state_dir_is_used_only_when_safe)
{
	char dir[64], sub[128];

	tmpdir(dir, sizeof dir);
	cr_expect(state_system_dir_usable(dir, geteuid()));
	cr_expect_not(state_system_dir_usable("/nonexistent/check_async_leak", geteuid()));
	chmod(dir, 0777);
	cr_expect_not(state_system_dir_usable(dir, geteuid()), "world-writable");
	chmod(dir, 0700);
	if (geteuid() == 0) {
		/* Owned by another user: not ours to use. */
		cr_assert_eq(chown(dir, 65534, 65534), 0);
		cr_expect_not(state_system_dir_usable(dir, 0));
		cr_assert_eq(chown(dir, 0, 0), 0);
	}
	/* Our <euid> directory there already: used (state_prepare_dir checks it). */
	snprintf(sub, sizeof sub, "%s/%u", dir, 4242u);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_expect(state_system_dir_usable(dir, 4242u) || geteuid() != 0);
	rmtree(dir);
}

Test(state, a_directory_that_cannot_be_made_says_why)
{
	char err[ERRBUF_SIZE];

	/* sysfs refuses new directories (EPERM, or EROFS read-only): the
	 * reason is mkdir's, not the ENOENT of a later look at the path. */
	cr_assert_eq(state_prepare_dir("/sys/check_async_leak_test/x/h.state", geteuid(), err,
				       sizeof err), -1);
	cr_expect(strstr(err, "cannot create state directory /sys/check_async_leak_test:") != NULL,
		  "%s", err);
	cr_expect(strstr(err, "No such file") == NULL, "%s", err);
}

Test(state, a_directory_of_another_user_is_refused_with_the_way_out)
{
	char dir[64], path[128], err[ERRBUF_SIZE];

	if (geteuid() != 0)
		cr_skip_test("needs root to give a directory away");
	tmpdir(dir, sizeof dir);
	cr_assert_eq(chown(dir, 65534, 65534), 0);
	snprintf(path, sizeof path, "%s/h.state", dir);
	cr_assert_eq(state_prepare_dir(path, 1000, err, sizeof err), -1);
	cr_expect(strstr(err, "is owned by uid 65534, not by 1000 or root (another user may "
			  "have made it first): create /var/lib/check_async_leak owned by this "
			  "user (mode 0700), or set --state-dir or MP_STATE_PATH") != NULL,
		  "%s", err);
	cr_assert_eq(chown(dir, 0, 0), 0);
	rmtree(dir);
}

/* Two instances of 2 TiB each: their sum (4 TiB) is beyond an Integer32 of
 * KB, yet a sample the history must keep. */
Test(state, the_sum_of_instances_beyond_an_integer32_is_stored)
{
	struct state_history h, back;
	char err[ERRBUF_SIZE] = "";
	long sum = 2 * 2147483648L;	/* 2 x 2 TiB in KB */
	size_t len;
	char *text;

	cr_expect_eq(state_sample_check(&(struct sample){ .t = NOW, .mem_kb = sum }, err,
					sizeof err), 0, "%s", err);
	state_history_init(&h);
	append(&h, mk(NOW - 60, sum, "1388,2412"));
	append(&h, mk(NOW, sum + 1, "1388,2412"));
	text = format(&h, &len);
	cr_expect(strstr(text, " 4294967297 ") != NULL, "%s", text);
	parse_str(text, NOW, &back);
	cr_assert_eq(back.n, 2);
	cr_expect_eq(back.samples[0].mem_kb, sum);
	cr_expect_eq(back.samples[1].mem_kb, sum + 1);
	cr_expect_eq(state_sample_check(&(struct sample){ .t = NOW,
							  .mem_kb = STATE_MEM_KB_MAX + 1 },
					err, sizeof err), -1);
	free(text);
	state_history_free(&h);
	state_history_free(&back);
}
