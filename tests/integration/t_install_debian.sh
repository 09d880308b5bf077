#!/usr/bin/env bash
# make install DESTDIR=… lays out Debian's own places: the Nagios commands in
# /etc/nagios-plugins/config/ (nagios4's cfg_dir) with the plugin's path
# written out, the sample INI there (the plugin's default INI file, group
# nagios, mode 0640), the Icinga 2 CheckCommand in
# /usr/share/icinga2/include/plugins-contrib.d/ (include <plugins-contrib>).
# A real Nagios 4 and Icinga 2 accept them as installed.  Reinstalling keeps
# an admin's edited files (a changed .cfg gets FILE.new beside it, an INI is
# never replaced); uninstall removes what is as installed and keeps the rest.
. "$(dirname "$0")/lib.sh"

# Under ASan the install proves nothing new (t_install says the same).
[ "${SANITIZED:-0}" = 1 ] && finish

mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" --no-print-directory "$@" >"$T/make.out" 2>&1; }
S=$T/stage
CFG=$S/etc/nagios-plugins/config/check_async_leak.cfg
INI=$S/etc/nagios-plugins/config/check_async_leak.ini
ICI=$S/usr/share/icinga2/include/plugins-contrib.d/check_async_leak.conf

mk install DESTDIR="$S" PREFIX=/usr && ok "make install DESTDIR=… PREFIX=/usr" ||
	{ fail "make install: $(tail -5 "$T/make.out")"; finish; }
for f in "$CFG" "$INI" "$ICI"; do
	[ -f "$f" ] && ok "installed ${f#"$S"}" || fail "missing ${f#"$S"}"
done

# The Nagios commands: the installed plugin's path, the installed INI file.
lines=$(grep -E '^[[:space:]]*command_line' "$CFG")
n=$(grep -cE '[[:space:]]/usr/lib/nagios/plugins/check_async_leak ' <<<"$lines")
[ "$n" = 3 ] && ! grep -qF '$USER1$' <<<"$lines" &&
	ok "the 3 commands run /usr/lib/nagios/plugins/check_async_leak (no \$USER1\$)" ||
	fail "command lines: $lines"
[ -x "$S/usr/lib/nagios/plugins/check_async_leak" ] && ok "which is where the plugin was installed" ||
	fail "no plugin at /usr/lib/nagios/plugins"
grep -q -- "-f /etc/nagios-plugins/config/check_async_leak.ini " <<<"$lines" &&
	ok "check_async_leak_ini reads /etc/nagios-plugins/config/check_async_leak.ini, the INI install creates" ||
	fail "check_async_leak_ini: $(grep -- ' -f ' <<<"$lines")"
grep -q '^NAGIOS_CONFDIR *?= */etc/nagios-plugins/config$' "$ROOT/Makefile" &&
	grep -q '"/etc/nagios-plugins/config/check_async_leak.ini"' "$ROOT/plugin/config.h" &&
	ok "the plugin's default INI file is the one install creates" ||
	fail "Makefile NAGIOS_CONFDIR and plugin/config.h CONFIG_DEFAULT_FILE disagree"
cmp -s "$ROOT/conf/check_async_leak.ini" "$INI" && ok "the INI is the sample" || fail "INI differs from the sample"
if getent group nagios >/dev/null; then want="640 nagios"; else want="644 root"; fi
got=$(stat -c '%a %G' "$INI")
[ "$got" = "$want" ] && ok "the INI is mode/group $got (it will hold secrets)" || fail "INI mode/group $got, want $want"
cmp -s "$ROOT/conf/icinga2/check_async_leak.conf" "$ICI" &&
	ok "the CheckCommand keeps PluginDir (the plugin is in Debian's PluginDir)" || fail "CheckCommand differs"

# A real Nagios 4 reading the installed directory as Debian's nagios.cfg does.
if command -v nagios4 >/dev/null; then
	N=$T/nagios
	mkdir -p "$N/checkresults"
	cat >"$N/nagios.cfg" <<EOF
log_file=$N/nagios.log
cfg_dir=$S/etc/nagios-plugins/config
cfg_file=$N/objects.cfg
object_cache_file=$N/objects.cache
precached_object_file=$N/objects.precache
status_file=$N/status.dat
lock_file=$N/nagios.lock
temp_file=$N/nagios.tmp
temp_path=$N
check_result_path=$N/checkresults
nagios_user=$(id -un)
nagios_group=$(id -gn)
EOF
	cat >"$N/objects.cfg" <<'EOF'
define timeperiod {
	timeperiod_name	24x7
	alias	always
	monday	00:00-24:00
	tuesday	00:00-24:00
	wednesday	00:00-24:00
	thursday	00:00-24:00
	friday	00:00-24:00
	saturday	00:00-24:00
	sunday	00:00-24:00
}
define contact {
	contact_name	admin
	host_notifications_enabled	0
	service_notifications_enabled	0
	host_notification_period	24x7
	service_notification_period	24x7
	host_notification_options	n
	service_notification_options	n
	host_notification_commands	check_async_leak_ini
	service_notification_commands	check_async_leak_ini
}
define host {
	host_name	exch01
	address	127.0.0.1
	max_check_attempts	1
	check_period	24x7
	contacts	admin
}
define service {
	use	async-leak-service
	host_name	exch01
	service_description	Async.exe memory
	check_command	check_async_leak_ini!--limit=256MB
	contacts	admin
}
define service {
	use	async-leak-service
	host_name	exch01
	service_description	Async.exe memory v2c
	check_command	check_async_leak!200MB!400MB!--baseline=auto
	contacts	admin
}
EOF
	if nagios4 -v "$N/nagios.cfg" >"$T/nagios-v" 2>&1; then
		ok "nagios4 -v accepts the commands and template from the installed cfg_dir"
	else
		fail "nagios4 -v: $(grep -iE 'error' "$T/nagios-v" | head -3)"
	fi
else
	fail "nagios4 not installed (nagios4-core)"
fi

# A real Icinga 2 reading the installed contrib directory as
# include <plugins-contrib> does, with the apply rule an admin copies.
if command -v icinga2 >/dev/null; then
	I=$T/icinga2
	mkdir -p "$I/run" "$I/data" "$I/spool" "$I/cache" "$I/log"
	cat >"$I/icinga2.conf" <<EOF
const PluginDir = "/usr/lib/nagios/plugins"
include <itl>
include <plugins>
include_recursive "$S/usr/share/icinga2/include/plugins-contrib.d"
template Service "generic-service" { check_interval = 5m }
include "$S/usr/share/check_async_leak/icinga2/services-exchange55.conf"
object Host "exch01" { check_command = "dummy"; address = "127.0.0.1"; vars.exchange55 = true }
EOF
	if icinga2 daemon -C -c "$I/icinga2.conf" -DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)" \
		-DInitRunDir="$I/run" -DDataDir="$I/data" -DSpoolDir="$I/spool" -DCacheDir="$I/cache" \
		-DLogDir="$I/log" -DPidPath="$I/run/icinga2.pid" >"$T/icinga-C" 2>&1 &&
		grep -q "Instantiated 1 Service" "$T/icinga-C"; then
		ok "icinga2 daemon -C: the installed CheckCommand and the apply rule make the service"
	else
		fail "icinga2 daemon -C: $(grep -E 'critical/|Error|Instantiated' "$T/icinga-C" | head -4)"
	fi
else
	fail "icinga2 not installed (icinga2-bin)"
fi

# Reinstall over an admin's edits; then uninstall.
echo "# my change" >>"$CFG"
sed -i 's/^community = public .*/community = s3cret/' "$INI"
cp "$INI" "$T/ini.edited"
mk install DESTDIR="$S" PREFIX=/usr && ok "make install again" || fail "reinstall: $(tail -3 "$T/make.out")"
grep -q '^# my change$' "$CFG" && [ -f "$CFG.new" ] && cmp -s "$CFG.new" <(grep -v '^# my change$' "$CFG") &&
	grep -q "check_async_leak.cfg: kept (yours differs); the new version is .*check_async_leak.cfg.new" "$T/make.out" &&
	ok "an edited .cfg is kept, the new version beside it as .cfg.new, and install says so" ||
	fail "reinstall over an edited cfg: $(grep -i cfg "$T/make.out")"
cmp -s "$T/ini.edited" "$INI" && [ ! -e "$INI.new" ] && grep -q "check_async_leak.ini: kept" "$T/make.out" &&
	ok "an existing INI is never replaced" || fail "reinstall touched the INI"
mk uninstall DESTDIR="$S" PREFIX=/usr && ok "make uninstall" || fail "uninstall: $(tail -3 "$T/make.out")"
[ -f "$CFG" ] && [ ! -e "$CFG.new" ] && [ -f "$INI" ] && [ ! -e "$ICI" ] &&
	grep -q "check_async_leak.cfg: kept (changed since install)" "$T/make.out" &&
	ok "uninstall keeps the edited .cfg and INI, removes .cfg.new and the unchanged CheckCommand" ||
	fail "after uninstall: $(cd "$S" && find etc usr/share/icinga2 -type f 2>/dev/null | tr '\n' ' ')"
rm -f "$CFG" "$INI"
mk install DESTDIR="$S" PREFIX=/usr && mk uninstall DESTDIR="$S" PREFIX=/usr
[ -z "$(cd "$S" && find . -type f)" ] && [ ! -e "$S/etc/nagios-plugins" ] && [ ! -e "$S/usr/share/icinga2" ] &&
	ok "unchanged files and the directories install made are all removed" ||
	fail "left after uninstall: $(cd "$S" && find . | head -5 | tr '\n' ' ')"

# Another prefix: the CheckCommand names the plugin where it is.
mk install DESTDIR="$T/local" && ok "make install DESTDIR=… (PREFIX /usr/local)" || fail "install: $(tail -3 "$T/make.out")"
grep -qF 'command = [ "/usr/local/lib/nagios/plugins/check_async_leak" ]' \
	"$T/local/usr/share/icinga2/include/plugins-contrib.d/check_async_leak.conf" &&
	grep -qE '[[:space:]]/usr/local/lib/nagios/plugins/check_async_leak ' "$T/local/etc/nagios-plugins/config/check_async_leak.cfg" &&
	ok "PREFIX=/usr/local: both name /usr/local/lib/nagios/plugins/check_async_leak" ||
	fail "PREFIX=/usr/local: $(grep -h 'command\b\|command_line' "$T"/local/usr/share/icinga2/include/plugins-contrib.d/* "$T"/local/etc/nagios-plugins/config/*.cfg | head -3)"
mk install DESTDIR="$T/none" NAGIOS_CONFDIR= ICINGA2_CONTRIBDIR=
[ ! -e "$T/none/etc" ] && [ ! -e "$T/none/usr/share/icinga2" ] &&
	ok "NAGIOS_CONFDIR= ICINGA2_CONTRIBDIR= skip both" || fail "empty dirs still installed: $(cd "$T/none" && find etc usr/share/icinga2 2>/dev/null | head -3)"
finish
