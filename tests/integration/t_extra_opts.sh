#!/usr/bin/env bash
# monitoring-plugins conventions against the simulated host: --extra-opts
# [SECTION][@FILE] (their locator, default section and file search, our INI
# reader for our section only), the hint of a silent agent, and the hint
# for a range the shell expanded.
. "$(dirname "$0")/lib.sh"

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" >/dev/null ||
	{ fail "simulated host did not start"; finish; }
S=(--state-dir "$T/state")
cat >"$T/mp.ini" <<INI
[check_mysql]
username = nagios
hostname =
[check_async_leak]
community = $SIM_COMMUNITY
warning = 300MB
[demo]
hostname = 127.0.0.1
port = $SIM_PORT
community = $SIM_COMMUNITY
INI
chmod 600 "$T/mp.ini"

run_plugin -H 127.0.0.1 -p "$SIM_PORT" --extra-opts="@$T/mp.ini" "${S[@]}"
expect_rc 0 "--extra-opts=@FILE: section check_async_leak, another plugin's section ignored"
expect_match "'mem'=50438144B;314572800;" "--extra-opts=@FILE: its warning = 300MB applies"
run_plugin --extra-opts "demo@$T/mp.ini" "${S[@]}"
expect_rc 0 "--extra-opts SECTION@FILE (separate word): host and port from [demo]"
run_plugin --extra-opts "demo@$T/mp.ini" --extra-opts="@$T/mp.ini" -w 250MB "${S[@]}"
expect_match "'mem'=50438144B;262144000;" "two --extra-opts, and the command line wins over them"
MP_CONFIG_FILE=$T/mp.ini run_plugin --extra-opts -H 127.0.0.1 -p "$SIM_PORT" "${S[@]}"
expect_rc 0 "--extra-opts alone: \$MP_CONFIG_FILE's [check_async_leak]"
mkdir -p "$T/etc1" "$T/etc2"
cp "$T/mp.ini" "$T/etc2/plugins.ini"
NAGIOS_CONFIG_PATH=$T/etc1:$T/etc2 run_plugin --extra-opts=demo "${S[@]}"
expect_rc 0 "--extra-opts=SECTION: plugins.ini found in \$NAGIOS_CONFIG_PATH"
run_plugin --extra-opts="nosuch@$T/mp.ini" -H 127.0.0.1
expect_rc 3 "a missing section: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - $T/mp.ini: no section \[nosuch\]$" "a missing section: says which"
printf '[check_async_leak]\ncomunity = x\n' >"$T/bad.ini"
run_plugin --extra-opts="@$T/bad.ini" -H 127.0.0.1
expect_match "bad.ini:2: unknown key 'comunity' \(did you mean 'community'\?\)" \
	"our section is checked with our rules"

# Hints.
run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C wrong-community -t 2 "${S[@]}"
expect_rc 3 "wrong community: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - no response from 127\.0\.0\.1:$SIM_PORT after 2 s - check community/ACL/port$" \
	"wrong community: the hint names community, ACL and port"
expect_no_match "wrong-community" "the community is not shown"
run_plugin -H 127.0.0.1 -p "$SIM_PORT" -w ~:200MB "${S[@]}"
expect_rc 3 "-w ~:200MB unquoted in bash: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - --warning: '$HOME:200MB' is a path, not a range: the shell expanded an unquoted ~; quote it: --warning='~:200MB'$" \
	"-w ~:200MB unquoted: the hint to quote it"
finish
