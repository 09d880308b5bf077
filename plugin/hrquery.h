/*
 * hrquery.h - one check's conversation with the agent, whatever carries
 * its requests: the repeat GET, the walk of hrSWRunName (and hrSWRunPath),
 * the GET of the matched rows, and what the answers mean, as snmp.h's
 * snmp_query_repeat describes them.
 *
 * Pure: the carrier is a function that sends one request and hands back
 * the decoded answer (plugin/snmp.c over Net-SNMP for SNMPv3 and TCP,
 * plugin/udpget.c over the plugin's own v1/v2c datagrams), so the walk
 * rules (plugin/walk.c), the items (plugin/hrget.c) and the order of the
 * requests are one code for both, and unit tests drive it with answers
 * of their own.
 */
#ifndef ASYNC_LEAK_HRQUERY_H
#define ASYNC_LEAK_HRQUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "ber.h"
#include "snmp.h"
#include "walk.h"

#define HRQ_GET_ROWS 10		/* matched rows per GET (4 varbinds each) */
#define HRQ_GET_MAX (4 * HRQ_GET_ROWS + 2)

/* One request for the carrier. */
struct hrq_request {
	int pdu;			/* BER_PDU_GET, BER_PDU_GETNEXT or BER_PDU_GETBULK */
	long max_repetitions;		/* GETBULK (non-repeaters 0) */
	const struct ber_name *names;
	size_t n;
};

/*
 * Sends req and fills *a with the answer, decoded; the answer (and the
 * strings its varbinds point to) stays valid until the next call.  Returns
 * 0, or -1 with one sentence in err (a timeout, an authentication failure,
 * replies that cannot be decoded, ...).
 */
typedef int (*hrq_send_fn)(void *carrier, const struct hrq_request *req, struct walk_answer *a,
			   char *err, size_t errlen);

struct hrq {
	hrq_send_fn send;
	void *carrier;
	const char *peer;		/* the agent as the user wrote it, for messages */
	bool v1;			/* GETNEXT walks, noSuchName answers */
	char *err;
	size_t errlen;
};

/*
 * What both carriers do alike, so that a request behaves and reads the
 * same whichever sends it.
 *
 * hrq_tries: how one request spends what is left of the check's budget
 * (deadline, CLOCK_MONOTONIC): the number of tries, up to HRQ_MAX_TRIES of
 * at least HRQ_MIN_TRY_US each while the budget allows, one otherwise, and
 * in *try_us each try's length; 0 when less than a millisecond is left
 * (the request is a timeout before it is sent).
 */
#define HRQ_MAX_TRIES 3
#define HRQ_MIN_TRY_US 300000
int hrq_tries(const struct timespec *deadline, long long *try_us);

/* Milliseconds on CLOCK_MONOTONIC, for the -vvv lines' durations. */
double hrq_now_ms(void);

/* The -vvv lines of request n: before it is sent, and how it ended
 * ("answered", "timed out", "failed") after ms milliseconds. */
void hrq_trace_sent(FILE *f, unsigned n, int pdu, size_t nvb, long max_repetitions,
		    long long try_us, int tries);
void hrq_trace_done(FILE *f, unsigned n, const char *how, double ms, size_t nvb);

/*
 * The UNKNOWN sentence of a request that no valid answer came to within
 * timeout_s: garbled, when datagrams came that could not be decoded; else
 * no response, with where to look (v3: the agent's ACL; v1/v2c: the
 * community and the ACL, which agents enforce silently).  Returns -1.
 */
int hrq_no_answer(char *err, size_t errlen, const char *peer, unsigned timeout_s,
		  bool garbled, bool v3);

/*
 * snmp_query_repeat's logic (snmp.h) over q's carrier: with rep->n > 0 the
 * repeat GET first, and the walk only when its answer does not stand (with
 * rep->n == 0, or rep NULL, the walk at once, rep->why_walk the reason).
 * out was cleared by the caller (mem_size_kb -1); on success it is the
 * snapshot (release it with snmp_snapshot_release) and 0 is returned; on
 * failure -1 with the message in q->err, and out holds nothing to release.
 * out->requests is left to the caller, who counts what its carrier sent.
 */
int hrq_query(const struct hrq *q, const struct snmp_repeat *rep, snmp_match_fn match,
	      void *ud, bool need_path, struct hr_snapshot *out);

#endif
