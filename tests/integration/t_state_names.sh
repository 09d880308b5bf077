#!/usr/bin/env bash
# History identity: the state file is named after the agent the query
# reached (numeric address and port) and the process match, so -H localhost,
# -H 127.0.0.1, -H udp:127.0.0.1:PORT and an INI section pointing there
# share one history; a file under the name of versions up to 0.1 (after -H
# as written and the -s section) is moved to the new name on first use, and
# a --state-file written under that legacy key keeps its history.
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/sim/history.sh
. "$ROOT/tests/sim/history.sh"

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" >/dev/null ||
	{ fail "simulated host did not start"; finish; }
D=$T/state
NEW="127.0.0.1+$SIM_PORT+async.exe.state"
C=(-C "$SIM_COMMUNITY" -w 200MB -c 400MB --state-dir "$D")
printf '[exch01]\nhostname = 127.0.0.1\ncommunity = %s\n' "$SIM_COMMUNITY" >"$T/a.ini"
chmod 600 "$T/a.ini"

# An extended regex matching text literally.
re() { printf '%s' "$1" | sed 's/[].[+()*?^$|{}\\]/\\&/g'; }
records() { grep -c '^[0-9]' "$1" 2>/dev/null; }
# The time of the oldest record (compaction keeps it: an hourly floor
# carries the time of its hour's first sample).
oldest() { awk '/^[0-9]/ { print $1; exit }' "$1" 2>/dev/null; }
states() { (cd "$D" && ls -1 | grep -v '\.lock$' | tr '\n' ' '); }

# 1. Four spellings of one agent, a second apart (samples of one second
#    replace each other): one file, four records.
n=0
for how in "-H localhost -p $SIM_PORT" "-H 127.0.0.1 -p $SIM_PORT" "-H udp:127.0.0.1:$SIM_PORT" \
	"-f $T/a.ini -s exch01 -p $SIM_PORT"; do
	[ $n -gt 0 ] && sleep 1.1
	n=$((n + 1))
	# shellcheck disable=SC2086
	run_plugin $how "${C[@]}" -v
	expect_rc 0 "$how: OK"
	expect_match "^History: $n records? in $(re "$D/$NEW")\.$" "$how: record $n of the one history $NEW"
done
[ "$(states)" = "$NEW " ] && ok "one state file for every spelling" || fail "state files: $(states)"
run_plugin -H localhost -p "$SIM_PORT" "${C[@]}" -n ASYNC.EXE -v
expect_match "^History: [0-9]+ records in $(re "$D/$NEW")\.$" "-n ASYNC.EXE: the same history (names ignore case)"
run_plugin -H localhost -p "$SIM_PORT" "${C[@]}" -r '^async' -v
expect_match "^History: 1 record in $(re "$D/127.0.0.1+$SIM_PORT+re=%5Easync.state")\.$" \
	"another process match: another history"

# 2. A legacy file (-H localhost, key line of its own) is moved on first use.
rm -rf "$D" && mkdir -p "$D" && chmod 700 "$D"
OLD="localhost+$SIM_PORT+async.exe.state"
simhost_set_mem 1388 "$(history_seed "$D/$OLD" 30 3072 steady)" >/dev/null
sed -i "1a # key=localhost+$SIM_PORT+async.exe" "$D/$OLD"
: >"$D/$OLD.lock"
had=$(oldest "$D/$OLD")
run_plugin -H localhost -p "$SIM_PORT" "${C[@]}"
expect_rc 2 "legacy history: a check judges its 30 h of growth (the built-in growth levels)"
expect_match "^History: moved from $(re "$OLD") to $(re "$NEW") \(named after the agent's address now, not -H or the section\)\.$" \
	"legacy history: the long output says it moved"
expect_no_match "^Trend: collecting history" "legacy history: the trend goes on (no new collection)"
[ ! -e "$D/$OLD" ] && [ ! -e "$D/$OLD.lock" ] && ok "legacy file and its lock removed" ||
	fail "left: $(ls "$D")"
[ "$(oldest "$D/$NEW")" = "$had" ] && [ "$(records "$D/$NEW")" -gt 30 ] &&
	grep -qx "# key=127.0.0.1+$SIM_PORT+async.exe" "$D/$NEW" &&
	ok "the new file holds the history (oldest record $had, $(records "$D/$NEW") records) and the new key" ||
	fail "new file: oldest $(oldest "$D/$NEW") (want $had), $(grep '^# key' "$D/$NEW")"
run_plugin -H 127.0.0.1 -p "$SIM_PORT" "${C[@]}"
expect_no_match "^History: " "the next check (another spelling) just continues"

# 3. A legacy file named after an INI section moves too; an existing new
#    file wins over a legacy one, which is then left alone.
rm -rf "$D" && mkdir -p "$D" && chmod 700 "$D"
SEC="127.0.0.1+$SIM_PORT+async.exe+sec=exch01.state"
history_seed "$D/$SEC" 30 3072 steady >/dev/null
run_plugin -f "$T/a.ini" -s exch01 -p "$SIM_PORT" "${C[@]}"
expect_match "^History: moved from $(re "$SEC") to $(re "$NEW") " "legacy +sec= history moved"
[ "$(states)" = "$NEW " ] && ok "only the new file is left" || fail "state files: $(states)"
history_seed "$D/$OLD" 30 3072 steady >/dev/null
run_plugin -H localhost -p "$SIM_PORT" "${C[@]}"
expect_no_match "^History: moved" "with a new file there, a legacy one is not taken"
[ -e "$D/$OLD" ] && ok "that legacy file is left as it was" || fail "legacy file gone"

# 4. --state-file: a file written under the legacy key keeps its history and
#    gets the new key; another check's file is still not used.
F=$T/one.state
history_seed "$F" 30 3072 steady >/dev/null
sed -i "1a # key=localhost+$SIM_PORT+async.exe" "$F"
had=$(oldest "$F")
run_plugin -H localhost -p "$SIM_PORT" "${C[@]}" --state-file "$F"
expect_no_match "belongs to another check" "--state-file with the legacy key: still this check's"
expect_no_match "^Trend: collecting history" "--state-file with the legacy key: history kept"
grep -qx "# key=127.0.0.1+$SIM_PORT+async.exe" "$F" && [ "$(oldest "$F")" = "$had" ] &&
	ok "--state-file: the new key, the history from $had kept" ||
	fail "--state-file: $(grep '^# key' "$F"), oldest $(oldest "$F") (want $had)"
sed -i "s/^# key=.*/# key=exch09+161+async.exe/" "$F"
run_plugin -H localhost -p "$SIM_PORT" "${C[@]}" --state-file "$F"
expect_match "belongs to another check" "--state-file of another check: a new history, as before"
finish
