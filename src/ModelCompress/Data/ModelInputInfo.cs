namespace ModelCompress.Data;

/// <summary>A model input as data binding sees it: its name, element type and dimensions (-1 where symbolic).</summary>
/// <param name="Name">The graph input name.</param>
/// <param name="ElementType">The element type the model expects.</param>
/// <param name="Dimensions">The dimensions, -1 for a dynamic (symbolic or unknown) one.</param>
public sealed record ModelInputInfo(string Name, NdElementType ElementType, IReadOnlyList<long> Dimensions);
