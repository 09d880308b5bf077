/*
 * test_rows.c - the repeat check: the remembered rows in the state file
 * (round trip, escaping, what older versions see, damage), when a check
 * may GET them instead of walking, and when the answer no longer stands.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "proc.h"
#include "rows.h"
#include "util.h"

#define NOW ((time_t)1700000000)

static void parse_str(const char *text, struct history *h)
{
	char err[ERRBUF_SIZE] = "";

	history_init(h);
	cr_assert_eq(history_parse(text, strlen(text), NOW, h, err, sizeof err), 0, "%s", err);
}

static char *format(const struct history *h)
{
	char err[ERRBUF_SIZE] = "";
	char *out = NULL;
	size_t l;

	cr_assert_eq(history_format(h, &out, &l, err, sizeof err), 0, "%s", err);
	return out;
}

static struct history_row row(long index, const char *name, const char *path, unsigned long cpu)
{
	struct history_row r;

	memset(&r, 0, sizeof r);
	r.index = index;
	snprintf(r.name, sizeof r.name, "%s", name);
	snprintf(r.path, sizeof r.path, "%s", path);
	r.cpu_cs = cpu;
	r.has_cpu = true;
	return r;
}

/* ------------------------------------------------------- the state file */

Test(rows, state_round_trip_with_awkward_names)
{
	struct history h, back;
	struct history_row rows[3];
	char *text, *again;

	rows[0] = row(1388, "Async.exe", "C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\", 12000);
	rows[1] = row(2412, "my prog=1%.exe", "", 7);
	rows[2] = row(3000, "-", "C:\\Program Files\\x\\", 0);
	rows[2].has_cpu = false;
	history_init(&h);
	history_set_rows(&h, rows, 3, NOW - 60, true, 123456);
	text = format(&h);
	cr_expect_not_null(strstr(text, "# rows 1699999940 123456\n"), "%s", text);
	cr_expect_not_null(strstr(text, "# row 1388 12000 Async.exe "
				   "C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\\n"), "%s", text);
	cr_expect_not_null(strstr(text, "# row 2412 7 my%20prog%3D1%25.exe -\n"), "%s", text);
	cr_expect_not_null(strstr(text, "# row 3000 - %2D C:\\Program%20Files\\x\\\n"), "%s", text);

	parse_str(text, &back);
	cr_expect_str_empty(back.note);
	cr_assert_eq(back.nrows, 3);
	cr_expect_eq(back.walked_at, NOW - 60);
	cr_expect(back.rows_has_uptime);
	cr_expect_eq(back.rows_uptime, 123456UL);
	for (size_t i = 0; i < 3; i++) {
		cr_expect_eq(back.rows[i].index, rows[i].index);
		cr_expect_str_eq(back.rows[i].name, rows[i].name);
		cr_expect_str_eq(back.rows[i].path, rows[i].path);
		cr_expect_eq(back.rows[i].has_cpu, rows[i].has_cpu);
		cr_expect_eq(back.rows[i].cpu_cs, rows[i].cpu_cs);
	}
	again = format(&back);
	cr_expect_str_eq(again, text);
	free(again);
	free(text);
	history_free(&back);
	history_free(&h);
}

/* A version that does not know the lines reads them as comments: no '='. */
Test(rows, row_lines_are_comments_to_older_readers)
{
	struct history h;
	struct history_row r = row(5, "a=b", "x=y\\=", 1);
	char *text, *line;

	history_init(&h);
	history_set_rows(&h, &r, 1, NOW, false, 0);
	text = format(&h);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (strncmp(line, "# row", 5) == 0)
			cr_expect_null(strchr(line, '='), "'%s' holds '='", line);
	free(text);
	history_free(&h);
}

Test(rows, a_file_without_rows_remembers_none)
{
	struct history h;
	struct rows_memory mem;

	parse_str("# check_async_leak state v1\n# key=k\n1699999000 100 1388 5 6\n", &h);
	cr_expect_eq(h.nrows, 0);
	rows_recall(&h, &mem);
	cr_expect_eq(mem.n, 0);
	cr_expect_eq(mem.walked_at, 0);
	history_free(&h);
}

Test(rows, damaged_row_lines_are_skipped_and_noted)
{
	struct history h;

	parse_str("# check_async_leak state v1\n"
		  "# rows 1699999000 -\n"
		  "# row 20 1 a.exe -\n"
		  "# row 10 1 b.exe -\n"		/* out of index order */
		  "# row 30 1 c%zz -\n"		/* bad escape */
		  "# row -4 1 d.exe -\n"		/* bad index */
		  "# row 40 1 e.exe\n"		/* a field short */
		  "# row 50 x f.exe -\n"		/* bad CPU */
		  "# rows soon -\n"
		  "1699999000 100 20\n", &h);
	cr_expect_eq(h.nrows, 1);
	cr_expect_eq(h.rows[0].index, 20);
	cr_expect_eq(h.walked_at, 1699999000);
	cr_expect_not(h.rows_has_uptime);
	cr_expect_eq(h.damaged_lines, 6);
	cr_expect_eq(h.n, 1);
	history_free(&h);
}

Test(rows, too_many_rows_are_not_remembered)
{
	struct history h;
	struct history_row rows[HISTORY_MAX_ROWS + 1];
	char text[4096];
	size_t i, len;

	for (i = 0; i <= HISTORY_MAX_ROWS; i++)
		rows[i] = row((long)i + 1, "a.exe", "", 0);
	history_init(&h);
	history_set_rows(&h, rows, HISTORY_MAX_ROWS + 1, NOW, true, 1);
	cr_expect_eq(h.nrows, 0);
	history_set_rows(&h, rows, HISTORY_MAX_ROWS, NOW, true, 1);
	cr_expect_eq(h.nrows, HISTORY_MAX_ROWS);
	history_free(&h);

	/* A file with one row too many keeps the first HISTORY_MAX_ROWS. */
	len = (size_t)snprintf(text, sizeof text, "# check_async_leak state v1\n# rows 1 -\n");
	for (i = 0; i <= HISTORY_MAX_ROWS; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "# row %zu - a.exe -\n", i + 1);
	parse_str(text, &h);
	cr_expect_eq(h.nrows, HISTORY_MAX_ROWS);
	cr_expect_eq(h.damaged_lines, 1);
	history_free(&h);
}

Test(rows, a_future_walk_time_is_unknown)
{
	struct history h;

	parse_str("# check_async_leak state v1\n# rows 1800000000 5\n# row 1 - a -\n", &h);
	cr_expect_eq(h.walked_at, 0);
	cr_expect_eq(h.nrows, 1);
	history_free(&h);
}

/* ... and is written as "# rows 0", which reads back without damage. */
Test(rows, a_walk_that_is_due_round_trips)
{
	struct history h, back;
	char *text;
	size_t len;
	char err[256];

	parse_str("# check_async_leak state v1\n# rows 1800000000 5\n# row 1 - a -\n", &h);
	cr_assert_eq(history_format(&h, &text, &len, err, sizeof err), 0, "%s", err);
	cr_expect_not_null(strstr(text, "# rows 0 5\n"), "%s", text);
	parse_str(text, &back);
	cr_expect_eq(back.damaged_lines, 0, "%s", text);
	cr_expect_eq(back.nrows, 1);
	cr_expect_eq(back.walked_at, 0);
	free(text);
	history_free(&back);
	history_free(&h);
}

/* ------------------------------------------------------------- planning */

static struct rows_memory memory(size_t n, time_t walked_at)
{
	struct rows_memory mem;

	memset(&mem, 0, sizeof mem);
	for (size_t i = 0; i < n; i++)
		mem.rows[i] = row(1388 + (long)i * 1000, "Async.exe", "C:\\bin\\", 1000);
	mem.n = n;
	mem.walked_at = walked_at;
	mem.has_uptime = true;
	mem.uptime = 500000;
	return mem;
}

Test(rows, repeat_only_with_rows_and_a_recent_walk)
{
	struct rows_memory mem = memory(1, NOW - 60);
	char why[ROWS_WHY_MAX];

	cr_expect(rows_may_repeat(&mem, NOW, 1800, why, sizeof why));
	cr_expect_str_empty(why);
	cr_expect_not(rows_may_repeat(&mem, NOW, 0, why, sizeof why));
	cr_expect_not_null(strstr(why, "every check walks"), "%s", why);
	cr_expect_not(rows_may_repeat(&mem, NOW, 60, why, sizeof why));
	cr_expect_not_null(strstr(why, "walk due"), "%s", why);
	mem = memory(1, NOW - 1860);
	cr_expect_not(rows_may_repeat(&mem, NOW, 1800, why, sizeof why));
	cr_expect_not_null(strstr(why, "31 min ago"), "%s", why);
	mem = memory(0, NOW - 60);
	cr_expect_not(rows_may_repeat(&mem, NOW, 1800, why, sizeof why));
	cr_expect_not_null(strstr(why, "no matched rows"), "%s", why);
	mem = memory(1, 0);
	cr_expect_not(rows_may_repeat(&mem, NOW, 1800, why, sizeof why));
	mem = memory(1, NOW + 10);	/* the clock went back */
	cr_expect_not(rows_may_repeat(&mem, NOW, 1800, why, sizeof why));
}

/* --------------------------------------------------- the answer's check */

struct answer {
	struct hr_proc procs[HISTORY_MAX_ROWS];
	struct hr_snapshot snap;
	bool present[HISTORY_MAX_ROWS];
	bool has_mem[HISTORY_MAX_ROWS];
};

/* The answer an unchanged agent gives for mem. */
static void unchanged(const struct rows_memory *mem, struct answer *a)
{
	memset(a, 0, sizeof *a);
	for (size_t i = 0; i < mem->n; i++) {
		struct hr_proc *p = &a->procs[i];

		p->index = mem->rows[i].index;
		snprintf(p->name, sizeof p->name, "%s", mem->rows[i].name);
		snprintf(p->path, sizeof p->path, "%s", mem->rows[i].path);
		p->status = 1;
		p->mem_kb = 50000;
		p->cpu_cs = mem->rows[i].cpu_cs + 10;
		p->has_cpu = true;
		a->present[i] = a->has_mem[i] = true;
	}
	a->snap.procs = a->procs;
	a->snap.n = mem->n;
	a->snap.has_uptime = true;
	a->snap.uptime_ticks = mem->uptime + 30000;
}

static bool stands(const struct rows_memory *mem, struct answer *a, const char *why_part)
{
	struct proc_match m;
	char err[ERRBUF_SIZE], why[ROWS_WHY_MAX] = "x";
	bool ok;

	cr_assert_eq(proc_match_init(&m, "Async.exe", NULL, NULL, err, sizeof err), 0);
	ok = rows_still_match(mem, &m, &a->snap, a->present, a->has_mem, why, sizeof why);
	proc_match_release(&m);
	if (ok)
		cr_expect_str_empty(why);
	else
		cr_expect_not_null(strstr(why, why_part), "'%s' lacks '%s'", why, why_part);
	return ok;
}

Test(rows, an_unchanged_answer_stands)
{
	struct rows_memory mem = memory(2, NOW - 60);
	struct answer a;

	unchanged(&mem, &a);
	cr_expect(stands(&mem, &a, ""));
	a.procs[0].has_cpu = false;	/* an agent without CPU times */
	mem.has_uptime = false;
	cr_expect(stands(&mem, &a, ""));
}

Test(rows, a_vanished_row_walks)
{
	struct rows_memory mem = memory(2, NOW - 60);
	struct answer a;

	unchanged(&mem, &a);
	a.present[1] = false;
	cr_expect_not(stands(&mem, &a, "process 2388 is gone"));
}

Test(rows, an_index_reused_by_another_image_walks)
{
	struct rows_memory mem = memory(1, NOW - 60);
	struct answer a;

	unchanged(&mem, &a);
	snprintf(a.procs[0].name, sizeof a.procs[0].name, "notepad.exe");
	cr_expect_not(stands(&mem, &a, "hrSWRunName.1388 is now 'notepad.exe'"));
	unchanged(&mem, &a);
	snprintf(a.procs[0].name, sizeof a.procs[0].name, "ASYNC.EXE");	/* still matches */
	cr_expect_not(stands(&mem, &a, "is now 'ASYNC.EXE'"));
	unchanged(&mem, &a);
	snprintf(a.procs[0].path, sizeof a.procs[0].path, "D:\\other\\");
	cr_expect_not(stands(&mem, &a, "hrSWRunPath.1388 changed"));
}

Test(rows, an_index_reused_by_the_same_image_walks_on_its_cpu_time)
{
	struct rows_memory mem = memory(1, NOW - 60);
	struct answer a;

	unchanged(&mem, &a);
	a.procs[0].cpu_cs = 3;
	cr_expect_not(stands(&mem, &a, "CPU time of process 1388 went down"));
	a.procs[0].cpu_cs = mem.rows[0].cpu_cs;	/* idle since: the same process */
	cr_expect(stands(&mem, &a, ""));
}

Test(rows, a_reboot_walks)
{
	struct rows_memory mem = memory(1, NOW - 60);
	struct answer a;

	unchanged(&mem, &a);
	a.snap.uptime_ticks = 100;
	cr_expect_not(stands(&mem, &a, "hrSystemUptime went down"));
	unchanged(&mem, &a);
	a.snap.has_uptime = false;
	cr_expect_not(stands(&mem, &a, "hrSystemUptime is missing"));
}

Test(rows, invalid_or_memoryless_rows_walk)
{
	struct rows_memory mem = memory(1, NOW - 60);
	struct answer a;

	unchanged(&mem, &a);
	a.procs[0].status = 4;
	cr_expect_not(stands(&mem, &a, "invalid(4)"));
	unchanged(&mem, &a);
	a.has_mem[0] = false;
	cr_expect_not(stands(&mem, &a, "hrSWRunPerfMem.1388 is missing"));
	unchanged(&mem, &a);
	a.snap.n = 0;
	cr_expect_not(stands(&mem, &a, "the answer has 0 rows"));
}

Test(rows, a_row_that_no_longer_matches_walks)
{
	struct rows_memory mem = memory(1, NOW - 60);
	struct answer a;

	snprintf(mem.rows[0].name, sizeof mem.rows[0].name, "other.exe");
	unchanged(&mem, &a);
	cr_expect_not(stands(&mem, &a, "no longer matches"));
}

/* ------------------------------------------------------ what is stored */

Test(rows, rows_of_a_snapshot_skip_invalid_and_cap)
{
	struct hr_proc procs[HISTORY_MAX_ROWS + 1];
	struct hr_snapshot snap;
	struct history_row rows[HISTORY_MAX_ROWS];

	memset(procs, 0, sizeof procs);
	memset(&snap, 0, sizeof snap);
	for (size_t i = 0; i <= HISTORY_MAX_ROWS; i++) {
		procs[i].index = (long)i + 1;
		snprintf(procs[i].name, sizeof procs[i].name, "Async.exe");
		snprintf(procs[i].path, sizeof procs[i].path, "C:\\");
		procs[i].status = 1;
		procs[i].cpu_cs = i * 10;
		procs[i].has_cpu = true;
	}
	snap.procs = procs;
	snap.n = 2;
	cr_assert_eq(rows_of_snapshot(&snap, rows, HISTORY_MAX_ROWS), 2);
	cr_expect_eq(rows[1].index, 2);
	cr_expect_eq(rows[1].cpu_cs, 10UL);
	cr_expect_str_eq(rows[1].path, "C:\\");
	procs[0].status = 4;
	cr_assert_eq(rows_of_snapshot(&snap, rows, HISTORY_MAX_ROWS), 1);
	cr_expect_eq(rows[0].index, 2);
	procs[0].status = 1;
	snap.n = HISTORY_MAX_ROWS + 1;
	cr_expect_eq(rows_of_snapshot(&snap, rows, HISTORY_MAX_ROWS), 0);
}
