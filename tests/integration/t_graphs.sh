#!/usr/bin/env bash
# The graph templates name exactly the perfdata labels the plugin writes,
# the PNP4Nagios template runs in PHP and its graphs render with rrdtool
# (memory with floor and limit, time left with its horizons, titles naming
# the matched process), and the graphite template passes the graphite
# module's own load checks.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PNP=$ROOT/conf/pnp4nagios/check_async_leak.php
GRAPHITE=$ROOT/conf/graphite/check_async_leak.ini

# The labels, from the code that writes them.
want=$(grep -oE "'[a-z_]+'=" "$ROOT/plugin/output.c" | grep -oE "[a-z_]+" | sort -u | tr '\n' ' ')
[ -n "$want" ] && ok "labels written by plugin/output.c: $want" || fail "no labels found in plugin/output.c"

pnp=$(grep -oE "async_leak_ds\['[a-z_]+'\]" "$PNP" | grep -oE "'[a-z_]+'" | tr -d "'" | sort -u | tr '\n' ' ')
[ "$pnp" = "$want" ] && ok "PNP4Nagios template names exactly the labels" ||
	fail "PNP4Nagios template labels '$pnp', plugin '$want'"
gr=$(grep -oE 'perfdata\.[a-z_]+\.' "$GRAPHITE" | cut -d. -f2 | sort -u | tr '\n' ' ')
[ "$gr" = "$want" ] && ok "graphite template names exactly the labels" ||
	fail "graphite template labels '$gr', plugin '$want'"

if ! command -v php >/dev/null || ! command -v rrdtool >/dev/null; then
	fail "php and rrdtool are needed (tests/deps.sh check installs php-cli and rrdtool)"
	finish
fi

for f in "$ROOT"/conf/pnp4nagios/*.php; do
	if php -l "$f" >"$T/lint" 2>&1; then ok "php -l $(basename "$f")"; else fail "php -l $(basename "$f"): $(cat "$T/lint")"; fi
done

# An RRD file per label, as PNP4Nagios writes them with RRD_STORAGE_TYPE =
# MULTIPLE (DS "1"), filled with a day of a leak at 5-minute steps.
now=$(date +%s)
start=$((now - 86400))
for l in mem floor limit instances baseline growth timeleft timeleft_warning timeleft_critical; do
	rrdtool create "$T/$l.rrd" --start $((start - 300)) --step 300 \
		DS:1:GAUGE:8460:U:U RRA:AVERAGE:0.5:1:600 RRA:MAX:0.5:1:600 RRA:MIN:0.5:1:600
done
declare -A upd
for ((t = start; t <= now; t += 300)); do
	i=$(((t - start) / 300))
	upd[mem]+=" $t:$((41943040 + i * 30000 + (i % 12) * 400000))"
	upd[floor]+=" $t:$((41943040 + i * 30000))"
	upd[limit]+=" $t:268435456"
	upd[timeleft_warning]+=" $t:172800"
	upd[timeleft_critical]+=" $t:43200"
	upd[instances]+=" $t:1"
	upd[baseline]+=" $t:41943040"
	upd[growth]+=" $t:$((360000 + i * 100))"
	upd[timeleft]+=" $t:$((400000 - i * 1000))"
done
for l in "${!upd[@]}"; do
	# shellcheck disable=SC2086
	rrdtool update "$T/$l.rrd" ${upd[$l]}
done
ok "RRD files written"

# PNP4Nagios includes the template inside a method of its Data object, with
# $this->DS (one entry per label, in perfdata order) and $this->MACRO, and
# then runs `rrdtool graph - $opt $def` through the shell.  The harness does
# the same, twice: a check with every label, and one without a baseline or
# a trend (the labels a fresh check writes).
cat >"$T/harness.php" <<'EOF'
<?php
class Data {
	public $DS = array();
	public $MACRO = array('DISP_HOSTNAME' => 'exch01', 'DISP_SERVICEDESC' => 'Async.exe memory');
	function render($template, $labels, $dir) {
		if (getenv('CHECK_COMMAND') !== false)
			$this->MACRO['CHECK_COMMAND'] = getenv('CHECK_COMMAND');
		$perf = array(
			'mem' => array('UNIT' => 'B', 'WARN' => '209715200', 'CRIT' => '419430400', 'MIN' => '0', 'MAX' => '536870912'),
			'growth' => array('UNIT' => '', 'WARN' => '1048576', 'CRIT' => '4194304'),
			'timeleft' => array('UNIT' => 's'),
			'timeleft_warning' => array('UNIT' => 's'),
			'timeleft_critical' => array('UNIT' => 's'),
			'floor' => array('UNIT' => 'B'),
			'limit' => array('UNIT' => 'B'),
			'baseline' => array('UNIT' => 'B'),
			'instances' => array('UNIT' => ''),
		);
		foreach ($labels as $i => $l) {
			$this->DS[] = array_merge(array('NAME' => $l, 'LABEL' => $l, 'DS' => '1',
				'RRDFILE' => "$dir/$l.rrd", 'ACT' => '1'), $perf[$l]);
		}
		$opt = array(); $def = array(); $ds_name = array();
		include($template);
		$n = 0;
		foreach ($def as $i => $d) {
			$png = "$dir/graph-" . count($labels) . "-$i.png";
			$cmd = 'rrdtool graph ' . escapeshellarg($png) . ' --start -86400 ' . $opt[$i] . ' ' . $d . ' 2>&1';
			file_put_contents("$dir/graph-" . count($labels) . "-$i.cmd", $cmd . "\n");
			exec($cmd, $out, $rc);
			if ($rc != 0 || !is_file($png) || filesize($png) < 1000) {
				fwrite(STDERR, "graph $i ($ds_name[$i]) failed: " . implode(' ', $out) . "\n$cmd\n");
				exit(1);
			}
			$n++;
		}
		print "$n " . implode(',', $ds_name) . "\n";
	}
}
$d = new Data();
$d->render($argv[1], array_slice($argv, 3), $argv[2]);
EOF

all_labels=(mem floor limit growth timeleft timeleft_warning timeleft_critical baseline instances)
if out=$(php "$T/harness.php" "$PNP" "$T" "${all_labels[@]}" 2>&1); then
	[ "$out" = "4 Memory,Growth,Time left,Instances" ] && ok "PNP4Nagios: 4 graphs render with every label" ||
		fail "PNP4Nagios with every label: $out"
else
	fail "PNP4Nagios with every label: $out"
fi
n=${#all_labels[@]}
grep -q 'DEF:floor=[^ ]*/floor.rrd:1:AVERAGE .*LINE2:floormib#[0-9a-f]*:"Fitted floor' "$T/graph-$n-1.cmd" &&
	grep -q 'DEF:limit=[^ ]*/limit.rrd:1:AVERAGE .*LINE2:limitmib#[0-9a-f]*:"Limit' "$T/graph-$n-1.cmd" &&
	ok "PNP4Nagios memory graph draws the fitted floor and the limit" ||
	fail "PNP4Nagios memory graph: $(cat "$T/graph-$n-1.cmd")"
grep -q 'DEF:tlw=[^ ]*/timeleft_warning.rrd:1:AVERAGE CDEF:tlwh=tlw,3600,/ LINE1:tlwh#[0-9a-f]*:"Warning below":dashes' "$T/graph-$n-3.cmd" &&
	grep -q 'DEF:tlc=[^ ]*/timeleft_critical.rrd:1:AVERAGE CDEF:tlch=tlc,3600,/ LINE1:tlch#[0-9a-f]*:"Critical below":dashes' "$T/graph-$n-3.cmd" &&
	ok "PNP4Nagios time-left graph draws the warning and critical horizons" ||
	fail "PNP4Nagios time-left graph: $(cat "$T/graph-$n-3.cmd")"
# Titles name the matched process: --process / -n / --regex of the command,
# Async.exe for the plain commands, the service description with an INI.
title() {	# CHECK_COMMAND -> the memory graph's title
	CHECK_COMMAND=$1 php "$T/harness.php" "$PNP" "$T" mem instances >/dev/null 2>&1 &&
		sed -n 's/.*--title "\([^"]*\)".*/\1/p' "$T/graph-2-1.cmd"
}
for c in 'check_async_leak!200MB!400MB!--process=MSExchangeMTA.exe|exch01 / MSExchangeMTA.exe - memory, fitted floor and limit' \
	"check_async_leak!200MB!400MB!-n 'store.exe'|exch01 / store.exe - memory, fitted floor and limit" \
	'check_async_leak_v3!200MB!400MB!--regex=^emsmta|exch01 / /^emsmta/ - memory, fitted floor and limit' \
	'check_async_leak!200MB!400MB!|exch01 / Async.exe - memory, fitted floor and limit' \
	'check_async_leak_ini!|exch01 / Async.exe memory - memory, fitted floor and limit'; do
	got=$(title "${c%%|*}")
	[ "$got" = "${c#*|}" ] && ok "PNP4Nagios title for ${c%%|*}: $got" || fail "PNP4Nagios title for ${c%%|*}: '$got', want '${c#*|}'"
done
grep -q 'LINE1:mib#[0-9a-f]*:"MSExchangeMTA.exe memory"' < <(CHECK_COMMAND='check_async_leak!1!2!--process=MSExchangeMTA.exe' \
	php "$T/harness.php" "$PNP" "$T" mem instances >/dev/null 2>&1; cat "$T/graph-2-1.cmd") &&
	ok "PNP4Nagios memory legend names the process" || fail "PNP4Nagios memory legend: $(cat "$T/graph-2-1.cmd")"
if out=$(php "$T/harness.php" "$PNP" "$T" mem instances 2>&1); then
	[ "$out" = "2 Memory,Instances" ] && ok "PNP4Nagios: a fresh check's labels give 2 graphs" ||
		fail "PNP4Nagios with mem and instances: $out"
else
	fail "PNP4Nagios with mem and instances: $out"
fi
# The thresholds are drawn: warning and critical rules in the memory graph.
php -r '
class D { public $DS; public $MACRO = array("DISP_HOSTNAME" => "h", "DISP_SERVICEDESC" => "s");
  function go($t) { $this->DS = array(array("NAME" => "mem", "DS" => "1", "RRDFILE" => "x",
    "WARN" => "209715200", "CRIT" => "419430400")); include($t); print $def[1]; } }
(new D())->go($argv[1]);' "$PNP" >"$T/memdef"
grep -q '=200,mib,POP LINE1:thr[0-9]#[0-9a-f]*:"Warning' "$T/memdef" && grep -q '=400,mib,POP LINE1:thr[0-9]#[0-9a-f]*:"Critical' "$T/memdef" &&
	ok "PNP4Nagios memory graph draws the warning and critical lines" ||
	fail "PNP4Nagios memory graph lacks threshold lines: $(cat "$T/memdef")"
for w in "$ROOT"/conf/pnp4nagios/*.php; do
	[ "$w" = "$PNP" ] && continue
	if out=$(php "$T/harness.php" "$w" "$T" mem instances 2>&1) && [ "${out%% *}" = 2 ]; then
		ok "PNP4Nagios $(basename "$w") draws the same graphs"
	else
		fail "PNP4Nagios $(basename "$w"): $out"
	fi
done

# The graphite module's load-time checks (Templates::loadIni): section names
# TEMPLATE.(graph|metrics_filters|urlparams|functions), graph holds only
# check_command, each filter uses exactly one of $host_name_template$ and
# $service_name_template$, each function exactly the macro $metric$ and
# belongs to a curve.
cat >"$T/graphite.php" <<'EOF'
<?php
$ini = parse_ini_file($argv[1], true, INI_SCANNER_RAW);
if ($ini === false) { print "not an INI file\n"; exit(1); }
$t = array();
foreach ($ini as $section => $opts) {
	if (!preg_match('/\A(.+)\.(graph|metrics_filters|urlparams|functions)\z/', $section, $m)) {
		print "bad section $section\n"; exit(1);
	}
	$t[$m[1]][$m[2]] = $opts;
}
$macros = function ($s) { preg_match_all('/\$([^$]*)\$/', $s, $m); return $m[1]; };
foreach ($t as $name => $tpl) {
	if (!isset($tpl['graph']['check_command']) || count($tpl['graph']) != 1) { print "$name: graph\n"; exit(1); }
	if ($tpl['graph']['check_command'] !== 'async_leak') { print "$name: check_command\n"; exit(1); }
	if (empty($tpl['metrics_filters'])) { print "$name: no metrics_filters\n"; exit(1); }
	foreach ($tpl['metrics_filters'] as $curve => $f) {
		if (count(array_intersect($macros($f), array('host_name_template', 'service_name_template'))) !== 1) {
			print "$name.$curve: filter macros\n"; exit(1);
		}
	}
	foreach (isset($tpl['functions']) ? $tpl['functions'] : array() as $curve => $f) {
		if (!isset($tpl['metrics_filters'][$curve])) { print "$name.$curve: function without curve\n"; exit(1); }
		if ($macros($f) !== array('metric')) { print "$name.$curve: function macros\n"; exit(1); }
		if (substr_count($f, '(') !== substr_count($f, ')')) { print "$name.$curve: parentheses\n"; exit(1); }
	}
}
print count($t) . "\n";
EOF
if out=$(php "$T/graphite.php" "$GRAPHITE" 2>&1) && [ "$out" = 4 ]; then
	ok "graphite template: 4 graphs pass the module's checks"
else
	fail "graphite template: $out"
fi
finish
