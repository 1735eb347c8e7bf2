namespace ModelCompress.Benchmarks;

/// <summary>
/// A measurement that prints a table (for things BenchmarkDotNet cannot measure well, such as peak working set
/// of a whole save/load). Each implementation is found by reflection and run by its <see cref="Name"/>.
/// </summary>
internal interface IBenchCommand
{
    /// <summary>The first command-line argument that selects this command.</summary>
    string Name { get; }

    /// <summary>One line for the list of commands.</summary>
    string Description { get; }

    /// <summary>Runs the measurement and prints its table; returns the exit code.</summary>
    int Run(string[] args);
}
