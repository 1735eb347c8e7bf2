#!/usr/bin/env bash
# SIGKILL `model-compress run` at random moments and check that nothing a later run trusts was damaged:
#   build/faults/kill-test.sh [KILLS=50] [SEED=1]
# Over SmoothQuant + static int8 on char-gpt, alternating runs with and without a per-layer cache. After each kill, a
# file under a final output name (the model, the manifest) must be byte-identical to the clean run's, and every 5th
# kill (and at the end) a run to completion in the same folders - reading whatever cache entries the killed runs left -
# must succeed and write exactly the clean run's bytes. Exit status 1 on any difference.
set -euo pipefail
cd "$(dirname "$0")/../.."
kills="${1:-50}"
RANDOM="${2:-1}"
source build/faults/common.sh
publish_cli
work="artifacts/faults/kill"
rm -rf "$work" && mkdir -p "$work"
steps="      - smoothquant: { alpha: 0.5 }
      - quantize: { mode: static }"
make_project "$work/p" "$steps" 8
args_for() { # args_for OUT [CACHE]: the run's command line, in $args
  args=(run "$work/p/compression.yaml" -o "$1" --manifest "$1/outputs.manifest")
  if [ -n "${2:-}" ]; then args+=(--cache-dir "$2"); fi
}
run() { args_for "$@"; cli "${args[@]}"; }

start=$(date +%s.%N)
run "$work/clean" >"$work/clean.log" 2>&1 || { cat "$work/clean.log"; exit 1; }
clean_s=$(echo "$(date +%s.%N) - $start" | bc)
echo "clean run: ${clean_s} s"
ref="$work/clean"
failures=0
compare() { # compare OUT: every final file must equal the clean run's
  local out="$1" f rel
  for f in $(final_files "$out"); do
    rel="${f#"$out"/}"
    if [ "$rel" = "outputs.manifest" ]; then
      # The manifest lists absolute paths of this output folder; compare it with the folder name made equal.
      cmp -s <(sed "s#$out#OUT#g" "$f") <(sed "s#$ref#OUT#g" "$ref/$rel") || { echo "DIFF manifest $f"; failures=$((failures + 1)); }
    elif [ "$rel" = "report.json" ]; then
      # Reports hold timings, so they differ run to run: they must be whole (parse), not byte-equal.
      python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" 2>/dev/null || { echo "PARTIAL $f"; failures=$((failures + 1)); }
    elif [ "$rel" = "report.html" ]; then
      tail -c 20 "$f" | grep -q '</html>' || { echo "PARTIAL $f"; failures=$((failures + 1)); }
    elif [ ! -f "$ref/$rel" ] || ! cmp -s "$f" "$ref/$rel"; then
      echo "DIFF $f"; failures=$((failures + 1))
    fi
  done
}

completed=0; killed=0; verified=0
for i in $(seq 1 "$kills"); do
  cache=""; [ $((i % 2)) -eq 0 ] && cache="$work/cache"
  out="$work/out"
  rm -rf "$out"
  delay=$(echo "scale=3; $clean_s * $RANDOM / 32767" | bc)
  args_for "$out" $cache
  # A plain command in the background, so that $! is the tool's own process (a function would run in a subshell
  # and SIGKILL would hit the subshell, not the tool).
  dotnet "$cli_dir/ModelCompress.Cli.dll" "${args[@]}" >"$work/run.log" 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); else completed=$((completed + 1)); fi
  wait "$pid" 2>/dev/null || true
  compare "$out"
  if [ $((i % 5)) -eq 0 ] || [ "$i" -eq "$kills" ]; then
    rm -rf "$out"
    if run "$out" "$work/cache" >"$work/verify.log" 2>&1; then compare "$out"; verified=$((verified + 1)); else
      echo "FAIL: the run after kill $i did not complete"; tail -5 "$work/verify.log"; failures=$((failures + 1)); fi
  fi
  echo "kill $i/$kills at ${delay}s (cache: $([ -n "$cache" ] && echo yes || echo no)): failures so far $failures"
done
echo "RESULT kills=$killed finished-before-kill=$completed recovery-runs=$verified failures=$failures"
[ "$failures" -eq 0 ]
