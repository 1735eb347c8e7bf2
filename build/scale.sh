#!/usr/bin/env bash
# Scale: build/scale.sh LAYERS [MODES]   (MODES default: "dynamic int4 sq"; also wo8, weight-only int8; spaces or commas)
# Generates a TinyLlama-shaped model with LAYERS layers (22 = 1.1 B parameters, 4.4 GB fp32; see the benchmarks'
# scale-model command), then runs `model-compress run` per mode twice with one cache folder (cold, then warm) and prints
# wall time and peak RSS (GNU time) per run; a third run (`cache`) deletes the outputs first, so every layer comes
# from the cache instead of the run memo. Needs disk for the model (4.4 GB at 22 layers) and RAM for the runs:
# run it once, on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
layers="${1:?usage: build/scale.sh LAYERS [MODES]}"
modes="${2:-dynamic int4 sq}"
modes="${modes//,/ }"
source build/faults/common.sh
# CLI_DIR: run an already published CLI instead (e.g. an older commit's, to compare against).
if [ -n "${CLI_DIR:-}" ]; then cli_dir="$CLI_DIR"; else publish_cli; fi
dir="artifacts/scale/L$layers"
if [ ! -f "$dir/model.onnx" ]; then
  mkdir -p "$dir"
  dotnet run -c Release --project tests/ModelCompress.Benchmarks -- scale-model --layers "$layers" --out "$dir" >"$dir/generate.log" 2>&1 \
    || { tail -n 20 "$dir/generate.log" >&2; exit 1; }
fi
head -c 400000 "$fixtures/data/wikitext-2/valid.txt" > "$dir/calib.txt"
head -c 100000 "$fixtures/data/wikitext-2/test.txt" > "$dir/verify.txt"
weights=$(stat -c %s "$dir/model.onnx.data")
# The cache cap is set to the fp32 weights' size (at least the default 1024 MiB): a mode's results (a quarter of the
# weights at int8, plus calibration) then fit, so the warm run measures a rerun whose results all come from the cache,
# not the default cap evicting part of this very run's results at 22 layers.
rows=()
cache_mb=$(( weights / 1048576 > 1024 ? weights / 1048576 : 1024 ))
for mode in $modes; do
  case "$mode" in
    dynamic) steps="      - quantize: { mode: dynamic }"; calib="" ;;
    wo8) steps="      - quantize: { mode: weight_only }"; calib="" ;;
    int4) steps="      - quantize: { mode: weight_only, weights: int4, block_size: 32 }"; calib="" ;;
    sq) steps="      - smoothquant: { alpha: 0.5 }
      - quantize: { mode: static }"; calib="    calibration: { data: calib.txt, tokenizer: bytes, seq_len: 64, samples: 32 }" ;;
    *) echo "unknown mode $mode"; exit 2 ;;
  esac
  cat > "$dir/$mode.yaml" <<YAML
version: 1
cache: { max_size_mb: $cache_mb }
models:
  - name: $mode
    source: model.onnx
$calib
    steps:
$steps
    verify:
      data: verify.txt
      tokenizer: bytes
      seq_len: 64
      samples: 2
      thresholds:
        - { metric: top1_agreement, min: 0.0 }
YAML
  rm -rf "$dir/cache-$mode" "$dir/out-$mode"
  # cold: empty cache; warm: the same run again (outputs in place: the run memo may read the whole run back);
  # cache: outputs deleted, cache kept (a fresh checkout with a restored cache: every layer read back, model rewritten).
  for pass in cold warm cache; do
    if [ "$pass" = cache ]; then rm -rf "$dir/out-$mode"; fi
    /usr/bin/time -f "%e %M" -o "$dir/time-$mode-$pass" dotnet "$cli_dir/ModelCompress.Cli.dll" run "$dir/$mode.yaml" \
      -o "$dir/out-$mode" --cache-dir "$dir/cache-$mode" > "$dir/log-$mode-$pass" 2>&1 || { tail -5 "$dir/log-$mode-$pass"; }
    read -r secs kb < "$dir/time-$mode-$pass"
    rows+=("| $mode | $pass | $secs s | $(echo "scale=2; $kb / 1000000" | bc) GB | $(echo "scale=2; $kb * 1000 / $weights" | bc)× |")
    echo "RESULT layers=$layers mode=$mode pass=$pass wall_s=$secs peak_rss_gb=$(echo "scale=2; $kb / 1000000" | bc) weights_gb=$(echo "scale=2; $weights / 1000000000" | bc) ratio=$(echo "scale=2; $kb * 1000 / $weights" | bc)"
  done
done
echo
echo "TinyLlama shape, $layers layers, $(echo "scale=2; $weights / 1000000000" | bc) GB fp32 weights (external data); commit $(git rev-parse --short HEAD); load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| mode | run | wall | peak RSS | peak / fp32 weights |"
echo "|---|---|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
