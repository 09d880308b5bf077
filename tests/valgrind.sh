#!/usr/bin/env bash
# tests/valgrind.sh - `make valgrind`: the plugin under valgrind's memcheck
# against the simulated host: normal checks (v1, v2c, v3 with passphrases
# and with keys), the error paths (no response, wrong passphrase or key,
# missing perf table, bad options, a bad INI file) and the history.  Fails on any memcheck error or definite leak.
# Ends with the plain line "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
PLUGIN=${PLUGIN:-$ROOT/plugin/check_async_leak}
export BUILD
. "$ROOT/tests/sim/simhost.sh"

V=$(mktemp -d "${TMPDIR:-/tmp}/async-vg.XXXXXX")
trap 'simhost_stop >/dev/null 2>&1; rm -rf "$V"' EXIT
simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$V/agent" >/dev/null || { echo "agent did not start"; exit 1; }

pass=0 failed=0
vg() {	# description, then the plugin's arguments
	local what=$1 rc
	shift
	timeout 120 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --log-file="$V/vg.log" "$PLUGIN" "$@" >"$V/out" 2>&1
	rc=$?
	if [ "$rc" -eq 99 ] || [ "$rc" -gt 3 ] || [ -s "$V/vg.log" ]; then
		echo "FAIL valgrind: $what (exit $rc)"
		sed 's/^/    /' "$V/vg.log" | head -40
		failed=$((failed + 1))
	else
		echo "ok   valgrind: $what (exit $rc)"
		pass=$((pass + 1))
	fi
}

C=(-H 127.0.0.1 -p "$SIM_PORT" -t 5 --state-dir "$V/state")
vg "v2c check" "${C[@]}" -C "$SIM_COMMUNITY" -w 200MB -c 400MB
vg "v2c check again (history read back)" "${C[@]}" -C "$SIM_COMMUNITY" -w 200MB -c 400MB -vv
simhost_set_field 1388 cpu 5	# another process under 1388: the repeat GET fails, then a walk
vg "v2c repeat GET that no longer stands, then the walk" "${C[@]}" -C "$SIM_COMMUNITY" -vv
simhost_set_field 1388 cpu 1862054
vg "v1 check" "${C[@]}" -P 1 -C "$SIM_COMMUNITY"
vg "v3 authPriv SHA-256/AES" "${C[@]}" -P 3 -U "$SIM_V3_USER" -a SHA-256 -A "$SIM_V3_AUTHPASS" \
	-x AES -X "$SIM_V3_PRIVPASS"
# No AES: no cipher in plugin/usmcrypto.c's provider is used at all.
vg "v3 authNoPriv SHA-256" "${C[@]}" -P 3 -U "$SIM_V3_AUTHUSER" -L authNoPriv -a SHA-256 \
	-A "$SIM_V3_AUTHPASS"
vg "v3 authPriv MD5/DES" "${C[@]}" -P 3 -U "$SIM_V3_MD5USER" -a MD5 -A "$SIM_V3_AUTHPASS" \
	-x DES -X "$SIM_V3_PRIVPASS"
vg "v3 wrong passphrase" "${C[@]}" -P 3 -U "$SIM_V3_USER" -a SHA-256 -A wrongpass123 \
	-x AES -X "$SIM_V3_PRIVPASS"
# SNMPv3 keys (from --print-keys, itself under valgrind first).
vg "v3 --print-keys" "${C[@]}" -P 3 -U "$SIM_V3_USER" -a SHA-256 -A "$SIM_V3_AUTHPASS" \
	-x AES -X "$SIM_V3_PRIVPASS" --print-keys
keys=$(cat "$V/out")
am=$(sed -n 's/^authmasterkey = //p' <<<"$keys") pm=$(sed -n 's/^privmasterkey = //p' <<<"$keys")
al=$(sed -n 's/^;authlocalkey = //p' <<<"$keys") pl=$(sed -n 's/^;privlocalkey = //p' <<<"$keys")
vg "v3 master keys" "${C[@]}" -P 3 -U "$SIM_V3_USER" -a SHA-256 --authmasterkey "$am" \
	-x AES --privmasterkey "$pm"
vg "v3 localized keys" "${C[@]}" -P 3 -U "$SIM_V3_USER" -a SHA-256 --authlocalkey "$al" \
	-x AES --privlocalkey "$pl" -vvv
vg "v3 wrong key" "${C[@]}" -P 3 -U "$SIM_V3_USER" -a SHA-256 --authmasterkey "${pm}" \
	-x AES --privmasterkey "$pm"
vg "v3 key of the wrong length" "${C[@]}" -P 3 -U "$SIM_V3_USER" -a SHA-512 \
	--authmasterkey "$am" -x AES --privmasterkey "$pm"
vg "regex and path" "${C[@]}" -C "$SIM_COMMUNITY" -r '^async' --path 'msmcon'
vg "process missing" "${C[@]}" -C "$SIM_COMMUNITY" -n NoSuch.exe
vg "no response" -H 127.0.0.1 -p 9 -t 2 -C "$SIM_COMMUNITY" --state-dir "$V/state"
vg "bad option" -H 127.0.0.1 --frobnicate
vg "bad range" -H 127.0.0.1 -w 20MB:10MB
printf '[defaults]\ncomunity = x\n' >"$V/bad.ini"
vg "bad INI file" -f "$V/bad.ini" -H 127.0.0.1
vg "help" --help
simhost_set_table "$ROOT/mib/hosts/win2k-noperf.tbl"
vg "missing hrSWRunPerfTable" "${C[@]}" -C "$SIM_COMMUNITY"
simhost_set_table "$ROOT/mib/hosts/win2k-badtypes.tbl"
vg "wrong types" "${C[@]}" -C "$SIM_COMMUNITY"

# Broken walks from the fake agent (tests/sim/fakeagent.c).
for mode in loop back missing; do
	rm -f "$V/fake.port"
	"$BUILD/fakeagent" "$mode" "$V/fake.port" 0 120 >/dev/null 2>&1 &
	fpid=$!
	for i in $(seq 1 100); do [ -s "$V/fake.port" ] && break; sleep 0.1; done
	vg "broken walk: $mode" -H 127.0.0.1 -p "$(cat "$V/fake.port" 2>/dev/null)" -t 3 \
		-C public --path msmcon --state-dir "$V/state"
	kill -TERM "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
done
# tooBig on the repeat GET (the second check), then the walk.
rm -f "$V/fake.port"
"$BUILD/fakeagent" toobig "$V/fake.port" 0 120 >/dev/null 2>&1 &
fpid=$!
for i in $(seq 1 100); do [ -s "$V/fake.port" ] && break; sleep 0.1; done
for k in 1 2; do
	vg "tooBig agent, check $k" -H 127.0.0.1 -p "$(cat "$V/fake.port" 2>/dev/null)" -t 3 \
		-C public --state-dir "$V/state" -vv
done
kill -TERM "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null

# The history in Redis (plugin/store_redis.h), against a redis-server of
# our own on a Unix socket in $V: saved and read back, garbage under the
# key, the password refused, Redis gone, a copy between the stores.
if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
	redis-server --port 0 --unixsocket "$V/redis.sock" --unixsocketperm 700 --dir "$V" \
		--save '' --appendonly no --daemonize no --logfile "$V/redis.log" >/dev/null 2>&1 &
	rpid=$!
	for i in $(seq 1 100); do
		redis-cli -s "$V/redis.sock" ping 2>/dev/null | grep -q PONG && break
		sleep 0.05
	done
	R=(--history "unix:$V/redis.sock")
	simhost_set_table "$ROOT/mib/hosts/win2k-exch55.tbl"
	vg "Redis: first check" "${C[@]}" -C "$SIM_COMMUNITY" "${R[@]}" -v
	vg "Redis: the history read back" "${C[@]}" -C "$SIM_COMMUNITY" "${R[@]}" -vvv
	vg "Redis: copy to a state file" "${C[@]}" -C "$SIM_COMMUNITY" --state-dir "$V/copy" \
		--history-copy-from "unix:$V/redis.sock"
	key=$(redis-cli -s "$V/redis.sock" --scan --pattern 'check_async_leak:*' | head -n 1)
	redis-cli -s "$V/redis.sock" set "$key" garbage >/dev/null
	vg "Redis: garbage under the key" "${C[@]}" -C "$SIM_COMMUNITY" "${R[@]}"
	CHECK_ASYNC_LEAK_REDIS_PASSWORD=wrong vg "Redis: password refused" "${C[@]}" \
		-C "$SIM_COMMUNITY" "${R[@]}"
	kill -TERM "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null
	vg "Redis: server gone" "${C[@]}" -C "$SIM_COMMUNITY" "${R[@]}"
else
	echo "FAIL valgrind: redis-server not installed (tests/deps.sh check)"
	failed=$((failed + 1))
fi

echo "valgrind: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
