using ModelCompress.Data;
using ModelCompress.Recipe;

namespace ModelCompress.Fuzz.Targets;

/// <summary>One of the data-file readers (.npy, .npz, MNIST idx), through the entry point the engine uses.</summary>
public sealed class DataFileTarget : IFuzzTarget
{
    private readonly DataFormat _format;
    private readonly string _fileName;
    private readonly Func<IEnumerable<byte[]>> _seeds;

    /// <summary>Creates the target of <paramref name="format"/>; the file is written as <paramref name="fileName"/>.</summary>
    public DataFileTarget(string name, DataFormat format, string fileName, Func<IEnumerable<byte[]>> seeds)
    {
        Name = name;
        _format = format;
        _fileName = fileName;
        _seeds = seeds;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IEnumerable<byte[]> Seeds() => _seeds();

    /// <inheritdoc />
    public void Execute(byte[] input, string scratch)
    {
        var path = Path.Combine(scratch, _fileName);
        File.WriteAllBytes(path, input);
        foreach (var array in DataFileReader.ReadArrays(path, _format).Values)
        {
            _ = array.Data;
        }
    }
}
