/*
 * fakeagent.c - a tiny SNMP v1/v2c agent on 127.0.0.1 that answers with
 * hand-made BER, for the walk cases a real snmpd never produces.
 *
 *     fakeagent MODE PORTFILE [DELAY_MS[-MAX_MS] [LIFETIME_S]]
 *
 * It binds an ephemeral UDP port on 127.0.0.1, writes the port number to
 * PORTFILE (temp file + rename, so a reader never sees half of it) and
 * answers GET, GETNEXT and GETBULK for any community from a fixed
 * simulated Windows host: rows 1 "System Idle Process", 4 "System",
 * 1388 "Async.exe" (hrSWRunName, hrSWRunPath, hrSWRunStatus,
 * hrSWRunPerfCPU, hrSWRunPerfMem), hrSystemUptime and hrMemorySize.
 *
 * MODE breaks the walk the way broken agents do:
 *   ok       a correct agent;
 *   loop     every GETNEXT / GETBULK step answers hrSWRunName.1 (an agent
 *            looping on the first row);
 *   back     after hrSWRunName.4 the next name is hrSWRunName.1 again (an
 *            OID that goes back);
 *   missing  a GETBULK answer of several columns loses its second row's
 *            first varbind; a GETNEXT of several varbinds is answered with
 *            the first one only;
 *   v1end    the MIB view ends after the hrSWRunName column: v1 answers a
 *            GETNEXT past it with noSuchName (errorIndex = that varbind),
 *            v2c with endOfMibView (the GETs still answer);
 *   toobig   a GET of more than 6 varbinds is answered tooBig (an answer
 *            over the agent's message size; snmpd trims GETBULK answers
 *            instead, so this is the way to meet it);
 *   garbage  every reply cut in half;
 *   garbleget  only the reply to a GET of more than 6 varbinds (a repeat
 *            GET; the walk's GET of a row has 6) cut in half;
 *   strayget the reply to a GET of more than 6 varbinds comes twice: first
 *            with another request-id (a stray answer to some other
 *            request), 20 ms later the right one.
 * Each answer waits DELAY_MS (or a random time from DELAY_MS to MAX_MS)
 * without holding up the others, so many checks can overlap.  The agent
 * exits after LIFETIME_S seconds (default 300) or on SIGTERM.  Malformed
 * datagrams are ignored.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define OID_MAX 32
#define PKT_MAX 65507
#define PENDING_MAX 512
#define VB_MAX 256

enum mode { M_OK, M_LOOP, M_BACK, M_MISSING, M_V1END, M_TOOBIG, M_GARBAGE, M_GARBLEGET,
	     M_STRAYGET };

struct entry {
	uint32_t oid[OID_MAX];
	size_t len;
	uint8_t tag;		/* 0x02 INTEGER, 0x04 OCTET STRING, 0x43 TimeTicks */
	long num;
	const char *str;
};

static struct entry table[64];
static size_t ntable;

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void add(const char *dotted, uint8_t tag, long num, const char *str)
{
	struct entry *e = &table[ntable++];
	const char *p = dotted;

	e->len = 0;
	while (*p) {
		char *end;

		if (*p == '.')
			p++;
		e->oid[e->len++] = (uint32_t)strtoul(p, &end, 10);
		p = end;
	}
	e->tag = tag;
	e->num = num;
	e->str = str;
}

static int oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return alen == blen ? 0 : alen < blen ? -1 : 1;
}

static void build_table(void)
{
	static const struct { long idx; const char *name, *path; long status, cpu, mem; } rows[] = {
		{ 1, "System Idle Process", "", 1, 9000000, 16 },
		{ 4, "System", "", 1, 120000, 244 },
		{ 1388, "Async.exe", "C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\", 1, 12000, 49256 },
	};
	static char oids[5][3][64];
	static const char *const col[5] = { ".1.3.6.1.2.1.25.4.2.1.2", ".1.3.6.1.2.1.25.4.2.1.4",
					    ".1.3.6.1.2.1.25.4.2.1.7", ".1.3.6.1.2.1.25.5.1.1.1",
					    ".1.3.6.1.2.1.25.5.1.1.2" };
	size_t c, r;

	add(".1.3.6.1.2.1.25.1.1.0", 0x43, 8640000, NULL);
	add(".1.3.6.1.2.1.25.2.2.0", 0x02, 524288, NULL);
	for (c = 0; c < 5; c++) {
		for (r = 0; r < 3; r++) {
			snprintf(oids[c][r], sizeof oids[c][r], "%s.%ld", col[c], rows[r].idx);
			if (c == 0)
				add(oids[c][r], 0x04, 0, rows[r].name);
			else if (c == 1)
				add(oids[c][r], 0x04, 0, rows[r].path);
			else
				add(oids[c][r], 0x02, c == 2 ? rows[r].status :
				    c == 3 ? rows[r].cpu : rows[r].mem, NULL);
		}
	}
}

/* ---- BER ---- */

struct rd {
	const uint8_t *p;
	size_t n;
};

static int rd_tlv(struct rd *r, uint8_t *tag, struct rd *val)
{
	size_t len = 0, k, nb;

	if (r->n < 2)
		return -1;
	*tag = r->p[0];
	if (r->p[1] < 0x80) {
		len = r->p[1];
		k = 2;
	} else {
		nb = r->p[1] & 0x7f;
		if (nb == 0 || nb > 3 || r->n < 2 + nb)
			return -1;
		for (k = 0; k < nb; k++)
			len = len << 8 | r->p[2 + k];
		k = 2 + nb;
	}
	if (r->n - k < len)
		return -1;
	val->p = r->p + k;
	val->n = len;
	r->p += k + len;
	r->n -= k + len;
	return 0;
}

static int rd_int(struct rd *r, long *v)
{
	uint8_t tag;
	struct rd val;
	size_t i;
	long x;

	if (rd_tlv(r, &tag, &val) < 0 || tag != 0x02 || val.n == 0 || val.n > 4)
		return -1;
	x = (val.p[0] & 0x80) ? -1 : 0;
	for (i = 0; i < val.n; i++)
		x = (long)((unsigned long)x << 8) | val.p[i];
	*v = x;
	return 0;
}

static int rd_oid(const struct rd *val, uint32_t *oid, size_t *len)
{
	size_t i, n = 0;
	uint32_t sub = 0;

	if (val->n == 0)
		return -1;
	for (i = 0; i < val->n; i++) {
		sub = sub << 7 | (val->p[i] & 0x7f);
		if (val->p[i] & 0x80)
			continue;
		if (n == 0) {
			oid[n++] = sub < 80 ? sub / 40 : 2;
			oid[n++] = sub < 80 ? sub % 40 : sub - 80;
		} else {
			if (n == OID_MAX)
				return -1;
			oid[n++] = sub;
		}
		sub = 0;
	}
	*len = n;
	return 0;
}

struct wr {
	uint8_t *p;
	size_t n, cap;
	bool bad;
};

static void wr_bytes(struct wr *w, const void *b, size_t n)
{
	if (w->n + n > w->cap) {
		w->bad = true;
		return;
	}
	memcpy(w->p + w->n, b, n);
	w->n += n;
}

/* Wraps w's bytes from start on in a TLV (moves them right). */
static void wr_wrap(struct wr *w, size_t start, uint8_t tag)
{
	size_t len = w->n - start;
	uint8_t hdr[5];
	size_t h = 0;

	hdr[h++] = tag;
	if (len < 0x80) {
		hdr[h++] = (uint8_t)len;
	} else if (len < 0x100) {
		hdr[h++] = 0x81;
		hdr[h++] = (uint8_t)len;
	} else {
		hdr[h++] = 0x82;
		hdr[h++] = (uint8_t)(len >> 8);
		hdr[h++] = (uint8_t)len;
	}
	if (w->n + h > w->cap) {
		w->bad = true;
		return;
	}
	memmove(w->p + start + h, w->p + start, len);
	memcpy(w->p + start, hdr, h);
	w->n += h;
}

static void wr_int(struct wr *w, uint8_t tag, long v)
{
	uint8_t b[9];
	size_t n = 0, i;
	unsigned long long u = (unsigned long long)(long long)v;
	int k;

	for (k = 7; k > 0; k--) {	/* drop redundant leading bytes */
		uint8_t top = (uint8_t)(u >> (8 * k)), next = (uint8_t)(u >> (8 * (k - 1)));

		if (!((top == 0 && !(next & 0x80)) || (top == 0xff && (next & 0x80))))
			break;
	}
	if (tag != 0x02 && v >= 0 && ((u >> (8 * k)) & 0x80))
		b[n++] = 0;		/* unsigned types stay positive */
	for (i = (size_t)k + 1; i > 0; i--)
		b[n++] = (uint8_t)(u >> (8 * (i - 1)));
	wr_bytes(w, &tag, 1);
	wr_bytes(w, (uint8_t[]){ (uint8_t)n }, 1);
	wr_bytes(w, b, n);
}

static void wr_oid(struct wr *w, const uint32_t *oid, size_t len)
{
	size_t start = w->n, i;

	for (i = 1; i < len; i++) {
		uint32_t sub = i == 1 ? oid[0] * 40 + oid[1] : oid[i];
		uint8_t b[5];
		int k = 0;

		b[k++] = sub & 0x7f;
		while (sub >>= 7)
			b[k++] = 0x80 | (sub & 0x7f);
		while (k > 0)
			wr_bytes(w, &b[--k], 1);
	}
	wr_wrap(w, start, 0x06);
}

static void wr_varbind(struct wr *w, const uint32_t *oid, size_t len, const struct entry *e,
		       uint8_t exception)
{
	size_t start = w->n;

	wr_oid(w, oid, len);
	if (!e) {
		wr_bytes(w, (uint8_t[]){ exception, 0 }, 2);
	} else if (e->tag == 0x04) {
		size_t s = w->n;

		wr_bytes(w, e->str, strlen(e->str));
		wr_wrap(w, s, 0x04);
	} else {
		wr_int(w, e->tag, e->num);
	}
	wr_wrap(w, start, 0x30);
}

/* ---- the agent ---- */

static enum mode mode;

static const uint32_t NAME_COL[] = { 1, 3, 6, 1, 2, 1, 25, 4, 2, 1, 2 };
#define NAME_COL_LEN 11

static bool in_name_col(const uint32_t *oid, size_t len)
{
	return len > NAME_COL_LEN && memcmp(oid, NAME_COL, sizeof NAME_COL) == 0;
}

static const struct entry *find(const uint32_t *oid, size_t len)
{
	size_t i;

	for (i = 0; i < ntable; i++)
		if (oid_cmp(table[i].oid, table[i].len, oid, len) == 0)
			return &table[i];
	return NULL;
}

/* The entry after oid in this mode's view; NULL at the end of the view. */
static const struct entry *next_of(const uint32_t *oid, size_t len)
{
	size_t i;

	if (mode == M_LOOP && oid_cmp(oid, len, table[ntable - 1].oid,
				      table[ntable - 1].len) < 0)
		return find((const uint32_t[]){ 1, 3, 6, 1, 2, 1, 25, 4, 2, 1, 2, 1 }, 12);
	if (mode == M_BACK && in_name_col(oid, len) && oid[NAME_COL_LEN] >= 4)
		return find((const uint32_t[]){ 1, 3, 6, 1, 2, 1, 25, 4, 2, 1, 2, 1 }, 12);
	for (i = 0; i < ntable; i++) {
		if (oid_cmp(table[i].oid, table[i].len, oid, len) > 0) {
			if (mode == M_V1END && !in_name_col(table[i].oid, table[i].len) &&
			    oid_cmp(table[i].oid, table[i].len, NAME_COL, NAME_COL_LEN) > 0)
				return NULL;
			return &table[i];
		}
	}
	return NULL;
}

struct reqvb {
	uint32_t oid[OID_MAX];
	size_t len;
};

/* Set by answer(): the request was a GET of more than 6 varbinds. */
static bool big_get;
/* Added to the request-id in the answer (strayget's stray copy). */
static long reqid_delta;

/* Answers one request datagram into out; returns its length, 0 to ignore it. */
static size_t answer(const uint8_t *pkt, size_t n, uint8_t *out, size_t cap)
{
	static struct reqvb vbs[VB_MAX];
	struct rd msg = { pkt, n }, seq, pdu, list, vb, oidv, any;
	struct wr w = { out, 0, cap, false };
	uint8_t tag, ptag;
	long version, reqid, a, b, errstat = 0, errindex = 0;
	struct rd community;
	size_t nvb = 0, i, r, start, liststart, count = 0;
	const struct entry *cur[VB_MAX];

	if (rd_tlv(&msg, &tag, &seq) < 0 || tag != 0x30 || rd_int(&seq, &version) < 0 ||
	    (version != 0 && version != 1) || rd_tlv(&seq, &tag, &community) < 0 ||
	    tag != 0x04 || rd_tlv(&seq, &ptag, &pdu) < 0 ||
	    (ptag != 0xa0 && ptag != 0xa1 && ptag != 0xa5) ||
	    rd_int(&pdu, &reqid) < 0 || rd_int(&pdu, &a) < 0 || rd_int(&pdu, &b) < 0 ||
	    rd_tlv(&pdu, &tag, &list) < 0 || tag != 0x30)
		return 0;
	while (list.n > 0 && nvb < VB_MAX) {
		if (rd_tlv(&list, &tag, &vb) < 0 || tag != 0x30 ||
		    rd_tlv(&vb, &tag, &oidv) < 0 || tag != 0x06 ||
		    rd_oid(&oidv, vbs[nvb].oid, &vbs[nvb].len) < 0 ||
		    rd_tlv(&vb, &tag, &any) < 0)
			return 0;
		nvb++;
	}
	if (ptag == 0xa5 && version == 0)
		return 0;
	big_get = ptag == 0xa0 && nvb > 6;

	/* header: SEQUENCE { version, community, Response { reqid, es, ei, list } } */
	wr_int(&w, 0x02, version);
	start = w.n;
	wr_bytes(&w, community.p, community.n);
	wr_wrap(&w, start, 0x04);
	start = w.n;
	wr_int(&w, 0x02, reqid + reqid_delta);
	liststart = w.n;
	/* error status and index are written after the list is known */

	if (ptag == 0xa0 && mode == M_TOOBIG && nvb > 6) {	/* GET, too big */
		errstat = 1;
		for (i = 0; i < nvb; i++)
			wr_varbind(&w, vbs[i].oid, vbs[i].len, NULL, 0x05);
	} else if (ptag == 0xa0) {		/* GET */
		for (i = 0; i < nvb; i++) {
			const struct entry *e = find(vbs[i].oid, vbs[i].len);

			if (!e && version == 0 && !errstat) {
				errstat = 2;
				errindex = (long)i + 1;
			}
			wr_varbind(&w, vbs[i].oid, vbs[i].len, e, version == 0 ? 0x05 : 0x81);
		}
	} else if (ptag == 0xa1) {		/* GETNEXT */
		for (i = 0; i < nvb; i++) {
			const struct entry *e = next_of(vbs[i].oid, vbs[i].len);

			if (mode == M_MISSING && nvb > 1 && i > 0)
				break;
			if (!e && version == 0) {
				if (!errstat) {
					errstat = 2;
					errindex = (long)i + 1;
				}
				wr_varbind(&w, vbs[i].oid, vbs[i].len, NULL, 0x05);
			} else if (!e) {
				wr_varbind(&w, vbs[i].oid, vbs[i].len, NULL, 0x82);
			} else {
				wr_varbind(&w, e->oid, e->len, e, 0);
			}
		}
	} else {				/* GETBULK: a = non-repeaters, b = max-rep */
		size_t nonrep = a < 0 ? 0 : (size_t)a > nvb ? nvb : (size_t)a;
		long maxrep = b < 0 ? 0 : b > 100 ? 100 : b;

		for (i = 0; i < nonrep; i++) {
			const struct entry *e = next_of(vbs[i].oid, vbs[i].len);

			wr_varbind(&w, e ? e->oid : vbs[i].oid, e ? e->len : vbs[i].len, e, 0x82);
		}
		for (i = nonrep; i < nvb; i++)
			cur[i] = NULL;
		for (r = 0; r < (size_t)maxrep && nvb > nonrep; r++) {
			for (i = nonrep; i < nvb; i++) {
				const uint32_t *o = cur[i] ? cur[i]->oid : vbs[i].oid;
				size_t ol = cur[i] ? cur[i]->len : vbs[i].len;
				const struct entry *e = next_of(o, ol);

				count++;
				if (mode == M_MISSING && nvb - nonrep > 1 &&
				    count == nvb - nonrep + 1) {
					cur[i] = e;	/* lost on the way */
					continue;
				}
				wr_varbind(&w, e ? e->oid : o, e ? e->len : ol, e, 0x82);
				if (e)
					cur[i] = e;
			}
		}
	}
	wr_wrap(&w, liststart, 0x30);
	{
		/* insert error status and index before the list */
		size_t listlen = w.n - liststart;
		uint8_t tmp[16];
		struct wr t = { tmp, 0, sizeof tmp, false };

		wr_int(&t, 0x02, errstat);
		wr_int(&t, 0x02, errindex);
		if (w.n + t.n > w.cap)
			return 0;
		memmove(w.p + liststart + t.n, w.p + liststart, listlen);
		memcpy(w.p + liststart, tmp, t.n);
		w.n += t.n;
	}
	wr_wrap(&w, start, 0xa2);
	wr_wrap(&w, 0, 0x30);
	return w.bad ? 0 : w.n;
}

struct pending {
	struct timespec due;
	struct sockaddr_in to;
	size_t len;
	uint8_t *buf;
};

/* Queues buf to be sent to `to` in delay_ms; dropped when the queue is full. */
static void enqueue(struct pending *q, size_t *nq, const uint8_t *buf, size_t len,
		    const struct sockaddr_in *to, long delay_ms)
{
	struct pending *p = &q[*nq];

	if (*nq >= PENDING_MAX || len == 0)
		return;
	p->buf = malloc(len);
	if (!p->buf)
		return;
	memcpy(p->buf, buf, len);
	p->len = len;
	p->to = *to;
	clock_gettime(CLOCK_MONOTONIC, &p->due);
	p->due.tv_sec += delay_ms / 1000;
	p->due.tv_nsec += (delay_ms % 1000) * 1000000L;
	if (p->due.tv_nsec >= 1000000000L) {
		p->due.tv_sec++;
		p->due.tv_nsec -= 1000000000L;
	}
	(*nq)++;
}

static long long ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
}

int main(int argc, char **argv)
{
	static struct pending q[PENDING_MAX];
	static uint8_t in[PKT_MAX], out[PKT_MAX], stray[PKT_MAX];
	struct sockaddr_in addr;
	socklen_t alen = sizeof addr;
	long dmin = 0, dmax = 0, lifetime = 300;
	struct timespec end;
	char tmp[4096];
	FILE *f;
	int fd;
	size_t nq = 0, i;
	struct sigaction sa;

	if (argc < 3) {
		fprintf(stderr, "usage: fakeagent ok|loop|back|missing|v1end|toobig|garbage|"
			"garbleget|strayget PORTFILE "
			"[DELAY_MS[-MAX_MS] [LIFETIME_S]]\n");
		return 2;
	}
	if (!strcmp(argv[1], "ok")) mode = M_OK;
	else if (!strcmp(argv[1], "loop")) mode = M_LOOP;
	else if (!strcmp(argv[1], "back")) mode = M_BACK;
	else if (!strcmp(argv[1], "missing")) mode = M_MISSING;
	else if (!strcmp(argv[1], "v1end")) mode = M_V1END;
	else if (!strcmp(argv[1], "toobig")) mode = M_TOOBIG;
	else if (!strcmp(argv[1], "garbage")) mode = M_GARBAGE;	/* truncated replies */
	else if (!strcmp(argv[1], "garbleget")) mode = M_GARBLEGET;
	else if (!strcmp(argv[1], "strayget")) mode = M_STRAYGET;
	else {
		fprintf(stderr, "fakeagent: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	if (argc > 3) {
		char *e;

		dmin = dmax = strtol(argv[3], &e, 10);
		if (*e == '-')
			dmax = strtol(e + 1, &e, 10);
		if (*e || dmin < 0 || dmax < dmin || dmax > 60000) {
			fprintf(stderr, "fakeagent: bad delay '%s'\n", argv[3]);
			return 2;
		}
	}
	if (argc > 4)
		lifetime = atol(argv[4]);
	if (lifetime <= 0 || lifetime > 3600)
		lifetime = 300;
	build_table();
	srand((unsigned)getpid());

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &alen) < 0) {
		perror("fakeagent: socket");
		return 1;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%u\n", ntohs(addr.sin_port)) < 0 || fclose(f) != 0 ||
	    rename(tmp, argv[2]) != 0) {
		perror("fakeagent: port file");
		return 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += lifetime;
	while (!stop && ms_until(&end) > 0) {
		long long wait = ms_until(&end);
		struct pollfd pfd = { fd, POLLIN, 0 };

		for (i = 0; i < nq; i++) {
			long long d = ms_until(&q[i].due);

			if (d < wait)
				wait = d < 0 ? 0 : d;
		}
		if (poll(&pfd, 1, (int)(wait > 1000 ? 1000 : wait)) > 0 && (pfd.revents & POLLIN)) {
			struct sockaddr_in from;
			socklen_t flen = sizeof from;
			ssize_t got = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *)&from, &flen);
			size_t olen;

			if (got > 0 && (olen = answer(in, (size_t)got, out, sizeof out)) > 0) {
				long d = dmin + (dmax > dmin ? rand() % (dmax - dmin + 1) : 0);

				if (mode == M_GARBAGE || (mode == M_GARBLEGET && big_get))
					olen = olen / 2;	/* a reply cut in half */
				if (mode == M_STRAYGET && big_get) {
					size_t slen;

					reqid_delta = 1;
					slen = answer(in, (size_t)got, stray, sizeof stray);
					reqid_delta = 0;
					enqueue(q, &nq, stray, slen, &from, d);
					d += 20;
				}
				enqueue(q, &nq, out, olen, &from, d);
			}
		}
		for (i = 0; i < nq;) {
			if (ms_until(&q[i].due) <= 0) {
				ssize_t rc = sendto(fd, q[i].buf, q[i].len, 0,
						    (struct sockaddr *)&q[i].to, sizeof q[i].to);

				(void)rc;
				free(q[i].buf);
				q[i] = q[--nq];
			} else {
				i++;
			}
		}
	}
	for (i = 0; i < nq; i++)
		free(q[i].buf);
	close(fd);
	return 0;
}
