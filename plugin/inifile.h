/*
 * inifile.h - reads the INI file with inih and applies it to a config.
 *
 *   [defaults]          applies to every host
 *   key = value         keys are the long option names with '_' for '-'
 *   [exch01]            a host section, chosen with -s, else named like -H
 *
 * The [defaults] section is applied first, then the host section, each key
 * through config_set() with its origin, so the command line (applied after)
 * wins.  Values take the same syntax as on the command line.  A ';' starts
 * a comment anywhere on a line; '#' only at its start.
 *
 * Nothing is guessed silently: an unknown key (with "did you mean"), a bad
 * value, a syntax error, a line over inih's 200-byte limit, a key given
 * twice in one section, or a missing section is an error that names the
 * file and line: "check_async_leak.ini:12: unknown key 'comunity' (did you
 * mean 'community'?)".  Messages never quote a secret's value.
 */
#ifndef ASYNC_LEAK_INIFILE_H
#define ASYNC_LEAK_INIFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct inifile_notes {
	bool secret_exposed;	/* a secret is set in a file that group or others can read */
	char section_used[128];	/* the host section applied, "" if none */
};

/*
 * Loads path into cfg.  section: the host section to apply (NULL or "" =
 * none).  section_required: a missing section is an error (true when the
 * user named it with -s; false when it was derived from -H, where a host
 * without a section of its own just gets [defaults]).
 * Returns 0, or -1 with a "FILE:LINE: what" message.
 */
int inifile_load(struct config *cfg, const char *path, const char *section,
		 bool section_required, struct inifile_notes *notes,
		 char *err, size_t errlen);

/* Whether path names a file that exists (for the default config path). */
bool inifile_exists(const char *path);

#endif
