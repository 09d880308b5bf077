/*
 * config.h - everything one check needs to know, and the one table of
 * settings that the command line, the INI file, --help and the README share.
 *
 * Merge order (later wins): built-in defaults (config_init), the INI file's
 * [defaults] section, its host section, the command line.  Every setting is
 * applied through config_set(), so a value means the same thing wherever it
 * was written and is checked the same way.
 *
 * Each setting has a long option --NAME and an INI key NAME with '-' turned
 * into '_' (--growth-warning <-> growth_warning).  Options marked CLI-only
 * (config, section, extra-opts, help, version) have no INI key.
 */
#ifndef ASYNC_LEAK_CONFIG_H
#define ASYNC_LEAK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "range.h"
#include "states.h"
#include "units.h"

#define CONFIG_PATH_MAX 1024
#define CONFIG_DEFAULT_FILE "/etc/nagios-plugins/config/check_async_leak.ini"
#define CONFIG_DEFAULT_PROCESS "Async.exe"
#define CONFIG_DEFAULT_PORT 161
#define CONFIG_DEFAULT_TIMEOUT 10
#define CONFIG_DEFAULT_WALK_INTERVAL 1800	/* s */
#define CONFIG_KEY_MAX 64		/* bytes of the longest SNMPv3 key (SHA-512) */

enum snmp_version { SNMPV_1, SNMPV_2C, SNMPV_3 };
enum seclevel { SECLEVEL_NOAUTH, SECLEVEL_AUTHNOPRIV, SECLEVEL_AUTHPRIV };
enum authproto { AUTH_MD5, AUTH_SHA, AUTH_SHA224, AUTH_SHA256, AUTH_SHA384, AUTH_SHA512 };
enum privproto { PRIV_DES, PRIV_AES, PRIV_AES192, PRIV_AES256 };

/*
 * An SNMPv3 key given in hex instead of a passphrase (secret): a master key
 * (Ku, RFC 3414 2.6: the passphrase hashed over 1 MiB) or a key localized
 * to the agent's engine ID (Kul).  len is 0 when not given.
 */
struct config_key {
	unsigned char bytes[CONFIG_KEY_MAX];
	size_t len;
};

/* Where an SNMPv3 key comes from (see config_auth_source). */
enum key_source { KEY_NONE, KEY_PASSPHRASE, KEY_MASTER, KEY_LOCALIZED };

/* Where a setting's current value came from (for -vvv and messages). */
enum origin { ORIGIN_DEFAULT, ORIGIN_INI_DEFAULTS, ORIGIN_INI_SECTION, ORIGIN_CLI };

/* Option ids, in the order of the help text. */
enum option_id {
	OPT_HOSTNAME, OPT_PORT, OPT_PROTOCOL, OPT_COMMUNITY,
	OPT_SECNAME, OPT_SECLEVEL, OPT_AUTHPROTO, OPT_AUTHPASSWD,
	OPT_AUTHMASTERKEY, OPT_AUTHLOCALKEY,
	OPT_PRIVPROTO, OPT_PRIVPASSWD, OPT_PRIVMASTERKEY, OPT_PRIVLOCALKEY,
	OPT_TIMEOUT, OPT_WALK_INTERVAL,
	OPT_PROCESS, OPT_REGEX, OPT_PATH,
	OPT_WARNING, OPT_CRITICAL, OPT_BASELINE, OPT_LIMIT,
	OPT_INSTANCES_WARNING, OPT_INSTANCES_CRITICAL, OPT_MISSING_STATE,
	OPT_GROWTH_WARNING, OPT_GROWTH_CRITICAL,
	OPT_TIMELEFT_WARNING, OPT_TIMELEFT_CRITICAL, OPT_MIN_WINDOW,
	OPT_STATE_DIR, OPT_STATE_FILE, OPT_HISTORY,
	OPT_ADVICE, OPT_VERBOSE,
	OPT_REPLAY, OPT_PRINT_KEYS, OPT_HISTORY_COPY_FROM, OPT_EXTRA_OPTS, OPT_CONFIG, OPT_SECTION, OPT_HELP,
	OPT_VERSION,
	OPT_COUNT
};

struct config {
	/* The agent. */
	char hostname[256];
	unsigned port;
	enum snmp_version protocol;
	char community[256];		/* secret */
	char secname[64];
	enum seclevel seclevel;
	enum authproto authproto;
	char authpasswd[256];		/* secret */
	enum privproto privproto;
	char privpasswd[256];		/* secret */
	struct config_key authmasterkey;	/* secret; instead of authpasswd */
	struct config_key authlocalkey;		/* secret; instead of authpasswd */
	struct config_key privmasterkey;	/* secret; instead of privpasswd */
	struct config_key privlocalkey;		/* secret; instead of privpasswd */
	unsigned timeout_s;
	double walk_interval_s;		/* full walk at least this often; 0: always */

	/* The process. */
	char process[65];		/* whole hrSWRunName, case-insensitive */
	char regex[256];		/* ERE on hrSWRunName, case-insensitive; wins over process */
	char path[256];			/* ERE on hrSWRunPath, case-insensitive; "" = any */

	/* Memory thresholds (UNIT_SIZE, may use % of the baseline). */
	struct range warning;
	struct range critical;
	struct quantity baseline;	/* bytes; valid when baseline_set */
	bool baseline_set;
	bool baseline_auto;		/* --baseline auto: learned, kept in the state */
	struct quantity limit;		/* bytes; valid when limit_set */
	bool limit_set;

	/* Instances. */
	struct range instances_warning;	/* UNIT_COUNT */
	struct range instances_critical;
	enum state missing_state;	/* when no process matches; CRITICAL */

	/* Trend (see trend.h). */
	struct quantity growth_warning;	/* bytes/h, or %/h of the baseline */
	bool growth_warning_set;
	struct quantity growth_critical;
	bool growth_critical_set;
	double timeleft_warning_s;	/* < 0: unset */
	double timeleft_critical_s;
	double min_window_s;		/* no trend verdict before this much history */
	char state_dir[CONFIG_PATH_MAX];
	char state_file[CONFIG_PATH_MAX];
	char history[CONFIG_PATH_MAX];	/* "file", or a Redis URL (store_redis.h);
					 * its password a secret */

	/* Output. */
	char advice[512];		/* "" = built-in advice for Async.exe, none otherwise */
	bool advice_set;
	int verbose;			/* 0..3 */

	/* Modes and sources (CLI-only). */
	char replay[CONFIG_PATH_MAX];
	bool print_keys;		/* --print-keys: print the keys, no check */
	char history_copy_from[CONFIG_PATH_MAX];	/* --history-copy-from: "" none */
	char config_file[CONFIG_PATH_MAX];
	char section[128];
	bool config_file_set;		/* -f given: the file must exist */
	bool show_help;
	bool show_version;

	/* Bookkeeping, indexed by option id: where each setting came from and
	 * its text as given (secrets as "(secret)"), for -vv. */
	unsigned char origin[OPT_COUNT];
	char given[OPT_COUNT][48];
};

#define OPTF_SECRET   0x1	/* never printed, not even at -vvv */
#define OPTF_CLI_ONLY 0x2	/* no INI key */
#define OPTF_NO_ARG   0x4	/* a flag: -v, -h, -V */
#define OPTF_OPT_ARG  0x8	/* the value may be left out: --extra-opts */
#define OPTF_EMPTY_OK 0x10	/* "" is a value (regex, path, advice), not a missing one */

/*
 * How config_set stores an option's value (model: git's parse-options,
 * OPT_STRING(&var)): the kind of value, and in option_def the field of
 * struct config it goes to and its bounds.  OPT_T_SPECIAL options are set
 * by a case of their own in config_set; so are the few typed ones with a
 * rule on top (a protocol "v2c", a walk interval "0", a time-left horizon
 * that drops the other's default).
 */
enum opt_type {
	OPT_T_NONE,		/* nothing to store here (--extra-opts: main.c reads it) */
	OPT_T_STRING,		/* char[size]; too long is an error */
	OPT_T_SECRET,		/* char[size], never echoed; at least lo characters */
	OPT_T_UINT,		/* unsigned, a whole number from lo to hi */
	OPT_T_ENUM,		/* an enum, one of names[0..nnames) (any case) */
	OPT_T_KEY,		/* struct config_key, in hex */
	OPT_T_DURATION,		/* double seconds, > 0 */
	OPT_T_QUANTITY,		/* struct quantity of kind, > 0 */
	OPT_T_RANGE,		/* struct range of kind; UNIT_COUNT: whole numbers */
	OPT_T_FLAG,		/* bool, set true */
	OPT_T_SPECIAL,		/* its own case in config_set */
};

struct option_def {
	enum option_id id;
	const char *name;	/* long option */
	const char *ini_key;	/* NULL for CLI-only */
	int short_opt;		/* 0: long only */
	unsigned flags;
	const char *metavar;	/* "RANGE", "SIZE", ... */
	const char *help;	/* one or more sentences, wrapped by the caller */
	const char *def;	/* the default as shown in --help, or NULL */

	/* Where config_set puts the value (see enum opt_type). */
	enum opt_type type;
	size_t offset;		/* of the field in struct config */
	size_t size;		/* of the field */
	unsigned lo, hi;	/* OPT_T_UINT bounds; OPT_T_SECRET's least length */
	const char *const *names;	/* OPT_T_ENUM */
	size_t nnames;
	enum unit_kind kind;	/* OPT_T_QUANTITY, OPT_T_RANGE */
	size_t also_sets;	/* 1 + offset of a bool set with the value; 0: none */
};

/* The table, indexed by option_id. */
extern const struct option_def config_options[OPT_COUNT];

/* Looks an option up by INI key (exact, lower case). NULL if none. */
const struct option_def *config_option_by_key(const char *key);

/*
 * The closest INI key to an unknown one (edit distance <= 2, or a prefix),
 * for "did you mean" messages; NULL when nothing is close.
 */
const char *config_suggest_key(const char *key);

/* Built-in defaults. */
void config_init(struct config *cfg);

/*
 * Parses value for option id and stores it in cfg, recording origin.
 * For flags value is ignored (--verbose adds one level per call; in the INI
 * file "verbose = N" sets the level).  Returns 0, or -1 with a message that
 * names the option and the bad value, never a secret's value.
 */
int config_set(struct config *cfg, enum option_id id, const char *value,
	       enum origin origin, char *err, size_t errlen);

/*
 * Checks the merged settings for combinations that cannot work (no host,
 * v3 without secname, authPriv without passwords, a percent threshold
 * without a baseline, ...).  Returns 0, or -1 with a message.
 *
 * SNMPv3 keys: a passphrase, a master key and a localized key for the same
 * purpose (authentication, privacy) given in one place (the command line,
 * one INI section) is an error; given in several, the later place wins as
 * for any setting.  A key of the wrong length for the protocol is an error
 * naming the length wanted: authentication keys and privacy master keys
 * have the length of the authentication hash (config_auth_key_len),
 * localized privacy keys the cipher's (config_priv_localkey_len).
 */
int config_validate(const struct config *cfg, char *err, size_t errlen);

/* Wipes the secrets (community, passphrases, keys) with explicit_bzero. */
void config_wipe_secrets(struct config *cfg);

/*
 * The SNMPv3 security level to use: --seclevel when given, otherwise what
 * the secrets imply (authPriv with a privacy passphrase or key, authNoPriv
 * with an authentication one, else noAuthNoPriv).
 */
enum seclevel config_seclevel(const struct config *cfg);

/*
 * Which of --authpasswd, --authmasterkey and --authlocalkey is in effect
 * (the one given at the highest precedence), or KEY_NONE; likewise for
 * privacy.  After config_validate there is at most one per place.
 */
enum key_source config_auth_source(const struct config *cfg);
enum key_source config_priv_source(const struct config *cfg);

/*
 * Key lengths in bytes: an authentication key (master or localized) and a
 * privacy master key, per authentication protocol (MD5 16, SHA 20,
 * SHA-224 28, SHA-256 32, SHA-384 48, SHA-512 64); a localized privacy key
 * per cipher (DES 16: key and pre-IV, AES 16, AES-192 24, AES-256 32).
 */
size_t config_auth_key_len(enum authproto p);
size_t config_priv_localkey_len(enum privproto p);

/*
 * Parses a key written in hex ("0x" or "0X" first is allowed, upper or
 * lower case digits) into key.  name is the option for messages ("--authmasterkey").
 * Returns 0, or -1 with a message that never shows the value: not hex, an
 * odd number of digits, longer than CONFIG_KEY_MAX bytes.  key is cleared
 * on failure.
 */
int config_parse_key(const char *hex, struct config_key *key, const char *name,
		     char *err, size_t errlen);

/*
 * Whether the process is matched by --regex: set, and given at the same or
 * a higher precedence than --process (the command line's -n beats a regex
 * from the INI file, and the other way round).
 */
bool config_use_regex(const struct config *cfg);

/*
 * The memory the forecast counts down to, in bytes: --limit, else the upper
 * end of an absolute --critical range, else hrMemorySize (mem_size_kb, -1
 * when unknown); 0 when none is known.
 */
double config_limit_bytes(const struct config *cfg, long long mem_size_kb);

/* "built-in", "[defaults]", "host section", "command line". */
const char *config_origin_name(enum origin o);

/* Names for enum values, as written on the command line ("2c", "SHA-256"). */
const char *config_protocol_name(enum snmp_version v);
const char *config_seclevel_name(enum seclevel l);
const char *config_authproto_name(enum authproto p);
const char *config_privproto_name(enum privproto p);

#endif
