using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelCompress.Build.Tasks;

// How the tool is started, and how its output and exit code become build results.
public sealed partial class CompressModels
{
    /// <inheritdoc />
    protected override bool ValidateParameters()
    {
        // Check every input before stopping, so one build shows all that is wrong.
        if (!File.Exists(Recipe))
        {
            Log.LogErrorWithCodeFromResources("MC7001", Recipe);
        }

        if (!File.Exists(ToolAssembly))
        {
            Log.LogErrorWithCodeFromResources("MC7002", ToolAssembly);
        }

        if (GenerateFullPathToTool() is null)
        {
            Log.LogErrorWithCodeFromResources("MC7003");
        }

        if (Log.HasLoggedErrors)
        {
            return false;
        }

        // A manifest left by an earlier run must never outlive a run that fails or is killed before the tool
        // itself deletes it: without it the next build cannot mistake stale outputs for up-to-date ones.
        if (File.Exists(ManifestFile))
        {
            File.Delete(ManifestFile);
        }

        return true;
    }

    /// <inheritdoc />
    protected override string? GenerateFullPathToTool()
    {
        if (!string.IsNullOrEmpty(DotNetHostPath))
        {
            return File.Exists(DotNetHostPath) ? DotNetHostPath : null;
        }

        // The SDK sets DOTNET_HOST_PATH for tasks, so the tool runs on the same dotnet as the build.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = string.IsNullOrWhiteSpace(dir) ? null : Path.Combine(dir.Trim(), ToolName);
            if (candidate is not null && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <inheritdoc />
    protected override string GenerateCommandLineCommands()
    {
        var args = new CommandLineBuilder(quoteHyphensOnCommandLine: false, useNewLineSeparator: false);
        args.AppendFileNameIfNotNull(ToolAssembly);
        args.AppendSwitch("run");
        args.AppendFileNameIfNotNull(Recipe);
        args.AppendSwitchIfNotNull("--output ", OutputDirectory);
        args.AppendSwitchIfNotNull("--cache-dir ", string.IsNullOrEmpty(CacheDirectory) ? null : CacheDirectory);
        args.AppendSwitchIfNotNull("--remote-cache ", string.IsNullOrEmpty(RemoteCache) ? null : RemoteCache);
        args.AppendSwitch("--fail-on-regression " + (FailOnRegression ? "true" : "false"));
        args.AppendSwitchIfNotNull("--manifest ", ManifestFile);
        args.AppendSwitchIfNotNull("--depfile ", DepFile);
        args.AppendSwitchIfNotNull("--project-dir ", string.IsNullOrEmpty(ProjectDirectory) ? null : ProjectDirectory);
        return args.ToString();
    }

    /// <inheritdoc />
    protected override string? GetWorkingDirectory() =>
        string.IsNullOrEmpty(ProjectDirectory) ? null : ProjectDirectory;

    /// <inheritdoc />
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (!CanonicalDiagnostic.TryParse(singleLine, out var d) || d is null)
        {
            // MC3700 is the one line that says which tuning candidate won and why: visible at the default verbosity.
            var importance = singleLine.Contains(": info MC3700:", StringComparison.Ordinal) ? MessageImportance.High : messageImportance;
            Log.LogMessage(importance, singleLine);
            return;
        }

        if (d.IsError)
        {
            Log.LogError(null, d.Code, null, d.File, d.Line, d.Column, d.EndLine, d.EndColumn, "{0}", d.Message);
        }
        else
        {
            Log.LogWarning(null, d.Code, null, d.File, d.Line, d.Column, d.EndLine, d.EndColumn, "{0}", d.Message);
        }
    }

    /// <inheritdoc />
    protected override bool HandleTaskExecutionErrors()
    {
        // Called only for a non-zero exit code. The tool's own coded errors already explain recipe, model and
        // accuracy failures; the task adds one only where the exit code says something they cannot.
        switch ((ToolExitCode)ExitCode)
        {
            case ToolExitCode.UsageError:
                Log.LogErrorWithCodeFromResources("MC7006");
                break;
            case ToolExitCode.Cancelled:
                LogRecipeError("MC7007", ExitCode);
                break;
            case ToolExitCode.InternalError when !Log.HasLoggedErrors:
                LogRecipeError("MC7005", ExitCode);
                break;
            case ToolExitCode.InvalidRecipe or ToolExitCode.InvalidModel or ToolExitCode.CompressionFailed
                or ToolExitCode.AccuracyBudgetExceeded when !Log.HasLoggedErrors:
                LogRecipeError("MC7004", ExitCode, (ToolExitCode)ExitCode);
                break;
            case ToolExitCode.InternalError or ToolExitCode.InvalidRecipe or ToolExitCode.InvalidModel
                or ToolExitCode.CompressionFailed or ToolExitCode.AccuracyBudgetExceeded:
                break;
            default:
                LogRecipeError("MC7008", ExitCode);
                break;
        }

        return false;
    }

    /// <summary>Logs a coded error about the run of <see cref="Recipe"/>, attributed to the recipe file.</summary>
    private void LogRecipeError(string code, params object[] args) =>
        Log.LogErrorWithCodeFromResources(null, Recipe, 0, 0, 0, 0, code, [Recipe, .. args]);
}
