#!/usr/bin/env bash
# Throwaway PostgreSQL 15 and Redis for the test suite, on loopback and unusual ports.
#
#   scripts/services.sh start [postgres] [redis]   start (default: both); already running is fine
#   scripts/services.sh stop  [postgres] [redis]   stop; not running is fine
#   scripts/services.sh status                     say what runs
#   scripts/services.sh env                        print the exports the test suite reads:
#                                                  eval "$(scripts/services.sh env)"
#
# Everything lives under $LEPES_SERVICES_DIR (default /tmp/lepes-services): PostgreSQL's data,
# socket and log, Redis's pid file and log. Nothing is persisted that a test run needs to keep:
# fsync is off and Redis saves nothing. `stop` keeps the data directory, so a second `start` is
# quick; `rm -rf` the directory for a clean slate.
#
# As root, PostgreSQL runs as the system user `postgres` (created when missing), because it
# refuses to run as root. As any other user it runs as that user.
#
# Settings (environment):
#   LEPES_SERVICES_DIR  default /tmp/lepes-services
#   LEPES_PG_PORT       default 55432
#   LEPES_PG_BIN        directory with initdb, pg_ctl and postgres; default: found on PATH,
#                       /usr/local/bin, or /usr/lib/postgresql/15/bin
#   LEPES_REDIS_PORT    default 56379
#   LEPES_PG_FSYNC      `on`: a durable cluster for `make bench` (fsync, synchronous_commit and
#                       full_page_writes on, BENCHMARKS.md's memory and planner settings);
#                       default off (tests). Give it its own LEPES_SERVICES_DIR and port, e.g.
#                       LEPES_PG_FSYNC=on LEPES_PG_PORT=55433 LEPES_SERVICES_DIR=/tmp/lepes-bench \
#                           scripts/services.sh start postgres
set -euo pipefail

DIR="${LEPES_SERVICES_DIR:-/tmp/lepes-services}"
PG_PORT="${LEPES_PG_PORT:-55432}"
REDIS_PORT="${LEPES_REDIS_PORT:-56379}"
PG_DB="lepes"
PG_DIR="$DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
REDIS_DIR="$DIR/redis"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

say() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

pg_bin() {
    local name="$1" candidate
    for candidate in "${LEPES_PG_BIN:+$LEPES_PG_BIN/$name}" /usr/local/bin/"$name" \
        /usr/lib/postgresql/15/bin/"$name" "$(command -v "$name" 2>/dev/null || true)"; do
        if [[ -n "$candidate" && -x "$candidate" ]]; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    die "PostgreSQL's $name not found (set LEPES_PG_BIN to the directory holding it)"
}

# Runs a PostgreSQL binary as the user that owns the cluster.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_running() {
    [[ -f "$PG_DATA/PG_VERSION" ]] && as_pg "$(pg_bin pg_ctl)" -D "$PG_DATA" status >/dev/null 2>&1
}

redis_running() {
    [[ -f "$REDIS_PID" ]] && kill -0 "$(cat "$REDIS_PID")" 2>/dev/null
}

pg_url() { printf 'postgres://postgres@127.0.0.1:%s/%s' "$PG_PORT" "$PG_DB"; }
redis_url() { printf 'redis://127.0.0.1:%s/0' "$REDIS_PORT"; }

start_postgres() {
    if pg_running; then
        say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
        return 0
    fi
    local initdb pg_ctl postgres
    initdb="$(pg_bin initdb)"
    pg_ctl="$(pg_bin pg_ctl)"
    postgres="$(pg_bin postgres)"
    if [[ $EUID -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
        say "creating system user postgres"
        useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
            --shell /usr/sbin/nologin postgres
    fi
    mkdir -p "$PG_DIR"
    chmod 700 "$PG_DIR"
    if [[ $EUID -eq 0 ]]; then
        chown postgres:postgres "$PG_DIR"
    fi
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
        say "initdb $PG_DATA"
        as_pg "$initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
            --no-sync >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
        # The application database, created in single-user mode: no client binaries needed.
        # (The test runner creates test_lepes itself, through the maintenance database.)
        echo "CREATE DATABASE $PG_DB;" |
            as_pg "$postgres" --single -D "$PG_DATA" -F -c exit_on_error=true postgres \
                >"$PG_DIR/createdb.log" 2>&1 || { cat "$PG_DIR/createdb.log" >&2; exit 1; }
    fi
    # Test-only durability settings by default: a crash loses the cluster, which nobody needs
    # to keep. LEPES_PG_FSYNC=on: what a deployment runs with, for the benchmark's figures.
    local settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off \
-c shared_buffers=128MB"
    if [[ "${LEPES_PG_FSYNC:-off}" == on ]]; then
        settings="-c fsync=on -c synchronous_commit=on -c full_page_writes=on \
-c shared_buffers=512MB -c work_mem=16MB -c maintenance_work_mem=512MB -c max_wal_size=4GB \
-c random_page_cost=1.1 -c effective_cache_size=8GB"
    fi
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT, fsync ${LEPES_PG_FSYNC:-off} (log: $PG_LOG)"
    as_pg "$pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -o "\
-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR \
$settings -c max_connections=100" start >/dev/null ||
        { tail -n 30 "$PG_LOG" >&2 || true; die "PostgreSQL did not start"; }
}

stop_postgres() {
    if ! pg_running; then
        say "PostgreSQL not running"
        return 0
    fi
    say "stopping PostgreSQL"
    as_pg "$(pg_bin pg_ctl)" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
}

start_redis() {
    if redis_running; then
        say "Redis already running on 127.0.0.1:$REDIS_PORT"
        return 0
    fi
    command -v redis-server >/dev/null ||
        die "redis-server not found (apt-get install redis-server), or start only postgres"
    mkdir -p "$REDIS_DIR"
    rm -f "$REDIS_PID"
    say "starting Redis on 127.0.0.1:$REDIS_PORT (log: $REDIS_LOG)"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_LOG"
    local _
    for _ in $(seq 1 50); do
        if redis_running; then
            return 0
        fi
        sleep 0.1
    done
    tail -n 30 "$REDIS_LOG" >&2 || true
    die "Redis did not start"
}

stop_redis() {
    if ! redis_running; then
        say "Redis not running"
        rm -f "$REDIS_PID"
        return 0
    fi
    local pid _
    pid="$(cat "$REDIS_PID")"
    say "stopping Redis (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 50); do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$REDIS_PID"
            return 0
        fi
        sleep 0.1
    done
    die "Redis (pid $pid) did not stop"
}

status() {
    if pg_running; then say "PostgreSQL: running, $(pg_url)"; else say "PostgreSQL: stopped"; fi
    if redis_running; then say "Redis: running, $(redis_url)"; else say "Redis: stopped"; fi
}

print_env() {
    if pg_running; then printf 'export TEST_DATABASE_URL=%q\n' "$(pg_url)"; fi
    if redis_running; then printf 'export TEST_REDIS_URL=%q\n' "$(redis_url)"; fi
}

command="${1:-}"
shift || true
services=("$@")
if [[ ${#services[@]} -eq 0 ]]; then
    services=(postgres redis)
fi
for service in "${services[@]}"; do
    [[ "$service" == postgres || "$service" == redis ]] ||
        die "unknown service '$service' (postgres, redis)"
done

case "$command" in
start)
    for service in "${services[@]}"; do "start_$service"; done
    ;;
stop)
    # Stop everything asked for even if one of them fails.
    rc=0
    for service in "${services[@]}"; do "stop_$service" || rc=1; done
    exit "$rc"
    ;;
status) status ;;
env) print_env ;;
*)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
