#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz and runs each for SECONDS_PER_TARGET on a
# seed corpus the target writes itself (the engine fuzzer for $HVSIM_FUZZ_ENGINE_SECONDS if set).
# Prints executions per target; exits non-zero on a crash.
set -euo pipefail
secs="${1:-10}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${HVSIM_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${HVSIM_FUZZ_JOBS:-2}"

CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHVSIM_FUZZ=ON -DHVSIM_BENCH=OFF -DHVSIM_WERROR=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }

targets=()
for src in "$root"/tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$src" .cpp)"); done
cmake --build "$build" -j"$jobs" --target "${targets[@]}"

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
