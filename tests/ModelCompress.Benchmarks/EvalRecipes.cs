using System.Diagnostics;
using System.Globalization;
using System.Text;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;

namespace ModelCompress.Benchmarks;

/// <summary>
/// Makes our int8 models the way a user would: a <c>compression.yaml</c> per variant, written into the work folder,
/// loaded with <see cref="RecipeLoader"/> and run with <see cref="ModelCompressEngine.Compress"/>. A variant the engine
/// cannot make (a coded error, or a static variant whose output quantizes no activation) becomes an unavailable
/// column with the coded reason, never a column showing some other model's numbers.
/// </summary>
internal static class EvalRecipes
{
    /// <summary>A static int8 step as the issue's columns ask: per-channel symmetric int8 weights, uint8 activations, min/max ranges.</summary>
    private const string StaticMinMax = "      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }\n";

    /// <summary>Written in a variant's steps (e.g. a <c>verify:</c> block after them) where the calibration file's path goes.</summary>
    public const string CalibrationToken = "$CALIBRATION";

    /// <summary>Our variants, in column order.</summary>
    public static readonly IReadOnlyList<EvalRecipeVariant> Standard =
    [
        new("int8 w-only", "w8", "      - quantize: { mode: weight_only, weights: int8, per_channel: true }\n", false, false),
        new("int8 dynamic", "dyn", "      - quantize: { mode: dynamic, weights: int8, per_channel: true }\n", false, false),
        new("int8 minmax", "minmax", StaticMinMax, true, true),
        new("SQ α=0.5", "sq05", "      - smoothquant: { alpha: 0.5 }\n" + StaticMinMax, true, true),
        new("SQ auto", "sqauto", "      - smoothquant: { alpha: auto }\n" + StaticMinMax, true, true),
    ];

    /// <summary>
    /// Variants made only when <c>--variants</c> names them: SmoothQuant auto as it was before it kept headroom
    /// (<c>headroom: 1</c>, Eq. 4 as written), to compare with today's default in the same run.
    /// </summary>
    public static readonly IReadOnlyList<EvalRecipeVariant> Optional =
    [
        new("SQ auto h=1", "sqauto-h1", "      - smoothquant: { alpha: auto, headroom: 1 }\n" + StaticMinMax, true, true),
        new("SQ α=0.5 h=2", "sq05-h2", "      - smoothquant: { alpha: 0.5, headroom: 2 }\n" + StaticMinMax, true, true),
        new("SQ auto h=auto", "sqauto-hauto", "      - smoothquant: { alpha: auto, headroom: auto }\n" + StaticMinMax, true, true),
    ];

    /// <summary>
    /// Runs the engine on <paramref name="variant"/>'s recipe for <paramref name="source"/>, calibrated on
    /// <paramref name="calibration"/> (an .npy whose rows are the calibration samples, all of them used in order).
    /// </summary>
    /// <param name="cacheDirectory">A per-layer cache shared by the variants (pruning suite); null runs without one.</param>
    public static EvalVariant Make(string folder, EvalRecipeVariant variant, string source, string? calibration, int calibrationSamples, string? cacheDirectory = null) =>
        Run(folder, variant, RecipeText(variant, source, calibration, calibrationSamples, cacheDirectory is not null), cacheDirectory);

    /// <summary>
    /// Writes <paramref name="recipeText"/> as the compression.yaml of <paramref name="variant"/>'s sub-folder and runs
    /// the engine on it, as <c>dotnet build</c> does; the output is <c>out/model.onnx</c> (the recipe's model is named <c>model</c>).
    /// </summary>
    public static EvalVariant Run(string folder, EvalRecipeVariant variant, string recipeText, string? cacheDirectory = null)
    {
        var dir = Path.Combine(folder, variant.Slug);
        Directory.CreateDirectory(dir);
        var recipePath = Path.Combine(dir, RecipeLoader.DefaultFileName);
        File.WriteAllText(recipePath, recipeText);
        var sink = new ListDiagnosticSink();
        var recipe = RecipeLoader.Load(recipePath, RecipeLoadOptions.Default, sink);
        if (recipe is null)
        {
            return Unavailable(variant, "recipe rejected: " + FirstError(sink));
        }

        var sw = Stopwatch.StartNew();
        CompressResult result;
        try
        {
            result = ModelCompressEngine.Compress(recipe, new CompressOptions(Path.Combine(dir, "out")) { CacheDirectory = cacheDirectory }, sink, CancellationToken.None);
        }
        catch (ModelCompressException e)
        {
            return Unavailable(variant, $"engine: {e.Code}: {e.Diagnostic.Message}");
        }

        var seconds = sw.Elapsed.TotalSeconds;
        var notes = sink.Items.Where(d => d.Severity != DiagnosticSeverity.Info)
            .Select(d => $"{variant.Header}: {d.Severity.ToString().ToLowerInvariant()} {d.Code} {Shorten(d.Message)}")
            .Distinct(StringComparer.Ordinal).ToList();
        var output = Path.Combine(dir, "out", "model.onnx");
        if (!result.Succeeded || !File.Exists(output))
        {
            return Unavailable(variant, "engine run failed: " + FirstError(sink));
        }

        if (variant.QuantizesActivations && !OnnxModel.Load(output).Graph.Nodes.Any(n => n.OpType == "QuantizeLinear"))
        {
            return Unavailable(variant, "output has no QuantizeLinear node: activations were not quantized");
        }

        var layers = result.Report.Models.Single().Steps.Select(s => $"{s.Step} {s.Layers.Count} layers").ToList();
        notes.Insert(0, FormattableString.Invariant($"{variant.Header}: {string.Join(", ", layers)}, made in {seconds:F1} s"));
        return new EvalVariant(variant.Header, output, null, false, seconds, notes);
    }

    /// <summary>The recipe for one variant (absolute paths, so <c>allow_outside</c>; no cache, no verify: the command measures).</summary>
    public static string RecipeText(EvalRecipeVariant variant, string source, string? calibration, int calibrationSamples, bool cache = false)
    {
        var w = new StringBuilder();
        w.Append("# Written by `ModelCompress.Benchmarks eval`: one variant of one fixture.\n");
        w.Append("version: 1\nallow_outside: true\ncache: { enabled: ").Append(cache ? "true" : "false").Append(" }\nmodels:\n");
        w.Append("  - name: model\n");
        w.Append("    source: ").Append(Quote(source)).Append('\n');
        if (variant.Calibrated)
        {
            if (calibration is null)
            {
                throw new InvalidOperationException($"{variant.Header} needs calibration data");
            }

            w.Append("    calibration:\n");
            w.Append("      data: ").Append(Quote(calibration)).Append('\n');
            w.Append("      samples: ").Append(calibrationSamples.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        w.Append("    steps:\n").Append(calibration is null ? variant.Steps : variant.Steps.Replace(CalibrationToken, Quote(calibration), StringComparison.Ordinal));
        return w.ToString();
    }

    private static string Quote(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static EvalVariant Unavailable(EvalRecipeVariant variant, string why) => new(variant.Header, null, why, false, null, []);

    private static string FirstError(ListDiagnosticSink sink) =>
        sink.Items.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error) is { } e ? $"{e.Code} {Shorten(e.Message)}" : "(no error reported)";

    private static string Shorten(string message) => message.Length <= 160 ? message : message[..157] + "...";
}
