#!/usr/bin/env bash
# Coverage-guided fuzzing of one reader: build/fuzz.sh TARGET SECONDS [SEED]   (TARGET: onnx extdata recipe npy npz
# idx text cache, or all). Builds the harness, instruments ModelCompress.Onnx.dll and ModelCompress.dll with
# SharpFuzz's tool (edge counters read in process: no AFL needed) and runs the mutation loop. Corpus, crashes
# (minimized) and hangs go to artifacts/fuzz/TARGET/; exit status 1 when a crash or hang was found.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: build/fuzz.sh TARGET SECONDS [SEED]}"
seconds="${2:?usage: build/fuzz.sh TARGET SECONDS [SEED]}"
seed="${3:-1}"
bin="artifacts/fuzz/bin"
dotnet build tests/ModelCompress.Fuzz -c Release -o "$bin.build" --nologo -v quiet
# Instrument a fresh copy each time (instrumenting an instrumented assembly is refused), with the `sharpfuzz` tool
# that the repository's manifest (.config/dotnet-tools.json) brings; only the project's own types (prefix
# ModelCompress.) get edge counters.
dotnet tool restore
rm -rf "$bin" && cp -r "$bin.build" "$bin"
for name in ModelCompress.Onnx.dll ModelCompress.dll; do
  dotnet sharpfuzz "$bin/$name" ModelCompress.
  echo "instrumented $name"
done
dotnet "$bin/ModelCompress.Fuzz.dll" run "$target" "$seconds" "$seed" artifacts/fuzz
