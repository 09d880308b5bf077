#!/usr/bin/env bash
# History + trend end to end: a pre-seeded state file plus one live SNMP
# sample from the simulated host gives the expected state, summary and
# perfdata; restarts, --baseline auto, damage, symlinks and locks behave.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/sim/history.sh"

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" >/dev/null || { fail "agent"; finish; }
S=$T/exch01.state
A=(-H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" --state-file "$S" -w 200MB -c 300MB
   --growth-warning 1MB/h --growth-critical 8MB/h --limit 256MB)

# 1. A steady leak of 2 MiB/h for 20 h after a restart: WARNING on growth,
#    with growth and timeleft perfdata.
simhost_set_mem 1388 "$(history_seed "$S" 20 2048 steady)"
run_plugin "${A[@]}" --timeleft-warning 7d --timeleft-critical 1d
expect_rc 1 "steady 2 MiB/h leak -> WARNING"
expect_match "^ASYNC_LEAK WARNING - Async.exe [0-9.]+ MiB \(1 instance\), leaking \+2\.[0-9] MiB/h for [0-9]+ h, limit 256\.0 MiB in ~[0-9.]+ d \|" "summary names rate, duration, forecast"
expect_match "'growth'=2[0-9]{6};1048576;8388608 " "growth perfdata in bytes per hour with thresholds"
expect_match "'timeleft'=[0-9]+s 'timeleft_warning'=604800s 'timeleft_critical'=86400s " \
	"timeleft perfdata in seconds, the horizons as values of their own"
expect_match "'mem'=[0-9]+B;[^ ]* 'floor'=8[0-9]{7}B 'limit'=268435456B 'growth'=" "the fitted floor and the limit in bytes"
expect_match "^Restarted 20 h ago \(index 1200 -> 1388\)\.$" "long output tells the restart"
expect_match "^Limit 256\.0 MiB \(--limit\) reached in ~" "long output gives the forecast"
expect_match "^Advice: .*Q260554" "the advice comes with the WARNING"
left=$(printf '%s\n' "$OUT" | grep -oE "'timeleft'=[0-9]+" | cut -d= -f2)
# (256 MiB - ~80 MiB) at 2 MiB/h is ~88 h; allow the estimate's noise.
if [ -n "$left" ] && [ "$left" -gt $((70 * 3600)) ] && [ "$left" -lt $((110 * 3600)) ]; then
	ok "forecast ~88 h ($((left / 3600)) h)"
else
	fail "forecast off: '$left' s"
fi
grep -q '^# key=127.0.0.1+' "$S" && ok "the seeded file was adopted and given the check's key" \
	|| fail "no key written: $(head -3 "$S")"
[ "$(stat -c %a "$S")" = 600 ] && ok "state file mode 0600" || fail "mode $(stat -c %a "$S")"

# 2. Shorter horizon: the same history is CRITICAL on time left.
simhost_set_mem 1388 "$(history_seed "$S" 20 2048 steady)"
run_plugin "${A[@]}" --timeleft-warning 7d --timeleft-critical 5d
expect_rc 2 "time left under --timeleft-critical -> CRITICAL"

# 2b. Six days of a traffic-driven leak (3 MiB/h in business hours): the
#     long-run rate (~1.25 MiB/h) drives rate and forecast.  Also runs the
#     analysis over a segment older than the blocks it keeps (ASan run).
simhost_set_mem 1388 "$(history_seed "$S" 144 3072)"
run_plugin "${A[@]}" --growth-warning 0.5MB/h
expect_match "leaking \+1\.[123] MiB/h for [0-9.]+ d, limit 256\.0 MiB in ~[0-9]+ h \|" \
	"six business days: the daily average rate and its forecast"

# 3. Flat after a restart, 20 h: OK, no leak.
simhost_set_mem 1388 "$(history_seed "$S" 20 0 steady)"
run_plugin "${A[@]}"
expect_rc 0 "flat history -> OK"
expect_match "no leak \|" "summary says no leak"
expect_no_match "'timeleft'=" "no forecast without a rise"

# 4. The live sample has another index than the history: a restart now.
history_seed "$S" 20 2048 steady >/dev/null
simhost_set_field 1388 mem 40960
sed -i 's/ 1388 - -$/ 1500 - -/' "$S"
run_plugin "${A[@]}"
expect_rc 0 "a fresh restart -> OK while collecting"
expect_match "restarted [0-9]+ s ago \|" "summary: restarted just now"
expect_match "^Restarted .*\(index 1500 -> 1388\)" "long output names the index change"
expect_match "^Trend: collecting history" "collecting after the restart"

# 5. --baseline auto learns the floor of the first hours and resolves percents.
simhost_set_mem 1388 "$(history_seed "$S" 30 0 steady)"
run_plugin "${A[@]}" --baseline auto --warning 150% --critical 300%
expect_rc 0 "baseline auto, flat -> OK"
expect_match "'baseline'=4[0-9]{7}B" "learned baseline ~40 MiB in perfdata"
expect_match "^Baseline 40\.[0-9] MiB \(learned\)" "long output says learned"
simhost_set_field 1388 mem 70000
run_plugin "${A[@]}" --baseline auto --warning 150% --critical 300%
expect_rc 1 "70 MB against a learned 40 MiB baseline and 150% -> WARNING"

# 6. A damaged history (ours: its header) is read with a note and replaced;
# a file that is not a history at all is refused and left as it was.
printf '# check_async_leak state v1\ngarbage\n\x01\x02 not a state line\n' >"$S"
run_plugin "${A[@]}"
expect_rc 0 "damaged state -> still a check"
expect_match "^History: " "a note on the damaged file"
head -1 "$S" | grep -q '^# check_async_leak state v1$' && ok "damaged file replaced" \
	|| fail "not replaced: $(head -1 "$S")"
printf 'garbage\n\x01\x02 not a state file\n' >"$S"
run_plugin "${A[@]}"
expect_rc 3 "not a state file -> UNKNOWN"
expect_match "history: .* is not a check_async_leak state file; refusing to replace it" \
	"not a state file: refused, says so on the first line"
head -1 "$S" | grep -q '^garbage$' && ok "not a state file: left as it was" \
	|| fail "not a state file was replaced: $(head -1 "$S")"
rm -f "$S"

# 7. A symbolic link is never followed; the target stays as it was.
echo precious >"$T/target"
rm -f "$S"
ln -s "$T/target" "$S"
run_plugin "${A[@]}"
expect_rc 3 "symlink state file, memory OK -> UNKNOWN"
expect_match "History unavailable" "says why the trend is missing"
[ "$(cat "$T/target")" = precious ] && ok "symlink target untouched" || fail "target changed"
run_plugin "${A[@]}" -w 5MB -c 10MB
expect_rc 2 "symlink state file, memory CRITICAL -> CRITICAL stands"
rm -f "$S"

# 8. Another check holding the lock: a wait bounded by what is left of -t,
# then the memory verdict stands and the history is noted as busy.
history_seed "$S" 2 0 steady >/dev/null
( flock -x 9; sleep 8 ) 9>"$S.lock" &
track_pid $!
sleep 0.5
run_plugin "${A[@]}" -t 4
expect_rc 0 "state locked by another check, memory OK -> OK stands"
expect_match "^History busy, no trend this time: .*locked by another check" "says it is busy"
expect_no_match "timed out" "no 'timed out'"
[ "$ELAPSED_MS" -lt 5000 ] && ok "gave up within -t 4 and its backstop second (${ELAPSED_MS} ms)" \
	|| fail "waited ${ELAPSED_MS} ms"

# 10. No blind start: a history of 6 h that began inside the run (no
#     restart seen), 8 MiB/h from 40 MiB: the limit is ~5 h away, nearer
#     than the minimum window's end, so the time left alarms now.
simhost_set_mem 1388 "$(history_seed "$S" 6 8192 fresh)"
run_plugin "${A[@]}" --limit 128MB --timeleft-warning 12h --timeleft-critical 6h
expect_rc 2 "6 h of a fast leak, limit ~5 h away: CRITICAL before the minimum window"
expect_match "limit 128\.0 MiB in ~[3-6](\.[0-9])? h \|" "the summary gives the time left"
expect_match "'timeleft'=[0-9]+s " "time-left perfdata from the early forecast"
run_plugin "${A[@]}" --limit 4GB --timeleft-warning 12h --timeleft-critical 6h
expect_rc 0 "the same 6 h with the limit far away: no verdict yet"
expect_match "collecting history" "... it says it is collecting"

# 11. A leak that grew for two days and has been flat for 40 h: held,
#     still WARNING, and the output says since when it paused.
simhost_set_mem 1388 "$(history_seed "$S" 88 2048 paused)"
run_plugin "${A[@]}" --timeleft-warning 7d --timeleft-critical 1d
expect_rc 1 "a paused leak stays WARNING (memory not given back)"
expect_match "leaking .*, paused since [A-Z][a-z][a-z] [0-9]{2}:00; \+[0-9.]+ MiB since [A-Z][a-z][a-z]" \
	"the summary says it is paused, since when, and how much it grew"
run_plugin "${A[@]}" --growth-warning none --growth-critical none --timeleft-warning 7d --timeleft-critical 1d
expect_rc 0 "--growth-warning none --growth-critical none: no leak verdict"

# 12. No growth level configured: the built-in ones against the learned
#     baseline, said at -vv.
simhost_set_mem 1388 "$(history_seed "$S" 20 2048 steady)"
run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" --state-file "$S" --limit 256MB -vv
expect_match "^Growth levels: the built-in 0\.25%/h and 1%/h of the learned baseline [0-9.]+ MiB, " \
	"-vv names the built-in growth levels and the baseline they use"
expect_rc 2 "2 MiB/h on a ~40 MiB baseline (5 %/h) is CRITICAL by the built-in levels"

# 13. A level day, then a rise for the last 2 h 15 min: the raw samples
#     show it before four complete hours do (WARNING now), and the state
#     file keeps that check's time.  Six flat hours later the raw samples
#     are compacted and the hourly floors alone show no leak; the kept time
#     holds it (still WARNING), and without it the check is OK.
simhost_set_mem 1388 "$(history_seed "$S" 30 3072 late)"
run_plugin "${A[@]}" --timeleft-warning 7d --timeleft-critical 1d
expect_rc 1 "a rise out of a level day, 2 h old: WARNING"
expect_match "leaking \+[0-9.]+ MiB/h for 2(\.[0-9])? h" "the summary gives the rise of the last 2 h"
grep -q '^# raw_judged_at=[0-9]*$' "$S" && ok "the state file keeps the judging check's time" \
	|| fail "no raw_judged_at line: $(head -8 "$S")"
simhost_set_mem 1388 "$(history_seed "$S" 36 3072 evening)"
run_plugin "${A[@]}" --timeleft-warning 7d --timeleft-critical 1d
expect_rc 0 "the same rise, flat for 6 h, nothing kept: the hourly floors show no leak"
simhost_set_mem 1388 "$(history_seed "$S" 36 3072 evening)"
sed -i "2a # raw_judged_at=$(($(date +%s) - 6 * 3600 - 300))" "$S"
run_plugin "${A[@]}" --timeleft-warning 7d --timeleft-critical 1d
expect_rc 1 "... with the judging check's time kept: held, still WARNING"
expect_match "leaking \+[0-9.]+ [KM]iB/h for [0-9]+ h" "... and the summary says it is leaking"

# 9. Default location: $MP_STATE_PATH/<euid>/check_async_leak/.
MP_STATE_PATH=$T/mp run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY"
expect_rc 0 "MP_STATE_PATH honoured"
ls "$T/mp/$(id -u)/check_async_leak/"*.state >/dev/null 2>&1 && ok "state under \$MP_STATE_PATH/<euid>/check_async_leak" \
	|| fail "no state file under $T/mp: $(find "$T/mp" | head)"
MP_STATE_PATH=$T/mp run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" -v
expect_match "^History: [0-9]+ records? in $T/mp/$(id -u)/check_async_leak/127\.0\.0\.1\+$SIM_PORT\+async\.exe\.state\.$" \
	"-v says where the history is kept"
finish
