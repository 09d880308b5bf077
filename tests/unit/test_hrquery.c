/*
 * Unit tests: one check's conversation (plugin/hrquery.c) over a carrier
 * of the test's own, an in-memory agent with three processes that answers
 * GET, GETNEXT and GETBULK, and can be told to answer tooBig, to drop a
 * row between the walk and the GET, or to fail.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hrget.h"
#include "hrquery.h"
#include "util.h"

static char err[512];

struct proc_row {
	uint32_t index;
	const char *name, *path;
	long status, mem, cpu;
};

static const struct proc_row table[] = {
	{ 1, "System Idle Process", "", 2, 16, 100 },
	{ 4, "System", "", 2, 216, 200 },
	{ 1388, "Async.exe", "C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\", 2, 49256, 1862054 },
};
#define NROWS (sizeof table / sizeof table[0])

/* The agent's behaviour for one test. */
static struct {
	bool v1;
	size_t toobig_over;		/* a GET of more varbinds: tooBig; 0 never */
	uint32_t gone;			/* a row the GETs no longer find; 0 none */
	bool fail;			/* every request: a carrier error */
	unsigned requests, gets, bulks, nexts;
	struct walk_varbind vbs[256];
} agent;

/* A row by index; for a GET, agent.gone is no longer there. */
static const struct proc_row *row_of(uint32_t ix, bool get)
{
	for (size_t i = 0; i < NROWS; i++)
		if (table[i].index == ix && !(get && ix == agent.gone))
			return &table[i];
	return NULL;
}

/* The value of one OID, into v (type 0 under v1: no such object here). */
static void value(const uint32_t *oid, size_t len, struct walk_varbind *v, bool get)
{
	const struct proc_row *r;

	memset(v, 0, sizeof *v);
	memcpy(v->oid, oid, len * sizeof *oid);
	v->oid_len = len;
	v->type = agent.v1 ? 0 : WALK_T_NOSUCHINSTANCE;
	if (len == HRGET_SCALAR_LEN && !memcmp(oid, HRGET_UPTIME, sizeof HRGET_UPTIME)) {
		v->type = WALK_T_TIMETICKS;
		v->integer = 4063789;
		return;
	}
	if (len == HRGET_SCALAR_LEN && !memcmp(oid, HRGET_MEMSIZE, sizeof HRGET_MEMSIZE)) {
		v->type = WALK_T_INTEGER;
		v->integer = 524288;
		return;
	}
	if (len != HRGET_COLUMN_LEN + 1 || !(r = row_of(oid[HRGET_COLUMN_LEN], get)))
		return;
#define IS(col) (!memcmp(oid, col, sizeof col))
	if (IS(HRGET_RUN_NAME) || IS(HRGET_RUN_PATH)) {
		v->type = WALK_T_OCTET_STR;
		v->str = (const unsigned char *)(IS(HRGET_RUN_NAME) ? r->name : r->path);
		v->str_len = strlen((const char *)v->str);
	} else if (IS(HRGET_RUN_STATUS) || IS(HRGET_PERF_MEM) || IS(HRGET_PERF_CPU)) {
		v->type = WALK_T_INTEGER;
		v->integer = IS(HRGET_RUN_STATUS) ? r->status : IS(HRGET_PERF_MEM) ? r->mem : r->cpu;
	}
#undef IS
}

/* The next row's name or path after oid in its column, or endOfMibView. */
static void next_value(const uint32_t *oid, size_t len, struct walk_varbind *v)
{
	uint32_t next[HRGET_COLUMN_LEN + 1];
	uint32_t after = len > HRGET_COLUMN_LEN ? oid[HRGET_COLUMN_LEN] : 0;

	memcpy(next, oid, HRGET_COLUMN_LEN * sizeof *oid);
	for (size_t i = 0; i < NROWS; i++)
		if (table[i].index > after) {
			next[HRGET_COLUMN_LEN] = table[i].index;
			value(next, HRGET_COLUMN_LEN + 1, v, false);
			return;
		}
	memset(v, 0, sizeof *v);
	memcpy(v->oid, oid, len * sizeof *oid);
	v->oid_len = len;
	v->type = WALK_T_ENDOFMIBVIEW;
}

static int carrier(void *c, const struct hrq_request *rq, struct walk_answer *a, char *e,
		   size_t elen)
{
	size_t n = 0;

	(void)c;
	agent.requests++;
	memset(a, 0, sizeof *a);
	a->vb = agent.vbs;
	if (agent.fail)
		return errorf(e, elen, "no response from the test agent");
	if (rq->pdu == BER_PDU_GET) {
		agent.gets++;
		if (agent.toobig_over && rq->n > agent.toobig_over) {
			a->errstat = WALK_ERR_TOOBIG;
			return 0;
		}
		for (size_t i = 0; i < rq->n; i++) {
			value(rq->names[i].oid, rq->names[i].len, &agent.vbs[n], true);
			if (agent.v1 && agent.vbs[n].type == 0 && !a->errstat) {
				a->errstat = WALK_ERR_NOSUCHNAME;
				a->errindex = (long)i + 1;
			}
			n++;
		}
	} else if (rq->pdu == BER_PDU_GETNEXT) {
		agent.nexts++;
		for (size_t i = 0; i < rq->n; i++)
			next_value(rq->names[i].oid, rq->names[i].len, &agent.vbs[n++]);
	} else {
		agent.bulks++;
		for (long r = 0; r < rq->max_repetitions && n + rq->n <= 256; r++)
			for (size_t i = 0; i < rq->n; i++) {
				const struct walk_varbind *prev = r ? &agent.vbs[n - rq->n] : NULL;

				next_value(prev ? prev->oid : rq->names[i].oid,
					   prev ? prev->oid_len : rq->names[i].len, &agent.vbs[n++]);
			}
	}
	a->n = n;
	return 0;
}

static bool want_async(const char *name, const char *path, void *ud)
{
	(void)path;
	(void)ud;
	return strcmp(name, "Async.exe") == 0;
}

static struct hr_snapshot snap;

static int query(const struct snmp_repeat *rep, bool need_path)
{
	struct hrq q = { carrier, NULL, "127.0.0.1:161", agent.v1, err, sizeof err };

	memset(&snap, 0, sizeof snap);
	snap.mem_size_kb = -1;
	return hrq_query(&q, rep, want_async, NULL, need_path, &snap);
}

static void setup(void)
{
	memset(&agent, 0, sizeof agent);
	err[0] = '\0';
}

static void teardown(void)
{
	snmp_snapshot_release(&snap);
}

TestSuite(hrquery, .init = setup, .fini = teardown);

Test(hrquery, v2c_walk_then_get)
{
	cr_assert_eq(query(NULL, false), 0, "%s", err);
	cr_assert_eq(snap.rows_walked, 3);
	cr_assert_eq(snap.n, 1);
	cr_assert_eq(snap.procs[0].index, 1388);
	cr_assert_eq(snap.procs[0].mem_kb, 49256);
	cr_assert_str_eq(snap.procs[0].path, "C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\");
	cr_assert_eq(snap.uptime_ticks, 4063789);
	cr_assert_eq(snap.mem_size_kb, 524288);
	cr_assert_eq(agent.bulks, 1, "the 3 rows and the end in one GETBULK");
	cr_assert_eq(agent.gets, 1);
	cr_assert_not(snap.repeated);
}

Test(hrquery, v1_walks_with_getnext)
{
	agent.v1 = true;
	cr_assert_eq(query(NULL, true), 0, "%s", err);
	cr_assert_eq(snap.n, 1);
	cr_assert_eq(agent.bulks, 0);
	cr_assert_eq(agent.nexts, 4, "3 rows and the end, name and path columns together");
}

/* still(): the repeat answer stands when every row is there with memory. */
static bool still(const struct hr_snapshot *got, const bool *present, const bool *has_mem,
		  void *ud, char *why, size_t whylen)
{
	(void)ud;
	for (size_t i = 0; i < got->n; i++)
		if (!present[i] || !has_mem[i]) {
			snprintf(why, whylen, "process %ld is gone", got->procs[i].index);
			return false;
		}
	return true;
}

static const long remembered[] = { 1388 };

Test(hrquery, repeat_get_stands_in_one_request)
{
	struct snmp_repeat rep = { remembered, 1, still, NULL, NULL };

	cr_assert_eq(query(&rep, false), 0, "%s", err);
	cr_assert(snap.repeated);
	cr_assert_eq(agent.requests, 1);
	cr_assert_eq(snap.procs[0].mem_kb, 49256);
	cr_assert_eq(snap.rows_walked, 0);
}

Test(hrquery, repeat_get_that_does_not_stand_walks)
{
	struct snmp_repeat rep = { remembered, 1, still, NULL, NULL };

	agent.gone = 1388;	/* the GETs no longer find it, the walk does */
	cr_assert_eq(query(&rep, false), -1);
	cr_assert_str_eq(snap.walk_reason, "repeat GET: process 1388 is gone");
	cr_assert_str_eq(err, "process 1388 vanished between the walk and the GET");
	cr_assert_eq(agent.gets, 2);
	cr_assert_eq(agent.bulks, 1);
	cr_assert_null(snap.procs);
}

Test(hrquery, toobig_repeat_walks_and_the_get_is_cut_down)
{
	struct snmp_repeat rep = { remembered, 1, still, NULL, NULL };

	agent.toobig_over = 4;	/* the repeat GET has 7 varbinds, the walk's GET 6 */
	cr_assert_eq(query(&rep, false), 0, "%s", err);
	cr_assert_str_eq(snap.walk_reason, "the repeat GET was tooBig");
	cr_assert_eq(snap.n, 1);
	cr_assert_eq(snap.procs[0].mem_kb, 49256);
	cr_assert(agent.gets >= 3, "the GET of 6 halved until it fits: %u GETs", agent.gets);
}

Test(hrquery, no_walk_reason_given_is_kept)
{
	struct snmp_repeat rep = { NULL, 0, still, NULL, "walk due: the last one was 30 min ago" };

	cr_assert_eq(query(&rep, false), 0, "%s", err);
	cr_assert_str_eq(snap.walk_reason, "walk due: the last one was 30 min ago");
}

Test(hrquery, a_carrier_error_is_the_error)
{
	agent.fail = true;
	cr_assert_eq(query(NULL, false), -1);
	cr_assert_str_eq(err, "no response from the test agent");
	cr_assert_null(snap.procs);
	cr_assert_eq(snap.n, 0);
}
