# Shared by the fault scripts: publish the CLI once (a fast start for each of many runs) and lay out a char-gpt project.
# Sourced, not run. Needs: repo root as the current folder, ../shared/fixtures (or $MODELCOMPRESS_FIXTURES).
fixtures="${MODELCOMPRESS_FIXTURES:-$(cd .. && pwd)/shared/fixtures}"
cli_dir="artifacts/faults/cli"

publish_cli() {
  if [ ! -f "$cli_dir/ModelCompress.Cli.dll" ] || [ -n "${REPUBLISH:-}" ]; then
    dotnet publish src/ModelCompress.Cli -c Release -o "$cli_dir" --nologo -v quiet >/dev/null
  fi
}

cli() { dotnet "$cli_dir/ModelCompress.Cli.dll" "$@"; }

# make_project DIR STEPS SAMPLES: char-gpt, byte-token windows of wikitext-2, the given steps.
make_project() {
  local dir="$1" steps="$2" samples="$3"
  mkdir -p "$dir/models" "$dir/data"
  cp "$fixtures/models/char-gpt/char-gpt-6l384.onnx" "$dir/models/model.onnx"
  head -c 200000 "$fixtures/data/wikitext-2/valid.txt" > "$dir/data/calib.txt"
  head -c 200000 "$fixtures/data/wikitext-2/test.txt" > "$dir/data/verify.txt"
  cat > "$dir/compression.yaml" <<YAML
version: 1
models:
  - name: gpt
    source: models/model.onnx
    calibration: { data: data/calib.txt, tokenizer: bytes, seq_len: 128, samples: $samples }
    steps:
$steps
    verify:
      data: data/verify.txt
      samples: 4
      thresholds:
        - { metric: top1_agreement, min: 0.5 }
YAML
}

# final_files DIR: every file a later build could trust: all but the atomic writer's temporaries (*.mctmp).
final_files() { find "$1" -type f ! -name '*.mctmp' 2>/dev/null | sort; }
