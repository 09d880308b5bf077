#!/usr/bin/env bash
# The graphs see what the plugin writes: the plugin's real output for a
# leaking process (seeded history + the simulated host) gives every
# perfdata label; a real Icinga 2 parses it with its InfluxdbWriter and
# GraphiteWriter (stand-ins for InfluxDB and carbon on 127.0.0.1 record
# what they send) without a single "Ignoring ... perfdata" line even in its
# debug log; and the Grafana dashboards of conf/grafana/ query only labels
# the plugin writes, under the measurement, tags and paths the writers use.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/sim/history.sh"

icinga_setup
command -v jq >/dev/null || { fail "jq not installed (tests/deps.sh check installs it)"; finish; }
if command -v python3 >/dev/null; then
	"$ROOT/tools/grafana-dashboards.py" --check "$ROOT/conf/grafana" >"$T/dash.check" 2>&1 &&
		ok "conf/grafana/*.json are what tools/grafana-dashboards.py writes" ||
		fail "$(head -1 "$T/dash.check") (make dashboards)"
else
	ok "# SKIP no python3: conf/grafana/*.json not compared with tools/grafana-dashboards.py"
fi
simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" >/dev/null ||
	{ fail "simulated host did not start"; finish; }

# 1. The plugin's own output: a steady 2 MiB/h leak for 20 h.
S=$T/exch01.state
simhost_set_mem 1388 "$(history_seed "$S" 20 2048 steady)"
cp "$S" "$T/icinga.state"
run_plugin -H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" --state-file "$S" -w 200MB -c 300MB \
	--baseline 40MB --growth-warning=1MB/h --growth-critical=8MB/h --limit 256MB
perf=$(printf '%s\n' "$OUT" | sed -n '1s/^[^|]*| //p')
labels=$(printf '%s\n' "$perf" | tr ' ' '\n' | sed -n "s/^'\([a-z_]*\)'=.*/\1/p" | sort | tr '\n' ' ')
[ "$labels" = "baseline floor growth instances limit mem timeleft timeleft_critical timeleft_warning " ] &&
	ok "the plugin writes every label for a leak: $labels" || fail "plugin labels '$labels' ($(_first_line))"
if printf '%s\n' "$perf" | tr ' ' '\n' | cut -d= -f2- | cut -s -d';' -f2,3 | tr ';' '\n' |
	grep -v '^$' | grep -qv '^[-+0-9.eE]*$'; then
	fail "a warn/crit field that Icinga 2 cannot store (not a plain number): $perf"
else
	ok "every warn/crit field is a plain number (Icinga 2 stores only those here): $perf"
fi

# 2. The dashboards name only those labels, and draw every one of them.
for f in "$ROOT"/conf/grafana/*.json; do
	name=$(basename "$f")
	jq -e . "$f" >/dev/null 2>&1 && ok "$name is JSON" || { fail "$name is not JSON"; continue; }
	case $name in
	*influxdb*)
		used=$(jq -r '.panels[].targets[].query' "$f" | grep -oE "\"metric\" = '[a-z_]+'" |
			grep -oE "'[a-z_]+'" | tr -d "'" | sort -u | tr '\n' ' ')
		n=$(jq '[.panels[].targets[]] | length' "$f")
		m=$(jq -r '.panels[].targets[].query' "$f" | grep -cE '^SELECT mean\("(value|warn|crit)"\) FROM "async_leak" WHERE "hostname" =~ /\^\$hostname\$/ AND "service" =~ /\^\$service\$/ AND "metric" = ')
		[ "$n" = "$m" ] && ok "$name: all $n queries read async_leak by hostname, service and metric" ||
			fail "$name: $m of $n queries in the expected form" ;;
	*graphite*)
		used=$(jq -r '.panels[].targets[].target' "$f" | grep -oE '\.perfdata\.[a-z_]+\.' |
			cut -d. -f3 | sort -u | tr '\n' ' ')
		n=$(jq '[.panels[].targets[]] | length' "$f")
		m=$(jq -r '.panels[].targets[].target' "$f" | grep -cE '^alias\(icinga2\.\$hostname\.services\.\$service\.async_leak\.perfdata\.[a-z_]+\.(value|warn|crit), ')
		[ "$n" = "$m" ] && ok "$name: all $n targets under icinga2.\$hostname.services.\$service.async_leak" ||
			fail "$name: $m of $n targets in the expected form" ;;
	*) fail "$name: neither influxdb nor graphite"; continue ;;
	esac
	extra=""
	for l in $used; do [[ " $labels" == *" $l "* ]] || extra="$extra $l"; done
	[ -z "$extra" ] && ok "$name queries only labels the plugin writes ($used)" ||
		fail "$name queries labels the plugin never writes:$extra"
	[ "$used" = "$labels" ] && ok "$name draws every label" || fail "$name draws '$used', plugin writes '$labels'"
	grep -q 'Async\.exe' <<<"$(jq -r '.panels[].title' "$f")" &&
		fail "$name: a panel title names Async.exe instead of \$process" ||
		ok "$name: panel titles name \$process on \$hostname"
done

# 3. A real Icinga 2 with both writers, each talking to a stand-in.
# InfluxDB's /write: HTTP/1.1 requests (keep-alive or not), bodies
# appended to influx.txt, "204 No Content" back.  Carbon: lines appended.
perl -MIO::Socket::INET -e '
	$| = 1;
	my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 5, ReuseAddr => 1) or die "listen: $!";
	open(my $p, ">", "$ARGV[0].port") or die; print $p $s->sockport, "\n"; close $p;
	$SIG{CHLD} = "IGNORE";
	while (my $c = $s->accept) {
		# A child per connection: icinga2 may open a new one while an
		# older one is still open, and each must be read at once.
		my $pid = fork;
		if (!defined $pid || $pid) { close $c; next; }
		close $s;
		open(my $o, ">>", $ARGV[0]) or die; select($o); $| = 1;
		while (1) {
			my ($len, $line) = (0, "");
			while (defined($line = <$c>)) {
				last if $line =~ /^\r?\n$/;
				$len = $1 if $line =~ /^content-length:\s*(\d+)/i;
			}
			last unless defined $line;
			my $body = "";
			read($c, $body, $len) if $len;
			print $o $body, ($body =~ /\n\z/ ? "" : "\n");
			print $c "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
		}
		exit 0;
	}
' "$I/influx.txt" 2>"$T/influx.err" &
track_pid $!
start_carbon "$I/graphite.txt"
for ((i = 0; i < 50; i++)); do
	[ -s "$I/influx.txt.port" ] && break
	sleep 0.1
done
INFLUX_PORT=$(cat "$I/influx.txt.port" 2>/dev/null)
[ -n "$INFLUX_PORT" ] && [ -n "$CARBON_PORT" ] && ok "InfluxDB and carbon stand-ins on 127.0.0.1:$INFLUX_PORT, :$CARBON_PORT" ||
	{ fail "stand-ins did not start: $(cat "$T/influx.err" "$T/carbon.err")"; finish; }

{ icinga_conf_head; cat <<EOC; } >"$I/icinga2.conf"
object FileLogger "debug-file" {
	path = "$I/log/debug.log"
	severity = "debug"
}
object InfluxdbWriter "influxdb" {
	host = "127.0.0.1"
	port = $INFLUX_PORT
	database = "icinga2"
	flush_threshold = 1
	flush_interval = 1s
	enable_send_thresholds = true
}
object GraphiteWriter "graphite" {
	host = "127.0.0.1"
	port = $CARBON_PORT
	enable_send_thresholds = true
}
include "$ROOT/conf/icinga2/check_async_leak.conf"
object CheckCommand "control" {
	command = [ "/bin/echo", "OK | 'timeleft'=1s;172800:;43200:" ]
}
object Service "control" {
	host_name = "exch01.corp.example"
	check_command = "control"
	check_interval = 3s
}
object Host "exch01.corp.example" {
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.0.1"
	vars.snmp_community = "$SIM_COMMUNITY"
}
object Service "async-leak" {
	host_name = "exch01.corp.example"
	check_command = "async_leak"
	check_interval = 3s
	retry_interval = 3s
	vars.async_leak_port = $SIM_PORT
	vars.async_leak_warning = "200MB"
	vars.async_leak_critical = "300MB"
	vars.async_leak_baseline = "40MB"
	vars.async_leak_growth_warning = "1MB/h"
	vars.async_leak_growth_critical = "8MB/h"
	vars.async_leak_limit = "256MB"
	vars.async_leak_state_file = "$T/icinga.state"
}
EOC
icinga_start

# Until both writers have sent every label (a check is every 3 s; the
# GraphiteWriter drops what comes before it is connected) and the control
# service has run, at most 120 s (icinga2 on a loaded machine is slow).
iprefix='async_leak,hostname=exch01.corp.example,service=async-leak,metric='
gprefix=icinga2.exch01_corp_example.services.async-leak.async_leak.perfdata
for ((i = 0; i < 240; i++)); do
	ilabels=$(grep -oE "^${iprefix}[a-z_]+ " "$I/influx.txt" 2>/dev/null |
		sed "s/^$iprefix//; s/ .*//" | sort -u | tr '\n' ' ')
	glabels=$(sed -n "s/^${gprefix//./\\.}\.\([a-z_]*\)\.value .*/\1/p" "$I/graphite.txt" 2>/dev/null |
		sort -u | tr '\n' ' ')
	[ "$ilabels" = "$labels" ] && [ "$glabels" = "$labels" ] &&
		grep -q 'Ignoring unsupported perfdata' "$I/log/debug.log" 2>/dev/null && break
	kill -0 "$ICINGA_PID" 2>/dev/null || break
	sleep 0.5
done
[ "$ilabels" = "$labels" ] && ok "InfluxdbWriter sent every label as measurement async_leak, tags hostname, service, metric" ||
	fail "InfluxdbWriter labels '$ilabels', plugin '$labels': $(head -c 300 "$I/influx.txt" 2>/dev/null) $(tail -2 "$T/icinga.out")"
[ "$glabels" = "$labels" ] && ok "GraphiteWriter sent every label" ||
	fail "GraphiteWriter labels '$glabels', plugin '$labels'"

# The fields the dashboards read exist in what the writers sent.
missing=""
while read -r field label; do
	grep -qE "^${iprefix}${label} ([a-z]+=[^ ]+,)*${field}=[-0-9.e+]+" "$I/influx.txt" ||
		missing="$missing influx:$label.$field"
	grep -q "^$gprefix\.$label\.$field " "$I/graphite.txt" || missing="$missing graphite:$label.$field"
done < <(jq -r '.panels[].targets[].query' "$ROOT/conf/grafana/check_async_leak-influxdb.json" |
	sed -n "s/^SELECT mean(\"\([a-z]*\)\").*\"metric\" = '\([a-z_]*\)'.*/\1 \2/p")
[ -z "$missing" ] && ok "every curve of the dashboards has data from the writers (value, warn, crit)" ||
	fail "dashboard curves without data:$missing"
grep -qE "^${iprefix}timeleft_warning .*value=172800( |,)" "$I/influx.txt" &&
	ok "the 48 h warning horizon reaches InfluxDB as a value" || fail "no timeleft_warning=172800 in InfluxDB"

# Nothing dropped or complained about, even at debug level (the control
# service's range thresholds show that such lines are logged).
grep -q "Ignoring unsupported perfdata warning range, value: '172800:'" "$I/log/debug.log" &&
	ok "control: icinga2 logs 'Ignoring unsupported perfdata' for a range threshold (172800:)" ||
	fail "control: no 'Ignoring unsupported perfdata' line for the range threshold"
bad=$(grep -E 'Ignoring (unsupported|invalid) perfdata|Invalid perfdata' "$I/log/debug.log" \
	"$T/icinga.out" 2>/dev/null | grep -v "'172800:'\|'43200:'" | head -3)
[ -s "$I/log/debug.log" ] && [ -z "$bad" ] &&
	ok "no perfdata lines dropped or ignored in icinga2's debug log ($(grep -c . "$I/log/debug.log") lines)" ||
	fail "icinga2 about the perfdata: ${bad:-no debug log}"
others=$(grep -E '/(warning|critical)/' "$I/log/debug.log" 2>/dev/null | grep -v 'ExternalCommandListener' | head -3)
[ -z "$others" ] && ok "no warnings in the icinga2 log" || fail "icinga2 log: $others"
finish
