#!/usr/bin/env bash
# SNMPv3 against a private snmpd: every security level and protocol family
# the agent offers, with passphrases and with keys (--print-keys, master and
# localized), and each wrong credential giving its own UNKNOWN line without
# ever showing the secret.
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

# With OPENSSL_CONF the admin's file decides which providers serve the USM
# (plugin/usmcrypto.c sets up none of its own): one that activates the
# default provider works; one that activates only the null provider, which
# has no algorithm, leaves no way to hash the passphrase.
ossl_conf() {	# provider -> a configuration file activating only it
	printf '%s\n' 'openssl_conf = init' '[init]' 'providers = provs' '[provs]' \
		"$1 = sect" '[sect]' 'activate = 1' >"$T/openssl-$1.cnf"
	echo "$T/openssl-$1.cnf"
}
export OPENSSL_CONF
OPENSSL_CONF=$(ossl_conf default)
v3_ok "OPENSSL_CONF with the default provider, authPriv SHA-256/AES" \
	-U "$SIM_V3_USER" -L authPriv -a SHA-256 -A "$ap" -x AES -X "$xp"
OPENSSL_CONF=$(ossl_conf null)
run_plugin "${B[@]}" -U "$SIM_V3_USER" -L authPriv -a SHA-256 -A "$ap" -x AES -X "$xp"
expect_rc 3 "OPENSSL_CONF with only the null provider: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - cannot derive a key from the authentication passphrase" \
	"OPENSSL_CONF with only the null provider: the file was read"
unset OPENSSL_CONF

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
	[ -z "${AM:-}" ] || no_key_in "$OUT
$ERR" "$d: no key in the output"
}
# --- Keys instead of passphrases (--print-keys, master and localized) ------

# print_keys USER AUTHPROTO [PRIVPROTO]: --print-keys with the passphrases;
# sets AM PM (master keys) AL PL (localized), without 0x.
print_keys() {
	local u=$1 a=$2 x=${3:-}
	if [ -n "$x" ]; then
		run_plugin "${B[@]}" --print-keys -U "$u" -a "$a" -A "$ap" -x "$x" -X "$xp"
	else
		run_plugin "${B[@]}" --print-keys -U "$u" -a "$a" -A "$ap"
	fi
	expect_rc 0 "--print-keys $u ($a${x:+/$x}): exit 0"
	AM=$(printf '%s\n' "$OUT" | sed -n 's/^authmasterkey = 0x//p')
	PM=$(printf '%s\n' "$OUT" | sed -n 's/^privmasterkey = 0x//p')
	AL=$(printf '%s\n' "$OUT" | sed -n 's/^;authlocalkey = 0x//p')
	PL=$(printf '%s\n' "$OUT" | sed -n 's/^;privlocalkey = 0x//p')
}
# no_key_in TEXT DESC: none of the keys (any case) is in TEXT.
no_key_in() {
	local k found=
	for k in $AM $PM $AL $PL; do
		printf '%s\n' "$1" | grep -qiF -- "$k" && found=1
	done
	[ -z "$found" ] && ok "$2" || fail "$2: a key appears"
}
# snmpget_keys LEVEL USER AUTHPROTO ARGS...: Net-SNMP's own tool with keys.
snmpget_keys() {
	local l=$1 u=$2 a=$3
	shift 3
	_simhost_tool snmpget -v3 -l "$l" -u "$u" -a "$a" "$@" -On -t 2 -r 1 \
		"127.0.0.1:$SIM_PORT" .1.3.6.1.2.1.25.1.1.0 >/dev/null 2>&1
}
v3_keys() {	# description, user, authproto, privproto or "", auth key bytes, local priv key bytes
	local d=$1 u=$2 a=$3 x=$4 alen=$5 plen=$6 lvl=authNoPriv priv=()
	[ -n "$x" ] && lvl=authPriv
	print_keys "$u" "$a" $x
	if [ "${#AM}" -eq $((2 * alen)) ] && [ "${#AL}" -eq $((2 * alen)) ] &&
		{ [ -z "$x" ] || { [ "${#PM}" -eq $((2 * alen)) ] && [ "${#PL}" -eq $((2 * plen)) ]; }; }; then
		ok "$d: --print-keys prints keys of $alen${x:+ and $plen} bytes"
	else
		fail "$d: key lengths ${#AM}/${#PM}/${#AL}/${#PL} hex digits"
	fi
	no_key_in "$(printf '%s\n' "$OUT" | grep -vE '^;?(auth|priv)(master|local)key = ')" \
		"$d: the keys only on their own lines"
	# Net-SNMP's own tool takes them as they are (-3m/-3M, -3k/-3K).
	[ -n "$x" ] && priv=(-x "$x" -3M "$PM")
	snmpget_keys "$lvl" "$u" "$a" -3m "$AM" "${priv[@]}" &&
		ok "$d: snmpget -3m${x:+/-3M} accepts the master keys" ||
		fail "$d: snmpget -3m${x:+/-3M} refuses the master keys"
	[ -n "$x" ] && priv=(-x "$x" -3K "$PL")
	snmpget_keys "$lvl" "$u" "$a" -3k "$AL" "${priv[@]}" &&
		ok "$d: snmpget -3k${x:+/-3K} accepts the localized keys" ||
		fail "$d: snmpget -3k${x:+/-3K} refuses the localized keys"

	[ -n "$x" ] && priv=(-x "$x" --privmasterkey "$PM")
	run_plugin "${B[@]}" -U "$u" -a "$a" --authmasterkey "0x$AM" "${priv[@]}" -vvv
	expect_rc 0 "$d, master keys: OK"
	expect_match "$want" "$d, master keys: same perfdata as v2c"
	expect_match "authmasterkey=\(secret\)" "$d, master keys: -vv shows (secret)"
	no_key_in "$OUT
$ERR" "$d, master keys: no key at -vvv (stdout, stderr)"
	[ -n "$x" ] && priv=(-x "$x" --privlocalkey "0X${PL^^}")
	run_plugin "${B[@]}" -U "$u" -a "$a" --authlocalkey "$AL" "${priv[@]}" -vvv
	expect_rc 0 "$d, localized keys: OK"
	expect_match "$want" "$d, localized keys: same perfdata as v2c"
	no_key_in "$OUT
$ERR" "$d, localized keys: no key at -vvv (stdout, stderr)"
}
v3_keys "MD5/DES" "$SIM_V3_MD5USER" MD5 DES 16 16
v3_keys "SHA/AES-256 (key extended)" nagsha1 SHA AES-256 20 32
v3_keys "SHA-224/AES-192" nag224 SHA-224 AES-192 28 24
v3_keys "SHA-384/AES" nag384 SHA-384 AES 48 16
v3_keys "SHA-512/AES-256" "$SIM_V3_STRONGUSER" SHA-512 AES-256 64 32
v3_keys "SHA-256 authNoPriv" "$SIM_V3_AUTHUSER" SHA-256 "" 32 0
v3_keys "SHA-256/AES" "$SIM_V3_USER" SHA-256 AES 32 16
# (AM PM AL PL stay nagmon's from here on.)
[ -n "$(ls "$T/state" 2>/dev/null)" ] && ok "history files were written" || fail "no history file"
no_key_in "$(cat "$T"/state/* 2>/dev/null)" "the history files hold no key"

# From the INI file: the same keys, and the -vvv output still clean.
cat > "$T/keys.ini" <<INI
[local]
hostname = 127.0.0.1
protocol = 3
secname = $SIM_V3_USER
authproto = SHA-256
privproto = AES
authlocalkey = $AL
privlocalkey = 0x$PL
[master]
hostname = 127.0.0.1
protocol = 3
secname = $SIM_V3_USER
authproto = SHA-256
privproto = AES
authmasterkey = 0x$AM
privmasterkey = $PM
[both]
hostname = 127.0.0.1
protocol = 3
secname = $SIM_V3_USER
authpasswd = $ap
authmasterkey = 0x$AM
INI
# --print-keys's whole output pasted into a section as it is, and once with
# the localized lines uncommented instead of the master ones.
run_plugin "${B[@]}" --print-keys -U "$SIM_V3_USER" -a SHA-256 -A "$ap" -x AES -X "$xp"
printed=$OUT
long=$(printf '%s\n' "$printed" | awk 'length($0) > 198' | wc -l)
[ "$long" -eq 0 ] && ok "--print-keys: every line fits an INI line (198 bytes)" ||
	fail "--print-keys: $long lines longer than 198 bytes"
{
	printf '[pasted]\nhostname = 127.0.0.1\nprotocol = 3\nsecname = %s\n' "$SIM_V3_USER"
	printf 'authproto = SHA-256\nprivproto = AES\n%s\n' "$printed"
	printf '[pasted-local]\nhostname = 127.0.0.1\nprotocol = 3\nsecname = %s\n' "$SIM_V3_USER"
	printf 'authproto = SHA-256\nprivproto = AES\n'
	printf '%s\n' "$printed" | grep -v '^[a-z]*masterkey = ' | sed 's/^;\([a-z]*localkey = \)/\1/'
} >> "$T/keys.ini"
chmod 600 "$T/keys.ini"
for sec in pasted pasted-local; do
	run_plugin -f "$T/keys.ini" -s "$sec" -p "$SIM_PORT" --state-dir "$T/state" -w 200MB -c 400MB -vv
	expect_rc 0 "--print-keys output pasted into [$sec]: OK"
	expect_match "$([ $sec = pasted ] && echo authmasterkey || echo authlocalkey)=\(secret\)" \
		"[$sec]: the $([ $sec = pasted ] && echo master || echo localized) keys in effect"
done
for sec in local master; do
	run_plugin -f "$T/keys.ini" -s "$sec" -p "$SIM_PORT" --state-dir "$T/state" \
		-w 200MB -c 400MB -vvv
	expect_rc 0 "INI [$sec] keys: OK"
	expect_match "$want" "INI [$sec] keys: same perfdata"
	no_key_in "$OUT
$ERR" "INI [$sec] keys: no key at -vvv"
done
run_plugin -f "$T/keys.ini" -s both -p "$SIM_PORT"
expect_rc 3 "INI passphrase and key in one section: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - --authpasswd and --authmasterkey both given in the host section; use one$" \
	"INI passphrase and key in one section: says so"
run_plugin -f "$T/keys.ini" -s master -p "$SIM_PORT" --state-dir "$T/state" -A "$ap" -X "$xp"
expect_rc 0 "the command line's passphrases beat the section's keys"

# With keys, nothing hashes a passphrase: generate_Ku is never called.
if command -v valgrind >/dev/null 2>&1 && command -v callgrind_annotate >/dev/null 2>&1 &&
	[ "$SANITIZED" != 1 ]; then
	ku_calls() {
		valgrind --tool=callgrind --callgrind-out-file="$T/cg.out" "$PLUGIN" "${B[@]}" \
			-U "$SIM_V3_USER" -a SHA-256 -x AES "$@" >/dev/null 2>&1
		callgrind_annotate "$T/cg.out" 2>/dev/null | grep -c 'generate_Ku' || true
	}
	[ "$(ku_calls -A "$ap" -X "$xp")" -gt 0 ] && ok "callgrind: passphrases call generate_Ku" ||
		fail "callgrind sees no generate_Ku with passphrases (the next tests prove nothing)"
	[ "$(ku_calls --authmasterkey "$AM" --privmasterkey "$PM")" -eq 0 ] &&
		ok "callgrind: master keys never call generate_Ku" ||
		fail "callgrind: generate_Ku called with master keys"
	[ "$(ku_calls --authlocalkey "$AL" --privlocalkey "$PL")" -eq 0 ] &&
		ok "callgrind: localized keys never call generate_Ku" ||
		fail "callgrind: generate_Ku called with localized keys"
fi

# Mistakes: one line, exit 3, no key shown.
key_usage() {	# description, message regex, args...
	local d=$1 re=$2
	shift 2
	run_plugin "${B[@]}" -U "$SIM_V3_USER" "$@"
	expect_rc 3 "$d: UNKNOWN"
	expect_match "^ASYNC_LEAK UNKNOWN - $re" "$d: says so"
	no_key_in "$OUT" "$d: no key in the message"
}
key_usage "auth master key of SHA-1's length for SHA-256" \
	"--authmasterkey is 20 bytes long; the authentication protocol SHA-256 needs 32 bytes \(64 hex digits\)$" \
	-a SHA-256 --authmasterkey "${AM:0:40}" -x AES --privmasterkey "$PM"
key_usage "localized priv key too long for AES" \
	"--privlocalkey is 32 bytes long; the privacy protocol AES needs 16 bytes \(32 hex digits\)$" \
	-a SHA-256 --authlocalkey "$AL" -x AES --privlocalkey "$PL$PL"
key_usage "non-hex key" \
	"--authmasterkey: not a key in hex \(digits 0-9 and a-f only, optionally after 0x\)$" \
	-a SHA-256 --authmasterkey "${AM:0:62}zz" -x AES --privmasterkey "$PM"
key_usage "odd number of digits" \
	"--privmasterkey: an odd number of hex digits \(63\); a key has two a byte$" \
	-a SHA-256 --authmasterkey "$AM" -x AES --privmasterkey "${PM:0:63}"
key_usage "passphrase and key both on the command line" \
	"--privpasswd and --privlocalkey both given in the command line; use one$" \
	-a SHA-256 --authmasterkey "$AM" -x AES -X "$xp" --privlocalkey "$PL"

# A wrong key: the same UNKNOWN as a wrong passphrase, naming the key.
flip() {	# the hex string with its last digit changed
	local h=$1
	printf '%s%s\n' "${h:0:$((${#h} - 1))}" "$([ "${h: -1}" = 0 ] && echo 1 || echo 0)"
}
v3_bad "wrong authentication master key" "wrong digest \(authentication master key or protocol\?\)" \
	-U "$SIM_V3_USER" -a SHA-256 --authmasterkey "$(flip "$AM")" -x AES --privmasterkey "$PM"
v3_bad "wrong authentication localized key" "wrong digest \(authentication localized key or protocol\?\)" \
	-U "$SIM_V3_USER" -a SHA-256 --authlocalkey "$(flip "$AL")" -x AES --privlocalkey "$PL"
v3_bad "a localized key for another protocol" "wrong digest" \
	-U "$SIM_V3_USER" -a SHA-512 --authlocalkey "$AL$AL" -x AES --privlocalkey "$PL"

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
expect_match "^ASYNC_LEAK UNKNOWN - timeout: no response from .* after 2 s to an encrypted request.*\(a slow link\? raise -t; else privacy passphrase or protocol\?\)$" \
	"wrong privacy passphrase or a slow link: says timeout first, then both causes"
[ "$ELAPSED_MS" -lt 4000 ] && ok "wrong privacy passphrase: gave up within -t 2 (${ELAPSED_MS} ms)" ||
	fail "wrong privacy passphrase took ${ELAPSED_MS} ms with -t 2"
v3_bad "wrong privacy master key" "privacy master key or protocol\?" \
	-U "$SIM_V3_USER" -a SHA-256 --authmasterkey "$AM" -x AES --privmasterkey "$(flip "$PM")"
v3_bad "wrong privacy localized key" "privacy localized key or protocol\?" \
	-U "$SIM_V3_USER" -a SHA-256 --authlocalkey "$AL" -x AES --privlocalkey "$(flip "$PL")"

finish
