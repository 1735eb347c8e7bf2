using System.Security.Cryptography;

namespace ModelCompress.Benchmarks;

/// <summary>
/// Out-of-domain English for the byte-level language model: the software licence texts that Debian's and Ubuntu's
/// <c>base-files</c> package installs under /usr/share/common-licenses on every machine (GPL, LGPL, GFDL, MPL,
/// Apache, Artistic, CC0, BSD). char-gpt was trained and is calibrated on WikiText-2 (encyclopedia articles, tokenized
/// with spaces around punctuation and <c>@-@</c>) and Tiny Shakespeare (verse drama); licence prose is legal drafting
/// with its own vocabulary ("licensee", "sublicense", "notwithstanding"), numbered clauses, untokenized punctuation
/// and hard line breaks at ~72 columns, none of which either training text has. It is located at run time, never
/// copied into the repository; its SHA-256 goes into the table so a run can be matched to the exact bytes.
/// </summary>
internal static class EvalOodText
{
    /// <summary>Where base-files puts the texts (overridable for machines that keep them elsewhere).</summary>
    public const string DefaultFolder = "/usr/share/common-licenses";

    /// <summary>The environment variable that overrides <see cref="DefaultFolder"/>.</summary>
    public const string FolderVariable = "MODELCOMPRESS_OOD_TEXT_DIR";

    /// <summary>
    /// Distinct texts in a fixed order (the folder's GPL, LGPL and GFDL links point at these, and the older GPL-1 /
    /// LGPL-2 / GFDL-1.2 mostly repeat their successors, so they are left out).
    /// </summary>
    private static readonly string[] Files =
        ["GPL-3", "Apache-2.0", "MPL-2.0", "GFDL-1.3", "LGPL-2.1", "GPL-2", "Artistic", "CC0-1.0", "LGPL-3", "BSD"];

    /// <summary>A short name for tables.</summary>
    public const string Label = "licence texts (/usr/share/common-licenses)";

    /// <summary>The texts' bytes, concatenated in <see cref="Files"/> order, and their SHA-256; null with the reason when absent.</summary>
    public static (byte[]? Bytes, string Detail) Load()
    {
        var folder = Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } v ? v : DefaultFolder;
        var missing = Files.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
        if (missing.Count > 0)
        {
            return (null, $"out-of-domain text not found: {string.Join(", ", missing)} missing in {folder} " +
                $"(install Debian/Ubuntu's base-files, or set {FolderVariable})");
        }

        using var all = new MemoryStream();
        foreach (var f in Files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, f));
            all.Write(bytes);
        }

        var data = all.ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(data));
        return (data, $"{folder}: {string.Join(", ", Files)} concatenated in that order, {data.Length:N0} bytes, SHA-256 {hash[..16]}…");
    }
}
