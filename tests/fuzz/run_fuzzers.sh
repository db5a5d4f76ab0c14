#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS_PER_TARGET on a seed corpus the target writes itself (the
# engine fuzzer for $HVSIM_FUZZ_ENGINE_SECONDS if set). The targets are built in the sanitizer tree
# (`make asan-build`, clang), from the objects the sanitized test suite also runs.
# Prints executions per target; exits non-zero on a crash.
set -euo pipefail
secs="${1:-10}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${HVSIM_ASAN_BUILD_DIR:-build-asan}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac

mkdir -p "$build"
make -C "$root" --no-print-directory asan-build ASAN_BUILD="$build" >"$build/fuzz-build.log" 2>&1 ||
  { tail -60 "$build/fuzz-build.log"; exit 1; }

targets=()
for src in "$root"/tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$src" .cpp)"); done

status=0
total=0
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t"
  rm -rf "$corpus"
  mkdir -p "$corpus" "$build/fuzz-artifacts"
  HVSIM_FUZZ_SEED_DIR="$corpus" "$build/$t"
  log="$build/fuzz-artifacts/$t.log"
  t_secs="$secs"
  # The differential engine fuzzer runs the whole simulator per input: it gets its own budget.
  if [ "$t" = engine_fuzz ]; then t_secs="${HVSIM_FUZZ_ENGINE_SECONDS:-$secs}"; fi
  if "$build/$t" -max_total_time="$t_secs" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-artifacts/$t-" "$corpus" >"$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    total=$((total + execs))
    echo "$t: $execs executions, no crash"
  else
    status=1
    echo "$t: CRASH (log: $log)"
    tail -40 "$log"
  fi
done
echo "fuzzing total: $total executions over ${#targets[@]} targets"
exit $status
