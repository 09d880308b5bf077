/*
 * hrget.c - the GET's objects and what their answers mean (see hrget.h).
 */
#include "hrget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HR 1, 3, 6, 1, 2, 1, 25
const uint32_t HRGET_UPTIME[HRGET_SCALAR_LEN - 1] = { HR, 1, 1 };
const uint32_t HRGET_MEMSIZE[HRGET_SCALAR_LEN - 1] = { HR, 2, 2 };
const uint32_t HRGET_RUN_NAME[HRGET_COLUMN_LEN] = { HR, 4, 2, 1, 2 };
const uint32_t HRGET_RUN_PATH[HRGET_COLUMN_LEN] = { HR, 4, 2, 1, 4 };
const uint32_t HRGET_RUN_STATUS[HRGET_COLUMN_LEN] = { HR, 4, 2, 1, 7 };
const uint32_t HRGET_PERF_CPU[HRGET_COLUMN_LEN] = { HR, 5, 1, 1, 1 };
const uint32_t HRGET_PERF_MEM[HRGET_COLUMN_LEN] = { HR, 5, 1, 1, 2 };
_Static_assert(HRGET_COLUMN_LEN == WALK_COLUMN_LEN, "column OIDs as plugin/walk.c has them");

void hrget_item_set(struct hrget_item *it, enum hrget_kind kind, size_t row,
		    const uint32_t *base, size_t base_len, uint32_t sub)
{
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->row = row;
	memcpy(it->oid, base, base_len * sizeof *base);
	it->oid[base_len] = sub;
	it->oid_len = base_len + 1;
}

bool hrget_is_item(const struct hrget_item *it, const struct walk_varbind *vb)
{
	return vb->oid_len == it->oid_len &&
	       memcmp(vb->oid, it->oid, it->oid_len * sizeof it->oid[0]) == 0;
}

static bool is_exception(int type)
{
	return type == WALK_T_NOSUCHOBJECT || type == WALK_T_NOSUCHINSTANCE ||
	       type == WALK_T_ENDOFMIBVIEW;
}

static int wrong_type(const struct walk_varbind *vb, const char *want, char *err,
		      size_t errlen)
{
	char obj[160];

	walk_object_name(vb->oid, vb->oid_len, obj, sizeof obj);
	return errorf(err, errlen, "%s has type %s, expected %s", obj,
		      walk_type_name(vb->type), want);
}

static int take_integer(const struct walk_varbind *vb, long *v, char *err, size_t errlen)
{
	if (vb->type != WALK_T_INTEGER)
		return wrong_type(vb, "INTEGER", err, errlen);
	*v = (long)vb->integer;
	return 0;
}

/* Copies an OCTET STRING varbind; over-long values break the MIB: error. */
static int take_string(const struct walk_varbind *vb, char *dst, size_t size, char *err,
		       size_t errlen)
{
	char obj[160];

	if (vb->type != WALK_T_OCTET_STR)
		return wrong_type(vb, "OCTET STRING", err, errlen);
	if (copy_counted(dst, size, vb->str, vb->str_len) < 0) {
		walk_object_name(vb->oid, vb->oid_len, obj, sizeof obj);
		return errorf(err, errlen, "%s is %zu bytes long, more than the %zu "
			      "the MIB allows", obj, vb->str_len, size - 1);
	}
	return 0;
}

int hrget_take(const struct hrget_item *it, const struct walk_varbind *vb,
	       struct hr_snapshot *out, struct hrget_got *got, char *err, size_t errlen)
{
	struct hr_proc *p = it->kind <= IT_PATH ? &out->procs[it->row] : NULL;
	char obj[160];
	long v = 0;

	if (is_exception(vb->type))
		return 0;	/* absent: the caller's defaults stand */
	switch (it->kind) {
	case IT_STATUS:
		if (take_integer(vb, &v, err, errlen) < 0)
			return -1;
		p->status = (int)v;
		got[it->row].status = true;
		return 0;
	case IT_MEM:
		if (take_integer(vb, &v, err, errlen) < 0)
			return -1;
		if (v < 0) {
			walk_object_name(vb->oid, vb->oid_len, obj, sizeof obj);
			return errorf(err, errlen, "%s is negative (%ld)", obj, v);
		}
		p->mem_kb = v;
		got[it->row].mem = true;
		return 0;
	case IT_CPU:
		if (take_integer(vb, &v, err, errlen) < 0)
			return -1;
		/* Integer32 on the wire, a wrapping counter in meaning. */
		p->cpu_cs = (unsigned long)(uint32_t)v;
		p->has_cpu = true;
		return 0;
	case IT_NAME:
		if (take_string(vb, p->name, sizeof p->name, err, errlen) < 0)
			return -1;
		got[it->row].name = true;
		return 0;
	case IT_PATH:
		return take_string(vb, p->path, sizeof p->path, err, errlen);
	case IT_MEMSIZE:
		if (take_integer(vb, &v, err, errlen) < 0)
			return -1;
		out->mem_size_kb = v > 0 ? v : -1;
		return 0;
	case IT_UPTIME:
		if (vb->type != WALK_T_TIMETICKS)
			return wrong_type(vb, "TimeTicks", err, errlen);
		out->uptime_ticks = (unsigned long)vb->integer;
		out->has_uptime = true;
		return 0;
	}
	return 0;
}

int hrget_repeat_items(const struct snmp_repeat *rep, struct hrget_item *items,
		       size_t *nitems, struct hr_snapshot *out, char *err, size_t errlen)
{
	size_t n = 0, i;

	*nitems = 0;
	if (rep->n > SNMP_REPEAT_MAX_ROWS) {
		snprintf(out->walk_reason, sizeof out->walk_reason, "too many rows for one GET");
		return 1;
	}
	out->procs = calloc(rep->n ? rep->n : 1, sizeof *out->procs);
	if (!out->procs)
		return errorf(err, errlen, "out of memory");
	out->n = rep->n;
	hrget_item_set(&items[n++], IT_UPTIME, 0, HRGET_UPTIME, HRGET_SCALAR_LEN - 1, 0);
	hrget_item_set(&items[n++], IT_MEMSIZE, 0, HRGET_MEMSIZE, HRGET_SCALAR_LEN - 1, 0);
	for (i = 0; i < rep->n; i++) {
		uint32_t ix = (uint32_t)rep->indexes[i];

		out->procs[i].index = rep->indexes[i];
		hrget_item_set(&items[n++], IT_NAME, i, HRGET_RUN_NAME, HRGET_COLUMN_LEN, ix);
		hrget_item_set(&items[n++], IT_PATH, i, HRGET_RUN_PATH, HRGET_COLUMN_LEN, ix);
		hrget_item_set(&items[n++], IT_STATUS, i, HRGET_RUN_STATUS, HRGET_COLUMN_LEN, ix);
		hrget_item_set(&items[n++], IT_MEM, i, HRGET_PERF_MEM, HRGET_COLUMN_LEN, ix);
		hrget_item_set(&items[n++], IT_CPU, i, HRGET_PERF_CPU, HRGET_COLUMN_LEN, ix);
	}
	*nitems = n;
	return 0;
}

int hrget_repeat_judge(const struct snmp_repeat *rep, const struct hrget_item *items,
		       size_t nitems, const struct walk_answer *a, struct hr_snapshot *out,
		       char *err, size_t errlen)
{
	struct hrget_got got[SNMP_REPEAT_MAX_ROWS];
	bool present[SNMP_REPEAT_MAX_ROWS], has_mem[SNMP_REPEAT_MAX_ROWS];
	char why[160];
	size_t i;

	memset(got, 0, sizeof got);
	if (a->errstat == WALK_ERR_TOOBIG) {
		snprintf(out->walk_reason, sizeof out->walk_reason, "the repeat GET was tooBig");
		return 0;
	}
	if (a->errstat == WALK_ERR_NOSUCHNAME && a->errindex >= 3 &&
	    (size_t)a->errindex <= nitems) {	/* v1: one of the rows is gone */
		snprintf(out->walk_reason, sizeof out->walk_reason, "repeat GET: process %ld is gone",
			 rep->indexes[items[a->errindex - 1].row]);
		return 0;
	}
	if (a->errstat != 0) {
		snprintf(out->walk_reason, sizeof out->walk_reason, "repeat GET: the agent answered "
			 "with error '%s'", walk_errstat_name(a->errstat));
		return 0;
	}
	for (i = 0; i < nitems; i++) {
		if (i >= a->n || !hrget_is_item(&items[i], &a->vb[i])) {
			snprintf(out->walk_reason, sizeof out->walk_reason, "repeat GET: the answer "
				 "did not match the request");
			return 0;
		}
		if (hrget_take(&items[i], &a->vb[i], out, got, err, errlen) < 0)
			return -1;
	}
	for (i = 0; i < rep->n; i++) {
		present[i] = got[i].name && got[i].status;
		has_mem[i] = got[i].mem;
	}
	if (!rep->still(out, present, has_mem, rep->ud, why, sizeof why)) {
		snprintf(out->walk_reason, sizeof out->walk_reason, "repeat GET: %s", why);
		return 0;
	}
	out->repeated = true;
	return 1;
}

/* Declared in snmp.h: the snapshot is this module's kind of data. */
void snmp_snapshot_release(struct hr_snapshot *snap)
{
	free(snap->procs);
	snap->procs = NULL;
	snap->n = 0;
}
