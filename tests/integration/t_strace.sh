#!/usr/bin/env bash
# What a check touches, seen by strace: a first check (walk, creating the
# state directory), a repeat check and a walk after a mismatch, over v2c
# and SNMPv3.  No MIB file is opened (nor any MIB directory looked at),
# nothing under /etc/snmp, ~/.snmp or /var/lib/snmp is opened, and every
# call that creates, writes, renames, links, removes or changes a file and
# succeeds names a path inside the state directory (or, for mkdir, one of
# its missing parents).
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null 2>&1 || { fail "strace is not installed (tests/deps.sh check)"; finish; }
simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" || { fail "simulated host did not start"; finish; }
S=$T/state/deep
A=(-H 127.0.0.1 -p "$SIM_PORT" --state-dir "$S" -vv)
V2=(-C "$SIM_COMMUNITY")
V3=(-P 3 -U "$SIM_V3_USER" -a SHA-256 -A "$SIM_V3_AUTHPASS" -x AES -X "$SIM_V3_PRIVPASS")

traced() {	# NAME ARGS...: runs the plugin under strace into $T/NAME.trace
	local name=$1
	shift
	# LeakSanitizer cannot run under ptrace (it exits 1): off here only,
	# the other tests look for leaks under make sanitize.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
		strace -f -qq -o "$T/$name.trace" -e trace=%file,%desc "$PLUGIN" "$@" >"$T/$name.out" 2>&1
	RC=$?
	OUT=$(cat "$T/$name.out")
}

# Every successful call that changes the file system, as "CALL PATH".
changes() {
	awk '
		/= -1 / { next }	# failed: changed nothing
		/^[0-9]+ +(openat|open|openat2)\(/ && /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/ {
			if (match($0, /"[^"]*"/)) print "open " substr($0, RSTART + 1, RLENGTH - 2); next }
		/^[0-9]+ +(creat|mkdir|mkdirat|rmdir|unlink|unlinkat|rename|renameat|renameat2|link|linkat|symlink|symlinkat|truncate|chmod|fchmodat|chown|lchown|fchownat|utimensat|mknod|mknodat|setxattr|lsetxattr|removexattr)\(/ {
			call = $2; sub(/\(.*/, "", call)
			s = $0
			while (match(s, /"[^"]*"/)) { print call " " substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) }
		}' "$1"
}

check_trace() {	# NAME DESC
	local t=$T/$1.trace bad
	[ -s "$t" ] || { fail "$2: no trace"; return; }
	if grep -Eiq '"[^"]*(mibs?(/|")|\.mib"|\.txt"|/snmp/mibs)' "$t"; then
		fail "$2: a MIB file or directory is looked at: $(grep -Ei '"[^"]*(mibs?(/|")|\.mib"|\.txt")' "$t" | head -n 1)"
	else
		ok "$2: no MIB file opened"
	fi
	if grep -E '^[0-9]+ +(open|openat|openat2)\(' "$t" | grep -v '= -1 ' |
		grep -Eq '"(/etc/snmp|/var/lib/snmp|/usr/share/snmp|[^"]*/\.snmp)(/|")'; then
		fail "$2: a Net-SNMP configuration or persistent file is opened"
	else
		ok "$2: no Net-SNMP configuration or persistent file opened"
	fi
	# Inside: the directory and what is in it; its missing parents may be
	# made too (state_prepare_dir, README "Where it lives").
	bad=$(changes "$t" | awk -v d="$S" '{ c = $1; p = substr($0, index($0, " ") + 1) }
		index(p, d "/") == 1 || p == d { next }
		c == "mkdir" && index(d "/", p "/") == 1 { next }
		{ print }')
	if [ -n "$bad" ]; then
		fail "$2: changed outside the state directory: $(head -n 3 <<<"$bad" | tr '\n' ';')"
	else
		ok "$2: nothing changed outside the state directory ($(changes "$t" | wc -l) changes inside)"
	fi
}

traced first "${A[@]}" "${V2[@]}"
expect_rc 0 "first check under strace: OK"
expect_match 'processes walked' "it walked"
check_trace first "first check (creates the state directory)"
changes "$T/first.trace" | grep -q "^mkdir $S\$" && ok "the trace saw the state directory made" ||
	fail "the trace did not see the state directory made: $(changes "$T/first.trace" | head -n 3 | tr '\n' ';')"
changes "$T/first.trace" | grep -q "^rename $S/" && ok "and the state file renamed into place" ||
	fail "no rename of the state file in the trace"

traced repeat "${A[@]}" "${V2[@]}"
expect_match 'repeat check: one GET' "second check: the repeat check"
check_trace repeat "repeat check"

simhost_set_field 1388 name other.exe
traced rewalk "${A[@]}" "${V2[@]}"
expect_match 'walked \(repeat GET:' "a mismatch: the check walked"
check_trace rewalk "walk after a mismatch"
simhost_set_field 1388 name Async.exe

traced v3 "${A[@]}" "${V3[@]}"
expect_match 'SNMP v3' "SNMPv3 check under strace"
check_trace v3 "SNMPv3 check"
traced v3repeat "${A[@]}" "${V3[@]}"
check_trace v3repeat "SNMPv3 second check"

finish
