#!/usr/bin/env bash
# Reruns the kernel tests (tests/ModelCompress.Kernels.Tests) in every configuration the int8 GEMM must be exact in:
#   (a) each tier forced with MODELCOMPRESS_GEMM_KERNEL (those this CPU has), and
#   (b) the runtime's ISA switches off: DOTNET_EnableAVXVNNI=0, DOTNET_EnableAVX2=0, DOTNET_EnableHWIntrinsic=0;
#   (c) on AVX-512 CPUs, the Hessian fold / GPTQ factor tile tests of ModelCompress.Tests with DOTNET_EnableAVX512=0.
# Each run also sets MODELCOMPRESS_EXPECT_TIER; KernelSelectionTests fail unless the process really ran that tier
# with those switches, so a switch that silently did nothing fails the run. Exits non-zero if any run fails.
# The variables reach only the test host (dotnet test -e), so the build tools themselves run at full speed.
set -uo pipefail
cd "$(dirname "$0")/.."
project=tests/ModelCompress.Kernels.Tests

dotnet build "$project" -c Release --nologo -v q || exit 1

# Tiers the CPU can run: read from /proc/cpuinfo where there is one (CI is Linux); elsewhere only the portable ones.
has_flag() { [ -r /proc/cpuinfo ] && grep -qw "$1" /proc/cpuinfo; }
tiers=(scalar vector128)
has_flag avx2 && tiers+=(avx2)
has_flag avx_vnni && tiers+=(avxvnni)
without_vnni=vector128; has_flag avx2 && without_vnni=avx2

failed=()
run() { # run <label> <expected tier> [NAME=VALUE ...]
  local label=$1 expect=$2; shift 2
  local args=(-e "MODELCOMPRESS_EXPECT_TIER=$expect")
  for kv in "$@"; do args+=(-e "$kv"); done
  echo "== $label (expect tier $expect)"
  if dotnet test "$project" -c Release --no-build --nologo "${args[@]}" 2>&1 | grep -E "^(Passed|Failed)!|^\s+Failed |Error Message|MC9"; then :; fi
  # grep only filters the output; the verdict comes from dotnet test's own exit status.
  if [ "${PIPESTATUS[0]}" -ne 0 ]; then failed+=("$label"); fi
}

for t in "${tiers[@]}"; do
  run "forced $t" "$t" "MODELCOMPRESS_GEMM_KERNEL=$t"
done
run "DOTNET_EnableAVXVNNI=0" "$without_vnni" DOTNET_EnableAVXVNNI=0
run "DOTNET_EnableAVX2=0" vector128 DOTNET_EnableAVX2=0
run "DOTNET_EnableHWIntrinsic=0" scalar DOTNET_EnableHWIntrinsic=0

# The register tiles of the Hessian fold and the GPTQ factor (ModelCompress.Tests) compare their bits with plain loops;
# on an AVX-512 CPU the default run takes the 8-row tiles, so the 4-row ones run here with AVX-512 switched off.
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  echo "== DOTNET_EnableAVX512=0: Hessian fold and factor tiles (4-row)"
  dotnet build tests/ModelCompress.Tests -c Release --nologo -v q >/dev/null || failed+=("build ModelCompress.Tests")
  if dotnet test tests/ModelCompress.Tests -c Release --no-build --nologo -e DOTNET_EnableAVX512=0 -e MODELCOMPRESS_EXPECT_WIDE_TILES=False \
      --filter "FullyQualifiedName~HessianFold|FullyQualifiedName~InputHessian|FullyQualifiedName~LowerInverseTiles|FullyQualifiedName~CholeskyPanels|FullyQualifiedName~ParallelFactor" \
      2>&1 | grep -E "^(Passed|Failed)!|^\s+Failed |Error Message"; then :; fi
  if [ "${PIPESTATUS[0]}" -ne 0 ]; then failed+=("DOTNET_EnableAVX512=0 tiles"); fi
fi

if [ ${#failed[@]} -ne 0 ]; then
  echo "kernel runs failed: ${failed[*]}" >&2
  exit 1
fi
echo "kernel runs: all ${#tiers[@]} forced tiers, 3 ISA-switch runs and the tile-width run (on AVX-512 CPUs) passed"
