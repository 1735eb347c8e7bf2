using ModelCompress.Cache;

namespace ModelCompress.Passes;

/// <summary>A layer with its work key and its (computed or cached) serialized result, ready to apply.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Key">The layer's work key.</param>
/// <param name="Result">The bytes <see cref="ICompressionPass.ComputeLayer"/> produced for it.</param>
public sealed record LayerOutcome(PassLayer Layer, LayerWorkKey Key, byte[] Result);
