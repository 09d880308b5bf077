#!/usr/bin/env bash
# The repeat check on the simulated Windows host: a check after a walk GETs
# the remembered rows in ONE request, and walks again when the answer no
# longer stands (the process restarted under a new index, its index was
# reused by another image or by the same image with less CPU time, the host
# rebooted, tooBig) or when --walk-interval has passed (a new second
# instance).  Also: no history, a damaged row line, SNMPv1, SNMPv3 (no
# second engine discovery), --replay of a state file with row lines.
. "$(dirname "$0")/lib.sh"

H=$ROOT/mib/hosts
simhost_start "$H/win2k-exch55.tbl" "$T/agent" || { fail "simulated host did not start"; finish; }
A=(-H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" --state-dir "$T/state" -vv)
state() { cat "$T"/state/*.state; }
# Moves the last walk back by $1 seconds in the state file.
age_walk() {
	local f
	f=$(ls "$T"/state/*.state)
	awk -v d="$1" '$1 == "#" && $2 == "rows" { $3 -= d } { print }' "$f" >"$f.new" &&
		mv "$f.new" "$f"
}

run_plugin "${A[@]}"
expect_rc 0 "first check: OK"
expect_match '60 processes walked \(no matched rows remembered\), 2 requests\.' \
	"-vv: the first check walks (one GETBULK of 64 rows, one GET)"
state | grep -q '^# row 1388 1862054 Async.exe C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\$' &&
	ok "the history remembers row 1388 with its CPU time, name and path" ||
	fail "no row line: $(state | grep '^# row')"
state | grep -Eq '^# rows [0-9]+ 86400000$' && ok "and the walk time and hrSystemUptime" ||
	fail "no rows line: $(state | grep '^# rows')"
first=$(printf '%s\n' "$OUT" | head -n 1)

run_plugin "${A[@]}"
expect_rc 0 "repeat check: OK"
expect_match 'repeat check: one GET of the 1 remembered row, 1 request\.' "-vv: one GET, 1 request"
[ "$(printf '%s\n' "$OUT" | head -n 1)" = "$first" ] && ok "the same first line as the walk" ||
	fail "first line differs: $(printf '%s\n' "$OUT" | head -n 1)"
expect_match 'index 1388: Async.exe C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\' "the row's long output line"
simhost_set_mem 1388 262144
run_plugin "${A[@]}" -w 200MB
expect_rc 1 "repeat check sees the new memory at once: WARNING"
expect_match 'one GET of the 1 remembered row, 1 request' "still through the one GET"
simhost_set_mem 1388 49256
simhost_set_field 1388 cpu 1900000
run_plugin "${A[@]}"
expect_match 'one GET of the 1 remembered row' "more CPU time: the same process, repeat check"

# A restarted process with a new index.
simhost_del_proc 1388
simhost_add_line 'proc 4000 1 100 30720 "Async.exe" "C:\exchsrvr\CONNECT\MSMCON\BIN\"'
run_plugin "${A[@]}"
expect_rc 0 "restarted under index 4000: OK"
expect_match 'processes walked \(repeat GET: process 1388 is gone\), 3 requests' \
	"-vv: the repeat GET found 1388 gone and the check walked (1 + 2 requests)"
expect_match "^index 4000: Async.exe" "the new index is found"
expect_match "'mem'=31457280B" "with its memory"
state | grep -q '^# row 4000 100 ' && ok "the history now remembers 4000" || fail "rows: $(state | grep '^# row')"
run_plugin "${A[@]}"
expect_match 'one GET of the 1 remembered row' "and the next check GETs 4000"

# Its index reused by another image.
simhost_set_field 4000 name notepad.exe
simhost_add_line 'proc 4100 1 50 20480 "Async.exe" "C:\exchsrvr\CONNECT\MSMCON\BIN\"'
run_plugin "${A[@]}"
expect_match "walked \(repeat GET: hrSWRunName.4000 is now 'notepad.exe'\)" \
	"-vv: index 4000 now names notepad.exe, the check walked"
expect_match "^index 4100: Async.exe" "the connector under 4100 is found"
expect_no_match "^index 4000" "notepad.exe is not counted"
expect_match "'instances'=1" "one instance"

# Its index reused by the same image: less CPU time than remembered.
simhost_set_field 4100 cpu 7
run_plugin "${A[@]}"
expect_match 'walked \(repeat GET: the CPU time of process 4100 went down: another process under the same index\)' \
	"-vv: CPU time went down under the same index, the check walked"
expect_rc 0 "and is OK"

# The host rebooted: hrSystemUptime went down.
sed 's/^uptime .*/uptime 500/' "$SIM_TABLE" >"$T/t" && simhost_set_table "$T/t"
run_plugin "${A[@]}"
expect_match 'walked \(repeat GET: hrSystemUptime went down \(the host restarted\)\)' \
	"-vv: uptime went down, the check walked"

# A new second instance: found by the walk the interval brings.
run_plugin "${A[@]}"
expect_match 'one GET of the 1 remembered row' "repeat check before the second instance"
simhost_add_line 'proc 4200 1 10 10240 "Async.exe" "C:\exchsrvr\CONNECT\MSMCON\BIN\"'
run_plugin "${A[@]}"
expect_match "'instances'=1" "within the interval the repeat check still sees one instance"
age_walk 1790
run_plugin "${A[@]}"
expect_match 'one GET of the 1 remembered row' "30 min less 10 s after the walk: still the GET"
age_walk 20
run_plugin "${A[@]}"
expect_match 'walked \(walk due: the last one was 30 min ago\), 2 requests' \
	"-vv: 30 min after the last walk the check walks (default --walk-interval 30m)"
expect_match "'instances'=2" "and finds the second instance"
state | grep -c '^# row ' | grep -qx 2 && ok "both rows remembered" || fail "rows: $(state | grep '^# row')"
run_plugin "${A[@]}"
expect_match 'one GET of the 2 remembered rows, 1 request\.' "two rows in one GET"
expect_match "'instances'=2" "two instances"
run_plugin "${A[@]}" --walk-interval 0
expect_match 'walked \(--walk-interval 0: every check walks\)' "--walk-interval 0 walks every time"
run_plugin "${A[@]}" --walk-interval 10m
expect_match 'one GET of the 2' "the interval is measured from the last walk"
age_walk 601
run_plugin "${A[@]}" --walk-interval 10m
expect_match 'walk due: the last one was 10 min ago' "--walk-interval 10m walks after 10 min"
run_plugin "${A[@]}" --walk-interval 10x
expect_rc 3 "--walk-interval 10x: UNKNOWN"
expect_match 'walk-interval' "names the option"

# One of two instances gone: the walk finds the other.
simhost_del_proc 4200
run_plugin "${A[@]}"
expect_match 'repeat GET: process 4200 is gone' "one of two rows gone: walk"
expect_match "'instances'=1" "one instance left"

# The process stops: the walk says so, and the next check tries the GET once more.
simhost_del_proc 4100
run_plugin "${A[@]}"
expect_rc 2 "not running: CRITICAL"
expect_match 'not running \(no match among' "from a walk"

# No history: a first check again.
rm -rf "$T/state"
simhost_set_table "$H/win2k-exch55.tbl"
run_plugin "${A[@]}"
expect_match '\(no matched rows remembered\)' "without a history the check walks"
# A damaged row line: noted, and the check walks.
f=$(ls "$T"/state/*.state)
sed 's/^# row 1388 .*/# row 1388 1862054 Async%zz.exe -/' "$f" >"$f.new" && mv "$f.new" "$f"
run_plugin "${A[@]}"
expect_match '1 damaged line ignored' "a damaged row line is noted"
expect_match '\(no matched rows remembered\)' "and the check walks"
run_plugin "${A[@]}"
expect_no_match 'damaged' "the next save writes a clean file"
expect_match 'one GET of the 1 remembered row' "and the repeat check works again"

# SNMPv1: the same GET; a vanished row is noSuchName for the whole PDU.
B=(-H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" --state-dir "$T/state1" -vv -P 1)
run_plugin "${B[@]}"
run_plugin "${B[@]}"
expect_rc 0 "SNMPv1 repeat check: OK"
expect_match 'SNMP v1, repeat check: one GET of the 1 remembered row, 1 request' "SNMPv1: one GET"
simhost_del_proc 1388
simhost_add_line 'proc 4000 1 100 30720 "Async.exe" "C:\exchsrvr\CONNECT\MSMCON\BIN\"'
run_plugin "${B[@]}"
expect_rc 0 "SNMPv1 after a restart: OK"
expect_match 'repeat GET: process 1388 is gone' "SNMPv1: noSuchName names the gone row"
expect_match "^index 4000: Async.exe" "SNMPv1: the walk finds 4000"

# SNMPv3: one engine discovery, whatever path the check takes.
V=(-H 127.0.0.1 -p "$SIM_PORT" -P 3 -U "$SIM_V3_USER" -a SHA-256 -A "$SIM_V3_AUTHPASS"
	-x AES -X "$SIM_V3_PRIVPASS" --state-dir "$T/state3" -vv)
run_plugin "${V[@]}"
expect_match 'SNMP v3, 60 processes walked \(no matched rows remembered\), 3 requests' \
	"SNMPv3 first check: discovery + 2"
run_plugin "${V[@]}"
expect_match 'SNMP v3, repeat check: one GET of the 1 remembered row, 2 requests' \
	"SNMPv3 repeat check: discovery + the GET"
simhost_set_field 4000 name other.exe
simhost_add_line 'proc 4100 1 50 20480 "Async.exe" "C:\exchsrvr\CONNECT\MSMCON\BIN\"'
run_plugin "${V[@]}"
expect_match 'SNMP v3, 61 processes walked \(repeat GET: .*\), 4 requests' \
	"SNMPv3 GET then walk in one session: one discovery (1 + 1 + 2)"
expect_no_match "$SIM_V3_AUTHPASS|$SIM_V3_PRIVPASS" "no passphrase in the output"
grep -q -e "$SIM_V3_AUTHPASS" -e "$SIM_V3_PRIVPASS" "$T"/state3/*.state &&
	fail "a passphrase in the history" || ok "no passphrase in the history"

# tooBig: the fake agent answers a GET of more than 6 varbinds tooBig; the
# repeat GET of one row has 7, the walk's GET 6.
start_fakeagent toobig
F=(-H 127.0.0.1 -p "$FAKE_PORT" -C public --state-dir "$T/statef" -vv)
run_plugin "${F[@]}"
expect_rc 0 "fake agent, first check: OK"
run_plugin "${F[@]}"
expect_rc 0 "tooBig on the repeat GET: still OK"
expect_match '3 processes walked \(the repeat GET was tooBig\), 3 requests' \
	"-vv: the repeat GET was tooBig, the check walked (1 + 2 for the 3-row fake table)"
expect_match "^index 1388: Async.exe" "and found the row"

# The plugin's own repeat GET (v1/v2c over UDP, plugin/udpget.c) reads
# datagrams as Net-SNMP does: a stray answer with another request-id is
# dropped and the right one taken; replies that do not decode are dropped,
# and if nothing else comes the check says the agent answered with replies
# that cannot be decoded.  (The walk's GET of a row has 6 varbinds, the
# repeat GET 7: only the repeat GET meets these fake agents' tricks.)
start_fakeagent strayget
F=(-H 127.0.0.1 -p "$FAKE_PORT" -C public --state-dir "$T/states" -t 2)
run_plugin "${F[@]}"
expect_rc 0 "stray answers, first check: OK"
run_plugin "${F[@]}" -vvv
expect_rc 0 "a stray answer before the right one: OK"
expect_match "repeat check: one GET of the 1 remembered row, 1 request\." \
	"a stray answer before the right one: the repeat GET stood"
printf '%s\n' "$ERR" | grep -q '^snmp: a datagram of [0-9]* bytes dropped: not the answer to this request$' &&
	ok "-vvv: the stray answer dropped" || fail "-vvv: no word of the stray answer: $(head -c 600 <<<"$ERR")"
start_fakeagent garbleget
F=(-H 127.0.0.1 -p "$FAKE_PORT" -C public --state-dir "$T/stateg" -t 2)
run_plugin "${F[@]}"
expect_rc 0 "garbled repeat answers, first check: OK"
run_plugin "${F[@]}"
expect_rc 3 "only garbled answers to the repeat GET: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - the agent at 127\.0\.0\.1:$FAKE_PORT answered, but with replies that cannot be decoded \(garbled or truncated\); no valid response after 2 s" \
	"only garbled answers to the repeat GET: says so, as over Net-SNMP"

# --replay reads a state file with row lines as it is, and through README's awk.
run_plugin --replay "$(ls "$T"/state/*.state)" --limit 1GB
expect_rc 0 "--replay of a state file with row lines: exit 0"
awk '!/^#/ { print $1, $2, ($3 == "-" ? "" : $3) }' "$T"/state/*.state >"$T/h.txt"
run_plugin --replay "$T/h.txt" --limit 1GB
expect_rc 0 "--replay through README's awk: exit 0"

finish
