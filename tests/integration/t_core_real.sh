#!/usr/bin/env bash
# A real process named Async.exe (build/hog/Async.exe) holding a known
# amount of memory, seen through snmpd's own HOST-RESOURCES modules: the
# plugin's 'mem' is the process's RSS.
. "$(dirname "$0")/lib.sh"

start_hog 64 || { fail "the hog did not start"; finish; }
simhost_start_real "$T/agent" || { fail "real agent did not start"; finish; }
A=(-H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" --state-dir "$T/state")

# within PCT percent: $1 measured bytes, $2 expected bytes
close_to() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100) }'; }

check_rss() {	# description
	local rss mem
	run_plugin "${A[@]}" -w 1GB -c 2GB
	rss=$(( $(hog_rss_kb "$HOG_PID") * 1024 ))
	mem=$(printf '%s\n' "$OUT" | sed -n "s/.*'mem'=\([0-9]*\)B.*/\1/p" | head -n 1)
	expect_rc 0 "$1: OK"
	expect_match "'instances'=1" "$1: one instance"
	if [ -n "$mem" ] && close_to "$mem" "$rss" 3; then
		ok "$1: 'mem' $mem B is within 3% of VmRSS $rss B"
	else
		fail "$1: 'mem' '$mem' B vs VmRSS $rss B"
	fi
}
check_rss "64 MiB hog"
expect_match "index $HOG_PID" "the index is the hog's PID"
expect_stderr_empty "nothing on stderr"

kill -USR1 "$HOG_PID"
for i in $(seq 1 50); do [ -e "$T/hog.ready.$$" ] && break; sleep 0.1; done
rm -f "$T/hog.ready.$$"
sleep 1.2	# the agent's process cache, cut to 1 s by simhost_start_real
check_rss "grown to 128 MiB"

run_plugin -H 127.0.0.1 -p "$SIM_PORT" --state-dir "$T/state" -P 3 -U "$SIM_V3_USER" -L authPriv -a SHA-256 -A "$SIM_V3_AUTHPASS" \
	-x AES -X "$SIM_V3_PRIVPASS"
expect_rc 0 "SNMPv3 authPriv against the real agent: OK"
expect_match "'instances'=1" "SNMPv3: one instance"

run_plugin "${A[@]}" -n NoSuchProcess.exe
expect_rc 2 "a process that does not run: CRITICAL"
expect_match "'instances'=0" "instances=0"

finish
