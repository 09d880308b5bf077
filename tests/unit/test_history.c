/*
 * test_history.c - a history as text: the round trip, every kind of
 * damage, samples merged by time, and compaction bounds over a simulated
 * year.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"
#include "history_fixtures.h"
#include "util.h"

/* ------------------------------------------------------------- helpers */

static void parse_str(const char *text, time_t now, struct history *h)
{
	char err[ERRBUF_SIZE] = "";

	history_init(h);
	cr_assert_eq(history_parse(text, strlen(text), now, h, err, sizeof err), 0, "%s", err);
}

static char *format(const struct history *h, size_t *len)
{
	char err[ERRBUF_SIZE] = "";
	char *out = NULL;
	size_t l;

	cr_assert_eq(history_format(h, &out, &l, err, sizeof err), 0, "%s", err);
	cr_assert_eq(strlen(out), l);
	if (len)
		*len = l;
	return out;
}

static void append(struct history *h, struct sample s)
{
	char err[ERRBUF_SIZE] = "";

	cr_assert_eq(history_append(h, &s, err, sizeof err), 0, "%s", err);
}

/* ---------------------------------------------------------- round trip */

Test(history, round_trip_keeps_every_field)
{
	struct history h, g;
	struct history_segment seg = { NOW - 9 * DAY, NOW - 5 * DAY, true, true, -1234, 40960, 250000 };
	char *a, *b;
	size_t i, hourly = 0;
	time_t t;

	history_init(&h);
	for (t = NOW - 30 * HOUR; t < NOW - 2 * HOUR; t += 300)
		append(&h, mk_full(t, 41000 + (t / 300) % 5, "1388", (unsigned long)t / 10,
				   (unsigned long)t));
	append(&h, mk(NOW - 2 * HOUR, 42000, "1388,2412"));
	append(&h, mk_full(NOW - 60, 43000, "", 7, 8));
	history_compact(&h, NOW);
	for (i = 0; i < h.n; i++)
		hourly += h.samples[i].hourly;
	cr_assert_geq(hourly, 25);
	cr_assert_not(h.samples[h.n - 1].hourly);
	history_set_baseline(&h, 40960, NOW - DAY);
	history_set_raw_judged(&h, NOW - HOUR);
	/* Segment and key-value lines are kept as a file has them. */
	h.segments[0] = seg;
	seg.start = NOW - 4 * DAY;
	seg.end = NOW - 2 * DAY;
	seg.leaking = false;
	seg.has_slope = false;
	seg.base_kb = -1;
	h.segments[1] = seg;
	h.nsegments = 2;
	snprintf(h.kv[0].key, sizeof h.kv[0].key, "warmup_s");
	snprintf(h.kv[0].value, sizeof h.kv[0].value, "43200");
	h.nkv = 1;
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
	cr_assert_eq(g.raw_judged_at, NOW - HOUR);
	cr_assert_eq(g.nsegments, 2);
	cr_assert(g.segments[0].leaking);
	cr_assert_eq(g.segments[0].slope_bph, -1234);
	cr_assert_eq(g.segments[0].peak_kb, 250000);
	cr_assert_not(g.segments[1].has_slope);
	cr_assert_eq(g.segments[1].base_kb, -1);
	cr_assert_eq(g.nkv, 1);
	cr_assert_str_eq(g.kv[0].key, "warmup_s");
	cr_assert_str_eq(g.kv[0].value, "43200");
	cr_assert_str_eq(g.key, "exch01.corp.example+161+async.exe");
	cr_assert_eq(g.written, NOW);
	free(a);
	free(b);
	history_free(&h);
	history_free(&g);
}

Test(history, format_is_the_documented_text)
{
	struct history h;
	char *a;

	history_init(&h);
	append(&h, mk_full(NOW - 60, 41234, "1388", 123456, 98765432));
	append(&h, mk(NOW, 41240, "1388,2412"));
	a = format(&h, NULL);
	cr_assert_str_eq(a, HISTORY_MAGIC "\n"
			 "# Format (see README): UNIX_TIME MEM_KB INDEXES CPU_CS UPTIME_TICKS [h]\n"
			 "1699999940 41234 1388 123456 98765432\n"
			 "1700000000 41240 1388,2412 - -\n");
	free(a);
	history_free(&h);
}

Test(history, short_sample_lines_and_crlf_are_read)
{
	struct history h;

	parse_str(HISTORY_MAGIC "\r\n1699999000 100 5\r\n1699999100\t200  -\r\n"
		  "1699999200 300 7 9\n\n   \n", NOW, &h);
	cr_assert_str_eq(h.note, "");
	cr_assert_eq(h.n, 3);
	cr_assert_str_eq(h.samples[1].indexes, "");
	cr_assert_eq(h.samples[2].cpu_cs, 9);
	cr_assert(h.samples[2].has_cpu);
	cr_assert_not(h.samples[2].has_uptime);
	history_free(&h);
}

Test(history, comments_are_ignored)
{
	struct history h;

	parse_str(HISTORY_MAGIC "\n# hand-edited: reset after the 2001 patch\n#\n"
		  "1699999000 100 5\n", NOW, &h);
	cr_assert_str_eq(h.note, "");
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.nkv, 0);
	history_free(&h);
}

/* ------------------------------------------------------------ damage */

Test(history, empty_file_is_a_fresh_start)
{
	struct history h;

	parse_str("", NOW, &h);
	cr_assert_eq(h.n, 0);
	cr_assert_str_eq(h.note, "");
	cr_assert_not(h.foreign);
}

Test(history, foreign_file_is_empty_history_with_a_note)
{
	struct history h;

	parse_str("root:x:0:0:root:/root:/bin/bash\n1699999000 100 5\n", NOW, &h);
	cr_assert(h.foreign);
	cr_assert_eq(h.n, 0);
	cr_assert(strstr(h.note, "not a check_async_leak state file"), "%s", h.note);
	history_free(&h);
}

Test(history, newer_format_version_is_named)
{
	struct history h;

	parse_str("# check_async_leak state v2\n1699999000 100 5\n", NOW, &h);
	cr_assert(h.foreign);
	cr_assert_eq(h.n, 0);
	cr_assert(strstr(h.note, "format v2"), "%s", h.note);
	history_free(&h);
	/* File bytes never reach the note (found by fuzz_state). */
	parse_str("# check_async_leak state v1 \xc6\x01x\n", NOW, &h);
	cr_assert(h.foreign);
	cr_assert(strstr(h.note, "not a check_async_leak state file"), "%s", h.note);
}

Test(history, garbage_lines_are_skipped_and_counted)
{
	struct history h;

	parse_str(HISTORY_MAGIC "\n"
		  "1699999000 100 5 - -\n"
		  "hello world\n"			/* line 3 */
		  "1699999060 -100 5\n"			/* negative memory */
		  "1699999060 8796093018113 5\n"	/* beyond HISTORY_MEM_KB_MAX */
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
	history_free(&h);
}

Test(history, hourly_lines_carry_an_h)
{
	struct history h;

	parse_str(HISTORY_MAGIC "\n"
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
	history_free(&h);
}

Test(history, nul_bytes_and_overlong_lines_are_damage)
{
	struct history h;
	char text[2048];
	size_t len;
	char err[ERRBUF_SIZE];

	len = (size_t)snprintf(text, sizeof text, "%s\n1699999000 100 5\n", HISTORY_MAGIC);
	memcpy(text + len, "1699999060 1\0000 5\n", 17);
	len += 17;
	memset(text + len, '7', 600);
	len += 600;
	text[len++] = '\n';
	len += (size_t)snprintf(text + len, sizeof text - len, "1699999120 300 5\n");
	history_init(&h);
	cr_assert_eq(history_parse(text, len, NOW, &h, err, sizeof err), 0);
	cr_assert_eq(h.n, 2);
	cr_assert_eq(h.damaged_lines, 2);
	history_free(&h);
}

Test(history, duplicate_and_disordered_times_are_dropped)
{
	struct history h;

	parse_str(HISTORY_MAGIC "\n"
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
	history_free(&h);
}

Test(history, clock_stepped_back_drops_future_samples)
{
	struct history h;

	/* The last check ran at NOW + 1 h; the clock has since gone back. */
	parse_str(HISTORY_MAGIC "\n"
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
	history_free(&h);
}

Test(history, bad_metadata_is_damage_but_keeps_samples)
{
	struct history h;
	char text[8192];
	size_t len = 0;
	int i;

	len += (size_t)snprintf(text + len, sizeof text - len, "%s\n", HISTORY_MAGIC);
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
	for (i = 0; i < HISTORY_MAX_KV + 1; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "# k%d=%d\n", i, i);
	len += (size_t)snprintf(text + len, sizeof text - len, "1699999000 100 5\n");
	parse_str(text, NOW, &h);
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.damaged_lines, 10, "%u: %s", h.damaged_lines, h.note);
	cr_assert_eq(h.nkv, HISTORY_MAX_KV);
	cr_assert_str_eq(h.key, "");
	cr_assert_not(h.have_baseline);
	cr_assert_eq(h.nsegments, 0);
	history_free(&h);
}

Test(history, too_large_a_file_is_foreign)
{
	struct history h;
	char err[ERRBUF_SIZE];
	size_t len = (size_t)HISTORY_MAX_FILE + 1;
	char *text = malloc(len);

	memset(text, '\n', len);
	memcpy(text, HISTORY_MAGIC, strlen(HISTORY_MAGIC));
	history_init(&h);
	cr_assert_eq(history_parse(text, len, NOW, &h, err, sizeof err), 0);
	cr_assert(h.foreign);
	cr_assert(strstr(h.note, "too large"), "%s", h.note);
	free(text);
}

Test(history, too_many_segments_keep_the_newest)
{
	struct history h;
	char text[8192];
	size_t len = 0;
	char *a;
	int i;

	len += (size_t)snprintf(text + len, sizeof text - len, "%s\n", HISTORY_MAGIC);
	for (i = 0; i < HISTORY_MAX_SEGMENTS + 10; i++)
		len += (size_t)snprintf(text + len, sizeof text - len,
					"# segment=%lld %lld 0 - - -\n",
					(long long)(NOW - DAY + i * 100),
					(long long)(NOW - DAY + i * 100 + 50));
	parse_str(text, NOW, &h);
	cr_assert_str_eq(h.note, "");
	cr_assert_eq(h.nsegments, HISTORY_MAX_SEGMENTS);
	cr_assert_eq(h.segments[0].start, NOW - DAY + 10 * 100);
	a = format(&h, NULL);
	history_free(&h);
	parse_str(a, NOW, &h);
	cr_assert_eq(h.nsegments, HISTORY_MAX_SEGMENTS);
	cr_assert_eq(h.segments[HISTORY_MAX_SEGMENTS - 1].start,
		     NOW - DAY + (HISTORY_MAX_SEGMENTS + 9) * 100);
	free(a);
	history_free(&h);
}

/* ----------------------------------------------------------- samples */

Test(history, append_replaces_the_same_second_and_merges_by_time)
{
	struct history h;
	struct sample bad = mk(NOW, 1, "1 2");
	char err[ERRBUF_SIZE];

	history_init(&h);
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
	cr_assert_eq(history_append(&h, &bad, err, sizeof err), -1);
	bad = mk(NOW, -1, "5");
	cr_assert_eq(history_append(&h, &bad, err, sizeof err), -1);
	bad = mk(0, 1, "5");
	cr_assert_eq(history_append(&h, &bad, err, sizeof err), -1);
	cr_assert_eq(h.n, 5);
	for (size_t i = 1; i < h.n; i++)
		cr_assert_lt(h.samples[i - 1].t, h.samples[i].t);
	history_free(&h);
}

Test(history, index_zero_is_a_valid_index)
{
	struct sample s = mk(NOW, 1, "0");
	char err[ERRBUF_SIZE];

	cr_expect_eq(history_sample_check(&s, err, sizeof err), 0, "%s", err);
	s = mk(NOW, 1, "0,4,1388");
	cr_expect_eq(history_sample_check(&s, err, sizeof err), 0, "%s", err);
	s = mk(NOW, 1, "01");
	cr_expect_eq(history_sample_check(&s, err, sizeof err), -1);
	s = mk(NOW, 1, "4,00");
	cr_expect_eq(history_sample_check(&s, err, sizeof err), -1);
}

/* Two instances of 2 TiB each: their sum (4 TiB) is beyond an Integer32 of
 * KB, yet a sample the history must keep. */
Test(history, the_sum_of_instances_beyond_an_integer32_is_stored)
{
	struct history h, back;
	char err[ERRBUF_SIZE] = "";
	long sum = 2 * 2147483648L;	/* 2 x 2 TiB in KB */
	size_t len;
	char *text;

	cr_expect_eq(history_sample_check(&(struct sample){ .t = NOW, .mem_kb = sum }, err,
					sizeof err), 0, "%s", err);
	history_init(&h);
	append(&h, mk(NOW - 60, sum, "1388,2412"));
	append(&h, mk(NOW, sum + 1, "1388,2412"));
	text = format(&h, &len);
	cr_expect(strstr(text, " 4294967297 ") != NULL, "%s", text);
	parse_str(text, NOW, &back);
	cr_assert_eq(back.n, 2);
	cr_expect_eq(back.samples[0].mem_kb, sum);
	cr_expect_eq(back.samples[1].mem_kb, sum + 1);
	cr_expect_eq(history_sample_check(&(struct sample){ .t = NOW,
							  .mem_kb = HISTORY_MEM_KB_MAX + 1 },
					err, sizeof err), -1);
	free(text);
	history_free(&h);
	history_free(&back);
}

/* -------------------------------------------------------- compaction */

static size_t count_hourly(const struct history *h)
{
	size_t i, k = 0;

	for (i = 0; i < h->n; i++)
		k += h->samples[i].hourly;
	return k;
}

Test(history, recent_samples_stay_raw)
{
	struct history h;
	time_t t;

	history_init(&h);
	for (t = NOW - TREND_KEEP_RAW_S; t <= NOW; t += 300)
		append(&h, mk(t, 1000, "5"));
	history_compact(&h, NOW);
	cr_assert_eq(count_hourly(&h), 0);
	cr_assert_eq(h.n, (size_t)(TREND_KEEP_RAW_S / 300 + 1));
	history_free(&h);
}

Test(history, old_samples_become_hourly_floors)
{
	struct history h;
	time_t hour = NOW - NOW % HOUR - 10 * HOUR;	/* an aligned hour, 10 h ago */
	time_t t;
	size_t i;

	/* 5-minute checks; the second hour has a restart at its half. */
	history_init(&h);
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
	history_compact(&h, NOW);

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
	history_free(&h);
}

Test(history, compaction_is_idempotent_and_drops_the_too_old)
{
	struct history h;
	char *a, *b;
	time_t t;

	history_init(&h);
	for (t = NOW - 40 * DAY; t <= NOW; t += 600)
		append(&h, mk(t, 1000 + (t / 600) % 7, "5"));
	history_compact(&h, NOW);
	cr_assert_geq(h.samples[0].t, NOW - HISTORY_KEEP_S);
	cr_assert_lt(h.samples[0].t, NOW - HISTORY_KEEP_S + HOUR);
	cr_assert_leq(h.n, 35 * 24 + TREND_KEEP_RAW_S / 600 + 12);
	a = format(&h, NULL);
	history_compact(&h, NOW);
	b = format(&h, NULL);
	cr_assert_str_eq(a, b);
	free(a);
	free(b);
	history_free(&h);
}

Test(history, fast_checks_are_capped)
{
	struct history h;
	time_t t;

	/* Every 2 s for a day. */
	history_init(&h);
	for (t = NOW - DAY; t <= NOW; t += 2)
		append(&h, mk(t, 1000, "5"));
	history_compact(&h, NOW);
	cr_assert_leq(h.n - count_hourly(&h), HISTORY_MAX_RAW);
	cr_assert_eq(h.samples[h.n - 1].t, NOW);
	cr_assert_geq(count_hourly(&h), 20);
	history_free(&h);
}

Test(history, restart_every_minute_stays_bounded)
{
	struct history h;
	char idx[16];
	char *a;
	size_t len;
	time_t t;

	history_init(&h);
	for (t = NOW - 40 * DAY; t <= NOW; t += 60) {
		snprintf(idx, sizeof idx, "%ld", (long)(t % 1000000) + 1);
		append(&h, mk(t, 2147483647L, idx));
	}
	history_compact(&h, NOW);
	cr_assert_leq(count_hourly(&h), HISTORY_MAX_HOURLY);
	cr_assert_leq(h.n - count_hourly(&h), HISTORY_MAX_RAW);
	a = format(&h, &len);
	cr_assert_lt(len, 520 * 1024);
	free(a);
	history_free(&h);
}

Test(history, worst_case_lines_stay_under_the_documented_size)
{
	static const char idx[] = "2147483647,2147483646,2147483645,2147483644,2147483643,"
		"2147483642,2147483641,2147483640,2147483639,2147483638,2147483637,123456";
	struct history h;
	/* -1 PB/h: plugin/history.c's bound on a slope. */
	struct history_segment seg = { 0, 0, true, true, -1000000000000000LL,
				       HISTORY_MEM_KB_MAX, HISTORY_MEM_KB_MAX };
	size_t len, total = HISTORY_MAX_RAW + HISTORY_MAX_HOURLY, i, n = 0;
	char *text = malloc(total * 256 + 64), *out;
	int k;

	cr_assert_eq(strlen(idx), 127);
	n += (size_t)sprintf(text, "%s\n", HISTORY_MAGIC);
	for (i = 0; i < total; i++)
		n += (size_t)sprintf(text + n, "%lld %ld %s 18446744073709551615 "
				     "18446744073709551615%s\n",
				     (long long)(NOW - 30 * DAY + (time_t)i * 60), HISTORY_MEM_KB_MAX, idx,
				     i < HISTORY_MAX_HOURLY ? " h" : "");
	parse_str(text, NOW, &h);
	cr_assert_eq(h.n, total);
	for (i = 0; i < HISTORY_MAX_SEGMENTS; i++) {
		seg.start = NOW - DAY + (time_t)i;
		seg.end = NOW;
		h.segments[i] = seg;
	}
	h.nsegments = HISTORY_MAX_SEGMENTS;
	for (k = 0; k < HISTORY_MAX_KV; k++) {
		snprintf(h.kv[k].key, sizeof h.kv[k].key, "k%d", k);
		memset(h.kv[k].value, 'v', sizeof h.kv[k].value - 1);
		h.kv[k].value[sizeof h.kv[k].value - 1] = '\0';
	}
	h.nkv = HISTORY_MAX_KV;
	memset(h.key, 'k', HISTORY_KEY_MAX);
	h.key[HISTORY_KEY_MAX] = '\0';
	h.written = NOW;
	history_set_baseline(&h, HISTORY_MEM_KB_MAX, NOW);
	out = format(&h, &len);
	cr_log_info("worst case: %zu records, %zu bytes", h.n, len);
	cr_assert_lt(len, 524 * 1024);
	free(out);
	free(text);
	history_free(&h);
}

/*
 * The slowest file to read: a full set of hourly floors, then 1 MiB of
 * samples that each look like a restart (a new index every minute), which
 * trend_compact() cannot fold, so the arrays fill up again and again.
 */
Test(history, a_file_that_cannot_be_folded_reads_fast, .timeout = 60)
{
	struct history h;
	char err[ERRBUF_SIZE];
	size_t n = 0, size = (size_t)HISTORY_MAX_FILE;
	char *text = malloc(size + 64);
	struct timespec a, b;
	time_t t;
	double ms;
	int k;

	n += (size_t)sprintf(text, "%s\n", HISTORY_MAGIC);
	for (k = 0; k < HISTORY_MAX_HOURLY; k++)
		n += (size_t)sprintf(text + n, "%lld 100 5 - - h\n",
				     (long long)(NOW - HISTORY_KEEP_S + 100 + k));
	for (t = NOW - HISTORY_KEEP_S + 2000; n < size - 64 && t <= NOW; t += 60)
		n += (size_t)sprintf(text + n, "%lld 100 %lld\n", (long long)t,
				     (long long)(t % 1000000 + 1));
	history_init(&h);
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(history_parse(text, n, NOW, &h, err, sizeof err), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	cr_log_info("unfoldable: %zu bytes read in %.0f ms, %zu records kept", n, ms, h.n);
	cr_assert_str_eq(h.note, "");
	cr_assert_leq(h.n, HISTORY_MAX_RAW + HISTORY_MAX_HOURLY + 1);
	cr_assert_lt(ms, 500);	/* 1.5 s before the low-water mark, 5 ms after */
	free(text);
	history_free(&h);
}

/*
 * A year of 1-minute checks: a daily cycle, a slow leak, a restart a week.
 * The file, formatted every day, never exceeds the documented size.
 */
Test(history, a_year_of_one_minute_checks_stays_small, .timeout = 120)
{
	struct history h;
	time_t start = NOW - 365L * DAY, t;
	size_t len, biggest = 0;
	unsigned long cpu = 0, pid = 1000;
	char idx[16];
	long day = 0;

	history_init(&h);
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
		history_compact(&h, t);
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
	history_free(&h);
}
