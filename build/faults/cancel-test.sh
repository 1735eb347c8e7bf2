#!/usr/bin/env bash
# Ctrl+C: build/faults/cancel-test.sh [RUNS=10] [SEED=1]
# Sends SIGINT to `model-compress run` (SmoothQuant + static on char-gpt) at random moments and checks that it stops
# within 2 s with the "cancelled" exit status (7), or had already finished (0), and that no file under a final name
# or temporary is left in the output folder by a cancelled run. (MSBuild's cancel kills the tool's process tree:
# that case is kill-test.sh.)
set -euo pipefail
# Job control on: a non-interactive shell starts background commands with SIGINT ignored (so Ctrl+C at a terminal
# reaches only the foreground job), which would hide the tool's handler from this test.
set -m
cd "$(dirname "$0")/../.."
runs="${1:-10}"
RANDOM="${2:-1}"
source build/faults/common.sh
publish_cli
work="artifacts/faults/cancel"
rm -rf "$work" && mkdir -p "$work"
make_project "$work/p" "      - smoothquant: { alpha: 0.5 }
      - quantize: { mode: static }" 8
failures=0; worst=0; cancelled=0
for i in $(seq 1 "$runs"); do
  out="$work/out"; rm -rf "$out"
  delay=$(echo "scale=3; 0.5 + 10 * $RANDOM / 32767" | bc)
  # A plain command in the background, so that $! is the tool's own process, not a subshell.
  dotnet "$cli_dir/ModelCompress.Cli.dll" run "$work/p/compression.yaml" -o "$out" --manifest "$out/m.txt" >"$work/run.log" 2>&1 &
  pid=$!
  sleep "$delay"
  sent=$(date +%s.%N)
  kill -INT "$pid" 2>/dev/null || true
  rc=0; wait "$pid" || rc=$?
  took=$(echo "$(date +%s.%N) - $sent" | bc)
  worst=$(echo "if ($took > $worst) $took else $worst" | bc)
  left=$( (find "$out" -type f 2>/dev/null || true) | wc -l)
  verdict=ok
  if [ "$rc" -eq 7 ]; then
    cancelled=$((cancelled + 1))
    [ "$left" -eq 0 ] || verdict="FAIL: $left file(s) left"
  elif [ "$rc" -ne 0 ]; then verdict="FAIL: exit $rc$([ "$left" -eq 0 ] && echo ', no file left')"; fi
  [ "$(echo "$took > 2" | bc)" -eq 1 ] && verdict="FAIL: took ${took}s"
  [ "$verdict" = ok ] || failures=$((failures + 1))
  echo "run $i: SIGINT at ${delay}s, exit $rc after ${took}s, files left $left: $verdict"
done
echo "RESULT runs=$runs cancelled=$cancelled worst_stop_s=$worst failures=$failures"
[ "$failures" -eq 0 ]
