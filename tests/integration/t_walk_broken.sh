#!/usr/bin/env bash
# A broken walk is UNKNOWN with its reason, never "not running": a fake
# agent on 127.0.0.1 (tests/sim/fakeagent.c, hand-made BER) that loops on
# hrSWRunName.1, goes back, or loses a varbind of a GETBULK / GETNEXT
# answer.  The same agent answering correctly gives OK, and under SNMPv1 its
# noSuchName at the end of the view ends the walk as it should.
. "$(dirname "$0")/lib.sh"

agent() {	# agent MODE: (re)start the fake agent in MODE
	[ -n "${FAKE_PID:-}" ] && { kill -TERM "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; }
	start_fakeagent "$1" || { fail "fake agent ($1) did not start"; finish; }
}

check() {	# check PROTO [ARGS...]
	local proto=$1
	shift
	run_plugin -H 127.0.0.1 -p "$FAKE_PORT" -P "$proto" -C public -t 4 \
		--state-dir "$T/state" "$@"
}

agent ok
for v in 1 2c; do
	check "$v"
	expect_rc 0 "v$v, a correct fake agent: OK"
	expect_match '^ASYNC_LEAK OK - Async.exe 48.1 MiB \(1 instance\)' "v$v, correct agent: the row is found"
	check "$v" --path 'msmcon'
	expect_rc 0 "v$v, correct agent, two columns (--path): OK"
done

agent loop
for v in 1 2c; do
	check "$v"
	expect_rc 3 "v$v, agent looping on hrSWRunName.1: UNKNOWN"
	expect_match '^ASYNC_LEAK UNKNOWN - the agent at 127\.0\.0\.1:[0-9]+ broke the walk: OID not increasing \(hrSWRunName\.1 after hrSWRunName\.1\)$' \
		"v$v, looping agent: says OID not increasing"
	expect_no_match 'not running' "v$v, looping agent: no false 'not running'"
done

agent back
for v in 1 2c; do
	check "$v"
	expect_rc 3 "v$v, OID that goes back: UNKNOWN"
	expect_match 'broke the walk: OID went back \(hrSWRunName\.1 after hrSWRunName\.4\)$' \
		"v$v, OID that goes back: says so"
	expect_no_match 'not running' "v$v, OID that goes back: no false 'not running'"
done

agent missing
check 2c --path 'msmcon'
expect_rc 3 "GETBULK answer that lost a varbind: UNKNOWN"
expect_match 'broke the walk: varbind missing \(hrSWRunName\.1388 after hrSWRunPath\.1\)$' \
	"GETBULK answer that lost a varbind: says varbind missing"
check 1 --path 'msmcon'
expect_rc 3 "GETNEXT answer with one varbind of two: UNKNOWN"
expect_match 'broke the walk: varbind missing \(1 of 2 in the answer to a GETNEXT\)$' \
	"GETNEXT answer with one varbind of two: says varbind missing"
check 2c
expect_rc 0 "one column, nothing to lose: OK"

agent v1end
check 1
expect_rc 0 "v1, noSuchName at the end of the view: the end of the walk, OK"
expect_match '^ASYNC_LEAK OK - Async.exe' "v1, noSuchName at the end: the process is found"
check 2c
expect_rc 0 "v2c, endOfMibView at the end of the view: OK"
expect_stderr_empty "nothing on stderr"


# Replies cut in half: the library drops them, the request times out, yet
# it is not "no response".
agent garbage
for v in 1 2c; do
	check "$v"
	expect_rc 3 "v$v, truncated replies: UNKNOWN"
	expect_match '^ASYNC_LEAK UNKNOWN - the agent at 127\.0\.0\.1:[0-9]+ answered, but with replies that cannot be decoded \(garbled or truncated\); no valid response after 4 s$' \
		"v$v, truncated replies: says so, not 'no response'"
done

finish
