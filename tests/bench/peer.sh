#!/usr/bin/env bash
# tests/bench/peer.sh - part of `make bench`: the plugin against its peers on
# one real snmpd on 127.0.0.1 serving N process rows.  Prints figures,
# asserts nothing.
#
# For each N in BENCH_ROWS (default "100 1000 3000") an snmpd runs in a
# private PID namespace (unshare; where that is refused, in this one, and
# the table then holds this machine's processes too) with N-2 sleeping
# processes and one real Async.exe (build/hog/Async.exe), snmpd itself
# being the last row.  Its hrSWRun caches are set to an hour
# (nsCacheTimeout) and warmed, so every contender sees the same warm agent.
# Contenders, in interleaved rounds (BENCH_ROUNDS, default 11, the order
# rotating each round):
#   plugin first        check_async_leak without a history (a full walk)
#   plugin repeat       check_async_leak with the history of a check just before
#   plugin v3 first/repeat  the same over SNMPv3 SHA-256/AES authPriv
#   csp.pl v1           check_snmp_process.pl (Debian's nagios-snmp-plugins) as
#                       shipped: SNMPv1, GETNEXT walks
#   csp.pl -2           the same with -2 (v2c, GETBULK)
#   snmp tools          snmpbulkwalk of hrSWRunName + one snmpget (sh script)
#   bare client         build/bench/bare: libnetsnmp doing the same walk + GET
# Figures: median wall time, median CPU (user + system of the process and
# its children), median peak RSS, and request PDUs per run counted from the
# agent's snmpInPkts (read after every run; the read itself is taken off).
# BENCH_BASELINE=/abs/path/to/another/check_async_leak adds its repeat check
# as one more contender in the same rounds (a before/after on one machine).
# PLUGIN and BUILD must be absolute paths (the Makefile sets them).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${PLUGIN:?PLUGIN must be the absolute path of the plugin}"
: "${BUILD:?BUILD must be the absolute build directory}"
ROWS=${BENCH_ROWS:-100 1000 3000}
ROUNDS=${BENCH_ROUNDS:-11}
CSP=${BENCH_CSP:-/usr/lib/nagios/plugins/check_snmp_process.pl}
RUNONE=$BUILD/bench/runone
BARE=$BUILD/bench/bare
HOG=$BUILD/hog/Async.exe
COMM=public
V3USER=benchv3
V3AUTH=authpass123
V3PRIV=privpass123

for f in "$RUNONE" "$BARE" "$HOG"; do
	[ -x "$f" ] || { echo "peer bench: $f missing (make bench builds it)" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/async-peer.XXXXXX")
AGENT_PID=
SLEEPERS=()
stop_agent() {
	local i
	if [ -n "$AGENT_PID" ] && kill -0 "$AGENT_PID" 2>/dev/null; then
		kill -TERM "$AGENT_PID" 2>/dev/null || true
		for i in $(seq 1 50); do
			kill -0 "$AGENT_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$AGENT_PID" 2>/dev/null || true
	fi
	[ -n "$AGENT_PID" ] && wait "$AGENT_PID" 2>/dev/null || true
	AGENT_PID=
	if [ "${#SLEEPERS[@]}" -gt 0 ]; then	# only without a PID namespace
		kill -TERM "${SLEEPERS[@]}" 2>/dev/null || true
		wait "${SLEEPERS[@]}" 2>/dev/null || true
		SLEEPERS=()
	fi
}
cleanup() { stop_agent; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tool() {	# the Net-SNMP tools, away from /etc/snmp, ~/.snmp, /var/lib/snmp
	MIBS= MIBDIRS= SNMPCONFPATH="$WORK/cli" SNMP_PERSISTENT_DIR="$WORK/cli" \
		timeout 20 "$@"
}
mkdir -p "$WORK/cli" "$WORK/persist"
chmod 700 "$WORK/cli" "$WORK/persist"

in_pkts() {
	tool snmpget -v2c -c "$COMM" -On -Oqv -t 2 -r 1 "127.0.0.1:$PORT" \
		.1.3.6.1.2.1.11.1.0 2>/dev/null || echo -1
}

# The agent in its PID namespace: N-2 sleepers, Async.exe, then snmpd
# (exec'd, so it is the namespace's init and takes the rest with it).
write_conf() {
	cat >"$WORK/snmpd.conf" <<EOF
agentaddress udp:127.0.0.1:$PORT
rocommunity $COMM 127.0.0.1
createUser $V3USER SHA-256 "$V3AUTH" AES "$V3PRIV"
rouser $V3USER priv
view benchadmin included .1.3.6.1.4.1.8072.1.5
rwcommunity benchadmin 127.0.0.1 -V benchadmin
dontLogTCPWrappersConnects yes
EOF
}

AGENT_SCRIPT='
n=$1; hog=$2; ready=$3; shift 3
i=0
while [ "$i" -lt "$n" ]; do sleep 86400 & i=$((i + 1)); done
"$hog" 8 "$ready" 86400 &
j=0
while [ ! -e "$ready" ] && [ "$j" -lt 200 ]; do sleep 0.05; j=$((j + 1)); done
exec "$@"
'

start_agent() {	# N
	local n=$1 sleepers=$(( $1 - 2 )) i
	NS=yes
	PORT=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40001 ))
	write_conf
	rm -f "$WORK/ready"
	local snmpd=(env SNMP_PERSISTENT_DIR="$WORK/persist" MIBS= MIBDIRS=
		/usr/sbin/snmpd -f -Lf "$WORK/snmpd.log" -C -c "$WORK/snmpd.conf" -m "" -I -smux)
	if unshare --pid --fork --mount-proc --kill-child true 2>/dev/null; then
		unshare --pid --fork --mount-proc --kill-child \
			bash -c "$AGENT_SCRIPT" agent "$sleepers" "$HOG" "$WORK/ready" "${snmpd[@]}" \
			</dev/null >"$WORK/agent.out" 2>&1 &
		AGENT_PID=$!
	else
		NS=no
		for i in $(seq 1 "$sleepers"); do sleep 86400 & SLEEPERS+=("$!"); done
		"$HOG" 8 "$WORK/ready" 86400 & SLEEPERS+=("$!")
		"${snmpd[@]}" </dev/null >"$WORK/agent.out" 2>&1 &
		AGENT_PID=$!
	fi
	for i in $(seq 1 300); do
		if tool snmpget -v2c -c "$COMM" -On -t 0.2 -r 0 "127.0.0.1:$PORT" \
			.1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
			break
		fi
		kill -0 "$AGENT_PID" 2>/dev/null ||
			{ echo "peer bench: snmpd died:"; tail -n 5 "$WORK/snmpd.log" "$WORK/agent.out"; exit 1; }
		sleep 0.1
	done
	# Keep the process tables cached for an hour, then fill the caches.
	for oid in .1.3.6.1.2.1.25.4.2 .1.3.6.1.2.1.25.5.1; do
		tool snmpset -v2c -c benchadmin -On -t 5 -r 1 "127.0.0.1:$PORT" \
			".1.3.6.1.4.1.8072.1.5.3.1.2$oid" i 3600 >/dev/null 2>&1 || true
	done
	tool snmpbulkwalk -v2c -c "$COMM" -On -t 10 "127.0.0.1:$PORT" \
		.1.3.6.1.2.1.25.4.2.1.2 >"$WORK/names" 2>/dev/null || true
	tool snmpbulkwalk -v2c -c "$COMM" -On -t 10 "127.0.0.1:$PORT" \
		.1.3.6.1.2.1.25.5.1.1.2 >/dev/null 2>&1 || true
	ROWS_SEEN=$(wc -l <"$WORK/names")
}

# The contenders, each an argument list; run through runone.
cat >"$WORK/tools.sh" <<'EOF'
# snmpbulkwalk + snmpget, as a shell script would do it
a=127.0.0.1:$1
i=$(snmpbulkwalk -v2c -c "$2" -On -Cr50 "$a" .1.3.6.1.2.1.25.4.2.1.2 |
	sed -n 's/^\.1\.3\.6\.1\.2\.1\.25\.4\.2\.1\.2\.\([0-9]*\) = STRING: "Async\.exe"$/\1/p')
[ -n "$i" ] || exit 2
snmpget -v2c -c "$2" -On "$a" .1.3.6.1.2.1.25.1.1.0 .1.3.6.1.2.1.25.2.2.0 \
	.1.3.6.1.2.1.25.5.1.1.2.$i .1.3.6.1.2.1.25.5.1.1.1.$i \
	.1.3.6.1.2.1.25.4.2.1.7.$i .1.3.6.1.2.1.25.4.2.1.4.$i
EOF

NAMES=(plugin_first plugin_repeat plugin_v3_first plugin_v3_repeat csp_v1 csp_2 tools bare)
BASELINE=${BENCH_BASELINE:-}
if [ -n "$BASELINE" ]; then
	[ -x "$BASELINE" ] || { echo "peer bench: BENCH_BASELINE $BASELINE is not executable" >&2; exit 1; }
	NAMES+=(baseline_repeat)
fi
label() {
	case $1 in
		plugin_first) echo "check_async_leak, first check (walk)" ;;
		plugin_repeat) echo "check_async_leak, repeat check" ;;
		plugin_v3_first) echo "check_async_leak v3, first check" ;;
		plugin_v3_repeat) echo "check_async_leak v3, repeat check" ;;
		csp_v1) echo "check_snmp_process.pl (v1, as shipped)" ;;
		csp_2) echo "check_snmp_process.pl -2 (v2c bulk)" ;;
		tools) echo "snmpbulkwalk + snmpget (sh)" ;;
		bare) echo "bare libnetsnmp client (floor)" ;;
		baseline_repeat) echo "BENCH_BASELINE, repeat check" ;;
	esac
}

cmd_of() {	# NAME -> CMD array
	local p=(-H 127.0.0.1 -p "$PORT" -w 200MB -c 400MB -t 10)
	local v3=(-P 3 -L authPriv -U "$V3USER" -a SHA-256 -A "$V3AUTH" -x AES -X "$V3PRIV")
	case $1 in
		plugin_first) CMD=("$PLUGIN" "${p[@]}" -C "$COMM" --state-dir "$WORK/st-first") ;;
		plugin_repeat) CMD=("$PLUGIN" "${p[@]}" -C "$COMM" --state-dir "$WORK/st-repeat") ;;
		plugin_v3_first) CMD=("$PLUGIN" "${p[@]}" "${v3[@]}" --state-dir "$WORK/st-v3first") ;;
		plugin_v3_repeat) CMD=("$PLUGIN" "${p[@]}" "${v3[@]}" --state-dir "$WORK/st-v3repeat") ;;
		csp_v1) CMD=("$CSP" -H 127.0.0.1 -p "$PORT" -C "$COMM" -n Async.exe -r -m 200,400 -F -t 10) ;;
		csp_2) CMD=("$CSP" -H 127.0.0.1 -p "$PORT" -C "$COMM" -2 -n Async.exe -r -m 200,400 -F -t 10) ;;
		tools) CMD=(env MIBS= MIBDIRS= SNMPCONFPATH="$WORK/cli" SNMP_PERSISTENT_DIR="$WORK/cli"
			sh "$WORK/tools.sh" "$PORT" "$COMM") ;;
		bare) CMD=("$BARE" "127.0.0.1:$PORT" "$COMM" Async.exe) ;;
		baseline_repeat) CMD=("$BASELINE" "${p[@]}" -C "$COMM" --state-dir "$WORK/st-baseline") ;;
	esac
}

# Before each run: a first check has no history, a repeat check has one.
prepare() {
	case $1 in
		plugin_first) rm -rf "$WORK/st-first" ;;
		plugin_v3_first) rm -rf "$WORK/st-v3first" ;;
	esac
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

bench_rows() {	# N
	local n=$1 r k name last now out i
	start_agent "$n"
	echo
	echo "== N = $n process rows (hrSWRunTable walked: $ROWS_SEEN rows; PID namespace: $NS)"
	: >"$WORK/samples"
	for name in "${NAMES[@]}"; do	# one untimed run each: histories exist, outputs shown
		cmd_of "$name"
		prepare "$name"
		out=$("${CMD[@]}" 2>&1 | head -n 1 | cut -d'|' -f1 | cut -c1-90) || true
		printf '  %-40s %s\n' "$(label "$name"):" "$out"
	done
	last=$(in_pkts)
	for r in $(seq 1 "$ROUNDS"); do
		for k in $(seq 0 $(( ${#NAMES[@]} - 1 ))); do
			name=${NAMES[$(( (k + r) % ${#NAMES[@]} ))]}
			cmd_of "$name"
			prepare "$name"
			"$RUNONE" "${CMD[@]}" 3>"$WORK/fig" >/dev/null 2>&1 || true
			now=$(in_pkts)
			echo "$name $(cat "$WORK/fig") $(( now - last - 1 ))" >>"$WORK/samples"
			last=$now
		done
	done
	stop_agent

	local ref_wall ref_cpu
	ref_wall=$(awk '$1 == "csp_2" { print $2 }' "$WORK/samples" | median)
	ref_cpu=$(awk '$1 == "csp_2" { print $3 + $4 }' "$WORK/samples" | median)
	printf '\n  %-40s %10s %10s %10s %6s %9s %9s\n' "median of $ROUNDS rounds" "wall ms" "CPU ms" \
		"RSS KiB" "PDUs" "vs -2" "CPU vs -2"
	for name in "${NAMES[@]}"; do
		local w c m p
		w=$(awk -v n="$name" '$1 == n { print $2 }' "$WORK/samples" | median)
		c=$(awk -v n="$name" '$1 == n { print $3 + $4 }' "$WORK/samples" | median)
		m=$(awk -v n="$name" '$1 == n { print $5 }' "$WORK/samples" | median)
		p=$(awk -v n="$name" '$1 == n { print $7 }' "$WORK/samples" | median)
		awk -v l="$(label "$name")" -v w="$w" -v c="$c" -v m="$m" -v p="$p" -v ref="$ref_wall" \
			-v refc="$ref_cpu" \
			'BEGIN { printf "  %-40s %10.1f %10.1f %10d %6s %8.1fx %8.1fx\n", l, w / 1000, c / 1000,
			         m, p, (w > 0 ? ref / w : 0), (c > 0 ? refc / c : 0) }'
		eval "pdus_$name=\$p"
		i=$(awk -v n="$name" '$1 == n && $6 != 0' "$WORK/samples" | wc -l)
		[ "$i" -eq 0 ] || echo "    ($i of $ROUNDS runs exited non-zero: $(awk -v n="$name" '$1 == n { print $6 }' "$WORK/samples" | sort -u | tr '\n' ' '))"
	done
	# shellcheck disable=SC2154 # set by the eval above
	echo "  SNMPv3 engine discovery round trips per check (v3 PDUs - v2c PDUs):" \
		"first check $(( ${pdus_plugin_v3_first%.*} - ${pdus_plugin_first%.*} )), repeat check" \
		"$(( ${pdus_plugin_v3_repeat%.*} - ${pdus_plugin_repeat%.*} ))"
}

echo
echo "== check_async_leak against its peers: one snmpd on 127.0.0.1, warm agent caches"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	"$(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ -x "$CSP" ] || echo "check_snmp_process.pl not found at $CSP (Debian package nagios-snmp-plugins): its rows fail"
for n in $ROWS; do
	bench_rows "$n"
done
echo
echo "PDUs: request packets the agent received per run (snmpInPkts), SNMPv3 engine discovery included."
echo "vs -2: how many times faster than check_snmp_process.pl -2, by median wall time;"
echo "CPU vs -2: the same by median CPU time (steadier on a loaded machine)."
