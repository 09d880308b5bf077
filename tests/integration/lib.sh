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
# A real Icinga 2 in $T (t_icinga*, t_dashboard, t_ipv6)
#   icinga_setup [DIR...]  needs icinga2 (else a failed assertion and finish);
#                          makes I=$T/icinga2 with run, data, spool, cache,
#                          log, pd (and DIR...) and ICINGA_ARGS, the daemon's
#                          -c $I/icinga2.conf and directory options
#   icinga_conf_head [PLUGINDIR]
#                          prints the start of an icinga2.conf: PluginDir
#                          (default: the plugin's directory), the ITL, a
#                          CheckerComponent and a PerfdataWriter into $I/pd
#   icinga_start           starts the daemon (tracked; its output in
#                          $T/icinga.out); sets ICINGA_PID
#   icinga_wait_cmd        waits (at most 30 s) for the command pipe; 1 if not
#   icinga_check_now HOST  forces a check of HOST's service async-leak now
#   icinga_wait_perfdata HOST [STATE [FILE]]
#                          waits (at most 60 s) for a PerfdataWriter line of
#                          HOST (in STATE; and FILE non-empty); sets LINE
#   pd_field NAME          field NAME of LINE (SERVICESTATE, SERVICEPERFDATA...)
#   start_carbon FILE      a carbon (Graphite) stand-in on 127.0.0.1 appending
#                          the lines it gets to FILE (FILE.conn once a writer
#                          connected), tracked; sets CARBON_PORT
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

icinga_setup() {
	local d
	command -v icinga2 >/dev/null || { fail "icinga2 not installed (icinga2-bin)"; finish; }
	I=$T/icinga2
	mkdir -p "$I/run" "$I/data" "$I/spool" "$I/cache" "$I/log" "$I/pd"
	for d in "$@"; do mkdir -p "$I/$d"; done
	ICINGA_ARGS=(-c "$I/icinga2.conf" -DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)"
		-DInitRunDir="$I/run" -DDataDir="$I/data" -DSpoolDir="$I/spool" -DCacheDir="$I/cache"
		-DLogDir="$I/log" -DPidPath="$I/run/icinga2.pid")
}

icinga_conf_head() {
	cat <<EOF
const PluginDir = "${1:-$(dirname "$PLUGIN")}"
include <itl>
include <plugins>

object CheckerComponent "checker" { }
object PerfdataWriter "pd" {
	service_perfdata_path = "$I/pd/service.perfdata"
	service_temp_path = "$I/pd/service.tmp"
	host_perfdata_path = "$I/pd/host.perfdata"
	host_temp_path = "$I/pd/host.tmp"
	rotation_interval = 1s
}
EOF
}

icinga_start() {
	icinga2 daemon "${ICINGA_ARGS[@]}" >"$T/icinga.out" 2>&1 &
	ICINGA_PID=$!
	track_pid "$ICINGA_PID"
}

icinga_wait_cmd() {
	local i
	for ((i = 0; i < 60; i++)); do
		[ -p "$I/run/icinga2.cmd" ] && return 0
		kill -0 "$ICINGA_PID" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

icinga_check_now() {
	local now
	now=$(date +%s)
	echo "[$now] SCHEDULE_FORCED_SVC_CHECK;$1;async-leak;$now" >"$I/run/icinga2.cmd"
}

icinga_wait_perfdata() {
	local i
	for ((i = 0; i < 120; i++)); do
		LINE=$(cat "$I"/pd/service.perfdata.* 2>/dev/null |
			grep -F "HOSTNAME::$1	" | grep -F "SERVICESTATE::${2:-}" | tail -n 1)
		[ -n "$LINE" ] && { [ -z "${3:-}" ] || [ -s "$3" ]; } && return 0
		kill -0 "$ICINGA_PID" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

pd_field() {
	printf '%s\n' "$LINE" | tr '\t' '\n' | sed -n "s/^$1:://p"
}

start_carbon() {
	local i
	rm -f "$1.port"
	perl -MIO::Socket::INET -e '
		$| = 1;
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 5, ReuseAddr => 1) or die "listen: $!";
		open(my $p, ">", "$ARGV[0].port") or die; print $p $s->sockport, "\n"; close $p;
		open(my $o, ">>", $ARGV[0]) or die; select($o); $| = 1;
		while (my $c = $s->accept) {
			open(my $m, ">>", "$ARGV[0].conn") and close $m;
			while (my $l = <$c>) { print $o $l }
			close $c;
		}
	' "$1" 2>"$T/carbon.err" &
	track_pid $!
	for ((i = 0; i < 50; i++)); do [ -s "$1.port" ] && break; sleep 0.1; done
	CARBON_PORT=$(cat "$1.port" 2>/dev/null)
	[ -n "$CARBON_PORT" ]
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
