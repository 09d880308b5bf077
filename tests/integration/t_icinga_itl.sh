#!/usr/bin/env bash
# A real Icinga 2 renders the shipped CheckCommand (conf/icinga2/) for hosts
# that only carry the ITL's own variables: the snmp command's (snmp_address,
# snmp_port, snmp_timeout, snmp_version, snmp_community), the snmpv3
# command's (snmpv3_address, snmpv3_port, snmpv3_timeout, snmpv3_*) and
# Manubulon's (snmp_v3, snmp_login, snmp_password, snmp_authprotocol,
# snmp_privpass with their switches); an async_leak_* host variable wins
# over them, and a host overrides the apply rule's trend levels.  The plugin
# directory holds a wrapper that records the argument vector Icinga built
# and runs the real plugin, so each host's check runs against the simulated
# host too.  Every host's "address" is ::1, where no agent listens: a check
# that reaches the agent got its address from an ITL variable.
. "$(dirname "$0")/lib.sh"

icinga_setup plugins argv
simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" >/dev/null ||
	{ fail "simulated host did not start"; finish; }

# The wrapper: one argument a line into argv/NAME (NAME from the state file
# each host names), then the real plugin.
cat >"$I/plugins/check_async_leak" <<EOF
#!/bin/sh
name=unknown
for a in "\$@"; do
	case "\$a" in --state-file=*) name=\$(basename "\${a#--state-file=}" .state) ;; esac
done
printf '%s\n' "\$@" >"$I/argv/\$name.tmp" && mv "$I/argv/\$name.tmp" "$I/argv/\$name"
exec "$PLUGIN" "\$@"
EOF
chmod 755 "$I/plugins/check_async_leak"

{ icinga_conf_head "$I/plugins"; cat <<EOF; } >"$I/icinga2.conf"
object ExternalCommandListener "cmd" { command_path = "$I/run/icinga2.cmd" }

template Service "generic-service" {
	max_check_attempts = 5
	check_interval = 1m
	retry_interval = 30s
}

include "$ROOT/conf/icinga2/check_async_leak.conf"
include "$ROOT/conf/icinga2/services-exchange55.conf"

template Host "itl-host" {
	check_command = "dummy"
	enable_active_checks = false
	address = "::1"
	vars.exchange55 = true
	vars.async_leak_warning = "100MB"
	vars.async_leak_critical = "300MB"
}

/* The ITL snmp command's variables, and a trend level of its own. */
object Host "itl-snmp" {
	import "itl-host"
	vars.snmp_address = "127.0.0.1"
	vars.snmp_port = $SIM_PORT
	vars.snmp_timeout = 7
	vars.snmp_version = "2"
	vars.snmp_community = "$SIM_COMMUNITY"
	vars.async_leak_growth_warning = "0.25MB/h"
	vars.async_leak_timeleft_critical = "6h"
	vars.async_leak_state_file = "$I/itl-snmp.state"
}

/* The ITL snmpv3 command's variables. */
object Host "itl-snmpv3" {
	import "itl-host"
	vars.snmpv3_address = "127.0.0.1"
	vars.snmpv3_port = $SIM_PORT
	vars.snmpv3_timeout = 8
	vars.snmpv3_user = "$SIM_V3_USER"
	vars.snmpv3_seclevel = "authPriv"
	vars.snmpv3_auth_alg = "SHA-256"
	vars.snmpv3_auth_key = "$SIM_V3_AUTHPASS"
	vars.snmpv3_priv_alg = "AES"
	vars.snmpv3_priv_key = "$SIM_V3_PRIVPASS"
	vars.async_leak_state_file = "$I/itl-snmpv3.state"
}

/* Manubulon's (snmp-load, snmp-process, ...): v3 with MD5 / DES. */
object Host "itl-manubulon" {
	import "itl-host"
	vars.snmp_address = "127.0.0.1"
	vars.snmp_port = $SIM_PORT
	vars.snmp_v3 = true
	vars.snmp_login = "$SIM_V3_MD5USER"
	vars.snmp_password = "$SIM_V3_AUTHPASS"
	vars.snmp_v3_use_authprotocol = true
	vars.snmp_authprotocol = "md5,des"
	vars.snmp_v3_use_privpass = true
	vars.snmp_privpass = "$SIM_V3_PRIVPASS"
	vars.async_leak_state_file = "$I/itl-manubulon.state"
}

/* Our own variables win over the ITL's (which point at nothing here). */
object Host "itl-override" {
	import "itl-host"
	vars.snmp_address = "::1"
	vars.snmp_port = 9
	vars.snmp_community = "not-the-community"
	vars.async_leak_hostname = "127.0.0.1"
	vars.async_leak_port = $SIM_PORT
	vars.async_leak_community = "$SIM_COMMUNITY"
	vars.async_leak_state_file = "$I/itl-override.state"
}
EOF

if icinga2 daemon -C "${ICINGA_ARGS[@]}" >"$T/validate" 2>&1; then
	ok "icinga2 daemon -C accepts the CheckCommand with ITL host variables"
else
	fail "icinga2 daemon -C: $(grep -E 'critical/|Error' "$T/validate" | head -5)"
	finish
fi

icinga_start
icinga_wait_cmd && ok "icinga2 runs (command pipe up)" ||
	{ fail "icinga2 did not come up: $(tail -3 "$T/icinga.out")"; finish; }

hosts="itl-snmp itl-snmpv3 itl-manubulon itl-override"
for h in $hosts; do
	icinga_check_now "$h"
done
# has HOST ARG: the command line Icinga rendered for HOST holds ARG.
has() { grep -qxF -- "$2" "$I/argv/$1"; }
# The rendered command line without secrets, for messages.
shown() { grep -vE '^--(community|authpasswd|privpasswd)=' "$I/argv/$1" | tr '\n' ' '; }

for h in $hosts; do
	if icinga_wait_perfdata "$h" "" "$I/argv/$h"; then
		st=$(pd_field SERVICESTATE)
		[ "$st" = OK ] && ok "$h: OK from the simulated host ($(pd_field SERVICEPERFDATA | cut -d' ' -f1))" ||
			fail "$h: state $st: $(pd_field SERVICEOUTPUT)"
	else
		fail "$h: no check result within 60 s"
	fi
done

h=itl-snmp
has $h --hostname=127.0.0.1 && has $h --port="$SIM_PORT" && has $h --timeout=7 &&
	has $h --protocol=2c && has $h --community="$SIM_COMMUNITY" &&
	ok "$h: snmp_address, snmp_port, snmp_timeout, snmp_version (2 as 2c), snmp_community passed" ||
	fail "$h: rendered $(shown $h)"
has $h --growth-warning=0.25MB/h && ! has $h --growth-warning=1MB/h &&
	has $h --timeleft-critical=6h && has $h --growth-critical=4MB/h && has $h --timeleft-warning=3d &&
	ok "$h: the host's growth_warning and timeleft_critical win over the apply rule, the others stay" ||
	fail "$h: trend levels rendered $(shown $h)"

h=itl-snmpv3
has $h --hostname=127.0.0.1 && has $h --port="$SIM_PORT" && has $h --timeout=8 &&
	has $h --protocol=3 && has $h --secname="$SIM_V3_USER" && has $h --seclevel=authPriv &&
	has $h --authproto=SHA-256 && has $h --authpasswd="$SIM_V3_AUTHPASS" &&
	has $h --privproto=AES && has $h --privpasswd="$SIM_V3_PRIVPASS" &&
	ok "$h: snmpv3_address, _port, _timeout, _user, _seclevel, _auth_alg, _auth_key, _priv_alg, _priv_key passed" ||
	fail "$h: rendered $(shown $h)"
has $h --growth-warning=1MB/h && has $h --timeleft-critical=12h &&
	ok "$h: without host values the apply rule's trend levels apply" || fail "$h: rendered $(shown $h)"
grep -q -- '^--community=' "$I/argv/$h" && fail "$h: a community was passed to a v3 host" ||
	ok "$h: no community passed"

h=itl-manubulon
has $h --protocol=3 && has $h --secname="$SIM_V3_MD5USER" && has $h --authproto=MD5 &&
	has $h --authpasswd="$SIM_V3_AUTHPASS" && has $h --privproto=DES &&
	has $h --privpasswd="$SIM_V3_PRIVPASS" && has $h --port="$SIM_PORT" &&
	ok "$h: snmp_v3, snmp_login, snmp_password, snmp_authprotocol, snmp_privpass passed" ||
	fail "$h: rendered $(shown $h)"

h=itl-override
has $h --hostname=127.0.0.1 && has $h --port="$SIM_PORT" && has $h --community="$SIM_COMMUNITY" &&
	! grep -q -- '^--port=9$' "$I/argv/$h" &&
	ok "$h: async_leak_hostname, _port and _community win over snmp_address, snmp_port, snmp_community" ||
	fail "$h: rendered $(shown $h)"

others=$(grep -E 'warning/|critical/' "$T/icinga.out" | grep -v 'ExternalCommandListener' | head -3)
[ -z "$others" ] && ok "no warnings in the icinga2 log" || fail "icinga2 log: $others"
if grep -qF -e "$SIM_V3_AUTHPASS" -e "$SIM_V3_PRIVPASS" "$T/icinga.out" "$I"/pd/service.perfdata.*; then
	fail "a v3 passphrase shows in the icinga2 log or perfdata"
else
	ok "v3 passphrases stay out of the log and the perfdata"
fi
finish
