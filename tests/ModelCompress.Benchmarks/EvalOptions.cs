using System.Globalization;

namespace ModelCompress.Benchmarks;

/// <summary>The <c>eval</c> command's options (see <see cref="EvalCommand"/> for the usage text).</summary>
internal sealed record EvalOptions
{
    /// <summary>Every fixture the command knows, in the order the tables are printed.</summary>
    public static readonly string[] AllModels = ["char-gpt", "stories260K", "mnist-8", "ppocrv4-rec", "ppocrv4-cls"];

    /// <summary>A subset of the data and fewer latency rounds, for a smoke run.</summary>
    public bool Quick { get; init; }

    /// <summary>The fixtures to evaluate.</summary>
    public IReadOnlyList<string> Models { get; init; } = AllModels;

    /// <summary>The peer's output folder (tools/ort_peer.py); null leaves the peer columns out.</summary>
    public string? PeerDir { get; init; }

    /// <summary>Where recipes, calibration files and compressed models go; null uses a temp folder removed at the end.</summary>
    public string? WorkDir { get; init; }

    /// <summary>ONNX Runtime intra-op threads for the accuracy passes (latency uses 1 and 2 threads regardless).</summary>
    public int EvalThreads { get; init; } = 2;

    /// <summary>Timed rounds per model and thread count (median reported).</summary>
    public int LatencyRounds { get; init; } = 40;

    /// <summary>Which of our variants: <c>int8</c> (the quantization columns) or <c>pruning</c> (<see cref="EvalPruneRecipes"/>).</summary>
    public string Suite { get; init; } = "int8";

    /// <summary>Leaves out the weight-only int8 column.</summary>
    public bool NoWeightOnly { get; init; }

    /// <summary>Only our variants with these slugs (e.g. minmax,sqauto); null keeps every one.</summary>
    public IReadOnlyList<string>? Variants { get; init; }

    /// <summary>Parses the arguments after <c>eval</c>; null with <paramref name="error"/> set when they are wrong.</summary>
    public static EvalOptions? Parse(string[] args, out string? error)
    {
        error = null;
        var o = new EvalOptions();
        var roundsGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--quick":
                        o = o with { Quick = true };
                        break;
                    case "--models":
                        var models = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        var unknown = models.Where(m => !AllModels.Contains(m, StringComparer.OrdinalIgnoreCase)).ToList();
                        if (unknown.Count > 0)
                        {
                            error = $"unknown model(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllModels)}";
                            return null;
                        }

                        o = o with { Models = [.. AllModels.Where(a => models.Contains(a, StringComparer.OrdinalIgnoreCase))] };
                        break;
                    case "--peer-dir":
                        var peer = Path.GetFullPath(Next());
                        if (!Directory.Exists(peer))
                        {
                            error = $"--peer-dir '{peer}' does not exist";
                            return null;
                        }

                        o = o with { PeerDir = peer };
                        break;
                    case "--work-dir":
                        o = o with { WorkDir = Path.GetFullPath(Next()) };
                        break;
                    case "--threads":
                        o = o with { EvalThreads = int.Parse(Next(), CultureInfo.InvariantCulture) };
                        break;
                    case "--latency-rounds":
                        o = o with { LatencyRounds = int.Parse(Next(), CultureInfo.InvariantCulture) };
                        roundsGiven = true;
                        break;
                    case "--suite":
                        var suite = Next();
                        if (suite is not ("int8" or EvalPruneRecipes.Suite or EvalObsRecipes.Suite or EvalStructured.Suite or EvalConvRecipes.Suite or EvalConvPruneRecipes.Suite))
                        {
                            error = $"unknown suite '{suite}'; known: int8, {EvalPruneRecipes.Suite}, {EvalObsRecipes.Suite}, {EvalStructured.Suite}, {EvalConvRecipes.Suite}, {EvalConvPruneRecipes.Suite}";
                            return null;
                        }

                        o = o with { Suite = suite };
                        break;
                    case "--no-weight-only":
                        o = o with { NoWeightOnly = true };
                        break;
                    case "--variants":
                        o = o with { Variants = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
                        break;
                    default:
                        error = $"unknown option '{args[i]}'";
                        return null;
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                error = e.Message;
                return null;
            }
        }

        if (o.Quick && !roundsGiven)
        {
            o = o with { LatencyRounds = 8 };
        }

        return o.EvalThreads < 1 || o.LatencyRounds < 1 ? Fail(out error, "--threads and --latency-rounds must be positive") : o;
    }

    private static EvalOptions? Fail(out string? error, string message)
    {
        error = message;
        return null;
    }

    /// <summary>Whether <paramref name="model"/> was selected.</summary>
    public bool Includes(string model) => Models.Contains(model, StringComparer.Ordinal);
}
