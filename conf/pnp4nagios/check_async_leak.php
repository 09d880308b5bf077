<?php
/*
 * check_async_leak - PNP4Nagios template (templates/check_async_leak.php).
 *
 * Four graphs from the plugin's perfdata labels:
 *   1. 'mem' with the fitted 'floor' (the trend line), the 'limit' the
 *      forecast counts down to, the 'baseline', and the warning and
 *      critical thresholds;
 *   2. 'growth', the leak's slope in bytes per hour, with its thresholds;
 *   3. 'timeleft', the forecast time until the limit, in hours, with the
 *      'timeleft_warning' and 'timeleft_critical' horizons;
 *   4. 'instances', how many processes matched.
 *
 * Every label but 'mem' and 'instances' appears only once the plugin knows
 * it (a baseline set or learned, a trend, a rising trend), so the DS are
 * looked up by name, never by position.  Use RRD_STORAGE_TYPE = MULTIPLE
 * (check_commands/check_async_leak.cfg next to this file): with SINGLE, a
 * label that appears later cannot be added to the existing RRD file.
 *
 * The titles name the process: the --process (-n) or --regex (-r) of the
 * check command's arguments (CHECK_COMMAND, "check_async_leak!...!ARGS"),
 * else Async.exe, the plugin's default, for the commands that take no INI
 * file; with an INI file (whose process PNP cannot see) the service
 * description stands in.
 *
 * Thresholds may be ranges (~:200MB is sent as ~:209715200); every numeric
 * end of a range is drawn as a line.
 */

$async_leak_ds = array();
foreach ($this->DS as $async_leak_v) {
	$async_leak_ds[$async_leak_v['NAME']] = $async_leak_v;
}

/* Closures, not functions: PNP includes a template once per service
 * graphed on a page, and a named function would be declared twice. */
$async_leak_rules = function ($v, $scale, $unit, $vname) {
	$out = '';
	$n = 0;
	foreach (array('WARN' => array('#e5a50a', 'Warning'),
		       'CRIT' => array('#c01c28', 'Critical')) as $key => $style) {
		$seen = array();
		foreach (array($key, $key . '_MIN', $key . '_MAX') as $k) {
			if (!isset($v[$k]) || !is_numeric($v[$k]) || isset($seen[(string)$v[$k]]))
				continue;
			$seen[(string)$v[$k]] = true;
			/* A line, not an HRULE: the y axis then stretches to
			 * show the threshold the memory is heading for. */
			$n++;
			$out .= sprintf('CDEF:thr%d=%.10g,%s,POP LINE1:thr%d%s:"%s %.1f %s\l":dashes ',
					$n, $v[$k] / $scale, $vname, $n, $style[0], $style[1],
					$v[$k] / $scale, $unit);
		}
	}
	return $out;
};

$async_leak_def = function ($vname, $v) {
	return 'DEF:' . $vname . '=' . $v['RRDFILE'] . ':' . $v['DS'] . ':AVERAGE ';
};

/* The process the check matches, for titles and legends (see above). */
$async_leak_process = function ($macro) {
	$cmd = isset($macro['CHECK_COMMAND']) ? $macro['CHECK_COMMAND'] : '';
	$args = strpos($cmd, '!') === false ? '' : substr($cmd, strpos($cmd, '!'));
	if (preg_match('/(?:--process[= ]|-n ?)\'?([^\'! ]+)/', $args, $m))
		return $m[1];
	if (preg_match('/(?:--regex[= ]|-r ?)\'?([^\'! ]+)/', $args, $m))
		return '/' . $m[1] . '/';
	$name = strtok($cmd, '!');
	if (preg_match('/\A(check_)?async_leak(_v3)?\z/', (string)$name) &&
	    !preg_match('/(--config|-f |--extra-opts)/', $args))
		return 'Async.exe';
	return isset($macro['DISP_SERVICEDESC']) ? $macro['DISP_SERVICEDESC'] : 'process';
};

/* rrdtool quotes titles and legends with '"' (keep them out) and ends a
 * legend at an unescaped ':'. */
$async_leak_proc = str_replace(array('"', '\\'), array("'", '/'), $async_leak_process($this->MACRO));
$async_leak_legend = str_replace(':', '\:', $async_leak_proc);
$async_leak_title = str_replace('"', "'", $this->MACRO['DISP_HOSTNAME']) . ' / ' . $async_leak_proc;
$async_leak_n = 0;

if (isset($async_leak_ds['mem'])) {
	$v = $async_leak_ds['mem'];
	$async_leak_n++;
	$ds_name[$async_leak_n] = 'Memory';
	$opt[$async_leak_n] = '--vertical-label "MiB" --lower-limit 0 --base 1024 ' .
		'--title "' . $async_leak_title . ' - memory, fitted floor and limit"';
	$def[$async_leak_n] = $async_leak_def('mem', $v) .
		'CDEF:mib=mem,1048576,/ ' .
		'AREA:mib#99c1f1 LINE1:mib#1c71d8:"' . $async_leak_legend . ' memory" ' .
		'GPRINT:mib:LAST:"last %6.1lf MiB" ' .
		'GPRINT:mib:MAX:"max %6.1lf MiB\l" ';
	if (isset($async_leak_ds['floor'])) {
		$def[$async_leak_n] .= $async_leak_def('floor', $async_leak_ds['floor']) .
			'CDEF:floormib=floor,1048576,/ ' .
			'LINE2:floormib#613583:"Fitted floor (trend)" ' .
			'GPRINT:floormib:LAST:"%6.1lf MiB\l" ';
	}
	if (isset($async_leak_ds['limit'])) {
		$def[$async_leak_n] .= $async_leak_def('limit', $async_leak_ds['limit']) .
			'CDEF:limitmib=limit,1048576,/ ' .
			'LINE2:limitmib#a51d2d:"Limit (forecast target)" ' .
			'GPRINT:limitmib:LAST:"%6.1lf MiB\l" ';
	}
	if (isset($async_leak_ds['baseline'])) {
		$def[$async_leak_n] .= $async_leak_def('base', $async_leak_ds['baseline']) .
			'CDEF:basemib=base,1048576,/ ' .
			'LINE2:basemib#26a269:"Baseline" ' .
			'GPRINT:basemib:LAST:"%6.1lf MiB\l" ';
	}
	$def[$async_leak_n] .= $async_leak_rules($v, 1048576, 'MiB', 'mib');
}

if (isset($async_leak_ds['growth'])) {
	$v = $async_leak_ds['growth'];
	$async_leak_n++;
	$ds_name[$async_leak_n] = 'Growth';
	$opt[$async_leak_n] = '--vertical-label "MiB per hour" --base 1024 ' .
		'--title "' . $async_leak_title . ' - leak growth"';
	$def[$async_leak_n] = $async_leak_def('growth', $v) .
		'CDEF:mibh=growth,1048576,/ ' .
		'LINE2:mibh#9141ac:"Growth" ' .
		'GPRINT:mibh:LAST:"last %6.2lf MiB/h" ' .
		'GPRINT:mibh:MAX:"max %6.2lf MiB/h\l" ' .
		'HRULE:0#77767b ' .
		$async_leak_rules($v, 1048576, 'MiB/h', 'mibh');
}

if (isset($async_leak_ds['timeleft'])) {
	$v = $async_leak_ds['timeleft'];
	$async_leak_n++;
	$ds_name[$async_leak_n] = 'Time left';
	$opt[$async_leak_n] = '--vertical-label "hours" --lower-limit 0 ' .
		'--title "' . $async_leak_title . ' - time until the limit"';
	$def[$async_leak_n] = $async_leak_def('timeleft', $v) .
		'CDEF:hours=timeleft,3600,/ ' .
		'AREA:hours#f8e45c LINE1:hours#c64600:"Time left" ' .
		'GPRINT:hours:LAST:"last %6.1lf h" ' .
		'GPRINT:hours:MIN:"min %6.1lf h\l" ';
	/* The horizons are values of their own (README: perfdata). */
	$async_leak_horizon = function ($vn, $ds, $colour, $text) use ($async_leak_def) {
		return $async_leak_def($vn, $ds) . 'CDEF:' . $vn . 'h=' . $vn . ',3600,/ ' .
			'LINE1:' . $vn . 'h' . $colour . ':"' . $text . '":dashes ' .
			'GPRINT:' . $vn . 'h:LAST:"%6.1lf h\l" ';
	};
	if (isset($async_leak_ds['timeleft_warning']))
		$def[$async_leak_n] .= $async_leak_horizon('tlw', $async_leak_ds['timeleft_warning'],
							   '#e5a50a', 'Warning below');
	if (isset($async_leak_ds['timeleft_critical']))
		$def[$async_leak_n] .= $async_leak_horizon('tlc', $async_leak_ds['timeleft_critical'],
							   '#c01c28', 'Critical below');
	$def[$async_leak_n] .= $async_leak_rules($v, 3600, 'h', 'hours');
}

if (isset($async_leak_ds['instances'])) {
	$v = $async_leak_ds['instances'];
	$async_leak_n++;
	$ds_name[$async_leak_n] = 'Instances';
	$opt[$async_leak_n] = '--vertical-label "processes" --lower-limit 0 ' .
		'--title "' . $async_leak_title . ' - instances"';
	$def[$async_leak_n] = $async_leak_def('inst', $v) .
		'LINE2:inst#3d3846:"Instances" ' .
		'GPRINT:inst:LAST:"last %2.0lf\l" ' .
		$async_leak_rules($v, 1, '', 'inst');
}
?>
