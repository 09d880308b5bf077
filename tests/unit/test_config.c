/*
 * Unit tests: the settings table, config_set and config_validate.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "evaluate.h"

static struct config cfg;
static char err[512];

static void setup(void)
{
	config_init(&cfg);
	err[0] = '\0';
}

TestSuite(config, .init = setup);

Test(config, defaults_match_the_documented_ones)
{
	cr_expect_eq(cfg.port, 161);
	cr_expect_eq(cfg.protocol, SNMPV_2C);
	cr_expect_str_eq(cfg.process, "Async.exe");
	cr_expect_eq(cfg.timeout_s, 10);
	cr_expect_eq(cfg.missing_state, STATE_CRITICAL);
	cr_expect_float_eq(cfg.min_window_s, 12 * 3600.0, 1e-9);
	cr_expect_not(cfg.warning.set);
}

Test(config, table_is_indexed_by_id_and_keys_follow_long_names)
{
	for (int i = 0; i < OPT_COUNT; i++) {
		const struct option_def *o = &config_options[i];

		cr_assert_eq((int)o->id, i, "entry %d has id %d", i, (int)o->id);
		if (o->ini_key) {
			char want[64];
			size_t k;

			for (k = 0; o->name[k] && k < sizeof want - 1; k++)
				want[k] = o->name[k] == '-' ? '_' : o->name[k];
			want[k] = '\0';
			cr_expect_str_eq(o->ini_key, want);
			cr_expect_eq(config_option_by_key(o->ini_key), o);
		} else {
			cr_expect(o->flags & OPTF_CLI_ONLY, "%s has no key but is not CLI-only", o->name);
		}
	}
}

/* The setter half of the table: every field lies inside struct config, and
 * every entry config_set has no case for says how to set it. */
Test(config, table_says_where_each_value_goes)
{
	for (int i = 0; i < OPT_COUNT; i++) {
		const struct option_def *o = &config_options[i];

		if (o->type == OPT_T_NONE || o->type == OPT_T_SPECIAL) {
			cr_expect(o->id == OPT_EXTRA_OPTS || o->id == OPT_BASELINE ||
				  o->id == OPT_LIMIT || o->id == OPT_VERBOSE,
				  "--%s has no field", o->name);
			continue;
		}
		cr_expect(o->size > 0 && o->offset + o->size <= sizeof(struct config),
			  "--%s: field outside struct config", o->name);
		cr_expect(o->also_sets <= sizeof(struct config), "--%s: flag outside", o->name);
		if (o->type == OPT_T_ENUM)
			cr_expect(o->names && o->nnames > 0, "--%s: no names", o->name);
		if (o->type == OPT_T_UINT)
			cr_expect(o->lo <= o->hi, "--%s: empty bounds", o->name);
	}
	cr_expect_eq(sizeof cfg.origin, (size_t)OPT_COUNT);
	cr_expect_eq(sizeof cfg.given / sizeof cfg.given[0], (size_t)OPT_COUNT);
}

Test(config, the_generic_setter_fills_the_named_field)
{
	cr_assert_eq(config_set(&cfg, OPT_STATE_DIR, "/srv/state", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_str_eq(cfg.state_dir, "/srv/state");
	cr_assert_eq(config_set(&cfg, OPT_TIMEOUT, "30", ORIGIN_INI_SECTION, err, sizeof err), 0);
	cr_expect_eq(cfg.timeout_s, 30);
	cr_expect_eq(cfg.origin[OPT_TIMEOUT], ORIGIN_INI_SECTION);
	cr_assert_eq(config_set(&cfg, OPT_PRIVPROTO, "aes256", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(cfg.privproto, PRIV_AES256);
	cr_assert_eq(config_set(&cfg, OPT_GROWTH_CRITICAL, "4MB/h", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect(cfg.growth_critical_set);
	cr_assert_eq(config_set(&cfg, OPT_ADVICE, "", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect(cfg.advice_set);
	cr_assert_eq(config_set(&cfg, OPT_PRINT_KEYS, NULL, ORIGIN_CLI, err, sizeof err), 0);
	cr_expect(cfg.print_keys);
	cr_expect_neq(config_set(&cfg, OPT_TIMEOUT, "0", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_str_eq(err, "--timeout: '0' is not a whole number from 1 to 3600");
	cr_expect_eq(cfg.timeout_s, 30, "a bad value leaves the field as it was");
}

Test(config, every_option_but_the_cli_only_ones_has_an_ini_key)
{
	int cli_only = 0;

	for (int i = 0; i < OPT_COUNT; i++)
		if (!config_options[i].ini_key)
			cli_only++;
	cr_expect_eq(cli_only, 8, "config, section, extra-opts, replay, print-keys,"
		     " history-copy-from, help, version");
}

Test(config, suggests_close_keys)
{
	cr_expect_str_eq(config_suggest_key("comunity"), "community");
	cr_expect_str_eq(config_suggest_key("growth_warn"), "growth_warning");
	cr_expect_str_eq(config_suggest_key("timout"), "timeout");
	cr_expect_null(config_suggest_key("frobnicate"));
}

Test(config, protocol_accepts_the_usual_spellings)
{
	cr_assert_eq(config_set(&cfg, OPT_PROTOCOL, "1", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(cfg.protocol, SNMPV_1);
	cr_assert_eq(config_set(&cfg, OPT_PROTOCOL, "v3", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(cfg.protocol, SNMPV_3);
	cr_assert_eq(config_set(&cfg, OPT_PROTOCOL, "2C", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(cfg.protocol, SNMPV_2C);
	cr_expect_eq(config_set(&cfg, OPT_PROTOCOL, "4", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect(strstr(err, "'4' is not one of 1, 2c or 3") != NULL, "%s", err);
}

Test(config, auth_and_priv_protocols_ignore_case_and_dashes)
{
	cr_assert_eq(config_set(&cfg, OPT_AUTHPROTO, "sha256", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(cfg.authproto, AUTH_SHA256);
	cr_assert_eq(config_set(&cfg, OPT_AUTHPROTO, "SHA-512", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(cfg.authproto, AUTH_SHA512);
	cr_assert_eq(config_set(&cfg, OPT_PRIVPROTO, "aes-256", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(cfg.privproto, PRIV_AES256);
	cr_expect_eq(config_set(&cfg, OPT_PRIVPROTO, "3DES", ORIGIN_CLI, err, sizeof err), -1);
}

Test(config, port_and_timeout_are_bounded)
{
	cr_expect_eq(config_set(&cfg, OPT_PORT, "0", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_eq(config_set(&cfg, OPT_PORT, "65536", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_eq(config_set(&cfg, OPT_PORT, "16x", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_eq(config_set(&cfg, OPT_PORT, "-1", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_eq(config_set(&cfg, OPT_PORT, "1161", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(cfg.port, 1161);
	cr_expect_eq(config_set(&cfg, OPT_TIMEOUT, "0", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_eq(config_set(&cfg, OPT_TIMEOUT, "30", ORIGIN_CLI, err, sizeof err), 0);
}

Test(config, secrets_never_appear_in_errors)
{
	char longsecret[400];

	memset(longsecret, 'S', sizeof longsecret - 1);
	longsecret[sizeof longsecret - 1] = '\0';
	cr_expect_eq(config_set(&cfg, OPT_COMMUNITY, longsecret, ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_null(strstr(err, "SSSS"), "%s", err);
	cr_expect_eq(config_set(&cfg, OPT_AUTHPASSWD, "short1", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_null(strstr(err, "short1"), "%s", err);
	cr_expect(strstr(err, "8 characters") != NULL, "%s", err);
	cr_expect_eq(config_set(&cfg, OPT_PRIVPASSWD, longsecret, ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_null(strstr(err, "SSSS"), "%s", err);
}

Test(config, overlong_strings_are_errors_not_truncations)
{
	char name[100];

	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	cr_expect_eq(config_set(&cfg, OPT_PROCESS, name, ORIGIN_CLI, err, sizeof err), -1);
	cr_expect(strstr(err, "too long") != NULL, "%s", err);
}

Test(config, thresholds_take_sizes_and_percents)
{
	cr_assert_eq(config_set(&cfg, OPT_WARNING, "200MB", ORIGIN_CLI, err, sizeof err), 0, "%s", err);
	cr_expect(cfg.warning.set);
	cr_expect_float_eq(cfg.warning.end.q.value, 200.0 * 1048576, 1e-3);
	cr_assert_eq(config_set(&cfg, OPT_CRITICAL, "~:150%", ORIGIN_CLI, err, sizeof err), 0, "%s", err);
	cr_expect(cfg.critical.end.q.percent);
	cr_expect_eq(config_set(&cfg, OPT_WARNING, "20MB:10MB", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect(strncmp(err, "--warning: ", 11) == 0, "%s", err);
}

Test(config, baseline_is_a_size_or_auto)
{
	cr_assert_eq(config_set(&cfg, OPT_BASELINE, "40MB", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect(cfg.baseline_set);
	cr_expect_float_eq(cfg.baseline.value, 40.0 * 1048576, 1e-3);
	cr_assert_eq(config_set(&cfg, OPT_BASELINE, "AUTO", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect(cfg.baseline_auto);
	cr_expect_not(cfg.baseline_set);
	cr_expect_eq(config_set(&cfg, OPT_BASELINE, "50%", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_eq(config_set(&cfg, OPT_BASELINE, "0", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_eq(config_set(&cfg, OPT_LIMIT, "200%", ORIGIN_CLI, err, sizeof err), -1);
}

Test(config, trend_settings_take_rates_and_durations)
{
	cr_assert_eq(config_set(&cfg, OPT_GROWTH_WARNING, "1MB/h", ORIGIN_CLI, err, sizeof err), 0, "%s", err);
	cr_expect_float_eq(cfg.growth_warning.value, 1048576.0, 1e-3);
	cr_assert_eq(config_set(&cfg, OPT_GROWTH_CRITICAL, "48MB/d", ORIGIN_CLI, err, sizeof err), 0, "%s", err);
	cr_expect_float_eq(cfg.growth_critical.value, 2.0 * 1048576, 1e-3);
	cr_assert_eq(config_set(&cfg, OPT_TIMELEFT_WARNING, "3d", ORIGIN_CLI, err, sizeof err), 0, "%s", err);
	cr_expect_float_eq(cfg.timeleft_warning_s, 3 * 86400.0, 1e-9);
	cr_expect_eq(config_set(&cfg, OPT_TIMELEFT_CRITICAL, "soon", ORIGIN_CLI, err, sizeof err), -1);
}

Test(config, missing_state_names_a_state)
{
	cr_assert_eq(config_set(&cfg, OPT_MISSING_STATE, "unknown", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(cfg.missing_state, STATE_UNKNOWN);
	cr_expect_eq(config_set(&cfg, OPT_MISSING_STATE, "PANIC", ORIGIN_CLI, err, sizeof err), -1);
}

Test(config, verbose_counts_on_the_command_line_and_is_a_level_in_the_file)
{
	cr_assert_eq(config_set(&cfg, OPT_VERBOSE, "2", ORIGIN_INI_DEFAULTS, err, sizeof err), 0);
	cr_expect_eq(cfg.verbose, 2);
	config_set(&cfg, OPT_VERBOSE, NULL, ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(cfg.verbose, 1, "-v on the command line replaces the file's level");
	for (int i = 0; i < 5; i++)
		config_set(&cfg, OPT_VERBOSE, NULL, ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(cfg.verbose, 3);
	cr_expect_eq(config_set(&cfg, OPT_VERBOSE, "4", ORIGIN_INI_SECTION, err, sizeof err), -1);
}

Test(config, empty_values_are_errors_except_where_empty_means_none)
{
	cr_expect_eq(config_set(&cfg, OPT_HOSTNAME, "", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect(strstr(err, "needs a value") != NULL, "%s", err);
	cr_expect_eq(config_set(&cfg, OPT_ADVICE, "", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(config_set(&cfg, OPT_REGEX, "", ORIGIN_CLI, err, sizeof err), 0);
}

Test(config, validate_needs_a_host)
{
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect(strstr(err, "no host") != NULL, "%s", err);
}

Test(config, validate_checks_snmpv3_settings)
{
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_PROTOCOL, "3", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect(strstr(err, "user name") != NULL, "%s", err);
	config_set(&cfg, OPT_SECNAME, "nagmon", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "noAuthNoPriv by default");
	config_set(&cfg, OPT_SECLEVEL, "authPriv", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	config_set(&cfg, OPT_AUTHPASSWD, "authpass123", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect(strstr(err, "privacy") != NULL, "%s", err);
	config_set(&cfg, OPT_PRIVPASSWD, "privpass123", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "%s", err);
}

Test(config, validate_wants_a_baseline_for_percent_thresholds)
{
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_WARNING, "150%", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect(strstr(err, "baseline") != NULL, "%s", err);
	config_set(&cfg, OPT_BASELINE, "auto", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "%s", err);
}

/* Sets -w and -c (and --baseline when given), returns config_validate(). */
static int order(const char *w, const char *c, const char *baseline)
{
	config_init(&cfg);
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	cr_assert_eq(config_set(&cfg, OPT_WARNING, w, ORIGIN_CLI, err, sizeof err), 0, "%s", err);
	cr_assert_eq(config_set(&cfg, OPT_CRITICAL, c, ORIGIN_CLI, err, sizeof err), 0, "%s", err);
	if (baseline)
		config_set(&cfg, OPT_BASELINE, baseline, ORIGIN_CLI, err, sizeof err);
	err[0] = '\0';
	return config_validate(&cfg, err, sizeof err);
}

Test(config, validate_refuses_a_warning_above_critical)
{
	cr_expect_eq(order("200MB", "100MB", NULL), -1);
	cr_expect(strstr(err, "--warning (up to 200.0 MiB) is above --critical (up to 100.0 MiB)") != NULL,
		  "%s", err);
	cr_expect_eq(order("~:200MB", "~:100MB", NULL), -1, "~: ranges alert above their end");
	cr_expect_eq(order("10MB:200MB", "50MB:100MB", NULL), -1, "the upper ends count");
	cr_expect_eq(order("150%", "120%", "auto"), -1, "two percentages compare as they are");
	cr_expect(strstr(err, "150%") != NULL && strstr(err, "120%") != NULL, "%s", err);
	cr_expect_eq(order("150%", "100MB", "100MB"), -1, "150% of a 100MB baseline is above 100MB");
	cr_expect_eq(order("150%", "200MB", "100MB"), 0, "%s", err);
	cr_expect_eq(order("150%", "100MB", "auto"), 0, "no order before the baseline is learned");
	cr_expect_eq(order("100MB", "200MB", NULL), 0, "%s", err);
	cr_expect_eq(order("200MB", "200MB", NULL), 0, "equal: critical wins, no error");
	cr_expect_eq(order("@100MB:200MB", "100MB", NULL), 0, "'@' alerts inside: no order");
	cr_expect_eq(order("200MB:", "100MB", NULL), 0, "an open end has no upper bound");
	cr_expect_eq(order("200MB", "~:", NULL), 0, "%s", err);
}

Test(config, validate_orders_the_trend_thresholds)
{
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_TIMELEFT_WARNING, "1d", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_TIMELEFT_CRITICAL, "2d", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	config_set(&cfg, OPT_TIMELEFT_CRITICAL, "6h", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_GROWTH_WARNING, "2MB/h", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_GROWTH_CRITICAL, "1MB/h", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
}

Test(config, regex_and_process_follow_precedence)
{
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_REGEX, "^async", ORIGIN_INI_DEFAULTS, err, sizeof err);
	cr_expect(config_use_regex(&cfg));
	config_set(&cfg, OPT_PROCESS, "Other.exe", ORIGIN_CLI, err, sizeof err);
	cr_expect_not(config_use_regex(&cfg), "the command line's -n beats the file's regex");
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0);
	config_set(&cfg, OPT_REGEX, "^x", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1, "both on the command line");
}

Test(config, limit_falls_back_to_critical_then_physical_memory)
{
	cr_expect_float_eq(config_limit_bytes(&cfg, -1), 0, 1e-9);
	cr_expect_float_eq(config_limit_bytes(&cfg, 524288), 524288.0 * 1024, 1e-3);
	config_set(&cfg, OPT_CRITICAL, "400MB", ORIGIN_CLI, err, sizeof err);
	cr_expect_float_eq(config_limit_bytes(&cfg, 524288), 400.0 * 1048576, 1e-3);
	config_set(&cfg, OPT_CRITICAL, "@400MB:500MB", ORIGIN_CLI, err, sizeof err);
	cr_expect_float_eq(config_limit_bytes(&cfg, 524288), 524288.0 * 1024, 1e-3,
			   "an inside range has no upper limit to count down to");
	config_set(&cfg, OPT_LIMIT, "256MB", ORIGIN_CLI, err, sizeof err);
	cr_expect_float_eq(config_limit_bytes(&cfg, 524288), 256.0 * 1048576, 1e-3);
}

Test(config, timeleft_horizons_default_to_48h_and_12h_and_go_together)
{
	cr_expect_float_eq(cfg.timeleft_warning_s, 48 * 3600.0, 1e-9);
	cr_expect_float_eq(cfg.timeleft_critical_s, 12 * 3600.0, 1e-9);
	cr_assert_eq(config_set(&cfg, OPT_TIMELEFT_WARNING, "6h", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_float_eq(cfg.timeleft_warning_s, 6 * 3600.0, 1e-9);
	cr_expect_lt(cfg.timeleft_critical_s, 0, "the default critical goes with it");
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "%s", err);
	config_init(&cfg);
	cr_assert_eq(config_set(&cfg, OPT_TIMELEFT_CRITICAL, "3d", ORIGIN_INI_DEFAULTS, err,
				sizeof err), 0);
	cr_expect_lt(cfg.timeleft_warning_s, 0);
}

/* --- SNMPv3 keys in hex ------------------------------------------------- */

static const char *hexkey(size_t bytes)
{
	static char buf[2 * CONFIG_KEY_MAX + 8];

	memset(buf, 0, sizeof buf);
	memcpy(buf, "0x", 2);
	for (size_t i = 0; i < 2 * bytes && i + 2 < sizeof buf - 1; i++)
		buf[2 + i] = "0123456789abcdef"[(i * 7 + 3) % 16];
	return buf;
}

Test(config, keys_parse_hex_with_or_without_0x)
{
	struct config_key k;

	cr_assert_eq(config_parse_key("0x00ff10Ab", &k, "--authmasterkey", err, sizeof err), 0,
		     "%s", err);
	cr_expect_eq(k.len, 4);
	cr_expect(k.bytes[0] == 0x00 && k.bytes[1] == 0xff && k.bytes[2] == 0x10 &&
		  k.bytes[3] == 0xab);
	cr_assert_eq(config_parse_key("0XDEAD", &k, "--authmasterkey", err, sizeof err), 0);
	cr_expect_eq(k.len, 2);
	cr_assert_eq(config_parse_key("beef", &k, "--authmasterkey", err, sizeof err), 0);
	cr_expect(k.len == 2 && k.bytes[0] == 0xbe && k.bytes[1] == 0xef);
	cr_assert_eq(config_parse_key(hexkey(64) + 2, &k, "--x", err, sizeof err), 0,
		     "64 bytes, the longest key (SHA-512)");
	cr_expect_eq(k.len, 64);
}

Test(config, bad_hex_keys_are_one_line_errors_without_the_value)
{
	static const struct { const char *v, *msg; } bad[] = {
		{ "deadbeefZZ", "not a key in hex" },
		{ "dead beef", "not a key in hex" },
		{ "0xdead:beef", "not a key in hex" },
		{ "-deadbeef", "not a key in hex" },
		{ "deadbeef0", "odd number of hex digits (9)" },
		{ "0x", "no hex digits after 0x" },
	};
	struct config_key k;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&k, 0x55, sizeof k);
		err[0] = '\0';
		cr_expect_eq(config_parse_key(bad[i].v, &k, "--privlocalkey", err, sizeof err), -1,
			     "%s", bad[i].v);
		cr_expect(strstr(err, bad[i].msg) != NULL, "%s: %s", bad[i].v, err);
		cr_expect(strncmp(err, "--privlocalkey: ", 16) == 0, "%s", err);
		cr_expect(strstr(err, "dead") == NULL && strstr(err, "beef") == NULL,
			  "the value shows: %s", err);
		cr_expect(strchr(err, '\n') == NULL);
		cr_expect_eq(k.len, 0, "cleared on failure");
		cr_expect_eq(k.bytes[0], 0);
	}
	cr_expect_eq(config_parse_key(hexkey(65), &k, "--x", err, sizeof err), -1);
	cr_expect(strstr(err, "65 bytes, longer than any SNMPv3 key (at most 64)") != NULL,
		  "%s", err);
}

Test(config, keys_are_secrets_and_bad_ones_leave_no_trace)
{
	cr_assert_eq(config_set(&cfg, OPT_AUTHMASTERKEY, hexkey(20), ORIGIN_CLI, err,
				sizeof err), 0, "%s", err);
	cr_expect_str_eq(cfg.given[OPT_AUTHMASTERKEY], "(secret)");
	cr_expect(config_options[OPT_AUTHMASTERKEY].flags & OPTF_SECRET);
	cr_expect(config_options[OPT_AUTHLOCALKEY].flags & OPTF_SECRET);
	cr_expect(config_options[OPT_PRIVMASTERKEY].flags & OPTF_SECRET);
	cr_expect(config_options[OPT_PRIVLOCALKEY].flags & OPTF_SECRET);
	cr_expect_eq(config_set(&cfg, OPT_PRIVLOCALKEY, "0xabc", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_eq(cfg.origin[OPT_PRIVLOCALKEY], ORIGIN_DEFAULT);
	cr_expect_eq(cfg.privlocalkey.len, 0);
	cr_expect_eq(config_set(&cfg, OPT_PRIVLOCALKEY, "", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect(strstr(err, "needs a value") != NULL, "%s", err);
}

Test(config, key_lengths_follow_the_protocols)
{
	static const size_t auth[] = { 16, 20, 28, 32, 48, 64 };
	static const size_t priv[] = { 16, 16, 24, 32 };

	for (int p = AUTH_MD5; p <= AUTH_SHA512; p++)
		cr_expect_eq(config_auth_key_len((enum authproto)p), auth[p]);
	for (int p = PRIV_DES; p <= PRIV_AES256; p++)
		cr_expect_eq(config_priv_localkey_len((enum privproto)p), priv[p]);
}

static void v3_user(void)
{
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_PROTOCOL, "3", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_SECNAME, "nagmon", ORIGIN_CLI, err, sizeof err);
}

Test(config, keys_of_the_right_length_validate_and_imply_the_level)
{
	static const char *const aprotos[] = { "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384",
					       "SHA-512" };
	static const char *const pprotos[] = { "DES", "AES", "AES-192", "AES-256" };

	v3_user();
	for (int a = 0; a < 6; a++)
		for (int p = 0; p < 4; p++) {
			size_t alen = config_auth_key_len((enum authproto)a);

			/* master keys: both of the authentication hash's length */
			config_init(&cfg);
			v3_user();
			config_set(&cfg, OPT_AUTHPROTO, aprotos[a], ORIGIN_CLI, err, sizeof err);
			config_set(&cfg, OPT_PRIVPROTO, pprotos[p], ORIGIN_CLI, err, sizeof err);
			config_set(&cfg, OPT_AUTHMASTERKEY, hexkey(alen), ORIGIN_CLI, err, sizeof err);
			config_set(&cfg, OPT_PRIVMASTERKEY, hexkey(alen), ORIGIN_CLI, err, sizeof err);
			cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "%s/%s master: %s",
				     aprotos[a], pprotos[p], err);
			cr_expect_eq(config_seclevel(&cfg), SECLEVEL_AUTHPRIV);
			cr_expect_eq(config_auth_source(&cfg), KEY_MASTER);
			cr_expect_eq(config_priv_source(&cfg), KEY_MASTER);
			/* localized keys: the privacy one of the cipher's length */
			config_init(&cfg);
			v3_user();
			config_set(&cfg, OPT_AUTHPROTO, aprotos[a], ORIGIN_CLI, err, sizeof err);
			config_set(&cfg, OPT_PRIVPROTO, pprotos[p], ORIGIN_CLI, err, sizeof err);
			config_set(&cfg, OPT_AUTHLOCALKEY, hexkey(alen), ORIGIN_CLI, err, sizeof err);
			config_set(&cfg, OPT_PRIVLOCALKEY,
				   hexkey(config_priv_localkey_len((enum privproto)p)),
				   ORIGIN_CLI, err, sizeof err);
			cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "%s/%s local: %s",
				     aprotos[a], pprotos[p], err);
			cr_expect_eq(config_auth_source(&cfg), KEY_LOCALIZED);
			cr_expect_eq(config_priv_source(&cfg), KEY_LOCALIZED);
		}
	config_init(&cfg);
	v3_user();
	config_set(&cfg, OPT_AUTHPROTO, "SHA", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_AUTHLOCALKEY, hexkey(20), ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "%s", err);
	cr_expect_eq(config_seclevel(&cfg), SECLEVEL_AUTHNOPRIV, "an auth key alone: authNoPriv");
}

Test(config, a_key_of_the_wrong_length_names_the_length_wanted)
{
	v3_user();
	config_set(&cfg, OPT_AUTHPROTO, "SHA-256", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_AUTHMASTERKEY, hexkey(20), ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect_str_eq(err, "--authmasterkey is 20 bytes long; the authentication protocol"
			 " SHA-256 needs 32 bytes (64 hex digits)");

	config_set(&cfg, OPT_AUTHMASTERKEY, hexkey(32), ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_PRIVPROTO, "AES-256", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_PRIVLOCALKEY, hexkey(16), ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect_str_eq(err, "--privlocalkey is 16 bytes long; the privacy protocol AES-256"
			 " needs 32 bytes (64 hex digits)");

	config_init(&cfg);
	v3_user();
	config_set(&cfg, OPT_AUTHPROTO, "MD5", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_AUTHLOCALKEY, hexkey(20), ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect(strstr(err, "--authlocalkey is 20 bytes long; the authentication protocol MD5"
			 " needs 16 bytes") != NULL, "%s", err);
	config_set(&cfg, OPT_AUTHLOCALKEY, hexkey(16), ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_PRIVPROTO, "DES", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_PRIVMASTERKEY, hexkey(8), ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect(strstr(err, "--privmasterkey is 8 bytes long; the authentication protocol"
			 " MD5") != NULL, "a privacy master key goes by the auth hash: %s", err);
	cr_expect(strstr(err, "needs 16 bytes (32 hex digits; privacy master keys are made"
			 " with its hash)") != NULL, "%s", err);
	config_set(&cfg, OPT_PRIVMASTERKEY, hexkey(16), ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "%s", err);
}

Test(config, passphrase_and_key_in_one_place_clash_elsewhere_the_later_wins)
{
	v3_user();
	config_set(&cfg, OPT_AUTHPROTO, "SHA", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_AUTHPASSWD, "authpass123", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_AUTHMASTERKEY, hexkey(20), ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect_str_eq(err, "--authpasswd and --authmasterkey both given in the command"
			 " line; use one");

	config_init(&cfg);
	v3_user();
	config_set(&cfg, OPT_AUTHPROTO, "SHA", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_AUTHPASSWD, "authpass123", ORIGIN_INI_DEFAULTS, err, sizeof err);
	config_set(&cfg, OPT_PRIVPASSWD, "privpass123", ORIGIN_INI_DEFAULTS, err, sizeof err);
	config_set(&cfg, OPT_PRIVMASTERKEY, hexkey(20), ORIGIN_INI_SECTION, err, sizeof err);
	config_set(&cfg, OPT_PRIVLOCALKEY, hexkey(16), ORIGIN_INI_SECTION, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect_str_eq(err, "--privmasterkey and --privlocalkey both given in the host"
			 " section; use one");
	config_init(&cfg);
	v3_user();
	config_set(&cfg, OPT_AUTHPROTO, "SHA", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_AUTHPASSWD, "authpass123", ORIGIN_INI_DEFAULTS, err, sizeof err);
	config_set(&cfg, OPT_PRIVPASSWD, "privpass123", ORIGIN_INI_DEFAULTS, err, sizeof err);
	config_set(&cfg, OPT_PRIVMASTERKEY, hexkey(20), ORIGIN_INI_SECTION, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "%s", err);
	cr_expect_eq(config_auth_source(&cfg), KEY_PASSPHRASE);
	cr_expect_eq(config_priv_source(&cfg), KEY_MASTER, "the host section beats [defaults]");
	config_set(&cfg, OPT_PRIVPASSWD, "privpass456", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_priv_source(&cfg), KEY_PASSPHRASE, "the command line beats both");
}

Test(config, print_keys_is_for_snmpv3)
{
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_PRINT_KEYS, NULL, ORIGIN_CLI, err, sizeof err);
	cr_expect(cfg.print_keys);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1);
	cr_expect_str_eq(err, "--print-keys is for SNMPv3 (-P 3)");
}

Test(config, wipe_secrets_clears_community_passphrases_and_keys)
{
	config_set(&cfg, OPT_COMMUNITY, "s3cret", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_AUTHPASSWD, "authpass123", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_PRIVPASSWD, "privpass123", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_AUTHMASTERKEY, hexkey(32), ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_AUTHLOCALKEY, hexkey(32), ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_PRIVMASTERKEY, hexkey(32), ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_PRIVLOCALKEY, hexkey(16), ORIGIN_CLI, err, sizeof err);
	config_wipe_secrets(&cfg);
	cr_expect_str_empty(cfg.community);
	cr_expect_str_empty(cfg.authpasswd);
	cr_expect_str_empty(cfg.privpasswd);
	for (size_t i = 0; i < CONFIG_KEY_MAX; i++)
		cr_expect(cfg.authmasterkey.bytes[i] == 0 && cfg.authlocalkey.bytes[i] == 0 &&
			  cfg.privmasterkey.bytes[i] == 0 && cfg.privlocalkey.bytes[i] == 0);
	cr_expect(cfg.authmasterkey.len == 0 && cfg.privlocalkey.len == 0);
}

Test(config, a_range_the_shell_expanded_gets_a_hint_to_quote_it)
{
	cr_expect_eq(config_set(&cfg, OPT_WARNING, "/root:200MB", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect_str_eq(err, "--warning: '/root:200MB' is a path, not a range: the shell expanded"
			 " an unquoted ~; quote it: --warning='~:200MB'");
	cr_expect_eq(config_set(&cfg, OPT_CRITICAL, "/home/nagios", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect(strstr(err, "quote it: --critical='~'") != NULL, "%s", err);
	cr_expect_eq(config_set(&cfg, OPT_WARNING, "x:200MB", ORIGIN_CLI, err, sizeof err), -1);
	cr_expect(strstr(err, "shell") == NULL, "no hint for other mistakes: %s", err);
}

Test(config, instance_thresholds_are_whole_numbers)
{
	static const char *const bad[] = { "1.5", "0.5:3", "@1:2.5", "~:0.1" };
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_expect_eq(config_set(&cfg, OPT_INSTANCES_WARNING, bad[i], ORIGIN_CLI, err,
					sizeof err), -1, "%s accepted", bad[i]);
		cr_expect(strstr(err, "--instances-warning: ") == err, "%s", err);
		cr_expect(strstr(err, "whole number") != NULL, "%s", err);
		cr_expect_not(cfg.instances_warning.set, "%s", bad[i]);
		cr_expect_eq(config_set(&cfg, OPT_INSTANCES_CRITICAL, bad[i], ORIGIN_CLI, err,
					sizeof err), -1, "%s accepted", bad[i]);
	}
	cr_expect_eq(config_set(&cfg, OPT_INSTANCES_WARNING, "1:3", ORIGIN_CLI, err, sizeof err), 0,
		     "%s", err);
	cr_expect_eq(config_set(&cfg, OPT_INSTANCES_CRITICAL, "~:2.0", ORIGIN_CLI, err, sizeof err), 0,
		     "%s", err);
	cr_expect_eq(config_set(&cfg, OPT_INSTANCES_CRITICAL, "@5", ORIGIN_CLI, err, sizeof err), 0,
		     "%s", err);
}

Test(config, options_of_the_other_protocol_on_the_command_line_are_errors)
{
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_SECNAME, "nagmon", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1, "-U with the default 2c");
	cr_expect_str_eq(err, "-U/--secname is for SNMPv3, not for SNMPv2c (-P 2c); drop it or"
			 " give -P 3");
	config_set(&cfg, OPT_PROTOCOL, "3", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "%s", err);
	config_set(&cfg, OPT_COMMUNITY, "Sup3rSecret", ORIGIN_CLI, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), -1, "-C with -P 3");
	cr_expect_str_eq(err, "-C/--community is for SNMPv1/v2c, not for SNMPv3 (-P 3); drop one"
			 " of them");
	cr_expect(strstr(err, "Sup3rSecret") == NULL);
}

Test(config, options_of_the_other_protocol_from_the_ini_file_are_not)
{
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	config_set(&cfg, OPT_SECNAME, "nagmon", ORIGIN_INI_DEFAULTS, err, sizeof err);
	config_set(&cfg, OPT_AUTHPASSWD, "authpass123", ORIGIN_INI_DEFAULTS, err, sizeof err);
	config_set(&cfg, OPT_COMMUNITY, "s3cret", ORIGIN_INI_DEFAULTS, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "v2c host: %s", err);
	config_set(&cfg, OPT_PROTOCOL, "3", ORIGIN_INI_SECTION, err, sizeof err);
	cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "v3 host: %s", err);
}

/* No growth level given: the built-in ones; one given (or 'none'): only those. */
Test(config, growth_levels_built_in_given_or_none)
{
	struct trend_params p;

	evaluate_trend_params(&cfg, 0, &p);
	cr_expect(p.growth_defaults);
	cr_expect_float_eq(p.growth_warning_pct, 0.25, 1e-12);
	cr_expect_float_eq(p.growth_critical_pct, 1.0, 1e-12);
	cr_expect_not(p.min_window_strict);

	cr_assert_eq(config_set(&cfg, OPT_GROWTH_WARNING, "NONE", ORIGIN_CLI, err, sizeof err), 0,
		     "%s", err);
	evaluate_trend_params(&cfg, 0, &p);
	cr_expect_not(p.growth_defaults, "'none' drops the built-in levels");
	cr_expect(p.growth_warning_pct <= 0 && p.growth_warning_bph <= 0);
	cr_expect(p.growth_critical_pct <= 0 && p.growth_critical_bph <= 0, "both off");

	cr_assert_eq(config_set(&cfg, OPT_GROWTH_CRITICAL, "4MB/h", ORIGIN_INI_SECTION, err, sizeof err), 0);
	cr_assert_eq(config_set(&cfg, OPT_MIN_WINDOW, "24h", ORIGIN_INI_SECTION, err, sizeof err), 0);
	evaluate_trend_params(&cfg, 0, &p);
	cr_expect(p.growth_warning_pct <= 0 && p.growth_warning_bph <= 0);
	cr_expect_float_eq(p.growth_critical_bph, 4.0 * 1024 * 1024, 1.0);
	cr_expect(p.min_window_strict, "a configured --min-window holds");
	cr_expect_neq(config_set(&cfg, OPT_GROWTH_WARNING, "nothing", ORIGIN_CLI, err, sizeof err), 0);
}
