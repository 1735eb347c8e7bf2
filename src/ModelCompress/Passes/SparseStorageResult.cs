namespace ModelCompress.Passes;

/// <summary>What <see cref="SparseWeightPacker.Pack"/> did.</summary>
/// <param name="Tensors">How many tensors are stored packed.</param>
/// <param name="DenseBytes">Their dense size in bytes.</param>
/// <param name="PackedBytes">Their packed values and masks in bytes (the rebuilding nodes not counted).</param>
/// <param name="SkippedBecause">Why nothing was packed although some tensor would have saved bytes; null otherwise.</param>
internal sealed record SparseStorageResult(int Tensors, long DenseBytes, long PackedBytes, string? SkippedBecause);
