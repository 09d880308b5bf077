/*
 * hrquery.c - one check's conversation with the agent over a carrier
 * (see hrquery.h).
 */
#include "hrquery.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hrget.h"
#include "util.h"

int hrq_tries(const struct timespec *deadline, long long *try_us)
{
	struct timespec now;
	long long left, tries;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (long long)(deadline->tv_sec - now.tv_sec) * 1000000LL +
	       (deadline->tv_nsec - now.tv_nsec) / 1000;
	if (left < 1000)
		return 0;
	tries = left / HRQ_MIN_TRY_US;
	tries = tries > HRQ_MAX_TRIES ? HRQ_MAX_TRIES : tries < 1 ? 1 : tries;
	*try_us = left / tries;
	return (int)tries;
}

double hrq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void hrq_trace_sent(FILE *f, unsigned n, int pdu, size_t nvb, long max_repetitions,
		    long long try_us, int tries)
{
	if (pdu == BER_PDU_GETBULK)
		fprintf(f, "snmp: request %u: GETBULK of %zu objects, max-repetitions %ld, %.2f s"
			" x %d tries\n", n, nvb, max_repetitions, (double)try_us / 1e6, tries);
	else
		fprintf(f, "snmp: request %u: %s of %zu objects, %.2f s x %d tries\n", n,
			pdu == BER_PDU_GETNEXT ? "GETNEXT" : "GET", nvb, (double)try_us / 1e6,
			tries);
}

void hrq_trace_done(FILE *f, unsigned n, const char *how, double ms, size_t nvb)
{
	fprintf(f, "snmp: request %u: %s after %.1f ms, %zu varbinds\n", n, how, ms, nvb);
}

int hrq_no_answer(char *err, size_t errlen, const char *peer, unsigned timeout_s,
		  bool garbled, bool v3)
{
	if (garbled)
		return errorf(err, errlen, "the agent at %s answered, but with replies that"
			      " cannot be decoded (garbled or truncated); no valid response after"
			      " %u s", peer, timeout_s);
	return errorf(err, errlen, "no response from %s after %u s - check %s/port", peer,
		      timeout_s, v3 ? "the agent's ACL" : "community/ACL");
}

static int send_items(const struct hrq *q, const struct hrget_item *const *its, size_t n,
		      struct walk_answer *a)
{
	struct ber_name names[HRGET_REPEAT_ITEMS > HRQ_GET_MAX ? HRGET_REPEAT_ITEMS : HRQ_GET_MAX];
	struct hrq_request req = { BER_PDU_GET, 0, names, n };

	for (size_t i = 0; i < n; i++) {
		names[i].oid = its[i]->oid;
		names[i].len = its[i]->oid_len;
	}
	return q->send(q->carrier, &req, a, q->err, q->errlen);
}

/* Forgets a repeat answer that did not stand, so the walk starts clean. */
static void snapshot_reset(struct hr_snapshot *out)
{
	snmp_snapshot_release(out);
	out->mem_size_kb = -1;
	out->uptime_ticks = 0;
	out->has_uptime = false;
	out->repeated = false;
}

/* The repeat GET: 1 it stands, 0 walk (out->walk_reason), -1 an error. */
static int repeat_get(const struct hrq *q, const struct snmp_repeat *rep,
		      struct hr_snapshot *out)
{
	struct hrget_item items[HRGET_REPEAT_ITEMS];
	const struct hrget_item *its[HRGET_REPEAT_ITEMS];
	struct walk_answer a;
	size_t nitems = 0, i;
	int rc;

	rc = hrget_repeat_items(rep, items, &nitems, out, q->err, q->errlen);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	for (i = 0; i < nitems; i++)
		its[i] = &items[i];
	if (send_items(q, its, nitems, &a) < 0)
		return -1;
	return hrget_repeat_judge(rep, items, nitems, &a, out, q->err, q->errlen);
}

/* Walks the name (and path) columns; plugin/walk.c judges the answers. */
static int walk_columns(const struct hrq *q, struct walk *w)
{
	struct walk_request wr;

	while (walk_next(w, &wr)) {
		struct ber_name names[2];
		struct hrq_request req = { wr.getnext ? BER_PDU_GETNEXT : BER_PDU_GETBULK,
					   wr.getnext ? 0 : wr.max_repetitions, names, wr.n };
		struct walk_answer a;

		for (size_t i = 0; i < wr.n && i < 2; i++) {
			names[i].oid = wr.oid[i];
			names[i].len = wr.oid_len[i];
		}
		if (q->send(q->carrier, &req, &a, q->err, q->errlen) < 0 ||
		    walk_take(w, &a, q->err, q->errlen) < 0)
			return -1;
	}
	return 0;
}

static int pdu_error(const struct hrq *q, long errstat)
{
	return errorf(q->err, q->errlen, "the agent at %s answered with error '%s'%s",
		      q->peer, walk_errstat_name(errstat),
		      errstat == WALK_ERR_AUTHORIZATIONERROR ? " (the community's or user's view, or the security level?)"
				    : "");
}

/*
 * GETs the items in chunks.  v1 answers a missing object with noSuchName
 * for the whole PDU: that item is marked absent and the rest asked again.
 */
static int get_items(const struct hrq *q, struct hrget_item *items, size_t nitems,
		     struct hr_snapshot *out, struct hrget_got *got)
{
	size_t chunk = HRQ_GET_MAX, start = 0;

	while (start < nitems) {
		size_t end = start + chunk < nitems ? start + chunk : nitems;
		struct hrget_item *its[HRQ_GET_MAX];
		struct walk_answer a;
		size_t n = 0, i;

		for (i = start; i < end; i++)
			if (!items[i].done)
				its[n++] = &items[i];
		if (n == 0) {
			start = end;
			continue;
		}
		if (send_items(q, (const struct hrget_item *const *)its, n, &a) < 0)
			return -1;
		if (a.errstat == WALK_ERR_TOOBIG && chunk > 1) {
			chunk /= 2;
			continue;
		}
		if (a.errstat == WALK_ERR_NOSUCHNAME && a.errindex >= 1 && (size_t)a.errindex <= n) {
			its[a.errindex - 1]->done = true;
			continue;
		}
		if (a.errstat != 0)
			return pdu_error(q, a.errstat);
		for (i = 0; i < n; i++) {
			char want[160], have[160];

			if (i >= a.n)
				return errorf(q->err, q->errlen, "the agent at %s answered %zu "
					      "of %zu objects", q->peer, i, n);
			if (!hrget_is_item(its[i], &a.vb[i])) {
				walk_object_name(its[i]->oid, its[i]->oid_len, want, sizeof want);
				walk_object_name(a.vb[i].oid, a.vb[i].oid_len, have, sizeof have);
				return errorf(q->err, q->errlen, "the agent answered %s to a "
					      "request for %s", have, want);
			}
			if (hrget_take(its[i], &a.vb[i], out, got, q->err, q->errlen) < 0)
				return -1;
			its[i]->done = true;
		}
		start = end;
	}
	return 0;
}

/* Lists up to a few indexes for a message: "1388, 2412 and 3 more". */
static void index_list(const long *ix, size_t n, char *buf, size_t size)
{
	size_t i, used = 0;
	int k;

	buf[0] = '\0';
	for (i = 0; i < n && i < 3 && used < size; i++) {
		k = snprintf(buf + used, size - used, "%s%ld", i ? ", " : "", ix[i]);
		used += k > 0 ? (size_t)k : 0;
	}
	if (n > 3 && used < size)
		snprintf(buf + used, size - used, " and %zu more", n - 3);
}

/*
 * Decides what the GET answers mean: vanished rows go, rows without
 * hrSWRunPerfMem mean the perf group is missing, invalid rows go.
 */
static int settle(const struct hrq *q, struct hr_snapshot *out, const struct hrget_got *got)
{
	size_t i, j, alive = 0, with_mem = 0, nvan = 0, nmiss = 0;
	long vanished[4], missing[4];
	char list[80];

	for (i = 0; i < out->n; i++) {
		if (!got[i].status) {
			if (nvan < 4)
				vanished[nvan] = out->procs[i].index;
			nvan++;
			continue;
		}
		alive++;
		if (got[i].mem) {
			with_mem++;
		} else {
			if (nmiss < 4)
				missing[nmiss] = out->procs[i].index;
			nmiss++;
		}
	}
	if (out->n > 0 && alive == 0) {
		index_list(vanished, nvan, list, sizeof list);
		return errorf(q->err, q->errlen, "process%s %s vanished between the walk "
			      "and the GET", nvan > 1 ? "es" : "", list);
	}
	if (alive > 0 && with_mem == 0)
		return errorf(q->err, q->errlen, "the agent has no hrSWRunPerfTable "
			      "(HOST-RESOURCES-MIB perf group)");
	if (nmiss > 0) {
		index_list(missing, nmiss, list, sizeof list);
		return errorf(q->err, q->errlen, "hrSWRunPerfMem is missing for process%s "
			      "%s", nmiss > 1 ? "es" : "", list);
	}
	for (i = j = 0; i < out->n; i++)
		if (got[i].status && out->procs[i].status != HRGET_STATUS_INVALID)
			out->procs[j++] = out->procs[i];
	out->n = j;
	return 0;
}

/* The walk and the GET of the rows match() picks. */
static int walk_and_get(const struct hrq *q, struct walk *w, snmp_match_fn match, void *ud,
			bool need_path, struct hr_snapshot *out)
{
	const struct walk_row *rows;
	struct hrget_item *items = NULL;
	struct hrget_got *got = NULL;
	bool *matched = NULL;
	size_t nrows = 0, nitems = 0, i;
	int rc = -1;

	if (walk_columns(q, w) < 0)
		return -1;
	rows = walk_rows(w, &nrows);
	out->rows_walked = nrows;
	if (nrows == 0)		/* every host runs something */
		return errorf(q->err, q->errlen, "the agent has no hrSWRunTable "
			      "(HOST-RESOURCES-MIB not implemented or not in the view)");

	/* The caller picks the rows; they keep the walk's (index) order. */
	matched = calloc(nrows + 1, 1);
	if (!matched)
		return errorf(q->err, q->errlen, "out of memory");
	for (i = 0; i < nrows; i++) {
		matched[i] = match(rows[i].name, need_path ? rows[i].path : NULL, ud);
		out->n += matched[i];
	}
	if (out->n > 0) {
		out->procs = calloc(out->n, sizeof *out->procs);
		got = calloc(out->n, sizeof *got);
	}
	items = calloc(4 * out->n + 2, sizeof *items);
	if (!items || (out->n > 0 && (!out->procs || !got))) {
		errorf(q->err, q->errlen, "out of memory");
		goto out;
	}
	hrget_item_set(&items[nitems++], IT_MEMSIZE, 0, HRGET_MEMSIZE, HRGET_SCALAR_LEN - 1, 0);
	hrget_item_set(&items[nitems++], IT_UPTIME, 0, HRGET_UPTIME, HRGET_SCALAR_LEN - 1, 0);
	out->n = 0;
	for (i = 0; i < nrows; i++) {
		const struct walk_row *r = &rows[i];
		uint32_t ix = (uint32_t)r->index;
		struct hr_proc *p;

		if (!matched[i])
			continue;
		p = &out->procs[out->n];
		p->index = r->index;
		memcpy(p->name, r->name, sizeof p->name);
		memcpy(p->path, r->path, sizeof p->path);
		p->status = 0;
		hrget_item_set(&items[nitems++], IT_STATUS, out->n, HRGET_RUN_STATUS,
			       HRGET_COLUMN_LEN, ix);
		hrget_item_set(&items[nitems++], IT_MEM, out->n, HRGET_PERF_MEM, HRGET_COLUMN_LEN, ix);
		hrget_item_set(&items[nitems++], IT_CPU, out->n, HRGET_PERF_CPU, HRGET_COLUMN_LEN, ix);
		hrget_item_set(&items[nitems++], IT_PATH, out->n, HRGET_RUN_PATH,
			       HRGET_COLUMN_LEN, ix);
		out->n++;
	}
	if (get_items(q, items, nitems, out, got) == 0)
		rc = settle(q, out, got);
out:
	free(items);
	free(got);
	free(matched);
	return rc;
}

int hrq_query(const struct hrq *q, const struct snmp_repeat *rep, snmp_match_fn match,
	      void *ud, bool need_path, struct hr_snapshot *out)
{
	struct walk w;
	int rc;

	if (rep && rep->n > 0) {
		rc = repeat_get(q, rep, out);
		if (rc != 0) {
			if (rc < 0)
				snmp_snapshot_release(out);
			return rc > 0 ? 0 : -1;
		}
		snapshot_reset(out);
	} else if (rep && rep->why_walk) {
		copy_str(out->walk_reason, sizeof out->walk_reason, rep->why_walk);
	}
	walk_init(&w, need_path, q->v1, q->peer);
	rc = walk_and_get(q, &w, match, ud, need_path, out);
	walk_release(&w);
	if (rc < 0)
		snmp_snapshot_release(out);
	return rc;
}
