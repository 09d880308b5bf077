/*
 * walk.h - the walk of hrSWRunTable's name (and path) columns as a state
 * machine over decoded answers.  Pure: no Net-SNMP types, no I/O.
 *
 * plugin/snmp.c sends the requests and decodes each answer into a list of
 * struct walk_varbind (OID as sub-identifiers, BER type, value); this
 * module decides what the answer means: rows of the table, the end of a
 * column, or a broken walk.  Net-SNMP's own tools stop a walk with "OID not
 * increasing"; so does this one, with an UNKNOWN reason, never by taking
 * the rows seen so far for the whole table (that would turn an agent that
 * loops on hrSWRunName.1 into "not running", a false CRITICAL).
 *
 * The rules, per column (name; path when the match needs it):
 *   - endOfMibView, noSuchObject, noSuchInstance, or an OID past the
 *     column: the column is over;
 *   - under SNMPv1, noSuchName (errorIndex naming the varbind, or the first
 *     one when the index is out of range): that column is over;
 *   - an OID equal to the one asked for: "OID not increasing";
 *   - an OID before the one asked for: "OID went back", or "varbind
 *     missing" when it belongs to the other walked column (a GETBULK answer
 *     that lost a varbind, so the columns' varbinds no longer alternate);
 *   - a GETNEXT answer with fewer varbinds than asked, or a GETBULK answer
 *     without one varbind per column: "varbind missing";
 *   - a row OID must have one sub-identifier after the column, from 0 to
 *     2147483647 (hrSWRunIndex is an Integer32; 0 is outside RFC 2790's
 *     range but harmless, so an agent that numbers its idle process 0
 *     works), and an OCTET STRING value of at most 64 (name) or 128 (path)
 *     bytes;
 *   - tooBig: max-repetitions is halved and the same request sent again;
 *   - any other error status: "the agent at PEER answered with error ...";
 *   - more than WALK_MAX_ROWS rows: an error.
 * Every answer either moves a column forward or ends it, so a walk always
 * ends; plugin/snmp.c bounds it in time as well.
 */
#ifndef ASYNC_LEAK_WALK_H
#define ASYNC_LEAK_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snmp.h"

#define WALK_OID_MAX 128	/* sub-identifiers of one OID (as Net-SNMP) */
#define WALK_COLUMN_LEN 11	/* sub-identifiers of a hrSWRunTable column */
#define WALK_MAX_ROWS 100000	/* a sane agent has far fewer processes */
#define WALK_MAX_REPETITIONS 64	/* per GETBULK, shared by the walked columns */

/* BER tags of the values an answer can carry (RFC 3416, RFC 2578). */
enum walk_type {
	WALK_T_INTEGER = 0x02,
	WALK_T_OCTET_STR = 0x04,
	WALK_T_NULL = 0x05,
	WALK_T_OBJECT_ID = 0x06,
	WALK_T_IPADDRESS = 0x40,
	WALK_T_COUNTER = 0x41,
	WALK_T_GAUGE = 0x42,
	WALK_T_TIMETICKS = 0x43,
	WALK_T_OPAQUE = 0x44,
	WALK_T_COUNTER64 = 0x46,
	WALK_T_NOSUCHOBJECT = 0x80,
	WALK_T_NOSUCHINSTANCE = 0x81,
	WALK_T_ENDOFMIBVIEW = 0x82
};

/* Error status values of a response PDU (RFC 3416). */
enum walk_errstat {
	WALK_ERR_NOERROR = 0,
	WALK_ERR_TOOBIG = 1,
	WALK_ERR_NOSUCHNAME = 2,
	WALK_ERR_AUTHORIZATIONERROR = 16
};

/* One decoded varbind of an answer. */
struct walk_varbind {
	uint32_t oid[WALK_OID_MAX];
	size_t oid_len;
	int type;			/* enum walk_type, or any other tag */
	const unsigned char *str;	/* OCTET STRING: the bytes (not owned) */
	size_t str_len;
	long long integer;		/* INTEGER, Counter, Gauge, TimeTicks */
};

/* A decoded response PDU. */
struct walk_answer {
	long errstat;
	long errindex;
	const struct walk_varbind *vb;
	size_t n;
};

/* A row as the walk saw it. */
struct walk_row {
	long index;			/* hrSWRunIndex, 0 .. 2147483647 */
	char name[HR_NAME_MAX + 1];
	char path[HR_PATH_MAX + 1];
	bool has_path;
};

struct walk_column {
	uint32_t base[WALK_COLUMN_LEN];
	uint32_t cur[WALK_OID_MAX];	/* the last OID taken (the next request's) */
	size_t cur_len;
	bool done;
	bool is_path;
	struct walk_row *rows;		/* owned; in ascending index order */
	size_t n, cap;
};

struct walk {
	struct walk_column cols[2];	/* name, and path when need_path */
	size_t ncols;
	bool v1;			/* GETNEXT instead of GETBULK */
	long max_rep;
	size_t active[2];		/* columns the last request asked */
	size_t nact;
	const char *peer;		/* "HOST:PORT" for messages (not owned) */
};

/* The next request to send. */
struct walk_request {
	bool getnext;			/* else GETBULK, non-repeaters 0 */
	long max_repetitions;
	size_t n;			/* varbinds (columns still open) */
	const uint32_t *oid[2];
	size_t oid_len[2];
};

/* Base OIDs of the objects plugin/snmp.c asks for (HOST-RESOURCES-MIB). */
extern const uint32_t WALK_OID_RUN_NAME[WALK_COLUMN_LEN];
extern const uint32_t WALK_OID_RUN_PATH[WALK_COLUMN_LEN];

void walk_init(struct walk *w, bool need_path, bool v1, const char *peer);
void walk_release(struct walk *w);

/*
 * Fills req with the next request; returns false when every column is over
 * (the walk is complete).
 */
bool walk_next(struct walk *w, struct walk_request *req);

/*
 * Takes the answer to the request walk_next described.  Returns 0 (call
 * walk_next again), or -1 with one sentence in err: the walk is broken.
 */
int walk_take(struct walk *w, const struct walk_answer *a, char *err, size_t errlen);

/*
 * The walked rows, names with their paths joined in (has_path when the
 * path column had the row), in ascending index order.  Owned by w.
 */
const struct walk_row *walk_rows(struct walk *w, size_t *n);

/* -1, 0, 1 as a is before, equal to or after b in OID order. */
int walk_oid_compare(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen);

/* A readable object name for messages: "hrSWRunPerfMem.1388", else ".1.3..." */
void walk_object_name(const uint32_t *oid, size_t len, char *buf, size_t size);

/* "OCTET STRING", "INTEGER", ..., for messages. */
const char *walk_type_name(int type);

/* RFC 3416's name of an error status: "noSuchName", "authorizationError". */
const char *walk_errstat_name(long errstat);

#endif
