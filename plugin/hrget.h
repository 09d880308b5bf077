/*
 * hrget.h - the GET of a check: which HOST-RESOURCES-MIB objects it asks
 * for, and what their answers mean, whatever carried them (Net-SNMP in
 * plugin/snmp.c, or the plugin's own v1/v2c datagrams in plugin/udpget.c).
 *
 * Pure: OIDs and decoded varbinds (struct walk_varbind) in, the snapshot
 * and one-sentence errors out.  An item is one object of the request and
 * says what its answer fills in: a row's status, memory, CPU, name or
 * path, or the host's memory size or uptime.
 *
 * The repeat check's GET (see snmp_query_repeat in snmp.h): hrget_repeat_items
 * lays out the request (uptime, memory size, then for each remembered row
 * its name, path, status, memory and CPU), hrget_repeat_judge reads the
 * answer: 1, the answer stands and is the snapshot; 0, walk (why in
 * out->walk_reason); -1, an error (a value of the wrong type, an over-long
 * string), which walking would not cure.
 */
#ifndef ASYNC_LEAK_HRGET_H
#define ASYNC_LEAK_HRGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snmp.h"
#include "walk.h"

/* HOST-RESOURCES-MIB (RFC 2790), numeric: no MIB files are loaded. */
#define HRGET_COLUMN_LEN 11	/* sub-identifiers of a column OID */
#define HRGET_SCALAR_LEN 10	/* of a scalar, .0 included */
extern const uint32_t HRGET_UPTIME[HRGET_SCALAR_LEN - 1];
extern const uint32_t HRGET_MEMSIZE[HRGET_SCALAR_LEN - 1];
extern const uint32_t HRGET_RUN_NAME[HRGET_COLUMN_LEN];
extern const uint32_t HRGET_RUN_PATH[HRGET_COLUMN_LEN];
extern const uint32_t HRGET_RUN_STATUS[HRGET_COLUMN_LEN];
extern const uint32_t HRGET_PERF_CPU[HRGET_COLUMN_LEN];
extern const uint32_t HRGET_PERF_MEM[HRGET_COLUMN_LEN];

#define HRGET_STATUS_INVALID 4	/* hrSWRunStatus invalid(4) */

/* What one GET varbind is for. */
enum hrget_kind { IT_STATUS, IT_MEM, IT_CPU, IT_NAME, IT_PATH, IT_MEMSIZE, IT_UPTIME };

struct hrget_item {
	enum hrget_kind kind;
	size_t row;		/* index into the snapshot's rows */
	uint32_t oid[HRGET_COLUMN_LEN + 1];
	size_t oid_len;
	bool done;		/* answered, or known to be absent */
};

/* One row while the GET fills it in: what the answer had. */
struct hrget_got {
	bool status, mem, name;
};

/* An item for base (base_len sub-identifiers) + one sub-identifier. */
void hrget_item_set(struct hrget_item *it, enum hrget_kind kind, size_t row,
		    const uint32_t *base, size_t base_len, uint32_t sub);

/* Whether vb's name is the item's OID. */
bool hrget_is_item(const struct hrget_item *it, const struct walk_varbind *vb);

/*
 * Stores one answered varbind (vb answers it) in out (out->procs[it->row]
 * for a row's items) and got.  noSuchObject, noSuchInstance and
 * endOfMibView leave the defaults standing.  Returns 0, or -1 with one
 * sentence in err: a value of the wrong type, a negative hrSWRunPerfMem, a
 * string longer than the MIB allows (all naming the object).
 */
int hrget_take(const struct hrget_item *it, const struct walk_varbind *vb,
	       struct hr_snapshot *out, struct hrget_got *got, char *err, size_t errlen);

/* The most items of a repeat GET. */
#define HRGET_REPEAT_ITEMS (5 * SNMP_REPEAT_MAX_ROWS + 2)

/*
 * Lays out the repeat GET of rep's rows into items (HRGET_REPEAT_ITEMS of
 * room) and sets *nitems; out->procs is allocated (rep->n rows, their
 * indexes set) and out->n set.  Returns 0; 1, with out->walk_reason set
 * and nothing allocated, when rep has more rows than one GET asks
 * (walk); -1 when out of memory.
 */
int hrget_repeat_items(const struct snmp_repeat *rep, struct hrget_item *items,
		       size_t *nitems, struct hr_snapshot *out, char *err, size_t errlen);

/*
 * Judges the answer a to the repeat GET of items: tooBig, noSuchName (v1,
 * a row is gone), another error status or varbinds that do not match the
 * request are 0 (walk), as is rep->still() saying no; a value of the wrong
 * type is -1; else 1 and out->repeated.  On 0 and -1 out keeps its rows for
 * the caller to release.
 */
int hrget_repeat_judge(const struct snmp_repeat *rep, const struct hrget_item *items,
		       size_t nitems, const struct walk_answer *a, struct hr_snapshot *out,
		       char *err, size_t errlen);

#endif
