using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Recipe;

/// <summary>
/// One recipe per error code, each with exactly one mistake, and where the diagnostic must point (1-based line,
/// column) and a fragment its message must contain. Columns count from the first character of the offending token.
/// </summary>
internal static class RecipeErrorCases
{
    public static TheoryData<string, string, int, int, string> All { get; } = new()
    {
        { "MC2002", Y("version: 1", "models:", "  - name: 'm", "    source: x"), 3, 11, "quoted scalar" },
        { "MC2002", Y("version: 1", "models: [a, b"), 3, 1, "(the bracket at line 2, column 9 is still open)" },
        { "MC2002", Y("version: 1", "models: [a, b", "x: 1"), 2, 9, "never closed" },
        { "MC2002", Y("version: 1", "models: *nope"), 2, 9, "'*nope'" },
        { "MC2003", Head + Y("    steps:", "      - quantize:", "          mode: dynamic", "          mode: static"), 8, 11, "first at line 7" },
        { "MC2004", Head + Cal + Y("    steps:", "      - smoothquant: { alpha: auto, alpha_stp: 0.1 }", "      - quantize"), 7, 37, "Did you mean 'alpha_step'?" },
        { "MC2004", "colour: red\n" + Head + Y("    steps: [ { quantize: { mode: dynamic } } ]"), 1, 1, "Known keys are: version, models, output, allow_outside or cache." },
        { "MC2005", Y("version: 1", "models:", "  - name: m", "    steps: [ { quantize: { mode: dynamic } } ]"), 3, 5, "'source' is missing from model 'm'" },
        { "MC2006", Head + Y("    calibration: { data: data/calib.npz, samples: abc }", "    steps: [ quantize ]"), 5, 51, "'samples' must be a whole number, but it is 'abc'" },
        { "MC2007", Head + Cal + Y("    steps:", "      - smoothquant: { alpha: 1.5 }", "      - quantize"), 7, 31, "Use a number from 0 to 1." },
        { "MC2007", Head + Cal + Y("    steps:", "      - share: { method: cluster, clusters: 300 }"), 7, 45, "256" },
        { "MC2007", Head + Cal + Y("    steps:", "      - distill: { teacher: source, rows: 4 }"), 7, 43, "16" },
        { "MC2008", Head + Cal + Y("    steps:", "      - quantize:", "          mode: statc"), 8, 17, "Did you mean 'static'?" },
        { "MC2009", Head + Y("    steps:", "      - quantise: { mode: dynamic }"), 6, 9, "Did you mean 'quantize'?" },
        { "MC2010", Head + Y("    steps:", "      - quantize:", "        mode: dynamic"), 6, 9, "'quantize', 'mode'" },
        {
            "MC2011",
            Head + Y("    steps: [ { quantize: { mode: dynamic } } ]", "  - name: M", "    source: models/other.onnx", "    steps: [ { quantize: { mode: dynamic } } ]"),
            6, 11, "(line 3)"
        },
        { "MC2012", Y("version: 1", "models:", "  - name: my model", "    source: models/m.onnx", "    steps: [ { quantize: { mode: dynamic } } ]"), 3, 11, "'my model'" },
        { "MC2013", Y("version: 1", "models:", "  - name: m", "    source: ../outside.onnx", "    steps: [ { quantize: { mode: dynamic } } ]"), 4, 13, "allow_outside: true" },
        { "MC2014", Y("version: 1", "models:", "  - name: m", "    source: models/nope.onnx", "    steps: [ { quantize: { mode: dynamic } } ]"), 4, 13, "'models/nope.onnx'" },
        { "MC2015", Y("version: 2", "models:", "  - name: m", "    source: models/m.onnx", "    steps: [ { quantize: { mode: dynamic } } ]"), 1, 10, "Set 'version: 1'" },
        { "MC2016", string.Empty, 1, 1, "empty" },
        { "MC2016", "# only a comment\n", 1, 1, "empty" },
        { "MC2017", Head + Cal + Y("    steps:", "      - quantize: { method: minmax, percentile: 99.9 }"), 7, 37, "'percentile' does not apply" },
        { "MC2018", Head + Y("    steps: [ { quantize: { mode: dynamic } } ]", "    verify:", "      data: data/val.npz", "      thresholds:", "        - { metric: cosine }"), 9, 11, "Add one of: min." },
        { "MC2019", Head + Y("    calibration: { data: data/calib.bin }", "    steps: [ quantize ]"), 5, 26, "'calib.bin'" },
        { "MC2020", Head + Y("    calibration: { data: data/train.txt }", "    steps: [ quantize ]"), 5, 20, "tokenizer: bytes" },
        { "MC2021", Head + Y("    steps: [ smoothquant, { quantize: { mode: dynamic } } ]"), 5, 14, "'smoothquant' needs calibration data" },
        { "MC2022", Head + Y("    steps: [ { quantize: { mode: dynamic } } ]", "    verify:", "      data: data/val.npz", "      thresholds:", "        - { metric: accuracy, min: 0.9 }"), 9, 21, "labels" },
        { "MC2023", Head + Y("    steps: [ { quantize: { mode: dynamic } } ]", "    verify:", "      data: data/val.npz", "      thresholds:", "        - { metric: perplexity, max: 5 }"), 9, 21, "'val.npz' is npz data" },
        { "MC2024", Head + Y("    steps:", "      - quantize: { mode: dynamic, exclude: [\"re:(\"] }"), 6, 46, "'(' is not a valid regular expression" },
        { "MC2025", Head + Y("    steps:", "      - prune: { pattern: \"4:2\" }"), 6, 27, "'4:2'" },
        { "MC2026", Head + Cal + Y("    steps:", "      - quantize", "      - smoothquant"), 8, 9, "must come before 'quantize' (line 7)" },
        { "MC2027", Head + Cal + Y("    steps:", "      - quantize", "      - quantize: { mode: dynamic }"), 8, 9, "first at line 7" },
        { "MC2029", Y("version: 1", "models:", "  - name: m", "    source: data/notes.md", "    steps: [ { quantize: { mode: dynamic } } ]"), 4, 13, "'data/notes.md'" },
        { "MC2030", Head + Y("    steps: [ { quantize: { mode: dynamic } } ]", "---", "version: 1"), 6, 1, "more than one YAML document" },
        { "MC2031", Head + Y("    steps:", "      - prune: { sparsity: 0.3, pattern: \"2:4\" }"), 6, 28, "sparsity 0.5" },
        { "MC2032", Head + Y("    steps:", "      - share: { method: lowrank, rank: 4, energy: 0.9 }"), 6, 44, "'rank' and 'energy'" },
        { "MC2033", Y("version: 1", "models: []"), 2, 9, "'models' is empty" },
        { "MC2034", Y("version: 1", "models:", "  - name: m", "    source: \"\"", "    steps: [ { quantize: { mode: dynamic } } ]"), 4, 13, "it is empty" },
        { "MC2035", Head + Y("    steps:", "      - quantize: { mode: dynamic, exclude: [\"op:\"] }"), 6, 46, "'op:'" },
        { "MC2038", Head + Y("    steps: [ { quantize: { mode: dynamic } } ]", "    verify:", "      data: data/val.npz", "      outputs: [logits, state, logits]", "      thresholds:", "        - { metric: cosine, min: 0.99 }"), 8, 32, "'logits' is listed twice" },
        { "MC2040", Head + Y("    steps:", "      - prune: { scope: global, pattern: \"2:4\" }"), 6, 25, "keeps N of every M" },
        { "MC2040", Head + Cal + Y("    steps:", "      - prune: { method: wanda, sparsity: 0.5, scope: global }"), 7, 55, "ranks weights within each layer" },
        { "MC2070", Head + Y("    steps:", "      - prune: { method: structured, sparsity: 0.25, targets: [mlp, rows] }"), 6, 69, "'rows' is not a structured pruning target" },
        { "MC2071", Head + Y("    steps:", "      - prune: { method: structured, sparsity: 0.25, targets: [mlp, mlp] }"), 6, 69, "'mlp' is listed twice" },
        { "MC2100", Head + Cal + Y("    tune: { objective: size }"), 6, 5, "has 'tune:' but no 'verify:' section" },
        { "MC2101", Head + Y("    steps: [ { quantize: { mode: dynamic } } ]", "    tune: {}", "    verify: { data: data/val.npz, thresholds: [ { metric: cosine, min: 0.9 } ] }"), 5, 5, "both 'steps:' and 'tune:' (line 6)" },
        { "MC2102", Head + Y("    tune:", "      candidates:", "        - [ quantize: { mode: dynamic } ]", "        - [ quantize: { mode: dynamic, per_channel: true } ]",
            "    verify: { data: data/val.npz, thresholds: [ { metric: cosine, min: 0.9 } ] }"), 8, 11, "Candidate 2 repeats candidate 1 (line 7)" },
        { "MC2036", Y("version: 1", "? [a, b]", ": 1", "models:", "  - name: m", "    source: models/m.onnx", "    steps: [ { quantize: { mode: dynamic } } ]"), 2, 3, "not a list" },
        { "MC2055", Head + Y("    steps:", "      - quantize: { weights: int4, mode: static }"), 6, 42, "'mode' is static" },
        { "MC2056", Head + Cal + Y("    steps:", "      - prune: { method: sparsegpt, pattern: \"2:4\", block_size: 64 }"), 7, 53, "'2:4'" },
        { "MC2220", Head + Y("    steps:", "      - prune: { sparsity: 0.5, storage: packed }", "      - prune: { method: nm, pattern: \"2:4\", storage: dense }"), 7, 9, "contradicts 'storage: packed' of the prune step at line 6" },
    };
}
