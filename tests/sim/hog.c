/*
 * hog.c - a process the kernel calls "Async.exe" (the Makefile builds it as
 * build/hog/Async.exe, and comm is taken from the file name) that holds a
 * known amount of touched memory, for tests against snmpd's real
 * hrSWRunPerfMem (= RSS).
 *
 *     Async.exe MIB [READYFILE [LIFETIME_S]]
 *
 * Allocates MIB MiB and writes every page, then creates READYFILE (if
 * given) and sleeps.  SIGUSR1 adds another MIB MiB and re-creates
 * READYFILE when done.  It exits by itself after LIFETIME_S seconds
 * (default 600), so a test that dies cannot leave it behind for long.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t grow_requests;	/* the only way a handler talks */

static void on_usr1(int sig)
{
	(void)sig;
	grow_requests++;
}

static int parse_num(const char *s, long max, long *v)
{
	char *end;

	*v = strtol(s, &end, 10);
	return (*s && !*end && *v >= 0 && *v <= max) ? 0 : -1;
}

static int hold(long mib)
{
	size_t len = (size_t)mib * 1024 * 1024;
	volatile unsigned char *p;	/* volatile: the compiler may not drop it */
	size_t i;

	if (len == 0)
		return 0;
	p = malloc(len);	/* never freed: holding it is the point */
	if (!p)
		return -1;
	for (i = 0; i < len; i += 512)	/* non-zero, so no page stays shared */
		p[i] = 0xa5;
	return 0;
}

static void ready(const char *path)
{
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	long mib, lifetime = 600;
	const char *readyfile = argc > 2 ? argv[2] : NULL;
	time_t end;

	if (argc < 2 || argc > 4 || parse_num(argv[1], 4096, &mib) < 0 ||
	    (argc == 4 && parse_num(argv[3], 86400, &lifetime) < 0)) {
		fprintf(stderr, "usage: Async.exe MIB [READYFILE [LIFETIME_S]]\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	if (hold(mib) < 0) {
		fprintf(stderr, "Async.exe: cannot allocate %ld MiB\n", mib);
		return 1;
	}
	ready(readyfile);
	end = time(NULL) + lifetime;
	while (time(NULL) < end) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		while (grow_requests > 0) {
			grow_requests--;
			if (hold(mib) < 0)
				return 1;
			ready(readyfile);
		}
	}
	return 0;
}
