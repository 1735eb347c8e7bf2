using System.Text;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;

namespace ModelCompress.Fuzz.Targets;

/// <summary>The recipe loader (YAML → bound, validated recipe); every problem must come back as a coded diagnostic.</summary>
public sealed class RecipeTarget : IFuzzTarget
{
    /// <inheritdoc />
    public string Name => "recipe";

    /// <inheritdoc />
    public IEnumerable<byte[]> Seeds() => FuzzSeeds.Folder("recipe");

    /// <inheritdoc />
    public void Execute(byte[] input, string scratch)
    {
        var path = Path.Combine(scratch, "compression.yaml");
        var options = new RecipeLoadOptions { ProjectDirectory = scratch, CheckFilesExist = false };
        var sink = new ListDiagnosticSink();
        _ = RecipeLoader.LoadFromText(Encoding.UTF8.GetString(input), path, options, sink);
        CodedSink.ThrowFirst(sink, DiagnosticSeverity.Error);
    }
}
