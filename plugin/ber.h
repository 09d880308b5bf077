/*
 * ber.h - SNMPv1 and SNMPv2c messages in BER, without Net-SNMP: the
 * requests a check sends (GetRequest, GetNextRequest, GetBulkRequest) and
 * the Response-PDU it reads back (RFC 1157, RFC 3416, RFC 3417's BER
 * subset of X.690: definite lengths only).
 *
 * Pure: bytes in, bytes out, no I/O.  The decoder takes any bytes a
 * datagram may hold (a fuzzer feeds it) and either fills the answer or
 * says in one sentence why the message is not a well-formed Response-PDU;
 * it never reads past len and never allocates: the varbinds go into the
 * caller's array, their strings point into the message.
 *
 * What the decoder accepts, like Net-SNMP's own snmp_parse for v1/v2c:
 *   Message ::= SEQUENCE { version INTEGER (0 v1, 1 v2c), community
 *     OCTET STRING, data Response-PDU [2] IMPLICIT SEQUENCE { request-id
 *     INTEGER, error-status INTEGER, error-index INTEGER, variable-bindings
 *     SEQUENCE OF SEQUENCE { name OBJECT IDENTIFIER, value } } }
 * and nothing after the Message.  Lengths in short or long form (up to 4
 * length octets), no indefinite form; tags of one octet (no tag numbers
 * above 30).  A value is kept by its tag:
 *   INTEGER (0x02): integer, signed, 1 to 8 content octets (as Net-SNMP
 *     reads it into a long; the caller checks the range it needs);
 *   Counter32 (0x41), Gauge32 (0x42), TimeTicks (0x43): integer, unsigned,
 *     1 to 5 content octets and at most 2^32 - 1;
 *   Counter64 (0x46): integer, 1 to 9 content octets and at most
 *     2^63 - 1 (a larger counter is an error rather than a wrong number);
 *   OCTET STRING (0x04), IpAddress (0x40), Opaque (0x44), OBJECT
 *     IDENTIFIER (0x06) and any other tag: str/str_len, the content
 *     octets as they are;
 *   NULL (0x05), noSuchObject (0x80), noSuchInstance (0x81),
 *     endOfMibView (0x82): the type alone (their content must be empty).
 * A varbind name is at most WALK_OID_MAX sub-identifiers of at most
 * 2^32 - 1 each, the first encoded sub-identifier split as 40 * X + Y
 * (X <= 2, Y <= 39 unless X is 2).  Octets in messages are counted from
 * 0, as in a hex dump.
 */
#ifndef ASYNC_LEAK_BER_H
#define ASYNC_LEAK_BER_H

#include <stddef.h>
#include <stdint.h>

#include "walk.h"

#define BER_VERSION_1  0
#define BER_VERSION_2C 1

/* PDU tags (context-specific, constructed). */
enum ber_pdu {
	BER_PDU_GET = 0xA0,
	BER_PDU_GETNEXT = 0xA1,
	BER_PDU_RESPONSE = 0xA2,
	BER_PDU_GETBULK = 0xA5,
};

/* The largest message this plugin sends or reads (an SNMP UDP datagram). */
#define BER_MAX_MESSAGE 65507

/* One name of a request: sub-identifiers, at least 2 (X.690 8.19). */
struct ber_name {
	const uint32_t *oid;
	size_t len;
};

struct ber_request {
	int version;			/* BER_VERSION_1 or BER_VERSION_2C */
	const char *community;		/* not NUL-terminated necessarily */
	size_t community_len;
	int pdu;			/* BER_PDU_GET, _GETNEXT or _GETBULK */
	int32_t request_id;
	/* GETBULK: non-repeaters and max-repetitions in the places of
	 * error-status and error-index (RFC 3416 4.2.3); 0 otherwise. */
	int32_t non_repeaters, max_repetitions;
	const struct ber_name *names;	/* each sent with a NULL value */
	size_t n;
};

/*
 * Writes the request into buf (cap bytes).  Returns the message's length,
 * or 0 when it does not fit in cap or the request is malformed (an OID
 * of fewer than 2 sub-identifiers, a first one above 2 or a second one
 * above 39 under 0 or 1, a version or PDU tag not listed above, GETBULK
 * under SNMPv1): nothing else can go wrong.
 */
size_t ber_encode_request(const struct ber_request *rq, unsigned char *buf, size_t cap);

struct ber_response {
	int version;			/* as decoded: 0 v1, 1 v2c */
	const unsigned char *community;	/* points into the message */
	size_t community_len;
	int32_t request_id;
	struct walk_answer answer;	/* errstat, errindex, vb (= the caller's
					 * array), n */
};

/*
 * Decodes one message.  vbs holds cap varbinds; a response with more is
 * an error ("more than N varbinds").  Returns 0 and fills out, or -1 with
 * one sentence in err (what is wrong and at which octet: "the message is
 * truncated at octet 37", "a Response-PDU was expected, tag 0xa0 at
 * octet 14", ...).  out->answer.vb is vbs also on failure.
 */
int ber_decode_response(const unsigned char *msg, size_t len, struct ber_response *out,
			struct walk_varbind *vbs, size_t cap, char *err, size_t errlen);

#endif
