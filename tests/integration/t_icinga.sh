#!/usr/bin/env bash
# A real Icinga 2 in $T validates the shipped CheckCommand and apply rule
# (conf/icinga2/), runs them against the simulated Exchange 5.5 host (v2c
# with the ITL's snmp_community, v3 with the ITL's snmpv3_* host vars), and
# its PerfdataWriter shows every perfdata label the plugin wrote, parsed,
# with no perfdata warnings in its log; then the memory passes critical.
. "$(dirname "$0")/lib.sh"


icinga_setup state
simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" >/dev/null ||
	{ fail "simulated host did not start"; finish; }

# A day of history of a 1 MiB/h leak of index 1388, ending 10 min ago, so
# that the trend labels can appear on the first check (history.h's format).
seed_history() {	# file
	local now i
	now=$(date +%s)
	{
		echo "# check_async_leak state v1"
		for ((i = 144; i >= 1; i--)); do
			echo "$((now - i * 600)) $((49256 - i * 1024 / 6)) 1388 $((1862054 - i * 1200)) $((86400000 - i * 60000))"
		done
	} >"$1"
}
seed_history "$I/exch01.state"

# A Graphite (carbon) stand-in on 127.0.0.1 for Icinga's GraphiteWriter,
# which parses each perfdata value strictly and logs "Ignoring invalid
# perfdata" for what it cannot; it also shows the metric paths the graphite
# template of conf/graphite/ must match.  Perl's IO::Socket is in perl-base.
start_carbon "$I/graphite.txt" && ok "graphite stand-in listens on 127.0.0.1:$CARBON_PORT" ||
	{ fail "graphite stand-in did not start: $(cat "$T/carbon.err")"; finish; }

{ icinga_conf_head; cat <<EOF; } >"$I/icinga2.conf"
object ExternalCommandListener "cmd" { command_path = "$I/run/icinga2.cmd" }
object GraphiteWriter "graphite" {
	host = "127.0.0.1"
	port = $CARBON_PORT
	enable_send_thresholds = true
}

/* What conf.d/templates.conf of a stock install provides. */
template Service "generic-service" {
	max_check_attempts = 5
	check_interval = 1m
	retry_interval = 30s
}

include "$ROOT/conf/icinga2/check_async_leak.conf"
include "$ROOT/conf/icinga2/services-exchange55.conf"

object Host "exch01.corp.example" {
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.0.1"
	vars.exchange55 = true
	vars.snmp_community = "$SIM_COMMUNITY"
	vars.async_leak_port = $SIM_PORT
	vars.async_leak_warning = "80MB"
	vars.async_leak_critical = "100MB"
	vars.async_leak_baseline = "40MB"
	vars.async_leak_state_file = "$I/exch01.state"
}

object Host "exch02.corp.example" {
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.0.1"
	vars.exchange55 = true
	vars.snmpv3_user = "$SIM_V3_USER"
	vars.snmpv3_seclevel = "authPriv"
	vars.snmpv3_auth_alg = "SHA-256"
	vars.snmpv3_auth_key = "$SIM_V3_AUTHPASS"
	vars.snmpv3_priv_alg = "AES"
	vars.snmpv3_priv_key = "$SIM_V3_PRIVPASS"
	vars.async_leak_port = $SIM_PORT
	vars.async_leak_warning = "~:80MB"
	vars.async_leak_critical = "300MB"
	vars.async_leak_state_dir = "$I/state"
}
EOF

# Every option of --help is an argument of the CheckCommand (but the four
# that are no check), each with a description and an async_leak_<ini key>
# variable; and the CheckCommand passes nothing the plugin does not know.
run_plugin --help
opts=$(printf '%s\n' "$OUT" | grep -oE '^ +(-[A-Za-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+' |
	grep -vxE -- '--(replay|print-keys|history-copy-from|help|version)' | sort)
conf=$ROOT/conf/icinga2/check_async_leak.conf
args=$(grep -oE '^		"--[a-z-]+" = \{' "$conf" | grep -oE -- '--[a-z-]+' | sort)
[ -n "$opts" ] && [ "$opts" = "$args" ] && ok "CheckCommand arguments = the --help options ($(echo "$args" | wc -l))" ||
	fail "CheckCommand arguments differ from --help: $(diff <(echo "$opts") <(echo "$args") | grep '^[<>]' | tr '\n' ' ')"
nodesc=""
for a in $args; do
	var=async_leak_$(echo "${a#--}" | tr - _)
	block=$(awk -v k="\"$a\" = {" 'index($0, k) { on = 1 } on { print } on && /^\t\t}/ { exit }' "$conf")
	grep -q 'description = "' <<<"$block" && grep -qF "\$$var\$" <<<"$block" || nodesc="$nodesc $a"
done
[ -z "$nodesc" ] && ok "each argument has a description and its async_leak_* variable" ||
	fail "arguments without description or variable:$nodesc"

if icinga2 daemon -C "${ICINGA_ARGS[@]}" >"$T/validate" 2>&1; then
	ok "icinga2 daemon -C accepts the CheckCommand and the apply rule"
else
	fail "icinga2 daemon -C: $(grep -E 'critical/|Error' "$T/validate" | head -5)"
	finish
fi
grep -q "Instantiated 2 Services" "$T/validate" && ok "the apply rule makes a service for each vars.exchange55 host" ||
	fail "apply rule: $(grep Instantiated "$T/validate" | tr '\n' ' ')"

# What the plugin writes for exch01's arguments (those of the apply rule and
# the host vars), on a copy of the history: the labels Icinga must show.
cp "$I/exch01.state" "$T/direct.state"
run_plugin --hostname=127.0.0.1 --port="$SIM_PORT" --community="$SIM_COMMUNITY" --warning=80MB --critical=100MB \
	--baseline=40MB --growth-warning=1MB/h --growth-critical=4MB/h --timeleft-warning=3d \
	--timeleft-critical=12h --state-file="$T/direct.state"
want=$(printf '%s\n' "$OUT" | sed -n '1s/^[^|]*|//p' | grep -oE "'[a-z_]+'=" | tr -d "'=" | sort | tr '\n' ' ')
[[ " $want" == *" mem "* && " $want" == *" instances "* && " $want" == *" baseline "* ]] &&
	ok "the plugin writes: $want" || fail "the plugin's own perfdata labels: '$want' ($(_first_line))"
if [[ " $want" == *" growth "* && " $want" == *" timeleft "* ]]; then
	ok "with a day of leak history the plugin writes growth and timeleft"
else
	ok "# SKIP no growth/timeleft from the plugin yet with a day of leak history"
fi

icinga_start
icinga_wait_cmd && ok "icinga2 runs (command pipe up)" ||
	{ fail "icinga2 did not come up: $(tail -3 "$T/icinga.out")"; finish; }

# The GraphiteWriter drops metrics while it is not connected: wait for it.
for ((i = 0; i < 60; i++)); do
	[ -e "$I/graphite.txt.conn" ] && break
	sleep 0.5
done
[ -e "$I/graphite.txt.conn" ] && ok "the GraphiteWriter connected" || fail "the GraphiteWriter did not connect within 30 s"

# The apply rule checks every 5 minutes: ask for a check now, as an admin
# would with "Check now".
icinga_check_now exch01.corp.example
icinga_check_now exch02.corp.example
if icinga_wait_perfdata exch01.corp.example; then
	perf=$(pd_field SERVICEPERFDATA)
	ok "exch01: PerfdataWriter line, state $(pd_field SERVICESTATE): $perf"
	got=$(printf '%s\n' "$perf" | tr ' ' '\n' | sed -n 's/^\([a-z_]*\)=.*/\1/p' | sort | tr '\n' ' ')
	[ "$got" = "$want" ] && ok "exch01: Icinga 2 parsed every label the plugin wrote ($got)" ||
		fail "exch01: Icinga 2 labels '$got', plugin '$want'"
	[[ $perf == *"mem=50438144B;83886080;104857600;0;536870912"* && $perf == *"baseline=41943040B"* ]] &&
		ok "exch01: values, units and thresholds as written" || fail "exch01: perfdata '$perf'"
else
	fail "exch01: no PerfdataWriter line within 60 s: $(tail -3 "$T/icinga.out")"
fi
if icinga_wait_perfdata exch02.corp.example OK; then
	perf=$(pd_field SERVICEPERFDATA)
	[[ $perf == "mem=50438144B;"*"instances=1"* ]] && ok "exch02 (SNMPv3 from snmpv3_* host vars): OK, $perf" ||
		fail "exch02: perfdata '$perf'"
else
	fail "exch02: no OK within 60 s: $(cat "$I"/pd/service.perfdata.* 2>/dev/null | grep -F exch02 | tail -1)"
fi

simhost_set_mem 1388 204800
icinga_check_now exch01.corp.example
icinga_check_now exch02.corp.example
if icinga_wait_perfdata exch01.corp.example CRITICAL; then
	ok "exch01: CRITICAL once Async.exe holds 200 MiB ($(pd_field SERVICEPERFDATA | cut -d' ' -f1))"
else
	fail "exch01: no CRITICAL within 60 s"
fi
if icinga_wait_perfdata exch02.corp.example WARNING; then
	ok "exch02: WARNING above the ~:80MB range (passed as --warning=~:80MB)"
else
	fail "exch02: no WARNING within 60 s"
fi

# What the GraphiteWriter sent: every label as parsed numbers, under the
# paths the graphite template's filters name (default name templates).
sleep 2
prefix="icinga2.exch01_corp_example.services.async-leak.async_leak.perfdata"
glabels=$(sed -n "s/^${prefix//./\\.}\.\([a-z_]*\)\.value .*/\1/p" "$I/graphite.txt" 2>/dev/null | sort -u | tr '\n' ' ')
[ "$glabels" = "$want" ] && ok "GraphiteWriter sent every label ($glabels)" ||
	fail "GraphiteWriter labels '$glabels', plugin '$want': $(head -3 "$I/graphite.txt" 2>/dev/null)"
grep -q "^$prefix\.mem\.crit 104857600 " "$I/graphite.txt" && grep -q "^$prefix\.mem\.warn 83886080 " "$I/graphite.txt" &&
	ok "GraphiteWriter sent mem's warn and crit" || fail "no mem.warn/mem.crit in $(grep -c . "$I/graphite.txt") metrics"
missing=""
for f in $(grep -oE '\$service_name_template\$\.perfdata\.[a-z_]+\.[a-z]+' "$ROOT/conf/graphite/check_async_leak.ini" | sort -u); do
	path=$prefix.${f#*.perfdata.}
	label=${f#*.perfdata.}
	label=${label%%.*}
	[[ " $want" == *" $label "* ]] || continue
	grep -q "^${path//./\\.} " "$I/graphite.txt" || missing="$missing $path"
done
[ -z "$missing" ] && ok "every metric of conf/graphite/check_async_leak.ini (for these labels) exists" ||
	fail "graphite template metrics not sent:$missing"

if grep -iE 'perfdata|performance' "$T/icinga.out" | grep -qiE 'warning/|critical/|invalid'; then
	fail "icinga2 complained about perfdata: $(grep -iE 'perfdata|performance' "$T/icinga.out" | grep -iE 'warning/|critical/|invalid' | head -2)"
else
	ok "no perfdata warnings in the icinga2 log"
fi
others=$(grep -E 'warning/|critical/' "$T/icinga.out" | grep -v 'ExternalCommandListener' | head -3)
[ -z "$others" ] && ok "no other warnings in the icinga2 log" || fail "icinga2 log: $others"
if grep -qF -e "$SIM_V3_AUTHPASS" -e "$SIM_V3_PRIVPASS" "$T/icinga.out" "$I"/pd/service.perfdata.*; then
	fail "a v3 passphrase shows in the icinga2 log or perfdata"
else
	ok "v3 passphrases stay out of the log and the perfdata"
fi
finish
