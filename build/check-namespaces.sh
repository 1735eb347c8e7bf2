#!/usr/bin/env bash
# Shows that the engine's namespaces depend on each other one way, with no cycle: runs only the architecture tests
# (tests/ModelCompress.Tests/Architecture/NamespaceDependencyTests.cs, which read the graph from the compiled
# assembly), prints the allowed layer order and the graph they found, and exits non-zero on a cycle or an upward use.
#   bash build/check-namespaces.sh            (builds first; add --no-build after a Release build)
set -euo pipefail
cd "$(dirname "$0")/.."
echo "Layer order, bottom first (each namespace may use only those before it):"
sed -n '/public static readonly string\[\] Layers =/,/];/p' tests/ModelCompress.Tests/Architecture/NamespaceDependencyTests.cs \
  | grep -o '"[A-Za-z.]*"' | tr -d '"' | nl -w2 -s'. '
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test tests/ModelCompress.Tests -c Release "$@" --filter "FullyQualifiedName~ModelCompress.Tests.Architecture.NamespaceDependencyTests" \
  --logger "console;verbosity=detailed" >"$log" 2>&1 || status=$?
# The cycle test prints the graph it read (namespace -> what it uses).
sed -n '/Standard Output Messages:/,/^$/p' "$log" | sed '1d' | awk '!seen[$0]++'
grep -E '^\s*(Passed|Failed) ' "$log" | sed 's/^ *//' || true
grep -E 'Total tests|Passed!|Failed!' "$log" | tail -n 2 || true
if [ "$status" -ne 0 ]; then tail -n 40 "$log" >&2; echo "namespace check: FAILED" >&2; exit "$status"; fi
echo "namespace check: no cycle, every dependency points down the layers"
