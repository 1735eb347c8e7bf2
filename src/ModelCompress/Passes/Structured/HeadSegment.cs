using ModelCompress.Analysis;

namespace ModelCompress.Passes;

/// <summary>One producer's column range holding every head of Q, K or V.</summary>
/// <param name="Layer">The producer.</param>
/// <param name="Offset">The first column.</param>
internal sealed record HeadSegment(LinearLayer Layer, int Offset);
