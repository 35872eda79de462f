#!/usr/bin/env bash
# The measurements behind the README's tables and docs/*.png: installs and starts the peers (bench/peers.sh),
# runs the workload driver once per question, writes bench/results/DATE-workload-*.csv (and .log), draws the plots.
#   bench/workload.sh [seconds per measurement, default 2] [question ...: mixes zipfian keys values dense; default all]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-2}"
shift || true
questions=("$@")
((${#questions[@]})) || questions=(mixes zipfian keys values dense)
day="$(date -u +%Y-%m-%d)"
bench/peers.sh install
bench/peers.sh start
trap 'bench/peers.sh stop' EXIT
dotnet build -c Release bench/ShmMaps.Workload -o bench/ShmMaps.Workload/bin/run >/dev/null
driver=(dotnet bench/ShmMaps.Workload/bin/run/ShmMaps.Workload.dll)

measure() { # name, then driver arguments
    local name="$1"
    shift
    [[ " ${questions[*]} " == *" $name "* ]] || return 0
    local out="bench/results/$day-workload-$name"
    rm -f "$out.csv"
    "${driver[@]}" run --seconds "$seconds" --out "$out.csv" "$@" | tee "$out.log"
}

# Which store is fastest for each mix, and how each scales with processes.
measure mixes --mixes read100,read95,read50,increment --keys 1000000 --processes 1,2,4 --rounds 3
# Hot keys.
measure zipfian --mixes read95,read50,increment --distributions zipfian --keys 1000000 --processes 1,2,4 --rounds 3
# Tables that fit the cache, and tables far larger than it.
measure keys --mixes read100 --keys 1000,16000000 --processes 1,2 --rounds 3
# 100-byte values.
measure values --mixes read95 --value-sizes 100 --keys 1000000 --processes 1,2 --rounds 3
# Dense ShmMaps tables: memory per entry when the map is sized for its keys.
measure dense --stores seqmap,stripedmap,leftrightmap,folkloremap,rwstore --mixes read100 --keys 1000000 --max-load 0.96 --processes 1,2 --rounds 3

for csv in bench/results/*-workload-{mixes,zipfian,keys,values}.csv; do
    "${driver[@]}" plot "$csv" --out docs/bench
done
