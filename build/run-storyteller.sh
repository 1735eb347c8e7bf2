#!/usr/bin/env bash
# Packs ModelCompress.Build into artifacts/packages, then builds and runs samples/StoryTeller: its `dotnet build`
# writes an fp32 model with a key/value cache from the llama2.c checkpoint (stories260K from ../shared/fixtures by
# default), compresses it to int8 (SmoothQuant + static), checks perplexity and top-1 agreement against fp32, and
# embeds it; the app tells a story with ONNX Runtime. Arguments go to the app, e.g.
#   bash build/run-storyteller.sh --prompt "Once upon a time" --greedy
# Another checkpoint: STORYTELLER_CHECKPOINT=/path/model.bin STORYTELLER_TOKENIZER=/path/tok.bin bash build/run-storyteller.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/pack.sh >/dev/null
version=$(ls artifacts/packages/ModelCompress.Build.*.nupkg | sed -E 's/.*ModelCompress\.Build\.(.+)\.nupkg$/\1/' | head -n 1)
# The version is fixed: drop NuGet's earlier extraction of this same version so the fresh pack is what the sample uses.
global=$(dotnet nuget locals global-packages --list | sed -E 's/^[^:]*: *//')
rm -rf "${global%/}/modelcompress.build/$version"
props=()
if [ -n "${STORYTELLER_CHECKPOINT:-}" ]; then props+=("-p:StoryTellerCheckpoint=$STORYTELLER_CHECKPOINT"); fi
if [ -n "${STORYTELLER_TOKENIZER:-}" ]; then props+=("-p:StoryTellerTokenizer=$STORYTELLER_TOKENIZER"); fi
dotnet build samples/StoryTeller -c Release "${props[@]}"
dotnet run --project samples/StoryTeller -c Release --no-build -- "$@"
