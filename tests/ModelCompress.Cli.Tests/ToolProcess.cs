using System.Diagnostics;

namespace ModelCompress.Cli.Tests;

/// <summary>
/// The built CLI (<c>ModelCompress.Cli.dll</c> beside the tests) as a real child process, for what an in-process call
/// cannot show: SIGKILL at an arbitrary moment and Ctrl+C (SIGINT).
/// </summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process _process;

    private ToolProcess(Process process) => _process = process;

    private static string Host { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static ToolProcess Start(params string[] args)
    {
        var psi = new ProcessStartInfo(Host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ModelCompress.Cli.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ToolProcess(process);
    }

    /// <summary>Runs to the end; the exit code.</summary>
    public static int Run(params string[] args)
    {
        using var p = Start(args);
        return p.WaitForExit(TimeSpan.FromMinutes(3));
    }

    /// <summary>SIGKILL: no handler, no cleanup, as a crash, an OOM kill or MSBuild's cancel of a tool would end it.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
    }

    /// <summary>SIGINT, what Ctrl+C sends (through kill(1): the test host has no portable API for it).</summary>
    public void Interrupt()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException("the tool did not exit within " + timeout);
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose() => _process.Dispose();
}
