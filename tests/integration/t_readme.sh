#!/usr/bin/env bash
# The README tells the truth: its options table is what plugin/config.c
# holds, every option of --help is in it, and the perfdata labels it lists
# are the ones the plugin writes.
. "$(dirname "$0")/lib.sh"

if "$ROOT/tools/readme-options.sh" "$BUILD/optdoc" "$ROOT/README.md" --check >"$T/diff"; then
	ok "README options table matches plugin/config.c"
else
	diff_head=$(head -5 "$T/diff")
	fail "README options table differs from plugin/config.c, run make readme: $diff_head"
fi

run_plugin --help
expect_rc 3 "--help exits UNKNOWN, as monitoring-plugins do"
missing=""
for opt in $(printf '%s\n' "$OUT" | grep -oE '^ +(-[A-Za-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
	grep -qF -- "\`$opt\`" "$ROOT/README.md" || missing="$missing $opt"
done
[ -z "$missing" ] && ok "every --help option is in README" || fail "README lacks:$missing"

for label in mem floor limit growth timeleft timeleft_warning timeleft_critical baseline instances; do
	if grep -qF "| \`$label\` |" "$ROOT/README.md" && grep -q "'$label'" "$ROOT/plugin/output.c"; then
		ok "perfdata label $label documented and written"
	else
		fail "perfdata label $label not both in README and plugin/output.c"
	fi
done
finish
