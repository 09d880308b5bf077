#!/usr/bin/env bash
# tests/integration/run.sh [PATTERN] - runs every tests/integration/t_*.sh
# (or those whose name contains PATTERN), each with bash in a fresh temp dir
# $T and a time limit (TEST_TIMEOUT, 300 s), and ends with the line
# "N passed, N failed" counting assertions.  Exit status 1 when any
# assertion failed or a test did not finish.  A failed test's $T is kept
# (its path printed); KEEP=1 keeps every one.
#
# PLUGIN and BUILD must be absolute paths (make integration sets them).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${BUILD:=$root/build}"
: "${PLUGIN:=$root/plugin/check_async_leak}"
: "${TEST_TIMEOUT:=300}"
export BUILD PLUGIN

case "$PLUGIN$BUILD" in
	/*/*) ;;
	*) echo "run.sh: PLUGIN and BUILD must be absolute paths" >&2; exit 2 ;;
esac
[ -x "$PLUGIN" ] || { echo "run.sh: $PLUGIN is not built (make)" >&2; exit 2; }
[ -x "$BUILD/hrsim" ] && [ -x "$BUILD/hog/Async.exe" ] && [ -x "$BUILD/fakeagent" ] ||
	{ echo "run.sh: helpers not built (make helpers)" >&2; exit 2; }

passed=0 failed=0 broken=0
for t in "$here"/t_*.sh; do
	name=$(basename "$t" .sh)
	case "$name" in *"${1:-}"*) ;; *) continue ;; esac
	T=$(mktemp -d "${TMPDIR:-/tmp}/itest-$name.XXXXXX") || exit 2
	export T
	start=$(date +%s)
	timeout -k 10 "$TEST_TIMEOUT" bash "$t" >"$T/.log" 2>&1 </dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	p=$(grep -c '^ok ' "$T/.log")
	f=$(grep -c '^not ok ' "$T/.log")
	done_line=$(grep -c '^# finished: ' "$T/.log")
	status=PASS
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		status="TIMEOUT after ${TEST_TIMEOUT}s"; f=$((f + 1)); broken=$((broken + 1))
	elif [ "$done_line" -eq 0 ]; then
		status="DIED (exit $rc) before finish"; f=$((f + 1)); broken=$((broken + 1))
	elif [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		status=FAIL
		[ "$f" -eq 0 ] && f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-28s %-8s %3d ok %3d failed  %3ds\n' "$name" "${status%% *}" "$p" "$f" "$secs"
	if [ "$status" != PASS ]; then
		[ "${status%% *}" != FAIL ] && echo "    $status"
		grep -E '^not ok |^#' "$T/.log" | grep -v '^# finished' | sed 's/^/    /' | head -n 30
		echo "    log and files kept in $T"
	elif [ "${KEEP:-0}" = 1 ]; then
		echo "    kept $T"
	else
		rm -rf "$T"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
