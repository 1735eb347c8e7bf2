using System.Globalization;
using ModelCompress.Diagnostics;
using ModelCompress.Engine;

namespace ModelCompress.Data;

/// <summary>
/// Data bound to a model's inputs: one array per input whose first axis counts samples. <see cref="GetSample"/>
/// cuts one sample and shapes and converts it for the model.
/// </summary>
public sealed class SampleSet
{
    private readonly IReadOnlyList<ModelInputInfo> _inputs;
    private readonly IReadOnlyDictionary<string, NdArray> _arrays;

    internal SampleSet(string path, IReadOnlyList<ModelInputInfo> inputs, IReadOnlyDictionary<string, NdArray> arrays, long maxSamples)
    {
        SourcePath = path;
        _inputs = inputs;
        _arrays = arrays;
        var counts = inputs.Select(i => arrays[i.Name].Shape.Count == 0 ? 1L : arrays[i.Name].Shape[0]).Distinct().ToList();
        if (counts.Count > 1)
        {
            throw EngineDiagnostics.Fail("MC3011", path, path, string.Join(" vs ", counts.Select(c => c.ToString(CultureInfo.InvariantCulture))));
        }

        Count = Math.Min(counts.Count == 0 ? 0 : counts[0], maxSamples);
        foreach (var input in inputs)
        {
            var array = arrays[input.Name];
            _ = FitShape(array, input, path);
            if (!CanConvert(array.ElementType, input.ElementType))
            {
                throw EngineDiagnostics.Fail("MC3009", path, input.Name, array.ElementType, input.Name, input.ElementType);
            }
        }
    }

    /// <summary>The file the samples come from.</summary>
    public string SourcePath { get; }

    /// <summary>The number of samples.</summary>
    public long Count { get; }

    /// <summary>Sample <paramref name="index"/>: one array per input, in the model's shape and element type.</summary>
    public IReadOnlyList<(ModelInputInfo Input, NdArray Value)> GetSample(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var result = new List<(ModelInputInfo, NdArray)>(_inputs.Count);
        foreach (var input in _inputs)
        {
            var array = _arrays[input.Name];
            var row = array.Shape.Count == 0 ? array : array.Slice(index, 1);
            var shape = FitShape(array, input, SourcePath);
            result.Add((input, Convert(row, input.ElementType).Reshape(shape)));
        }

        return result;
    }

    /// <summary>
    /// The model-side shape of one sample: the array's row with a leading 1 when the ranks agree (dynamic dims take
    /// the array's size), else the model's dims with every dynamic dim taken as 1 when they hold the same number of
    /// elements, e.g. MNIST rows [1, 28, 28] feed [1, 1, 28, 28], and an LSTM state row [2, 64] feeds [2, batch, 64]
    /// (a batch axis that is not the first).
    /// </summary>
    private static long[] FitShape(NdArray array, ModelInputInfo input, string path)
    {
        long[] row = array.Shape.Count == 0 ? [] : [1, .. array.Shape.Skip(1)];
        var dims = input.Dimensions;
        if (dims.Count == row.Length && dims.Select((d, i) => d < 0 || d == row[i]).All(ok => ok))
        {
            return row;
        }

        var fixedDims = dims.Select(d => d < 0 ? 1 : d).ToArray();
        if (fixedDims.All(d => d >= 0) && NdArray.ElementCount(fixedDims) == NdArray.ElementCount(row))
        {
            return fixedDims;
        }

        throw EngineDiagnostics.Fail("MC3006", path, string.IsNullOrEmpty(input.Name) ? path : input.Name,
            NdArray.FormatShape(array.Shape), input.Name, NdArray.FormatShape(dims));
    }

    private static bool CanConvert(NdElementType from, NdElementType to) =>
        from == to || (from != NdElementType.Bool && to is NdElementType.Float32 or NdElementType.Float64
            or NdElementType.Float16 or NdElementType.Int64 or NdElementType.Int32 or NdElementType.UInt8 or NdElementType.Int8);

    private static NdArray Convert(NdArray row, NdElementType to)
    {
        if (row.ElementType == to)
        {
            return row;
        }

        Array data = to switch
        {
            NdElementType.Float32 => row.ToFloatArray(),
            NdElementType.Int64 => row.ToInt64Array(),
            NdElementType.Float64 => Enumerable.Range(0, (int)row.Length).Select(i => row.GetDouble(i)).ToArray(),
            NdElementType.Int32 => row.ToInt64Array().Select(v => checked((int)v)).ToArray(),
            NdElementType.Float16 => row.ToFloatArray().Select(v => (Half)v).ToArray(),
            NdElementType.UInt8 => row.ToInt64Array().Select(v => checked((byte)v)).ToArray(),
            NdElementType.Int8 => row.ToInt64Array().Select(v => checked((sbyte)v)).ToArray(),
            _ => throw new NotSupportedException($"conversion to {to} is not supported"),
        };
        return new NdArray(to, row.Shape, data);
    }
}
