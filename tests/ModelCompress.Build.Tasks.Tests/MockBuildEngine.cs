using System.Collections;
using Microsoft.Build.Framework;

namespace ModelCompress.Build.Tasks.Tests;

/// <summary>Records what a task logs, so tests can assert exact codes, files and positions.</summary>
internal sealed class MockBuildEngine : IBuildEngine
{
    public List<BuildErrorEventArgs> Errors { get; } = [];

    public List<BuildWarningEventArgs> Warnings { get; } = [];

    public List<BuildMessageEventArgs> Messages { get; } = [];

    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 0;

    public int ColumnNumberOfTaskNode => 0;

    public string ProjectFileOfTaskNode => "test.proj";

    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);

    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);

    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);

    public void LogCustomEvent(CustomBuildEventArgs e)
    {
    }

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException();

    /// <summary>Errors as "CODE file(line,col): message" lines, for readable assertion failures.</summary>
    public string Describe() => string.Join(
        Environment.NewLine,
        Errors.Select(e => $"error {e.Code} {e.File}({e.LineNumber},{e.ColumnNumber}): {e.Message}")
            .Concat(Warnings.Select(w => $"warning {w.Code} {w.File}({w.LineNumber},{w.ColumnNumber}): {w.Message}")));
}
