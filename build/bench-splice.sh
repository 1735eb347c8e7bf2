#!/usr/bin/env bash
# Puts the tables of one bench-all run into docs/benchmarks.md: every block between `<!-- bench:NAME -->` and
# `<!-- /bench:NAME -->` is replaced by row NAME's body from the run's work folder (its command, commit, seconds and
# output, as written by build/bench-all.sh), the output's own headings moved two levels down. A marker whose row did not run is left as it is and named on stderr, so
# a table is never silently kept from an older run.
#
#   bash build/bench-splice.sh artifacts/bench-all/<commit>-quick [docs/benchmarks.md]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:?usage: bash build/bench-splice.sh WORK_DIR [DOC]}
doc=${2:-docs/benchmarks.md}
[ -d "$work" ] || { echo "no such folder: $work" >&2; exit 2; }
tmp="$doc.splice.tmp"
missing=0
while IFS= read -r line; do
  printf '%s\n' "$line"
  if [[ $line =~ ^'<!-- bench:'([a-z0-9-]+)' -->'$ ]]; then
    name=${BASH_REMATCH[1]}
    if [ -f "$work/$name.md" ]; then
      # the command's own headings go two levels down, under the page's section (not inside code fences)
      awk '/^```/ { fence = !fence } !fence && /^#+ / && !/^##### / { $0 = "##" $0 } { print }' "$work/$name.md"
      skipping=$name
    else
      echo "bench-splice: no result for '$name' in $work; its block is kept" >&2; missing=1
    fi
  fi
  if [ -n "${skipping:-}" ]; then
    # drop the old block up to its end marker, which is printed by the next loop turn
    while IFS= read -r inner; do
      if [ "$inner" = "<!-- /bench:$skipping -->" ]; then printf '%s\n' "$inner"; break; fi
    done
    skipping=""
  fi
done <"$doc" >"$tmp"
mv "$tmp" "$doc"
exit $missing
