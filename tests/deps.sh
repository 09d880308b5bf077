#!/bin/sh
# tests/deps.sh SET - installs the Debian packages a make target needs, when
# they are missing.  SET is build, demo, check, plot, fuzz or bench.  As root it runs apt-get;
# otherwise it names the packages and the command to run, and fails.
set -u

build="gcc make pkg-config libsnmp-dev libssl-dev libinih-dev libhiredis-dev"
case "${1:-check}" in
	build) want="$build" ;;
	demo)  want="$build snmpd snmp" ;;	# snmp: snmpget, the simulated host's readiness probe
	check) want="$build snmpd snmp libcriterion-dev nagios4-core icinga2-bin valgrind php-cli rrdtool groff-base jq libcairo2-dev fonts-dejavu-core libxml2-utils strace redis-server" ;;
	# make plot: the history picture tool (cairo; DejaVu Sans for its text)
	plot)  want="$build libcairo2-dev fonts-dejavu-core" ;;
	# libclang-rt-dev brings libFuzzer and the sanitizer runtimes for clang
	fuzz)  want="$build clang libclang-rt-dev" ;;
	# nagios-snmp-plugins: check_snmp_process.pl, the peer the bench compares with;
	# redis-server: the shared history store (tests/integration/t_redis.sh, the bench)
	bench) want="$build snmpd snmp valgrind time hyperfine nagios-snmp-plugins redis-server" ;;
	*) echo "usage: tests/deps.sh build|demo|check|plot|fuzz|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "missing packages:$missing (no apt-get here: install them by hand)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "missing Debian packages:$missing" >&2
	echo "install them as root:  apt-get install -y$missing" >&2
	exit 1
fi
echo "installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# A system snmpd or nagios started by the package would only get in the way.
apt-get update -q >/dev/null || { echo "apt-get update failed" >&2; exit 1; }
apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	{ echo "apt-get install$missing failed" >&2; exit 1; }
