using ModelCompress.Fuzz.Targets;
using ModelCompress.Recipe;

namespace ModelCompress.Fuzz;

/// <summary>Every fuzz target, by name.</summary>
public static class FuzzTargets
{
    /// <summary>The targets in a fixed order.</summary>
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new OnnxTarget(),
        new ExternalDataTarget(),
        new RecipeTarget(),
        new DataFileTarget("npy", DataFormat.Npy, "data.npy", FuzzSeeds.Npy),
        new DataFileTarget("npz", DataFormat.Npz, "data.npz", FuzzSeeds.Npz),
        new DataFileTarget("idx", DataFormat.MnistIdx, "t10k-labels-idx1-ubyte", FuzzSeeds.Idx),
        new TokenizerTarget(),
        new CacheEntryTarget(),
    ];

    /// <summary>The target called <paramref name="name"/>.</summary>
    public static IFuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"unknown fuzz target '{name}' (known: {string.Join(", ", All.Select(t => t.Name))})", nameof(name));
}
