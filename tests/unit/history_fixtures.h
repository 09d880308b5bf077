/*
 * history_fixtures.h - what the history tests (test_history.c,
 * test_histname.c, test_histstore.c) share: a fixed "now", samples, and a
 * private scratch directory.
 */
#ifndef ASYNC_LEAK_HISTORY_FIXTURES_H
#define ASYNC_LEAK_HISTORY_FIXTURES_H

#include <stddef.h>
#include <time.h>

#include "trend.h"

#define NOW ((time_t)1700000000)	/* 2023-11-14 22:13:20 UTC */
#define HOUR 3600
#define DAY 86400

/* A raw sample at t of kb with the matched indexes idx, no CPU or uptime. */
struct sample mk(time_t t, long kb, const char *idx);

/* The same with hrSWRunPerfCPU cpu and hrSystemUptime up. */
struct sample mk_full(time_t t, long kb, const char *idx, unsigned long cpu,
		      unsigned long up);

/* A fresh private directory for one test, "/tmp/test_history.XXXXXX". */
void tmpdir(char *dir, size_t size);

/* Removes dir and everything under it (links not followed). */
void rmtree(const char *dir);

#endif
