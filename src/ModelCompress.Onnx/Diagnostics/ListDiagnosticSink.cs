namespace ModelCompress.Onnx.Diagnostics;

/// <summary>A sink that keeps every diagnostic in memory (tests, and callers that report at the end).</summary>
public sealed class ListDiagnosticSink : IDiagnosticSink
{
    private readonly List<Diagnostic> _items = [];
    private readonly Lock _gate = new();

    /// <summary>Everything reported so far, in order.</summary>
    public IReadOnlyList<Diagnostic> Items
    {
        get
        {
            lock (_gate)
            {
                return [.. _items];
            }
        }
    }

    /// <summary>Whether an error has been reported.</summary>
    public bool HasErrors => Items.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <inheritdoc />
    public void Report(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        lock (_gate)
        {
            _items.Add(diagnostic);
        }
    }
}
