#!/usr/bin/env bash
# Packs the NuGet packages into a local folder (default artifacts/packages/):
#   ModelCompress.Build  the MSBuild task + build/ModelCompress.Build.props/.targets + the published CLI in tools/
#   ModelCompress.Cli    the `dotnet model-compress` tool
#   ModelCompress.Templates  the `dotnet new modelcompress` item template for compression.yaml
# The version is the repository's fixed <Version> (Directory.Build.props). Packing is deterministic: the same
# sources give byte-identical .nupkg files (compiler determinism, CI path mapping, NuGet's deterministic pack with
# a fixed entry timestamp). No package source is contacted beyond what restore of the projects needs.
# Usage: bash build/pack.sh [output-folder]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/packages}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out"/ModelCompress.Build.*.nupkg "$out"/ModelCompress.Cli.*nupkg "$out"/ModelCompress.Templates.*.nupkg
# 1980-01-01T00:00:00Z, the zip epoch, for every entry.
# ModelCompress.PackTool.targets drops ONNX Runtime's mobile native builds from both packages (see the file).
# --artifacts-path: the pack builds (with CI path mapping) go to their own bin/obj folders, so they never replace the
# assemblies that ordinary builds and test runs of the same projects use.
props=(-c Release --artifacts-path artifacts/pack-build "-p:CustomAfterMicrosoftCommonTargets=$PWD/build/ModelCompress.PackTool.targets" -p:ContinuousIntegrationBuild=true -p:Deterministic=true -p:DeterministicTimestamp=315532800 -nologo -v:q)
dotnet pack src/ModelCompress.Build.Tasks "${props[@]}" -o "$out"
dotnet pack src/ModelCompress.Cli "${props[@]}" -o "$out"
# The `dotnet new modelcompress` item template (content only, nothing compiled).
dotnet pack src/ModelCompress.Templates "${props[@]}" -o "$out"
ls -l "$out"/ModelCompress.Build.*.nupkg "$out"/ModelCompress.Cli.*nupkg "$out"/ModelCompress.Templates.*.nupkg
# The samples' tool manifest (samples/.config/dotnet-tools.json) names the tool just packed, and samples/nuget.config
# adds this folder as a package source there. With the default folder only (a caller that passes its own folder, like
# the end-to-end tests, keeps the machine's NuGet folders untouched): the version is fixed, so a copy restored from an
# earlier pack would shadow the new bits; drop it from the NuGet global packages folder, then restore the samples'
# manifest. After that `dotnet model-compress` anywhere under samples/ runs this build. (The root manifest names only
# tools from the public feed, so `dotnet tool restore` at the root works on a fresh clone before any pack.)
if [ $# -eq 0 ]; then
  global="$(dotnet nuget locals global-packages --list | sed -n 's/^[^:]*: *//p')"
  version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)"
  [ -n "$global" ] && [ -n "$version" ] && rm -rf "${global%/}/modelcompress.cli/$version"
  (cd samples && dotnet tool restore)
fi
