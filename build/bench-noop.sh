#!/usr/bin/env bash
# Measures what ModelCompress.Build adds to a no-op `dotnet build`: two copies of one console app, one with the
# package and the sample's recipe and model (samples/EmbeddedModelSample), one without; each built once, then
# built again N times with nothing changed, alternating, timing the whole `dotnet build` command. Prints the
# median of each and their ratio. A benchmark, not a test: it is never part of build/test.sh.
# Usage: bash build/bench-noop.sh [runs (default 5)]      (packs first if artifacts/packages has no package)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs="${1:-5}"
ls artifacts/packages/ModelCompress.Build.*.nupkg >/dev/null 2>&1 || bash build/pack.sh >/dev/null
version=$(ls artifacts/packages/ModelCompress.Build.*.nupkg | sed -E 's/.*ModelCompress\.Build\.(.+)\.nupkg$/\1/' | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/nuget-packages" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1

cat > "$work/nuget.config" <<XML
<configuration>
  <packageSources>
    <clear />
    <add key="fresh" value="$repo/artifacts/packages" />
  </packageSources>
</configuration>
XML
for variant in plain with; do
  mkdir -p "$work/$variant"
  reference=""
  if [ "$variant" = with ]; then
    reference="<ItemGroup><PackageReference Include=\"ModelCompress.Build\" Version=\"$version\" PrivateAssets=\"all\" /></ItemGroup>"
    cp samples/EmbeddedModelSample/compression.yaml "$work/$variant/"
    dotnet run --project samples/SampleModelGenerator -c Release -- "$work/$variant/models" >/dev/null
  fi
  cat > "$work/$variant/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  $reference
</Project>
XML
  echo 'System.Console.WriteLine("hello");' > "$work/$variant/Program.cs"
  (cd "$work/$variant" && dotnet build -nodeReuse:false -p:UseSharedCompilation=false -v:q -nologo >/dev/null)
done

time_build() { # prints the wall time of one no-op build in seconds
  local start end
  start=$(date +%s.%N)
  (cd "$work/$1" && dotnet build -nodeReuse:false -p:UseSharedCompilation=false -v:q -nologo >/dev/null)
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

plain=(); with=()
for i in $(seq "$runs"); do
  plain+=("$(time_build plain)")
  with+=("$(time_build with)")
done
# The work target must have been skipped in every timed "with" build, or the numbers mean nothing.
(cd "$work/with" && dotnet build -nodeReuse:false -v:n -nologo) | grep -q 'Skipping target "_ModelCompressRun" because all output files are up-to-date' \
  || { echo "the no-op build did not skip _ModelCompressRun" >&2; exit 1; }
mp=$(printf '%s\n' "${plain[@]}" | median)
mw=$(printf '%s\n' "${with[@]}" | median)
printf '%-28s %s\n' "no-op build, runs" "$runs" \
  "without ModelCompress.Build" "${mp} s  (${plain[*]})" \
  "with ModelCompress.Build" "${mw} s  (${with[*]})" \
  "ratio (median with/without)" "$(echo "$mw / $mp" | bc -l | xargs printf '%.3f')" \
  "difference" "$(echo "$mw - $mp" | bc -l | xargs printf '%.3f') s"
printf '%-28s %s cores, load %s\n' "machine" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
