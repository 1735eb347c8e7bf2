using System.Globalization;
using ModelCompress.Analysis;
using ModelCompress.Onnx;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// <c>rec-sensitivity [--lines N] [--mode static|weight_only] [--work-dir D] [--float a,b;c] [--alone-int8-only]
/// [--margins]</c>: which PP-OCRv4 rec layers cost the int8 model its per-time-step argmax agreement with fp32. Each
/// model is made by the engine from a recipe (the <c>dotnet build</c> path): every layer quantized, then each layer
/// alone left float (<c>exclude</c> one), then each layer alone quantized (<c>exclude</c> all others); prints the
/// agreement of each on N digit lines. <c>--float</c> measures only the given float sets; <c>--margins</c> prints where
/// the all-int8 model's flipped steps lie in fp32's top-1/top-2 gap.
/// </summary>
internal sealed class RecSensitivityCommand : IBenchCommand
{
    public string Name => "rec-sensitivity";

    public string Description => "PP-OCRv4 rec: argmax agreement with each layer alone float / alone int8";

    public int Run(string[] args)
    {
        string Arg(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : fallback;
        var lines = int.Parse(Arg("--lines", "20"), CultureInfo.InvariantCulture);
        var mode = Arg("--mode", "static");
        var folder = Path.GetFullPath(Arg("--work-dir", "artifacts/rec-sensitivity"));
        Directory.CreateDirectory(folder);
        var fp32 = Fixtures.Require("models/ppocrv4/ch_PP-OCRv4_rec_infer.onnx");
        var (images, _) = Mnist.TestSet();
        var calibration = Path.Combine(folder, "calib.npy");
        EvalOcrLines.WriteNpy(calibration, images, 5000, 32); // the eval's calibration lines
        var inputs = Enumerable.Range(0, lines).Select(j => EvalOcrLines.Line(images, j * EvalOcrLines.Digits)).ToList();
        var reference = EvalOcr.Recognize(fp32, inputs, 2);
        const int vocab = 6625;
        var steps = reference[0].Length / vocab;
        var layers = GraphAnalyzer.Analyze(OnnxModel.Load(fp32)).Layers.Select(l => l.Name).ToList();

        double Measure(string slug, IEnumerable<string> exclude)
        {
            var list = string.Join(", ", exclude.Select(e => "\"" + e + "\""));
            var step = mode == "static"
                ? $"      - quantize: {{ mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax, exclude: [{list}] }}\n"
                : $"      - quantize: {{ mode: weight_only, weights: int8, per_channel: true, exclude: [{list}] }}\n";
            var variant = new EvalRecipeVariant(slug, slug, step, mode == "static", false);
            var made = EvalRecipes.Make(folder, variant, fp32, calibration, 32);
            return made.Path is null ? double.NaN : EvalOcr.Agreement(reference, EvalOcr.Recognize(made.Path, inputs, 2), steps, vocab);
        }

        Console.WriteLine(FormattableString.Invariant($"mode {mode}, {lines} lines × {steps} steps; all quantized: {Measure("all", []):F4}"));
        if (args.Contains("--margins"))
        {
            RecMargins.Print(reference, EvalOcr.Recognize(Path.Combine(folder, "all", "out", "model.onnx"), inputs, 2), steps, vocab);
            return 0;
        }

        if (Array.IndexOf(args, "--float") is var f and >= 0)
        {
            // Only the given sets (';' between sets, ',' within one) left float.
            foreach (var set in args[f + 1].Split(';'))
            {
                Console.WriteLine(FormattableString.Invariant($"float {set}: {Measure("set", set.Split(',')):F4}"));
            }

            return 0;
        }

        Console.WriteLine("layer | alone float | alone int8");
        foreach (var layer in layers)
        {
            var aloneFloat = args.Contains("--alone-int8-only") ? double.NaN : Measure("one-float", [layer]);
            var aloneInt8 = Measure("one-int8", layers.Where(l => l != layer));
            Console.WriteLine(FormattableString.Invariant($"{layer} | {aloneFloat:F4} | {aloneInt8:F4}"));
        }

        return 0;
    }
}
