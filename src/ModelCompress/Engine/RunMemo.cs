using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelCompress.Data;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Reports;

namespace ModelCompress.Engine;

/// <summary>
/// A model's whole run, remembered so that running the same recipe again with nothing changed (the CLI's rerun, or a
/// build whose up-to-date check could not tell) reads the outcome back instead of loading the model, rebuilding it from
/// the layer cache and running the gate again. The key is SHA-256 over the engine identity, the recipe file's content
/// and path, the model's name, the run's regression option, and the path and content digest of every file the model's
/// recipe names (source, calibration and verify data, tokenizers, labels). The stored entry adds what the key cannot see
/// without loading the model (its external data files, with digests) and the outputs the run wrote (with digests): a
/// rerun uses the entry only when all of them still match, so a deleted or edited output is written again. Files are
/// digested through <see cref="Cache.FileDigestMemo"/>, so an unchanged file is not read. Only runs that passed (or had
/// no gate) and reported no error are remembered; entries are written atomically and a damaged one is ignored.
/// </summary>
internal static class RunMemo
{
    /// <summary>The folder under the cache root that holds the entries.</summary>
    public const string FolderName = Cache.DirectoryLayerCache.RunsFolderName;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>One file and the SHA-256 of its content (hex).</summary>
    internal sealed record FileDigest(string Path, string Sha256);

    /// <summary>What a run left: checked (<see cref="SourceData"/>, <see cref="Outputs"/>) and replayed (the rest).</summary>
    internal sealed record Entry(
        string Key,
        IReadOnlyList<FileDigest> SourceData,
        IReadOnlyList<FileDigest> Outputs,
        IReadOnlyList<string> Inputs,
        IReadOnlyList<Diagnostic> Diagnostics,
        ModelReport Report,
        bool? GatePassed,
        bool FailOnRegression);

    /// <summary>
    /// The run's key, or null when it cannot be remembered: no cache folder, a file that cannot be read (the run itself
    /// reports it), or a distillation teacher (its external data would be outside the key).
    /// </summary>
    public static string? Key(Recipe.Recipe recipe, ModelRecipe model, CompressOptions options, CacheSession session, IEnumerable<string> referenced)
    {
        if (session.LocalRoot is null || UsesTeacher(model))
        {
            return null;
        }

        try
        {
            var text = new StringBuilder("modelcompress.run.v1\n");
            Line(text, session.EngineVersion);
            Line(text, Path.GetFullPath(recipe.RecipePath));
            Line(text, Hex(session.Files.Sha256(recipe.RecipePath)));
            Line(text, model.Name);
            Line(text, options.FailOnRegression switch { null => "recipe", true => "fail", false => "warn" });
            foreach (var file in referenced.Prepend(Path.GetFullPath(model.SourcePath)))
            {
                Line(text, file);
                Line(text, Hex(session.Files.Sha256(file)));
            }

            return Hex(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The entry for <paramref name="key"/> when it is intact and every file it names still has its digest.</summary>
    public static Entry? TryRead(CacheSession session, string key, string outputDirectory)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllBytes(PathOf(session.LocalRoot!, key)), Json);
            if (entry is null || entry.Key != key || entry.Report is null || entry.Outputs is not { Count: > 0 })
            {
                return null;
            }

            var unchanged = entry.SourceData.All(f => Matches(session, f.Path, f.Sha256))
                && entry.Outputs.All(f => IsPlainName(f.Path) && Matches(session, Path.Combine(outputDirectory, f.Path), f.Sha256));
            return unchanged ? entry : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Stores <paramref name="entry"/> (atomically; a cache folder that cannot take it only costs the next rerun time).</summary>
    public static void Write(CacheSession session, Entry entry)
    {
        try
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(entry, Json);

            // Only what reads back as written is kept: a report type that does not round-trip is never replayed.
            var again = JsonSerializer.SerializeToUtf8Bytes(JsonSerializer.Deserialize<Entry>(bytes, Json), Json);
            if (!bytes.AsSpan().SequenceEqual(again))
            {
                return;
            }

            var path = PathOf(session.LocalRoot!, entry.Key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllBytes(path, bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            // Remembering the run is an optimization; the outputs are already staged.
        }
    }

    /// <summary>SHA-256 of a staged or final file, as hex.</summary>
    public static string Digest(CacheSession session, string path) => Hex(session.Files.Sha256(path));

    private static bool Matches(CacheSession session, string path, string sha256) =>
        File.Exists(path) && string.Equals(Hex(session.Files.Sha256(path)), sha256, StringComparison.Ordinal);

    // An output is named relative to the output folder, never outside it.
    private static bool IsPlainName(string name) =>
        name.Length > 0 && !Path.IsPathRooted(name) && !name.Split('/', '\\').Contains("..");

    private static bool UsesTeacher(ModelRecipe model) =>
        model.Steps.OfType<DistillStep>().Any()
        || (model.Tune is { } tune && TuneSpace.Lists(model, tune).Any(steps => steps.OfType<DistillStep>().Any()));

    private static string PathOf(string root, string key) => Path.Combine(root, FolderName, key[..2], key + ".json");

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static void Line(StringBuilder text, string value) => text.Append(value.Length).Append(':').Append(value).Append('\n');
}
