#!/usr/bin/env bash
# The INI file against the simulated Windows 2000 / Exchange 5.5 host: the
# section alone selects the agent (v2c, and v3 authPriv by secname and
# passphrases), -H selects a section without -s, the command line beats the
# file, the sample conf/check_async_leak.ini works as written, secrets stay
# out of every output, and a readable secret gets its note.
. "$(dirname "$0")/lib.sh"

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" ||
	{ fail "simulated host did not start"; finish; }
ok "simulated host up on 127.0.0.1:$SIM_PORT"

# No file of the machine's (the default path, $CHECK_ASYNC_LEAK_CONFIG) may leak in.
unset CHECK_ASYNC_LEAK_CONFIG

INI=$T/hosts.ini
cat >"$INI" <<EOF
; written by tests/integration/t_ini_sections.sh
[defaults]
community = $SIM_COMMUNITY
port = $SIM_PORT
timeout = 5
state_dir = $T/state
warning = 150%              ; of each host's baseline
critical = 200%

; The section selects the agent: no -H, -p or -C on the command line.
[exch01]
hostname = 127.0.0.1
baseline = 40MB

[exch01-v3]
hostname = 127.0.0.1
protocol = 3
secname = $SIM_V3_USER
seclevel = authPriv
authproto = SHA-256
authpasswd = $SIM_V3_AUTHPASS
privproto = AES
privpasswd = "$SIM_V3_PRIVPASS"
baseline = 40MB

[exch01-badpriv]
hostname = 127.0.0.1
protocol = 3
secname = $SIM_V3_USER
seclevel = authPriv
authproto = SHA-256
authpasswd = $SIM_V3_AUTHPASS
privpasswd = wrong-privpass
timeout = 2
baseline = 40MB

[exch01-badcomm]
hostname = 127.0.0.1
community = wrong-community
timeout = 2
baseline = 40MB

; Found by -H localhost, whatever the case.
[LocalHost]
baseline = 20MB
EOF
chmod 600 "$INI"

# --- The section alone selects the agent -----------------------------------

run_plugin -f "$INI" -s exch01
expect_rc 0 "v2c: -s exch01 alone (host, port, community from the file): OK"
expect_match "^ASYNC_LEAK OK - Async.exe 48.1 MiB \(1 instance\)" "v2c: the process is found"
expect_match "'mem'=50438144B;62914560;83886080;" "v2c: 150%/200% of [defaults] over the section's 40MB"
expect_match "'baseline'=41943040B" "v2c: the section's baseline"
expect_no_match "Note: the INI file" "a mode 0600 file gets no note"
expect_stderr_empty "v2c: nothing on stderr"

run_plugin -f "$INI" -s exch01-v3 -v -v
expect_rc 0 "v3 authPriv: -s exch01-v3 alone (secname, passphrases from the file): OK"
expect_match "^ASYNC_LEAK OK - Async.exe 48.1 MiB" "v3: the process is found"
expect_match "SNMP v3" "v3: the long output says SNMP v3"

run_plugin -f "$INI" -s exch01-badpriv
expect_rc 3 "v3 with the section's wrong privacy passphrase: UNKNOWN (the file's passphrase is used)"
expect_match "privacy passphrase" "v3 with a wrong privacy passphrase: says which"

run_plugin -f "$INI" -s exch01-badcomm
expect_rc 3 "the section's community beats [defaults]' (a wrong one: no answer)"
expect_match "^ASYNC_LEAK UNKNOWN - no response from 127.0.0.1:$SIM_PORT after 2 s" \
	"the section's timeout (2 s) beats [defaults]' (5 s)"

# --- Section selection without -s ------------------------------------------

run_plugin -f "$INI" -H localhost
expect_rc 2 "-H localhost selects [LocalHost] (any case): 48 MiB is over 200% of 20MB"
expect_match "'baseline'=20971520B" "-H localhost: that section's baseline"

run_plugin -f "$INI" -H 127.0.0.1
expect_rc 3 "-H without a section of its own: [defaults] alone, no baseline for 150%"
expect_match "^ASYNC_LEAK UNKNOWN - percent thresholds need --baseline" \
	"-H without a section: not an error about the section"
run_plugin -f "$INI" -H 127.0.0.1 --baseline 40MB
expect_rc 0 "-H without a section, --baseline given: OK with [defaults]' port and community"

run_plugin -f "$INI" -s nosuch
expect_rc 3 "-s naming no section: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - $INI: no section \[nosuch\]$" "-s nosuch: names the file and the section"

# --- The command line beats the file ---------------------------------------

run_plugin -f "$INI" -s exch01 -w 10MB
expect_rc 1 "-w 10MB on the command line beats the file's 150%: WARNING"
expect_match "'mem'=50438144B;10485760;83886080;" "-w replaces warning only; critical stays the file's"
run_plugin -f "$INI" -s exch01 --baseline 20MB
expect_rc 2 "--baseline 20MB beats the section's 40MB: CRITICAL"
run_plugin -f "$INI" -s exch01-badcomm -C "$SIM_COMMUNITY"
expect_rc 0 "-C beats the section's wrong community: OK"
run_plugin -f "$INI" -s exch01 -p 9 -t 1
expect_rc 3 "-p beats the file's port"
expect_match "no response from 127.0.0.1:9 after 1 s" "-p 9 -t 1: the command line's port and timeout"

# --- The sample, as written (the port changes every run) -------------------

SAMPLE=$ROOT/conf/check_async_leak.ini
run_plugin -f "$SAMPLE" -s demo -p "$SIM_PORT" --state-dir "$T/state"
expect_rc 0 "sample [demo] (v2c) with -p: OK"
expect_match "'baseline'=41943040B" "sample [demo]: its baseline"
run_plugin -f "$SAMPLE" -s demo-v3 -p "$SIM_PORT" --state-dir "$T/state"
expect_rc 0 "sample [demo-v3] (v3 authPriv, SHA-256/AES) with -p: OK"
run_plugin -f "$SAMPLE" -s demo-v3-keys -p "$SIM_PORT" --state-dir "$T/state"
expect_rc 0 "sample [demo-v3-keys] (v3 authPriv, master keys) with -p: OK"
run_plugin -f "$SAMPLE" -s demo-v3 -p "$SIM_PORT" --print-keys
keys=$(printf '%s\n' "$OUT" | grep -E '^(auth|priv)masterkey = ')
if [ -n "$keys" ] && [ "$keys" = "$(grep -E '^(auth|priv)masterkey = ' "$SAMPLE")" ]; then
	ok "sample [demo-v3-keys]: the master keys --print-keys makes from [demo-v3]"
else
	fail "sample [demo-v3-keys] differs from --print-keys of [demo-v3]: $(_first_line)"
fi

# --- Secrets ----------------------------------------------------------------

run_plugin -f "$INI" -s exch01-v3 -vvv
expect_rc 0 "v3 at -vvv: OK"
all="$OUT
$ERR"
for secret in "$SIM_V3_AUTHPASS" "$SIM_V3_PRIVPASS"; do
	if printf '%s\n' "$all" | grep -qF -- "$secret"; then
		fail "a passphrase from the file is in the -vvv output or stderr"
	else
		ok "-vvv: no passphrase from the file in stdout or stderr"
	fi
done
run_plugin -f "$INI" -s exch01-badcomm -vvv
if printf '%s\n%s\n' "$OUT" "$ERR" | grep -qF -- wrong-community; then
	fail "the section's community is in the -vvv output or stderr"
else
	ok "-vvv on a failing v2c check: no community in stdout or stderr"
fi

cp "$INI" "$T/open.ini"
chmod 644 "$T/open.ini"
run_plugin -f "$T/open.ini" -s exch01
expect_rc 0 "a world-readable file still works"
expect_match "^Note: the INI file holds an SNMP secret and can be read by other users" \
	"a world-readable file with secrets gets the note"

finish
