/*
 * optdoc - prints the README's options table from the settings table of
 * plugin/config.c, so that the README cannot drift from the code.
 * `make readme` rewrites the table; tests/integration/t_readme.sh fails
 * when README.md differs from this output.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"

/* Markdown table cells must not contain a bare '|'. */
static void cell(const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else
			putchar(*s);
	}
}

int main(void)
{
	puts("| option | INI key | meaning |");
	puts("| --- | --- | --- |");
	for (size_t i = 0; i < OPT_COUNT; i++) {
		const struct option_def *o = &config_options[i];

		fputs("| ", stdout);
		if (o->short_opt)
			printf("`-%c`, ", o->short_opt);
		printf("`--%s`", o->name);
		if (o->metavar) {
			putchar(' ');
			cell(o->metavar);
		}
		fputs(" | ", stdout);
		if (o->ini_key)
			printf("`%s`", o->ini_key);
		else
			fputs("—", stdout);
		fputs(" | ", stdout);
		cell(o->help);
		if (o->def) {
			fputs(" Default: ", stdout);
			cell(o->def);
			putchar('.');
		}
		puts(" |");
	}
	return 0;
}
