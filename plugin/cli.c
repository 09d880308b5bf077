/*
 * cli.c - getopt_long over the settings table, usage and help (see cli.h).
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

#include "util.h"

#define PROGNAME "check_async_leak"

int cli_parse(int argc, char **argv, struct cli_args *out, char *err, size_t errlen)
{
	struct option longopts[OPT_COUNT + 1];
	char shortopts[3 * OPT_COUNT + 2] = ":";
	int c, idx;

	memset(out, 0, sizeof *out);
	memset(longopts, 0, sizeof longopts);
	for (size_t i = 0; i < OPT_COUNT; i++) {
		const struct option_def *o = &config_options[i];
		int has_arg = (o->flags & OPTF_NO_ARG) ? no_argument :
			      (o->flags & OPTF_OPT_ARG) ? optional_argument : required_argument;

		longopts[i].name = o->name;
		longopts[i].has_arg = has_arg;
		longopts[i].val = 256 + (int)i;
		if (o->short_opt) {
			size_t len = strlen(shortopts);

			shortopts[len++] = (char)o->short_opt;
			if (has_arg == required_argument)
				shortopts[len++] = ':';
			shortopts[len] = '\0';
		}
	}

	opterr = 0;
	optind = 0;	/* glibc: full reinitialisation, so tests may call us twice */
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		const struct option_def *o = NULL;

		if (c == '?') {
			/* A long option without a value given one: "--verbose=3". */
			if (optopt >= 256 && optopt < 256 + (int)OPT_COUNT)
				return errorf(err, errlen, "option '--%s' takes no value%s",
					      config_options[optopt - 256].name,
					      config_options[optopt - 256].id == OPT_VERBOSE ?
					      " (repeat it for more detail: -vvv, or verbose = 3"
					      " in the INI file)" : "");
			if (optopt > 0 && optopt < 256)
				return errorf(err, errlen, "unknown option '-%c'", optopt);
			return errorf(err, errlen, "unknown option '%s'", argv[optind - 1]);
		}
		if (c == ':') {
			if (optopt >= 256)
				return errorf(err, errlen, "option '--%s' needs a value",
					      config_options[optopt - 256].name);
			return errorf(err, errlen, "option '-%c' needs a value", optopt);
		}
		if (c >= 256) {
			o = &config_options[c - 256];
		} else {
			for (size_t i = 0; i < OPT_COUNT; i++)
				if (config_options[i].short_opt == c)
					o = &config_options[i];
		}
		if (!o)
			return errorf(err, errlen, "unknown option '-%c'", c);
		if (out->n >= CLI_MAX_ITEMS)
			return errorf(err, errlen, "too many options (at most %d)", CLI_MAX_ITEMS);
		out->items[out->n].id = o->id;
		out->items[out->n].value = (o->flags & OPTF_NO_ARG) ? NULL : optarg;
		/* "--extra-opts VALUE" as the monitoring-plugins take it: the
		 * next word is its value unless it is an option. */
		if ((o->flags & OPTF_OPT_ARG) && !optarg && optind < argc &&
		    argv[optind][0] != '-')
			out->items[out->n].value = argv[optind++];
		out->n++;
	}
	if (optind < argc)
		return errorf(err, errlen, "unexpected argument '%s'", argv[optind]);
	return 0;
}

const char *cli_value(const struct cli_args *a, enum option_id id)
{
	const char *v = NULL;

	for (size_t i = 0; i < a->n; i++)
		if (a->items[i].id == id)
			v = a->items[i].value;
	return v;
}

void cli_print_usage(FILE *out)
{
	/* No '|' here: this follows an UNKNOWN line, where Nagios would take
	 * it for the start of perfdata. */
	fputs("Usage: " PROGNAME " -H HOST [-C COMMUNITY] [-P 3 -U USER -A PASS [-X PASS]]\n"
	      "       [-n NAME] [-r ERE] [-w RANGE] [-c RANGE] [-f INI [-s SECTION]] ...\n"
	      "Try '" PROGNAME " --help' for every option.\n", out);
}

/* Writes text wrapped at 80 columns, each line indented by indent spaces. */
static void wrap(FILE *out, const char *text, int indent)
{
	const int width = 79;
	const char *p = text;

	while (*p) {
		int room = width - indent, len = 0, last_space = -1;

		while (p[len] && len < room) {
			if (p[len] == ' ')
				last_space = len;
			len++;
		}
		if (p[len] && last_space > 0)
			len = last_space;
		fprintf(out, "%*s%.*s\n", indent, "", len, p);
		p += len;
		while (*p == ' ')
			p++;
	}
}

void cli_print_help(FILE *out)
{
	fputs(PROGNAME " " VERSION " - memory and leak trend of a Windows process over SNMP\n\n", out);
	wrap(out, "Watches the memory of Async.exe, the Microsoft Mail Connector of Exchange"
	     " Server 5.5, which leaks memory on Windows 2000 until the service is restarted"
	     " or Exchange 5.5 SP4 is installed (Microsoft KB Q260554); or of any process"
	     " you name. It reads hrSWRunTable and hrSWRunPerfTable (HOST-RESOURCES-MIB),"
	     " compares the memory with thresholds and a baseline, and keeps a short history"
	     " to tell a leak from normal use: growth rate, restarts, time left until a"
	     " limit.", 0);
	fputs("\n", out);
	cli_print_usage(out);
	fputs("\nOptions:\n", out);
	for (size_t i = 0; i < OPT_COUNT; i++) {
		const struct option_def *o = &config_options[i];
		char head[128], def[256];

		if (o->short_opt)
			snprintf(head, sizeof head, " -%c, --%s%s%s", o->short_opt, o->name,
				 o->metavar ? "=" : "", o->metavar ? o->metavar : "");
		else
			snprintf(head, sizeof head, "     --%s%s%s", o->name,
				 o->metavar ? "=" : "", o->metavar ? o->metavar : "");
		fprintf(out, "%s\n", head);
		wrap(out, o->help, 8);
		if (o->def) {
			snprintf(def, sizeof def, "Default: %s.", o->def);
			wrap(out, def, 8);
		}
	}
	fputs("\nEvery option but --config, --section, --extra-opts, --replay, --print-keys,\n"
	      "--help and --version can also be set in the INI file, under its name with\n"
	      "'_' for '-' (growth_warning = 1MB/h). The command line wins over\n"
	      "--extra-opts, which wins over the host's section, which wins over [defaults].\n",
	      out);
	fputs("\nUnits:\n", out);
	wrap(out, "SIZE: a number with B, KB, MB, GB or TB (powers of 1024, as Windows"
	     " reports); a bare number is bytes. N% is a percentage of the baseline.", 1);
	wrap(out, "RATE: a size per s, min, h, d or w (2MB/h, 20MB/d) or N%/h of the"
	     " baseline; a bare number is bytes per hour.", 1);
	wrap(out, "DURATION: a number with s, m, h, d or w (48h, 3d); a bare number is"
	     " seconds.", 1);
	fputs("\nRanges ([@][START:][END], ends inclusive, START defaults to 0):\n"
	      " 200MB       alert when above 200 MiB (or below 0)\n"
	      " 10MB:       alert when below 10 MiB\n"
	      " ~:150%      alert when above 150% of the baseline\n"
	      " 10MB:20MB   alert when outside 10..20 MiB\n"
	      " @10MB:20MB  alert when inside 10..20 MiB\n", out);
	fputs("\nKeys instead of passphrases:\n", out);
	wrap(out, "SNMPv3 hashes 1 MiB of each passphrase into a key (RFC 3414), at every"
	     " check. Give the keys instead (hex, 0x optional) and no check hashes:"
	     " --authmasterkey and --privmasterkey, the master keys, for every agent"
	     " where the user has those passphrases, or --authlocalkey and"
	     " --privlocalkey, localized to one agent's engine ID. --print-keys, with"
	     " the passphrases, prints both pairs as INI lines. The lengths, in bytes,"
	     " follow the protocols:"
	     " authentication keys and privacy master keys as the authentication hash"
	     " (MD5 16, SHA 20, SHA-224 28, SHA-256 32, SHA-384 48, SHA-512 64),"
	     " localized privacy keys as the cipher (DES 16, AES 16, AES-192 24,"
	     " AES-256 32).", 0);
	fputs("\nExit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad arguments, SNMP\n"
	      "errors, --help and --version).\n", out);
	fputs("\nExamples:\n"
	      " " PROGNAME " -H exch01 -C secret -w 200MB -c 400MB\n"
	      " " PROGNAME " -H exch01 -P 3 -U nagmon -a SHA-256 -A authpass -x AES \\\n"
	      "     -X privpass --baseline 40MB -w 150% -c 200% --growth-warning 1MB/h\n"
	      " " PROGNAME " -H exch01 -P 3 -U nagmon -a SHA-256 -A authpass -x AES \\\n"
	      "     -X privpass --print-keys\n"
	      " " PROGNAME " -f /etc/nagios-plugins/config/check_async_leak.ini -s exch01\n", out);
}
