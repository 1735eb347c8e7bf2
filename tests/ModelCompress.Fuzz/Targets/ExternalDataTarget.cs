using ModelCompress.Onnx;

namespace ModelCompress.Fuzz.Targets;

/// <summary>
/// The external-data resolver: the fuzzed bytes are a model whose weights live in <c>weights.bin</c> beside it (so the
/// mutations hit <c>location</c>, <c>offset</c> and <c>length</c>); a <c>secret.bin</c> one folder up must never be read.
/// </summary>
public sealed class ExternalDataTarget : IFuzzTarget
{
    private static readonly Lazy<(byte[] Model, byte[] Data)> Seed = new(MakeSeed);

    /// <inheritdoc />
    public string Name => "extdata";

    /// <inheritdoc />
    public IEnumerable<byte[]> Seeds()
    {
        yield return Seed.Value.Model;
    }

    /// <inheritdoc />
    public void Execute(byte[] input, string scratch)
    {
        var folder = Path.Combine(scratch, "model");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(scratch, "secret.bin"), new byte[4096]);
        File.WriteAllBytes(Path.Combine(folder, "weights.bin"), Seed.Value.Data);
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, input);
        OnnxTarget.Exercise(OnnxModel.Load(path));
    }

    private static (byte[] Model, byte[] Data) MakeSeed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mc-fuzz-extdata-seed-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "model.onnx");
            SampleModels.Mlp(8, 8, 4, 1).Save(path, new OnnxSaveOptions { ExternalDataThreshold = 0, ExternalDataFileName = "weights.bin", ExternalDataAlignment = 16 });
            return (File.ReadAllBytes(path), File.ReadAllBytes(Path.Combine(dir, "weights.bin")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
