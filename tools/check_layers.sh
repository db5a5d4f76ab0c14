#!/usr/bin/env bash
# Checks that every #include in src/ points down the layers of DESIGN.md: a file in src/LAYER/ may
# include its own layer, the layers LAYER may use, and what those use in turn.
# Usage: tools/check_layers.sh [ROOT]   (ROOT holds src/; default: the repository)
# Prints FILE:LINE: what is wrong, for each wrong-way include; exits 1 if there is any.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"

# The allowed arrows (DESIGN.md, "Allowed arrows"); cli may use everything.
declare -A uses=(
  [common]=""
  [mem]="common"
  [paging]="mem"
  [tlb]="common"
  [os]="paging"
  [hv]="paging tlb os"
  [machine]="os hv"
  [schemes]="machine"
  [workload]="common"
  [report]="common"
  [sim]="schemes workload report"
  [sweep]="sim"
  [io]="common mem"
  [kvm]="common"
  [calibrate]="common kvm"
  [cluster]="mem common"
)

# Layers reachable from $1, following the arrows.
reach() {
  local todo=("$1") seen=" $1 " l u
  while ((${#todo[@]})); do
    l="${todo[0]}"
    todo=("${todo[@]:1}")
    for u in ${uses[$l]:-}; do
      [[ "$seen" == *" $u "* ]] && continue
      seen+="$u "
      todo+=("$u")
    done
  done
  echo "$seen"
}

status=0
while IFS= read -r -d '' file; do
  rel="${file#"$root"/src/}"
  layer="${rel%%/*}"
  [[ "$layer" == cli ]] && continue
  if [[ -z "${uses[$layer]+set}" ]]; then
    echo "${file#"$root"/}:1: folder src/$layer/ is not a layer of DESIGN.md"
    status=1
    continue
  fi
  allowed="$(reach "$layer")"
  while IFS=: read -r line target; do
    to="${target%%/*}"
    [[ -z "${uses[$to]+set}" && "$to" != cli ]] && continue  # not a project header
    if [[ "$allowed" != *" $to "* ]]; then
      echo "${file#"$root"/}:$line: layer '$layer' includes \"$target\"; it may use only$(echo "$allowed" | sed -E 's/^ +| +$//g; s/ +/, /g; s/^/: /')"
      status=1
    fi
  done < <(grep -n -oE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]+"' "$file" |
           sed -E 's/^([0-9]+):.*"([^"]+)"/\1:\2/')
done < <(find "$root/src" -type f \( -name '*.h' -o -name '*.cpp' \) -print0 | sort -z)
exit $status
