#!/usr/bin/env bash
# tests/bench/bench.sh - `make bench`: what one check costs, over SNMP v2c and
# v3 (SHA-256/AES authPriv, with passphrases and with keys) against the
# simulated Windows 2000 host served by a private snmpd on 127.0.0.1.
# Prints figures, asserts nothing.
#
#   wall time        hyperfine (else a loop timed with date +%s%N)
#   instructions     valgrind --tool=callgrind, BENCH_CG_RUNS runs (repeatable
#                    up to the agent's answers; the spread is shown)
#   peak RSS         /usr/bin/time -f %M, the largest of BENCH_RSS_RUNS runs
#   SNMP requests    from the plugin's -vv summary line
#
# PLUGIN and BUILD must be absolute paths (the Makefile sets them).  Knobs:
# BENCH_RUNS (default 30), BENCH_CG_RUNS (3), BENCH_RSS_RUNS (5),
# BENCH_NO_HYPERFINE=1 (time with the date loop even if hyperfine is here).  The
# machine is shared: load average and core count are printed with the
# figures.  Everything started is stopped by PID; the temp dir is removed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${PLUGIN:?PLUGIN must be the absolute path of the plugin}"
: "${BUILD:?BUILD must be the absolute build directory}"
export BUILD
RUNS=${BENCH_RUNS:-30}
CG_RUNS=${BENCH_CG_RUNS:-3}
RSS_RUNS=${BENCH_RSS_RUNS:-5}

# shellcheck source=tests/sim/simhost.sh disable=SC1091
. "$ROOT/tests/sim/simhost.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/async-bench.XXXXXX")
cleanup() { simhost_stop >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$WORK/agent" >/dev/null

# The arguments of each mode, without ever printing them: v3 carries
# passphrases.  -L is explicit so the figures do not depend on defaults.
# v2c and v3 are read through a nameref below (SC2034).
common=(-H 127.0.0.1 -p "$SIM_PORT" -w 200MB -c 400MB -t 10)
# shellcheck disable=SC2034
v2c=("${common[@]}" -P 2c -C "$SIM_COMMUNITY" --state-dir "$WORK/state-v2c")
# shellcheck disable=SC2034
v3=("${common[@]}" -P 3 -L authPriv -U "$SIM_V3_USER" -a SHA-256
	-A "$SIM_V3_AUTHPASS" -x AES -X "$SIM_V3_PRIVPASS"
	--state-dir "$WORK/state-v3")

# One check, output discarded, its exit code (0-3) ignored: a WARNING is
# as good a run as an OK for timing.
run_once() { "$PLUGIN" "$@" >/dev/null 2>&1 || true; }

wall_time() {	# NAME ARGS...
	local name=$1 t0 t1
	shift
	if [ -z "${BENCH_NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then
		# -N: no shell in between; -n: the name, never the command line.
		local out
		out=$(hyperfine -N -i --style basic --warmup 3 --runs "$RUNS" \
			-n "$name" "$(printf '%q ' "$PLUGIN" "$@")" 2>&1 || true)
		if grep -q 'Time (mean' <<<"$out"; then
			sed -n '/Time (mean/,/Range/p' <<<"$out" | sed 's/^ */  /'
		else
			echo "  hyperfine failed:"; tail -n 3 <<<"$out" | sed 's/^/    /'
		fi
		return
	fi
	for _ in 1 2 3; do run_once "$@"; done
	for _ in $(seq 1 "$RUNS"); do
		t0=$(date +%s%N)
		run_once "$@"
		t1=$(date +%s%N)
		echo $(( (t1 - t0) / 1000 ))
	done | awk -v n="$RUNS" '
		{ s += $1; if (NR == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }
		END { printf "  Time (mean): %.2f ms over %d runs (min %.2f, max %.2f; date loop)\n",
		      s / n / 1000, n, lo / 1000, hi / 1000 }'
}

instructions() {	# ARGS...
	local out figures=""
	for _ in $(seq 1 "$CG_RUNS"); do
		out=$(valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
			"$PLUGIN" "$@" 2>&1 >"$WORK/cg.stdout" || true)
		figures="$figures $(printf '%s\n' "$out" |
			sed -n 's/.*Collected : \([0-9]*\).*/\1/p')"
	done
	# shellcheck disable=SC2086 # one figure a word
	printf '%s\n' $figures | awk '
		{ v[NR] = $1; s += $1; list = list (NR > 1 ? ", " : "") $1 }
		END { if (NR == 0) { print "  Instructions: no figure (valgrind failed?)"; exit }
		      printf "  Instructions: %.2f M, mean of %d runs (%s)\n",
		             s / NR / 1e6, NR, list }'
	# A figure is only worth something if the check itself went through.
	printf '  (last run under valgrind: %s)\n' \
		"$(head -n 1 "$WORK/cg.stdout" | cut -d'|' -f1 | cut -c1-60)"
}

peak_rss() {	# ARGS...
	for _ in $(seq 1 "$RSS_RUNS"); do
		/usr/bin/time -f '%M' -o "$WORK/rss" "$PLUGIN" "$@" >/dev/null 2>&1 || true
		tail -n 1 "$WORK/rss"
	done | sort -n | awk '{ v[NR] = $1 } END {
		printf "  Peak RSS: %d KiB max of %d runs (min %d KiB)\n", v[NR], NR, v[1] }'
}

requests() {	# ARGS...
	local line
	line=$("$PLUGIN" "$@" -vv 2>/dev/null | grep -o '[0-9]* requests\?' | head -n 1 || true)
	printf '  SNMP requests per check: %s\n' "${line%% request*}"
}

echo "check_async_leak bench: $("$PLUGIN" -V 2>/dev/null | head -n 1)"
echo "host: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg);" \
	"agent: snmpd + hrsim on 127.0.0.1 (60 processes)"
for mode in v2c v3; do
	declare -n args=$mode
	echo
	echo "== $mode"
	"$PLUGIN" "${args[@]}" >/dev/null 2>&1 || true	# state file exists from here on
	requests "${args[@]}"
	wall_time "$mode" "${args[@]}"
	peak_rss "${args[@]}"
	if command -v valgrind >/dev/null 2>&1; then
		instructions "${args[@]}"
	else
		echo "  Instructions: valgrind not installed, skipped"
	fi
	unset -n args
done

# --- SNMPv3 with keys instead of passphrases --------------------------------
# The v3 user's master keys (Ku) and localized keys (Kul) from --print-keys,
# each measured like the modes above, then instructions per check of v2c,
# v3 with passphrases and v3 with keys side by side (and, with localized
# keys, the SHA-256 authNoPriv and MD5/DES users), and how often
# generate_Ku (the 1 MiB passphrase hash of RFC 3414) ran, and what
# OpenSSL's first use costs any process (the floor of an SNMPv3 check).
# Self-contained: it only reads common, v2c, v3, ROOT, WORK, the SIM_V3_*
# credentials and the functions above.
cg_figure() {	# ARGS...: "MEAN_INSTRUCTIONS GENERATE_KU_LINES" of CG_RUNS callgrind runs
	local s=0 n=0 v
	for _ in $(seq 1 "$CG_RUNS"); do
		v=$(valgrind --tool=callgrind --callgrind-out-file="$WORK/cgk.out" \
			"$PLUGIN" "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p') ||
			true	# a WARNING (exit 1) counts like an OK; pipefail is on
		[ -n "$v" ] || continue
		s=$((s + v)) n=$((n + 1))
	done
	v=$(callgrind_annotate "$WORK/cgk.out" 2>/dev/null | grep -c 'generate_Ku' || true)
	echo "$([ "$n" -gt 0 ] && echo $((s / n)) || echo 0) ${v:-0}"
}

bench_v3_keys() {
	local keys am pm al pl mode base=0 ir ku name
	keys=$("$PLUGIN" "${v3[@]}" --print-keys 2>/dev/null) ||
		{ echo; echo "== v3 keys: --print-keys failed, skipped"; return 0; }
	am=$(sed -n 's/^authmasterkey = //p' <<<"$keys")
	pm=$(sed -n 's/^privmasterkey = //p' <<<"$keys")
	al=$(sed -n 's/^;authlocalkey = //p' <<<"$keys")
	pl=$(sed -n 's/^;privlocalkey = //p' <<<"$keys")
	# shellcheck disable=SC2034 # read through the nameref below
	v3_ku=("${common[@]}" -P 3 -L authPriv -U "$SIM_V3_USER" -a SHA-256
		--authmasterkey "$am" -x AES --privmasterkey "$pm" --state-dir "$WORK/state-v3ku")
	# shellcheck disable=SC2034
	v3_kul=("${common[@]}" -P 3 -L authPriv -U "$SIM_V3_USER" -a SHA-256
		--authlocalkey "$al" -x AES --privlocalkey "$pl" --state-dir "$WORK/state-v3kul")
	# Two more users, localized keys, instructions only: SHA-256 authNoPriv
	# and MD5/DES authPriv, the checks that use no OpenSSL cipher.
	keys=$("$PLUGIN" "${common[@]}" -P 3 -L authNoPriv -U "$SIM_V3_AUTHUSER" -a SHA-256 \
		-A "$SIM_V3_AUTHPASS" --print-keys 2>/dev/null) || keys=
	# shellcheck disable=SC2034
	v3_auth=("${common[@]}" -P 3 -L authNoPriv -U "$SIM_V3_AUTHUSER" -a SHA-256
		--authlocalkey "$(sed -n 's/^;authlocalkey = //p' <<<"$keys")"
		--state-dir "$WORK/state-v3auth")
	keys=$("$PLUGIN" "${common[@]}" -P 3 -L authPriv -U "$SIM_V3_MD5USER" -a MD5 \
		-A "$SIM_V3_AUTHPASS" -x DES -X "$SIM_V3_PRIVPASS" --print-keys 2>/dev/null) || keys=
	# shellcheck disable=SC2034
	v3_des=("${common[@]}" -P 3 -L authPriv -U "$SIM_V3_MD5USER" -a MD5
		--authlocalkey "$(sed -n 's/^;authlocalkey = //p' <<<"$keys")" -x DES
		--privlocalkey "$(sed -n 's/^;privlocalkey = //p' <<<"$keys")"
		--state-dir "$WORK/state-v3des")
	for mode in v3_ku v3_kul; do
		declare -n args=$mode
		echo
		echo "== $mode (v3 with $([ $mode = v3_ku ] && echo master || echo localized) keys)"
		"$PLUGIN" "${args[@]}" >/dev/null 2>&1 || true
		requests "${args[@]}"
		wall_time "$mode" "${args[@]}"
		peak_rss "${args[@]}"
		unset -n args
	done
	if ! command -v valgrind >/dev/null 2>&1 || ! command -v callgrind_annotate >/dev/null 2>&1; then
		echo "  Instructions: valgrind not installed, skipped"
		return 0
	fi
	echo
	echo "== instructions per check, v3 with keys beside v3 with passphrases and v2c"
	echo "   (callgrind, mean of $CG_RUNS runs each; x v2c: against v2c over Net-SNMP,"
	echo "   as SNMPv3 goes, CHECK_ASYNC_LEAK_NET_SNMP=1: what SNMPv3's security costs;"
	echo "   the plugin's own v2c repeat GET, without Net-SNMP, is the line below it)"
	for mode in v2c_ns v2c v3 v3_ku v3_kul v3_auth v3_des; do
		if [ "$mode" = v2c_ns ]; then declare -n args=v2c; else declare -n args=$mode; fi
		case $mode in v3_auth | v3_des)
			[ "$mode" = v3_auth ] &&
				echo "   other users, localized keys (no AES, so no OpenSSL cipher at all):"
			"$PLUGIN" "${args[@]}" >/dev/null 2>&1 || true ;;	# the state file
		esac
		if [ "$mode" = v2c_ns ]; then
			read -r ir ku < <(CHECK_ASYNC_LEAK_NET_SNMP=1 cg_figure "${args[@]}")
			base=$ir
		else
			read -r ir ku < <(cg_figure "${args[@]}")
		fi
		case $mode in
			v2c_ns) name="v2c over Net-SNMP" ;; v2c) name="v2c, the plugin's GET" ;;
			v3) name="v3 passphrases" ;;
			v3_ku) name="v3 master keys (Ku)" ;; v3_kul) name="v3 localized keys (Kul)" ;;
			v3_auth) name="v3 SHA-256 authNoPriv" ;; *) name="v3 MD5/DES authPriv" ;;
		esac
		awk -v n="$name" -v ir="$ir" -v b="$base" -v ku="$ku" 'BEGIN {
			printf "  %-24s %8.2f M  %5.2f x v2c  generate_Ku: %s\n", n, ir / 1e6,
			       (b > 0 ? ir / b : 0), (ku > 0 ? "called" : "never called") }'
		unset -n args
	done
	# What every check pays before main(): the dynamic loader binding the
	# libraries (Debian builds libcrypto, libssl and libnetsnmp BIND_NOW).
	# (-V exits 3, UNKNOWN, as the monitoring-plugins do; pipefail is on.)
	ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$PLUGIN" -V 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p') || true
	awk -v ir="${ir:-0}" -v b="$base" 'BEGIN {
		printf "  %-24s %8.2f M  %5.2f x v2c  (the process start-up alone)\n",
		       "check_async_leak -V", ir / 1e6, (b > 0 ? ir / b : 0) }'
	openssl_floor
}

# What OpenSSL's first use costs any process (tests/bench/openssl_floor.c):
# the floor under an SNMPv3 check, keys or not, which v1/v2c do not pay.
openssl_floor() {
	local bin=$WORK/openssl_floor m ir base=0
	${CC:-cc} -O2 -I"$ROOT/plugin" -o "$bin" "$ROOT/tests/bench/openssl_floor.c" \
		"$ROOT/plugin/usmcrypto.c" -lcrypto 2>/dev/null ||
		{ echo "  OpenSSL floor: cannot build tests/bench/openssl_floor.c, skipped"; return 0; }
	echo "  OpenSSL's first use in a process (tests/bench/openssl_floor.c, callgrind):"
	for m in 0 1 5 2 3 7; do
		ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$m" 2>&1 |
			sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
		[ "$m" = 0 ] && base=${ir:-0}
		awk -v m="$m" -v ir="${ir:-0}" -v b="$base" 'BEGIN {
			split("libcrypto linked, nothing done|RAND_bytes once (USM salts)|one HMAC-SHA-256 and one AES-128|both, as an authPriv check", d, "|")
			desc = m < 4 ? d[m + 1] : "both, set up as the plugin does"
			if (m == 5) desc = "RAND_bytes, set up as the plugin does"
			printf "    %-36s %6.2f M  (+%.2f M)\n", desc, ir / 1e6, (ir - b) / 1e6 }'
	done
}
bench_v3_keys
