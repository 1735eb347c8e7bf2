#!/usr/bin/env bash
# Full disks and read-only folders: build/faults/disk-full.sh   (needs root to mount small tmpfs folders)
#   1. the output folder on a 4 MB tmpfs (the int8 char-gpt output is 11 MB): a coded error, a failing exit status,
#      no file under a final name and no temporary left behind;
#   2. the cache folder on a 1 MB tmpfs, the output on the normal disk: the cache fills up, the run still succeeds
#      and writes exactly the clean run's model;
#   3. the output folder on a read-only mount: a coded error and nothing written.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then echo "SKIPPED: mounting a small tmpfs needs root"; exit 2; fi
source build/faults/common.sh
publish_cli
work="$PWD/artifacts/faults/disk"
cleanup() { for m in "$work/full" "$work/cachefull" "$work/ro"; do mountpoint -q "$m" && umount "$m"; done; true; }
trap cleanup EXIT
cleanup; rm -rf "$work" && mkdir -p "$work"/{full,cachefull,ro}
make_project "$work/p" "      - quantize: { mode: dynamic }" 4
failures=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi; }

cli run "$work/p/compression.yaml" -o "$work/clean" >"$work/clean.log" 2>&1 || { cat "$work/clean.log"; exit 1; }

mount -t tmpfs -o size=4m tmpfs "$work/full"
rc=0; cli run "$work/p/compression.yaml" -o "$work/full/out" --manifest "$work/full/out/m.txt" >"$work/full.log" 2>&1 || rc=$?
echo "disk full: exit $rc: $(grep -o 'error MC[0-9]*.*' "$work/full.log" | head -1 | cut -c1-160)"
check "disk full -> failing exit status" "[ $rc -ne 0 ]"
check "disk full -> a coded error" "grep -q 'error MC[0-9]\{4\}' '$work/full.log'"
check "disk full -> no internal error" "! grep -q MC9301 '$work/full.log'"
check "disk full -> no file under a final name" "[ -z \"\$(find '$work/full' -type f ! -name '*.mctmp')\" ]"
check "disk full -> no temporary left" "[ -z \"\$(find '$work/full' -type f -name '*.mctmp')\" ]"

mount -t tmpfs -o size=1m tmpfs "$work/cachefull"
rc=0; cli run "$work/p/compression.yaml" -o "$work/out2" --cache-dir "$work/cachefull/cache" >"$work/cachefull.log" 2>&1 || rc=$?
echo "cache full: exit $rc: $(grep -o 'warning MC[0-9]*.*' "$work/cachefull.log" | head -1 | cut -c1-160)"
check "cache full -> the run still succeeds" "[ $rc -eq 0 ]"
check "cache full -> the clean run's model" "cmp -s '$work/out2/gpt.onnx' '$work/clean/gpt.onnx'"
check "cache full -> no internal error" "! grep -q MC9301 '$work/cachefull.log'"

mount -t tmpfs -o ro,size=1m tmpfs "$work/ro"
rc=0; cli run "$work/p/compression.yaml" -o "$work/ro/out" >"$work/ro.log" 2>&1 || rc=$?
echo "read-only: exit $rc: $(grep -o 'error MC[0-9]*.*' "$work/ro.log" | head -1 | cut -c1-160)"
check "read-only -> failing exit status" "[ $rc -ne 0 ]"
check "read-only -> a coded error" "grep -q 'error MC[0-9]\{4\}' '$work/ro.log'"
check "read-only -> no internal error" "! grep -q MC9301 '$work/ro.log'"
echo "RESULT failures=$failures"
[ "$failures" -eq 0 ]
