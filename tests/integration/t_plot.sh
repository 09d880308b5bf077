#!/usr/bin/env bash
# check_async_leak_plot draws a history with cairo: a leaking and a flat
# history (tests/sim/history.sh) as PNG and SVG, checked by size and by
# pixels (background, the memory line's colour, the verdict and state bands
# under the graph); its verdicts are --replay's; it finds and reads the
# live state file of a check without changing it; bad input is one line and
# a non-zero exit; and the plugin itself never links cairo.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/sim/history.sh"
: "${PLOT:=$ROOT/plugin/plot/check_async_leak_plot}"
PIX=$BUILD/pngpix

[ -x "$PLOT" ] && [ -x "$PIX" ] || { fail "make plot first ($PLOT, $PIX)"; finish; }

# Colours of plugin/plot/check_async_leak_plot.c, and where the bands are: the
# verdict band 108..94 px, the state band 90..76 px above the bottom.
MEM=1c71d8 LEAK=ff7800 STABLE=8ff0a4 WARNING=f6d32d OK=57e389 LIMIT=a51d2d
band_count() {	# png colour verdict|state
	local wh w h y
	wh=$("$PIX" "$1") || return 1
	w=${wh% *} h=${wh#* }
	[ "$3" = verdict ] && y=$((h - 106)) || y=$((h - 88))
	"$PIX" "$1" count "$2" 81 "$y" $((w - 31)) $((y + 10))
}

run_plot() {	# args...: sets OUT, ERR, RC
	OUT=$(timeout -k 5 60 "$PLOT" "$@" 2>"$T/.plot.err")
	RC=$?
	ERR=$(cat "$T/.plot.err")
	if grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' "$T/.plot.err"; then
		fail "sanitizer report from the plot tool: $(head -3 "$T/.plot.err")"
	fi
}

OPTS=(--growth-warning 1MB/h --growth-critical 8MB/h --limit 256MB -w 200MB -c 240MB)
history_seed "$T/leak.state" 30 3000 steady >/dev/null
history_seed "$T/flat.state" 40 0 steady >/dev/null

# 1. A leak, as PNG.
run_plot --replay "$T/leak.state" "${OPTS[@]}" -o "$T/leak.png" --title "exch01 - Async.exe memory"
[ "$RC" = 0 ] && [ -z "$ERR" ] && ok "leak: PNG written, nothing on stderr ($OUT)" || fail "leak: rc $RC: $ERR"
[ -s "$T/leak.png" ] && [ "$(stat -c %s "$T/leak.png")" -gt 20000 ] &&
	ok "leak: $(stat -c %s "$T/leak.png") bytes" || fail "leak: PNG missing or tiny"
[ "$("$PIX" "$T/leak.png")" = "1100 640" ] && ok "leak: 1100x640 (the default size)" ||
	fail "leak: size $("$PIX" "$T/leak.png")"
[ "$("$PIX" "$T/leak.png" at 3 3)" = ffffff ] && [ "$("$PIX" "$T/leak.png" at 1096 320)" = ffffff ] &&
	ok "leak: white background at the corner and the right margin" ||
	fail "leak: background $("$PIX" "$T/leak.png" at 3 3) / $("$PIX" "$T/leak.png" at 1096 320)"
n=$("$PIX" "$T/leak.png" count $MEM 81 93 1069 489)
[ "$n" -gt 400 ] && ok "leak: the memory line's colour #$MEM in the plot area ($n px)" || fail "leak: $n px of #$MEM"
n=$("$PIX" "$T/leak.png" count $MEM 0 0 79 639)
[ "$n" = 0 ] && ok "leak: no memory line left of the plot area" || fail "leak: $n px of #$MEM outside the plot"
n=$("$PIX" "$T/leak.png" count $LIMIT 81 93 1069 489)
[ "$n" -gt 300 ] && ok "leak: the limit line (#$LIMIT, $n px)" || fail "leak: $n px of the limit line"
n=$(band_count "$T/leak.png" $LEAK verdict)
[ "$n" -gt 1000 ] && ok "leak: LEAK in the verdict band ($n px of #$LEAK)" || fail "leak: $n px of LEAK in the verdict band"
n=$(band_count "$T/leak.png" $WARNING state)
[ "$n" -gt 1000 ] && ok "leak: WARNING in the state band ($n px)" || fail "leak: $n px of WARNING in the state band"
[[ $OUT == *"verdict at the end LEAK (WARNING), first LEAK at "* ]] && ok "leak: the summary says LEAK" ||
	fail "leak: summary '$OUT'"

# The verdicts are the plugin's: the first LEAK at the step --replay says.
run_plugin --replay "$T/leak.state" "${OPTS[@]}"
want=$(printf '%s\n' "$OUT" | awk '$3 == "LEAK" { print $1; exit }')
run_plot --replay "$T/leak.state" "${OPTS[@]}" -o "$T/again.png"
got=$(printf '%s\n' "$OUT" | sed -n 's/.*first LEAK at \([^ ,]*\).*/\1/p')
[ -n "$want" ] && [ "$got" = "$want" ] && ok "first LEAK at $got, as check_async_leak --replay says" ||
	fail "first LEAK: plot '$got', --replay '$want'"

# 2. A flat history: no leak anywhere.
run_plot --replay "$T/flat.state" "${OPTS[@]}" -o "$T/flat.png"
[ "$RC" = 0 ] && ok "flat: PNG written ($OUT)" || fail "flat: rc $RC: $ERR"
n=$(band_count "$T/flat.png" $LEAK verdict)
[ "$n" = 0 ] && ok "flat: no LEAK in the verdict band" || fail "flat: $n px of LEAK"
n=$(band_count "$T/flat.png" $STABLE verdict)
[ "$n" -gt 1000 ] && ok "flat: STABLE in the verdict band ($n px)" || fail "flat: $n px of STABLE"
n=$(band_count "$T/flat.png" $OK state)
m=$(band_count "$T/flat.png" $WARNING state)
[ "$n" -gt 1000 ] && [ "$m" = 0 ] && ok "flat: OK all along the state band" || fail "flat: OK $n px, WARNING $m px"
[[ $OUT == *"verdict at the end STABLE (OK)" ]] && ok "flat: the summary says STABLE (OK)" || fail "flat: summary '$OUT'"

# 3. SVG, and another size.
run_plot --replay "$T/leak.state" "${OPTS[@]}" -o "$T/leak.svg"
[ "$RC" = 0 ] && ok "leak: SVG written" || fail "leak SVG: rc $RC: $ERR"
if xmllint --noout "$T/leak.svg" 2>"$T/xml.err"; then
	ok "leak: the SVG parses (xmllint)"
else
	fail "leak: SVG does not parse: $(head -2 "$T/xml.err")"
fi
[ "$(xmllint --xpath 'string(/*[local-name()="svg"]/@width)' "$T/leak.svg" 2>/dev/null)" = 1100pt ] &&
	[ "$(xmllint --xpath 'count(//*[local-name()="path"])' "$T/leak.svg" 2>/dev/null)" -gt 100 ] &&
	ok "leak: an <svg> 1100pt wide with its paths" || fail "leak: SVG root or paths missing"
run_plot --replay "$T/flat.state" --limit 256MB -o "$T/small.png" --size 800x500
[ "$RC" = 0 ] && [ "$("$PIX" "$T/small.png")" = "800 500" ] && ok "--size 800x500" || fail "--size: rc $RC, $("$PIX" "$T/small.png")"

# 4. The live history of a check, found as the plugin finds it, unchanged.
simhost_start "$ROOT/mib/hosts/win2k-exch55.tbl" "$T/agent" >/dev/null || { fail "simulated host"; finish; }
A=(-H 127.0.0.1 -p "$SIM_PORT" -C "$SIM_COMMUNITY" --state-dir "$T/live")
mkdir -p "$T/live" && chmod 700 "$T/live"
run_plugin "${A[@]}"
sleep 1.1	# one sample a second at most: a second check within it is ignored
run_plugin "${A[@]}"
expect_rc 0 "two checks write the live history"
f=$(ls "$T/live"/*.state 2>/dev/null | head -1)
sum=$(md5sum <"$f")
run_plot "${A[@]}" -o "$T/live.png"
[ "$RC" = 0 ] && [[ $OUT == *": 2 checks, verdict at the end COLLECTING (OK)" ]] &&
	ok "the live history of -H 127.0.0.1 -p PORT: $OUT" || fail "live history: rc $RC: $OUT $ERR"
[ "$(md5sum <"$f")" = "$sum" ] && ok "the state file is left as it was" || fail "the plot tool changed the state file"

# 5. Bad input: one line on stderr, exit 1 (history, output) or 2 (options).
bad() {	# rc message-ERE args...
	local want_rc=$1 re=$2
	shift 2
	run_plot "$@"
	[ "$RC" = "$want_rc" ] && [[ $ERR =~ ^check_async_leak_plot:\ $re$ ]] && [ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] &&
		ok "bad input ($*): exit $RC, $ERR" || fail "bad input ($*): rc $RC, '$ERR'"
}
printf '1700000000 41000\n1700000300 41010\nabc 5\n' >"$T/bad.txt"
: >"$T/empty.txt"
bad 1 "$T/bad.txt: line 3: 'abc' is not a unix time" --replay "$T/bad.txt" --limit 1GB -o "$T/x.png"
bad 1 "$T/empty.txt: no samples to draw" --replay "$T/empty.txt" --limit 1GB -o "$T/x.png"
bad 1 "cannot read $T/none.txt: No such file or directory" --replay "$T/none.txt" --limit 1GB -o "$T/x.png"
bad 2 "no picture to write: give -o FILE.png or -o FILE.svg \(--help\)" --replay "$T/leak.state"
bad 2 "-o $T/x.gif: the name must end in .png or .svg" --replay "$T/leak.state" -o "$T/x.gif"
bad 2 "--size: '10x10' is not WIDTHxHEIGHT \(400x300 to 8000x8000\)" --replay "$T/leak.state" -o "$T/x.png" --size 10x10
bad 2 "--growth-warning: .*" --replay "$T/leak.state" -o "$T/x.png" --growth-warning=fast
bad 1 "cannot write $T/nodir/x.png: .*" --replay "$T/leak.state" --limit 1GB -o "$T/nodir/x.png"
bad 2 "--timeleft-\* in a replay needs --limit \(the time-left horizons are on by default\)" --replay "$T/leak.state" -o "$T/x.png"
[ ! -e "$T/x.png" ] && [ ! -e "$T/x.gif" ] && ok "no picture left behind by a failed run" || fail "a failed run left a picture"

# 6. The check Nagios runs every few minutes does not link cairo.
if ldd "$PLUGIN" | grep -q cairo; then
	fail "the plugin links cairo: $(ldd "$PLUGIN" | grep cairo)"
else
	ok "the plugin does not link cairo (ldd)"
fi
ldd "$PLOT" | grep -q 'libcairo' && ok "the plot tool does" || fail "the plot tool does not link cairo?"
finish
