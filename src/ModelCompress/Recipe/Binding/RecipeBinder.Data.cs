
namespace ModelCompress.Recipe;

/// <summary><c>calibration:</c> and the data-file keys it shares with <c>verify:</c>.</summary>
internal sealed partial class RecipeBinder
{
    private static readonly string[] CalibrationKeys = ["data", "samples", "format", "tokenizer", "seq_len", "input", "seed"];

    private CalibrationSettings? BindCalibration(YMapping node, string model)
    {
        var scope = new MappingScope(node, $"'calibration' of {model}", CalibrationKeys, _report);
        var data = BindData(scope, inherit: null);
        var samples = scope.Integer("samples", new NumberRange(1, 1_000_000)) ?? CalibrationSettings.DefaultSamples;
        var seed = scope.Integer("seed", NumberRange.AtLeast(0)) ?? 0;
        return data is null ? null : new CalibrationSettings(data, samples, seed, _report.At(node));
    }

    /// <summary>
    /// Reads <c>data</c>, <c>format</c>, <c>tokenizer</c>, <c>seq_len</c> and <c>input</c>. Verification data
    /// <paramref name="inherit"/>s tokenizer, seq_len and input from the calibration data, so an LM recipe states
    /// them once.
    /// </summary>
    private DataSource? BindData(MappingScope scope, DataSource? inherit)
    {
        if (!scope.Require("data", "data/calibration.npz"))
        {
            return null;
        }

        var dataNode = scope.ValueOf("data")!;
        var usable = ResolvePath(dataNode, "data", PathUse.InputFile, out var full) is not null;
        var format = scope.Choice("format", RecipeChoices.Formats);
        if (format is null && !scope.Has("format") && full is not null)
        {
            format = InferFormat(full);
            if (format is null)
            {
                _report.Error("MC2019", dataNode, Path.GetFileName(full));
            }
        }

        var tokenizer = TokenizerKind.None;
        string? tokenizerPath = null;
        int? seqLen = null;
        if (format == DataFormat.Text)
        {
            (tokenizer, tokenizerPath) = BindTokenizer(scope, inherit);
            seqLen = scope.Integer("seq_len", new NumberRange(1, 1 << 20))
                ?? (inherit?.Format == DataFormat.Text ? inherit.SeqLen : null)
                ?? DataSource.DefaultSeqLen;
        }
        else if (format is not null)
        {
            var why = $"to {RecipeChoices.Formats.Name(format.Value)} data, only to text";
            scope.NotApplicable("tokenizer", why);
            scope.NotApplicable("seq_len", why);
        }

        var input = scope.Text("input") ?? inherit?.Input;
        return usable && format is { } f
            ? new DataSource(full!, f, tokenizer, tokenizerPath, seqLen, input, _report.At(dataNode))
            : null;
    }

    private (TokenizerKind Kind, string? Path) BindTokenizer(MappingScope scope, DataSource? inherit)
    {
        if (scope.ValueOf("tokenizer") is not { } node)
        {
            if (inherit is { Format: DataFormat.Text } t)
            {
                return (t.Tokenizer, t.TokenizerPath);
            }

            _report.Error("MC2020", scope.KeyOf("format") ?? scope.KeyOf("data"));
            return (TokenizerKind.None, null);
        }

        if (node is YScalar { IsNull: false, Value: "bytes" })
        {
            return (TokenizerKind.Bytes, null);
        }

        return ResolvePath(node, "tokenizer", PathUse.InputFile, out var full) is not null
            ? (TokenizerKind.Llama2C, full)
            : (TokenizerKind.None, null);
    }

    /// <summary>The format implied by a file name: .npy, .npz, .txt/.text, or an MNIST IDX name (…-idx3-ubyte[.gz]).</summary>
    internal static DataFormat? InferFormat(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        switch (Path.GetExtension(name))
        {
            case ".npy":
                return DataFormat.Npy;
            case ".npz":
                return DataFormat.Npz;
            case ".txt" or ".text":
                return DataFormat.Text;
        }

        // MNIST's own files are gzip-compressed IDX: t10k-images-idx3-ubyte.gz.
        var bare = name.EndsWith(".gz", StringComparison.Ordinal) ? name[..^3] : name;
        var idx = bare.EndsWith(".idx", StringComparison.Ordinal)
            || (bare.Contains("-idx", StringComparison.Ordinal) && bare.EndsWith("-ubyte", StringComparison.Ordinal));
        return idx ? DataFormat.MnistIdx : null;
    }
}
