using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelCompress.Recipe;

/// <summary>
/// Writes the starter <c>compression.yaml</c> for <c>dotnet model-compress init</c>: a recipe that
/// <see cref="RecipeLoader"/> accepts as is, commented with what each key does, with the richer options shown as
/// comments to uncomment.
/// </summary>
public static partial class RecipeTemplate
{
    /// <summary>Whether <paramref name="name"/> is a valid model name ([A-Za-z0-9_.-], not only dots).</summary>
    public static bool IsValidModelName(string name) =>
        !string.IsNullOrEmpty(name) && ValidName().IsMatch(name) && name.Trim('.').Length > 0;

    /// <summary>A valid model name derived from a file name: the stem with other characters replaced by '-'.</summary>
    public static string SuggestModelName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var name = InvalidChar().Replace(stem, "-").Trim('-');
        return IsValidModelName(name) ? name : "model";
    }

    /// <summary>The starter recipe for one model at <paramref name="sourceRelativePath"/> (relative to the recipe).</summary>
    public static string Create(string modelName, string sourceRelativePath, RecipeTemplateHints hints)
    {
        ArgumentNullException.ThrowIfNull(hints);
        ArgumentException.ThrowIfNullOrEmpty(sourceRelativePath);
        if (!IsValidModelName(modelName))
        {
            throw new ArgumentException(
                $"'{modelName}' is not a valid model name: use letters, digits, '_', '.' and '-'.", nameof(modelName));
        }

        var w = new StringBuilder();
        Header(w);
        w.Append("  - name: ").Append(modelName).Append("                # output file: ").Append(modelName).Append(".onnx\n");
        w.Append("    source: ").Append(Quote(sourceRelativePath)).Append("   # the fp32 model, relative to this file\n");
        Calibration(w, hints);
        foreach (var line in hints.Why)
        {
            w.Append("    # ").Append(line).Append('\n');
        }

        var mode = hints.Mode ?? (hints.CalibrationData is not null ? QuantizeMode.Static : QuantizeMode.Dynamic);
        if (mode == QuantizeMode.WeightOnly)
        {
            WeightOnlySteps(w);
        }
        else
        {
            Steps(w, calibrated: mode == QuantizeMode.Static, smoothQuant: hints.SmoothQuant);
        }

        Verify(w, hints);
        return w.ToString();
    }

    private static void Header(StringBuilder w) => w.Append(
        """
        # compression.yaml: how ModelCompress.Build compresses and checks your models on every `dotnet build`.
        # Every key is described in docs/recipe.md. Paths are relative to this file and must stay inside the project
        # (set `allow_outside: true` to lift that).
        version: 1                 # recipe schema version (required)
        output: compressed         # folder for `dotnet model-compress` runs (builds use obj/)
        cache:
          enabled: true            # reuse per-layer results when nothing that affects a layer changed
          max_size_mb: 1024        # evict the oldest entries above this size

        models:

        """);

    private static void Calibration(StringBuilder w, RecipeTemplateHints hints)
    {
        if (hints.CalibrationData is not { } data)
        {
            w.Append(
                """
                    # Calibration data unlocks SmoothQuant and static int8 (faster, usually more accurate):
                    # calibration:
                    #   data: data/calibration.npz   # .npy/.npz arrays, .txt text or MNIST idx files
                    #   samples: 128                 # how many samples to run through the model

                """);
            return;
        }

        w.Append("    calibration:\n");
        w.Append("      data: ").Append(Quote(data)).Append("   # representative inputs (.npy/.npz, .txt, MNIST idx)\n");
        w.Append("      samples: 128               # how many samples (text: windows) to run through the model\n");
        if (BindingFormat(data) == DataFormat.Text)
        {
            w.Append("      tokenizer: ").Append(Quote(hints.Tokenizer ?? "bytes")).Append("   # 'bytes' or a llama2.c tokenizer .bin\n");
            w.Append("      seq_len: ").Append((hints.SeqLen ?? DataSource.DefaultSeqLen).ToString(CultureInfo.InvariantCulture))
                .Append("               # tokens per window\n");
        }

        if (hints.Input is { } input)
        {
            w.Append("      input: ").Append(Quote(input)).Append("   # the model input the data feeds\n");
        }
    }

    private static void WeightOnlySteps(StringBuilder w) => w.Append(
        """
            steps:                       # run in this order
              - quantize:
                  mode: weight_only        # int8 weights, float activations: needs no calibration data
                  weights: int8            # int8 or int4
                  per_channel: true        # one weight scale per output channel
                  # exclude: ["op:Gemm", "re:^/head/"]   # node names, op types or regexes to keep in float

        """);

    private static void Steps(StringBuilder w, bool calibrated, bool smoothQuant)
    {
        w.Append("    steps:                       # run in this order\n");
        if (calibrated)
        {
            if (smoothQuant)
            {
                w.Append(
                    """
                          - smoothquant:
                              alpha: 0.5               # 0..1: how much activation range moves into weights, or 'auto' to search

                    """);
            }

            w.Append(
                """
                      - quantize:
                          mode: static             # static (calibrated ranges), dynamic, or weight_only
                          weights: int8            # int8, or int4 (block-wise, block_size: 32)
                          activations: uint8       # uint8 or int8
                          per_channel: true        # one weight scale per output channel
                          method: minmax           # activation ranges: minmax, percentile or entropy
                          # exclude: ["op:Gemm", "re:^/head/"]   # node names, op types or regexes to keep in float

                """);
            return;
        }

        w.Append(
            """
                  - quantize:
                      mode: dynamic            # activation ranges computed at run time: needs no calibration data
                      weights: int8            # int8 or int4
                      per_channel: true        # one weight scale per output channel
                      # exclude: ["op:Gemm", "re:^/head/"]   # node names, op types or regexes to keep in float

            """);
    }

    private static void Verify(StringBuilder w, RecipeTemplateHints hints)
    {
        if (hints.VerifyData is not { } data)
        {
            w.Append(
                """
                    # Accuracy gate: compare with the fp32 model and fail the build on a regression.
                    # verify:
                    #   data: data/validation.npz
                    #   thresholds:
                    #     - { metric: top1_agreement, min: 0.99 }

                """);
            return;
        }

        var text = BindingFormat(data) == DataFormat.Text;
        w.Append("    verify:                      # compared with the fp32 model after compression\n");
        w.Append("      data: ").Append(Quote(data)).Append("   # held-out data, not the calibration set\n");
        if (text && hints.CalibrationData is null)
        {
            w.Append("      tokenizer: ").Append(Quote(hints.Tokenizer ?? "bytes")).Append('\n');
        }

        if (hints.Labels is { } labels)
        {
            w.Append("      labels: ").Append(Quote(labels)).Append("   # true classes, for the accuracy metric\n");
        }

        w.Append("      severity: error            # error fails the build on a regression; warning only reports it\n");
        w.Append("      thresholds:\n");
        w.Append(text
            ? "        - { metric: perplexity, max_increase: 0.05 }   # at most 5 % above fp32\n"
            : "        - { metric: top1_agreement, min: 0.99 }        # same top-1 as fp32 on 99 % of samples\n");
        if (hints.Labels is not null)
        {
            w.Append("        - { metric: accuracy, max_drop: 0.01 }         # at most one point below fp32\n");
        }
    }

    private static DataFormat? BindingFormat(string path) => RecipeBinder.InferFormat(path);

    /// <summary>A single-quoted YAML scalar; the only escape inside is '' for a quote.</summary>
    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("^[A-Za-z0-9_.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();

    [GeneratedRegex("[^A-Za-z0-9_.-]+", RegexOptions.CultureInvariant)]
    private static partial Regex InvalidChar();
}
