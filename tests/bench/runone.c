/*
 * tests/bench/runone.c - runs one command and prints what it cost:
 *
 *     runone CMD [ARGS...]
 *     -> "WALL_US USER_US SYS_US MAXRSS_KIB EXIT" on file descriptor 3
 *
 * The figures go to file descriptor 3 (the caller opens it), so the
 * command's own stdout and stderr stay apart (the caller discards them).
 * Wall time is CLOCK_MONOTONIC around fork/exec/wait; CPU and peak RSS
 * are RUSAGE_CHILDREN after the wait: the child and what it waited for (a
 * shell script's commands), peak RSS the largest of them.  EXIT is the
 * exit code, or 128 + the signal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long us(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000LL + tv.tv_usec;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	pid_t pid;
	int st = 0;
	FILE *out;

	if (argc < 2) {
		fprintf(stderr, "usage: runone CMD [ARGS...] (figures on fd 3)\n");
		return 2;
	}
	out = fdopen(3, "w");
	if (!out) {
		fprintf(stderr, "runone: fd 3 is not open\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("runone: fork");
		return 2;
	}
	if (pid == 0) {
		close(3);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0) {
		perror("runone: waitpid");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_CHILDREN, &ru);	/* the child and what it waited for */
	fprintf(out, "%lld %lld %lld %ld %d\n",
		(long long)(t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000,
		us(ru.ru_utime), us(ru.ru_stime), ru.ru_maxrss,
		WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	fclose(out);
	return 0;
}
