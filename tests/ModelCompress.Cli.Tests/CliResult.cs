namespace ModelCompress.Cli.Tests;

/// <summary>A verb's exit code with what it wrote.</summary>
internal sealed record CliResult(ExitCode Code, string Stdout, string Stderr)
{
    public static async Task<CliResult> Of(Func<TextWriter, TextWriter, Task<ExitCode>> run)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await run(stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public static async Task<CliResult> Invoke(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.InvokeAsync(args, stdout, stderr);
        return new CliResult((ExitCode)code, stdout.ToString(), stderr.ToString());
    }

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
