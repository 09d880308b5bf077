#!/usr/bin/env bash
# A broken or missing INI file: exit 3 with one line that names the file
# and line, never a secret; the default path (here through
# $CHECK_ASYNC_LEAK_CONFIG) is read when it exists and skipped when not.
# No agent is needed: every case fails before SNMP, or uses a closed port.
. "$(dirname "$0")/lib.sh"

unset CHECK_ASYNC_LEAK_CONFIG

# A broken file: exit 3, exactly one line, FILE:LINE: what.
broken() {	# name, expected message (ERE, after "FILE"), file text
	local f=$T/$1.ini
	printf '%s' "$3" >"$f"
	run_plugin -f "$f" -s exch01 -vvv
	expect_rc 3 "$1: exit 3"
	expect_match "^ASYNC_LEAK UNKNOWN - $f$2\$" "$1: names file and line"
	[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] && ok "$1: one line" ||
		fail "$1: $(printf '%s\n' "$OUT" | wc -l) lines"
	if printf '%s\n%s\n' "$OUT" "$ERR" | grep -qF Sup3rSecret; then
		fail "$1: a secret of the file is in the output"
	else
		ok "$1: no secret in stdout or stderr, even at -vvv"
	fi
}

broken unknown_key ":3: unknown key 'comunity' \(did you mean 'community'\?\)" \
'[defaults]
authpasswd = Sup3rSecret-auth
comunity = Sup3rSecret
'
broken bad_value ":4: timeout: 'ten' is not a whole number from 1 to 3600" \
'[exch01]
community = Sup3rSecret
; a comment
timeout = ten
'
broken short_passphrase ":2: authpasswd: SNMPv3 passphrases need at least 8 characters" \
'[exch01]
authpasswd = Sup3r
'
broken syntax ":3: syntax error: expected 'key = value'" \
'[defaults]
community = Sup3rSecret
Sup3rSecret
'
broken continuation ":3: syntax error: expected 'key = value' \(continuation lines are not supported: write the value on one line\)" \
'[defaults]
community = Sup3rSecret
   Sup3rSecret
'
broken long_line ":2: line longer than 198 bytes" \
"[defaults]
privpasswd = $(printf 'Sup3rSecret%.0s' $(seq 1 18))
"
broken duplicate ":4: key 'community' given twice in \[exch01\] \(first at line 2\)" \
'[exch01]
community = Sup3rSecret
timeout = 5
community = Sup3rSecret
'
broken cli_only ":2: 'config' is not allowed in the file \(command line only\)" \
'[defaults]
config = /etc/other.ini
'
broken quote ":2: unterminated quote in the value of 'community' .*" \
'[defaults]
community = "Sup3rSecret ; x"
'
broken other_section ":5: baseline: 'forty' is not a size.*" \
'[exch01]
baseline = 40MB
[exch02]
community = Sup3rSecret
baseline = forty
'

run_plugin -f "$T/none.ini" -H 127.0.0.1
expect_rc 3 "-f of a missing file: exit 3"
expect_match "^ASYNC_LEAK UNKNOWN - cannot read $T/none.ini: No such file or directory \(a commented sample is conf/check_async_leak.ini of the source; make install puts it at /etc/nagios-plugins/config/check_async_leak.ini\)$" \
	"-f of a missing file: says so, and where the sample is"
mkdir -p "$T/dir.ini"
run_plugin -f "$T/dir.ini" -H 127.0.0.1
expect_rc 3 "-f of a directory: exit 3"
expect_match "^ASYNC_LEAK UNKNOWN - cannot read $T/dir.ini: Is a directory$" "-f of a directory: says so"

# --- The default path, moved by $CHECK_ASYNC_LEAK_CONFIG --------------------

cat >"$T/default.ini" <<EOF
[defaults]
port = 9
timeout = 1
[exch09]
hostname = 127.0.0.1
EOF
CHECK_ASYNC_LEAK_CONFIG=$T/default.ini run_plugin -s exch09
expect_rc 3 "the default file is read without -f (exit 3: nothing listens on port 9)"
expect_match "^ASYNC_LEAK UNKNOWN - no response from 127.0.0.1:9 after 1 s - check community/ACL/port$" \
	"the default file's section gave host, port and timeout"
CHECK_ASYNC_LEAK_CONFIG=$T/default.ini run_plugin -H 127.0.0.1 -p 9 -t 2
expect_match "after 2 s" "the command line beats the default file"
CHECK_ASYNC_LEAK_CONFIG=$T/absent.ini run_plugin -H 127.0.0.1 -p 9 -t 1
expect_match "^ASYNC_LEAK UNKNOWN - no response from 127.0.0.1:9 after 1 s - check community/ACL/port$" \
	"a missing default file is skipped silently"
CHECK_ASYNC_LEAK_CONFIG=$T/absent.ini run_plugin -s exch09 -H 127.0.0.1 -p 9 -t 1
expect_rc 3 "-s without any file: exit 3"
expect_match "^ASYNC_LEAK UNKNOWN - -s exch09: no INI file to read the section from \($T/absent.ini does not exist; give one with -f FILE\)$" \
	"-s without any file: says that no INI file was read, not a misleading no response"
printf '[defaults]\ntimout = 5\n' >"$T/broken-default.ini"
CHECK_ASYNC_LEAK_CONFIG=$T/broken-default.ini run_plugin -H 127.0.0.1 -p 9 -t 1
expect_rc 3 "a broken default file is an error too"
expect_match "^ASYNC_LEAK UNKNOWN - $T/broken-default.ini:2: unknown key 'timout' \(did you mean 'timeout'\?\)$" \
	"a broken default file: FILE:LINE"

finish
