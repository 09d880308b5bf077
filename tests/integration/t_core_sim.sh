#!/usr/bin/env bash
# The core check against the simulated Windows 2000 / Exchange 5.5 hosts of
# mib/hosts/ (snmpd + tests/sim/hrsim on 127.0.0.1): the exact first line,
# the Windows ways of naming Async.exe, several instances, and every
# malformed agent answer giving one clear UNKNOWN line.
. "$(dirname "$0")/lib.sh"

H=$ROOT/mib/hosts
simhost_start "$H/win2k-exch55.tbl" "$T/agent" || { fail "simulated host did not start"; finish; }
ok "simulated host up on 127.0.0.1:$SIM_PORT"
# Every check walks: the table changes under one history, and the cases below
# are about what the walk meets (the repeat check is t_repeat's).
A=(-H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" --state-dir "$T/state" --walk-interval 0)

run_plugin "${A[@]}" -w 200MB -c 400MB
expect_rc 0 "win2k-exch55: OK"
first=$(printf '%s\n' "$OUT" | head -n 1)
want="ASYNC_LEAK OK - Async.exe 48.1 MiB (1 instance) | 'mem'=50438144B;209715200;419430400;0;536870912 'instances'=1"
[ "$first" = "$want" ] && ok "win2k-exch55: the exact first line" || fail "first line: '$first'"
expect_match '1388' "long output names the index (PID) 1388"
expect_match 'C:\\exchsrvr\\CONNECT\\MSMCON\\BIN\\' "long output shows the Windows path"
expect_stderr_empty "nothing on stderr"
expect_no_match "$SIM_COMMUNITY" "the community is not in the output"

run_plugin "${A[@]}" -P 1 -w 200MB -c 400MB
expect_rc 0 "SNMPv1 (GETNEXT walk): OK"
[ "$(printf '%s\n' "$OUT" | head -n 1)" = "$want" ] && ok "SNMPv1 gives the same first line" ||
	fail "SNMPv1 first line: $(printf '%s\n' "$OUT" | head -n 1)"

simhost_set_mem 1388 262144	# 256 MiB: between warning and critical
run_plugin "${A[@]}" -w 200MB -c 400MB
expect_rc 1 "256 MiB with -w 200MB: WARNING"
expect_match "^ASYNC_LEAK WARNING - Async.exe 256.0 MiB" "the table change is seen at once"
simhost_set_mem 1388 460800	# 450 MiB
run_plugin "${A[@]}" -w 200MB -c 400MB
expect_rc 2 "450 MiB with -c 400MB: CRITICAL"

simhost_set_table "$H/win2k-upper.tbl"
run_plugin "${A[@]}"
expect_rc 0 "ASYNC.EXE (upper case) is found by the default -n Async.exe"
expect_match "'instances'=1" "one instance"
expect_match "'mem'=50438144B" "its memory"

simhost_set_table "$H/win2k-two-async.tbl"
run_plugin "${A[@]}" -w 200MB -c 400MB
expect_rc 0 "two Async.exe instances: OK"
expect_match "'instances'=2" "instances=2"
expect_match "'mem'=81895424B" "mem is the sum (49256 + 30720 KB)"
expect_match "2412" "the second instance is listed"

simhost_set_table "$H/win2k-two-async.tbl"
simhost_add_line "ghost 2412"
run_plugin "${A[@]}"
expect_rc 0 "one of two rows vanished between walk and GET: still OK"
expect_match "'instances'=1" "the vanished row is dropped"
simhost_add_line "ghost 1388"
run_plugin "${A[@]}"
expect_rc 3 "every matched row vanished: UNKNOWN"
expect_match "vanished between the walk and the GET" "says the processes vanished"

simhost_set_table "$H/win2k-noperf.tbl"
run_plugin "${A[@]}"
expect_rc 3 "no hrSWRunPerfTable: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - .*the agent has no hrSWRunPerfTable" "says the perf table is missing"
run_plugin "${A[@]}" -P 1
expect_rc 3 "no hrSWRunPerfTable over SNMPv1 (noSuchName): UNKNOWN"
expect_match "no hrSWRunPerfTable" "SNMPv1: says the perf table is missing"

simhost_set_table "$H/win2k-badtypes.tbl"
run_plugin "${A[@]}"
expect_rc 3 "wrong type: UNKNOWN"
expect_match "hrSWRunPerfMem\.1388 has type OCTET STRING, expected INTEGER" "names the OID and both types"
simhost_set_table "$H/win2k-exch55.tbl"
simhost_add_line "oid .1.3.6.1.2.1.25.4.2.1.2.1389 integer 7"
run_plugin "${A[@]}"
expect_rc 3 "an INTEGER in hrSWRunName: UNKNOWN"
expect_match "hrSWRunName\.1389 has type INTEGER, expected OCTET STRING" "names the walked OID"
simhost_set_table "$H/win2k-exch55.tbl"
simhost_add_line "oid .1.3.6.1.2.1.25.1.1.0 gauge 5"
run_plugin "${A[@]}"
expect_rc 3 "hrSystemUptime as Gauge32: UNKNOWN"
expect_match "hrSystemUptime\.0 has type Gauge32, expected TimeTicks" "names the scalar"

simhost_set_table "$H/win2k-exch55.tbl"
simhost_add_line "oid .1.3.6.1.2.1.25.5.1.1.1.1388 none"
simhost_add_line "oid .1.3.6.1.2.1.25.2.2.0 none"
run_plugin "${A[@]}" -w 200MB
expect_rc 0 "no hrSWRunPerfCPU and no hrMemorySize: still OK"
expect_match "'mem'=50438144B;209715200;;0;? " "mem has no max without hrMemorySize"

simhost_set_table "$H/win2k-exch55.tbl"
simhost_set_field 1388 status 4
run_plugin "${A[@]}"
expect_rc 2 "a row with status invalid(4) does not count: not found, CRITICAL"

simhost_set_table "$H/win2k-noasync.tbl"
run_plugin "${A[@]}"
expect_rc 2 "Async.exe not running: CRITICAL by default"
expect_match "^ASYNC_LEAK CRITICAL" "the status line says CRITICAL"
expect_match "'instances'=0" "instances=0"
run_plugin "${A[@]}" --missing-state WARNING
expect_rc 1 "--missing-state WARNING"

printf 'uptime 100\nmemsize 524288\n' > "$T/empty.tbl"
simhost_set_table "$T/empty.tbl"
run_plugin "${A[@]}"
expect_rc 3 "an agent without hrSWRunTable: UNKNOWN, not 'process missing'"
expect_match "the agent has no hrSWRunTable" "says the table is missing"

simhost_set_table "$H/win2k-exch55.tbl"
long=$(printf 'x%.0s' $(seq 1 70))
simhost_add_line "proc 4242 1 1 1 \"$long\" \"\""
run_plugin "${A[@]}"
expect_rc 3 "a 70-byte hrSWRunName (MIB limit 64): UNKNOWN"
expect_match "hrSWRunName\.4242 is 70 bytes long" "says which name is too long"

# The perf table of a large host: 1200 processes, 24+ walk PDUs.
{
	echo "uptime 100"
	echo "memsize 524288"
	for i in $(seq 1000 2199); do echo "proc $i 1 10 1000 \"svc$i.exe\" \"C:\\\\x\\\\\""; done
	echo 'proc 2200 1 10 49256 "Async.exe" "C:\exchsrvr\CONNECT\MSMCON\BIN\"'
} > "$T/big.tbl"
simhost_set_table "$T/big.tbl"
run_plugin "${A[@]}" -vv
expect_rc 0 "1201 processes: OK"
expect_match "1201 processes walked" "every row walked"

finish
