#!/usr/bin/env bash
# An interleaved A/B of the micro-benchmarks: the code at BASE (a git revision) against the working tree, in
# separate processes that alternate (before/now, then now/before), each process running
#   ShmMaps.Benchmarks --interleaved CLASS ROUNDS
# and reporting every benchmark's ratio to its category's baseline in the same turns.
#   bench/ab.sh BASE PAIRS CLASS...     e.g.  bench/ab.sh e6d1eaf 3 SeqMapBench StripedMap FolkloreMap
# Prints the raw lines, then per benchmark the per-process ratios and their medians, before / now.
set -euo pipefail
cd "$(dirname "$0")/.."
base=$1 pairs=$2
shift 2
rounds=${ROUNDS:-8}
before_tree=$(mktemp -d /tmp/shmmaps-ab.XXXXXX)
trap 'git worktree remove --force "$before_tree" >/dev/null 2>&1 || true' EXIT
git worktree add --detach --force "$before_tree" "$base" >/dev/null
for tree in "$before_tree" .; do
    dotnet build "$tree/bench/ShmMaps.Benchmarks" -c Release -v quiet -nologo >/dev/null
done
dll=bench/ShmMaps.Benchmarks/bin/Release/net10.0/ShmMaps.Benchmarks.dll
raw=$(mktemp)
for ((i = 1; i <= pairs; i++)); do
    for class in "$@"; do
        order="before now"
        ((i % 2 == 0)) && order="now before"
        for side in $order; do
            tree=.
            [ "$side" = before ] && tree=$before_tree
            echo "### pair $i $class $side"
            dotnet "$tree/$dll" --interleaved "$class" "$rounds" 2>&1 | grep ' ratio '
        done
    done
done | tee "$raw"
echo
echo "# per benchmark: ratios per process, before | now; medians before / now"
awk '
/^### pair/ { side = $5; next }
/ ratio / {
    name = $1 " " $3; ratio = $0; sub(/.* ratio +/, "", ratio); sub(/ .*/, "", ratio)
    key = name SUBSEP side; values[key] = values[key] " " ratio; names[name] = 1
}
function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
    for (name in names) {
        b = values[name SUBSEP "before"]; n = values[name SUBSEP "now"]
        if (b == "" || n == "" || b ~ /^( 1\.00)+$/) continue   # a baseline beside itself
        printf "%-62s%s |%s   %.2f / %.2f\n", name, b, n, median(b), median(n)
    }
}' "$raw" | sort
rm -f "$raw"
