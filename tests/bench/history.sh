#!/usr/bin/env bash
# tests/bench/history.sh - `make bench`, the history stores: what one check
# costs with its history in a state file (--history file) and in Redis
# (--history redis://127.0.0.1:PORT, and unix:/PATH), against the fake
# agent (tests/sim/fakeagent.c: no SNMP delay) so that the store's share
# shows.  Each store starts from the same five weeks of history (840 hourly
# floors and 3 h of 5-minute samples, ~40 KiB, what a check every 5 minutes
# settles at); BENCH_RUNS checks each (default 30), one second apart is not
# needed (a second check in the same second replaces the sample).  Prints
# median and 90th percentile wall time, median CPU (user + sys), peak RSS
# and the Redis commands a check sends.  Figures are printed, never asserted.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILD:=$ROOT/build}"
: "${PLUGIN:=$ROOT/plugin/check_async_leak}"
: "${BENCH_RUNS:=30}"
RUNONE=$BUILD/bench/runone

command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
	{ echo "history.sh: redis-server and redis-cli needed (tests/deps.sh bench)" >&2; exit 1; }
[ -x "$RUNONE" ] || { echo "history.sh: $RUNONE not built (make bench)" >&2; exit 1; }

B=$(mktemp -d "${TMPDIR:-/tmp}/bench-history.XXXXXX") || exit 1
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$B"
}
trap cleanup EXIT

"$BUILD/fakeagent" ok "$B/fa.port" 0 900 >/dev/null 2>&1 &
pids+=($!)
for port in $(seq 1 8); do
	RPORT=$((20000 + RANDOM % 40000))
	redis-server --bind 127.0.0.1 --port "$RPORT" --unixsocket "$B/r.sock" --unixsocketperm 700 \
		--dir "$B" --save '' --appendonly no --daemonize no --logfile "$B/redis.log" \
		>/dev/null 2>&1 &
	rpid=$!
	for i in $(seq 1 100); do
		redis-cli -s "$B/r.sock" ping 2>/dev/null | grep -q PONG && break 2
		kill -0 "$rpid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null
done
pids+=("$rpid")
for i in $(seq 1 100); do [ -s "$B/fa.port" ] && break; sleep 0.05; done
FPORT=$(cat "$B/fa.port")
KEY=127.0.0.1+$FPORT+async.exe

# Five weeks of history, as a check every 5 minutes leaves it.
now=$(date +%s)
awk -v now="$now" -v key="$KEY" 'BEGIN {
	print "# check_async_leak state v1"; print "# key=" key; print "# written=" now - 300
	t0 = now - 35 * 86400; t0 -= t0 % 3600
	for (t = t0; t < now - 3 * 3600 - 3600; t += 3600)
		printf "%d %d 1388 12000 %d h\n", t, 48000 + (t % 7), (t - t0) * 100
	for (t = now - 3 * 3600; t < now - 300; t += 300)
		printf "%d %d 1388 12000 %d\n", t, 49256, (t - t0) * 100
}' >"$B/seed.state"

seed() {	# the same history in every store before each one's runs
	mkdir -p "$B/state" && chmod 700 "$B/state"
	cp "$B/seed.state" "$B/state/$KEY.state"
	redis-cli -s "$B/r.sock" -x set "check_async_leak:$KEY" <"$B/seed.state" >/dev/null
}

cmds() { redis-cli -s "$B/r.sock" info stats | sed -n 's/^total_commands_processed:\([0-9]*\).*/\1/p'; }

bench() {	# NAME, then the plugin's --history value
	local name=$1 store=$2 c0 c1 i
	seed
	"$PLUGIN" -H 127.0.0.1 -p "$FPORT" -C public --state-dir "$B/state" --history "$store" \
		>/dev/null 2>&1	# warm-up
	: >"$B/fig"
	c0=$(cmds)
	for i in $(seq 1 "$BENCH_RUNS"); do
		"$RUNONE" "$PLUGIN" -H 127.0.0.1 -p "$FPORT" -C public --state-dir "$B/state" \
			--history "$store" 3>>"$B/fig" >/dev/null 2>&1
	done
	c1=$(cmds)
	awk -v name="$name" -v n="$BENCH_RUNS" -v rc=$(( (c1 - c0 - 1 + BENCH_RUNS / 2) / BENCH_RUNS )) '
		{ wall[NR] = $1 / 1000; cpu[NR] = ($2 + $3) / 1000; rss = $4 > rss ? $4 : rss
		  if ($5 != 0) bad++ }
		function sort(a, k,   i, j, x) { for (i = 2; i <= k; i++) { x = a[i]
			for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } }
		END { sort(wall, NR); sort(cpu, NR)
		      printf "  %-26s %7.1f ms %7.1f ms %7.1f ms %6d KiB %4s%s\n", name,
			     wall[int((NR + 1) / 2)], wall[int(NR * 0.9 + 0.5)], cpu[int((NR + 1) / 2)],
			     rss, name ~ /^Redis/ ? rc : "-", bad ? "  (" bad " not OK)" : "" }' "$B/fig"
}

echo "History stores: one check with five weeks of history ($(wc -c <"$B/seed.state") bytes),"
echo "$BENCH_RUNS checks each against the fake agent on 127.0.0.1 (no SNMP delay)"
printf '  %-26s %10s %10s %10s %10s %4s\n' store "wall p50" "wall p90" "CPU p50" "peak RSS" cmds
bench "file (--state-dir)" file
bench "Redis TCP 127.0.0.1" "redis://127.0.0.1:$RPORT/0"
bench "Redis Unix socket" "unix:$B/r.sock"
echo "  cmds: Redis commands a check costs the server, those its Lua scripts run"
echo "  included; 7 round trips: lock, read, unlock before the query (the repeat"
echo "  check's memory), lock, read, compare-and-set, unlock after it"
