/*
 * fuzz_ber.c - libFuzzer target for the BER decoder of SNMP responses
 * (plugin/ber.c): the input is one datagram, as an agent might send it.
 *
 * It is decoded with room for 4 and for 256 varbinds.  Properties checked
 * (abort() on violation, so libFuzzer saves the input):
 *   - an error is one printable line, non-empty, and leaves the answer
 *     empty and pointing at the caller's array;
 *   - the two decodings agree: the same result, and the small one fails
 *     only for having more than 4 varbinds;
 *   - a decoded message has version 0 or 1, at most cap varbinds, names
 *     of 2 to WALK_OID_MAX sub-identifiers that ber_encode_request()
 *     takes (X <= 2, Y <= 39 unless X is 2), strings and the community
 *     within the input, and values as ber.h lists them by type;
 *   - the names sent back as a GET encode, in no more octets than the
 *     input (every length and INTEGER minimal, NULL values), and that
 *     request read as a response gives the same names, community and
 *     request-id.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ber.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SMALL 4
#define LARGE 256

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_ber: %s\n  detail: %.300s\n", what, detail);
	abort();
}

static void check_error(const char *err, const struct ber_response *r,
			const struct walk_varbind *vbs)
{
	const char *s;

	if (!err[0])
		fail("an error without a message", "");
	for (s = err; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			fail("an error message not printable", err);
	if (r->answer.vb != vbs || r->answer.n != 0)
		fail("a failed decoding left varbinds", err);
}

static int within(const unsigned char *p, size_t n, const uint8_t *data, size_t size)
{
	if (!p)
		return n == 0;
	return p >= data && p <= data + size && n <= (size_t)(data + size - p);
}

static void check_varbind(const struct walk_varbind *vb, const uint8_t *data, size_t size)
{
	if (vb->oid_len < 2 || vb->oid_len > WALK_OID_MAX)
		fail("a name of a bad length", "");
	if (vb->oid[0] > 2 || (vb->oid[0] < 2 && vb->oid[1] > 39))
		fail("a name's first sub-identifiers out of range", "");
	if (!within(vb->str, vb->str_len, data, size))
		fail("a string outside the input", "");
	switch (vb->type) {
	case WALK_T_INTEGER:
		if (vb->str)
			fail("an INTEGER with a string", "");
		break;
	case WALK_T_COUNTER:
	case WALK_T_GAUGE:
	case WALK_T_TIMETICKS:
		if (vb->str || vb->integer < 0 || vb->integer > 4294967295LL)
			fail("a 32-bit unsigned value out of range", "");
		break;
	case WALK_T_COUNTER64:
		if (vb->str || vb->integer < 0)
			fail("a Counter64 out of range", "");
		break;
	case WALK_T_NULL:
	case WALK_T_NOSUCHOBJECT:
	case WALK_T_NOSUCHINSTANCE:
	case WALK_T_ENDOFMIBVIEW:
		if (vb->str || vb->integer)
			fail("an empty value with content", "");
		break;
	default:
		if (vb->type < 0 || vb->type > 0xff || (vb->type & 0x1f) == 0x1f)
			fail("a bad tag", "");
		if (!vb->str || vb->integer)
			fail("a string value without its octets", "");
		break;
	}
}

static int same_varbind(const struct walk_varbind *a, const struct walk_varbind *b)
{
	return a->oid_len == b->oid_len &&
	       memcmp(a->oid, b->oid, a->oid_len * sizeof a->oid[0]) == 0 &&
	       a->type == b->type && a->str == b->str && a->str_len == b->str_len &&
	       a->integer == b->integer;
}

/* The length of the TLV header at p (the encoder's own output). */
static size_t header_len(const unsigned char *p)
{
	return p[1] < 0x80 ? 2 : 2 + (size_t)(p[1] & 0x7f);
}

static size_t content_len(const unsigned char *p)
{
	size_t i, n = 0;

	if (p[1] < 0x80)
		return p[1];
	for (i = 0; i < (size_t)(p[1] & 0x7f); i++)
		n = n << 8 | p[2 + i];
	return n;
}

static void check_reencoding(const struct ber_response *r, size_t size)
{
	static struct ber_name names[LARGE];
	static unsigned char buf[2 * BER_MAX_MESSAGE];
	static struct walk_varbind again[LARGE];
	struct ber_request rq;
	struct ber_response back;
	char err[ERRBUF_SIZE];
	size_t i, n, p;

	for (i = 0; i < r->answer.n; i++) {
		names[i].oid = r->answer.vb[i].oid;
		names[i].len = r->answer.vb[i].oid_len;
	}
	memset(&rq, 0, sizeof rq);
	rq.version = r->version;
	rq.community = (const char *)r->community;
	rq.community_len = r->community_len;
	rq.pdu = BER_PDU_GET;
	rq.request_id = r->request_id;
	rq.names = names;
	rq.n = r->answer.n;
	n = ber_encode_request(&rq, buf, sizeof buf);
	if (n == 0)
		fail("the decoded names do not encode as a GET", "");
	if (n > size)
		fail("the GET is longer than the response it came from", "");

	/* The GET read as a response: its PDU tag after version and community. */
	p = header_len(buf);
	p += header_len(buf + p) + content_len(buf + p);
	p += header_len(buf + p) + content_len(buf + p);
	if (p >= n || buf[p] != BER_PDU_GET)
		fail("the GET's PDU is not where it belongs", "");
	buf[p] = BER_PDU_RESPONSE;
	if (ber_decode_response(buf, n, &back, again, r->answer.n, err, sizeof err) != 0)
		fail("the GET does not decode back", err);
	if (back.version != r->version || back.request_id != r->request_id ||
	    back.community_len != r->community_len ||
	    (r->community_len && memcmp(back.community, r->community, r->community_len) != 0) ||
	    back.answer.n != r->answer.n || back.answer.errstat || back.answer.errindex)
		fail("the GET decodes back into another message", "");
	for (i = 0; i < r->answer.n; i++)
		if (again[i].type != WALK_T_NULL || again[i].oid_len != r->answer.vb[i].oid_len ||
		    memcmp(again[i].oid, r->answer.vb[i].oid,
			   again[i].oid_len * sizeof again[i].oid[0]) != 0)
			fail("a name changed on its way back", "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct walk_varbind small[SMALL], large[LARGE];
	struct ber_response rs, rl;
	char errs[ERRBUF_SIZE], errl[ERRBUF_SIZE];
	int ks, kl;
	size_t i;

	if (size > BER_MAX_MESSAGE)
		return 0;
	errs[0] = errl[0] = '\0';
	ks = ber_decode_response(data, size, &rs, small, SMALL, errs, sizeof errs);
	kl = ber_decode_response(data, size, &rl, large, LARGE, errl, sizeof errl);
	if ((ks != 0 && ks != -1) || (kl != 0 && kl != -1))
		fail("neither 0 nor -1", "");
	if (ks < 0)
		check_error(errs, &rs, small);
	if (kl < 0) {
		check_error(errl, &rl, large);
		if (ks == 0)
			fail("fails with more room but not with less", errl);
		/* the small one may stop earlier, at its fifth varbind */
		if (strcmp(errs, errl) != 0 && !strstr(errs, "more than 4 varbinds"))
			fail("two errors for one message", errs);
		return 0;
	}
	if (rl.answer.vb != large || rl.answer.n > LARGE)
		fail("more varbinds than room", "");
	if (ks < 0 && (rl.answer.n <= SMALL || !strstr(errs, "more than 4 varbinds")))
		fail("fails with less room for another reason", errs);
	if (rl.version != BER_VERSION_1 && rl.version != BER_VERSION_2C)
		fail("a version neither 0 nor 1", "");
	if (!within(rl.community, rl.community_len, data, size))
		fail("the community outside the input", "");
	for (i = 0; i < rl.answer.n; i++)
		check_varbind(&large[i], data, size);
	if (ks == 0) {
		if (rs.answer.n != rl.answer.n || rs.version != rl.version ||
		    rs.request_id != rl.request_id || rs.answer.errstat != rl.answer.errstat ||
		    rs.answer.errindex != rl.answer.errindex || rs.community != rl.community ||
		    rs.community_len != rl.community_len)
			fail("the two decodings differ", "");
		for (i = 0; i < rs.answer.n; i++)
			if (!same_varbind(&small[i], &large[i]))
				fail("the two decodings differ in a varbind", "");
	}
	check_reencoding(&rl, size);
	return 0;
}
