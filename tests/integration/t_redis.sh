#!/usr/bin/env bash
# The history kept in Redis (--history redis://... / unix:..., plugin/store_redis.h)
# against a real redis-server this test starts on 127.0.0.1 (a free port)
# and on a Unix socket in $T, stopped by its PID, every wait bounded:
# two checkers with their own state directories keep one history; 50
# checks released at once on one key keep every sample; Redis slow, stopped
# and back, refusing the password, a key holding garbage, a list, too many
# bytes or another check's history: the memory verdict stands, the trend
# part says the history is unavailable (UNKNOWN floor), nothing is lost
# and nothing written locally; the password never shows, not at -vvv; the
# history copied from a state file to Redis and back.
. "$(dirname "$0")/lib.sh"

command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
	{ fail "redis-server and redis-cli are needed (tests/deps.sh check)"; finish; }

PASS=S3cretPassw0rd-x9
RPORT= RPID= RSOCK=$T/redis.sock

# start_redis [PORT]: redis-server on 127.0.0.1:PORT (a free one when not
# given) and on $RSOCK, its data in $T/redis (an RDB file saved when it is
# stopped, so that a restart reads the histories back).  Sets RPORT, RPID.
start_redis() {
	local want=${1:-} port i try
	mkdir -p "$T/redis"
	for try in 1 2 3 4 5 6 7 8; do
		port=${want:-$((20000 + RANDOM % 40000))}
		rm -f "$T/redis/log"
		redis-server --bind 127.0.0.1 --port "$port" --unixsocket "$RSOCK" \
			--unixsocketperm 700 --dir "$T/redis" --dbfilename dump.rdb \
			--save "3600 1" --appendonly no --daemonize no --protected-mode yes \
			--logfile "$T/redis/log" >/dev/null 2>&1 &
		RPID=$!
		track_pid "$RPID"
		for i in $(seq 1 100); do
			if redis-cli -s "$RSOCK" ping 2>/dev/null | grep -q PONG; then
				RPORT=$port
				return 0
			fi
			kill -0 "$RPID" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null
		[ -n "$want" ] && [ "$try" -ge 3 ] && break
	done
	echo "start_redis: redis-server did not start: $(tail -n 3 "$T/redis/log" 2>/dev/null)" >&2
	return 1
}

# stop_redis: TERM (it saves its RDB file), bounded wait, then KILL.
stop_redis() {
	local i
	kill -TERM "$RPID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
}

rcli() { redis-cli -s "$RSOCK" "$@"; }
# A fixed string as an extended regex.
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }
# Raw samples in a history text on stdin.
samples() { grep -c '^[0-9]'; }

start_redis || { fail "redis-server did not start"; finish; }
start_fakeagent ok || { fail "fake agent did not start"; finish; }
URL=redis://127.0.0.1:$RPORT/0
C=(-H 127.0.0.1 -p "$FAKE_PORT" -C public -t 6)
KEY="check_async_leak:127.0.0.1+$FAKE_PORT+async.exe"

# ---- Two checkers, each with its own state directory, alternating ----
# (an Icinga 2 HA zone's two endpoints, two Mod-Gearman workers): one
# history, every sample in it, nothing in either local directory.
for i in 1 2 3 4 5 6; do
	if [ $((i % 2)) = 1 ]; then
		run_plugin "${C[@]}" --state-dir "$T/node-a" --history "$URL" -v
	else
		run_plugin "${C[@]}" --state-dir "$T/node-b" --history "unix:$RSOCK" -v
	fi
	[ "$RC" = 0 ] || break
	[ "$i" -lt 6 ] && sleep 1.05
done
expect_rc 0 "two checkers alternating (TCP and Unix socket): every check OK"
expect_match "^History: 6 records in Redis key $(re "$KEY") at unix:$(re "$RSOCK")\?db=0\.$" \
	"two checkers: the sixth check's trend sees all six samples"
n=$(rcli get "$KEY" | samples)
[ "$n" = 6 ] && ok "two checkers: the Redis key holds the six samples" ||
	fail "two checkers: $n samples in the key, not 6"
[ ! -e "$T/node-a" ] && [ ! -e "$T/node-b" ] && ok "two checkers: nothing written locally" ||
	fail "two checkers: a local state directory was made: $(ls -d "$T"/node-* 2>/dev/null)"
ttl=$(rcli ttl "$KEY")
[ "$ttl" -gt $((35 * 86400 - 60)) ] && [ "$ttl" -le $((35 * 86400)) ] &&
	ok "the key expires after 35 days without a check (ttl $ttl s)" || fail "ttl of the key: $ttl"
[ -z "$(rcli --scan --pattern '*:lock')" ] && ok "no lock key left behind" ||
	fail "lock keys left: $(rcli --scan --pattern '*:lock')"

# ---- 50 checks on one key at once ----
# Redis is stopped (SIGSTOP) while 50 checks start 1.2 s apart (50
# distinct sample times); each connects and waits in its first command.
# Released together they all contend for the one key: none may lose its
# sample.  --walk-interval 0: no repeat read before the query.
start_fakeagent ok || { fail "second fake agent did not start"; finish; }
KEY50="check_async_leak:127.0.0.1+$FAKE_PORT+async.exe"
kill -STOP "$RPID"
pids=()
# Not through run_plugin, whose 60 s limit the first ones would reach.
for i in $(seq 1 50); do
	( ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:exitcode=86" \
	  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}:exitcode=86" \
	  timeout -k 5 150 "$PLUGIN" -H 127.0.0.1 -p "$FAKE_PORT" -C public -t 100 --walk-interval 0 \
		--history "$URL" -v >"$T/out50.$i" 2>"$T/err50.$i"; echo $? >"$T/rc50.$i" ) &
	pids+=($!)
	sleep 1.2	# each check's own second, whatever its start-up takes
done
sleep 1
kill -CONT "$RPID"
for p in "${pids[@]}"; do wait "$p"; done
if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T"/err50.*; then
	fail "sanitizer report in one of the 50 checks"
	grep -h -A 20 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T"/err50.* |
		sed 's/^/#   /' | head -n 40
fi
bad=0
for i in $(seq 1 50); do [ "$(cat "$T/rc50.$i" 2>/dev/null)" = 0 ] || bad=$((bad + 1)); done
[ "$bad" = 0 ] && ok "50 checks released at once: every one OK" ||
	fail "50 checks released at once: $bad not OK (e.g. $(grep -v '^0$' "$T"/rc50.* | head -n 1); $(grep -h '^History' "$T"/out50.* | sort | uniq -c | head -n 3))"
n=$(rcli get "$KEY50" | samples)
[ "$n" = 50 ] && ok "50 checks released at once: all 50 samples in the key" ||
	fail "50 checks released at once: $n samples in the key, not 50"
rcli get "$KEY50" | awk '/^[0-9]/ { if (n++ && $1 <= last) bad = 1; last = $1 } END { exit bad }' &&
	ok "50 checks: the history's times strictly increase" || fail "50 checks: times out of order"
grep -h '^History: ' "$T"/out50.* | grep -q '^History: 50 records' &&
	ok "50 checks: the last to save saw all 50" || fail "50 checks: no check saw all 50 records"

# ---- Redis slow: stopped (SIGSTOP) during a check ----
before=$(rcli get "$KEY" | samples)
kill -STOP "$RPID"
run_plugin "${C[@]}" -t 4 --state-dir "$T/local" --history "$URL"
kill -CONT "$RPID"
expect_rc 3 "Redis not answering: UNKNOWN floor (the history is part of the check)"
expect_match '^ASYNC_LEAK UNKNOWN - Async\.exe 48\.1 MiB \(1 instance\), history: .*no answer in time' \
	"Redis not answering: the memory figure stands, the first line says why"
expect_match "^History unavailable, no trend: .*redis://127\.0\.0\.1:$RPORT/0.*no answer in time" \
	"Redis not answering: noted, naming the server"
expect_no_match 'timed out after' "Redis not answering: within -t (no alarm)"
[ "$ELAPSED_MS" -lt 4500 ] && ok "Redis not answering: done in ${ELAPSED_MS} ms (-t 4)" ||
	fail "Redis not answering: took $ELAPSED_MS ms with -t 4"
[ ! -e "$T/local" ] && ok "Redis not answering: nothing written locally" ||
	fail "Redis not answering: $T/local was made"
sleep 1.05
run_plugin "${C[@]}" --history "$URL" -v
expect_rc 0 "Redis answering again: OK"
[ "$(rcli get "$KEY" | samples)" = $((before + 1)) ] &&
	ok "Redis answering again: the history goes on ($((before + 1)) samples)" ||
	fail "Redis answering again: $(rcli get "$KEY" | samples) samples, expected $((before + 1))"

# ---- Redis stopped, then back (its RDB file read again) ----
before=$(rcli get "$KEY" | samples)
stop_redis
sleep 1.05
run_plugin "${C[@]}" --state-dir "$T/local" --history "$URL"
expect_rc 3 "Redis down: UNKNOWN floor"
expect_match "^History unavailable, no trend: cannot connect to the Redis history store redis://127\.0\.0\.1:$RPORT/0: Connection refused$" \
	"Redis down: a clear note"
expect_match '^ASYNC_LEAK UNKNOWN - Async\.exe 48\.1 MiB' "Redis down: the memory figure stands"
[ ! -e "$T/local" ] && ok "Redis down: nothing written locally" || fail "Redis down: $T/local made"
start_redis "$RPORT" || { fail "redis-server did not start again on $RPORT"; finish; }
sleep 1.05
run_plugin "${C[@]}" --history "$URL" -v
expect_rc 0 "Redis back: OK"
expect_match "^History: $((before + 1)) records in Redis key" \
	"Redis back: nothing lost, the history goes on"

# ---- The password: refused, never shown ----
# The ACL docs/distributed.md recommends: its keys, the commands it uses.
rcli acl setuser icinga on ">$PASS" '~check_async_leak:*' -@all +set +get +del +type +strlen +eval +select >/dev/null
AURL=redis://icinga@127.0.0.1:$RPORT/0
before=$(rcli get "$KEY" | samples)
sleep 1.05
CHECK_ASYNC_LEAK_REDIS_PASSWORD=wrong-password run_plugin "${C[@]}" --history "$AURL"
expect_rc 3 "AUTH refused: UNKNOWN floor"
expect_match "^History unavailable, no trend: the Redis history store $(re "$AURL") refused the password of user icinga \(WRONGPASS\)$" \
	"AUTH refused: a clear note"
expect_match '^ASYNC_LEAK UNKNOWN - Async\.exe 48\.1 MiB' "AUTH refused: the memory figure stands"
expect_no_match 'wrong-password' "AUTH refused: the password is not shown"
[ "$(rcli get "$KEY" | samples)" = "$before" ] && ok "AUTH refused: the history untouched" ||
	fail "AUTH refused: the history changed"

CHECK_ASYNC_LEAK_REDIS_PASSWORD=$PASS run_plugin "${C[@]}" --history "$AURL" -vvv
expect_rc 0 "password from the environment: OK"
expect_match "^History: $((before + 1)) records in Redis key $(re "$KEY") at $(re "$AURL")\.$" \
	"-v: where the history is, the user but no password"
{ [[ "$OUT" != *"$PASS"* ]] && [[ "$ERR" != *"$PASS"* ]]; } &&
	ok "password from the environment: not in the output at -vvv" ||
	fail "password from the environment shown at -vvv"

printf '[defaults]\ncommunity = public\nhistory = redis://icinga:%s@127.0.0.1:%s/0\n' "$PASS" "$RPORT" \
	>"$T/redis.ini"
chmod 600 "$T/redis.ini"
sleep 1.05
run_plugin -f "$T/redis.ini" -H 127.0.0.1 -p "$FAKE_PORT" -t 6 -vvv
expect_rc 0 "password in the INI file's URL: OK"
expect_match 'history.*redis://icinga:\(secret\)@127\.0\.0\.1' "-vv: the setting shown with (secret)"
{ [[ "$OUT" != *"$PASS"* ]] && [[ "$ERR" != *"$PASS"* ]]; } &&
	ok "password in the INI file: not in the output at -vvv" ||
	fail "password in the INI file shown at -vvv"
run_plugin "${C[@]}" --history "redis://icinga:$PASS@127.0.0.1:$RPORT/0"
expect_rc 3 "a password on the command line: refused"
expect_match '^ASYNC_LEAK UNKNOWN - --history: a password on the command line is visible to every local user' \
	"a password on the command line: says why and where it goes"
{ [[ "$OUT" != *"$PASS"* ]] && [[ "$ERR" != *"$PASS"* ]]; } &&
	ok "a password on the command line: not echoed" || fail "a password on the command line: echoed"
run_plugin "${C[@]}" --history "redis://127.0.0.1:$RPORT/99999"
expect_rc 3 "a bad history URL: exit 3"
expect_match "^ASYNC_LEAK UNKNOWN - --history: history URL 'redis://127\.0\.0\.1:$RPORT/99999': the database must be" \
	"a bad history URL: one clear line"

# ---- Keys that are not this check's history: refused, left untouched ----
GKEY="check_async_leak:127.0.0.1+$FAKE_PORT+async.exe"	# the 50 checks' key
saved=$(rcli get "$GKEY")
rcli set "$GKEY" "hello, not a history" >/dev/null
run_plugin "${C[@]}" -p "$FAKE_PORT" --history "$URL"
expect_rc 3 "a key holding garbage: UNKNOWN floor"
expect_match "^History unavailable, no trend: Redis key $(re "$GKEY") at $(re "$URL") holds something that is not a history \('hello, not a history'; left untouched\)$" \
	"a key holding garbage: a clear note"
[ "$(rcli get "$GKEY")" = "hello, not a history" ] && ok "a key holding garbage: left untouched" ||
	fail "a key holding garbage: overwritten"

rcli del "$GKEY" >/dev/null
rcli rpush "$GKEY" a b >/dev/null
run_plugin "${C[@]}" -p "$FAKE_PORT" --history "$URL"
expect_rc 3 "a key of another type: UNKNOWN floor"
expect_match "^History unavailable, no trend: Redis key $(re "$GKEY") at $(re "$URL") holds a list, not a history \(left untouched\)$" \
	"a key of another type: a clear note"
[ "$(rcli llen "$GKEY")" = 2 ] && ok "a key of another type: left untouched" || fail "the list changed"

rcli del "$GKEY" >/dev/null
{ printf '# check_async_leak state v1\n# key=x\n'; head -c 1100000 /dev/zero | tr '\0' '#'; } |
	rcli -x set "$GKEY" >/dev/null
run_plugin "${C[@]}" -p "$FAKE_PORT" --history "$URL"
expect_rc 3 "a key larger than any history: UNKNOWN floor"
expect_match "holds 11000[0-9]+ bytes, more than a history ever has \(1048576; left untouched\)$" \
	"a key larger than any history: a clear note"
[ "$(rcli strlen "$GKEY")" -gt 1100000 ] && ok "a key larger than any history: left untouched" ||
	fail "the large key changed"

# Another check's history (the first agent's) under this check's key.
rcli get "$KEY" | rcli -x set "$GKEY" >/dev/null
other=$(rcli get "$GKEY" | md5sum)
run_plugin "${C[@]}" -p "$FAKE_PORT" --history "$URL"
expect_rc 3 "another check's history: UNKNOWN floor"
expect_match "^History unavailable, no trend: Redis key $(re "$GKEY") at $(re "$URL") holds the history of another check \(127\.0\.0\.1\+[0-9]+\+async\.exe\), not of 127\.0\.0\.1\+$FAKE_PORT\+async\.exe; left untouched$" \
	"another check's history: a clear note naming both"
[ "$(rcli get "$GKEY" | md5sum)" = "$other" ] && ok "another check's history: left untouched" ||
	fail "another check's history: overwritten"
printf '%s\n' "$saved" | rcli -x set "$GKEY" >/dev/null

# ---- Moving a history: state file -> Redis -> state file ----
start_fakeagent ok || { fail "third fake agent did not start"; finish; }
MKEY="check_async_leak:127.0.0.1+$FAKE_PORT+async.exe"
M=(-H 127.0.0.1 -p "$FAKE_PORT" -C public -t 6)
for i in 1 2 3; do
	run_plugin "${M[@]}" --state-dir "$T/old"
	[ "$i" -lt 3 ] && sleep 1.05
done
expect_rc 0 "three checks with the file store"
run_plugin "${M[@]}" --state-dir "$T/old" --history "$URL" --history-copy-from file
expect_rc 0 "copy file -> Redis: exit 0"
expect_match "^ASYNC_LEAK OK - history copied: 3 records from $(re "$T")/old/127\.0\.0\.1\+$FAKE_PORT\+async\.exe\.state to Redis key $(re "$MKEY") at $(re "$URL") " \
	"copy file -> Redis: one line saying what went where"
[ "$(rcli get "$MKEY" | samples)" = 3 ] && ok "copy file -> Redis: the key holds the 3 samples" ||
	fail "copy file -> Redis: $(rcli get "$MKEY" | samples) samples in the key"
run_plugin "${M[@]}" --state-dir "$T/old" --history "$URL" --history-copy-from file
expect_rc 3 "copy again: refused"
expect_match "already holds a history \(3 records\); not overwritten" "copy again: says why"
sleep 1.05
run_plugin "${M[@]}" --history "$URL" -v
expect_match '^History: 4 records in Redis key' "the check goes on in Redis with the copied history"
run_plugin "${M[@]}" --state-dir "$T/new" --history-copy-from "$URL"
expect_rc 0 "copy Redis -> file: exit 0"
n=$(samples <"$T/new/127.0.0.1+$FAKE_PORT+async.exe.state")
[ "$n" = 4 ] && ok "copy Redis -> file: the state file holds the 4 samples" ||
	fail "copy Redis -> file: $n samples in the file"
run_plugin "${M[@]}" --state-dir "$T/none" --history "$URL" --history-copy-from file
expect_rc 3 "copy from a store without a history: exit 3"
expect_match '^ASYNC_LEAK UNKNOWN - no history to copy in .*No such file or directory' "copy from nothing: says so"
[ ! -e "$T/none" ] && ok "copy from nothing: no directory made for it" || fail "copy from nothing: $T/none made"
run_plugin "${M[@]}" --history "$URL" --history-copy-from "$URL"
expect_rc 3 "copy onto itself: refused"

finish
