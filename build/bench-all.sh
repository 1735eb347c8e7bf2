#!/usr/bin/env bash
# Re-measures the tables of docs/benchmarks.md in one go, at the commit checked out, and writes every command's output
# under one markdown file, artifacts/bench-all-<commit>.md, headed by the commit, the machine and its load. Every
# table comes from a benchmark command that runs the engine path (`dotnet build`'s path); this script only runs them in
# turn, in their quick form, and keeps going when one fails (its row says so; the exit code is non-zero at the end).
#
#   bash build/bench-all.sh                 quick form of every table (the estimate is printed before it starts)
#   bash build/bench-all.sh --smoke         the smallest run of each command: proves the commands work, not numbers
#   bash build/bench-all.sh --only eval,cache  [--smoke]     a subset, by the names in the table below
#   bash build/bench-all.sh --list          the table of commands and estimates, nothing run
#   bash build/bench-all.sh --lanes 2       two commands at a time (one per core of this box), same tables
#
# Optional: PEER_DIR=/path (the peer's models, docs/benchmarks.md "Peer comparison") adds the peer row; PEER_CONV_DIR=/path
# (build/peer/ort_peer_conv.py's models) adds the peer column to the conv row; the scale22 row runs when the 22-layer
# model is there (made once by `bash build/scale.sh 22 dynamic`: 4.4 GB on disk, ~13 GB of RAM while it is made); the remote-cache
# row runs when Azurite is installed (bash build/install-azurite.sh). The no-op build row packs the package first.
set -uo pipefail
cd "$(dirname "$0")/.."

# name | docs/benchmarks.md section | estimated minutes of the quick form on the 2-core box when it is quiet (one core) |
# quick arguments | smoke arguments. "@" means a benchmark command (tests/ModelCompress.Benchmarks); "!" a script.
# {W} is the entry's own work folder; {PIPE} stands for a "|" inside an argument; {PEEROPT} becomes --peer-dir PEER_CONV_DIR when set.
read -r -d '' TABLE <<'ROWS'
eval|Evaluation|8|@ eval --quick --models char-gpt,stories260K,mnist-8,ppocrv4-rec --work-dir {W}|@ eval --quick --models mnist-8 --latency-rounds 1 --work-dir {W}
obs|int4 and SparseGPT|10|@ eval --quick --suite obs --models char-gpt,stories260K,mnist-8 --work-dir {W}|@ eval --quick --suite obs --models mnist-8 --latency-rounds 1 --work-dir {W}
structured|Structured pruning|6|@ eval --quick --suite structured --models char-gpt,stories260K,mnist-8 --work-dir {W}|@ eval --quick --suite structured --models mnist-8 --latency-rounds 1 --work-dir {W}
pruning|Pruning|18|@ eval --quick --suite pruning --models char-gpt,stories260K,mnist-8 --latency-rounds 3 --work-dir {W}|@ eval --quick --suite pruning --models mnist-8 --latency-rounds 1 --work-dir {W}
conv-prune|Conv layers under Wanda, SparseGPT and distillation|10|@ eval --quick --suite conv-prune --models mnist-8,ppocrv4-rec --latency-rounds 3 --work-dir {W}|@ eval --quick --suite conv-prune --models mnist-8 --latency-rounds 1 --work-dir {W}
conv|Static int8 for conv nets|9|@ eval --quick --suite conv --models mnist-8,ppocrv4-rec,ppocrv4-cls --latency-rounds 20 {PEEROPT} --work-dir {W}|@ eval --quick --suite conv --models mnist-8 --latency-rounds 1 --work-dir {W}
ood|SmoothQuant out of the calibration domain|10|@ eval --quick --models char-gpt --variants minmax,sq05,sqauto,sqauto-h1,sqauto-hauto --work-dir {W}|@ eval --quick --models stories260K --variants minmax --latency-rounds 1 --work-dir {W}
subgraph|Weights in Constant nodes, If branches and LSTMs|1|@ eval-subgraph|@ eval-subgraph
share-distill|Distillation and sharing|4|@ share-distill --models mnist-8,stories260K --calib 16 --verify 16 --rows 1024|@ share-distill --models mnist-8 --variants k=16 --calib 4 --verify 4 --rows 256 --epochs 1
share-distill-gpt|Distillation and sharing (char-gpt)|28|@ share-distill --models char-gpt --calib 16 --verify 8 --rows 1024|@ share-distill --models char-gpt --variants "lowrank 0.9" --calib 2 --verify 2 --rows 256 --epochs 1
sparse-storage|Packed storage of pruned weights|5|@ sparse-storage --models mnist-8,stories260K,char-gpt --calib 16 --verify 8|@ sparse-storage --models mnist-8 --calib 4 --verify 4
cache|Cache|3|@ cache --model stories --repeat 2|@ cache --model stories --repeat 1 --calibration 4 --verify 4
remote-cache|Remote cache (two machines, Azurite)|3|@ remote-cache --repeat 1 --model stories|@ remote-cache --repeat 1 --model stories
gemm|Kernels|3|@ gemm --quick|@ gemm --quick --m 1 --kn 768x768 --seconds 0.05
storyteller|StoryTeller|5|@ storyteller --reps 2|@ storyteller --reps 1 --no-greedy
tune|Tuning (`tune:`)|3|@ tune --model mnist-8 --verify 200 --calibration 16 --thresholds accuracy:max_drop:0.01 --max-trials 8|@ tune --model mnist-8 --verify 32 --calibration 8 --thresholds accuracy:max_drop:0.05 --max-trials 2
tune-rec|Tuning (`tune:`), PP-OCRv4 rec|5|@ tune --model ppocrv4-rec --verify 40 --calibration 16 --thresholds top1_agreement:min:0.99 --max-trials 20|@ tune --model ppocrv4-rec --verify 4 --calibration 4 --thresholds top1_agreement:min:0.5 --max-trials 1
tune-gpt|Tuning (`tune:`), char-gpt|9|@ tune --model char-gpt --verify 32 --calibration 32 --thresholds perplexity:max_increase:0.0006 --max-trials 19 --compare "smoothquant: { alpha: auto }; quantize: { mode: static }" --fresh 3|@ tune --model char-gpt --verify 2 --calibration 2 --thresholds perplexity:max_increase:0.5 --max-trials 1
rerun|Tuning (`tune:`), CLI rerun with nothing changed|2|! build/bench-rerun.sh 5|! build/bench-rerun.sh 1
external-data|External data (models over 2 GB)|3|@ external-data 2.25|@ external-data 2.05
noop|No-op build overhead|4|! build/bench-noop.sh 3|! build/bench-noop.sh 1
scale|Scale|7|! build/scale.sh 2 dynamic,wo8,int4,sq|! build/scale.sh 2 dynamic
scale22|Scale, 22 layers|16|! build/scale.sh 22 dynamic,wo8,int4,sq|! build/scale.sh 22 dynamic
peer|Peer comparison|8|@ eval --quick --models mnist-8,char-gpt --peer-dir {PEER} --work-dir {W}|@ eval --quick --models mnist-8 --peer-dir {PEER} --latency-rounds 1 --work-dir {W}
ROWS

mode=quick; only=""; list=0; lanes=1
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) mode=smoke ;;
    --only) only="${2:-}"; shift ;;
    --lanes) lanes="${2:-}"; shift ;;
    --list) list=1 ;;
    *) echo "usage: bash build/bench-all.sh [--smoke] [--only name,name] [--lanes N] [--list]" >&2; exit 2 ;;
  esac
  shift
done
case "$lanes" in ''|*[!0-9]*|0) echo "--lanes takes a positive number" >&2; exit 2 ;; esac

selected() {  # whether row $1 runs in this call
  local name=$1
  if [ -n "$only" ]; then [[ ",$only," == *",$name,"* ]]; return; fi
  case "$name" in
    peer) [ -n "${PEER_DIR:-}" ] ;;
    scale22) [ -f artifacts/scale/L22/model.onnx ] ;;
    remote-cache) [ -x .tools/azurite/node_modules/.bin/azurite-blob ] ;;
    *) true ;;
  esac
}

total=0; names=()
while IFS='|' read -r name section minutes quick smoke; do
  [ -z "$name" ] && continue
  if [ "$list" -eq 1 ]; then printf '%-18s %4s min  %s\n    quick: %s\n    smoke: %s\n' "$name" "$minutes" "$section" "${quick//\{PIPE\}/|}" "${smoke//\{PIPE\}/|}"; continue; fi
  selected "$name" || continue
  names+=("$name"); total=$((total + minutes))
done <<<"$TABLE"
[ "$list" -eq 1 ] && exit 0
if [ "${#names[@]}" -eq 0 ]; then echo "nothing selected" >&2; exit 2; fi

if [ "$mode" = quick ]; then
  echo "bench-all: ${#names[@]} tables (${names[*]}); estimated ${total} min of one core's work on a quiet 2-core box (more under load), in ${lanes} lane(s)"
else
  echo "bench-all --smoke: ${#names[@]} commands (${names[*]}), their smallest runs, in ${lanes} lane(s)"
fi

commit=$(git rev-parse --short HEAD)
dirty=$(git status --porcelain --untracked-files=no | grep -q . && echo " (with uncommitted changes)" || true)
flag=""; suffix=""
[ "$mode" = smoke ] && flag=" --smoke" && suffix="-smoke"
out="artifacts/bench-all-${commit}${suffix}.md"
work="artifacts/bench-all/${commit}-${mode}"
mkdir -p artifacts "$work"
bench="tests/ModelCompress.Benchmarks/bin/Release/net10.0/ModelCompress.Benchmarks.dll"

echo "building tests/ModelCompress.Benchmarks (Release)…"
if ! dotnet build tests/ModelCompress.Benchmarks -c Release -nologo -v q >"$work/build.log" 2>&1; then
  tail -n 30 "$work/build.log" >&2; echo "bench-all: the benchmarks do not build" >&2; exit 1
fi

# Lanes: the selected rows are dealt, longest estimate first, to the lane with the least estimated work so far, so
# the same selection always gives the same lanes. Each lane runs its rows one after another; on this 2-core box two
# lanes keep both cores busy while every ORT session still runs at the one intra-op thread it asks for.
declare -A lane_of=(); declare -a lane_load=()
for ((l = 0; l < lanes; l++)); do lane_load[l]=0; done
while IFS='|' read -r minutes name; do
  best=0
  for ((l = 1; l < lanes; l++)); do [ "${lane_load[l]}" -lt "${lane_load[best]}" ] && best=$l; done
  lane_of[$name]=$best; lane_load[best]=$(( lane_load[best] + minutes ))
done < <(while IFS='|' read -r name section minutes quick smoke; do
           [ -z "$name" ] && continue; selected "$name" && echo "$minutes|$name"; done <<<"$TABLE" | sort -t'|' -k1,1nr -k2,2 -s)

run_row() {  # runs one row; writes $work/$name.{out,err,status,seconds}
  local name=$1 spec=$2 kind args
  kind=${spec%% *}; args=${spec#* }
  local -a argv
  eval "argv=( $args )"
  for i in "${!argv[@]}"; do argv[i]=${argv[i]//\{PIPE\}/|}; done
  local start; start=$(date +%s)
  if [ "$kind" = "@" ]; then dotnet "$bench" "${argv[@]}"; else bash "${argv[@]}"; fi >"$work/$name.out" 2>"$work/$name.err"
  echo $? >"$work/$name.status"
  echo $(( $(date +%s) - start )) >"$work/$name.seconds"
}

spec_of() {  # the row's arguments for this mode, placeholders filled
  local spec=$1
  spec=${spec//\{W\}/$work/$2}
  spec=${spec//\{PEER\}/${PEER_DIR:-}}
  if [ -n "${PEER_CONV_DIR:-}" ]; then spec=${spec//\{PEEROPT\}/--peer-dir ${PEER_CONV_DIR}}; else spec=${spec//\{PEEROPT\}/}; fi
  echo "$spec"
}

start_load=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
pids=()
for ((l = 0; l < lanes; l++)); do
  (
    while IFS='|' read -r name section minutes quick smoke; do
      [ -z "$name" ] && continue
      selected "$name" || continue
      [ "${lane_of[$name]}" -eq "$l" ] || continue
      spec=$(spec_of "$([ "$mode" = smoke ] && echo "$smoke" || echo "$quick")" "$name")
      echo "[$(date -u +%H:%M:%S)] lane $l: $name"
      run_row "$name" "$spec"
      echo "[$(date -u +%H:%M:%S)] lane $l: $name done, $(cat "$work/$name.seconds") s, exit $(cat "$work/$name.status")"
    done <<<"$TABLE"
  ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

tmp="$out.tmp"
{
  echo "# Benchmarks re-measured at ${commit}${dirty} (${mode})"
  echo
  echo "- made by \`bash build/bench-all.sh${flag}${only:+ --only $only}$([ "$lanes" -gt 1 ] && echo " --lanes $lanes")\`, started ${started}, finished $(date -u '+%H:%M UTC')"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) logical cores, $(free -g | awk '/Mem:/ {print $2}') GB;" \
       "load average at start ${start_load}, at the end $(cut -d' ' -f1-3 /proc/loadavg); ${lanes} lane(s) of commands ran side by side"
  echo "- every table below is a benchmark command's own output; its heading names the docs/benchmarks.md section it re-measures"
  [ "$mode" = smoke ] && echo "- --smoke: the smallest run of each command, to show that it works; these are not reference numbers"
  echo
} >"$tmp"

failed=()
while IFS='|' read -r name section minutes quick smoke; do
  [ -z "$name" ] && continue
  selected "$name" || continue
  spec=$(spec_of "$([ "$mode" = smoke ] && echo "$smoke" || echo "$quick")" "$name")
  kind=${spec%% *}; args=${spec#* }; args=${args//\{PIPE\}/|}
  if [ "$kind" = "@" ]; then shown="dotnet run -c Release --project tests/ModelCompress.Benchmarks -- $args"; else shown="bash $args"; fi
  status=$(cat "$work/$name.status" 2>/dev/null || echo 255)
  {  # the row's body, also what build/bench-splice.sh puts into docs/benchmarks.md
    echo "\`$shown\` — at ${commit}${dirty}, $(cat "$work/$name.seconds" 2>/dev/null || echo '?') s, exit ${status}"
    echo
    if [ "$kind" = "@" ] && grep -q '^|' "$work/$name.out"; then cat "$work/$name.out"; else echo '```'; cat "$work/$name.out"; echo '```'; fi
    if [ "$status" -ne 0 ]; then echo; echo "**failed** (exit ${status}); the last lines of its error output:"; echo; echo '```'; tail -n 15 "$work/$name.err"; echo '```'; fi
  } >"$work/$name.md"
  { echo "## ${name} — docs/benchmarks.md \"${section}\" (lane ${lane_of[$name]})"; echo; cat "$work/$name.md"; echo; } >>"$tmp"
  [ "$status" -ne 0 ] && failed+=("$name")
done <<<"$TABLE"

mv "$tmp" "$out"
echo "wrote $out"
if [ "${#failed[@]}" -gt 0 ]; then echo "bench-all: failed: ${failed[*]}" >&2; exit 1; fi
