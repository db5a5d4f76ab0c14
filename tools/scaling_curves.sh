#!/usr/bin/env bash
# Measures hvsim's scaling curves in one run, as markdown tables for docs/performance.md: wall
# time (and peak RSS) against accesses, schemes, threads and footprint. Every point is one
# `hvsim compare` process timed by /usr/bin/time; compare points within one run only (a shared
# machine's speed drifts between runs).
# Usage: tools/scaling_curves.sh [BUILD] [curve...]   curves: accesses schemes threads footprint
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
shift || true
hvsim="$build/hvsim"
[ -x "$hvsim" ] || { echo "no $hvsim; build first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian package time)" >&2; exit 2; }
curves=("$@")
[ ${#curves[@]} -gt 0 ] || curves=(accesses schemes threads footprint)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# Runs one compare; prints "seconds max_rss_MiB".
point() {
  /usr/bin/time -f "%e %M" -o "$out/time" "$hvsim" compare "$@" >"$out/stdout" 2>"$out/stderr" ||
    { echo "failed: hvsim compare $*" >&2; cat "$out/stderr" >&2; exit 1; }
  read -r secs kib <"$out/time"
  echo "$secs $((kib / 1024))"
}

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", n / s / 1e6 }'; }
count() { awk -v n="$1" 'BEGIN { printf "%d", n }'; }

for curve in "${curves[@]}"; do
  case "$curve" in
  accesses)
    echo "### Time against accesses (gups, 1 GiB, native,nested,shadow, -j1)"
    echo
    echo "| accesses | wall s | M accesses/s | peak RSS MiB |"
    echo "|---:|---:|---:|---:|"
    for n in 1e6 3e6 1e7 3e7 1e8; do
      read -r s m < <(point --workload gups --accesses "$n" --schemes native,nested,shadow -j1)
      echo "| $(count "$n") | $s | $(rate "$n" "$s") | $m |"
    done
    echo
    ;;
  schemes)
    echo "### Time against schemes (gups, 1 GiB, 1M accesses, -j1)"
    echo
    echo "| schemes | wall s | M scheme-accesses/s | peak RSS MiB |"
    echo "|---:|---:|---:|---:|"
    all=$("$hvsim" schemes | awk 'NF { print $1 }' | paste -sd, -)
    IFS=, read -r -a names <<<"$all"
    for k in 1 2 4 8 "${#names[@]}"; do
      [ "$k" -le "${#names[@]}" ] || continue
      list=$(IFS=,; echo "${names[*]:0:$k}")
      read -r s m < <(point --workload gups --accesses 1e6 --schemes "$list" -j1)
      echo "| $k ($list) | $s | $(rate $((k * 1000000)) "$s") | $m |"
    done
    echo
    ;;
  threads)
    echo "### Time against threads (gups, 1 GiB, 10M accesses, all schemes)"
    echo
    echo "| threads | wall s | M accesses/s | M scheme-accesses/s |"
    echo "|---:|---:|---:|---:|"
    k=$("$hvsim" schemes | awk 'NF' | wc -l)
    for j in 1 2; do
      read -r s m < <(point --workload gups --accesses 1e7 --schemes all -j"$j")
      echo "| $j | $s | $(rate 1e7 "$s") | $(rate $((k * 10000000)) "$s") |"
    done
    echo
    ;;
  footprint)
    echo "### Time and memory against footprint (gups, 4 KiB guest pages, 10M accesses, native,nested,shadow, -j1)"
    echo
    echo "| footprint | wall s | M accesses/s | peak RSS MiB |"
    echo "|---:|---:|---:|---:|"
    for f in 64MiB 1GiB 16GiB 256GiB 1TiB; do
      read -r s m < <(point --workload gups --footprint "$f" --accesses 1e7 --schemes native,nested,shadow \
        --set guest.page_size=4K -j1)
      echo "| $f | $s | $(rate 1e7 "$s") | $m |"
    done
    echo
    ;;
  *)
    echo "unknown curve '$curve' (expected accesses, schemes, threads or footprint)" >&2
    exit 2
    ;;
  esac
done
