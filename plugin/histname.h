/*
 * histname.h - what a check's history is called and where its file lives:
 * the key (the state file's name without ".state"), the path, the agent
 * the name follows, the claim of a history read under a name, and the
 * directory made for it.
 *
 * ONE JOB.  Configuration in, names out.  Pure apart from looking at
 * STATE_SYSTEM_DIR (stat only) and history_prepare_dir(), which makes the
 * directory through safefile.h.  It may not read or write a history, nor
 * know the text format beyond the key a history names (history.h).
 *
 * WHERE.  One file per host + port + process match + INI section:
 *   --state-file FILE                     exactly that file;
 *   --state-dir DIR / INI state_dir       DIR/NAME;
 *   $MP_STATE_PATH set                    $MP_STATE_PATH/<euid>/check_async_leak/NAME
 *                                         (the monitoring-plugins' convention);
 *   STATE_SYSTEM_DIR usable               STATE_SYSTEM_DIR/<euid>/NAME;
 *   otherwise                             STATE_DEFAULT_ROOT/check_async_leak-<euid>/NAME.
 * STATE_SYSTEM_DIR is /var/lib/check_async_leak, the Debian-style state
 * directory an admin (or a package) creates: it is used when it is a
 * directory owned by root or the euid, not writable by every user, and
 * <euid> is there already or can be made in it.  No other user can then
 * pre-empt the checks' directory.  STATE_DEFAULT_ROOT is /var/tmp, the
 * fallback that needs no installation step: it exists on every system,
 * survives reboots (unlike /tmp on tmpfs), and is writable by whatever user
 * Nagios or Icinga runs checks as; the ownership check in
 * history_prepare_dir() keeps other users out, but another local user can
 * make check_async_leak-<euid> first, and is then refused with a message
 * that says how to move the history.  Packagers may build with
 * -DSTATE_SYSTEM_DIR='"..."' or -DSTATE_DEFAULT_ROOT='"..."'.
 * A --state-file must name a file: not a directory ("dir/", "."), and not a
 * name ending in .lock or .tmp (the names of the files kept next to a
 * state file, so that two checks' files never collide).
 * NAME is HOST+PORT+MATCH[+path=PATH_RE].state, named after what
 * identifies the agent and the process, not after how -H or the INI
 * section spell it: HOST is the agent's numeric address and PORT its port
 * as the query used them (history_agent_config()), so -H localhost,
 * -H 127.0.0.1, -H udp:127.0.0.1:161 and an INI section pointing there all
 * share one history; MATCH is the process name in lower case or re=REGEX.
 * Versions up to 0.1 named the file after -H as written and the -s section
 * (HOST+PORT+MATCH[+path=PATH_RE][+sec=SECTION]): history_key() of the
 * configuration as given still yields that legacy name, and main.c moves
 * such a file to the new name on first use.  Every byte outside
 * [A-Za-z0-9._-] (and a leading '.') is written %XX, so a name cannot hold
 * '/' and is never "." or ".."; a name longer than HISTORY_KEY_MAX keeps
 * its first part and ends in ~ and 16 hex digits of a hash of the whole.
 */
#ifndef ASYNC_LEAK_HISTNAME_H
#define ASYNC_LEAK_HISTNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "history.h"
#include "safefile.h"

#ifndef STATE_DEFAULT_ROOT
#define STATE_DEFAULT_ROOT "/var/tmp"
#endif
#ifndef STATE_SYSTEM_DIR
#define STATE_SYSTEM_DIR "/var/lib/check_async_leak"
#endif

#define HISTORY_PATH_MAX (CONFIG_PATH_MAX + 16)

_Static_assert(HISTORY_PATH_MAX == SAFEFILE_PATH_MAX, "a history's path fits the file layer");

/*
 * The configuration the history is named after: a copy of cfg with
 * hostname set to the agent's numeric address (IPv6 without brackets) and
 * port to its port, both taken from peer, the Net-SNMP peer name the query
 * used ("udp:192.0.2.7:161", "udp6:[::1]:161", "tcp:..."; the transport
 * does not count: one agent, one history), and no section.  Returns 0, or
 * -1 when peer is not such a name.
 */
int history_agent_config(const struct config *cfg, const char *peer, struct config *out,
			 char *err, size_t errlen);

/*
 * Writes the check's key - the file name without ".state", as described
 * above - for cfg's hostname, port, process match (config_use_regex),
 * path regex and section (when set: the legacy name) into key[keylen].
 * For the current name pass history_agent_config()'s copy.  Returns 0, or
 * -1 when keylen is too small or there is no hostname.
 */
int history_key(const struct config *cfg, char *key, size_t keylen,
		char *err, size_t errlen);

/*
 * Claims h for the check named key: a history that names another key, and
 * not legacy_key either (NULL: none), is dropped with a note ("belongs to
 * another check"); h->key becomes key.  history_open() with a key does the
 * same without a legacy name.
 */
void history_claim(struct history *h, const char *key, const char *legacy_key);

/*
 * Writes the state file's path for cfg into path[pathlen], following the
 * order above; mp_state_path is getenv("MP_STATE_PATH") (NULL or "" when
 * unset) and euid the effective uid.  Returns 0, or -1 when the path does
 * not fit, a relative $MP_STATE_PATH is given, or --state-file names a
 * directory or a .lock / .tmp name.  Looks at STATE_SYSTEM_DIR (stat only)
 * when neither --state-file, --state-dir nor $MP_STATE_PATH is given.
 */
int history_path(const struct config *cfg, const char *mp_state_path,
		 unsigned euid, char *path, size_t pathlen,
		 char *err, size_t errlen);

/* Whether dir can hold the checks' <euid> directory, as described above. */
bool history_system_dir_usable(const char *dir, unsigned euid);

/*
 * safefile_prepare_dir() for the directory that will hold path, with the
 * way out (STATE_SYSTEM_DIR, --state-dir, MP_STATE_PATH) when it is
 * another user's or writable by every user.
 */
int history_prepare_dir(const char *path, unsigned euid, char *err, size_t errlen);

#endif
