#!/bin/sh
# pitr-drill.sh: the point-in-time recovery drill of checklist R-DU3, on a
# private PostgreSQL cluster with WAL archived by pgBackRest:
#
#   full backup; write agency A; note the time T; write agency B;
#   restore --type=time --target=T; A is present and B absent;
#   pgbackrest verify is clean.
#
# It needs PostgreSQL's server binaries (initdb, pg_ctl), pgbackrest and a
# flare binary. It touches nothing outside a temporary directory, and runs
# the cluster on its own port, so it is safe next to a production server.
# Run as root it runs PostgreSQL as the postgres user.
#
#   go build -o /tmp/flare ./cmd/flare && sh backup/pitr-drill.sh /tmp/flare
#
# Exit 0 when the drill passes; anything else is a failure, with the step.
set -eu

FLARE=${1:?usage: pitr-drill.sh PATH-TO-FLARE-BINARY}
FLARE=$(readlink -f "$FLARE")
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PORT=${PITR_PORT:-55439}
WORK=$(mktemp -d /tmp/flare-pitr.XXXXXX)
chmod 0755 "$WORK"
URL="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}
step() { printf '== %s\n' "$*"; }
fail() {
	printf 'PITR DRILL FAILED: %s\n' "$*" >&2
	# The work directory goes at exit: show the server's last words first.
	for log in "$WORK/initdb.log" "$WORK/postgres.log"; do
		if [ -f "$log" ]; then
			printf -- '--- last lines of %s\n' "$log" >&2
			tail -n 15 "$log" >&2
		fi
	done
	exit 1
}
cleanup() {
	as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

[ -x "$PGBIN/initdb" ] || fail "no PostgreSQL server binaries (set PGBIN)"
command -v pgbackrest >/dev/null || fail "pgbackrest is not installed"

step "private cluster on port $PORT in $WORK"
if [ "$(id -u)" = 0 ]; then chown postgres "$WORK"; fi
as_pg mkdir -p "$WORK/repo" "$WORK/log" "$WORK/lock" "$WORK/spool"
as_pg "$PGBIN/initdb" -D "$WORK/data" -A trust -U postgres >"$WORK/initdb.log" 2>&1 || fail "initdb"
as_pg sh -c "cat > '$WORK/pgbackrest.conf'" <<EOF
[global]
repo1-path=$WORK/repo
repo1-retention-full=2
log-path=$WORK/log
lock-path=$WORK/lock
spool-path=$WORK/spool
log-level-console=warn

[flare]
pg1-path=$WORK/data
pg1-port=$PORT
pg1-socket-path=$WORK
EOF
BR="pgbackrest --config=$WORK/pgbackrest.conf --stanza=flare"
as_pg sh -c "cat >> '$WORK/data/postgresql.conf'" <<EOF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
wal_level = replica
archive_mode = on
archive_command = '$BR archive-push %p'
max_wal_senders = 3
EOF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/postgres.log" -w start >/dev/null || fail "start PostgreSQL"

step "pgbackrest stanza and full backup"
as_pg $BR stanza-create || fail "stanza-create"
as_pg $BR check || fail "check: WAL archiving does not work"
"$FLARE" migrate up --database "$URL" >/dev/null || fail "flare migrate up"
as_pg $BR --type=full backup || fail "full backup"

step "write A, note T, write B"
"$FLARE" agency create --name "PITR drill A" --kind police --database "$URL" >/dev/null || fail "write A"
sleep 1
T=$(as_pg "$PGBIN/psql" -h "$WORK" -p "$PORT" -U postgres -Atc "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
sleep 1
"$FLARE" agency create --name "PITR drill B" --kind police --database "$URL" >/dev/null || fail "write B"
# Archive the WAL that holds B, so that the restore has to stop before it.
as_pg $BR check >/dev/null || fail "archive the last WAL segment"
echo "T = $T"

step "restore --type=time --target=T"
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null || fail "stop PostgreSQL"
as_pg $BR --delta --type=time "--target=$T" --target-action=promote restore || fail "restore"
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/postgres.log" -w -t 120 start >/dev/null || fail "start the restored cluster"
# Recovery ends with a promotion; wait for it before writing or reading.
i=0
until [ "$(as_pg "$PGBIN/psql" -h "$WORK" -p "$PORT" -U postgres -Atc 'SELECT pg_is_in_recovery()')" = f ]; do
	i=$((i + 1))
	[ "$i" -lt 60 ] || fail "the restored cluster did not leave recovery"
	sleep 1
done

step "check: A present, B absent"
LIST=$("$FLARE" agency list --database "$URL") || fail "flare agency list"
echo "$LIST" | grep -q "PITR drill A" || fail "A, written before T, is missing after the restore"
if echo "$LIST" | grep -q "PITR drill B"; then fail "B, written after T, is present after the restore"; fi

step "pgbackrest verify"
as_pg $BR verify || fail "pgbackrest verify"
echo "PITR drill OK: restored to $T, A present, B absent, pgbackrest verify clean"
