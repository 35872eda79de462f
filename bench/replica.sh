#!/usr/bin/env bash
# The README's "Scale out" figures: starts a private PostgreSQL cluster (wal_level=logical, a free loopback port, as the
# postgres user when run as root), runs the workload driver's replica verb against it, stops and removes the cluster.
#   bench/replica.sh [driver arguments, e.g. --rows 100000 --rate 1000 --seconds 10]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(.ci/install-postgres)"
data="$(mktemp -d /tmp/shmmaps-bench-pg.XXXXXX)"
run=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$data"
  run=(runuser -u postgres --)
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"${run[@]}" "$bin/initdb" -D "$data" -A trust -U shm --no-sync -E UTF8 >/dev/null
printf "wal_level = logical\nlisten_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n" "$port" "$data" >>"$data/postgresql.conf"
"${run[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w start >/dev/null
trap '"${run[@]}" "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; rm -rf "$data"' EXIT
dotnet build -c Release bench/ShmMaps.Workload -o bench/ShmMaps.Workload/bin/run >/dev/null
dotnet bench/ShmMaps.Workload/bin/run/ShmMaps.Workload.dll replica --postgres "Host=127.0.0.1;Port=$port;Username=shm;Database=postgres" "$@"
