using System.Globalization;

namespace ModelCompress.Engine;

/// <summary>The engine's identity as it enters work keys and reports.</summary>
public static class EngineInfo
{
    /// <summary>
    /// Bumped whenever a pass computes different bytes for the same inputs, so cached layer results of an older
    /// algorithm are never reused.
    /// </summary>
    public const int AlgorithmRevision = 2;

    /// <summary>The engine version: assembly version plus <see cref="AlgorithmRevision"/>, e.g. <c>0.1.0+alg.1</c>.</summary>
    public static string Version { get; } = string.Create(CultureInfo.InvariantCulture,
        $"{typeof(EngineInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}+alg.{AlgorithmRevision}");
}
