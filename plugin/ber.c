/*
 * ber.c - SNMPv1/v2c requests and Response-PDUs in BER (see ber.h).
 *
 * The encoder writes backwards from the end of the caller's buffer, so
 * that every length is known when its header goes in front of the
 * content, then moves the message to the start.  The decoder walks the
 * message with explicit ends: every read is checked against the end of
 * the enclosing SEQUENCE, which never lies past len.  Octets are counted
 * from 0 in messages, as in a hex dump.
 */
#include "ber.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "util.h"

#define TAG_INTEGER  0x02
#define TAG_OCTETS   0x04
#define TAG_NULL     0x05
#define TAG_OID      0x06
#define TAG_SEQUENCE 0x30

#define LEN_OCTETS_MAX 4	/* length octets the decoder takes (long form) */

/* ---- encoding ---- */

struct wbuf {
	unsigned char *buf;
	size_t pos;		/* the first octet written; writes go before it */
	bool full;
};

static void put_byte(struct wbuf *w, unsigned char b)
{
	if (w->pos == 0) {
		w->full = true;
		return;
	}
	w->buf[--w->pos] = b;
}

static void put_bytes(struct wbuf *w, const void *p, size_t n)
{
	if (n > w->pos) {
		w->full = true;
		return;
	}
	w->pos -= n;
	if (n)
		memcpy(w->buf + w->pos, p, n);
}

/* A tag and a definite length, in front of content of len octets. */
static void put_header(struct wbuf *w, unsigned char tag, size_t len)
{
	unsigned char n = 0;

	if (len < 0x80) {
		put_byte(w, (unsigned char)len);
	} else {
		while (len) {
			put_byte(w, (unsigned char)(len & 0xff));
			len >>= 8;
			n++;
		}
		put_byte(w, (unsigned char)(0x80 | n));
	}
	put_byte(w, tag);
}

/* Content written since mark, the position before it was written. */
static size_t since(const struct wbuf *w, size_t mark)
{
	return w->full ? 0 : mark - w->pos;
}

/* An INTEGER in the fewest two's complement octets. */
static void put_integer(struct wbuf *w, int32_t v)
{
	uint32_t u = (uint32_t)v;	/* modulo 2^32: the representation */
	unsigned char oct[4];
	size_t n = 4, i;

	for (i = 0; i < 4; i++)
		oct[3 - i] = (unsigned char)(u >> (8 * i) & 0xff);
	/* Drop a leading octet that only repeats the next one's sign bit. */
	while (n > 1 && ((oct[4 - n] == 0x00 && !(oct[5 - n] & 0x80)) ||
			 (oct[4 - n] == 0xff && (oct[5 - n] & 0x80))))
		n--;
	put_bytes(w, oct + 4 - n, n);
	put_header(w, TAG_INTEGER, n);
}

/* One sub-identifier in base 128, the last octet without bit 8. */
static void put_subid(struct wbuf *w, uint64_t v)
{
	put_byte(w, (unsigned char)(v & 0x7f));
	for (v >>= 7; v; v >>= 7)
		put_byte(w, (unsigned char)(0x80 | (v & 0x7f)));
}

static bool name_ok(const struct ber_name *nm)
{
	if (!nm->oid || nm->len < 2 || nm->oid[0] > 2)
		return false;
	return nm->oid[0] == 2 || nm->oid[1] < 40;
}

static void put_oid(struct wbuf *w, const struct ber_name *nm)
{
	size_t mark = w->pos, i;

	for (i = nm->len; i-- > 2;)
		put_subid(w, nm->oid[i]);
	put_subid(w, 40 * (uint64_t)nm->oid[0] + nm->oid[1]);
	put_header(w, TAG_OID, since(w, mark));
}

size_t ber_encode_request(const struct ber_request *rq, unsigned char *buf, size_t cap)
{
	struct wbuf w = { buf, cap, false };
	size_t i, list, pdu;
	bool bulk = rq->pdu == BER_PDU_GETBULK;

	if (rq->version != BER_VERSION_1 && rq->version != BER_VERSION_2C)
		return 0;
	if (rq->pdu != BER_PDU_GET && rq->pdu != BER_PDU_GETNEXT &&
	    !(bulk && rq->version == BER_VERSION_2C))
		return 0;
	if ((rq->n && !rq->names) || (rq->community_len && !rq->community))
		return 0;
	for (i = 0; i < rq->n; i++)
		if (!name_ok(&rq->names[i]))
			return 0;
	if (!buf)
		return 0;

	list = w.pos;
	for (i = rq->n; i-- > 0 && !w.full;) {
		size_t vb = w.pos;

		put_byte(&w, 0x00);		/* NULL, empty */
		put_byte(&w, TAG_NULL);
		put_oid(&w, &rq->names[i]);
		put_header(&w, TAG_SEQUENCE, since(&w, vb));
	}
	put_header(&w, TAG_SEQUENCE, since(&w, list));
	put_integer(&w, bulk ? rq->max_repetitions : 0);
	put_integer(&w, bulk ? rq->non_repeaters : 0);
	put_integer(&w, rq->request_id);
	pdu = since(&w, cap);
	put_header(&w, (unsigned char)rq->pdu, pdu);
	put_bytes(&w, rq->community, rq->community_len);
	put_header(&w, TAG_OCTETS, rq->community_len);
	put_integer(&w, rq->version);
	put_header(&w, TAG_SEQUENCE, since(&w, cap));
	if (w.full)
		return 0;
	memmove(buf, buf + w.pos, cap - w.pos);
	return cap - w.pos;
}

/* ---- decoding ---- */

struct rd {
	const unsigned char *msg;
	size_t len;
	char *err;
	size_t errlen;
};

/* One TLV's place: tag at off, content from pos to end. */
struct tlv {
	unsigned char tag;
	size_t off, pos, end;
};

/*
 * Reads the tag and length at *pos, whose item must lie before end (the
 * end of the enclosing SEQUENCE, or len); moves *pos past the item.
 */
static int read_tlv(const struct rd *r, size_t *pos, size_t end, struct tlv *t)
{
	size_t p = *pos, n, i;
	uint64_t clen;

	t->off = p;
	if (p >= end)
		goto cut;
	t->tag = r->msg[p++];
	if ((t->tag & 0x1f) == 0x1f)
		return errorf(r->err, r->errlen, "a multi-octet tag at octet %zu is not supported",
			      t->off);
	if (p >= end)
		goto cut;
	if (r->msg[p] < 0x80) {
		clen = r->msg[p++];
	} else if (r->msg[p] == 0x80) {
		return errorf(r->err, r->errlen, "the indefinite length at octet %zu is not allowed",
			      p);
	} else {
		n = r->msg[p] & 0x7f;
		if (n > LEN_OCTETS_MAX)
			return errorf(r->err, r->errlen,
				      "the length at octet %zu has %zu octets, more than %d", p, n,
				      LEN_OCTETS_MAX);
		p++;
		if (n > end - p)
			goto cut;
		for (clen = 0, i = 0; i < n; i++)
			clen = clen << 8 | r->msg[p++];
	}
	if (clen > end - p) {
		if (t->off == 0)	/* the Message itself: len is all there is */
			return errorf(r->err, r->errlen,
				      "the message is truncated at octet %zu (%llu octets missing)",
				      r->len, (unsigned long long)(clen - (end - p)));
		return errorf(r->err, r->errlen,
			      "the item at octet %zu runs past the end of its SEQUENCE at octet %zu",
			      t->off, end);
	}
	t->pos = p;
	t->end = p + (size_t)clen;
	*pos = t->end;
	return 0;
cut:
	if (t->off == 0)
		return errorf(r->err, r->errlen, "the message is truncated at octet %zu", r->len);
	return errorf(r->err, r->errlen,
		      "the item at octet %zu runs past the end of its SEQUENCE at octet %zu", t->off,
		      end);
}

static const char *tag_name(unsigned char tag)
{
	switch (tag) {
	case TAG_INTEGER: return "an INTEGER";
	case TAG_OCTETS: return "an OCTET STRING";
	case TAG_OID: return "an OBJECT IDENTIFIER";
	case TAG_SEQUENCE: return "a SEQUENCE";
	default: return "another tag";
	}
}

/* read_tlv(), and the tag must be want. */
static int expect(const struct rd *r, size_t *pos, size_t end, unsigned char want, struct tlv *t)
{
	if (read_tlv(r, pos, end, t) < 0)
		return -1;
	if (t->tag != want)
		return errorf(r->err, r->errlen, "%s was expected, tag 0x%02x at octet %zu",
			      tag_name(want), t->tag, t->off);
	return 0;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* Nothing may follow what ends at pos in its SEQUENCE (ending at end). */
static int at_end(const struct rd *r, size_t pos, size_t end, const char *what)
{
	if (pos != end)
		return errorf(r->err, r->errlen, "%zu stray octet%s after %s at octet %zu",
			      end - pos, plural(end - pos), what, pos);
	return 0;
}

/* A signed INTEGER of 1 to 8 content octets. */
static int get_signed(const struct rd *r, const struct tlv *t, long long *v)
{
	size_t n = t->end - t->pos, i;
	uint64_t u;

	if (n < 1 || n > 8)
		return errorf(r->err, r->errlen, "the INTEGER at octet %zu has %zu octets (1 to 8)",
			      t->off, n);
	u = r->msg[t->pos] & 0x80 ? UINT64_MAX : 0;	/* sign extension */
	for (i = t->pos; i < t->end; i++)
		u = u << 8 | r->msg[i];
	/* Two's complement to a value without an out-of-range conversion. */
	*v = u > (uint64_t)INT64_MAX ? -(long long)(~u) - 1 : (long long)u;
	return 0;
}

/* An unsigned value of 1 to maxoct content octets and at most max. */
static int get_unsigned(const struct rd *r, const struct tlv *t, size_t maxoct, uint64_t max,
			long long *v)
{
	size_t n = t->end - t->pos, i;
	uint64_t u = 0;

	if (n < 1 || n > maxoct)
		return errorf(r->err, r->errlen, "the %s at octet %zu has %zu octets (1 to %zu)",
			      walk_type_name(t->tag), t->off, n, maxoct);
	for (i = t->pos; i < t->end; i++) {
		if (u > max >> 8)
			break;
		u = u << 8 | r->msg[i];
	}
	if (i < t->end || u > max)
		return errorf(r->err, r->errlen, "the %s at octet %zu is above %llu",
			      walk_type_name(t->tag), t->off, (unsigned long long)max);
	*v = (long long)u;
	return 0;
}

/* An INTEGER of the PDU header, within lo..hi. */
static int get_field(const struct rd *r, size_t *pos, size_t end, const char *what,
		     long long lo, long long hi, long long *v)
{
	struct tlv t;

	if (expect(r, pos, end, TAG_INTEGER, &t) < 0 || get_signed(r, &t, v) < 0)
		return -1;
	if (*v < lo || *v > hi)
		return errorf(r->err, r->errlen, "the %s %lld at octet %zu is out of range (%lld to "
			      "%lld)", what, *v, t.off, lo, hi);
	return 0;
}

/* An OBJECT IDENTIFIER's content into vb->oid. */
static int get_oid(const struct rd *r, const struct tlv *t, struct walk_varbind *vb)
{
	size_t i;
	uint64_t v = 0;
	bool first = true;

	vb->oid_len = 0;
	if (t->pos == t->end)
		return errorf(r->err, r->errlen, "the OBJECT IDENTIFIER at octet %zu is empty",
			      t->off);
	for (i = t->pos; i < t->end; i++) {
		/* the first sub-identifier carries 80 + Y, Y up to 2^32 - 1 */
		uint64_t max = first ? 80 + (uint64_t)UINT32_MAX : UINT32_MAX;

		v = v << 7 | (r->msg[i] & 0x7f);
		if (v > max)
			return errorf(r->err, r->errlen, "a sub-identifier at octet %zu is above "
				      "4294967295", i);
		if (r->msg[i] & 0x80)
			continue;
		if (vb->oid_len + (first ? 2 : 1) > WALK_OID_MAX)
			return errorf(r->err, r->errlen, "the OBJECT IDENTIFIER at octet %zu has more "
				      "than %d sub-identifiers", t->off, WALK_OID_MAX);
		if (first) {
			uint32_t x = v < 40 ? 0 : v < 80 ? 1 : 2;

			vb->oid[0] = x;
			vb->oid[1] = (uint32_t)(v - 40 * x);
			vb->oid_len = 2;
			first = false;
		} else {
			vb->oid[vb->oid_len++] = (uint32_t)v;
		}
		v = 0;
	}
	if (r->msg[t->end - 1] & 0x80)
		return errorf(r->err, r->errlen, "the OBJECT IDENTIFIER at octet %zu ends inside a "
			      "sub-identifier", t->off);
	return 0;
}

/* A varbind's value by its tag (ber.h). */
static int get_value(const struct rd *r, const struct tlv *t, struct walk_varbind *vb)
{
	size_t n = t->end - t->pos;

	vb->type = t->tag;
	vb->str = NULL;
	vb->str_len = 0;
	vb->integer = 0;
	switch (t->tag) {
	case WALK_T_INTEGER:
		return get_signed(r, t, &vb->integer);
	case WALK_T_COUNTER:
	case WALK_T_GAUGE:
	case WALK_T_TIMETICKS:
		return get_unsigned(r, t, 5, UINT32_MAX, &vb->integer);
	case WALK_T_COUNTER64:
		return get_unsigned(r, t, 9, INT64_MAX, &vb->integer);
	case WALK_T_NULL:
	case WALK_T_NOSUCHOBJECT:
	case WALK_T_NOSUCHINSTANCE:
	case WALK_T_ENDOFMIBVIEW:
		if (n)
			return errorf(r->err, r->errlen, "the %s at octet %zu is not empty (%zu "
				      "octet%s)", walk_type_name(t->tag), t->off, n, plural(n));
		return 0;
	default:
		vb->str = r->msg + t->pos;
		vb->str_len = n;
		return 0;
	}
}

static int get_varbinds(const struct rd *r, size_t pos, size_t end, struct walk_answer *a,
			struct walk_varbind *vbs, size_t cap)
{
	struct tlv seq, name, val;

	while (pos < end) {
		struct walk_varbind *vb;

		if (expect(r, &pos, end, TAG_SEQUENCE, &seq) < 0)
			return -1;
		if (a->n == cap)
			return errorf(r->err, r->errlen, "more than %zu varbinds (the next at octet "
				      "%zu)", cap, seq.off);
		vb = &vbs[a->n];
		pos = seq.pos;
		if (expect(r, &pos, seq.end, TAG_OID, &name) < 0 || get_oid(r, &name, vb) < 0 ||
		    read_tlv(r, &pos, seq.end, &val) < 0 || get_value(r, &val, vb) < 0 ||
		    at_end(r, pos, seq.end, "a varbind's value") < 0)
			return -1;
		a->n++;
		pos = seq.end;
	}
	return 0;
}

int ber_decode_response(const unsigned char *msg, size_t len, struct ber_response *out,
			struct walk_varbind *vbs, size_t cap, char *err, size_t errlen)
{
	struct rd r = { msg, len, err, errlen };
	struct tlv m, t, pdu;
	size_t pos = 0;
	long long v;

	memset(out, 0, sizeof *out);
	out->answer.vb = vbs;
	if (!msg)
		len = r.len = 0;
	if (expect(&r, &pos, len, TAG_SEQUENCE, &m) < 0)
		return -1;
	if (m.end != len)
		return errorf(err, errlen, "%zu stray octet%s after the message at octet %zu",
			      len - m.end, plural(len - m.end), m.end);
	pos = m.pos;
	if (expect(&r, &pos, m.end, TAG_INTEGER, &t) < 0 || get_signed(&r, &t, &v) < 0)
		return -1;
	if (v != BER_VERSION_1 && v != BER_VERSION_2C)
		return errorf(err, errlen, "the message at octet %zu has version %lld, neither "
			      "SNMPv1 (0) nor SNMPv2c (1)", t.off, v);
	out->version = (int)v;
	if (expect(&r, &pos, m.end, TAG_OCTETS, &t) < 0)
		return -1;
	out->community = msg + t.pos;
	out->community_len = t.end - t.pos;
	if (read_tlv(&r, &pos, m.end, &pdu) < 0)
		return -1;
	if (pdu.tag != BER_PDU_RESPONSE)
		return errorf(err, errlen, "a Response-PDU was expected, tag 0x%02x at octet %zu",
			      pdu.tag, pdu.off);
	if (at_end(&r, pos, m.end, "the PDU") < 0)
		return -1;
	pos = pdu.pos;
	if (get_field(&r, &pos, pdu.end, "request-id", INT32_MIN, INT32_MAX, &v) < 0)
		return -1;
	out->request_id = (int32_t)v;
	if (get_field(&r, &pos, pdu.end, "error-status", LONG_MIN, LONG_MAX, &v) < 0)
		return -1;
	out->answer.errstat = (long)v;
	if (get_field(&r, &pos, pdu.end, "error-index", LONG_MIN, LONG_MAX, &v) < 0)
		return -1;
	out->answer.errindex = (long)v;
	if (expect(&r, &pos, pdu.end, TAG_SEQUENCE, &t) < 0 ||
	    at_end(&r, pos, pdu.end, "the variable-bindings") < 0)
		return -1;
	if (get_varbinds(&r, t.pos, t.end, &out->answer, vbs, cap) < 0) {
		out->answer.n = 0;
		return -1;
	}
	return 0;
}
