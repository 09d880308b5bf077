/*
 * Unit tests: the hrSWRunTable walk's state machine (plugin/walk.c), fed
 * decoded answers as plugin/snmp.c hands them over.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "walk.h"

static char err[512];

#define NAME 2
#define PATH 4

/* A varbind hrSWRunTable column COL, row IDX, OCTET STRING value. */
static struct walk_varbind row(int col, uint32_t idx, const char *value)
{
	struct walk_varbind v;

	memset(&v, 0, sizeof v);
	memcpy(v.oid, WALK_OID_RUN_NAME, sizeof WALK_OID_RUN_NAME);
	v.oid[WALK_COLUMN_LEN - 1] = (uint32_t)col;
	v.oid[WALK_COLUMN_LEN] = idx;
	v.oid_len = WALK_COLUMN_LEN + 1;
	v.type = WALK_T_OCTET_STR;
	v.str = (const unsigned char *)value;
	v.str_len = strlen(value);
	return v;
}

/* A varbind that ends a column: exception type (or the next column's row). */
static struct walk_varbind end_of_view(void)
{
	struct walk_varbind v = row(NAME, 1, "");

	v.type = WALK_T_ENDOFMIBVIEW;
	v.str_len = 0;
	return v;
}

static int take(struct walk *w, const struct walk_varbind *vb, size_t n)
{
	struct walk_request req;
	struct walk_answer a = { 0, 0, vb, n };

	cr_assert(walk_next(w, &req), "the walk asked for nothing");
	return walk_take(w, &a, err, sizeof err);
}

Test(walk, a_bulk_answer_gives_rows_until_the_column_ends)
{
	struct walk w;
	struct walk_request req;
	struct walk_varbind vb[4] = { row(NAME, 1, "System Idle Process"), row(NAME, 4, "System"),
				      row(NAME, 1388, "Async.exe"), row(PATH, 1, "") };
	const struct walk_row *r;
	size_t n;

	walk_init(&w, false, false, "h:161");
	cr_assert(walk_next(&w, &req));
	cr_expect_not(req.getnext);
	cr_expect_eq(req.n, 1);
	cr_expect_eq(req.max_repetitions, WALK_MAX_REPETITIONS);
	cr_expect_eq(walk_oid_compare(req.oid[0], req.oid_len[0], WALK_OID_RUN_NAME,
				      WALK_COLUMN_LEN), 0);
	cr_assert_eq(walk_take(&w, &(struct walk_answer){ 0, 0, vb, 4 }, err, sizeof err), 0,
		     "%s", err);
	cr_expect_not(walk_next(&w, &req), "the column is over: no more requests");
	r = walk_rows(&w, &n);
	cr_assert_eq(n, 3);
	cr_expect_eq(r[2].index, 1388);
	cr_expect_str_eq(r[2].name, "Async.exe");
	walk_release(&w);
}

Test(walk, a_looping_agent_is_oid_not_increasing)
{
	struct walk w;
	struct walk_varbind vb[3] = { row(NAME, 1, "System Idle Process"),
				      row(NAME, 1, "System Idle Process"),
				      row(NAME, 1, "System Idle Process") };

	walk_init(&w, false, false, "h:161");
	cr_expect_eq(take(&w, vb, 3), -1);
	cr_expect(strstr(err, "OID not increasing") != NULL, "%s", err);
	cr_expect(strstr(err, "hrSWRunName.1 after hrSWRunName.1") != NULL, "%s", err);
	walk_release(&w);
}

Test(walk, a_loop_across_two_answers_is_caught_too)
{
	struct walk w;
	struct walk_varbind a = row(NAME, 4, "System"), b = row(NAME, 4, "System");

	walk_init(&w, false, true, "h:161");
	cr_assert_eq(take(&w, &a, 1), 0, "%s", err);
	cr_expect_eq(take(&w, &b, 1), -1);
	cr_expect(strstr(err, "OID not increasing") != NULL, "%s", err);
	walk_release(&w);
}

Test(walk, an_oid_that_goes_back_is_an_error_not_the_end)
{
	struct walk w;
	struct walk_varbind vb[3] = { row(NAME, 1, "System Idle Process"), row(NAME, 4, "System"),
				      row(NAME, 2, "smss.exe") };
	struct walk_varbind before;

	walk_init(&w, false, false, "h:161");
	cr_expect_eq(take(&w, vb, 3), -1);
	cr_expect(strstr(err, "OID went back (hrSWRunName.2 after hrSWRunName.4)") != NULL,
		  "%s", err);
	walk_release(&w);

	/* Before the column altogether (e.g. sysDescr.0): went back as well. */
	memset(&before, 0, sizeof before);
	memcpy(before.oid, (const uint32_t[]){ 1, 3, 6, 1, 2, 1, 1, 1, 0 }, 9 * sizeof(uint32_t));
	before.oid_len = 9;
	before.type = WALK_T_OCTET_STR;
	walk_init(&w, false, false, "h:161");
	cr_expect_eq(take(&w, &before, 1), -1);
	cr_expect(strstr(err, "OID went back") != NULL, "%s", err);
	walk_release(&w);
}

Test(walk, a_bulk_answer_that_lost_a_varbind_is_varbind_missing)
{
	struct walk w;
	/* name.4 is lost: the columns no longer alternate. */
	struct walk_varbind vb[5] = { row(NAME, 1, "System Idle Process"), row(PATH, 1, ""),
				      row(PATH, 4, ""), row(NAME, 1388, "Async.exe"),
				      row(PATH, 1388, "C:\\x\\") };

	walk_init(&w, true, false, "h:161");
	cr_expect_eq(take(&w, vb, 5), -1);
	cr_expect(strstr(err, "varbind missing") != NULL, "%s", err);
	walk_release(&w);
}

Test(walk, a_getnext_answer_with_fewer_varbinds_is_varbind_missing)
{
	struct walk w;
	struct walk_varbind vb = row(NAME, 1, "System Idle Process");

	walk_init(&w, true, true, "h:161");
	cr_expect_eq(take(&w, &vb, 1), -1);
	cr_expect(strstr(err, "varbind missing (1 of 2 in the answer to a GETNEXT)") != NULL,
		  "%s", err);
	walk_release(&w);
}

Test(walk, two_columns_side_by_side_join_their_paths)
{
	struct walk w;
	struct walk_request req;
	struct walk_varbind vb[6] = { row(NAME, 1, "System Idle Process"), row(PATH, 1, ""),
				      row(NAME, 1388, "Async.exe"), row(PATH, 1388, "C:\\x\\"),
				      row(3, 1, ""), row(5, 1, "") };
	const struct walk_row *r;
	size_t n;

	walk_init(&w, true, false, "h:161");
	cr_assert(walk_next(&w, &req));
	cr_expect_eq(req.n, 2);
	cr_expect_eq(req.max_repetitions, WALK_MAX_REPETITIONS / 2);
	cr_assert_eq(walk_take(&w, &(struct walk_answer){ 0, 0, vb, 6 }, err, sizeof err), 0,
		     "%s", err);
	cr_expect_not(walk_next(&w, &req));
	r = walk_rows(&w, &n);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(r[1].path, "C:\\x\\");
	cr_expect(r[1].has_path);
	walk_release(&w);
}

Test(walk, a_truncated_bulk_answer_goes_on_from_each_column)
{
	struct walk w;
	struct walk_request req;
	struct walk_varbind a[3] = { row(NAME, 1, "A"), row(PATH, 1, "pa"), row(NAME, 4, "B") };
	struct walk_varbind b[4] = { row(NAME, 9, "C"), row(PATH, 4, "pb"), row(3, 1, ""),
				     row(PATH, 9, "pc") };
	const struct walk_row *r;
	size_t n;

	walk_init(&w, true, false, "h:161");
	cr_assert_eq(take(&w, a, 3), 0, "%s", err);
	cr_assert(walk_next(&w, &req));
	cr_expect_eq(req.oid[0][WALK_COLUMN_LEN], 4);
	cr_expect_eq(req.oid[1][WALK_COLUMN_LEN], 1);
	cr_assert_eq(walk_take(&w, &(struct walk_answer){ 0, 0, b, 4 }, err, sizeof err), 0,
		     "%s", err);
	cr_assert(walk_next(&w, &req), "the path column is still open");
	cr_expect_eq(req.n, 1);
	cr_assert_eq(walk_take(&w, &(struct walk_answer){ 0, 0, (struct walk_varbind[]){
			     end_of_view() }, 1 }, err, sizeof err), 0, "%s", err);
	cr_expect_not(walk_next(&w, &req));
	r = walk_rows(&w, &n);
	cr_assert_eq(n, 3);
	cr_expect_str_eq(r[2].path, "pc");
	walk_release(&w);
}

Test(walk, v1_nosuchname_ends_the_named_column)
{
	struct walk w;
	struct walk_request req;
	struct walk_varbind vb = row(NAME, 1388, "Async.exe");
	const struct walk_row *r;
	size_t n;

	walk_init(&w, false, true, "h:161");
	cr_assert(walk_next(&w, &req));
	cr_expect(req.getnext);
	cr_assert_eq(walk_take(&w, &(struct walk_answer){ 0, 0, &vb, 1 }, err, sizeof err), 0);
	cr_assert(walk_next(&w, &req));
	cr_assert_eq(walk_take(&w, &(struct walk_answer){ WALK_ERR_NOSUCHNAME, 1, NULL, 0 },
			       err, sizeof err), 0, "%s", err);
	cr_expect_not(walk_next(&w, &req));
	r = walk_rows(&w, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(r[0].index, 1388);
	walk_release(&w);
}

Test(walk, toobig_halves_max_repetitions_and_asks_again)
{
	struct walk w;
	struct walk_request req;

	walk_init(&w, false, false, "h:161");
	cr_assert(walk_next(&w, &req));
	cr_assert_eq(walk_take(&w, &(struct walk_answer){ WALK_ERR_TOOBIG, 0, NULL, 0 },
			       err, sizeof err), 0);
	cr_assert(walk_next(&w, &req));
	cr_expect_eq(req.max_repetitions, WALK_MAX_REPETITIONS / 2);
	walk_release(&w);
}

Test(walk, other_error_status_and_bad_rows_are_errors)
{
	struct walk w;
	struct walk_varbind vb = row(NAME, 1, "x");
	struct walk_varbind deep = row(NAME, 1, "x");
	struct walk_varbind big = row(NAME, 2147483648U, "x");
	char longname[80];

	walk_init(&w, false, false, "h:161");
	cr_assert(walk_next(&w, &(struct walk_request){ 0 }));
	cr_expect_eq(walk_take(&w, &(struct walk_answer){ 16, 1, NULL, 0 }, err, sizeof err), -1);
	cr_expect(strstr(err, "answered with error 'authorizationError' (the community's") != NULL,
		  "%s", err);
	walk_release(&w);

	walk_init(&w, false, false, "h:161");
	cr_expect_eq(take(&w, NULL, 0), -1);
	cr_expect(strstr(err, "empty answer") != NULL, "%s", err);
	walk_release(&w);

	vb.type = WALK_T_INTEGER;
	walk_init(&w, false, false, "h:161");
	cr_expect_eq(take(&w, &vb, 1), -1);
	cr_expect_str_eq(err, "hrSWRunName.1 has type INTEGER, expected OCTET STRING");
	walk_release(&w);

	deep.oid[deep.oid_len++] = 7;
	walk_init(&w, false, false, "h:161");
	cr_expect_eq(take(&w, &deep, 1), -1);
	cr_expect(strstr(err, "hrSWRunName.1.7, which is not a valid hrSWRunTable row") != NULL,
		  "%s", err);
	walk_release(&w);

	walk_init(&w, false, false, "h:161");
	cr_expect_eq(take(&w, &big, 1), -1);
	cr_expect(strstr(err, "not a valid hrSWRunTable row") != NULL, "%s", err);
	walk_release(&w);

	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	vb = row(NAME, 1, longname);
	walk_init(&w, false, false, "h:161");
	cr_expect_eq(take(&w, &vb, 1), -1);
	cr_expect_str_eq(err, "hrSWRunName.1 is 79 bytes long, more than the 64 the MIB allows");
	walk_release(&w);
}

Test(walk, index_zero_and_control_bytes_in_names)
{
	struct walk w;
	struct walk_varbind vb[2] = { row(NAME, 0, "Idle\x1b[2J|x\n"), end_of_view() };
	const struct walk_row *r;
	size_t n;

	walk_init(&w, false, false, "h:161");
	cr_assert_eq(take(&w, vb, 2), 0, "%s", err);
	r = walk_rows(&w, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(r[0].index, 0);
	cr_expect_str_eq(r[0].name, "Idle?[2J|x?");
	walk_release(&w);
}

Test(walk, object_names_for_messages)
{
	char buf[80];
	const uint32_t mem[] = { 1, 3, 6, 1, 2, 1, 25, 5, 1, 1, 2, 1388 };
	const uint32_t other[] = { 1, 3, 6 };

	walk_object_name(mem, 12, buf, sizeof buf);
	cr_expect_str_eq(buf, "hrSWRunPerfMem.1388");
	walk_object_name(WALK_OID_RUN_PATH, WALK_COLUMN_LEN, buf, sizeof buf);
	cr_expect_str_eq(buf, "hrSWRunPath");
	walk_object_name(other, 3, buf, sizeof buf);
	cr_expect_str_eq(buf, ".1.3.6");
	walk_object_name(mem, 12, buf, 5);
	cr_expect_eq(strlen(buf), 4);
	cr_expect_str_eq(walk_errstat_name(2), "noSuchName");
	cr_expect_str_eq(walk_errstat_name(99), "an unknown error status");
	cr_expect_str_eq(walk_type_name(WALK_T_TIMETICKS), "TimeTicks");
}
