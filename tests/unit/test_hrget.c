/*
 * Unit tests: the GET's objects and what their answers mean
 * (plugin/hrget.c), the repeat GET's answer above all: when it stands,
 * when it sends the check to a walk, and when it is an error.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hrget.h"

static char err[512];

/* The answer varbind for an item: its own OID, the given type. */
static struct walk_varbind answer(const struct hrget_item *it, int type)
{
	struct walk_varbind v;

	memset(&v, 0, sizeof v);
	memcpy(v.oid, it->oid, it->oid_len * sizeof it->oid[0]);
	v.oid_len = it->oid_len;
	v.type = type;
	return v;
}

static struct walk_varbind str_answer(const struct hrget_item *it, const char *s)
{
	struct walk_varbind v = answer(it, WALK_T_OCTET_STR);

	v.str = (const unsigned char *)s;
	v.str_len = strlen(s);
	return v;
}

static struct walk_varbind int_answer(const struct hrget_item *it, int type, long long n)
{
	struct walk_varbind v = answer(it, type);

	v.integer = n;
	return v;
}

/* still(): stands when every row is present with its memory, unless told. */
static bool refuse;
static bool still(const struct hr_snapshot *got, const bool *present, const bool *has_mem,
		  void *ud, char *why, size_t whylen)
{
	(void)ud;
	for (size_t i = 0; i < got->n; i++)
		if (!present[i] || !has_mem[i]) {
			snprintf(why, whylen, "process %ld is gone", got->procs[i].index);
			return false;
		}
	if (refuse)
		snprintf(why, whylen, "told so");
	return !refuse;
}

static const long two[] = { 1388, 2412 };
static struct snmp_repeat rep = { two, 2, still, NULL, NULL };
static struct hrget_item items[HRGET_REPEAT_ITEMS];
static struct walk_varbind vbs[HRGET_REPEAT_ITEMS];
static size_t nitems;
static struct hr_snapshot snap;

/* The full answer of an agent where both rows are running Async.exe. */
static struct walk_answer good_answer(void)
{
	struct walk_answer a = { 0, 0, vbs, 0 };

	memset(&snap, 0, sizeof snap);
	snap.mem_size_kb = -1;
	refuse = false;
	cr_assert_eq(hrget_repeat_items(&rep, items, &nitems, &snap, err, sizeof err), 0);
	cr_assert_eq(nitems, 12);
	for (size_t i = 0; i < nitems; i++) {
		const struct hrget_item *it = &items[i];

		switch (it->kind) {
		case IT_UPTIME: vbs[i] = int_answer(it, WALK_T_TIMETICKS, 4294967295LL); break;
		case IT_MEMSIZE: vbs[i] = int_answer(it, WALK_T_INTEGER, 524288); break;
		case IT_NAME: vbs[i] = str_answer(it, "Async.exe"); break;
		case IT_PATH: vbs[i] = str_answer(it, "C:\\exchsrvr\\"); break;
		case IT_STATUS: vbs[i] = int_answer(it, WALK_T_INTEGER, 2); break;
		case IT_MEM: vbs[i] = int_answer(it, WALK_T_INTEGER, 49256); break;
		case IT_CPU: vbs[i] = int_answer(it, WALK_T_INTEGER, -1); break;
		}
	}
	a.n = nitems;
	return a;
}

static int judge(const struct walk_answer *a)
{
	return hrget_repeat_judge(&rep, items, nitems, a, &snap, err, sizeof err);
}

static void fini(void)
{
	free(snap.procs);
}

TestSuite(hrget, .fini = fini);

Test(hrget, repeat_layout_uptime_memsize_then_five_per_row)
{
	good_answer();
	cr_assert_eq(items[0].kind, IT_UPTIME);
	cr_assert_eq(items[0].oid_len, 10);
	cr_assert_eq(items[0].oid[9], 0);
	cr_assert_eq(items[1].kind, IT_MEMSIZE);
	cr_assert_eq(items[2].kind, IT_NAME);
	cr_assert_eq(items[2].oid[11], 1388);
	cr_assert_eq(items[6].kind, IT_CPU);
	cr_assert_eq(items[7].row, 1);
	cr_assert_eq(items[11].oid[11], 2412);
	cr_assert_eq(snap.n, 2);
	cr_assert_eq(snap.procs[1].index, 2412);
}

Test(hrget, repeat_answer_stands)
{
	struct walk_answer a = good_answer();

	cr_assert_eq(judge(&a), 1, "%s", err);
	cr_assert(snap.repeated);
	cr_assert_eq(snap.uptime_ticks, 4294967295UL);
	cr_assert(snap.has_uptime);
	cr_assert_eq(snap.mem_size_kb, 524288);
	cr_assert_str_eq(snap.procs[0].name, "Async.exe");
	cr_assert_eq(snap.procs[1].mem_kb, 49256);
	cr_assert_eq(snap.procs[1].cpu_cs, 4294967295UL, "Integer32 -1 is a wrapped counter");
	cr_assert(snap.procs[1].has_cpu);
}

Test(hrget, repeat_walks_on_toobig_nosuchname_other_errors)
{
	struct walk_answer a = good_answer();

	a.errstat = WALK_ERR_TOOBIG;
	cr_assert_eq(judge(&a), 0);
	cr_assert_str_eq(snap.walk_reason, "the repeat GET was tooBig");
	a.errstat = WALK_ERR_NOSUCHNAME;
	a.errindex = 9;			/* row 1's status */
	cr_assert_eq(judge(&a), 0);
	cr_assert_str_eq(snap.walk_reason, "repeat GET: process 2412 is gone");
	a.errindex = 1;			/* the uptime: not a row */
	cr_assert_eq(judge(&a), 0);
	cr_assert_str_eq(snap.walk_reason, "repeat GET: the agent answered with error 'noSuchName'");
	cr_assert_not(snap.repeated);
}

Test(hrget, repeat_walks_when_the_answer_does_not_match)
{
	struct walk_answer a = good_answer();

	a.n = nitems - 1;
	cr_assert_eq(judge(&a), 0);
	cr_assert_str_eq(snap.walk_reason, "repeat GET: the answer did not match the request");
	a = good_answer();
	vbs[4].oid[11] = 1389;
	cr_assert_eq(judge(&a), 0);
	cr_assert_str_eq(snap.walk_reason, "repeat GET: the answer did not match the request");
}

Test(hrget, repeat_walks_when_a_row_is_gone_or_still_says_no)
{
	struct walk_answer a = good_answer();

	vbs[7].type = WALK_T_NOSUCHINSTANCE;	/* row 1's name */
	cr_assert_eq(judge(&a), 0);
	cr_assert_str_eq(snap.walk_reason, "repeat GET: process 2412 is gone");
	a = good_answer();
	refuse = true;
	cr_assert_eq(judge(&a), 0);
	cr_assert_str_eq(snap.walk_reason, "repeat GET: told so");
}

Test(hrget, wrong_types_and_values_are_errors)
{
	struct walk_answer a = good_answer();

	vbs[5].type = WALK_T_GAUGE;		/* row 0's memory */
	cr_assert_eq(judge(&a), -1);
	cr_assert_str_eq(err, "hrSWRunPerfMem.1388 has type Gauge32, expected INTEGER");
	a = good_answer();
	vbs[5].integer = -5;
	cr_assert_eq(judge(&a), -1);
	cr_assert_str_eq(err, "hrSWRunPerfMem.1388 is negative (-5)");
	a = good_answer();
	vbs[0].type = WALK_T_INTEGER;		/* the uptime */
	cr_assert_eq(judge(&a), -1);
	cr_assert(strstr(err, "expected TimeTicks"), "%s", err);
	a = good_answer();
	vbs[2].str_len = HR_NAME_MAX + 1;	/* row 0's name */
	vbs[2].str = (const unsigned char *)"0123456789012345678901234567890123456789"
					    "0123456789012345678901234567890123456789";
	cr_assert_eq(judge(&a), -1);
	cr_assert(strstr(err, "is 65 bytes long, more than the 64 the MIB allows"), "%s", err);
}

Test(hrget, too_many_rows_walk_at_once)
{
	static const long many[SNMP_REPEAT_MAX_ROWS + 1] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct snmp_repeat big = { many, SNMP_REPEAT_MAX_ROWS + 1, still, NULL, NULL };

	memset(&snap, 0, sizeof snap);
	cr_assert_eq(hrget_repeat_items(&big, items, &nitems, &snap, err, sizeof err), 1);
	cr_assert_str_eq(snap.walk_reason, "too many rows for one GET");
	cr_assert_null(snap.procs);
}
