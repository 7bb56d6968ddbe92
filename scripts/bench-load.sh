#!/usr/bin/env bash
# Objects under load (bench/README.md): builds the server and the load
# generator, starts a dedicated Postgres cluster with durable commits, a
# fresh platform_bench database and a server with pprof, preloads objects,
# runs every scenario against the server and its PostgreSQL floor (pgbench
# with the same statements), and writes the results table into
# bench/README.md.
#
# Knobs (environment):
#   BENCH_DURATION=10s BENCH_WARMUP=2s   per measurement
#   BENCH_CLIENTS="2 16"                 concurrent clients
#   BENCH_OBJECTS=10000                  preloaded objects for every scenario
#   BENCH_SEARCH_OBJECTS=1000000         preloaded objects for the second search run (0: skip)
#   BENCH_README=bench/README.md         where the table goes ("-": print it)
#   BENCH_PG_PORT=55433                  the dedicated cluster's port
# Quick check: BENCH_DURATION=2s BENCH_WARMUP=1s BENCH_OBJECTS=1000 BENCH_SEARCH_OBJECTS=0 scripts/bench-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
CLIENTS=${BENCH_CLIENTS:-"2 16"}
OBJECTS=${BENCH_OBJECTS:-10000}
SEARCH_OBJECTS=${BENCH_SEARCH_OBJECTS:-1000000}
README=${BENCH_README:-bench/README.md}
PG_PORT=${BENCH_PG_PORT:-55433}
API_PORT=${BENCH_API_PORT:-18080}
PPROF_PORT=${BENCH_PPROF_PORT:-18081}
STATE_DIR=${PLATFORM_STATE_DIR:-/var/tmp/platform}
PGDATA_DIR=$STATE_DIR/pg-bench
WORK=$(mktemp -d /tmp/bench-load.XXXXXX)
ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
BENCH_DB=platform_bench
BENCH_URL="postgres://postgres@127.0.0.1:$PG_PORT/$BENCH_DB?sslmode=disable"
API="http://127.0.0.1:$API_PORT"
# Its own Redis database: rate-limit windows and caches stay apart from the tests'.
REDIS=${BENCH_REDIS_URL:-redis://127.0.0.1:56379/9}
export PATH=/usr/local/go/bin:$PATH:/usr/local/sbin:/usr/sbin:/sbin
export GOFLAGS="-buildvcs=false ${GOFLAGS:-}"

log() { echo "bench-load: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Postgres refuses to run as root: as root run its tools as `postgres`.
as_pg() { if ((EUID == 0)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
pg_bin() { find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n1; }
sql() { psql -w -X -q -v ON_ERROR_STOP=1 "$@"; }

# The shared development cluster runs with fsync=off (scripts/services.sh),
# so durable commits can only be measured on a cluster of our own: stock
# durability settings, a buffer cache that holds the million-object table.
start_cluster() {
	local bin; bin=$(pg_bin)
	[[ -x "$bin/initdb" ]] || die "no initdb under /usr/lib/postgresql/*/bin (run scripts/services.sh once)"
	if [[ ! -s "$PGDATA_DIR/PG_VERSION" ]]; then
		log "creating the benchmark cluster in $PGDATA_DIR"
		rm -rf "$PGDATA_DIR" && mkdir -p "$PGDATA_DIR" && chmod 700 "$PGDATA_DIR"
		((EUID != 0)) || chown postgres:postgres "$PGDATA_DIR"
		as_pg "$bin/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >&2
		cat >>"$PGDATA_DIR/postgresql.conf" <<EOF

# --- benchmark cluster (scripts/bench-load.sh): durable commits, as in production ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGDATA_DIR'
max_connections = 100
shared_buffers = 1GB
effective_cache_size = 4GB
work_mem = 16MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
	fi
	if ! as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
		log "starting the benchmark cluster on 127.0.0.1:$PG_PORT"
		(as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -o "-p $PG_PORT" -w -t 30 start) \
			</dev/null >&2 || die "Postgres failed to start; see $PGDATA_DIR/server.log"
	fi
}

stop_cluster() {
	as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >&2 || true
}

fresh_database() {
	log "recreating database $BENCH_DB"
	sql "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB"
}

# sync_commit on|off: a database setting, read by each new connection, so
# the server is restarted after a change (its pool keeps its connections).
sync_commit() {
	sql "$ADMIN_URL" -c "ALTER DATABASE $BENCH_DB SET synchronous_commit = $1"
}

SERVER_PID=
start_server() {
	log "starting the server on $API (pprof on 127.0.0.1:$PPROF_PORT)"
	PLATFORM_ADDR=127.0.0.1:$API_PORT PLATFORM_PPROF_ADDR=127.0.0.1:$PPROF_PORT \
		DATABASE_URL=$BENCH_URL REDIS_URL=$REDIS PLATFORM_SECRET=bench-load-secret \
		DATABASE_MAX_CONNS=${BENCH_MAX_CONNS:-20} "$WORK/platform" serve >>"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 100); do
		curl -fsS "$API/health" >/dev/null 2>&1 && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || die "server exited; see $WORK/server.log"
		sleep 0.2
	done
	die "server did not answer; see $WORK/server.log"
}

stop_server() {
	if [[ -n "$SERVER_PID" ]]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
}

restart_server() { stop_server; start_server; }

cleanup() {
	stop_server
	[[ -n "${BENCH_KEEP_CLUSTER:-}" ]] || stop_cluster
}
trap cleanup EXIT

load() { "$WORK/load" "$@"; }
# platform runs the built server binary against the benchmark database.
platform() {
	DATABASE_URL=$BENCH_URL REDIS_URL=$REDIS PLATFORM_SECRET=bench-load-secret "$WORK/platform" "$@"
}

# capture: one request of each scenario with log_statement = all on the
# benchmark database; the statements become the floor's pgbench scripts
# (kept in bench/load/pgbench/ for reading).
capture() {
	local out=$1 only=$2
	log "capturing the statements of: $only"
	sql "$ADMIN_URL" -c "ALTER DATABASE $BENCH_DB SET log_statement = 'all'"
	restart_server
	sleep 6 # the server's start-up jobs log their statements too: let them pass
	mkdir -p "$out"
	load capture --state "$WORK/state.json" --log "$PGDATA_DIR/server.log" --out "$out" --scenarios "$only"
	sql "$ADMIN_URL" -c "ALTER DATABASE $BENCH_DB RESET log_statement"
	restart_server
}

# measure SCENARIO LABEL [profile]: the server, then its floor (the
# scripts in $SCRIPTS), at every client count.
SCRIPTS=
measure() {
	local scenario=$1 label=$2 profile=${3:-}
	for c in $CLIENTS; do
		local prof=()
		if [[ -n "$profile" && "$c" == "${CLIENTS##* }" ]]; then
			prof=(--pprof "http://127.0.0.1:$PPROF_PORT" --profile-out "$WORK/cpu-$scenario.pprof")
		fi
		log "$scenario ($label), $c clients"
		load run --state "$WORK/state.json" --scenario "$scenario" --clients "$c" --duration "$DURATION" \
			--warmup "$WARMUP" --label "$label" "${prof[@]}" >>"$WORK/results.jsonl" ||
			log "$scenario: failed requests (marked in the table)"
		load floor --state "$WORK/state.json" --db "$BENCH_URL" --scenario "$scenario" --clients "$c" \
			--duration "$DURATION" --label "$label" --work "$WORK" --scripts "$SCRIPTS" >>"$WORK/results.jsonl"
	done
}

main() {
	log "work directory $WORK"
	log "building"
	go build -o "$WORK/platform" ./cmd/platform
	go build -o "$WORK/load" ./bench/load
	start_cluster
	fresh_database
	sync_commit on
	platform migrate >&2
	start_server

	local creds
	creds=$(platform tenant create --name bench --plan enterprise --json)
	load setup --url "$API" --credentials "$creds" --state "$WORK/state.json"
	load preload --state "$WORK/state.json" --db "$BENCH_URL" --objects "$OBJECTS"
	load verify --state "$WORK/state.json"
	capture "$WORK/capture" get,search,create,update,batch
	SCRIPTS=$WORK/capture
	mkdir -p bench/load/pgbench
	cp "$SCRIPTS"/*.sql bench/load/pgbench/

	uptime >"$WORK/uptime-start.txt"
	# Durable commits (the cluster's default).
	measure get durable profile
	measure search durable profile
	measure create durable
	measure update durable
	measure batch durable
	# The like-for-like comparison with servers that do not wait for the disk.
	sync_commit off
	restart_server
	measure create sync-off
	measure update sync-off
	measure batch sync-off
	sync_commit on
	restart_server

	if ((SEARCH_OBJECTS > OBJECTS)); then
		load preload --state "$WORK/state.json" --db "$BENCH_URL" --objects "$SEARCH_OBJECTS"
		load verify --state "$WORK/state.json"
		# At this size the server may send other statements (an estimated
		# total): capture them again.
		capture "$WORK/capture-large" search
		SCRIPTS=$WORK/capture-large
		cp "$SCRIPTS/search.sql" bench/load/pgbench/search-large.sql
		measure search "${SEARCH_OBJECTS}-objects"
	fi
	uptime >"$WORK/uptime-end.txt"

	for p in "$WORK"/cpu-*.pprof; do
		[[ -e "$p" ]] || continue
		go tool pprof -top -nodecount=25 "$WORK/platform" "$p" >"${p%.pprof}.top.txt" 2>/dev/null || true
	done
	load report --results "$WORK/results.jsonl" --work "$WORK" --readme "$README"
	log "done; raw results, server log and profiles in $WORK"
}

main "$@"
