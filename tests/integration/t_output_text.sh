#!/usr/bin/env bash
# Whatever the configuration writes, the real plugin keeps Nagios's format:
# line 1 is one line, '|' appears exactly once (before the perfdata) or, in
# an error without perfdata, not at all, never in the long output, and no
# control byte is written.
. "$(dirname "$0")/lib.sh"

start_fakeagent ok || { fail "fake agent did not start"; finish; }
C=(-H 127.0.0.1 -p "$FAKE_PORT" -C public -t 4 --state-dir "$T/state")

# shape WANT DESC: OUT has WANT '|' in all, all on line 1, no control byte.
shape() {
	local pipes first rest
	pipes=$(printf '%s' "$OUT" | tr -cd '|' | wc -c)
	first=$(printf '%s\n' "$OUT" | head -n 1 | tr -cd '|' | wc -c)
	rest=$(printf '%s\n' "$OUT" | tail -n +2 | tr -cd '|' | wc -c)
	if [ "$pipes" = "$1" ] && [ "$first" = "$1" ] && [ "$rest" = 0 ]; then
		ok "$2: $1 '|', on line 1 only"
	else
		fail "$2: $pipes '|' ($first on line 1, $rest after): $(printf '%s\n' "$OUT" | head -n 3)"
	fi
	if printf '%s' "$OUT" | LC_ALL=C grep -q '[[:cntrl:]]' ; then
		fail "$2: a control byte in the output"
	else
		ok "$2: no control byte"
	fi
}

run_plugin "${C[@]}" -r 'async|mad'
expect_rc 0 "-r 'async|mad': OK"
expect_match "^ASYNC_LEAK OK - /async!mad/ 48\.1 MiB \(1 instance\) \| 'mem'=" \
	"-r 'async|mad': the regex's '|' shown as '!', the perfdata after the one '|'"
shape 1 "-r 'async|mad'"

run_plugin "${C[@]}" -n '%n%s|x'
expect_rc 2 "-n '%n%s|x': not running"
expect_match "^ASYNC_LEAK CRITICAL - %n%s!x not running" "-n '%n%s|x': shown as text"
shape 1 "-n '%n%s|x'"

run_plugin "${C[@]}" -r $'asy\nnc'
expect_match '^ASYNC_LEAK CRITICAL - /asy\?nc/ not running' "a regex with a newline: one status line"
shape 1 "a regex with a newline"

run_plugin "${C[@]}" -n $'Async\e[2J.exe\r'
expect_match '^ASYNC_LEAK CRITICAL - Async\?\[2J\.exe\? not running' "ESC and CR in -n: shown as '?'"
shape 1 "ESC in -n"

run_plugin "${C[@]}" -w 1MB --advice $'restart it | now\nand\ttell\e[31m'
expect_rc 1 "--advice with '|': WARNING"
expect_match '^Advice: restart it ! now$' "--advice: its '|' shown as '!' in the long output"
shape 1 "--advice with '|', a newline, a tab, ESC"

run_plugin "${C[@]}" -r 'a|('
expect_rc 3 "a bad regex with '|': UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - --regex 'a!\(' is not a valid extended regex" "a bad regex: quoted with '!'"
shape 0 "a bad regex, no perfdata"

run_plugin "${C[@]}" $'--frob|x\e'
expect_rc 3 "an unknown option with '|': UNKNOWN"
expect_match '^Usage: check_async_leak' "an unknown option: the usage follows"
shape 0 "an unknown option and the usage"
finish
