#!/usr/bin/env bash
# Concurrent builds sharing one cache: build/faults/concurrent-test.sh [ROUNDS=10]
# Two projects (char-gpt, SmoothQuant + static int8; different folders, recipes and output names) run `model-compress
# run` at the same time with the same --cache-dir, ROUNDS times: the first half of the rounds start from an empty cache
# (both compute and write the same entries at once), the second half from the cache the earlier rounds left. Every
# output model must be byte-identical to its project's clean run without a cache. Exit status 1 on any difference.
# (The MSBuild task runs this same tool per project, so two `dotnet build`s meet the cache exactly like this.)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-10}"
source build/faults/common.sh
publish_cli
work="artifacts/faults/concurrent"
rm -rf "$work" && mkdir -p "$work"
steps="      - smoothquant: { alpha: 0.5 }
      - quantize: { mode: static }"
make_project "$work/a" "$steps" 8
make_project "$work/b" "$steps" 8
sed -i 's/name: gpt/name: gpt_b/; s/min: 0.5/min: 0.4/' "$work/b/compression.yaml"
cli run "$work/a/compression.yaml" -o "$work/a/clean" >/dev/null 2>&1
cli run "$work/b/compression.yaml" -o "$work/b/clean" >/dev/null 2>&1
failures=0
for i in $(seq 1 "$rounds"); do
  [ "$i" -le $((rounds / 2)) ] && rm -rf "$work/cache"
  rm -rf "$work/a/out" "$work/b/out"
  dotnet "$cli_dir/ModelCompress.Cli.dll" run "$work/a/compression.yaml" -o "$work/a/out" --cache-dir "$work/cache" >"$work/a.log" 2>&1 & pa=$!
  dotnet "$cli_dir/ModelCompress.Cli.dll" run "$work/b/compression.yaml" -o "$work/b/out" --cache-dir "$work/cache" >"$work/b.log" 2>&1 & pb=$!
  ra=0; wait "$pa" || ra=$?
  rb=0; wait "$pb" || rb=$?
  verdict=ok
  if [ "$ra" -ne 0 ] || [ "$rb" -ne 0 ]; then verdict="FAIL: exit $ra/$rb"
  elif ! cmp -s "$work/a/out/gpt.onnx" "$work/a/clean/gpt.onnx" || ! cmp -s "$work/b/out/gpt_b.onnx" "$work/b/clean/gpt_b.onnx"; then verdict="FAIL: output differs"; fi
  [ "$verdict" = ok ] || failures=$((failures + 1))
  echo "round $i ($([ "$i" -le $((rounds / 2)) ] && echo "empty cache" || echo "warm cache")): $verdict; $(grep -h -o 'cache: .*' "$work/a.log" "$work/b.log" | head -2 | tr '\n' ' ')"
done
echo "RESULT rounds=$rounds failures=$failures"
[ "$failures" -eq 0 ]
