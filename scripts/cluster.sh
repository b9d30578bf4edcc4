#!/usr/bin/env bash
# The scaled-out topology on one machine, all on 127.0.0.1 with data under DIR: SeaweedFS
# (S3), PostgreSQL and two Vitrine replicas sharing them.
#
# usage: scripts/cluster.sh up DIR     starts everything, waits until every replica's
#                                      /v1/ready passes (it checks PostgreSQL and S3 too), and
#                                      prints REPLICA_A=…, REPLICA_B=…, S3=…, POSTGRES=…,
#                                      REPLICA_A_PID=…, REPLICA_B_PID=… (also in DIR/cluster.env)
#        scripts/cluster.sh down DIR   stops everything it started
#
# Environment: VITRINE_BIN (default: $CARGO_TARGET_DIR/release/vitrine, built by
# scripts/build.sh), VITRINE_CLUSTER_ARGS (extra `vitrine serve` flags for both replicas,
# e.g. "--retention 30s --execution-lease 3s"), VITRINE_SERVICES_PARENT (see services.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
BIN=${VITRINE_BIN:-$TARGET/release/vitrine}
# Replicas must never wait on a real cloud: credentials are fixed, the endpoint is loopback.
export AWS_ACCESS_KEY_ID=vitrine AWS_SECRET_ACCESS_KEY=vitrine AWS_REGION=us-east-1 AWS_ALLOW_HTTP=true

die() { echo "cluster: $*" >&2; exit 1; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_replica() { # name, port
    local name=$1 port=$2
    mkdir -p "$DIR/$name"
    # shellcheck disable=SC2086
    setsid "$BIN" serve --host 127.0.0.1 --port "$port" --data-dir "$DIR/$name" \
        --store "s3://$S3_BUCKET/cluster" --meta "$POSTGRES" ${VITRINE_CLUSTER_ARGS:-} \
        >"$DIR/$name.log" 2>&1 </dev/null &
    echo $! >"$DIR/$name.pid"
}

wait_ready() { # name, port
    local name=$1 port=$2
    for _ in $(seq 1 300); do
        if curl -fs -o /dev/null "http://127.0.0.1:$port/v1/ready"; then return 0; fi
        kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null || die "$name exited: $(tail -5 "$DIR/$name.log")"
        sleep 0.2
    done
    die "$name did not become ready: $(curl -sS "http://127.0.0.1:$port/v1/ready" || true)"
}

up() {
    [ -x "$BIN" ] || die "no vitrine binary at $BIN; run scripts/build.sh or set VITRINE_BIN"
    mkdir -p "$1"
    DIR=$(cd "$1" && pwd)
    # A failure part-way stops what was started.
    trap 'down "$DIR"' EXIT
    "$ROOT/scripts/services.sh" up "$DIR" >/dev/null
    # shellcheck disable=SC1091
    . "$DIR/services.env"
    export AWS_ENDPOINT_URL=$S3
    local port_a port_b
    port_a=$(free_port)
    port_b=$(free_port)
    # A first, so the schema migration is not raced (it would be safe: it takes a lock).
    start_replica replica-a "$port_a"
    wait_ready replica-a "$port_a"
    start_replica replica-b "$port_b"
    wait_ready replica-b "$port_b"
    {
        echo "REPLICA_A=http://127.0.0.1:$port_a/v1"
        echo "REPLICA_B=http://127.0.0.1:$port_b/v1"
        echo "S3=$S3"
        echo "POSTGRES=$POSTGRES"
        echo "REPLICA_A_PID=$(cat "$DIR/replica-a.pid")"
        echo "REPLICA_B_PID=$(cat "$DIR/replica-b.pid")"
    } >"$DIR/cluster.env"
    trap - EXIT
    cat "$DIR/cluster.env"
}

stop_replica() {
    local file=$1
    [ -f "$file" ] || return 0
    local pid
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

down() {
    DIR=$1
    [ -d "$DIR" ] || return 0
    stop_replica "$DIR/replica-a.pid"
    stop_replica "$DIR/replica-b.pid"
    "$ROOT/scripts/services.sh" down "$DIR"
}

[ $# -eq 2 ] || die "usage: scripts/cluster.sh up|down DIR"
case "$1" in
    up) up "$2" ;;
    down) down "$2" ;;
    *) die "unknown command $1" ;;
esac
