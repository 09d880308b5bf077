#!/usr/bin/env bash
# Failures outside the agent's data: no agent, wrong community, a host name
# that cannot resolve; each is one UNKNOWN line, in time, with no secret;
# and the plugin leaves nothing under /var/lib/snmp.
. "$(dirname "$0")/lib.sh"

snap_var() { ls -la --time-style=full-iso /var/lib/snmp 2>/dev/null; }
before=$(snap_var)

# A port nothing listens on (a private agent started and stopped again).
simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" || { fail "simulated host did not start"; finish; }
port=$SIM_PORT
simhost_stop
run_plugin -H 127.0.0.1 -p "$port" -C public -t 2 --state-dir "$T/state"
expect_rc 3 "closed port: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - .*no response from 127\.0\.0\.1:$port after 2 s" "closed port: says no response, names host, port and time"
[ "$ELAPSED_MS" -lt 4000 ] && ok "closed port: gave up within -t 2 (${ELAPSED_MS} ms)" ||
	fail "closed port took ${ELAPSED_MS} ms with -t 2"
expect_stderr_empty "closed port: nothing on stderr"

run_plugin -H 127.0.0.1 -p "$port" -P 3 -U nagmon -L authPriv -a SHA-256 -A authpass123 \
	-x AES -X privpass123 -t 2 --state-dir "$T/state"
expect_rc 3 "closed port, SNMPv3: UNKNOWN"
expect_match "no response from 127\.0\.0\.1:$port after 2 s" "closed port, SNMPv3: says no response"
[ "$ELAPSED_MS" -lt 4000 ] && ok "closed port, SNMPv3: within -t 2 (${ELAPSED_MS} ms)" ||
	fail "closed port, SNMPv3 took ${ELAPSED_MS} ms with -t 2"

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent2" || { fail "simulated host did not start"; finish; }
run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C 'S3cret-Community' -t 2 --state-dir "$T/state"
expect_rc 3 "wrong community: UNKNOWN"
expect_match "no response from 127\.0\.0\.1:$SIM_PORT after 2 s" "wrong community: no response"
printf '%s\n%s\n' "$OUT" "$ERR" | grep -q 'S3cret-Community' &&
	fail "wrong community: the community appears in the output" ||
	ok "wrong community: the community is not in the output"

# A name the resolver rejects before asking any server (a 70-byte label):
# no packet leaves the machine.
bad=$(printf 'x%.0s' $(seq 1 70)).example
run_plugin -H "$bad" -C public -t 2 --state-dir "$T/state"
expect_rc 3 "unresolvable host: UNKNOWN"
expect_match "cannot resolve host '$bad'" "unresolvable host: says so, with the name"

# The SNMP module (check_async_leak-snmp.so) lives beside the plugin: a
# plugin copied without it still makes v1/v2c checks (its own requests),
# first and repeat, but says so for what needs Net-SNMP (SNMPv3, or
# CHECK_ASYNC_LEAK_NET_SNMP=1); a module of another build is refused; a
# link to the plugin finds the module beside the plugin itself.
mkdir -p "$T/alone" "$T/other" "$T/linked"
cp "$PLUGIN" "$T/alone/check_async_leak"
cp "$PLUGIN" "$T/other/check_async_leak"
cp "$(ldd "$PLUGIN" | awk '$1 ~ /^libinih/ { print $3 }')" "$T/other/check_async_leak-snmp.so"
ln -s "$PLUGIN" "$T/linked/check_async_leak"
V3=(-P 3 -U "$SIM_V3_USER" -a SHA-256 -A "$SIM_V3_AUTHPASS" -x AES -X "$SIM_V3_PRIVPASS")
PLUGIN=$T/alone/check_async_leak run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C public -t 2 \
	--state-dir "$T/alone-state" -vv
expect_rc 0 "no SNMP module: a v2c first check needs none"
expect_match "SNMP v2c, 60 processes walked" "no SNMP module: the walk, without Net-SNMP"
PLUGIN=$T/alone/check_async_leak run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C public -t 2 \
	--state-dir "$T/alone-state" -vv
expect_rc 0 "no SNMP module: nor a repeat check"
expect_match "repeat check: one GET of the 1 remembered row, 1 request\." \
	"no SNMP module: the repeat check's one GET"
PLUGIN=$T/alone/check_async_leak run_plugin -H 127.0.0.1 -p "$SIM_PORT" -t 2 "${V3[@]}" \
	--state-dir "$T/alone-state"
expect_rc 3 "no SNMP module, SNMPv3: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - cannot load the SNMP module $T/alone/check_async_leak-snmp\.so: " \
	"no SNMP module, SNMPv3: says which file"
expect_no_match "$SIM_V3_AUTHPASS|$SIM_V3_PRIVPASS" "no SNMP module, SNMPv3: no passphrase shown"
CHECK_ASYNC_LEAK_NET_SNMP=1 PLUGIN=$T/alone/check_async_leak run_plugin -H 127.0.0.1 \
	-p "$SIM_PORT" -C public -t 2 --state-dir "$T/alone-state"
expect_rc 3 "CHECK_ASYNC_LEAK_NET_SNMP=1: v2c needs the module too"
expect_match "^ASYNC_LEAK UNKNOWN - cannot load the SNMP module " \
	"CHECK_ASYNC_LEAK_NET_SNMP=1: v2c goes through Net-SNMP"
CHECK_ASYNC_LEAK_NET_SNMP=1 run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C public -t 2 \
	--state-dir "$T/alone-state" -vv
expect_rc 0 "CHECK_ASYNC_LEAK_NET_SNMP=1 with the module: OK"
expect_match "repeat check: one GET of the 1 remembered row, 1 request\." \
	"CHECK_ASYNC_LEAK_NET_SNMP=1 with the module: the same one GET"
PLUGIN=$T/other/check_async_leak run_plugin -H 127.0.0.1 -p "$SIM_PORT" -t 2 "${V3[@]}" \
	--state-dir "$T/other-state"
expect_rc 3 "SNMP module of another build: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - the SNMP module $T/other/check_async_leak-snmp\.so is not of this build" \
	"SNMP module of another build: says so"
PLUGIN=$T/linked/check_async_leak run_plugin -H 127.0.0.1 -p "$SIM_PORT" -t 2 "${V3[@]}" \
	--state-dir "$T/linked-state"
expect_rc 0 "a link to the plugin: the module beside the plugin is found (SNMPv3)"

# Agent up, right community: nothing on stderr, and nothing written under
# /var/lib/snmp, TMPDIR or HOME by any of the runs above.
mkdir -p "$T/tmp" "$T/home"
TMPDIR=$T/tmp HOME=$T/home run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C public --state-dir "$T/state"
expect_rc 0 "sanity: the right community works"
expect_stderr_empty "sanity: nothing on stderr"
TMPDIR=$T/tmp HOME=$T/home run_plugin -H 127.0.0.1 -p "$SIM_PORT" -P 3 -U "$SIM_V3_USER" \
	-a SHA-256 -A "$SIM_V3_AUTHPASS" -x AES -X "$SIM_V3_PRIVPASS" --state-dir "$T/state"
expect_rc 0 "sanity: SNMPv3 works"
left=$(find "$T/tmp" "$T/home" -mindepth 1 | head -n 3)
[ -z "$left" ] && ok "nothing written under TMPDIR or HOME" || fail "written: $left"
after=$(snap_var)
[ "$before" = "$after" ] && ok "nothing created or changed under /var/lib/snmp" ||
	fail "/var/lib/snmp changed: $(diff <(echo "$before") <(echo "$after") | head -3)"

finish
