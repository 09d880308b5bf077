#!/usr/bin/env bash
# SNMPv3 against a private snmpd: every security level and protocol family
# the agent offers, and each wrong credential giving its own UNKNOWN line
# without ever showing the secret.
. "$(dirname "$0")/lib.sh"

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" || { fail "simulated host did not start"; finish; }
B=(-H 127.0.0.1 -p "$SIM_PORT" -P 3 --state-dir "$T/state" -w 200MB -c 400MB -t 5)
want="'mem'=50438144B;209715200;419430400;0;536870912 'instances'=1"
ap=$SIM_V3_AUTHPASS xp=$SIM_V3_PRIVPASS

v3_ok() {	# description, args...
	local d=$1
	shift
	run_plugin "${B[@]}" "$@"
	expect_rc 0 "$d: OK"
	expect_match "$want" "$d: same perfdata as v2c"
	expect_no_match "$ap|$xp" "$d: no passphrase in the output"
	expect_stderr_empty "$d: nothing on stderr"
}
v3_ok "authPriv SHA-256/AES" -U "$SIM_V3_USER" -L authPriv -a SHA-256 -A "$ap" -x AES -X "$xp"
v3_ok "authNoPriv SHA-256" -U "$SIM_V3_AUTHUSER" -L authNoPriv -a SHA-256 -A "$ap"
v3_ok "authPriv MD5/DES" -U "$SIM_V3_MD5USER" -L authPriv -a MD5 -A "$ap" -x DES -X "$xp"
v3_ok "authPriv SHA-512/AES-256" -U "$SIM_V3_STRONGUSER" -L authPriv -a SHA-512 -A "$ap" -x AES-256 -X "$xp"
v3_ok "no -L, -A and -X given: authPriv" -U "$SIM_V3_USER" -a SHA-256 -A "$ap" -x AES -X "$xp"
v3_ok "no -L, only -A given: authNoPriv" -U "$SIM_V3_AUTHUSER" -a SHA-256 -A "$ap"
v3_ok "authPriv SHA/AES-256 (key extended)" -U nagsha1 -L authPriv -a SHA -A "$ap" -x AES-256 -X "$xp"
v3_ok "authPriv SHA-224/AES-192" -U nag224 -L authPriv -a SHA-224 -A "$ap" -x AES-192 -X "$xp"
v3_ok "authPriv SHA-384/AES" -U nag384 -L authPriv -a SHA-384 -A "$ap" -x AES -X "$xp"

v3_bad() {	# description, message regex, args...
	local d=$1 re=$2
	shift 2
	run_plugin "${B[@]}" "$@"
	expect_rc 3 "$d: UNKNOWN"
	expect_match "^ASYNC_LEAK UNKNOWN - .*$re" "$d: says so"
	if printf '%s\n%s\n' "$OUT" "$ERR" | grep -qE "wrongpass1|wrongpass2|$ap|$xp"; then
		fail "$d: a passphrase appears in the output"
	else
		ok "$d: no passphrase in the output"
	fi
}
v3_bad "wrong authentication passphrase" "wrong digest" \
	-U "$SIM_V3_USER" -L authPriv -a SHA-256 -A wrongpass1 -x AES -X "$xp"
v3_bad "wrong authentication protocol" "wrong digest" \
	-U "$SIM_V3_USER" -L authPriv -a SHA -A "$ap" -x AES -X "$xp"
v3_bad "unknown user" "unknown user name" \
	-U nosuchuser -L authPriv -a SHA-256 -A "$ap" -x AES -X "$xp"
v3_bad "authPriv for an authNoPriv-only user" "security level" \
	-U "$SIM_V3_AUTHUSER" -L authPriv -a SHA-256 -A "$ap" -x AES -X "$xp"
v3_bad "authNoPriv for a user whose access needs priv" "authorizationError" \
	-U "$SIM_V3_USER" -L authNoPriv -a SHA-256 -A "$ap"
# Agents drop what they cannot decrypt, without a report: a timeout, but
# after the engine discovery answered, so the message can say why.
B=(-H 127.0.0.1 -p "$SIM_PORT" -P 3 --state-dir "$T/state" -t 2)
v3_bad "wrong privacy passphrase" "privacy passphrase" \
	-U "$SIM_V3_USER" -L authPriv -a SHA-256 -A "$ap" -x AES -X wrongpass2
[ "$ELAPSED_MS" -lt 4000 ] && ok "wrong privacy passphrase: gave up within -t 2 (${ELAPSED_MS} ms)" ||
	fail "wrong privacy passphrase took ${ELAPSED_MS} ms with -t 2"

finish
