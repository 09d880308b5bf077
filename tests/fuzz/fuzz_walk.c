/*
 * fuzz_walk.c - libFuzzer target for the SNMP response handling of the
 * hrSWRunTable walk (plugin/walk.c) and the row matching after it
 * (plugin/proc.c): decoded varbind lists, as plugin/snmp.c hands them over.
 *
 * Input: byte 0 chooses the walk (bit 0: also the path column, bit 1:
 * SNMPv1 GETNEXT) and the match (bit 2: a regex, bit 3: a path regex);
 * then answers, one after the other, each
 *     ERRSTAT ERRINDEX COUNT  VARBIND*COUNT
 * and each varbind
 *     BASE SUBLEN SUB*SUBLEN  TYPE VLEN VALUE*VLEN
 * where BASE picks the OID's start (0 hrSWRunName, 1 hrSWRunPath, 2 another
 * hrSWRunEntry column, 3 hrSWRunPerfEntry, 4 system, else nothing) and
 * SUB are one byte each (0xff: the next four bytes, big-endian).  The walk
 * stops when the input runs out (as a timeout would).
 *
 * Properties checked (abort() on violation, so libFuzzer saves the input):
 *   - every walk_take() that succeeds moves the walk forward: a column ends,
 *     max-repetitions halves, or a column's cursor grows (so a walk always
 *     ends, whatever the agent sends);
 *   - an error is one printable line, non-empty;
 *   - a finished walk's rows have strictly ascending indexes within
 *     0..2147483647, printable names of at most 64 bytes and paths of at
 *     most 128, and matching them never fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "util.h"
#include "walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_walk: %s\n  detail: %.300s\n", what, detail);
	abort();
}

struct in {
	const uint8_t *p;
	size_t n;
};

static int byte(struct in *in, uint8_t *b)
{
	if (in->n == 0)
		return -1;
	*b = *in->p++;
	in->n--;
	return 0;
}

static void check_text(const char *s, size_t max, const char *what)
{
	size_t n = strlen(s);

	if (n > max)
		fail("text too long", what);
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			fail("text not printable", what);
}

/* Reads one varbind; -1 when the input ran out. */
static int read_varbind(struct in *in, struct walk_varbind *vb, unsigned char *val)
{
	static const uint32_t entry[] = { 1, 3, 6, 1, 2, 1, 25, 4, 2, 1 };
	static const uint32_t perf[] = { 1, 3, 6, 1, 2, 1, 25, 5, 1, 1 };
	static const uint32_t sys[] = { 1, 3, 6, 1, 2, 1, 1 };
	uint8_t base, sublen, type, vlen, b;
	size_t i;

	memset(vb, 0, sizeof *vb);
	if (byte(in, &base) < 0 || byte(in, &sublen) < 0)
		return -1;
	switch (base % 8) {
	case 0: memcpy(vb->oid, WALK_OID_RUN_NAME, sizeof WALK_OID_RUN_NAME);
		vb->oid_len = WALK_COLUMN_LEN; break;
	case 1: memcpy(vb->oid, WALK_OID_RUN_PATH, sizeof WALK_OID_RUN_PATH);
		vb->oid_len = WALK_COLUMN_LEN; break;
	case 2: memcpy(vb->oid, entry, sizeof entry); vb->oid_len = 10; break;
	case 3: memcpy(vb->oid, perf, sizeof perf); vb->oid_len = 10; break;
	case 4: memcpy(vb->oid, sys, sizeof sys); vb->oid_len = 7; break;
	default: break;
	}
	for (i = 0; i < sublen && vb->oid_len < WALK_OID_MAX; i++) {
		uint32_t sub = 0;
		int k;

		if (byte(in, &b) < 0)
			return -1;
		if (b == 0xff) {
			for (k = 0; k < 4; k++) {
				if (byte(in, &b) < 0)
					return -1;
				sub = sub << 8 | b;
			}
		} else {
			sub = b;
		}
		vb->oid[vb->oid_len++] = sub;
	}
	if (byte(in, &type) < 0 || byte(in, &vlen) < 0)
		return -1;
	switch (type % 8) {
	case 0: case 1: case 2: vb->type = WALK_T_OCTET_STR; break;
	case 3: vb->type = WALK_T_ENDOFMIBVIEW; break;
	case 4: vb->type = WALK_T_NOSUCHOBJECT; break;
	case 5: vb->type = WALK_T_NOSUCHINSTANCE; break;
	case 6: vb->type = WALK_T_INTEGER; break;
	default: vb->type = type; break;
	}
	for (i = 0; i < vlen; i++)
		if (byte(in, &val[i]) < 0)
			return -1;
	vb->str = val;
	vb->str_len = vlen;
	vb->integer = vlen ? val[0] : 0;
	return 0;
}

struct cursor {
	uint32_t oid[WALK_OID_MAX];
	size_t len;
	bool done;
};

static void check_progress(const struct walk *w, const struct cursor *before, long max_rep)
{
	size_t i;

	if (w->max_rep < max_rep)
		return;
	for (i = 0; i < w->ncols; i++) {
		const struct walk_column *c = &w->cols[i];

		if (before[i].done)
			continue;
		if (c->done)
			return;
		if (walk_oid_compare(c->cur, c->cur_len, before[i].oid, before[i].len) > 0)
			return;
		if (walk_oid_compare(c->cur, c->cur_len, before[i].oid, before[i].len) < 0)
			fail("a cursor went back", "");
	}
	fail("an answer was taken without moving the walk forward", "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct walk_varbind vbs[64];
	static unsigned char vals[64][256];
	struct in in = { data, size };
	struct walk w;
	struct walk_request req;
	struct proc_match m;
	char err[ERRBUF_SIZE];
	uint8_t flags, es, ei, cnt;
	bool finished = false, failed = false;
	int rounds;

	if (byte(&in, &flags) < 0)
		return 0;
	walk_init(&w, flags & 1, flags & 2, "127.0.0.1:161");
	for (rounds = 0; rounds < 10000; rounds++) {
		struct walk_answer a;
		struct cursor before[2];
		size_t i, n;
		long max_rep = w.max_rep;

		if (!walk_next(&w, &req)) {
			finished = true;
			break;
		}
		if (req.n == 0 || req.n > w.ncols)
			fail("a request of no or too many columns", "");
		if (byte(&in, &es) < 0 || byte(&in, &ei) < 0 || byte(&in, &cnt) < 0)
			break;
		n = cnt % 65;
		for (i = 0; i < n; i++)
			if (read_varbind(&in, &vbs[i], vals[i]) < 0)
				break;
		if (i < n)
			break;
		for (i = 0; i < 2; i++) {
			memcpy(before[i].oid, w.cols[i].cur, sizeof before[i].oid);
			before[i].len = w.cols[i].cur_len;
			before[i].done = i >= w.ncols || w.cols[i].done;
		}
		a.errstat = es % 4 == 3 ? es : es % 4;	/* mostly noError, tooBig, noSuchName */
		a.errindex = ei;
		a.vb = vbs;
		a.n = n;
		err[0] = '\0';
		if (walk_take(&w, &a, err, sizeof err) < 0) {
			if (!err[0])
				fail("an error without a message", "");
			check_text(err, sizeof err - 1, err);
			failed = true;
			break;
		}
		check_progress(&w, before, max_rep);
	}
	if (finished && !failed) {
		const struct walk_row *r;
		size_t i, n;

		r = walk_rows(&w, &n);
		if (proc_match_init(&m, "Async.exe", flags & 4 ? "^a.*[.]exe$" : NULL,
				    flags & 8 ? "msmcon" : NULL, err, sizeof err) != 0)
			fail("the fixed match does not compile", err);
		for (i = 0; i < n; i++) {
			if (r[i].index < 0 || r[i].index > 2147483647L)
				fail("an index out of range", "");
			if (i > 0 && r[i].index <= r[i - 1].index)
				fail("indexes not ascending", "");
			check_text(r[i].name, HR_NAME_MAX, r[i].name);
			check_text(r[i].path, HR_PATH_MAX, r[i].path);
			if (r[i].has_path && !(flags & 1))
				fail("a path without the path column", "");
			(void)proc_match_row(&m, r[i].name, (flags & 1) ? r[i].path : NULL);
		}
		proc_match_release(&m);
	}
	walk_release(&w);
	return 0;
}
