#!/usr/bin/env bash
# make install puts the plugin, the man page and every sample of conf/ where
# they belong under DESTDIR, and make uninstall takes them all away again
# (and nothing else); the committed man page is what --help says.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# The committed man page against one made now from this plugin's --help.
if "$ROOT/tools/mkman.sh" "$PLUGIN" >"$T/man.1" 2>"$T/mkman.err"; then
	if diff -u "$ROOT/plugin/check_async_leak.1" "$T/man.1" >"$T/man.diff"; then
		ok "plugin/check_async_leak.1 matches --help"
	else
		fail "plugin/check_async_leak.1 differs from --help (run make man): $(head -12 "$T/man.diff")"
	fi
else
	fail "tools/mkman.sh failed: $(cat "$T/mkman.err")"
fi
run_plugin --help
missing=""
for opt in $(printf '%s\n' "$OUT" | grep -oE '^ +(-[A-Za-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
	# roff writes each '-' of an option as '\-'.
	grep -qF -- "${opt//-/\\-}" "$ROOT/plugin/check_async_leak.1" || missing="$missing $opt"
done
[ -z "$missing" ] && ok "every --help option is in the man page" || fail "man page lacks:$missing"
if groff -man -ww -z "$ROOT/plugin/check_async_leak.1" >"$T/groff" 2>&1 && [ ! -s "$T/groff" ]; then
	ok "the man page formats without groff warnings"
else
	fail "groff on the man page: $(head -5 "$T/groff")"
fi

# Under ASan the install proves nothing new, and would install that build.
if [ "${SANITIZED:-0}" = 1 ]; then
	finish
fi

# A make of its own: no variables or jobserver inherited from `make check`.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" --no-print-directory "$@" >"$T/make.out" 2>&1; }

# Every file install should place, relative to the stage root.
expected() {	# prefix
	local p=${1#/}
	echo "$p/lib/nagios/plugins/check_async_leak"
	echo "$p/lib/nagios/plugins/check_async_leak-snmp.so"
	echo "$p/share/man/man1/check_async_leak.1"
	# make plot's tool, installed when built
	[ -x "$ROOT/plugin/plot/check_async_leak_plot" ] && echo "$p/bin/check_async_leak_plot"
	(cd "$ROOT/conf" && find . -type f ! -name '.*' | sed "s|^\./|$p/share/check_async_leak/|")
	# Debian's own places, whatever the prefix (t_install_debian looks inside)
	echo "etc/nagios-plugins/config/check_async_leak.cfg"
	echo "etc/nagios-plugins/config/check_async_leak.ini"
	echo "usr/share/icinga2/include/plugins-contrib.d/check_async_leak.conf"
}

for prefix in /usr /usr/local; do
	stage=$T/stage${prefix//\//_}
	if [ "$prefix" = /usr/local ]; then args=(); else args=(PREFIX="$prefix"); fi
	if mk install DESTDIR="$stage" "${args[@]}"; then
		ok "make install DESTDIR=… ${args[*]:-(default PREFIX)}"
	else
		fail "make install ${args[*]}: $(tail -5 "$T/make.out")"
		continue
	fi
	expected "$prefix" | sort >"$T/want"
	(cd "$stage" && find . -type f | sed 's|^\./||' | sort) >"$T/got"
	if diff "$T/want" "$T/got" >"$T/files.diff"; then
		ok "$prefix: exactly the $(wc -l <"$T/want") expected files installed"
	else
		fail "$prefix: installed files differ (< missing, > extra): $(head -10 "$T/files.diff")"
	fi
	bad=""
	while read -r f; do
		case $f in
		*/check_async_leak) src=$ROOT/plugin/check_async_leak ;;
		*/check_async_leak-snmp.so) src=$ROOT/plugin/check_async_leak-snmp.so ;;
		*/bin/check_async_leak_plot) src=$ROOT/plugin/plot/check_async_leak_plot ;;
		*/man1/*) src=$ROOT/plugin/check_async_leak.1 ;;
		etc/*/check_async_leak.ini) src=$ROOT/conf/check_async_leak.ini ;;
		etc/*|usr/share/icinga2/*) continue ;;	# rendered: t_install_debian
		*) src=$ROOT/conf/${f#*/share/check_async_leak/} ;;
		esac
		[ -f "$stage/$f" ] && cmp -s "$src" "$stage/$f" || bad="$bad $f"
	done <"$T/want"
	[ -z "$bad" ] && ok "$prefix: installed files are the sources" || fail "$prefix: differ from the sources:$bad"
	plugin=$stage$prefix/lib/nagios/plugins/check_async_leak
	[ -x "$plugin" ] && [ "$(stat -c %a "$plugin")" = 755 ] && ok "$prefix: plugin installed 0755" ||
		fail "$prefix: plugin mode $(stat -c %a "$plugin" 2>&1)"
	mode=$(stat -c %a "$stage$prefix/share/check_async_leak/icinga2/check_async_leak.conf" 2>&1)
	[ "$mode" = 644 ] && ok "$prefix: samples installed 0644" || fail "$prefix: sample mode $mode"
	"$plugin" --version >"$T/v" 2>&1
	grep -qE '^check_async_leak [0-9]' "$T/v" && ok "$prefix: installed plugin runs" ||
		fail "$prefix: installed plugin --version: $(cat "$T/v")"
	# SNMPv3 is Net-SNMP's, in the SNMP module installed beside the plugin:
	# a port where nothing listens gives the timeout, not a module error.
	"$plugin" -H 127.0.0.1 -p $((20000 + RANDOM % 40000)) -P 3 -L noAuthNoPriv -U nobody \
		-t 1 --state-dir "$T/st" >"$T/o" 2>&1
	rc=$?
	[ "$rc" = 3 ] && grep -q '^ASYNC_LEAK UNKNOWN - no response from 127.0.0.1:' "$T/o" &&
		ok "$prefix: installed plugin loads its SNMP module" ||
		fail "$prefix: installed plugin without its module? (exit $rc) $(head -1 "$T/o")"

	# An admin's own file in the data directory survives uninstall.
	echo "# mine" >"$stage$prefix/share/check_async_leak/nagios/local.cfg"
	if mk uninstall DESTDIR="$stage" "${args[@]}"; then
		ok "make uninstall ${args[*]:-(default PREFIX)}"
	else
		fail "make uninstall ${args[*]}: $(tail -5 "$T/make.out")"
	fi
	left=$(cd "$stage" && find . -type f | sed 's|^\./||' | sort)
	[ "$left" = "${prefix#/}/share/check_async_leak/nagios/local.cfg" ] &&
		ok "$prefix: uninstall removed every installed file, kept the admin's" ||
		fail "$prefix: after uninstall: $left"
	rm -f "$stage$prefix/share/check_async_leak/nagios/local.cfg"
	mk uninstall DESTDIR="$stage" "${args[@]}"
	[ ! -e "$stage$prefix/share/check_async_leak" ] &&
		ok "$prefix: uninstall removes the emptied data directory" ||
		fail "$prefix: left: $(cd "$stage" && find . -path "*check_async_leak*")"
done
finish
