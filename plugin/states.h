/*
 * states.h - the Nagios states: their values (also the plugin's exit codes),
 * their names and the worst of two.
 *
 * One job: the four states of the plugin guidelines and nothing about how a
 * check reaches one.  It includes nothing of this project, so any room may
 * include it; deciding a state is evaluate.c's, writing one output.c's.
 */
#ifndef ASYNC_LEAK_STATES_H
#define ASYNC_LEAK_STATES_H

/* Nagios states, also the exit codes. */
enum state { STATE_OK = 0, STATE_WARNING = 1, STATE_CRITICAL = 2, STATE_UNKNOWN = 3 };

#define STATE_COUNT 4

/* The names, in the order of enum state: an initializer for a table of
 * STATE_COUNT strings (the option parser looks --missing-state up in it). */
#define STATE_NAMES { "OK", "WARNING", "CRITICAL", "UNKNOWN" }

/* "OK", "WARNING", "CRITICAL", "UNKNOWN"; "?" for a value out of range. */
static inline const char *state_name(enum state s)
{
	static const char *const names[STATE_COUNT] = STATE_NAMES;

	return (unsigned)s < STATE_COUNT ? names[s] : "?";
}

/* Worst of two states, CRITICAL > WARNING > UNKNOWN > OK (the plugin
 * guidelines' order: a broken threshold outranks a doubtful measurement). */
static inline enum state state_worst(enum state a, enum state b)
{
	static const int rank[STATE_COUNT] = { 0, 2, 3, 1 };	/* OK, WARNING, CRITICAL, UNKNOWN */

	return rank[a] >= rank[b] ? a : b;
}

#endif
