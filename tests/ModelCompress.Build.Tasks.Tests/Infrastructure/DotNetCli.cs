using System.Diagnostics;
using System.Text;

namespace ModelCompress.Build.TestInfrastructure;

/// <summary>
/// Runs the real <c>dotnet</c> CLI for build tests. Node reuse and the compiler server are off so that no process
/// outlives the command (a lingering server would hold the output pipes open and hang the test run).
/// </summary>
internal static class DotNetCli
{
    /// <summary>The dotnet running these tests (DOTNET_HOST_PATH), else dotnet on PATH.</summary>
    public static string Host { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Switches every build command gets.</summary>
    public static readonly string[] BuildSwitches = ["-nodeReuse:false", "-p:UseSharedCompilation=false", "-nologo"];

    public static Result Run(string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env = null, int timeoutSeconds = 300) =>
        Start(workingDirectory, args, env).Wait(timeoutSeconds);

    public static Running Start(string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env = null) =>
        StartProcess(Host, workingDirectory, args, env);

    /// <summary>Runs another program (e.g. bash) with the same environment rules.</summary>
    public static Result Exec(string fileName, string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env = null, int timeoutSeconds = 300) =>
        StartProcess(fileName, workingDirectory, args, env).Wait(timeoutSeconds);

    private static Running StartProcess(string fileName, string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // Test runners set these for their own host; a child build must not inherit them.
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        psi.Environment.Remove("MSBuildSDKsPath");
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        return new Running(Process.Start(psi)!, fileName + " " + string.Join(' ', psi.ArgumentList));
    }

    internal sealed class Running
    {
        private readonly StringBuilder _output = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public Running(Process process, string commandLine)
        {
            Process = process;
            CommandLine = commandLine;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string CommandLine { get; }

        public Result Wait(int timeoutSeconds)
        {
            if (!Process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
            {
                Process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{CommandLine} did not finish in {timeoutSeconds} s:\n{Output()}");
            }

            Process.WaitForExit();
            return new Result(Process.ExitCode, Output(), _clock.Elapsed, CommandLine);
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        private string Output()
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    internal sealed record Result(int ExitCode, string Output, TimeSpan Elapsed, string CommandLine)
    {
        /// <summary>Asserts success, showing the whole log when it failed.</summary>
        public Result ShouldSucceed()
        {
            Assert.True(ExitCode == 0, $"{CommandLine} failed with {ExitCode}:\n{Output}");
            return this;
        }

        public bool Skipped(string target) =>
            Output.Contains($"Skipping target \"{target}\" because all output files are up-to-date", StringComparison.Ordinal);

        /// <summary>
        /// True when <paramref name="target"/> executed: at normal verbosity its header line is followed by its
        /// work, not by the "Skipping target" line.
        /// </summary>
        public bool Ran(string target)
        {
            var lines = Output.Split('\n');
            for (var i = 0; i + 1 < lines.Length; i++)
            {
                var line = lines[i].TrimEnd('\r').Trim();
                if ((line == target + ":" || line.EndsWith(">" + target + ":", StringComparison.Ordinal)) &&
                    !lines[i + 1].Contains("Skipping target", StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
