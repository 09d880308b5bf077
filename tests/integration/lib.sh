# tests/integration/lib.sh - the API every tests/integration/t_*.sh uses.
# Source it first:   . "$(dirname "$0")/lib.sh"     (bash)
#
# Environment (run.sh and `make integration` set them; standalone runs get
# defaults from the repo): PLUGIN (absolute path of the plugin binary),
# BUILD (absolute path of build/), T (a fresh temp dir of this test's own;
# made here when unset and then removed at exit), SANITIZED=1 under
# `make sanitize` (PLUGIN is then an ASan/UBSan build).
#
# Running the plugin
#   run_plugin ARGS...     runs "$PLUGIN" ARGS with a 60 s timeout; sets
#                          OUT (stdout), ERR (stderr), RC (exit code) and
#                          ELAPSED_MS.  A sanitizer report on stderr is
#                          itself a failed assertion.
# Assertions (each prints "ok N - DESC" or "not ok N - DESC")
#   ok DESC / fail DESC    record a result yourself
#   expect_rc N DESC       RC is N
#   expect_match ERE DESC  some line of OUT matches the extended regex
#   expect_no_match ERE DESC
#   expect_stderr_empty DESC
#   finish                 last line of every test: prints the totals and
#                          exits non-zero when anything failed
# Processes and agents
#   track_pid PID          stopped (TERM, then KILL after 5 s) at exit
#   simhost_* / SIM_*      from tests/sim/simhost.sh, sourced here; the
#                          agent a test starts is stopped at exit
#   start_hog MIB [NAME]   starts $BUILD/hog/Async.exe holding MIB MiB,
#                          tracked; sets HOG_PID (waits until it is touched)
#   hog_rss_kb PID         VmRSS of a process, in KB
#   start_fakeagent MODE [DELAY_MS[-MAX_MS]]
#                          starts $BUILD/fakeagent (tests/sim/fakeagent.c:
#                          hand-made BER on 127.0.0.1; MODE ok, loop, back,
#                          missing, v1end, toobig, garbage), tracked; sets FAKE_PORT, FAKE_PID
#
# Keep this API stable: the INI, Nagios and Icinga tests use it too.

set -u

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$LIB_DIR/../.." && pwd)
: "${BUILD:=$ROOT/build}"
: "${PLUGIN:=$ROOT/plugin/check_async_leak}"
: "${SANITIZED:=0}"
export BUILD PLUGIN SANITIZED ROOT

_LIB_OWN_T=0
if [ -z "${T:-}" ]; then
	T=$(mktemp -d "${TMPDIR:-/tmp}/itest.XXXXXX") || exit 1
	_LIB_OWN_T=1
fi
export T

# shellcheck source=tests/sim/simhost.sh
. "$ROOT/tests/sim/simhost.sh"

PASSED=0
FAILED=0
_TRACKED_PIDS=()
OUT= ERR= RC= ELAPSED_MS=

ok() {
	PASSED=$((PASSED + 1))
	echo "ok $((PASSED + FAILED)) - $*"
}

fail() {
	FAILED=$((FAILED + 1))
	echo "not ok $((PASSED + FAILED)) - $*"
}

# The first line of OUT, for failure messages.
_first_line() {
	printf '%s\n' "$OUT" | head -n 1
}

run_plugin() {
	local t0 t1
	t0=$(date +%s%N)
	OUT=$(ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:exitcode=86" \
		UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}:exitcode=86" \
		timeout -k 5 60 "$PLUGIN" "$@" 2>"$T/.stderr")
	RC=$?
	t1=$(date +%s%N)
	ELAPSED_MS=$(( (t1 - t0) / 1000000 ))
	ERR=$(cat "$T/.stderr")
	if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/.stderr"; then
		fail "sanitizer report for: $*"
		sed 's/^/#   /' "$T/.stderr" | head -n 40
	fi
	return 0
}

expect_rc() {
	if [ "$RC" = "$1" ]; then
		ok "$2"
	else
		fail "$2 (exit $RC, expected $1: $(_first_line))"
	fi
}

expect_match() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then
		ok "$2"
	else
		fail "$2 (no match for /$1/ in: $(_first_line))"
	fi
}

expect_no_match() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then
		fail "$2 (/$1/ matched: $(printf '%s\n' "$OUT" | grep -E -- "$1" | head -n 1))"
	else
		ok "$2"
	fi
}

expect_stderr_empty() {
	if [ -z "$ERR" ]; then
		ok "$1"
	else
		fail "$1 (stderr: $(printf '%s\n' "$ERR" | head -n 1))"
	fi
}

track_pid() {
	_TRACKED_PIDS+=("$1")
}

start_hog() {
	local mib=$1 i
	"$BUILD/hog/Async.exe" "$mib" "$T/hog.ready.$$" >/dev/null 2>&1 &
	HOG_PID=$!
	track_pid "$HOG_PID"
	for i in $(seq 1 100); do
		[ -e "$T/hog.ready.$$" ] && { rm -f "$T/hog.ready.$$"; return 0; }
		kill -0 "$HOG_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "start_hog: the hog did not get ready" >&2
	return 1
}

hog_rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

start_fakeagent() {
	local i pf="$T/fakeagent.port.$$.$RANDOM"
	rm -f "$pf"
	"$BUILD/fakeagent" "$1" "$pf" "${2:-0}" 600 >/dev/null 2>"$T/fakeagent.err" &
	FAKE_PID=$!
	track_pid "$FAKE_PID"
	for i in $(seq 1 100); do
		if [ -s "$pf" ]; then
			FAKE_PORT=$(cat "$pf")
			rm -f "$pf"
			return 0
		fi
		kill -0 "$FAKE_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "start_fakeagent: the fake agent did not start: $(cat "$T/fakeagent.err")" >&2
	return 1
}

_lib_cleanup() {
	local pid i
	simhost_stop >/dev/null 2>&1
	for pid in "${_TRACKED_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || continue
		for i in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	[ "$_LIB_OWN_T" = 1 ] && rm -rf "$T"
	return 0
}
trap _lib_cleanup EXIT
trap 'exit 143' TERM INT HUP

finish() {
	echo "# finished: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && exit 0
	exit 1
}
