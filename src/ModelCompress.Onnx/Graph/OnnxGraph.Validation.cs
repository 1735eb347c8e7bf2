using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Onnx;

/// <summary>Validation entry point on the graph.</summary>
public sealed partial class OnnxGraph
{
    /// <summary>Structural checks of this graph and its subgraphs (see <see cref="OnnxValidator"/>).</summary>
    public IReadOnlyList<Diagnostic> Validate() => OnnxValidator.Validate(this);
}
