/*
 * main.c - one check, in the order of DESIGN.md: command line, INI file,
 * validation, SNMP, history, trend, evaluation, output, exit code.
 *
 * The only file with side effects it does not hand off: it reads the clock
 * once, owns the alarm() backstop, and turns every error into one UNKNOWN
 * line and exit 3.  Nothing here may exit with another code or die by a
 * signal: Nagios would read 1 as WARNING and a signal as a crash.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "evaluate.h"
#include "inifile.h"
#include "output.h"
#include "proc.h"
#include "snmp.h"
#include "trend.h"
#include "util.h"

/* Written before alarm() is armed; the handler may only use async-signal-safe calls. */
static char timeout_line[128];

static void on_alarm(int sig)
{
	ssize_t rc;

	(void)sig;
	rc = write(STDOUT_FILENO, timeout_line, strlen(timeout_line));
	(void)rc;
	_exit(STATE_UNKNOWN);
}

static void arm_backstop(unsigned timeout_s)
{
	struct sigaction sa;

	/* The SNMP layer keeps to timeout_s itself; this only catches a hang elsewhere. */
	snprintf(timeout_line, sizeof timeout_line,
		 "ASYNC_LEAK UNKNOWN - check timed out after %u s\n", timeout_s + 1);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(timeout_s + 1);
}

static int fail(const char *message)
{
	output_unknown(stdout, message);
	fflush(stdout);
	return STATE_UNKNOWN;
}

static int usage_error(const char *message)
{
	output_unknown(stdout, message);
	cli_print_usage(stdout);
	fflush(stdout);
	return STATE_UNKNOWN;
}

/*
 * Applies the INI file: -f FILE (must exist), else $CHECK_ASYNC_LEAK_CONFIG
 * or the default path when that file exists.
 */
static int load_ini(struct config *cfg, const struct cli_args *args,
		    struct inifile_notes *notes, char *err, size_t errlen)
{
	const char *path = cfg->config_file_set ? cfg->config_file : getenv("CHECK_ASYNC_LEAK_CONFIG");
	const char *section = cfg->section[0] ? cfg->section : cli_value(args, OPT_HOSTNAME);

	memset(notes, 0, sizeof *notes);
	if (!path || !path[0])
		path = CONFIG_DEFAULT_FILE;
	if (!cfg->config_file_set && !inifile_exists(path))
		return 0;
	return inifile_load(cfg, path, section, cfg->section[0] != '\0', notes, err, errlen);
}

static int check(const struct config *cfg, const struct inifile_notes *notes)
{
	char err[ERRBUF_SIZE];
	struct proc_match match;
	struct hr_snapshot snap;
	struct evaluation ev;
	int rc;

	if (proc_match_init(&match, cfg->process, config_use_regex(cfg) ? cfg->regex : NULL,
			    cfg->path, err, sizeof err) != 0) {
		proc_match_release(&match);
		return fail(err);
	}
	if (snmp_query(cfg, proc_match_cb, &match, match.use_path, &snap, err, sizeof err) != 0) {
		proc_match_release(&match);
		return fail(err);
	}

	evaluate(cfg, &match, &snap, NULL, NULL, &ev);
	if (notes->secret_exposed)
		evaluate_add_note(&ev, "Note: the INI file holds an SNMP secret and can be read"
				  " by other users; chmod 600 it.");
	output_write(stdout, cfg, &snap, NULL, &ev);
	rc = (int)ev.state;

	snmp_snapshot_release(&snap);
	proc_match_release(&match);
	fflush(stdout);
	return rc;
}

int main(int argc, char **argv)
{
	static struct config cfg;	/* large; static keeps it off the stack */
	struct cli_args args;
	struct inifile_notes notes;
	char err[ERRBUF_SIZE];

	config_init(&cfg);
	if (cli_parse(argc, argv, &args, err, sizeof err) != 0)
		return usage_error(err);

	/* What decides which file and section to read comes first. */
	for (size_t i = 0; i < args.n; i++) {
		enum option_id id = args.items[i].id;

		if (id != OPT_HELP && id != OPT_VERSION && id != OPT_CONFIG && id != OPT_SECTION)
			continue;
		if (config_set(&cfg, id, args.items[i].value, ORIGIN_CLI, err, sizeof err) != 0)
			return usage_error(err);
	}
	if (cfg.show_help) {
		cli_print_help(stdout);
		return STATE_UNKNOWN;
	}
	if (cfg.show_version) {
		printf("check_async_leak " VERSION "\n");
		return STATE_UNKNOWN;
	}

	if (load_ini(&cfg, &args, &notes, err, sizeof err) != 0)
		return fail(err);
	for (size_t i = 0; i < args.n; i++) {
		enum option_id id = args.items[i].id;

		if (id == OPT_HELP || id == OPT_VERSION || id == OPT_CONFIG || id == OPT_SECTION)
			continue;
		if (config_set(&cfg, id, args.items[i].value, ORIGIN_CLI, err, sizeof err) != 0)
			return usage_error(err);
	}
	if (config_validate(&cfg, err, sizeof err) != 0)
		return usage_error(err);

	arm_backstop(cfg.timeout_s);
	return check(&cfg, &notes);
}
