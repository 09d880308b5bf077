/*
 * Unit tests: the settings table, config_set and config_validate.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"

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

Test(config, every_option_but_the_cli_only_ones_has_an_ini_key)
{
	int cli_only = 0;

	for (int i = 0; i < OPT_COUNT; i++)
		if (!config_options[i].ini_key)
			cli_only++;
	cr_expect_eq(cli_only, 5, "config, section, replay, help, version");
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
