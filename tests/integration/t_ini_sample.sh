#!/usr/bin/env bash
# The shipped sample conf/check_async_leak.ini against the simulated host of
# `make demo`: a host without a section of its own gets [defaults] and a
# working check (its percent thresholds wait for the learned baseline);
# the [demo] section works too.  A WARNING level above the CRITICAL one
# is a usage error wherever it is set, and a missing INI file names the
# sample.
. "$(dirname "$0")/lib.sh"

simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" >/dev/null ||
	{ fail "simulated host did not start"; finish; }
INI=$T/check_async_leak.ini
cp "$ROOT/conf/check_async_leak.ini" "$INI"
chmod 600 "$INI"
S=(--state-dir "$T/state")

for h in 127.0.0.1 localhost; do
	run_plugin -f "$INI" -H "$h" -p "$SIM_PORT" "${S[@]}"
	expect_rc 0 "sample INI, -H $h (no section of its own): OK"
	expect_match "^ASYNC_LEAK OK - Async.exe 48.1 MiB \(1 instance\)" "sample INI, -H $h: the memory is read"
	expect_match "^Percent thresholds are not applied yet: the baseline is still being learned" \
		"sample INI, -H $h: the 150%/200% of [defaults] wait for the learned baseline"
done
run_plugin -f "$INI" -s demo -p "$SIM_PORT" "${S[@]}"
expect_rc 0 "sample INI, -s demo: OK"
expect_match "^ASYNC_LEAK OK - .*'mem'=50438144B;62914560;83886080;0;" \
	"sample INI, -s demo: 150% and 200% of its 40MB baseline as thresholds"

# Warning above critical, for ranges that alert above their end.
run_plugin -H 127.0.0.1 -p "$SIM_PORT" -w 200MB -c 100MB "${S[@]}"
expect_rc 3 "-w 200MB -c 100MB: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - --warning \(up to 200\.0 MiB\) is above --critical \(up to 100\.0 MiB\): rising memory would turn CRITICAL first; swap them$" \
	"-w 200MB -c 100MB: says which is above which"
run_plugin -H 127.0.0.1 -p "$SIM_PORT" -w '~:300MB' -c '~:100MB' "${S[@]}"
expect_rc 3 "-w ~:300MB -c ~:100MB: UNKNOWN"
run_plugin -f "$INI" -H 127.0.0.1 -p "$SIM_PORT" -w 250% "${S[@]}"
expect_rc 3 "-w 250% over the INI's critical = 200%: UNKNOWN"
expect_match "up to 250%\) is above --critical \(up to 200%\)" "-w 250%: both percentages named"
run_plugin -H 127.0.0.1 -p "$SIM_PORT" -w @100MB:200MB -c 150MB "${S[@]}"
expect_rc 0 "-w @100MB:200MB (alert inside) -c 150MB: no order, a normal check"
run_plugin -H 127.0.0.1 -p "$SIM_PORT" -w 100MB -c 200MB "${S[@]}"
expect_rc 0 "-w 100MB -c 200MB: OK"

# A missing INI file says where the sample is.
run_plugin -f "$T/none.ini" -H 127.0.0.1
expect_rc 3 "-f a missing file: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - cannot read $T/none.ini: No such file or directory \(a commented sample is conf/check_async_leak.ini of the source; make install puts it at /etc/nagios-plugins/config/check_async_leak.ini\)$" \
	"-f a missing file: names the sample and where make install puts it"

finish
