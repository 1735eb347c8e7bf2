#!/bin/sh
# Test double of `dotnet ModelCompress.Cli.dll run`, run as `/bin/sh fake-model-compress.sh run <recipe> ...`.
# It keeps the tool's file contract (manifest deleted first and written last, depfile, <name>.onnx + report.json,
# canonical diagnostics on stderr, exit codes) without compressing anything, so the task and the targets can be
# tested in seconds and independently of the engine. Behaviour comes from the recipe:
#   - name: X / source: Y      copies Y (relative to the recipe) to <output>/X.onnx
#   # fake: exit N             exits with N at once (after printing any diag lines)
#   # fake: diag TEXT          prints TEXT to stderr; {recipe} becomes the recipe path
#   # fake: stdout TEXT        prints TEXT to stdout
#   # fake: sleep N            sleeps N seconds before writing outputs
#   # fake: no-manifest        succeeds without writing the manifest
# Each run appends one line to $FAKE_RUN_LOG when that variable is set, and writes its arguments to
# $FAKE_ARGS_FILE when set.
set -eu
[ "${1:-}" = run ] || { echo "usage: run <recipe> --output DIR ..." >&2; exit 2; }
recipe=$2; shift 2
if [ -n "${FAKE_ARGS_FILE:-}" ]; then printf '%s\n' "$recipe" "$@" > "$FAKE_ARGS_FILE"; fi
out=""; manifest=""; depfile=""
while [ $# -gt 0 ]; do
  case $1 in
    --output) out=$2 ;;
    --manifest) manifest=$2 ;;
    --depfile) depfile=$2 ;;
    --cache-dir|--fail-on-regression|--project-dir) ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[ -n "$out" ] && [ -n "$manifest" ] && [ -n "$depfile" ] || { echo "missing --output/--manifest/--depfile" >&2; exit 2; }
rm -f "$manifest"
if [ -n "${FAKE_RUN_LOG:-}" ]; then echo "run $recipe" >> "$FAKE_RUN_LOG"; fi
[ -f "$recipe" ] || { echo "$recipe: error MC2001: recipe not found" >&2; exit 3; }

recipe_dir=$(cd "$(dirname "$recipe")" && pwd)
recipe_abs="$recipe_dir/$(basename "$recipe")"
directive() { sed -n "s/^# fake: $1 *//p" "$recipe"; }
directive diag | sed "s#{recipe}#$recipe_abs#g" >&2
directive stdout
code=$(directive exit | head -n 1)
[ -z "$code" ] || exit "$code"
sleep_s=$(directive sleep | head -n 1)
[ -z "$sleep_s" ] || sleep "$sleep_s"

mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp_deps=$(mktemp); tmp_outs=$(mktemp)
echo "$recipe_abs" >> "$tmp_deps"
line_no=0; name=""
while IFS= read -r line || [ -n "$line" ]; do
  line_no=$((line_no + 1))
  case $line in
    *"- name:"*) name=$(echo "$line" | sed 's/.*- name: *//') ;;
    *"source:"*)
      src=$(echo "$line" | sed 's/.*source: *//')
      col=$(( $(echo "$line" | sed 's/source:.*//' | wc -c) ))
      if [ ! -f "$recipe_dir/$src" ]; then
        echo "$recipe_abs($line_no,$col): error MC1001: The model file '$src' was not found." >&2
        rm -f "$tmp_deps" "$tmp_outs"; exit 4
      fi
      echo "$recipe_dir/$src" >> "$tmp_deps"
      cp "$recipe_dir/$src" "$out/.$name.onnx.tmp" && mv "$out/.$name.onnx.tmp" "$out/$name.onnx"
      echo "$out/$name.onnx" >> "$tmp_outs" ;;
  esac
done < "$recipe"
printf '{ "fake": true }\n' > "$out/.report.json.tmp" && mv "$out/.report.json.tmp" "$out/report.json"
echo "$out/report.json" >> "$tmp_outs"
sort "$tmp_deps" > "$depfile.tmp" && mv "$depfile.tmp" "$depfile"
if ! grep -q '^# fake: no-manifest' "$recipe"; then
  sort "$tmp_outs" > "$manifest.tmp" && mv "$manifest.tmp" "$manifest"
fi
rm -f "$tmp_deps" "$tmp_outs"
exit 0
