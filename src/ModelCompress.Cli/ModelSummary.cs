namespace ModelCompress.Cli;

/// <summary>What <c>inspect</c> reports about a model (its JSON shape with <c>--format json</c>).</summary>
internal sealed record ModelSummary(
    string Path,
    long FileBytes,
    long IrVersion,
    IReadOnlyDictionary<string, long> Opsets,
    string Producer,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, int> Operators,
    int Nodes,
    long Parameters,
    long ParameterBytes,
    IReadOnlyList<LayerSummary> QuantizableLayers)
{
    /// <summary>What each int8 quantize mode would change: layers and float weight bytes.</summary>
    public IReadOnlyList<ModeSummary> Modes { get; init; } = [];
}
