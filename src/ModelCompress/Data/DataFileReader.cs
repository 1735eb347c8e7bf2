using ModelCompress.Diagnostics;
using ModelCompress.Engine;
using ModelCompress.Recipe;

namespace ModelCompress.Data;

/// <summary>
/// Opens a calibration or validation data file by its format: <c>.npz</c> (arrays named after model inputs),
/// <c>.npy</c> (one array for a one-input model) or MNIST IDX (<c>-ubyte</c>, <c>.idx*</c>, optionally <c>.gz</c>).
/// The first axis of every array counts samples.
/// </summary>
public static class DataFileReader
{
    /// <summary>
    /// Reads every array of <paramref name="path"/>, keyed by name (<c>""</c> for a single unnamed array). The format
    /// is <paramref name="format"/> when given (the recipe's <c>format:</c>), else inferred from the file name.
    /// </summary>
    public static IReadOnlyDictionary<string, NdArray> ReadArrays(string path, DataFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw EngineDiagnostics.Fail("MC3002", path, path);
        }

        var ext = Path.GetExtension(path).ToUpperInvariant();
        format ??= ext switch
        {
            ".NPZ" => DataFormat.Npz,
            ".NPY" => DataFormat.Npy,
            _ when IdxReader.LooksLikeIdx(path) => DataFormat.MnistIdx,
            _ => null,
        };
        return format switch
        {
            DataFormat.Npz => NpzArchive.ReadFile(path),
            DataFormat.Npy => new Dictionary<string, NdArray>(StringComparer.Ordinal) { [string.Empty] = NpyReader.ReadFile(path) },
            DataFormat.MnistIdx => new Dictionary<string, NdArray>(StringComparer.Ordinal) { [string.Empty] = IdxReader.ReadFile(path) },
            _ => throw EngineDiagnostics.Fail("MC3004", path, path),
        };
    }

    /// <summary>
    /// Reads the samples of a recipe data source (any format, text included) bound to <paramref name="inputs"/>,
    /// keeping at most <paramref name="maxSamples"/>.
    /// </summary>
    public static SampleSet ReadSamples(DataSource source, IReadOnlyList<ModelInputInfo> inputs, long maxSamples)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(inputs);
        if (source.Format != DataFormat.Text)
        {
            return ReadSamples(source.Path, inputs, maxSamples, source.Input, source.Format);
        }

        var windows = TextWindows.Read(source.Path, source.Tokenizer, source.TokenizerPath, source.SeqLen ?? DataSource.DefaultSeqLen, maxSamples);
        var target = source.Input ?? (inputs.Count > 0 ? inputs[0].Name : string.Empty);
        return Bind(source.Path, inputs, new Dictionary<string, NdArray>(StringComparer.Ordinal) { [target] = windows }, maxSamples);
    }

    /// <summary>Reads a single array (labels, or the one input of a model) from <paramref name="path"/>.</summary>
    public static NdArray ReadSingle(string path)
    {
        var arrays = ReadArrays(path);
        if (arrays.Count != 1)
        {
            throw EngineDiagnostics.Fail("MC3003", path, path, $"expected one array, found {arrays.Count} ({string.Join(", ", arrays.Keys)})");
        }

        return arrays.Values.First();
    }

    /// <summary>
    /// Reads <paramref name="path"/> and binds its arrays to <paramref name="inputs"/>: by name, or the only array to
    /// the only input. A single unnamed array (.npy, IDX) feeds <paramref name="inputName"/>, or the first input when
    /// that is null. Keeps the first <paramref name="maxSamples"/> samples.
    /// </summary>
    public static SampleSet ReadSamples(
        string path, IReadOnlyList<ModelInputInfo> inputs, long maxSamples = long.MaxValue, string? inputName = null, DataFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var arrays = ReadArrays(path, format);
        if (arrays.Count == 1 && arrays.ContainsKey(string.Empty) && inputs.Count > 0)
        {
            var target = inputName ?? inputs[0].Name;
            arrays = new Dictionary<string, NdArray>(StringComparer.Ordinal) { [target] = arrays[string.Empty] };
        }

        return Bind(path, inputs, arrays, maxSamples);
    }

    private static SampleSet Bind(string path, IReadOnlyList<ModelInputInfo> inputs, IReadOnlyDictionary<string, NdArray> arrays, long maxSamples)
    {
        var bound = new Dictionary<string, NdArray>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (arrays.TryGetValue(input.Name, out var byName))
            {
                bound[input.Name] = byName;
            }
            else if (inputs.Count == 1 && arrays.Count == 1)
            {
                bound[input.Name] = arrays.Values.First();
            }
            else
            {
                var names = arrays.Keys.Select(k => k.Length == 0 ? "(unnamed)" : k);
                throw EngineDiagnostics.Fail("MC3005", path, path, input.Name, string.Join(", ", names));
            }
        }

        return new SampleSet(path, inputs, bound, maxSamples);
    }
}
