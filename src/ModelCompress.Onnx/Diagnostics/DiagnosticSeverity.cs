namespace ModelCompress.Onnx.Diagnostics;

/// <summary>How serious a <see cref="Diagnostic"/> is; maps onto MSBuild's message/warning/error.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Informational; never fails anything.</summary>
    Info,

    /// <summary>Something the user should look at; the run goes on.</summary>
    Warning,

    /// <summary>The run (or build) fails.</summary>
    Error,
}
