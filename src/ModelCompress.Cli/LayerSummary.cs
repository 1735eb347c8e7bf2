namespace ModelCompress.Cli;

/// <summary>One quantizable layer in <see cref="ModelSummary"/>.</summary>
internal sealed record LayerSummary(string Name, string Op, string Weight, IReadOnlyList<long> Shape, long Parameters, bool InSubgraph = false);
