/*
 * config.c - the settings table, defaults, one setter for every source, and
 * the checks on the merged result (see config.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_redis.h"
#include "util.h"

static const char *const protocol_names[] = { "1", "2c", "3" };
static const char *const seclevel_names[] = { "noAuthNoPriv", "authNoPriv", "authPriv" };
static const char *const authproto_names[] = { "MD5", "SHA", "SHA-224", "SHA-256",
					       "SHA-384", "SHA-512" };
static const char *const privproto_names[] = { "DES", "AES", "AES-192", "AES-256" };
static const char *const state_names[STATE_COUNT] = STATE_NAMES;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The setter half of a table entry: what the value is, the field of struct
 * config it goes to and its bounds (see enum opt_type in config.h).
 */
#define FIELD(f)	.offset = offsetof(struct config, f), .size = sizeof(((struct config *)0)->f)
#define SET_NOTHING	.type = OPT_T_NONE
#define SET_SPECIAL	.type = OPT_T_SPECIAL
#define SET_STRING(f)	.type = OPT_T_STRING, FIELD(f)
#define SET_SECRET(f, least) .type = OPT_T_SECRET, FIELD(f), .lo = (least)
#define SET_UINT(f, l, h) .type = OPT_T_UINT, FIELD(f), .lo = (l), .hi = (h)
#define SET_ENUM(f, n)	.type = OPT_T_ENUM, FIELD(f), .names = (n), .nnames = COUNT(n)
#define SET_KEY(f)	.type = OPT_T_KEY, FIELD(f)
#define SET_DURATION(f)	.type = OPT_T_DURATION, FIELD(f)
#define SET_QUANTITY(f, k, flag) .type = OPT_T_QUANTITY, FIELD(f), .kind = (k), ALSO_SETS(flag)
#define SET_RANGE(f, k)	.type = OPT_T_RANGE, FIELD(f), .kind = (k)
#define SET_FLAG(f)	.type = OPT_T_FLAG, FIELD(f)
#define ALSO_SETS(flag)	.also_sets = 1 + offsetof(struct config, flag)

#define NOARG (OPTF_NO_ARG | OPTF_CLI_ONLY)

const struct option_def config_options[OPT_COUNT] = {
	{ OPT_HOSTNAME, "hostname", "hostname", 'H', 0, "ADDRESS",
	  "Host name or address of the SNMP agent, as Net-SNMP's tools take it: "
	  "[udp:|tcp:|udp6:|tcp6:]HOST[:PORT]; IPv6 as udp6:[::1], [::1]:161 or ::1.", NULL,
	  SET_STRING(hostname) },
	{ OPT_PORT, "port", "port", 'p', 0, "PORT",
	  "Port of the agent (UDP, or TCP with tcp: or tcp6: in --hostname); a port in "
	  "--hostname is used when --port is not given.", "161",
	  SET_UINT(port, 1, 65535) },
	{ OPT_PROTOCOL, "protocol", "protocol", 'P', 0, "1|2c|3",
	  "SNMP version.", "2c",
	  SET_ENUM(protocol, protocol_names) },
	{ OPT_COMMUNITY, "community", "community", 'C', OPTF_SECRET, "STRING",
	  "Community for v1 and v2c (better kept in the INI file).", "public",
	  SET_SECRET(community, 0) },
	{ OPT_SECNAME, "secname", "secname", 'U', 0, "USER",
	  "SNMPv3 user name.", NULL,
	  SET_STRING(secname) },
	{ OPT_SECLEVEL, "seclevel", "seclevel", 'L', 0, "LEVEL",
	  "SNMPv3 level: noAuthNoPriv, authNoPriv or authPriv.",
	  "authPriv when a privacy passphrase or key is set, authNoPriv when an"
	  " authentication one is",
	  SET_ENUM(seclevel, seclevel_names) },
	{ OPT_AUTHPROTO, "authproto", "authproto", 'a', 0, "PROTO",
	  "SNMPv3 authentication: MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512.",
	  "SHA",
	  SET_ENUM(authproto, authproto_names) },
	{ OPT_AUTHPASSWD, "authpasswd", "authpasswd", 'A', OPTF_SECRET, "PASS",
	  "SNMPv3 authentication passphrase (8 characters or more).", NULL,
	  SET_SECRET(authpasswd, 8) },
	{ OPT_AUTHMASTERKEY, "authmasterkey", "authmasterkey", 0, OPTF_SECRET, "HEX",
	  "SNMPv3 authentication master key (Ku) in hex, instead of -A: no"
	  " passphrase hashing at each check (make it with --print-keys; better"
	  " kept in the INI file).", NULL,
	  SET_KEY(authmasterkey) },
	{ OPT_AUTHLOCALKEY, "authlocalkey", "authlocalkey", 0, OPTF_SECRET, "HEX",
	  "SNMPv3 authentication key localized to the agent's engine ID (Kul) in"
	  " hex, instead of -A (better kept in the INI file).", NULL,
	  SET_KEY(authlocalkey) },
	{ OPT_PRIVPROTO, "privproto", "privproto", 'x', 0, "PROTO",
	  "SNMPv3 privacy: DES, AES, AES-192, AES-256.", "AES",
	  SET_ENUM(privproto, privproto_names) },
	{ OPT_PRIVPASSWD, "privpasswd", "privpasswd", 'X', OPTF_SECRET, "PASS",
	  "SNMPv3 privacy passphrase (8 characters or more).", NULL,
	  SET_SECRET(privpasswd, 8) },
	{ OPT_PRIVMASTERKEY, "privmasterkey", "privmasterkey", 0, OPTF_SECRET, "HEX",
	  "SNMPv3 privacy master key (Ku, made with the authentication hash) in"
	  " hex, instead of -X (better kept in the INI file).", NULL,
	  SET_KEY(privmasterkey) },
	{ OPT_PRIVLOCALKEY, "privlocalkey", "privlocalkey", 0, OPTF_SECRET, "HEX",
	  "SNMPv3 privacy key localized to the agent's engine ID in hex, instead"
	  " of -X (better kept in the INI file).", NULL,
	  SET_KEY(privlocalkey) },
	{ OPT_TIMEOUT, "timeout", "timeout", 't', 0, "SECONDS",
	  "Time for the whole check, every SNMP try included.", "10",
	  SET_UINT(timeout_s, 1, 3600) },
	{ OPT_WALK_INTERVAL, "walk-interval", "walk_interval", 0, 0, "DURATION",
	  "Walk the whole process table at least this often, so a new instance"
	  " is found within it; in between, a check GETs the rows the last one"
	  " matched in one request and walks only when they changed. 0: walk"
	  " every time.", "30m",
	  SET_DURATION(walk_interval_s) },
	{ OPT_PROCESS, "process", "process", 'n', 0, "NAME",
	  "Process to watch: the whole hrSWRunName, any case.", "Async.exe",
	  SET_STRING(process) },
	{ OPT_REGEX, "regex", "regex", 'r', OPTF_EMPTY_OK, "ERE",
	  "Match hrSWRunName with a case-insensitive extended regex instead.", NULL,
	  SET_STRING(regex) },
	{ OPT_PATH, "path", "path", 0, OPTF_EMPTY_OK, "ERE",
	  "Also require hrSWRunPath to match this case-insensitive extended"
	  " regex (Windows gives the directory with a trailing backslash).", NULL,
	  SET_STRING(path) },
	{ OPT_WARNING, "warning", "warning", 'w', 0, "RANGE",
	  "Memory range for WARNING, e.g. 200MB, 150% (of the baseline),"
	  " @10MB:20MB.", NULL,
	  SET_RANGE(warning, UNIT_SIZE) },
	{ OPT_CRITICAL, "critical", "critical", 'c', 0, "RANGE",
	  "Memory range for CRITICAL.", NULL,
	  SET_RANGE(critical, UNIT_SIZE) },
	{ OPT_BASELINE, "baseline", "baseline", 0, 0, "SIZE|auto",
	  "Normal memory of the process; 'auto' learns it from the first hours"
	  " after each start.", NULL,
	  SET_SPECIAL },
	{ OPT_LIMIT, "limit", "limit", 0, 0, "SIZE",
	  "Memory the forecast counts down to.",
	  "upper end of an absolute --critical, else hrMemorySize",
	  SET_SPECIAL },
	{ OPT_INSTANCES_WARNING, "instances-warning", "instances_warning", 0, 0,
	  "RANGE", "Range for the number of matched processes, WARNING.", NULL,
	  SET_RANGE(instances_warning, UNIT_COUNT) },
	{ OPT_INSTANCES_CRITICAL, "instances-critical", "instances_critical", 0, 0,
	  "RANGE", "Range for the number of matched processes, CRITICAL.", NULL,
	  SET_RANGE(instances_critical, UNIT_COUNT) },
	{ OPT_MISSING_STATE, "missing-state", "missing_state", 0, 0, "STATE",
	  "State when no process matches: OK, WARNING, CRITICAL or UNKNOWN.",
	  "CRITICAL",
	  SET_ENUM(missing_state, state_names) },
	{ OPT_GROWTH_WARNING, "growth-warning", "growth_warning", 0, 0, "RATE|none",
	  "Leak growth for WARNING, e.g. 1MB/h, 20MB/d, 1%/h (of the baseline);"
	  " 'none' for no level. Setting either level (or 'none') drops the"
	  " built-in ones: 'none' for both switches the leak verdict off.",
	  "0.25%/h of the configured or learned baseline",
	  SET_QUANTITY(growth_warning, UNIT_RATE, growth_warning_set) },
	{ OPT_GROWTH_CRITICAL, "growth-critical", "growth_critical", 0, 0, "RATE|none",
	  "Leak growth for CRITICAL.", "1%/h of the baseline",
	  SET_QUANTITY(growth_critical, UNIT_RATE, growth_critical_set) },
	{ OPT_TIMELEFT_WARNING, "timeleft-warning", "timeleft_warning", 0, 0,
	  "DURATION", "WARNING when a significant rise reaches --limit within this"
	  " time, e.g. 48h, 3d. Setting either horizon drops the other's default.",
	  "48h",
	  SET_DURATION(timeleft_warning_s) },
	{ OPT_TIMELEFT_CRITICAL, "timeleft-critical", "timeleft_critical", 0, 0,
	  "DURATION", "CRITICAL when a significant rise reaches --limit within this"
	  " time.", "12h",
	  SET_DURATION(timeleft_critical_s) },
	{ OPT_MIN_WINDOW, "min-window", "min_window", 0, 0, "DURATION",
	  "History a trend verdict needs after a start. Unset, a steady rise"
	  " significant at p < 0.001 speaks from 9h; set, no verdict before it.",
	  "12h",
	  SET_DURATION(min_window_s) },
	{ OPT_STATE_DIR, "state-dir", "state_dir", 0, 0, "DIR",
	  "Directory of the history files.",
	  "$MP_STATE_PATH/<euid>/check_async_leak, else"
	  " /var/lib/check_async_leak/<euid> when /var/lib/check_async_leak exists"
	  " (owned by root or this user), else /var/tmp/check_async_leak-<euid>",
	  SET_STRING(state_dir) },
	{ OPT_STATE_FILE, "state-file", "state_file", 0, 0, "FILE",
	  "History file to use (instead of one derived from host and process).",
	  NULL,
	  SET_STRING(state_file) },
	{ OPT_HISTORY, "history", "history", 0, 0, "STORE",
	  "Where the history is kept: 'file' (--state-dir, --state-file), or"
	  " Redis, shared by every machine that runs the check:"
	  " redis://[USER@]HOST[:PORT][/DB] or unix:/PATH[?db=N]. A password goes"
	  " in the INI file's URL (redis://USER:PASSWORD@HOST) or in"
	  " $CHECK_ASYNC_LEAK_REDIS_PASSWORD, never on the command line.", "file",
	  SET_STRING(history) },
	{ OPT_ADVICE, "advice", "advice", 0, OPTF_EMPTY_OK, "TEXT",
	  "Sentence added to the long output on WARNING and CRITICAL; 'none'"
	  " for no advice.", "KB Q260554 advice for Async.exe",
	  SET_STRING(advice), ALSO_SETS(advice_set) },
	{ OPT_VERBOSE, "verbose", "verbose", 'v', OPTF_NO_ARG, NULL,
	  "More detail: -v where the history is kept, -vv settings and SNMP"
	  " figures, -vvv an SNMP trace on stderr.", NULL,
	  SET_SPECIAL },
	{ OPT_REPLAY, "replay", NULL, 0, OPTF_CLI_ONLY, "FILE",
	  "Replay a recorded series (UNIX_TIME MEM_KB [INDEXES] a line, or CSV)"
	  " through the trend evaluation instead of querying a host.", NULL,
	  SET_STRING(replay) },
	{ OPT_PRINT_KEYS, "print-keys", NULL, 0, NOARG, NULL,
	  "Print the SNMPv3 master keys and the keys localized to the agent"
	  " made from the passphrases given, as INI lines to put in their place,"
	  " once the agent has accepted them; no check is run.", NULL,
	  SET_FLAG(print_keys) },
	{ OPT_HISTORY_COPY_FROM, "history-copy-from", NULL, 0, OPTF_CLI_ONLY, "STORE",
	  "Copy this check's history from STORE, 'file' or a Redis URL, into"
	  " the store that --history names, which must not hold one yet; no"
	  " check is run.", NULL,
	  SET_STRING(history_copy_from) },
	{ OPT_EXTRA_OPTS, "extra-opts", NULL, 0, OPTF_CLI_ONLY | OPTF_OPT_ARG, "[SECTION][@FILE]",
	  "Settings from one section of a monitoring-plugins INI file, as their"
	  " extra-opts: SECTION defaults to check_async_leak, FILE to"
	  " $MP_CONFIG_FILE, else monitoring-plugins.ini, plugins.ini or"
	  " nagios-plugins.ini in a directory of $NAGIOS_CONFIG_PATH, else the"
	  " first of /usr/local/etc/monitoring-plugins/monitoring-plugins.ini,"
	  " /usr/local/etc/monitoring-plugins.ini,"
	  " /etc/monitoring-plugins/monitoring-plugins.ini,"
	  " /etc/monitoring-plugins.ini and their older names that exists. Only"
	  " that section is read (the others are other plugins'); it wins over"
	  " the -f file, the command line over it. May be given more than"
	  " once.", NULL,
	  SET_NOTHING },
	{ OPT_CONFIG, "config", NULL, 'f', OPTF_CLI_ONLY, "FILE",
	  "INI file.", CONFIG_DEFAULT_FILE " when it exists",
	  SET_STRING(config_file), ALSO_SETS(config_file_set) },
	{ OPT_SECTION, "section", NULL, 's', OPTF_CLI_ONLY, "NAME",
	  "INI section of this host.", "the value of --hostname",
	  SET_STRING(section) },
	{ OPT_HELP, "help", NULL, 'h', NOARG, NULL, "This help.", NULL,
	  SET_FLAG(show_help) },
	{ OPT_VERSION, "version", NULL, 'V', NOARG, NULL, "Version.", NULL,
	  SET_FLAG(show_version) },
};

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->port = CONFIG_DEFAULT_PORT;
	cfg->protocol = SNMPV_2C;
	copy_str(cfg->community, sizeof cfg->community, "public");
	cfg->seclevel = SECLEVEL_NOAUTH;
	cfg->authproto = AUTH_SHA;
	cfg->privproto = PRIV_AES;
	cfg->timeout_s = CONFIG_DEFAULT_TIMEOUT;
	cfg->walk_interval_s = CONFIG_DEFAULT_WALK_INTERVAL;
	copy_str(cfg->process, sizeof cfg->process, CONFIG_DEFAULT_PROCESS);
	cfg->warning.kind = UNIT_SIZE;
	cfg->critical.kind = UNIT_SIZE;
	cfg->instances_warning.kind = UNIT_COUNT;
	cfg->instances_critical.kind = UNIT_COUNT;
	cfg->missing_state = STATE_CRITICAL;
	cfg->timeleft_warning_s = 48 * 3600;	/* as measured by make eval */
	cfg->timeleft_critical_s = 12 * 3600;
	cfg->min_window_s = 12 * 3600;
	copy_str(cfg->history, sizeof cfg->history, "file");
}

const struct option_def *config_option_by_key(const char *key)
{
	for (size_t i = 0; i < OPT_COUNT; i++)
		if (config_options[i].ini_key && strcmp(config_options[i].ini_key, key) == 0)
			return &config_options[i];
	return NULL;
}

/* Levenshtein distance, bounded inputs (keys are short). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la > 63 || lb > 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
						    tolower((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
	}
	return prev[lb];
}

const char *config_suggest_key(const char *key)
{
	const char *best = NULL;
	size_t best_d = 3, klen = strlen(key);

	for (size_t i = 0; i < OPT_COUNT; i++) {
		const char *k = config_options[i].ini_key;
		size_t d;

		if (!k)
			continue;
		d = edit_distance(key, k);
		if (klen >= 3 && strncmp(k, key, klen) == 0)
			d = d < 1 ? d : 1;
		if (d < best_d) {
			best_d = d;
			best = k;
		}
	}
	return best;
}


const char *config_origin_name(enum origin o)
{
	static const char *const names[] = { "built-in", "[defaults]", "host section",
					     "command line" };

	return (unsigned)o < COUNT(names) ? names[o] : "?";
}

const char *config_protocol_name(enum snmp_version v) { return protocol_names[v]; }
const char *config_seclevel_name(enum seclevel l) { return seclevel_names[l]; }
const char *config_authproto_name(enum authproto p) { return authproto_names[p]; }
const char *config_privproto_name(enum privproto p) { return privproto_names[p]; }

/* Finds value among names, ignoring case and, for protocols, '-' ("SHA256"). */
static int lookup(const char *value, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = value, *b = names[i];

		while (*a && *b) {
			if (*b == '-' && *a != '-') {
				b++;
				continue;
			}
			if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
				break;
			a++;
			b++;
		}
		if (!*a && !*b)
			return (int)i;
	}
	return -1;
}

static int set_enum(int *dst, const char *value, const char *const *names, size_t n,
		    const struct option_def *o, char *err, size_t errlen)
{
	char list[128] = "", text[44];
	int i = lookup(value, names, n);

	if (i >= 0) {
		*dst = i;
		return 0;
	}
	for (size_t k = 0; k < n; k++) {
		strncat(list, names[k], sizeof list - strlen(list) - 1);
		if (k + 1 < n)
			strncat(list, k + 2 == n ? " or " : ", ", sizeof list - strlen(list) - 1);
	}
	return errorf(err, errlen, "--%s: '%s' is not one of %s", o->name,
		      quote_text(text, sizeof text, value, strlen(value)), list);
}

static int set_string(char *dst, size_t size, const char *value,
		      const struct option_def *o, char *err, size_t errlen)
{
	if (copy_str(dst, size, value) != 0) {
		dst[0] = '\0';
		return errorf(err, errlen, "--%s: value too long (at most %zu characters)",
			      o->name, size - 1);
	}
	return 0;
}

static int set_uint(unsigned *dst, const char *value, unsigned lo, unsigned hi,
		    const struct option_def *o, char *err, size_t errlen)
{
	char *end, text[44];
	unsigned long v;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (!isdigit((unsigned char)value[0]) || *end || errno || v < lo || v > hi)
		return errorf(err, errlen, "--%s: '%s' is not a whole number from %u to %u",
			      o->name, quote_text(text, sizeof text, value, strlen(value)), lo, hi);
	*dst = (unsigned)v;
	return 0;
}

static int set_quantity(struct quantity *q, bool *set, enum unit_kind kind, const char *value,
			const struct option_def *o, char *err, size_t errlen)
{
	char msg[ERRBUF_SIZE], text[44];

	if (units_parse(kind, value, false, q, msg, sizeof msg) != 0)
		return errorf(err, errlen, "--%s: %s", o->name, msg);
	if (q->value <= 0)
		return errorf(err, errlen, "--%s: '%s' must be greater than zero", o->name,
			      quote_text(text, sizeof text, value, strlen(value)));
	if (set)
		*set = true;
	return 0;
}

static int set_duration(double *dst, const char *value, const struct option_def *o,
			char *err, size_t errlen)
{
	struct quantity q;

	if (set_quantity(&q, NULL, UNIT_DURATION, value, o, err, errlen) != 0)
		return -1;
	*dst = q.value;
	return 0;
}

static int set_range(struct range *r, enum unit_kind kind, const char *value,
		     const struct option_def *o, char *err, size_t errlen)
{
	char msg[ERRBUF_SIZE], shown[64];
	const char *colon;

	if (range_parse(value, kind, r, msg, sizeof msg) == 0)
		return 0;
	/* No range starts with '/': a shell expanded an unquoted ~ (bash
	 * turns -w ~:200MB into -w /root:200MB). */
	if (value[0] == '/') {
		colon = strrchr(value, ':');
		return errorf(err, errlen, "--%s: '%s' is a path, not a range: the shell"
			      " expanded an unquoted ~; quote it: --%s='~%s'", o->name,
			      quote_text(shown, sizeof shown, value, strlen(value)), o->name,
			      colon ? quote_text(msg, sizeof msg, colon, strlen(colon)) : "");
	}
	return errorf(err, errlen, "--%s: %s", o->name, msg);
}

/* An instance threshold counts processes: a fraction ("1.5") is a typo. */
static int set_count_range(struct range *r, const char *value,
			   const struct option_def *o, char *err, size_t errlen)
{
	struct range tmp = *r;
	const struct range_end *ends[2];
	char text[44];
	size_t i;

	if (set_range(&tmp, UNIT_COUNT, value, o, err, errlen) != 0)
		return -1;
	ends[0] = &tmp.start;
	ends[1] = &tmp.end;
	for (i = 0; i < 2; i++)
		if (!ends[i]->infinite && ends[i]->q.value != (double)(long long)ends[i]->q.value)
			return errorf(err, errlen, "--%s: '%s' is not a whole number of"
				      " instances", o->name,
				      quote_text(text, sizeof text, value, strlen(value)));
	*r = tmp;
	return 0;
}

static int set_verbose(struct config *cfg, const char *value, enum origin origin,
		       const struct option_def *o, char *err, size_t errlen)
{
	unsigned v;

	if (origin == ORIGIN_CLI) {
		if (cfg->origin[OPT_VERBOSE] != ORIGIN_CLI)
			cfg->verbose = 0;	/* -v on the command line replaces the file's level */
		if (cfg->verbose < 3)
			cfg->verbose++;
		return 0;
	}
	if (set_uint(&v, value, 0, 3, o, err, errlen) != 0)
		return -1;
	cfg->verbose = (int)v;
	return 0;
}

/* --history, --history-copy-from: "file" or a Redis URL, its password
 * never on the command line (ps shows it to every user) nor in a message. */
static int check_history(const char *value, enum origin origin, const struct option_def *o,
			 char *err, size_t errlen)
{
	struct redis_url u;
	char why[ERRBUF_SIZE];

	if (strcmp(value, "file") != 0) {
		if (!redis_url_is(value))
			return errorf(err, errlen, "--%s: 'file', redis://... or unix:/..., not"
				      " '%.64s'", o->name, value);
		if (redis_url_parse(value, &u, why, sizeof why) != 0)
			return errorf(err, errlen, "--%s: %s", o->name, why);
		redis_url_wipe(&u);
		if (origin == ORIGIN_CLI && redis_url_has_password(value))
			return errorf(err, errlen, "--%s: a password on the command line is"
				      " visible to every local user; put it in the INI file's"
				      " history URL or in $" REDIS_PASSWORD_ENV, o->name);
	}
	return 0;
}

/* Enum fields are read and written as int (the names' index). */
_Static_assert(sizeof(enum snmp_version) == sizeof(int) && sizeof(enum seclevel) == sizeof(int) &&
	       sizeof(enum authproto) == sizeof(int) && sizeof(enum privproto) == sizeof(int) &&
	       sizeof(enum state) == sizeof(int), "enum fields are int-sized");

/*
 * The generic setter: stores value in the field the table names for o, by
 * the field's type.  Every message names the option and, but for secrets,
 * the bad value.
 */
static int set_field(struct config *cfg, const struct option_def *o, const char *value,
		     char *err, size_t errlen)
{
	char *field = (char *)cfg + o->offset, name[40];
	int rc = 0, e;

	switch (o->type) {
	case OPT_T_STRING:
		rc = set_string(field, o->size, value, o, err, errlen);
		/* The flag says "given", whether the value fitted or not. */
		if (o->also_sets)
			*(bool *)((char *)cfg + o->also_sets - 1) = true;
		break;
	case OPT_T_SECRET:
		/* Never echo a secret, not even in an error. */
		if (copy_str(field, o->size, value) != 0)
			rc = errorf(err, errlen, "--%s: value too long", o->name);
		else if (strlen(value) < o->lo)
			rc = errorf(err, errlen, "--%s: SNMPv3 passphrases need at least"
				    " %u characters", o->name, o->lo);
		break;
	case OPT_T_UINT:
		rc = set_uint((unsigned *)(void *)field, value, o->lo, o->hi, o, err, errlen);
		break;
	case OPT_T_ENUM:
		memcpy(&e, field, sizeof e);
		rc = set_enum(&e, value, o->names, o->nnames, o, err, errlen);
		memcpy(field, &e, sizeof e);
		break;
	case OPT_T_KEY:
		snprintf(name, sizeof name, "--%s", o->name);
		rc = config_parse_key(value, (struct config_key *)(void *)field, name, err, errlen);
		break;
	case OPT_T_DURATION:
		rc = set_duration((double *)(void *)field, value, o, err, errlen);
		break;
	case OPT_T_QUANTITY:
		rc = set_quantity((struct quantity *)(void *)field,
				  o->also_sets ? (bool *)((char *)cfg + o->also_sets - 1) : NULL,
				  o->kind, value, o, err, errlen);
		break;
	case OPT_T_RANGE:
		if (o->kind == UNIT_COUNT)
			rc = set_count_range((struct range *)(void *)field, value, o, err, errlen);
		else
			rc = set_range((struct range *)(void *)field, o->kind, value, o, err, errlen);
		break;
	case OPT_T_FLAG:
		*(bool *)field = true;
		break;
	case OPT_T_NONE:
		break;
	case OPT_T_SPECIAL:	/* a table entry without its case in config_set */
		rc = errorf(err, errlen, "--%s: no setter", o->name);
		break;
	}
	return rc;
}

/* --baseline SIZE|auto: a size, never a percentage of itself. */
static int set_baseline(struct config *cfg, const char *value, const struct option_def *o,
			char *err, size_t errlen)
{
	int rc;

	if (ascii_casecmp(value, "auto") == 0) {
		cfg->baseline_auto = true;
		cfg->baseline_set = false;
		return 0;
	}
	rc = set_quantity(&cfg->baseline, &cfg->baseline_set, UNIT_SIZE, value, o, err, errlen);
	if (rc == 0 && cfg->baseline.percent)
		rc = errorf(err, errlen, "--%s: a baseline cannot be a percentage", o->name);
	if (rc == 0)
		cfg->baseline_auto = false;
	return rc;
}

/* --limit SIZE: a size, not a percentage. */
static int set_limit(struct config *cfg, const char *value, const struct option_def *o,
		     char *err, size_t errlen)
{
	int rc = set_quantity(&cfg->limit, &cfg->limit_set, UNIT_SIZE, value, o, err, errlen);

	if (rc == 0 && cfg->limit.percent) {
		cfg->limit_set = false;
		rc = errorf(err, errlen, "--%s: give the limit as a size, not a"
			    " percentage", o->name);
	}
	return rc;
}

/* For -vv: where the setting came from and its text (secrets hidden). */
static void record_given(struct config *cfg, const struct option_def *o, const char *value,
			 enum origin origin)
{
	char *given = cfg->given[o->id];

	cfg->origin[o->id] = (unsigned char)origin;
	if (o->flags & OPTF_SECRET)
		value = "(secret)";
	else if (o->flags & OPTF_NO_ARG)
		value = "";
	if (copy_str(given, sizeof cfg->given[o->id], value) != 0)
		memcpy(given + sizeof cfg->given[o->id] - 4, "...", 4);
}

int config_set(struct config *cfg, enum option_id id, const char *value,
	       enum origin origin, char *err, size_t errlen)
{
	static char shown_url[sizeof ((struct config *)0)->given[0]];
	const struct option_def *o;
	int rc;

	if ((unsigned)id >= OPT_COUNT)
		return errorf(err, errlen, "unknown option id %d", (int)id);
	o = &config_options[id];
	if (!value)
		value = "";
	if (!(o->flags & (OPTF_NO_ARG | OPTF_OPT_ARG | OPTF_EMPTY_OK)) && value[0] == '\0')
		return errorf(err, errlen, "--%s needs a value", o->name);

	/* The few with a rule of their own; the table says how to set the rest. */
	switch (id) {
	case OPT_PROTOCOL:	/* "v2c" as well as "2c" */
		if (ascii_casecmp(value, "v1") == 0 || ascii_casecmp(value, "v2c") == 0 ||
		    ascii_casecmp(value, "v3") == 0)
			value++;
		rc = set_field(cfg, o, value, err, errlen);
		break;
	case OPT_WALK_INTERVAL:	/* 0: walk every time */
		if (strcmp(value, "0") == 0) {
			cfg->walk_interval_s = 0;
			rc = 0;
		} else {
			rc = set_field(cfg, o, value, err, errlen);
		}
		break;
	case OPT_BASELINE:
		rc = set_baseline(cfg, value, o, err, errlen);
		break;
	case OPT_LIMIT:
		rc = set_limit(cfg, value, o, err, errlen);
		break;
	case OPT_GROWTH_WARNING:
	case OPT_GROWTH_CRITICAL:
		/* 'none': no level; the built-in ones apply only when neither is given. */
		if (ascii_casecmp(value, "none") == 0) {
			*(id == OPT_GROWTH_WARNING ? &cfg->growth_warning_set
						   : &cfg->growth_critical_set) = false;
			rc = 0;
		} else {
			rc = set_field(cfg, o, value, err, errlen);
		}
		break;
	case OPT_TIMELEFT_WARNING:
	case OPT_TIMELEFT_CRITICAL: {
		/* An admin who sets one horizon gets exactly the ones set. */
		enum option_id other = id == OPT_TIMELEFT_WARNING ? OPT_TIMELEFT_CRITICAL :
				       OPT_TIMELEFT_WARNING;

		rc = set_field(cfg, o, value, err, errlen);
		if (rc == 0 && cfg->origin[other] == ORIGIN_DEFAULT)
			*(id == OPT_TIMELEFT_WARNING ? &cfg->timeleft_critical_s :
			  &cfg->timeleft_warning_s) = -1;
		break;
	}
	case OPT_VERBOSE:
		rc = set_verbose(cfg, value, origin, o, err, errlen);
		break;
	case OPT_HISTORY:
	case OPT_HISTORY_COPY_FROM:
		rc = check_history(value, origin, o, err, errlen);
		if (rc == 0)
			rc = set_field(cfg, o, value, err, errlen);
		/* -vv shows where, never the password. */
		redis_url_redact(value, shown_url, sizeof shown_url);
		value = shown_url;
		break;
	default:
		rc = set_field(cfg, o, value, err, errlen);
		break;
	}
	if (rc == 0)
		record_given(cfg, o, value, origin);
	return rc;
}

/* The options that give one secret, in enum key_source order (from 1). */
static const enum option_id auth_ids[3] = { OPT_AUTHPASSWD, OPT_AUTHMASTERKEY,
					    OPT_AUTHLOCALKEY };
static const enum option_id priv_ids[3] = { OPT_PRIVPASSWD, OPT_PRIVMASTERKEY,
					    OPT_PRIVLOCALKEY };

/* The one of ids given at the highest precedence (the first of a tie). */
static enum key_source source_of(const struct config *cfg, const enum option_id ids[3])
{
	enum key_source best = KEY_NONE;
	unsigned char best_origin = ORIGIN_DEFAULT;

	for (int i = 0; i < 3; i++)
		if (cfg->origin[ids[i]] > best_origin) {
			best_origin = cfg->origin[ids[i]];
			best = (enum key_source)(KEY_PASSPHRASE + i);
		}
	return best;
}

enum key_source config_auth_source(const struct config *cfg)
{
	return source_of(cfg, auth_ids);
}

enum key_source config_priv_source(const struct config *cfg)
{
	return source_of(cfg, priv_ids);
}

/* Two ways of giving one secret in the same place: say which. */
static int secret_clash(const struct config *cfg, const enum option_id ids[3],
			char *err, size_t errlen)
{
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (cfg->origin[ids[i]] != ORIGIN_DEFAULT &&
			    cfg->origin[ids[i]] == cfg->origin[ids[j]])
				return errorf(err, errlen, "--%s and --%s both given in the %s;"
					      " use one", config_options[ids[i]].name,
					      config_options[ids[j]].name,
					      config_origin_name((enum origin)cfg->origin[ids[i]]));
	return 0;
}

/* A key (NULL: a passphrase, nothing to check) of the wrong length. */
static int key_length_error(const struct config_key *k, enum option_id id, size_t want,
			    const char *proto, const char *what, const char *note,
			    char *err, size_t errlen)
{
	if (!k || k->len == want)
		return 0;
	return errorf(err, errlen, "--%s is %zu bytes long; the %s %s needs %zu bytes"
		      " (%zu hex digits%s)", config_options[id].name, k->len, what, proto,
		      want, 2 * want, note);
}

/* The upper end of an absolute (non-percent, outside-alerting) range, or 0. */
static double absolute_upper(const struct range *r)
{
	if (!r->set || r->inside || r->end.infinite || r->end.q.percent)
		return 0;
	return r->end.q.value;
}

/* A range end for messages: "200.0 MiB" or "150%". */
static char *end_text(const struct quantity *q, char *buf, size_t len)
{
	if (q->percent)
		snprintf(buf, len, "%g%%", q->value);
	else
		units_format_size(q->value, buf, len);
	return buf;
}

/*
 * Memory ranges alert above their END (unless '@'), so a WARNING whose END
 * lies above CRITICAL's can never come first: rising memory turns CRITICAL
 * at the lower END.  The ENDs are compared when both are absolute or both
 * percentages, or a --baseline SIZE turns the percentage into bytes (with
 * 'auto' they cannot be compared before the baseline is learned).  '@'
 * ranges (alert inside) and an open END ("10MB:", "~:") have no such order;
 * nor do lower bounds, which memory does not fall through.
 */
static int check_threshold_order(const struct config *cfg, char *err, size_t errlen)
{
	const struct range *w = &cfg->warning, *c = &cfg->critical;
	char wt[UNITS_FORMAT_SIZE], ct[UNITS_FORMAT_SIZE];
	double wv, cv;

	if (!w->set || !c->set || w->inside || c->inside || w->end.infinite || c->end.infinite)
		return 0;
	wv = w->end.q.value;
	cv = c->end.q.value;
	if (w->end.q.percent != c->end.q.percent) {
		if (!cfg->baseline_set)
			return 0;
		if (w->end.q.percent)
			wv = wv / 100.0 * cfg->baseline.value;
		else
			cv = cv / 100.0 * cfg->baseline.value;
	}
	if (wv > cv)
		return errorf(err, errlen, "--warning (up to %s) is above --critical (up to %s):"
			      " rising memory would turn CRITICAL first; swap them",
			      end_text(&w->end.q, wt, sizeof wt), end_text(&c->end.q, ct, sizeof ct));
	return 0;
}

/*
 * An option of the other protocol family given on the command line would be
 * ignored: a community with -P 3, an SNMPv3 setting with -P 1 or 2c.  Only
 * the command line counts: INI [defaults] may well hold both for different
 * hosts.
 */
static int protocol_clash(const struct config *cfg, char *err, size_t errlen)
{
	static const enum option_id v3_ids[] = {
		OPT_SECNAME, OPT_SECLEVEL, OPT_AUTHPROTO, OPT_AUTHPASSWD, OPT_AUTHMASTERKEY,
		OPT_AUTHLOCALKEY, OPT_PRIVPROTO, OPT_PRIVPASSWD, OPT_PRIVMASTERKEY,
		OPT_PRIVLOCALKEY,
	};
	const struct option_def *o;
	char opt[40];
	size_t i;

	if (cfg->protocol == SNMPV_3) {
		if (cfg->origin[OPT_COMMUNITY] != ORIGIN_CLI)
			return 0;
		o = &config_options[OPT_COMMUNITY];
	} else {
		for (i = 0, o = NULL; i < COUNT(v3_ids) && !o; i++)
			if (cfg->origin[v3_ids[i]] == ORIGIN_CLI)
				o = &config_options[v3_ids[i]];
		if (!o)
			return 0;
	}
	if (o->short_opt)
		snprintf(opt, sizeof opt, "-%c/--%s", o->short_opt, o->name);
	else
		snprintf(opt, sizeof opt, "--%s", o->name);
	if (cfg->protocol == SNMPV_3)
		return errorf(err, errlen, "%s is for SNMPv1/v2c, not for SNMPv3 (-P 3); drop"
			      " one of them", opt);
	return errorf(err, errlen, "%s is for SNMPv3, not for SNMPv%s (-P %s); drop it or"
		      " give -P 3", opt, config_protocol_name(cfg->protocol),
		      config_protocol_name(cfg->protocol));
}

int config_validate(const struct config *cfg, char *err, size_t errlen)
{
	bool pct = range_uses_percent(&cfg->warning) || range_uses_percent(&cfg->critical) ||
		   (cfg->growth_warning_set && cfg->growth_warning.percent) ||
		   (cfg->growth_critical_set && cfg->growth_critical.percent);

	if (cfg->replay[0] == '\0' && cfg->hostname[0] == '\0')
		return errorf(err, errlen, "no host given (-H/--hostname, or hostname in the"
			      " INI section)");
	if (pct && !cfg->baseline_set && !cfg->baseline_auto)
		return errorf(err, errlen, "percent thresholds need --baseline SIZE or"
			      " --baseline auto");
	if (check_threshold_order(cfg, err, errlen) != 0)
		return -1;
	if (cfg->regex[0] && cfg->origin[OPT_PROCESS] != ORIGIN_DEFAULT &&
	    cfg->origin[OPT_PROCESS] == cfg->origin[OPT_REGEX])
		return errorf(err, errlen, "--process and --regex both given in one place;"
			      " use one");
	if (cfg->history_copy_from[0] && (cfg->replay[0] || cfg->print_keys))
		return errorf(err, errlen, "--history-copy-from is a mode of its own: not with"
			      " --replay or --print-keys");
	if (cfg->history_copy_from[0] && strcmp(cfg->history_copy_from, cfg->history) == 0)
		return errorf(err, errlen, "--history-copy-from names the --history store"
			      " itself");
	if (cfg->print_keys && cfg->protocol != SNMPV_3)
		return errorf(err, errlen, "--print-keys is for SNMPv3 (-P 3)");
	if (protocol_clash(cfg, err, errlen) != 0)
		return -1;
	if (cfg->protocol == SNMPV_3) {
		enum key_source auth = config_auth_source(cfg), priv = config_priv_source(cfg);
		enum seclevel lvl = config_seclevel(cfg);

		if (!cfg->secname[0])
			return errorf(err, errlen, "SNMPv3 needs a user name (-U/--secname)");
		if (secret_clash(cfg, auth_ids, err, errlen) != 0 ||
		    secret_clash(cfg, priv_ids, err, errlen) != 0)
			return -1;
		if (lvl >= SECLEVEL_AUTHNOPRIV && auth == KEY_NONE)
			return errorf(err, errlen, "SNMPv3 %s needs an authentication passphrase"
				      " or key (-A/--authpasswd, --authmasterkey or"
				      " --authlocalkey)", seclevel_names[lvl]);
		if (lvl == SECLEVEL_AUTHPRIV && priv == KEY_NONE)
			return errorf(err, errlen, "SNMPv3 authPriv needs a privacy passphrase"
				      " or key (-X/--privpasswd, --privmasterkey or --privlocalkey)");
		if (lvl >= SECLEVEL_AUTHNOPRIV &&
		    (key_length_error(auth == KEY_MASTER ? &cfg->authmasterkey :
				      auth == KEY_LOCALIZED ? &cfg->authlocalkey : NULL,
				      auth == KEY_MASTER ? OPT_AUTHMASTERKEY : OPT_AUTHLOCALKEY,
				      config_auth_key_len(cfg->authproto),
				      authproto_names[cfg->authproto], "authentication protocol",
				      "", err, errlen) != 0))
			return -1;
		if (lvl == SECLEVEL_AUTHPRIV && priv == KEY_MASTER &&
		    key_length_error(&cfg->privmasterkey, OPT_PRIVMASTERKEY,
				     config_auth_key_len(cfg->authproto),
				     authproto_names[cfg->authproto], "authentication protocol",
				     "; privacy master keys are made with its hash", err,
				     errlen) != 0)
			return -1;
		if (lvl == SECLEVEL_AUTHPRIV && priv == KEY_LOCALIZED &&
		    key_length_error(&cfg->privlocalkey, OPT_PRIVLOCALKEY,
				     config_priv_localkey_len(cfg->privproto),
				     privproto_names[cfg->privproto], "privacy protocol", "",
				     err, errlen) != 0)
			return -1;
	}
	if (cfg->timeleft_warning_s > 0 && cfg->timeleft_critical_s > 0 &&
	    cfg->timeleft_critical_s > cfg->timeleft_warning_s)
		return errorf(err, errlen, "--timeleft-critical is longer than"
			      " --timeleft-warning; critical must be the shorter horizon");
	if (cfg->growth_warning_set && cfg->growth_critical_set &&
	    cfg->growth_warning.percent == cfg->growth_critical.percent &&
	    cfg->growth_critical.value < cfg->growth_warning.value)
		return errorf(err, errlen, "--growth-critical is below --growth-warning");
	if ((cfg->timeleft_warning_s > 0 || cfg->timeleft_critical_s > 0) &&
	    !cfg->limit_set && absolute_upper(&cfg->critical) <= 0 && cfg->replay[0])
		return errorf(err, errlen, "--timeleft-* in a replay needs --limit%s",
			      cfg->origin[OPT_TIMELEFT_WARNING] == ORIGIN_DEFAULT &&
			      cfg->origin[OPT_TIMELEFT_CRITICAL] == ORIGIN_DEFAULT
			      ? " (the time-left horizons are on by default)" : "");
	return 0;
}

void config_wipe_secrets(struct config *cfg)
{
	explicit_bzero(cfg->community, sizeof cfg->community);
	explicit_bzero(cfg->authpasswd, sizeof cfg->authpasswd);
	explicit_bzero(cfg->privpasswd, sizeof cfg->privpasswd);
	explicit_bzero(&cfg->authmasterkey, sizeof cfg->authmasterkey);
	explicit_bzero(&cfg->authlocalkey, sizeof cfg->authlocalkey);
	explicit_bzero(&cfg->privmasterkey, sizeof cfg->privmasterkey);
	explicit_bzero(&cfg->privlocalkey, sizeof cfg->privlocalkey);
	explicit_bzero(cfg->history, sizeof cfg->history);	/* a URL's password */
}

enum seclevel config_seclevel(const struct config *cfg)
{
	if (cfg->origin[OPT_SECLEVEL] != ORIGIN_DEFAULT)
		return cfg->seclevel;
	return config_priv_source(cfg) != KEY_NONE ? SECLEVEL_AUTHPRIV :
	       config_auth_source(cfg) != KEY_NONE ? SECLEVEL_AUTHNOPRIV : SECLEVEL_NOAUTH;
}

size_t config_auth_key_len(enum authproto p)
{
	static const size_t len[] = { 16, 20, 28, 32, 48, 64 };

	return (unsigned)p < COUNT(len) ? len[p] : 0;
}

size_t config_priv_localkey_len(enum privproto p)
{
	static const size_t len[] = { 16, 16, 24, 32 };

	return (unsigned)p < COUNT(len) ? len[p] : 0;
}

int config_parse_key(const char *hex, struct config_key *key, const char *name,
		     char *err, size_t errlen)
{
	size_t n, i;

	explicit_bzero(key, sizeof *key);
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	n = strlen(hex);
	for (i = 0; i < n; i++)
		if (hex_digit(hex[i]) < 0)
			return errorf(err, errlen, "%s: not a key in hex (digits 0-9 and a-f"
				      " only, optionally after 0x)", name);
	if (n == 0)
		return errorf(err, errlen, "%s: no hex digits after 0x", name);
	if (n % 2)
		return errorf(err, errlen, "%s: an odd number of hex digits (%zu); a key"
			      " has two a byte", name, n);
	if (n / 2 > CONFIG_KEY_MAX)
		return errorf(err, errlen, "%s: %zu bytes, longer than any SNMPv3 key"
			      " (at most %d)", name, n / 2, CONFIG_KEY_MAX);
	for (i = 0; i < n / 2; i++)
		key->bytes[i] = (unsigned char)(hex_digit(hex[2 * i]) << 4 |
						hex_digit(hex[2 * i + 1]));
	key->len = n / 2;
	return 0;
}

bool config_use_regex(const struct config *cfg)
{
	return cfg->regex[0] != '\0' && cfg->origin[OPT_REGEX] >= cfg->origin[OPT_PROCESS];
}

double config_limit_bytes(const struct config *cfg, long long mem_size_kb)
{
	double crit = absolute_upper(&cfg->critical);

	if (cfg->limit_set)
		return cfg->limit.value;
	if (crit > 0)
		return crit;
	if (mem_size_kb > 0)
		return (double)mem_size_kb * 1024.0;
	return 0;
}
