using System.CommandLine;

namespace ModelCompress.Cli;

/// <summary>
/// The command tree of <c>dotnet model-compress</c> and its invocation: parse errors are usage errors (exit 2) printed
/// to stderr; each verb's action writes results to stdout and diagnostics to stderr.
/// </summary>
public static class CliApp
{
    /// <summary>Builds the root command with every verb.</summary>
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand(
            "Compress, verify and inspect ONNX models from a compression.yaml recipe.\n\n" + ExitCodes.Describe())
        {
            RunCommand.Create(),
            VerifyCommand.Create(),
            InspectCommand.Create(),
            InitCommand.Create(),
            Verbs.CacheCommand.Create(),
            Verbs.TuneCommand.Create(),
        };
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the chosen verb; returns the process exit code.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var parse = CreateRootCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            }

            await stderr.WriteLineAsync("Run 'dotnet model-compress --help' for usage.").ConfigureAwait(false);
            return (int)ExitCode.UsageError;
        }

        var config = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Ctrl+C cancels the token the verbs get; give them time to delete staged files before the process ends.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
            EnableDefaultExceptionHandler = false,
        };
        return await parse.InvokeAsync(config, ct).ConfigureAwait(false);
    }
}
