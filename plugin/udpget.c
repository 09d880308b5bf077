/*
 * udpget.c - the repeat GET over v1/v2c and UDP, without Net-SNMP (see
 * udpget.h).
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
#include "hrget.h"
#include "util.h"

/* As plugin/snmp.c spreads its budget over a request's tries. */
#define MAX_TRIES 3
#define MIN_TRY_US 300000

static long long until_us(const struct timespec *deadline)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)(deadline->tv_sec - ts.tv_sec) * 1000000LL +
	       (deadline->tv_nsec - ts.tv_nsec) / 1000;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

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

struct exchange {
	const struct config *cfg;
	const struct agent_peer *peer;
	int fd;
	int32_t id;
	unsigned datagrams;		/* received, decodable or not */
	unsigned char in[BER_MAX_MESSAGE + 1];
};

/* Whether the datagram is the answer to our request (see udpget.h). */
static bool ours(const struct exchange *x, const struct ber_response *r)
{
	size_t clen = strlen(x->cfg->community);

	return r->version == (x->cfg->protocol == SNMPV_1 ? BER_VERSION_1 : BER_VERSION_2C) &&
	       r->request_id == x->id && r->community_len == clen &&
	       memcmp(r->community, x->cfg->community, clen) == 0;
}

/*
 * Waits up to try_us for the answer: 1 with r decoded into vbs, 0 when the
 * try ran out, -1 on a socket error (in err).
 */
static int await(struct exchange *x, long long try_us, struct ber_response *r,
		 struct walk_varbind *vbs, size_t cap, char *err, size_t errlen)
{
	struct timespec end;
	char why[160];

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)(try_us / 1000000);
	end.tv_nsec += (long)(try_us % 1000000) * 1000;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		long long left = until_us(&end);
		struct pollfd pfd = { x->fd, POLLIN, 0 };
		ssize_t n;
		int k;

		if (left <= 0)
			return 0;
		k = poll(&pfd, 1, (int)((left + 999) / 1000));
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
		if ((size_t)n > BER_MAX_MESSAGE) {
			copy_str(why, sizeof why, "larger than any SNMP datagram");
			k = -1;
		} else {
			k = ber_decode_response(x->in, (size_t)n, r, vbs, cap, why, sizeof why);
		}
		if (k == 0 && ours(x, r))
			return 1;
		if (x->cfg->verbose >= 3)
			fprintf(stderr, "snmp: a datagram of %zd bytes dropped: %s\n", n,
				k == 0 ? "not the answer to this request" : why);
	}
}

/*
 * Sends the request and waits for its answer over up to MAX_TRIES tries,
 * as plugin/snmp.c's request() does; 0 with r filled, or -1 with the same
 * messages it gives.
 */
static int exchange(struct exchange *x, const unsigned char *msg, size_t len,
		    const struct timespec *deadline, size_t nvb, struct ber_response *r,
		    struct walk_varbind *vbs, size_t cap, char *err, size_t errlen)
{
	long long left = until_us(deadline), tries, try_us;
	double t0 = now_ms();
	int got = 0;

	if (left >= 1000) {
		tries = left / MIN_TRY_US;
		tries = tries > MAX_TRIES ? MAX_TRIES : tries < 1 ? 1 : tries;
		try_us = left / tries;
		if (x->cfg->verbose >= 3)
			fprintf(stderr, "snmp: request 1: GET of %zu objects, %.2f s x %lld "
				"tries\n", nvb, (double)try_us / 1e6, tries);
		for (long long t = 0; t < tries && got == 0; t++) {
			if (send(x->fd, msg, len, 0) < 0 && errno != ECONNREFUSED)
				return errorf(err, errlen, "cannot send to %s: %s", x->peer->shown,
					      strerror(errno));
			got = await(x, try_us, r, vbs, cap, err, errlen);
		}
		if (x->cfg->verbose >= 3)
			fprintf(stderr, "snmp: request 1: %s after %.1f ms, %zu varbinds\n",
				got > 0 ? "answered" : got == 0 ? "timed out" : "failed",
				now_ms() - t0, got > 0 ? r->answer.n : 0);
	}
	if (got > 0)
		return 0;
	if (got < 0)
		return -1;
	if (x->datagrams > 0)
		return errorf(err, errlen, "the agent at %s answered, but with replies"
			      " that cannot be decoded (garbled or truncated); no valid response"
			      " after %u s", x->peer->shown, x->cfg->timeout_s);
	/* v1/v2c agents drop a wrong community silently, and an ACL or a
	 * wrong port looks the same from here. */
	return errorf(err, errlen, "no response from %s after %u s - check community/ACL",
		      x->peer->shown, x->cfg->timeout_s);
}

int udpget_repeat(const struct config *cfg, const struct agent_peer *peer,
		  const struct timespec *deadline, const struct snmp_repeat *rep,
		  struct hr_snapshot *out, char *err, size_t errlen)
{
	static struct exchange x;
	struct hrget_item items[HRGET_REPEAT_ITEMS];
	struct walk_varbind vbs[HRGET_REPEAT_ITEMS];
	struct ber_name names[HRGET_REPEAT_ITEMS];
	unsigned char msg[2048];
	struct ber_request rq;
	struct ber_response r;
	size_t nitems = 0, len, i;
	int rc;

	rc = hrget_repeat_items(rep, items, &nitems, out, err, errlen);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	for (i = 0; i < nitems; i++) {
		names[i].oid = items[i].oid;
		names[i].len = items[i].oid_len;
	}
	memset(&x, 0, sizeof x);
	x.cfg = cfg;
	x.peer = peer;
	x.id = request_id();
	memset(&rq, 0, sizeof rq);
	rq.version = cfg->protocol == SNMPV_1 ? BER_VERSION_1 : BER_VERSION_2C;
	rq.community = cfg->community;
	rq.community_len = strlen(cfg->community);
	rq.pdu = BER_PDU_GET;
	rq.request_id = x.id;
	rq.names = names;
	rq.n = nitems;
	len = ber_encode_request(&rq, msg, sizeof msg);
	if (len == 0) {
		snmp_snapshot_release(out);
		return errorf(err, errlen, "the repeat GET does not fit in one message");
	}
	x.fd = socket(peer->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (x.fd < 0 || connect(x.fd, (const struct sockaddr *)&peer->sa, peer->salen) < 0) {
		rc = errorf(err, errlen, "cannot open a socket to %s: %s", peer->shown,
			    strerror(errno));
	} else {
		out->requests = 1;
		rc = exchange(&x, msg, len, deadline, nitems, &r, vbs, HRGET_REPEAT_ITEMS, err,
			      errlen);
		if (rc == 0)
			rc = hrget_repeat_judge(rep, items, nitems, &r.answer, out, err, errlen);
	}
	explicit_bzero(msg, sizeof msg);	/* the community */
	explicit_bzero(x.in, sizeof x.in);
	if (x.fd >= 0)
		close(x.fd);
	if (rc != 1) {
		snmp_snapshot_release(out);
		out->repeated = false;
		out->uptime_ticks = 0;
		out->has_uptime = false;
		out->mem_size_kb = -1;
	}
	return rc;
}
