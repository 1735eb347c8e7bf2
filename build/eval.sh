#!/usr/bin/env bash
# Evaluation of fp32 vs our int8 variants (made by the engine) vs the peer's models on the real fixtures:
# accuracy, size and ONNX Runtime latency, one Markdown table per fixture (docs/benchmarks.md, "Evaluation").
# Usage: build/eval.sh [--quick] [--models char-gpt,stories260K,mnist-8,ppocrv4-rec] [--peer-dir DIR] [--suite int8|pruning] [--help]
# Fixtures: ../shared/fixtures beside the repository, or MODELCOMPRESS_FIXTURES.
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project tests/ModelCompress.Benchmarks -- eval "$@"
