#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy) over every source file of src/, two at a time, using
# BUILD/compile_commands.json. Exits non-zero on any finding.
# Usage: tools/run_clang_tidy.sh [BUILD]   (default: build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
[ -f "$build/compile_commands.json" ] || { echo "no $build/compile_commands.json; configure with cmake first"; exit 2; }
cd "$root"
git ls-files 'src/*.cpp' | xargs -P "${HVSIM_TIDY_JOBS:-2}" -n 4 clang-tidy -p "$build" --quiet 2>&1 |
  { grep -v -E '^[0-9]+ warnings? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' || true; } |
  tee "$build/clang-tidy.log"
if grep -q -E 'warning:|error:' "$build/clang-tidy.log"; then
  echo "clang-tidy: findings above"
  exit 1
fi
echo "clang-tidy: no findings in $(git ls-files 'src/*.cpp' | wc -l) files"
