#!/usr/bin/env bash
# Make sure Postgres and Redis are reachable for `make run` / `make test`.
# Prints `export DATABASE_URL=...` and `export REDIS_URL=...` on stdout (all
# other output goes to stderr), so callers do: eval "$(scripts/services.sh)"
#   scripts/services.sh stop   stops the project-local servers started here.
#
# Order for each service: the URL from the environment if it answers, then a
# developer's own server on the standard port, else a project-local server
# (installed from Debian if needed) with its own data dir, so we never depend
# on how the system cluster's pg_hba.conf or a system redis is set up.
set -euo pipefail

# /var/tmp rather than $HOME: the postgres user must be able to reach the data
# dir, and root's home is mode 700.
STATE_DIR=${PLATFORM_STATE_DIR:-/var/tmp/platform}
PG_PORT=${PLATFORM_PG_PORT:-55432}
REDIS_PORT=${PLATFORM_REDIS_PORT:-56379}
PGDATA_DIR=$STATE_DIR/pg
LOCAL_PG_URL="postgres://platform@127.0.0.1:$PG_PORT/platform?sslmode=disable"
LOCAL_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export DEBIAN_FRONTEND=noninteractive PGCONNECT_TIMEOUT=3
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin   # runuser, apt-get: CI's PATH may lack sbin

log() { echo "services: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
mask() { sed -E 's#//([^:/@]*):[^@/]*@#//\1:***@#' <<<"$1"; }   # hide passwords in logs

pg_ok() { command -v psql >/dev/null && psql -w -Atqc 'select 1' "$1" >/dev/null 2>&1; }
redis_ok() { command -v redis-cli >/dev/null && [[ "$(timeout 5 redis-cli -u "$1" ping 2>/dev/null)" == PONG ]]; }

# Retry a check for up to 30 s; servers take a moment to accept connections.
wait_for() {
  local what=$1; shift
  for _ in $(seq 60); do "$@" && return 0; sleep 0.5; done
  die "$what did not answer within 30 s (logs under $STATE_DIR)"
}

sudo_() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }
apt_install() {
  log "installing Debian packages: $*"
  sudo_ apt-get update -qq >&2
  # Package postinst scripts may try to start system services; without systemd
  # that fails or is skipped, which is fine: we run our own servers.
  detached sudo_ apt-get install -y -qq -o Dpkg::Use-Pty=0 "$@" >&2 || die "apt-get install $* failed"
}

# Postgres refuses to run as root, so as root run its tools as `postgres`
# (from / so it never tries to read the caller's unreadable cwd).
as_pg() {
  if ((EUID == 0)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Run a command that leaves a server behind with only stdin/stdout/stderr open:
# otherwise the server inherits our flock fd (and holds the lock forever) and
# any pipe our caller (make, CI) passed down, which would then never see EOF.
detached() {
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done
    "$@"
  ) </dev/null
}

pg_bin() { find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n1; }

start_local_pg() {
  [[ -n "$(pg_bin)" && -x "$(pg_bin)/initdb" ]] || apt_install postgresql postgresql-contrib
  local bin; bin=$(pg_bin)
  [[ -x "$bin/initdb" ]] || die "no initdb under /usr/lib/postgresql/*/bin"

  if [[ ! -s "$PGDATA_DIR/PG_VERSION" ]]; then
    log "creating project-local Postgres cluster in $PGDATA_DIR"
    rm -rf "$PGDATA_DIR"   # left over from an interrupted initdb
    mkdir -p "$PGDATA_DIR"
    ((EUID != 0)) || chown postgres:postgres "$PGDATA_DIR"
    chmod 700 "$PGDATA_DIR"
    as_pg test -w "$PGDATA_DIR" || die "postgres user cannot write $PGDATA_DIR (check parent dir permissions)"
    # trust auth is fine: the server only listens on 127.0.0.1 and the socket is in its data dir.
    as_pg "$bin/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >&2
    # Throwaway test data: trade durability for speed, allow many parallel test pools.
    cat >>"$PGDATA_DIR/postgresql.conf" <<EOF

# --- platform test settings (scripts/services.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGDATA_DIR'
max_connections = 200
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  fi

  if ! as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    log "starting project-local Postgres on 127.0.0.1:$PG_PORT"
    # -l sends the server's output to a file, so it never holds our stdout/stderr open.
    detached as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -o "-p $PG_PORT" -w -t 30 start >&2 \
      || die "Postgres failed to start; see $PGDATA_DIR/server.log"
  fi
  local admin="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
  wait_for Postgres pg_ok "$admin"

  # Superuser: the Go test helpers create a database per test package.
  psql -w -q -v ON_ERROR_STOP=1 "$admin" >&2 <<'SQL'
SELECT 'CREATE ROLE platform LOGIN SUPERUSER' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'platform')\gexec
SELECT 'CREATE DATABASE platform OWNER platform' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'platform')\gexec
SQL
}

start_local_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting project-local Redis on 127.0.0.1:$REDIS_PORT"
  # No persistence: test data only. --daemonize detaches from our stdout/stderr.
  detached redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --dir "$STATE_DIR" --logfile "$STATE_DIR/redis.log" --pidfile "$STATE_DIR/redis.pid" >&2 \
    || die "redis-server failed to start; see $STATE_DIR/redis.log"
}

mkdir -p "$STATE_DIR"
chmod 755 "$STATE_DIR"   # the postgres user must traverse it to reach $PGDATA_DIR
# Serialise concurrent runs (parallel make, two terminals): initdb/apt must not race.
exec 9>"$STATE_DIR/services.lock"
flock -w 300 9 || die "timed out waiting for $STATE_DIR/services.lock"

if [[ "${1:-}" == stop ]]; then
  if [[ -s "$PGDATA_DIR/PG_VERSION" ]] && as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >&2
  fi
  if redis_ok "$LOCAL_REDIS_URL"; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >&2 || true
    log "stopped Redis on port $REDIS_PORT"
  fi
  exit 0
fi

# --- Postgres ---
SYSTEM_PG_URL="postgres://platform:platform@127.0.0.1:5432/platform?sslmode=disable"
if [[ -n "${DATABASE_URL:-}" ]] && pg_ok "$DATABASE_URL"; then
  db_url=$DATABASE_URL
else
  [[ -z "${DATABASE_URL:-}" ]] || log "DATABASE_URL ($(mask "$DATABASE_URL")) does not answer; ignoring it"
  if pg_ok "$SYSTEM_PG_URL"; then   # a developer's own server with the project role
    db_url=$SYSTEM_PG_URL
  else
    start_local_pg
    db_url=$LOCAL_PG_URL
    wait_for "Postgres ($db_url)" pg_ok "$db_url"
  fi
fi

# --- Redis ---
if [[ -n "${REDIS_URL:-}" ]] && redis_ok "$REDIS_URL"; then
  redis_url=$REDIS_URL
else
  [[ -z "${REDIS_URL:-}" ]] || log "REDIS_URL ($(mask "$REDIS_URL")) does not answer; ignoring it"
  redis_ok "$LOCAL_REDIS_URL" || start_local_redis
  redis_url=$LOCAL_REDIS_URL
  wait_for "Redis ($redis_url)" redis_ok "$redis_url"
fi

log "Postgres: $(mask "$db_url")"
log "Redis:    $(mask "$redis_url")"
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }   # single-quote for eval
echo "export DATABASE_URL=$(sq "$db_url")"
echo "export REDIS_URL=$(sq "$redis_url")"
