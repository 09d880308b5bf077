#!/bin/sh
# readme-options.sh OPTDOC README [--check] - replaces the table between the
# "| option | INI key" header and the end of the options section with the
# output of OPTDOC; with --check, only says whether they differ (exit 1).
set -eu
optdoc=$1 readme=$2 mode=${3:-write}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$optdoc" > "$tmp.table"
awk -v table="$tmp.table" '
	/^\| option \| INI key \| meaning \|$/ { while ((getline l < table) > 0) print l; skip = 1; next }
	skip && /^\|/ { next }
	{ skip = 0; print }
' "$readme" > "$tmp"
rm -f "$tmp.table"
if [ "$mode" = --check ]; then
	if ! cmp -s "$tmp" "$readme"; then
		diff -u "$readme" "$tmp" | head -20
		exit 1
	fi
	exit 0
fi
cat "$tmp" > "$readme"
