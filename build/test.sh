#!/usr/bin/env bash
# The README's test command: restore, build and run every test project in Release, then print one summary line.
# Fixtures are read from ../shared/fixtures (or $MODELCOMPRESS_FIXTURES); a missing one fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
# Azurite, for the remote cache tests (a no-op when .tools/azurite has it already).
bash build/install-azurite.sh
results="artifacts/test-results"
rm -rf "$results"
status=0
dotnet test ModelCompress.Build.sln -c Release --logger "trx" --results-directory "$results" "$@" || status=$?
# Sum the trx counters so the run ends with a plain "N passed, N failed" line.
passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -e "$f" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); passed=$((passed + ${p:-0}))
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line"); failed=$((failed + ${x:-0}))
  s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$line"); skipped=$((skipped + ${s:-0}))
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
exit "$status"
