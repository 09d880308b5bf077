/*
 * Unit tests: the INI loader (plugin/inifile.c) on the fixture files in
 * tests/unit/fixtures/ini/ and on files written at test time (line-length
 * boundaries, permissions, bytes a heredoc cannot hold).  Paths are relative
 * to the repository root, where `make unit` runs the tests.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "inifile.h"

#define FIX "tests/unit/fixtures/ini/"
#define SAMPLE "conf/check_async_leak.ini"

static struct config cfg;
static struct inifile_notes notes;
static char err[512];
static char tmpdir[64];

/* A fresh config, between two loads of one test. */
static void reset(void)
{
	config_init(&cfg);
	memset(&notes, 0, sizeof notes);
	err[0] = '\0';
}

static void setup(void)
{
	reset();
	tmpdir[0] = '\0';
}

static void teardown(void)
{
	char cmd[128];

	if (tmpdir[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		cr_expect_eq(system(cmd), 0);
	}
}

TestSuite(inifile, .init = setup, .fini = teardown);

static int load(const char *path, const char *section, bool required)
{
	return inifile_load(&cfg, path, section, required, &notes, err, sizeof err);
}

/* Writes len bytes into a fresh file of the test's temp dir; returns its path. */
static const char *write_file(const char *name, const void *data, size_t len, mode_t mode)
{
	static char path[128];
	FILE *f;

	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/test_inifile.XXXXXX");
		cr_assert_not_null(mkdtemp(tmpdir));
	}
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, mode), 0);
	return path;
}

static const char *write_text(const char *name, const char *text, mode_t mode)
{
	return write_file(name, text, strlen(text), mode);
}

/* Asserts that loading fails with exactly this message. */
static void expect_error(const char *path, const char *section, bool required,
			 const char *message)
{
	cr_assert_eq(load(path, section, required), -1, "%s loaded", path);
	cr_expect_str_eq(err, message);
}

/* --- Precedence --------------------------------------------------------- */

Test(inifile, defaults_then_section_whatever_their_order_in_the_file)
{
	cr_assert_eq(load(FIX "precedence.ini", "exch01", true), 0, "%s", err);
	cr_expect_eq(cfg.timeout_s, 30, "the section beats [defaults]");
	cr_expect_eq(cfg.port, 1161, "[defaults] beats the built-in 161");
	cr_expect_eq(cfg.origin[OPT_TIMEOUT], ORIGIN_INI_SECTION);
	cr_expect_eq(cfg.origin[OPT_PORT], ORIGIN_INI_DEFAULTS);
	cr_expect_eq(cfg.origin[OPT_PROTOCOL], ORIGIN_DEFAULT, "built-in where the file is silent");
	cr_expect(cfg.critical.set);
	cr_expect(cfg.critical.end.q.percent);
	cr_expect_float_eq(cfg.critical.end.q.value, 300.0, 1e-9, "300%% of [exch01], not 200%%");
	cr_expect_str_eq(notes.section_used, "exch01");
}

Test(inifile, the_command_line_applied_after_wins)
{
	cr_assert_eq(load(FIX "precedence.ini", "exch01", true), 0, "%s", err);
	cr_assert_eq(config_set(&cfg, OPT_TIMEOUT, "40", ORIGIN_CLI, err, sizeof err), 0);
	cr_expect_eq(cfg.timeout_s, 40);
	cr_expect_eq(cfg.origin[OPT_TIMEOUT], ORIGIN_CLI);
	cr_expect_eq(cfg.port, 1161, "what the command line leaves alone stays");
}

Test(inifile, without_a_host_section_only_defaults_apply)
{
	cr_assert_eq(load(FIX "precedence.ini", NULL, false), 0, "%s", err);
	cr_expect_eq(cfg.timeout_s, 20);
	cr_expect_not(cfg.baseline_set);
	cr_expect_str_eq(notes.section_used, "");
}

Test(inifile, section_defaults_alone_applies_defaults_once)
{
	cr_assert_eq(load(FIX "precedence.ini", "defaults", true), 0, "%s", err);
	cr_expect_eq(cfg.timeout_s, 20);
	cr_expect_eq(cfg.origin[OPT_TIMEOUT], ORIGIN_INI_DEFAULTS);
	cr_expect_str_eq(notes.section_used, "defaults");
}

/* --- Sections ----------------------------------------------------------- */

Test(inifile, a_missing_section_is_an_error_only_when_required)
{
	expect_error(FIX "precedence.ini", "exch03", true,
		     FIX "precedence.ini: no section [exch03]");
	reset();
	cr_assert_eq(load(FIX "precedence.ini", "exch03", false), 0, "%s", err);
	cr_expect_eq(cfg.timeout_s, 20, "[defaults] still applies");
	cr_expect_str_eq(notes.section_used, "");
}

Test(inifile, section_names_ignore_case_and_surrounding_blanks)
{
	cr_assert_eq(load(FIX "sections.ini", "exch01.corp.example", true), 0, "%s", err);
	cr_expect_eq(cfg.timeout_s, 20, "[Defaults] is [defaults]");
	cr_expect_float_eq(cfg.baseline.value, 40.0 * 1024 * 1024, 1e-3);
	cr_expect_str_eq(notes.section_used, "EXCH01.Corp.Example", "as written in the file");
	reset();
	cr_assert_eq(load(FIX "sections.ini", "EXCH02", true), 0, "%s", err);
	cr_expect_float_eq(cfg.baseline.value, 64.0 * 1024 * 1024, 1e-3);
}

Test(inifile, section_names_longer_than_inih_keeps_still_match)
{
	cr_assert_eq(load(FIX "sections.ini",
			  "a-section-name-longer-than-the-49-bytes-inih-keeps.corp.example", true),
		     0, "%s", err);
	cr_expect_float_eq(cfg.baseline.value, 80.0 * 1024 * 1024, 1e-3);
}

Test(inifile, an_empty_section_exists)
{
	cr_assert_eq(load(FIX "sections.ini", "empty", true), 0, "%s", err);
	cr_expect_str_eq(notes.section_used, "empty");
}

Test(inifile, a_section_given_twice_in_any_case_is_an_error)
{
	expect_error(FIX "duplicate_section.ini", "exch01", true, FIX "duplicate_section.ini:5:"
		     " section [EXCH01] given twice (first at line 3)");
}

Test(inifile, text_after_a_section_header_is_an_error)
{
	expect_error(FIX "header_junk.ini", "exch01", true, FIX "header_junk.ini:2:"
		     " text after the section name (comments start with ';')");
}

Test(inifile, a_key_before_any_section_is_an_error)
{
	expect_error(FIX "outside_section.ini", NULL, false, FIX "outside_section.ini:2:"
		     " key before the first section (put it under [defaults] or a host section)");
}

/* --- Keys and values ---------------------------------------------------- */

Test(inifile, comments_quotes_indentation_colons_and_key_case)
{
	cr_assert_eq(load(FIX "syntax.ini", NULL, false), 0, "%s", err);
	cr_expect_eq(cfg.timeout_s, 20);
	cr_expect_str_eq(cfg.process, "a;b", "a ';' without a blank before it is kept");
	cr_expect_str_eq(cfg.advice, "Quoted: the quotes go");
	cr_expect_str_eq(cfg.regex, "");
	cr_expect_eq(cfg.origin[OPT_REGEX], ORIGIN_INI_DEFAULTS, "\"\" sets an empty value");
	cr_expect_str_eq(cfg.path, "\\\\BIN\\\\$");
	cr_expect_str_eq(cfg.community, "s3cret-community", "keys ignore case");
	cr_expect_str_eq(cfg.hostname, "exch01.corp.example", "key: value as inih allows");
	cr_expect_eq(cfg.verbose, 2);
}

Test(inifile, unknown_key_names_the_closest_one)
{
	expect_error(FIX "unknown_key.ini", "exch01", true, FIX "unknown_key.ini:5:"
		     " unknown key 'comunity' (did you mean 'community'?)");
}

Test(inifile, unknown_key_without_a_close_one)
{
	expect_error(FIX "unknown_key_far.ini", NULL, false,
		     FIX "unknown_key_far.ini:2: unknown key 'frobnicate'");
}

Test(inifile, a_key_spelled_like_the_long_option_gets_a_suggestion)
{
	const char *p = write_text("dash.ini", "[defaults]\ngrowth-warning = 1MB/h\n", 0600);
	char want[256];

	snprintf(want, sizeof want,
		 "%s:2: unknown key 'growth-warning' (did you mean 'growth_warning'?)", p);
	expect_error(p, NULL, false, want);
}

Test(inifile, bad_value_gives_the_setters_message_with_the_key)
{
	expect_error(FIX "bad_value.ini", NULL, false, FIX "bad_value.ini:3:"
		     " timeout: 'ten' is not a whole number from 1 to 3600");
}

Test(inifile, a_hash_after_a_value_is_not_a_comment)
{
	expect_error(FIX "hash_comment.ini", NULL, false, FIX "hash_comment.ini:3:"
		     " timeout: '10 # seconds' is not a whole number from 1 to 3600");
}

Test(inifile, a_key_twice_in_one_section_is_an_error_in_any_case)
{
	expect_error(FIX "duplicate_key.ini", "exch01", true, FIX "duplicate_key.ini:7:"
		     " key 'timeout' given twice in [exch01] (first at line 6)");
}

Test(inifile, the_same_key_in_defaults_and_a_section_is_fine)
{
	const char *p = write_text("twice.ini", "[defaults]\ntimeout = 5\n"
				   "[exch01]\ntimeout = 6\n", 0600);

	cr_assert_eq(load(p, "exch01", true), 0, "%s", err);
	cr_expect_eq(cfg.timeout_s, 6);
}

Test(inifile, command_line_only_options_are_refused)
{
	static const char *const keys[] = { "config", "section", "help", "version", "replay" };
	char text[64], want[256];

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *p;

		snprintf(text, sizeof text, "[defaults]\n%s = x\n", keys[i]);
		p = write_text("cli.ini", text, 0600);
		snprintf(want, sizeof want,
			 "%s:2: '%s' is not allowed in the file (command line only)", p, keys[i]);
		expect_error(p, NULL, false, want);
	}
	expect_error(FIX "cli_only.ini", NULL, false, FIX "cli_only.ini:3:"
		     " 'section' is not allowed in the file (command line only)");
}

Test(inifile, an_empty_value_is_an_error_unless_quoted)
{
	expect_error(FIX "empty_value.ini", NULL, false, FIX "empty_value.ini:3:"
		     " no value for 'advice' (write advice = \"\" for an empty one)");
}

Test(inifile, an_empty_quoted_value_goes_to_the_setter)
{
	const char *p = write_text("eq.ini", "[defaults]\ntimeout = \"\"\n", 0600);
	char want[256];

	snprintf(want, sizeof want, "%s:2: timeout needs a value", p);
	expect_error(p, NULL, false, want);
}

Test(inifile, a_semicolon_after_a_blank_ends_the_value_even_in_quotes)
{
	expect_error(FIX "unterminated_quote.ini", NULL, false, FIX "unterminated_quote.ini:2:"
		     " unterminated quote in the value of 'advice' (a ';' after white space"
		     " starts a comment, even inside quotes)");
}

/* --- Syntax and lines --------------------------------------------------- */

Test(inifile, syntax_error_names_its_line)
{
	expect_error(FIX "syntax_error.ini", NULL, false,
		     FIX "syntax_error.ini:3: syntax error: expected 'key = value'");
}

Test(inifile, unclosed_section_header_is_a_syntax_error)
{
	expect_error(FIX "syntax_header.ini", "exch01", true,
		     FIX "syntax_header.ini:3: syntax error: no ']' after the section name");
}

Test(inifile, continuation_lines_are_errors_not_values)
{
	expect_error(FIX "continuation.ini", NULL, false, FIX "continuation.ini:3:"
		     " syntax error: expected 'key = value' (continuation lines are not"
		     " supported: write the value on one line)");
}

Test(inifile, an_indented_key_after_a_key_is_a_key_not_a_continuation)
{
	const char *p = write_text("indent.ini", "[defaults]\nprocess = Async.exe\n"
				   "    timeout = 7\n", 0600);

	cr_assert_eq(load(p, NULL, false), 0, "%s", err);
	cr_expect_str_eq(cfg.process, "Async.exe");
	cr_expect_eq(cfg.timeout_s, 7);
}

Test(inifile, a_long_line_is_an_error_on_its_own_line)
{
	/* inih alone would cut the value at 199 bytes and call the tail line 4. */
	expect_error(FIX "long_line.ini", NULL, false,
		     FIX "long_line.ini:3: line longer than 198 bytes");
}

/* "[defaults]\n" then "advice = " and x's up to len bytes, then ending. */
static const char *line_of(size_t len, const char *ending)
{
	char text[512];
	size_t n;

	n = (size_t)snprintf(text, sizeof text, "[defaults]\nadvice = ");
	while (n < strlen("[defaults]\n") + len)
		text[n++] = 'x';
	n += (size_t)snprintf(text + n, sizeof text - n, "%s", ending);
	return write_file("len.ini", text, n, 0600);
}

Test(inifile, lines_of_198_bytes_load_with_any_ending)
{
	cr_assert_eq(load(line_of(198, "\n"), NULL, false), 0, "%s", err);
	cr_expect_eq(strlen(cfg.advice), 198 - strlen("advice = "));
	reset();
	cr_assert_eq(load(line_of(198, "\r\n"), NULL, false), 0, "%s", err);
	cr_expect_eq(strlen(cfg.advice), 198 - strlen("advice = "), "the \\r is not counted");
	reset();
	cr_assert_eq(load(line_of(198, ""), NULL, false), 0, "%s", err);
	cr_expect_eq(strlen(cfg.advice), 198 - strlen("advice = "), "no final newline");
}

Test(inifile, lines_of_199_bytes_are_errors)
{
	const char *p = line_of(199, "\n");
	char want[256];

	snprintf(want, sizeof want, "%s:2: line longer than 198 bytes", p);
	expect_error(p, NULL, false, want);
	reset();
	p = line_of(199, "");
	expect_error(p, NULL, false, want);
}

Test(inifile, crlf_files_and_a_byte_order_mark_load)
{
	const char *p = write_text("dos.ini", "\xEF\xBB\xBF[defaults]\r\ntimeout = 9\r\n"
				   "[exch01]\r\nbaseline = 40MB\r\n", 0600);

	cr_assert_eq(load(p, "exch01", true), 0, "%s", err);
	cr_expect_eq(cfg.timeout_s, 9);
	cr_expect(cfg.baseline_set);
}

Test(inifile, a_nul_byte_is_an_error)
{
	static const char text[] = "[defaults]\ntimeout = 9\nadvice = a\0b\n";
	const char *p = write_file("nul.ini", text, sizeof text - 1, 0600);
	char want[256];

	snprintf(want, sizeof want, "%s:3: NUL byte in the line (not a text file?)", p);
	expect_error(p, NULL, false, want);
}

Test(inifile, the_first_error_in_the_file_wins_whoever_finds_it)
{
	expect_error(FIX "first_error_wins.ini", NULL, false, FIX "first_error_wins.ini:3:"
		     " unknown key 'comunity' (did you mean 'community'?)");
	reset();
	expect_error(FIX "first_error_wins2.ini", NULL, false,
		     FIX "first_error_wins2.ini:2: syntax error: expected 'key = value'");
}

Test(inifile, errors_in_sections_not_applied_are_still_errors)
{
	expect_error(FIX "other_section_error.ini", "exch01", true,
		     FIX "other_section_error.ini:6: baseline: 'forty' is not a size (use B, KB, MB, GB or TB)");
}

Test(inifile, on_error_nothing_is_applied)
{
	cr_assert_eq(load(FIX "other_section_error.ini", "exch01", true), -1);
	cr_expect_eq(cfg.timeout_s, CONFIG_DEFAULT_TIMEOUT);
	cr_expect_not(cfg.baseline_set);
}

Test(inifile, empty_and_comment_only_files_load)
{
	cr_assert_eq(load(FIX "empty.ini", NULL, false), 0, "%s", err);
	cr_assert_eq(load(FIX "empty.ini", "exch01", false), 0, "%s", err);
	expect_error(FIX "empty.ini", "exch01", true, FIX "empty.ini: no section [exch01]");
}

/* --- Files -------------------------------------------------------------- */

Test(inifile, a_missing_file_is_an_error)
{
	expect_error(FIX "no-such-file.ini", NULL, false,
		     "cannot read " FIX "no-such-file.ini: No such file or directory (a commented"
		     " sample is conf/check_async_leak.ini of the source; make install puts it at "
		     CONFIG_DEFAULT_FILE ")");
	cr_expect_not(inifile_exists(FIX "no-such-file.ini"));
	cr_expect_not(inifile_exists(FIX "no-such-dir/x.ini"));
	cr_expect_not(inifile_exists(FIX "empty.ini/x.ini"), "ENOTDIR: does not exist");
	cr_expect(inifile_exists(FIX "empty.ini"));
}

Test(inifile, a_directory_is_an_error)
{
	expect_error(FIX, NULL, false, "cannot read " FIX ": Is a directory");
	cr_expect(inifile_exists(FIX), "exists, so that loading it reports the problem");
}

Test(inifile, a_device_is_an_error)
{
	expect_error("/dev/null", NULL, false, "cannot read /dev/null: not a regular file");
}

Test(inifile, an_unreadable_file_is_an_error)
{
	const char *p = write_text("locked.ini", "[defaults]\n", 0000);
	bool root = geteuid() == 0;
	char want[256];

	/* root reads anything: be nobody for the load (this process only). */
	if (root)
		cr_assert_eq(seteuid(65534), 0);
	snprintf(want, sizeof want, "cannot read %s: Permission denied", p);
	expect_error(p, NULL, false, want);
	if (root)
		cr_assert_eq(seteuid(0), 0);
}

Test(inifile, a_file_that_cannot_be_looked_at_exists_so_that_loading_says_why)
{
	const char *p = write_text("hidden.ini", "[defaults]\n", 0600);
	bool root = geteuid() == 0;

	cr_assert_eq(chmod(tmpdir, 0), 0);	/* stat() inside fails with EACCES */
	if (root)
		cr_assert_eq(seteuid(65534), 0);
	cr_expect(inifile_exists(p));
	if (root)
		cr_assert_eq(seteuid(0), 0);
	cr_assert_eq(chmod(tmpdir, 0700), 0);
}

Test(inifile, notes_may_be_null)
{
	cr_expect_eq(inifile_load(&cfg, FIX "precedence.ini", "exch01", true, NULL,
				  err, sizeof err), 0, "%s", err);
}

/* --- Secrets ------------------------------------------------------------ */

Test(inifile, a_secret_in_a_world_readable_file_is_noted)
{
	const char *p = write_text("open.ini", "[defaults]\ncommunity = s3cret\n", 0644);

	cr_assert_eq(load(p, NULL, false), 0, "%s", err);
	cr_expect(notes.secret_exposed);
}

Test(inifile, a_secret_in_a_section_not_applied_is_noted_too)
{
	const char *p = write_text("open2.ini", "[defaults]\ntimeout = 5\n[exch02]\n"
				   "authpasswd = s3cret-pass\n", 0604);

	cr_assert_eq(load(p, "exch01", false), 0, "%s", err);
	cr_expect(notes.secret_exposed);
}

Test(inifile, a_private_file_or_our_own_group_is_not_noted)
{
	const char *p = write_text("private.ini", "[defaults]\ncommunity = s3cret\n", 0600);

	cr_assert_eq(load(p, NULL, false), 0, "%s", err);
	cr_expect_not(notes.secret_exposed);
	cr_assert_eq(chmod(p, 0640), 0);
	cr_assert_eq(chown(p, (uid_t)-1, getegid()), 0);
	cr_assert_eq(load(p, NULL, false), 0, "%s", err);
	cr_expect_not(notes.secret_exposed, "0640 with the plugin's group is the normal set-up");
}

Test(inifile, a_group_readable_file_of_another_group_is_noted)
{
	const char *p = write_text("group.ini", "[defaults]\ncommunity = s3cret\n", 0640);
	gid_t other = getegid() == 0 ? 1 : 0;

	if (chown(p, (uid_t)-1, other) != 0)
		cr_skip_test("cannot give the file another group as this user");
	cr_assert_eq(load(p, NULL, false), 0, "%s", err);
	cr_expect(notes.secret_exposed);
}

Test(inifile, a_world_readable_file_without_secrets_is_not_noted)
{
	const char *p = write_text("nosecret.ini", "[defaults]\ntimeout = 5\n[exch01]\n"
				   "baseline = 40MB\n", 0644);

	cr_assert_eq(load(p, "exch01", true), 0, "%s", err);
	cr_expect_not(notes.secret_exposed);
}

/* Files that fail somewhere near a secret: the message never holds its value. */
Test(inifile, errors_never_quote_a_secret)
{
	static const char *const files[] = {
		"[defaults]\ncommunity = Sup3rSecret\ntimeout = soon\n",
		"[defaults]\ncomunity = Sup3rSecret\n",
		"[defaults]\ncommunity = Sup3rSecret\ncommunity = Sup3rSecret\n",
		"[defaults]\ncommunity = \"Sup3rSecret ; x\"\n",
		"[defaults]\ncommunity = Sup3rSecret\nSup3rSecret\n",
		"[defaults]\nauthpasswd = Sup3r\n",
		"[defaults]\nprivpasswd = Sup3r\n",
		"[defaults]\nauthpasswd = \"Sup3rSecret\n",
		"[defaults]\n  Sup3rSecret\n",
		"[defaults]\nprivpasswd = Sup3rSecret Sup3rSecret Sup3rSecret Sup3rSecret"
		" Sup3rSecret Sup3rSecret Sup3rSecret Sup3rSecret Sup3rSecret Sup3rSecret"
		" Sup3rSecret Sup3rSecret Sup3rSecret Sup3rSecret Sup3rSecret Sup3rSecret\n",
		"[Sup3rSecret\ncommunity = Sup3rSecret\n",
		"community = Sup3rSecret\n",
	};

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		const char *p = write_text("secret.ini", files[i], 0600);

		reset();
		cr_expect_eq(load(p, NULL, false), -1, "case %zu loaded", i);
		cr_expect_not_null(strstr(err, p), "case %zu: %s", i, err);
		cr_expect_null(strstr(err, "Sup3r"), "case %zu: %s", i, err);
	}
	reset();
	expect_error(FIX "secrets_bad.ini", NULL, false, FIX "secrets_bad.ini:5:"
		     " timeout: 'soon' is not a whole number from 1 to 3600");
}

/* --- The sample --------------------------------------------------------- */

/* The keys set on a line of their own in the sample. */
static void sample_keys(bool *has)
{
	char line[256];
	FILE *f = fopen(SAMPLE, "r");

	cr_assert_not_null(f);
	while (fgets(line, sizeof line, f)) {
		char key[64];

		if (sscanf(line, " %63[a-z_] =", key) != 1 || !strchr(line, '='))
			continue;
		for (int i = 0; i < OPT_COUNT; i++)
			if (config_options[i].ini_key && strcmp(config_options[i].ini_key, key) == 0)
				has[i] = true;
	}
	fclose(f);
}

Test(inifile, the_sample_sets_every_ini_key)
{
	bool has[OPT_COUNT] = { false };

	sample_keys(has);
	for (int i = 0; i < OPT_COUNT; i++)
		if (config_options[i].ini_key)
			cr_expect(has[i], "the sample lacks '%s'", config_options[i].ini_key);
}

Test(inifile, every_section_of_the_sample_loads_and_validates)
{
	static const char *const sections[] = { "exch01", "exch02", "exch03", "exch04",
						"exch05", "demo", "demo-v3", "demo-v3-keys" };

	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		reset();
		cr_assert_eq(load(SAMPLE, sections[i], true), 0, "[%s]: %s", sections[i], err);
		cr_expect_str_eq(notes.section_used, sections[i]);
		cr_expect_eq(config_validate(&cfg, err, sizeof err), 0, "[%s]: %s", sections[i], err);
	}
}

Test(inifile, the_samples_demo_sections_match_the_simulated_host)
{
	cr_assert_eq(load(SAMPLE, "demo", true), 0, "%s", err);
	cr_expect_str_eq(cfg.hostname, "127.0.0.1");
	cr_expect_eq(cfg.protocol, SNMPV_2C);
	cr_expect_str_eq(cfg.community, "public");
	cr_expect_eq(cfg.timeout_s, 10);
	cr_expect_float_eq(cfg.baseline.value, 40.0 * 1024 * 1024, 1e-3);
	reset();
	cr_assert_eq(load(SAMPLE, "demo-v3", true), 0, "%s", err);
	cr_expect_eq(cfg.protocol, SNMPV_3);
	cr_expect_str_eq(cfg.secname, "nagmon");
	cr_expect_eq(cfg.seclevel, SECLEVEL_AUTHPRIV);
	cr_expect_eq(cfg.authproto, AUTH_SHA256);
	cr_expect_str_eq(cfg.authpasswd, "authpass123");
	cr_expect_eq(cfg.privproto, PRIV_AES);
	cr_expect_str_eq(cfg.privpasswd, "privpass123");
}

Test(inifile, the_samples_quoted_advice_keeps_its_semicolon)
{
	cr_assert_eq(load(SAMPLE, "exch02", true), 0, "%s", err);
	cr_expect_str_eq(cfg.advice, "Restart the MS Mail connector on exch02 at night;"
			 " KB Q260554 (SP4 fixes it).");
	cr_expect(cfg.baseline_auto);
}

/* --- Found by tests/fuzz/fuzz_ini.c ------------------------------------- */

/* Every byte of a message is printable: it ends up on the status line. */
static void expect_printable(const char *msg)
{
	for (const char *p = msg; *p; p++)
		cr_expect((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
			  "byte 0x%02x in \"%s\"", (unsigned char)*p, msg);
}

Test(inifile, a_bad_value_is_quoted_printable)
{
	const char *path = write_text("bytes.ini", "[defaults]\ntimeout = 11 \x1b[2J\xff\n", 0600);

	cr_assert_eq(load(path, NULL, false), -1);
	cr_expect(strstr(err, "timeout: '11 ?[2J?' is not a whole number") != NULL, "%s", err);
	expect_printable(err);
	reset();
	path = write_text("enum.ini", "[defaults]\nprotocol = 2\rc\n", 0600);
	cr_assert_eq(load(path, NULL, false), -1);
	expect_printable(err);
}

Test(inifile, a_section_name_is_quoted_printable)
{
	const char *path = write_text("sect.ini", "[a\x01\x80]\n[A\x01\x80]\n", 0600);

	cr_assert_eq(load(path, NULL, false), -1);
	cr_expect(strstr(err, ":2: section [A??] given twice (first at line 1)") != NULL, "%s", err);
	expect_printable(err);
	reset();
	path = write_text("key.ini", "[x\x7f]\nport = 1\nport = 2\n", 0600);
	cr_assert_eq(load(path, NULL, false), -1);
	cr_expect(strstr(err, ":3: key 'port' given twice in [x?] (first at line 2)") != NULL,
		  "%s", err);
	expect_printable(err);
}

/* --- Trust, as root ------------------------------------------------------- */

Test(inifile, root_refuses_a_file_others_could_have_written)
{
	struct stat st;

	memset(&st, 0, sizeof st);
	st.st_mode = S_IFREG | 0600;
	cr_expect_eq(inifile_trust(&st, 0, err, sizeof err), 0);
	st.st_mode = S_IFREG | 0640;
	st.st_gid = 110;
	cr_expect_eq(inifile_trust(&st, 0, err, sizeof err), 0, "0640 root:nagios is fine");
	st.st_mode = S_IFREG | 0660;
	cr_expect_eq(inifile_trust(&st, 0, err, sizeof err), -1);
	cr_expect_str_eq(err, "refusing an INI file writable by group 110 while running as "
			 "root: chmod g-w it");
	st.st_mode = S_IFREG | 0602;
	st.st_gid = 0;
	cr_expect_eq(inifile_trust(&st, 0, err, sizeof err), -1);
	cr_expect(strstr(err, "writable by every user") != NULL, "%s", err);
	st.st_mode = S_IFREG | 0600;
	st.st_uid = 1000;
	cr_expect_eq(inifile_trust(&st, 0, err, sizeof err), -1);
	cr_expect(strstr(err, "owned by uid 1000 while running as root") != NULL, "%s", err);
	/* Not root: any file it can read. */
	st.st_mode = S_IFREG | 0666;
	cr_expect_eq(inifile_trust(&st, 1000, err, sizeof err), 0);
	cr_expect_eq(inifile_trust(&st, 110, err, sizeof err), 0);
}

Test(inifile, root_loads_nothing_from_a_world_writable_file)
{
	const char *path;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	path = write_text("ww.ini", "[defaults]\ncommunity = s3cret\nstate_file = /etc/x\n", 0646);
	cr_assert_eq(load(path, NULL, false), -1);
	cr_expect(strstr(err, "ww.ini: refusing an INI file writable by every user") != NULL,
		  "%s", err);
	cr_expect(strstr(err, "s3cret") == NULL);
	cr_expect_str_eq(cfg.state_file, "", "nothing applied");
	path = write_text("other.ini", "[defaults]\nstate_file = /etc/x\n", 0600);
	cr_assert_eq(chown(path, 65534, 65534), 0);
	cr_assert_eq(load(path, NULL, false), -1);
	cr_expect(strstr(err, "owned by uid 65534") != NULL, "%s", err);
	cr_expect_str_eq(cfg.state_file, "");
}

/* --- --extra-opts ------------------------------------------------------- */

static const char mp_ini[] =
	"[check_mysql]\n"
	"username = foo\n"
	"hostname =\n"			/* other plugins' rules are theirs */
	"[defaults]\n"
	"timeout = 30\n"
	"[check_async_leak]\n"
	"warning = 300MB\n"
	"[demo]\n"
	"hostname = 127.0.0.1\n";

Test(inifile, extra_opts_reads_one_section_and_leaves_the_others_to_their_plugins)
{
	const char *p = write_text("mp.ini", mp_ini, 0600);
	char loc[256];

	snprintf(loc, sizeof loc, "@%s", p);
	cr_assert_eq(inifile_extra_opts(&cfg, loc, &notes, err, sizeof err), 0, "%s", err);
	cr_expect_eq(cfg.origin[OPT_WARNING], ORIGIN_INI_SECTION, "[check_async_leak] by default");
	cr_expect_eq(cfg.timeout_s, CONFIG_DEFAULT_TIMEOUT, "no [defaults] with --extra-opts");
	cr_expect_str_eq(cfg.hostname, "");
	snprintf(loc, sizeof loc, "demo@%s", p);
	cr_assert_eq(inifile_extra_opts(&cfg, loc, &notes, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(cfg.hostname, "127.0.0.1");
	snprintf(loc, sizeof loc, "nosuch@%s", p);
	cr_expect_eq(inifile_extra_opts(&cfg, loc, &notes, err, sizeof err), -1);
	cr_expect(strstr(err, "no section [nosuch]") != NULL, "%s", err);

	p = write_text("bad.ini", "[check_async_leak]\ncomunity = x\n", 0600);
	snprintf(loc, sizeof loc, "@%s", p);
	cr_expect_eq(inifile_extra_opts(&cfg, loc, &notes, err, sizeof err), -1);
	cr_expect(strstr(err, "bad.ini:2: unknown key 'comunity' (did you mean 'community'?)") != NULL,
		  "our section keeps our rules: %s", err);
}

Test(inifile, extra_opts_finds_the_file_as_the_monitoring_plugins_do)
{
	char path[512], want[256], dir1[96], dir2[96];

	write_text("x", "", 0600);	/* makes tmpdir */
	snprintf(dir1, sizeof dir1, "%s/a", tmpdir);
	snprintf(dir2, sizeof dir2, "%s/b", tmpdir);
	cr_assert_eq(mkdir(dir1, 0700), 0);
	cr_assert_eq(mkdir(dir2, 0700), 0);
	write_text("a/plugins.ini", "[check_async_leak]\n", 0600);
	write_text("b/monitoring-plugins.ini", "[check_async_leak]\n", 0600);
	write_text("a/nagios-plugins.ini", "[check_async_leak]\n", 0600);

	unsetenv("MP_CONFIG_FILE");
	snprintf(path, sizeof path, "%s/none:%s:%s", tmpdir, dir1, dir2);
	setenv("NAGIOS_CONFIG_PATH", path, 1);
	cr_assert_eq(inifile_mp_default(path, sizeof path), 0);
	snprintf(want, sizeof want, "%s/plugins.ini", dir1);
	cr_expect_str_eq(path, want, "the first directory wins; plugins.ini before nagios-plugins.ini");
	setenv("MP_CONFIG_FILE", "/no/such/file.ini", 1);
	cr_assert_eq(inifile_mp_default(path, sizeof path), 0);
	cr_expect_str_eq(path, "/no/such/file.ini", "MP_CONFIG_FILE first, as named");
	cr_expect_eq(inifile_extra_opts(&cfg, NULL, &notes, err, sizeof err), -1);
	cr_expect(strstr(err, "cannot read /no/such/file.ini") != NULL, "%s", err);
	unsetenv("MP_CONFIG_FILE");
	unsetenv("NAGIOS_CONFIG_PATH");
}
