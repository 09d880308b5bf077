#!/usr/bin/env bash
# IPv6 and the transport prefixes of Net-SNMP's tools against a real snmpd
# listening on [::1] and 127.0.0.1 (UDP and TCP): -H udp6:[::1], [::1], ::1,
# udp6:[::1]:PORT, tcp:, tcp6:; a community the agent grants to ::1 only
# proves the request really came over IPv6.  Bad addresses are one UNKNOWN
# line.  Then a real Icinga 2 runs the shipped CheckCommand for a host with
# only an address6 (and one with check_ipv6), i.e. its udp6:[address6]
# default.
. "$(dirname "$0")/lib.sh"

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" >/dev/null ||
	{ fail "simulated host did not start"; finish; }
[ "$SIM_IPV6" = 1 ] && ok "agent on udp/tcp 127.0.0.1:$SIM_PORT and [::1]:$SIM_PORT" ||
	{ fail "this machine has no IPv6 loopback ::1 (sysctl net.ipv6.conf.lo.disable_ipv6=0)"; finish; }

first='ASYNC_LEAK OK - Async.exe 48.1 MiB \(1 instance\) \| '"'mem'"'=50438144B'
for h in 'udp6:[::1]' '[::1]' '::1' 'udp6:::1' 'UDP6:[::1]' 'udpv6:[::1]'; do
	run_plugin -H "$h" -p "$SIM_PORT" -C "$SIM_V6_COMMUNITY" -t 5 -vv --state-dir "$T/state"
	expect_rc 0 "-H '$h': OK over IPv6 (the ::1-only community answered)"
	expect_match "^$first" "-H '$h': the memory read"
	expect_match "^Agent udp6:\[::1\]:$SIM_PORT, SNMP v2c" "-H '$h': -vv names the agent udp6:[::1]:$SIM_PORT"
done
for h in "udp6:[::1]:$SIM_PORT" "[::1]:$SIM_PORT"; do
	run_plugin -H "$h" -C "$SIM_V6_COMMUNITY" -t 5 --state-dir "$T/state"
	expect_rc 0 "-H '$h' (the port in the address, no --port): OK"
done
run_plugin -H "udp6:[::1]:$SIM_PORT" -p "$SIM_PORT" -C "$SIM_V6_COMMUNITY" -t 5 --state-dir "$T/state"
expect_rc 0 "-H '[::1]:PORT' with the same --port: OK"

# The same community over IPv4 gets no answer: the test above can fail.
run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_V6_COMMUNITY" -t 2 --state-dir "$T/state"
expect_rc 3 "the ::1-only community over IPv4: UNKNOWN"
expect_match "no response from 127\.0\.0\.1:$SIM_PORT after 2 s" "... no response from 127.0.0.1:$SIM_PORT"

# TCP, both families; SNMPv3 over IPv6.
for h in 'tcp:127.0.0.1' 'tcp6:[::1]' "tcp:localhost:$SIM_PORT"; do
	run_plugin -H "$h" -p "$SIM_PORT" -C "$SIM_COMMUNITY" -t 5 -vv --state-dir "$T/state"
	expect_rc 0 "-H '$h': OK over TCP"
	expect_match "^Agent tcp6?:(127\.0\.0\.1|\[::1\]):$SIM_PORT, " "-H '$h': -vv names a tcp agent"
done
run_plugin -H "udp:127.0.0.1:$SIM_PORT" -C "$SIM_COMMUNITY" -t 5 --state-dir "$T/state"
expect_rc 0 "-H 'udp:127.0.0.1:PORT': OK"
run_plugin -H 'udp6:[::1]' -p "$SIM_PORT" -P 3 -U "$SIM_V3_USER" -a SHA-256 -A "$SIM_V3_AUTHPASS" \
	-x AES -X "$SIM_V3_PRIVPASS" -t 5 --state-dir "$T/state"
expect_rc 0 "SNMPv3 authPriv over udp6:[::1]: OK"

# Nothing listens on TCP port 9 of either loopback: refused at once.
run_plugin -H 'tcp6:[::1]' -p 9 -C "$SIM_COMMUNITY" -t 5 --state-dir "$T/state"
expect_rc 3 "tcp6 to a closed port: UNKNOWN"
expect_match '^ASYNC_LEAK UNKNOWN - cannot connect to tcp6:\[::1\]:9: Connection refused$' \
	"tcp6 to a closed port: 'cannot connect ... Connection refused'"

# Bad addresses: one line each, exit 3, nothing sent.
bad() {	# address expected-message-ERE
	run_plugin -H "$1" -p "$SIM_PORT" -C "$SIM_COMMUNITY" -t 2 --state-dir "$T/state"
	expect_rc 3 "-H '$1': UNKNOWN"
	expect_match "^ASYNC_LEAK UNKNOWN - $2\$" "-H '$1': $2"
	[ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] && ok "-H '$1': one line" || fail "-H '$1': $(printf '%s\n' "$OUT" | wc -l) lines"
}
bad 'udp6:[::1' "bad address 'udp6:\[::1': no ']' after the IPv6 address"
bad 'udp:[::1]' "bad address 'udp:\[::1\]': udp: is IPv4, write udp6:\[\.\.\.\] for IPv6"
bad '[::1]:snmp' "bad address '\[::1\]:snmp': expected ':PORT' \(1 to 65535\) after '\]'"
bad 'udp6:127.0.0.1' "cannot resolve host '127\.0\.0\.1' \(as IPv6\)"
run_plugin -H "[::1]:$SIM_PORT" -p 9 -C "$SIM_COMMUNITY" -t 2 --state-dir "$T/state"
expect_rc 3 "a port in -H and another --port: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - two ports: $SIM_PORT in the address '\[::1\]:$SIM_PORT' and --port 9\$" \
	"a port in -H and another --port: says which"

# The shipped CheckCommand under a real Icinga 2: a host with only an
# address6, and a dual-stack host with check_ipv6, both get udp6:[address6]
# (the ::1-only community proves it).
icinga_setup
{ icinga_conf_head; cat <<EOC; } >"$I/icinga2.conf"
include "$ROOT/conf/icinga2/check_async_leak.conf"
template Host "v6-host" {
	check_command = "dummy"
	enable_active_checks = false
	vars.snmp_community = "$SIM_V6_COMMUNITY"
	vars.async_leak_port = $SIM_PORT
	vars.async_leak_timeout = 5
	vars.async_leak_state_dir = "$I/state"
}
object Host "v6only.corp.example" {
	import "v6-host"
	address6 = "::1"
}
object Host "dual.corp.example" {
	import "v6-host"
	address = "127.0.0.1"
	address6 = "::1"
	vars.check_ipv6 = true
}
apply Service "async-leak" {
	check_command = "async_leak"
	check_interval = 2s
	retry_interval = 2s
	assign where host.vars.async_leak_port
}
EOC
icinga_start
for host in v6only.corp.example dual.corp.example; do
	LINE=
	icinga_wait_perfdata "$host"
	if [[ $LINE == *"SERVICESTATE::OK"* && $LINE == *"::mem=50438144B;"* ]]; then
		ok "Icinga 2, $host: OK over udp6:[address6] (SERVICEPERFDATA::$(pd_field SERVICEPERFDATA))"
	else
		fail "Icinga 2, $host: '${LINE:-no PerfdataWriter line within 60 s}' $(tail -2 "$T/icinga.out")"
	fi
done
finish
