using System.Globalization;
using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Recipe;

namespace ModelCompress.Engine;

/// <summary>The quantize mode <c>init</c> writes for a model.</summary>
public static partial class ModelCompressEngine
{
    /// <summary>
    /// Chooses a mode that compresses <paramref name="model"/>: static int8 when calibration data is given (SmoothQuant
    /// first only when MatMul/Gemm layers take part: it smooths their inputs, not Conv's); without data, dynamic int8
    /// when the layers it can take (MatMul/Gemm) hold at least half the quantizable weight bytes (transformers), else
    /// weight-only int8 (conv nets: dynamic would leave the Conv weights float). Returns <paramref name="hints"/> with
    /// the mode and the comment lines that say why; with nothing to quantize the comment says that the run will
    /// change nothing.
    /// </summary>
    public static RecipeTemplateHints ChooseMode(OnnxModel model, RecipeTemplateHints hints)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(hints);
        var changes = ModeChanges(model).ToDictionary(c => c.Mode);
        var all = changes[QuantizeMode.WeightOnly];
        var dynamic = changes[QuantizeMode.Dynamic];
        var matrices = GraphAnalyzer.Analyze(model).Layers.Any(l => l.Kind != LinearLayerKind.Conv);
        if (all.Layers == 0)
        {
            return hints with
            {
                Mode = hints.CalibrationData is null ? QuantizeMode.Dynamic : QuantizeMode.Static,
                Why =
                [
                    "NOTE: this model has no layer a quantize step can change (no MatMul/Gemm/Conv with a constant weight):",
                    "a run writes an unchanged copy and warns MC3007. Keep this recipe only for its verify section.",
                ],
            };
        }

        if (hints.CalibrationData is not null)
        {
            var s = changes[QuantizeMode.Static];
            return hints with
            {
                Mode = QuantizeMode.Static,
                SmoothQuant = matrices,
                Why =
                [
                    Line($"static int8 (calibration data given): {s.Layers} layer(s), {Mb(s.WeightBytes)} of float weights become int8 and their inputs"),
                    matrices ? "and outputs are quantized from calibrated ranges; SmoothQuant first eases MatMul/Gemm input outliers."
                        : "and outputs are quantized from calibrated ranges (no MatMul/Gemm here, so no SmoothQuant step).",
                ],
            };
        }

        if (dynamic.WeightBytes * 2 >= all.WeightBytes)
        {
            return hints with
            {
                Mode = QuantizeMode.Dynamic,
                Why =
                [
                    Line($"dynamic int8 (no calibration data): {dynamic.Layers} MatMul/Gemm layer(s) hold {Mb(dynamic.WeightBytes)} of the {Mb(all.WeightBytes)}"),
                    "of quantizable weights; ONNX Runtime runs them on int8 with ranges taken at run time.",
                ],
            };
        }

        return hints with
        {
            Mode = QuantizeMode.WeightOnly,
            Why =
            [
                Line($"weight_only int8 (no calibration data): {all.Layers} layer(s), {Mb(all.WeightBytes)} of float weights become int8."),
                Line($"dynamic would change only {dynamic.Layers} layer(s) ({Mb(dynamic.WeightBytes)}): it does not take Conv weights."),
                "With calibration data (init --calibration), static int8 also runs the Conv layers on int8.",
            ],
        };
    }

    private static string Line(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Mb(long bytes) => bytes >= 1 << 20
        ? (bytes / (1024.0 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB";
}
