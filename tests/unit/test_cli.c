/*
 * Unit tests: command-line parsing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static struct cli_args args;
static char err[512];

#define PARSE(...) parse((const char *[]){ "check_async_leak", __VA_ARGS__, NULL })

/* getopt wants writable argv strings: copy the literals (values point into them). */
static char argbuf[16][128];

static int parse(const char **in)
{
	char *argv[17];
	int argc = 0;

	while (in[argc] && argc < 16) {
		snprintf(argbuf[argc], sizeof argbuf[argc], "%s", in[argc]);
		argv[argc] = argbuf[argc];
		argc++;
	}
	argv[argc] = NULL;
	return cli_parse(argc, argv, &args, err, sizeof err);
}

Test(cli, short_and_long_options_record_values_in_order)
{
	cr_assert_eq(PARSE("-H", "exch01", "--warning=200MB", "-c", "400MB", "-vv"), 0, "%s", err);
	cr_assert_eq(args.n, 5);
	cr_expect_eq(args.items[0].id, OPT_HOSTNAME);
	cr_expect_str_eq(args.items[0].value, "exch01");
	cr_expect_eq(args.items[1].id, OPT_WARNING);
	cr_expect_str_eq(args.items[1].value, "200MB");
	cr_expect_eq(args.items[3].id, OPT_VERBOSE);
	cr_expect_null(args.items[3].value);
	cr_expect_str_eq(cli_value(&args, OPT_CRITICAL), "400MB");
}

Test(cli, a_range_starting_with_tilde_or_minus_survives_the_equals_form)
{
	cr_assert_eq(PARSE("--warning=~:10MB", "--critical=-5:10"), 0, "%s", err);
	cr_expect_str_eq(cli_value(&args, OPT_WARNING), "~:10MB");
	cr_expect_str_eq(cli_value(&args, OPT_CRITICAL), "-5:10");
}

Test(cli, unknown_options_are_errors)
{
	cr_expect_eq(PARSE("--frobnicate"), -1);
	cr_expect_str_eq(err, "unknown option '--frobnicate'");
	cr_expect_eq(PARSE("-Z"), -1);
	cr_expect_str_eq(err, "unknown option '-Z'");
}

Test(cli, missing_values_are_errors)
{
	cr_expect_eq(PARSE("-H"), -1);
	cr_expect_str_eq(err, "option '-H' needs a value");
	cr_expect_eq(PARSE("--critical"), -1);
	cr_expect_str_eq(err, "option '--critical' needs a value");
}

Test(cli, stray_arguments_are_errors)
{
	cr_expect_eq(PARSE("-H", "exch01", "extra"), -1);
	cr_expect_str_eq(err, "unexpected argument 'extra'");
}

Test(cli, every_table_option_parses_in_long_form)
{
	for (int i = 0; i < OPT_COUNT; i++) {
		const struct option_def *o = &config_options[i];
		char opt[80];

		snprintf(opt, sizeof opt, "--%s%s", o->name, (o->flags & OPTF_NO_ARG) ? "" : "=x");
		cr_expect_eq(PARSE(opt), 0, "%s: %s", opt, err);
		cr_expect_eq(args.n, 1);
		cr_expect_eq(args.items[0].id, o->id);
	}
}

Test(cli, help_fits_in_80_columns_and_names_every_option)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cli_print_help(f);
	fclose(f);
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		size_t l = next ? (size_t)(next - line) : strlen(line);

		cr_expect_leq(l, 80, "line too long: %.*s", (int)l, line);
		if (next)
			next++;
	}
	for (int i = 0; i < OPT_COUNT; i++) {
		char opt[64];

		snprintf(opt, sizeof opt, "--%s", config_options[i].name);
		cr_expect(strstr(buf, opt) != NULL, "help lacks %s", opt);
	}
	free(buf);
}

Test(cli, a_value_for_a_flag_names_the_option)
{
	/* getopt reports the long option's own code: it was printed as a byte. */
	cr_expect_eq(PARSE("--verbose=3"), -1);
	cr_expect_str_eq(err, "option '--verbose' takes no value (repeat it for more detail: "
			 "-vvv, or verbose = 3 in the INI file)");
	cr_expect_eq(PARSE("--help=x"), -1);
	cr_expect_str_eq(err, "option '--help' takes no value");
}
