#!/usr/bin/env bash
# Overlapping checks of one host over a slow agent (tests/sim/fakeagent.c
# answering after 0.1 to 2.5 s): 50 runs started a second apart all keep
# their sample, with no note about the clock, although later runs often
# finish first.  And -t is a promise: the wait for a lock held by another
# check comes out of what is left of -t, and a lock held all that time
# leaves the memory verdict standing, the history noted as busy.
. "$(dirname "$0")/lib.sh"

start_fakeagent ok 100-2500 || { fail "fake agent did not start"; finish; }
S=$T/h.state
C=(-H 127.0.0.1 -p "$FAKE_PORT" -C public -t 8 --state-file "$S")

pids=()
for i in $(seq 1 50); do
	( run_plugin "${C[@]}"; printf '%s\n' "$RC" >"$T/rc.$i"; printf '%s\n' "$OUT" >"$T/out.$i" ) &
	pids+=($!)
	sleep 1.05
done
for p in "${pids[@]}"; do wait "$p"; done

bad=0
for i in $(seq 1 50); do [ "$(cat "$T/rc.$i" 2>/dev/null)" = 0 ] || bad=$((bad + 1)); done
[ "$bad" = 0 ] && ok "50 overlapping runs: every one OK" ||
	fail "50 overlapping runs: $bad not OK (e.g. $(grep -L '^0$' "$T"/rc.* | head -n 1))"
n=$(grep -c '^[0-9]' "$S")
[ "$n" = 50 ] && ok "50 overlapping runs: all 50 samples kept" ||
	fail "50 overlapping runs: $n samples in the history, not 50"
if grep -l 'newer than now\|clock\|out of time order' "$T"/out.* >/dev/null 2>&1; then
	fail "a false note: $(grep -h 'newer than now\|clock\|out of time order' "$T"/out.* | head -n 1)"
else
	ok "50 overlapping runs: no note about the clock or the order"
fi
awk '/^[0-9]/ { if (NR > 1 && $1 <= last) bad = 1; last = $1 } END { exit bad }' "$S" &&
	ok "the history's times strictly increase" || fail "the history's times do not increase"
# The runs really overlapped, and some finished out of order (the case
# that used to drop a sample): the history's order is by start, the
# outputs' modification order by finish.
order=$(ls -tr "$T"/out.* | sed 's/.*out\.//' | tr '\n' ' ')
sorted=$(printf '%s\n' $order | sort -n | tr '\n' ' ')
[ "$order" != "$sorted" ] && ok "some runs finished before one that started earlier" ||
	fail "no run overtook another (the agent was not slow enough to test anything)"

# A lock held by another check for longer than -t: the memory verdict
# stands, OK stays OK, the history is noted as busy, in time.
kill -TERM "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null
start_fakeagent ok 600 || { fail "fake agent did not start"; finish; }
flock -x "$S.lock" sleep 30 &
holder=$!
track_pid "$holder"
sleep 0.3
before=$(grep -c '^[0-9]' "$S")
run_plugin -H 127.0.0.1 -p "$FAKE_PORT" -C public -t 3 --state-file "$S"
expect_rc 0 "lock held past -t 3 after a slow agent (0.6 s an answer): the memory verdict (OK) stands"
expect_match '^ASYNC_LEAK OK - Async\.exe 48\.1 MiB' "busy history: the memory result is there"
expect_match '^History busy, no trend this time: state file .* is locked by another check \(waited [0-9]+ ms\); this sample is not recorded\.$' \
	"busy history: noted as busy"
expect_no_match 'timed out' "busy history: no 'timed out'"
[ "$(grep -c '^[0-9]' "$S")" = "$before" ] && ok "busy history: the file is untouched" ||
	fail "busy history: the file changed while locked"
kill -TERM "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# A 1 MiB INI file of 116 000 empty sections is read well within -t 1
# (it took seconds with a linear look-up of section names, and then the
# alarm, now armed before the INI file is read, stops the check).
awk 'BEGIN { for (i = 0; i < 116000; i++) printf "[s%d]\n", i; print "[defaults]"; print "community = public" }' |
	head -c 1048000 >"$T/big.ini"
echo '[last]' >>"$T/big.ini"
run_plugin -f "$T/big.ini" -s last -H 127.0.0.1 -p "$FAKE_PORT" -t 3 --state-dir "$T/st"
expect_no_match 'timed out' "a 1 MiB INI file of 116 000 sections: read within -t"
expect_rc 0 "a 1 MiB INI file of 116 000 sections: the check runs"
finish
