/*
 * cli.h - the command line: getopt_long over the settings table of
 * config.h, and the usage and help texts.
 *
 * Parsing only records what the user typed, in order; main.c applies it
 * with config_set() after the INI file, so the command line wins.
 */
#ifndef ASYNC_LEAK_CLI_H
#define ASYNC_LEAK_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

#define CLI_MAX_ITEMS 128

struct cli_item {
	enum option_id id;
	const char *value;	/* points into argv; NULL for flags */
};

struct cli_args {
	struct cli_item items[CLI_MAX_ITEMS];
	size_t n;
};

/*
 * Parses argv.  Returns 0, or -1 with a one-line message for an unknown
 * option, a missing argument, a stray argument or too many options.
 * getopt's own messages are suppressed.
 */
int cli_parse(int argc, char **argv, struct cli_args *out, char *err, size_t errlen);

/* The value of the last occurrence of id, or NULL. */
const char *cli_value(const struct cli_args *a, enum option_id id);

/* Short usage (two lines), for errors. */
void cli_print_usage(FILE *out);

/* Full help, 80 columns. */
void cli_print_help(FILE *out);

#endif
