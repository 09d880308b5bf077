#!/usr/bin/env bash
# tests/fresh-root.sh [CMD...] - the README's commands on a fresh Debian.
#
# Builds a minimal Debian bookworm root with mmdebstrap (variant minbase plus
# make, git and ca-certificates: what a newcomer has before reading the
# README), clones this checkout's COMMITTED HEAD into it, and runs each CMD
# (default: 'make demo', then 'make check', the README's order) as root in
# the root, inside a private mount + PID namespace with its own /proc, /sys,
# /dev, /tmp and /run.  Each command's output is shown as it runs and kept
# in a log; then one line per command (exit code, wall time) and, last, the
# closing lines of the test runners from 'make check' (Criterion's
# synthesis, the integration runner's "N passed, N failed").
#
# The Debian mirror is read from this machine's apt sources (deb822 or
# one-line format), never written down here.  Needs root; installs
# mmdebstrap when it is missing.  FRESH_DIR (default: a new temp dir) holds
# the root and the logs; the root is removed at the end unless FRESH_KEEP=1
# (a kept root is reused by the next run: only the clone is fresh).
# Exit status: 0 when every command passed, 1 when one failed, 2 when the
# root could not be built.
set -uo pipefail

say() { printf 'fresh-root: %s\n' "$*"; }
die() { say "$*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap, chroot and namespaces)"
src=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel 2>/dev/null) ||
	die "not inside a git checkout"
[ $# -gt 0 ] || set -- "make demo" "make check"

# The mirror of this machine's bookworm sources.
mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		{
			uri = ""; suite = 0
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); uri = u[2] }
				if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) suite = 1
			}
			if (uri != "" && suite) { print uri; exit }
		}' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		sed 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }'
	done
}
url=$(mirror | head -n 1)
[ -n "$url" ] || die "no Debian bookworm mirror in this machine's apt sources"

if ! command -v mmdebstrap >/dev/null; then
	say "installing mmdebstrap"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q mmdebstrap >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q mmdebstrap >/dev/null 2>&1; } ||
		die "cannot install mmdebstrap (apt-get install -y mmdebstrap)"
fi

FRESH_DIR=${FRESH_DIR:-$(mktemp -d /tmp/fresh-root.XXXXXX)}
mkdir -p "$FRESH_DIR" || die "cannot create $FRESH_DIR"
root=$FRESH_DIR/root
cleanup() { [ "${FRESH_KEEP:-0}" = 1 ] || rm -rf --one-file-system "$root"; }
trap cleanup EXIT

t0=$(date +%s)
if [ ! -x "$root/usr/bin/make" ]; then
	say "building a minimal bookworm root in $root"
	mmdebstrap --variant=minbase --include=make,git,ca-certificates bookworm "$root" \
		"deb $url bookworm main" "deb $url bookworm-updates main" \
		>"$FRESH_DIR/mmdebstrap.log" 2>&1 ||
		{ tail -n 8 "$FRESH_DIR/mmdebstrap.log" >&2; die "mmdebstrap failed (log $FRESH_DIR/mmdebstrap.log)"; }
fi
rm -rf "$root/src" && mkdir -p "$root/src" || die "cannot write $root/src"
git clone -q "$src" "$root/src/check_async_leak" || die "git clone failed"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
say "root ready in $(( $(date +%s) - t0 )) s ($(git -C "$root/src/check_async_leak" log -1 --format='%h %s' | cut -c1-60))"

# CMD in the root: a private mount + PID namespace (the command's processes
# die with it), a clean environment, at most 85 minutes.
run_in_root() {
	unshare --mount --pid --fork --mount-proc="$root/proc" bash -c '
		r=$1
		mount -t sysfs sys "$r/sys" && mount --rbind /dev "$r/dev" &&
		mount -t tmpfs tmp "$r/tmp" && mount -t tmpfs run "$r/run" &&
		mkdir -p "$r/dev/shm" && mount -t tmpfs shm "$r/dev/shm" || exit 125
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root TERM=dumb LANG=C.UTF-8 CI="${CI:-}" \
			bash -c "cd /src/check_async_leak && exec timeout -k 10 5100 $2" </dev/null' \
		_ "$root" "$1"
}

summary=() fails=0 logs=()
for cmd in "$@"; do
	log=$FRESH_DIR/$(printf '%s' "$cmd" | tr -c 'a-zA-Z0-9' '_').log
	say "== $cmd"
	t=$(date +%s)
	run_in_root "$cmd" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	summary+=("'$cmd' -> exit $rc in $(( $(date +%s) - t )) s")
	logs+=("$log")
	[ "$rc" -eq 0 ] || fails=$((fails + 1))
done

echo
for line in "${summary[@]}"; do say "$line"; done
say "$(( $# - fails ))/$# commands passed in $(( $(date +%s) - t0 )) s (logs in $FRESH_DIR)"
# The runners' closing lines: valgrind's first, then in their order in
# 'make check' (plain build, then ASan/UBSan), so the last line is the
# integration runner's.
for log in "${logs[@]}"; do
	grep -aE '^valgrind: [0-9]+ passed, [0-9]+ failed$' "$log"
	grep -aE '^\[====\] Synthesis: |^[0-9]+ passed, [0-9]+ failed$' "$log"
done
[ "$fails" -eq 0 ] || exit 1
