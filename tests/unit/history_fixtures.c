/*
 * history_fixtures.c - helpers of the history tests (see history_fixtures.h).
 */
#define _XOPEN_SOURCE 700	/* nftw() */

#include <criterion/criterion.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_fixtures.h"

struct sample mk(time_t t, long kb, const char *idx)
{
	struct sample s;

	memset(&s, 0, sizeof s);
	s.t = t;
	s.mem_kb = kb;
	snprintf(s.indexes, sizeof s.indexes, "%s", idx);
	return s;
}

struct sample mk_full(time_t t, long kb, const char *idx, unsigned long cpu,
		      unsigned long up)
{
	struct sample s = mk(t, kb, idx);

	s.cpu_cs = cpu;
	s.has_cpu = true;
	s.uptime_ticks = up;
	s.has_uptime = true;
	return s;
}

void tmpdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/test_history.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
