#!/usr/bin/env bash
# The production topology on loopback, checked end to end, then torn down:
#
#   PostgreSQL + Redis  (scripts/services.sh, in a directory of this run; or yours, see below)
#   two daphne workers  127.0.0.1:18081 and :18082, config.settings.production, --proxy-headers
#   nginx               https://127.0.0.1:18080 in front of both (deploy/nginx/smoke.conf.in): TLS
#                       with a certificate made for the run, websockets upgraded, static files
#                       from WhiteNoise after collectstatic
#
# then, through nginx only (deploy/smoke_check.py): a page, a static file, a login, the
# notification websocket, a notification pushed by a third process through Redis, and both
# workers serving. Everything started here is stopped on exit, whatever happened.
#
#   deploy/smoke.sh                      needs nginx, redis-server and PostgreSQL's server binaries
#
# Environment: SMOKE_HTTP_PORT (18080), SMOKE_WORKER_PORTS ("18081 18082"), SMOKE_PG_PORT (55437),
# SMOKE_REDIS_PORT (56391); SMOKE_DATABASE_URL and SMOKE_REDIS_URL to use running services
# instead (the database is migrated: give a throwaway one). NGINX (nginx), PY (.venv/bin/python).
# The production settings run unchanged (SSL redirect, secure cookies, HSTS): nginx speaks TLS.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="${PY:-$ROOT/.venv/bin/python}"
DAPHNE="${DAPHNE:-$(dirname "$PY")/daphne}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
HTTP_PORT="${SMOKE_HTTP_PORT:-18080}"
read -r -a WORKER_PORTS <<<"${SMOKE_WORKER_PORTS:-18081 18082}"
RUN="$(mktemp -d /tmp/lepes-smoke.XXXXXX)"
chmod 755 "$RUN"
started=$SECONDS

say() { printf '[smoke] %s\n' "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

[[ -x "$PY" ]] || die "no $PY (make install)"
[[ -x "$NGINX" ]] || die "nginx not found (apt-get install -y nginx)"
[[ ${#WORKER_PORTS[@]} -eq 2 ]] || die "SMOKE_WORKER_PORTS needs two ports"
for port in "$HTTP_PORT" "${WORKER_PORTS[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port is in use (set SMOKE_HTTP_PORT / SMOKE_WORKER_PORTS)"
    fi
done

worker_pids=()
own_services=0
nginx_conf="$RUN/nginx.conf"

cleanup() {
    local status=$?
    set +e
    if [[ -f "$RUN/nginx.pid" ]]; then
        "$NGINX" -p "$RUN" -c "$nginx_conf" -s quit 2>/dev/null || kill "$(cat "$RUN/nginx.pid")"
    fi
    for pid in "${worker_pids[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${worker_pids[@]}"; do
        wait "$pid" 2>/dev/null
    done
    if [[ $status -ne 0 ]]; then
        for log in "$RUN"/*.log; do
            [[ -f "$log" ]] || continue
            say "--- last lines of $(basename "$log")"
            tail -n 15 "$log"
        done
    fi
    if [[ $own_services == 1 ]]; then
        LEPES_SERVICES_DIR="$RUN/services" LEPES_PG_PORT="$PG_PORT" LEPES_REDIS_PORT="$REDIS_PORT" \
            scripts/services.sh stop >/dev/null
    fi
    rm -rf "$RUN"
    say "finished with exit status $status after $((SECONDS - started)) s"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -- PostgreSQL and Redis ----------------------------------------------------------------------
if [[ -n "${SMOKE_DATABASE_URL:-}" && -n "${SMOKE_REDIS_URL:-}" ]]; then
    DATABASE_URL="$SMOKE_DATABASE_URL"
    REDIS_URL="$SMOKE_REDIS_URL"
else
    PG_PORT="${SMOKE_PG_PORT:-55437}"
    REDIS_PORT="${SMOKE_REDIS_PORT:-56391}"
    own_services=1
    LEPES_SERVICES_DIR="$RUN/services" LEPES_PG_PORT="$PG_PORT" LEPES_REDIS_PORT="$REDIS_PORT" \
        scripts/services.sh start | sed 's/^/[smoke] /'
    DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/lepes"
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
fi

# -- the application, as deployed ------------------------------------------------------------
export DJANGO_SETTINGS_MODULE=config.settings.production
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY DATABASE_URL REDIS_URL
export ALLOWED_HOSTS="127.0.0.1,localhost"
export CSRF_TRUSTED_ORIGINS="https://127.0.0.1:$HTTP_PORT"
export STATIC_ROOT="$RUN/static"
export DB_POOL_MAX=5  # the pooled connections of each worker, as deploy/README.md sets them
export LOG_LEVEL=WARNING

say "manage.py check --deploy (production settings, as a real site runs them)"
"$PY" manage.py check --deploy --fail-level WARNING
say "migrate, collectstatic"
"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py collectstatic --no-input -v 0

USERNAME="smoke-mentor"
PASSWORD="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(16))')"
SMOKE_PASSWORD="$PASSWORD" "$PY" manage.py shell -v 0 -c "
import os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from casework.models import Organisation, StaffProfile
from casework.roles import Role
organisation, _ = Organisation.objects.get_or_create(
    name='Smoke test organisation', defaults={'kind': 'ngo', 'settlement': 'Ózd'})
user, _ = get_user_model().objects.get_or_create(username='$USERNAME')
user.set_password(os.environ['SMOKE_PASSWORD'])
user.save()
user.groups.add(Group.objects.get(name=Role.MENTOR))
StaffProfile.objects.get_or_create(user=user, defaults={'organisation': organisation, 'language': 'en'})
"

# -- two daphne workers ------------------------------------------------------------------------
logs=()
for port in "${WORKER_PORTS[@]}"; do
    "$DAPHNE" -b 127.0.0.1 -p "$port" --proxy-headers --access-log "$RUN/access-$port.log" \
        config.asgi:application >"$RUN/daphne-$port.log" 2>&1 &
    worker_pids+=($!)
    logs+=("$RUN/access-$port.log")
done
for port in "${WORKER_PORTS[@]}"; do
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            continue 2
        fi
        sleep 0.2
    done
    die "daphne on port $port did not start"
done
say "daphne workers on ${WORKER_PORTS[*]}"

# -- nginx in front, with TLS ---------------------------------------------------------------------
mkdir -p "$RUN/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$RUN/tls/key.pem" -out "$RUN/tls/cert.pem" 2>/dev/null
chmod 755 "$RUN/tls"
chmod 644 "$RUN/tls/cert.pem"
user_line=""
if [[ $EUID -eq 0 ]]; then
    user_line="user www-data;"
fi
sed -e "s|@RUN@|$RUN|g" -e "s|@HTTP_PORT@|$HTTP_PORT|g" -e "s|@USER@|$user_line|" \
    -e "s|@WORKER1@|${WORKER_PORTS[0]}|" -e "s|@WORKER2@|${WORKER_PORTS[1]}|" \
    deploy/nginx/smoke.conf.in >"$nginx_conf"
"$NGINX" -p "$RUN" -c "$nginx_conf" -t -q
"$NGINX" -p "$RUN" -c "$nginx_conf"
say "nginx on https://127.0.0.1:$HTTP_PORT"

# -- the checks, through nginx ---------------------------------------------------------------
"$PY" deploy/smoke_check.py --base "https://127.0.0.1:$HTTP_PORT" --cafile "$RUN/tls/cert.pem" \
    --username "$USERNAME" --password "$PASSWORD" --python "$PY" --worker-logs "${logs[@]}"
