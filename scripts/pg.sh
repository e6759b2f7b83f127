# shellcheck shell=bash
# pg.sh: a throwaway PostgreSQL server for the tests. Source it, don't run it:
#
#   source scripts/pg.sh
#   pg_start || exit 1      # exports PBXGATE_TEST_POSTGRES
#   trap pg_stop EXIT       # or call pg_stop when done; safe to call twice
#   go test -race ./...
#
# pg_start finds PostgreSQL's binaries (pg_config --bindir, else the newest
# /usr/lib/postgresql/*/bin), installs the Debian package postgresql when
# there are none, and starts a new cluster in a fresh temporary directory:
# listening on 127.0.0.1 only, on a free port between 20000 and 40000, unix
# socket in that directory, trust authentication (nothing in it is worth
# protecting; nothing but loopback can reach it), fsync off. PostgreSQL
# refuses to run as root, so as root the cluster runs as the system user
# postgres (made by the Debian package) or else pbxgate-test (created here).
#
# Sourcing changes no shell option; the functions return non-zero on failure
# and never exit the calling shell.

_PG_DIR=${_PG_DIR:-}      # the cluster's temporary directory, while one runs
_PG_BINDIR=${_PG_BINDIR:-}   # PostgreSQL's bin directory, while one runs
_PG_USER=${_PG_USER:-}     # the user the server runs as when we are root, else empty
_PG_APT_UPDATED=${_PG_APT_UPDATED:-}

_pg_log() { printf 'pg.sh: %s\n' "$*" >&2; }

# _pg_bindir prints the directory holding initdb and pg_ctl, newest version
# first, or fails.
_pg_bindir() {
	local d
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null)
		if [[ -n $d && -x $d/initdb && -x $d/pg_ctl ]]; then
			printf '%s\n' "$d"
			return 0
		fi
	fi
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [[ -n $d && -x $d/initdb && -x $d/pg_ctl ]]; then
		printf '%s\n' "$d"
		return 0
	fi
	return 1
}

# _pg_install installs the Debian package postgresql.
_pg_install() {
	if [[ $EUID -ne 0 ]]; then
		_pg_log "PostgreSQL is not installed and we are not root: install the package postgresql"
		return 1
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		_pg_log "PostgreSQL is not installed and there is no apt-get"
		return 1
	fi
	_pg_log "installing the Debian package postgresql"
	if [[ -z $_PG_APT_UPDATED ]]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || return 1
		_PG_APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 || return 1
}

# _pg_server_user prints the unprivileged user to run the server as when we
# are root, creating pbxgate-test if there is no postgres user.
_pg_server_user() {
	local u
	for u in postgres pbxgate-test; do
		if id -u "$u" >/dev/null 2>&1; then
			printf '%s\n' "$u"
			return 0
		fi
	done
	useradd --system --no-create-home --shell /usr/sbin/nologin pbxgate-test >&2 || return 1
	printf '%s\n' pbxgate-test
}

# _pg_as runs a command as the server's user.
_pg_as() {
	if [[ -n $_PG_USER ]]; then
		runuser -u "$_PG_USER" -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	if [[ -n $_PG_DIR ]]; then
		_pg_log "pg_start: a server is already running in $_PG_DIR"
		return 0
	fi
	local bindir
	if ! bindir=$(_pg_bindir); then
		_pg_install || return 1
		bindir=$(_pg_bindir) || { _pg_log "initdb not found after installing postgresql"; return 1; }
	fi
	local user=""
	if [[ $EUID -eq 0 ]]; then
		user=$(_pg_server_user) || return 1
	fi

	local dir
	dir=$(mktemp -d -t pbxgate-pg.XXXXXXXX) || return 1
	_PG_DIR=$dir
	_PG_BINDIR=$bindir
	_PG_USER=$user
	chmod 700 "$dir"
	if [[ -n $user ]]; then
		chown "$user:" "$dir" || { pg_stop; return 1; }
		if ! runuser -u "$user" -- test -w "$dir"; then
			_pg_log "$user cannot write to $dir (is TMPDIR inside a private directory?)"
			pg_stop
			return 1
		fi
	fi

	# UTF-8 text in the C.UTF-8 locale where there is one, else plain C.
	local locale ok=""
	for locale in C.UTF-8 C; do
		rm -rf -- "$dir/data"
		if _pg_as "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust \
			--encoding=UTF8 --locale="$locale" >"$dir/initdb.log" 2>&1; then
			ok=1
			break
		fi
	done
	if [[ -z $ok ]]; then
		_pg_log "initdb failed:"
		cat "$dir/initdb.log" >&2
		pg_stop
		return 1
	fi
	_pg_as tee -a "$dir/data/postgresql.conf" >/dev/null <<-EOF
		# pg.sh: a throwaway test server.
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$dir'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
	EOF

	local try port
	for ((try = 0; try < 20; try++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 20001))
		if _pg_as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
			export PBXGATE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
			_pg_log "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
			return 0
		fi
		# Most likely the port was taken: try another.
	done
	_pg_log "could not start PostgreSQL; last server log:"
	tail -n 20 "$dir/server.log" >&2 2>/dev/null
	pg_stop
	return 1
}

pg_stop() {
	if [[ -z $_PG_DIR ]]; then
		return 0
	fi
	if [[ -f $_PG_DIR/data/postmaster.pid ]]; then
		_pg_as "$_PG_BINDIR/pg_ctl" -D "$_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 ||
			_pg_log "pg_ctl stop failed"
	fi
	rm -rf -- "$_PG_DIR"
	_PG_DIR=""
	_PG_BINDIR=""
	_PG_USER=""
	unset PBXGATE_TEST_POSTGRES
	return 0
}
