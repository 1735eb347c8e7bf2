using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ModelCompress.Cache;

namespace ModelCompress.Cli.Verbs;

/// <summary>
/// <c>cache stats|clear [--cache-dir DIR]</c>: what the per-layer cache holds, or empty it. The default folder is the
/// one the MSBuild package uses for a project in the current folder (<c>obj/modelcompress-cache</c>).
/// </summary>
public static class CacheCommand
{
    /// <summary>The cache folder used when <c>--cache-dir</c> is not given, relative to the current folder.</summary>
    public const string DefaultCacheDirectory = "obj/modelcompress-cache";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>The verb's options.</summary>
    /// <param name="Action"><c>stats</c> or <c>clear</c>.</param>
    /// <param name="CacheDirectory">The cache folder; null uses <see cref="DefaultCacheDirectory"/>.</param>
    /// <param name="Format"><c>text</c> (default) or <c>json</c> (stats only).</param>
    public sealed record Options(string Action, string? CacheDirectory = null, string Format = "text");

    /// <summary>Declares the verb with its <c>stats</c> and <c>clear</c> sub-verbs.</summary>
    public static Command Create()
    {
        var command = new Command("cache", "Show what the per-layer cache holds (stats) or empty it (clear).");
        command.Subcommands.Add(Sub("stats", "Count the cache's entries and their size.", withFormat: true));
        command.Subcommands.Add(Sub("clear", "Delete every cache entry (only in a folder tagged as a ModelCompress cache).", withFormat: false));
        return command;
    }

    /// <summary>Runs the verb: results to <paramref name="stdout"/>, diagnostics to <paramref name="stderr"/>.</summary>
    public static async Task<ExitCode> RunAsync(Options options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            var cache = new DirectoryLayerCache(options.CacheDirectory ?? DefaultCacheDirectory);
            var before = await Task.Run(cache.GetStatistics, ct).ConfigureAwait(false);
            if (options.Action == "clear")
            {
                var removed = await Task.Run(cache.Clear, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync(Invariant($"cleared {cache.Root}: {removed} file(s), {Size(before.TotalBytes)}")).ConfigureAwait(false);
            }
            else if (options.Format == "json")
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(before, Json)).ConfigureAwait(false);
            }
            else
            {
                WriteText(before, stdout);
            }

            return ExitCode.Success;
        }
        catch (Exception ex)
        {
            return CliErrors.Handle(ex, stderr);
        }
    }

    private static Command Sub(string action, string description, bool withFormat)
    {
        var dir = new Option<string?>("--cache-dir") { Description = $"The cache folder (default: {DefaultCacheDirectory} under the current folder)." };
        var format = new Option<string>("--format") { Description = "Output format: text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command(action, description) { dir };
        if (withFormat)
        {
            command.Options.Add(format);
        }

        command.SetAction((parse, ct) => RunCommand.Invoke(parse, ct,
            () => new Options(action, parse.GetValue(dir), withFormat ? parse.GetValue(format)! : "text"), RunAsync));
        return command;
    }

    private static void WriteText(CacheStatistics s, TextWriter stdout)
    {
        if (!s.Exists)
        {
            stdout.WriteLine($"cache {s.Root}: empty (the folder does not exist)");
            return;
        }

        stdout.WriteLine($"cache {s.Root}{(s.IsTagged ? string.Empty : " (no CACHEDIR.TAG: not written by ModelCompress)")}");
        stdout.WriteLine(Invariant($"  layer results:          {s.LayerEntries,6} entries  {Size(s.LayerBytes)}"));
        stdout.WriteLine(Invariant($"  calibration statistics: {s.CalibrationEntries,6} entries  {Size(s.CalibrationBytes)}"));
        stdout.WriteLine(Invariant($"  model segments:         {s.SegmentEntries,6} entries  {Size(s.SegmentBytes)}"));
        if (s.TemporaryFiles > 0)
        {
            stdout.WriteLine(Invariant($"  temporary files:        {s.TemporaryFiles,6} files    {Size(s.TemporaryBytes)}"));
        }

        stdout.WriteLine(Invariant($"  total:                  {s.Entries,6} entries  {Size(s.TotalBytes)}"));
        if (s.NewestUseUtc is { } newest && s.OldestUseUtc is { } oldest)
        {
            stdout.WriteLine(Invariant($"  last used:              {newest:yyyy-MM-dd HH:mm:ss}Z (least recently used: {oldest:yyyy-MM-dd HH:mm:ss}Z)"));
        }
    }

    internal static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 => Invariant($"{bytes / 1048576.0:0.0} MiB"),
        >= 1 << 10 => Invariant($"{bytes / 1024.0:0.0} KiB"),
        _ => Invariant($"{bytes} B"),
    };

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
