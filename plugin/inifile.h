/*
 * inifile.h - reads the INI file with inih and applies it to a config.
 *
 *   ; a comment                 ';' or '#' at the start of a line
 *   [defaults]                  applies to every host
 *   community = s3cret          keys: the options table's INI keys
 *   warning = 150%   ; of the baseline
 *   [exch01]                    a host section, chosen with -s, else named like -H
 *   baseline = 40MB
 *
 * Order: the whole file is read and checked first; then [defaults] is
 * applied, then the host section, wherever they stand in the file, each
 * key through config_set() with its origin, so the command line (applied
 * after) wins.  Values take the same syntax as on the command line.
 *
 * The rules an admin has to know (README "INI file" says the same):
 * - "key: value" is read like "key = value" (inih accepts both).
 * - Section names and keys are case-insensitive ([EXCH01] is [exch01]:
 *   host names are case-insensitive in DNS); a section may appear once.
 * - A ';' after white space, or right after a section's ']', starts a
 *   comment; "a;b" keeps its ';'.  '#' is a comment only at the start of
 *   a line ("timeout = 10 # s" is a bad value, not a comment).
 * - One pair of double quotes around a value is removed, so  advice = "..."
 *   works and  regex = ""  sets an empty value.  Quotes do not protect a
 *   " ;" (that is still a comment, and the lone '"' left is an error).
 *   A key with nothing after '=' is an error; write "" for empty.
 * - White space at the start of a line is ignored; there are no
 *   continuation lines (inih's Python-style multi-line values are turned
 *   off by reading the lines ourselves).
 * - A line holds at most INIFILE_LINE_MAX bytes, the line ending not
 *   counted: inih reads lines into a 200-byte buffer and would split a
 *   longer one into two, silently cutting the value.
 * - Every section is checked, not only the two applied: a mistake
 *   anywhere fails every check that reads the file, at once, rather than
 *   on the day a host's section is first used.
 *
 * Errors name the file and line, never a secret's value:
 *   "check_async_leak.ini:12: unknown key 'comunity' (did you mean
 *   'community'?)", "...: syntax error: expected 'key = value'",
 *   "...: line longer than 198 bytes", "...: key 'timeout' given twice in
 *   [exch01] (first at line 4)", "...: 'section' is not allowed in the file
 *   (command line only)", "FILE: no section [exch03]", "cannot read FILE:
 *   No such file or directory".
 */
#ifndef ASYNC_LEAK_INIFILE_H
#define ASYNC_LEAK_INIFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/stat.h>

#include "config.h"

/* Longest line, without its "\n" or "\r\n" (inih's buffer: 200 bytes). */
#define INIFILE_LINE_MAX 198
/* Largest file read: a thousand hosts fit many times over. */
#define INIFILE_SIZE_MAX (1024 * 1024)

struct inifile_notes {
	/*
	 * A secret (community, passphrase) is set somewhere in a file that
	 * others can read, or whose group can read it and is not the
	 * plugin's own group (0640 root:nagios is the expected set-up).
	 */
	bool secret_exposed;
	char section_used[128];	/* the host section applied, "" if none */
};

/*
 * Loads path into cfg.  section: the host section to apply (NULL or "" =
 * none; "defaults" = [defaults] alone).  section_required: a missing
 * section is an error (true when the user named it with -s; false when it
 * was derived from -H, where a host without a section of its own just gets
 * [defaults]).  notes may be NULL.
 * Returns 0, or -1 with a "FILE:LINE: what" message; on error cfg is left
 * untouched (nothing is applied before the whole file has been checked).
 */
int inifile_load(struct config *cfg, const char *path, const char *section,
		 bool section_required, struct inifile_notes *notes,
		 char *err, size_t errlen);

/* The section --extra-opts reads by default: the plugin's name. */
#define INIFILE_MP_SECTION "check_async_leak"

/*
 * --extra-opts=[SECTION][@FILE], as the monitoring-plugins' (lib/
 * extra_opts.c, parse_ini.c) but read by this loader with its rules:
 * SECTION (default INIFILE_MP_SECTION) of FILE (default
 * inifile_mp_default()) is applied to cfg, as a host section is, and is
 * required; the file's other sections belong to other plugins and are not
 * checked or applied (only inih's syntax counts there), nor is [defaults].
 * Returns 0, or -1 with a message.
 */
int inifile_extra_opts(struct config *cfg, const char *locator, struct inifile_notes *notes,
		       char *err, size_t errlen);

/*
 * The monitoring-plugins' default INI file, found their way: the file
 * $MP_CONFIG_FILE names; else the first of monitoring-plugins.ini,
 * plugins.ini, nagios-plugins.ini that exists in a directory of
 * $NAGIOS_CONFIG_PATH (':'-separated, in order); else the first existing
 * of /usr/local/etc/monitoring-plugins/monitoring-plugins.ini,
 * /usr/local/etc/monitoring-plugins.ini,
 * /etc/monitoring-plugins/monitoring-plugins.ini,
 * /etc/monitoring-plugins.ini and their older names (/etc/nagios/
 * plugins.ini, ...).  Returns 0 with path set, or -1 when there is none.
 */
int inifile_mp_default(char *path, size_t len);

/*
 * Whether path names something that exists (for the default config path):
 * true also when it cannot be looked at (EACCES), so that inifile_load()
 * reports why instead of the file being skipped silently.
 */
bool inifile_exists(const char *path);

/*
 * Whether a check running as euid may take settings from a file with
 * these attributes.  Root refuses, as ssh and sudo do with their
 * configuration, a file owned by another user, writable by every user, or
 * writable by a group other than root's: its state_file, state_dir and
 * secrets would be another user's to choose (a state file path is a file
 * root writes).  Any other euid takes any file it can read.  Returns 0, or
 * -1 with the reason.  inifile_load() applies it before reading.
 */
int inifile_trust(const struct stat *st, unsigned euid, char *err, size_t errlen);

#endif
