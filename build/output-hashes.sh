#!/usr/bin/env bash
# Prints the SHA-256 of every model the engine writes for the evaluation's variants (weight-only, dynamic, static
# minmax, SmoothQuant 0.5 and auto + static) on char-gpt, stories260K, mnist-8 and PP-OCRv4 rec, made through
# recipes exactly as `dotnet build` makes them. Run it before and after a refactoring and diff the two lists:
#   bash build/output-hashes.sh > before.txt; ...; bash build/output-hashes.sh > after.txt; diff before.txt after.txt
# Uses the evaluation's quick data sizes; the work folder is kept under artifacts/output-hashes.
set -euo pipefail
cd "$(dirname "$0")/.."
work="artifacts/output-hashes"
rm -rf "$work"; mkdir -p artifacts
dotnet run -c Release --project tests/ModelCompress.Benchmarks -- eval --quick --latency-rounds 1 \
  --models "${MODELS:-char-gpt,stories260K,mnist-8,ppocrv4-rec}" --work-dir "$work" >"$work.log" 2>&1 || { tail -n 30 "$work.log" >&2; exit 1; }
(cd "$work" && find . -name '*.onnx' -path '*/out/*' -print0 | sort -z | xargs -0 sha256sum)
