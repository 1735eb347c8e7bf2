#!/usr/bin/env bash
# The README's first command: packs ModelCompress.Build into artifacts/packages, then builds and runs
# samples/EmbeddedModelSample, whose `dotnet build` generates its fp32 model (first time only), compresses it to
# int8, checks its accuracy, embeds it, and whose run loads the embedded model with ONNX Runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/pack.sh >/dev/null
version=$(ls artifacts/packages/ModelCompress.Build.*.nupkg | sed -E 's/.*ModelCompress\.Build\.(.+)\.nupkg$/\1/' | head -n 1)
# The version is fixed, so NuGet would keep serving an earlier extraction of this same version from the global
# package folder: drop that copy (only this package, only this version) so the fresh pack is what the sample uses.
global=$(dotnet nuget locals global-packages --list | sed -E 's/^[^:]*: *//')
rm -rf "${global%/}/modelcompress.build/$version"
dotnet run --project samples/EmbeddedModelSample -c Release "$@"
