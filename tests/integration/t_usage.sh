#!/usr/bin/env bash
# Bad input always gets one clear line, the short usage and exit 3; no
# crash, no signal, no secret echoed.
. "$(dirname "$0")/lib.sh"

usage_case() {	# expected-message-regex args...
	local want=$1
	shift
	run_plugin "$@"
	expect_rc 3 "$* -> exit 3"
	expect_match "^ASYNC_LEAK UNKNOWN - $want" "$* -> names the problem"
	expect_match "Usage: check_async_leak" "$* -> short usage"
}

usage_case "unknown option '--frobnicate'" -H x --frobnicate
usage_case "unknown option '-Z'" -H x -Z
usage_case "option '-w' needs a value" -H x -w
usage_case "unexpected argument 'extra'" -H x extra
usage_case "no host given" -w 10MB
usage_case "--warning: " -H x -w 10XB
usage_case "--critical: " -H x -c 20MB:10MB
usage_case "--port: '0' is not a whole number" -H x -p 0
usage_case "--protocol: '4' is not one of 1, 2c or 3" -H x -P 4
usage_case "--timeout: " -H x -t -5
usage_case "percent thresholds need --baseline" -H x -w 150%
usage_case "SNMPv3 needs a user name" -H x -P 3
usage_case "--authpasswd: SNMPv3 passphrases need at least 8" -H x -P 3 -U u -A short
usage_case "--missing-state: " -H x --missing-state PANIC
usage_case "--growth-warning: " -H x --growth-warning fast
usage_case "-U/--secname is for SNMPv3, not for SNMPv2c \(-P 2c\)" -H x -P 2c -U nagmon
usage_case "-C/--community is for SNMPv1/v2c, not for SNMPv3 \(-P 3\)" -H x -P 3 -U u -C Sup3rSecret
usage_case "--instances-warning: '1.5' is not a whole number of instances" -H x --instances-warning 1.5

# --replay of a file that cannot be read says so first, whatever else is missing.
run_plugin --replay "$T/none.txt"
expect_rc 3 "--replay of a missing file, no --limit: exit 3"
expect_match "^ASYNC_LEAK UNKNOWN - cannot read $T/none.txt: No such file or directory$" \
	"--replay of a missing file: the read error, not --timeleft-*"
printf '1700000000 1000\n' >"$T/one.txt"
run_plugin --replay "$T/one.txt"
expect_rc 3 "--replay without --limit: exit 3"
expect_match "^ASYNC_LEAK UNKNOWN - --timeleft-\* in a replay needs --limit \(the time-left horizons are on by default\)$" \
	"--replay without --limit: says the horizons are the defaults"

run_plugin -H x -P 3 -U u -A tiny7ch
expect_no_match "tiny7ch" "a bad passphrase is not echoed"

run_plugin --version
expect_rc 3 "--version exits UNKNOWN"
expect_match "^check_async_leak [0-9]+\.[0-9]+\.[0-9]+$" "--version prints the version"

run_plugin -h
expect_rc 3 "-h exits UNKNOWN"
long=$(printf '%s\n' "$OUT" | awk 'length > 80' | head -1)
[ -z "$long" ] && ok "help fits 80 columns" || fail "help line over 80 columns: $long"

# Many random bad inputs: always exit 3, never a signal (rc > 128).
for args in "-w @" "-w ~:" "-c ::" "-w 1e999" "-w nan" "-w -inf" "-t 99999999999" \
	"-p 99999999999999999999" "--baseline -5MB" "--limit 0" "-w 1.2.3MB" "-r (" "--path ["; do
	# shellcheck disable=SC2086
	run_plugin -H 127.0.0.1 -p 9 -t 1 $args
	if [ "$RC" -eq 3 ] || [ "$RC" -eq 0 ]; then ok "'$args' -> $RC"; else fail "'$args' -> $RC: $OUT"; fi
done
finish
