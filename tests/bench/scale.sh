#!/usr/bin/env bash
# scale.sh: set analysis must grow linearly.  Lints generated sets of 1 000
# and 10 000 workloads (each with a Service, most with a PDB, half with an
# HPA) and prints the wall-time ratio; best of 3 runs each.  Linear growth
# gives about 10x (less, since start-up is a fixed cost); a pairwise scan
# would give about 100x.
set -eu
cd "$(dirname "$0")/../.."
HITLESS=${HITLESS:-./hitless}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
best() { # best FILE: best wall time of 3 runs, in ms
    local b=999999 t0 t1 ms
    for _ in 1 2 3; do
        t0=$(date +%s%N)
        "$HITLESS" lint --no-config --quiet --fail-on none "$1" >/dev/null
        t1=$(date +%s%N)
        ms=$(( (t1 - t0) / 1000000 ))
        [ "$ms" -lt "$b" ] && b=$ms
    done
    echo "$b"
}
printf '%-10s %9s %9s %10s %9s\n' workloads objects bytes findings ms
declare -A T
for n in 1000 10000; do
    python3 tests/bench/genset.py "$n" >"$tmp/set-$n.yaml"
    summary=$("$HITLESS" lint --no-config --format json --fail-on none "$tmp/set-$n.yaml" |
        python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(s["objects"], s["findings"])')
    T[$n]=$(best "$tmp/set-$n.yaml")
    printf '%-10s %9s %9s %10s %9s\n' "$n" "${summary% *}" "$(stat -c %s "$tmp/set-$n.yaml")" "${summary#* }" "${T[$n]}"
done
# The same 10 000 workloads in one namespace: selectors are resolved through
# a label index, not by scanning the namespace.
python3 tests/bench/genset.py 10000 1 >"$tmp/set-1ns.yaml"
T1=$(best "$tmp/set-1ns.yaml")
printf '%-10s %9s %9s %10s %9s\n' "10000/1ns" 33000 "$(stat -c %s "$tmp/set-1ns.yaml")" - "$T1"
awk -v a="${T[1000]}" -v b="${T[10000]}" 'BEGIN { printf "scaling 1000 -> 10000 workloads: %.1fx time for 10x input (linear: ~10x, pairwise: ~100x)\n", b / (a ? a : 1) }'
