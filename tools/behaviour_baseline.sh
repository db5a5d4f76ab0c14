#!/usr/bin/env bash
# Writes the behaviour baseline tests/data/behaviour/W.json with the given hvsim binary: one
# compare per workload on a layout that exercises every part (host segments, guest direct
# segments, lazy population). tests/behaviour_test.cpp checks that a build still gives every
# value in them. Regenerate only for a change meant to alter results, and say so in its commit.
# Usage: tools/behaviour_baseline.sh BUILD/hvsim
set -euo pipefail
hvsim="${1:?usage: tools/behaviour_baseline.sh PATH/TO/hvsim}"
out="$(cd "$(dirname "$0")/.." && pwd)/tests/data/behaviour"
mkdir -p "$out"
for w in gups chase zipf fork-exit mmap-churn pagefault ctxsw; do
  "$hvsim" compare --workload "$w" --footprint 256MiB --accesses 200k --schemes all \
    --set host.backing=segments --set guest.direct_segment=true --set host.populate=lazy --set host.page_size=4K --warmup 0 \
    --json "$out/$w.json" >/dev/null
  echo "$out/$w.json"
done
