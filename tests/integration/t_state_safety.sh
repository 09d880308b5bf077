#!/usr/bin/env bash
# The state file never replaces what is not ours: a file that is not a
# history, a device, a directory; an INI file that another user could have
# written is refused when the check runs as root; a state file name never
# collides with another check's lock or temporary file; the default state
# directory is the Debian-style /var/lib/check_async_leak when it is there,
# and a directory another user made first is refused with the way out.
. "$(dirname "$0")/lib.sh"

start_fakeagent ok || { fail "fake agent did not start"; finish; }
C=(-H 127.0.0.1 -p "$FAKE_PORT" -C public -t 4)

# 1. A file that is not ours.
mkdir -p "$T/etc"
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$T/etc/passwd"
chmod 644 "$T/etc/passwd"
sum=$(md5sum <"$T/etc/passwd")
run_plugin "${C[@]}" --state-file "$T/etc/passwd"
expect_rc 3 "--state-file on a file that is not a history: UNKNOWN"
expect_match "^ASYNC_LEAK UNKNOWN - Async.exe 48.1 MiB \(1 instance\), history: $T/etc/passwd is not a check_async_leak state file; refusing to replace it" \
	"--state-file on a foreign file: says so"
[ "$(md5sum <"$T/etc/passwd")" = "$sum" ] && [ "$(stat -c %a "$T/etc/passwd")" = 644 ] &&
	ok "the foreign file is untouched, mode 644 kept" || fail "the foreign file was changed"
[ ! -e "$T/etc/passwd.lock" ] && ok "no lock file next to the foreign file" ||
	fail "a lock file was made next to the foreign file"
printf '[defaults]\nstate_file = %s\n' "$T/etc/passwd" >"$T/p.ini"
run_plugin "${C[@]}" -f "$T/p.ini"
expect_rc 3 "state_file from an INI file on a foreign file: UNKNOWN"
[ "$(md5sum <"$T/etc/passwd")" = "$sum" ] && ok "INI state_file: the foreign file is untouched" ||
	fail "INI state_file: the foreign file was changed"

# A damaged history of ours is still ours: a new history starts.
printf '# check_async_leak state v1\ngarbage\n' >"$T/mine.state"
run_plugin "${C[@]}" --state-file "$T/mine.state"
expect_rc 0 "a damaged history of ours: OK"
expect_match 'damaged line' "a damaged history of ours: noted"
head -n 1 "$T/mine.state" | grep -q '^# check_async_leak state v1$' &&
	ok "a damaged history of ours is rewritten" || fail "a damaged history was not rewritten"

# 9. /dev/null, a directory, names of the plugin's own files.
had_null_lock=0
[ -e /dev/null.lock ] && had_null_lock=1
run_plugin "${C[@]}" --state-file /dev/null
expect_rc 3 "--state-file /dev/null: UNKNOWN"
expect_match 'state file /dev/null is not a regular file' "--state-file /dev/null: says so"
if [ "$had_null_lock" = 0 ]; then
	[ ! -e /dev/null.lock ] && ok "no /dev/null.lock" || fail "/dev/null.lock was made"
fi
mkdir "$T/dir"
run_plugin "${C[@]}" --state-file "$T/dir/"
expect_rc 3 "--state-file dir/: UNKNOWN"
expect_match "state file '$T/dir/' names a directory, not a file" "--state-file dir/: says so"
[ -z "$(ls -A "$T/dir")" ] && ok "--state-file dir/: nothing made in dir" || fail "files made in dir/"
run_plugin "${C[@]}" --state-file "$T/dir"
expect_rc 3 "--state-file naming a directory: UNKNOWN"
[ ! -e "$T/dir.lock" ] && ok "no lock file next to a directory" || fail "dir.lock was made"
for name in a.tmp a.lock; do
	run_plugin "${C[@]}" --state-file "$T/$name"
	expect_rc 3 "--state-file $name: refused (a name the plugin uses next to a state file)"
	[ ! -e "$T/$name" ] && ok "--state-file $name: nothing made" || fail "--state-file $name made a file"
done
# Another program's a.tmp next to our a: never removed by a save.
printf 'precious\n' >"$T/a.tmp"
run_plugin "${C[@]}" --state-file "$T/a"
expect_rc 0 "state file a with someone's a.tmp next to it: OK"
[ "$(cat "$T/a.tmp")" = precious ] && ok "a.tmp is untouched by a's save" || fail "a.tmp was replaced"
[ "$(ls "$T" | grep -c '^a\.tmp\.')" = 0 ] && ok "no temporary file left behind" ||
	fail "temporary files left: $(ls "$T" | grep '^a\.tmp\.')"

# 1. An INI file another user could have written, while running as root.
if [ "$(id -u)" = 0 ]; then
	printf '[defaults]\ncommunity = s3cretcomm\nstate_file = %s/etc/x.state\n' "$T" >"$T/ww.ini"
	chmod 666 "$T/ww.ini"
	run_plugin "${C[@]}" -f "$T/ww.ini"
	expect_rc 3 "as root, a world-writable INI file: UNKNOWN"
	expect_match "^ASYNC_LEAK UNKNOWN - $T/ww.ini: refusing an INI file writable by every user while running as root: chmod o-w it$" \
		"as root, a world-writable INI file: refused with the fix"
	expect_no_match 's3cretcomm' "as root, refused INI: no secret shown"
	[ ! -e "$T/etc/x.state" ] && ok "as root, refused INI: its state_file is not written" ||
		fail "as root, refused INI: its state_file was written"
	chmod 600 "$T/ww.ini"
	chown 65534:65534 "$T/ww.ini"
	run_plugin "${C[@]}" -f "$T/ww.ini"
	expect_rc 3 "as root, an INI file owned by another user: UNKNOWN"
	expect_match 'refusing an INI file owned by uid 65534 while running as root' \
		"as root, an INI file owned by another user: refused"
	chown 0:0 "$T/ww.ini"
	run_plugin "${C[@]}" -f "$T/ww.ini"
	expect_rc 0 "as root, the same INI file owned by root, mode 600: read"
	[ -e "$T/etc/x.state" ] && ok "root's own INI file: its state_file is used" ||
		fail "root's own INI file: its state_file is not used"
else
	ok "# not root: the INI ownership cases are root's"
fi

# 8. Where the history lives by default, in a private mount namespace with
# its own /var/lib and /var/tmp (nothing of the machine's is touched).
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	ns() {	# ns SETUP: runs the plugin with -v in a namespace after SETUP
		OUT=$(unshare -m bash -c '
			mount -t tmpfs tmpfs /var/lib && mount -t tmpfs tmpfs /var/tmp || exit 99
			eval "$1"; shift
			env -u MP_STATE_PATH "$@"' ns "$1" "$PLUGIN" "${C[@]}" -v 2>&1)
		RC=$?
	}
	ns 'install -d -m 0755 /var/lib/check_async_leak'
	expect_rc 0 "with /var/lib/check_async_leak: OK"
	expect_match "^History: 1 record in /var/lib/check_async_leak/0/127\.0\.0\.1\+$FAKE_PORT\+async\.exe\.state\.$" \
		"with /var/lib/check_async_leak: the history lives there"
	ns ':'
	expect_rc 0 "without /var/lib/check_async_leak: OK"
	expect_match '^History: 1 record in /var/tmp/check_async_leak-0/' \
		"without /var/lib/check_async_leak: the /var/tmp fallback"
	ns 'install -d -m 0777 /var/lib/check_async_leak'
	expect_match '^History: 1 record in /var/tmp/check_async_leak-0/' \
		"a world-writable /var/lib/check_async_leak is not used"
	ns 'install -d -o 65534 -m 0700 /var/tmp/check_async_leak-0'
	expect_rc 3 "a /var/tmp directory another user made first: UNKNOWN"
	expect_match 'History unavailable, no trend: state directory /var/tmp/check_async_leak-0 is owned by uid 65534, not by 0 or root \(another user may have made it first\): create /var/lib/check_async_leak owned by this user \(mode 0700\), or set --state-dir or MP_STATE_PATH' \
		"a pre-empted directory: the message says how to fix it"
	ns 'install -d -o 65534 -m 0700 /var/tmp/check_async_leak-0; install -d -m 0700 /var/lib/check_async_leak'
	expect_rc 0 "a pre-empted /var/tmp directory, /var/lib/check_async_leak there: not pre-empted"
	expect_match '^History: 1 record in /var/lib/check_async_leak/0/' \
		"with /var/lib/check_async_leak the pre-empted /var/tmp does not matter"
else
	ok "# no private mount namespace here: default location cases skipped"
fi
finish
