#!/usr/bin/env bash
# The peers the workload driver measures ShmMaps against, set up from Debian.
#   bench/peers.sh install   apt-get install liblmdb0, redis-server, gnuplot (as root)
#   bench/peers.sh start     Redis on 127.0.0.1:6399, no persistence, in the background
#   bench/peers.sh stop      stops that Redis
#   bench/peers.sh run ARGS  install, start, run the driver with ARGS, stop
set -euo pipefail
cd "$(dirname "$0")/.."

port=6399
pidfile=/tmp/shmmaps-bench-redis.pid

install() {
    local missing=()
    [ -e /usr/lib/x86_64-linux-gnu/liblmdb.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/liblmdb.so.0 ] || missing+=(liblmdb0)
    command -v redis-server >/dev/null || missing+=(redis-server)
    command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

start() {
    if redis-cli -p "$port" ping >/dev/null 2>&1; then
        return
    fi
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --pidfile "$pidfile" --logfile /tmp/shmmaps-bench-redis.log --maxclients 1000
    for _ in $(seq 50); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && return
        sleep 0.1
    done
    echo "redis-server did not answer on port $port; see /tmp/shmmaps-bench-redis.log" >&2
    exit 1
}

stop() {
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    run)
        shift
        install
        start
        trap stop EXIT
        dotnet run -c Release --project bench/ShmMaps.Workload -- run "$@"
        ;;
    *) sed -n '2,7p' "$0" >&2; exit 64 ;;
esac
