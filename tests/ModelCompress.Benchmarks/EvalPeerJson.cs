using System.Globalization;
using System.Text.Json;

namespace ModelCompress.Benchmarks;

/// <summary>
/// The peer's own numbers (peer.json from tools/ort_peer.py, measured on the peer's machine with its ORT version),
/// quoted under our tables for reference; our columns re-measure the peer's models here, in the same run.
/// </summary>
internal static class EvalPeerJson
{
    /// <summary>One note per entry of <paramref name="section"/> (e.g. "char-gpt"), or nothing without peer.json.</summary>
    public static IEnumerable<string> Notes(string? peerDir, string section)
    {
        var path = peerDir is null ? null : Path.Combine(peerDir, "peer.json");
        if (path is null || !File.Exists(path))
        {
            yield break;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var version = doc.RootElement.TryGetProperty("onnxruntime", out var v) ? v.GetString() : "?";
        if (!doc.RootElement.TryGetProperty(section, out var s))
        {
            yield break;
        }

        foreach (var entry in s.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.Object))
        {
            var fields = entry.Value.EnumerateObject()
                .Select(f => f.Value.ValueKind == JsonValueKind.Number
                    ? $"{f.Name} {f.Value.GetDouble().ToString("0.####", CultureInfo.InvariantCulture)}"
                    : $"{f.Name} {f.Value}");
            yield return $"peer.json ({section}, ORT {version}, the peer's machine): {entry.Name}: {string.Join("; ", fields)}";
        }
    }
}
