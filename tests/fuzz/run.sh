#!/bin/sh
# tests/fuzz/run.sh NAME... - runs each libFuzzer binary $BUILD/fuzz/NAME for
# FUZZ_SECONDS seconds (default 60), one after the other.
#
# Seeds come from tests/fuzz/corpus/NAME/ (if present, never written to)
# and from the files and directories that tests/fuzz/NAME.seeds names, one
# repository path a line (the unit tests' fixtures, the sample INI file:
# seeds that are kept once, where they live); they are gathered into
# $BUILD/fuzz/seeds/NAME/.  What the fuzzer learns goes to
# $BUILD/fuzz/corpus/NAME/, crashes to $BUILD/fuzz/NAME-crash-*.  A
# dictionary tests/fuzz/NAME.dict is used when present.  Exits 1 when any
# target found a problem, after running all.
set -u

: "${BUILD:?BUILD must be the absolute build directory}"
seconds=${FUZZ_SECONDS:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
status=0

for name in "$@"; do
	bin=$BUILD/fuzz/$name
	work=$BUILD/fuzz/corpus/$name
	mkdir -p "$work"
	# (the for list was expanded already: "$@" is free to reuse)
	set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
	    -print_final_stats=1 -artifact_prefix="$BUILD/fuzz/$name-"
	[ -f "$here/$name.dict" ] && set -- "$@" -dict="$here/$name.dict"
	seeds=$BUILD/fuzz/seeds/$name
	rm -rf "$seeds"
	mkdir -p "$seeds"
	[ -d "$here/corpus/$name" ] && cp "$here/corpus/$name"/* "$seeds"/
	if [ -f "$here/$name.seeds" ]; then
		while read -r path; do
			case "$path" in ''|'#'*) continue ;; esac
			if [ -d "$root/$path" ]; then
				cp "$root/$path"/* "$seeds"/
			elif [ -f "$root/$path" ]; then
				cp "$root/$path" "$seeds/$(echo "$path" | tr / _)"
			else
				echo "$name.seeds: no $path" >&2
				status=1
			fi
		done <"$here/$name.seeds"
	fi

	echo "== $name: ${seconds}s"
	# libFuzzer chatters on stderr; keep its summary, show all on failure.
	log=$BUILD/fuzz/$name.log
	if "$bin" "$@" "$work" "$seeds" >"$log" 2>&1; then
		grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss)' \
		    "$log" || tail -n 3 "$log"
	else
		echo "$name FAILED (log: $log):"
		grep -E 'ERROR|fuzz_[a-z_]+:|SUMMARY|Test unit written|input:|detail:' \
		    "$log" | head -n 20
		status=1
	fi
done
exit $status
