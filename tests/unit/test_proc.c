/*
 * Unit tests: matching hrSWRunTable rows and adding them up.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "proc.h"

static char err[512];

Test(proc, name_match_ignores_case_and_wants_the_whole_name)
{
	struct proc_match m;

	cr_assert_eq(proc_match_init(&m, "Async.exe", NULL, NULL, err, sizeof err), 0);
	cr_expect(proc_match_row(&m, "Async.exe", NULL));
	cr_expect(proc_match_row(&m, "ASYNC.EXE", NULL));
	cr_expect(proc_match_row(&m, "async.exe", "C:\\x\\"));
	cr_expect_not(proc_match_row(&m, "Async.exe2", NULL));
	cr_expect_not(proc_match_row(&m, "MyAsync.exe", NULL));
	cr_expect_not(proc_match_row(&m, "Async", NULL));
	proc_match_release(&m);
}

Test(proc, a_dot_in_a_name_is_literal)
{
	struct proc_match m;

	cr_assert_eq(proc_match_init(&m, "Async.exe", NULL, NULL, err, sizeof err), 0);
	cr_expect_not(proc_match_row(&m, "AsyncXexe", NULL));
	proc_match_release(&m);
}

Test(proc, regex_is_extended_case_insensitive_and_unanchored)
{
	struct proc_match m;

	cr_assert_eq(proc_match_init(&m, "Async.exe", "^(async|emsmta)\\.exe$", NULL, err,
				     sizeof err), 0, "%s", err);
	cr_expect(proc_match_row(&m, "ASYNC.EXE", NULL));
	cr_expect(proc_match_row(&m, "emsmta.exe", NULL));
	cr_expect_not(proc_match_row(&m, "store.exe", NULL));
	proc_match_release(&m);
	cr_assert_eq(proc_match_init(&m, NULL, "sync", NULL, err, sizeof err), 0);
	cr_expect(proc_match_row(&m, "Async.exe", NULL));
	proc_match_release(&m);
}

Test(proc, path_match_sees_the_windows_directory)
{
	struct proc_match m;

	cr_assert_eq(proc_match_init(&m, "Async.exe", NULL, "\\\\connect\\\\msmcon\\\\bin\\\\$",
				     err, sizeof err), 0, "%s", err);
	cr_expect(m.use_path);
	cr_expect(proc_match_row(&m, "Async.exe", "C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\"));
	cr_expect_not(proc_match_row(&m, "Async.exe", "C:\\temp\\"));
	cr_expect_not(proc_match_row(&m, "Async.exe", NULL), "no path fetched: no decision");
	proc_match_release(&m);
}

Test(proc, bad_expressions_are_errors)
{
	struct proc_match m;

	cr_expect_eq(proc_match_init(&m, NULL, "(unclosed", NULL, err, sizeof err), -1);
	cr_expect(strstr(err, "--regex '(unclosed' is not a valid extended regex") != NULL, "%s", err);
	proc_match_release(&m);
	cr_expect_eq(proc_match_init(&m, "Async.exe", NULL, "[", err, sizeof err), -1);
	cr_expect(strstr(err, "--path") != NULL, "%s", err);
	proc_match_release(&m);
}

Test(proc, names_longer_than_hrswrunname_are_errors)
{
	struct proc_match m;
	char name[80];

	memset(name, 'x', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	cr_expect_eq(proc_match_init(&m, name, NULL, NULL, err, sizeof err), -1);
	proc_match_release(&m);
}

static struct hr_proc rows[3] = {
	{ .index = 2412, .name = "Async.exe", .status = 1, .mem_kb = 1000, .cpu_cs = 50, .has_cpu = true },
	{ .index = 1388, .name = "Async.exe", .status = 2, .mem_kb = 3000, .cpu_cs = 70, .has_cpu = true },
	{ .index = 99, .name = "Async.exe", .status = 4, .mem_kb = 7000, .cpu_cs = 1, .has_cpu = true },
};

Test(proc, totals_skip_invalid_rows)
{
	struct hr_snapshot snap = { .procs = rows, .n = 3, .mem_size_kb = -1 };
	struct proc_total t;

	cr_assert_eq(proc_total(&snap, &t), 0);
	cr_expect_eq(t.instances, 2);
	cr_expect_float_eq(t.mem_bytes, 4000.0 * 1024, 1e-9);
	cr_expect_eq(t.cpu_cs, 120);
	cr_expect(t.has_cpu);
	cr_expect_float_eq(t.host_mem_bytes, 0, 1e-9);
	proc_total_release(&t);
}

/* The agent's kilobytes become bytes here, once: every row and the host. */
Test(proc, totals_are_bytes_and_list_every_row)
{
	struct hr_snapshot snap = { .procs = rows, .n = 3, .mem_size_kb = 524288 };
	struct proc_total t;

	cr_assert_eq(proc_total(&snap, &t), 0);
	cr_expect_float_eq(t.host_mem_bytes, 512.0 * 1048576, 1e-9);
	cr_assert_eq(t.n_rows, 3);
	cr_expect_eq(t.rows[0].index, 2412);
	cr_expect_float_eq(t.rows[1].mem_bytes, 3000.0 * 1024, 1e-9);
	cr_expect_str_eq(t.rows[1].status, "runnable");
	cr_expect_str_eq(t.rows[2].status, "invalid");
	cr_expect_float_eq(t.rows[0].cpu_s, 0.5, 1e-9);
	proc_total_release(&t);
	cr_expect_null(t.rows);
}

Test(proc, index_list_is_sorted_and_comma_joined)
{
	struct hr_snapshot snap = { .procs = rows, .n = 3 };
	char buf[64], tiny[6];

	cr_assert_eq(proc_index_list(&snap, buf, sizeof buf), 0);
	cr_expect_str_eq(buf, "1388,2412");
	cr_expect_eq(proc_index_list(&snap, tiny, sizeof tiny), -1);
	snap.n = 0;
	cr_assert_eq(proc_index_list(&snap, buf, sizeof buf), 0);
	cr_expect_str_eq(buf, "");
}
