# tests/sim/history.sh - writes a state file as if check_async_leak had
# checked every 5 minutes (sourced by tests/demo.sh and the integration
# tests; bash).
#
#   history_seed FILE HOURS RATE_KB_H [MODE]
#
# The process was restarted HOURS ago at 18:00 local time (index 1200 ->
# 1388, 4 h of the old instance before that), then starts at 40 MiB and
# grows RATE_KB_H KB per hour: MODE "business" (the default) only from 08:00
# to 18:00, as Async.exe's traffic-driven leak does; "steady" all day;
# "paused" all day but not in the last 40 h; "fresh" all day, with no
# earlier instance (the history begins inside the run: no restart seen);
# "late" only in the last 2 h 15 min, level before; "evening" only from
# 8 h 15 min to 6 h ago, level before and after (these two with 200 KB of
# noise, so that a 2-hour rise is steady whatever the time of day).
# Samples carry up to 900 KB of noise.  The file is the state format of
# README (no key line, so any check may adopt it); the newest sample is
# 2.5 to 7.5 minutes old.  Prints the memory "now" in KB, for
# simhost_set_mem.

history_seed() {
	local file=$1 hours=$2 rate=$3 mode=${4:-business}
	awk -v hours="$hours" -v rate="$rate" -v mode="$mode" -v now="$(date +%s)" 'BEGIN {
		srand(260554); start = now - hours * 3600; kb = 40960
		noise = mode == "late" || mode == "evening" ? 200 : 900
		print "# check_async_leak state v1"
		for (t = start - 4 * 3600; t < start && mode != "fresh"; t += 300)	# the instance before the restart
			printf "%d %d 1200 - -\n", t, 190000 + int(rand() * 900)
		for (t = start; t < now - 150; t += 300) {
			hour = (18 + (t - start) / 3600) % 24
			if (mode == "steady" || mode == "fresh" || (mode == "paused" && t < now - 40 * 3600) ||
			    (mode == "late" && t >= now - 8100) ||
			    (mode == "evening" && t >= now - 29700 && t < now - 21600) ||
			    (mode == "business" && hour >= 8 && hour < 18))
				kb += rate * 300 / 3600
			printf "%d %d 1388 - -\n", t, kb + int(rand() * noise)
		}
		printf "%d\n", kb > "/dev/stderr"
	}' 2>"$file.kb" >"$file" && cat "$file.kb" && rm -f "$file.kb"
}
