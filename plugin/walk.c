/*
 * walk.c - the hrSWRunTable walk's state machine (see walk.h).
 */
#include "walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HR 1, 3, 6, 1, 2, 1, 25
const uint32_t WALK_OID_RUN_NAME[WALK_COLUMN_LEN] = { HR, 4, 2, 1, 2 };
const uint32_t WALK_OID_RUN_PATH[WALK_COLUMN_LEN] = { HR, 4, 2, 1, 4 };
static const uint32_t OID_RUN_STATUS[] = { HR, 4, 2, 1, 7 };
static const uint32_t OID_PERF_CPU[] = { HR, 5, 1, 1, 1 };
static const uint32_t OID_PERF_MEM[] = { HR, 5, 1, 1, 2 };
static const uint32_t OID_UPTIME[] = { HR, 1, 1 };
static const uint32_t OID_MEMSIZE[] = { HR, 2, 2 };

#define INDEX_MAX 2147483647UL	/* hrSWRunIndex is an Integer32 */

int walk_oid_compare(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return alen == blen ? 0 : alen < blen ? -1 : 1;
}

/* Whether oid lies under (strictly below) the base. */
static bool in_subtree(const uint32_t *base, size_t blen, const uint32_t *oid, size_t len)
{
	return len > blen && memcmp(base, oid, blen * sizeof *oid) == 0;
}

void walk_object_name(const uint32_t *oid, size_t len, char *buf, size_t size)
{
	static const struct { const uint32_t *o; size_t len; const char *label; } known[] = {
		{ WALK_OID_RUN_NAME, WALK_COLUMN_LEN, "hrSWRunName" },
		{ WALK_OID_RUN_PATH, WALK_COLUMN_LEN, "hrSWRunPath" },
		{ OID_RUN_STATUS, WALK_COLUMN_LEN, "hrSWRunStatus" },
		{ OID_PERF_CPU, WALK_COLUMN_LEN, "hrSWRunPerfCPU" },
		{ OID_PERF_MEM, WALK_COLUMN_LEN, "hrSWRunPerfMem" },
		{ OID_UPTIME, sizeof OID_UPTIME / sizeof OID_UPTIME[0], "hrSystemUptime" },
		{ OID_MEMSIZE, sizeof OID_MEMSIZE / sizeof OID_MEMSIZE[0], "hrMemorySize" },
	};
	size_t i, k = 0, used = 0;
	int n;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (len >= known[i].len &&
		    memcmp(known[i].o, oid, known[i].len * sizeof *oid) == 0) {
			n = snprintf(buf, size, "%s", known[i].label);
			used = n > 0 ? (size_t)n : 0;
			k = known[i].len;
			break;
		}
	}
	for (; k < len && used < size; k++) {
		n = snprintf(buf + used, size - used, ".%lu", (unsigned long)oid[k]);
		used += n > 0 ? (size_t)n : 0;
	}
}

const char *walk_type_name(int type)
{
	switch (type) {
	case WALK_T_INTEGER: return "INTEGER";
	case WALK_T_OCTET_STR: return "OCTET STRING";
	case WALK_T_OBJECT_ID: return "OBJECT IDENTIFIER";
	case WALK_T_NULL: return "NULL";
	case 0x03: return "BITS";
	case WALK_T_IPADDRESS: return "IpAddress";
	case WALK_T_COUNTER: return "Counter32";
	case WALK_T_GAUGE: return "Gauge32";
	case WALK_T_TIMETICKS: return "TimeTicks";
	case WALK_T_OPAQUE: return "Opaque";
	case WALK_T_COUNTER64: return "Counter64";
	case WALK_T_NOSUCHOBJECT: return "noSuchObject";
	case WALK_T_NOSUCHINSTANCE: return "noSuchInstance";
	case WALK_T_ENDOFMIBVIEW: return "endOfMibView";
	default: return "an unknown type";
	}
}

const char *walk_errstat_name(long errstat)
{
	static const char *const names[] = {
		"noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr",
		"noAccess", "wrongType", "wrongLength", "wrongEncoding", "wrongValue",
		"noCreation", "inconsistentValue", "resourceUnavailable", "commitFailed",
		"undoFailed", "authorizationError", "notWritable", "inconsistentName",
	};

	if (errstat >= 0 && (size_t)errstat < sizeof names / sizeof names[0])
		return names[errstat];
	return "an unknown error status";
}

void walk_init(struct walk *w, bool need_path, bool v1, const char *peer)
{
	size_t i;

	memset(w, 0, sizeof *w);
	w->ncols = need_path ? 2 : 1;
	w->v1 = v1;
	w->max_rep = WALK_MAX_REPETITIONS;
	w->peer = peer ? peer : "?";
	for (i = 0; i < w->ncols; i++) {
		struct walk_column *col = &w->cols[i];

		memcpy(col->base, i == 0 ? WALK_OID_RUN_NAME : WALK_OID_RUN_PATH,
		       sizeof col->base);
		memcpy(col->cur, col->base, sizeof col->base);
		col->cur_len = WALK_COLUMN_LEN;
		col->is_path = i == 1;
	}
}

void walk_release(struct walk *w)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		free(w->cols[i].rows);
		w->cols[i].rows = NULL;
		w->cols[i].n = w->cols[i].cap = 0;
	}
}

bool walk_next(struct walk *w, struct walk_request *req)
{
	size_t i;

	memset(req, 0, sizeof *req);
	w->nact = 0;
	for (i = 0; i < w->ncols; i++) {
		if (w->cols[i].done)
			continue;
		w->active[w->nact] = i;
		req->oid[w->nact] = w->cols[i].cur;
		req->oid_len[w->nact] = w->cols[i].cur_len;
		w->nact++;
	}
	req->n = w->nact;
	req->getnext = w->v1;
	if (!w->v1)
		req->max_repetitions = w->max_rep / (long)(w->nact ? w->nact : 1) > 0 ?
				       w->max_rep / (long)(w->nact ? w->nact : 1) : 1;
	return w->nact > 0;
}

static int row_push(struct walk *w, struct walk_column *col, long index,
		    char *err, size_t errlen)
{
	if (col->n == WALK_MAX_ROWS)
		return errorf(err, errlen, "the agent at %s lists more than %d processes",
			      w->peer, WALK_MAX_ROWS);
	if (col->n == col->cap) {
		size_t cap = col->cap ? col->cap * 2 : 128;
		struct walk_row *v = realloc(col->rows, cap * sizeof *v);

		if (!v)
			return errorf(err, errlen, "out of memory");
		col->rows = v;
		col->cap = cap;
	}
	memset(&col->rows[col->n], 0, sizeof col->rows[0]);
	col->rows[col->n++].index = index;
	return 0;
}

static int broken(struct walk *w, char *err, size_t errlen, const char *why,
		  const struct walk_varbind *vb, const struct walk_column *col)
{
	char have[160], after[160];

	walk_object_name(vb->oid, vb->oid_len, have, sizeof have);
	walk_object_name(col->cur, col->cur_len, after, sizeof after);
	return errorf(err, errlen, "the agent at %s broke the walk: %s (%s after %s)",
		      w->peer, why, have, after);
}

/* Whether vb is the next row of another open column: a varbind was lost. */
static bool belongs_elsewhere(const struct walk *w, const struct walk_column *col,
			      const struct walk_varbind *vb)
{
	size_t i;

	for (i = 0; i < w->nact; i++) {
		const struct walk_column *o = &w->cols[w->active[i]];

		if (o != col && in_subtree(o->base, WALK_COLUMN_LEN, vb->oid, vb->oid_len) &&
		    walk_oid_compare(vb->oid, vb->oid_len, o->cur, o->cur_len) > 0)
			return true;
	}
	return false;
}

/* Takes one varbind for col; sets col->done at the column's end. */
static int take_one(struct walk *w, struct walk_column *col, const struct walk_varbind *vb,
		    char *err, size_t errlen)
{
	size_t size = col->is_path ? HR_PATH_MAX + 1 : HR_NAME_MAX + 1;
	struct walk_row *r;
	char obj[160];
	int cmp;

	if (vb->type == WALK_T_ENDOFMIBVIEW || vb->type == WALK_T_NOSUCHOBJECT ||
	    vb->type == WALK_T_NOSUCHINSTANCE) {
		col->done = true;
		return 0;
	}
	if (vb->oid_len == 0 || vb->oid_len > WALK_OID_MAX)
		return errorf(err, errlen, "the agent at %s broke the walk: an OID of %zu "
			      "sub-identifiers", w->peer, vb->oid_len);
	cmp = walk_oid_compare(vb->oid, vb->oid_len, col->cur, col->cur_len);
	if (cmp == 0)
		return broken(w, err, errlen, "OID not increasing", vb, col);
	if (cmp < 0)
		return broken(w, err, errlen, belongs_elsewhere(w, col, vb) ?
			      "varbind missing" : "OID went back", vb, col);
	if (!in_subtree(col->base, WALK_COLUMN_LEN, vb->oid, vb->oid_len)) {
		col->done = true;	/* past the column: its end */
		return 0;
	}
	if (vb->oid_len != WALK_COLUMN_LEN + 1 || vb->oid[WALK_COLUMN_LEN] > INDEX_MAX) {
		walk_object_name(vb->oid, vb->oid_len, obj, sizeof obj);
		return errorf(err, errlen, "the agent returned %s, which is not a valid "
			      "hrSWRunTable row", obj);
	}
	if (vb->type != WALK_T_OCTET_STR) {
		walk_object_name(vb->oid, vb->oid_len, obj, sizeof obj);
		return errorf(err, errlen, "%s has type %s, expected OCTET STRING", obj,
			      walk_type_name(vb->type));
	}
	if (row_push(w, col, (long)vb->oid[WALK_COLUMN_LEN], err, errlen) < 0)
		return -1;
	r = &col->rows[col->n - 1];
	if (copy_counted(col->is_path ? r->path : r->name, size, vb->str_len ? vb->str : NULL,
			 vb->str_len) < 0) {
		col->n--;
		walk_object_name(vb->oid, vb->oid_len, obj, sizeof obj);
		return errorf(err, errlen, "%s is %zu bytes long, more than the %zu the MIB "
			      "allows", obj, vb->str_len, size - 1);
	}
	r->has_path = col->is_path;
	memcpy(col->cur, vb->oid, vb->oid_len * sizeof *vb->oid);
	col->cur_len = vb->oid_len;
	return 0;
}

int walk_take(struct walk *w, const struct walk_answer *a, char *err, size_t errlen)
{
	size_t k, nact = w->nact;

	if (nact == 0)
		return errorf(err, errlen, "internal error: an answer to no walk request");
	if (a->errstat == WALK_ERR_TOOBIG && !w->v1 && w->max_rep > 1) {
		w->max_rep /= 2;	/* the answer did not fit: ask for less */
		return 0;
	}
	if (a->errstat == WALK_ERR_NOSUCHNAME && w->v1) {
		/* v1's end of the MIB: the named varbind's column is over. */
		k = a->errindex >= 1 && (size_t)a->errindex <= nact ? (size_t)a->errindex - 1 : 0;
		w->cols[w->active[k]].done = true;
		return 0;
	}
	if (a->errstat != WALK_ERR_NOERROR)
		return errorf(err, errlen, "the agent at %s answered with error '%s'%s",
			      w->peer, walk_errstat_name(a->errstat),
			      a->errstat == 16 ? " (the community's or user's view, or the "
			      "security level?)" : "");
	if (a->n == 0)
		return errorf(err, errlen, "the agent at %s sent an empty answer to a walk",
			      w->peer);
	if (a->n < nact)
		return errorf(err, errlen, "the agent at %s broke the walk: varbind missing "
			      "(%zu of %zu in the answer to a %s)", w->peer, a->n, nact,
			      w->v1 ? "GETNEXT" : "GETBULK");
	if (w->v1 && a->n > nact)
		return errorf(err, errlen, "the agent at %s answered %zu objects to a GETNEXT "
			      "of %zu", w->peer, a->n, nact);
	/* GETBULK answers row by row: varbind k belongs to column k % nact. */
	for (k = 0; k < a->n; k++) {
		struct walk_column *col = &w->cols[w->active[k % nact]];

		if (!col->done && take_one(w, col, &a->vb[k], err, errlen) < 0)
			return -1;
	}
	return 0;
}

const struct walk_row *walk_rows(struct walk *w, size_t *n)
{
	struct walk_column *names = &w->cols[0], *paths = &w->cols[1];
	size_t i, j = 0;

	if (w->ncols == 2) {
		for (i = 0; i < names->n; i++) {
			names->rows[i].has_path = false;
			while (j < paths->n && paths->rows[j].index < names->rows[i].index)
				j++;
			if (j < paths->n && paths->rows[j].index == names->rows[i].index) {
				memcpy(names->rows[i].path, paths->rows[j].path,
				       sizeof names->rows[i].path);
				names->rows[i].has_path = true;
			}
		}
	}
	*n = names->n;
	return names->rows;
}
