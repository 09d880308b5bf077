/*
 * Unit tests: evaluation (states, reasons) and output (status line, long
 * output, perfdata) on hand-made snapshots and trend results.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "output.h"
#include "states.h"

static struct config cfg;
static struct proc_match match;
static char err[512];
static struct hr_proc one[1] = {
	{ .index = 1388, .name = "Async.exe", .path = "C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\",
	  .status = 1, .mem_kb = 49256, .cpu_cs = 12345, .has_cpu = true },
};

static void setup(void)
{
	config_init(&cfg);
	config_set(&cfg, OPT_HOSTNAME, "exch01", ORIGIN_CLI, err, sizeof err);
	proc_match_init(&match, "Async.exe", NULL, NULL, err, sizeof err);
}

static void teardown(void)
{
	proc_match_release(&match);
}

TestSuite(output, .init = setup, .fini = teardown);

static void set(enum option_id id, const char *v)
{
	cr_assert_eq(config_set(&cfg, id, v, ORIGIN_CLI, err, sizeof err), 0, "%s", err);
}

/* Runs evaluate + output_write; returns the whole text (caller frees). */
static char *render(const struct hr_snapshot *snap, const struct trend_result *tr,
		    struct evaluation *ev)
{
	struct trend_params tp;
	struct proc_total total;
	struct history_outcome hist = { HISTORY_OK, NULL, NULL, tr, &tp };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	cr_assert_eq(proc_total(snap, &total), 0);
	evaluate_trend_params(&cfg, total.host_mem_bytes, &tp);
	evaluate(&cfg, &match, snap, &total, tr ? &hist : NULL, false, ev);
	f = open_memstream(&buf, &len);
	output_write(f, ev);
	fclose(f);
	proc_total_release(&total);
	return buf;
}

static char *first_line(char *text)
{
	char *nl = strchr(text, '\n');

	if (nl)
		*nl = '\0';
	return text;
}

Test(output, ok_line_matches_the_documented_example)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = 524288, .rows_walked = 61 };
	struct evaluation ev;
	char *out;

	set(OPT_WARNING, "200MB");
	set(OPT_CRITICAL, "400MB");
	out = render(&snap, NULL, &ev);
	cr_expect_eq(ev.state, STATE_OK);
	cr_expect_str_eq(first_line(out), "ASYNC_LEAK OK - Async.exe 48.1 MiB (1 instance) | "
			 "'mem'=50438144B;209715200;419430400;0;536870912 'instances'=1");
	free(out);
}

Test(output, long_output_lists_each_instance)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = 524288 };
	struct evaluation ev;
	char *out = render(&snap, NULL, &ev);

	cr_expect(strstr(out, "\nindex 1388: Async.exe C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\, 48.1 MiB,"
			 " running, CPU 2 min\n") != NULL, "%s", out);
	cr_expect(strstr(out, "Total 48.1 MiB of 512.0 MiB physical memory (9.4%).") != NULL, "%s", out);
	free(out);
}

Test(output, critical_is_tested_before_warning)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = -1 };
	struct evaluation ev;
	char *out;

	set(OPT_WARNING, "10MB");
	set(OPT_CRITICAL, "40MB");
	out = render(&snap, NULL, &ev);
	cr_expect_eq(ev.state, STATE_CRITICAL);
	cr_expect(strstr(out, "ASYNC_LEAK CRITICAL - Async.exe 48.1 MiB (1 instance), above critical"
			 " 40.0 MiB | 'mem'=50438144B;10485760;41943040;0 'instances'=1\n") == out,
		  "%s", out);
	cr_expect(strstr(out, "Advice: Async.exe, the Microsoft Mail Connector") != NULL, "%s", out);
	cr_expect(strstr(out, "Q260554") != NULL);
	cr_expect(strstr(out, "Service Pack 4") != NULL);
	free(out);
}

Test(output, percent_thresholds_resolve_against_the_baseline)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = 524288 };
	struct evaluation ev;
	char *out;

	set(OPT_BASELINE, "40MB");
	set(OPT_WARNING, "110%");
	set(OPT_CRITICAL, "200%");
	out = render(&snap, NULL, &ev);
	cr_expect_eq(ev.state, STATE_WARNING);
	cr_expect(strstr(out, "above warning 44.0 MiB") != NULL, "%s", out);
	cr_expect(strstr(out, "'mem'=50438144B;46137344;83886080;0;536870912 'baseline'=41943040B"
			 " 'instances'=1") != NULL, "%s", out);
	cr_expect(strstr(out, "Baseline 40.0 MiB (configured), now 120% of it.") != NULL, "%s", out);
	free(out);
}

Test(output, inside_ranges_and_low_ends_are_described)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = -1 };
	struct evaluation ev;
	char *out;

	set(OPT_WARNING, "100MB:");
	out = render(&snap, NULL, &ev);
	cr_expect(strstr(out, "below warning 100.0 MiB") != NULL, "%s", out);
	free(out);
	set(OPT_WARNING, "~:1GB");
	set(OPT_CRITICAL, "@40MB:50MB");
	out = render(&snap, NULL, &ev);
	cr_expect(strstr(out, "inside critical 40.0 MiB..50.0 MiB") != NULL, "%s", out);
	cr_expect(strstr(out, "'mem'=50438144B;~:1073741824;@41943040:52428800;0 ") != NULL, "%s", out);
	free(out);
}

Test(output, missing_process_is_critical_by_default_and_configurable)
{
	struct hr_snapshot snap = { .procs = NULL, .n = 0, .rows_walked = 61 };
	struct evaluation ev;
	char *out = render(&snap, NULL, &ev);

	cr_expect_eq(ev.state, STATE_CRITICAL);
	cr_expect_str_eq(first_line(out), "ASYNC_LEAK CRITICAL - Async.exe not running (no match among"
			 " 61 processes) | 'instances'=0");
	free(out);
	set(OPT_MISSING_STATE, "OK");
	out = render(&snap, NULL, &ev);
	cr_expect_eq(ev.state, STATE_OK);
	free(out);
}

/* Items are joined by one space whichever comes first (once "|  'baseline'=...B'instances'=0"). */
Test(output, a_missing_process_with_a_baseline_keeps_its_perfdata_apart)
{
	struct hr_snapshot snap = { .procs = NULL, .n = 0, .rows_walked = 61 };
	struct evaluation ev;
	char *out;

	set(OPT_BASELINE, "40MB");
	out = render(&snap, NULL, &ev);
	cr_expect_str_eq(first_line(out), "ASYNC_LEAK CRITICAL - Async.exe not running (no match among"
			 " 61 processes) | 'baseline'=41943040B 'instances'=0");
	free(out);
}

/* The limit's source is said where it is chosen, not guessed from its value. */
Test(output, the_limit_names_its_source_even_when_it_equals_the_physical_memory)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = 524288 };
	struct proc_total total;
	struct evaluation ev;
	enum limit_source src;

	cr_assert_eq(proc_total(&snap, &total), 0);
	cr_expect_float_eq(evaluate_limit(&cfg, total.host_mem_bytes, &src), 512.0 * 1048576, 1e-3);
	cr_expect_eq(src, LIMIT_PHYSICAL);
	cr_expect_float_eq(evaluate_limit(&cfg, 0, &src), 0, 1e-9);
	cr_expect_eq(src, LIMIT_NONE);
	set(OPT_CRITICAL, "512MB");
	cr_expect_float_eq(evaluate_limit(&cfg, total.host_mem_bytes, &src), 512.0 * 1048576, 1e-3);
	cr_expect_eq(src, LIMIT_CRITICAL);
	set(OPT_LIMIT, "256MB");
	cr_expect_float_eq(evaluate_limit(&cfg, total.host_mem_bytes, &src), 256.0 * 1048576, 1e-3);
	cr_expect_eq(src, LIMIT_OPTION);
	evaluate(&cfg, &match, &snap, &total, NULL, false, &ev);
	cr_expect_eq(ev.limit_source, LIMIT_OPTION);
	proc_total_release(&total);
}

/* evaluate alone decides: a failed history turns OK into UNKNOWN, a busy one only notes. */
Test(output, a_failed_history_is_unknown_and_a_busy_one_a_note)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = -1 };
	struct history_outcome hist = { HISTORY_FAILED, "cannot write x.state: No space", NULL,
					NULL, NULL };
	struct proc_total total;
	struct evaluation ev;

	cr_assert_eq(proc_total(&snap, &total), 0);
	evaluate(&cfg, &match, &snap, &total, &hist, true, &ev);
	cr_expect_eq(ev.state, STATE_UNKNOWN);
	cr_expect_str_eq(ev.reason, "history: cannot write x.state: No space");
	cr_assert_eq(ev.n_notes, 2);
	cr_expect_str_eq(ev.notes[0], "History unavailable, no trend: cannot write x.state: No space");
	cr_expect(strstr(ev.notes[1], "chmod 600") != NULL);
	cr_expect_not(ev.have_trend);

	hist.status = HISTORY_BUSY;
	evaluate(&cfg, &match, &snap, &total, &hist, false, &ev);
	cr_expect_eq(ev.state, STATE_OK);
	cr_assert_eq(ev.n_notes, 1);
	cr_expect_str_eq(ev.notes[0], "History busy, no trend this time: cannot write x.state:"
			 " No space; this sample is not recorded.");
	proc_total_release(&total);
}

Test(output, instance_thresholds_appear_in_state_and_perfdata)
{
	struct hr_proc two[2] = { one[0], one[0] };
	struct hr_snapshot snap = { .procs = two, .n = 2, .mem_size_kb = -1 };
	struct evaluation ev;
	char *out;

	two[1].index = 2412;
	set(OPT_INSTANCES_CRITICAL, "1:1");
	out = render(&snap, NULL, &ev);
	cr_expect_eq(ev.state, STATE_CRITICAL);
	cr_expect(strstr(out, "(2 instances), instances above critical 1") != NULL, "%s", out);
	cr_expect(strstr(out, "'instances'=2;;1:1;0\n") != NULL, "%s", out);
	free(out);
}

Test(output, advice_can_be_replaced_or_silenced)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = -1 };
	struct evaluation ev;
	char *out;

	set(OPT_CRITICAL, "1MB");
	set(OPT_ADVICE, "Call the Exchange team.");
	out = render(&snap, NULL, &ev);
	cr_expect(strstr(out, "Advice: Call the Exchange team.\n") != NULL, "%s", out);
	free(out);
	set(OPT_ADVICE, "none");
	out = render(&snap, NULL, &ev);
	cr_expect_null(strstr(out, "Advice:"), "%s", out);
	free(out);
}

Test(output, no_advice_when_ok)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = -1 };
	struct evaluation ev;
	char *out = render(&snap, NULL, &ev);

	cr_expect_null(strstr(out, "Advice:"), "%s", out);
	free(out);
}

Test(output, leak_line_carries_growth_forecast_and_baseline)
{
	struct hr_proc p = one[0];
	struct hr_snapshot snap = { .procs = &p, .n = 1, .mem_size_kb = 524288 };
	struct trend_result tr = {
		.verdict = TREND_LEAK, .have_slope = true, .slope_bph = 2202009,
		.slope_low_bph = 1800000, .confidence = 0.999, .window_s = 86400,
		.rising_s = 11 * 3600, .have_forecast = true, .timeleft_s = 336960,
		.floor_bytes = 60.0 * 1048576, .segment_age_s = 3 * 86400,
		.have_baseline = true, .baseline_bytes = 41943040,
		.growth_state = STATE_WARNING, .timeleft_state = STATE_OK,
		.growth_warning_bph = 1048576, .growth_critical_bph = 4194304,
	};
	struct evaluation ev;
	char *out;

	p.mem_kb = 62771;
	set(OPT_LIMIT, "256MB");
	set(OPT_GROWTH_WARNING, "1MB/h");
	set(OPT_GROWTH_CRITICAL, "4MB/h");
	set(OPT_TIMELEFT_WARNING, "48h");
	set(OPT_TIMELEFT_CRITICAL, "6h");
	out = render(&snap, &tr, &ev);
	cr_expect_eq(ev.state, STATE_WARNING);
	cr_expect(strstr(out, "ASYNC_LEAK WARNING - Async.exe 61.3 MiB (1 instance), leaking +2.1 MiB/h"
			 " for 11 h, limit 256.0 MiB in ~3.9 d | ") == out, "%s", out);
	cr_expect(strstr(out, "| 'mem'=64277504B;;;0;536870912 'floor'=62914560B 'limit'=268435456B"
			 " 'growth'=2202009;1048576;4194304 'timeleft'=336960s"
			 " 'timeleft_warning'=172800s 'timeleft_critical'=21600s"
			 " 'baseline'=41943040B 'instances'=1\n") != NULL, "%s", out);
	cr_expect(strstr(out, "Limit 256.0 MiB (--limit) reached in ~3.9 d at this rate.") != NULL,
		  "%s", out);
	free(out);
}

Test(output, a_restart_is_reported_while_collecting)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = -1 };
	struct trend_result tr = {
		.verdict = TREND_COLLECTING, .restarted = true, .segment_age_s = 35 * 60,
	};
	struct evaluation ev;
	char *out;

	snprintf(tr.restart_desc, sizeof tr.restart_desc, "index 1388 -> 2412");
	out = render(&snap, &tr, &ev);
	cr_expect_eq(ev.state, STATE_OK);
	cr_expect(strstr(out, "(1 instance), restarted 35 min ago | ") != NULL, "%s", out);
	cr_expect(strstr(out, "Restarted 35 min ago (index 1388 -> 2412).\n") != NULL, "%s", out);
	cr_expect(strstr(out, "Trend: collecting history, 35 min of 12 h so far.") != NULL, "%s", out);
	free(out);
}

Test(output, worst_state_ranks_critical_warning_unknown_ok)
{
	cr_expect_eq(state_worst(STATE_OK, STATE_UNKNOWN), STATE_UNKNOWN);
	cr_expect_eq(state_worst(STATE_WARNING, STATE_UNKNOWN), STATE_WARNING);
	cr_expect_eq(state_worst(STATE_CRITICAL, STATE_WARNING), STATE_CRITICAL);
	cr_expect_eq(state_worst(STATE_OK, STATE_OK), STATE_OK);
}

Test(output, state_names_are_the_plugin_guidelines_words)
{
	cr_expect_str_eq(state_name(STATE_OK), "OK");
	cr_expect_str_eq(state_name(STATE_WARNING), "WARNING");
	cr_expect_str_eq(state_name(STATE_CRITICAL), "CRITICAL");
	cr_expect_str_eq(state_name(STATE_UNKNOWN), "UNKNOWN");
	cr_expect_str_eq(state_name((enum state)STATE_COUNT), "?");
}

Test(output, secrets_are_never_written)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = -1 };
	struct evaluation ev;
	char *out;

	set(OPT_COMMUNITY, "s3cretCommunity");
	cfg.verbose = 3;
	out = render(&snap, NULL, &ev);
	cr_expect_null(strstr(out, "s3cret"), "%s", out);
	free(out);
}

Test(output, a_threshold_whose_ends_cross_once_resolved_is_unknown_not_dropped)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = -1 };
	struct evaluation ev;
	char *out;

	set(OPT_BASELINE, "40MB");
	set(OPT_WARNING, "150%:50MB");
	out = render(&snap, NULL, &ev);
	cr_expect_eq(ev.state, STATE_UNKNOWN);
	cr_expect(strncmp(out, "ASYNC_LEAK UNKNOWN - --warning: ", 32) == 0, "%s", out);
	free(out);
}

Test(output, vv_lists_settings_with_their_origin_and_masks_secrets)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = -1 };
	struct evaluation ev;
	char *out;

	cr_assert_eq(config_set(&cfg, OPT_COMMUNITY, "s3cretCommunity", ORIGIN_INI_DEFAULTS,
				err, sizeof err), 0);
	cr_assert_eq(config_set(&cfg, OPT_WARNING, "150%", ORIGIN_INI_SECTION, err, sizeof err), 0);
	set(OPT_BASELINE, "40MB");
	cfg.verbose = 2;
	out = render(&snap, NULL, &ev);
	cr_expect(strstr(out, "Settings: hostname=exch01 (command line); community=(secret)"
			 " ([defaults]); warning=150% (host section); baseline=40MB (command line);")
		  != NULL, "%s", out);
	cr_expect_null(strstr(out, "s3cret"), "%s", out);
	free(out);
}

/* ---- whatever the text, one status line and one '|' ---- */

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* Line 1 has exactly one '|', right before the perfdata; no other line
 * has any; no control byte but the newlines between lines. */
static void expect_clean(const char *out)
{
	const char *nl = strchr(out, '\n'), *p;

	cr_assert_not_null(nl);
	cr_expect_eq(count_char(out, '|'), 1, "one '|' in all: %s", out);
	cr_expect(memchr(out, '|', (size_t)(nl - out)) != NULL, "the '|' is on line 1: %s", out);
	cr_expect(strstr(out, " | '") != NULL, "before the perfdata: %s", out);
	for (p = out; *p; p++)
		cr_expect((unsigned char)*p >= 0x20 || *p == '\n', "control byte 0x%02x in %s",
			  (unsigned char)*p, out);
	cr_expect_eq(out[strlen(out) - 1], '\n');
}

Test(output, a_pipe_or_a_newline_in_a_regex_stays_out_of_the_perfdata)
{
	struct hr_snapshot snap = { .procs = one, .n = 1, .mem_size_kb = 524288, .rows_walked = 61 };
	struct evaluation ev;
	char *out;

	proc_match_release(&match);
	cr_assert_eq(proc_match_init(&match, "Async.exe", "async|mad", NULL, err, sizeof err), 0);
	set(OPT_WARNING, "20MB");
	set(OPT_ADVICE, "restart | or \x1b[31mnot\x1b[0m\nnow");
	out = render(&snap, NULL, &ev);
	expect_clean(out);
	cr_expect(strncmp(out, "ASYNC_LEAK WARNING - /async!mad/ 48.1 MiB (1 instance), above "
			  "warning 20.0 MiB | 'mem'=", 77) == 0, "%s", out);
	cr_expect(strstr(out, "Advice: restart ! or ?[31mnot?[0m\nnow\n") != NULL, "%s", out);
	free(out);

	proc_match_release(&match);
	cr_assert_eq(proc_match_init(&match, "Async.exe", "a\nb|c\x1b", NULL, err, sizeof err), 0);
	snap.n = 0;
	out = render(&snap, NULL, &ev);
	expect_clean(out);
	cr_expect(strncmp(out, "ASYNC_LEAK CRITICAL - /a?b!c?/ not running", 42) == 0, "%s", out);
	free(out);
}

Test(output, agent_text_in_the_long_output_cannot_add_perfdata)
{
	struct hr_proc p = one[0];
	struct hr_snapshot snap = { .procs = &p, .n = 1, .mem_size_kb = 524288, .rows_walked = 61 };
	struct evaluation ev;
	char *out;

	snprintf(p.path, sizeof p.path, "C:\\x| 'fake'=1;2;3\r\n");
	out = render(&snap, NULL, &ev);
	expect_clean(out);
	cr_expect(strstr(out, "C:\\x! 'fake'=1;2;3?\n") != NULL, "%s", out);
	free(out);
}

Test(output, the_sanitizer_keeps_printable_text_and_utf8)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char in[] = "ok \xc3\xa4\xe2\x82\xac|\t\x7f\xc2\x85\xc0\xaf\xed\xa0\x80\xff\n";

	output_sanitize(f, in, sizeof in - 1, false);
	fputc('#', f);
	output_sanitize(f, "a\nb", 3, true);
	fclose(f);
	/* a-umlaut and the euro sign pass; '|' '!', tab ' ', DEL '?', the C1
	 * control U+0085 '??', an overlong '/' '??', a surrogate '???', 0xff '?',
	 * the newline of line 1 '?'. */
	cr_expect_str_eq(buf, "ok \xc3\xa4\xe2\x82\xac! ??????????#a\nb");
	free(buf);
	f = open_memstream(&buf, &len);
	output_unknown(f, "--regex 'a|(' is not valid\n\x1b[2J");
	fclose(f);
	cr_expect_str_eq(buf, "ASYNC_LEAK UNKNOWN - --regex 'a!(' is not valid??[2J\n");
	free(buf);
}
