/*
 * fuzz_state.c - libFuzzer target for the state file's parser and writer
 * (history.c), and for the file names derived from host names (histname.c).
 *
 * Input: the text of a state file, any bytes.
 *
 * Properties checked (abort() on violation, so libFuzzer saves the input):
 *   - history_parse() never fails and leaves a history that keeps the
 *     invariants: at most HISTORY_MAX_RAW + HISTORY_MAX_HOURLY + 1 records,
 *     times strictly ascending within 1..now, every sample passes
 *     history_sample_check(), segments sorted by start with end <= now,
 *     metadata within its bounds, a printable note;
 *   - what history_format() writes parses back cleanly (no note) and formats
 *     to the same bytes;
 *   - after history_compact() the invariants still hold and the text stays
 *     below the documented worst case (520 KiB);
 *   - the input's first line, taken as a host name, gives a history_key()
 *     of [A-Za-z0-9._%+=~-] only, not starting with '.', at most
 *     HISTORY_KEY_MAX bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "histname.h"
#include "history.h"
#include "util.h"

#define NOW ((time_t)1700000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_state: %s\n  detail: %.300s\n", what, detail);
	abort();
}

static void check_history(const struct history *h, const char *when)
{
	char err[ERRBUF_SIZE];
	const char *p;
	size_t i;

	if (h->n > HISTORY_MAX_RAW + HISTORY_MAX_HOURLY + 1)
		fail("too many records", when);
	for (i = 0; i < h->n; i++) {
		const struct sample *s = &h->samples[i];

		if (history_sample_check(s, err, sizeof err) < 0)
			fail("an invalid sample was kept", err);
		if (s->t > NOW)
			fail("a sample newer than now was kept", when);
		if (i > 0 && s->t <= h->samples[i - 1].t)
			fail("times not strictly ascending", when);
	}
	if (h->nsegments > HISTORY_MAX_SEGMENTS || h->nkv > HISTORY_MAX_KV)
		fail("metadata beyond its bounds", when);
	for (i = 0; i < h->nsegments; i++) {
		const struct history_segment *g = &h->segments[i];

		if (g->start <= 0 || g->end < g->start || g->end > NOW)
			fail("inconsistent segment kept", when);
		if (i > 0 && g->start <= h->segments[i - 1].start)
			fail("segments not sorted", when);
	}
	if (!memchr(h->note, '\0', sizeof h->note))
		fail("note not terminated", when);
	for (p = h->note; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			fail("note not printable", h->note);
}

/* format(h) parses back without a note and formats to the same text. */
static char *round_trip(const struct history *h, size_t *len)
{
	struct history g;
	char err[ERRBUF_SIZE];
	char *a, *b;
	size_t alen, blen;

	if (history_format(h, &a, &alen, err, sizeof err) < 0)
		fail("history_format failed", err);
	if (strlen(a) != alen)
		fail("formatted length wrong", a);
	history_init(&g);
	if (history_parse(a, alen, NOW, &g, err, sizeof err) < 0)
		fail("history_parse of our own text failed", err);
	if (g.note[0])
		fail("our own text is read as damaged", g.note);
	check_history(&g, "reparsed");
	if (history_format(&g, &b, &blen, err, sizeof err) < 0)
		fail("history_format failed", err);
	if (alen != blen || memcmp(a, b, alen) != 0)
		fail("round trip changed the text", a);
	free(b);
	history_free(&g);
	*len = alen;
	return a;
}

static void check_key(const uint8_t *data, size_t size)
{
	struct config cfg;
	char key[HISTORY_KEY_MAX + 1], err[ERRBUF_SIZE];
	size_t n = 0, i;

	memset(&cfg, 0, sizeof cfg);
	while (n < size && n < sizeof cfg.hostname - 1 && data[n] != '\0' && data[n] != '\n')
		n++;
	memcpy(cfg.hostname, data, n);
	cfg.hostname[n] = '\0';
	memcpy(cfg.process, "Async.exe", 10);
	memcpy(cfg.section, cfg.hostname, n < sizeof cfg.section ? n + 1 : 0);
	cfg.section[sizeof cfg.section - 1] = '\0';
	cfg.port = 161;
	if (history_key(&cfg, key, sizeof key, err, sizeof err) < 0) {
		if (n == 0)
			return;
		fail("history_key failed", err);
	}
	if (strlen(key) > HISTORY_KEY_MAX || key[0] == '.')
		fail("unsafe key", key);
	for (i = 0; key[i]; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789._%+=~-", key[i]))
			fail("unsafe byte in key", key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct history h;
	char err[ERRBUF_SIZE];
	size_t len;

	history_init(&h);
	if (history_parse((const char *)data, size, NOW, &h, err, sizeof err) < 0)
		fail("history_parse failed", err);
	check_history(&h, "parsed");
	free(round_trip(&h, &len));

	history_compact(&h, NOW);
	check_history(&h, "compacted");
	free(round_trip(&h, &len));
	if (len >= 520 * 1024)
		fail("compacted text beyond the documented worst case", "");
	history_free(&h);

	check_key(data, size);
	return 0;
}
