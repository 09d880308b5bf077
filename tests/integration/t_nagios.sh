#!/usr/bin/env bash
# A real Nagios 4 in $T runs the plugin from the shipped command definitions
# and service template (conf/nagios/check_async_leak.cfg) as scheduled checks
# against the simulated Exchange 5.5 host: OK with perfdata in status.dat,
# CRITICAL (hard, after the template's retries) once Async.exe's memory
# passes the threshold, and a performance-data file of well-formed perfdata.
# With interval_length=1 the template's minutes are seconds.
. "$(dirname "$0")/lib.sh"

NAGIOS=$(command -v nagios4 || command -v nagios) || { fail "nagios4 not installed (nagios4-core)"; finish; }

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" >/dev/null ||
	{ fail "simulated host did not start"; finish; }

N=$T/nagios
mkdir -p "$N/checkresults" "$N/archives" "$N/state"
user=$(id -un)
group=$(id -gn)

# Secrets as an admin keeps them: in resource.cfg, never in object files.
cat >"$N/resource.cfg" <<EOF
\$USER1\$=$(dirname "$PLUGIN")
\$USER3\$=$SIM_COMMUNITY
\$USER4\$=$SIM_V3_USER
\$USER5\$=$SIM_V3_AUTHPASS
\$USER6\$=$SIM_V3_PRIVPASS
EOF

cat >"$N/nagios.cfg" <<EOF
log_file=$N/nagios.log
log_archive_path=$N/archives
log_rotation_method=n
use_syslog=0
cfg_file=$ROOT/conf/nagios/check_async_leak.cfg
cfg_file=$N/objects.cfg
resource_file=$N/resource.cfg
object_cache_file=$N/objects.cache
precached_object_file=$N/objects.precache
status_file=$N/status.dat
status_update_interval=1
lock_file=$N/nagios.lock
temp_file=$N/nagios.tmp
temp_path=$N
check_result_path=$N/checkresults
check_result_reaper_frequency=1
command_file=$N/nagios.cmd
check_external_commands=1
query_socket=$N/nagios.qh
state_retention_file=$N/retention.dat
retain_state_information=0
use_retained_program_state=0
use_retained_scheduling_info=0
nagios_user=$user
nagios_group=$group
interval_length=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
max_service_check_spread=1
enable_notifications=0
enable_flap_detection=0
check_for_updates=0
bare_update_check=0
process_performance_data=1
service_perfdata_file=$N/service-perfdata
service_perfdata_file_mode=a
service_perfdata_file_template=\$SERVICEDESC\$\t\$SERVICESTATE\$\t\$SERVICEOUTPUT\$\t\$SERVICEPERFDATA\$
service_perfdata_file_processing_interval=1
service_check_timeout=30
illegal_macro_output_chars=\`~\$&|'"<>
EOF

# A host for the agent, its checks from the shipped template and commands:
# v2c with plain thresholds, v3 with a '~' range (the quoting path).  The
# state directory is per test; the port goes in the "more options" $ARG3$.
cat >"$N/objects.cfg" <<EOF
define timeperiod {
	timeperiod_name	24x7
	alias		always
	sunday		00:00-24:00
	monday		00:00-24:00
	tuesday		00:00-24:00
	wednesday	00:00-24:00
	thursday	00:00-24:00
	friday		00:00-24:00
	saturday	00:00-24:00
}
define contact {
	contact_name			nagadmin
	service_notification_period	24x7
	host_notification_period	24x7
	service_notification_options	n
	host_notification_options	n
	service_notification_commands	notify-none
	host_notification_commands	notify-none
}
define contactgroup {
	contactgroup_name	admins
	alias			admins
	members			nagadmin
}
define command {
	command_name	notify-none
	command_line	/bin/true
}
define host {
	host_name		exch01
	alias			simulated Exchange 5.5 server
	address			127.0.0.1
	max_check_attempts	1
	check_period		24x7
	active_checks_enabled	0
	contact_groups		admins
	notification_period	24x7
}
define service {
	use			async-leak-service
	host_name		exch01
	service_description	Async v2c
	check_command		check_async_leak!80MB!100MB!-p $SIM_PORT --state-dir=$N/state --baseline=40MB
	contact_groups		admins
}
define service {
	use			async-leak-service
	host_name		exch01
	service_description	Async v3
	check_command		check_async_leak_v3!~:80MB!300MB!-p $SIM_PORT --state-dir=$N/state
	contact_groups		admins
}
EOF

if "$NAGIOS" -v "$N/nagios.cfg" >"$T/verify" 2>&1; then
	ok "nagios4 -v accepts the shipped commands and template"
else
	fail "nagios4 -v: $(grep -iE 'error' "$T/verify" | head -5)"
	finish
fi

# The example service file and the INI variant, validated (not run: the
# INI command reads /etc/nagios-plugins/config, outside the test).
sed -e "s|^cfg_file=$N/objects.cfg|cfg_file=$N/example.cfg|" "$N/nagios.cfg" >"$N/example-nagios.cfg"
echo "cfg_file=$ROOT/conf/nagios/services-exchange55.cfg" >>"$N/example-nagios.cfg"
{
	sed -n '/^define timeperiod/,$p' "$N/objects.cfg" | sed '/^define service/,$d'
	cat <<EOF
define hostgroup {
	hostgroup_name	exchange55
	alias		Exchange 5.5 servers
	members		exch01
}
define service {
	use			async-leak-service
	host_name		exch01
	service_description	Async from INI
	check_command		check_async_leak_ini!-t 5
	contact_groups		admins
}
EOF
} >"$N/example.cfg"
if "$NAGIOS" -v "$N/example-nagios.cfg" >"$T/verify2" 2>&1; then
	ok "nagios4 -v accepts services-exchange55.cfg and the INI command"
else
	fail "nagios4 -v example: $(grep -iE 'error' "$T/verify2" | head -5)"
fi

"$NAGIOS" "$N/nagios.cfg" >"$T/nagios.out" 2>&1 &
NAGIOS_PID=$!
track_pid "$NAGIOS_PID"

# One service's block of status.dat as KEY=VALUE lines.
svc_status() {	# description
	awk -v d="$1" '
		/^servicestatus \{/ { inblk = 1; buf = ""; next }
		inblk && /^\t\}/ { if (desc == d) { printf "%s", buf; exit } inblk = 0; desc = ""; next }
		inblk { line = $0; sub(/^\t/, "", line); buf = buf line "\n";
			if (line ~ /^service_description=/) desc = substr(line, 21) }
	' "$N/status.dat" 2>/dev/null
}
field() { printf '%s\n' "$1" | sed -n "s/^$2=//p" | head -n 1; }

# Waits (at most $3 s) until the service has had a check and its
# current_state is $2 (and, with $4 = 1, a hard state).  Sets ST.
wait_state() {	# description state seconds [hard]
	local i
	for ((i = 0; i < $3 * 2; i++)); do
		ST=$(svc_status "$1")
		if [ "$(field "$ST" has_been_checked)" = 1 ] && [ "$(field "$ST" current_state)" = "$2" ] &&
			{ [ "${4:-0}" = 0 ] || [ "$(field "$ST" state_type)" = 1 ]; }; then
			return 0
		fi
		kill -0 "$NAGIOS_PID" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

for svc in "Async v2c" "Async v3"; do
	if wait_state "$svc" 0 60; then
		ok "$svc: status.dat shows OK from the scheduled check"
		out=$(field "$ST" plugin_output)
		perf=$(field "$ST" performance_data)
		[[ $out == "ASYNC_LEAK OK - Async.exe 48.1 MiB (1 instance)"* ]] && ok "$svc: plugin_output '$out'" ||
			fail "$svc: plugin_output '$out'"
		[[ $perf == "'mem'=50438144B;"* && $perf == *"'instances'=1"* ]] && ok "$svc: performance_data '$perf'" ||
			fail "$svc: performance_data '$perf'"
		[ -n "$(field "$ST" long_plugin_output)" ] && ok "$svc: long output kept" || fail "$svc: no long_plugin_output"
	else
		fail "$svc: no OK in status.dat within 60 s: $(field "$ST" plugin_output) $(tail -3 "$N/nagios.log")"
	fi
done
[[ $(field "$(svc_status "Async v2c")" performance_data) == *"'baseline'=41943040B"* ]] &&
	ok "Async v2c: \$ARG3\$ options reach the plugin (baseline in perfdata)" || fail "Async v2c: no baseline perfdata"
grep -q "$SIM_V3_AUTHPASS\|$SIM_V3_PRIVPASS" "$N/status.dat" "$N/nagios.log" "$N/objects.cache" &&
	fail "a v3 passphrase shows in status.dat, the log or the object cache" ||
	ok "resource.cfg secrets stay out of status.dat, the log and the object cache"

# The leak: Async.exe at 200 MiB, above the critical 100MB (and the v3
# check's 300MB is not reached, but its ~:80MB warning is).
simhost_set_mem 1388 204800
t0=$(date +%s)
if wait_state "Async v2c" 2 60 1; then
	ok "Async v2c: status.dat shows a hard CRITICAL after $(($(date +%s) - t0)) s (3 attempts, 1 retry interval apart)"
	out=$(field "$ST" plugin_output)
	[[ $out == "ASYNC_LEAK CRITICAL - Async.exe 200.0 MiB"* ]] && ok "Async v2c: '$out'" || fail "Async v2c: '$out'"
	[[ $(field "$ST" performance_data) == "'mem'=209715200B;83886080;104857600;0;"* ]] &&
		ok "Async v2c: perfdata follows" || fail "Async v2c: perfdata $(field "$ST" performance_data)"
else
	fail "Async v2c: no hard CRITICAL within 60 s: $(field "$ST" current_state) $(field "$ST" plugin_output)"
fi
if wait_state "Async v3" 1 60; then
	ok "Async v3: WARNING above the ~:80MB range (a '~' threshold survives the command line)"
else
	fail "Async v3: no WARNING within 60 s: $(field "$ST" current_state) $(field "$ST" plugin_output)"
fi

# The performance-data file: every line's perfdata is well formed.
sleep 2
lines=$(wc -l <"$N/service-perfdata" 2>/dev/null || echo 0)
bad=$(awk -F'\t' '
	{
		n = split($4, tok, " ")
		if (n == 0) { print "empty: " $0; next }
		for (i = 1; i <= n; i++) {
			t = tok[i]
			if (t !~ /^\047?[a-z]+\047?=/) { print "label: " t; continue }
			sub(/^\047?[a-z]+\047?=/, "", t)
			m = split(t, f, ";")
			if (m > 5 || f[1] !~ /^-?[0-9]+(\.[0-9]+)?(B|s|%)?$/) { print "value: " tok[i]; continue }
			for (j = 2; j <= m; j++)
				if (f[j] != "" && f[j] !~ /^@?(~|-?[0-9]+(\.[0-9]+)?)?(:(-?[0-9]+(\.[0-9]+)?)?)?$/)
					print "threshold: " tok[i]
		}
	}' "$N/service-perfdata" 2>/dev/null)
if [ "$lines" -ge 4 ] && [ -z "$bad" ]; then
	ok "service-perfdata: $lines lines of well-formed perfdata"
else
	fail "service-perfdata ($lines lines): $(printf '%s\n' "$bad" | head -3)"
fi
grep -q "^Async v2c	CRITICAL	ASYNC_LEAK CRITICAL" "$N/service-perfdata" &&
	ok "service-perfdata records the CRITICAL check" || fail "service-perfdata lacks the CRITICAL line"
grep -qiE "error|warning" "$T/nagios.out" && fail "nagios4 said: $(grep -iE 'error|warning' "$T/nagios.out" | head -2)" ||
	ok "nagios4 ran without errors"
finish
