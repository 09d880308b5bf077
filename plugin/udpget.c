/*
 * udpget.c - a v1/v2c check over UDP without Net-SNMP (see udpget.h): the
 * carrier of plugin/hrquery.c, one connected socket for the whole check.
 */
#include "udpget.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "ber.h"
#include "hrquery.h"
#include "util.h"


/* A request-id as Net-SNMP picks them: random, positive. */
static int32_t request_id(void)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16);
	}
	return (int32_t)(r & 0x7fffffff) | 1;
}

/* The most varbinds an answer may bring: GETBULK's 64 rows of 2 columns, twice. */
#define UDP_MAX_VARBINDS 256

/* The carrier of plugin/hrquery.c over the plugin's own datagrams. */
struct carrier {
	const struct config *cfg;
	const struct agent_peer *peer;
	const struct timespec *deadline;
	int fd;
	unsigned requests;		/* sent, for -vv and -vvv */
	int32_t id;			/* of the request in flight */
	unsigned datagrams;		/* received for it, decodable or not */
	size_t out_used, in_used;	/* the most of out and in written, to wipe */
	unsigned char out[8192];
	unsigned char in[BER_MAX_MESSAGE + 1];
	struct walk_varbind vbs[UDP_MAX_VARBINDS];
	struct ber_response r;
};

/* Whether the datagram is the answer to our request (see udpget.h). */
static bool ours(const struct carrier *x, const struct ber_response *r)
{
	size_t clen = strlen(x->cfg->community);

	return r->version == (x->cfg->protocol == SNMPV_1 ? BER_VERSION_1 : BER_VERSION_2C) &&
	       r->request_id == x->id && r->community_len == clen &&
	       memcmp(r->community, x->cfg->community, clen) == 0;
}

/*
 * Waits up to try_us for the answer: 1 with x->r decoded, 0 when the try
 * ran out, -1 on a socket error (in err).
 */
static int await(struct carrier *x, long long try_us, char *err, size_t errlen)
{
	double end_ms = hrq_now_ms() + (double)try_us / 1e3;
	char why[160];

	for (;;) {
		double left_ms = end_ms - hrq_now_ms();
		struct pollfd pfd = { x->fd, POLLIN, 0 };
		ssize_t n;
		int k;

		if (left_ms <= 0)
			return 0;
		k = poll(&pfd, 1, (int)left_ms + 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errorf(err, errlen, "cannot wait for %s: %s", x->peer->shown,
				      strerror(errno));
		if (k == 0)
			return 0;
		n = recv(x->fd, x->in, sizeof x->in, 0);
		if (n < 0) {
			/* ICMP port unreachable, a refused or interrupted read:
			 * as for Net-SNMP, nothing came back yet. */
			if (errno == ECONNREFUSED || errno == EINTR || errno == EAGAIN)
				continue;
			return errorf(err, errlen, "cannot read from %s: %s", x->peer->shown,
				      strerror(errno));
		}
		x->datagrams++;
		if ((size_t)n > x->in_used)
			x->in_used = (size_t)n;
		if ((size_t)n > BER_MAX_MESSAGE) {
			copy_str(why, sizeof why, "larger than any SNMP datagram");
			k = -1;
		} else {
			k = ber_decode_response(x->in, (size_t)n, &x->r, x->vbs, UDP_MAX_VARBINDS,
						why, sizeof why);
		}
		if (k == 0 && ours(x, &x->r))
			return 1;
		if (x->cfg->verbose >= 3)
			fprintf(stderr, "snmp: a datagram of %zd bytes dropped: %s\n", n,
				k == 0 ? "not the answer to this request" : why);
	}
}

/*
 * One request and its answer over the tries hrq_tries() gives, as
 * plugin/snmp.c's request() does over Net-SNMP: the same budget, the same
 * messages, the same -vvv lines.
 */
static int udp_send(void *carrier, const struct hrq_request *rq, struct walk_answer *a,
		    char *err, size_t errlen)
{
	struct carrier *x = carrier;
	struct ber_request brq;
	long long try_us = 0;
	double t0 = hrq_now_ms();
	int tries = hrq_tries(x->deadline, &try_us), got = 0;
	size_t len;

	x->id = request_id();
	x->datagrams = 0;
	memset(&brq, 0, sizeof brq);
	brq.version = x->cfg->protocol == SNMPV_1 ? BER_VERSION_1 : BER_VERSION_2C;
	brq.community = x->cfg->community;
	brq.community_len = strlen(x->cfg->community);
	brq.pdu = rq->pdu;
	brq.request_id = x->id;
	brq.max_repetitions = (int32_t)rq->max_repetitions;
	brq.names = rq->names;
	brq.n = rq->n;
	len = ber_encode_request(&brq, x->out, sizeof x->out);
	if (len == 0)
		return errorf(err, errlen, "a request of %zu objects does not fit in one message",
			      rq->n);
	if (len > x->out_used)
		x->out_used = len;
	if (tries > 0) {
		x->requests++;
		if (x->cfg->verbose >= 3)
			hrq_trace_sent(stderr, x->requests, rq->pdu, rq->n, rq->max_repetitions,
				       try_us, tries);
		for (int t = 0; t < tries && got == 0; t++) {
			if (send(x->fd, x->out, len, 0) < 0 && errno != ECONNREFUSED)
				return errorf(err, errlen, "cannot send to %s: %s", x->peer->shown,
					      strerror(errno));
			got = await(x, try_us, err, errlen);
		}
		if (x->cfg->verbose >= 3)
			hrq_trace_done(stderr, x->requests, got > 0 ? "answered" : got == 0 ?
				       "timed out" : "failed", hrq_now_ms() - t0,
				       got > 0 ? x->r.answer.n : 0);
	}
	if (got > 0) {
		*a = x->r.answer;
		return 0;
	}
	if (got < 0)
		return -1;
	return hrq_no_answer(err, errlen, x->peer->shown, x->cfg->timeout_s, x->datagrams > 0,
			     false);
}

int udpget_query(const struct config *cfg, const struct agent_peer *peer,
		 const struct timespec *deadline, const struct snmp_repeat *rep,
		 snmp_match_fn match, void *ud, bool need_path, struct hr_snapshot *out,
		 char *err, size_t errlen)
{
	static struct carrier x;
	struct hrq q = { udp_send, &x, peer->shown, cfg->protocol == SNMPV_1, err, errlen };
	int rc;

	/* Field by field: the buffers (200 KiB) need no clearing. */
	x.cfg = cfg;
	x.peer = peer;
	x.deadline = deadline;
	x.requests = 0;
	x.out_used = x.in_used = 0;
	copy_str(out->peer, sizeof out->peer, peer->name);
	x.fd = socket(peer->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (x.fd < 0 || connect(x.fd, (const struct sockaddr *)&peer->sa, peer->salen) < 0) {
		rc = errorf(err, errlen, "cannot open a socket to %s: %s", peer->shown,
			    strerror(errno));
	} else {
		rc = hrq_query(&q, rep, match, ud, need_path, out);
	}
	if (x.fd >= 0)
		close(x.fd);
	out->requests = x.requests;
	/* The community was in every request, and is in the answers. */
	explicit_bzero(x.out, x.out_used);
	explicit_bzero(x.in, x.in_used);
	return rc;
}
