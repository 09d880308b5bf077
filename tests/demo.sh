#!/usr/bin/env bash
# tests/demo.sh - `make demo`: check_async_leak against the built-in simulated
# Windows 2000 / Exchange 5.5 host, served by a private snmpd on 127.0.0.1.
# Everything it starts is stopped by PID on exit; everything it writes is in
# one temp directory, removed on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
PLUGIN=${PLUGIN:-$ROOT/plugin/check_async_leak}
export BUILD
# shellcheck source=tests/sim/simhost.sh
. "$ROOT/tests/sim/simhost.sh"
# shellcheck source=tests/sim/history.sh
. "$ROOT/tests/sim/history.sh"

DEMO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/async-demo.XXXXXX")
cleanup() { simhost_stop >/dev/null 2>&1 || true; rm -rf "$DEMO_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }

# Runs the plugin as an admin would type it, shows its output and exit code.
check() {
	local rc=0
	printf '$ check_async_leak %s\n' "$*"
	"$PLUGIN" "$@" || rc=$?
	printf '(exit %d)\n\n' "$rc"
}

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$DEMO_DIR/agent" >/dev/null
bold "== exch01: simulated Windows 2000 + Exchange 5.5 SP3, snmpd on 127.0.0.1:$SIM_PORT"
echo "   (Async.exe is the MS Mail Connector, index 1388, 48 MiB after its start)"
echo

A=(-H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" --state-dir "$DEMO_DIR/state")

bold "== 1. Memory against fixed thresholds, as the mail traffic makes Async.exe grow"
for kb in 49256 230000 450000; do
	simhost_set_mem 1388 "$kb"
	check "${A[@]}" -w 200MB -c 400MB
done

bold "== 2. The same over SNMPv3 (SHA-256 / AES), against a 40 MB baseline"
simhost_set_mem 1388 49256
check -H 127.0.0.1 -p "$SIM_PORT" -P 3 -U "$SIM_V3_USER" -a SHA-256 -A "$SIM_V3_AUTHPASS" \
	-x AES -X "$SIM_V3_PRIVPASS" --state-dir "$DEMO_DIR/state" --baseline 40MB -w 150% -c 200%
echo "   Each such check hashes 1 MiB of both passphrases. --print-keys makes the keys"
echo "   once (INI lines for the host's section); with them no check hashes anything:"
echo
check -H 127.0.0.1 -p "$SIM_PORT" -P 3 -U "$SIM_V3_USER" -a SHA-256 -A "$SIM_V3_AUTHPASS" \
	-x AES -X "$SIM_V3_PRIVPASS" --print-keys
keys=$("$PLUGIN" -H 127.0.0.1 -p "$SIM_PORT" -P 3 -U "$SIM_V3_USER" -a SHA-256 \
	-A "$SIM_V3_AUTHPASS" -x AES -X "$SIM_V3_PRIVPASS" --print-keys)
{ echo "[exch01]"; echo "hostname = 127.0.0.1"; echo "protocol = 3"
  echo "secname = $SIM_V3_USER"; echo "authproto = SHA-256"; echo "privproto = AES"
  grep -E '^(auth|priv)masterkey = ' <<<"$keys"; } > "$DEMO_DIR/keys.ini"
chmod 600 "$DEMO_DIR/keys.ini"
check -f "$DEMO_DIR/keys.ini" -s exch01 -p "$SIM_PORT" --state-dir "$DEMO_DIR/state" \
	--baseline 40MB -w 150% -c 200%

bold "== 3. The trend: a leak told from normal use, hours before memory runs out"
echo "   Each step writes hours of 5-minute history into the state file, as if the"
echo "   plugin had been scheduled all along, then runs one live check. Restarted at"
echo "   18:00 (index 1200 -> 1388), Async.exe leaks 3 MiB/h in business hours only."
echo
T=(-H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" --state-file "$DEMO_DIR/exch01.state"
   -w 230MB -c 256MB --growth-warning 0.5MB/h --growth-critical 8MB/h
   --timeleft-warning 7d --timeleft-critical 2d)
for step in "14 restarted last night at 18:00, it is 08:00: no traffic yet" \
	    "24 18:00, a business day of mail traffic later" \
	    "144 18:00 six business days later"; do
	hours=${step%% *}
	bold "-- ${step#* } (${hours} h of history)"
	simhost_set_mem 1388 "$(history_seed "$DEMO_DIR/exch01.state" "$hours" 3072)"
	grep -v '^#' "$DEMO_DIR/exch01.state" | awk '{ print $1, $2, $3 }' >"$DEMO_DIR/series.txt"
	check "${T[@]}"
done

bold "== 4. The same history replayed offline, to tune thresholds (--replay)"
printf '$ check_async_leak --replay series.txt --growth-warning 0.5MB/h --limit 256MB ... (every 12th hour)\n'
"$PLUGIN" --replay "$DEMO_DIR/series.txt" --growth-warning 0.5MB/h --growth-critical 8MB/h \
	--limit 256MB --timeleft-warning 7d --timeleft-critical 2d | awk 'NR == 1 || NR % 144 == 0'
echo

bold "== 5. Mistakes get one clear UNKNOWN line"
check "${A[@]}" -w 200 -c lots
check -H 127.0.0.1 -p "$SIM_PORT" -C wrong-community -t 2

bold "== done: agent stopped, temp files removed"
