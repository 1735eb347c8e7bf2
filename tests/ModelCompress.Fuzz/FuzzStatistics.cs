namespace ModelCompress.Fuzz;

/// <summary>What one fuzzing run did: executions, outcomes, coverage, unique crashes and hangs.</summary>
public sealed class FuzzStatistics
{
    /// <summary>The target's name.</summary>
    public required string Target { get; init; }

    /// <summary>Inputs executed (seeds and corpus included).</summary>
    public long Executions { get; set; }

    /// <summary>Inputs the reader accepted.</summary>
    public long Accepted { get; set; }

    /// <summary>Inputs refused with a coded error.</summary>
    public long Coded { get; set; }

    /// <summary>Distinct error codes seen.</summary>
    public SortedSet<string> Codes { get; } = new(StringComparer.Ordinal);

    /// <summary>Unique crash signatures (exception type + innermost project frame).</summary>
    public SortedSet<string> Crashes { get; } = new(StringComparer.Ordinal);

    /// <summary>Inputs that did not return in time.</summary>
    public int Hangs { get; set; }

    /// <summary>Edge buckets covered (0 without instrumentation).</summary>
    public int Edges { get; set; }

    /// <summary>Inputs kept in the corpus.</summary>
    public int Corpus { get; set; }

    /// <summary>Wall time in seconds.</summary>
    public double Seconds { get; set; }

    /// <summary>One line for logs and docs.</summary>
    public override string ToString() =>
        $"{Target}: {Executions} execs in {Seconds:F0} s ({Executions / Math.Max(Seconds, 1e-9):F0}/s), corpus {Corpus}, edges {Edges}, " +
        $"accepted {Accepted}, coded {Coded} ({string.Join(' ', Codes)}), crashes {Crashes.Count}, hangs {Hangs}";
}
