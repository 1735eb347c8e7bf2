using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelCompress.Data;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Engine;

/// <summary>
/// The cached outcome of a tuning run, so that a rebuild with nothing changed reads the decision back instead of
/// running the trials again. The key is SHA-256 over everything the decision depends on: the engine version, the
/// source model's files, every candidate's settings and their order, the objective and budget, the verify data,
/// labels and thresholds, and the calibration data and settings. A file that cannot be read or does not match is
/// ignored (the trials run again); a write is atomic, so two builds at once never see half a decision.
/// </summary>
internal static class TuneDecisionStore
{
    // A trial that could not run has margin −∞ and latency NaN.
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The decision's content address.</summary>
    /// <param name="model">The model's recipe.</param>
    /// <param name="candidates">Every candidate's fingerprint, in order.</param>
    /// <param name="sourceFiles">The source model's files.</param>
    /// <param name="engineVersion">The engine identity.</param>
    /// <param name="loaded">
    /// The model file's SHA-256 taken while it was parsed (<c>OnnxModel.LoadedFile</c>), if known: that file is not
    /// read a second time (for a large model, hashing it again was most of a no-op rebuild's decision look-up).
    /// </param>
    /// <param name="fileHash">SHA-256 of a file's content (the run's <c>FileDigestMemo</c>); null reads each file.</param>
    public static string Key(
        ModelRecipe model, IReadOnlyList<string> candidates, IEnumerable<string> sourceFiles, string engineVersion, (string Path, byte[] Sha256)? loaded = null,
        Func<string, byte[]>? fileHash = null)
    {
        string FileHash(string path) => fileHash is null ? TuneDecisionStore.FileHash(path) : Convert.ToHexStringLower(fileHash(path));
        var tune = model.Tune!;
        var verify = model.Verify!;
        var text = new StringBuilder("modelcompress.tune.v1\n");
        Line(text, engineVersion);
        Line(text, string.Create(CultureInfo.InvariantCulture, $"objective={tune.Objective}|max_trials={tune.MaxTrials}|max_seconds={tune.MaxSeconds}"));
        foreach (var candidate in candidates)
        {
            Line(text, candidate);
        }

        Line(text, string.Create(CultureInfo.InvariantCulture, $"verify samples={verify.Samples}|{Describe(verify.Data)}"));
        Line(text, FileHash(verify.Data.Path) + "|" + (verify.Data.TokenizerPath is { } vt ? FileHash(vt) : "-"));
        Line(text, verify.LabelsPath is { } labels ? FileHash(labels) : "-");
        foreach (var t in verify.Thresholds.Select(GateRunner.ToGate))
        {
            Line(text, string.Create(CultureInfo.InvariantCulture, $"{t.Metric}|{t.Min}|{t.Max}|{t.MaxDrop}|{t.MaxIncrease}"));
        }

        if (model.Calibration is { } c)
        {
            Line(text, string.Create(CultureInfo.InvariantCulture, $"calibration samples={c.Samples}|seed={c.Seed}|{Describe(c.Data)}"));
            Line(text, FileHash(c.Data.Path) + "|" + (c.Data.TokenizerPath is { } ct ? FileHash(ct) : "-"));
        }

        foreach (var file in sourceFiles.Order(StringComparer.Ordinal))
        {
            Line(text, loaded is { } l && string.Equals(l.Path, Path.GetFullPath(file), StringComparison.Ordinal)
                ? Convert.ToHexStringLower(l.Sha256) : FileHash(file));
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The stored decision for <paramref name="key"/>, when present, readable and naming one of <paramref name="candidates"/> (fingerprints, in order).</summary>
    public static TuningReport? TryRead(string cacheDirectory, string key, IReadOnlyList<string> candidates)
    {
        var path = PathOf(cacheDirectory, key);
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllBytes(path), Json);
            return stored is { Key: var k, Report: { } report } && k == key
                && report.Chosen >= 1 && report.Chosen <= candidates.Count && candidates[report.Chosen - 1] == stored.Fingerprint
                ? report
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Stores the decision; a failure to write only costs the next run its trials.</summary>
    public static void Write(string cacheDirectory, string key, TunePlan chosen, TuningReport report)
    {
        var path = PathOf(cacheDirectory, key);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(new Stored(key, chosen.Fingerprint, report), Json));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The decision is an optimization; the outputs do not depend on it being stored.
        }
    }

    private static string PathOf(string cacheDirectory, string key) => Path.Combine(cacheDirectory, "tune", key + ".json");

    private static void Line(StringBuilder text, string value) => text.Append(value.Length).Append(':').Append(value).Append('\n');

    private static string Describe(DataSource d) => string.Create(CultureInfo.InvariantCulture,
        $"format={d.Format}|tokenizer={d.Tokenizer}|seq_len={d.SeqLen}|input={d.Input}");

    private static string FileHash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private sealed record Stored(string Key, string Fingerprint, TuningReport Report);
}
