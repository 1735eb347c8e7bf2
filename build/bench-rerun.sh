#!/usr/bin/env bash
# Measures `dotnet model-compress run` run again on the same recipe with nothing changed (issue 17's CLI rerun): a
# char-gpt recipe with `tune:` (one candidate, SmoothQuant auto + static int8; 32 calibration and 32 verify windows),
# run once to fill the cache folder, then N more times. For each rerun it prints the process wall time and the
# engine's own time (report.json timings.total_milliseconds) and whether the model's run was read back whole.
# A benchmark, not a test: it is never part of build/test.sh.
# Usage: bash build/bench-rerun.sh [reruns (default 5)]      Fixtures: ../shared/fixtures or MODELCOMPRESS_FIXTURES.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
fixtures="${MODELCOMPRESS_FIXTURES:-$(cd .. && pwd)/shared/fixtures}"
dotnet build src/ModelCompress.Cli -c Release -v:q -nologo >/dev/null
cli="$PWD/src/ModelCompress.Cli/bin/Release/net10.0/ModelCompress.Cli.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/compression.yaml" <<YAML
version: 1
allow_outside: true
models:
  - name: char-gpt
    source: $fixtures/models/char-gpt/char-gpt-6l384.onnx
    calibration: { data: $fixtures/data/wikitext-2/valid.txt, tokenizer: bytes, seq_len: 128, samples: 32 }
    tune:
      objective: size
      candidates:
        - [ smoothquant: { alpha: auto }, quantize: { mode: static } ]
    verify:
      data: $fixtures/data/wikitext-2/test.txt
      tokenizer: bytes
      seq_len: 128
      samples: 32
      per_layer: false
      thresholds:
        - { metric: perplexity, max_increase: 0.002 }
YAML
engine() {
  python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['timings']; print(f\"engine {t['total_milliseconds']:.0f} ms, read back: {t['models'][0].get('read_back', False)}\")" "$work/out/report.json"
}
start=$(date +%s.%N)
dotnet "$cli" run "$work/compression.yaml" -o "$work/out" --cache-dir "$work/cache" >/dev/null 2>&1
echo "first run: $(echo "$(date +%s.%N) - $start" | bc) s wall; $(engine)"
# A file hashed within 2 s of its last change is never remembered (docs/cache.md): the outputs were just written.
sleep 2
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  dotnet "$cli" run "$work/compression.yaml" -o "$work/out" --cache-dir "$work/cache" >/dev/null 2>&1
  echo "rerun $i: $(echo "$(date +%s.%N) - $start" | bc) s wall; $(engine)"
done
echo "machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
