namespace ModelCompress.Passes;

/// <summary>Where bytes appended to a <see cref="SpillFile"/> lie.</summary>
/// <param name="Offset">The first byte's position in the file.</param>
/// <param name="Length">How many bytes.</param>
public readonly record struct SpillRegion(long Offset, int Length);
