# tests/sim/simhost.sh - start and drive a private snmpd on 127.0.0.1 (sourced
# by the integration tests and by tests/demo.sh; bash).  The agent listens
# on UDP and TCP 127.0.0.1:SIM_PORT and, when this machine has an IPv6
# loopback, on UDP and TCP [::1]:SIM_PORT too (SIM_IPV6=1; 0 without).
#
#   simhost_start TABLEFILE [DIR]   snmpd serving a simulated host: the built-in
#                                   HOST-RESOURCES modules off, .1.3.6.1.2.1.25
#                                   from $BUILD/hrsim reading DIR/host.tbl
#   simhost_start_real [DIR]        snmpd with its real host modules (this
#                                   machine's processes), hrSWRun caches cut to 1 s
#   simhost_set_table FILE          replace the whole simulated table
#   simhost_set_mem INDEX KB        change one row's hrSWRunPerfMem
#   simhost_set_field INDEX FIELD VALUE
#                                   FIELD: status cpu mem name path
#   simhost_del_proc INDEX          remove a row (the process exits)
#   simhost_add_line TEXT           append a table line (proc/oid/ghost/noperf)
#   simhost_stop                    stop the agent (TERM, bounded wait, KILL)
#
# simhost_start* export SIM_PORT SIM_PID SIM_DIR SIM_TABLE SIM_IPV6 (SIM_TABLE empty
# for the real agent) and the credentials below; they return non-zero with
# a message on stderr when the agent does not come up within ~10 s.
# BUILD must be the absolute path of build/ (hrsim lives there).  Works as
# root and as any other user; nothing is written outside DIR (the default
# DIR is a new temp directory, removed again by simhost_stop).  Every
# process is stopped by its PID.

SIM_COMMUNITY=public
SIM_V3_USER=nagmon		# SHA-256 / AES, authPriv
SIM_V3_AUTHUSER=nagauth		# SHA-256, authNoPriv
SIM_V3_MD5USER=nagmd5		# MD5 / DES, authPriv
SIM_V3_STRONGUSER=nagstrong	# SHA-512 / AES-256, authPriv
# also nagsha1 (SHA / AES-256: a key shorter than the cipher's, extended),
# nag224 (SHA-224 / AES-192), nag384 (SHA-384 / AES); same passphrases
SIM_V6_COMMUNITY=v6only	# answered from ::1 only: proves a request came over IPv6
SIM_V3_AUTHPASS=authpass123
SIM_V3_PRIVPASS=privpass123
# Only for the real agent's nsCacheTimeout SET; restricted to that subtree.
SIM_ADMIN_COMMUNITY=simadmin
export SIM_COMMUNITY SIM_V6_COMMUNITY SIM_V3_USER SIM_V3_AUTHUSER SIM_V3_MD5USER SIM_V3_STRONGUSER \
	SIM_V3_AUTHPASS SIM_V3_PRIVPASS

SIM_HR_MODULES_OFF=smux,hr_system,hrh_storage,hr_device,hr_other,hr_proc,hr_network,hr_print,hr_disk,hr_partition,hrh_filesys,hrSWRunTable,hrSWRunPerfTable,hrSWInstalledTable

# The snmp tools, kept away from /etc/snmp, ~/.snmp and /var/lib/snmp.
_simhost_tool() {
	MIBS= MIBDIRS= SNMPCONFPATH="$SIM_DIR/cli" SNMP_PERSISTENT_DIR="$SIM_DIR/cli" \
		timeout 10 "$@"
}

# The IPv6 loopback ::1 is configured (and IPv6 not switched off).
_simhost_have_ipv6() {
	grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null
}

_simhost_conf() {	# $1 = port, $2 = real|sim
	local addrs="udp:127.0.0.1:$1,tcp:127.0.0.1:$1"
	[ "$SIM_IPV6" = 1 ] && addrs="$addrs,udp6:[::1]:$1,tcp6:[::1]:$1"
	cat <<EOF
agentaddress $addrs
rocommunity $SIM_COMMUNITY 127.0.0.1
EOF
	[ "$SIM_IPV6" = 1 ] && printf 'rocommunity6 %s ::1\nrocommunity6 %s ::1\n' \
		"$SIM_COMMUNITY" "$SIM_V6_COMMUNITY"
	cat <<EOF
createUser $SIM_V3_USER SHA-256 "$SIM_V3_AUTHPASS" AES "$SIM_V3_PRIVPASS"
createUser $SIM_V3_AUTHUSER SHA-256 "$SIM_V3_AUTHPASS"
createUser $SIM_V3_MD5USER MD5 "$SIM_V3_AUTHPASS" DES "$SIM_V3_PRIVPASS"
createUser $SIM_V3_STRONGUSER SHA-512 "$SIM_V3_AUTHPASS" AES-256 "$SIM_V3_PRIVPASS"
createUser nagsha1 SHA "$SIM_V3_AUTHPASS" AES-256 "$SIM_V3_PRIVPASS"
createUser nag224 SHA-224 "$SIM_V3_AUTHPASS" AES-192 "$SIM_V3_PRIVPASS"
createUser nag384 SHA-384 "$SIM_V3_AUTHPASS" AES "$SIM_V3_PRIVPASS"
rouser $SIM_V3_USER priv
rouser $SIM_V3_AUTHUSER auth
rouser $SIM_V3_MD5USER priv
rouser $SIM_V3_STRONGUSER priv
rouser nagsha1 priv
rouser nag224 priv
rouser nag384 priv
dontLogTCPWrappersConnects yes
EOF
	if [ "$2" = sim ]; then
		echo "pass_persist .1.3.6.1.2.1.25 $BUILD/hrsim $SIM_DIR/host.tbl"
	else
		echo "view simadmin included .1.3.6.1.4.1.8072.1.5"
		echo "rwcommunity $SIM_ADMIN_COMMUNITY 127.0.0.1 -V simadmin"
	fi
}

# _simhost_launch MODE DIR: start snmpd on a random free port, wait for it.
_simhost_launch() {
	local mode=$1 try port i modules=smux snmpd=/usr/sbin/snmpd

	[ -x "$snmpd" ] || { echo "simhost: $snmpd not installed (Debian package snmpd)" >&2; return 1; }
	[ "$mode" = sim ] && modules=$SIM_HR_MODULES_OFF
	SIM_IPV6=0
	_simhost_have_ipv6 && SIM_IPV6=1
	export SIM_IPV6
	mkdir -p "$SIM_DIR/persist" "$SIM_DIR/cli" || return 1
	chmod 700 "$SIM_DIR/persist" "$SIM_DIR/cli"
	for try in 1 2 3 4 5 6; do
		port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40001 ))
		_simhost_conf "$port" "$mode" > "$SIM_DIR/snmpd.conf"
		: > "$SIM_DIR/snmpd.log"
		SNMP_PERSISTENT_DIR="$SIM_DIR/persist" MIBS= MIBDIRS= \
			"$snmpd" -f -Lf "$SIM_DIR/snmpd.log" -C -c "$SIM_DIR/snmpd.conf" \
			-m "" -I "-$modules" -p "$SIM_DIR/snmpd.pid" \
			</dev/null >"$SIM_DIR/snmpd.out" 2>&1 &
		SIM_PID=$!
		SIM_PORT=$port
		export SIM_PID SIM_PORT
		for i in $(seq 1 100); do
			if ! kill -0 "$SIM_PID" 2>/dev/null; then
				wait "$SIM_PID" 2>/dev/null
				SIM_PID=
				break
			fi
			if _simhost_tool snmpget -v2c -c "$SIM_COMMUNITY" -On -t 0.2 -r 0 \
				"127.0.0.1:$port" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
				return 0
			fi
			sleep 0.1
		done
		if [ -n "$SIM_PID" ]; then	# alive but silent for 10 s: give up
			simhost_stop
			echo "simhost: snmpd did not answer within 10 s (see $SIM_DIR/snmpd.log)" >&2
			return 1
		fi
		grep -qi "address already in use\|cannot bind\|Error opening specified endpoint" \
			"$SIM_DIR/snmpd.log" "$SIM_DIR/snmpd.out" || break
	done
	echo "simhost: snmpd failed to start (see $SIM_DIR/snmpd.log):" >&2
	tail -n 5 "$SIM_DIR/snmpd.log" "$SIM_DIR/snmpd.out" >&2
	return 1
}

# Uses the caller's DIR, or makes a temp dir that simhost_stop removes.
_simhost_dir() {
	if [ -n "$1" ]; then
		SIM_DIR=$1
		_SIM_OWN_DIR=
		mkdir -p "$SIM_DIR" || return 1
	else
		SIM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/simhost.XXXXXX") || return 1
		_SIM_OWN_DIR=$SIM_DIR
	fi
}

simhost_start() {
	local table=$1
	[ -n "${BUILD:-}" ] && [ -x "$BUILD/hrsim" ] ||
		{ echo "simhost: BUILD must point at build/ with hrsim built (make helpers)" >&2; return 1; }
	[ -r "$table" ] || { echo "simhost: cannot read table $table" >&2; return 1; }
	_simhost_dir "${2:-}" || return 1
	SIM_TABLE=$SIM_DIR/host.tbl
	export SIM_DIR SIM_TABLE
	cp "$table" "$SIM_TABLE" || return 1
	_simhost_launch sim || return 1
	# The agent answers; now make sure the simulator does too (a bad table
	# serves nothing, which is not an error here: the caller asked for it).
	_simhost_tool snmpgetnext -v2c -c "$SIM_COMMUNITY" -On -t 2 -r 1 \
		"127.0.0.1:$SIM_PORT" .1.3.6.1.2.1.25 >/dev/null 2>&1
	return 0
}

simhost_start_real() {
	local oid
	_simhost_dir "${1:-}" || return 1
	SIM_TABLE=
	export SIM_DIR SIM_TABLE
	_simhost_launch real || return 1
	# snmpd caches the process tables for 30 s; NET-SNMP-AGENT-MIB's
	# nsCacheTimeout (indexed by the cached subtree's OID) shortens that,
	# so a process started now shows up within a second.
	for oid in .1.3.6.1.2.1.25.4.2 .1.3.6.1.2.1.25.5.1; do
		_simhost_tool snmpset -v2c -c "$SIM_ADMIN_COMMUNITY" -On -t 2 -r 1 \
			"127.0.0.1:$SIM_PORT" ".1.3.6.1.4.1.8072.1.5.3.1.2$oid" i 1 \
			>/dev/null 2>&1
	done
	return 0
}

# Installs $1 as the table atomically (the simulator re-reads on change).
simhost_set_table() {
	[ -n "${SIM_TABLE:-}" ] || { echo "simhost: no simulated host running" >&2; return 1; }
	cp "$1" "$SIM_TABLE.new" && mv -f "$SIM_TABLE.new" "$SIM_TABLE"
}

# simhost_set_field INDEX FIELD VALUE on the "proc INDEX ..." line.
simhost_set_field() {
	local col
	case "$2" in
		status) col=3 ;; cpu) col=4 ;; mem) col=5 ;; name) col=6 ;; path) col=7 ;;
		*) echo "simhost: unknown field '$2' (status cpu mem name path)" >&2; return 1 ;;
	esac
	[ -n "${SIM_TABLE:-}" ] || { echo "simhost: no simulated host running" >&2; return 1; }
	awk -v idx="$1" -v col="$col" -v val="$3" '
		$1 == "proc" && $2 == idx {
			# proc INDEX STATUS CPU MEM "NAME" "PATH" ["PARAMS"]
			nq = split($0, q, "\"")
			split(q[1], f, " ")
			f[6] = q[2]; f[7] = q[4]; params = nq >= 6 ? q[6] : ""
			f[col] = val
			printf "proc %s %s %s %s \"%s\" \"%s\"", f[2], f[3], f[4], f[5], f[6], f[7]
			if (nq >= 6) printf " \"%s\"", params
			printf "\n"; found = 1; next
		}
		{ print }
		END { exit found ? 0 : 1 }' "$SIM_TABLE" > "$SIM_TABLE.new" ||
		{ rm -f "$SIM_TABLE.new"; echo "simhost: no proc $1 in the table" >&2; return 1; }
	mv -f "$SIM_TABLE.new" "$SIM_TABLE"
}

simhost_set_mem() {
	simhost_set_field "$1" mem "$2"
}

simhost_del_proc() {
	[ -n "${SIM_TABLE:-}" ] || { echo "simhost: no simulated host running" >&2; return 1; }
	awk -v idx="$1" '!($1 == "proc" && $2 == idx)' "$SIM_TABLE" > "$SIM_TABLE.new" &&
		mv -f "$SIM_TABLE.new" "$SIM_TABLE"
}

simhost_add_line() {
	[ -n "${SIM_TABLE:-}" ] || { echo "simhost: no simulated host running" >&2; return 1; }
	{ cat "$SIM_TABLE"; printf '%s\n' "$1"; } > "$SIM_TABLE.new" &&
		mv -f "$SIM_TABLE.new" "$SIM_TABLE"
}

simhost_stop() {
	local i
	[ -n "${SIM_PID:-}" ] || return 0
	if kill -0 "$SIM_PID" 2>/dev/null; then
		kill -TERM "$SIM_PID" 2>/dev/null
		for i in $(seq 1 50); do
			kill -0 "$SIM_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$SIM_PID" 2>/dev/null && kill -KILL "$SIM_PID" 2>/dev/null
	fi
	wait "$SIM_PID" 2>/dev/null
	SIM_PID=
	if [ -n "${_SIM_OWN_DIR:-}" ] && [ "$_SIM_OWN_DIR" = "${SIM_DIR:-}" ]; then
		rm -rf "$_SIM_OWN_DIR"
		_SIM_OWN_DIR=
	fi
	return 0
}
